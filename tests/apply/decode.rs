//! Files written through `apply` and `Ring` read back identically with the
//! independent Python decoder, which matches HAProxy's `haring` byte for byte.

use std::time::{Duration, UNIX_EPOCH};

use ringcfg::apply::format::Record;
use ringcfg::apply::{RingSpec, open_backing_file};
use ringcfg::ring::LogFormat;
use ringcfg::store::writer::needed;

use crate::walk;

fn spec(dir: &tempfile::TempDir, size: u64) -> RingSpec {
    let mut spec = RingSpec::new("r1", Some(dir.path().join("r1.bin")));
    spec.allocated_size = size;
    spec
}

/// Writes `messages` raw, then checks both decoders against the suffix that must remain.
fn write_and_compare(spec: &RingSpec, messages: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let (ring, _) = open_backing_file(spec).unwrap();
    for message in messages {
        ring.write_raw(message).unwrap();
    }
    let area = ring.area_len();
    drop(ring);

    let path = spec.backing_file.as_ref().unwrap();
    let bytes = std::fs::read(path).unwrap();
    let decoded = walk::messages(&bytes).unwrap();
    assert!(!decoded.is_empty());
    let kept = &messages[messages.len() - decoded.len()..];
    assert_eq!(decoded, kept, "the ring holds the newest messages, in order");

    let used: usize = 1 + kept.iter().map(|m| needed(m.len())).sum::<usize>();
    if let Some(older) = messages.len().checked_sub(decoded.len() + 1) {
        let with_older = used + needed(messages[older].len());
        assert!(with_older + 2 > area, "message {older} was evicted although it fit");
    }
    assert_eq!(walk::python_decode(path), walk::as_dump(&decoded));
    decoded
}

fn numbered(count: usize, len: impl Fn(usize) -> usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|n| {
            let mut message = format!("message {n} ").into_bytes();
            message.resize(len(n).max(message.len()), b'a' + (n % 26) as u8);
            message
        })
        .collect()
}

#[test]
fn a_few_messages() {
    let dir = tempfile::tempdir().unwrap();
    let messages = numbered(3, |n| 10 + n);
    let decoded = write_and_compare(&spec(&dir, 4096), &messages);
    assert_eq!(decoded.len(), 3);
}

#[test]
fn wrapped_ring_keeps_newest_messages() {
    let dir = tempfile::tempdir().unwrap();
    let messages = numbered(700, |n| 20 + n * 7 % 90);
    let decoded = write_and_compare(&spec(&dir, 4096), &messages);
    assert!(decoded.len() < 700, "the ring wrapped and evicted");

    let bytes = std::fs::read(dir.path().join("r1.bin")).unwrap();
    let head = u64::from_ne_bytes(bytes[128..136].try_into().unwrap());
    let tail = u64::from_ne_bytes(bytes[64..72].try_into().unwrap());
    assert!(head > 0 && tail > 0 && head != tail);
}

#[test]
fn two_and_three_byte_lengths() {
    let dir = tempfile::tempdir().unwrap();
    let lengths = [239, 240, 1023, 2287, 2288, 5000, 10];
    let messages: Vec<Vec<u8>> =
        lengths.iter().enumerate().map(|(n, &len)| vec![b'a' + n as u8; len]).collect();
    let decoded = write_and_compare(&spec(&dir, 32768), &messages);
    assert_eq!(decoded.len(), lengths.len());

    let wrapped = numbered(40, |n| [300, 2300, 700][n % 3]);
    write_and_compare(&spec(&dir, 8192), &wrapped);
}

#[test]
fn rfc5424_header_shape() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(&dir, 4096);
    spec.format = LogFormat::Rfc5424;
    let (ring, _) = open_backing_file(&spec).unwrap();
    let record = Record {
        facility: 16,
        severity: 6,
        time: UNIX_EPOCH + Duration::from_micros(1_796_397_369_100_418),
        host: "",
        tag: "haproxy-3.5-dev5",
        pid: Some(27103),
        message: b"GET /a 200",
    };
    ring.write(&record).unwrap();
    drop(ring);
    let path = dir.path().join("r1.bin");
    assert_eq!(
        walk::python_decode(&path),
        b"<134>1 2026-12-04T15:16:09.100418+00:00 - haproxy-3.5-dev5 27103 - - GET /a 200\n"
    );
}

#[test]
fn maxlen_cuts_messages() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(&dir, 4096);
    spec.maxlen = Some(8);
    let (ring, _) = open_backing_file(&spec).unwrap();
    ring.write_raw(b"0123456789").unwrap();
    drop(ring);
    assert_eq!(walk::python_decode(&dir.path().join("r1.bin")), b"01234567\n");
}

#[test]
fn drops_are_announced_with_a_trailing_nul() {
    let dir = tempfile::tempdir().unwrap();
    let (ring, _) = open_backing_file(&spec(&dir, 4096)).unwrap();
    let too_long = vec![b'x'; 5000];
    assert!(ring.write_raw(&too_long).is_err());
    assert_eq!(ring.dropped(), 1);
    ring.write_raw(b"after one").unwrap();
    assert_eq!(ring.dropped(), 0);
    drop(ring);
    assert_eq!(walk::python_decode(&dir.path().join("r1.bin")), b"1 event dropped\0\nafter one\n");
}

#[test]
fn a_failed_notice_adds_to_the_count() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(&dir, 4096);
    spec.format = LogFormat::Rfc5424;
    let (ring, _) = open_backing_file(&spec).unwrap();
    let mut record = Record::new(b"");
    record.time = UNIX_EPOCH;
    let long_tag = "t".repeat(5000);

    assert!(ring.write(&Record { message: &[b'x'; 5000], ..record }).is_err());
    assert!(ring.write(&Record { tag: &long_tag, ..record }).is_err(), "its notice does not fit");
    assert_eq!(ring.dropped(), 2);
    ring.write(&Record { message: b"next", ..record }).unwrap();
    drop(ring);
    assert_eq!(
        walk::python_decode(&dir.path().join("r1.bin")),
        b"<13>1 1970-01-01T00:00:00.000000+00:00 - - - - - 2 events dropped\0\n\
          <14>1 1970-01-01T00:00:00.000000+00:00 - - - - - next\n"
    );
}

#[test]
fn notice_takes_the_ring_format() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(&dir, 4096);
    spec.format = LogFormat::Short;
    let (ring, _) = open_backing_file(&spec).unwrap();
    assert!(ring.write(&Record::new(&[b'x'; 5000])).is_err());
    ring.write(&Record::new(b"next")).unwrap();
    drop(ring);
    assert_eq!(walk::python_decode(&dir.path().join("r1.bin")), b"<5>1 event dropped\0\n<6>next\n");
}
