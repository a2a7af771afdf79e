//! CPU time of one thread, for figures that hold up while other processes
//! share the cores. Included by the benchmarks that print such figures.

use std::time::Duration;

/// Returns the CPU time this thread has used, from Linux's
/// `/proc/thread-self/schedstat` (nanoseconds on the CPU), if available.
pub(crate) fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// The CPU time each of the three measures of [`report_cpu_speed`] lasts at
/// least. The counter only moves at scheduler ticks, so a single run of a
/// few milliseconds could read as zero.
const MIN_MEASURE: Duration = Duration::from_millis(200);

/// Prints the best of three measures of `run` in CPU time a run, and the
/// speed it gives on `input` bytes. Each measure repeats `run` until it
/// has lasted [`MIN_MEASURE`].
#[allow(clippy::print_stdout, reason = "a benchmark reports its figures")]
pub(crate) fn report_cpu_speed(label: &str, input: usize, mut run: impl FnMut()) {
    let mut best: Option<Duration> = None;
    for _ in 0..3 {
        let Some(start) = thread_cpu_time() else { return };
        let mut runs = 0;
        let spent = loop {
            run();
            runs += 1;
            let Some(now) = thread_cpu_time() else { return };
            if now - start >= MIN_MEASURE {
                break (now - start) / runs;
            }
        };
        best = Some(best.map_or(spent, |b| b.min(spent)));
    }
    if let Some(best) = best {
        let speed = input as f64 / (1 << 20) as f64 / best.as_secs_f64();
        println!("{label}: {:.4} s of CPU time a run, {speed:.0} MiB/s", best.as_secs_f64());
    }
}
