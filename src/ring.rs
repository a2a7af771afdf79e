//! The typed ring model, the checks of `ring` sections and the resolution of references.
//!
//! FIXME: only the shared types exist so far; the checks are not written yet.

use crate::diag::CodeInfo;
use crate::source::{FileId, Span};

/// Diagnostic codes of ring sections and references to rings.
pub static CODES: &[CodeInfo] = &[];

/// One `ring` section, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RingDef {
    /// The ring name.
    pub name: String,
    /// File of the section.
    pub file: FileId,
    /// Span of the name on the `ring` line.
    pub name_span: Span,
}

/// A use of a ring by name from another section.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RingRef {
    /// The referenced name.
    pub name: String,
    /// File of the reference.
    pub file: FileId,
    /// Span of the name alone, such as `r1` in `log ring@r1 local0`.
    pub span: Span,
}
