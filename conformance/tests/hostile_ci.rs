//! The suite's CI surface under hostile input: names and messages that try to start a line
//! of their own (GitHub workflow commands) or drive the terminal, a reader that goes away,
//! report paths that cannot be written or are named twice (refused before any request), an
//! endless or non-UTF-8 response file, and a corrupt recording in a `--record` history.

#![forbid(unsafe_code)]

mod bin_support;

use bin_support::{bin, run, run_cases, write_case, Report as _};
use std::io::Read as _;
use std::path::Path;
use std::process::Stdio;

use serde_json::{json, Value};

/// Every line a GitHub runner would read as a workflow command is one the suite meant:
/// `::error `, `::warning ` or `::notice ` followed by its properties.
fn assert_only_our_workflow_commands(stdout: &str) {
    for line in stdout.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("::") {
            assert!(
                [
                    "::error file=",
                    "::error title=",
                    "::warning file=",
                    "::warning title="
                ]
                .iter()
                .any(|ours| trimmed.starts_with(ours)),
                "a line the runner would obey: {line:?}\n{stdout}"
            );
        }
    }
}

/// A local listener that must see no connection, and the binary's `live` pointed at it with
/// a token, a project and a cluster (and no metadata server).
fn live_against_a_silent_listener() -> (std::net::TcpListener, std::process::Command) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let mut live = bin();
    live.arg("live")
        .env(
            "CCE_ENDPOINT",
            format!("http://{}", listener.local_addr().expect("addr")),
        )
        .env("HUAWEICLOUD_SDK_AUTH_TOKEN", "t")
        .env("HUAWEICLOUD_SDK_PROJECT_ID", "p")
        .env("CCE_CLUSTER_ID", "c")
        .env("CCE_METADATA_ENDPOINT", "off");
    (listener, live)
}

/// Whether `listener` has a connection waiting (`Err(WouldBlock)`: none).
fn accepted(listener: &std::net::TcpListener) -> Result<(), std::io::ErrorKind> {
    listener.accept().map(|_| ()).map_err(|e| e.kind())
}

#[test]
fn names_and_messages_cannot_start_a_workflow_command_or_drive_the_terminal() {
    let cases = tempfile::tempdir().expect("tempdir");
    // A folder name and a response field name, as a hostile branch or server could make them.
    let name = "x\n::error::injected by a name\u{1b}[2J";
    let field = "a\n::add-mask::secret\r\n::error::injected by a field\u{1b}]0;title\u{7}";
    let mut body = json!({"error_code": "CCE.01400001", "error_msg": "m"});
    body[field] = json!(1);
    write_case(
        cases.path(),
        name,
        &json!({"description": "d", "response": {"status": 400, "body": body},
            "expect": {"verdict": "invalid"}}),
    );
    for verbose in [false, true] {
        let mut command = run_cases(cases.path());
        command.env("GITHUB_ACTIONS", "true");
        if verbose {
            command.arg("--verbose");
        }
        let (code, stdout, _) = run(&mut command);
        assert_eq!(code, 1, "{stdout}");
        assert_only_our_workflow_commands(&stdout);
        // The table (annotations are GitHub's to render, escaped as it documents).
        let table: String = stdout.lines().filter(|l| !l.starts_with("::")).collect();
        assert!(
            !table.contains('\u{1b}'),
            "an escape reached the log: {stdout:?}"
        );
        assert!(
            !table.contains('\u{7}') && !stdout.contains('\r'),
            "{stdout:?}"
        );
        // The names are still there, escaped.
        assert!(
            stdout.contains(r"x\n::error::injected by a name\u{1b}[2J"),
            "{stdout}"
        );
        assert!(
            stdout.contains(r"a\n::add-mask::secret\r\n::error::"),
            "{stdout}"
        );
    }
    // A name that is itself a workflow command.
    write_case(
        cases.path(),
        "::error::injected by a whole name",
        &json!({"description": "d", "request": {"body": {"duration": 30}}, "expect": {"verdict": "valid"}}),
    );
    let (_, stdout, _) = run(run_cases(cases.path()).env("GITHUB_ACTIONS", "true"));
    assert_only_our_workflow_commands(&stdout);
    assert!(
        stdout.contains("\\::error::injected by a whole name"),
        "{stdout}"
    );
    // `validate` prints the same findings.
    let file = cases.path().join(name).join("case.json");
    let (_, stdout, _) = run(bin()
        .args(["validate", "--response"])
        .arg(&file)
        .env("GITHUB_ACTIONS", "true"));
    assert_only_our_workflow_commands(&stdout);
    let printed: String = stdout.lines().filter(|l| !l.starts_with("::")).collect();
    assert!(!printed.contains('\u{1b}'), "{stdout:?}");
}

#[test]
fn a_reader_that_goes_away_is_not_a_panic() {
    // A response with far more output than a pipe holds, so the write meets a closed pipe.
    let dir = tempfile::tempdir().expect("tempdir");
    let clusters: Vec<Value> = (0..3000)
        .map(|i| json!({"name": format!("c{i}"), "cluster": {"server": 1}}))
        .collect();
    let file = dir.path().join("big.json");
    std::fs::write(&file, json!({"clusters": clusters}).to_string()).expect("write");
    for args in [
        vec!["validate", "--max-findings", "100000", "--response"],
        vec!["schema", "request"],
    ] {
        let mut command = bin();
        command.args(&args);
        if args[0] == "validate" {
            command.arg(&file);
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take());
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut stderr)
            .expect("read");
        let status = child.wait().expect("wait");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        let expected = if args[0] == "validate" { 1 } else { 0 };
        assert_eq!(status.code(), Some(expected), "{args:?}: {stderr}");
    }
}

/// A regular file where a folder is expected: no one (not even root, as CI runs) can create
/// anything under it.
fn blocked(dir: &Path) -> std::path::PathBuf {
    let blocker = dir.join("a-file");
    std::fs::write(&blocker, "").expect("write");
    blocker
}

#[test]
fn report_paths_are_checked_before_the_run() {
    let out = tempfile::tempdir().expect("tempdir");
    let cases = tempfile::tempdir().expect("tempdir");
    write_case(
        cases.path(),
        "good",
        &json!({"description": "d", "request": {"body": {"duration": 30}}, "expect": {"verdict": "valid"}}),
    );
    let blocker = blocked(out.path());

    // The same file twice, spelled two ways: refused, nothing run.
    let junit = out.path().join("r.xml");
    let again = out.path().join(".").join("r.xml");
    let (code, stdout, stderr) = run(run_cases(cases.path())
        .report("junit", &junit)
        .report("json", &again));
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("the same file as the report"), "{stderr}");
    assert_eq!(stdout, "", "nothing ran");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");

    // A report that cannot be written: refused before the run.
    let (code, stdout, stderr) =
        run(run_cases(cases.path()).report("junit", &blocker.join("junit.xml")));
    assert_eq!(code, 2, "{stdout}");
    assert!(
        stderr.starts_with("error: cannot write the report"),
        "{stderr}"
    );
    assert_eq!(stdout, "", "nothing ran");

    // The GitHub step summary likewise.
    let (code, stdout, stderr) = run(run_cases(cases.path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", blocker.join("summary.md")));
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("summary.md"), "{stderr}");
    assert_eq!(stdout, "", "nothing ran");

    // `live`: no request reaches the API (no certificate minted) for a report that would be
    // lost.
    let (listener, mut live) = live_against_a_silent_listener();
    let (code, _, stderr) = run(live.report("json", &blocker.join("r.json")));
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        accepted(&listener),
        Err(std::io::ErrorKind::WouldBlock),
        "a request was sent"
    );

    // A setup error after the check (no such cases folder) leaves no empty report behind.
    let fresh = out.path().join("fresh/junit.xml");
    let (code, _, _) = run(run_cases(out.path().join("no-such-folder")).report("junit", &fresh));
    assert_eq!(code, 2);
    assert!(!fresh.exists(), "an empty report was left behind");

    // Still fine: two distinct reports, an existing file kept until the end is overwritten.
    std::fs::write(&junit, "old").expect("write");
    let (code, _, stderr) = run(run_cases(cases.path())
        .report("junit", &junit)
        .report("json", &out.path().join("new/r.json")));
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read_to_string(&junit)
        .expect("junit")
        .starts_with("<?xml"));
}

#[test]
fn validate_refuses_endless_huge_and_non_utf8_files_in_one_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let zero = dir.path().join("zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    let latin1 = dir.path().join("latin1.json");
    std::fs::write(&latin1, b"{\"kind\": \"caf\xe9\"}").expect("write");
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge)
        .expect("create")
        .set_len(clustercert_conformance::case::MAX_FILE_BYTES + 1)
        .expect("set_len");
    let deep = dir.path().join("deep.json");
    std::fs::write(&deep, "[".repeat(1_000_000)).expect("write");
    for (file, why) in [
        (&zero, "not a regular file"),
        (&latin1, "not UTF-8"),
        (&huge, "more than the"),
        (&deep, "recursion limit"),
    ] {
        let started = std::time::Instant::now();
        let (code, stdout, stderr) = run(bin().args(["validate", "--response"]).arg(file));
        assert_eq!(code, 2, "{file:?}: {stdout}{stderr}");
        assert!(stderr.contains(why), "{file:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{file:?} took {:?}",
            started.elapsed()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_recording_in_the_history_neither_stops_live_nor_its_recording() {
    use clustercert_conformance::mock::{self, MockConfig};
    let server = mock::start(MockConfig::builtin(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("mock starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let corrupt = dir.path().join("live-cluster-duration-30-20000101T000000Z");
    std::fs::create_dir(&corrupt).expect("mkdir");
    std::fs::write(corrupt.join("case.json"), "{\"description\": ").expect("write");
    let (code, stdout, stderr) = run(bin()
        .args(["live", "--duration", "30", "--verbose", "--record"])
        .arg(dir.path())
        .env("CCE_ENDPOINT", server.url())
        .env("HUAWEICLOUD_SDK_AUTH_TOKEN", mock::DEFAULT_TOKEN)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", mock::DEFAULT_PROJECT_ID)
        .env("CCE_CLUSTER_ID", mock::INTERNAL_CLUSTER_ID)
        .env("GITHUB_ACTIONS", "true"));
    server.shutdown().await;
    assert_eq!(code, 0, "a warning, not a failure: {stdout}\n{stderr}");
    assert!(
        stdout.contains("drift.unreadable-recording"),
        "the corrupt file is named: {stdout}"
    );
    assert!(
        stdout.contains("live-cluster-duration-30-20000101T000000Z"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("::warning ") && l.contains("drift.unreadable-recording")),
        "{stdout}"
    );
    let recorded = std::fs::read_dir(dir.path()).expect("dir").count();
    assert_eq!(recorded, 2, "the new exchange is still recorded");
}

#[test]
fn github_output_stays_within_what_github_takes_for_a_huge_failing_run() {
    use clustercert_conformance::finding::Report;
    use clustercert_conformance::report::{github, RunInfo};
    use clustercert_conformance::runner::{CaseResult, Row, Target, Unmet};
    let rows: Vec<Row> = (0..20_000)
        .map(|i| {
            let unmet = (0..30)
                .map(|j| {
                    Unmet::plain(format!(
                        "unmet expectation {j} of row {i}: {}",
                        "x".repeat(80)
                    ))
                })
                .collect();
            Row::new(
                Target::Cases,
                format!("case-{i}"),
                CaseResult::from_report(Report::new()),
                unmet,
            )
        })
        .collect();
    let summary = github::summary(&rows, RunInfo { command: "run" });
    assert!(
        summary.len() <= github::MAX_SUMMARY_BYTES,
        "GitHub refuses a summary above 1 MiB: {} bytes",
        summary.len()
    );
    assert!(
        summary.contains("| cases | 0 | 20000 | 0 |"),
        "the counts stay whole"
    );
    assert!(
        summary.contains("more failing rows not listed here"),
        "the rest is counted"
    );
    assert!(
        summary.contains("  - and 20 more\n"),
        "reasons per row are capped"
    );
    let annotations = github::annotations(&rows);
    let lines: Vec<&str> = annotations.lines().collect();
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::error ")).count(),
        github::MAX_ANNOTATIONS
    );
    let last = lines.last().expect("a closing notice");
    assert!(
        last.starts_with("::notice ")
            && last.contains(&format!(
                "{} more errors",
                600_000 - github::MAX_ANNOTATIONS
            )),
        "{last}"
    );
}

#[test]
fn the_json_report_schema_refuses_a_skip_reason_on_a_row_that_ran() {
    let schema: Value =
        serde_json::from_str(clustercert_conformance::report::json::SCHEMA).expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("the report schema compiles");
    let row = json!({"target": "cases", "name": "x", "status": "passed", "time_secs": 0.1,
        "verdict": "valid", "checks": {}, "findings": [], "unmet": []});
    let mut report = json!({"format": 1, "tool": {"name": "clustercert-conformance", "version": "0"},
        "command": "run", "summary": {"rows": 1, "passed": 1, "failed": 0, "skipped": 0}, "rows": [row]});
    assert!(validator.is_valid(&report));
    report["rows"][0]["skip_reason"] = json!("not set");
    assert!(
        !validator.is_valid(&report),
        "a passed row with a skip reason"
    );
    report["rows"][0]["status"] = json!("failed");
    report["rows"][0]["unmet"] = json!([{"message": "m"}]);
    assert!(
        !validator.is_valid(&report),
        "a failed row with a skip reason"
    );
}

#[test]
fn the_mock_config_is_read_with_the_same_bounds_as_a_case() {
    use clustercert_conformance::mock::MockConfig;
    let dir = tempfile::tempdir().expect("tempdir");
    let zero = dir.path().join("mock.yaml");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    let started = std::time::Instant::now();
    let err = format!("{:#}", MockConfig::from_file(&zero).unwrap_err());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(err.contains("not a regular file"), "{err}");
    assert!(err.contains("mock.yaml"), "the file is named: {err}");
}

#[test]
fn a_record_folder_that_cannot_be_written_is_refused_before_any_request() {
    let out = tempfile::tempdir().expect("tempdir");
    let blocker = blocked(out.path());
    let (listener, mut live) = live_against_a_silent_listener();
    let (code, stdout, stderr) = run(live.arg("--record").arg(blocker.join("recorded")));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("recorded"), "the folder is named: {stderr}");
    assert_eq!(
        accepted(&listener),
        Err(std::io::ErrorKind::WouldBlock),
        "a request was sent (a certificate minted) for an exchange that cannot be saved"
    );
    // `run --record` likewise fails before the mock is asked.
    let (code, stdout, _) = run(bin()
        .args(["run", "--record"])
        .arg(blocker.join("recorded")));
    assert_eq!(code, 2);
    assert_eq!(stdout, "", "nothing ran");
}

#[test]
fn a_case_file_that_is_not_a_regular_file_is_an_error_not_a_case_left_out() {
    let cases = tempfile::tempdir().expect("tempdir");
    write_case(
        cases.path(),
        "good",
        &json!({"description": "d", "request": {"body": {"duration": 30}}, "expect": {"verdict": "valid"}}),
    );
    std::fs::create_dir(cases.path().join("endless")).expect("mkdir");
    std::os::unix::fs::symlink("/dev/zero", cases.path().join("endless/case.json"))
        .expect("symlink");
    let (code, stdout, stderr) = run(&mut run_cases(cases.path()));
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert!(stderr.contains("endless/case.json"), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
}

#[test]
fn an_error_is_one_line_whatever_its_cause_holds() {
    let dir = tempfile::tempdir().expect("tempdir");
    let name = "x\n::error::injected by a path";
    let (code, _, stderr) = run(bin()
        .args(["validate", "--response"])
        .arg(dir.path().join(name)));
    assert_eq!(code, 2);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("error: cannot read "), "{stderr}");
    assert!(stderr.contains(r"x\n::error::injected"), "{stderr}");
}
