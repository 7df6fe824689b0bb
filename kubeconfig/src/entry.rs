//! One cluster's entry: the chosen context of a response, under names unique to the cluster.

use std::fmt;
use std::str::FromStr;

use super::exec::ExecUser;
use super::KubeconfigError;
use clustercert::runtime::SecretString;
use clustercert::Kubeconfig;

/// Which of the response's contexts to use.
///
/// CCE names the context of a cluster's private address `internal` and that of a public
/// address (EIP) `external`; the response's `current-context` is `external` when the cluster
/// has a public address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ContextChoice {
    /// The response's `current-context`.
    #[default]
    Auto,
    /// The context named `internal`: the private address, reachable from the cluster's VPC.
    Internal,
    /// The context named `external`: the public address (EIP).
    External,
}

impl ContextChoice {
    /// Every choice, in the order the command line lists them.
    pub const ALL: [ContextChoice; 3] = [
        ContextChoice::Auto,
        ContextChoice::Internal,
        ContextChoice::External,
    ];

    /// The word for the choice: `auto`, `internal` or `external`.
    pub fn as_str(self) -> &'static str {
        match self {
            ContextChoice::Auto => "auto",
            ContextChoice::Internal => "internal",
            ContextChoice::External => "external",
        }
    }
}

impl fmt::Display for ContextChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ContextChoice {
    type Err = KubeconfigError;

    /// Parses `auto`, `internal` or `external`.
    ///
    /// ```
    /// use clustercert_kubeconfig::ContextChoice;
    /// assert_eq!("external".parse::<ContextChoice>().unwrap(), ContextChoice::External);
    /// assert!("public".parse::<ContextChoice>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ContextChoice::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| KubeconfigError::InvalidChoice {
                value: s.to_owned(),
            })
    }
}

/// How to turn a response into a [`ClusterEntry`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Which context of the response to use.
    pub context: ContextChoice,
    /// The name for the cluster, user and context instead of [`default_name`].
    pub alias: Option<String>,
}

/// The name of the context extension that marks an entry written by this crate.
pub const MARKER: &str = "cce-kubeconfig";

/// The default name of a cluster's cluster, user and context entries:
/// `cce-<cluster_id>-<context>`, where `<context>` is the response's context that was chosen
/// (`internal` or `external`).
///
/// Cluster ids are unique, so two clusters never share a name; and the private and the
/// public address of one cluster get one entry each.
///
/// ```
/// assert_eq!(
///     clustercert_kubeconfig::default_name("4f1c", "external"),
///     "cce-4f1c-external",
/// );
/// ```
pub fn default_name(cluster_id: &str, context: &str) -> String {
    format!("cce-{cluster_id}-{context}")
}

/// Something the caller should tell the user; the entry is usable nonetheless.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The cluster has `insecure-skip-tls-verify: true`: the server's certificate is not
    /// verified. When it also had CA data, the CA data was dropped, because kubectl refuses a
    /// cluster that has both.
    SkipsTlsVerification {
        /// The cluster's name in the response, for example `externalCluster`.
        cluster: String,
        /// Whether CA data was dropped.
        ca_dropped: bool,
    },
    /// The response has more than one entry of that kind and name; the first one is used.
    DuplicateName {
        /// `cluster`, `user` or `context`.
        kind: &'static str,
        /// The name they share.
        name: String,
        /// How many there are.
        count: usize,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::SkipsTlsVerification {
                cluster,
                ca_dropped: true,
            } => write!(
                f,
                "cluster `{cluster}` has insecure-skip-tls-verify: true, so its CA data was \
                 dropped (kubectl refuses both together); the server's certificate is not verified"
            ),
            Warning::SkipsTlsVerification {
                cluster,
                ca_dropped: false,
            } => write!(
                f,
                "cluster `{cluster}` has insecure-skip-tls-verify: true; the server's \
                 certificate is not verified"
            ),
            Warning::DuplicateName { kind, name, count } => write!(
                f,
                "the response has {count} {kind} entries named `{name}`; the first one is used"
            ),
        }
    }
}

/// One cluster's kubeconfig entry: a cluster, a user and a context, all under one
/// [`name`](ClusterEntry::name), taken from the chosen context of a response.
///
/// `Debug` never shows the client key.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterEntry {
    name: String,
    cluster_id: String,
    source_context: String,
    server: String,
    certificate_authority_data: Option<String>,
    insecure_skip_tls_verify: bool,
    client_certificate_data: String,
    client_key_data: SecretString,
    exec: Option<ExecUser>,
    warnings: Vec<Warning>,
}

impl ClusterEntry {
    /// Picks the context `options.context` of `response`, follows it to its cluster and user,
    /// and names all three [`default_name`]`(cluster_id, context)` or `options.alias`.
    ///
    /// Errors name what the response has when the chosen context, or the cluster or user it
    /// refers to, is missing; and refuse an empty cluster id or alias.
    pub fn from_response(
        response: &Kubeconfig,
        cluster_id: &str,
        options: &Options,
    ) -> Result<ClusterEntry, KubeconfigError> {
        if cluster_id.trim().is_empty() {
            return Err(KubeconfigError::InvalidName {
                name: cluster_id.to_owned(),
                reason: "the cluster id is empty",
            });
        }
        let mut warnings = Vec::new();

        let wanted = match options.context {
            ContextChoice::Auto => response.current_context.as_str(),
            ContextChoice::Internal => "internal",
            ContextChoice::External => "external",
        };
        let context = first_named(
            &response.contexts,
            |c| &c.name,
            wanted,
            "context",
            &mut warnings,
        )
        .ok_or_else(|| KubeconfigError::ContextNotFound {
            choice: options.context,
            wanted: wanted.to_owned(),
            available: response.contexts.iter().map(|c| c.name.clone()).collect(),
        })?;
        let cluster = first_named(
            &response.clusters,
            |c| &c.name,
            &context.context.cluster,
            "cluster",
            &mut warnings,
        )
        .ok_or_else(|| KubeconfigError::ClusterNotFound {
            context: context.name.clone(),
            cluster: context.context.cluster.clone(),
            available: response.clusters.iter().map(|c| c.name.clone()).collect(),
        })?;
        let user = first_named(
            &response.users,
            |u| &u.name,
            &context.context.user,
            "user",
            &mut warnings,
        )
        .ok_or_else(|| KubeconfigError::UserNotFound {
            context: context.name.clone(),
            user: context.context.user.clone(),
            available: response.users.iter().map(|u| u.name.clone()).collect(),
        })?;

        let name = match &options.alias {
            Some(alias) => {
                check_alias(alias)?;
                alias.clone()
            }
            None => default_name(cluster_id, &context.name),
        };

        let insecure = cluster.cluster.insecure_skip_tls_verify == Some(true);
        let mut certificate_authority_data = cluster.cluster.certificate_authority_data.clone();
        if insecure {
            warnings.push(Warning::SkipsTlsVerification {
                cluster: cluster.name.clone(),
                ca_dropped: certificate_authority_data.take().is_some(),
            });
        }

        Ok(ClusterEntry {
            name,
            cluster_id: cluster_id.to_owned(),
            source_context: context.name.clone(),
            server: cluster.cluster.server.clone(),
            certificate_authority_data,
            insecure_skip_tls_verify: insecure,
            client_certificate_data: user.user.client_certificate_data.clone(),
            client_key_data: user.user.client_key_data.clone(),
            exec: None,
            warnings,
        })
    }

    /// The name of the cluster, user and context entries.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The response's context this entry was taken from (`internal` or `external`).
    pub fn source_context(&self) -> &str {
        &self.source_context
    }

    /// The API server's address.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// Base64 of the PEM CA certificate; `None` when the cluster skips TLS verification.
    pub fn certificate_authority_data(&self) -> Option<&str> {
        self.certificate_authority_data.as_deref()
    }

    /// Whether the server's certificate goes unverified.
    pub fn insecure_skip_tls_verify(&self) -> bool {
        self.insecure_skip_tls_verify
    }

    /// Base64 of the PEM client certificate.
    pub fn client_certificate_data(&self) -> &str {
        &self.client_certificate_data
    }

    /// Base64 of the PEM client key. A secret.
    pub fn client_key_data(&self) -> &SecretString {
        &self.client_key_data
    }

    /// What the caller should tell the user.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The `clusters` item, `{name, cluster: {server, …}}`.
    pub(crate) fn cluster_item(&self) -> serde_yaml::Value {
        let mut cluster = serde_yaml::Mapping::new();
        cluster.insert("server".into(), self.server.clone().into());
        if let Some(ca) = &self.certificate_authority_data {
            cluster.insert("certificate-authority-data".into(), ca.clone().into());
        }
        if self.insecure_skip_tls_verify {
            cluster.insert("insecure-skip-tls-verify".into(), true.into());
        }
        named_item(&self.name, "cluster", cluster)
    }

    /// This entry with a user that runs `exec` for its credential instead of holding a key
    /// and a certificate: the key is dropped from the entry.
    pub fn with_exec(mut self, exec: ExecUser) -> ClusterEntry {
        self.exec = Some(exec);
        self.client_key_data = SecretString::from(String::new());
        self.client_certificate_data = String::new();
        self
    }

    /// The exec stanza, when the user runs a credential plugin.
    pub fn exec(&self) -> Option<&ExecUser> {
        self.exec.as_ref()
    }

    /// The `users` item, `{name, user: {client-certificate-data, client-key-data}}`, with the
    /// key exposed: only the final rendering redacts. With [`with_exec`](Self::with_exec),
    /// `{name, user: {exec: …}}`.
    pub(crate) fn user_item(&self) -> serde_yaml::Value {
        if let Some(exec) = &self.exec {
            return named_item(&self.name, "user", exec.user_body());
        }
        let mut user = serde_yaml::Mapping::new();
        user.insert(
            "client-certificate-data".into(),
            self.client_certificate_data.clone().into(),
        );
        user.insert(
            "client-key-data".into(),
            self.client_key_data.expose_secret().to_owned().into(),
        );
        named_item(&self.name, "user", user)
    }

    /// The cluster id the entry was fetched for.
    pub fn cluster_id(&self) -> &str {
        &self.cluster_id
    }

    /// The `contexts` item, `{name, context: {cluster, user, extensions}}`; the extension
    /// [`MARKER`] says that this tool wrote it, so that a rerun may replace it and nothing
    /// else is replaced.
    pub(crate) fn context_item(&self) -> serde_yaml::Value {
        let mut context = serde_yaml::Mapping::new();
        context.insert("cluster".into(), self.name.clone().into());
        context.insert("user".into(), self.name.clone().into());
        let mut extension = serde_yaml::Mapping::new();
        extension.insert("cluster-id".into(), self.cluster_id.clone().into());
        context.insert(
            "extensions".into(),
            vec![named_item(MARKER, "extension", extension)].into(),
        );
        named_item(&self.name, "context", context)
    }
}

fn named_item(name: &str, key: &str, body: serde_yaml::Mapping) -> serde_yaml::Value {
    let mut item = serde_yaml::Mapping::new();
    item.insert("name".into(), name.to_owned().into());
    item.insert(key.into(), body.into());
    item.into()
}

/// The first item named `wanted`; warns when there are more.
fn first_named<'a, T>(
    items: &'a [T],
    name_of: impl Fn(&T) -> &String,
    wanted: &str,
    kind: &'static str,
    warnings: &mut Vec<Warning>,
) -> Option<&'a T> {
    let mut matching = items.iter().filter(|item| name_of(item) == wanted);
    let first = matching.next()?;
    let more = matching.count();
    if more > 0 {
        warnings.push(Warning::DuplicateName {
            kind,
            name: wanted.to_owned(),
            count: more + 1,
        });
    }
    Some(first)
}

/// Checks that `alias` can name a cluster, user and context: not empty, no whitespace at
/// either end, no control characters. [`ClusterEntry::from_response`] applies it; a command
/// line can apply it while parsing, before any request is made.
///
/// ```
/// use clustercert_kubeconfig::check_alias;
/// assert!(check_alias("prod").is_ok());
/// assert!(check_alias("").is_err());
/// assert!(check_alias(" prod").is_err());
/// ```
pub fn check_alias(alias: &str) -> Result<(), KubeconfigError> {
    let reason = if alias.trim().is_empty() {
        "an alias must not be empty"
    } else if alias.trim() != alias {
        "an alias must not start or end with whitespace"
    } else if alias.chars().any(char::is_control) {
        "an alias must not contain control characters"
    } else {
        return Ok(());
    };
    Err(KubeconfigError::InvalidName {
        name: alias.to_owned(),
        reason,
    })
}
