//! Spec → model: answers every question about the spec once, or stops with an [`Error`] that
//! names the construct and where it is.

use std::borrow::Borrow;
use std::collections::{BTreeSet, HashMap};

use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, AnySchema, Components, Header, IntegerFormat, MediaType, NumberFormat,
    OpenAPI, Parameter, ParameterSchemaOrContent, PathStyle, QueryStyle, ReferenceOr, RequestBody,
    Response, Schema, SchemaKind, SecurityScheme, StatusCode, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};

use crate::model::{
    Api, Body, Field, IntegerAlternative, IntegerRule, LengthRule, Operation, Param, ParamIn,
    Success, SuccessResponse, TypeDef, TypeKind, TypeRef, Variant,
};
use crate::names::{distinct, header_snake, pascal, snake};
use crate::Error;

/// Names the generated code uses itself, or that would shadow the prelude.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Client", "Option", "Result", "String", "Vec", "Box", "Some", "None", "Ok", "Err",
];

/// Methods of the generated `Client` that are not operations.
const RESERVED_METHOD_NAMES: &[&str] = &["builder", "transport", "from", "clone", "fmt"];

/// Header parameters OpenAPI 3.0 says to ignore: the body's media type and the security
/// schemes set them.
const IGNORED_HEADERS: &[&str] = &["content-type", "accept", "authorization"];

/// Escapes one JSON pointer token (`~` → `~0`, `/` → `~1`).
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `base/token`, with the token escaped.
fn at(base: &str, token: &str) -> String {
    format!("{base}/{}", escape(token))
}

fn error(location: impl Into<String>, message: impl Into<String>) -> Error {
    Error {
        location: location.into(),
        message: message.into(),
    }
}

/// Builds the model of a whole spec.
pub fn build(spec: &OpenAPI) -> Result<Api, Error> {
    let empty = Components::default();
    let mut builder = Builder {
        spec,
        components: spec.components.as_ref().unwrap_or(&empty),
        slots: Vec::new(),
        origins: HashMap::new(),
        schema_names: HashMap::new(),
    };
    builder.reserve_operation_names()?;
    builder.name_component_schemas()?;
    builder.component_schemas()?;
    let operations = builder.operations()?;
    let mut types: Vec<TypeDef> = builder.slots.into_iter().flatten().collect();
    box_cycles(&mut types);
    Ok(Api {
        title: spec.info.title.clone(),
        version: spec.info.version.clone(),
        description: spec.info.description.clone(),
        server: first_server(spec),
        types,
        operations,
    })
}

struct Builder<'a> {
    spec: &'a OpenAPI,
    components: &'a Components,
    /// Types in output order; a slot is reserved before a struct's fields are built so the
    /// struct comes before the inline types it holds.
    slots: Vec<Option<TypeDef>>,
    /// Where each generated type name came from, to report clashes.
    origins: HashMap<String, String>,
    /// Component schema key → Rust type name.
    schema_names: HashMap<String, String>,
}

/// What a schema turns into, before it gets a name.
enum Shape {
    Struct {
        fields: Vec<Field>,
        deny_unknown: bool,
    },
    Enum(Vec<Variant>),
    Integer(IntegerRule),
    Text(LengthRule),
    Plain(TypeRef),
}

impl<'a> Builder<'a> {
    fn claim(&mut self, name: &str, location: &str) -> Result<(), Error> {
        if RESERVED_TYPE_NAMES.contains(&name) {
            return Err(error(
                location,
                format!("the type name `{name}` is reserved by the generated code"),
            ));
        }
        if let Some(first) = self.origins.get(name) {
            return Err(error(
                location,
                format!("the type name `{name}` is already generated for {first}"),
            ));
        }
        self.origins.insert(name.to_owned(), location.to_owned());
        Ok(())
    }

    fn reserve_operation_names(&mut self) -> Result<(), Error> {
        let mut methods: HashMap<String, String> = HashMap::new();
        for (path, method, op) in self.spec.operations() {
            let location = at(&at("#/paths", path), method);
            let id = op
                .operation_id
                .as_deref()
                .ok_or_else(|| error(&location, "an operation needs an operationId"))?;
            let base = pascal(id);
            self.claim(&format!("{base}Request"), &location)?;
            self.claim(&format!("{base}Response"), &location)?;
            // Each operation is two methods, `name` and `name_raw`, beside the client's own.
            let method = snake(id);
            for name in [method.clone(), format!("{method}_raw")] {
                if RESERVED_METHOD_NAMES.contains(&name.as_str()) {
                    return Err(error(
                        &location,
                        format!("the method name `{name}` is reserved by the generated client"),
                    ));
                }
                if let Some(first) = methods.insert(name.clone(), location.clone()) {
                    return Err(error(
                        &location,
                        format!("the method name `{name}` is already generated for {first}"),
                    ));
                }
            }
        }
        Ok(())
    }

    fn name_component_schemas(&mut self) -> Result<(), Error> {
        for key in self.components.schemas.keys() {
            let location = at("#/components/schemas", key);
            let name = pascal(key);
            self.claim(&name, &location)?;
            self.schema_names.insert(key.clone(), name);
        }
        Ok(())
    }

    fn component_schemas(&mut self) -> Result<(), Error> {
        for (key, schema) in &self.components.schemas {
            let location = at("#/components/schemas", key);
            let name = self.schema_names[key].clone();
            match schema {
                ReferenceOr::Reference { reference } => {
                    // A nullable target makes the fields that refer to this alias `Option`s;
                    // the alias itself names the non-null type.
                    let target = self.schema_ref(reference, &location)?.non_null().clone();
                    self.slots.push(Some(TypeDef {
                        name,
                        doc: None,
                        kind: TypeKind::Alias(target),
                    }));
                }
                ReferenceOr::Item(schema) => self.named_type(&name, schema, &location)?,
            }
        }
        Ok(())
    }

    /// Defines the type `name` (already claimed) from a schema.
    fn named_type(&mut self, name: &str, schema: &Schema, location: &str) -> Result<(), Error> {
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
        });
        Ok(())
    }

    /// The type of a schema used in place; a struct, enum or validated integer defined inline
    /// becomes a named type called `hint`.
    /// `S` is `Schema` or `Box<Schema>`: openapiv3 boxes nested schemas.
    fn type_ref<S: Borrow<Schema>>(
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

    fn inline_type(
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
    fn referenced_summary(&self, reference: &str) -> Option<String> {
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
    fn schema_ref(&self, reference: &str, location: &str) -> Result<TypeRef, Error> {
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
    fn component_nullable(&self, key: &str) -> bool {
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

    fn shape(&mut self, schema: &Schema, location: &str, hint: &str) -> Result<Shape, Error> {
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
                if s.pattern.is_some() {
                    return Err(error(location, "pattern is not supported"));
                }
                let length = LengthRule {
                    min: s.min_length,
                    max: s.max_length,
                };
                let constrained = length.min.is_some() || length.max.is_some();
                if constrained && (sensitive || !s.enumeration.is_empty()) {
                    return Err(error(
                        location,
                        "minLength/maxLength together with enum, x-sensitive or format password is not supported",
                    ));
                }
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
                            Some(value) => values.push(value.as_str()),
                            // `null` among the values is how OpenAPI 3.0.3 spells a nullable
                            // enum; the `Option` around the enum holds it.
                            None if data.nullable => {}
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
                if constrained {
                    if password {
                        return Err(error(
                            location,
                            "minLength/maxLength together with enum, x-sensitive or format password is not supported",
                        ));
                    }
                    return Ok(Shape::Text(length));
                }
                Ok(Shape::Plain(if sensitive || password {
                    TypeRef::Secret
                } else {
                    TypeRef::String
                }))
            }
            SchemaKind::Type(Type::Number(n)) => {
                if n.multiple_of.is_some()
                    || n.minimum.is_some()
                    || n.maximum.is_some()
                    || n.exclusive_minimum
                    || n.exclusive_maximum
                    || !n.enumeration.is_empty()
                {
                    return Err(error(
                        location,
                        "constraints on numbers (minimum, maximum, multipleOf, enum) are not supported",
                    ));
                }
                match &n.format {
                    VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => {
                        Ok(Shape::Plain(TypeRef::F32))
                    }
                    VariantOrUnknownOrEmpty::Unknown(format) => Err(error(
                        location,
                        format!("number format `{format}` is not supported"),
                    )),
                    _ => Ok(Shape::Plain(TypeRef::F64)),
                }
            }
            SchemaKind::Type(Type::Integer(i)) => {
                let int32 = match &i.format {
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => true,
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int64)
                    | VariantOrUnknownOrEmpty::Empty => false,
                    VariantOrUnknownOrEmpty::Unknown(format) => {
                        return Err(error(
                            location,
                            format!("integer format `{format}` is not supported"),
                        ))
                    }
                };
                if i.multiple_of.is_some() {
                    return Err(error(location, "multipleOf is not supported"));
                }
                let values = i
                    .enumeration
                    .iter()
                    .filter(|v| v.is_some() || !data.nullable)
                    .map(|v| v.ok_or_else(|| error(location, "null in enum is not supported")))
                    .collect::<Result<Vec<i64>, Error>>()?;
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

    fn object(
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

    fn any_schema(&self, any: &AnySchema, location: &str) -> Result<Shape, Error> {
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

    fn operations(&mut self) -> Result<Vec<Operation>, Error> {
        let mut operations = Vec::new();
        let spec = self.spec;
        for (path, item) in spec.paths.iter() {
            let path_location = at("#/paths", path);
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { .. } => {
                    return Err(error(path_location, "a path item $ref is not supported"))
                }
            };
            if !item.servers.is_empty() {
                return Err(error(
                    at(&path_location, "servers"),
                    "servers per path are not supported; the client's endpoint applies to all",
                ));
            }
            for (method, op) in item.iter() {
                let location = at(&path_location, method);
                operations.push(self.operation(path, method, &item.parameters, op, &location)?);
            }
        }
        Ok(operations)
    }

    fn operation(
        &mut self,
        path: &str,
        method: &str,
        path_item_params: &[ReferenceOr<Parameter>],
        op: &openapiv3::Operation,
        location: &str,
    ) -> Result<Operation, Error> {
        let id = op
            .operation_id
            .clone()
            .ok_or_else(|| error(location, "an operation needs an operationId"))?;
        let base = pascal(&id);
        if !op.callbacks.is_empty() {
            return Err(error(
                at(location, "callbacks"),
                "callbacks are not supported",
            ));
        }
        if !op.servers.is_empty() {
            return Err(error(
                at(location, "servers"),
                "servers per operation are not supported; the client's endpoint applies to all",
            ));
        }

        // Parameters: the path item's, overridden by the operation's with the same name and place.
        let mut merged: IndexMap<(String, &'static str), (&Parameter, String)> = IndexMap::new();
        for (list, list_location) in [
            (
                path_item_params,
                at(&path_location_of(location), "parameters"),
            ),
            (op.parameters.as_slice(), at(location, "parameters")),
        ] {
            for (index, parameter) in list.iter().enumerate() {
                let param_location = at(&list_location, &index.to_string());
                let parameter = resolve(
                    self.components,
                    parameter,
                    "parameters",
                    &param_location,
                    |c| &c.parameters,
                )?;
                let place = match parameter {
                    Parameter::Query { .. } => "query",
                    Parameter::Header { .. } => "header",
                    Parameter::Path { .. } => "path",
                    Parameter::Cookie { .. } => "cookie",
                };
                let name = parameter.parameter_data_ref().name.clone();
                let key = if place == "header" {
                    (name.to_ascii_lowercase(), place)
                } else {
                    (name, place)
                };
                merged.insert(key, (parameter, param_location));
            }
        }

        let auth_schemes = self.api_key_headers(op, location)?;
        let mut auth_headers = Vec::new();
        let mut params = Vec::new();
        for (parameter, param_location) in merged.values() {
            let data = parameter.parameter_data_ref();
            let (place, explode) = match parameter {
                Parameter::Path { style, .. } => {
                    if !data.required {
                        return Err(error(param_location, "a path parameter must be required"));
                    }
                    if *style != PathStyle::Simple {
                        return Err(error(
                            param_location,
                            "only style simple is supported for path parameters",
                        ));
                    }
                    (ParamIn::Path, true)
                }
                Parameter::Query {
                    style,
                    allow_reserved,
                    ..
                } => {
                    if *style != QueryStyle::Form {
                        return Err(error(
                            param_location,
                            "only style form is supported for query parameters",
                        ));
                    }
                    if *allow_reserved {
                        return Err(error(param_location, "allowReserved is not supported"));
                    }
                    (ParamIn::Query, data.explode.unwrap_or(true))
                }
                Parameter::Header { .. } => {
                    let lower = data.name.to_ascii_lowercase();
                    if IGNORED_HEADERS.contains(&lower.as_str()) {
                        continue;
                    }
                    if let Some(scheme) = auth_schemes.get(&lower) {
                        auth_headers.push((data.name.clone(), scheme.clone()));
                        continue;
                    }
                    (ParamIn::Header, true)
                }
                Parameter::Cookie { .. } => {
                    return Err(error(param_location, "cookie parameters are not supported"))
                }
            };
            let schema = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => schema,
                ParameterSchemaOrContent::Content(_) => {
                    return Err(error(
                        param_location,
                        "a parameter with content is not supported; use schema",
                    ))
                }
            };
            let schema_location = at(param_location, "schema");
            let ty = self.type_ref(
                schema,
                &schema_location,
                &format!("{base}{}", pascal(&data.name)),
            )?;
            self.check_param_type(&ty, place, &schema_location)?;
            let place_name = match place {
                ParamIn::Path => "path",
                ParamIn::Query => "query",
                ParamIn::Header => "header",
            };
            params.push(Param {
                name: String::new(),
                wire: data.name.clone(),
                location: place,
                doc: Some(
                    data.description
                        .clone()
                        .unwrap_or_else(|| format!("The `{}` {place_name} parameter.", data.name)),
                ),
                ty,
                required: data.required,
                explode,
                example: self.first_example(data.example.as_ref(), &data.examples, Some(schema)),
            });
        }
        // Path first, then query, then header, each in spec order.
        params.sort_by_key(|p| match p.location {
            ParamIn::Path => 0,
            ParamIn::Query => 1,
            ParamIn::Header => 2,
        });
        let mut wires: Vec<&str> = vec!["body"];
        let mut candidates = vec!["body".to_owned()];
        for param in &params {
            wires.push(&param.wire);
            candidates.push(match param.location {
                ParamIn::Header => header_snake(&param.wire),
                _ => snake(&param.wire),
            });
        }
        let names = distinct(&wires, candidates);
        let param_names: Vec<String> = names[1..].to_vec();
        if param_names.iter().any(|n| n == "body") {
            return Err(error(
                location,
                "a parameter named `body` clashes with the request body field",
            ));
        }
        for (param, name) in params.iter_mut().zip(param_names) {
            param.name = name;
        }
        check_path_template(path, &params, location)?;

        let body = match &op.request_body {
            None => None,
            Some(body) => {
                let body_location = at(location, "requestBody");
                let body = resolve(
                    self.components,
                    body,
                    "requestBodies",
                    &body_location,
                    |c| &c.request_bodies,
                )?;
                Some(self.request_body(body, &body_location, &base)?)
            }
        };

        let success = self.responses(op, location, &base)?;

        Ok(Operation {
            method_name: snake(&id),
            request_name: format!("{base}Request"),
            response_name: format!("{base}Response"),
            id,
            http_method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            summary: op.summary.clone(),
            description: op.description.clone(),
            params,
            auth_headers,
            body,
            success,
        })
    }

    /// Header names (lower-case) of the `apiKey` security schemes that apply → scheme name.
    fn api_key_headers(
        &self,
        op: &openapiv3::Operation,
        location: &str,
    ) -> Result<IndexMap<String, String>, Error> {
        let requirements = op.security.as_ref().or(self.spec.security.as_ref());
        let mut headers = IndexMap::new();
        for requirement in requirements.into_iter().flatten() {
            for scheme_name in requirement.keys() {
                let scheme_location = at("#/components/securitySchemes", scheme_name);
                let scheme = self
                    .components
                    .security_schemes
                    .get(scheme_name)
                    .ok_or_else(|| {
                        error(
                            location,
                            format!("security scheme `{scheme_name}` is not defined"),
                        )
                    })?;
                let scheme = match scheme {
                    ReferenceOr::Item(scheme) => scheme,
                    ReferenceOr::Reference { .. } => {
                        return Err(error(
                            scheme_location,
                            "a security scheme $ref is not supported",
                        ))
                    }
                };
                if let SecurityScheme::APIKey {
                    location: openapiv3::APIKeyLocation::Header,
                    name,
                    ..
                } = scheme
                {
                    headers.insert(name.to_ascii_lowercase(), scheme_name.clone());
                }
            }
        }
        Ok(headers)
    }

    /// Whether a type is a single value a parameter can carry as text, following aliases.
    fn is_scalar(&self, ty: &TypeRef, depth: usize) -> bool {
        match ty {
            TypeRef::String
            | TypeRef::Bool
            | TypeRef::I32
            | TypeRef::I64
            | TypeRef::F32
            | TypeRef::F64 => true,
            TypeRef::Named(name) => self
                .slots
                .iter()
                .flatten()
                .find(|def| &def.name == name)
                .is_some_and(|def| match &def.kind {
                    TypeKind::Enum { .. } | TypeKind::Integer(_) | TypeKind::Text(_) => true,
                    TypeKind::Alias(target) => depth < 16 && self.is_scalar(target, depth + 1),
                    TypeKind::Struct { .. } => false,
                }),
            _ => false,
        }
    }

    fn check_param_type(&self, ty: &TypeRef, place: ParamIn, location: &str) -> Result<(), Error> {
        let nullable = match ty {
            TypeRef::Vec(item) => matches!(**item, TypeRef::Nullable(_)),
            other => matches!(other, TypeRef::Nullable(_)),
        };
        if nullable {
            return Err(error(
                location,
                "nullable is not supported for parameters: a path, query or header cannot carry null",
            ));
        }
        let ok = match ty {
            TypeRef::Vec(item) => place == ParamIn::Query && self.is_scalar(item, 0),
            // A secret in a path or query would end up in URLs and logs.
            TypeRef::Secret => place == ParamIn::Header,
            other => self.is_scalar(other, 0),
        };
        if ok {
            Ok(())
        } else {
            Err(error(
                location,
                "a parameter must be a string, boolean, number, integer or enum (or an array of those in the query; a secret only in a header)",
            ))
        }
    }

    fn request_body(
        &mut self,
        body: &RequestBody,
        location: &str,
        base: &str,
    ) -> Result<Body, Error> {
        let content_location = at(location, "content");
        let media = self
            .json_media(&body.content, &content_location)?
            .ok_or_else(|| error(&content_location, "a request body needs a JSON media type"))?;
        let (media_type, media) = media;
        let schema_location = at(&at(&content_location, media_type), "schema");
        let schema = media
            .schema
            .as_ref()
            .ok_or_else(|| error(&schema_location, "a JSON body needs a schema"))?;
        Ok(Body {
            ty: self.type_ref(schema, &schema_location, &format!("{base}RequestBody"))?,
            required: body.required,
            doc: Some(
                body.description
                    .clone()
                    .unwrap_or_else(|| "The request body.".to_owned()),
            ),
            example: self.first_example(media.example.as_ref(), &media.examples, Some(schema)),
        })
    }

    /// An example value: `example`, else the first of `examples` that has a value (following
    /// `$ref`s), else the schema's `example` (following a `$ref` to a component).
    fn first_example<S: Borrow<Schema>>(
        &self,
        example: Option<&serde_json::Value>,
        examples: &IndexMap<String, ReferenceOr<openapiv3::Example>>,
        schema: Option<&ReferenceOr<S>>,
    ) -> Option<serde_json::Value> {
        if let Some(example) = example {
            return Some(example.clone());
        }
        for example in examples.values() {
            if let Ok(example) = resolve(self.components, example, "examples", "#", |c| &c.examples)
            {
                if let Some(value) = &example.value {
                    return Some(value.clone());
                }
            }
        }
        match schema? {
            ReferenceOr::Item(schema) => schema.borrow().schema_data.example.clone(),
            ReferenceOr::Reference { reference } => {
                let key = reference.strip_prefix("#/components/schemas/")?;
                match self.components.schemas.get(key)? {
                    ReferenceOr::Item(schema) => schema.schema_data.example.clone(),
                    ReferenceOr::Reference { .. } => None,
                }
            }
        }
    }

    /// The one JSON media type of a content map: `None` when the map is empty.
    fn json_media<'m>(
        &self,
        content: &'m IndexMap<String, MediaType>,
        location: &str,
    ) -> Result<Option<(&'m str, &'m MediaType)>, Error> {
        let mut entries = content.iter();
        let Some((media_type, media)) = entries.next() else {
            return Ok(None);
        };
        if entries.next().is_some() {
            return Err(error(location, "more than one media type is not supported"));
        }
        let essence = media_type.split(';').next().unwrap_or("").trim();
        if essence != "application/json" && !essence.ends_with("+json") {
            return Err(error(
                at(location, media_type),
                format!("media type `{media_type}` is not supported; only JSON is"),
            ));
        }
        for (name, example) in &media.examples {
            let example_location = at(&at(&at(location, media_type), "examples"), name);
            resolve(
                self.components,
                example,
                "examples",
                &example_location,
                |c| &c.examples,
            )?;
        }
        Ok(Some((media_type, media)))
    }

    fn responses(
        &mut self,
        op: &openapiv3::Operation,
        location: &str,
        base: &str,
    ) -> Result<Success, Error> {
        let responses_location = at(location, "responses");
        let mut success: Vec<SuccessResponse> = Vec::new();
        for (code, response) in &op.responses.responses {
            let code_text = code.to_string();
            let response_location = at(&responses_location, &code_text);
            let response: &Response = resolve(
                self.components,
                response,
                "responses",
                &response_location,
                |c| &c.responses,
            )?;
            let statuses = match code {
                StatusCode::Code(n @ 200..=299) => (*n, *n),
                StatusCode::Range(2) => (200, 299),
                _ => {
                    // Error statuses go to the runtime's error model; check their references.
                    self.check_response_refs(response, &response_location)?;
                    continue;
                }
            };
            let mut headers = Vec::new();
            for (name, header) in &response.headers {
                let header_location = at(&at(&response_location, "headers"), name);
                let header: &Header =
                    resolve(self.components, header, "headers", &header_location, |c| {
                        &c.headers
                    })?;
                if name.eq_ignore_ascii_case("content-type") {
                    continue;
                }
                headers.push((name.clone(), header.description.clone()));
            }
            let wires: Vec<&str> = ["status", "body"]
                .into_iter()
                .chain(headers.iter().map(|(name, _)| name.as_str()))
                .collect();
            let candidates = wires
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    if i < 2 {
                        (*w).to_owned()
                    } else {
                        header_snake(w)
                    }
                })
                .collect();
            let names = distinct(&wires, candidates);
            if names[2..].iter().any(|n| n == "status" || n == "body") {
                return Err(error(
                    &response_location,
                    "a response header named `status` or `body` clashes with the response fields",
                ));
            }
            let headers = headers
                .into_iter()
                .zip(names[2..].iter())
                .map(|((wire, doc), name)| (name.clone(), wire, doc))
                .collect();
            let content_location = at(&response_location, "content");
            let body = match self.json_media(&response.content, &content_location)? {
                None => None,
                Some((media_type, media)) => {
                    let schema_location = at(&at(&content_location, media_type), "schema");
                    match &media.schema {
                        None => Some(TypeRef::Json),
                        Some(schema) => Some(self.type_ref(
                            schema,
                            &schema_location,
                            &format!("{base}ResponseBody{}", code_text.to_ascii_uppercase()),
                        )?),
                    }
                }
            };
            success.push(SuccessResponse {
                statuses: vec![statuses],
                doc: Some(response.description.clone()).filter(|d| !d.trim().is_empty()),
                headers,
                body,
            });
        }
        if let Some(default) = &op.responses.default {
            let default_location = at(&responses_location, "default");
            let response = resolve(
                self.components,
                default,
                "responses",
                &default_location,
                |c| &c.responses,
            )?;
            self.check_response_refs(response, &default_location)?;
        }
        // Exact codes before ranges, so a `2XX` arm never hides a `201`.
        success.sort_by_key(|s| s.statuses[0].0 != s.statuses[0].1);
        match success.len() {
            0 => Err(error(
                responses_location,
                "an operation needs a 2XX response",
            )),
            1 => Ok(Success::Single(success.remove(0))),
            _ => {
                let first = &success[0];
                let same = success
                    .iter()
                    .all(|s| s.headers == first.headers && s.body == first.body);
                if same {
                    let mut merged = success[0].clone();
                    merged.statuses = success.iter().flat_map(|s| s.statuses.clone()).collect();
                    // One doc paragraph per status, so no status's description is lost.
                    let docs: Vec<String> = success
                        .iter()
                        .filter_map(|s| {
                            let (low, high) = s.statuses[0];
                            let status = if low == high {
                                low.to_string()
                            } else {
                                format!("{}XX", low / 100)
                            };
                            s.doc
                                .as_ref()
                                .map(|doc| format!("{status}: {}", doc.trim()))
                        })
                        .collect();
                    merged.doc = Some(docs.join("\n\n")).filter(|d| !d.is_empty());
                    Ok(Success::Single(merged))
                } else {
                    Ok(Success::Several(success))
                }
            }
        }
    }

    /// Checks that an error response's `$ref`s resolve (its body is the runtime's business).
    fn check_response_refs(&self, response: &Response, location: &str) -> Result<(), Error> {
        for (name, header) in &response.headers {
            resolve(
                self.components,
                header,
                "headers",
                &at(&at(location, "headers"), name),
                |c| &c.headers,
            )?;
        }
        for (media_type, media) in &response.content {
            let media_location = at(&at(location, "content"), media_type);
            if let Some(ReferenceOr::Reference { reference }) = &media.schema {
                self.schema_ref(reference, &at(&media_location, "schema"))?;
            }
            for (name, example) in &media.examples {
                resolve(
                    self.components,
                    example,
                    "examples",
                    &at(&at(&media_location, "examples"), name),
                    |c| &c.examples,
                )?;
            }
        }
        Ok(())
    }
}

/// The first server's URL with each `{variable}` at its default; `None` when there is no
/// server or the URL is relative.
fn first_server(spec: &OpenAPI) -> Option<String> {
    let server = spec.servers.first()?;
    let mut url = server.url.clone();
    for (name, variable) in server.variables.iter().flatten() {
        url = url.replace(&format!("{{{name}}}"), &variable.default);
    }
    let absolute = url.starts_with("https://") || url.starts_with("http://");
    (absolute && !url.contains('{')).then_some(url)
}

/// Follows `$ref`s to `#/components/{kind}/…` until an item.
fn resolve<'a, T>(
    components: &'a Components,
    item: &'a ReferenceOr<T>,
    kind: &str,
    location: &str,
    map: fn(&'a Components) -> &'a IndexMap<String, ReferenceOr<T>>,
) -> Result<&'a T, Error> {
    let mut current = item;
    for _ in 0..16 {
        match current {
            ReferenceOr::Item(item) => return Ok(item),
            ReferenceOr::Reference { reference } => {
                let key = component_key(reference, kind, location)?;
                current = map(components).get(&key).ok_or_else(|| {
                    error(location, format!("`$ref` {reference} does not resolve"))
                })?;
            }
        }
    }
    Err(error(location, "`$ref` chain too long or circular"))
}

/// The location of the path item that holds an operation's location.
fn path_location_of(operation_location: &str) -> String {
    operation_location
        .rsplit_once('/')
        .map(|(path, _)| path.to_owned())
        .unwrap_or_default()
}

/// `#/components/{kind}/Name` → `Name` (unescaped).
fn component_key(reference: &str, kind: &str, location: &str) -> Result<String, Error> {
    let prefix = format!("#/components/{kind}/");
    reference
        .strip_prefix(&prefix)
        .filter(|key| !key.contains('/'))
        .map(|key| key.replace("~1", "/").replace("~0", "~"))
        .ok_or_else(|| {
            error(
                location,
                format!("`$ref` {reference} is not supported here; expected {prefix}<name>"),
            )
        })
}

/// The field name a property's `x-rust-name` extension chooses, checked to be a snake_case
/// Rust identifier. Only inline property schemas carry it (OpenAPI 3.0 ignores siblings of
/// `$ref`).
fn rust_name_override(
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
fn single_all_of_ref(schema: &Schema) -> Option<&str> {
    match &schema.schema_kind {
        SchemaKind::AllOf { all_of } => match all_of.as_slice() {
            [ReferenceOr::Reference { reference }] => Some(reference),
            _ => None,
        },
        _ => None,
    }
}

/// Whether an inline schema becomes a named type (struct, enum or validated integer).
fn needs_name(schema: &Schema) -> bool {
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
fn any_keywords(any: &AnySchema) -> Vec<&'static str> {
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

/// `minimum`/`maximum` (with their exclusive flags) as an inclusive range; `None` when neither
/// bound is given.
fn integer_range(
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
fn integer_rule(
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
fn integer_one_of_rule(
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

/// Checks that the path template and the path parameters match one to one.
fn check_path_template(path: &str, params: &[Param], location: &str) -> Result<(), Error> {
    let mut in_template = BTreeSet::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after
            .find('}')
            .ok_or_else(|| error(location, format!("unclosed `{{` in path `{path}`")))?;
        in_template.insert(&after[..end]);
        rest = &after[end + 1..];
    }
    for name in &in_template {
        if !params
            .iter()
            .any(|p| p.location == ParamIn::Path && p.wire == *name)
        {
            return Err(error(
                location,
                format!("path parameter `{name}` is not declared"),
            ));
        }
    }
    for param in params.iter().filter(|p| p.location == ParamIn::Path) {
        if !in_template.contains(param.wire.as_str()) {
            return Err(error(
                location,
                format!("path parameter `{}` is not in the path", param.wire),
            ));
        }
    }
    Ok(())
}

/// Boxes struct fields that would otherwise make a type contain itself.
fn box_cycles(types: &mut [TypeDef]) {
    let edges: HashMap<String, Vec<String>> = types
        .iter()
        .map(|def| {
            let targets = match &def.kind {
                TypeKind::Struct { fields, .. } => fields
                    .iter()
                    .filter_map(|f| match f.ty.non_null() {
                        TypeRef::Named(n) => Some(n.clone()),
                        _ => None,
                    })
                    .collect(),
                TypeKind::Alias(TypeRef::Named(n)) => vec![n.clone()],
                _ => Vec::new(),
            };
            (def.name.clone(), targets)
        })
        .collect();
    let reaches = |from: &str, to: &str| -> bool {
        let mut stack = vec![from.to_owned()];
        let mut seen = BTreeSet::new();
        while let Some(node) = stack.pop() {
            if node == to {
                return true;
            }
            if seen.insert(node.clone()) {
                stack.extend(edges.get(&node).into_iter().flatten().cloned());
            }
        }
        false
    };
    for def in types.iter_mut() {
        let owner = def.name.clone();
        if let TypeKind::Struct { fields, .. } = &mut def.kind {
            for field in fields.iter_mut() {
                if let TypeRef::Named(target) = field.ty.non_null() {
                    if reaches(target, &owner) {
                        let boxed = TypeRef::Boxed(Box::new(field.ty.non_null().clone()));
                        field.ty = match field.ty {
                            TypeRef::Nullable(_) => boxed.nullable(),
                            _ => boxed,
                        };
                    }
                }
            }
        }
    }
}
