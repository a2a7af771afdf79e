//! The diagnostic codes of the tokenizer, `L001` to `L008`.

use crate::diag::{CodeInfo, Severity};

/// Diagnostic codes of the tokenizer.
pub static CODES: &[CodeInfo] = &[
    UNMATCHED_QUOTE,
    UNMATCHED_BRACE,
    BAD_VARIABLE_NAME,
    BAD_HEX_ESCAPE,
    BAD_WORD_EXPANSION,
    TOO_MANY_WORDS,
    STRAY_NUL,
    MISSING_FINAL_NEWLINE,
];

pub(crate) const UNMATCHED_QUOTE: CodeInfo = CodeInfo {
    code: "L001",
    name: "unmatched-quote",
    severity: Severity::Error,
    summary: "a quote opens and is not closed on the same line",
    explanation: r#"## What it checks

A `"` or `'` that opens a quoted part and has no closing quote before the end of the line.
A quoted part never continues on the next line, and a CR byte ends the line even
inside quotes. Inside single quotes a backslash is an ordinary byte, so `'a\'b'`
leaves the last quote open.

## Why it matters

HAProxy rejects the line with `unmatched quote at position N` and the
configuration does not load. It does so even inside a `.if` block that is
skipped, because lines are split into words before conditions are applied.

## Example

```haproxy
ring logs
    description "buffer for logs
```

## Fix

Close the quote on the same line: `description "buffer for logs"`. To put a
quote inside single quotes, close them first: `'it'\''s'`.
"#,
};

pub(crate) const UNMATCHED_BRACE: CodeInfo = CodeInfo {
    code: "L002",
    name: "unmatched-brace",
    severity: Severity::Error,
    summary: "`${` without its closing `}`",
    explanation: r#"## What it checks

A braced variable reference inside double quotes, `"${NAME}"`, whose `}` is
missing, or that has other bytes than `[*]` or `-default` between the name
and the `}`.

## Why it matters

HAProxy rejects the line with `unmatched brace in environment variable name`.

## Example

```haproxy
global
    log "${LOG_HOST" local0
```

## Fix

Add the closing brace: `"${LOG_HOST}"`. A default value goes after a dash and
ends at the first `}`: `"${LOG_HOST-127.0.0.1}"`.
"#,
};

pub(crate) const BAD_VARIABLE_NAME: CodeInfo = CodeInfo {
    code: "L003",
    name: "bad-variable-name",
    severity: Severity::Error,
    summary: "`$` inside double quotes is not followed by a variable name",
    explanation: r#"## What it checks

Inside double quotes every `$` starts a variable. Its name must start with a
letter or `_` (then letters, digits and `_`), or be one of the pseudo-variables
`.LINE`, `.FILE` and `.SECTION`. A `$` followed by anything else, such as a
digit, a space or `.FOO`, is an error.

## Why it matters

HAProxy rejects the line with `forbidden first char in environment variable name`.

## Example

```haproxy
backend app
    http-request set-header X-Price "$10"
```

## Fix

Escape the dollar sign inside double quotes (`"\$10"`), or use single quotes,
where `$` is literal (`'$10'`).
"#,
};

pub(crate) const BAD_HEX_ESCAPE: CodeInfo = CodeInfo {
    code: "L004",
    name: "bad-hex-escape",
    severity: Severity::Error,
    summary: "`\\x` is not followed by two hexadecimal digits",
    explanation: r#"## What it checks

The escape `\xHH` writes the byte `0xHH`. It needs exactly two hexadecimal
digits after `\x`, outside single quotes.

## Why it matters

HAProxy rejects the line with `truncated or invalid hexadecimal sequence`.

## Example

```haproxy
global
    .notice "separator \xZZ"
```

## Fix

Write two hexadecimal digits (`\x2C`), or write `\\x` for a literal backslash
followed by `x`.
"#,
};

pub(crate) const BAD_WORD_EXPANSION: CodeInfo = CodeInfo {
    code: "L005",
    name: "bad-word-expansion",
    severity: Severity::Error,
    summary: "`[` after a braced variable name is not `[*]`",
    explanation: r#"## What it checks

`"${NAME[*]}"` splits the value of `NAME` into several words at whitespace.
Inside braces, a `[` right after the name must be followed by `*]`.

## Why it matters

HAProxy rejects the line with `truncated or invalid word expansion sequence`.

## Example

```haproxy
frontend web
    bind "${ADDRS[0]}"
```

## Fix

Write `"${ADDRS[*]}"` to split the value into words, or `"${ADDRS}"` to keep it
as one word.
"#,
};

pub(crate) const TOO_MANY_WORDS: CodeInfo = CodeInfo {
    code: "L006",
    name: "too-many-words",
    severity: Severity::Error,
    summary: "more than 64 words on one line",
    explanation: r#"## What it checks

HAProxy keeps at most 64 words per line, the keyword included. Words produced
by `"${NAME[*]}"` count too.

## Why it matters

HAProxy rejects the whole line with `too many words, truncating after word 64`.

## Example

A `server` line with 70 options.

## Fix

Move repeated options to a `default-server` line, or group words with quotes
where the keyword takes one argument.
"#,
};

pub(crate) const STRAY_NUL: CodeInfo = CodeInfo {
    code: "L007",
    name: "stray-nul",
    severity: Severity::Error,
    summary: "a NUL byte inside the file",
    explanation: r#"## What it checks

A byte of value zero before the last line of the file.

## Why it matters

HAProxy reads the line up to the NUL byte, then reports `Stray NUL character`
when it reaches the next line, and stops reading the file there: every later
line is ignored.

## Example

A configuration saved by a tool that wrote UTF-16 or padded the file with
zero bytes.

## Fix

Remove the NUL bytes, for example with `tr -d '\000'`, and save the file as
plain ASCII or UTF-8.
"#,
};

pub(crate) const MISSING_FINAL_NEWLINE: CodeInfo = CodeInfo {
    code: "L008",
    name: "missing-final-newline",
    severity: Severity::Error,
    summary: "the last line does not end with a newline",
    explanation: r#"## What it checks

That the file ends with a line feed. A NUL byte on the last line gives the
same error.

## Why it matters

HAProxy takes a last line without LF as a sign that the file was truncated and
rejects the configuration with `Missing LF on last line, file might have been
truncated`.

## Example

A file whose last bytes are `    size 32768` with no newline after them.

## Fix

Add a newline at the end of the file.
"#,
};
