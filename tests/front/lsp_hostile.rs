use std::io::{Read, Write};
use std::process::{Child, ExitStatus};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::lsp_stdio::start_server;

/// How long the server may take to reject hostile input.
const TIMEOUT: Duration = Duration::from_secs(10);

/// How the server ended: its exit status and what it wrote to standard error.
struct Outcome {
    status: ExitStatus,
    stderr: String,
}

/// Writes `input` to a new server, keeps its standard input open, and waits for it to exit.
///
/// Nothing reads the server's standard output, so the input may draw at most
/// a few responses, which fit in the pipe buffer.
///
/// Keeping the input open means the server must stop on the input itself,
/// not on the end of the stream.
fn run_with_open_input(input: Vec<u8>) -> Outcome {
    let mut child = start_server();
    let mut stdin = child.stdin.take().unwrap();
    let writer = thread::spawn(move || {
        // The server may exit before it reads everything, which breaks the pipe.
        let _ = stdin.write_all(&input);
        let _ = stdin.flush();
        stdin
    });

    let status = wait_with_timeout(&mut child);
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).expect("read stderr");
    drop(writer.join().expect("writer thread"));
    Outcome { status, stderr }
}

/// Waits for `child` to exit, or kills it and fails after [`TIMEOUT`].
fn wait_with_timeout(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        if let Some(status) = child.try_wait().expect("poll the server") {
            return status;
        }
        if Instant::now() > deadline {
            child.kill().expect("kill the server");
            child.wait().expect("reap the server");
            panic!("ringcfg lsp still runs {TIMEOUT:?} after hostile input");
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn framed(body: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

fn assert_rejected(input: Vec<u8>, message: &str) {
    assert_ends_with(input, 2, message);
}

/// Runs the server on `input` and checks its exit status and the message
/// on standard error.
fn assert_ends_with(input: Vec<u8>, status: i32, message: &str) {
    let outcome = run_with_open_input(input);
    assert_eq!(outcome.status.code(), Some(status), "stderr: {}", outcome.stderr);
    assert!(outcome.stderr.contains(message), "expected {message:?} in stderr: {}", outcome.stderr);
    assert!(!outcome.stderr.contains("disconnected"), "stderr: {}", outcome.stderr);
}

#[test]
fn huge_content_length_exits_before_body() {
    // No body follows and the input stays open: a server that tried to read
    // or allocate the announced 4 GB would still be waiting.
    assert_rejected(
        b"Content-Length: 4000000000\r\n\r\n{}".to_vec(),
        "invalid LSP header: Content-Length 4000000000 exceeds the 64 MiB limit",
    );
}

#[test]
fn endless_header_line_is_rejected() {
    assert_rejected(
        vec![0; 4 * 1024 * 1024],
        "invalid LSP header: a header line is longer than 1024 bytes",
    );
}

#[test]
fn endless_header_lines_are_rejected() {
    assert_rejected(b"X-Padding: 1\r\n".repeat(100_000), "more than 16 header lines");
}

#[test]
fn negative_content_length_is_rejected() {
    assert_rejected(
        b"Content-Length: -5\r\n\r\n{}".to_vec(),
        r#"invalid LSP header: Content-Length "-5" is not a non-negative decimal integer"#,
    );
}

#[test]
fn unframed_json_is_rejected() {
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#;
    assert_rejected(format!("{body}\r\n").into_bytes(), "is not of the form 'Name: value'");
}

#[test]
fn invalid_json_is_rejected() {
    assert_rejected(framed("{not json}"), "invalid JSON in an LSP message body");
}

#[test]
fn json_array_is_rejected() {
    let batch = r#"[{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}]"#;
    assert_rejected(framed(batch), "invalid LSP message: a JSON array");
}

#[test]
fn non_message_object_is_rejected() {
    assert_rejected(framed("{}"), "invalid LSP message");
}

#[test]
fn exit_without_shutdown_is_named() {
    let initialize = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize", "params": { "capabilities": {} }
    });
    let mut input = framed(&initialize.to_string());
    input.extend(framed(r#"{"jsonrpc":"2.0","method":"exit"}"#));
    // The protocol specifies status 1 for this case.
    assert_ends_with(input, 1, "the client sent 'exit' without 'shutdown' first");
}

#[test]
fn exit_before_initialize_is_named() {
    let input = framed(r#"{"jsonrpc":"2.0","method":"exit"}"#);
    assert_ends_with(input, 1, "the client sent 'exit' before 'initialize'");
}

#[test]
fn truncated_body_is_rejected() {
    let mut child = start_server();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"Content-Length: 100\r\n\r\n{\"jsonrpc\"").expect("write to the server");
    drop(stdin);

    let status = wait_with_timeout(&mut child);
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).expect("read stderr");
    assert_eq!(status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("the input ended after 10 of the 100 bytes"), "stderr: {stderr}");
}

#[test]
fn request_before_initialize_gets_plain_error() {
    let mut child = start_server();
    let mut stdin = child.stdin.take().unwrap();
    let hover = json!({
        "jsonrpc": "2.0", "id": 1, "method": "textDocument/hover",
        "params": { "textDocument": { "uri": "file:///a.cfg" },
                    "position": { "line": 0, "character": 0 } }
    });
    stdin.write_all(&framed(&hover.to_string())).expect("write to the server");
    drop(stdin);

    let status = wait_with_timeout(&mut child);
    let mut stdout = String::new();
    child.stdout.take().unwrap().read_to_string(&mut stdout).expect("read stdout");
    let (_, body) = stdout.split_once("\r\n\r\n").expect("a framed response");
    let response: Value = serde_json::from_str(body).expect("one JSON response");
    assert_eq!(response["id"], 1);
    assert_eq!(response["error"]["code"], -32002);
    assert_eq!(
        response["error"]["message"],
        "the server is not initialized: send 'initialize' first"
    );
    // The client closed the input without `exit`, which is an error.
    assert_eq!(status.code(), Some(2));
}
