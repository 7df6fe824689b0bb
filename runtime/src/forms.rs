//! Values written through their JSON form: `multipart/form-data` bodies ([`MultipartForm`],
//! RFC 7578) and query or header parameters that are objects or arrays ([`param_json`],
//! [`param_text`], [`query_pairs`] for keys the spec names, [`query_members`] for keys only
//! the value knows, [`joined`]), in the OpenAPI styles generated clients use: `form`,
//! `deepObject` and `simple`.
//!
//! Everything here is deterministic: the same value always gives the same bytes, so a
//! request can be compared, signed or replayed. A `null` is never sent (no part, no pair).

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;

use crate::Error;

/// The first boundary tried; when a part contains it, `form-boundary-1`, `-2`, … follow.
const BOUNDARY: &str = "form-boundary";

/// A `multipart/form-data` body (RFC 7578), written part by part, in the order the parts
/// are added.
///
/// ```
/// use clustercert_runtime::forms::MultipartForm;
///
/// let mut form = MultipartForm::new();
/// form.value("title", "Rex")?;
/// form.value("tags", &["a", "b"])?;                 // one part per item
/// form.value("meta", &serde_json::json!({"k": 1}))?; // an object: a part holding JSON
/// form.value("none", &serde_json::Value::Null)?;    // `null`: no part
/// form.file("photo", b"\x89PNG");
/// let (content_type, body) = form.finish();
/// assert_eq!(content_type, "multipart/form-data; boundary=form-boundary");
/// assert_eq!(
///     body,
///     b"--form-boundary\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nRex\r\n\
///       --form-boundary\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\na\r\n\
///       --form-boundary\r\nContent-Disposition: form-data; name=\"tags\"\r\n\r\nb\r\n\
///       --form-boundary\r\nContent-Disposition: form-data; name=\"meta\"\r\n\
///       Content-Type: application/json\r\n\r\n{\"k\":1}\r\n\
///       --form-boundary\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"photo\"\r\n\
///       Content-Type: application/octet-stream\r\n\r\n\x89PNG\r\n\
///       --form-boundary--\r\n"
/// );
/// # Ok::<(), clustercert_runtime::Error>(())
/// ```
#[derive(Default)]
pub struct MultipartForm {
    parts: Vec<FormPart>,
}

/// One part of a form: its name, whether it is a file, its media type and its bytes.
struct FormPart {
    name: String,
    file: bool,
    content_type: Option<&'static str>,
    data: Vec<u8>,
}

/// Names and sizes only: a part may hold a secret.
impl fmt::Debug for MultipartForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.parts
                    .iter()
                    .map(|part| format!("{} ({} bytes)", part.name, part.data.len())),
            )
            .finish()
    }
}

impl MultipartForm {
    /// An empty form.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a value through serde: a string, number or boolean as a text part, an array as
    /// one part per item, an object (or an array inside the array) as a part holding JSON
    /// (`Content-Type: application/json`); `null` adds nothing.
    ///
    /// ```
    /// let mut form = clustercert_runtime::forms::MultipartForm::new();
    /// form.value("n", &5)?;
    /// assert_eq!(
    ///     form.finish().1,
    ///     b"--form-boundary\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\n5\r\n--form-boundary--\r\n"
    /// );
    /// # Ok::<(), clustercert_runtime::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming the field when the value does not serialize to JSON
    /// (a map whose keys are not strings, say).
    pub fn value<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), Error> {
        let value = serde_json::to_value(value)
            .map_err(|e| Error::InvalidInput(format!("form field {name}: {e}")))?;
        match value {
            serde_json::Value::Array(items) => {
                for item in &items {
                    self.scalar_or_json(name, item);
                }
            }
            other => self.scalar_or_json(name, &other),
        }
        Ok(())
    }

    fn scalar_or_json(&mut self, name: &str, value: &serde_json::Value) {
        let (content_type, data) = match value {
            serde_json::Value::Null => return,
            serde_json::Value::String(text) => (None, text.clone().into_bytes()),
            serde_json::Value::Bool(_) | serde_json::Value::Number(_) => {
                (None, value.to_string().into_bytes())
            }
            _ => (Some("application/json"), value.to_string().into_bytes()),
        };
        self.parts.push(FormPart {
            name: name.to_owned(),
            file: false,
            content_type,
            data,
        });
    }

    /// Adds a file: the bytes as `application/octet-stream`, its `filename` the field's name.
    ///
    /// ```
    /// let mut form = clustercert_runtime::forms::MultipartForm::new();
    /// form.file("f", b"\x00\x01");
    /// assert_eq!(
    ///     form.finish().1,
    ///     b"--form-boundary\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n\
    ///       Content-Type: application/octet-stream\r\n\r\n\x00\x01\r\n--form-boundary--\r\n"
    /// );
    /// ```
    pub fn file(&mut self, name: &str, data: &[u8]) {
        self.parts.push(FormPart {
            name: name.to_owned(),
            file: true,
            content_type: Some("application/octet-stream"),
            data: data.to_vec(),
        });
    }

    /// The `Content-Type` (with the boundary) and the body. The boundary is the first of
    /// `form-boundary`, `form-boundary-1`, … that no part contains, so the same form always
    /// gives the same bytes. A `"`, CR or LF in a name is percent-encoded (`%22`, `%0D`,
    /// `%0A`), as browsers do, so a name cannot end its header.
    ///
    /// ```
    /// let mut form = clustercert_runtime::forms::MultipartForm::new();
    /// form.value("a\"b", "x--form-boundary")?;
    /// let (content_type, body) = form.finish();
    /// assert_eq!(content_type, "multipart/form-data; boundary=form-boundary-1");
    /// assert!(body.starts_with(b"--form-boundary-1\r\nContent-Disposition: form-data; name=\"a%22b\"\r\n"));
    /// # Ok::<(), clustercert_runtime::Error>(())
    /// ```
    #[must_use]
    pub fn finish(self) -> (String, Vec<u8>) {
        let mut boundary = String::from(BOUNDARY);
        let mut n = 0u32;
        while self.parts.iter().any(|part| {
            part.data
                .windows(boundary.len())
                .any(|window| window == boundary.as_bytes())
        }) {
            n += 1;
            boundary = format!("{BOUNDARY}-{n}");
        }
        let quoted = |name: &str| {
            name.replace('"', "%22")
                .replace('\r', "%0D")
                .replace('\n', "%0A")
        };
        let mut body = Vec::new();
        for part in &self.parts {
            let name = quoted(&part.name);
            let mut head =
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"");
            if part.file {
                head.push_str(&format!("; filename=\"{name}\""));
            }
            head.push_str("\r\n");
            if let Some(content_type) = part.content_type {
                head.push_str(&format!("Content-Type: {content_type}\r\n"));
            }
            head.push_str("\r\n");
            body.extend_from_slice(head.as_bytes());
            body.extend_from_slice(&part.data);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), body)
    }
}

/// A parameter's JSON form, the source of its query keys or joined text.
///
/// ```
/// use clustercert_runtime::forms::param_json;
///
/// assert_eq!(param_json("page", &serde_json::json!({"size": 20}))?.to_string(), r#"{"size":20}"#);
/// # Ok::<(), clustercert_runtime::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidInput`] naming the parameter when the value does not serialize to JSON.
pub fn param_json<T: Serialize + ?Sized>(
    name: &str,
    value: &T,
) -> Result<serde_json::Value, Error> {
    serde_json::to_value(value).map_err(|e| Error::InvalidInput(format!("parameter {name}: {e}")))
}

/// A JSON value as parameter text: a string as it is, a number or boolean as JSON writes it;
/// `null` gives nothing; an object or array gives its JSON text when `json`, else nothing.
///
/// ```
/// use clustercert_runtime::forms::param_text;
/// use serde_json::json;
///
/// assert_eq!(param_text(&json!("a b"), false).as_deref(), Some("a b"));
/// assert_eq!(param_text(&json!(2.0), false).as_deref(), Some("2.0"));
/// assert_eq!(param_text(&json!(null), true), None);
/// assert_eq!(param_text(&json!({"k": 1}), true).as_deref(), Some(r#"{"k":1}"#));
/// assert_eq!(param_text(&json!({"k": 1}), false), None);
/// ```
#[must_use]
pub fn param_text(value: &serde_json::Value, json: bool) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(text) => Some(text.clone()),
        serde_json::Value::Bool(_) | serde_json::Value::Number(_) => Some(value.to_string()),
        _ => json.then(|| value.to_string()),
    }
}

/// One query pair as [`OperationRequest::query`](crate::OperationRequest::query) holds it:
/// a key the spec names is borrowed, one that only the value knows is owned.
pub type QueryPair = (Cow<'static, str>, String);

/// Appends a parameter's query pairs. Each key is `(key on the wire, JSON pointer into the
/// value, json)`: the value at the pointer gives one pair through [`param_text`]; an array
/// there gives one pair per item; an object (or an array item that is one) is sent as JSON
/// when `json`, else skipped (its own keys send it); a pointer that finds nothing or `null`
/// adds nothing. The generator fixes the keys from the schema: `style: form` with `explode`
/// (`size`, `cursor`) or `style: deepObject` (`filter[status]`, `filter[owner][id]`,
/// `expand[]`). The keys are borrowed, never copied.
///
/// ```
/// use clustercert_runtime::forms::query_pairs;
/// use serde_json::json;
///
/// let mut query = Vec::new();
/// let filter = json!({"status": "open", "owner": {"id": 7}, "tags": ["a", "b"]});
/// let keys = [
///     ("filter[status]", "/status", false),
///     ("filter[owner][id]", "/owner/id", false),
///     ("filter[tags][]", "/tags", false),
///     ("filter[missing]", "/missing", false),
/// ];
/// query_pairs(&mut query, &keys, &filter);
/// assert_eq!(
///     query,
///     [
///         ("filter[status]".into(), "open".to_owned()),
///         ("filter[owner][id]".into(), "7".to_owned()),
///         ("filter[tags][]".into(), "a".to_owned()),
///         ("filter[tags][]".into(), "b".to_owned()),
///     ]
/// );
/// ```
pub fn query_pairs(
    query: &mut Vec<QueryPair>,
    keys: &[(&'static str, &str, bool)],
    value: &serde_json::Value,
) {
    for &(key, pointer, json) in keys {
        match value.pointer(pointer) {
            Some(serde_json::Value::Array(items)) => query.extend(
                items
                    .iter()
                    .filter_map(|item| param_text(item, json))
                    .map(|text| (Cow::Borrowed(key), text)),
            ),
            Some(found) => {
                query.extend(param_text(found, json).map(|text| (Cow::Borrowed(key), text)));
            }
            None => {}
        }
    }
}

/// How deep [`query_members`] follows objects inside objects in `deepObject` style; deeper
/// ones are sent as JSON text under the key reached.
const MAX_MEMBER_DEPTH: usize = 32;

/// Appends the query pairs of an object whose keys the spec does not name (`additionalProperties`,
/// a free-form map), found at `pointer` in `value`, one pair per member:
///
/// - `deep == false` (`style: form`, `explode: true`): `member=value`; a member that is an
///   array gives one pair per item; one that is an object (or an item that is one) is sent
///   as JSON text.
/// - `deep == true` (`style: deepObject`): `name[member]=value`, objects inside as
///   `name[member][inner]=value`, arrays as `name[member][]=item`.
///
/// `null` members and items add nothing. When the value there is not an object, it is sent
/// under `name` as [`query_pairs`] sends a key with `json` (`name[]` per item for an array in
/// `deepObject` style). The keys are copied from the value: each pair's key is owned.
///
/// ```
/// use clustercert_runtime::forms::query_members;
/// use serde_json::json;
///
/// let metadata = json!({"team": "a b", "tier": 2, "none": null});
/// let mut query = Vec::new();
/// query_members(&mut query, "metadata", "", false, &metadata);
/// query_members(&mut query, "metadata", "", true, &metadata);
/// assert_eq!(
///     query,
///     [
///         ("team".into(), "a b".to_owned()),
///         ("tier".into(), "2".to_owned()),
///         ("metadata[team]".into(), "a b".to_owned()),
///         ("metadata[tier]".into(), "2".to_owned()),
///     ]
/// );
/// ```
pub fn query_members(
    query: &mut Vec<QueryPair>,
    name: &'static str,
    pointer: &str,
    deep: bool,
    value: &serde_json::Value,
) {
    match value.pointer(pointer) {
        Some(serde_json::Value::Object(members)) => {
            for (member, value) in members {
                let key = if deep {
                    format!("{name}[{member}]")
                } else {
                    member.clone()
                };
                member_pairs(query, key, deep, value, 0);
            }
        }
        Some(serde_json::Value::Array(items)) if deep => {
            let key = format!("{name}[]");
            query.extend(
                items
                    .iter()
                    .filter_map(|item| param_text(item, true))
                    .map(|text| (Cow::Owned(key.clone()), text)),
            );
        }
        Some(_) => query_pairs(query, &[(name, pointer, true)], value),
        None => {}
    }
}

/// The pairs of one member under `key`: scalars as text, arrays per item, objects as JSON
/// (or, in `deepObject` style, by their own members).
fn member_pairs(
    query: &mut Vec<QueryPair>,
    key: String,
    deep: bool,
    value: &serde_json::Value,
    depth: usize,
) {
    match value {
        serde_json::Value::Object(members) if deep && depth < MAX_MEMBER_DEPTH => {
            for (member, value) in members {
                member_pairs(query, format!("{key}[{member}]"), deep, value, depth + 1);
            }
        }
        serde_json::Value::Array(items) => {
            let key = if deep { format!("{key}[]") } else { key };
            query.extend(
                items
                    .iter()
                    .filter_map(|item| param_text(item, true))
                    .map(|text| (Cow::Owned(key.clone()), text)),
            );
        }
        other => query.extend(param_text(other, true).map(|text| (Cow::Owned(key), text))),
    }
}

/// An object's members as one value: `k,v,k,v`, or `k=v,k=v` when `explode` (`style: form`
/// without `explode` in the query, `style: simple` in a header); an array's items joined by
/// `,`; nested objects and arrays as JSON text; `null` members and items left out.
///
/// ```
/// use clustercert_runtime::forms::joined;
/// use serde_json::json;
///
/// let point = json!({"x": 1.5, "y": 2.0, "z": null});
/// assert_eq!(joined(&point, false), "x,1.5,y,2.0");
/// assert_eq!(joined(&point, true), "x=1.5,y=2.0");
/// assert_eq!(joined(&json!([1, null, "a"]), false), "1,a");
/// ```
#[must_use]
pub fn joined(value: &serde_json::Value, explode: bool) -> String {
    let parts: Vec<String> = match value {
        serde_json::Value::Object(members) => members
            .iter()
            .filter_map(|(key, value)| {
                let text = param_text(value, true)?;
                Some(if explode {
                    format!("{key}={text}")
                } else {
                    format!("{key},{text}")
                })
            })
            .collect(),
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(|item| param_text(item, true))
            .collect(),
        other => param_text(other, true).into_iter().collect(),
    };
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The pairs with borrowed keys, to compare with literals.
    fn shown(query: &[QueryPair]) -> Vec<(&str, String)> {
        query.iter().map(|(k, v)| (k.as_ref(), v.clone())).collect()
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    #[test]
    fn an_empty_form_is_the_closing_boundary_alone() {
        let (content_type, body) = MultipartForm::new().finish();
        assert_eq!(content_type, "multipart/form-data; boundary=form-boundary");
        assert_eq!(body, b"--form-boundary--\r\n");
    }

    #[test]
    fn scalars_arrays_objects_and_null_become_these_parts() {
        let mut form = MultipartForm::new();
        form.value("s", "text with \r\n inside").unwrap();
        form.value("n", &-1.5).unwrap();
        form.value("i", &7_u64).unwrap();
        form.value("b", &true).unwrap();
        form.value("null", &json!(null)).unwrap();
        form.value("none", &None::<String>).unwrap();
        form.value("list", &json!(["a", 2, null, false, {"k": "v"}, [1, 2]]))
            .unwrap();
        form.value("empty", &Vec::<String>::new()).unwrap();
        form.value("nested", &json!({"a": {"b": [1, null]}, "c": "d"}))
            .unwrap();
        form.value("", "empty name").unwrap();
        let (content_type, body) = form.finish();
        assert_eq!(content_type, "multipart/form-data; boundary=form-boundary");
        let part = |name: &str, data: &str| {
            format!("--form-boundary\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{data}\r\n")
        };
        let json_part = |name: &str, data: &str| {
            format!(
                "--form-boundary\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\
                 Content-Type: application/json\r\n\r\n{data}\r\n"
            )
        };
        let expected = [
            part("s", "text with \r\n inside"),
            part("n", "-1.5"),
            part("i", "7"),
            part("b", "true"),
            part("list", "a"),
            part("list", "2"),
            part("list", "false"),
            json_part("list", r#"{"k":"v"}"#),
            json_part("list", "[1,2]"),
            json_part("nested", r#"{"a":{"b":[1,null]},"c":"d"}"#),
            part("", "empty name"),
            "--form-boundary--\r\n".to_owned(),
        ]
        .concat();
        assert_eq!(text(&body), expected);
    }

    #[test]
    fn the_boundary_is_the_first_no_part_contains() {
        // A value holding `form-boundary` moves it to `-1`; one holding `-1` too, to `-2`.
        let mut form = MultipartForm::new();
        form.file("f", b"\x00form-boundary\xff");
        let (content_type, body) = form.finish();
        assert_eq!(
            content_type,
            "multipart/form-data; boundary=form-boundary-1"
        );
        let expected: &[u8] = b"--form-boundary-1\r\n\
            Content-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n\
            Content-Type: application/octet-stream\r\n\r\n\
            \x00form-boundary\xff\r\n\
            --form-boundary-1--\r\n";
        assert_eq!(body, expected);

        let mut form = MultipartForm::new();
        form.value("a", "form-boundary-1").unwrap();
        form.file("b", b"--form-boundary");
        let (content_type, body) = form.finish();
        assert_eq!(
            content_type,
            "multipart/form-data; boundary=form-boundary-2"
        );
        assert!(text(&body).ends_with("\r\n--form-boundary-2--\r\n"));
        assert_eq!(text(&body).matches("--form-boundary-2\r\n").count(), 2);

        // Only the data is searched: a name that holds the boundary does not move it.
        let mut form = MultipartForm::new();
        form.value("form-boundary", "x").unwrap();
        assert_eq!(
            form.finish().0,
            "multipart/form-data; boundary=form-boundary"
        );
    }

    #[test]
    fn quotes_and_line_breaks_in_names_are_percent_encoded() {
        let mut form = MultipartForm::new();
        form.value("a\"b\r\nc%", "v").unwrap();
        form.file("x\"\ny", b"d");
        let (_, body) = form.finish();
        assert_eq!(
            text(&body),
            "--form-boundary\r\nContent-Disposition: form-data; name=\"a%22b%0D%0Ac%\"\r\n\r\nv\r\n\
             --form-boundary\r\nContent-Disposition: form-data; name=\"x%22%0Ay\"; filename=\"x%22%0Ay\"\r\n\
             Content-Type: application/octet-stream\r\n\r\nd\r\n\
             --form-boundary--\r\n"
        );
    }

    #[test]
    fn a_value_that_does_not_serialize_names_the_field() {
        let mut form = MultipartForm::new();
        let map: std::collections::BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        let error = form.value("grid", &map).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid input: form field grid: key must be a string"
        );
        let error = param_json("where", &map).unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid input: parameter where: key must be a string"
        );
        // Nothing was added.
        assert_eq!(form.finish().1, b"--form-boundary--\r\n");
    }

    #[test]
    fn debug_shows_names_and_sizes_never_data() {
        let mut form = MultipartForm::new();
        form.value("password", "hunter2").unwrap();
        form.file("key", b"-----BEGIN PRIVATE KEY-----");
        let shown = format!("{form:?}");
        assert_eq!(shown, r#"["password (7 bytes)", "key (27 bytes)"]"#);
    }

    #[test]
    fn parameter_text_of_each_json_kind() {
        assert_eq!(param_text(&json!("a,b c"), false).as_deref(), Some("a,b c"));
        assert_eq!(param_text(&json!(""), false).as_deref(), Some(""));
        assert_eq!(param_text(&json!(0), false).as_deref(), Some("0"));
        assert_eq!(
            param_text(&json!(-2.5e-7), false).as_deref(),
            Some("-2.5e-7")
        );
        assert_eq!(param_text(&json!(2.0), false).as_deref(), Some("2.0"));
        assert_eq!(param_text(&json!(false), false).as_deref(), Some("false"));
        assert_eq!(param_text(&json!(null), false), None);
        assert_eq!(param_text(&json!(null), true), None);
        assert_eq!(param_text(&json!([1, "a"]), false), None);
        assert_eq!(
            param_text(&json!([1, "a"]), true).as_deref(),
            Some(r#"[1,"a"]"#)
        );
        assert_eq!(
            param_text(&json!({"q": "\"x\""}), true).as_deref(),
            Some(r#"{"q":"\"x\""}"#)
        );
    }

    #[test]
    fn form_explode_pairs_one_per_property_objects_as_json() {
        // `style: form, explode: true`: the keys are the properties; a nested object (and
        // an array item that is one) goes as JSON where the key says so.
        let page = json!({"size": 20, "cursor": null, "owner": {"id": 7}, "tags": [{"k": 1}, "b"]});
        let mut query: Vec<QueryPair> = vec![("first".into(), "kept".to_owned())];
        query_pairs(
            &mut query,
            &[
                ("size", "/size", false),
                ("cursor", "/cursor", false),
                ("owner", "/owner", true),
                ("tags", "/tags", true),
            ],
            &page,
        );
        assert_eq!(
            shown(&query),
            [
                ("first", "kept".to_owned()),
                ("size", "20".to_owned()),
                ("owner", r#"{"id":7}"#.to_owned()),
                ("tags", r#"{"k":1}"#.to_owned()),
                ("tags", "b".to_owned()),
            ]
        );
    }

    #[test]
    fn deep_object_pairs_follow_their_pointers() {
        let value = json!({
            "status": "open",
            "owner": {"id": 7, "name": "a/b~c"},
            "expand": ["x", null, {"skipped": true}],
            "gt": 5,
        });
        let mut query = Vec::new();
        query_pairs(
            &mut query,
            &[
                ("filter[status]", "/status", false),
                ("filter[owner][id]", "/owner/id", false),
                ("filter[owner][name]", "/owner/name", false),
                // An object where the key expects a scalar: its own keys send it.
                ("filter[owner]", "/owner", false),
                ("filter[expand][]", "/expand", false),
                ("filter[gone]", "/gone", false),
                ("filter[gt]", "/gt", false),
            ],
            &value,
        );
        assert_eq!(
            shown(&query),
            [
                ("filter[status]", "open".to_owned()),
                ("filter[owner][id]", "7".to_owned()),
                ("filter[owner][name]", "a/b~c".to_owned()),
                ("filter[expand][]", "x".to_owned()),
                ("filter[gt]", "5".to_owned()),
            ]
        );
        // A top-level array (`expand[]=…` per item) and a scalar alternative (`created=v`)
        // use the empty pointer: the whole value.
        let mut query = Vec::new();
        query_pairs(&mut query, &[("expand[]", "", false)], &json!(["a", "b"]));
        query_pairs(
            &mut query,
            &[("created", "", false), ("created[gt]", "/gt", false)],
            &json!(1700),
        );
        assert_eq!(
            shown(&query),
            [
                ("expand[]", "a".to_owned()),
                ("expand[]", "b".to_owned()),
                ("created", "1700".to_owned()),
            ]
        );
        // A pointer with escaped tokens reaches keys holding `/` and `~`.
        let mut query = Vec::new();
        query_pairs(
            &mut query,
            &[("m[a/b]", "/a~1b/c~0d", false)],
            &json!({"a/b": {"c~d": 1}}),
        );
        assert_eq!(shown(&query), [("m[a/b]", "1".to_owned())]);
    }

    #[test]
    fn free_form_members_become_their_own_pairs() {
        let value = json!({
            "metadata": {
                "team": "a&b=c",
                "n": 1.5,
                "on": true,
                "none": null,
                "list": ["x", null, {"k": 1}],
                "inner": {"deeper": {"z": "1"}, "gone": null},
            },
        });
        // `style: form, explode: true`: one pair per member, nested objects as JSON.
        let mut query = Vec::new();
        query_members(&mut query, "metadata", "/metadata", false, &value);
        assert_eq!(
            shown(&query),
            [
                ("inner", r#"{"deeper":{"z":"1"},"gone":null}"#.to_owned()),
                ("list", "x".to_owned()),
                ("list", r#"{"k":1}"#.to_owned()),
                ("n", "1.5".to_owned()),
                ("on", "true".to_owned()),
                ("team", "a&b=c".to_owned()),
            ]
        );
        assert!(query.iter().all(|(k, _)| matches!(k, Cow::Owned(_))));
        // `style: deepObject`: `name[member]`, objects by their own members, arrays `[]`.
        let mut query = Vec::new();
        query_members(&mut query, "filter[metadata]", "/metadata", true, &value);
        assert_eq!(
            shown(&query),
            [
                ("filter[metadata][inner][deeper][z]", "1".to_owned()),
                ("filter[metadata][list][]", "x".to_owned()),
                ("filter[metadata][list][]", r#"{"k":1}"#.to_owned()),
                ("filter[metadata][n]", "1.5".to_owned()),
                ("filter[metadata][on]", "true".to_owned()),
                ("filter[metadata][team]", "a&b=c".to_owned()),
            ]
        );
        // Sent as signed: sorted and percent-encoded, `&` and `=` of a member inside its pair.
        assert_eq!(
            crate::signing::canonical_query(query.iter().map(|(k, v)| (k, v))),
            "filter%5Bmetadata%5D%5Binner%5D%5Bdeeper%5D%5Bz%5D=1&\
             filter%5Bmetadata%5D%5Blist%5D%5B%5D=x&\
             filter%5Bmetadata%5D%5Blist%5D%5B%5D=%7B%22k%22%3A1%7D&\
             filter%5Bmetadata%5D%5Bn%5D=1.5&\
             filter%5Bmetadata%5D%5Bon%5D=true&\
             filter%5Bmetadata%5D%5Bteam%5D=a%26b%3Dc"
        );
    }

    #[test]
    fn members_of_what_is_not_an_object() {
        let mut query = Vec::new();
        // Missing or null: nothing.
        query_members(&mut query, "m", "/gone", false, &json!({}));
        query_members(&mut query, "m", "", true, &json!(null));
        assert!(query.is_empty());
        // A scalar or an array (an alternative of a `oneOf`): under the parameter's name.
        query_members(&mut query, "m", "", false, &json!("s"));
        query_members(&mut query, "m", "", false, &json!([1, 2]));
        query_members(&mut query, "d", "", true, &json!([1, {"k": 2}]));
        query_members(&mut query, "e", "", true, &json!({}));
        assert_eq!(
            shown(&query),
            [
                ("m", "s".to_owned()),
                ("m", "1".to_owned()),
                ("m", "2".to_owned()),
                ("d[]", "1".to_owned()),
                ("d[]", r#"{"k":2}"#.to_owned()),
            ]
        );
    }

    #[test]
    fn deep_members_stop_at_a_bounded_depth() {
        let mut value = json!("leaf");
        for _ in 0..100 {
            value = json!({ "a": value });
        }
        let mut query = Vec::new();
        query_members(&mut query, "m", "", true, &value);
        assert_eq!(query.len(), 1);
        let (key, text) = &query[0];
        assert_eq!(key.matches("[a]").count(), MAX_MEMBER_DEPTH + 1);
        // The rest of the 100 levels, as JSON text.
        let rest = 100 - (MAX_MEMBER_DEPTH + 1);
        assert_eq!(text.matches(r#"{"a":"#).count(), rest, "{text}");
        assert!(text.ends_with(&format!("\"leaf\"{}", "}".repeat(rest))));
    }

    #[test]
    fn fixed_keys_are_borrowed() {
        let mut query = Vec::new();
        query_pairs(&mut query, &[("size", "/size", false)], &json!({"size": 2}));
        assert!(matches!(query[0].0, Cow::Borrowed("size")));
    }

    #[test]
    fn joined_values_for_form_without_explode_and_simple_headers() {
        let value =
            json!({"role": "admin", "n": 1, "none": null, "deep": {"a": [1]}, "list": [1, 2]});
        // serde_json's maps are ordered by key.
        assert_eq!(
            joined(&value, false),
            r#"deep,{"a":[1]},list,[1,2],n,1,role,admin"#
        );
        assert_eq!(
            joined(&value, true),
            r#"deep={"a":[1]},list=[1,2],n=1,role=admin"#
        );
        assert_eq!(
            joined(&json!([1, null, "a b", [2], {"k": 3}]), false),
            r#"1,a b,[2],{"k":3}"#
        );
        assert_eq!(joined(&json!("x,y"), false), "x,y");
        assert_eq!(joined(&json!(3.25), true), "3.25");
        assert_eq!(joined(&json!(null), false), "");
        assert_eq!(joined(&json!({}), false), "");
        assert_eq!(joined(&json!([]), true), "");
    }
}
