//! Language server latency: from a `didChange` of a 500 KB configuration to its new diagnostics.
//!
//! The server runs in-process on a memory connection, so the figure is the
//! server's own work (reading the notification, checking the whole text,
//! converting positions, sending the result) without any pipe or editor.

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{Value, json};

const URI: &str = "file:///bench/haproxy.cfg";
const TARGET_BYTES: usize = 500 * 1024;

/// Builds a configuration of about 500 KB: proxies that log to rings, the rings,
/// and a few mistakes and suppression comments so there is something to report.
fn configuration() -> String {
    let mut text = String::from("global\n    log ring@ring0 local0\n\n");
    let mut index = 0;
    while text.len() < TARGET_BYTES {
        text.push_str(&format!(
            "backend app{index}\n    log ring@ring{index} len 1024 local0 info\n    \
             server s1 127.0.0.1:{port} check\n\n\
             ring ring{index}\n    description \"ring {index}\"\n    format rfc5424\n    \
             maxlen 1200\n    size 32768\n    backing-file /dev/shm/ring{index}.bin\n    \
             timeout connect 5s\n    timeout server 10s\n\n",
            port = 8000 + index % 1000,
        ));
        if index % 50 == 0 {
            text.push_str(&format!(
                "ring late{index}\n    backing-file /dev/shm/late{index}.bin\n    size 65536\n    \
                 format RAW   # ringcfg: ignore=nonsense\n\n"
            ));
        }
        index += 1;
    }
    text
}

fn send(client: &Connection, method: &str, params: Value) {
    client.sender.send(Notification::new(method.to_owned(), params).into()).unwrap();
}

fn wait_for_diagnostics(client: &Connection) -> Value {
    loop {
        match client.receiver.recv_timeout(Duration::from_secs(30)).expect("server answers") {
            Message::Notification(notification)
                if notification.method == "textDocument/publishDiagnostics" =>
            {
                return notification.params;
            }
            _ => continue,
        }
    }
}

#[allow(clippy::print_stdout, reason = "the size of the input belongs in the bench output")]
fn bench_did_change(c: &mut Criterion) {
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || ringcfg::lsp::run(&server));
    let initialize =
        Request::new(RequestId::from(1), "initialize".to_owned(), json!({ "capabilities": {} }));
    client.sender.send(initialize.into()).unwrap();
    client.receiver.recv().unwrap();
    send(&client, "initialized", json!({}));

    let original = configuration();
    send(
        &client,
        "textDocument/didOpen",
        json!({ "textDocument": {
            "uri": URI, "languageId": "haproxy", "version": 1, "text": original
        }}),
    );
    let opened = wait_for_diagnostics(&client);
    let count = opened["diagnostics"].as_array().map_or(0, Vec::len);
    println!("{} bytes, {count} diagnostics after open", original.len());

    // Each edit toggles one character in the middle of the file, as typing does.
    let middle = original[original.len() / 2..].find("size 32768").unwrap() + original.len() / 2;
    let mut version = 1;
    let mut group = c.benchmark_group("lsp");
    group.sample_size(10).measurement_time(Duration::from_secs(3));
    group.bench_function("did_change_500k_to_diagnostics", |b| {
        b.iter(|| {
            version += 1;
            let mut edited = original.clone();
            edited.insert_str(middle, if version % 2 == 0 { "#" } else { " " });
            send(
                &client,
                "textDocument/didChange",
                json!({
                    "textDocument": { "uri": URI, "version": version },
                    "contentChanges": [{ "text": edited }],
                }),
            );
            wait_for_diagnostics(&client)
        });
    });
    group.finish();

    let shutdown = Request::new(RequestId::from(2), "shutdown".to_owned(), ());
    client.sender.send(shutdown.into()).unwrap();
    client.receiver.recv().unwrap();
    send(&client, "exit", Value::Null);
    thread.join().unwrap().unwrap();
}

criterion_group!(benches, bench_did_change);
criterion_main!(benches);
