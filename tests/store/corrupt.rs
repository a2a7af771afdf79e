//! Damaged files: every header word and area byte is hostile.
//!
//! The generator is deterministic (seeded xorshift), so a failure names the
//! seed and the case, and replays exactly.

use std::fs;
use std::process::Command;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use ringcfg::dump::{Follower, RingFile};
use ringcfg::store::reader::{Message, RingImage, WalkEnd, walk_in_windows};

use crate::ringgen::{Rng, TestRing};
use crate::support::{ringcfg_bin, shared_dir};

/// Values that hit the edges of the layout detection and the bounds.
const EDGES: [u64; 14] =
    [0, 1, 2, 31, 32, 191, 192, 193, 4095, 4096, 1 << 63, (1 << 63) | 7, u64::MAX, u64::MAX - 191];

/// Returns the rings the corruptions start from: the samples and
/// generated wrapped rings of several sizes.
fn base_rings() -> Vec<Vec<u8>> {
    let mut rings = Vec::new();
    for entry in fs::read_dir(shared_dir().join("samples")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|ext| ext == "bin") {
            rings.push(fs::read(path).unwrap());
        }
    }
    let mut rng = Rng::new(7);
    for file_len in [300, 1024, 4096, 20_000] {
        let mut ring = TestRing::new(file_len);
        for _ in 0..200 {
            let len = 1 + rng.below(400) as usize;
            ring.push(&rng.text(len));
        }
        rings.push(ring.file);
    }
    rings
}

/// Applies one to four random corruptions to `file`.
fn corrupt(rng: &mut Rng, mut file: Vec<u8>) -> Vec<u8> {
    for _ in 0..=rng.below(4) {
        let len = file.len() as u64;
        match rng.below(6) {
            0 | 1 => {
                let offset = [0, 8, 16, 24, 64, 128][rng.below(6) as usize];
                let value = match rng.below(4) {
                    0 => EDGES[rng.below(EDGES.len() as u64) as usize],
                    1 => len.wrapping_add(rng.below(5)).wrapping_sub(2),
                    2 => rng.below(len + 16),
                    _ => rng.next_u64(),
                };
                if offset + 8 <= file.len() {
                    file[offset..offset + 8].copy_from_slice(&value.to_ne_bytes());
                }
            }
            2 | 3 => {
                for _ in 0..=rng.below(30) {
                    let index = rng.below(len) as usize;
                    file[index] =
                        [0, 0x7f, 0x80, 0xf0, 0xff, rng.next_u64() as u8][rng.below(6) as usize];
                }
            }
            4 => file.truncate(1 + rng.below(len) as usize),
            _ => {
                let start = rng.below(len) as usize;
                let end = (start + 1 + rng.below(16) as usize).min(file.len());
                file[start..end].fill(0xff);
            }
        }
    }
    file
}

/// Returns every field of each message, to compare two walks.
fn owned(message: &Message<'_>) -> (u64, u64, u8, u64, Vec<u8>, bool, bool) {
    (
        message.position,
        message.offset,
        message.readers,
        message.declared_len,
        message.payload.to_vec(),
        message.truncated,
        message.torn,
    )
}

/// Walks `image` in windows of `window` bytes, as `ringcfg dump` does.
fn walk_windowed(image: &RingImage, window: usize) -> (Vec<Owned>, Option<WalkEnd>) {
    let mut found = Vec::new();
    let copy = |position: u64, len: u64, out: &mut Vec<u8>| {
        let start = position as usize;
        out.extend_from_slice(&image.data()[start..start + len as usize]);
    };
    let end = walk_in_windows(image.geometry(), window, copy, |message| {
        found.push(owned(message));
        Ok::<(), ()>(())
    })
    .unwrap();
    (found, end)
}

type Owned = (u64, u64, u8, u64, Vec<u8>, bool, bool);

/// Reads a damaged image completely and checks the bounds it promises.
fn read_all(file: &[u8], window: usize) -> u64 {
    let image = RingImage::parse(file).unwrap();
    let geometry = image.geometry();
    assert!(geometry.size <= file.len() as u64);
    assert!(geometry.data <= geometry.size);
    assert!(geometry.size == 0 || geometry.area_offset + geometry.size <= file.len() as u64);
    let mut count = 0u64;
    let mut bytes = 0u64;
    for message in image.messages() {
        count += 1;
        bytes += message.payload.len() as u64;
        assert!(message.offset < file.len() as u64);
    }
    // Each message uses at least two bytes of the data: RC and varint.
    assert!(2 * count <= geometry.data + 1, "{count} messages in {} bytes", geometry.data);
    assert!(bytes <= geometry.data);
    assert_eq!(image.stats().messages, count);

    let mut whole = image.messages();
    let expected: Vec<Owned> = whole.by_ref().map(|message| owned(&message)).collect();
    assert_eq!(walk_windowed(&image, window), (expected, whole.end()), "window of {window}");
    count
}

/// Runs `work` on another thread and fails if it runs past `limit`.
fn within<T: Send + 'static>(limit: Duration, work: impl FnOnce() -> T + Send + 'static) -> T {
    let (sender, receiver) = mpsc::channel();
    let worker = thread::spawn(move || sender.send(work()).unwrap());
    let result = receiver.recv_timeout(limit);
    assert!(result.is_ok(), "the work did not finish within {limit:?}: a hang or a panic");
    worker.join().unwrap();
    result.unwrap()
}

#[test]
fn ten_thousand_corruptions_in_memory() {
    let total = within(Duration::from_secs(120), || {
        let bases = base_rings();
        let mut rng = Rng::new(11);
        let mut messages = 0;
        for case in 0..10_000u64 {
            let base = &bases[rng.below(bases.len() as u64) as usize];
            let file = corrupt(&mut rng, base.clone());
            let window = 16 + (case % 64) as usize;
            let read = std::panic::catch_unwind(|| read_all(&file, window));
            assert!(read.is_ok(), "case {case} of seed 11 panicked");
            messages += read.unwrap();
        }
        messages
    });
    assert!(total > 10_000, "the corruptions left too few messages ({total}) to walk");
}

#[test]
fn corruptions_on_disk_through_the_file_reader() {
    within(Duration::from_secs(120), || {
        let dir = tempfile::tempdir().unwrap();
        let bases = base_rings();
        let mut rng = Rng::new(12);
        for case in 0..300u64 {
            let base = &bases[rng.below(bases.len() as u64) as usize];
            let file = corrupt(&mut rng, base.clone());
            let path = dir.path().join(format!("case-{case}.bin"));
            fs::write(&path, &file).unwrap();

            let image = RingFile::open(&path).unwrap().read_image().unwrap();
            assert_eq!(image, RingImage::parse(&file).unwrap(), "case {case}");
            let mut follower = Follower::open(&path).unwrap();
            let mut events = Vec::new();
            follower.poll(&mut events).unwrap();
            follower.poll(&mut events).unwrap();
        }
    });
}

#[test]
fn corruptions_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let bases = base_rings();
    let mut rng = Rng::new(13);
    for case in 0..40u64 {
        let base = &bases[rng.below(bases.len() as u64) as usize];
        let path = dir.path().join(format!("case-{case}.bin"));
        fs::write(&path, corrupt(&mut rng, base.clone())).unwrap();
        for flags in [&[][..], &["--json"], &["--info"], &["-l"]] {
            let output =
                Command::new(ringcfg_bin()).arg("dump").args(flags).arg(&path).output().unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(output.status.success(), "case {case} {flags:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "case {case} {flags:?}: {stderr}");
        }
    }
}
