//! Synthetic kubeconfigs with real certificates (rcgen): a cluster CA, a client certificate it
//! signs, and the client key. Used by the unit tests, by the `mint` subcommand that wrote the
//! valid committed cases, and by the benchmark.

use base64::Engine as _;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
use serde_json::{json, Value};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// How to mint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintOptions {
    /// Validity of the client certificate, in days.
    pub days: i64,
    /// The nominal start of the validity, (year, month, day) at 00:00 UTC.
    pub not_before: (i32, u8, u8),
    /// Seconds `notBefore` is moved earlier (clock-skew backdating), making the period longer.
    pub backdate_secs: i64,
}

impl Default for MintOptions {
    fn default() -> Self {
        MintOptions {
            days: 30,
            not_before: (2026, 1, 1),
            backdate_secs: 0,
        }
    }
}

/// A minted CA, client certificate and client key, as PEM.
pub struct Minted {
    ca_pem: String,
    cert_pem: String,
    cert_der: Vec<u8>,
    key_pem: String,
}

impl std::fmt::Debug for Minted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Minted").finish_non_exhaustive()
    }
}

/// Minting failed.
#[derive(Debug, thiserror::Error)]
pub enum MintError {
    /// A date out of range.
    #[error("invalid date: {0}")]
    Date(String),
    /// rcgen refused.
    #[error("certificate generation failed")]
    Rcgen(#[from] rcgen::Error),
}

fn start_of(options: &MintOptions) -> Result<OffsetDateTime, MintError> {
    let (year, month, day) = options.not_before;
    let month = Month::try_from(month).map_err(|e| MintError::Date(e.to_string()))?;
    let date =
        Date::from_calendar_date(year, month, day).map_err(|e| MintError::Date(e.to_string()))?;
    Ok(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc())
}

impl Minted {
    /// Mints a CA and a client certificate (CN `user`) valid for `options.days`.
    pub fn new(options: &MintOptions) -> Result<Minted, MintError> {
        let start = start_of(options)?;
        let ca_key = KeyPair::generate()?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "conformance-fixture-ca");
        ca_params.not_before = start;
        ca_params.not_after = start + time::Duration::days(3650);
        let ca = ca_params.self_signed(&ca_key)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.distinguished_name.push(DnType::CommonName, "user");
        params.not_before = start - time::Duration::seconds(options.backdate_secs);
        params.not_after = start + time::Duration::days(options.days);
        let cert = params.signed_by(&key, &issuer)?;
        Ok(Minted {
            ca_pem: ca.pem(),
            cert_pem: cert.pem(),
            cert_der: cert.der().to_vec(),
            key_pem: key.serialize_pem(),
        })
    }

    /// Base64 of the CA certificate PEM.
    pub fn ca_b64(&self) -> String {
        b64(&self.ca_pem)
    }

    /// Base64 of the client certificate PEM.
    pub fn cert_b64(&self) -> String {
        b64(&self.cert_pem)
    }

    /// Base64 of the client key PEM (PKCS#8). A (throwaway) secret.
    pub fn key_b64(&self) -> String {
        b64(&self.key_pem)
    }

    /// The client certificate, DER.
    pub fn cert_der(&self) -> Vec<u8> {
        self.cert_der.clone()
    }

    /// A kubeconfig body as CCE returns it: one `internalCluster`, plus an `externalCluster`
    /// (with `insecure-skip-tls-verify: true`) when `external` is true.
    pub fn kubeconfig(&self, external: bool) -> Value {
        let mut clusters = vec![json!({
            "name": "internalCluster",
            "cluster": {"server": "https://192.168.1.7:5443", "certificate-authority-data": self.ca_b64()}
        })];
        let mut contexts = vec![
            json!({"name": "internal", "context": {"cluster": "internalCluster", "user": "user"}}),
        ];
        if external {
            clusters.push(json!({
                "name": "externalCluster",
                "cluster": {"server": "https://203.0.113.10:5443", "certificate-authority-data": self.ca_b64(), "insecure-skip-tls-verify": true}
            }));
            contexts.push(json!({"name": "external", "context": {"cluster": "externalCluster", "user": "user"}}));
        }
        json!({
            "kind": "Config",
            "apiVersion": "v1",
            "preferences": {},
            "clusters": clusters,
            "users": [{"name": "user", "user": {"client-certificate-data": self.cert_b64(), "client-key-data": self.key_b64()}}],
            "contexts": contexts,
            "current-context": if external { "external" } else { "internal" }
        })
    }
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generation_error_shows_its_cause_once() {
        let err = MintError::from(rcgen::Error::CouldNotParseCertificate);
        let cause = rcgen::Error::CouldNotParseCertificate.to_string();
        let rendered = format!("{:#}", anyhow::Error::new(err));
        assert_eq!(rendered.matches(&cause).count(), 1, "{rendered}");
    }

    #[test]
    fn minted_kubeconfigs_have_the_cce_shape() {
        let minted = Minted::new(&MintOptions::default()).unwrap();
        let internal = minted.kubeconfig(false);
        assert_eq!(internal["clusters"].as_array().unwrap().len(), 1);
        assert_eq!(internal["current-context"], "internal");
        let external = minted.kubeconfig(true);
        assert_eq!(
            external["clusters"][1]["cluster"]["insecure-skip-tls-verify"],
            true
        );
        assert_eq!(external["current-context"], "external");
        assert!(!format!("{minted:?}").contains("PRIVATE"));
    }

    #[test]
    fn bad_dates_are_errors_not_panics() {
        let options = MintOptions {
            not_before: (2026, 13, 1),
            ..MintOptions::default()
        };
        assert!(matches!(Minted::new(&options), Err(MintError::Date(_))));
    }
}
