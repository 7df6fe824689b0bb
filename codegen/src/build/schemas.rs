//! Schemas → types: component and inline schemas, objects and their fields, references,
//! `nullable`, and the keyword combinations openapiv3 leaves unclassified.

use std::borrow::Borrow;

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, AnySchema, ReferenceOr, Schema, SchemaKind, Type};

use super::names::{distinct, pascal, snake};
use super::rules::{integer_one_of_rule, integer_shape, number_shape, string_shape};
use super::{at, component_key, error, Builder, Shape};
use crate::model::{Derives, Field, TypeDef, TypeKind, TypeRef};
use crate::Error;

impl Builder<'_> {
    /// Defines the type `name` (already claimed) from a schema.
    pub(super) fn named_type(
        &mut self,
        name: &str,
        schema: &Schema,
        location: &str,
    ) -> Result<(), Error> {
        let slot = self.slots.len();
        self.slots.push(None);
        let kind = match self.shape(schema, location, name)? {
            Shape::Struct {
                fields,
                deny_unknown,
            } => TypeKind::Struct {
                fields,
                deny_unknown,
            },
            Shape::Enum(variants) => TypeKind::Enum { variants },
            Shape::Integer(rule) => TypeKind::Integer(rule),
            Shape::Text(rule) => TypeKind::Text(rule),
            // The named type is the non-null one; `nullable` is carried by whatever refers to it.
            Shape::Plain(target) => TypeKind::Alias(target.non_null().clone()),
        };
        let doc = schema
            .schema_data
            .description
            .clone()
            .unwrap_or_else(|| format!("The schema at `{location}`."));
        self.slots[slot] = Some(TypeDef {
            name: name.to_owned(),
            doc: Some(doc),
            kind,
            derives: Derives::NONE,
        });
        Ok(())
    }

    /// The type of a schema used in place; a struct, enum or validated integer defined inline
    /// becomes a named type called `hint`.
    /// `S` is `Schema` or `Box<Schema>`: openapiv3 boxes nested schemas.
    pub(super) fn type_ref<S: Borrow<Schema>>(
        &mut self,
        schema: &ReferenceOr<S>,
        location: &str,
        hint: &str,
    ) -> Result<TypeRef, Error> {
        match schema {
            ReferenceOr::Reference { reference } => self.schema_ref(reference, location),
            ReferenceOr::Item(schema) => self.inline_type(schema.borrow(), location, hint),
        }
    }

    pub(super) fn inline_type(
        &mut self,
        schema: &Schema,
        location: &str,
        hint: &str,
    ) -> Result<TypeRef, Error> {
        let nullable = |ty: TypeRef| {
            if schema.schema_data.nullable {
                ty.nullable()
            } else {
                ty
            }
        };
        if needs_name(schema) {
            self.claim(hint, location)?;
            self.named_type(hint, schema, location)?;
            return Ok(nullable(TypeRef::Named(hint.to_owned())));
        }
        match self.shape(schema, location, hint)? {
            Shape::Plain(ty) => Ok(nullable(ty)),
            // `needs_name` and `shape` agree on which schemas are named types.
            _ => Err(error(
                location,
                "internal: a named schema was used in place",
            )),
        }
    }

    /// The first paragraph of a referenced component schema's description, when it has one.
    pub(super) fn referenced_summary(&self, reference: &str) -> Option<String> {
        let key = reference.strip_prefix("#/components/schemas/")?;
        match self.components.schemas.get(key)? {
            ReferenceOr::Item(schema) => schema
                .schema_data
                .description
                .as_deref()
                .and_then(|d| d.split("\n\n").next())
                .map(|first| first.trim().to_owned())
                .filter(|first| !first.is_empty()),
            ReferenceOr::Reference { .. } => None,
        }
    }

    /// `#/components/schemas/Name` → the Rust type of that component, [`TypeRef::Nullable`]
    /// when the component allows `null`.
    pub(super) fn schema_ref(&self, reference: &str, location: &str) -> Result<TypeRef, Error> {
        let key = component_key(reference, "schemas", location)?;
        let named = self
            .schema_names
            .get(&key)
            .map(|name| TypeRef::Named(name.clone()))
            .ok_or_else(|| error(location, format!("`$ref` {reference} does not resolve")))?;
        Ok(if self.component_nullable(&key) {
            named.nullable()
        } else {
            named
        })
    }

    /// Whether a component schema allows `null`: `nullable: true` on it, or on the schema it
    /// stands for through a `$ref` or an `allOf` with one `$ref` (a bounded walk, so a cycle of
    /// references ends).
    pub(super) fn component_nullable(&self, key: &str) -> bool {
        let mut current = key.to_owned();
        for _ in 0..16 {
            let next = match self.components.schemas.get(&current) {
                None => return false,
                Some(ReferenceOr::Reference { reference }) => reference,
                Some(ReferenceOr::Item(schema)) => {
                    if schema.schema_data.nullable {
                        return true;
                    }
                    match single_all_of_ref(schema) {
                        Some(reference) => reference,
                        None => return false,
                    }
                }
            };
            match next.strip_prefix("#/components/schemas/") {
                Some(key) => current = key.replace("~1", "/").replace("~0", "~"),
                None => return false,
            }
        }
        false
    }

    pub(super) fn shape(
        &mut self,
        schema: &Schema,
        location: &str,
        hint: &str,
    ) -> Result<Shape, Error> {
        let data = &schema.schema_data;
        if data.discriminator.is_some() {
            return Err(error(location, "discriminator is not supported"));
        }
        let sensitive = data.extensions.get("x-sensitive") == Some(&serde_json::Value::Bool(true));
        let is_plain_string = matches!(
            &schema.schema_kind,
            SchemaKind::Type(Type::String(s)) if s.enumeration.is_empty()
        );
        if sensitive && !is_plain_string {
            return Err(error(
                location,
                "x-sensitive is supported on string schemas without enum only",
            ));
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                string_shape(s, data.nullable, sensitive, location)
            }
            SchemaKind::Type(Type::Number(n)) => number_shape(n, location),
            SchemaKind::Type(Type::Integer(i)) => integer_shape(i, data.nullable, location),
            SchemaKind::Type(Type::Boolean(b)) => {
                if b.enumeration.is_empty() {
                    Ok(Shape::Plain(TypeRef::Bool))
                } else {
                    Err(error(location, "enum on booleans is not supported"))
                }
            }
            SchemaKind::Type(Type::Object(o)) => {
                if o.min_properties.is_some() || o.max_properties.is_some() {
                    return Err(error(
                        location,
                        "minProperties/maxProperties is not supported",
                    ));
                }
                self.object(
                    &o.properties,
                    &o.required,
                    o.additional_properties.as_ref(),
                    location,
                    hint,
                )
            }
            SchemaKind::Type(Type::Array(a)) => {
                if a.min_items.is_some() || a.max_items.is_some() || a.unique_items {
                    return Err(error(
                        location,
                        "minItems/maxItems/uniqueItems is not supported",
                    ));
                }
                let items = a
                    .items
                    .as_ref()
                    .ok_or_else(|| error(location, "an array needs items"))?;
                let item = self.type_ref(items, &at(location, "items"), &format!("{hint}Item"))?;
                Ok(Shape::Plain(TypeRef::Vec(Box::new(item))))
            }
            SchemaKind::OneOf { one_of } => {
                integer_one_of_rule(false, one_of, location).map(Shape::Integer)
            }
            // `allOf` with one `$ref` is how OpenAPI 3.0 puts a description (or `nullable`)
            // beside a `$ref`: it is that `$ref`.
            SchemaKind::AllOf { .. } => match single_all_of_ref(schema) {
                Some(reference) => self
                    .schema_ref(reference, &at(&at(location, "allOf"), "0"))
                    .map(Shape::Plain),
                None => Err(error(location, "allOf is not supported")),
            },
            SchemaKind::AnyOf { .. } => Err(error(location, "anyOf is not supported")),
            SchemaKind::Not { .. } => Err(error(location, "not is not supported")),
            SchemaKind::Any(any) => self.any_schema(any, location),
        }
    }

    pub(super) fn object(
        &mut self,
        properties: &IndexMap<String, ReferenceOr<Box<Schema>>>,
        required: &[String],
        additional: Option<&AdditionalProperties>,
        location: &str,
        hint: &str,
    ) -> Result<Shape, Error> {
        for name in required {
            if !properties.contains_key(name) {
                return Err(error(
                    location,
                    format!("required property `{name}` is not among the properties"),
                ));
            }
        }
        if properties.is_empty() {
            return match additional {
                None | Some(AdditionalProperties::Any(true)) => Ok(Shape::Plain(TypeRef::JsonMap)),
                Some(AdditionalProperties::Any(false)) => Ok(Shape::Struct {
                    fields: Vec::new(),
                    deny_unknown: true,
                }),
                Some(AdditionalProperties::Schema(schema)) => {
                    let value = self.type_ref(
                        schema,
                        &at(location, "additionalProperties"),
                        &format!("{hint}Value"),
                    )?;
                    Ok(Shape::Plain(TypeRef::Map(Box::new(value))))
                }
            };
        }
        let deny_unknown = match additional {
            None => false,
            Some(AdditionalProperties::Any(false)) => true,
            Some(_) => {
                return Err(error(
                    location,
                    "properties together with additionalProperties are not supported",
                ))
            }
        };
        let wires: Vec<&str> = properties.keys().map(String::as_str).collect();
        let mut overrides = Vec::new();
        for (wire, schema) in properties {
            overrides.push(rust_name_override(
                schema,
                &at(&at(location, "properties"), wire),
            )?);
        }
        let candidates = wires
            .iter()
            .zip(&overrides)
            .map(|(wire, chosen)| chosen.clone().unwrap_or_else(|| snake(wire)))
            .collect();
        let names = distinct(&wires, candidates);
        let mut fields = Vec::new();
        for (((wire, schema), name), chosen) in properties.iter().zip(names).zip(overrides) {
            let field_location = at(&at(location, "properties"), wire);
            if let Some(chosen) = &chosen {
                if *chosen != name {
                    return Err(error(
                        &field_location,
                        format!("x-rust-name `{chosen}` is already the name of another property"),
                    ));
                }
            }
            let ty = self.type_ref(schema, &field_location, &format!("{hint}{}", pascal(wire)))?;
            let mut doc = match schema {
                // `allOf: [$ref]` with a description beside it: that description, else the
                // referenced schema's first paragraph.
                ReferenceOr::Item(schema) => {
                    schema.schema_data.description.clone().or_else(|| {
                        single_all_of_ref(schema).and_then(|r| self.referenced_summary(r))
                    })
                }
                // OpenAPI 3.0 ignores a description beside `$ref`: the referenced schema's
                // first paragraph describes the field instead.
                ReferenceOr::Reference { reference } => self.referenced_summary(reference),
            }
            .or_else(|| Some(format!("The `{wire}` property.")));
            if chosen.is_none() && name != snake(wire) {
                let note = format!(
                    "Wire name `{wire}`; called `{name}` because another property already maps to `{}`.",
                    snake(wire)
                );
                doc = doc.map(|doc| format!("{}\n\n{note}", doc.trim_end()));
            }
            fields.push(Field {
                name,
                wire: wire.clone(),
                doc,
                ty,
                required: required.contains(wire),
            });
        }
        Ok(Shape::Struct {
            fields,
            deny_unknown,
        })
    }

    pub(super) fn any_schema(&self, any: &AnySchema, location: &str) -> Result<Shape, Error> {
        let present = any_keywords(any);
        if present.is_empty() {
            return Ok(Shape::Plain(TypeRef::Json));
        }
        let integer_one_of = !any.one_of.is_empty()
            && present
                .iter()
                .all(|k| matches!(*k, "type" | "format" | "oneOf"))
            && matches!(any.typ.as_deref(), None | Some("integer"));
        if integer_one_of {
            let int32 = match any.format.as_deref() {
                Some("int32") => true,
                None | Some("int64") => false,
                Some(other) => {
                    return Err(error(
                        location,
                        format!("integer format `{other}` is not supported"),
                    ))
                }
            };
            return integer_one_of_rule(int32, &any.one_of, location).map(Shape::Integer);
        }
        Err(error(
            location,
            format!(
                "this combination of keywords is not supported: {}",
                present.join(", ")
            ),
        ))
    }
}

/// The field name a property's `x-rust-name` extension chooses, checked to be a snake_case
/// Rust identifier. Only inline property schemas carry it (OpenAPI 3.0 ignores siblings of
/// `$ref`).
pub(super) fn rust_name_override(
    schema: &ReferenceOr<Box<Schema>>,
    location: &str,
) -> Result<Option<String>, Error> {
    let ReferenceOr::Item(schema) = schema else {
        return Ok(None);
    };
    let Some(value) = schema.schema_data.extensions.get("x-rust-name") else {
        return Ok(None);
    };
    let name = value
        .as_str()
        .ok_or_else(|| error(location, "x-rust-name must be a string"))?;
    let snake_case = name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !snake_case || syn::parse_str::<syn::Ident>(name).is_err() {
        return Err(error(
            location,
            format!("x-rust-name `{name}` is not a snake_case Rust identifier"),
        ));
    }
    Ok(Some(name.to_owned()))
}

/// The `$ref` of an `allOf` with exactly one item, that item a `$ref`.
pub(super) fn single_all_of_ref(schema: &Schema) -> Option<&str> {
    match &schema.schema_kind {
        SchemaKind::AllOf { all_of } => match all_of.as_slice() {
            [ReferenceOr::Reference { reference }] => Some(reference),
            _ => None,
        },
        _ => None,
    }
}

/// Whether an inline schema becomes a named type (struct, enum or validated integer).
pub(super) fn needs_name(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            !s.enumeration.is_empty() || s.min_length.is_some() || s.max_length.is_some()
        }
        SchemaKind::Type(Type::Integer(i)) => {
            !i.enumeration.is_empty() || i.minimum.is_some() || i.maximum.is_some()
        }
        SchemaKind::Type(Type::Object(o)) => {
            !o.properties.is_empty()
                || o.additional_properties == Some(AdditionalProperties::Any(false))
        }
        SchemaKind::OneOf { .. } => true,
        SchemaKind::Any(any) => !any.one_of.is_empty(),
        _ => false,
    }
}

/// The keywords present in a schema openapiv3 could not classify.
pub(super) fn any_keywords(any: &AnySchema) -> Vec<&'static str> {
    let checks: [(bool, &'static str); 24] = [
        (any.typ.is_some(), "type"),
        (any.pattern.is_some(), "pattern"),
        (any.multiple_of.is_some(), "multipleOf"),
        (any.exclusive_minimum.is_some(), "exclusiveMinimum"),
        (any.exclusive_maximum.is_some(), "exclusiveMaximum"),
        (any.minimum.is_some(), "minimum"),
        (any.maximum.is_some(), "maximum"),
        (!any.properties.is_empty(), "properties"),
        (!any.required.is_empty(), "required"),
        (any.additional_properties.is_some(), "additionalProperties"),
        (any.min_properties.is_some(), "minProperties"),
        (any.max_properties.is_some(), "maxProperties"),
        (any.items.is_some(), "items"),
        (any.min_items.is_some(), "minItems"),
        (any.max_items.is_some(), "maxItems"),
        (any.unique_items.is_some(), "uniqueItems"),
        (!any.enumeration.is_empty(), "enum"),
        (any.format.is_some(), "format"),
        (any.min_length.is_some(), "minLength"),
        (any.max_length.is_some(), "maxLength"),
        (!any.one_of.is_empty(), "oneOf"),
        (!any.all_of.is_empty(), "allOf"),
        (!any.any_of.is_empty(), "anyOf"),
        (any.not.is_some(), "not"),
    ];
    checks
        .into_iter()
        .filter(|(present, _)| *present)
        .map(|(_, name)| name)
        .collect()
}
