//! Throughput of `Ring` writers: 100-byte messages into a 1 MiB file-backed ring.
//!
//! Run with `cargo bench --bench write`. The ring lives in /dev/shm when it
//! exists, as HAProxy's rings usually do, so the figures measure the writer
//! and not the disk.

use std::hint::black_box;
use std::io::Write;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant, UNIX_EPOCH};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ringcfg::apply::format::Record;
use ringcfg::apply::{Ring, RingSpec, open_backing_file};
use ringcfg::ring::LogFormat;
use ringcfg::store::writer::{self, Positions};

#[path = "support/cpu.rs"]
#[allow(dead_code, reason = "this bench times its own threads and prints no speed")]
mod cpu;

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

/// CPU time this thread has run, zero where Linux's schedstat is missing.
fn thread_cpu() -> Duration {
    cpu::thread_cpu_time().unwrap_or_default()
}

/// Writes `count` messages from each of `writers` threads; returns the CPU time of all of them.
fn cpu_of_writes(ring: &Ring, writers: u64, count: u64) -> Duration {
    thread::scope(|scope| {
        let handles: Vec<_> = (0..writers)
            .map(|_| {
                scope.spawn(|| {
                    let start = thread_cpu();
                    for _ in 0..count {
                        let _ = black_box(ring.write_raw(black_box(MESSAGE)));
                    }
                    thread_cpu() - start
                })
            })
            .collect();
        handles.into_iter().map(|handle| handle.join().expect("writer thread")).sum()
    })
}

/// Prints CPU nanoseconds per message, best of three passes, before Criterion's wall times.
fn print_cpu_figures(ring: &Ring) {
    const COUNT: u64 = 5_000_000;
    for writers in [1, 2] {
        let best = (0..3).map(|_| cpu_of_writes(ring, writers, COUNT)).min().unwrap_or_default();
        let per_message = best.as_secs_f64() * 1e9 / (COUNT * writers) as f64;
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "{writers} writer(s): {per_message:.1} ns of CPU per message, {:.1} M messages per CPU-second",
            1e3 / per_message
        );
    }
}

fn writers(c: &mut Criterion) {
    let dir = bench_dir();
    let raw = ring(&dir, LogFormat::Raw);
    print_cpu_figures(&raw);
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
