//! `pair`: certificates and keys judged as kubectl judges them; each defect under its id, and
//! kubectl asked for the same verdict.

use base64::Engine as _;
use clustercert_kubeconfig::pair::{check_client_pair, check_client_pair_data, PairError, Part};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("testdata/pair/", $name))
    };
}

const RSA: &str = fixture!("rsa.crt");
const RSA_PKCS1: &str = fixture!("rsa-pkcs1.key");
const RSA_PKCS8: &str = fixture!("rsa-pkcs8.key");
const EC: &str = fixture!("ec.crt");
const EC_SEC1: &str = fixture!("ec-sec1.key");

fn id(cert: &str, key: &str) -> Result<(), &'static str> {
    check_client_pair(cert.as_bytes(), key.as_bytes()).map_err(|e| e.id())
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn rcgen_pair(alg: &'static rcgen::SignatureAlgorithm) -> (String, String) {
    let key = rcgen::KeyPair::generate_for(alg).expect("key");
    let cert = rcgen::CertificateParams::new(vec!["client".to_owned()])
        .expect("params")
        .self_signed(&key)
        .expect("cert");
    (cert.pem(), key.serialize_pem())
}

/// Every pair kubectl accepts, with every key form it reads.
fn good_pairs() -> Vec<(&'static str, String, String)> {
    let (ec_cert, ec_key) = rcgen_pair(&rcgen::PKCS_ECDSA_P256_SHA256);
    let (ed_cert, ed_key) = rcgen_pair(&rcgen::PKCS_ED25519);
    vec![
        ("rsa pkcs1", RSA.into(), RSA_PKCS1.into()),
        ("rsa pkcs8", RSA.into(), RSA_PKCS8.into()),
        ("p256 sec1", EC.into(), EC_SEC1.into()),
        ("p256 pkcs8 (rcgen)", ec_cert, ec_key),
        ("ed25519 pkcs8 (rcgen)", ed_cert, ed_key),
        (
            "ed25519 pkcs8",
            fixture!("ed25519.crt").into(),
            fixture!("ed25519-pkcs8.key").into(),
        ),
        (
            "p224 sec1",
            fixture!("p224.crt").into(),
            fixture!("p224-sec1.key").into(),
        ),
        (
            "p384 sec1",
            fixture!("p384.crt").into(),
            fixture!("p384-sec1.key").into(),
        ),
        (
            "p384 pkcs8",
            fixture!("p384.crt").into(),
            fixture!("p384-pkcs8.key").into(),
        ),
        (
            "p384 sec1 without public key",
            fixture!("p384.crt").into(),
            fixture!("p384-sec1-nopub.key").into(),
        ),
        (
            "p521 sec1",
            fixture!("p521.crt").into(),
            fixture!("p521-sec1.key").into(),
        ),
        // Go skips text outside blocks and blocks of other labels.
        (
            "text around blocks",
            format!("junk\n{RSA}more junk\n"),
            format!("Bag Attributes\n{RSA_PKCS1}"),
        ),
        (
            "a chain after the leaf",
            format!("{RSA}{EC}"),
            RSA_PKCS1.into(),
        ),
        (
            "CRLF line ends",
            RSA.replace('\n', "\r\n"),
            RSA_PKCS1.replace('\n', "\r\n"),
        ),
        (
            "a key labelled as another kind",
            RSA.into(),
            RSA_PKCS1.replace("RSA PRIVATE KEY", "EC PRIVATE KEY"),
        ),
        (
            "a broken block before a good one",
            format!("-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE--\n{RSA}"),
            RSA_PKCS1.into(),
        ),
    ]
}

/// `(name, cert, key, expected id)` for every defect.
fn bad_pairs() -> Vec<(&'static str, String, String, &'static str)> {
    let (other_ec, _) = rcgen_pair(&rcgen::PKCS_ECDSA_P256_SHA256);
    let cut = |pem: &str, from: &str, to: &str| pem.replacen(from, to, 1);
    vec![
        (
            "cut END line",
            cut(RSA, "-----END CERTIFICATE-----", "-----END CERTIFICATE--"),
            RSA_PKCS1.into(),
            "pem.end-line",
        ),
        (
            "no END line",
            cut(RSA, "-----END CERTIFICATE-----", ""),
            RSA_PKCS1.into(),
            "pem.end-line",
        ),
        (
            "text after the END line",
            cut(
                RSA,
                "-----END CERTIFICATE-----",
                "-----END CERTIFICATE----- x",
            ),
            RSA_PKCS1.into(),
            "pem.end-line",
        ),
        (
            "END label differs",
            cut(
                RSA,
                "-----END CERTIFICATE-----",
                "-----END CERTIFICATES-----",
            ),
            RSA_PKCS1.into(),
            "pem.label-mismatch",
        ),
        (
            "key END label differs",
            RSA.into(),
            cut(
                RSA_PKCS1,
                "-----END RSA PRIVATE KEY-----",
                "-----END PRIVATE KEY-----",
            ),
            "pem.label-mismatch",
        ),
        (
            "BEGIN line cut",
            cut(
                RSA,
                "-----BEGIN CERTIFICATE-----",
                "-----BEGIN CERTIFICATE---",
            ),
            RSA_PKCS1.into(),
            "pem.begin-line",
        ),
        (
            "body not base64",
            cut(RSA, "\nMII", "\nM*I"),
            RSA_PKCS1.into(),
            "pem.base64",
        ),
        (
            "body with bad padding",
            cut(RSA, "\n-----END", "=\n-----END"),
            RSA_PKCS1.into(),
            "pem.base64",
        ),
        (
            "no PEM at all",
            "just text".into(),
            RSA_PKCS1.into(),
            "pem.none",
        ),
        (
            "certificate and key swapped",
            RSA_PKCS1.into(),
            RSA.into(),
            "pem.no-certificate",
        ),
        (
            "a certificate for a key",
            RSA.into(),
            RSA.into(),
            "pem.no-key",
        ),
        (
            "garbage in a CERTIFICATE block",
            "-----BEGIN CERTIFICATE-----\nAAECAwQ=\n-----END CERTIFICATE-----\n".into(),
            RSA_PKCS1.into(),
            "x509",
        ),
        (
            "an Ed448 certificate",
            fixture!("ed448.crt").into(),
            fixture!("ed448-pkcs8.key").into(),
            "x509.public-key",
        ),
        (
            "an encrypted key",
            RSA.into(),
            fixture!("rsa-encrypted.key").into(),
            "key.unsupported",
        ),
        (
            "an X25519 key",
            fixture!("ed25519.crt").into(),
            fixture!("x25519-pkcs8.key").into(),
            "key.unsupported",
        ),
        (
            "garbage in a key block",
            RSA.into(),
            "-----BEGIN RSA PRIVATE KEY-----\nAAECAwQ=\n-----END RSA PRIVATE KEY-----\n".into(),
            "key.unsupported",
        ),
        (
            "an EC key for an RSA certificate",
            RSA.into(),
            EC_SEC1.into(),
            "key.type-mismatch",
        ),
        (
            "an RSA key for an EC certificate",
            EC.into(),
            RSA_PKCS8.into(),
            "key.type-mismatch",
        ),
        (
            "a key of another certificate",
            other_ec,
            EC_SEC1.into(),
            "key.mismatch",
        ),
        (
            "a key on another curve",
            fixture!("p384.crt").into(),
            fixture!("p521-sec1.key").into(),
            "key.mismatch",
        ),
        (
            "masked",
            "LS0tLS1CRUdJTiBDR******QVRFLS0tLS0K".into(),
            RSA_PKCS1.into(),
            "masked",
        ),
        ("empty certificate", "".into(), RSA_PKCS1.into(), "empty"),
        ("empty key", RSA.into(), " \n".into(), "empty"),
    ]
}

#[test]
fn every_key_form_kubectl_reads_is_accepted() {
    for (name, cert, key) in good_pairs() {
        assert_eq!(id(&cert, &key), Ok(()), "{name}");
    }
}

#[test]
fn each_defect_has_its_own_id() {
    let mut seen = std::collections::BTreeSet::new();
    for (name, cert, key, want) in bad_pairs() {
        assert_eq!(id(&cert, &key), Err(want), "{name}");
        seen.insert(want);
    }
    // Every id but the data-field one is reached by a PEM case.
    let all: std::collections::BTreeSet<_> = PairError::IDS
        .iter()
        .copied()
        .filter(|id| *id != "data.base64")
        .collect();
    assert_eq!(seen, all);
}

#[test]
fn messages_are_one_line_and_hold_no_key_material() {
    let body_line = RSA_PKCS1.lines().nth(1).expect("a body line");
    for (name, cert, key, _) in bad_pairs() {
        let err = check_client_pair(cert.as_bytes(), key.as_bytes()).expect_err(name);
        let text = err.to_string();
        assert!(!text.contains('\n'), "{name}: {text}");
        assert!(!text.contains(&body_line[..20]), "{name}: {text}");
    }
}

#[test]
fn parts_name_the_half_at_fault() {
    let err = check_client_pair(RSA.as_bytes(), b"").unwrap_err();
    assert_eq!(err.part(), Part::Key);
    assert_eq!(err.to_string(), "the client key is empty");
    let err = check_client_pair(RSA_PKCS1.as_bytes(), RSA.as_bytes()).unwrap_err();
    assert_eq!(err.part(), Part::Certificate);
    assert!(err.to_string().contains("swapped"), "{err}");
}

#[test]
fn data_fields_are_base64_of_pem() {
    assert_eq!(check_client_pair_data(&b64(RSA), &b64(RSA_PKCS1)), Ok(()));
    // Line breaks in the base64 are skipped, as Go's decoder skips them.
    let wrapped: String = b64(RSA)
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap().to_owned() + "\n")
        .collect();
    assert_eq!(check_client_pair_data(&wrapped, &b64(RSA_PKCS1)), Ok(()));
    let data_id = |cert: &str, key: &str| check_client_pair_data(cert, key).map_err(|e| e.id());
    assert_eq!(data_id("%%%", &b64(RSA_PKCS1)), Err("data.base64"));
    let unpadded = b64(RSA).trim_end_matches('=').to_owned();
    if unpadded.len() != b64(RSA).len() {
        assert_eq!(data_id(&unpadded, &b64(RSA_PKCS1)), Err("data.base64"));
    }
    assert_eq!(data_id(&b64(RSA), "******"), Err("masked"));
    assert_eq!(data_id("", &b64(RSA_PKCS1)), Err("empty"));
    let cut = RSA.replace("-----END CERTIFICATE-----", "-----END CERTIFICATE--");
    assert_eq!(data_id(&b64(&cut), &b64(RSA_PKCS1)), Err("pem.end-line"));
    let err = check_client_pair_data("ab*c", &b64(RSA_PKCS1)).unwrap_err();
    assert!(
        !err.to_string().contains('*'),
        "no byte of the value: {err}"
    );
}

#[test]
fn hostile_pem_is_judged_in_linear_time() {
    // Many BEGIN lines sharing one END line: Go's decoder is quadratic here; ours is not.
    let many = "-----BEGIN CERTIFICATE-----\n".repeat(200_000) + "-----END CERTIFICATE-----\n";
    let started = std::time::Instant::now();
    assert_eq!(id(&many, RSA_PKCS1), Err("pem.base64"));
    let no_end = "-----BEGIN CERTIFICATE-----\nAAAA\n".repeat(200_000);
    assert_eq!(id(&no_end, RSA_PKCS1), Err("pem.end-line"));
    let elapsed = started.elapsed();
    assert!(elapsed.as_secs() < 5, "took {elapsed:?}");
}

/// kubectl's own verdict: pointed at a closed port, it loads the client certificate and key
/// (failing on a bad pair) before it tries to connect (failing with `connection refused`).
fn kubectl_accepts(
    kubectl: &clustercert_test_support::Kubectl,
    dir: &std::path::Path,
    cert: &str,
    key: &str,
) -> bool {
    let port = clustercert_test_support::closed_port();
    let config = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://127.0.0.1:{port}\n    insecure-skip-tls-verify: true\nusers:\n- name: u\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\ncontexts:\n- name: x\n  context: {{cluster: c, user: u}}\ncurrent-context: x\n",
        b64(cert),
        b64(key)
    );
    let path = dir.join("config");
    std::fs::write(&path, config).expect("writable");
    let run = kubectl.run(&path, &["get", "--raw", "/", "--request-timeout=5s"]);
    assert!(!run.ok, "nothing listens there");
    let connected = run.stderr.contains("refused");
    let refused_pair = run.stderr.contains("tls:")
        || run.stderr.contains("x509:")
        || run.stderr.contains("failed to");
    assert!(connected != refused_pair, "one verdict: {}", run.stderr);
    connected
}

#[test]
fn kubectl_agrees_with_every_verdict() {
    let Some(kubectl) = clustercert_test_support::kubectl() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, cert, key) in good_pairs() {
        assert!(
            kubectl_accepts(&kubectl, dir.path(), &cert, &key),
            "kubectl accepts {name}"
        );
    }
    for (name, cert, key, want) in bad_pairs() {
        if want == "masked" || want == "empty" {
            continue; // not PEM to give kubectl; an empty field means "no client certificate"
        }
        assert!(
            !kubectl_accepts(&kubectl, dir.path(), &cert, &key),
            "kubectl refuses {name} ({want})"
        );
    }
}
