//! `mock-cce`: the local mock CCE server, until killed.
//!
//! The first line on stdout is `mock CCE listening on http://127.0.0.1:PORT`; the credentials
//! and clusters follow.

#![forbid(unsafe_code)]

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use clap::Parser;
use clustercert_conformance::mock::{self, MockConfig};

/// A local stand-in for Huawei Cloud CCE's CreateKubernetesClusterCert.
#[derive(Debug, Parser)]
#[command(name = "mock-cce", version, after_help = FAULT_HELP)]
struct Args {
    /// Port on 127.0.0.1 to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// YAML configuration (format: conformance/mock.example.yaml); the built-in one when absent.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// The `X-Mock-Fault` part of `--help`.
const FAULT_HELP: &str = "\
Fault injection: a request header X-Mock-Fault (or a cluster's `fault` in the configuration)
takes comma-separated items, at most one besides delays: delay=MS, 429, 500, 502, 503, 504,
html, truncate, close. Delays add up, to at most 60000 ms in total.

A connection that sends no complete request head for 15 s (idle between requests, or slow) is
closed; a request body that does not arrive within 15 s is answered 408.

Faults are applied before authentication: a request without valid credentials still waits its
delay and gets the fault's 429, 5xx or HTML answer, and an unparsable X-Mock-Fault is a 400;
truncate and close spoil whatever the real answer is, a 401 included. A cluster's `fault_times`
counts unauthenticated requests too.";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let builtin = args.config.is_none();
    let config = match &args.config {
        Some(path) => MockConfig::from_file(path)?,
        None => MockConfig::builtin(),
    };
    let server = mock::start(config, SocketAddr::from((Ipv4Addr::LOCALHOST, args.port))).await?;
    println!("mock CCE listening on {}", server.url());
    print_credentials(server.config(), builtin);
    tokio::select! {
        () = server.wait() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    Ok(())
}

/// The built-in credentials are public mock values and are printed in full; a configuration
/// file's secrets are not.
fn print_credentials(config: &MockConfig, builtin: bool) {
    for project in &config.projects {
        let clusters: Vec<&str> = project.clusters.iter().map(|c| c.id.as_str()).collect();
        println!("project {}: clusters {}", project.id, clusters.join(", "));
    }
    if builtin {
        println!("token (X-Auth-Token): {}", mock::DEFAULT_TOKEN);
        println!("AK: {}", mock::DEFAULT_AK);
        println!("SK: {}", mock::DEFAULT_SK);
    } else {
        println!("tokens: {} configured", config.tokens.len());
        for key in &config.access_keys {
            println!("AK: {} (SK from the configuration file)", key.ak);
        }
    }
}
