//! The generated API against what the spec says: its documented examples round-trip, the
//! duration type holds only allowed values, and a call sends exactly the request the spec
//! describes to a local server and reads the response with its headers.

#![forbid(unsafe_code)]

use std::sync::{Arc, Mutex};

use clustercert::{
    CertDuration, Client, CreateKubernetesClusterCertRequest, ErrorResponse, Kubeconfig,
    KubeconfigApiVersion, KubeconfigKind, ValidityDays,
};

/// The spec, as JSON.
fn spec() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.yaml");
    let text = std::fs::read_to_string(path).expect("read spec/openapi.yaml");
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).expect("spec is YAML");
    serde_json::to_value(yaml).expect("spec converts to JSON")
}

/// `components.examples.<name>.value` of the spec.
fn component_example(name: &str) -> serde_json::Value {
    let value = spec()["components"]["examples"][name]["value"].clone();
    assert!(value.is_object(), "no example {name} in the spec");
    value
}

#[test]
fn documented_responses_round_trip_to_equal_json() {
    for name in ["InternalCluster", "ExternalCluster"] {
        let json = component_example(name);
        let kubeconfig: Kubeconfig =
            serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(kubeconfig.kind, KubeconfigKind::Config);
        assert_eq!(kubeconfig.api_version, KubeconfigApiVersion::V1);
        let back = serde_json::to_value(&kubeconfig).expect("serializes");
        assert_eq!(back, json, "{name} does not round-trip");
    }
}

#[test]
fn documented_response_fields_land_in_the_right_places() {
    let kubeconfig: Kubeconfig =
        serde_json::from_value(component_example("ExternalCluster")).expect("parses");
    assert_eq!(kubeconfig.current_context, "external");
    let names: Vec<&str> = kubeconfig
        .clusters
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(names, ["internalCluster", "externalCluster"]);
    let external = &kubeconfig.clusters[1].cluster;
    assert_eq!(external.server, "https://203.0.113.10:5443");
    assert_eq!(external.insecure_skip_tls_verify, Some(true));
    assert_eq!(
        kubeconfig.clusters[0].cluster.insecure_skip_tls_verify,
        None
    );
    assert_eq!(
        kubeconfig.users[0].user.client_key_data.expose_secret(),
        "LS0tLS1CRUdJTi******BLRVktLS0tLQo="
    );
    assert_eq!(kubeconfig.contexts[1].context.cluster, "externalCluster");
}

#[test]
fn the_client_key_never_shows_in_debug_output() {
    let kubeconfig: Kubeconfig =
        serde_json::from_value(component_example("InternalCluster")).expect("parses");
    let debug = format!("{kubeconfig:?}");
    assert!(
        !debug.contains("LS0tLS1CRUdJTi******BLRVktLS0tLQo="),
        "{debug}"
    );
    assert!(
        debug.contains("LS0tLS1CRUdJTiBDR******QVRFLS0tLS0K"),
        "{debug}"
    );
}

#[test]
fn unknown_response_fields_are_tolerated() {
    let mut json = component_example("InternalCluster");
    json["extra"] = serde_json::json!({"added": "later"});
    json["clusters"][0]["cluster"]["proxy-url"] = serde_json::json!("http://proxy");
    let kubeconfig: Kubeconfig = serde_json::from_value(json).expect("extra fields tolerated");
    assert_eq!(kubeconfig.clusters.len(), 1);
}

#[test]
fn a_wrong_kind_or_missing_field_is_refused() {
    let mut json = component_example("InternalCluster");
    json["kind"] = serde_json::json!("Pod");
    assert!(serde_json::from_value::<Kubeconfig>(json).is_err());
    let mut json = component_example("InternalCluster");
    json.as_object_mut()
        .expect("object")
        .remove("current-context");
    let error = serde_json::from_value::<Kubeconfig>(json).expect_err("missing field");
    assert!(error.to_string().contains("current-context"), "{error}");
}

#[test]
fn documented_requests_round_trip() {
    let spec = spec();
    let template = clustercert_conformance::spec::operation_path_template().unwrap();
    let examples =
        &spec["paths"][template]["post"]["requestBody"]["content"]["application/json"]["examples"];
    let mut seen = 0;
    for name in ["thirtyDays", "maximum"] {
        let json = examples[name]["value"].clone();
        let body: CertDuration =
            serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(serde_json::to_value(body).expect("serializes"), json);
        seen += 1;
    }
    assert_eq!(seen, 2);
}

#[test]
fn both_error_shapes_parse() {
    let first: ErrorResponse =
        serde_json::from_str(r#"{"error_code":"CCE.01400001","error_msg":"Invalid request."}"#)
            .expect("first shape");
    assert_eq!(first.error_code.as_deref(), Some("CCE.01400001"));
    assert_eq!(first.error_msg.as_deref(), Some("Invalid request."));
    let second: ErrorResponse = serde_json::from_str(
        r#"{"errorCode":"CCE.01404001","errorMessage":"Resource not found.","message":"m"}"#,
    )
    .expect("second shape");
    assert_eq!(second.error_code_camel.as_deref(), Some("CCE.01404001"));
    assert_eq!(second.error_message.as_deref(), Some("Resource not found."));
    assert_eq!(second.message.as_deref(), Some("m"));
    assert_eq!(second.error_code, None);
}

const RULE: &str = "must be -1, or from 1 to 1825";

#[test]
fn validity_days_rejects_forbidden_values_naming_value_and_rule() {
    for value in [
        0,
        -2,
        1826,
        i64::from(i32::MIN),
        i64::from(i32::MAX),
        1 << 40,
    ] {
        let error = ValidityDays::try_from(value).expect_err("forbidden value accepted");
        assert_eq!(error.type_name, "ValidityDays");
        assert_eq!(error.value, value.to_string());
        assert_eq!(error.rule, RULE);
        let message = error.to_string();
        assert!(
            message.contains(&value.to_string()) && message.contains(RULE),
            "{message}"
        );
    }
    let error = ValidityDays::try_from(i32::MIN).expect_err("i32::MIN accepted");
    assert_eq!(error.value, i32::MIN.to_string());
    assert_eq!(ValidityDays::RULE, RULE);
}

#[test]
fn validity_days_accepts_allowed_values() {
    for value in [-1, 1, 30, 1825] {
        let days = ValidityDays::try_from(value).expect("allowed value refused");
        assert_eq!(days.get(), value);
        assert_eq!(i32::from(days), value);
        assert_eq!(ValidityDays::try_from(i64::from(value)), Ok(days));
        assert_eq!(days.to_string().parse::<ValidityDays>(), Ok(days));
    }
    assert!("abc".parse::<ValidityDays>().is_err());
}

#[test]
fn validity_days_is_checked_when_deserializing() {
    let body: CertDuration = serde_json::from_str(r#"{"duration":-1}"#).expect("-1 allowed");
    assert_eq!(body.duration.get(), -1);
    for bad in ["0", "-2", "1826", "-2147483648", "1.5", "\"30\""] {
        let json = format!(r#"{{"duration":{bad}}}"#);
        let result = serde_json::from_str::<CertDuration>(&json);
        assert!(result.is_err(), "{json} accepted");
    }
    let error = serde_json::from_str::<CertDuration>(r#"{"duration":1826}"#).expect_err("1826");
    assert!(error.to_string().contains(RULE), "{error}");
}

/// What the test server saw of one request.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    path: String,
    query: Option<String>,
    headers: http::HeaderMap,
    body: Vec<u8>,
}

/// A server on 127.0.0.1 that records each request and answers with `status`, the documented
/// example body and the two documented headers.
async fn server(status: u16, body: serde_json::Value) -> (String, Arc<Mutex<Vec<Seen>>>) {
    let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
    let recorder = seen.clone();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let recorder = recorder.clone();
        let body = body.clone();
        async move {
            let (parts, incoming) = request.into_parts();
            let bytes = axum::body::to_bytes(incoming, 1 << 20)
                .await
                .map(|b| b.to_vec())
                .unwrap_or_default();
            recorder.lock().expect("lock").push(Seen {
                method: parts.method.to_string(),
                path: parts.uri.path().to_owned(),
                query: parts.uri.query().map(str::to_owned),
                headers: parts.headers,
                body: bytes,
            });
            (
                http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::OK),
                [
                    ("Port-ID", "8c2a0b6e-port"),
                    ("X-Request-Id", "req-0001"),
                    ("Content-Type", "application/json"),
                ],
                body.to_string(),
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{address}"), seen)
}

/// A client of `url` with a token and the default policy.
fn client(url: String) -> Client {
    Client::builder()
        .endpoint(url)
        .token("t")
        .build()
        .expect("client")
}

fn request(cluster_id: &str, days: i32) -> CreateKubernetesClusterCertRequest {
    CreateKubernetesClusterCertRequest {
        project_id: "0b7c4e2f9a".to_owned(),
        cluster_id: cluster_id.to_owned(),
        body: CertDuration {
            duration: ValidityDays::try_from(days).expect("allowed"),
        },
    }
}

#[tokio::test]
async fn a_call_sends_what_the_spec_describes_and_reads_the_response() {
    let example = component_example("InternalCluster");
    let (url, seen) = server(200, example.clone()).await;
    let client = client(url);

    let response = client
        .create_kubernetes_cluster_cert(&request("c-41", 30))
        .await
        .expect("call succeeds");

    assert_eq!(response.status, http::StatusCode::OK);
    assert_eq!(response.port_id.as_deref(), Some("8c2a0b6e-port"));
    assert_eq!(response.request_id.as_deref(), Some("req-0001"));
    let expected: Kubeconfig = serde_json::from_value(example).expect("example");
    assert_eq!(response.body, expected);

    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1);
    let sent = &seen[0];
    assert_eq!(sent.method, "POST");
    assert_eq!(
        sent.path,
        clustercert_conformance::spec::operation_path("0b7c4e2f9a", "c-41").unwrap()
    );
    assert_eq!(sent.query, None);
    assert_eq!(
        sent.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    assert_eq!(
        sent.headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok()),
        Some("t")
    );
    // Exactly these headers, as observed (reqwest adds `host` and `content-length`; the
    // client adds the rest): nothing of AK/SK in token mode.
    let names: std::collections::BTreeSet<&str> =
        sent.headers.keys().map(http::HeaderName::as_str).collect();
    let expected: std::collections::BTreeSet<&str> = [
        "accept",
        "content-length",
        "content-type",
        "host",
        "user-agent",
        "x-auth-token",
    ]
    .into_iter()
    .collect();
    assert_eq!(names, expected);
    for absent in [
        "authorization",
        "x-project-id",
        "x-sdk-date",
        "x-security-token",
    ] {
        assert!(sent.headers.get(absent).is_none(), "{absent} sent");
    }
    assert_eq!(sent.headers.get_all("x-auth-token").iter().count(), 1);
    assert_eq!(
        sent.headers.get("accept").and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    assert_eq!(
        sent.headers.get("user-agent").and_then(|v| v.to_str().ok()),
        Some(clustercert::runtime::transport::DEFAULT_USER_AGENT)
    );
    assert_eq!(
        sent.headers
            .get("content-length")
            .and_then(|v| v.to_str().ok()),
        Some("15")
    );
    let body: serde_json::Value = serde_json::from_slice(&sent.body).expect("JSON body");
    assert_eq!(body, serde_json::json!({"duration": 30}));
}

#[tokio::test]
async fn a_cluster_id_with_slash_and_question_mark_stays_one_segment() {
    let (url, seen) = server(200, component_example("InternalCluster")).await;
    let client = client(url);
    client
        .create_kubernetes_cluster_cert(&request("a/b?c#d", -1))
        .await
        .expect("call succeeds");
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].path,
        clustercert_conformance::spec::operation_path("0b7c4e2f9a", "a/b?c#d").unwrap()
    );
    assert_eq!(seen[0].query, None);
    let body: serde_json::Value = serde_json::from_slice(&seen[0].body).expect("JSON body");
    assert_eq!(body, serde_json::json!({"duration": -1}));
}

#[tokio::test]
async fn an_error_status_becomes_an_error_with_status_and_request_id() {
    let body =
        serde_json::json!({"errorCode": "CCE.01404001", "errorMessage": "Resource not found."});
    let (url, seen) = server(404, body).await;
    let client = client(url);
    let error = client
        .create_kubernetes_cluster_cert(&request("missing", 30))
        .await
        .expect_err("404 is an error");
    assert_eq!(error.status(), Some(http::StatusCode::NOT_FOUND));
    assert_eq!(error.request_id(), Some("req-0001"));
    assert!(!seen.lock().expect("lock").is_empty());
}
