//! Runs every check on a case, compares the result with the case's expectation, and prints
//! the table.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

/// One unmet expectation: the finding (check and path) it is about, when it is about one,
/// and the whole reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unmet {
    /// The check id, when the expectation names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
    /// The JSON Pointer into the case, when the expectation names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The reason, one line.
    pub message: String,
}

impl Unmet {
    /// An unmet expectation that names no finding.
    pub fn plain(message: impl Into<String>) -> Unmet {
        Unmet {
            check: None,
            path: None,
            message: message.into(),
        }
    }

    /// An unmet expectation about a finding of `check` at `path`.
    pub fn at(check: &str, path: &str, message: impl Into<String>) -> Unmet {
        Unmet {
            check: Some(check.to_owned()),
            path: Some(path.to_owned()),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Unmet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Why a result does not meet an expectation, one line per difference. Empty when it does.
pub fn mismatches(expect: Option<&Expect>, result: &CaseResult) -> Vec<String> {
    unmet_expectations(expect, result)
        .into_iter()
        .map(|unmet| unmet.message)
        .collect()
}

/// [`mismatches`] with the check and path of each difference, for reports.
pub fn unmet_expectations(expect: Option<&Expect>, result: &CaseResult) -> Vec<Unmet> {
    let Some(expect) = expect else {
        return vec![Unmet::plain("the case has no `expect`")];
    };
    let mut out = Vec::new();
    if expect.verdict != result.verdict {
        out.push(Unmet::plain(format!(
            "verdict: expected {}, got {}",
            expect.verdict, result.verdict
        )));
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
                None => out.push(Unmet::at(
                    finding.check,
                    &finding.path,
                    format!(
                        "unexpected {word} {} at {}: {}",
                        finding.check, finding.path, finding.message
                    ),
                )),
            }
        }
        for missing in unmatched {
            out.push(Unmet::at(
                &missing.check,
                &missing.path,
                format!(
                    "expected {word} {} at {} was not found",
                    missing.check, missing.path
                ),
            ));
        }
    }
    for (check, omitted) in &result.omitted {
        out.push(Unmet {
            check: Some((*check).to_owned()),
            path: None,
            message: format!(
                "{} more {check} finding{} past the limit per check (not compared)",
                omitted.count,
                if omitted.count == 1 { "" } else { "s" }
            ),
        });
    }
    out
}

/// Where a row comes from: one JUnit test suite each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// A case file, replayed offline.
    Cases,
    /// The in-process mock server.
    Mock,
    /// The real API.
    Live,
    /// A file given to `validate`.
    Validate,
}

impl Target {
    /// `cases`, `mock`, `live` or `validate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Cases => "cases",
            Target::Mock => "mock",
            Target::Live => "live",
            Target::Validate => "validate",
        }
    }
}

/// One row of the table: a case or a target exchange, what the suite concluded, and whether
/// that meets the row's expectation.
#[derive(Debug, Clone)]
pub struct Row {
    /// Where the row comes from.
    pub target: Target,
    /// The case (or target) name.
    pub name: String,
    /// The file the row was read from, when there is one (a case file).
    pub file: Option<PathBuf>,
    /// How long judging (and, for targets, fetching) took.
    pub elapsed: Duration,
    /// What the suite concluded.
    pub result: CaseResult,
    /// Why it failed; empty when it passed.
    pub mismatches: Vec<Unmet>,
    /// Why nothing was checked, for a row that was skipped.
    pub skipped: Option<String>,
}

impl Row {
    /// A row of `target` for a result and its unmet expectations.
    pub fn new(
        target: Target,
        name: impl Into<String>,
        result: CaseResult,
        mismatches: Vec<Unmet>,
    ) -> Row {
        Row {
            target,
            name: name.into(),
            file: None,
            elapsed: Duration::ZERO,
            result,
            mismatches,
            skipped: None,
        }
    }

    /// A row that checked nothing, and why.
    pub fn skipped(target: Target, name: impl Into<String>, reason: impl Into<String>) -> Row {
        let mut row = Row::new(
            target,
            name,
            CaseResult::from_report(Report::new()),
            Vec::new(),
        );
        row.skipped = Some(reason.into());
        row
    }

    /// Whether the row passed (a skipped row did not fail, and did not pass).
    pub fn passed(&self) -> bool {
        self.skipped.is_none() && self.mismatches.is_empty()
    }

    /// Whether the row failed.
    pub fn failed(&self) -> bool {
        self.skipped.is_none() && !self.mismatches.is_empty()
    }
}

/// Runs every case and compares it with its expectation. Each row names its case file under
/// `dir` when one is given.
pub fn run_cases(cases: &[(String, Case)], validators: &Validators) -> Vec<Row> {
    run_cases_in(cases, validators, None)
}

/// [`run_cases`], with the folder the cases were loaded from (for the rows' `file`).
pub fn run_cases_in(
    cases: &[(String, Case)],
    validators: &Validators,
    dir: Option<&Path>,
) -> Vec<Row> {
    cases
        .iter()
        .map(|(name, case)| {
            let started = Instant::now();
            let result = run_case(case, validators);
            let mismatches = unmet_expectations(case.expect.as_ref(), &result);
            let mut row = Row::new(Target::Cases, name.clone(), result, mismatches);
            row.file = dir.map(|dir| dir.join(name).join(crate::case::CASE_FILE));
            row.elapsed = started.elapsed();
            row
        })
        .collect()
}

/// How the table is printed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableStyle {
    /// List every finding under its row (failing rows list theirs anyway).
    pub verbose: bool,
    /// Colour the outcome words and severities with ANSI escapes.
    pub color: bool,
}

/// Whether to colour output: `--color always|never|auto`; `auto` colours only a terminal, and
/// not when `NO_COLOR` is set to anything but the empty string (no-color.org).
///
/// ```
/// use clustercert_conformance::runner::use_color;
/// assert!(use_color("auto", true, None));
/// assert!(!use_color("auto", true, Some("1")));
/// assert!(use_color("auto", true, Some("")));
/// assert!(!use_color("auto", false, None));
/// assert!(use_color("always", false, Some("1")));
/// assert!(!use_color("never", true, None));
/// ```
pub fn use_color(mode: &str, is_terminal: bool, no_color: Option<&str>) -> bool {
    match mode {
        "always" => true,
        "never" => false,
        _ => is_terminal && no_color.is_none_or(str::is_empty),
    }
}

/// Text for the terminal and CI logs: control characters (line breaks, escape sequences,
/// C1 controls) written as Rust escapes (`\n`, `\u{1b}`), so that a name or a message taken
/// from a case or a server answer can neither start a line of its own (which a CI runner
/// could read as a workflow command such as `::error::` or `::add-mask::`) nor drive the
/// terminal.
///
/// ```
/// use clustercert_conformance::runner::terminal_safe;
/// assert_eq!(terminal_safe("a\n::error::x\u{1b}[2J"), "a\\n::error::x\\u{1b}[2J");
/// assert_eq!(terminal_safe("plain: ünïcode"), "plain: ünïcode");
/// ```
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

fn paint(text: &str, colour: &str, on: bool) -> String {
    if on {
        format!("{colour}{text}{RESET}")
    } else {
        text.to_owned()
    }
}

/// The table (case, checks, verdict, result) with every failure's reasons, ending in the line
/// `N passed, N failed` (`, N skipped` when a row was skipped).
pub fn render_table(rows: &[Row]) -> String {
    render_table_with(rows, TableStyle::default())
}

/// [`render_table`] in a style: a failing row lists its unmet expectations and its findings;
/// with `verbose`, every row lists its findings.
pub fn render_table_with(rows: &[Row], style: TableStyle) -> String {
    let width = rows
        .iter()
        .map(|r| row_name(r).chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<width$}  {:>6}  {:<7}  result",
        "case", "checks", "verdict"
    );
    for row in rows {
        let findings =
            row.result.findings.len() + row.result.omitted.values().map(|o| o.count).sum::<usize>();
        let outcome = match (&row.skipped, row.passed()) {
            (Some(reason), _) => paint(
                &format!("skipped: {}", terminal_safe(reason)),
                YELLOW,
                style.color,
            ),
            (None, true) => paint("pass", GREEN, style.color),
            (None, false) => paint("FAIL", RED, style.color),
        };
        let verdict = if row.skipped.is_some() {
            "-".to_owned()
        } else {
            row.result.verdict.to_string()
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:>6}  {:<7}  {outcome}{}",
            row_name(row),
            row.result.checks.len(),
            verdict,
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
            let _ = writeln!(
                out,
                "{:<width$}    - {}",
                "",
                terminal_safe(&reason.message)
            );
        }
        if style.verbose || row.failed() {
            for f in &row.result.findings {
                let word = severity_word(f.severity);
                let colour = match f.severity {
                    Severity::Error => RED,
                    Severity::Warning => YELLOW,
                    Severity::Note => DIM,
                };
                let _ = writeln!(
                    out,
                    "{:<width$}    {} {} {}: {}",
                    "",
                    paint(&format!("{word:<7}"), colour, style.color),
                    f.check,
                    terminal_safe(&f.path),
                    terminal_safe(&f.message)
                );
            }
            for (check, omitted) in &row.result.omitted {
                let _ = writeln!(
                    out,
                    "{:<width$}    {:<7} {check}: {} more not listed",
                    "",
                    severity_word(omitted.worst),
                    omitted.count
                );
            }
        }
    }
    let passed = rows.iter().filter(|r| r.passed()).count();
    let failed = rows.iter().filter(|r| r.failed()).count();
    let skipped = rows.len() - passed - failed;
    if skipped > 0 {
        let _ = writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped");
    } else {
        let _ = writeln!(out, "{passed} passed, {failed} failed");
    }
    out
}

/// A row's name for the table, where its line starts with it: [`terminal_safe`], and with a
/// backslash first when it starts with `::` (a case folder so named), which a GitHub runner
/// would read as a workflow command.
fn row_name(row: &Row) -> std::borrow::Cow<'_, str> {
    let safe = terminal_safe(&row.name);
    if safe.trim_start().starts_with("::") {
        std::borrow::Cow::Owned(format!("\\{safe}"))
    } else {
        safe
    }
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
            f.check,
            terminal_safe(&f.path),
            terminal_safe(&f.message)
        );
        if let Some(schema_path) = &f.schema_path {
            let _ = write!(out, " [schema {}]", terminal_safe(schema_path));
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
