//! The storage header that precedes the circular area.
//!
//! HAProxy 3.0 and later, built with threads, write a 192-byte header: the
//! usable area size at offset 0, the header length (`rsvd`, 192) at 8, the
//! tail at 64 and the head at 128, each on its own 64-byte cache line. Every
//! field is a native-endian `size_t`; this crate supports 64-bit hosts only,
//! where that is a `u64`. There is no magic number and no version field.

/// Length of the 3.x threaded header, also the offset of the area.
pub const V2A_LEN: usize = 192;

/// Length of the 3.x header written by builds without threads.
pub const V2_LEN: usize = 32;

/// Top bit of the tail: set while a writer holds the tail.
pub const TAIL_LOCK: u64 = 1 << 63;

/// Reader-count value that marks the RC byte before the tail during a write.
pub const RC_WRITING: u8 = 255;

/// Largest number of readers one RC byte can count.
pub const MAX_READERS: u8 = 254;

/// Offset of the `size` field.
pub const SIZE_OFFSET: usize = 0;
/// Offset of the `rsvd` field, the header length.
pub const RSVD_OFFSET: usize = 8;
/// Offset of the `tail` field in the threaded header.
pub const V2A_TAIL_OFFSET: usize = 64;
/// Offset of the `head` field in the threaded header.
pub const V2A_HEAD_OFFSET: usize = 128;
/// Offset of the `tail` field in the header without threads.
pub const V2_TAIL_OFFSET: usize = 16;
/// Offset of the `head` field in the header without threads.
pub const V2_HEAD_OFFSET: usize = 24;

/// Reads the native-endian `u64` at `offset`, or `None` past the end of `bytes`.
pub fn read_u64(bytes: &[u8], offset: usize) -> Option<u64> {
    let field = bytes.get(offset..offset.checked_add(8)?)?;
    Some(u64::from_ne_bytes(field.try_into().ok()?))
}

/// Writes `value` as a native-endian `u64` at `offset`.
///
/// # Panics
///
/// Panics when `bytes` is shorter than `offset + 8`; callers size the buffer first.
pub fn write_u64(bytes: &mut [u8], offset: usize, value: u64) {
    bytes[offset..offset + 8].copy_from_slice(&value.to_ne_bytes());
}

/// Writes an empty threaded-layout ring into `file`, as HAProxy's reset does.
///
/// Sets `size` to the area length, `rsvd` to 192, `head` to 0, `tail` to 1
/// and the first area byte (the only RC byte) to 0. Like HAProxy, it leaves
/// padding and the rest of the area as they were: readers trust only the
/// bytes between head and tail.
///
/// # Panics
///
/// Panics when `file` is not longer than the header.
pub fn init_empty_v2a(file: &mut [u8]) {
    assert!(file.len() > V2A_LEN, "a ring file needs room for its header and one byte");
    write_u64(file, SIZE_OFFSET, (file.len() - V2A_LEN) as u64);
    write_u64(file, RSVD_OFFSET, V2A_LEN as u64);
    write_u64(file, V2A_HEAD_OFFSET, 0);
    file[V2A_LEN] = 0;
    write_u64(file, V2A_TAIL_OFFSET, 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_empty_matches_haproxy_header() {
        let mut file = vec![0xaau8; 4096];
        init_empty_v2a(&mut file);
        assert_eq!(read_u64(&file, SIZE_OFFSET), Some(3904));
        assert_eq!(read_u64(&file, RSVD_OFFSET), Some(192));
        assert_eq!(read_u64(&file, V2A_TAIL_OFFSET), Some(1));
        assert_eq!(read_u64(&file, V2A_HEAD_OFFSET), Some(0));
        assert_eq!(file[V2A_LEN], 0);
        assert_eq!(file[V2A_LEN + 1], 0xaa, "the rest of the area is left as it was");
    }

    #[test]
    fn read_u64_past_end_is_none() {
        assert_eq!(read_u64(&[0; 12], 8), None);
        assert_eq!(read_u64(&[0; 12], usize::MAX), None);
    }
}
