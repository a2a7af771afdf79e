//! `ringcfg check`: read configuration files, report every mistake in ring sections.
//!
//! The command only reads: it never creates, rotates or writes a backing
//! file, unlike `haproxy -c`.

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ringcfg::diag::render::{self, HumanOptions, OutputFormat};
use ringcfg::lex::Env;
use ringcfg::syntax::{BuildInfo, ReadOptions};
use ringcfg::{CheckOptions, Diagnostic, HaproxyVersion, Severity};

use super::CliError;

/// Arguments of `ringcfg check`.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Configuration files or directories, checked together as `haproxy -f A -f B` loads them; a directory stands for its *.cfg files; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Exit with status 1 on warnings too, not only on errors.
    #[arg(long)]
    deny_warnings: bool,

    /// HAProxy release whose rules apply, such as 3.5 or 2.8 [default: the
    /// version in --haproxy-vv, else the newest release this tool supports].
    #[arg(long, value_name = "MAJOR.MINOR", value_parser = parse_version)]
    haproxy_version: Option<HaproxyVersion>,

    /// Output of `haproxy -vv` of the target build: its version, feature list
    /// and TLS library then decide the `.if` predicates [default: the newest
    /// release this tool supports, on Linux without OpenSSL, Lua, PCRE2 or QUIC].
    #[arg(long, value_name = "FILE")]
    haproxy_vv: Option<PathBuf>,

    /// AWS-LC API version of the target build, for `awslc_api_atleast()`
    /// and `awslc_api_before()`: `haproxy -vv` does not print it.
    #[arg(long, value_name = "N", requires = "haproxy_vv")]
    awslc_api: Option<i64>,

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
    let sources = super::files::read_sources(&args.files)?;
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
        let build = read_build_info(path, &args.files)?;
        if let Some(text) = &build.version {
            // The build's own version decides version_atleast() unless
            // --haproxy-version names another release.
            let release = build_version(path, text);
            match (version, release) {
                (None, release) => {
                    version = Some(release?);
                    options.build_version = Some(text.clone());
                }
                (Some(wanted), Ok(release)) if wanted == release => {
                    options.build_version = Some(text.clone());
                }
                _ => {}
            }
        }
        build.apply(&mut options);
        log_build(path, &build);
    }
    if let Some(api) = args.awslc_api {
        set_awslc_api(&mut options, api, args)?;
    }
    options.version = version.unwrap_or(HaproxyVersion::NEWEST);
    Ok(options)
}

/// Sets the AWS-LC API version, which only an AWS-LC build has: HAProxy
/// rejects `awslc_api_atleast()` on any other.
fn set_awslc_api(options: &mut ReadOptions, api: i64, args: &Args) -> Result<(), CliError> {
    let vv = args.haproxy_vv.as_deref().unwrap_or(Path::new("-")).display();
    match &mut options.tls {
        Some(tls) if tls.name.contains("AWS-LC") => {
            tls.awslc_api = Some(api);
            Ok(())
        }
        Some(tls) => Err(format!(
            "--awslc-api applies only to AWS-LC builds; '{vv}' was built with {}",
            tls.name
        )
        .into()),
        None => {
            Err(format!("--awslc-api applies only to AWS-LC builds; '{vv}' names no TLS library")
                .into())
        }
    }
}

/// Reads the `haproxy -vv` output in `path`: a saved file, a pipe such as
/// `<(ssh lb haproxy -vv)`, or standard input for `-`.
fn read_build_info(path: &Path, configs: &[PathBuf]) -> Result<BuildInfo, CliError> {
    let fail = |error: io::Error| -> CliError {
        format!(
            "cannot use '{}' as --haproxy-vv: {error}; save the output with 'haproxy -vv > FILE'",
            path.display()
        )
        .into()
    };
    if path.as_os_str() == "-" {
        if configs.iter().any(|config| config.as_os_str() == "-") {
            return Err(
                "--haproxy-vv and a configuration cannot both be '-' (standard input)".into()
            );
        }
        return BuildInfo::read_from(io::stdin().lock()).map_err(fail);
    }
    if std::fs::metadata(path).map_err(fail)?.is_dir() {
        return Err(fail(io::Error::other("it is a directory")));
    }
    // A saved file and a pipe from process substitution read alike, since
    // the reader stops at a size no real output reaches.
    std::fs::File::open(path).and_then(BuildInfo::read_from).map_err(fail)
}

/// Logs the version and TLS library read from `haproxy -vv` output, for `--verbose`.
fn log_build(path: &Path, build: &BuildInfo) {
    let version = build.version.as_deref().unwrap_or("not given");
    let tls = build.tls.as_ref().map_or("none", |tls| tls.name.as_str());
    log::info!("build from '{}': HAProxy {version}, TLS library {tls}", path.display());

    // Without that line the TLS predicates fail on the configuration, which
    // is not where the mistake is.
    if build.lacks_tls_library() {
        log::warn!(
            "'{}' lists +OPENSSL but has no 'Built with OpenSSL version' line, so openssl_version_atleast() and its kin cannot be evaluated; save the whole output of 'haproxy -vv'",
            path.display()
        );
    }
}

/// Parses the version of a `haproxy -vv` output, naming the file when this
/// tool does not support that release.
fn build_version(path: &Path, text: &str) -> Result<HaproxyVersion, CliError> {
    text.parse().map_err(|_| {
        format!(
            "'{}' is the output of HAProxy {text}, whose rules this tool does not support (it supports {} to {}); pass --haproxy-version with the closest release",
            path.display(),
            HaproxyVersion::OLDEST,
            HaproxyVersion::NEWEST,
        )
        .into()
    })
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
}
