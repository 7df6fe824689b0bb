//! Real certificates: one CA per cluster, made at start, and a fresh client certificate signed
//! by it on every call.

use base64::Engine as _;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SerialNumber,
};
use time::{Duration, OffsetDateTime};

use clustercert::SecretString;

/// How long a cluster CA is valid: longer than the longest client certificate.
const CA_VALIDITY_DAYS: i64 = 3650;
/// The subject of minted client certificates (Kubernetes reads the user from the CN and groups
/// from O).
const CLIENT_COMMON_NAME: &str = "mock-user";
const CLIENT_ORGANIZATION: &str = "system:masters";

/// A cluster's certificate authority.
pub(crate) struct ClusterCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
    /// Base64 of the CA certificate's PEM, as `certificate-authority-data` carries it.
    pem_base64: String,
}

impl std::fmt::Debug for ClusterCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterCa").finish_non_exhaustive()
    }
}

/// A minted client certificate and its key, both base64 of PEM as the kubeconfig carries them.
pub(crate) struct ClientCert {
    pub(crate) certificate_base64: String,
    pub(crate) key_base64: SecretString,
}

fn base64_of(pem: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(pem.as_bytes())
}

fn random_serial() -> SerialNumber {
    let mut bytes = fastrand::u128(..).to_be_bytes();
    // Positive and non-zero, as RFC 5280 wants.
    bytes[0] = (bytes[0] & 0x7f) | 0x01;
    SerialNumber::from_slice(&bytes)
}

impl ClusterCa {
    /// A new self-signed CA for the cluster.
    pub(crate) fn generate(cluster_id: &str) -> Result<ClusterCa, rcgen::Error> {
        let mut params = CertificateParams::default();
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, format!("{cluster_id} mock CA"));
        name.push(DnType::OrganizationName, "clustercert mock CCE");
        params.distinguished_name = name;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(1);
        params.not_after = now + Duration::days(CA_VALIDITY_DAYS);
        params.serial_number = Some(random_serial());
        let issuer = CertifiedIssuer::self_signed(params, KeyPair::generate()?)?;
        let pem_base64 = base64_of(&issuer.pem());
        Ok(ClusterCa { issuer, pem_base64 })
    }

    /// Base64 of the CA certificate's PEM.
    pub(crate) fn pem_base64(&self) -> &str {
        &self.pem_base64
    }

    /// A new X.509 v3 client certificate valid for `days` days from `now`, with its key.
    pub(crate) fn mint(&self, days: i64, now: OffsetDateTime) -> Result<ClientCert, rcgen::Error> {
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::default();
        let mut name = DistinguishedName::new();
        name.push(DnType::CommonName, CLIENT_COMMON_NAME);
        name.push(DnType::OrganizationName, CLIENT_ORGANIZATION);
        params.distinguished_name = name;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.use_authority_key_identifier_extension = true;
        let not_before = now.replace_nanosecond(0).unwrap_or(now);
        params.not_before = not_before;
        params.not_after = not_before + Duration::days(days);
        params.serial_number = Some(random_serial());
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(ClientCert {
            certificate_base64: base64_of(&cert.pem()),
            key_base64: SecretString::new(base64_of(&key.serialize_pem())),
        })
    }
}
