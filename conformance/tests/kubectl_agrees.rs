//! `validate`'s verdict on a client certificate and key is kubectl's: for each malformed
//! variant (cut END line, mismatched labels, wrong base64, key of another certificate,
//! `******`, empty) and for good pairs, real kubectl is pointed at a local TLS server with the
//! pair, and it succeeds exactly when the suite finds no certificate error.

#![forbid(unsafe_code)]

use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use clustercert_conformance::certs::check_certificates;
use clustercert_conformance::finding::{Report, Severity};
use clustercert_conformance::fixtures::{MintOptions, Minted};
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio_rustls::rustls;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;
/// What the local server answers; kubectl prints it when it got through.
const ANSWER: &str = r#"{"paths":["/api"]}"#;

/// A TLS server on 127.0.0.1 answering every request with [`ANSWER`]; returns its port and
/// the base64 PEM of its certificate (the CA for the kubeconfig).
async fn tls_server() -> (u16, String) {
    let key = rcgen::KeyPair::generate().expect("key");
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("params");
    let cert = params.self_signed(&key).expect("cert");
    let der = cert.der().clone();
    let key_der = rustls::pki_types::PrivateKeyDer::try_from(key.serialize_der()).expect("key der");
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![der], key_der)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut buf = vec![0u8; 16 * 1024];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{ANSWER}",
                    ANSWER.len()
                );
                let _ = tls.write_all(response.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, B64.encode(cert.pem()))
}

/// Whether kubectl gets through to the server with this pair (data as in the response).
fn kubectl_accepts(
    kubectl: &clustercert_test_support::Kubectl,
    dir: &Path,
    port: u16,
    ca: &str,
    cert_data: &str,
    key_data: &str,
) -> bool {
    let config = json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": format!("https://127.0.0.1:{port}"), "certificate-authority-data": ca}}],
        "users": [{"name": "u", "user": {"client-certificate-data": cert_data, "client-key-data": key_data}}],
        "contexts": [{"name": "x", "context": {"cluster": "c", "user": "u"}}],
        "current-context": "x"
    });
    // JSON is YAML: kubectl reads it as it is.
    let path = dir.join("kubeconfig.json");
    std::fs::write(&path, config.to_string()).expect("write kubeconfig");
    let run = kubectl.run(&path, &["get", "--raw", "/", "--request-timeout=10s"]);
    assert!(
        run.ok || !run.stderr.contains("connection refused"),
        "the TLS server is not there: {}",
        run.stderr
    );
    run.ok && run.stdout.contains("/api")
}

/// The suite's verdict on the same pair: no error among the certificate checks.
fn suite_accepts(cert_data: &str, key_data: &str) -> (bool, Vec<&'static str>) {
    let body = json!({"users": [{"name": "user", "user": {"client-certificate-data": cert_data, "client-key-data": key_data}}]});
    let mut report = Report::new();
    check_certificates(&body, "/response/body", None, &mut report);
    let errors: Vec<&'static str> = report
        .findings()
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| f.check)
        .collect();
    (errors.is_empty(), errors)
}

fn pem_of(data: &str) -> String {
    String::from_utf8(B64.decode(data).expect("base64")).expect("utf-8")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validate_and_kubectl_agree_on_every_variant() {
    let Some(kubectl) = clustercert_test_support::kubectl() else {
        return;
    };
    let (port, ca) = tls_server().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let minted = Minted::new(&MintOptions::default()).expect("mint");
    let other = Minted::new(&MintOptions::default()).expect("mint");
    let cert_pem = pem_of(&minted.cert_b64());
    let mut first_body_line: Vec<&str> = cert_pem.lines().collect();
    let broken_line = format!(
        "{}*{}",
        &first_body_line[1][..10],
        &first_body_line[1][11..]
    );
    first_body_line[1] = &broken_line;
    let bad_body = first_body_line.join("\n") + "\n";
    let good_key = minted.key_b64();
    let b64 = |text: &str| B64.encode(text);
    let variants: Vec<(&str, String, String, &str)> = vec![
        (
            "good pair (PKCS#8 EC)",
            minted.cert_b64(),
            good_key.clone(),
            "",
        ),
        (
            "good pair (PKCS#1 RSA)",
            b64(include_str!("../src/testdata/rsa.crt")),
            b64(include_str!("../src/testdata/rsa-pkcs1.key")),
            "",
        ),
        (
            "good pair (SEC1 EC)",
            b64(include_str!("../src/testdata/ec.crt")),
            b64(include_str!("../src/testdata/ec-sec1.key")),
            "",
        ),
        (
            "cut END line",
            b64(&cert_pem.replace("-----END CERTIFICATE-----", "-----END CERTIFICATE--")),
            good_key.clone(),
            "cert.pem.end-line",
        ),
        (
            "mismatched labels",
            b64(&cert_pem.replace("END CERTIFICATE", "END X509 CERTIFICATE")),
            good_key.clone(),
            "cert.pem.label-mismatch",
        ),
        (
            "wrong base64 in the PEM body",
            b64(&bad_body),
            good_key.clone(),
            "cert.pem.base64",
        ),
        (
            "data that is not base64",
            format!("{}%", &minted.cert_b64()[..40]),
            good_key.clone(),
            "cert.data.base64",
        ),
        (
            "key of another certificate",
            minted.cert_b64(),
            other.key_b64(),
            "cert.key.mismatch",
        ),
        (
            "masked key",
            minted.cert_b64(),
            "******".to_owned(),
            "cert.masked",
        ),
        (
            "masked certificate",
            "******".to_owned(),
            good_key.clone(),
            "cert.masked",
        ),
        ("empty key", minted.cert_b64(), String::new(), "cert.empty"),
    ];
    for (name, cert_data, key_data, check) in &variants {
        let (suite, errors) = suite_accepts(cert_data, key_data);
        let kubectl_verdict = kubectl_accepts(&kubectl, dir.path(), port, &ca, cert_data, key_data);
        assert_eq!(
            suite, kubectl_verdict,
            "{name}: the suite says {suite} ({errors:?}), kubectl says {kubectl_verdict}"
        );
        if check.is_empty() {
            assert!(suite, "{name}: {errors:?}");
        } else {
            assert_eq!(errors, [*check], "{name}");
        }
    }
}
