//! What the mock server serves: projects, clusters, credentials and fault modes, from YAML or
//! the built-in default.

use std::collections::HashSet;
use std::net::IpAddr;
use std::path::Path;

use anyhow::{bail, Context as _};
use clustercert::SecretString;
use serde::Deserialize;

use super::fault::FaultPlan;

/// The project of the built-in configuration.
pub const DEFAULT_PROJECT_ID: &str = "mock-project";
/// The IAM token the built-in configuration accepts in `X-Auth-Token`.
pub const DEFAULT_TOKEN: &str = "mock-token";
/// The access key of the built-in configuration's AK/SK pair.
pub const DEFAULT_AK: &str = "MOCKAKEXAMPLE0000001";
/// The secret key of the built-in configuration's AK/SK pair. Public on purpose: it only
/// opens the local mock server.
pub const DEFAULT_SK: &str = "mock-sk-example-not-a-secret";
/// The built-in cluster without a public IP: its kubeconfig has `internalCluster` only.
pub const INTERNAL_CLUSTER_ID: &str = "cluster-internal";
/// The built-in cluster with a public IP: its kubeconfig also has `externalCluster`.
pub const EXTERNAL_CLUSTER_ID: &str = "cluster-external";

/// The port CCE's API servers listen on, used for the external address built from a public IP.
const API_SERVER_PORT: u16 = 5443;

/// Everything the mock server serves. Read it with [`MockConfig::from_file`] or start from
/// [`MockConfig::builtin`]; fields are public so tests can add clusters or faults.
///
/// ```
/// use clustercert_conformance::mock::{MockConfig, DEFAULT_PROJECT_ID};
///
/// let config = MockConfig::builtin();
/// assert_eq!(config.projects[0].id, DEFAULT_PROJECT_ID);
/// assert_eq!(config.projects[0].clusters.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MockConfig {
    /// The projects and their clusters.
    pub projects: Vec<ProjectConfig>,
    /// Accepted IAM tokens (`X-Auth-Token`).
    #[serde(default)]
    pub tokens: Vec<SecretString>,
    /// Accepted AK/SK pairs (`SDK-HMAC-SHA256` signing).
    #[serde(default)]
    pub access_keys: Vec<AccessKeyConfig>,
    /// Which error body shape the server answers with.
    #[serde(default)]
    pub error_shape: ErrorShape,
}

/// A project: its id as it appears in the path, and its clusters.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// The project id.
    pub id: String,
    /// The clusters of the project.
    #[serde(default)]
    pub clusters: Vec<ClusterConfig>,
}

/// A cluster: what its kubeconfig says, and how it misbehaves.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterConfig {
    /// The cluster id.
    pub id: String,
    /// The API server's private address, for example `https://192.168.1.7:5443`.
    pub internal_server: String,
    /// The public IP (EIP), when the cluster has one: its kubeconfig then also has
    /// `externalCluster` at `https://{public_ip}:5443`.
    #[serde(default)]
    pub public_ip: Option<IpAddr>,
    /// The `Port-ID` header of a 200 response (the control-plane node's port).
    pub port_id: String,
    /// A fault every request to this cluster suffers, in `X-Mock-Fault` syntax (for example
    /// `503` or `delay=200,truncate`).
    #[serde(default)]
    pub fault: Option<String>,
    /// With `fault`: only the first this many requests suffer it, later ones succeed (to test
    /// retries). Every request when absent.
    #[serde(default)]
    pub fault_times: Option<u64>,
}

/// An AK/SK pair. `Debug` redacts the SK.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKeyConfig {
    /// The access key id.
    pub ak: String,
    /// The secret key.
    pub sk: SecretString,
    /// For temporary credentials: the security token every request signed with this AK must
    /// carry (and sign) in `X-Security-Token`.
    #[serde(default)]
    pub security_token: Option<SecretString>,
}

/// The shape of error bodies: CCE answers in two.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorShape {
    /// As CCE behind its gateway: `error_code`/`error_msg` for authentication errors (401),
    /// `errorCode`/`errorMessage` for the service's own errors.
    #[default]
    Auto,
    /// Always `{"error_code": …, "error_msg": …}`.
    Underscore,
    /// Always `{"errorCode": …, "errorMessage": …}`.
    CamelCase,
}

impl ClusterConfig {
    /// A cluster without a public IP or fault, its `Port-ID` derived from its id.
    pub fn new(id: impl Into<String>, internal_server: impl Into<String>) -> Self {
        let id = id.into();
        ClusterConfig {
            port_id: format!("port-{id}"),
            id,
            internal_server: internal_server.into(),
            public_ip: None,
            fault: None,
            fault_times: None,
        }
    }

    /// The external API server address, when the cluster has a public IP.
    pub fn external_server(&self) -> Option<String> {
        self.public_ip.map(|ip| match ip {
            IpAddr::V4(v4) => format!("https://{v4}:{API_SERVER_PORT}"),
            IpAddr::V6(v6) => format!("https://[{v6}]:{API_SERVER_PORT}"),
        })
    }
}

impl MockConfig {
    /// The built-in configuration: project [`DEFAULT_PROJECT_ID`] with
    /// [`INTERNAL_CLUSTER_ID`] (no public IP) and [`EXTERNAL_CLUSTER_ID`] (public IP
    /// `203.0.113.10`), token [`DEFAULT_TOKEN`] and the pair [`DEFAULT_AK`]/[`DEFAULT_SK`].
    pub fn builtin() -> Self {
        let internal = ClusterConfig {
            port_id: "5d8c4ae2-7f1b-4c1e-9a0b-3f6e2d1c0a01".to_owned(),
            ..ClusterConfig::new(INTERNAL_CLUSTER_ID, "https://192.168.1.7:5443")
        };
        let external = ClusterConfig {
            public_ip: Some(IpAddr::from([203, 0, 113, 10])),
            port_id: "9b2e7c14-0d3a-4f5b-8e6c-1a2b3c4d5e02".to_owned(),
            ..ClusterConfig::new(EXTERNAL_CLUSTER_ID, "https://192.168.1.8:5443")
        };
        MockConfig {
            projects: vec![ProjectConfig {
                id: DEFAULT_PROJECT_ID.to_owned(),
                clusters: vec![internal, external],
            }],
            tokens: vec![SecretString::new(DEFAULT_TOKEN.to_owned())],
            access_keys: vec![AccessKeyConfig {
                ak: DEFAULT_AK.to_owned(),
                sk: SecretString::new(DEFAULT_SK.to_owned()),
                security_token: None,
            }],
            error_shape: ErrorShape::Auto,
        }
    }

    /// Reads a YAML configuration (format: `conformance/mock.example.yaml`) and checks it.
    /// Read as case files are ([`crate::case::read_text`]): a regular file, at most 64 MiB,
    /// UTF-8.
    pub fn from_file(path: &Path) -> anyhow::Result<MockConfig> {
        let text = crate::case::read_text(path)
            .map_err(anyhow::Error::new)
            .context("the mock config")?;
        Self::from_yaml(&text).with_context(|| format!("invalid mock config {}", path.display()))
    }

    /// Parses a YAML configuration and checks it.
    pub fn from_yaml(text: &str) -> anyhow::Result<MockConfig> {
        let config: MockConfig = serde_yaml::from_str(text)?;
        config.validate()?;
        Ok(config)
    }

    /// Checks what YAML cannot: ids present and unique, faults well-formed, some credential.
    pub fn validate(&self) -> anyhow::Result<()> {
        if self.projects.is_empty() {
            bail!("no projects configured");
        }
        if self.tokens.is_empty() && self.access_keys.is_empty() {
            bail!("no credentials configured: add a token or an AK/SK pair");
        }
        let mut projects = HashSet::new();
        for project in &self.projects {
            if project.id.is_empty() {
                bail!("a project has an empty id");
            }
            if !projects.insert(project.id.as_str()) {
                bail!("project {:?} is configured twice", project.id);
            }
            let mut clusters = HashSet::new();
            for cluster in &project.clusters {
                if cluster.id.is_empty() {
                    bail!("a cluster of project {:?} has an empty id", project.id);
                }
                if !clusters.insert(cluster.id.as_str()) {
                    bail!(
                        "cluster {:?} is configured twice in project {:?}",
                        cluster.id,
                        project.id
                    );
                }
                if let Some(fault) = &cluster.fault {
                    FaultPlan::parse(fault)
                        .with_context(|| format!("fault of cluster {:?}", cluster.id))?;
                }
                if cluster.fault_times.is_some() && cluster.fault.is_none() {
                    bail!("cluster {:?} has fault_times but no fault", cluster.id);
                }
            }
        }
        let mut aks = HashSet::new();
        for key in &self.access_keys {
            if key.ak.is_empty() || key.sk.expose_secret().is_empty() {
                bail!("an AK/SK pair has an empty AK or SK");
            }
            if !aks.insert(key.ak.as_str()) {
                bail!("access key {:?} is configured twice", key.ak);
            }
        }
        Ok(())
    }

    /// The project with this id.
    pub fn project(&self, id: &str) -> Option<&ProjectConfig> {
        self.projects.iter().find(|p| p.id == id)
    }

    /// The SK of an access key.
    pub fn secret_for(&self, ak: &str) -> Option<&SecretString> {
        self.access_key(ak).map(|k| &k.sk)
    }

    /// The configured pair of an access key.
    pub fn access_key(&self, ak: &str) -> Option<&AccessKeyConfig> {
        self.access_keys.iter().find(|k| k.ak == ak)
    }

    /// Whether the token is accepted.
    pub fn accepts_token(&self, token: &str) -> bool {
        self.tokens.iter().any(|t| t.expose_secret() == token)
    }
}

impl Default for MockConfig {
    fn default() -> Self {
        Self::builtin()
    }
}
