//! One redaction vocabulary: the marker that replaces a secret, the header names and words
//! that name one, and the functions that take secrets out of a header value, a JSON value or
//! text. Errors, header handling and [`crate::SecretString`] use these; so should anything
//! else that prints or records what crossed the wire.

use std::borrow::Cow;

/// What replaces a secret wherever one would be shown: `[REDACTED]`.
pub const REDACTION_MARKER: &str = "[REDACTED]";

/// The headers whose values are credentials, lower case: never printed, logged or recorded,
/// marked sensitive on the wire, and sent only to the configured endpoint.
pub const SECRET_HEADERS: [&str; 7] = [
    "authorization",
    "proxy-authorization",
    "x-auth-token",
    "x-security-token",
    "x-subject-token",
    "cookie",
    "set-cookie",
];

/// Whether a header (any case) carries a credential: one of [`SECRET_HEADERS`].
///
/// ```
/// use clustercert_runtime::redact::is_secret_header;
/// assert!(is_secret_header("X-Auth-Token") && is_secret_header("authorization"));
/// assert!(!is_secret_header("X-Project-Id"));
/// ```
pub fn is_secret_header(name: &str) -> bool {
    SECRET_HEADERS
        .iter()
        .any(|secret| secret.eq_ignore_ascii_case(name))
}

/// A header's value as it may be shown: [`REDACTION_MARKER`] for a [secret
/// header](is_secret_header), else the value with any secret parts taken out as
/// [`redact_text`] does.
///
/// ```
/// use clustercert_runtime::redact::header_value;
/// assert_eq!(header_value("X-Security-Token", "t0p"), "[REDACTED]");
/// assert_eq!(header_value("X-Request-Id", "r-1"), "r-1");
/// ```
pub fn header_value<'a>(name: &str, value: &'a str) -> Cow<'a, str> {
    if is_secret_header(name) {
        return Cow::Borrowed(REDACTION_MARKER);
    }
    let redacted = redact_text(value);
    if redacted == value {
        Cow::Borrowed(value)
    } else {
        Cow::Owned(redacted)
    }
}

/// Whether a key (a JSON or YAML key, a `key:` or `key=` in text, a field name) names a
/// secret: case, `-`, `_`, ` ` and `.` aside, it is `sk`, `key`, `pwd` or `pass`, or it
/// contains one of `token`, `password`, `passwd`, `secret`, `keydata`, `privatekey`,
/// `authorization`, `credential`.
///
/// ```
/// use clustercert_runtime::redact::is_secret_key;
/// assert!(is_secret_key("client-key-data") && is_secret_key("X-Auth-Token") && is_secret_key("SK"));
/// assert!(!is_secret_key("client-certificate-data") && !is_secret_key("server"));
/// ```
pub fn is_secret_key(key: &str) -> bool {
    let key: String = key
        .chars()
        .filter(|c| !matches!(c, '-' | '_' | ' ' | '.'))
        .flat_map(char::to_lowercase)
        .collect();
    matches!(key.as_str(), "sk" | "key" | "pwd" | "pass")
        || [
            "token",
            "password",
            "passwd",
            "secret",
            "keydata",
            "privatekey",
            "authorization",
            "credential",
        ]
        .iter()
        .any(|word| key.contains(word))
}

/// Redacts a JSON value in place: the value of every key that [names a secret](is_secret_key),
/// at any depth, becomes [`REDACTION_MARKER`] (a `null` stays `null`), and every string has
/// its secret parts replaced as [`redact_text`] does. Returns whether anything changed.
///
/// ```
/// use clustercert_runtime::redact::{redact_json, REDACTION_MARKER};
/// let mut value = serde_json::json!({"user": {"token": "t0p", "name": "n"}, "note": "password=p4ss"});
/// assert!(redact_json(&mut value));
/// assert_eq!(value["user"]["token"], REDACTION_MARKER);
/// assert_eq!(value["user"]["name"], "n");
/// assert_eq!(value["note"], "password=[REDACTED]");
/// ```
pub fn redact_json(value: &mut serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(map) => {
            let mut changed = false;
            for (key, value) in map.iter_mut() {
                if is_secret_key(key) {
                    if !matches!(value, serde_json::Value::Null) {
                        *value = serde_json::Value::String(REDACTION_MARKER.to_owned());
                        changed = true;
                    }
                } else {
                    changed |= redact_json(value);
                }
            }
            changed
        }
        serde_json::Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, item| redact_json(item) | changed),
        serde_json::Value::String(text) => {
            let redacted = redact_text(text);
            let changed = redacted != *text;
            *text = redacted;
            changed
        }
        _ => false,
    }
}

/// The words that, followed by `:` or `=`, name a secret in text (lower case).
pub const SECRET_WORDS: [&str; 12] = [
    "token",
    "password",
    "passwd",
    "secret",
    "key-data",
    "key_data",
    "keydata",
    "private-key",
    "private_key",
    "privatekey",
    "authorization",
    "credential",
];

/// The start of a base64-encoded PEM block (`-----BEGIN`), in lower case.
const BASE64_PEM: &str = "ls0tls1crudjt";

/// Text (YAML-ish `key: value` lines, `key=value` pairs, HTML, logs) with its secrets replaced
/// by [`REDACTION_MARKER`]: the value after `key: ` or `key=` for a key holding one of
/// [`SECRET_WORDS`] (to the end of the line or the next quote, `,`, `;`, `&`, `<`, `}`, `]`),
/// PEM private keys, and base64-encoded PEM blocks.
///
/// ```
/// use clustercert_runtime::redact::redact_text;
/// assert_eq!(redact_text("kind: Config\ntoken: abc\n"), "kind: Config\ntoken: [REDACTED]\n");
/// assert_eq!(redact_text("Invalid token"), "Invalid token");
/// ```
pub fn redact_text(text: &str) -> String {
    // ASCII lower-casing keeps every byte offset, and every cut below is at an ASCII byte
    // (or the end), so each is a character boundary of `text` too.
    let lower = text.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let secret = if rest.starts_with(BASE64_PEM.as_bytes()) {
            let end = i + rest
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
                .count();
            Some((i, end))
        } else if rest.starts_with(b"-----begin") && private_key_header(rest) {
            let end = match find(rest, b"-----end") {
                Some(at) => {
                    let after = i + at + b"-----end".len();
                    find(&bytes[after..], b"-----").map_or(bytes.len(), |e| after + e + 5)
                }
                None => bytes.len(),
            };
            Some((i, end))
        } else if let Some(word) = SECRET_WORDS.iter().find(|w| rest.starts_with(w.as_bytes())) {
            secret_value(bytes, i + word.len())
        } else {
            None
        };
        match secret {
            Some((start, end)) if end > start => {
                out.push_str(&text[copied..start]);
                out.push_str(REDACTION_MARKER);
                copied = end;
                i = end;
            }
            Some((_, end)) => i = end.max(i + 1),
            None => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Whether a `-----begin` line (lower case) opens a private key.
fn private_key_header(rest: &[u8]) -> bool {
    let line = &rest[..rest.len().min(80)];
    let line_end = line
        .iter()
        .position(|b| matches!(b, b'\n' | b'\r'))
        .unwrap_or(line.len());
    find(&line[..line_end], b"private key").is_some()
}

/// After a secret word at `after` (its end): the byte range of the value that follows
/// `:` or `=`, or `None` when no value follows.
fn secret_value(bytes: &[u8], after: usize) -> Option<(usize, usize)> {
    let mut j = after;
    // The rest of the key (`client-key-data-x`), its closing quote, spaces.
    while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || matches!(bytes[j], b'-' | b'_')) {
        j += 1;
    }
    while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b' ' | b'\t') {
        j += 1;
    }
    if j >= bytes.len() || !matches!(bytes[j], b':' | b'=') {
        return None;
    }
    j += 1;
    while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b' ' | b'\t') {
        j += 1;
    }
    let start = j;
    while j < bytes.len()
        && !matches!(
            bytes[j],
            b'\n' | b'\r' | b'"' | b'\'' | b',' | b';' | b'&' | b'<' | b'}' | b']'
        )
    {
        j += 1;
    }
    Some((start, j))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_any_case() {
        for name in SECRET_HEADERS {
            assert!(is_secret_header(name));
            assert!(is_secret_header(&name.to_ascii_uppercase()));
            assert_eq!(header_value(name, "v"), REDACTION_MARKER);
        }
        assert_eq!(header_value("x-note", "token=abc"), "token=[REDACTED]");
    }

    #[test]
    fn a_json_null_stays_null_and_nothing_secret_is_unchanged() {
        let mut value = serde_json::json!({"token": null, "items": [1, "x"]});
        assert!(!redact_json(&mut value));
        assert_eq!(value, serde_json::json!({"token": null, "items": [1, "x"]}));
    }
}
