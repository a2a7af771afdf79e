//! Generated rings decode identically with `ring_decode.py`, a decoder
//! written independently in Python from the same layout.

use std::path::Path;
use std::process::Command;

use ringcfg::store::header::{
    RSVD_OFFSET, SIZE_OFFSET, V2_HEAD_OFFSET, V2_LEN, V2_TAIL_OFFSET, V2A_LEN, write_u64,
};
use ringcfg::store::layout::Layout;
use ringcfg::store::reader::RingImage;
use ringcfg::store::varint::encoded_len;

use crate::ringgen::{Rng, TestRing};
use crate::support::{ringcfg_bin, shared_dir};

fn python_decode(path: &Path) -> Vec<u8> {
    let script = shared_dir().join("tools/ring_decode.py");
    let output = Command::new("python3").arg(script).arg(path).output().unwrap();
    assert!(output.status.success(), "ring_decode.py failed on {}", path.display());
    output.stdout
}

fn library_decode(bytes: &[u8]) -> Vec<u8> {
    let image = RingImage::parse(bytes).unwrap();
    let mut text = Vec::new();
    for message in image.messages() {
        assert!(message.is_complete(), "damaged message at {}", message.offset);
        text.extend_from_slice(message.payload);
        text.push(b'\n');
    }
    text
}

/// Checks one generated ring against the Python decoder and the binary.
fn check_ring(ring: &TestRing, name: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    ring.write_to(&path);
    let expected = python_decode(&path);
    assert!(!expected.is_empty(), "{name} holds no message");
    assert_eq!(library_decode(&ring.file), expected, "library output for {name}");
    let output = Command::new(ringcfg_bin()).arg("dump").arg(&path).output().unwrap();
    assert_eq!(output.stdout, expected, "binary output for {name}");
}

#[test]
fn two_byte_varints() {
    let mut ring = TestRing::new(8192);
    let mut rng = Rng::new(2);
    for len in [240, 294, 1023, 2287, 500] {
        assert_eq!(encoded_len(len), 2);
        assert!(ring.push(&rng.text(len as usize)));
    }
    check_ring(&ring, "varint2.bin");
}

#[test]
fn three_byte_varints() {
    let mut ring = TestRing::new(64 * 1024);
    let mut rng = Rng::new(3);
    for len in [2288, 5000, 20_000, 10] {
        assert_eq!(encoded_len(len) == 3, len >= 2288);
        assert!(ring.push(&rng.text(len as usize)));
    }
    check_ring(&ring, "varint3.bin");
}

#[test]
fn wrapped_rings_of_many_sizes() {
    let mut rng = Rng::new(4);
    for case in 0..12 {
        let file_len = 192 + 600 + rng.below(5000) as usize;
        let mut ring = TestRing::new(file_len);
        let mut written = 0;
        while written < 3 * file_len {
            let len = 1 + rng.below(if case % 3 == 0 { 2400 } else { 300 }) as usize;
            if ring.push(&rng.text(len)) {
                written += len;
            }
        }
        assert!(ring.head() > 0, "case {case}: the writer never deleted a message");
        check_ring(&ring, &format!("wrapped-{case}.bin"));
    }
}

#[test]
fn message_split_by_the_wrap() {
    // Put the next reader-count byte, varint or payload start right at the
    // end of the area, then write a message with a two-byte varint there.
    for target_from_end in [-1i64, 0, 1, 2] {
        let mut ring = TestRing::new(192 + 1000);
        let mut rng = Rng::new(5);
        while ring.size() - 1 - ring.tail() > 200 {
            assert!(ring.push(&rng.text(100)));
        }
        let target = (ring.size() as i64 - target_from_end) as u64;
        let filler = target - ring.tail() - 2;
        assert!(filler < 240, "filler of {filler} bytes needs a one-byte varint");
        assert!(ring.push(&rng.text(filler as usize)));
        assert_eq!(ring.tail(), target % ring.size());
        assert!(ring.push(&rng.text(300)));
        check_ring(&ring, &format!("split-{target_from_end}.bin"));
    }
}

#[test]
fn unthreaded_header_layout() {
    // The same area behind the 32-byte header of builds without threads.
    let mut threaded = TestRing::new(4096);
    let mut rng = Rng::new(6);
    while threaded.head() == 0 {
        let len = 1 + rng.below(300) as usize;
        assert!(threaded.push(&rng.text(len)));
    }
    let area = &threaded.file[V2A_LEN..];
    let mut file = vec![0u8; V2_LEN];
    file.extend_from_slice(area);
    write_u64(&mut file, SIZE_OFFSET, area.len() as u64);
    write_u64(&mut file, RSVD_OFFSET, V2_LEN as u64);
    write_u64(&mut file, V2_TAIL_OFFSET, threaded.tail());
    write_u64(&mut file, V2_HEAD_OFFSET, threaded.head());
    let unthreaded = TestRing { file };

    let image = RingImage::parse(&unthreaded.file).unwrap();
    assert_eq!(image.geometry().layout, Layout::V2);
    assert_eq!(library_decode(&unthreaded.file), library_decode(&threaded.file));
    check_ring(&unthreaded, "unthreaded.bin");
}
