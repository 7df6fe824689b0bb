//! [`Credentials`]: an IAM token, or AK/SK (permanent or temporary) with a project id (or a
//! domain id, for global services), from code, from the environment under the official SDK's
//! variable names, or through the official SDK's provider chain (see [`crate::provider`] and
//! [`Credentials::from_chain`]).

use std::fmt;

use super::secret::SecretString;

/// Access key (AK) of permanent or temporary credentials.
pub const ENV_AK: &str = "HUAWEICLOUD_SDK_AK";
/// Secret key (SK).
pub const ENV_SK: &str = "HUAWEICLOUD_SDK_SK";
/// Project id, sent as `X-Project-Id` with AK/SK.
pub const ENV_PROJECT_ID: &str = "HUAWEICLOUD_SDK_PROJECT_ID";
/// Security token of temporary AK/SK, sent as `X-Security-Token`.
pub const ENV_SECURITY_TOKEN: &str = "HUAWEICLOUD_SDK_SECURITY_TOKEN";
/// An IAM token, sent as `X-Auth-Token`. Not an official SDK variable: this crate's own.
pub const ENV_AUTH_TOKEN: &str = "HUAWEICLOUD_SDK_AUTH_TOKEN";

/// How requests are authenticated. `Debug` never shows the SK or a token.
///
/// ```
/// use clustercert_runtime::Credentials;
/// let creds = Credentials::ak_sk("MY-AK", "MY-SK", "0123456789abcdef");
/// assert!(!format!("{creds:?}").contains("MY-SK"));
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum Credentials {
    /// An IAM token, sent as `X-Auth-Token`.
    Token(SecretString),
    /// AK/SK signing (`SDK-HMAC-SHA256`); the project id goes in `X-Project-Id`.
    AkSk {
        /// The access key (AK). An identifier, not a secret.
        access_key: String,
        /// The secret key (SK).
        secret_key: SecretString,
        /// The project id.
        project_id: String,
        /// The security token of temporary credentials, sent (and signed) as
        /// `X-Security-Token`.
        security_token: Option<SecretString>,
    },
    /// AK/SK signing for a global service: the domain (account) id goes in `X-Domain-Id`
    /// (a profile file's `global` section).
    GlobalAkSk {
        /// The access key (AK). An identifier, not a secret.
        access_key: String,
        /// The secret key (SK).
        secret_key: SecretString,
        /// The domain id.
        domain_id: String,
        /// The security token of temporary credentials, sent (and signed) as
        /// `X-Security-Token`.
        security_token: Option<SecretString>,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Token(token) => f.debug_tuple("Token").field(token).finish(),
            Credentials::AkSk {
                access_key,
                secret_key,
                project_id,
                security_token,
            } => f
                .debug_struct("AkSk")
                .field("access_key", access_key)
                .field("secret_key", secret_key)
                .field("project_id", project_id)
                .field("security_token", security_token)
                .finish(),
            Credentials::GlobalAkSk {
                access_key,
                secret_key,
                domain_id,
                security_token,
            } => f
                .debug_struct("GlobalAkSk")
                .field("access_key", access_key)
                .field("secret_key", secret_key)
                .field("domain_id", domain_id)
                .field("security_token", security_token)
                .finish(),
        }
    }
}

/// Why credentials could not be read from the environment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CredentialsError {
    /// None of the variables is set.
    #[error(
        "no credentials: set {ENV_AK}, {ENV_SK} and {ENV_PROJECT_ID} (and {ENV_SECURITY_TOKEN} for temporary credentials), or {ENV_AUTH_TOKEN}"
    )]
    NotSet,
    /// A variable the others need is missing.
    #[error("{missing} is not set, but {because} is")]
    Missing {
        /// The variable that is missing.
        missing: &'static str,
        /// The variable whose presence requires it.
        because: &'static str,
    },
    /// Both a token and AK/SK are set, and it is unclear which to use.
    #[error("both {ENV_AUTH_TOKEN} and {ENV_AK} are set; unset one of them")]
    Ambiguous,
    /// A provider (or every provider of a chain) found no credentials: where each looked,
    /// and what it found there.
    #[error("no credentials found; looked in: {}", looked.join("; "))]
    NotFound {
        /// One entry per place, for example `profile file /root/.huaweicloud/credentials:
        /// does not exist`.
        looked: Vec<String>,
    },
    /// A provider found credentials but cannot use them (a key missing from a profile file,
    /// a metadata server's error): where, and why, on one line.
    #[error("{0}")]
    Invalid(String),
}

impl Credentials {
    /// An IAM token (`X-Auth-Token`).
    pub fn token(token: impl Into<String>) -> Self {
        Credentials::Token(SecretString::new(token.into()))
    }

    /// Permanent AK/SK with the project id.
    pub fn ak_sk(
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
        project_id: impl Into<String>,
    ) -> Self {
        Credentials::AkSk {
            access_key: access_key.into(),
            secret_key: SecretString::new(secret_key.into()),
            project_id: project_id.into(),
            security_token: None,
        }
    }

    /// Temporary AK/SK with their security token and the project id.
    pub fn temporary(
        access_key: impl Into<String>,
        secret_key: impl Into<String>,
        security_token: impl Into<String>,
        project_id: impl Into<String>,
    ) -> Self {
        Credentials::AkSk {
            access_key: access_key.into(),
            secret_key: SecretString::new(secret_key.into()),
            project_id: project_id.into(),
            security_token: Some(SecretString::new(security_token.into())),
        }
    }

    /// The same credentials signing for `project_id`: AK/SK get it as their project (the one
    /// sent and signed in `X-Project-Id`, which must be the request path's); a token or global
    /// AK/SK are returned as they are. For a tool whose command line names the project while
    /// the keys come from elsewhere (a profile file, instance metadata).
    ///
    /// ```
    /// use clustercert_runtime::Credentials;
    /// let creds = Credentials::ak_sk("AK", "SK", "from-file").for_project("from-flag");
    /// assert!(format!("{creds:?}").contains("from-flag"));
    /// ```
    #[must_use]
    pub fn for_project(self, project_id: &str) -> Self {
        match self {
            Credentials::AkSk {
                access_key,
                secret_key,
                security_token,
                ..
            } => Credentials::AkSk {
                access_key,
                secret_key,
                project_id: project_id.to_owned(),
                security_token,
            },
            other => other,
        }
    }

    /// Reads credentials from the process environment; see [`Credentials::from_lookup`].
    pub fn from_env() -> Result<Self, CredentialsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Resolves credentials through the default provider chain, in the official SDK's order:
    /// the environment, then the profile file, then the ECS instance metadata (see
    /// [`ProviderChain::default`](crate::provider::ProviderChain)). The result says where they
    /// came from and carries warnings to show (a profile file others can read). To have a
    /// client refresh temporary credentials, give it the chain itself with
    /// [`ClientBuilder::credentials_provider`](crate::ClientBuilder::credentials_provider).
    pub async fn from_chain() -> Result<crate::provider::Provided, CredentialsError> {
        use crate::provider::ProvideCredentials;
        crate::provider::ProviderChain::default().provide().await
    }

    /// The AK and SK to sign with, for AK/SK credentials.
    pub(crate) fn signing_keys(&self) -> Option<(&str, &SecretString)> {
        match self {
            Credentials::AkSk {
                access_key,
                secret_key,
                ..
            }
            | Credentials::GlobalAkSk {
                access_key,
                secret_key,
                ..
            } => Some((access_key, secret_key)),
            Credentials::Token(_) => None,
        }
    }

    /// Reads credentials through `lookup` (a variable name to its value), so that tests need
    /// not touch the process environment. An empty value counts as unset.
    ///
    /// - `HUAWEICLOUD_SDK_AK` or `HUAWEICLOUD_SDK_SK` set: AK/SK; both are required, and
    ///   `HUAWEICLOUD_SDK_PROJECT_ID` too. With `HUAWEICLOUD_SDK_SECURITY_TOKEN` they are
    ///   temporary credentials.
    /// - Otherwise `HUAWEICLOUD_SDK_AUTH_TOKEN`: an IAM token. A `HUAWEICLOUD_SDK_PROJECT_ID`
    ///   beside it is ignored (a token carries its own scope; the project id only goes with
    ///   AK/SK), and with neither a token nor AK/SK it is [`CredentialsError::NotSet`].
    /// - Both kinds set ([`CredentialsError::Ambiguous`]), or a security token without AK/SK
    ///   ([`CredentialsError::Missing`] naming `HUAWEICLOUD_SDK_AK`): an error.
    ///
    /// ```
    /// use clustercert_runtime::{Credentials, CredentialsError};
    /// let env = |name: &str| (name == "HUAWEICLOUD_SDK_AK").then(|| "AK".to_owned());
    /// let err = Credentials::from_lookup(env).unwrap_err();
    /// assert_eq!(err.to_string(), "HUAWEICLOUD_SDK_SK is not set, but HUAWEICLOUD_SDK_AK is");
    /// ```
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, CredentialsError> {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let ak = get(ENV_AK);
        let sk = get(ENV_SK);
        let project = get(ENV_PROJECT_ID);
        let security_token = get(ENV_SECURITY_TOKEN);
        let token = get(ENV_AUTH_TOKEN);

        if ak.is_none() && sk.is_none() {
            if security_token.is_some() {
                return Err(CredentialsError::Missing {
                    missing: ENV_AK,
                    because: ENV_SECURITY_TOKEN,
                });
            }
            return match token {
                Some(token) => Ok(Credentials::token(token)),
                None => Err(CredentialsError::NotSet),
            };
        }
        if token.is_some() {
            return Err(CredentialsError::Ambiguous);
        }
        let (access_key, secret_key) = match (ak, sk) {
            (Some(ak), Some(sk)) => (ak, sk),
            (Some(_), None) => {
                return Err(CredentialsError::Missing {
                    missing: ENV_SK,
                    because: ENV_AK,
                })
            }
            _ => {
                return Err(CredentialsError::Missing {
                    missing: ENV_AK,
                    because: ENV_SK,
                })
            }
        };
        let project_id = project.ok_or(CredentialsError::Missing {
            missing: ENV_PROJECT_ID,
            because: ENV_AK,
        })?;
        Ok(Credentials::AkSk {
            access_key,
            secret_key: SecretString::new(secret_key),
            project_id,
            security_token: security_token.map(SecretString::new),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn from(vars: &[(&str, &str)]) -> Result<Credentials, CredentialsError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Credentials::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn ak_sk_with_project() {
        let c = from(&[(ENV_AK, "a"), (ENV_SK, "s"), (ENV_PROJECT_ID, "p")]).unwrap();
        assert_eq!(c, Credentials::ak_sk("a", "s", "p"));
    }

    #[test]
    fn temporary_credentials() {
        let c = from(&[
            (ENV_AK, "a"),
            (ENV_SK, "s"),
            (ENV_PROJECT_ID, "p"),
            (ENV_SECURITY_TOKEN, "t"),
        ])
        .unwrap();
        assert_eq!(c, Credentials::temporary("a", "s", "t", "p"));
    }

    #[test]
    fn token() {
        let c = from(&[(ENV_AUTH_TOKEN, "tok")]).unwrap();
        assert_eq!(c, Credentials::token("tok"));
    }

    #[test]
    fn half_set_names_the_missing_variable() {
        let cases: [(&[(&str, &str)], &str); 5] = [
            (&[(ENV_AK, "a")], ENV_SK),
            (&[(ENV_SK, "s")], ENV_AK),
            (&[(ENV_AK, "a"), (ENV_SK, "s")], ENV_PROJECT_ID),
            (&[(ENV_SECURITY_TOKEN, "t")], ENV_AK),
            (
                &[(ENV_AK, "a"), (ENV_SK, ""), (ENV_PROJECT_ID, "p")],
                ENV_SK,
            ),
        ];
        for (vars, missing) in cases {
            let err = from(vars).unwrap_err();
            assert!(
                matches!(err, CredentialsError::Missing { missing: m, .. } if m == missing),
                "{vars:?}: {err}"
            );
            assert!(err.to_string().starts_with(missing), "{err}");
        }
    }

    #[test]
    fn a_project_id_without_ak_sk_is_ignored_beside_a_token() {
        let c = from(&[(ENV_AUTH_TOKEN, "tok"), (ENV_PROJECT_ID, "p")]).unwrap();
        assert_eq!(c, Credentials::token("tok"));
        assert_eq!(
            from(&[(ENV_PROJECT_ID, "p")]).unwrap_err(),
            CredentialsError::NotSet
        );
    }

    #[test]
    fn nothing_or_both() {
        assert_eq!(from(&[]).unwrap_err(), CredentialsError::NotSet);
        assert!(CredentialsError::NotSet
            .to_string()
            .contains(ENV_AUTH_TOKEN));
        assert_eq!(
            from(&[
                (ENV_AUTH_TOKEN, "t"),
                (ENV_AK, "a"),
                (ENV_SK, "s"),
                (ENV_PROJECT_ID, "p")
            ])
            .unwrap_err(),
            CredentialsError::Ambiguous
        );
    }

    #[test]
    fn debug_redacts() {
        let text = format!(
            "{:?}",
            Credentials::temporary("AK1", "SK-SECRET", "TOK-SECRET", "P1")
        );
        assert!(text.contains("AK1") && text.contains("P1"), "{text}");
        assert!(
            !text.contains("SK-SECRET") && !text.contains("TOK-SECRET"),
            "{text}"
        );
        assert!(!format!("{:?}", Credentials::token("T-SECRET")).contains("T-SECRET"));
    }
}
