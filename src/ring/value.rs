//! Parsers for the values of ring keywords, each following the HAProxy function it mirrors.
//!
//! The parsers return what HAProxy would store, or an error that says where
//! the input goes wrong, so the section walk can point at the exact byte.

use crate::HaproxyVersion;

/// Bytes of the header HAProxy puts before a ring's area (`struct ring_storage`
/// on a threaded 64-bit build).
pub const RING_HEADER_SIZE: u64 = 192;

/// Allocated size of a ring without a `size` line: HAProxy's `BUFSIZE`, a
/// compile-time constant that `tune.bufsize` does not change.
pub const DEFAULT_RING_SIZE: u64 = 16384;

/// The largest `size` HAProxy 3.x accepts on a 64-bit platform: `RING_TAIL_LOCK`, 2^63.
pub const MAX_RING_SIZE: u64 = 1 << 63;

/// The largest timeout HAProxy accepts, in milliseconds (`INT_MAX`, about 24.8 days).
pub const MAX_TIMEOUT_MS: u64 = 2_147_483_647;

/// Why a `size` value is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SizeError {
    /// Not digits with at most one unit letter; `at` is the byte offset of
    /// the first unexpected byte.
    Syntax {
        /// Offset of the first byte that does not fit.
        at: usize,
    },
    /// The value does not fit in 64 bits.
    Overflow,
    /// Zero bytes.
    Zero,
    /// Larger than [`MAX_RING_SIZE`].
    TooLarge(u64),
}

/// Parses a `size` value as HAProxy 3.1 and later do (`parse_size_ull`).
///
/// The grammar is `DIGITS [k|K|m|M|g|G|t|T|p|P]`: binary multiples, no sign,
/// no spaces, nothing after the unit.
///
/// ```
/// use ringcfg::ring::value::{parse_size, SizeError};
/// assert_eq!(parse_size(b"64k"), Ok(65536));
/// assert_eq!(parse_size(b"10kB"), Err(SizeError::Syntax { at: 3 }));
/// assert_eq!(parse_size(b"0"), Err(SizeError::Zero));
/// ```
pub fn parse_size(text: &[u8]) -> Result<u64, SizeError> {
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Err(SizeError::Syntax { at: 0 });
    }
    let mut value: u64 = 0;
    for &digit in &text[..digits] {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(digit - b'0')))
            .ok_or(SizeError::Overflow)?;
    }

    let shift = match text.get(digits) {
        None => 0,
        Some(unit) => unit_shift(*unit).ok_or(SizeError::Syntax { at: digits })?,
    };
    if shift > 0 && text.len() > digits + 1 {
        return Err(SizeError::Syntax { at: digits + 1 });
    }
    if shift > 0 && value.leading_zeros() < shift {
        return Err(SizeError::Overflow);
    }
    let value = value << shift;

    match value {
        0 => Err(SizeError::Zero),
        v if v > MAX_RING_SIZE => Err(SizeError::TooLarge(v)),
        v => Ok(v),
    }
}

fn unit_shift(unit: u8) -> Option<u32> {
    match unit {
        b'k' | b'K' => Some(10),
        b'm' | b'M' => Some(20),
        b'g' | b'G' => Some(30),
        b't' | b'T' => Some(40),
        b'p' | b'P' => Some(50),
        _ => None,
    }
}

/// What C's `atol` makes of a value: the number and how much of the text it used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Atol {
    /// The `long` result, saturated at the `i64` limits as glibc does.
    pub value: i64,
    /// Bytes consumed: leading white space, the sign and the digits.
    pub used: usize,
    /// True when at least one digit was read.
    pub has_digits: bool,
}

/// Reads `text` as C's `atol` does: white space, an optional sign, digits, and
/// nothing more; the rest is silently ignored.
///
/// ```
/// let atol = ringcfg::ring::value::atol(b"12abc");
/// assert_eq!((atol.value, atol.used), (12, 2));
/// ```
pub fn atol(text: &[u8]) -> Atol {
    let mut pos =
        text.iter().take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b..=0x0d)).count();
    let negative = text.get(pos) == Some(&b'-');
    if matches!(text.get(pos), Some(b'-' | b'+')) {
        pos += 1;
    }
    let start = pos;
    let mut value: i64 = 0;
    while let Some(digit) = text.get(pos).filter(|b| b.is_ascii_digit()) {
        let digit = i64::from(digit - b'0');
        value = if negative {
            value.saturating_mul(10).saturating_sub(digit)
        } else {
            value.saturating_mul(10).saturating_add(digit)
        };
        pos += 1;
    }
    let has_digits = pos > start;
    Atol { value, used: if has_digits { pos } else { 0 }, has_digits }
}

/// Returns the `maxlen` HAProxy stores: `atol` truncated to 32 bits.
///
/// ```
/// assert_eq!(ringcfg::ring::value::maxlen_value(b"-1"), 4_294_967_295);
/// ```
pub fn maxlen_value(text: &[u8]) -> u32 {
    atol(text).value as u32
}

/// Why a timeout value is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeError {
    /// A byte that is neither a digit nor a unit, at this offset.
    Unexpected {
        /// Offset of the byte.
        at: usize,
    },
    /// More than [`MAX_TIMEOUT_MS`] milliseconds.
    Overflow,
    /// Not zero, but less than one millisecond.
    Underflow,
}

/// Parses a timeout to milliseconds as HAProxy's `parse_time_err` does.
///
/// The grammar is `DIGITS [us|ms|s|m|h|d]`, milliseconds without a unit.
///
/// ```
/// use ringcfg::ring::value::{parse_time_ms, TimeError};
/// assert_eq!(parse_time_ms(b"5s"), Ok(5000));
/// assert_eq!(parse_time_ms(b"5x"), Err(TimeError::Unexpected { at: 1 }));
/// assert_eq!(parse_time_ms(b"30d"), Err(TimeError::Overflow));
/// ```
pub fn parse_time_ms(text: &[u8]) -> Result<u32, TimeError> {
    let digits = text.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return Err(TimeError::Unexpected { at: 0 });
    }
    let mut value: u64 = 0;
    for &digit in &text[..digits] {
        value = value.saturating_mul(10).saturating_add(u64::from(digit - b'0'));
    }

    let rest = &text[digits..];
    let (multiplier, divisor, unit_len) = match rest {
        [] => (1, 1, 0),
        [b'u', b's', ..] => (1, 1000, 2),
        [b'm', b's', ..] => (1, 1, 2),
        [b's', ..] => (1000, 1, 1),
        [b'm', ..] => (60_000, 1, 1),
        [b'h', ..] => (3_600_000, 1, 1),
        [b'd', ..] => (86_400_000, 1, 1),
        _ => return Err(TimeError::Unexpected { at: digits }),
    };
    if rest.len() > unit_len {
        return Err(TimeError::Unexpected { at: digits + unit_len });
    }

    let ms = value.saturating_mul(multiplier) / divisor;
    if ms > MAX_TIMEOUT_MS {
        return Err(TimeError::Overflow);
    }
    if ms == 0 && value != 0 {
        return Err(TimeError::Underflow);
    }
    Ok(ms as u32)
}

/// Returns the first byte of a ring name that HAProxy rejects, with its offset.
///
/// Names may only use `A-Z a-z 0-9 . _ : -` (HAProxy's `invalid_char`).
///
/// ```
/// assert_eq!(ringcfg::ring::value::invalid_name_char(b"my/ring"), Some((2, b'/')));
/// ```
pub fn invalid_name_char(name: &[u8]) -> Option<(usize, u8)> {
    name.iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-')))
        .map(|at| (at, name[at]))
}

/// Returns how many bytes HAProxy's varint takes to encode `value`.
///
/// ```
/// use ringcfg::ring::value::varint_len;
/// assert_eq!(varint_len(239), 1);
/// assert_eq!(varint_len(240), 2);
/// assert_eq!(varint_len(2288), 3);
/// ```
pub fn varint_len(value: u64) -> u64 {
    crate::store::varint::encoded_len(value) as u64
}

/// Returns HAProxy's `ring_max_payload` for a ring area of `usable` bytes.
///
/// HAProxy computes `usable - 2 - varint_len(usable - 2)` in unsigned
/// arithmetic, so tiny areas wrap around to huge values; this does the same.
pub fn haproxy_max_payload(usable: u64) -> u64 {
    let room = usable.wrapping_sub(2);
    room.wrapping_sub(varint_len(room))
}

/// Returns the longest message an empty ring of `usable` bytes really stores.
///
/// A write of `L` bytes needs `L + varint_len(L) <= usable - 4`: two bytes
/// less than [`haproxy_max_payload`] promises. Returns `None` when even an
/// empty message does not fit.
///
/// ```
/// use ringcfg::ring::value::{haproxy_max_payload, true_max_payload};
/// assert_eq!(haproxy_max_payload(808), 804);
/// assert_eq!(true_max_payload(808), Some(802));
/// ```
pub fn true_max_payload(usable: u64) -> Option<u64> {
    let room = usable.checked_sub(4)?;
    let mut len = room.saturating_sub(varint_len(room));
    while len > 0 && len + varint_len(len) > room {
        len -= 1;
    }
    while len + 1 + varint_len(len + 1) <= room {
        len += 1;
    }
    (len + varint_len(len) <= room).then_some(len)
}

/// Reads a `size` as HAProxy releases before 3.1 did: through `atol`, so unit
/// letters and anything after the digits are dropped.
pub fn legacy_size(text: &[u8]) -> Atol {
    atol(text)
}

/// Returns true when `version` reads `size` with unit letters.
pub fn size_has_units(version: HaproxyVersion) -> bool {
    version.at_least(3, 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_units_and_errors() {
        assert_eq!(parse_size(b"1M"), Ok(1 << 20));
        assert_eq!(parse_size(b"8192"), Ok(8192));
        assert_eq!(parse_size(b"abc"), Err(SizeError::Syntax { at: 0 }));
        assert_eq!(parse_size(b""), Err(SizeError::Syntax { at: 0 }));
        assert_eq!(parse_size(b"-5"), Err(SizeError::Syntax { at: 0 }));
        assert_eq!(parse_size(b"1x"), Err(SizeError::Syntax { at: 1 }));
        assert_eq!(parse_size(b"99999999999999999999"), Err(SizeError::Overflow));
        assert_eq!(parse_size(b"9223372036854775808"), Ok(MAX_RING_SIZE));
        assert_eq!(parse_size(b"9223372036854775809"), Err(SizeError::TooLarge(MAX_RING_SIZE + 1)));
        assert_eq!(parse_size(b"16777216P"), Err(SizeError::Overflow));
    }

    #[test]
    fn atol_reads_like_c() {
        assert_eq!(atol(b"abc"), Atol { value: 0, used: 0, has_digits: false });
        assert_eq!(atol(b" +7x").value, 7);
        assert_eq!(atol(b"-1").value, -1);
        assert_eq!(atol(b"99999999999999999999").value, i64::MAX);
        assert_eq!(maxlen_value(b"4294967296"), 0);
    }

    #[test]
    fn time_units() {
        assert_eq!(parse_time_ms(b"0"), Ok(0));
        assert_eq!(parse_time_ms(b"1500us"), Ok(1));
        assert_eq!(parse_time_ms(b"100us"), Err(TimeError::Underflow));
        assert_eq!(parse_time_ms(b"2m"), Ok(120_000));
        assert_eq!(parse_time_ms(b"10ms"), Ok(10));
        assert_eq!(parse_time_ms(b"1h"), Ok(3_600_000));
        assert_eq!(parse_time_ms(b"24d"), Ok(2_073_600_000));
        assert_eq!(parse_time_ms(b"5sx"), Err(TimeError::Unexpected { at: 2 }));
        assert_eq!(parse_time_ms(b""), Err(TimeError::Unexpected { at: 0 }));
    }

    #[test]
    fn payload_figures_match_haproxy() {
        // Figures printed by HAProxy 3.5 for these usable sizes.
        assert_eq!(haproxy_max_payload(16192), 16187);
        assert_eq!(haproxy_max_payload(3), 0);
        assert_eq!(haproxy_max_payload(12096), 12091);
        assert_eq!(haproxy_max_payload(65344), 65339);
        assert!(haproxy_max_payload(2) > u64::from(u32::MAX));
    }

    #[test]
    fn true_payload_is_two_below() {
        assert_eq!(true_max_payload(16192), Some(16185));
        assert_eq!(true_max_payload(4), None);
        assert_eq!(true_max_payload(5), Some(0));
        assert_eq!(true_max_payload(245), Some(239));
        assert_eq!(true_max_payload(246), Some(240));
    }
}
