//! The `nom` parsers of one piece of a line, in the three quoting modes.
//!
//! A piece is the smallest unit HAProxy's `parse_line()` acts on: a run of
//! plain bytes, a quote, one escape, one variable, a run of blanks, a comment
//! or the end of the line. Which bytes are special depends on the quoting
//! mode, so [`piece`] takes the mode. Each parser is named after the rule of
//! `grammar/line.ebnf` it recognizes.
//!
//! The parsers take the rest of the line (no LF, and cut at the first NUL)
//! and never fail on plain input: only the four committed errors of a
//! variable or a `\x` escape are reported, as [`nom::Err::Failure`].

use nom::IResult;
use nom::bytes::complete::{take_while, take_while1};
use nom::error::{ErrorKind, ParseError};

use super::LexErrorKind;
use super::is_c_space;

/// Where the scan is: outside quotes, inside `"…"` or inside `'…'`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Outside quotes.
    Unquoted,
    /// Inside double quotes: variables expand, escapes work, `#` is literal.
    Double,
    /// Inside single quotes: every byte is literal up to the closing `'`.
    Single,
}

/// One unit of the scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Bytes copied as they are.
    Text(&'a [u8]),
    /// An escape sequence that decodes to one byte.
    Escape(u8),
    /// A quote byte that opens or closes a quoted part.
    Quote(u8),
    /// Unquoted whitespace, which separates words.
    Blank,
    /// A `$NAME` or `${…}` reference, inside double quotes only.
    Variable(Variable<'a>),
    /// A `#` outside quotes: the rest of the line is a comment.
    Comment,
    /// The end of the line: end of input or a CR, even inside quotes.
    End,
}

/// A variable reference: `$NAME`, `${NAME}`, `${NAME[*]}`, `${NAME-default}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variable<'a> {
    /// The name, with its leading `.` for the pseudo-variables.
    pub name: &'a [u8],
    /// True for `${NAME[*]}`, whose value splits into words at whitespace.
    pub expand: bool,
    /// The raw default of `${NAME-default}`: no escape or variable inside.
    pub default: Option<&'a [u8]>,
}

/// A committed error at a byte of the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PieceError<'a> {
    /// The rest of the line from the offending byte.
    pub at: &'a [u8],
    /// What is wrong; `None` for an ordinary backtracking failure.
    pub kind: Option<LexErrorKind>,
}

impl<'a> ParseError<&'a [u8]> for PieceError<'a> {
    fn from_error_kind(input: &'a [u8], _kind: ErrorKind) -> Self {
        PieceError { at: input, kind: None }
    }

    fn append(_input: &'a [u8], _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

/// The result type of every piece parser.
pub type PResult<'a, O> = IResult<&'a [u8], O, PieceError<'a>>;

fn fail<O>(at: &[u8], kind: LexErrorKind) -> PResult<'_, O> {
    Err(nom::Err::Failure(PieceError { at, kind: Some(kind) }))
}

/// `piece = line_end | comment | quote | escape | variable | blank | text`, by mode.
pub fn piece(mode: Mode) -> impl Fn(&[u8]) -> PResult<'_, Piece<'_>> {
    move |input| match (mode, input.first().copied()) {
        (_, None | Some(b'\r')) => Ok((input, Piece::End)),
        (Mode::Single, Some(b'\'')) => quote(input),
        (Mode::Single, _) => single_quoted_text(input),
        (Mode::Double, Some(b'"')) => quote(input),
        (Mode::Double, Some(b'\\')) => escape(mode)(input),
        (Mode::Double, Some(b'$')) => variable(input),
        (Mode::Double, _) => double_quoted_text(input),
        (Mode::Unquoted, Some(b'#')) => Ok((input, Piece::Comment)),
        (Mode::Unquoted, Some(b'"' | b'\'')) => quote(input),
        (Mode::Unquoted, Some(b'\\')) => escape(mode)(input),
        (Mode::Unquoted, Some(byte)) if is_c_space(byte) => blank(input),
        (Mode::Unquoted, _) => unquoted_text(input),
    }
}

/// `quote = '"' | "'"`
fn quote(input: &[u8]) -> PResult<'_, Piece<'_>> {
    Ok((&input[1..], Piece::Quote(input[0])))
}

/// `blank = blank_byte , { blank_byte | CR }` (outside quotes).
///
/// HAProxy skips every `isspace()` byte once a blank run has started, so a
/// CR right after a space does not end the line, while a CR after a word does.
fn blank(input: &[u8]) -> PResult<'_, Piece<'_>> {
    let (rest, _) = take_while1(is_c_space)(input)?;
    Ok((rest, Piece::Blank))
}

/// `unquoted_text = { byte - ( CR | "#" | '"' | "'" | "\" | blank_byte ) }-`
fn unquoted_text(input: &[u8]) -> PResult<'_, Piece<'_>> {
    let (rest, text) = take_while1(|b| !is_unquoted_special(b))(input)?;
    Ok((rest, Piece::Text(text)))
}

/// `double_quoted_text = { byte - ( CR | '"' | "\" | "$" ) }-`
fn double_quoted_text(input: &[u8]) -> PResult<'_, Piece<'_>> {
    let (rest, text) = take_while1(|b| !matches!(b, b'\r' | b'"' | b'\\' | b'$'))(input)?;
    Ok((rest, Piece::Text(text)))
}

/// `single_quoted_text = { byte - ( CR | "'" ) }-`
fn single_quoted_text(input: &[u8]) -> PResult<'_, Piece<'_>> {
    let (rest, text) = take_while1(|b| !matches!(b, b'\r' | b'\''))(input)?;
    Ok((rest, Piece::Text(text)))
}

/// Returns true for the bytes that end an unquoted run of plain bytes.
///
/// Bytes from `-` (0x2D) upwards other than `\` are never special: that is
/// HAProxy's own fast path, checked first.
#[inline]
pub(crate) fn is_unquoted_special(byte: u8) -> bool {
    if byte >= b'-' {
        return byte == b'\\';
    }
    matches!(byte, b'\r' | b'#' | b'"' | b'\'') || is_c_space(byte)
}

/// `escape = "\" , ( " " | "\" | "t" | "n" | "r" | "#" | "'" | '"' | hex_escape
///          | "$" (inside double quotes) | () )`
///
/// A backslash before any other byte, or at the end of the line, stays a
/// backslash and the next byte is scanned normally: `\q` is `\q`, and there is
/// no line continuation. Outside double quotes `\$` is such a case.
fn escape(mode: Mode) -> impl Fn(&[u8]) -> PResult<'_, Piece<'_>> {
    move |input| {
        let after = &input[1..];
        let decoded = match after.first().copied() {
            Some(b' ') => b' ',
            Some(b'\\') => b'\\',
            Some(b't') => b'\t',
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(byte @ (b'#' | b'\'' | b'"')) => byte,
            Some(b'$') if mode == Mode::Double => b'$',
            Some(b'x') => return hex_escape(input),
            _ => return Ok((after, Piece::Escape(b'\\'))),
        };
        Ok((&after[1..], Piece::Escape(decoded)))
    }
}

/// `hex_escape = "\x" , hex_digit , hex_digit`
fn hex_escape(input: &[u8]) -> PResult<'_, Piece<'_>> {
    let digits = input.get(2..4).and_then(|pair| Some((hex_value(pair[0])?, hex_value(pair[1])?)));
    match digits {
        Some((high, low)) => Ok((&input[4..], Piece::Escape(high << 4 | low))),
        None => fail(input, LexErrorKind::BadHexEscape),
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|value| value as u8)
}

/// `variable = "$" , ( "{" , var_name , [ "[*]" ] , [ "-" , default ] , "}" | var_name )`
pub fn variable(input: &[u8]) -> PResult<'_, Piece<'_>> {
    let after_dollar = &input[1..];
    match after_dollar.first() {
        Some(b'{') => braced_variable(after_dollar),
        _ => {
            let (rest, name) = var_name(after_dollar)?;
            Ok((rest, Piece::Variable(Variable { name, expand: false, default: None })))
        }
    }
}

/// `var_name = ( letter | "_" ) , { letter | digit | "_" } | "." , pseudo_name`
///
/// `pseudo_name` is one of `LINE`, `FILE` and `SECTION`.
pub fn var_name(input: &[u8]) -> PResult<'_, &[u8]> {
    let first = input.first().copied().unwrap_or(0);
    if !(first.is_ascii_alphabetic() || first == b'_' || first == b'.') {
        return fail(input, LexErrorKind::BadVariableName);
    }
    let skip = usize::from(first == b'.');
    let (_, tail) = take_while(|b: u8| b.is_ascii_alphanumeric() || b == b'_')(&input[skip..])?;
    let name = &input[..skip + tail.len()];
    if first == b'.' && !matches!(name, b".LINE" | b".FILE" | b".SECTION") {
        return fail(input, LexErrorKind::BadVariableName);
    }
    Ok((&input[name.len()..], name))
}

/// The `"{" , var_name , [ "[*]" ] , [ "-" , default ] , "}"` part of `variable`.
fn braced_variable(brace: &[u8]) -> PResult<'_, Piece<'_>> {
    let (rest, name) = var_name(&brace[1..])?;
    let (rest, expand) = word_expansion(rest)?;
    let (rest, default) = match rest.first() {
        Some(b'-') => default_value(brace, &rest[1..])?,
        Some(b'}') => (rest, None),
        _ => return fail(brace, LexErrorKind::UnmatchedBrace),
    };
    Ok((&rest[1..], Piece::Variable(Variable { name, expand, default })))
}

/// `word_expansion = "[*]"`; any other text after `[` is an error.
fn word_expansion(input: &[u8]) -> PResult<'_, bool> {
    match input {
        [b'[', b'*', b']', rest @ ..] => Ok((rest, true)),
        [b'[', ..] => fail(input, LexErrorKind::BadWordExpansion),
        _ => Ok((input, false)),
    }
}

/// `default = { byte - "}" }`, taken raw; the closing `}` is left in the input.
fn default_value<'a>(brace: &'a [u8], input: &'a [u8]) -> PResult<'a, Option<&'a [u8]>> {
    match memchr::memchr(b'}', input) {
        Some(end) => Ok((&input[end..], Some(&input[..end]))),
        None => fail(brace, LexErrorKind::UnmatchedBrace),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(mode: Mode, input: &[u8]) -> (Piece<'_>, usize) {
        let (rest, piece) = piece(mode)(input).expect("piece");
        (piece, input.len() - rest.len())
    }

    fn error(mode: Mode, input: &[u8]) -> (LexErrorKind, usize) {
        match piece(mode)(input) {
            Err(nom::Err::Failure(PieceError { at, kind: Some(kind) })) => {
                (kind, input.len() - at.len())
            }
            other => panic!("expected an error, got {other:?}"),
        }
    }

    #[test]
    fn unquoted_text_stops_at_specials() {
        assert_eq!(one(Mode::Unquoted, b"abc def"), (Piece::Text(b"abc"), 3));
        assert_eq!(one(Mode::Unquoted, b"a#b"), (Piece::Text(b"a"), 1));
        assert_eq!(one(Mode::Unquoted, b"$HOME\""), (Piece::Text(b"$HOME"), 5));
        assert_eq!(one(Mode::Unquoted, "café x".as_bytes()), (Piece::Text("café".as_bytes()), 5));
    }

    #[test]
    fn blank_swallows_a_following_cr() {
        assert_eq!(one(Mode::Unquoted, b" \t\x0b\x0c\rx"), (Piece::Blank, 5));
        assert_eq!(one(Mode::Unquoted, b"\rx"), (Piece::End, 0));
    }

    #[test]
    fn comment_only_outside_quotes() {
        assert_eq!(one(Mode::Unquoted, b"# x"), (Piece::Comment, 0));
        assert_eq!(one(Mode::Double, b"# x\""), (Piece::Text(b"# x"), 3));
        assert_eq!(one(Mode::Single, b"# x'"), (Piece::Text(b"# x"), 3));
    }

    #[test]
    fn escapes_decode() {
        assert_eq!(one(Mode::Unquoted, b"\\ "), (Piece::Escape(b' '), 2));
        assert_eq!(one(Mode::Unquoted, b"\\t"), (Piece::Escape(b'\t'), 2));
        assert_eq!(one(Mode::Unquoted, b"\\n"), (Piece::Escape(b'\n'), 2));
        assert_eq!(one(Mode::Unquoted, b"\\r"), (Piece::Escape(b'\r'), 2));
        assert_eq!(one(Mode::Unquoted, b"\\#"), (Piece::Escape(b'#'), 2));
        assert_eq!(one(Mode::Unquoted, b"\\'"), (Piece::Escape(b'\''), 2));
        assert_eq!(one(Mode::Double, b"\\\""), (Piece::Escape(b'"'), 2));
        assert_eq!(one(Mode::Double, b"\\\\"), (Piece::Escape(b'\\'), 2));
        assert_eq!(one(Mode::Double, b"\\x4a"), (Piece::Escape(0x4a), 4));
        assert_eq!(one(Mode::Unquoted, b"\\x00"), (Piece::Escape(0), 4));
    }

    #[test]
    fn unknown_escapes_keep_the_backslash() {
        assert_eq!(one(Mode::Double, b"\\q"), (Piece::Escape(b'\\'), 1));
        assert_eq!(one(Mode::Unquoted, b"\\"), (Piece::Escape(b'\\'), 1));
        assert_eq!(one(Mode::Unquoted, b"\\$H"), (Piece::Escape(b'\\'), 1));
        assert_eq!(one(Mode::Double, b"\\$H"), (Piece::Escape(b'$'), 2));
        assert_eq!(one(Mode::Single, b"\\'"), (Piece::Text(b"\\"), 1));
    }

    #[test]
    fn bad_hex_points_at_the_backslash() {
        assert_eq!(error(Mode::Double, b"\\xZZ"), (LexErrorKind::BadHexEscape, 0));
        assert_eq!(error(Mode::Unquoted, b"\\x4"), (LexErrorKind::BadHexEscape, 0));
    }

    #[test]
    fn variables_parse() {
        let var = |name: &'static [u8], expand, default| {
            Piece::Variable(Variable { name, expand, default })
        };
        assert_eq!(one(Mode::Double, b"$HOME/x"), (var(b"HOME", false, None), 5));
        assert_eq!(one(Mode::Double, b"${HOME}x"), (var(b"HOME", false, None), 7));
        assert_eq!(one(Mode::Double, b"${W[*]}"), (var(b"W", true, None), 7));
        assert_eq!(one(Mode::Double, b"${U-a ${b}"), (var(b"U", false, Some(b"a ${b")), 10));
        assert_eq!(one(Mode::Double, b"$W[*]"), (var(b"W", false, None), 2));
        assert_eq!(one(Mode::Double, b"${.LINE}"), (var(b".LINE", false, None), 8));
    }

    #[test]
    fn variable_errors_point_where_haproxy_does() {
        assert_eq!(error(Mode::Double, b"$1"), (LexErrorKind::BadVariableName, 1));
        assert_eq!(error(Mode::Double, b"$ b"), (LexErrorKind::BadVariableName, 1));
        assert_eq!(error(Mode::Double, b"${}"), (LexErrorKind::BadVariableName, 2));
        assert_eq!(error(Mode::Double, b"${.FOO}"), (LexErrorKind::BadVariableName, 2));
        assert_eq!(error(Mode::Double, b"${HOME\""), (LexErrorKind::UnmatchedBrace, 1));
        assert_eq!(error(Mode::Double, b"${U-abc"), (LexErrorKind::UnmatchedBrace, 1));
        assert_eq!(error(Mode::Double, b"${W[x]}"), (LexErrorKind::BadWordExpansion, 3));
    }

    #[test]
    fn cr_ends_the_line_inside_quotes() {
        assert_eq!(one(Mode::Double, b"\rabc"), (Piece::End, 0));
        assert_eq!(one(Mode::Single, b"\rabc"), (Piece::End, 0));
    }
}
