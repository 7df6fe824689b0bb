//! A local CCE server that speaks the spec: `CreateKubernetesClusterCert` with real
//! certificates, token and AK/SK authentication, CCE's validation and error bodies, and
//! injectable faults.
//!
//! Start it in-process with [`start`], or run the `mock-cce` binary. Its projects, clusters and
//! credentials come from [`MockConfig`] (YAML, or [`MockConfig::builtin`]).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> anyhow::Result<()> {
//! use clustercert_conformance::mock::{self, MockConfig};
//!
//! let server = mock::start(MockConfig::builtin(), "127.0.0.1:0".parse()?).await?;
//! assert!(server.url().starts_with("http://127.0.0.1:"));
//! server.shutdown().await;
//! # Ok(())
//! # }
//! ```
//!
//! Fault injection: a request header `X-Mock-Fault` (or a cluster's `fault` in the
//! configuration) takes comma-separated items — `delay=MS`, `429` (with `Retry-After: 1`),
//! `500`, `502`, `503`, `504`, `html` (500 with an HTML page), `truncate` (200 whose JSON body is
//! cut in half) and `close` (the connection is closed mid-body). See [`FaultPlan`]. Faults are
//! applied before authentication: a request without valid credentials gets them too.

mod auth;
mod certs;
mod config;
mod error;
mod fault;
mod server;
mod validate;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context as _;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use config::{
    AccessKeyConfig, ClusterConfig, ErrorShape, MockConfig, ProjectConfig, DEFAULT_AK,
    DEFAULT_PROJECT_ID, DEFAULT_SK, DEFAULT_TOKEN, EXTERNAL_CLUSTER_ID, INTERNAL_CLUSTER_ID,
};
pub use fault::{FaultAction, FaultParseError, FaultPlan};

/// The request header that asks for a fault.
pub const FAULT_HEADER: &str = "X-Mock-Fault";

/// A running mock server. It stops when dropped, or with [`MockServer::shutdown`].
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    config: Arc<MockConfig>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Starts the server on `addr` (port 0 picks a free port) and returns once it accepts
/// connections. Needs a Tokio runtime.
pub async fn start(config: MockConfig, addr: SocketAddr) -> anyhow::Result<MockServer> {
    config.validate()?;
    let config = Arc::new(config);
    let state = Arc::new(server::AppState::new(Arc::clone(&config))?);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = server::router(state);
    let task = tokio::spawn(async move {
        let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
            // A send or a dropped sender both mean stop.
            let _ = stopped.await;
        });
        if let Err(e) = serve.await {
            eprintln!("mock CCE server stopped with an error: {e}");
        }
    });
    Ok(MockServer {
        addr,
        config,
        stop: Some(stop),
        task: Some(task),
    })
}

impl MockServer {
    /// The base URL, for example `http://127.0.0.1:41234`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The configuration it serves.
    pub fn config(&self) -> &MockConfig {
        &self.config
    }

    /// Stops accepting connections, lets requests in flight finish, and waits for that.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serves until the task ends (for the binary: until the process is killed).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
