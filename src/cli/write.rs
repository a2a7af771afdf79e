//! `ringcfg write`: append each line of standard input to a ring as one message.
//!
//! The ring's backing file is opened for appending: a valid ring of the
//! size the configuration gives keeps its messages, so a pipeline can log
//! into the same ring across many runs. Only a missing, empty or unusable
//! file is (re)created, after rotation to `.bak` like `ringcfg apply`. This
//! differs from HAProxy, which resets its rings at every start.
//!
//! Each line, without its `\n`, is formatted with the ring's `format` and
//! written as soon as it is read; a killed `ringcfg write` leaves every line
//! it wrote intact. Dropped lines are counted on standard error.

use std::io::{self, BufRead};
use std::path::PathBuf;
use std::process::ExitCode;

use ringcfg::apply::{self, format::Record};

use super::CliError;

/// Arguments of `ringcfg write`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Configuration file that defines the ring.
    #[arg(value_name = "CONFIG")]
    config: PathBuf,
    /// Name of the ring to write to.
    #[arg(value_name = "RING")]
    ring: String,
    /// Program name put in syslog headers.
    #[arg(long, default_value = "ringcfg")]
    tag: String,
    /// Host name put in syslog headers (empty for none).
    #[arg(long, default_value = "")]
    host: String,
    /// Syslog facility: a name such as `local0` or a number from 0 to 23.
    #[arg(long, default_value = "user", value_parser = parse_facility)]
    facility: u8,
    /// Syslog severity: a name such as `info` or a number from 0 to 7.
    #[arg(long, default_value = "info", value_parser = parse_severity)]
    severity: u8,
}

const FACILITIES: [&str; 24] = [
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "auth2",
    "ftp", "ntp", "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4",
    "local5", "local6", "local7",
];

const SEVERITIES: [&str; 8] =
    ["emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"];

fn parse_facility(text: &str) -> Result<u8, String> {
    parse_named(text, &FACILITIES, "facility")
}

fn parse_severity(text: &str) -> Result<u8, String> {
    parse_named(text, &SEVERITIES, "severity")
}

fn parse_named(text: &str, names: &[&str], what: &str) -> Result<u8, String> {
    if let Some(index) = names.iter().position(|name| *name == text) {
        return Ok(index as u8);
    }
    match text.parse::<u8>() {
        Ok(number) if usize::from(number) < names.len() => Ok(number),
        _ => Err(format!(
            "unknown {what} '{text}': use one of {} or a number below {}",
            names.join(", "),
            names.len()
        )),
    }
}

/// Runs `ringcfg write`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let specs = match super::apply::checked_rings(std::slice::from_ref(&args.config))? {
        Ok(specs) => specs,
        Err(code) => return Ok(code),
    };
    let Some(spec) = specs.into_iter().find(|spec| spec.name == args.ring) else {
        return Err(format!(
            "no ring named '{}' in {}; check the name after 'ring'",
            args.ring,
            args.config.display()
        )
        .into());
    };
    let (ring, report) = apply::open_for_append(&spec)?;
    for warning in &report.warnings {
        log::warn!("ring '{}': {warning}", spec.name);
    }

    let pid = std::process::id();
    let mut dropped = 0u64;
    let mut line = Vec::new();
    let mut input = io::stdin().lock();
    while input.read_until(b'\n', &mut line)? > 0 {
        let message = line.strip_suffix(b"\n").unwrap_or(&line);
        let record = Record {
            facility: args.facility,
            severity: args.severity,
            host: &args.host,
            tag: &args.tag,
            pid: Some(pid),
            ..Record::new(message)
        };
        if ring.write(&record).is_err() {
            dropped += 1;
        }
        line.clear();
    }
    ring.flush()?;
    if dropped > 0 {
        log::warn!("ring '{}': {dropped} lines dropped (longer than the ring holds?)", spec.name);
    }
    Ok(ExitCode::SUCCESS)
}
