//! Benchmarks of the client runtime: signing a request, serializing a request, parsing the
//! documented response, and a full call to a local server on 127.0.0.1 compared, in the same
//! process, with a hand-written `reqwest` POST of the same bytes to the same server.
//!
//! ```sh
//! # the paired comparison alone (client vs raw reqwest, token and AK/SK), about 20 s:
//! cargo bench -p clustercert-conformance --bench client -- --paired
//! # criterion's figures for each piece, then the paired comparison:
//! cargo bench -p clustercert-conformance --bench client
//! # N calls of one kind (token, aksk, untimed, raw_token, raw_aksk, raw_signed, raw_unparsed), or N
//! # signatures alone, for callgrind or dhat:
//! valgrind --tool=callgrind target/release/deps/client-<hash> --profile aksk 2000
//! valgrind --tool=callgrind target/release/deps/client-<hash> --profile-signing 10000
//! ```
//!
//! What is compared: a client call ([`Client::create_kubernetes_cluster_cert`], which builds
//! the request, adds the credentials' headers, signs AK/SK requests with the system clock,
//! sends, reads and parses the body into a [`Kubeconfig`]) against a hand-written `reqwest`
//! POST that puts the same bytes on the wire and parses the body into the same type. For
//! AK/SK there are two hand-written calls: one that signs each call with the runtime's public
//! [`clustercert::runtime::sign_request_with`] and a key made once, as the client signs (a
//! valid call: the server refuses an `X-Sdk-Date` more than 15 minutes old, so a user of plain
//! `reqwest` signs every call too), and one that sends a signature made once at start-up (the
//! floor: the same bytes with no signing work, a call the server would refuse after 15
//! minutes). The first also times the signing where it runs, between calls, which is several
//! times its cost in a warm loop. All go to one server in this process, each kind through its
//! own `reqwest::Client` and its own reused connection. The calls alternate within each round in a shuffled order,
//! so that both sides see the same load of a shared machine; the figure is the median over
//! the rounds of the per-round ratio.

#![forbid(unsafe_code)]

use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use clustercert::runtime::{signing, Credentials, RawResponse, RetryPolicy};
use clustercert::{
    CertDuration, Client, CreateKubernetesClusterCertRequest, Kubeconfig, ValidityDays,
};
use criterion::Criterion;
use http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};

const DOCUMENTED: &str = include_str!("../tests/data/documented_response.json");
const PROJECT: &str = "0123456789abcdef0123456789abcdef";
const CLUSTER: &str = "4c1c5c1e-93b8-11ee-8a4a-0255ac100b07";
const AK: &str = "EXAMPLEAK00000000001";
const SK: &str = "example-sk-0000000000000000000000000000";
const TOKEN: &str = "bench-token";

fn path() -> String {
    clustercert_conformance::spec::operation_path(PROJECT, CLUSTER)
        .expect("the spec has the operation")
}

fn request() -> CreateKubernetesClusterCertRequest {
    CreateKubernetesClusterCertRequest {
        project_id: PROJECT.to_owned(),
        cluster_id: CLUSTER.to_owned(),
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
    base.insert("x-project-id", HeaderValue::from_static(PROJECT));
    let body = br#"{"duration":30}"#;
    let now = std::time::UNIX_EPOCH + Duration::from_secs(1_795_867_200); // 2026-11-28 12:00 UTC
    c.bench_function("sign_request", |b| {
        b.iter(|| {
            let mut headers = base.clone();
            let signed = signing::sign_headers(
                &Method::POST,
                black_box(&uri),
                &mut headers,
                black_box(body),
                AK,
                SK,
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
            let signed = clustercert::runtime::sign_request(&mut request, AK, SK, now);
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

/// The kinds of call compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// The client with a token.
    Token,
    /// The client with AK/SK (signed per call, system clock).
    AkSk,
    /// `reqwest` by hand, the token call's bytes, body parsed.
    RawToken,
    /// `reqwest` by hand, the AK/SK call's bytes (a precomputed signature), body parsed.
    RawAkSk,
    /// `reqwest` by hand, the token call's bytes, body read but not parsed.
    RawTokenUnparsed,
    /// The client with a token and no total timeout (what the timeout's timer costs).
    Untimed,
    /// `reqwest` by hand, the AK/SK call signed per call with `sign_request_with`.
    RawAkSkSigned,
}

impl Kind {
    const ALL: [Kind; 7] = [
        Kind::Token,
        Kind::AkSk,
        Kind::RawToken,
        Kind::RawAkSk,
        Kind::RawTokenUnparsed,
        Kind::Untimed,
        Kind::RawAkSkSigned,
    ];

    fn parse(name: &str) -> Option<Kind> {
        Some(match name {
            "token" => Kind::Token,
            "aksk" => Kind::AkSk,
            "raw_token" => Kind::RawToken,
            "raw_aksk" => Kind::RawAkSk,
            "raw_unparsed" => Kind::RawTokenUnparsed,
            "untimed" => Kind::Untimed,
            "raw_signed" => Kind::RawAkSkSigned,
            _ => return None,
        })
    }
}

/// One server, the two clients and the hand-written calls.
struct Setup {
    rt: tokio::runtime::Runtime,
    token_client: Client,
    aksk_client: Client,
    untimed_client: Client,
    /// One `reqwest::Client` (so one connection) per hand-written kind, as each client kind
    /// has its own: no kind's connection is used more often, and kept warmer, than another's.
    raw_clients: [reqwest::Client; 4],
    raw_url: String,
    body: Vec<u8>,
    /// The headers of the token call, in the order the client sends them.
    token_headers: HeaderMap,
    /// The headers of the AK/SK call, with a signature made once.
    aksk_headers: HeaderMap,
    /// The headers of the AK/SK call before signing.
    unsigned_aksk_headers: HeaderMap,
    /// The HMAC key of the hand-signed calls, made once as the client makes its own.
    signing_key: signing::SigningKey,
    /// How long each per-call `sign_request_with` took, in µs.
    sign_times: Mutex<Vec<f64>>,
    req: CreateKubernetesClusterCertRequest,
}

impl Setup {
    fn new() -> Setup {
        // One worker for the server; the calls run on the thread that blocks on them.
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
        let token_client = build(Credentials::token(TOKEN));
        let aksk_client = build(Credentials::ak_sk(AK, SK, PROJECT));
        let untimed_client = Client::builder()
            .endpoint(&url)
            .token(TOKEN)
            .retry(RetryPolicy::none())
            .no_timeout()
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        let req = request();
        let body = clustercert::runtime::json_body(&req.body).unwrap_or_else(|e| panic!("{e}"));
        let raw_url = format!("{url}{}", path());
        let user_agent = clustercert::runtime::transport::DEFAULT_USER_AGENT;

        let mut token_headers = HeaderMap::new();
        token_headers.insert("accept", HeaderValue::from_static("application/json"));
        token_headers.insert("user-agent", HeaderValue::from_static(user_agent));
        token_headers.insert("x-auth-token", HeaderValue::from_static(TOKEN));
        token_headers.insert("content-type", HeaderValue::from_static("application/json"));

        // The AK/SK call's headers, signed once now: same names, same value lengths.
        let mut signed = reqwest::Request::new(
            Method::POST,
            raw_url.parse().unwrap_or_else(|e| panic!("{e}")),
        );
        let headers = signed.headers_mut();
        headers.insert("accept", HeaderValue::from_static("application/json"));
        headers.insert("user-agent", HeaderValue::from_static(user_agent));
        headers.insert("x-project-id", HeaderValue::from_static(PROJECT));
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        let unsigned_aksk_headers = headers.clone();
        *signed.body_mut() = Some(body.clone().into());
        clustercert::runtime::sign_request(&mut signed, AK, SK, std::time::SystemTime::now())
            .unwrap_or_else(|e| panic!("{e}"));
        let aksk_headers = signed.headers().clone();

        let raw = reqwest::Client::new;
        Setup {
            rt,
            token_client,
            aksk_client,
            untimed_client,
            raw_clients: [raw(), raw(), raw(), raw()],
            raw_url,
            body,
            token_headers,
            aksk_headers,
            unsigned_aksk_headers,
            signing_key: signing::SigningKey::new(SK),
            sign_times: Mutex::new(Vec::new()),
            req,
        }
    }

    async fn call(&self, kind: Kind) {
        let (client, headers, parse) = match kind {
            Kind::Token => return self.client_call(&self.token_client).await,
            Kind::AkSk => return self.client_call(&self.aksk_client).await,
            Kind::Untimed => return self.client_call(&self.untimed_client).await,
            Kind::RawToken => (&self.raw_clients[0], &self.token_headers, true),
            Kind::RawAkSk => (&self.raw_clients[1], &self.aksk_headers, true),
            Kind::RawTokenUnparsed => (&self.raw_clients[2], &self.token_headers, false),
            Kind::RawAkSkSigned => (&self.raw_clients[3], &self.unsigned_aksk_headers, true),
        };
        let mut request = client
            .post(&self.raw_url)
            .headers(headers.clone())
            .body(self.body.clone())
            .build()
            .unwrap_or_else(|e| panic!("{e}"));
        if kind == Kind::RawAkSkSigned {
            let start = Instant::now();
            let signed = clustercert::runtime::sign_request_with(
                &mut request,
                AK,
                &self.signing_key,
                std::time::SystemTime::now(),
            );
            let took = start.elapsed();
            signed.unwrap_or_else(|e| panic!("{e}"));
            if let Ok(mut times) = self.sign_times.lock() {
                times.push(took.as_secs_f64() * 1e6);
            }
        }
        let response = client
            .execute(request)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let port_id = response.headers().get("port-id").cloned();
        let bytes = response.bytes().await.unwrap_or_else(|e| panic!("{e}"));
        if parse {
            let parsed: Kubeconfig =
                serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{e}"));
            black_box((parsed, port_id));
        } else {
            black_box((bytes, port_id));
        }
    }

    async fn client_call(&self, client: &Client) {
        let response = client
            .create_kubernetes_cluster_cert(&self.req)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        black_box(response);
    }
}

fn full_call(c: &mut Criterion, setup: &Setup) {
    // Each measured call alternates with an unmeasured call of the other side, so that both
    // see the same machine load.
    let mut group = c.benchmark_group("full_call");
    for (name, measured, other) in [
        ("client_token", Kind::Token, Kind::RawToken),
        ("raw_token", Kind::RawToken, Kind::Token),
        ("client_aksk", Kind::AkSk, Kind::RawAkSk),
        ("raw_aksk_presigned", Kind::RawAkSk, Kind::AkSk),
        ("raw_aksk_signed", Kind::RawAkSkSigned, Kind::AkSk),
        ("raw_token_unparsed", Kind::RawTokenUnparsed, Kind::Token),
    ] {
        group.bench_function(name, |b| {
            b.to_async(&setup.rt).iter_custom(|iters| async move {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    setup.call(measured).await;
                    total += start.elapsed();
                    setup.call(other).await;
                }
                total
            })
        });
    }
    group.finish();
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The paired comparison: every kind once per round, in shuffled order; per-round ratios.
fn paired(setup: &Setup, rounds: usize) {
    let n = Kind::ALL.len();
    let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); n];
    setup.rt.block_on(async {
        // Warm up: connections open, caches filled.
        for _ in 0..200 {
            for kind in Kind::ALL {
                setup.call(kind).await;
            }
        }
        // A new order every round (Fisher-Yates with a fixed-seed xorshift), so that no kind
        // always follows the same other kind (the previous call's leftovers, on the server's
        // thread and in the caches, weigh on the next one).
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut order: Vec<usize> = (0..n).collect();
        for _ in 0..rounds {
            for i in (1..n).rev() {
                let j = (next() % (i as u64 + 1)) as usize;
                order.swap(i, j);
            }
            for &index in &order {
                let start = Instant::now();
                setup.call(Kind::ALL[index]).await;
                times[index].push(start.elapsed().as_secs_f64() * 1e6);
            }
        }
    });
    let ratio = |a: usize, b: usize| {
        let mut r: Vec<f64> = times[a].iter().zip(&times[b]).map(|(x, y)| x / y).collect();
        median(&mut r)
    };
    let diff = |a: usize, b: usize| {
        let mut r: Vec<f64> = times[a].iter().zip(&times[b]).map(|(x, y)| x - y).collect();
        median(&mut r)
    };
    let [token, aksk, raw_token, raw_aksk, raw_unparsed, untimed, raw_signed] =
        [0, 1, 2, 3, 4, 5, 6];
    let medians: Vec<f64> = times.iter().map(|t| median(&mut t.clone())).collect();
    let mut sign_times = setup
        .sign_times
        .lock()
        .map(|times| times.clone())
        .unwrap_or_default();
    println!(
        "paired, {rounds} rounds, median µs: client_token {:.1}, client_aksk {:.1}, raw_token {:.1}, \
         raw_aksk_signed {:.1}, raw_aksk_presigned {:.1}, raw_token_unparsed {:.1}, \
         client_token_untimed {:.1}; signing between calls {:.2}",
        medians[token],
        medians[aksk],
        medians[raw_token],
        medians[raw_signed],
        medians[raw_aksk],
        medians[raw_unparsed],
        medians[untimed],
        median(&mut sign_times),
    );
    println!(
        "median per-round ratios (raw parses the body as the client does): token/raw = {:.3}, \
         aksk/raw_signed = {:.3}, aksk/raw_presigned = {:.3} (floor); \
         token/raw_unparsed = {:.3}, untimed token/raw = {:.3}; \
         aksk - token = {:.1} µs, raw_signed - raw_token = {:.1} µs",
        ratio(token, raw_token),
        ratio(aksk, raw_signed),
        ratio(aksk, raw_aksk),
        ratio(token, raw_unparsed),
        ratio(untimed, raw_token),
        diff(aksk, token),
        diff(raw_signed, raw_token),
    );
    // Where the AK/SK call's extra time goes: signing where it runs, and the larger request
    // (the presigned call's bytes against the token call's); what is left is unexplained.
    let extra = diff(aksk, token);
    let signing = median(&mut sign_times);
    let bytes = diff(raw_aksk, raw_token);
    println!(
        "aksk - token = {extra:.1} µs: signing where it runs {signing:.1} µs + larger \
         request (raw_presigned - raw_token) {bytes:.1} µs + unexplained {:.1} µs",
        extra - signing - bytes
    );
}

/// `count` calls of one kind and nothing else, for an instruction or allocation profiler.
fn profile(setup: &Setup, kind: Kind, count: usize) {
    setup.rt.block_on(async {
        for _ in 0..count {
            setup.call(kind).await;
        }
    });
}

/// `count` signatures of the request an AK/SK call sends, and nothing else.
fn profile_signing(count: usize) {
    let url: reqwest::Url = format!("http://127.0.0.1:8080{}", path())
        .parse()
        .unwrap_or_else(|e| panic!("{e}"));
    let mut headers = HeaderMap::new();
    headers.insert("accept", HeaderValue::from_static("application/json"));
    headers.insert("user-agent", HeaderValue::from_static("clustercert/0.1.0"));
    headers.insert("x-project-id", HeaderValue::from_static(PROJECT));
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let now = std::time::SystemTime::now();
    let start = Instant::now();
    for _ in 0..count {
        let mut request = reqwest::Request::new(Method::POST, url.clone());
        *request.headers_mut() = headers.clone();
        *request.body_mut() = Some(br#"{"duration":30}"#.to_vec().into());
        let signed = clustercert::runtime::sign_request(&mut request, AK, SK, now)
            .unwrap_or_else(|e| panic!("{e}"));
        black_box((signed, request));
    }
    println!("{:?} per signature", start.elapsed() / count.max(1) as u32);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--profile-signing") {
        let count = args
            .get(at + 1)
            .and_then(|n| n.parse().ok())
            .unwrap_or(1000);
        profile_signing(count);
        return;
    }
    let setup = Setup::new();
    if let Some(at) = args.iter().position(|a| a == "--profile") {
        let kind = args
            .get(at + 1)
            .and_then(|k| Kind::parse(k))
            .unwrap_or_else(|| {
                panic!(
                    "--profile takes token, aksk, untimed, raw_token, raw_aksk, raw_signed or \
                     raw_unparsed"
                )
            });
        let count = args
            .get(at + 2)
            .and_then(|n| n.parse().ok())
            .unwrap_or(1000);
        profile(&setup, kind, count);
        return;
    }
    if args.iter().any(|a| a == "--paired") {
        paired(&setup, 4000);
        return;
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    pure(&mut c);
    full_call(&mut c, &setup);
    c.final_summary();
    paired(&setup, 4000);
}
