//! The kubeconfig file: atomic update, permissions, malformed files, and what kubectl makes
//! of the result.

use std::path::{Path, PathBuf};

use clustercert::Kubeconfig;
use clustercert_kubeconfig::{
    check_file, update_file, write_atomically_with, ClusterEntry, KubeconfigError, MergeOptions,
    Options,
};
use clustercert_test_support::{kubectl, names, parse_file, Kubectl};
use serde_yaml::Value;

/// Base64 of a real PEM CA, client certificate and key, as CCE sends them: kubectl parses
/// them before it connects.
fn pems() -> (String, String, String) {
    use base64::Engine as _;
    let b64 = |pem: String| base64::engine::general_purpose::STANDARD.encode(pem);
    let ca = rcgen::generate_simple_self_signed(vec!["ca.test".to_owned()]).expect("CA");
    let client = rcgen::generate_simple_self_signed(vec!["user".to_owned()]).expect("client");
    (
        b64(ca.cert.pem()),
        b64(client.cert.pem()),
        b64(client.signing_key.serialize_pem()),
    )
}

fn response(server: &str, insecure: bool) -> Kubeconfig {
    let (ca, cert, key) = pems();
    let (cluster, context) = if insecure {
        ("externalCluster", "external")
    } else {
        ("internalCluster", "internal")
    };
    serde_json::from_value(serde_json::json!({
        "kind": "Config", "apiVersion": "v1", "preferences": {},
        "clusters": [{"name": cluster,
                      "cluster": {"server": server, "certificate-authority-data": ca,
                                  "insecure-skip-tls-verify": insecure}}],
        "users": [{"name": "user",
                   "user": {"client-certificate-data": cert, "client-key-data": key}}],
        "contexts": [{"name": context, "context": {"cluster": cluster, "user": "user"}}],
        "current-context": context
    }))
    .expect("fixture is a valid response")
}

fn entry(cluster_id: &str) -> ClusterEntry {
    ClusterEntry::from_response(
        &response("https://192.168.1.7:5443", false),
        cluster_id,
        &Options::default(),
    )
    .expect("fixture has its context")
}

const UNRELATED: &str = "apiVersion: v1
kind: Config
clusters:
- name: other
  cluster: {server: 'https://127.0.0.1:6443', x-unknown: kept}
users:
- name: other
  user: {token: abc}
contexts:
- name: other
  context: {cluster: other, user: other}
current-context: other
";

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

fn leftovers(folder: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(folder)
        .expect("readable folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "tmp"))
        .collect()
}

#[test]
fn creates_the_folder_and_the_file_with_mode_0600() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("nested").join(".kube").join("config");
    let update = update_file(&path, &entry("c1"), &MergeOptions::default()).expect("writes");
    assert!(update.created);
    assert!(!update.replaced);
    assert_eq!(update.path, path);
    assert_eq!(update.name, "cce-c1-internal");
    let doc = parse_file(&path);
    assert_eq!(names(&doc, "contexts"), ["cce-c1-internal"]);
    assert_eq!(doc["current-context"].as_str(), Some("cce-c1-internal"));
    #[cfg(unix)]
    {
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(path.parent().expect("folder")), 0o700);
    }
    assert!(leftovers(path.parent().expect("folder")).is_empty());
}

#[test]
fn keeps_unrelated_entries_and_tightens_the_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    std::fs::write(&path, UNRELATED).expect("writable");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let before: Value = serde_yaml::from_str(UNRELATED).expect("YAML");
    let update = update_file(&path, &entry("c1"), &MergeOptions::default()).expect("writes");
    assert!(!update.created);
    let after = parse_file(&path);
    for list in ["clusters", "users", "contexts"] {
        assert_eq!(after[list][0], before[list][0], "{list}");
        assert_eq!(names(&after, list), ["other", "cce-c1-internal"], "{list}");
    }
    #[cfg(unix)]
    assert_eq!(mode(&path), 0o600);

    let again = update_file(&path, &entry("c1"), &MergeOptions::default()).expect("writes");
    assert!(again.replaced);
    assert_eq!(
        names(&parse_file(&path), "clusters"),
        ["other", "cce-c1-internal"]
    );
}

#[test]
fn a_malformed_file_is_left_untouched() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    for bad in [
        &b"clusters: [oops"[..],
        b"- not\n- a mapping\n",
        b"\xff\xfe binary",
    ] {
        std::fs::write(&path, bad).expect("writable");
        let err = update_file(&path, &entry("c1"), &MergeOptions::default())
            .expect_err("malformed file is refused");
        assert!(matches!(err, KubeconfigError::Malformed { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert_eq!(std::fs::read(&path).expect("still there"), bad);
        assert!(leftovers(dir.path()).is_empty());
        let checked = check_file(&path).expect_err("check_file agrees");
        assert_eq!(checked.to_string(), message);
    }
    check_file(&dir.path().join("absent")).expect("a missing file is fine");
}

#[test]
fn a_write_that_fails_halfway_leaves_the_old_file_intact() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    std::fs::write(&path, UNRELATED).expect("writable");
    let err = write_atomically_with(&path, |file| {
        use std::io::Write;
        file.write_all(b"apiVersion: v1\nclusters:\n- name: half")?;
        Err(std::io::Error::other("disk full (injected)"))
    })
    .expect_err("the injected failure surfaces");
    assert!(
        matches!(
            err,
            KubeconfigError::Io {
                action: "write",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("disk full (injected)"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&path).expect("still there"),
        UNRELATED
    );
    assert!(
        leftovers(dir.path()).is_empty(),
        "the temporary file is removed"
    );
}

#[test]
fn a_folder_in_the_way_is_refused_and_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    // The target is a non-empty folder: it is not replaced.
    let path = dir.path().join("config");
    std::fs::create_dir(&path).expect("mkdir");
    std::fs::write(path.join("inside"), "x").expect("writable");
    let err = write_atomically_with(&path, |file| {
        use std::io::Write;
        file.write_all(b"apiVersion: v1\n")
    })
    .expect_err("cannot replace a folder");
    assert!(
        matches!(
            err,
            KubeconfigError::NotAFile {
                kind: "a folder",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(path.join("inside").exists());
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn a_folder_that_cannot_be_created_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, "x").expect("writable");
    let path = blocker.join("config");
    let err = update_file(&path, &entry("c1"), &MergeOptions::default())
        .expect_err("a file is in the way");
    let message = err.to_string();
    assert!(message.starts_with("cannot "), "{message}");
    assert!(message.contains("not-a-folder"), "{message}");
    assert_eq!(std::fs::read_to_string(&blocker).expect("untouched"), "x");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_is_followed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let target = dir.path().join("real-config");
    std::fs::write(&target, UNRELATED).expect("writable");
    let link = dir.path().join("config");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let update = update_file(&link, &entry("c1"), &MergeOptions::default()).expect("writes");
    assert_eq!(
        update.path,
        std::fs::canonicalize(&target).expect("canonical")
    );
    assert!(std::fs::symlink_metadata(&link)
        .expect("link")
        .file_type()
        .is_symlink());
    assert_eq!(
        names(&parse_file(&target), "clusters"),
        ["other", "cce-c1-internal"]
    );
}

fn run(kubectl: &Kubectl, config: &Path, args: &[&str]) -> (bool, String, String) {
    let run = kubectl.run(config, args);
    (run.ok, run.stdout, run.stderr)
}

#[test]
fn kubectl_reads_switches_and_keeps_the_merged_file() {
    let Some(kubectl) = kubectl() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    std::fs::write(&path, UNRELATED).expect("writable");
    let first = entry("alpha");
    let second = ClusterEntry::from_response(
        &response("https://203.0.113.10:5443", true),
        "beta",
        &Options::default(),
    )
    .expect("valid");
    update_file(&path, &first, &MergeOptions::default()).expect("writes");
    update_file(&path, &second, &MergeOptions::default()).expect("writes");

    let (ok, out, err) = run(&kubectl, &path, &["config", "view", "--raw", "-o", "json"]);
    assert!(ok, "config view: {err}");
    let view: serde_json::Value = serde_json::from_str(&out).expect("kubectl prints JSON");
    let context_names: Vec<&str> = view["contexts"]
        .as_array()
        .expect("contexts")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        context_names.len(),
        3,
        "kubectl sees every context: {context_names:?}"
    );
    for name in ["other", "cce-alpha-internal", "cce-beta-external"] {
        assert!(context_names.contains(&name), "{name} in {context_names:?}");
    }
    assert_eq!(view["current-context"].as_str(), Some("cce-beta-external"));

    let (ok, out, err) = run(&kubectl, &path, &["config", "get-contexts", "-o", "name"]);
    assert!(ok, "get-contexts: {err}");
    let mut listed: Vec<&str> = out.lines().collect();
    listed.sort_unstable();
    assert_eq!(listed, ["cce-alpha-internal", "cce-beta-external", "other"]);

    let (ok, _, err) = run(
        &kubectl,
        &path,
        &["config", "use-context", "cce-alpha-internal"],
    );
    assert!(ok, "use-context: {err}");
    let (ok, out, err) = run(&kubectl, &path, &["config", "current-context"]);
    assert!(ok, "current-context: {err}");
    assert_eq!(out.trim(), "cce-alpha-internal");

    // kubectl rewrote the file; our entries and the unrelated one survive, and we can
    // still merge into what kubectl wrote.
    update_file(&path, &first, &MergeOptions::default()).expect("merges into kubectl's file");
    let doc = parse_file(&path);
    let mut clusters = names(&doc, "clusters");
    clusters.sort_unstable();
    assert_eq!(
        clusters,
        ["cce-alpha-internal", "cce-beta-external", "other"]
    );
}

#[test]
fn kubectl_accepts_the_insecure_cluster_only_without_ca_data() {
    let Some(kubectl) = kubectl() else { return };
    // A closed local port: kubectl builds its TLS configuration, then fails to connect.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let server = format!("https://127.0.0.1:{port}");
    let raw = response(&server, true);
    let dir = tempfile::tempdir().expect("temp dir");

    // As the response comes: CA data and insecure-skip-tls-verify together.
    let as_is = dir.path().join("as-is");
    std::fs::write(&as_is, serde_yaml::to_string(&raw).expect("YAML")).expect("writable");
    let (ok, _, err) = run(
        &kubectl,
        &as_is,
        &["get", "--raw", "/version", "--request-timeout=5s"],
    );
    assert!(!ok);
    assert!(
        err.contains("insecure flag is not allowed"),
        "kubectl refuses the raw response: {err}"
    );

    // Ours: CA data dropped, so kubectl gets as far as connecting.
    let fixed = dir.path().join("fixed");
    let entry = ClusterEntry::from_response(&raw, "c", &Options::default()).expect("valid");
    update_file(&fixed, &entry, &MergeOptions::default()).expect("writes");
    let (ok, _, err) = run(
        &kubectl,
        &fixed,
        &["get", "--raw", "/version", "--request-timeout=5s"],
    );
    assert!(!ok, "nothing listens there");
    assert!(!err.contains("insecure flag is not allowed"), "{err}");
    assert!(
        err.contains(&format!("127.0.0.1:{port}")) && err.contains("refused"),
        "it tried to connect: {err}"
    );
}
