//! `ringcfg rules`.
//!
//! FIXME: not written yet.

use std::process::ExitCode;

use super::CliError;

/// Arguments of `ringcfg rules`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `ringcfg rules`.
pub(crate) fn run(_args: Args) -> Result<ExitCode, CliError> {
    Err("'ringcfg rules' is not implemented yet".into())
}
