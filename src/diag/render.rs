//! Rendering of diagnostics in every output format of `ringcfg check`.
//!
//! `human` shows miette reports with source snippets; `short` prints one line
//! per diagnostic; [`json`] and [`sarif`] write one document for the whole run.
//! Every format shows the same diagnostics, in the order they are given.

pub mod json;
pub mod sarif;

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};

use super::{Diagnostic, Severity};
use crate::source::SourceFile;

/// A [`Diagnostic`] bound to its sources, so miette can show snippets.
pub struct Report<'a> {
    diag: &'a Diagnostic,
    source: NamedSource<Arc<[u8]>>,
    others: Vec<OtherFileLabel>,
}

/// A label in another file than the diagnostic, shown as a related report.
#[derive(Debug)]
struct OtherFileLabel {
    text: String,
    source: NamedSource<Arc<[u8]>>,
    span: miette::SourceSpan,
}

impl<'a> Report<'a> {
    /// Binds `diag` to `sources`, the files of the run indexed by [`crate::FileId`].
    pub fn new(diag: &'a Diagnostic, sources: &[SourceFile]) -> Self {
        let source = named_source(&sources[diag.file]);
        let others = diag
            .related
            .iter()
            .filter(|label| label.file != diag.file)
            .map(|label| OtherFileLabel {
                text: label.text.clone(),
                source: named_source(&sources[label.file]),
                span: label.span.into(),
            })
            .collect();
        Self { diag, source, others }
    }
}

/// Copies a file for miette, with control bytes shown as `?`.
///
/// A configuration may hold terminal escape sequences (a stray ESC, an OSC
/// title sequence); printed raw, they would recolour or retitle the user's
/// terminal. Replacing each by one ASCII byte keeps every span valid.
fn named_source(file: &SourceFile) -> NamedSource<Arc<[u8]>> {
    let bytes = file.bytes();
    if !bytes.iter().copied().any(is_unprintable_control) {
        // The common case shares the bytes instead of copying the file again
        // for every diagnostic.
        return NamedSource::new(file.name(), file.shared_bytes());
    }
    let printable: Arc<[u8]> =
        bytes.iter().map(|&byte| if is_unprintable_control(byte) { b'?' } else { byte }).collect();
    NamedSource::new(file.name(), printable)
}

/// Returns true for control bytes other than tab and the line terminators.
fn is_unprintable_control(byte: u8) -> bool {
    matches!(byte, 0..0x09 | 0x0b | 0x0c | 0x0e..0x20 | 0x7f)
}

/// Escapes control characters in text shown to the user, for the same reason.
fn printable(text: &str) -> String {
    text.chars()
        .map(|ch| match ch {
            '\n' => ch.to_string(),
            ch if ch.is_control() => ch.escape_default().to_string(),
            ch => ch.to_string(),
        })
        .collect()
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&printable(&self.diag.message))
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("{}({})", self.diag.info.code, self.diag.info.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diag.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Advice => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.diag.help.as_ref().map(|help| Box::new(printable(help)) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = |text: &str| (!text.is_empty()).then(|| printable(text));
        let primary = LabeledSpan::new_primary_with_span(label(&self.diag.label), self.diag.span);
        let same_file = self
            .diag
            .related
            .iter()
            .filter(|related| related.file == self.diag.file)
            .map(move |related| LabeledSpan::new_with_span(label(&related.text), related.span));
        Some(Box::new(std::iter::once(primary).chain(same_file)))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.others.is_empty() {
            return None;
        }
        Some(Box::new(self.others.iter().map(|other| other as &dyn miette::Diagnostic)))
    }
}

impl fmt::Display for OtherFileLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for OtherFileLabel {}

impl miette::Diagnostic for OtherFileLabel {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(None, self.span))))
    }
}

/// An output format of `ringcfg check`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// miette reports with source snippets.
    #[default]
    Human,
    /// One line per diagnostic: `file:line:col: severity[code]: message`.
    Short,
    /// A JSON document.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// Renders every diagnostic of a run in `format`.
pub fn render(
    format: OutputFormat,
    diagnostics: &[Diagnostic],
    sources: &[SourceFile],
    options: HumanOptions,
) -> String {
    match format {
        // A blank line between reports, as rustc and miette's own reporter print them.
        OutputFormat::Human => diagnostics
            .iter()
            .map(|diag| human(diag, sources, options))
            .collect::<Vec<_>>()
            .join("\n"),
        OutputFormat::Short => diagnostics.iter().map(|diag| short(diag, sources)).collect(),
        OutputFormat::Json => json::render(diagnostics, sources),
        OutputFormat::Sarif => {
            // Without a working directory, URIs stay as the user typed the paths.
            let base = std::env::current_dir().ok();
            sarif::render(diagnostics, sources, base.as_deref())
        }
    }
}

/// Renders one diagnostic as `file:line:col: severity[code]: message` and a newline.
///
/// The line and column are 1-based and the column counts bytes, as compilers
/// and `grep -n` do, so editors' error formats (`%f:%l:%c: %m`) read it. Line
/// breaks and other control characters in the file name or message are written
/// as `\n`-style escapes, so each diagnostic stays on one line.
///
/// ```
/// use ringcfg::diag::{CodeInfo, Diagnostic, Severity, render};
/// use ringcfg::{SourceFile, Span};
///
/// static DEMO: CodeInfo = CodeInfo {
///     code: "Z999",
///     name: "demo",
///     severity: Severity::Warning,
///     summary: "a demonstration",
///     explanation: "",
/// };
/// let sources = [SourceFile::new("a.cfg", b"ring r1\n    size 0\n".to_vec())];
/// let diag = Diagnostic::new(&DEMO, 0, Span::new(17, 18), "size must not be zero");
/// assert_eq!(render::short(&diag, &sources), "a.cfg:2:10: warning[Z999]: size must not be zero\n");
/// ```
pub fn short(diag: &Diagnostic, sources: &[SourceFile]) -> String {
    let source = &sources[diag.file];
    let position = source.line_col(diag.span.start);
    format!(
        "{}:{}:{}: {}[{}]: {}\n",
        one_line(source.name()),
        position.line,
        position.col,
        diag.severity.as_str(),
        diag.info.code,
        one_line(&diag.message)
    )
}

/// Escapes control characters so `text` fits on one line.
fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    let mut escaped = String::with_capacity(text.len() + 8);
    for ch in text.chars() {
        if ch.is_control() {
            escaped.extend(ch.escape_default());
        } else {
            escaped.push(ch);
        }
    }
    escaped.into()
}

/// Options of the human renderer.
#[derive(Clone, Copy, Debug)]
pub struct HumanOptions {
    /// Use ANSI colours and Unicode box drawing.
    pub color: bool,
    /// Wrap width in columns.
    pub width: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        Self { color: false, width: 80 }
    }
}

impl HumanOptions {
    /// Returns the options for an output stream: colour only on a terminal, and
    /// never when `NO_COLOR` is set to a non-empty value (<https://no-color.org>).
    pub fn for_stream(is_terminal: bool) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        Self { color: is_terminal && !no_color, ..Self::default() }
    }
}

/// Renders one diagnostic the way `ringcfg check` shows it.
///
/// Without colour the output is stable, which is what snapshot tests compare.
pub fn human(diag: &Diagnostic, sources: &[SourceFile], options: HumanOptions) -> String {
    let theme =
        if options.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false)
        .without_syntax_highlighting();
    let mut out = String::new();
    let report = Report::new(diag, sources);
    // Writing into a String cannot fail.
    let _ = handler.render_report(&mut out, &report);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::CodeInfo;
    use crate::source::Span;

    static TEST_CODE: CodeInfo = CodeInfo {
        code: "Z001",
        name: "test-code",
        severity: Severity::Error,
        summary: "a code used only by this test",
        explanation: "",
    };

    #[test]
    fn human_shows_code_label_and_help() {
        let sources = [SourceFile::new("a.cfg", b"ring r1\n    size 0\n".to_vec())];
        let diag = Diagnostic::new(&TEST_CODE, 0, Span::new(17, 18), "size must not be zero")
            .with_label("zero")
            .with_help("remove the line to keep the default of 16384 bytes");
        let text = human(&diag, &sources, HumanOptions::default());
        assert!(text.contains("Z001(test-code)"), "{text}");
        assert!(text.contains("a.cfg:2:10"), "{text}");
        assert!(text.contains("zero"), "{text}");
        assert!(text.contains("help: remove the line"), "{text}");
    }

    #[test]
    fn human_hides_terminal_escapes() {
        let sources = [SourceFile::new("a.cfg", b"ring a\x1b[31mb\n".to_vec())];
        let diag = Diagnostic::new(&TEST_CODE, 0, Span::new(5, 11), "bad name 'a\u{1b}[31mb'")
            .with_label("here");
        let text = human(&diag, &sources, HumanOptions::default());
        assert!(!text.contains('\u{1b}'), "{text:?}");
        assert!(text.contains("ring a?[31mb"), "{text}");
        assert!(text.contains("\\u{1b}"), "{text}");
    }
}
