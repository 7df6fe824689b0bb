//! Merging an entry into an existing kubeconfig, and rendering it with or without secrets.

use clustercert::Kubeconfig;
use clustercert_kubeconfig::{
    check, merge, ClusterEntry, ContextChoice, KubeconfigError, MergeOptions, Merged, Options,
    Secrets, REDACTION_MARKER as REDACTED,
};
use clustercert_test_support::{item, names};
use serde_yaml::Value;

const KEY: &str = "S0VZLURBVEEtdmVyeS1zZWNyZXQ=";

fn response(with_public_ip: bool) -> Kubeconfig {
    let mut clusters = vec![serde_json::json!({"name": "internalCluster",
        "cluster": {"server": "https://192.168.1.7:5443", "certificate-authority-data": "Q0E="}})];
    let mut contexts = vec![serde_json::json!({"name": "internal",
        "context": {"cluster": "internalCluster", "user": "user"}})];
    if with_public_ip {
        clusters.push(serde_json::json!({"name": "externalCluster",
            "cluster": {"server": "https://203.0.113.10:5443", "certificate-authority-data": "Q0E=",
                        "insecure-skip-tls-verify": true}}));
        contexts.push(serde_json::json!({"name": "external",
            "context": {"cluster": "externalCluster", "user": "user"}}));
    }
    serde_json::from_value(serde_json::json!({
        "kind": "Config", "apiVersion": "v1", "preferences": {},
        "clusters": clusters,
        "users": [{"name": "user",
                   "user": {"client-certificate-data": "Q0VSVA==", "client-key-data": KEY}}],
        "contexts": contexts,
        "current-context": if with_public_ip { "external" } else { "internal" }
    }))
    .expect("fixture is a valid response")
}

fn entry(cluster_id: &str, with_public_ip: bool) -> ClusterEntry {
    ClusterEntry::from_response(&response(with_public_ip), cluster_id, &Options::default())
        .expect("fixture has its current context")
}

/// A kubeconfig a user already has: another cluster with an exec plugin, extensions and
/// fields this crate does not model.
const EXISTING: &str = r#"apiVersion: v1
kind: Config
preferences:
  colors: true
clusters:
- name: kind-dev
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: REVWLUNB
    extensions:
    - name: client.authentication.k8s.io/exec
      extension:
        audience: dev
users:
- name: eks-user
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token, --cluster-name, prod]
      env: null
      interactiveMode: IfAvailable
- name: token-user
  user:
    token: hunter2-token
contexts:
- name: kind-dev
  context:
    cluster: kind-dev
    user: eks-user
    namespace: team-a
current-context: kind-dev
x-custom-top-level:
  keep: me
"#;

/// The merged file with its secrets, as YAML.
fn shown(merged: &Merged) -> Value {
    parse(&merged.to_yaml(Secrets::Show).expect("renders"))
}

fn parse(text: &str) -> Value {
    serde_yaml::from_str(text).expect("valid YAML")
}

#[test]
fn unrelated_entries_and_fields_stay_equal() {
    let before = parse(EXISTING);
    let merged = merge(EXISTING, &entry("c1", false), &MergeOptions::default()).expect("merges");
    let after = shown(&merged);

    for (list, name) in [
        ("clusters", "kind-dev"),
        ("users", "eks-user"),
        ("users", "token-user"),
        ("contexts", "kind-dev"),
    ] {
        assert_eq!(
            item(&after, list, name),
            item(&before, list, name),
            "{list}/{name}"
        );
    }
    assert_eq!(after["preferences"], before["preferences"]);
    assert_eq!(after["x-custom-top-level"], before["x-custom-top-level"]);
    assert_eq!(names(&after, "clusters"), ["kind-dev", "cce-c1-internal"]);
    assert_eq!(
        names(&after, "users"),
        ["eks-user", "token-user", "cce-c1-internal"]
    );
    assert_eq!(after["current-context"].as_str(), Some("cce-c1-internal"));
}

#[test]
fn the_new_entry_is_complete_and_consistent() {
    let merged = merge("", &entry("c1", true), &MergeOptions::default()).expect("merges");
    let doc = shown(&merged);
    assert_eq!(doc["apiVersion"].as_str(), Some("v1"));
    assert_eq!(doc["kind"].as_str(), Some("Config"));
    let cluster = &item(&doc, "clusters", "cce-c1-external")["cluster"];
    assert_eq!(
        cluster["server"].as_str(),
        Some("https://203.0.113.10:5443")
    );
    assert_eq!(cluster["insecure-skip-tls-verify"].as_bool(), Some(true));
    assert!(
        cluster.get("certificate-authority-data").is_none(),
        "CA data is dropped for an insecure cluster"
    );
    let user = &item(&doc, "users", "cce-c1-external")["user"];
    assert_eq!(user["client-key-data"].as_str(), Some(KEY));
    assert_eq!(user["client-certificate-data"].as_str(), Some("Q0VSVA=="));
    let context = &item(&doc, "contexts", "cce-c1-external")["context"];
    assert_eq!(context["cluster"].as_str(), Some("cce-c1-external"));
    assert_eq!(context["user"].as_str(), Some("cce-c1-external"));
    assert_eq!(doc["current-context"].as_str(), Some("cce-c1-external"));
}

#[test]
fn two_clusters_never_collide() {
    let first = merge("", &entry("alpha", true), &MergeOptions::default()).expect("merges");
    let first = first.to_yaml(Secrets::Show).expect("renders");
    let both = merge(&first, &entry("beta", true), &MergeOptions::default()).expect("merges");
    assert!(!both.replaced());
    let doc = shown(&both);
    for list in ["clusters", "users", "contexts"] {
        assert_eq!(
            names(&doc, list),
            ["cce-alpha-external", "cce-beta-external"],
            "{list}"
        );
    }
    assert_eq!(doc["current-context"].as_str(), Some("cce-beta-external"));
}

#[test]
fn merging_the_same_cluster_again_replaces_its_entries_in_place() {
    let once = merge(EXISTING, &entry("c1", false), &MergeOptions::default())
        .expect("merges")
        .to_yaml(Secrets::Show)
        .expect("renders");
    let mut changed = response(false);
    changed.clusters[0].cluster.server = "https://10.0.0.9:5443".to_owned();
    let newer = ClusterEntry::from_response(&changed, "c1", &Options::default()).expect("valid");
    let twice = merge(&once, &newer, &MergeOptions::default()).expect("merges");
    assert!(twice.replaced());
    let doc = shown(&twice);
    assert_eq!(names(&doc, "clusters"), ["kind-dev", "cce-c1-internal"]);
    assert_eq!(
        item(&doc, "clusters", "cce-c1-internal")["cluster"]["server"].as_str(),
        Some("https://10.0.0.9:5443")
    );
}

#[test]
fn duplicates_of_our_name_are_collapsed_into_one() {
    let existing = r#"
clusters:
- {name: cce-c1-internal, cluster: {server: "https://old-1"}}
- {name: other, cluster: {server: "https://other"}}
- {name: cce-c1-internal, cluster: {server: "https://old-2"}}
"#;
    let merged = merge(existing, &entry("c1", false), &MergeOptions::default()).expect("merges");
    let doc = shown(&merged);
    assert_eq!(names(&doc, "clusters"), ["cce-c1-internal", "other"]);
    assert_eq!(
        item(&doc, "clusters", "cce-c1-internal")["cluster"]["server"].as_str(),
        Some("https://192.168.1.7:5443")
    );
}

#[test]
fn no_set_current_keeps_the_current_context() {
    let options = MergeOptions {
        set_current_context: false,
    };
    let merged = merge(EXISTING, &entry("c1", false), &options).expect("merges");
    let doc = shown(&merged);
    assert_eq!(doc["current-context"].as_str(), Some("kind-dev"));

    let fresh = merge("", &entry("c1", false), &options).expect("merges");
    let doc = shown(&fresh);
    assert!(doc.get("current-context").is_none());
}

#[test]
fn null_lists_and_empty_files_are_empty_kubeconfigs() {
    for existing in [
        "",
        "  \n",
        "# only a comment\n",
        "null\n",
        "{}",
        "clusters: null\nusers:\ncontexts: []\n",
    ] {
        let merged = merge(existing, &entry("c1", false), &MergeOptions::default())
            .unwrap_or_else(|e| panic!("{existing:?}: {e}"));
        let doc = shown(&merged);
        for list in ["clusters", "users", "contexts"] {
            assert_eq!(
                names(&doc, list),
                ["cce-c1-internal"],
                "{existing:?} {list}"
            );
        }
    }
}

#[test]
fn malformed_kubeconfigs_are_refused() {
    for (existing, says) in [
        ("clusters: [unclosed", "not YAML"),
        ("- a\n- list\n", "top level is a list"),
        ("just a string", "top level is a string"),
        ("kind: Pod\n", "`kind` is `Pod`"),
        ("apiVersion: v2\n", "`apiVersion` is `v2`"),
        ("clusters: oops\n", "`clusters` is a string, not a list"),
        ("users: {a: 1}\n", "`users` is a mapping, not a list"),
        ("a: 1\n---\nb: 2\n", "not YAML"),
    ] {
        let err =
            merge(existing, &entry("c1", false), &MergeOptions::default()).expect_err(existing);
        assert!(matches!(err, KubeconfigError::Malformed { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains(says), "{existing:?}: {message}");
        assert!(message.contains("left untouched"), "{message}");
        let checked = check(existing).expect_err("check agrees with merge");
        assert_eq!(checked.to_string(), message);
    }
}

#[test]
fn check_accepts_what_merge_accepts() {
    for existing in [EXISTING, "", "null\n", "clusters: null\n"] {
        check(existing).unwrap_or_else(|e| panic!("{existing:?}: {e}"));
        merge(existing, &entry("c1", false), &MergeOptions::default())
            .unwrap_or_else(|e| panic!("{existing:?}: {e}"));
    }
}

#[test]
fn the_redaction_marker_is_the_one_secret_strings_debug_prints() {
    let secret = clustercert::SecretString::new(KEY.to_owned());
    assert_eq!(REDACTED, format!("{secret:?}"));
    assert_eq!(REDACTED, clustercert::runtime::redact::REDACTION_MARKER);
    let merged = merge(EXISTING, &entry("c1", false), &MergeOptions::default()).expect("merges");
    let doc = parse(&merged.to_yaml(Secrets::Redact).expect("renders"));
    assert_eq!(
        item(&doc, "users", "cce-c1-internal")["user"]["client-key-data"].as_str(),
        Some(format!("{secret:?}").as_str()),
        "a redacted kubeconfig reads like a redacted log"
    );
}

#[test]
fn redacted_rendering_hides_every_users_secrets() {
    let merged = merge(EXISTING, &entry("c1", false), &MergeOptions::default()).expect("merges");
    let redacted = merged.to_yaml(Secrets::Redact).expect("renders");
    assert!(!redacted.contains(KEY), "{redacted}");
    assert!(!redacted.contains("hunter2-token"), "{redacted}");
    let doc = parse(&redacted);
    assert_eq!(
        item(&doc, "users", "cce-c1-internal")["user"]["client-key-data"].as_str(),
        Some(REDACTED)
    );
    assert_eq!(
        item(&doc, "users", "token-user")["user"]["token"].as_str(),
        Some(REDACTED)
    );
    // Not secret: stays.
    assert_eq!(
        item(&doc, "users", "cce-c1-internal")["user"]["client-certificate-data"].as_str(),
        Some("Q0VSVA==")
    );
    let shown = merged.to_yaml(Secrets::Show).expect("renders");
    assert!(shown.contains(KEY));
    let debug = format!("{merged:?}");
    assert!(
        !debug.contains(KEY) && !debug.contains("hunter2"),
        "{debug}"
    );
}

#[test]
fn the_redacted_result_reads_as_a_snapshot() {
    let internal = ClusterEntry::from_response(
        &response(true),
        "4f1c9a2e",
        &Options {
            context: ContextChoice::Internal,
            alias: None,
        },
    )
    .expect("valid");
    let first = merge(EXISTING, &internal, &MergeOptions::default())
        .expect("merges")
        .to_yaml(Secrets::Show)
        .expect("renders");
    let aliased = ClusterEntry::from_response(
        &response(true),
        "4f1c9a2e",
        &Options {
            context: ContextChoice::External,
            alias: Some("prod-public".to_owned()),
        },
    )
    .expect("valid");
    let merged = merge(&first, &aliased, &MergeOptions::default()).expect("merges");
    insta::assert_snapshot!(merged.to_yaml(Secrets::Redact).expect("renders"));
}
