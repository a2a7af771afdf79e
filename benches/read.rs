//! Reading speed and peak memory of the configuration reader on a generated
//! 50 MB configuration.
//!
//! Run with `cargo bench --bench read`. Before the timed runs it reads the
//! file through `read()`, through the streaming `Reader` as an iterator
//! (each line copied out) and through `Reader::next_ref` (each line lent),
//! and prints the peak heap use and the CPU time of each.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group};

#[path = "support/cpu.rs"]
mod cpu;
use cpu::report_cpu_speed;
use ringcfg::SourceFile;
use ringcfg::lex::Env;
use ringcfg::syntax::{ReadOptions, Reader, read};

/// Reads `source` through `Reader::next_ref` and returns the number of words.
fn lend_all(source: &SourceFile, options: &ReadOptions) -> usize {
    let mut reader = Reader::new(0, source, options);
    let mut words = 0;
    while let Some(event) = reader.next_ref() {
        words += event.line().words.len();
    }
    words
}

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

/// Bytes allocated minus bytes freed since counting started; it can go
/// below zero when a block from before is freed.
static IN_USE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);
/// Counting is on only while memory is measured, so timings are not slowed.
static COUNTING: AtomicBool = AtomicBool::new(false);

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counters are only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && COUNTING.load(Ordering::Relaxed) {
            let size = layout.size() as isize;
            let now = IN_USE.fetch_add(size, Ordering::Relaxed) + size;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        if COUNTING.load(Ordering::Relaxed) {
            IN_USE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() && COUNTING.load(Ordering::Relaxed) {
            let change = new_size as isize - layout.size() as isize;
            let now = IN_USE.fetch_add(change, Ordering::Relaxed) + change;
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const TARGET_SIZE: usize = 50 << 20;

/// Builds a configuration of about 50 MB: one global section, then
/// frontends, backends with servers, rings, comments, quotes and variables.
fn generate() -> Vec<u8> {
    let mut out = String::with_capacity(TARGET_SIZE + 4096);
    out.push_str("global\n    log ring@logs local0\n    maxconn 50000\n\n");
    out.push_str("defaults\n    mode http\n    timeout client 30s\n    timeout server 30s\n\n");
    let mut n = 0;
    while out.len() < TARGET_SIZE {
        n += 1;
        out.push_str(&format!(
            "# application {n}\n\
             frontend fe{n}\n    bind :{port} # public port\n    \
             http-request set-header X-App \"app {n}\" if {{ path_beg /api }}\n    \
             default_backend be{n}\n\n\
             backend be{n}\n    balance roundrobin\n    \
             option httpchk GET /health\n",
            port = 1024 + n % 60000
        ));
        for s in 0..8 {
            out.push_str(&format!(
                "    server s{s} 10.{}.{}.{s}:8080 check inter 2s rise 2 fall 3 weight 10\n",
                n % 250,
                s * 7
            ));
        }
        out.push_str(&format!(
            "\nring logs{n}\n    description \"logs of ${{HOSTNAME-app}} {n}\"\n    \
             format rfc5424\n    maxlen 1200\n    size 32764\n    \
             backing-file /dev/shm/ring{n}.bin\n\n"
        ));
    }
    out.into_bytes()
}

fn options() -> ReadOptions {
    let mut env = Env::empty();
    env.set("HOSTNAME", "bench");
    ReadOptions { env, ..ReadOptions::default() }
}

/// Prints the peak heap use of one run of `run`, as a multiple of the input.
#[allow(clippy::print_stdout, reason = "a benchmark reports its figures")]
fn report_peak(label: &str, input: usize, run: impl FnOnce() -> usize) {
    // Blocks freed while counting was off would make the count wrong, so
    // only what is allocated and freed during `run` is counted.
    IN_USE.store(0, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let items = black_box(run());
    COUNTING.store(false, Ordering::Relaxed);
    let extra = PEAK.load(Ordering::Relaxed).max(0) as usize;
    println!(
        "{label}: peak heap {:.1} MiB above the {:.1} MiB input ({:.2}x the input; {:.2}x counting it), {items} items",
        extra as f64 / (1 << 20) as f64,
        input as f64 / (1 << 20) as f64,
        extra as f64 / input as f64,
        (extra + input) as f64 / input as f64,
    );
}

fn measure_memory(source: &SourceFile, options: &ReadOptions) {
    let input = source.bytes().len();
    report_peak("read()", input, || {
        let parsed = read(0, source, options);
        parsed.sections.iter().map(|s| s.lines.len() + 1).sum()
    });
    report_peak("Reader (streaming)", input, || Reader::new(0, source, options).count());
    report_peak("Reader::next_ref (lent lines)", input, || lend_all(source, options));
}

fn bench_read(c: &mut Criterion) {
    let source = SourceFile::new("bench.cfg", generate());
    let options = options();
    measure_memory(&source, &options);
    let input = source.bytes().len();
    report_cpu_speed("read() CPU", input, || drop(black_box(read(0, &source, &options))));
    report_cpu_speed("Reader CPU", input, || {
        black_box(Reader::new(0, &source, &options).count());
    });
    report_cpu_speed("Reader::next_ref CPU", input, || {
        black_box(lend_all(&source, &options));
    });

    let mut group = c.benchmark_group("read");
    group.sample_size(10).measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Bytes(source.bytes().len() as u64));
    group.bench_function("read_50MB", |b| b.iter(|| read(0, black_box(&source), &options)));
    group.bench_function("stream_50MB", |b| {
        b.iter(|| Reader::new(0, black_box(&source), &options).count())
    });
    group.bench_function("lend_50MB", |b| b.iter(|| lend_all(black_box(&source), &options)));
    group.finish();
}

criterion_group!(benches, bench_read);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
