//! The tokenizer: one configuration line to words, exactly as HAProxy 3.x splits it.
//!
//! HAProxy's `parse_line()` walks a line byte by byte with three states
//! (unquoted, inside `"…"`, inside `'…'`). [`pieces`] recognizes the units of
//! that walk with `nom` parsers: a run of plain bytes, a quote, an escape, a
//! variable, a blank run, a comment, the end of the line. [`tokenize`] feeds
//! them to a small state machine that decides where words start and end. The split matters because HAProxy's word rules are stateful: an empty
//! `""` makes a word only when nothing else was written since the quote
//! opened, and `"${NAME[*]}"` can split one quoted string into several words.
//!
//! Input is bytes. Nothing here validates or rewrites UTF-8.
//!
//! ```
//! use ringcfg::lex::{Env, VarContext, tokenize};
//!
//! let mut env = Env::empty();
//! env.set("HOME", "/root");
//! let ctx = VarContext { env: &env, line: 1, file: b"haproxy.cfg", section: None };
//! let lexed = tokenize(br#"log "$HOME/x" a\ b # comment"#, 0, &ctx);
//! let words: Vec<_> = lexed.words.iter().map(|w| w.text().into_owned()).collect();
//! assert_eq!(words, ["log", "/root/x", "a b"]);
//! assert!(lexed.comment.is_some());
//! ```

mod bytes;
mod codes;
mod env;
pub mod pieces;
mod tokenize;

use std::borrow::Cow;

use crate::source::Span;

pub use bytes::WordBytes;
pub use codes::CODES;
pub(crate) use codes::{
    BAD_HEX_ESCAPE, BAD_VARIABLE_NAME, BAD_WORD_EXPANSION, MISSING_FINAL_NEWLINE, STRAY_NUL,
    TOO_MANY_WORDS, UNMATCHED_BRACE, UNMATCHED_QUOTE,
};
pub use env::{Env, haproxy_variables};
pub(crate) use tokenize::LineSplitter;
pub use tokenize::{
    LexError, LexErrorKind, LexedLine, MAX_WORDS, VarContext, tokenize, tokenize_into,
};

/// One word of a line: where it was written and what it means after unquoting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Raw bytes the word came from, quotes and escapes included. Words split
    /// out of one `${NAME[*]}` expansion share that expansion's span.
    pub span: Span,
    /// Decoded bytes: quotes removed, escapes and variables expanded. Short
    /// values are stored inline; [`WordBytes`] dereferences to `[u8]`.
    pub value: WordBytes,
}

impl Word {
    /// Returns the decoded value as text, with invalid UTF-8 replaced by U+FFFD.
    pub fn text(&self) -> Cow<'_, str> {
        lossy_text(&self.value)
    }

    /// Returns true when the decoded value is exactly `text`.
    pub fn is(&self, text: &str) -> bool {
        self.value.as_slice() == text.as_bytes()
    }

    /// Returns the value up to its first NUL byte, which is the string
    /// HAProxy's C code compares or prints.
    ///
    /// A `\x00` escape writes a NUL into the word; keywords, section names
    /// and directive messages all stop there.
    ///
    /// ```
    /// use ringcfg::lex::Word;
    /// let word = Word { span: ringcfg::Span::new(0, 8), value: b"ring\0xy".to_vec().into() };
    /// assert_eq!(word.c_str(), b"ring");
    /// ```
    pub fn c_str(&self) -> &[u8] {
        c_str(&self.value)
    }
}

/// Returns `bytes` as text, with invalid UTF-8 replaced by U+FFFD.
pub(crate) fn lossy_text(bytes: &[u8]) -> Cow<'_, str> {
    // Almost every word is short ASCII. Testing that first costs a
    // fraction of the setup of `from_utf8`, which checks eight bytes at a
    // time, while the lossy decoder walks chunks.
    if bytes.len() <= 32 && bytes.iter().all(u8::is_ascii) {
        // SAFETY: ASCII bytes are valid UTF-8.
        return Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// Returns `bytes` up to its first NUL byte.
pub(crate) fn c_str(bytes: &[u8]) -> &[u8] {
    // Most words are keywords and numbers of a few bytes, for which a plain
    // loop beats the setup of a vectorized search.
    let nul = if bytes.len() <= 32 {
        bytes.iter().position(|byte| *byte == 0)
    } else {
        memchr::memchr(0, bytes)
    };
    match nul {
        Some(end) => &bytes[..end],
        None => bytes,
    }
}

/// Returns true for the bytes C's `isspace()` accepts in the C locale.
pub(crate) const fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}
