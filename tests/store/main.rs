//! Reading ring files back: `store::layout`, `store::reader`, `dump` and
//! `ringcfg dump`.

#[path = "../support/mod.rs"]
mod support;

/// Builds ring files the way HAProxy's writer lays them out.
mod ringgen;

/// The files HAProxy wrote print exactly as haring printed them.
mod samples;

/// Generated rings decode as the independent Python decoder decodes them.
mod python;

/// Damaged headers and areas never panic and never hang.
mod corrupt;

/// Following a live ring, including one a hostile process rewrites.
mod follow;

/// A process that truncates the file under the reader kills no reader.
mod truncate;

/// Options, output formats and exit codes of `ringcfg dump`.
mod cli;

/// Rings written by `apply::Ring` read back whole.
mod writer;
