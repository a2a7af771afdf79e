//! Throughput of `Ring` writers: 100-byte messages into a 1 MiB file-backed ring.
//!
//! Run with `cargo bench --bench write`. The ring lives in /dev/shm when it
//! exists, as HAProxy's rings usually do, so the figures measure the writer
//! and not the disk.

use std::hint::black_box;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant, UNIX_EPOCH};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ringcfg::apply::format::Record;
use ringcfg::apply::{Ring, RingSpec, open_backing_file};
use ringcfg::ring::LogFormat;
use ringcfg::store::writer::{self, Positions};

const MESSAGE: &[u8; 100] = b"GET /index.html HTTP/1.1 200 512 - - ---- 1/1/0/0/0 0/0 {example.com} {} 10.0.0.1:43210 fe be/srv123";

fn ring(dir: &tempfile::TempDir, format: LogFormat) -> Ring {
    let mut spec = RingSpec::new("bench", Some(dir.path().join("bench.bin")));
    spec.allocated_size = 1 << 20;
    spec.format = format;
    open_backing_file(&spec).expect("the bench ring opens").0
}

fn bench_dir() -> tempfile::TempDir {
    let shm = PathBuf::from("/dev/shm");
    if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }
        .expect("a temporary directory")
}

/// Times `writers` threads sharing `iters` writes of `MESSAGE`.
fn concurrent(ring: &Ring, writers: u64, iters: u64) -> Duration {
    let start = Instant::now();
    thread::scope(|scope| {
        for _ in 0..writers {
            scope.spawn(|| {
                for _ in 0..iters / writers {
                    let _ = black_box(ring.write_raw(black_box(MESSAGE)));
                }
            });
        }
    });
    start.elapsed()
}

fn writers(c: &mut Criterion) {
    let dir = bench_dir();
    let raw = ring(&dir, LogFormat::Raw);
    let mut group = c.benchmark_group("write_100_bytes");
    group.measurement_time(Duration::from_secs(3)).sample_size(10);
    group.throughput(Throughput::Elements(1));

    let mut area = vec![0u8; (1 << 20) - 192];
    let mut at = Positions::EMPTY;
    group.bench_function("protocol_only", |b| {
        b.iter(|| {
            let done = writer::append(&mut area, at, &[black_box(MESSAGE)], u32::MAX, |_| {});
            at = done.expect("fits").positions;
        })
    });
    group.bench_function("one_writer", |b| b.iter(|| raw.write_raw(black_box(MESSAGE))));
    group.bench_function("two_writers", |b| b.iter_custom(|iters| concurrent(&raw, 2, iters)));
    drop(raw);

    let rfc5424 = ring(&dir, LogFormat::Rfc5424);
    let record = Record {
        facility: 16,
        tag: "haproxy",
        pid: Some(1234),
        time: UNIX_EPOCH + Duration::from_secs(1_796_397_369),
        ..Record::new(MESSAGE)
    };
    group.bench_function("one_writer_rfc5424", |b| b.iter(|| rfc5424.write(black_box(&record))));
    group.finish();
}

criterion_group!(benches, writers);
criterion_main!(benches);
