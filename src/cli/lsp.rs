//! `ringcfg lsp`: the language server on standard input and output.

use std::process::ExitCode;

use lsp_server::Connection;

use super::CliError;

/// Arguments of `ringcfg lsp`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Accepted for editors that pass it; standard input and output are the only transport.
    #[arg(long)]
    stdio: bool,
}

/// Runs `ringcfg lsp` until the client sends `exit`.
pub(crate) fn run(_args: Args) -> Result<ExitCode, CliError> {
    let (connection, io_threads) = Connection::stdio();
    let served = ringcfg::lsp::run(&connection);
    // Dropping the connection lets the writer thread finish sending what is queued.
    drop(connection);
    served?;
    io_threads.join()?;
    Ok(ExitCode::SUCCESS)
}
