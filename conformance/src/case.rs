//! The data-driven case format: `conformance/cases/<name>/case.json` (documented in
//! `conformance/cases/README.md`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::finding::Severity;

/// The file name of a case inside its folder.
pub const CASE_FILE: &str = "case.json";

/// The folder of the committed cases.
pub fn default_cases_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"))
}

/// The largest case or response file read, in bytes (64 MiB): far above any real answer
/// (a 14 MB response holds 300,000 clusters), far below what would exhaust memory.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Reads a case or response file as UTF-8 text, refusing before reading it whole: anything
/// but a regular file (a FIFO would wait for a writer, `/dev/zero` never ends; symlinks are
/// followed), a file above [`MAX_FILE_BYTES`] (also when it grows while read), and text that
/// is not UTF-8.
///
/// # Errors
///
/// [`CaseError::Read`], its cause saying which of the above.
pub fn read_text(path: &Path) -> Result<String, CaseError> {
    use std::io::Read as _;
    let fail = |source| CaseError::Read {
        path: path.display().to_string(),
        source,
    };
    let refuse = |why: String| fail(std::io::Error::new(std::io::ErrorKind::InvalidData, why));
    let metadata = std::fs::metadata(path).map_err(fail)?;
    if !metadata.is_file() {
        return Err(refuse("not a regular file".to_owned()));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(refuse(format!(
            "{} bytes, more than the {MAX_FILE_BYTES} read",
            metadata.len()
        )));
    }
    let file = std::fs::File::open(path).map_err(fail)?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(fail)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(refuse(format!("more than the {MAX_FILE_BYTES} bytes read")));
    }
    String::from_utf8(bytes).map_err(|e| {
        refuse(format!(
            "not UTF-8 (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })
}

/// One case: a request, a response, or both, and what the suite must conclude.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// What the case shows.
    pub description: String,
    /// The request, when the case has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestPart>,
    /// The response, when the case has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ResponsePart>,
    /// The validity the certificate was minted for, in days (-1 = 1825). Overrides the
    /// request body's `duration`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<i64>,
    /// What the suite must conclude. A case without one never passes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expect: Option<Expect>,
}

/// The request of a case. Values are raw JSON so that wrong types can be recorded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestPart {
    /// Path parameters (`project_id`, `cluster_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<BTreeMap<String, Value>>,
    /// Request headers, without credentials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// The JSON body. `null` is kept as a body of `null`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub body: Option<Value>,
}

/// The response of a case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponsePart {
    /// The HTTP status.
    pub status: u16,
    /// Response headers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The JSON body. `null` is kept as a body of `null`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub body: Option<Value>,
    /// A body that is not JSON, as text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_text: Option<String>,
}

/// Distinguishes a field that is present with `null` from an absent one.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

/// The verdict of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// No error finding.
    Valid,
    /// At least one error finding.
    Invalid,
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Verdict::Valid => "valid",
            Verdict::Invalid => "invalid",
        })
    }
}

/// An expected finding: which check, where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedFinding {
    /// The check's name.
    pub check: String,
    /// JSON Pointer into the case.
    pub path: String,
}

/// What the suite must conclude about a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The verdict.
    pub verdict: Verdict,
    /// Every error finding, exactly.
    #[serde(default)]
    pub violations: Vec<ExpectedFinding>,
    /// Every warning finding, exactly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<ExpectedFinding>,
    /// Every note finding, exactly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<ExpectedFinding>,
}

impl Expect {
    /// The expected findings of one severity.
    pub fn of(&self, severity: Severity) -> &[ExpectedFinding] {
        match severity {
            Severity::Error => &self.violations,
            Severity::Warning => &self.warnings,
            Severity::Note => &self.notes,
        }
    }
}

/// A case could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    /// The file or folder could not be read.
    #[error("cannot read {path}")]
    Read {
        /// What.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a case.
    #[error("{path} is not a valid case")]
    Parse {
        /// What.
        path: String,
        /// Why, with the JSON path.
        #[source]
        source: serde_path_to_error::Error<serde_json::Error>,
    },
}

impl Case {
    /// Parses a case from JSON text; `origin` names it in errors.
    pub fn from_json(text: &str, origin: &str) -> Result<Case, CaseError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize(de).map_err(|source| CaseError::Parse {
            path: origin.to_owned(),
            source,
        })
    }

    /// Reads a case file (see [`read_text`] for what is refused).
    pub fn load(path: &Path) -> Result<Case, CaseError> {
        let text = read_text(path)?;
        Case::from_json(&text, &path.display().to_string())
    }

    /// The duration the certificate was minted for, in days (-1 already turned into 1825):
    /// the case's `duration`, else the request body's when it is valid.
    pub fn known_duration_days(&self) -> Option<i64> {
        let raw = self.duration.or_else(|| {
            self.request
                .as_ref()?
                .body
                .as_ref()?
                .get("duration")?
                .as_i64()
        })?;
        duration_days(raw)
    }

    /// The case for a bare response body, as `validate --response` treats a JSON file that is
    /// not a case: a 200 response with that body.
    pub fn from_response_body(body: Value, duration: Option<i64>) -> Case {
        Case {
            description: "a response body given on the command line".into(),
            request: None,
            response: Some(ResponsePart {
                status: 200,
                headers: BTreeMap::new(),
                body: Some(body),
                body_text: None,
            }),
            duration,
            expect: None,
        }
    }
}

/// A duration in days as the API means it: `-1` is 1825 (5 × 365), 1..=1825 as is, anything
/// else is not a valid duration.
///
/// ```
/// use clustercert_conformance::case::duration_days;
/// assert_eq!(duration_days(-1), Some(1825));
/// assert_eq!(duration_days(30), Some(30));
/// assert_eq!(duration_days(0), None);
/// ```
pub fn duration_days(raw: i64) -> Option<i64> {
    match raw {
        -1 => Some(1825),
        1..=1825 => Some(raw),
        _ => None,
    }
}

/// Every case under `dir` (each sub-folder with a `case.json`), sorted by name.
pub fn load_dir(dir: &Path) -> Result<Vec<(String, Case)>, CaseError> {
    let read_err = |source| CaseError::Read {
        path: dir.display().to_string(),
        source,
    };
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_err)? {
        let entry = entry.map_err(read_err)?;
        let file = entry.path().join(CASE_FILE);
        // Anything named case.json is loaded, so that one that is not a regular file (a FIFO,
        // a link to a device) is an error rather than a case silently left out.
        if std::fs::symlink_metadata(&file).is_ok() {
            let name = entry.file_name().to_string_lossy().into_owned();
            cases.push((name, Case::load(&file)?));
        }
    }
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_cause_shown_once;

    #[test]
    fn null_body_is_kept_apart_from_a_missing_one() {
        let case = Case::from_json(
            r#"{"description": "d", "request": {"body": null}, "response": {"status": 500}}"#,
            "t",
        )
        .unwrap();
        assert_eq!(case.request.unwrap().body, Some(Value::Null));
        assert_eq!(case.response.unwrap().body, None);
    }

    #[test]
    fn unknown_case_fields_are_refused_with_their_path() {
        let err = Case::from_json(r#"{"description": "d", "expect": {"verdict": "ok"}}"#, "t")
            .unwrap_err();
        let rendered = format!("{:#}", anyhow::Error::new(err));
        assert!(rendered.contains("expect.verdict"), "{rendered}");
    }

    #[test]
    fn a_parse_error_shows_its_cause_once() {
        let err = Case::from_json(r#"{"description": "d", "response": "nope"}"#, "x/case.json")
            .unwrap_err();
        assert!(matches!(err, CaseError::Parse { .. }));
        assert_cause_shown_once(err);
    }

    #[test]
    fn a_read_error_shows_its_cause_once() {
        let dir = tempfile::tempdir().unwrap();
        let err = Case::load(&dir.path().join("missing.json")).unwrap_err();
        assert!(matches!(err, CaseError::Read { .. }));
        assert_cause_shown_once(err);
        let err = load_dir(&dir.path().join("missing")).unwrap_err();
        assert_cause_shown_once(err);
    }

    #[test]
    fn hostile_files_are_refused_before_being_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        // A symlink to an endless device: refused without reading (a bounded read would
        // also stop, but a FIFO would block on open).
        let zero = dir.path().join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let err = format!("{:#}", anyhow::Error::new(read_text(&zero).unwrap_err()));
        assert!(err.contains("not a regular file"), "{err}");
        // Above the cap: refused from its size.
        let big = dir.path().join("big.json");
        let file = std::fs::File::create(&big).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        let err = format!("{:#}", anyhow::Error::new(Case::load(&big).unwrap_err()));
        assert!(err.contains("more than the"), "{err}");
        // Not UTF-8.
        let latin1 = dir.path().join("latin1.json");
        std::fs::write(&latin1, b"{\"description\": \"caf\xe9\"}").unwrap();
        let err = format!("{:#}", anyhow::Error::new(Case::load(&latin1).unwrap_err()));
        assert!(
            err.contains("not UTF-8 (invalid byte at offset 20)"),
            "{err}"
        );
        // Nested past serde_json's depth limit: an error, not a stack overflow.
        let deep = dir.path().join("deep.json");
        std::fs::write(&deep, "[".repeat(100_000)).unwrap();
        assert!(Case::load(&deep).is_err());
    }

    #[test]
    fn known_duration_prefers_the_case_field_and_maps_minus_one() {
        let mut case = Case::from_json(
            r#"{"description": "d", "request": {"body": {"duration": -1}}}"#,
            "t",
        )
        .unwrap();
        assert_eq!(case.known_duration_days(), Some(1825));
        case.duration = Some(7);
        assert_eq!(case.known_duration_days(), Some(7));
        case.duration = Some(0);
        assert_eq!(case.known_duration_days(), None);
    }
}
