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
//!   an older HAProxy than the newest, and `{"haproxyVv": PATH}`, the saved
//!   output of `haproxy -vv`, to check for that build, and
//!   `{"configPaths": [PATH, ...]}`, the paths HAProxy loads, to check those
//!   files together.

mod config_paths;
mod context;
mod document;
mod features;
mod keywords;
pub mod transport;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument, Exit,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    Completion, GotoDefinition, HoverRequest, Initialize, References, Request as _, Shutdown,
};
use lsp_types::{
    CompletionOptions, CompletionResponse, GotoDefinitionResponse, HoverProviderCapability,
    InitializeParams, InitializeResult, Location, OneOf, PublishDiagnosticsParams, ReferenceParams,
    SaveOptions, ServerCapabilities, ServerInfo, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};

pub use document::PositionEncoding;

use crate::check::{CheckOptions, CheckReport};
use crate::source::{FileId, SourceFile};
use crate::syntax::BuildInfo;
use crate::version::HaproxyVersion;
use config_paths::{ConfigPaths, same_file};
use document::{Document, Peer, display_name, file_uri};

/// Error that ends [`run`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// The `initialize` parameters could not be read.
    #[error("invalid initialize parameters: {0}")]
    Initialize(#[from] serde_json::Error),
    /// The client closed its end of the connection before `exit`.
    #[error("the client closed the connection")]
    Disconnected,
    /// The client sent `exit` before `initialize`.
    #[error("the client sent 'exit' before 'initialize'")]
    ExitBeforeInitialize,
    /// The client sent `exit` without `shutdown` first.
    #[error("the client sent 'exit' without 'shutdown' first")]
    ExitWithoutShutdown,
}

/// Message of the `ServerNotInitialized` error returned to a request sent before `initialize`.
pub const NOT_INITIALIZED: &str = "the server is not initialized: send 'initialize' first";

/// Message of the `InvalidRequest` error returned to a request sent after `shutdown`.
pub const SHUTTING_DOWN: &str = "the server is shutting down: send 'exit'";

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
    let (id, params) = wait_for_initialize(connection)?;
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
    // The `initialized` notification that follows needs no handling, so the
    // main loop ignores it like any unknown notification.
    send(connection, Response::new_ok(id, serde_json::to_value(result)?).into())?;

    let initialization = params.initialization_options.as_ref();
    let mut server = Server::new(encoding, check_options(initialization));
    server.config_paths = ConfigPaths::from_options(initialization);
    let mut queued: Option<Message> = None;
    loop {
        let message = match queued.take() {
            Some(message) => message,
            None => connection.receiver.recv().map_err(|_| ServerError::Disconnected)?,
        };
        match message {
            Message::Request(request) if request.method == Shutdown::METHOD => {
                send(connection, Response::new_ok(request.id, ()).into())?;
                return wait_for_exit(connection);
            }
            Message::Request(request) => {
                let response = server.handle_request(request);
                send(connection, response.into())?;
            }
            Message::Notification(notification) if notification.method == Exit::METHOD => {
                return Err(ServerError::ExitWithoutShutdown);
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

/// Waits for the `initialize` request and returns its id and parameters.
///
/// Other requests get `ServerNotInitialized` (-32002) and other
/// notifications are dropped, as the protocol requires.
fn wait_for_initialize(
    connection: &Connection,
) -> Result<(lsp_server::RequestId, serde_json::Value), ServerError> {
    loop {
        let message = connection.receiver.recv().map_err(|_| ServerError::Disconnected)?;
        match message {
            Message::Request(request) if request.method == Initialize::METHOD => {
                return Ok((request.id, request.params));
            }
            Message::Request(request) => {
                let code = ErrorCode::ServerNotInitialized as i32;
                let response = Response::new_err(request.id, code, NOT_INITIALIZED.to_owned());
                send(connection, response.into())?;
            }
            Message::Notification(notification) if notification.method == Exit::METHOD => {
                return Err(ServerError::ExitBeforeInitialize);
            }
            Message::Notification(_) | Message::Response(_) => {}
        }
    }
}

/// Waits for `exit` after `shutdown`.
///
/// Requests get `InvalidRequest` and notifications are dropped, as the
/// protocol requires of a server that is shutting down.
fn wait_for_exit(connection: &Connection) -> Result<(), ServerError> {
    loop {
        let message = connection.receiver.recv().map_err(|_| ServerError::Disconnected)?;
        match message {
            Message::Notification(notification) if notification.method == Exit::METHOD => {
                return Ok(());
            }
            Message::Request(request) => {
                let code = ErrorCode::InvalidRequest as i32;
                let response = Response::new_err(request.id, code, SHUTTING_DOWN.to_owned());
                send(connection, response.into())?;
            }
            Message::Notification(_) | Message::Response(_) => {}
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

/// Reads `{"haproxyVersion": "3.1", "haproxyVv": "/path/to/haproxy-vv.txt"}`.
///
/// The file contains the output of `haproxy -vv`, whose feature list and TLS
/// library are then used, and whose version is used unless `haproxyVersion`
/// is given. A relative path is taken from the server's working directory.
/// Anything missing or unusable keeps the defaults, with a log line saying
/// why.
fn check_options(initialization: Option<&serde_json::Value>) -> CheckOptions {
    let mut options = CheckOptions::default();
    let option = |name| initialization.and_then(|value| value.get(name))?.as_str();
    let mut version =
        option("haproxyVersion").and_then(|text| parse_version(text, "haproxyVersion"));
    match initialization.and_then(|value| value.get("haproxyVv")) {
        Some(serde_json::Value::String(path)) => match BuildInfo::read_file(Path::new(path)) {
            Ok(build) => {
                if build.lacks_tls_library() {
                    log::warn!("haproxyVv '{path}' lists +OPENSSL but names no TLS library");
                }
                build.apply(&mut options.read);
                if let (None, Some(text)) = (version, &build.version) {
                    version = parse_version(text, path);
                    options.read.build_version = version.map(|_| text.clone());
                }
            }
            Err(error) => {
                log::warn!("cannot use haproxyVv '{path}': {error}; using the default build");
            }
        },
        Some(other) => log::warn!("haproxyVv must be a path, not {other}; using the default build"),
        None => {}
    }
    if let Some(version) = version {
        options.read.version = version;
    }
    options
}

/// Parses a HAProxy version given by `source`, logging why it cannot be used.
fn parse_version(text: &str, source: &str) -> Option<HaproxyVersion> {
    text.parse()
        .inspect_err(|error| {
            log::warn!("{source}: {error}; using HAProxy {}", HaproxyVersion::NEWEST)
        })
        .ok()
}

/// The state of one session: the open documents.
struct Server {
    encoding: PositionEncoding,
    options: CheckOptions,
    /// The files checked together, from the `configPaths` option.
    config_paths: ConfigPaths,
    /// Files of `configPaths` already reported as unreadable, so that each
    /// edit does not log them again.
    unreadable: HashSet<PathBuf>,
    documents: HashMap<String, Document>,
}

impl Server {
    fn new(encoding: PositionEncoding, options: CheckOptions) -> Self {
        Self {
            encoding,
            options,
            config_paths: ConfigPaths::default(),
            unreadable: HashSet::new(),
            documents: HashMap::new(),
        }
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
                let closed = self.documents.remove(uri.as_str());
                let mut notifications = self.recheck_configuration(closed);
                let cleared = PublishDiagnosticsParams::new(uri, Vec::new(), None);
                notifications.insert(0, publish_notification(cleared));
                notifications
            }
            _ => Vec::new(),
        }
    }

    /// Checks the new text of `uri` and returns the diagnostics
    /// notifications: its own, and those of the other open files of its
    /// configuration when `configPaths` lists it.
    fn update(&mut self, uri: Uri, version: i32, text: String) -> Vec<Notification> {
        let path = PathBuf::from(display_name(&uri));
        if let Some((files, own)) = self.config_paths.files_with(&path) {
            let source = SourceFile::new(files[own].display().to_string(), text.into_bytes());
            return self.update_together(uri, version, source, &files, own);
        }
        let document = Document::new(uri, version, text, &self.options);
        vec![self.keep(document)]
    }

    /// Re-checks the other open files of the configuration of a document
    /// just closed: their results used its buffer, which the file on disk
    /// now replaces.
    fn recheck_configuration(&mut self, closed: Option<Document>) -> Vec<Notification> {
        let Some(closed) = closed else { return Vec::new() };
        let path = PathBuf::from(display_name(&closed.uri));
        let Some((files, _)) = self.config_paths.files_with(&path) else { return Vec::new() };
        let member = files.iter().enumerate().find_map(|(index, file)| {
            let document = self.open_document(file, None)?;
            Some((index, document.uri.clone(), document.version, document.source.clone()))
        });
        match member {
            Some((own, uri, version, source)) => {
                self.update_together(uri, version, source, &files, own)
            }
            None => Vec::new(),
        }
    }

    /// Checks `files` together, with `source` as the file at index `own`
    /// (wherever that file is listed) and open documents in place of their
    /// files, and updates every open one.
    fn update_together(
        &mut self,
        uri: Uri,
        version: i32,
        source: SourceFile,
        files: &[PathBuf],
        own: usize,
    ) -> Vec<Notification> {
        let mut sources = Vec::with_capacity(files.len());
        let mut uris = Vec::with_capacity(files.len());
        let mut open = Vec::new();
        let mut copies = Vec::new();
        let mut own_file = 0;
        for (index, file) in files.iter().enumerate() {
            if index == own {
                own_file = sources.len();
                open.push((sources.len(), uri.clone(), version));
                uris.push(Some(uri.clone()));
                sources.push(source.clone());
            } else if same_file(file, &files[own]) {
                // Listed twice, as HAProxy would load it twice: the new text
                // both times, and the findings of both in one document.
                copies.push(sources.len());
                uris.push(None);
                sources.push(source.clone());
            } else if let Some(document) = self.open_document(file, Some(&uri)) {
                // A file listed twice is published and navigated to once.
                let first = !open.iter().any(|(_, other, _)| *other == document.uri);
                if first {
                    open.push((sources.len(), document.uri.clone(), document.version));
                }
                uris.push(first.then(|| document.uri.clone()));
                sources.push(document.source.clone());
            } else if let Some(member) = self.read_member(file) {
                uris.push(file_uri(&std::path::absolute(file).unwrap_or_default()));
                sources.push(member);
            }
        }

        let report = crate::check::check(&sources, &self.options);
        let mut notifications = Vec::with_capacity(open.len());
        for (file, uri, version) in open {
            let mut document =
                Document::from_report(uri, version, sources[file].clone(), file, &report);
            document.peers = peers(&sources, &uris, file, &report);
            if file == own_file {
                let copied = report.diagnostics.iter().filter(|diag| copies.contains(&diag.file));
                document.diagnostics.extend(copied.cloned());
            }
            notifications.push(self.keep(document));
        }
        notifications
    }

    /// Reads a file of `configPaths` that no document has open. FIFOs and
    /// devices are skipped unopened, since opening a FIFO may block the
    /// server for good. What cannot be read is logged once per path.
    fn read_member(&mut self, file: &Path) -> Option<SourceFile> {
        SourceFile::read(file)
            .inspect_err(|error| {
                if self.unreadable.insert(file.to_owned()) {
                    log::warn!("cannot read '{}' of configPaths: {error}", file.display());
                }
            })
            .ok()
    }

    /// Returns the open document of `file`, if any, other than `except`.
    fn open_document(&self, file: &Path, except: Option<&Uri>) -> Option<&Document> {
        self.documents
            .values()
            .filter(|document| Some(&document.uri) != except)
            .find(|document| same_file(Path::new(&display_name(&document.uri)), file))
    }

    /// Stores `document` and returns the notification of its diagnostics.
    fn keep(&mut self, document: Document) -> Notification {
        let params = features::publish(&document, self.encoding);
        self.documents.insert(document.uri.as_str().to_owned(), document);
        publish_notification(params)
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
            .map(|(doc, offset)| {
                let mut locations = self.locations(doc, features::definition(doc, offset));
                locations
                    .extend(self.peer_locations(features::peer_places(doc, offset, true, false)));
                locations
            })
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
                let mut locations =
                    self.locations(doc, features::references(doc, offset, include_declaration));
                let places = features::peer_places(doc, offset, include_declaration, true);
                locations.extend(self.peer_locations(places));
                locations
            })
            .unwrap_or_default();
        to_value(locations)
    }

    fn peer_locations(&self, places: Vec<(&Peer, crate::source::Span)>) -> Vec<Location> {
        places
            .into_iter()
            .map(|(peer, span)| {
                Location::new(peer.uri.clone(), self.encoding.range(&peer.source, span))
            })
            .collect()
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

/// Returns every file of `sources` but `own` that has a URI, with its symbols.
fn peers(
    sources: &[SourceFile],
    uris: &[Option<Uri>],
    own: FileId,
    report: &CheckReport,
) -> Vec<Peer> {
    let files = sources.iter().zip(uris).enumerate();
    files
        .filter(|(file, _)| *file != own)
        .filter_map(|(file, (source, uri))| {
            Some(Peer::new(uri.clone()?, source.clone(), file, report))
        })
        .collect()
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

    fn initialized_connection() -> (Connection, std::thread::JoinHandle<Result<(), ServerError>>) {
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || run(&server));
        let initialize =
            Request::new(1.into(), "initialize".to_owned(), json!({ "capabilities": {} }));
        client.sender.send(initialize.into()).unwrap();
        assert!(matches!(client.receiver.recv(), Ok(Message::Response(_))));
        (client, thread)
    }

    fn notify(client: &Connection, method: &str) {
        client.sender.send(Notification::new(method.to_owned(), ()).into()).unwrap();
    }

    #[test]
    fn initialization_options_set_the_build() {
        let vv = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/haproxy-3.0-vv.txt");
        let options = check_options(Some(&json!({ "haproxyVv": vv })));
        assert_eq!(options.read.version, HaproxyVersion::new(3, 0));
        assert_eq!(options.read.build_version.as_deref(), Some("3.0.5-1ppa1~noble"));
        assert!(options.read.features.contains("+OPENSSL"));
        assert_eq!(options.read.tls.map(|tls| tls.version).as_deref(), Some("3.0.13"));

        let options = check_options(Some(&json!({ "haproxyVv": vv, "haproxyVersion": "3.2" })));
        assert_eq!(options.read.version, HaproxyVersion::new(3, 2));
    }

    #[test]
    fn fifo_as_haproxy_vv_is_not_opened() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let fifo = dir.path().join("vv");
        let mkfifo = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(mkfifo.expect("mkfifo runs").success(), "mkfifo creates the FIFO");

        // Opening a FIFO with no writer would block the server for good.
        let options = check_options(Some(&json!({ "haproxyVv": fifo })));
        assert_eq!(options.read.tls, None);
        assert_eq!(options.read.version, HaproxyVersion::NEWEST);
    }

    #[test]
    fn unusable_initialization_options_keep_defaults() {
        let missing =
            json!({ "haproxyVv": "/nonexistent/haproxy-vv.txt", "haproxyVersion": "1.8" });
        let options = check_options(Some(&missing));
        assert_eq!(options.read.version, HaproxyVersion::NEWEST);
        assert_eq!(options.read.tls, None);
        assert_eq!(options.read.features, crate::syntax::DEFAULT_FEATURES);
    }

    #[test]
    fn request_after_shutdown_is_invalid() {
        let (client, thread) = initialized_connection();
        client.sender.send(Request::new(2.into(), "shutdown".to_owned(), ()).into()).unwrap();
        assert!(matches!(client.receiver.recv(), Ok(Message::Response(_))));

        let hover = Request::new(3.into(), HoverRequest::METHOD.to_owned(), json!({}));
        client.sender.send(hover.into()).unwrap();
        let Ok(Message::Response(response)) = client.receiver.recv() else { panic!("a response") };
        let error = response.error.expect("an error response");
        assert_eq!(error.code, ErrorCode::InvalidRequest as i32);
        assert_eq!(error.message, SHUTTING_DOWN);

        notify(&client, "exit");
        assert!(thread.join().unwrap().is_ok());
    }

    #[test]
    fn exit_without_shutdown_is_an_error() {
        let (client, thread) = initialized_connection();
        notify(&client, "initialized");
        notify(&client, "exit");
        let error = thread.join().unwrap().unwrap_err();
        assert!(matches!(error, ServerError::ExitWithoutShutdown), "{error}");
    }

    #[test]
    fn exit_before_initialize_is_an_error() {
        let (server, client) = Connection::memory();
        let thread = std::thread::spawn(move || run(&server));
        notify(&client, "exit");
        let error = thread.join().unwrap().unwrap_err();
        assert!(matches!(error, ServerError::ExitBeforeInitialize), "{error}");
    }
}
