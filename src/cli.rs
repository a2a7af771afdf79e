//! Command-line parsing and the subcommands.
//!
//! Exit codes: 0 when nothing is wrong, 1 when the input has errors (or
//! warnings under `--deny-warnings`), 2 for usage errors and failures to read
//! or write files. A closed standard output (a broken pipe) counts as success.

mod apply;
mod check;
mod dump;
mod explain;
mod files;
mod lsp;
mod rules;
mod write;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Lint HAProxy ring sections, create their backing files and read them back.
#[derive(Debug, Parser)]
#[command(name = "ringcfg", version, about, propagate_version = true)]
pub(crate) struct Cli {
    /// Log what the tool does on standard error (repeat for more detail).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check configuration files and report every mistake in ring sections.
    Check(check::Args),
    /// Create the backing files that a configuration declares.
    Apply(apply::Args),
    /// Append each line of standard input as one message to a ring.
    Write(write::Args),
    /// Print the messages of a ring backing file, like HAProxy's haring.
    Dump(dump::Args),
    /// List every diagnostic code with its severity and summary.
    Rules(rules::Args),
    /// Explain one diagnostic code: what it checks, why, an example and the fix.
    Explain(explain::Args),
    /// Run the language server on standard input and output.
    Lsp(lsp::Args),
}

/// Installs the logger: warnings by default, more with each `-v`.
pub(crate) fn init_logger(verbose: u8) {
    let level = match verbose {
        0 => log::LevelFilter::Warn,
        1 => log::LevelFilter::Info,
        2 => log::LevelFilter::Debug,
        _ => log::LevelFilter::Trace,
    };
    env_logger::Builder::new().filter_level(level).format_timestamp(None).init();
}

/// Runs the parsed command line.
pub(crate) fn run(cli: Cli) -> ExitCode {
    let result = match cli.command {
        Command::Check(args) => check::run(args),
        Command::Apply(args) => apply::run(args),
        Command::Write(args) => write::run(args),
        Command::Dump(args) => dump::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Lsp(args) => lsp::run(args),
    };
    match result {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            report_failure(&error);
            ExitCode::from(2)
        }
    }
}

/// Prints why a command failed, in the `error: ...` form clap uses for usage errors.
#[allow(clippy::print_stderr, reason = "the one place where the binary reports a failure")]
pub(crate) fn report_failure(error: &CliError) {
    eprintln!("error: {error}");
}

/// Error of a subcommand that ends the run with exit code 2.
pub(crate) type CliError = Box<dyn std::error::Error + Send + Sync>;

fn is_broken_pipe(error: &CliError) -> bool {
    error.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
}

/// Writes `bytes` to standard output and flushes it.
#[allow(dead_code, reason = "used by the subcommands as they land")]
pub(crate) fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush()
}
