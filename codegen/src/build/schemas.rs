//! Schemas → types: component and inline schemas, objects and their fields, references,
//! `nullable`, and the keyword combinations openapiv3 leaves unclassified.

use std::borrow::Borrow;

use indexmap::IndexMap;
use openapiv3::{AdditionalProperties, AnySchema, ReferenceOr, Schema, SchemaKind, Type};

use super::combine::{normalize, NOT_AN_OBJECT};
use super::names::{distinct, pascal, snake};
use super::rules::{
    checks_multiple_of, integer_one_of_rule, integer_shape, number_shape, small_integer_format,
    string_shape, unchecked_pattern,
};
use super::{at, component_key, error, Builder, Shape};
use crate::model::{ecma_regex, ArrayRule, Derives, Field, TypeDef, TypeKind, TypeRef};
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
            Shape::Number(rule) => TypeKind::Number(rule),
            Shape::Text(rule) => TypeKind::Text(rule),
            Shape::Array(rule) => TypeKind::Array(rule),
            // The named type is the non-null one; `nullable` is carried by whatever refers to it.
            Shape::Plain(target) => TypeKind::Alias(target.non_null().clone()),
        };
        let mut doc = schema
            .schema_data
            .description
            .clone()
            .unwrap_or_else(|| format!("The schema at `{location}`."));
        if let Some(note) = unchecked_pattern(schema) {
            doc = format!("{}\n\n{note}", doc.trim_end());
        }
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
            if allows_null(schema) {
                ty.nullable()
            } else {
                ty
            }
        };
        if needs_name(schema) {
            let name = self.claim(hint, location);
            self.named_type(&name, schema, location)?;
            return Ok(nullable(TypeRef::Named(name)));
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
                    if allows_null(schema) {
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
        if let SchemaKind::Any(any) = &schema.schema_kind {
            if object_only(any) {
                // `properties`/`required`/`additionalProperties` without `type: object`: an
                // object, read in place (no rewrite, so deep specs stay linear).
                return self.object(
                    &any.properties,
                    &any.required,
                    any.additional_properties.as_ref(),
                    location,
                    hint,
                );
            }
        }
        if let Some(normal) = normalize(schema) {
            return self.shape(&normal, location, hint);
        }
        let data = &schema.schema_data;
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
                string_shape(s, allows_null(schema), sensitive, location)
            }
            SchemaKind::Type(Type::Number(n)) => number_shape(n, allows_null(schema), location),
            SchemaKind::Type(Type::Integer(i)) => integer_shape(i, allows_null(schema), location),
            // An `enum` on a boolean (`[true]`) is accepted and not checked.
            SchemaKind::Type(Type::Boolean(_)) => Ok(Shape::Plain(TypeRef::Bool)),
            SchemaKind::Type(Type::Object(o)) => {
                // `minProperties`/`maxProperties` are accepted and not checked (crate docs).
                self.object(
                    &o.properties,
                    &o.required,
                    o.additional_properties.as_ref(),
                    location,
                    hint,
                )
            }
            SchemaKind::Type(Type::Array(a)) => {
                let items = a
                    .items
                    .as_ref()
                    .ok_or_else(|| error(location, "an array needs items"))?;
                let min = a.min_items.filter(|min| *min > 0);
                if let (Some(min), Some(max)) = (min, a.max_items) {
                    if min > max {
                        return Err(error(
                            location,
                            format!("minItems {min} is above maxItems {max}"),
                        ));
                    }
                }
                let item = self.type_ref(items, &at(location, "items"), &format!("{hint}Item"))?;
                if let (Some(min), true) = (min, a.unique_items) {
                    self.unique_items_can_be_met(items, min, location)?;
                }
                if min.is_none() && a.max_items.is_none() && !a.unique_items {
                    return Ok(Shape::Plain(TypeRef::Vec(Box::new(item))));
                }
                // Counts and uniqueness: a validated newtype over `Vec<T>`.
                Ok(Shape::Array(ArrayRule {
                    items: item,
                    min,
                    max: a.max_items,
                    unique: a.unique_items,
                }))
            }
            // A `oneOf` of integer rules is a validated integer; any other `oneOf`, `anyOf`
            // or `not` is a `serde_json::Value` for now (crate docs).
            SchemaKind::OneOf { one_of } if all_integers(one_of) => {
                integer_one_of_rule(false, one_of, location).map(Shape::Integer)
            }
            SchemaKind::OneOf { .. } => Ok(Shape::Plain(TypeRef::Json)),
            // `allOf` with one `$ref` is how OpenAPI 3.0 puts a description (or `nullable`)
            // beside a `$ref`: it is that `$ref`.
            SchemaKind::AllOf { all_of } => match single_all_of_ref(schema) {
                Some(reference) => self
                    .schema_ref(reference, &at(&at(location, "allOf"), "0"))
                    .map(Shape::Plain),
                None => match self.merge_all_of(all_of, &at(location, "allOf"), 0) {
                    Ok(merged) => {
                        self.object(&merged.properties, &merged.required, None, location, hint)
                    }
                    Err(e) if e.message == NOT_AN_OBJECT => self
                        .non_object_all_of(all_of, location, hint)
                        .map(Shape::Plain),
                    Err(e) => Err(e),
                },
            },
            SchemaKind::AnyOf { .. } | SchemaKind::Not { .. } => Ok(Shape::Plain(TypeRef::Json)),
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
        // A `required` name without a property (a key of `additionalProperties`, or a spec
        // slip) is tolerated: it constrains no field.
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
        let deny_unknown = additional == Some(&AdditionalProperties::Any(false));
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
                ReferenceOr::Item(schema) => schema.schema_data.description.clone().or_else(|| {
                    all_of_description(schema).or_else(|| {
                        single_all_of_ref(schema).and_then(|r| self.referenced_summary(r))
                    })
                }),
                // OpenAPI 3.0 ignores a description beside `$ref`: the referenced schema's
                // first paragraph describes the field instead.
                ReferenceOr::Reference { reference } => self.referenced_summary(reference),
            }
            .or_else(|| Some(format!("The `{wire}` property.")));
            // A plain string field whose pattern is not checked says so (a named type says
            // it on the type).
            if let ReferenceOr::Item(schema) = schema {
                if !needs_name(schema) {
                    if let Some(note) = unchecked_pattern(schema) {
                        doc = doc.map(|doc| format!("{}\n\n{note}", doc.trim_end()));
                    }
                }
            }
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
                flatten: false,
            });
        }
        // Properties beside `additionalProperties` (true or a schema): the others are kept in
        // one flattened map.
        let extra = match additional {
            Some(AdditionalProperties::Any(true)) => Some(TypeRef::JsonMap),
            Some(AdditionalProperties::Schema(schema)) => {
                let value = self.type_ref(
                    schema,
                    &at(location, "additionalProperties"),
                    &format!("{hint}Value"),
                )?;
                Some(TypeRef::Map(Box::new(value)))
            }
            _ => None,
        };
        if let Some(ty) = extra {
            let mut name = "additional_properties".to_owned();
            while fields.iter().any(|f| f.name == name) {
                name.push('_');
            }
            fields.push(Field {
                name,
                wire: String::new(),
                doc: Some("The properties not listed above (`additionalProperties`).".to_owned()),
                ty,
                required: true,
                flatten: true,
            });
        }
        Ok(Shape::Struct {
            fields,
            deny_unknown,
        })
    }

    pub(super) fn any_schema(&self, any: &AnySchema, location: &str) -> Result<Shape, Error> {
        let present = any_keywords(any);
        // No keywords, or only a `format` without `type` (a format constrains no type, so
        // any value is allowed): a JSON value.
        if present.is_empty() || present == ["format"] {
            return Ok(Shape::Plain(TypeRef::Json));
        }
        let integer_one_of = !any.one_of.is_empty()
            && present
                .iter()
                .all(|k| matches!(*k, "type" | "format" | "oneOf"))
            && matches!(any.typ.as_deref(), None | Some("integer"))
            && all_integers(&any.one_of);
        if integer_one_of {
            let int32 = match any.format.as_deref() {
                Some("int32") => true,
                Some(other) => small_integer_format(other),
                None => false,
            };
            return integer_one_of_rule(int32, &any.one_of, location).map(Shape::Integer);
        }
        if !any.one_of.is_empty() || !any.any_of.is_empty() || any.not.is_some() {
            return Ok(Shape::Plain(TypeRef::Json));
        }
        if let (Some("integer"), Some(m)) = (any.typ.as_deref(), any.multiple_of) {
            if m.fract() != 0.0 || m.abs() >= 9.0e15 {
                return Err(error(
                    location,
                    format!("multipleOf {m:?} on an integer is not supported: it must be a whole number above 0 (below 2^53 when written as a float)"),
                ));
            }
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

/// The `$ref` of an `allOf` whose items are one `$ref` and any number of
/// documentation-only schemas (`{description: …}`): how OpenAPI 3.0 documents a `$ref`.
pub(super) fn single_all_of_ref(schema: &Schema) -> Option<&str> {
    let SchemaKind::AllOf { all_of } = &schema.schema_kind else {
        return None;
    };
    let mut references = all_of.iter().filter_map(|member| match member {
        ReferenceOr::Reference { reference } => Some(Some(reference.as_str())),
        ReferenceOr::Item(item) => match &item.schema_kind {
            SchemaKind::Any(any) if any_keywords(any).is_empty() => None,
            _ => Some(None),
        },
    });
    match (references.next(), references.next()) {
        (Some(Some(reference)), None) => Some(reference),
        _ => None,
    }
}

/// The description of an `allOf`'s first documentation-only item (`{description: …}` beside
/// a `$ref`).
fn all_of_description(schema: &Schema) -> Option<String> {
    let SchemaKind::AllOf { all_of } = &schema.schema_kind else {
        return None;
    };
    all_of.iter().find_map(|member| match member {
        ReferenceOr::Item(item) => match &item.schema_kind {
            SchemaKind::Any(any) if any_keywords(any).is_empty() => {
                item.schema_data.description.clone()
            }
            _ => None,
        },
        ReferenceOr::Reference { .. } => None,
    })
}

/// Whether a schema allows `null`: `nullable: true`, or a `null` among its `enum` values
/// (how many specs spell a nullable enum).
pub(super) fn allows_null(schema: &Schema) -> bool {
    schema.schema_data.nullable
        || match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_none),
            SchemaKind::Type(Type::Integer(i)) => i.enumeration.iter().any(Option::is_none),
            SchemaKind::Type(Type::Number(n)) => n.enumeration.iter().any(Option::is_none),
            SchemaKind::Type(Type::Boolean(b)) => b.enumeration.iter().any(Option::is_none),
            _ => false,
        }
}

/// Whether an unclassified schema has object keywords only (and `type: object` or no type).
pub(super) fn object_only(any: &AnySchema) -> bool {
    let keywords = any_keywords(any);
    !keywords.is_empty()
        && matches!(any.typ.as_deref(), None | Some("object"))
        && keywords.iter().all(|k| {
            matches!(
                *k,
                "type"
                    | "properties"
                    | "required"
                    | "additionalProperties"
                    | "minProperties"
                    | "maxProperties"
            )
        })
}

/// Whether every alternative of a `oneOf` is an inline integer schema.
fn all_integers(one_of: &[ReferenceOr<Schema>]) -> bool {
    one_of.iter().all(|alternative| match alternative {
        ReferenceOr::Item(schema) => match &schema.schema_kind {
            SchemaKind::Type(Type::Integer(_)) => true,
            SchemaKind::Any(any) => {
                let keywords = any_keywords(any);
                matches!(any.typ.as_deref(), None | Some("integer"))
                    && keywords
                        .iter()
                        .any(|k| matches!(*k, "enum" | "minimum" | "maximum"))
                    && keywords.iter().all(|k| {
                        matches!(
                            *k,
                            "type"
                                | "format"
                                | "enum"
                                | "minimum"
                                | "maximum"
                                | "exclusiveMinimum"
                                | "exclusiveMaximum"
                        )
                    })
                    && any.enumeration.iter().all(serde_json::Value::is_i64)
            }
            _ => false,
        },
        ReferenceOr::Reference { .. } => false,
    })
}

/// Whether an inline schema becomes a named type (struct, enum, validated integer or number).
pub(super) fn needs_name(schema: &Schema) -> bool {
    if let SchemaKind::Any(any) = &schema.schema_kind {
        if object_only(any) {
            return !any.properties.is_empty()
                || any.additional_properties == Some(AdditionalProperties::Any(false));
        }
        if let Some(normal) = normalize(schema) {
            return needs_name(&normal);
        }
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            !s.enumeration.is_empty()
                || s.min_length.is_some()
                || s.max_length.is_some()
                || s.pattern.as_deref().is_some_and(|p| ecma_regex(p).is_ok())
        }
        SchemaKind::Type(Type::Integer(i)) => {
            !i.enumeration.is_empty()
                || i.minimum.is_some()
                || i.maximum.is_some()
                || checks_multiple_of(i.multiple_of)
        }
        SchemaKind::Type(Type::Number(n)) => {
            n.multiple_of.is_some()
                || n.minimum.is_some()
                || n.maximum.is_some()
                || !n.enumeration.is_empty()
        }
        SchemaKind::Type(Type::Object(o)) => {
            !o.properties.is_empty()
                || o.additional_properties == Some(AdditionalProperties::Any(false))
        }
        SchemaKind::Type(Type::Array(a)) => {
            a.min_items.is_some_and(|min| min > 0) || a.max_items.is_some() || a.unique_items
        }
        SchemaKind::OneOf { .. } => true,
        SchemaKind::AllOf { .. } => single_all_of_ref(schema).is_none(),
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
