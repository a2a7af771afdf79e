//! A ring file mapped read-only, and copies out of that mapping.

use std::fs::{File, Metadata, OpenOptions};
use std::ops::Range;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::ptr;

use memmap2::{Mmap, MmapOptions};
use rustix::fs::OFlags;

use super::DumpError;
use crate::store::layout::{Geometry, PROBE_LEN};
use crate::store::reader::{ImageError, Message, RingImage, WalkEnd, walk_in_windows};

/// Bytes copied out of the mapping at a time by [`RingFile::walk_messages`]:
/// large enough to amortize each copy, small enough to stay in cache.
pub const WINDOW: usize = 1 << 17;

/// Device and inode numbers, which tell a replaced file from the same one.
pub(crate) type Identity = (u64, u64);

/// A ring backing file, open and mapped read-only.
///
/// The mapping is shared with the process that writes the ring, so its
/// bytes may change at any time. `RingFile` never hands out references into
/// it: [`read_image`](Self::read_image) and [`copy_range`](Self::copy_range)
/// copy bytes into owned buffers, and everything built on top treats those
/// bytes as untrusted.
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
    map: Mmap,
    identity: Identity,
}

impl RingFile {
    /// Opens `path` and maps the whole file read-only.
    ///
    /// # Errors
    ///
    /// [`DumpError`] when the file cannot be opened or mapped, is not a
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
        let map = map_file(&file, &path, metadata.len())?;
        Ok(Self { path, file, map, identity: identity_of(&metadata) })
    }

    /// Returns the path the file was opened with.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Returns the length of the mapping, the file length when it was mapped.
    pub fn len(&self) -> u64 {
        self.map.len() as u64
    }

    /// Returns whether the mapping is empty, which never happens because
    /// [`open`](Self::open) rejects empty files.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    pub(crate) fn identity(&self) -> Identity {
        self.identity
    }

    /// Maps the file again when its length changed since it was mapped.
    ///
    /// Returns the old length when it did. Reading past the end of a file
    /// through a mapping raises `SIGBUS`, so a reader of a live file calls
    /// this before each read.
    ///
    /// # Errors
    ///
    /// [`DumpError`] when the file's metadata cannot be read, when it is now
    /// empty, or when the new mapping fails.
    pub fn remap_if_resized(&mut self) -> Result<Option<u64>, DumpError> {
        let len = metadata_of(&self.file, &self.path)?.len();
        let old = self.len();
        if len == old {
            return Ok(None);
        }
        self.map = map_file(&self.file, &self.path, len)?;
        Ok(Some(old))
    }

    /// Reads the header and copies the data from the head to the tail.
    ///
    /// # Errors
    ///
    /// [`DumpError::Image`] if the copy does not match the header, which
    /// the bounds of [`Geometry::detect`] rule out.
    pub fn read_image(&self) -> Result<RingImage, DumpError> {
        let geometry = self.geometry()?;
        let mut data = Vec::with_capacity(usize::try_from(geometry.data).unwrap_or(0));
        for range in geometry.data_ranges() {
            self.copy_range(range, &mut data);
        }
        Ok(RingImage::from_parts(geometry, data)?)
    }

    /// Walks the messages of `geometry` (read from this file), copying the
    /// data out of the mapping a window of [`WINDOW`] bytes at a time.
    ///
    /// This is what `ringcfg dump` uses: it reads a ring of any size with
    /// little memory. `visit` receives the messages exactly as
    /// [`RingImage::messages`] returns them.
    ///
    /// # Errors
    ///
    /// The first error of `visit`.
    pub fn walk_messages<E>(
        &self,
        geometry: &Geometry,
        visit: impl FnMut(&Message<'_>) -> Result<(), E>,
    ) -> Result<Option<WalkEnd>, E> {
        let copy = |position, len, out: &mut Vec<u8>| {
            for range in geometry.file_ranges(geometry.offset_after_head(position), len) {
                self.copy_range(range, out);
            }
        };
        walk_in_windows(geometry, WINDOW, copy, visit)
    }

    /// Reads the header and detects the geometry, bounded to the mapping.
    ///
    /// # Errors
    ///
    /// [`DumpError::Image`] if the mapping is empty, which
    /// [`open`](Self::open) rules out.
    pub fn geometry(&self) -> Result<Geometry, DumpError> {
        let mut probe = Vec::with_capacity(PROBE_LEN);
        self.copy_range(0..PROBE_LEN as u64, &mut probe);
        Ok(Geometry::detect(&probe, self.len()).map_err(ImageError::from)?)
    }

    /// Appends the bytes of `range` to `out`; the part of `range` past the
    /// end of the mapping is left out.
    pub fn copy_range(&self, range: Range<u64>, out: &mut Vec<u8>) {
        let len = self.map.len();
        let start = usize::try_from(range.start).unwrap_or(usize::MAX).min(len);
        let end = usize::try_from(range.end).unwrap_or(usize::MAX).clamp(start, len);
        let count = end - start;
        out.reserve(count);
        // SAFETY: `start + count <= len`, so the source lies inside the
        // mapping, which lives as long as `self`. `reserve` made room for
        // `count` more bytes after `out.len()`, and the regions cannot overlap
        // because `out` is heap memory we own. The source may be written by
        // another process meanwhile; bytes have no invalid values, so the
        // copy contains some mix of old and new bytes, which callers bound.
        unsafe {
            ptr::copy_nonoverlapping(
                self.map.as_ptr().add(start),
                out.as_mut_ptr().add(out.len()),
                count,
            );
            out.set_len(out.len() + count);
        }
    }
}

fn metadata_of(file: &File, path: &Path) -> Result<Metadata, DumpError> {
    file.metadata().map_err(|source| DumpError::Metadata { path: path.to_path_buf(), source })
}

pub(crate) fn identity_of(metadata: &Metadata) -> Identity {
    (metadata.dev(), metadata.ino())
}

fn map_file(file: &File, path: &Path, len: u64) -> Result<Mmap, DumpError> {
    if len == 0 {
        return Err(DumpError::Empty { path: path.to_path_buf() });
    }
    let len = usize::try_from(len).map_err(|_| DumpError::Map {
        path: path.to_path_buf(),
        source: std::io::Error::other("the file is larger than the address space"),
    })?;
    // SAFETY: the mapping is read-only and `RingFile` only reads it through
    // `copy_range`, which copies bytes out without creating references, so a
    // concurrent writer cannot break any Rust invariant. A file truncated
    // after this call would raise SIGBUS on access; readers of live files
    // call `remap_if_resized` before each read to keep that window short.
    // FIXME: a process that truncates the file between that check and a copy still raises SIGBUS.
    unsafe { MmapOptions::new().len(len).map(file) }
        .map_err(|source| DumpError::Map { path: path.to_path_buf(), source })
}
