//! Diagnostics: the one type every phase reports through, and its code registry.
//!
//! Each phase (lexer, syntax, ring checks, suppressions) declares its codes in
//! a `CODES` table of [`CodeInfo`]; [`registry`] joins those tables, so the
//! command line, the rules page and the language server all read one list.
//! [`render`] turns diagnostics into what users see.

pub mod registry;
pub mod render;

use serde::Serialize;

use crate::source::{FileId, Span};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// HAProxy rejects the configuration, or would fail at start-up.
    Error,
    /// HAProxy accepts it, but probably not as the author meant.
    Warning,
    /// A remark that needs no change, such as a `.notice` directive.
    Advice,
}

impl Severity {
    /// Returns the lowercase name used in every output format.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Advice => "advice",
        }
    }
}

/// The registry entry of one diagnostic code.
#[derive(Debug)]
pub struct CodeInfo {
    /// Stable code, such as `R003`: a letter for the phase and three digits.
    pub code: &'static str,
    /// Stable kebab-case name, such as `size-after-backing-file`.
    pub name: &'static str,
    /// Severity unless a diagnostic overrides it.
    pub severity: Severity,
    /// One line for rule lists.
    pub summary: &'static str,
    /// Markdown with four parts: what it checks, why it matters, an example and the fix.
    pub explanation: &'static str,
}

/// A secondary label, possibly in another file than the diagnostic itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// File the span belongs to.
    pub file: FileId,
    /// Bytes the label points at.
    pub span: Span,
    /// Short text shown at the span.
    pub text: String,
}

/// One finding, located in a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Registry entry of the code.
    pub info: &'static CodeInfo,
    /// Severity, the code's default unless raised or lowered by the caller.
    pub severity: Severity,
    /// What is wrong, lowercase with no final period.
    pub message: String,
    /// File of the primary span.
    pub file: FileId,
    /// Primary span.
    pub span: Span,
    /// Text shown at the primary span.
    pub label: String,
    /// Other places that explain the finding, such as an earlier definition.
    pub related: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
}

impl PartialEq for CodeInfo {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for CodeInfo {}

impl Diagnostic {
    /// Creates a diagnostic with the code's default severity and no help.
    ///
    /// ```
    /// use ringcfg::diag::{CodeInfo, Diagnostic, Severity};
    /// static DEMO: CodeInfo = CodeInfo {
    ///     code: "Z999",
    ///     name: "demo",
    ///     severity: Severity::Warning,
    ///     summary: "a demonstration",
    ///     explanation: "",
    /// };
    /// let diag = Diagnostic::new(&DEMO, 0, ringcfg::Span::new(0, 4), "demo message")
    ///     .with_label("here")
    ///     .with_help("do something else");
    /// assert_eq!(diag.code(), "Z999");
    /// ```
    pub fn new(
        info: &'static CodeInfo,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Self {
            info,
            severity: info.severity,
            message: message.into(),
            file,
            span,
            label: String::new(),
            related: Vec::new(),
            help: None,
        }
    }

    /// Returns the stable code, such as `R003`.
    pub fn code(&self) -> &'static str {
        self.info.code
    }

    /// Sets the text shown at the primary span.
    pub fn with_label(mut self, text: impl Into<String>) -> Self {
        self.label = text.into();
        self
    }

    /// Sets the help line.
    pub fn with_help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_related(mut self, file: FileId, span: Span, text: impl Into<String>) -> Self {
        self.related.push(Label { file, span, text: text.into() });
        self
    }

    /// Overrides the default severity.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// Returns true for [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
