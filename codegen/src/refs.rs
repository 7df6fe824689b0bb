//! `$ref`s to anywhere in the document: a reference that is not `#/components/<kind>/<name>`
//! (`#/paths/~1a/get/responses/200/headers/x`, `#/components/schemas/A/properties/b`) is
//! replaced by a copy of what it points to before the document is read, so the rest of the
//! generator only meets component references. A copy that would contain itself (a cycle
//! through such pointers) is refused at the `$ref`. The document is held as a
//! `serde_yaml::Value`, whose maps keep their order, so spec order survives the rewrite.

use serde_yaml::Value;

use crate::Error;

/// At most this many references are copied in, so a document cannot grow without bound.
const MAX_COPIES: usize = 10_000;

/// Whether the text may hold a local `$ref` that is not a plain component reference (a cheap
/// scan, so most documents skip the rewrite).
pub(crate) fn may_need_inlining(text: &str) -> bool {
    text.match_indices("$ref").any(|(start, _)| {
        let rest = text[start + 4..].trim_start_matches(['"', '\'', ' ', '\t', ':']);
        let rest = rest.trim_start_matches(['"', '\'']);
        let end = rest
            .find(['"', '\'', '\n', '\r', ',', '}'])
            .unwrap_or(rest.len());
        let reference = rest[..end].trim();
        reference.starts_with('#') && !is_component_reference(reference)
    })
}

/// `#/components/<kind>/<name>`, nothing deeper.
fn is_component_reference(reference: &str) -> bool {
    reference
        .strip_prefix("#/components/")
        .and_then(|rest| rest.split_once('/'))
        .is_some_and(|(kind, name)| !kind.is_empty() && !name.is_empty() && !name.contains('/'))
}

/// Replaces every local `$ref` that is not a component reference by a copy of its target.
pub(crate) fn inline_local_refs(document: &mut Value) -> Result<(), Error> {
    let original = document.clone();
    let mut copies = 0;
    let mut stack = Vec::new();
    inline(document, &original, "#", &mut stack, &mut copies)
}

fn inline(
    value: &mut Value,
    original: &Value,
    location: &str,
    stack: &mut Vec<String>,
    copies: &mut usize,
) -> Result<(), Error> {
    match value {
        Value::Mapping(object) => {
            let target = match object.get("$ref") {
                Some(Value::String(reference))
                    if reference.starts_with('#') && !is_component_reference(reference) =>
                {
                    Some(reference.clone())
                }
                _ => None,
            };
            if let Some(reference) = target {
                let refused = |message: String| Error {
                    location: location.to_owned(),
                    message,
                };
                let pointer = decode(&reference[1..]);
                if stack.contains(&pointer) {
                    return Err(refused(format!(
                        "`$ref` {reference} is circular (through pointers outside #/components)"
                    )));
                }
                *copies += 1;
                if *copies > MAX_COPIES {
                    return Err(refused(format!(
                        "more than {MAX_COPIES} `$ref`s outside #/components to copy in"
                    )));
                }
                let mut copy = lookup(original, &pointer)
                    .cloned()
                    .ok_or_else(|| refused(format!("`$ref` {reference} does not resolve")))?;
                stack.push(pointer);
                let result = inline(&mut copy, original, location, stack, copies);
                stack.pop();
                // A problem inside the copy is reported at this `$ref`, which is in the
                // document (the copy is not).
                result.map_err(|e| Error {
                    location: location.to_owned(),
                    message: e.message,
                })?;
                *value = copy;
                return Ok(());
            }
            for (key, child) in object.iter_mut() {
                let key = match key {
                    Value::String(key) => escape(key),
                    other => serde_yaml::to_string(other)
                        .unwrap_or_default()
                        .trim()
                        .to_owned(),
                };
                let child_location = format!("{location}/{key}");
                inline(child, original, &child_location, stack, copies)?;
            }
            Ok(())
        }
        Value::Tagged(tagged) => inline(&mut tagged.value, original, location, stack, copies),
        Value::Sequence(items) => {
            for (index, child) in items.iter_mut().enumerate() {
                inline(
                    child,
                    original,
                    &format!("{location}/{index}"),
                    stack,
                    copies,
                )?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The value a JSON pointer (`/a/b~1c/0`) names; map keys are matched as text, so `200`
/// finds the key `200` whether YAML read it as a number or a string.
fn lookup<'v>(document: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(document);
    }
    let mut current = document;
    for token in pointer.strip_prefix('/')?.split('/') {
        let token = token.replace("~1", "/").replace("~0", "~");
        current = match current {
            Value::Mapping(map) => map.iter().find_map(|(key, value)| {
                let matches = match key {
                    Value::String(key) => *key == token,
                    Value::Number(n) => n.to_string() == token,
                    Value::Bool(b) => b.to_string() == token,
                    _ => false,
                };
                matches.then_some(value)
            })?,
            Value::Sequence(items) => items.get(token.parse::<usize>().ok()?)?,
            Value::Tagged(tagged) => return lookup(&tagged.value, &format!("/{token}")),
            _ => return None,
        };
    }
    Some(current)
}

/// A URI fragment's JSON pointer with its percent-escapes decoded (`%7B` → `{`); `~0`/`~1`
/// stay for `Value::pointer`.
fn decode(fragment: &str) -> String {
    let bytes = fragment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let (h, l) = (hex(h).unwrap_or(0), hex(l).unwrap_or(0));
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_references_outside_components_need_inlining() {
        assert!(!may_need_inlining(
            r##"{"$ref": "#/components/schemas/A"}"##
        ));
        assert!(may_need_inlining(
            r##"{"$ref": "#/components/schemas/A/properties/b"}"##
        ));
        assert!(may_need_inlining("$ref: '#/paths/~1a/get/responses/200'"));
        assert!(!may_need_inlining("$ref: other.yaml#/A"));
    }

    #[test]
    fn references_are_copied_in_and_cycles_refused() {
        let yaml = |text: &str| -> Value { serde_yaml::from_str(text).expect("yaml") };
        let mut document = yaml(
            "paths: {'/{a}': {x: {type: string}, y: {$ref: '#/paths/~1%7Ba%7D/x'}}}\n\
             components: {schemas: {B: {$ref: '#/components/schemas/A'}}}",
        );
        inline_local_refs(&mut document).expect("inlines");
        assert_eq!(document["paths"]["/{a}"]["y"], yaml("{type: string}"));
        assert_eq!(
            document["components"]["schemas"]["B"],
            yaml("{$ref: '#/components/schemas/A'}")
        );
        // A response code YAML reads as a number is found by its text.
        let mut numbered = yaml("r: {200: {d: 1}}\ns: {$ref: '#/r/200'}");
        inline_local_refs(&mut numbered).expect("inlines");
        assert_eq!(numbered["s"], yaml("{d: 1}"));
        let mut cycle = yaml("a: {b: {$ref: '#/a'}}");
        let error = inline_local_refs(&mut cycle).expect_err("a cycle");
        assert_eq!(
            error.to_string(),
            "#/a/b: `$ref` #/a is circular (through pointers outside #/components)"
        );
    }
}
