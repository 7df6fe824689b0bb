//! Rust names for wire names: fields, variants, types and methods.
//!
//! Every rule that turns a name from the spec into a Rust identifier lives here, so the crate
//! docs can state them once and the emitter never has to think about them.

use heck::{ToSnakeCase, ToUpperCamelCase};
use proc_macro2::{Ident, Span};

/// Keywords that can be written as raw identifiers (`r#type`).
const RAW_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing `_` instead.
const NON_RAW_KEYWORDS: &[&str] = &["crate", "self", "super", "Self", "_"];

/// Keeps ASCII letters, digits and `_`; every other character becomes a word break, so heck
/// splits on it.
fn ascii_words(wire: &str) -> String {
    wire.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect()
}

/// The snake_case Rust name of a field or method, as a string (no `r#`).
///
/// `current-context` → `current_context`, `apiVersion` → `api_version`; a name starting with a
/// digit gets an `n` prefix; a name with no letters or digits becomes `field`.
pub fn snake(wire: &str) -> String {
    let mut name = ascii_words(wire).to_snake_case();
    if name.is_empty() {
        name = "field".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'n');
    }
    if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// The snake_case name of a response or request header: like [`snake`], after dropping a
/// leading `X-` (`X-Request-Id` → `request_id`, `Port-ID` → `port_id`).
pub fn header_snake(wire: &str) -> String {
    let stripped = wire
        .strip_prefix("X-")
        .or_else(|| wire.strip_prefix("x-"))
        .filter(|rest| !rest.is_empty())
        .unwrap_or(wire);
    snake(stripped)
}

/// The UpperCamelCase name of a type or enum variant.
///
/// `vpc-router` → `VpcRouter`, `v1` → `V1`; a name starting with a digit gets a `V` prefix; a
/// name with no letters or digits becomes `Empty`.
pub fn pascal(wire: &str) -> String {
    let mut name = ascii_words(wire).to_upper_camel_case();
    if name.is_empty() {
        name = "Empty".to_owned();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'V');
    }
    if NON_RAW_KEYWORDS.contains(&name.as_str()) {
        name.push('_');
    }
    name
}

/// An identifier token for a name produced by [`snake`] or [`pascal`]: keywords become raw
/// identifiers (`r#type`).
pub fn ident(name: &str) -> Ident {
    if RAW_KEYWORDS.contains(&name) {
        Ident::new_raw(name, Span::call_site())
    } else {
        Ident::new(name, Span::call_site())
    }
}

/// Gives each wire name a distinct Rust name, deterministically; `candidates` are the
/// converted names, one per wire name.
///
/// A wire name that already is its Rust name keeps it. Any other name that would clash gets
/// the first free suffix `_2`, `_3`, … (`2`, `3`, … for UpperCamelCase names and names that
/// already end in `_`), taking names in
/// the order given. So `error_code` and `errorCode` become `error_code` and `error_code_2`.
pub fn distinct(wire_names: &[&str], candidates: Vec<String>) -> Vec<String> {
    let mut taken: Vec<String> = wire_names
        .iter()
        .zip(&candidates)
        .filter(|(wire, candidate)| *wire == candidate)
        .map(|(_, candidate)| candidate.clone())
        .collect();
    // The first of several identical wire names (a path and a query parameter both called
    // `name`) keeps the name; the others get suffixes like any clash.
    let mut kept: Vec<String> = Vec::new();
    wire_names
        .iter()
        .zip(candidates)
        .map(|(wire, candidate)| {
            if *wire == candidate && !kept.contains(&candidate) {
                kept.push(candidate.clone());
                return candidate;
            }
            let separator = if candidate.starts_with(|c: char| c.is_ascii_uppercase())
                || candidate.ends_with('_')
            {
                ""
            } else {
                "_"
            };
            let mut name = candidate.clone();
            let mut n = 2;
            while taken.contains(&name) {
                name = format!("{candidate}{separator}{n}");
                n += 1;
            }
            taken.push(name.clone());
            name
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names() {
        assert_eq!(snake("current-context"), "current_context");
        assert_eq!(snake("apiVersion"), "api_version");
        assert_eq!(snake("type"), "type");
        assert_eq!(ident(&snake("type")).to_string(), "r#type");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("2fa"), "n2fa");
        assert_eq!(snake("$"), "field");
    }

    #[test]
    fn header_names() {
        assert_eq!(header_snake("Port-ID"), "port_id");
        assert_eq!(header_snake("X-Request-Id"), "request_id");
        assert_eq!(header_snake("X-"), "x");
    }

    #[test]
    fn pascal_names() {
        assert_eq!(pascal("vpc-router"), "VpcRouter");
        assert_eq!(pascal("v1"), "V1");
        assert_eq!(pascal("application/json"), "ApplicationJson");
        assert_eq!(pascal("1.0"), "V10");
        assert_eq!(pascal(""), "Empty");
    }

    #[test]
    fn clashing_names_get_suffixes_in_order() {
        let wires = ["errorCode", "error_code", "error-code"];
        let names = distinct(&wires, wires.iter().map(|w| snake(w)).collect());
        assert_eq!(names, ["error_code_2", "error_code", "error_code_3"]);
        let variants = distinct(&["a-b", "a_b"], vec![pascal("a-b"), pascal("a_b")]);
        assert_eq!(variants, ["AB", "AB2"]);
        // The same wire name twice (a path and a query parameter): the second gets a suffix.
        let same = distinct(&["name", "name"], vec![snake("name"), snake("name")]);
        assert_eq!(same, ["name", "name_2"]);
    }
}
