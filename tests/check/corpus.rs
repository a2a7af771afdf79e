//! Snapshots of the corpus: each `corpus/*.cfg` file, or each `corpus/*/` folder
//! of files checked together, with its diagnostics rendered by miette.

use std::fs;
use std::path::{Path, PathBuf};

use ringcfg::diag::render::{self, HumanOptions};
use ringcfg::syntax::ReadOptions;
use ringcfg::{CheckOptions, CheckReport, HaproxyVersion, SourceFile};

/// Marker of a first-line comment that selects the target HAProxy version.
const VERSION_MARKER: &str = "# ringcfg-test: haproxy-version=";

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// Returns every case: its name and the files checked together, sorted.
fn cases() -> Vec<(String, Vec<PathBuf>)> {
    let mut cases: Vec<(String, Vec<PathBuf>)> = fs::read_dir(corpus_dir())
        .expect("corpus folder is readable")
        .map(|entry| entry.expect("corpus entry is readable").path())
        .filter_map(|path| {
            let name = path.file_stem()?.to_str()?.to_owned();
            if path.is_dir() {
                let mut files: Vec<PathBuf> = fs::read_dir(&path)
                    .expect("case folder is readable")
                    .map(|entry| entry.expect("case entry is readable").path())
                    .filter(|file| file.extension().is_some_and(|ext| ext == "cfg"))
                    .collect();
                files.sort();
                Some((name, files))
            } else if path.extension().is_some_and(|ext| ext == "cfg") {
                Some((name, vec![path]))
            } else {
                None
            }
        })
        .collect();
    cases.sort();
    cases
}

fn load(files: &[PathBuf]) -> Vec<SourceFile> {
    let root = corpus_dir();
    files
        .iter()
        .map(|path| {
            let name =
                Path::new("corpus").join(path.strip_prefix(&root).expect("file is under corpus"));
            SourceFile::new(name.display().to_string(), fs::read(path).expect("case is readable"))
        })
        .collect()
}

fn version_of(sources: &[SourceFile]) -> HaproxyVersion {
    let first_line = sources[0].bytes().split(|b| *b == b'\n').next().unwrap_or_default();
    let first_line = String::from_utf8_lossy(first_line);
    match first_line.strip_prefix(VERSION_MARKER) {
        Some(version) => version.trim().parse().expect("version marker is valid"),
        None => HaproxyVersion::NEWEST,
    }
}

fn run(files: &[PathBuf]) -> (Vec<SourceFile>, CheckReport) {
    let sources = load(files);
    let read = ReadOptions { version: version_of(&sources), ..ReadOptions::default() };
    let report = ringcfg::check(&sources, &CheckOptions { read });
    (sources, report)
}

fn render_case(sources: &[SourceFile], report: &CheckReport) -> String {
    let human = HumanOptions { color: false, width: 80 };
    let rendered = render::render(render::OutputFormat::Human, &report.diagnostics, sources, human);
    if rendered.is_empty() { "no diagnostics\n".to_owned() } else { rendered }
}

#[test]
fn corpus_snapshots() {
    let cases = cases();
    assert!(cases.len() >= 40, "the corpus has only {} cases", cases.len());
    for (name, files) in cases {
        let (sources, report) = run(&files);
        let rendered = render_case(&sources, &report);
        insta::with_settings!({
            snapshot_path => "snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, rendered);
        });
    }
}

#[test]
fn valid_cases_have_no_findings() {
    for (name, files) in cases().into_iter().filter(|(name, _)| name.starts_with("valid_")) {
        let (_, report) = run(&files);
        let codes: Vec<&str> = report.diagnostics.iter().map(|diag| diag.code()).collect();
        assert!(codes.is_empty(), "{name}: {codes:?}");
        assert!(!report.rings.is_empty() || !report.references.is_empty(), "{name} checks nothing");
    }
}

#[test]
fn case_named_after_code_reports_it() {
    for (name, files) in cases() {
        let Some(code) = name.split('_').next().filter(|prefix| prefix.len() == 4) else {
            continue;
        };
        let (_, report) = run(&files);
        let code = code.to_ascii_uppercase();
        assert!(
            report.diagnostics.iter().any(|diag| diag.code() == code),
            "{name} does not report {code}"
        );
    }
}

#[test]
fn every_ring_code_has_a_corpus_case() {
    let mut found = std::collections::BTreeSet::new();
    for (_, files) in cases() {
        let (_, report) = run(&files);
        found.extend(report.diagnostics.iter().map(|diag| diag.code()));
    }
    let missing: Vec<&str> = ringcfg::ring::CODES
        .iter()
        .map(|info| info.code)
        .filter(|code| !found.contains(code))
        .collect();
    assert!(missing.is_empty(), "codes without a corpus case: {missing:?}");
}

#[test]
fn every_ring_code_is_explained() {
    for info in ringcfg::ring::CODES {
        for part in ["**What it checks:**", "**Why it matters:**", "**Example:**", "**Fix:**"] {
            assert!(info.explanation.contains(part), "{} lacks {part}", info.code);
        }
    }
}
