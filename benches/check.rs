//! Throughput of `ringcfg::check` on a generated configuration of 100,000
//! rings and as many references to them.
//!
//! Run with `cargo bench --bench check`. The generated text is also written
//! to `target/bench-check-500k.cfg` (about 500 KB) for timing the command
//! itself with hyperfine; docs/benchmarks.md has the commands.

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "support/cpu.rs"]
mod cpu;
use ringcfg::{CheckOptions, SourceFile};

/// Returns a configuration with `rings` ring sections, a `log ring@` line for
/// each in a `global` section, and a `traces` section naming some of them.
fn generate(rings: usize) -> String {
    let mut text = String::with_capacity(rings * 160);
    text.push_str("global\n");
    for index in 0..rings {
        let _ = writeln!(text, "    log ring@ring-{index} len 1024 local{}", index % 8);
    }
    text.push_str("\ntraces\n");
    for index in (0..rings).step_by(100) {
        let _ = writeln!(text, "    trace h1 sink ring-{index} level developer");
    }
    for index in 0..rings {
        let _ = write!(
            text,
            "\nring ring-{index}\n    description \"ring number {index}\"\n    format rfc5424\n    \
             maxlen 1024\n    size 64k\n    timeout connect 5s\n    server s{index} 192.0.2.{}:6514\n",
            index % 250 + 1
        );
    }
    text
}

fn bench_check(c: &mut Criterion) {
    let text = generate(100_000);
    let sources = [SourceFile::new("generated.cfg", text.clone().into_bytes())];
    let options = CheckOptions::default();

    let report = ringcfg::check(&sources, &options);
    assert_eq!(report.rings.len(), 100_000, "every generated ring is typed");
    assert_eq!(report.error_count(), 0, "the generated configuration is valid");

    cpu::report_cpu_speed("check() of 100,000 rings, CPU", text.len(), || {
        black_box(ringcfg::check(&sources, &options));
    });

    let small = generate(2_900);
    let target =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-check-500k.cfg");
    std::fs::write(&target, &small).expect("target folder is writable");
    let small_sources = [SourceFile::new("generated.cfg", small.clone().into_bytes())];
    cpu::report_cpu_speed("check() of the 500 KB file, CPU", small.len(), || {
        black_box(ringcfg::check(&small_sources, &options));
    });

    let mut group = c.benchmark_group("check");
    group.sample_size(10).measurement_time(Duration::from_secs(5));
    group.throughput(Throughput::Bytes(text.len() as u64));
    group
        .bench_function("100k_rings", |b| b.iter(|| ringcfg::check(black_box(&sources), &options)));
    group.finish();
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
