//! The `cce-kubeconfig` command: fetch a CCE cluster's certificate and merge it into a
//! kubeconfig, like `aws eks update-kubeconfig`.
//!
//! [`Cli`] is the command line; [`run`] does the work and [`one_line`] turns any error into
//! the single line the command prints. `src/main.rs` only wires them to the process.

#![forbid(unsafe_code)]

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Parser};
use clustercert::runtime::credentials::{ENV_AK, ENV_PROJECT_ID, ENV_SK};
use clustercert::runtime::provider::{
    MetadataProvider, ProfileProvider, ProvideCredentials, ProviderChain, Section,
};
use clustercert::runtime::{Credentials, CredentialsError};
use clustercert::{CertDuration, Client, CreateKubernetesClusterCertRequest, ValidityDays};
use clustercert_kubeconfig::exec::{self, Cache, CacheKey, Credential, ExecUser};
use clustercert_kubeconfig::{
    self as kubeconfig, ClusterEntry, ContextChoice, FileOptions, MergeOptions, Options, Secrets,
};

const EXAMPLES: &str = "\
Credentials are looked for where the official SDKs look, in their order: the environment
(HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_PROJECT_ID, plus
HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary credentials, or an IAM token in
HUAWEICLOUD_SDK_AUTH_TOKEN); then the profile file HUAWEICLOUD_SDK_CREDENTIALS_FILE, else
~/.huaweicloud/credentials (section [basic]: ak, sk, project_id, security_token); then the
ECS instance metadata (temporary AK/SK of the instance's agency; CCE_METADATA_ENDPOINT
moves the address, `off` skips it). When none has credentials, the error names every place
looked in. --project-id is the project of the request path and of AK/SK signing
(X-Project-Id), whichever place the keys come from.

Names: the cluster, user and context are all named cce-<cluster-id>-<context>, for example
cce-4f1c9a2e-external, unless --alias gives a name. Entries of that name written by
cce-kubeconfig are replaced; a name taken by any other entry is refused. Every other entry of
the kubeconfig is kept.

The file: --kubeconfig, else as kubectl chooses: the only file in KUBECONFIG, else its first
file that exists, else its last; without KUBECONFIG, ~/.kube/config. Everything that can fail
with it (a malformed or unreadable file, a folder that cannot be written, a lock held by
another writer, a name that is taken) fails before a certificate is requested. While it is
written, the file is locked as kubectl locks it (<file>.lock: kubectl refuses to write
while we hold it, and we wait for kubectl's, up to --lock-timeout). A response whose certificate and key kubectl could not use
is refused and the file is left as it was. The file is replaced atomically: it keeps its
owner and group, and its mode unless that let group or others in (then 0600, with a
warning); a new file is 0600. A symbolic link stays a link and its target is replaced. A
hard link does not follow: the path gets a new file, and other links to the old one keep the
old contents.

Examples:
  # Add the cluster to ~/.kube/config (or the file KUBECONFIG selects) and switch to it
  cce-kubeconfig --region cn-north-4 --project-id 0a1b2c --cluster-id 4f1c9a2e

  # The private address, a certificate valid for 7 days, under a short name
  cce-kubeconfig --region cn-north-4 --project-id 0a1b2c --cluster-id 4f1c9a2e \\
      --context internal --duration 7 --alias prod

  # Show what the file would become, with the client key redacted; write nothing
  cce-kubeconfig --region cn-north-4 --project-id 0a1b2c --cluster-id 4f1c9a2e --dry-run

  # No key in the file: kubectl runs `cce-kubeconfig credential`, which prints a
  # certificate valid for 1 day (--duration), cached in ~/.kube/cache/cce and minted anew
  # only when less than 10% of its life or one hour, whichever is smaller, is left
  cce-kubeconfig --region cn-north-4 --project-id 0a1b2c --cluster-id 4f1c9a2e --exec

  # A local or private endpoint, a separate file, current context unchanged
  cce-kubeconfig --endpoint http://127.0.0.1:8080 --project-id 0a1b2c --cluster-id 4f1c9a2e \\
      --kubeconfig ./cce.yaml --no-set-current";

/// Fetch a CCE cluster's client certificate and merge it into a kubeconfig.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "cce-kubeconfig",
    version,
    after_help = EXAMPLES,
    group(ArgGroup::new("target").required(true).args(["region", "endpoint"]))
)]
pub struct Cli {
    /// Region id, for example cn-north-4. Its endpoint is found where the official SDK looks:
    /// HUAWEICLOUD_SDK_REGION_CCE_{REGION} (endpoints separated by commas, tried in turn),
    /// else the regions file (HUAWEICLOUD_SDK_REGIONS_FILE, else ~/.huaweicloud/regions.yaml),
    /// else the built-in table (https://cce.{region}.myhuaweicloud.com; eu-west-101 on
    /// myhuaweicloud.eu). An unknown region is refused.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// The CCE endpoint URL, instead of --region.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Project id: of the request path, and with AK/SK the signed X-Project-Id. Given both,
    /// this flag wins over HUAWEICLOUD_SDK_PROJECT_ID.
    #[arg(long, value_name = "ID", env = "HUAWEICLOUD_SDK_PROJECT_ID")]
    pub project_id: String,

    /// Cluster id.
    #[arg(long, value_name = "ID")]
    pub cluster_id: String,

    /// Days the certificate is valid: 1 to 1825, or -1 for the maximum (5 years). Default:
    /// 30, or 1 with --exec.
    #[arg(long, value_name = "DAYS", allow_negative_numbers = true, value_parser = parse_duration)]
    pub duration: Option<ValidityDays>,

    /// Which address to use: auto (the cluster's public address when it has one, else the
    /// private one), internal or external.
    #[arg(long, value_name = "CONTEXT", default_value = "auto", value_parser = parse_context)]
    pub context: ContextChoice,

    /// Name for the cluster, user and context, instead of cce-{cluster-id}-{context}.
    #[arg(long, value_name = "NAME", value_parser = parse_alias)]
    pub alias: Option<String>,

    /// The kubeconfig file to update. Default: as kubectl chooses (see below): of KUBECONFIG's
    /// files the first that exists, else the last; without KUBECONFIG, ~/.kube/config.
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// Print the merged kubeconfig instead of writing it (client keys and tokens redacted).
    /// A certificate is still requested, since the cluster's address and CA come with it;
    /// nothing is written or cached, not even with --exec.
    #[arg(long)]
    pub dry_run: bool,

    /// With --dry-run, print secrets as they are.
    #[arg(long, requires = "dry_run")]
    pub show_secrets: bool,

    /// Leave the current context as it is.
    #[arg(long)]
    pub no_set_current: bool,

    /// Write a user that runs `cce-kubeconfig credential` (a kubectl exec credential plugin)
    /// instead of a client key and certificate: certificates are then short-lived, cached
    /// under ~/.kube/cache/cce (or $KUBECACHEDIR/cce) and renewed when less than 10% of
    /// their life or one hour, whichever is smaller, is left.
    #[arg(long)]
    pub exec: bool,

    /// With --exec: the command kubectl runs, instead of this program's path.
    #[arg(long, value_name = "PATH", requires = "exec")]
    pub exec_command: Option<String>,

    /// Seconds to wait for another writer (kubectl or cce-kubeconfig) to release the
    /// kubeconfig's lock.
    #[arg(long, value_name = "SECONDS", default_value = "10", value_parser = parse_seconds)]
    pub lock_timeout: Duration,
}

fn parse_seconds(value: &str) -> Result<Duration, String> {
    value
        .trim()
        .parse::<u32>()
        .map(|s| Duration::from_secs(s.into()))
        .map_err(|_| format!("{value:?} is not a whole number of seconds"))
}

fn parse_duration(value: &str) -> Result<ValidityDays, String> {
    let days: i64 = value
        .trim()
        .parse()
        .map_err(|_| format!("{value:?} is not a whole number of days"))?;
    ValidityDays::try_from(days).map_err(|e| e.to_string())
}

fn parse_context(value: &str) -> Result<ContextChoice, String> {
    value
        .parse()
        .map_err(|e: kubeconfig::KubeconfigError| e.to_string())
}

/// An alias is checked while parsing, so a bad one is refused before a certificate is minted.
fn parse_alias(value: &str) -> Result<String, String> {
    kubeconfig::check_alias(value)
        .map(|()| value.to_owned())
        .map_err(|e| e.to_string())
}

/// Runs the command: checks everything local (the kubeconfig file, its folder and lock, the
/// names, the credentials), fetches the certificate, checks that kubectl can use it, then
/// writes the merged file (or, with `--dry-run`, prints it to `out`). Warnings go to `err`.
pub async fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<()> {
    let path = match &cli.kubeconfig {
        Some(path) => path.clone(),
        None => kubeconfig::default_path()?,
    };
    let file_options = FileOptions {
        lock_timeout: cli.lock_timeout,
    };
    // Everything that can fail here fails before a certificate is minted for nothing.
    let names = candidate_names(&cli);
    if cli.dry_run {
        kubeconfig::check_file(&path)?;
        if let Some(existing) = kubeconfig::read_existing(&path)? {
            for name in &names {
                kubeconfig::check_name_free(&existing, name).map_err(|e| named_error(e, &path))?;
            }
        }
    } else {
        kubeconfig::preflight(&path, &names, &file_options)?;
        if cli.exec {
            cache()?.prepare()?;
        }
    }
    let resolved = resolve_credentials(&cli.project_id, |name| std::env::var(name).ok()).await?;
    for warning in &resolved.warnings {
        writeln!(err, "warning: {warning}")?;
    }
    let credentials = resolved.credentials;
    let client = client(&cli, credentials.clone())?;

    let duration = cli.duration.unwrap_or_else(|| {
        let days = if cli.exec { 1 } else { 30 };
        ValidityDays::try_from(days).expect("a valid default")
    });
    let response = mint(&client, &cli.project_id, &cli.cluster_id, duration).await?;
    let options = Options {
        context: cli.context,
        alias: cli.alias.clone(),
    };
    let entry = ClusterEntry::from_response(&response.body, &cli.cluster_id, &options)?;
    // kubectl could not use a broken pair: refuse it before the file is touched.
    kubeconfig::check_client_pair_data(
        entry.client_certificate_data(),
        entry.client_key_data().expose_secret(),
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "the response's client certificate cannot be used by kubectl ({}): {e}; {} was not changed",
            e.id(),
            path.display()
        )
    })?;
    for warning in entry.warnings() {
        writeln!(err, "warning: {warning}")?;
    }
    let entry = if cli.exec {
        let key = cache_key(
            &endpoint_text(&cli.endpoint, &cli.region),
            &cli.project_id,
            &cli.cluster_id,
            entry.source_context(),
            &credentials,
        );
        if !cli.dry_run {
            // The certificate just minted is the first one kubectl gets.
            let credential = Credential::from_data(
                entry.client_certificate_data(),
                entry.client_key_data().expose_secret(),
            )?;
            not_expired(&credential)?;
            let cache = cache()?;
            let held = cache.open(&key, std::time::SystemTime::now(), CACHE_LOCK_TIMEOUT)?;
            held.store(&credential)?;
        }
        let exec = exec_user(&cli, entry.source_context(), duration);
        entry.with_exec(exec)
    } else {
        entry
    };
    let merge_options = MergeOptions {
        set_current_context: !cli.no_set_current,
    };

    if cli.dry_run {
        let existing = kubeconfig::read_existing(&path)?.unwrap_or_default();
        let merged = kubeconfig::merge(&existing, &entry, &merge_options)?;
        let secrets = if cli.show_secrets {
            Secrets::Show
        } else {
            Secrets::Redact
        };
        out.write_all(merged.to_yaml(secrets)?.as_bytes())?;
        writeln!(err, "dry run: {} was not changed", path.display())?;
        return Ok(());
    }

    let update = kubeconfig::update_file_with(&path, &entry, &merge_options, &file_options)?;
    for warning in &update.warnings {
        writeln!(err, "warning: {warning}")?;
    }
    let verb = if update.replaced { "Updated" } else { "Added" };
    writeln!(
        out,
        "{verb} context {} in {}{}",
        update.name,
        update.path.display(),
        if update.created { " (new file)" } else { "" }
    )?;
    if merge_options.set_current_context {
        writeln!(out, "Current context: {}", update.name)?;
    }
    Ok(())
}

/// How long `credential` waits for another process minting the same certificate.
const CACHE_LOCK_TIMEOUT: Duration = Duration::from_secs(120);

/// Asks for a certificate; a failure says how many attempts were made.
async fn mint(
    client: &Client,
    project_id: &str,
    cluster_id: &str,
    duration: ValidityDays,
) -> anyhow::Result<clustercert::CreateKubernetesClusterCertResponse> {
    let request = CreateKubernetesClusterCertRequest {
        project_id: project_id.to_owned(),
        cluster_id: cluster_id.to_owned(),
        body: CertDuration { duration },
    };
    client
        .create_kubernetes_cluster_cert(&request)
        .await
        .map_err(|e| {
            let attempts = match e.attempts() {
                0 => " (no request was sent)".to_owned(),
                1 => " (1 attempt)".to_owned(),
                // The error's own text says `(after N attempts)`.
                _ => String::new(),
            };
            anyhow::Error::new(e).context(format!(
                "cannot get the certificate of cluster {cluster_id}{attempts}"
            ))
        })
}

/// Refuses a certificate that has expired by this computer's clock: kubectl would run the
/// plugin again, and mint again, for every connection.
fn not_expired(credential: &Credential) -> anyhow::Result<()> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    if credential.not_after() <= now {
        let when = credential.not_after_rfc3339();
        anyhow::bail!(
            "the certificate CCE returned expired at {when}, before it could be used; is this computer's clock right?"
        );
    }
    Ok(())
}

/// The endpoint or region, as the cache key names it.
fn endpoint_text(endpoint: &Option<String>, region: &Option<String>) -> String {
    match (endpoint, region) {
        (Some(endpoint), _) => endpoint.clone(),
        (None, Some(region)) => format!("region:{region}"),
        (None, None) => String::new(),
    }
}

/// The cache key of a credential: who asks is the access key id, or a digest of the token.
fn cache_key(
    endpoint: &str,
    project_id: &str,
    cluster_id: &str,
    context: &str,
    credentials: &Credentials,
) -> CacheKey {
    let identity = match credentials {
        Credentials::AkSk { access_key, .. } => format!("ak:{access_key}"),
        Credentials::Token(token) => exec::identity_digest(token.expose_secret()),
        _ => "unknown".to_owned(),
    };
    CacheKey {
        endpoint: endpoint.to_owned(),
        project_id: project_id.to_owned(),
        cluster_id: cluster_id.to_owned(),
        context: context.to_owned(),
        identity,
    }
}

/// The credential cache of this user: `$KUBECACHEDIR/cce`, else `~/.kube/cache/cce`.
fn cache() -> anyhow::Result<Cache> {
    let dir = std::env::var_os("KUBECACHEDIR");
    Cache::from_env(dir.as_deref(), std::env::home_dir().as_deref()).ok_or_else(|| {
        anyhow::anyhow!("no credential cache folder: neither KUBECACHEDIR nor HOME is set")
    })
}

/// The exec stanza: this program (or --exec-command) with the arguments to mint again.
fn exec_user(cli: &Cli, context: &str, duration: ValidityDays) -> ExecUser {
    let command = cli.exec_command.clone().unwrap_or_else(own_command);
    let mut args = vec!["credential".to_owned()];
    match (&cli.endpoint, &cli.region) {
        (Some(endpoint), _) => args.extend(["--endpoint".to_owned(), endpoint.clone()]),
        (None, Some(region)) => args.extend(["--region".to_owned(), region.clone()]),
        (None, None) => {}
    }
    args.extend([
        "--project-id".to_owned(),
        cli.project_id.clone(),
        "--cluster-id".to_owned(),
        cli.cluster_id.clone(),
        "--context".to_owned(),
        context.to_owned(),
        "--duration".to_owned(),
        duration.get().to_string(),
    ]);
    ExecUser { command, args }
}

/// The path this program was run by: a bare name (found on PATH, as kubectl will find it)
/// as it is; a path made absolute, links not followed (a package manager's stable link
/// outlives the versioned file behind it); else the running binary's path.
fn own_command() -> String {
    let argv0 = std::env::args_os().next().map(PathBuf::from);
    match argv0 {
        Some(name) if name.components().count() == 1 && !name.as_os_str().is_empty() => {
            name.to_string_lossy().into_owned()
        }
        Some(path) if path.is_file() => std::path::absolute(&path)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned(),
        _ => std::env::current_exe()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| "cce-kubeconfig".to_owned()),
    }
}

/// `cce-kubeconfig credential`: what kubectl runs for a user written with --exec.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "cce-kubeconfig credential",
    version,
    about = "Print a kubectl ExecCredential with a client certificate of a CCE cluster, minting one only when the cached one is missing or due (less than 10% of its life, or one hour, left).",
    group(ArgGroup::new("target").required(true).args(["region", "endpoint"]))
)]
pub struct CredentialCli {
    /// Region id: its endpoint is found as for `cce-kubeconfig --region`.
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,

    /// The CCE endpoint URL, instead of --region.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,

    /// Project id.
    #[arg(long, value_name = "ID", env = "HUAWEICLOUD_SDK_PROJECT_ID")]
    pub project_id: String,

    /// Cluster id.
    #[arg(long, value_name = "ID")]
    pub cluster_id: String,

    /// The response's context whose user is used: internal or external.
    #[arg(long, value_name = "CONTEXT", value_parser = parse_context)]
    pub context: ContextChoice,

    /// Days a new certificate is valid.
    #[arg(long, value_name = "DAYS", default_value = "1", allow_negative_numbers = true,
          value_parser = parse_duration)]
    pub duration: ValidityDays,
}

/// Runs `credential`: prints the `ExecCredential` (one line of JSON) to `out`, from the
/// cache or freshly minted. Nothing else is printed; an error is for the caller to print.
pub async fn run_credential(cli: CredentialCli, out: &mut dyn Write) -> anyhow::Result<()> {
    // kubectl shows a plugin's stderr to the user: a successful run prints nothing there, so
    // warnings (a profile file others can read) are left to the interactive command.
    let credentials = resolve_credentials(&cli.project_id, |name| std::env::var(name).ok())
        .await?
        .credentials;
    let key = cache_key(
        &endpoint_text(&cli.endpoint, &cli.region),
        &cli.project_id,
        &cli.cluster_id,
        cli.context.as_str(),
        &credentials,
    );
    let cache = cache()?;
    let held = cache.open(&key, std::time::SystemTime::now(), CACHE_LOCK_TIMEOUT)?;
    let credential = match held.cached() {
        Some(cached) => cached.clone(),
        None => {
            let builder = Client::builder().credentials(credentials);
            let builder = match (&cli.endpoint, &cli.region) {
                (Some(endpoint), _) => builder.endpoint(endpoint),
                (None, Some(region)) => builder.region(region),
                (None, None) => anyhow::bail!("give --region or --endpoint"),
            };
            let client = builder.build()?;
            let response = mint(&client, &cli.project_id, &cli.cluster_id, cli.duration).await?;
            let options = Options {
                context: cli.context,
                alias: None,
            };
            let entry = ClusterEntry::from_response(&response.body, &cli.cluster_id, &options)?;
            let credential = Credential::from_data(
                entry.client_certificate_data(),
                entry.client_key_data().expose_secret(),
            )
            .map_err(|e| anyhow::anyhow!("the response's {e}"))?;
            not_expired(&credential)?;
            held.store(&credential)?;
            credential
        }
    };
    drop(held);
    writeln!(out, "{}", credential.exec_credential_json())?;
    Ok(())
}

/// The names the entry may get, known before the request: the alias, or the default name of
/// each context the choice may pick.
fn candidate_names(cli: &Cli) -> Vec<String> {
    if let Some(alias) = &cli.alias {
        return vec![alias.clone()];
    }
    let contexts: &[&str] = match cli.context {
        ContextChoice::Auto => &["internal", "external"],
        ContextChoice::Internal => &["internal"],
        ContextChoice::External => &["external"],
    };
    contexts
        .iter()
        .map(|context| kubeconfig::default_name(&cli.cluster_id, context))
        .collect()
}

/// A name error of text without a path, naming the file.
fn named_error(e: kubeconfig::KubeconfigError, path: &std::path::Path) -> anyhow::Error {
    anyhow::anyhow!(
        "{}",
        e.to_string()
            .replace("the kubeconfig", &path.display().to_string())
    )
}

/// The client for the endpoint or region of the command line, with `credentials`.
fn client(cli: &Cli, credentials: Credentials) -> anyhow::Result<Client> {
    let builder = Client::builder().credentials(credentials);
    let builder = match (&cli.endpoint, &cli.region) {
        (Some(endpoint), _) => builder.endpoint(endpoint),
        (None, Some(region)) => builder.region(region),
        (None, None) => anyhow::bail!("give --region or --endpoint"),
    };
    Ok(builder.build()?)
}

/// Credentials found by [`resolve_credentials`]: what, from where, and warnings for the user.
#[derive(Debug)]
struct Resolved {
    credentials: Credentials,
    warnings: Vec<String>,
}

/// The environment variable that moves the ECS metadata address (`off` skips it): for tests,
/// which must never reach the real `169.254.169.254`, and for proxies in front of it.
pub const ENV_METADATA_ENDPOINT: &str = "CCE_METADATA_ENDPOINT";

/// The credentials of a run, looked for where the official SDK looks, in its order: the
/// environment `env` (see [`credentials`]), then the profile file
/// (`HUAWEICLOUD_SDK_CREDENTIALS_FILE`, else `~/.huaweicloud/credentials`, section `[basic]`),
/// then the ECS instance metadata (temporary AK/SK of the instance's agency). `--project-id`
/// is the AK/SK project whichever place answers. When none does, the error names every place
/// looked in.
async fn resolve_credentials(
    project_id: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Resolved, CredentialsError> {
    match credentials(project_id, &env) {
        Err(CredentialsError::NotSet) => {}
        other => {
            return other.map(|credentials| Resolved {
                credentials,
                warnings: Vec::new(),
            })
        }
    }
    let mut looked = vec![format!(
        "environment: none of {ENV_AK}, {ENV_SK}, {} is set",
        clustercert::runtime::credentials::ENV_AUTH_TOKEN
    )];
    let profile = ProfileProvider::with_lookup(Section::Basic, |name| env(name).map(Into::into));
    let mut providers: Vec<Box<dyn ProvideCredentials>> = vec![Box::new(profile)];
    match env(ENV_METADATA_ENDPOINT).filter(|v| !v.is_empty()) {
        Some(off) if off == "off" => {
            looked.push(format!("instance metadata: {ENV_METADATA_ENDPOINT}=off"))
        }
        Some(endpoint) => providers.push(Box::new(
            MetadataProvider::new(project_id).endpoint(endpoint),
        )),
        None => providers.push(Box::new(MetadataProvider::new(project_id))),
    }
    let provided = match ProviderChain::new(providers).read().await {
        Ok(provided) => provided,
        Err(CredentialsError::NotFound { looked: places }) => {
            looked.extend(places);
            return Err(CredentialsError::NotFound { looked });
        }
        Err(other) => return Err(other),
    };
    // The project of the request path is the one signed in `X-Project-Id`.
    let credentials = provided.credentials.for_project(project_id);
    Ok(Resolved {
        credentials,
        warnings: provided.warnings,
    })
}

/// The credentials of the environment `env` (a variable name to its value), with
/// `project_id` (the `--project-id` flag) as the AK/SK project: the project of the request
/// path is the one signed in `X-Project-Id`. The flag wins over `HUAWEICLOUD_SDK_PROJECT_ID`
/// when both are set; a token ignores the project, so for a token the environment is read as
/// it is.
fn credentials(
    project_id: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Credentials, CredentialsError> {
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    let ak_sk = set(ENV_AK) || set(ENV_SK);
    Credentials::from_lookup(|name| {
        if name == ENV_PROJECT_ID && ak_sk {
            Some(project_id.to_owned())
        } else {
            env(name)
        }
    })
}

/// An error as one line: its causes joined by `: ` (a cause whose text the line already
/// holds is skipped), line breaks folded, at most 600 characters.
///
/// ```
/// let err = anyhow::anyhow!("no route\nto host").context("cannot connect");
/// assert_eq!(clustercert_cli::one_line(&err), "cannot connect: no route to host");
/// ```
pub fn one_line(err: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in err.chain() {
        let cause = cause.to_string();
        if text.contains(&cause) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&cause);
    }
    let mut line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 600 {
        line = line.chars().take(599).collect::<String>() + "…";
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("request failed: {0}")]
    struct Repeats(#[source] std::io::Error);

    #[test]
    fn one_line_skips_causes_already_in_the_message() {
        let inner = std::io::Error::other("connection refused");
        let err = anyhow::Error::new(Repeats(inner)).context("cannot get the certificate");
        assert_eq!(
            one_line(&err),
            "cannot get the certificate: request failed: connection refused"
        );
    }

    #[test]
    fn one_line_caps_the_length() {
        let err = anyhow::anyhow!("{}", "x".repeat(2000));
        let line = one_line(&err);
        assert_eq!(line.chars().count(), 600);
        assert!(line.ends_with('…'));
    }

    #[test]
    fn durations_are_checked_while_parsing() {
        let parse = |days: &str| {
            Cli::try_parse_from([
                "cce-kubeconfig",
                "--region",
                "cn-north-4",
                "--project-id",
                "p",
                "--cluster-id",
                "c",
                "--duration",
                days,
            ])
        };
        for ok in ["1", "30", "1825", "-1"] {
            let cli = parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
            assert_eq!(cli.duration.expect("given").get().to_string(), ok);
        }
        for bad in ["0", "-2", "1826", "7d", ""] {
            assert!(parse(bad).is_err(), "{bad:?} must be refused");
        }
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    fn project_of(credentials: &Credentials) -> Option<&str> {
        match credentials {
            Credentials::AkSk { project_id, .. } => Some(project_id),
            _ => None,
        }
    }

    #[test]
    fn the_project_flag_is_the_ak_sk_project() {
        let only_keys = [(ENV_AK, "ak"), (ENV_SK, "sk")];
        let creds = credentials("from-flag", env(&only_keys)).expect("the flag is enough");
        assert_eq!(project_of(&creds), Some("from-flag"));

        let other = [(ENV_AK, "ak"), (ENV_SK, "sk"), (ENV_PROJECT_ID, "from-env")];
        let creds = credentials("from-flag", env(&other)).expect("valid");
        assert_eq!(project_of(&creds), Some("from-flag"), "the flag wins");

        // Half a key pair is still refused, naming what is missing.
        let half = [(ENV_AK, "ak")];
        let err = credentials("p", env(&half)).expect_err("no SK");
        assert_eq!(
            err.to_string(),
            format!("{ENV_SK} is not set, but {ENV_AK} is")
        );

        // A token does not use the project at all.
        let token = [("HUAWEICLOUD_SDK_AUTH_TOKEN", "t")];
        let creds = credentials("p", env(&token)).expect("a token");
        assert_eq!(project_of(&creds), None);
        assert!(matches!(
            credentials("p", env(&[])),
            Err(CredentialsError::NotSet)
        ));
    }

    #[test]
    fn aliases_are_checked_while_parsing() {
        let parse = |alias: &str| {
            Cli::try_parse_from([
                "cce-kubeconfig",
                "--region",
                "cn-north-4",
                "--project-id",
                "p",
                "--cluster-id",
                "c",
                "--alias",
                alias,
            ])
        };
        let cli = parse("prod").expect("a good alias");
        assert_eq!(cli.alias.as_deref(), Some("prod"));
        for bad in ["", "  ", " prod", "prod ", "pr\nod"] {
            let err = parse(bad).expect_err("refused while parsing");
            assert!(err.to_string().contains("invalid name"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn the_command_line_is_consistent() {
        <Cli as clap::CommandFactory>::command().debug_assert();
    }
}
