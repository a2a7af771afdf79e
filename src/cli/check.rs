//! `ringcfg check`: read configuration files, report every mistake in ring sections.
//!
//! The command only reads: it never creates, rotates or writes a backing
//! file, unlike `haproxy -c`.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Read, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use ringcfg::diag::render::{self, HumanOptions, OutputFormat};
use ringcfg::lex::Env;
use ringcfg::syntax::{BuildInfo, ReadOptions};
use ringcfg::{CheckOptions, Diagnostic, HaproxyVersion, Severity, SourceFile};

use super::CliError;

/// Arguments of `ringcfg check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Configuration files, checked together as `haproxy -f A -f B` loads them; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Exit with status 1 on warnings too, not only on errors.
    #[arg(long)]
    deny_warnings: bool,

    /// HAProxy release whose rules apply, such as 3.5 or 2.8 [default: the
    /// version in --haproxy-vv, else 3.5].
    #[arg(long, value_name = "MAJOR.MINOR", value_parser = parse_version)]
    haproxy_version: Option<HaproxyVersion>,

    /// Output of `haproxy -vv` of the target build: its version, feature list
    /// and TLS library then decide the `.if` predicates [default: HAProxy 3.5
    /// on Linux without OpenSSL, Lua, PCRE2 or QUIC].
    #[arg(long, value_name = "FILE")]
    haproxy_vv: Option<PathBuf>,

    /// Set an environment variable for "$NAME" expansion (repeatable).
    #[arg(short, long = "env", value_name = "NAME=VALUE", value_parser = parse_assignment)]
    env: Vec<(OsString, OsString)>,

    /// Remove an environment variable before expansion (repeatable).
    #[arg(long, value_name = "NAME")]
    unset: Vec<OsString>,

    /// Start from an empty environment instead of the process environment.
    #[arg(long)]
    clean_env: bool,
}

/// Output formats of `ringcfg check`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum Format {
    /// Reports with source snippets.
    Human,
    /// One line per diagnostic: FILE:LINE:COL: SEVERITY[CODE]: MESSAGE.
    Short,
    /// A JSON document.
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
}

impl From<Format> for OutputFormat {
    fn from(format: Format) -> Self {
        match format {
            Format::Human => OutputFormat::Human,
            Format::Short => OutputFormat::Short,
            Format::Json => OutputFormat::Json,
            Format::Sarif => OutputFormat::Sarif,
        }
    }
}

fn parse_version(text: &str) -> Result<HaproxyVersion, String> {
    text.parse().map_err(|error: ringcfg::version::ParseVersionError| error.to_string())
}

fn parse_assignment(text: &str) -> Result<(OsString, OsString), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.is_empty() => Ok((name.into(), value.into())),
        _ => Err(format!("invalid assignment '{text}': expected NAME=VALUE")),
    }
}

/// Runs `ringcfg check`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    let read = read_options(&args)?;
    let sources = read_sources(&args.files)?;
    for source in &sources {
        log::info!("checking '{}' ({} bytes)", source.name(), source.bytes().len());
    }
    log::info!("rules of HAProxy {}", read.version);
    let options = CheckOptions { read };
    let report = ringcfg::check(&sources, &options);
    log::info!(
        "found {} ring(s), {} reference(s), {} diagnostic(s)",
        report.rings.len(),
        report.references.len(),
        report.diagnostics.len()
    );

    let format = OutputFormat::from(args.format);
    let human = HumanOptions { color: use_color(), width: terminal_width() };
    let output = render::render(format, &report.diagnostics, &sources, human);
    super::write_stdout(output.as_bytes())?;
    if matches!(format, OutputFormat::Human) {
        writeln!(io::stderr(), "{}", summary(&report.diagnostics, sources.len()))?;
    }

    let errors = count(&report.diagnostics, Severity::Error);
    let warnings = count(&report.diagnostics, Severity::Warning);
    let failed = errors > 0 || (args.deny_warnings && warnings > 0);

    // The process ends next, and the system reclaims its memory at once.
    // Freeing the rings and references block by block was 5% of the
    // instructions of a check of 2,900 rings.
    std::mem::forget(report);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Builds the reader's options from the environment flags, the target
/// version and the build that `--haproxy-vv` describes.
fn read_options(args: &Args) -> Result<ReadOptions, CliError> {
    let mut options = ReadOptions { env: environment(args), ..ReadOptions::default() };
    let mut version = args.haproxy_version;
    if let Some(path) = &args.haproxy_vv {
        let build = read_build_info(path)?;
        if version.is_none() {
            version = build.version.as_deref().map(|text| build_version(path, text)).transpose()?;
        }
        build.apply(&mut options);
    }
    options.version = version.unwrap_or(HaproxyVersion::NEWEST);
    Ok(options)
}

/// Reads the `haproxy -vv` output in `path`.
fn read_build_info(path: &Path) -> Result<BuildInfo, CliError> {
    let bytes = read_regular_file(path)?;
    let build = BuildInfo::parse(&String::from_utf8_lossy(&bytes));
    if build.version.is_none() && build.features.is_none() {
        return Err(format!(
            "'{}' is not the output of 'haproxy -vv': it has no 'HAProxy version' or 'Feature list' line; save it with 'haproxy -vv > FILE'",
            path.display()
        )
        .into());
    }
    Ok(build)
}

/// Parses the version of a `haproxy -vv` output, naming the file when this
/// tool does not know that release.
fn build_version(path: &Path, text: &str) -> Result<HaproxyVersion, CliError> {
    text.parse().map_err(|error: ringcfg::version::ParseVersionError| {
        format!(
            "'{}': {error}; pass --haproxy-version with the closest release this tool knows",
            path.display()
        )
        .into()
    })
}

/// Largest configuration read from standard input, as HAProxy 3.5 caps
/// inputs whose size it cannot know in advance (`MAX_CFG_SIZE`, 10 MiB).
const MAX_STREAM_SIZE: u64 = 10 * 1024 * 1024;

/// Reads every file, or standard input for `-`, naming the file that fails.
fn read_sources(files: &[PathBuf]) -> Result<Vec<SourceFile>, CliError> {
    if files.iter().filter(|path| path.as_os_str() == "-").count() > 1 {
        return Err("'-' (standard input) may be given only once".into());
    }
    let mut sources = Vec::with_capacity(files.len());
    for path in files {
        let (name, bytes) = if path.as_os_str() == "-" {
            ("<stdin>".to_owned(), read_stdin()?.into())
        } else {
            (path.display().to_string(), read_regular_file(path)?)
        };
        sources.push(SourceFile::new(name, bytes));
    }
    Ok(sources)
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
fn read_regular_file(path: &Path) -> Result<Arc<[u8]>, CliError> {
    let metadata = std::fs::metadata(path)
        .map_err(|error| format!("cannot read '{}': {error}", path.display()))?;
    if !metadata.is_file() {
        return Err(format!(
            "cannot read '{}': not a regular file; give a configuration file, or '-' for standard input",
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

/// Builds the variables for "$NAME": the process environment unless
/// `--clean-env`, then every `--env`, then every `--unset`.
fn environment(args: &Args) -> Env {
    let mut env = Env::empty();
    if !args.clean_env {
        for (name, value) in std::env::vars_os() {
            env.set(name.into_vec(), value.into_vec());
        }
    }
    for (name, value) in &args.env {
        env.set(name.as_bytes(), value.as_bytes());
    }
    for name in &args.unset {
        env.unset(name.as_bytes());
    }
    env
}

fn use_color() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Returns `COLUMNS` when it is a number, else 80.
fn terminal_width() -> usize {
    std::env::var("COLUMNS").ok().and_then(|columns| columns.parse().ok()).unwrap_or(80)
}

fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics.iter().filter(|diag| diag.severity == severity).count()
}

/// Returns the one-line summary, such as `2 errors, 1 warning in 3 files`.
fn summary(diagnostics: &[Diagnostic], files: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut parts = vec![
        plural(count(diagnostics, Severity::Error), "error"),
        plural(count(diagnostics, Severity::Warning), "warning"),
    ];
    let advice = count(diagnostics, Severity::Advice);
    if advice > 0 {
        parts.push(format!("{advice} advice"));
    }
    format!("{} in {}", parts.join(", "), plural(files, "file"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_counts_and_plurals() {
        assert_eq!(summary(&[], 1), "0 errors, 0 warnings in 1 file");
        assert_eq!(summary(&[], 3), "0 errors, 0 warnings in 3 files");
    }

    #[test]
    fn assignment_needs_a_name() {
        assert!(parse_assignment("A=b=c").is_ok_and(|(name, value)| name == "A" && value == "b=c"));
        assert!(parse_assignment("=x").is_err());
        assert!(parse_assignment("NAME").is_err());
    }

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
    fn read_ignores_stale_metadata_size() {
        let text = b"ring logs\n    size 64k\n";
        for expected in [0, 1, 10, text.len() as u64, text.len() as u64 + 7, u64::MAX] {
            let mut file = Trickle { rest: text, interrupt: false };
            let read = read_into_shared(&mut file, expected.min(1 << 20));
            assert_eq!(read.expect("an in-memory read succeeds").as_ref(), text, "{expected}");
        }
    }
}
