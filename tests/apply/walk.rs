//! A strict, minimal decoder of threaded-layout ring files for the tests.
//!
//! It is written apart from the crate's reader on purpose: any malformed
//! byte between head and tail is an error here, never a shorter list.

use std::path::Path;
use std::process::Command;

const HEADER: usize = 192;
const TAIL_LOCK: u64 = 1 << 63;

fn word(bytes: &[u8], offset: usize) -> u64 {
    u64::from_ne_bytes(bytes[offset..offset + 8].try_into().unwrap())
}

/// Returns every message of `file`, or what is wrong with it.
pub(crate) fn messages(file: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if file.len() <= HEADER {
        return Err(format!("file of {} bytes has no area", file.len()));
    }
    let size = word(file, 0) as usize;
    if word(file, 8) != HEADER as u64 || size != file.len() - HEADER {
        return Err(format!("header: size {size}, rsvd {}", word(file, 8)));
    }
    let head = word(file, 128) as usize;
    let tail = (word(file, 64) & !TAIL_LOCK) as usize;
    if head >= size || tail >= size || head == tail {
        return Err(format!("positions: head {head}, tail {tail}, size {size}"));
    }
    let area = &file[HEADER..];
    let at = |offset: usize| area[(head + offset) % size];
    let data = if head < tail { tail - head } else { size - head + tail };

    let mut out = Vec::new();
    let mut pos = 0;
    while pos + 1 < data {
        let (len, varint_len) = varint(|i| (pos + 1 + i < data).then(|| at(pos + 1 + i)))
            .ok_or_else(|| format!("bad varint at {pos}"))?;
        let start = pos + 1 + varint_len;
        if start + len + 1 > data {
            return Err(format!("message at {pos} of {len} bytes runs past the tail"));
        }
        out.push((start..start + len).map(at).collect());
        pos = start + len;
    }
    if pos + 1 != data {
        return Err(format!("walk ended at {pos}, data is {data}"));
    }
    Ok(out)
}

fn varint(byte: impl Fn(usize) -> Option<u8>) -> Option<(usize, usize)> {
    let first = byte(0)?;
    if first < 240 {
        return Some((first as usize, 1));
    }
    let mut value = first as usize;
    let mut shift = 4;
    for index in 1..10 {
        let next = byte(index)?;
        value += (next as usize) << shift;
        shift += 7;
        if next < 128 {
            return Some((value, index + 1));
        }
    }
    None
}

/// Decodes `path` with the independent Python decoder, one message per line.
pub(crate) fn python_decode(path: &Path) -> Vec<u8> {
    let tool = crate::support::shared_dir().join("tools/ring_decode.py");
    let output = Command::new("python3").arg(tool).arg(path).output().expect("python3 runs");
    assert!(output.status.success(), "ring_decode.py failed: {output:?}");
    output.stdout
}

/// What `haring` and `ring_decode.py` print for `messages`.
pub(crate) fn as_dump(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for message in messages {
        out.extend_from_slice(message);
        out.push(b'\n');
    }
    out
}
