//! The diagnostic codes of conditional blocks, directives and sections, `S001` to `S014`.

use crate::diag::{CodeInfo, Severity};

/// Diagnostic codes of conditional blocks, directives and sections.
pub static CODES: &[CodeInfo] = &[
    OUT_OF_SECTION,
    EMPTY_ARGUMENT,
    UNKNOWN_DIRECTIVE,
    DIRECTIVE_ARGUMENT,
    ALERT_DIRECTIVE,
    WARNING_DIRECTIVE,
    NOTICE_DIRECTIVE,
    INVALID_CONDITION,
    UNBALANCED_CONDITIONAL,
    UNTERMINATED_IF,
    NESTED_TOO_DEEP,
    INVALID_SCOPE,
    UNSUPPORTED_PREFIX,
    TOO_MANY_ERRORS,
];

pub(crate) const OUT_OF_SECTION: CodeInfo = CodeInfo {
    code: "S001",
    name: "keyword-out-of-section",
    severity: Severity::Error,
    summary: "a keyword before the first section header of a file",
    explanation: r#"## What it checks

Every keyword line must follow a section header such as `global`, `defaults`,
`frontend` or `ring NAME`. Sections do not carry over from one file to the
next: each file given with `-f` starts outside any section.

## Why it matters

HAProxy rejects the line with `unknown keyword 'X' out of section` and the
configuration does not load.

## Example

```haproxy
# ring.cfg, loaded after haproxy.cfg
    size 32768
```

## Fix

Put the section header in the same file, above the keyword: `ring logs`
followed by `size 32768`.
"#,
};

pub(crate) const EMPTY_ARGUMENT: CodeInfo = CodeInfo {
    code: "S002",
    name: "empty-argument",
    severity: Severity::Error,
    summary: "an empty argument, usually an unset variable",
    explanation: r#"## What it checks

Since HAProxy 3.3 no argument of a keyword line may be empty. An empty
argument comes from `""`, `''`, or a variable in double quotes that is unset
or empty, such as `"$LOG_TAG"`. Lines inside a skipped `.if` block are not
checked (since 3.4), and neither are directive lines such as `.warning ""`.

## Why it matters

Older versions took an empty argument as the end of the line and silently
ignored every argument after it. HAProxy 3.3 and later reject the line with
`argument number N at position P is empty and marks the end of the argument list`.

## Example

```haproxy
ring logs
    description "$RING_DESCRIPTION"
```

## Fix

Set the variable, give it a default (`"${RING_DESCRIPTION-logs}"`), or guard
the line with `.if defined(RING_DESCRIPTION)` … `.endif`.
"#,
};

pub(crate) const UNKNOWN_DIRECTIVE: CodeInfo = CodeInfo {
    code: "S003",
    name: "unknown-directive",
    severity: Severity::Error,
    summary: "a line starts with `.` but is no known directive",
    explanation: r#"## What it checks

Words that start with a dot are directives. HAProxy knows `.if`, `.elif`,
`.else`, `.endif`, `.alert`, `.warning`, `.notice` and `.diag`.

## Why it matters

HAProxy reports `unknown directive` and stops reading the file: every line
after it is ignored.

## Example

```haproxy
.error "unsupported setup"
```

## Fix

Use one of the known directives, such as `.alert "unsupported setup"`.
"#,
};

pub(crate) const DIRECTIVE_ARGUMENT: CodeInfo = CodeInfo {
    code: "S004",
    name: "unexpected-directive-argument",
    severity: Severity::Error,
    summary: "a directive has more arguments than it takes",
    explanation: r#"## What it checks

`.alert`, `.warning`, `.notice` and `.diag` take one message, and `.else` and
`.endif` take none.

## Why it matters

HAProxy rejects the line with `Unexpected argument`. After `.else` or `.endif`
it also stops reading the file.

## Example

```haproxy
.warning ring size is small
```

## Fix

Quote the message so that it is one word: `.warning "ring size is small"`.
"#,
};

pub(crate) const ALERT_DIRECTIVE: CodeInfo = CodeInfo {
    code: "S005",
    name: "alert-directive",
    severity: Severity::Error,
    summary: "an `.alert` directive was reached",
    explanation: r#"## What it checks

An `.alert "message"` line outside any skipped `.if` block. The diagnostic
carries the message.

## Why it matters

HAProxy prints the message as an alert and refuses the configuration: it stops
reading at that line.

## Example

```haproxy
.if !feature(OPENSSL)
.alert "this configuration needs TLS"
.endif
```

## Fix

Meet the condition the author guarded against, or remove the directive.
"#,
};

pub(crate) const WARNING_DIRECTIVE: CodeInfo = CodeInfo {
    code: "S006",
    name: "warning-directive",
    severity: Severity::Warning,
    summary: "a `.warning` directive was reached",
    explanation: r#"## What it checks

A `.warning "message"` line outside any skipped `.if` block. The diagnostic
carries the message.

## Why it matters

HAProxy prints the message as a warning; with `zero-warning` in the global
section it refuses to start.

## Example

```haproxy
.warning "the ring buffer is only 16 kB"
```

## Fix

Act on the message, or remove the directive.
"#,
};

pub(crate) const NOTICE_DIRECTIVE: CodeInfo = CodeInfo {
    code: "S007",
    name: "notice-directive",
    severity: Severity::Advice,
    summary: "a `.notice` or `.diag` directive was reached",
    explanation: r#"## What it checks

A `.notice "message"` or `.diag "message"` line outside any skipped `.if`
block. The diagnostic carries the message.

## Why it matters

HAProxy prints the message as a notice (`.diag` only with `-dD`). It changes
nothing else.

## Example

```haproxy
.notice "logs go to the ring 'logs'"
```

## Fix

Nothing to fix; remove the directive when the message is no longer useful.
"#,
};

pub(crate) const INVALID_CONDITION: CodeInfo = CodeInfo {
    code: "S008",
    name: "invalid-condition",
    severity: Severity::Error,
    summary: "the expression of `.if` or `.elif` cannot be parsed or evaluated",
    explanation: r#"## What it checks

The condition after `.if` and `.elif`: numbers, `!`, `&&`, `||`, parentheses
and the predicates `defined`, `feature`, `streq`, `strneq`, `strstr`,
`version_atleast`, `version_before`, `openssl_version_atleast`,
`openssl_version_before`, `ssllib_name_startswith`, `awslc_api_atleast`,
`awslc_api_before`, `enabled` and `fips_mode`.

## Why it matters

HAProxy reports the error with its position in the expression and stops
reading the configuration.

## Example

```haproxy
.if version_atleast(3.1) &&
.endif
```

## Fix

Complete the expression, check the predicate's name and its parentheses, and
quote arguments that contain `,` or `)`.
"#,
};

pub(crate) const UNBALANCED_CONDITIONAL: CodeInfo = CodeInfo {
    code: "S009",
    name: "unbalanced-conditional",
    severity: Severity::Error,
    summary: "`.elif`, `.else` or `.endif` without a matching `.if`, or after `.else`",
    explanation: r#"## What it checks

That `.elif`, `.else` and `.endif` close an open `.if` block, and that no
`.elif` or second `.else` follows an `.else`.

## Why it matters

HAProxy reports `lone '.endif' with no matching '.if'` and similar errors, and
stops reading the configuration.

## Example

```haproxy
.if defined(DEBUG)
.else
.else
.endif
```

## Fix

Pair every `.if` with one `.endif`, and put `.elif` branches before the `.else`.
"#,
};

pub(crate) const UNTERMINATED_IF: CodeInfo = CodeInfo {
    code: "S010",
    name: "unterminated-if",
    severity: Severity::Error,
    summary: "a `.if` block is still open at the end of the file",
    explanation: r#"## What it checks

That every `.if` block of a file ends with `.endif` in the same file.

## Why it matters

HAProxy reports `non-terminated '.if' block` and refuses the configuration.

## Example

```haproxy
.if feature(THREAD)
global
    nbthread 4
```

## Fix

Add the `.endif` where the conditional part ends.
"#,
};

pub(crate) const NESTED_TOO_DEEP: CodeInfo = CodeInfo {
    code: "S011",
    name: "conditions-nested-too-deep",
    severity: Severity::Error,
    summary: "more than 99 `.if` blocks nested in one another",
    explanation: r#"## What it checks

How deeply `.if` blocks are nested. HAProxy keeps at most 100 levels, the
outermost level included, so at most 99 `.if` blocks can be open at once.

## Why it matters

HAProxy reports `too many nested '.if', max is 100` and stops reading the
configuration.

## Example

A generated file that opens a `.if` for each backend without closing it.

## Fix

Close each block with `.endif`, or combine conditions with `&&`.
"#,
};

pub(crate) const INVALID_SCOPE: CodeInfo = CodeInfo {
    code: "S012",
    name: "invalid-scope",
    severity: Severity::Error,
    summary: "a `[scope]` line is malformed",
    explanation: r#"## What it checks

A line that starts with `[` declares a scope name for later messages. The
name must not be empty, may only hold letters, digits, `.`, `-`, `_` and `:`,
and only a comment may follow the `]`. HAProxy checks this even inside a
skipped `.if` block.

## Why it matters

HAProxy rejects the line; with a bad character it also stops reading the
file at the next keyword line.

## Example

```haproxy
[my scope]
```

## Fix

Use a name without spaces, such as `[my-scope]`, alone on its line.
"#,
};

pub(crate) const UNSUPPORTED_PREFIX: CodeInfo = CodeInfo {
    code: "S013",
    name: "unsupported-prefix",
    severity: Severity::Error,
    summary: "`no` or `default` before a keyword that does not take it",
    explanation: r#"## What it checks

The `no` and `default` prefixes only apply to `option`, `log`,
`busy-polling`, `set-dumpable`, `strict-limits`, `insecure-fork-wanted` and
`numa-cpu-mapping`.

## Why it matters

HAProxy rejects the configuration with `negation/default currently supported
only for options, log, …`.

## Example

```haproxy
ring logs
    no size 32768
```

## Fix

Remove the prefix; to use a default value, remove the whole line.
"#,
};

pub(crate) const TOO_MANY_ERRORS: CodeInfo = CodeInfo {
    code: "S014",
    name: "too-many-errors",
    severity: Severity::Error,
    summary: "HAProxy stops reading a file after 50 fatal errors",
    explanation: r#"## What it checks

The count of fatal errors in one file. At the 50th, HAProxy stops reading
the file.

## Why it matters

Lines after that point are not checked by HAProxy, so fixing the errors shown
may reveal more.

## Example

A binary file or a file in another format given as configuration.

## Fix

Check that the right file was given, then fix the first errors.
"#,
};
