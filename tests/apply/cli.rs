//! `ringcfg apply` and `ringcfg write` as a shell runs them.

use std::fs;
use std::io::Write;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::ringcfg_bin;
use crate::walk;

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(ringcfg_bin())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn config(dir: &Path, text: &str) -> String {
    let path = dir.join("haproxy.cfg");
    fs::write(&path, text.replace("DIR", &dir.display().to_string())).unwrap();
    path.display().to_string()
}

/// Standard output without the warnings about file systems, which depend on the host.
fn stdout(output: &Output) -> String {
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    text.lines()
        .filter(|line| !line.contains(": warning: "))
        .map(|line| format!("{line}\n"))
        .collect()
}

#[test]
fn apply_reports_each_ring() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(
        dir.path(),
        "ring r1\n    size 8192\n    backing-file DIR/r1.bin\n\nring r2\n    maxlen 100\n",
    );
    let first = run(&["apply", &cfg], b"");
    assert!(first.status.success(), "{first:?}");
    let r1 = dir.path().join("r1.bin");
    assert_eq!(
        stdout(&first),
        format!("r1: created {} (8192 bytes)\nr2: memory only\n", r1.display())
    );
    assert_eq!(fs::metadata(&r1).unwrap().len(), 8192);

    let again = run(&["apply", &cfg], b"");
    assert_eq!(stdout(&again), format!("r1: reused empty {}\nr2: memory only\n", r1.display()));
}

#[test]
fn apply_applies_nothing_when_the_check_fails() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "ring r1\n    backing-file DIR/r1.bin\n    size 8192\n");
    let output = run(&["apply", &cfg], b"");
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("R006"));
    assert!(!dir.path().join("r1.bin").exists());
}

#[test]
fn apply_refuses_a_link_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("target"), b"precious").unwrap();
    symlink(dir.path().join("target"), dir.path().join("r1.bin")).unwrap();
    let cfg = config(
        dir.path(),
        "ring r1\n    backing-file DIR/r1.bin\n\nring r2\n    backing-file DIR/r2.bin\n",
    );
    let output = run(&["apply", &cfg], b"");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let text = stdout(&output);
    assert!(text.starts_with("r1: refused: "), "{text}");
    assert!(text.contains("is a symbolic link"), "{text}");
    assert!(text.contains("r2: created "), "{text}");
    assert_eq!(fs::read(dir.path().join("target")).unwrap(), b"precious");
}

#[test]
fn write_appends_lines_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "ring r1\n    size 8192\n    backing-file DIR/r1.bin\n");
    let first = run(&["write", &cfg, "r1"], b"one\ntwo\n");
    assert!(first.status.success(), "{first:?}");
    let second = run(&["write", &cfg, "r1"], b"three\nno newline");
    assert!(second.status.success(), "{second:?}");

    let path = dir.path().join("r1.bin");
    let messages = walk::messages(&fs::read(&path).unwrap()).unwrap();
    assert_eq!(messages, ["one", "two", "three", "no newline"].map(|m| m.as_bytes().to_vec()));
    assert_eq!(walk::python_decode(&path), b"one\ntwo\nthree\nno newline\n");
}

#[test]
fn write_uses_the_ring_format() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "ring r1\n    format rfc5424\n    backing-file DIR/r1.bin\n");
    let output = run(&["write", &cfg, "r1", "--tag", "job", "--facility", "local0"], b"done\n");
    assert!(output.status.success(), "{output:?}");
    let messages = walk::messages(&fs::read(dir.path().join("r1.bin")).unwrap()).unwrap();
    let line = String::from_utf8(messages[0].clone()).unwrap();
    assert!(line.starts_with("<134>1 20"), "{line}");
    let pid_and_rest = line.split_once(" - job ").map(|(_, rest)| rest).unwrap_or_default();
    let (pid, rest) = pid_and_rest.split_once(' ').unwrap_or_default();
    assert!(pid.parse::<u32>().is_ok(), "{line}");
    assert_eq!(rest, "- - done", "{line}");
}

#[test]
fn write_names_a_missing_ring() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "ring r1\n");
    let output = run(&["write", &cfg, "nope"], b"x\n");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no ring named 'nope'"));
}
