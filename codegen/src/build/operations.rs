//! Operations: names, parameters (merged, placed, typed, checked against the path template),
//! the security schemes' headers, the request body and the spec's examples.

use std::borrow::Borrow;
use std::collections::BTreeSet;

use indexmap::IndexMap;
use openapiv3::{
    MediaType, Parameter, ParameterSchemaOrContent, PathStyle, QueryStyle, ReferenceOr,
    RequestBody, Schema, SchemaKind, SecurityScheme, Type,
};

use super::names::{distinct, header_snake, pascal, snake};
use super::{at, error, resolve, Builder};
use crate::model::{Body, MediaFormat, Operation, Param, ParamIn, Structured, TypeKind, TypeRef};
use crate::Error;

/// Header parameters OpenAPI 3.0 says to ignore: the body's media type and the security
/// schemes set them.
const IGNORED_HEADERS: &[&str] = &["content-type", "accept", "authorization"];

impl Builder<'_> {
    pub(super) fn operations(&mut self) -> Result<Vec<Operation>, Error> {
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
            for (method, op) in item.iter() {
                let location = at(&path_location, method);
                let mut operation =
                    self.operation(path, method, &item.parameters, op, &location)?;
                // The operation's own servers, else the path's: documented on the method.
                let servers = if op.servers.is_empty() {
                    &item.servers
                } else {
                    &op.servers
                };
                operation.servers = servers.iter().map(|s| s.url.clone()).collect();
                operations.push(operation);
            }
        }
        Ok(operations)
    }

    pub(super) fn operation(
        &mut self,
        path: &str,
        method: &str,
        path_item_params: &[ReferenceOr<Parameter>],
        op: &openapiv3::Operation,
        location: &str,
    ) -> Result<Operation, Error> {
        let (id, base) = self
            .operation_names
            .get(location)
            .cloned()
            .ok_or_else(|| error(location, "internal: an operation was not named"))?;
        // `callbacks` describe requests the server makes to the caller: nothing a client
        // sends, so they are ignored (crate docs).

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
            let (place, explode, query_style) = match parameter {
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
                    (ParamIn::Path, true, None)
                }
                Parameter::Query {
                    style,
                    allow_reserved: _,
                    ..
                } => {
                    // `allowReserved` values are percent-encoded all the same, which
                    // servers decode to the same text.
                    (
                        ParamIn::Query,
                        data.explode.unwrap_or(true),
                        Some(style.clone()),
                    )
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
                    (ParamIn::Header, data.explode.unwrap_or(false), None)
                }
                Parameter::Cookie { .. } => {
                    return Err(error(param_location, "cookie parameters are not supported"))
                }
            };
            let any_value = ReferenceOr::Item(Schema {
                schema_data: openapiv3::SchemaData::default(),
                schema_kind: SchemaKind::Any(openapiv3::AnySchema::default()),
            });
            // `content` (one JSON media type) instead of `schema`: the value as JSON text.
            let (schema, schema_location, as_json) = match &data.format {
                ParameterSchemaOrContent::Schema(schema) => {
                    (schema, at(param_location, "schema"), false)
                }
                ParameterSchemaOrContent::Content(content) => {
                    let Some((media_type, media)) = content.first() else {
                        return Err(error(
                            param_location,
                            "a parameter's content needs a media type",
                        ));
                    };
                    let essence = media_type.split(';').next().unwrap_or("").trim();
                    let json = essence.eq_ignore_ascii_case("application/json")
                        || essence.to_ascii_lowercase().ends_with("+json");
                    if !json || place == ParamIn::Path {
                        return Err(error(
                            param_location,
                            "a parameter with content is supported only as JSON in the query or a header; use schema",
                        ));
                    }
                    let location = at(&at(&at(param_location, "content"), media_type), "schema");
                    (media.schema.as_ref().unwrap_or(&any_value), location, true)
                }
            };
            // `oneOf`/`anyOf` of strings, numbers and booleans (an id or a name): the text.
            let alternatives = self.scalar_alternatives(schema);
            let ty = if alternatives.is_some() {
                TypeRef::String
            } else {
                self.type_ref(
                    schema,
                    &schema_location,
                    &format!("{base}{}", pascal(&data.name)),
                )?
            };
            // A URL or header cannot carry `null`: a nullable parameter is its non-null type.
            let ty = match ty {
                TypeRef::Vec(item) => TypeRef::Vec(Box::new(item.non_null().clone())),
                other => other.non_null().clone(),
            };
            let structured = if as_json {
                Some(Structured::Json)
            } else {
                self.structured(
                    &ty,
                    place,
                    query_style.as_ref(),
                    explode,
                    schema,
                    &data.name,
                    &schema_location,
                )?
            };
            let delimiter = match query_style {
                Some(QueryStyle::SpaceDelimited) => ' ',
                Some(QueryStyle::PipeDelimited) => '|',
                _ => ',',
            };
            let place_name = match place {
                ParamIn::Path => "path",
                ParamIn::Query => "query",
                ParamIn::Header => "header",
            };
            params.push(Param {
                name: String::new(),
                wire: data.name.clone(),
                location: place,
                doc: Some({
                    let doc = data
                        .description
                        .clone()
                        .unwrap_or_else(|| format!("The `{}` {place_name} parameter.", data.name));
                    match alternatives {
                        Some(types) => format!(
                            "{}\n\nThe spec allows one of: {}; it is sent as text.",
                            doc.trim_end(),
                            types.join(", ")
                        ),
                        None => doc,
                    }
                }),
                ty,
                required: data.required,
                explode,
                delimiter,
                structured,
                example: self.first_example(data.example.as_ref(), &data.examples, Some(schema)),
            });
        }
        // A `{name}` of the path template that no parameter declares: a required string.
        for name in template_names(path) {
            let declared = params
                .iter()
                .any(|p| p.location == ParamIn::Path && p.wire == name);
            if !declared {
                params.push(Param {
                    name: String::new(),
                    wire: name.clone(),
                    location: ParamIn::Path,
                    doc: Some(format!(
                        "The `{name}` path parameter (in the path template, not declared in the spec)."
                    )),
                    ty: TypeRef::String,
                    required: true,
                    explode: true,
                    delimiter: ',',
                    structured: None,
                    example: None,
                });
            }
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
            method_name: snake(&base),
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
            servers: Vec::new(),
        })
    }

    /// The types of a `oneOf`/`anyOf` whose alternatives are all strings, numbers, integers
    /// or booleans (following component `$ref`s), in order without repeats; `None` otherwise.
    pub(super) fn scalar_alternatives(&self, schema: &ReferenceOr<Schema>) -> Option<Vec<String>> {
        let schema = match schema {
            ReferenceOr::Item(schema) => schema,
            ReferenceOr::Reference { reference } => self.component(reference, "#").ok()?,
        };
        let alternatives = match &schema.schema_kind {
            SchemaKind::OneOf { one_of } => one_of,
            SchemaKind::AnyOf { any_of } => any_of,
            SchemaKind::Any(any) if !any.one_of.is_empty() => &any.one_of,
            SchemaKind::Any(any) if !any.any_of.is_empty() => &any.any_of,
            _ => return None,
        };
        let mut types = Vec::new();
        for alternative in alternatives {
            let alternative = match alternative {
                ReferenceOr::Item(schema) => schema,
                ReferenceOr::Reference { reference } => self.component(reference, "#").ok()?,
            };
            let name = match &alternative.schema_kind {
                SchemaKind::Type(Type::String(_)) => "string",
                SchemaKind::Type(Type::Integer(_)) => "integer",
                SchemaKind::Type(Type::Number(_)) => "number",
                SchemaKind::Type(Type::Boolean(_)) => "boolean",
                SchemaKind::Any(any)
                    if any.properties.is_empty()
                        && any.items.is_none()
                        && any.one_of.is_empty()
                        && any.any_of.is_empty()
                        && any.all_of.is_empty() =>
                {
                    match any.typ.as_deref() {
                        Some(ty @ ("string" | "integer" | "number" | "boolean")) => ty,
                        _ => return None,
                    }
                }
                _ => return None,
            };
            if !types.iter().any(|t| t == name) {
                types.push(name.to_owned());
            }
        }
        (!types.is_empty()).then_some(types)
    }

    /// Header names (lower-case) of the `apiKey` security schemes that apply → scheme name.
    pub(super) fn api_key_headers(
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
    pub(super) fn is_scalar(&self, ty: &TypeRef, depth: usize) -> bool {
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
                    TypeKind::Enum { .. }
                    | TypeKind::Integer(_)
                    | TypeKind::Number(_)
                    | TypeKind::Text(_) => true,
                    TypeKind::Alias(target) => depth < 16 && self.is_scalar(target, depth + 1),
                    TypeKind::Struct { .. } | TypeKind::Array(_) => false,
                }),
            _ => false,
        }
    }

    /// The item type of an array: a `Vec<T>`, or a validated array newtype over one (its
    /// `iter()` gives the items the same way).
    pub(super) fn array_item<'t>(&'t self, ty: &'t TypeRef) -> Option<&'t TypeRef> {
        match ty {
            TypeRef::Vec(item) => Some(item),
            TypeRef::Named(name) => self.slots.iter().flatten().find_map(|def| match &def.kind {
                TypeKind::Array(rule) if &def.name == name => Some(&rule.items),
                _ => None,
            }),
            _ => None,
        }
    }

    pub(super) fn check_param_type(
        &self,
        ty: &TypeRef,
        place: ParamIn,
        location: &str,
    ) -> Result<(), Error> {
        let ok = match self.array_item(ty) {
            Some(item) => place == ParamIn::Query && self.is_scalar(item, 0),
            None => match ty {
                // A secret in a path or query would end up in URLs and logs.
                TypeRef::Secret => place == ParamIn::Header,
                other => self.is_scalar(other, 0),
            },
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

    pub(super) fn request_body(
        &mut self,
        body: &RequestBody,
        location: &str,
        base: &str,
    ) -> Result<Body, Error> {
        let content_location = at(location, "content");
        let (media_type, media, format) = self
            .choose_media(&body.content, &content_location, true)?
            .ok_or_else(|| error(&content_location, "a request body needs a media type"))?;
        let doc = Some(
            body.description
                .clone()
                .unwrap_or_else(|| "The request body.".to_owned()),
        );
        let doc = if media_type.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            doc.map(|doc| {
                format!("{doc}\n\nThe form, already encoded (`a=1&b=two%20words`), sent as `{media_type}`.")
            })
        } else {
            doc
        };
        if format == MediaFormat::Multipart {
            return self.multipart_body(body, media_type, media, location, base, doc);
        }
        if format != MediaFormat::Json {
            let example = media
                .example
                .clone()
                .filter(|e| format == MediaFormat::Text && e.is_string());
            return Ok(Body {
                ty: if format == MediaFormat::Text {
                    TypeRef::String
                } else {
                    TypeRef::Bytes
                },
                required: body.required,
                doc,
                example,
                format,
                media_type: media_type.to_owned(),
                parts: Vec::new(),
            });
        }
        let schema_location = at(&at(&content_location, media_type), "schema");
        let Some(schema) = media.schema.as_ref() else {
            return Ok(Body {
                ty: TypeRef::Json,
                required: body.required,
                doc,
                example: media.example.clone(),
                format,
                media_type: media_type.to_owned(),
                parts: Vec::new(),
            });
        };
        Ok(Body {
            ty: self.type_ref(schema, &schema_location, &format!("{base}RequestBody"))?,
            required: body.required,
            doc,
            example: self.first_example(media.example.as_ref(), &media.examples, Some(schema)),
            format,
            media_type: media_type.to_owned(),
            parts: Vec::new(),
        })
    }

    /// An example value: `example`, else the first of `examples` that has a value (following
    /// `$ref`s), else the schema's `example` (following a `$ref` to a component).
    pub(super) fn first_example<S: Borrow<Schema>>(
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

    /// The media type a body is read or written as, `None` when the map is empty: the first
    /// JSON one, else the first text one (`text/*`, XML), else the first (as bytes). A request
    /// body offered only as `multipart/…` is refused; `application/x-www-form-urlencoded` is
    /// text the caller encodes.
    pub(super) fn choose_media<'m>(
        &self,
        content: &'m IndexMap<String, MediaType>,
        location: &str,
        request: bool,
    ) -> Result<Option<(&'m str, &'m MediaType, MediaFormat)>, Error> {
        let format_of = |media_type: &str| {
            let essence = media_type
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if essence == "application/json" || essence.ends_with("+json") {
                MediaFormat::Json
            } else if essence.starts_with("text/")
                || essence == "application/xml"
                || essence.ends_with("+xml")
                || essence == "application/x-www-form-urlencoded"
            {
                MediaFormat::Text
            } else {
                MediaFormat::Bytes
            }
        };
        let format_of = |media_type: &str| match format_of(media_type) {
            MediaFormat::Bytes if request && is_form_data(media_type) => MediaFormat::Multipart,
            other => other,
        };
        let chosen = [
            MediaFormat::Json,
            MediaFormat::Text,
            MediaFormat::Multipart,
            MediaFormat::Bytes,
        ]
        .into_iter()
        .find_map(|wanted| {
            content.iter().find(|(media_type, _)| {
                format_of(media_type) == wanted
                    && !(request && wanted == MediaFormat::Bytes && is_form(media_type))
            })
        });
        let Some((media_type, media)) = chosen else {
            return match content.keys().next() {
                None => Ok(None),
                Some(media_type) => Err(error(
                    at(location, media_type),
                    format!("request bodies of media type `{media_type}` are not supported"),
                )),
            };
        };
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
        Ok(Some((media_type, media, format_of(media_type))))
    }
}

/// Whether a media type is multipart (its `Content-Type` needs a boundary; only
/// `multipart/form-data` bodies are built part by part).
fn is_form(media_type: &str) -> bool {
    media_type.to_ascii_lowercase().starts_with("multipart/")
}

/// Whether a media type is `multipart/form-data` (parameters aside).
fn is_form_data(media_type: &str) -> bool {
    media_type
        .split(';')
        .next()
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// The location of the path item that holds an operation's location.
pub(super) fn path_location_of(operation_location: &str) -> String {
    operation_location
        .rsplit_once('/')
        .map(|(path, _)| path.to_owned())
        .unwrap_or_default()
}

/// The `{name}`s of a path template, in order, without repeats (an unclosed `{` ends them).
fn template_names(path: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else { break };
        let name = after[..end].to_owned();
        if !names.contains(&name) {
            names.push(name);
        }
        rest = &after[end + 1..];
    }
    names
}

/// Checks that the path template and the path parameters match one to one.
pub(super) fn check_path_template(
    path: &str,
    params: &[Param],
    location: &str,
) -> Result<(), Error> {
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
