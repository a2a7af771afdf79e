//! `ringcfg apply` and `ringcfg write` as a shell runs them.

use std::fs;
use std::io::Write;
use std::os::unix::fs::{PermissionsExt, symlink};
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
    // A command that fails early closes its input, so a broken pipe here is expected.
    let _ = child.stdin.take().unwrap().write_all(stdin);
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

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs `ringcfg ARGS` under `sh` with a virtual memory limit and `input_script`'s output as stdin.
fn run_limited(args: &[&str], input_script: &str, limit_kib: u64) -> Output {
    let quoted: Vec<String> = args.iter().map(|arg| format!("'{arg}'")).collect();
    let script = format!(
        "ulimit -v {limit_kib} && {{ {input_script}; }} | '{}' {}",
        ringcfg_bin().display(),
        quoted.join(" ")
    );
    Command::new("sh").args(["-c", &script]).output().unwrap()
}

/// How [`make_unwritable`] denied writes.
#[derive(Debug, PartialEq)]
enum Denied {
    /// Mode bits, which stop an unprivileged user.
    Mode,
    /// The immutable attribute, which stops root too.
    Immutable,
}

/// Makes `path` (a file or directory) unwritable for this process; returns how.
///
/// Root ignores mode bits, so when writing still works the immutable
/// attribute is set instead. [`restore`] undoes either.
fn make_unwritable(path: &Path) -> Denied {
    let mode = if path.is_dir() { 0o555 } else { 0o444 };
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    let probe = if path.is_dir() {
        fs::write(path.join("probe"), b"").and_then(|()| fs::remove_file(path.join("probe")))
    } else {
        fs::OpenOptions::new().write(true).open(path).map(drop)
    };
    if probe.is_err() {
        return Denied::Mode;
    }
    let status = Command::new("chattr").arg("+i").arg(path).status().unwrap();
    assert!(status.success(), "cannot make {} unwritable: chattr +i failed", path.display());
    Denied::Immutable
}

fn restore(path: &Path) {
    let _ = Command::new("chattr").arg("-i").arg(path).status();
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn apply_rejects_a_link_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("target"), b"precious").unwrap();
    symlink(dir.path().join("target"), dir.path().join("r1.bin")).unwrap();
    let cfg = config(
        dir.path(),
        "ring r1\n    backing-file DIR/r1.bin\n\nring r2\n    backing-file DIR/r2.bin\n",
    );
    let output = run(&["apply", &cfg], b"");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let errors = stderr(&output);
    assert!(errors.starts_with("r1: rejected: "), "{errors}");
    assert!(errors.contains("is a symbolic link"), "{errors}");
    let text = stdout(&output);
    assert!(!text.contains("r1:"), "{text}");
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
fn apply_and_write_take_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let conf_d = dir.path().join("conf.d");
    fs::create_dir(&conf_d).unwrap();
    let rings = "ring r1\n    size 8192\n    backing-file DIR/r1.bin\n";
    fs::write(conf_d.join("10-rings.cfg"), rings.replace("DIR", &dir.path().display().to_string()))
        .unwrap();
    let conf_d = conf_d.display().to_string();

    let applied = run(&["apply", &conf_d], b"");
    assert!(applied.status.success(), "{applied:?}");
    let written = run(&["write", &conf_d, "r1"], b"from a directory\n");
    assert!(written.status.success(), "{written:?}");
    let messages = walk::messages(&fs::read(dir.path().join("r1.bin")).unwrap()).unwrap();
    assert_eq!(messages, [b"from a directory".to_vec()]);
}

#[test]
fn write_rejects_stdin_as_configuration() {
    let output = run(&["write", "-", "r1"], b"x\n");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("standard input carries the messages"), "{stderr}");
}

#[test]
fn write_names_a_missing_ring() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "ring r1\n");
    let output = run(&["write", &cfg, "nope"], b"x\n");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no ring named 'nope'"));
}

#[test]
fn apply_keeps_older_backups() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "ring r\n    backing-file DIR/r.bin\n");
    let path = dir.path().join("r.bin");
    let bak = dir.path().join("r.bin.bak");
    let bak1 = dir.path().join("r.bin.bak.1");
    assert!(run(&["apply", &cfg], b"").status.success());
    assert!(run(&["write", &cfg, "r"], b"first\n").status.success());
    assert!(run(&["apply", &cfg], b"").status.success());
    assert!(run(&["write", &cfg, "r"], b"second\n").status.success());

    let last = run(&["apply", &cfg], b"");

    assert!(last.status.success(), "{last:?}");
    let expected = format!(
        "r: rotated {} to {} (it holds messages; older backup kept as {}), created a new ring\n",
        path.display(),
        bak.display(),
        bak1.display()
    );
    assert_eq!(stdout(&last), expected);
    assert_eq!(walk::messages(&fs::read(&bak).unwrap()).unwrap(), [b"second".to_vec()]);
    assert_eq!(walk::messages(&fs::read(&bak1).unwrap()).unwrap(), [b"first".to_vec()]);
}

#[test]
fn apply_keeps_older_foreign_backups() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "ring r\n    backing-file DIR/r.bin\n");
    let path = dir.path().join("r.bin");
    fs::write(&path, b"first foreign file").unwrap();
    assert!(run(&["apply", &cfg], b"").status.success());
    fs::write(&path, b"second foreign file").unwrap();

    let last = run(&["apply", &cfg], b"");

    assert!(last.status.success(), "{last:?}");
    assert!(stdout(&last).contains("older backup kept as "), "{}", stdout(&last));
    assert_eq!(fs::read(dir.path().join("r.bin.bak")).unwrap(), b"second foreign file");
    assert_eq!(fs::read(dir.path().join("r.bin.bak.1")).unwrap(), b"first foreign file");
}

#[test]
fn apply_names_a_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "ring r\n    backing-file DIR/logs/r.bin\n");
    let output = run(&["apply", &cfg], b"");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let errors = stderr(&output);
    assert!(errors.starts_with("r: rejected: cannot open backing file "), "{errors}");
    let fix = format!("; create the directory {} first\n", dir.path().join("logs").display());
    assert!(errors.ends_with(&fix), "{errors}");
    assert_eq!(stdout(&output), "");
}

#[test]
fn apply_names_why_rotation_failed() {
    let dir = tempfile::tempdir().unwrap();
    let rings = dir.path().join("rings");
    fs::create_dir(&rings).unwrap();
    let cfg = config(dir.path(), "ring r\n    backing-file DIR/rings/r.bin\n");
    fs::write(rings.join("r.bin"), b"foreign").unwrap();
    let denied = make_unwritable(&rings);

    let output = run(&["apply", &cfg], b"");

    restore(&rings);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let errors = stderr(&output);
    assert!(errors.starts_with("r: rejected: cannot rename "), "{errors}");
    let cause = match denied {
        Denied::Mode => format!("the directory {} is not writable", rings.display()),
        Denied::Immutable => "is immutable or append-only".to_owned(),
    };
    assert!(errors.contains(&cause), "{errors}");
    assert!(!errors.contains("move or remove the backup"), "{errors}");
    assert_eq!(fs::read(rings.join("r.bin")).unwrap(), b"foreign");
}

#[test]
fn write_rejects_a_ring_without_file() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "ring r\n");
    let output = run(&["write", &cfg, "r"], b"lost?\n");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let expected = "ring 'r' has no backing-file, so written messages would be lost; \
                    add `backing-file PATH` to the ring";
    assert!(stderr(&output).contains(expected), "{}", stderr(&output));
}

#[test]
fn write_names_the_fix_for_an_unwritable_file() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "ring r\n    backing-file DIR/r.bin\n");
    assert!(run(&["write", &cfg, "r"], b"kept\n").status.success());
    let path = dir.path().join("r.bin");
    let before = fs::read(&path).unwrap();
    let denied = make_unwritable(&path);

    let output = run(&["write", &cfg, "r"], b"more\n");

    restore(&path);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    let errors = stderr(&output);
    assert!(errors.contains("cannot open backing file "), "{errors}");
    let fix = match denied {
        Denied::Mode => "chmod u+rw, or chown it to this user",
        Denied::Immutable => "chattr -i -a",
    };
    assert!(errors.contains(fix), "{errors}");
    assert_eq!(fs::read(&path).unwrap(), before);
}

#[test]
fn write_memory_bounded_on_endless_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "ring r\n    maxlen 100\n    backing-file DIR/r.bin\n");
    // 256 MiB of NUL bytes with no newline, then one short line, under a
    // 128 MiB address-space limit: holding the whole line cannot fit.
    let input = "head -c 268435456 /dev/zero; printf '\\nnext\\n'";

    let output = run_limited(&["write", &cfg, "r"], input, 128 * 1024);

    assert!(output.status.success(), "{output:?}");
    let messages = walk::messages(&fs::read(dir.path().join("r.bin")).unwrap()).unwrap();
    assert_eq!(messages, [vec![0u8; 100], b"next".to_vec()]);
}

#[test]
fn write_drops_line_longer_than_ring() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), "ring r\n    backing-file DIR/r.bin\n");
    let mut input = vec![b'x'; 100_000];
    input.extend_from_slice(b"\nfits\n");
    let output = run(&["write", &cfg, "r"], &input);
    assert!(output.status.success(), "{output:?}");
    let messages = walk::messages(&fs::read(dir.path().join("r.bin")).unwrap()).unwrap();
    assert_eq!(messages.last(), Some(&b"fits".to_vec()));
    let cut = messages.iter().any(|message| message.starts_with(b"xxx"));
    assert!(!cut, "a line longer than the ring is dropped, not cut to fit");
}
