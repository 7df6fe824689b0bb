//! Conformance suite for CreateKubernetesClusterCert, and the local mock CCE server.
//!
//! To come (issues 4 and 5): JSON Schema derived from `spec/openapi.yaml`, data-driven recorded
//! cases, semantic and certificate checks, and a mock server that speaks the spec.

pub mod mock;
