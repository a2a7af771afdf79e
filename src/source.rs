//! Named inputs and the mapping from byte offsets to lines and columns.
//!
//! HAProxy reads configuration as bytes, so a [`SourceFile`] keeps the exact
//! bytes it was given and never requires UTF-8. Columns come in two units:
//! bytes (for `file:line:col` output) and UTF-16 code units (for the Language
//! Server Protocol, whose default position encoding is UTF-16).

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// A half-open byte range `[start, end)` into one [`SourceFile`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// Creates the span `[start, end)`.
    ///
    /// ```
    /// let span = ringcfg::Span::new(3, 7);
    /// assert_eq!(span.len(), 4);
    /// ```
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// Returns the number of bytes the span covers.
    pub const fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    /// Returns true when the span covers no byte.
    pub const fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the smallest span that covers both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start, span.len()).into()
    }
}

/// Index of a file in the list of sources handed to one run.
pub type FileId = usize;

/// A 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// Line number, starting at 1.
    pub line: usize,
    /// Column, starting at 1, in the unit the caller asked for.
    pub col: usize,
}

/// One configuration input: its name as shown to users and its bytes.
#[derive(Clone, Debug)]
pub struct SourceFile {
    name: String,
    bytes: Arc<[u8]>,
    /// Offsets where lines start, computed on the first position lookup:
    /// a check that finds nothing never needs them.
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    /// Creates a source from a display name and its raw bytes.
    ///
    /// ```
    /// let src = ringcfg::SourceFile::new("haproxy.cfg", b"ring r1\n    size 4096\n".to_vec());
    /// assert_eq!(src.line_col(12).line, 2);
    /// ```
    pub fn new(name: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Self {
        let bytes = bytes.into();
        Self { name: name.into(), bytes, line_starts: OnceLock::new() }
    }

    /// Reads the regular file `path`, named by the path as given.
    ///
    /// FIFOs and devices are rejected unopened with
    /// [`io::ErrorKind::InvalidInput`]: opening a FIFO may block for good,
    /// and `/dev/zero` never ends. A file too large to hold in memory, such
    /// as a sparse one, fails with [`io::ErrorKind::OutOfMemory`].
    ///
    /// ```
    /// let error = ringcfg::SourceFile::read("/dev/null".as_ref()).unwrap_err();
    /// assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    /// ```
    pub fn read(path: &Path) -> io::Result<Self> {
        let (mut file, len) = open_regular(path)?;
        let bytes = read_into_shared(&mut file, len)?;
        Ok(Self::new(path.display().to_string(), bytes))
    }

    /// Returns the offsets where lines start, computing them once.
    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| line_starts(&self.bytes))
    }

    /// Returns the name given at creation, usually the path as typed by the user.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Returns the raw bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Returns a shared handle to the raw bytes, for renderers that keep them.
    pub fn shared_bytes(&self) -> Arc<[u8]> {
        Arc::clone(&self.bytes)
    }

    /// Returns the number of lines, counting a last line without a newline.
    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// Returns the byte span of 1-based `line`, without its line terminator.
    ///
    /// Only `\n` ends a line here: this is the line numbering HAProxy prints.
    pub fn line_span(&self, line: usize) -> Span {
        let index = line.saturating_sub(1).min(self.line_starts().len() - 1);
        let start = self.line_starts()[index];
        let end = match self.line_starts().get(index + 1) {
            Some(next) => next - 1,
            None => self.bytes.len(),
        };
        Span::new(start, end)
    }

    /// Returns the 1-based line and byte column of `offset`.
    ///
    /// An offset past the end maps to the position just after the last byte.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.bytes.len());
        let index = self.line_index(offset);
        LineCol { line: index + 1, col: offset - self.line_starts()[index] + 1 }
    }

    /// Returns the 0-based line and UTF-16 column of `offset`, as LSP counts them.
    ///
    /// Bytes that are not valid UTF-8 count as one UTF-16 unit each, which is
    /// what a client shows after decoding them as U+FFFD.
    pub fn utf16_position(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.bytes.len());
        let index = self.line_index(offset);
        let prefix = &self.bytes[self.line_starts()[index]..offset];
        (index as u32, utf16_len(prefix) as u32)
    }

    /// Returns the byte offset of a 0-based line and UTF-16 column, clamped to the line.
    pub fn offset_of_utf16(&self, line: u32, col: u32) -> usize {
        let span = self.line_span(line as usize + 1);
        if line as usize >= self.line_starts().len() {
            return self.bytes.len();
        }
        let mut units = 0usize;
        for (i, ch) in String::from_utf8_lossy(&self.bytes[span.start..span.end]).char_indices() {
            if units >= col as usize {
                return span.start + lossy_byte_offset(&self.bytes[span.start..span.end], i);
            }
            units += ch.len_utf16();
        }
        span.end
    }

    fn line_index(&self, offset: usize) -> usize {
        match self.line_starts().binary_search(&offset) {
            Ok(index) => index,
            Err(next) => next - 1,
        }
    }
}

fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(memchr::memchr_iter(b'\n', bytes).map(|lf| lf + 1));
    starts
}

fn utf16_len(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes).chars().map(char::len_utf16).sum()
}

/// Maps a char offset in the lossy decoding of `bytes` back to an offset in `bytes`.
///
/// Each invalid sequence becomes one U+FFFD (3 bytes in the decoded string),
/// so the two offsets differ as soon as `bytes` is not valid UTF-8.
fn lossy_byte_offset(bytes: &[u8], decoded_offset: usize) -> usize {
    let mut raw = 0;
    let mut decoded = 0;
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid().len();
        if decoded + valid >= decoded_offset {
            return raw + (decoded_offset - decoded);
        }
        raw += valid;
        decoded += valid;
        if !chunk.invalid().is_empty() {
            if decoded_offset <= decoded {
                return raw;
            }
            raw += chunk.invalid().len();
            decoded += char::REPLACEMENT_CHARACTER.len_utf8();
        }
    }
    bytes.len()
}

/// Opens `path` when it is a regular file, and returns its size.
///
/// The type is tested before the file is opened, since opening a FIFO may
/// block for good and a device such as `/dev/zero` never ends.
pub(crate) fn open_regular(path: &Path) -> io::Result<(File, u64)> {
    let metadata = std::fs::metadata(path)?;
    if !metadata.is_file() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
    }
    Ok((File::open(path)?, metadata.len()))
}

/// Reads `file` to its end into a buffer of `expected` bytes, the size its
/// metadata gave, that becomes the `SourceFile`'s own.
///
/// Reading into a `Vec` and converting it would copy the whole file once
/// more, and on a 500 KB file the fresh pages of that copy cost more than
/// the reading. A file that changed size since its metadata was read is
/// still read whole, through the slower path.
fn read_into_shared(file: &mut impl Read, expected: u64) -> io::Result<Arc<[u8]>> {
    let Ok(expected) = usize::try_from(expected) else {
        return read_rest(file, Vec::new());
    };
    // A sparse file may claim more bytes than memory holds, and a failed
    // allocation would abort the process instead of naming the file.
    if Vec::<u8>::new().try_reserve_exact(expected).is_err() {
        return Err(io::Error::new(
            io::ErrorKind::OutOfMemory,
            format!("the file is {expected} bytes, more than this machine can hold in memory"),
        ));
    }
    let mut shared: Arc<[u8]> = std::iter::repeat_n(0, expected).collect();
    let buffer = Arc::get_mut(&mut shared).expect("a new Arc has no other owner");
    let filled = fill(file, buffer)?;
    if filled < expected {
        return Ok(Arc::from(&buffer[..filled]));
    }
    let mut extra = [0; 1];
    match fill(file, &mut extra)? {
        0 => Ok(shared),
        _ => {
            let mut grown = shared.to_vec();
            grown.push(extra[0]);
            read_rest(file, grown)
        }
    }
}

/// Reads into `buffer` until it is full or the file ends, and returns the
/// number of bytes read.
fn fill(file: &mut impl Read, buffer: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buffer.len() {
        match file.read(&mut buffer[filled..]) {
            Ok(0) => break,
            Ok(count) => filled += count,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(error) => return Err(error),
        }
    }
    Ok(filled)
}

fn read_rest(file: &mut impl Read, mut bytes: Vec<u8>) -> io::Result<Arc<[u8]>> {
    file.read_to_end(&mut bytes)?;
    Ok(bytes.into())
}

/// Lists the files HAProxy loads for `-f DIR`, in the order it loads them.
///
/// Those are the regular files of `dir` (symbolic links to regular files
/// included, subdirectories not searched) whose name does not start with
/// `.` and whose first `.cfg` ends it, sorted by the bytes of their names.
/// So, as in HAProxy, `a.cfg.cfg` is skipped.
///
/// ```no_run
/// let files = ringcfg::source::config_dir_files("/etc/haproxy/conf.d".as_ref())?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn config_dir_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name();
        if !is_config_name(name.as_bytes()) {
            continue;
        }
        // HAProxy stops on a file it cannot inspect, such as a broken link.
        let path = dir.join(&name);
        let metadata = path.metadata().map_err(|error| {
            io::Error::new(error.kind(), format!("cannot inspect '{}': {error}", path.display()))
        })?;
        if metadata.is_file() {
            names.push(name);
        }
    }
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    Ok(names.into_iter().map(|name| dir.join(name)).collect())
}

/// Returns true for a file name HAProxy loads from a directory.
fn is_config_name(name: &[u8]) -> bool {
    let first_cfg = name.windows(4).position(|window| window == b".cfg");
    !name.starts_with(b".") && first_cfg == name.len().checked_sub(4)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives at most three bytes a call, and an interruption before each.
    struct Trickle<'a> {
        rest: &'a [u8],
        interrupt: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let count = buffer.len().min(self.rest.len()).min(3);
            buffer[..count].copy_from_slice(&self.rest[..count]);
            self.rest = &self.rest[count..];
            Ok(count)
        }
    }

    #[test]
    fn impossible_size_is_an_error() {
        // 4 EiB is beyond any address space, whatever the overcommit policy.
        let mut file = Trickle { rest: b"global\n", interrupt: false };
        let error = read_into_shared(&mut file, 1 << 62).expect_err("no such buffer");
        assert_eq!(error.kind(), io::ErrorKind::OutOfMemory);
        assert!(error.to_string().contains("more than this machine can hold"), "{error}");
    }

    #[test]
    fn read_ignores_stale_metadata_size() {
        let text = b"ring logs\n    size 64k\n";
        for expected in [0, 1, 10, text.len() as u64, text.len() as u64 + 7, u64::MAX] {
            let mut file = Trickle { rest: text, interrupt: false };
            let read = read_into_shared(&mut file, expected.min(1 << 20));
            assert_eq!(read.expect("an in-memory read succeeds").as_ref(), text, "{expected}");
        }
    }

    #[test]
    fn config_dir_files_follow_haproxy() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        for name in
            ["b.cfg", "a.cfg", ".hidden.cfg", "c.cfg.bak", "d.cfg.cfg", "notes.txt", "B.cfg"]
        {
            std::fs::write(dir.path().join(name), b"global\n").expect("write a file");
        }
        std::fs::create_dir(dir.path().join("sub.cfg")).expect("create a directory");
        std::os::unix::fs::symlink(dir.path().join("a.cfg"), dir.path().join("link.cfg"))
            .expect("create a link");

        let files = config_dir_files(dir.path()).expect("the directory is readable");
        let names: Vec<_> = files.iter().map(|path| path.file_name().unwrap()).collect();
        assert_eq!(names, ["B.cfg", "a.cfg", "b.cfg", "link.cfg"]);
    }

    #[test]
    fn config_dir_files_stop_at_broken_link() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::os::unix::fs::symlink(dir.path().join("gone"), dir.path().join("broken.cfg"))
            .expect("create a link");

        let error = config_dir_files(dir.path()).expect_err("the link is broken");
        assert!(error.to_string().contains("broken.cfg"), "{error}");
    }

    #[test]
    fn line_col_counts_from_one() {
        let src = SourceFile::new("a.cfg", b"ab\ncd\n".to_vec());
        assert_eq!(src.line_col(0), LineCol { line: 1, col: 1 });
        assert_eq!(src.line_col(4), LineCol { line: 2, col: 2 });
        assert_eq!(src.line_col(6), LineCol { line: 3, col: 1 });
    }

    #[test]
    fn line_span_excludes_newline() {
        let src = SourceFile::new("a.cfg", b"ab\ncd".to_vec());
        assert_eq!(src.line_span(1), Span::new(0, 2));
        assert_eq!(src.line_span(2), Span::new(3, 5));
    }

    #[test]
    fn utf16_position_counts_code_units() {
        let src = SourceFile::new("a.cfg", "é😀x\n".as_bytes().to_vec());
        assert_eq!(src.utf16_position(6), (0, 3));
        assert_eq!(src.offset_of_utf16(0, 3), 6);
    }

    #[test]
    fn utf16_position_survives_invalid_utf8() {
        let src = SourceFile::new("a.cfg", b"\xffab".to_vec());
        assert_eq!(src.utf16_position(2), (0, 2));
        assert_eq!(src.offset_of_utf16(0, 2), 2);
    }
}
