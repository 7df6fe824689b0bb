//! Certificate checks on a kubeconfig body: the client certificate and key judged as kubectl
//! judges them (through [`clustercert_kubeconfig::pair`], the workspace's one implementation
//! of Go's `encoding/pem` + `tls.X509KeyPair`), the CA data as base64 PEM and X.509, the
//! client certificate as X.509 v3, and its validity period against the requested duration.
//!
//! Each defect `pair` can name is its own check, `cert.` + the defect's id: `cert.masked`,
//! `cert.empty`, `cert.data.base64`, `cert.pem.none`, `cert.pem.begin-line`,
//! `cert.pem.end-line`, `cert.pem.label-mismatch`, `cert.pem.base64`, `cert.pem.no-certificate`,
//! `cert.pem.no-key`, `cert.x509`, `cert.x509.public-key`, `cert.key.unsupported`,
//! `cert.key.type-mismatch` and `cert.key.mismatch` (see [`PAIR_CHECKS`]).
//!
//! The validity is judged by the period (`notAfter − notBefore`), never by today's date, so
//! a recorded certificate that has since expired is still judged correctly. The tolerance is
//! [`VALIDITY_TOLERANCE_SECS`] (one hour either way), which allows a server to backdate
//! `notBefore` for clock skew.

use base64::Engine as _;
use clustercert_kubeconfig::pair::{self, Part};
use serde_json::Value;
use x509_parser::prelude::{FromDer, X509Certificate, X509Version};

use crate::finding::{Report, Severity};

/// `cert.masked`: the documentation's `******` mask.
pub const MASKED: &str = "cert.masked";
/// `cert.redaction-marker`: a field replaced by a recording's redaction marker (a note).
pub const REDACTION_MARKER: &str = "cert.redaction-marker";
/// `cert.base64-pem`: the CA data is base64 of a CERTIFICATE PEM block.
pub const BASE64_PEM: &str = "cert.base64-pem";
/// `cert.x509`: the certificate parses as X.509.
pub const X509: &str = "cert.x509";
/// `cert.x509-v3`: the certificate (client or CA) is X.509 v3.
pub const X509_V3: &str = "cert.x509-v3";
/// `cert.key.mismatch`: the client key is not the client certificate's.
pub const KEY_MISMATCH: &str = "cert.key.mismatch";
/// `cert.validity`: the validity period matches the requested duration.
pub const VALIDITY: &str = "cert.validity";

/// The check of each defect [`pair::PairError`] can name: `cert.` + its id, in the order of
/// [`pair::PairError::IDS`].
pub const PAIR_CHECKS: [&str; 15] = [
    "cert.empty",
    MASKED,
    "cert.data.base64",
    "cert.pem.none",
    "cert.pem.begin-line",
    "cert.pem.end-line",
    "cert.pem.label-mismatch",
    "cert.pem.base64",
    "cert.pem.no-certificate",
    "cert.pem.no-key",
    X509,
    "cert.x509.public-key",
    "cert.key.unsupported",
    "cert.key.type-mismatch",
    KEY_MISMATCH,
];

/// For a defect id that a newer `pair` may add: the check it is reported under.
pub const PAIR_OTHER: &str = "cert.pair";

/// The check a `pair` defect id is reported under.
///
/// ```
/// use clustercert_conformance::certs::pair_check;
/// assert_eq!(pair_check("pem.end-line"), "cert.pem.end-line");
/// assert_eq!(pair_check("key.mismatch"), "cert.key.mismatch");
/// ```
pub fn pair_check(id: &str) -> &'static str {
    pair::PairError::IDS
        .iter()
        .position(|known| *known == id)
        .map_or(PAIR_OTHER, |index| PAIR_CHECKS[index])
}

/// The mask the documentation puts in certificate fields (the `pair` module's).
pub const MASK: &str = pair::MASK;
/// What `--record` puts in place of a certificate or key: the runtime's redaction marker.
pub const REDACTION_MARKER_TEXT: &str = clustercert::runtime::redact::REDACTION_MARKER;
/// Allowed difference between the validity period and the requested duration, in seconds.
pub const VALIDITY_TOLERANCE_SECS: i64 = 3600;

const SECONDS_PER_DAY: i64 = 86_400;

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
            check_ca(ca, &at, report);
        }
    }
    for (index, entry) in list("users").iter().enumerate() {
        let Some(user) = entry.get("user") else {
            continue;
        };
        let user_at = format!("{base}/users/{index}/user");
        check_user(user, &user_at, duration_days, report);
    }
}

/// A field's value, unless it is a marker, a mask or empty (each reported here).
fn usable<'a>(
    value: Option<&'a Value>,
    at: &str,
    part: Part,
    report: &mut Report,
) -> Option<&'a str> {
    let text = value?.as_str()?;
    if text == REDACTION_MARKER_TEXT {
        report.add(
            REDACTION_MARKER,
            Severity::Note,
            at,
            "replaced by a redaction marker; not checked",
        );
        return None;
    }
    let defect = if text.trim().is_empty() {
        pair::PairError::Empty { part }
    } else if text.contains(MASK) {
        pair::PairError::Masked { part }
    } else {
        return Some(text);
    };
    report.error(pair_check(defect.id()), at, defect.to_string());
    None
}

/// The client certificate and key: the pair as kubectl judges it, then X.509 v3 and the
/// validity period of the certificate.
fn check_user(user: &Value, user_at: &str, duration_days: Option<i64>, report: &mut Report) {
    let cert_at = format!("{user_at}/client-certificate-data");
    let key_at = format!("{user_at}/client-key-data");
    let cert = usable(
        user.get("client-certificate-data"),
        &cert_at,
        Part::Certificate,
        report,
    );
    let key = usable(user.get("client-key-data"), &key_at, Part::Key, report);
    let Some(cert) = cert else {
        return;
    };
    let mut cert_judged = false;
    if let Some(key) = key {
        for check in PAIR_CHECKS {
            report.ran(check);
        }
        if let Err(defect) = pair::check_client_pair_data(cert, key) {
            let at = match defect.part() {
                Part::Certificate => &cert_at,
                Part::Key => &key_at,
            };
            report.error(pair_check(defect.id()), at.as_str(), defect.to_string());
            if defect.part() == Part::Certificate {
                return;
            }
        }
        cert_judged = true;
    }
    // Without a usable key the certificate is judged alone (base64, PEM, X.509); with one,
    // `pair` has judged it and only its version and period are left.
    let Some(block) = decode_certificate(cert, &cert_at, !cert_judged, report) else {
        return;
    };
    let cert = if cert_judged {
        match X509Certificate::from_der(&block) {
            Ok((_, cert)) => cert,
            Err(_) => return,
        }
    } else {
        match parse_certificate(&block, &cert_at, report) {
            Some(cert) => cert,
            None => return,
        }
    };
    check_v3(&cert, &cert_at, report);
    if let Some(days) = duration_days {
        check_validity(&cert, days, &cert_at, report);
    }
}

/// The CA data: base64 of a CERTIFICATE block that parses as X.509. (Its own period is the
/// cluster's business, not the request's.)
fn check_ca(text: &str, at: &str, report: &mut Report) {
    if text == REDACTION_MARKER_TEXT {
        report.add(
            REDACTION_MARKER,
            Severity::Note,
            at,
            "replaced by a redaction marker; not checked",
        );
        return;
    }
    if text.contains(MASK) {
        report.error(
            MASKED,
            at,
            "masked placeholder `******` (as in the documentation), not base64 PEM",
        );
        return;
    }
    if let Some(der) = decode_certificate(text, at, true, report) {
        if let Some(cert) = parse_certificate(&der, at, report) {
            check_v3(&cert, at, report);
        }
    }
}

/// Base64 → the DER of a CERTIFICATE block; with `judge`, failures are `cert.base64-pem`.
fn decode_certificate(text: &str, at: &str, judge: bool, report: &mut Report) -> Option<Vec<u8>> {
    if judge {
        report.ran(BASE64_PEM);
    }
    let mut fail = |message: String| {
        if judge {
            report.error(BASE64_PEM, at, message);
        }
        None
    };
    let bytes = match base64::engine::general_purpose::STANDARD.decode(text.trim()) {
        Ok(bytes) => bytes,
        Err(e) => return fail(format!("not base64 ({e})")),
    };
    let pem = match x509_parser::pem::parse_x509_pem(&bytes) {
        Ok((_, pem)) => pem,
        Err(_) => return fail("base64, but not of a PEM block".to_owned()),
    };
    if pem.label != "CERTIFICATE" {
        return fail(format!(
            "the PEM block is {:?}, expected CERTIFICATE",
            pem.label
        ));
    }
    Some(pem.contents)
}

/// `cert.x509`.
fn parse_certificate<'a>(
    der: &'a [u8],
    at: &str,
    report: &mut Report,
) -> Option<X509Certificate<'a>> {
    report.ran(X509);
    match X509Certificate::from_der(der) {
        Ok((_, cert)) => Some(cert),
        Err(e) => {
            report.error(X509, at, format!("does not parse as X.509 ({e})"));
            None
        }
    }
}

/// `cert.x509-v3`.
fn check_v3(cert: &X509Certificate<'_>, at: &str, report: &mut Report) {
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
        for check in [X509, X509_V3, KEY_MISMATCH, VALIDITY, "cert.pem.end-line"] {
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
        let body = json!({"users": [{"user": {"client-certificate-data": "[REDACTED]", "client-key-data": "[REDACTED]"}}]});
        let found = findings(&body, Some(30));
        assert_eq!(found.len(), 2);
        assert!(found
            .iter()
            .all(|(check, severity, _)| *check == REDACTION_MARKER && *severity == Severity::Note));
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
                KEY_MISMATCH,
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
        const TYPE_MISMATCH: &str = "cert.key.type-mismatch";
        let rsa = include_str!("testdata/rsa.crt");
        let ec = include_str!("testdata/ec.crt");
        let key_at = "/users/0/user/client-key-data".to_owned();
        assert_eq!(
            findings(&user_body(ec, include_str!("testdata/rsa-pkcs1.key")), None),
            vec![(TYPE_MISMATCH, Severity::Error, key_at.clone())]
        );
        assert_eq!(
            findings(&user_body(rsa, include_str!("testdata/ec-sec1.key")), None),
            vec![(TYPE_MISMATCH, Severity::Error, key_at.clone())]
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
            vec![(TYPE_MISMATCH, Severity::Error, key_at)]
        );
    }

    #[test]
    fn a_broken_key_is_a_key_error_without_key_material() {
        let rsa = include_str!("testdata/rsa.crt");
        let broken = "-----BEGIN RSA PRIVATE KEY-----\nAAECAwQ=\n-----END RSA PRIVATE KEY-----\n";
        let mut report = Report::new();
        check_certificates(&user_body(rsa, broken), "", None, &mut report);
        assert_eq!(report.findings().len(), 1);
        assert_eq!(report.findings()[0].check, "cert.key.unsupported");
        assert!(!report.findings()[0].message.contains("AAECAwQ"));
    }

    #[test]
    fn pem_as_go_reads_it_each_defect_under_its_check() {
        let m = minted(30);
        let pem = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(m.cert_b64())
                .unwrap(),
        )
        .unwrap();
        let cert_at = "/users/0/user/client-certificate-data".to_owned();
        let key_pem = String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(m.key_b64())
                .unwrap(),
        )
        .unwrap();
        let cut = pem.replace("-----END CERTIFICATE-----", "-----END CERTIFICATE--");
        let relabelled = pem.replace("END CERTIFICATE", "END CERTIFICATES");
        let bad_body = pem.replacen("MII", "MI*I", 1);
        for (variant, check) in [
            (&cut, "cert.pem.end-line"),
            (&relabelled, "cert.pem.label-mismatch"),
            (&bad_body, "cert.pem.base64"),
        ] {
            assert_eq!(
                findings(&user_body(variant, &key_pem), Some(30)),
                vec![(check, Severity::Error, cert_at.clone())],
                "{check}"
            );
        }
        let mut body = body_with(&m);
        body["users"][0]["user"]["client-key-data"] = json!("");
        assert_eq!(
            findings(&body, Some(30)),
            vec![(
                "cert.empty",
                Severity::Error,
                "/users/0/user/client-key-data".into()
            )]
        );
        body["users"][0]["user"]["client-certificate-data"] = json!("%%%");
        body["users"][0]["user"]["client-key-data"] = json!(m.key_b64());
        assert_eq!(
            findings(&body, Some(30)),
            vec![("cert.data.base64", Severity::Error, cert_at)]
        );
    }

    #[test]
    fn every_pair_defect_has_a_check_of_its_own() {
        let mut checks: Vec<&str> = pair::PairError::IDS
            .iter()
            .map(|id| pair_check(id))
            .collect();
        assert!(checks.iter().all(|c| *c != PAIR_OTHER));
        checks.sort_unstable();
        checks.dedup();
        assert_eq!(checks.len(), pair::PairError::IDS.len());
        assert_eq!(pair_check("something.new"), PAIR_OTHER);
    }

    #[test]
    fn period_is_described_in_days_and_hours() {
        assert_eq!(describe_period(86_400 * 30 + 3_600 * 2 + 5), "30d 02:00:05");
        assert_eq!(describe_period(-60), "-0d 00:01:00");
    }
}
