//! Hostile input: NUL bytes, invalid UTF-8, huge lines, deep nesting.

use proptest::prelude::*;
use ringcfg::SourceFile;
use ringcfg::syntax::{ReadOptions, read};

fn read_bytes(bytes: Vec<u8>) -> ringcfg::syntax::ParsedFile {
    let source = SourceFile::new("hostile.cfg", bytes);
    read(0, &source, &ReadOptions::default())
}

fn codes(parsed: &ringcfg::syntax::ParsedFile) -> Vec<&'static str> {
    parsed.diagnostics.iter().map(|d| d.code()).collect()
}

#[test]
fn ten_megabyte_line_is_one_word() {
    let mut bytes = b"ring r\n    description ".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 10 << 20));
    bytes.push(b'\n');
    let parsed = read_bytes(bytes);
    assert!(parsed.diagnostics.is_empty(), "{:?}", codes(&parsed));
    assert_eq!(parsed.sections[0].lines[0].words[1].value.len(), 10 << 20);
}

#[test]
fn hundred_thousand_ifs_stop_at_the_nesting_limit() {
    let bytes = ".if 1\n".repeat(100_000).into_bytes();
    let parsed = read_bytes(bytes);
    assert_eq!(codes(&parsed), ["S011"]);
    assert!(parsed.aborted);
}

#[test]
fn hundred_thousand_balanced_ifs_read_to_the_end() {
    let mut text = String::from("global\n");
    text.push_str(&".if 1\n.endif\n".repeat(50_000));
    text.push_str("    maxconn 10\n");
    let parsed = read_bytes(text.into_bytes());
    assert!(parsed.diagnostics.is_empty(), "{:?}", codes(&parsed));
    assert_eq!(parsed.sections[0].lines.len(), 1);
}

#[test]
fn ten_thousand_words_are_one_error() {
    let mut text = String::from("global\n    x");
    text.push_str(&" w".repeat(10_000));
    text.push('\n');
    let parsed = read_bytes(text.into_bytes());
    assert_eq!(codes(&parsed), ["L006"]);
}

#[test]
fn deep_parentheses_are_an_error() {
    let depth = 200_000;
    let text = format!("global\n.if {}1{}\n.endif\n", "(".repeat(depth), ")".repeat(depth));
    let parsed = read_bytes(text.into_bytes());
    assert_eq!(codes(&parsed), ["S008"]);
}

#[test]
fn nul_bytes_and_invalid_utf8_are_read() {
    let parsed = read_bytes(b"global\n    \xff\xfe \xc3\x28\n".to_vec());
    assert!(parsed.diagnostics.is_empty());
    assert_eq!(parsed.sections[0].lines[0].words[0].value, b"\xff\xfe");
    let parsed = read_bytes(b"global\n\0\0\0\n    maxconn 1\n".to_vec());
    assert_eq!(codes(&parsed), ["L007"]);
}

/// Bytes that exercise every rule of the tokenizer.
fn hostile_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        4 => prop::sample::select(b" \t\r\n\0\"'\\$#{}[]*-.!()&|,x0aZ_".to_vec()),
        1 => any::<u8>(),
    ]
}

/// Line starts that reach the directives and sections.
fn hostile_line() -> impl Strategy<Value = Vec<u8>> {
    let head = prop::sample::select(vec![
        &b""[..],
        b".if ",
        b".elif ",
        b".else",
        b".endif",
        b".warning ",
        b".alert ",
        b"ring ",
        b"[",
        b"no ",
        b"global",
        b"  \"",
        b"\"${",
    ]);
    (head, prop::collection::vec(hostile_byte(), 0..40)).prop_map(|(head, tail)| {
        let mut line = head.to_vec();
        line.extend(tail);
        line
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_files_never_panic(lines in prop::collection::vec(hostile_line(), 0..30), lf in any::<bool>()) {
        let mut bytes = lines.join(&b"\n"[..]);
        if lf {
            bytes.push(b'\n');
        }
        let len = bytes.len();
        let parsed = read_bytes(bytes);
        for diag in &parsed.diagnostics {
            prop_assert!(diag.span.start <= diag.span.end && diag.span.end <= len);
        }
        for section in &parsed.sections {
            for line in std::iter::once(&section.header).chain(&section.lines) {
                prop_assert!(!line.words.is_empty() && !line.words[0].value.is_empty());
                for word in &line.words {
                    prop_assert!(word.span.start <= word.span.end && word.span.end <= len);
                }
            }
        }
        for comment in &parsed.comments {
            prop_assert!(comment.end <= len);
        }
    }
}
