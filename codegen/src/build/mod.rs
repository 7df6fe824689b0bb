//! Spec → model: answers every question about the spec once, or stops with an [`Error`] that
//! names the construct and where it is.
//!
//! By concern: [`schemas`] (schemas to types), [`rules`] (string, integer and number rules,
//! and whether `uniqueItems` can be met), [`operations`] (parameters, bodies), [`responses`]
//! (success responses and their status labels), [`derive`] (what each type derives, which
//! fields are boxed) and [`names`] (Rust names for wire names).

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use openapiv3::{Components, OpenAPI, ReferenceOr};

use crate::model::{
    Api, ArrayRule, Derives, Field, IntegerRule, LengthRule, NumberRule, RegionEndpoint,
    RegionServer, TypeDef, TypeKind, TypeRef, Variant,
};
use crate::Error;

mod combine;
mod derive;
mod forms;
pub mod names;
mod operations;
mod params;
mod responses;
mod rules;
mod schemas;

use names::{pascal, snake};

/// Names the generated code uses itself, or that would shadow the prelude.
const RESERVED_TYPE_NAMES: &[&str] = &[
    "Client", "Option", "Result", "String", "Vec", "Box", "Some", "None", "Ok", "Err",
];

/// Methods of the generated `Client` that are not operations.
const RESERVED_METHOD_NAMES: &[&str] = &["builder", "transport", "from", "clone", "fmt"];

/// Escapes one JSON pointer token (`~` → `~0`, `/` → `~1`).
pub(super) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// `base/token`, with the token escaped.
pub(super) fn at(base: &str, token: &str) -> String {
    format!("{base}/{}", escape(token))
}

pub(super) fn error(location: impl Into<String>, message: impl Into<String>) -> Error {
    Error {
        location: location.into(),
        message: message.into(),
    }
}

/// An operation name from its method and path, for an operation without `operationId`:
/// `GET /pets/{id}/toys` → `get pets by id toys` (UpperCamelCase later); `/` is `root`.
fn name_from_path(method: &str, path: &str) -> String {
    let mut words = vec![method.to_owned()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => words.push(format!("by {param}")),
            None => words.push(segment.to_owned()),
        }
    }
    if words.len() == 1 {
        words.push("root".to_owned());
    }
    words.join(" ")
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
        operation_names: HashMap::new(),
    };
    builder.reserve_operation_names();
    builder.name_component_schemas()?;
    builder.component_schemas()?;
    let operations = builder.operations()?;
    let mut types: Vec<TypeDef> = builder.slots.into_iter().flatten().collect();
    derive::box_cycles(&mut types);
    derive::decide_derives(&mut types);
    Ok(Api {
        title: spec.info.title.clone(),
        version: spec.info.version.clone(),
        description: spec.info.description.clone(),
        server: first_server(spec),
        region: region_endpoint(spec)?,
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
    /// Operation location → (id as the code names it, base name), from
    /// `reserve_operation_names`.
    operation_names: HashMap<String, (String, String)>,
}

/// What a schema turns into, before it gets a name.
enum Shape {
    Struct {
        fields: Vec<Field>,
        deny_unknown: bool,
    },
    Enum(Vec<Variant>),
    Integer(IntegerRule),
    Number(NumberRule),
    Text(LengthRule),
    Array(ArrayRule),
    Plain(TypeRef),
}

impl<'a> Builder<'a> {
    /// Whether a type name is free: not reserved and not generated yet.
    fn is_free(&self, name: &str) -> bool {
        !RESERVED_TYPE_NAMES.contains(&name) && !self.origins.contains_key(name)
    }

    /// Takes a type name for `location`: `name`, or when it is reserved or taken, the first
    /// free of `name2`, `name3`, … (so the first schema in spec order keeps the plain name).
    pub(super) fn claim(&mut self, name: &str, location: &str) -> String {
        let mut chosen = name.to_owned();
        let mut n = 2;
        while !self.is_free(&chosen) {
            chosen = format!("{name}{n}");
            n += 1;
        }
        self.origins.insert(chosen.clone(), location.to_owned());
        chosen
    }

    /// Names every operation, in spec order: the base (`CreatePet`) gives the request and
    /// response types and the methods `create_pet` and `create_pet_raw`. The base is the
    /// `operationId` in UpperCamelCase or, without one, made from the method and the path
    /// (`GET /pets/{id}/toys` → `GetPetsByIdToys`); when any of the four names is taken, the
    /// first free `…2`, `…3`.
    pub(super) fn reserve_operation_names(&mut self) {
        let mut methods: HashSet<String> = RESERVED_METHOD_NAMES
            .iter()
            .map(|name| (*name).to_owned())
            .collect();
        for (path, method, op) in self.spec.operations() {
            let location = at(&at("#/paths", path), method);
            let (id, named) = match op.operation_id.as_deref() {
                Some(id) if !id.trim().is_empty() => (id.to_owned(), true),
                _ => (name_from_path(method, path), false),
            };
            let base = pascal(&id);
            let mut chosen = base.clone();
            let mut n = 2;
            loop {
                let method_name = snake(&chosen);
                let free = self.is_free(&format!("{chosen}Request"))
                    && self.is_free(&format!("{chosen}Response"))
                    && !methods.contains(&method_name)
                    && !methods.contains(&format!("{method_name}_raw"));
                if free {
                    methods.insert(format!("{method_name}_raw"));
                    methods.insert(method_name);
                    break;
                }
                chosen = format!("{base}{n}");
                n += 1;
            }
            self.origins
                .insert(format!("{chosen}Request"), location.clone());
            self.origins
                .insert(format!("{chosen}Response"), location.clone());
            let id = if named && chosen == base {
                id
            } else {
                chosen.clone()
            };
            self.operation_names.insert(location, (id, chosen));
        }
    }

    pub(super) fn name_component_schemas(&mut self) -> Result<(), Error> {
        for key in self.components.schemas.keys() {
            let location = at("#/components/schemas", key);
            let name = self.claim(&pascal(key), &location);
            self.schema_names.insert(key.clone(), name);
        }
        Ok(())
    }

    pub(super) fn component_schemas(&mut self) -> Result<(), Error> {
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
                        derives: Derives::NONE,
                    }));
                }
                ReferenceOr::Item(schema) => self.named_type(&name, schema, &location)?,
            }
        }
        Ok(())
    }
}

/// Follows `$ref`s to `#/components/{kind}/…` until an item.
pub(super) fn resolve<'a, T>(
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

/// `#/components/{kind}/Name` → `Name` (unescaped).
pub(super) fn component_key(reference: &str, kind: &str, location: &str) -> Result<String, Error> {
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

/// The vendor extension on a server object naming the prefix of the environment variable
/// that overrides a region's endpoint.
const REGION_ENV_PREFIX: &str = "x-region-env-prefix";

/// The vendor extension on a server object naming the service's key in a regions file.
const REGION_PROFILE_KEY: &str = "x-region-profile-key";

/// Whether `id` can be a region id: lower-case letters, digits and `-` (what the runtime
/// accepts).
fn is_region_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A server's string extension `name`, when it is there and `valid`; else `rule` says why not.
fn server_extension(
    server: &openapiv3::Server,
    location: &str,
    name: &str,
    valid: fn(&str) -> bool,
    rule: &str,
) -> Result<Option<String>, Error> {
    match server.extensions.get(name) {
        None => Ok(None),
        Some(serde_json::Value::String(value)) if valid(value) => Ok(Some(value.clone())),
        Some(_) => Err(error(at(location, name), rule)),
    }
}

/// The server's URL with every variable but `region` at its default, and its `region`
/// variable, when the URL is absolute and uses that variable (and no undeclared one).
fn region_url(server: &openapiv3::Server) -> Option<(String, &openapiv3::ServerVariable)> {
    let variables = server.variables.as_ref()?;
    let region = variables.get("region")?;
    let mut url = server.url.clone();
    for (name, variable) in variables {
        if name != "region" {
            url = url.replace(&format!("{{{name}}}"), &variable.default);
        }
    }
    let absolute = url.starts_with("https://") || url.starts_with("http://");
    let usable =
        absolute && url.contains("{region}") && !url.replace("{region}", "").contains(['{', '}']);
    usable.then_some((url, region))
}

/// The region template: every server that [`region_url`] accepts, each with the regions of
/// its `region` variable's `enum` (sorted, without repeats; none: any region), `https`
/// servers first, then `http` ones, each in spec order (specs such as AWS's list a plain-HTTP
/// copy of a server before it, and a client should not resolve regions to it). A region two
/// servers list stays with the first in that order, only the first server without an enum
/// is kept, and an `https` one without an enum leaves no region to `http` servers;
/// [`RegionEndpoint::shadowed`] names the servers that lost regions so. The
/// extensions [`REGION_ENV_PREFIX`] (upper-case letters, digits and `_`, not starting with a
/// digit) and [`REGION_PROFILE_KEY`] (ASCII letters, digits and `_`) come from the first such
/// server in spec order. Refused: an enum value that is not a region id, a default outside
/// the enum, an extension on a server that is not such a server, or on a later one with
/// another value. (An empty enum, which reads as none, is refused by `parse_spec`.)
fn region_endpoint(spec: &OpenAPI) -> Result<Option<RegionEndpoint>, Error> {
    let mut endpoint: Option<(String, RegionEndpoint)> = None;
    // The region servers (URL, regions), in spec order.
    let mut candidates: Vec<(String, &Vec<String>)> = Vec::new();
    for (index, server) in spec.servers.iter().enumerate() {
        let location = format!("#/servers/{index}");
        let prefix = server_extension(
            server,
            &location,
            REGION_ENV_PREFIX,
            |prefix| {
                !prefix.is_empty()
                    && !prefix.starts_with(|c: char| c.is_ascii_digit())
                    && prefix
                        .bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            },
            "must be a string of upper-case letters, digits and `_`, not starting with a digit",
        )?;
        let key = server_extension(
            server,
            &location,
            REGION_PROFILE_KEY,
            |key| !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "must be a non-empty string of ASCII letters, digits and `_`",
        )?;
        let Some((url, variable)) = region_url(server) else {
            for (name, given) in [
                (REGION_ENV_PREFIX, prefix.is_some()),
                (REGION_PROFILE_KEY, key.is_some()),
            ] {
                if given {
                    return Err(error(
                        at(&location, name),
                        "needs an absolute server URL with a `{region}` variable",
                    ));
                }
            }
            continue;
        };
        let variable_location = format!("{location}/variables/region");
        for (i, region) in variable.enumeration.iter().enumerate() {
            if !is_region_id(region) {
                return Err(error(
                    format!("{variable_location}/enum/{i}"),
                    format!("region `{region}` is not lower-case letters, digits and `-`"),
                ));
            }
        }
        if !variable.enumeration.is_empty() && !variable.enumeration.contains(&variable.default) {
            return Err(error(
                at(&variable_location, "default"),
                format!("`{}` is not one of the `enum`'s regions", variable.default),
            ));
        }
        let (first_location, template) = endpoint.get_or_insert_with(|| {
            (
                location.clone(),
                RegionEndpoint {
                    servers: Vec::new(),
                    env_prefix: prefix.clone(),
                    profile_key: key.clone(),
                    shadowed: Vec::new(),
                },
            )
        });
        for (name, given, first) in [
            (REGION_ENV_PREFIX, &prefix, &template.env_prefix),
            (REGION_PROFILE_KEY, &key, &template.profile_key),
        ] {
            if given.is_some() && given != first {
                return Err(error(
                    at(&location, name),
                    format!(
                        "differs from {first_location}'s: the first server with a `{{region}}` \
                         variable gives it"
                    ),
                ));
            }
        }
        candidates.push((url, &variable.enumeration));
    }
    // `https` before `http` (a stable sort: spec order otherwise), then the first wins.
    candidates.sort_by_key(|(url, _)| !url.starts_with("https://"));
    let Some((_, template)) = endpoint.as_mut() else {
        return Ok(None);
    };
    let mut listed: HashSet<&str> = HashSet::new();
    for (url, enumeration) in candidates {
        let mut regions: Vec<String> = enumeration.clone();
        regions.sort();
        regions.dedup();
        // An `https` server without an enum serves every region, before any `http` server.
        let https_for_any = !url.starts_with("https://")
            && template
                .servers
                .iter()
                .any(|s| s.regions.is_empty() && s.url.starts_with("https://"));
        let shadowed = if https_for_any {
            regions.clear();
            true
        } else if regions.is_empty() {
            template.servers.iter().any(|s| s.regions.is_empty())
        } else {
            let before = regions.len();
            regions.retain(|region| !listed.contains(region.as_str()));
            regions.len() < before
        };
        if shadowed {
            template.shadowed.push(url.clone());
        }
        if shadowed && regions.is_empty() {
            continue;
        }
        listed.extend(enumeration.iter().map(String::as_str));
        template.servers.push(RegionServer { url, regions });
    }
    Ok(endpoint.map(|(_, template)| template))
}

/// The first server's URL with each `{variable}` at its default; `None` when there is no
/// server or the URL is relative.
pub(super) fn first_server(spec: &OpenAPI) -> Option<String> {
    let server = spec.servers.first()?;
    let mut url = server.url.clone();
    for (name, variable) in server.variables.iter().flatten() {
        url = url.replace(&format!("{{{name}}}"), &variable.default);
    }
    let absolute = url.starts_with("https://") || url.starts_with("http://");
    (absolute && !url.contains('{')).then_some(url)
}
