//! Mints a cluster certificate and prints the status, `Port-ID` and the kubeconfig, with the
//! client key redacted.
//!
//! ```sh
//! export HUAWEICLOUD_SDK_AK=... HUAWEICLOUD_SDK_SK=...   # or HUAWEICLOUD_SDK_AUTH_TOKEN=...
//! cargo run -p clustercert --example create_cert -- \
//!     --endpoint http://127.0.0.1:8080 --project-id P --cluster-id C --duration 30
//! ```
//!
//! Credentials come from the environment: `HUAWEICLOUD_SDK_AK` and `HUAWEICLOUD_SDK_SK` (with
//! `HUAWEICLOUD_SDK_SECURITY_TOKEN` for temporary credentials; `HUAWEICLOUD_SDK_PROJECT_ID`
//! defaults to `--project-id`), or an IAM token in `HUAWEICLOUD_SDK_AUTH_TOKEN`. On failure it
//! prints one line to stderr and exits with status 1.

#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use clustercert::runtime::credentials::ENV_PROJECT_ID;
use clustercert::runtime::Credentials;
use clustercert::{CertDuration, Client, CreateKubernetesClusterCertRequest, ValidityDays};

/// Mint a CCE cluster certificate and print the kubeconfig (key redacted).
#[derive(Debug, Parser)]
struct Args {
    /// Endpoint URL, for example https://cce.cn-north-4.myhuaweicloud.com or http://127.0.0.1:8080.
    #[arg(long, required_unless_present = "region", conflicts_with = "region")]
    endpoint: Option<String>,
    /// Region id instead of an endpoint, for example cn-north-4.
    #[arg(long)]
    region: Option<String>,
    /// Project id.
    #[arg(long)]
    project_id: String,
    /// Cluster id.
    #[arg(long)]
    cluster_id: String,
    /// Days of validity: 1 to 1825, or -1 for the maximum.
    #[arg(long, allow_hyphen_values = true)]
    duration: i64,
    /// Total timeout in seconds, retries included.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let duration = ValidityDays::try_from(args.duration).map_err(|e| e.to_string())?;
    let project_id = args.project_id.clone();
    let credentials = Credentials::from_lookup(|name| {
        std::env::var(name)
            .ok()
            .or_else(|| (name == ENV_PROJECT_ID).then(|| project_id.clone()))
    })
    .map_err(|e| e.to_string())?;
    let mut builder = Client::builder()
        .credentials(credentials)
        .timeout(Duration::from_secs(args.timeout));
    builder = match (args.endpoint, args.region) {
        (Some(endpoint), _) => builder.endpoint(endpoint),
        (None, Some(region)) => builder.region(region),
        (None, None) => return Err("give --endpoint or --region".to_owned()),
    };
    let client = builder.build().map_err(|e| e.to_string())?;

    let response = client
        .create_kubernetes_cluster_cert(&CreateKubernetesClusterCertRequest {
            project_id: args.project_id,
            cluster_id: args.cluster_id,
            body: CertDuration { duration },
        })
        .await
        .map_err(|e| e.to_string())?;

    println!("status: {}", response.status);
    println!(
        "Port-ID: {}",
        response.port_id.as_deref().unwrap_or("(none)")
    );
    if let Some(id) = &response.request_id {
        println!("X-Request-Id: {id}");
    }
    let mut kubeconfig = serde_json::to_value(&response.body).map_err(|e| e.to_string())?;
    redact_keys(&mut kubeconfig);
    let yaml = serde_yaml::to_string(&kubeconfig).map_err(|e| e.to_string())?;
    println!("---\n{yaml}");
    Ok(())
}

/// Replaces every user's `client-key-data` with a marker.
fn redact_keys(kubeconfig: &mut serde_json::Value) {
    let Some(users) = kubeconfig
        .get_mut("users")
        .and_then(serde_json::Value::as_array_mut)
    else {
        return;
    };
    for user in users {
        if let Some(key) = user
            .get_mut("user")
            .and_then(|u| u.get_mut("client-key-data"))
        {
            *key = serde_json::Value::String(
                clustercert::runtime::redact::REDACTION_MARKER.to_owned(),
            );
        }
    }
}
