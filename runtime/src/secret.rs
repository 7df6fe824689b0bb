//! [`SecretString`]: a string that never prints.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::redact::REDACTION_MARKER;

/// A secret string (an SK, a token, a client key): `Debug` prints a redaction marker and
/// there is no `Display`; the value is reachable only through [`SecretString::expose_secret`].
/// Serializes as the plain string, so a response round-trips.
///
/// ```
/// use clustercert_runtime::SecretString;
/// let key = SecretString::new("hunter2".to_owned());
/// assert_eq!(format!("{key:?}"), "[REDACTED]");
/// assert_eq!(key.expose_secret(), "hunter2");
/// ```
#[derive(Clone)]
pub struct SecretString(secrecy::SecretString);

impl SecretString {
    /// Wraps a secret.
    pub fn new(value: String) -> Self {
        SecretString(secrecy::SecretString::from(value))
    }

    /// The secret itself. Call it only where the value must leave the program.
    pub fn expose_secret(&self) -> &str {
        secrecy::ExposeSecret::expose_secret(&self.0)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTION_MARKER)
    }
}

impl PartialEq for SecretString {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        SecretString::new(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        SecretString::new(value.to_owned())
    }
}

impl Serialize for SecretString {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SecretString::new)
    }
}
