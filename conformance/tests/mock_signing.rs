//! AK/SK against the mock: the generated client signs, the mock verifies with the runtime's
//! verifier, and a request tampered with after signing (body, path, header, date, query) is
//! refused with 401.

#![forbid(unsafe_code)]

use clustercert::runtime::{sign_request, Clock, Credentials, RetryPolicy, SecretString};
use clustercert::{CertDuration, Client, CreateKubernetesClusterCertRequest, Error, ValidityDays};
use clustercert_conformance::mock::{
    self, AccessKeyConfig, MockConfig, MockServer, DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK,
    EXTERNAL_CLUSTER_ID, INTERNAL_CLUSTER_ID,
};
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use time::{Duration, OffsetDateTime};

const BODY: &[u8] = br#"{"duration":30}"#;

async fn server() -> MockServer {
    mock::start(MockConfig::builtin(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn cert_url(server: &MockServer, cluster_id: &str) -> String {
    let path =
        clustercert_conformance::spec::operation_path(DEFAULT_PROJECT_ID, cluster_id).unwrap();
    format!("{}{path}", server.url())
}

fn cert_request(project_id: &str, cluster_id: &str) -> CreateKubernetesClusterCertRequest {
    CreateKubernetesClusterCertRequest {
        project_id: project_id.to_owned(),
        cluster_id: cluster_id.to_owned(),
        body: CertDuration {
            duration: ValidityDays::try_from(30).unwrap(),
        },
    }
}

/// A client of `server` with `credentials` and no retries.
fn client_with(server: &MockServer, credentials: Credentials) -> Client {
    Client::builder()
        .endpoint(server.url())
        .credentials(credentials)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn aksk_client(server: &MockServer, ak: &str, sk: &str, project_id: &str) -> Client {
    client_with(server, Credentials::ak_sk(ak, sk, project_id))
}

/// A POST of [`BODY`] to the internal cluster with `content_type`, not signed yet.
fn unsigned_request(server: &MockServer, content_type: &'static str) -> reqwest::Request {
    let url = cert_url(server, INTERNAL_CLUSTER_ID).parse().unwrap();
    let mut request = reqwest::Request::new(Method::POST, url);
    request
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    *request.body_mut() = Some(BODY.to_vec().into());
    request
}

/// A request to the internal cluster, signed as the client signs, with `X-Project-Id` and an
/// extra signed header `X-Extra: original`.
fn signed_request(server: &MockServer, now: OffsetDateTime) -> reqwest::Request {
    let mut request = unsigned_request(server, "application/json");
    let headers = request.headers_mut();
    headers.insert("X-Project-Id", HeaderValue::from_static(DEFAULT_PROJECT_ID));
    headers.insert("X-Extra", HeaderValue::from_static("original"));
    let signed = sign_request(&mut request, DEFAULT_AK, DEFAULT_SK, now.into()).unwrap();
    assert!(signed.signed_headers.contains("x-extra"));
    assert!(signed.signed_headers.contains("x-project-id"));
    request
}

/// The same request with another URL or body, every header (signature included) kept.
fn rebuilt(request: &reqwest::Request, url: &str, body: &[u8]) -> reqwest::Request {
    let mut copy = reqwest::Request::new(request.method().clone(), url.parse().unwrap());
    *copy.headers_mut() = request.headers().clone();
    *copy.body_mut() = Some(body.to_vec().into());
    copy
}

async fn execute(request: reqwest::Request) -> (StatusCode, Value) {
    let response = reqwest::Client::new().execute(request).await.unwrap();
    let status = response.status();
    let bytes = response.bytes().await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Asserts a 401 in CCE's gateway shape whose message contains `expected`.
fn assert_rejected(answer: (StatusCode, Value), expected: &str) {
    let (status, body) = answer;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["error_code"], "CCE.01401001");
    let message = body["error_msg"].as_str().unwrap();
    assert!(message.contains(expected), "{message}");
    assert!(!message.contains(DEFAULT_SK));
}

#[tokio::test]
async fn the_generated_client_with_aksk_gets_kubeconfigs() {
    let server = server().await;
    let client = aksk_client(&server, DEFAULT_AK, DEFAULT_SK, DEFAULT_PROJECT_ID);
    let internal = client
        .create_kubernetes_cluster_cert(&cert_request(DEFAULT_PROJECT_ID, INTERNAL_CLUSTER_ID))
        .await
        .unwrap();
    assert_eq!(internal.body.current_context, "internal");
    let external = client
        .create_kubernetes_cluster_cert(&cert_request(DEFAULT_PROJECT_ID, EXTERNAL_CLUSTER_ID))
        .await
        .unwrap();
    assert_eq!(external.body.current_context, "external");
    assert!(external.port_id.is_some());
}

#[tokio::test]
async fn an_untampered_signed_request_is_accepted() {
    let server = server().await;
    let request = signed_request(&server, OffsetDateTime::now_utc());
    let (status, body) = execute(request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["kind"], "Config");
}

#[tokio::test]
async fn a_tampered_body_is_rejected() {
    let server = server().await;
    let request = signed_request(&server, OffsetDateTime::now_utc());
    let url = request.url().to_string();
    let tampered = rebuilt(&request, &url, br#"{"duration":1825}"#);
    assert_rejected(execute(tampered).await, "signature does not match");
}

#[tokio::test]
async fn a_tampered_path_is_rejected() {
    let server = server().await;
    let request = signed_request(&server, OffsetDateTime::now_utc());
    let tampered = rebuilt(&request, &cert_url(&server, EXTERNAL_CLUSTER_ID), BODY);
    assert_rejected(execute(tampered).await, "signature does not match");
}

#[tokio::test]
async fn an_added_query_is_rejected() {
    let server = server().await;
    let request = signed_request(&server, OffsetDateTime::now_utc());
    let url = format!("{}?extra=1", request.url());
    let tampered = rebuilt(&request, &url, BODY);
    assert_rejected(execute(tampered).await, "signature does not match");
}

#[tokio::test]
async fn a_tampered_header_is_rejected() {
    let server = server().await;
    let mut request = signed_request(&server, OffsetDateTime::now_utc());
    request
        .headers_mut()
        .insert("X-Extra", HeaderValue::from_static("changed"));
    assert_rejected(execute(request).await, "signature does not match");
}

#[tokio::test]
async fn a_removed_signed_header_is_rejected() {
    let server = server().await;
    let mut request = signed_request(&server, OffsetDateTime::now_utc());
    request.headers_mut().remove("X-Extra");
    assert_rejected(execute(request).await, "x-extra");
}

#[tokio::test]
async fn a_tampered_date_is_rejected() {
    let server = server().await;
    let now = OffsetDateTime::now_utc();
    let mut request = signed_request(&server, now);
    // Another date, well within the allowed skew: only the signature can tell.
    let other = clustercert::runtime::signing::format_date((now - Duration::minutes(1)).into());
    request
        .headers_mut()
        .insert("X-Sdk-Date", HeaderValue::from_str(&other).unwrap());
    assert_rejected(execute(request).await, "signature does not match");
}

#[tokio::test]
async fn a_date_more_than_15_minutes_off_is_rejected_either_way() {
    let server = server().await;
    let now = OffsetDateTime::now_utc();
    for offset in [Duration::minutes(-16), Duration::minutes(16)] {
        let request = signed_request(&server, now + offset);
        assert_rejected(execute(request).await, "away from the server's clock");
    }
    // Within the window, a correctly signed request still passes.
    let request = signed_request(&server, now - Duration::minutes(10));
    assert_eq!(execute(request).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_missing_date_is_rejected() {
    let server = server().await;
    let mut request = signed_request(&server, OffsetDateTime::now_utc());
    request.headers_mut().remove("X-Sdk-Date");
    assert_rejected(execute(request).await, "X-Sdk-Date");
}

#[tokio::test]
async fn a_wrong_secret_key_is_rejected() {
    let server = server().await;
    let credentials = Credentials::ak_sk(DEFAULT_AK, "not-the-sk", DEFAULT_PROJECT_ID);
    let (status, error_code, message) =
        status_code_and_message(call_with(&server, credentials).await);
    assert_eq!(status, 401);
    assert_eq!(error_code.as_deref(), Some("CCE.01401001"));
    assert!(message.contains("signature does not match"), "{message}");
}

#[tokio::test]
async fn an_unknown_access_key_is_rejected() {
    let server = server().await;
    let credentials = Credentials::ak_sk("UNKNOWNAK", DEFAULT_SK, DEFAULT_PROJECT_ID);
    let (status, message) = status_and_message(call_with(&server, credentials).await);
    assert_eq!(status, 401);
    assert!(message.contains("unknown access key"), "{message}");
    assert!(message.contains("UNKNOWNAK"), "{message}");
}

#[tokio::test]
async fn a_project_header_for_another_project_is_403() {
    let server = server().await;
    // Signed correctly, but X-Project-Id names another project than the path.
    let credentials = Credentials::ak_sk(DEFAULT_AK, DEFAULT_SK, "other-project");
    let (status, error_code, message) =
        status_code_and_message(call_with(&server, credentials).await);
    assert_eq!(status, 403);
    assert_eq!(error_code.as_deref(), Some("CCE.01403001"));
    assert!(message.contains("other-project"), "{message}");
}

/// A clock fixed 20 minutes behind.
struct SlowClock;

impl Clock for SlowClock {
    fn now(&self) -> std::time::SystemTime {
        (OffsetDateTime::now_utc() - Duration::minutes(20)).into()
    }
}

#[tokio::test]
async fn a_client_with_a_skewed_clock_is_rejected() {
    let server = server().await;
    let client = Client::builder()
        .endpoint(server.url())
        .credentials(Credentials::ak_sk(
            DEFAULT_AK,
            DEFAULT_SK,
            DEFAULT_PROJECT_ID,
        ))
        .retry(RetryPolicy::none())
        .clock(SlowClock)
        .build()
        .unwrap();
    let err = client
        .create_kubernetes_cluster_cert(&cert_request(DEFAULT_PROJECT_ID, INTERNAL_CLUSTER_ID))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status, .. } if *status == 401),
        "{err:?}"
    );
    assert!(err.to_string().contains("clock"), "{err}");
}

/// The built-in configuration plus a temporary AK whose requests need a security token.
fn temporary_config() -> MockConfig {
    let mut config = MockConfig::builtin();
    config.access_keys.push(AccessKeyConfig {
        ak: "TEMPAK".to_owned(),
        sk: SecretString::new("temp-sk".to_owned()),
        security_token: Some(SecretString::new("temp-security-token".to_owned())),
    });
    config
}

/// Asks for the internal cluster's kubeconfig with `credentials`: the status.
async fn call_with(server: &MockServer, credentials: Credentials) -> Result<u16, Error> {
    client_with(server, credentials)
        .create_kubernetes_cluster_cert(&cert_request(DEFAULT_PROJECT_ID, INTERNAL_CLUSTER_ID))
        .await
        .map(|r| r.status.as_u16())
}

/// The status, error code and error message of an answer (no code and an empty message for
/// a success); panics on anything but an answer.
fn status_code_and_message(result: Result<u16, Error>) -> (u16, Option<String>, String) {
    match result {
        Ok(status) => (status, None, String::new()),
        Err(Error::Api {
            status,
            error_code,
            error_message,
            ..
        }) => (
            status.as_u16(),
            error_code,
            error_message.unwrap_or_default(),
        ),
        Err(other) => panic!("expected an API answer, got {other:?}"),
    }
}

fn status_and_message(result: Result<u16, Error>) -> (u16, String) {
    let (status, _, message) = status_code_and_message(result);
    (status, message)
}

#[tokio::test]
async fn temporary_credentials_need_their_security_token() {
    let server = mock::start(temporary_config(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let ok = call_with(
        &server,
        Credentials::temporary(
            "TEMPAK",
            "temp-sk",
            "temp-security-token",
            DEFAULT_PROJECT_ID,
        ),
    )
    .await;
    assert_eq!(status_and_message(ok).0, 200);

    let (status, message) = status_and_message(
        call_with(
            &server,
            Credentials::ak_sk("TEMPAK", "temp-sk", DEFAULT_PROJECT_ID),
        )
        .await,
    );
    assert_eq!(status, 401);
    assert!(
        message.contains("X-Security-Token is required"),
        "{message}"
    );

    let (status, message) = status_and_message(
        call_with(
            &server,
            Credentials::temporary("TEMPAK", "temp-sk", "stolen-token", DEFAULT_PROJECT_ID),
        )
        .await,
    );
    assert_eq!(status, 401);
    assert!(message.contains("not valid"), "{message}");
    assert!(!message.contains("stolen-token") && !message.contains("temp-security-token"));
}

#[tokio::test]
async fn an_unsigned_security_token_is_rejected() {
    let server = mock::start(temporary_config(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let mut request = unsigned_request(&server, "application/json");
    sign_request(
        &mut request,
        "TEMPAK",
        "temp-sk",
        std::time::SystemTime::now(),
    )
    .unwrap();
    // Added after signing: present and right, but not covered by the signature.
    request.headers_mut().insert(
        "X-Security-Token",
        HeaderValue::from_static("temp-security-token"),
    );
    assert_rejected(execute(request).await, "must be signed");
}

/// A request to the internal cluster signed with `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`, so
/// the signature does not cover the body.
fn unsigned_payload_request(server: &MockServer, content_type: &'static str) -> reqwest::Request {
    let mut request = unsigned_request(server, content_type);
    request.headers_mut().insert(
        "X-Sdk-Content-Sha256",
        HeaderValue::from_static("UNSIGNED-PAYLOAD"),
    );
    sign_request(
        &mut request,
        DEFAULT_AK,
        DEFAULT_SK,
        std::time::SystemTime::now(),
    )
    .unwrap();
    request
}

#[tokio::test]
async fn a_json_body_signed_as_unsigned_payload_is_rejected() {
    let server = server().await;
    let request = unsigned_payload_request(&server, "application/json");
    // Without the check, a body swapped after signing would be served.
    let swapped = rebuilt(&request, request.url().as_str(), br#"{"duration":1825}"#);
    assert_rejected(execute(request).await, "request body is not signed");
    assert_rejected(execute(swapped).await, "UNSIGNED-PAYLOAD");
}

#[tokio::test]
async fn an_unsigned_payload_of_another_content_type_passes_authentication() {
    // The operation does not read such a body: the answer is the Content-Type's 400, not 401.
    let server = server().await;
    let (status, body) = execute(unsigned_payload_request(&server, "text/plain")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    // The service's own 400 is in the camelCase shape.
    let message = body["errorMessage"].as_str().unwrap_or_default();
    assert!(message.contains("unsupported Content-Type"), "{message}");
}
