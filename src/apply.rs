//! Backing files on disk: rotation to `.bak`, creation, mapping, and the [`Ring`] handle.
//!
//! FIXME: not written yet.

/// A ring that host programs write messages to.
#[derive(Debug)]
pub struct Ring {
    _private: (),
}
