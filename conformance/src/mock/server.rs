//! The HTTP side: routes, the operation's handler, faults and the request id on every response.
//!
//! A request to the operation goes through, in order: the fault (`X-Mock-Fault` or the
//! cluster's), authentication (401, or 403 for a foreign `X-Project-Id`), validation of path
//! parameters, `Content-Type` and body (400), then the project and cluster lookup (404).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use clustercert::{
    ClusterCert, Clusters, Context, Contexts, Kubeconfig, KubeconfigApiVersion, KubeconfigKind,
    User, Users, ValidityDays,
};
use time::OffsetDateTime;

use crate::cce::{EXTERNAL_CLUSTER, EXTERNAL_CONTEXT, INTERNAL_CLUSTER, INTERNAL_CONTEXT, USER};

use super::auth::authenticate;
use super::certs::ClusterCa;
use super::config::{ClusterConfig, MockConfig};
use super::error::{fault_message, ApiError};
use super::fault::{replacement, spoil, FaultPlan};
use super::validate::cert_duration;
use super::{ServeOptions, FAULT_HEADER};

/// The largest request body read; `{"duration": 30}` needs 16 bytes.
const MAX_BODY_BYTES: usize = 64 * 1024;
/// Validity of `-1`, the maximum: 5 × 365 days.
const MAX_VALIDITY_DAYS: i64 = 1825;

const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");
const PORT_ID_HEADER: HeaderName = HeaderName::from_static("port-id");

/// What every request shares: the configuration, the clusters' CAs and fault counters.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) config: Arc<MockConfig>,
    options: ServeOptions,
    cas: HashMap<(String, String), ClusterCa>,
    fault_counts: HashMap<(String, String), AtomicU64>,
}

impl AppState {
    /// Makes a CA for every configured cluster.
    pub(crate) fn new(config: Arc<MockConfig>, options: ServeOptions) -> anyhow::Result<AppState> {
        let mut cas = HashMap::new();
        let mut fault_counts = HashMap::new();
        for project in &config.projects {
            for cluster in &project.clusters {
                let key = (project.id.clone(), cluster.id.clone());
                cas.insert(key.clone(), ClusterCa::generate(&cluster.id)?);
                fault_counts.insert(key, AtomicU64::new(0));
            }
        }
        Ok(AppState {
            config,
            options,
            cas,
            fault_counts,
        })
    }

    fn cluster(&self, project_id: &str, cluster_id: &str) -> Option<&ClusterConfig> {
        self.config
            .project(project_id)?
            .clusters
            .iter()
            .find(|c| c.id == cluster_id)
    }

    fn error(&self, error: ApiError) -> Response {
        error.into_response(self.config.error_shape)
    }
}

/// The router: the operation, a CCE-shaped 405 for other methods on its path, a CCE-shaped 404
/// for other paths, and `X-Request-Id` on every response.
///
/// The route is the spec's path template (OpenAPI's `{name}` is axum's syntax too).
pub(crate) fn router(state: Arc<AppState>, route: &str) -> Router {
    Router::new()
        .route(
            route,
            post(create_kubernetes_cluster_cert).fallback(method_not_allowed),
        )
        .fallback(unknown_path)
        .with_state(state)
        .layer(axum::middleware::map_response(add_request_id))
}

async fn add_request_id(mut response: Response) -> Response {
    let id = format!("{:032x}", fastrand::u128(..));
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

async fn method_not_allowed(State(state): State<Arc<AppState>>, method: Method) -> Response {
    let mut response = state.error(ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("method {method} is not allowed on this path: use POST"),
    ));
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

async fn unknown_path(State(state): State<Arc<AppState>>) -> Response {
    let served = crate::spec::operation_path_template().unwrap_or("the spec's one path");
    state.error(ApiError::not_found(format!(
        "no such API: the mock serves POST {served}"
    )))
}

/// `CreateKubernetesClusterCert`: faults first, then the real answer.
async fn create_kubernetes_cluster_cert(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String)>, PathRejection>,
    request: Request,
) -> Response {
    let (project_id, cluster_id) = match path {
        Ok(Path(ids)) => ids,
        Err(rejection) => {
            return state.error(ApiError::bad_request(format!(
                "invalid path parameter: {}",
                rejection.body_text()
            )))
        }
    };
    let plan = match fault_plan(&state, &project_id, &cluster_id, &request) {
        Ok(plan) => plan,
        Err(error) => return state.error(error),
    };
    if let Some(delay) = plan.delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(action) = plan.action {
        if let Some(response) = replacement(action, |status| {
            state.error(ApiError::new(status, fault_message(status)))
        }) {
            return response;
        }
    }
    let response = match answer(&state, &project_id, &cluster_id, request).await {
        Ok(response) => response,
        Err(error) => state.error(error),
    };
    match plan.action {
        Some(action) => spoil(action, response).await,
        None => response,
    }
}

/// The fault for this request: the `X-Mock-Fault` header, else the cluster's configured fault
/// (for its first `fault_times` requests when that is set).
fn fault_plan(
    state: &AppState,
    project_id: &str,
    cluster_id: &str,
    request: &Request,
) -> Result<FaultPlan, ApiError> {
    if let Some(value) = request.headers().get(FAULT_HEADER) {
        let text = value
            .to_str()
            .map_err(|_| ApiError::bad_request("X-Mock-Fault is not ASCII"))?;
        return FaultPlan::parse(text).map_err(|e| ApiError::bad_request(e.to_string()));
    }
    let Some(cluster) = state.cluster(project_id, cluster_id) else {
        return Ok(FaultPlan::default());
    };
    let Some(fault) = &cluster.fault else {
        return Ok(FaultPlan::default());
    };
    if let Some(times) = cluster.fault_times {
        let key = (project_id.to_owned(), cluster_id.to_owned());
        let seen = state
            .fault_counts
            .get(&key)
            .map(|count| count.fetch_add(1, Ordering::SeqCst))
            .unwrap_or(u64::MAX);
        if seen >= times {
            return Ok(FaultPlan::default());
        }
    }
    // Checked when the configuration was loaded; a bad one here is the mock's own fault.
    FaultPlan::parse(fault).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("mock configuration: {e}"),
        )
    })
}

/// The real answer: authenticate, validate, find the cluster, mint a certificate.
async fn answer(
    state: &AppState,
    project_id: &str,
    cluster_id: &str,
    request: Request,
) -> Result<Response, ApiError> {
    let (parts, body) = request.into_parts();
    let read = axum::body::to_bytes(body, MAX_BODY_BYTES);
    let body = tokio::time::timeout(state.options.idle_timeout, read)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::REQUEST_TIMEOUT,
                format!(
                    "the request body did not arrive within {} ms",
                    state.options.idle_timeout.as_millis()
                ),
            )
        })?
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("request body is larger than {MAX_BODY_BYTES} bytes, or could not be read"),
            )
        })?;
    let now = OffsetDateTime::now_utc();
    authenticate(&state.config, &parts, &body, project_id, now)?;
    path_parameters(project_id, cluster_id)?;
    let duration = cert_duration(&parts.headers, &body)?;
    if state.config.project(project_id).is_none() {
        return Err(ApiError::not_found(format!(
            "project {project_id:?} not found"
        )));
    }
    let (Some(cluster), Some(ca)) = (
        state.cluster(project_id, cluster_id),
        state
            .cas
            .get(&(project_id.to_owned(), cluster_id.to_owned())),
    ) else {
        return Err(ApiError::not_found(format!(
            "cluster {cluster_id:?} not found in project {project_id:?}"
        )));
    };
    let kubeconfig = kubeconfig(cluster, ca, duration, now)?;
    let body = serde_json::to_vec(&kubeconfig).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot serialize the kubeconfig: {e}"),
        )
    })?;
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if let Ok(port_id) = HeaderValue::from_str(&cluster.port_id) {
        response.headers_mut().insert(PORT_ID_HEADER, port_id);
    }
    Ok(response)
}

/// Both path parameters are required strings; an empty one is an invalid request.
fn path_parameters(project_id: &str, cluster_id: &str) -> Result<(), ApiError> {
    for (name, value) in [("project_id", project_id), ("cluster_id", cluster_id)] {
        if value.is_empty() {
            return Err(ApiError::bad_request(format!(
                "path parameter {name} is empty"
            )));
        }
    }
    Ok(())
}

/// The kubeconfig CCE returns: `internalCluster`/`internal`, plus `externalCluster`/`external`
/// (`insecure-skip-tls-verify: true`, current context) when the cluster has a public IP. The CA
/// data is on every cluster, as CCE sends it.
fn kubeconfig(
    cluster: &ClusterConfig,
    ca: &ClusterCa,
    duration: ValidityDays,
    now: OffsetDateTime,
) -> Result<Kubeconfig, ApiError> {
    let days = match i64::from(duration.get()) {
        -1 => MAX_VALIDITY_DAYS,
        days => days,
    };
    let client = ca.mint(days, now).map_err(|e| {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot mint the client certificate: {e}"),
        )
    })?;
    let entry = |cluster_name: &str, server: String, insecure: Option<bool>| Clusters {
        name: cluster_name.to_owned(),
        cluster: ClusterCert {
            server,
            certificate_authority_data: Some(ca.pem_base64().to_owned()),
            insecure_skip_tls_verify: insecure,
        },
    };
    let context = |name: &str, cluster_name: &str| Contexts {
        name: name.to_owned(),
        context: Context {
            cluster: cluster_name.to_owned(),
            user: USER.to_owned(),
        },
    };
    let mut clusters = vec![entry(
        INTERNAL_CLUSTER,
        cluster.internal_server.clone(),
        None,
    )];
    let mut contexts = vec![context(INTERNAL_CONTEXT, INTERNAL_CLUSTER)];
    let mut current_context = INTERNAL_CONTEXT;
    if let Some(external) = cluster.external_server() {
        clusters.push(entry(EXTERNAL_CLUSTER, external, Some(true)));
        contexts.push(context(EXTERNAL_CONTEXT, EXTERNAL_CLUSTER));
        current_context = EXTERNAL_CONTEXT;
    }
    Ok(Kubeconfig {
        kind: KubeconfigKind::Config,
        api_version: KubeconfigApiVersion::V1,
        preferences: Some(serde_json::Map::new()),
        clusters,
        users: vec![Users {
            name: USER.to_owned(),
            user: User {
                client_certificate_data: client.certificate_base64,
                client_key_data: client.key_base64,
            },
        }],
        contexts,
        current_context: current_context.to_owned(),
    })
}
