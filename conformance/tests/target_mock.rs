//! The mock target of the default run: the in-process mock, the generated client, durations
//! -1, 1, 30 and 1825 on an internal and an external cluster, every check on each response.

#![forbid(unsafe_code)]

use clustercert_conformance::runner::Row;
use clustercert_conformance::schema::Validators;
use clustercert_conformance::target::run_mock_target;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_mock_target_passes_every_check_for_every_duration() {
    let validators = Validators::builtin().expect("spec");
    let rows: Vec<Row> = run_mock_target(validators, None)
        .await
        .expect("mock target");
    assert_eq!(rows.len(), 8);
    for row in &rows {
        assert!(row.passed(), "{}: {:?}", row.name, row.mismatches);
        for check in [
            "cert.validity",
            "cert.key.mismatch",
            "client.parse",
            "kubeconfig.current-context",
        ] {
            assert!(
                row.result.checks.contains_key(check),
                "{} ran {check}",
                row.name
            );
        }
    }
    // Fresh certificates every run, but the normalized results do not change: no certificate
    // data and no dates reach them.
    let summary: Vec<_> = rows
        .iter()
        .map(|row| json!({"name": row.name, "result": row.result}))
        .collect();
    insta::assert_yaml_snapshot!("mock-target", summary);
}
