//! What is at a backing-file path before it is opened, and rotation to `PATH.bak`.
//!
//! HAProxy 3.x renames a backing file to `PATH.bak` before it resets the
//! ring, unless the file already holds an empty ring, so that restarts keep
//! the messages of the previous run. This module does the same, with three
//! differences that keep data safe:
//!
//! * a file in a foreign layout (an HAProxy 2.x ring, a build without
//!   threads, anything else) is rotated too; HAProxy overwrites it;
//! * a 0-byte file is reused rather than rotated, since rotating it would
//!   replace a `.bak` that may hold the previous run's messages with nothing;
//! * a symbolic link, a directory or any other non-regular file is refused
//!   and left as it is; HAProxy follows links and renames directories.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::ApplyError;
use crate::store::header::{self, V2A_HEAD_OFFSET, V2A_LEN, V2A_TAIL_OFFSET};

/// What a backing-file path holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Existing {
    /// Nothing: the file will be created.
    Missing,
    /// A 0-byte file.
    EmptyFile,
    /// A ring in HAProxy 3.x's threaded layout with no message.
    EmptyRing,
    /// A file whose bytes must be kept; the reason is shown to the user.
    Contents(&'static str),
}

/// Looks at `path` without following a symbolic link.
///
/// # Errors
///
/// [`ApplyError::Symlink`], [`ApplyError::Directory`] or
/// [`ApplyError::NotRegular`] for what this crate refuses to touch, and
/// [`ApplyError::Inspect`] when the path cannot be examined.
pub(crate) fn inspect(path: &Path) -> Result<Existing, ApplyError> {
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Existing::Missing),
        Err(source) => return Err(ApplyError::Inspect { path: path.to_owned(), source }),
    };
    let kind = metadata.file_type();
    if kind.is_symlink() {
        return Err(ApplyError::Symlink { path: path.to_owned() });
    }
    if kind.is_dir() {
        return Err(ApplyError::Directory { path: path.to_owned() });
    }
    if !kind.is_file() {
        return Err(ApplyError::NotRegular { path: path.to_owned() });
    }
    if metadata.len() == 0 {
        return Ok(Existing::EmptyFile);
    }

    let inspect_error = |source| ApplyError::Inspect { path: path.to_owned(), source };
    let mut first = Vec::with_capacity(V2A_LEN);
    File::open(path)
        .and_then(|file| file.take(V2A_LEN as u64).read_to_end(&mut first))
        .map_err(inspect_error)?;
    Ok(classify_header(&first))
}

/// Classifies the first bytes of a non-empty file as HAProxy's rotation does.
fn classify_header(first: &[u8]) -> Existing {
    if first.len() < V2A_LEN {
        return Existing::Contents("it is shorter than a ring header");
    }
    if header::read_u64(first, header::RSVD_OFFSET) != Some(V2A_LEN as u64) {
        return Existing::Contents("it is not in HAProxy 3.x's threaded ring layout");
    }
    let head = header::read_u64(first, V2A_HEAD_OFFSET);
    let tail = header::read_u64(first, V2A_TAIL_OFFSET);
    if head == Some(0) && tail == Some(1) {
        Existing::EmptyRing
    } else {
        Existing::Contents("it holds messages")
    }
}

/// Returns `PATH.bak`.
pub(crate) fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".bak");
    PathBuf::from(name)
}

/// Renames `path` to `PATH.bak`, replacing an older backup file.
///
/// Unlike HAProxy, which goes on and overwrites the file when the rename
/// fails, a failure here is an error and `path` is left untouched.
///
/// # Errors
///
/// [`ApplyError::Rotate`] when the backup path is a directory or the rename fails.
pub(crate) fn rotate(path: &Path) -> Result<PathBuf, ApplyError> {
    let backup = backup_path(path);
    let rotate_error =
        |source| ApplyError::Rotate { path: path.to_owned(), backup: backup.clone(), source };
    if fs::symlink_metadata(&backup).is_ok_and(|metadata| metadata.is_dir()) {
        return Err(rotate_error(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "the backup path is a directory",
        )));
    }
    fs::rename(path, &backup).map_err(rotate_error)?;
    log::debug!("rotated {} to {}", path.display(), backup.display());
    Ok(backup)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_headers() {
        let mut ring = vec![0u8; V2A_LEN + 8];
        header::init_empty_v2a(&mut ring);
        assert_eq!(classify_header(&ring[..V2A_LEN]), Existing::EmptyRing);

        header::write_u64(&mut ring, V2A_TAIL_OFFSET, 5);
        assert_eq!(classify_header(&ring[..V2A_LEN]), Existing::Contents("it holds messages"));

        header::write_u64(&mut ring, header::RSVD_OFFSET, 32);
        assert!(
            matches!(classify_header(&ring[..V2A_LEN]), Existing::Contents(why) if why.contains("layout"))
        );
        assert!(
            matches!(classify_header(&ring[..10]), Existing::Contents(why) if why.contains("shorter"))
        );
    }

    #[test]
    fn backup_appends_suffix() {
        assert_eq!(backup_path(Path::new("/x/r1.bin")), PathBuf::from("/x/r1.bin.bak"));
    }
}
