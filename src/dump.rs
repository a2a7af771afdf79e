//! Reading ring backing files from disk, once or while HAProxy writes them.
//!
//! This is the file-level side of [`store`](crate::store): [`RingFile`]
//! opens a file, maps it read-only with `memmap2`, and copies bytes out of
//! the mapping into owned buffers that [`store::reader`](crate::store::reader)
//! walks. [`Follower`] polls the mapping of a live ring and returns the
//! messages added since the last poll.
//!
//! Another process may rewrite the file at any time, so nothing here keeps
//! a reference into the mapping, and every value read from it is bounded
//! before use.

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
    /// The file could not be mapped into memory.
    #[error("cannot map {} into memory: {source}", path.display())]
    #[diagnostic(code(ringcfg::dump::map))]
    Map {
        /// Path of the file.
        path: PathBuf,
        /// Error from the system.
        source: io::Error,
    },
    /// The bytes copied out of the mapping did not form a ring image.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Image(#[from] ImageError),
}
