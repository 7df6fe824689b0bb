//! `cce-kubeconfig` end to end: the binary against the mock CCE server on 127.0.0.1, and
//! kubectl on the files it writes.

mod common;

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use clustercert_conformance::mock::{
    self, ClusterConfig, MockConfig, MockServer, DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK,
    DEFAULT_TOKEN, EXTERNAL_CLUSTER_ID, INTERNAL_CLUSTER_ID,
};
use clustercert_kubeconfig::REDACTION_MARKER as REDACTED;
use serde_yaml::Value;

use clustercert_test_support::{
    assert_one_line_error, closed_port, item, kubectl, names, parse_file, run_isolated, Exit,
    Kubectl,
};
use common::BIN;

const UNRELATED: &str = "apiVersion: v1
kind: Config
preferences: {colors: true}
clusters:
- name: kind-dev
  cluster: {server: 'https://127.0.0.1:6443', certificate-authority-data: REVWLUNB, x-vendor: kept}
users:
- name: kind-dev
  user: {token: dev-token-abc}
contexts:
- name: kind-dev
  context: {cluster: kind-dev, user: kind-dev, namespace: team-a}
current-context: kind-dev
";

async fn start(config: MockConfig) -> MockServer {
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    mock::start(config, addr).await.expect("mock server starts")
}

const TOKEN_ENV: &[(&str, &str)] = &[("HUAWEICLOUD_SDK_AUTH_TOKEN", DEFAULT_TOKEN)];

fn fetch_args<'a>(url: &'a str, cluster: &'a str, path: &'a Path) -> Vec<&'a str> {
    common::fetch_args(url, DEFAULT_PROJECT_ID, cluster, path)
}

/// The external cluster of `region` (no endpoint) into the kubeconfig `path`.
fn region_args<'a>(region: &'a str, path: &'a Path) -> [&'a str; 8] {
    [
        "--region",
        region,
        "--project-id",
        DEFAULT_PROJECT_ID,
        "--cluster-id",
        EXTERNAL_CLUSTER_ID,
        "--kubeconfig",
        path.to_str().expect("UTF-8"),
    ]
}

/// Runs the binary with `env`, fetching `cluster` from `url` into the kubeconfig `path`.
async fn fetch(home: &Path, env: &[(&str, &str)], url: &str, cluster: &str, path: &Path) -> Exit {
    run_isolated(BIN, home, env, &fetch_args(url, cluster, path)).await
}

/// The built-in mock server, its URL, a home folder, and `config` in it for the kubeconfig.
async fn setup() -> (MockServer, String, tempfile::TempDir, PathBuf) {
    setup_with(MockConfig::builtin()).await
}

/// [`setup`] with the mock configured by `config`.
async fn setup_with(config: MockConfig) -> (MockServer, String, tempfile::TempDir, PathBuf) {
    let server = start(config).await;
    let url = server.url();
    let home = tempfile::tempdir().expect("temp dir");
    let path = home.path().join("config");
    (server, url, home, path)
}

/// Asserts a usage error: exit code 2 and one line on stderr.
fn assert_usage_error(run: &Exit, case: &str) {
    assert_eq!(run.code, Some(2), "{case}: usage error: {}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{case}: {}", run.stderr);
}

/// Base64 of a PEM, decoded to its text.
fn pem_of(data: &Value) -> String {
    use base64::Engine as _;
    let b64 = data.as_str().expect("a string");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64");
    String::from_utf8(decoded).expect("PEM text")
}

#[tokio::test(flavor = "multi_thread")]
async fn two_clusters_merge_into_one_file_and_nothing_is_lost() {
    let (server, url, home, _) = setup().await;
    let path = home.path().join("kube").join("config");
    std::fs::create_dir_all(path.parent().expect("folder")).expect("mkdir");
    std::fs::write(&path, UNRELATED).expect("writable");
    #[cfg(unix)]
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .expect("chmod");

    let first = fetch(home.path(), TOKEN_ENV, &url, INTERNAL_CLUSTER_ID, &path).await;
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    assert!(
        first
            .stdout
            .contains("Added context cce-cluster-internal-internal in"),
        "{}",
        first.stdout
    );
    assert_eq!(first.stderr, "", "no warning for an internal cluster");

    let second = fetch(home.path(), TOKEN_ENV, &url, EXTERNAL_CLUSTER_ID, &path).await;
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert!(
        second
            .stderr
            .starts_with("warning: cluster `externalCluster`")
            && second.stderr.contains("CA data was dropped"),
        "{}",
        second.stderr
    );

    let before: Value = serde_yaml::from_str(UNRELATED).expect("YAML");
    let doc = parse_file(&path);
    for list in ["clusters", "users", "contexts"] {
        assert_eq!(
            item(&doc, list, "kind-dev"),
            item(&before, list, "kind-dev"),
            "{list}: the unrelated entry is unchanged"
        );
        assert_eq!(
            names(&doc, list),
            [
                "kind-dev",
                "cce-cluster-internal-internal",
                "cce-cluster-external-external"
            ],
            "{list}"
        );
    }
    assert_eq!(doc["preferences"], before["preferences"]);
    assert_eq!(
        doc["current-context"].as_str(),
        Some("cce-cluster-external-external")
    );

    // Both usable: each context leads to its server, a real CA where TLS is verified, and a
    // client certificate with its key.
    let internal = &item(&doc, "clusters", "cce-cluster-internal-internal")["cluster"];
    assert_eq!(
        internal["server"].as_str(),
        Some("https://192.168.1.7:5443")
    );
    assert!(pem_of(&internal["certificate-authority-data"]).contains("BEGIN CERTIFICATE"));
    let external = &item(&doc, "clusters", "cce-cluster-external-external")["cluster"];
    assert_eq!(
        external["server"].as_str(),
        Some("https://203.0.113.10:5443")
    );
    assert_eq!(external["insecure-skip-tls-verify"].as_bool(), Some(true));
    assert!(external.get("certificate-authority-data").is_none());
    for name in [
        "cce-cluster-internal-internal",
        "cce-cluster-external-external",
    ] {
        let user = &item(&doc, "users", name)["user"];
        assert!(pem_of(&user["client-certificate-data"]).contains("BEGIN CERTIFICATE"));
        assert!(pem_of(&user["client-key-data"]).contains("PRIVATE KEY"));
        let context = &item(&doc, "contexts", name)["context"];
        assert_eq!(context["cluster"].as_str(), Some(name));
        assert_eq!(context["user"].as_str(), Some(name));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Fetching the first cluster again replaces its entries, nothing else.
    let again = fetch(home.path(), TOKEN_ENV, &url, INTERNAL_CLUSTER_ID, &path).await;
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert!(again.stdout.contains("Updated context"), "{}", again.stdout);
    assert_eq!(
        parse_file(&path)["clusters"].as_sequence().map(Vec::len),
        Some(3)
    );
    server.shutdown().await;
}

async fn kubectl_run(kubectl: &Kubectl, config: &Path, args: &[&str]) -> (bool, String, String) {
    let run = tokio::process::Command::from(kubectl.command(config))
        .args(args)
        .output()
        .await
        .expect("kubectl runs");
    (
        run.status.success(),
        String::from_utf8_lossy(&run.stdout).into_owned(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_accepts_the_result_and_both_contexts_reach_their_servers() {
    let Some(kubectl) = kubectl() else { return };
    // Clusters whose API servers are on 127.0.0.1: kubectl loads the CA, the client
    // certificate and key, then fails only to connect.
    let mut config = MockConfig::builtin();
    let port = closed_port();
    config.projects[0].clusters = vec![
        ClusterConfig::new(INTERNAL_CLUSTER_ID, format!("https://127.0.0.1:{port}")),
        ClusterConfig {
            public_ip: Some(IpAddr::from([127, 0, 0, 1])),
            ..ClusterConfig::new(EXTERNAL_CLUSTER_ID, format!("https://127.0.0.1:{port}"))
        },
    ];
    let (server, url, home, path) = setup_with(config).await;
    std::fs::write(&path, UNRELATED).expect("writable");
    for cluster in [INTERNAL_CLUSTER_ID, EXTERNAL_CLUSTER_ID] {
        let run = fetch(home.path(), TOKEN_ENV, &url, cluster, &path).await;
        assert_eq!(run.code, Some(0), "{}", run.stderr);
    }

    let (ok, out, err) = kubectl_run(&kubectl, &path, &["config", "view", "-o", "json"]).await;
    assert!(ok, "config view: {err}");
    let view: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    assert_eq!(view["contexts"].as_array().map(Vec::len), Some(3));

    let (ok, out, err) =
        kubectl_run(&kubectl, &path, &["config", "get-contexts", "-o", "name"]).await;
    assert!(ok, "get-contexts: {err}");
    let mut listed: Vec<&str> = out.lines().collect();
    listed.sort_unstable();
    assert_eq!(
        listed,
        [
            "cce-cluster-external-external",
            "cce-cluster-internal-internal",
            "kind-dev"
        ]
    );

    for context in [
        "cce-cluster-internal-internal",
        "cce-cluster-external-external",
    ] {
        let (ok, _, err) = kubectl_run(&kubectl, &path, &["config", "use-context", context]).await;
        assert!(ok, "use-context {context}: {err}");
        let (ok, out, _) = kubectl_run(&kubectl, &path, &["config", "current-context"]).await;
        assert!(ok);
        assert_eq!(out.trim(), context);
        let (ok, _, err) = kubectl_run(
            &kubectl,
            &path,
            &["get", "--raw", "/version", "--request-timeout=5s"],
        )
        .await;
        assert!(!ok, "nothing listens on the API server port");
        for refusal in ["insecure flag", "PEM", "private key", "unable to load"] {
            assert!(
                !err.contains(refusal),
                "{context}: kubectl refused the config: {err}"
            );
        }
        assert!(
            err.contains("127.0.0.1"),
            "{context}: it tried to connect: {err}"
        );
    }
    // kubectl's rewrite kept the unrelated entry.
    assert!(names(&parse_file(&path), "users").contains(&"kind-dev".to_owned()));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_run_prints_the_merged_file_redacted_and_writes_nothing() {
    let (server, url, home, path) = setup().await;
    std::fs::write(&path, UNRELATED).expect("writable");

    let mut args = fetch_args(&url, EXTERNAL_CLUSTER_ID, &path);
    args.push("--dry-run");
    let run = run_isolated(BIN, home.path(), TOKEN_ENV, &args).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), UNRELATED);
    let doc: Value = serde_yaml::from_str(&run.stdout).expect("stdout is the YAML");
    assert_eq!(
        names(&doc, "contexts"),
        ["kind-dev", "cce-cluster-external-external"]
    );
    let ours = &item(&doc, "users", "cce-cluster-external-external")["user"];
    // The kubeconfig's marker is the runtime's, the one `SecretString`'s Debug prints.
    assert_eq!(REDACTED, "[REDACTED]");
    assert_eq!(ours["client-key-data"].as_str(), Some(REDACTED));
    assert_eq!(
        item(&doc, "users", "kind-dev")["user"]["token"].as_str(),
        Some(REDACTED)
    );
    assert!(!run.stdout.contains("dev-token-abc"));
    assert!(run.stderr.contains("was not changed"), "{}", run.stderr);

    args.push("--show-secrets");
    let shown = run_isolated(BIN, home.path(), TOKEN_ENV, &args).await;
    assert_eq!(shown.code, Some(0), "{}", shown.stderr);
    let doc: Value = serde_yaml::from_str(&shown.stdout).expect("stdout is the YAML");
    let key = &item(&doc, "users", "cce-cluster-external-external")["user"]["client-key-data"];
    assert!(pem_of(key).contains("PRIVATE KEY"));
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), UNRELATED);

    // A dry run against a missing file creates nothing.
    let missing = home.path().join("absent").join("config");
    let mut args = fetch_args(&url, INTERNAL_CLUSTER_ID, &missing);
    args.push("--dry-run");
    let run = run_isolated(BIN, home.path(), TOKEN_ENV, &args).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!missing.parent().expect("folder").exists());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn alias_context_and_no_set_current() {
    let (server, url, home, path) = setup().await;
    std::fs::write(&path, UNRELATED).expect("writable");

    let mut args = fetch_args(&url, EXTERNAL_CLUSTER_ID, &path);
    args.extend([
        "--context",
        "internal",
        "--alias",
        "prod",
        "--duration",
        "-1",
        "--no-set-current",
    ]);
    let run = run_isolated(BIN, home.path(), TOKEN_ENV, &args).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!run.stdout.contains("Current context"), "{}", run.stdout);
    let doc = parse_file(&path);
    assert_eq!(names(&doc, "contexts"), ["kind-dev", "prod"]);
    assert_eq!(doc["current-context"].as_str(), Some("kind-dev"));
    assert_eq!(
        item(&doc, "clusters", "prod")["cluster"]["server"].as_str(),
        Some("https://192.168.1.8:5443"),
        "the internal address of the external cluster"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_default_path_is_chosen_from_kubeconfig_as_kubectl_does_then_home() {
    let (server, url, home, _) = setup().await;
    let base = [
        "--endpoint",
        url.as_str(),
        "--project-id",
        DEFAULT_PROJECT_ID,
        "--cluster-id",
        INTERNAL_CLUSTER_ID,
    ];

    let run = run_isolated(BIN, home.path(), TOKEN_ENV, &base).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let in_home = home.path().join(".kube").join("config");
    assert_eq!(
        names(&parse_file(&in_home), "contexts"),
        ["cce-cluster-internal-internal"]
    );

    let first = home.path().join("first.yaml");
    let second = home.path().join("second.yaml");
    let list = std::env::join_paths([&first, &second]).expect("joinable");
    let list = list.to_str().expect("UTF-8");
    let env = [TOKEN_ENV[0], ("KUBECONFIG", list)];
    let run = run_isolated(BIN, home.path(), &env, &base).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(!first.exists(), "none exists: kubectl writes the last");
    assert!(second.exists());
    // Now one exists: it is the one written, and the first is still not created.
    let run = run_isolated(BIN, home.path(), &env, &base).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("Updated context"), "{}", run.stdout);
    assert!(!first.exists());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_fails_before_any_request() {
    // A listener that must never see a connection.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let home = tempfile::tempdir().expect("temp dir");
    let path = home.path().join("config");

    for (duration, says) in [
        ("0", "invalid value '0' for '--duration <DAYS>'"),
        ("1826", "must be -1, or from 1 to 1825"),
        ("-2", "must be -1, or from 1 to 1825"),
        ("thirty", "not a whole number of days"),
    ] {
        let mut args = fetch_args(&url, INTERNAL_CLUSTER_ID, &path);
        args.extend(["--duration", duration]);
        let run = run_isolated(BIN, home.path(), TOKEN_ENV, &args).await;
        assert_usage_error(&run, duration);
        assert!(run.stderr.contains(says), "{duration}: {}", run.stderr);
    }

    // A malformed kubeconfig is refused, and left as it is.
    std::fs::write(&path, "clusters: [unclosed").expect("writable");
    let run = fetch(home.path(), TOKEN_ENV, &url, INTERNAL_CLUSTER_ID, &path).await;
    assert_one_line_error(
        &run,
        "cce-kubeconfig",
        "is not a valid kubeconfig, so it was left untouched",
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("readable"),
        "clusters: [unclosed"
    );

    // No credentials.
    std::fs::remove_file(&path).expect("removable");
    let run = fetch(home.path(), &[], &url, INTERNAL_CLUSTER_ID, &path).await;
    assert_one_line_error(&run, "cce-kubeconfig", "no credentials");

    // A bad alias is a usage error, refused before a certificate is minted.
    for alias in ["", "  ", " prod", "pr\nod"] {
        let mut args = fetch_args(&url, INTERNAL_CLUSTER_ID, &path);
        args.extend(["--alias", alias]);
        let run = run_isolated(BIN, home.path(), TOKEN_ENV, &args).await;
        assert_usage_error(&run, &format!("{alias:?}"));
        assert!(
            run.stderr.starts_with("cce-kubeconfig: error:") && run.stderr.contains("invalid name"),
            "{alias:?}: {}",
            run.stderr
        );
    }

    // Usage errors: one line, exit 2.
    for args in [
        vec!["--project-id", "p", "--cluster-id", "c"],
        vec![
            "--endpoint",
            url.as_str(),
            "--region",
            "cn-north-4",
            "--project-id",
            "p",
            "--cluster-id",
            "c",
        ],
        vec![
            "--endpoint",
            url.as_str(),
            "--project-id",
            "p",
            "--cluster-id",
            "c",
            "--show-secrets",
        ],
        vec![
            "--endpoint",
            url.as_str(),
            "--project-id",
            "p",
            "--cluster-id",
            "c",
            "--context",
            "public",
        ],
    ] {
        let run = run_isolated(BIN, home.path(), TOKEN_ENV, &args).await;
        assert_usage_error(&run, &format!("{args:?}"));
        assert!(
            run.stderr.starts_with("cce-kubeconfig: error:"),
            "{}",
            run.stderr
        );
    }

    match listener.accept() {
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Ok((_, peer)) => panic!("a request was sent (from {peer})"),
        Err(e) => panic!("accept failed: {e}"),
    }
    assert!(!path.exists(), "nothing was written");
}

#[tokio::test(flavor = "multi_thread")]
async fn api_and_context_errors_are_one_line_and_leave_the_file_alone() {
    let (server, url, home, path) = setup().await;
    std::fs::write(&path, UNRELATED).expect("writable");

    let run = fetch(home.path(), TOKEN_ENV, &url, "no-such-cluster", &path).await;
    assert_one_line_error(&run, "cce-kubeconfig", "404");

    let bad_token = [("HUAWEICLOUD_SDK_AUTH_TOKEN", "not-the-token")];
    let run = fetch(home.path(), &bad_token, &url, INTERNAL_CLUSTER_ID, &path).await;
    assert_one_line_error(&run, "cce-kubeconfig", "401");
    assert!(
        !run.stderr.contains("not-the-token"),
        "the token is not shown"
    );

    let mut args = fetch_args(&url, INTERNAL_CLUSTER_ID, &path);
    args.extend(["--context", "external"]);
    let run = run_isolated(BIN, home.path(), TOKEN_ENV, &args).await;
    assert_one_line_error(
        &run,
        "cce-kubeconfig",
        "context `external` is not in the response; it has: `internal`",
    );

    assert_eq!(std::fs::read_to_string(&path).expect("readable"), UNRELATED);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ak_sk_from_the_environment_signs_the_request() {
    let (server, url, home, path) = setup().await;
    let env = [
        ("HUAWEICLOUD_SDK_AK", DEFAULT_AK),
        ("HUAWEICLOUD_SDK_SK", DEFAULT_SK),
        ("HUAWEICLOUD_SDK_PROJECT_ID", DEFAULT_PROJECT_ID),
    ];
    // The project id comes from the environment too.
    let args = [
        "--endpoint",
        url.as_str(),
        "--cluster-id",
        INTERNAL_CLUSTER_ID,
        "--kubeconfig",
        path.to_str().expect("UTF-8"),
    ];
    let run = run_isolated(BIN, home.path(), &env, &args).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        names(&parse_file(&path), "contexts"),
        ["cce-cluster-internal-internal"]
    );

    let wrong_sk = [env[0], ("HUAWEICLOUD_SDK_SK", "not-the-secret-key"), env[2]];
    let run = run_isolated(BIN, home.path(), &wrong_sk, &args).await;
    assert_one_line_error(&run, "cce-kubeconfig", "401");
    assert!(
        !run.stderr.contains("not-the-secret-key"),
        "the SK is not shown"
    );

    let half = [env[0], env[2]];
    let run = run_isolated(BIN, home.path(), &half, &args).await;
    assert_one_line_error(&run, "cce-kubeconfig", "HUAWEICLOUD_SDK_SK is not set");
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ak_sk_signs_for_the_project_of_the_flag() {
    let (server, url, home, path) = setup().await;
    let keys = [
        ("HUAWEICLOUD_SDK_AK", DEFAULT_AK),
        ("HUAWEICLOUD_SDK_SK", DEFAULT_SK),
    ];

    // AK/SK in the environment, the project only on the command line.
    let run = fetch(home.path(), &keys, &url, INTERNAL_CLUSTER_ID, &path).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        names(&parse_file(&path), "contexts"),
        ["cce-cluster-internal-internal"]
    );

    // The environment names another project: the flag wins, for the path and the signature.
    let other_project = [
        keys[0],
        keys[1],
        ("HUAWEICLOUD_SDK_PROJECT_ID", "another-project"),
    ];
    let run = fetch(
        home.path(),
        &other_project,
        &url,
        EXTERNAL_CLUSTER_ID,
        &path,
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        names(&parse_file(&path), "contexts"),
        [
            "cce-cluster-internal-internal",
            "cce-cluster-external-external"
        ]
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_region_endpoint_can_be_overridden_from_the_environment() {
    let (server, url, home, path) = setup().await;
    let env = [
        TOKEN_ENV[0],
        ("HUAWEICLOUD_SDK_REGION_CCE_MOCK_REGION_1", url.as_str()),
    ];
    let run = run_isolated(BIN, home.path(), &env, &region_args("mock-region-1", &path)).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        parse_file(&path)["current-context"].as_str(),
        Some("cce-cluster-external-external")
    );
    server.shutdown().await;
}

/// The regions file in the home folder, as the official SDK reads it: its endpoints are tried
/// in turn (the first is a closed port). An unknown region fails with one line before
/// anything is minted or written.
#[tokio::test(flavor = "multi_thread")]
async fn a_region_endpoint_comes_from_the_regions_file_and_an_unknown_region_is_refused() {
    let (server, url, home, path) = setup().await;
    let folder = home.path().join(".huaweicloud");
    std::fs::create_dir(&folder).expect("writable");
    let closed = closed_port();
    std::fs::write(
        folder.join("regions.yaml"),
        format!(
            "cce:\n  - id: mock-region-2\n    endpoints:\n      - http://127.0.0.1:{closed}\n      - {url}\n"
        ),
    )
    .expect("writable");
    let run_for = |region: &'static str| {
        let home = home.path().to_path_buf();
        let path = path.clone();
        async move { run_isolated(BIN, &home, &[TOKEN_ENV[0]], &region_args(region, &path)).await }
    };
    let run = run_for("zz-nowhere-1").await;
    assert_one_line_error(&run, "cce-kubeconfig", "\"zz-nowhere-1\"");
    for said in [
        "HUAWEICLOUD_SDK_REGION_CCE_ZZ_NOWHERE_1",
        "regions.yaml",
        "eu-west-101",
    ] {
        assert!(run.stderr.contains(said), "{said}: {}", run.stderr);
    }
    assert!(!path.exists(), "nothing written");

    let run = run_for("mock-region-2").await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        parse_file(&path)["current-context"].as_str(),
        Some("cce-cluster-external-external")
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sixteen_cli_processes_into_one_file_lose_nothing_ten_times() {
    let (server, url, home, _) = setup().await;
    for round in 0..10 {
        let path = home.path().join(format!("config-{round}"));
        let aliases: Vec<String> = (0..16).map(|i| format!("writer-{i}")).collect();
        let runs = aliases.iter().map(|alias| {
            let mut args = fetch_args(&url, INTERNAL_CLUSTER_ID, &path);
            args.extend(["--alias", alias.as_str(), "--lock-timeout", "60"]);
            let home = home.path().to_path_buf();
            async move { run_isolated(BIN, &home, TOKEN_ENV, &args).await }
        });
        for (i, run) in futures_util::future::join_all(runs)
            .await
            .iter()
            .enumerate()
        {
            assert_eq!(
                run.code,
                Some(0),
                "round {round}, writer {i}: {}",
                run.stderr
            );
        }
        let doc = parse_file(&path);
        for list in ["clusters", "users", "contexts"] {
            let mut found = names(&doc, list);
            found.sort();
            let mut wanted = aliases.clone();
            wanted.sort();
            assert_eq!(found, wanted, "round {round}: every {list} entry survives");
        }
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn credentials_come_from_the_profile_file_when_the_environment_has_none() {
    let (server, url, home, path) = setup().await;
    // The official SDK's default place, with a project the flag overrides.
    let profile_dir = home.path().join(".huaweicloud");
    std::fs::create_dir_all(&profile_dir).expect("mkdir");
    std::fs::write(
        profile_dir.join("credentials"),
        format!("[basic]\nak = {DEFAULT_AK}\nsk = {DEFAULT_SK}\nproject_id = not-the-flag\n"),
    )
    .expect("profile");
    let run = fetch(home.path(), &[], &url, INTERNAL_CLUSTER_ID, &path).await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        names(&parse_file(&path), "contexts"),
        ["cce-cluster-internal-internal"]
    );
    assert!(!run.stderr.contains(DEFAULT_SK) && !run.stdout.contains(DEFAULT_SK));

    // A profile file naming a file elsewhere, whose section lacks the SK: the error names it.
    let other = home.path().join("elsewhere");
    std::fs::write(&other, format!("[basic]\nak = {DEFAULT_AK}\n")).expect("profile");
    let run = run_isolated(
        BIN,
        home.path(),
        &[("HUAWEICLOUD_SDK_CREDENTIALS_FILE", other.to_str().unwrap())],
        &fetch_args(&url, EXTERNAL_CLUSTER_ID, &path),
    )
    .await;
    assert_one_line_error(&run, "cce-kubeconfig", "sk");
    assert!(run.stderr.contains("elsewhere"), "{}", run.stderr);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_no_credentials_anywhere_the_error_names_every_place_looked_in() {
    let (server, url, home, path) = setup().await;
    let run = fetch(home.path(), &[], &url, INTERNAL_CLUSTER_ID, &path).await;
    assert_one_line_error(&run, "cce-kubeconfig", "no credentials");
    for place in ["environment", ".huaweicloud/credentials", "127.0.0.1:1"] {
        assert!(run.stderr.contains(place), "{place} in {}", run.stderr);
    }
    assert!(!path.exists(), "nothing written");
    server.shutdown().await;
}

/// A fake ECS metadata server on 127.0.0.1 (a session token, then temporary keys) and a mock
/// CCE that knows those keys only with their security token: the run succeeds only if the
/// metadata's keys and token were used.
#[tokio::test(flavor = "multi_thread")]
async fn credentials_come_from_instance_metadata_last() {
    use axum::routing::{get, put};
    let mut config = MockConfig::builtin();
    config
        .access_keys
        .push(clustercert_conformance::mock::AccessKeyConfig {
            ak: "TEMPORARYAKEXAMPLE01".to_owned(),
            sk: "temporary-sk-example".into(),
            security_token: Some("temporary-security-token".into()),
        });
    let server = start(config).await;
    let url = server.url();
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = seen.clone();
    let app = axum::Router::new()
        .route(
            "/meta-data/latest/api/token",
            put(|| async { "session-token" }),
        )
        .route(
            "/openstack/latest/securitykey",
            get(move |headers: axum::http::HeaderMap| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    assert_eq!(headers["x-metadata-token"], "session-token");
                    axum::Json(serde_json::json!({"credential": {
                        "access": "TEMPORARYAKEXAMPLE01",
                        "secret": "temporary-sk-example",
                        "securitytoken": "temporary-security-token",
                        "expires_at": "2999-01-01T00:00:00.000000Z"
                    }}))
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let metadata = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let home = tempfile::tempdir().expect("temp dir");
    let path = home.path().join("config");
    let output = tokio::process::Command::new(BIN)
        .env_clear()
        .env("HOME", home.path())
        .env("CCE_METADATA_ENDPOINT", &metadata)
        .args(fetch_args(&url, INTERNAL_CLUSTER_ID, &path))
        .output()
        .await
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(
        names(&parse_file(&path), "contexts"),
        ["cce-cluster-internal-internal"]
    );
    assert!(!stderr.contains("temporary-security-token"));
    server.shutdown().await;
}
