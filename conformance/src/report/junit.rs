//! JUnit XML: one `testsuite` per target (`cases`, `mock`, `live`, `validate`), one
//! `testcase` per row, one `failure` per unmet expectation (its `type` the check id, its text
//! the check, the instance path and the message), notes and warnings in the test case's
//! `system-out`, and a `skipped` element for a row that checked nothing. Valid against the
//! JUnit schema Jenkins and GitLab read (a test checks it with `xmllint --schema`).

use std::fmt::Write as _;
use std::time::Duration;

use crate::finding::Severity;
use crate::runner::Row;

use super::{by_target, RunInfo};

/// Escapes text for an XML attribute or element. Characters XML 1.0 cannot hold (most
/// control characters) become U+FFFD.
///
/// ```
/// use clustercert_conformance::report::junit::escape;
/// assert_eq!(escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;\u{FFFD}");
/// ```
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// [`escape`] for an attribute value: line breaks and tabs as character references, which
/// a parser keeps (a literal one it would turn into a space).
///
/// ```
/// use clustercert_conformance::report::junit::escape_attribute;
/// assert_eq!(escape_attribute("a\nb<"), "a&#10;b&lt;");
/// ```
pub fn escape_attribute(text: &str) -> String {
    escape(text)
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

fn seconds(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64())
}

/// The report.
pub fn render(rows: &[Row], info: RunInfo<'_>) -> String {
    let groups = by_target(rows);
    let count = |f: fn(&Row) -> bool| rows.iter().filter(|r| f(r)).count();
    let total: Duration = rows.iter().map(|r| r.elapsed).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"clustercert-conformance {}\" tests=\"{}\" failures=\"{}\" errors=\"0\" time=\"{}\">",
        escape_attribute(info.command),
        rows.len(),
        count(Row::failed),
        seconds(total)
    );
    for (target, group) in groups {
        let failed = group.iter().filter(|r| r.failed()).count();
        let skipped = group.iter().filter(|r| r.skipped.is_some()).count();
        let time: Duration = group.iter().map(|r| r.elapsed).sum();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"{skipped}\" time=\"{}\">",
            target.as_str(),
            group.len(),
            seconds(time)
        );
        for row in group {
            testcase(&mut out, row, target.as_str());
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn testcase(out: &mut String, row: &Row, classname: &str) {
    let file = row
        .file
        .as_ref()
        .map(|f| format!(" file=\"{}\"", escape_attribute(&f.display().to_string())))
        .unwrap_or_default();
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{classname}\" time=\"{}\"{file}",
        escape_attribute(&row.name),
        seconds(row.elapsed)
    );
    let notes: Vec<_> = row
        .result
        .findings
        .iter()
        .filter(|f| f.severity != Severity::Error)
        .collect();
    if row.skipped.is_none() && row.mismatches.is_empty() && notes.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    if let Some(reason) = &row.skipped {
        let _ = writeln!(
            out,
            "      <skipped message=\"{}\"/>",
            escape_attribute(reason)
        );
    }
    for unmet in &row.mismatches {
        let mut text = String::new();
        if let Some(check) = &unmet.check {
            let _ = writeln!(text, "check: {check}");
        }
        if let Some(path) = &unmet.path {
            let _ = writeln!(text, "path: {path}");
        }
        text.push_str(&unmet.message);
        let _ = writeln!(
            out,
            "      <failure type=\"{}\" message=\"{}\">{}</failure>",
            escape_attribute(unmet.check.as_deref().unwrap_or("expectation")),
            escape_attribute(&unmet.message),
            escape(&text)
        );
    }
    if !notes.is_empty() {
        out.push_str("      <system-out>");
        for f in notes {
            let word = match f.severity {
                Severity::Warning => "warning",
                _ => "note",
            };
            let _ = writeln!(
                out,
                "{word} {} {}: {}",
                escape(f.check),
                escape(&f.path),
                escape(&f.message)
            );
        }
        out.push_str("</system-out>\n");
    }
    out.push_str("    </testcase>\n");
}
