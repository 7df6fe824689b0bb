//! Generates Rust types and a client from an OpenAPI 3.0 description.
//!
//! The path is spec → model → tokens → files: [`openapiv3`] parses the document, a small
//! intermediate model (operations, parameters, schemas) is built from it, `quote!` turns the
//! model into tokens and `prettyplease` formats them. Nothing here knows about any one
//! operation.
