//! `ringcfg lsp`.
//!
//! FIXME: not written yet.

use std::process::ExitCode;

use super::CliError;

/// Arguments of `ringcfg lsp`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {}

/// Runs `ringcfg lsp`.
pub(crate) fn run(_args: Args) -> Result<ExitCode, CliError> {
    Err("'ringcfg lsp' is not implemented yet".into())
}
