//! A scripted LSP client over an in-memory connection to the server thread.

use std::thread::JoinHandle;
use std::time::Duration;

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

/// How long a test waits for one message before failing.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The URI tests open documents under.
pub(crate) const URI: &str = "file:///tmp/ringcfg-test/haproxy.cfg";

pub(crate) struct Client {
    connection: Connection,
    server: Option<JoinHandle<Result<(), ringcfg::lsp::ServerError>>>,
    next_id: i32,
}

impl Client {
    /// Starts a server and initializes it with `capabilities`.
    pub(crate) fn start(capabilities: Value) -> (Self, Value) {
        Self::start_with(json!({ "capabilities": capabilities }))
    }

    /// Starts a server and initializes it with the parameters `initialize`.
    pub(crate) fn start_with(initialize: Value) -> (Self, Value) {
        let (server, connection) = Connection::memory();
        let thread = std::thread::spawn(move || ringcfg::lsp::run(&server));
        let mut client = Self { connection, server: Some(thread), next_id: 0 };
        let result = client.request("initialize", initialize);
        client.notify("initialized", json!({}));
        (client, result.result.expect("initialize succeeds"))
    }

    pub(crate) fn notify(&self, method: &str, params: Value) {
        let notification = Notification::new(method.to_owned(), params);
        self.connection.sender.send(notification.into()).expect("server is running");
    }

    /// Sends a request and returns its response, skipping notifications.
    pub(crate) fn request(&mut self, method: &str, params: Value) -> Response {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let request = Request::new(id.clone(), method.to_owned(), params);
        self.connection.sender.send(request.into()).expect("server is running");
        loop {
            match self.receive() {
                Message::Response(response) if response.id == id => return response,
                _ => continue,
            }
        }
    }

    /// Sends a position request on [`URI`] and returns its result.
    pub(crate) fn at(&mut self, method: &str, line: u32, character: u32) -> Value {
        let mut params = json!({
            "textDocument": { "uri": URI },
            "position": { "line": line, "character": character },
        });
        if method == "textDocument/references" {
            params["context"] = json!({ "includeDeclaration": true });
        }
        let response = self.request(method, params);
        assert!(response.error.is_none(), "{method} failed: {:?}", response.error);
        response.result.unwrap_or(Value::Null)
    }

    /// Waits for the next `publishDiagnostics` notification and returns its parameters.
    pub(crate) fn diagnostics(&self) -> Value {
        loop {
            if let Message::Notification(notification) = self.receive() {
                if notification.method == "textDocument/publishDiagnostics" {
                    return notification.params;
                }
            }
        }
    }

    pub(crate) fn open(&self, text: &str) -> Value {
        self.open_uri(URI, text)
    }

    /// Opens the document `uri` and returns its first diagnostics.
    pub(crate) fn open_uri(&self, uri: &str, text: &str) -> Value {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri, "languageId": "haproxy", "version": 1, "text": text
            }}),
        );
        self.diagnostics()
    }

    pub(crate) fn change(&self, version: i32, text: &str) -> Value {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": URI, "version": version },
                "contentChanges": [{ "text": text }],
            }),
        );
        self.diagnostics()
    }

    fn receive(&self) -> Message {
        self.connection.receiver.recv_timeout(TIMEOUT).expect("server answers in time")
    }

    /// Sends `shutdown` and `exit` and checks that the server ended cleanly.
    pub(crate) fn shut_down(mut self) {
        let response = self.request("shutdown", Value::Null);
        assert!(response.error.is_none());
        self.notify("exit", Value::Null);
        let server = self.server.take().expect("server thread");
        server.join().expect("server does not panic").expect("server ends cleanly");
    }
}

/// Returns `(code, 0-based line)` of every diagnostic in `publishDiagnostics` parameters.
pub(crate) fn codes_and_lines(params: &Value) -> Vec<(String, u64)> {
    let diagnostics = params["diagnostics"].as_array().expect("diagnostics array");
    diagnostics
        .iter()
        .map(|diag| {
            let code = diag["code"].as_str().unwrap_or_default().to_owned();
            (code, diag["range"]["start"]["line"].as_u64().expect("a line"))
        })
        .collect()
}
