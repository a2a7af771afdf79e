//! `ringcfg explain`: one code's explanation from the registry.

use std::process::ExitCode;

use super::{CliError, write_stdout};
use ringcfg::diag::registry;

/// Arguments of `ringcfg explain`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// A code such as `R003`, or a rule name such as `size-after-backing-file`.
    code: String,
}

/// Runs `ringcfg explain`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let Some(info) = registry::find(&args.code) else {
        return Err(format!(
            "unknown code '{}': run 'ringcfg rules' for the list of codes and names",
            args.code
        )
        .into());
    };
    let text = format!(
        "{code} {name} ({severity})\n\n{summary}\n\n{explanation}\n",
        code = info.code,
        name = info.name,
        severity = info.severity.as_str(),
        summary = info.summary,
        explanation = info.explanation.trim_end(),
    );
    write_stdout(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
