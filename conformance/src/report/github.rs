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

/// The most annotations of each kind (`error`, `warning`, `notice`) printed: GitHub shows at
/// most 10 of each per step and 50 per job and drops the rest, so printing thousands only
/// floods the log. One `::notice` then says how many more there are; the reports hold all.
pub const MAX_ANNOTATIONS: usize = 50;

/// The annotations, one workflow command per line (at most [`MAX_ANNOTATIONS`] of each
/// kind, then a notice counting the rest).
///
/// ```
/// use clustercert_conformance::report::github::annotations;
/// assert_eq!(annotations(&[]), "");
/// ```
pub fn annotations(rows: &[Row]) -> String {
    let mut out = String::new();
    // Printed and left out, per kind: error, warning, notice.
    let mut printed = [0usize; 3];
    let mut left_out = [0usize; 3];
    let mut annotate = |out: &mut String, kind: usize, line: std::fmt::Arguments<'_>| {
        if printed[kind] < MAX_ANNOTATIONS {
            printed[kind] += 1;
            let _ = writeln!(out, "{line}");
        } else {
            left_out[kind] += 1;
        }
    };
    for row in rows {
        let file = row
            .file
            .as_ref()
            .map(|f| format!("file={},", property(&f.display().to_string())))
            .unwrap_or_default();
        for unmet in &row.mismatches {
            let title = unmet.check.as_deref().unwrap_or("expectation");
            annotate(
                &mut out,
                0,
                format_args!(
                    "::error {file}title={}::{}",
                    property(&format!("{}: {title}", row.name)),
                    data(&unmet.message)
                ),
            );
        }
        for f in row
            .result
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
        {
            annotate(
                &mut out,
                1,
                format_args!(
                    "::warning {file}title={}::{}",
                    property(&format!("{}: {}", row.name, f.check)),
                    data(&format!("{}: {}", f.path, f.message))
                ),
            );
        }
        if let Some(reason) = &row.skipped {
            annotate(
                &mut out,
                2,
                format_args!(
                    "::notice title={}::{}",
                    property(&format!("{}: skipped", row.name)),
                    data(reason)
                ),
            );
        }
    }
    if left_out.iter().any(|n| *n > 0) {
        let _ = writeln!(
            out,
            "::notice title=clustercert-conformance::{} more errors, {} more warnings and {} more notices not annotated (GitHub shows {MAX_ANNOTATIONS} per job at most); the table and the reports list every one",
            left_out[0], left_out[1], left_out[2]
        );
    }
    out
}

/// The largest step summary written, in bytes: GitHub refuses a summary above 1 MiB (and
/// then shows none of it). Failing rows past this are counted, not listed.
pub const MAX_SUMMARY_BYTES: usize = 512 * 1024;

/// Unmet expectations listed per failing row in the summary; the rest are counted.
const SUMMARY_REASONS_PER_ROW: usize = 10;

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
        let total = failing.len();
        for (listed, row) in failing.into_iter().enumerate() {
            let mut entry = format!("- **{}**\n", markdown(&row.name));
            for unmet in row.mismatches.iter().take(SUMMARY_REASONS_PER_ROW) {
                let _ = writeln!(entry, "  - {}", markdown(&unmet.message));
            }
            if row.mismatches.len() > SUMMARY_REASONS_PER_ROW {
                let _ = writeln!(
                    entry,
                    "  - and {} more",
                    row.mismatches.len() - SUMMARY_REASONS_PER_ROW
                );
            }
            // Room for this entry and the closing line.
            if out.len() + entry.len() + 200 > MAX_SUMMARY_BYTES {
                let _ = writeln!(
                    out,
                    "\n{} more failing rows not listed here; the JUnit and JSON reports list every one.",
                    total - listed
                );
                break;
            }
            out.push_str(&entry);
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

/// The step summary file: `GITHUB_STEP_SUMMARY` when GitHub output is [`enabled`] and the
/// variable is set and not empty.
pub fn step_summary(lookup: impl Fn(&str) -> Option<String>) -> Option<std::path::PathBuf> {
    if !enabled(&lookup) {
        return None;
    }
    lookup("GITHUB_STEP_SUMMARY")
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from)
}

/// Prints the annotations to standard output (a reader that went away is not an error) and
/// appends the summary to `GITHUB_STEP_SUMMARY` when that is set.
///
/// # Errors
///
/// The summary file cannot be written.
pub fn emit(
    rows: &[Row],
    info: RunInfo<'_>,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<(), ReportError> {
    let mut stdout = std::io::stdout().lock();
    let printed = stdout
        .write_all(annotations(rows).as_bytes())
        .and_then(|()| stdout.flush());
    match printed {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            return Err(ReportError {
                path: "standard output".to_owned(),
                source: e,
            })
        }
        _ => {}
    }
    drop(stdout);
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
