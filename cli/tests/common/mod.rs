//! Shared by the `cce-kubeconfig` tests: the binary, base64, and the arguments of a fetch.

#![allow(dead_code)] // each test file uses a different part

use std::path::Path;

use base64::Engine as _;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_cce-kubeconfig");

/// Standard base64 of `text`, as CCE sends certificate and key data.
pub fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// `--endpoint <url> --project-id <project> --cluster-id <cluster> --kubeconfig <path>`.
pub fn fetch_args<'a>(
    url: &'a str,
    project: &'a str,
    cluster: &'a str,
    path: &'a Path,
) -> Vec<&'a str> {
    vec![
        "--endpoint",
        url,
        "--project-id",
        project,
        "--cluster-id",
        cluster,
        "--kubeconfig",
        path.to_str().expect("UTF-8 path"),
    ]
}
