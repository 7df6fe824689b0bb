//! The JSON report, `"format": 1`: the run's summary and one object per row with its
//! findings. Its JSON Schema is `conformance/report.schema.json` ([`SCHEMA`]); a test
//! validates the output against it. A change that breaks a reader bumps `format`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::case::Verdict;
use crate::finding::{Finding, Omitted, Outcome};
use crate::runner::{Row, Target, Unmet};

use super::RunInfo;

/// The format version this module writes.
pub const FORMAT: u32 = 1;

/// The JSON Schema of the report (draft 2020-12).
pub const SCHEMA: &str = include_str!("../../report.schema.json");

#[derive(Serialize)]
struct Document<'a> {
    format: u32,
    tool: Tool,
    command: &'a str,
    summary: Summary,
    rows: Vec<JsonRow<'a>>,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Summary {
    rows: usize,
    passed: usize,
    failed: usize,
    skipped: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "lowercase")]
enum Status {
    Passed,
    Failed,
    Skipped,
}

#[derive(Serialize)]
struct JsonRow<'a> {
    target: Target,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    skip_reason: Option<&'a str>,
    time_secs: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<Verdict>,
    checks: &'a BTreeMap<&'static str, Outcome>,
    findings: &'a [Finding],
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    omitted: &'a BTreeMap<&'static str, Omitted>,
    unmet: &'a [Unmet],
}

/// The report.
pub fn render(rows: &[Row], info: RunInfo<'_>) -> String {
    let passed = rows.iter().filter(|r| r.passed()).count();
    let failed = rows.iter().filter(|r| r.failed()).count();
    let document = Document {
        format: FORMAT,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        command: info.command,
        summary: Summary {
            rows: rows.len(),
            passed,
            failed,
            skipped: rows.len() - passed - failed,
        },
        rows: rows
            .iter()
            .map(|row| JsonRow {
                target: row.target,
                name: &row.name,
                file: row.file.as_ref().map(|f| f.display().to_string()),
                status: if row.skipped.is_some() {
                    Status::Skipped
                } else if row.passed() {
                    Status::Passed
                } else {
                    Status::Failed
                },
                skip_reason: row.skipped.as_deref(),
                time_secs: row.elapsed.as_secs_f64(),
                verdict: row.skipped.is_none().then_some(row.result.verdict),
                checks: &row.result.checks,
                findings: &row.result.findings,
                omitted: &row.result.omitted,
                unmet: &row.mismatches,
            })
            .collect(),
    };
    // Plain data: serializing cannot fail.
    serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
}
