//! Every fault mode, asked for per request (`X-Mock-Fault`) and per configured cluster.

#![forbid(unsafe_code)]

use std::time::Duration;

use clustercert::runtime::RetryPolicy;
use clustercert::{CertDuration, Client, CreateKubernetesClusterCertRequest, Error, ValidityDays};
use clustercert_conformance::mock::{
    self, ClusterConfig, MockConfig, MockServer, DEFAULT_PROJECT_ID, DEFAULT_TOKEN,
    INTERNAL_CLUSTER_ID,
};
use reqwest::StatusCode;
use serde_json::Value;

async fn server_with(config: MockConfig) -> MockServer {
    mock::start(config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn url(server: &MockServer, cluster_id: &str) -> String {
    let path =
        clustercert_conformance::spec::operation_path(DEFAULT_PROJECT_ID, cluster_id).unwrap();
    format!("{}{path}", server.url())
}

fn request_builder(server: &MockServer, cluster_id: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .post(url(server, cluster_id))
        .header("X-Auth-Token", DEFAULT_TOKEN)
        .header("Content-Type", "application/json")
        .body(r#"{"duration": 30}"#)
}

async fn with_fault(server: &MockServer, fault: &str) -> reqwest::Response {
    request_builder(server, INTERNAL_CLUSTER_ID)
        .header("X-Mock-Fault", fault)
        .send()
        .await
        .unwrap()
}

async fn json(response: reqwest::Response) -> Value {
    let bytes = response.bytes().await.unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The generated client, without retries, so it reports each fault as it comes.
fn client(server: &MockServer) -> Client {
    Client::builder()
        .endpoint(server.url())
        .token(DEFAULT_TOKEN)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn cert_request(cluster_id: &str) -> CreateKubernetesClusterCertRequest {
    CreateKubernetesClusterCertRequest {
        project_id: DEFAULT_PROJECT_ID.to_owned(),
        cluster_id: cluster_id.to_owned(),
        body: CertDuration {
            duration: ValidityDays::try_from(30).unwrap(),
        },
    }
}

/// The built-in configuration plus a cluster with `fault`.
fn config_with_faulty_cluster(id: &str, fault: &str, times: Option<u64>) -> MockConfig {
    let mut config = MockConfig::builtin();
    config.projects[0].clusters.push(ClusterConfig {
        fault: Some(fault.to_owned()),
        fault_times: times,
        ..ClusterConfig::new(id, "https://192.168.1.20:5443")
    });
    config
}

#[tokio::test]
async fn too_many_requests_has_retry_after() {
    let server = server_with(MockConfig::builtin()).await;
    let response = with_fault(&server, "429").await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(response.headers()["retry-after"], "1");
    assert!(response.headers().contains_key("x-request-id"));
    let body: Value = json(response).await;
    assert_eq!(body["error_code"], "CCE.01429002");
}

#[tokio::test]
async fn server_errors_have_their_status_and_code() {
    let server = server_with(MockConfig::builtin()).await;
    for status in [500u16, 502, 503, 504] {
        let response = with_fault(&server, &status.to_string()).await;
        assert_eq!(response.status().as_u16(), status);
        assert!(response.headers().get("port-id").is_none());
        let body: Value = json(response).await;
        assert_eq!(body["error_code"], format!("CCE.01{status}001"));
    }
}

#[tokio::test]
async fn html_is_a_500_page_that_is_not_json() {
    let server = server_with(MockConfig::builtin()).await;
    let response = with_fault(&server, "html").await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let text = response.text().await.unwrap();
    assert!(text.starts_with("<!DOCTYPE html>"));
    assert!(serde_json::from_str::<Value>(&text).is_err());
}

#[tokio::test]
async fn truncate_is_a_complete_200_with_half_a_kubeconfig() {
    let server = server_with(MockConfig::builtin()).await;
    let response = with_fault(&server, "truncate").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().contains_key("port-id"));
    let length: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let text = response.text().await.unwrap();
    assert_eq!(text.len(), length);
    assert!(text.starts_with(r#"{"kind":"Config""#));
    assert!(serde_json::from_str::<Value>(&text).is_err());
}

#[tokio::test]
async fn close_sends_headers_and_part_of_the_body_then_drops_the_connection() {
    let server = server_with(MockConfig::builtin()).await;
    let response = with_fault(&server, "close").await;
    assert_eq!(response.status(), StatusCode::OK);
    let announced: usize = response.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(announced > 0);
    let err = response.bytes().await.unwrap_err();
    assert!(
        err.is_body() || err.is_decode() || err.is_request(),
        "{err:?}"
    );
}

#[tokio::test]
async fn delay_then_answers_normally() {
    let server = server_with(MockConfig::builtin()).await;
    let response = with_fault(&server, "delay=20").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = json(response).await;
    assert_eq!(body["kind"], "Config");

    // A client that gives up sooner than the delay sees a timeout, not an answer.
    let err = request_builder(&server, INTERNAL_CLUSTER_ID)
        .header("X-Mock-Fault", "delay=5000")
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
}

#[tokio::test]
async fn delay_combines_with_another_fault() {
    let server = server_with(MockConfig::builtin()).await;
    let response = with_fault(&server, "delay=10, 503").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn a_configured_cluster_fault_applies_to_every_request() {
    let server = server_with(config_with_faulty_cluster("broken", "html", None)).await;
    for _ in 0..3 {
        let response = request_builder(&server, "broken").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
    // Other clusters are unaffected.
    let response = request_builder(&server, INTERNAL_CLUSTER_ID)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_configured_fault_with_times_recovers() {
    let server = server_with(config_with_faulty_cluster("flaky", "429", Some(2))).await;
    for _ in 0..2 {
        let response = request_builder(&server, "flaky").send().await.unwrap();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()["retry-after"], "1");
    }
    let response = request_builder(&server, "flaky").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["port-id"], "port-flaky");
}

#[tokio::test]
async fn the_header_overrides_the_cluster_fault() {
    let server = server_with(config_with_faulty_cluster("broken", "503", None)).await;
    let response = request_builder(&server, "broken")
        .header("X-Mock-Fault", "429")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// What the client (no retries) gets from a mock whose cluster `cluster_id` always has `fault`.
async fn client_error_of_fault(cluster_id: &str, fault: &str) -> Error {
    let server = server_with(config_with_faulty_cluster(cluster_id, fault, None)).await;
    client(&server)
        .create_kubernetes_cluster_cert(&cert_request(cluster_id))
        .await
        .unwrap_err()
}

#[tokio::test]
async fn the_generated_client_reports_each_fault() {
    let err = client_error_of_fault("truncated", "truncate").await;
    assert!(matches!(err, Error::ResponseMismatch { .. }), "{err:?}");

    let err = client_error_of_fault("closing", "close").await;
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");

    let err = client_error_of_fault("gateway", "html").await;
    match err {
        Error::Api {
            status,
            request_id,
            body,
            ..
        } => {
            assert_eq!(status, 500);
            assert!(request_id.is_some());
            assert!(body.contains("<html>"));
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn the_generated_client_retries_through_a_flaky_cluster() {
    let server = server_with(config_with_faulty_cluster("flaky", "503", Some(2))).await;
    // The mock's 503 has no Retry-After: retried only when asked to.
    let client = Client::builder()
        .endpoint(server.url())
        .token(DEFAULT_TOKEN)
        .retry(RetryPolicy::default().retry_ambiguous(true))
        .build()
        .unwrap();
    let response = client
        .create_kubernetes_cluster_cert(&cert_request("flaky"))
        .await
        .unwrap();
    assert_eq!(response.port_id.as_deref(), Some("port-flaky"));
    assert_eq!(response.body.current_context, "internal");
}

#[tokio::test]
async fn the_generated_client_waits_out_a_429() {
    let server = server_with(config_with_faulty_cluster("throttled", "429", Some(1))).await;
    let client = Client::builder()
        .endpoint(server.url())
        .token(DEFAULT_TOKEN)
        .build()
        .unwrap();
    let response = client
        .create_kubernetes_cluster_cert(&cert_request("throttled"))
        .await
        .unwrap();
    assert_eq!(response.port_id.as_deref(), Some("port-throttled"));
}

#[tokio::test]
async fn faults_apply_before_authentication_as_documented() {
    let server = server_with(MockConfig::builtin()).await;
    let unauthenticated = || {
        reqwest::Client::new()
            .post(url(&server, INTERNAL_CLUSTER_ID))
            .header("Content-Type", "application/json")
            .body(r#"{"duration": 30}"#)
    };
    let plain = unauthenticated().send().await.unwrap();
    assert_eq!(plain.status(), StatusCode::UNAUTHORIZED);
    let faulted = unauthenticated()
        .header("X-Mock-Fault", "503")
        .send()
        .await
        .unwrap();
    assert_eq!(faulted.status(), StatusCode::SERVICE_UNAVAILABLE);
    let truncated = unauthenticated()
        .header("X-Mock-Fault", "truncate")
        .send()
        .await
        .unwrap();
    assert_eq!(truncated.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn delays_that_add_up_past_the_cap_are_refused_at_once() {
    let server = server_with(MockConfig::builtin()).await;
    let started = std::time::Instant::now();
    let response = with_fault(&server, "delay=60000,delay=60000,delay=60000").await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body = json(response).await;
    assert!(
        body.to_string().contains("add up to more than 60000 ms"),
        "{body}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    server.shutdown().await;
}

mod idle {
    use super::*;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpStream;

    const IDLE: Duration = Duration::from_millis(300);

    async fn short_idle_server() -> MockServer {
        mock::start_with(
            MockConfig::builtin(),
            "127.0.0.1:0".parse().unwrap(),
            mock::ServeOptions { idle_timeout: IDLE },
        )
        .await
        .unwrap()
    }

    /// Reads until the server closes the connection; what it sent. Fails after 5 s.
    async fn read_until_closed(stream: &mut TcpStream) -> String {
        let mut out = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut out));
        match read.await {
            Ok(Ok(_)) => {}
            // A reset is a close too.
            Ok(Err(e)) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}"),
            Err(_) => panic!("the connection was still open after 5 s"),
        }
        String::from_utf8_lossy(&out).into_owned()
    }

    #[tokio::test]
    async fn a_connection_that_sends_nothing_is_closed() {
        let server = short_idle_server().await;
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        let started = std::time::Instant::now();
        let sent = read_until_closed(&mut stream).await;
        assert!(started.elapsed() >= IDLE, "closed before the timeout");
        assert!(!sent.contains("200 OK"), "{sent}");
        server.shutdown().await;
    }

    #[tokio::test]
    async fn a_half_sent_request_head_is_closed() {
        let server = short_idle_server().await;
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        stream
            .write_all(b"POST /api HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        read_until_closed(&mut stream).await;
        server.shutdown().await;
    }

    #[tokio::test]
    async fn a_kept_alive_connection_is_closed_when_idle() {
        let server = short_idle_server().await;
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        stream
            .write_all(b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let sent = read_until_closed(&mut stream).await;
        assert!(sent.starts_with("HTTP/1.1 404"), "{sent}");
        server.shutdown().await;
    }

    #[tokio::test]
    async fn a_body_that_never_comes_is_a_408() {
        let server = short_idle_server().await;
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {DEFAULT_TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 16\r\n\r\n",
            url(&server, INTERNAL_CLUSTER_ID).trim_start_matches(&server.url())
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let sent = read_until_closed(&mut stream).await;
        assert!(sent.starts_with("HTTP/1.1 408"), "{sent}");
        server.shutdown().await;
    }
}
