//! Every conformance case that has a request, replayed against the mock (with a token and
//! with AK/SK): the status agrees with the case, and the suite's checks pass on what came
//! back. Also the checks on every response the mock gives for each duration and cluster kind.

#![forbid(unsafe_code)]

use std::collections::BTreeMap;

use clustercert::runtime::{encode_path_segment, sign_request, Credentials, RetryPolicy};
use clustercert::Client;
use clustercert_conformance::case::{
    default_cases_dir, load_dir, Case, RequestPart, ResponsePart, Verdict,
};
use clustercert_conformance::cce::MOCK_MATRIX;
use clustercert_conformance::checks::{self, CA_WITH_INSECURE};
use clustercert_conformance::finding::{Report, Severity};
use clustercert_conformance::mock::{
    self, MockConfig, MockServer, DEFAULT_AK, DEFAULT_PROJECT_ID, DEFAULT_SK, DEFAULT_TOKEN,
    INTERNAL_CLUSTER_ID,
};
use clustercert_conformance::runner::check_case;
use clustercert_conformance::schema::Validators;
use clustercert_conformance::target::fetch;
use reqwest::header::{HeaderName, HeaderValue};
use serde_json::{json, Value};

async fn server() -> MockServer {
    mock::start(MockConfig::builtin(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

#[derive(Debug, Clone, Copy)]
enum Auth {
    Token,
    AkSk,
}

/// Path parameter text: a string as it is, anything else as its JSON.
fn param(path: &BTreeMap<String, Value>, name: &str) -> String {
    match path.get(name) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// Sends a case's request as it is written, plus credentials, and returns the exchange as a
/// case to judge.
async fn replay(server: &MockServer, request: &RequestPart, auth: Auth) -> Case {
    let empty = BTreeMap::new();
    let path = request.path.as_ref().unwrap_or(&empty);
    let url = format!(
        "{}{}",
        server.url(),
        clustercert_conformance::spec::operation_path_template()
            .unwrap()
            .replace(
                "{project_id}",
                &encode_path_segment(&param(path, "project_id"))
            )
            .replace(
                "{cluster_id}",
                &encode_path_segment(&param(path, "cluster_id"))
            ),
    );
    let mut raw = reqwest::Request::new(reqwest::Method::POST, url.parse().unwrap());
    for (name, value) in request.headers.iter().flatten() {
        raw.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    let body = match &request.body {
        Some(body) => serde_json::to_vec(body).unwrap(),
        None => Vec::new(),
    };
    *raw.body_mut() = Some(body.into());
    match auth {
        Auth::Token => {
            raw.headers_mut()
                .insert("X-Auth-Token", HeaderValue::from_static(DEFAULT_TOKEN));
        }
        Auth::AkSk => {
            sign_request(
                &mut raw,
                DEFAULT_AK,
                DEFAULT_SK,
                std::time::SystemTime::now(),
            )
            .unwrap();
        }
    }
    let response = reqwest::Client::new().execute(raw).await.unwrap();
    let status = response.status().as_u16();
    let headers: BTreeMap<String, String> = [
        ("Port-ID", "port-id"),
        ("X-Request-Id", "x-request-id"),
        ("Content-Type", "content-type"),
    ]
    .into_iter()
    .filter_map(|(name, lower)| {
        let value = response.headers().get(lower)?.to_str().ok()?;
        Some((name.to_owned(), value.to_owned()))
    })
    .collect();
    let bytes = response.bytes().await.unwrap();
    let (body, body_text) = match serde_json::from_slice::<Value>(&bytes) {
        Ok(value) => (Some(value), None),
        Err(_) => (None, Some(String::from_utf8_lossy(&bytes).into_owned())),
    };
    Case {
        description: "replayed against the mock".to_owned(),
        request: Some(request.clone()),
        response: Some(ResponsePart {
            status,
            headers,
            body,
            body_text,
        }),
        duration: None,
        expect: None,
    }
}

/// The status a server must give a case's request: 400 when the request alone is invalid;
/// else the recorded status; else 200 for a valid case.
fn expected_status(case: &Case, request: &RequestPart, validators: &Validators) -> u16 {
    let mut report = Report::new();
    checks::check_request(request, validators, &mut report);
    if report.has_errors() {
        return 400;
    }
    match (&case.response, &case.expect) {
        (Some(response), _) => response.status,
        (None, Some(expect)) if expect.verdict == Verdict::Invalid => 400,
        _ => 200,
    }
}

/// Error findings about the response (the request's own findings are the case's business).
fn response_errors(case: &Case, validators: &Validators) -> Vec<String> {
    let report = check_case(case, validators);
    report
        .findings()
        .iter()
        .filter(|f| f.severity == Severity::Error && !f.check.starts_with("request."))
        .map(|f| format!("{} at {}: {}", f.check, f.path, f.message))
        .collect()
}

#[tokio::test]
async fn every_case_with_a_request_replays_with_the_expected_status() {
    let validators = Validators::builtin().unwrap();
    let server = server().await;
    let cases = load_dir(&default_cases_dir()).unwrap();
    let mut replayed = 0usize;
    for (name, case) in &cases {
        let Some(request) = &case.request else {
            continue;
        };
        let expected = expected_status(case, request, validators);
        for auth in [Auth::Token, Auth::AkSk] {
            let exchange = replay(&server, request, auth).await;
            let got = exchange.response.as_ref().map(|r| r.status).unwrap_or(0);
            assert_eq!(got, expected, "case {name} ({auth:?}): {exchange:?}");
            let errors = response_errors(&exchange, validators);
            assert!(
                errors.is_empty(),
                "case {name} ({auth:?}): the mock's answer fails the checks: {errors:#?}"
            );
        }
        replayed += 1;
    }
    assert!(
        replayed >= 10,
        "only {} cases with a request in {}",
        replayed,
        default_cases_dir().display()
    );
}

#[tokio::test]
async fn the_checks_pass_on_every_mock_response() {
    let validators = Validators::builtin().unwrap();
    let server = server().await;
    let clients = [
        (
            "token",
            Client::builder()
                .endpoint(server.url())
                .token(DEFAULT_TOKEN)
                .retry(RetryPolicy::none())
                .build()
                .unwrap(),
        ),
        (
            "aksk",
            Client::builder()
                .endpoint(server.url())
                .credentials(Credentials::ak_sk(
                    DEFAULT_AK,
                    DEFAULT_SK,
                    DEFAULT_PROJECT_ID,
                ))
                .retry(RetryPolicy::none())
                .build()
                .unwrap(),
        ),
    ];
    for (auth, client) in &clients {
        for entry in MOCK_MATRIX {
            let (cluster_id, external, duration) =
                (entry.cluster_id, entry.external, entry.duration);
            let case = fetch(client, DEFAULT_PROJECT_ID, cluster_id, duration)
                .await
                .unwrap();
            assert_eq!(case.response.as_ref().unwrap().status, 200);
            let report = check_case(&case, validators);
            let at = format!("{auth} {cluster_id} {duration}");
            let errors: Vec<_> = report
                .findings()
                .iter()
                .filter(|f| f.severity == Severity::Error)
                .collect();
            assert!(errors.is_empty(), "{at}: {errors:#?}");
            // The certificate checks ran, with the duration known.
            let ran = report.outcomes();
            for check in [
                "cert.x509-v3",
                "cert.key.mismatch",
                "cert.validity",
                "kubeconfig.names",
            ] {
                assert!(ran.contains_key(check), "{at}: {check} did not run");
            }
            // CCE sends CA data beside insecure-skip-tls-verify on externalCluster, and so
            // does the mock: the suite warns about exactly that, and only there.
            let warnings: Vec<&str> = report
                .findings()
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .map(|f| f.check)
                .collect();
            if external {
                assert_eq!(warnings, [CA_WITH_INSECURE], "{at}");
            } else {
                assert!(warnings.is_empty(), "{at}: {warnings:?}");
            }
        }
    }
}

#[tokio::test]
async fn the_mock_error_bodies_pass_the_checks() {
    let validators = Validators::builtin().unwrap();
    let server = server().await;
    let request = |cluster_id: &str, body: Value, headers: &[(&str, &str)]| RequestPart {
        path: Some(BTreeMap::from([
            ("project_id".to_owned(), json!(DEFAULT_PROJECT_ID)),
            ("cluster_id".to_owned(), json!(cluster_id)),
        ])),
        headers: Some(
            [("Content-Type", "application/json")]
                .iter()
                .chain(headers)
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        ),
        body: Some(body),
    };
    let exchanges = [
        (
            400,
            request(INTERNAL_CLUSTER_ID, json!({"duration": 0}), &[]),
        ),
        (404, request("nowhere", json!({"duration": 30}), &[])),
        (
            429,
            request(
                INTERNAL_CLUSTER_ID,
                json!({"duration": 30}),
                &[("X-Mock-Fault", "429")],
            ),
        ),
        (
            500,
            request(
                INTERNAL_CLUSTER_ID,
                json!({"duration": 30}),
                &[("X-Mock-Fault", "500")],
            ),
        ),
    ];
    for (status, request) in exchanges {
        let exchange = replay(&server, &request, Auth::Token).await;
        assert_eq!(exchange.response.as_ref().unwrap().status, status);
        let errors = response_errors(&exchange, validators);
        assert!(errors.is_empty(), "{status}: {errors:#?}");
        let ran = check_case(&exchange, validators).outcomes();
        assert!(
            ran.contains_key(checks::ERROR_SHAPE),
            "{status}: error.shape did not run"
        );
    }
    // A 401 too: a request without credentials.
    let mut raw = reqwest::Request::new(
        reqwest::Method::POST,
        format!(
            "{}{}",
            server.url(),
            clustercert_conformance::spec::operation_path(DEFAULT_PROJECT_ID, INTERNAL_CLUSTER_ID)
                .unwrap()
        )
        .parse()
        .unwrap(),
    );
    raw.headers_mut()
        .insert("Content-Type", HeaderValue::from_static("application/json"));
    *raw.body_mut() = Some(br#"{"duration":30}"#.to_vec().into());
    let response = reqwest::Client::new().execute(raw).await.unwrap();
    assert_eq!(response.status(), 401);
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    let case = Case {
        description: "401".to_owned(),
        request: None,
        response: Some(ResponsePart {
            status: 401,
            headers: BTreeMap::new(),
            body: Some(body),
            body_text: None,
        }),
        duration: None,
        expect: None,
    };
    assert!(response_errors(&case, validators).is_empty());
}
