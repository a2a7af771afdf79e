//! The shared conformance cases against HAProxy's recorded output.
//!
//! For HAProxy 3.5 each case must get the same verdict, an error on every
//! line HAProxy printed an ALERT for, and a warning on every line it printed
//! a WARNING for. Three kinds of difference are on purpose and asserted:
//!
//! - HAProxy's follow-on errors after a rejected `ring` line ("'size'
//!   directive not usable with this type of sink") are not repeated: the
//!   rejected `ring` line is the one error.
//! - An undefined ring behind `log ring@`, `trace ... sink` or `debug()`,
//!   and `log ring@stdout`, only fail when HAProxy really starts, which
//!   `haproxy -c` skips; here they are errors (c05, c17, c20, c28).
//! - c22 fails in HAProxy only because its server's host name does not
//!   resolve; ringcfg never resolves names, so c22 checks clean.
//! - A `backing-file` whose directory is missing makes HAProxy fail on the
//!   machine it runs on; ringcfg warns (R033), because a configuration is
//!   often checked elsewhere. The cases' /dev/shm/ringtest paths existed
//!   when HAProxy ran; on this machine they may not, which is a warning too.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use ringcfg::syntax::ReadOptions;
use ringcfg::{CheckOptions, CheckReport, HaproxyVersion, Severity, SourceFile};

/// What HAProxy printed for one case.
#[derive(Debug, Default)]
struct Recorded {
    rc: i32,
    /// `(file, line)` of each ALERT that names a line, with its text.
    alerts: Vec<(String, usize, String)>,
    /// `(file, line)` of each WARNING that names a line.
    warnings: Vec<(String, usize)>,
    /// Rings named by warnings printed after their section ended.
    ring_warnings: Vec<String>,
}

/// HAProxy messages that only repeat an earlier rejection of the `ring` line.
const CASCADE_MESSAGES: [&str; 5] = [
    "directive not usable with this type of sink",
    "unable to set",
    "only usable with existing rings",
    "unable to create server",
    "no current ring",
];

/// Cases that fail only when HAProxy starts, not under `haproxy -c`.
const START_UP_FAILURES: [&str; 4] =
    ["c05_log_ring_missing", "c17_trace_missing", "c20_log_ring_bufsink", "c28_debug_conv"];

fn ring_dir() -> PathBuf {
    crate::support::shared_dir().join("conformance/ring")
}

fn parse_results(name: &str) -> BTreeMap<String, Recorded> {
    let text = fs::read_to_string(ring_dir().join(name)).expect("results are readable");
    let mut cases = BTreeMap::new();
    let mut current: Option<(String, Recorded)> = None;
    for line in text.lines() {
        if let Some(case) = line.strip_prefix("=== ") {
            cases.extend(current.take());
            let key = if case.starts_with("c26 (") { "c26".to_owned() } else { case.to_owned() };
            current = Some((key, Recorded::default()));
            continue;
        }
        let Some((_, recorded)) = current.as_mut() else { continue };
        if let Some(rc) = line.strip_prefix("rc=") {
            recorded.rc = rc.trim().parse().expect("rc is a number");
        } else if line.contains("Fatal errors found in configuration") {
            // The last block of the 3.5 results has no rc line; this message means rc=1.
            recorded.rc = 1;
        } else if line.starts_with("[ALERT]") {
            if let Some((file, number)) = location(line) {
                recorded.alerts.push((file, number, line.to_owned()));
            }
        } else if line.starts_with("[WARNING]") {
            match location(line) {
                Some(location) => recorded.warnings.push(location),
                None => recorded.ring_warnings.extend(quoted_ring(line)),
            }
        }
    }
    cases.extend(current);
    cases
}

/// Extracts `(file, line)` from the first `[FILE.cfg:LINE]` of a message.
fn location(line: &str) -> Option<(String, usize)> {
    line.split('[').skip(1).find_map(|part| {
        let (inner, _) = part.split_once(']')?;
        let (file, number) = inner.rsplit_once(':')?;
        let number = number.parse().ok()?;
        file.ends_with(".cfg").then(|| (file.to_owned(), number))
    })
}

fn quoted_ring(line: &str) -> Option<String> {
    let rest = line.split_once("ring '")?.1;
    Some(rest.split_once('\'')?.0.to_owned())
}

fn case_files(case: &str) -> Vec<String> {
    if case == "c26" {
        return vec!["c26_two_files_a.cfg".into(), "c26_two_files_b.cfg".into()];
    }
    vec![case.to_owned()]
}

fn check_case(files: &[String], version: HaproxyVersion) -> (Vec<SourceFile>, CheckReport) {
    let sources: Vec<SourceFile> = files
        .iter()
        .map(|file| {
            SourceFile::new(
                file.clone(),
                fs::read(ring_dir().join(file)).expect("case is readable"),
            )
        })
        .collect();
    let read = ReadOptions { version, ..ReadOptions::default() };
    let report = ringcfg::check(&sources, &CheckOptions { read });
    (sources, report)
}

fn has_finding(
    sources: &[SourceFile],
    report: &CheckReport,
    file: &str,
    line: usize,
    severity: Severity,
) -> bool {
    report.diagnostics.iter().any(|diag| {
        let source = &sources[diag.file];
        diag.severity == severity
            && source.name() == file
            && source.line_col(diag.span.start).line == line
    })
}

fn has_code(
    sources: &[SourceFile],
    report: &CheckReport,
    file: &str,
    line: usize,
    code: &str,
) -> bool {
    report.diagnostics.iter().any(|diag| {
        let source = &sources[diag.file];
        diag.code() == code
            && source.name() == file
            && source.line_col(diag.span.start).line == line
    })
}

fn describe(sources: &[SourceFile], report: &CheckReport) -> String {
    report.diagnostics.iter().map(|diag| ringcfg::diag::render::short(diag, sources)).collect()
}

#[test]
fn agrees_with_haproxy_3_5() {
    let recorded = parse_results("haproxy-3.5-dev5.results");
    let mut checked = 0;
    for (case, expected) in &recorded {
        if case.starts_with("c26_") {
            continue; // Checked together as "c26", as `haproxy -f a -f b` loads them.
        }
        let files = case_files(case);
        let stem = case.trim_end_matches(".cfg");
        let (sources, report) = check_case(&files, HaproxyVersion::new(3, 5));
        let found = describe(&sources, &report);
        let has_errors = report.error_count() > 0;

        if START_UP_FAILURES.contains(&stem) {
            assert_eq!(expected.rc, 0, "{case}: haproxy -c accepted it");
            assert!(has_errors, "{case}: an undefined ring is an error here\n{found}");
        } else if stem == "c22_server_bad" {
            assert_eq!(expected.rc, 1, "{case}: HAProxy failed to resolve the name");
            assert!(!has_errors, "{case}: ringcfg does not resolve names\n{found}");
            continue;
        } else {
            assert_eq!(has_errors, expected.rc != 0, "{case}: verdict differs\n{found}");
        }

        for (file, line, text) in &expected.alerts {
            if CASCADE_MESSAGES.iter().any(|cascade| text.contains(cascade)) {
                continue;
            }
            if text.contains("cannot open backing-file")
                && has_code(&sources, &report, file, *line, "R033")
            {
                continue;
            }
            assert!(
                has_finding(&sources, &report, file, *line, Severity::Error),
                "{case}: no error on {file}:{line} for\n{text}\nfound:\n{found}"
            );
        }
        for (file, line) in &expected.warnings {
            assert!(
                has_finding(&sources, &report, file, *line, Severity::Warning),
                "{case}: no warning on {file}:{line}\nfound:\n{found}"
            );
        }
        for ring in &expected.ring_warnings {
            let needle = format!("ring '{ring}'");
            assert!(
                report.diagnostics.iter().any(|diag| {
                    diag.severity == Severity::Warning && diag.message.contains(&needle)
                }),
                "{case}: no warning about ring '{ring}'\nfound:\n{found}"
            );
        }
        checked += 1;
    }
    assert!(checked >= 29, "only {checked} cases were checked");
}

#[test]
fn cascade_after_rejected_ring_is_one_error() {
    let (sources, report) = check_case(&["c06_dup_ring.cfg".into()], HaproxyVersion::new(3, 5));
    let errors: Vec<_> = report.diagnostics.iter().filter(|diag| diag.is_error()).collect();
    assert_eq!(errors.len(), 1, "{}", describe(&sources, &report));
    assert_eq!(errors[0].code(), "R003");
}

#[test]
fn verdicts_of_haproxy_2_7() {
    let recorded = parse_results("haproxy-2.7.0.results");
    // 2.7 exits with 2 when a valid configuration has no listener; that is a valid configuration.
    // c05 and c20 fail at start-up only, as for 3.5. The 2.7 results stop at c20.
    let skipped = ["c05_log_ring_missing.cfg", "c20_log_ring_bufsink.cfg"];
    let mut checked = 0;
    for (case, expected) in &recorded {
        if case.starts_with("c26") || skipped.contains(&case.as_str()) {
            continue;
        }
        let (sources, report) = check_case(&case_files(case), HaproxyVersion::new(2, 7));
        let has_errors = report.error_count() > 0;
        assert_eq!(
            has_errors,
            expected.rc == 1,
            "{case}: verdict differs from HAProxy 2.7\n{}",
            describe(&sources, &report)
        );
        checked += 1;
    }
    assert!(checked >= 17, "only {checked} cases were checked");
}
