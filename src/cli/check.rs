//! `ringcfg check`.
//!
//! FIXME: not written yet.

use std::process::ExitCode;

use super::CliError;

/// Arguments of `ringcfg check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `ringcfg check`.
pub(crate) fn run(_args: Args) -> Result<ExitCode, CliError> {
    Err("'ringcfg check' is not implemented yet".into())
}
