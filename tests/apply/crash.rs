//! A writer killed with SIGKILL at random moments leaves whole messages only.
//!
//! The child is this test binary itself, run with [`CHILD_DIR`] set: it
//! reopens the ring, then writes numbered messages forever and, after each
//! write returns, records how many it completed in a progress file. The
//! parent kills it after a random delay and checks the ring file: every
//! message is byte-exact, each run's messages are consecutive, and each
//! run ends with its last completed write (or the one after it, when the
//! kill fell between the write and the progress record).

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ringcfg::apply::{RingSpec, open_for_append};

use crate::walk;

/// Set in the child: the directory of the ring and progress files.
const CHILD_DIR: &str = "RINGCFG_TEST_CRASH_DIR";
/// Set in the child: the run number written in each message.
const CHILD_RUN: &str = "RINGCFG_TEST_CRASH_RUN";

const RUNS: u64 = 220;

fn ring_spec(dir: &Path) -> RingSpec {
    let mut spec = RingSpec::new("crash", Some(dir.join("ring.bin")));
    spec.allocated_size = 8192;
    spec
}

/// The exact bytes of message `n` of `run`; lengths cycle through 1-, 2- and 3-byte varints.
fn message(run: u64, n: u64) -> Vec<u8> {
    let mut bytes = format!("run {run} msg {n} ").into_bytes();
    let len = match n {
        n if n % 101 == 100 => 2400,
        n if n % 37 == 36 => 300,
        n => 30 + (n * 13 % 90) as usize,
    };
    bytes.resize(len, b'a' + (n % 26) as u8);
    bytes
}

fn progress_path(dir: &Path, run: u64) -> PathBuf {
    dir.join(format!("progress-{run}"))
}

/// Writes messages of `run` until `limit`, recording progress after each one.
fn write_messages(dir: &Path, run: u64, limit: u64, ready: impl FnOnce()) {
    let (ring, _) = open_for_append(&ring_spec(dir)).expect("the ring opens");
    let progress = File::create(progress_path(dir, run)).expect("the progress file opens");
    ready();
    for n in 0..limit {
        ring.write_raw(&message(run, n)).expect("every message fits");
        progress.write_all_at(&(n + 1).to_ne_bytes(), 0).expect("progress is recorded");
    }
}

fn completed(dir: &Path, run: u64) -> u64 {
    match fs::read(progress_path(dir, run)) {
        Ok(bytes) if bytes.len() == 8 => u64::from_ne_bytes(bytes.try_into().unwrap()),
        _ => 0,
    }
}

/// Checks the ring file against the progress of runs `0..=last_run`.
fn check_ring(dir: &Path, last_run: u64) {
    let bytes = fs::read(dir.join("ring.bin")).unwrap();
    let messages = walk::messages(&bytes).unwrap_or_else(|error| panic!("bad ring: {error}"));

    let mut previous: Option<(u64, u64)> = None;
    for (index, payload) in messages.iter().enumerate() {
        let text = String::from_utf8_lossy(payload);
        let words: Vec<&str> = text.split(' ').collect();
        let (run, n) = (words[1].parse::<u64>().unwrap(), words[3].parse::<u64>().unwrap());
        assert_eq!(payload, &message(run, n), "message {index} is torn");
        match previous {
            Some((prev_run, prev_n)) if prev_run == run => {
                assert_eq!(n, prev_n + 1, "gap in run {run}");
            }
            Some((prev_run, prev_n)) => {
                assert!(run > prev_run, "run {run} after run {prev_run}");
                assert_eq!(n, 0, "run {run} starts with message 0");
                assert_ends_at_last_write(dir, prev_run, prev_n);
            }
            None => {}
        }
        previous = Some((run, n));
    }
    match previous {
        Some((run, n)) => {
            assert_ends_at_last_write(dir, run, n);
            assert!(run == last_run || completed(dir, last_run) == 0, "run {last_run} is missing");
        }
        None => assert_eq!(completed(dir, last_run), 0),
    }
}

fn assert_ends_at_last_write(dir: &Path, run: u64, last: u64) {
    let done = completed(dir, run);
    assert!(
        last + 1 == done || last == done,
        "run {run} ends at message {last} but completed {done} writes"
    );
}

/// A small xorshift generator: delays need variety, not quality.
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// In the parent: checks a bounded run in-process. In a child: writes until killed.
#[test]
fn writer_child() {
    if let (Ok(dir), Ok(run)) = (std::env::var(CHILD_DIR), std::env::var(CHILD_RUN)) {
        let run = run.parse().unwrap();
        write_messages(Path::new(&dir), run, u64::MAX, || {
            let mut out = std::io::stdout().lock();
            writeln!(out, "crash writer ready").and_then(|()| out.flush()).unwrap();
        });
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write_messages(dir.path(), 0, 3000, || {});
    write_messages(dir.path(), 1, 10, || {});
    check_ring(dir.path(), 1);
    assert_eq!(completed(dir.path(), 0), 3000);
}

#[test]
fn killed_writer_leaves_whole_messages() {
    let dir = tempfile::tempdir_in(shm_or_tmp()).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut seed = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
    let mut kills_mid_write = 0;

    for run in 0..RUNS {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash::writer_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_DIR, dir.path())
            .env(CHILD_RUN, run.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();

        let wait_for_ready = run == 0 || next_random(&mut seed) % 4 != 0;
        if wait_for_ready {
            let stdout = BufReader::new(child.stdout.take().unwrap());
            let ready = stdout
                .lines()
                .map_while(Result::ok)
                .any(|line| line.contains("crash writer ready"));
            assert!(ready, "child of run {run} did not start");
        }
        std::thread::sleep(Duration::from_micros(next_random(&mut seed) % 3000));
        child.kill().unwrap();
        child.wait().unwrap();

        if completed(dir.path(), run) > 0 {
            kills_mid_write += 1;
        }
        check_ring(dir.path(), run);
        if run % 20 == 0 {
            let path = dir.path().join("ring.bin");
            let ours = walk::messages(&fs::read(&path).unwrap()).unwrap();
            assert_eq!(walk::python_decode(&path), walk::as_dump(&ours));
        }
    }
    assert!(kills_mid_write >= RUNS / 2, "only {kills_mid_write} kills hit a writing child");
}

/// Prefers a RAM-backed directory, where HAProxy's rings usually live.
fn shm_or_tmp() -> PathBuf {
    let shm = PathBuf::from("/dev/shm");
    if shm.is_dir() { shm } else { std::env::temp_dir() }
}
