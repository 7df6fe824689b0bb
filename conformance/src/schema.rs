//! JSON Schema (draft 4) derived from the spec's OpenAPI 3.0 schemas, and the validators
//! compiled from it.
//!
//! OpenAPI 3.0 schemas are a dialect of JSON Schema draft 4 (then called "wright-00"). The
//! translation in [`to_draft4`] turns one into plain draft 4, so that the `jsonschema` crate
//! validates exactly what the spec means:
//!
//! - every local `$ref` (`#/components/...`, or any JSON pointer into the document) is
//!   replaced by its target, translated in turn (OpenAPI 3.0 ignores a `$ref`'s siblings, and
//!   so does the translation). A recursive schema (a tree, a linked list) cannot be written
//!   out in full: a `$ref` met again inside its own expansion becomes a draft-4 `$ref` to a
//!   `definitions` entry of the translated schema, which holds that target translated once.
//!   A cycle made only of `$ref`s (`A` is `B`, `B` is `A`) means nothing and is an error.
//!   When writing the `$ref`s out would take more than [`INLINE_NODES`] schema objects (a
//!   document whose schemas each refer to several others, many levels deep), every `$ref`
//!   becomes a `definitions` entry instead, which keeps the translation as large as the
//!   document; past [`MAX_NODES`] it is an error;
//! - a `pattern` that is not an ECMA 262 regular expression `jsonschema` can compile (OpenAPI
//!   documents use the forms browsers accept without the `u` flag, such as `[\w-.]` or
//!   `\u0020`) is kept as `x-pattern-not-checked`: the schema still compiles, and the
//!   pattern is visibly not enforced;
//! - `nullable: true` adds `null` to `type` (and to `enum`), or, without a `type`, wraps the
//!   schema in `anyOf: [schema, {type: null}]`;
//! - `example`, `readOnly`, `writeOnly`, `xml`, `discriminator`, `externalDocs`, `deprecated`
//!   and every `x-` extension are dropped: they do not constrain an instance;
//! - `format: int32` / `int64` become `minimum` / `maximum` bounds (unless the schema already
//!   has tighter ones), since draft 4 knows no integer formats.
//!
//! [`Validators`] compiles the operation's request and response schemas once.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use jsonschema::Validator;
use serde_json::{json, Map, Value};

use crate::spec::{self, OPERATION_ID};

/// The `$schema` every translated schema declares.
pub const DRAFT4: &str = "http://json-schema.org/draft-04/schema#";

/// A schema could not be translated or compiled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// A `$ref` that is not a local JSON pointer, or points nowhere.
    #[error("unresolvable $ref {0:?}")]
    UnresolvedRef(String),
    /// A `$ref` that leads back to itself.
    #[error("$ref cycle through {0:?}")]
    RefCycle(String),
    /// The spec lacks something the suite needs (the operation, its request body, …).
    #[error("spec: {0}")]
    Spec(String),
    /// The translation would hold more values than the bound given.
    #[error("the translated schema would exceed {0} values")]
    TooLarge(usize),
    /// The translated schema is not valid draft 4.
    #[error("schema does not compile: {0}")]
    Compile(String),
}

/// Translates one OpenAPI 3.0 schema into a JSON Schema draft 4 schema. `root` is the whole
/// OpenAPI document, against which `$ref`s resolve. The result carries no `$schema`;
/// [`Validators`] adds it.
///
/// ```
/// use serde_json::json;
/// use clustercert_conformance::schema::to_draft4;
///
/// let root = json!({"components": {"schemas": {"Days": {"type": "integer", "format": "int32"}}}});
/// let schema = json!({"$ref": "#/components/schemas/Days", "nullable": true, "example": 3});
/// assert_eq!(
///     to_draft4(&schema, &root).unwrap(),
///     json!({"type": "integer", "minimum": -2147483648, "maximum": 2147483647})
/// );
/// ```
pub fn to_draft4(schema: &Value, root: &Value) -> Result<Value, SchemaError> {
    to_draft4_within(schema, root, INLINE_NODES, MAX_NODES)
}

/// [`to_draft4`] with other bounds: `$ref`s are written out while that takes at most
/// `inline_nodes` schema objects, and the translation fails past `max_nodes`.
pub fn to_draft4_within(
    schema: &Value,
    root: &Value,
    inline_nodes: usize,
    max_nodes: usize,
) -> Result<Value, SchemaError> {
    match translate_with(schema, root, true, inline_nodes.min(max_nodes)) {
        Err(SchemaError::TooLarge(_)) => translate_with(schema, root, false, max_nodes),
        done => done,
    }
}

fn translate_with(
    schema: &Value,
    root: &Value,
    inline: bool,
    max_nodes: usize,
) -> Result<Value, SchemaError> {
    let mut translation = Translation {
        root,
        stack: Vec::new(),
        definitions: BTreeMap::new(),
        nodes: 0,
        max_nodes,
        inline,
        patterns: BTreeMap::new(),
    };
    let mut out = translation.translate(schema)?;
    // Each recursive target, translated once with itself on the stack, so that its own
    // reappearances (and those of the targets it recurses through) stay `$ref`s. Translating
    // one may ask for more.
    while let Some(reference) = translation
        .definitions
        .iter()
        .find_map(|(reference, done)| done.is_none().then(|| reference.clone()))
    {
        let target = resolve_ref(root, &reference)?;
        translation.stack.push(reference.clone());
        let translated = translation.translate(target)?;
        translation.stack.pop();
        translation.definitions.insert(reference, Some(translated));
    }
    if !translation.definitions.is_empty() {
        let definitions: Map<String, Value> = translation
            .definitions
            .into_iter()
            .map(|(reference, translated)| {
                (definition_key(&reference), translated.unwrap_or_default())
            })
            .collect();
        // Beside a `$ref`, draft 4 ignores every keyword, so a root that is one is wrapped.
        match &mut out {
            Value::Object(map) if !map.contains_key("$ref") => {
                map.insert("definitions".into(), Value::Object(definitions));
            }
            other => {
                *other = json!({"allOf": [other.take()], "definitions": definitions});
            }
        }
    }
    Ok(out)
}

/// The most schema objects a translation writes with its `$ref`s written out; past it, every
/// `$ref` becomes a `definitions` entry.
pub const INLINE_NODES: usize = 20_000;

/// The most schema objects one translated schema may hold.
pub const MAX_NODES: usize = 1_000_000;

/// The state of one [`to_draft4`] call.
struct Translation<'a> {
    root: &'a Value,
    /// The `$ref`s being expanded, outermost first.
    stack: Vec<String>,
    /// The `$ref`s met inside their own expansion, with their translation once made.
    definitions: BTreeMap<String, Option<Value>>,
    /// Schema objects written so far, against `max_nodes`.
    nodes: usize,
    max_nodes: usize,
    /// Whether `$ref`s are written out (else each is a `definitions` entry).
    inline: bool,
    /// Whether each `pattern` met compiles.
    patterns: BTreeMap<String, bool>,
}

/// The `definitions` key of a recursive `$ref`'s target: its pointer without the leading `#/`.
fn definition_key(reference: &str) -> String {
    reference
        .trim_start_matches('#')
        .trim_start_matches('/')
        .to_owned()
}

impl Translation<'_> {
    fn translate(&mut self, schema: &Value) -> Result<Value, SchemaError> {
        self.nodes += 1;
        if self.nodes > self.max_nodes {
            return Err(SchemaError::TooLarge(self.max_nodes));
        }
        let Value::Object(object) = schema else {
            // `true`/`false` or anything else: not an OpenAPI 3.0 schema object; keep it.
            return Ok(schema.clone());
        };
        if let Some(reference) = object.get("$ref") {
            let reference = reference
                .as_str()
                .ok_or_else(|| SchemaError::UnresolvedRef(reference.to_string()))?;
            let target = resolve_ref(self.root, reference)?;
            only_refs_cycle(self.root, reference)?;
            if !self.inline || self.stack.iter().any(|seen| seen == reference) {
                self.definitions.entry(reference.to_owned()).or_insert(None);
                let key = escape_pointer(&definition_key(reference));
                return Ok(json!({ "$ref": format!("#/definitions/{key}") }));
            }
            self.stack.push(reference.to_owned());
            let translated = self.translate(target);
            self.stack.pop();
            return translated;
        }

        let mut out = Map::new();
        for (key, value) in object {
            match key.as_str() {
                "example" | "readOnly" | "writeOnly" | "xml" | "discriminator" | "externalDocs"
                | "deprecated" | "nullable" => {}
                extension if extension.starts_with("x-") => {}
                "properties" => {
                    let mut properties = Map::new();
                    if let Value::Object(map) = value {
                        for (name, property) in map {
                            properties.insert(name.clone(), self.translate(property)?);
                        }
                    }
                    out.insert(key.clone(), Value::Object(properties));
                }
                "items" | "not" | "additionalProperties" => {
                    out.insert(key.clone(), self.translate(value)?);
                }
                "pattern" => {
                    let compiles = match value.as_str() {
                        Some(pattern) => *self
                            .patterns
                            .entry(pattern.to_owned())
                            .or_insert_with(|| pattern_compiles(pattern)),
                        None => true,
                    };
                    let key = if compiles {
                        "pattern"
                    } else {
                        "x-pattern-not-checked"
                    };
                    out.insert(key.into(), value.clone());
                }
                "allOf" | "anyOf" | "oneOf" => {
                    let mut branches = Vec::new();
                    if let Value::Array(items) = value {
                        for item in items {
                            branches.push(self.translate(item)?);
                        }
                    }
                    out.insert(key.clone(), Value::Array(branches));
                }
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        apply_integer_format(&mut out);
        if object.get("nullable") == Some(&Value::Bool(true)) {
            return Ok(make_nullable(out));
        }
        Ok(Value::Object(out))
    }
}

/// Whether `jsonschema` accepts `pattern` as a draft-4 `pattern` (an ECMA 262 regular
/// expression it can compile).
fn pattern_compiles(pattern: &str) -> bool {
    jsonschema::draft4::new(&json!({ "pattern": pattern })).is_ok()
}

/// An error when `reference` leads, through `$ref`s alone, back to itself.
fn only_refs_cycle(root: &Value, reference: &str) -> Result<(), SchemaError> {
    let mut seen = vec![reference];
    let mut at = resolve_ref(root, reference)?;
    while let Some(next) = at.get("$ref").and_then(Value::as_str) {
        if seen.contains(&next) {
            return Err(SchemaError::RefCycle(reference.to_owned()));
        }
        seen.push(next);
        at = resolve_ref(root, next)?;
    }
    Ok(())
}

/// Resolves a local `$ref` (`#/a/b`, its segments JSON-pointer escaped and, as a URI fragment
/// may be, percent-encoded) against the document.
pub fn resolve_ref<'a>(root: &'a Value, reference: &str) -> Result<&'a Value, SchemaError> {
    let unresolved = || SchemaError::UnresolvedRef(reference.to_owned());
    let pointer = reference.strip_prefix('#').ok_or_else(unresolved)?;
    if let Some(found) = root.pointer(pointer) {
        return Ok(found);
    }
    let decoded = percent_encoding::percent_decode_str(pointer)
        .decode_utf8()
        .map_err(|_| unresolved())?;
    root.pointer(&decoded).ok_or_else(unresolved)
}

/// `format: int32` / `int64` → bounds, keeping tighter bounds the schema already has.
fn apply_integer_format(out: &mut Map<String, Value>) {
    let (min, max) = match out.get("format").and_then(Value::as_str) {
        Some("int32") => (i64::from(i32::MIN), i64::from(i32::MAX)),
        Some("int64") => (i64::MIN, i64::MAX),
        _ => return,
    };
    out.remove("format");
    let looser_min = match out.get("minimum").and_then(Value::as_f64) {
        Some(existing) => existing < min as f64,
        None => true,
    };
    if looser_min {
        out.insert("minimum".into(), json!(min));
        out.remove("exclusiveMinimum");
    }
    let looser_max = match out.get("maximum").and_then(Value::as_f64) {
        Some(existing) => existing > max as f64,
        None => true,
    };
    if looser_max {
        out.insert("maximum".into(), json!(max));
        out.remove("exclusiveMaximum");
    }
}

/// `nullable: true` → `null` becomes an accepted value.
fn make_nullable(mut out: Map<String, Value>) -> Value {
    match out.get("type").cloned() {
        Some(Value::String(single)) => {
            out.insert("type".into(), json!([single, "null"]));
            if let Some(Value::Array(values)) = out.get_mut("enum") {
                if !values.contains(&Value::Null) {
                    values.push(Value::Null);
                }
            }
            Value::Object(out)
        }
        _ => json!({"anyOf": [Value::Object(out), {"type": "null"}]}),
    }
}

/// One schema violation: where in the instance, which schema keyword, and what.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SchemaViolation {
    /// JSON Pointer into the validated instance, `""` for its root.
    pub instance_path: String,
    /// JSON Pointer into the translated schema, ending in the failing keyword.
    pub schema_path: String,
    /// What failed. Instance values are masked, so a secret never ends up here.
    pub message: String,
}

/// One compiled schema and the translated draft-4 document it came from.
#[derive(Debug)]
pub struct CompiledSchema {
    /// The translated schema (with `$schema`).
    pub schema: Value,
    validator: Validator,
}

impl CompiledSchema {
    /// Translates and compiles an OpenAPI schema.
    pub fn compile(openapi_schema: &Value, root: &Value) -> Result<Self, SchemaError> {
        let mut schema = to_draft4(openapi_schema, root)?;
        if let Value::Object(map) = &mut schema {
            map.insert("$schema".into(), json!(DRAFT4));
        }
        let validator =
            jsonschema::draft4::new(&schema).map_err(|e| SchemaError::Compile(e.to_string()))?;
        Ok(CompiledSchema { schema, validator })
    }

    /// Every violation of `instance`, in the validator's order.
    pub fn validate(&self, instance: &Value) -> Vec<SchemaViolation> {
        self.violations(instance).collect()
    }

    /// The violations of `instance` one at a time, so a caller can stop or count instead of
    /// holding them all.
    pub fn violations<'a>(
        &'a self,
        instance: &'a Value,
    ) -> impl Iterator<Item = SchemaViolation> + 'a {
        self.validator
            .iter_errors(instance)
            .map(|error| SchemaViolation {
                instance_path: error.instance_path().as_str().to_owned(),
                schema_path: error.schema_path().as_str().to_owned(),
                message: error.masked().to_string(),
            })
    }

    /// Whether `instance` is valid. Faster than [`CompiledSchema::validate`].
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.validator.is_valid(instance)
    }

    /// JSON Pointers (into `instance`) of the object properties the schema does not declare,
    /// where the schema does not say `additionalProperties` either way. OpenAPI allows them;
    /// the suite notes them.
    pub fn undeclared_properties(&self, instance: &Value) -> Vec<String> {
        let mut out = Vec::new();
        self.each_undeclared_property(instance, &mut |path| out.push(path));
        out
    }

    /// Calls `found` with the JSON Pointer of each undeclared property, in document order,
    /// without collecting them.
    pub fn each_undeclared_property(&self, instance: &Value, found: &mut dyn FnMut(String)) {
        undeclared(&self.schema, &self.schema, instance, "", found);
    }
}

fn undeclared(
    schema: &Value,
    document: &Value,
    instance: &Value,
    path: &str,
    out: &mut dyn FnMut(String),
) {
    // A recursive target: a `$ref` into the translated schema's own `definitions`. A chain
    // of them ends (a cycle of `$ref`s alone is refused by the translation); the bound only
    // guards against a hand-made schema.
    // A root wrapped as `allOf: [root]` beside its `definitions` is looked through too.
    let mut schema = schema;
    for _ in 0..64 {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            match reference
                .strip_prefix('#')
                .and_then(|pointer| document.pointer(pointer))
            {
                Some(target) => schema = target,
                None => return,
            }
        } else if let (None, Some([only])) = (
            schema.get("properties"),
            schema
                .get("allOf")
                .and_then(Value::as_array)
                .map(Vec::as_slice),
        ) {
            schema = only;
        } else {
            break;
        }
    }
    match instance {
        Value::Object(map) => {
            let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                return;
            };
            let additional_said = schema.get("additionalProperties").is_some();
            for (key, value) in map {
                let child = format!("{path}/{}", escape_pointer(key));
                match properties.get(key) {
                    Some(property) => undeclared(property, document, value, &child, out),
                    None if !additional_said => out(child),
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (index, item) in items.iter().enumerate() {
                    undeclared(item_schema, document, item, &format!("{path}/{index}"), out);
                }
            }
        }
        _ => {}
    }
}

/// Escapes one JSON Pointer segment (`~` → `~0`, `/` → `~1`).
pub fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The compiled schemas of `CreateKubernetesClusterCert`: request body and every documented
/// response status. Build once ([`Validators::builtin`] caches the embedded spec's).
#[derive(Debug)]
pub struct Validators {
    /// The request body schema (`CertDuration`).
    pub request: CompiledSchema,
    /// Response body schemas by status code (`"200"`, `"400"`, …).
    pub responses: BTreeMap<String, CompiledSchema>,
}

impl Validators {
    /// Compiles the operation's schemas from an OpenAPI document.
    pub fn from_spec(root: &Value) -> Result<Self, SchemaError> {
        let operation = find_operation(root, OPERATION_ID)?;
        let request_schema = operation
            .pointer("/requestBody/content/application~1json/schema")
            .ok_or_else(|| SchemaError::Spec("operation has no JSON request body".into()))?;
        let request = CompiledSchema::compile(request_schema, root)?;
        let mut responses = BTreeMap::new();
        let declared = operation
            .get("responses")
            .and_then(Value::as_object)
            .ok_or_else(|| SchemaError::Spec("operation has no responses".into()))?;
        for (status, response) in declared {
            let response = match response.get("$ref").and_then(Value::as_str) {
                Some(reference) => resolve_ref(root, reference)?,
                None => response,
            };
            if let Some(schema) = response.pointer("/content/application~1json/schema") {
                responses.insert(status.clone(), CompiledSchema::compile(schema, root)?);
            }
        }
        Ok(Validators { request, responses })
    }

    /// The validators of the embedded `spec/openapi.yaml`, compiled on first use.
    pub fn builtin() -> Result<&'static Validators, SchemaError> {
        static BUILTIN: OnceLock<Result<Validators, SchemaError>> = OnceLock::new();
        BUILTIN
            .get_or_init(|| {
                // `{:#}` renders the cause chain: `SpecError`'s own message leaves its cause out.
                let root = spec::builtin()
                    .map_err(|e| SchemaError::Spec(format!("{:#}", anyhow::Error::new(e))))?;
                Validators::from_spec(&root)
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The schema of a response status, when the spec documents that status.
    pub fn response(&self, status: u16) -> Option<&CompiledSchema> {
        self.responses.get(&status.to_string())
    }

    /// The documented statuses.
    pub fn documented_statuses(&self) -> BTreeSet<u16> {
        self.responses
            .keys()
            .filter_map(|status| status.parse().ok())
            .collect()
    }
}

/// Finds an operation by `operationId` under `paths`.
pub fn find_operation<'a>(root: &'a Value, operation_id: &str) -> Result<&'a Value, SchemaError> {
    root.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.values())
        .filter_map(Value::as_object)
        .flat_map(|item| item.values())
        .find(|operation| {
            operation.get("operationId").and_then(Value::as_str) == Some(operation_id)
        })
        .ok_or_else(|| SchemaError::Spec(format!("no operation {operation_id}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Value {
        json!({"components": {"schemas": {
            "Name": {"type": "string", "example": "x"},
            "Loop": {"$ref": "#/components/schemas/Loop"},
        }}})
    }

    fn compile(schema: Value) -> CompiledSchema {
        CompiledSchema::compile(&schema, &root()).unwrap()
    }

    #[test]
    fn ref_is_replaced_by_its_translated_target() {
        let out = to_draft4(&json!({"$ref": "#/components/schemas/Name"}), &root()).unwrap();
        assert_eq!(out, json!({"type": "string"}));
    }

    #[test]
    fn ref_siblings_are_ignored_as_openapi_30_says() {
        let schema =
            json!({"$ref": "#/components/schemas/Name", "description": "d", "minLength": 9});
        assert_eq!(
            to_draft4(&schema, &root()).unwrap(),
            json!({"type": "string"})
        );
    }

    #[test]
    fn unresolvable_and_cyclic_refs_are_errors() {
        let missing = to_draft4(&json!({"$ref": "#/components/schemas/Nope"}), &root());
        assert_eq!(
            missing,
            Err(SchemaError::UnresolvedRef(
                "#/components/schemas/Nope".into()
            ))
        );
        let remote = to_draft4(&json!({"$ref": "other.yaml#/x"}), &root());
        assert!(matches!(remote, Err(SchemaError::UnresolvedRef(_))));
        let cycle = to_draft4(&json!({"$ref": "#/components/schemas/Loop"}), &root());
        assert_eq!(
            cycle,
            Err(SchemaError::RefCycle("#/components/schemas/Loop".into()))
        );
    }

    fn tree_root() -> Value {
        json!({"components": {"schemas": {
            "Tree": {"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}},
                "parent": {"$ref": "#/components/schemas/Parent"},
            }},
            "Parent": {"type": "object", "nullable": true, "properties": {
                "of": {"$ref": "#/components/schemas/Tree"},
            }},
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/A"},
        }}})
    }

    #[test]
    fn recursive_schemas_become_definitions_and_validate_at_any_depth() {
        let root = tree_root();
        let schema = json!({"$ref": "#/components/schemas/Tree"});
        let out = to_draft4(&schema, &root).unwrap();
        assert_eq!(
            out.pointer("/properties/children/items"),
            Some(&json!({"$ref": "#/definitions/components~1schemas~1Tree"}))
        );
        assert_eq!(
            out.pointer("/definitions/components~1schemas~1Tree/required"),
            Some(&json!(["name"]))
        );
        let compiled = CompiledSchema::compile(&schema, &root).unwrap();
        let deep = json!({"name": "a", "children": [{"name": "b", "children": [
            {"name": "c", "parent": {"of": {"name": "d", "children": []}}}
        ]}]});
        assert!(compiled.is_valid(&deep));
        // The same tree with a name missing four levels down fails, at that place.
        let mut broken = deep.clone();
        broken
            .pointer_mut("/children/0/children/0/parent/of")
            .unwrap()
            .as_object_mut()
            .unwrap()
            .remove("name");
        let violations = compiled.validate(&broken);
        assert_eq!(violations.len(), 1, "{violations:?}");
        assert_eq!(
            violations[0].instance_path,
            "/children/0/children/0/parent/of"
        );
        // Undeclared properties are found through the definitions too.
        let extra = json!({"name": "a", "children": [{"name": "b", "x": 1}]});
        assert_eq!(
            compiled.undeclared_properties(&extra),
            vec!["/children/0/x"]
        );
    }

    #[test]
    fn a_cycle_of_refs_alone_is_an_error_wherever_it_is_met() {
        let root = tree_root();
        for start in ["A", "B"] {
            let reference = format!("#/components/schemas/{start}");
            assert_eq!(
                to_draft4(&json!({ "$ref": reference }), &root),
                Err(SchemaError::RefCycle(reference.clone()))
            );
        }
        let inside =
            json!({"type": "object", "properties": {"a": {"$ref": "#/components/schemas/A"}}});
        assert!(matches!(
            to_draft4(&inside, &root),
            Err(SchemaError::RefCycle(_))
        ));
    }

    #[test]
    fn percent_encoded_refs_resolve_and_fan_out_is_bounded() {
        let root = json!({"components": {"schemas": {"A b": {"type": "string"}}}});
        assert_eq!(
            to_draft4(&json!({"$ref": "#/components/schemas/A%20b"}), &root).unwrap(),
            json!({"type": "string"})
        );
        // 24 levels, each referring twice to the next: 2^24 copies if written out in full, so
        // every `$ref` becomes a definition, and the result is as large as the document.
        let mut schemas = Map::new();
        for level in 0..24 {
            let next = json!({"$ref": format!("#/components/schemas/L{}", level + 1)});
            schemas.insert(
                format!("L{level}"),
                json!({"type": "object", "properties": {"a": next.clone(), "b": next}}),
            );
        }
        schemas.insert("L24".into(), json!({"type": "string"}));
        let root = json!({"components": {"schemas": schemas}});
        let schema = json!({"$ref": "#/components/schemas/L0"});
        let out = to_draft4(&schema, &root).unwrap();
        assert_eq!(
            out.pointer("/allOf/0"),
            Some(&json!({"$ref": "#/definitions/components~1schemas~1L0"}))
        );
        assert_eq!(out["definitions"].as_object().map(Map::len), Some(25));
        let compiled = CompiledSchema::compile(&schema, &root).unwrap();
        let mut deep = json!("leaf");
        for _ in 0..24 {
            deep = json!({"a": deep, "c": 1});
        }
        assert!(compiled.is_valid(&deep));
        assert_eq!(
            compiled.undeclared_properties(&json!({"a": {"zz": 1, "a": "x"}, "b": "y"})),
            vec!["/a/zz"]
        );
        // Past the bound even as definitions: an error.
        assert_eq!(
            to_draft4_within(&schema, &root, 100, 10),
            Err(SchemaError::TooLarge(10))
        );
    }

    #[test]
    fn a_pattern_jsonschema_cannot_compile_is_kept_visibly_unchecked() {
        let root = json!({});
        for pattern in [r"^[\w-.+]+@[\w-.+]+$", r"[^/:|\000-\037]+", r"^\u0020[a]$"] {
            let out = to_draft4(&json!({"type": "string", "pattern": pattern}), &root).unwrap();
            if out.get("pattern").is_some() {
                continue; // this one the engine takes
            }
            assert_eq!(out["x-pattern-not-checked"], json!(pattern), "{out}");
            assert!(
                CompiledSchema::compile(&json!({"type": "string", "pattern": pattern}), &root)
                    .is_ok()
            );
        }
        let checked =
            CompiledSchema::compile(&json!({"type": "string", "pattern": "^a+$"}), &root).unwrap();
        assert!(checked.is_valid(&json!("aa")));
        assert!(!checked.is_valid(&json!("ab")));
        let unchecked = json!({"type": "string", "pattern": r"^[\w-.]+$"});
        let out = to_draft4(&unchecked, &root).unwrap();
        assert_eq!(
            out,
            json!({"type": "string", "x-pattern-not-checked": r"^[\w-.]+$"})
        );
    }

    #[test]
    fn nullable_with_type_adds_null_to_type_and_enum() {
        let out = to_draft4(
            &json!({"type": "string", "enum": ["a"], "nullable": true}),
            &root(),
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
        let compiled = compile(json!({"type": "string", "enum": ["a"], "nullable": true}));
        assert!(compiled.is_valid(&Value::Null));
        assert!(compiled.is_valid(&json!("a")));
        assert!(!compiled.is_valid(&json!("b")));
    }

    #[test]
    fn nullable_without_type_wraps_in_any_of() {
        let out = to_draft4(&json!({"minimum": 1, "nullable": true}), &root()).unwrap();
        assert_eq!(out, json!({"anyOf": [{"minimum": 1}, {"type": "null"}]}));
    }

    #[test]
    fn not_nullable_rejects_null() {
        let compiled = compile(json!({"type": "string", "nullable": false}));
        assert!(!compiled.is_valid(&Value::Null));
    }

    #[test]
    fn annotations_and_extensions_are_dropped() {
        let schema = json!({
            "type": "object",
            "example": {}, "readOnly": true, "writeOnly": false, "xml": {"name": "x"},
            "discriminator": {"propertyName": "kind"}, "externalDocs": {"url": "u"},
            "deprecated": true, "x-sensitive": true, "description": "kept"
        });
        assert_eq!(
            to_draft4(&schema, &root()).unwrap(),
            json!({"type": "object", "description": "kept"})
        );
    }

    #[test]
    fn a_property_named_like_a_keyword_is_kept() {
        let schema =
            json!({"properties": {"example": {"type": "string"}, "x-a": {"type": "integer"}}});
        assert_eq!(to_draft4(&schema, &root()).unwrap(), schema);
    }

    #[test]
    fn int32_format_becomes_bounds() {
        let compiled = compile(json!({"type": "integer", "format": "int32"}));
        assert_eq!(compiled.schema["minimum"], json!(-2147483648_i64));
        assert_eq!(compiled.schema["maximum"], json!(2147483647_i64));
        assert!(compiled.schema.get("format").is_none());
        assert!(compiled.is_valid(&json!(2147483647_i64)));
        assert!(!compiled.is_valid(&json!(2147483648_i64)));
        assert!(!compiled.is_valid(&json!(-2147483649_i64)));
    }

    #[test]
    fn int64_format_becomes_bounds_and_tighter_bounds_stay() {
        let out = to_draft4(
            &json!({"type": "integer", "format": "int64", "minimum": 1}),
            &root(),
        )
        .unwrap();
        assert_eq!(
            out,
            json!({"type": "integer", "minimum": 1, "maximum": i64::MAX})
        );
    }

    #[test]
    fn other_formats_are_kept() {
        let out = to_draft4(&json!({"type": "string", "format": "date-time"}), &root()).unwrap();
        assert_eq!(out, json!({"type": "string", "format": "date-time"}));
    }

    #[test]
    fn nested_schemas_are_translated() {
        let schema = json!({
            "type": "object",
            "properties": {"a": {"$ref": "#/components/schemas/Name"}},
            "additionalProperties": {"type": "integer", "format": "int32", "example": 1},
            "items": {"nullable": true, "type": "boolean"},
            "not": {"x-y": 1, "type": "null"},
            "oneOf": [{"$ref": "#/components/schemas/Name"}],
            "allOf": [{"example": 1}],
            "anyOf": [{"readOnly": true}]
        });
        let out = to_draft4(&schema, &root()).unwrap();
        assert_eq!(out["properties"]["a"], json!({"type": "string"}));
        assert_eq!(out["additionalProperties"]["maximum"], json!(i32::MAX));
        assert_eq!(out["items"]["type"], json!(["boolean", "null"]));
        assert_eq!(out["not"], json!({"type": "null"}));
        assert_eq!(out["oneOf"], json!([{"type": "string"}]));
        assert_eq!(out["allOf"], json!([{}]));
        assert_eq!(out["anyOf"], json!([{}]));
    }

    #[test]
    fn violations_carry_instance_and_schema_paths() {
        let compiled = compile(json!({
            "type": "object",
            "required": ["a"],
            "properties": {"b": {"type": "array", "items": {"type": "integer"}}}
        }));
        let violations = compiled.validate(&json!({"b": [1, "two"]}));
        let paths: Vec<(&str, &str)> = violations
            .iter()
            .map(|v| (v.instance_path.as_str(), v.schema_path.as_str()))
            .collect();
        assert!(paths.contains(&("", "/required")), "{paths:?}");
        assert!(
            paths.contains(&("/b/1", "/properties/b/items/type")),
            "{paths:?}"
        );
    }

    #[test]
    fn violation_messages_mask_the_instance_value() {
        let compiled = compile(json!({"type": "integer"}));
        let violations = compiled.validate(&json!("very-secret-key"));
        assert_eq!(violations.len(), 1);
        assert!(!violations[0].message.contains("very-secret-key"));
    }

    #[test]
    fn undeclared_properties_are_listed_unless_additional_properties_is_said() {
        let compiled = compile(json!({
            "properties": {
                "a": {"properties": {"x": {}}},
                "free": {"properties": {}, "additionalProperties": true},
                "list": {"items": {"properties": {"y": {}}}}
            }
        }));
        let found = compiled.undeclared_properties(&json!({
            "a": {"x": 1, "z": 2}, "free": {"q": 1}, "list": [{"y": 1}, {"w/v": 2}], "top": 0
        }));
        assert_eq!(found, vec!["/a/z", "/list/1/w~1v", "/top"]);
    }

    #[test]
    fn builtin_validators_enforce_the_duration_rule() {
        let validators = Validators::builtin().unwrap();
        for good in [-1, 1, 30, 1825] {
            assert!(
                validators.request.is_valid(&json!({"duration": good})),
                "{good}"
            );
        }
        for bad in [
            json!(0),
            json!(-2),
            json!(1826),
            json!("30"),
            Value::Null,
            json!(1.5),
        ] {
            assert!(
                !validators.request.is_valid(&json!({"duration": bad})),
                "{bad}"
            );
        }
        assert!(!validators.request.is_valid(&json!({})));
        assert_eq!(
            validators
                .documented_statuses()
                .into_iter()
                .collect::<Vec<_>>(),
            vec![200, 400, 401, 403, 404, 429, 500]
        );
    }
}
