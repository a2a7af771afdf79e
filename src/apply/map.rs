//! The shared mapping of a ring and its tail lock: every `unsafe` block of the crate.
//!
//! # Contract
//!
//! A [`Mapping`] stays valid only while nobody truncates the file under it:
//! a page past the new end raises `SIGBUS` on access. Nothing in this crate
//! shrinks a file it has mapped, and [`crate::apply`] takes an exclusive
//! `flock` on the backing file for the lifetime of the mapping so that two
//! cooperating processes never resize each other's ring; other programs
//! must leave a mapped backing file alone, as they must with HAProxy's.
//!
//! Inside the process, the header fields `tail` (offset 64) and `head`
//! (offset 128) are only accessed as atomics, and the area only through a
//! [`Locked`] guard, which holds HAProxy's tail lock (bit 63 of `tail`).
//! That lock makes the guard's `&mut [u8]` of the area exclusive among all
//! writers and readers that follow the protocol, in this process or another.

use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering, compiler_fence};

use memmap2::{MmapMut, MmapOptions};

use crate::store::header::{TAIL_LOCK, V2A_HEAD_OFFSET, V2A_LEN, V2A_TAIL_OFFSET};
use crate::store::writer::Positions;

/// A read-write shared mapping holding a threaded-layout ring.
#[derive(Debug)]
pub(crate) struct Mapping {
    map: MmapMut,
    ptr: *mut u8,
    len: usize,
}

// SAFETY: the raw pointer points into `map`, which is `Send + Sync`; all
// shared access through it goes through atomics or the tail lock.
unsafe impl Send for Mapping {}
// SAFETY: as above: `&Mapping` only hands out atomics and lock guards.
unsafe impl Sync for Mapping {}

impl Mapping {
    /// Maps the first `len` bytes of `file`, which is at least that long.
    pub(crate) fn file(file: &File, len: usize) -> io::Result<Mapping> {
        // SAFETY: the module contract: the file is locked with flock and this
        // crate never shrinks a mapped file, so the pages stay backed.
        let map = unsafe { MmapOptions::new().len(len).map_mut(file)? };
        Ok(Mapping::new(map))
    }

    /// Maps `len` bytes of anonymous zeroed memory.
    pub(crate) fn anonymous(len: usize) -> io::Result<Mapping> {
        Ok(Mapping::new(MmapMut::map_anon(len)?))
    }

    fn new(mut map: MmapMut) -> Mapping {
        let len = map.len();
        assert!(len > V2A_LEN, "a ring mapping holds a header and an area");
        let ptr = map.as_mut_ptr();
        Mapping { map, ptr, len }
    }

    /// The whole mapping, for initialisation before the ring is shared.
    pub(crate) fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.map
    }

    /// Size of the area after the header.
    #[inline]
    pub(crate) fn area_len(&self) -> usize {
        self.len - V2A_LEN
    }

    #[inline]
    fn word(&self, offset: usize) -> &AtomicU64 {
        debug_assert!(offset % 8 == 0 && offset + 8 <= V2A_LEN);
        // SAFETY: the mapping is page-aligned and longer than the header, so
        // `offset` (a multiple of 8 within it) is an aligned, live u64; the
        // module contract makes every in-process access to it atomic.
        unsafe { &*self.ptr.add(offset).cast::<AtomicU64>() }
    }

    /// Reads the head.
    #[inline]
    pub(crate) fn head(&self) -> u64 {
        self.word(V2A_HEAD_OFFSET).load(Ordering::Acquire)
    }

    /// Takes the tail lock, spinning and then yielding while another holder has it.
    #[inline]
    pub(crate) fn lock(&self) -> Locked<'_> {
        match self.try_lock() {
            Some(locked) => locked,
            None => self.lock_contended(),
        }
    }

    /// Takes the tail lock if it is free, with one compare-and-swap.
    #[inline]
    fn try_lock(&self) -> Option<Locked<'_>> {
        let tail = self.word(V2A_TAIL_OFFSET);
        let current = tail.load(Ordering::Relaxed);
        let free = current & TAIL_LOCK == 0;
        let acquired = free
            && tail
                .compare_exchange_weak(
                    current,
                    current | TAIL_LOCK,
                    Ordering::Acquire,
                    Ordering::Relaxed,
                )
                .is_ok();
        // Not `then_some`: it would build a guard even when the lock was not
        // acquired, and dropping that guard would store a stale tail.
        if acquired { Some(Locked { mapping: self, tail: current }) } else { None }
    }

    /// Waits for the tail lock, kept out of line so that the free case stays short.
    #[cold]
    #[inline(never)]
    fn lock_contended(&self) -> Locked<'_> {
        let mut spins = 0u32;
        loop {
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
            if let Some(locked) = self.try_lock() {
                return locked;
            }
        }
    }

    /// Writes dirty pages of a file mapping back to the file (`msync`).
    pub(crate) fn flush(&self) -> io::Result<()> {
        self.map.flush()
    }
}

/// The tail lock, held: exclusive access to the area and the positions.
///
/// Dropping the guard stores the tail it holds, which releases the lock.
#[derive(Debug)]
pub(crate) struct Locked<'a> {
    mapping: &'a Mapping,
    tail: u64,
}

impl<'a> Locked<'a> {
    /// Head and tail as they are under the lock.
    #[inline]
    pub(crate) fn positions(&self) -> Positions {
        Positions { head: self.mapping.head() as usize, tail: self.tail as usize }
    }

    /// The area, exclusively for as long as the guard is borrowed.
    #[inline]
    pub(crate) fn area(&mut self) -> &mut [u8] {
        // SAFETY: the area starts after the header and ends at the end of the
        // mapping; holding the tail lock (and `&mut self`) makes this the
        // only reference to it, per the module contract.
        unsafe {
            std::slice::from_raw_parts_mut(self.mapping.ptr.add(V2A_LEN), self.mapping.area_len())
        }
    }

    /// The area and a function that stores a new head, to use together.
    ///
    /// The head must be stored before the bytes it frees are overwritten, so
    /// that a process killed in between leaves no torn message between head
    /// and tail; the writer calls the function in the middle of its work on
    /// the area.
    #[inline]
    pub(crate) fn area_and_head(&mut self) -> (&mut [u8], impl Fn(usize) + use<'a>) {
        let head = self.mapping.word(V2A_HEAD_OFFSET);
        let store_head = move |value: usize| {
            head.store(value as u64, Ordering::Release);
            // A kill can land between any two instructions, like a signal
            // handler: keep the compiler from moving the area stores that
            // follow above this store.
            compiler_fence(Ordering::SeqCst);
        };
        (self.area(), store_head)
    }

    /// Sets the tail that dropping the guard publishes.
    #[inline]
    pub(crate) fn set_tail(&mut self, tail: usize) {
        self.tail = tail as u64;
    }
}

impl Drop for Locked<'_> {
    #[inline]
    fn drop(&mut self) {
        self.mapping.word(V2A_TAIL_OFFSET).store(self.tail, Ordering::Release);
    }
}
