//! Rings written by this crate's own writer (`apply::Ring`) read back whole.

use std::process::Command;

use ringcfg::apply::{RingSpec, open_backing_file};
use ringcfg::dump::{Event, Follower, RingFile};

use crate::ringgen::Rng;
use crate::support::ringcfg_bin;

#[test]
fn written_ring_dumps_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let mut spec = RingSpec::new("r1", Some(path.clone()));
    spec.allocated_size = 8192;
    let (ring, _) = open_backing_file(&spec).unwrap();

    // Enough messages, some with two-byte varints, to wrap several times.
    let mut rng = Rng::new(41);
    let written: Vec<Vec<u8>> = (0..200).map(|i| rng.text(1 + (i * 37) % 700)).collect();
    for payload in &written {
        ring.write_raw(payload).unwrap();
    }
    ring.flush().unwrap();

    let image = RingFile::open(&path).unwrap().read_image().unwrap();
    let read: Vec<Vec<u8>> = image.messages().map(|message| message.payload.to_vec()).collect();
    assert!(image.messages().all(|message| message.is_complete()));
    assert!(read.len() > 5, "only {} messages kept", read.len());
    assert_eq!(read, written[written.len() - read.len()..], "the newest messages, in order");

    let output = Command::new(ringcfg_bin()).arg("dump").arg(&path).output().unwrap();
    let expected: Vec<u8> =
        read.iter().flat_map(|payload| [&payload[..], b"\n"].concat()).collect();
    assert_eq!(output.stdout, expected);
}

#[test]
fn follower_reads_a_live_writer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let mut spec = RingSpec::new("r1", Some(path.clone()));
    spec.allocated_size = 64 * 1024;
    let (ring, _) = open_backing_file(&spec).unwrap();
    ring.write_raw(b"before").unwrap();

    let mut follower = Follower::open(&path).unwrap();
    let mut events = Vec::new();
    let mut read = Vec::new();
    for batch in 0..20 {
        for i in 0..10 {
            ring.write_raw(format!("batch {batch} message {i}").as_bytes()).unwrap();
        }
        follower.poll(&mut events).unwrap();
        for event in events.drain(..) {
            match event {
                Event::Message(message) => read.push(String::from_utf8(message.payload).unwrap()),
                other => panic!("unexpected event {other:?}"),
            }
        }
    }
    assert_eq!(read.len(), 201);
    assert_eq!(read[0], "before");
    assert_eq!(read[200], "batch 19 message 9");
}
