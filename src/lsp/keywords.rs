//! Documentation of the keywords of a `ring` section, shown by hover and completion.
//!
//! The facts come from HAProxy 3.5's `src/sink.c` (`cfg_parse_ring`) and its
//! configuration manual, section "Rings".

/// One keyword of a `ring` section.
#[derive(Debug)]
pub(crate) struct Keyword {
    /// The keyword as written at the start of a line.
    pub(crate) name: &'static str,
    /// Its arguments, in the manual's notation.
    pub(crate) syntax: &'static str,
    /// The value when the keyword is absent.
    pub(crate) default: &'static str,
    /// The first HAProxy release that accepts it.
    pub(crate) since: &'static str,
    /// Description, in Markdown.
    pub(crate) doc: &'static str,
}

/// Every keyword of a `ring` section, in the order HAProxy tests them.
pub(crate) const RING_KEYWORDS: &[Keyword] = &[
    Keyword {
        name: "ring",
        syntax: "ring <name>",
        default: "none: the name is required",
        since: "2.2",
        doc: "Opens a ring section: an in-memory buffer of log or trace events. The name \
              may contain only letters, digits, `.`, `_`, `:` and `-`, and must not be \
              `stdout`, `stderr`, `buf0` or `dpapi`, which HAProxy defines itself. \
              Other sections refer to it as `log ring@<name>`, `sink <name>` or \
              `debug(<prefix>,<name>)`.",
    },
    Keyword {
        name: "size",
        syntax: "size <size>",
        default: "16384 bytes",
        since: "2.2 (unit suffixes `k`, `m`, `g`, `t`, `p` since 3.1)",
        doc: "Bytes allocated for the ring, the 192-byte header included. Sizes from 1 to \
              193 are silently ignored by HAProxy. With a `backing-file`, `size` must come \
              before it: HAProxy cannot resize a file it has already mapped.",
    },
    Keyword {
        name: "backing-file",
        syntax: "backing-file <path>",
        default: "none: the ring lives in memory only",
        since: "2.7",
        doc: "Maps the ring to a file, so its last messages survive a crash. At start-up \
              HAProxy renames a non-empty file to `<path>.bak` and starts a fresh ring; \
              `haproxy -c` does so too. The file is `size - 192` bytes rounded up to 4096. \
              Put it on a RAM-backed file system such as `/dev/shm`.",
    },
    Keyword {
        name: "server",
        syntax: "server <name> <address>[:<port>] [param*]",
        default: "none: events stay in the ring",
        since: "2.2",
        doc: "Forwards the ring's events to a syslog server over TCP. \
              `log-proto octet-count` selects octet-counting framing; `send-proxy` is \
              ignored with a warning. The address is resolved when the configuration is read.",
    },
    Keyword {
        name: "timeout",
        syntax: "timeout connect <time> | timeout server <time>",
        default: "no timeout",
        since: "2.2",
        doc: "Timeouts of the connections to the ring's servers, in milliseconds unless a \
              unit (`us`, `ms`, `s`, `m`, `h`, `d`) follows. HAProxy silently ignores any \
              other word after `timeout`.",
    },
    Keyword {
        name: "format",
        syntax: "format <format>",
        default: "raw",
        since: "2.2",
        doc: "Header put before each event: `local`, `rfc3164`, `rfc5424`, `priority`, \
              `short`, `timed`, `iso` or `raw` (the message alone). Matched case-sensitively.",
    },
    Keyword {
        name: "maxlen",
        syntax: "maxlen <length>",
        default: "no limit",
        since: "2.2",
        doc: "Truncates events to this many bytes. HAProxy reads the number with `atol`, so \
              trailing junk is ignored; 0 is rejected. A value above what the ring can hold \
              is lowered with a warning.",
    },
    Keyword {
        name: "description",
        syntax: "description <text>",
        default: "the ring name",
        since: "2.2",
        doc: "Text shown by `show events` on the command socket. Only the first word is \
              kept, so quote a text with spaces.",
    },
];

/// Sub-keywords accepted after `timeout` in a ring section.
pub(crate) const TIMEOUT_KINDS: &[(&str, &str)] = &[
    ("connect", "Timeout of connecting to a server of the ring."),
    ("server", "Timeout of a server of the ring, while waiting for it to accept data."),
];

/// Finds a ring keyword by name, case-sensitively as HAProxy does.
pub(crate) fn find(name: &str) -> Option<&'static Keyword> {
    RING_KEYWORDS.iter().find(|keyword| keyword.name == name)
}

/// Returns the Markdown hover text of `keyword`.
pub(crate) fn hover_text(keyword: &Keyword) -> String {
    format!(
        "```haproxy\n{syntax}\n```\n\n{doc}\n\n- Default: {default}\n- Since: HAProxy {since}",
        syntax = keyword.syntax,
        doc = keyword.doc,
        default = keyword.default,
        since = keyword.since,
    )
}
