//! The provider chain: profile files (both sections, missing keys named, hostile files), a
//! fake ECS metadata server on 127.0.0.1 (token step, securitykey, expiry and refresh, one
//! refresh for concurrent calls, server down), precedence environment > file > metadata, a
//! transport that uses refreshed credentials, and no secret in any `Debug`. No test contacts
//! the real metadata address: every `MetadataProvider` here is pointed at a local server.

mod support;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use clustercert_runtime::provider::{
    EnvProvider, MetadataProvider, ProfileProvider, ProvideCredentials, ProviderChain, Section,
    ENV_CREDENTIALS_FILE,
};
use clustercert_runtime::{
    ClientBuilder, Credentials, CredentialsError, Error, OperationRequest, RetryPolicy, Transport,
};
use support::{refused_addr, serve, serve_always, Received, Reply};
use time::OffsetDateTime;

const SECRETS: [&str; 4] = ["SK-SECRET", "TOKEN-SECRET", "META-SK", "META-TOKEN"];

fn assert_no_secret(text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

fn profile(dir: &Path, text: &str, mode: u32) -> PathBuf {
    let path = dir.join("credentials");
    std::fs::write(&path, text).unwrap();
    set_mode(&path, mode);
    path
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) {}

const BOTH_SECTIONS: &str = "\
# written by hand
[basic]
AK = AK-BASIC
sk: SK-SECRET
project_id = project-1
security_token = TOKEN-SECRET
  continued

; the global one
[global]
ak = AK-GLOBAL
sk = SK-SECRET
domain_id = domain-1
";

#[test]
fn a_profile_file_gives_basic_and_global_credentials() {
    let dir = tempfile::tempdir().unwrap();
    let path = profile(dir.path(), BOTH_SECTIONS, 0o600);

    let basic = ProfileProvider::from_path(&path, Section::Basic)
        .read()
        .unwrap();
    assert_eq!(
        basic.credentials,
        Credentials::temporary(
            "AK-BASIC",
            "SK-SECRET",
            "TOKEN-SECRET\ncontinued",
            "project-1"
        )
    );
    assert_eq!(
        basic.source,
        format!("profile file {} [basic]", path.display())
    );
    assert!(basic.warnings.is_empty(), "{:?}", basic.warnings);

    let global = ProfileProvider::from_path(&path, Section::Global)
        .read()
        .unwrap();
    match &global.credentials {
        Credentials::GlobalAkSk {
            access_key,
            secret_key,
            domain_id,
            security_token,
        } => {
            assert_eq!(access_key, "AK-GLOBAL");
            assert_eq!(secret_key.expose_secret(), "SK-SECRET");
            assert_eq!(domain_id, "domain-1");
            assert!(security_token.is_none());
        }
        other => panic!("{other:?}"),
    }
    for text in [format!("{basic:?}"), format!("{global:?}")] {
        assert_no_secret(&text);
        assert!(text.contains("AK-"), "{text}");
    }
}

#[test]
fn missing_keys_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = profile(
        dir.path(),
        "[basic]\nak = A\n\n[global]\nak = A\nsk = SK-SECRET\ndomain_id =\n",
        0o600,
    );
    let err = ProfileProvider::from_path(&path, Section::Basic)
        .read()
        .unwrap_err();
    assert!(matches!(err, CredentialsError::Invalid(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        format!(
            "profile file {}: [basic]: missing sk, project_id",
            path.display()
        )
    );
    let err = ProfileProvider::from_path(&path, Section::Global)
        .read()
        .unwrap_err();
    assert!(
        err.to_string().ends_with("[global]: missing domain_id"),
        "{err}"
    );
    assert_no_secret(&format!("{err:?} {err}"));
}

#[test]
fn a_missing_file_or_section_is_not_found_naming_where() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nothing-here");
    let err = ProfileProvider::from_path(&missing, Section::Basic)
        .read()
        .unwrap_err();
    assert_eq!(
        err,
        CredentialsError::NotFound {
            looked: vec![format!(
                "profile file {}: does not exist",
                missing.display()
            )]
        }
    );
    let path = profile(dir.path(), "[basic]\nak=a\nsk=s\nproject_id=p\n", 0o600);
    let err = ProfileProvider::from_path(&path, Section::Global)
        .read()
        .unwrap_err();
    assert!(
        matches!(&err, CredentialsError::NotFound { looked } if looked[0].ends_with("no [global] section")),
        "{err:?}"
    );
}

#[test]
fn the_file_comes_from_the_environment_or_the_home_directory() {
    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| std::ffi::OsString::from(v))
        }
    };
    let p = ProfileProvider::with_lookup(
        Section::Basic,
        env(&[(ENV_CREDENTIALS_FILE, "/etc/cc"), ("HOME", "/home/u")]),
    );
    assert_eq!(p.path(), Some(Path::new("/etc/cc")));
    let p = ProfileProvider::with_lookup(Section::Basic, env(&[("HOME", "/home/u")]));
    assert_eq!(
        p.path(),
        Some(Path::new("/home/u/.huaweicloud/credentials"))
    );
    let p = ProfileProvider::with_lookup(Section::Basic, env(&[]));
    assert_eq!(p.path(), None);
    assert!(matches!(
        p.read().unwrap_err(),
        CredentialsError::NotFound { .. }
    ));
}

#[cfg(unix)]
#[test]
fn a_file_others_can_read_gets_a_warning_returned_not_printed() {
    let dir = tempfile::tempdir().unwrap();
    let path = profile(dir.path(), BOTH_SECTIONS, 0o644);
    let provided = ProfileProvider::from_path(&path, Section::Basic)
        .read()
        .unwrap();
    assert_eq!(provided.warnings.len(), 1, "{:?}", provided.warnings);
    let warning = &provided.warnings[0];
    assert!(
        warning.contains(&path.display().to_string())
            && warning.contains("0644")
            && warning.contains("chmod 600"),
        "{warning}"
    );
    assert_no_secret(warning);
    set_mode(&path, 0o640);
    let provided = ProfileProvider::from_path(&path, Section::Basic)
        .read()
        .unwrap();
    assert_eq!(provided.warnings.len(), 1);
}

#[test]
fn hostile_profile_files_are_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&[u8], &str); 6] = [
        (b"ak = a\n[basic]\n", "line 1: a key before any [section]"),
        (b"[basic\nak = a\n", "line 1: a section header without ']'"),
        (
            b"[basic]\nak = a\nAK = b\n",
            "line 3: key ak appears twice in [basic]",
        ),
        (
            b"[basic]\n[basic]\n",
            "line 2: section [basic] appears twice",
        ),
        (b"[basic]\njust words\n", "line 2: not 'key = value'"),
        (b"[basic]\nak = \xff\n", "is not UTF-8"),
    ];
    for (text, expected) in cases {
        let path = dir.path().join("c");
        std::fs::write(&path, text).unwrap();
        let err = ProfileProvider::from_path(&path, Section::Basic)
            .read()
            .unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, CredentialsError::Invalid(_)), "{message}");
        assert!(message.ends_with(expected), "{message}");
        assert!(!message.contains('\n'), "{message}");
    }
    let big = dir.path().join("big");
    let mut text = b"[basic]\n".to_vec();
    text.extend(std::iter::repeat_n(b'#', 100 * 1024));
    std::fs::write(&big, text).unwrap();
    let err = ProfileProvider::from_path(&big, Section::Basic)
        .read()
        .unwrap_err();
    assert!(err.to_string().contains("larger than 65536 bytes"), "{err}");
    // A directory (or a device) is refused before anything is read.
    let err = ProfileProvider::from_path(dir.path(), Section::Basic)
        .read()
        .unwrap_err();
    assert!(err.to_string().ends_with("is not a regular file"), "{err}");
    #[cfg(unix)]
    {
        let err = ProfileProvider::from_path("/dev/zero", Section::Basic)
            .read()
            .unwrap_err();
        assert!(err.to_string().ends_with("is not a regular file"), "{err}");
        // A FIFO is refused without waiting for a writer.
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let err = ProfileProvider::from_path(&fifo, Section::Basic)
                .read()
                .unwrap_err();
            assert!(err.to_string().ends_with("is not a regular file"), "{err}");
        }
        // A symlink to a device is followed and refused the same way.
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let err = ProfileProvider::from_path(&link, Section::Basic)
            .read()
            .unwrap_err();
        assert!(err.to_string().ends_with("is not a regular file"), "{err}");
    }
}

// ------------------------------------------------------------------------------------------
// Instance metadata

fn expires_in(after: Duration) -> String {
    let at = OffsetDateTime::now_utc() + after;
    at.format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    ))
    .unwrap()
}

/// A fake metadata server: session tokens `META-TOKEN-{n}`, credentials `META-AK-{n}` valid
/// for `lifetime` (the n-th securitykey answer), and counts of each request.
struct FakeMetadata {
    server: support::Server,
    puts: Arc<AtomicUsize>,
    gets: Arc<AtomicUsize>,
}

#[derive(Clone, Copy)]
struct Behaviour {
    lifetime: Duration,
    /// Answer the token request with this status (200 gives a token).
    token_status: u16,
    /// Answer the first securitykey request with 401.
    first_get_unauthorized: bool,
    /// Wait this long before answering securitykey (to overlap concurrent calls).
    delay: Duration,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            lifetime: Duration::from_secs(2 * 3600),
            token_status: 200,
            first_get_unauthorized: false,
            delay: Duration::ZERO,
        }
    }
}

async fn fake_metadata(behaviour: Behaviour) -> FakeMetadata {
    let puts = Arc::new(AtomicUsize::new(0));
    let gets = Arc::new(AtomicUsize::new(0));
    let (p, g) = (puts.clone(), gets.clone());
    let server = serve(move |request: &Received, _| {
        match (request.method.as_str(), request.target.as_str()) {
            ("PUT", "/meta-data/latest/api/token") => {
                assert_eq!(
                    request.header("x-metadata-token-ttl-seconds"),
                    Some("21600")
                );
                let n = p.fetch_add(1, Ordering::SeqCst) + 1;
                if behaviour.token_status == 200 {
                    Reply::json(200, &format!("META-TOKEN-{n}"))
                } else {
                    Reply::status(behaviour.token_status)
                }
            }
            ("GET", "/openstack/latest/securitykey") => {
                let n = g.fetch_add(1, Ordering::SeqCst) + 1;
                if behaviour.delay > Duration::ZERO {
                    std::thread::sleep(behaviour.delay);
                }
                let expected_token = (behaviour.token_status == 200)
                    .then(|| format!("META-TOKEN-{}", p.load(Ordering::SeqCst)));
                if request.header("x-metadata-token").map(str::to_owned) != expected_token
                    || (behaviour.first_get_unauthorized && n == 1)
                {
                    return Reply::json(401, r#"{"error":"token"}"#);
                }
                Reply::json(
                    200,
                    &format!(
                        r#"{{"credential":{{"access":"META-AK-{n}","secret":"META-SK-{n}","securitytoken":"META-TOKEN-ST-{n}","expires_at":"{}"}}}}"#,
                        expires_in(behaviour.lifetime)
                    ),
                )
            }
            _ => Reply::status(404),
        }
    })
    .await;
    FakeMetadata { server, puts, gets }
}

impl FakeMetadata {
    fn provider(&self) -> MetadataProvider {
        MetadataProvider::new("project-9").endpoint(self.server.url())
    }
    fn counts(&self) -> (usize, usize) {
        (
            self.puts.load(Ordering::SeqCst),
            self.gets.load(Ordering::SeqCst),
        )
    }
}

#[tokio::test]
async fn metadata_token_then_securitykey_then_cached_until_near_expiry() {
    let fake = fake_metadata(Behaviour::default()).await;
    let provider = fake.provider();
    let provided = provider.read().await.unwrap();
    assert_eq!(
        provided.credentials,
        Credentials::temporary("META-AK-1", "META-SK-1", "META-TOKEN-ST-1", "project-9")
    );
    assert_eq!(
        provided.source,
        format!("instance metadata {}", fake.server.url())
    );
    assert_eq!(fake.counts(), (1, 1));
    // Valid for two hours, refreshed 40 min before: kept.
    for _ in 0..3 {
        let again = provider.read().await.unwrap();
        assert_eq!(again.credentials, provided.credentials);
    }
    assert_eq!(fake.counts(), (1, 1));
    assert_no_secret(&format!("{provider:?} {provided:?}"));
}

#[tokio::test]
async fn credentials_close_to_expiry_are_refreshed_with_the_same_session_token() {
    let fake = fake_metadata(Behaviour {
        lifetime: Duration::from_secs(10 * 60),
        ..Behaviour::default()
    })
    .await;
    let provider = fake.provider();
    let first = provider.read().await.unwrap();
    let second = provider.read().await.unwrap();
    assert_ne!(first.credentials, second.credentials);
    assert!(format!("{:?}", second.credentials).contains("META-AK-2"));
    assert_eq!(fake.counts(), (1, 2));
    // A smaller margin keeps them.
    let provider = fake.provider().refresh_before(Duration::from_secs(60));
    provider.read().await.unwrap();
    provider.read().await.unwrap();
    assert_eq!(fake.counts(), (2, 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_make_one_refresh() {
    let fake = fake_metadata(Behaviour {
        lifetime: Duration::from_secs(10 * 60),
        delay: Duration::from_millis(100),
        ..Behaviour::default()
    })
    .await;
    let provider = Arc::new(fake.provider().refresh_before(Duration::from_secs(5 * 60)));
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let provider = provider.clone();
            tokio::spawn(async move { provider.read().await })
        })
        .collect();
    for call in calls {
        let provided = call.await.unwrap().unwrap();
        assert!(format!("{:?}", provided.credentials).contains("META-AK-1"));
    }
    assert_eq!(
        fake.counts(),
        (1, 1),
        "one token, one securitykey for 16 calls"
    );
}

#[tokio::test]
async fn a_server_without_session_tokens_is_asked_without_one() {
    for status in [404, 405, 503] {
        let fake = fake_metadata(Behaviour {
            token_status: status,
            ..Behaviour::default()
        })
        .await;
        let provided = fake.provider().read().await.unwrap();
        assert!(format!("{:?}", provided.credentials).contains("META-AK-1"));
        let get = fake
            .server
            .received()
            .into_iter()
            .find(|r| r.method == "GET")
            .unwrap();
        assert_eq!(get.header("x-metadata-token"), None, "{status}");
    }
    let fake = fake_metadata(Behaviour {
        token_status: 500,
        ..Behaviour::default()
    })
    .await;
    let err = fake.provider().read().await.unwrap_err();
    assert!(
        matches!(&err, CredentialsError::Invalid(m) if m.ends_with("the token request answered status 500")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_401_gets_a_new_session_token_and_one_more_try() {
    let fake = fake_metadata(Behaviour {
        first_get_unauthorized: true,
        ..Behaviour::default()
    })
    .await;
    let provided = fake.provider().read().await.unwrap();
    assert!(format!("{:?}", provided.credentials).contains("META-AK-2"));
    assert_eq!(fake.counts(), (2, 2));
}

#[tokio::test]
async fn bad_metadata_answers_are_clear_errors() {
    for (body, expected) in [
        ("not json", "securitykey answer is not JSON"),
        (r#"{"other":1}"#, "has no 'credential' object"),
        (
            r#"{"credential":{"access":"a","secret":"META-SK","expires_at":"2030-01-01T00:00:00.000000Z"}}"#,
            "has no credential.securitytoken",
        ),
        (
            r#"{"credential":{"access":"a","secret":"META-SK","securitytoken":"META-TOKEN","expires_at":"tomorrow"}}"#,
            "credential.expires_at that is not an RFC 3339 time",
        ),
    ] {
        let server = serve(move |request: &Received, _| match request.method.as_str() {
            "PUT" => Reply::status(404),
            _ => Reply::json(200, body),
        })
        .await;
        let err = MetadataProvider::new("p")
            .endpoint(server.url())
            .read()
            .await
            .unwrap_err();
        let text = err.to_string();
        assert!(text.contains(expected), "{body}: {text}");
        assert_no_secret(&format!("{text} {err:?}"));
    }
    let server = serve_always(Reply::json(403, "{}")).await;
    let err = MetadataProvider::new("p")
        .endpoint(server.url())
        .read()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("answered status 403"), "{err}");
}

#[tokio::test]
async fn a_metadata_server_that_is_down_is_not_found_and_the_chain_goes_on() {
    let down = format!("http://{}", refused_addr().await);
    let err = MetadataProvider::new("p")
        .endpoint(&down)
        .read()
        .await
        .unwrap_err();
    match &err {
        CredentialsError::NotFound { looked } => {
            assert_eq!(looked.len(), 1);
            assert!(
                looked[0].starts_with(&format!("instance metadata {down}: unreachable")),
                "{looked:?}"
            );
        }
        other => panic!("{other:?}"),
    }

    // Down first, then a profile file: the file's credentials.
    let dir = tempfile::tempdir().unwrap();
    let path = profile(dir.path(), BOTH_SECTIONS, 0o600);
    let chain = ProviderChain::new(vec![
        Box::new(MetadataProvider::new("p").endpoint(&down)),
        Box::new(ProfileProvider::from_path(&path, Section::Basic)),
    ]);
    let provided = chain.read().await.unwrap();
    assert!(provided.source.starts_with("profile file"));

    // Nothing anywhere: one error naming every place.
    let chain = ProviderChain::new(vec![
        Box::new(EnvProvider::with_lookup(|_| None)),
        Box::new(ProfileProvider::from_path(
            dir.path().join("none"),
            Section::Basic,
        )),
        Box::new(MetadataProvider::new("p").endpoint(&down)),
    ]);
    let err = chain.read().await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(
            "no credentials found; looked in: environment: none of HUAWEICLOUD_SDK_AK"
        ),
        "{text}"
    );
    assert!(
        text.contains("none: does not exist; instance metadata"),
        "{text}"
    );
    assert!(text.contains(&down), "{text}");
}

// ------------------------------------------------------------------------------------------
// Precedence

fn env_with_ak_sk(name: &str) -> Option<String> {
    match name {
        "HUAWEICLOUD_SDK_AK" => Some("ENV-AK".into()),
        "HUAWEICLOUD_SDK_SK" => Some("SK-SECRET".into()),
        "HUAWEICLOUD_SDK_PROJECT_ID" => Some("env-project".into()),
        _ => None,
    }
}

#[tokio::test]
async fn environment_beats_file_beats_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let path = profile(dir.path(), BOTH_SECTIONS, 0o600);
    let fake = fake_metadata(Behaviour::default()).await;
    let chain = |env: fn(&str) -> Option<String>, file: &Path| {
        ProviderChain::new(vec![
            Box::new(EnvProvider::with_lookup(env)),
            Box::new(ProfileProvider::from_path(file, Section::Basic)),
            Box::new(fake.provider()),
        ])
    };
    let provided = chain(env_with_ak_sk, &path).read().await.unwrap();
    assert_eq!(provided.source, "environment");
    assert_eq!(
        provided.credentials,
        Credentials::ak_sk("ENV-AK", "SK-SECRET", "env-project")
    );

    let provided = chain(|_| None, &path).read().await.unwrap();
    assert!(
        provided.source.starts_with("profile file"),
        "{}",
        provided.source
    );
    assert_eq!(
        fake.counts(),
        (0, 0),
        "metadata never asked while others answer"
    );

    let provided = chain(|_| None, &dir.path().join("none"))
        .read()
        .await
        .unwrap();
    assert!(provided.source.starts_with("instance metadata"));
    assert_eq!(fake.counts(), (1, 1));

    // A half-set environment stops the chain: no silent fallback to the file.
    let half = |name: &str| (name == "HUAWEICLOUD_SDK_AK").then(|| "A".to_owned());
    let err = chain(half, &path).read().await.unwrap_err();
    assert!(
        matches!(
            err,
            CredentialsError::Missing {
                missing: "HUAWEICLOUD_SDK_SK",
                ..
            }
        ),
        "{err:?}"
    );
}

// ------------------------------------------------------------------------------------------
// The transport asks its provider on every call

fn request() -> OperationRequest {
    OperationRequest {
        operation: "CreateThing",
        method: http::Method::POST,
        path: "/v3/things".to_owned(),
        query: Vec::new(),
        headers: Vec::new(),
        body: Some(b"{}".to_vec()),
    }
}

#[tokio::test]
async fn the_transport_uses_refreshed_credentials() {
    let fake = fake_metadata(Behaviour {
        lifetime: Duration::from_secs(10 * 60),
        ..Behaviour::default()
    })
    .await;
    let api = serve_always(Reply::json(200, "{}")).await;
    let transport = ClientBuilder::<Transport>::new()
        .endpoint(api.url())
        .credentials_provider(fake.provider())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    assert_no_secret(&format!("{transport:?}"));
    for _ in 0..2 {
        transport.send(request()).await.unwrap();
    }
    let received = api.received();
    for (n, request) in received.iter().enumerate() {
        let n = n + 1;
        let authorization = request.header("authorization").unwrap();
        assert!(
            authorization.contains(&format!("Access=META-AK-{n},")),
            "{authorization}"
        );
        assert_eq!(
            request.header("x-security-token"),
            Some(format!("META-TOKEN-ST-{n}").as_str())
        );
        assert_eq!(request.header("x-project-id"), Some("project-9"));
    }
}

#[tokio::test]
async fn a_provider_error_fails_the_call_before_sending() {
    let api = serve_always(Reply::json(200, "{}")).await;
    let down = format!("http://{}", refused_addr().await);
    let transport = ClientBuilder::<Transport>::new()
        .endpoint(api.url())
        .credentials_provider(MetadataProvider::new("p").endpoint(down))
        .build()
        .unwrap();
    let err = transport.send(request()).await.unwrap_err();
    assert!(
        matches!(err, Error::Credentials(CredentialsError::NotFound { .. })),
        "{err:?}"
    );
    assert_eq!(err.attempts(), 0);
    assert_eq!(api.count(), 0);
}

#[tokio::test]
async fn global_credentials_send_the_domain_id() {
    let api = serve_always(Reply::json(200, "{}")).await;
    let dir = tempfile::tempdir().unwrap();
    let path = profile(dir.path(), BOTH_SECTIONS, 0o600);
    let transport = ClientBuilder::<Transport>::new()
        .endpoint(api.url())
        .credentials_provider(ProfileProvider::from_path(&path, Section::Global))
        .build()
        .unwrap();
    transport.send(request()).await.unwrap();
    let sent = &api.received()[0];
    assert_eq!(sent.header("x-domain-id"), Some("domain-1"));
    assert_eq!(sent.header("x-project-id"), None);
    assert!(sent
        .header("authorization")
        .unwrap()
        .contains("Access=AK-GLOBAL,"));
}

#[tokio::test]
async fn debug_of_every_provider_and_result_shows_no_secret() {
    let fake = fake_metadata(Behaviour::default()).await;
    let metadata = fake.provider();
    let provided = metadata.read().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = profile(dir.path(), BOTH_SECTIONS, 0o644);
    let file = ProfileProvider::from_path(&path, Section::Basic);
    let from_file = file.read().unwrap();
    let env = EnvProvider::with_lookup(env_with_ak_sk);
    let from_env = env.provide().await.unwrap();
    let chain = ProviderChain::new(vec![Box::new(env.clone()), Box::new(file.clone())]);
    chain.read().await.unwrap();
    let global = ProfileProvider::from_path(&path, Section::Global)
        .read()
        .unwrap();
    let text = format!(
        "{metadata:?} {provided:?} {file:?} {from_file:?} {env:?} {from_env:?} {chain:?} {global:?}"
    );
    assert_no_secret(&text);
    assert!(
        text.contains("META-AK-1") && text.contains("ENV-AK"),
        "{text}"
    );
}
