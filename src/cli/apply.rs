//! `ringcfg apply`.
//!
//! FIXME: not written yet.

use std::process::ExitCode;

use super::CliError;

/// Arguments of `ringcfg apply`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `ringcfg apply`.
pub(crate) fn run(_args: Args) -> Result<ExitCode, CliError> {
    Err("'ringcfg apply' is not implemented yet".into())
}
