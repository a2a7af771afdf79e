//! Suppression comments: `# ringcfg: ignore=CODE` and `# ringcfg: ignore-file=CODE`.
//!
//! FIXME: not written yet.

use crate::diag::CodeInfo;

/// Diagnostic codes of suppression comments.
pub static CODES: &[CodeInfo] = &[];

use crate::diag::Diagnostic;
use crate::source::{FileId, SourceFile, Span};

/// Removes the diagnostics of `file` that its suppression comments silence.
///
/// `comments` are the file's `#` comments as the reader found them. Unused
/// suppressions are reported by adding diagnostics.
pub fn filter(
    _file: FileId,
    _source: &SourceFile,
    _comments: &[Span],
    _diagnostics: &mut Vec<Diagnostic>,
) {
}
