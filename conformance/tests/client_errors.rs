//! The client against a local server that misbehaves on purpose: every error class, one case
//! each, through the generated `Client`.

#![forbid(unsafe_code)]

mod client_support;

use std::time::Duration;

use client_support::{refused_url, request, serve, Reply};
use clustercert::runtime::{Credentials, RetryPolicy, TransportErrorKind};
use clustercert::{Client, CreateKubernetesClusterCertResponse, Error};

/// Quick retries, so that the tests do not wait long; the total timeout stays generous.
fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(3)
        .initial_backoff(Duration::from_millis(5))
        .max_backoff(Duration::from_millis(20))
}

/// A client with a token, `retry` and a 20-second timeout.
fn client_with(url: &str, retry: RetryPolicy) -> Client {
    Client::builder()
        .endpoint(url)
        .token("test-token")
        .retry(retry)
        .timeout(Duration::from_secs(20))
        .build()
        .expect("client builds")
}

fn client(url: &str) -> Client {
    client_with(url, fast_retries())
}

/// [`client`], also retrying failures that may have reached the operation (502, 504, 503
/// without `Retry-After`).
fn ambiguous_retrying_client(url: &str) -> Client {
    client_with(url, fast_retries().retry_ambiguous(true))
}

/// The operation with the usual [`request`], through `client`.
async fn send(client: &Client) -> Result<CreateKubernetesClusterCertResponse, Error> {
    client.create_kubernetes_cluster_cert(&request()).await
}

/// The fields of an [`Error::Api`]: status, request id, error code, error message, body.
/// Panics, naming `case`, on any other error.
fn api_fields<'a>(
    err: &'a Error,
    case: &str,
) -> (
    u16,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
) {
    match err {
        Error::Api {
            status,
            request_id,
            error_code,
            error_message,
            body,
            ..
        } => (
            status.as_u16(),
            request_id.as_deref(),
            error_code.as_deref(),
            error_message.as_deref(),
            body,
        ),
        other => panic!("{case}: not an API error: {other:?}"),
    }
}

#[tokio::test]
async fn documented_response_is_parsed() {
    let server = serve(vec![Reply::documented()]).await;
    let response = send(&client(&server.url)).await.expect("200");
    assert_eq!(response.status, 200);
    assert_eq!(response.port_id.as_deref(), Some("port-0001"));
    assert_eq!(response.request_id.as_deref(), Some("req-200"));
    assert_eq!(response.body.clusters[0].name, "internalCluster");
    assert_eq!(
        response.body.users[0].user.client_key_data.expose_secret(),
        "LS0tLS1CRUdJTi******BLRVktLS0tLQo="
    );
    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method, "POST");
    assert_eq!(
        sent[0].uri.path(),
        clustercert_conformance::spec::operation_path(
            "0123456789abcdef0123456789abcdef",
            "4c1c5c1e-93b8-11ee-8a4a-0255ac100b07"
        )
        .unwrap()
    );
    assert_eq!(sent[0].headers["x-auth-token"], "test-token");
    assert_eq!(sent[0].headers["content-type"], "application/json");
    assert_eq!(&sent[0].body[..], br#"{"duration":30}"#);
}

#[tokio::test]
async fn refused_connection_is_a_connect_error() {
    let url = refused_url().await;
    let err = send(&client(&url)).await.expect_err("nothing listens");
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.is_retryable());
    assert!(err.to_string().starts_with("connection failed"), "{err}");
}

#[tokio::test]
async fn a_delay_past_the_timeout_is_a_timeout() {
    let server = serve(vec![Reply::documented().delayed(Duration::from_secs(30))]).await;
    let client = Client::builder()
        .endpoint(&server.url)
        .token("t")
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client builds");
    let err = send(&client).await.expect_err("times out");
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn too_many_requests_with_retry_after_then_success() {
    let server = serve(vec![
        Reply::json(
            429,
            r#"{"error_code":"CCE.01429002","error_msg":"slow down"}"#,
        )
        .header("retry-after", "1"),
        Reply::documented(),
    ])
    .await;
    let response = send(&client(&server.url))
        .await
        .expect("the retry succeeds");
    assert_eq!(response.status, 200);
    let sent = server.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].body, sent[1].body);
}

#[tokio::test]
async fn retry_after_beyond_the_timeout_returns_the_429_at_once() {
    let server = serve(vec![
        Reply::json(
            429,
            r#"{"errorCode":"CCE.01429003","errorMessage":"later"}"#,
        )
        .header("retry-after", "3600"),
        Reply::documented(),
    ])
    .await;
    let err = send(&client(&server.url))
        .await
        .expect_err("no time to wait an hour");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(429));
    assert!(err.is_retryable());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn service_unavailable_three_times_then_success() {
    let unavailable = Reply::json(503, "");
    let server = serve(vec![
        unavailable.clone(),
        unavailable.clone(),
        unavailable,
        Reply::documented(),
    ])
    .await;
    // A 503 without Retry-After may have reached the operation: retried only on request.
    let response = send(&ambiguous_retrying_client(&server.url))
        .await
        .expect("the fourth attempt succeeds");
    assert_eq!(response.port_id.as_deref(), Some("port-0001"));
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn retries_run_out_with_the_last_error() {
    let server = serve(vec![Reply::json(502, "")]).await;
    let err = send(&ambiguous_retrying_client(&server.url))
        .await
        .expect_err("always 502");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(502));
    assert_eq!(server.requests().len(), 4, "one attempt and three retries");
}

#[tokio::test]
async fn no_retries_when_turned_off() {
    let server = serve(vec![Reply::json(503, ""), Reply::documented()]).await;
    let client = Client::builder()
        .endpoint(&server.url)
        .token("t")
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds");
    let err = send(&client).await.expect_err("no retry");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 1);
}

async fn api_error(reply: Reply) -> (Error, usize) {
    let server = serve(vec![reply, Reply::documented()]).await;
    let err = send(&client(&server.url))
        .await
        .expect_err("an error status");
    (err, server.requests().len())
}

#[tokio::test]
async fn bad_request_in_the_snake_case_shape() {
    let (err, attempts) = api_error(Reply::json(
        400,
        r#"{"error_code":"CCE.01400001","error_msg":"Invalid request."}"#,
    ))
    .await;
    assert_eq!(attempts, 1, "400 is not retried");
    let (status, request_id, error_code, error_message, body) = api_fields(&err, "snake_case");
    assert_eq!(status, 400);
    assert_eq!(request_id, Some("req-400"));
    assert_eq!(error_code, Some("CCE.01400001"));
    assert_eq!(error_message, Some("Invalid request."));
    assert!(body.contains("error_msg"));
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "API error: status 400 Bad Request, request id req-400: CCE.01400001: Invalid request."
    );
}

#[tokio::test]
async fn bad_request_in_the_camel_case_shape() {
    let (err, _) = api_error(Reply::json(
        400,
        r#"{"errorCode":"CCE.01400001","errorMessage":"Invalid request.","message":"duration must be -1 or 1..1825"}"#,
    ))
    .await;
    let (_, _, error_code, error_message, _) = api_fields(&err, "camelCase");
    assert_eq!(error_code, Some("CCE.01400001"));
    assert_eq!(
        error_message,
        Some("Invalid request., duration must be -1 or 1..1825")
    );
}

#[tokio::test]
async fn server_error_with_an_html_body() {
    let html = "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>nginx</body>\r\n</html>";
    let reply = Reply {
        headers: vec![
            ("content-type", "text/html".to_owned()),
            ("x-request-id", "gw-1".to_owned()),
        ],
        ..Reply::json(500, html)
    };
    let (err, attempts) = api_error(reply).await;
    assert_eq!(attempts, 1, "500 is not retried");
    let (status, request_id, error_code, error_message, body) = api_fields(&err, "HTML");
    assert_eq!(status, 500);
    assert_eq!(request_id, Some("gw-1"));
    assert_eq!(error_code, None);
    assert_eq!(error_message, None);
    assert_eq!(body, html);
    let text = err.to_string();
    assert!(!text.contains('\n'), "{text}");
    assert!(
        text.contains("gw-1") && text.contains("<title>500"),
        "{text}"
    );
}

async fn mismatch(reply: Reply) -> Error {
    let server = serve(vec![reply]).await;
    send(&client(&server.url))
        .await
        .expect_err("a body that does not match")
}

#[tokio::test]
async fn ok_with_truncated_json() {
    let truncated = &client_support::DOCUMENTED[..client_support::DOCUMENTED.len() / 2];
    match mismatch(Reply::json(200, truncated)).await {
        Error::ResponseMismatch {
            status,
            request_id,
            message,
            ..
        } => {
            assert_eq!(status.as_u16(), 200);
            assert_eq!(request_id.as_deref(), Some("req-200"));
            assert!(message.starts_with("EOF while parsing"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn ok_with_a_wrong_type() {
    let wrong = client_support::DOCUMENTED.replace(
        r#""server" : "https://192.168.1.7:5443""#,
        r#""server" : 5443"#,
    );
    assert_ne!(wrong, client_support::DOCUMENTED);
    let err = mismatch(Reply::json(200, wrong)).await;
    match &err {
        Error::ResponseMismatch { path, message, .. } => {
            assert_eq!(path, "clusters[0].cluster.server");
            assert_eq!(message, "invalid type: integer `5443`, expected a string");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string().ends_with(
            "clusters[0].cluster.server: invalid type: integer `5443`, expected a string"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn ok_with_an_oversized_body() {
    // Valid JSON, just too big: two MiB of padding in `preferences`.
    let padding = "x".repeat(2 << 20);
    let big = client_support::DOCUMENTED.replace(
        r#""preferences" : { }"#,
        &format!(r#""preferences" : {{ "pad": "{padding}" }}"#),
    );
    match mismatch(Reply::json(200, big)).await {
        Error::BodyTooLarge {
            status,
            request_id,
            limit,
            ..
        } => {
            assert_eq!(status.as_u16(), 200);
            assert_eq!(request_id.as_deref(), Some("req-200"));
            assert_eq!(limit, 1 << 20);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn ok_with_null_or_empty_bodies() {
    for body in ["null", "", "[]", "<html>ok</html>"] {
        let err = mismatch(Reply::json(200, body)).await;
        assert!(
            matches!(err, Error::ResponseMismatch { .. }),
            "{body:?}: {err:?}"
        );
    }
}

#[tokio::test]
async fn error_statuses_with_null_empty_and_json_array_bodies() {
    for body in ["null", "", "[1]", "{\"error_code\":"] {
        let (err, _) = api_error(Reply::json(403, body)).await;
        let (status, _, error_code, _, _) = api_fields(&err, &format!("{body:?}"));
        assert_eq!(status, 403);
        assert_eq!(error_code, None);
        assert!(err.to_string().contains("req-403"), "{err}");
    }
}

#[tokio::test]
async fn invalid_input_is_caught_before_sending() {
    let server = serve(vec![Reply::documented()]).await;
    let mut bad = request();
    bad.cluster_id = "..".to_owned();
    let err = client(&server.url)
        .create_kubernetes_cluster_cert(&bad)
        .await
        .expect_err("a '..' id would change the path");
    assert!(matches!(err, Error::InvalidInput(_)), "{err:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn an_empty_path_parameter_is_caught_before_sending() {
    let server = serve(vec![Reply::documented()]).await;
    let mut no_cluster = request();
    no_cluster.cluster_id = String::new();
    let mut no_project = request();
    no_project.project_id = String::new();
    for (bad, name) in [(no_cluster, "cluster_id"), (no_project, "project_id")] {
        let err = client(&server.url)
            .create_kubernetes_cluster_cert(&bad)
            .await
            .expect_err("an empty id would send `//`");
        match &err {
            Error::InvalidInput(message) => assert_eq!(
                message,
                &format!("CreateKubernetesClusterCert: path parameter {name} is empty")
            ),
            other => panic!("{other:?}"),
        }
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_huge_retry_after_is_capped_not_obeyed() {
    // The largest number of seconds a `Retry-After` can carry: once it overflowed the clock.
    let server = serve(vec![
        Reply::json(503, "{}").header("retry-after", "18446744073709551615"),
        Reply::documented(),
    ])
    .await;
    let err = send(&client(&server.url))
        .await
        .expect_err("the capped wait (60 s) is still past the 20 s timeout");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 1);

    // Without a total timeout, a day's `Retry-After` waits only the policy's cap.
    let server = serve(vec![
        Reply::json(429, "{}").header("retry-after", "86400"),
        Reply::documented(),
    ])
    .await;
    let client = Client::builder()
        .endpoint(&server.url)
        .token("test-token")
        .retry(fast_retries().max_retry_after(Duration::from_millis(10)))
        .no_timeout()
        .build()
        .expect("client builds");
    let response = send(&client)
        .await
        .expect("the retry after the capped wait succeeds");
    assert_eq!(response.status, 200);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn ak_sk_requests_carry_project_and_security_token() {
    let server = serve(vec![Reply::documented()]).await;
    let client = Client::builder()
        .endpoint(&server.url)
        .credentials(Credentials::temporary("AK", "SK", "STS-TOKEN", "proj-1"))
        .user_agent("tests/1")
        .build()
        .expect("client builds");
    send(&client).await.expect("200");
    let sent = &server.requests()[0];
    assert_eq!(sent.headers["x-project-id"], "proj-1");
    assert_eq!(sent.headers["x-security-token"], "STS-TOKEN");
    assert_eq!(sent.headers["user-agent"], "tests/1");
    assert!(sent.headers.get("x-auth-token").is_none());
    let auth = sent.headers["authorization"].to_str().expect("ascii");
    assert!(
        auth.starts_with("SDK-HMAC-SHA256 Access=AK, SignedHeaders=accept;content-type;host;user-agent;x-project-id;x-sdk-date;x-security-token, Signature="),
        "{auth}"
    );
}
