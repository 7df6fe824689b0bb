//! Schemas that openapiv3 leaves unclassified, and `allOf`.
//!
//! - Keywords that do not apply to the stated `type` are dropped, as JSON Schema ignores
//!   them (`type: number` with `minLength`); a missing `type` is inferred when every
//!   type-specific keyword belongs to one type (`properties`/`required`/`additionalProperties`
//!   → object, `items` → array, `minLength`/`pattern` → string, `minimum` → number).
//! - Local object keywords beside `allOf` become one more `allOf` member.
//! - `allOf` members that are objects (inline, by `$ref`, or `allOf`s themselves) merge into
//!   one struct: properties in member order, `required` joined. A property defined
//!   differently by two members is refused with its location; a member that is not an object
//!   is refused too.

use indexmap::IndexMap;
use openapiv3::{AnySchema, ReferenceOr, Schema, SchemaData, SchemaKind, Type};
use serde_json::{Map, Value};

use super::schemas::{any_keywords, object_only};
use super::{at, component_key, error, Builder};
use crate::model::TypeRef;
use crate::Error;

const STRING: &[&str] = &["minLength", "maxLength", "pattern"];
const NUMBER: &[&str] = &[
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
];
const OBJECT: &[&str] = &[
    "properties",
    "required",
    "additionalProperties",
    "minProperties",
    "maxProperties",
];
const ARRAY: &[&str] = &["items", "minItems", "maxItems", "uniqueItems"];
/// Keywords that describe a schema without constraining its type (OpenAPI's Schema Object
/// fixed fields that openapiv3 keeps in `schema_data`).
const DATA: &[&str] = &[
    "nullable",
    "readOnly",
    "writeOnly",
    "deprecated",
    "externalDocs",
    "example",
    "title",
    "description",
    "discriminator",
    "default",
    "xml",
];

/// An unclassified schema rewritten so openapiv3 classifies it; `None` when it cannot be.
pub(super) fn normalize(schema: &Schema) -> Option<Schema> {
    let SchemaKind::Any(any) = &schema.schema_kind else {
        return None;
    };
    if any_keywords(any).is_empty() || !any.one_of.is_empty() || !any.any_of.is_empty() {
        return None;
    }
    let Value::Object(mut object) = serde_json::to_value(schema).ok()? else {
        return None;
    };
    let has =
        |object: &Map<String, Value>, keys: &[&str]| keys.iter().any(|k| object.contains_key(*k));
    if let Some(all_of) = object.remove("allOf") {
        // The local keywords become one more member; the descriptive ones stay on top.
        let mut top = Map::new();
        let mut rest = Map::new();
        for (key, value) in object {
            if DATA.contains(&key.as_str()) || key.starts_with("x-") {
                top.insert(key, value);
            } else {
                rest.insert(key, value);
            }
        }
        let mut members = match all_of {
            Value::Array(members) => members,
            _ => return None,
        };
        if !rest.is_empty() {
            members.push(Value::Object(rest));
        }
        top.insert("allOf".to_owned(), Value::Array(members));
        return serde_json::from_value(Value::Object(top)).ok();
    }
    let values = match object.get("enum") {
        Some(Value::Array(values)) => values.clone(),
        _ => Vec::new(),
    };
    let non_null: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
    let enum_type = if non_null.is_empty() {
        None
    } else if non_null.iter().all(|v| v.is_string()) {
        Some("string")
    } else if non_null.iter().all(|v| v.is_i64()) {
        Some("integer")
    } else if non_null.iter().all(|v| v.is_number()) {
        Some("number")
    } else if non_null.iter().all(|v| v.is_boolean()) {
        Some("boolean")
    } else {
        Some("string")
    };
    let ty = match any.typ.as_deref() {
        Some(ty) => ty.to_owned(),
        None if !has(&object, OBJECT)
            && !has(&object, ARRAY)
            && !has(&object, STRING)
            && !has(&object, NUMBER)
            && enum_type.is_some() =>
        {
            enum_type.unwrap_or("string").to_owned()
        }
        None => {
            let families = [
                ("object", has(&object, OBJECT)),
                ("array", has(&object, ARRAY)),
                ("string", has(&object, STRING)),
                ("number", has(&object, NUMBER)),
            ];
            let mut present = families.iter().filter(|(_, present)| *present);
            match (present.next(), present.next()) {
                (Some((ty, _)), None) => (*ty).to_owned(),
                _ => return None,
            }
        }
    };
    let foreign: Vec<&[&str]> = match ty.as_str() {
        "string" => vec![NUMBER, OBJECT, ARRAY],
        "integer" | "number" => vec![STRING, OBJECT, ARRAY],
        "object" => vec![STRING, NUMBER, ARRAY, &["format"]],
        "array" => vec![STRING, NUMBER, OBJECT, &["format"]],
        "boolean" => vec![STRING, NUMBER, OBJECT, ARRAY, &["format"]],
        _ => return None,
    };
    for keys in foreign {
        for key in keys {
            object.remove(*key);
        }
    }
    // An enum whose values do not match the type: for a string, the values as text; for any
    // other type, the enum is dropped (not checked).
    if !values.is_empty() && enum_type != Some(ty.as_str()) {
        if ty == "string" {
            let text = values
                .iter()
                .map(|v| match v {
                    Value::String(_) | Value::Null => v.clone(),
                    other => Value::from(other.to_string()),
                })
                .collect();
            object.insert("enum".to_owned(), Value::Array(text));
        } else {
            object.remove("enum");
        }
    }
    // An integer's whole-number `multipleOf` written as a float (`2.0`) is that integer.
    if ty == "integer" {
        let whole = match object.get("multipleOf").and_then(Value::as_f64) {
            Some(m) if m.fract() == 0.0 && m.abs() < 9.0e15 => Some(m as i64),
            _ => None,
        };
        if let Some(m) = whole {
            object.insert("multipleOf".to_owned(), Value::from(m));
        }
    }
    object.insert("type".to_owned(), Value::from(ty));
    let rewritten: Schema = serde_json::from_value(Value::Object(object)).ok()?;
    (!matches!(rewritten.schema_kind, SchemaKind::Any(_))).then_some(rewritten)
}

/// Why `merge_all_of` stops at a member that is not an object.
pub(super) const NOT_AN_OBJECT: &str = "an allOf member that is not an object is not supported";

/// The members of an `allOf`, merged into one object.
#[derive(Default)]
pub(super) struct Merged {
    pub properties: IndexMap<String, ReferenceOr<Box<Schema>>>,
    pub required: Vec<String>,
}

impl<'a> Builder<'a> {
    /// Merges the members of an `allOf` at `location` (the `allOf` keyword's location).
    pub(super) fn merge_all_of(
        &self,
        members: &[ReferenceOr<Schema>],
        location: &str,
        depth: usize,
    ) -> Result<Merged, Error> {
        let mut merged = Merged::default();
        for (index, member) in members.iter().enumerate() {
            let member_location = at(location, &index.to_string());
            let part = match member {
                ReferenceOr::Item(schema) => self.merge_member(schema, &member_location, depth)?,
                ReferenceOr::Reference { reference } => {
                    let schema = self.component(reference, &member_location)?;
                    self.merge_member(schema, &member_location, depth)?
                }
            };
            for (name, property) in part.properties {
                match merged.properties.get(&name) {
                    Some(existing) if !same_shape(existing, &property) => {
                        let chosen = self.reconcile(existing, &property, &name, &member_location);
                        merged.properties.insert(name, chosen);
                    }
                    Some(_) => {}
                    None => {
                        merged.properties.insert(name, property);
                    }
                }
            }
            for name in part.required {
                if !merged.required.contains(&name) {
                    merged.required.push(name);
                }
            }
        }
        Ok(merged)
    }

    /// The one definition of a property two `allOf` members define differently (a value
    /// must satisfy both): the two alike but for documentation and `nullable`, the one that
    /// does not allow `null` (both must allow it); an empty schema (`{}`, or only
    /// `nullable`), the other; a `$ref` and an inline copy of its target, the `$ref`; anything
    /// else, a schema with no keywords (`serde_json::Value`) whose description says why.
    fn reconcile(
        &self,
        existing: &ReferenceOr<Box<Schema>>,
        other: &ReferenceOr<Box<Schema>>,
        name: &str,
        location: &str,
    ) -> ReferenceOr<Box<Schema>> {
        let (a, b) = (shape_value(existing, true), shape_value(other, true));
        let nullable = |schema: &ReferenceOr<Box<Schema>>| matches!(schema, ReferenceOr::Item(s) if s.schema_data.nullable);
        if a == b {
            return if nullable(existing) && !nullable(other) {
                other.clone()
            } else {
                existing.clone()
            };
        }
        let empty = Value::Object(Map::new());
        if b == empty {
            return existing.clone();
        }
        if a == empty {
            return other.clone();
        }
        let target = |schema: &ReferenceOr<Box<Schema>>| match schema {
            ReferenceOr::Reference { reference } => self
                .component(reference, location)
                .ok()
                .map(|target| shape_value(&ReferenceOr::Item(Box::new(target.clone())), true)),
            ReferenceOr::Item(_) => None,
        };
        if target(existing).is_some_and(|t| t == b) {
            return existing.clone();
        }
        if target(other).is_some_and(|t| t == a) {
            return other.clone();
        }
        ReferenceOr::Item(Box::new(Schema {
            schema_data: SchemaData {
                description: Some(format!(
                    "The members of `allOf` at `{location}` define `{name}` differently, so \
                     it is kept as a JSON value."
                )),
                ..SchemaData::default()
            },
            schema_kind: SchemaKind::Any(AnySchema::default()),
        }))
    }

    /// An `allOf` with a member that is not an object: when its members that are not
    /// documentation-only all say the same (but for docs and `nullable`), that one schema;
    /// otherwise `serde_json::Value` (the value is kept whole, unchecked).
    pub(super) fn non_object_all_of(
        &mut self,
        members: &[ReferenceOr<Schema>],
        location: &str,
        hint: &str,
    ) -> Result<TypeRef, Error> {
        let meaningful: Vec<(usize, &ReferenceOr<Schema>)> = members
            .iter()
            .enumerate()
            .filter(|(_, member)| {
                !matches!(member, ReferenceOr::Item(item)
                    if matches!(&item.schema_kind, SchemaKind::Any(any) if any_keywords(any).is_empty()))
            })
            .collect();
        let shapes: Vec<Value> = meaningful
            .iter()
            .map(|(_, member)| {
                let boxed = match member {
                    ReferenceOr::Item(item) => ReferenceOr::Item(Box::new(item.clone())),
                    ReferenceOr::Reference { reference } => ReferenceOr::Reference {
                        reference: reference.clone(),
                    },
                };
                shape_value(&boxed, true)
            })
            .collect();
        match meaningful.first() {
            Some((index, first)) if shapes.iter().all(|shape| *shape == shapes[0]) => self
                .type_ref(
                    *first,
                    &at(&at(location, "allOf"), &index.to_string()),
                    hint,
                ),
            _ => Ok(TypeRef::Json),
        }
    }

    /// One member's object keywords (an `allOf` inside is merged in turn).
    fn merge_member(&self, schema: &Schema, location: &str, depth: usize) -> Result<Merged, Error> {
        if depth > 16 {
            return Err(error(location, "allOf nested too deep, or circular"));
        }
        if let SchemaKind::Any(any) = &schema.schema_kind {
            if object_only(any) {
                return Ok(Merged {
                    properties: any.properties.clone(),
                    required: any.required.clone(),
                });
            }
        }
        let normalized = normalize(schema);
        let schema = normalized.as_ref().unwrap_or(schema);
        match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => Ok(Merged {
                properties: object.properties.clone(),
                required: object.required.clone(),
            }),
            SchemaKind::AllOf { all_of } => {
                self.merge_all_of(all_of, &at(location, "allOf"), depth + 1)
            }
            SchemaKind::Any(any) if any_keywords(any).is_empty() => Ok(Merged::default()),
            _ => Err(error(location, NOT_AN_OBJECT)),
        }
    }

    /// The component schema a `$ref` names, following `$ref`s between components.
    pub(super) fn component(&self, reference: &str, location: &str) -> Result<&'a Schema, Error> {
        let mut reference = reference;
        for _ in 0..16 {
            let key = component_key(reference, "schemas", location)?;
            match self.components.schemas.get(&key) {
                None => {
                    return Err(error(
                        location,
                        format!("`$ref` {reference} does not resolve"),
                    ))
                }
                Some(ReferenceOr::Item(schema)) => return Ok(schema),
                Some(ReferenceOr::Reference { reference: next }) => reference = next,
            }
        }
        Err(error(location, "`$ref` chain too long or circular"))
    }
}

/// Whether two property schemas describe the same values: equal once documentation-only
/// keywords (description, title, example, …) are set aside.
fn same_shape(a: &ReferenceOr<Box<Schema>>, b: &ReferenceOr<Box<Schema>>) -> bool {
    a == b || shape_value(a, false) == shape_value(b, false)
}

/// A schema as JSON without its documentation-only keywords (and `nullable`, when asked).
fn shape_value(schema: &ReferenceOr<Box<Schema>>, drop_nullable: bool) -> Value {
    let mut value = serde_json::to_value(schema).unwrap_or(Value::Null);
    if let Value::Object(object) = &mut value {
        object.retain(|key, _| {
            let documentation = matches!(
                key.as_str(),
                "description" | "title" | "example" | "externalDocs" | "deprecated" | "xml"
            ) || key.starts_with("x-");
            let dropped_nullable = drop_nullable && key == "nullable";
            !documentation && !dropped_nullable
        });
    }
    value
}
