//! Following a live ring with `dump::Follower` and `ringcfg dump --follow`.

use std::env;
use std::fs::{self, OpenOptions};
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use ringcfg::dump::{Event, Follower, Restart};
use ringcfg::store::layout::Note;

use crate::ringgen::{Rng, TestRing};
use crate::support::ringcfg_bin;

/// Set in the environment of the scribbler child: the file to rewrite.
const SCRIBBLE_PATH: &str = "RINGCFG_TEST_SCRIBBLE_PATH";

/// Rewrites `path` in place (same length) as HAProxy's writer would.
fn store(ring: &TestRing, path: &Path) {
    let file = OpenOptions::new().write(true).open(path).unwrap();
    file.write_all_at(&ring.file, 0).unwrap();
}

fn poll(follower: &mut Follower) -> Vec<Event> {
    let mut events = Vec::new();
    follower.poll(&mut events).unwrap();
    events
}

fn payloads(events: &[Event]) -> Vec<Vec<u8>> {
    events
        .iter()
        .filter_map(|event| match event {
            Event::Message(message) => Some(message.payload.clone()),
            _ => None,
        })
        .collect()
}

fn ring_with(messages: &[&str]) -> TestRing {
    let mut ring = TestRing::new(192 + 1000);
    for message in messages {
        assert!(ring.push(message.as_bytes()));
    }
    ring
}

#[test]
fn follower_returns_only_new_messages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let mut ring = ring_with(&["one", "two"]);
    ring.write_to(&path);

    let mut follower = Follower::open(&path).unwrap();
    assert_eq!(payloads(&poll(&mut follower)), vec![b"one".to_vec(), b"two".to_vec()]);
    assert_eq!(poll(&mut follower), vec![]);

    assert!(ring.push(b"three"));
    store(&ring, &path);
    assert_eq!(payloads(&poll(&mut follower)), vec![b"three".to_vec()]);
    assert_eq!(poll(&mut follower), vec![]);
}

/// Writes `written` after a follower read "a", "b" and "c" from a
/// 1000-byte area, and returns what it polled next.
fn overrun_follower(written: &[Vec<u8>]) -> Vec<Event> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let mut ring = ring_with(&["a", "b", "c"]);
    ring.write_to(&path);
    let mut follower = Follower::open(&path).unwrap();
    assert_eq!(payloads(&poll(&mut follower)).len(), 3);

    for payload in written {
        assert!(ring.push(payload));
    }
    store(&ring, &path);
    poll(&mut follower)
}

fn texts(count: usize, len: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(21);
    (0..count).map(|_| rng.text(len)).collect()
}

fn lost_events(events: &[Event]) -> Vec<Event> {
    events.iter().filter(|event| matches!(event, Event::Lost { .. })).cloned().collect()
}

#[test]
fn follower_counts_lost_messages() {
    // The follower waits at area offset 9, after "c". Sixteen 62-byte
    // messages bring the tail round to offset 2; then "x" deletes "c" and
    // "y" deletes the first new message, leaving the tail at 8: the head
    // (71) has passed the follower and the tail has not reached it.
    let mut written = texts(16, 60);
    written.extend([b"x".to_vec(), b"y".to_vec()]);
    let events = overrun_follower(&written);
    let [Event::Lost { messages: Some(lost), bytes: Some(bytes) }] = lost_events(&events)[..]
    else {
        panic!("expected one counted loss, got {events:?}");
    };
    assert_eq!((lost, bytes), (1, 62));
    assert_eq!(payloads(&events), written[1..]);
}

#[test]
fn follower_detects_a_lapping_writer() {
    // 40 messages go around the area twice: the follower's offset is again
    // between head and tail, but inside a newer message.
    let written = texts(40, 60);
    let events = overrun_follower(&written);
    assert_eq!(lost_events(&events).len(), 1, "events: {events:?}");
    let read = payloads(&events);
    assert!(!read.is_empty());
    assert_eq!(read, written[written.len() - read.len()..], "only whole, newest messages");
}

#[test]
fn follower_waits_for_torn_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let mut ring = ring_with(&["whole"]);
    ring.push_torn(b"torn");
    ring.write_to(&path);

    let mut follower = Follower::open(&path).unwrap();
    assert_eq!(payloads(&poll(&mut follower)), vec![b"whole".to_vec()]);
    assert_eq!(poll(&mut follower), vec![], "a message still being written is held back");

    // The writer finishes: it restores the reader-count byte to 0.
    let mut finished = ring_with(&["whole", "torn"]);
    assert!(finished.push(b"next"));
    store(&finished, &path);
    assert_eq!(payloads(&poll(&mut follower)), vec![b"torn".to_vec(), b"next".to_vec()]);
}

#[test]
fn follower_restarts_on_replaced_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    ring_with(&["old"]).write_to(&path);
    let mut follower = Follower::open(&path).unwrap();
    assert_eq!(payloads(&poll(&mut follower)), vec![b"old".to_vec()]);

    let replacement = dir.path().join("new.bin");
    ring_with(&["new"]).write_to(&replacement);
    fs::rename(&replacement, &path).unwrap();
    let events = poll(&mut follower);
    assert_eq!(events[0], Event::Restarted(Restart::Replaced));
    assert_eq!(payloads(&events), vec![b"new".to_vec()]);
}

#[test]
fn follower_restarts_on_resized_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    ring_with(&["small"]).write_to(&path);
    let mut follower = Follower::open(&path).unwrap();
    poll(&mut follower);

    let mut bigger = TestRing::new(8192);
    assert!(bigger.push(b"big"));
    store(&bigger, &path);
    let events = poll(&mut follower);
    assert_eq!(events[0], Event::Restarted(Restart::Resized { from: 1192, to: 8192 }));
    assert_eq!(payloads(&events), vec![b"big".to_vec()]);

    // Truncated under the follower: it maps the shorter file before reading.
    OpenOptions::new().write(true).open(&path).unwrap().set_len(700).unwrap();
    let events = poll(&mut follower);
    assert_eq!(events[0], Event::Restarted(Restart::Resized { from: 8192, to: 700 }));
    assert!(events.contains(&Event::Note(Note::SizeBounded { size: 8000, available: 508 })));
    assert_eq!(payloads(&events), vec![b"big".to_vec()]);
}

#[test]
fn follower_stops_on_removed_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    ring_with(&["x"]).write_to(&path);
    let mut follower = Follower::open(&path).unwrap();
    poll(&mut follower);
    fs::remove_file(&path).unwrap();
    assert_eq!(poll(&mut follower), vec![Event::Removed]);
}

/// Collects a child's stdout on a thread, so the test can wait on it.
pub(crate) fn collect(mut stream: impl Read + Send + 'static) -> Receiver<Vec<u8>> {
    let (sender, receiver) = mpsc::channel();
    thread::spawn(move || {
        let mut chunk = [0u8; 4096];
        while let Ok(read) = stream.read(&mut chunk) {
            if read == 0 || sender.send(chunk[..read].to_vec()).is_err() {
                break;
            }
        }
    });
    receiver
}

/// Reads from `receiver` until `seen` contains `expected` or the time is up.
pub(crate) fn wait_for(receiver: &Receiver<Vec<u8>>, seen: &mut Vec<u8>, expected: &[u8]) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !seen.windows(expected.len()).any(|window| window == expected) {
        let left = deadline.saturating_duration_since(Instant::now());
        match receiver.recv_timeout(left) {
            Ok(chunk) => seen.extend(chunk),
            Err(_) => panic!(
                "{:?} not printed within 10 s; output so far: {:?}",
                String::from_utf8_lossy(expected),
                String::from_utf8_lossy(seen)
            ),
        }
    }
}

pub(crate) fn spawn_follow(path: &Path) -> Child {
    Command::new(ringcfg_bin())
        .args(["dump", "--follow"])
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

pub(crate) fn wait_exit(child: &mut Child) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    None
}

#[test]
fn follow_prints_new_messages_until_removed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let mut ring = ring_with(&["first"]);
    ring.write_to(&path);
    let mut child = spawn_follow(&path);
    let stdout = collect(child.stdout.take().unwrap());
    let mut seen = Vec::new();
    wait_for(&stdout, &mut seen, b"first\n");

    assert!(ring.push(b"second"));
    store(&ring, &path);
    wait_for(&stdout, &mut seen, b"second\n");
    assert_eq!(seen, b"first\nsecond\n");

    fs::remove_file(&path).unwrap();
    let status = wait_exit(&mut child).expect("follow did not stop after the file was removed");
    assert!(status.success(), "status {status}");
}

/// Rewrites `path` with random bytes until `duration` has passed, keeping
/// its length, and returns the number of writes.
fn scribble(path: &Path, duration: Duration, seed: u64) -> u64 {
    let file = OpenOptions::new().write(true).open(path).unwrap();
    let len = file.metadata().unwrap().len();
    let mut rng = Rng::new(seed);
    let deadline = Instant::now() + duration;
    let mut writes = 0;
    while Instant::now() < deadline {
        match rng.below(8) {
            0..=2 => {
                let offset = [0, 8, 16, 24, 64, 128][rng.below(6) as usize];
                let value = match rng.below(3) {
                    0 => rng.below(len + 8),
                    1 => rng.next_u64(),
                    _ => [0, 1, 192, 4096, 1 << 63, u64::MAX][rng.below(6) as usize],
                };
                file.write_all_at(&value.to_ne_bytes(), offset).unwrap();
            }
            3..=5 => {
                let bytes: Vec<u8> = (0..1 + rng.below(64)).map(|_| rng.next_u64() as u8).collect();
                let offset = rng.below(len.saturating_sub(bytes.len() as u64) + 1);
                file.write_all_at(&bytes, offset).unwrap();
            }
            _ => {
                // A valid ring now and then, so the reader has messages to print.
                let mut ring = TestRing::new(len as usize);
                for _ in 0..rng.below(40) {
                    let size = 1 + rng.below(200) as usize;
                    ring.push(&rng.text(size));
                }
                file.write_all_at(&ring.file, 0).unwrap();
            }
        }
        writes += 1;
        thread::sleep(Duration::from_micros(200));
    }
    writes
}

/// Scribbles on a file; run as a child process by
/// `follow_survives_a_scribbling_process`, and on its own it checks that
/// the scribbler changes the file.
#[test]
fn scribbler_rewrites_file() {
    if let Ok(path) = env::var(SCRIBBLE_PATH) {
        scribble(Path::new(&path), Duration::from_secs(3), 31);
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let ring = ring_with(&["quiet"]);
    ring.write_to(&path);
    let writes = scribble(&path, Duration::from_millis(100), 32);
    assert!(writes > 10, "only {writes} writes in 100 ms");
    assert_ne!(fs::read(&path).unwrap(), ring.file);
    assert_eq!(fs::metadata(&path).unwrap().len(), ring.file.len() as u64);
}

#[test]
fn follow_survives_a_scribbling_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let mut ring = TestRing::new(64 * 1024);
    for i in 0..100 {
        ring.push(format!("message {i}").as_bytes());
    }
    ring.write_to(&path);

    let mut follow = spawn_follow(&path);
    let stdout = collect(follow.stdout.take().unwrap());
    let stderr = collect(follow.stderr.take().unwrap());
    let mut seen = Vec::new();
    wait_for(&stdout, &mut seen, b"message 99\n");

    let mut scribbler = Command::new(env::current_exe().unwrap())
        .args(["follow::scribbler_rewrites_file", "--exact", "--test-threads=1"])
        .env(SCRIBBLE_PATH, &path)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let scribbled = wait_exit(&mut scribbler).expect("the scribbler did not stop");
    assert!(scribbled.success(), "scribbler status {scribbled}");

    assert!(follow.try_wait().unwrap().is_none(), "dump --follow stopped while scribbled on");

    // It still polls: a replacing file's message shows up.
    let replacement = dir.path().join("new.bin");
    ring_with(&["after the scribbler"]).write_to(&replacement);
    fs::rename(&replacement, &path).unwrap();
    wait_for(&stdout, &mut seen, b"after the scribbler\n");
    follow.kill().unwrap();
    follow.wait().unwrap();
    let errors: Vec<u8> = stderr.try_iter().flatten().collect();
    let errors = String::from_utf8_lossy(&errors);
    assert!(!errors.contains("panicked"), "stderr: {errors}");
    assert!(!errors.contains("ERROR"), "stderr: {errors}");
}
