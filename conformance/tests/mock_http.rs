//! The mock over raw HTTP: CCE-shaped 400/401/404/405 bodies, messages that name the problem,
//! and a 4xx (never a 5xx) for every malformed request.

#![forbid(unsafe_code)]

use std::collections::HashSet;

use clustercert_conformance::mock::{
    self, ErrorShape, MockConfig, MockServer, DEFAULT_PROJECT_ID, DEFAULT_TOKEN,
    INTERNAL_CLUSTER_ID,
};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A body the operation accepts.
const GOOD_BODY: &[u8] = br#"{"duration": 30}"#;

async fn server_with(config: MockConfig) -> MockServer {
    mock::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

async fn server() -> MockServer {
    server_with(MockConfig::builtin()).await
}

fn cert_path(project_id: &str, cluster_id: &str) -> String {
    // Raw on purpose: these tests send ids the encoder would escape.
    clustercert_conformance::spec::operation_path_template()
        .unwrap()
        .replace("{project_id}", project_id)
        .replace("{cluster_id}", cluster_id)
}

fn default_path() -> String {
    cert_path(DEFAULT_PROJECT_ID, INTERNAL_CLUSTER_ID)
}

/// What came back: status, headers, body as JSON (`Value::Null` when it is not JSON).
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

/// A request with the default token and `Content-Type: application/json` unless `headers`
/// overrides them (a header set to the empty string is left out).
async fn send(
    server: &MockServer,
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> Answer {
    let mut map = HeaderMap::new();
    map.insert("X-Auth-Token", HeaderValue::from_static(DEFAULT_TOKEN));
    map.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (name, value) in headers {
        let name = reqwest::header::HeaderName::from_bytes(name.as_bytes()).unwrap();
        if value.is_empty() {
            map.remove(&name);
        } else {
            map.insert(name, HeaderValue::from_str(value).unwrap());
        }
    }
    let response = reqwest::Client::new()
        .request(method, format!("{}{}", server.url(), path))
        .headers(map)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.unwrap();
    Answer {
        status,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

async fn post(server: &MockServer, headers: &[(&str, &str)], body: &[u8]) -> Answer {
    send(
        server,
        Method::POST,
        &default_path(),
        headers,
        body.to_vec(),
    )
    .await
}

/// The code and message of a CCE error body, in whichever shape it came.
fn code_and_message(body: &Value) -> (String, String) {
    let get = |a: &str, b: &str| {
        body.get(a)
            .or_else(|| body.get(b))
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no {a}/{b} in {body}"))
            .to_owned()
    };
    (
        get("error_code", "errorCode"),
        get("error_msg", "errorMessage"),
    )
}

#[tokio::test]
async fn missing_credential_is_401_in_the_gateway_shape() {
    let server = server().await;
    let answer = post(&server, &[("X-Auth-Token", "")], GOOD_BODY).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body["error_code"], "CCE.01401001");
    let message = answer.body["error_msg"].as_str().unwrap();
    assert!(message.contains("missing credential"), "{message}");
}

#[tokio::test]
async fn wrong_token_is_401_and_the_message_does_not_echo_it() {
    let server = server().await;
    let answer = post(&server, &[("X-Auth-Token", "guessed-token-123")], GOOD_BODY).await;
    assert_eq!(answer.status, 401);
    assert_eq!(answer.body["error_code"], "CCE.01401001");
    assert!(!answer.body.to_string().contains("guessed-token-123"));
}

#[tokio::test]
async fn another_authorization_scheme_is_401() {
    let server = server().await;
    let answer = post(
        &server,
        &[
            ("X-Auth-Token", ""),
            ("Authorization", "Basic dXNlcjpwYXNz"),
        ],
        GOOD_BODY,
    )
    .await;
    assert_eq!(answer.status, 401);
    assert!(answer.body["error_msg"]
        .as_str()
        .unwrap()
        .contains("SDK-HMAC-SHA256"));
}

#[tokio::test]
async fn invalid_durations_are_400_naming_value_and_rule() {
    let server = server().await;
    for value in ["0", "-2", "1826", "2147483648", "-9223372036854775808"] {
        let body = format!(r#"{{"duration": {value}}}"#);
        let answer = post(&server, &[], body.as_bytes()).await;
        assert_eq!(answer.status, 400, "{value}");
        assert_eq!(answer.body["errorCode"], "CCE.01400001");
        let message = answer.body["errorMessage"].as_str().unwrap();
        assert!(message.contains(value), "{message}");
        assert!(
            message.contains("must be -1, or from 1 to 1825"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn valid_boundaries_and_extra_fields_are_accepted() {
    let server = server().await;
    for body in [
        r#"{"duration": -1}"#,
        r#"{"duration": 1}"#,
        r#"{"duration": 1825}"#,
        r#"{"duration": 30, "unknown": "tolerated"}"#,
    ] {
        let answer = post(&server, &[], body.as_bytes()).await;
        assert_eq!(answer.status, 200, "{body}");
        assert_eq!(answer.body["kind"], "Config");
    }
    let answer = post(
        &server,
        &[("Content-Type", "application/json; charset=utf-8")],
        GOOD_BODY,
    )
    .await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn unknown_project_and_cluster_are_404() {
    let server = server().await;
    let body = GOOD_BODY.to_vec();
    let answer = send(
        &server,
        Method::POST,
        &cert_path("other-project", INTERNAL_CLUSTER_ID),
        &[],
        body.clone(),
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body["errorCode"], "CCE.01404001");
    assert!(answer.body["errorMessage"]
        .as_str()
        .unwrap()
        .contains("other-project"));
    let answer = send(
        &server,
        Method::POST,
        &cert_path(DEFAULT_PROJECT_ID, "no-such-cluster"),
        &[],
        body,
    )
    .await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.body["errorCode"], "CCE.01404001");
    assert!(answer.body["errorMessage"]
        .as_str()
        .unwrap()
        .contains("no-such-cluster"));
    assert!(answer.headers.get("Port-ID").is_none());
}

#[tokio::test]
async fn other_methods_are_405_with_allow_post() {
    let server = server().await;
    for method in [Method::GET, Method::PUT, Method::DELETE, Method::PATCH] {
        let answer = send(&server, method.clone(), &default_path(), &[], Vec::new()).await;
        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(answer.headers["allow"], "POST");
        let (code, message) = code_and_message(&answer.body);
        assert!(code.starts_with("CCE."), "{code}");
        assert!(message.contains(method.as_str()), "{message}");
    }
}

#[tokio::test]
async fn every_response_has_a_fresh_request_id() {
    let server = server().await;
    let mut ids = HashSet::new();
    let answers = [
        post(&server, &[], GOOD_BODY).await,
        post(&server, &[], br#"{"duration": 0}"#).await,
        post(&server, &[("X-Auth-Token", "")], GOOD_BODY).await,
        send(&server, Method::GET, &default_path(), &[], Vec::new()).await,
        send(&server, Method::POST, "/nowhere", &[], Vec::new()).await,
        post(&server, &[("X-Mock-Fault", "503")], GOOD_BODY).await,
    ];
    for answer in &answers {
        let id = answer.headers["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(id.len(), 32);
        assert!(ids.insert(id), "request ids repeat");
    }
    assert_eq!(answers[0].status, 200);
    assert!(answers[0].headers.get("port-id").is_some());
    for answer in &answers[1..] {
        assert!(answer.headers.get("port-id").is_none());
    }
}

#[tokio::test]
async fn error_shape_can_be_forced() {
    let mut config = MockConfig::builtin();
    config.error_shape = ErrorShape::Underscore;
    let server = server_with(config).await;
    let answer = post(&server, &[], br#"{"duration": 0}"#).await;
    assert_eq!(answer.body["error_code"], "CCE.01400001");

    let mut config = MockConfig::builtin();
    config.error_shape = ErrorShape::CamelCase;
    let server = server_with(config).await;
    let answer = post(&server, &[("X-Auth-Token", "")], GOOD_BODY).await;
    assert_eq!(answer.body["errorCode"], "CCE.01401001");
}

/// One malformed request: what it is, extra headers, body.
struct Malformed {
    what: &'static str,
    method: Method,
    path: String,
    headers: Vec<(&'static str, &'static str)>,
    body: Vec<u8>,
}

/// `{"duration": [[[…]]]}`, `depth` arrays deep.
fn nested_json(depth: usize) -> Vec<u8> {
    let mut body = b"{\"duration\": ".to_vec();
    body.extend(std::iter::repeat_n(b'[', depth));
    body.extend(std::iter::repeat_n(b']', depth));
    body.push(b'}');
    body
}

fn malformed_requests() -> Vec<Malformed> {
    let post = |what, headers: Vec<(&'static str, &'static str)>, body: &[u8]| Malformed {
        what,
        method: Method::POST,
        path: default_path(),
        headers,
        body: body.to_vec(),
    };
    // A good body, sent with one odd header.
    let header = |what, name, value| post(what, vec![(name, value)], GOOD_BODY);
    // A good body, sent with no extra header to `path` by `method`.
    let elsewhere = |what, method, path, body: &[u8]| Malformed {
        what,
        method,
        path,
        headers: vec![],
        body: body.to_vec(),
    };
    vec![
        post("empty body", vec![], b""),
        post("whitespace body", vec![], b"  \n"),
        post("bad JSON", vec![], b"{\"duration\": 30"),
        post("trailing garbage", vec![], b"{\"duration\": 30} x"),
        post("JSON array", vec![], b"[30]"),
        post("JSON number", vec![], b"30"),
        post("JSON null", vec![], b"null"),
        post("no duration", vec![], b"{\"days\": 30}"),
        post("duration string", vec![], b"{\"duration\": \"30\"}"),
        post("duration float", vec![], b"{\"duration\": 30.5}"),
        post("duration 30.0", vec![], b"{\"duration\": 30.0}"),
        post("duration null", vec![], b"{\"duration\": null}"),
        post("duration bool", vec![], b"{\"duration\": true}"),
        post("duration object", vec![], b"{\"duration\": {}}"),
        post("duration 0", vec![], b"{\"duration\": 0}"),
        post("duration 1826", vec![], b"{\"duration\": 1826}"),
        post(
            "duration u64 max",
            vec![],
            b"{\"duration\": 18446744073709551615}",
        ),
        post(
            "duration 1e20",
            vec![],
            b"{\"duration\": 100000000000000000000}",
        ),
        post("duration 1e400", vec![], b"{\"duration\": 1e400}"),
        post("non-UTF-8 body", vec![], b"{\"duration\": \"\xff\xfe\"}"),
        post("deeply nested JSON", vec![], &nested_json(5000)),
        header("text/plain", "Content-Type", "text/plain"),
        post(
            "form content type",
            vec![("Content-Type", "application/x-www-form-urlencoded")],
            b"duration=30",
        ),
        header("no content type", "Content-Type", ""),
        header("unknown fault", "X-Mock-Fault", "teapot"),
        header("two faults", "X-Mock-Fault", "429,503"),
        post("body too large", vec![], &vec![b' '; 200 * 1024]),
        elsewhere(
            "non-UTF-8 path parameter",
            Method::POST,
            cert_path("mock%FFproject", INTERNAL_CLUSTER_ID),
            GOOD_BODY,
        ),
        elsewhere(
            "unknown path",
            Method::POST,
            "/api/v3/projects/mock-project/clusters".to_owned(),
            GOOD_BODY,
        ),
        elsewhere("wrong method", Method::GET, default_path(), b""),
    ]
}

/// Every malformed request gets a 4xx with a CCE error body; the table of answers is a
/// snapshot, so a changed message shows up in review.
#[tokio::test]
async fn malformed_requests_get_a_4xx_never_a_5xx() {
    let server = server().await;
    let mut table = Vec::new();
    for request in malformed_requests() {
        let answer = send(
            &server,
            request.method,
            &request.path,
            &request.headers,
            request.body,
        )
        .await;
        assert!(
            answer.status.is_client_error(),
            "{}: {}",
            request.what,
            answer.status
        );
        let (code, message) = code_and_message(&answer.body);
        assert!(code.starts_with("CCE.01"), "{}: {code}", request.what);
        assert!(!message.is_empty());
        table.push(json!({
            "request": request.what,
            "status": answer.status.as_u16(),
            "body": answer.body,
        }));
    }
    insta::with_settings!({ snapshot_path => "mock_snapshots" }, {
        insta::assert_yaml_snapshot!("malformed_requests", table);
    });
}

#[tokio::test]
async fn header_values_that_are_not_utf8_get_a_4xx() {
    let server = server().await;
    let url = format!("{}{}", server.url(), default_path());
    let odd = HeaderValue::from_bytes(b"caf\xe9").unwrap();
    for (name, expected) in [
        ("X-Auth-Token", 401u16),
        ("Content-Type", 400),
        ("X-Mock-Fault", 400),
        ("Authorization", 401),
    ] {
        let mut request = reqwest::Client::new()
            .post(&url)
            .body(r#"{"duration": 30}"#)
            .header(name, odd.clone());
        if name != "X-Auth-Token" && name != "Authorization" {
            request = request.header("X-Auth-Token", DEFAULT_TOKEN);
        }
        if name != "Content-Type" {
            request = request.header(CONTENT_TYPE, "application/json");
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status().as_u16(), expected, "{name}");
        let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        let (code, _) = code_and_message(&body);
        assert_eq!(code, format!("CCE.01{expected}001"), "{name}");
    }
}
