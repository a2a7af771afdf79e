//! Splitting a file into lines the way HAProxy's reader does.
//!
//! HAProxy copies each line into a buffer of 2048 bytes that doubles when a
//! line does not fit, and then measures the line with `strlen()`. So a NUL
//! byte cuts a line short, and the part of a long line past a NUL can come
//! back as a line of its own. This module reproduces those boundaries.

use crate::swar;

/// HAProxy's `LINESIZE`, the first size of its line buffer.
const LINESIZE: usize = 2048;

/// One line as HAProxy's reader sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawLine {
    /// 1-based line number.
    pub number: usize,
    /// Offset of the first byte.
    pub start: usize,
    /// End of what HAProxy parses: the LF or the first NUL, whichever comes first.
    pub end: usize,
    /// End of the bytes read for this line, without the LF.
    pub read_end: usize,
    /// True when the line has no LF: a NUL byte cut it, or the file ends.
    pub missing_lf: bool,
}

/// Iterates over the lines of a file.
pub(crate) struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
    linesize: usize,
    number: usize,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Lines { bytes, pos: 0, linesize: LINESIZE, number: 0 }
    }
}

impl Iterator for Lines<'_> {
    type Item = RawLine;

    fn next(&mut self) -> Option<RawLine> {
        self.next_short().or_else(|| self.next_long())
    }
}

impl Lines<'_> {
    /// Returns the next line when it is the common case: an LF ends it, it
    /// has no NUL byte and it fits in the first buffer. Returns `None`, and
    /// reads nothing, for any other line and at the end of the input.
    fn next_short(&mut self) -> Option<RawLine> {
        let start = self.pos;
        let room = (self.linesize - 1).min(self.bytes.len() - start);
        let rest = &self.bytes[start..start + room];
        let lf = find_lf_or_nul(rest).filter(|at| rest[*at] == b'\n')?;
        self.pos = start + lf + 1;
        self.number += 1;
        let end = start + lf;
        Some(RawLine { number: self.number, start, end, read_end: end, missing_lf: false })
    }

    /// Returns the next line the way HAProxy's buffer reads it, whatever
    /// its length or bytes.
    fn next_long(&mut self) -> Option<RawLine> {
        let start = self.pos;
        let mut read = 0;
        loop {
            if self.pos == self.bytes.len() {
                // End of input; a partly read long line is dropped, as HAProxy does.
                return None;
            }
            let room = (self.linesize - read - 1).min(self.bytes.len() - self.pos);
            let chunk = &self.bytes[self.pos..self.pos + room];
            let (taken, nul) = scan_chunk(chunk);
            self.pos += taken;
            let strlen = match nul {
                Some(nul) => read + nul,
                None => self.pos - start,
            };
            let ends_with_lf = strlen > 0 && self.bytes[start + strlen - 1] == b'\n';
            if strlen == self.linesize - 1 && !ends_with_lf {
                read = self.linesize - 1;
                self.linesize *= 2;
                continue;
            }
            self.number += 1;
            let read_end = if self.bytes[self.pos - 1] == b'\n' { self.pos - 1 } else { self.pos };
            let end = if ends_with_lf { start + strlen - 1 } else { start + strlen };
            return Some(RawLine {
                number: self.number,
                start,
                end,
                read_end,
                missing_lf: !ends_with_lf,
            });
        }
    }
}

/// Returns how many bytes of `chunk` the line takes (up to and including
/// its LF, else all of them) and where its first NUL byte is.
///
/// One search for either byte does the work for the common line, which
/// has no NUL byte.
fn scan_chunk(chunk: &[u8]) -> (usize, Option<usize>) {
    match find_lf_or_nul(chunk) {
        None => (chunk.len(), None),
        Some(lf) if chunk[lf] == b'\n' => (lf + 1, None),
        Some(nul) => {
            let taken = memchr::memchr(b'\n', &chunk[nul..]).map_or(chunk.len(), |lf| nul + lf + 1);
            (taken, Some(nul))
        }
    }
}

/// Returns the offset of the first LF or NUL byte of `bytes`.
///
/// Configuration lines are mostly short, so their first 128 bytes are tested
/// eight at a time in a `u64`, which finds their end before a vectorized
/// search would be set up. Longer lines go on with `memchr2`.
fn find_lf_or_nul(bytes: &[u8]) -> Option<usize> {
    const HEAD: usize = 128;
    let mut at = 0;
    while at < HEAD {
        let Some(chunk) = bytes.get(at..at + 8) else {
            return bytes[at..]
                .iter()
                .position(|byte| *byte == b'\n' || *byte == 0)
                .map(|i| at + i);
        };
        let word = swar::word(chunk.try_into().expect("eight bytes"));
        if let Some(i) = first_lf_or_nul(word) {
            return Some(at + i);
        }
        at += 8;
    }
    memchr::memchr2(b'\n', 0, &bytes[HEAD..]).map(|i| HEAD + i)
}

/// Returns the index of the first LF or NUL byte among the eight bytes of
/// `word`.
fn first_lf_or_nul(word: u64) -> Option<usize> {
    swar::first(swar::equal(word, 0) | swar::equal(word, b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(bytes: &[u8]) -> Vec<(usize, usize, bool)> {
        Lines::new(bytes).map(|l| (l.start, l.end, l.missing_lf)).collect()
    }

    #[test]
    fn splits_at_lf() {
        assert_eq!(lines(b"a\nbc\n"), [(0, 1, false), (2, 4, false)]);
        assert_eq!(lines(b""), []);
        assert_eq!(lines(b"\n\n"), [(0, 0, false), (1, 1, false)]);
    }

    #[test]
    fn last_line_without_lf_is_marked() {
        assert_eq!(lines(b"a\nlast"), [(0, 1, false), (2, 6, true)]);
    }

    #[test]
    fn nul_cuts_the_line() {
        assert_eq!(lines(b"a\0b\nc\n"), [(0, 1, true), (4, 5, false)]);
    }

    #[test]
    fn long_lines_are_read_whole() {
        let mut bytes = vec![b'x'; 5000];
        bytes.push(b'\n');
        bytes.extend_from_slice(b"y\n");
        assert_eq!(lines(&bytes), [(0, 5000, false), (5001, 5002, false)]);
    }

    #[test]
    fn a_last_line_filling_the_buffer_exactly_is_dropped() {
        let bytes = vec![b'x'; LINESIZE - 1];
        assert_eq!(lines(&bytes), []);
    }

    #[test]
    fn find_lf_or_nul_tricky_bytes() {
        let samples: [&[u8]; 7] = [
            b"",
            b"abc",
            b"abcdefgh\n",
            b"\x01\x00\n",
            b"\x0b\x0a\x00",
            b"\xff\xfe\x80\x81\x0a",
            b"\x01\x01\x01\x01\x01\x01\x01\x01\x01\x00",
        ];
        for sample in samples {
            let expected = sample.iter().position(|b| *b == b'\n' || *b == 0);
            assert_eq!(find_lf_or_nul(sample), expected, "{sample:?}");
        }
        for at in 0..100 {
            for byte in [b'\n', 0] {
                let mut bytes = vec![0x01; 100];
                bytes[at] = byte;
                assert_eq!(find_lf_or_nul(&bytes), Some(at));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn find_lf_or_nul_random_bytes(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)
        ) {
            let expected = bytes.iter().position(|b| *b == b'\n' || *b == 0);
            proptest::prop_assert_eq!(find_lf_or_nul(&bytes), expected);
        }
    }

    proptest::proptest! {
        #[test]
        fn short_path_agrees_with_the_buffer_model(
            bytes in proptest::collection::vec(
                proptest::sample::select(vec![b'a', b' ', b'\n', 0]),
                0..5000,
            )
        ) {
            let mut model = Lines::new(&bytes);
            let expected: Vec<RawLine> = std::iter::from_fn(|| model.next_long()).collect();
            proptest::prop_assert_eq!(Lines::new(&bytes).collect::<Vec<_>>(), expected);
        }
    }

    #[test]
    fn short_path_agrees_near_the_buffer_size() {
        for len in LINESIZE - 4..LINESIZE + 4 {
            for end in [&b"\n"[..], b"\0\n", b"", b"\0"] {
                let mut bytes = vec![b'x'; len];
                bytes.extend_from_slice(end);
                bytes.extend_from_slice(b"next\n");
                let mut model = Lines::new(&bytes);
                let expected: Vec<RawLine> = std::iter::from_fn(|| model.next_long()).collect();
                assert_eq!(Lines::new(&bytes).collect::<Vec<_>>(), expected, "{len} {end:?}");
            }
        }
    }

    #[test]
    fn lines_past_the_first_128_bytes() {
        let mut bytes = vec![b'x'; 200];
        bytes[150] = 0;
        bytes[180] = b'\n';
        bytes.extend_from_slice(b"y\n");
        assert_eq!(lines(&bytes), [(0, 150, true), (181, 201, false)]);
        assert_eq!(find_lf_or_nul(&[b'x'; 100]), None);
    }

    #[test]
    fn nul_early_in_a_long_line_splits_it() {
        let mut bytes = vec![b'x'; 3000];
        bytes[10] = 0;
        bytes.push(b'\n');
        let got = lines(&bytes);
        assert_eq!(got[0], (0, 10, true));
        assert_eq!(got.len(), 2);
    }
}
