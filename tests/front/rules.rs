use std::process::Command;

use ringcfg::diag::registry;

use crate::support::ringcfg_bin;

fn ringcfg(args: &[&str]) -> std::process::Output {
    Command::new(ringcfg_bin()).args(args).output().expect("ringcfg runs")
}

fn stdout(output: &std::process::Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn rules_table_lists_every_code() {
    let output = ringcfg(&["rules"]);
    assert!(output.status.success());
    let text = stdout(&output);
    for info in registry::all() {
        let line = text.lines().find(|line| line.starts_with(info.code));
        let line = line.unwrap_or_else(|| panic!("{} missing from the table:\n{text}", info.code));
        assert!(line.contains(info.name), "{line}");
        assert!(line.contains(info.severity.as_str()), "{line}");
        assert!(line.contains(info.summary), "{line}");
    }
}

#[test]
fn rules_json_matches_registry() {
    let output = ringcfg(&["rules", "--format", "json"]);
    assert!(output.status.success());
    let document: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let rules = document["rules"].as_array().unwrap();
    let codes = registry::all();
    assert_eq!(rules.len(), codes.len());
    for (rule, info) in rules.iter().zip(codes) {
        assert_eq!(rule["code"], info.code);
        assert_eq!(rule["name"], info.name);
        assert_eq!(rule["severity"], info.severity.as_str());
        assert_eq!(rule["explanation"], info.explanation);
    }
}

#[test]
fn explain_prints_explanation() {
    for query in ["U001", "u001", "unused-suppression"] {
        let output = ringcfg(&["explain", query]);
        assert!(output.status.success(), "{query}");
        let text = stdout(&output);
        assert!(text.starts_with("U001 unused-suppression (warning)"), "{text}");
        assert!(has_part(&text, "Why it matters"), "{text}");
    }
}

#[test]
fn explain_every_code_works() {
    for info in registry::all() {
        let output = ringcfg(&["explain", info.code]);
        assert!(output.status.success(), "{}", info.code);
        assert!(stdout(&output).contains(info.explanation.trim_end()), "{}", info.code);
    }
}

#[test]
fn explain_unknown_code_fails() {
    let output = ringcfg(&["explain", "Q999"]);
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("unknown code 'Q999'"), "{error}");
}

/// Returns true when `explanation` has the part `title`, as a heading or a bold lead-in.
fn has_part(explanation: &str, title: &str) -> bool {
    let heading = explanation
        .lines()
        .any(|line| line.starts_with('#') && line.trim_start_matches('#').trim() == title);
    heading || explanation.contains(&format!("**{title}:**"))
}

#[test]
fn explanations_have_four_parts() {
    for info in registry::all() {
        for title in ["What it checks", "Why it matters", "Example", "Fix"] {
            assert!(has_part(info.explanation, title), "{} lacks the part '{title}'", info.code);
        }
    }
}

/// Compares `docs/rules.md` with `ringcfg rules --format markdown`; with
/// `RINGCFG_BLESS=1` the page is rewritten instead.
#[test]
fn rules_page_is_up_to_date() {
    let output = ringcfg(&["rules", "--format", "markdown"]);
    assert!(output.status.success());
    let generated = stdout(&output);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    if std::env::var_os("RINGCFG_BLESS").is_some_and(|value| value == "1") {
        std::fs::write(path, &generated).expect("write docs/rules.md");
        return;
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/rules.md is out of date: run `RINGCFG_BLESS=1 cargo test --test front rules_page`"
    );
}
