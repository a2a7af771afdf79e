//! Lint HAProxy `ring` sections, create their memory-mapped backing files and
//! read them back after a crash.
//!
//! The crate is a pipeline; each module is one phase and uses only the
//! modules above it in this list:
//!
//! 1. [`source`]: named inputs, byte offsets to lines and columns.
//! 2. [`lex`]: one physical line to words, exactly as HAProxy 3.x splits it.
//! 3. [`syntax`]: conditional blocks, directives, and sections of keyword lines.
//! 4. [`ring`]: typed [`RingDef`]s, the checks of ring sections, references.
//! 5. [`diag`]: the [`Diagnostic`] type, the code registry and the renderers.
//! 6. [`check`](mod@check): all of the above for a set of files.
//! 7. [`store`]: the on-file ring layout, pure byte logic.
//! 8. [`apply`]: backing files on disk and the [`apply::Ring`] handle.
//! 9. [`dump`]: reading backing files back, once or while HAProxy writes them.
//! 10. [`lsp`]: the language server.
//!
//! [`diag`] and [`version`] are used by every phase, and [`store::varint`] by
//! [`ring`] too, for the capacity arithmetic of ring sections. The library
//! never prints. Only [`apply`] logs, at debug level, through the `log` facade.

pub mod apply;
pub mod check;
pub mod diag;
pub mod dump;
pub mod lex;
pub mod lsp;
pub mod ring;
pub mod source;
pub mod store;
pub mod suppress;
mod swar;
pub mod syntax;
pub mod version;

pub use check::{CheckOptions, CheckReport, check};
pub use diag::{Diagnostic, Severity};
pub use ring::{RingDef, RingRef};
pub use source::{FileId, SourceFile, Span};
pub use version::HaproxyVersion;

/// The README's Rust examples, compiled and run as doctests so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
