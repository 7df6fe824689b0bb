//! Known-answer tests: every step of `clustercert_runtime::signing` against the vectors the
//! official Python SDK's signer produced (`tests/data/signing/vectors.json`, see the README
//! there for how they were made and how to re-run the script).

use clustercert_runtime::signing;
use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Vector {
    name: String,
    ak: String,
    sk: String,
    method: String,
    url: String,
    /// The headers handed to the signer (their order does not matter to the algorithm).
    headers: serde_json::Map<String, serde_json::Value>,
    body: String,
    expected: Expected,
}

#[derive(Debug, Deserialize)]
struct Expected {
    canonical_request: String,
    string_to_sign: String,
    signed_headers: String,
    authorization: String,
}

fn vectors() -> Vec<Vector> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/signing/vectors.json"
    );
    let text = std::fs::read_to_string(path).expect("vectors.json is readable");
    serde_json::from_str(&text).expect("vectors.json has the documented shape")
}

fn header_map(vector: &Vector) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in &vector.headers {
        let value = value.as_str().expect("header values are strings");
        map.insert(
            HeaderName::from_bytes(name.as_bytes()).expect("valid header name"),
            // from_bytes: the vectors hold UTF-8 values, which the SDK sends as raw bytes.
            HeaderValue::from_bytes(value.as_bytes()).expect("valid header value"),
        );
    }
    map
}

fn method(vector: &Vector) -> Method {
    Method::from_bytes(vector.method.as_bytes()).expect("valid method")
}

fn uri(vector: &Vector) -> Uri {
    vector.url.parse().expect("valid URL")
}

/// The canonical request's lines: method, URI, query, then headers, blank, names, hash.
fn lines(canonical_request: &str) -> Vec<&str> {
    canonical_request.split('\n').collect()
}

#[test]
fn there_are_vectors_for_every_required_case() {
    let names: Vec<String> = vectors().into_iter().map(|v| v.name).collect();
    assert!(names.len() >= 3, "{names:?}");
    for required in [
        "create_cert_post_json",
        "get_query_needs_encoding_and_boolean",
        "get_path_ends_in_slash",
    ] {
        assert!(names.iter().any(|n| n == required), "missing {required}");
    }
}

#[test]
fn canonical_uri_matches_every_vector() {
    for v in vectors() {
        let expected = lines(&v.expected.canonical_request)[1].to_owned();
        assert_eq!(
            signing::canonical_uri(uri(&v).path()),
            expected,
            "{}",
            v.name
        );
    }
}

#[test]
fn canonical_query_matches_every_vector() {
    for v in vectors() {
        let expected = lines(&v.expected.canonical_request)[2].to_owned();
        let pairs = signing::parse_query(uri(&v).query().unwrap_or(""));
        assert_eq!(signing::canonical_query(pairs), expected, "{}", v.name);
        // The SDK sends the canonical query, so the URL's query is already canonical.
        assert_eq!(uri(&v).query().unwrap_or(""), expected, "{}", v.name);
    }
}

#[test]
fn signed_headers_and_canonical_headers_match_every_vector() {
    for v in vectors() {
        let mut headers = header_map(&v);
        // The signer adds Host (from the URL) when the caller did not.
        if !headers.contains_key("host") {
            let host = signing::host_of(&uri(&v)).expect("URL has a host");
            headers.insert("host", HeaderValue::from_str(&host).expect("ascii host"));
        }
        if v.expected.signed_headers.contains("x-sdk-content-sha256") {
            headers.insert(
                "x-sdk-content-sha256",
                HeaderValue::from_static(signing::UNSIGNED_PAYLOAD),
            );
        }
        let names = signing::signed_header_names(headers.keys().map(|k| k.as_str()));
        assert_eq!(names.join(";"), v.expected.signed_headers, "{}", v.name);

        let canonical = signing::canonical_headers(&names, |name| {
            headers
                .get(name)
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        });
        let all = lines(&v.expected.canonical_request);
        let expected: String = all[3..3 + names.len()]
            .iter()
            .map(|line| format!("{line}\n"))
            .collect();
        assert_eq!(canonical, expected, "{}", v.name);
    }
}

#[test]
fn payload_hash_matches_every_vector() {
    for v in vectors() {
        let expected = *lines(&v.expected.canonical_request)
            .last()
            .expect("non-empty");
        let content_sha = v
            .expected
            .signed_headers
            .contains("x-sdk-content-sha256")
            .then_some(signing::UNSIGNED_PAYLOAD);
        assert_eq!(
            signing::payload_hash(v.body.as_bytes(), content_sha),
            expected,
            "{}",
            v.name
        );
    }
}

#[test]
fn string_to_sign_signature_and_authorization_match_every_vector() {
    for v in vectors() {
        let date = v
            .headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("x-sdk-date"))
            .and_then(|(_, value)| value.as_str())
            .expect("every vector fixes X-Sdk-Date");
        let to_sign = signing::string_to_sign(date, &v.expected.canonical_request);
        assert_eq!(to_sign, v.expected.string_to_sign, "{}", v.name);
        let sig = signing::signature(&v.sk, &to_sign);
        let auth = signing::authorization(&v.ak, &v.expected.signed_headers, &sig);
        assert_eq!(auth, v.expected.authorization, "{}", v.name);
        let parsed = signing::parse_authorization(&auth).expect("own header parses");
        assert_eq!(parsed.access_key, v.ak);
        assert_eq!(parsed.signed_headers.join(";"), v.expected.signed_headers);
        assert_eq!(parsed.signature, sig);
    }
}

#[test]
fn sign_headers_reproduces_every_vector_end_to_end() {
    for v in vectors() {
        let mut headers = header_map(&v);
        // The clock is irrelevant: each vector carries X-Sdk-Date, which wins.
        let now = std::time::UNIX_EPOCH;
        let signed = signing::sign_headers(
            &method(&v),
            &uri(&v),
            &mut headers,
            v.body.as_bytes(),
            &v.ak,
            &v.sk,
            now,
        )
        .expect("vector signs");
        assert_eq!(
            signed.canonical_request, v.expected.canonical_request,
            "{}",
            v.name
        );
        assert_eq!(
            signed.string_to_sign, v.expected.string_to_sign,
            "{}",
            v.name
        );
        assert_eq!(
            signed.signed_headers, v.expected.signed_headers,
            "{}",
            v.name
        );
        assert_eq!(signed.authorization, v.expected.authorization, "{}", v.name);
        assert_eq!(
            headers["authorization"].as_bytes(),
            v.expected.authorization.as_bytes(),
            "{}",
            v.name
        );
    }
}

#[test]
fn verify_accepts_every_vector_and_rejects_a_changed_one() {
    let date = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_867_200);
    for v in vectors() {
        // The request as the SDK sends it: the given headers, Host and the Authorization.
        let mut headers = header_map(&v);
        if !headers.contains_key("host") {
            let host = signing::host_of(&uri(&v)).expect("URL has a host");
            headers.insert("host", HeaderValue::from_str(&host).expect("ascii host"));
        }
        if v.expected.signed_headers.contains("x-sdk-content-sha256") {
            headers.insert(
                "x-sdk-content-sha256",
                HeaderValue::from_static(signing::UNSIGNED_PAYLOAD),
            );
        }
        headers.insert(
            "authorization",
            HeaderValue::from_str(&v.expected.authorization).expect("ascii"),
        );
        // Headers the HTTP library adds after signing are not signed and do not matter.
        headers.insert("accept-encoding", HeaderValue::from_static("gzip, deflate"));
        let secret = |ak: &str| (ak == v.ak).then(|| v.sk.clone());
        let ok = signing::verify(
            &method(&v),
            &uri(&v),
            &headers,
            v.body.as_bytes(),
            secret,
            date,
        )
        .unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(ok.access_key, v.ak);

        headers.insert("x-sdk-date", HeaderValue::from_static("20261128T120001Z"));
        assert_eq!(
            signing::verify(
                &method(&v),
                &uri(&v),
                &headers,
                v.body.as_bytes(),
                secret,
                date
            ),
            Err(signing::VerifyError::SignatureMismatch),
            "{}",
            v.name
        );
    }
}
