//! What CCE does that the spec does not say in types: the names it gives every kubeconfig
//! entry, shared by the checks ([`crate::checks`]) and the mock ([`crate::mock`]), and the
//! matrix of requests the mock target runs ([`MOCK_MATRIX`]).

/// The cluster entry for the cluster's private address (always present, exactly once).
pub const INTERNAL_CLUSTER: &str = "internalCluster";
/// The cluster entry for a public IP (present when the cluster has one).
pub const EXTERNAL_CLUSTER: &str = "externalCluster";
/// The context of [`INTERNAL_CLUSTER`] (current when there is no public IP).
pub const INTERNAL_CONTEXT: &str = "internal";
/// The context of [`EXTERNAL_CLUSTER`] (current when there is a public IP).
pub const EXTERNAL_CONTEXT: &str = "external";
/// The one user entry.
pub const USER: &str = "user";

/// One request of the mock matrix: which of the mock's built-in clusters, and which
/// validity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatrixEntry {
    /// `internal` or `external`: whether the cluster has a public IP.
    pub label: &'static str,
    /// The cluster id in the mock's built-in configuration.
    pub cluster_id: &'static str,
    /// Whether the answer must carry [`EXTERNAL_CLUSTER`] and [`EXTERNAL_CONTEXT`].
    pub external: bool,
    /// The `duration` requested, in days (-1 = 1825).
    pub duration: i64,
}

/// The durations asked for on each cluster: the maximum as `-1`, the least, a month, and the
/// maximum as a number.
pub const MOCK_DURATIONS: [i64; 4] = [-1, 1, 30, 1825];

/// The mock matrix: the internal and the external built-in cluster × [`MOCK_DURATIONS`], in
/// that order. The default run, the conformance tests and other crates' tests use this one
/// list.
///
/// ```
/// use clustercert_conformance::cce::MOCK_MATRIX;
/// assert_eq!(MOCK_MATRIX.len(), 8);
/// assert!(MOCK_MATRIX.iter().any(|e| e.external && e.duration == -1));
/// ```
pub const MOCK_MATRIX: [MatrixEntry; 8] = {
    use crate::mock::{EXTERNAL_CLUSTER_ID, INTERNAL_CLUSTER_ID};
    let mut out = [MatrixEntry {
        label: "internal",
        cluster_id: INTERNAL_CLUSTER_ID,
        external: false,
        duration: 0,
    }; 8];
    let mut i = 0;
    while i < 8 {
        let external = i >= MOCK_DURATIONS.len();
        out[i] = MatrixEntry {
            label: if external { "external" } else { "internal" },
            cluster_id: if external {
                EXTERNAL_CLUSTER_ID
            } else {
                INTERNAL_CLUSTER_ID
            },
            external,
            duration: MOCK_DURATIONS[i % MOCK_DURATIONS.len()],
        };
        i += 1;
    }
    out
};
