//! `ringcfg dump`.
//!
//! FIXME: not written yet.

use std::process::ExitCode;

use super::CliError;

/// Arguments of `ringcfg dump`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `ringcfg dump`.
pub(crate) fn run(_args: Args) -> Result<ExitCode, CliError> {
    Err("'ringcfg dump' is not implemented yet".into())
}
