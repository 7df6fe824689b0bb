//! The `clustercert-conformance` binary: the default run, `validate` on arbitrary files,
//! `live` without credentials, and `--record`.

#![forbid(unsafe_code)]

mod bin_support;

use bin_support::{bin, run, run_cases};
use std::path::Path;

use clustercert_conformance::fixtures::{MintOptions, Minted};

fn write_body(dir: &Path, days: i64) -> std::path::PathBuf {
    let minted = Minted::new(&MintOptions {
        days,
        ..MintOptions::default()
    })
    .expect("mint");
    let file = dir.join("body.json");
    std::fs::write(&file, minted.kubeconfig(false).to_string()).expect("write");
    file
}

#[test]
fn default_run_covers_every_case_and_the_mock_and_exits_zero() {
    let (code, stdout, stderr) = run(&mut bin());
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    let cases = clustercert_conformance::case::load_dir(
        &clustercert_conformance::case::default_cases_dir(),
    )
    .expect("cases")
    .len();
    let last = stdout.lines().last().unwrap_or_default();
    assert_eq!(last, format!("{} passed, 0 failed", cases + 8));
    assert!(stdout.contains("mock/external/duration=-1"), "{stdout}");
    assert!(stdout.contains("documented-example"), "{stdout}");
}

#[test]
fn cargo_run_without_bin_runs_the_suite() {
    // `cargo run -p clustercert-conformance`, as the cases README says, needs `default-run`:
    // the package has two binaries.
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml"))
        .expect("manifest");
    assert!(
        manifest
            .lines()
            .any(|l| l.trim() == r#"default-run = "clustercert-conformance""#),
        "{manifest}"
    );
}

#[test]
fn a_failing_case_makes_the_run_fail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = dir.path().join("flipped");
    std::fs::create_dir(&case).expect("mkdir");
    std::fs::write(
        case.join("case.json"),
        r#"{"description": "d", "request": {"body": {"duration": 0}}, "expect": {"verdict": "valid"}}"#,
    )
    .expect("write");
    let (code, stdout, _) = run(&mut run_cases(dir.path()));
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.ends_with("0 passed, 1 failed\n"), "{stdout}");
    assert!(
        stdout.contains("verdict: expected valid, got invalid"),
        "{stdout}"
    );
}

#[test]
fn validate_accepts_a_bare_body_and_judges_the_duration() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = write_body(dir.path(), 30);
    let (code, stdout, _) = run(bin()
        .args(["validate", "--duration", "30", "--response"])
        .arg(&file));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("verdict: valid"), "{stdout}");

    let (code, stdout, _) = run(bin()
        .args(["validate", "--duration", "-1", "--response"])
        .arg(&file));
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("cert.validity"), "{stdout}");
    assert!(stdout.contains("expected 1825 days"), "{stdout}");
}

#[test]
fn validate_prints_every_violation_of_a_case_file() {
    let case = clustercert_conformance::case::default_cases_dir()
        .join("documented-example")
        .join("case.json");
    let (code, stdout, _) = run(bin().args(["validate", "--response"]).arg(&case));
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(stdout.matches("cert.masked").count(), 3, "{stdout}");
    assert!(stdout.contains("verdict: invalid"), "{stdout}");
    assert!(stdout.contains("the case's expectation is met"), "{stdout}");
}

#[test]
fn validate_reports_unreadable_input_with_exit_two() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("page.html");
    std::fs::write(&file, "<html>").expect("write");
    let (code, _, stderr) = run(bin().args(["validate", "--response"]).arg(&file));
    assert_eq!(code, 2);
    assert!(stderr.contains("is not JSON"), "{stderr}");
    let (code, _, stderr) = run(bin()
        .args(["validate", "--response"])
        .arg(dir.path().join("missing.json")));
    assert_eq!(code, 2);
    assert!(stderr.contains("cannot read"), "{stderr}");
}

#[test]
fn an_invalid_case_file_names_its_cause_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("case.json");
    std::fs::write(&file, r#"{"description": "d", "response": "nope"}"#).expect("write");
    let (code, _, stderr) = run(bin().args(["validate", "--response"]).arg(&file));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("is not a valid case"), "{stderr}");
    assert_eq!(stderr.matches("invalid type").count(), 1, "{stderr}");
}

#[test]
fn live_skips_with_a_clear_message_without_credentials() {
    let (code, stdout, _) = run(bin().arg("live"));
    assert_eq!(code, 3, "a skip has an exit code of its own");
    assert!(
        stdout.starts_with("live: skipped, not set: HUAWEICLOUD_SDK_PROJECT_ID"),
        "{stdout}"
    );
    assert!(stdout.contains("CCE_CLUSTER_ID"), "{stdout}");
}

#[test]
fn live_without_credentials_anywhere_is_a_skip_naming_every_place_looked_in() {
    let home = tempfile::tempdir().expect("tempdir");
    let (code, stdout, stderr) = run(bin()
        .arg("live")
        .env("HOME", home.path())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", "p")
        .env("CCE_CLUSTER_ID", "c")
        .env("CCE_ENDPOINT", "http://127.0.0.1:1")
        // Never the real 169.254.169.254: a closed local port.
        .env("CCE_METADATA_ENDPOINT", "http://127.0.0.1:1"));
    assert_eq!(code, 3, "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("live: skipped, no credentials found"),
        "{stdout}"
    );
    for place in ["environment", ".huaweicloud/credentials", "127.0.0.1:1"] {
        assert!(stdout.contains(place), "{place} in {stdout}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_takes_ak_sk_from_the_profile_file() {
    use clustercert_conformance::mock::{self, MockConfig};
    let server = mock::start(MockConfig::builtin(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("mock starts");
    let home = tempfile::tempdir().expect("tempdir");
    let profile = home.path().join("credentials");
    std::fs::write(
        &profile,
        format!(
            "[basic]\nak = {}\nsk = {}\nproject_id = {}\n",
            mock::DEFAULT_AK,
            mock::DEFAULT_SK,
            mock::DEFAULT_PROJECT_ID
        ),
    )
    .expect("profile");
    let (code, stdout, stderr) = run(bin()
        .args(["live", "--duration", "30"])
        .env("HOME", home.path())
        .env("HUAWEICLOUD_SDK_CREDENTIALS_FILE", &profile)
        .env("CCE_METADATA_ENDPOINT", "off")
        .env("CCE_ENDPOINT", server.url())
        .env("HUAWEICLOUD_SDK_PROJECT_ID", mock::DEFAULT_PROJECT_ID)
        .env("CCE_CLUSTER_ID", mock::INTERNAL_CLUSTER_ID));
    server.shutdown().await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.ends_with("1 passed, 0 failed\n"), "{stdout}");
    assert!(!stdout.contains(mock::DEFAULT_SK) && !stderr.contains(mock::DEFAULT_SK));
}

#[test]
fn recorded_mock_cases_are_redacted_and_replay_as_passes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stdout, stderr) = run(bin()
        .args(["run", "--cases"])
        .arg(dir.path())
        .arg("--record")
        .arg(dir.path()));
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert_eq!(stderr.matches("recorded ").count(), 8, "{stderr}");
    for entry in std::fs::read_dir(dir.path()).expect("read") {
        let file = entry.expect("entry").path().join("case.json");
        let text = std::fs::read_to_string(&file).expect("case");
        assert!(
            !text.contains("LS0tLS"),
            "certificate or key data in {}",
            file.display()
        );
        assert!(
            !text.contains(clustercert_conformance::mock::DEFAULT_TOKEN),
            "token in {}",
            file.display()
        );
        assert!(
            text.contains(r#""client-key-data": "[REDACTED]""#),
            "{text}"
        );
    }
    let (code, stdout, _) = run(&mut run_cases(dir.path()));
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.ends_with("8 passed, 0 failed\n"), "{stdout}");
}

#[test]
fn mint_prints_a_kubeconfig_that_validates() {
    let (code, stdout, _) = run(bin().args(["mint", "--days", "7", "--external"]));
    assert_eq!(code, 0);
    let body: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    assert_eq!(body["current-context"], "external");
    let (code, _, stderr) = run(bin().args(["mint", "--not-before", "yesterday"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("YYYY-MM-DD"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_signs_with_ak_sk_from_the_environment_and_records() {
    use clustercert_conformance::mock::{self, MockConfig};
    let server = mock::start(MockConfig::builtin(), "127.0.0.1:0".parse().expect("addr"))
        .await
        .expect("mock starts");
    let dir = tempfile::tempdir().expect("tempdir");
    let (code, stdout, stderr) = run(bin()
        .args(["live", "--duration", "-1", "--record"])
        .arg(dir.path())
        .env("CCE_ENDPOINT", server.url())
        .env("HUAWEICLOUD_SDK_AK", mock::DEFAULT_AK)
        .env("HUAWEICLOUD_SDK_SK", mock::DEFAULT_SK)
        .env("HUAWEICLOUD_SDK_PROJECT_ID", mock::DEFAULT_PROJECT_ID)
        .env("CCE_CLUSTER_ID", mock::EXTERNAL_CLUSTER_ID));
    server.shutdown().await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.ends_with("1 passed, 0 failed\n"), "{stdout}");
    assert!(stdout.contains("kubeconfig.ca-with-insecure"), "{stdout}");
    let folder = std::fs::read_dir(dir.path())
        .expect("the record folder")
        .map(|e| e.expect("entry").path())
        .find(|p| {
            p.file_name().is_some_and(|n| {
                n.to_string_lossy()
                    .starts_with("live-cluster-duration-minus1-")
            })
        })
        .expect("a recording named with its time");
    let file = folder.join("case.json");
    let text = std::fs::read_to_string(&file).expect("recorded case");
    assert!(
        !text.contains("LS0tLS"),
        "no certificate or key data on disk"
    );
    assert!(!text.contains(mock::DEFAULT_SK));
    let case = clustercert_conformance::case::Case::load(&file).expect("a valid case");
    assert_eq!(case.known_duration_days(), Some(1825));
}

#[test]
fn validate_lists_the_first_findings_per_check_and_counts_the_rest() {
    let clusters: Vec<serde_json::Value> = (0..1000)
        .map(|i| serde_json::json!({"name": format!("c{i}"), "cluster": {"server": "http://h"}}))
        .collect();
    let body = serde_json::json!({"kind": "Config", "apiVersion": "v1", "clusters": clusters,
        "users": [], "contexts": [], "current-context": "internal"});
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("big.json");
    std::fs::write(&file, body.to_string()).expect("write");
    let (code, stdout, _) = run(bin()
        .args(["validate", "--max-findings", "7", "--response"])
        .arg(&file));
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(stdout.matches("kubeconfig.names ").count(), 8, "{stdout}");
    // 1000 wrong names and "no internalCluster"; 1000 http servers.
    assert!(
        stdout.contains(
            "kubeconfig.names                 994 more findings not listed (the first 7 are)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("kubeconfig.server-url            993 more findings not listed"),
        "{stdout}"
    );
    assert!(stdout.lines().count() < 30, "{stdout}");
    assert!(stdout.ends_with("1987 more not listed)\n"), "{stdout}");
}
