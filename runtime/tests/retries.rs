//! Retries that cannot mint twice by surprise: by default only what provably did not reach
//! the operation is retried (a refused connection, 429, 503 with `Retry-After`); what may
//! have reached it (502, 504, 503 without `Retry-After`, a timeout or a broken connection
//! after sending) only with `RetryPolicy::retry_ambiguous(true)`. Requests are counted at a
//! local server, and every error says how many attempts were made.

mod support;

use std::time::Duration;

use clustercert_runtime::{
    ClientBuilder, Credentials, Error, OperationRequest, RetryPolicy, Transport, TransportErrorKind,
};
use support::{refused_addr, serve_always, serve_in_turn, Reply};

fn request() -> OperationRequest {
    support::post_request()
}

/// Three quick retries.
fn policy(ambiguous: bool) -> RetryPolicy {
    RetryPolicy::default()
        .max_retries(3)
        .initial_backoff(Duration::from_millis(1))
        .max_backoff(Duration::from_millis(5))
        .retry_ambiguous(ambiguous)
}

fn transport(url: &str, ambiguous: bool) -> Transport {
    ClientBuilder::<Transport>::new()
        .endpoint(url)
        .credentials(Credentials::ak_sk("AK", "SK", "p"))
        .retry(policy(ambiguous))
        .attempt_timeout(Duration::from_millis(300))
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_refused_connection_is_retried_by_default() {
    let addr = refused_addr().await;
    let err = transport(&format!("http://{addr}"), false)
        .send(request())
        .await
        .unwrap_err();
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
    assert_eq!(err.attempts(), 4, "one attempt and three retries");
    assert!(err.to_string().ends_with("(after 4 attempts)"), "{err}");
}

#[tokio::test]
async fn too_many_requests_is_retried_by_default() {
    let server = serve_in_turn(vec![
        Reply::json(429, "{}"),
        Reply::json(429, "{}"),
        Reply::json(200, "{}"),
    ])
    .await;
    let response = transport(&server.url(), false)
        .send(request())
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(response.attempts, 3);
    assert_eq!(server.count(), 3);

    // Retries run out: the last 429, saying how many attempts it took.
    let server = serve_always(Reply::json(429, "{}")).await;
    let err = transport(&server.url(), false)
        .send(request())
        .await
        .unwrap()
        .into_error();
    assert_eq!(server.count(), 4);
    assert_eq!(err.attempts(), 4);
    assert!(err.to_string().contains("429") && err.to_string().contains("after 4 attempts"));
}

#[tokio::test]
async fn service_unavailable_is_retried_by_default_only_with_retry_after() {
    let with = Reply::json(503, "{}").header("retry-after", "0");
    let server = serve_in_turn(vec![with, Reply::json(200, "{}")]).await;
    let response = transport(&server.url(), false)
        .send(request())
        .await
        .unwrap();
    assert_eq!((response.status.as_u16(), response.attempts), (200, 2));
    assert_eq!(server.count(), 2);

    // Without Retry-After (or with one that cannot be read) the service may have started
    // the work: one request only.
    for reply in [
        Reply::json(503, "{}"),
        Reply::json(503, "{}").header("retry-after", "soon"),
    ] {
        let server = serve_in_turn(vec![reply, Reply::json(200, "{}")]).await;
        let response = transport(&server.url(), false)
            .send(request())
            .await
            .unwrap();
        assert_eq!((response.status.as_u16(), response.attempts), (503, 1));
        assert_eq!(server.count(), 1);
    }
}

#[tokio::test]
async fn gateway_errors_are_retried_only_when_asked() {
    for status in [502, 503, 504] {
        let server = serve_always(Reply::json(status, "{}")).await;
        let response = transport(&server.url(), false)
            .send(request())
            .await
            .unwrap();
        assert_eq!(response.status.as_u16(), status);
        assert_eq!(
            (server.count(), response.attempts),
            (1, 1),
            "{status} by default"
        );

        let server = serve_always(Reply::json(status, "{}")).await;
        let response = transport(&server.url(), true)
            .send(request())
            .await
            .unwrap();
        assert_eq!(
            (server.count(), response.attempts),
            (4, 4),
            "{status} with retry_ambiguous"
        );
        let err = response.into_error();
        assert!(
            err.to_string().ends_with("(after 4 attempts)"),
            "{status}: {err}"
        );
    }
}

#[tokio::test]
async fn a_timeout_after_sending_is_retried_only_when_asked() {
    let server = serve_always(Reply::Stall(Duration::from_secs(5))).await;
    let err = transport(&server.url(), false)
        .send(request())
        .await
        .unwrap_err();
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
    assert_eq!((server.count(), err.attempts()), (1, 1));

    let server = serve_always(Reply::Stall(Duration::from_secs(5))).await;
    let err = transport(&server.url(), true)
        .send(request())
        .await
        .unwrap_err();
    assert_eq!((server.count(), err.attempts()), (4, 4), "{err}");
}

#[tokio::test]
async fn a_connection_broken_after_sending_is_retried_only_when_asked() {
    for reply in [Reply::Close, Reply::CutBody] {
        let server = serve_always(reply.clone()).await;
        let err = transport(&server.url(), false)
            .send(request())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Transport {
                    kind: TransportErrorKind::Other,
                    ..
                }
            ),
            "{reply:?}: {err:?}"
        );
        assert_eq!((server.count(), err.attempts()), (1, 1), "{reply:?}");

        let server = serve_always(reply.clone()).await;
        let err = transport(&server.url(), true)
            .send(request())
            .await
            .unwrap_err();
        assert_eq!((server.count(), err.attempts()), (4, 4), "{reply:?}: {err}");
    }
}

#[tokio::test]
async fn other_statuses_are_never_retried() {
    for status in [400, 401, 403, 404, 409, 500] {
        let server = serve_always(Reply::json(status, "{}")).await;
        let response = transport(&server.url(), true)
            .send(request())
            .await
            .unwrap();
        assert_eq!(
            (server.count(), response.attempts),
            (1, 1),
            "{status} even with retry_ambiguous"
        );
    }
}

#[tokio::test]
async fn the_total_timeout_says_how_many_attempts_were_made() {
    let server = serve_always(Reply::json(429, "{}").header("retry-after", "1")).await;
    let err = ClientBuilder::<Transport>::new()
        .endpoint(server.url())
        .token("t")
        .retry(policy(false).max_retries(10))
        .timeout(Duration::from_millis(2500))
        .build()
        .unwrap()
        .send(request())
        .await;
    // Each wait of 1 s must end before the deadline: two retries fit, the third does not,
    // so the last 429 comes back after three attempts.
    let response = err.unwrap();
    assert_eq!((server.count(), response.attempts), (3, 3));

    let server = serve_always(Reply::Stall(Duration::from_secs(5))).await;
    let err = ClientBuilder::<Transport>::new()
        .endpoint(server.url())
        .token("t")
        .retry(policy(true))
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap()
        .send(request())
        .await
        .unwrap_err();
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
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn errors_before_sending_made_no_attempt() {
    let err = ClientBuilder::<Transport>::new()
        .endpoint("http://127.0.0.1:1")
        .build()
        .unwrap()
        .send(OperationRequest {
            path: "/a/../b".to_owned(),
            ..request()
        })
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), 0, "{err}");
}
