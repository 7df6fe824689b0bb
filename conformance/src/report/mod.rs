//! Reports of a run for CI systems, beside the table: JUnit XML ([`junit`]), a versioned JSON
//! document ([`json`]), and GitHub Actions annotations and step summary ([`github`]).
//!
//! `run`, `validate` and `live` take `--report FORMAT=PATH`, as often as wanted
//! (`--report junit=out/junit.xml --report json=out/report.json`). The GitHub output needs
//! no flag: it is written when `GITHUB_ACTIONS=true`.

pub mod github;
pub mod json;
pub mod junit;

use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::runner::{Row, Target};

/// A report format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JUnit XML, as Jenkins and GitLab read it.
    Junit,
    /// The JSON report, `"format": 1` (`conformance/report.schema.json`).
    Json,
}

/// One `--report FORMAT=PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSpec {
    /// What to write.
    pub format: Format,
    /// Where.
    pub path: PathBuf,
}

impl FromStr for ReportSpec {
    type Err = String;

    /// `junit=PATH` or `json=PATH`.
    ///
    /// ```
    /// use clustercert_conformance::report::{Format, ReportSpec};
    /// let spec: ReportSpec = "junit=out/junit.xml".parse().unwrap();
    /// assert_eq!(spec.format, Format::Junit);
    /// assert!("xml=out".parse::<ReportSpec>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (format, path) = text
            .split_once('=')
            .ok_or_else(|| format!("{text:?} is not FORMAT=PATH (junit=PATH or json=PATH)"))?;
        let format = match format {
            "junit" => Format::Junit,
            "json" => Format::Json,
            other => return Err(format!("unknown report format {other:?}: junit or json")),
        };
        if path.is_empty() {
            return Err(format!("{text:?} has no path"));
        }
        Ok(ReportSpec {
            format,
            path: PathBuf::from(path),
        })
    }
}

/// What a run was, for the reports' headers.
#[derive(Debug, Clone, Copy)]
pub struct RunInfo<'a> {
    /// `run`, `validate` or `live`.
    pub command: &'a str,
}

/// A report could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write the report {path}")]
pub struct ReportError {
    /// The file.
    pub path: String,
    /// Why.
    #[source]
    pub source: std::io::Error,
}

/// Checks, before the run, that every report can be written, so that a wrong path costs
/// nothing (for `live`, no certificate is minted for a report that would be lost): creates
/// missing folders and checks each file can be written (an existing one is left as it is
/// until [`write_all`]; a missing one is created and removed again). A file named twice is refused, whatever the
/// spelling (`out/r.xml`, `./out/r.xml`): the second report would silently replace the first.
/// With `step_summary` (the `GITHUB_STEP_SUMMARY` file, under GitHub Actions), checks that it
/// can be appended to.
///
/// # Errors
///
/// The first report that cannot be written, or the second naming a file already named.
pub fn prepare(specs: &[ReportSpec], step_summary: Option<&Path>) -> Result<(), ReportError> {
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    for spec in specs {
        let path = spec.path.as_path();
        let error = |source| ReportError {
            path: path.display().to_string(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(error)?;
        }
        // Writable? An existing file is opened without truncating it; a missing one is
        // created and removed again, so a run that fails later leaves no empty report behind.
        let existed = std::fs::symlink_metadata(path).is_ok();
        if existed {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .open(path)
                .map_err(error)?;
        } else {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
                .map_err(error)?;
            std::fs::remove_file(path).map_err(error)?;
        }
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        let same = match (existed, parent, path.file_name()) {
            (true, _, _) => std::fs::canonicalize(path).ok(),
            (false, Some(parent), Some(name)) => {
                std::fs::canonicalize(parent).ok().map(|p| p.join(name))
            }
            (false, None, Some(name)) => std::fs::canonicalize(".").ok().map(|p| p.join(name)),
            (false, _, None) => None,
        }
        .unwrap_or_else(|| path.to_path_buf());
        if let Some((_, first)) = seen.iter().find(|(other, _)| *other == same) {
            return Err(error(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "the same file as the report {}: give each report its own path",
                    first.display()
                ),
            )));
        }
        seen.push((same, path));
    }
    if let Some(path) = step_summary {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| ReportError {
                path: path.display().to_string(),
                source,
            })?;
    }
    Ok(())
}

/// Writes each report (creating missing folders).
///
/// # Errors
///
/// The first report that cannot be written.
pub fn write_all(specs: &[ReportSpec], rows: &[Row], info: RunInfo<'_>) -> Result<(), ReportError> {
    for spec in specs {
        let text = match spec.format {
            Format::Junit => junit::render(rows, info),
            Format::Json => json::render(rows, info),
        };
        write_file(&spec.path, &text)?;
    }
    Ok(())
}

fn write_file(path: &Path, text: &str) -> Result<(), ReportError> {
    let error = |source| ReportError {
        path: path.display().to_string(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(error)?;
    }
    std::fs::write(path, text).map_err(error)
}

/// The rows grouped by target, in the targets' order, each group in run order.
pub fn by_target(rows: &[Row]) -> Vec<(Target, Vec<&Row>)> {
    let mut groups: Vec<(Target, Vec<&Row>)> = Vec::new();
    for row in rows {
        match groups.iter_mut().find(|(target, _)| *target == row.target) {
            Some((_, group)) => group.push(row),
            None => groups.push((row.target, vec![row])),
        }
    }
    groups.sort_by_key(|(target, _)| *target);
    groups
}
