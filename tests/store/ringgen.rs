//! A small ring writer for tests, following HAProxy 3.x's byte layout.
//!
//! It appends the way HAProxy's `ring_write` does: delete the oldest
//! messages until the new one fits with two spare bytes, write the new
//! reader-count byte and the tail, then the varint and payload.

use std::path::Path;

use ringcfg::store::header::{
    V2A_HEAD_OFFSET, V2A_LEN, V2A_TAIL_OFFSET, init_empty_v2a, read_u64, write_u64,
};
use ringcfg::store::varint::{self, Decoded, MAX_LEN};

/// A ring file held in memory, in the threaded 3.x layout.
pub(crate) struct TestRing {
    pub(crate) file: Vec<u8>,
}

impl TestRing {
    /// Returns an empty ring in a file of `file_len` bytes.
    pub(crate) fn new(file_len: usize) -> Self {
        let mut file = vec![0u8; file_len];
        init_empty_v2a(&mut file);
        Self { file }
    }

    pub(crate) fn size(&self) -> u64 {
        (self.file.len() - V2A_LEN) as u64
    }

    pub(crate) fn head(&self) -> u64 {
        read_u64(&self.file, V2A_HEAD_OFFSET).unwrap()
    }

    pub(crate) fn tail(&self) -> u64 {
        read_u64(&self.file, V2A_TAIL_OFFSET).unwrap()
    }

    fn data(&self) -> u64 {
        let (head, tail) = (self.head(), self.tail());
        if head <= tail { tail - head } else { self.size() - head + tail }
    }

    fn area_mut(&mut self, offset: u64) -> &mut u8 {
        let index = V2A_LEN + (offset % self.size()) as usize;
        &mut self.file[index]
    }

    fn area(&self, offset: u64) -> u8 {
        self.file[V2A_LEN + (offset % self.size()) as usize]
    }

    /// Appends one message; returns false when it can never fit.
    pub(crate) fn push(&mut self, payload: &[u8]) -> bool {
        let mut length = [0u8; MAX_LEN];
        let length_len = varint::encode(payload.len() as u64, &mut length);
        let needed = (length_len + payload.len() + 1) as u64;
        if needed + 1 > self.size() {
            return false;
        }
        while self.data() + needed + 2 > self.size() {
            self.delete_oldest();
        }
        let tail = self.tail();
        let new_tail = (tail + needed) % self.size();
        *self.area_mut(new_tail + self.size() - 1) = 0;
        write_u64(&mut self.file, V2A_TAIL_OFFSET, new_tail);
        let bytes = length[..length_len].iter().chain(payload);
        for (i, &byte) in bytes.enumerate() {
            *self.area_mut(tail + i as u64) = byte;
        }
        true
    }

    /// Appends a message as a writer that crashed after storing the tail
    /// but before copying the payload: the old reader-count byte stays 255.
    pub(crate) fn push_torn(&mut self, payload: &[u8]) {
        let before = self.tail();
        assert!(self.push(payload));
        *self.area_mut(before + self.size() - 1) = 255;
    }

    fn delete_oldest(&mut self) {
        let head = self.head();
        let start = head + 1;
        let Decoded::Value(len, used) = varint::decode_with(|i| Some(self.area(start + i as u64)))
        else {
            panic!("the test ring holds a bad varint at {head}");
        };
        let new_head = (start + used as u64 + len) % self.size();
        write_u64(&mut self.file, V2A_HEAD_OFFSET, new_head);
    }

    pub(crate) fn write_to(&self, path: &Path) {
        std::fs::write(path, &self.file).unwrap();
    }
}

/// A deterministic xorshift generator, so failures replay exactly.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Returns a number in `0..bound` (`bound` > 0).
    pub(crate) fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// Returns a printable payload of `len` bytes.
    pub(crate) fn text(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| b' ' + self.below(95) as u8).collect()
    }
}
