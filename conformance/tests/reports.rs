//! Reports for CI (issue 12): JUnit XML valid against the JUnit schema Jenkins and GitLab
//! read, with one failure per unmet expectation; the JSON report valid against its schema;
//! GitHub annotations and step summary only under `GITHUB_ACTIONS=true`; `--verbose` and
//! colours; the exit codes 0, 1, 2 and 3; the `schema` subcommand; record, then replay, with
//! drift.

#![forbid(unsafe_code)]

mod bin_support;

use bin_support::{bin, run, run_cases, write_case, Report as _};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

/// A folder with a passing case, a passing case with a note, and a failing case with three
/// unmet expectations (verdict, an unexpected violation, a missing one).
fn mixed_cases() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write_case(
        dir.path(),
        "good",
        &json!({"description": "d", "request": {"body": {"duration": 30}}, "expect": {"verdict": "valid"}}),
    );
    write_case(
        dir.path(),
        "noted",
        &json!({"description": "d", "response": {"status": 400, "body": {"error_code": "CCE.01400001", "error_msg": "m", "extra": <&str>::default()}},
            "expect": {"verdict": "valid", "notes": [{"check": "response.unknown-field", "path": "/response/body/extra"}]}}),
    );
    write_case(
        dir.path(),
        "flipped",
        &json!({"description": "d", "request": {"body": {"duration": 0}},
            "expect": {"verdict": "valid", "violations": [{"check": "request.schema", "path": "/request/body/other"}]}}),
    );
    dir
}

fn json_report_schema() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(clustercert_conformance::report::json::SCHEMA).expect("schema JSON");
    jsonschema::validator_for(&schema).expect("the report schema compiles")
}

fn assert_json_report_valid(report: &Value) {
    let validator = json_report_schema();
    let errors: Vec<String> = validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{report:#}");
}

/// `xmllint`, or `None` (a skip said on stderr); with `CI=true` a missing xmllint fails.
fn xmllint() -> Option<PathBuf> {
    clustercert_test_support::tool("xmllint", "apt-get install libxml2-utils")
}

/// Runs `xmllint` on `xml` against the JUnit schema: its exit code and stderr.
fn validate_junit(xmllint: &Path, xml: &Path) -> (i32, String) {
    let xsd = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/junit.xsd");
    let (code, _, stderr) = run(Command::new(xmllint)
        .args(["--noout", "--schema", xsd])
        .arg(xml));
    (code, stderr)
}

#[test]
fn junit_of_a_failing_run_is_valid_and_holds_one_failure_per_unmet_expectation() {
    let cases = mixed_cases();
    let out = tempfile::tempdir().expect("tempdir");
    let junit = out.path().join("reports/junit.xml");
    let json_path = out.path().join("reports/report.json");
    let (code, stdout, stderr) = run(run_cases(cases.path())
        .report("junit", &junit)
        .report("json", &json_path));
    assert_eq!(code, 1, "{stdout}\n{stderr}");
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("json written"))
            .expect("JSON");
    assert_json_report_valid(&report);

    let unmet: usize = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|row| row["unmet"].as_array().expect("unmet").len())
        .sum();
    assert_eq!(unmet, 3, "{report:#}");
    assert_eq!(xml.matches("<failure ").count(), unmet, "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 3, "{xml}");
    assert!(
        xml.contains("<testsuite name=\"cases\" tests=\"3\" failures=\"1\""),
        "{xml}"
    );
    assert!(xml.contains("type=\"request.schema\""), "{xml}");
    assert!(xml.contains("path: /request/body/other"), "{xml}");
    assert!(
        xml.contains("<system-out>note response.unknown-field /response/body/extra"),
        "{xml}"
    );
    assert!(xml.contains("flipped/case.json"), "{xml}");
    assert_eq!(report["format"], 1);
    assert_eq!(
        report["summary"],
        json!({"rows": 3, "passed": 2, "failed": 1, "skipped": 0})
    );

    let Some(xmllint) = xmllint() else {
        return;
    };
    let (code, stderr) = validate_junit(&xmllint, &junit);
    assert_eq!(code, 0, "xmllint: {stderr}");
    // The schema does reject what it must: a test case without a name.
    let broken = out.path().join("broken.xml");
    std::fs::write(
        &broken,
        xml.replacen("<testcase name=", "<testcase label=", 1),
    )
    .expect("write");
    let (code, _) = validate_junit(&xmllint, &broken);
    assert_ne!(
        code, 0,
        "the JUnit schema accepts a test case without a name"
    );
}

#[test]
fn junit_and_json_of_the_mock_run_are_valid_with_a_suite_per_target() {
    let out = tempfile::tempdir().expect("tempdir");
    let junit = out.path().join("junit.xml");
    let json_path = out.path().join("report.json");
    let (code, stdout, _) = run(bin().report("junit", &junit).report("json", &json_path));
    assert_eq!(code, 0, "{stdout}");
    let xml = std::fs::read_to_string(&junit).expect("junit");
    assert!(xml.contains("<testsuite name=\"cases\""), "{xml}");
    assert!(
        xml.contains("<testsuite name=\"mock\" tests=\"8\" failures=\"0\""),
        "{xml}"
    );
    assert!(!xml.contains("<failure"), "{xml}");
    // The external cluster's CA-with-insecure warning is in its system-out.
    assert!(xml.contains("warning kubeconfig.ca-with-insecure"), "{xml}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("json")).expect("JSON");
    assert_json_report_valid(&report);
    let mock_times: Vec<f64> = report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|r| r["target"] == "mock")
        .map(|r| r["time_secs"].as_f64().expect("time"))
        .collect();
    assert_eq!(mock_times.len(), 8);
    assert!(mock_times.iter().all(|t| *t > 0.0), "{mock_times:?}");
    if let Some(xmllint) = xmllint() {
        let (code, stderr) = validate_junit(&xmllint, &junit);
        assert_eq!(code, 0, "xmllint: {stderr}");
    }
}

#[test]
fn the_json_report_schema_refuses_what_it_must() {
    let validator = json_report_schema();
    let row = json!({"target": "cases", "name": "x", "status": "failed", "time_secs": 0.1,
        "verdict": "invalid", "checks": {}, "findings": [], "unmet": []});
    let report = json!({"format": 1, "tool": {"name": "clustercert-conformance", "version": "0"},
        "command": "run", "summary": {"rows": 1, "passed": 0, "failed": 1, "skipped": 0}, "rows": [row]});
    assert!(
        !validator.is_valid(&report),
        "a failed row without an unmet expectation"
    );
    let mut wrong_format = report.clone();
    wrong_format["format"] = json!(2);
    wrong_format["rows"][0]["unmet"] = json!([{"message": "m"}]);
    assert!(!validator.is_valid(&wrong_format));
    wrong_format["format"] = json!(1);
    assert!(validator.is_valid(&wrong_format));
}

#[test]
fn github_annotations_and_summary_appear_only_under_github_actions() {
    let cases = mixed_cases();
    let out = tempfile::tempdir().expect("tempdir");
    let summary = out.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").expect("write");
    let (code, stdout, _) = run(run_cases(cases.path())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary));
    assert_eq!(code, 1);
    let file = cases.path().join("flipped").join("case.json");
    let errors: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 3, "{stdout}");
    assert!(
        errors
            .iter()
            .all(|l| l.starts_with(&format!("::error file={},title=flipped", file.display()))),
        "{stdout}"
    );
    assert!(stdout.ends_with("2 passed, 1 failed\n"), "{stdout}");
    let markdown = std::fs::read_to_string(&summary).expect("summary");
    assert!(
        markdown.starts_with("earlier step\n## clustercert-conformance run"),
        "{markdown}"
    );
    assert!(markdown.contains("| cases | 2 | 1 | 0 |"), "{markdown}");
    assert!(markdown.contains("- **flipped**"), "{markdown}");

    let other_summary = out.path().join("not-written.md");
    let (code, stdout, _) = run(run_cases(cases.path()).env("GITHUB_STEP_SUMMARY", &other_summary));
    assert_eq!(code, 1);
    assert!(!stdout.contains("::error"), "{stdout}");
    assert!(!other_summary.exists());
    let (_, stdout, _) = run(run_cases(cases.path()).env("GITHUB_ACTIONS", "false"));
    assert!(!stdout.contains("::error"), "{stdout}");
}

#[test]
fn failing_rows_list_their_findings_and_verbose_lists_every_row() {
    let cases = mixed_cases();
    let (_, quiet, _) = run(&mut run_cases(cases.path()));
    assert!(
        quiet.contains("error   request.schema /request/body/duration"),
        "{quiet}"
    );
    assert!(!quiet.contains("note    response.unknown-field"), "{quiet}");
    let (_, verbose, _) = run(bin()
        .args(["run", "--no-mock", "--verbose", "--cases"])
        .arg(cases.path()));
    assert!(
        verbose.contains("note    response.unknown-field /response/body/extra"),
        "{verbose}"
    );
    assert!(
        !quiet.contains('\u{1b}') && !verbose.contains('\u{1b}'),
        "no colour in a pipe"
    );
    let (_, coloured, _) = run(bin()
        .args(["run", "--no-mock", "--color", "always", "--cases"])
        .arg(cases.path()));
    assert!(coloured.contains("\u{1b}[31mFAIL\u{1b}[0m"), "{coloured}");
    assert!(
        coloured.ends_with("2 passed, 1 failed\n"),
        "the last line stays plain"
    );
    let (_, no_color, _) = run(bin()
        .args(["run", "--no-mock", "--color", "auto", "--cases"])
        .arg(cases.path())
        .env("NO_COLOR", "1"));
    assert!(!no_color.contains('\u{1b}'), "{no_color}");
}

#[test]
fn exit_codes_zero_one_two_and_three() {
    let cases = mixed_cases();
    let good = tempfile::tempdir().expect("tempdir");
    write_case(
        good.path(),
        "good",
        &json!({"description": "d", "request": {"body": {"duration": 30}}, "expect": {"verdict": "valid"}}),
    );
    let (code, _, _) = run(&mut run_cases(good.path()));
    assert_eq!(code, 0, "all met");
    let (code, _, _) = run(&mut run_cases(cases.path()));
    assert_eq!(code, 1, "an expectation failed");
    let (code, _, stderr) = run(bin().args(["run", "--report", "xml=out.xml"]));
    assert_eq!(code, 2, "usage: {stderr}");
    assert!(stderr.contains("unknown report format"), "{stderr}");
    let (code, _, stderr) = run(&mut run_cases(good.path().join("missing")));
    assert_eq!(code, 2, "setup: {stderr}");
    let blocker = good.path().join("file");
    std::fs::write(&blocker, "").expect("write");
    let (code, _, stderr) =
        run(run_cases(good.path()).report("json", &blocker.join("report.json")));
    assert_eq!(code, 2, "a report that cannot be written: {stderr}");
    assert!(stderr.contains("cannot write the report"), "{stderr}");

    let json_path = good.path().join("live.json");
    let junit = good.path().join("live.xml");
    let (code, stdout, _) = run(bin()
        .arg("live")
        .report("json", &json_path)
        .report("junit", &junit));
    assert_eq!(code, 3, "live without credentials is a skip: {stdout}");
    assert!(stdout.starts_with("live: skipped, not set:"), "{stdout}");
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("json")).expect("JSON");
    assert_json_report_valid(&report);
    assert_eq!(report["rows"][0]["status"], "skipped");
    let xml = std::fs::read_to_string(&junit).expect("junit");
    assert!(
        xml.contains("<skipped message=\"live: skipped, not set:"),
        "{xml}"
    );
    let (_, help, _) = run(bin().arg("--help"));
    for code in [
        "0  every expectation",
        "1  an expectation",
        "2  usage",
        "3  live only",
    ] {
        assert!(help.contains(code), "{help}");
    }
}

#[test]
fn validate_writes_reports_and_annotates_its_file() {
    let out = tempfile::tempdir().expect("tempdir");
    let case = clustercert_conformance::case::default_cases_dir()
        .join("key-mismatch")
        .join("case.json");
    let json_path = out.path().join("v.json");
    let (code, stdout, _) = run(bin()
        .args(["validate", "--response"])
        .arg(&case)
        .report("json", &json_path)
        .env("GITHUB_ACTIONS", "true"));
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains(&format!("::error file={},title=", case.display())),
        "{stdout}"
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).expect("json")).expect("JSON");
    assert_json_report_valid(&report);
    assert_eq!(report["command"], "validate");
    assert_eq!(report["rows"][0]["unmet"][0]["check"], "cert.key.mismatch");
}

#[test]
fn schema_prints_the_derived_schemas() {
    let (code, stdout, _) = run(bin().args(["schema", "request"]));
    assert_eq!(code, 0);
    let schema: Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    let validator = jsonschema::draft4::new(&schema).expect("compiles");
    assert!(validator.is_valid(&json!({"duration": 30})));
    assert!(!validator.is_valid(&json!({"duration": 0})));
    assert!(!validator.is_valid(&json!({})));

    let (code, stdout, _) = run(bin().args(["schema", "response", "--status", "200"]));
    assert_eq!(code, 0);
    let schema: Value = serde_json::from_str(&stdout).expect("JSON");
    let validator = jsonschema::draft4::new(&schema).expect("compiles");
    let minted = clustercert_conformance::fixtures::Minted::new(
        &clustercert_conformance::fixtures::MintOptions::default(),
    )
    .expect("mint");
    assert!(validator.is_valid(&minted.kubeconfig(true)));
    assert!(!validator.is_valid(&json!({"kind": "Config"})));

    let (code, _, stderr) = run(bin().args(["schema", "response", "--status", "418"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("418 is not documented"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_records_a_history_that_replays_offline_and_shows_drift() {
    use clustercert_conformance::mock::{self, MockConfig};
    let server = mock::start(MockConfig::builtin(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("mock starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let live = |extra: &[&str]| {
        let mut command = bin();
        command
            .args(["live", "--duration", "30", "--record"])
            .arg(dir.path())
            .args(extra)
            .env("CCE_ENDPOINT", server.url())
            .env("HUAWEICLOUD_SDK_AUTH_TOKEN", mock::DEFAULT_TOKEN)
            .env("HUAWEICLOUD_SDK_PROJECT_ID", mock::DEFAULT_PROJECT_ID)
            .env("CCE_CLUSTER_ID", mock::INTERNAL_CLUSTER_ID);
        run(&mut command)
    };
    let (code, stdout, stderr) = live(&[]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        !stdout.contains("drift."),
        "nothing to compare with yet: {stdout}"
    );
    let recorded: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(recorded.len(), 1);
    let name = recorded[0]
        .file_name()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    assert!(name.starts_with("live-cluster-duration-30-2"), "{name}");

    // What the API answered then, as if it had differed: a field it no longer sends, none of
    // the one it sends now. Rename the recording so it sorts before the next one.
    let file = recorded[0].join("case.json");
    let mut case: Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("case")).expect("JSON");
    let body = &mut case["response"]["body"];
    body.as_object_mut().expect("object").remove("preferences");
    body["x-retired"] = json!("gone now");
    case["expect"]["notes"]
        .as_array_mut()
        .expect("the redaction notes")
        .push(json!({"check": "response.unknown-field", "path": "/response/body/x-retired"}));
    std::fs::write(&file, case.to_string()).expect("write");
    let older = dir.path().join("live-cluster-duration-30-20000101T000000Z");
    std::fs::rename(&recorded[0], &older).expect("rename");

    let (code, stdout, stderr) = live(&["--verbose"]);
    assert_eq!(
        code, 0,
        "drift in fields is noted, not failed: {stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("drift.new-field /response/body/preferences"),
        "{stdout}"
    );
    assert!(
        stdout.contains("drift.missing-field /response/body/x-retired"),
        "{stdout}"
    );

    // Replayed offline, the history passes: each recording meets its own expectation.
    let (code, stdout, _) = run(&mut run_cases(dir.path()));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.ends_with("2 passed, 0 failed\n"), "{stdout}");

    // A status that changed is a failing row.
    let mut case: Value =
        serde_json::from_str(&std::fs::read_to_string(older.join("case.json")).expect("case"))
            .expect("JSON");
    case["response"]["status"] = json!(403);
    std::fs::write(older.join("case.json"), case.to_string()).expect("write");
    let newest = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p != &older)
        .max()
        .expect("the second recording");
    std::fs::remove_dir_all(newest).expect("remove");
    let (code, stdout, _) = live(&[]);
    server.shutdown().await;
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("drift.status"), "{stdout}");
}

#[test]
fn hostile_case_names_stay_inside_their_xml_attribute_and_annotation_line() {
    let cases = tempfile::tempdir().expect("tempdir");
    let name = "a<b&\"c'd\u{1}e\nf%g:h,i";
    write_case(
        cases.path(),
        name,
        &json!({"description": "d", "request": {"body": {"duration": 0}}, "expect": {"verdict": "valid"}}),
    );
    let out = tempfile::tempdir().expect("tempdir");
    let junit = out.path().join("junit.xml");
    let (code, stdout, _) = run(run_cases(cases.path())
        .report("junit", &junit)
        .env("GITHUB_ACTIONS", "true"));
    assert_eq!(code, 1);
    let errors: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 2, "{stdout}");
    assert!(
        errors[0].contains("a<b&\"c'd\u{1}e%0Af%25g%3Ah%2Ci"),
        "{stdout}"
    );
    let xml = std::fs::read_to_string(&junit).expect("junit");
    assert!(
        xml.contains("name=\"a&lt;b&amp;&quot;c&apos;d\u{FFFD}e&#10;f%g:h,i\""),
        "{xml}"
    );
    if let Some(xmllint) = xmllint() {
        let (code, stderr) = validate_junit(&xmllint, &junit);
        assert_eq!(code, 0, "xmllint: {stderr}");
    }
}
