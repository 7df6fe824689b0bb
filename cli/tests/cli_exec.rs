//! `cce-kubeconfig --exec` and `cce-kubeconfig credential`: kubectl gets short-lived client
//! certificates through the plugin, minted once and cached, and the kubeconfig holds no key.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use clustercert_test_support::{run_isolated, stub, Exit, Stub};
use common::{b64, fetch_args, BIN};

const TOKEN: &str = "a-token";

/// A CA, and client and server certificates it signs.
struct Pki {
    ca: rcgen::Certificate,
    ca_params: rcgen::CertificateParams,
    ca_key: rcgen::KeyPair,
}

impl Pki {
    fn new() -> Pki {
        let ca_key = rcgen::KeyPair::generate().expect("key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "test cluster CA");
        let ca = params.self_signed(&ca_key).expect("CA");
        Pki {
            ca,
            ca_params: params,
            ca_key,
        }
    }

    /// A client certificate valid from `now - before` to `now + after`, and its key (PEM).
    fn client(&self, before: Duration, after: Duration) -> (String, String) {
        let now = time::OffsetDateTime::now_utc();
        self.client_between(now - before, now + after)
    }

    /// A client certificate valid from `not_before` to `not_after`, and its key (PEM).
    fn client_between(
        &self,
        not_before: time::OffsetDateTime,
        not_after: time::OffsetDateTime,
    ) -> (String, String) {
        let key = rcgen::KeyPair::generate().expect("key");
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "user");
        params.not_before = not_before;
        params.not_after = not_after;
        let issuer = rcgen::Issuer::from_params(&self.ca_params, &self.ca_key);
        let cert = params.signed_by(&key, &issuer).expect("signed");
        (cert.pem(), key.serialize_pem())
    }

    fn server(&self) -> (rcgen::Certificate, rcgen::KeyPair) {
        let key = rcgen::KeyPair::generate().expect("key");
        let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("params");
        let issuer = rcgen::Issuer::from_params(&self.ca_params, &self.ca_key);
        (params.signed_by(&key, &issuer).expect("signed"), key)
    }
}

/// A CCE stand-in: answers every request with the body of the moment, counting requests.
async fn cce() -> Stub {
    stub(500, String::new()).await
}

/// Makes `cce` answer with a 200 carrying `cert` and `key`, for an API server nobody needs to
/// reach.
fn serve_certificate(cce: &Stub, pki: &Pki, cert: &str, key: &str) {
    cce.serve(
        200,
        response_body("https://127.0.0.1:1", &pki.ca.pem(), cert, key),
    );
}

fn response_body(api_server: &str, ca_pem: &str, cert: &str, key: &str) -> String {
    json!({
        "kind": "Config", "apiVersion": "v1", "preferences": {},
        "clusters": [{"name": "internalCluster",
                      "cluster": {"server": api_server, "certificate-authority-data": b64(ca_pem)}}],
        "users": [{"name": "user", "user": {"client-certificate-data": b64(cert), "client-key-data": b64(key)}}],
        "contexts": [{"name": "internal", "context": {"cluster": "internalCluster", "user": "user"}}],
        "current-context": "internal"
    })
    .to_string()
}

/// An API server on 127.0.0.1 that answers `{}` only to clients whose certificate the CA
/// signed; returns its URL.
async fn api_server(pki: &Pki) -> String {
    use tokio_rustls::rustls;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca.der().clone()).expect("CA");
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .expect("verifier");
    let (cert, key) = pki.server();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_client_cert_verifier(verifier)
        .with_single_cert(vec![cert.der().clone()], key)
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("https://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(socket).await else {
                    return;
                };
                let mut buf = [0u8; 4096];
                let _ = tls.read(&mut buf).await;
                let _ = tls
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
                    .await;
                let _ = tls.shutdown().await;
            });
        }
    });
    url
}

/// A token, and the exec plugin's cache in `cache_dir`.
fn token_and_cache(cache_dir: &Path) -> [(&'static str, &str); 2] {
    [
        ("HUAWEICLOUD_SDK_AUTH_TOKEN", TOKEN),
        ("KUBECACHEDIR", cache_dir.to_str().expect("UTF-8 path")),
    ]
}

fn credential_args(url: &str) -> Vec<&str> {
    vec![
        "credential",
        "--endpoint",
        url,
        "--project-id",
        "p",
        "--cluster-id",
        "c1",
        "--context",
        "internal",
    ]
}

fn cache_files(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir.join("cce"))
        .map(|entries| {
            entries
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "json"))
                .collect()
        })
        .unwrap_or_default()
}

const DAY: Duration = Duration::from_secs(86_400);

/// `--exec` with `extra`, then the endpoint, project, cluster and `--kubeconfig config`.
fn exec_args<'a>(url: &'a str, config: &'a Path, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--exec"];
    args.extend_from_slice(extra);
    args.extend(fetch_args(url, "p", "c1", config));
    args
}

/// A CA, a CCE stand-in, and a home folder whose `cache` is the plugin's cache.
struct Setup {
    pki: Pki,
    cce: Stub,
    home: tempfile::TempDir,
    cache_dir: PathBuf,
}

async fn setup() -> Setup {
    let home = tempfile::tempdir().expect("temp dir");
    let cache_dir = home.path().join("cache");
    Setup {
        pki: Pki::new(),
        cce: cce().await,
        home,
        cache_dir,
    }
}

impl Setup {
    fn env(&self) -> [(&'static str, &str); 2] {
        token_and_cache(&self.cache_dir)
    }

    /// Makes CCE answer with a certificate valid from now for a day.
    fn serve_fresh(&self) {
        let now = time::OffsetDateTime::now_utc();
        self.serve_between(now, now + DAY);
    }

    /// Makes CCE answer with a certificate valid from `not_before` to `not_after`.
    fn serve_between(&self, not_before: time::OffsetDateTime, not_after: time::OffsetDateTime) {
        let (cert, key) = self.pki.client_between(not_before, not_after);
        serve_certificate(&self.cce, &self.pki, &cert, &key);
    }

    /// Runs the binary with the token and the cache, and `args`.
    async fn run(&self, args: &[&str]) -> Exit {
        run_isolated(BIN, self.home.path(), &self.env(), args).await
    }

    /// `cce-kubeconfig credential` with the token and the cache.
    async fn credential(&self) -> Exit {
        self.run(&credential_args(&self.cce.url)).await
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_gets_its_certificate_through_the_plugin_minted_once() {
    let Some(kubectl) = clustercert_test_support::kubectl() else {
        return;
    };
    let Setup {
        pki,
        cce,
        home,
        cache_dir,
    } = setup().await;
    let api = api_server(&pki).await;
    let (cert, key) = pki.client(Duration::ZERO, DAY);
    cce.serve(200, response_body(&api, &pki.ca.pem(), &cert, &key));
    let config = home.path().join("config");
    let env = token_and_cache(&cache_dir);

    let run = run_isolated(
        BIN,
        home.path(),
        &env,
        &exec_args(&cce.url, &config, &["--exec-command", BIN]),
    )
    .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(cce.count(), 1);
    let text = std::fs::read_to_string(&config).expect("written");
    assert!(
        !text.contains("client-key-data") && !text.contains("client-certificate-data"),
        "{text}"
    );
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let exec = &doc["users"][0]["user"]["exec"];
    assert_eq!(
        exec["apiVersion"].as_str(),
        Some("client.authentication.k8s.io/v1")
    );
    assert_eq!(exec["interactiveMode"].as_str(), Some("Never"));
    assert_eq!(exec["command"].as_str(), Some(BIN));
    let args: Vec<&str> = exec["args"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert_eq!(
        args,
        [
            "credential",
            "--endpoint",
            &cce.url,
            "--project-id",
            "p",
            "--cluster-id",
            "c1",
            "--context",
            "internal",
            "--duration",
            "1"
        ]
    );

    // kubectl, through the plugin, with the certificate cached by the first run.
    let get = |cache: &Path| {
        let mut command = kubectl.command(&config);
        command
            .args(["get", "--raw", "/", "--request-timeout=20s"])
            .env("HUAWEICLOUD_SDK_AUTH_TOKEN", TOKEN)
            .env("KUBECACHEDIR", cache);
        tokio::process::Command::from(command).output()
    };
    let output = get(&cache_dir).await.expect("kubectl runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "{}");
    assert_eq!(cce.count(), 1, "answered from the cache");

    // The cache: 0600 in a 0700 folder.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let files = cache_files(&cache_dir);
        assert_eq!(files.len(), 1);
        assert_eq!(
            std::fs::metadata(&files[0]).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let folder = std::fs::metadata(cache_dir.join("cce")).unwrap();
        assert_eq!(folder.permissions().mode() & 0o777, 0o700);
    }

    // Eight kubectl processes at once with an empty cache: one mint.
    let empty = home.path().join("empty-cache");
    let runs: Vec<_> = (0..8).map(|_| get(&empty)).collect();
    for output in futures_util::future::join_all(runs).await {
        let output = output.expect("kubectl runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(cce.count(), 2, "eight processes, one mint");
    let output = get(&empty).await.expect("kubectl runs");
    assert!(output.status.success());
    assert_eq!(cce.count(), 2, "within the certificate's life: no mint");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cache_is_renewed_within_the_margin_and_never_trusted_when_broken() {
    let setup = setup().await;
    let Setup {
        pki,
        cce,
        home,
        cache_dir,
    } = &setup;
    let args = credential_args(&cce.url);

    // A day-long certificate with 30 minutes left: within the one-hour margin.
    let (cert, key) = pki.client(DAY - Duration::from_secs(1800), Duration::from_secs(1800));
    serve_certificate(cce, pki, &cert, &key);
    for expected in [1, 2] {
        let run = setup.credential().await;
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        assert_eq!(run.stderr, "", "nothing on stderr");
        assert_eq!(cce.count(), expected, "due: mints every time");
        let credential: serde_json::Value =
            serde_json::from_str(&run.stdout).expect("one JSON document");
        assert_eq!(credential["kind"], "ExecCredential");
        assert_eq!(credential["status"]["clientCertificateData"], cert.as_str());
        assert_eq!(credential["status"]["clientKeyData"], key.as_str());
        assert!(credential["status"]["expirationTimestamp"]
            .as_str()
            .unwrap()
            .ends_with('Z'));
    }

    // A fresh one is cached and reused.
    setup.serve_fresh();
    let run = setup.credential().await;
    assert_eq!((run.code, cce.count()), (Some(0), 3));
    let run = setup.credential().await;
    assert_eq!((run.code, cce.count()), (Some(0), 3), "from the cache");

    // Corrupt, or of another key: replaced, never used.
    let file = cache_files(cache_dir).pop().expect("a cache file");
    let good = std::fs::read_to_string(&file).expect("readable");
    let foreign = good.replace("\"cluster_id\":\"c1\"", "\"cluster_id\":\"c2\"");
    assert_ne!(foreign, good);
    for (broken, expected) in [
        ("{not json".to_owned(), 4),
        (foreign, 5),
        (good.replace("BEGIN CERTIFICATE", "BEGIN CERTIFICAT"), 6),
    ] {
        std::fs::write(&file, broken).expect("writable");
        let run = setup.credential().await;
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        assert_eq!(cce.count(), expected, "a broken cache file is not trusted");
        let now: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).expect("replaced");
        assert_eq!(now["key"]["cluster_id"], "c1");
    }
    // Another identity (another token) has its own entry.
    let other = [
        ("HUAWEICLOUD_SDK_AUTH_TOKEN", "another"),
        ("KUBECACHEDIR", cache_dir.to_str().unwrap()),
    ];
    let run = run_isolated(BIN, home.path(), &other, &args).await;
    assert_eq!((run.code, cce.count()), (Some(0), 7));
    assert_eq!(cache_files(cache_dir).len(), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn credential_errors_are_one_line_with_nothing_on_stdout() {
    let Setup {
        pki,
        cce,
        home,
        cache_dir,
    } = setup().await;
    let cache = ("KUBECACHEDIR", cache_dir.to_str().unwrap());
    let args = credential_args(&cce.url);
    let (cert, _) = pki.client(Duration::ZERO, DAY);
    type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, (u16, String), &'a str);
    let cases: Vec<Case> = vec![
        (
            "no credentials",
            vec![cache],
            (200, String::new()),
            "no credentials",
        ),
        (
            "refused",
            vec![("HUAWEICLOUD_SDK_AUTH_TOKEN", TOKEN), cache],
            (
                403,
                "{\"error_code\":\"CCE.01\",\"error_msg\":\"denied\"}".to_owned(),
            ),
            "403",
        ),
        (
            "masked key",
            vec![("HUAWEICLOUD_SDK_AUTH_TOKEN", TOKEN), cache],
            (
                200,
                response_body("https://127.0.0.1:1", &pki.ca.pem(), &cert, "******"),
            ),
            "masked",
        ),
    ];
    for (name, env, (status, body), says) in cases {
        cce.serve(status, body);
        let run = run_isolated(BIN, home.path(), &env, &args).await;
        assert_eq!(run.code, Some(1), "{name}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{name}: no partial ExecCredential");
        assert_eq!(run.stderr.lines().count(), 1, "{name}: {}", run.stderr);
        assert!(
            run.stderr.starts_with("cce-kubeconfig credential: error:")
                && run.stderr.contains(says),
            "{name}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains(TOKEN), "{name}");
    }
    assert!(cache_files(&cache_dir).is_empty(), "nothing cached");
}

#[tokio::test]
async fn help_explains_the_mode_and_when_it_mints() {
    let home = tempfile::tempdir().expect("temp dir");
    let run = run_isolated(BIN, home.path(), &[], &["--help"]).await;
    let help = run.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        help.contains("--exec") && help.contains("10% of their life or one hour"),
        "{help}"
    );
    // A dry run mints too (the address and CA come with the certificate): said, not hidden.
    assert!(
        help.contains("A certificate is still requested") && help.contains("not even with --exec"),
        "{help}"
    );
    let run = run_isolated(BIN, home.path(), &[], &["credential", "--help"]).await;
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.contains("ExecCredential"), "{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unusable_cache_folder_fails_before_minting() {
    let Setup { cce, home, .. } = setup().await;
    let regular = home.path().join("regular-file");
    std::fs::write(&regular, "x").expect("writable");
    let cache_dir = regular.join("cache");
    let config = home.path().join("config");
    let env = token_and_cache(&cache_dir);
    let run = run_isolated(BIN, home.path(), &env, &exec_args(&cce.url, &config, &[])).await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot create the folder"),
        "{}",
        run.stderr
    );
    assert_eq!(cce.count(), 0, "no certificate minted");
    assert!(!config.exists());
}

/// A cache folder (here reached through a link) that another user owns: that user could
/// read or replace the cached key, so it is refused before minting, and left as it was.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_cache_folder_of_another_user_is_refused() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let setup = setup().await;
    let (cce, home) = (&setup.cce, &setup.home);
    let foreign = home.path().join("foreign");
    std::fs::create_dir(&foreign).expect("folder");
    std::fs::set_permissions(&foreign, std::fs::Permissions::from_mode(0o755)).unwrap();
    let me = std::fs::metadata(home.path()).unwrap().uid();
    let other = if me == 65534 { 65533 } else { 65534 };
    if std::os::unix::fs::chown(&foreign, Some(other), None).is_err() {
        eprintln!("skipped: giving a folder to another user needs root");
        return;
    }
    std::fs::create_dir(&setup.cache_dir).expect("folder");
    std::os::unix::fs::symlink(&foreign, setup.cache_dir.join("cce")).expect("link");
    let config = home.path().join("config");
    for args in [credential_args(&cce.url), exec_args(&cce.url, &config, &[])] {
        let run = setup.run(&args).await;
        assert_eq!(run.code, Some(1), "{args:?}: {}", run.stderr);
        assert_eq!(run.stdout, "");
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(run.stderr.contains("belongs to"), "{}", run.stderr);
    }
    assert_eq!(cce.count(), 0, "no certificate minted");
    assert!(!config.exists());
    let meta = std::fs::metadata(&foreign).unwrap();
    assert_eq!(
        meta.permissions().mode() & 0o777,
        0o755,
        "their folder is left as it was"
    );
    assert_eq!(
        std::fs::read_dir(&foreign).unwrap().count(),
        0,
        "nothing written there"
    );
}

/// A clock a little behind CCE's: the new certificate's notBefore is a minute ahead. Minting
/// again cannot help (the API server judges with its own clock), so the cached one is used.
#[tokio::test(flavor = "multi_thread")]
async fn a_certificate_from_a_clock_slightly_ahead_is_cached() {
    let setup = setup().await;
    let now = time::OffsetDateTime::now_utc();
    setup.serve_between(now + Duration::from_secs(60), now + DAY);
    for _ in 0..3 {
        let run = setup.credential().await;
        assert_eq!(run.code, Some(0), "{}", run.stderr);
    }
    assert_eq!(
        setup.cce.count(),
        1,
        "minted once, then answered from the cache"
    );
}

/// A certificate that is already expired when it arrives would make kubectl run the plugin
/// (and mint) for every connection: it is an error, and nothing is cached.
#[tokio::test(flavor = "multi_thread")]
async fn an_expired_certificate_from_cce_is_an_error() {
    let setup = setup().await;
    // Expired a minute ago.
    let now = time::OffsetDateTime::now_utc();
    setup.serve_between(now - DAY, now - Duration::from_secs(60));
    let run = setup.credential().await;
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.stdout, "", "no ExecCredential");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("expired"), "{}", run.stderr);
    assert!(cache_files(&setup.cache_dir).is_empty(), "nothing cached");
}

/// What a crash or another user can leave in the cache: an empty `<entry>.lock` (a crash
/// between creating and marking it) must not block kubectl, and a cache file that is a link
/// is replaced, never written through.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn leftovers_in_the_cache_neither_block_nor_redirect() {
    let setup = setup().await;
    setup.serve_fresh();
    let run = setup.credential().await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let file = cache_files(&setup.cache_dir).pop().expect("a cache file");
    std::fs::remove_file(&file).unwrap();
    let mut lock_name = file.clone().into_os_string();
    lock_name.push(".lock");
    std::fs::write(&lock_name, "").expect("a leftover lock file");
    let victim = setup.home.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, &file).expect("link");

    let started = std::time::Instant::now();
    let run = setup.credential().await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(started.elapsed() < Duration::from_secs(10), "not blocked");
    assert_eq!(setup.cce.count(), 2, "the link was not trusted");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(
        std::fs::symlink_metadata(&file).unwrap().is_file(),
        "replaced by a file"
    );
}

/// `--dry-run --exec` prints the exec user (no key), and writes and caches nothing.
#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_with_exec_writes_and_caches_nothing() {
    let setup = setup().await;
    setup.serve_fresh();
    let config = setup.home.path().join("config");
    let run = setup
        .run(&exec_args(&setup.cce.url, &config, &["--dry-run"]))
        .await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let doc: serde_yaml::Value = serde_yaml::from_str(&run.stdout).expect("YAML");
    assert_eq!(
        doc["users"][0]["user"]["exec"]["args"][0].as_str(),
        Some("credential"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("client-key"), "{}", run.stdout);
    assert!(!config.exists(), "nothing written");
    assert!(!setup.cache_dir.exists(), "nothing cached");
}

/// Run through a link (as package managers install: a stable link to a versioned file), the
/// exec stanza names the link, which survives an upgrade, not the file behind it.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn the_exec_command_is_the_path_it_was_run_by() {
    let setup = setup().await;
    setup.serve_fresh();
    let Setup { cce, home, .. } = &setup;
    let bin = home.path().join("bin dir");
    std::fs::create_dir(&bin).unwrap();
    let link = bin.join("cce-kubeconfig");
    std::os::unix::fs::symlink(BIN, &link).expect("link");
    let config = home.path().join("config");
    let output = tokio::process::Command::new(&link)
        .env_clear()
        .env("HOME", home.path())
        .env("CCE_METADATA_ENDPOINT", "off")
        .env("HUAWEICLOUD_SDK_AUTH_TOKEN", TOKEN)
        .env("KUBECACHEDIR", home.path().join("cache"))
        .args([
            "--exec",
            "--endpoint",
            &cce.url,
            "--project-id",
            "p",
            "--cluster-id",
            "c1",
        ])
        .arg("--kubeconfig")
        .arg(&config)
        .output()
        .await
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(&config).unwrap()).expect("YAML");
    assert_eq!(
        doc["users"][0]["user"]["exec"]["command"].as_str(),
        link.to_str(),
        "the link, not {BIN}"
    );
}

/// A cache file another user owns (planted while the folder was open to others, say) is not
/// trusted, however good its contents: it is replaced by a new certificate.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_cache_file_of_another_user_is_not_trusted() {
    let setup = setup().await;
    setup.serve_fresh();
    let run = setup.credential().await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let file = cache_files(&setup.cache_dir).pop().expect("a cache file");
    if std::os::unix::fs::chown(&file, Some(65534), None).is_err() {
        eprintln!("skipped: giving a file to another user needs root");
        return;
    }
    let run = setup.credential().await;
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(setup.cce.count(), 2, "not trusted: minted again");
    use std::os::unix::fs::MetadataExt as _;
    let owner = std::fs::metadata(&file).unwrap().uid();
    assert_ne!(owner, 65534, "replaced by one of ours");
}
