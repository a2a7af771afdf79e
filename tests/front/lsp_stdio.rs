use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::ringcfg_bin;

fn send(stdin: &mut ChildStdin, message: &Value) {
    let body = message.to_string();
    write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write to the server");
    stdin.flush().expect("flush");
}

/// Reads Content-Length framed messages until the stream ends.
fn read_messages(stdout: impl Read, sink: mpsc::Sender<Value>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut length = None;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 {
                return;
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.strip_prefix("Content-Length: ") {
                length = value.parse::<usize>().ok();
            }
        }
        let mut body = vec![0; length.expect("a Content-Length header")];
        reader.read_exact(&mut body).expect("a whole message body");
        if sink.send(serde_json::from_slice(&body).expect("JSON body")).is_err() {
            return;
        }
    }
}

/// Starts `ringcfg lsp` with all three standard streams piped.
pub(crate) fn start_server() -> Child {
    Command::new(ringcfg_bin())
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start ringcfg lsp")
}

#[test]
fn binary_serves_over_stdio() {
    let mut child = start_server();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (sender, messages) = mpsc::channel();
    let reader = std::thread::spawn(move || read_messages(stdout, sender));
    let next = || messages.recv_timeout(Duration::from_secs(10)).expect("a message in time");

    send(
        &mut stdin,
        &json!({
            "jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": { "processId": null, "rootUri": null, "capabilities": {} }
        }),
    );
    let initialized = next();
    assert_eq!(initialized["id"], 1);
    assert_eq!(initialized["result"]["capabilities"]["positionEncoding"], "utf-16");

    send(&mut stdin, &json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
    let uri = "file:///tmp/ringcfg-stdio/haproxy.cfg";
    send(
        &mut stdin,
        &json!({
            "jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": { "textDocument": {
                "uri": uri, "languageId": "haproxy", "version": 7,
                "text": "ring r1\n    size 4k # ringcfg: ignore=nonsense\n"
            }}
        }),
    );
    let published = next();
    assert_eq!(published["method"], "textDocument/publishDiagnostics");
    assert_eq!(published["params"]["uri"], uri);
    assert_eq!(published["params"]["version"], 7);
    let diagnostic = &published["params"]["diagnostics"][0];
    assert_eq!(diagnostic["code"], "U002");
    assert_eq!(diagnostic["range"]["start"], json!({ "line": 1, "character": 30 }));

    send(&mut stdin, &json!({ "jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null }));
    let shutdown = next();
    assert_eq!(shutdown["id"], 2);
    assert!(shutdown["error"].is_null());
    send(&mut stdin, &json!({ "jsonrpc": "2.0", "method": "exit", "params": null }));
    drop(stdin);

    let output = child.wait_with_output().expect("the server exits");
    reader.join().expect("reader thread");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}
