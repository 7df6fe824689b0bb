//! A local HTTP server on 127.0.0.1 that answers from a script, for the runtime's tests: each
//! request gets the next scripted reply (the last one repeats), and every request is kept
//! as it arrived.

#![allow(dead_code)] // each test file uses a different part

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// The documented 200 body (from the operation's documentation).
pub const DOCUMENTED: &str = include_str!("../data/documented_response.json");

/// One scripted reply.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
    pub delay: Duration,
}

impl Reply {
    /// A reply with a JSON content type and an `X-Request-Id`.
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Reply {
            status,
            headers: vec![
                ("content-type", "application/json".to_owned()),
                ("x-request-id", format!("req-{status}")),
            ],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// The documented 200 response with a `Port-ID`.
    pub fn documented() -> Self {
        Reply::json(200, DOCUMENTED).header("port-id", "port-0001")
    }

    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_owned()));
        self
    }

    /// Waits before answering.
    pub fn delayed(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }
}

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Captured {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
    pub body: Bytes,
}

#[derive(Clone)]
struct Shared {
    replies: Arc<Vec<Reply>>,
    captured: Arc<Mutex<Vec<Captured>>>,
}

/// A running script server.
pub struct ScriptServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    captured: Arc<Mutex<Vec<Captured>>>,
}

impl ScriptServer {
    /// The requests received so far.
    pub fn requests(&self) -> Vec<Captured> {
        self.captured.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

async fn answer(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let index = {
        let mut captured = shared.captured.lock().expect("lock");
        captured.push(Captured {
            method,
            uri,
            headers,
            body,
        });
        captured.len() - 1
    };
    let reply = shared.replies[index.min(shared.replies.len() - 1)].clone();
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = (
        StatusCode::from_u16(reply.status).expect("valid status"),
        reply.body,
    )
        .into_response();
    for (name, value) in reply.headers {
        response
            .headers_mut()
            .insert(name, value.parse().expect("valid header"));
    }
    response
}

/// Starts a server on 127.0.0.1 that answers with `replies` in order.
pub async fn serve(replies: Vec<Reply>) -> ScriptServer {
    assert!(!replies.is_empty());
    let captured = Arc::new(Mutex::new(Vec::new()));
    let shared = Shared {
        replies: Arc::new(replies),
        captured: captured.clone(),
    };
    let app = axum::Router::new().fallback(answer).with_state(shared);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    ScriptServer {
        url: format!("http://{addr}"),
        captured,
    }
}

/// A URL on 127.0.0.1 where nothing listens: bound, then released.
pub async fn refused_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local addr");
    drop(listener);
    format!("http://{addr}")
}

/// The request every test sends: 30 days.
pub fn request() -> clustercert::CreateKubernetesClusterCertRequest {
    clustercert::CreateKubernetesClusterCertRequest {
        project_id: "0123456789abcdef0123456789abcdef".to_owned(),
        cluster_id: "4c1c5c1e-93b8-11ee-8a4a-0255ac100b07".to_owned(),
        body: clustercert::CertDuration {
            duration: clustercert::ValidityDays::try_from(30).expect("30 is valid"),
        },
    }
}
