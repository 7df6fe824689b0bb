//! The OpenAPI document the suite judges against: `spec/openapi.yaml`, embedded at build time,
//! or any other file in the same format.

use std::path::Path;

use clustercert::runtime::encode_path_segment;
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

/// The embedded spec has no path whose operation is [`OPERATION_ID`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the built-in spec has no path for operation {OPERATION_ID}")]
pub struct NoOperationPath;

/// The path template of [`OPERATION_ID`] in the spec (`/api/v3/…/{cluster_id}/…`), found by
/// operation id rather than written down again: the spec and the generated client are its
/// only other homes.
pub fn path_template_in(spec: &Value) -> Option<&str> {
    spec.get("paths")?
        .as_object()?
        .iter()
        .find_map(|(path, item)| {
            let item = item.as_object()?;
            item.values()
                .any(|operation| {
                    operation.get("operationId").and_then(Value::as_str) == Some(OPERATION_ID)
                })
                .then_some(path.as_str())
        })
}

/// [`path_template_in`] of the embedded spec, parsed once.
///
/// ```
/// let template = clustercert_conformance::spec::operation_path_template().unwrap();
/// assert!(template.contains("{project_id}") && template.contains("{cluster_id}"));
/// ```
pub fn operation_path_template() -> Result<&'static str, NoOperationPath> {
    static TEMPLATE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let spec = builtin().ok()?;
            path_template_in(&spec).map(str::to_owned)
        })
        .as_deref()
        .ok_or(NoOperationPath)
}

/// The operation's path for these parameters, each percent-encoded as one segment (by the
/// runtime's encoder, as the generated client encodes them).
///
/// ```
/// let path = clustercert_conformance::spec::operation_path("p", "a/b").unwrap();
/// assert!(path.contains("/p/") && path.contains("/a%2Fb/"));
/// ```
pub fn operation_path(project_id: &str, cluster_id: &str) -> Result<String, NoOperationPath> {
    Ok(operation_path_template()?
        .replace("{project_id}", &encode_path_segment(project_id))
        .replace("{cluster_id}", &encode_path_segment(cluster_id)))
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
