//! Client for Huawei Cloud CCE's `CreateKubernetesClusterCert`.
//!
//! The types and the operation method are generated from `spec/openapi.yaml` into
//! [`generated`]; the [`runtime`] beside them is written by hand.

pub mod generated;
pub mod kubeconfig;
pub mod runtime;

pub use generated::client::*;
pub use generated::types::*;
pub use runtime::{ClientBuilder, ConstraintError, Error, SecretString, Transport};
