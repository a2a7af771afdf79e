//! Integration tests of `ringcfg check` and the ring checks behind it.

#[path = "../support/mod.rs"]
mod support;

/// The command line: exit codes, formats, standard input, environment and summary.
mod cli;
/// Agreement with HAProxy 3.5's and 2.7's recorded verdicts on the shared conformance cases.
mod conformance;
/// Every corpus case rendered as users see it, one snapshot per case, and code coverage.
mod corpus;
/// Public real-world configurations: no errors, and the typed rings of a few.
mod realworld;
