//! The conformance half of `cargo xtask corpus`: every response schema of an accepted spec
//! goes through the conformance crate's OpenAPI → JSON Schema translation
//! ([`clustercert_conformance::schema::CompiledSchema::compile`]: `to_draft4`, then a
//! draft-4 `jsonschema` validator).
//!
//! Which schemas: every operation (`get` … `trace`) under every path, every response status
//! (a response `$ref` is followed, up to 16 hops), every media type whose subtype is `json` or
//! ends in `+json` (`application/json`, `application/problem+json`, …), its `schema`. A schema
//! reached twice (the same component response, the same text) is compiled once. Path-item
//! `$ref`s are not followed (not seen in the corpus).
//!
//! The translation inlines every `$ref`, so a spec's schemas can be slow or large to
//! translate. Specs are therefore checked in a worker process of their own
//! (`xtask corpus-schemas`, one spec path per stdin line, one JSON result per stdout line),
//! which is killed and restarted when one spec exceeds its time bound: a spec that hangs or
//! grows without end costs its time bound and no more memory than it reached by then.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clustercert_conformance::schema::{resolve_ref, CompiledSchema, SchemaError};
use serde_json::{json, Value};

/// The methods an OpenAPI 3.0 path item holds operations under.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// How one spec's response schemas went.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemaOutcome {
    /// Every schema was translated; `schemas` distinct ones, `failures` (pointer, error) the
    /// ones that were not translated or did not compile.
    Checked {
        schemas: usize,
        failures: Vec<(String, String)>,
    },
    /// The spec could not be read as JSON/YAML (it was accepted by the generator, so this
    /// should not happen).
    Unreadable(String),
    /// The worker exceeded the time bound on this spec (it was killed).
    TimedOut,
    /// The worker died (a panic in the translation, or out of memory).
    Crashed(String),
}

impl SchemaOutcome {
    /// Whether every response schema translated and compiled.
    pub fn passed(&self) -> bool {
        matches!(self, SchemaOutcome::Checked { failures, .. } if failures.is_empty())
    }

    /// One line per failure, `pointer: error` (or the one reason), for the failures file.
    pub fn failure_lines(&self) -> Vec<String> {
        match self {
            SchemaOutcome::Checked { failures, .. } => failures
                .iter()
                .map(|(at, error)| {
                    // jsonschema quotes the offending value in full, sometimes a whole schema.
                    let mut shown: String = error.chars().take(600).collect();
                    if shown.len() < error.len() {
                        shown.push('…');
                    }
                    format!("{at}: {shown}")
                })
                .collect(),
            SchemaOutcome::Unreadable(e) => vec![format!("#: cannot read the spec: {e}")],
            SchemaOutcome::TimedOut => vec!["#: translation exceeded the time bound".to_owned()],
            SchemaOutcome::Crashed(e) => vec![format!("#: the translation crashed: {e}")],
        }
    }

    /// The causes of the failures, particulars blanked, each once per spec.
    pub fn causes(&self) -> Vec<String> {
        let mut causes: Vec<String> = match self {
            SchemaOutcome::Checked { failures, .. } => failures
                .iter()
                .map(|(_, error)| error_cause(error))
                .collect(),
            SchemaOutcome::Unreadable(_) => vec!["cannot read the spec".to_owned()],
            SchemaOutcome::TimedOut => vec!["time bound exceeded".to_owned()],
            SchemaOutcome::Crashed(_) => vec!["worker crashed".to_owned()],
        };
        causes.sort();
        causes.dedup();
        causes
    }

    fn to_json(&self) -> Value {
        match self {
            SchemaOutcome::Checked { schemas, failures } => json!({
                "schemas": schemas,
                "failures": failures.iter().map(|(at, e)| json!([at, e])).collect::<Vec<_>>(),
            }),
            SchemaOutcome::Unreadable(e) => json!({ "unreadable": e }),
            SchemaOutcome::TimedOut => json!({ "timeout": true }),
            SchemaOutcome::Crashed(e) => json!({ "crashed": e }),
        }
    }

    /// Reads a worker's result line; anything else is a crash with that text.
    fn from_json(line: &str) -> SchemaOutcome {
        let crashed = || SchemaOutcome::Crashed(format!("unexpected worker output {line:?}"));
        let Ok(value) = serde_json::from_str::<Value>(line) else {
            return crashed();
        };
        if let Some(e) = value.get("unreadable").and_then(Value::as_str) {
            return SchemaOutcome::Unreadable(e.to_owned());
        }
        if let Some(e) = value.get("crashed").and_then(Value::as_str) {
            return SchemaOutcome::Crashed(e.to_owned());
        }
        if value.get("timeout").is_some() {
            return SchemaOutcome::TimedOut;
        }
        let (Some(schemas), Some(failures)) = (
            value.get("schemas").and_then(Value::as_u64),
            value.get("failures").and_then(Value::as_array),
        ) else {
            return crashed();
        };
        let mut out = Vec::new();
        for failure in failures {
            match (
                failure.get(0).and_then(Value::as_str),
                failure.get(1).and_then(Value::as_str),
            ) {
                (Some(at), Some(error)) => out.push((at.to_owned(), error.to_owned())),
                _ => return crashed(),
            }
        }
        SchemaOutcome::Checked {
            schemas: usize::try_from(schemas).unwrap_or(usize::MAX),
            failures: out,
        }
    }
}

/// A translation error with its particulars (references, names, numbers) blanked.
pub fn error_cause(error: &str) -> String {
    if error.starts_with("$ref cycle") {
        return "$ref cycle (a recursive schema)".to_owned();
    }
    if let Some(reference) = error.strip_prefix("unresolvable $ref \"") {
        return if reference.starts_with('#') {
            "unresolvable $ref (local pointer that points nowhere)".to_owned()
        } else {
            "unresolvable $ref (not a local pointer)".to_owned()
        };
    }
    if error.starts_with("unresolvable response $ref") {
        return "unresolvable response $ref".to_owned();
    }
    // jsonschema names the offending value first, in full (a pattern, or a whole schema
    // that failed the meta-schema): only what follows it is the cause.
    if let Some(rest) = error.strip_prefix("schema does not compile: ") {
        if let Some(at) = rest.rfind(" is not ") {
            let what: String = rest[at..].chars().take(100).collect();
            return format!("schema does not compile: …{what}");
        }
    }
    // Quoted particulars ("…" and '…') become `…`, which `corpus::cause` blanks.
    let mut quoted = String::with_capacity(error.len());
    let mut open: Option<char> = None;
    for c in error.chars() {
        match open {
            Some(q) if c == q => {
                quoted.push('`');
                open = None;
            }
            Some(_) => quoted.push(c),
            None if c == '"' || c == '\'' => {
                quoted.push('`');
                open = Some(c);
            }
            None => quoted.push(c),
        }
    }
    if open.is_some() {
        quoted.push('`');
    }
    crate::corpus::cause(&quoted)
}

/// Whether a media type carries JSON: subtype `json` or `…+json`, parameters ignored.
pub fn is_json_media_type(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    match essence.split_once('/') {
        Some((kind, subtype)) => {
            !kind.is_empty() && (subtype == "json" || subtype.ends_with("+json"))
        }
        None => false,
    }
}

/// Escapes one JSON Pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Every JSON response schema of the document, with the pointer of the schema (through the
/// response's `$ref` target when there is one); a response `$ref` that resolves nowhere is
/// an `Err` at the response's pointer.
pub fn response_schemas(root: &Value) -> Vec<(String, Result<&Value, String>)> {
    let mut out = Vec::new();
    let Some(paths) = root.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        for method in METHODS {
            let Some(responses) = item
                .get(method)
                .and_then(|operation| operation.get("responses"))
                .and_then(Value::as_object)
            else {
                continue;
            };
            for (status, response) in responses {
                let mut at = format!(
                    "#/paths/{}/{method}/responses/{}",
                    escape(path),
                    escape(status)
                );
                let mut response = response;
                let mut hops = 0;
                let mut broken = None;
                while let Some(reference) = response.get("$ref") {
                    hops += 1;
                    let resolved = reference
                        .as_str()
                        .filter(|_| hops <= 16)
                        .and_then(|r| resolve_ref(root, r).ok().map(|target| (r, target)));
                    match resolved {
                        Some((reference, target)) => {
                            at = reference.to_owned();
                            response = target;
                        }
                        None => {
                            broken = Some(format!("unresolvable response $ref {reference}"));
                            break;
                        }
                    }
                }
                if let Some(broken) = broken {
                    out.push((at, Err(broken)));
                    continue;
                }
                let Some(content) = response.get("content").and_then(Value::as_object) else {
                    continue;
                };
                for (media_type, media) in content {
                    if !is_json_media_type(media_type) {
                        continue;
                    }
                    if let Some(schema) = media.get("schema") {
                        out.push((
                            format!("{at}/content/{}/schema", escape(media_type)),
                            Ok(schema),
                        ));
                    }
                }
            }
        }
    }
    out
}

/// Translates and compiles every JSON response schema of one document, each distinct one once.
pub fn check_document(root: &Value) -> SchemaOutcome {
    let mut seen_at: HashMap<String, ()> = HashMap::new();
    let mut seen_text: HashMap<String, ()> = HashMap::new();
    let mut schemas = 0;
    let mut failures = Vec::new();
    for (at, schema) in response_schemas(root) {
        if seen_at.insert(at.clone(), ()).is_some() {
            continue;
        }
        let schema = match schema {
            Ok(schema) => schema,
            Err(e) => {
                failures.push((at, e));
                continue;
            }
        };
        // Inline schemas repeat across operations; the same text translates the same way.
        if seen_text.insert(schema.to_string(), ()).is_some() {
            continue;
        }
        schemas += 1;
        if let Err(e) = CompiledSchema::compile(schema, root) {
            let message = match e {
                SchemaError::Compile(m) => format!("schema does not compile: {m}"),
                other => other.to_string(),
            };
            failures.push((at, message));
        }
    }
    SchemaOutcome::Checked { schemas, failures }
}

/// Reads one spec (JSON, else YAML) and checks it.
pub fn check_file(path: &Path) -> SchemaOutcome {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => return SchemaOutcome::Unreadable(e.to_string()),
    };
    let root: Result<Value, String> = if text.trim_start().starts_with('{') {
        serde_json::from_str(&text).map_err(|e| e.to_string())
    } else {
        serde_yaml::from_str(&text).map_err(|e| e.to_string())
    };
    match root {
        Ok(root) => check_document(&root),
        Err(e) => SchemaOutcome::Unreadable(e),
    }
}

/// The worker: one spec path per stdin line, one JSON result per stdout line.
pub fn worker() -> Result<()> {
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout().lock();
    for line in stdin.lock().lines() {
        let line = line.context("reading a spec path")?;
        let outcome = check_file(Path::new(&line));
        writeln!(stdout, "{}", outcome.to_json())?;
        stdout.flush()?;
    }
    Ok(())
}

/// A running worker process.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: mpsc::Receiver<String>,
}

impl Worker {
    fn start() -> Result<Worker> {
        // On Linux the running binary itself, even when `cargo build` has replaced the file
        // since this run started (the path then no longer names it).
        let proc_exe = Path::new("/proc/self/exe");
        let exe = if proc_exe.exists() {
            proc_exe.to_path_buf()
        } else {
            std::env::current_exe().context("finding the xtask binary")?
        };
        let mut child = Command::new(exe)
            .arg("corpus-schemas")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting the schema worker")?;
        let stdin = child.stdin.take().context("the worker's stdin")?;
        let stdout = child.stdout.take().context("the worker's stdout")?;
        let (send, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            lines,
        })
    }

    fn stop(mut self) {
        // Only this worker, by its own handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Checks specs in a worker process, one at a time, each bounded by `timeout`; the worker is
/// replaced after a timeout or a crash.
pub struct Checker {
    worker: Option<Worker>,
    timeout: Duration,
}

impl Checker {
    /// A checker whose worker starts on first use.
    pub fn new(timeout: Duration) -> Checker {
        Checker {
            worker: None,
            timeout,
        }
    }

    /// Checks one spec; returns its outcome and the time it took. A worker that cannot be
    /// started is that spec's failure (the next spec tries again), not the run's.
    pub fn check(&mut self, spec: &Path) -> (SchemaOutcome, Duration) {
        let started = Instant::now();
        if self.worker.is_none() {
            match Worker::start() {
                Ok(worker) => self.worker = Some(worker),
                Err(e) => return (SchemaOutcome::Crashed(format!("{e:#}")), started.elapsed()),
            }
        }
        let Some(worker) = self.worker.as_mut() else {
            return (
                SchemaOutcome::Crashed("no worker".to_owned()),
                started.elapsed(),
            );
        };
        let sent = writeln!(worker.stdin, "{}", spec.display()).and_then(|()| worker.stdin.flush());
        let outcome = match sent {
            Err(e) => SchemaOutcome::Crashed(format!("the worker stopped reading: {e}")),
            Ok(()) => match worker.lines.recv_timeout(self.timeout) {
                Ok(line) => SchemaOutcome::from_json(&line),
                Err(mpsc::RecvTimeoutError::Timeout) => SchemaOutcome::TimedOut,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    SchemaOutcome::Crashed("the worker exited".to_owned())
                }
            },
        };
        if !matches!(
            outcome,
            SchemaOutcome::Checked { .. } | SchemaOutcome::Unreadable(_)
        ) {
            if let Some(worker) = self.worker.take() {
                worker.stop();
            }
        }
        (outcome, started.elapsed())
    }
}

impl Drop for Checker {
    fn drop(&mut self) {
        if let Some(worker) = self.worker.take() {
            worker.stop();
        }
    }
}

/// Checks the specs sent on `specs` as they come (while generation goes on), in a thread of
/// its own; the handle returns each spec's outcome and time.
pub fn spawn_checker(
    specs: mpsc::Receiver<PathBuf>,
    timeout: Duration,
) -> std::thread::JoinHandle<BTreeMap<PathBuf, (SchemaOutcome, Duration)>> {
    std::thread::spawn(move || {
        let mut checker = Checker::new(timeout);
        let mut results = BTreeMap::new();
        for spec in specs {
            let result = checker.check(&spec);
            results.insert(spec, result);
        }
        results
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_media_types_are_recognized() {
        for yes in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/problem+json",
            "application/vnd.github.v3+json",
            "text/json",
        ] {
            assert!(is_json_media_type(yes), "{yes}");
        }
        for no in [
            "text/plain",
            "*/*",
            "application/xml",
            "application/jsonp",
            "application/x-ndjson",
            "json",
            "/json",
            "",
        ] {
            assert!(!is_json_media_type(no), "{no}");
        }
    }

    #[test]
    fn response_refs_are_followed_and_non_json_media_types_skipped() {
        let root = json!({
            "paths": {
                "/a/{id}": {
                    "parameters": [],
                    "get": {"responses": {
                        "200": {"content": {
                            "application/json": {"schema": {"type": "string"}},
                            "text/plain": {"schema": {"type": "string"}}
                        }},
                        "404": {"$ref": "#/components/responses/NotFound"},
                        "500": {"$ref": "#/components/responses/Missing"},
                        "204": {"description": "no content"}
                    }}
                }
            },
            "components": {"responses": {"NotFound": {"content": {
                "application/problem+json": {"schema": {"type": "object"}}
            }}}}
        });
        let found: Vec<(String, bool)> = response_schemas(&root)
            .into_iter()
            .map(|(at, schema)| (at, schema.is_ok()))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "#/paths/~1a~1{id}/get/responses/200/content/application~1json/schema"
                        .to_owned(),
                    true
                ),
                (
                    "#/components/responses/NotFound/content/application~1problem+json/schema"
                        .to_owned(),
                    true
                ),
                ("#/paths/~1a~1{id}/get/responses/500".to_owned(), false),
            ]
        );
    }

    #[test]
    fn a_ref_loop_between_responses_ends() {
        let root = json!({
            "paths": {"/a": {"get": {"responses": {"200": {"$ref": "#/components/responses/A"}}}}},
            "components": {"responses": {
                "A": {"$ref": "#/components/responses/B"},
                "B": {"$ref": "#/components/responses/A"}
            }}
        });
        let found = response_schemas(&root);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.is_err());
    }

    #[test]
    fn documents_are_checked_and_failures_located() {
        let root = json!({
            "paths": {
                "/ok": {"get": {"responses": {"200": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Thing"}}}}}}},
                "/again": {"post": {"responses": {"200": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Thing"}}}}}}},
                "/bad": {"get": {"responses": {"200": {"content": {"application/json": {
                    "schema": {"type": "string", "minLength": "three"}}}}}}},
                "/nowhere": {"get": {"responses": {"200": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Nope"}}}}}}}
            },
            "components": {"schemas": {
                "Thing": {"type": "object", "properties": {"n": {"type": "integer", "format": "int32"}}}
            }}
        });
        let SchemaOutcome::Checked { schemas, failures } = check_document(&root) else {
            panic!("expected a checked document");
        };
        // `Thing` is reached twice and compiled once.
        assert_eq!(schemas, 3);
        let failed: Vec<&str> = failures.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(
            failed,
            vec![
                "#/paths/~1bad/get/responses/200/content/application~1json/schema",
                "#/paths/~1nowhere/get/responses/200/content/application~1json/schema",
            ]
        );
        let causes: Vec<String> = failures.iter().map(|(_, e)| error_cause(e)).collect();
        assert!(
            causes[0].starts_with("schema does not compile"),
            "{causes:?}"
        );
        assert_eq!(
            causes[1],
            "unresolvable $ref (local pointer that points nowhere)"
        );
    }

    #[test]
    fn outcomes_survive_the_worker_protocol() {
        for outcome in [
            SchemaOutcome::Checked {
                schemas: 3,
                failures: vec![("#/a".to_owned(), "bad \"x\"\nline".to_owned())],
            },
            SchemaOutcome::Checked {
                schemas: 0,
                failures: vec![],
            },
            SchemaOutcome::Unreadable("eof".to_owned()),
            SchemaOutcome::TimedOut,
            SchemaOutcome::Crashed("boom".to_owned()),
        ] {
            let line = outcome.to_json().to_string();
            assert!(!line.contains('\n'));
            assert_eq!(SchemaOutcome::from_json(&line), outcome);
        }
        assert!(matches!(
            SchemaOutcome::from_json("thread 'main' panicked"),
            SchemaOutcome::Crashed(_)
        ));
        assert!(matches!(
            SchemaOutcome::from_json(r#"{"schemas": 1, "failures": [[1, 2]]}"#),
            SchemaOutcome::Crashed(_)
        ));
    }

    #[test]
    fn causes_blank_quoted_particulars() {
        assert_eq!(
            error_cause("schema does not compile: \"abc(\" is not a \"regex\""),
            "schema does not compile: … is not a \"regex\""
        );
        assert_eq!(
            error_cause(
                "schema does not compile: {\"a\": \"x is not y\"} is not valid under any of the schemas listed in the 'anyOf' keyword"
            ),
            "schema does not compile: … is not valid under any of the schemas listed in the 'anyOf' keyword"
        );
        assert_eq!(
            error_cause("schema does not compile: 12 went wrong at \"x\""),
            "schema does not compile: N went wrong at `…`"
        );
        assert_eq!(
            error_cause("$ref cycle through \"#/components/schemas/Node\""),
            "$ref cycle (a recursive schema)"
        );
        assert_eq!(
            error_cause("unresolvable $ref \"other.json#/a\""),
            "unresolvable $ref (not a local pointer)"
        );
    }
}
