//! What AK/SK signing costs per request: `sign_request` on the request an AK/SK call sends
//! (the transport's headers, a JSON body), and `verify` of the result, as the mock does.
//!
//! `cargo bench -p clustercert-runtime --bench signing`

use std::hint::black_box;

use clustercert_runtime::{sign_request, signing};
use criterion::{criterion_group, criterion_main, Criterion};
use http::{HeaderMap, HeaderValue, Method};

const URL: &str = "https://cce.cn-north-4.myhuaweicloud.com/api/v3/projects/0123456789abcdef0123456789abcdef/clusters/4c1c5c1e-93b8-11ee-8a4a-0255ac100b07/clustercert";
const BODY: &[u8] = br#"{"duration":30}"#;

fn request() -> reqwest::Request {
    let mut request = reqwest::Request::new(Method::POST, URL.parse().unwrap());
    let headers = request.headers_mut();
    headers.insert("accept", HeaderValue::from_static("application/json"));
    headers.insert("user-agent", HeaderValue::from_static("clustercert/0.1.0"));
    headers.insert(
        "x-project-id",
        HeaderValue::from_static("0123456789abcdef0123456789abcdef"),
    );
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    *request.body_mut() = Some(BODY.to_vec().into());
    request
}

fn bench(c: &mut Criterion) {
    let now = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_795_867_200);
    let template = request();
    c.bench_function("sign_request", |b| {
        b.iter_batched(
            || template.try_clone().unwrap(),
            |mut request| black_box(sign_request(&mut request, "AK", "SK", now)),
            criterion::BatchSize::SmallInput,
        )
    });

    let mut signed = template.try_clone().unwrap();
    sign_request(&mut signed, "AK", "SK", now).unwrap();
    let mut arrived: HeaderMap = signed.headers().clone();
    arrived.insert(
        "host",
        HeaderValue::from_static("cce.cn-north-4.myhuaweicloud.com"),
    );
    let uri: http::Uri = URL.parse().unwrap();
    c.bench_function("verify", |b| {
        b.iter(|| {
            black_box(signing::verify(
                &Method::POST,
                &uri,
                &arrived,
                BODY,
                |_| Some("SK".to_owned()),
                now,
            ))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
