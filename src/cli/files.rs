//! Reading configuration files the way `haproxy -f` does.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

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
                sources.push(read_regular_file(&file)?);
            }
        } else {
            sources.push(read_regular_file(path)?);
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

/// Reads a configuration file, naming it in any error.
fn read_regular_file(path: &Path) -> Result<SourceFile, CliError> {
    SourceFile::read(path).map_err(|error| {
        let help = match error.kind() {
            io::ErrorKind::InvalidInput => {
                "; give the configuration files or directories HAProxy loads"
            }
            _ => "",
        };
        format!("cannot read '{}': {error}{help}", path.display()).into()
    })
}
