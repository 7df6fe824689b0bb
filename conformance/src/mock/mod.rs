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
//! cut in half) and `close` (the connection is closed mid-body); delays add up to at most 60 s.
//! See [`FaultPlan`]. Idle connections are closed after [`ServeOptions::idle_timeout`]. Faults are
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
use std::time::Duration;

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

/// How the mock serves connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeOptions {
    /// A connection that sends no complete request head for this long (a fresh one, or a
    /// kept-alive one between requests) is closed; a request body that does not arrive within
    /// it is a 408.
    pub idle_timeout: Duration,
}

/// The default idle timeout of a connection.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(15);

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
        }
    }
}

/// Starts the server on `addr` (port 0 picks a free port) and returns once it accepts
/// connections. Needs a Tokio runtime.
pub async fn start(config: MockConfig, addr: SocketAddr) -> anyhow::Result<MockServer> {
    start_with(config, addr, ServeOptions::default()).await
}

/// [`start`] with explicit [`ServeOptions`].
pub async fn start_with(
    config: MockConfig,
    addr: SocketAddr,
    options: ServeOptions,
) -> anyhow::Result<MockServer> {
    config.validate()?;
    let config = Arc::new(config);
    let state = Arc::new(server::AppState::new(Arc::clone(&config), options)?);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let app = server::router(state, crate::spec::operation_path_template()?);
    let task = tokio::spawn(serve(listener, app, options, stopped));
    Ok(MockServer {
        addr,
        config,
        stop: Some(stop),
        task: Some(task),
    })
}

/// The accept loop. hyper's connection builder is used directly (rather than `axum::serve`)
/// for its header-read timeout, which closes idle and slow connections.
async fn serve(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    options: ServeOptions,
    mut stopped: oneshot::Receiver<()>,
) {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(options.idle_timeout);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of descriptors and the like: wait a little rather than spin.
                    eprintln!("mock CCE server: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            // A send or a dropped sender both mean stop.
            _ = &mut stopped => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or times out ends its connection; nothing to report.
            let _ = connection.await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
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
