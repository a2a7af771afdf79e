//! Suppression comments: `# ringcfg: ignore=CODE` and `# ringcfg: ignore-file=CODE`.
//!
//! FIXME: not written yet.

use crate::diag::CodeInfo;

/// Diagnostic codes of suppression comments.
pub static CODES: &[CodeInfo] = &[];
