//! Parameters whose values are not scalars: objects in the query (`style: form` with or
//! without `explode`, `style: deepObject`), arrays of objects, objects in headers. Their
//! keys come from the schema when it names them; a free-form object (`additionalProperties`)
//! is sent by its members, keyed when the request is made.

use openapiv3::{AdditionalProperties, QueryStyle, ReferenceOr, Schema, SchemaKind, Type};

use super::combine::{normalize, NOT_AN_OBJECT};
use super::schemas::{any_keywords, object_only};
use super::{at, error, escape, Builder};
use crate::model::{ParamIn, QueryKey, Structured, TypeRef};
use crate::Error;

/// At most this many query keys per parameter, and this deep.
const MAX_KEYS: usize = 256;
const MAX_DEPTH: usize = 8;

impl Builder<'_> {
    /// How a parameter's value is written when it is not a scalar or an array of scalars;
    /// `None` for those. A secret never goes into a URL: refused.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn structured(
        &self,
        ty: &TypeRef,
        place: ParamIn,
        style: Option<&QueryStyle>,
        explode: bool,
        schema: &ReferenceOr<Schema>,
        name: &str,
        location: &str,
    ) -> Result<Option<Structured>, Error> {
        let plain = self.check_param_type(ty, place, location);
        let deep = matches!(style, Some(QueryStyle::DeepObject));
        if plain.is_ok() && !(deep && self.array_item(ty).is_some()) {
            return Ok(None);
        }
        if contains_secret(ty) || place == ParamIn::Path {
            return plain.map(|()| None);
        }
        match (place, style) {
            (ParamIn::Header, _) => Ok(Some(Structured::Joined { explode })),
            (ParamIn::Query, Some(QueryStyle::Form)) if !explode => {
                Ok(Some(Structured::Joined { explode: false }))
            }
            (ParamIn::Query, Some(QueryStyle::Form | QueryStyle::DeepObject)) => {
                let schema = self.schema_of(schema, location)?;
                let mut keys = Vec::new();
                self.query_keys(schema, name, "", deep, true, 0, &mut keys, location)?;
                Ok(Some(Structured::Keys {
                    keys: without_covered(keys),
                    deep,
                }))
            }
            _ => plain.map(|()| None),
        }
    }

    fn schema_of<'s, S: std::borrow::Borrow<Schema>>(
        &'s self,
        schema: &'s ReferenceOr<S>,
        location: &str,
    ) -> Result<&'s Schema, Error> {
        match schema {
            ReferenceOr::Item(schema) => Ok(schema.borrow()),
            ReferenceOr::Reference { reference } => self.component(reference, location),
        }
    }

    /// The query keys of a value of `schema` found at `pointer`, named `key`: an object's
    /// properties (at the top, or everywhere with `deep`), each alternative of a
    /// `oneOf`/`anyOf`, `key[]` for an array in a deep object.
    #[allow(clippy::too_many_arguments)]
    fn query_keys(
        &self,
        schema: &Schema,
        key: &str,
        pointer: &str,
        deep: bool,
        top: bool,
        depth: usize,
        out: &mut Vec<QueryKey>,
        location: &str,
    ) -> Result<(), Error> {
        if depth > MAX_DEPTH || out.len() > MAX_KEYS {
            return Err(error(
                location,
                "a query parameter object nested too deep or with too many keys",
            ));
        }
        let mut push = |key: String, json: bool| match out.iter_mut().find(|k| k.key == key) {
            Some(existing) => existing.json |= json,
            None => out.push(QueryKey {
                key,
                pointer: pointer.to_owned(),
                json,
                members: false,
            }),
        };
        let normalized = match &schema.schema_kind {
            SchemaKind::Any(any) if !object_only(any) => normalize(schema),
            _ => None,
        };
        let schema = normalized.as_ref().unwrap_or(schema);
        let object = match &schema.schema_kind {
            SchemaKind::Type(Type::Object(o)) => {
                Some((o.properties.clone(), o.additional_properties.clone()))
            }
            SchemaKind::Any(any) if object_only(any) => {
                Some((any.properties.clone(), any.additional_properties.clone()))
            }
            SchemaKind::AllOf { all_of } => {
                match self.merge_all_of(all_of, &at(location, "allOf"), 0) {
                    Ok(merged) => Some((merged.properties, None)),
                    // Not an object (a scalar with a description beside it): the value as
                    // it is.
                    Err(e) if e.message == NOT_AN_OBJECT => {
                        push(key.to_owned(), true);
                        return Ok(());
                    }
                    Err(e) => return Err(e),
                }
            }
            _ => None,
        };
        if let Some((properties, additional)) = object {
            if !top && !deep {
                push(key.to_owned(), true);
                return Ok(());
            }
            let free = !matches!(additional, None | Some(AdditionalProperties::Any(false)));
            if properties.is_empty() || free {
                // Keys the spec does not name: every member of the value is sent, keyed when
                // the request is made (named properties among them).
                if !out.iter().any(|k| k.members && k.key == key) {
                    out.push(QueryKey {
                        key: key.to_owned(),
                        pointer: pointer.to_owned(),
                        json: true,
                        members: true,
                    });
                }
                return Ok(());
            }
            for (property, property_schema) in &properties {
                let child_key = if deep {
                    format!("{key}[{property}]")
                } else {
                    property.clone()
                };
                let child_pointer = format!("{pointer}/{}", escape(property));
                let child = self.schema_of(property_schema, location)?;
                self.query_keys(
                    child,
                    &child_key,
                    &child_pointer,
                    deep,
                    false,
                    depth + 1,
                    out,
                    location,
                )?;
            }
            return Ok(());
        }
        let alternatives = match &schema.schema_kind {
            SchemaKind::OneOf { one_of } => Some(one_of),
            SchemaKind::AnyOf { any_of } => Some(any_of),
            SchemaKind::Any(any) if !any.one_of.is_empty() => Some(&any.one_of),
            SchemaKind::Any(any) if !any.any_of.is_empty() => Some(&any.any_of),
            _ => None,
        };
        if let Some(alternatives) = alternatives {
            for alternative in alternatives {
                let alternative = self.schema_of(alternative, location)?;
                self.query_keys(
                    alternative,
                    key,
                    pointer,
                    deep,
                    top,
                    depth + 1,
                    out,
                    location,
                )?;
            }
            return Ok(());
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::Array(_)) if deep => push(format!("{key}[]"), true),
            SchemaKind::Type(Type::Array(_)) | SchemaKind::Not { .. } => push(key.to_owned(), true),
            SchemaKind::Any(any) if any_keywords(any).is_empty() => push(key.to_owned(), true),
            _ => push(key.to_owned(), false),
        }
        Ok(())
    }
}

/// The keys without the fixed ones a free-form object's members already send: those at or
/// under the object's pointer (`oneOf` alternatives of one parameter), which would otherwise
/// go out twice.
fn without_covered(keys: Vec<QueryKey>) -> Vec<QueryKey> {
    let under = |pointer: &str, object: &str| {
        pointer
            .strip_prefix(object)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    };
    let covered = |k: &QueryKey| {
        keys.iter().any(|m| {
            m.members
                && under(&k.pointer, &m.pointer)
                && (!k.members || m.pointer.len() < k.pointer.len())
        })
    };
    let keep: Vec<bool> = keys.iter().map(|k| !covered(k)).collect();
    keys.into_iter()
        .zip(keep)
        .filter_map(|(k, keep)| keep.then_some(k))
        .collect()
}

fn contains_secret(ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Secret => true,
        TypeRef::Vec(inner)
        | TypeRef::Nullable(inner)
        | TypeRef::Boxed(inner)
        | TypeRef::Map(inner) => contains_secret(inner),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: &str, pointer: &str, members: bool) -> QueryKey {
        QueryKey {
            key: key.to_owned(),
            pointer: pointer.to_owned(),
            json: members,
            members,
        }
    }

    #[test]
    fn members_cover_the_fixed_keys_at_and_under_their_object() {
        let keys = vec![
            key("f", "", false),
            key("f[a]", "/a", false),
            key("f[ab]", "/ab", false),
            key("f[a]", "/a", true),
            key("f[a][b]", "/a/b", true),
            key("f[b]", "/b", false),
        ];
        let kept: Vec<(String, bool)> = without_covered(keys)
            .into_iter()
            .map(|k| (k.key, k.members))
            .collect();
        assert_eq!(
            kept,
            [
                ("f".to_owned(), false),
                ("f[ab]".to_owned(), false),
                ("f[a]".to_owned(), true),
                ("f[b]".to_owned(), false),
            ]
        );
        // Members of the whole value cover everything.
        let kept = without_covered(vec![key("x", "/x", false), key("m", "", true)]);
        assert_eq!(kept, [key("m", "", true)]);
    }
}
