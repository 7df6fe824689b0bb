//! Certificate checks on a kubeconfig body: base64 → PEM, X.509 (v3), the client key matches
//! the client certificate, and the validity period matches the requested duration.
//!
//! The validity is judged by the period (`notAfter − notBefore`), never by today's date, so
//! a recorded certificate that has since expired is still judged correctly. The tolerance is
//! [`VALIDITY_TOLERANCE_SECS`] (one hour either way), which allows a server to backdate
//! `notBefore` for clock skew.

use base64::Engine as _;
use serde_json::Value;
use x509_parser::der_parser::ber::BerObject;
use x509_parser::prelude::{FromDer, X509Certificate, X509Version};
use x509_parser::public_key::PublicKey;

use crate::finding::{Report, Severity};

/// `cert.masked`: the documentation's `******` mask.
pub const MASKED: &str = "cert.masked";
/// `cert.redacted`: a redaction marker (a note).
pub const REDACTED: &str = "cert.redacted";
/// `cert.base64-pem`: base64 of a PEM block of the right kind.
pub const BASE64_PEM: &str = "cert.base64-pem";
/// `cert.x509`: the certificate parses as X.509.
pub const X509: &str = "cert.x509";
/// `cert.x509-v3`: the certificate is X.509 v3.
pub const X509_V3: &str = "cert.x509-v3";
/// `cert.key-match`: the client key belongs to the client certificate.
pub const KEY_MATCH: &str = "cert.key-match";
/// `cert.validity`: the validity period matches the requested duration.
pub const VALIDITY: &str = "cert.validity";

/// The mask the documentation puts in certificate fields.
pub const MASK: &str = "******";
/// The prefix of a redaction marker written by `--record`.
pub const REDACTION_PREFIX: &str = "REDACTED:";
/// Allowed difference between the validity period and the requested duration, in seconds.
pub const VALIDITY_TOLERANCE_SECS: i64 = 3600;

const SECONDS_PER_DAY: i64 = 86_400;

/// What a field must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expected {
    Certificate,
    PrivateKey,
}

/// A decoded PEM block.
struct Block {
    label: String,
    der: Vec<u8>,
}

/// Every certificate check on a 200 body. `base` is the body's JSON Pointer in the case;
/// `duration_days` is the requested validity (already mapped from -1), when known.
pub fn check_certificates(
    body: &Value,
    base: &str,
    duration_days: Option<i64>,
    report: &mut Report,
) {
    let list = |field: &str| {
        body.get(field)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    };
    for (index, entry) in list("clusters").iter().enumerate() {
        let at = format!("{base}/clusters/{index}/cluster/certificate-authority-data");
        if let Some(ca) = entry
            .pointer("/cluster/certificate-authority-data")
            .and_then(Value::as_str)
        {
            if let Some(block) = decode_field(ca, &at, Expected::Certificate, report) {
                // The CA's own period is the cluster's business, not the request's.
                let _ = parse_certificate(&block.der, &at, report);
            }
        }
    }
    for (index, entry) in list("users").iter().enumerate() {
        let user_at = format!("{base}/users/{index}/user");
        let Some(user) = entry.get("user") else {
            continue;
        };
        let cert_at = format!("{user_at}/client-certificate-data");
        let key_at = format!("{user_at}/client-key-data");
        let cert_block = user
            .get("client-certificate-data")
            .and_then(Value::as_str)
            .and_then(|text| decode_field(text, &cert_at, Expected::Certificate, report));
        let key_block = user
            .get("client-key-data")
            .and_then(Value::as_str)
            .and_then(|text| decode_field(text, &key_at, Expected::PrivateKey, report));
        let Some(cert_block) = cert_block else {
            continue;
        };
        let Some(cert) = parse_certificate(&cert_block.der, &cert_at, report) else {
            continue;
        };
        if let Some(days) = duration_days {
            check_validity(&cert, days, &cert_at, report);
        }
        if let Some(key_block) = key_block {
            report.ran(KEY_MATCH);
            if let Err(problem) = key_matches(&key_block, &cert) {
                report.error(KEY_MATCH, key_at, problem);
            }
        }
    }
}

/// Base64 → PEM of the expected kind; reports masks, markers and decoding failures.
fn decode_field(text: &str, at: &str, expected: Expected, report: &mut Report) -> Option<Block> {
    if text.contains(MASK) {
        report.error(
            MASKED,
            at,
            "masked placeholder `******` (as in the documentation), not base64 PEM",
        );
        return None;
    }
    if text.starts_with(REDACTION_PREFIX) {
        report.add(
            REDACTED,
            Severity::Note,
            at,
            "replaced by a redaction marker; not checked",
        );
        return None;
    }
    report.ran(BASE64_PEM);
    let bytes = match base64::engine::general_purpose::STANDARD.decode(text.trim()) {
        Ok(bytes) => bytes,
        Err(e) => {
            report.error(BASE64_PEM, at, format!("not base64 ({e})"));
            return None;
        }
    };
    let pem = match x509_parser::pem::parse_x509_pem(&bytes) {
        Ok((_, pem)) => pem,
        Err(_) => {
            report.error(BASE64_PEM, at, "base64, but not of a PEM block");
            return None;
        }
    };
    let label_ok = match expected {
        Expected::Certificate => pem.label == "CERTIFICATE",
        Expected::PrivateKey => {
            matches!(
                pem.label.as_str(),
                "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY"
            )
        }
    };
    if !label_ok {
        let wanted = match expected {
            Expected::Certificate => "CERTIFICATE",
            Expected::PrivateKey => "PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY",
        };
        report.error(
            BASE64_PEM,
            at,
            format!("the PEM block is {:?}, expected {wanted}", pem.label),
        );
        return None;
    }
    Some(Block {
        label: pem.label,
        der: pem.contents,
    })
}

/// `cert.x509` and `cert.x509-v3`.
fn parse_certificate<'a>(
    der: &'a [u8],
    at: &str,
    report: &mut Report,
) -> Option<X509Certificate<'a>> {
    report.ran(X509);
    let cert = match X509Certificate::from_der(der) {
        Ok((_, cert)) => cert,
        Err(e) => {
            report.error(X509, at, format!("does not parse as X.509 ({e})"));
            return None;
        }
    };
    report.ran(X509_V3);
    if cert.version() != X509Version::V3 {
        report.error(
            X509_V3,
            at,
            format!(
                "is X.509 v{}, rustls-based clients (kube-rs) require v3",
                cert.version().0 + 1
            ),
        );
    }
    Some(cert)
}

/// `cert.validity`: `notAfter − notBefore` against the duration.
fn check_validity(cert: &X509Certificate<'_>, days: i64, at: &str, report: &mut Report) {
    report.ran(VALIDITY);
    let validity = cert.validity();
    let period = validity.not_after.timestamp() - validity.not_before.timestamp();
    let expected = days * SECONDS_PER_DAY;
    if (period - expected).abs() > VALIDITY_TOLERANCE_SECS {
        report.error(
            VALIDITY,
            at,
            format!(
                "valid for {}, expected {days} days (± 1 hour)",
                describe_period(period)
            ),
        );
    }
}

/// `1d 02:00:00` style.
fn describe_period(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let s = seconds.abs();
    format!(
        "{sign}{}d {:02}:{:02}:{:02}",
        s / SECONDS_PER_DAY,
        s % SECONDS_PER_DAY / 3600,
        s % 3600 / 60,
        s % 60
    )
}

/// Whether the private key belongs to the certificate; the problem in words when not. Never
/// puts key material in the message.
fn key_matches(key: &Block, cert: &X509Certificate<'_>) -> Result<(), String> {
    let spki = cert.public_key();
    match key.label.as_str() {
        "RSA PRIVATE KEY" => {
            let (n, e) = pkcs1_public(&key.der).ok_or("the PKCS#1 RSA key does not parse")?;
            compare_rsa(spki.parsed().ok(), n, e)
        }
        "EC PRIVATE KEY" => {
            let point = sec1_public(&key.der)
                .ok_or("the SEC1 EC key does not parse or carries no public key")?;
            compare_raw(&spki.subject_public_key.data, &point)
        }
        _ => {
            // PKCS#8: ring (through rcgen) derives the public key for EC and Ed25519, and
            // for RSA the key carries it.
            if let Some((n, e)) = pkcs8_rsa_public(&key.der) {
                return compare_rsa(spki.parsed().ok(), n, e);
            }
            let pair = rcgen::KeyPair::try_from(key.der.as_slice())
                .map_err(|_| "the PKCS#8 key does not parse (or its algorithm is not supported)")?;
            compare_raw(&spki.subject_public_key.data, pair.public_key_raw())
        }
    }
}

fn compare_raw(cert_key: &[u8], key_public: &[u8]) -> Result<(), String> {
    if cert_key == key_public {
        Ok(())
    } else {
        Err("the client key's public key is not the client certificate's".into())
    }
}

fn compare_rsa(cert_key: Option<PublicKey<'_>>, n: Vec<u8>, e: Vec<u8>) -> Result<(), String> {
    match cert_key {
        Some(PublicKey::RSA(rsa)) => {
            if strip_zeros(rsa.modulus) == n && strip_zeros(rsa.exponent) == e {
                Ok(())
            } else {
                Err("the client key's public key is not the client certificate's".into())
            }
        }
        _ => Err("the client key is RSA, the client certificate's key is not".into()),
    }
}

fn strip_zeros(bytes: &[u8]) -> Vec<u8> {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    bytes[start..].to_vec()
}

/// PKCS#1 `RSAPrivateKey ::= SEQUENCE { version, modulus, publicExponent, … }` → (n, e).
fn pkcs1_public(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (_, object) = x509_parser::der_parser::parse_der(der).ok()?;
    let items = object.as_sequence().ok()?;
    let n = items.get(1)?.as_slice().ok()?;
    let e = items.get(2)?.as_slice().ok()?;
    Some((strip_zeros(n), strip_zeros(e)))
}

/// PKCS#8 `PrivateKeyInfo` holding an RSA key → (n, e); `None` for any other algorithm.
fn pkcs8_rsa_public(der: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
    let (_, object) = x509_parser::der_parser::parse_der(der).ok()?;
    let items = object.as_sequence().ok()?;
    let algorithm = items.get(1)?.as_sequence().ok()?;
    let oid = algorithm.first()?.as_oid().ok()?;
    if oid.to_id_string() != RSA_ENCRYPTION {
        return None;
    }
    pkcs1_public(items.get(2)?.as_slice().ok()?)
}

/// SEC1 `ECPrivateKey ::= SEQUENCE { version, privateKey, [0] parameters, [1] publicKey }` →
/// the public point, when the key carries it.
fn sec1_public(der: &[u8]) -> Option<Vec<u8>> {
    let (_, object) = x509_parser::der_parser::parse_der(der).ok()?;
    let items = object.as_sequence().ok()?;
    items.iter().skip(2).find_map(|item: &BerObject<'_>| {
        if item.header.raw_tag() != Some(&[0xa1]) {
            return None;
        }
        let inner = item.as_slice().ok()?;
        let (_, bits) = x509_parser::der_parser::parse_der(inner).ok()?;
        Some(bits.as_bitstring().ok()?.data.to_vec())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{MintOptions, Minted};
    use serde_json::json;

    fn body_with(minted: &Minted) -> Value {
        json!({
            "clusters": [{"name": "internalCluster", "cluster": {"server": "https://10.0.0.1:5443", "certificate-authority-data": minted.ca_b64()}}],
            "users": [{"name": "user", "user": {"client-certificate-data": minted.cert_b64(), "client-key-data": minted.key_b64()}}],
        })
    }

    fn findings(body: &Value, days: Option<i64>) -> Vec<(&'static str, Severity, String)> {
        let mut report = Report::new();
        check_certificates(body, "", days, &mut report);
        report
            .findings()
            .iter()
            .map(|f| (f.check, f.severity, f.path.clone()))
            .collect()
    }

    fn minted(days: i64) -> Minted {
        Minted::new(&MintOptions {
            days,
            ..MintOptions::default()
        })
        .unwrap()
    }

    #[test]
    fn a_good_certificate_passes_every_check() {
        let m = minted(30);
        let mut report = Report::new();
        check_certificates(&body_with(&m), "", Some(30), &mut report);
        assert_eq!(report.findings(), &[]);
        let ran = report.outcomes();
        for check in [BASE64_PEM, X509, X509_V3, KEY_MATCH, VALIDITY] {
            assert!(ran.contains_key(check), "{check} ran");
        }
    }

    #[test]
    fn masked_fields_are_named_not_parsed() {
        let body = json!({"users": [{"user": {"client-certificate-data": "LS0tLS1CRUdJTiBDR******QVRFLS0tLS0K", "client-key-data": "LS0tLS1CRUdJTi******BLRVktLS0tLQo="}}]});
        assert_eq!(
            findings(&body, Some(30)),
            vec![
                (
                    MASKED,
                    Severity::Error,
                    "/users/0/user/client-certificate-data".into()
                ),
                (
                    MASKED,
                    Severity::Error,
                    "/users/0/user/client-key-data".into()
                ),
            ]
        );
    }

    #[test]
    fn redaction_markers_are_notes() {
        let body = json!({"users": [{"user": {"client-certificate-data": "REDACTED:client-certificate-data", "client-key-data": "REDACTED:client-key-data"}}]});
        let found = findings(&body, Some(30));
        assert_eq!(found.len(), 2);
        assert!(found
            .iter()
            .all(|(check, severity, _)| *check == REDACTED && *severity == Severity::Note));
    }

    #[test]
    fn not_base64_not_pem_and_wrong_label_are_reported() {
        let m = minted(30);
        let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        for value in ["%%%".to_owned(), b64("hello"), m.key_b64()] {
            let body = json!({"clusters": [{"cluster": {"certificate-authority-data": value}}]});
            assert_eq!(
                findings(&body, None),
                vec![(
                    BASE64_PEM,
                    Severity::Error,
                    "/clusters/0/cluster/certificate-authority-data".into()
                )]
            );
        }
    }

    #[test]
    fn garbage_in_a_certificate_block_is_not_x509() {
        let pem = "-----BEGIN CERTIFICATE-----\nAAECAwQ=\n-----END CERTIFICATE-----\n";
        let body = json!({"clusters": [{"cluster": {"certificate-authority-data": base64::engine::general_purpose::STANDARD.encode(pem)}}]});
        assert_eq!(
            findings(&body, None),
            vec![(
                X509,
                Severity::Error,
                "/clusters/0/cluster/certificate-authority-data".into()
            )]
        );
    }

    #[test]
    fn a_key_of_another_certificate_does_not_match() {
        let a = minted(30);
        let b = minted(30);
        let mut body = body_with(&a);
        body["users"][0]["user"]["client-key-data"] = json!(b.key_b64());
        assert_eq!(
            findings(&body, Some(30)),
            vec![(
                KEY_MATCH,
                Severity::Error,
                "/users/0/user/client-key-data".into()
            )]
        );
    }

    #[test]
    fn validity_is_judged_by_the_period_within_an_hour() {
        let m = minted(30);
        assert_eq!(findings(&body_with(&m), Some(30)), vec![]);
        assert_eq!(
            findings(&body_with(&m), Some(31)),
            vec![(
                VALIDITY,
                Severity::Error,
                "/users/0/user/client-certificate-data".into()
            )]
        );
        // Backdated by 59 minutes: within tolerance. By 61: not.
        let skewed = |secs| {
            Minted::new(&MintOptions {
                days: 30,
                backdate_secs: secs,
                ..MintOptions::default()
            })
            .unwrap()
        };
        assert_eq!(findings(&body_with(&skewed(59 * 60)), Some(30)), vec![]);
        assert_eq!(findings(&body_with(&skewed(61 * 60)), Some(30)).len(), 1);
        // Without a known duration the period is not judged.
        assert_eq!(findings(&body_with(&m), None), vec![]);
    }

    #[test]
    fn an_expired_certificate_is_judged_by_its_period_not_today() {
        let old = Minted::new(&MintOptions {
            days: 1,
            not_before: (2020, 1, 1),
            ..MintOptions::default()
        })
        .unwrap();
        assert_eq!(findings(&body_with(&old), Some(1)), vec![]);
    }

    fn b64(text: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(text)
    }

    #[test]
    fn x509_v1_is_reported() {
        // rcgen writes only v3; this v1 certificate was made with `openssl x509 -req`.
        let body = json!({"clusters": [{"cluster": {"certificate-authority-data": b64(include_str!("testdata/v1.crt"))}}]});
        assert_eq!(
            findings(&body, None),
            vec![(
                X509_V3,
                Severity::Error,
                "/clusters/0/cluster/certificate-authority-data".into()
            )]
        );
    }

    fn user_body(cert: &str, key: &str) -> Value {
        json!({"users": [{"user": {"client-certificate-data": b64(cert), "client-key-data": b64(key)}}]})
    }

    #[test]
    fn pkcs1_pkcs8_rsa_and_sec1_ec_keys_match_their_certificates() {
        let rsa = include_str!("testdata/rsa.crt");
        let ec = include_str!("testdata/ec.crt");
        assert_eq!(
            findings(
                &user_body(rsa, include_str!("testdata/rsa-pkcs1.key")),
                Some(30)
            ),
            vec![]
        );
        assert_eq!(
            findings(
                &user_body(rsa, include_str!("testdata/rsa-pkcs8.key")),
                Some(30)
            ),
            vec![]
        );
        assert_eq!(
            findings(
                &user_body(ec, include_str!("testdata/ec-sec1.key")),
                Some(1)
            ),
            vec![]
        );
    }

    #[test]
    fn keys_of_another_algorithm_do_not_match() {
        let rsa = include_str!("testdata/rsa.crt");
        let ec = include_str!("testdata/ec.crt");
        let key_at = "/users/0/user/client-key-data".to_owned();
        assert_eq!(
            findings(&user_body(ec, include_str!("testdata/rsa-pkcs1.key")), None),
            vec![(KEY_MATCH, Severity::Error, key_at.clone())]
        );
        assert_eq!(
            findings(&user_body(rsa, include_str!("testdata/ec-sec1.key")), None),
            vec![(KEY_MATCH, Severity::Error, key_at.clone())]
        );
        let m = minted(30);
        let pkcs8_ec = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(m.key_b64())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            findings(&user_body(rsa, &pkcs8_ec), None),
            vec![(KEY_MATCH, Severity::Error, key_at)]
        );
    }

    #[test]
    fn a_broken_key_is_a_key_match_error_without_key_material() {
        let rsa = include_str!("testdata/rsa.crt");
        let broken = "-----BEGIN RSA PRIVATE KEY-----\nAAECAwQ=\n-----END RSA PRIVATE KEY-----\n";
        let mut report = Report::new();
        check_certificates(&user_body(rsa, broken), "", None, &mut report);
        assert_eq!(report.findings().len(), 1);
        assert_eq!(report.findings()[0].check, KEY_MATCH);
        assert!(!report.findings()[0].message.contains("AAECAwQ"));
    }

    #[test]
    fn period_is_described_in_days_and_hours() {
        assert_eq!(describe_period(86_400 * 30 + 3_600 * 2 + 5), "30d 02:00:05");
        assert_eq!(describe_period(-60), "-0d 00:01:00");
    }
}
