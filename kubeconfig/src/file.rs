//! The kubeconfig file: where it is, reading it, and replacing it atomically.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::merge::{check_from, merge_from};
use super::{ClusterEntry, KubeconfigError, MergeOptions, Secrets};

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
}

/// The kubeconfig path kubectl uses: the first entry of `KUBECONFIG`, else
/// `~/.kube/config`.
pub fn default_path() -> Result<PathBuf, KubeconfigError> {
    let kubeconfig = std::env::var_os("KUBECONFIG");
    default_path_from(kubeconfig.as_deref(), std::env::home_dir().as_deref())
        .ok_or(KubeconfigError::NoDefaultPath)
}

/// [`default_path`] from the given `KUBECONFIG` value and home folder: the first non-empty
/// entry of `kubeconfig` (a path list, `:`-separated on Unix), else `home/.kube/config`.
///
/// ```
/// use std::path::{Path, PathBuf};
/// use clustercert_kubeconfig::default_path_from;
///
/// let home = Some(Path::new("/home/ada"));
/// assert_eq!(
///     default_path_from(None, home),
///     Some(PathBuf::from("/home/ada/.kube/config")),
/// );
/// # #[cfg(unix)]
/// assert_eq!(
///     default_path_from(Some("/a/first:/b/second".as_ref()), home),
///     Some(PathBuf::from("/a/first")),
/// );
/// ```
pub fn default_path_from(kubeconfig: Option<&OsStr>, home: Option<&Path>) -> Option<PathBuf> {
    kubeconfig
        .and_then(|value| std::env::split_paths(value).find(|p| !p.as_os_str().is_empty()))
        .or_else(|| home.map(|home| home.join(".kube").join("config")))
}

/// Merges `entry` into the kubeconfig file at `path` (see [`merge`](super::merge())) and
/// writes it back with [`write_atomically`].
///
/// A missing file (and folder) is created. A file that is not a kubeconfig is an error and
/// stays as it is. When `path` is a symbolic link, its target is updated.
pub fn update_file(
    path: &Path,
    entry: &ClusterEntry,
    options: &MergeOptions,
) -> Result<Update, KubeconfigError> {
    let path = resolve_link(path)?;
    let existing = read_existing(&path)?;
    let merged = merge_from(
        existing.as_deref().unwrap_or(""),
        Some(&path),
        entry,
        options,
    )?;
    let yaml = merged.to_yaml(Secrets::Show)?;
    write_atomically(&path, yaml.as_bytes())?;
    Ok(Update {
        path,
        created: existing.is_none(),
        replaced: merged.replaced(),
        name: merged.name().to_owned(),
    })
}

/// Checks that the file at `path` is a kubeconfig [`update_file`] can merge into (a missing
/// file is fine); see [`check`](super::check).
pub fn check_file(path: &Path) -> Result<(), KubeconfigError> {
    let path = resolve_link(path)?;
    match read_existing(&path)? {
        Some(existing) => check_from(&existing, Some(&path)),
        None => Ok(()),
    }
}

/// The file's text; `None` when it does not exist. Text that is not UTF-8 is
/// [`KubeconfigError::Malformed`].
pub fn read_existing(path: &Path) -> Result<Option<String>, KubeconfigError> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| KubeconfigError::Malformed {
                path: Some(path.to_path_buf()),
                reason: "it is not UTF-8 text".to_owned(),
            }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(KubeconfigError::Io {
            action: "read",
            path: path.to_path_buf(),
            source,
        }),
    }
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
/// is left as it was. The folder is created (mode 0700 on Unix) when missing. The new file's
/// mode is 0600 even when the old one's was wider.
pub fn write_atomically_with(
    path: &Path,
    fill: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<(), KubeconfigError> {
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let io_error = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| KubeconfigError::Io {
            action,
            path,
            source,
        }
    };
    create_folder(folder).map_err(io_error("create the folder", folder))?;

    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kubeconfig".to_owned());
    let mut builder = tempfile::Builder::new();
    let prefix = format!(".{file_name}.");
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
    let mut temp = builder
        .tempfile_in(folder)
        .map_err(io_error("create a temporary file in", folder))?;

    fill(temp.as_file_mut())
        .and_then(|()| temp.as_file_mut().flush())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(io_error("write", temp.path()))?;
    temp.persist(path)
        .map_err(|e| io_error("replace", path)(e.error))?;
    sync_folder(folder);
    Ok(())
}

/// A symbolic link's final target; any other path as it is.
fn resolve_link(path: &Path) -> Result<PathBuf, KubeconfigError> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_symlink() => {
            std::fs::canonicalize(path).map_err(|source| KubeconfigError::Io {
                action: "follow the link",
                path: path.to_path_buf(),
                source,
            })
        }
        _ => Ok(path.to_path_buf()),
    }
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
