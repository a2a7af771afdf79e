//! `ringcfg explain`.
//!
//! FIXME: not written yet.

use std::process::ExitCode;

use super::CliError;

/// Arguments of `ringcfg explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `ringcfg explain`.
pub(crate) fn run(_args: Args) -> Result<ExitCode, CliError> {
    Err("'ringcfg explain' is not implemented yet".into())
}
