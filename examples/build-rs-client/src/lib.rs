//! A client for CCE's `CreateKubernetesClusterCert`, generated at build time: `build.rs` runs
//! `clustercert_codegen::BuildScript` on the spec and writes `client.rs` into `OUT_DIR`, which
//! this file includes. Nothing generated is checked in; editing the spec regenerates it.
//!
//! Pick this way when a team keeps its own spec and wants no generator step of its own;
//! `cargo xtask codegen` (checked-in output, reviewable diffs) and `--spec --out` (a
//! standalone crate) are the other two.
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use build_rs_client::{CertDuration, Client, CreateKubernetesClusterCertRequest, ValidityDays};
//!
//! let client = Client::builder().endpoint("http://127.0.0.1:8080").token("mock-token").build()?;
//! let response = client
//!     .create_kubernetes_cluster_cert(&CreateKubernetesClusterCertRequest {
//!         project_id: "mock-project".to_owned(),
//!         cluster_id: "cluster-external".to_owned(),
//!         body: CertDuration { duration: ValidityDays::new(30)? },
//!     })
//!     .await?;
//! println!("{:?}", response.body.current_context);
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]

include!(concat!(env!("OUT_DIR"), "/client.rs"));
