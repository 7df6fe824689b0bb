// PLACEHOLDER written by hand until `cargo xtask codegen` emits it. Names are the contract.
//! Schemas of `spec/openapi.yaml`.
use serde::{Deserialize, Serialize};

/// The validity period of the certificate to mint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CertDuration {
    pub duration: ValidityDays,
}

/// Validity of the cluster certificate, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i32")]
pub struct ValidityDays(i32);

impl ValidityDays {
    pub fn get(self) -> i32 {
        self.0
    }
}

impl TryFrom<i64> for ValidityDays {
    type Error = crate::runtime::ConstraintError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        if value == -1 || (1..=1825).contains(&value) {
            Ok(ValidityDays(value as i32))
        } else {
            Err(crate::runtime::ConstraintError {
                type_name: "ValidityDays",
                value: value.to_string(),
                rule: "must be -1, or from 1 to 1825",
            })
        }
    }
}

impl TryFrom<i32> for ValidityDays {
    type Error = crate::runtime::ConstraintError;
    fn try_from(value: i32) -> Result<Self, Self::Error> {
        Self::try_from(i64::from(value))
    }
}

impl From<ValidityDays> for i32 {
    fn from(value: ValidityDays) -> i32 {
        value.0
    }
}

/// A kubeconfig in the format of Kubernetes `v1.Config`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Kubeconfig {
    pub kind: KubeconfigKind,
    #[serde(rename = "apiVersion")]
    pub api_version: KubeconfigApiVersion,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preferences: Option<serde_json::Map<String, serde_json::Value>>,
    pub clusters: Vec<Clusters>,
    pub users: Vec<Users>,
    pub contexts: Vec<Contexts>,
    #[serde(rename = "current-context")]
    pub current_context: String,
}

/// API kind, always `Config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KubeconfigKind {
    Config,
}

/// API version, always `v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KubeconfigApiVersion {
    #[serde(rename = "v1")]
    V1,
}

/// A named cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Clusters {
    pub name: String,
    pub cluster: ClusterCert,
}

/// How to reach a cluster's API server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterCert {
    pub server: String,
    #[serde(
        rename = "certificate-authority-data",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub certificate_authority_data: Option<String>,
    #[serde(
        rename = "insecure-skip-tls-verify",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub insecure_skip_tls_verify: Option<bool>,
}

/// A named user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Users {
    pub name: String,
    pub user: User,
}

/// The client certificate and key of a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    #[serde(rename = "client-certificate-data")]
    pub client_certificate_data: String,
    #[serde(rename = "client-key-data")]
    pub client_key_data: crate::runtime::SecretString,
}

/// A named context.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contexts {
    pub name: String,
    pub context: Context,
}

/// A context joins a cluster and a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Context {
    pub cluster: String,
    pub user: String,
}
