//! One writer at a time: a lock on a kubeconfig file that kubectl honours.
//!
//! Why this mechanism:
//!
//! - **kubectl's convention.** client-go, before it writes a kubeconfig, creates
//!   `<file>.lock` with `O_CREAT|O_EXCL` and removes it afterwards; a second kubectl that
//!   finds the file fails at once ("file exists"). We create the same file the same way, so
//!   kubectl fails on ours as on its own, and we never write while kubectl holds it.
//! - **Staleness without guessing.** A `<file>.lock` left by a process that died blocks
//!   client-go forever. To tell a dead owner from a live one without timestamps or pids
//!   (a pid can be reused), our writers first take an advisory `flock` on a side file,
//!   `<folder>/.<name>.cce-lock`. The kernel drops a `flock` when its owner dies. So a
//!   writer that holds the side lock and finds a `<file>.lock` *marked as ours* (it holds our
//!   marker and the pid, for people) knows its owner is gone: every live writer of ours
//!   removes its `<file>.lock` before it lets go of the side lock. Only then is a lock file
//!   removed. The side file itself is never removed (removing a `flock`ed file lets two
//!   writers lock two different files).
//! - **kubectl's lock files are never removed.** They are empty, so they are not marked as
//!   ours; we wait for them to go, up to a bound, and then fail with one line naming the
//!   file. A stale one is for a person to remove, as with kubectl itself.
//! - **What the lock cannot cover.** client-go's `ModifyConfig` reads the file before it takes
//!   the lock, and afterwards deletes every entry that was not in that first read. An entry
//!   that another writer (ours, or another kubectl) adds between kubectl's read and its lock is
//!   removed by kubectl. Our writers read under the lock, so they never drop kubectl's
//!   entries; the test `our_writer_and_kubectl_set_context_in_a_loop_keep_both_sides` checks
//!   both halves.
//!
//! `flock` comes from the standard library (`File::lock`), a safe API (no foreign calls).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::KubeconfigError;

/// How long [`lock`] waits by default for another writer.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(10);

/// What our `<file>.lock` files start with.
const MARKER: &str = "cce-kubeconfig lock, pid ";

/// How often a waiting writer looks again.
const POLL: Duration = Duration::from_millis(20);

/// A held lock on a kubeconfig file: `<file>.lock` (client-go's) and the side lock. Dropping
/// it removes the lock file, then releases the side lock.
#[derive(Debug)]
pub struct KubeconfigLock {
    lock_files: Vec<PathBuf>,
    side: File,
}

impl Drop for KubeconfigLock {
    fn drop(&mut self) {
        for path in self.lock_files.iter().rev() {
            let _ = std::fs::remove_file(path);
        }
        let _ = self.side.unlock();
    }
}

/// The client-go lock file of `path`: `<path>.lock`.
pub fn lock_file_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// The side file whose `flock` orders our writers: `<folder>/.<name>.cce-lock`.
pub fn side_file_of(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kubeconfig".to_owned());
    path.with_file_name(format!(".{name}.cce-lock"))
}

/// Locks the kubeconfig `paths` (the path as given and, for a symbolic link, its target:
/// kubectl locks the name it was given): waits up to `timeout` for other writers, then
/// fails naming the lock file. The folder must exist.
pub fn lock(paths: &[&Path], timeout: Duration) -> Result<KubeconfigLock, KubeconfigError> {
    let deadline = Instant::now() + timeout;
    let first = paths.first().copied().unwrap_or(Path::new("kubeconfig"));
    let side = take_side_lock(first, deadline, timeout)?;
    let mut held = KubeconfigLock {
        lock_files: Vec::new(),
        side,
    };
    for path in paths {
        let lock_file = lock_file_of(path);
        if held.lock_files.contains(&lock_file) {
            continue;
        }
        create_lock_file(&lock_file, deadline, timeout)?;
        held.lock_files.push(lock_file);
    }
    Ok(held)
}

/// Locks a file that only this tool writes (the credential cache): the side lock alone. No
/// client-go `<file>.lock` is made, so none that a crash left behind can block it.
pub fn lock_private(path: &Path, timeout: Duration) -> Result<KubeconfigLock, KubeconfigError> {
    let side = take_side_lock(path, Instant::now() + timeout, timeout)?;
    Ok(KubeconfigLock {
        lock_files: Vec::new(),
        side,
    })
}

/// Takes the side lock of `path`, waiting until `deadline`. A side file that is a symbolic
/// link is refused: opening it would create or lock a file elsewhere.
fn take_side_lock(
    first: &Path,
    deadline: Instant,
    timeout: Duration,
) -> Result<File, KubeconfigError> {
    let side_path = side_file_of(first);
    if std::fs::symlink_metadata(&side_path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(KubeconfigError::Io {
            action: "use the lock file",
            path: side_path,
            source: io::Error::other("it is a symbolic link; remove it"),
        });
    }
    // Read-only is enough for `flock`, so a side file another user created still serves.
    // A new one is made exclusively, which never follows a link.
    let side = File::open(&side_path)
        .or_else(|e| match e.kind() {
            io::ErrorKind::NotFound => OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&side_path)
                .inspect(|file| set_mode(file, 0o644))
                .or_else(|e| match e.kind() {
                    io::ErrorKind::AlreadyExists => File::open(&side_path),
                    _ => Err(e),
                }),
            _ => Err(e),
        })
        .map_err(|source| KubeconfigError::Io {
            action: "open the lock file",
            path: side_path.clone(),
            source,
        })?;
    loop {
        match side.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                if Instant::now() >= deadline {
                    return Err(busy(&side_path, timeout, "another cce-kubeconfig"));
                }
                std::thread::sleep(POLL);
            }
            Err(TryLockError::Error(source)) => {
                return Err(KubeconfigError::Io {
                    action: "lock",
                    path: side_path,
                    source,
                })
            }
        }
    }
    Ok(side)
}

/// Creates `lock_file` exclusively, holding the side lock: removes one of ours (its owner is
/// dead, see the module docs), waits for any other.
fn create_lock_file(
    lock_file: &Path,
    deadline: Instant,
    timeout: Duration,
) -> Result<(), KubeconfigError> {
    loop {
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(lock_file)
        {
            Ok(mut file) => {
                set_mode(&file, 0o600);
                // For people who find it; the side lock is what proves it alive.
                let _ = writeln!(file, "{MARKER}{}", std::process::id());
                return Ok(());
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                if is_ours(lock_file) {
                    // We hold the side lock, so its owner is gone.
                    match std::fs::remove_file(lock_file) {
                        Ok(()) => continue,
                        Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                        Err(source) => {
                            return Err(KubeconfigError::Io {
                                action: "remove the stale lock file",
                                path: lock_file.to_path_buf(),
                                source,
                            })
                        }
                    }
                }
                if Instant::now() >= deadline {
                    return Err(busy(lock_file, timeout, "another program (kubectl?)"));
                }
                std::thread::sleep(POLL);
            }
            Err(source) => {
                return Err(KubeconfigError::Io {
                    action: "create the lock file",
                    path: lock_file.to_path_buf(),
                    source,
                })
            }
        }
    }
}

/// Whether the lock file carries our marker (read at most a few bytes).
fn is_ours(lock_file: &Path) -> bool {
    let mut head = [0u8; 64];
    let Ok(file) = File::open(lock_file) else {
        return false;
    };
    let Ok(n) = file.take(head.len() as u64).read(&mut head) else {
        return false;
    };
    head[..n].starts_with(MARKER.as_bytes())
}

fn busy(lock_file: &Path, timeout: Duration, holder: &str) -> KubeconfigError {
    KubeconfigError::Locked {
        lock_file: lock_file.to_path_buf(),
        waited: timeout,
        holder: holder.to_owned(),
    }
}

/// Best effort: the lock works whatever the mode.
fn set_mode(file: &File, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = file.set_permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (file, mode);
}
