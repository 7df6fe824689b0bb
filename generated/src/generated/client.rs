// PLACEHOLDER written by hand until `cargo xtask codegen` emits it. Names are the contract.
//! Operations of `spec/openapi.yaml`.
use super::types::*;
use crate::runtime::{
    encode_path_segment, json_body, ClientBuilder, Error, OperationRequest, Transport,
};

/// A client for the operations of `spec/openapi.yaml`. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    transport: Transport,
}

impl From<Transport> for Client {
    fn from(transport: Transport) -> Self {
        Client { transport }
    }
}

/// Request of `CreateKubernetesClusterCert`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateKubernetesClusterCertRequest {
    pub project_id: String,
    pub cluster_id: String,
    pub body: CertDuration,
}

/// Response of `CreateKubernetesClusterCert` with status 200.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateKubernetesClusterCertResponse {
    pub status: http::StatusCode,
    pub port_id: Option<String>,
    pub request_id: Option<String>,
    pub body: Kubeconfig,
}

impl Client {
    /// Starts a builder: endpoint or region, credentials, timeouts, retries.
    pub fn builder() -> ClientBuilder<Client> {
        ClientBuilder::new()
    }

    /// The transport requests go through.
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Obtain a cluster certificate.
    pub async fn create_kubernetes_cluster_cert(
        &self,
        request: &CreateKubernetesClusterCertRequest,
    ) -> Result<CreateKubernetesClusterCertResponse, Error> {
        let path = format!(
            "/api/v3/projects/{}/clusters/{}/clustercert",
            encode_path_segment(&request.project_id),
            encode_path_segment(&request.cluster_id),
        );
        let raw = self
            .transport
            .send(OperationRequest {
                operation: "CreateKubernetesClusterCert",
                method: http::Method::POST,
                path,
                query: Vec::new(),
                headers: Vec::new(),
                body: Some(json_body(&request.body)?),
            })
            .await?;
        match raw.status.as_u16() {
            200 => Ok(CreateKubernetesClusterCertResponse {
                status: raw.status,
                port_id: raw.header("Port-ID"),
                request_id: raw.header("X-Request-Id"),
                body: raw.json()?,
            }),
            _ => Err(raw.into_error()),
        }
    }
}
