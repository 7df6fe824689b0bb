//! The OpenAPI document the suite judges against: `spec/openapi.yaml`, embedded at build time,
//! or any other file in the same format.

use std::path::Path;

use serde_json::Value;

/// `spec/openapi.yaml` as it was when this crate was built.
pub const BUILTIN_SPEC_YAML: &str = include_str!("../../spec/openapi.yaml");

/// The `operationId` of the one operation the suite knows.
pub const OPERATION_ID: &str = "CreateKubernetesClusterCert";

/// A spec could not be read or parsed.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The text is not YAML (or JSON).
    #[error("spec is not valid YAML")]
    Yaml(#[from] serde_yaml::Error),
    /// The YAML cannot be represented as JSON (for example a non-string map key).
    #[error("spec cannot be represented as JSON")]
    Json(#[from] serde_json::Error),
}

/// Parses OpenAPI YAML (or JSON) text into a JSON value, the form the schema translation
/// works on.
///
/// ```
/// let spec = clustercert_conformance::spec::parse_yaml("openapi: 3.0.3\npaths: {}\n").unwrap();
/// assert_eq!(spec["openapi"], "3.0.3");
/// ```
pub fn parse_yaml(text: &str) -> Result<Value, SpecError> {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text)?;
    Ok(serde_json::to_value(yaml)?)
}

/// Reads and parses a spec file.
pub fn load(path: &Path) -> Result<Value, SpecError> {
    let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
        path: path.display().to_string(),
        source,
    })?;
    parse_yaml(&text)
}

/// The embedded spec, parsed.
pub fn builtin() -> Result<Value, SpecError> {
    parse_yaml(BUILTIN_SPEC_YAML)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::assert_cause_shown_once;

    #[test]
    fn spec_errors_show_their_cause_once() {
        let err = parse_yaml("paths: [unclosed").unwrap_err();
        assert!(matches!(err, SpecError::Yaml(_)));
        assert_cause_shown_once(err);
        let err = parse_yaml("? [1, 2]\n: x\n").unwrap_err();
        assert!(matches!(err, SpecError::Json(_)), "{err:?}");
        assert_cause_shown_once(err);
        let dir = tempfile::tempdir().unwrap();
        let err = load(&dir.path().join("missing.yaml")).unwrap_err();
        assert!(matches!(err, SpecError::Read { .. }));
        assert_cause_shown_once(err);
    }
}
