//! `cce-kubeconfig` against a small local server that counts requests and answers with the
//! certificate and key a test chooses: everything local fails before a request, a pair kubectl
//! could not use is refused with the file untouched, and the file stays the user's.

mod common;

use std::path::Path;

use serde_json::json;

use clustercert_test_support::{assert_one_line_error, run_isolated, stub, Exit, Stub};
use common::{b64, fetch_args, BIN};

const TOKEN_ENV: (&str, &str) = ("HUAWEICLOUD_SDK_AUTH_TOKEN", "token");
const EXISTING: &str = "apiVersion: v1
kind: Config
clusters:
- name: kind-dev
  cluster: {server: 'https://127.0.0.1:6443'}
users:
- name: kind-dev
  user: {token: dev-token}
contexts:
- name: kind-dev
  context: {cluster: kind-dev, user: kind-dev, namespace: 'on'}
current-context: kind-dev
";

/// A certificate and its key, as PEM.
fn pair() -> (String, String) {
    let key = rcgen::KeyPair::generate().expect("key");
    let cert = rcgen::CertificateParams::new(vec!["user".to_owned()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    (cert.pem(), key.serialize_pem())
}

/// A 200 body with this client certificate and key data (base64 fields as CCE sends them).
fn body(cert_data: &str, key_data: &str) -> String {
    json!({
        "kind": "Config", "apiVersion": "v1", "preferences": {},
        "clusters": [{"name": "internalCluster",
                      "cluster": {"server": "https://192.168.1.7:5443", "certificate-authority-data": b64(&pair().0)}}],
        "users": [{"name": "user", "user": {"client-certificate-data": cert_data, "client-key-data": key_data}}],
        "contexts": [{"name": "internal", "context": {"cluster": "internalCluster", "user": "user"}}],
        "current-context": "internal"
    })
    .to_string()
}

/// A stub answering with a usable certificate and key.
async fn good_stub() -> Stub {
    let (cert, key) = pair();
    stub(200, body(&b64(&cert), &b64(&key))).await
}

fn args<'a>(url: &'a str, path: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = fetch_args(url, "p", "c1", path);
    args.extend_from_slice(extra);
    args
}

/// Runs the binary with a token, against `url`, on the kubeconfig `path`, with `extra`.
async fn run(home: &Path, url: &str, path: &Path, extra: &[&str]) -> Exit {
    run_isolated(BIN, home, &[TOKEN_ENV], &args(url, path, extra)).await
}

fn current_context(path: &Path) -> Option<String> {
    let doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).expect("readable")).expect("YAML");
    doc["current-context"].as_str().map(str::to_owned)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pair_kubectl_could_not_use_is_refused_and_the_file_is_byte_identical() {
    let (cert, key) = pair();
    let (_, other_key) = pair();
    let cases = [
        (
            "cut END line",
            b64(&cert.replace("-----END CERTIFICATE-----", "-----END CERTIFICATE--")),
            b64(&key),
            "pem.end-line",
        ),
        (
            "END label differs",
            b64(&cert.replace("-----END CERTIFICATE-----", "-----END CERTIFICATES-----")),
            b64(&key),
            "pem.label-mismatch",
        ),
        (
            "PEM body not base64",
            b64(&cert.replacen("\nMII", "\nM*I", 1)),
            b64(&key),
            "pem.base64",
        ),
        (
            "key of another certificate",
            b64(&cert),
            b64(&other_key),
            "key.mismatch",
        ),
        (
            "masked",
            "LS0tLS1CRUdJTiBDR******QVRFLS0tLS0K".to_owned(),
            b64(&key),
            "masked",
        ),
        ("empty key", b64(&cert), String::new(), "empty"),
        (
            "data not base64",
            "%%%".to_owned(),
            b64(&key),
            "data.base64",
        ),
    ];
    let home = tempfile::tempdir().expect("temp dir");
    let path = home.path().join("config");
    std::fs::write(&path, EXISTING).expect("writable");
    for (name, cert_data, key_data, id) in cases {
        let server = stub(200, body(&cert_data, &key_data)).await;
        let output = run(home.path(), &server.url, &path, &[]).await;
        assert_one_line_error(
            &output,
            "cce-kubeconfig",
            &format!("cannot be used by kubectl ({id})"),
        );
        assert!(
            output.stderr.contains("was not changed"),
            "{name}: {}",
            output.stderr
        );
        assert_eq!(server.count(), 1, "{name}");
        assert_eq!(
            std::fs::read_to_string(&path).expect("readable"),
            EXISTING,
            "{name}: byte-identical"
        );
        assert_eq!(
            current_context(&path).as_deref(),
            Some("kind-dev"),
            "{name}"
        );
    }
    // The good pair goes in, and the unrelated `namespace: 'on'` stays a string for kubectl.
    let server = stub(200, body(&b64(&cert), &b64(&key))).await;
    let output = run(home.path(), &server.url, &path, &[]).await;
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(current_context(&path).as_deref(), Some("cce-c1-internal"));
    if let Some(kubectl) = clustercert_test_support::kubectl() {
        let view: serde_json::Value =
            serde_json::from_str(&kubectl.view_json(&path)).expect("JSON");
        let kind_dev = view["contexts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "kind-dev")
            .cloned();
        assert_eq!(kind_dev.expect("kept")["context"]["namespace"], "on");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn everything_local_fails_before_any_request() {
    let server = good_stub().await;
    let home = tempfile::tempdir().expect("temp dir");

    // A folder that cannot be created, even by root: the path runs under a regular file.
    let regular = home.path().join("regular-file");
    std::fs::write(&regular, "x").expect("writable");
    let under_file = regular.join("kube").join("config");
    let output = run(home.path(), &server.url, &under_file, &[]).await;
    assert_one_line_error(&output, "cce-kubeconfig", "cannot create the folder");

    // The lock is held (kubectl's lock file: empty, created exclusively).
    let path = home.path().join("config");
    std::fs::write(&path, EXISTING).expect("writable");
    let lock = home.path().join("config.lock");
    std::fs::write(&lock, "").expect("writable");
    let output = run(home.path(), &server.url, &path, &["--lock-timeout", "1"]).await;
    assert_one_line_error(
        &output,
        "cce-kubeconfig",
        &format!("{} was held by", lock.display()),
    );
    assert!(lock.exists(), "kubectl's lock is not removed");
    std::fs::remove_file(&lock).expect("removable");

    // Malformed, too deep, too large, not a regular file.
    let deep = "[".repeat(100_000);
    let too_large = home.path().join("large");
    std::fs::File::create(&too_large)
        .and_then(|f| f.set_len(33 << 20))
        .expect("a sparse file");
    for (name, contents, says) in [
        (
            "malformed",
            "clusters: [unclosed",
            "is not a valid kubeconfig",
        ),
        ("deep", deep.as_str(), "nests more than 64 levels deep"),
    ] {
        let file = home.path().join(name);
        std::fs::write(&file, contents).expect("writable");
        let output = run(home.path(), &server.url, &file, &[]).await;
        assert_one_line_error(&output, "cce-kubeconfig", says);
        assert_eq!(std::fs::read_to_string(&file).expect("readable"), contents);
    }
    let output = run(home.path(), &server.url, &too_large, &[]).await;
    assert_one_line_error(&output, "cce-kubeconfig", "larger than 32 MiB");
    #[cfg(unix)]
    for device in ["/dev/zero", "/dev/full"] {
        let link = home.path().join(format!("link-to-{}", &device[5..]));
        std::os::unix::fs::symlink(device, &link).expect("a link");
        let started = std::time::Instant::now();
        let output = run(home.path(), &server.url, &link, &[]).await;
        assert_one_line_error(
            &output,
            "cce-kubeconfig",
            "is not a regular file (a character device)",
        );
        assert!(started.elapsed().as_secs() < 5);
    }

    // A name taken by someone else's entry.
    let output = run(home.path(), &server.url, &path, &["--alias", "kind-dev"]).await;
    assert_one_line_error(&output, "cce-kubeconfig", "the name `kind-dev` is taken");
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), EXISTING);

    assert_eq!(server.count(), 0, "no request was sent");

    // And the same file, once free, is written with one request.
    let output = run(home.path(), &server.url, &path, &[]).await;
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(server.count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_request_says_how_many_attempts_were_made() {
    let home = tempfile::tempdir().expect("temp dir");
    let path = home.path().join("config");
    let server = stub(502, "{}".to_owned()).await;
    let output = run(home.path(), &server.url, &path, &[]).await;
    assert_one_line_error(&output, "cce-kubeconfig", "(1 attempt)");
    assert_eq!(server.count(), 1, "an ambiguous 502 is not retried");
    // Nothing listens: connect errors are retried, and the count is said.
    let port = clustercert_test_support::closed_port();
    let url = format!("http://127.0.0.1:{port}");
    let output = run(home.path(), &url, &path, &[]).await;
    assert_one_line_error(&output, "cce-kubeconfig", "attempt");
    assert!(!path.exists());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn the_file_stays_the_users() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let server = good_stub().await;
    let home = tempfile::tempdir().expect("temp dir");

    // A symbolic link stays a link; its target is replaced; a BOM is accepted.
    let target = home.path().join("real-config");
    std::fs::write(&target, format!("\u{feff}{EXISTING}")).expect("writable");
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let link = home.path().join("config");
    std::os::unix::fs::symlink(&target, &link).expect("a link");
    let output = run(home.path(), &server.url, &link, &[]).await;
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert!(std::fs::symlink_metadata(&link)
        .expect("exists")
        .file_type()
        .is_symlink());
    assert_eq!(current_context(&target).as_deref(), Some("cce-c1-internal"));
    // Wider than 0600: narrowed, with a warning.
    assert_eq!(std::fs::metadata(&target).unwrap().mode() & 0o7777, 0o600);
    assert!(output.stderr.contains("had mode 0640"), "{}", output.stderr);

    // A mode that is not wider is kept.
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o400)).expect("chmod");
    let output = run(home.path(), &server.url, &link, &["--alias", "again"]).await;
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(std::fs::metadata(&target).unwrap().mode() & 0o7777, 0o400);
    assert_eq!(output.stderr, "");

    // Owner and group are kept (as root, which CI is: a file of uid/gid 12345).
    let is_root = std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false);
    if !is_root {
        eprintln!("SKIPPED: the ownership part needs root");
        return;
    }
    let owned = home.path().join("owned");
    std::fs::write(&owned, EXISTING).expect("writable");
    std::os::unix::fs::chown(&owned, Some(12345), Some(12346)).expect("chown as root");
    std::fs::set_permissions(&owned, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let output = run(home.path(), &server.url, &owned, &[]).await;
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    let meta = std::fs::metadata(&owned).expect("exists");
    assert_eq!(
        (meta.uid(), meta.gid(), meta.mode() & 0o7777),
        (12345, 12346, 0o600)
    );

    // A new file is 0600.
    let fresh = home.path().join("fresh");
    let output = run(home.path(), &server.url, &fresh, &[]).await;
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert_eq!(std::fs::metadata(&fresh).unwrap().mode() & 0o7777, 0o600);
}

#[tokio::test(flavor = "multi_thread")]
async fn kubeconfig_names_the_first_existing_file_else_the_last() {
    let server = good_stub().await;
    let home = tempfile::tempdir().expect("temp dir");
    let missing = home.path().join("missing.yaml");
    let existing = home.path().join("existing.yaml");
    std::fs::write(&existing, EXISTING).expect("writable");
    let base = [
        "--endpoint",
        server.url.as_str(),
        "--project-id",
        "p",
        "--cluster-id",
        "c1",
    ];
    let list = std::env::join_paths([&missing, &existing]).expect("joinable");
    let env = [TOKEN_ENV, ("KUBECONFIG", list.to_str().expect("UTF-8"))];
    let output = run_isolated(BIN, home.path(), &env, &base).await;
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert!(!missing.exists(), "the missing file is not created");
    assert_eq!(
        current_context(&existing).as_deref(),
        Some("cce-c1-internal")
    );

    let other = home.path().join("other.yaml");
    let list = std::env::join_paths([&missing, &other]).expect("joinable");
    let env = [TOKEN_ENV, ("KUBECONFIG", list.to_str().expect("UTF-8"))];
    let output = run_isolated(BIN, home.path(), &env, &base).await;
    assert_eq!(output.code, Some(0), "{}", output.stderr);
    assert!(
        !missing.exists() && other.exists(),
        "none exists: the last one"
    );
}

#[tokio::test]
async fn help_says_what_happens_to_the_file() {
    let home = tempfile::tempdir().expect("temp dir");
    let output = run_isolated(BIN, home.path(), &[], &["--help"]).await;
    assert_eq!(output.code, Some(0));
    let help = output
        .stdout
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    for says in [
        "hard link",
        "symbolic link stays a link",
        "first file that exists",
        "<file>.lock",
        "owner and group",
    ] {
        assert!(help.contains(says), "--help says {says:?}");
    }
    // Nowhere the old, wrong rule (kubectl writes to the first file that exists).
    for wrong in [
        "first entry of KUBECONFIG",
        "or the first file of KUBECONFIG",
    ] {
        assert!(!help.contains(wrong), "--help still says {wrong:?}");
    }
}
