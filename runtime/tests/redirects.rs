//! Credentials never leave the endpoint's host: a redirect to another host (here another
//! port of 127.0.0.1, which is another origin) is never followed, whatever the credentials
//! and whatever HTTP client the transport was given, and the error shows the status and the
//! `Location`.

mod support;

use clustercert_runtime::{
    ClientBuilder, Credentials, Error, OperationRequest, RetryPolicy, Transport,
};
use http::Method;
use support::{serve_always, Reply};

const SECRETS: [&str; 3] = ["TOKEN-SECRET", "SK-SECRET", "SECURITY-TOKEN-SECRET"];

fn modes() -> [(&'static str, Credentials); 3] {
    [
        ("token", Credentials::token("TOKEN-SECRET")),
        ("ak/sk", Credentials::ak_sk("AK1", "SK-SECRET", "project-1")),
        (
            "temporary ak/sk",
            Credentials::temporary("AK1", "SK-SECRET", "SECURITY-TOKEN-SECRET", "project-1"),
        ),
    ]
}

/// The headers that carry credentials, or that a secret header parameter uses.
const CREDENTIAL_HEADERS: [&str; 4] = [
    "x-auth-token",
    "x-security-token",
    "authorization",
    "x-subject-token",
];

fn request() -> OperationRequest {
    OperationRequest {
        operation: "CreateThing",
        method: Method::POST,
        path: "/v3/projects/p/things".to_owned(),
        query: Vec::new(),
        // A header parameter the runtime treats as secret travels with the request too.
        headers: vec![("X-Subject-Token", "SUBJECT-SECRET".to_owned())],
        body: Some(br#"{"duration":30}"#.to_vec()),
    }
}

/// How the transport gets its HTTP client.
#[derive(Debug, Clone, Copy)]
enum Http {
    /// The one the runtime builds.
    Own,
    /// A caller's builder that asks to follow redirects: the runtime turns that off.
    FollowingBuilder,
    /// A caller's client built not to follow redirects.
    NonFollowingClient,
}

fn transport(endpoint: &str, credentials: Credentials, http: Http) -> Transport {
    let builder = ClientBuilder::<Transport>::new()
        .endpoint(endpoint)
        .credentials(credentials)
        .retry(RetryPolicy::default().retry_ambiguous(true));
    let builder = match http {
        Http::Own => builder,
        Http::FollowingBuilder => builder.http_client_builder(
            reqwest::Client::builder().redirect(reqwest::redirect::Policy::limited(10)),
        ),
        Http::NonFollowingClient => builder.http_client(
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        ),
    };
    builder.build().unwrap()
}

#[tokio::test]
async fn no_credential_header_reaches_another_host_for_any_redirect() {
    let other = serve_always(Reply::json(200, "{}")).await;
    for status in [301, 302, 303, 307, 308] {
        let location = format!("http://{}/landing", other.addr);
        let endpoint = serve_always(Reply::status(status).header("location", &location)).await;
        for (mode, credentials) in modes() {
            for http in [Http::Own, Http::FollowingBuilder, Http::NonFollowingClient] {
                let case = format!("{status} {mode} {http:?}");
                let t = transport(&endpoint.url(), credentials.clone(), http);
                let err = t.send(request()).await.expect_err(&case);
                match &err {
                    Error::Api { status: got, .. } => assert_eq!(got.as_u16(), status, "{case}"),
                    other => panic!("{case}: {other:?}"),
                }
                let text = err.to_string();
                assert!(text.contains(&status.to_string()), "{case}: {text}");
                assert!(
                    text.contains(&format!("redirect to {location} not followed")),
                    "{case}: {text}"
                );
                for secret in SECRETS.iter().chain(&["SUBJECT-SECRET"]) {
                    assert!(!text.contains(secret), "{case}: {text}");
                }
                assert_eq!(err.attempts(), 1, "{case}: a redirect is not retried");
            }
        }
        // Nothing at all reached the other host, so no credential header did.
        assert_eq!(other.count(), 0, "{status}: {:?}", other.received());
        // The endpoint itself got the credentials, in every mode (so the test would notice
        // a run that sent none).
        let at_endpoint = endpoint.received();
        assert_eq!(at_endpoint.len(), 3 * 3, "{status}");
        for request in &at_endpoint {
            assert!(
                CREDENTIAL_HEADERS
                    .iter()
                    .any(|name| name != &"x-subject-token" && request.header(name).is_some()),
                "{status}: {request:?}"
            );
            assert_eq!(request.header("x-subject-token"), Some("SUBJECT-SECRET"));
        }
    }
    for request in other.received() {
        for name in CREDENTIAL_HEADERS {
            assert!(request.header(name).is_none(), "{request:?}");
        }
    }
}

#[tokio::test]
async fn a_location_with_secrets_is_shown_without_them() {
    let endpoint = serve_always(Reply::status(307).header(
        "location",
        "https://user:PASSWORD@elsewhere.example/login?token=QUERY-SECRET#frag",
    ))
    .await;
    let t = transport(
        &endpoint.url(),
        Credentials::token("TOKEN-SECRET"),
        Http::Own,
    );
    let text = t.send(request()).await.unwrap_err().to_string();
    assert!(
        text.contains("307") && text.contains("redirect to https://elsewhere.example/login "),
        "{text}"
    );
    for secret in ["PASSWORD", "QUERY-SECRET", "TOKEN-SECRET", "frag"] {
        assert!(!text.contains(secret), "{text}");
    }
}

#[tokio::test]
async fn a_redirect_without_location_is_an_api_error_too() {
    let endpoint = serve_always(Reply::status(302)).await;
    let t = transport(&endpoint.url(), Credentials::token("t"), Http::Own);
    let err = t.send(request()).await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(302));
    assert!(
        err.to_string().contains("without a readable Location"),
        "{err}"
    );
    assert_eq!(endpoint.count(), 1);
}

#[test]
fn a_caller_client_that_follows_redirects_is_refused() {
    for client in [
        reqwest::Client::new(),
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::limited(3))
            .build()
            .unwrap(),
    ] {
        let err = ClientBuilder::<Transport>::new()
            .endpoint("http://127.0.0.1:1")
            .token("t")
            .http_client(client)
            .build()
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidInput(m) if m.contains("follows redirects")),
            "{err}"
        );
    }
}
