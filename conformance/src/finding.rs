//! Findings (what a check reports) and the [`Report`] that collects them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// How much a finding weighs. Only errors make a verdict `invalid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The contract is broken.
    Error,
    /// Allowed by the contract, but a tool will trip over it.
    Warning,
    /// Worth knowing; nothing wrong.
    Note,
}

/// One finding of one named check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The check's name, for example `kubeconfig.current-context`.
    pub check: &'static str,
    /// Error, warning or note.
    pub severity: Severity,
    /// JSON Pointer into the case (`/response/body/clusters/0/name`).
    pub path: String,
    /// For schema findings: JSON Pointer into the translated schema, ending in the keyword.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_path: Option<String>,
    /// What is wrong, in words. Never contains key or certificate data.
    pub message: String,
}

/// The outcome of one check over a whole case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Ran and found nothing.
    Pass,
    /// Found at least one error.
    Error,
    /// Found warnings, no error.
    Warning,
    /// Found notes only.
    Note,
}

/// Collects which checks ran and what they found.
#[derive(Debug, Default, Clone)]
pub struct Report {
    ran: BTreeSet<&'static str>,
    findings: Vec<Finding>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Self {
        Report::default()
    }

    /// Records that `check` ran (whether or not it finds anything).
    pub fn ran(&mut self, check: &'static str) {
        self.ran.insert(check);
    }

    /// Adds a finding (and records that its check ran).
    pub fn add(
        &mut self,
        check: &'static str,
        severity: Severity,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.push(Finding {
            check,
            severity,
            path: path.into(),
            schema_path: None,
            message: message.into(),
        });
    }

    /// Adds an error.
    pub fn error(
        &mut self,
        check: &'static str,
        path: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.add(check, Severity::Error, path, message);
    }

    /// Adds a finding built elsewhere.
    pub fn push(&mut self, finding: Finding) {
        self.ran.insert(finding.check);
        self.findings.push(finding);
    }

    /// The findings so far.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }

    /// Every check that ran, with its worst outcome.
    pub fn outcomes(&self) -> BTreeMap<&'static str, Outcome> {
        self.ran
            .iter()
            .map(|&check| {
                let worst = self
                    .findings
                    .iter()
                    .filter(|f| f.check == check)
                    .map(|f| f.severity)
                    .min();
                let outcome = match worst {
                    None => Outcome::Pass,
                    Some(Severity::Error) => Outcome::Error,
                    Some(Severity::Warning) => Outcome::Warning,
                    Some(Severity::Note) => Outcome::Note,
                };
                (check, outcome)
            })
            .collect()
    }

    /// Splits the report into its parts.
    pub fn into_parts(self) -> (BTreeSet<&'static str>, Vec<Finding>) {
        (self.ran, self.findings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_is_the_worst_finding_and_clean_checks_pass() {
        let mut report = Report::new();
        report.ran("a");
        report.add("b", Severity::Note, "/x", "n");
        report.add("b", Severity::Warning, "/x", "w");
        report.add("c", Severity::Note, "/y", "n");
        report.error("d", "/z", "e");
        report.add("d", Severity::Warning, "/z", "w");
        let outcomes = report.outcomes();
        assert_eq!(outcomes["a"], Outcome::Pass);
        assert_eq!(outcomes["b"], Outcome::Warning);
        assert_eq!(outcomes["c"], Outcome::Note);
        assert_eq!(outcomes["d"], Outcome::Error);
        assert!(report.has_errors());
    }

    #[test]
    fn warnings_and_notes_are_not_errors() {
        let mut report = Report::new();
        report.add("b", Severity::Warning, "/x", "w");
        report.add("c", Severity::Note, "/y", "n");
        assert!(!report.has_errors());
        assert_eq!(report.findings().len(), 2);
    }
}
