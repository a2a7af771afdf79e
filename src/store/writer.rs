//! HAProxy's writer protocol over a circular area: append with eviction.
//!
//! The area holds `RC (VARINT PAYLOAD RC)*` between `head` and `tail`. To
//! append, the writer marks the RC byte before the tail with 255 (a write is
//! in progress), evicts the oldest messages until the new one fits, stores
//! the new head, writes the length, the payload and a fresh RC byte after
//! it, restores the old RC byte and only then publishes the new tail.
//!
//! Data never grows past `size - 2` bytes, so a ring is never full and `head`
//! never meets `tail`. A message whose leading RC byte is not zero has
//! readers parked on it and is never evicted: the new message is dropped
//! instead.
//!
//! HAProxy 3.x publishes the tail before it copies the payload, and readers
//! in the same process wait on the 255 marker. Readers of a file after a
//! crash (`haring`) ignore RC bytes, so this module copies the payload first
//! and publishes the tail last: at every instant, the bytes between head and
//! tail are whole messages.
//!
//! Pure byte logic: the caller supplies the area and stores the positions.
//!
//! ```
//! use ringcfg::store::writer::{append, Positions};
//!
//! let mut area = vec![0u8; 64];
//! let empty = Positions::EMPTY;
//! let after = append(&mut area, empty, &[b"hello"], u32::MAX, |_| {}).unwrap();
//! assert_eq!(after.positions, Positions { head: 0, tail: 8 });
//! assert_eq!(&area[..8], b"\x00\x05hello\x00");
//! ```

use thiserror::Error;

use super::header::RC_WRITING;
use super::varint::{self, Decoded};

/// The payload HAProxy writes when exactly one message was dropped.
///
/// It ends with a NUL byte, as HAProxy 3.x's src/sink.c counts the
/// terminator of its C string in the length.
pub const DROPPED_ONE: &[u8] = b"1 event dropped\0";

/// Returns the notice that announces `count` dropped messages.
///
/// ```
/// use ringcfg::store::writer::dropped_notice;
/// assert_eq!(dropped_notice(1), b"1 event dropped\0");
/// assert_eq!(dropped_notice(12), b"12 events dropped\0");
/// ```
pub fn dropped_notice(count: u64) -> Vec<u8> {
    if count == 1 {
        return DROPPED_ONE.to_vec();
    }
    format!("{count} events dropped\0").into_bytes()
}

/// Head and tail offsets in the area, the tail without its lock bit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Positions {
    /// Offset of the oldest RC byte.
    pub head: usize,
    /// Offset just past the newest RC byte.
    pub tail: usize,
}

impl Positions {
    /// An empty ring: one RC byte at offset 0.
    pub const EMPTY: Positions = Positions { head: 0, tail: 1 };

    /// Returns the number of bytes from head to tail in an area of `size` bytes.
    pub fn data_len(self, size: usize) -> usize {
        if self.head < self.tail { self.tail - self.head } else { size - self.head + self.tail }
    }
}

/// Why a message was not appended; each counts as one dropped message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum Refusal {
    /// The message cannot fit even in an empty area.
    #[error("the message needs {needed} bytes and the area holds at most {capacity}")]
    TooLarge {
        /// Bytes the message takes: length varint, payload and RC byte.
        needed: usize,
        /// Largest such size the area accepts.
        capacity: usize,
    },
    /// The oldest message has readers parked on it and may not be evicted.
    #[error("the oldest message has readers and cannot be evicted")]
    Pinned,
    /// The bytes between head and tail are not a sequence of messages.
    #[error("the ring holds a malformed message at offset {offset}")]
    Malformed {
        /// Offset of the RC byte before the malformed message.
        offset: usize,
    },
}

/// What [`append`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Appended {
    /// The positions to publish: head after eviction, tail after the message.
    pub positions: Positions,
    /// Number of messages evicted to make room.
    pub evicted: u64,
    /// Payload length stored, after truncation to the maximum length.
    pub len: usize,
}

/// Returns the bytes a message of `len` payload bytes takes: varint, payload, RC.
#[inline]
pub const fn needed(len: usize) -> usize {
    let varint_len = if len < ONE_BYTE_VARINT { 1 } else { varint::encoded_len(len as u64) };
    varint_len + len + 1
}

/// Lengths below this take a one-byte varint, the usual case on the write path.
const ONE_BYTE_VARINT: usize = 240;

/// Encodes `len` into `out` and returns the bytes written, without a call for short lengths.
#[inline]
fn encode_len(len: usize, out: &mut [u8; varint::MAX_LEN]) -> usize {
    if len < ONE_BYTE_VARINT {
        out[0] = len as u8;
        return 1;
    }
    varint::encode(len as u64, out)
}

/// Returns the longest payload that fits in an empty area of `size` bytes.
///
/// HAProxy's writer needs `varint + len + 1` bytes plus two spare bytes on
/// top of the single RC byte of an empty ring, so the bound is
/// `varint(len) + len <= size - 4`.
///
/// ```
/// use ringcfg::store::writer::max_payload;
/// assert_eq!(max_payload(808), 802);
/// ```
pub fn max_payload(size: usize) -> usize {
    let room = size.saturating_sub(4);
    let mut len = room.saturating_sub(1);
    while len > 0 && varint::encoded_len(len as u64) + len > room {
        len -= 1;
    }
    len
}

/// Appends the concatenation of `parts`, cut to `maxlen` bytes, to `area`.
///
/// Follows HAProxy's order: marks the RC byte before the tail with 255,
/// evicts, calls `publish_head` with the new head before it changes any byte
/// past the tail, writes the message and its trailing RC byte, and restores
/// the old RC byte. The caller then stores the returned tail. On refusal the
/// area is as it was, apart from messages already evicted, whose new head is
/// passed to `publish_head` as well.
///
/// # Errors
///
/// [`Refusal`] when the message cannot be stored; nothing is written then.
#[inline]
pub fn append(
    area: &mut [u8],
    at: Positions,
    parts: &[&[u8]],
    maxlen: u32,
    publish_head: impl FnOnce(usize),
) -> Result<Appended, Refusal> {
    let size = area.len();
    let total: usize = parts.iter().map(|part| part.len()).sum();
    let len = total.min(maxlen as usize);
    let needed = needed(len);
    if needed + 1 > size {
        return Err(Refusal::TooLarge { needed, capacity: size - 1 });
    }

    let rc_at = if at.tail == 0 { size - 1 } else { at.tail - 1 };
    let saved_rc = area[rc_at];
    area[rc_at] = RC_WRITING;

    let room = make_room(area, at, needed);
    if room.head != at.head {
        publish_head(room.head);
    }
    if let Some(refusal) = room.refusal {
        area[rc_at] = saved_rc;
        return Err(refusal);
    }

    let tail = write_message(area, at.tail, parts, len);
    area[rc_at] = saved_rc;
    Ok(Appended { positions: Positions { head: room.head, tail }, evicted: room.evicted, len })
}

/// Outcome of eviction: how far the head moved, and whether room was made.
struct Room {
    head: usize,
    evicted: u64,
    refusal: Option<Refusal>,
}

/// Evicts the oldest messages until `needed` more bytes fit.
#[inline]
fn make_room(area: &[u8], at: Positions, needed: usize) -> Room {
    let size = area.len();
    let mut room = Room { head: at.head, evicted: 0, refusal: None };
    let mut data = at.data_len(size);
    while data + needed + 2 > size {
        if area[room.head] != 0 || data <= 1 {
            room.refusal = Some(Refusal::Pinned);
            break;
        }
        let Some(span) = message_span(area, room.head, data) else {
            room.refusal = Some(Refusal::Malformed { offset: room.head });
            break;
        };
        room.head = advance(room.head, span, size);
        data -= span;
        room.evicted += 1;
    }
    room
}

/// Returns the bytes from the RC byte at `rc_at` to the next RC byte.
///
/// `None` when the varint or the payload runs past the `data` bytes left
/// from `rc_at`.
#[inline]
pub fn message_span(area: &[u8], rc_at: usize, data: usize) -> Option<usize> {
    let (len, varint_len) = length_at(area, rc_at, data)?;
    let span = 1usize.checked_add(varint_len)?.checked_add(usize::try_from(len).ok()?)?;
    (span < data).then_some(span)
}

/// Returns `pos + by` wrapped into an area of `size` bytes; `by` is at most `size`.
///
/// A compare instead of `%`: a division costs more than the rest of a
/// short write.
#[inline]
fn advance(pos: usize, by: usize, size: usize) -> usize {
    let next = pos + by;
    if next >= size { next - size } else { next }
}

/// Decodes the length varint after the RC byte at `rc_at`, within `data` bytes from it.
#[inline]
fn length_at(area: &[u8], rc_at: usize, data: usize) -> Option<(u64, usize)> {
    let size = area.len();
    let first_at = advance(rc_at, 1, size);
    if data > 1 && usize::from(area[first_at]) < ONE_BYTE_VARINT {
        return Some((u64::from(area[first_at]), 1));
    }
    let byte = |index: usize| (index + 1 < data).then(|| area[(first_at + index) % size]);
    match varint::decode_with(byte) {
        Decoded::Value(len, varint_len) => Some((len, varint_len)),
        Decoded::Incomplete | Decoded::Overflow => None,
    }
}

/// Writes the varint, the payload and a zero RC byte from `start`; returns the new tail.
#[inline]
fn write_message(area: &mut [u8], start: usize, parts: &[&[u8]], len: usize) -> usize {
    let size = area.len();
    let mut encoded = [0u8; varint::MAX_LEN];
    let varint_len = encode_len(len, &mut encoded);

    let rc_at = start + varint_len + len;
    if rc_at < size {
        // The usual case: the message does not cross the end of the area.
        // A one-byte varint is stored directly: `copy_from_slice` of a
        // length the compiler cannot see is a call to `memcpy`.
        if varint_len == 1 {
            area[start] = encoded[0];
        } else {
            area[start..start + varint_len].copy_from_slice(&encoded[..varint_len]);
        }
        let mut pos = start + varint_len;
        for part in parts {
            let take = (rc_at - pos).min(part.len());
            area[pos..pos + take].copy_from_slice(&part[..take]);
            pos += take;
        }
        area[rc_at] = 0;
        return advance(rc_at, 1, size);
    }

    let mut pos = copy_wrapping(area, start, &encoded[..varint_len]);
    let mut left = len;
    for part in parts {
        let take = left.min(part.len());
        pos = copy_wrapping(area, pos, &part[..take]);
        left -= take;
    }
    area[pos] = 0;
    advance(pos, 1, size)
}

/// Copies `bytes` into `area` from `pos`, wrapping at the end; returns the next offset.
fn copy_wrapping(area: &mut [u8], pos: usize, bytes: &[u8]) -> usize {
    let size = area.len();
    let first = bytes.len().min(size - pos);
    area[pos..pos + first].copy_from_slice(&bytes[..first]);
    let rest = &bytes[first..];
    area[..rest.len()].copy_from_slice(rest);
    advance(pos, bytes.len(), size)
}

/// Counts the messages between head and tail.
///
/// # Errors
///
/// [`Refusal::Malformed`] with the offset of the first RC byte whose
/// message does not end before the tail.
pub fn count_messages(area: &[u8], at: Positions) -> Result<u64, Refusal> {
    let size = area.len();
    let mut pos = at.head;
    let mut data = at.data_len(size);
    let mut count = 0;
    while data > 1 {
        let span = message_span(area, pos, data).ok_or(Refusal::Malformed { offset: pos })?;
        pos = advance(pos, span, size);
        data -= span;
        count += 1;
    }
    Ok(count)
}

/// Sets every RC byte between head and tail to zero and counts the messages.
///
/// After a crash no reader survives, and a 255 marker only means that a
/// write was in progress; leaving either would stop eviction for good.
///
/// # Errors
///
/// [`Refusal::Malformed`] as for [`count_messages`]; nothing is changed then.
pub fn clear_readers(area: &mut [u8], at: Positions) -> Result<u64, Refusal> {
    let count = count_messages(area, at)?;
    let size = area.len();
    let mut pos = at.head;
    let mut data = at.data_len(size);
    while data > 1 {
        area[pos] = 0;
        let span = message_span(area, pos, data).ok_or(Refusal::Malformed { offset: pos })?;
        pos = advance(pos, span, size);
        data -= span;
    }
    area[pos] = 0;
    Ok(count)
}

/// Copies the payload of the message whose RC byte is at `rc_at` into `out`.
///
/// Returns the offset of the next RC byte, or `None` when the message runs
/// past the `data` bytes left from `rc_at`.
pub fn read_message(area: &[u8], rc_at: usize, data: usize, out: &mut Vec<u8>) -> Option<usize> {
    let size = area.len();
    let span = message_span(area, rc_at, data)?;
    let (len, varint_len) = length_at(area, rc_at, data)?;
    let start = advance(rc_at, 1 + varint_len, size);
    let len = len as usize;
    let first = len.min(size - start);
    out.extend_from_slice(&area[start..start + first]);
    out.extend_from_slice(&area[..len - first]);
    Some(advance(rc_at, span, size))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(area: &mut [u8], at: &mut Positions, payload: &[u8]) -> Result<Appended, Refusal> {
        let mut published = None;
        let result = append(area, *at, &[payload], u32::MAX, |head| published = Some(head));
        if let Ok(done) = result {
            assert_eq!(published.unwrap_or(at.head), done.positions.head);
            *at = done.positions;
        } else if let Some(head) = published {
            at.head = head;
        }
        result
    }

    fn messages(area: &[u8], at: Positions) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        let mut pos = at.head;
        let mut data = at.data_len(area.len());
        while data > 1 {
            let mut payload = Vec::new();
            let next = read_message(area, pos, data, &mut payload).expect("whole message");
            data -= (next + area.len() - pos) % area.len();
            pos = next;
            out.push(payload);
        }
        out
    }

    #[test]
    fn appends_like_haproxy_bytes() {
        let mut area = vec![0u8; 3904];
        let mut at = Positions::EMPTY;
        push(&mut area, &mut at, b"GET /a 200").unwrap();
        push(&mut area, &mut at, b"GET /bc 200").unwrap();
        assert_eq!(at, Positions { head: 0, tail: 26 });
        assert_eq!(&area[..26], b"\x00\x0aGET /a 200\x00\x0bGET /bc 200\x00");
    }

    #[test]
    fn evicts_oldest_and_wraps() {
        let mut area = vec![0u8; 50];
        let mut at = Positions::EMPTY;
        let mut evicted = 0;
        for n in 0..40u32 {
            let done = push(&mut area, &mut at, format!("message {n:02}").as_bytes()).unwrap();
            evicted += done.evicted;
            assert!(at.data_len(area.len()) <= area.len() - 2);
        }
        let kept = messages(&area, at);
        assert_eq!(kept.len() as u64, 40 - evicted);
        assert_eq!(kept.last().unwrap(), b"message 39");
        assert!(at.head > at.tail || evicted > 0);
    }

    #[test]
    fn keeps_pinned_message_and_refuses() {
        let mut area = vec![0u8; 28];
        let mut at = Positions::EMPTY;
        push(&mut area, &mut at, b"0123456789").unwrap();
        area[at.head] = 1;
        assert_eq!(push(&mut area, &mut at, b"abcdefghijkl"), Err(Refusal::Pinned));
        assert_eq!(messages(&area, at), vec![b"0123456789".to_vec()]);
        assert_eq!(area[at.tail - 1], 0, "the RC byte before the tail is restored");
    }

    #[test]
    fn capacity_is_size_minus_four() {
        for size in [20usize, 300, 808, 3904] {
            let len = max_payload(size);
            let mut area = vec![0u8; size];
            let mut at = Positions::EMPTY;
            push(&mut area, &mut at, &vec![b'x'; len]).unwrap();
            let mut area = vec![0u8; size];
            let mut at = Positions::EMPTY;
            let too_long = push(&mut area, &mut at, &vec![b'x'; len + 1]);
            assert!(too_long.is_err(), "size {size}: {len} + 1 should not fit");
        }
    }

    #[test]
    fn truncates_to_maxlen_across_parts() {
        let mut area = vec![0u8; 64];
        let done = append(&mut area, Positions::EMPTY, &[b"<13>", b"abcdef"], 6, |_| {}).unwrap();
        assert_eq!(done.len, 6);
        assert_eq!(messages(&area, done.positions), vec![b"<13>ab".to_vec()]);
    }

    #[test]
    fn long_messages_use_multibyte_varints() {
        let mut area = vec![0u8; 8000];
        let mut at = Positions::EMPTY;
        let long = vec![b'y'; 2288];
        push(&mut area, &mut at, &long).unwrap();
        assert_eq!(at.tail, 1 + 3 + 2288 + 1);
        assert_eq!(count_messages(&area, at), Ok(1));
    }

    #[test]
    fn count_rejects_garbage() {
        let area = [0u8, 200, 1, 2, 0];
        assert_eq!(
            count_messages(&area, Positions { head: 0, tail: 5 }),
            Err(Refusal::Malformed { offset: 0 })
        );
    }
}
