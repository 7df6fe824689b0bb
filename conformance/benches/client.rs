//! Benchmarks of the client runtime: signing a request, serializing a request, parsing the
//! documented response, and a full call to a local server on 127.0.0.1 compared, in the same
//! run, with a hand-written `reqwest` POST of the same bytes to the same server.
//!
//! ```sh
//! cargo bench -p clustercert --bench client -- --warm-up-time 1 --measurement-time 3
//! ```
//!
//! The figure that matters is the ratio `full_call/client_token` ÷ `full_call/raw_reqwest`
//! (target ≤ 1.10); criterion prints both times. `raw_reqwest_parsed` also parses the body
//! into the same `Kubeconfig` the client returns, the like-for-like comparison.

use std::hint::black_box;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clustercert::runtime::{signing, Credentials, RawResponse, RetryPolicy};
use clustercert::{
    CertDuration, Client, CreateKubernetesClusterCertRequest, Kubeconfig, ValidityDays,
};
use criterion::{criterion_group, criterion_main, Criterion};
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};

const DOCUMENTED: &str = include_str!("../tests/data/documented_response.json");
fn path() -> String {
    clustercert_conformance::spec::operation_path(
        "0123456789abcdef0123456789abcdef",
        "4c1c5c1e-93b8-11ee-8a4a-0255ac100b07",
    )
    .expect("the spec has the operation")
}

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
    let uri: Uri = format!("https://cce.cn-north-4.myhuaweicloud.com{}", path())
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

    // What an AK/SK call signs: `sign_request` on the request the transport builds, with its
    // four headers (the time above is `sign_headers` alone on three).
    let url: reqwest::Url = format!("http://127.0.0.1:8080{}", path())
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut transport_headers = base.clone();
    transport_headers.insert("accept", HeaderValue::from_static("application/json"));
    c.bench_function("sign_request_as_sent", |b| {
        b.iter(|| {
            let mut request = reqwest::Request::new(Method::POST, url.clone());
            *request.headers_mut() = transport_headers.clone();
            *request.body_mut() = Some(body.to_vec().into());
            let signed = clustercert::runtime::sign_request(
                &mut request,
                "EXAMPLEAK00000000001",
                "example-sk-0000000000000000000000000000",
                now,
            );
            black_box((signed, request))
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
        attempts: 1,
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

/// A hand-written `reqwest` POST of the same bytes, with the headers the client sends with a
/// token.
struct Raw<'a> {
    client: &'a reqwest::Client,
    url: &'a str,
    body: &'a [u8],
    user_agent: &'static str,
}

impl Raw<'_> {
    async fn call(&self, parse: bool) {
        let response = self
            .client
            .post(self.url)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header("user-agent", self.user_agent)
            .header("x-auth-token", "bench-token")
            .body(self.body.to_vec())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let bytes = response.bytes().await.unwrap_or_else(|e| panic!("{e}"));
        if parse {
            let parsed: Kubeconfig =
                serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}"));
            black_box(parsed);
        } else {
            black_box(bytes);
        }
    }
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
    // The same without the total timeout, to show what its timer costs.
    let untimed_client = Client::builder()
        .endpoint(&url)
        .token("bench-token")
        .retry(RetryPolicy::none())
        .no_timeout()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let aksk_client = build(Credentials::ak_sk(
        "EXAMPLEAK00000000001",
        "example-sk-0000000000000000000000000000",
        "0123456789abcdef0123456789abcdef",
    ));
    let raw_client = reqwest::Client::new();
    let raw_url = format!("{url}{}", path());
    let req = request();
    let body = clustercert::runtime::json_body(&req.body).unwrap_or_else(|e| panic!("{e}"));
    let user_agent = clustercert::runtime::transport::DEFAULT_USER_AGENT;

    let token_client = &token_client;
    let untimed_client = &untimed_client;
    let aksk_client = &aksk_client;
    let req = &req;
    let raw = Raw {
        client: &raw_client,
        url: &raw_url,
        body: &body,
        user_agent,
    };
    let raw = &raw;
    let client_call = |client: &'static str| async move {
        let client = match client {
            "token" => token_client,
            "untimed" => untimed_client,
            _ => aksk_client,
        };
        let response = client
            .create_kubernetes_cluster_cert(req)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        black_box(response);
    };
    let raw_call = |parse: bool| raw.call(parse);

    // Each measured call alternates with an unmeasured call of the other kind, so that both
    // sides of the comparison see the same machine load (the machine is shared).
    let mut group = c.benchmark_group("full_call");
    group.bench_function("client_token", |b| {
        b.to_async(&rt).iter_custom(|iters| async move {
            let mut measured = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                client_call("token").await;
                measured += start.elapsed();
                raw_call(false).await;
            }
            measured
        })
    });
    group.bench_function("raw_reqwest", |b| {
        b.to_async(&rt).iter_custom(|iters| async move {
            let mut measured = Duration::ZERO;
            for _ in 0..iters {
                client_call("token").await;
                let start = Instant::now();
                raw_call(false).await;
                measured += start.elapsed();
            }
            measured
        })
    });
    group.bench_function("raw_reqwest_parsed", |b| {
        b.to_async(&rt).iter_custom(|iters| async move {
            let mut measured = Duration::ZERO;
            for _ in 0..iters {
                client_call("token").await;
                let start = Instant::now();
                raw_call(true).await;
                measured += start.elapsed();
            }
            measured
        })
    });
    group.bench_function("client_aksk", |b| {
        b.to_async(&rt).iter_custom(|iters| async move {
            let mut measured = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                client_call("aksk").await;
                measured += start.elapsed();
                raw_call(false).await;
            }
            measured
        })
    });
    group.finish();

    // Criterion's separate runs drift with the load of a shared machine; a paired measurement
    // is steadier: the three calls alternate, in rotating order, and the medians are compared.
    let rounds = 4000;
    let mut samples: [Vec<Duration>; 5] = Default::default();
    rt.block_on(async {
        for round in 0..rounds {
            for k in 0..5 {
                let which = (round + k) % 5;
                let start = Instant::now();
                match which {
                    0 => client_call("token").await,
                    1 => raw_call(false).await,
                    2 => raw_call(true).await,
                    3 => client_call("untimed").await,
                    _ => client_call("aksk").await,
                }
                samples[which].push(start.elapsed());
            }
        }
    });
    let [client, raw, parsed, untimed, aksk] = samples.map(|mut s| {
        s.sort();
        s[s.len() / 2].as_secs_f64() * 1e6
    });
    println!(
        "paired medians over {rounds} rounds: client_token {client:.1} µs, raw_reqwest {raw:.1} µs, \
         raw_reqwest_parsed {parsed:.1} µs, client_token without total timeout {untimed:.1} µs, \
         client_aksk {aksk:.1} µs"
    );
    println!(
        "ratios: client/raw = {:.3}, client/raw_parsed = {:.3}, untimed client/raw = {:.3}, \
         aksk client/raw = {:.3}; aksk - token = {:.1} µs",
        client / raw,
        client / parsed,
        untimed / raw,
        aksk / raw,
        aksk - client
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = pure, full_call
}
criterion_main!(benches);
