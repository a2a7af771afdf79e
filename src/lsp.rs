//! The Language Server Protocol front end, over standard input and output.
//!
//! FIXME: not written yet.
