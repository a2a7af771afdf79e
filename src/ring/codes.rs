//! The diagnostic codes of ring sections (`R`) and of references to rings (`X`).

use crate::diag::{CodeInfo, Severity};

/// Index of each code in [`CODES`], so the checks name codes without strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Code {
    MissingRingName,
    InvalidRingName,
    DuplicateRing,
    BuiltinSinkName,
    BackingFileTwice,
    SizeAfterBackingFile,
    InvalidSize,
    ZeroSize,
    SizeTooLarge,
    SizeIgnored,
    SizeUnitDropped,
    RingTooSmall,
    InvalidMaxlen,
    ZeroMaxlen,
    LenientMaxlen,
    MaxlenExceedsCapacity,
    UnknownFormat,
    MissingDescription,
    ExtraArguments,
    MissingTimeout,
    InvalidTimeout,
    TimeoutOutOfRange,
    IgnoredTimeout,
    MissingServerAddress,
    InvalidServerAddress,
    SendProxyIgnored,
    BackupServer,
    SeveralServers,
    UnknownStatement,
    SharedBackingFile,
    BackingFileIsBackup,
    MissingBackingFilePath,
    BackingFileDirectoryMissing,
    RingKeywordOutsideRing,
    UndefinedRing,
    IncompatibleRing,
    LogLenExceedsRing,
}

impl Code {
    /// Returns the registry entry of the code.
    pub(crate) fn info(self) -> &'static CodeInfo {
        &CODES[self as usize]
    }
}

/// Diagnostic codes of ring sections and references to rings.
///
/// The order matters: the crate's internal `Code` enum indexes this table.
pub static CODES: &[CodeInfo] = &[
    CodeInfo {
        code: "R001",
        name: "missing-ring-name",
        severity: Severity::Error,
        summary: "a `ring` line without a name",
        explanation: "\
**What it checks:** a `ring` line must name the ring.

**Why it matters:** HAProxy rejects the line (`missing ring name.`) and every keyword of the section with it.

**Example:**
```
ring
    size 32768
```

**Fix:** name the ring: `ring logs`.",
    },
    CodeInfo {
        code: "R002",
        name: "invalid-ring-name",
        severity: Severity::Error,
        summary: "a ring name with a character outside `A-Z a-z 0-9 . _ : -`",
        explanation: "\
**What it checks:** ring names may only use letters, digits, `.`, `_`, `:` and `-`.

**Why it matters:** HAProxy rejects the ring and ignores the rest of its section.

**Example:**
```
ring app/logs
```

**Fix:** replace the character the diagnostic points at: `ring app-logs`.",
    },
    CodeInfo {
        code: "R003",
        name: "duplicate-ring",
        severity: Severity::Error,
        summary: "two rings with the same name",
        explanation: "\
**What it checks:** each ring name is defined once across all files of a run.

**Why it matters:** HAProxy rejects the second definition (`sink named 'X' already exists.`) and every keyword under it.

**Example:**
```
ring logs
    size 32768
ring logs
    size 65536
```

**Fix:** rename one ring, or merge the two sections.",
    },
    CodeInfo {
        code: "R004",
        name: "builtin-sink-name",
        severity: Severity::Error,
        summary: "a ring named like a built-in sink (`stdout`, `stderr`, `buf0`, `dpapi`)",
        explanation: "\
**What it checks:** a ring does not reuse the name of a sink HAProxy always creates: `stdout`, `stderr`, `buf0` or `dpapi`.

**Why it matters:** the name already exists, so HAProxy rejects the ring and ignores its keywords.

**Example:**
```
ring buf0
    size 1M
```

**Fix:** choose another name; `buf0` and `dpapi` can be used as they are from `log ring@buf0`.",
    },
    CodeInfo {
        code: "R005",
        name: "backing-file-twice",
        severity: Severity::Error,
        summary: "`backing-file` given twice in one ring",
        explanation: "\
**What it checks:** a ring has at most one `backing-file`.

**Why it matters:** HAProxy keeps the first file (it has already created and mapped it) and fails on the second line.

**Example:**
```
ring logs
    backing-file /var/lib/haproxy/a.bin
    backing-file /var/lib/haproxy/b.bin
```

**Fix:** keep one `backing-file` line.",
    },
    CodeInfo {
        code: "R006",
        name: "size-after-backing-file",
        severity: Severity::Error,
        summary: "`size` after `backing-file`",
        explanation: "\
**What it checks:** `size` comes before `backing-file`.

**Why it matters:** `backing-file` creates and maps the file at the size known at that line; HAProxy cannot resize a mapped file and fails.

**Example:**
```
ring logs
    backing-file /var/lib/haproxy/logs.bin
    size 65536
```

**Fix:** move `size` above `backing-file`.",
    },
    CodeInfo {
        code: "R007",
        name: "invalid-size",
        severity: Severity::Error,
        summary: "a `size` that is not digits with an optional unit",
        explanation: "\
**What it checks:** `size` is decimal digits followed by at most one unit letter (`k`, `m`, `g`, `t`, `p`, binary multiples): no sign, no `kB`, no spaces.

**Why it matters:** HAProxy rejects the value (`invalid size`).

**Example:**
```
ring logs
    size 64kB
```

**Fix:** write `size 64k`, or the number of bytes.",
    },
    CodeInfo {
        code: "R008",
        name: "zero-size",
        severity: Severity::Error,
        summary: "`size 0`",
        explanation: "\
**What it checks:** `size` is not zero.

**Why it matters:** HAProxy rejects it (`invalid size '0'`).

**Example:**
```
ring logs
    size 0
```

**Fix:** remove the line to keep the default of 16384 bytes, or give a real size.",
    },
    CodeInfo {
        code: "R009",
        name: "size-too-large",
        severity: Severity::Error,
        summary: "a `size` above 2^63 bytes or beyond 64 bits",
        explanation: "\
**What it checks:** `size` fits in 64 bits and is at most 2^63 bytes, HAProxy's limit on 64-bit platforms.

**Why it matters:** HAProxy rejects the value.

**Example:**
```
ring logs
    size 9223372036854775809
```

**Fix:** use a size the machine can hold, such as `size 64m`.",
    },
    CodeInfo {
        code: "R010",
        name: "size-ignored",
        severity: Severity::Warning,
        summary: "a `size` so small that HAProxy silently ignores it",
        explanation: "\
**What it checks:** `size` is larger than 193 bytes. HAProxy 3.0 and later silently ignore sizes of 1 to 193 (the 192-byte header plus one byte) and keep the previous size; releases before 3.0 ignore any size smaller than the current one and print a warning (2.7 and 2.8 also fail).

**Why it matters:** the ring keeps 16384 bytes while the configuration says otherwise.

**Example:**
```
ring logs
    size 100
```

**Fix:** `size` counts bytes including the 192-byte header: write the size you mean, such as `size 4096`.",
    },
    CodeInfo {
        code: "R011",
        name: "size-unit-dropped",
        severity: Severity::Warning,
        summary: "a unit on `size` that HAProxy before 3.1 drops",
        explanation: "\
**What it checks:** for a target before HAProxy 3.1, `size` has no unit letter or other text after its digits.

**Why it matters:** those releases read `size` with `atol`, so `size 64k` means 64 bytes, not 65536.

**Example:**
```
ring logs
    size 64k
```

**Fix:** write the number of bytes: `size 65536`.",
    },
    CodeInfo {
        code: "R012",
        name: "ring-too-small",
        severity: Severity::Warning,
        summary: "a ring whose area is too small to hold any message",
        explanation: "\
**What it checks:** the ring area (size minus the 192-byte header) holds at least one message. A message of `L` bytes needs `L + varint_len(L) + 4` bytes of area.

**Why it matters:** every message is dropped.

**Example:**
```
ring logs
    size 195
```

**Fix:** give the ring room for the longest message you expect, such as `size 64k`.",
    },
    CodeInfo {
        code: "R013",
        name: "invalid-maxlen",
        severity: Severity::Error,
        summary: "a `maxlen` that does not start with a number",
        explanation: "\
**What it checks:** `maxlen` starts with a number.

**Why it matters:** HAProxy reads it with `atol`, gets 0 and rejects it (`invalid size`).

**Example:**
```
ring logs
    maxlen none
```

**Fix:** give the maximum message length in bytes, or remove the line for no limit.",
    },
    CodeInfo {
        code: "R014",
        name: "zero-maxlen",
        severity: Severity::Error,
        summary: "a `maxlen` of zero",
        explanation: "\
**What it checks:** `maxlen` is not zero, including values that wrap to zero in 32 bits such as 4294967296.

**Why it matters:** HAProxy rejects it.

**Example:**
```
ring logs
    maxlen 0
```

**Fix:** remove the line for no limit, or give a length in bytes.",
    },
    CodeInfo {
        code: "R015",
        name: "lenient-maxlen",
        severity: Severity::Warning,
        summary: "a `maxlen` that HAProxy reads differently than written",
        explanation: "\
**What it checks:** `maxlen` is plain decimal digits that fit in 32 bits.

**Why it matters:** HAProxy uses `atol` and keeps 32 bits: `12abc` becomes 12, `-1` becomes 4294967295, silently.

**Example:**
```
ring logs
    maxlen 1k
```

**Fix:** write the number of bytes: `maxlen 1024`.",
    },
    CodeInfo {
        code: "R016",
        name: "maxlen-exceeds-capacity",
        severity: Severity::Warning,
        summary: "a `maxlen` above what the ring can store",
        explanation: "\
**What it checks:** `maxlen` is at most the longest message the empty ring can store: the largest `L` with `L + varint_len(L) <= usable - 4`.

**Why it matters:** HAProxy lowers `maxlen` to its own figure (`ring_max_payload`), which is two bytes too high, so messages of those last two lengths are silently dropped instead of truncated.

**Example:**
```
ring logs
    size 1000
    maxlen 999999
```

**Fix:** lower `maxlen` to the capacity the diagnostic gives, or raise `size`.",
    },
    CodeInfo {
        code: "R017",
        name: "unknown-format",
        severity: Severity::Error,
        summary: "a `format` that is not one of the eight names",
        explanation: "\
**What it checks:** `format` is one of `local`, `rfc3164`, `rfc5424`, `priority`, `short`, `timed`, `iso`, `raw`, in lowercase.

**Why it matters:** HAProxy matches case-sensitively and rejects anything else.

**Example:**
```
ring logs
    format RFC5424
```

**Fix:** use the lowercase name: `format rfc5424`.",
    },
    CodeInfo {
        code: "R018",
        name: "missing-description",
        severity: Severity::Error,
        summary: "`description` without text",
        explanation: "\
**What it checks:** `description` has a text.

**Why it matters:** HAProxy rejects the line (`missing ring description text.`).

**Example:**
```
ring logs
    description
```

**Fix:** write a description, quoted if it has spaces, or remove the line (the default is the ring name).",
    },
    CodeInfo {
        code: "R019",
        name: "extra-arguments",
        severity: Severity::Warning,
        summary: "words after a ring keyword's arguments, which HAProxy ignores",
        explanation: "\
**What it checks:** ring keywords have no words beyond their arguments. HAProxy never checks this, so `description two words` keeps only `two`, and `size 8192 4096` keeps 8192.

**Why it matters:** the extra words usually mean something was intended that does not happen.

**Example:**
```
ring logs
    description application logs
```

**Fix:** quote text with spaces (`description \"application logs\"`) or remove the extra words.",
    },
    CodeInfo {
        code: "R020",
        name: "missing-timeout",
        severity: Severity::Error,
        summary: "`timeout connect` or `timeout server` without a value",
        explanation: "\
**What it checks:** `timeout connect` and `timeout server` have a value.

**Why it matters:** HAProxy rejects the line (`expects <time> as argument`).

**Example:**
```
ring logs
    timeout connect
```

**Fix:** give a time, such as `timeout connect 5s`.",
    },
    CodeInfo {
        code: "R021",
        name: "invalid-timeout",
        severity: Severity::Error,
        summary: "a timeout that is not a number with a unit `us ms s m h d`",
        explanation: "\
**What it checks:** a timeout is decimal digits with an optional unit: `us`, `ms` (the default), `s`, `m`, `h` or `d`.

**Why it matters:** HAProxy rejects any other character.

**Example:**
```
ring logs
    timeout server 5sec
```

**Fix:** write `timeout server 5s`.",
    },
    CodeInfo {
        code: "R022",
        name: "timeout-out-of-range",
        severity: Severity::Error,
        summary: "a timeout above 2147483647 ms, or below 1 ms without being 0",
        explanation: "\
**What it checks:** a timeout is 0 or between 1 ms and 2147483647 ms (about 24.8 days).

**Why it matters:** HAProxy rejects larger values (timer overflow) and non-zero values that round to 0 ms (timer underflow).

**Example:**
```
ring logs
    timeout connect 30d
```

**Fix:** use a value in range, such as `timeout connect 24d` or `timeout connect 1ms`.",
    },
    CodeInfo {
        code: "R023",
        name: "ignored-timeout",
        severity: Severity::Warning,
        summary: "a `timeout` other than `connect` or `server`, which HAProxy ignores",
        explanation: "\
**What it checks:** in a ring, `timeout` is followed by `connect` or `server`.

**Why it matters:** HAProxy silently ignores `timeout client`, any other name and a bare `timeout`.

**Example:**
```
ring logs
    timeout client 5s
```

**Fix:** use `timeout server` (the time to wait for a syslog server) or remove the line.",
    },
    CodeInfo {
        code: "R024",
        name: "missing-server-address",
        severity: Severity::Error,
        summary: "`server` without a name and an address",
        explanation: "\
**What it checks:** `server` has a name and an address.

**Why it matters:** HAProxy rejects the line (`'server' expects <name> and <addr>[:<port>] as arguments.`).

**Example:**
```
ring logs
    server syslog
```

**Fix:** add the address: `server syslog 192.0.2.10:6514`.",
    },
    CodeInfo {
        code: "R025",
        name: "invalid-server-address",
        severity: Severity::Error,
        summary: "a server address that is not a valid host, IP address or socket",
        explanation: "\
**What it checks:** the server address is `host:port`, `IPv4:port`, `[IPv6]:port`, or a socket with a prefix such as `ipv4@`, `ipv6@`, `unix@` or `abns@`; ports are 1 to 65535. Host names are checked for syntax only, never resolved.

**Why it matters:** HAProxy rejects an address it cannot parse (`invalid address`).

**Example:**
```
ring logs
    server syslog 192.0.2.10:65536
```

**Fix:** correct the address the diagnostic points at.",
    },
    CodeInfo {
        code: "R026",
        name: "send-proxy-ignored",
        severity: Severity::Warning,
        summary: "`send-proxy*` on a ring server, which HAProxy ignores",
        explanation: "\
**What it checks:** ring servers do not use `send-proxy`, `send-proxy-v2` and their variants.

**Why it matters:** rings do not send the PROXY protocol; HAProxy warns and ignores the option.

**Example:**
```
ring logs
    server syslog 192.0.2.10:6514 send-proxy
```

**Fix:** remove the option.",
    },
    CodeInfo {
        code: "R027",
        name: "backup-server",
        severity: Severity::Warning,
        summary: "`backup` on a ring server, where it means nothing",
        explanation: "\
**What it checks:** ring servers are not marked `backup`.

**Why it matters:** a ring sends every message to every server; there is no load balancing, so no server is ever a backup.

**Example:**
```
ring logs
    server a 192.0.2.10:6514
    server b 192.0.2.11:6514 backup
```

**Fix:** remove `backup`; to fail over, forward through a `log-forward` section or a log backend.",
    },
    CodeInfo {
        code: "R028",
        name: "several-servers",
        severity: Severity::Advice,
        summary: "a ring with more than one server",
        explanation: "\
**What it checks:** how many servers a ring forwards to.

**Why it matters:** each server is a reader of the ring, and the writer cannot overwrite a message that a reader has not consumed: the slowest server sets the pace, and messages are dropped when it falls behind.

**Example:**
```
ring logs
    server a 192.0.2.10:6514
    server b 192.0.2.11:6514
```

**Fix:** if the servers differ in speed, give each its own ring and log to both.",
    },
    CodeInfo {
        code: "R029",
        name: "unknown-statement",
        severity: Severity::Error,
        summary: "a keyword that ring sections do not know",
        explanation: "\
**What it checks:** every line of a ring section starts with `ring`, `size`, `backing-file`, `server`, `timeout`, `format`, `maxlen` or `description` (case-sensitive).

**Why it matters:** HAProxy rejects unknown keywords (`unknown statement`).

**Example:**
```
ring logs
    max-len 1024
```

**Fix:** use the suggested keyword, or move the line to the section it belongs to.",
    },
    CodeInfo {
        code: "R030",
        name: "shared-backing-file",
        severity: Severity::Error,
        summary: "two rings with the same backing file",
        explanation: "\
**What it checks:** no two rings map the same `backing-file` (compared as written, across all files of the run).

**Why it matters:** HAProxy accepts it and maps the same file twice, so the two rings overwrite each other's messages and reset each other's header.

**Example:**
```
ring a
    backing-file /var/lib/haproxy/logs.bin
ring b
    backing-file /var/lib/haproxy/logs.bin
```

**Fix:** give each ring its own file.",
    },
    CodeInfo {
        code: "R031",
        name: "backing-file-is-backup",
        severity: Severity::Error,
        summary: "a backing file that is another ring's `.bak` file",
        explanation: "\
**What it checks:** no ring's `backing-file` is another ring's backing file with `.bak` appended.

**Why it matters:** at every start HAProxy renames a non-empty backing file to `PATH.bak`, replacing what is there: one ring destroys the other's data. This is an error, not a warning, because data is lost on the first reload.

**Example:**
```
ring a
    backing-file /var/lib/haproxy/logs
ring b
    backing-file /var/lib/haproxy/logs.bak
```

**Fix:** give each ring a file name that is not another's plus `.bak`.",
    },
    CodeInfo {
        code: "R032",
        name: "missing-backing-file-path",
        severity: Severity::Error,
        summary: "`backing-file` without a path, or with an empty one",
        explanation: "\
**What it checks:** `backing-file` has a non-empty path.

**Why it matters:** HAProxy tries to open the empty path and fails (`No such file or directory`).

**Example:**
```
ring logs
    backing-file \"\"
```

**Fix:** give the path of the file, or remove the line for a ring in memory only.",
    },
    CodeInfo {
        code: "R033",
        name: "backing-file-directory-missing",
        severity: Severity::Warning,
        summary: "an absolute backing-file path whose directory does not exist on this machine",
        explanation: "\
**What it checks:** the directory of an absolute `backing-file` path exists on the machine running the check. Relative paths depend on HAProxy's working directory and are not checked.

**Why it matters:** HAProxy creates the file but not its directory, so on a machine without the directory it fails to start (`cannot open backing-file`). This is a warning, not an error, because configurations are often checked on another machine than the one that runs them.

**Example:**
```
ring logs
    backing-file /nonexistent-dir/logs.bin
```

**Fix:** create the directory before starting HAProxy, or use one that exists.",
    },
    CodeInfo {
        code: "R034",
        name: "ring-keyword-outside-ring",
        severity: Severity::Error,
        summary: "a ring keyword in another section, such as `backing-file` under `global`",
        explanation: "\
**What it checks:** `backing-file` appears only in ring sections, and `size`, `maxlen` and `format` do not appear in `global`.

**Why it matters:** a keyword that lost its `ring` line, often after an edit or a bad indentation, lands in the section above; HAProxy rejects it there (`unknown keyword 'backing-file' in 'global' section`).

**Example:**
```
global
    maxconn 1000
backing-file /var/lib/haproxy/logs.bin
```

**Fix:** put the line under the `ring` line it belongs to.",
    },
    CodeInfo {
        code: "X001",
        name: "undefined-ring",
        severity: Severity::Error,
        summary: "a reference to a ring that no file of the run defines",
        explanation: "\
**What it checks:** every `log ring@NAME`, `trace ... sink NAME` and `debug(PREFIX,NAME)` names a ring defined in one of the files checked together, or a built-in sink.

**Why it matters:** `haproxy -c` does not check this: HAProxy resolves these names only when it really starts, and then fails (`uses unknown ring named`, `sink 'NAME' doesn't exist`).

**Example:**
```
global
    log ring@logs local0
```

**Fix:** define the ring (`ring logs`), correct the name, or check all files of the configuration together.",
    },
    CodeInfo {
        code: "X002",
        name: "incompatible-ring",
        severity: Severity::Error,
        summary: "`log ring@stdout` or `log ring@stderr`: a sink that is not a ring",
        explanation: "\
**What it checks:** `log ring@NAME` names a buffer sink: a ring section, `buf0` or `dpapi`.

**Why it matters:** `stdout` and `stderr` write to a file descriptor and are not rings; HAProxy fails at start-up (`uses incompatible ring`), though `haproxy -c` accepts it.

**Example:**
```
global
    log ring@stdout local0
```

**Fix:** write `log stdout format raw local0` to log to standard output.",
    },
    CodeInfo {
        code: "X003",
        name: "log-len-exceeds-ring",
        severity: Severity::Warning,
        summary: "`log ring@NAME len N` with N above what the ring can store",
        explanation: "\
**What it checks:** the `len` of a `log ring@NAME` line is at most the longest message the ring stores.

**Why it matters:** longer messages are dropped by the ring, not truncated by the log line; HAProxy only mentions it in diagnostic mode (`-dD`).

**Example:**
```
global
    log ring@logs len 8000 local0
ring logs
    size 4096
```

**Fix:** lower `len` to the capacity the diagnostic gives, or raise the ring's `size`.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_order_matches_table() {
        let last = Code::LogLenExceedsRing as usize;
        assert_eq!(last + 1, CODES.len(), "every code has a table entry");
        assert_eq!(Code::MissingRingName.info().code, "R001");
        assert_eq!(Code::BackingFileDirectoryMissing.info().code, "R033");
        assert_eq!(Code::RingKeywordOutsideRing.info().code, "R034");
        assert_eq!(Code::UndefinedRing.info().code, "X001");
        assert_eq!(Code::LogLenExceedsRing.info().name, "log-len-exceeds-ring");
    }
}
