//! `ringcfg write`.
//!
//! FIXME: not written yet.

use std::process::ExitCode;

use super::CliError;

/// Arguments of `ringcfg write`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `ringcfg write`.
pub(crate) fn run(_args: Args) -> Result<ExitCode, CliError> {
    Err("'ringcfg write' is not implemented yet".into())
}
