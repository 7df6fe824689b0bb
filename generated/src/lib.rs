//! Client for Huawei Cloud CCE's `CreateKubernetesClusterCert`
//! (`POST /api/v3/projects/{project_id}/clusters/{cluster_id}/clustercert`), which mints a
//! client certificate for a Kubernetes cluster and returns a kubeconfig.
//!
//! - [`generated`] is emitted from `spec/openapi.yaml` by `cargo xtask codegen`: the types
//!   ([`Kubeconfig`], [`CertDuration`], the validated [`ValidityDays`], …) and the [`Client`]
//!   with one async method per operation. Never edit it by hand.
//! - [`runtime`] is the hand-written part the generated code calls: endpoints and regions,
//!   token and AK/SK (`SDK-HMAC-SHA256`) authentication, timeouts and retries, one [`Error`]
//!   type, and [`SecretString`] for values that must never print.
//! - [`kubeconfig`] turns a response into a kubeconfig people can use: unique names per
//!   cluster, CA data dropped where kubectl would refuse it, and a safe merge into an existing
//!   file (atomic, mode 0600).
//!
//! # Example
//!
//! ```no_run
//! use clustercert::runtime::Credentials;
//! use clustercert::{CertDuration, Client, CreateKubernetesClusterCertRequest, ValidityDays};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // HUAWEICLOUD_SDK_AK / _SK / _PROJECT_ID, or HUAWEICLOUD_SDK_AUTH_TOKEN.
//! let client = Client::builder()
//!     .region("cn-north-4")
//!     .credentials(Credentials::from_env()?)
//!     .build()?;
//! let response = client
//!     .create_kubernetes_cluster_cert(&CreateKubernetesClusterCertRequest {
//!         project_id: "0123456789abcdef0123456789abcdef".into(),
//!         cluster_id: "my-cluster-id".into(),
//!         body: CertDuration { duration: ValidityDays::try_from(30)? },
//!     })
//!     .await?;
//! println!("Port-ID {:?}, current context {}", response.port_id, response.body.current_context);
//! // The key prints as a redaction marker; `expose_secret()` is the explicit way to it.
//! println!("{:?}", response.body.users[0].user.client_key_data);
//! # Ok(())
//! # }
//! ```
//!
//! Values the spec forbids cannot be built, and the error says which value and why:
//!
//! ```
//! use clustercert::ValidityDays;
//!
//! assert_eq!(ValidityDays::new(-1).unwrap().get(), -1); // -1 means 5 years
//! let err = ValidityDays::new(1826).unwrap_err();
//! assert_eq!(err.to_string(), "invalid ValidityDays: 1826 (must be -1, or from 1 to 1825)");
//! ```

pub mod generated;
pub mod kubeconfig;
pub mod runtime;

pub use generated::client::*;
pub use generated::types::*;
pub use runtime::{
    ClientBuilder, ConstraintError, Credentials, Error, RetryPolicy, SecretString, Transport,
};
