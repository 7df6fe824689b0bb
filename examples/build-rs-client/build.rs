//! Generates the client into `OUT_DIR` at build time; `src/lib.rs` includes it.
//!
//! The spec is the workspace's own, by a relative path, so this example adds no second copy
//! of the API contract (its path template, its rules) to keep in step; a crate outside this
//! workspace points at a spec it keeps beside its `Cargo.toml` the same way.

fn main() {
    clustercert_codegen::BuildScript::new("../../spec/openapi.yaml").run();
}
