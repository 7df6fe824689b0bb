//! GitHub Actions: when `GITHUB_ACTIONS=true`, an `::error` annotation per unmet expectation
//! and a `::warning` per warning finding (with `file=` for case files), printed to standard
//! output where the runner reads workflow commands, and a Markdown summary appended to the
//! file `GITHUB_STEP_SUMMARY` names.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::finding::Severity;
use crate::runner::Row;

use super::{by_target, ReportError, RunInfo};

/// Whether the environment is a GitHub Actions runner (`GITHUB_ACTIONS=true`).
pub fn enabled(lookup: impl Fn(&str) -> Option<String>) -> bool {
    lookup("GITHUB_ACTIONS").as_deref() == Some("true")
}

/// A workflow command's message: `%`, CR and LF escaped.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value: also `:` and `,`.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The annotations, one workflow command per line.
///
/// ```
/// use clustercert_conformance::report::github::annotations;
/// assert_eq!(annotations(&[]), "");
/// ```
pub fn annotations(rows: &[Row]) -> String {
    let mut out = String::new();
    for row in rows {
        let file = row
            .file
            .as_ref()
            .map(|f| format!("file={},", property(&f.display().to_string())))
            .unwrap_or_default();
        for unmet in &row.mismatches {
            let title = unmet.check.as_deref().unwrap_or("expectation");
            let _ = writeln!(
                out,
                "::error {file}title={}::{}",
                property(&format!("{}: {title}", row.name)),
                data(&unmet.message)
            );
        }
        for f in row
            .result
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
        {
            let _ = writeln!(
                out,
                "::warning {file}title={}::{}",
                property(&format!("{}: {}", row.name, f.check)),
                data(&format!("{}: {}", f.path, f.message))
            );
        }
        if let Some(reason) = &row.skipped {
            let _ = writeln!(
                out,
                "::notice title={}::{}",
                property(&format!("{}: skipped", row.name)),
                data(reason)
            );
        }
    }
    out
}

/// The step summary in Markdown: counts per target, then each failing row with its reasons.
pub fn summary(rows: &[Row], info: RunInfo<'_>) -> String {
    let mut out = format!("## clustercert-conformance {}\n\n", info.command);
    out.push_str("| target | passed | failed | skipped |\n|---|---:|---:|---:|\n");
    for (target, group) in by_target(rows) {
        let passed = group.iter().filter(|r| r.passed()).count();
        let failed = group.iter().filter(|r| r.failed()).count();
        let _ = writeln!(
            out,
            "| {} | {passed} | {failed} | {} |",
            target.as_str(),
            group.len() - passed - failed
        );
    }
    let failing: Vec<&Row> = rows.iter().filter(|r| r.failed()).collect();
    if failing.is_empty() {
        out.push_str("\nEvery expectation is met.\n");
    } else {
        out.push_str("\n### Failing rows\n\n");
        for row in failing {
            let _ = writeln!(out, "- **{}**", markdown(&row.name));
            for unmet in &row.mismatches {
                let _ = writeln!(out, "  - {}", markdown(&unmet.message));
            }
        }
    }
    out.push('\n');
    out
}

/// Text safe inside a Markdown list item or table cell.
fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' | '*' | '_' | '`' | '<' | '>' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Prints the annotations to standard output and appends the summary to
/// `GITHUB_STEP_SUMMARY` when that is set.
///
/// # Errors
///
/// The summary file cannot be written.
pub fn emit(
    rows: &[Row],
    info: RunInfo<'_>,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<(), ReportError> {
    print!("{}", annotations(rows));
    let Some(path) = lookup("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let error = |source| ReportError {
        path: path.clone(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(error)?;
    file.write_all(summary(rows, info).as_bytes())
        .map_err(error)
}
