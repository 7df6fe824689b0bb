//! `--record DIR`: saves what a live or mock run received as a new case, with the client key,
//! the certificates and any token replaced by the runtime's redaction marker
//! ([`clustercert::runtime::redact::REDACTION_MARKER`], `[REDACTED]`) before anything touches
//! the disk.
//!
//! What counts as a secret is the runtime's vocabulary ([`clustercert::runtime::redact`]):
//! its secret headers, and in the body every key it names a secret (`client-key-data`,
//! `token`, …) plus secret-looking text. On top of that the recorder replaces the
//! certificates (`certificate-authority-data`, `client-certificate-data`): not secrets, but
//! they identify a real cluster and user, and a recording is meant to be shared.
//!
//! The runtime's marker names no field, so a recording says `[REDACTED]` where earlier
//! versions wrote `REDACTED:<field>`; the JSON Pointer of a finding names the field instead.

use std::path::{Path, PathBuf};

use clustercert::runtime::redact::{self as vocabulary, REDACTION_MARKER};
use serde_json::Value;

use crate::case::{Case, CASE_FILE};
use crate::runner::run_case;
use crate::schema::Validators;

/// Certificate fields the recorder replaces besides what the runtime calls secret, as (list,
/// entry object, field).
const CERTIFICATE_FIELDS: &[(&str, &str, &str)] = &[
    ("clusters", "cluster", "certificate-authority-data"),
    ("users", "user", "client-certificate-data"),
];

/// Replaces every secret in a case: the values of credential headers, the secrets and
/// certificates of the response body, and the raw text of a 2xx body that is not JSON (it may
/// hold a cut-off key).
///
/// ```
/// use clustercert_conformance::case::Case;
/// use clustercert_conformance::record::redact;
/// let mut case = Case::from_response_body(
///     serde_json::json!({"users": [{"name": "user", "user": {"client-key-data": "c2VjcmV0"}}]}),
///     None,
/// );
/// redact(&mut case);
/// let text = serde_json::to_string(&case).unwrap();
/// assert!(!text.contains("c2VjcmV0"));
/// assert!(text.contains(r#""client-key-data":"[REDACTED]""#));
/// ```
pub fn redact(case: &mut Case) {
    if let Some(request) = &mut case.request {
        if let Some(headers) = &mut request.headers {
            redact_headers(headers);
        }
        if let Some(body) = &mut request.body {
            vocabulary::redact_json(body);
        }
    }
    if let Some(response) = &mut case.response {
        redact_headers(&mut response.headers);
        if let Some(body) = &mut response.body {
            redact_body(body);
        }
        if let Some(text) = &mut response.body_text {
            *text = if (200..300).contains(&response.status) {
                format!("{REDACTION_MARKER} ({} bytes)", text.len())
            } else {
                vocabulary::redact_text(text)
            };
        }
    }
}

fn redact_headers(headers: &mut std::collections::BTreeMap<String, String>) {
    for (name, value) in headers.iter_mut() {
        *value = vocabulary::header_value(name, value).into_owned();
    }
}

/// Replaces the secrets (the runtime's vocabulary) and the certificates of a kubeconfig
/// body.
pub fn redact_body(body: &mut Value) {
    vocabulary::redact_json(body);
    for (list, object, field) in CERTIFICATE_FIELDS {
        let Some(entries) = body.get_mut(*list).and_then(Value::as_array_mut) else {
            continue;
        };
        for entry in entries {
            if let Some(slot) = entry.get_mut(*object).and_then(|o| o.get_mut(*field)) {
                if !slot.is_null() {
                    *slot = Value::String(REDACTION_MARKER.to_owned());
                }
            }
        }
    }
}

/// Failure to record.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The case folder exists already; recording never overwrites.
    #[error("{0} exists already; choose another name or folder")]
    Exists(String),
    /// Writing failed.
    #[error("cannot write {path}")]
    Write {
        /// What.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Serializing failed.
    #[error("cannot serialize the case")]
    Serialize(#[from] serde_json::Error),
}

/// Checks, before any request, that recordings can be written under `dir`: creates it when
/// missing and creates (then removes) a probe folder in it, so that `live --record` never
/// mints a certificate whose exchange it then cannot save.
///
/// # Errors
///
/// [`RecordError::Write`] naming the folder.
pub fn prepare_dir(dir: &Path) -> Result<(), RecordError> {
    let fail = |path: &Path| {
        let path = path.display().to_string();
        move |source| RecordError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(fail(dir))?;
    let probe = dir.join(format!(".write-probe-{}", std::process::id()));
    std::fs::create_dir(&probe).map_err(fail(dir))?;
    std::fs::remove_dir(&probe).map_err(fail(&probe))
}

/// Redacts a case, sets its expectation to what the suite concludes about the redacted case
/// (so that it replays as a pass), and writes it to `dir/<name>/case.json`. Returns the file.
pub fn record(
    dir: &Path,
    name: &str,
    mut case: Case,
    validators: &Validators,
) -> Result<PathBuf, RecordError> {
    redact(&mut case);
    case.expect = Some(run_case(&case, validators).as_expectation());
    let folder = dir.join(name);
    if folder.exists() {
        return Err(RecordError::Exists(folder.display().to_string()));
    }
    let text = serde_json::to_string_pretty(&case)? + "\n";
    let write_err = |path: &Path| {
        let path = path.display().to_string();
        move |source| RecordError::Write { path, source }
    };
    std::fs::create_dir_all(&folder).map_err(write_err(&folder))?;
    let file = folder.join(CASE_FILE);
    std::fs::write(&file, text).map_err(write_err(&file))?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{RequestPart, ResponsePart};
    use crate::fixtures::{MintOptions, Minted};
    use crate::test_support::assert_cause_shown_once;
    use std::collections::BTreeMap;

    fn exchange(body: Value) -> Case {
        Case {
            description: "recorded".into(),
            request: Some(RequestPart {
                path: None,
                headers: Some(BTreeMap::from([
                    ("Content-Type".into(), "application/json".into()),
                    ("X-Auth-Token".into(), "tok-secret".into()),
                ])),
                body: Some(serde_json::json!({"duration": 30})),
            }),
            response: Some(ResponsePart {
                status: 200,
                headers: BTreeMap::from([("X-Request-Id".into(), "r1".into())]),
                body: Some(body),
                body_text: None,
            }),
            duration: None,
            expect: None,
        }
    }

    #[test]
    fn recorded_cases_hold_no_secret_and_replay_as_a_pass() {
        let minted = Minted::new(&MintOptions::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let validators = Validators::builtin().unwrap();
        let file = record(
            dir.path(),
            "live-1",
            exchange(minted.kubeconfig(true)),
            validators,
        )
        .unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        for secret in [
            minted.key_b64(),
            minted.cert_b64(),
            minted.ca_b64(),
            "tok-secret".into(),
        ] {
            assert!(!text.contains(&secret), "a secret reached the disk");
        }
        assert!(
            text.contains(r#""client-key-data": "[REDACTED]""#),
            "{text}"
        );
        let case = Case::load(&file).unwrap();
        let result = run_case(&case, validators);
        assert_eq!(
            crate::runner::mismatches(case.expect.as_ref(), &result),
            Vec::<String>::new()
        );
        assert!(result
            .findings
            .iter()
            .any(|f| f.check == crate::certs::REDACTION_MARKER));
        // Never overwrites.
        assert!(matches!(
            record(
                dir.path(),
                "live-1",
                exchange(minted.kubeconfig(false)),
                validators
            ),
            Err(RecordError::Exists(_))
        ));
    }

    #[test]
    fn record_errors_show_their_cause_once() {
        let dir = tempfile::tempdir().unwrap();
        // A file where the folder of cases should be: the case folder cannot be created.
        let blocker = dir.path().join("not-a-dir");
        std::fs::write(&blocker, "").unwrap();
        let err = record(
            &blocker,
            "live-1",
            exchange(Value::Null),
            Validators::builtin().unwrap(),
        )
        .unwrap_err();
        assert!(matches!(err, RecordError::Write { .. }), "{err:?}");
        assert_cause_shown_once(err);
        let json = serde_json::from_str::<Value>("{").unwrap_err();
        assert_cause_shown_once(RecordError::Serialize(json));
    }

    #[test]
    fn a_non_json_success_body_is_replaced_whole() {
        let mut case = exchange(Value::Null);
        if let Some(response) = &mut case.response {
            response.body = None;
            response.body_text =
                Some("{\"users\": [{\"user\": {\"client-key-data\": \"LS0t".into());
        }
        redact(&mut case);
        let text = case.response.unwrap().body_text.unwrap();
        assert!(!text.contains("LS0t"));
        assert!(text.starts_with("[REDACTED] ("), "{text}");
    }
}
