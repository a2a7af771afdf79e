//! The server's responses: diagnostics, hover, completion and navigation.

use lsp_types::{
    CompletionItem, CompletionItemKind, DiagnosticRelatedInformation, DiagnosticSeverity,
    Documentation, Hover, HoverContents, Location, MarkupContent, MarkupKind, NumberOrString,
    PublishDiagnosticsParams,
};

use super::context::{self, LineWords};
use super::document::{Document, Peer, PositionEncoding, Symbol};
use super::keywords::{self, RING_KEYWORDS, TIMEOUT_KINDS};
use crate::diag::{Diagnostic, Severity, registry};
use crate::ring::LogFormat;
use crate::source::Span;

/// Returns the `textDocument/publishDiagnostics` parameters of `document`.
pub(crate) fn publish(document: &Document, encoding: PositionEncoding) -> PublishDiagnosticsParams {
    let diagnostics =
        document.diagnostics.iter().map(|diag| lsp_diagnostic(document, diag, encoding)).collect();
    PublishDiagnosticsParams::new(document.uri.clone(), diagnostics, Some(document.version))
}

fn lsp_diagnostic(
    document: &Document,
    diag: &Diagnostic,
    encoding: PositionEncoding,
) -> lsp_types::Diagnostic {
    let source = &document.source;
    let mut message = diag.message.clone();
    if let Some(help) = &diag.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    // A document is checked alone, so every label is in the document itself.
    let related: Vec<DiagnosticRelatedInformation> = diag
        .related
        .iter()
        .filter(|label| label.file == diag.file)
        .map(|label| DiagnosticRelatedInformation {
            location: Location::new(document.uri.clone(), encoding.range(source, label.span)),
            message: label.text.clone(),
        })
        .collect();

    lsp_types::Diagnostic {
        range: encoding.range(source, diag.span),
        severity: Some(match diag.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Advice => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(diag.info.code.to_owned())),
        source: Some("ringcfg".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        ..lsp_types::Diagnostic::default()
    }
}

/// Returns the hover of the code or ring keyword at `offset`.
///
/// Codes are explained inside comments, such as `R003` in
/// `# ringcfg: ignore=R003`; keywords at the start of lines of `ring` sections.
pub(crate) fn hover(document: &Document, offset: usize) -> Option<(Span, Hover)> {
    let source = &document.source;
    let line = source.line_col(offset).line;
    let words = context::line_words(source, line);

    let (span, markdown) = match words.comment {
        Some(comment) if comment.start <= offset => code_hover(document, comment, offset)?,
        _ => keyword_hover(document, &words, line, offset)?,
    };
    let contents =
        HoverContents::Markup(MarkupContent { kind: MarkupKind::Markdown, value: markdown });
    Some((span, Hover { contents, range: None }))
}

fn code_hover(document: &Document, comment: Span, offset: usize) -> Option<(Span, String)> {
    let span = context::identifier_at(&document.source, comment, offset)?;
    let info = registry::find(&context::text(&document.source, span))?;
    let markdown = format!(
        "**{code}** `{name}` ({severity}): {summary}\n\n{explanation}",
        code = info.code,
        name = info.name,
        severity = info.severity.as_str(),
        summary = info.summary,
        explanation = info.explanation,
    );
    Some((span, markdown))
}

fn keyword_hover(
    document: &Document,
    words: &LineWords,
    line: usize,
    offset: usize,
) -> Option<(Span, String)> {
    let first = *words.words.first()?;
    if !(first.start <= offset && offset <= first.end) {
        return None;
    }
    if context::section_of(&document.source, line) != Some("ring") {
        return None;
    }
    let keyword = keywords::find(&context::text(&document.source, first))?;
    Some((first, keywords::hover_text(keyword)))
}

/// Returns the completions at `offset`: ring keywords at the start of a line
/// in a ring section, `timeout` kinds, format names after `format`, and ring
/// names after `ring@` or `sink`.
pub(crate) fn completion(document: &Document, offset: usize) -> Vec<CompletionItem> {
    let source = &document.source;
    let line = source.line_col(offset).line;
    let words = context::line_words(source, line);
    if words.comment.is_some_and(|comment| comment.start < offset) {
        return Vec::new();
    }

    let index = context::word_at(&words.words, offset)
        .unwrap_or_else(|| words.words.iter().take_while(|word| word.end < offset).count());
    let typed = match words.words.get(index) {
        Some(word) if word.start <= offset => context::text(source, Span::new(word.start, offset)),
        _ => String::new(),
    };
    let previous = index.checked_sub(1).map(|before| context::text(source, words.words[before]));
    let in_ring = context::section_of(source, line) == Some("ring");

    if typed.contains("ring@") {
        return ring_names(document);
    }
    match (previous.as_deref(), index, in_ring) {
        (Some("sink"), _, _) => ring_names(document),
        (Some("format"), _, _) => format_names(),
        (Some("timeout"), 1, true) => timeout_kinds(),
        (None, 0, true) => ring_keywords(),
        _ => Vec::new(),
    }
}

fn ring_keywords() -> Vec<CompletionItem> {
    RING_KEYWORDS
        .iter()
        .filter(|keyword| keyword.name != "ring")
        .map(|keyword| CompletionItem {
            label: keyword.name.to_owned(),
            kind: Some(CompletionItemKind::KEYWORD),
            detail: Some(keyword.syntax.to_owned()),
            documentation: Some(markdown(keywords::hover_text(keyword))),
            ..CompletionItem::default()
        })
        .collect()
}

fn timeout_kinds() -> Vec<CompletionItem> {
    TIMEOUT_KINDS
        .iter()
        .map(|(name, doc)| CompletionItem {
            label: (*name).to_owned(),
            kind: Some(CompletionItemKind::KEYWORD),
            documentation: Some(markdown((*doc).to_owned())),
            ..CompletionItem::default()
        })
        .collect()
}

fn format_names() -> Vec<CompletionItem> {
    LogFormat::ALL
        .iter()
        .map(|format| CompletionItem {
            label: format.name().to_owned(),
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: (*format == LogFormat::Raw).then(|| "default of ring sections".to_owned()),
            ..CompletionItem::default()
        })
        .collect()
}

fn ring_names(document: &Document) -> Vec<CompletionItem> {
    let mut names: Vec<&str> = document.rings.iter().map(|ring| ring.name.as_str()).collect();
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .map(|name| CompletionItem {
            label: name.to_owned(),
            kind: Some(CompletionItemKind::REFERENCE),
            detail: Some("ring".to_owned()),
            ..CompletionItem::default()
        })
        .collect()
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value })
}

/// Returns the ring name written at `offset`, as a definition or a reference.
fn symbol_at(document: &Document, offset: usize) -> Option<&Symbol> {
    let contains = |symbol: &&Symbol| symbol.span.start <= offset && offset <= symbol.span.end;
    document.references.iter().find(contains).or_else(|| document.rings.iter().find(contains))
}

/// Returns the name spans of the ring sections that the name at `offset` refers to.
pub(crate) fn definition(document: &Document, offset: usize) -> Vec<Span> {
    let Some(symbol) = symbol_at(document, offset) else {
        return Vec::new();
    };
    document.rings.iter().filter(|ring| ring.name == symbol.name).map(|ring| ring.span).collect()
}

/// Returns every use of the ring named at `offset`, and its definitions when
/// `include_declaration` is set.
pub(crate) fn references(
    document: &Document,
    offset: usize,
    include_declaration: bool,
) -> Vec<Span> {
    let Some(symbol) = symbol_at(document, offset) else {
        return Vec::new();
    };
    let definitions = document.rings.iter().filter(|_| include_declaration);
    definitions
        .chain(&document.references)
        .filter(|other| other.name == symbol.name)
        .map(|other| other.span)
        .collect()
}

/// Returns the places in the other files of the configuration that name
/// the ring named at `offset`: its sections with `definitions`, its uses
/// with `uses`.
pub(crate) fn peer_places(
    document: &Document,
    offset: usize,
    definitions: bool,
    uses: bool,
) -> Vec<(&Peer, Span)> {
    let Some(symbol) = symbol_at(document, offset) else {
        return Vec::new();
    };
    let mut places = Vec::new();
    for peer in &document.peers {
        let rings = peer.rings.iter().filter(|_| definitions);
        let references = peer.references.iter().filter(|_| uses);
        let matching = rings.chain(references).filter(|other| other.name == symbol.name);
        places.extend(matching.map(|other| (peer, other.span)));
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckOptions;

    const TEXT: &str = "global\n    log ring@r1 local0\ntraces\n    trace h1 sink r1\nring r1\n";

    /// Builds a document with the symbols `check` finds in `TEXT`, written by hand so the
    /// navigation is tested on its own.
    fn document() -> Document {
        let uri = "file:///a.cfg".parse().unwrap();
        let mut document = Document::new(uri, 1, TEXT.to_owned(), &CheckOptions::default());
        let span_of = |needle: &str, nth: usize| {
            let start = TEXT.match_indices(needle).nth(nth).unwrap().0;
            Span::new(start, start + needle.len())
        };
        document.rings = vec![Symbol { name: "r1".into(), span: span_of("r1", 2) }];
        document.references = vec![
            Symbol { name: "r1".into(), span: span_of("r1", 0) },
            Symbol { name: "r1".into(), span: span_of("r1", 1) },
        ];
        document
    }

    #[test]
    fn definition_from_log_reference() {
        let document = document();
        let offset = TEXT.find("ring@r1").unwrap() + 6;
        assert_eq!(definition(&document, offset), vec![document.rings[0].span]);
    }

    #[test]
    fn definition_from_sink_reference() {
        let document = document();
        let offset = TEXT.find("sink r1").unwrap() + 5;
        assert_eq!(definition(&document, offset), vec![document.rings[0].span]);
    }

    #[test]
    fn definition_elsewhere_is_empty() {
        let document = document();
        assert!(definition(&document, 1).is_empty());
    }

    #[test]
    fn references_from_ring_name() {
        let document = document();
        let offset = document.rings[0].span.start;
        let uses = references(&document, offset, false);
        assert_eq!(uses, vec![document.references[0].span, document.references[1].span]);
        let with_definition = references(&document, offset, true);
        assert_eq!(with_definition.len(), 3);
        assert_eq!(with_definition[0], document.rings[0].span);
    }

    #[test]
    fn ring_names_complete_after_sink() {
        let mut document = document();
        document.rings.push(Symbol { name: "a-ring".into(), span: Span::new(0, 0) });
        let labels: Vec<String> =
            ring_names(&document).into_iter().map(|item| item.label).collect();
        assert_eq!(labels, ["a-ring", "r1"]);
    }
}
