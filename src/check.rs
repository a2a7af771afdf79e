//! The whole check of a run: read every file, type the rings, resolve references.

use crate::diag::Diagnostic;
use crate::ring::section::RingChecker;
use crate::ring::{RingDef, RingRef, refs};
use crate::source::SourceFile;
use crate::syntax::{self, ParsedFile, ReadOptions};

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
    let parsed = read_all(sources, &options.read);

    let mut checker = RingChecker::new(options.read.version);
    let mut references = Vec::new();
    for file in &parsed {
        for section in &file.sections {
            checker.section(file.file, section);
            refs::collect(file.file, section, &mut references);
        }
    }
    let (rings, mut ring_diagnostics) = checker.finish();
    refs::resolve(&references, &rings, &mut ring_diagnostics);

    let mut per_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); sources.len()];
    for diag in ring_diagnostics {
        per_file[diag.file].push(diag);
    }
    let mut diagnostics = Vec::new();
    for ((file, source), ring_diagnostics) in parsed.into_iter().zip(sources).zip(per_file) {
        let mut file_diagnostics = file.diagnostics;
        file_diagnostics.extend(ring_diagnostics);
        crate::suppress::filter(file.file, source, &file.comments, &mut file_diagnostics);
        diagnostics.append(&mut file_diagnostics);
    }
    diagnostics.sort_by_key(|diag| (diag.file, diag.span.start, diag.span.end));
    CheckReport { rings, references, diagnostics }
}

/// Reads every source, on several threads when there are several files.
fn read_all(sources: &[SourceFile], options: &ReadOptions) -> Vec<ParsedFile> {
    if sources.len() < 2 {
        return sources
            .iter()
            .enumerate()
            .map(|(id, src)| syntax::read(id, src, options))
            .collect();
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(sources.len());
    let chunk = sources.len().div_ceil(workers);
    std::thread::scope(|scope| {
        let handles: Vec<_> = sources
            .chunks(chunk)
            .enumerate()
            .map(|(index, part)| {
                scope.spawn(move || {
                    let first = index * chunk;
                    part.iter()
                        .enumerate()
                        .map(|(offset, src)| syntax::read(first + offset, src, options))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|handle| handle.join().expect("reader thread panicked"))
            .collect()
    })
}
