//! The [`Ring`] handle that host programs write messages to, and [`Cursor`]s that read them.

use std::cell::RefCell;
use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

use thiserror::Error;

use super::format::{self, Record, SEVERITY_NOTICE};
use super::map::{Locked, Mapping};
use crate::ring::LogFormat;
use crate::store::writer::{self, Positions, Refusal};

/// A mapped ring that several threads may write to at once.
///
/// Writes follow HAProxy's protocol, so the backing file is valid for
/// `haring` at every instant: a process killed at any point leaves whole
/// messages only, ending with the last write that returned. Messages longer
/// than the ring's `maxlen` are cut; when the ring is full the oldest
/// messages are evicted, except one with readers parked on it, in which case
/// the new message is dropped. Drops are counted and announced by a notice
/// (`"1 event dropped"`, `"N events dropped"`) before the next message that
/// fits, as HAProxy does.
///
/// Dropping the handle writes the mapping back to the file and unmaps it.
///
/// ```
/// use ringcfg::apply::{open_backing_file, RingSpec};
///
/// let (ring, _) = open_backing_file(&RingSpec::new("r1", None))?;
/// let mut cursor = ring.cursor();
/// ring.write_raw(b"first")?;
/// assert_eq!(cursor.next().as_deref(), Some(&b"first"[..]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Ring {
    name: String,
    format: LogFormat,
    maxlen: u32,
    mapping: Mapping,
    /// Keeps the `flock` on the backing file for as long as it is mapped.
    file: Option<File>,
    /// Messages dropped and not yet announced.
    dropped: AtomicU64,
    /// Sequence numbers of the messages between head and tail, for cursors.
    seq: Sequences,
}

/// Sequence numbers that every write changes, under the tail lock.
///
/// They get a cache line of their own. With writers on several cores, a
/// line that every write stores to moves between the cores, and the fields
/// that writers only read (`maxlen`, the mapping, `dropped`) would move
/// with it.
#[derive(Debug)]
#[repr(align(64))]
struct Sequences {
    /// Sequence number of the message at the head.
    first: AtomicU64,
    /// Sequence number the next message gets.
    next: AtomicU64,
}

thread_local! {
    /// The buffer that [`Ring::write`] formats headers into, reused to save
    /// an allocation per message.
    static HEADER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Capacity above which the header buffer is freed after use rather than kept.
///
/// Headers are under 100 bytes unless a record carries a long host or tag.
const MAX_KEPT_HEADER: usize = 1024;

/// Why a message is not in the ring. It counts as dropped and will be announced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("message dropped: {reason}")]
pub struct WriteError {
    /// What stopped the write.
    pub reason: Refusal,
}

impl Ring {
    pub(super) fn new(
        name: String,
        format: LogFormat,
        maxlen: u32,
        mapping: Mapping,
        file: Option<File>,
        messages: u64,
    ) -> Ring {
        Ring {
            name,
            format,
            maxlen,
            mapping,
            file,
            dropped: AtomicU64::new(0),
            seq: Sequences { first: AtomicU64::new(0), next: AtomicU64::new(messages) },
        }
    }

    /// The ring name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The header format of [`Ring::write`].
    pub fn format(&self) -> LogFormat {
        self.format
    }

    /// The longest message stored; longer ones are cut.
    pub fn maxlen(&self) -> u32 {
        self.maxlen
    }

    /// Bytes of the circular area.
    pub fn area_len(&self) -> usize {
        self.mapping.area_len()
    }

    /// Messages dropped since the last notice was written.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Writes `record` with the header of the ring's format.
    ///
    /// # Errors
    ///
    /// [`WriteError`] when the message was dropped.
    pub fn write(&self, record: &Record<'_>) -> Result<(), WriteError> {
        let reused = HEADER.try_with(|buffer| {
            let mut header = buffer.try_borrow_mut().ok()?;
            let result = self.write_with_header(record, &mut header);
            if header.capacity() > MAX_KEPT_HEADER {
                *header = Vec::new();
            }
            Some(result)
        });
        match reused {
            Ok(Some(result)) => result,
            // The thread is exiting (a write from a thread-local destructor)
            // or the buffer is in use, so format into a buffer of this call.
            Ok(None) | Err(_) => self.write_with_header(record, &mut Vec::new()),
        }
    }

    /// Formats the header of `record` into `header`, then writes both.
    fn write_with_header(
        &self,
        record: &Record<'_>,
        header: &mut Vec<u8>,
    ) -> Result<(), WriteError> {
        header.clear();
        format::header(self.format, record, header);
        let notice_record = Record { severity: SEVERITY_NOTICE, message: b"", ..*record };
        self.write_parts(&[header, record.message], |out| {
            format::header(self.format, &notice_record, out)
        })
    }

    /// Writes `payload` as it is, with no header.
    ///
    /// # Errors
    ///
    /// [`WriteError`] when the message was dropped.
    pub fn write_raw(&self, payload: &[u8]) -> Result<(), WriteError> {
        self.write_parts(&[payload], |_| {})
    }

    /// Writes the message, preceded by the drop notice if messages were dropped.
    ///
    /// The usual case, nothing dropped, takes the tail lock once and does
    /// not allocate. Another thread may drop a message between the check of
    /// the drop count and the lock, and then the notice comes before the
    /// next message instead.
    #[inline]
    fn write_parts(
        &self,
        parts: &[&[u8]],
        notice_header: impl FnOnce(&mut Vec<u8>),
    ) -> Result<(), WriteError> {
        if self.dropped.load(Ordering::Relaxed) > 0 {
            return self.write_after_drops(parts, notice_header);
        }
        let mut locked = self.mapping.lock();
        self.append(&mut locked, parts)
    }

    /// Writes a drop notice, then the message, under one hold of the lock.
    #[cold]
    #[inline(never)]
    fn write_after_drops(
        &self,
        parts: &[&[u8]],
        notice_header: impl FnOnce(&mut Vec<u8>),
    ) -> Result<(), WriteError> {
        let mut header = Vec::new();
        notice_header(&mut header);

        let mut locked = self.mapping.lock();
        let count = self.dropped.load(Ordering::Relaxed);
        if count > 0 {
            let text = writer::dropped_notice(count);
            // If the ring rejects the notice, the message is dropped without
            // being tried. The one drop that `append` counted stands for it.
            self.append(&mut locked, &[&header, &text])?;
            self.dropped.fetch_sub(count, Ordering::Relaxed);
        }
        self.append(&mut locked, parts)
    }

    /// Appends one message under the lock; a refusal counts as a drop.
    #[inline]
    fn append(&self, locked: &mut Locked<'_>, parts: &[&[u8]]) -> Result<(), WriteError> {
        let at = locked.positions();
        let mut new_head = None;
        let (area, store_head) = locked.area_and_head();
        let result = writer::append(area, at, parts, self.maxlen, |head| {
            store_head(head);
            new_head = Some(head);
        });
        match result {
            Ok(done) => {
                bump(&self.seq.first, done.evicted);
                bump(&self.seq.next, 1);
                locked.set_tail(done.positions.tail);
                Ok(())
            }
            Err(reason) => Err(self.count_drop(locked, at, new_head, reason)),
        }
    }

    /// Counts a rejected message as dropped, and the messages evicted before the rejection.
    #[cold]
    #[inline(never)]
    fn count_drop(
        &self,
        locked: &mut Locked<'_>,
        old: Positions,
        new_head: Option<usize>,
        reason: Refusal,
    ) -> WriteError {
        let evicted = self.count_evicted(locked, old, new_head);
        bump(&self.seq.first, evicted);
        self.dropped.fetch_add(1, Ordering::Relaxed);
        WriteError { reason }
    }

    /// Counts the messages between the old head and `new_head`, after a refusal.
    fn count_evicted(
        &self,
        locked: &mut Locked<'_>,
        old: Positions,
        new_head: Option<usize>,
    ) -> u64 {
        let Some(head) = new_head else {
            return 0;
        };
        let all = writer::count_messages(locked.area(), old).unwrap_or(0);
        let kept =
            writer::count_messages(locked.area(), Positions { head, tail: old.tail }).unwrap_or(0);
        all - kept
    }

    /// Writes the mapping back to the backing file (`msync`) and waits for it.
    ///
    /// Not needed for a crash of the process, since the kernel keeps the
    /// pages; it protects against a crash of the host.
    ///
    /// # Errors
    ///
    /// The error of `msync`.
    pub fn flush(&self) -> io::Result<()> {
        if self.file.is_some() { self.mapping.flush() } else { Ok(()) }
    }

    /// A cursor that reads the messages written from now on.
    pub fn cursor(&self) -> Cursor<'_> {
        let locked = self.mapping.lock();
        let at = locked.positions();
        let seq = self.seq.next.load(Ordering::Relaxed);
        drop(locked);
        let rc_at = (at.tail + self.area_len() - 1) % self.area_len();
        Cursor { ring: self, seq, rc_at, skipped: 0 }
    }
}

/// Adds `by` to a counter that only the holder of the tail lock changes.
///
/// The lock orders the changes, so a load and a store do, without the cost
/// of an atomic read-modify-write on every message.
fn bump(counter: &AtomicU64, by: u64) {
    counter.store(counter.load(Ordering::Relaxed) + by, Ordering::Relaxed);
}

impl Drop for Ring {
    fn drop(&mut self) {
        if let Err(error) = self.flush() {
            log::debug!("ring '{}': msync failed on drop: {error}", self.name);
        }
    }
}

/// Reads a ring's messages in order, from where it was created.
///
/// A cursor does not hold messages in place: when writers evict messages it
/// has not read yet, it skips to the oldest message left and counts the ones
/// it missed in [`Cursor::skipped`].
#[derive(Debug)]
pub struct Cursor<'a> {
    ring: &'a Ring,
    /// Sequence number of the next message to read.
    seq: u64,
    /// Offset of the RC byte before that message.
    rc_at: usize,
    skipped: u64,
}

impl Cursor<'_> {
    /// Returns the next message, or `None` when the cursor is at the tail.
    #[allow(clippy::should_implement_trait, reason = "the ring can grow after None")]
    pub fn next(&mut self) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        self.read_into(&mut out).then_some(out)
    }

    /// Appends the next message to `out`; returns `false` at the tail.
    pub fn read_into(&mut self, out: &mut Vec<u8>) -> bool {
        let ring = self.ring;
        let mut locked = ring.mapping.lock();
        let at = locked.positions();
        let first = ring.seq.first.load(Ordering::Relaxed);
        if self.seq < first {
            self.skipped += first - self.seq;
            self.seq = first;
            self.rc_at = at.head;
        }
        if self.seq >= ring.seq.next.load(Ordering::Relaxed) {
            return false;
        }

        let size = locked.area().len();
        let data = Positions { head: self.rc_at, tail: at.tail }.data_len(size);
        match writer::read_message(locked.area(), self.rc_at, data, out) {
            Some(next) => {
                self.rc_at = next;
                self.seq += 1;
                true
            }
            None => false,
        }
    }

    /// Messages evicted before this cursor could read them.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::apply::{RingSpec, open_backing_file};

    /// Writes to the ring when its thread exits.
    struct WriteOnExit(Arc<Ring>);

    impl Drop for WriteOnExit {
        fn drop(&mut self) {
            let record = Record { tag: "exit", ..Record::new(b"thread done") };
            self.0.write(&record).expect("the write on exit fits");
        }
    }

    thread_local! {
        static ON_EXIT: RefCell<Option<WriteOnExit>> = const { RefCell::new(None) };
    }

    #[test]
    fn write_from_thread_local_destructor() {
        let mut spec = RingSpec::new("r1", None);
        spec.format = LogFormat::Local;
        let ring = Arc::new(open_backing_file(&spec).unwrap().0);
        let mut cursor = ring.cursor();

        let for_thread = Arc::clone(&ring);
        std::thread::spawn(move || {
            // Thread-local destructors run in the reverse order of first
            // use on Linux, so the header buffer, used last, is gone by the
            // time the write on exit runs.
            let writer = Arc::clone(&for_thread);
            ON_EXIT.with(|slot| *slot.borrow_mut() = Some(WriteOnExit(writer)));
            for_thread.write(&Record::new(b"first")).unwrap();
        })
        .join()
        .unwrap();

        assert!(cursor.next().unwrap().ends_with(b"first"));
        let last = cursor.next().unwrap();
        assert!(last.ends_with(b" exit: thread done"), "{}", String::from_utf8_lossy(&last));
    }
}
