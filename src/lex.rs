//! The tokenizer: one physical configuration line to words, as HAProxy 3.x splits it.
//!
//! FIXME: only the shared types exist so far; the tokenizer itself is not written yet.

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::diag::CodeInfo;
use crate::source::Span;

/// Diagnostic codes of the tokenizer.
pub static CODES: &[CodeInfo] = &[];

/// One word of a line: where it was written and what it means after unquoting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// Raw bytes the word came from, quotes and escapes included. Words split
    /// out of one `${NAME[*]}` expansion share that expansion's span.
    pub span: Span,
    /// Decoded bytes: quotes removed, escapes and variables expanded.
    pub value: Vec<u8>,
}

impl Word {
    /// Returns the decoded value as text, with invalid UTF-8 replaced by U+FFFD.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.value)
    }

    /// Returns true when the decoded value is exactly `text`.
    pub fn is(&self, text: &str) -> bool {
        self.value == text.as_bytes()
    }
}

/// The variables `"$NAME"` expands to: an explicit value, so a check is reproducible.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<Vec<u8>, Vec<u8>>,
}

impl Env {
    /// Creates an environment with no variable set.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Sets `name` to `value`.
    pub fn set(&mut self, name: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.vars.insert(name.into(), value.into());
    }

    /// Removes `name`.
    pub fn unset(&mut self, name: &[u8]) {
        self.vars.remove(name);
    }

    /// Returns the value of `name`, or `None` when it is not set.
    pub fn get(&self, name: &[u8]) -> Option<&[u8]> {
        self.vars.get(name).map(Vec::as_slice)
    }
}
