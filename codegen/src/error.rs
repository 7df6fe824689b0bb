//! The one error type: what stopped generation, and where in the spec.

/// Why generation stopped: what, and where in the spec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct Error {
    /// A JSON pointer into the spec (`#/components/schemas/Foo/properties/bar`), or what was
    /// being done when the problem is not in the spec.
    pub location: String,
    /// What is wrong.
    pub message: String,
}
