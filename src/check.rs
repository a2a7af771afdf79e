//! The whole check of a run: read every file, type the rings, resolve references.
//!
//! FIXME: only the entry point's signature exists so far; it reads nothing yet.

use crate::diag::Diagnostic;
use crate::ring::{RingDef, RingRef};
use crate::source::SourceFile;
use crate::syntax::ReadOptions;

/// Options of [`check`].
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// How to read the files.
    pub read: ReadOptions,
}

/// The result of [`check`].
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// Every ring defined, in file order.
    pub rings: Vec<RingDef>,
    /// Every reference to a ring, in file order.
    pub references: Vec<RingRef>,
    /// Every diagnostic, ordered by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

/// Checks `sources` as one HAProxy run would load them (`haproxy -f a -f b`).
pub fn check(_sources: &[SourceFile], _options: &CheckOptions) -> CheckReport {
    CheckReport::default()
}
