//! Reading a ring file that another process truncates and grows back.
//!
//! A reader that touches a mapped page past the end of a truncated file gets
//! `SIGBUS`, so these tests run the churn in a child process (this test
//! binary again) and check how every reader process ended.

use std::env;
use std::fs::OpenOptions;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::follow::{collect, spawn_follow, wait_exit, wait_for};
use crate::ringgen::{Rng, TestRing};
use crate::support::ringcfg_bin;

/// Set in the environment of the churning child: the file to resize.
const CHURN_PATH: &str = "RINGCFG_TEST_CHURN_PATH";

/// Length of the churned ring: large enough that a dump takes a while.
const RING_LEN: usize = 8 << 20;

/// Maximum number of one-shot dumps run while the file churns.
const MAX_DUMPS: usize = 200;

/// Truncates `path` to a few bytes and grows it back to its length until
/// `duration` has passed; returns the number of truncations.
fn churn(path: &Path, duration: Duration, seed: u64) -> u64 {
    let file = OpenOptions::new().write(true).open(path).unwrap();
    let len = file.metadata().unwrap().len();
    let mut rng = Rng::new(seed);
    let deadline = Instant::now() + duration;
    let mut truncations = 0;
    while Instant::now() < deadline {
        // Sizes below, at and above the header lengths of each layout.
        let small = [0, 16, 100, 192, 4096][rng.below(5) as usize];
        file.set_len(small).unwrap();
        thread::sleep(Duration::from_micros(rng.below(500)));
        file.set_len(len).unwrap();
        thread::sleep(Duration::from_micros(rng.below(2000)));
        truncations += 1;
    }
    truncations
}

/// Churns a file; run as a child process by the tests below, and on its
/// own it checks that the churn truncates and restores the file.
#[test]
fn churner_truncates_file() {
    if let Ok(path) = env::var(CHURN_PATH) {
        churn(Path::new(&path), Duration::from_secs(3), 41);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    TestRing::new(4096).write_to(&path);
    let truncations = churn(&path, Duration::from_millis(100), 42);
    assert!(truncations > 10, "only {truncations} truncations in 100 ms");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 4096);
}

fn spawn_churner(path: &Path) -> Child {
    Command::new(env::current_exe().unwrap())
        .args(["truncate::churner_truncates_file", "--exact", "--test-threads=1"])
        .env(CHURN_PATH, path)
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

/// Writes a ring of `RING_LEN` bytes full of messages to `path`.
fn write_full_ring(path: &Path) {
    let mut ring = TestRing::new(RING_LEN);
    let mut rng = Rng::new(43);
    loop {
        let len = 40 + rng.below(160) as usize;
        if !ring.push(&rng.text(len)) || ring.head() != 0 {
            break;
        }
    }
    ring.write_to(path);
}

fn assert_not_killed(status: ExitStatus, stderr: &str, what: &str) {
    assert_eq!(status.signal(), None, "{what} was killed by a signal; stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{what} panicked; stderr: {stderr}");
}

#[test]
fn dump_survives_a_truncating_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    write_full_ring(&path);

    let mut churner = spawn_churner(&path);
    let mut dumps = 0;
    while dumps < MAX_DUMPS && churner.try_wait().unwrap().is_none() {
        let Output { status, stderr, .. } =
            Command::new(ringcfg_bin()).arg("dump").arg(&path).output().unwrap();
        let stderr = String::from_utf8_lossy(&stderr);
        assert_not_killed(status, &stderr, "ringcfg dump");
        // Status 2 with a message is the right answer for a file that was
        // emptied or shrank while it was read.
        match status.code() {
            Some(0) => {}
            Some(2) => assert!(stderr.contains(&path.display().to_string()), "stderr: {stderr}"),
            _ => panic!("status {status}; stderr: {stderr}"),
        }
        dumps += 1;
    }
    let churned = wait_exit(&mut churner).expect("the churner did not stop");
    assert!(churned.success(), "churner status {churned}");
    assert!(dumps > 0);
}

#[test]
fn follow_survives_a_truncating_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    write_full_ring(&path);

    let mut follow = spawn_follow(&path);
    let stdout = collect(follow.stdout.take().unwrap());
    let stderr = collect(follow.stderr.take().unwrap());

    let mut churner = spawn_churner(&path);
    let churned = wait_exit(&mut churner).expect("the churner did not stop");
    assert!(churned.success(), "churner status {churned}");
    let still_running = follow.try_wait().unwrap();
    let errors =
        || String::from_utf8_lossy(&stderr.try_iter().flatten().collect::<Vec<_>>()).into_owned();
    if let Some(status) = still_running {
        assert_not_killed(status, &errors(), "ringcfg dump --follow");
        panic!("ringcfg dump --follow stopped while the file churned: {status}");
    }

    // It still polls: a message written after the churn shows up. The new
    // ring has another length, so the follower starts again from its head.
    let mut ring = TestRing::new(RING_LEN + 4096);
    assert!(ring.push(b"after the churn"));
    ring.write_to(&path);
    let mut seen = Vec::new();
    wait_for(&stdout, &mut seen, b"after the churn\n");

    follow.kill().unwrap();
    let status = follow.wait().unwrap();
    assert_eq!(status.signal(), Some(9), "only the test's SIGKILL ends it");
    let errors = errors();
    assert!(!errors.contains("panicked"), "stderr: {errors}");
}
