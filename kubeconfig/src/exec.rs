//! kubectl's exec credential plugin mode: a user entry that runs `cce-kubeconfig credential`,
//! the `ExecCredential` it prints, and the on-disk cache that makes it mint rarely.
//!
//! - [`ExecUser`] is the `exec` stanza written instead of a client key and certificate
//!   (`client.authentication.k8s.io/v1`, `interactiveMode: Never`).
//! - [`Cache`] holds one certificate per (endpoint, project, cluster, context, credentials
//!   identity) in `<cache dir>/cce/<sha256>.json`: mode 0600 in a 0700 folder, written
//!   atomically under the file's [`lock_private`] so that parallel kubectl processes
//!   mint once. A cache file is trusted only when it parses, names the same key, holds a
//!   pair [`check_client_pair`] accepts and a certificate whose own validity says it is not
//!   due ([`renewal_due`]); anything else is ignored and replaced. A cache folder that
//!   another user owns (a link to one included) is refused, and left as it is; a cache file
//!   another user owns, or others may write, is not trusted and is replaced.
//! - A certificate is renewed when less than [`renewal_margin`] of its life is left: 10% of
//!   its life or one hour, whichever is smaller.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate};

use super::lock::{lock_private, KubeconfigLock};
use super::pair::check_client_pair;
use super::KubeconfigError;
use clustercert::runtime::SecretString;

/// The API version of the `ExecCredential` kubectl is asked for and given.
pub const EXEC_API_VERSION: &str = "client.authentication.k8s.io/v1";

/// The largest cache file read.
const MAX_CACHE_FILE: u64 = 1 << 20;

/// The `exec` stanza of a user entry: kubectl runs `command args…` for a credential.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecUser {
    /// The program kubectl runs.
    pub command: String,
    /// Its arguments.
    pub args: Vec<String>,
}

impl ExecUser {
    /// The `user` body: `{exec: {apiVersion, command, args, interactiveMode: Never, …}}`.
    pub(crate) fn user_body(&self) -> serde_yaml::Mapping {
        let mut exec = serde_yaml::Mapping::new();
        exec.insert("apiVersion".into(), EXEC_API_VERSION.into());
        exec.insert("command".into(), self.command.clone().into());
        exec.insert(
            "args".into(),
            self.args
                .iter()
                .cloned()
                .map(serde_yaml::Value::from)
                .collect::<Vec<_>>()
                .into(),
        );
        exec.insert("interactiveMode".into(), "Never".into());
        exec.insert("provideClusterInfo".into(), false.into());
        let mut user = serde_yaml::Mapping::new();
        user.insert("exec".into(), exec.into());
        user
    }
}

/// A client certificate and key (PEM) with the certificate's validity, read from the
/// certificate itself.
#[derive(Clone)]
pub struct Credential {
    certificate_pem: String,
    key_pem: SecretString,
    not_before: i64,
    not_after: i64,
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credential")
            .field("not_before", &self.not_before)
            .field("not_after", &self.not_after)
            .finish_non_exhaustive()
    }
}

impl Credential {
    /// A credential from PEM text: the pair must be one kubectl accepts
    /// ([`check_client_pair`]), and the certificate's validity is read from it.
    pub fn from_pem(certificate_pem: &str, key_pem: &str) -> Result<Credential, KubeconfigError> {
        check_client_pair(certificate_pem.as_bytes(), key_pem.as_bytes())
            .map_err(|e| KubeconfigError::Credential(e.to_string()))?;
        let (not_before, not_after) = validity(certificate_pem).ok_or_else(|| {
            KubeconfigError::Credential("the certificate's validity cannot be read".into())
        })?;
        Ok(Credential {
            certificate_pem: certificate_pem.to_owned(),
            key_pem: SecretString::from(key_pem.to_owned()),
            not_before,
            not_after,
        })
    }

    /// From the base64 `client-certificate-data` and `client-key-data` of a response.
    pub fn from_data(
        certificate_data: &str,
        key_data: &str,
    ) -> Result<Credential, KubeconfigError> {
        use base64::Engine as _;
        let decode = |data: &str, what: &str| {
            let cleaned: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(cleaned)
                .ok()
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .ok_or_else(|| {
                    KubeconfigError::Credential(format!("the {what} is not base64 of PEM text"))
                })
        };
        Credential::from_pem(
            &decode(certificate_data, "client certificate")?,
            &decode(key_data, "client key")?,
        )
    }

    /// The certificate's `notAfter`, in seconds since the Unix epoch.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }

    /// The certificate's `notAfter` as RFC 3339 text (`2026-11-30T09:00:00Z`).
    pub fn not_after_rfc3339(&self) -> String {
        time::OffsetDateTime::from_unix_timestamp(self.not_after)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    }

    /// The `ExecCredential` kubectl reads from the plugin's standard output (one line of
    /// JSON). It holds the key: print it only there.
    pub fn exec_credential_json(&self) -> String {
        let expiration = self.not_after_rfc3339();
        serde_json::json!({
            "apiVersion": EXEC_API_VERSION,
            "kind": "ExecCredential",
            "status": {
                "clientCertificateData": self.certificate_pem,
                "clientKeyData": self.key_pem.expose_secret(),
                "expirationTimestamp": expiration,
            }
        })
        .to_string()
    }
}

/// `(notBefore, notAfter)` of the first certificate of a PEM text.
fn validity(certificate_pem: &str) -> Option<(i64, i64)> {
    let (_, pem) = x509_parser::pem::parse_x509_pem(certificate_pem.as_bytes()).ok()?;
    let (_, cert) = X509Certificate::from_der(&pem.contents).ok()?;
    let validity = cert.validity();
    Some((
        validity.not_before.timestamp(),
        validity.not_after.timestamp(),
    ))
}

/// How long before `notAfter` a certificate valid from `not_before` is renewed: 10% of its
/// life or one hour, whichever is smaller.
///
/// ```
/// use std::time::Duration;
/// use clustercert_kubeconfig::exec::renewal_margin;
/// assert_eq!(renewal_margin(0, 86_400), Duration::from_secs(3_600)); // 1 day: 1 hour
/// assert_eq!(renewal_margin(0, 6_000), Duration::from_secs(600)); // 100 minutes: 10
/// ```
pub fn renewal_margin(not_before: i64, not_after: i64) -> Duration {
    let life = (not_after - not_before).max(0) as u64;
    Duration::from_secs((life / 10).min(3_600))
}

/// How far ahead of this computer's clock a certificate's `notBefore` may be and the
/// certificate still be used: 5 minutes. A clock a little behind CCE's makes every new
/// certificate look not yet valid; minting again would not help (the API server judges with
/// its own clock), so such a certificate is cached and used.
pub const CLOCK_SKEW: Duration = Duration::from_secs(300);

/// Whether a certificate valid from `not_before` to `not_after` is due for renewal at `now`
/// (seconds since the Unix epoch): within [`renewal_margin`] of `notAfter`, past it, or not
/// valid for more than [`CLOCK_SKEW`] yet.
///
/// ```
/// use clustercert_kubeconfig::exec::renewal_due;
/// let day = 86_400;
/// assert!(!renewal_due(0, day, 60)); // fresh
/// assert!(renewal_due(0, day, day - 60)); // within the hour before notAfter
/// assert!(!renewal_due(120, day, 0)); // two minutes ahead: clock skew
/// assert!(renewal_due(3_600, day, 0)); // an hour ahead: not trusted
/// ```
pub fn renewal_due(not_before: i64, not_after: i64, now: i64) -> bool {
    let margin = renewal_margin(not_before, not_after).as_secs() as i64;
    now.saturating_add(CLOCK_SKEW.as_secs() as i64) < not_before
        || now >= not_after.saturating_sub(margin)
}

/// What a cache entry is for: one certificate per endpoint, project, cluster, context and
/// credentials identity (an access key id, or a digest of a token; never a secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheKey {
    /// The endpoint URL or region.
    pub endpoint: String,
    /// The project id.
    pub project_id: String,
    /// The cluster id.
    pub cluster_id: String,
    /// The context (`internal` or `external`).
    pub context: String,
    /// Who asks: an access key id or a token digest.
    pub identity: String,
}

impl CacheKey {
    fn file_name(&self) -> String {
        let mut hasher = Sha256::new();
        for part in [
            &self.endpoint,
            &self.project_id,
            &self.cluster_id,
            &self.context,
            &self.identity,
        ] {
            hasher.update((part.len() as u64).to_be_bytes());
            hasher.update(part.as_bytes());
        }
        format!("{}.json", hex::encode(hasher.finalize()))
    }
}

/// A digest standing for a secret in a [`CacheKey`] (for example a token): the SHA-256 of
/// it, in hex, prefixed `sha256:`.
pub fn identity_digest(secret: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(secret.as_bytes())))
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    version: u32,
    key: CacheKey,
    #[serde(rename = "clientCertificate")]
    certificate_pem: String,
    #[serde(rename = "clientKey")]
    key_pem: String,
}

/// The credential cache folder: `<cache dir>/cce`, where the cache dir is `$KUBECACHEDIR`
/// when set, else `~/.kube/cache`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cache {
    folder: PathBuf,
}

/// A held cache entry: its lock, and the credential when the cache had a good one.
#[derive(Debug)]
pub struct CacheEntry {
    path: PathBuf,
    key: CacheKey,
    cached: Option<Credential>,
    _lock: KubeconfigLock,
}

impl Cache {
    /// The cache in `folder` (the `cce` folder itself).
    pub fn in_folder(folder: impl Into<PathBuf>) -> Cache {
        Cache {
            folder: folder.into(),
        }
    }

    /// The cache chosen from `KUBECACHEDIR` and the home folder.
    pub fn from_env(kubecachedir: Option<&std::ffi::OsStr>, home: Option<&Path>) -> Option<Cache> {
        let base = match kubecachedir.filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => home?.join(".kube").join("cache"),
        };
        Some(Cache::in_folder(base.join("cce")))
    }

    /// Creates the folder (mode 0700) when missing: to fail, before minting, where the cache
    /// cannot be.
    pub fn prepare(&self) -> Result<(), KubeconfigError> {
        create_private_folder(&self.folder)
    }

    /// The folder.
    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// The file of `key`.
    pub fn path_of(&self, key: &CacheKey) -> PathBuf {
        self.folder.join(key.file_name())
    }

    /// Locks the entry of `key` (waiting up to `timeout` for another process, which may be
    /// minting) and reads it: [`CacheEntry::cached`] is a credential not due for renewal
    /// at `now`, or `None` when the file is missing, foreign, corrupt or due.
    pub fn open(
        &self,
        key: &CacheKey,
        now: SystemTime,
        timeout: Duration,
    ) -> Result<CacheEntry, KubeconfigError> {
        create_private_folder(&self.folder)?;
        let path = self.path_of(key);
        let held = lock_private(&path, timeout)?;
        let now = now
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        let cached =
            read_cache(&path, key).filter(|c| !renewal_due(c.not_before, c.not_after, now));
        Ok(CacheEntry {
            path,
            key: key.clone(),
            cached,
            _lock: held,
        })
    }
}

impl CacheEntry {
    /// The cached credential, when there is a good one.
    pub fn cached(&self) -> Option<&Credential> {
        self.cached.as_ref()
    }

    /// The entry's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stores `credential` (atomically, mode 0600).
    pub fn store(&self, credential: &Credential) -> Result<(), KubeconfigError> {
        let file = CacheFile {
            version: 1,
            key: self.key.clone(),
            certificate_pem: credential.certificate_pem.clone(),
            key_pem: credential.key_pem.expose_secret().to_owned(),
        };
        let text = serde_json::to_vec(&file).map_err(|e| KubeconfigError::Render(e.to_string()))?;
        // A file there that is not ours to keep (a link, a folder, another user's file,
        // whose owner the atomic write would otherwise keep) is removed first.
        if let Ok(meta) = std::fs::symlink_metadata(&self.path) {
            if !meta.is_file() || !ours(&meta, &self.path) {
                let _ = std::fs::remove_file(&self.path);
            }
        }
        super::write_atomically(&self.path, &text)?;
        set_mode(&self.path, 0o600);
        Ok(())
    }
}

/// The cached credential of `path`, when it is a good one for `key`.
fn read_cache(path: &Path, key: &CacheKey) -> Option<Credential> {
    use std::io::Read as _;
    let meta = std::fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.len() > MAX_CACHE_FILE || !ours(&meta, path) {
        return None;
    }
    let mut text = Vec::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX_CACHE_FILE)
        .read_to_end(&mut text)
        .ok()?;
    let file: CacheFile = serde_json::from_slice(&text).ok()?;
    if file.version != 1 || &file.key != key {
        return None;
    }
    Credential::from_pem(&file.certificate_pem, &file.key_pem).ok()
}

/// Whether the cache file of `meta` at `path` is this user's alone: owned by the owner of
/// its folder (checked to be this user by [`create_private_folder`]) and writable by no one
/// else.
fn ours(meta: &std::fs::Metadata, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let folder_owner = path
            .parent()
            .and_then(|folder| std::fs::metadata(folder).ok())
            .map(|folder| folder.uid());
        folder_owner == Some(meta.uid()) && meta.mode() & 0o022 == 0
    }
    #[cfg(not(unix))]
    {
        let _ = (meta, path);
        true
    }
}

/// Creates the cache folder (0700) when missing, and makes sure it is this user's alone: a
/// folder (or the target of a link) that another user owns is refused, since that user could
/// read or replace the cached key; it is not changed. A folder of ours that others may enter
/// becomes 0700.
fn create_private_folder(folder: &Path) -> Result<(), KubeconfigError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(folder)
        .map_err(|source| KubeconfigError::Io {
            action: "create the folder",
            path: folder.to_path_buf(),
            source,
        })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
        let refuse = |reason: String| KubeconfigError::Io {
            action: "use the credential cache folder",
            path: folder.to_path_buf(),
            source: std::io::Error::other(reason),
        };
        let io = |source| KubeconfigError::Io {
            action: "use the credential cache folder",
            path: folder.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(folder).map_err(io)?;
        // Who this process is, as the owner of a file it creates there (an unnamed file,
        // gone when closed): no foreign call to geteuid needed.
        let mine = tempfile::tempfile_in(folder)
            .and_then(|probe| probe.metadata())
            .map_err(io)?
            .uid();
        if meta.uid() != mine {
            return Err(refuse(format!(
                "it belongs to user id {}, not to this user (id {mine}), who could read or \
                 replace the cached key; remove it or set KUBECACHEDIR elsewhere",
                meta.uid()
            )));
        }
        if meta.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
        }
    }
    Ok(())
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}
