//! Fixtures shared by the kubeconfig tests.
#![allow(dead_code)]

use std::path::Path;

use clustercert::Kubeconfig;
use clustercert_kubeconfig::{ClusterEntry, Options};
use serde_yaml::Value;

/// A response whose certificate and key are short stand-ins (not PEM): enough for merging.
pub fn response(server: &str) -> Kubeconfig {
    serde_json::from_value(serde_json::json!({
        "kind": "Config", "apiVersion": "v1", "preferences": {},
        "clusters": [{"name": "internalCluster",
                      "cluster": {"server": server, "certificate-authority-data": "Q0E="}}],
        "users": [{"name": "user",
                   "user": {"client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ"}}],
        "contexts": [{"name": "internal", "context": {"cluster": "internalCluster", "user": "user"}}],
        "current-context": "internal"
    }))
    .expect("fixture is a valid response")
}

/// An entry named `alias`.
pub fn aliased(alias: &str) -> ClusterEntry {
    ClusterEntry::from_response(
        &response("https://192.168.1.7:5443"),
        "c",
        &Options {
            alias: Some(alias.to_owned()),
            ..Options::default()
        },
    )
    .expect("valid alias")
}

pub fn parse_file(path: &Path) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(path).expect("readable")).expect("YAML")
}

pub fn names(doc: &Value, list: &str) -> Vec<String> {
    doc[list]
        .as_sequence()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| item["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
