//! Content-Length framing over byte streams, with limits on what a client may send.
//!
//! `lsp_server::Connection::stdio` trusts its input: it allocates whatever
//! `Content-Length` announces and reads a header line until it finds a newline.
//! [`connect`] replaces it with a reader thread that caps header lines, header
//! count and body size, and stops at the first framing or JSON error. The
//! error is kept for [`IoThreads::input_error`], because the server itself
//! only receives a closed channel.
//!
//! A body that is framed correctly but is not JSON also ends the session. A
//! JSON-RPC parse error response needs `"id": null`, which
//! [`lsp_server::RequestId`] cannot represent, and a client that sends broken
//! JSON cannot be trusted to frame the next message correctly either.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::sync::mpsc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, Message};

/// Maximum size of a message body, in bytes.
///
/// Documents are synchronized in full, so one `didOpen` or `didChange` carries
/// a whole configuration file, JSON-escaped. 64 MiB leaves room for files far
/// larger than real HAProxy configurations while bounding what one message can
/// make the server allocate.
pub const MAX_BODY_LEN: u64 = 64 * 1024 * 1024;

/// Maximum length of one header line, CRLF included, in bytes.
///
/// LSP defines only `Content-Length` and `Content-Type`, whose lines are far
/// shorter than this.
pub const MAX_HEADER_LINE_LEN: usize = 1024;

/// Maximum number of header lines before the empty line that ends a header.
pub const MAX_HEADER_LINES: usize = 16;

/// Error that ends a session on the input or output stream.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// A header line is longer than [`MAX_HEADER_LINE_LEN`].
    #[error(
        "invalid LSP header: a header line is longer than {MAX_HEADER_LINE_LEN} bytes \
         (each header line must end with CRLF)"
    )]
    HeaderLineTooLong,
    /// A header has more than [`MAX_HEADER_LINES`] lines.
    #[error(
        "invalid LSP header: more than {MAX_HEADER_LINES} header lines \
         (an empty line must end the header)"
    )]
    TooManyHeaderLines,
    /// A header line ends with a bare LF instead of CRLF.
    #[error("invalid LSP header: line {0:?} does not end with CRLF")]
    MissingCarriageReturn(String),
    /// A header line is not `Name: value`.
    #[error("invalid LSP header: line {0:?} is not of the form 'Name: value'")]
    MalformedHeaderLine(String),
    /// The header ends without a `Content-Length`.
    #[error("invalid LSP header: no Content-Length")]
    MissingContentLength,
    /// `Content-Length` is not a decimal byte count.
    #[error("invalid LSP header: Content-Length {0:?} is not a non-negative decimal integer")]
    InvalidContentLength(String),
    /// `Content-Length` exceeds [`MAX_BODY_LEN`].
    #[error("invalid LSP header: Content-Length {0} exceeds the 64 MiB limit")]
    ContentLengthTooLarge(String),
    /// The input ended in the middle of a header.
    #[error("the input ended inside an LSP header")]
    TruncatedHeader,
    /// The input ended before the whole body arrived.
    #[error("the input ended after {received} of the {expected} bytes of an LSP message body")]
    TruncatedBody {
        /// The `Content-Length` of the message.
        expected: u64,
        /// The bytes that arrived.
        received: u64,
    },
    /// The body is not valid JSON.
    #[error("invalid JSON in an LSP message body: {0}")]
    InvalidJson(#[source] serde_json::Error),
    /// The body is a JSON array, which is a JSON-RPC batch.
    #[error(
        "invalid LSP message: a JSON array (a JSON-RPC batch), but LSP sends one object per message"
    )]
    Batch,
    /// The body is JSON but not a request, response or notification.
    #[error("invalid LSP message: {0} (expected a JSON-RPC request, response or notification)")]
    InvalidMessage(#[source] serde_json::Error),
    /// Reading the input failed.
    #[error("failed to read an LSP message: {0}")]
    Read(#[source] io::Error),
    /// The writer thread did not finish in time, because the client stopped reading.
    #[error("timed out after {0:?} writing LSP messages to a client that does not read them")]
    WriteTimedOut(Duration),
    /// Writing the output failed.
    #[error("failed to write an LSP message: {0}")]
    Write(#[source] io::Error),
}

/// The reader and writer threads behind a [`Connection`] from [`connect`].
#[derive(Debug)]
pub struct IoThreads {
    reader: JoinHandle<()>,
    writer: JoinHandle<Result<(), TransportError>>,
    input_error: mpsc::Receiver<TransportError>,
}

impl IoThreads {
    /// Takes the error that stopped the reader thread, if one did.
    ///
    /// The reader stores its error before it closes the channel, so a server
    /// whose channel closed finds the cause here.
    pub fn input_error(&self) -> Option<TransportError> {
        self.input_error.try_recv().ok()
    }

    /// Waits at most `timeout` for the writer thread to send what the dropped
    /// [`Connection`] queued.
    ///
    /// Unlike [`join`](Self::join), this never waits for input, so it suits a
    /// server that stopped on an error while the client may still be connected.
    /// The timeout covers a client that stopped reading, which blocks the writer.
    ///
    /// # Errors
    ///
    /// Returns the writer's error, or [`TransportError::WriteTimedOut`].
    pub fn join_writer(self, timeout: Duration) -> Result<(), TransportError> {
        let deadline = Instant::now() + timeout;
        while !self.writer.is_finished() {
            if Instant::now() >= deadline {
                return Err(TransportError::WriteTimedOut(timeout));
            }
            thread::sleep(Duration::from_millis(10));
        }
        join_writer(self.writer)
    }

    /// Waits for both threads after the [`Connection`] is dropped.
    ///
    /// The reader stops after an `exit` notification or at the end of the
    /// input, so call this only when one of them has happened, or it blocks.
    ///
    /// # Errors
    ///
    /// Returns the reader's error, else the writer's.
    pub fn join(self) -> Result<(), TransportError> {
        // A panic in these threads is a bug in this module, so pass it on.
        if let Err(panic) = self.reader.join() {
            std::panic::resume_unwind(panic);
        }
        if let Ok(error) = self.input_error.try_recv() {
            return Err(error);
        }
        join_writer(self.writer)
    }
}

fn join_writer(writer: JoinHandle<Result<(), TransportError>>) -> Result<(), TransportError> {
    match writer.join() {
        Ok(result) => result,
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// Creates a connection that reads framed messages from `input` and writes them to `output`.
///
/// ```
/// use lsp_server::Message;
///
/// let body = r#"{"jsonrpc":"2.0","method":"initialized"}"#;
/// let input = format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes();
/// let input = std::io::Cursor::new(input);
/// let (connection, threads) = ringcfg::lsp::transport::connect(input, std::io::sink());
/// let Message::Notification(notification) = connection.receiver.recv().unwrap() else { panic!() };
/// assert_eq!(notification.method, "initialized");
///
/// drop(connection);
/// threads.join().unwrap();
/// ```
pub fn connect<R, W>(input: R, output: W) -> (Connection, IoThreads)
where
    R: Read + Send + 'static,
    W: Write + Send + 'static,
{
    // Rendezvous channels, as in lsp-server 0.7, keep each message in a thread
    // rather than a queue, so a client that floods the server cannot grow memory.
    let (incoming_sender, incoming) = crossbeam_channel::bounded(0);
    let (outgoing, outgoing_receiver) = crossbeam_channel::bounded(0);
    let (error_sender, input_error) = mpsc::channel();

    let reader = thread::Builder::new()
        .name("lsp-reader".to_owned())
        .spawn(move || {
            if let Err(error) = forward_input(BufReader::new(input), &incoming_sender) {
                // The send fails only when the caller dropped IoThreads, and
                // then no one reads the error.
                let _ = error_sender.send(error);
            }
        })
        .expect("spawn the LSP reader thread");
    let writer = thread::Builder::new()
        .name("lsp-writer".to_owned())
        .spawn(move || write_output(output, &outgoing_receiver))
        .expect("spawn the LSP writer thread");

    let connection = Connection { sender: outgoing, receiver: incoming };
    (connection, IoThreads { reader, writer, input_error })
}

/// Creates a connection on standard input and output.
pub fn stdio() -> (Connection, IoThreads) {
    connect(io::stdin(), io::stdout())
}

/// Sends each message of `input` to `sender` until `exit`, the end of the input or an error.
fn forward_input(mut input: impl BufRead, sender: &Sender<Message>) -> Result<(), TransportError> {
    while let Some(message) = read_message(&mut input)? {
        let is_exit = matches!(&message, Message::Notification(n) if n.method == "exit");
        if sender.send(message).is_err() || is_exit {
            // The server stopped or is about to stop, so nothing more is read.
            return Ok(());
        }
    }
    Ok(())
}

fn write_output(
    mut output: impl Write,
    receiver: &Receiver<Message>,
) -> Result<(), TransportError> {
    for message in receiver {
        message.write(&mut output).map_err(TransportError::Write)?;
    }
    Ok(())
}

/// Reads one framed message, or `None` at the end of the input between messages.
///
/// # Errors
///
/// Returns the first framing, JSON or read error.
pub fn read_message(input: &mut impl BufRead) -> Result<Option<Message>, TransportError> {
    let Some(length) = read_header(input)? else {
        return Ok(None);
    };
    let body = read_body(input, length)?;
    parse_message(&body).map(Some)
}

/// Reads a header and returns its `Content-Length`, or `None` at the end of the input.
fn read_header(input: &mut impl BufRead) -> Result<Option<u64>, TransportError> {
    let mut content_length = None;
    for index in 0..=MAX_HEADER_LINES {
        let Some(line) = read_header_line(input, index == 0)? else {
            return Ok(None);
        };
        if line.is_empty() {
            return content_length.map(Some).ok_or(TransportError::MissingContentLength);
        }
        if index == MAX_HEADER_LINES {
            break;
        }
        let Some((name, value)) = line.split_once(':').filter(|(name, _)| is_token(name)) else {
            return Err(TransportError::MalformedHeaderLine(line));
        };
        if name.eq_ignore_ascii_case("Content-Length") {
            content_length = Some(parse_content_length(value.trim())?);
        }
    }
    Err(TransportError::TooManyHeaderLines)
}

/// Reads one header line without its CRLF, or `None` at the end of the input
/// when the line would start a message.
fn read_header_line(
    input: &mut impl BufRead,
    starts_message: bool,
) -> Result<Option<String>, TransportError> {
    let mut line = Vec::new();
    let limit = MAX_HEADER_LINE_LEN as u64;
    input.by_ref().take(limit).read_until(b'\n', &mut line).map_err(TransportError::Read)?;

    if line.is_empty() && starts_message {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        return Err(if line.len() as u64 == limit {
            TransportError::HeaderLineTooLong
        } else {
            TransportError::TruncatedHeader
        });
    }
    line.pop();
    if line.last() != Some(&b'\r') {
        return Err(TransportError::MissingCarriageReturn(lossy(&line)));
    }
    line.pop();
    Ok(Some(lossy(&line)))
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Tells whether `name` is an HTTP token, as LSP header names are (RFC 9110, section 5.6.2).
fn is_token(name: &str) -> bool {
    let is_token_char =
        |byte: u8| byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte);
    !name.is_empty() && name.bytes().all(is_token_char)
}

fn parse_content_length(value: &str) -> Result<u64, TransportError> {
    let all_digits = !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit());
    if !all_digits {
        return Err(TransportError::InvalidContentLength(value.to_owned()));
    }
    // Digits that overflow u64 are a length too large, not a malformed one.
    match value.parse::<u64>() {
        Ok(length) if length <= MAX_BODY_LEN => Ok(length),
        _ => Err(TransportError::ContentLengthTooLarge(value.to_owned())),
    }
}

/// Reads `length` bytes, growing the buffer only as bytes arrive.
fn read_body(input: &mut impl BufRead, length: u64) -> Result<Vec<u8>, TransportError> {
    let mut body = Vec::new();
    input.by_ref().take(length).read_to_end(&mut body).map_err(TransportError::Read)?;
    let received = body.len() as u64;
    if received < length {
        return Err(TransportError::TruncatedBody { expected: length, received });
    }
    Ok(body)
}

fn parse_message(body: &[u8]) -> Result<Message, TransportError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(TransportError::InvalidJson)?;
    if value.is_array() {
        return Err(TransportError::Batch);
    }
    serde_json::from_value(value).map_err(TransportError::InvalidMessage)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(input: &[u8]) -> Result<Option<Message>, TransportError> {
        read_message(&mut &input[..])
    }

    fn framed(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    #[test]
    fn message_with_content_type_is_read() {
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let input = format!(
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\
             content-length: {}\r\n\r\n{body}",
            body.len()
        );
        let Ok(Some(Message::Request(request))) = read(input.as_bytes()) else {
            panic!("a request");
        };
        assert_eq!(request.method, "shutdown");
    }

    #[test]
    fn end_between_messages_is_clean() {
        assert!(matches!(read(b""), Ok(None)));
    }

    #[test]
    fn huge_content_length_is_rejected() {
        let error = read(b"Content-Length: 4000000000\r\n\r\n{}").unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid LSP header: Content-Length 4000000000 exceeds the 64 MiB limit"
        );
    }

    #[test]
    fn overflowing_content_length_is_too_large() {
        let error = read(b"Content-Length: 99999999999999999999999\r\n\r\n").unwrap_err();
        assert!(matches!(error, TransportError::ContentLengthTooLarge(_)), "{error}");
    }

    #[test]
    fn limit_itself_is_accepted() {
        let header = format!("Content-Length: {MAX_BODY_LEN}\r\n\r\n");
        assert_eq!(read_header(&mut header.as_bytes()).unwrap(), Some(MAX_BODY_LEN));
    }

    #[test]
    fn negative_content_length_is_invalid() {
        let error = read(b"Content-Length: -5\r\n\r\n").unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid LSP header: Content-Length \"-5\" is not a non-negative decimal integer"
        );
    }

    #[test]
    fn endless_header_line_stops_at_limit() {
        let input = vec![0; 10 * MAX_HEADER_LINE_LEN];
        let error = read(&input).unwrap_err();
        assert!(matches!(error, TransportError::HeaderLineTooLong), "{error}");
    }

    #[test]
    fn endless_header_lines_stop_at_limit() {
        let input = b"X-Padding: 1\r\n".repeat(1000);
        let error = read(&input).unwrap_err();
        assert!(matches!(error, TransportError::TooManyHeaderLines), "{error}");
    }

    #[test]
    fn most_header_lines_are_accepted() {
        let mut input = b"X-Padding: 1\r\n".repeat(MAX_HEADER_LINES - 1);
        input.extend(framed(r#"{"jsonrpc":"2.0","method":"exit"}"#));
        assert!(matches!(read(&input), Ok(Some(Message::Notification(_)))));
    }

    #[test]
    fn missing_content_length_is_rejected() {
        let error = read(b"Content-Type: text/plain\r\n\r\n{}").unwrap_err();
        assert!(matches!(error, TransportError::MissingContentLength), "{error}");
    }

    #[test]
    fn bare_lf_is_rejected() {
        let error = read(b"Content-Length: 2\n\n{}").unwrap_err();
        assert!(matches!(error, TransportError::MissingCarriageReturn(_)), "{error}");
    }

    #[test]
    fn line_without_colon_is_rejected() {
        let error = read(b"Content-Length 2\r\n\r\n{}").unwrap_err();
        assert!(matches!(error, TransportError::MalformedHeaderLine(_)), "{error}");
    }

    #[test]
    fn unframed_json_is_not_a_header() {
        let error = read(b"{\"jsonrpc\":\"2.0\",\"method\":\"exit\"}\r\n").unwrap_err();
        assert!(matches!(error, TransportError::MalformedHeaderLine(_)), "{error}");
    }

    #[test]
    fn truncated_header_is_reported() {
        let error = read(b"Content-Length: 2\r\n").unwrap_err();
        assert!(matches!(error, TransportError::TruncatedHeader), "{error}");
    }

    #[test]
    fn truncated_body_is_reported() {
        let error = read(b"Content-Length: 10\r\n\r\n{}").unwrap_err();
        assert!(
            matches!(error, TransportError::TruncatedBody { expected: 10, received: 2 }),
            "{error}"
        );
    }

    #[test]
    fn invalid_json_is_rejected() {
        let error = read(&framed("{not json")).unwrap_err();
        assert!(matches!(error, TransportError::InvalidJson(_)), "{error}");
    }

    #[test]
    fn json_array_is_rejected() {
        let error = read(&framed(r#"[{"jsonrpc":"2.0","method":"exit"}]"#)).unwrap_err();
        assert!(matches!(error, TransportError::Batch), "{error}");
    }

    #[test]
    fn empty_object_is_not_a_message() {
        let error = read(&framed("{}")).unwrap_err();
        assert!(matches!(error, TransportError::InvalidMessage(_)), "{error}");
    }

    #[test]
    fn reader_stops_after_exit() {
        let mut input = framed(r#"{"jsonrpc":"2.0","method":"exit"}"#);
        input.extend(b"garbage that is never read");
        let (connection, threads) = connect(io::Cursor::new(input), io::sink());
        assert!(matches!(connection.receiver.recv(), Ok(Message::Notification(_))));
        drop(connection);
        threads.join().unwrap();
    }

    #[test]
    fn reader_error_is_kept() {
        let (connection, threads) = connect(io::Cursor::new(framed("[]")), io::sink());
        assert!(connection.receiver.recv().is_err());
        assert!(matches!(threads.input_error(), Some(TransportError::Batch)));
    }
}
