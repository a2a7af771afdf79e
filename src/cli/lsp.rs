//! `ringcfg lsp`: the language server on standard input and output.

use std::process::ExitCode;

use ringcfg::lsp::transport;

use super::CliError;

/// Arguments of `ringcfg lsp`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Accepted for editors that pass it; standard input and output are the only transport.
    #[arg(long)]
    stdio: bool,
}

/// Runs `ringcfg lsp` until the client sends `exit`.
///
/// Malformed input (a bad header, an oversized or truncated body, a body that
/// is not one JSON-RPC message) ends the run with an error that names it.
pub(crate) fn run(_args: Args) -> Result<ExitCode, CliError> {
    let (connection, io_threads) = transport::stdio();
    let served = ringcfg::lsp::run(&connection);
    // Dropping the connection lets the writer thread finish sending what is queued.
    drop(connection);
    if let Err(error) = served {
        // A framing error closes the server's channel, so the server reports
        // only a disconnect: the reader's error names the actual problem.
        return Err(match io_threads.input_error() {
            Some(input_error) => input_error.into(),
            None => error.into(),
        });
    }
    io_threads.join()?;
    Ok(ExitCode::SUCCESS)
}
