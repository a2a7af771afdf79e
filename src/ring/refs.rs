//! References to rings from other sections, and their resolution over a whole run.
//!
//! HAProxy resolves these names only when it really starts, after `haproxy -c`
//! has already exited, so an undefined ring passes its check. Here every
//! reference is resolved against the rings of all files checked together.

use compact_str::CompactString;
use std::collections::HashMap;

use foldhash::fast::RandomState;

use super::section::{BUILTIN_SINKS, sub_span, suggest};
use super::{Code, RingDef, RingRef};
use crate::diag::Diagnostic;
use crate::lex::lossy_text;
use crate::source::FileId;
use crate::syntax::{Line, Section};

/// Sections whose `log` lines may name a ring (`log ring@NAME ...`).
pub const LOG_SECTIONS: [&str; 6] =
    ["global", "defaults", "frontend", "backend", "listen", "log-forward"];

/// The construct that refers to a ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RefKind {
    /// `log ring@NAME ...` in a proxy, `global` or `log-forward` section.
    Log,
    /// `trace SOURCE ... sink NAME` in a `traces` section.
    Trace,
    /// The `debug(PREFIX,NAME)` converter in any keyword line.
    DebugConverter,
}

/// Appends every reference to a ring that `section` of `file` contains.
///
/// ```
/// use ringcfg::{SourceFile, CheckOptions};
/// let text = "global\n    log ring@logs len 2048 local0\nring logs\n";
/// let report = ringcfg::check(&[SourceFile::new("haproxy.cfg", text.as_bytes())], &CheckOptions::default());
/// assert_eq!(report.references[0].name, "logs");
/// assert_eq!(report.references[0].len, Some(2048));
/// ```
pub fn collect(file: FileId, section: &Section, out: &mut Vec<RingRef>) {
    let scope = RefScope::of(section.header.words[0].c_str());
    for line in std::iter::once(&section.header).chain(&section.lines) {
        scope.collect(file, line, out);
    }
}

/// The kinds of reference a section's lines can hold, from its keyword.
///
/// ```
/// use ringcfg::ring::refs::RefScope;
/// use ringcfg::SourceFile;
/// let text = "global\n    log ring@logs local0\n";
/// let source = SourceFile::new("haproxy.cfg", text.as_bytes());
/// let parsed = ringcfg::syntax::read(0, &source, &Default::default());
/// let section = &parsed.sections[0];
/// let scope = RefScope::of(b"global");
/// let mut found = Vec::new();
/// scope.collect(0, &section.lines[0], &mut found);
/// assert_eq!(found[0].name, "logs");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RefScope {
    ring: bool,
    log: bool,
    traces: bool,
}

impl RefScope {
    /// Returns the scope of a section opened by `keyword`.
    pub fn of(keyword: &[u8]) -> Self {
        RefScope {
            ring: keyword == b"ring",
            log: LOG_SECTIONS.iter().any(|name| name.as_bytes() == keyword),
            traces: keyword == b"traces",
        }
    }

    /// Appends every reference to a ring that `line` of `file` contains.
    // Inlined so that the lines of ring sections, which hold no reference,
    // skip the call and the set-up of the search.
    #[inline]
    pub fn collect(self, file: FileId, line: &Line, out: &mut Vec<RingRef>) {
        if !self.ring {
            self.collect_uses(file, line, out);
        }
    }

    fn collect_uses(self, file: FileId, line: &Line, out: &mut Vec<RingRef>) {
        if self.log {
            out.extend(log_reference(file, line));
        }
        if self.traces {
            out.extend(trace_reference(file, line));
        }
        debug_references(file, line, out);
    }
}

/// Reads `log ring@NAME [len N] ...`.
fn log_reference(file: FileId, line: &Line) -> Option<RingRef> {
    if !line.words[0].is("log") {
        return None;
    }
    let target = line.words.get(1)?;
    let name = target.value.strip_prefix(b"ring@")?;
    let len = line
        .words
        .iter()
        .skip(2)
        .position(|word| word.is("len"))
        .and_then(|index| line.words.get(index + 3))
        .and_then(|word| word.text().parse().ok());
    Some(RingRef {
        name: CompactString::from(lossy_text(name)),
        file,
        span: sub_span(target, 5, name.len()),
        kind: RefKind::Log,
        len,
    })
}

/// Reads `trace SOURCE ... sink NAME`.
fn trace_reference(file: FileId, line: &Line) -> Option<RingRef> {
    if !line.words[0].is("trace") {
        return None;
    }
    let index = line.words.iter().position(|word| word.is("sink"))?;
    let name = line.words.get(index + 1)?;
    Some(RingRef {
        name: CompactString::from(name.text()),
        file,
        span: name.span,
        kind: RefKind::Trace,
        len: None,
    })
}

/// Reads every `debug(PREFIX,NAME)` converter in the words of `line`.
fn debug_references(file: FileId, line: &Line, out: &mut Vec<RingRef>) {
    for word in &line.words[1..] {
        let value = &word.value;
        // `,debug(,X)` is the shortest converter that names a ring; most
        // words are keywords and numbers, shorter than that.
        if value.len() < ",debug(,X)".len() {
            continue;
        }
        let mut from = 0;
        while let Some(found) = find_debug(&value[from..]) {
            let start = from + found;
            from = start + "debug(".len();
            let follows_converter = start > 0 && value[start - 1] == b',';
            let Some(close) = value[from..].iter().position(|b| *b == b')') else { break };
            let args = &value[from..from + close];
            let Some(comma) = args.iter().position(|b| *b == b',') else { continue };
            let name = &args[comma + 1..];
            if !follows_converter || name.is_empty() {
                continue;
            }
            out.push(RingRef {
                name: CompactString::from(lossy_text(name)),
                file,
                span: sub_span(word, from + comma + 1, name.len()),
                kind: RefKind::DebugConverter,
                len: None,
            });
        }
    }
}

/// Finds `debug(` with a plain scan: words are short, and building a
/// vectorized searcher for each word cost more than the search itself.
fn find_debug(haystack: &[u8]) -> Option<usize> {
    const NEEDLE: &[u8] = b"debug(";
    haystack.windows(NEEDLE.len()).position(|window| window[0] == b'd' && window == NEEDLE)
}

/// Resolves every reference against `rings` and reports what HAProxy would fail on at start-up.
pub fn resolve(references: &[RingRef], rings: &[RingDef], out: &mut Vec<Diagnostic>) {
    resolve_with_budget(references, rings, SUGGESTION_BUDGET, out);
}

/// The maximum number of name comparisons that "did you mean" suggestions
/// may cost in one run. Each unresolved name is compared with every ring
/// name, so a file with thousands of both took seconds. Past this budget
/// the help names no ring. A comparison took about half a microsecond in a measurement on a
/// 2-core virtual machine, so the budget costs about a tenth of a second.
const SUGGESTION_BUDGET: usize = 250_000;

fn resolve_with_budget(
    references: &[RingRef],
    rings: &[RingDef],
    budget: usize,
    out: &mut Vec<Diagnostic>,
) {
    let by_name: HashMap<&str, &RingDef, RandomState> =
        rings.iter().map(|ring| (ring.name.as_str(), ring)).collect();
    let mut suggester = Suggester {
        names: rings.iter().map(|ring| ring.name.as_str()).collect(),
        known: HashMap::default(),
        budget,
    };
    for reference in references {
        match by_name.get(reference.name.as_str()) {
            Some(ring) => check_len(reference, ring, out),
            None => out.extend(unresolved(reference, &mut suggester)),
        }
    }
}

/// Finds the ring name closest to an undefined one, within a budget of
/// comparisons, and caches the result for names used more than once.
struct Suggester<'a> {
    names: Vec<&'a str>,
    known: HashMap<&'a str, Option<&'a str>, RandomState>,
    budget: usize,
}

impl<'a> Suggester<'a> {
    fn closest(&mut self, name: &'a str) -> Option<&'a str> {
        if let Some(known) = self.known.get(name) {
            return *known;
        }
        if self.names.len() > self.budget {
            return None;
        }
        self.budget -= self.names.len();
        let closest = suggest(name, &self.names);
        self.known.insert(name, closest);
        closest
    }
}

fn unresolved<'a>(reference: &'a RingRef, suggester: &mut Suggester<'a>) -> Option<Diagnostic> {
    let name = reference.name.as_str();
    let is_fd_sink = matches!(name, "stdout" | "stderr");
    if BUILTIN_SINKS.contains(&name) && !(is_fd_sink && reference.kind == RefKind::Log) {
        return None;
    }
    if reference.kind == RefKind::Trace && name == "none" {
        return None;
    }
    if is_fd_sink {
        return Some(
            Diagnostic::new(
                Code::IncompatibleRing.info(),
                reference.file,
                reference.span,
                format!("'{name}' is not a ring: `log ring@{name}` fails at start-up"),
            )
            .with_label("a file descriptor sink, not a ring")
            .with_help(format!("write `log {name} format raw FACILITY` to log to {name} directly")),
        );
    }

    let what = match reference.kind {
        RefKind::Log => "log directive",
        RefKind::Trace => "trace",
        RefKind::DebugConverter => "debug converter",
    };
    let message = if name.is_empty() {
        format!("{what} has no ring name after `ring@`")
    } else {
        format!("{what} uses undefined ring '{name}'")
    };
    let help = match suggester.closest(name) {
        Some(close) => format!("did you mean '{close}'?"),
        None => "define it with a `ring` section, or check all files of the configuration together"
            .to_owned(),
    };
    Some(
        Diagnostic::new(Code::UndefinedRing.info(), reference.file, reference.span, message)
            .with_label("no ring of this name")
            .with_help(help),
    )
}

fn check_len(reference: &RingRef, ring: &RingDef, out: &mut Vec<Diagnostic>) {
    let Some(len) = reference.len else { return };
    let capacity = ring.max_payload().unwrap_or(0);
    if len <= capacity {
        return;
    }
    out.push(
        Diagnostic::new(
            Code::LogLenExceedsRing.info(),
            reference.file,
            reference.span,
            format!("len {len} exceeds what ring '{}' can store: {capacity} bytes", ring.name),
        )
        .with_label(format!("at most {capacity} bytes fit"))
        .with_related(ring.file, ring.name_span, "ring defined here")
        .with_help(format!("messages longer than {capacity} bytes are dropped: lower `len` or raise the ring's `size`")),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;
    use crate::ring::section::tests::sections;

    fn references(text: &str) -> Vec<RingRef> {
        let mut out = Vec::new();
        for section in sections(text) {
            collect(0, &section, &mut out);
        }
        out
    }

    #[test]
    fn log_reference_with_len() {
        let found =
            references("global\n log ring@r1 len 900 format raw local0\n log 127.0.0.1 local1");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "r1");
        assert_eq!(found[0].kind, RefKind::Log);
        assert_eq!(found[0].len, Some(900));
        assert_eq!(found[0].span, Span::new(17, 19));
    }

    #[test]
    fn log_outside_log_sections_is_ignored() {
        assert!(references("peers p\n log ring@r1 local0").is_empty());
    }

    #[test]
    fn trace_and_debug_references() {
        let found = references(
            "traces\n trace h1 sink t1 level user\nbackend b\n \
             http-request set-var(txn.a) str(x),debug(p,d1),lower,debug(q,d2)",
        );
        let names: Vec<(&str, RefKind)> = found.iter().map(|r| (r.name.as_str(), r.kind)).collect();
        assert_eq!(
            names,
            [
                ("t1", RefKind::Trace),
                ("d1", RefKind::DebugConverter),
                ("d2", RefKind::DebugConverter)
            ]
        );
    }

    #[test]
    fn debug_without_sink_is_no_reference() {
        assert!(references("backend b\n http-request set-var(txn.a) str(x),debug(p)").is_empty());
        assert!(references("backend b\n http-request set-var(txn.a) str(x),debug").is_empty());
    }

    #[test]
    fn resolution_of_builtin_sinks() {
        let refs = references(
            "global\n log ring@buf0 local0\n log ring@stdout local0\ntraces\n trace h1 sink stderr",
        );
        let mut out = Vec::new();
        resolve(&refs, &[], &mut out);
        let codes: Vec<&str> = out.iter().map(Diagnostic::code).collect();
        assert_eq!(codes, ["X002"]);
    }

    #[test]
    fn suggestions_stop_at_the_budget() {
        let rings: Vec<RingDef> = ["logs", "audit", "traces"]
            .into_iter()
            .map(|name| RingDef::new(name, 0, Span::new(0, 1), Span::new(0, 1)))
            .collect();
        let refs = references(
            "global\n log ring@logz local0\n log ring@audiz local0\n log ring@logz local1",
        );
        let mut out = Vec::new();
        // Room for one search over the three names, not two.
        resolve_with_budget(&refs, &rings, 4, &mut out);

        let helps: Vec<&str> = out.iter().map(|diag| diag.help.as_deref().unwrap_or("")).collect();
        assert_eq!(helps[0], "did you mean 'logs'?");
        assert!(helps[1].starts_with("define it"), "{}", helps[1]);
        // A name already searched keeps its cached result after the budget is spent.
        assert_eq!(helps[2], "did you mean 'logs'?");
    }
}
