//! Runs every case of `conformance/tokenizer/` and compares with what
//! HAProxy 3.5-dev5 printed for it.
//!
//! From HAProxy's output this takes the messages of `.warning`, `.notice`,
//! `.diag` and `.alert` lines (the decoded words), and the line and position
//! of each error. The reader must produce the same messages, errors on the
//! same lines, at the same byte where HAProxy prints a position, and an error
//! exactly when HAProxy exits with status 1.

use std::collections::BTreeSet;
use std::fs;

use ringcfg::SourceFile;
use ringcfg::diag::Severity;
use ringcfg::lex::Env;
use ringcfg::syntax::{ParsedFile, ReadOptions, read};

use crate::support::shared_dir;

/// One case of the results file.
struct Case {
    name: String,
    /// (line, decoded text) of each directive message.
    messages: Vec<(usize, String)>,
    /// (line, position, text) of each error.
    errors: Vec<(usize, Option<usize>, String)>,
    failed: bool,
}

fn parse_results(text: &str) -> Vec<Case> {
    let mut cases = Vec::new();
    for block in text.split("=== ").skip(1) {
        let name = block.lines().next().unwrap().trim().to_owned();
        let output = block.split("--- output:\n").nth(1).expect("an output part");
        let failed = output.contains("rc=1");
        let mut records: Vec<(String, String)> = Vec::new();
        for line in output.lines() {
            if let Some(rest) = line.strip_prefix('[') {
                let level = rest.split(']').next().unwrap().to_owned();
                records.push((level, line.to_owned()));
            } else if let Some(last) = records.last_mut() {
                last.1.push('\n');
                last.1.push_str(line);
            }
        }
        let mut case = Case { name, messages: Vec::new(), errors: Vec::new(), failed };
        for (level, record) in records {
            let Some(at) = record.find("parsing [") else { continue };
            let rest = &record[at + "parsing [".len()..];
            let (location, message) = rest.split_once("]: ").unwrap();
            let number: usize = location.rsplit(':').next().unwrap().parse().unwrap();
            let first_line = message.lines().next().unwrap();
            let whole = if first_line.ends_with("'.") { first_line } else { message };
            if whole.starts_with('\'') && whole.ends_with("'.") && !whole.contains("' after '") {
                case.messages.push((number, whole[1..whole.len() - 2].to_owned()));
            } else if level == "ALERT" {
                let position = first_line
                    .split("position ")
                    .nth(1)
                    .map(|p| p.chars().take_while(char::is_ascii_digit).collect::<String>())
                    .map(|p| p.parse().unwrap());
                case.errors.push((number, position, first_line.to_owned()));
            }
        }
        cases.push(case);
    }
    cases
}

fn options() -> ReadOptions {
    let mut env = Env::empty();
    env.set("WX", "a b  c");
    env.set("EMPTYVAR", "");
    env.set("HOME", "/root");
    ReadOptions { env, ..ReadOptions::default() }
}

/// Returns the byte HAProxy points at for an error at `position` on `line`.
fn expected_offset(source: &SourceFile, line: usize, position: usize, message: &str) -> usize {
    let span = source.line_span(line);
    if message.contains(" in '.if' at") || message.contains(" in '.elif' at") {
        // Positions of conditions count in the text after the directive.
        let text = &source.bytes()[span.start..span.end];
        let word_end = text.iter().position(|b| *b == b' ').unwrap();
        let blanks = text[word_end..].iter().take_while(|b| **b == b' ').count();
        return span.start + word_end + blanks + position - 1;
    }
    span.start + position - 1
}

fn check(case: &Case, source: &SourceFile, parsed: &ParsedFile) -> Vec<String> {
    let mut problems = Vec::new();
    let messages: Vec<(usize, String)> = parsed
        .diagnostics
        .iter()
        .filter(|d| matches!(d.code(), "S005" | "S006" | "S007"))
        .map(|d| (source.line_col(d.span.start).line, d.message.clone()))
        .collect();
    if messages != case.messages {
        problems.push(format!("messages {messages:?}, HAProxy {:?}", case.messages));
    }
    let errors: Vec<_> =
        parsed.diagnostics.iter().filter(|d| d.severity == Severity::Error).collect();
    let failed = !errors.is_empty();
    // An `.alert` message is both a message and an error; it was compared above.
    let errors: Vec<_> = errors.into_iter().filter(|d| d.code() != "S005").collect();
    let lines: BTreeSet<usize> =
        errors.iter().map(|d| source.line_col(d.span.start).line).collect();
    let expected: BTreeSet<usize> = case.errors.iter().map(|(line, _, _)| *line).collect();
    if lines != expected {
        problems.push(format!("errors on lines {lines:?}, HAProxy {expected:?}: {errors:#?}"));
    }
    for (line, position, message) in &case.errors {
        let Some(position) = position else { continue };
        let want = expected_offset(source, *line, *position, message);
        if !errors.iter().any(|d| d.span.start == want) {
            problems
                .push(format!("no error at byte {want} for HAProxy's '{message}': {errors:#?}"));
        }
    }
    if case.failed != failed {
        problems.push(format!("HAProxy failed: {}, errors here: {}", case.failed, errors.len()));
    }
    problems
}

#[test]
fn every_tokenizer_case_matches_haproxy() {
    let dir = shared_dir().join("conformance/tokenizer");
    let results = fs::read_to_string(dir.join("haproxy-3.5-dev5.results")).unwrap();
    let cases = parse_results(&results);
    let files = fs::read_dir(&dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|ext| ext == "cfg"));
    assert_eq!(cases.len(), files.count(), "every file has a recorded result");
    let options = options();
    let mut failures = Vec::new();
    for case in &cases {
        let bytes = fs::read(dir.join(&case.name)).unwrap();
        let source = SourceFile::new(case.name.clone(), bytes);
        let parsed = read(0, &source, &options);
        for problem in check(case, &source, &parsed) {
            failures.push(format!("{}: {problem}", case.name));
        }
    }
    assert!(failures.is_empty(), "{} problems:\n{}", failures.len(), failures.join("\n"));
}
