//! Benchmarks of the client runtime: signing a request, serializing a request, parsing the
//! documented response, and a full call to a local server on 127.0.0.1 compared, in the same
//! run, with a hand-written `reqwest` POST of the same bytes to the same server.
//!
//! ```sh
//! cargo bench -p clustercert --bench client -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! The figure that matters is the ratio `full_call/client_token` ÷ `full_call/raw_reqwest`
//! (target ≤ 1.10); criterion prints both times.

use std::hint::black_box;
use std::time::Duration;

use bytes::Bytes;
use clustercert::runtime::{signing, Credentials, RawResponse, RetryPolicy};
use clustercert::{
    CertDuration, Client, CreateKubernetesClusterCertRequest, Kubeconfig, ValidityDays,
};
use criterion::{criterion_group, criterion_main, Criterion};
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};

const DOCUMENTED: &str = include_str!("../tests/data/documented_response.json");
const PATH: &str = "/api/v3/projects/0123456789abcdef0123456789abcdef/clusters/4c1c5c1e-93b8-11ee-8a4a-0255ac100b07/clustercert";

fn request() -> CreateKubernetesClusterCertRequest {
    CreateKubernetesClusterCertRequest {
        project_id: "0123456789abcdef0123456789abcdef".to_owned(),
        cluster_id: "4c1c5c1e-93b8-11ee-8a4a-0255ac100b07".to_owned(),
        body: CertDuration {
            duration: ValidityDays::try_from(30).unwrap_or_else(|e| panic!("{e}")),
        },
    }
}

fn pure(c: &mut Criterion) {
    let uri: Uri = format!("https://cce.cn-north-4.myhuaweicloud.com{PATH}")
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut base = HeaderMap::new();
    base.insert("content-type", HeaderValue::from_static("application/json"));
    base.insert("user-agent", HeaderValue::from_static("clustercert/0.1.0"));
    base.insert(
        "x-project-id",
        HeaderValue::from_static("0123456789abcdef0123456789abcdef"),
    );
    let body = br#"{"duration":30}"#;
    let now = time::macros::datetime!(2026-11-28 12:00:00 UTC);
    c.bench_function("sign_request", |b| {
        b.iter(|| {
            let mut headers = base.clone();
            let signed = signing::sign_headers(
                &Method::POST,
                black_box(&uri),
                &mut headers,
                black_box(body),
                "EXAMPLEAK00000000001",
                "example-sk-0000000000000000000000000000",
                now,
            );
            black_box((signed, headers))
        })
    });

    let cert = request().body;
    c.bench_function("serialize_request", |b| {
        b.iter(|| black_box(clustercert::runtime::json_body(black_box(&cert))))
    });

    let raw = RawResponse {
        status: StatusCode::OK,
        headers: HeaderMap::new(),
        body: Bytes::from_static(DOCUMENTED.as_bytes()),
    };
    c.bench_function("parse_documented_response", |b| {
        b.iter(|| black_box(black_box(&raw).json::<Kubeconfig>()))
    });
}

async fn documented() -> impl axum::response::IntoResponse {
    (
        [
            ("content-type", "application/json"),
            ("port-id", "port-0001"),
            ("x-request-id", "bench"),
        ],
        DOCUMENTED,
    )
}

fn full_call(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let url = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let app = axum::Router::new().fallback(documented);
        tokio::spawn(async move { axum::serve(listener, app).await });
        format!("http://{addr}")
    });

    let build = |credentials: Credentials| {
        Client::builder()
            .endpoint(&url)
            .credentials(credentials)
            .retry(RetryPolicy::none())
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let token_client = build(Credentials::token("bench-token"));
    let aksk_client = build(Credentials::ak_sk(
        "EXAMPLEAK00000000001",
        "example-sk-0000000000000000000000000000",
        "0123456789abcdef0123456789abcdef",
    ));
    let raw_client = reqwest::Client::new();
    let raw_url = format!("{url}{PATH}");
    let req = request();
    let body = clustercert::runtime::json_body(&req.body).unwrap_or_else(|e| panic!("{e}"));
    let user_agent = clustercert::runtime::transport::DEFAULT_USER_AGENT;

    let mut group = c.benchmark_group("full_call");
    group.bench_function("client_token", |b| {
        b.to_async(&rt).iter(|| async {
            let response = token_client
                .create_kubernetes_cluster_cert(&req)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            black_box(response)
        })
    });
    group.bench_function("raw_reqwest", |b| {
        b.to_async(&rt).iter(|| async {
            // The same bytes and headers as the client sends with a token; the body is read
            // but not parsed.
            let response = raw_client
                .post(&raw_url)
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .header("user-agent", user_agent)
                .header("x-auth-token", "bench-token")
                .body(body.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let bytes = response.bytes().await.unwrap_or_else(|e| panic!("{e}"));
            black_box(bytes)
        })
    });
    group.bench_function("raw_reqwest_parsed", |b| {
        b.to_async(&rt).iter(|| async {
            let response = raw_client
                .post(&raw_url)
                .header("content-type", "application/json")
                .header("accept", "application/json")
                .header("user-agent", user_agent)
                .header("x-auth-token", "bench-token")
                .body(body.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let bytes = response.bytes().await.unwrap_or_else(|e| panic!("{e}"));
            black_box(
                serde_json::from_slice::<Kubeconfig>(&bytes).unwrap_or_else(|e| panic!("{e}")),
            )
        })
    });
    group.bench_function("client_aksk", |b| {
        b.to_async(&rt).iter(|| async {
            let response = aksk_client
                .create_kubernetes_cluster_cert(&req)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            black_box(response)
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = pure, full_call
}
criterion_main!(benches);
