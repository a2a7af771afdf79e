//! Reads every public configuration of `realworld/`. HAProxy 3.5 found no
//! error of the line format, of conditional blocks or of sections in any of
//! them, so the reader must report none either.

use std::fs;

use ringcfg::SourceFile;
use ringcfg::diag::Severity;
use ringcfg::syntax::{ReadOptions, read};

use crate::support::shared_dir;

#[test]
fn public_configurations_read_without_errors() {
    let dir = shared_dir().join("realworld");
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "cfg"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 18, "the README lists 18 configurations");

    let options = ReadOptions::default();
    let mut failures = Vec::new();
    for path in &names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let source = SourceFile::new(name.clone(), fs::read(path).unwrap());
        let parsed = read(0, &source, &options);
        for diag in parsed.diagnostics.iter().filter(|d| d.severity == Severity::Error) {
            let at = source.line_col(diag.span.start);
            failures.push(format!(
                "{name}:{}:{}: {} {}",
                at.line,
                at.col,
                diag.code(),
                diag.message
            ));
        }
        assert!(!parsed.sections.is_empty(), "{name} has sections");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn keylog_example_needs_haproxys_own_variables() {
    let path = shared_dir().join("realworld/haproxy__examples-keylog-test.cfg");
    let source = SourceFile::new("keylog-test.cfg", fs::read(path).unwrap());
    let parsed = read(0, &source, &ReadOptions::default());
    let profile =
        parsed.sections.iter().find(|s| s.keyword == "log-profile").expect("a log-profile");
    let format =
        profile.lines.iter().flat_map(|l| &l.words).find(|w| w.value.starts_with(b"CLIENT_"));
    assert!(format.is_some(), "the key-log format expands to its lines");
}
