//! Lines to sections: conditional blocks, message directives and section detection.
//!
//! FIXME: only the shared types exist so far; the reader itself is not written yet.

use crate::diag::{CodeInfo, Diagnostic};
use crate::lex::{Env, Word};
use crate::source::{FileId, SourceFile, Span};
use crate::version::HaproxyVersion;

/// Diagnostic codes of conditional blocks, directives and sections.
pub static CODES: &[CodeInfo] = &[];

/// What the reader needs besides the bytes: the variables and the target HAProxy.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Variables that `"$NAME"` expands to.
    pub env: Env,
    /// HAProxy version whose rules apply, also the value of `version_atleast()`.
    pub version: HaproxyVersion,
}

/// One configuration line that survived conditional blocks, as words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number, as HAProxy prints it.
    pub number: usize,
    /// The whole physical line, without its terminator.
    pub span: Span,
    /// The words; never empty, and the first word is never empty.
    pub words: Vec<Word>,
}

/// A section: its header line (`ring r1`) and the keyword lines under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The section keyword, such as `ring` or `global`.
    pub keyword: String,
    /// The line that opened the section.
    pub header: Line,
    /// Keyword lines up to the next section or the end of the file.
    pub lines: Vec<Line>,
}

/// Everything read from one file.
#[derive(Clone, Debug, Default)]
pub struct ParsedFile {
    /// Index of the file in the run.
    pub file: FileId,
    /// Sections in file order.
    pub sections: Vec<Section>,
    /// Every `#` comment, from the `#` to the end of its line, in file order.
    pub comments: Vec<Span>,
    /// Tokenizer, conditional, directive and section diagnostics.
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads one file into sections.
pub fn read(file: FileId, _source: &SourceFile, _options: &ReadOptions) -> ParsedFile {
    ParsedFile { file, ..ParsedFile::default() }
}
