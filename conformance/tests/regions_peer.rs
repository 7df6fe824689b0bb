//! Regions resolve as the official Python SDK resolves them. The SDK's answers are recorded
//! in `data/regions/regions.json` (see its README); `run_sdk_e2e.sh` checks that recording
//! against the installed SDK. Here the generated client must give, for every recorded case, the
//! same endpoints in the same order, or refuse where the SDK refuses.
//!
//! One test in this file, on purpose: it sets process environment variables (the client reads
//! `HUAWEICLOUD_SDK_REGION_CCE_*`, `HUAWEICLOUD_SDK_REGIONS_FILE` and `HOME`), which no other
//! test thread may see changing.

use std::collections::BTreeMap;

use serde_json::Value;

const RECORDED: &str = include_str!("data/regions/regions.json");

/// Builds a client for `region` and returns its endpoints, or the build error's text.
fn resolve(region: &str) -> Result<Vec<String>, String> {
    clustercert::Client::builder()
        .region(region)
        .token("t")
        .build()
        .map(|client| {
            client
                .transport()
                .endpoints()
                .into_iter()
                .map(str::to_owned)
                .collect()
        })
        .map_err(|e| e.to_string())
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .expect("a list")
        .iter()
        .map(|v| v.as_str().expect("a string").to_owned())
        .collect()
}

/// Every `HUAWEICLOUD_*` variable goes, and HOME points at `home`.
fn clean_environment(home: &std::path::Path) {
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("HUAWEICLOUD_") {
            std::env::remove_var(name);
        }
    }
    std::env::set_var("HOME", home);
    std::env::remove_var("USERPROFILE");
}

#[test]
fn regions_resolve_as_the_official_sdk_resolves_them() {
    let recorded: Value = serde_json::from_str(RECORDED).expect("regions.json is JSON");
    let table: BTreeMap<String, Value> =
        serde_json::from_value(recorded["static"].clone()).expect("the static table");
    assert!(table.len() >= 30, "the SDK knows {} regions", table.len());

    // The built-in table: every region, with nothing set.
    let empty_home = tempfile::tempdir().expect("temp dir");
    clean_environment(empty_home.path());
    for (region, endpoints) in &table {
        assert_eq!(
            resolve(region).as_deref(),
            Ok(strings(endpoints).as_slice()),
            "region {region}"
        );
    }

    // The cases: environment, regions files, refusals.
    let cases = recorded["cases"].as_array().expect("cases");
    assert!(cases.len() >= 15);
    for case in cases {
        let name = case["name"].as_str().expect("a name");
        let region = case["region"].as_str().expect("a region");
        let home = tempfile::tempdir().expect("temp dir");
        clean_environment(home.path());
        for (var, value) in case["env"].as_object().expect("env") {
            std::env::set_var(var, value.as_str().expect("a value"));
        }
        if let Some(text) = case["regions_file"].as_str() {
            let path = home.path().join("named-regions.yaml");
            std::fs::write(&path, text).expect("writable");
            std::env::set_var("HUAWEICLOUD_SDK_REGIONS_FILE", &path);
        }
        if let Some(text) = case["home_regions_file"].as_str() {
            let folder = home.path().join(".huaweicloud");
            std::fs::create_dir(&folder).expect("writable");
            std::fs::write(folder.join("regions.yaml"), text).expect("writable");
        }
        let ours = resolve(region);
        match case.get("endpoints") {
            Some(endpoints) => assert_eq!(
                ours.as_deref(),
                Ok(strings(endpoints).as_slice()),
                "{name}: region {region}"
            ),
            None => {
                let error = ours.expect_err(name);
                assert!(error.contains(region), "{name}: {error}");
                // Our refusal names every region the SDK lists as supported.
                for known in table.keys() {
                    assert!(error.contains(known.as_str()), "{name}: {known} in {error}");
                }
            }
        }
    }
    clean_environment(empty_home.path());
}
