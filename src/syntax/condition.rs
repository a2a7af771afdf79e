//! The `.if` / `.elif` expressions: a `nom` grammar and its evaluation.
//!
//! HAProxy re-joins the words after `.if` with single spaces and parses the
//! result (src/cfgcond.c). The grammar, also in `grammar/condition.ebnf`:
//!
//! ```text
//! expression  = conjunction , [ "||" , expression ] ;
//! conjunction = term , [ "&&" , conjunction ] ;
//! term        = { "!" } , ( number | "(" , expression , ")" | predicate ) ;
//! ```
//!
//! Blanks (space, tab) may surround every token. The parsers share a depth
//! budget of 1024 like HAProxy's `MAX_CFG_RECURSION`, so deep nesting is an
//! error and never a stack overflow. The whole expression is parsed before
//! anything is evaluated, and evaluation short-circuits: an error in a branch
//! that is not evaluated goes unreported, as in HAProxy.

use nom::IResult;
use nom::bytes::complete::take_while;
use nom::error::{ErrorKind, ParseError};

use super::ReadOptions;
use super::build::{find, has_feature};
use crate::lex::{Env, is_c_space};

/// HAProxy's `MAX_CFG_RECURSION`.
const MAX_DEPTH: i32 = 1024;

/// The size of HAProxy's default `tune.bufsize`, which bounds one decoded argument.
const ARGUMENT_BUFFER: usize = 16384;

/// An error in a condition: HAProxy's message and the offset it points at,
/// counted in the expression (the text after `.if `).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionError {
    /// HAProxy's message, such as `unparsable conditional expression '&&'`.
    pub message: String,
    /// 0-based offset in the expression; HAProxy prints it plus one.
    pub offset: usize,
}

/// Parses and evaluates `expression` (the words after `.if`, joined by spaces).
///
/// An empty expression is false.
///
/// ```
/// use ringcfg::syntax::{ReadOptions, condition::evaluate};
/// let options = ReadOptions::default();
/// assert_eq!(evaluate(b"version_atleast(3.1-dev8) && !feature(OPENSSL)", &options, &options.env), Ok(true));
/// assert_eq!(evaluate(b"1 &&", &options, &options.env).unwrap_err().offset, 2);
/// ```
pub fn evaluate(
    expression: &[u8],
    options: &ReadOptions,
    env: &Env,
) -> Result<bool, ConditionError> {
    if expression.is_empty() {
        return Ok(false);
    }
    let tree = parse(expression)?;
    tree.eval(options, env).map_err(|message| ConditionError { message, offset: expression.len() })
}

/// Parses a whole expression; what follows it must be blank.
fn parse(text: &[u8]) -> Result<Expression, ConditionError> {
    let offset = |rest: &[u8]| text.len() - rest.len();
    match expression(text, MAX_DEPTH) {
        Ok((rest, tree)) => {
            let rest = skip_blanks(rest);
            match rest.first() {
                None => Ok(tree),
                Some(&byte) => Err(ConditionError {
                    message: format!(
                        "unexpected character '{}' at the end of conditional expression '{}'",
                        char::from(byte),
                        lossy(text)
                    ),
                    offset: offset(rest),
                }),
            }
        }
        Err(nom::Err::Failure(error)) => Err(ConditionError {
            message: error.message.unwrap_or_default(),
            offset: offset(error.at),
        }),
        Err(nom::Err::Error(error)) => Err(ConditionError {
            message: format!("unparsable conditional expression '{}'", lossy(text)),
            offset: offset(error.at),
        }),
        Err(nom::Err::Incomplete(_)) => Err(ConditionError {
            message: format!("unparsable conditional expression '{}'", lossy(text)),
            offset: 0,
        }),
    }
}

/// A parse failure. Without a message it is HAProxy's "desynchronized"
/// result (nothing to parse at `at`); with one it is a committed error.
#[derive(Clone, Debug, PartialEq, Eq)]
struct CondError<'a> {
    at: &'a [u8],
    message: Option<String>,
}

impl<'a> ParseError<&'a [u8]> for CondError<'a> {
    fn from_error_kind(input: &'a [u8], _kind: ErrorKind) -> Self {
        CondError { at: input, message: None }
    }

    fn append(_input: &'a [u8], _kind: ErrorKind, other: Self) -> Self {
        other
    }
}

type CResult<'a, O> = IResult<&'a [u8], O, CondError<'a>>;

fn desync<O>(at: &[u8]) -> CResult<'_, O> {
    Err(nom::Err::Error(CondError { at, message: None }))
}

fn failure<O>(at: &[u8], message: String) -> CResult<'_, O> {
    Err(nom::Err::Failure(CondError { at, message: Some(message) }))
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `blanks = { " " | TAB }`
fn blanks(input: &[u8]) -> CResult<'_, &[u8]> {
    take_while(|b| b == b' ' || b == b'\t')(input)
}

fn skip_blanks(input: &[u8]) -> &[u8] {
    let start = input.iter().position(|b| *b != b' ' && *b != b'\t').unwrap_or(input.len());
    &input[start..]
}

/// A parsed expression: alternatives of conjunctions of terms.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Expression(Vec<Vec<Term>>);

/// One term, possibly negated.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Term {
    negate: bool,
    kind: TermKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum TermKind {
    Constant(bool),
    Group(Expression),
    Predicate(Predicate, Vec<Vec<u8>>),
}

/// `expression = conjunction , [ "||" , expression ]`
///
/// The right-recursive rule is parsed as a loop that spends one unit of depth
/// per `||`, which is what HAProxy's recursion spends.
fn expression(text: &[u8], depth: i32) -> CResult<'_, Expression> {
    let mut alternatives = Vec::new();
    let mut input = text;
    let mut depth = depth;
    loop {
        if input.is_empty() {
            return desync(input);
        }
        if depth <= 0 {
            return failure(input, format!("unparsable conditional expression '{}'", lossy(input)));
        }
        let (rest, conjunction) = match conjunction(input, depth - 1) {
            Ok(done) => done,
            Err(nom::Err::Error(error)) => {
                let message = format!("unparsable conditional expression '{}'", lossy(error.at));
                return failure(error.at, message);
            }
            Err(other) => return Err(other),
        };
        alternatives.push(conjunction);
        let rest = skip_blanks(rest);
        let Some(after) = rest.strip_prefix(b"||") else {
            return Ok((rest, Expression(alternatives)));
        };
        input = skip_blanks(after);
        depth -= 1;
        if input.is_empty() {
            // Nothing after `||`: HAProxy reports the position of the `||`.
            return desync(rest);
        }
    }
}

/// `conjunction = term , [ "&&" , conjunction ]`
fn conjunction(text: &[u8], depth: i32) -> CResult<'_, Vec<Term>> {
    let mut terms = Vec::new();
    let mut input = text;
    let mut depth = depth;
    loop {
        if input.is_empty() {
            return desync(input);
        }
        if depth <= 0 {
            let message = format!("unparsable conditional sub-expression '{}'", lossy(input));
            return failure(input, message);
        }
        let (rest, term) = match term(input, depth - 1) {
            Ok(done) => done,
            Err(nom::Err::Error(_)) => {
                let message = format!("unparsable conditional sub-expression '{}'", lossy(input));
                return failure(input, message);
            }
            Err(other) => return Err(other),
        };
        terms.push(term);
        let rest = skip_blanks(rest);
        let Some(after) = rest.strip_prefix(b"&&") else {
            return Ok((rest, terms));
        };
        input = skip_blanks(after);
        depth -= 1;
        if input.is_empty() {
            // Nothing after `&&`: HAProxy reports the position of the `&&`.
            return desync(rest);
        }
    }
}

/// `term = { "!" } , ( number | "(" , expression , ")" | predicate )`
fn term(text: &[u8], depth: i32) -> CResult<'_, Term> {
    let (input, _) = blanks(text)?;
    if input.is_empty() {
        return desync(text);
    }
    let unparsable = || format!("unparsable conditional expression '{}'", lossy(text));
    if depth <= 0 {
        return failure(text, unparsable());
    }
    let (input, negate) = negations(input)?;
    if let Ok((rest, value)) = number(input) {
        return Ok((rest, Term { negate, kind: TermKind::Constant(value) }));
    }
    if let Some(inner) = input.strip_prefix(b"(") {
        return group(text, skip_blanks(inner), depth, negate);
    }
    match predicate_name(input) {
        Some((predicate, after)) => {
            let (rest, args) = arguments(after, predicate)?;
            Ok((rest, Term { negate, kind: TermKind::Predicate(predicate, args) }))
        }
        None => failure(text, unparsable()),
    }
}

/// `negations = { "!" , blanks }`
fn negations(input: &[u8]) -> CResult<'_, bool> {
    let mut negate = false;
    let mut input = input;
    while let Some(rest) = input.strip_prefix(b"!") {
        negate = !negate;
        input = skip_blanks(rest);
    }
    Ok((input, negate))
}

/// The `"(" , expression , ")"` part of `term`; `inner` follows the `(`.
fn group<'a>(text: &'a [u8], inner: &'a [u8], depth: i32, negate: bool) -> CResult<'a, Term> {
    let (rest, inner) = match expression(inner, depth - 1) {
        Ok(done) => done,
        Err(nom::Err::Error(_)) => {
            return failure(text, format!("unparsable conditional expression '{}'", lossy(text)));
        }
        Err(other) => return Err(other),
    };
    let rest = skip_blanks(rest);
    match rest.strip_prefix(b")") {
        Some(after) => Ok((skip_blanks(after), Term { negate, kind: TermKind::Group(inner) })),
        None => {
            failure(text, format!("expected ')' after conditional expression '{}'", lossy(text)))
        }
    }
}

/// `number = [ blank ] , [ "+" | "-" ] , ( "0x" , hex_digits | "0" , octal_digits | decimal_digits )`
///
/// This is C's `strtol(…, 0)`: it takes the longest valid prefix, so `08`
/// is the number 0 followed by the text `8`. The term is true when the
/// number is not zero.
fn number(input: &[u8]) -> CResult<'_, bool> {
    let mut i = input.iter().take_while(|b| is_c_space(**b)).count();
    if matches!(input.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = &input[i..];
    let (radix, skip) = match digits {
        [b'0', b'x' | b'X', next, ..] if next.is_ascii_hexdigit() => (16, 2),
        [b'0', ..] => (8, 0),
        _ => (10, 0),
    };
    let body = &digits[skip..];
    let len = body.iter().take_while(|b| char::from(**b).is_digit(radix)).count();
    if len == 0 {
        return desync(input);
    }
    let nonzero = body[..len].iter().any(|b| *b != b'0');
    Ok((&body[len..], nonzero))
}

/// The predicates of HAProxy 3.5 (src/cfgcond.c).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Predicate {
    Defined,
    Feature,
    Streq,
    Strneq,
    Strstr,
    VersionAtleast,
    VersionBefore,
    OpensslVersionAtleast,
    OpensslVersionBefore,
    SsllibNameStartswith,
    AwslcApiAtleast,
    AwslcApiBefore,
    Enabled,
    FipsMode,
}

const PREDICATES: &[(&str, Predicate)] = &[
    ("defined", Predicate::Defined),
    ("feature", Predicate::Feature),
    ("streq", Predicate::Streq),
    ("strneq", Predicate::Strneq),
    ("strstr", Predicate::Strstr),
    ("version_atleast", Predicate::VersionAtleast),
    ("version_before", Predicate::VersionBefore),
    ("openssl_version_atleast", Predicate::OpensslVersionAtleast),
    ("openssl_version_before", Predicate::OpensslVersionBefore),
    ("ssllib_name_startswith", Predicate::SsllibNameStartswith),
    ("awslc_api_atleast", Predicate::AwslcApiAtleast),
    ("awslc_api_before", Predicate::AwslcApiBefore),
    ("enabled", Predicate::Enabled),
    ("fips_mode", Predicate::FipsMode),
];

impl Predicate {
    fn name(self) -> &'static str {
        PREDICATES.iter().find(|(_, p)| *p == self).map_or("", |(name, _)| name)
    }

    /// How many string arguments it takes; all of them are mandatory.
    fn arity(self) -> usize {
        match self {
            Predicate::Streq | Predicate::Strneq | Predicate::Strstr => 2,
            Predicate::FipsMode => 0,
            _ => 1,
        }
    }
}

/// `predicate = predicate_name , [ "(" , arguments , ")" ]`: the name ends at
/// a space, a `(` or the end, and must be one of the known names.
fn predicate_name(input: &[u8]) -> Option<(Predicate, &[u8])> {
    let len = input.iter().position(|b| *b == b' ' || *b == b'(').unwrap_or(input.len());
    let word = &input[..len];
    let (_, predicate) = PREDICATES.iter().find(|(name, _)| name.as_bytes() == word)?;
    Some((*predicate, &input[len..]))
}

/// `arguments = argument , { "," , argument }`, inside parentheses, as
/// HAProxy's `make_arg_list()` reads them for string arguments.
///
/// Without a `(`, a predicate that takes arguments gets one empty argument.
fn arguments(input: &[u8], predicate: Predicate) -> CResult<'_, Vec<Vec<u8>>> {
    let wanted = predicate.arity();
    let (mut input, bare) = match input.strip_prefix(b"(") {
        Some(rest) => (rest, false),
        None => (input, true),
    };
    let arg_error = |at, message: String, position: usize| {
        let message = format!(
            "{message} in argument {position} of predicate '{}' used in conditional expression",
            predicate.name()
        );
        failure(at, message)
    };
    let mut args = Vec::new();
    while args.len() < wanted {
        let (rest, arg) = if bare {
            (input, Vec::new())
        } else {
            match argument(input, args.len()) {
                Ok(done) => done,
                Err((at, message)) => return arg_error(at, message, args.len()),
            }
        };
        args.push(arg);
        input = rest;
        if bare || input.is_empty() || input[0] == b')' || args.len() >= wanted {
            break;
        }
        input = &input[1..];
    }
    if args.len() < wanted {
        let message =
            format!("missing arguments (got {}/{wanted}), type 'string' expected", args.len());
        return arg_error(input, message, args.len());
    }
    if bare {
        return Ok((input, args));
    }
    match input.strip_prefix(b")") {
        Some(rest) => Ok((rest, args)),
        None => {
            let message = if input.is_empty() {
                "expected ')'".to_owned()
            } else {
                format!("expected ')' before '{}'", lossy(input))
            };
            // HAProxy counts the argument before the missing `)` once too often.
            let position = if args.len() > 1 { args.len() - 1 } else { args.len() };
            arg_error(input, message, position)
        }
    }
}

/// Where an argument went wrong, and HAProxy's message.
type ArgumentError<'a> = (&'a [u8], String);

/// `argument = { '"' | "'" | escape | byte - ( "," | ")" ) }`: quotes are
/// removed, and `\\`, `\ `, `\"`, `\'`, `\r`, `\n` and `\t` are decoded.
///
/// On error, returns where it is and HAProxy's message without its context.
fn argument(input: &[u8], index: usize) -> Result<(&[u8], Vec<u8>), ArgumentError<'_>> {
    let (mut squote, mut dquote) = (false, false);
    let mut out = Vec::new();
    let mut i = 0;
    while i < input.len() && out.len() < ARGUMENT_BUFFER - 1 {
        let byte = input[i];
        match byte {
            b'"' if !squote => dquote = !dquote,
            b'\'' if !dquote => squote = !squote,
            b'\\' if !squote => {
                let decoded = match input.get(i + 1) {
                    None => {
                        let message = format!(
                            "failed to parse '{}' after '{}' as type 'string' at position {}",
                            lossy(&input[i..]),
                            lossy(&out),
                            index + 1
                        );
                        return Err((&input[i..], message));
                    }
                    Some(&next @ (b'\\' | b' ' | b'"' | b'\'')) => Some(next),
                    Some(b'r') => Some(b'\r'),
                    Some(b'n') => Some(b'\n'),
                    Some(b't') => Some(b'\t'),
                    Some(_) => None,
                };
                match decoded {
                    Some(decoded) => {
                        out.push(decoded);
                        i += 1;
                    }
                    None => out.push(b'\\'),
                }
            }
            b',' | b')' if !squote && !dquote => break,
            _ => out.push(byte),
        }
        i += 1;
    }
    let rest = &input[i..];
    if rest.first().is_some_and(|next| *next != b',' && *next != b')') {
        let message = format!(
            "too small buffer size to store decoded argument {}, increase bufsize ?",
            index + 1
        );
        return Err((rest, message));
    }
    Ok((rest, out))
}

impl Expression {
    /// Evaluates alternatives until one is true or fails.
    fn eval(&self, options: &ReadOptions, env: &Env) -> Result<bool, String> {
        for conjunction in &self.0 {
            if eval_conjunction(conjunction, options, env)? {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// Evaluates terms until one is false or fails.
fn eval_conjunction(terms: &[Term], options: &ReadOptions, env: &Env) -> Result<bool, String> {
    for term in terms {
        if !term.eval(options, env)? {
            return Ok(false);
        }
    }
    Ok(true)
}

impl Term {
    fn eval(&self, options: &ReadOptions, env: &Env) -> Result<bool, String> {
        let value = match &self.kind {
            TermKind::Constant(value) => *value,
            TermKind::Group(inner) => inner.eval(options, env)?,
            TermKind::Predicate(predicate, args) => eval_predicate(*predicate, args, options, env)?,
        };
        Ok(value != self.negate)
    }
}

fn eval_predicate(
    predicate: Predicate,
    args: &[Vec<u8>],
    options: &ReadOptions,
    env: &Env,
) -> Result<bool, String> {
    let first = args.first().map_or(&[][..], Vec::as_slice);
    let second = args.get(1).map_or(&[][..], Vec::as_slice);
    let invalid = || {
        format!(
            "invalid argument to conditional expression predicate '{}': '{}'",
            predicate.name(),
            lossy(first)
        )
    };
    Ok(match predicate {
        Predicate::Defined => env.get(first).is_some(),
        Predicate::Feature => has_feature(options.features.as_bytes(), first),
        Predicate::Streq => first == second,
        Predicate::Strneq => first != second,
        Predicate::Strstr => find(first, second).is_some(),
        Predicate::VersionAtleast => compare_version(options, first) <= 0,
        Predicate::VersionBefore => compare_version(options, first) > 0,
        Predicate::OpensslVersionAtleast | Predicate::OpensslVersionBefore => {
            let current = options.tls.as_ref().and_then(|tls| {
                tls.version_number.or_else(|| openssl_version_number(tls.version.as_bytes()))
            });
            let (Some(current), Some(wanted)) = (current, openssl_version_parser(first)) else {
                return Err(invalid());
            };
            match predicate {
                Predicate::OpensslVersionAtleast => wanted <= current,
                _ => wanted > current,
            }
        }
        Predicate::SsllibNameStartswith => options
            .tls
            .as_ref()
            .is_some_and(|tls| !first.is_empty() && tls.name.as_bytes().starts_with(first)),
        Predicate::AwslcApiAtleast | Predicate::AwslcApiBefore => {
            let current = options.tls.as_ref().and_then(|tls| tls.awslc_api);
            let wanted = std::str::from_utf8(first).ok().and_then(|text| text.parse::<i64>().ok());
            let (Some(current), Some(wanted)) = (current, wanted) else {
                return Err(invalid());
            };
            match predicate {
                Predicate::AwslcApiAtleast => wanted <= current,
                _ => wanted > current,
            }
        }
        Predicate::Enabled => options.enabled.iter().any(|name| name.as_bytes() == first),
        Predicate::FipsMode => options.fips_mode,
    })
}

/// Compares `text` with the target version like HAProxy's
/// `compare_current_version()`: -1 when `text` is older, 0 when equal, 1 when
/// newer. An unparsable `text` gives -3, so `version_atleast()` is then true
/// and `version_before()` false, as in HAProxy.
///
/// The target is the build's own version when it is known, else the release
/// `MAJOR.MINOR` itself: 3.5 is newer than every `3.5-devN` and `3.5-rcN`,
/// and older than `3.5.1`.
fn compare_version(options: &ReadOptions, text: &[u8]) -> i32 {
    let target = options.version;
    let current = match options.build_version.as_deref() {
        // HAProxy gives -2 when it cannot split its own version.
        Some(build) => match split_version(build.as_bytes()) {
            Some(current) => current,
            None => return -2,
        },
        None => [u32::from(target.major), u32::from(target.minor), 0, 0, 3, 0, 0],
    };
    let Some(wanted) = split_version(text) else { return -3 };
    match wanted.cmp(&current) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

/// Splits a version such as `3.1-dev8` into HAProxy's seven numbers: four
/// dotted numbers, the tag (1 dev, 2 rc or pre, 3 release), the tag number
/// and a commit count.
fn split_version(text: &[u8]) -> Option<[u32; 7]> {
    let mut value = [0, 0, 0, 0, 3, 0, 0];
    if text.is_empty() {
        return None;
    }
    let mut p = text;
    for slot in 0..4 {
        let (number, rest) = strtol10(p);
        value[slot] = number;
        match rest.first() {
            None => return Some(value),
            Some(b'-') => return split_version_tag(&rest[1..], value),
            Some(b'.') if slot < 3 => p = &rest[1..],
            _ => return None,
        }
    }
    None
}

fn split_version_tag(p: &[u8], mut value: [u32; 7]) -> Option<[u32; 7]> {
    if p.first().is_some_and(u8::is_ascii_digit) {
        return split_version_commit(p, value);
    }
    let tag = [(&b"dev"[..], 1), (&b"rc"[..], 2), (&b"pre"[..], 2)]
        .into_iter()
        .find(|(name, _)| p.starts_with(name));
    let Some((name, kind)) = tag else {
        return split_version_commit(p, value);
    };
    value[4] = kind;
    let (number, rest) = strtol10(&p[name.len()..]);
    value[5] = number;
    match rest.first() {
        None => Some(value),
        Some(b'-') => split_version_commit(&rest[1..], value),
        _ => None,
    }
}

/// Reads the commit count: the number after the last `-`, if any.
fn split_version_commit(p: &[u8], mut value: [u32; 7]) -> Option<[u32; 7]> {
    let tail = match p.iter().rposition(|b| *b == b'-') {
        Some(dash) if dash + 1 == p.len() => return None,
        Some(dash) => &p[dash + 1..],
        None => p,
    };
    let (number, rest) = strtol10(tail);
    value[6] = if rest.is_empty() { number } else { 0 };
    Some(value)
}

/// C's `strtol(…, 10)` cast to `unsigned int`: leading spaces, a sign, digits.
fn strtol10(text: &[u8]) -> (u32, &[u8]) {
    let mut i = text.iter().take_while(|b| is_c_space(**b)).count();
    let negative = text.get(i) == Some(&b'-');
    if matches!(text.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = text[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return (0, text);
    }
    let mut value: i64 = 0;
    for byte in &text[i..i + digits] {
        value = value.saturating_mul(10).saturating_add(i64::from(byte - b'0'));
    }
    let value = if negative { value.wrapping_neg() } else { value };
    (value as u32, &text[i + digits..])
}

/// Reads an OpenSSL version the way HAProxy's `openssl_version_parser()`
/// does, into OpenSSL 1.x's `0xMNNFFPPS` layout: `MAJOR.MINOR.FIX`, then
/// patch letters (`1.1.1k`, `0.9.8zh`), `-betaN`, or another `-` suffix for
/// a development build. Returns `None` where HAProxy's parser returns 0.
fn openssl_version_parser(text: &[u8]) -> Option<u32> {
    let (major, rest) = strtol10(text);
    let rest = rest.strip_prefix(b".").filter(|_| major <= 0xf)?;
    let (minor, rest) = strtol10(rest);
    let rest = rest.strip_prefix(b".").filter(|_| minor <= 0xff)?;
    let (fix, rest) = strtol10(rest);
    if fix > 0xff {
        return None;
    }
    let (patch, status) = match rest.split_first() {
        None => (0, 0xf),
        Some((b'-', pre_release)) => match pre_release.strip_prefix(b"beta") {
            Some(number) => match strtol10(number).0 {
                beta @ 0..=14 => (0, beta),
                _ => return None,
            },
            None => (0, 0),
        },
        // Each byte adds its distance from 'A', upper or lower case alike,
        // to a first patch level of 1.
        Some(_) => {
            let letters =
                rest.iter().map(|byte| u32::from(byte & !0x20).wrapping_sub(u32::from(b'A')));
            (letters.fold(1u32, u32::wrapping_add), 0xf)
        }
    };
    let number = (major & 0xf) << 28
        | (minor & 0xff) << 20
        | (fix & 0xff) << 12
        | (patch & 0xff) << 4
        | status;
    (number != 0).then_some(number)
}

/// Returns `OPENSSL_VERSION_NUMBER` of an OpenSSL release such as `3.0.13`
/// or `1.1.1w`: what HAProxy compares `openssl_version_atleast()` with.
///
/// OpenSSL 3 changed the layout to `0xMNN00PP0`, while HAProxy still reads
/// arguments in the 1.x layout. So on OpenSSL 3 an argument with a fix
/// level above 0 counts as newer than the library: on 3.0.13,
/// `openssl_version_atleast(3.0.2)` is false.
fn openssl_version_number(version: &[u8]) -> Option<u32> {
    let number = openssl_version_parser(version)?;
    if number >> 28 < 3 {
        return Some(number);
    }
    let (major, minor, fix) = (number >> 28, (number >> 20) & 0xff, (number >> 12) & 0xff);
    Some(major << 28 | minor << 20 | fix << 4)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::build::TlsLibrary;
    use crate::version::HaproxyVersion;

    fn options() -> ReadOptions {
        let mut options = ReadOptions::default();
        options.env.set("HOME", "/root");
        options.env.set("EMPTY", "");
        options
    }

    fn eval(text: &str) -> Result<bool, ConditionError> {
        let options = options();
        evaluate(text.as_bytes(), &options, &options.env)
    }

    fn error(text: &str) -> (String, usize) {
        let error = eval(text).expect_err("an error");
        (error.message, error.offset + 1)
    }

    #[test]
    fn empty_is_false() {
        assert_eq!(eval(""), Ok(false));
    }

    #[test]
    fn numbers_follow_strtol() {
        assert_eq!(eval("1"), Ok(true));
        assert_eq!(eval("0"), Ok(false));
        assert_eq!(eval("0x10"), Ok(true));
        assert_eq!(eval("-0"), Ok(false));
        assert_eq!(eval(" 007 "), Ok(true));
        assert_eq!(error("08").1, 2);
    }

    #[test]
    fn operators_and_groups() {
        assert_eq!(eval("1 && 0 || 1"), Ok(true));
        assert_eq!(eval("!1 || !(0)"), Ok(true));
        assert_eq!(eval("! ! 1 && (1 || 0)"), Ok(true));
        assert_eq!(eval("(0 || 0) && 1"), Ok(false));
    }

    #[test]
    fn defined_tests_the_environment() {
        assert_eq!(eval("defined(HOME)"), Ok(true));
        assert_eq!(eval("defined(EMPTY)"), Ok(true));
        assert_eq!(eval("defined(NOPE)"), Ok(false));
        assert_eq!(eval("defined"), Ok(false));
    }

    #[test]
    fn string_predicates() {
        assert_eq!(eval("streq(a,a) && strneq(a,b)"), Ok(true));
        assert_eq!(eval("streq(\"a,b\",'a,b')"), Ok(true));
        assert_eq!(eval("strstr(abc,b) && strstr(abc,)"), Ok(true));
        assert_eq!(eval("strstr(abc,d)"), Ok(false));
    }

    #[test]
    fn feature_and_enabled_use_the_build() {
        assert_eq!(eval("feature(THREAD) && !feature(OPENSSL)"), Ok(true));
        assert_eq!(eval("enabled(EPOLL) && !enabled(KQUEUE)"), Ok(true));
        assert_eq!(eval("fips_mode"), Ok(false));
        assert_eq!(eval("fips_mode()"), Ok(false));
    }

    #[test]
    fn versions_compare_like_haproxy() {
        assert_eq!(eval("version_atleast(3.0)"), Ok(true));
        assert_eq!(eval("version_atleast(3.5-dev5)"), Ok(true));
        assert_eq!(eval("version_atleast(3.5)"), Ok(true));
        assert_eq!(eval("version_atleast(3.5.1)"), Ok(false));
        assert_eq!(eval("version_before(3.6-dev0)"), Ok(true));
        assert_eq!(eval("version_before(3.1-dev8)"), Ok(false));
        assert_eq!(eval("version_atleast(garbage)"), Ok(true));
        assert_eq!(eval("version_before(garbage)"), Ok(false));
    }

    #[test]
    fn build_version_is_compared_whole() {
        let mut options = options();
        options.version = HaproxyVersion::new(3, 2);
        options.build_version = Some("3.2.4".into());
        let eval = |text: &str| evaluate(text.as_bytes(), &options, &options.env);
        assert_eq!(eval("version_atleast(3.2.1)"), Ok(true));
        assert_eq!(eval("version_before(3.2.5)"), Ok(true));

        let mut options = self::options();
        options.version = HaproxyVersion::new(3, 3);
        options.build_version = Some("3.3-dev7".into());
        assert_eq!(evaluate(b"version_atleast(3.3)", &options, &options.env), Ok(false));

        // A version HAProxy cannot split makes every comparison "at least".
        options.build_version = Some("3.0.5+custom".into());
        assert_eq!(evaluate(b"version_atleast(9.9)", &options, &options.env), Ok(true));
        assert_eq!(evaluate(b"version_before(9.9)", &options, &options.env), Ok(false));
    }

    #[test]
    fn fixed_library_numbers_win() {
        let mut options = options();
        options.tls = Some(TlsLibrary {
            name: "BoringSSL".into(),
            version: String::new(),
            version_number: Some(0x1010_107f),
            awslc_api: None,
        });
        let eval = |text: &str| evaluate(text.as_bytes(), &options, &options.env);
        assert_eq!(eval("openssl_version_atleast(1.1.1g)"), Ok(true));
        assert_eq!(eval("openssl_version_atleast(1.1.1h)"), Ok(false));
    }

    #[test]
    fn tls_predicates_fail_without_tls() {
        assert!(eval("openssl_version_atleast(1.1.1)").is_err());
        assert!(eval("awslc_api_atleast(1)").is_err());
        assert_eq!(eval("ssllib_name_startswith(OpenSSL)"), Ok(false));
        assert_eq!(eval("1 || openssl_version_atleast(1.1.1)"), Ok(true));
    }

    /// Evaluates `text` for a build with OpenSSL 3.0.13.
    fn eval_openssl_3(text: &str) -> Result<bool, ConditionError> {
        let mut options = options();
        options.tls = Some(TlsLibrary {
            name: "OpenSSL 3.0.13 30 Jan 2024".into(),
            version: "3.0.13".into(),
            version_number: None,
            awslc_api: None,
        });
        evaluate(text.as_bytes(), &options, &options.env)
    }

    #[test]
    fn tls_predicates_with_a_library() {
        assert_eq!(eval_openssl_3("openssl_version_atleast(1.1.1k)"), Ok(true));
        assert_eq!(eval_openssl_3("openssl_version_atleast(3.0.0)"), Ok(true));
        assert_eq!(eval_openssl_3("openssl_version_before(3.1.0)"), Ok(true));
        assert_eq!(eval_openssl_3("ssllib_name_startswith(OpenSSL)"), Ok(true));
        assert!(eval_openssl_3("awslc_api_atleast(1)").is_err());
        assert!(eval_openssl_3("openssl_version_atleast(3.0)").is_err());
    }

    #[test]
    fn openssl_3_fix_levels_compare_as_haproxy_does() {
        // 3.0.2 reads as 0x3000200f and 3.0.13 is 0x300000d0.
        assert_eq!(eval_openssl_3("openssl_version_atleast(3.0.2)"), Ok(false));
        assert_eq!(eval_openssl_3("openssl_version_before(3.0.13)"), Ok(true));
    }

    #[test]
    fn openssl_version_spellings() {
        assert_eq!(openssl_version_parser(b"1.1.1"), Some(0x1010_100f));
        assert_eq!(openssl_version_parser(b"1.1.1w"), Some(0x1010_117f));
        assert_eq!(openssl_version_parser(b"0.9.8zh"), Some(0x0090_821f));
        assert_eq!(openssl_version_parser(b"1.0.2U"), Some(0x1000_215f));
        assert_eq!(openssl_version_parser(b"3.0.0-alpha17"), Some(0x3000_0000));
        assert_eq!(openssl_version_parser(b"3.0.0-beta2"), Some(0x3000_0002));
        assert_eq!(openssl_version_parser(b"3.0.0-beta15"), None);
        assert_eq!(openssl_version_parser(b"16.0.0"), None);
        assert_eq!(openssl_version_parser(b"3.0"), None);
        assert_eq!(openssl_version_parser(b"0.0.0-dev"), None);
        assert_eq!(openssl_version_number(b"3.0.19"), Some(0x3000_0130));
        assert_eq!(openssl_version_number(b"1.1.1w"), Some(0x1010_117f));
    }

    #[test]
    fn awslc_predicates_with_aws_lc() {
        let mut options = options();
        options.tls = Some(TlsLibrary {
            name: "AWS-LC 1.48.0".into(),
            version: "1.1.1".into(),
            version_number: Some(0x1010_107f),
            awslc_api: Some(32),
        });
        let eval = |text: &str| evaluate(text.as_bytes(), &options, &options.env);
        assert_eq!(eval("awslc_api_atleast(31) && awslc_api_before(33)"), Ok(true));
        assert_eq!(eval("awslc_api_atleast(33)"), Ok(false));
        assert!(eval("awslc_api_before(x1)").is_err());
        assert_eq!(eval("ssllib_name_startswith(AWS-LC)"), Ok(true));
    }

    #[test]
    fn errors_match_haproxy() {
        assert_eq!(error("1 &&"), ("unparsable conditional expression '&&'".into(), 3));
        assert_eq!(error("foo(1)"), ("unparsable conditional expression 'foo(1)'".into(), 1));
        assert_eq!(
            error("1 x"),
            ("unexpected character 'x' at the end of conditional expression '1 x'".into(), 3)
        );
        assert_eq!(error("(1"), ("expected ')' after conditional expression '(1'".into(), 1));
        assert_eq!(error("1 ||").1, 3);
        assert!(error("streq(a)").0.starts_with("missing arguments (got 1/2)"));
        assert!(error("defined(a,b)").0.starts_with("expected ')' before ',b)'"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
        assert!(eval(&deep).is_err());
        let shallow = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert_eq!(eval(&shallow), Ok(true));
        let long = vec!["1"; 5000].join(" && ");
        assert!(eval(&long).is_err());
    }
}
