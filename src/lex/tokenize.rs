//! The word state machine over the pieces of one line.
//!
//! It follows HAProxy 3.5's `parse_line()` (src/tools.c) with the options the
//! configuration reader passes: quotes, backslash escapes, `#` comments,
//! variables inside double quotes only, and `${NAME[*]}` word expansion.

use super::pieces::{Mode, Piece, PieceError, Variable, piece};
use super::{Env, Word, WordBytes, c_str, is_c_space};
use crate::source::Span;
use crate::swar;

/// The maximum number of words HAProxy keeps on a line, keyword included.
pub const MAX_WORDS: usize = 64;

/// What a tokenizer error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LexErrorKind {
    /// A quote opened and never closed on the line.
    UnmatchedQuote,
    /// `${` without its `}`.
    UnmatchedBrace,
    /// `$` not followed by a letter, `_` or a known `.` pseudo-variable.
    BadVariableName,
    /// `\x` not followed by two hexadecimal digits.
    BadHexEscape,
    /// `[` after a braced variable name that is not `[*]`.
    BadWordExpansion,
    /// More than [`MAX_WORDS`] words on the line.
    TooManyWords,
}

/// A tokenizer error; HAProxy rejects the whole line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LexError {
    /// What is wrong.
    pub kind: LexErrorKind,
    /// The bytes HAProxy points at: its `position N` is `span.start` counted
    /// from 1 at the start of the line. For too many words, the last word kept.
    pub span: Span,
}

/// The values `"${.LINE}"`, `"${.FILE}"`, `"${.SECTION}"` and `"$NAME"` expand to.
#[derive(Clone, Copy, Debug)]
pub struct VarContext<'a> {
    /// Environment variables.
    pub env: &'a Env,
    /// 1-based number of the line being read.
    pub line: usize,
    /// The name of the file, as HAProxy was given it.
    pub file: &'a [u8],
    /// Name of the current section (its first argument, else its keyword);
    /// `None` before the first section of the file.
    pub section: Option<&'a [u8]>,
}

/// One line after tokenizing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LexedLine {
    /// The words, at most [`MAX_WORDS`]; a line with more has an error.
    pub words: Vec<Word>,
    /// The `#` comment, from the `#` to the end of the line.
    pub comment: Option<Span>,
    /// The first error; the line must then be ignored.
    pub error: Option<LexError>,
    /// Where HAProxy would point for the first empty word: the unknown
    /// variable's name, else the start of that word. HAProxy computes it for
    /// every line, so it may be set when no word is empty; it only matters
    /// for the first word that is.
    pub empty_word_at: Option<Span>,
}

/// Splits `line` (one line without its LF, cut at its first NUL byte) into words.
///
/// `base` is the offset of `line[0]` in the file, so that spans are file offsets.
pub fn tokenize(line: &[u8], base: usize, ctx: &VarContext<'_>) -> LexedLine {
    let mut out = LexedLine::default();
    tokenize_into(line, base, ctx, &mut out);
    out
}

/// Splits `line` like [`tokenize`], into `out`, whose word list keeps its
/// capacity from line to line.
///
/// A reader that goes through millions of lines calls this one, so that
/// splitting a line allocates nothing once the list has grown.
pub fn tokenize_into(line: &[u8], base: usize, ctx: &VarContext<'_>, out: &mut LexedLine) {
    LineSplitter::default().split(line, line.len(), base, ctx, out);
}

/// Splits lines one after another into a [`LexedLine`], keeping the buffer
/// of the full scan from line to line.
#[derive(Debug, Default)]
pub(crate) struct LineSplitter {
    /// The decoded bytes of the word being built by the full scan.
    value: Vec<u8>,
}

impl LineSplitter {
    /// Splits the line `text[..len]` like [`tokenize_into`].
    ///
    /// The bytes of `text` past `len` are not part of the line. The plain
    /// scan only reads them, to test eight bytes at a time and to copy short
    /// words in one move up to the end of the line.
    ///
    /// Returns true when the line took the plain path: it has no quote,
    /// backslash or CR, so every word is a run of its bytes as written and
    /// none is empty.
    pub(crate) fn split(
        &mut self,
        text: &[u8],
        len: usize,
        base: usize,
        ctx: &VarContext<'_>,
        out: &mut LexedLine,
    ) -> bool {
        out.words.clear();
        out.comment = None;
        out.error = None;
        out.empty_word_at = None;
        match plain_line(text, len, base, out) {
            PlainEnd::Done => true,
            PlainEnd::Resume(from) => {
                scan(&text[..len], from, base, ctx, out, &mut self.value);
                false
            }
        }
    }
}

/// Splits any line with the piece parsers and the word state machine.
///
/// The scan starts at `from`, where a word or a blank run starts and the
/// words before are plain ones already in `out`. `value` is the buffer for
/// the bytes of each word, and keeps its capacity from line to line.
fn scan(
    line: &[u8],
    from: usize,
    base: usize,
    ctx: &VarContext<'_>,
    out: &mut LexedLine,
    value: &mut Vec<u8>,
) {
    value.clear();
    let mut machine =
        Machine::new(line, base, std::mem::take(&mut out.words), std::mem::take(value));
    let mut rest = &line[from..];
    *value = loop {
        let start = line.len() - rest.len();
        match piece(machine.mode())(rest) {
            Ok((_, Piece::Comment)) => {
                machine.comment = Some(machine.span(start, comment_end(line, start)));
                break machine.finish(start, out);
            }
            Ok((_, Piece::End)) => break machine.finish(start, out),
            Ok((next, item)) => {
                machine.step(item, start, line.len() - next.len(), ctx);
                rest = next;
            }
            Err(nom::Err::Failure(PieceError { at, kind: Some(kind) }))
            | Err(nom::Err::Error(PieceError { at, kind: Some(kind) })) => {
                break machine.abort(kind, line.len() - at.len(), out);
            }
            // The piece parsers only fail with a kind; stop cleanly if not.
            Err(_) => break machine.finish(start, out),
        }
    };
}

/// Byte class of [`plain_line`]: a byte of a word.
const PLAIN: u8 = 0;
/// Byte class: a blank between words.
const BLANK: u8 = 1;
/// Byte class: `#`, which starts a comment.
const COMMENT: u8 = 2;
/// Byte class: a quote, a backslash or a CR, after which the line needs the
/// full scan.
const SPECIAL: u8 = 3;

/// The class of every byte, for the hand-written scan of plain lines.
static CLASSES: [u8; 256] = {
    let mut classes = [PLAIN; 256];
    classes[b' ' as usize] = BLANK;
    classes[b'\t' as usize] = BLANK;
    classes[0x0b] = BLANK;
    classes[0x0c] = BLANK;
    classes[b'#' as usize] = COMMENT;
    classes[b'"' as usize] = SPECIAL;
    classes[b'\'' as usize] = SPECIAL;
    classes[b'\\' as usize] = SPECIAL;
    classes[b'\r' as usize] = SPECIAL;
    classes
};

/// Returns the length of the run of bytes of class `class` at the start of
/// `bytes`.
fn run_len(bytes: &[u8], class: u8) -> usize {
    bytes.iter().position(|byte| CLASSES[usize::from(*byte)] != class).unwrap_or(bytes.len())
}

/// Returns where the run of blanks at `line[at..]` ends.
fn blank_end(line: &[u8], at: usize) -> usize {
    // Words are mostly separated by one space.
    match line.get(at..at + 2) {
        Some(&[b' ', next]) if CLASSES[usize::from(next)] != BLANK => at + 1,
        _ => at + run_len(&line[at..], BLANK),
    }
}

/// Returns where the run of word bytes that starts at `text[from]` ends,
/// at `end` at the latest.
///
/// Words are tested eight bytes at a time for a byte that may end them, so
/// it may read up to seven bytes past `end` when `text` has them.
fn word_end(text: &[u8], from: usize, end: usize) -> usize {
    let mut at = from;
    while at < end {
        let Some(chunk) = text.get(at..at + 8) else {
            return at + run_len(&text[at..end], PLAIN);
        };
        let chunk = swar::word(chunk.try_into().expect("eight bytes"));
        let Some(i) = first_candidate(chunk) else {
            at += 8;
            continue;
        };
        at += i;
        if at >= end || CLASSES[usize::from(text[at])] != PLAIN {
            break;
        }
        at += 1;
    }
    at.min(end)
}

/// Returns the index of the first byte of `chunk` that may end a word: any
/// byte below `(`, which covers the blanks, `#`, the quotes and CR, or a
/// backslash. Some of them are word bytes (`!`, `$`, `%`, `&` and control
/// bytes), which the caller checks.
fn first_candidate(chunk: u64) -> Option<usize> {
    swar::first(swar::below(chunk, b'(') | swar::equal(chunk, b'\\'))
}

/// The result of [`plain_line`]: the line is split, or the full scan takes over at an offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PlainEnd {
    /// The whole line is split.
    Done,
    /// The full scan must split the line from this offset on: the end of
    /// the last plain word, or the start of the word that needs it.
    Resume(usize),
}

/// Splits the plain words of a line with a hand-written scan, the common
/// case: its words are its blank-separated runs up to a comment. The line
/// is `text[..len]`; see [`LineSplitter::split`].
///
/// This gives the same words as the piece parsers, only faster: words
/// without quotes, backslashes or CR bytes have no escape, variable or
/// quote, so every byte is copied as it is. Each run of word bytes or
/// blanks is crossed by a loop of its own, so the branch on the byte class
/// is taken once per run, not once per byte.
///
/// At the first word that needs the full scan, or past [`MAX_WORDS`] words,
/// it stops. It resumes at the end of the last plain word, before the blank
/// run: a CR inside a blank run does not end the line, and only the piece
/// parsers follow that rule.
fn plain_line(text: &[u8], len: usize, base: usize, out: &mut LexedLine) -> PlainEnd {
    let line = &text[..len];
    let mut at = 0;
    let mut last_end = 0;
    loop {
        at = blank_end(line, at);
        let Some(&byte) = line.get(at) else {
            return PlainEnd::Done;
        };
        match CLASSES[usize::from(byte)] {
            COMMENT => {
                out.comment = Some(Span::new(base + at, base + comment_end(line, at)));
                return PlainEnd::Done;
            }
            SPECIAL if at > 0 && at == last_end => {
                // The word goes on with a quote, a backslash or a CR: scan it whole.
                let word = out.words.pop().expect("a plain word ends here");
                return PlainEnd::Resume(word.span.start - base);
            }
            SPECIAL => return PlainEnd::Resume(last_end),
            _ => {}
        }
        if out.words.len() == MAX_WORDS {
            return PlainEnd::Resume(last_end);
        }
        let end = word_end(text, at + 1, len);
        let span = Span::new(base + at, base + end);
        match WordBytes::from_window(text, at, end) {
            Some(value) => out.words.push(Word { span, value }),
            None => push_copied(&text[at..end], span, out),
        }
        at = end;
        last_end = end;
    }
}

/// Adds a plain word that [`WordBytes::from_window`] cannot copy: a long
/// one, or one near the end of the file.
///
/// It is kept out of line so that the common path builds its word in place.
#[cold]
#[inline(never)]
fn push_copied(bytes: &[u8], span: Span, out: &mut LexedLine) {
    out.words.push(Word { span, value: WordBytes::from(bytes) });
}

/// Returns where a comment that starts at `start` ends: at the first CR, or
/// at the end of the line.
fn comment_end(line: &[u8], start: usize) -> usize {
    memchr::memchr(b'\r', &line[start..]).map_or(line.len(), |cr| start + cr)
}

/// The state of HAProxy's scan, field for field where it matters.
struct Machine<'l> {
    line: &'l [u8],
    base: usize,
    squote: bool,
    dquote: bool,
    /// Offset of the quote that is open, if any.
    quote: Option<usize>,
    /// True while the scan is inside a word.
    in_arg: bool,
    /// True while nothing was written since a quote opened.
    empty_quote: bool,
    /// Bytes written to HAProxy's output buffer, separators included.
    outpos: usize,
    /// `outpos` when the current word started (HAProxy also moves it while
    /// expanding a variable value, which this keeps).
    arg_start: usize,
    /// Offset of the piece that started the current word.
    begin_new_arg: usize,
    /// Span of the first unknown variable name not yet cleared.
    unknown_var_name: Option<Span>,
    empty_word_at: Option<Span>,
    /// Offset of the first piece after the last blank: where the word's raw
    /// text starts, opening quote included.
    raw_start: Option<usize>,
    word_start: usize,
    value: Vec<u8>,
    words: Vec<Word>,
    count: usize,
    too_many: bool,
    comment: Option<Span>,
}

impl<'l> Machine<'l> {
    /// Starts the machine after `words`, the plain words of the line, each
    /// followed by a blank.
    fn new(line: &'l [u8], base: usize, words: Vec<Word>, value: Vec<u8>) -> Self {
        // Each word and its NUL separator are in HAProxy's output buffer.
        let outpos = words.iter().map(|word| word.value.len() + 1).sum();
        let count = words.len();
        Machine {
            line,
            base,
            squote: false,
            dquote: false,
            quote: None,
            in_arg: false,
            empty_quote: false,
            outpos,
            arg_start: outpos,
            begin_new_arg: 0,
            unknown_var_name: None,
            empty_word_at: None,
            raw_start: None,
            word_start: 0,
            value,
            words,
            count,
            too_many: false,
            comment: None,
        }
    }

    fn mode(&self) -> Mode {
        match (self.squote, self.dquote) {
            (true, _) => Mode::Single,
            (_, true) => Mode::Double,
            _ => Mode::Unquoted,
        }
    }

    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.base + start, self.base + end)
    }

    /// Applies one piece that spans `start..end` of the line.
    fn step(&mut self, item: Piece<'_>, start: usize, end: usize, ctx: &VarContext<'_>) {
        let prev_in_arg = self.in_arg;
        if !matches!(item, Piece::Blank) && self.raw_start.is_none() && !self.in_arg {
            self.raw_start = Some(start);
        }
        match item {
            Piece::Text(text) => {
                self.in_arg = true;
                self.emit_all(text);
            }
            Piece::Escape(byte) => {
                self.in_arg = true;
                self.emit(byte);
            }
            Piece::Quote(byte) => self.toggle_quote(byte, start),
            Piece::Blank => {
                self.in_arg = false;
                self.raw_start = None;
            }
            Piece::Variable(var) => {
                // When the value loop ran, it already started and ended words.
                if self.variable(var, start, end, ctx) {
                    return;
                }
            }
            Piece::Comment | Piece::End => {}
        }
        self.transition(prev_in_arg, start)
    }

    /// Starts or ends a word when `in_arg` changed during the piece at `start`.
    ///
    /// Only a blank ends a word here, so the word's raw text ends at `start`.
    fn transition(&mut self, prev_in_arg: bool, start: usize) {
        if !prev_in_arg && self.in_arg {
            self.begin_word(start);
        }
        if prev_in_arg && !self.in_arg {
            if self.empty_word_at.is_none() && self.outpos == self.arg_start {
                self.empty_word_at = Some(self.empty_pointer());
            }
            self.end_word(start);
        }
    }

    fn empty_pointer(&self) -> Span {
        self.unknown_var_name.unwrap_or_else(|| self.span(self.begin_new_arg, self.begin_new_arg))
    }

    fn toggle_quote(&mut self, byte: u8, at: usize) {
        let open = if byte == b'"' { &mut self.dquote } else { &mut self.squote };
        if *open {
            *open = false;
            self.quote = None;
            if self.empty_quote {
                self.in_arg = true;
            }
        } else {
            *open = true;
            self.quote = Some(at);
            self.empty_quote = true;
        }
    }

    fn emit(&mut self, byte: u8) {
        if self.count <= MAX_WORDS {
            self.value.push(byte);
        }
        self.outpos += 1;
        self.empty_quote = false;
    }

    fn emit_all(&mut self, bytes: &[u8]) {
        if self.count <= MAX_WORDS {
            self.value.extend_from_slice(bytes);
        }
        self.outpos += bytes.len();
        self.empty_quote = false;
    }

    fn begin_word(&mut self, piece_start: usize) {
        self.begin_new_arg = piece_start;
        self.word_start = self.raw_start.take().unwrap_or(piece_start);
        if self.count >= MAX_WORDS {
            self.too_many = true;
        }
    }

    /// Ends the current word; `end` is where its raw text ends.
    fn end_word(&mut self, end: usize) {
        // The NUL separator HAProxy writes after each word.
        self.outpos += 1;
        self.empty_quote = false;
        self.arg_start = self.outpos;
        if self.count < MAX_WORDS {
            let span = self.span(self.word_start, end.max(self.word_start));
            // The buffer keeps its capacity for the next word.
            let value = WordBytes::from(self.value.as_slice());
            self.words.push(Word { span, value });
        }
        self.value.clear();
        self.count += 1;
        self.raw_start = None;
    }

    /// Expands one variable, splitting words on whitespace for `[*]`.
    ///
    /// Returns true when the value had bytes, so HAProxy's value loop ran.
    fn variable(
        &mut self,
        var: Variable<'_>,
        start: usize,
        end: usize,
        ctx: &VarContext<'_>,
    ) -> bool {
        let name_start = start + if self.line.get(start + 1) == Some(&b'{') { 2 } else { 1 };
        let name_span = self.span(name_start, name_start + var.name.len());
        let mut value = lookup(var.name, ctx);
        if let Some(default) = var.default {
            value = value.or(Some(default.into()));
            self.unknown_var_name = None;
        }
        if var.expand {
            // An empty or unset `[*]` expansion must not turn `""` into a word.
            self.empty_quote = false;
        }
        match value {
            Some(value) => {
                self.unknown_var_name = None;
                let value = c_str(&value);
                self.expand_value(value, var.expand, start, end);
                !value.is_empty()
            }
            None if !var.expand => {
                self.in_arg = true;
                self.unknown_var_name.get_or_insert(name_span);
                false
            }
            None => false,
        }
    }

    /// HAProxy's per-byte loop over a variable's value.
    fn expand_value(&mut self, value: &[u8], expand: bool, start: usize, end: usize) {
        let mut prev_in_arg = self.in_arg;
        let mut i = 0;
        while i < value.len() {
            if expand && is_c_space(value[i]) {
                self.in_arg = false;
                while i < value.len() && is_c_space(value[i]) {
                    i += 1;
                }
            } else {
                self.in_arg = true;
                self.emit(value[i]);
                i += 1;
            }
            if !prev_in_arg && self.in_arg {
                self.begin_word(start);
            }
            if prev_in_arg && !self.in_arg {
                if self.empty_word_at.is_none() && self.outpos == self.arg_start {
                    self.empty_word_at = Some(self.span(self.begin_new_arg, self.begin_new_arg));
                }
                self.end_word(end);
            }
            prev_in_arg = self.in_arg;
            self.arg_start = self.outpos;
        }
    }

    /// Ends the scan at an error; returns the word buffer for the next line.
    fn abort(mut self, kind: LexErrorKind, at: usize, out: &mut LexedLine) -> Vec<u8> {
        let error = LexError { kind, span: self.span(at, error_end(self.line, kind, at)) };
        self.comment = find_comment(self.line, at, self.mode()).map(|(s, e)| self.span(s, e));
        self.into_result(Some(error), out)
    }

    /// Ends the scan at `stop`, the offset of the comment or of the line end;
    /// returns the word buffer for the next line.
    fn finish(mut self, stop: usize, out: &mut LexedLine) -> Vec<u8> {
        if self.in_arg {
            if self.empty_word_at.is_none() && self.outpos == self.arg_start {
                self.empty_word_at = Some(self.empty_pointer());
            }
            self.end_word(stop);
        }
        let error = if let Some(at) = self.quote {
            Some(LexError { kind: LexErrorKind::UnmatchedQuote, span: self.span(at, at + 1) })
        } else if self.too_many {
            let last = &self.words[MAX_WORDS - 1];
            Some(LexError { kind: LexErrorKind::TooManyWords, span: last.span })
        } else {
            None
        };
        self.into_result(error, out)
    }

    fn into_result(self, error: Option<LexError>, out: &mut LexedLine) -> Vec<u8> {
        *out = LexedLine {
            words: self.words,
            comment: self.comment,
            error,
            empty_word_at: self.empty_word_at,
        };
        self.value
    }
}

/// Returns the value of a variable, or `None` when it is unset.
fn lookup<'a>(name: &[u8], ctx: &VarContext<'a>) -> Option<std::borrow::Cow<'a, [u8]>> {
    match name {
        b".LINE" => Some(ctx.line.to_string().into_bytes().into()),
        b".FILE" => Some(ctx.file.into()),
        b".SECTION" => ctx.section.map(Into::into),
        _ => ctx.env.get(name).map(Into::into),
    }
}

/// Returns the end of an error's span: the bytes of a `\x` escape, a whole
/// pseudo-variable name, else the one byte HAProxy points at.
fn error_end(line: &[u8], kind: LexErrorKind, at: usize) -> usize {
    let len = match kind {
        LexErrorKind::BadHexEscape => 4,
        LexErrorKind::BadVariableName if line.get(at) == Some(&b'.') => {
            1 + line[at + 1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
                .count()
        }
        _ => 1,
    };
    (at + len).min(line.len())
}

/// Finds a `#` comment after an error at `from`, for suppression comments on
/// lines HAProxy rejects. It honours quotes and escapes from the given mode.
fn find_comment(line: &[u8], from: usize, mode: Mode) -> Option<(usize, usize)> {
    let (mut squote, mut dquote) = (mode == Mode::Single, mode == Mode::Double);
    let mut i = from;
    while i < line.len() {
        match line[i] {
            b'\r' => return None,
            b'\\' if !squote => i += 1,
            b'\'' if !dquote => squote = !squote,
            b'"' if !squote => dquote = !dquote,
            b'#' if !squote && !dquote => return Some((i, comment_end(line, i))),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Env {
        let mut env = Env::empty();
        env.set("HOME", "/root");
        env.set("WX", "a b  c");
        env.set("EMPTYVAR", "");
        env
    }

    fn lex(line: &[u8]) -> LexedLine {
        let env = env();
        let ctx = VarContext { env: &env, line: 2, file: b"t.cfg", section: Some(b"global") };
        tokenize(line, 0, &ctx)
    }

    fn words(line: &[u8]) -> Vec<Vec<u8>> {
        let lexed = lex(line);
        assert_eq!(lexed.error, None, "{}", String::from_utf8_lossy(line));
        lexed.words.into_iter().map(|w| w.value.to_vec()).collect()
    }

    fn error(line: &[u8]) -> (LexErrorKind, usize) {
        let error = lex(line).error.expect("an error");
        (error.kind, error.span.start + 1)
    }

    fn v(items: &[&str]) -> Vec<Vec<u8>> {
        items.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn blanks_separate_words() {
        assert_eq!(words(b"a  b\tc\x0bd "), v(&["a", "b", "c", "d"]));
        assert_eq!(words(b""), v(&[]));
        assert_eq!(words(b"   "), v(&[]));
    }

    #[test]
    fn quotes_are_removed_and_parts_join() {
        assert_eq!(words(br#"x "a b" 'c d'"#), v(&["x", "a b", "c d"]));
        assert_eq!(words(br#"a""b''c"#), v(&["abc"]));
        assert_eq!(words(br#"'a $HOME ${HOME} b'"#), v(&["a $HOME ${HOME} b"]));
    }

    #[test]
    fn empty_quotes_make_empty_words() {
        assert_eq!(words(br#""""#), v(&[""]));
        assert_eq!(words(br#"x "" '' y"#), v(&["x", "", "", "y"]));
    }

    #[test]
    fn comments_end_the_line_even_mid_word() {
        let lexed = lex(b"a#b c");
        assert_eq!(lexed.words.len(), 1);
        assert_eq!(lexed.comment, Some(Span::new(1, 5)));
        assert_eq!(words(br#""a#b""#), v(&["a#b"]));
        assert_eq!(words(br"a\#b"), v(&["a#b"]));
    }

    #[test]
    fn cr_ends_the_line_but_not_after_a_blank() {
        assert_eq!(words(b"abc\rdef ghi"), v(&["abc"]));
        // A CR inside quotes ends the line too, so the quote stays open.
        assert_eq!(error(b"\"abc\rdef\""), (LexErrorKind::UnmatchedQuote, 1));
        assert_eq!(words(b"abc \rdef"), v(&["abc", "def"]));
    }

    #[test]
    fn escapes_decode_outside_single_quotes() {
        assert_eq!(words(br#""a\tb\nc\\d""#), v(&["a\tb\nc\\d"]));
        assert_eq!(words(br#""\x41\x4a"\x42"#), v(&["AJB"]));
        assert_eq!(words(br#""\q\1""#), v(&["\\q\\1"]));
        assert_eq!(words(br"abc\"), v(&["abc\\"]));
        assert_eq!(words(br"a\'b"), v(&["a'b"]));
        assert_eq!(words(br#""\$HOME" \$HOME"#), v(&["$HOME", "\\$HOME"]));
    }

    #[test]
    fn variables_expand_inside_double_quotes_only() {
        assert_eq!(words(br#""x${HOME}y$HOME" $HOME"#), v(&["x/rooty/root", "$HOME"]));
        assert_eq!(words(br#""${UNSETVAR-def ault}""#), v(&["def ault"]));
        assert_eq!(words(br#""[${EMPTYVAR-def}]""#), v(&["[]"]));
        assert_eq!(words(br#""${UNSETVAR-${HOME}}""#), v(&["${HOME}"]));
        assert_eq!(words(br#""x$UNSETVAR"y"#), v(&["xy"]));
        assert_eq!(words(br#""$WX[*]""#), v(&["a b  c[*]"]));
        assert_eq!(words(br#""${.LINE}:${.FILE}:${.SECTION}""#), v(&["2:t.cfg:global"]));
    }

    #[test]
    fn word_expansion_splits_words() {
        assert_eq!(words(br#"x "${WX[*]}" y"#), v(&["x", "a", "b", "c", "y"]));
        assert_eq!(words(br#"x "${UNSETVAR[*]}" y"#), v(&["x", "y"]));
        assert_eq!(words(br#"x "${EMPTYVAR[*]}""#), v(&["x"]));
    }

    #[test]
    fn unset_variable_makes_an_empty_word() {
        let lexed = lex(br#"description "$HOMEE""#);
        assert_eq!(lexed.words.len(), 2);
        assert!(lexed.words[1].value.is_empty());
        assert_eq!(lexed.empty_word_at, Some(Span::new(14, 19)));
    }

    #[test]
    fn empty_quote_position_is_the_closing_quote() {
        let lexed = lex(br#"description "" foo"#);
        assert_eq!(lexed.empty_word_at.map(|s| s.start), Some(13));
        assert_eq!(lexed.words[1].span, Span::new(12, 14));
    }

    #[test]
    fn errors_point_where_haproxy_does() {
        assert_eq!(error(br".warning 'a\'b'"), (LexErrorKind::UnmatchedQuote, 15));
        assert_eq!(error(br#".warning "\xZZ""#), (LexErrorKind::BadHexEscape, 11));
        assert_eq!(error(br#".warning "${HOME""#), (LexErrorKind::UnmatchedBrace, 12));
        assert_eq!(error(br#".warning "$1""#), (LexErrorKind::BadVariableName, 12));
        assert_eq!(error(br#".warning "${WX[x]}""#), (LexErrorKind::BadWordExpansion, 15));
        assert_eq!(error(br#".warning "a $ b""#), (LexErrorKind::BadVariableName, 14));
        assert_eq!(error(br#".warning "abc"#), (LexErrorKind::UnmatchedQuote, 10));
    }

    #[test]
    fn sixty_five_words_are_too_many() {
        let line: Vec<String> = (0..65).map(|i| i.to_string()).collect();
        assert_eq!(
            lex(line.join(" ").as_bytes()).error,
            None.or(lex(line.join(" ").as_bytes()).error)
        );
        let error = lex(line.join(" ").as_bytes()).error.unwrap();
        assert_eq!(error.kind, LexErrorKind::TooManyWords);
        assert_eq!(lex(line[..64].join(" ").as_bytes()).error, None);
    }

    #[test]
    fn words_keep_raw_spans() {
        let lexed = lex(br#"  log "a b"x  'y'  "#);
        let spans: Vec<_> = lexed.words.iter().map(|w| (w.span.start, w.span.end)).collect();
        assert_eq!(spans, [(2, 5), (6, 12), (14, 17)]);
    }

    #[test]
    fn high_bytes_are_literal() {
        assert_eq!(
            words(b"caf\xc3\xa9 \xff\xfe"),
            vec![b"caf\xc3\xa9".to_vec(), b"\xff\xfe".to_vec()]
        );
    }

    proptest::proptest! {
        #[test]
        fn plain_scan_agrees_with_the_full_scan(line in "[ a-z0-9#\t\x0b.:/-]{0,80}") {
            let env = env();
            let ctx = VarContext { env: &env, line: 1, file: b"t.cfg", section: None };
            let mut plain = LexedLine::default();
            let bytes = line.as_bytes();
            let end = plain_line(bytes, bytes.len(), 7, &mut plain);
            proptest::prop_assert_eq!(end, PlainEnd::Done);
            let mut full = LexedLine::default();
            scan(bytes, 0, 7, &ctx, &mut full, &mut Vec::new());
            proptest::prop_assert_eq!(plain, full);
        }

        #[test]
        fn resumed_scan_agrees_with_the_full_scan(
            line in r#"([ a\t\r#"'\\$]|\$\{HOME\}|\$WX|\$\{WX\[\*\]\}|\$\{NOPE-d\}|\\x4|""|''|ab)*"#
        ) {
            let env = env();
            let ctx = VarContext { env: &env, line: 1, file: b"t.cfg", section: None };
            let bytes = line.as_bytes();
            let mut split = LexedLine::default();
            LineSplitter::default().split(bytes, bytes.len(), 7, &ctx, &mut split);
            let mut full = LexedLine::default();
            scan(bytes, 0, 7, &ctx, &mut full, &mut Vec::new());
            proptest::prop_assert_eq!(split, full);
        }

        #[test]
        fn bytes_past_the_line_never_change_it(
            line in proptest::collection::vec(
                proptest::sample::select(b"az \t\x0b#\"'\\\r$\xff!(".to_vec()),
                0..70,
            ),
            rest_of_file in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
        ) {
            // The splitter may read past the line into the rest of the file.
            let env = env();
            let ctx = VarContext { env: &env, line: 1, file: b"t.cfg", section: None };
            let mut text = line.clone();
            text.extend_from_slice(&rest_of_file);
            let mut split = LexedLine::default();
            LineSplitter::default().split(&text, line.len(), 7, &ctx, &mut split);
            let mut full = LexedLine::default();
            scan(&line, 0, 7, &ctx, &mut full, &mut Vec::new());
            proptest::prop_assert_eq!(split, full);
        }
    }

    proptest::proptest! {
        #[test]
        fn word_end_agrees_with_a_byte_loop(
            text in proptest::collection::vec(proptest::prelude::any::<u8>(), 1..40),
            cut in 0usize..40,
        ) {
            let end = cut.min(text.len());
            for from in 0..=end {
                let expected = from + run_len(&text[from..end], PLAIN);
                proptest::prop_assert_eq!(word_end(&text, from, end), expected);
            }
        }
    }

    #[test]
    fn resumed_scan_agrees_at_the_word_limit() {
        let env = env();
        let ctx = VarContext { env: &env, line: 1, file: b"t.cfg", section: None };
        let words =
            |count: usize| (0..count).map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ");
        let lines = [
            format!("{} \"x\"", words(64)),
            format!("{} a\"b\"", words(63)),
            format!("{} 'q' z", words(65)),
            format!("{} \"$HOME\" z", words(62)),
            "a \r b".to_owned(),
            "a \r\"b\"".to_owned(),
            "ab\"c\" d \"\" e".to_owned(),
            "a \"\" b".to_owned(),
            "a b '' c".to_owned(),
            "a \"$NOPE\" b".to_owned(),
        ];
        for line in lines {
            let mut split = LexedLine::default();
            LineSplitter::default().split(line.as_bytes(), line.len(), 3, &ctx, &mut split);
            let mut full = LexedLine::default();
            scan(line.as_bytes(), 0, 3, &ctx, &mut full, &mut Vec::new());
            assert_eq!(split, full, "{line}");
        }
    }

    #[test]
    fn first_candidate_finds_each_word_ending_byte() {
        for byte in [b' ', b'\t', 0x0b, 0x0c, b'#', b'"', b'\'', b'\\', b'\r'] {
            for at in 0..8 {
                let mut chunk = [b'a'; 8];
                chunk[at] = byte;
                assert_eq!(first_candidate(swar::word(chunk)), Some(at), "{byte:#x}");
            }
        }
        assert_eq!(first_candidate(swar::word(*b"ab\xff\x80z09:")), None);
    }

    #[test]
    fn tokenize_into_keeps_nothing_from_the_line_before() {
        let env = env();
        let ctx = VarContext { env: &env, line: 1, file: b"t.cfg", section: None };
        let mut out = LexedLine::default();
        let lines: [&[u8]; 5] =
            [b"a b c # note", br#"x "y z""#, br#"bad "\xZZ""#, b"plain words", b""];
        for line in lines {
            tokenize_into(line, 3, &ctx, &mut out);
            assert_eq!(out, tokenize(line, 3, &ctx), "{}", String::from_utf8_lossy(line));
        }
    }

    #[test]
    fn plain_line_over_word_limit() {
        let line: Vec<String> = (0..70).map(|i| format!("w{i}")).collect();
        let lexed = lex(line.join(" ").as_bytes());
        assert_eq!(lexed.error.map(|e| e.kind), Some(LexErrorKind::TooManyWords));
        assert_eq!(lexed.words.len(), MAX_WORDS);
    }

    #[test]
    fn plain_line_stores_long_words_whole() {
        let long = "x".repeat(40);
        let line = format!("{long} {long}");
        assert_eq!(words(line.as_bytes()), v(&[&long, &long]));
    }

    #[test]
    fn comment_is_found_after_an_error() {
        let lexed = lex(br#"x "\xZZ" # ringcfg: ignore=L004"#);
        assert!(lexed.error.is_some());
        assert_eq!(lexed.comment.map(|c| c.start), Some(9));
    }
}
