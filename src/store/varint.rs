//! HAProxy's variable-length integers, as used for ring message lengths.
//!
//! Values below 240 take one byte. Larger values set the top four bits of
//! the first byte and carry 4 bits in it, then 7 bits in each following byte,
//! whose top bit means "more bytes follow". Each continuation step subtracts
//! the range already covered, so every value has exactly one encoding.

/// Maximum number of bytes a 64-bit value takes.
pub const MAX_LEN: usize = 10;

/// Returns how many bytes [`encode`] writes for `value`.
///
/// ```
/// use ringcfg::store::varint::encoded_len;
/// assert_eq!(encoded_len(239), 1);
/// assert_eq!(encoded_len(240), 2);
/// assert_eq!(encoded_len(2288), 3);
/// ```
pub const fn encoded_len(value: u64) -> usize {
    if value < 240 {
        return 1;
    }
    let mut len = 2;
    let mut rest = (value - 240) >> 4;
    while rest >= 128 {
        len += 1;
        rest = (rest - 128) >> 7;
    }
    len
}

/// Encodes `value` into `out` and returns the number of bytes written.
///
/// ```
/// let mut out = [0u8; ringcfg::store::varint::MAX_LEN];
/// let len = ringcfg::store::varint::encode(294, &mut out);
/// assert_eq!(&out[..len], &[0xf6, 0x03]);
/// ```
pub fn encode(value: u64, out: &mut [u8; MAX_LEN]) -> usize {
    if value < 240 {
        out[0] = value as u8;
        return 1;
    }
    out[0] = (value as u8) | 0xf0;
    let mut rest = (value - 240) >> 4;
    let mut len = 1;
    while rest >= 128 {
        out[len] = (rest as u8) | 0x80;
        rest = (rest - 128) >> 7;
        len += 1;
    }
    out[len] = rest as u8;
    len + 1
}

/// Outcome of decoding a varint from a byte source that may end early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// The value and the number of bytes it took.
    Value(u64, usize),
    /// The source ended before the last byte.
    Incomplete,
    /// More than [`MAX_LEN`] bytes, or a value past `u64::MAX`.
    Overflow,
}

/// Decodes a varint from `next_byte(i)`, the byte at position `i` or `None` past the end.
///
/// Taking a closure lets callers decode across the wrap of a circular area
/// without copying.
///
/// ```
/// use ringcfg::store::varint::{decode_with, Decoded};
/// let bytes = [0xffu8, 0x30];
/// assert_eq!(decode_with(|i| bytes.get(i).copied()), Decoded::Value(1023, 2));
/// assert_eq!(decode_with(|i| bytes[..1].get(i).copied()), Decoded::Incomplete);
/// ```
pub fn decode_with(mut next_byte: impl FnMut(usize) -> Option<u8>) -> Decoded {
    let Some(first) = next_byte(0) else {
        return Decoded::Incomplete;
    };
    let mut value = u64::from(first);
    if first < 240 {
        return Decoded::Value(value, 1);
    }
    let mut shift = 4u32;
    for index in 1..MAX_LEN {
        let Some(byte) = next_byte(index) else {
            return Decoded::Incomplete;
        };
        let Some(part) =
            u64::from(byte).checked_shl(shift).filter(|part| part >> shift == u64::from(byte))
        else {
            return Decoded::Overflow;
        };
        let Some(sum) = value.checked_add(part) else {
            return Decoded::Overflow;
        };
        value = sum;
        if byte < 128 {
            return Decoded::Value(value, index + 1);
        }
        shift += 7;
    }
    Decoded::Overflow
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(value: u64) -> (u64, usize) {
        let mut out = [0u8; MAX_LEN];
        let len = encode(value, &mut out);
        match decode_with(|i| out[..len].get(i).copied()) {
            Decoded::Value(decoded, used) => (decoded, used),
            other => panic!("{value} decoded as {other:?}"),
        }
    }

    #[test]
    fn round_trips_range_boundaries() {
        for value in [0, 1, 239, 240, 2287, 2288, 264_431, 264_432, 33_818_863, 33_818_864] {
            let (decoded, used) = round_trip(value);
            assert_eq!(decoded, value);
            assert_eq!(used, encoded_len(value), "length of {value}");
        }
    }

    #[test]
    fn round_trips_u64_max() {
        assert_eq!(round_trip(u64::MAX).0, u64::MAX);
        assert!(encoded_len(u64::MAX) <= MAX_LEN);
    }

    #[test]
    fn matches_haproxy_bytes() {
        for (value, expected) in [(10, &[0x0a][..]), (294, &[0xf6, 0x03]), (1023, &[0xff, 0x30])] {
            let mut out = [0u8; MAX_LEN];
            let len = encode(value, &mut out);
            assert_eq!(&out[..len], expected, "encoding of {value}");
        }
    }

    #[test]
    fn endless_continuation_overflows() {
        assert_eq!(decode_with(|_| Some(0xff)), Decoded::Overflow);
    }
}
