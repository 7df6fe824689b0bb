//! Secrets never print: the SK, tokens and the response's `client-key-data` appear in no
//! `Debug` (or `Display`) output of the client, its builder, the credentials, a response or
//! any error, and the key stays reachable through `expose_secret()`.

#![forbid(unsafe_code)]

mod client_support;

use std::time::Duration;

use client_support::{refused_url, request, serve, Reply, DOCUMENTED};
use clustercert::runtime::{Credentials, CredentialsError, RetryPolicy};
use clustercert::{Client, Error};

const SK: &str = "SK-9f8e7d6c5b4a-do-not-print";
const TOKEN: &str = "TOKEN-MIIZ-do-not-print";
const SECURITY_TOKEN: &str = "STS-gQpjbi1-do-not-print";
const KEY: &str = "LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t-do-not-print";

fn assert_clean(what: &str, text: &str) {
    for secret in [SK, TOKEN, SECURITY_TOKEN, KEY] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

fn with_key() -> String {
    DOCUMENTED.replace("LS0tLS1CRUdJTi******BLRVktLS0tLQo=", KEY)
}

fn builder(url: &str) -> clustercert::runtime::ClientBuilder<Client> {
    Client::builder()
        .endpoint(url)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_secs(20))
}

#[tokio::test]
async fn nothing_prints_a_secret() {
    let server = serve(vec![Reply::json(200, with_key()).header("port-id", "p-1")]).await;
    let mut shown: Vec<(String, String)> = Vec::new();
    let mut show = |what: &str, text: String| shown.push((what.to_owned(), text));

    // Credentials of every kind, and builders and clients holding them.
    let kinds = [
        Credentials::token(TOKEN),
        Credentials::ak_sk("AK", SK, "proj"),
        Credentials::temporary("AK", SK, SECURITY_TOKEN, "proj"),
    ];
    for credentials in kinds {
        show("credentials", format!("{credentials:?}"));
        show(
            "builder",
            format!(
                "{:?}",
                builder(&server.url).credentials(credentials.clone())
            ),
        );
        let client = builder(&server.url)
            .credentials(credentials)
            .build()
            .expect("client builds");
        show("client", format!("{client:?}"));
        show("client (pretty)", format!("{client:#?}"));
    }
    show(
        "builder with token",
        format!("{:?}", builder("http://h").token(TOKEN)),
    );

    // A response that holds the key.
    let client = builder(&server.url)
        .credentials(Credentials::temporary("AK", SK, SECURITY_TOKEN, "proj"))
        .build()
        .expect("client builds");
    let response = client
        .create_kubernetes_cluster_cert(&request())
        .await
        .expect("200");
    assert_eq!(
        response.body.users[0].user.client_key_data.expose_secret(),
        KEY
    );
    show("response", format!("{response:?}"));
    show("response (pretty)", format!("{response:#?}"));
    show("kubeconfig", format!("{:?}", response.body));

    // The raw response, whose body holds the key.
    let raw = client
        .transport()
        .send(clustercert::runtime::OperationRequest {
            operation: "Raw",
            method: http::Method::POST,
            path: "/x".to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Some(b"{}".to_vec()),
        })
        .await
        .expect("sent");
    assert!(raw.body.windows(KEY.len()).any(|w| w == KEY.as_bytes()));
    show("raw response", format!("{raw:?}"));

    // Every error variant, each produced by a client that holds secrets.
    let mut errors: Vec<Error> = Vec::new();
    errors.push(Error::InvalidInput("x".to_owned()));
    let mut bad = request();
    bad.project_id = "..".to_owned();
    errors.push(
        client
            .create_kubernetes_cluster_cert(&bad)
            .await
            .expect_err("invalid input"),
    );
    errors.push(Error::from(
        Credentials::from_lookup(|name| (name == "HUAWEICLOUD_SDK_SK").then(|| SK.to_owned()))
            .expect_err("half set"),
    ));
    errors.push(Error::Credentials(CredentialsError::Ambiguous));
    let refused = builder(&refused_url().await)
        .credentials(Credentials::temporary("AK", SK, SECURITY_TOKEN, "proj"))
        .build()
        .expect("client builds");
    errors.push(
        refused
            .create_kubernetes_cluster_cert(&request())
            .await
            .expect_err("refused"),
    );
    let script = serve(vec![
        Reply::json(401, r#"{"error_code":"CCE.01401001","error_msg":"no"}"#),
        Reply::json(200, with_key().replace("\"internal\"\n}", "5\n}")),
        Reply::json(
            200,
            with_key().replace("\"user\" : {", "\"user\" : 1, \"x\": {"),
        ),
        Reply::json(200, with_key().repeat(2_000)),
        Reply::documented().delayed(Duration::from_secs(30)),
    ])
    .await;
    for timeout in [20_000, 20_000, 20_000, 20_000, 200] {
        let client = builder(&script.url)
            .credentials(Credentials::token(TOKEN))
            .timeout(Duration::from_millis(timeout))
            .build()
            .expect("client builds");
        errors.push(
            client
                .create_kubernetes_cluster_cert(&request())
                .await
                .expect_err("scripted failure"),
        );
    }
    let kinds: Vec<&str> = errors
        .iter()
        .map(|e| match e {
            Error::InvalidInput(_) => "InvalidInput",
            Error::Credentials(_) => "Credentials",
            Error::Transport { .. } => "Transport",
            Error::Api { .. } => "Api",
            Error::ResponseMismatch { .. } => "ResponseMismatch",
            Error::BodyTooLarge { .. } => "BodyTooLarge",
            _ => "other",
        })
        .collect();
    for kind in [
        "InvalidInput",
        "Credentials",
        "Transport",
        "Api",
        "ResponseMismatch",
        "BodyTooLarge",
    ] {
        assert!(kinds.contains(&kind), "no {kind} among {kinds:?}");
    }
    for error in &errors {
        show("error", format!("{error:?}"));
        show("error (display)", error.to_string());
    }

    assert!(shown.len() > 20);
    for (what, text) in &shown {
        assert_clean(what, text);
    }
    // The redaction marker is what shows instead.
    assert!(shown
        .iter()
        .any(|(what, text)| what == "response" && text.contains("[REDACTED]")));
    assert!(shown
        .iter()
        .any(|(what, text)| what == "client" && text.contains("[REDACTED]")));
}

/// An undocumented success status whose body is the kubeconfig: the key reaches no error.
#[tokio::test]
async fn a_kubeconfig_under_an_undocumented_status_stays_out_of_the_error() {
    let yaml =
        format!("apiVersion: v1\nkind: Config\nusers:\n- user:\n    client-key-data: {KEY}\n");
    let server = serve(vec![
        Reply::json(201, with_key()),
        Reply::json(202, with_key()),
        Reply::json(400, with_key()),
        Reply::json(502, yaml),
    ])
    .await;
    let client = builder(&server.url)
        .credentials(Credentials::token(TOKEN))
        .build()
        .expect("client builds");
    for status in [201, 202, 400, 502] {
        let error = client
            .create_kubernetes_cluster_cert(&request())
            .await
            .expect_err("not the documented 200");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        let Error::Api { body, .. } = &error else {
            panic!("{error:?}");
        };
        assert_clean("error body", body);
        assert_clean("error", &format!("{error:?}"));
        assert_clean("error (pretty)", &format!("{error:#?}"));
        assert_clean("error (display)", &error.to_string());
        if status >= 300 {
            // What is not secret is kept.
            assert!(
                body.contains("[REDACTED]") && body.contains("Config"),
                "{body}"
            );
        }
    }
    assert_eq!(server.requests().len(), 4);
}
