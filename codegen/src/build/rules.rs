//! Value rules: strings (enums, lengths, secrets), numbers and integers (formats, ranges,
//! enums, `oneOf` alternatives), each becoming a plain type or a validated one.

use openapiv3::{
    IntegerFormat, IntegerType, NumberFormat, NumberType, ReferenceOr, Schema, SchemaKind,
    StringFormat, StringType, Type, VariantOrUnknownOrEmpty,
};

use super::names::{distinct, pascal};
use super::schemas::any_keywords;
use super::{at, error, Shape};
use crate::model::{IntegerAlternative, IntegerRule, LengthRule, TypeRef, Variant};
use crate::Error;

/// A `type: string` schema: an enum, a validated length, a secret or `String`.
pub(super) fn string_shape(
    s: &StringType,
    nullable: bool,
    sensitive: bool,
    location: &str,
) -> Result<Shape, Error> {
    // `pattern` is accepted and not checked (see the crate docs).
    let length = LengthRule {
        min: s.min_length,
        max: s.max_length,
    };
    let constrained = length.min.is_some() || length.max.is_some();
    // Beside an enum or a secret, lengths are not checked: the enum's values decide, and a
    // secret's text is never inspected.
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

/// A `type: number` schema: `f64`, or `f32` for `format: float`.
pub(super) fn number_shape(n: &NumberType) -> Result<Shape, Error> {
    // Bounds, `multipleOf` and `enum` on numbers are accepted and not checked (crate docs).
    match &n.format {
        VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => Ok(Shape::Plain(TypeRef::F32)),
        // Formats are open-ended; one this generator does not know reads as `double`.
        VariantOrUnknownOrEmpty::Unknown(_) => Ok(Shape::Plain(TypeRef::F64)),
        _ => Ok(Shape::Plain(TypeRef::F64)),
    }
}

/// A `type: integer` schema: `i32`/`i64`, or a validated integer when it has bounds or an enum.
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
    // `multipleOf` is accepted and not checked (crate docs).
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
    let alternative = match (values.is_empty(), range) {
        (true, None) => {
            return Ok(Shape::Plain(if int32 {
                TypeRef::I32
            } else {
                TypeRef::I64
            }))
        }
        (false, None) => IntegerAlternative::Values(values),
        (true, Some(range)) => range,
        (false, Some(_)) => {
            return Err(error(
                location,
                "enum together with minimum/maximum is not supported",
            ))
        }
    };
    integer_rule(int32, vec![alternative], location).map(Shape::Integer)
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
