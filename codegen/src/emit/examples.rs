//! Doc examples, compiled as doctests of a generated crate: one per operation (its request
//! built from the spec's examples, then the call) and one per validated newtype (a value the
//! rule refuses, and the message it gives).
//!
//! Values come from the spec (`example`, `examples`, a schema's `example`); where the spec
//! gives none, a value of the right shape is made up from the model (the first enum value, an
//! allowed integer, the required fields of a struct), so the example always compiles.

use std::collections::HashMap;

use serde_json::Value;

use crate::model::{
    IntegerAlternative, IntegerRule, LengthRule, NumberRule, Operation, TypeDef, TypeKind, TypeRef,
};

/// How deep a made-up value goes before it stops at `null` (a required field that holds its
/// own type has no finite value anyway).
const MAX_DEPTH: usize = 8;

/// Longest JSON written with `serde_json::json!`; longer values are parsed from a string, so
/// the macro's recursion limit is never reached.
const MAX_INLINE_JSON: usize = 100;

/// A value of type `ty`, made up from the model.
pub fn made_up(types: &HashMap<&str, &TypeDef>, ty: &TypeRef, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    match ty {
        TypeRef::String => Value::from("string"),
        TypeRef::Secret => Value::from("secret"),
        TypeRef::Bool => Value::Bool(false),
        TypeRef::I32 | TypeRef::I64 => Value::from(0),
        TypeRef::F32 | TypeRef::F64 => Value::from(0.0),
        TypeRef::Json => Value::Null,
        TypeRef::JsonMap | TypeRef::Map(_) => Value::Object(serde_json::Map::new()),
        TypeRef::Vec(_) | TypeRef::Bytes => Value::Array(Vec::new()),
        TypeRef::Boxed(inner) | TypeRef::Nullable(inner) => made_up(types, inner, depth),
        TypeRef::Named(name) => match types.get(name.as_str()).map(|def| &def.kind) {
            None => Value::Null,
            Some(TypeKind::Struct { fields, .. }) => Value::Object(
                fields
                    .iter()
                    .filter(|f| f.required && !f.flatten)
                    .map(|f| (f.wire.clone(), made_up(types, &f.ty, depth + 1)))
                    .collect(),
            ),
            Some(TypeKind::Enum { variants }) => variants
                .first()
                .map(|v| Value::from(v.wire.clone()))
                .unwrap_or(Value::Null),
            Some(TypeKind::Integer(rule)) => Value::from(allowed_integer(rule)),
            Some(TypeKind::Number(rule)) => Value::from(allowed_number(rule).unwrap_or(0.0)),
            Some(TypeKind::Text(rule)) => {
                Value::from("x".repeat(rule.min.unwrap_or(1).clamp(1, 64)))
            }
            Some(TypeKind::Alias(target)) => made_up(types, target, depth + 1),
            // As many items as the rule needs (alike: an example that is compiled, not run).
            Some(TypeKind::Array(rule)) => {
                let item = made_up(types, &rule.items, depth + 1);
                Value::Array(vec![item; rule.min.unwrap_or(0).min(8)])
            }
        },
    }
}

/// A value the rule allows: the first value of the first alternative, or its bound (moved
/// to the nearest multiple inside the range when the rule has a `multipleOf`).
fn allowed_integer(rule: &IntegerRule) -> i64 {
    let value = match rule.alternatives.first() {
        Some(IntegerAlternative::Values(values)) => values.first().copied().unwrap_or(0),
        Some(IntegerAlternative::Range(min, max)) => min.or(*max).unwrap_or(0),
        None => 0,
    };
    match (rule.multiple_of, rule.alternatives.first()) {
        (Some(m), Some(IntegerAlternative::Range(min, _))) if value % m != 0 => {
            // Up from the minimum, else down from the maximum (the build checked that the
            // range holds a multiple).
            let offset = value.rem_euclid(m);
            if min.is_some() {
                value.saturating_add(m - offset)
            } else {
                value.saturating_sub(offset)
            }
        }
        _ => value,
    }
}

fn allows(rule: &IntegerRule, value: i64) -> bool {
    let fits = !rule.int32 || i32::try_from(value).is_ok();
    let multiple = rule.multiple_of.is_none_or(|m| value % m == 0);
    fits && multiple
        && rule
            .alternatives
            .iter()
            .any(|alternative| match alternative {
                IntegerAlternative::Values(values) => values.contains(&value),
                IntegerAlternative::Range(min, max) => {
                    min.is_none_or(|min| value >= min) && max.is_none_or(|max| value <= max)
                }
            })
}

/// A value just outside the rule: past the last alternative's upper bound first, so the
/// example shows the limit a reader is most likely to hit.
fn refused_integer(rule: &IntegerRule) -> Option<i64> {
    let mut candidates = Vec::new();
    for alternative in rule.alternatives.iter().rev() {
        match alternative {
            IntegerAlternative::Range(min, max) => {
                candidates.extend(max.and_then(|m| m.checked_add(1)));
                candidates.extend(min.and_then(|m| m.checked_sub(1)));
            }
            IntegerAlternative::Values(values) => {
                for value in values.iter().rev() {
                    candidates.extend(value.checked_add(1));
                    candidates.extend(value.checked_sub(1));
                }
            }
        }
    }
    // With a `multipleOf`, one above the allowed example is refused too.
    if let Some(m) = rule.multiple_of {
        if m > 1 {
            candidates.extend(allowed_integer(rule).checked_add(1));
        }
    }
    candidates
        .into_iter()
        .find(|value| !allows(rule, *value) && (!rule.int32 || i32::try_from(*value).is_ok()))
}

/// A number the rule allows: its first enum value, seven steps (not exactly seven times the
/// step in binary for most decimal steps, and allowed all the same), a bound, the middle of
/// the range, a multiple near the lower bound, or 0.
fn allowed_number(rule: &NumberRule) -> Option<f64> {
    let mut candidates: Vec<f64> = rule.values.clone();
    let (min, max) = (rule.min.map(|b| b.0), rule.max.map(|b| b.0));
    if let Some(m) = rule.multiple_of {
        candidates.push(m * 7.0);
        if let Some(min) = min {
            candidates.push((min / m).ceil() * m);
            candidates.push(((min / m).ceil() + 1.0) * m);
        }
        if let Some(max) = max {
            candidates.push((max / m).floor() * m);
        }
    }
    candidates.extend(min);
    candidates.extend(max);
    if let (Some(min), Some(max)) = (min, max) {
        candidates.push(min + (max - min) / 2.0);
    }
    candidates.extend(min.map(|v| v + 1.0));
    candidates.extend(max.map(|v| v - 1.0));
    candidates.push(0.0);
    // Shown as the `f32` a float holds, so the example compares equal.
    let held = |v: f64| if rule.f32 { f64::from(v as f32) } else { v };
    candidates
        .into_iter()
        .find(|v| rule.allows(*v) && v.is_finite())
        .map(held)
}

/// A number just off the rule, written as a Rust literal (`0.005`): past the upper bound,
/// below the lower one, between enum values, or half a step.
fn refused_number(rule: &NumberRule) -> Option<String> {
    let mut candidates = Vec::new();
    if let Some(last) = rule.values.last() {
        candidates.push(last + 1.0);
        candidates.push(last + 0.5);
    }
    if let Some((max, exclusive)) = rule.max {
        candidates.push(if exclusive { max } else { max + 1.0 });
    }
    if let Some((min, exclusive)) = rule.min {
        candidates.push(if exclusive { min } else { min - 1.0 });
    }
    if let Some(m) = rule.multiple_of {
        let base = allowed_number(rule).unwrap_or(0.0);
        candidates.push(base + m / 2.0);
        candidates.push(m / 2.0);
    }
    candidates
        .into_iter()
        .find(|v| v.is_finite() && !rule.allows(*v))
        .map(|v| format!("{v:?}"))
}

/// A string just outside the rule, as a Rust expression and, when short enough to show, the
/// refused text (never built when long: a `maxLength` can be in the billions).
fn refused_text(rule: &LengthRule) -> Option<(String, Option<String>)> {
    const SHOWN: usize = 64;
    if let Some(max) = rule.max {
        let length = max.checked_add(1)?;
        if length > SHOWN {
            return Some((format!("\"x\".repeat({length})"), None));
        }
        let text = "x".repeat(length);
        let expression = if length > 8 {
            format!("\"x\".repeat({length})")
        } else {
            format!("{text:?}")
        };
        return Some((expression, Some(text)));
    }
    match rule.min {
        Some(min) if min > 0 && min <= SHOWN + 1 => {
            let text = "x".repeat(min - 1);
            Some((format!("{text:?}"), Some(text)))
        }
        _ => None,
    }
}

/// A Rust expression that deserializes `value` into whatever type the context needs.
fn from_json(value: &Value) -> String {
    let text = value.to_string();
    if text.len() <= MAX_INLINE_JSON {
        format!("serde_json::from_value(serde_json::json!({text}))?")
    } else {
        format!("serde_json::from_str({text:?})?")
    }
}

/// The value of a request field, as a Rust expression.
fn field_value(ty: &TypeRef, value: &Value) -> String {
    match (ty, value) {
        (TypeRef::String, Value::String(text)) => format!("{text:?}.to_owned()"),
        (TypeRef::String, other) => format!("{:?}.to_owned()", other.to_string()),
        _ => from_json(value),
    }
}

/// Code lines (without `///`) of the example of one operation; `root` is the path of the
/// crate as a user names it (`clustercert`).
pub fn operation(
    root: &str,
    server: Option<&str>,
    types: &HashMap<&str, &TypeDef>,
    op: &Operation,
) -> Vec<String> {
    let mut lines = vec![
        "# Example".to_owned(),
        String::new(),
        "```no_run".to_owned(),
        "# async fn example() -> Result<(), Box<dyn std::error::Error>> {".to_owned(),
        format!("let client = {root}::Client::builder()"),
        format!(
            "    .endpoint({:?})",
            server.unwrap_or("https://api.example.com")
        ),
        format!("    .credentials({root}::runtime::Credentials::from_env()?)"),
        "    .build()?;".to_owned(),
        format!("let request = {root}::{} {{", op.request_name),
    ];
    for param in &op.params {
        let value = match (&param.example, param.required) {
            (Some(example), _) => Some(example.clone()),
            // A made-up text is the parameter's name, which reads better than `string`.
            (None, true) if param.ty == TypeRef::String => Some(Value::from(param.wire.clone())),
            (None, true) => Some(made_up(types, &param.ty, 0)),
            (None, false) => None,
        };
        let expression = match value {
            None => "None".to_owned(),
            Some(value) if param.required => field_value(&param.ty, &value),
            Some(value) => format!("Some({})", field_value(&param.ty, &value)),
        };
        lines.push(format!("    {}: {expression},", raw_ident(&param.name)));
    }
    if let Some(body) = &op.body {
        let value = body
            .example
            .clone()
            .or_else(|| body.required.then(|| made_up(types, &body.ty, 0)));
        let expression = match value {
            None => "None".to_owned(),
            Some(value) if body.required => from_json(&value),
            Some(value) => format!("Some({})", from_json(&value)),
        };
        lines.push(format!("    body: {expression},"));
    }
    lines.push("};".to_owned());
    lines.push(format!(
        "let response = client.{}(&request).await?;",
        raw_ident(&op.method_name)
    ));
    lines.push("println!(\"{response:?}\");".to_owned());
    lines.push("# Ok(())".to_owned());
    lines.push("# }".to_owned());
    lines.push("```".to_owned());
    lines
}

/// Code lines of the example of a validated newtype: a refused value and its message.
pub fn refusal(root: &str, def: &TypeDef) -> Option<Vec<String>> {
    let name = &def.name;
    let (call, message, allowed) = match &def.kind {
        TypeKind::Integer(rule) => {
            let refused = refused_integer(rule)?;
            let allowed = allowed_integer(rule);
            (
                format!("{root}::{name}::new({refused})"),
                format!("invalid {name}: {refused} ({})", rule.describe()),
                format!("assert_eq!({root}::{name}::new({allowed})?.get(), {allowed});"),
            )
        }
        TypeKind::Number(rule) => {
            let refused = refused_number(rule)?;
            let allowed = allowed_number(rule)?;
            let allowed = if rule.f32 {
                format!("{:?}", allowed as f32)
            } else {
                format!("{allowed:?}")
            };
            (
                format!("{root}::{name}::new({refused})"),
                format!("invalid {name}: {refused} ({})", rule.describe()),
                format!("assert_eq!({root}::{name}::new({allowed})?.get(), {allowed});"),
            )
        }
        TypeKind::Text(rule) if rule.pattern.is_some() => {
            // A short text the rule refuses, and one it allows when one of a few is.
            let candidates = ["", " ", "x", "0", "!", "x y", "-"];
            let refused = refused_text(rule)
                .filter(|(_, text)| text.is_some())
                .and_then(|(_, text)| text)
                .or_else(|| {
                    candidates
                        .iter()
                        .find(|c| !rule.allows(c))
                        .map(|c| (*c).to_owned())
                })?;
            let allowed = ["x", "a", "0", "A", "a-1", "x@example.com"]
                .iter()
                .map(|c| c.repeat(rule.min.unwrap_or(1).max(1)))
                .find(|c| c.len() <= 64 && rule.allows(c))
                .map(|c| format!("assert_eq!({root}::{name}::new({c:?})?.as_str(), {c:?});"))
                .unwrap_or_default();
            (
                format!("{root}::{name}::new({refused:?})"),
                format!("invalid {name}: {refused} ({})", rule.describe()),
                allowed,
            )
        }
        TypeKind::Text(rule) => {
            let (expression, text) = refused_text(rule)?;
            let min = rule.min.unwrap_or(1).max(1);
            if min > 64 {
                return None;
            }
            let allowed = "x".repeat(min);
            (
                format!("{root}::{name}::new({expression})"),
                // A long refused text would fill the page: then the rule is checked instead.
                text.map(|text| format!("invalid {name}: {text} ({})", rule.describe()))
                    .unwrap_or_default(),
                format!("assert_eq!({root}::{name}::new({allowed:?})?.as_str(), {allowed:?});"),
            )
        }
        _ => return None,
    };
    // A long refused text would fill the page: check the rule instead of the whole message.
    let check = if !message.is_empty() && message.len() <= 160 {
        format!("assert_eq!(error.to_string(), {message:?});")
    } else {
        format!("assert_eq!(error.rule, {root}::{name}::RULE);")
    };
    Some(vec![
        "```".to_owned(),
        format!("let error = {call}.unwrap_err();"),
        check,
        allowed,
        format!("# Ok::<(), {root}::ConstraintError>(())"),
        "```".to_owned(),
    ])
}

/// A field or method name as written in code (`r#type` for a keyword).
fn raw_ident(name: &str) -> String {
    crate::build::names::ident(name).to_string()
}
