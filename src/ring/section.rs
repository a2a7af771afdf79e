//! The walk of `ring` sections: one [`RingDef`] per valid section, a diagnostic per mistake.
//!
//! Lines are applied in order with HAProxy 3.5's semantics (src/sink.c,
//! `cfg_parse_ring`): the last `size` wins, `size` after `backing-file` fails,
//! a second `backing-file` fails and the first stays. After a `ring` line
//! that HAProxy rejects, it rejects every keyword of the section as well.
//! Those follow-on errors are not reported here, only their cause.

use compact_str::CompactString;
use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use foldhash::fast::RandomState;

use super::value::{self, Atol, SizeError, TimeError};
use super::{BackingFile, Code, LogFormat, LogProto, RingDef, RingServer, server};
use crate::diag::{Diagnostic, Severity};
use crate::lex::{Word, WordBytes};
use crate::source::{FileId, Span};
use crate::syntax::{Line, Section};
use crate::version::HaproxyVersion;

/// Keywords of a ring section, in the order HAProxy tests them.
pub const RING_KEYWORDS: [&str; 8] =
    ["ring", "size", "backing-file", "server", "timeout", "format", "maxlen", "description"];

/// Sinks every HAProxy process has, whose names a ring cannot take.
pub const BUILTIN_SINKS: [&str; 4] = ["stdout", "stderr", "buf0", "dpapi"];

/// Checks the ring sections of a run, file after file, and collects the rings.
///
/// ```
/// use ringcfg::ring::section::RingChecker;
/// use ringcfg::HaproxyVersion;
/// let checker = RingChecker::new(HaproxyVersion::NEWEST);
/// let (rings, diagnostics) = checker.finish();
/// assert!(rings.is_empty() && diagnostics.is_empty());
/// ```
#[derive(Debug)]
pub struct RingChecker {
    version: HaproxyVersion,
    /// The first definition of each ring name. The keys are words, which
    /// hold short names without a heap block of their own.
    names: HashMap<WordBytes, (FileId, Span), RandomState>,
    /// Whether each backing-file directory exists, so each is looked up once.
    /// Keyed by the bytes of the path, which hash faster than its components.
    directories: HashMap<OsString, bool, RandomState>,
    rings: Vec<RingDef>,
    diagnostics: Vec<Diagnostic>,
    /// The section whose lines are being applied.
    open: Option<OpenSection>,
    /// The line list of [`OtherSection`], kept from section to section so
    /// that its capacity is allocated once.
    spare_lines: LastLines,
}

/// The section a [`RingChecker`] is in.
#[derive(Debug)]
enum OpenSection {
    Ring(SectionWalk),
    Other(OtherSection),
}

/// A section other than `ring`, checked for ring keywords that strayed into it.
#[derive(Debug)]
struct OtherSection {
    file: FileId,
    keyword: WordBytes,
    /// The header statement, which diagnostics point back to.
    header: Span,
    in_global: bool,
    /// The last line of each keyword so far, to look back for a misspelled
    /// `ring` header once a stray keyword appears. Not filled any more once
    /// that search ran.
    lines: LastLines,
    /// The result of that search: the misspelled header and its line number.
    misspelled_ring: Option<Option<(Span, usize)>>,
}

/// The span and number of the last line of each keyword in a section.
///
/// One entry per keyword, not per line: a `global` section may have
/// thousands of `log` lines.
type LastLines = HashMap<WordBytes, (Span, usize), RandomState>;

impl RingChecker {
    /// Creates a checker that follows the rules of `version`.
    pub fn new(version: HaproxyVersion) -> Self {
        Self {
            version,
            names: HashMap::default(),
            directories: HashMap::default(),
            rings: Vec::new(),
            diagnostics: Vec::new(),
            open: None,
            spare_lines: LastLines::default(),
        }
    }

    /// Checks one section of `file`: a `ring` section is typed, any other
    /// is searched for ring keywords that belong to a ring.
    pub fn section(&mut self, file: FileId, section: &Section) {
        self.start_section(file, &section.header);
        for line in &section.lines {
            self.line(line);
        }
        self.end_section();
    }

    /// Starts a section of `file` at its header line, ending the one before.
    ///
    /// With [`RingChecker::line`] this checks a file as it streams from a
    /// [`Reader`](crate::syntax::Reader), without keeping its lines.
    pub fn start_section(&mut self, file: FileId, header: &Line) {
        self.end_section();
        let keyword = &header.words[0];
        self.open = Some(if keyword.c_str() == b"ring" {
            // The ring is pushed at once and filled in place: a `RingDef` is
            // large, and moving it from step to step showed in profiles.
            let valid = match self.header(file, header) {
                Some(ring) => {
                    self.rings.push(ring);
                    true
                }
                None => false,
            };
            OpenSection::Ring(SectionWalk {
                file,
                version: self.version,
                valid,
                diagnostics: Vec::new(),
            })
        } else {
            let mut lines = std::mem::take(&mut self.spare_lines);
            lines.clear();
            OpenSection::Other(OtherSection {
                file,
                keyword: keyword.value.clone(),
                header: statement_span(header),
                in_global: keyword.c_str() == b"global",
                lines,
                misspelled_ring: None,
            })
        });
    }

    /// Applies one keyword line to the section started last.
    pub fn line(&mut self, line: &Line) {
        match &mut self.open {
            Some(OpenSection::Ring(walk)) => {
                let ring = if walk.valid { self.rings.last_mut() } else { None };
                walk.line(line, ring, &mut self.directories);
            }
            Some(OpenSection::Other(section)) => {
                if let Some(diag) = section.line(line) {
                    self.diagnostics.push(diag);
                }
            }
            None => {}
        }
    }

    /// Ends the section started last: its ring, if valid, joins the others.
    pub fn end_section(&mut self) {
        match self.open.take() {
            Some(OpenSection::Ring(SectionWalk { valid, mut diagnostics, .. })) => {
                if let Some(ring) = self.rings.last().filter(|_| valid) {
                    check_capacity(ring, &mut diagnostics);
                }
                self.diagnostics.append(&mut diagnostics);
            }
            Some(OpenSection::Other(section)) => self.spare_lines = section.lines,
            None => {}
        }
    }

    /// Runs the checks that compare rings with each other and returns the
    /// rings and every diagnostic.
    pub fn finish(mut self) -> (Vec<RingDef>, Vec<Diagnostic>) {
        self.end_section();
        check_backing_files(&self.rings, &mut self.diagnostics);
        (self.rings, self.diagnostics)
    }

    /// Checks the `ring NAME` line and returns the new ring, or `None` when HAProxy rejects it.
    fn header(&mut self, file: FileId, header: &Line) -> Option<RingDef> {
        let keyword = &header.words[0];
        let Some(name_word) = header.words.get(1).filter(|word| !word.value.is_empty()) else {
            let span = header.words.get(1).map_or(keyword.span, |word| word.span);
            self.push(
                Diagnostic::new(Code::MissingRingName.info(), file, span, "missing ring name")
                    .with_label("a name is expected here")
                    .with_help("name the ring, such as `ring logs`"),
            );
            return None;
        };
        let name = CompactString::from(name_word.text());

        if let Some((at, _)) = value::invalid_name_char(&name_word.value) {
            let (shown, len) = describe_char_at(&name_word.value[at..]);
            self.push(
                Diagnostic::new(
                    Code::InvalidRingName.info(),
                    file,
                    sub_span(name_word, at, len),
                    format!("invalid ring name '{name}': character '{shown}' is not permitted"),
                )
                .with_label("not permitted in a ring name")
                .with_help("ring names may only use letters, digits, '.', '_', ':' and '-'"),
            );
            return None;
        }
        if BUILTIN_SINKS.contains(&name.as_str()) {
            self.push(
                Diagnostic::new(
                    Code::BuiltinSinkName.info(),
                    file,
                    name_word.span,
                    format!("ring name '{name}' is taken by a built-in sink"),
                )
                .with_label("built-in sink")
                .with_help("choose another name; stdout, stderr, buf0 and dpapi always exist"),
            );
            return None;
        }
        if let Some(&(first_file, first_span)) = self.names.get(&name_word.value) {
            self.push(
                Diagnostic::new(
                    Code::DuplicateRing.info(),
                    file,
                    name_word.span,
                    format!("ring '{name}' is already defined"),
                )
                .with_label("defined again here")
                .with_related(first_file, first_span, "first defined here")
                .with_help("rename this ring or merge the two sections"),
            );
            return None;
        }

        self.names.insert(name_word.value.clone(), (file, name_word.span));
        if let Some(diag) = extra_arguments(file, header, 2, "ring NAME") {
            self.push(diag);
        }
        Some(RingDef::new(name, file, name_word.span, statement_span(header)))
    }

    fn push(&mut self, diag: Diagnostic) {
        self.diagnostics.push(diag);
    }
}

impl OtherSection {
    /// Reports `line` when its keyword belongs in a ring section.
    fn line(&mut self, line: &Line) -> Option<Diagnostic> {
        let first = &line.words[0];
        let keyword = first.value.as_slice();
        let stray = keyword == b"backing-file"
            || (self.in_global && matches!(keyword, b"size" | b"maxlen" | b"format"));
        if !stray {
            if self.misspelled_ring.is_none() {
                let seen = (first.span, line.number);
                match self.lines.get_mut(keyword) {
                    Some(last) => *last = seen,
                    None => {
                        self.lines.insert(first.value.clone(), seen);
                    }
                }
            }
            return None;
        }
        let text = first.text();
        let diag = Diagnostic::new(
            Code::RingKeywordOutsideRing.info(),
            self.file,
            first.span,
            format!(
                "`{text}` is a ring keyword, but this line is in a '{}' section",
                String::from_utf8_lossy(crate::lex::c_str(&self.keyword))
            ),
        )
        .with_label("not valid here")
        .with_related(self.file, self.header, "the section this line belongs to");
        let diag = match self.misspelled_ring() {
            Some((span, number)) => {
                diag.with_related(self.file, span, "did you mean `ring`?").with_help(format!(
                    "line {number} looks like a misspelled `ring` header; write `ring` there"
                ))
            }
            None => diag.with_help("put the line under the `ring` line it belongs to"),
        };
        Some(diag)
    }

    /// Returns the last line before the first stray keyword that looks like
    /// a misspelled `ring` header, which leaves its keywords in the section
    /// above it.
    ///
    /// The search runs once, when the first stray keyword shows up: it
    /// compares lines with every section keyword, too slow for every line.
    fn misspelled_ring(&mut self) -> Option<(Span, usize)> {
        *self.misspelled_ring.get_or_insert_with(|| {
            self.lines
                .iter()
                .filter(|(keyword, _)| {
                    crate::syntax::closest_section_keyword(keyword) == Some("ring")
                })
                .map(|(_, &last)| last)
                .max_by_key(|&(_, number)| number)
        })
    }
}

/// The state of a ring section while its lines are applied.
#[derive(Debug)]
struct SectionWalk {
    file: FileId,
    version: HaproxyVersion,
    /// True when the `ring` line was valid: the ring is then the last of
    /// [`RingChecker::rings`].
    valid: bool,
    diagnostics: Vec<Diagnostic>,
}

impl SectionWalk {
    /// Applies `line` to `ring`, which is `None` after a failed `ring` line.
    fn line(
        &mut self,
        line: &Line,
        ring: Option<&mut RingDef>,
        directories: &mut HashMap<OsString, bool, RandomState>,
    ) {
        let keyword = line.words[0].value.as_slice();
        if !RING_KEYWORDS[1..].iter().any(|known| known.as_bytes() == keyword) {
            self.unknown_statement(line);
            return;
        }
        // HAProxy rejects every keyword after a failed `ring` line; the cause is already reported.
        let Some(ring) = ring else {
            return;
        };
        let ctx = LineContext { file: self.file, version: self.version, line };
        let out = &mut self.diagnostics;
        match keyword {
            b"size" => apply_size(&ctx, ring, out),
            b"backing-file" => apply_backing_file(&ctx, ring, directories, out),
            b"server" => apply_server(&ctx, ring, out),
            b"timeout" => apply_timeout(&ctx, ring, out),
            b"format" => apply_format(&ctx, ring, out),
            b"maxlen" => apply_maxlen(&ctx, ring, out),
            _ => apply_description(&ctx, ring, out),
        }
    }

    fn unknown_statement(&mut self, line: &Line) {
        let word = &line.words[0];
        let text = word.text();
        let mut diag = Diagnostic::new(
            Code::UnknownStatement.info(),
            self.file,
            word.span,
            format!("unknown statement '{text}' in a ring section"),
        )
        .with_label("unknown here");
        diag = match suggest(&text, &RING_KEYWORDS[1..]) {
            Some(keyword) => diag.with_help(format!("did you mean '{keyword}'?")),
            None => {
                diag.with_help(format!("a ring section accepts {}", RING_KEYWORDS[1..].join(", ")))
            }
        };
        self.diagnostics.push(diag);
    }
}

/// Returns the candidate closest to `text`, when one is close enough to be a typo.
pub(crate) fn suggest<'a>(text: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let lower = text.to_ascii_lowercase();
    candidates
        .iter()
        .map(|candidate| (strsim::jaro_winkler(&lower, candidate), *candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

/// The line under check, with the file and version every keyword check needs.
struct LineContext<'a> {
    file: FileId,
    version: HaproxyVersion,
    line: &'a Line,
}

impl LineContext<'_> {
    fn word(&self, index: usize) -> Option<&Word> {
        self.line.words.get(index)
    }

    fn keyword(&self) -> &Word {
        &self.line.words[0]
    }

    /// Returns the span of word `index`, or of the keyword when the word is missing.
    fn span_of(&self, index: usize) -> Span {
        self.word(index).map_or(self.keyword().span, |word| word.span)
    }

    fn diag(&self, code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code.info(), self.file, span, message)
    }

    fn statement_span(&self) -> Span {
        statement_span(self.line)
    }

    fn extra(&self, first_extra: usize, usage: &str, out: &mut Vec<Diagnostic>) {
        out.extend(extra_arguments(self.file, self.line, first_extra, usage));
    }
}

/// Returns the span from the first word of `line` to its last, without
/// indentation or a trailing comment.
fn statement_span(line: &Line) -> Span {
    let first = line.words[0].span;
    first.to(line.words[line.words.len() - 1].span)
}

/// Returns a span inside `word`, or the whole word when quoting or
/// expansion make offsets in the value differ from offsets in the source.
pub(crate) fn sub_span(word: &Word, at: usize, len: usize) -> Span {
    if word.span.len() != word.value.len() {
        return word.span;
    }
    let start = word.span.start + at.min(word.value.len());
    Span::new(start, (start + len).min(word.span.end))
}

fn extra_arguments(
    file: FileId,
    line: &Line,
    first_extra: usize,
    usage: &str,
) -> Option<Diagnostic> {
    let extra = line.words.get(first_extra..).filter(|words| !words.is_empty())?;
    let span = extra[0].span.to(extra[extra.len() - 1].span);
    let count = extra.len();
    let noun = if count == 1 { "argument" } else { "arguments" };
    Some(
        Diagnostic::new(
            Code::ExtraArguments.info(),
            file,
            span,
            format!("{count} extra {noun} after `{usage}`, which HAProxy ignores"),
        )
        .with_label("ignored")
        .with_help("remove the extra words, or quote the value if it contains spaces"),
    )
}

fn apply_size(ctx: &LineContext<'_>, ring: &mut RingDef, out: &mut Vec<Diagnostic>) {
    let Some(size) = parse_size_line(ctx, out) else {
        return;
    };
    ctx.extra(2, "size SIZE", out);

    if let (Some(path), Some(path_line)) = (&ring.backing_file, ring.lines.backing_file) {
        out.push(
            ctx.diag(
                Code::SizeAfterBackingFile,
                ctx.statement_span(),
                "`size` after `backing-file`: HAProxy cannot resize a mapped file",
            )
            .with_label("size set here")
            .with_related(ctx.file, path_line, format!("'{}' is mapped here", path.path.display()))
            .with_help("move `size` above `backing-file`"),
        );
        return;
    }

    let current = ring.allocated_size();
    if let Some(diag) = ignored_size(ctx, size, current) {
        out.push(diag);
        return;
    }
    ring.size = Some(size);
    ring.lines.size = Some(ctx.statement_span());
}

/// Parses the value of a `size` line with the target version's rules.
fn parse_size_line(ctx: &LineContext<'_>, out: &mut Vec<Diagnostic>) -> Option<u64> {
    let Some(word) = ctx.word(1).filter(|word| !word.value.is_empty()) else {
        out.push(
            ctx.diag(Code::InvalidSize, ctx.span_of(1), "missing value for `size`")
                .with_label("a size is expected here")
                .with_help("give the allocated size in bytes, header included, such as `size 64k`"),
        );
        return None;
    };
    if !value::size_has_units(ctx.version) {
        return parse_legacy_size(ctx, word, out);
    }

    let text = word.text();
    match value::parse_size(&word.value) {
        Ok(size) => Some(size),
        Err(SizeError::Syntax { at }) => {
            out.push(
                ctx.diag(Code::InvalidSize, sub_span(word, at, word.value.len() - at), format!("invalid size '{text}'"))
                    .with_label("expected digits and at most one unit letter")
                    .with_help("write a number of bytes with an optional k, m, g, t or p suffix (1024-based), such as `size 64k`"),
            );
            None
        }
        Err(SizeError::Zero) => {
            out.push(
                ctx.diag(Code::ZeroSize, word.span, "size must not be zero")
                    .with_label("zero")
                    .with_help("remove the line to keep the default of 16384 bytes"),
            );
            None
        }
        Err(SizeError::Overflow | SizeError::TooLarge(_)) => {
            out.push(
                ctx.diag(Code::SizeTooLarge, word.span, format!("size '{text}' is too large"))
                    .with_label("above 2^63 bytes")
                    .with_help(
                        "HAProxy accepts at most 9223372036854775808 bytes on 64-bit platforms",
                    ),
            );
            None
        }
    }
}

/// Reads `size` as HAProxy before 3.1 did, through `atol`.
fn parse_legacy_size(ctx: &LineContext<'_>, word: &Word, out: &mut Vec<Diagnostic>) -> Option<u64> {
    let text = word.text();
    let Atol { value, used, has_digits } = value::legacy_size(&word.value);
    if !has_digits || value == 0 {
        let code = if has_digits { Code::ZeroSize } else { Code::InvalidSize };
        out.push(
            ctx.diag(
                code,
                word.span,
                format!("invalid size '{text}': HAProxy {} reads it as 0", ctx.version),
            )
            .with_label("read as 0")
            .with_help("give the allocated size in bytes"),
        );
        return None;
    }
    if value < 0 {
        out.push(
            ctx.diag(Code::InvalidSize, word.span, format!("negative size '{text}'"))
                .with_label("negative")
                .with_help("give the allocated size in bytes"),
        );
        return None;
    }
    if used < word.value.len() {
        out.push(
            ctx.diag(
                Code::SizeUnitDropped,
                sub_span(word, used, word.value.len() - used),
                format!("HAProxy {} reads size '{text}' as {value} bytes", ctx.version),
            )
            .with_label("dropped before HAProxy 3.1")
            .with_help("write the number of bytes; units are read only from HAProxy 3.1 on"),
        );
    }
    Some(value as u64)
}

/// Returns the warning for a size HAProxy ignores, or `None` when it applies.
fn ignored_size(ctx: &LineContext<'_>, size: u64, current: u64) -> Option<Diagnostic> {
    if ctx.version.at_least(3, 0) {
        if size > value::RING_HEADER_SIZE + 1 {
            return None;
        }
        let diag = ctx
            .diag(
                Code::SizeIgnored,
                ctx.statement_span(),
                format!("size {size} is silently ignored: the ring keeps {current} bytes"),
            )
            .with_label("ignored")
            .with_help(
                "`size` counts the 192-byte header too; HAProxy ignores sizes of 193 bytes or less",
            );
        return Some(diag);
    }
    if size >= current {
        return None;
    }
    // HAProxy 2.7 and 2.8 flag this warning as fatal; 2.9 made it a plain warning.
    let severity = if ctx.version.at_least(2, 9) { Severity::Warning } else { Severity::Error };
    Some(
        ctx.diag(
            Code::SizeIgnored,
            ctx.statement_span(),
            format!(
                "size {size} is smaller than the current size {current}: HAProxy {} ignores it",
                ctx.version
            ),
        )
        .with_severity(severity)
        .with_label("ignored")
        .with_help("releases before 3.0 cannot shrink a ring; give a size of at least 16384 bytes"),
    )
}

fn apply_backing_file(
    ctx: &LineContext<'_>,
    ring: &mut RingDef,
    directories: &mut HashMap<OsString, bool, RandomState>,
    out: &mut Vec<Diagnostic>,
) {
    if let (Some(first), Some(first_line)) = (&ring.backing_file, ring.lines.backing_file) {
        out.push(
            ctx.diag(
                Code::BackingFileTwice,
                ctx.statement_span(),
                format!("`backing-file` already given for ring '{}'", ring.name),
            )
            .with_label("second backing-file")
            .with_related(
                ctx.file,
                first_line,
                format!("HAProxy keeps '{}', then fails", first.path.display()),
            )
            .with_help("keep only one `backing-file` line"),
        );
        return;
    }
    let Some(word) = ctx.word(1).filter(|word| !word.value.is_empty()) else {
        out.push(
            ctx.diag(Code::MissingBackingFilePath, ctx.span_of(1), "`backing-file` needs a path")
                .with_label("a path is expected here")
                .with_help("give the file to map the ring to, or remove the line to keep the ring in memory"),
        );
        return;
    };
    ctx.extra(2, "backing-file PATH", out);

    let path = PathBuf::from(OsStr::from_bytes(&word.value));
    if let Some(diag) = missing_directory(ctx, word, &path, directories) {
        out.push(diag);
    }
    ring.backing_file = Some(BackingFile { path, span: word.span });
    ring.lines.backing_file = Some(ctx.statement_span());
}

fn missing_directory(
    ctx: &LineContext<'_>,
    word: &Word,
    path: &Path,
    directories: &mut HashMap<OsString, bool, RandomState>,
) -> Option<Diagnostic> {
    let directory = path.parent().filter(|_| path.is_absolute())?;
    // Looked up before inserting, so that a directory seen before costs no
    // allocation: most rings of a file share one directory.
    let exists = match directories.get(directory.as_os_str()) {
        Some(exists) => *exists,
        None => {
            let exists = directory.is_dir();
            directories.insert(directory.as_os_str().to_owned(), exists);
            exists
        }
    };
    if directory.as_os_str().is_empty() || exists {
        return None;
    }
    Some(
        ctx.diag(
            Code::BackingFileDirectoryMissing,
            word.span,
            format!("directory '{}' does not exist", directory.display()),
        )
        .with_label("HAProxy cannot create this file")
        .with_help("create the directory first; HAProxy creates the file but not its directory"),
    )
}

fn apply_server(ctx: &LineContext<'_>, ring: &mut RingDef, out: &mut Vec<Diagnostic>) {
    let (Some(name), Some(address)) = (ctx.word(1), ctx.word(2)) else {
        out.push(
            ctx.diag(
                Code::MissingServerAddress,
                ctx.statement_span(),
                "`server` expects a name and an address",
            )
            .with_label("name or address missing")
            .with_help("write `server NAME ADDRESS:PORT`, such as `server syslog 192.0.2.10:6514`"),
        );
        return;
    };
    let address_text = CompactString::from(address.text());
    if let Err(error) = server::check_address(&address_text) {
        out.push(
            ctx.diag(
                Code::InvalidServerAddress,
                sub_span(address, error.at, error.len.max(1)),
                format!("invalid server address '{address_text}'"),
            )
            .with_label(error.reason)
            .with_help("write HOST:PORT, IPV4:PORT, [IPV6]:PORT or a unix@/abns@ socket"),
        );
    }

    let params: Vec<String> =
        ctx.line.words[3..].iter().map(|word| word.text().into_owned()).collect();
    let mut log_proto = LogProto::Legacy;
    for (index, param) in params.iter().enumerate() {
        let word = &ctx.line.words[3 + index];
        if param.starts_with("send-proxy") {
            out.push(
                ctx.diag(
                    Code::SendProxyIgnored,
                    word.span,
                    format!("`{param}` is ignored on a ring server"),
                )
                .with_label("ignored by HAProxy")
                .with_help("rings never send the PROXY protocol; remove the option"),
            );
        } else if param == "backup" {
            out.push(
                ctx.diag(Code::BackupServer, word.span, "`backup` means nothing on a ring server")
                    .with_label("every server receives every message")
                    .with_help("remove `backup`; a ring sends each message to all its servers"),
            );
        } else if param == "log-proto" {
            log_proto = match params.get(index + 1).map(String::as_str) {
                Some("legacy") => LogProto::Legacy,
                Some("octet-count") => LogProto::OctetCount,
                other => LogProto::Other(other.unwrap_or_default().to_owned()),
            };
        }
    }

    if let [first] = ring.servers.as_slice() {
        out.push(
            ctx.diag(
                Code::SeveralServers,
                name.span,
                format!("ring '{}' has more than one server", ring.name),
            )
            .with_label("another reader of the ring")
            .with_related(ctx.file, first.span, "first server")
            .with_help("the slowest server sets the pace of all; give each server its own ring if their speeds differ"),
        );
    }
    // A ring has one server in all but rare configurations, and a first
    // `push` would reserve room for four, 512 bytes a ring.
    if ring.servers.is_empty() {
        ring.servers.reserve_exact(1);
    }
    ring.servers.push(RingServer {
        name: CompactString::from(name.text()),
        address: address_text,
        address_span: address.span,
        params,
        log_proto,
        span: ctx.statement_span(),
    });
}

fn apply_timeout(ctx: &LineContext<'_>, ring: &mut RingDef, out: &mut Vec<Diagnostic>) {
    let (kind, usage) = match ctx.word(1).map(|word| word.value.as_slice()) {
        Some(b"connect") => ("connect", "timeout connect TIME"),
        Some(b"server") => ("server", "timeout server TIME"),
        _ => {
            let span = ctx.span_of(1);
            let message = match ctx.word(1) {
                Some(kind) => {
                    format!("`timeout {}` is silently ignored in a ring section", kind.text())
                }
                None => "`timeout` without a name is silently ignored".to_owned(),
            };
            out.push(
                ctx.diag(Code::IgnoredTimeout, span, message)
                    .with_label("ignored by HAProxy")
                    .with_help("rings only use `timeout connect` and `timeout server`"),
            );
            return;
        }
    };

    let Some(word) = ctx.word(2).filter(|word| !word.value.is_empty()) else {
        out.push(
            ctx.diag(
                Code::MissingTimeout,
                ctx.span_of(2),
                format!("`timeout {kind}` expects a time"),
            )
            .with_label("a time is expected here")
            .with_help(format!("give a time with a unit, such as `timeout {kind} 5s`")),
        );
        return;
    };
    let text = word.text();
    let ms = match value::parse_time_ms(&word.value) {
        Ok(ms) => ms,
        Err(TimeError::Unexpected { at }) => {
            let bad = char::from(word.value[at]).escape_default();
            out.push(
                ctx.diag(
                    Code::InvalidTimeout,
                    sub_span(word, at, 1),
                    format!("unexpected character '{bad}' in `timeout {kind} {text}`"),
                )
                .with_label("unexpected here")
                .with_help(
                    "write digits with an optional unit: us, ms (the default), s, m, h or d",
                ),
            );
            return;
        }
        Err(error) => {
            let (label, help) = match error {
                TimeError::Overflow => ("above 2147483647 ms (about 24.8 days)", "use at most 24d"),
                _ => ("rounds down to 0 ms", "use 0 for no timeout, or at least 1ms"),
            };
            out.push(
                ctx.diag(
                    Code::TimeoutOutOfRange,
                    word.span,
                    format!("`timeout {kind} {text}` is out of range"),
                )
                .with_label(label)
                .with_help(help),
            );
            return;
        }
    };
    ctx.extra(3, usage, out);

    if kind == "connect" {
        ring.timeout_connect = Some(ms);
        ring.lines.timeout_connect = Some(ctx.statement_span());
    } else {
        ring.timeout_server = Some(ms);
        ring.lines.timeout_server = Some(ctx.statement_span());
    }
}

fn apply_format(ctx: &LineContext<'_>, ring: &mut RingDef, out: &mut Vec<Diagnostic>) {
    let text = ctx.word(1).map(Word::text).unwrap_or_default();
    let Some(format) = LogFormat::from_name(&text) else {
        let names: Vec<&str> = LogFormat::ALL.iter().map(|format| format.name()).collect();
        let help = match suggest(&text, &names) {
            Some(name) => format!("did you mean '{name}'? format names are lowercase"),
            None => format!("use one of {}", names.join(", ")),
        };
        let message = if text.is_empty() {
            "missing format".to_owned()
        } else {
            format!("unknown format '{text}'")
        };
        let label =
            if text.is_empty() { "a format name is expected here" } else { "not a log format" };
        out.push(
            ctx.diag(Code::UnknownFormat, ctx.span_of(1), message)
                .with_label(label)
                .with_help(help),
        );
        return;
    };
    ctx.extra(2, "format NAME", out);
    ring.format = format;
    ring.lines.format = Some(ctx.statement_span());
}

fn apply_maxlen(ctx: &LineContext<'_>, ring: &mut RingDef, out: &mut Vec<Diagnostic>) {
    let empty = Word { span: ctx.span_of(1), value: WordBytes::default() };
    let word = ctx.word(1).unwrap_or(&empty);
    let text = word.text();
    let parsed = value::atol(&word.value);
    if !parsed.has_digits {
        out.push(
            ctx.diag(Code::InvalidMaxlen, word.span, format!("invalid maxlen '{text}'"))
                .with_label("not a number")
                .with_help(
                    "give the maximum message length in bytes, or remove the line for no limit",
                ),
        );
        return;
    }

    let maxlen = parsed.value as u32;
    if maxlen == 0 {
        out.push(
            ctx.diag(Code::ZeroMaxlen, word.span, zero_maxlen_message(&text))
                .with_label("read as 0")
                .with_help("remove the line for no limit, or give a length in bytes"),
        );
        return;
    }

    let plain = parsed.used == word.value.len()
        && word.value.iter().all(u8::is_ascii_digit)
        && i64::from(maxlen) == parsed.value;
    if !plain {
        out.push(
            ctx.diag(
                Code::LenientMaxlen,
                word.span,
                format!("HAProxy reads maxlen '{text}' as {maxlen}"),
            )
            .with_label(format!("HAProxy uses {maxlen}"))
            .with_help(format!("write `maxlen {maxlen}` if that is the intent")),
        );
    }
    ctx.extra(2, "maxlen LENGTH", out);
    ring.maxlen = Some(maxlen);
    ring.lines.maxlen = Some(ctx.statement_span());
}

fn zero_maxlen_message(text: &str) -> String {
    if text.bytes().all(|b| b == b'0') {
        "maxlen must not be zero".to_owned()
    } else {
        format!("maxlen '{text}' wraps to 0 in HAProxy's 32-bit field")
    }
}

fn apply_description(ctx: &LineContext<'_>, ring: &mut RingDef, out: &mut Vec<Diagnostic>) {
    let Some(word) = ctx.word(1) else {
        out.push(
            ctx.diag(Code::MissingDescription, ctx.keyword().span, "missing ring description text")
                .with_label("text expected after this")
                .with_help("write a description, quoted if it has spaces, or remove the line"),
        );
        return;
    };
    ctx.extra(2, "description TEXT", out);
    ring.description = Some(CompactString::from(word.text()));
    ring.lines.description = Some(ctx.statement_span());
}

/// Checks what the finished ring can store against its `maxlen`.
fn check_capacity(ring: &RingDef, out: &mut Vec<Diagnostic>) {
    let Some(capacity) = ring.max_payload() else {
        let span = ring.lines.size.unwrap_or(ring.header_span);
        out.push(
            Diagnostic::new(
                Code::RingTooSmall.info(),
                ring.file,
                span,
                format!(
                    "ring '{}' is too small to hold any message: its area is {} bytes",
                    ring.name,
                    ring.usable_size()
                ),
            )
            .with_label("too small")
            .with_help("a message of L bytes needs L + 1 + 4 bytes of area or more; raise `size`"),
        );
        return;
    };
    let (Some(maxlen), Some(line)) = (ring.maxlen, ring.lines.maxlen) else {
        return;
    };
    if u64::from(maxlen) <= capacity {
        return;
    }
    let mut diag = Diagnostic::new(
        Code::MaxlenExceedsCapacity.info(),
        ring.file,
        line,
        format!("maxlen {maxlen} exceeds what ring '{}' can store: {capacity} bytes", ring.name),
    )
    .with_label(format!("at most {capacity} bytes fit"))
    .with_help(format!(
        "HAProxy lowers it to {}, two bytes too many: set `maxlen {capacity}` or raise `size`",
        ring.haproxy_max_payload()
    ));
    if let Some(size_line) = ring.lines.size {
        diag = diag.with_related(ring.file, size_line, "the size that sets the capacity");
    }
    out.push(diag);
}

/// Reports rings that share a backing file or use another's `.bak` file.
fn check_backing_files(rings: &[RingDef], out: &mut Vec<Diagnostic>) {
    let mut owners: HashMap<&Path, &RingDef, RandomState> = HashMap::default();
    for ring in rings {
        let Some(file) = &ring.backing_file else { continue };
        match owners.get(file.path.as_path()) {
            Some(first) => out.push(
                Diagnostic::new(
                    Code::SharedBackingFile.info(),
                    ring.file,
                    file.span,
                    format!("ring '{}' uses the backing file of ring '{}'", ring.name, first.name),
                )
                .with_label("same file")
                .with_related(
                    first.file,
                    backing_span(first),
                    format!("ring '{}' maps it here", first.name),
                )
                .with_help(
                    "give each ring its own backing file; two rings would overwrite each other",
                ),
            ),
            None => {
                owners.insert(&file.path, ring);
            }
        }
    }

    for ring in rings {
        let Some(file) = &ring.backing_file else { continue };
        let mut backup = file.path.as_os_str().to_owned();
        backup.push(".bak");
        let Some(victim) = owners.get(Path::new(&backup)) else { continue };
        out.push(
            Diagnostic::new(
                Code::BackingFileIsBackup.info(),
                victim.file,
                backing_span(victim),
                format!("ring '{}' uses the backup file of ring '{}'", victim.name, ring.name),
            )
            .with_label("overwritten when the other ring rotates its file")
            .with_related(
                ring.file,
                file.span,
                format!("ring '{}' renames its file to .bak here", ring.name),
            )
            .with_help("choose a file name that is not another ring's file plus `.bak`"),
        );
    }
}

fn backing_span(ring: &RingDef) -> Span {
    ring.backing_file.as_ref().map_or(ring.name_span, |file| file.span)
}

/// Describes the character that starts `bytes` for a message, and its length in bytes.
///
/// A multi-byte UTF-8 character is shown whole (`é`, not its first byte);
/// control characters are escaped, and a byte that starts no valid UTF-8
/// character is shown as `\xNN`.
fn describe_char_at(bytes: &[u8]) -> (String, usize) {
    let chunk = bytes.utf8_chunks().next();
    match chunk.and_then(|chunk| chunk.valid().chars().next()) {
        Some(ch) if ch.is_control() => (ch.escape_default().to_string(), ch.len_utf8()),
        Some(ch) => (ch.to_string(), ch.len_utf8()),
        None => (format!("\\x{:02x}", bytes.first().copied().unwrap_or(0)), 1),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Splits `text` into sections the way the reader would for plain,
    /// unquoted lines: enough to test the walk without the real reader.
    pub(crate) fn sections(text: &str) -> Vec<Section> {
        const KEYWORDS: [&str; 9] = [
            "ring",
            "global",
            "defaults",
            "frontend",
            "backend",
            "listen",
            "log-forward",
            "traces",
            "peers",
        ];
        let mut sections: Vec<Section> = Vec::new();
        let mut offset = 0;
        for (index, raw) in text.split('\n').enumerate() {
            let words: Vec<Word> = raw
                .split_whitespace()
                .map(|word| {
                    let start = offset + (word.as_ptr() as usize - raw.as_ptr() as usize);
                    Word {
                        span: Span::new(start, start + word.len()),
                        value: word.as_bytes().into(),
                    }
                })
                .collect();
            let line =
                Line { number: index + 1, span: Span::new(offset, offset + raw.len()), words };
            offset += raw.len() + 1;
            let Some(first) = line.words.first() else { continue };
            let first = first.text().into_owned();
            if KEYWORDS.contains(&first.as_str()) {
                sections.push(Section { keyword: first, header: line, lines: Vec::new() });
            } else if let Some(section) = sections.last_mut() {
                section.lines.push(line);
            }
        }
        sections
    }

    fn walk(text: &str) -> (Vec<RingDef>, Vec<Diagnostic>) {
        let mut checker = RingChecker::new(HaproxyVersion::NEWEST);
        for section in sections(text) {
            checker.section(0, &section);
        }
        checker.finish()
    }

    fn codes(text: &str) -> Vec<&'static str> {
        walk(text).1.iter().map(Diagnostic::code).collect()
    }

    #[test]
    fn valid_ring_is_typed() {
        let (rings, diags) = walk(
            "ring r1\n description test\n format rfc5424\n maxlen 1200\n size 32768\n \
             backing-file /tmp/r1.bin\n timeout connect 5s\n timeout server 10s\n \
             server s1 127.0.0.1:6514 log-proto octet-count",
        );
        assert!(diags.is_empty(), "{diags:?}");
        let ring = &rings[0];
        assert_eq!(ring.description.as_deref(), Some("test"));
        assert_eq!(ring.format, LogFormat::Rfc5424);
        assert_eq!(ring.maxlen, Some(1200));
        assert_eq!(ring.allocated_size(), 32768);
        assert_eq!(ring.file_size(), Some(32768));
        assert_eq!(ring.usable_size(), 32576);
        assert_eq!(ring.backing_file.as_ref().unwrap().path, Path::new("/tmp/r1.bin"));
        assert_eq!(ring.timeout_connect, Some(5000));
        assert_eq!(ring.timeout_server, Some(10000));
        assert_eq!(ring.servers[0].log_proto, LogProto::OctetCount);
        assert_eq!(ring.effective_maxlen(), 1200);
    }

    #[test]
    fn ordering_rules() {
        assert_eq!(codes("ring r1\n backing-file /tmp/a\n size 65536"), ["R006"]);
        assert_eq!(codes("ring r1\n backing-file /tmp/a\n backing-file /tmp/b"), ["R005"]);
        let (rings, _) = walk("ring r1\n backing-file /tmp/a\n backing-file /tmp/b");
        assert_eq!(rings[0].backing_file.as_ref().unwrap().path, Path::new("/tmp/a"));
        let (rings, _) = walk("ring r1\n size 1000\n size 500\n size 200000");
        assert_eq!(rings[0].allocated_size(), 200000);
    }

    #[test]
    fn failed_header_reports_once() {
        assert_eq!(codes("ring r1\nring r1\n size 100000\n format raw"), ["R003"]);
        assert_eq!(codes("ring buf0\nring stdout\n size 1"), ["R004", "R004"]);
        assert_eq!(codes("ring my/ring\n foo"), ["R002", "R029"]);
        assert_eq!(codes("ring"), ["R001"]);
    }

    #[test]
    fn size_values() {
        assert_eq!(codes("ring r1\n size 0"), ["R008"]);
        assert_eq!(codes("ring r1\n size 10kB"), ["R007"]);
        assert_eq!(codes("ring r1\n size"), ["R007"]);
        assert_eq!(codes("ring r1\n size 9223372036854775809"), ["R009"]);
        assert_eq!(codes("ring r1\n size 193"), ["R010"]);
        assert_eq!(codes("ring r1\n size 195"), ["R012"]);
        assert_eq!(codes("ring r1\n size 8192 junk"), ["R019"]);
    }

    #[test]
    fn legacy_size_drops_units() {
        let mut checker = RingChecker::new(HaproxyVersion::new(2, 7));
        for section in sections("ring r1\n size 64k") {
            checker.section(0, &section);
        }
        let (_, diags) = checker.finish();
        let found: Vec<_> = diags.iter().map(|d| (d.code(), d.severity)).collect();
        assert_eq!(found, [("R011", Severity::Warning), ("R010", Severity::Error)]);
    }

    #[test]
    fn maxlen_values() {
        assert_eq!(codes("ring r1\n maxlen 0"), ["R014"]);
        assert_eq!(codes("ring r1\n maxlen abc"), ["R013"]);
        assert_eq!(codes("ring r1\n maxlen 12abc"), ["R015"]);
        assert_eq!(codes("ring r1\n maxlen -1"), ["R015", "R016"]);
        assert_eq!(codes("ring r1\n maxlen 999999"), ["R016"]);
        assert_eq!(codes("ring r1\n size 1000\n maxlen 802"), Vec::<&str>::new());
        assert_eq!(codes("ring r1\n size 1000\n maxlen 803"), ["R016"]);
    }

    #[test]
    fn other_keywords() {
        assert_eq!(codes("ring r1\n format RAW"), ["R017"]);
        assert_eq!(codes("ring r1\n description"), ["R018"]);
        assert_eq!(codes("ring r1\n description a b"), ["R019"]);
        assert_eq!(codes("ring r1\n timeout connect"), ["R020"]);
        assert_eq!(codes("ring r1\n timeout server 5x"), ["R021"]);
        assert_eq!(codes("ring r1\n timeout connect 30d"), ["R022"]);
        assert_eq!(codes("ring r1\n timeout client 5s\n timeout"), ["R023", "R023"]);
        assert_eq!(codes("ring r1\n server s1"), ["R024"]);
        assert_eq!(codes("ring r1\n server s1 1.2.3.4:99999"), ["R025"]);
        assert_eq!(codes("ring r1\n server s1 1.2.3.4:514 send-proxy"), ["R026"]);
        assert_eq!(codes("ring r1\n server s1 1.2.3.4:514 backup"), ["R027"]);
        assert_eq!(codes("ring r1\n server a 1.2.3.4:514\n server b 1.2.3.5:514"), ["R028"]);
        assert_eq!(codes("ring r1\n sise 100"), ["R029"]);
        assert_eq!(codes("ring r1\n backing-file"), ["R032"]);
        assert_eq!(codes("ring r1\n backing-file /nonexistent-dir/x"), ["R033"]);
    }

    #[test]
    fn ring_keywords_in_other_sections() {
        assert_eq!(codes("global\n maxconn 10\n backing-file /tmp/x\n size 10"), ["R034", "R034"]);
        assert_eq!(codes("backend b\n format x\n backing-file /tmp/x"), ["R034"]);
    }

    #[test]
    fn backing_files_across_rings() {
        assert_eq!(codes("ring a\n backing-file /tmp/x\nring b\n backing-file /tmp/x"), ["R030"]);
        assert_eq!(
            codes("ring a\n backing-file /tmp/x\nring b\n backing-file /tmp/x.bak"),
            ["R031"]
        );
    }

    #[test]
    fn suggestion_for_typos() {
        assert_eq!(suggest("sise", &RING_KEYWORDS), Some("size"));
        assert_eq!(suggest("max-len", &RING_KEYWORDS), Some("maxlen"));
        assert_eq!(suggest("RAW", &["raw", "iso"]), Some("raw"));
        assert_eq!(suggest("zzz", &RING_KEYWORDS), None);
    }
}
