//! Header layout detection and the bounded geometry of a ring file.
//!
//! A ring file carries no magic number and no version, so the layout is
//! guessed from the second word exactly as HAProxy 3.5's `dev/haring` does.
//! A small value that fits the file is a header length (`rsvd`, 3.x
//! layouts). Anything else is a process pointer (the 2.7-2.9 layout), whose
//! low 12 bits give the area offset. Every field is then bounded by the
//! file length, and each bound that changes a value is recorded as a
//! [`Note`] with the wording haring prints.

use std::fmt;
use std::ops::Range;

use super::header::{
    RSVD_OFFSET, SIZE_OFFSET, TAIL_LOCK, V2_HEAD_OFFSET, V2_TAIL_OFFSET, V2A_HEAD_OFFSET, V2A_LEN,
    V2A_TAIL_OFFSET, read_u64,
};

/// Number of leading file bytes that [`Geometry::detect`] reads.
pub const PROBE_LEN: usize = V2A_LEN;

/// Offset of the `data` field of the 2.7-2.9 header (`struct buffer`).
const V1_DATA_OFFSET: usize = 16;

/// Offset of the `head` field of the 2.7-2.9 header.
const V1_HEAD_OFFSET: usize = 24;

/// A second word below this is a header length; above, a process pointer.
const RSVD_LIMIT: u64 = 4096;

/// Header layout of a ring file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Layout {
    /// HAProxy 3.0 and later built with threads: a 192-byte header with the
    /// tail at offset 64 and the head at offset 128.
    V2a,
    /// HAProxy 3.0 and later built without threads: a 32-byte header with
    /// the tail at offset 16 and the head at offset 24.
    V2,
    /// HAProxy 2.7 to 2.9: a `struct ring` whose buffer contains the size, an
    /// area pointer, the data length and the head.
    V1,
}

impl Layout {
    /// Returns the short name used in `ringcfg dump --info`.
    pub fn name(self) -> &'static str {
        match self {
            Layout::V2a => "v2a",
            Layout::V2 => "v2",
            Layout::V1 => "v1",
        }
    }
}

impl fmt::Display for Layout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A header value that the reader had to bound, or a ring with no storage.
///
/// `Display` prints haring's wording without its `Note: ` prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Note {
    /// The declared area size exceeds the bytes after the header; the size
    /// is bounded to them.
    SizeBounded {
        /// Declared size.
        size: u64,
        /// Bytes left in the file after the header.
        available: u64,
    },
    /// The head lies outside the area; reading restarts at offset 0.
    HeadReset {
        /// Declared head.
        head: u64,
        /// Bounded area size.
        size: u64,
    },
    /// The tail (with its lock bit cleared) lies outside the area; it is
    /// bounded to the end of the area.
    TailBounded {
        /// Declared tail without the lock bit.
        tail: u64,
        /// Bounded area size.
        size: u64,
    },
    /// The 2.7-2.9 data length exceeds the area; it is bounded to the area.
    DataBounded {
        /// Declared data length.
        data: u64,
        /// Bounded area size.
        size: u64,
    },
    /// No area byte is left in the file.
    NoStorage,
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Note::SizeBounded { size, available } => write!(
                f,
                "ring size ({size}) larger than the {available} bytes left in the file, \
                 bounding it to the file (truncated dump?)."
            ),
            Note::HeadReset { head, size } => write!(
                f,
                "head ({head}) outside of the {size} bytes storage, restarting from the beginning."
            ),
            Note::TailBounded { tail, size } => write!(
                f,
                "tail ({tail}) outside of the {size} bytes storage, \
                 bounding it to the end of the storage."
            ),
            Note::DataBounded { data, size } => {
                write!(f, "data length ({data}) larger than the {size} bytes storage, bounding it.")
            }
            Note::NoStorage => f.write_str("no ring storage left in this file, nothing to dump."),
        }
    }
}

/// Error of [`Geometry::detect`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum LayoutError {
    /// The file has no byte at all, so not even a header.
    #[error("the file is empty (0 bytes at offset 0), so it holds no ring header")]
    #[diagnostic(
        code(ringcfg::dump::empty_file),
        help("a ring backing file holds at least its header; check the path")
    )]
    Empty,
}

/// The ring's geometry: layout, area position and the bounded indexes.
///
/// All offsets except [`area_offset`](Self::area_offset) are relative to
/// the start of the area. After [`detect`](Self::detect), `head < size`
/// (unless `size` is 0), `data <= size`, and the area lies inside the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Geometry {
    /// Detected header layout.
    pub layout: Layout,
    /// Length of the file in bytes.
    pub file_len: u64,
    /// Offset of the area in the file, also the header length.
    pub area_offset: u64,
    /// Area size as the header declares it.
    pub declared_size: u64,
    /// Area size bounded to the file.
    pub size: u64,
    /// Offset of the oldest reader-count byte.
    pub head: u64,
    /// Offset just past the newest reader-count byte. For the 2.7-2.9
    /// layout, which stores a data length instead, it is derived from it.
    pub tail: u64,
    /// Whether the tail's lock bit was set: a writer held the ring.
    pub tail_locked: bool,
    /// Number of bytes from the head to the tail.
    pub data: u64,
    /// Bounds applied to the header values, in haring's order.
    pub notes: Vec<Note>,
}

impl Geometry {
    /// Detects the layout of a file of `file_len` bytes from its first bytes
    /// `probe`, and bounds the geometry to the file like haring does.
    ///
    /// `probe` contains the file's first [`PROBE_LEN`] bytes, or all of them
    /// in a shorter file. Header bytes past the end of the file read as 0,
    /// as they do in the page-sized mapping haring reads.
    ///
    /// ```
    /// use ringcfg::store::header::init_empty_v2a;
    /// use ringcfg::store::layout::{Geometry, Layout};
    ///
    /// let mut file = vec![0u8; 4096];
    /// init_empty_v2a(&mut file);
    /// let geometry = Geometry::detect(&file, 4096)?;
    /// assert_eq!(geometry.layout, Layout::V2a);
    /// assert_eq!((geometry.area_offset, geometry.size), (192, 3904));
    /// assert_eq!((geometry.head, geometry.tail, geometry.data), (0, 1, 1));
    /// # Ok::<(), ringcfg::store::layout::LayoutError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`LayoutError::Empty`] when `file_len` is 0.
    pub fn detect(probe: &[u8], file_len: u64) -> Result<Self, LayoutError> {
        if file_len == 0 {
            return Err(LayoutError::Empty);
        }
        let mut header = [0u8; PROBE_LEN];
        let known = probe.len().min(PROBE_LEN).min(usize::try_from(file_len).unwrap_or(usize::MAX));
        header[..known].copy_from_slice(&probe[..known]);
        let word = |offset| read_u64(&header, offset).unwrap_or(0);

        let size = word(SIZE_OFFSET);
        let second = word(RSVD_OFFSET);
        // haring adds these as C `size_t`s, so the sum wraps.
        let is_rsvd =
            second < RSVD_LIMIT && second < file_len && second.wrapping_add(size) >= file_len;
        let geometry = if is_rsvd && second < V2A_LEN as u64 {
            Self::v2(Layout::V2, file_len, second, size, word(V2_TAIL_OFFSET), word(V2_HEAD_OFFSET))
        } else if is_rsvd {
            Self::v2(
                Layout::V2a,
                file_len,
                second,
                size,
                word(V2A_TAIL_OFFSET),
                word(V2A_HEAD_OFFSET),
            )
        } else {
            Self::v1(
                file_len,
                second & (RSVD_LIMIT - 1),
                size,
                word(V1_DATA_OFFSET),
                word(V1_HEAD_OFFSET),
            )
        };
        Ok(geometry)
    }

    /// Bounds a 3.x header, whose indexes are a head and a locked tail.
    fn v2(layout: Layout, file_len: u64, rsvd: u64, size: u64, tail: u64, head: u64) -> Self {
        let mut geometry = Self::bounded(layout, file_len, rsvd, size, head);
        let unlocked = tail & !TAIL_LOCK;
        geometry.tail_locked = tail & TAIL_LOCK != 0;
        geometry.tail = unlocked;
        if unlocked > geometry.size {
            geometry.notes.push(Note::TailBounded { tail: unlocked, size: geometry.size });
            geometry.tail = geometry.size;
        }
        geometry.data = if geometry.size == 0 {
            0
        } else if geometry.head <= geometry.tail {
            geometry.tail - geometry.head
        } else {
            geometry.size - geometry.head + geometry.tail
        };
        geometry.push_no_storage();
        geometry
    }

    /// Bounds a 2.7-2.9 header, whose indexes are a head and a data length.
    fn v1(file_len: u64, area_offset: u64, size: u64, data: u64, head: u64) -> Self {
        let mut geometry = Self::bounded(Layout::V1, file_len, area_offset, size, head);
        geometry.data = data;
        if data > geometry.size {
            geometry.notes.push(Note::DataBounded { data, size: geometry.size });
            geometry.data = geometry.size;
        }
        geometry.tail = geometry.wrap(geometry.head + geometry.data);
        geometry.push_no_storage();
        geometry
    }

    /// Bounds the size to the file and the head to the size.
    fn bounded(layout: Layout, file_len: u64, area_offset: u64, size: u64, head: u64) -> Self {
        let mut notes = Vec::new();
        let available = file_len.saturating_sub(area_offset);
        let bounded_size = if size > available {
            notes.push(Note::SizeBounded { size, available });
            available
        } else {
            size
        };
        let bounded_head = if bounded_size != 0 && head >= bounded_size {
            notes.push(Note::HeadReset { head, size: bounded_size });
            0
        } else {
            head
        };
        Self {
            layout,
            file_len,
            area_offset,
            declared_size: size,
            size: bounded_size,
            head: bounded_head,
            tail: 0,
            tail_locked: false,
            data: 0,
            notes,
        }
    }

    fn push_no_storage(&mut self) {
        if self.size == 0 {
            self.data = 0;
            self.notes.push(Note::NoStorage);
        }
    }

    /// Reduces an area offset below `2 * size` into the area.
    fn wrap(&self, offset: u64) -> u64 {
        if offset >= self.size { offset - self.size } else { offset }
    }

    /// Returns the area offset `distance` bytes after the head.
    ///
    /// `distance` is bounded by the size, so the result is inside the area.
    pub fn offset_after_head(&self, distance: u64) -> u64 {
        if self.size == 0 {
            return 0;
        }
        self.wrap(self.head + distance % self.size)
    }

    /// Returns how many bytes lie from the head to area offset `offset`,
    /// which must be inside the area.
    pub fn distance_from_head(&self, offset: u64) -> u64 {
        if offset >= self.head {
            offset - self.head
        } else {
            self.size.saturating_sub(self.head) + offset
        }
    }

    /// Returns the file ranges that hold `len` area bytes starting at area
    /// offset `start`, in order: one range, or two when they wrap.
    ///
    /// `start` is taken modulo the size and `len` is bounded by it, so the
    /// ranges always lie inside the area and inside the file.
    ///
    /// ```
    /// # use ringcfg::store::layout::Geometry;
    /// # let mut file = vec![0u8; 4096];
    /// # ringcfg::store::header::init_empty_v2a(&mut file);
    /// let geometry = Geometry::detect(&file, 4096)?;
    /// let [first, second] = geometry.file_ranges(3900, 10);
    /// assert_eq!(first, 4092..4096);
    /// assert_eq!(second, 192..198);
    /// # Ok::<(), ringcfg::store::layout::LayoutError>(())
    /// ```
    pub fn file_ranges(&self, start: u64, len: u64) -> [Range<u64>; 2] {
        if self.size == 0 {
            return [0..0, 0..0];
        }
        let start = start % self.size;
        let len = len.min(self.size);
        let first = len.min(self.size - start);
        let base = self.area_offset;
        [base + start..base + start + first, base..base + (len - first)]
    }

    /// Returns the file ranges of the data, from the head to the tail.
    pub fn data_ranges(&self) -> [Range<u64>; 2] {
        self.file_ranges(self.head, self.data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::header::{init_empty_v2a, write_u64};

    #[test]
    fn detect_threaded_empty_ring() {
        let mut file = vec![0u8; 4096];
        init_empty_v2a(&mut file);
        let geometry = Geometry::detect(&file, 4096).unwrap();
        assert_eq!(geometry.layout, Layout::V2a);
        assert!(geometry.notes.is_empty());
        assert_eq!(geometry.data, 1);
    }

    #[test]
    fn detect_unthreaded_header() {
        let mut file = vec![0u8; 4096];
        write_u64(&mut file, 0, 4064);
        write_u64(&mut file, 8, 32);
        write_u64(&mut file, 16, 1 | TAIL_LOCK);
        let geometry = Geometry::detect(&file, 4096).unwrap();
        assert_eq!(geometry.layout, Layout::V2);
        assert_eq!(geometry.area_offset, 32);
        assert_eq!(geometry.tail, 1);
        assert!(geometry.tail_locked);
    }

    #[test]
    fn pointer_word_means_v1() {
        let mut file = vec![0u8; 20480];
        write_u64(&mut file, 0, 20408);
        write_u64(&mut file, 8, 0x7f5f_6375_c048);
        write_u64(&mut file, 16, 77);
        let geometry = Geometry::detect(&file, 20480).unwrap();
        assert_eq!(geometry.layout, Layout::V1);
        assert_eq!(geometry.area_offset, 72);
        assert_eq!((geometry.head, geometry.tail, geometry.data), (0, 77, 77));
    }

    #[test]
    fn bounds_each_field_with_a_note() {
        let mut file = vec![0u8; 1000];
        write_u64(&mut file, 0, 5000);
        write_u64(&mut file, 8, 192);
        write_u64(&mut file, 64, 9000);
        write_u64(&mut file, 128, 808);
        let geometry = Geometry::detect(&file, 1000).unwrap();
        assert_eq!(
            geometry.notes,
            vec![
                Note::SizeBounded { size: 5000, available: 808 },
                Note::HeadReset { head: 808, size: 808 },
                Note::TailBounded { tail: 9000, size: 808 },
            ]
        );
        assert_eq!(
            (geometry.size, geometry.head, geometry.tail, geometry.data),
            (808, 0, 808, 808)
        );
    }

    #[test]
    fn wrapping_sum_falls_back_to_v1() {
        let mut file = vec![0u8; 4096];
        write_u64(&mut file, 0, u64::MAX);
        write_u64(&mut file, 8, 192);
        let geometry = Geometry::detect(&file, 4096).unwrap();
        assert_eq!(geometry.layout, Layout::V1);
    }

    #[test]
    fn short_file_reads_missing_header_as_zero() {
        let geometry = Geometry::detect(&[5], 1).unwrap();
        assert_eq!(geometry.layout, Layout::V2);
        assert_eq!(geometry.notes, vec![Note::SizeBounded { size: 5, available: 1 }]);
        assert_eq!(geometry.data, 0);
    }

    #[test]
    fn empty_file_is_an_error() {
        assert_eq!(Geometry::detect(&[], 0), Err(LayoutError::Empty));
    }

    #[test]
    fn note_wording_matches_haring() {
        let note = Note::SizeBounded { size: 5000, available: 808 };
        assert_eq!(
            note.to_string(),
            "ring size (5000) larger than the 808 bytes left in the file, \
             bounding it to the file (truncated dump?)."
        );
    }
}
