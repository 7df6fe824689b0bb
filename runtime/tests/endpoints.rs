//! Several endpoints per client, against real local servers: an attempt that cannot connect
//! moves the client (and its clones) to the next endpoint and tries again at once, without
//! spending a retry of the policy; when every endpoint fails the error names each. AK/SK
//! requests are signed for the host they are sent to.

mod support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clustercert_runtime::{
    signing, ClientBuilder, Credentials, Error, OperationRequest, RetryPolicy, Transport,
    TransportErrorKind,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use support::{refused_addr, serve_always, Received, Reply};

const NOW: u64 = 1_795_867_200;

fn request() -> OperationRequest {
    OperationRequest {
        query: vec![("detail".into(), "true".to_owned())],
        ..support::post_request()
    }
}

fn transport(endpoints: &[String], retry: RetryPolicy) -> Transport {
    ClientBuilder::<Transport>::new()
        .endpoints(endpoints)
        .credentials(Credentials::ak_sk("AK", "SK", "p"))
        .clock(|| UNIX_EPOCH + Duration::from_secs(NOW))
        .retry(retry)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// Checks the AK/SK signature of a request as it arrived, `Host` as it came.
fn verify(received: &Received) -> Result<(), String> {
    let mut headers = HeaderMap::new();
    for (name, value) in &received.headers {
        headers.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_str(value).unwrap(),
        );
    }
    let uri: http::Uri = received.target.parse().unwrap();
    signing::verify(
        &Method::from_bytes(received.method.as_bytes()).unwrap(),
        &uri,
        &headers,
        &received.body,
        |ak| (ak == "AK").then(|| "SK".to_owned()),
        UNIX_EPOCH + Duration::from_secs(NOW),
    )
    .map(|_| ())
    .map_err(|e| e.to_string())
}

#[tokio::test]
async fn a_refused_endpoint_passes_the_call_to_the_next_signed_for_its_host() {
    let closed = refused_addr().await;
    let live = serve_always(Reply::json(200, "{}")).await;
    let t = transport(
        &[format!("http://{closed}"), live.url()],
        RetryPolicy::none(),
    );
    let response = t.send(request()).await.unwrap();
    assert_eq!(response.status, 200);
    // The failed attempt and the one that answered; no retry of the policy was needed.
    assert_eq!(response.attempts, 2);
    let received = live.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].target, "/v3/things?detail=true");
    assert_eq!(
        received[0].header("host"),
        Some(live.addr.to_string().as_str())
    );
    verify(&received[0]).unwrap();
}

#[tokio::test]
async fn the_client_and_its_clones_stay_on_the_endpoint_that_answered() {
    let closed = refused_addr().await;
    let live = serve_always(Reply::json(200, "{}")).await;
    let t = transport(
        &[format!("http://{closed}"), live.url()],
        RetryPolicy::none(),
    );
    let clone = t.clone();
    assert_eq!(t.base_url(), format!("http://{closed}"));
    t.send(request()).await.unwrap();
    assert_eq!(t.base_url(), live.url());
    assert_eq!(clone.base_url(), live.url());
    // The next calls go straight to the live endpoint.
    assert_eq!(t.send(request()).await.unwrap().attempts, 1);
    assert_eq!(clone.send(request()).await.unwrap().attempts, 1);
    assert_eq!(live.count(), 3);
    for received in live.received() {
        verify(&received).unwrap();
    }
    assert_eq!(t.endpoints(), [format!("http://{closed}"), live.url()]);
}

#[tokio::test]
async fn when_every_endpoint_is_refused_the_error_names_each_on_one_line() {
    let (a, b, c) = (
        refused_addr().await,
        refused_addr().await,
        refused_addr().await,
    );
    let endpoints = [
        format!("http://{a}"),
        format!("http://{b}/base"),
        format!("http://{c}"),
    ];
    let err = transport(&endpoints, RetryPolicy::none())
        .send(request())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Connect,
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(!text.contains('\n'), "{text}");
    let head =
        format!("connection failed: every one of the 3 endpoints failed to connect: http://{a}: ");
    assert!(text.starts_with(&head), "{text}");
    for part in [format!("; http://{b}/base: "), format!("; http://{c}: ")] {
        assert!(text.contains(&part), "{text}");
    }
    // Each failure says why, and the request's URL is not repeated in it.
    assert_eq!(text.matches("Connection refused").count(), 3, "{text}");
    assert!(!text.contains("/v3/things"), "{text}");
    assert!(text.ends_with(" (after 3 attempts)"), "{text}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn moving_to_another_endpoint_spends_no_retry_of_the_policy() {
    let (a, b) = (refused_addr().await, refused_addr().await);
    let policy = RetryPolicy::default()
        .max_retries(1)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(2));
    let err = transport(&[format!("http://{a}"), format!("http://{b}")], policy)
        .send(request())
        .await
        .unwrap_err();
    // Two rounds of two endpoints: the policy's one retry is a second round.
    assert_eq!(err.attempts(), 4, "{err}");
    assert!(
        err.to_string()
            .contains("every one of the 2 endpoints failed to connect"),
        "{err}"
    );
}

#[tokio::test]
async fn an_answer_or_a_broken_connection_is_not_a_reason_to_move() {
    let second = serve_always(Reply::json(200, "{}")).await;
    for reply in [Reply::json(503, "{}"), Reply::Close] {
        let first = serve_always(reply.clone()).await;
        let t = transport(&[first.url(), second.url()], RetryPolicy::none());
        let outcome = t.send(request()).await;
        match (&reply, &outcome) {
            (Reply::Full { .. }, Ok(response)) => assert_eq!(response.status, 503),
            (Reply::Close, Err(Error::Transport { kind, .. })) => {
                assert_ne!(*kind, TransportErrorKind::Connect);
            }
            _ => panic!("{reply:?}: {outcome:?}"),
        }
        assert_eq!(first.count(), 1);
        assert_eq!(t.base_url(), first.url());
    }
    assert_eq!(second.count(), 0);
}

#[tokio::test]
async fn each_endpoint_keeps_its_own_base_path() {
    let closed = refused_addr().await;
    let live = serve_always(Reply::json(200, "{}")).await;
    let t = transport(
        &[
            format!("http://{closed}/first"),
            format!("{}/second/", live.url()),
        ],
        RetryPolicy::none(),
    );
    t.send(request()).await.unwrap();
    let received = live.received();
    assert_eq!(received[0].target, "/second/v3/things?detail=true");
    verify(&received[0]).unwrap();
}

/// A TLS handshake that fails (the server closes the connection at once) is a failure to
/// connect: the call moves on.
#[cfg(feature = "rustls")]
#[tokio::test]
async fn a_failed_tls_handshake_moves_to_the_next_endpoint() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let tls = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
        }
    });
    let live = serve_always(Reply::json(200, "{}")).await;
    let t = transport(&[format!("https://{tls}"), live.url()], RetryPolicy::none());
    let response = t.send(request()).await.unwrap();
    assert_eq!(response.attempts, 2);
    assert_eq!(live.count(), 1);
    verify(&live.received()[0]).unwrap();
}

#[tokio::test]
async fn a_call_that_times_out_says_how_many_attempts_it_made() {
    // Refused, then a server that never answers: the total timeout counts both attempts.
    let closed = refused_addr().await;
    let stalled = serve_always(Reply::Stall(Duration::from_secs(30))).await;
    let t = ClientBuilder::<Transport>::new()
        .endpoints([format!("http://{closed}"), stalled.url()])
        .token("t")
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let started = SystemTime::now();
    let err = t.send(request()).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                attempts: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(started.elapsed().unwrap() < Duration::from_secs(10));
}

#[test]
fn the_builder_checks_every_endpoint() {
    type B = ClientBuilder<Transport>;
    let err = B::new()
        .endpoints(Vec::<String>::new())
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: an empty list of endpoints given"
    );
    let err = B::new()
        .endpoints(["http://a", "ftp://u:hunter2@b"])
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid input: endpoint \"ftp://b\": scheme must be http or https"
    );
    // The builder's Debug does not show what an endpoint not yet checked carries.
    let builder = B::new().endpoints(["http://u:hunter2@a/?token=hunter2"]);
    let debug = format!("{builder:?}");
    assert!(
        debug.contains("endpoints: Some([\"http://a/\"])"),
        "{debug}"
    );
    assert!(!debug.contains("hunter2"), "{debug}");
    // One endpoint given either way is the same client.
    let one = B::new().endpoints(["http://a/"]).build().unwrap();
    assert_eq!(one.endpoints(), ["http://a"]);
    let debug = format!("{one:?}");
    assert!(debug.contains("endpoints: 1"), "{debug}");
    // `endpoint` after `endpoints` replaces the list.
    let t = B::new()
        .endpoints(["http://a", "http://b"])
        .endpoint("http://c")
        .build()
        .unwrap();
    assert_eq!(t.endpoints(), ["http://c"]);
}
