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
//!
//! A ring without `backing-file` is rejected, since its messages would be
//! lost when the command exits. Memory stays bounded whatever the input: of
//! each line only what a message can hold is kept (`maxlen` bytes, or one
//! byte more than the ring's capacity so that a line too long for the ring is
//! still detected and dropped), and the rest is skipped up to the newline.

use std::io::{self, BufRead};
use std::path::PathBuf;
use std::process::ExitCode;

use ringcfg::apply::{self, Ring, format::Record};
use ringcfg::store::writer;

use super::CliError;

/// Arguments of `ringcfg write`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Configuration file or directory that defines the ring.
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
    if args.config.as_os_str() == "-" {
        return Err("the configuration cannot be '-': standard input carries the messages; pass the configuration file by name".into());
    }
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
    if spec.backing_file.is_none() {
        return Err(format!(
            "ring '{}' has no backing-file, so written messages would be lost; \
             add `backing-file PATH` to the ring",
            spec.name
        )
        .into());
    }
    let (ring, report) = apply::open_for_append(&spec)?;
    for warning in &report.warnings {
        log::warn!("ring '{}': {warning}", spec.name);
    }

    let pid = std::process::id();
    let mut dropped = 0u64;
    let mut line = Vec::new();
    // A larger buffer than stdin's 8 KiB means fewer reads on a flood of input.
    let mut input = io::BufReader::with_capacity(64 * 1024, io::stdin().lock());
    let limit = kept_bytes(&ring);
    while read_line_bounded(&mut input, &mut line, limit)? {
        let message = line.as_slice();
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
    }
    ring.flush()?;
    if dropped > 0 {
        log::warn!("ring '{}': {dropped} lines dropped (longer than the ring holds?)", spec.name);
    }
    Ok(ExitCode::SUCCESS)
}

/// The bytes of a line that can matter to `ring`: `maxlen`, or one more than
/// the largest message so that an over-long line is still rejected as such.
fn kept_bytes(ring: &Ring) -> usize {
    let too_long = writer::max_payload(ring.area_len()).saturating_add(1);
    usize::try_from(ring.maxlen()).map_or(too_long, |maxlen| maxlen.min(too_long))
}

/// Reads one line into `line` without its `\n`, keeping its first `limit`
/// bytes and discarding the rest; returns `false` at the end of input.
///
/// Unlike `read_until`, memory stays at `limit` bytes however long the line is.
fn read_line_bounded(
    input: &mut impl BufRead,
    line: &mut Vec<u8>,
    limit: usize,
) -> io::Result<bool> {
    line.clear();
    let mut read_any = false;
    loop {
        let buffer = match input.fill_buf() {
            Ok(buffer) => buffer,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        if buffer.is_empty() {
            return Ok(read_any);
        }
        read_any = true;

        let newline = memchr::memchr(b'\n', buffer);
        let content = &buffer[..newline.unwrap_or(buffer.len())];
        let room = limit.saturating_sub(line.len());
        line.extend_from_slice(&content[..content.len().min(room)]);

        let used = newline.map_or(buffer.len(), |at| at + 1);
        input.consume(used);
        if newline.is_some() {
            return Ok(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], limit: usize) -> Vec<Vec<u8>> {
        // A 4-byte buffer makes lines span several `fill_buf` calls.
        let mut reader = io::BufReader::with_capacity(4, input);
        let mut line = Vec::new();
        let mut out = Vec::new();
        while read_line_bounded(&mut reader, &mut line, limit).unwrap() {
            out.push(line.clone());
        }
        out
    }

    #[test]
    fn bounded_lines_are_cut_and_resync() {
        let got = lines(b"abcdefghij\nxy\n\nlast", 3);
        assert_eq!(got, [&b"abc"[..], b"xy", b"", b"las"]);
    }

    #[test]
    fn bounded_read_of_nothing_is_end() {
        assert!(lines(b"", 3).is_empty());
    }

    #[test]
    fn bounded_read_keeps_capacity_small() {
        let input = vec![b'a'; 1 << 20];
        let mut reader = io::BufReader::with_capacity(8192, input.as_slice());
        let mut line = Vec::new();
        assert!(read_line_bounded(&mut reader, &mut line, 100).unwrap());
        assert_eq!(line.len(), 100);
        assert!(line.capacity() < 8192, "capacity {}", line.capacity());
    }
}
