//! Findings (what a check reports) and the [`Report`] that collects them.
//!
//! A report keeps at most [`Report::limit`] findings per check (the first ones, in the order
//! the check found them) and counts the rest, so a hostile body with 300,000 broken entries
//! costs memory in proportion to the body, not to findings × paths. Counted findings still
//! decide the verdict and the check's outcome.

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

/// Findings of one check past the report's limit: how many, and the worst severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Omitted {
    /// How many findings were counted but not kept.
    pub count: usize,
    /// The worst severity among them.
    pub worst: Severity,
}

/// The default number of findings kept per check.
pub const DEFAULT_FINDINGS_PER_CHECK: usize = 100;

/// Collects which checks ran and what they found.
#[derive(Debug, Clone)]
pub struct Report {
    ran: BTreeSet<&'static str>,
    findings: Vec<Finding>,
    kept: BTreeMap<&'static str, usize>,
    omitted: BTreeMap<&'static str, Omitted>,
    limit: usize,
}

impl Default for Report {
    fn default() -> Self {
        Report::with_limit(DEFAULT_FINDINGS_PER_CHECK)
    }
}

impl Report {
    /// An empty report keeping [`DEFAULT_FINDINGS_PER_CHECK`] findings per check.
    pub fn new() -> Self {
        Report::default()
    }

    /// An empty report keeping at most `limit` findings per check (at least one).
    pub fn with_limit(limit: usize) -> Self {
        Report {
            ran: BTreeSet::new(),
            findings: Vec::new(),
            kept: BTreeMap::new(),
            omitted: BTreeMap::new(),
            limit: limit.max(1),
        }
    }

    /// How many findings are kept per check.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Whether a finding of `check` would be kept; checks that find a lot can skip building
    /// the finding's text when not, after calling [`Report::count_omitted`].
    pub fn has_room(&self, check: &'static str) -> bool {
        self.kept.get(check).copied().unwrap_or(0) < self.limit
    }

    /// Counts a finding that is not kept.
    pub fn count_omitted(&mut self, check: &'static str, severity: Severity) {
        self.ran.insert(check);
        let entry = self.omitted.entry(check).or_insert(Omitted {
            count: 0,
            worst: severity,
        });
        entry.count += 1;
        entry.worst = entry.worst.min(severity);
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

    /// Adds a finding built elsewhere (or only counts it, past the limit).
    pub fn push(&mut self, finding: Finding) {
        if !self.has_room(finding.check) {
            self.count_omitted(finding.check, finding.severity);
            return;
        }
        self.ran.insert(finding.check);
        *self.kept.entry(finding.check).or_insert(0) += 1;
        self.findings.push(finding);
    }

    /// The findings kept so far.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// Per check, the findings counted past the limit.
    pub fn omitted(&self) -> &BTreeMap<&'static str, Omitted> {
        &self.omitted
    }

    /// Whether any error was found (kept or counted).
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
            || self.omitted.values().any(|o| o.worst == Severity::Error)
    }

    /// Every check that ran, with its worst outcome.
    pub fn outcomes(&self) -> BTreeMap<&'static str, Outcome> {
        let mut worst: BTreeMap<&'static str, Severity> = BTreeMap::new();
        let counted = self.omitted.iter().map(|(&check, o)| (check, o.worst));
        let kept = self.findings.iter().map(|f| (f.check, f.severity));
        for (check, severity) in kept.chain(counted) {
            let slot = worst.entry(check).or_insert(severity);
            *slot = (*slot).min(severity);
        }
        self.ran
            .iter()
            .map(|&check| {
                let outcome = match worst.get(check).copied() {
                    None => Outcome::Pass,
                    Some(Severity::Error) => Outcome::Error,
                    Some(Severity::Warning) => Outcome::Warning,
                    Some(Severity::Note) => Outcome::Note,
                };
                (check, outcome)
            })
            .collect()
    }

    /// Splits the report into its parts: the checks that ran, the kept findings, and what was
    /// counted past the limit.
    pub fn into_parts(
        self,
    ) -> (
        BTreeSet<&'static str>,
        Vec<Finding>,
        BTreeMap<&'static str, Omitted>,
    ) {
        (self.ran, self.findings, self.omitted)
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
    fn findings_past_the_limit_are_counted_and_still_decide() {
        let mut report = Report::with_limit(2);
        for i in 0..5 {
            report.add("n", Severity::Note, format!("/{i}"), "n");
        }
        report.add("e", Severity::Note, "/a", "n");
        report.add("e", Severity::Note, "/b", "n");
        report.error("e", "/c", "past the limit");
        assert_eq!(report.findings().len(), 4);
        assert_eq!(
            report.omitted()["n"],
            Omitted {
                count: 3,
                worst: Severity::Note
            }
        );
        assert_eq!(
            report.omitted()["e"],
            Omitted {
                count: 1,
                worst: Severity::Error
            }
        );
        assert!(report.has_errors(), "an error past the limit still counts");
        assert_eq!(report.outcomes()["e"], Outcome::Error);
        assert_eq!(report.outcomes()["n"], Outcome::Note);
        assert_eq!(Report::with_limit(0).limit(), 1);
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
