// PLACEHOLDER written by hand until `cargo xtask codegen` emits this module (issue 2).
//! Types and operations generated from `spec/openapi.yaml`.
pub mod client;
pub mod types;
