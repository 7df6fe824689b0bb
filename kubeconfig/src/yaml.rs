//! YAML as kubectl reads it: a writer whose every string reads back as the same string in
//! YAML 1.1 (kubectl's reader) and YAML 1.2, and a linear pre-check of nesting depth.
//!
//! A string is written plain only when it is made of letters, digits and `_ . / - : @ + =`,
//! starts with a letter, `_` or `/`, and is none of the words YAML 1.1 or 1.2 resolve to
//! something else (`y`, `no`, `on`, `off`, `true`, `null`, … in any case). Everything else
//! is double-quoted, with escapes for what YAML does not print: `"on"`, `"1_000"`, `"0x1f"`,
//! `"1:20"`, `"1e3"`, `".inf"`, `"2001-12-14"`, `"<<"`, `"="`, `""`. Quoting is always
//! safe, so the rule errs towards it (`"1.28"`, `"10.0.0.1"` are quoted too).

use std::fmt::Write as _;

use serde_yaml::{Mapping, Value};

/// How deep flow brackets and compact block indicators may nest in a kubeconfig; deeper is
/// refused before parsing (see [`flow_depth`]).
pub const MAX_DEPTH: usize = 64;

/// Words YAML 1.1 resolves to booleans or null, compared without case (so `yEs` is quoted
/// too, which costs nothing); `~` is caught by the first-character rule.
const SPECIAL_WORDS: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null"];

/// The YAML text of `value`, block style as kubectl writes it.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Mapping(mapping) if !mapping.is_empty() => block_mapping(&mut out, mapping, 0),
        Value::Sequence(items) if !items.is_empty() => block_sequence(&mut out, items, 0),
        other => {
            flow(&mut out, other);
            out.push('\n');
        }
    }
    out
}

/// Whether `s` may be written without quotes: it then reads back as this string in YAML 1.1
/// and 1.2.
pub fn is_plain_safe(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || first == '_' || first == '/') {
        return false;
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_./-:@+=".contains(c);
    if !s.chars().all(allowed) || s.ends_with(':') {
        return false;
    }
    !SPECIAL_WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn is_block(value: &Value) -> bool {
    match value {
        Value::Mapping(m) => !m.is_empty(),
        Value::Sequence(s) => !s.is_empty(),
        Value::Tagged(t) => is_block(&t.value),
        _ => false,
    }
}

/// A mapping at `at` columns; the first key's indentation is already written when
/// `first_inline` (after `- `).
fn block_mapping_from(out: &mut String, mapping: &Mapping, at: usize, first_inline: bool) {
    for (index, (key, value)) in mapping.iter().enumerate() {
        if index > 0 || !first_inline {
            indent(out, at);
        }
        key_text(out, key);
        out.push(':');
        block_value(out, value, at, true);
    }
}

fn block_mapping(out: &mut String, mapping: &Mapping, at: usize) {
    block_mapping_from(out, mapping, at, false);
}

fn block_sequence(out: &mut String, items: &[Value], at: usize) {
    for item in items {
        indent(out, at);
        out.push('-');
        block_value(out, item, at, false);
    }
}

/// What follows `key:` (in a mapping, `in_mapping`) or `-`, at `at` columns.
fn block_value(out: &mut String, value: &Value, at: usize, in_mapping: bool) {
    let (tag, value) = match value {
        Value::Tagged(tagged) if is_block(&tagged.value) => {
            (Some(tagged.tag.to_string()), &tagged.value)
        }
        other => (None, other),
    };
    if let Some(tag) = &tag {
        out.push(' ');
        out.push_str(tag);
    }
    match value {
        Value::Mapping(mapping) if !mapping.is_empty() => {
            if in_mapping || tag.is_some() {
                out.push('\n');
                block_mapping(out, mapping, at + 2);
            } else {
                out.push(' ');
                block_mapping_from(out, mapping, at + 2, true);
            }
        }
        Value::Sequence(items) if !items.is_empty() => {
            out.push('\n');
            // kubectl's style: a mapping's list at the key's column.
            let at = if in_mapping && tag.is_none() {
                at
            } else {
                at + 2
            };
            block_sequence(out, items, at);
        }
        scalar => {
            out.push(' ');
            flow(out, scalar);
            out.push('\n');
        }
    }
}

fn key_text(out: &mut String, key: &Value) {
    match key {
        Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => flow(out, key),
        complex => {
            // A key that is a collection: YAML's explicit key, in flow style.
            out.push_str("? ");
            flow(out, complex);
            out.push('\n');
        }
    }
}

/// A value in flow style (one line): scalars, `[a, b]`, `{k: v}`.
fn flow(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => string(out, s),
        Value::Sequence(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                flow(out, item);
            }
            out.push(']');
        }
        Value::Mapping(mapping) => {
            out.push('{');
            for (i, (k, v)) in mapping.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if matches!(k, Value::Sequence(_) | Value::Mapping(_)) {
                    out.push_str("? ");
                }
                flow(out, k);
                out.push_str(": ");
                flow(out, v);
            }
            out.push('}');
        }
        Value::Tagged(tagged) => {
            let _ = write!(out, "{} ", tagged.tag);
            flow(out, &tagged.value);
        }
    }
}

fn string(out: &mut String, s: &str) {
    if is_plain_safe(s) {
        out.push_str(s);
        return;
    }
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if printable(c) => out.push(c),
            c if (c as u32) <= 0xffff => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08X}", c as u32);
            }
        }
    }
    out.push('"');
}

/// YAML's printable set, less the byte order mark and what YAML 1.1 takes for line breaks
/// (U+0085, U+2028, U+2029).
fn printable(c: char) -> bool {
    matches!(c as u32,
        0x20..=0x7e | 0xa0..=0x2027 | 0x202a..=0xd7ff | 0xe000..=0xfefe | 0xff00..=0xfffd
        | 0x10000..=0x10ffff)
}

/// The bytes of a YAML text in order, each with whether it lies outside quoted scalars and
/// comments (the state before the byte is read: an opening quote or `#` is itself outside).
/// The one quote-and-comment state machine behind [`flow_depth`] and [`binary_tag_line`]:
/// `'` and `"` open a scalar only where a token starts, `''` and `\\x` stay inside one, and
/// `#` opens a comment only after white space.
struct Scan<'a> {
    bytes: &'a [u8],
    at: usize,
    state: ScanState,
}

#[derive(Clone, Copy, PartialEq)]
enum ScanState {
    Outside,
    Single,
    Double,
    Comment,
    /// The byte after a `\\` (or the second `'` of `''`): inside, whatever it is.
    Escaped(&'static ScanState),
}

impl<'a> Scan<'a> {
    fn new(text: &'a str) -> Self {
        Scan {
            bytes: text.as_bytes(),
            at: 0,
            state: ScanState::Outside,
        }
    }
}

/// Whether a token may start at `at`: at the text's start or after white space or a flow
/// indicator.
fn starts_token(bytes: &[u8], at: usize) -> bool {
    at == 0
        || matches!(
            bytes[at - 1],
            b' ' | b'\t' | b'\n' | b'\r' | b'[' | b'{' | b',' | b':'
        )
}

impl Iterator for Scan<'_> {
    /// The byte's index and whether it is outside quoted scalars and comments.
    type Item = (usize, bool);

    fn next(&mut self) -> Option<(usize, bool)> {
        let at = self.at;
        let b = *self.bytes.get(at)?;
        self.at += 1;
        let state = self.state;
        self.state = match state {
            ScanState::Outside => {
                let token_start = starts_token(self.bytes, at);
                match b {
                    b'\'' if token_start => ScanState::Single,
                    b'"' if token_start => ScanState::Double,
                    b'#' if at == 0
                        || matches!(self.bytes[at - 1], b' ' | b'\t' | b'\n' | b'\r') =>
                    {
                        ScanState::Comment
                    }
                    _ => ScanState::Outside,
                }
            }
            ScanState::Single if b == b'\'' => {
                if self.bytes.get(at + 1) == Some(&b'\'') {
                    ScanState::Escaped(&ScanState::Single)
                } else {
                    ScanState::Outside
                }
            }
            ScanState::Double if b == b'\\' => ScanState::Escaped(&ScanState::Double),
            ScanState::Double if b == b'"' => ScanState::Outside,
            ScanState::Comment if b == b'\n' => ScanState::Outside,
            ScanState::Escaped(back) => *back,
            inside => inside,
        };
        Some((at, state == ScanState::Outside))
    }
}

/// The deepest nesting of a YAML text, in one pass: `[`/`{` counted outside quoted scalars
/// and comments, plus the block indicators (`- `, `? `, `: `) that open a line, as in
/// `- - - x`; stops at the first line or bracket past `limit`. Brackets inside plain scalars
/// and indicators inside block scalars are counted too, which can only overestimate.
pub fn flow_depth(text: &str, limit: usize) -> usize {
    let bytes = text.as_bytes();
    let scan = Scan::new(text);
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for (i, outside) in scan {
        if !outside {
            continue;
        }
        if i == 0 || bytes[i - 1] == b'\n' {
            // Compact block nesting at a line's start: `- - - x` nests one level per `- `.
            let mut at = i;
            let mut levels = 0;
            loop {
                while matches!(bytes.get(at), Some(b' ' | b'\t')) {
                    at += 1;
                }
                match (bytes.get(at), bytes.get(at + 1)) {
                    (Some(b'-' | b'?' | b':'), Some(b' ' | b'\t')) => {
                        levels += 1;
                        at += 2;
                    }
                    _ => break,
                }
            }
            deepest = deepest.max(depth + levels);
            if deepest > limit {
                return deepest;
            }
        }
        match bytes[i] {
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
                if deepest > limit {
                    return deepest;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The expansion [`check_expanded_size`] allows a kubeconfig of `len` bytes: 8 times its
/// size (aliases in a kubeconfig share a few fields, not whole files), at least 4 MiB and at
/// most `cap`.
pub fn expansion_budget(len: usize, cap: usize) -> usize {
    len.saturating_mul(8).max(4 << 20).min(cap)
}

/// Checks that `text`, with its aliases written out in full, stays within about `budget`
/// bytes of YAML (scalar bytes plus a few per node): aliases are expanded when the file is
/// read and written back expanded, so a small file of aliases could otherwise become a huge
/// one. The walk stops as soon as the budget is spent, so it costs at most the budget.
/// A text that is not YAML passes here (parsing it says why).
pub fn check_expanded_size(text: &str, budget: usize) -> Result<(), String> {
    use serde::de::DeserializeSeed as _;
    if !text.contains('*') {
        // No alias, no expansion: the text is its own size.
        return Ok(());
    }
    let mut left = budget;
    match (Budget { left: &mut left }).deserialize(serde_yaml::Deserializer::from_str(text)) {
        Err(e) if e.to_string().contains(OVER_BUDGET) => Err(format!(
            "with its aliases expanded it would be larger than {budget} bytes, more than this \
             tool writes back (8 times the file, at least 4 MiB and at most 32 MiB)"
        )),
        _ => Ok(()),
    }
}

const OVER_BUDGET: &str = "over the size budget";

/// Bytes a node costs besides its text (indentation, `- `, `: `, a line break).
const NODE_COST: usize = 8;

/// A visitor that only counts what it sees, failing once the budget is spent.
struct Budget<'a> {
    left: &'a mut usize,
}

impl Budget<'_> {
    fn spend<E: serde::de::Error>(&mut self, bytes: usize) -> Result<(), E> {
        match self.left.checked_sub(bytes.saturating_add(NODE_COST)) {
            Some(left) => {
                *self.left = left;
                Ok(())
            }
            None => Err(E::custom(OVER_BUDGET)),
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Budget<'_> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Budget<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: serde::de::Error>(mut self, _: bool) -> Result<(), E> {
        self.spend(5)
    }
    fn visit_i64<E: serde::de::Error>(mut self, _: i64) -> Result<(), E> {
        self.spend(20)
    }
    fn visit_u64<E: serde::de::Error>(mut self, _: u64) -> Result<(), E> {
        self.spend(20)
    }
    fn visit_i128<E: serde::de::Error>(mut self, _: i128) -> Result<(), E> {
        self.spend(40)
    }
    fn visit_u128<E: serde::de::Error>(mut self, _: u128) -> Result<(), E> {
        self.spend(40)
    }
    fn visit_f64<E: serde::de::Error>(mut self, _: f64) -> Result<(), E> {
        self.spend(24)
    }
    fn visit_str<E: serde::de::Error>(mut self, v: &str) -> Result<(), E> {
        self.spend(v.len())
    }
    fn visit_unit<E: serde::de::Error>(mut self) -> Result<(), E> {
        self.spend(4)
    }
    fn visit_none<E: serde::de::Error>(mut self) -> Result<(), E> {
        self.spend(4)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.spend(0)?;
        while seq
            .next_element_seed(Budget {
                left: &mut *self.left,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.spend(0)?;
        while map
            .next_key_seed(Budget {
                left: &mut *self.left,
            })?
            .is_some()
        {
            map.next_value_seed(Budget {
                left: &mut *self.left,
            })?;
        }
        Ok(())
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(mut self, data: A) -> Result<(), A::Error> {
        // A tagged value: the tag, then the value.
        use serde::de::VariantAccess as _;
        self.spend(0)?;
        let ((), variant) = data.variant_seed(Budget {
            left: &mut *self.left,
        })?;
        variant.newtype_variant_seed(Budget {
            left: &mut *self.left,
        })
    }
}

/// The line (from 1) of the first `!!binary` tag (or its verbatim form) outside quoted
/// scalars and comments, in one pass. kubectl decodes such a value, while `serde_yaml` drops
/// the tag and keeps the base64 text, so a file with one cannot be rewritten faithfully. The
/// text of a block scalar is scanned too, which can only refuse too much.
pub fn binary_tag_line(text: &str) -> Option<usize> {
    const TAGS: [&[u8]; 2] = [b"!!binary", b"!<tag:yaml.org,2002:binary>"];
    let bytes = text.as_bytes();
    let mut line = 1;
    for (i, outside) in Scan::new(text) {
        let b = bytes[i];
        if b == b'\n' {
            line += 1;
        }
        if outside && b == b'!' && starts_token(bytes, i) {
            let rest = &bytes[i..];
            let tagged = TAGS.iter().any(|tag| {
                rest.starts_with(tag)
                    && matches!(
                        rest.get(tag.len()),
                        None | Some(b' ' | b'\t' | b'\n' | b'\r' | b',' | b']' | b'}')
                    )
            });
            if tagged {
                return Some(line);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_only_when_safe() {
        for plain in [
            "internal",
            "cce-abc-external",
            "https://10.0.0.1:5443",
            "LS0t+/=",
            "_x",
            "/a/b",
        ] {
            assert!(is_plain_safe(plain), "{plain}");
        }
        for quoted in [
            "",
            "on",
            "ON",
            "yEs",
            "y",
            "N",
            "null",
            "~",
            "1_000",
            "0x1f",
            "0o17",
            "1:20",
            "1e3",
            ".inf",
            "-.inf",
            ".nan",
            "2001-12-14",
            "<<",
            "=",
            "a: b",
            "a #b",
            "a:",
            "-a",
            "x\ny",
            "@a",
            "é",
        ] {
            assert!(!is_plain_safe(quoted), "{quoted:?}");
        }
    }

    #[test]
    fn strings_escape_what_yaml_does_not_print() {
        let mut out = String::new();
        string(&mut out, "a\"b\\c\nd\u{0}\u{feff}\u{85}\u{1F600}é");
        assert_eq!(out, "\"a\\\"b\\\\c\\nd\\u0000\\uFEFF\\u0085\u{1F600}é\"");
    }

    #[test]
    fn block_style_reads_back() {
        let text = "a: 1\nb: [x, {y: on}]\nc:\n- d: e\n  f: []\n- - g\n- !t {h: i}\nj: {}\n";
        let value: Value = serde_yaml::from_str(text).unwrap();
        let written = to_string(&value);
        let back: Value = serde_yaml::from_str(&written).unwrap();
        assert_eq!(back, value, "{written}");
        assert!(written.contains("\"y\": \"on\""), "{written}");
    }

    #[test]
    fn binary_tags_are_found_outside_quotes_and_comments() {
        assert_eq!(binary_tag_line("a: b\nc: !!binary YWJj\n"), Some(2));
        assert_eq!(
            binary_tag_line("a: [!<tag:yaml.org,2002:binary> YWJj]"),
            Some(1)
        );
        assert_eq!(binary_tag_line("- !!binary\n  YWJj"), Some(1));
        assert_eq!(
            binary_tag_line("a: \"!!binary\\\n\"\nb: '!!binary' # !!binary"),
            None
        );
        assert_eq!(binary_tag_line("a: !!binaryx b\nc: x!!binary"), None);
        // Lines inside a quoted scalar, escaped or not, are still counted.
        assert_eq!(binary_tag_line("a: \"x\\\ny\nz\"\nb: !!binary Y"), Some(4));
        assert_eq!(binary_tag_line("a: 'x''\n'\nb: !!binary Y"), Some(3));
    }

    #[test]
    fn depth_is_counted_outside_quotes_and_comments() {
        assert_eq!(flow_depth("a: [[{}]]", 64), 3);
        assert_eq!(flow_depth("a: '[[[' # [[[\nb: \"[\\\"[\"", 64), 0);
        assert_eq!(flow_depth("a: 'it''s [' ", 64), 0);
        assert_eq!(flow_depth(&"[".repeat(1000), 64), 65);
        assert_eq!(flow_depth("a: don't [x]", 64), 1);
        assert_eq!(flow_depth("- - - x\n- [y]\n", 64), 3);
        assert!(flow_depth(&"- ".repeat(1000), 64) > 64);
    }
}
