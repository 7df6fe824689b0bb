//! Value rules: strings (enums, lengths, secrets), numbers (formats, bounds, enums,
//! `multipleOf`) and integers (formats, ranges, enums, `multipleOf`, `oneOf` alternatives),
//! each becoming a plain type or a validated one; and whether an array's `uniqueItems` can
//! be met.

use openapiv3::{
    IntegerFormat, IntegerType, NumberFormat, NumberType, ReferenceOr, Schema, SchemaKind,
    StringFormat, StringType, Type, VariantOrUnknownOrEmpty,
};

use std::borrow::Borrow;

use super::combine::normalize;
use super::names::{distinct, pascal};
use super::schemas::{allows_null, any_keywords, single_all_of_ref};
use super::{at, error, Builder, Shape};
use crate::model::{
    code_span, ecma_regex, number_words, IntegerAlternative, IntegerRule, LengthRule, NumberRule,
    StringPattern, TypeRef, Variant,
};
use crate::Error;

/// A `type: string` schema: an enum, a validated length, a secret or `String`.
pub(super) fn string_shape(
    s: &StringType,
    nullable: bool,
    sensitive: bool,
    location: &str,
) -> Result<Shape, Error> {
    // A `pattern` the `regex` crate compiles is checked; another is noted in the docs
    // (`unchecked_pattern`) and not checked.
    let pattern = s.pattern.as_ref().and_then(|source| {
        ecma_regex(source).ok().map(|regex| StringPattern {
            source: source.clone(),
            regex,
        })
    });
    let length = LengthRule {
        min: s.min_length,
        max: s.max_length,
        pattern,
    };
    let constrained = length.min.is_some() || length.max.is_some() || length.pattern.is_some();
    // Beside an enum or a secret, lengths and patterns are not checked: the enum's values
    // decide, and a secret's text is never inspected.
    if let (Some(min), Some(max)) = (length.min, length.max) {
        if min > max {
            return Err(error(
                location,
                format!("minLength {min} is above maxLength {max}"),
            ));
        }
    }
    if !s.enumeration.is_empty() {
        let mut values = Vec::new();
        for value in &s.enumeration {
            match value {
                // A value listed twice (`[kml, kml]`) is one value: one variant.
                Some(value) if values.contains(&value.as_str()) => {}
                Some(value) => values.push(value.as_str()),
                // `null` among the values is how OpenAPI 3.0.3 spells a nullable
                // enum; the `Option` around the enum holds it.
                None if nullable => {}
                None => return Err(error(location, "null in enum is not supported")),
            }
        }
        if values.is_empty() {
            return Err(error(location, "an enum needs a value besides null"));
        }
        let wires: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
        let candidates = values.iter().map(|v| pascal(v)).collect();
        let names = distinct(&values, candidates);
        return Ok(Shape::Enum(
            names
                .into_iter()
                .zip(wires)
                .map(|(name, wire)| Variant { name, wire })
                .collect(),
        ));
    }
    let password = matches!(
        s.format,
        VariantOrUnknownOrEmpty::Item(StringFormat::Password)
    );
    if constrained && !password && !sensitive {
        return Ok(Shape::Text(length));
    }
    Ok(Shape::Plain(if sensitive || password {
        TypeRef::Secret
    } else {
        TypeRef::String
    }))
}

/// A `type: number` schema: `f64`, or `f32` for `format: float`; a validated number when it
/// has bounds, an `enum` or a `multipleOf`.
pub(super) fn number_shape(n: &NumberType, nullable: bool, location: &str) -> Result<Shape, Error> {
    let f32 = matches!(n.format, VariantOrUnknownOrEmpty::Item(NumberFormat::Float));
    if let Some(multiple_of) = n.multiple_of {
        if !(multiple_of.is_finite() && multiple_of > 0.0) {
            return Err(error(
                location,
                format!("multipleOf must be above 0, not {multiple_of}"),
            ));
        }
    }
    for (name, bound) in [("minimum", n.minimum), ("maximum", n.maximum)] {
        if bound.is_some_and(|b| !b.is_finite()) {
            return Err(error(location, format!("{name} must be a finite number")));
        }
    }
    let mut values: Vec<f64> = Vec::new();
    for value in &n.enumeration {
        match value {
            // A value listed twice is one value.
            Some(value) if values.contains(value) => {}
            Some(value) if !value.is_finite() => {
                return Err(error(location, "an enum value must be a finite number"))
            }
            Some(value) => values.push(*value),
            None if nullable => {}
            None => return Err(error(location, "null in enum is not supported")),
        }
    }
    if values.is_empty() && !n.enumeration.is_empty() {
        return Err(error(location, "an enum needs a value besides null"));
    }
    // `exclusiveMinimum`/`exclusiveMaximum` without their bound constrain nothing.
    let mut rule = NumberRule {
        f32,
        multiple_of: n.multiple_of,
        min: n.minimum.map(|min| (min, n.exclusive_minimum)),
        max: n.maximum.map(|max| (max, n.exclusive_maximum)),
        values: Vec::new(),
    };
    if rule.multiple_of.is_none() && rule.min.is_none() && rule.max.is_none() && values.is_empty() {
        // Formats are open-ended; one this generator does not know reads as `double`.
        return Ok(Shape::Plain(if f32 { TypeRef::F32 } else { TypeRef::F64 }));
    }
    if f32 {
        float_bounds(&mut rule, location)?;
    }
    if !values.is_empty() {
        // An enum keeps only the values the bounds and `multipleOf` allow; then the values
        // alone are the rule.
        let listed: Vec<String> = values.iter().map(|v| number_words(*v)).collect();
        values.retain(|v| rule.allows(*v));
        if values.is_empty() {
            return Err(error(
                location,
                format!(
                    "no value of the enum [{}] {}",
                    listed.join(", "),
                    rule.describe().replacen("must be", "is", 1)
                ),
            ));
        }
        return Ok(Shape::Number(NumberRule {
            values,
            multiple_of: None,
            min: None,
            max: None,
            ..rule
        }));
    }
    if !satisfiable(&rule) {
        let float = if f32 { " (format float)" } else { "" };
        return Err(error(
            location,
            format!(
                "no number{float} {}",
                rule.describe().replacen("must be", "is", 1)
            ),
        ));
    }
    Ok(Shape::Number(rule))
}

/// For `format: float`: a bound beyond the largest `f32` either constrains nothing (a
/// `maximum` above it, a `minimum` below its negative) or allows nothing.
fn float_bounds(rule: &mut NumberRule, location: &str) -> Result<(), Error> {
    let limit = f64::from(f32::MAX);
    let none = |what: String| error(location, format!("no number (format float) is {what}"));
    if let Some((min, _)) = rule.min {
        if min > limit {
            return Err(none(format!("at least {}", number_words(min))));
        }
        if min < -limit {
            rule.min = None;
        }
    }
    if let Some((max, _)) = rule.max {
        if max < -limit {
            return Err(none(format!("at most {}", number_words(max))));
        }
        if max > limit {
            rule.max = None;
        }
    }
    Ok(())
}

/// Whether some finite number satisfies a rule of bounds and `multipleOf` (no enum): the
/// bounds in order, and a multiple between them when the range is narrow (a range at least
/// two steps wide always holds one).
fn satisfiable(rule: &NumberRule) -> bool {
    let (Some((min, _)), Some((max, _))) = (rule.min, rule.max) else {
        // Half-open ranges hold numbers, and multiples (0 or far out).
        return true;
    };
    if min > max || (min == max && !rule.allows(min)) {
        return false;
    }
    // Narrow: the multiples around the range, and points of the range itself.
    let width = max - min;
    match rule.multiple_of {
        None => {
            // Open at both ends: some number lies strictly between (unless they touch, as
            // adjacent floats do).
            [min, max, min + width / 2.0]
                .into_iter()
                .any(|v| rule.allows(v))
        }
        Some(m) if width >= 2.0 * m => true,
        Some(m) => {
            let first = (min / m).floor() - 1.0;
            (0..5).any(|k| rule.allows((first + f64::from(k)) * m))
        }
    }
}

/// An integer's `multipleOf` as the rule keeps it: `None` for 1 (every integer is a multiple
/// of 1); an error for 0 or below.
fn integer_multiple_of(multiple_of: Option<i64>, location: &str) -> Result<Option<i64>, Error> {
    match multiple_of {
        Some(m) if m <= 0 => Err(error(
            location,
            format!("multipleOf must be above 0, not {m}"),
        )),
        Some(1) | None => Ok(None),
        Some(m) => Ok(Some(m)),
    }
}

/// Whether an integer `multipleOf` needs a validated type: present and not 1 (0 or below is
/// refused when the type is built).
pub(super) fn checks_multiple_of(multiple_of: Option<i64>) -> bool {
    multiple_of.is_some_and(|m| m != 1)
}

/// A `type: integer` schema: `i32`/`i64`, or a validated integer when it has bounds, an enum
/// or a `multipleOf` other than 1.
pub(super) fn integer_shape(
    i: &IntegerType,
    nullable: bool,
    location: &str,
) -> Result<Shape, Error> {
    let int32 = match &i.format {
        VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => true,
        VariantOrUnknownOrEmpty::Item(IntegerFormat::Int64) | VariantOrUnknownOrEmpty::Empty => {
            false
        }
        VariantOrUnknownOrEmpty::Unknown(format) => small_integer_format(format),
    };
    let multiple_of = integer_multiple_of(i.multiple_of, location)?;
    let values = i
        .enumeration
        .iter()
        .filter(|v| v.is_some() || !nullable)
        .map(|v| v.ok_or_else(|| error(location, "null in enum is not supported")))
        .collect::<Result<Vec<i64>, Error>>()?;
    // A value listed twice is one value.
    let mut values = values;
    let mut seen = std::collections::BTreeSet::new();
    values.retain(|value| seen.insert(*value));
    if values.is_empty() && !i.enumeration.is_empty() {
        return Err(error(location, "an enum needs a value besides null"));
    }
    let range = integer_range(
        i.minimum,
        i.maximum,
        i.exclusive_minimum,
        i.exclusive_maximum,
        location,
    )?;
    let alternative = match (values.is_empty(), range, multiple_of) {
        (true, None, None) => {
            return Ok(Shape::Plain(if int32 {
                TypeRef::I32
            } else {
                TypeRef::I64
            }))
        }
        (true, None, Some(_)) => IntegerAlternative::Range(None, None),
        (false, None, _) => IntegerAlternative::Values(values),
        (true, Some(range), _) => range,
        (false, Some(_), _) => {
            return Err(error(
                location,
                "enum together with minimum/maximum is not supported",
            ))
        }
    };
    let mut rule = integer_rule(int32, vec![alternative], location)?;
    if let Some(m) = multiple_of {
        with_multiple_of(&mut rule, m, location)?;
    }
    Ok(Shape::Integer(rule))
}

/// Adds `multipleOf` to a rule. An enum keeps only its multiples (the others are values the
/// spec forbids), so it needs no check of its own; a range must hold a multiple (within
/// `i32` for `format: int32`). Either way a rule no value satisfies is refused.
fn with_multiple_of(rule: &mut IntegerRule, m: i64, location: &str) -> Result<(), Error> {
    let int32 = rule.int32;
    let empty = |what: String| error(location, format!("no value {what} is a multiple of {m}"));
    let mut checked = false;
    for alternative in &mut rule.alternatives {
        match alternative {
            IntegerAlternative::Values(values) => {
                let listed: Vec<String> = values.iter().map(i64::to_string).collect();
                values.retain(|v| v % m == 0);
                if values.is_empty() {
                    return Err(empty(format!("of the enum [{}]", listed.join(", "))));
                }
            }
            IntegerAlternative::Range(min, max) => {
                let (floor, ceiling) = if int32 {
                    (i128::from(i32::MIN), i128::from(i32::MAX))
                } else {
                    (i128::from(i64::MIN), i128::from(i64::MAX))
                };
                let low = min.map_or(floor, i128::from);
                let high = max.map_or(ceiling, i128::from);
                // The smallest multiple at or above `low` (in i128: no overflow).
                let m_wide = i128::from(m);
                let first = low + (m_wide - low.rem_euclid(m_wide)) % m_wide;
                if first > high {
                    let range = match (min, max) {
                        (Some(min), Some(max)) => format!("from {min} to {max}"),
                        (Some(min), None) => format!("at or above {min}"),
                        (None, Some(max)) => format!("at or below {max}"),
                        (None, None) => "at all".to_owned(),
                    };
                    let int32 = if int32 { " (format int32)" } else { "" };
                    return Err(empty(format!("{range}{int32}")));
                }
                checked = true;
            }
        }
    }
    if checked {
        rule.multiple_of = Some(m);
    }
    Ok(())
}

/// `minimum`/`maximum` (with their exclusive flags) as an inclusive range; `None` when neither
/// bound is given.
pub(super) fn integer_range(
    minimum: Option<i64>,
    maximum: Option<i64>,
    exclusive_minimum: bool,
    exclusive_maximum: bool,
    location: &str,
) -> Result<Option<IntegerAlternative>, Error> {
    if minimum.is_none() && maximum.is_none() {
        if exclusive_minimum || exclusive_maximum {
            return Err(error(
                location,
                "exclusiveMinimum/exclusiveMaximum without a bound",
            ));
        }
        return Ok(None);
    }
    let overflow = || error(location, "an exclusive bound overflows i64");
    let min = match minimum {
        Some(min) if exclusive_minimum => Some(min.checked_add(1).ok_or_else(overflow)?),
        other => other,
    };
    let max = match maximum {
        Some(max) if exclusive_maximum => Some(max.checked_sub(1).ok_or_else(overflow)?),
        other => other,
    };
    if let (Some(min), Some(max)) = (min, max) {
        if min > max {
            return Err(error(
                location,
                format!("minimum {min} is above maximum {max}"),
            ));
        }
    }
    Ok(Some(IntegerAlternative::Range(min, max)))
}

/// A rule from alternatives, checking they fit the inner type.
pub(super) fn integer_rule(
    int32: bool,
    alternatives: Vec<IntegerAlternative>,
    location: &str,
) -> Result<IntegerRule, Error> {
    if int32 {
        let fits = |v: &i64| i32::try_from(*v).is_ok();
        for alternative in &alternatives {
            let ok = match alternative {
                IntegerAlternative::Values(values) => values.iter().all(fits),
                IntegerAlternative::Range(min, max) => min.iter().all(fits) && max.iter().all(fits),
            };
            if !ok {
                return Err(error(
                    location,
                    "a bound or value does not fit format int32",
                ));
            }
        }
    }
    Ok(IntegerRule {
        int32,
        alternatives,
        multiple_of: None,
    })
}

/// The alternatives of an integer `oneOf`: each an `enum` of integers or a `minimum`/`maximum`.
pub(super) fn integer_one_of_rule(
    int32: bool,
    one_of: &[ReferenceOr<Schema>],
    location: &str,
) -> Result<IntegerRule, Error> {
    let mut alternatives = Vec::new();
    for (index, alternative) in one_of.iter().enumerate() {
        let alt_location = at(&at(location, "oneOf"), &index.to_string());
        let schema = match alternative {
            ReferenceOr::Item(schema) => schema,
            ReferenceOr::Reference { .. } => {
                return Err(error(alt_location, "a $ref inside oneOf is not supported"))
            }
        };
        let parsed =
            match &schema.schema_kind {
                SchemaKind::Type(Type::Integer(i)) if i.multiple_of.is_none() => {
                    let values: Option<Vec<i64>> = i.enumeration.iter().copied().collect();
                    let values = values
                        .ok_or_else(|| error(&alt_location, "null in enum is not supported"))?;
                    let range = integer_range(
                        i.minimum,
                        i.maximum,
                        i.exclusive_minimum,
                        i.exclusive_maximum,
                        &alt_location,
                    )?;
                    (values, range)
                }
                SchemaKind::Any(any)
                    if any_keywords(any).iter().all(|k| {
                        matches!(
                            *k,
                            "type"
                                | "enum"
                                | "minimum"
                                | "maximum"
                                | "exclusiveMinimum"
                                | "exclusiveMaximum"
                        )
                    }) && matches!(any.typ.as_deref(), None | Some("integer")) =>
                {
                    let values = any
                        .enumeration
                        .iter()
                        .map(|v| v.as_i64())
                        .collect::<Option<Vec<i64>>>()
                        .ok_or_else(|| error(&alt_location, "an enum value is not an integer"))?;
                    let bound = |v: Option<f64>| -> Result<Option<i64>, Error> {
                        match v {
                            None => Ok(None),
                            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
                            Some(f) => {
                                Err(error(&alt_location, format!("bound {f} is not an integer")))
                            }
                        }
                    };
                    let range = integer_range(
                        bound(any.minimum)?,
                        bound(any.maximum)?,
                        any.exclusive_minimum.unwrap_or(false),
                        any.exclusive_maximum.unwrap_or(false),
                        &alt_location,
                    )?;
                    (values, range)
                }
                _ => return Err(error(
                    alt_location,
                    "only integer alternatives (enum or minimum/maximum) are supported in oneOf",
                )),
            };
        match parsed {
            (values, None) if !values.is_empty() => {
                alternatives.push(IntegerAlternative::Values(values))
            }
            (values, Some(range)) if values.is_empty() => alternatives.push(range),
            (_, None) => {
                return Err(error(
                    alt_location,
                    "an alternative needs an enum or a bound",
                ))
            }
            (_, Some(_)) => {
                return Err(error(
                    alt_location,
                    "enum together with minimum/maximum is not supported",
                ))
            }
        }
    }
    if alternatives.is_empty() {
        return Err(error(location, "oneOf needs at least one alternative"));
    }
    integer_rule(int32, alternatives, location)
}

/// Whether an integer format other than `int32`/`int64` fits an `i32` (`int8`, `int16`,
/// `uint8`, `uint16`); every other format (`uint32`, `uint64`, unknown ones) is an `i64`.
pub(super) fn small_integer_format(format: &str) -> bool {
    matches!(format, "int8" | "int16" | "uint8" | "uint16")
}

/// The doc note of a string schema whose `pattern` is not checked (the `regex` crate does
/// not compile it), saying why; `None` when there is no such pattern.
pub(super) fn unchecked_pattern(schema: &Schema) -> Option<String> {
    let SchemaKind::Type(Type::String(s)) = &schema.schema_kind else {
        return None;
    };
    let pattern = s.pattern.as_ref()?;
    let why = ecma_regex(pattern).err()?;
    Some(format!(
        "The pattern {} is not checked: the `regex` crate cannot read it ({why}).",
        code_span(pattern)
    ))
}

/// How many values are listed in a refusal before they are only counted.
const LISTED_VALUES: usize = 8;

impl Builder<'_> {
    /// Refuses an array with `uniqueItems: true` whose `minItems` is above the number of
    /// distinct values its items can take (an `enum` of k values, a boolean's 2, and `null`
    /// when the items allow it): no value of it is valid. Items of other kinds are not
    /// counted.
    pub(super) fn unique_items_can_be_met<S: Borrow<Schema>>(
        &self,
        items: &ReferenceOr<S>,
        min: usize,
        location: &str,
    ) -> Result<(), Error> {
        let Some((values, null)) = self.item_values(items, 0) else {
            return Ok(());
        };
        let count = values.len() + usize::from(null);
        if min <= count {
            return Ok(());
        }
        let listed = if values.len() <= LISTED_VALUES {
            let mut quoted: Vec<String> = values.iter().map(|v| code_span(v)).collect();
            if null {
                quoted.push("`null`".to_owned());
            }
            quoted.join(", ")
        } else {
            let null = if null { ", and null" } else { "" };
            format!("an enum of {} values{null}", values.len())
        };
        let unit = if count == 1 { "value" } else { "values" };
        Err(error(
            location,
            format!(
                "minItems {min} with uniqueItems: true can never be met: the items can take \
                 only {count} distinct {unit} ({listed})"
            ),
        ))
    }

    /// The distinct values (in words, without `null`) an item schema allows, and whether it
    /// allows `null`; `None` when they are not a short known list.
    fn item_values<S: Borrow<Schema>>(
        &self,
        item: &ReferenceOr<S>,
        depth: usize,
    ) -> Option<(Vec<String>, bool)> {
        match item {
            ReferenceOr::Reference { reference } => {
                self.schema_values(self.component(reference, "#").ok()?, depth + 1)
            }
            ReferenceOr::Item(schema) => self.schema_values(schema.borrow(), depth),
        }
    }

    fn schema_values(&self, schema: &Schema, depth: usize) -> Option<(Vec<String>, bool)> {
        // A cycle of references allows no short list anyway.
        if depth > 16 {
            return None;
        }
        let null = allows_null(schema);
        let or_null = |(values, inner): (Vec<String>, bool)| (values, inner || null);
        if let Some(normal) = normalize(schema) {
            return self.schema_values(&normal, depth + 1).map(or_null);
        }
        let values: Vec<String> = match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => {
                s.enumeration.iter().flatten().cloned().collect()
            }
            // An enum beside bounds is refused where the item is built.
            SchemaKind::Type(Type::Integer(i))
                if !i.enumeration.is_empty() && i.minimum.is_none() && i.maximum.is_none() =>
            {
                let m = i.multiple_of.filter(|m| *m > 0).unwrap_or(1);
                i.enumeration
                    .iter()
                    .flatten()
                    .filter(|v| *v % m == 0)
                    .map(i64::to_string)
                    .collect()
            }
            // The values the bounds and `multipleOf` keep, as the number's rule holds them.
            SchemaKind::Type(Type::Number(n)) if !n.enumeration.is_empty() => {
                match number_shape(n, null, "#") {
                    Ok(Shape::Number(rule)) => {
                        rule.values.iter().map(|v| number_words(*v)).collect()
                    }
                    _ => return None,
                }
            }
            SchemaKind::Type(Type::Boolean(b)) => {
                let listed: Vec<String> = b
                    .enumeration
                    .iter()
                    .flatten()
                    .map(bool::to_string)
                    .collect();
                if listed.is_empty() {
                    vec!["false".to_owned(), "true".to_owned()]
                } else {
                    listed
                }
            }
            SchemaKind::AllOf { .. } => {
                let reference = single_all_of_ref(schema)?;
                let target = self.component(reference, "#").ok()?;
                return self.schema_values(target, depth + 1).map(or_null);
            }
            _ => return None,
        };
        // Linear, however long the enum.
        let mut seen = std::collections::HashSet::with_capacity(values.len());
        let distinct_values: Vec<String> = values
            .into_iter()
            .filter(|value| seen.insert(value.clone()))
            .collect();
        Some((distinct_values, null))
    }
}
