//! Reading configuration files the way `haproxy -f` does.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ringcfg::SourceFile;
use ringcfg::source::config_dir_files;

use super::CliError;

/// Largest configuration read from standard input, as HAProxy 3.5 caps
/// inputs whose size it cannot know in advance (`MAX_CFG_SIZE`, 10 MiB).
const MAX_STREAM_SIZE: u64 = 10 * 1024 * 1024;

/// Reads the configuration as `haproxy -f PATH...` loads it: each file, the
/// `*.cfg` files of each directory, or standard input for `-`. Errors name
/// the file that failed.
pub(crate) fn read_sources(paths: &[PathBuf]) -> Result<Vec<SourceFile>, CliError> {
    if paths.iter().filter(|path| path.as_os_str() == "-").count() > 1 {
        return Err("'-' (standard input) may be given only once".into());
    }
    let mut sources = Vec::with_capacity(paths.len());
    for path in paths {
        if path.as_os_str() == "-" {
            sources.push(SourceFile::new("<stdin>", read_stdin()?));
        } else if path.is_dir() {
            for file in directory_files(path)? {
                sources
                    .push(SourceFile::new(file.display().to_string(), read_regular_file(&file)?));
            }
        } else {
            sources.push(SourceFile::new(path.display().to_string(), read_regular_file(path)?));
        }
    }
    if sources.is_empty() {
        let quoted: Vec<String> =
            paths.iter().map(|path| format!("'{}'", path.display())).collect();
        return Err(format!(
            "no configuration file to read: {} has no *.cfg file; HAProxy loads only names ending in .cfg",
            quoted.join(", ")
        )
        .into());
    }
    Ok(sources)
}

/// Lists the files HAProxy loads from the directory `path`.
fn directory_files(path: &Path) -> Result<Vec<PathBuf>, CliError> {
    let files = config_dir_files(path).map_err(|error| {
        format!(
            "cannot read directory '{}': {error}; HAProxy would stop there too, so fix or remove that entry",
            path.display()
        )
    })?;
    log::info!("'{}' has {} configuration file(s)", path.display(), files.len());
    Ok(files)
}

fn read_stdin() -> Result<Vec<u8>, CliError> {
    let mut bytes = Vec::new();
    io::stdin()
        .take(MAX_STREAM_SIZE + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("cannot read standard input: {error}"))?;
    if bytes.len() as u64 > MAX_STREAM_SIZE {
        return Err(format!(
            "standard input is larger than {MAX_STREAM_SIZE} bytes, the most HAProxy reads from a stream; pass the file by name"
        )
        .into());
    }
    Ok(bytes)
}

/// Reads a regular file; FIFOs and devices are rejected before they are
/// opened, since opening a FIFO blocks and `/dev/zero` never ends.
pub(crate) fn read_regular_file(path: &Path) -> Result<Arc<[u8]>, CliError> {
    let metadata = std::fs::metadata(path)
        .map_err(|error| format!("cannot read '{}': {error}", path.display()))?;
    if !metadata.is_file() {
        return Err(format!(
            "cannot read '{}': not a regular file or directory; give the configuration files HAProxy loads",
            path.display()
        )
        .into());
    }
    let read =
        std::fs::File::open(path).and_then(|mut file| read_into_shared(&mut file, metadata.len()));
    read.map_err(|error| format!("cannot read '{}': {error}", path.display()).into())
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

/// Reads into `buffer` until it is full or the file ends; returns the bytes read.
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
}
