//! Running the `clustercert-conformance` binary from the integration tests: with nothing of
//! the caller's live-API or GitHub environment, its output as text, and cases written as
//! `<dir>/<name>/case.json`.

#![allow(dead_code)] // each test file uses a different part

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// The binary, without the live target's variables or the GitHub Actions ones, so a run
/// here never reaches the real API nor prints annotations unless a test asks for it.
pub fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_clustercert-conformance"));
    for (name, _) in clustercert_conformance::target::LIVE_ENV {
        command.env_remove(name);
    }
    for name in ["GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "NO_COLOR"] {
        command.env_remove(name);
    }
    command
}

/// The binary running the cases of the folder `cases` without the mock:
/// `run --no-mock --cases <cases>`.
pub fn run_cases(cases: impl AsRef<OsStr>) -> Command {
    let mut command = bin();
    command.args(["run", "--no-mock", "--cases"]).arg(cases);
    command
}

/// `--report <format>=<path>` on a command line.
pub trait Report {
    /// Adds `--report <format>=<path>`.
    fn report(&mut self, format: &str, path: &Path) -> &mut Self;
}

impl Report for Command {
    fn report(&mut self, format: &str, path: &Path) -> &mut Self {
        self.arg("--report")
            .arg(format!("{format}={}", path.display()))
    }
}

/// Runs `command` to the end: exit code (-1 when a signal ended it), stdout, stderr.
pub fn run(command: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("the binary runs");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

/// Writes `case` as `dir/name/case.json`.
pub fn write_case(dir: &Path, name: &str, case: &Value) {
    std::fs::create_dir_all(dir.join(name)).expect("mkdir");
    std::fs::write(dir.join(name).join("case.json"), case.to_string()).expect("write");
}
