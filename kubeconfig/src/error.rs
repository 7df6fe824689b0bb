//! What can go wrong between a response and a kubeconfig file.

use std::path::PathBuf;

use super::ContextChoice;

/// An error of the [`kubeconfig`](super) module. Its message is one line meant for a person;
/// it never contains a secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KubeconfigError {
    /// Not one of `auto`, `internal`, `external`.
    #[error("invalid context choice `{value}`: expected auto, internal or external")]
    InvalidChoice {
        /// What was given.
        value: String,
    },
    /// The chosen context is not in the response.
    #[error("{}", context_not_found(*choice, wanted, available))]
    ContextNotFound {
        /// The choice that was made.
        choice: ContextChoice,
        /// The context name it asked for.
        wanted: String,
        /// The contexts the response has.
        available: Vec<String>,
    },
    /// The chosen context names a cluster the response does not have.
    #[error(
        "context `{context}` names cluster `{cluster}`, which is not in the response; it has: {}",
        list(available)
    )]
    ClusterNotFound {
        /// The context.
        context: String,
        /// The cluster it names.
        cluster: String,
        /// The clusters the response has.
        available: Vec<String>,
    },
    /// The chosen context names a user the response does not have.
    #[error(
        "context `{context}` names user `{user}`, which is not in the response; it has: {}",
        list(available)
    )]
    UserNotFound {
        /// The context.
        context: String,
        /// The user it names.
        user: String,
        /// The users the response has.
        available: Vec<String>,
    },
    /// A cluster id or alias that cannot be a name.
    #[error("invalid name {name:?}: {reason}")]
    InvalidName {
        /// The refused name.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// The existing kubeconfig cannot be read as one; it is left untouched.
    #[error(
        "{} is not a valid kubeconfig, so it was left untouched: {reason}",
        describe(path)
    )]
    Malformed {
        /// The file, when the text came from one.
        path: Option<PathBuf>,
        /// What is wrong with it.
        reason: String,
    },
    /// Reading or writing a file failed.
    #[error("cannot {action} {}: {source}", path.display())]
    Io {
        /// What was being done, for example `write`.
        action: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Another writer held the kubeconfig's lock for longer than the wait allowed.
    #[error(
        "cannot lock the kubeconfig: {} was held by {holder} for {}s; if no kubectl or \
         cce-kubeconfig is writing the file, remove it",
        lock_file.display(),
        waited.as_secs_f32()
    )]
    Locked {
        /// The lock file that stayed.
        lock_file: PathBuf,
        /// How long we waited.
        waited: std::time::Duration,
        /// Who probably holds it.
        holder: String,
    },
    /// The file exists but is not a regular file (a device, a folder, …): it is not written.
    #[error("{} is not a regular file ({kind}), so it is not used as a kubeconfig", path.display())]
    NotAFile {
        /// The path (a symbolic link's target).
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// An entry of that name exists and was not written by this tool.
    #[error("the name `{name}` is taken in {}: {what}; choose another --alias or remove it", path.display())]
    NameTaken {
        /// The name.
        name: String,
        /// The kubeconfig.
        path: PathBuf,
        /// What holds it.
        what: String,
    },
    /// A client certificate and key that cannot serve as a credential.
    #[error("the client certificate cannot be used: {0}")]
    Credential(String),
    /// The kubeconfig could not be rendered as YAML.
    #[error("cannot render the kubeconfig as YAML: {0}")]
    Render(String),
    /// No kubeconfig path was given and none could be derived (no `KUBECONFIG`, no home).
    #[error("no kubeconfig path: KUBECONFIG is not set and the home folder is unknown")]
    NoDefaultPath,
    /// kube-rs refused the kubeconfig.
    #[cfg(feature = "kube")]
    #[error("kube-rs refused the kubeconfig: {0}")]
    Kube(String),
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "nothing".to_owned()
    } else {
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn context_not_found(choice: ContextChoice, wanted: &str, available: &[String]) -> String {
    let hint = if wanted == "external" {
        " (a cluster without a public IP has no external context: choose internal, or bind an EIP to the cluster)"
    } else {
        ""
    };
    match choice {
        ContextChoice::Auto => format!(
            "the response's current-context `{wanted}` is not among its contexts: {}",
            list(available)
        ),
        _ => format!(
            "context `{wanted}` is not in the response; it has: {}{hint}",
            list(available)
        ),
    }
}

fn describe(path: &Option<PathBuf>) -> String {
    match path {
        Some(path) => path.display().to_string(),
        None => "the existing kubeconfig".to_owned(),
    }
}
