//! The `ringcfg` command: a thin front end over the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    cli::init_logger(args.verbose);
    cli::run(args)
}
