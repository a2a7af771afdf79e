//! The typed ring model, the checks of `ring` sections and the resolution of references.
//!
//! FIXME: only the shared types exist so far; the checks are not written yet.

use crate::diag::CodeInfo;
use crate::source::{FileId, Span};

/// Diagnostic codes of ring sections and references to rings.
pub static CODES: &[CodeInfo] = &[];

/// One `ring` section, typed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RingDef {
    /// The ring name.
    pub name: String,
    /// File of the section.
    pub file: FileId,
    /// Span of the name on the `ring` line.
    pub name_span: Span,
}

/// A use of a ring by name from another section.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RingRef {
    /// The referenced name.
    pub name: String,
    /// File of the reference.
    pub file: FileId,
    /// Span of the name alone, such as `r1` in `log ring@r1 local0`.
    pub span: Span,
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
