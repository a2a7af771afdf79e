//! What is at a backing-file path before it is opened, and rotation to `PATH.bak`.
//!
//! HAProxy 3.x renames a backing file to `PATH.bak` before it resets the
//! ring, unless the file already holds an empty ring, so that restarts keep
//! the messages of the previous run. This module does the same, with four
//! differences that keep data safe:
//!
//! * a non-empty `PATH.bak` is moved to the first free `PATH.bak.N`
//!   (N = 1, 2, ...) instead of being replaced, so every older run is kept;
//!   only a 0-byte `PATH.bak` is replaced;
//! * a file in a foreign layout (an HAProxy 2.x ring, a build without
//!   threads, anything else) is rotated too; HAProxy overwrites it;
//! * a 0-byte file is reused rather than rotated, since there is nothing in
//!   it to keep;
//! * a symbolic link, a directory or any other non-regular file is rejected
//!   and left as it is; HAProxy follows links and renames directories.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rustix::fs::RenameFlags;
use rustix::io::Errno;

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
/// [`ApplyError::NotRegular`] for what this crate rejects, and
/// [`ApplyError::Inspect`] when the path cannot be examined.
pub(crate) fn inspect(path: &Path) -> Result<Existing, ApplyError> {
    let metadata = match fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Existing::Missing),
        Err(source) => return Err(ApplyError::inspect(path, source)),
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

    let inspect_error = |source| ApplyError::inspect(path, source);
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
    numbered(path, ".bak")
}

fn numbered(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The paths of one rotation: the new backup and the older backup it displaced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rotation {
    /// `PATH.bak`, which now contains the old file.
    pub(crate) backup: PathBuf,
    /// `PATH.bak.N`, where the previous non-empty `PATH.bak` went, if there was one.
    pub(crate) older_backup: Option<PathBuf>,
}

/// The state of `PATH.bak` once a non-empty one has been moved aside.
enum OldBackup {
    /// No `PATH.bak` exists.
    Missing,
    /// `PATH.bak` is a 0-byte file, which may be replaced.
    Empty,
    /// `PATH.bak` was moved to this `PATH.bak.N`.
    MovedTo(PathBuf),
}

/// Renames `path` to `PATH.bak`, first moving a non-empty `PATH.bak` to the
/// first free `PATH.bak.N` (N = 1, 2, ...).
///
/// HAProxy replaces `PATH.bak`, losing the backup of the run before. Here
/// only a 0-byte `PATH.bak` is replaced. Every other rename fails rather than
/// replace a file, even one that another process created meanwhile. Unlike
/// HAProxy, which goes on and overwrites the file when the rename fails, a
/// failure here is an error and `path` is left untouched.
///
/// # Errors
///
/// [`ApplyError::Rotate`] when `PATH.bak` is not a regular file or a rename fails.
pub(crate) fn rotate(path: &Path) -> Result<Rotation, ApplyError> {
    let backup = backup_path(path);
    let old = move_older_backup(path, &backup)?;

    let renamed = match old {
        OldBackup::Empty => fs::rename(path, &backup),
        OldBackup::Missing | OldBackup::MovedTo(_) => rename_no_replace(path, &backup),
    };
    renamed.map_err(|source| ApplyError::rotate(path, &backup, source))?;
    log::debug!("rotated {} to {}", path.display(), backup.display());

    let older_backup = match old {
        OldBackup::MovedTo(older) => Some(older),
        OldBackup::Missing | OldBackup::Empty => None,
    };
    Ok(Rotation { backup, older_backup })
}

/// Moves a non-empty `backup` to the first free `backup.N`.
fn move_older_backup(path: &Path, backup: &Path) -> Result<OldBackup, ApplyError> {
    let metadata = match fs::symlink_metadata(backup) {
        Ok(metadata) => metadata,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(OldBackup::Missing),
        Err(source) => return Err(ApplyError::inspect(backup, source)),
    };
    if !metadata.file_type().is_file() {
        let source = io::Error::new(
            io::ErrorKind::AlreadyExists,
            "the backup path exists and is not a regular file",
        );
        return Err(ApplyError::rotate(path, backup, source));
    }
    if metadata.len() == 0 {
        return Ok(OldBackup::Empty);
    }

    for n in 1u32.. {
        let older = numbered(backup, &format!(".{n}"));
        match rename_no_replace(backup, &older) {
            Ok(()) => {
                log::debug!("kept older backup {} as {}", backup.display(), older.display());
                return Ok(OldBackup::MovedTo(older));
            }
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {}
            Err(source) => return Err(ApplyError::rotate(backup, &older, source)),
        }
    }
    let source = io::Error::new(io::ErrorKind::AlreadyExists, "every numbered backup is taken");
    Err(ApplyError::rotate(path, backup, source))
}

/// Renames `from` to `to`, failing with `AlreadyExists` if `to` exists.
///
/// Uses `renameat2(RENAME_NOREPLACE)`; on a file system without it, a hard
/// link then an unlink of `from`, which cannot replace `to` either.
fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    let cwd = rustix::fs::CWD;
    match rustix::fs::renameat_with(cwd, from, cwd, to, RenameFlags::NOREPLACE) {
        Ok(()) => Ok(()),
        // NOTE: the tests run on tmpfs or ext4, which support the flag, so
        // they call the fallback directly rather than through this branch.
        Err(Errno::INVAL | Errno::NOSYS | Errno::NOTSUP) => link_then_unlink(from, to),
        Err(errno) => Err(errno.into()),
    }
}

/// Moves `from` to `to` by a hard link and an unlink; the link fails with
/// `AlreadyExists` when `to` exists, so nothing is replaced.
fn link_then_unlink(from: &Path, to: &Path) -> io::Result<()> {
    fs::hard_link(from, to)?;
    fs::remove_file(from)
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
    fn link_fallback_never_replaces() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let from = dir.path().join("r1.bin.bak");
        let to = dir.path().join("r1.bin.bak.1");
        fs::write(&from, b"older messages").expect("write the backup");
        fs::write(&to, b"oldest messages").expect("write the numbered backup");

        let error = link_then_unlink(&from, &to).expect_err("the target exists");
        assert_eq!(error.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&from).expect("the backup stays"), b"older messages");
        assert_eq!(fs::read(&to).expect("the target stays"), b"oldest messages");

        fs::remove_file(&to).expect("free the target");
        link_then_unlink(&from, &to).expect("the target is free");
        assert!(!from.exists(), "the source name is gone");
        assert_eq!(fs::read(&to).expect("the backup moved"), b"older messages");
    }

    #[test]
    fn backup_appends_suffix() {
        assert_eq!(backup_path(Path::new("/x/r1.bin")), PathBuf::from("/x/r1.bin.bak"));
    }
}
