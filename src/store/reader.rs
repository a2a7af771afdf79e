//! The message walk: from the head's reader-count byte to the tail.
//!
//! The area contains `RC (VARINT PAYLOAD RC)*`. The walk reads one message at
//! a time from a linear copy of the data (the wrap of the area is undone
//! when the bytes are copied out), so it never indexes the area modulo its
//! size and never trusts a length: every step is bounded by the copy.
//!
//! Two kinds of damage are reported on the message instead of being
//! hidden. A message that runs past the tail is *truncated*: like haring,
//! the walk returns the bytes it has and stops. A message at or after a
//! reader-count byte of 255 is *torn*: HAProxy's writer sets the byte
//! before the old tail to 255, stores the new tail, and only then copies
//! the length and payload, so after a crash the bytes behind a 255 may be
//! stale even though the tail covers them.

use super::header::RC_WRITING;
use super::layout::{Geometry, LayoutError};
use super::varint::{Decoded, decode_with};

/// One message read from the ring.
///
/// The payload borrows from the owned copy of the data (a [`RingImage`]),
/// never from a mapping of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    /// Bytes from the head to this message's reader-count byte; haring
    /// prints this number in its incomplete-message note.
    pub position: u64,
    /// Offset in the file of this message's reader-count byte.
    pub offset: u64,
    /// Value of the reader-count byte: readers parked here, or 255 while a
    /// writer appends.
    pub readers: u8,
    /// Length the message's varint declares, or `u64::MAX` when the varint
    /// overflows 64 bits.
    pub declared_len: u64,
    /// The payload bytes present in the ring, at most `declared_len`.
    pub payload: &'a [u8],
    /// The message, or its trailing reader-count byte, runs past the tail.
    pub truncated: bool,
    /// A writer was appending this message when the file was last written.
    pub torn: bool,
}

impl Message<'_> {
    /// Returns whether the message is whole and trustworthy: neither truncated nor torn.
    pub fn is_complete(&self) -> bool {
        !self.truncated && !self.torn
    }
}

/// Reason a walk stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum WalkEnd {
    /// The walk reached the last reader-count byte: every byte was used.
    Tail,
    /// The varint at this position runs past the tail (haring stops silently).
    IncompleteLength {
        /// Bytes from the head to the message's reader-count byte.
        position: u64,
    },
    /// The varint at this position is longer than 10 bytes or exceeds
    /// `u64::MAX`, so no writer produced it. The message is returned as
    /// truncated with every byte up to the tail, as haring prints it.
    InvalidLength {
        /// Bytes from the head to the message's reader-count byte.
        position: u64,
    },
    /// The message at this position runs past the tail (see
    /// [`Message::truncated`]); the walk returned what it had.
    Truncated {
        /// Bytes from the head to the message's reader-count byte.
        position: u64,
    },
}

/// Position in the file of a linear copy of area bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Placement {
    area_offset: u64,
    size: u64,
    head: u64,
}

impl Placement {
    fn of(geometry: &Geometry) -> Self {
        Self { area_offset: geometry.area_offset, size: geometry.size, head: geometry.head }
    }

    /// Returns the file offset of the area byte `position` bytes after the head.
    fn file_offset(&self, position: u64) -> u64 {
        if self.size == 0 {
            return self.area_offset;
        }
        // Positions never exceed the size, so one subtraction replaces a
        // division on this per-message path; `%` stays for other callers.
        let position = if position < self.size { position } else { position % self.size };
        let offset = self.head.saturating_add(position);
        let offset = if offset >= self.size { offset - self.size } else { offset };
        self.area_offset + offset
    }
}

/// Iterator over the messages of a linear copy of ring data.
///
/// Returned by [`RingImage::messages`] and [`messages_from`]. Each call to
/// `next` does work bounded by the copy's length, and the walk advances at
/// least two bytes per message, so it always ends.
#[derive(Clone, Debug)]
pub struct Messages<'a> {
    data: &'a [u8],
    base: u64,
    placement: Placement,
    index: usize,
    torn: bool,
    end: Option<WalkEnd>,
}

impl<'a> Messages<'a> {
    /// Returns why the walk stopped, once `next` has returned `None`.
    pub fn end(&self) -> Option<WalkEnd> {
        self.end
    }

    /// Returns the position (bytes from the head) of the reader-count byte
    /// the walk is on: the next message's, or the last one.
    pub fn next_position(&self) -> u64 {
        self.base + self.index as u64
    }

    fn stop(&mut self, end: WalkEnd) -> Option<Message<'a>> {
        self.end = Some(end);
        None
    }
}

impl<'a> Iterator for Messages<'a> {
    type Item = Message<'a>;

    #[inline]
    fn next(&mut self) -> Option<Message<'a>> {
        if self.end.is_some() {
            return None;
        }
        let data = self.data;
        let index = self.index;
        let position = self.next_position();

        // Like haring, a message needs its reader-count byte and at least one
        // more byte before the end of the data.
        if index.saturating_add(1) >= data.len() {
            return self.stop(WalkEnd::Tail);
        }
        let readers = data[index];
        self.torn |= readers == RC_WRITING;

        let varint_start = index + 1;
        let mut invalid = false;
        let (declared_len, varint_len) = match data[varint_start] {
            // Most log lines are shorter than 240 bytes: one-byte varints.
            first if first < 240 => (u64::from(first), 1),
            _ => match decode_with(|i| data.get(varint_start.checked_add(i)?).copied()) {
                Decoded::Value(value, used) => (value, used),
                Decoded::Incomplete => return self.stop(WalkEnd::IncompleteLength { position }),
                Decoded::Overflow => match overlong_varint_len(&data[varint_start..]) {
                    Some(used) => {
                        invalid = true;
                        (u64::MAX, used)
                    }
                    None => return self.stop(WalkEnd::IncompleteLength { position }),
                },
            },
        };
        let payload_start = varint_start + varint_len;
        let available = data.len() - payload_start;
        if available == 0 {
            // haring stops without a note when nothing of the payload is there.
            return self.stop(WalkEnd::Truncated { position });
        }

        // The payload and the next reader-count byte must both fit.
        let truncated = declared_len >= available as u64;
        let payload_len = if truncated { available } else { declared_len as usize };
        let payload = &data[payload_start..payload_start + payload_len];
        self.index = payload_start + payload_len;
        if invalid {
            self.end = Some(WalkEnd::InvalidLength { position });
        } else if truncated {
            self.end = Some(WalkEnd::Truncated { position });
        }
        Some(Message {
            position,
            offset: self.placement.file_offset(position),
            readers,
            declared_len,
            payload,
            truncated,
            torn: self.torn,
        })
    }
}

/// Returns how many bytes haring's decoder consumes for a varint that
/// overflows 64 bits: every byte up to the first one below 128 after the
/// first, or `None` when the data ends before it.
///
/// haring then computes a meaningless length, which in practice exceeds the
/// data, so the message is reported as truncated with the bytes that follow
/// (its value for these bytes depends on C shifts past 63 bits, which are
/// undefined, so this reader does not try to reproduce it).
fn overlong_varint_len(bytes: &[u8]) -> Option<usize> {
    let last = bytes.iter().skip(1).position(|&byte| byte < 0x80)?;
    Some(last + 2)
}

/// Walks `data`, a linear copy of area bytes that starts on a reader-count
/// byte `position` bytes after the head of `geometry`.
///
/// This is the building block for readers that copy only part of the ring,
/// such as a follower that resumes where it stopped.
///
/// ```
/// use ringcfg::store::header::init_empty_v2a;
/// use ringcfg::store::layout::Geometry;
/// use ringcfg::store::reader::messages_from;
///
/// let mut file = vec![0u8; 4096];
/// init_empty_v2a(&mut file);
/// let geometry = Geometry::detect(&file, 4096)?;
/// let copy = [0, 2, b'h', b'i', 0];
/// let message = messages_from(&geometry, 12, &copy).next().unwrap();
/// assert_eq!(message.payload, b"hi");
/// assert_eq!(message.offset, 192 + 12);
/// # Ok::<(), ringcfg::store::layout::LayoutError>(())
/// ```
pub fn messages_from<'a>(geometry: &Geometry, position: u64, data: &'a [u8]) -> Messages<'a> {
    Messages {
        data,
        base: position,
        placement: Placement::of(geometry),
        index: 0,
        torn: false,
        end: None,
    }
}

/// Walks the data of `geometry` in windows of about `window` bytes, so that
/// a large ring never needs one copy of all its data.
///
/// `copy(position, len, out)` appends to `out` the `len` data bytes that
/// start `position` bytes after the head; [`Geometry::file_ranges`] gives
/// where they lie. `visit` receives the messages in order, exactly as
/// [`RingImage::messages`] returns them (a message is never cut by a window
/// boundary); the first error it returns stops the walk.
///
/// ```
/// use ringcfg::store::header::{V2A_LEN, V2A_TAIL_OFFSET, init_empty_v2a, write_u64};
/// use ringcfg::store::layout::Geometry;
/// use ringcfg::store::reader::walk_in_windows;
///
/// let mut file = vec![0u8; 1024];
/// init_empty_v2a(&mut file);
/// file[V2A_LEN..V2A_LEN + 8].copy_from_slice(&[0, 1, b'a', 0, 2, b'b', b'c', 0]);
/// write_u64(&mut file, V2A_TAIL_OFFSET, 8);
/// let geometry = Geometry::detect(&file, 1024)?;
///
/// let mut payloads = Vec::new();
/// walk_in_windows(
///     &geometry,
///     4,
///     |position, len, out| {
///         for range in geometry.file_ranges(geometry.offset_after_head(position), len) {
///             out.extend_from_slice(&file[range.start as usize..range.end as usize]);
///         }
///     },
///     |message| {
///         payloads.push(message.payload.to_vec());
///         Ok::<(), ()>(())
///     },
/// )
/// .unwrap();
/// assert_eq!(payloads, [b"a".to_vec(), b"bc".to_vec()]);
/// # Ok::<(), ringcfg::store::layout::LayoutError>(())
/// ```
///
/// # Errors
///
/// The first error of `visit`.
pub fn walk_in_windows<E>(
    geometry: &Geometry,
    window: usize,
    mut copy: impl FnMut(u64, u64, &mut Vec<u8>),
    mut visit: impl FnMut(&Message<'_>) -> Result<(), E>,
) -> Result<Option<WalkEnd>, E> {
    let mut buffer = Vec::new();
    let mut position = 0u64;
    let mut want = window.max(16) as u64;
    let mut torn = false;
    loop {
        let remaining = geometry.data - position;
        let len = want.min(remaining);
        let last = len == remaining;
        buffer.clear();
        copy(position, len, &mut buffer);
        buffer.truncate(usize::try_from(len).unwrap_or(usize::MAX));

        let mut walk = messages_from(geometry, position, &buffer);
        let mut resume = None;
        for mut message in walk.by_ref() {
            if message.truncated && !last {
                // Read the message again at the start of a window that holds
                // it whole (or up to the tail), instead of cutting it here.
                let whole = message.declared_len.saturating_add(MESSAGE_OVERHEAD);
                resume = Some((message.position, whole));
                break;
            }
            torn |= message.torn;
            message.torn = torn;
            visit(&message)?;
        }
        if last {
            return Ok(walk.end());
        }
        let (next, needed) = resume.unwrap_or_else(|| match walk.end() {
            Some(WalkEnd::IncompleteLength { position }) => (position, 0),
            _ => (walk.next_position(), 0),
        });
        // A window that made no progress grows, so the walk always ends.
        want = if next == position {
            want.saturating_mul(2).max(needed)
        } else {
            (window.max(16) as u64).max(needed)
        };
        position = next;
    }
}

/// Bytes of a message beyond its payload: the largest varint and the
/// reader-count bytes on both sides.
const MESSAGE_OVERHEAD: u64 = super::varint::MAX_LEN as u64 + 2;

/// Counts the whole messages in `data`, a linear copy that starts on a
/// reader-count byte, when they end exactly on its last byte.
///
/// Returns `None` when the bytes do not split into messages that way, for
/// example because the writer has overwritten part of them since.
pub fn count_exact_messages(data: &[u8]) -> Option<u64> {
    let mut index = 0usize;
    let mut count = 0u64;
    while index < data.len() {
        let varint_start = index.checked_add(1)?;
        let Decoded::Value(len, used) =
            decode_with(|i| data.get(varint_start.checked_add(i)?).copied())
        else {
            return None;
        };
        let len = usize::try_from(len).ok()?;
        index = varint_start.checked_add(used)?.checked_add(len)?;
        count += 1;
    }
    (index == data.len()).then_some(count)
}

/// Error of [`RingImage::from_parts`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum ImageError {
    /// The layout could not be detected.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Layout(#[from] LayoutError),
    /// The copied data does not have the geometry's data length.
    #[error(
        "the data copied from the head at file offset {offset} is {actual} bytes long, \
         but the header gives {expected}"
    )]
    #[diagnostic(
        code(ringcfg::dump::data_length),
        help("copy the ranges that Geometry::data_ranges returns, in order")
    )]
    DataLength {
        /// File offset of the head.
        offset: u64,
        /// Data length of the geometry.
        expected: u64,
        /// Length of the copy.
        actual: u64,
    },
}

/// A ring read out of a file: its geometry and an owned, linear copy of the
/// bytes from the head to the tail.
///
/// ```
/// use ringcfg::store::header::{V2A_LEN, V2A_TAIL_OFFSET, init_empty_v2a, write_u64};
/// use ringcfg::store::reader::RingImage;
///
/// // An empty ring, then one message "hi": RC, length, payload, RC.
/// let mut file = vec![0u8; 4096];
/// init_empty_v2a(&mut file);
/// file[V2A_LEN..V2A_LEN + 5].copy_from_slice(&[0, 2, b'h', b'i', 0]);
/// write_u64(&mut file, V2A_TAIL_OFFSET, 5);
///
/// let image = RingImage::parse(&file)?;
/// let messages: Vec<_> = image.messages().collect();
/// assert_eq!(messages.len(), 1);
/// assert_eq!(messages[0].payload, b"hi");
/// assert!(messages[0].is_complete());
/// # Ok::<(), ringcfg::store::reader::ImageError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RingImage {
    geometry: Geometry,
    data: Vec<u8>,
}

impl RingImage {
    /// Reads a whole ring file held in memory, copying the data out of it.
    ///
    /// # Errors
    ///
    /// [`ImageError::Layout`] when `file` is empty.
    pub fn parse(file: &[u8]) -> Result<Self, ImageError> {
        let geometry = Geometry::detect(file, file.len() as u64)?;
        let mut data = Vec::with_capacity(usize::try_from(geometry.data).unwrap_or(0));
        for range in geometry.data_ranges() {
            // The geometry keeps every range inside the file.
            let start = usize::try_from(range.start).unwrap_or(usize::MAX);
            let end = usize::try_from(range.end).unwrap_or(usize::MAX);
            data.extend_from_slice(file.get(start..end).unwrap_or_default());
        }
        Self::from_parts(geometry, data)
    }

    /// Builds an image from a geometry and the data copied from the ranges
    /// of [`Geometry::data_ranges`], for callers that copy out of a mapping.
    ///
    /// # Errors
    ///
    /// [`ImageError::DataLength`] when `data` is not `geometry.data` long.
    pub fn from_parts(geometry: Geometry, data: Vec<u8>) -> Result<Self, ImageError> {
        if data.len() as u64 != geometry.data {
            return Err(ImageError::DataLength {
                offset: geometry.area_offset + geometry.head,
                expected: geometry.data,
                actual: data.len() as u64,
            });
        }
        Ok(Self { geometry, data })
    }

    /// Returns the geometry, with the notes on bounded header values.
    pub fn geometry(&self) -> &Geometry {
        &self.geometry
    }

    /// Returns the bytes from the head to the tail.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Returns the messages from the oldest to the newest.
    pub fn messages(&self) -> Messages<'_> {
        messages_from(&self.geometry, 0, &self.data)
    }

    /// Counts messages and reader-count values over the whole ring.
    pub fn stats(&self) -> Stats {
        let mut stats = Stats::default();
        let mut messages = self.messages();
        for message in messages.by_ref() {
            stats.messages += 1;
            stats.payload_bytes += message.payload.len() as u64;
            stats.truncated += u64::from(message.truncated);
            stats.torn += u64::from(message.torn);
            if message.readers != 0 && message.readers != RC_WRITING {
                stats.with_readers += 1;
                stats.max_readers = stats.max_readers.max(message.readers);
            }
        }
        stats.end = messages.end();
        stats
    }
}

/// Counts gathered by [`RingImage::stats`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Messages the walk returned, whole or not.
    pub messages: u64,
    /// Payload bytes of those messages.
    pub payload_bytes: u64,
    /// Messages cut short by the tail.
    pub truncated: u64,
    /// Messages a writer was appending.
    pub torn: u64,
    /// Messages whose reader-count byte shows parked readers (1 to 254).
    pub with_readers: u64,
    /// Largest reader count seen.
    pub max_readers: u8,
    /// Why the walk stopped.
    pub end: Option<WalkEnd>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::header::{V2A_LEN, V2A_TAIL_OFFSET, init_empty_v2a, write_u64};

    fn ring(area: &[u8]) -> Vec<u8> {
        let mut file = vec![0u8; 1024];
        init_empty_v2a(&mut file);
        file[V2A_LEN..V2A_LEN + area.len()].copy_from_slice(area);
        write_u64(&mut file, V2A_TAIL_OFFSET, area.len() as u64);
        file
    }

    /// Payload, truncated and torn flags of one message.
    type Found = (Vec<u8>, bool, bool);

    fn walk(area: &[u8]) -> (Vec<Found>, Option<WalkEnd>) {
        let image = RingImage::parse(&ring(area)).unwrap();
        let mut messages = image.messages();
        let found = messages.by_ref().map(|m| (m.payload.to_vec(), m.truncated, m.torn)).collect();
        (found, messages.end())
    }

    #[test]
    fn walks_two_messages_to_the_tail() {
        let (found, end) = walk(&[0, 1, b'a', 3, 2, b'b', b'c', 0]);
        assert_eq!(found, vec![(b"a".to_vec(), false, false), (b"bc".to_vec(), false, false)]);
        assert_eq!(end, Some(WalkEnd::Tail));
    }

    #[test]
    fn overrunning_message_is_truncated() {
        let (found, end) = walk(&[0, 9, b'a', b'b']);
        assert_eq!(found, vec![(b"ab".to_vec(), true, false)]);
        assert_eq!(end, Some(WalkEnd::Truncated { position: 0 }));
    }

    #[test]
    fn missing_trailing_rc_is_truncated() {
        let (found, _) = walk(&[0, 2, b'a', b'b']);
        assert_eq!(found, vec![(b"ab".to_vec(), true, false)]);
    }

    #[test]
    fn incomplete_varint_stops_silently() {
        let (found, end) = walk(&[0, 1, b'a', 0, 0xf5]);
        assert_eq!(found.len(), 1);
        assert_eq!(end, Some(WalkEnd::IncompleteLength { position: 3 }));
    }

    #[test]
    fn rc_255_tears_the_rest() {
        let (found, _) = walk(&[0, 1, b'a', 255, 1, b'b', 0, 1, b'c', 0]);
        let torn: Vec<bool> = found.iter().map(|m| m.2).collect();
        assert_eq!(torn, vec![false, true, true]);
    }

    #[test]
    fn counts_exact_messages() {
        assert_eq!(count_exact_messages(&[0, 1, b'a', 0, 2, b'b', b'c']), Some(2));
        assert_eq!(count_exact_messages(&[0, 1, b'a', 0, 9]), None);
        assert_eq!(count_exact_messages(&[]), Some(0));
    }

    #[test]
    fn from_parts_checks_length() {
        let geometry = Geometry::detect(&ring(&[0]), 1024).unwrap();
        let error = RingImage::from_parts(geometry, vec![]).unwrap_err();
        assert!(matches!(error, ImageError::DataLength { expected: 1, actual: 0, .. }));
    }
}
