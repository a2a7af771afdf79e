//! Dumping a 256 MiB ring: the `ringcfg dump` binary to /dev/null, and the
//! library walk it is built on.
//!
//! The ring is generated in the setup, in a temporary directory on
//! /dev/shm when it exists (HAProxy's backing files live on tmpfs), and
//! holds access-log lines of 40 to 230 bytes with its data wrapped around
//! the end of the area.

use std::fs::File;
use std::hint::black_box;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ringcfg::dump::RingFile;
use ringcfg::store::header::{
    V2A_HEAD_OFFSET, V2A_LEN, V2A_TAIL_OFFSET, init_empty_v2a, write_u64,
};
use ringcfg::store::varint::{MAX_LEN, encode};

const FILE_LEN: usize = 256 << 20;

/// Writes a full ring whose head is a third of the way into the area.
fn generate_ring(path: &Path) {
    let mut file = vec![0u8; FILE_LEN];
    init_empty_v2a(&mut file);
    let size = FILE_LEN - V2A_LEN;
    let head = size / 3;
    let mut data = vec![0u8];
    let mut length = [0u8; MAX_LEN];
    for i in 0.. {
        let line = format!("GET /req-{i}?user={} 200 {}", "x".repeat(20 + i % 180), i % 99_991);
        let length_len = encode(line.len() as u64, &mut length);
        // HAProxy keeps two spare bytes, so the data never fills the area.
        if data.len() + length_len + line.len() + 1 + 2 > size {
            break;
        }
        data.extend_from_slice(&length[..length_len]);
        data.extend_from_slice(line.as_bytes());
        data.push(0);
    }
    let first = data.len().min(size - head);
    file[V2A_LEN + head..V2A_LEN + head + first].copy_from_slice(&data[..first]);
    file[V2A_LEN..V2A_LEN + data.len() - first].copy_from_slice(&data[first..]);
    write_u64(&mut file, V2A_HEAD_OFFSET, head as u64);
    write_u64(&mut file, V2A_TAIL_OFFSET, ((head + data.len()) % size) as u64);
    std::fs::write(path, file).expect("writing the benchmark ring");
}

fn temp_dir() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() { tempfile::tempdir_in(shm) } else { tempfile::tempdir() }
        .expect("creating a temporary directory")
}

fn dump(c: &mut Criterion) {
    let dir = temp_dir();
    let ring: PathBuf = dir.path().join("ring.bin");
    generate_ring(&ring);

    let mut group = c.benchmark_group("dump");
    group.sample_size(10).measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Bytes(FILE_LEN as u64));

    group.bench_function("binary_256mib_to_dev_null", |b| {
        b.iter(|| {
            let status = Command::new(env!("CARGO_BIN_EXE_ringcfg"))
                .arg("dump")
                .arg(&ring)
                .stdout(Stdio::from(File::create("/dev/null").unwrap()))
                .status()
                .unwrap();
            assert!(status.success());
        });
    });

    group.bench_function("library_walk_256mib", |b| {
        b.iter(|| {
            let file = RingFile::open(&ring).unwrap();
            let geometry = file.geometry().unwrap();
            let mut out = BufWriter::with_capacity(1 << 17, io::sink());
            file.walk_messages(&geometry, |message| {
                out.write_all(message.payload)?;
                out.write_all(b"\n")
            })
            .unwrap();
            black_box(out.flush()).unwrap();
        });
    });
    group.finish();
}

criterion_group!(benches, dump);
criterion_main!(benches);
