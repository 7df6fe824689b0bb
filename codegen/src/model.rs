//! The intermediate model: what the emitter needs to know, with every spec question answered.
//!
//! `build` fills it from an [`openapiv3::OpenAPI`]; `emit` turns it into
//! code. Names here are final Rust names; wire names are kept beside them.

/// Everything generated from one spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Api {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// `info.description`.
    pub description: Option<String>,
    /// The first server's URL with its variables at their defaults, when it is absolute.
    pub server: Option<String>,
    /// The servers with a `region` variable, as the runtime's region template, when there
    /// is one.
    pub region: Option<RegionEndpoint>,
    /// Named types, in spec order (an inline type right after the type that holds it).
    pub types: Vec<TypeDef>,
    /// Operations, in spec order (path, then method).
    pub operations: Vec<Operation>,
}

/// How a region id becomes an endpoint: the runtime's `endpoint::RegionTemplate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionEndpoint {
    /// The servers whose absolute URL uses a declared `region` variable, `https` ones first,
    /// then `http` ones, each in spec order, each with the regions it serves. A region two
    /// servers list stays with the first in that order; a server left with none, or without
    /// an enum after one without, is not here.
    pub servers: Vec<RegionServer>,
    /// The first such server's (in spec order) `x-region-env-prefix`: the environment variable that
    /// overrides a region's endpoint is this, then the region id upper-cased with `-` as `_`.
    pub env_prefix: Option<String>,
    /// The first such server's `x-region-profile-key`: the key of the service in a regions
    /// file.
    pub profile_key: Option<String>,
    /// URLs of the servers that lost regions to servers before them in [`Self::servers`]'
    /// order (or, without an enum, to such a server without one), in that order.
    pub shadowed: Vec<String>,
}

/// One server of a [`RegionEndpoint`]: the runtime's `endpoint::RegionServer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionServer {
    /// The absolute URL, its other variables at their defaults, `{region}` left in it.
    pub url: String,
    /// The regions of its `enum`, sorted, without repeats (and without those an earlier
    /// server lists); empty for a server without an enum, which serves any region no server
    /// lists.
    pub regions: Vec<String>,
}

/// A reference to a type in a field, parameter or body.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `runtime::SecretString`.
    Secret,
    /// `bool`.
    Bool,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `f32`.
    F32,
    /// `f64`.
    F64,
    /// `serde_json::Value`, for a schema without constraints.
    Json,
    /// `Vec<u8>`, a body of a media type that is neither JSON nor text.
    Bytes,
    /// `serde_json::Map<String, serde_json::Value>`, for a free-form object.
    JsonMap,
    /// A generated type, by its Rust name.
    Named(String),
    /// `Vec<T>`.
    Vec(Box<TypeRef>),
    /// `BTreeMap<String, T>`, for `additionalProperties` with a schema.
    Map(Box<TypeRef>),
    /// `Box<T>`, to break a cycle of directly nested structs.
    Boxed(Box<TypeRef>),
    /// `Option<T>`, for a `nullable: true` schema: JSON `null` reads as `None`.
    Nullable(Box<TypeRef>),
}

impl TypeRef {
    /// `Nullable(self)`; a type that already holds `null` (nullable, or `serde_json::Value`)
    /// stays as it is.
    #[must_use]
    pub fn nullable(self) -> TypeRef {
        match self {
            TypeRef::Nullable(_) | TypeRef::Json => self,
            other => TypeRef::Nullable(Box::new(other)),
        }
    }

    /// The type without a top-level `Nullable`.
    #[must_use]
    pub fn non_null(&self) -> &TypeRef {
        match self {
            TypeRef::Nullable(inner) => inner,
            other => other,
        }
    }
}

/// A named type.
#[derive(Debug, Clone, PartialEq)]
pub struct TypeDef {
    /// The Rust name.
    pub name: String,
    /// Doc text (description).
    pub doc: Option<String>,
    /// What kind of type.
    pub kind: TypeKind,
    /// The traits it derives beyond `Debug, Clone, PartialEq` and serde's.
    pub derives: Derives,
}

/// Which optional traits a type derives, decided from what its fields hold (a float or a
/// secret rules out `Eq`; a JSON value rules out `Hash`), settled across cycles of types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Derives {
    /// `Eq`.
    pub eq: bool,
    /// `Hash` (only together with `Eq`).
    pub hash: bool,
}

impl Derives {
    /// Both `Eq` and `Hash`.
    pub const ALL: Derives = Derives {
        eq: true,
        hash: true,
    };
    /// Neither.
    pub const NONE: Derives = Derives {
        eq: false,
        hash: false,
    };
}

/// The kinds of named types.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeKind {
    /// A struct of named fields.
    Struct {
        /// Fields, in spec order.
        fields: Vec<Field>,
        /// `additionalProperties: false`.
        deny_unknown: bool,
    },
    /// A string enum.
    Enum {
        /// Variants, in spec order.
        variants: Vec<Variant>,
    },
    /// A validated integer newtype.
    Integer(IntegerRule),
    /// A validated number newtype (`multipleOf`).
    Number(NumberRule),
    /// A validated string newtype (`minLength`/`maxLength`).
    Text(LengthRule),
    /// A validated array newtype over `Vec<T>` (`minItems`/`maxItems`/`uniqueItems`).
    Array(ArrayRule),
    /// `pub type Name = Target;`.
    Alias(TypeRef),
}

/// One field of a struct.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// Rust name (snake_case, no `r#`).
    pub name: String,
    /// Name on the wire.
    pub wire: String,
    /// Doc text.
    pub doc: Option<String>,
    /// The field's type, without the `Option` of an optional field. A nullable field's type
    /// is [`TypeRef::Nullable`]: `Option<T>`, always serialized when required, and the same
    /// `Option<T>` (not `Option<Option<T>>`) when optional.
    pub ty: TypeRef,
    /// Listed in `required`.
    pub required: bool,
    /// `#[serde(flatten)]`: the map of the properties not listed (`additionalProperties`
    /// beside `properties`); its `wire` is empty.
    pub flatten: bool,
}

/// One variant of a string enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Rust name (UpperCamelCase).
    pub name: String,
    /// Value on the wire.
    pub wire: String,
}

/// The values a validated integer may hold: any of the alternatives.
#[derive(Debug, Clone, PartialEq)]
pub struct IntegerRule {
    /// `true` for `format: int32` (an `i32` inside), else `i64`.
    pub int32: bool,
    /// Allowed values; at least one.
    pub alternatives: Vec<IntegerAlternative>,
    /// `multipleOf`, above 1 (every integer is a multiple of 1): a value must also be a
    /// multiple of it.
    pub multiple_of: Option<i64>,
}

/// The values a validated number may hold: finite, within the bounds, a multiple of
/// `multiple_of` (within [`NumberRule::TOLERANCE`]) and, with an `enum`, one of its values.
/// For `format: float` every comparison is made on `f32`s (the value and the bounds rounded
/// to `f32`), so `maximum: 0.1` allows the `f32` written `0.1`.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberRule {
    /// `true` for `format: float` (an `f32` inside), else `f64`.
    pub f32: bool,
    /// `multipleOf`: finite and above 0.
    pub multiple_of: Option<f64>,
    /// `minimum`, and whether it is exclusive (`exclusiveMinimum: true`); finite.
    pub min: Option<(f64, bool)>,
    /// `maximum`, and whether it is exclusive; finite.
    pub max: Option<(f64, bool)>,
    /// `enum`: exactly these values (compared with `==`, in the held type); empty when the
    /// spec has none. The build keeps only values the bounds and `multipleOf` allow, so a
    /// rule with values checks only them.
    pub values: Vec<f64>,
}

/// A number in a rule's words: whole numbers without a fraction (`1`, not `1.0`), others as
/// Rust writes them (`0.01`, `1e-9`).
pub fn number_words(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value:?}")
    }
}

impl NumberRule {
    /// How far from a whole number `value / multiple_of` may be, in steps, and still count
    /// as a multiple: a billionth of a step, or 4 ulps of the quotient when that is more
    /// (quotients above about 1.1 million for `f64`, 2 hundred for `f32`). So `0.07` is a
    /// multiple of `0.01` although `0.07 / 0.01` is `7.000000000000001` in binary.
    pub const TOLERANCE: f64 = 1e-9;

    /// How many ulps of the quotient are tolerated.
    pub const ULPS: f64 = 4.0;

    /// The rule in words, for example `must be from 0 to 1 and a multiple of 0.25`.
    pub fn describe(&self) -> String {
        if !self.values.is_empty() {
            let listed: Vec<String> = self.values.iter().map(|v| number_words(*v)).collect();
            return match listed.as_slice() {
                [one] => format!("must be {one}"),
                many => format!("must be one of {}", many.join(", ")),
            };
        }
        let range = match (self.min, self.max) {
            (Some((min, false)), Some((max, false))) => Some(format!(
                "from {} to {}",
                number_words(min),
                number_words(max)
            )),
            (min, max) => {
                let low = min.map(|(min, exclusive)| {
                    let word = if exclusive { "above" } else { "at least" };
                    format!("{word} {}", number_words(min))
                });
                let high = max.map(|(max, exclusive)| {
                    let word = if exclusive { "below" } else { "at most" };
                    format!("{word} {}", number_words(max))
                });
                let parts: Vec<String> = low.into_iter().chain(high).collect();
                (!parts.is_empty()).then(|| parts.join(" and "))
            }
        };
        let multiple = self
            .multiple_of
            .map(|m| format!("a multiple of {}", number_words(m)));
        match (range, multiple) {
            (Some(range), Some(multiple)) if range.contains(" and ") => {
                format!("must be {range}, and {multiple}")
            }
            (Some(range), Some(multiple)) => format!("must be {range} and {multiple}"),
            (Some(range), None) => format!("must be {range}"),
            (None, Some(multiple)) => format!("must be {multiple}"),
            (None, None) => "must be a finite number".to_owned(),
        }
    }

    /// Whether `value` satisfies the rule, as the generated `TryFrom<f64>` decides it (the
    /// value first made an `f32` for `format: float`).
    pub fn allows(&self, value: f64) -> bool {
        // The value and every bound as the held type holds them.
        let held = |v: f64| if self.f32 { f64::from(v as f32) } else { v };
        let value = held(value);
        if !value.is_finite() {
            return false;
        }
        if !self.values.is_empty() {
            return self.values.iter().any(|v| held(*v) == value);
        }
        let above = self.min.is_none_or(|(min, exclusive)| {
            if exclusive {
                value > held(min)
            } else {
                value >= held(min)
            }
        });
        let below = self.max.is_none_or(|(max, exclusive)| {
            if exclusive {
                value < held(max)
            } else {
                value <= held(max)
            }
        });
        above && below && self.multiple_of.is_none_or(|m| self.is_multiple(value, m))
    }

    /// Whether a value (already as held) is a multiple of `m` within the tolerance.
    fn is_multiple(&self, value: f64, m: f64) -> bool {
        let epsilon = if self.f32 {
            f64::from(f32::EPSILON)
        } else {
            f64::EPSILON
        };
        let quotient = value / m;
        let nearest = quotient.round();
        quotient.is_finite()
            && (quotient - nearest).abs()
                <= (nearest.abs() * Self::ULPS * epsilon).max(Self::TOLERANCE)
    }
}

/// The lengths a validated string may have, in characters (Unicode scalar values), and the
/// pattern it must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LengthRule {
    /// `minLength`.
    pub min: Option<usize>,
    /// `maxLength`.
    pub max: Option<usize>,
    /// `pattern`, when the `regex` crate compiles it.
    pub pattern: Option<StringPattern>,
}

/// A `pattern` that is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringPattern {
    /// As the spec writes it (ECMA-262).
    pub source: String,
    /// As the `regex` crate reads it (`\d` and `\w` made ASCII, as in ECMA-262).
    pub regex: String,
}

impl LengthRule {
    /// The rule in words, for example `must be 1 to 64 characters long`.
    pub fn describe(&self) -> String {
        let unit = |n: usize| if n == 1 { "character" } else { "characters" };
        let length = match (self.min, self.max) {
            (Some(min), Some(max)) => Some(format!("be {min} to {max} {} long", unit(max))),
            (Some(min), None) => Some(format!("be at least {min} {} long", unit(min))),
            (None, Some(max)) => Some(format!("be at most {max} {} long", unit(max))),
            (None, None) => None,
        };
        let pattern = self
            .pattern
            .as_ref()
            .map(|p| format!("match the pattern {}", p.source));
        match (length, pattern) {
            (Some(length), Some(pattern)) => format!("must {length} and {pattern}"),
            (Some(one), None) | (None, Some(one)) => format!("must {one}"),
            (None, None) => "may be any string".to_owned(),
        }
    }

    /// Whether `value` satisfies the rule, as the generated `TryFrom<String>` decides it.
    pub fn allows(&self, value: &str) -> bool {
        let length = value.chars().count();
        self.min.is_none_or(|min| length >= min)
            && self.max.is_none_or(|max| length <= max)
            && self.pattern.as_ref().is_none_or(|p| {
                thread_local! {
                    static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Option<regex::Regex>>> =
                        std::cell::RefCell::default();
                }
                COMPILED.with(|compiled| {
                    compiled
                        .borrow_mut()
                        .entry(p.regex.clone())
                        .or_insert_with(|| regex::Regex::new(&p.regex).ok())
                        .as_ref()
                        .is_some_and(|regex| regex.is_match(value))
                })
            })
    }
}

/// Markdown inline code holding `text`, whatever backticks it holds.
pub fn code_span(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// A `pattern` (ECMA-262, unanchored) as the `regex` crate reads it: `\d`, `\w` and their
/// negations are made ASCII, as ECMA-262 has them (the `regex` crate's are Unicode), and
/// `[`, `&`, `~` inside a class are escaped (the `regex` crate reads them as nested classes
/// and set operations). `Err` says why it cannot be checked: a back-reference, a control
/// escape, or what the `regex` crate refuses (look-around).
pub fn ecma_regex(pattern: &str) -> Result<String, String> {
    // Compiling is the costly part (a bounded repetition of `.` can take milliseconds) and
    // specs repeat patterns: each is read once per thread.
    thread_local! {
        static READ: std::cell::RefCell<std::collections::HashMap<String, Result<String, String>>> =
            std::cell::RefCell::default();
    }
    if let Some(known) = READ.with(|read| read.borrow().get(pattern).cloned()) {
        return known;
    }
    let result = read_ecma_regex(pattern);
    READ.with(|read| read.borrow_mut().insert(pattern.to_owned(), result.clone()));
    result
}

fn read_ecma_regex(pattern: &str) -> Result<String, String> {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    // Right after `[` or `[^`, where `]` is the end of an empty class in ECMA-262.
    let mut class_start = false;
    while let Some(c) = chars.next() {
        let at_start = class_start;
        class_start = false;
        match c {
            '\\' => {
                let Some(next) = chars.next() else {
                    return Err("it ends with a lone backslash".to_owned());
                };
                let class = |ascii: &str, negated: bool| match (in_class, negated) {
                    (false, false) => format!("[{ascii}]"),
                    (false, true) => format!("[^{ascii}]"),
                    (true, false) => ascii.to_owned(),
                    (true, true) => format!("[^{ascii}]"),
                };
                match next {
                    'd' => out.push_str(&class("0-9", false)),
                    'D' => out.push_str(&class("0-9", true)),
                    'w' => out.push_str(&class("0-9A-Za-z_", false)),
                    'W' => out.push_str(&class("0-9A-Za-z_", true)),
                    '1'..='9' => return Err("back-references are not supported".to_owned()),
                    'c' => return Err("control escapes are not supported".to_owned()),
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            '[' if in_class => out.push_str("\\["),
            '&' | '~' if in_class => {
                out.push('\\');
                out.push(c);
            }
            '[' => {
                in_class = true;
                class_start = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    chars.next();
                    out.push('^');
                }
            }
            ']' if in_class => {
                if at_start {
                    return Err("an empty class is not supported".to_owned());
                }
                in_class = false;
                out.push(']');
            }
            other => out.push(other),
        }
    }
    regex::Regex::new(&out).map_err(|e| {
        let text = e.to_string();
        let last = text
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        last.trim().trim_start_matches("error: ").to_owned()
    })?;
    Ok(out)
}

/// The items a validated array may hold: how many, and whether two may be equal.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayRule {
    /// The item type.
    pub items: TypeRef,
    /// `minItems`, above 0.
    pub min: Option<usize>,
    /// `maxItems`.
    pub max: Option<usize>,
    /// `uniqueItems: true`: no two items equal (as Rust values, `PartialEq`).
    pub unique: bool,
}

impl ArrayRule {
    /// The rule in words, for example `must have 1 to 10 items, none repeated`.
    pub fn describe(&self) -> String {
        let unit = |n: usize| if n == 1 { "item" } else { "items" };
        let count = match (self.min, self.max) {
            (Some(min), Some(max)) if min == max => Some(format!("exactly {min} {}", unit(min))),
            (Some(min), Some(max)) => Some(format!("{min} to {max} {}", unit(max))),
            (Some(min), None) => Some(format!("at least {min} {}", unit(min))),
            (None, Some(max)) => Some(format!("at most {max} {}", unit(max))),
            (None, None) => None,
        };
        match (count, self.unique) {
            (Some(count), true) => format!("must have {count}, none repeated"),
            (Some(count), false) => format!("must have {count}"),
            (None, true) => "must have no repeated items".to_owned(),
            (None, false) => "may have any items".to_owned(),
        }
    }
}

/// One allowed set of integer values.
#[derive(Debug, Clone, PartialEq)]
pub enum IntegerAlternative {
    /// Exactly these values (`enum`).
    Values(Vec<i64>),
    /// An inclusive range; `None` is unbounded.
    Range(Option<i64>, Option<i64>),
}

impl IntegerRule {
    /// The rule in words, for example `must be -1, or from 1 to 1825`.
    pub fn describe(&self) -> String {
        let parts: Vec<String> = self
            .alternatives
            .iter()
            .map(|alternative| match alternative {
                IntegerAlternative::Values(values) => match values.as_slice() {
                    [one] => one.to_string(),
                    many => {
                        let listed: Vec<String> = many.iter().map(i64::to_string).collect();
                        format!("one of {}", listed.join(", "))
                    }
                },
                IntegerAlternative::Range(Some(min), Some(max)) => format!("from {min} to {max}"),
                IntegerAlternative::Range(Some(min), None) => format!("at least {min}"),
                IntegerAlternative::Range(None, Some(max)) => format!("at most {max}"),
                IntegerAlternative::Range(None, None) => "any integer".to_owned(),
            })
            .collect();
        match (self.multiple_of, parts.as_slice()) {
            (Some(m), [any]) if any == "any integer" => format!("must be a multiple of {m}"),
            (Some(m), _) => format!("must be {} and a multiple of {m}", parts.join(", or ")),
            (None, _) => format!("must be {}", parts.join(", or ")),
        }
    }
}

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `operationId` as in the spec.
    pub id: String,
    /// Method name (snake_case of the id).
    pub method_name: String,
    /// Request struct name.
    pub request_name: String,
    /// Response type name.
    pub response_name: String,
    /// HTTP method, upper-case (`POST`).
    pub http_method: String,
    /// Path template as in the spec.
    pub path: String,
    /// Summary.
    pub summary: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Parameters that become request fields, in order: path, query, header.
    pub params: Vec<Param>,
    /// Header parameters the runtime's authentication supplies: (header, security scheme).
    pub auth_headers: Vec<(String, String)>,
    /// The JSON request body.
    pub body: Option<Body>,
    /// Success responses, by status.
    pub success: Success,
    /// Servers the spec gives this operation or its path (URLs as written); the client's
    /// endpoint is used all the same, and the method's docs say so.
    pub servers: Vec<String>,
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamIn {
    /// A path segment.
    Path,
    /// A query pair.
    Query,
    /// A request header.
    Header,
}

/// A parameter that becomes a request field.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Rust field name.
    pub name: String,
    /// Name on the wire.
    pub wire: String,
    /// Where it goes.
    pub location: ParamIn,
    /// Doc text.
    pub doc: Option<String>,
    /// Type (scalar, or `Vec` of scalar for query parameters).
    pub ty: TypeRef,
    /// Required (path parameters always are).
    pub required: bool,
    /// For arrays in the query: one pair per item (`explode`, the default) or one pair of
    /// the items joined by [`Param::delimiter`].
    pub explode: bool,
    /// What joins the items of an array that is not exploded: `,` (`form`), ` `
    /// (`spaceDelimited`) or `|` (`pipeDelimited`).
    pub delimiter: char,
    /// How a value that is not a scalar (or an array of scalars) is written.
    pub structured: Option<Structured>,
    /// The spec's example value (`example`, the first of `examples`, or the schema's).
    pub example: Option<serde_json::Value>,
}

/// How a parameter whose value is an object (or may be one) is written, through its JSON
/// form (`serde_json::to_value`).
#[derive(Debug, Clone, PartialEq)]
pub enum Structured {
    /// Query pairs with keys known from the schema: `style: form` with `explode` (a pair per
    /// property, `name=v`) or `style: deepObject` (`filter[status]=v`, nested
    /// `filter[created][gt]=v`, arrays `expand[]=v`); free-form objects by their members,
    /// keyed at run time (`k=v`, or `metadata[k]=v` when `deep`).
    Keys {
        /// The keys, fixed or of members.
        keys: Vec<QueryKey>,
        /// `style: deepObject`.
        deep: bool,
    },
    /// One value of the object's members joined: `k,v,k,v`, or `k=v,k=v` when `explode`
    /// (`style: form` without `explode` in the query, `style: simple` in a header).
    Joined {
        /// `k=v` pairs instead of `k,v`.
        explode: bool,
    },
    /// The value as JSON text (a parameter with `content: application/json`).
    Json,
}

/// One query key of a [`Structured::Keys`] parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryKey {
    /// The key on the wire (`filter[status]`).
    pub key: String,
    /// Where its value is in the parameter's JSON form (`/status`; empty for the whole).
    pub pointer: String,
    /// Whether an object or array found there is sent as JSON text (else skipped: its own
    /// keys send it).
    pub json: bool,
    /// A free-form object (`additionalProperties`): its members are sent, keyed at run time
    /// (`member=v`, or `key[member]=v` in `deepObject` style), through the runtime's
    /// `forms::query_members`; `key` is the prefix (and the key of a value that is not an
    /// object).
    pub members: bool,
}

/// A JSON request body.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Its type.
    pub ty: TypeRef,
    /// Required (else the field is an `Option`).
    pub required: bool,
    /// Doc text.
    pub doc: Option<String>,
    /// The spec's example body (the media type's `example`, the first of its `examples`, or
    /// the schema's).
    pub example: Option<serde_json::Value>,
    /// How the body is written.
    pub format: MediaFormat,
    /// The media type sent as `Content-Type` (JSON's is the runtime's default).
    pub media_type: String,
    /// For `multipart/form-data`: one part per field of the body struct, in field order. Empty
    /// when the body is a free-form map (each entry a part).
    pub parts: Vec<FormPart>,
}

/// One field of a `multipart/form-data` body and how it becomes parts.
#[derive(Debug, Clone, PartialEq)]
pub struct FormPart {
    /// The field's Rust name.
    pub field: String,
    /// The part's name (the property's wire name).
    pub wire: String,
    /// Whether the field is an `Option` (optional or nullable): `None` sends no part.
    pub optional: bool,
    /// How the value is written.
    pub kind: PartKind,
}

/// How a multipart field is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartKind {
    /// Through serde: a string, number or boolean is one text part, an array one part per
    /// item, an object (or an item that is one) a part holding JSON; `null` sends nothing.
    Value,
    /// `Vec<u8>` (`format: binary`): one file part.
    File,
    /// An array of binaries: one file part per item.
    Files,
    /// The flattened map of the properties not listed (`additionalProperties`): one part per
    /// entry, written as [`PartKind::Value`] is.
    Entries,
}

/// How a body is read or written, from its media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaFormat {
    /// `application/json` or `…+json`: serde types.
    Json,
    /// `text/*`, `application/xml` or `…+xml`: a `String`.
    Text,
    /// Anything else (`application/octet-stream`, `*/*`, `image/png`, …): bytes.
    Bytes,
    /// `multipart/form-data` (request bodies only): a struct (or map) written part by part.
    Multipart,
}

/// The success responses of an operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Success {
    /// One response type for every success status (usually one status).
    Single(SuccessResponse),
    /// Several statuses with different shapes: an enum of one struct per status.
    Several(Vec<SuccessResponse>),
}

/// One success response.
#[derive(Debug, Clone, PartialEq)]
pub struct SuccessResponse {
    /// Statuses it covers: exact codes, or a `2XX` range as `(200, 299)`.
    pub statuses: Vec<(u16, u16)>,
    /// Each status as the docs write it (`200`, `2XX`), in the order of `statuses`.
    pub labels: Vec<String>,
    /// The labels joined for names (`200Or201`): the variant is `Status<label>` and, with
    /// several responses, the struct `<Operation>Response<label>`.
    pub label: String,
    /// The struct's name.
    pub type_name: String,
    /// Doc text (description).
    pub doc: Option<String>,
    /// Documented headers: (Rust name, wire name, doc).
    pub headers: Vec<(String, String, Option<String>)>,
    /// Body type, when the response has one.
    pub body: Option<TypeRef>,
    /// How the body is read.
    pub body_format: MediaFormat,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_rules_in_words() {
        let rule = |alternatives| IntegerRule {
            int32: true,
            alternatives,
            multiple_of: None,
        };
        assert_eq!(
            rule(vec![
                IntegerAlternative::Values(vec![-1]),
                IntegerAlternative::Range(Some(1), Some(1825)),
            ])
            .describe(),
            "must be -1, or from 1 to 1825"
        );
        assert_eq!(
            rule(vec![IntegerAlternative::Values(vec![1, 2, 4])]).describe(),
            "must be one of 1, 2, 4"
        );
        assert_eq!(
            rule(vec![IntegerAlternative::Range(Some(0), None)]).describe(),
            "must be at least 0"
        );
        assert_eq!(
            rule(vec![IntegerAlternative::Range(None, Some(9))]).describe(),
            "must be at most 9"
        );
    }

    #[test]
    fn multiple_of_in_words() {
        let rule = |alternatives| IntegerRule {
            int32: false,
            alternatives,
            multiple_of: Some(5),
        };
        assert_eq!(
            rule(vec![IntegerAlternative::Range(None, None)]).describe(),
            "must be a multiple of 5"
        );
        assert_eq!(
            rule(vec![IntegerAlternative::Range(Some(1), Some(100))]).describe(),
            "must be from 1 to 100 and a multiple of 5"
        );
        let number = |multiple_of| multiple(false, multiple_of);
        assert_eq!(number(0.01).describe(), "must be a multiple of 0.01");
        assert_eq!(number(1e-9).describe(), "must be a multiple of 1e-9");
        assert_eq!(number(5.0).describe(), "must be a multiple of 5");
    }

    fn multiple(f32: bool, multiple_of: f64) -> NumberRule {
        NumberRule {
            f32,
            multiple_of: Some(multiple_of),
            min: None,
            max: None,
            values: Vec::new(),
        }
    }

    #[test]
    fn number_bounds_and_enums_in_words_and_checks() {
        let rule = |min, max, values: &[f64]| NumberRule {
            f32: false,
            multiple_of: None,
            min,
            max,
            values: values.to_vec(),
        };
        let unit = rule(Some((0.0, false)), Some((1.0, false)), &[]);
        assert_eq!(unit.describe(), "must be from 0 to 1");
        assert!(unit.allows(0.0) && unit.allows(1.0) && unit.allows(0.5));
        assert!(!unit.allows(-0.1) && !unit.allows(1.000_001) && !unit.allows(f64::NAN));
        let open = rule(Some((0.0, true)), Some((1.5, true)), &[]);
        assert_eq!(open.describe(), "must be above 0 and below 1.5");
        assert!(!open.allows(0.0) && open.allows(1e-300) && !open.allows(1.5));
        let low = rule(Some((-2.5, false)), None, &[]);
        assert_eq!(low.describe(), "must be at least -2.5");
        assert!(low.allows(1e300) && !low.allows(f64::INFINITY));
        assert_eq!(
            rule(None, Some((9.0, false)), &[]).describe(),
            "must be at most 9"
        );
        let listed = rule(None, None, &[0.5, 1.25]);
        assert_eq!(listed.describe(), "must be one of 0.5, 1.25");
        assert!(listed.allows(1.25) && !listed.allows(1.2500000001));
        assert_eq!(rule(None, None, &[2.0]).describe(), "must be 2");
        let mut with_step = rule(Some((0.0, false)), Some((1.0, false)), &[]);
        with_step.multiple_of = Some(0.25);
        assert_eq!(
            with_step.describe(),
            "must be from 0 to 1 and a multiple of 0.25"
        );
        assert!(with_step.allows(0.75) && !with_step.allows(0.8) && !with_step.allows(1.25));
        // `format: float`: bounds compared as `f32`s, so the `f32` written 0.1 is at most 0.1.
        let float = NumberRule {
            f32: true,
            ..rule(None, Some((0.1, false)), &[])
        };
        assert!(float.allows(f64::from(0.1_f32)) && !float.allows(0.11));
        let float_values = NumberRule {
            f32: true,
            ..rule(None, None, &[0.1])
        };
        assert!(float_values.allows(f64::from(0.1_f32)) && float_values.allows(0.1));
    }

    #[test]
    fn numbers_are_multiples_within_the_tolerance() {
        let cents = multiple(false, 0.01);
        // 0.07 / 0.01 is 7.000000000000001 in binary, and still a multiple.
        assert_ne!(0.07 / 0.01, 7.0);
        for allowed in [
            0.0,
            0.07,
            -0.07,
            0.1 + 0.2,
            19.99,
            1e12 + 0.01,
            1e300,
            -1e300,
        ] {
            assert!(cents.allows(allowed), "{allowed}");
        }
        for refused in [
            0.005,
            0.071,
            1e12 + 0.005,
            f64::NAN,
            f64::INFINITY,
            -f64::INFINITY,
        ] {
            assert!(!cents.allows(refused), "{refused}");
        }
        let tiny = multiple(false, 1e-9);
        assert!(tiny.allows(3e-9) && tiny.allows(1.000_000_001) && tiny.allows(12_345.678_901_234));
        assert!(!tiny.allows(3.5e-9) && !tiny.allows(1.000_000_000_5));
        // A billionth of a step off still counts (so does anything that close to 0); a
        // millionth does not.
        assert!(cents.allows(f64::MIN_POSITIVE) && cents.allows(-1e-12));
        assert!(cents.allows(0.07 + 0.01 * 1e-10));
        assert!(!cents.allows(0.07 + 0.01 * 1e-6));
        // `f32`: rounded to an `f32` first, and judged with its epsilon.
        let quarter = multiple(true, 0.25);
        assert!(quarter.allows(0.75) && quarter.allows(-2.5));
        assert!(!quarter.allows(0.3) && !quarter.allows(1e39));
        let f32_cents = multiple(true, 0.01);
        assert!(f32_cents.allows(0.07) && f32_cents.allows(199.99));
        assert!(!f32_cents.allows(0.075));
    }

    #[test]
    fn array_rules_in_words() {
        let rule = |min, max, unique| {
            ArrayRule {
                items: TypeRef::String,
                min,
                max,
                unique,
            }
            .describe()
        };
        assert_eq!(
            rule(Some(1), Some(10), true),
            "must have 1 to 10 items, none repeated"
        );
        assert_eq!(rule(Some(2), Some(2), false), "must have exactly 2 items");
        assert_eq!(rule(Some(1), None, false), "must have at least 1 item");
        assert_eq!(rule(None, Some(1), false), "must have at most 1 item");
        assert_eq!(rule(None, None, true), "must have no repeated items");
    }

    #[test]
    fn ecma_patterns_become_regex_crate_patterns() {
        assert_eq!(
            ecma_regex(r"^\d{3}-\w+$").as_deref(),
            Ok(r"^[0-9]{3}-[0-9A-Za-z_]+$")
        );
        assert_eq!(ecma_regex(r"[\d.]+").as_deref(), Ok(r"[0-9.]+"));
        assert_eq!(ecma_regex(r"[^\W]").as_deref(), Ok(r"[^[^0-9A-Za-z_]]"));
        assert_eq!(ecma_regex(r"[a&&b~[]").as_deref(), Ok(r"[a\&\&b\~\[]"));
        assert_eq!(
            ecma_regex(r"^\/api\/\p{L}+$").as_deref(),
            Ok(r"^\/api\/\p{L}+$")
        );
        for unsupported in [
            r"^(?=a)", r"(a)\1", r"(?<!x)y", r"\cA", "[]", "a\\", "(", "a{2,1}",
        ] {
            assert!(ecma_regex(unsupported).is_err(), "{unsupported}");
        }
        let rule = LengthRule {
            min: None,
            max: Some(6),
            pattern: Some(StringPattern {
                source: r"^\d+$".to_owned(),
                regex: ecma_regex(r"^\d+$").expect("compiles"),
            }),
        };
        assert_eq!(
            rule.describe(),
            r"must be at most 6 characters long and match the pattern ^\d+$"
        );
        assert!(rule.allows("123") && !rule.allows("12a") && !rule.allows("1234567"));
        // ECMA-262's `\d` is ASCII: an Arabic-Indic digit is not one.
        assert!(!rule.allows("\u{663}"));
        // Unanchored: a match anywhere.
        let anywhere = LengthRule {
            min: None,
            max: None,
            pattern: Some(StringPattern {
                source: "b".to_owned(),
                regex: "b".to_owned(),
            }),
        };
        assert_eq!(anywhere.describe(), "must match the pattern b");
        assert!(anywhere.allows("abc") && !anywhere.allows("ac"));
    }

    #[test]
    fn length_rules_in_words() {
        let rule = |min, max| {
            LengthRule {
                min,
                max,
                pattern: None,
            }
            .describe()
        };
        assert_eq!(rule(Some(1), Some(64)), "must be 1 to 64 characters long");
        assert_eq!(rule(Some(1), None), "must be at least 1 character long");
        assert_eq!(rule(None, Some(1)), "must be at most 1 character long");
    }
}
