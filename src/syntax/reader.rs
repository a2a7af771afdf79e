//! The line-by-line reader: HAProxy's `parse_cfg()` loop, one event at a time.

use super::codes::{
    ALERT_DIRECTIVE, DIRECTIVE_ARGUMENT, EMPTY_ARGUMENT, INVALID_CONDITION, INVALID_SCOPE,
    NESTED_TOO_DEEP, NOTICE_DIRECTIVE, OUT_OF_SECTION, TOO_MANY_ERRORS, UNBALANCED_CONDITIONAL,
    UNKNOWN_DIRECTIVE, UNSUPPORTED_PREFIX, UNTERMINATED_IF, WARNING_DIRECTIVE,
};
use super::condition::{ConditionError, evaluate};
use super::lines::{Lines, RawLine};
use super::{Line, ReadOptions, is_section_keyword};
use crate::diag::{CodeInfo, Diagnostic};
use crate::lex::{
    self, Env, LexError, LexErrorKind, LexedLine, LineSplitter, VarContext, Word, is_c_space,
};
use crate::source::{FileId, SourceFile, Span};
use crate::version::HaproxyVersion;

/// HAProxy's `MAXNESTEDCONDS`: nesting levels of `.if`, the outermost included.
const MAX_NESTED_CONDITIONS: usize = 100;

/// HAProxy stops reading a file at its 50th fatal error.
const MAX_FATAL_ERRORS: usize = 50;

/// Keywords that accept the `no` and `default` prefixes.
const PREFIXABLE: &[&[u8]] = &[
    b"option",
    b"log",
    b"busy-polling",
    b"set-dumpable",
    b"strict-limits",
    b"insecure-fork-wanted",
    b"numa-cpu-mapping",
];

/// What [`Reader`] yields: a section header, or a keyword line of the
/// current section. Lines outside any section are reported and not yielded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A line that opens a section, such as `ring logs`.
    Section(Line),
    /// A keyword line of the section opened last.
    Line(Line),
}

/// An event of [`Reader::next_ref`]: an [`Event`] whose line is borrowed
/// from the reader until the next call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventRef<'r> {
    /// A line that opens a section, such as `ring logs`.
    Section(&'r Line),
    /// A keyword line of the section opened last.
    Line(&'r Line),
}

impl<'r> EventRef<'r> {
    /// Returns the line, whatever the kind of event.
    pub fn line(self) -> &'r Line {
        match self {
            EventRef::Section(line) | EventRef::Line(line) => line,
        }
    }

    /// Copies the event out of the reader.
    pub fn to_owned(self) -> Event {
        match self {
            EventRef::Section(line) => Event::Section(line.clone()),
            EventRef::Line(line) => Event::Line(line.clone()),
        }
    }
}

/// The kind of event the last line made; its words are in `Reader::current`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Section,
    Line,
}

/// The state of one `.if` level (HAProxy's `nested_cond_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cond {
    IfTake,
    IfDrop,
    IfSkip,
    ElifTake,
    ElifDrop,
    ElifSkip,
    ElseTake,
    ElseDrop,
}

impl Cond {
    /// True when lines under this level are skipped.
    fn masks(self) -> bool {
        !matches!(self, Cond::IfTake | Cond::ElifTake | Cond::ElseTake)
    }

    /// True when a branch of this block was taken, or the block is masked
    /// from outside, so later `.elif`/`.else` branches are skipped.
    fn settled(self) -> bool {
        matches!(self, Cond::IfTake | Cond::IfSkip | Cond::ElifTake | Cond::ElifSkip)
    }
}

/// How reading stopped early.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stop {
    /// Leave the line loop; the end-of-file checks still run.
    Break,
    /// Leave at once, without the end-of-file checks.
    Abort,
}

/// Reads one file line by line, yielding sections and keyword lines.
///
/// Diagnostics and comments accumulate; [`Reader::finish`] returns them.
///
/// ```
/// use ringcfg::{SourceFile, syntax::{Event, ReadOptions, Reader}};
/// let src = SourceFile::new("a.cfg", b"ring r\n  size 1M\n".to_vec());
/// let options = ReadOptions::default();
/// let mut reader = Reader::new(0, &src, &options);
/// assert!(matches!(reader.next(), Some(Event::Section(_))));
/// assert!(matches!(reader.next(), Some(Event::Line(_))));
/// assert!(reader.next().is_none());
/// let (_comments, diagnostics, _aborted) = reader.finish();
/// assert!(diagnostics.is_empty());
/// ```
pub struct Reader<'a> {
    file: FileId,
    source: &'a SourceFile,
    options: &'a ReadOptions,
    env: Env,
    lines: Lines<'a>,
    conds: Vec<(Cond, Span)>,
    in_section: bool,
    section_name: Option<Vec<u8>>,
    fatal: usize,
    /// Start and end offsets of a line that ended without LF.
    missing_lf: Option<(usize, usize)>,
    last_number: usize,
    line_start: usize,
    stop: Option<Stop>,
    abort_pending: bool,
    /// True once a directive stopped HAProxy's second pass: later lines are
    /// only checked for what its first pass reports.
    first_pass_only: bool,
    done: bool,
    aborted: bool,
    comments: Vec<Span>,
    diagnostics: Vec<Diagnostic>,
    /// The tokenizer's output for the line being read; its word list keeps
    /// its capacity from line to line. It is boxed so that taking it out of
    /// the reader for a line and putting it back moves a pointer, not the
    /// whole struct.
    lexed: Option<Box<LexedLine>>,
    splitter: LineSplitter,
    /// The last line yielded by [`Reader::next_ref`].
    current: Line,
}

impl<'a> Reader<'a> {
    /// Starts reading `source`, which is file number `file` of the run.
    pub fn new(file: FileId, source: &'a SourceFile, options: &'a ReadOptions) -> Self {
        Reader {
            file,
            source,
            options,
            env: options.env.clone().with_haproxy_variables(options.version),
            lines: Lines::new(source.bytes()),
            conds: Vec::new(),
            in_section: false,
            section_name: None,
            fatal: 0,
            missing_lf: None,
            last_number: 0,
            line_start: 0,
            stop: None,
            abort_pending: false,
            first_pass_only: false,
            done: false,
            aborted: false,
            comments: Vec::new(),
            diagnostics: Vec::new(),
            lexed: Some(Box::default()),
            splitter: LineSplitter::default(),
            current: Line { number: 0, span: Span::new(0, 0), words: Vec::new() },
        }
    }

    /// Reads up to the next section header or keyword line and lends it.
    ///
    /// This is [`Iterator::next`] without the copy: the line stays in the
    /// reader and is overwritten by the next call, so a caller that streams a
    /// large file allocates nothing per line.
    ///
    /// ```
    /// use ringcfg::{SourceFile, syntax::{EventRef, ReadOptions, Reader}};
    /// let src = SourceFile::new("a.cfg", b"ring r\n  size 1M\n".to_vec());
    /// let options = ReadOptions::default();
    /// let mut reader = Reader::new(0, &src, &options);
    /// let mut keywords = Vec::new();
    /// while let Some(event) = reader.next_ref() {
    ///     keywords.push(event.line().words[0].text().into_owned());
    /// }
    /// assert_eq!(keywords, ["ring", "size"]);
    /// ```
    pub fn next_ref(&mut self) -> Option<EventRef<'_>> {
        while self.stop.is_none() {
            let Some(raw) = self.lines.next() else { break };
            match self.line(raw) {
                Some(Kind::Section) => return Some(EventRef::Section(&self.current)),
                Some(Kind::Line) => return Some(EventRef::Line(&self.current)),
                None => {}
            }
        }
        None
    }

    /// Returns the comments, the diagnostics, and whether HAProxy would stop
    /// reading further files.
    pub fn finish(mut self) -> (Vec<Span>, Vec<Diagnostic>, bool) {
        self.end_of_file();
        // HAProxy 3.x reads the files twice. The first pass reports errors of
        // the line format and of conditional blocks, and skips message
        // directives. It exits after such an error, so the messages of
        // `.alert`, `.warning`, `.notice` and `.diag` never show.
        let format_error = self.diagnostics.iter().any(|d| is_first_pass_error(d.code()));
        if format_error {
            self.diagnostics.retain(|d| !matches!(d.code(), "S005" | "S006" | "S007"));
        }
        (self.comments, self.diagnostics, self.aborted)
    }

    fn version(&self) -> HaproxyVersion {
        self.options.version
    }

    fn report(
        &mut self,
        info: &'static CodeInfo,
        span: Span,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diagnostics.push(Diagnostic::new(info, self.file, span, message));
        self.diagnostics.last_mut().expect("just pushed")
    }

    fn edit_last(&mut self, edit: impl FnOnce(Diagnostic) -> Diagnostic) {
        if let Some(last) = self.diagnostics.pop() {
            self.diagnostics.push(edit(last));
        }
    }

    /// Runs the checks HAProxy makes after the last line, once.
    fn end_of_file(&mut self) {
        if self.done {
            return;
        }
        self.done = true;
        if self.stop == Some(Stop::Abort) {
            return;
        }
        if let Some((start, offset)) = self.missing_lf.take() {
            let end = (offset + 1).min(self.source.bytes().len());
            let column = offset - start + 1;
            self.report(lex_code(LexCode::MissingLf), Span::new(offset, end), format!(
                "the last line has no newline at its end (HAProxy: missing LF on last line at position {column})"
            ));
            self.edit_last(|d| d.with_label("the file ends here").with_help(
                "add a newline at the end of the file; HAProxy takes its absence as a sign of truncation",
            ));
        }
        if let Some(&(_, span)) = self.conds.last() {
            self.report(
                &UNTERMINATED_IF,
                span,
                "this '.if' block has no '.endif' before the end of the file",
            );
            self.edit_last(|d| d.with_label("opened here").with_help(
                "add '.endif' where the conditional part ends; blocks do not continue into the next file",
            ));
        }
    }

    /// Processes one raw line; returns an event, or `None` to go on.
    fn line(&mut self, raw: RawLine) -> Option<Kind> {
        if let Some((start, offset)) = self.missing_lf.take() {
            let column = offset - start + 1;
            self.report(lex_code(LexCode::StrayNul), Span::new(offset, offset + 1), format!(
                "NUL byte in the middle of the file (HAProxy: stray NUL character at position {column}); HAProxy stops reading the file here"
            ));
            self.edit_last(|d| d.with_label("NUL byte").with_help(
                "remove the NUL bytes and save the file as plain text; every line after this one is ignored",
            ));
            self.stop = Some(Stop::Break);
            return None;
        }
        self.last_number = raw.number;
        self.line_start = raw.start;
        let line_span = Span::new(raw.start, raw.read_end);
        if self.fatal >= MAX_FATAL_ERRORS {
            self.report(
                &TOO_MANY_ERRORS,
                line_span,
                format!(
                    "too many fatal errors ({}); HAProxy stops reading the file here",
                    self.fatal
                ),
            );
            self.edit_last(|d| {
                d.with_help("fix the errors above; the lines after this one are not checked")
            });
            self.stop = Some(Stop::Break);
            return None;
        }
        if raw.missing_lf {
            self.missing_lf = Some((raw.start, raw.end));
        }
        let bytes = &self.source.bytes()[raw.start..raw.end];
        let indent = indent_len(bytes);
        if bytes.get(indent) == Some(&b'[') {
            self.scope(bytes, raw.start, indent);
            return None;
        }
        let file_name = self.source.name().as_bytes();
        let ctx = VarContext {
            env: &self.env,
            line: raw.number,
            file: file_name,
            section: self.section_name.as_deref(),
        };
        let mut lexed = self.lexed.take().unwrap_or_default();
        // The splitter may read past the line end into the rest of the file.
        let text = &self.source.bytes()[raw.start + indent..];
        let len = bytes.len() - indent;
        let plain = self.splitter.split(text, len, raw.start + indent, &ctx, &mut lexed);
        self.comments.extend(lexed.comment);
        let kind = self.words(raw, line_span, indent, &mut lexed, plain);
        self.lexed = Some(lexed);
        kind
    }

    /// Applies HAProxy's rules to the words of one line. `plain` is true
    /// when the tokenizer took its plain path, so no word is empty.
    fn words(
        &mut self,
        raw: RawLine,
        line_span: Span,
        indent: usize,
        lexed: &mut LexedLine,
        plain: bool,
    ) -> Option<Kind> {
        if let Some(error) = lexed.error {
            self.lex_error(error, lexed);
            self.fatal += 1;
            return None;
        }
        let version = self.version();
        if !plain
            && !self.first_pass_only
            && version.at_least(3, 3)
            && !version.at_least(3, 4)
            && self.empty_argument(raw, indent, lexed)
        {
            return None;
        }
        let words = &lexed.words;
        let first = words.first().map_or(&[][..], |word| c_text(word, plain));
        if first.is_empty() {
            return None;
        }
        if first[0] == b'.' && self.conditional(first, words) {
            return None;
        }
        if self.conds.last().is_some_and(|(cond, _)| cond.masks()) || self.first_pass_only {
            return None;
        }
        if first[0] == b'.' {
            self.directive(first, words);
            return None;
        }
        if !plain && version.at_least(3, 4) && self.empty_argument(raw, indent, lexed) {
            return None;
        }
        self.keyword_line(raw.number, line_span, &mut lexed.words, plain)
    }

    /// Handles `.if`, `.elif`, `.else` and `.endif`; returns true when the
    /// line was one of them.
    fn conditional(&mut self, first: &[u8], words: &[Word]) -> bool {
        let directive = words[0].span;
        match first {
            b".if" => self.if_directive(directive, words),
            b".elif" => self.elif_directive(directive, words),
            b".else" => self.else_directive(directive, words),
            b".endif" => self.endif_directive(directive, words),
            _ => return false,
        }
        true
    }

    fn outer_masked(&self) -> bool {
        self.conds.last().is_some_and(|(cond, _)| cond.masks())
    }

    fn if_directive(&mut self, directive: Span, words: &[Word]) {
        if self.conds.len() + 1 >= MAX_NESTED_CONDITIONS {
            self.report(&NESTED_TOO_DEEP, directive, format!(
                "too many nested '.if' blocks (HAProxy allows {MAX_NESTED_CONDITIONS} levels); HAProxy stops reading here"
            ));
            self.edit_last(|d| {
                d.with_help("close blocks with '.endif', or join conditions with '&&'")
            });
            self.abort();
            return;
        }
        if self.outer_masked() {
            self.conds.push((Cond::IfSkip, directive));
            return;
        }
        match self.condition(".if", words) {
            Some(true) => self.conds.push((Cond::IfTake, directive)),
            Some(false) => self.conds.push((Cond::IfDrop, directive)),
            None => self.abort(),
        }
    }

    fn elif_directive(&mut self, directive: Span, words: &[Word]) {
        let Some(&(top, _)) = self.conds.last() else {
            self.unbalanced(
                directive,
                "'.elif' without a matching '.if'",
                "add the '.if' this branch belongs to, or remove it",
            );
            return self.abort();
        };
        if matches!(top, Cond::ElseTake | Cond::ElseDrop) {
            self.unbalanced(
                directive,
                "'.elif' after '.else'",
                "move the '.elif' branch before the '.else'",
            );
            return self.abort();
        }
        if top.settled() {
            self.set_top(Cond::ElifSkip);
            return;
        }
        match self.condition(".elif", words) {
            Some(true) => self.set_top(Cond::ElifTake),
            Some(false) => self.set_top(Cond::ElifDrop),
            None => self.abort(),
        }
    }

    fn else_directive(&mut self, directive: Span, words: &[Word]) {
        if self.extra_argument(words, 0) {
            self.stop_after_abort();
            return;
        }
        let Some(&(top, _)) = self.conds.last() else {
            self.unbalanced(
                directive,
                "'.else' without a matching '.if'",
                "add the '.if' this branch belongs to, or remove it",
            );
            return self.abort();
        };
        if matches!(top, Cond::ElseTake | Cond::ElseDrop) {
            self.unbalanced(
                directive,
                "a second '.else' in the same block",
                "remove one of the '.else' branches",
            );
            return self.abort();
        }
        self.set_top(if top.settled() { Cond::ElseDrop } else { Cond::ElseTake });
    }

    fn endif_directive(&mut self, directive: Span, words: &[Word]) {
        if self.extra_argument(words, 0) {
            self.stop_after_abort();
            return;
        }
        if self.conds.pop().is_none() {
            self.unbalanced(
                directive,
                "'.endif' without a matching '.if'; HAProxy stops reading here",
                "remove it, or add the '.if' it closes",
            );
            self.stop_after_abort();
        }
    }

    fn set_top(&mut self, cond: Cond) {
        if let Some(top) = self.conds.last_mut() {
            top.0 = cond;
        }
    }

    fn unbalanced(&mut self, span: Span, message: &str, help: &str) {
        let help = help.to_owned();
        self.report(&UNBALANCED_CONDITIONAL, span, message);
        self.edit_last(|d| d.with_label("unbalanced directive").with_help(help));
    }

    /// Stops at once, as HAProxy's `goto err` with `ERR_ABORT`.
    fn abort(&mut self) {
        self.stop = Some(Stop::Abort);
        self.aborted = true;
    }

    /// Stops after the end-of-file checks, and no later file is read.
    fn stop_after_abort(&mut self) {
        self.stop = Some(Stop::Break);
        self.aborted = true;
    }

    /// Evaluates the condition of a `.if` or `.elif` line; `None` on error,
    /// which is reported.
    fn condition(&mut self, directive: &str, words: &[Word]) -> Option<bool> {
        let (expression, map) = join_condition(&words[1..]);
        match evaluate(&expression, self.options, &self.env) {
            Ok(value) => Some(value),
            Err(ConditionError { message, offset }) => {
                let span = map.span_at(offset, words);
                self.report(
                    &INVALID_CONDITION,
                    span,
                    format!("{message} in '{directive}' at position {}", offset + 1),
                );
                self.edit_last(|d| {
                    d.with_label("HAProxy stops parsing the condition here").with_help(
                    "fix the expression; HAProxy refuses the configuration and stops reading it",
                )
                });
                None
            }
        }
    }

    /// Reports an `Unexpected argument` when `words[index + 1]` is not empty.
    fn extra_argument(&mut self, words: &[Word], index: usize) -> bool {
        let Some(extra) = words.get(index + 1).filter(|w| !w.c_str().is_empty()) else {
            return false;
        };
        let directive = String::from_utf8_lossy(words[0].c_str()).into_owned();
        let shown = String::from_utf8_lossy(extra.c_str()).into_owned();
        let span = extra.span.to(words.last().map_or(extra.span, |w| w.span));
        let message = format!("unexpected argument '{shown}' for '{directive}'");
        let help = if index == 0 {
            format!("'{directive}' takes no argument; remove what follows it")
        } else {
            "quote the message so that it is one word, such as \"two words\"".to_owned()
        };
        self.report(&DIRECTIVE_ARGUMENT, span, message);
        self.edit_last(|d| d.with_label("extra argument").with_help(help));
        true
    }

    /// Handles `.alert`, `.warning`, `.notice`, `.diag` and unknown directives.
    fn directive(&mut self, first: &[u8], words: &[Word]) {
        let info = match first {
            b".alert" => &ALERT_DIRECTIVE,
            b".warning" => &WARNING_DIRECTIVE,
            b".notice" | b".diag" => &NOTICE_DIRECTIVE,
            _ => {
                let name = String::from_utf8_lossy(first).into_owned();
                self.report(
                    &UNKNOWN_DIRECTIVE,
                    words[0].span,
                    format!("unknown directive '{name}'; HAProxy stops reading the file here"),
                );
                self.edit_last(|d| {
                    d.with_label("not a directive").with_help(
                        "use .if, .elif, .else, .endif, .alert, .warning, .notice or .diag",
                    )
                });
                self.fatal += 1;
                self.first_pass_only = true;
                return;
            }
        };
        if self.extra_argument(words, 1) {
            return;
        }
        let text = words.get(1).map_or(&[][..], Word::c_str);
        let message = String::from_utf8_lossy(text).into_owned();
        let span = words.get(1).map_or(words[0].span, |w| words[0].span.to(w.span));
        let name = String::from_utf8_lossy(first).into_owned();
        self.report(info, span, message);
        self.edit_last(|d| d.with_label(format!("message of this '{name}' directive")));
        if first == b".alert" {
            // HAProxy's first pass skips directives, so it reads on.
            self.first_pass_only = true;
            self.aborted = true;
        }
    }

    /// Reports the first empty argument; returns true when there is one.
    fn empty_argument(&mut self, raw: RawLine, indent: usize, lexed: &LexedLine) -> bool {
        // A word is empty for HAProxy when its first byte is missing or NUL.
        let Some(index) = lexed.words.iter().position(|w| w.value.first().is_none_or(|b| *b == 0))
        else {
            return false;
        };
        let line_start = raw.start + indent;
        let (span, looks_like_var) = match lexed.empty_word_at {
            Some(at) => {
                let byte = self.source.bytes().get(at.start).copied().unwrap_or(0);
                (self.widen(at, &lexed.words), byte.is_ascii_alphanumeric() || byte == b'_')
            }
            None => {
                let stripped_len = raw.end - line_start;
                let offset = output_offset(&lexed.words, index);
                let offset = if offset >= stripped_len { 0 } else { offset };
                (Span::new(line_start + offset, line_start + offset), false)
            }
        };
        let column = span.start - raw.start + 1;
        let mut help = "set the variable, give it a default such as \"${NAME-value}\", \
            or guard the line with '.if defined(NAME)'; remove empty quotes"
            .to_owned();
        if looks_like_var {
            if let Some(name) = self.suggest(span) {
                help = format!("did you mean the variable '{name}'? {help}");
            }
        }
        let cause = match looks_like_var.then(|| self.variable_name_at(span.start)) {
            Some(name) if self.env.get(name.as_bytes()).is_none() => {
                format!(": variable '{name}' is not set")
            }
            Some(name) => format!(": variable '{name}' is empty"),
            None => String::new(),
        };
        self.report(&EMPTY_ARGUMENT, span, format!(
            "argument {index} is empty{cause} (HAProxy: argument number {index} at position {column} is empty and marks the end of the argument list)"
        ));
        self.edit_last(|d| d.with_label("empty argument").with_help(help));
        self.fatal += 1;
        true
    }

    /// Extends an empty span to the end of the word that contains it.
    fn widen(&self, at: Span, words: &[Word]) -> Span {
        if !at.is_empty() {
            return at;
        }
        words
            .iter()
            .find(|w| w.span.start <= at.start && at.start < w.span.end)
            .map_or(at, |w| Span::new(at.start, w.span.end))
    }

    /// Returns the variable name that starts at byte `start` of the source.
    fn variable_name_at(&self, start: usize) -> String {
        let name: Vec<u8> = self.source.bytes()[start..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
            .copied()
            .collect();
        String::from_utf8_lossy(&name).into_owned()
    }

    /// Suggests a set variable whose name is close to the one at `span`.
    fn suggest(&self, span: Span) -> Option<String> {
        let name = self.variable_name_at(span.start);
        self.env
            .names()
            .map(|candidate| String::from_utf8_lossy(candidate).into_owned())
            .map(|candidate| (strsim::levenshtein(&name, &candidate), candidate))
            .filter(|(distance, _)| *distance > 0 && *distance <= 2)
            .min()
            .map(|(_, candidate)| candidate)
    }

    /// A keyword line: prefix check, section detection, out-of-section check.
    /// Makes `words` the current line, unless the line is outside any section.
    fn keyword_line(
        &mut self,
        number: usize,
        span: Span,
        words: &mut Vec<Word>,
        plain: bool,
    ) -> Option<Kind> {
        let first = c_text(&words[0], plain);
        let prefixed = first == b"no" || first == b"default";
        let keyword_index = usize::from(prefixed);
        let keyword = words.get(keyword_index).map_or(&[][..], |word| c_text(word, plain));
        if prefixed && !PREFIXABLE.contains(&keyword) {
            self.unsupported_prefix(&words[0], keyword);
        }
        let is_section = is_section_keyword(keyword, self.version());
        if !is_section && !self.in_section {
            let at = words[keyword_index.min(words.len() - 1)].span;
            self.out_of_section(at, keyword);
            return None;
        }
        if is_section {
            let name = words
                .get(keyword_index + 1)
                .map(|word| c_text(word, plain))
                .filter(|n| !n.is_empty());
            let section_name = self.section_name.get_or_insert_with(Vec::new);
            section_name.clear();
            section_name.extend_from_slice(name.unwrap_or(keyword));
            self.in_section = true;
        }
        // Swapping keeps both word lists and their capacity.
        std::mem::swap(&mut self.current.words, words);
        self.current.number = number;
        self.current.span = span;
        if self.abort_pending {
            self.abort();
        }
        Some(if is_section { Kind::Section } else { Kind::Line })
    }

    fn unsupported_prefix(&mut self, prefix: &Word, keyword: &[u8]) {
        let message = format!(
            "'{}' is not supported before '{}' (HAProxy: negation/default currently supported \
             only for options, log, busy-polling, set-dumpable, strict-limits, \
             insecure-fork-wanted and numa-cpu-mapping)",
            String::from_utf8_lossy(prefix.c_str()),
            String::from_utf8_lossy(keyword)
        );
        self.report(&UNSUPPORTED_PREFIX, prefix.span, message);
        self.edit_last(|d| d.with_label("unsupported prefix").with_help("remove the prefix"));
        self.fatal += 1;
    }

    fn out_of_section(&mut self, at: Span, keyword: &[u8]) {
        let shown = String::from_utf8_lossy(keyword).into_owned();
        let message = format!(
            "'{shown}' is outside any section (HAProxy: unknown keyword '{shown}' out of section)"
        );
        self.report(&OUT_OF_SECTION, at, message);
        let help = match super::closest_section_keyword(keyword) {
            Some(section) => format!("did you mean the section keyword '{section}'?"),
            None => {
                "put a section header such as 'global' or 'ring NAME' above it, in the same file"
                    .to_owned()
            }
        };
        self.edit_last(|d| {
            d.with_label("no section header above this line in this file").with_help(help)
        });
        self.fatal += 1;
    }

    /// Checks a `[scope]` line, which HAProxy reads before tokenizing.
    fn scope(&mut self, bytes: &[u8], base: usize, indent: usize) {
        let name_start = indent + 1;
        let close = memchr::memchr(b']', &bytes[name_start..]).map(|i| name_start + i);
        let Some(close) = close.filter(|close| *close > name_start) else {
            let span = Span::new(base + indent, base + bytes.len());
            self.report(
                &INVALID_SCOPE,
                span,
                "empty scope name (HAProxy: empty scope name is forbidden)",
            );
            self.edit_last(|d| {
                d.with_label("scope declaration")
                    .with_help("write a name between the brackets, such as [frontends]")
            });
            return;
        };
        let name = &bytes[name_start..close];
        if let Some(bad) = name.iter().position(|b| !is_name_byte(*b)) {
            let at = base + name_start + bad;
            self.report(
                &INVALID_SCOPE,
                Span::new(at, at + 1),
                format!("character '{}' is not permitted in a scope name", char::from(name[bad])),
            );
            self.edit_last(|d| {
                d.with_label("not allowed here")
                    .with_help("use only letters, digits, '.', '-', '_' and ':'")
            });
            self.abort_pending = true;
            return;
        }
        let after = close + 1 + bytes[close + 1..].iter().take_while(|b| is_c_space(**b)).count();
        match bytes.get(after) {
            None | Some(b'\r') => {}
            Some(b'#') => {
                let end =
                    memchr::memchr(b'\r', &bytes[after..]).map_or(bytes.len(), |cr| after + cr);
                self.comments.push(Span::new(base + after, base + end));
            }
            Some(&other) => {
                let at = base + after;
                self.report(
                    &INVALID_SCOPE,
                    Span::new(at, at + 1),
                    format!(
                        "character '{}' is not permitted after a scope declaration",
                        char::from(other)
                    ),
                );
                self.edit_last(|d| {
                    d.with_label("unexpected text")
                        .with_help("put the scope declaration alone on its line")
                });
                self.abort_pending = true;
            }
        }
    }

    fn lex_error(&mut self, error: LexError, lexed: &LexedLine) {
        let line_start = self.line_start;
        let column = error.span.start - line_start + 1;
        let (message, label, help) = match error.kind {
            LexErrorKind::UnmatchedQuote => (
                format!("unmatched quote (HAProxy: unmatched quote at position {column})"),
                "this quote is never closed",
                "close the quote on the same line; quoted text never continues on the next line",
            ),
            LexErrorKind::UnmatchedBrace => (
                format!(
                    "'${{' without its '}}' (HAProxy: unmatched brace in environment variable name at position {column})"
                ),
                "this brace is never closed",
                "close the variable with '}', as in \"${NAME}\" or \"${NAME-default}\"",
            ),
            LexErrorKind::BadVariableName => (
                format!(
                    "'$' is not followed by a variable name (HAProxy: forbidden first char in environment variable name at position {column})"
                ),
                "not a variable name",
                "inside double quotes write '\\$' for a literal dollar sign, or use single quotes",
            ),
            LexErrorKind::BadHexEscape => (
                format!(
                    "'\\x' needs two hexadecimal digits (HAProxy: truncated or invalid hexadecimal sequence at position {column})"
                ),
                "invalid escape",
                "write two hexadecimal digits such as \\x2C, or '\\\\x' for a backslash followed by x",
            ),
            LexErrorKind::BadWordExpansion => (
                format!(
                    "only '[*]' may follow a variable name (HAProxy: truncated or invalid word expansion sequence at position {column})"
                ),
                "expected [*]",
                "write \"${NAME[*]}\" to split the value into words, or \"${NAME}\" to keep one word",
            ),
            LexErrorKind::TooManyWords => (
                format!(
                    "more than {} words on one line (HAProxy: too many words, truncating after word {}, position {})",
                    lex::MAX_WORDS,
                    lex::MAX_WORDS,
                    output_offset(&lexed.words, lex::MAX_WORDS - 1) + 1
                ),
                "the last word HAProxy keeps",
                "split the line, or move repeated options to a default-server line",
            ),
        };
        let info = lex_info(error.kind);
        self.report(info, error.span, message);
        self.edit_last(|d| d.with_label(label).with_help(help));
    }
}

impl Iterator for Reader<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        self.next_ref().map(EventRef::to_owned)
    }
}

/// Returns true for the errors HAProxy's first pass reports: the line format,
/// conditional blocks and scope lines.
fn is_first_pass_error(code: &str) -> bool {
    code.starts_with('L') || matches!(code, "S008" | "S009" | "S010" | "S011" | "S012")
}

/// Returns the length of the run of `isspace()` bytes that starts `line`.
fn indent_len(line: &[u8]) -> usize {
    // Keyword lines are commonly indented by four spaces; one comparison skips them.
    let skipped = if line.starts_with(b"    ") { 4 } else { 0 };
    skipped + line[skipped..].iter().take_while(|b| is_c_space(**b)).count()
}

/// Returns the string HAProxy's C code compares for `word`, its value up to the
/// first NUL byte, like [`Word::c_str`].
///
/// A word of a plain line is a run of the line's bytes, and [`Lines`] cuts
/// every line at its first NUL, so such a word is returned whole.
fn c_text(word: &Word, plain: bool) -> &[u8] {
    if plain { &word.value } else { word.c_str() }
}

/// Returns where word `index` starts in HAProxy's output buffer, where the
/// words are written one after the other, each followed by a NUL byte.
fn output_offset(words: &[Word], index: usize) -> usize {
    words[..index.min(words.len())].iter().map(|w| w.value.len() + 1).sum()
}

/// Bytes HAProxy allows in names (its `invalid_char()`).
fn is_name_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_' | b':')
}

#[derive(Clone, Copy)]
enum LexCode {
    StrayNul,
    MissingLf,
}

fn lex_code(code: LexCode) -> &'static CodeInfo {
    match code {
        LexCode::StrayNul => &lex::STRAY_NUL,
        LexCode::MissingLf => &lex::MISSING_FINAL_NEWLINE,
    }
}

fn lex_info(kind: LexErrorKind) -> &'static CodeInfo {
    match kind {
        LexErrorKind::UnmatchedQuote => &lex::UNMATCHED_QUOTE,
        LexErrorKind::UnmatchedBrace => &lex::UNMATCHED_BRACE,
        LexErrorKind::BadVariableName => &lex::BAD_VARIABLE_NAME,
        LexErrorKind::BadHexEscape => &lex::BAD_HEX_ESCAPE,
        LexErrorKind::BadWordExpansion => &lex::BAD_WORD_EXPANSION,
        LexErrorKind::TooManyWords => &lex::TOO_MANY_WORDS,
    }
}

/// Where each word of a condition sits in the joined expression.
struct ConditionMap {
    /// For each word: its start in the expression.
    starts: Vec<usize>,
}

impl ConditionMap {
    /// Maps an offset in the expression back to the file.
    fn span_at(&self, offset: usize, words: &[Word]) -> Span {
        let condition_words = &words[1..];
        let index = self.starts.iter().rposition(|start| *start <= offset);
        let Some(index) = index else {
            let end = words[0].span.end;
            return Span::new(end, end);
        };
        let word = &condition_words[index];
        let within = offset - self.starts[index];
        if within >= word.value.len() {
            return Span::new(word.span.end, word.span.end);
        }
        // Offsets map byte for byte only when the word was written as is.
        let start = if word.span.len() == word.value.len() {
            word.span.start + within
        } else {
            word.span.start
        };
        Span::new(start, word.span.end)
    }
}

/// Joins the words of a condition with single spaces, NUL bytes included
/// as spaces, as HAProxy does before parsing it.
fn join_condition(words: &[Word]) -> (Vec<u8>, ConditionMap) {
    let mut expression = Vec::new();
    let mut starts = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        if i > 0 {
            expression.push(b' ');
        }
        starts.push(expression.len());
        expression.extend(word.value.iter().map(|b| if *b == 0 { b' ' } else { *b }));
    }
    (expression, ConditionMap { starts })
}
