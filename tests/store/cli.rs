//! `ringcfg dump` options, output formats and exit codes.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use ringcfg::store::header::{V2A_TAIL_OFFSET, write_u64};

use crate::ringgen::TestRing;
use crate::support::ringcfg_bin;

fn dump(args: &[&str], path: &Path) -> Output {
    Command::new(ringcfg_bin()).arg("dump").args(args).arg(path).output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn unreadable_files_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.bin");
    fs::write(&empty, b"").unwrap();
    for path in [dir.path().join("missing.bin"), dir.path().to_path_buf(), empty] {
        let output = dump(&[], &path);
        assert_eq!(output.status.code(), Some(2), "{}: {}", path.display(), stderr(&output));
        assert!(stderr(&output).contains(&path.display().to_string()), "{}", stderr(&output));
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn fifo_is_rejected_without_waiting() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("ring.fifo");
    assert!(Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let output = dump(&[], &fifo);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("is not a regular file"), "{}", stderr(&output));
}

#[test]
fn truncated_message_note_matches_haring() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let mut ring = TestRing::new(1024);
    assert!(ring.push(b"whole"));
    assert!(ring.push(b"cut short"));
    // Move the tail back into the second message's payload.
    let tail = ring.tail() - 5;
    write_u64(&mut ring.file, V2A_TAIL_OFFSET, tail);
    ring.write_to(&path);

    let output = dump(&[], &path);
    assert!(output.status.success());
    assert_eq!(output.stdout, b"whole\ncut s\n");
    assert_eq!(
        stderr(&output),
        "Note: incomplete message at offset 7, dumping its first 5 byte(s) and stopping.\n"
    );
}

#[test]
fn torn_message_is_printed_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let mut ring = TestRing::new(1024);
    assert!(ring.push(b"whole"));
    ring.push_torn(b"torn");
    ring.write_to(&path);

    let output = dump(&[], &path);
    assert_eq!(output.stdout, b"whole\ntorn\n");
    assert!(stderr(&output).contains("offset 7"), "{}", stderr(&output));
    assert!(stderr(&output).contains("reader count 255"), "{}", stderr(&output));

    let json = String::from_utf8(dump(&["--json"], &path).stdout).unwrap();
    let lines: Vec<serde_json::Value> =
        json.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines[0]["complete"], true);
    assert_eq!(lines[1]["complete"], false);
    assert_eq!(lines[1]["torn"], true);
}

#[test]
fn json_encodes_binary_payloads_in_base64() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let mut ring = TestRing::new(1024);
    assert!(ring.push("héllo".as_bytes()));
    assert!(ring.push(b"\xff\x00bin"));
    ring.write_to(&path);

    let output = dump(&["--json"], &path);
    let json = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<serde_json::Value> =
        json.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["encoding"], "utf-8");
    assert_eq!(lines[0]["payload"], "héllo");
    assert_eq!(lines[0]["offset"], 192);
    assert_eq!(lines[0]["length"], 6);
    assert_eq!(lines[1]["encoding"], "base64");
    assert_eq!(lines[1]["payload"], "/wBiaW4=");
}

#[test]
fn lf_remap_and_nul_terminator() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let mut ring = TestRing::new(1024);
    assert!(ring.push(b"a\nb\n"));
    ring.write_to(&path);

    assert_eq!(dump(&["-l"], &path).stdout, b"a\r\x0bb\r\x0b\n");
    assert_eq!(dump(&["-0"], &path).stdout, b"a\nb\n\0");
}

#[test]
fn info_reports_geometry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let mut ring = TestRing::new(1024);
    assert!(ring.push(b"one"));
    ring.write_to(&path);

    let text = String::from_utf8(dump(&["--info"], &path).stdout).unwrap();
    for expected in [
        "layout:          v2a",
        "header length:   192",
        "area size:       832",
        "tail:            6",
        "messages:        1 (0 truncated, 0 torn)",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&dump(&["--info", "--json"], &path).stdout).unwrap();
    assert_eq!(json["layout"], "v2a");
    assert_eq!(json["data_length"], 6);
    assert_eq!(json["messages"], 1);
}
