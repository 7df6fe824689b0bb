//! Conformance suite for CreateKubernetesClusterCert, and the local mock CCE server.
//!
//! The suite judges requests and responses against `spec/openapi.yaml`: JSON Schema derived
//! from the spec ([`schema`]), semantic kubeconfig checks ([`checks`]) and certificate checks
//! ([`certs`]), driven by the data-driven cases in `conformance/cases/` ([`case`], [`runner`]).
//! The mock server ([`mock`]) and the real API are targets too ([`target`]); what they answer
//! can be saved as new cases with every secret redacted ([`record`]), and compared with the
//! last recording ([`drift`]). [`report`] writes JUnit XML, JSON and GitHub Actions output for
//! CI. [`cce`] holds what CCE does beyond the spec's types (entry names) and the mock matrix.
//! [`fixtures`] mints real certificates for tests and cases.
//!
//! ```
//! use clustercert_conformance::case::Case;
//! use clustercert_conformance::runner::run_case;
//! use clustercert_conformance::schema::Validators;
//!
//! let body = serde_json::json!({"kind": "Config"});
//! let result = run_case(&Case::from_response_body(body, None), Validators::builtin().unwrap());
//! assert_eq!(result.verdict.to_string(), "invalid");
//! assert!(result.findings.iter().all(|f| f.path.starts_with("/response/body")));
//! ```

#![forbid(unsafe_code)]

pub mod case;
pub mod cce;
pub mod certs;
pub mod checks;
pub mod drift;
pub mod finding;
pub mod fixtures;
pub mod record;
pub mod report;
pub mod runner;
pub mod schema;
pub mod spec;
pub mod target;

#[cfg(test)]
mod test_support;

pub mod mock;

/// The README's Rust examples, compiled as doctests so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
mod readme_examples {}
