//! The on-file ring layout, as HAProxy 3.x writes it and `haring` reads it.
//!
//! Pure byte logic with no file access, so every rule is testable on a
//! `Vec<u8>`. A ring file is a header followed by a circular area; the area
//! holds `RC (VARINT PAYLOAD RC)*`, where each RC byte counts the readers
//! parked at that position and each message is a varint length and its bytes.

pub mod header;
pub mod layout;
pub mod reader;
pub mod varint;
pub mod writer;
