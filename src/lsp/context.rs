//! Where the cursor is: the words of its line and the section the line belongs to.
//!
//! Hover and completion need this for lines that may not parse yet, while the
//! user is typing, so it is a forgiving scan of the text rather than the
//! reader's output. Words are split at blanks outside quotes, and a comment
//! starts at the first `#` outside quotes. The section is the one opened by the
//! nearest line above that starts with a section keyword. The scan ignores
//! `.if` blocks and does not expand variables.

use crate::source::{SourceFile, Span};

/// Section keywords of HAProxy 3.5, OpenSSL-only ones included.
const SECTION_KEYWORDS: &[&str] = &[
    "acme",
    "backend",
    "cache",
    "crt-store",
    "defaults",
    "fcgi-app",
    "frontend",
    "global",
    "healthcheck",
    "http-errors",
    "listen",
    "log-forward",
    "log-profile",
    "mailers",
    "namespace_list",
    "peers",
    "resolvers",
    "ring",
    "traces",
    "userlist",
];

/// The words and comment of one line.
#[derive(Debug)]
pub(crate) struct LineWords {
    /// Byte spans of the words before any comment, quotes included.
    pub(crate) words: Vec<Span>,
    /// The comment, from its `#` to the end of the line.
    pub(crate) comment: Option<Span>,
}

/// Splits 1-based `line` of `source` into words and a comment.
pub(crate) fn line_words(source: &SourceFile, line: usize) -> LineWords {
    let span = source.line_span(line);
    let bytes = &source.bytes()[span.start..span.end];
    let mut words = Vec::new();
    let mut start = None;
    let mut quote = None;
    for (index, byte) in bytes.iter().enumerate() {
        let at = span.start + index;
        match (quote, *byte) {
            (Some(open), byte) if byte == open => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => {
                quote = Some(*byte);
                start.get_or_insert(at);
            }
            (None, b'#') => {
                if let Some(word_start) = start.take() {
                    words.push(Span::new(word_start, at));
                }
                return LineWords { words, comment: Some(Span::new(at, span.end)) };
            }
            (None, b' ' | b'\t' | b'\r') => {
                if let Some(word_start) = start.take() {
                    words.push(Span::new(word_start, at));
                }
            }
            (None, _) => {
                start.get_or_insert(at);
            }
        }
    }
    if let Some(word_start) = start {
        words.push(Span::new(word_start, span.end));
    }
    LineWords { words, comment: None }
}

/// Returns the keyword of the section that 1-based `line` belongs to, or `None`
/// before the first section.
pub(crate) fn section_of(source: &SourceFile, line: usize) -> Option<&'static str> {
    (1..=line).rev().find_map(|number| {
        let words = line_words(source, number).words;
        let first = words.first()?;
        let text = &source.bytes()[first.start..first.end];
        SECTION_KEYWORDS.iter().copied().find(|keyword| keyword.as_bytes() == text)
    })
}

/// Returns the text of `span` in `source`, with invalid UTF-8 replaced.
pub(crate) fn text(source: &SourceFile, span: Span) -> String {
    String::from_utf8_lossy(&source.bytes()[span.start..span.end]).into_owned()
}

/// Returns the index of the word that contains `offset` or ends at it.
pub(crate) fn word_at(words: &[Span], offset: usize) -> Option<usize> {
    words.iter().position(|word| word.start <= offset && offset <= word.end)
}

/// Returns the run of code characters (letters, digits, `-`) around `offset`.
pub(crate) fn identifier_at(source: &SourceFile, within: Span, offset: usize) -> Option<Span> {
    let bytes = source.bytes();
    let is_part = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'-';
    let mut start = offset.min(within.end);
    while start > within.start && is_part(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = offset.max(start);
    while end < within.end && is_part(bytes[end]) {
        end += 1;
    }
    (end > start).then_some(Span::new(start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> SourceFile {
        SourceFile::new("a.cfg", text.as_bytes().to_vec())
    }

    #[test]
    fn words_stop_at_comment() {
        let src = source("    size 4k   # ringcfg: ignore=R003\n");
        let line = line_words(&src, 1);
        let words: Vec<String> = line.words.iter().map(|word| text(&src, *word)).collect();
        assert_eq!(words, ["size", "4k"]);
        assert_eq!(text(&src, line.comment.unwrap()), "# ringcfg: ignore=R003");
    }

    #[test]
    fn quoted_blank_and_hash_stay_in_word() {
        let src = source("description \"a # b\" x\n");
        let line = line_words(&src, 1);
        let words: Vec<String> = line.words.iter().map(|word| text(&src, *word)).collect();
        assert_eq!(words, ["description", "\"a # b\"", "x"]);
        assert!(line.comment.is_none());
    }

    #[test]
    fn section_comes_from_header_above() {
        let src =
            source("global\n    log ring@r1 local0\nring r1\n    size 4k\n\n    format raw\n");
        assert_eq!(section_of(&src, 2), Some("global"));
        assert_eq!(section_of(&src, 3), Some("ring"));
        assert_eq!(section_of(&src, 6), Some("ring"));
    }

    #[test]
    fn no_section_before_first_header() {
        let src = source("# comment\n\nglobal\n");
        assert_eq!(section_of(&src, 2), None);
    }

    #[test]
    fn identifier_spans_code_or_name() {
        let src = source("# ringcfg: ignore=R003,size-after-backing-file\n");
        let line = src.line_span(1);
        let code = identifier_at(&src, line, 20).unwrap();
        assert_eq!(text(&src, code), "R003");
        let name = identifier_at(&src, line, 30).unwrap();
        assert_eq!(text(&src, name), "size-after-backing-file");
    }
}
