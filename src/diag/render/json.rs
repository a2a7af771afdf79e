//! The `json` output format: one versioned document for the whole run.
//!
//! `docs/json-output.md` documents every field. Adding a field keeps
//! [`VERSION`]; renaming or removing one, or changing its meaning, raises it.

use serde::Serialize;

use crate::diag::{Diagnostic, Label, Severity};
use crate::source::{FileId, SourceFile, Span};

/// Version of the document layout, the `version` field.
pub const VERSION: u32 = 1;

/// The whole document.
#[derive(Debug, Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    summary: Summary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Debug, Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

/// Number of diagnostics per severity.
#[derive(Debug, Default, Serialize)]
struct Summary {
    errors: usize,
    warnings: usize,
    advice: usize,
}

#[derive(Debug, Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    code: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'a str,
    /// Text at the primary span; empty when the diagnostic has none.
    label: &'a str,
    range: Range,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
    text: &'a str,
    range: Range,
}

/// A span as positions a reader can use without the file.
#[derive(Debug, Serialize)]
struct Range {
    start: Position,
    end: Position,
}

/// A 1-based line, a 1-based byte column, and the 0-based byte offset.
#[derive(Debug, Serialize)]
struct Position {
    line: usize,
    column: usize,
    offset: usize,
}

/// Renders `diagnostics` as one JSON document, pretty-printed, with a final newline.
///
/// ```
/// let text = ringcfg::diag::render::json::render(&[], &[]);
/// let value: serde_json::Value = serde_json::from_str(&text).unwrap();
/// assert_eq!(value["version"], 1);
/// assert_eq!(value["diagnostics"].as_array().unwrap().len(), 0);
/// ```
pub fn render(diagnostics: &[Diagnostic], sources: &[SourceFile]) -> String {
    let mut summary = Summary::default();
    for diag in diagnostics {
        match diag.severity {
            Severity::Error => summary.errors += 1,
            Severity::Warning => summary.warnings += 1,
            Severity::Advice => summary.advice += 1,
        }
    }
    let document = Document {
        version: VERSION,
        tool: Tool { name: env!("CARGO_PKG_NAME"), version: env!("CARGO_PKG_VERSION") },
        summary,
        diagnostics: diagnostics.iter().map(|diag| json_diagnostic(diag, sources)).collect(),
    };

    // Serializing plain structs of strings and integers cannot fail.
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    text
}

fn json_diagnostic<'a>(diag: &'a Diagnostic, sources: &'a [SourceFile]) -> JsonDiagnostic<'a> {
    JsonDiagnostic {
        file: sources[diag.file].name(),
        code: diag.info.code,
        name: diag.info.name,
        severity: diag.severity,
        message: &diag.message,
        label: &diag.label,
        range: range(sources, diag.file, diag.span),
        labels: diag.related.iter().map(|label| json_label(label, sources)).collect(),
        help: diag.help.as_deref(),
    }
}

fn json_label<'a>(label: &'a Label, sources: &'a [SourceFile]) -> JsonLabel<'a> {
    JsonLabel {
        file: sources[label.file].name(),
        text: &label.text,
        range: range(sources, label.file, label.span),
    }
}

fn range(sources: &[SourceFile], file: FileId, span: Span) -> Range {
    let source = &sources[file];
    Range { start: position(source, span.start), end: position(source, span.end) }
}

fn position(source: &SourceFile, offset: usize) -> Position {
    let offset = offset.min(source.bytes().len());
    let at = source.line_col(offset);
    Position { line: at.line, column: at.col, offset }
}
