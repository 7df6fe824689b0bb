//! Conformance suite for CreateKubernetesClusterCert, and the local mock CCE server.
//!
//! The suite judges requests and responses against `spec/openapi.yaml`: JSON Schema derived
//! from the spec ([`schema`]), semantic kubeconfig checks ([`checks`]) and certificate checks
//! ([`certs`]), driven by the data-driven cases in `conformance/cases/` ([`case`], [`runner`]).

pub mod case;
pub mod certs;
pub mod checks;
pub mod finding;
pub mod fixtures;
pub mod record;
pub mod runner;
pub mod schema;
pub mod spec;
pub mod target;

pub mod mock;
