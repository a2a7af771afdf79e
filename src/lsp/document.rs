//! An open document: its text, its check results and the position conversions.

use compact_str::CompactString;
use lsp_types::{Position, PositionEncodingKind, Range, Uri};

use crate::check::{CheckOptions, CheckReport, check};
use crate::diag::Diagnostic;
use crate::source::{FileId, SourceFile, Span};

/// The unit of LSP position columns, negotiated at initialization.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PositionEncoding {
    /// Bytes of UTF-8, when the client offers `utf-8`.
    Utf8,
    /// UTF-16 code units, the protocol's default.
    #[default]
    Utf16,
}

impl PositionEncoding {
    /// Picks UTF-8 when the client lists it among `general.positionEncodings`.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        let offers_utf8 = offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8));
        if offers_utf8 { Self::Utf8 } else { Self::Utf16 }
    }

    /// Returns the kind sent back in the server capabilities.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Self::Utf8 => PositionEncodingKind::UTF8,
            Self::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    /// Converts a byte offset of `source` to an LSP position.
    pub fn position(self, source: &SourceFile, offset: usize) -> Position {
        match self {
            Self::Utf8 => {
                let at = source.line_col(offset);
                Position::new(at.line as u32 - 1, at.col as u32 - 1)
            }
            Self::Utf16 => {
                let (line, col) = source.utf16_position(offset);
                Position::new(line, col)
            }
        }
    }

    /// Converts an LSP position to a byte offset of `source`, clamped to its line.
    pub fn offset(self, source: &SourceFile, position: Position) -> usize {
        match self {
            Self::Utf8 => {
                if position.line as usize >= source.line_count() {
                    return source.bytes().len();
                }
                let line = source.line_span(position.line as usize + 1);
                (line.start + position.character as usize).min(line.end)
            }
            Self::Utf16 => source.offset_of_utf16(position.line, position.character),
        }
    }

    /// Converts a byte span of `source` to an LSP range.
    pub fn range(self, source: &SourceFile, span: Span) -> Range {
        Range::new(self.position(source, span.start), self.position(source, span.end))
    }
}

/// A ring name and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Symbol {
    pub(crate) name: CompactString,
    pub(crate) span: Span,
}

/// One open document and what the last check of its text found.
#[derive(Debug)]
pub(crate) struct Document {
    pub(crate) uri: Uri,
    pub(crate) version: i32,
    pub(crate) source: SourceFile,
    /// Diagnostics of this document, suppressions applied.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Ring sections, by the span of their name.
    pub(crate) rings: Vec<Symbol>,
    /// Uses of rings from other sections, by the span of the name.
    pub(crate) references: Vec<Symbol>,
    /// The other files of its configuration, when `configPaths` lists it,
    /// as the last check of this document saw them.
    pub(crate) peers: Vec<Peer>,
}

/// Another file of a document's configuration, for navigation across files.
#[derive(Debug)]
pub(crate) struct Peer {
    pub(crate) uri: Uri,
    pub(crate) source: SourceFile,
    pub(crate) rings: Vec<Symbol>,
    pub(crate) references: Vec<Symbol>,
}

impl Peer {
    /// Takes the symbols `report` found in `file`.
    pub(crate) fn new(uri: Uri, source: SourceFile, file: FileId, report: &CheckReport) -> Self {
        let (rings, references) = symbols(report, file);
        Self { uri, source, rings, references }
    }
}

/// Returns the ring sections and the ring uses that `report` found in `file`.
fn symbols(report: &CheckReport, file: FileId) -> (Vec<Symbol>, Vec<Symbol>) {
    let rings = report
        .rings
        .iter()
        .filter(|ring| ring.file == file)
        .map(|ring| Symbol { name: ring.name.clone(), span: ring.name_span })
        .collect();
    let references = report
        .references
        .iter()
        .filter(|reference| reference.file == file)
        .map(|reference| Symbol { name: reference.name.clone(), span: reference.span })
        .collect();
    (rings, references)
}

impl Document {
    /// Checks `text` on its own, as `ringcfg check` checks a single file.
    pub(crate) fn new(uri: Uri, version: i32, text: String, options: &CheckOptions) -> Self {
        let source = SourceFile::new(display_name(&uri), text.into_bytes());
        let report = check(std::slice::from_ref(&source), options);
        Self::from_report(uri, version, source, 0, &report)
    }

    /// Takes what `report` found in `file`, the index of `source` among the
    /// files checked together.
    pub(crate) fn from_report(
        uri: Uri,
        version: i32,
        source: SourceFile,
        file: FileId,
        report: &CheckReport,
    ) -> Self {
        let diagnostics =
            report.diagnostics.iter().filter(|diag| diag.file == file).cloned().collect();
        let (rings, references) = symbols(report, file);
        Self { uri, version, source, diagnostics, rings, references, peers: Vec::new() }
    }
}

/// Returns the `file:` URI of an absolute `path`, percent-encoding every
/// byte but letters, digits, `/` and `-._~`.
pub(crate) fn file_uri(path: &std::path::Path) -> Option<Uri> {
    use std::os::unix::ffi::OsStrExt;

    let mut text = String::from("file://");
    for &byte in path.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            text.push(char::from(byte));
        } else {
            text.push_str(&format!("%{byte:02X}"));
        }
    }
    text.parse().ok()
}

/// Returns the path of a `file:` URI, percent-decoded, or the URI itself.
pub(crate) fn display_name(uri: &Uri) -> String {
    let text = uri.as_str();
    let Some(path) = text.strip_prefix("file://") else {
        return text.to_owned();
    };
    let bytes = path.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = bytes
            .get(index + 1..index + 3)
            .and_then(|hex| u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok());
        match (bytes[index], escaped) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                index += 3;
            }
            (byte, _) => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_and_utf16_columns_differ_after_emoji() {
        let source = SourceFile::new("a.cfg", "x 😀 y\n".as_bytes().to_vec());
        let offset = "x 😀 ".len();
        assert_eq!(PositionEncoding::Utf8.position(&source, offset), Position::new(0, 7));
        assert_eq!(PositionEncoding::Utf16.position(&source, offset), Position::new(0, 5));
        assert_eq!(PositionEncoding::Utf8.offset(&source, Position::new(0, 7)), offset);
        assert_eq!(PositionEncoding::Utf16.offset(&source, Position::new(0, 5)), offset);
    }

    #[test]
    fn offset_clamps_to_line_and_file() {
        let source = SourceFile::new("a.cfg", b"ab\ncd\n".to_vec());
        assert_eq!(PositionEncoding::Utf8.offset(&source, Position::new(0, 99)), 2);
        assert_eq!(PositionEncoding::Utf8.offset(&source, Position::new(9, 0)), 6);
        assert_eq!(PositionEncoding::Utf16.offset(&source, Position::new(9, 0)), 6);
    }

    #[test]
    fn negotiate_prefers_utf8_when_offered() {
        let both = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(PositionEncoding::negotiate(Some(&both)), PositionEncoding::Utf8);
        let utf16 = [PositionEncodingKind::UTF16];
        assert_eq!(PositionEncoding::negotiate(Some(&utf16)), PositionEncoding::Utf16);
        assert_eq!(PositionEncoding::negotiate(None), PositionEncoding::Utf16);
    }

    #[test]
    fn file_uri_round_trips_through_display_name() {
        let path = std::path::Path::new("/etc/my haproxy/100%.cfg");
        let uri = file_uri(path).expect("a valid URI");
        assert_eq!(uri.as_str(), "file:///etc/my%20haproxy/100%25.cfg");
        assert_eq!(display_name(&uri), "/etc/my haproxy/100%.cfg");
    }

    #[test]
    fn display_name_decodes_file_uri() {
        let uri: Uri = "file:///etc/my%20haproxy.cfg".parse().unwrap();
        assert_eq!(display_name(&uri), "/etc/my haproxy.cfg");
        let untitled: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(display_name(&untitled), "untitled:Untitled-1");
    }
}
