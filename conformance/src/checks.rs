//! The named checks on requests, responses and kubeconfigs (certificate checks are in
//! [`crate::certs`]). Every check works on raw JSON and skips what the schema already
//! reports (a missing field, a wrong type), so one defect gives one precise finding.

use std::borrow::Cow;

use serde_json::Value;

use crate::case::{RequestPart, ResponsePart};
use crate::cce::{
    EXTERNAL_CLUSTER, EXTERNAL_CONTEXT, INTERNAL_CLUSTER, INTERNAL_CONTEXT, USER as USER_NAME,
};
use crate::finding::{Finding, Report, Severity};
use crate::schema::{escape_pointer, CompiledSchema, Validators};

/// `request.schema`: the body validates against the request schema.
pub const REQUEST_SCHEMA: &str = "request.schema";
/// `request.path-params`: `project_id` and `cluster_id` are non-empty strings.
pub const REQUEST_PATH_PARAMS: &str = "request.path-params";
/// `request.content-type`: `Content-Type` is `application/json`.
pub const REQUEST_CONTENT_TYPE: &str = "request.content-type";
/// `response.status`: a status the spec documents.
pub const RESPONSE_STATUS: &str = "response.status";
/// `response.json`: the body is JSON.
pub const RESPONSE_JSON: &str = "response.json";
/// `response.schema`: the body validates against the status's schema.
pub const RESPONSE_SCHEMA: &str = "response.schema";
/// `response.unknown-field`: a property the schema does not declare (a note).
pub const RESPONSE_UNKNOWN_FIELD: &str = "response.unknown-field";
/// `error.shape`: an error body in one of CCE's two shapes.
pub const ERROR_SHAPE: &str = "error.shape";
/// `exchange.invalid-request-accepted`: an invalid request answered with 200.
pub const EXCHANGE_INVALID_ACCEPTED: &str = "exchange.invalid-request-accepted";
/// `kubeconfig.kind`: `kind` is `Config`.
pub const KIND: &str = "kubeconfig.kind";
/// `kubeconfig.api-version`: `apiVersion` is `v1`.
pub const API_VERSION: &str = "kubeconfig.api-version";
/// `kubeconfig.names`: the names CCE uses.
pub const NAMES: &str = "kubeconfig.names";
/// `kubeconfig.current-context`: `external` exactly when there is an `externalCluster`, and
/// an existing context.
pub const CURRENT_CONTEXT: &str = "kubeconfig.current-context";
/// `kubeconfig.context-refs`: contexts name existing clusters and users.
pub const CONTEXT_REFS: &str = "kubeconfig.context-refs";
/// `kubeconfig.external-insecure`: `externalCluster` skips TLS verification.
pub const EXTERNAL_INSECURE: &str = "kubeconfig.external-insecure";
/// `kubeconfig.ca-with-insecure`: CA data together with `insecure-skip-tls-verify: true` (a
/// warning: kubectl refuses the pair, but CCE sends it).
pub const CA_WITH_INSECURE: &str = "kubeconfig.ca-with-insecure";
/// `kubeconfig.server-url`: `https://host:port`.
pub const SERVER_URL: &str = "kubeconfig.server-url";

fn schema_findings(
    report: &mut Report,
    check: &'static str,
    schema: &CompiledSchema,
    instance: &Value,
    base: &str,
) -> bool {
    let mut valid = true;
    report.ran(check);
    for violation in schema.violations(instance) {
        valid = false;
        report.push(Finding {
            check,
            severity: Severity::Error,
            path: format!("{base}{}", violation.instance_path),
            schema_path: Some(violation.schema_path),
            message: violation.message,
        });
    }
    valid
}

/// Checks a request; returns whether its body is valid.
pub fn check_request(request: &RequestPart, validators: &Validators, report: &mut Report) -> bool {
    if let Some(path) = &request.path {
        report.ran(REQUEST_PATH_PARAMS);
        for name in ["project_id", "cluster_id"] {
            let at = format!("/request/path/{name}");
            match path.get(name) {
                Some(Value::String(value)) if !value.is_empty() => {}
                Some(Value::String(_)) => report.error(REQUEST_PATH_PARAMS, at, "is empty"),
                Some(_) => report.error(REQUEST_PATH_PARAMS, at, "is not a string"),
                None => report.error(REQUEST_PATH_PARAMS, at, "is missing"),
            }
        }
    }
    if let Some(headers) = &request.headers {
        report.ran(REQUEST_CONTENT_TYPE);
        let content_type = headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("content-type"));
        match content_type {
            Some((name, value)) => {
                let media = value.split(';').next().unwrap_or_default().trim();
                if !media.eq_ignore_ascii_case("application/json") {
                    report.error(
                        REQUEST_CONTENT_TYPE,
                        format!("/request/headers/{}", escape_pointer(name)),
                        format!("is {value:?}, the spec requires application/json"),
                    );
                }
            }
            None => report.error(
                REQUEST_CONTENT_TYPE,
                "/request/headers",
                "no Content-Type header; the spec requires application/json",
            ),
        }
    }
    match &request.body {
        Some(body) => schema_findings(
            report,
            REQUEST_SCHEMA,
            &validators.request,
            body,
            "/request/body",
        ),
        None => {
            report.error(
                REQUEST_SCHEMA,
                "/request/body",
                "no body; the spec requires one",
            );
            false
        }
    }
}

/// Checks a response (schema, shape, and for a 200 the kubeconfig checks); returns the body
/// when it is JSON, for the certificate checks (borrowed when the case holds it as JSON).
pub fn check_response<'a>(
    response: &'a ResponsePart,
    validators: &Validators,
    report: &mut Report,
) -> Option<Cow<'a, Value>> {
    report.ran(RESPONSE_STATUS);
    let schema = validators.response(response.status);
    if schema.is_none() {
        let documented: Vec<String> = validators
            .documented_statuses()
            .iter()
            .map(u16::to_string)
            .collect();
        report.error(
            RESPONSE_STATUS,
            "/response/status",
            format!(
                "status {} is not documented (documented: {})",
                response.status,
                documented.join(", ")
            ),
        );
    }

    report.ran(RESPONSE_JSON);
    let body = match (&response.body, &response.body_text) {
        (Some(body), _) => Cow::Borrowed(body),
        (None, Some(text)) => match serde_json::from_str::<Value>(text) {
            Ok(body) => Cow::Owned(body),
            Err(e) => {
                report.error(
                    RESPONSE_JSON,
                    "/response/body_text",
                    format!(
                        "the body is not JSON ({}, at line {} column {})",
                        classify(&e),
                        e.line(),
                        e.column()
                    ),
                );
                return None;
            }
        },
        (None, None) => {
            report.error(
                RESPONSE_JSON,
                "/response",
                "no body; the spec documents a JSON body",
            );
            return None;
        }
    };

    if let Some(schema) = schema {
        schema_findings(report, RESPONSE_SCHEMA, schema, &body, "/response/body");
        report.ran(RESPONSE_UNKNOWN_FIELD);
        schema.each_undeclared_property(&body, &mut |path| {
            report.add(
                RESPONSE_UNKNOWN_FIELD,
                Severity::Note,
                format!("/response/body{path}"),
                "a property the spec does not declare (allowed; clients must ignore it)",
            );
        });
    }
    if response.status == 200 {
        check_kubeconfig(&body, "/response/body", report);
    } else if response.status >= 400 {
        check_error_shape(&body, "/response/body", report);
    }
    Some(body)
}

fn classify(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Eof => "it ends too early",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "data error",
        serde_json::error::Category::Io => "read error",
    }
}

/// `error.shape`: `error_code` + `error_msg`, or `errorCode` + `errorMessage`, as strings.
pub fn check_error_shape(body: &Value, base: &str, report: &mut Report) {
    report.ran(ERROR_SHAPE);
    let has = |key: &str| body.get(key).is_some_and(Value::is_string);
    let underscore = has("error_code") && has("error_msg");
    let camel = has("errorCode") && has("errorMessage");
    if !underscore && !camel {
        report.error(
            ERROR_SHAPE,
            base,
            "an error body must carry error_code and error_msg, or errorCode and errorMessage",
        );
    }
}

/// Every kubeconfig check, on a 200 body. `base` is the body's JSON Pointer in the case.
pub fn check_kubeconfig(body: &Value, base: &str, report: &mut Report) {
    check_kind(body, base, report);
    check_names(body, base, report);
    check_current_context(body, base, report);
    check_context_refs(body, base, report);
    check_external_insecure(body, base, report);
    check_ca_with_insecure(body, base, report);
    check_server_urls(body, base, report);
}

/// The entries of a list field with their index, skipping what is not an object.
fn entries<'a>(body: &'a Value, field: &str) -> impl Iterator<Item = (usize, &'a Value)> {
    body.get(field)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter(|(_, entry)| entry.is_object())
}

fn name_of(entry: &Value) -> Option<&str> {
    entry.get("name").and_then(Value::as_str)
}

/// `kubeconfig.kind` and `kubeconfig.api-version`.
pub fn check_kind(body: &Value, base: &str, report: &mut Report) {
    for (check, field, expected) in [(KIND, "kind", "Config"), (API_VERSION, "apiVersion", "v1")] {
        report.ran(check);
        if let Some(value) = body.get(field).and_then(Value::as_str) {
            if value != expected {
                report.error(
                    check,
                    format!("{base}/{field}"),
                    format!("is {value:?}, must be {expected:?}"),
                );
            }
        }
    }
}

/// `kubeconfig.names`: clusters are `internalCluster` (exactly one) or `externalCluster`,
/// contexts `internal` (exactly one) or `external`, users `user`.
pub fn check_names(body: &Value, base: &str, report: &mut Report) {
    report.ran(NAMES);
    let lists = [
        ("clusters", INTERNAL_CLUSTER, EXTERNAL_CLUSTER),
        ("contexts", INTERNAL_CONTEXT, EXTERNAL_CONTEXT),
    ];
    for (field, internal, external) in lists {
        let mut internals = 0;
        let mut any = false;
        for (index, entry) in entries(body, field) {
            any = true;
            match name_of(entry) {
                Some(name) if name == internal => internals += 1,
                Some(name) if name == external => {}
                Some(name) => report.error(
                    NAMES,
                    format!("{base}/{field}/{index}/name"),
                    format!("is {name:?}, CCE names {field} {internal:?} or {external:?}"),
                ),
                None => {}
            }
        }
        if any && internals != 1 {
            report.error(
                NAMES,
                format!("{base}/{field}"),
                format!("has {internals} entries named {internal:?}, CCE sends exactly one"),
            );
        }
    }
    for (index, entry) in entries(body, "users") {
        if let Some(name) = name_of(entry) {
            if name != USER_NAME {
                report.error(
                    NAMES,
                    format!("{base}/users/{index}/name"),
                    format!("is {name:?}, CCE names its user {USER_NAME:?}"),
                );
            }
        }
    }
}

/// `kubeconfig.current-context`.
pub fn check_current_context(body: &Value, base: &str, report: &mut Report) {
    report.ran(CURRENT_CONTEXT);
    let Some(current) = body.get("current-context").and_then(Value::as_str) else {
        return;
    };
    let at = format!("{base}/current-context");
    let has_external = entries(body, "clusters").any(|(_, c)| name_of(c) == Some(EXTERNAL_CLUSTER));
    let expected = if has_external {
        EXTERNAL_CONTEXT
    } else {
        INTERNAL_CONTEXT
    };
    if current != expected {
        let why = if has_external {
            "there is an externalCluster (the cluster has a public IP)"
        } else {
            "there is no externalCluster (the cluster has no public IP)"
        };
        report.error(
            CURRENT_CONTEXT,
            at.clone(),
            format!("is {current:?}, must be {expected:?} because {why}"),
        );
    }
    if !entries(body, "contexts").any(|(_, c)| name_of(c) == Some(current)) {
        report.error(
            CURRENT_CONTEXT,
            at,
            format!("names context {current:?}, which does not exist"),
        );
    }
}

/// `kubeconfig.context-refs`.
pub fn check_context_refs(body: &Value, base: &str, report: &mut Report) {
    report.ran(CONTEXT_REFS);
    let clusters: Vec<&str> = entries(body, "clusters")
        .filter_map(|(_, c)| name_of(c))
        .collect();
    let users: Vec<&str> = entries(body, "users")
        .filter_map(|(_, u)| name_of(u))
        .collect();
    for (index, entry) in entries(body, "contexts") {
        let Some(context) = entry.get("context") else {
            continue;
        };
        for (field, known) in [("cluster", &clusters), ("user", &users)] {
            if let Some(name) = context.get(field).and_then(Value::as_str) {
                if !known.contains(&name) {
                    report.error(
                        CONTEXT_REFS,
                        format!("{base}/contexts/{index}/context/{field}"),
                        format!("names {field} {name:?}, which does not exist"),
                    );
                }
            }
        }
    }
}

fn insecure(cluster: &Value) -> Option<bool> {
    cluster
        .get("insecure-skip-tls-verify")
        .and_then(Value::as_bool)
}

/// `kubeconfig.external-insecure`.
pub fn check_external_insecure(body: &Value, base: &str, report: &mut Report) {
    report.ran(EXTERNAL_INSECURE);
    for (index, entry) in entries(body, "clusters") {
        if name_of(entry) != Some(EXTERNAL_CLUSTER) {
            continue;
        }
        let Some(cluster) = entry.get("cluster").filter(|c| c.is_object()) else {
            continue;
        };
        let at = format!("{base}/clusters/{index}/cluster/insecure-skip-tls-verify");
        match cluster.get("insecure-skip-tls-verify") {
            Some(Value::Bool(true)) => {}
            Some(Value::Bool(false)) => report.error(
                EXTERNAL_INSECURE,
                at,
                "is false; CCE sets it to true for an externalCluster",
            ),
            Some(_) => {}
            None => report.error(
                EXTERNAL_INSECURE,
                at,
                "is missing; CCE sets it to true for an externalCluster",
            ),
        }
    }
}

/// `kubeconfig.ca-with-insecure` (a warning).
pub fn check_ca_with_insecure(body: &Value, base: &str, report: &mut Report) {
    report.ran(CA_WITH_INSECURE);
    for (index, entry) in entries(body, "clusters") {
        let Some(cluster) = entry.get("cluster") else {
            continue;
        };
        let has_ca = cluster
            .get("certificate-authority-data")
            .and_then(Value::as_str)
            .is_some_and(|ca| !ca.is_empty());
        if has_ca && insecure(cluster) == Some(true) {
            report.add(
                CA_WITH_INSECURE,
                Severity::Warning,
                format!("{base}/clusters/{index}/cluster"),
                "has certificate-authority-data and insecure-skip-tls-verify: true; kubectl \
                 refuses this pair (specifying a root certificates file with the insecure flag \
                 is not allowed)",
            );
        }
    }
}

/// `kubeconfig.server-url`.
pub fn check_server_urls(body: &Value, base: &str, report: &mut Report) {
    report.ran(SERVER_URL);
    for (index, entry) in entries(body, "clusters") {
        let Some(server) = entry
            .get("cluster")
            .and_then(|c| c.get("server"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        if let Err(problem) = server_url_problem(server) {
            report.error(
                SERVER_URL,
                format!("{base}/clusters/{index}/cluster/server"),
                problem,
            );
        }
    }
}

/// Whether a server address is `https://host:port`; the problem in words when not.
///
/// ```
/// use clustercert_conformance::checks::server_url_problem;
/// assert!(server_url_problem("https://192.168.1.7:5443").is_ok());
/// assert!(server_url_problem("http://192.168.1.7:5443").is_err());
/// assert!(server_url_problem("https://192.168.1.7").is_err());
/// ```
pub fn server_url_problem(server: &str) -> Result<(), String> {
    let url = url::Url::parse(server).map_err(|e| format!("{server:?} is not a URL ({e})"))?;
    if url.scheme() != "https" {
        return Err(format!("{server:?} is not https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("{server:?} has no host"));
    }
    // `Url` drops a port equal to the scheme's default, so `:443` is looked for in the text.
    let explicit_default = server
        .strip_prefix("https://")
        .and_then(|rest| rest.split(['/', '?', '#']).next())
        .is_some_and(|authority| authority.ends_with(":443"));
    if url.port().is_none() && !explicit_default {
        return Err(format!("{server:?} has no port"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn internal() -> Value {
        json!({
            "kind": "Config", "apiVersion": "v1", "preferences": {},
            "clusters": [{"name": "internalCluster", "cluster": {"server": "https://192.168.1.7:5443", "certificate-authority-data": "Q0E="}}],
            "users": [{"name": "user", "user": {"client-certificate-data": "x", "client-key-data": "y"}}],
            "contexts": [{"name": "internal", "context": {"cluster": "internalCluster", "user": "user"}}],
            "current-context": "internal"
        })
    }

    fn external() -> Value {
        let mut body = internal();
        body["clusters"].as_array_mut().unwrap().push(json!({"name": "externalCluster", "cluster": {"server": "https://203.0.113.10:5443", "insecure-skip-tls-verify": true}}));
        body["contexts"].as_array_mut().unwrap().push(
            json!({"name": "external", "context": {"cluster": "externalCluster", "user": "user"}}),
        );
        body["current-context"] = json!("external");
        body
    }

    fn run(
        check: fn(&Value, &str, &mut Report),
        body: &Value,
    ) -> Vec<(&'static str, Severity, String)> {
        let mut report = Report::new();
        check(body, "", &mut report);
        report
            .findings()
            .iter()
            .map(|f| (f.check, f.severity, f.path.clone()))
            .collect()
    }

    #[test]
    fn good_kubeconfigs_pass_every_check() {
        for body in [internal(), external()] {
            let mut report = Report::new();
            check_kubeconfig(&body, "", &mut report);
            assert_eq!(report.findings(), &[], "{body}");
        }
    }

    #[test]
    fn kind_and_api_version_values() {
        let mut body = internal();
        body["kind"] = json!("Secret");
        body["apiVersion"] = json!("v2");
        assert_eq!(
            run(check_kind, &body),
            vec![
                (KIND, Severity::Error, "/kind".into()),
                (API_VERSION, Severity::Error, "/apiVersion".into())
            ]
        );
        body["kind"] = json!(7);
        body.as_object_mut().unwrap().remove("apiVersion");
        assert_eq!(
            run(check_kind, &body),
            vec![],
            "the schema reports wrong types"
        );
    }

    #[test]
    fn names_must_be_the_ones_cce_uses() {
        let mut body = external();
        body["clusters"][1]["name"] = json!("public");
        body["users"][0]["name"] = json!("admin");
        body["contexts"][0]["name"] = json!("external");
        assert_eq!(
            run(check_names, &body),
            vec![
                (NAMES, Severity::Error, "/clusters/1/name".into()),
                (NAMES, Severity::Error, "/contexts".into()),
                (NAMES, Severity::Error, "/users/0/name".into()),
            ]
        );
    }

    #[test]
    fn current_context_follows_the_external_cluster() {
        let mut body = external();
        body["current-context"] = json!("internal");
        assert_eq!(
            run(check_current_context, &body),
            vec![(CURRENT_CONTEXT, Severity::Error, "/current-context".into())]
        );
        let mut body = internal();
        body["current-context"] = json!("external");
        // Wrong for an internal-only cluster, and no such context either.
        assert_eq!(run(check_current_context, &body).len(), 2);
    }

    #[test]
    fn current_context_must_name_an_existing_context() {
        let mut body = external();
        body["contexts"].as_array_mut().unwrap().pop();
        let mut report = Report::new();
        check_current_context(&body, "", &mut report);
        assert_eq!(report.findings().len(), 1);
        assert!(report.findings()[0].message.contains("does not exist"));
    }

    #[test]
    fn contexts_must_name_existing_clusters_and_users() {
        let mut body = external();
        body["contexts"][1]["context"]["cluster"] = json!("elsewhere");
        body["contexts"][0]["context"]["user"] = json!("nobody");
        assert_eq!(
            run(check_context_refs, &body),
            vec![
                (
                    CONTEXT_REFS,
                    Severity::Error,
                    "/contexts/0/context/user".into()
                ),
                (
                    CONTEXT_REFS,
                    Severity::Error,
                    "/contexts/1/context/cluster".into()
                ),
            ]
        );
    }

    #[test]
    fn external_cluster_must_skip_tls_verify() {
        let mut body = external();
        body["clusters"][1]["cluster"]["insecure-skip-tls-verify"] = json!(false);
        assert_eq!(
            run(check_external_insecure, &body),
            vec![(
                EXTERNAL_INSECURE,
                Severity::Error,
                "/clusters/1/cluster/insecure-skip-tls-verify".into()
            )]
        );
        body["clusters"][1]["cluster"]
            .as_object_mut()
            .unwrap()
            .remove("insecure-skip-tls-verify");
        assert_eq!(run(check_external_insecure, &body).len(), 1);
    }

    #[test]
    fn ca_data_with_insecure_is_a_warning() {
        let mut body = external();
        assert_eq!(run(check_ca_with_insecure, &body), vec![]);
        body["clusters"][1]["cluster"]["certificate-authority-data"] = json!("Q0E=");
        assert_eq!(
            run(check_ca_with_insecure, &body),
            vec![(
                CA_WITH_INSECURE,
                Severity::Warning,
                "/clusters/1/cluster".into()
            )]
        );
    }

    #[test]
    fn server_urls_are_https_with_host_and_port() {
        assert!(server_url_problem("https://cce.example.com:443").is_ok());
        assert!(server_url_problem("https://[2001:db8::1]:5443/").is_ok());
        for bad in [
            "http://1.2.3.4:5443",
            "https://1.2.3.4",
            "1.2.3.4:5443",
            "https://:5443",
            "not a url",
        ] {
            assert!(server_url_problem(bad).is_err(), "{bad}");
        }
        let mut body = internal();
        body["clusters"][0]["cluster"]["server"] = json!("http://192.168.1.7:5443");
        assert_eq!(
            run(check_server_urls, &body),
            vec![(
                SERVER_URL,
                Severity::Error,
                "/clusters/0/cluster/server".into()
            )]
        );
    }

    #[test]
    fn error_bodies_need_one_of_the_two_shapes() {
        for good in [
            json!({"error_code": "CCE.01400001", "error_msg": "bad"}),
            json!({"errorCode": "CCE.01400001", "errorMessage": "bad", "message": "more"}),
        ] {
            let mut report = Report::new();
            check_error_shape(&good, "/b", &mut report);
            assert!(!report.has_errors(), "{good}");
        }
        for bad in [
            json!({"error_code": "CCE.01400001"}),
            json!({"errorCode": "x", "error_msg": "y"}),
            json!(null),
            json!({"errorCode": 1, "errorMessage": "m"}),
        ] {
            let mut report = Report::new();
            check_error_shape(&bad, "/b", &mut report);
            assert_eq!(report.findings().len(), 1, "{bad}");
            assert_eq!(report.findings()[0].path, "/b");
        }
    }
}
