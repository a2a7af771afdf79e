//! `ringcfg lsp`: the language server on standard input and output.

use std::process::ExitCode;
use std::time::Duration;

use ringcfg::lsp::transport;

use super::CliError;

/// How long a failed run waits for its last messages to reach the client.
const WRITE_TIMEOUT: Duration = Duration::from_secs(5);

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
    if let Err(
        error @ (ringcfg::lsp::ServerError::ExitWithoutShutdown
        | ringcfg::lsp::ServerError::ExitBeforeInitialize),
    ) = served
    {
        // The protocol specifies status 1 when `exit` comes without
        // `shutdown`, because the client ended the session without closing it.
        super::report_failure(&error.into());
        let _ = io_threads.join_writer(WRITE_TIMEOUT);
        return Ok(ExitCode::from(1));
    }
    if let Err(error) = served {
        // A framing error closes the server's channel, so the server reports
        // only a disconnect. The reader's error names the actual problem.
        let cause: CliError = match io_threads.input_error() {
            Some(input_error) => input_error.into(),
            None => error.into(),
        };
        // Responses sent before the error, such as the response to a request
        // before `initialize`, still reach a client that reads them within
        // WRITE_TIMEOUT. A write failure here matters less than the error
        // that stopped the server.
        let _ = io_threads.join_writer(WRITE_TIMEOUT);
        return Err(cause);
    }
    io_threads.join()?;
    Ok(ExitCode::SUCCESS)
}
