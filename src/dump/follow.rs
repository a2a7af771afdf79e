//! Following a live ring: each poll returns what was added since the last.
//!
//! The follower remembers the area offset of the reader-count byte it waits
//! on, the way HAProxy's own readers do. Each poll copies the bytes from
//! there to the tail and walks them. Then it checks that the head has not
//! passed that offset while the bytes were copied. If it has, the copy is
//! dropped and the next poll reports the loss. A copy that ends early
//! because another process truncated the file is dropped too, and the next
//! poll starts again from the head of the resized file. A poll does work
//! bounded by the area size whatever the file holds, so a process that
//! rewrites or truncates the file at random cannot make it loop or hang.

use std::fs;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::DumpError;
use super::file::{RingFile, identity_of};
use crate::store::layout::{Geometry, Layout, Note};
use crate::store::reader::{WalkEnd, count_exact_messages, messages_from};

/// Reason a follower started again from the head.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Restart {
    /// The path now names another file, for example after a rotation.
    Replaced,
    /// The file's length changed.
    Resized {
        /// Length before.
        from: u64,
        /// Length now.
        to: u64,
    },
    /// The header now gives another layout, area offset or area size.
    Reshaped,
}

/// A message copied out of a live ring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnedMessage {
    /// Bytes from the head to the message's reader-count byte, when it was read.
    pub position: u64,
    /// Offset in the file of the message's reader-count byte.
    pub offset: u64,
    /// Value of the reader-count byte.
    pub readers: u8,
    /// The payload.
    pub payload: Vec<u8>,
}

/// Change found by a poll.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// A header value was bounded when the follower (re)started from the head.
    Note(Note),
    /// The follower starts again from the head.
    Restarted(Restart),
    /// A whole message, never truncated or torn.
    Message(OwnedMessage),
    /// The writer deleted messages before the follower could read them.
    Lost {
        /// Number of messages, when the deleted bytes still split into messages.
        messages: Option<u64>,
        /// How many bytes of the area the head moved past the follower,
        /// unknown when the writer went around the whole area.
        bytes: Option<u64>,
    },
    /// The path no longer exists; the follower stops.
    Removed,
}

/// The parts of a geometry that must not change under a follower.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Shape {
    layout: Layout,
    area_offset: u64,
    size: u64,
}

impl Shape {
    fn of(geometry: &Geometry) -> Self {
        Self { layout: geometry.layout, area_offset: geometry.area_offset, size: geometry.size }
    }
}

/// Number of already-read bytes before the cursor that tell whether the
/// writer has lapped it.
const FINGERPRINT_LEN: u64 = 16;

/// Follower position: the area offset of the reader-count byte it waits on.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Cursor {
    shape: Shape,
    rc_offset: u64,
    /// The bytes just before `rc_offset`, part of messages already read.
    ///
    /// While the head has not passed them, the writer rewrites them only
    /// after its tail has gone around the whole area. So when they change,
    /// the cursor may be inside a newer message although it lies between
    /// the head and the tail.
    fingerprint: Vec<u8>,
}

impl Cursor {
    fn at_head(shape: Shape, geometry: &Geometry) -> Self {
        Self { shape, rc_offset: geometry.head, fingerprint: Vec::new() }
    }
}

/// Reads a live ring file poll after poll.
///
/// The first poll returns every whole message from the head; later polls
/// return only new ones. A message that a writer is still appending
/// (reader-count byte 255) or that runs past the tail is held back until a
/// later poll finds it whole.
///
/// ```no_run
/// use std::{thread, time::Duration};
/// use ringcfg::dump::{Event, Follower};
///
/// let mut follower = Follower::open("/dev/shm/haproxy/r1.bin")?;
/// let mut events = Vec::new();
/// loop {
///     follower.poll(&mut events)?;
///     for event in events.drain(..) {
///         match event {
///             Event::Message(message) => println!("{}", String::from_utf8_lossy(&message.payload)),
///             Event::Removed => return Ok(()),
///             _ => {}
///         }
///     }
///     thread::sleep(Duration::from_millis(100));
/// }
/// # Ok::<(), ringcfg::dump::DumpError>(())
/// ```
#[derive(Debug)]
pub struct Follower {
    file: RingFile,
    path: PathBuf,
    cursor: Option<Cursor>,
}

impl Follower {
    /// Opens `path`; the first [`poll`](Self::poll) reads from the head.
    ///
    /// # Errors
    ///
    /// As [`RingFile::open`].
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DumpError> {
        let file = RingFile::open(path.as_ref())?;
        Ok(Self { file, path: path.as_ref().to_path_buf(), cursor: None })
    }

    /// Appends to `events` what changed since the last poll.
    ///
    /// # Errors
    ///
    /// [`DumpError`] when the file (or the one that replaced it) cannot be
    /// opened, examined or read. A replacing file that is still empty is
    /// not an error: the poll waits for it to be written.
    pub fn poll(&mut self, events: &mut Vec<Event>) -> Result<(), DumpError> {
        if !self.track_path(events)? {
            return Ok(());
        }
        let geometry = self.file.geometry()?;
        let shape = Shape::of(&geometry);
        let cursor = match self.cursor.take() {
            Some(cursor) if cursor.shape == shape => cursor,
            previous => {
                if previous.is_some() {
                    events.push(Event::Restarted(Restart::Reshaped));
                }
                events.extend(geometry.notes.iter().cloned().map(Event::Note));
                Cursor::at_head(shape, &geometry)
            }
        };
        if geometry.data == 0 {
            // No storage, or a head equal to the tail: nothing to read yet.
            self.cursor = Some(Cursor::at_head(shape, &geometry));
            return Ok(());
        }
        self.read_from(&geometry, cursor, events)
    }

    /// Follows the path to a replacing file and the file to a new length.
    ///
    /// Returns whether the poll can go on reading.
    fn track_path(&mut self, events: &mut Vec<Event>) -> Result<bool, DumpError> {
        match fs::metadata(&self.path) {
            Err(error) if error.kind() == io::ErrorKind::NotFound => {
                events.push(Event::Removed);
                return Ok(false);
            }
            Err(source) => return Err(DumpError::Metadata { path: self.path.clone(), source }),
            Ok(metadata) if identity_of(&metadata) != self.file.identity() => {
                match RingFile::open(&self.path) {
                    Ok(file) => self.file = file,
                    Err(DumpError::Empty { .. } | DumpError::Open { .. }) => return Ok(false),
                    Err(error) => return Err(error),
                }
                self.cursor = None;
                events.push(Event::Restarted(Restart::Replaced));
            }
            Ok(_) => {}
        }
        match self.file.update_len() {
            Ok(None) => Ok(true),
            Ok(Some(from)) => {
                self.cursor = None;
                events.push(Event::Restarted(Restart::Resized { from, to: self.file.len() }));
                Ok(true)
            }
            // An emptied file has no header to read yet.
            Err(DumpError::Empty { .. }) => Ok(false),
            Err(error) => Err(error),
        }
    }

    /// Reads the messages from the cursor to the tail.
    fn read_from(
        &mut self,
        geometry: &Geometry,
        mut cursor: Cursor,
        events: &mut Vec<Event>,
    ) -> Result<(), DumpError> {
        let mut distance = geometry.distance_from_head(cursor.rc_offset);
        if distance >= geometry.data {
            events.push(self.lost(geometry, cursor.rc_offset, distance)?);
            cursor = Cursor::at_head(cursor.shape, geometry);
            distance = 0;
        } else if !self.fingerprint_holds(geometry, &cursor, distance)? {
            events.push(Event::Lost { messages: None, bytes: None });
            cursor = Cursor::at_head(cursor.shape, geometry);
            distance = 0;
        }

        let mut copy = Vec::new();
        let ranges = geometry.file_ranges(cursor.rc_offset, geometry.data - distance);
        let whole = self.copy_ranges(ranges, &mut copy)?;
        let mut found = Vec::new();
        let mut walk = messages_from(geometry, distance, &copy);
        let mut stop = None;
        for message in walk.by_ref() {
            if !message.is_complete() {
                stop = Some(message.position);
                break;
            }
            found.push(OwnedMessage {
                position: message.position,
                offset: message.offset,
                readers: message.readers,
                payload: message.payload.to_vec(),
            });
        }
        let next = stop.unwrap_or_else(|| resume_position(walk.end(), walk.next_position()));
        let next_offset = geometry.offset_after_head(next);
        let fingerprint = self.fingerprint(geometry, next_offset, next.min(FINGERPRINT_LEN))?;

        // The copy is trustworthy only if the file did not shrink under it
        // and the head did not pass its start.
        let after = self.file.geometry()?;
        let still_live = whole
            && Shape::of(&after) == cursor.shape
            && after.distance_from_head(cursor.rc_offset) < after.data;
        if still_live {
            events.extend(found.into_iter().map(Event::Message));
            cursor.rc_offset = next_offset;
            cursor.fingerprint = fingerprint;
        }
        self.cursor = Some(cursor);
        Ok(())
    }

    /// Checks the fingerprint bytes that are still between the head and the
    /// cursor; the ones the head has passed may be rewritten legitimately.
    fn fingerprint_holds(
        &self,
        geometry: &Geometry,
        cursor: &Cursor,
        distance: u64,
    ) -> Result<bool, DumpError> {
        let live = cursor.fingerprint.len().min(usize::try_from(distance).unwrap_or(usize::MAX));
        let expected = &cursor.fingerprint[cursor.fingerprint.len() - live..];
        Ok(self.fingerprint(geometry, cursor.rc_offset, live as u64)? == expected)
    }

    /// Copies the `len` area bytes that end just before `rc_offset`; fewer
    /// when the file shrank, which no longer matches the cursor's.
    fn fingerprint(
        &self,
        geometry: &Geometry,
        rc_offset: u64,
        len: u64,
    ) -> Result<Vec<u8>, DumpError> {
        let mut bytes = Vec::new();
        let start = rc_offset + geometry.size - len.min(geometry.size);
        self.copy_ranges(geometry.file_ranges(start, len), &mut bytes)?;
        Ok(bytes)
    }

    /// Appends the bytes of `ranges` to `out`; returns false when the file
    /// ended before them because it shrank since the poll began.
    fn copy_ranges(
        &self,
        ranges: impl IntoIterator<Item = Range<u64>>,
        out: &mut Vec<u8>,
    ) -> Result<bool, DumpError> {
        for range in ranges {
            let wanted = range.end - range.start;
            let copied = self
                .file
                .copy_range(range, out)
                .map_err(|source| DumpError::Read { path: self.path.clone(), source })?;
            if copied < wanted {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Builds the event for a head that moved past the cursor.
    fn lost(&self, geometry: &Geometry, rc_offset: u64, distance: u64) -> Result<Event, DumpError> {
        let bytes = if distance == 0 { 0 } else { geometry.size - distance };
        let mut deleted = Vec::new();
        let whole = self.copy_ranges(geometry.file_ranges(rc_offset, bytes), &mut deleted)?;
        let messages = if whole { count_exact_messages(&deleted) } else { None };
        Ok(Event::Lost { messages, bytes: Some(bytes) })
    }
}

/// Returns the position to wait on after a walk that ended with `end`.
fn resume_position(end: Option<WalkEnd>, next: u64) -> u64 {
    match end {
        Some(
            WalkEnd::IncompleteLength { position }
            | WalkEnd::InvalidLength { position }
            | WalkEnd::Truncated { position },
        ) => position,
        _ => next,
    }
}
