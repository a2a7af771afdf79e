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

const GLOBAL: &str = "global\n    log ring@logs local0\n";
const RINGS: &str = "ring logs\n    format rfc5424\n";

/// A configuration split like a packaged one: `haproxy.cfg` logs to a ring
/// that `conf.d/20-rings.cfg` defines.
struct Split {
    dir: tempfile::TempDir,
    main: String,
    rings: String,
}

impl Split {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        std::fs::create_dir(dir.path().join("conf.d")).expect("create conf.d");
        std::fs::write(dir.path().join("haproxy.cfg"), GLOBAL).expect("write haproxy.cfg");
        std::fs::write(dir.path().join("conf.d/20-rings.cfg"), RINGS).expect("write the rings");
        let main = format!("file://{}", dir.path().join("haproxy.cfg").display());
        let rings = format!("file://{}", dir.path().join("conf.d/20-rings.cfg").display());
        Self { dir, main, rings }
    }

    fn path(&self, relative: &str) -> std::path::PathBuf {
        self.dir.path().join(relative)
    }

    /// Starts a server whose `configPaths` are `haproxy.cfg`, `conf.d` and
    /// `more`, opens `haproxy.cfg`, and returns its first diagnostics.
    fn start(&self, more: &[&str]) -> (Client, Value) {
        let mut paths = vec![self.path("haproxy.cfg"), self.path("conf.d")];
        paths.extend(more.iter().map(|relative| self.path(relative)));
        let options = json!({ "configPaths": paths });
        let (client, _) =
            Client::start_with(json!({ "capabilities": {}, "initializationOptions": options }));
        let diagnostics = client.open_uri(&self.main, GLOBAL);
        (client, diagnostics)
    }
}

/// Returns the parameters published for `uri` among `published`.
fn published_for(uri: &str, published: &[&Value]) -> Value {
    let found = published.iter().find(|params| params["uri"] == uri);
    (*found.unwrap_or_else(|| panic!("{uri} is published"))).clone()
}

#[test]
fn config_paths_resolve_rings_across_files() {
    let split = Split::new();
    let (alone, _) = Client::start(json!({}));
    let diagnostics = alone.open_uri(&split.main, GLOBAL);
    assert_eq!(codes_and_lines(&diagnostics), code_pairs(&[("X001", 1)]));
    alone.shut_down();

    let (client, diagnostics) = split.start(&[]);
    assert_eq!(codes_and_lines(&diagnostics), code_pairs(&[]));
    client.shut_down();
}

#[test]
fn config_paths_use_open_documents() {
    let split = Split::new();
    let (client, _) = split.start(&[]);

    // Renaming the ring in the open, unsaved buffer breaks the reference,
    // and both open files get new diagnostics.
    let first = client.open_uri(&split.rings, "ring other\n    format rfc5424\n");
    let second = client.diagnostics();
    let main = published_for(&split.main, &[&first, &second]);
    assert_eq!(codes_and_lines(&main), code_pairs(&[("X001", 1)]));
    let rings = published_for(&split.rings, &[&first, &second]);
    assert_eq!(codes_and_lines(&rings), code_pairs(&[]));
    client.shut_down();
}

#[test]
fn config_paths_navigate_across_files() {
    let split = Split::new();
    let (mut client, _) = split.start(&[]);

    // From `ring@logs` in haproxy.cfg to the section in the rings file, not open.
    let at_use = json!({
        "textDocument": { "uri": split.main },
        "position": { "line": 1, "character": 15 },
    });
    let definition = client.request("textDocument/definition", at_use.clone());
    let targets = definition.result.expect("a definition");
    assert_eq!(targets[0]["uri"], split.rings.as_str());
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
    assert_eq!(uris, [json!(split.main), json!(split.rings)]);
    client.shut_down();
}

#[test]
fn closing_a_member_rechecks_the_others() {
    let split = Split::new();
    let (client, _) = split.start(&[]);
    client.open_uri(&split.rings, "ring other\n    format rfc5424\n");
    client.diagnostics();

    // The unsaved rename is dropped: the file on disk defines `logs` again.
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": split.rings } }));
    let cleared = client.diagnostics();
    assert_eq!(cleared["uri"], split.rings.as_str());
    let main_again = client.diagnostics();
    assert_eq!(main_again["uri"], split.main.as_str());
    assert_eq!(codes_and_lines(&main_again), code_pairs(&[]));
    client.shut_down();
}

#[test]
fn fifo_in_config_paths_is_not_opened() {
    let split = Split::new();
    let mkfifo =
        std::process::Command::new("mkfifo").arg(split.path("conf.d/30-pipe.cfg")).status();
    assert!(mkfifo.expect("mkfifo runs").success(), "mkfifo creates the FIFO");

    // Opening the FIFO would block until a writer came; the server skips it.
    let (client, diagnostics) = split.start(&["conf.d/30-pipe.cfg"]);
    assert_eq!(codes_and_lines(&diagnostics), code_pairs(&[]));
    client.shut_down();
}

#[test]
fn file_listed_twice_uses_the_new_text() {
    let split = Split::new();
    let (client, _) = split.start(&["conf.d/20-rings.cfg"]);

    // HAProxy loads the rings file twice, so `logs` is defined twice.
    let first = client.open_uri(&split.rings, RINGS);
    let second = client.diagnostics();
    let rings = published_for(&split.rings, &[&first, &second]);
    assert_eq!(codes_and_lines(&rings), code_pairs(&[("R003", 0)]));
    client.shut_down();
}
