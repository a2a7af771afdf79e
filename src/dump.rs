//! Reading ring backing files from disk, once or while HAProxy writes them.
//!
//! This is the file-level side of [`store`](crate::store): [`RingFile`]
//! opens a file read-only and copies bytes out of it with positioned reads
//! into owned buffers that [`store::reader`](crate::store::reader) walks.
//! [`Follower`] polls a live ring and returns the messages added since the
//! last poll.
//!
//! Another process may rewrite or truncate the file at any time, so every
//! value read from it is bounded before use, and nothing here maps the file:
//! touching a mapped page past the end of a truncated file raises `SIGBUS`,
//! while a positioned read just returns fewer bytes.

mod file;
mod follow;

use std::io;
use std::path::PathBuf;

use crate::store::reader::ImageError;

pub use file::{RingFile, WINDOW};
pub use follow::{Event, Follower, OwnedMessage, Restart};

/// Error of opening or reading a ring file.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum DumpError {
    /// The file could not be opened.
    #[error("cannot open {}: {source}", path.display())]
    #[diagnostic(code(ringcfg::dump::open), help("check the path and its permissions"))]
    Open {
        /// Path of the file.
        path: PathBuf,
        /// Error from the system.
        source: io::Error,
    },
    /// The file's metadata could not be read.
    #[error("cannot read the metadata of {}: {source}", path.display())]
    #[diagnostic(code(ringcfg::dump::stat))]
    Metadata {
        /// Path of the file.
        path: PathBuf,
        /// Error from the system.
        source: io::Error,
    },
    /// The path names a directory, a device or another non-regular file.
    #[error("{} is not a regular file", path.display())]
    #[diagnostic(
        code(ringcfg::dump::not_regular_file),
        help("give the path of a ring backing file")
    )]
    NotRegularFile {
        /// Path of the file.
        path: PathBuf,
    },
    /// The file has no byte, so no ring header.
    #[error("{} is empty (0 bytes), so it holds no ring header", path.display())]
    #[diagnostic(
        code(ringcfg::dump::empty_file),
        help("a ring backing file holds at least its header; check the path")
    )]
    Empty {
        /// Path of the file.
        path: PathBuf,
    },
    /// Reading the file failed.
    #[error("cannot read {}: {source}", path.display())]
    #[diagnostic(code(ringcfg::dump::read))]
    Read {
        /// Path of the file.
        path: PathBuf,
        /// Error from the system.
        source: io::Error,
    },
    /// The file ended before the bytes its header describes: another
    /// process truncated it while it was read.
    #[error("{} shrank to {end} bytes while it was read", path.display())]
    #[diagnostic(
        code(ringcfg::dump::shrank),
        help("the writer truncated or recreated the file; read it again")
    )]
    Shrank {
        /// Path of the file.
        path: PathBuf,
        /// Offset where the read ended, the file length at that moment.
        end: u64,
    },
    /// The bytes read from the file did not form a ring image.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Image(#[from] ImageError),
}

impl From<DumpError> for io::Error {
    /// Keeps the message; a file that shrank gives
    /// [`UnexpectedEof`](io::ErrorKind::UnexpectedEof).
    fn from(error: DumpError) -> Self {
        let kind = match &error {
            DumpError::Read { source, .. } => source.kind(),
            DumpError::Shrank { .. } => io::ErrorKind::UnexpectedEof,
            _ => io::ErrorKind::Other,
        };
        io::Error::new(kind, error)
    }
}
