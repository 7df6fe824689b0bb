//! Targets that answer real requests: the in-process mock server (part of every default run)
//! and the real API (`live`). Each exchange becomes a [`Case`] and is judged by the same
//! checks as a recorded one, plus `client.parse`: the generated client's own types accept the
//! body.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use clustercert::runtime::Credentials;
use clustercert::{
    CertDuration, Client, CreateKubernetesClusterCertRequest, Kubeconfig, ValidityDays,
};
use serde_json::{json, Value};

use crate::case::{Case, RequestPart, ResponsePart, Verdict};
use crate::cce::{EXTERNAL_CLUSTER, EXTERNAL_CONTEXT, MOCK_MATRIX};
use crate::drift;
use crate::finding::Report;
use crate::mock::{self, MockConfig};
use crate::record;
use crate::runner::{check_case, CaseResult, Row, Target, Unmet};
use crate::schema::Validators;

/// `client.parse`: the generated client's `Kubeconfig` type accepts a 200 body.
pub const CLIENT_PARSE: &str = "client.parse";

/// Response headers kept in a case (others are transport details).
const KEPT_HEADERS: &[&str] = &["content-type", "port-id", "x-request-id", "retry-after"];

/// Sends one `CreateKubernetesClusterCert` request with the generated client's raw method
/// (its path template, parameter checks, authentication and signing) and returns the
/// exchange as a case: the request as sent (without credentials) and the response as
/// received, body untouched.
///
/// # Errors
///
/// A duration the API does not accept (the typed request refuses it before sending), an
/// empty path parameter, or a failure to send.
pub async fn fetch(
    client: &Client,
    project_id: &str,
    cluster_id: &str,
    duration: i64,
) -> Result<Case, clustercert::Error> {
    let invalid = |e: &dyn std::fmt::Display| clustercert::Error::InvalidInput(e.to_string());
    let validity = ValidityDays::new(duration).map_err(|e| invalid(&e))?;
    let request = CreateKubernetesClusterCertRequest {
        project_id: project_id.to_owned(),
        cluster_id: cluster_id.to_owned(),
        body: CertDuration { duration: validity },
    };
    let body = serde_json::to_value(&request.body).map_err(|e| invalid(&e))?;
    let raw = client.create_kubernetes_cluster_cert_raw(&request).await?;
    let headers: BTreeMap<String, String> = raw
        .headers
        .iter()
        .filter(|(name, _)| KEPT_HEADERS.contains(&name.as_str()))
        .filter_map(|(name, value)| {
            Some((
                canonical_header(name.as_str()),
                value.to_str().ok()?.to_owned(),
            ))
        })
        .collect();
    let (json_body, body_text) = match serde_json::from_slice::<Value>(&raw.body) {
        Ok(value) => (Some(value), None),
        Err(_) if raw.body.is_empty() => (None, None),
        Err(_) => (None, Some(String::from_utf8_lossy(&raw.body).into_owned())),
    };
    Ok(Case {
        description: format!(
            "Recorded: project {project_id}, cluster {cluster_id}, duration {duration}."
        ),
        request: Some(RequestPart {
            path: Some(BTreeMap::from([
                ("project_id".to_owned(), json!(project_id)),
                ("cluster_id".to_owned(), json!(cluster_id)),
            ])),
            headers: Some(BTreeMap::from([(
                "Content-Type".to_owned(),
                "application/json".to_owned(),
            )])),
            body: Some(body),
        }),
        response: Some(ResponsePart {
            status: raw.status.as_u16(),
            headers,
            body: json_body,
            body_text,
        }),
        duration: None,
        expect: None,
    })
}

fn canonical_header(lower: &str) -> String {
    match lower {
        "port-id" => "Port-ID".to_owned(),
        "x-request-id" => "X-Request-Id".to_owned(),
        "content-type" => "Content-Type".to_owned(),
        "retry-after" => "Retry-After".to_owned(),
        other => other.to_owned(),
    }
}

/// Judges an exchange: every case check, plus `client.parse` on a 200 body.
pub fn judge_exchange(case: &Case, validators: &Validators) -> CaseResult {
    CaseResult::from_report(judge_report(case, validators))
}

/// [`judge_exchange`] as a report, so more findings can be added.
fn judge_report(case: &Case, validators: &Validators) -> Report {
    let mut report = check_case(case, validators);
    if let Some(response) = case.response.as_ref().filter(|r| r.status == 200) {
        report.ran(CLIENT_PARSE);
        if let Some(body) = &response.body {
            if let Err(e) = serde_json::from_value::<Kubeconfig>(body.clone()) {
                report.error(
                    CLIENT_PARSE,
                    "/response/body",
                    format!("the generated client's Kubeconfig type refuses the body: {e}"),
                );
            }
        }
    }
    report
}

/// Why a target exchange is not what the target must produce: a valid verdict, and for the
/// external cluster the external entries. Empty when it is.
pub fn target_mismatches(result: &CaseResult, case: &Case, external: bool) -> Vec<Unmet> {
    let mut out: Vec<Unmet> = result
        .of(crate::finding::Severity::Error)
        .map(|f| {
            Unmet::at(
                f.check,
                &f.path,
                format!("{} at {}: {}", f.check, f.path, f.message),
            )
        })
        .collect();
    if result.verdict != Verdict::Valid && out.is_empty() {
        out.push(Unmet::plain("verdict invalid"));
    }
    if external {
        let body = case.response.as_ref().and_then(|r| r.body.as_ref());
        let current = body
            .and_then(|b| b.get("current-context"))
            .and_then(Value::as_str);
        let has_external = body
            .and_then(|b| b.get("clusters"))
            .and_then(Value::as_array)
            .is_some_and(|c| {
                c.iter()
                    .any(|c| c.get("name").and_then(Value::as_str) == Some(EXTERNAL_CLUSTER))
            });
        if !has_external || current != Some(EXTERNAL_CONTEXT) {
            out.push(Unmet::at(
                crate::checks::CURRENT_CONTEXT,
                "/response/body",
                "a cluster with a public IP must get an externalCluster and current-context external",
            ));
        }
    }
    out
}

/// The name of a recorded case for an exchange.
fn record_name(prefix: &str, label: &str, duration: i64) -> String {
    let duration = if duration < 0 {
        format!("minus{}", -duration)
    } else {
        duration.to_string()
    };
    format!("{prefix}-{label}-duration-{duration}")
}

/// The mock target: starts the mock in-process with its built-in config, fetches a kubeconfig
/// with the generated client for each entry of [`MOCK_MATRIX`] (durations -1, 1, 30 and 1825
/// on the internal and the external cluster), and judges each. With `record_dir`, each exchange is also saved as a case.
pub async fn run_mock_target(
    validators: &Validators,
    record_dir: Option<&Path>,
) -> anyhow::Result<Vec<Row>> {
    let server = mock::start(MockConfig::builtin(), "127.0.0.1:0".parse()?).await?;
    let client = Client::builder()
        .endpoint(server.url())
        .token(mock::DEFAULT_TOKEN)
        .build()?;
    let mut rows = Vec::new();
    for entry in MOCK_MATRIX {
        let name = format!("mock/{}/duration={}", entry.label, entry.duration);
        let started = Instant::now();
        let fetched = fetch(
            &client,
            mock::DEFAULT_PROJECT_ID,
            entry.cluster_id,
            entry.duration,
        )
        .await;
        let record = record_dir.map(|dir| (dir, record_name("mock", entry.label, entry.duration)));
        let mut row = judge_target_row(
            Target::Mock,
            name,
            fetched,
            entry.external,
            validators,
            record,
        )?;
        row.elapsed = started.elapsed();
        rows.push(row);
    }
    server.shutdown().await;
    Ok(rows)
}

/// Settings of the live target, from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSettings {
    /// Where to send: an endpoint URL, or a region the client resolves.
    pub place: LivePlace,
    /// The project.
    pub project_id: String,
    /// The cluster.
    pub cluster_id: String,
}

/// Where the live target sends its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LivePlace {
    /// `CCE_ENDPOINT`: an endpoint URL.
    Endpoint(String),
    /// `HUAWEICLOUD_SDK_REGION`: the client resolves it as the official SDK does
    /// (`HUAWEICLOUD_SDK_REGION_CCE_{REGION}`, the regions file, the spec's servers).
    Region(String),
}

/// The environment variables the live target reads.
pub const LIVE_ENV: &[(&str, &str)] = &[
    ("HUAWEICLOUD_SDK_AK", "access key (AK/SK signing)"),
    ("HUAWEICLOUD_SDK_SK", "secret key (AK/SK signing)"),
    (
        "HUAWEICLOUD_SDK_SECURITY_TOKEN",
        "security token of temporary AK/SK",
    ),
    ("HUAWEICLOUD_SDK_AUTH_TOKEN", "IAM token, instead of AK/SK"),
    ("HUAWEICLOUD_SDK_PROJECT_ID", "project id (required)"),
    ("CCE_CLUSTER_ID", "cluster id (required)"),
    (
        "HUAWEICLOUD_SDK_REGION",
        "region, e.g. cn-north-4 (or CCE_ENDPOINT)",
    ),
    ("CCE_ENDPOINT", "endpoint URL, instead of the region"),
    (
        "HUAWEICLOUD_SDK_CREDENTIALS_FILE",
        "profile file, when the environment has no keys (default ~/.huaweicloud/credentials)",
    ),
    (
        "CCE_METADATA_ENDPOINT",
        "ECS metadata address, tried last (`off` skips it)",
    ),
];

/// Reads the live settings through `lookup`; `Err` is the reason to skip, naming what is
/// missing. Credentials are not among them: [`live_credentials`] looks for them.
pub fn live_settings(lookup: impl Fn(&str) -> Option<String>) -> Result<LiveSettings, String> {
    let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
    let mut missing = Vec::new();
    let project_id = get("HUAWEICLOUD_SDK_PROJECT_ID");
    if project_id.is_none() {
        missing.push("HUAWEICLOUD_SDK_PROJECT_ID");
    }
    let cluster_id = get("CCE_CLUSTER_ID");
    if cluster_id.is_none() {
        missing.push("CCE_CLUSTER_ID");
    }
    let place = get("CCE_ENDPOINT")
        .map(LivePlace::Endpoint)
        .or_else(|| get("HUAWEICLOUD_SDK_REGION").map(LivePlace::Region));
    if place.is_none() {
        missing.push("HUAWEICLOUD_SDK_REGION (or CCE_ENDPOINT)");
    }
    match (project_id, cluster_id, place) {
        (Some(project_id), Some(cluster_id), Some(place)) if missing.is_empty() => {
            Ok(LiveSettings {
                place,
                project_id,
                cluster_id,
            })
        }
        _ => Err(format!("live: skipped, not set: {}", missing.join(", "))),
    }
}

/// The credentials for `live`, looked for where the official SDK looks, in its order: the
/// environment (`lookup`), the profile file (`[basic]`), then the ECS instance metadata
/// (`CCE_METADATA_ENDPOINT` moves it, `off` skips it). AK/SK sign for the live project
/// whichever place gave them. `Ok(Err(reason))` is a skip: no place had credentials, and the
/// reason names each place looked in; `Err` is credentials found but unusable.
pub async fn live_credentials(
    project_id: &str,
    lookup: impl Fn(&str) -> Option<String> + Send + Sync + Clone + 'static,
) -> anyhow::Result<Result<Credentials, String>> {
    use clustercert::runtime::provider::{
        EnvProvider, MetadataProvider, ProfileProvider, ProvideCredentials, ProviderChain, Section,
    };
    use clustercert::runtime::CredentialsError;
    let os_lookup = lookup.clone();
    let mut providers: Vec<Box<dyn ProvideCredentials>> = vec![
        Box::new(EnvProvider::with_lookup(lookup.clone())),
        Box::new(ProfileProvider::with_lookup(Section::Basic, move |name| {
            os_lookup(name).map(Into::into)
        })),
    ];
    let mut looked = Vec::new();
    match lookup("CCE_METADATA_ENDPOINT").filter(|v| !v.is_empty()) {
        Some(off) if off == "off" => {
            looked.push("instance metadata: CCE_METADATA_ENDPOINT=off".to_owned())
        }
        Some(endpoint) => providers.push(Box::new(
            MetadataProvider::new(project_id).endpoint(endpoint),
        )),
        None => providers.push(Box::new(MetadataProvider::new(project_id))),
    }
    let provided = match ProviderChain::new(providers).read().await {
        Ok(provided) => provided,
        Err(CredentialsError::NotFound { looked: places }) => {
            let places: Vec<String> = places.into_iter().chain(looked).collect();
            return Ok(Err(format!(
                "live: skipped, no credentials found; looked in: {}",
                places.join("; ")
            )));
        }
        Err(other) => return Err(other.into()),
    };
    for warning in &provided.warnings {
        eprintln!(
            "warning: {}",
            crate::runner::terminal_safe(&warning.to_string())
        );
    }
    Ok(Ok(provided.credentials.for_project(project_id)))
}

/// Builds the live client: endpoint or region, and `credentials`.
pub fn live_client(settings: &LiveSettings, credentials: Credentials) -> anyhow::Result<Client> {
    let builder = match &settings.place {
        LivePlace::Endpoint(url) => Client::builder().endpoint(url.clone()),
        LivePlace::Region(region) => Client::builder().region(region.clone()),
    };
    Ok(builder.credentials(credentials).build()?)
}

/// The live target: one request for `duration` against the real API, judged like any case.
/// With `record_dir`, the exchange is saved there under a name with the time
/// (`live-cluster-duration-N-YYYYMMDDTHHMMSSZ`), and compared with the latest earlier
/// recording of the same request there: drift shows as findings of the row
/// ([`crate::drift`]).
pub async fn run_live_target(
    settings: &LiveSettings,
    credentials: Credentials,
    duration: i64,
    validators: &Validators,
    record_dir: Option<&Path>,
) -> anyhow::Result<Row> {
    let client = live_client(settings, credentials)?;
    let name = format!("live/{}/duration={duration}", settings.cluster_id);
    let started = Instant::now();
    let fetched = fetch(
        &client,
        &settings.project_id,
        &settings.cluster_id,
        duration,
    )
    .await;
    let record = record_dir.map(|dir| {
        let stamp = time::OffsetDateTime::now_utc();
        let stamp = format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            stamp.year(),
            u8::from(stamp.month()),
            stamp.day(),
            stamp.hour(),
            stamp.minute(),
            stamp.second()
        );
        (
            dir,
            format!("{}-{stamp}", record_name("live", "cluster", duration)),
        )
    });
    let mut row = judge_target_row(Target::Live, name, fetched, false, validators, record)?;
    row.elapsed = started.elapsed();
    Ok(row)
}

/// Judges one target exchange (or its failure) as a table row; with `record`, also saves the
/// exchange, redacted, as a case named there, after comparing it with the latest earlier
/// recording of the same request in that folder.
fn judge_target_row(
    target: Target,
    name: String,
    fetched: Result<Case, clustercert::Error>,
    external: bool,
    validators: &Validators,
    record: Option<(&Path, String)>,
) -> anyhow::Result<Row> {
    let case = match fetched {
        Ok(case) => case,
        Err(e) => {
            return Ok(Row::new(
                target,
                name,
                CaseResult::from_report(Report::new()),
                vec![Unmet::plain(format!("request failed: {e}"))],
            ))
        }
    };
    let mut report = judge_report(&case, validators);
    if let Some((dir, case_name)) = &record {
        if let Some(previous) = drift::latest_readable_recording(dir, case_name, &mut report) {
            drift::compare(&previous, &case, &mut report);
        }
    }
    let result = CaseResult::from_report(report);
    let mismatches = target_mismatches(&result, &case, external);
    if let Some((dir, case_name)) = record {
        let file = record::record(dir, &case_name, case, validators)?;
        eprintln!("recorded {}", file.display());
    }
    Ok(Row::new(target, name, result, mismatches))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_settings_name_every_missing_variable() {
        let err = live_settings(|_| None).unwrap_err();
        for name in [
            "HUAWEICLOUD_SDK_PROJECT_ID",
            "CCE_CLUSTER_ID",
            "HUAWEICLOUD_SDK_REGION",
        ] {
            assert!(err.contains(name), "{err}");
        }
        let env = |name: &str| {
            match name {
                "HUAWEICLOUD_SDK_PROJECT_ID" => Some("p"),
                "CCE_CLUSTER_ID" => Some("c"),
                "HUAWEICLOUD_SDK_REGION" => Some("cn-north-4"),
                "HUAWEICLOUD_SDK_AUTH_TOKEN" => Some("t"),
                _ => None,
            }
            .map(str::to_owned)
        };
        assert_eq!(
            live_settings(env),
            Ok(LiveSettings {
                place: LivePlace::Region("cn-north-4".into()),
                project_id: "p".into(),
                cluster_id: "c".into()
            })
        );
    }

    #[test]
    fn record_names_are_folder_friendly() {
        assert_eq!(
            record_name("mock", "internal", -1),
            "mock-internal-duration-minus1"
        );
        assert_eq!(
            record_name("mock", "external", 30),
            "mock-external-duration-30"
        );
    }
}
