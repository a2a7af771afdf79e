//! Byte tests on eight bytes at a time in a `u64`, for the line splitter
//! and the tokenizer, whose lines are mostly too short for a vectorized
//! search to pay for its set-up.
//!
//! A mark is the top bit of a byte. The tests may also mark bytes above a
//! marked one, where a subtraction borrows, but never below the first, so
//! only the lowest mark of a word is exact: [`first`] reads that one.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Reads eight bytes as one word, the first byte lowest.
pub(crate) fn word(bytes: [u8; 8]) -> u64 {
    u64::from_le_bytes(bytes)
}

/// Marks the bytes of `word` below `bound`, which is at most 0x80.
///
/// `(x - bound…) & !x` sets the top bit of a byte whose value is below
/// `bound`: the subtraction sets it and the byte's own top bit is clear.
pub(crate) fn below(word: u64, bound: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(bound)) & !word & HIGHS
}

/// Marks the bytes of `word` equal to `byte`: an XOR turns them into zero
/// bytes, the only ones below 1.
pub(crate) fn equal(word: u64, byte: u8) -> u64 {
    below(word ^ (ONES * u64::from(byte)), 1)
}

/// Returns the index of the lowest marked byte of `marks`.
pub(crate) fn first(marks: u64) -> Option<usize> {
    (marks != 0).then(|| marks.trailing_zeros() as usize / 8)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn first_mark_matches_byte_loop(bytes: [u8; 8], bound in 0u8..=0x80, byte: u8) {
            let below_at = bytes.iter().position(|b| *b < bound);
            proptest::prop_assert_eq!(first(below(word(bytes), bound)), below_at);
            let equal_at = bytes.iter().position(|b| *b == byte);
            proptest::prop_assert_eq!(first(equal(word(bytes), byte)), equal_at);
        }
    }
}
