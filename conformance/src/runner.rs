//! Runs every check on a case, compares the result with the case's expectation, and prints
//! the table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::case::{Case, Expect, ExpectedFinding, Verdict};
use crate::certs;
use crate::checks;
use crate::finding::{Finding, Omitted, Outcome, Report, Severity};
use crate::schema::Validators;

/// What the suite concluded about one case: which checks ran (with their outcome), the
/// verdict, and every finding. This is what the snapshots hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseResult {
    /// `valid` when no check found an error.
    pub verdict: Verdict,
    /// Every check that ran, with its worst outcome.
    pub checks: BTreeMap<&'static str, Outcome>,
    /// Every finding kept, sorted by path, then check.
    pub findings: Vec<Finding>,
    /// Per check, the findings counted past the report's limit and not kept.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub omitted: BTreeMap<&'static str, Omitted>,
}

impl CaseResult {
    /// Builds the result from a report.
    pub fn from_report(report: Report) -> CaseResult {
        let verdict = if report.has_errors() {
            Verdict::Invalid
        } else {
            Verdict::Valid
        };
        let checks = report.outcomes();
        let (_, mut findings, omitted) = report.into_parts();
        findings
            .sort_by(|a, b| (&a.path, a.check, &a.message).cmp(&(&b.path, b.check, &b.message)));
        CaseResult {
            verdict,
            checks,
            findings,
            omitted,
        }
    }

    /// The findings of one severity.
    pub fn of(&self, severity: Severity) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.severity == severity)
    }

    /// An expectation that this result meets exactly (what `--record` writes).
    pub fn as_expectation(&self) -> Expect {
        let pick = |severity| {
            self.of(severity)
                .map(|f| ExpectedFinding {
                    check: f.check.to_owned(),
                    path: f.path.clone(),
                })
                .collect()
        };
        Expect {
            verdict: self.verdict,
            violations: pick(Severity::Error),
            warnings: pick(Severity::Warning),
            notes: pick(Severity::Note),
        }
    }
}

/// Runs every applicable check on a case.
pub fn run_case(case: &Case, validators: &Validators) -> CaseResult {
    CaseResult::from_report(check_case(case, validators))
}

/// The report of every applicable check on a case.
pub fn check_case(case: &Case, validators: &Validators) -> Report {
    let mut report = Report::new();
    check_case_into(case, validators, &mut report);
    report
}

/// Runs every applicable check on a case into `report` (which sets how many findings are
/// kept per check).
pub fn check_case_into(case: &Case, validators: &Validators, report: &mut Report) {
    let request_valid = case
        .request
        .as_ref()
        .map(|request| checks::check_request(request, validators, report));
    if let Some(response) = &case.response {
        let body = checks::check_response(response, validators, report);
        if response.status == 200 {
            if let Some(body) = body {
                certs::check_certificates(
                    &body,
                    "/response/body",
                    case.known_duration_days(),
                    report,
                );
            }
        }
        if let Some(request_valid) = request_valid {
            report.ran(checks::EXCHANGE_INVALID_ACCEPTED);
            if !request_valid && (200..300).contains(&response.status) {
                report.error(
                    checks::EXCHANGE_INVALID_ACCEPTED,
                    "/response/status",
                    format!(
                        "the request is invalid, yet the answer is {}; the spec requires a 400",
                        response.status
                    ),
                );
            }
        }
    }
}

/// Why a result does not meet an expectation, one line per difference. Empty when it does.
pub fn mismatches(expect: Option<&Expect>, result: &CaseResult) -> Vec<String> {
    let Some(expect) = expect else {
        return vec!["the case has no `expect`".to_owned()];
    };
    let mut out = Vec::new();
    if expect.verdict != result.verdict {
        out.push(format!(
            "verdict: expected {}, got {}",
            expect.verdict, result.verdict
        ));
    }
    for (severity, word) in [
        (Severity::Error, "violation"),
        (Severity::Warning, "warning"),
        (Severity::Note, "note"),
    ] {
        let mut unmatched: Vec<&ExpectedFinding> = expect.of(severity).iter().collect();
        for finding in result.of(severity) {
            let position = unmatched
                .iter()
                .position(|e| e.check == finding.check && e.path == finding.path);
            match position {
                Some(index) => {
                    unmatched.swap_remove(index);
                }
                None => out.push(format!(
                    "unexpected {word} {} at {}: {}",
                    finding.check, finding.path, finding.message
                )),
            }
        }
        for missing in unmatched {
            out.push(format!(
                "expected {word} {} at {} was not found",
                missing.check, missing.path
            ));
        }
    }
    for (check, omitted) in &result.omitted {
        out.push(format!(
            "{} more {check} finding{} past the limit per check (not compared)",
            omitted.count,
            if omitted.count == 1 { "" } else { "s" }
        ));
    }
    out
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// The case (or target) name.
    pub name: String,
    /// What the suite concluded.
    pub result: CaseResult,
    /// Why it failed; empty when it passed.
    pub mismatches: Vec<String>,
}

impl Row {
    /// Whether the row passed.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty()
    }
}

/// Runs every case and compares it with its expectation.
pub fn run_cases(cases: &[(String, Case)], validators: &Validators) -> Vec<Row> {
    cases
        .iter()
        .map(|(name, case)| {
            let result = run_case(case, validators);
            let mismatches = mismatches(case.expect.as_ref(), &result);
            Row {
                name: name.clone(),
                result,
                mismatches,
            }
        })
        .collect()
}

/// The table (case, checks, verdict, result) with every failure's reasons, ending in the line
/// `N passed, N failed`.
pub fn render_table(rows: &[Row]) -> String {
    let width = rows.iter().map(|r| r.name.len()).max().unwrap_or(4).max(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<width$}  {:>6}  {:<7}  result",
        "case", "checks", "verdict"
    );
    for row in rows {
        let findings = row.result.findings.len();
        let _ = writeln!(
            out,
            "{:<width$}  {:>6}  {:<7}  {}{}",
            row.name,
            row.result.checks.len(),
            row.result.verdict.to_string(),
            if row.passed() { "pass" } else { "FAIL" },
            if findings > 0 {
                format!(
                    " ({findings} finding{})",
                    if findings == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            },
        );
        for reason in &row.mismatches {
            let _ = writeln!(out, "{:<width$}    - {reason}", "");
        }
    }
    let passed = rows.iter().filter(|r| r.passed()).count();
    let _ = writeln!(out, "{passed} passed, {} failed", rows.len() - passed);
    out
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Every finding of a result, one per line (what `validate` prints).
pub fn render_findings(result: &CaseResult) -> String {
    let mut out = String::new();
    for f in &result.findings {
        let severity = severity_word(f.severity);
        let _ = write!(
            out,
            "{severity:<7} {:<32} {}: {}",
            f.check, f.path, f.message
        );
        if let Some(schema_path) = &f.schema_path {
            let _ = write!(out, " [schema {schema_path}]");
        }
        out.push('\n');
    }
    for (check, omitted) in &result.omitted {
        let _ = writeln!(
            out,
            "{:<7} {check:<32} {} more finding{} not listed (the first {} are)",
            severity_word(omitted.worst),
            omitted.count,
            if omitted.count == 1 { "" } else { "s" },
            result.findings.iter().filter(|f| f.check == *check).count(),
        );
    }
    let omitted: usize = result.omitted.values().map(|o| o.count).sum();
    let _ = writeln!(
        out,
        "verdict: {} ({} checks, {} errors, {} warnings, {} notes{})",
        result.verdict,
        result.checks.len(),
        result.of(Severity::Error).count(),
        result.of(Severity::Warning).count(),
        result.of(Severity::Note).count(),
        if omitted > 0 {
            format!(" listed, {omitted} more not listed")
        } else {
            String::new()
        },
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn validators() -> &'static Validators {
        Validators::builtin().unwrap()
    }

    fn case(value: serde_json::Value) -> Case {
        Case::from_json(&value.to_string(), "test").unwrap()
    }

    #[test]
    fn an_invalid_request_answered_with_200_is_an_exchange_violation() {
        let c = case(json!({
            "description": "d",
            "request": {"body": {"duration": 0}},
            "response": {"status": 200, "body": {}}
        }));
        let result = run_case(&c, validators());
        assert!(result
            .findings
            .iter()
            .any(|f| f.check == checks::EXCHANGE_INVALID_ACCEPTED && f.path == "/response/status"));
        let ok = case(json!({
            "description": "d",
            "request": {"body": {"duration": 0}},
            "response": {"status": 400, "body": {"errorCode": "CCE.01400001", "errorMessage": "m"}}
        }));
        let result = run_case(&ok, validators());
        assert_eq!(
            result.checks[checks::EXCHANGE_INVALID_ACCEPTED],
            Outcome::Pass
        );
    }

    #[test]
    fn mismatches_name_the_verdict_and_each_finding() {
        let c = case(json!({"description": "d", "request": {"body": {"duration": 0}}}));
        let result = run_case(&c, validators());
        assert_eq!(result.verdict, Verdict::Invalid);
        let right = result.as_expectation();
        assert_eq!(mismatches(Some(&right), &result), Vec::<String>::new());
        let wrong = Expect {
            verdict: Verdict::Valid,
            violations: vec![ExpectedFinding {
                check: "request.schema".into(),
                path: "/request/body/other".into(),
            }],
            warnings: vec![],
            notes: vec![],
        };
        let found = mismatches(Some(&wrong), &result);
        assert!(
            found[0].starts_with("verdict: expected valid, got invalid"),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|m| m
                    .starts_with("unexpected violation request.schema at /request/body/duration")),
            "{found:?}"
        );
        assert!(
            found
                .iter()
                .any(|m| m
                    == "expected violation request.schema at /request/body/other was not found"),
            "{found:?}"
        );
        assert_eq!(mismatches(None, &result), vec!["the case has no `expect`"]);
    }

    #[test]
    fn table_ends_with_the_counts() {
        let c = case(
            json!({"description": "d", "request": {"body": {"duration": 30}}, "expect": {"verdict": "valid"}}),
        );
        let bad = case(
            json!({"description": "d", "request": {"body": {"duration": 30}}, "expect": {"verdict": "invalid"}}),
        );
        let rows = run_cases(&[("good".into(), c), ("bad".into(), bad)], validators());
        let table = render_table(&rows);
        assert!(table.ends_with("1 passed, 1 failed\n"), "{table}");
        assert!(
            table.contains("verdict: expected invalid, got valid"),
            "{table}"
        );
    }
}
