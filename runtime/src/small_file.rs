//! Reading the small files the runtime is pointed at (the credentials profile, the regions
//! file) without trusting what is at the path: a regular file only, checked before it is
//! opened (opening a FIFO would wait for a writer) and again on what was opened (the path may
//! have changed in between), and never more than a cap read. Callers word the problems.

use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::Path;

/// Why a small file was not read.
#[derive(Debug)]
pub(crate) enum Problem {
    /// Nothing is at the path.
    Missing,
    /// The path is a symbolic link to nothing.
    DanglingLink,
    /// A directory.
    Directory,
    /// A device, FIFO, socket or other non-regular file.
    NotRegular,
    /// Larger than the cap (from its size, or from what was read).
    TooLarge,
    /// It could not be opened.
    Open(io::Error),
    /// It could not be read after opening.
    Read(io::Error),
}

/// The bytes of the regular file at `path` (at most `cap` of them) and its metadata.
pub(crate) fn read(path: &Path, cap: u64) -> Result<(Vec<u8>, Metadata), Problem> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Err(match std::fs::symlink_metadata(path) {
                Ok(_) => Problem::DanglingLink,
                Err(_) => Problem::Missing,
            });
        }
        Err(e) => return Err(Problem::Open(e)),
    };
    regular(&metadata, cap)?;
    let file = File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Problem::Missing,
        _ => Problem::Open(e),
    })?;
    let metadata = file.metadata().map_err(Problem::Read)?;
    regular(&metadata, cap)?;
    let mut bytes = Vec::new();
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(Problem::Read)?;
    if bytes.len() as u64 > cap {
        return Err(Problem::TooLarge);
    }
    Ok((bytes, metadata))
}

fn regular(metadata: &Metadata, cap: u64) -> Result<(), Problem> {
    if metadata.is_dir() {
        return Err(Problem::Directory);
    }
    if !metadata.is_file() {
        return Err(Problem::NotRegular);
    }
    if metadata.len() > cap {
        return Err(Problem::TooLarge);
    }
    Ok(())
}
