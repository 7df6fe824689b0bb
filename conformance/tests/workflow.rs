//! `.github/workflows/conformance.yml`, the workflow users copy: it passes `actionlint`
//! (`.ci/run` installs it), and it does what the docs say (mock suite on push and pull
//! request, live on a schedule with secrets, reports uploaded).

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

const WORKFLOW: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../.github/workflows/conformance.yml"
);

/// `actionlint` from `PATH`, or `None` (said on stderr); with `CI=true` a missing one fails.
fn actionlint() -> Option<PathBuf> {
    clustercert_test_support::tool("actionlint", ".ci/run installs it")
}

fn lint(actionlint: &Path, file: &Path) -> (bool, String) {
    let output = Command::new(actionlint)
        .arg("-no-color")
        .arg(file)
        .output()
        .expect("actionlint runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

#[test]
fn the_workflow_passes_actionlint() {
    let Some(actionlint) = actionlint() else {
        return;
    };
    let (ok, output) = lint(&actionlint, Path::new(WORKFLOW));
    assert!(ok, "{output}");
    // And actionlint does find what is wrong: an expression that names no context.
    let dir = tempfile::tempdir().expect("tempdir");
    let broken = dir.path().join("broken.yml");
    let text = std::fs::read_to_string(WORKFLOW).expect("workflow");
    std::fs::write(
        &broken,
        text.replace(
            "${{ secrets.CCE_CLUSTER_ID }}",
            "${{ secret.CCE_CLUSTER_ID }}",
        ),
    )
    .expect("write");
    let (ok, output) = lint(&actionlint, &broken);
    assert!(!ok, "actionlint accepted a broken workflow: {output}");
}

#[test]
fn the_workflow_runs_the_mock_suite_on_push_and_live_on_a_schedule() {
    let text = std::fs::read_to_string(WORKFLOW).expect("workflow");
    let workflow: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let on = &workflow["on"];
    for event in ["push", "pull_request", "schedule"] {
        assert!(on.get(event).is_some(), "not triggered by {event}");
    }
    let mock = serde_yaml::to_string(&workflow["jobs"]["mock"]).expect("mock job");
    assert!(mock.contains("--report junit=reports/junit.xml"), "{mock}");
    assert!(mock.contains("actions/upload-artifact"), "{mock}");
    let live = serde_yaml::to_string(&workflow["jobs"]["live"]).expect("live job");
    assert!(
        live.contains("live --duration 1 --record recorded"),
        "{live}"
    );
    assert!(live.contains("secrets.HUAWEICLOUD_SDK_SK"), "{live}");
    assert!(
        live.contains("--report junit=reports/live-junit.xml"),
        "{live}"
    );
    assert!(
        live.contains("\"$code\" -eq 3"),
        "the skip code is handled: {live}"
    );
    for (name, _) in clustercert_conformance::target::LIVE_ENV {
        if *name == "CCE_ENDPOINT"
            || *name == "HUAWEICLOUD_SDK_SECURITY_TOKEN"
            || *name == "HUAWEICLOUD_SDK_AUTH_TOKEN"
        {
            continue;
        }
        assert!(live.contains(name), "{name} is not passed to the live job");
    }
}

#[test]
fn the_recorded_history_is_saved_after_a_failing_live_run_too() {
    let text = std::fs::read_to_string(WORKFLOW).expect("workflow");
    let workflow: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let steps = workflow["jobs"]["live"]["steps"]
        .as_sequence()
        .expect("live steps");
    let uses = |step: &serde_yaml::Value| step["uses"].as_str().unwrap_or_default().to_owned();
    // actions/cache saves only after a green job: a run that fails (drift.status) would
    // drop its recording, and every later run would compare with the same old one.
    assert!(
        !steps.iter().any(|s| uses(s).starts_with("actions/cache@")),
        "the combined cache action saves only on success"
    );
    let save = steps
        .iter()
        .find(|s| uses(s).starts_with("actions/cache/save@"))
        .expect("a step saves the recordings");
    assert!(
        save["if"].as_str().unwrap_or_default().contains("always()"),
        "{save:?}"
    );
    assert_eq!(save["with"]["path"].as_str(), Some("recorded/"));
    let restore = steps
        .iter()
        .position(|s| uses(s).starts_with("actions/cache/restore@"))
        .expect("a step restores the recordings");
    let live = steps
        .iter()
        .position(|s| {
            s["run"]
                .as_str()
                .is_some_and(|r| r.contains("live --duration"))
        })
        .expect("the live step");
    assert!(restore < live, "restored before the live run");
}
