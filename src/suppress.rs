//! Suppression comments: `# ringcfg: ignore=CODE` and `# ringcfg: ignore-file=CODE`.
//!
//! A comment whose text starts with `ringcfg:` (after the `#` and optional
//! blanks) is a suppression directive:
//!
//! - `# ringcfg: ignore=R003,size-after-backing-file` at the end of a line
//!   silences those codes on that line. Alone on its line, it silences them on
//!   the next line that contains something other than blanks and comments, so
//!   several directives can be stacked above one line.
//! - `# ringcfg: ignore-file=R003` anywhere silences the codes in the whole file.
//! - Each entry is a code (`R003`, any case) or a rule name
//!   (`size-after-backing-file`); `all` stands for every code.
//! - Text after the list, separated by a blank, is free: write the reason there.
//!
//! A diagnostic belongs to the line where its primary span starts. Entries that
//! silence nothing, unknown codes and malformed directives are reported with
//! the `U` codes below. Those findings cannot be suppressed themselves, since
//! a suppression of them could never be reported as unused.

use crate::diag::{CodeInfo, Diagnostic, Severity, registry};
use crate::source::{FileId, SourceFile, Span};

/// Removes the diagnostics of `file` that its suppression comments silence.
///
/// `comments` are the file's `#` comments as the reader found them, each from
/// the `#` to the end of its line. Diagnostics of other files are kept as they
/// are. Unused entries, unknown codes and malformed directives are reported by
/// adding `U` diagnostics, and the list is left ordered by file and position.
///
/// ```
/// use ringcfg::SourceFile;
///
/// let text = "ring r1   # ringcfg: ignore=no-such-rule\n";
/// let source = SourceFile::new("a.cfg", text.as_bytes().to_vec());
/// let comment = ringcfg::Span::new(10, text.len() - 1);
/// let mut diagnostics = Vec::new();
/// ringcfg::suppress::filter(0, &source, &[comment], &mut diagnostics);
/// assert_eq!(diagnostics[0].code(), "U002");
/// ```
pub fn filter(
    file: FileId,
    source: &SourceFile,
    comments: &[Span],
    diagnostics: &mut Vec<Diagnostic>,
) {
    filter_with(file, source, comments, diagnostics, &registry::find);
}

/// [`filter`] with the code lookup as a parameter, so tests can use their own codes.
fn filter_with(
    file: FileId,
    source: &SourceFile,
    comments: &[Span],
    diagnostics: &mut Vec<Diagnostic>,
    lookup: &dyn Fn(&str) -> Option<&'static CodeInfo>,
) {
    let mut findings = Vec::new();
    let mut directives: Vec<Directive> = comments
        .iter()
        .filter_map(|comment| parse_directive(file, source, *comment, lookup, &mut findings))
        .collect();
    if directives.is_empty() && findings.is_empty() {
        return;
    }

    diagnostics.retain(|diag| diag.file != file || !silence(&mut directives, source, diag));

    for entry in directives.iter().flat_map(|directive| &directive.entries) {
        if !entry.used {
            findings.push(unused_entry(file, entry));
        }
    }
    diagnostics.extend(findings);
    diagnostics.sort_by_key(|diag| (diag.file, diag.span.start));
}

/// The lines a directive applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    /// One 1-based line; `None` when a standalone directive has no line after it.
    Line(Option<usize>),
    /// The whole file.
    File,
}

#[derive(Debug)]
struct Directive {
    scope: Scope,
    entries: Vec<Entry>,
}

/// One known code (or `all`) of a directive.
#[derive(Debug)]
struct Entry {
    /// The code, or `None` for `all`.
    code: Option<&'static str>,
    /// The entry as written.
    text: String,
    span: Span,
    used: bool,
}

impl Entry {
    fn matches(&self, diag: &Diagnostic) -> bool {
        match self.code {
            Some(code) => code == diag.code(),
            None => !CODES.contains(diag.info),
        }
    }
}

/// Marks the entries that silence `diag` as used and returns true when there is one.
fn silence(directives: &mut [Directive], source: &SourceFile, diag: &Diagnostic) -> bool {
    let line = source.line_col(diag.span.start).line;
    let mut silenced = false;
    for directive in directives.iter_mut() {
        let applies = match directive.scope {
            Scope::File => true,
            Scope::Line(target) => target == Some(line),
        };
        if !applies {
            continue;
        }
        for entry in directive.entries.iter_mut().filter(|entry| entry.matches(diag)) {
            entry.used = true;
            silenced = true;
        }
    }
    silenced
}

const PREFIX: &[u8] = b"ringcfg:";

/// Reads one comment; returns `None` when it is no directive or has no known entry.
fn parse_directive(
    file: FileId,
    source: &SourceFile,
    comment: Span,
    lookup: &dyn Fn(&str) -> Option<&'static CodeInfo>,
    findings: &mut Vec<Diagnostic>,
) -> Option<Directive> {
    let bytes = source.bytes();
    let text = bytes.get(comment.start..comment.end)?;
    let after_hash = text.strip_prefix(b"#")?;
    let mut pos = comment.start + 1 + count_blanks(after_hash);
    if !bytes[pos..comment.end].starts_with(PREFIX) {
        return None;
    }
    pos += PREFIX.len();
    pos += count_blanks(&bytes[pos..comment.end]);

    let rest = &bytes[pos..comment.end];
    let (scope, keyword_len) = if rest.starts_with(b"ignore-file=") {
        (Scope::File, "ignore-file=".len())
    } else if rest.starts_with(b"ignore=") {
        (Scope::Line(target_line(source, comment)), "ignore=".len())
    } else {
        findings.push(invalid_directive(file, Span::new(pos, comment.end)));
        return None;
    };

    let list_start = pos + keyword_len;
    let list_len = bytes[list_start..comment.end]
        .iter()
        .position(|byte| byte.is_ascii_whitespace())
        .unwrap_or(comment.end - list_start);
    let list = Span::new(list_start, list_start + list_len);
    if list.is_empty() {
        findings.push(invalid_directive(file, Span::new(pos, list.end)));
        return None;
    }

    let entries = parse_entries(file, source, list, lookup, findings);
    (!entries.is_empty()).then_some(Directive { scope, entries })
}

/// Splits the comma-separated list at `list` into entries, reporting unknown codes.
fn parse_entries(
    file: FileId,
    source: &SourceFile,
    list: Span,
    lookup: &dyn Fn(&str) -> Option<&'static CodeInfo>,
    findings: &mut Vec<Diagnostic>,
) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut start = list.start;
    for item in source.bytes()[list.start..list.end].split(|byte| *byte == b',') {
        let span = Span::new(start, start + item.len());
        start = span.end + 1;
        if item.is_empty() {
            continue;
        }

        let text = String::from_utf8_lossy(item).into_owned();
        let code = if text.eq_ignore_ascii_case("all") {
            None
        } else if let Some(info) = lookup(&text) {
            Some(info.code)
        } else {
            findings.push(unknown_code(file, span, &text));
            continue;
        };
        entries.push(Entry { code, text, span, used: false });
    }
    entries
}

/// Returns the line a directive written at `comment` applies to.
///
/// After code on the same line, that line. Alone on its line, the next line
/// that contains something other than blanks and comments.
fn target_line(source: &SourceFile, comment: Span) -> Option<usize> {
    let line = source.line_col(comment.start).line;
    let before = &source.bytes()[source.line_span(line).start..comment.start];
    if count_blanks(before) < before.len() {
        return Some(line);
    }
    (line + 1..=source.line_count()).find(|next| {
        let span = source.line_span(*next);
        let content = source.bytes()[span.start..span.end].trim_ascii();
        !content.is_empty() && !content.starts_with(b"#")
    })
}

fn count_blanks(bytes: &[u8]) -> usize {
    bytes.iter().take_while(|byte| matches!(byte, b' ' | b'\t')).count()
}

fn unused_entry(file: FileId, entry: &Entry) -> Diagnostic {
    Diagnostic::new(
        unused_suppression(),
        file,
        entry.span,
        format!("suppression of '{}' silences nothing", entry.text),
    )
    .with_label("nothing to silence here")
    .with_help(format!("remove '{}' from the comment, or the comment itself", entry.text))
}

fn unknown_code(file: FileId, span: Span, text: &str) -> Diagnostic {
    let diag = Diagnostic::new(
        unknown_suppression_code(),
        file,
        span,
        format!("unknown code '{text}' in suppression comment"),
    )
    .with_label("not a code or rule name");
    match closest_code(text) {
        Some(info) => diag.with_help(format!("did you mean '{}' ({})?", info.code, info.name)),
        None => diag.with_help("run 'ringcfg rules' for the list of codes and names"),
    }
}

fn invalid_directive(file: FileId, span: Span) -> Diagnostic {
    Diagnostic::new(
        invalid_suppression(),
        file,
        span,
        "invalid suppression comment: expected 'ignore=CODE' or 'ignore-file=CODE'",
    )
    .with_label("not a suppression")
    .with_help("write '# ringcfg: ignore=CODE[,CODE...]', with no blank inside the list")
}

/// Returns the registered code or name nearest to `text`, if one is close enough.
fn closest_code(text: &str) -> Option<&'static CodeInfo> {
    let text = text.to_ascii_lowercase();
    let chars = text.chars().count();
    // The distance is at least the difference in length, so most candidates
    // are ruled out without computing it.
    let distance = |candidate: &str| {
        if chars.abs_diff(candidate.chars().count()) > 2 {
            usize::MAX
        } else {
            strsim::levenshtein(&text, candidate)
        }
    };
    registry::all()
        .into_iter()
        .map(|info| {
            let code = distance(&info.code.to_ascii_lowercase());
            let name = distance(info.name);
            (code.min(name), info)
        })
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, info)| info)
}

/// Diagnostic codes of suppression comments.
pub static CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "U001",
        name: "unused-suppression",
        severity: Severity::Warning,
        summary: "a suppression comment silences nothing",
        explanation: UNUSED_EXPLANATION,
    },
    CodeInfo {
        code: "U002",
        name: "unknown-suppression-code",
        severity: Severity::Warning,
        summary: "a suppression comment names an unknown code or rule",
        explanation: UNKNOWN_EXPLANATION,
    },
    CodeInfo {
        code: "U003",
        name: "invalid-suppression",
        severity: Severity::Warning,
        summary: "a comment starting with `ringcfg:` is not a valid suppression",
        explanation: INVALID_EXPLANATION,
    },
];

fn unused_suppression() -> &'static CodeInfo {
    &CODES[0]
}

fn unknown_suppression_code() -> &'static CodeInfo {
    &CODES[1]
}

fn invalid_suppression() -> &'static CodeInfo {
    &CODES[2]
}

const UNUSED_EXPLANATION: &str = "\
**What it checks:** an entry of a `# ringcfg: ignore=...` or `# ringcfg: ignore-file=...` \
comment that matches no diagnostic on the line (or in the file) it applies to.

**Why it matters:** suppressions outlive the mistakes they hid. A stale one hides the next \
real finding of that code on the line, and tells readers there is a problem where there is none.

**Example:**
```
ring r1
    size 32768   # ringcfg: ignore=R006
```

**Fix:** remove the entry, or the whole comment when no entry is left.";

const UNKNOWN_EXPLANATION: &str = "\
**What it checks:** an entry of a suppression comment that is neither a code listed by \
`ringcfg rules`, nor a rule name, nor `all`.

**Why it matters:** a misspelt code silences nothing, so the finding it was meant to hide is \
still reported, and the comment misleads readers.

**Example:**
```
ring r1
    backing-file /dev/shm/r1.bin
    size 32768   # ringcfg: ignore=R06
```

**Fix:** use a code or a name from `ringcfg rules`, such as `R006` or `size-after-backing-file`.";

const INVALID_EXPLANATION: &str = "\
**What it checks:** a comment whose text starts with `ringcfg:` but does not continue with \
`ignore=` or `ignore-file=` followed by at least one code.

**Why it matters:** the comment was meant to silence something and silences nothing.

**Example:**
```
    size 32768   # ringcfg: ignore R006
```

**Fix:** write the list after `ignore=` or `ignore-file=`, separated by commas and with no \
blank inside: `# ringcfg: ignore=R006,R017`.";
