//! Lines to sections: conditional blocks, message directives and section detection.
//!
//! [`read`] follows HAProxy 3.5's `parse_cfg()` (src/cfgparse.c) line by line:
//! it splits the file into lines, tokenizes each one with [`crate::lex`],
//! applies `.if`/`.elif`/`.else`/`.endif`, turns `.alert`, `.warning`,
//! `.notice` and `.diag` into diagnostics, rejects empty arguments, and groups
//! the remaining lines under the section header that precedes them. Where
//! HAProxy stops reading a file (`.alert`, an unknown directive, a stray NUL
//! byte, a broken conditional), so does the reader.
//!
//! HAProxy 3.x reads the files twice. The first pass checks the line format
//! and the conditional blocks and skips message directives; the second pass
//! does everything else. An `.alert` or an unknown directive stops only the
//! second pass, so the reader keeps checking the line format after them; and
//! when the first pass fails, HAProxy exits before any `.warning` or
//! `.notice` shows, so the reader drops those messages too.
//!
//! [`Reader`] does the same one line at a time without keeping the lines,
//! for callers that stream large files; [`Reader::next_ref`] lends each
//! line from a buffer the reader reuses, so streaming allocates nothing per
//! line. [`crate::check()`] reads that way.
//!
//! ```
//! use ringcfg::{SourceFile, syntax::{ReadOptions, read}};
//!
//! let src = SourceFile::new("haproxy.cfg", b"ring logs\n    size 32768 # bytes\n".to_vec());
//! let parsed = read(0, &src, &ReadOptions::default());
//! assert_eq!(parsed.sections[0].keyword, "ring");
//! assert!(parsed.sections[0].lines[0].words[1].is("32768"));
//! assert_eq!(parsed.comments.len(), 1);
//! assert!(parsed.diagnostics.is_empty());
//! ```

mod build;
mod codes;
pub mod condition;
mod lines;
mod reader;

use crate::diag::Diagnostic;
use crate::lex::{Env, Word};
use crate::source::{FileId, SourceFile, Span};
use crate::version::HaproxyVersion;

pub use build::{BuildInfo, DEFAULT_ENABLED, DEFAULT_FEATURES, MAX_OUTPUT_SIZE, TlsLibrary};
pub use codes::CODES;
pub use reader::{Event, EventRef, Reader};

/// What the reader needs besides the bytes: the variables and the target HAProxy.
///
/// The defaults describe HAProxy 3.5 built for Linux without OpenSSL (the
/// build HAProxy's recorded conformance results come from): see
/// [`DEFAULT_FEATURES`] and [`DEFAULT_ENABLED`].
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// Variables that `"$NAME"` expands to. HAProxy's own variables
    /// (`HAPROXY_HTTP_LOG_FMT`, `HAPROXY_BRANCH`, …) are added on top by
    /// [`read`], as HAProxy sets them before reading.
    pub env: Env,
    /// HAProxy version whose rules apply, also the value of `version_atleast()`.
    pub version: HaproxyVersion,
    /// The complete version of the target build, such as `3.2.4` or
    /// `3.3-dev7`, which `version_atleast()` and `version_before()` then
    /// compare with instead of the release `version`.
    pub build_version: Option<String>,
    /// The build's feature list for `feature()`, as `haproxy -vv` prints it
    /// (`+THREAD -OPENSSL …`).
    pub features: String,
    /// The options `enabled()` is true for, such as `EPOLL` or `FAST-FORWARD`.
    pub enabled: Vec<String>,
    /// The TLS library for `openssl_version_atleast()` and its kin; `None`
    /// for a build without TLS, where those predicates are errors.
    pub tls: Option<TlsLibrary>,
    /// The value of `fips_mode`.
    pub fips_mode: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            env: Env::empty(),
            version: HaproxyVersion::default(),
            build_version: None,
            features: DEFAULT_FEATURES.to_owned(),
            enabled: DEFAULT_ENABLED.iter().map(|name| (*name).to_owned()).collect(),
            tls: None,
            fips_mode: false,
        }
    }
}

/// One configuration line that survived conditional blocks, as words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// 1-based line number, as HAProxy prints it.
    pub number: usize,
    /// The whole physical line, without its terminator.
    pub span: Span,
    /// The words; never empty, and the first word is never empty.
    pub words: Vec<Word>,
}

impl Line {
    /// Returns the `no` or `default` prefix word, if the line starts with one.
    pub fn prefix(&self) -> Option<&Word> {
        self.words.first().filter(|word| word.c_str() == b"no" || word.c_str() == b"default")
    }

    /// Returns the words after the `no` or `default` prefix, if any: the
    /// keyword and its arguments as HAProxy hands them to the section.
    pub fn keyword_words(&self) -> &[Word] {
        let skip = usize::from(self.prefix().is_some());
        &self.words[skip..]
    }
}

/// A section: its header line (`ring r1`) and the keyword lines under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// The section keyword, such as `ring` or `global`.
    pub keyword: String,
    /// The line that opened the section.
    pub header: Line,
    /// Keyword lines up to the next section or the end of the file.
    pub lines: Vec<Line>,
}

/// Everything read from one file.
#[derive(Clone, Debug, Default)]
pub struct ParsedFile {
    /// Index of the file in the run.
    pub file: FileId,
    /// Sections in file order.
    pub sections: Vec<Section>,
    /// Every `#` comment, from the `#` to the end of its line, in file order.
    pub comments: Vec<Span>,
    /// Tokenizer, conditional, directive and section diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// True when HAProxy would not read the files given after this one
    /// (`.alert`, a broken conditional block).
    pub aborted: bool,
}

/// Reads one file into sections.
pub fn read(file: FileId, source: &SourceFile, options: &ReadOptions) -> ParsedFile {
    let mut reader = Reader::new(file, source, options);
    let mut sections: Vec<Section> = Vec::new();
    for event in reader.by_ref() {
        match event {
            Event::Section(header) => {
                let keyword = String::from_utf8_lossy(header.words[0].c_str()).into_owned();
                sections.push(Section { keyword, header, lines: Vec::new() });
            }
            Event::Line(line) => {
                if let Some(section) = sections.last_mut() {
                    section.lines.push(line);
                }
            }
        }
    }
    let (comments, diagnostics, aborted) = reader.finish();
    ParsedFile { file, sections, comments, diagnostics, aborted }
}

/// Returns the version that introduced section `keyword`, or `None` when
/// it is no section keyword of HAProxy 3.5 (or `program`, removed in 3.3).
/// `crt-store` and `acme` exist only in builds with TLS; they are kept so
/// that their lines never land in the section above them.
fn section_since(keyword: &[u8]) -> Option<HaproxyVersion> {
    // A `match` compiles to a switch on the length, faster than a table scan
    // on this path, which runs for every line.
    Some(match keyword {
        b"global" | b"defaults" | b"frontend" | b"backend" | b"listen" | b"userlist" | b"peers"
        | b"mailers" | b"resolvers" | b"namespace_list" | b"cache" | b"http-errors" | b"ring"
        | b"fcgi-app" | b"log-forward" | b"program" => HaproxyVersion::OLDEST,
        b"crt-store" => HaproxyVersion::new(3, 0),
        b"traces" | b"log-profile" => HaproxyVersion::new(3, 1),
        b"acme" => HaproxyVersion::new(3, 2),
        b"healthcheck" => HaproxyVersion::new(3, 4),
        _ => return None,
    })
}

/// Section keywords of HAProxy 3.5, for "did you mean" suggestions.
const SECTION_KEYWORDS: [&str; 20] = [
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "userlist",
    "peers",
    "mailers",
    "resolvers",
    "namespace_list",
    "cache",
    "http-errors",
    "ring",
    "fcgi-app",
    "log-forward",
    "crt-store",
    "traces",
    "log-profile",
    "acme",
    "healthcheck",
];

/// Returns the section keyword that `word` most likely misspells, if any.
///
/// ```
/// assert_eq!(ringcfg::syntax::closest_section_keyword(b"rign"), Some("ring"));
/// assert_eq!(ringcfg::syntax::closest_section_keyword(b"maxconn"), None);
/// ```
pub fn closest_section_keyword(word: &[u8]) -> Option<&'static str> {
    let word = std::str::from_utf8(word).ok()?;
    SECTION_KEYWORDS
        .into_iter()
        .map(|keyword| (strsim::damerau_levenshtein(word, keyword), keyword))
        .filter(|(distance, keyword)| *distance <= 2 && *distance < keyword.len() / 2 + 1)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, keyword)| keyword)
}

/// Returns true when `keyword` opens a section in `version`.
///
/// ```
/// use ringcfg::{HaproxyVersion, syntax::is_section_keyword};
/// assert!(is_section_keyword(b"ring", HaproxyVersion::new(3, 5)));
/// assert!(!is_section_keyword(b"traces", HaproxyVersion::new(3, 0)));
/// ```
pub fn is_section_keyword(keyword: &[u8], version: HaproxyVersion) -> bool {
    let removed = keyword == b"program" && version.at_least(3, 3);
    section_since(keyword).is_some_and(|since| version >= since) && !removed
}

#[cfg(test)]
mod tests;
