//! The whole check of a run: read every file, type the rings, resolve references.

use crate::diag::Diagnostic;
use crate::ring::refs::{self, RefScope};
use crate::ring::section::RingChecker;
use crate::ring::{RingDef, RingRef};
use crate::source::{FileId, SourceFile, Span};
use crate::syntax::{EventRef, ReadOptions, Reader};

/// Options of [`check`].
#[derive(Clone, Debug, Default)]
pub struct CheckOptions {
    /// How to read the files, including the target HAProxy version.
    pub read: ReadOptions,
}

/// The result of [`check`].
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    /// Every ring defined, in file order.
    pub rings: Vec<RingDef>,
    /// Every reference to a ring, in file order.
    pub references: Vec<RingRef>,
    /// Every diagnostic, ordered by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

impl CheckReport {
    /// Returns the number of diagnostics that are errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|diag| diag.is_error()).count()
    }
}

/// Checks `sources` as one HAProxy run would load them (`haproxy -f a -f b`).
///
/// Each file is read on its own, since sections never continue across files;
/// ring names and references are then resolved over all of them.
///
/// ```
/// use ringcfg::{SourceFile, CheckOptions};
/// let text = "ring logs\n    backing-file /tmp/logs.bin\n    size 65536\n";
/// let report = ringcfg::check(&[SourceFile::new("haproxy.cfg", text.as_bytes())], &CheckOptions::default());
/// assert_eq!(report.diagnostics[0].code(), "R006");
/// ```
pub fn check(sources: &[SourceFile], options: &CheckOptions) -> CheckReport {
    let mut checker = RingChecker::new(options.read.version);
    let mut references = Vec::new();
    let mut files = Vec::with_capacity(sources.len());
    for (file, source) in sources.iter().enumerate() {
        files.push(check_file(file, source, &options.read, &mut checker, &mut references));
    }
    let (rings, mut ring_diagnostics) = checker.finish();
    refs::resolve(&references, &rings, &mut ring_diagnostics);

    let mut per_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); sources.len()];
    for diag in ring_diagnostics {
        per_file[diag.file].push(diag);
    }
    let mut diagnostics = Vec::new();
    for (((file, (comments, mut file_diagnostics)), source), ring_diagnostics) in
        files.into_iter().enumerate().zip(sources).zip(per_file)
    {
        file_diagnostics.extend(ring_diagnostics);
        crate::suppress::filter(file, source, &comments, &mut file_diagnostics);
        diagnostics.append(&mut file_diagnostics);
    }
    diagnostics.sort_by_key(|diag| (diag.file, diag.span.start, diag.span.end));
    CheckReport { rings, references, diagnostics }
}

/// Streams one file through the reader into the ring checker and the
/// reference collector, and returns the file's comments and reader
/// diagnostics.
///
/// No line is kept once it is checked, so memory stays flat whatever the
/// size of the file.
fn check_file(
    file: FileId,
    source: &SourceFile,
    options: &ReadOptions,
    checker: &mut RingChecker,
    references: &mut Vec<RingRef>,
) -> (Vec<Span>, Vec<Diagnostic>) {
    let mut reader = Reader::new(file, source, options);
    let mut scope = None;
    while let Some(event) = reader.next_ref() {
        match event {
            EventRef::Section(header) => {
                checker.start_section(file, header);
                scope = Some(RefScope::of(header.words[0].c_str()));
            }
            EventRef::Line(line) => checker.line(line),
        }
        if let Some(scope) = scope {
            scope.collect(file, event.line(), references);
        }
    }
    // Sections never continue into the next file.
    checker.end_section();
    let (comments, diagnostics, _aborted) = reader.finish();
    (comments, diagnostics)
}
