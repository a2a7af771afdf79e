use std::collections::BTreeSet;

use ringcfg::diag::render::{self, HumanOptions, OutputFormat};
use ringcfg::diag::{CodeInfo, Diagnostic, Severity};
use ringcfg::{SourceFile, Span};
use serde_json::Value;

use crate::{diagnose, load};

fn render_file(format: OutputFormat, name: &str) -> (String, Vec<SourceFile>) {
    let sources = vec![load(name)];
    let diagnostics = diagnose(&sources);
    (render::render(format, &diagnostics, &sources, HumanOptions::default()), sources)
}

#[test]
fn short_prints_one_line_each() {
    let (text, _) = render_file(OutputFormat::Short, "suppressions.cfg");
    let path = "tests/front/data/suppressions.cfg";
    let expected = [
        format!("{path}:3:44: warning[U001]: suppression of 'all' silences nothing"),
        format!("{path}:6:50: warning[U002]: unknown code 'nonsense' in suppression comment"),
        format!(
            "{path}:7:29: warning[U003]: invalid suppression comment: \
             expected 'ignore=CODE' or 'ignore-file=CODE'"
        ),
        format!("{path}:8:23: warning[U001]: suppression of 'U003' silences nothing"),
    ];
    assert_eq!(text.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn short_escapes_line_breaks() {
    static CODE: CodeInfo = CodeInfo {
        code: "Z001",
        name: "test-code",
        severity: Severity::Error,
        summary: "a code used only by this test",
        explanation: "",
    };
    let sources = [SourceFile::new("odd\nname.cfg", b"ring r1\n".to_vec())];
    let diag = Diagnostic::new(&CODE, 0, Span::new(5, 7), "first\nsecond");
    let line = render::short(&diag, &sources);
    assert_eq!(line, "odd\\nname.cfg:1:6: error[Z001]: first\\nsecond\n");
}

#[test]
fn json_has_version_and_positions() {
    let (text, sources) = render_file(OutputFormat::Json, "suppressions.cfg");
    let document: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(document["version"], 1);
    assert_eq!(document["summary"]["warnings"], 4);

    let first = &document["diagnostics"][0];
    assert_eq!(first["code"], "U001");
    assert_eq!(first["name"], "unused-suppression");
    assert_eq!(first["severity"], "warning");
    assert_eq!(first["range"]["start"]["line"], 3);
    assert_eq!(first["range"]["start"]["column"], 44);
    assert_eq!(first["range"]["end"]["column"], 47);

    let offset = first["range"]["start"]["offset"].as_u64().unwrap() as usize;
    assert_eq!(&sources[0].bytes()[offset..offset + 3], b"all");
}

#[test]
fn json_columns_count_bytes() {
    let (text, _) = render_file(OutputFormat::Json, "suppressions.cfg");
    let document: Value = serde_json::from_str(&text).expect("valid JSON");
    // "café" puts a two-byte character before the entry on line 6.
    let unknown = &document["diagnostics"][1];
    assert_eq!(unknown["range"]["start"]["line"], 6);
    assert_eq!(unknown["range"]["start"]["column"], 50);
}

/// Collects every field path of a JSON value, with `[]` for array items.
fn field_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                out.insert(path.clone());
                field_paths(child, &path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                field_paths(item, &format!("{prefix}[]"), out);
            }
        }
        _ => {}
    }
}

/// Reads the field paths of the tables in `docs/json-output.md` (first column, in backticks).
fn documented_paths() -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json-output.md");
    let text = std::fs::read_to_string(path).expect("docs/json-output.md");
    text.lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(field, _)| field.to_owned())
        .collect()
}

#[test]
fn json_fields_match_documentation() {
    // Checked together, the second file's `ring r1` duplicates the first one's, so the
    // output also has a label in another file.
    let sources = vec![load("mistakes.cfg"), load("suppressions.cfg")];
    let diagnostics = diagnose(&sources);
    let text = render::json::render(&diagnostics, &sources);
    let document: Value = serde_json::from_str(&text).expect("valid JSON");

    let mut actual = BTreeSet::new();
    field_paths(&document, "", &mut actual);
    let documented = documented_paths();
    let undocumented: Vec<_> = actual.difference(&documented).collect();
    let missing: Vec<_> = documented.difference(&actual).collect();
    assert!(undocumented.is_empty(), "fields missing from docs/json-output.md: {undocumented:?}");
    assert!(missing.is_empty(), "documented fields absent from the output: {missing:?}");
}

#[test]
fn json_labels_point_into_other_file() {
    let sources = vec![load("mistakes.cfg"), load("suppressions.cfg")];
    let text = render::json::render(&diagnose(&sources), &sources);
    let document: Value = serde_json::from_str(&text).expect("valid JSON");
    let duplicate = document["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|diag| diag["code"] == "R003" && diag["file"] == "tests/front/data/suppressions.cfg")
        .expect("the duplicate ring of the second file");
    let label = &duplicate["labels"][0];
    assert_eq!(label["file"], "tests/front/data/mistakes.cfg");
    assert_eq!(label["range"]["start"]["line"], 6);
    assert_eq!(label["range"]["start"]["column"], 6);
    assert_eq!(document["summary"]["errors"], 5);
}

fn schema_validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sarif-schema-2.1.0.json");
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("SARIF schema")).unwrap();

    // The `language` patterns end in a bare `]`, a literal in ECMAScript regular expressions
    // that the Rust checker of schemas rejects. Escaping it keeps their meaning.
    let escaped = escape_bare_bracket(&mut schema);
    assert_eq!(escaped, 2, "the schema's language patterns changed");

    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn escape_bare_bracket(value: &mut Value) -> usize {
    const BARE: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match value {
        Value::String(text) if text == BARE => {
            *text = BARE.replace("}]?", "}\\]?");
            1
        }
        Value::Object(map) => map.values_mut().map(escape_bare_bracket).sum(),
        Value::Array(items) => items.iter_mut().map(escape_bare_bracket).sum(),
        _ => 0,
    }
}

fn assert_valid_sarif(text: &str) -> Value {
    let log: Value = serde_json::from_str(text).expect("valid JSON");
    let validator = schema_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
    log
}

#[test]
fn sarif_validates_against_schema() {
    let (text, _) = render_file(OutputFormat::Sarif, "suppressions.cfg");
    let log = assert_valid_sarif(&text);
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 4);
}

#[test]
fn sarif_schema_rejects_broken_log() {
    // Guards the validator itself: a log without `runs` must fail.
    let broken = serde_json::json!({ "version": "2.1.0" });
    assert!(!schema_validator().is_valid(&broken));
}

#[test]
fn sarif_results_point_at_rules() {
    let (text, _) = render_file(OutputFormat::Sarif, "suppressions.cfg");
    let log: Value = serde_json::from_str(&text).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for rule in rules {
        for field in ["id", "name", "shortDescription", "fullDescription", "help"] {
            assert!(!rule[field].is_null(), "rule {} lacks {field}", rule["id"]);
        }
        assert!(rule["defaultConfiguration"]["level"].is_string());
    }
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert_eq!(result["level"], "warning");
    }
}

#[test]
fn sarif_location_is_relative() {
    let (text, _) = render_file(OutputFormat::Sarif, "suppressions.cfg");
    let log: Value = serde_json::from_str(&text).unwrap();
    let location = &log["runs"][0]["results"][1]["locations"][0]["physicalLocation"];
    let artifact = &location["artifactLocation"];
    assert_eq!(artifact["uri"], "tests/front/data/suppressions.cfg");
    assert_eq!(artifact["uriBaseId"], "%SRCROOT%");

    // Line 6 has "café" before the entry: UTF-16 columns count one unit for "é".
    let region = &location["region"];
    assert_eq!(region["startLine"], 6);
    assert_eq!(region["startColumn"], 49);
    assert_eq!(region["endColumn"], 57);
    assert_eq!(region["byteLength"], 8);
}

#[test]
fn sarif_fingerprint_survives_unrelated_edit() {
    let original = load("suppressions.cfg");
    let mut edited_bytes = b"# a new first line\n\n".to_vec();
    edited_bytes.extend_from_slice(original.bytes());
    let edited = SourceFile::new(original.name(), edited_bytes);

    let fingerprints = |source: SourceFile| {
        let sources = vec![source];
        let text = render::sarif::render(&diagnose(&sources), &sources, None);
        let log: Value = serde_json::from_str(&text).unwrap();
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|result| {
                let line =
                    result["locations"][0]["physicalLocation"]["region"]["startLine"].clone();
                (result["partialFingerprints"].clone(), line)
            })
            .collect::<Vec<_>>()
    };
    let before = fingerprints(original);
    let after = fingerprints(edited);
    assert_eq!(before.len(), after.len());
    for ((print_before, line_before), (print_after, line_after)) in before.iter().zip(&after) {
        assert_eq!(print_before, print_after);
        assert_ne!(line_before, line_after);
    }
}

#[test]
fn sarif_fingerprints_are_distinct() {
    let (text, _) = render_file(OutputFormat::Sarif, "suppressions.cfg");
    let log: Value = serde_json::from_str(&text).unwrap();
    let prints: BTreeSet<String> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["partialFingerprints"].to_string())
        .collect();
    assert_eq!(prints.len(), 4);
}

#[test]
fn sarif_of_no_findings_is_valid() {
    let text = render::sarif::render(&[], &[], None);
    let log = assert_valid_sarif(&text);
    assert_eq!(log["runs"][0]["results"].as_array().unwrap().len(), 0);
}

#[test]
fn human_options_respect_no_color() {
    // The outcome depends on the environment of the test run, so compare with it.
    let colored = HumanOptions::for_stream(true).color;
    let plain = HumanOptions::for_stream(false).color;
    assert!(!plain);
    assert_eq!(colored, std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()));
}

/// Runs `ringcfg check` from the crate root on both data files.
fn check_command(format: &str) -> (Option<i32>, String) {
    let output = std::process::Command::new(crate::support::ringcfg_bin())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "--format", format])
        .args(["tests/front/data/mistakes.cfg", "tests/front/data/suppressions.cfg"])
        .output()
        .expect("ringcfg runs");
    (output.status.code(), String::from_utf8(output.stdout).expect("UTF-8 output"))
}

#[test]
fn cli_sarif_is_valid_and_relative() {
    let (status, text) = check_command("sarif");
    assert_eq!(status, Some(1));
    let log = assert_valid_sarif(&text);
    let run = &log["runs"][0];
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"].as_str().unwrap();
    assert!(root.starts_with("file:///") && root.ends_with('/'), "{root}");

    let results = run["results"].as_array().unwrap();
    let codes: Vec<&str> =
        results.iter().map(|result| result["ruleId"].as_str().unwrap()).collect();
    assert_eq!(codes, ["X001", "R006", "R017", "R003", "U001", "R003", "U002", "U003", "U001"]);

    let duplicate = &results[5];
    let location = &duplicate["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "tests/front/data/suppressions.cfg");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let related = &duplicate["relatedLocations"][0]["physicalLocation"];
    assert_eq!(related["artifactLocation"]["uri"], "tests/front/data/mistakes.cfg");
    assert_eq!(related["region"]["startLine"], 6);
}

#[test]
fn cli_sarif_rules_cover_registry() {
    let (_, text) = check_command("sarif");
    let log: Value = serde_json::from_str(&text).unwrap();
    let rules = log["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|rule| rule["id"].as_str().unwrap()).collect();
    let registry: Vec<&str> = ringcfg::diag::registry::all().iter().map(|info| info.code).collect();
    assert_eq!(ids, registry);
    let size_after = rules.iter().find(|rule| rule["id"] == "R006").unwrap();
    assert_eq!(size_after["defaultConfiguration"]["level"], "error");
    assert!(size_after["fullDescription"]["text"].as_str().unwrap().contains("`size`"));
}

#[test]
fn cli_json_lists_every_finding() {
    let (status, text) = check_command("json");
    assert_eq!(status, Some(1));
    let document: Value = serde_json::from_str(&text).expect("valid JSON");
    assert_eq!(document["version"], 1);
    assert_eq!(document["summary"]["errors"], 5);
    assert_eq!(document["summary"]["warnings"], 4);
    let first = &document["diagnostics"][0];
    assert_eq!(first["code"], "X001");
    assert_eq!(first["name"], "undefined-ring");
    assert_eq!(
        first["range"]["start"],
        serde_json::json!({ "line": 3, "column": 14, "offset": 94 })
    );
}

#[test]
fn cli_short_matches_library() {
    let (status, text) = check_command("short");
    assert_eq!(status, Some(1));
    let sources = vec![load("mistakes.cfg"), load("suppressions.cfg")];
    let expected =
        render::render(OutputFormat::Short, &diagnose(&sources), &sources, HumanOptions::default());
    assert_eq!(text, expected);
    assert_eq!(text.lines().count(), 9);
}

/// Returns the first fenced block of `language` in `docs/json-output.md`.
fn documented_block(language: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json-output.md");
    let text = std::fs::read_to_string(path).expect("docs/json-output.md");
    let fence = format!("```{language}\n");
    let start = text.find(&fence).expect("a fenced block") + fence.len();
    let end = start + text[start..].find("```").expect("a closing fence");
    text[start..end].to_owned()
}

#[test]
fn json_example_is_real_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("haproxy.cfg"), documented_block("haproxy")).unwrap();
    let output = std::process::Command::new(crate::support::ringcfg_bin())
        .current_dir(dir.path())
        .args(["check", "--format", "json", "haproxy.cfg"])
        .output()
        .expect("ringcfg runs");
    let actual: Value = serde_json::from_slice(&output.stdout).expect("valid JSON");
    let documented: Value = serde_json::from_str(&documented_block("json")).unwrap();
    assert_eq!(actual, documented);
}
