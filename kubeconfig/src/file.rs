//! The kubeconfig file: which one, checking it before a certificate is minted, reading it
//! with bounds, and replacing it atomically under a lock while keeping it the user's.
//!
//! - **Which file**: [`choose_path`] follows kubectl: `KUBECONFIG`'s only entry, else its
//!   first entry that exists, else its last; without `KUBECONFIG`, `~/.kube/config`.
//! - **Bounds**: a file above [`MAX_FILE_SIZE`] is refused before it is read whole (the read
//!   itself is capped, so a link to `/dev/zero` ends); only regular files are read or
//!   written; a UTF-8 byte order mark is accepted.
//! - **One writer at a time**: [`update_file`] holds the [`lock`](crate::lock) from reading
//!   to renaming.
//! - **The user's file**: the new file keeps the old one's owner and group; its mode stays,
//!   unless group or others had any permission: then it becomes 0600 (a [`FileWarning`] says so);
//!   a new file is 0600. A symbolic link stays a link: its target is replaced. Other hard
//!   links to the old file keep the old contents (the path gets a new file).

use std::ffi::OsStr;
use std::fmt;
use std::fs::{File, Metadata};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::lock::{lock, KubeconfigLock, DEFAULT_LOCK_TIMEOUT};
use super::merge::{check_from, merge_into, parse_from};
use super::{ClusterEntry, KubeconfigError, MergeOptions, Secrets};

/// The largest kubeconfig read: 32 MiB.
pub const MAX_FILE_SIZE: u64 = 32 << 20;

/// What [`update_file`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// The file written (a symbolic link's target, when the path was a link).
    pub path: PathBuf,
    /// Whether the file did not exist before.
    pub created: bool,
    /// Whether entries of the same name were replaced.
    pub replaced: bool,
    /// The name of the cluster, user and context.
    pub name: String,
    /// What the user should know about the file.
    pub warnings: Vec<FileWarning>,
}

/// Something about the file the user should know; it was written nonetheless.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileWarning {
    /// Group and others could read or write the old file; the new one is for its owner only.
    ModeNarrowed {
        /// The file.
        path: PathBuf,
        /// The old mode.
        from: u32,
        /// The new mode.
        to: u32,
    },
    /// The old file's owner or group could not be given to the new one.
    OwnerChanged {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

impl fmt::Display for FileWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileWarning::ModeNarrowed { path, from, to } => write!(
                f,
                "{} had mode {from:04o}, which lets others read the client key; it is now {to:04o}",
                path.display()
            ),
            FileWarning::OwnerChanged { path, reason } => write!(
                f,
                "{} could not keep its owner and group: {reason}",
                path.display()
            ),
        }
    }
}

/// How [`update_file_with`] and [`preflight`] treat the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOptions {
    /// How long to wait for another writer's lock ([`DEFAULT_LOCK_TIMEOUT`]).
    pub lock_timeout: Duration,
}

impl Default for FileOptions {
    fn default() -> Self {
        FileOptions {
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
        }
    }
}

/// The kubeconfig path kubectl writes to: see [`choose_path`], with `KUBECONFIG` and the home
/// folder of this process.
pub fn default_path() -> Result<PathBuf, KubeconfigError> {
    let kubeconfig = std::env::var_os("KUBECONFIG");
    choose_path(kubeconfig.as_deref(), std::env::home_dir().as_deref())
        .ok_or(KubeconfigError::NoDefaultPath)
}

/// The file kubectl writes to, given `KUBECONFIG` and the home folder: of the non-empty
/// entries of `kubeconfig` (a path list, `:`-separated on Unix), the only one, else the
/// first that exists, else the last; with none, `home/.kube/config`.
///
/// ```
/// use std::path::{Path, PathBuf};
/// use clustercert_kubeconfig::choose_path;
///
/// let home = Some(Path::new("/home/ada"));
/// assert_eq!(choose_path(None, home), Some(PathBuf::from("/home/ada/.kube/config")));
/// # #[cfg(unix)]
/// assert_eq!(
///     choose_path(Some("/nonexistent/a:/nonexistent/b".as_ref()), home),
///     Some(PathBuf::from("/nonexistent/b")),
/// );
/// ```
pub fn choose_path(kubeconfig: Option<&OsStr>, home: Option<&Path>) -> Option<PathBuf> {
    let mut entries: Vec<PathBuf> = Vec::new();
    for path in kubeconfig
        .map(|value| std::env::split_paths(value).collect::<Vec<_>>())
        .unwrap_or_default()
    {
        if !path.as_os_str().is_empty() && !entries.contains(&path) {
            entries.push(path);
        }
    }
    match entries.len() {
        0 => home.map(|home| home.join(".kube").join("config")),
        1 => entries.pop(),
        _ => entries
            .iter()
            .find(|p| std::fs::metadata(p).is_ok())
            .cloned()
            .or_else(|| entries.pop()),
    }
}

/// A kubeconfig path with its symbolic links followed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    /// The path as given (kubectl locks this name).
    given: PathBuf,
    /// The file to replace: the final target of a link, or `given`.
    file: PathBuf,
}

impl Target {
    fn resolve(given: &Path) -> Result<Target, KubeconfigError> {
        let mut file = given.to_path_buf();
        for _ in 0..40 {
            match std::fs::symlink_metadata(&file) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    let link = std::fs::read_link(&file).map_err(|source| KubeconfigError::Io {
                        action: "follow the link",
                        path: file.clone(),
                        source,
                    })?;
                    file = match file.parent() {
                        Some(parent) => parent.join(link),
                        None => link,
                    };
                }
                Ok(meta) if !meta.is_file() => {
                    return Err(KubeconfigError::NotAFile {
                        path: file,
                        kind: kind_of(&meta),
                    })
                }
                _ => {
                    return Ok(Target {
                        given: given.to_path_buf(),
                        file,
                    })
                }
            }
        }
        Err(KubeconfigError::Io {
            action: "follow the link",
            path: given.to_path_buf(),
            source: io::Error::other("too many levels of symbolic links"),
        })
    }

    fn folder(&self) -> &Path {
        folder_of(&self.file)
    }

    fn lock(&self, options: &FileOptions) -> Result<KubeconfigLock, KubeconfigError> {
        let mut paths = vec![self.given.as_path()];
        if self.file != self.given {
            paths.push(&self.file);
        }
        lock(&paths, options.lock_timeout)
    }
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

#[cfg(unix)]
fn kind_of(meta: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt as _;
    let kind = meta.file_type();
    if kind.is_dir() {
        "a folder"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_fifo() {
        "a pipe"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a file"
    }
}

#[cfg(not(unix))]
fn kind_of(meta: &Metadata) -> &'static str {
    if meta.is_dir() {
        "a folder"
    } else {
        "not a file"
    }
}

/// What [`preflight`] found; pass it on to nothing, it only says the file is usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    /// The file that will be written (a link's target).
    pub path: PathBuf,
    /// Whether it exists.
    pub exists: bool,
}

/// Everything about the file that can fail before a certificate is minted: the path (links
/// followed, a regular file or missing), the folder (created when missing, and writable:
/// a temporary file is created there and removed), the lock (taken and released), the
/// contents (readable, within bounds, a kubeconfig), and `names` (each free: see
/// [`check_name_free`](super::check_name_free)).
pub fn preflight(
    path: &Path,
    names: &[String],
    options: &FileOptions,
) -> Result<Preflight, KubeconfigError> {
    let target = Target::resolve(path)?;
    let folder = target.folder();
    create_folder(folder).map_err(|source| KubeconfigError::Io {
        action: "create the folder",
        path: folder.to_path_buf(),
        source,
    })?;
    temp_file_beside(&target.file).map_err(|source| KubeconfigError::Io {
        action: "create a file in",
        path: folder.to_path_buf(),
        source,
    })?;
    drop(target.lock(options)?);
    let existing = read_existing(&target.file)?;
    if let Some(text) = &existing {
        check_from(text, Some(&target.file))?;
        let document = parse_from(text, Some(&target.file))?;
        for name in names {
            super::merge::names_free(&document, name, Some(&target.file))?;
        }
    }
    Ok(Preflight {
        path: target.file,
        exists: existing.is_some(),
    })
}

/// Merges `entry` into the kubeconfig file at `path` (see [`merge`](super::merge())) under
/// the file's lock, and replaces the file atomically; see [`update_file_with`].
pub fn update_file(
    path: &Path,
    entry: &ClusterEntry,
    options: &MergeOptions,
) -> Result<Update, KubeconfigError> {
    update_file_with(path, entry, options, &FileOptions::default())
}

/// Merges `entry` into the kubeconfig file at `path`: locks it, reads it, refuses when the
/// entry's name is taken by an entry this tool did not write, merges, and replaces the file
/// atomically, keeping its owner, group and mode (0600 when it was wider).
///
/// A missing file (and folder) is created. A file that is not a kubeconfig is an error and
/// stays as it is. When `path` is a symbolic link, its target is replaced.
pub fn update_file_with(
    path: &Path,
    entry: &ClusterEntry,
    options: &MergeOptions,
    file_options: &FileOptions,
) -> Result<Update, KubeconfigError> {
    let target = Target::resolve(path)?;
    create_folder(target.folder()).map_err(|source| KubeconfigError::Io {
        action: "create the folder",
        path: target.folder().to_path_buf(),
        source,
    })?;
    let _lock = target.lock(file_options)?;
    // Resolved again under the lock: the link or file may have changed while we waited.
    let target = Target::resolve(path)?;
    let existing = read_existing(&target.file)?;
    let document = parse_from(existing.as_deref().unwrap_or(""), Some(&target.file))?;
    super::merge::names_free(&document, entry.name(), Some(&target.file))?;
    let merged = merge_into(document, Some(&target.file), entry, options)?;
    let yaml = merged.to_yaml(Secrets::Show)?;
    let warnings = replace(&target.file, |file| file.write_all(yaml.as_bytes()))?;
    Ok(Update {
        path: target.file,
        created: existing.is_none(),
        replaced: merged.replaced(),
        name: merged.name().to_owned(),
        warnings,
    })
}

/// Checks that the file at `path` is a kubeconfig [`update_file`] can merge into (a missing
/// file is fine); see [`check`](super::check).
pub fn check_file(path: &Path) -> Result<(), KubeconfigError> {
    let target = Target::resolve(path)?;
    match read_existing(&target.file)? {
        Some(existing) => check_from(&existing, Some(&target.file)),
        None => Ok(()),
    }
}

/// The file's text (a UTF-8 byte order mark removed); `None` when it does not exist.
///
/// Refused: anything but a regular file ([`KubeconfigError::NotAFile`]), more than
/// [`MAX_FILE_SIZE`] bytes (checked before reading, and the read is capped), and text that
/// is not UTF-8 ([`KubeconfigError::Malformed`]).
pub fn read_existing(path: &Path) -> Result<Option<String>, KubeconfigError> {
    let io_error = |action: &'static str| {
        move |source| KubeconfigError::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    };
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(io_error("read")(source)),
    };
    let meta = file.metadata().map_err(io_error("read"))?;
    if !meta.is_file() {
        return Err(KubeconfigError::NotAFile {
            path: path.to_path_buf(),
            kind: kind_of(&meta),
        });
    }
    let too_large = || KubeconfigError::Malformed {
        path: Some(path.to_path_buf()),
        reason: format!(
            "it is larger than {} MiB, the most a kubeconfig may be",
            MAX_FILE_SIZE >> 20
        ),
    };
    if meta.len() > MAX_FILE_SIZE {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error("read"))?;
    if bytes.len() as u64 > MAX_FILE_SIZE {
        return Err(too_large());
    }
    let text = String::from_utf8(bytes).map_err(|_| KubeconfigError::Malformed {
        path: Some(path.to_path_buf()),
        reason: "it is not UTF-8 text".to_owned(),
    })?;
    Ok(Some(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    }))
}

/// Replaces the file at `path` with `contents`, atomically: see [`write_atomically_with`].
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), KubeconfigError> {
    write_atomically_with(path, |file| file.write_all(contents))
}

/// Replaces the file at `path` with what `fill` writes, atomically.
///
/// `fill` writes to a temporary file in the same folder (mode 0600 on Unix); the file is
/// flushed to disk and then renamed over `path`, so a reader sees the old file or the new
/// one, never a part. When `fill` or any step fails the temporary file is removed and `path`
/// is left as it was. The folder is created (mode 0700 on Unix) when missing. An existing
/// file's owner and group are kept; its mode too, unless it gave group or others any
/// permission: then it becomes 0600. This takes no lock: [`update_file`] does.
pub fn write_atomically_with(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), KubeconfigError> {
    let folder = folder_of(path);
    create_folder(folder).map_err(|source| KubeconfigError::Io {
        action: "create the folder",
        path: folder.to_path_buf(),
        source,
    })?;
    replace(path, fill).map(drop)
}

/// A temporary file beside `path`, mode 0600 on Unix.
fn temp_file_beside(path: &Path) -> io::Result<tempfile::NamedTempFile> {
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kubeconfig".to_owned());
    let prefix = format!(".{file_name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
    builder.tempfile_in(folder_of(path))
}

/// The atomic replacement; the folder exists.
fn replace(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<Vec<FileWarning>, KubeconfigError> {
    let folder = folder_of(path);
    let io_error = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| KubeconfigError::Io {
            action,
            path,
            source,
        }
    };
    let old = match std::fs::metadata(path) {
        Ok(meta) if meta.is_file() => Some(meta),
        Ok(meta) => {
            return Err(KubeconfigError::NotAFile {
                path: path.to_path_buf(),
                kind: kind_of(&meta),
            })
        }
        Err(_) => None,
    };
    let mut temp =
        temp_file_beside(path).map_err(io_error("create a temporary file in", folder))?;
    fill(temp.as_file_mut())
        .and_then(|()| temp.as_file_mut().flush())
        .map_err(io_error("write", temp.path()))?;
    let warnings = match &old {
        Some(old) => keep_owner_and_mode(temp.as_file(), old, path),
        None => Vec::new(),
    };
    temp.as_file()
        .sync_all()
        .map_err(io_error("write", temp.path()))?;
    temp.persist(path)
        .map_err(|e| io_error("replace", path)(e.error))?;
    sync_folder(folder);
    Ok(warnings)
}

/// Gives the new file the old one's owner, group and mode (less group and other bits).
#[cfg(unix)]
fn keep_owner_and_mode(new: &File, old: &Metadata, path: &Path) -> Vec<FileWarning> {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let mut warnings = Vec::new();
    if let Ok(current) = new.metadata() {
        if current.uid() != old.uid() || current.gid() != old.gid() {
            if let Err(e) = std::os::unix::fs::fchown(new, Some(old.uid()), Some(old.gid())) {
                warnings.push(FileWarning::OwnerChanged {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
            }
        }
    }
    let from = old.mode() & 0o7777;
    let to = if from & 0o077 != 0 {
        warnings.push(FileWarning::ModeNarrowed {
            path: path.to_path_buf(),
            from,
            to: 0o600,
        });
        0o600
    } else {
        from
    };
    // After fchown, which may clear set-id bits.
    let _ = new.set_permissions(std::fs::Permissions::from_mode(to));
    warnings
}

#[cfg(not(unix))]
fn keep_owner_and_mode(_new: &File, _old: &Metadata, _path: &Path) -> Vec<FileWarning> {
    Vec::new()
}

fn create_folder(folder: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(folder)
}

/// Makes the rename durable. Best effort: not every platform can open a folder.
fn sync_folder(folder: &Path) {
    #[cfg(unix)]
    if let Ok(dir) = File::open(folder) {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = folder;
}
