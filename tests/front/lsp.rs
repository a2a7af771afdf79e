use serde_json::{Value, json};

use crate::lsp_client::{Client, URI};

const CONFIG: &str = "\
global
    log ring@r1 local0

ring r1
    size 32768
    format raw
    # ringcfg: ignore=U003
    backing-file /dev/shm/r1.bin
";

fn started() -> Client {
    let (client, _) = Client::start(json!({}));
    client
}

#[test]
fn initialize_announces_features() {
    let (client, result) = Client::start(json!({}));
    let capabilities = &result["capabilities"];
    assert_eq!(capabilities["positionEncoding"], "utf-16");
    assert_eq!(capabilities["textDocumentSync"]["change"], 1);
    assert_eq!(capabilities["hoverProvider"], true);
    assert_eq!(capabilities["definitionProvider"], true);
    assert_eq!(capabilities["referencesProvider"], true);
    assert!(capabilities["completionProvider"].is_object());
    assert_eq!(result["serverInfo"]["name"], "ringcfg");
    client.shut_down();
}

/// Hovers the code on a line where "é" (two UTF-8 bytes, one UTF-16 unit) comes first.
fn hover_start_after_accent(capabilities: Value, expected_encoding: &str) -> (u64, u64) {
    let line = "    description \"é\" # ringcfg: ignore=U001";
    let (mut client, result) = Client::start(capabilities);
    assert_eq!(result["capabilities"]["positionEncoding"], expected_encoding);
    client.open(&format!("ring r1\n{line}\n"));

    let bytes = line.find("U001").unwrap() as u32;
    let chars = line[..line.find("U001").unwrap()].chars().count() as u32;
    let column = if expected_encoding == "utf-8" { bytes } else { chars };
    let hover = client.at("textDocument/hover", 1, column + 1);
    let start = hover["range"]["start"]["character"].as_u64().expect("hover on the code");
    client.shut_down();
    (start, u64::from(bytes) - u64::from(chars))
}

#[test]
fn utf8_columns_when_offered() {
    let capabilities = json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } });
    let (start, _) = hover_start_after_accent(capabilities, "utf-8");
    let line = "    description \"é\" # ringcfg: ignore=U001";
    assert_eq!(start, line.find("U001").unwrap() as u64);
}

#[test]
fn utf16_columns_by_default() {
    let (start, difference) = hover_start_after_accent(json!({}), "utf-16");
    let line = "    description \"é\" # ringcfg: ignore=U001";
    assert_eq!(difference, 1);
    assert_eq!(start, line.find("U001").unwrap() as u64 - difference);
}

#[test]
fn open_publishes_versioned_diagnostics() {
    let client = started();
    let params = client.open(CONFIG);
    assert_eq!(params["uri"], URI);
    assert_eq!(params["version"], 1);
    assert!(params["diagnostics"].is_array());
    client.shut_down();
}

#[test]
fn change_and_close_republish() {
    let client = started();
    client.open(CONFIG);
    let changed = client.change(2, "ring r1\n    size 4k\n");
    assert_eq!(changed["version"], 2);

    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": URI } }));
    let closed = client.diagnostics();
    assert_eq!(closed["uri"], URI);
    assert_eq!(closed["diagnostics"], json!([]));
    client.shut_down();
}

#[test]
fn save_republishes() {
    let client = started();
    client.open(CONFIG);
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": URI }, "text": "ring r2\n" }),
    );
    let saved = client.diagnostics();
    assert_eq!(saved["uri"], URI);
    assert_eq!(saved["version"], 1);
    client.shut_down();
}

fn hover_markdown(hover: &Value) -> &str {
    assert_eq!(hover["contents"]["kind"], "markdown");
    hover["contents"]["value"].as_str().expect("hover text")
}

#[test]
fn hover_explains_ring_keyword() {
    let mut client = started();
    client.open(CONFIG);
    let hover = client.at("textDocument/hover", 7, 6);
    let text = hover_markdown(&hover);
    assert!(text.contains("backing-file <path>"), "{text}");
    assert!(text.contains("Since: HAProxy 2.7"), "{text}");
    assert_eq!(hover["range"]["start"], json!({ "line": 7, "character": 4 }));
    assert_eq!(hover["range"]["end"], json!({ "line": 7, "character": 16 }));

    let size = client.at("textDocument/hover", 4, 4);
    assert!(hover_markdown(&size).contains("Default: 16384 bytes"));
    client.shut_down();
}

#[test]
fn hover_ignores_keywords_outside_rings() {
    let mut client = started();
    client.open("global\n    size 4k\nring r1\n    size 4k\n");
    assert!(client.at("textDocument/hover", 1, 5).is_null());
    assert!(!client.at("textDocument/hover", 3, 5).is_null());
    client.shut_down();
}

#[test]
fn hover_explains_code_in_comment() {
    let mut client = started();
    client.open(CONFIG);
    let hover = client.at("textDocument/hover", 6, 24);
    let text = hover_markdown(&hover);
    assert!(text.starts_with("**U003** `invalid-suppression`"), "{text}");
    assert!(text.contains("**Fix:**"), "{text}");
    assert_eq!(hover["range"]["start"], json!({ "line": 6, "character": 22 }));
    client.shut_down();
}

fn labels(result: &Value) -> Vec<String> {
    result
        .as_array()
        .expect("completion array")
        .iter()
        .map(|item| item["label"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn completion_offers_ring_keywords() {
    let mut client = started();
    client.open("ring r1\n    si\n");
    let items = labels(&client.at("textDocument/completion", 1, 6));
    for keyword in ["size", "backing-file", "server", "timeout", "format", "maxlen", "description"]
    {
        assert!(items.iter().any(|item| item == keyword), "{keyword} missing from {items:?}");
    }
    client.shut_down();
}

#[test]
fn completion_offers_format_names() {
    let mut client = started();
    client.open("ring r1\n    format \n");
    let items = labels(&client.at("textDocument/completion", 1, 11));
    assert_eq!(items, ["local", "rfc3164", "rfc5424", "priority", "short", "timed", "iso", "raw"]);
    client.shut_down();
}

#[test]
fn completion_offers_timeout_kinds() {
    let mut client = started();
    client.open("ring r1\n    timeout c\n");
    let items = labels(&client.at("textDocument/completion", 1, 13));
    assert_eq!(items, ["connect", "server"]);
    client.shut_down();
}

#[test]
fn completion_is_empty_elsewhere() {
    let mut client = started();
    client.open("global\n    lo\nring r1 # si\n");
    assert!(labels(&client.at("textDocument/completion", 1, 6)).is_empty());
    assert!(labels(&client.at("textDocument/completion", 2, 12)).is_empty());
    client.shut_down();
}

#[test]
fn unknown_request_is_method_not_found() {
    let mut client = started();
    let response = client.request("textDocument/formatting", json!({}));
    assert_eq!(response.error.expect("an error").code, -32601);
    client.shut_down();
}

#[test]
fn position_in_unknown_document_is_null() {
    let mut client = started();
    assert!(client.at("textDocument/hover", 0, 0).is_null());
    assert!(client.at("textDocument/definition", 0, 0).is_null());
    client.shut_down();
}
