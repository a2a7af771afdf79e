//! The language server: diagnostics while typing, hover, completion and ring navigation.
//!
//! [`run`] serves one client over any [`lsp_server::Connection`]: standard
//! input and output for `ringcfg lsp`, or an in-memory pair in tests.
//!
//! - Documents are synchronized in full. Each open document is checked on its
//!   own, exactly like `ringcfg check FILE`, on open, change and save, and its
//!   diagnostics are cleared on close. When several changes of a document are
//!   already queued, only the latest is checked. A ring defined in another open document
//!   is therefore reported as undefined: combine the files into one, or rely on
//!   `ringcfg check a.cfg b.cfg` in CI for cross-file references.
//! - Positions are UTF-16 code units unless the client offers `utf-8` in
//!   `general.positionEncodings`.
//! - Hover explains ring keywords inside `ring` sections and diagnostic codes
//!   inside comments.
//! - Completion offers ring keywords, `timeout` kinds, format names after
//!   `format`, and ring names after `ring@` and `sink`.
//! - Definition and references link ring sections with the `log ring@NAME`,
//!   `trace ... sink NAME` and `debug(PREFIX,NAME)` that use them.
//! - `initializationOptions` may hold `{"haproxyVersion": "3.1"}` to check for
//!   an older HAProxy than the newest.

mod context;
mod document;
mod features;
mod keywords;

use std::collections::HashMap;

use lsp_server::{Connection, ErrorCode, Message, Notification, ProtocolError, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{Completion, GotoDefinition, HoverRequest, References, Request as _};
use lsp_types::{
    CompletionOptions, CompletionResponse, GotoDefinitionResponse, HoverProviderCapability,
    InitializeParams, InitializeResult, Location, OneOf, PublishDiagnosticsParams, ReferenceParams,
    SaveOptions, ServerCapabilities, ServerInfo, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};

pub use document::PositionEncoding;

use crate::check::CheckOptions;
use crate::version::HaproxyVersion;
use document::Document;

/// Error that ends [`run`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The client broke the protocol, for example by exiting without `shutdown`.
    #[error("language server protocol error: {0}")]
    Protocol(#[from] ProtocolError),
    /// The `initialize` parameters could not be read.
    #[error("invalid initialize parameters: {0}")]
    Initialize(#[from] serde_json::Error),
    /// The client closed its end of the connection before `exit`.
    #[error("the client closed the connection")]
    Disconnected,
}

/// Serves one client on `connection` until it sends `shutdown` and `exit`.
///
/// ```
/// use lsp_server::{Connection, Message, Notification, Request, RequestId};
///
/// let (server, client) = Connection::memory();
/// let thread = std::thread::spawn(move || ringcfg::lsp::run(&server));
///
/// let initialize = Request::new(RequestId::from(1), "initialize".into(), serde_json::json!({
///     "capabilities": {}
/// }));
/// client.sender.send(initialize.into()).unwrap();
/// let Message::Response(response) = client.receiver.recv().unwrap() else { panic!() };
/// assert!(response.result.unwrap()["capabilities"]["hoverProvider"].as_bool().unwrap());
///
/// client.sender.send(Notification::new("initialized".into(), serde_json::json!({})).into()).unwrap();
/// client.sender.send(Request::new(RequestId::from(2), "shutdown".into(), ()).into()).unwrap();
/// client.receiver.recv().unwrap();
/// client.sender.send(Notification::new("exit".into(), ()).into()).unwrap();
/// thread.join().unwrap().unwrap();
/// ```
pub fn run(connection: &Connection) -> Result<(), ServerError> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params)?;
    let encoding = PositionEncoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|general| general.position_encodings.as_deref()),
    );
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: env!("CARGO_PKG_NAME").to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;

    let mut server = Server::new(encoding, check_options(params.initialization_options.as_ref()));
    let mut queued: Option<Message> = None;
    loop {
        let message = match queued.take() {
            Some(message) => message,
            None => connection.receiver.recv().map_err(|_| ServerError::Disconnected)?,
        };
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                let response = server.handle_request(request);
                send(connection, response.into())?;
            }
            Message::Notification(notification) => {
                let (notification, next) = skip_superseded_changes(connection, notification);
                queued = next;
                for outgoing in server.handle_notification(notification) {
                    send(connection, outgoing.into())?;
                }
            }
            Message::Response(_) => {}
        }
    }
}

/// Replaces a `didChange` by the latest one of the same document already queued.
///
/// Changes carry the whole text, so a later one supersedes the earlier ones,
/// and checking only the last keeps a burst of keystrokes from queueing one
/// check each. Returns the notification to handle and the first queued
/// message that is not such a change.
fn skip_superseded_changes(
    connection: &Connection,
    notification: Notification,
) -> (Notification, Option<Message>) {
    if notification.method != DidChangeTextDocument::METHOD {
        return (notification, None);
    }
    let mut latest = notification;
    while let Ok(next) = connection.receiver.try_recv() {
        match next {
            Message::Notification(change)
                if change.method == DidChangeTextDocument::METHOD
                    && document_uri(&change) == document_uri(&latest) =>
            {
                latest = change;
            }
            other => return (latest, Some(other)),
        }
    }
    (latest, None)
}

fn document_uri(notification: &Notification) -> Option<&str> {
    notification.params.get("textDocument")?.get("uri")?.as_str()
}

fn send(connection: &Connection, message: Message) -> Result<(), ServerError> {
    connection.sender.send(message).map_err(|_| ServerError::Disconnected)
}

fn capabilities(encoding: PositionEncoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::FULL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                include_text: Some(true),
            })),
            ..TextDocumentSyncOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["@".to_owned(), " ".to_owned()]),
            ..CompletionOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

/// Reads `{"haproxyVersion": "3.1"}`; anything else keeps the defaults.
fn check_options(initialization: Option<&serde_json::Value>) -> CheckOptions {
    let mut options = CheckOptions::default();
    let version = initialization
        .and_then(|value| value.get("haproxyVersion"))
        .and_then(serde_json::Value::as_str)
        .and_then(|text| text.parse::<HaproxyVersion>().ok());
    if let Some(version) = version {
        options.read.version = version;
    }
    options
}

/// The state of one session: the open documents.
struct Server {
    encoding: PositionEncoding,
    options: CheckOptions,
    documents: HashMap<String, Document>,
}

impl Server {
    fn new(encoding: PositionEncoding, options: CheckOptions) -> Self {
        Self { encoding, options, documents: HashMap::new() }
    }

    fn handle_notification(&mut self, notification: Notification) -> Vec<Notification> {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                else {
                    return Vec::new();
                };
                let document = params.text_document;
                self.update(document.uri, document.version, document.text)
            }
            DidChangeTextDocument::METHOD => {
                let Ok(mut params) = notification
                    .extract::<lsp_types::DidChangeTextDocumentParams>(
                        DidChangeTextDocument::METHOD,
                    )
                else {
                    return Vec::new();
                };
                // Full synchronization: the last change contains the whole text.
                let Some(change) = params.content_changes.pop() else {
                    return Vec::new();
                };
                let document = params.text_document;
                self.update(document.uri, document.version, change.text)
            }
            DidSaveTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                else {
                    return Vec::new();
                };
                let uri = params.text_document.uri;
                let Some(version) = self.documents.get(uri.as_str()).map(|doc| doc.version) else {
                    return Vec::new();
                };
                match params.text {
                    Some(text) => self.update(uri, version, text),
                    None => self.republish(&uri),
                }
            }
            DidCloseTextDocument::METHOD => {
                let Ok(params) = notification
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                else {
                    return Vec::new();
                };
                let uri = params.text_document.uri;
                self.documents.remove(uri.as_str());
                vec![publish_notification(PublishDiagnosticsParams::new(uri, Vec::new(), None))]
            }
            _ => Vec::new(),
        }
    }

    /// Checks the new text of `uri` and returns its diagnostics notification.
    fn update(&mut self, uri: Uri, version: i32, text: String) -> Vec<Notification> {
        let document = Document::new(uri, version, text, &self.options);
        let params = features::publish(&document, self.encoding);
        self.documents.insert(document.uri.as_str().to_owned(), document);
        vec![publish_notification(params)]
    }

    fn republish(&self, uri: &Uri) -> Vec<Notification> {
        self.documents
            .get(uri.as_str())
            .map(|document| publish_notification(features::publish(document, self.encoding)))
            .into_iter()
            .collect()
    }

    fn handle_request(&self, request: Request) -> Response {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => self.hover(request),
            Completion::METHOD => self.completion(request),
            GotoDefinition::METHOD => self.definition(request),
            References::METHOD => self.references(request),
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("method not supported: {}", request.method),
                );
            }
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err(message) => Response::new_err(id, ErrorCode::InvalidParams as i32, message),
        }
    }

    /// Finds the document and byte offset of a position request.
    fn locate(&self, position: &TextDocumentPositionParams) -> Option<(&Document, usize)> {
        let document = self.documents.get(position.text_document.uri.as_str())?;
        let offset = self.encoding.offset(&document.source, position.position);
        Some((document, offset))
    }

    fn hover(&self, request: Request) -> Result<serde_json::Value, String> {
        let params: TextDocumentPositionParams = extract(request)?;
        let hover = self.locate(&params).and_then(|(doc, offset)| {
            let (span, mut hover) = features::hover(doc, offset)?;
            hover.range = Some(self.encoding.range(&doc.source, span));
            Some(hover)
        });
        to_value(hover)
    }

    fn completion(&self, request: Request) -> Result<serde_json::Value, String> {
        // Only the position matters, so a malformed `context` does not fail the request.
        let params: TextDocumentPositionParams = extract(request)?;
        let items = self
            .locate(&params)
            .map(|(doc, offset)| features::completion(doc, offset))
            .unwrap_or_default();
        to_value(CompletionResponse::Array(items))
    }

    fn definition(&self, request: Request) -> Result<serde_json::Value, String> {
        let params: TextDocumentPositionParams = extract(request)?;
        let locations = self
            .locate(&params)
            .map(|(doc, offset)| self.locations(doc, features::definition(doc, offset)))
            .unwrap_or_default();
        if locations.is_empty() {
            return Ok(serde_json::Value::Null);
        }
        to_value(GotoDefinitionResponse::Array(locations))
    }

    fn references(&self, request: Request) -> Result<serde_json::Value, String> {
        let params: ReferenceParams = extract(request)?;
        let include_declaration = params.context.include_declaration;
        let locations = self
            .locate(&params.text_document_position)
            .map(|(doc, offset)| {
                self.locations(doc, features::references(doc, offset, include_declaration))
            })
            .unwrap_or_default();
        to_value(locations)
    }

    fn locations(&self, document: &Document, spans: Vec<crate::source::Span>) -> Vec<Location> {
        spans
            .into_iter()
            .map(|span| {
                Location::new(document.uri.clone(), self.encoding.range(&document.source, span))
            })
            .collect()
    }
}

fn publish_notification(params: PublishDiagnosticsParams) -> Notification {
    Notification::new(PublishDiagnostics::METHOD.to_owned(), params)
}

fn extract<P: serde::de::DeserializeOwned>(request: Request) -> Result<P, String> {
    serde_json::from_value(request.params)
        .map_err(|error| format!("invalid parameters of {}: {error}", request.method))
}

fn to_value(value: impl serde::Serialize) -> Result<serde_json::Value, String> {
    serde_json::to_value(value).map_err(|error| error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(uri: &str, version: i32) -> Notification {
        Notification::new(
            DidChangeTextDocument::METHOD.to_owned(),
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "text": format!("# version {version}\n") }],
            }),
        )
    }

    fn version(notification: &Notification) -> i64 {
        notification.params["textDocument"]["version"].as_i64().unwrap()
    }

    #[test]
    fn queued_changes_collapse_to_latest() {
        let (server, client) = Connection::memory();
        for number in 3..=5 {
            client.sender.send(change("file:///a.cfg", number).into()).unwrap();
        }
        let (latest, next) = skip_superseded_changes(&server, change("file:///a.cfg", 2));
        assert_eq!(version(&latest), 5);
        assert!(next.is_none());
    }

    #[test]
    fn change_of_other_document_stops_collapse() {
        let (server, client) = Connection::memory();
        client.sender.send(change("file:///b.cfg", 3).into()).unwrap();
        client.sender.send(change("file:///a.cfg", 4).into()).unwrap();
        let (latest, next) = skip_superseded_changes(&server, change("file:///a.cfg", 2));
        assert_eq!(version(&latest), 2);
        let Some(Message::Notification(other)) = next else { panic!("the queued change") };
        assert_eq!(version(&other), 3);
        assert_eq!(document_uri(&other), Some("file:///b.cfg"));
    }

    #[test]
    fn other_notifications_pass_through() {
        let (server, client) = Connection::memory();
        client.sender.send(change("file:///a.cfg", 3).into()).unwrap();
        let open = Notification::new(DidOpenTextDocument::METHOD.to_owned(), json!({}));
        let (same, next) = skip_superseded_changes(&server, open);
        assert_eq!(same.method, DidOpenTextDocument::METHOD);
        assert!(next.is_none());
    }
}
