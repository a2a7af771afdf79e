use serde_json::{Value, json};

use crate::lsp_client::{Client, URI, codes_and_lines};

/// Lines (0-based): 1 `log ring@r1`, 2 `trace ... sink r1`, 4 `ring r1`,
/// 5 and 6 the size after the backing file, 8 `debug(...,r1)`, 9 `log ring@nosuch`.
const CONFIG: &str = "\
global
    log ring@r1 local0
traces
    trace h1 sink r1 level developer
ring r1
    backing-file /dev/shm/ringcfg-lsp.bin
    size 65536
frontend fe
    http-request set-var(txn.x) str(a),debug(pfx,r1)
    log ring@nosuch local0
";

fn started() -> Client {
    let (client, _) = Client::start(json!({}));
    client
}

fn code_pairs(pairs: &[(&str, u64)]) -> Vec<(String, u64)> {
    pairs.iter().map(|(code, line)| ((*code).to_owned(), *line)).collect()
}

#[test]
fn open_publishes_check_findings() {
    let client = started();
    let params = client.open(CONFIG);
    assert_eq!(codes_and_lines(&params), code_pairs(&[("R006", 6), ("X001", 9)]));

    let size_after = &params["diagnostics"][0];
    assert_eq!(size_after["severity"], 1);
    assert_eq!(size_after["source"], "ringcfg");
    assert!(size_after["message"].as_str().unwrap().contains("help: move `size`"));
    let related = &size_after["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], URI);
    assert_eq!(related["location"]["range"]["start"]["line"], 5);
    client.shut_down();
}

#[test]
fn edit_fixing_mistake_clears_it() {
    let client = started();
    client.open(CONFIG);
    let fixed = CONFIG
        .replace("    backing-file /dev/shm/ringcfg-lsp.bin\n    size 65536\n", "    size 65536\n")
        .replace("ring@nosuch", "ring@r1");
    let params = client.change(2, &fixed);
    assert_eq!(params["version"], 2);
    assert_eq!(codes_and_lines(&params), []);
    client.shut_down();
}

#[test]
fn suppression_comment_silences_finding() {
    let client = started();
    let text = CONFIG.replace("    size 65536", "    size 65536   # ringcfg: ignore=R006");
    let params = client.open(&text);
    assert_eq!(codes_and_lines(&params), code_pairs(&[("X001", 9)]));

    let stale = text.replace("ignore=R006", "ignore=R006,nonsense");
    let params = client.change(2, &stale);
    assert_eq!(codes_and_lines(&params), code_pairs(&[("U002", 6), ("X001", 9)]));
    client.shut_down();
}

fn ranges(result: &Value) -> Vec<(u64, u64)> {
    result
        .as_array()
        .expect("an array of locations")
        .iter()
        .map(|location| {
            assert_eq!(location["uri"], URI);
            let start = &location["range"]["start"];
            (start["line"].as_u64().unwrap(), start["character"].as_u64().unwrap())
        })
        .collect()
}

#[test]
fn definition_from_each_reference_kind() {
    let mut client = started();
    client.open(CONFIG);
    // `log ring@r1`, `sink r1`, `debug(pfx,r1)`: each leads to `ring r1` on line 4.
    for (line, character) in [(1, 14), (3, 19), (8, 50)] {
        let result = client.at("textDocument/definition", line, character);
        assert_eq!(ranges(&result), [(4, 5)], "from {line}:{character}");
    }
    client.shut_down();
}

#[test]
fn definition_of_undefined_ring_is_null() {
    let mut client = started();
    client.open(CONFIG);
    assert!(client.at("textDocument/definition", 9, 16).is_null());
    client.shut_down();
}

#[test]
fn references_from_ring_name() {
    let mut client = started();
    client.open(CONFIG);
    let result = client.at("textDocument/references", 4, 6);
    assert_eq!(ranges(&result), [(4, 5), (1, 13), (3, 18), (8, 49)]);
    client.shut_down();
}

#[test]
fn completion_offers_ring_names() {
    let mut client = started();
    let text = format!("{CONFIG}ring other\nbackend be\n    log ring@\n");
    client.open(&text);
    let line = text.lines().count() as u32 - 1;
    let result = client.at("textDocument/completion", line, 13);
    let labels: Vec<&str> =
        result.as_array().unwrap().iter().map(|item| item["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["other", "r1"]);
    client.shut_down();
}

#[test]
fn completion_offers_names_after_sink() {
    let mut client = started();
    let text = format!("{CONFIG}traces\n    trace h2 sink \n");
    client.open(&text);
    let line = text.lines().count() as u32 - 1;
    let result = client.at("textDocument/completion", line, 18);
    let labels: Vec<&str> =
        result.as_array().unwrap().iter().map(|item| item["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["r1"]);
    client.shut_down();
}

#[test]
fn burst_of_changes_ends_on_latest() {
    let client = started();
    client.open(CONFIG);
    let fixed = CONFIG.replace("ring@nosuch", "ring@r1").replace("    size 65536\n", "");
    let texts = [CONFIG.to_owned(), CONFIG.replace("ring@r1", "ring@r2"), fixed];
    for (version, text) in (2..).zip(&texts) {
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": URI, "version": version },
                "contentChanges": [{ "text": text }],
            }),
        );
    }

    // The server may skip superseded versions, but the last one it publishes is the latest.
    let mut published = Vec::new();
    loop {
        let params = client.diagnostics();
        let version = params["version"].as_i64().unwrap();
        published.push(version);
        if version == 4 {
            assert_eq!(codes_and_lines(&params), []);
            break;
        }
    }
    assert!(published.windows(2).all(|pair| pair[0] < pair[1]), "{published:?}");
    client.shut_down();
}

/// Writes a configuration split like a packaged one: `haproxy.cfg` logs to a ring
/// that `conf.d/20-rings.cfg` defines.
fn split_configuration() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::create_dir(dir.path().join("conf.d")).expect("create conf.d");
    std::fs::write(dir.path().join("haproxy.cfg"), GLOBAL).expect("write haproxy.cfg");
    std::fs::write(dir.path().join("conf.d/20-rings.cfg"), RINGS).expect("write the rings");
    dir
}

const GLOBAL: &str = "global\n    log ring@logs local0\n";
const RINGS: &str = "ring logs\n    format rfc5424\n";

fn file_uri(path: &std::path::Path) -> String {
    format!("file://{}", path.display())
}

#[test]
fn config_paths_resolve_rings_across_files() {
    let dir = split_configuration();
    let main = dir.path().join("haproxy.cfg");
    let (alone, _) = Client::start(json!({}));
    let diagnostics = alone.open_uri(&file_uri(&main), GLOBAL);
    assert_eq!(codes_and_lines(&diagnostics), code_pairs(&[("X001", 1)]));
    alone.shut_down();

    let options = json!({ "configPaths": [main, dir.path().join("conf.d")] });
    let (client, _) =
        Client::start_with(json!({ "capabilities": {}, "initializationOptions": options }));
    let diagnostics = client.open_uri(&file_uri(&main), GLOBAL);
    assert_eq!(codes_and_lines(&diagnostics), code_pairs(&[]));
    client.shut_down();
}

#[test]
fn config_paths_use_open_documents() {
    let dir = split_configuration();
    let main = dir.path().join("haproxy.cfg");
    let rings = dir.path().join("conf.d/20-rings.cfg");
    let options = json!({ "configPaths": [main, dir.path().join("conf.d")] });
    let (client, _) =
        Client::start_with(json!({ "capabilities": {}, "initializationOptions": options }));
    client.open_uri(&file_uri(&main), GLOBAL);

    // Renaming the ring in the open, unsaved buffer breaks the reference,
    // and both open files get new diagnostics.
    let first = client.open_uri(&file_uri(&rings), "ring other\n    format rfc5424\n");
    let second = client.diagnostics();
    let by_uri = |uri: String| {
        [&first, &second].into_iter().find(|params| params["uri"] == uri.as_str()).cloned()
    };
    let main_diagnostics = by_uri(file_uri(&main)).expect("haproxy.cfg is published again");
    assert_eq!(codes_and_lines(&main_diagnostics), code_pairs(&[("X001", 1)]));
    let ring_diagnostics = by_uri(file_uri(&rings)).expect("the rings file is published");
    assert_eq!(codes_and_lines(&ring_diagnostics), code_pairs(&[]));
    client.shut_down();
}

#[test]
fn config_paths_navigate_across_files() {
    let dir = split_configuration();
    let main = dir.path().join("haproxy.cfg");
    let rings = dir.path().join("conf.d/20-rings.cfg");
    let options = json!({ "configPaths": [main, dir.path().join("conf.d")] });
    let (mut client, _) =
        Client::start_with(json!({ "capabilities": {}, "initializationOptions": options }));
    client.open_uri(&file_uri(&main), GLOBAL);

    // From `ring@logs` in haproxy.cfg to the section in the rings file, not open.
    let at_use = json!({
        "textDocument": { "uri": file_uri(&main) },
        "position": { "line": 1, "character": 15 },
    });
    let definition = client.request("textDocument/definition", at_use.clone());
    let targets = definition.result.expect("a definition");
    assert_eq!(targets[0]["uri"], file_uri(&rings).as_str());
    assert_eq!(targets[0]["range"]["start"], json!({ "line": 0, "character": 5 }));

    let mut with_declaration = at_use;
    with_declaration["context"] = json!({ "includeDeclaration": true });
    let references = client.request("textDocument/references", with_declaration);
    let uris: Vec<Value> = references
        .result
        .expect("references")
        .as_array()
        .unwrap()
        .iter()
        .map(|location| location["uri"].clone())
        .collect();
    assert_eq!(uris, [json!(file_uri(&main)), json!(file_uri(&rings))]);
    client.shut_down();
}
