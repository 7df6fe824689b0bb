//! From a response to one cluster's entry: context choice, naming, CA dropping, errors.

use clustercert::Kubeconfig;
use clustercert_kubeconfig::{
    check_alias, default_name, ClusterEntry, ContextChoice, KubeconfigError, Options, Warning,
};

const CA: &str = "Q0EtREFUQQ==";
const CERT: &str = "Q0VSVC1EQVRB";
const KEY: &str = "S0VZLURBVEEtdmVyeS1zZWNyZXQ=";

/// A response for a cluster without a public IP, shaped like the documented example.
fn internal_only() -> Kubeconfig {
    serde_json::from_value(serde_json::json!({
        "kind": "Config", "apiVersion": "v1", "preferences": {},
        "clusters": [{"name": "internalCluster",
                      "cluster": {"server": "https://192.168.1.7:5443",
                                  "certificate-authority-data": CA}}],
        "users": [{"name": "user",
                   "user": {"client-certificate-data": CERT, "client-key-data": KEY}}],
        "contexts": [{"name": "internal",
                      "context": {"cluster": "internalCluster", "user": "user"}}],
        "current-context": "internal"
    }))
    .expect("fixture is a valid response")
}

/// A response for a cluster with a public IP: two clusters, `external` current.
fn with_public_ip() -> Kubeconfig {
    serde_json::from_value(serde_json::json!({
        "kind": "Config", "apiVersion": "v1", "preferences": {},
        "clusters": [
            {"name": "internalCluster",
             "cluster": {"server": "https://192.168.1.7:5443", "certificate-authority-data": CA}},
            {"name": "externalCluster",
             "cluster": {"server": "https://203.0.113.10:5443", "certificate-authority-data": CA,
                         "insecure-skip-tls-verify": true}}
        ],
        "users": [{"name": "user",
                   "user": {"client-certificate-data": CERT, "client-key-data": KEY}}],
        "contexts": [
            {"name": "internal", "context": {"cluster": "internalCluster", "user": "user"}},
            {"name": "external", "context": {"cluster": "externalCluster", "user": "user"}}
        ],
        "current-context": "external"
    }))
    .expect("fixture is a valid response")
}

fn options(context: ContextChoice) -> Options {
    Options {
        context,
        alias: None,
    }
}

#[test]
fn auto_follows_the_current_context() {
    let internal = ClusterEntry::from_response(&internal_only(), "c1", &Options::default())
        .expect("internal context exists");
    assert_eq!(internal.source_context(), "internal");
    assert_eq!(internal.server(), "https://192.168.1.7:5443");

    let external = ClusterEntry::from_response(&with_public_ip(), "c2", &Options::default())
        .expect("external context exists");
    assert_eq!(external.source_context(), "external");
    assert_eq!(external.server(), "https://203.0.113.10:5443");
}

#[test]
fn internal_and_external_pick_their_context() {
    let response = with_public_ip();
    let internal = ClusterEntry::from_response(&response, "c", &options(ContextChoice::Internal))
        .expect("internal exists");
    assert_eq!(internal.server(), "https://192.168.1.7:5443");
    assert_eq!(internal.certificate_authority_data(), Some(CA));
    assert!(!internal.insecure_skip_tls_verify());
    assert!(internal.warnings().is_empty());

    let external = ClusterEntry::from_response(&response, "c", &options(ContextChoice::External))
        .expect("external exists");
    assert_eq!(external.server(), "https://203.0.113.10:5443");
}

#[test]
fn a_missing_context_is_an_error_that_lists_what_exists() {
    let err = ClusterEntry::from_response(&internal_only(), "c", &options(ContextChoice::External))
        .expect_err("no external context without a public IP");
    match &err {
        KubeconfigError::ContextNotFound {
            wanted, available, ..
        } => {
            assert_eq!(wanted, "external");
            assert_eq!(available, &["internal".to_owned()]);
        }
        other => panic!("unexpected error {other:?}"),
    }
    let message = err.to_string();
    assert!(message.contains("`external`"), "{message}");
    assert!(message.contains("it has: `internal`"), "{message}");
    assert!(!message.contains('\n'), "one line: {message}");
}

#[test]
fn auto_with_a_dangling_current_context_is_an_error() {
    let mut response = with_public_ip();
    response.current_context = "elsewhere".to_owned();
    let err = ClusterEntry::from_response(&response, "c", &Options::default())
        .expect_err("current-context names no context");
    let message = err.to_string();
    assert!(message.contains("current-context `elsewhere`"), "{message}");
    assert!(message.contains("`internal`, `external`"), "{message}");
}

#[test]
fn a_context_naming_a_missing_cluster_or_user_is_an_error() {
    let mut response = internal_only();
    response.contexts[0].context.cluster = "ghost".to_owned();
    let err = ClusterEntry::from_response(&response, "c", &Options::default())
        .expect_err("cluster is missing");
    assert!(
        matches!(&err, KubeconfigError::ClusterNotFound { cluster, .. } if cluster == "ghost"),
        "{err:?}"
    );
    assert!(err.to_string().contains("`internalCluster`"), "{err}");

    let mut response = internal_only();
    response.contexts[0].context.user = "nobody".to_owned();
    let err = ClusterEntry::from_response(&response, "c", &Options::default())
        .expect_err("user is missing");
    assert!(
        matches!(&err, KubeconfigError::UserNotFound { user, .. } if user == "nobody"),
        "{err:?}"
    );
}

#[test]
fn default_names_are_unique_per_cluster_and_context() {
    assert_eq!(default_name("abc", "internal"), "cce-abc-internal");
    let response = with_public_ip();
    let a =
        ClusterEntry::from_response(&response, "cluster-a", &Options::default()).expect("valid");
    let b =
        ClusterEntry::from_response(&response, "cluster-b", &Options::default()).expect("valid");
    let a_internal =
        ClusterEntry::from_response(&response, "cluster-a", &options(ContextChoice::Internal))
            .expect("valid");
    assert_eq!(a.name(), "cce-cluster-a-external");
    assert_eq!(b.name(), "cce-cluster-b-external");
    assert_eq!(a_internal.name(), "cce-cluster-a-internal");
    assert_ne!(a.name(), b.name());
    assert_ne!(a.name(), a_internal.name());
}

#[test]
fn auto_and_the_explicit_choice_share_a_name() {
    let response = with_public_ip();
    let auto = ClusterEntry::from_response(&response, "x", &Options::default()).expect("valid");
    let external = ClusterEntry::from_response(&response, "x", &options(ContextChoice::External))
        .expect("valid");
    assert_eq!(auto.name(), external.name());
}

#[test]
fn an_alias_overrides_the_name_and_is_checked() {
    let alias = Options {
        context: ContextChoice::Auto,
        alias: Some("prod".to_owned()),
    };
    let entry = ClusterEntry::from_response(&internal_only(), "c", &alias).expect("valid");
    assert_eq!(entry.name(), "prod");

    for bad in ["", "  ", " prod", "pr\nod"] {
        let options = Options {
            context: ContextChoice::Auto,
            alias: Some(bad.to_owned()),
        };
        let err = ClusterEntry::from_response(&internal_only(), "c", &options)
            .expect_err("alias must be refused");
        assert!(
            matches!(err, KubeconfigError::InvalidName { .. }),
            "{err:?}"
        );
        // The same check, on its own, for a command line to apply before any request.
        let alone = check_alias(bad).expect_err("check_alias refuses it too");
        assert_eq!(alone.to_string(), err.to_string());
    }
    assert!(check_alias("prod").is_ok());
    let err = ClusterEntry::from_response(&internal_only(), " ", &Options::default())
        .expect_err("empty cluster id");
    assert!(
        matches!(err, KubeconfigError::InvalidName { .. }),
        "{err:?}"
    );
}

#[test]
fn insecure_clusters_lose_their_ca_data_with_a_warning() {
    let entry =
        ClusterEntry::from_response(&with_public_ip(), "c", &Options::default()).expect("valid");
    assert!(entry.insecure_skip_tls_verify());
    assert_eq!(entry.certificate_authority_data(), None);
    assert_eq!(
        entry.warnings(),
        &[Warning::SkipsTlsVerification {
            cluster: "externalCluster".to_owned(),
            ca_dropped: true,
        }]
    );
    let text = entry.warnings()[0].to_string();
    assert!(text.contains("CA data was dropped"), "{text}");
}

#[test]
fn insecure_without_ca_warns_without_dropping() {
    let mut response = with_public_ip();
    response.clusters[1].cluster.certificate_authority_data = None;
    let entry = ClusterEntry::from_response(&response, "c", &Options::default()).expect("valid");
    assert_eq!(
        entry.warnings(),
        &[Warning::SkipsTlsVerification {
            cluster: "externalCluster".to_owned(),
            ca_dropped: false,
        }]
    );
}

#[test]
fn duplicate_names_in_the_response_use_the_first_and_warn() {
    let mut response = with_public_ip();
    let mut second = response.clusters[1].clone();
    second.cluster.server = "https://198.51.100.1:5443".to_owned();
    response.clusters.push(second);
    let entry = ClusterEntry::from_response(&response, "c", &Options::default()).expect("valid");
    assert_eq!(entry.server(), "https://203.0.113.10:5443");
    assert!(entry.warnings().contains(&Warning::DuplicateName {
        kind: "cluster",
        name: "externalCluster".to_owned(),
        count: 2,
    }));
}

#[test]
fn debug_never_shows_the_client_key() {
    let entry =
        ClusterEntry::from_response(&internal_only(), "c", &Options::default()).expect("valid");
    let debug = format!("{entry:?}");
    assert!(!debug.contains(KEY), "{debug}");
    assert!(debug.contains(CERT), "the rest is there: {debug}");
    assert_eq!(entry.client_key_data().expose_secret(), KEY);
}

#[test]
fn context_choice_parses_and_displays() {
    for choice in ContextChoice::ALL {
        assert_eq!(
            choice.to_string().parse::<ContextChoice>().ok(),
            Some(choice)
        );
    }
    let err = "public".parse::<ContextChoice>().expect_err("not a choice");
    assert!(
        err.to_string().contains("auto, internal or external"),
        "{err}"
    );
}
