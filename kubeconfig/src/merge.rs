//! Merging a [`ClusterEntry`] into an existing kubeconfig, and rendering the result.
//!
//! The existing kubeconfig is handled as a generic YAML value, not as a model of
//! `v1.Config`: whatever this crate does not know about (extensions, exec plugins, fields of
//! newer Kubernetes versions) passes through untouched.

use std::fmt;
use std::path::Path;

use serde_yaml::{Mapping, Value};

use super::yaml::{self, binary_tag_line, flow_depth, MAX_DEPTH};
use super::{ClusterEntry, KubeconfigError, MAX_FILE_SIZE};

use clustercert::runtime::redact::is_secret_key;
/// What a redacted secret is rendered as: the runtime's one marker, the one errors, logs and
/// recordings use, so a redacted kubeconfig and a redacted log read alike.
pub use clustercert::runtime::redact::REDACTION_MARKER;

/// Whether a rendering shows secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Secrets {
    /// Every user's secrets (client keys, tokens, passwords) read [`REDACTION_MARKER`]: for dry runs
    /// and logs.
    Redact,
    /// Secrets as they are: for the file itself.
    Show,
}

/// How to merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeOptions {
    /// Make the entry's context the current context (the default).
    pub set_current_context: bool,
}

impl Default for MergeOptions {
    fn default() -> Self {
        MergeOptions {
            set_current_context: true,
        }
    }
}

/// A kubeconfig with one cluster's entry merged in.
///
/// `Debug` shows the names, never the document (it holds secrets).
#[derive(Clone, PartialEq)]
pub struct Merged {
    document: Value,
    name: String,
    replaced: bool,
}

impl fmt::Debug for Merged {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Merged")
            .field("name", &self.name)
            .field("replaced", &self.replaced)
            .finish_non_exhaustive()
    }
}

impl Merged {
    /// The YAML text of the merged kubeconfig: every string reads back as itself in YAML 1.1
    /// (kubectl) and 1.2 (see [`yaml`](crate::yaml)).
    pub fn to_yaml(&self, secrets: Secrets) -> Result<String, KubeconfigError> {
        Ok(match secrets {
            Secrets::Show => yaml::to_string(&self.document),
            Secrets::Redact => {
                let mut document = self.document.clone();
                redact(&mut document);
                yaml::to_string(&document)
            }
        })
    }

    /// The name of the merged cluster, user and context.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether entries of that name were there before and have been replaced.
    pub fn replaced(&self) -> bool {
        self.replaced
    }
}

/// Merges `entry` into the kubeconfig `existing` (YAML text; empty for none).
///
/// - Entries named [`entry.name()`](ClusterEntry::name) in `clusters`, `users` and
///   `contexts` are replaced in place (later duplicates of that name are removed); otherwise
///   the entry is appended.
/// - Every other entry and field stays as it is, including fields this crate does not model.
/// - `current-context` becomes the entry's context when `options.set_current_context`.
/// - Missing `apiVersion` and `kind` are filled in.
///
/// Text that is not a kubeconfig (not YAML, not a mapping, a `kind` other than `Config`,
/// `clusters` that is not a list, …) is a [`KubeconfigError::Malformed`].
pub fn merge(
    existing: &str,
    entry: &ClusterEntry,
    options: &MergeOptions,
) -> Result<Merged, KubeconfigError> {
    merge_from(existing, None, entry, options)
}

/// Checks that `existing` (YAML text; empty for none) is a kubeconfig [`merge`] accepts,
/// without merging anything: to refuse a bad file before asking the API for a certificate.
///
/// ```
/// use clustercert_kubeconfig::check;
/// assert!(check("").is_ok());
/// assert!(check("clusters: []\ncurrent-context: dev\n").is_ok());
/// assert!(check("clusters: 3\n").is_err());
/// ```
pub fn check(existing: &str) -> Result<(), KubeconfigError> {
    check_from(existing, None)
}

/// [`check`], naming `path` in errors.
pub(crate) fn check_from(existing: &str, path: Option<&Path>) -> Result<(), KubeconfigError> {
    let malformed = |reason: String| KubeconfigError::Malformed {
        path: path.map(Path::to_path_buf),
        reason,
    };
    let mut document = parse(existing).map_err(malformed)?;
    ensure_value(&mut document, "apiVersion", "v1").map_err(malformed)?;
    ensure_value(&mut document, "kind", "Config").map_err(malformed)?;
    for list in ["clusters", "users", "contexts"] {
        match document.get(list) {
            None | Some(Value::Null | Value::Sequence(_)) => {}
            Some(other) => {
                return Err(malformed(format!(
                    "`{list}` is {}, not a list",
                    kind_of(other)
                )))
            }
        }
    }
    Ok(())
}

/// [`merge`], naming `path` in errors.
pub(crate) fn merge_from(
    existing: &str,
    path: Option<&Path>,
    entry: &ClusterEntry,
    options: &MergeOptions,
) -> Result<Merged, KubeconfigError> {
    merge_into(parse_from(existing, path)?, path, entry, options)
}

/// [`merge`] into an already parsed document.
pub(crate) fn merge_into(
    mut document: Mapping,
    path: Option<&Path>,
    entry: &ClusterEntry,
    options: &MergeOptions,
) -> Result<Merged, KubeconfigError> {
    let malformed = |reason: String| KubeconfigError::Malformed {
        path: path.map(Path::to_path_buf),
        reason,
    };
    ensure_value(&mut document, "apiVersion", "v1").map_err(malformed)?;
    ensure_value(&mut document, "kind", "Config").map_err(malformed)?;
    if !document.contains_key("preferences") {
        document.insert("preferences".into(), Mapping::new().into());
    }
    let mut replaced = false;
    for (list, item) in [
        ("clusters", entry.cluster_item()),
        ("users", entry.user_item()),
        ("contexts", entry.context_item()),
    ] {
        replaced |= upsert(&mut document, list, entry.name(), item).map_err(malformed)?;
    }
    if options.set_current_context {
        document.insert("current-context".into(), entry.name().to_owned().into());
    }
    Ok(Merged {
        document: document.into(),
        name: entry.name().to_owned(),
        replaced,
    })
}

/// The existing text as a kubeconfig document (see [`parse`]), naming `path` in errors.
pub(crate) fn parse_from(existing: &str, path: Option<&Path>) -> Result<Mapping, KubeconfigError> {
    parse(existing).map_err(|reason| KubeconfigError::Malformed {
        path: path.map(Path::to_path_buf),
        reason,
    })
}

/// Checks that `name` is free in `document`: no cluster, user or context has it, or the
/// context of that name was written by this crate (so a rerun replaces its own entry): it
/// carries the [`MARKER`](super::entry::MARKER) extension, or, as written before the marker,
/// it has a default name (`cce-…-internal`/`-external`) and refers to the cluster and user
/// of that name. Anything else is someone else's entry.
pub(crate) fn names_free(
    document: &Mapping,
    name: &str,
    path: Option<&Path>,
) -> Result<(), KubeconfigError> {
    let named = |list: &str| -> Vec<&Value> {
        match document.get(list) {
            Some(Value::Sequence(items)) => items
                .iter()
                .filter(|v| v.get("name").and_then(Value::as_str) == Some(name))
                .collect(),
            _ => Vec::new(),
        }
    };
    let (clusters, users, contexts) = (named("clusters"), named("users"), named("contexts"));
    if clusters.is_empty() && users.is_empty() && contexts.is_empty() {
        return Ok(());
    }
    let ours = |context: &&Value| {
        let body = context.get("context");
        let marked = match body.and_then(|c| c.get("extensions")) {
            Some(Value::Sequence(extensions)) => extensions
                .iter()
                .any(|e| e.get("name").and_then(Value::as_str) == Some(super::entry::MARKER)),
            _ => false,
        };
        let field = |f: &str| body.and_then(|c| c.get(f)).and_then(Value::as_str);
        let default_named = name.starts_with("cce-")
            && (name.ends_with("-internal") || name.ends_with("-external"));
        marked || (default_named && field("cluster") == Some(name) && field("user") == Some(name))
    };
    let what = match contexts.first() {
        Some(context) if ours(context) => return Ok(()),
        Some(context) => format!(
            "context `{name}` refers to cluster `{}` and user `{}`",
            describe_ref(context, "cluster"),
            describe_ref(context, "user")
        ),
        None if !clusters.is_empty() => {
            format!("a cluster is named `{name}`, with no context of that name")
        }
        None => format!("a user is named `{name}`, with no context of that name"),
    };
    Err(KubeconfigError::NameTaken {
        name: name.to_owned(),
        path: path
            .map(Path::to_path_buf)
            .unwrap_or_else(|| "the kubeconfig".into()),
        what,
    })
}

fn describe_ref(context: &Value, field: &str) -> String {
    context
        .get("context")
        .and_then(|c| c.get(field))
        .and_then(Value::as_str)
        .unwrap_or("(none)")
        .to_owned()
}

/// Checks that `name` is free in the kubeconfig text `existing` (empty for none): see
/// [`update_file`](super::update_file), which refuses to replace someone else's entry.
///
/// ```
/// use clustercert_kubeconfig::check_name_free;
/// let mine = "contexts: [{name: a, context: {cluster: a, user: a,
///     extensions: [{name: cce-kubeconfig, extension: {cluster-id: c1}}]}}]";
/// assert!(check_name_free(mine, "a").is_ok());
/// let same_shape = "contexts: [{name: a, context: {cluster: a, user: a}}]";
/// assert!(check_name_free(same_shape, "a").is_err());
/// let theirs = "contexts: [{name: a, context: {cluster: prod, user: admin}}]";
/// assert!(check_name_free(theirs, "a").is_err());
/// assert!(check_name_free(theirs, "b").is_ok());
/// ```
pub fn check_name_free(existing: &str, name: &str) -> Result<(), KubeconfigError> {
    names_free(&parse_from(existing, None)?, name, None)
}

/// The existing text as a mapping; blank text and a YAML `null` are an empty kubeconfig. A
/// byte order mark is skipped; nesting deeper than [`MAX_DEPTH`] is refused before the YAML
/// parser sees it (its work grows with depth times length).
fn parse(existing: &str) -> Result<Mapping, String> {
    let existing = existing.strip_prefix('\u{feff}').unwrap_or(existing);
    if existing.trim().is_empty() {
        return Ok(Mapping::new());
    }
    if flow_depth(existing, MAX_DEPTH) > MAX_DEPTH {
        return Err(format!(
            "it nests more than {MAX_DEPTH} levels deep, which no kubeconfig needs"
        ));
    }
    if let Some(line) = binary_tag_line(existing) {
        return Err(format!(
            "line {line} holds a `!!binary` value, which kubectl decodes but this tool would \
             write back undecoded; replace it with the decoded text"
        ));
    }
    yaml::check_expanded_size(
        existing,
        yaml::expansion_budget(existing.len(), MAX_FILE_SIZE as usize),
    )?;
    let mut value =
        serde_yaml::from_str::<Value>(existing).map_err(|e| format!("not YAML: {e}"))?;
    // kubectl's YAML 1.1 reader merges `<<: *anchor` keys; so do we, or the key would be
    // written back quoted, as a literal `<<` that kubectl no longer merges.
    value
        .apply_merge()
        .map_err(|e| format!("a `<<` merge key cannot be merged: {e}"))?;
    match value {
        Value::Null => Ok(Mapping::new()),
        Value::Mapping(mapping) => Ok(mapping),
        other => Err(format!(
            "the top level is {}, not a mapping",
            kind_of(&other)
        )),
    }
}

/// Checks `key` is `expected` when present; inserts it when missing.
fn ensure_value(document: &mut Mapping, key: &str, expected: &str) -> Result<(), String> {
    match document.get(key) {
        None | Some(Value::Null) => {
            document.insert(key.into(), expected.into());
            Ok(())
        }
        Some(Value::String(s)) if s == expected => Ok(()),
        Some(other) => Err(format!(
            "`{key}` is {}, expected `{expected}`",
            describe_value(other)
        )),
    }
}

/// Replaces the items of `document[list]` named `name` with `item`, or appends it. Returns
/// whether one was replaced.
fn upsert(document: &mut Mapping, list: &str, name: &str, item: Value) -> Result<bool, String> {
    let slot = document
        .entry(list.into())
        .or_insert_with(|| Value::Sequence(Vec::new()));
    if slot.is_null() {
        *slot = Value::Sequence(Vec::new());
    }
    let Value::Sequence(items) = slot else {
        return Err(format!("`{list}` is {}, not a list", kind_of(slot)));
    };
    let is_ours = |v: &Value| v.get("name").and_then(Value::as_str) == Some(name);
    match items.iter().position(is_ours) {
        Some(first) => {
            items[first] = item;
            let mut index = 0;
            items.retain(|v| {
                let keep = index <= first || !is_ours(v);
                index += 1;
                keep
            });
            Ok(true)
        }
        None => {
            items.push(item);
            Ok(false)
        }
    }
}

/// Replaces every secret of every user in a kubeconfig document with [`REDACTION_MARKER`]: the
/// value of every key the runtime's vocabulary names a secret
/// ([`is_secret_key`](clustercert::runtime::redact::is_secret_key): client keys, tokens,
/// passwords, client secrets of auth providers, …), at any depth of a user.
///
/// ```
/// let mut doc: serde_yaml::Value = serde_yaml::from_str(
///     "users: [{name: a, user: {token: t0p, client-certificate-data: Q0VSVA==}}]",
/// ).unwrap();
/// clustercert_kubeconfig::redact(&mut doc);
/// assert_eq!(doc["users"][0]["user"]["token"].as_str(), Some("[REDACTED]"));
/// assert_eq!(clustercert_kubeconfig::REDACTION_MARKER, "[REDACTED]");
/// assert_eq!(doc["users"][0]["user"]["client-certificate-data"].as_str(), Some("Q0VSVA=="));
/// ```
pub fn redact(document: &mut Value) {
    if let Some(Value::Sequence(users)) = document.get_mut("users") {
        for user in users {
            if let Some(body) = user.get_mut("user") {
                redact_secrets(body);
            }
        }
    }
}

fn redact_secrets(value: &mut Value) {
    match value {
        Value::Mapping(mapping) => {
            for (key, value) in mapping.iter_mut() {
                let secret = key.as_str().is_some_and(is_secret_key);
                if secret && !value.is_null() {
                    *value = REDACTION_MARKER.into();
                } else {
                    redact_secrets(value);
                }
            }
        }
        Value::Sequence(items) => items.iter_mut().for_each(redact_secrets),
        Value::Tagged(tagged) => redact_secrets(&mut tagged.value),
        _ => {}
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

fn describe_value(value: &Value) -> String {
    match value {
        Value::String(s) => format!("`{s}`"),
        other => kind_of(other).to_owned(),
    }
}
