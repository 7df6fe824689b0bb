//! The spec itself: it parses as OpenAPI 3.0, every `$ref` resolves, and every example in it
//! validates against the schema it illustrates (issue 2 asks for this; it lives here because
//! the suite owns the schema translation).

#![forbid(unsafe_code)]

use std::collections::BTreeSet;

use clustercert_conformance::schema::{resolve_ref, CompiledSchema};
use clustercert_conformance::spec;
use serde_json::Value;

fn root() -> Value {
    spec::builtin().expect("the embedded spec parses")
}

#[test]
fn spec_parses_as_openapi_3() {
    let parsed: openapiv3::OpenAPI =
        serde_yaml::from_str(spec::BUILTIN_SPEC_YAML).expect("spec/openapi.yaml is OpenAPI 3.0");
    assert!(parsed.openapi.starts_with("3.0."), "{}", parsed.openapi);
    let operation = parsed
        .operations()
        .find(|(_, _, op)| op.operation_id.as_deref() == Some(spec::OPERATION_ID));
    assert!(operation.is_some(), "the operation is in the spec");
}

fn collect_refs(value: &Value, path: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Some(reference) = child.as_str() {
                        out.push((path.to_owned(), reference.to_owned()));
                    }
                } else {
                    collect_refs(child, &format!("{path}/{key}"), out);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_refs(item, &format!("{path}/{index}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn every_ref_resolves() {
    let root = root();
    let mut refs = Vec::new();
    collect_refs(&root, "", &mut refs);
    assert!(refs.len() > 10, "the spec uses $ref ({} found)", refs.len());
    for (at, reference) in refs {
        assert!(
            resolve_ref(&root, &reference).is_ok(),
            "{reference} at {at} does not resolve"
        );
    }
}

/// Follows a `$ref` if there is one.
fn deref<'a>(root: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => resolve_ref(root, reference).expect("ref resolves"),
        None => value,
    }
}

/// Validates every example of every media type under `holder` (a request body or a response)
/// and returns how many it checked; records the component examples it met.
fn check_media_examples(
    root: &Value,
    holder: &Value,
    at: &str,
    used: &mut BTreeSet<String>,
) -> usize {
    let mut checked = 0;
    let Some(content) = holder.get("content").and_then(Value::as_object) else {
        return 0;
    };
    for (media, media_object) in content {
        let schema = media_object.get("schema").expect("media type has a schema");
        let compiled = CompiledSchema::compile(schema, root).expect("schema compiles");
        let mut examples = Vec::new();
        if let Some(example) = media_object.get("example") {
            examples.push(("example".to_owned(), example.clone()));
        }
        if let Some(map) = media_object.get("examples").and_then(Value::as_object) {
            for (name, example) in map {
                if let Some(reference) = example.get("$ref").and_then(Value::as_str) {
                    used.insert(reference.to_owned());
                }
                let example = deref(root, example);
                let value = example.get("value").expect("example has a value");
                examples.push((name.clone(), value.clone()));
            }
        }
        for (name, value) in examples {
            let violations = compiled.validate(&value);
            assert!(
                violations.is_empty(),
                "example {name} of {at} {media} is invalid: {violations:?}"
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn every_example_validates_against_its_schema() {
    let root = root();
    let mut used = BTreeSet::new();
    let mut checked = 0;
    let paths = root["paths"].as_object().expect("paths");
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            if let Some(body) = operation.get("requestBody") {
                let body = deref(&root, body);
                checked +=
                    check_media_examples(&root, body, &format!("{method} {path}"), &mut used);
            }
            for (status, response) in operation["responses"].as_object().expect("responses") {
                let response = deref(&root, response);
                let at = format!("{method} {path} {status}");
                checked += check_media_examples(&root, response, &at, &mut used);
            }
        }
    }
    // Request 2, response 200 2, 400 2, 404 1.
    assert_eq!(checked, 7, "every documented example was checked");

    let components: BTreeSet<String> = root["components"]["examples"]
        .as_object()
        .expect("component examples")
        .keys()
        .map(|name| format!("#/components/examples/{name}"))
        .collect();
    assert_eq!(
        components, used,
        "every component example is used by (and so validated against) a media type"
    );
}

#[test]
fn every_schema_level_example_validates() {
    let root = root();
    let mut checked = 0;
    for (name, schema) in root["components"]["schemas"].as_object().expect("schemas") {
        if let Some(example) = schema.get("example") {
            let compiled = CompiledSchema::compile(schema, &root).expect("schema compiles");
            let violations = compiled.validate(example);
            assert!(violations.is_empty(), "example of {name}: {violations:?}");
            checked += 1;
        }
    }
    assert!(checked >= 1, "ValidityDays has an example");
}
