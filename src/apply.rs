//! Backing files on disk: rotation to `.bak`, creation, mapping, and the [`Ring`] handle.
//!
//! [`open_backing_file`] does what HAProxy 3.x does for `backing-file` when
//! it starts, in the same order: rotate a non-empty file to `PATH.bak`, open
//! or create the file with mode 0600, size it, map it shared and reset the
//! ring in it. The file then holds HAProxy's byte layout, so `haring` reads
//! it like one of HAProxy's own. [`open_for_append`] keeps a valid ring of
//! the same geometry instead of resetting it, for tools that add messages
//! to a ring across runs. Rings without a backing file live in anonymous
//! memory.
//!
//! Where HAProxy would lose data or follow a link, this module is stricter.
//! A non-empty `PATH.bak` is moved to the first free `PATH.bak.N` rather
//! than replaced. A file in a foreign layout is rotated rather than
//! overwritten. A 0-byte file is reused, so an older `.bak` survives. A symbolic link, a directory
//! or another non-regular file is rejected and left as it is. Files are
//! opened with `O_NOFOLLOW` and `O_CLOEXEC`, and each mapped file is locked
//! with `flock` so that two cooperating processes never resize each other's
//! ring.
//!
//! ```
//! use ringcfg::apply::{open_backing_file, Action, RingSpec};
//!
//! let dir = tempfile::tempdir()?;
//! let spec = RingSpec::new("r1", Some(dir.path().join("r1.bin")));
//! let (ring, report) = open_backing_file(&spec)?;
//! assert_eq!(report.action, Action::Created);
//! ring.write_raw(b"hello")?;
//! assert_eq!(std::fs::metadata(dir.path().join("r1.bin"))?.len(), 16384);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod format;
mod hint;
mod map;
mod ring;
mod rotate;

use std::fs::File;
use std::io;
use std::os::fd::AsFd;
use std::path::{Path, PathBuf};

use rustix::fs::{FlockOperation, Mode, OFlags};
use thiserror::Error;

use self::map::Mapping;
pub use self::ring::{Cursor, Ring, WriteError};
use self::rotate::Existing;
use crate::ring::LogFormat;
use crate::store::header::{self, TAIL_LOCK, V2A_HEAD_OFFSET, V2A_LEN, V2A_TAIL_OFFSET};
use crate::store::writer::{self, Positions};

/// Allocated size of a ring without `size`: HAProxy's `BUFSIZE`, header included.
pub const DEFAULT_SIZE: u64 = 16384;

/// What a ring needs to exist: the fields of a `ring` section that matter on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RingSpec {
    /// The ring name, for messages.
    pub name: String,
    /// The `backing-file` path, or `None` for a ring in memory only.
    pub backing_file: Option<PathBuf>,
    /// What `size` sets: the allocated size including the 192-byte header.
    ///
    /// HAProxy ignores sizes up to 193 and keeps [`DEFAULT_SIZE`]; so does this crate.
    pub allocated_size: u64,
    /// `maxlen`: messages are cut to this many bytes; `None` (or 0) for no limit.
    pub maxlen: Option<u32>,
    /// The header put before each message.
    pub format: LogFormat,
}

impl RingSpec {
    /// A ring with HAProxy's defaults: 16384 bytes, no `maxlen`, format `raw`.
    pub fn new(name: impl Into<String>, backing_file: Option<PathBuf>) -> Self {
        RingSpec {
            name: name.into(),
            backing_file,
            allocated_size: DEFAULT_SIZE,
            maxlen: None,
            format: LogFormat::Raw,
        }
    }

    /// Returns the length of the backing file: `size - 192` rounded up to a multiple of 4096.
    ///
    /// The area is the file length minus the 192-byte header, as in HAProxy 3.x's src/sink.c.
    ///
    /// ```
    /// use ringcfg::apply::RingSpec;
    /// let mut spec = RingSpec::new("r1", None);
    /// spec.allocated_size = 10000;
    /// assert_eq!(spec.file_size(), 12288);
    /// ```
    pub fn file_size(&self) -> u64 {
        (self.effective_size() - V2A_LEN as u64).div_ceil(4096) * 4096
    }

    fn effective_size(&self) -> u64 {
        if self.allocated_size <= V2A_LEN as u64 + 1 { DEFAULT_SIZE } else { self.allocated_size }
    }
}

/// What was done for one ring.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApplyReport {
    /// The ring name.
    pub name: String,
    /// What happened to the backing file.
    pub action: Action,
    /// Things that work but deserve attention.
    pub warnings: Vec<ApplyWarning>,
}

/// What happened to a ring's backing file.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Action {
    /// The file did not exist and was created.
    Created,
    /// The file held data and was renamed to `backup`; a new file took its place.
    Rotated {
        /// Where the old file went: `PATH.bak`.
        backup: PathBuf,
        /// Where the previous non-empty `PATH.bak` went: the first free `PATH.bak.N`.
        older_backup: Option<PathBuf>,
        /// Why it was kept, such as "it holds messages".
        reason: &'static str,
    },
    /// The file was empty (0 bytes or an empty ring) and was reset in place.
    ReusedEmpty,
    /// A valid ring of the same geometry was kept with its messages.
    Reopened {
        /// Messages it held.
        messages: u64,
    },
    /// The ring has no backing file and lives in anonymous memory.
    MemoryOnly,
}

/// A condition that does not stop a ring from working.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ApplyWarning {
    /// The file system is not RAM-backed: every page written goes to disk.
    #[error(
        "{} is not on a RAM-backed file system (type {fs_type:#x}): writes cost disk I/O; \
         consider a tmpfs such as /dev/shm",
        path.display()
    )]
    NotRamBacked {
        /// The backing file.
        path: PathBuf,
        /// `f_type` of `fstatfs`.
        fs_type: u64,
    },
    /// `maxlen` was larger than the longest message the ring holds and was lowered.
    #[error("maxlen {requested} exceeds what the ring holds; forced to {forced}")]
    MaxlenForced {
        /// The configured value.
        requested: u32,
        /// The value used.
        forced: u32,
    },
}

/// Why a ring could not be opened; nothing on disk was lost.
#[derive(Debug, Error, miette::Diagnostic)]
#[non_exhaustive]
pub enum ApplyError {
    /// The path is a symbolic link, which this crate never follows.
    #[error("{} is a symbolic link; point backing-file at the real file", path.display())]
    #[diagnostic(code(apply::symlink))]
    Symlink {
        /// The backing file.
        path: PathBuf,
    },
    /// The path is a directory.
    #[error("{} is a directory; choose a file path for backing-file", path.display())]
    #[diagnostic(code(apply::directory))]
    Directory {
        /// The backing file.
        path: PathBuf,
    },
    /// The path is a device, a FIFO or a socket.
    #[error("{} is not a regular file; choose a file path for backing-file", path.display())]
    #[diagnostic(code(apply::not_regular))]
    NotRegular {
        /// The backing file.
        path: PathBuf,
    },
    /// The path could not be examined.
    #[error("cannot examine {}: {source}{}", path.display(), with_hint(hint))]
    #[diagnostic(code(apply::inspect))]
    Inspect {
        /// The backing file.
        path: PathBuf,
        /// The system error.
        source: io::Error,
        /// What to do next, or empty.
        hint: String,
    },
    /// A file could not be moved aside, so it was left alone.
    #[error(
        "cannot rename {} to {}: {source}{}",
        path.display(),
        backup.display(),
        with_hint(hint)
    )]
    #[diagnostic(code(apply::rotate))]
    Rotate {
        /// The file being moved: the backing file, or `PATH.bak` on its way to `PATH.bak.N`.
        path: PathBuf,
        /// The new name.
        backup: PathBuf,
        /// The system error.
        source: io::Error,
        /// What to do next.
        hint: String,
    },
    /// The file could not be opened or created.
    #[error("cannot open backing file {}: {source}{}", path.display(), with_hint(hint))]
    #[diagnostic(code(apply::open))]
    Open {
        /// The backing file.
        path: PathBuf,
        /// The system error.
        source: io::Error,
        /// What to do next, or empty.
        hint: String,
    },
    /// Another process holds the file.
    #[error("{} is in use by another process; stop it or choose another path", path.display())]
    #[diagnostic(code(apply::busy))]
    Busy {
        /// The backing file.
        path: PathBuf,
    },
    /// The file could not be sized.
    #[error("cannot size {} to {size} bytes: {source}", path.display())]
    #[diagnostic(code(apply::resize))]
    Resize {
        /// The backing file.
        path: PathBuf,
        /// The wanted size.
        size: u64,
        /// The system error.
        source: io::Error,
    },
    /// The file or anonymous memory could not be mapped.
    #[error("cannot map ring '{name}': {source}")]
    #[diagnostic(code(apply::map))]
    Map {
        /// The ring name.
        name: String,
        /// The system error.
        source: io::Error,
    },
    /// The size does not fit the address space or HAProxy's limit of 2^63 bytes.
    #[error("ring '{name}' has size {size}, too large for this host; lower 'size'")]
    #[diagnostic(code(apply::too_large))]
    TooLarge {
        /// The ring name.
        name: String,
        /// The configured size.
        size: u64,
    },
}

impl ApplyError {
    pub(crate) fn inspect(path: &Path, source: io::Error) -> Self {
        let hint = hint::open(path, &source);
        ApplyError::Inspect { path: path.to_owned(), source, hint }
    }

    pub(crate) fn open(path: &Path, source: io::Error) -> Self {
        let hint = hint::open(path, &source);
        ApplyError::Open { path: path.to_owned(), source, hint }
    }

    pub(crate) fn rotate(path: &Path, backup: &Path, source: io::Error) -> Self {
        let hint = hint::rename(path, backup, &source);
        ApplyError::Rotate { path: path.to_owned(), backup: backup.to_owned(), source, hint }
    }
}

/// `"; HINT"`, or nothing for an empty hint.
fn with_hint(hint: &str) -> String {
    if hint.is_empty() { String::new() } else { format!("; {hint}") }
}

/// Opens `spec`'s ring as HAProxy does at start: rotate, create, size, map, reset.
///
/// A ring without a backing file gets anonymous memory of `allocated_size` bytes.
///
/// # Errors
///
/// [`ApplyError`] naming the path and what to do; existing data is never lost.
pub fn open_backing_file(spec: &RingSpec) -> Result<(Ring, ApplyReport), ApplyError> {
    let Some(path) = &spec.backing_file else {
        return open_anonymous(spec);
    };
    let action = make_room_for(path)?;
    let (file, warnings) = open_locked(spec, path, true)?;
    let size = spec.file_size();
    file.set_len(size).map_err(|source| ApplyError::Resize { path: path.clone(), size, source })?;
    let mut mapping = map_file(spec, &file, size)?;
    header::init_empty_v2a(mapping.bytes_mut());
    log::debug!("ring '{}': {} reset, {} bytes", spec.name, path.display(), size);
    finish(spec, mapping, Some(file), action, warnings, 0)
}

/// Opens `spec`'s ring keeping its messages when the file already holds a
/// valid ring of the expected size; otherwise does what [`open_backing_file`] does.
///
/// A ring without a backing file gets anonymous memory, as with
/// [`open_backing_file`]: what is written to it is gone when the [`Ring`] is
/// dropped, so a tool that only writes should reject such a ring first.
///
/// A ring left by a process that died while writing is valid: its tail lock
/// and 255 marker are cleared, as are the reader counts of readers that no
/// longer exist.
///
/// # Errors
///
/// [`ApplyError`] as for [`open_backing_file`].
pub fn open_for_append(spec: &RingSpec) -> Result<(Ring, ApplyReport), ApplyError> {
    let Some(path) = &spec.backing_file else {
        return open_anonymous(spec);
    };
    if let Existing::Contents(_) = rotate::inspect(path)? {
        let (file, warnings) = open_locked(spec, path, false)?;
        let size = spec.file_size();
        let metadata = file.metadata().map_err(|source| ApplyError::inspect(path, source))?;
        if metadata.len() == size {
            let mut mapping = map_file(spec, &file, size)?;
            if let Some(messages) = recover(mapping.bytes_mut()) {
                log::debug!(
                    "ring '{}': reopened {} ({messages} messages)",
                    spec.name,
                    path.display()
                );
                let action = Action::Reopened { messages };
                return finish(spec, mapping, Some(file), action, warnings, messages);
            }
        }
    }
    open_backing_file(spec)
}

fn open_anonymous(spec: &RingSpec) -> Result<(Ring, ApplyReport), ApplyError> {
    let size = usize::try_from(spec.effective_size())
        .ok()
        .filter(|_| spec.effective_size() <= TAIL_LOCK)
        .ok_or_else(|| ApplyError::TooLarge {
            name: spec.name.clone(),
            size: spec.allocated_size,
        })?;
    let mut mapping = Mapping::anonymous(size)
        .map_err(|source| ApplyError::Map { name: spec.name.clone(), source })?;
    header::init_empty_v2a(mapping.bytes_mut());
    finish(spec, mapping, None, Action::MemoryOnly, Vec::new(), 0)
}

/// Moves a file with data aside; returns what the path held.
fn make_room_for(path: &Path) -> Result<Action, ApplyError> {
    Ok(match rotate::inspect(path)? {
        Existing::Missing => Action::Created,
        Existing::EmptyFile | Existing::EmptyRing => Action::ReusedEmpty,
        Existing::Contents(reason) => {
            let rotation = rotate::rotate(path)?;
            Action::Rotated { backup: rotation.backup, older_backup: rotation.older_backup, reason }
        }
    })
}

/// Opens (or creates) `path` for reading and writing, checks it and locks it.
fn open_locked(
    spec: &RingSpec,
    path: &Path,
    create: bool,
) -> Result<(File, Vec<ApplyWarning>), ApplyError> {
    if spec.effective_size() > TAIL_LOCK || usize::try_from(spec.file_size()).is_err() {
        return Err(ApplyError::TooLarge { name: spec.name.clone(), size: spec.allocated_size });
    }
    let open_error = |source: io::Error| ApplyError::open(path, source);
    let mut flags = OFlags::RDWR | OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK;
    if create {
        flags |= OFlags::CREATE;
    }
    let fd = rustix::fs::open(path, flags, Mode::from_raw_mode(0o600)).map_err(|errno| {
        if errno == rustix::io::Errno::LOOP {
            return ApplyError::Symlink { path: path.to_owned() };
        }
        open_error(errno.into())
    })?;
    let file = File::from(fd);

    let metadata = file.metadata().map_err(open_error)?;
    if !metadata.is_file() {
        return Err(ApplyError::NotRegular { path: path.to_owned() });
    }
    lock_exclusive(&file).map_err(|errno| match errno {
        rustix::io::Errno::WOULDBLOCK => ApplyError::Busy { path: path.to_owned() },
        errno => open_error(errno.into()),
    })?;
    let warnings = ram_backed_warning(&file, path);
    Ok((file, warnings))
}

/// How long [`lock_exclusive`] waits for a lock that another process holds.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_millis(500);

/// Takes the exclusive `flock`, waiting up to [`LOCK_WAIT`] for it.
///
/// A short wait matters even without a second writer: a process that forks
/// (any `std::process::Command` in a host program) shares every open file
/// description with the child until the child calls `exec`, and with it the
/// lock of a ring that was just dropped.
fn lock_exclusive(file: &File) -> Result<(), rustix::io::Errno> {
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match rustix::fs::flock(file.as_fd(), FlockOperation::NonBlockingLockExclusive) {
            Err(rustix::io::Errno::WOULDBLOCK) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            result => return result,
        }
    }
}

/// `f_type` values of file systems that live in memory.
const TMPFS_MAGIC: u64 = 0x0102_1994;
const RAMFS_MAGIC: u64 = 0x8584_58f6;

fn ram_backed_warning(file: &File, path: &Path) -> Vec<ApplyWarning> {
    let Ok(stat) = rustix::fs::fstatfs(file.as_fd()) else {
        return Vec::new();
    };
    #[allow(clippy::unnecessary_cast, reason = "f_type is signed on some targets")]
    let fs_type = stat.f_type as u64;
    if fs_type == TMPFS_MAGIC || fs_type == RAMFS_MAGIC {
        return Vec::new();
    }
    log::debug!("{} is on file system type {fs_type:#x}, not RAM-backed", path.display());
    vec![ApplyWarning::NotRamBacked { path: path.to_owned(), fs_type }]
}

fn map_file(spec: &RingSpec, file: &File, size: u64) -> Result<Mapping, ApplyError> {
    Mapping::file(file, size as usize)
        .map_err(|source| ApplyError::Map { name: spec.name.clone(), source })
}

/// Checks a ring left by an earlier run and clears what its writers and
/// readers left behind; `None` when the bytes are not a valid ring.
fn recover(file: &mut [u8]) -> Option<u64> {
    let area_len = (file.len() - V2A_LEN) as u64;
    let size = header::read_u64(file, header::SIZE_OFFSET)?;
    let rsvd = header::read_u64(file, header::RSVD_OFFSET)?;
    let head = header::read_u64(file, V2A_HEAD_OFFSET)?;
    let tail = header::read_u64(file, V2A_TAIL_OFFSET)? & !TAIL_LOCK;
    if size != area_len || rsvd != V2A_LEN as u64 || head >= size || tail >= size || head == tail {
        return None;
    }
    let at = Positions { head: head as usize, tail: tail as usize };
    let area = &mut file[V2A_LEN..];
    let messages = writer::clear_readers(area, at).ok()?;
    header::write_u64(file, V2A_TAIL_OFFSET, at.tail as u64);
    Some(messages)
}

fn finish(
    spec: &RingSpec,
    mapping: Mapping,
    file: Option<File>,
    action: Action,
    mut warnings: Vec<ApplyWarning>,
    messages: u64,
) -> Result<(Ring, ApplyReport), ApplyError> {
    // HAProxy lowers maxlen to `size - 2 - varint(size - 2)`, two bytes more
    // than a message can take, so messages of that length are all dropped.
    // Lowering it to the real capacity keeps them.
    let largest = u32::try_from(writer::max_payload(mapping.area_len())).unwrap_or(u32::MAX);
    let maxlen = match spec.maxlen {
        None | Some(0) => u32::MAX,
        Some(requested) if requested > largest => {
            warnings.push(ApplyWarning::MaxlenForced { requested, forced: largest });
            largest
        }
        Some(requested) => requested,
    };
    let ring = Ring::new(spec.name.clone(), spec.format, maxlen, mapping, file, messages);
    let report = ApplyReport { name: spec.name.clone(), action, warnings };
    Ok((ring, report))
}
