//! The generated client against the in-process mock: a token, every duration, internal and
//! external clusters, real certificates.

#![forbid(unsafe_code)]

use base64::Engine as _;
use clustercert::{
    CertDuration, Client, CreateKubernetesClusterCertRequest, CreateKubernetesClusterCertResponse,
    Error, ValidityDays,
};
use clustercert_conformance::mock::{
    self, MockConfig, MockServer, DEFAULT_PROJECT_ID, DEFAULT_TOKEN, EXTERNAL_CLUSTER_ID,
    INTERNAL_CLUSTER_ID,
};
use x509_parser::prelude::*;

async fn server() -> MockServer {
    mock::start(MockConfig::builtin(), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn token_client(server: &MockServer, token: &str) -> Client {
    Client::builder()
        .endpoint(server.url())
        .token(token)
        .build()
        .unwrap()
}

fn request(project_id: &str, cluster_id: &str, days: i64) -> CreateKubernetesClusterCertRequest {
    CreateKubernetesClusterCertRequest {
        project_id: project_id.to_owned(),
        cluster_id: cluster_id.to_owned(),
        body: CertDuration {
            duration: ValidityDays::try_from(days).unwrap(),
        },
    }
}

fn pem_of(base64_pem: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(base64_pem)
        .unwrap();
    String::from_utf8(bytes).unwrap()
}

fn der_of(base64_pem: &str) -> Vec<u8> {
    let pem = pem_of(base64_pem);
    let (_, block) = x509_parser::pem::parse_x509_pem(pem.as_bytes()).unwrap();
    assert_eq!(block.label, "CERTIFICATE");
    block.contents
}

/// Checks everything about one response that does not depend on the cluster kind.
fn check_certificates(response: &CreateKubernetesClusterCertResponse, days: i64) {
    let config = &response.body;
    let user = &config.users[0].user;
    let ca_der = der_of(
        config.clusters[0]
            .cluster
            .certificate_authority_data
            .as_deref()
            .unwrap(),
    );
    let client_der = der_of(&user.client_certificate_data);
    let (_, ca) = X509Certificate::from_der(&ca_der).unwrap();
    let (_, client) = X509Certificate::from_der(&client_der).unwrap();

    assert_eq!(client.version(), X509Version::V3);
    assert!(ca.is_ca());
    assert!(!client.is_ca());
    assert_eq!(client.issuer(), ca.subject());
    let validity = client.validity();
    let expected_days = if days == -1 { 1825 } else { days };
    assert_eq!(
        validity.not_after.timestamp() - validity.not_before.timestamp(),
        expected_days * 86_400
    );
    let eku = client.extended_key_usage().unwrap().unwrap();
    assert!(eku.value.client_auth);

    // The key is the certificate's.
    let key = rcgen::KeyPair::from_pem(&pem_of(user.client_key_data.expose_secret())).unwrap();
    assert_eq!(
        key.public_key_raw(),
        client.public_key().subject_public_key.data.as_ref()
    );
    // Every cluster entry carries the same CA.
    for entry in &config.clusters {
        assert_eq!(
            entry.cluster.certificate_authority_data,
            config.clusters[0].cluster.certificate_authority_data
        );
    }
}

#[tokio::test]
async fn internal_cluster_every_duration_with_a_token() {
    let server = server().await;
    let client = token_client(&server, DEFAULT_TOKEN);
    for days in clustercert_conformance::cce::MOCK_DURATIONS {
        let response = client
            .create_kubernetes_cluster_cert(&request(DEFAULT_PROJECT_ID, INTERNAL_CLUSTER_ID, days))
            .await
            .unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(
            response.port_id.as_deref(),
            Some(server.config().projects[0].clusters[0].port_id.as_str())
        );
        assert!(response
            .request_id
            .as_deref()
            .is_some_and(|id| id.len() == 32));
        let config = &response.body;
        let names: Vec<&str> = config.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["internalCluster"]);
        assert_eq!(
            config.clusters[0].cluster.server,
            "https://192.168.1.7:5443"
        );
        assert_eq!(config.clusters[0].cluster.insecure_skip_tls_verify, None);
        let contexts: Vec<&str> = config.contexts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(contexts, ["internal"]);
        assert_eq!(config.contexts[0].context.cluster, "internalCluster");
        assert_eq!(config.contexts[0].context.user, "user");
        assert_eq!(config.users.len(), 1);
        assert_eq!(config.users[0].name, "user");
        assert_eq!(config.current_context, "internal");
        check_certificates(&response, days);
    }
}

#[tokio::test]
async fn external_cluster_every_duration_with_a_token() {
    let server = server().await;
    let client = token_client(&server, DEFAULT_TOKEN);
    for days in clustercert_conformance::cce::MOCK_DURATIONS {
        let response = client
            .create_kubernetes_cluster_cert(&request(DEFAULT_PROJECT_ID, EXTERNAL_CLUSTER_ID, days))
            .await
            .unwrap();
        let config = &response.body;
        let names: Vec<&str> = config.clusters.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["internalCluster", "externalCluster"]);
        assert_eq!(
            config.clusters[1].cluster.server,
            "https://203.0.113.10:5443"
        );
        assert_eq!(
            config.clusters[1].cluster.insecure_skip_tls_verify,
            Some(true)
        );
        let contexts: Vec<(&str, &str)> = config
            .contexts
            .iter()
            .map(|c| (c.name.as_str(), c.context.cluster.as_str()))
            .collect();
        assert_eq!(
            contexts,
            [
                ("internal", "internalCluster"),
                ("external", "externalCluster")
            ]
        );
        assert_eq!(config.current_context, "external");
        assert_eq!(
            response.port_id.as_deref(),
            Some(server.config().projects[0].clusters[1].port_id.as_str())
        );
        check_certificates(&response, days);
    }
}

#[tokio::test]
async fn every_call_mints_a_new_certificate_from_the_same_ca() {
    let server = server().await;
    let client = token_client(&server, DEFAULT_TOKEN);
    let req = request(DEFAULT_PROJECT_ID, INTERNAL_CLUSTER_ID, 30);
    let first = client.create_kubernetes_cluster_cert(&req).await.unwrap();
    let second = client.create_kubernetes_cluster_cert(&req).await.unwrap();
    assert_ne!(
        first.body.users[0].user.client_certificate_data,
        second.body.users[0].user.client_certificate_data
    );
    assert_ne!(
        first.body.users[0].user.client_key_data,
        second.body.users[0].user.client_key_data
    );
    assert_eq!(
        first.body.clusters[0].cluster.certificate_authority_data,
        second.body.clusters[0].cluster.certificate_authority_data
    );
    assert_ne!(first.request_id, second.request_id);
}

#[tokio::test]
async fn clusters_have_their_own_ca() {
    let server = server().await;
    let client = token_client(&server, DEFAULT_TOKEN);
    let internal = client
        .create_kubernetes_cluster_cert(&request(DEFAULT_PROJECT_ID, INTERNAL_CLUSTER_ID, 1))
        .await
        .unwrap();
    let external = client
        .create_kubernetes_cluster_cert(&request(DEFAULT_PROJECT_ID, EXTERNAL_CLUSTER_ID, 1))
        .await
        .unwrap();
    assert_ne!(
        internal.body.clusters[0].cluster.certificate_authority_data,
        external.body.clusters[0].cluster.certificate_authority_data
    );
}

#[tokio::test]
async fn the_client_surfaces_mock_errors() {
    let server = server().await;
    let bad_token = token_client(&server, "not-the-token");
    let err = bad_token
        .create_kubernetes_cluster_cert(&request(DEFAULT_PROJECT_ID, INTERNAL_CLUSTER_ID, 30))
        .await
        .unwrap_err();
    match err {
        Error::Api {
            status, request_id, ..
        } => {
            assert_eq!(status, 401);
            assert!(request_id.is_some());
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    let client = token_client(&server, DEFAULT_TOKEN);
    let err = client
        .create_kubernetes_cluster_cert(&request(DEFAULT_PROJECT_ID, "no-such-cluster", 30))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { status, .. } if *status == 404),
        "{err:?}"
    );
    assert!(err.to_string().contains("CCE.01404001"), "{err}");
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let server = server().await;
    let url = server.url();
    server.shutdown().await;
    let client = Client::builder()
        .endpoint(url)
        .token(DEFAULT_TOKEN)
        .retry(clustercert::runtime::RetryPolicy::none())
        .build()
        .unwrap();
    let err = client
        .create_kubernetes_cluster_cert(&request(DEFAULT_PROJECT_ID, INTERNAL_CLUSTER_ID, 30))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

#[tokio::test]
async fn concurrent_calls_each_get_their_own_certificate() {
    let server = server().await;
    let client = token_client(&server, DEFAULT_TOKEN);
    let calls = (0..16).map(|i| {
        let client = client.clone();
        let cluster = if i % 2 == 0 {
            INTERNAL_CLUSTER_ID
        } else {
            EXTERNAL_CLUSTER_ID
        };
        tokio::spawn(async move {
            client
                .create_kubernetes_cluster_cert(&request(DEFAULT_PROJECT_ID, cluster, 7))
                .await
        })
    });
    let mut serials = std::collections::HashSet::new();
    for call in calls {
        let response = call.await.unwrap().unwrap();
        check_certificates(&response, 7);
        let der = der_of(&response.body.users[0].user.client_certificate_data);
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        assert!(serials.insert(cert.raw_serial().to_vec()));
    }
    assert_eq!(serials.len(), 16);
}
