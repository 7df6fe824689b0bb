//! `multipart/form-data` request bodies: the body is a struct (or a free-form map) and each
//! field becomes parts, files (`format: binary`) as bytes.

use openapiv3::{
    MediaType, ReferenceOr, RequestBody, Schema, SchemaKind, StringFormat, Type,
    VariantOrUnknownOrEmpty,
};

use super::schemas::{needs_name, object_only};
use super::{at, error, Builder};
use crate::model::{Body, FormPart, MediaFormat, PartKind, TypeKind, TypeRef};
use crate::Error;

impl Builder<'_> {
    /// The body of a `multipart/form-data` request: an object schema gives the struct
    /// `<Operation>RequestBody` (defined here even when the schema is a `$ref`, because its
    /// `format: binary` properties are bytes in a form), a missing or free-form schema a JSON
    /// map; anything else is refused.
    pub(super) fn multipart_body(
        &mut self,
        body: &RequestBody,
        media_type: &str,
        media: &MediaType,
        location: &str,
        base: &str,
        doc: Option<String>,
    ) -> Result<Body, Error> {
        let schema_location = at(&at(&at(location, "content"), media_type), "schema");
        let doc = doc.map(|doc| {
            format!(
                "{}\n\nSent as `multipart/form-data`: one part per field; bytes as a file, \
                 strings, numbers and booleans as text, arrays one part per item, objects as JSON.",
                doc.trim_end()
            )
        });
        let schema: Option<&Schema> = match &media.schema {
            None => None,
            Some(ReferenceOr::Item(schema)) => Some(schema),
            Some(ReferenceOr::Reference { reference }) => {
                Some(self.component(reference, &schema_location)?)
            }
        };
        // A component without binaries is used as it is; with them, it gets a form twin.
        let reused = match (&media.schema, schema) {
            (Some(ReferenceOr::Reference { reference }), Some(schema)) if !has_binary(schema) => {
                match self.schema_ref(reference, &schema_location)? {
                    TypeRef::Named(name) if self.is_struct(&name) => Some((name, schema)),
                    _ => None,
                }
            }
            _ => None,
        };
        let (ty, parts) = match (reused, schema) {
            (Some((name, schema)), _) => {
                let parts = self.form_parts(&name, schema, &schema_location)?;
                (TypeRef::Named(name), parts)
            }
            (None, None) => (TypeRef::JsonMap, Vec::new()),
            (None, Some(schema)) if needs_name(schema) => {
                let name = self.claim(&format!("{base}RequestBody"), &schema_location);
                self.named_type(&name, schema, &schema_location)?;
                let parts = self.form_parts(&name, schema, &schema_location)?;
                (TypeRef::Named(name), parts)
            }
            (None, Some(schema)) => {
                let ty =
                    self.inline_type(schema, &schema_location, &format!("{base}RequestBody"))?;
                if *ty.non_null() != TypeRef::JsonMap {
                    return Err(error(
                        schema_location,
                        "a multipart/form-data body must be an object",
                    ));
                }
                (TypeRef::JsonMap, Vec::new())
            }
        };
        Ok(Body {
            ty,
            required: body.required,
            doc,
            example: self.first_example(
                media.example.as_ref(),
                &media.examples,
                media.schema.as_ref(),
            ),
            format: MediaFormat::Multipart,
            media_type: media_type.to_owned(),
            parts,
        })
    }

    /// Whether `name` is a generated struct.
    fn is_struct(&self, name: &str) -> bool {
        self.slots
            .iter()
            .flatten()
            .any(|def| def.name == name && matches!(def.kind, TypeKind::Struct { .. }))
    }

    /// The parts of the struct `name` just defined from `schema`; its `format: binary`
    /// properties (and arrays of them) become `Vec<u8>` (and `Vec<Vec<u8>>`) fields. An array
    /// of binaries with `minItems`, `maxItems` or `uniqueItems` keeps its validated newtype,
    /// made one over `Vec<Vec<u8>>`, so its counts are checked as any array's.
    fn form_parts(
        &mut self,
        name: &str,
        schema: &Schema,
        location: &str,
    ) -> Result<Vec<FormPart>, Error> {
        let properties = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(object)) => Some(&object.properties),
            SchemaKind::Any(any) if object_only(any) => Some(&any.properties),
            _ => None,
        };
        // The validated arrays among the types of the fields that are arrays of files.
        let is_array = |name: &str| {
            self.slots
                .iter()
                .flatten()
                .any(|def| def.name == name && matches!(def.kind, TypeKind::Array(_)))
        };
        let arrays: Vec<String> = self
            .slots
            .iter()
            .flatten()
            .filter(|def| def.name == name)
            .flat_map(|def| match &def.kind {
                TypeKind::Struct { fields, .. } => fields.as_slice(),
                _ => &[],
            })
            .filter(|field| {
                properties
                    .and_then(|properties| properties.get(&field.wire))
                    .and_then(binary_kind)
                    == Some(PartKind::Files)
            })
            .filter_map(|field| match field.ty.non_null() {
                TypeRef::Named(array) if is_array(array) => Some(array.clone()),
                _ => None,
            })
            .collect();
        let def = self
            .slots
            .iter_mut()
            .flatten()
            .find(|def| def.name == name)
            .ok_or_else(|| {
                error(
                    location,
                    "internal: the multipart body type was not defined",
                )
            })?;
        let TypeKind::Struct { fields, .. } = &mut def.kind else {
            return Err(error(
                location,
                "a multipart/form-data body must be an object",
            ));
        };
        let mut parts = Vec::new();
        for field in fields.iter_mut() {
            let binary = properties
                .and_then(|properties| properties.get(&field.wire))
                .and_then(binary_kind);
            let nullable = matches!(field.ty, TypeRef::Nullable(_));
            match (binary, field.ty.non_null()) {
                // The array was defined inline from this property (`binary_kind` reads only
                // inline arrays), so its newtype is this form's own: its items become bytes
                // below.
                (Some(PartKind::Files), TypeRef::Named(array)) if arrays.contains(array) => {}
                (Some(kind), _) => {
                    let bytes = match kind {
                        PartKind::Files => TypeRef::Vec(Box::new(TypeRef::Bytes)),
                        _ => TypeRef::Bytes,
                    };
                    field.ty = if nullable { bytes.nullable() } else { bytes };
                }
                (None, _) => {}
            }
            parts.push(FormPart {
                field: field.name.clone(),
                wire: field.wire.clone(),
                optional: !field.required || nullable,
                kind: if field.flatten {
                    PartKind::Entries
                } else {
                    binary.unwrap_or(PartKind::Value)
                },
            });
        }
        for def in self.slots.iter_mut().flatten() {
            if let TypeKind::Array(rule) = &mut def.kind {
                if arrays.contains(&def.name) {
                    rule.items = TypeRef::Bytes;
                }
            }
        }
        Ok(parts)
    }
}

/// Whether an object schema has a binary property (or an array of them).
fn has_binary(schema: &Schema) -> bool {
    let properties = match &schema.schema_kind {
        SchemaKind::Type(Type::Object(object)) => &object.properties,
        SchemaKind::Any(any) => &any.properties,
        _ => return false,
    };
    properties.values().any(|p| binary_kind(p).is_some())
}

/// `File` for an inline `format: binary` string, `Files` for an array of them.
fn binary_kind(schema: &ReferenceOr<Box<Schema>>) -> Option<PartKind> {
    let ReferenceOr::Item(schema) = schema else {
        return None;
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::Array(array)) => match array.items.as_ref()? {
            ReferenceOr::Item(item) if is_binary(item) => Some(PartKind::Files),
            _ => None,
        },
        _ => is_binary(schema).then_some(PartKind::File),
    }
}

fn is_binary(schema: &Schema) -> bool {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            s.enumeration.is_empty()
                && matches!(
                    s.format,
                    VariantOrUnknownOrEmpty::Item(StringFormat::Binary)
                )
        }
        SchemaKind::Any(any) => {
            any.format.as_deref() == Some("binary")
                && matches!(any.typ.as_deref(), None | Some("string"))
                && any.properties.is_empty()
                && any.enumeration.is_empty()
        }
        _ => false,
    }
}
