//! `ringcfg apply`: check the configuration, then create each ring's backing file.
//!
//! Nothing is applied when the check finds an error: the diagnostics go to
//! standard error and the exit code is 1. Otherwise each ring gets one line,
//! in file order, on standard output when it was applied:
//!
//! ```text
//! r1: created /dev/shm/r1.bin (16384 bytes)
//! r2: rotated /dev/shm/r2.bin to /dev/shm/r2.bin.bak (it holds messages), created a new ring
//! r3: rotated /dev/shm/r3.bin to /dev/shm/r3.bin.bak (it holds messages; older backup kept as /dev/shm/r3.bin.bak.1), created a new ring
//! r4: reused empty /dev/shm/r4.bin
//! r5: memory only
//! ```
//!
//! and on standard error when it was rejected:
//!
//! ```text
//! r6: rejected: /dev/shm/r6.bin is a symbolic link; point backing-file at the real file
//! ```
//!
//! A rejected ring makes the exit code 2; the other rings are still applied.

use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::process::ExitCode;

use ringcfg::apply::{self, Action, ApplyReport, RingSpec};
use ringcfg::diag::render::{self, HumanOptions};
use ringcfg::lex::Env;
use ringcfg::{CheckOptions, RingDef};

use super::CliError;

/// Arguments of `ringcfg apply`.
#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub(crate) struct Args {
    /// Configuration files or directories, loaded in order as `haproxy -f A -f B` does; `-` reads standard input.
    #[arg(required = true, value_name = "CONFIG")]
    configs: Vec<PathBuf>,
}

const AFTER_HELP: &str = "\
A file that holds data is renamed to PATH.bak first, as HAProxy 3.x does at start-up. \
Unlike HAProxy, a non-empty PATH.bak is not replaced: it is moved to the first free \
PATH.bak.N (N = 1, 2, ...), and an empty ring or 0-byte file is reused in place. \
A symbolic link, a directory or another non-regular file is rejected and left as it is.

Applied rings are reported on standard output, rejected ones on standard error; \
the exit code is 2 when a ring was rejected and 1 when the configuration has errors.";

/// Runs `ringcfg apply`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let specs = match checked_rings(&args.configs)? {
        Ok(specs) => specs,
        Err(code) => return Ok(code),
    };
    let mut rejected = false;
    for spec in &specs {
        // Each line is written as soon as its ring is done, so successes and
        // failures keep their file order on a terminal that shows both streams.
        match apply::open_backing_file(spec) {
            Ok((ring, report)) => {
                drop(ring);
                super::write_stdout(describe(spec, &report).as_bytes())?;
            }
            Err(error) => {
                rejected = true;
                let line = format!("{}: rejected: {error}\n", spec.name);
                io::stderr().lock().write_all(line.as_bytes())?;
            }
        }
    }
    Ok(if rejected { ExitCode::from(2) } else { ExitCode::SUCCESS })
}

/// Checks `configs`; returns the rings, or the exit code after showing the errors.
pub(crate) fn checked_rings(
    configs: &[PathBuf],
) -> Result<Result<Vec<RingSpec>, ExitCode>, CliError> {
    let sources = super::files::read_sources(configs)?;
    let mut options = CheckOptions::default();
    options.read.env = process_env();
    let report = ringcfg::check(&sources, &options);

    if report.diagnostics.iter().any(|diag| diag.is_error()) {
        let shown: String = report
            .diagnostics
            .iter()
            .map(|diag| render::human(diag, &sources, HumanOptions::default()))
            .collect();
        io::stderr().lock().write_all(shown.as_bytes())?;
        return Ok(Err(ExitCode::from(1)));
    }
    Ok(Ok(report.rings.iter().map(spec_of).collect()))
}

fn process_env() -> Env {
    let mut env = Env::empty();
    for (name, value) in std::env::vars_os() {
        env.set(name.as_bytes(), value.as_bytes());
    }
    env
}

/// What `apply` needs from a checked ring section.
fn spec_of(def: &RingDef) -> RingSpec {
    let backing_file = def.backing_file.as_ref().map(|file| file.path.clone());
    let mut spec = RingSpec::new(def.name.clone(), backing_file);
    spec.allocated_size = def.size.unwrap_or(apply::DEFAULT_SIZE);
    spec.maxlen = def.maxlen;
    spec.format = def.format;
    spec
}

/// One line telling what happened to a ring.
fn describe(spec: &RingSpec, report: &ApplyReport) -> String {
    let path = spec.backing_file.as_deref().map(|path| path.display().to_string());
    let path = path.unwrap_or_default();
    let mut line = match &report.action {
        Action::Created => format!("{}: created {path} ({} bytes)", spec.name, spec.file_size()),
        Action::Rotated { backup, older_backup: None, reason } => format!(
            "{}: rotated {path} to {} ({reason}), created a new ring",
            spec.name,
            backup.display()
        ),
        Action::Rotated { backup, older_backup: Some(older), reason } => format!(
            "{}: rotated {path} to {} ({reason}; older backup kept as {}), created a new ring",
            spec.name,
            backup.display(),
            older.display()
        ),
        Action::ReusedEmpty => format!("{}: reused empty {path}", spec.name),
        Action::Reopened { messages } => {
            format!("{}: reopened {path} ({messages} messages)", spec.name)
        }
        Action::MemoryOnly => format!("{}: memory only", spec.name),
        _ => format!("{}: {:?}", spec.name, report.action),
    };
    line.push('\n');
    for warning in &report.warnings {
        line.push_str(&format!("{}: warning: {warning}\n", spec.name));
    }
    line
}
