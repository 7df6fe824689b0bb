//! An independent `SDK-HMAC-SHA256` verifier, written from the algorithm's description (the
//! outline and the SDK's refinements in `runtime/tests/data/signing/README.md`) without using
//! the runtime's signing code, checks what the client actually sends over the wire.

#![forbid(unsafe_code)]

mod client_support;

use std::time::Duration;

use client_support::{request, serve, Captured, Reply};
use clustercert::runtime::{Credentials, OperationRequest, RetryPolicy};
use clustercert::Client;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use time::macros::datetime;

/// Percent-encodes every byte except `A-Z a-z 0-9 - _ . ~`, upper-case hex.
fn enc(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decodes `%XX` escapes; anything else stays as it is.
fn dec(text: &str) -> String {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex_sha256(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Verifies a request from its parts; `Err` says which check failed.
fn independent_verify(
    method: &str,
    path: &str,
    query: &str,
    header: impl Fn(&str) -> Option<String>,
    body: &[u8],
    ak: &str,
    sk: &str,
) -> Result<(), String> {
    let auth = header("authorization").ok_or("no Authorization")?;
    let rest = auth
        .strip_prefix("SDK-HMAC-SHA256 ")
        .ok_or("wrong algorithm")?;
    let mut access = "";
    let mut signed = "";
    let mut signature = "";
    for part in rest.split(", ") {
        let (k, v) = part.split_once('=').ok_or("bad part")?;
        match k {
            "Access" => access = v,
            "SignedHeaders" => signed = v,
            "Signature" => signature = v,
            _ => return Err(format!("unknown part {k}")),
        }
    }
    if access != ak {
        return Err(format!("access {access}"));
    }
    let date = header("x-sdk-date").ok_or("no X-Sdk-Date")?;

    let mut uri = dec(path).split('/').map(enc).collect::<Vec<_>>().join("/");
    if !uri.ends_with('/') {
        uri.push('/');
    }
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (dec(k), dec(v))
        })
        .collect();
    pairs.sort();
    let query = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut headers = String::new();
    for name in signed.split(';') {
        let value = header(name).ok_or(format!("signed header {name} missing"))?;
        headers.push_str(&format!("{name}:{}\n", value.trim()));
    }
    let unsigned = header("x-sdk-content-sha256").filter(|_| !body.is_empty());
    let payload = match unsigned {
        Some(v) => v,
        None => hex_sha256(body),
    };
    let canonical = [method, &uri, &query, &headers, signed, &payload].join("\n");
    let to_sign = format!(
        "SDK-HMAC-SHA256\n{date}\n{}",
        hex_sha256(canonical.as_bytes())
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(sk.as_bytes()).map_err(|e| e.to_string())?;
    mac.update(to_sign.as_bytes());
    let expected = hex::encode(mac.finalize().into_bytes());
    if expected == signature {
        Ok(())
    } else {
        Err(format!(
            "signature mismatch; canonical request was:\n{canonical}"
        ))
    }
}

fn verify_captured(c: &Captured, ak: &str, sk: &str) -> Result<(), String> {
    independent_verify(
        c.method.as_str(),
        c.uri.path(),
        c.uri.query().unwrap_or(""),
        |name| {
            c.headers
                .get(name)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        },
        &c.body,
        ak,
        sk,
    )
}

const NOW: time::OffsetDateTime = datetime!(2026-11-28 12:00:00 UTC);

fn ak_sk_client(url: &str, credentials: Credentials) -> Client {
    Client::builder()
        .endpoint(url)
        .credentials(credentials)
        .clock(|| std::time::SystemTime::from(NOW))
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds")
}

#[test]
fn the_independent_verifier_agrees_with_the_sdk_vectors() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../runtime/tests/data/signing/vectors.json"
    );
    let vectors: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("json");
    assert!(!vectors.is_empty());
    for v in vectors {
        let s = |k: &str| v[k].as_str().expect("string field").to_owned();
        let url = url::Url::parse(&s("url")).expect("url");
        let mut host = url.host_str().expect("host").to_owned();
        if let Some(port) = url.port() {
            host = format!("{host}:{port}");
        }
        let given = v["headers"].as_object().expect("headers");
        let lookup = |name: &str| -> Option<String> {
            match name {
                "authorization" => Some(v["expected"]["authorization"].as_str()?.to_owned()),
                "x-sdk-content-sha256"
                    if v["expected"]["signed_headers"]
                        .as_str()?
                        .contains("x-sdk-content-sha256") =>
                {
                    Some("UNSIGNED-PAYLOAD".to_owned())
                }
                _ => given
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .and_then(|(_, v)| v.as_str().map(str::to_owned))
                    .or_else(|| (name == "host").then(|| host.clone())),
            }
        };
        independent_verify(
            &s("method"),
            url.path(),
            url.query().unwrap_or(""),
            lookup,
            s("body").as_bytes(),
            &s("ak"),
            &s("sk"),
        )
        .unwrap_or_else(|e| panic!("{}: {e}", s("name")));
    }
}

#[tokio::test]
async fn what_the_client_sends_verifies_independently() {
    let server = serve(vec![Reply::documented()]).await;
    let client = ak_sk_client(&server.url, Credentials::ak_sk("AK-1", "SK-1", "proj-1"));
    client
        .create_kubernetes_cluster_cert(&request())
        .await
        .expect("200");
    let sent = &server.requests()[0];
    assert_eq!(sent.headers["x-sdk-date"], "20261128T120000Z");
    verify_captured(sent, "AK-1", "SK-1").expect("verifies");
    // The same code a server uses (the mock server) accepts it too.
    let verified = clustercert::runtime::signing::verify(
        &sent.method,
        &sent.uri,
        &sent.headers,
        &sent.body,
        |ak| (ak == "AK-1").then(|| "SK-1".to_owned()),
        (NOW + Duration::from_secs(60)).into(),
    )
    .expect("runtime verify");
    assert_eq!(verified.access_key, "AK-1");
    // And a wrong key does not.
    assert!(verify_captured(sent, "AK-1", "SK-2").is_err());
}

#[tokio::test]
async fn temporary_credentials_sign_the_security_token() {
    let server = serve(vec![Reply::documented()]).await;
    let client = ak_sk_client(
        &server.url,
        Credentials::temporary("AK-T", "SK-T", "STS", "proj-1"),
    );
    client
        .create_kubernetes_cluster_cert(&request())
        .await
        .expect("200");
    let sent = &server.requests()[0];
    verify_captured(sent, "AK-T", "SK-T").expect("verifies");
    let auth = sent.headers["authorization"].to_str().expect("ascii");
    assert!(auth.contains("x-security-token"), "{auth}");
}

#[tokio::test]
async fn odd_paths_and_queries_verify_independently() {
    let server = serve(vec![Reply::json(200, "{}")]).await;
    let client = ak_sk_client(&server.url, Credentials::ak_sk("AK-1", "SK-1", "proj-1"));
    // No trailing `/`: the transport refuses an empty last segment (an empty parameter); the
    // signer's trailing `/` of the canonical URI is checked all the same.
    let path = format!(
        "/v3/{}/{}/x",
        clustercert::runtime::encode_path_segment("a b~c"),
        clustercert::runtime::encode_path_segment("中/é")
    );
    let response = client
        .transport()
        .send(OperationRequest {
            operation: "Odd",
            method: http::Method::GET,
            path,
            query: vec![
                ("name".into(), "a b/c+d=e&f".to_owned()),
                ("detail".into(), "true".to_owned()),
                ("tag".into(), "beta".to_owned()),
                ("tag".into(), "alpha".to_owned()),
                ("empty".into(), String::new()),
            ],
            headers: vec![("X-Custom", "  spaced  value ".to_owned())],
            body: None,
        })
        .await
        .expect("sent");
    assert_eq!(response.status, 200);
    let sent = &server.requests()[0];
    assert_eq!(
        sent.uri.query(),
        Some("detail=true&empty=&name=a%20b%2Fc%2Bd%3De%26f&tag=alpha&tag=beta")
    );
    verify_captured(sent, "AK-1", "SK-1").expect("verifies");
}

#[tokio::test]
async fn each_retry_is_signed_afresh_with_the_injected_clock() {
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;

    let server = serve(vec![Reply::json(429, ""), Reply::documented()]).await;
    let ticks = Arc::new(AtomicI64::new(0));
    let clock_ticks = ticks.clone();
    let client = Client::builder()
        .endpoint(&server.url)
        .credentials(Credentials::ak_sk("AK-1", "SK-1", "proj-1"))
        .clock(move || {
            std::time::SystemTime::from(
                NOW + time::Duration::minutes(clock_ticks.fetch_add(1, Ordering::SeqCst)),
            )
        })
        .retry(RetryPolicy::default().initial_backoff(Duration::from_millis(5)))
        .build()
        .expect("client builds");
    client
        .create_kubernetes_cluster_cert(&request())
        .await
        .expect("the retry succeeds");
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        ticks.load(Ordering::SeqCst),
        2,
        "the clock is read once per attempt"
    );
    assert_eq!(sent[0].headers["x-sdk-date"], "20261128T120000Z");
    assert_eq!(sent[1].headers["x-sdk-date"], "20261128T120100Z");
    for request in &sent {
        verify_captured(request, "AK-1", "SK-1").expect("verifies");
    }
}
