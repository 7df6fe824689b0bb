//! The mock's configuration (YAML and built-in) and the `mock-cce` binary.

#![forbid(unsafe_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Command, Stdio};

use clustercert_conformance::mock::{
    ErrorShape, MockConfig, DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK, DEFAULT_TOKEN,
    EXTERNAL_CLUSTER_ID, INTERNAL_CLUSTER_ID,
};

fn example_path() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/mock.example.yaml"))
}

#[test]
fn builtin_has_one_project_two_clusters_and_both_credentials() {
    let config = MockConfig::builtin();
    config.validate().unwrap();
    assert_eq!(config.projects.len(), 1);
    let project = config.project(DEFAULT_PROJECT_ID).unwrap();
    let internal = &project.clusters[0];
    let external = &project.clusters[1];
    assert_eq!(internal.id, INTERNAL_CLUSTER_ID);
    assert_eq!(internal.public_ip, None);
    assert_eq!(internal.external_server(), None);
    assert_eq!(external.id, EXTERNAL_CLUSTER_ID);
    assert_eq!(
        external.external_server().as_deref(),
        Some("https://203.0.113.10:5443")
    );
    assert!(config.accepts_token(DEFAULT_TOKEN));
    assert!(!config.accepts_token("mock-token "));
    assert_eq!(
        config.secret_for(DEFAULT_AK).map(|sk| sk.expose_secret()),
        Some(DEFAULT_SK)
    );
    assert!(config.secret_for("OTHER").is_none());
}

#[test]
fn the_example_file_is_the_builtin_plus_a_flaky_cluster() {
    let example = MockConfig::from_file(example_path()).unwrap();
    let mut builtin = MockConfig::builtin();
    let flaky = example.projects[0].clusters[2].clone();
    assert_eq!(flaky.id, "cluster-flaky");
    assert_eq!(flaky.fault.as_deref(), Some("delay=100,503"));
    assert_eq!(flaky.fault_times, Some(2));
    builtin.projects[0].clusters.push(flaky);
    assert_eq!(example, builtin);
}

#[test]
fn debug_never_shows_secrets() {
    let debug = format!("{:?}", MockConfig::builtin());
    assert!(!debug.contains(DEFAULT_SK), "{debug}");
    assert!(!debug.contains(DEFAULT_TOKEN), "{debug}");
    assert!(debug.contains(DEFAULT_AK));
}

#[test]
fn bad_configurations_are_refused_with_the_reason() {
    let minimal = "projects: [{id: p, clusters: [{id: c, internal_server: 'https://10.0.0.1:5443', port_id: x}]}]\ntokens: [t]\n";
    let ok = MockConfig::from_yaml(minimal).unwrap();
    assert_eq!(ok.error_shape, ErrorShape::Auto);
    assert_eq!(ok.access_keys.len(), 0);

    let cases = [
        ("projects: []\ntokens: [t]\n", "no projects"),
        (
            "projects: [{id: p}]\n",
            "no credentials",
        ),
        (
            "projects: [{id: p}, {id: p}]\ntokens: [t]\n",
            "configured twice",
        ),
        (
            "projects: [{id: p, clusters: [{id: c, internal_server: s, port_id: x}, {id: c, internal_server: s, port_id: y}]}]\ntokens: [t]\n",
            "configured twice",
        ),
        (
            "projects: [{id: p, clusters: [{id: c, internal_server: s, port_id: x, fault: teapot}]}]\ntokens: [t]\n",
            "teapot",
        ),
        (
            "projects: [{id: p, clusters: [{id: c, internal_server: s, port_id: x, fault_times: 2}]}]\ntokens: [t]\n",
            "no fault",
        ),
        (
            "projects: [{id: p, clusters: [{id: c, internal_server: s, port_id: x, public_ip: not-an-ip}]}]\ntokens: [t]\n",
            "IP",
        ),
        ("projects: [{id: p}]\ntokens: [t]\nsurprise: 1\n", "surprise"),
        (
            "projects: [{id: p}]\naccess_keys: [{ak: A, sk: ''}]\n",
            "empty AK or SK",
        ),
        ("projects: [{id: p}]\ntokens: [t]\nerror_shape: loud\n", "loud"),
    ];
    for (yaml, expected) in cases {
        let err = MockConfig::from_yaml(yaml).unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.to_lowercase().contains(&expected.to_lowercase()),
            "{yaml}: {text}"
        );
    }
}

#[test]
fn a_missing_file_names_its_path() {
    let err = MockConfig::from_file(Path::new("/nonexistent/mock.yaml")).unwrap_err();
    assert!(format!("{err:#}").contains("/nonexistent/mock.yaml"));
}

#[test]
fn a_config_file_round_trips_through_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mock.yaml");
    std::fs::write(
        &path,
        "projects:\n  - id: proj\n    clusters:\n      - id: c1\n        internal_server: https://10.0.0.5:5443\n        public_ip: 2001:db8::1\n        port_id: p1\naccess_keys:\n  - ak: AK1\n    sk: SK1\nerror_shape: camel_case\n",
    )
    .unwrap();
    let config = MockConfig::from_file(&path).unwrap();
    assert_eq!(config.error_shape, ErrorShape::CamelCase);
    assert_eq!(
        config.projects[0].clusters[0].external_server().as_deref(),
        Some("https://[2001:db8::1]:5443")
    );
    assert_eq!(
        config.secret_for("AK1").map(|s| s.expose_secret()),
        Some("SK1")
    );
}

/// Kills the child when the test ends, whatever happens.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn the_binary_prints_its_url_first_and_serves() {
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_mock-cce"))
            .args(["--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout);
    let mut first = String::new();
    lines.read_line(&mut first).unwrap();
    let url = first
        .trim_end()
        .strip_prefix("mock CCE listening on ")
        .unwrap_or_else(|| panic!("first line: {first:?}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    let mut rest = String::new();
    for _ in 0..4 {
        lines.read_line(&mut rest).unwrap();
    }
    assert!(rest.contains(DEFAULT_TOKEN), "{rest}");
    assert!(rest.contains(DEFAULT_AK), "{rest}");
    assert!(rest.contains(INTERNAL_CLUSTER_ID), "{rest}");

    let response = reqwest::Client::new()
        .post(format!(
            "{url}{}",
            clustercert_conformance::spec::operation_path(DEFAULT_PROJECT_ID, INTERNAL_CLUSTER_ID)
                .unwrap()
        ))
        .header("X-Auth-Token", DEFAULT_TOKEN)
        .header("Content-Type", "application/json")
        .body(r#"{"duration": 30}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[test]
fn the_binary_refuses_a_bad_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, "projects: []\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mock-cce"))
        .arg("--config")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        pipe.read_to_string(&mut stderr).unwrap();
    }
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(stderr.contains("bad.yaml"), "{stderr}");
}

#[test]
fn the_help_and_the_example_say_faults_come_before_authentication() {
    let output = Command::new(env!("CARGO_BIN_EXE_mock-cce"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("X-Mock-Fault"), "{help}");
    assert!(
        help.contains("Faults are applied before authentication"),
        "{help}"
    );
    let example = std::fs::read_to_string(example_path()).unwrap();
    assert!(
        example.contains("Faults are applied before authentication"),
        "{example}"
    );
}
