//! A ring file open read-only, and positioned reads out of it.
//!
//! Bytes are copied with `pread` rather than through a memory mapping.
//! Another process may truncate the file at any time, and touching a mapped
//! page past the new end raises `SIGBUS`; a positioned read of the same
//! bytes just returns fewer of them.

use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::ops::Range;
use std::os::unix::fs::{FileExt, MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use rustix::fs::OFlags;

use super::DumpError;
use crate::store::layout::{Geometry, PROBE_LEN};
use crate::store::reader::{ImageError, Message, RingImage, WalkEnd, walk_in_windows};

/// Bytes read from the file at a time by [`RingFile::walk_messages`]:
/// large enough to amortize each system call, small enough to stay in cache.
pub const WINDOW: usize = 1 << 17;

/// Device and inode numbers, which tell a replaced file from the same one.
pub(crate) type Identity = (u64, u64);

/// A ring backing file, open read-only.
///
/// The writer of the ring may change its bytes, or its length, at any
/// time. `RingFile` reads them with positioned reads into owned buffers,
/// and everything built on top treats those bytes as untrusted. A read that
/// ends early means the file shrank since its length was last checked.
///
/// ```no_run
/// use ringcfg::dump::RingFile;
///
/// let ring = RingFile::open("/dev/shm/haproxy/r1.bin")?;
/// for message in ring.read_image()?.messages() {
///     println!("{}", String::from_utf8_lossy(message.payload));
/// }
/// # Ok::<(), ringcfg::dump::DumpError>(())
/// ```
#[derive(Debug)]
pub struct RingFile {
    path: PathBuf,
    file: File,
    len: u64,
    identity: Identity,
}

impl RingFile {
    /// Opens `path` read-only and records its length.
    ///
    /// # Errors
    ///
    /// [`DumpError`] when the file cannot be opened or examined, is not a
    /// regular file, or is empty.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DumpError> {
        let path = path.as_ref().to_path_buf();
        // Non-blocking, so that opening a FIFO by mistake cannot wait for a
        // writer; regular files ignore the flag.
        let file = OpenOptions::new()
            .read(true)
            .custom_flags(OFlags::NONBLOCK.bits() as i32)
            .open(&path)
            .map_err(|source| DumpError::Open { path: path.clone(), source })?;
        let metadata = metadata_of(&file, &path)?;
        if !metadata.is_file() {
            return Err(DumpError::NotRegularFile { path });
        }
        let len = non_empty(metadata.len(), &path)?;
        Ok(Self { path, file, len, identity: identity_of(&metadata) })
    }

    /// Returns the path the file was opened with.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns the file length when it was opened or last checked.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Returns whether the recorded length is zero, which never happens
    /// because [`open`](Self::open) and [`update_len`](Self::update_len)
    /// reject empty files.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub(crate) fn identity(&self) -> Identity {
        self.identity
    }

    /// Records the file's current length when it changed.
    ///
    /// Returns the old length when it did. A reader of a live file calls
    /// this before each read, so that the geometry it reads is bounded by
    /// the length the file has now.
    ///
    /// # Errors
    ///
    /// [`DumpError`] when the file's metadata cannot be read or when it is
    /// now empty; the recorded length is then unchanged.
    pub fn update_len(&mut self) -> Result<Option<u64>, DumpError> {
        let len = non_empty(metadata_of(&self.file, &self.path)?.len(), &self.path)?;
        let old = self.len;
        if len == old {
            return Ok(None);
        }
        self.len = len;
        Ok(Some(old))
    }

    /// Reads the header and copies the data from the head to the tail.
    ///
    /// # Errors
    ///
    /// [`DumpError::Read`] when reading fails, [`DumpError::Shrank`] when
    /// the file ends before the data does, and [`DumpError::Image`] if the
    /// copy does not match the header, which the bounds of
    /// [`Geometry::detect`] rule out.
    pub fn read_image(&self) -> Result<RingImage, DumpError> {
        let geometry = self.geometry()?;
        let mut data = Vec::with_capacity(usize::try_from(geometry.data).unwrap_or(0));
        for range in geometry.data_ranges() {
            self.copy_whole(range, &mut data)?;
        }
        Ok(RingImage::from_parts(geometry, data)?)
    }

    /// Walks the messages of `geometry` (read from this file), reading the
    /// data a window of [`WINDOW`] bytes at a time.
    ///
    /// This is what `ringcfg dump` uses: it reads a ring of any size with
    /// little memory. `visit` receives the messages exactly as
    /// [`RingImage::messages`] returns them.
    ///
    /// # Errors
    ///
    /// The first error of `visit`, or an [`io::Error`] naming the file when
    /// reading fails or the file shrank during the walk (kind
    /// [`UnexpectedEof`](io::ErrorKind::UnexpectedEof)). The walk stops at
    /// the first window it could not read whole.
    pub fn walk_messages<E: From<io::Error>>(
        &self,
        geometry: &Geometry,
        visit: impl FnMut(&Message<'_>) -> Result<(), E>,
    ) -> Result<Option<WalkEnd>, E> {
        let mut failure = None;
        let copy = |position, len, out: &mut Vec<u8>| {
            if failure.is_some() {
                return;
            }
            for range in geometry.file_ranges(geometry.offset_after_head(position), len) {
                if let Err(error) = self.copy_whole(range, out) {
                    failure = Some(error);
                    // An empty window contains no message, so the walk
                    // doubles its window, skipping each copy, until it ends.
                    out.clear();
                    return;
                }
            }
        };
        let end = walk_in_windows(geometry, WINDOW, copy, visit)?;
        match failure {
            Some(error) => Err(E::from(error.into())),
            None => Ok(end),
        }
    }

    /// Reads the header and detects the geometry, bounded to the recorded
    /// length.
    ///
    /// # Errors
    ///
    /// [`DumpError::Read`] when reading fails, and [`DumpError::Image`] if
    /// the recorded length is zero, which [`open`](Self::open) rules out.
    pub fn geometry(&self) -> Result<Geometry, DumpError> {
        let mut probe = Vec::with_capacity(PROBE_LEN);
        // A file shorter than the probe (or one that just shrank) gives a
        // short probe, which `detect` bounds like any short file.
        self.copy_range(0..PROBE_LEN as u64, &mut probe)
            .map_err(|source| DumpError::Read { path: self.path.clone(), source })?;
        Ok(Geometry::detect(&probe, self.len()).map_err(ImageError::from)?)
    }

    /// Appends the bytes of `range` to `out` and returns how many it
    /// appended. That is fewer than requested when the file now ends before
    /// `range.end`, and the part of `range` past the recorded
    /// [`len`](Self::len) is always left out.
    ///
    /// # Errors
    ///
    /// The error of a read that failed other than by being interrupted by
    /// a signal. The bytes read before it stay in `out`.
    pub fn copy_range(&self, range: Range<u64>, out: &mut Vec<u8>) -> io::Result<u64> {
        // Bounded by the recorded length, so a wild range cannot make the
        // buffer below larger than the file.
        let end = range.end.min(self.len);
        let count = usize::try_from(end.saturating_sub(range.start)).unwrap_or(usize::MAX);
        let start = out.len();
        out.resize(start + count, 0);
        let mut filled = 0;
        while filled < count {
            match self.file.read_at(&mut out[start + filled..], range.start + filled as u64) {
                Ok(0) => break,
                Ok(read) => filled += read,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    out.truncate(start + filled);
                    return Err(error);
                }
            }
        }
        out.truncate(start + filled);
        Ok(filled as u64)
    }

    /// Appends all the bytes of `range` to `out`, or fails.
    fn copy_whole(&self, range: Range<u64>, out: &mut Vec<u8>) -> Result<(), DumpError> {
        let copied = self
            .copy_range(range.clone(), out)
            .map_err(|source| DumpError::Read { path: self.path.clone(), source })?;
        if copied < range.end - range.start {
            return Err(DumpError::Shrank { path: self.path.clone(), end: range.start + copied });
        }
        Ok(())
    }
}

fn metadata_of(file: &File, path: &Path) -> Result<Metadata, DumpError> {
    file.metadata().map_err(|source| DumpError::Metadata { path: path.to_path_buf(), source })
}

pub(crate) fn identity_of(metadata: &Metadata) -> Identity {
    (metadata.dev(), metadata.ino())
}

fn non_empty(len: u64, path: &Path) -> Result<u64, DumpError> {
    if len == 0 {
        return Err(DumpError::Empty { path: path.to_path_buf() });
    }
    Ok(len)
}
