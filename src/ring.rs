//! The typed ring model, the checks of `ring` sections and the resolution of references.
//!
//! [`section`] walks each `ring` section line by line in HAProxy's order and
//! builds a [`RingDef`]; [`refs`] finds every use of a ring in other sections
//! and resolves it against the rings of the whole run. Every finding has a
//! code in [`CODES`]; [`value`] holds the value parsers both use.

mod codes;
pub mod refs;
pub mod section;
mod server;
pub mod value;

use compact_str::CompactString;
use std::path::PathBuf;

pub use codes::CODES;
pub(crate) use codes::Code;
pub use refs::RefKind;

use crate::source::{FileId, Span};
use value::{DEFAULT_RING_SIZE, RING_HEADER_SIZE};

/// One `ring` section, typed.
///
/// Values are what HAProxy 3.5 keeps after applying its rules, such as a
/// `size` of 100 being ignored, so the size methods give the real figures.
///
/// ```
/// use ringcfg::ring::{BackingFile, RingDef};
/// use ringcfg::Span;
/// let mut ring = RingDef::new("logs", 0, Span::new(5, 9), Span::new(0, 9));
/// ring.size = Some(10000);
/// assert_eq!(ring.usable_size(), 9808);
/// ring.backing_file = Some(BackingFile { path: "/var/lib/haproxy/logs.bin".into(), span: Span::default() });
/// assert_eq!(ring.allocated_size(), 10000);
/// assert_eq!(ring.file_size(), Some(12288));
/// assert_eq!(ring.usable_size(), 12096);
/// assert_eq!(ring.max_payload(), Some(12089));
/// assert_eq!(ring.haproxy_max_payload(), 12091);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RingDef {
    /// The ring name. Names of up to 24 bytes are stored inline, without a
    /// heap block: a configuration may have hundreds of thousands.
    pub name: CompactString,
    /// File of the section.
    pub file: FileId,
    /// Span of the name on the `ring` line.
    pub name_span: Span,
    /// Span of the `ring NAME` line, from `ring` to its last word.
    pub header_span: Span,
    /// `description`, only its first word as HAProxy keeps it; the name when unset.
    pub description: Option<CompactString>,
    /// `format`, `raw` when unset.
    pub format: LogFormat,
    /// `maxlen` as HAProxy stored it (after `atol`), when set.
    pub maxlen: Option<u32>,
    /// `size` as applied: the allocated bytes, header included, when a `size` took effect.
    pub size: Option<u64>,
    /// `backing-file`, when set.
    pub backing_file: Option<BackingFile>,
    /// `server` lines, in order.
    pub servers: Vec<RingServer>,
    /// `timeout connect` in milliseconds, when set.
    pub timeout_connect: Option<u32>,
    /// `timeout server` in milliseconds, when set.
    pub timeout_server: Option<u32>,
    /// The keyword lines that set each field.
    pub lines: SettingLines,
}

/// The file a ring is mapped to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackingFile {
    /// The path exactly as written, bytes kept as they are.
    pub path: PathBuf,
    /// Span of the path word.
    pub span: Span,
}

/// One `server` line of a ring: a syslog server the ring forwards to over TCP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RingServer {
    /// The server name.
    pub name: CompactString,
    /// The address as written, such as `127.0.0.1:6514`.
    pub address: CompactString,
    /// Span of the address word.
    pub address_span: Span,
    /// Every word after the address, as written.
    pub params: Vec<String>,
    /// `log-proto`, `legacy` when unset.
    pub log_proto: LogProto,
    /// Span of the whole line.
    pub span: Span,
}

/// How a ring frames messages for a server (`log-proto`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LogProto {
    /// `legacy`: one message per line, ended by a line feed.
    #[default]
    Legacy,
    /// `octet-count`: each message preceded by its length (RFC 6587).
    OctetCount,
    /// Any other value, kept as written.
    Other(String),
}

/// Spans of the keyword lines (first to last word) that set a [`RingDef`] field; `None` for defaults.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingLines {
    /// The `description` line.
    pub description: Option<Span>,
    /// The `format` line.
    pub format: Option<Span>,
    /// The `maxlen` line.
    pub maxlen: Option<Span>,
    /// The last `size` line that took effect.
    pub size: Option<Span>,
    /// The `backing-file` line that took effect.
    pub backing_file: Option<Span>,
    /// The `timeout connect` line.
    pub timeout_connect: Option<Span>,
    /// The `timeout server` line.
    pub timeout_server: Option<Span>,
}

impl RingDef {
    /// Creates a ring with every field at HAProxy's default.
    pub fn new(
        name: impl Into<CompactString>,
        file: FileId,
        name_span: Span,
        header_span: Span,
    ) -> Self {
        Self {
            name: name.into(),
            file,
            name_span,
            header_span,
            description: None,
            format: LogFormat::default(),
            maxlen: None,
            size: None,
            backing_file: None,
            servers: Vec::new(),
            timeout_connect: None,
            timeout_server: None,
            lines: SettingLines::default(),
        }
    }

    /// Returns the bytes HAProxy allocates, the 192-byte header included (16384 by default).
    pub fn allocated_size(&self) -> u64 {
        self.size.unwrap_or(DEFAULT_RING_SIZE)
    }

    /// Returns the size of the backing file, `roundup(allocated - 192, 4096)`,
    /// or `None` without `backing-file`.
    pub fn file_size(&self) -> Option<u64> {
        self.backing_file.as_ref()?;
        let area = self.allocated_size() - RING_HEADER_SIZE;
        Some(area.div_ceil(4096) * 4096)
    }

    /// Returns the bytes of the ring area: the allocation minus the header,
    /// or the file size minus the header once a backing file is mapped.
    pub fn usable_size(&self) -> u64 {
        match self.file_size() {
            Some(file) => file - RING_HEADER_SIZE,
            None => self.allocated_size() - RING_HEADER_SIZE,
        }
    }

    /// Returns the longest message the empty ring stores, or `None` when none fits.
    ///
    /// This is two bytes below the figure HAProxy prints
    /// ([`RingDef::haproxy_max_payload`]): a write of `L` bytes needs
    /// `L + varint_len(L) <= usable - 4`.
    pub fn max_payload(&self) -> Option<u64> {
        value::true_max_payload(self.usable_size())
    }

    /// Returns HAProxy's `ring_max_payload`, the figure its maxlen warning prints.
    pub fn haproxy_max_payload(&self) -> u64 {
        value::haproxy_max_payload(self.usable_size())
    }

    /// Returns the maximum message length HAProxy uses: `maxlen`, lowered to
    /// [`RingDef::haproxy_max_payload`], or no limit (`u32::MAX`) when unset.
    pub fn effective_maxlen(&self) -> u32 {
        let Some(maxlen) = self.maxlen else {
            return u32::MAX;
        };
        let limit = self.haproxy_max_payload();
        if u64::from(maxlen) > limit { limit as u32 } else { maxlen }
    }
}

/// A use of a ring by name from another section.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RingRef {
    /// The referenced name.
    pub name: CompactString,
    /// File of the reference.
    pub file: FileId,
    /// Span of the name alone, such as `r1` in `log ring@r1 local0`.
    pub span: Span,
    /// Which construct refers to the ring.
    pub kind: RefKind,
    /// `len N` of a `log` line, when given.
    pub len: Option<u64>,
}

/// The header a ring puts before each message (`format` in a ring section).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LogFormat {
    /// `local`: RFC 3164 without the host name.
    Local,
    /// `rfc3164`: BSD syslog.
    Rfc3164,
    /// `rfc5424`: IETF syslog.
    Rfc5424,
    /// `priority`: only the `<PRI>` prefix.
    Priority,
    /// `short`: `<PRI>` and the message, for systemd.
    Short,
    /// `timed`: `<PRI>`, an ISO 8601 time and the message.
    Timed,
    /// `iso`: an ISO 8601 time and the message.
    Iso,
    /// `raw`: the message alone; the default of ring sections.
    #[default]
    Raw,
}

impl LogFormat {
    /// Every format, in the order HAProxy's documentation lists them.
    pub const ALL: [LogFormat; 8] = [
        LogFormat::Local,
        LogFormat::Rfc3164,
        LogFormat::Rfc5424,
        LogFormat::Priority,
        LogFormat::Short,
        LogFormat::Timed,
        LogFormat::Iso,
        LogFormat::Raw,
    ];

    /// Returns the keyword as written after `format`.
    pub const fn name(self) -> &'static str {
        match self {
            LogFormat::Local => "local",
            LogFormat::Rfc3164 => "rfc3164",
            LogFormat::Rfc5424 => "rfc5424",
            LogFormat::Priority => "priority",
            LogFormat::Short => "short",
            LogFormat::Timed => "timed",
            LogFormat::Iso => "iso",
            LogFormat::Raw => "raw",
        }
    }

    /// Finds a format by keyword; HAProxy matches case-sensitively.
    ///
    /// ```
    /// use ringcfg::ring::LogFormat;
    /// assert_eq!(LogFormat::from_name("rfc5424"), Some(LogFormat::Rfc5424));
    /// assert_eq!(LogFormat::from_name("RAW"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<LogFormat> {
        LogFormat::ALL.into_iter().find(|format| format.name() == name)
    }
}
