//! From a `CreateKubernetesClusterCert` response to a kubeconfig a person can use.
//!
//! The response is a kubeconfig, but not one that works as it comes: every response uses the
//! same names (`internalCluster`, `user`, `internal`, …), so two clusters merged as they come
//! lose one; and an `externalCluster` carries both CA data and `insecure-skip-tls-verify:
//! true`, which kubectl refuses. This module fixes both and merges the result into an existing
//! kubeconfig file the way `aws eks update-kubeconfig` does.
//!
//! The path a response takes:
//! 1. [`ClusterEntry::from_response`] picks one context ([`ContextChoice`]), renames its
//!    cluster, user and context to one name unique to the cluster ([`default_name`], or an
//!    alias), and drops the CA data of a cluster that skips TLS verification (reported as a
//!    [`Warning`]).
//! 2. [`merge`] puts the entry into an existing kubeconfig (text), keeping every other entry
//!    and every field this crate does not model; [`Merged::to_yaml`] renders it, with the
//!    secrets shown or redacted ([`Secrets`]), so that every string reads back as itself in
//!    kubectl's YAML 1.1 and in YAML 1.2 ([`yaml`]).
//! 3. [`update_file`] does 2 on a file under its [`lock`]: it reads it with bounds (a
//!    malformed file is an error and is left untouched), refuses a name taken by an entry it
//!    did not write, merges, and replaces the file atomically, keeping its owner, group and
//!    mode ([`write_atomically`]). [`preflight`] checks all of that before a certificate is
//!    minted.
//!
//! [`pair`] judges a client certificate and key as kubectl does; [`exec`] is the exec
//! credential plugin mode (a user that runs `cce-kubeconfig credential`, and its cache).
//!
//! ```
//! use clustercert_kubeconfig::{merge, ClusterEntry, MergeOptions, Options, Secrets};
//!
//! let response: clustercert::Kubeconfig = serde_json::from_str(r#"{
//!     "kind": "Config", "apiVersion": "v1", "preferences": {},
//!     "clusters": [{"name": "internalCluster",
//!                   "cluster": {"server": "https://192.168.1.7:5443",
//!                               "certificate-authority-data": "Q0E="}}],
//!     "users": [{"name": "user",
//!                "user": {"client-certificate-data": "Q0VSVA==", "client-key-data": "S0VZ"}}],
//!     "contexts": [{"name": "internal",
//!                   "context": {"cluster": "internalCluster", "user": "user"}}],
//!     "current-context": "internal"
//! }"#).unwrap();
//!
//! let entry = ClusterEntry::from_response(&response, "0c1a", &Options::default()).unwrap();
//! assert_eq!(entry.name(), "cce-0c1a-internal");
//!
//! let merged = merge("", &entry, &MergeOptions::default()).unwrap();
//! let yaml = merged.to_yaml(Secrets::Redact).unwrap();
//! assert!(yaml.contains("current-context: cce-0c1a-internal"));
//! assert!(!yaml.contains("S0VZ"));
//! ```
//!
//! With the feature `kube`, `ClusterEntry::to_kube_config` and `to_kube_kubeconfig` hand
//! the result to kube-rs.
//!
//! Comments in an existing file are not kept (kubectl does not keep them either); anchors
//! and aliases are written out in full and `<<` merge keys merged, as kubectl reads them; a
//! file with a `!!binary` value is refused (it could not be written back as kubectl reads it).

#![forbid(unsafe_code)]

mod entry;
mod error;
pub mod exec;
mod file;
#[cfg(feature = "kube")]
mod kube;
pub mod lock;
mod merge;
pub mod pair;
pub mod yaml;

pub use entry::{check_alias, default_name, ClusterEntry, ContextChoice, Options, Warning, MARKER};
pub use error::KubeconfigError;
pub use file::{
    check_file, choose_path, default_path, preflight, read_existing, update_file, update_file_with,
    write_atomically, write_atomically_with, FileOptions, FileWarning, Preflight, Update,
    MAX_FILE_SIZE,
};
pub use lock::{KubeconfigLock, DEFAULT_LOCK_TIMEOUT};
pub use merge::{
    check, check_name_free, merge, redact, MergeOptions, Merged, Secrets, REDACTION_MARKER,
};
pub use pair::{check_client_pair, check_client_pair_data, PairError};
