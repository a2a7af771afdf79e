//! `ringcfg dump`: print the messages of a ring backing file like haring.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::os::fd::AsFd;
use std::path::PathBuf;
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use serde_json::json;

use super::CliError;
use ringcfg::dump::{Event, Follower, Restart, RingFile};
use ringcfg::store::layout::Geometry;
use ringcfg::store::reader::{Message, RingImage, WalkEnd};

/// Time between two polls of a followed ring.
const POLL_INTERVAL: Duration = Duration::from_millis(100);

/// Size of the output buffer: few write calls, and it still fits in cache.
const OUTPUT_BUFFER: usize = 1 << 17;

const AFTER_HELP: &str = "\
Output: each message followed by a line feed on standard output, and haring's \
'Note: ...' lines on standard error, byte for byte as HAProxy 3.5's haring prints \
them. A message that a writer was appending when the file was saved (reader count \
255) is printed too, with a note saying it may be torn.

--json prints one object per line: offset (of the message's reader-count byte in the \
file), position (bytes from the head, as in haring's notes), length (payload bytes \
printed), declared_length, readers, complete, truncated, torn, encoding and payload. \
The payload is a UTF-8 string when encoding is \"utf-8\", else standard base64 \
(RFC 4648, with padding) when encoding is \"base64\".

--follow polls the file every 100 ms and prints each new whole message. It reports \
messages that the writer deleted before they were read, starts again from the head \
when the file is replaced, resized or gets a new header, and stops with status 0 when \
the file is removed. Stop it with Ctrl-C: output is flushed after every poll.

The file is read with positioned reads, never mapped, so a writer that truncates it \
meanwhile cannot crash the reader: a one-shot dump stops with an error saying the file \
shrank, and --follow starts again from the head of the resized file.

Exit status: 0 when the file was read, even with notes (as haring); 2 when it cannot \
be read (missing, not a regular file, empty, shrank while it was read) or the output \
cannot be written. haring exits 1 in those cases; ringcfg uses 2 as for every failure to \
read or write a file.";

/// Arguments of `ringcfg dump`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = AFTER_HELP)]
pub(crate) struct Args {
    /// Ring backing file to read.
    file: PathBuf,

    /// Replace each line feed in payloads with CR VT, like haring -l.
    #[arg(short = 'l', long = "lf-remap")]
    lf_remap: bool,

    /// End each message with a NUL byte instead of a line feed.
    #[arg(short = '0', long = "null", conflicts_with = "json")]
    null: bool,

    /// Print one JSON object per message (or, with --info, one for the ring).
    #[arg(long)]
    json: bool,

    /// Print the header, the geometry and message counts instead of messages.
    #[arg(long, conflicts_with_all = ["follow", "lf_remap", "null"])]
    info: bool,

    /// Keep printing new messages as a writer adds them.
    #[arg(short = 'f', long)]
    follow: bool,
}

/// Runs `ringcfg dump`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    // Write to a duplicate of the standard output descriptor, because std's
    // `Stdout` is line-buffered and would scan every byte again for line feeds.
    let stdout = File::from(io::stdout().as_fd().try_clone_to_owned()?);
    let mut out = BufWriter::with_capacity(OUTPUT_BUFFER, stdout);
    if args.follow {
        follow(&args, &mut out)?;
    } else if args.info {
        let image = RingFile::open(&args.file)?.read_image()?;
        print_info(&args, &image, &mut out)?;
    } else {
        print_messages(&args, &RingFile::open(&args.file)?, &mut out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Prints every message from the head to the tail, with haring's notes.
fn print_messages(args: &Args, file: &RingFile, out: &mut impl Write) -> Result<(), CliError> {
    let geometry = file.geometry()?;
    for note in &geometry.notes {
        print_note(&note.to_string())?;
    }
    let mut warned_torn = false;
    file.walk_messages(&geometry, |message| {
        if message.truncated {
            print_note(&format!(
                "incomplete message at offset {}, dumping its first {} byte(s) and stopping.",
                message.position,
                message.payload.len()
            ))?;
        }
        if message.torn && !warned_torn {
            warned_torn = true;
            print_note(&format!(
                "message at offset {} and the ones after it were being written when the \
                 file was saved (reader count 255), so their bytes may be torn.",
                message.position
            ))?;
        }
        print_message(args, message, out)
    })?;
    Ok(())
}

#[inline]
fn print_message(args: &Args, message: &Message<'_>, out: &mut impl Write) -> io::Result<()> {
    if args.json {
        return print_json(message, out);
    }
    print_payload(args, message.payload, out)
}

/// Writes a payload and its terminator, remapping line feeds if requested.
fn print_payload(args: &Args, payload: &[u8], out: &mut impl Write) -> io::Result<()> {
    if args.lf_remap {
        let mut lines = payload.split(|&byte| byte == b'\n');
        if let Some(first) = lines.next() {
            out.write_all(first)?;
        }
        for line in lines {
            out.write_all(b"\r\x0b")?;
            out.write_all(line)?;
        }
    } else {
        out.write_all(payload)?;
    }
    out.write_all(if args.null { b"\0" } else { b"\n" })
}

/// One line of `--json` output, in the field order of the help text.
#[derive(serde::Serialize)]
struct JsonMessage {
    offset: u64,
    position: u64,
    length: usize,
    declared_length: u64,
    readers: u8,
    complete: bool,
    truncated: bool,
    torn: bool,
    encoding: &'static str,
    payload: String,
}

fn print_json(message: &Message<'_>, out: &mut impl Write) -> io::Result<()> {
    let (encoding, payload) = match std::str::from_utf8(message.payload) {
        Ok(text) => ("utf-8", text.to_owned()),
        Err(_) => ("base64", base64(message.payload)),
    };
    let record = JsonMessage {
        offset: message.offset,
        position: message.position,
        length: message.payload.len(),
        declared_length: message.declared_len,
        readers: message.readers,
        complete: message.is_complete(),
        truncated: message.truncated,
        torn: message.torn,
        encoding,
        payload,
    };
    serde_json::to_writer(&mut *out, &record)?;
    out.write_all(b"\n")
}

/// Prints the geometry and counts, as text or as one JSON object.
fn print_info(args: &Args, image: &RingImage, out: &mut impl Write) -> io::Result<()> {
    if args.json {
        serde_json::to_writer(&mut *out, &info_json(args, image))?;
        return out.write_all(b"\n");
    }
    let geometry = image.geometry();
    let stats = image.stats();
    writeln!(out, "file:            {}", args.file.display())?;
    writeln!(out, "file size:       {}", geometry.file_len)?;
    writeln!(out, "layout:          {}", describe_layout(geometry))?;
    writeln!(out, "header length:   {}", geometry.area_offset)?;
    writeln!(out, "area size:       {} (declared {})", geometry.size, geometry.declared_size)?;
    writeln!(out, "head:            {}", geometry.head)?;
    writeln!(out, "tail:            {}", geometry.tail)?;
    let lock = if geometry.tail_locked { "set (a writer held the ring)" } else { "clear" };
    writeln!(out, "tail lock:       {lock}")?;
    writeln!(out, "data length:     {}", geometry.data)?;

    writeln!(
        out,
        "messages:        {} ({} truncated, {} torn)",
        stats.messages, stats.truncated, stats.torn
    )?;
    writeln!(out, "payload bytes:   {}", stats.payload_bytes)?;
    writeln!(
        out,
        "readers:         {} message(s) with parked readers, at most {}",
        stats.with_readers, stats.max_readers
    )?;
    writeln!(out, "walk end:        {}", describe_end(stats.end))?;
    for note in &geometry.notes {
        writeln!(out, "note:            {note}")?;
    }
    Ok(())
}

fn info_json(args: &Args, image: &RingImage) -> serde_json::Value {
    let geometry = image.geometry();
    let stats = image.stats();
    let notes: Vec<String> = geometry.notes.iter().map(ToString::to_string).collect();
    json!({
        "file": args.file.display().to_string(),
        "file_size": geometry.file_len,
        "layout": geometry.layout.name(),
        "header_length": geometry.area_offset,
        "declared_area_size": geometry.declared_size,
        "area_size": geometry.size,
        "head": geometry.head,
        "tail": geometry.tail,
        "tail_locked": geometry.tail_locked,
        "data_length": geometry.data,
        "messages": stats.messages,
        "payload_bytes": stats.payload_bytes,
        "truncated": stats.truncated,
        "torn": stats.torn,
        "messages_with_readers": stats.with_readers,
        "max_readers": stats.max_readers,
        "walk_end": describe_end(stats.end),
        "notes": notes,
    })
}

fn describe_layout(geometry: &Geometry) -> String {
    use ringcfg::store::layout::Layout;
    let origin = match geometry.layout {
        Layout::V2a => "HAProxy 3.0 or later, threaded build",
        Layout::V2 => "HAProxy 3.0 or later, build without threads",
        _ => "HAProxy 2.7 to 2.9",
    };
    format!("{} ({origin})", geometry.layout)
}

fn describe_end(end: Option<WalkEnd>) -> String {
    match end {
        Some(WalkEnd::Tail) | None => "tail".to_owned(),
        Some(WalkEnd::IncompleteLength { position }) => {
            format!("length at position {position} runs past the tail")
        }
        Some(WalkEnd::InvalidLength { position }) => {
            format!("invalid length at position {position}")
        }
        Some(WalkEnd::Truncated { position }) => {
            format!("message at position {position} runs past the tail")
        }
        Some(_) => "unknown".to_owned(),
    }
}

/// Polls the ring until the file is removed, printing new messages.
fn follow(args: &Args, out: &mut impl Write) -> Result<(), CliError> {
    let mut follower = Follower::open(&args.file)?;
    let mut events = Vec::new();
    loop {
        follower.poll(&mut events)?;
        let mut removed = false;
        for event in events.drain(..) {
            removed |= print_event(args, event, out)?;
        }
        out.flush()?;
        if removed {
            return Ok(());
        }
        thread::sleep(POLL_INTERVAL);
    }
}

/// Prints one follow event; returns whether the file was removed.
fn print_event(args: &Args, event: Event, out: &mut impl Write) -> io::Result<bool> {
    let file = args.file.display();
    match event {
        Event::Message(message) => {
            let message = Message {
                position: message.position,
                offset: message.offset,
                readers: message.readers,
                declared_len: message.payload.len() as u64,
                payload: &message.payload,
                truncated: false,
                torn: false,
            };
            print_message(args, &message, out)?;
        }
        Event::Note(note) => print_note(&note.to_string())?,
        Event::Lost { messages: Some(count), bytes: Some(bytes) } => print_note(&format!(
            "the writer deleted {count} message(s) ({bytes} bytes) before they could be read."
        ))?,
        Event::Lost { bytes: Some(bytes), .. } => print_note(&format!(
            "the writer deleted an unknown number of messages ({bytes} bytes, \
             rewritten since) before they could be read."
        ))?,
        Event::Lost { .. } => print_note(
            "the writer went around the whole ring since the last poll, so an unknown \
             number of messages were deleted before they could be read.",
        )?,
        Event::Restarted(Restart::Replaced) => {
            print_note(&format!("{file} was replaced, reading the new file from its head."))?;
        }
        Event::Restarted(Restart::Resized { from, to }) => print_note(&format!(
            "{file} changed from {from} to {to} bytes, reading again from the head."
        ))?,
        Event::Restarted(_) => {
            print_note("the ring header changed, reading again from the head.")?;
        }
        Event::Removed => {
            print_note(&format!("{file} was removed, stopping."))?;
            return Ok(true);
        }
        _ => {}
    }
    Ok(false)
}

/// Prints `Note: TEXT` on standard error, as haring does.
fn print_note(text: &str) -> io::Result<()> {
    writeln!(io::stderr().lock(), "Note: {text}")
}

/// Encodes `bytes` in standard base64 with padding (RFC 4648, section 4).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut encoded = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = chunk
            .iter()
            .enumerate()
            .fold(0u32, |group, (i, &byte)| group | u32::from(byte) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                encoded.push(char::from(ALPHABET[(group >> (18 - 6 * i)) as usize & 63]));
            } else {
                encoded.push('=');
            }
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (input, expected) in vectors {
            assert_eq!(base64(input.as_bytes()), expected, "base64 of {input:?}");
        }
    }
}
