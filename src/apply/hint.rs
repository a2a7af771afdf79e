//! The next step to suggest when a system call on a backing file fails.
//!
//! `io::Error` alone reads "Permission denied (os error 13)", which does not
//! say which file or directory is at fault nor how to fix it. These helpers
//! look at the errno and the path when the error is built, so the message
//! names the real cause.

use std::io;
use std::path::Path;

use rustix::io::Errno;

/// Advice for a failed `open`, `stat` or read of `path`; empty when there is none.
pub(crate) fn open(path: &Path, error: &io::Error) -> String {
    let dir = parent(path);
    if error.kind() == io::ErrorKind::NotFound {
        return format!("create the directory {} first", dir.display());
    }
    match Errno::from_io_error(error) {
        Some(Errno::ACCESS) if path.symlink_metadata().is_ok() => format!(
            "make {} readable and writable by this user (chmod u+rw, or chown it to this user), \
             or run as its owner",
            path.display()
        ),
        Some(Errno::ACCESS) => not_writable(dir),
        Some(Errno::PERM) => immutable(path, dir),
        Some(Errno::ROFS) => "the file system is read-only; choose a path on a writable one".into(),
        _ => String::new(),
    }
}

/// Advice for a failed rename of `path` to `target`.
pub(crate) fn rename(path: &Path, target: &Path, error: &io::Error) -> String {
    let dir = parent(path);
    match Errno::from_io_error(error) {
        Some(Errno::ACCESS) => not_writable(dir),
        Some(Errno::PERM) => immutable(path, dir),
        Some(Errno::ROFS) => "the file system is read-only; choose a path on a writable one".into(),
        _ if error.kind() == io::ErrorKind::AlreadyExists => {
            format!("move {} away and retry", target.display())
        }
        _ => format!("move {} aside yourself and retry", path.display()),
    }
}

fn not_writable(dir: &Path) -> String {
    format!(
        "the directory {} is not writable by this user; make it writable (chmod or chown) \
         or point backing-file at a writable directory",
        dir.display()
    )
}

fn immutable(path: &Path, dir: &Path) -> String {
    format!(
        "{path} or the directory {dir} is immutable or append-only (check with `lsattr -d`), \
         or {dir} has the sticky bit and belongs to another user; clear the attribute with \
         `chattr -i -a` or move the file yourself",
        path = path.display(),
        dir = dir.display()
    )
}

/// The directory that contains `path`, or `.` for a bare file name.
fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_directory_is_named() {
        let error = io::Error::from(io::ErrorKind::NotFound);
        let hint = open(Path::new("/no/such/dir/r.bin"), &error);
        assert_eq!(hint, "create the directory /no/such/dir first");
    }

    #[test]
    fn rename_eperm_names_the_attribute() {
        let error = io::Error::from_raw_os_error(Errno::PERM.raw_os_error());
        let hint = rename(Path::new("/d/r.bin"), Path::new("/d/r.bin.bak"), &error);
        assert!(hint.contains("chattr -i -a"), "{hint}");
    }

    #[test]
    fn bare_file_name_is_in_current_directory() {
        assert_eq!(parent(Path::new("r.bin")), Path::new("."));
    }
}
