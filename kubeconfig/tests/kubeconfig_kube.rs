//! Feature `kube`: kube-rs reads what this crate writes and builds a `kube::Config` from it.
#![cfg(feature = "kube")]

use base64::Engine as _;
use clustercert::Kubeconfig;
use clustercert_kubeconfig::{merge, ClusterEntry, ContextChoice, MergeOptions, Options};

struct Pems {
    ca: String,
    cert: String,
    key: String,
}

fn pems() -> Pems {
    let b64 = |pem: String| base64::engine::general_purpose::STANDARD.encode(pem);
    let ca = rcgen::generate_simple_self_signed(vec!["ca.test".to_owned()]).expect("CA");
    let client = rcgen::generate_simple_self_signed(vec!["user".to_owned()]).expect("client");
    Pems {
        ca: b64(ca.cert.pem()),
        cert: b64(client.cert.pem()),
        key: b64(client.signing_key.serialize_pem()),
    }
}

fn response(pems: &Pems) -> Kubeconfig {
    serde_json::from_value(serde_json::json!({
        "kind": "Config", "apiVersion": "v1", "preferences": {},
        "clusters": [
            {"name": "internalCluster",
             "cluster": {"server": "https://192.168.1.7:5443", "certificate-authority-data": pems.ca}},
            {"name": "externalCluster",
             "cluster": {"server": "https://203.0.113.10:5443", "certificate-authority-data": pems.ca,
                         "insecure-skip-tls-verify": true}}
        ],
        "users": [{"name": "user",
                   "user": {"client-certificate-data": pems.cert, "client-key-data": pems.key}}],
        "contexts": [
            {"name": "internal", "context": {"cluster": "internalCluster", "user": "user"}},
            {"name": "external", "context": {"cluster": "externalCluster", "user": "user"}}
        ],
        "current-context": "external"
    }))
    .expect("fixture is a valid response")
}

fn entry(pems: &Pems, cluster_id: &str, context: ContextChoice) -> ClusterEntry {
    let options = Options {
        context,
        alias: None,
    };
    ClusterEntry::from_response(&response(pems), cluster_id, &options).expect("valid")
}

#[test]
fn kube_reads_the_entry_as_a_kubeconfig() {
    let pems = pems();
    let entry = entry(&pems, "c1", ContextChoice::Internal);
    let kubeconfig = entry.to_kube_kubeconfig().expect("kube-rs reads it");
    assert_eq!(
        kubeconfig.current_context.as_deref(),
        Some("cce-c1-internal")
    );
    assert_eq!(kubeconfig.clusters.len(), 1);
    let cluster = kubeconfig.clusters[0].cluster.as_ref().expect("cluster");
    assert_eq!(cluster.server.as_deref(), Some("https://192.168.1.7:5443"));
    assert_eq!(
        cluster.certificate_authority_data.as_deref(),
        Some(pems.ca.as_str())
    );
    let user = kubeconfig.auth_infos[0].auth_info.as_ref().expect("user");
    assert_eq!(
        user.client_certificate_data.as_deref(),
        Some(pems.cert.as_str())
    );
    assert!(user.client_key_data.is_some());
}

#[tokio::test]
async fn kube_builds_a_config_for_each_context() {
    let pems = pems();
    let internal = entry(&pems, "c1", ContextChoice::Internal)
        .to_kube_config()
        .await
        .expect("kube-rs builds a Config");
    assert_eq!(
        internal.cluster_url.to_string(),
        "https://192.168.1.7:5443/"
    );
    assert!(!internal.accept_invalid_certs);
    assert!(internal.root_cert.is_some(), "the CA is kept");
    assert_eq!(
        internal.auth_info.client_certificate_data.as_deref(),
        Some(pems.cert.as_str())
    );

    let external = entry(&pems, "c1", ContextChoice::External)
        .to_kube_config()
        .await
        .expect("kube-rs builds a Config");
    assert_eq!(
        external.cluster_url.to_string(),
        "https://203.0.113.10:5443/"
    );
    assert!(external.accept_invalid_certs);
    assert!(external.root_cert.is_none(), "the CA was dropped");
}

#[tokio::test]
async fn kube_reads_a_merged_file_with_two_clusters() {
    let pems = pems();
    let first = entry(&pems, "alpha", ContextChoice::Auto);
    let second = entry(&pems, "beta", ContextChoice::Internal);
    let once = merge("", &first, &MergeOptions::default())
        .expect("merges")
        .to_yaml(clustercert_kubeconfig::Secrets::Show)
        .expect("renders");
    let both = merge(&once, &second, &MergeOptions::default()).expect("merges");
    let kubeconfig = both.to_kube_kubeconfig().expect("kube-rs reads it");
    let names: Vec<&str> = kubeconfig
        .contexts
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["cce-alpha-external", "cce-beta-internal"]);
    for name in names {
        let options = kube::config::KubeConfigOptions {
            context: Some(name.to_owned()),
            ..Default::default()
        };
        let config = kube::Config::from_custom_kubeconfig(kubeconfig.clone(), &options)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(config.cluster_url.to_string().starts_with("https://"));
    }
}
