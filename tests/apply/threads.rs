//! Several threads writing one ring, and cursors reading it.

use std::thread;

use ringcfg::apply::{Ring, RingSpec, open_backing_file};

use crate::walk;

const _: () = {
    const fn send_and_sync<T: Send + Sync>() {}
    send_and_sync::<Ring>();
};

#[test]
fn concurrent_writers_lose_nothing_and_keep_order() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r1.bin");
    let mut spec = RingSpec::new("r1", Some(path.clone()));
    spec.allocated_size = 1 << 20;
    let (ring, _) = open_backing_file(&spec).unwrap();

    thread::scope(|scope| {
        for writer in 0..4 {
            let ring = &ring;
            scope.spawn(move || {
                for n in 0..5000 {
                    ring.write_raw(format!("w{writer} {n:05}").as_bytes()).unwrap();
                }
            });
        }
    });
    drop(ring);

    let messages = walk::messages(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(messages.len(), 20_000);
    for writer in 0..4 {
        let prefix = format!("w{writer} ");
        let own: Vec<&Vec<u8>> =
            messages.iter().filter(|m| m.starts_with(prefix.as_bytes())).collect();
        let expected: Vec<Vec<u8>> =
            (0..5000).map(|n| format!("w{writer} {n:05}").into_bytes()).collect();
        assert!(own.iter().copied().eq(expected.iter()), "writer {writer} out of order");
    }
    assert_eq!(walk::python_decode(&path), walk::as_dump(&messages));
}

#[test]
fn cursor_reads_new_messages_only() {
    let (ring, _) = open_backing_file(&RingSpec::new("r1", None)).unwrap();
    ring.write_raw(b"before").unwrap();
    let mut cursor = ring.cursor();
    assert_eq!(cursor.next(), None);
    ring.write_raw(b"one").unwrap();
    ring.write_raw(b"two").unwrap();
    assert_eq!(cursor.next().as_deref(), Some(&b"one"[..]));
    assert_eq!(cursor.next().as_deref(), Some(&b"two"[..]));
    assert_eq!(cursor.next(), None);
    assert_eq!(cursor.skipped(), 0);
}

#[test]
fn cursor_skips_evicted_messages() {
    let mut spec = RingSpec::new("r1", None);
    spec.allocated_size = 192 + 200;
    let (ring, _) = open_backing_file(&spec).unwrap();
    let mut cursor = ring.cursor();
    for n in 0..100 {
        ring.write_raw(format!("message {n:03}").as_bytes()).unwrap();
    }
    let first = cursor.next().unwrap();
    let first_n: u64 = String::from_utf8(first[8..].to_vec()).unwrap().parse().unwrap();
    assert!(first_n > 0);
    assert_eq!(cursor.skipped(), first_n);
    let mut last = first_n;
    while let Some(message) = cursor.next() {
        last += 1;
        assert_eq!(message, format!("message {last:03}").into_bytes());
    }
    assert_eq!(last, 99);
}

#[test]
fn cursor_follows_a_writer_thread() {
    let (ring, _) = open_backing_file(&RingSpec::new("r1", None)).unwrap();
    let mut cursor = ring.cursor();
    thread::scope(|scope| {
        scope.spawn(|| {
            for n in 0..2000 {
                ring.write_raw(format!("{n}").as_bytes()).unwrap();
            }
        });
        let mut seen = 0u64;
        while seen + cursor.skipped() < 2000 {
            if let Some(message) = cursor.next() {
                let n: u64 = String::from_utf8(message).unwrap().parse().unwrap();
                assert_eq!(n, seen + cursor.skipped(), "messages arrive in order");
                seen += 1;
            }
        }
    });
}
