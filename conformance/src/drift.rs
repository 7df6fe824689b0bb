//! Drift between two recordings of the same request: what the real API answers now against
//! what it answered when the last case was recorded (`live --record DIR`, run again into the
//! same folder).
//!
//! Values differ on every call (fresh certificates, request ids), so the comparison is of
//! shape: the set of JSON Pointers of the body with array indices replaced by `*`, the
//! status, and the kept response headers with their `Content-Type` value.
//!
//! | check | severity | what changed |
//! |---|---|---|
//! | `drift.status` | error | the status |
//! | `drift.missing-field` | warning | a field the earlier answer had is gone |
//! | `drift.new-field` | note | a field the earlier answer did not have |
//! | `drift.header` | note | a kept header appeared or disappeared, or `Content-Type` changed |
//! | `drift.unreadable-recording` | warning | a more recent recording is not a case: it is named and skipped, the comparison is with the latest readable one |

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::case::{self, Case};
use crate::finding::{Report, Severity};

/// `drift.status`.
pub const STATUS: &str = "drift.status";
/// `drift.missing-field`.
pub const MISSING_FIELD: &str = "drift.missing-field";
/// `drift.new-field`.
pub const NEW_FIELD: &str = "drift.new-field";
/// `drift.header`.
pub const HEADER: &str = "drift.header";
/// `drift.unreadable-recording`.
pub const UNREADABLE_RECORDING: &str = "drift.unreadable-recording";

/// The latest earlier recording that can be read, as [`latest_recording`] finds it; each
/// later one that cannot (a corrupt or hand-broken file) is a [`UNREADABLE_RECORDING`]
/// warning in `report`, naming the file and why, rather than an error: one broken file must
/// not stop every later run from comparing, and from recording (which would keep it the
/// latest for ever).
pub fn latest_readable_recording(dir: &Path, new_name: &str, report: &mut Report) -> Option<Case> {
    let prefix = strip_stamp(new_name);
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name != new_name && strip_stamp(name) == prefix)
        .filter(|name| dir.join(name).join(case::CASE_FILE).is_file())
        .collect();
    names.sort_unstable_by(|a, b| b.cmp(a));
    if !names.is_empty() {
        report.ran(UNREADABLE_RECORDING);
    }
    for name in names {
        let file = dir.join(&name).join(case::CASE_FILE);
        match Case::load(&file) {
            Ok(case) => return Some(case),
            Err(e) => {
                let why = std::error::Error::source(&e)
                    .map(|source| format!(": {source}"))
                    .unwrap_or_default();
                report.add(
                    UNREADABLE_RECORDING,
                    Severity::Warning,
                    "",
                    format!("{e}{why}; skipped, compared with an earlier recording if any"),
                );
            }
        }
    }
    None
}

/// The latest earlier recording of the request that `new_name` records, in `dir`: the
/// sub-folder with the greatest name that is `new_name` without its `-YYYYMMDDTHHMMSSZ`
/// suffix, or that plus another such suffix. `None` when there is none (or no folder yet).
///
/// # Errors
///
/// An earlier recording that cannot be read or is not a case.
pub fn latest_recording(dir: &Path, new_name: &str) -> Result<Option<Case>, case::CaseError> {
    let prefix = strip_stamp(new_name);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(None);
    };
    let latest = entries
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| name != new_name && strip_stamp(name) == prefix)
        .filter(|name| dir.join(name).join(case::CASE_FILE).is_file())
        .max();
    latest
        .map(|name| Case::load(&dir.join(name).join(case::CASE_FILE)))
        .transpose()
}

/// `name` without a trailing `-YYYYMMDDTHHMMSSZ`.
fn strip_stamp(name: &str) -> &str {
    match name.rsplit_once('-') {
        Some((head, stamp))
            if stamp.len() == 16
                && stamp.as_bytes()[8] == b'T'
                && stamp.ends_with('Z')
                && stamp[..8].bytes().all(|b| b.is_ascii_digit())
                && stamp[9..15].bytes().all(|b| b.is_ascii_digit()) =>
        {
            head
        }
        _ => name,
    }
}

/// Adds a finding to `report` for each difference of shape between `before` and `now`.
///
/// ```
/// use clustercert_conformance::case::Case;
/// use clustercert_conformance::drift::{compare, NEW_FIELD};
/// use clustercert_conformance::finding::Report;
/// let before = Case::from_response_body(serde_json::json!({"kind": "Config"}), None);
/// let now = Case::from_response_body(serde_json::json!({"kind": "Config", "extra": 1}), None);
/// let mut report = Report::new();
/// compare(&before, &now, &mut report);
/// assert_eq!(report.findings()[0].check, NEW_FIELD);
/// assert_eq!(report.findings()[0].path, "/response/body/extra");
/// ```
pub fn compare(before: &Case, now: &Case, report: &mut Report) {
    for check in [STATUS, MISSING_FIELD, NEW_FIELD, HEADER] {
        report.ran(check);
    }
    let (Some(before), Some(now)) = (&before.response, &now.response) else {
        return;
    };
    if before.status != now.status {
        report.error(
            STATUS,
            "/response/status",
            format!(
                "was {} in the earlier recording, is {} now",
                before.status, now.status
            ),
        );
        // Another status means another body: comparing their shapes says nothing more.
        return;
    }
    let shape = |body: Option<&Value>| {
        let mut out = BTreeSet::new();
        if let Some(body) = body {
            shapes(body, "/response/body", &mut out);
        }
        out
    };
    let (old, new) = (shape(before.body.as_ref()), shape(now.body.as_ref()));
    for gone in old.difference(&new) {
        report.add(
            MISSING_FIELD,
            Severity::Warning,
            gone.as_str(),
            "the earlier recording had this field; the answer now has not",
        );
    }
    for added in new.difference(&old) {
        report.add(
            NEW_FIELD,
            Severity::Note,
            added.as_str(),
            "a field the earlier recording did not have",
        );
    }
    let lower = |headers: &std::collections::BTreeMap<String, String>| -> BTreeSet<String> {
        headers.keys().map(|k| k.to_ascii_lowercase()).collect()
    };
    let (old_headers, new_headers) = (lower(&before.headers), lower(&now.headers));
    for name in old_headers.symmetric_difference(&new_headers) {
        let what = if new_headers.contains(name) {
            "a header the earlier recording did not have"
        } else {
            "the earlier recording had this header; the answer now has not"
        };
        report.add(
            HEADER,
            Severity::Note,
            format!("/response/headers/{name}"),
            what,
        );
    }
    let content_type = |headers: &std::collections::BTreeMap<String, String>| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone())
    };
    if let (Some(old), Some(new)) = (content_type(&before.headers), content_type(&now.headers)) {
        if old != new {
            report.add(
                HEADER,
                Severity::Note,
                "/response/headers/Content-Type",
                format!("was {old:?} in the earlier recording, is {new:?} now"),
            );
        }
    }
}

/// The JSON Pointers of every value under `value`, array indices as `*`.
fn shapes(value: &Value, at: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = format!("{at}/{}", crate::schema::escape_pointer(key));
                out.insert(path.clone());
                shapes(child, &path, out);
            }
        }
        Value::Array(items) => {
            let path = format!("{at}/*");
            for item in items {
                shapes(item, &path, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn case(status: u16, body: Value, headers: &[(&str, &str)]) -> Case {
        let mut case = Case::from_response_body(body, None);
        if let Some(response) = &mut case.response {
            response.status = status;
            response.headers = headers
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
        }
        case
    }

    fn found(before: &Case, now: &Case) -> Vec<(&'static str, Severity, String)> {
        let mut report = Report::new();
        compare(before, now, &mut report);
        report
            .findings()
            .iter()
            .map(|f| (f.check, f.severity, f.path.clone()))
            .collect()
    }

    #[test]
    fn same_shape_is_no_drift_whatever_the_values() {
        let a = case(
            200,
            json!({"users": [{"name": "user", "user": {"client-key-data": "A"}}]}),
            &[("Content-Type", "application/json")],
        );
        let b = case(
            200,
            json!({"users": [{"name": "user", "user": {"client-key-data": "B"}}, {"name": "user"}]}),
            &[("content-type", "application/json")],
        );
        assert_eq!(found(&a, &b), vec![]);
    }

    #[test]
    fn fields_headers_and_status_that_changed_are_named() {
        let a = case(
            200,
            json!({"kind": "Config", "preferences": {}}),
            &[("Content-Type", "application/json"), ("Port-ID", "p")],
        );
        let b = case(
            200,
            json!({"kind": "Config", "users": [{"token": "t"}]}),
            &[("Content-Type", "application/json; charset=utf-8")],
        );
        assert_eq!(
            found(&a, &b),
            vec![
                (
                    MISSING_FIELD,
                    Severity::Warning,
                    "/response/body/preferences".into()
                ),
                (NEW_FIELD, Severity::Note, "/response/body/users".into()),
                (
                    NEW_FIELD,
                    Severity::Note,
                    "/response/body/users/*/token".into()
                ),
                (HEADER, Severity::Note, "/response/headers/port-id".into()),
                (
                    HEADER,
                    Severity::Note,
                    "/response/headers/Content-Type".into()
                ),
            ]
        );
        let c = case(403, json!({}), &[]);
        assert_eq!(
            found(&a, &c),
            vec![(STATUS, Severity::Error, "/response/status".into())]
        );
    }

    #[test]
    fn a_corrupt_latest_recording_is_a_warning_and_the_one_before_it_is_used() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, text: &str| {
            std::fs::create_dir(dir.path().join(name)).unwrap();
            std::fs::write(dir.path().join(name).join(case::CASE_FILE), text).unwrap();
        };
        let good = Case::from_response_body(json!({"kind": "good"}), None);
        write(
            "live-x-20260101T000000Z",
            &serde_json::to_string(&good).unwrap(),
        );
        write("live-x-20260201T000000Z", "{\"description\": ");
        write("live-x-20260301T000000Z", "not json \u{1}");
        let mut report = Report::new();
        let found = latest_readable_recording(dir.path(), "live-x-20261129T091500Z", &mut report);
        assert_eq!(found, Some(good));
        let warnings: Vec<_> = report
            .findings()
            .iter()
            .map(|f| (f.check, f.severity, f.message.clone()))
            .collect();
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings
            .iter()
            .all(|(check, severity, _)| *check == UNREADABLE_RECORDING
                && *severity == Severity::Warning));
        assert!(
            warnings[0].2.contains("live-x-20260301T000000Z"),
            "the newest first: {warnings:?}"
        );
        // Nothing readable: no comparison, still no error.
        let mut report = Report::new();
        assert_eq!(
            latest_readable_recording(dir.path(), "live-y-20261129T091500Z", &mut report),
            None
        );
        assert!(report.findings().is_empty());
    }

    #[test]
    fn the_latest_earlier_recording_of_the_same_request_is_found() {
        let dir = tempfile::tempdir().unwrap();
        for (name, kind) in [
            ("live-cluster-duration-1-20260101T000000Z", "old"),
            ("live-cluster-duration-1-20260301T000000Z", "latest"),
            ("live-cluster-duration-30-20270101T000000Z", "other request"),
            ("live-cluster-duration-1-20260201T000000Z", "middle"),
        ] {
            std::fs::create_dir(dir.path().join(name)).unwrap();
            let case = Case::from_response_body(json!({"kind": kind}), None);
            std::fs::write(
                dir.path().join(name).join(case::CASE_FILE),
                serde_json::to_string(&case).unwrap(),
            )
            .unwrap();
        }
        let latest = latest_recording(dir.path(), "live-cluster-duration-1-20261129T091500Z")
            .unwrap()
            .unwrap();
        assert_eq!(latest.response.unwrap().body.unwrap()["kind"], "latest");
        assert!(
            latest_recording(dir.path(), "live-cluster-duration-1825-20261129T091500Z")
                .unwrap()
                .is_none()
        );
        assert!(latest_recording(&dir.path().join("none"), "x")
            .unwrap()
            .is_none());
        assert_eq!(strip_stamp("a-b-20261129T091500Z"), "a-b");
        assert_eq!(strip_stamp("a-b-2026112XT091500Z"), "a-b-2026112XT091500Z");
    }
}
