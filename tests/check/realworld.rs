//! Public configurations from real projects: none may get an error.

use std::fs;

use ringcfg::lex::Env;
use ringcfg::syntax::ReadOptions;
use ringcfg::{CheckOptions, CheckReport, SourceFile};

fn check_file(name: &str) -> (SourceFile, CheckReport) {
    let path = crate::support::shared_dir().join("realworld").join(name);
    let source = SourceFile::new(name, fs::read(&path).expect("configuration is readable"));
    let read = ReadOptions { env: Env::empty(), ..ReadOptions::default() };
    let report = ringcfg::check(std::slice::from_ref(&source), &CheckOptions { read });
    (source, report)
}

#[test]
fn realworld_files_have_no_errors() {
    let dir = crate::support::shared_dir().join("realworld");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .expect("realworld folder is readable")
        .map(|entry| entry.expect("entry is readable").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".cfg"))
        .collect();
    names.sort();
    assert!(names.len() >= 18, "only {} configurations found", names.len());

    for name in names {
        let (source, report) = check_file(&name);
        let errors: String = report
            .diagnostics
            .iter()
            .filter(|diag| diag.is_error())
            .map(|diag| ringcfg::diag::render::short(diag, std::slice::from_ref(&source)))
            .collect();
        assert!(errors.is_empty(), "{name} has errors:\n{errors}");
    }
}

#[test]
fn realworld_rings_are_typed() {
    for name in [
        "haproxy-doc__ring-myring.cfg",
        "haproxy-doc__traces-two-rings-backing-file.cfg",
        "haproxy__examples-keylog-test.cfg",
        "dataplaneapi__e2e-servers-haproxy_2.2.cfg",
    ] {
        let (_, report) = check_file(name);
        let snapshot_name = format!("realworld_{}", name.trim_end_matches(".cfg"));
        insta::with_settings!({
            snapshot_path => "snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_debug_snapshot!(snapshot_name, (&report.rings, &report.references));
        });
    }
}
