//! [`WordBytes`], the decoded value of a word, stored inline when it is short.
//!
//! A configuration holds millions of words and most are a few bytes long:
//! keywords, numbers, names. Giving each its own heap block made allocation
//! the largest cost of reading. Words of up to [`INLINE`] bytes now live
//! inside the [`Word`](super::Word) itself; longer ones take one exact-size
//! heap block.

use std::fmt;
use std::ops::Deref;

/// The longest value stored without a heap block. With the length byte and
/// the enum tag it makes the type 24 bytes, the size of a `Vec<u8>`.
const INLINE: usize = 22;

/// The decoded bytes of a word. It dereferences to `[u8]`, and converts from
/// `Vec<u8>` and `&[u8]`.
///
/// ```
/// use ringcfg::lex::WordBytes;
/// let short = WordBytes::from(&b"ring"[..]);
/// let long = WordBytes::from(vec![b'x'; 100]);
/// assert_eq!(&*short, b"ring");
/// assert_eq!(long.len(), 100);
/// assert_eq!(short, WordBytes::from(b"ring".to_vec()));
/// ```
#[derive(Clone)]
pub struct WordBytes(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<[u8]>),
}

impl WordBytes {
    /// Returns the bytes as a slice.
    pub fn as_slice(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Repr::Heap(bytes) => bytes,
        }
    }

    /// Copies the bytes into a new `Vec<u8>`.
    pub fn to_vec(&self) -> Vec<u8> {
        self.as_slice().to_vec()
    }

    /// Copies `line[from..to]` as one fixed-size window of [`INLINE`]
    /// bytes, a few moves, for the tokenizer's plain words. Returns `None`
    /// when the value is longer or `line` has no such window at `from`.
    ///
    /// The bytes of the window past the value stay in the array, but every
    /// method reads the value through [`WordBytes::as_slice`], so they never
    /// show.
    #[inline]
    pub(crate) fn from_window(line: &[u8], from: usize, to: usize) -> Option<Self> {
        let len = u8::try_from(to - from).ok().filter(|len| usize::from(*len) <= INLINE)?;
        let window = line.get(from..from + INLINE)?;
        let mut bytes = [0; INLINE];
        bytes.copy_from_slice(window);
        Some(WordBytes(Repr::Inline { len, bytes }))
    }
}

impl Default for WordBytes {
    fn default() -> Self {
        WordBytes(Repr::Inline { len: 0, bytes: [0; INLINE] })
    }
}

impl Deref for WordBytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for WordBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl From<&[u8]> for WordBytes {
    // Inlined into the tokenizer's word loop, which runs for every word.
    #[inline]
    fn from(value: &[u8]) -> Self {
        match u8::try_from(value.len()) {
            Ok(len) if value.len() <= INLINE => {
                let mut bytes = [0; INLINE];
                copy_short(value, &mut bytes);
                WordBytes(Repr::Inline { len, bytes })
            }
            _ => WordBytes(Repr::Heap(value.into())),
        }
    }
}

/// Copies `src`, at most [`INLINE`] bytes, to the start of `dst`.
///
/// Two copies of a fixed size that may overlap, picked by the length,
/// compile to a few moves. `copy_from_slice` with a variable length would
/// call `memcpy` for a word of a few bytes.
#[inline]
fn copy_short(src: &[u8], dst: &mut [u8; INLINE]) {
    let len = src.len();
    match len {
        0 => {}
        1..=3 => {
            dst[0] = src[0];
            dst[len / 2] = src[len / 2];
            dst[len - 1] = src[len - 1];
        }
        4..=7 => {
            dst[..4].copy_from_slice(&src[..4]);
            dst[len - 4..len].copy_from_slice(&src[len - 4..]);
        }
        8..=15 => {
            dst[..8].copy_from_slice(&src[..8]);
            dst[len - 8..len].copy_from_slice(&src[len - 8..]);
        }
        _ => {
            dst[..16].copy_from_slice(&src[..16]);
            dst[len - 16..len].copy_from_slice(&src[len - 16..]);
        }
    }
}

impl From<Vec<u8>> for WordBytes {
    fn from(value: Vec<u8>) -> Self {
        if value.len() <= INLINE {
            WordBytes::from(value.as_slice())
        } else {
            WordBytes(Repr::Heap(value.into_boxed_slice()))
        }
    }
}

impl PartialEq for WordBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for WordBytes {}

impl std::hash::Hash for WordBytes {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl std::borrow::Borrow<[u8]> for WordBytes {
    fn borrow(&self) -> &[u8] {
        self.as_slice()
    }
}

impl PartialEq<[u8]> for WordBytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_slice() == other
    }
}

impl PartialEq<&[u8]> for WordBytes {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_slice() == *other
    }
}

impl PartialEq<Vec<u8>> for WordBytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<const N: usize> PartialEq<[u8; N]> for WordBytes {
    fn eq(&self, other: &[u8; N]) -> bool {
        self.as_slice() == other
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for WordBytes {
    fn eq(&self, other: &&[u8; N]) -> bool {
        self.as_slice() == *other
    }
}

impl fmt::Debug for WordBytes {
    /// Prints the bytes as a list of numbers, as `Vec<u8>` does, so that
    /// debug output of words stays the same.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_values_round_trip() {
        for len in (0..=INLINE + 1).chain([300]) {
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            assert_eq!(WordBytes::from(bytes.clone()).as_slice(), bytes.as_slice());
            assert_eq!(WordBytes::from(bytes.as_slice()).to_vec(), bytes);
        }
    }

    #[test]
    fn from_window_matches_from_slice() {
        let line: Vec<u8> = (0..60).map(|i| b'a' + (i % 26) as u8).collect();
        for from in [0, 5, 30, 38, 59, 60] {
            for to in from..=line.len() {
                let expected = WordBytes::from(&line[from..to]);
                let value = WordBytes::from_window(&line, from, to);
                if from + INLINE <= line.len() && to - from <= INLINE {
                    assert_eq!(value, Some(expected), "{from}..{to}");
                } else {
                    assert_eq!(value, None, "{from}..{to}");
                }
            }
        }
    }

    #[test]
    fn is_as_small_as_a_vec() {
        assert_eq!(std::mem::size_of::<WordBytes>(), std::mem::size_of::<Vec<u8>>());
    }

    #[test]
    fn debug_matches_vec() {
        let bytes = b"log\0x".to_vec();
        assert_eq!(format!("{:?}", WordBytes::from(bytes.clone())), format!("{bytes:?}"));
    }
}
