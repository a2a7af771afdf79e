//! Tests of the reader's line rules: sections, conditionals, directives.

use super::*;

fn parse_with(text: &[u8], options: &ReadOptions) -> ParsedFile {
    read(0, &SourceFile::new("t.cfg", text.to_vec()), options)
}

fn parse(text: &[u8]) -> ParsedFile {
    parse_with(text, &ReadOptions::default())
}

fn codes(parsed: &ParsedFile) -> Vec<&'static str> {
    parsed.diagnostics.iter().map(Diagnostic::code).collect()
}

/// Each section as its keyword and the first word of each line.
fn outline(parsed: &ParsedFile) -> Vec<(String, Vec<String>)> {
    parsed
        .sections
        .iter()
        .map(|s| (s.keyword.clone(), s.lines.iter().map(|l| l.words[0].text().into()).collect()))
        .collect()
}

fn sections(items: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    items
        .iter()
        .map(|(k, lines)| ((*k).to_owned(), lines.iter().map(|l| (*l).to_owned()).collect()))
        .collect()
}

#[test]
fn lines_group_under_the_section_above() {
    let parsed = parse(b"global\n  maxconn 1\n   ring r2\nsize 1000\nbackend b\n server s 1:1\n");
    assert_eq!(
        outline(&parsed),
        sections(&[("global", &["maxconn"]), ("ring", &["size"]), ("backend", &["server"])])
    );
    assert_eq!(parsed.sections[1].header.number, 3);
    assert!(parsed.diagnostics.is_empty());
}

#[test]
fn keyword_before_any_section_is_an_error_and_dropped() {
    let parsed = parse(b"maxlen 100\nring r\n");
    assert_eq!(codes(&parsed), ["S001"]);
    assert_eq!(outline(&parsed), sections(&[("ring", &[])]));
}

#[test]
fn empty_lines_comments_and_empty_first_words_are_dropped() {
    let parsed = parse(b"# c\nglobal # g\n\n   # indented\n\"\" maxconn 10\n  nbthread 2 # n\n");
    assert_eq!(outline(&parsed), sections(&[("global", &["nbthread"])]));
    assert_eq!(parsed.comments.len(), 4);
    assert!(parsed.diagnostics.is_empty());
}

#[test]
fn skipped_branches_are_dropped_but_their_comments_kept() {
    let text = b"global\n.if 0\n  maxconn 1 # a\n.elif 1\n  nbthread 2\n.else\n  x 3\n.endif\n";
    let parsed = parse(text);
    assert_eq!(outline(&parsed), sections(&[("global", &["nbthread"])]));
    assert_eq!(parsed.comments.len(), 1);
}

#[test]
fn nested_ifs_inside_a_skipped_block_are_not_evaluated() {
    let parsed = parse(b"global\n.if 0\n.if foo(\n.endif\n.endif\n");
    assert!(parsed.diagnostics.is_empty(), "{:?}", codes(&parsed));
}

#[test]
fn tokenizer_errors_count_inside_skipped_blocks() {
    let parsed = parse(b"global\n.if 0\n  x \"open\n.endif\n");
    assert_eq!(codes(&parsed), ["L001"]);
}

#[test]
fn directives_become_diagnostics() {
    let parsed = parse(b"global\n.warning \"w 1\"\n.notice n\n.diag d\n");
    let messages: Vec<_> =
        parsed.diagnostics.iter().map(|d| (d.code(), d.message.as_str())).collect();
    assert_eq!(messages, [("S006", "w 1"), ("S007", "n"), ("S007", "d")]);
    assert_eq!(outline(&parsed), sections(&[("global", &[])]));
}

#[test]
fn directive_with_two_arguments_is_rejected() {
    assert_eq!(codes(&parse(b"global\n.warning a b\n")), ["S004"]);
    assert_eq!(codes(&parse(b"global\n.warning a \"\"\n")), ["S006"]);
}

#[test]
fn alert_stops_the_second_pass_only() {
    let parsed = parse(b"global\n.alert stop\n  maxconn 1\n");
    assert_eq!(codes(&parsed), ["S005"]);
    assert!(parsed.aborted);
    assert_eq!(outline(&parsed), sections(&[("global", &[])]));

    // HAProxy's first pass skips the alert and finds the later error, so
    // the alert is never shown.
    let parsed = parse(b"global\n.alert stop\n  x \"open\n");
    assert_eq!(codes(&parsed), ["L001"]);
}

#[test]
fn unknown_directive_stops_reading() {
    let parsed = parse(b"global\n.foo\n  maxconn 1\n");
    assert_eq!(codes(&parsed), ["S003"]);
    assert_eq!(outline(&parsed), sections(&[("global", &[])]));
}

#[test]
fn unbalanced_conditionals() {
    assert_eq!(codes(&parse(b".endif\n")), ["S009"]);
    assert_eq!(codes(&parse(b".else\n")), ["S009"]);
    assert_eq!(codes(&parse(b".elif 1\n")), ["S009"]);
    assert_eq!(codes(&parse(b".if 0\n.else\n.elif 1\n.endif\n")), ["S009"]);
    assert_eq!(codes(&parse(b".if 0\n.else\n.else\n.endif\n")), ["S009"]);
    assert_eq!(codes(&parse(b".if 1\n.endif x\n")), ["S004", "S010"]);
    assert_eq!(codes(&parse(b".if 1\n")), ["S010"]);
}

#[test]
fn nesting_is_limited_to_99_open_blocks() {
    let ok = format!("{}{}", ".if 1\n".repeat(99), ".endif\n".repeat(99));
    assert!(parse(ok.as_bytes()).diagnostics.is_empty());
    let deep = format!("{}{}", ".if 1\n".repeat(100), ".endif\n".repeat(100));
    assert_eq!(codes(&parse(deep.as_bytes())), ["S011"]);
}

#[test]
fn conditions_see_haproxys_own_variables() {
    let parsed = parse(b"global\n.if defined(HAPROXY_BRANCH) && streq(\"$HAPROXY_BRANCH\",3.5)\n  maxconn 1\n.endif\n");
    assert_eq!(outline(&parsed), sections(&[("global", &["maxconn"])]));
}

#[test]
fn condition_error_points_into_the_line() {
    let parsed = parse(b"global\n.if 1 &&\n.endif\n");
    assert_eq!(codes(&parsed), ["S008"]);
    assert_eq!(parsed.diagnostics[0].span.start, 7 + 6);
    assert!(parsed.aborted);
}

#[test]
fn empty_arguments_depend_on_the_version() {
    let text = b"ring r\n    description \"\" x\n.if 0\n    description \"$NOPE\"\n.endif\n";
    let at = |major, minor| {
        let options =
            ReadOptions { version: HaproxyVersion::new(major, minor), ..ReadOptions::default() };
        codes(&parse_with(text, &options))
    };
    assert_eq!(at(3, 2), Vec::<&str>::new());
    assert_eq!(at(3, 3), ["S002", "S002"]);
    assert_eq!(at(3, 5), ["S002"]);
    let parsed = parse(text);
    assert_eq!(parsed.diagnostics[0].span, Span::new(24, 25));
}

#[test]
fn empty_argument_from_an_unset_variable_points_at_its_name() {
    let mut options = ReadOptions::default();
    options.env.set("HOME", "/root");
    let parsed = parse_with(b"ring r\n    description \"$HOMEE\"\n", &options);
    assert_eq!(codes(&parsed), ["S002"]);
    assert_eq!(parsed.diagnostics[0].span, Span::new(25, 30));
    assert!(parsed.diagnostics[0].help.as_deref().unwrap().contains("'HOME'"));
}

#[test]
fn prefixes_are_checked_and_kept() {
    let parsed = parse(b"ring r\n    no size 10\ndefaults\n    no option httplog\n");
    assert_eq!(codes(&parsed), ["S013"]);
    let line = &parsed.sections[0].lines[0];
    assert!(line.prefix().is_some_and(|w| w.is("no")));
    assert!(line.keyword_words()[0].is("size"));
    assert_eq!(parsed.sections[1].lines.len(), 1);
}

#[test]
fn section_pseudo_variable_follows_section_lines() {
    let parsed = parse(b".notice \"[${.SECTION}]\"\nring r1\n.notice \"${.SECTION}\"\nglobal\n.notice \"${.SECTION}:${.LINE}\"\n");
    let messages: Vec<_> = parsed.diagnostics.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(messages, ["[]", "r1", "global:5"]);
}

#[test]
fn scope_lines() {
    assert!(parse(b"[ok-scope:1]  # c\nglobal\n").diagnostics.is_empty());
    assert_eq!(codes(&parse(b"[]\nglobal\n")), ["S012"]);
    assert_eq!(codes(&parse(b"[a b]\nglobal\n")), ["S012"]);
    assert_eq!(codes(&parse(b"[a] x\nglobal\n")), ["S012"]);
    assert_eq!(codes(&parse(b".if 0\n[]\n.endif\n")), ["S012"]);
}

#[test]
fn bad_scope_character_stops_at_the_next_section_line() {
    let parsed = parse(b"[a b]\nglobal\n  maxconn 1\n");
    assert_eq!(outline(&parsed), sections(&[("global", &[])]));
}

#[test]
fn stray_nul_stops_the_file() {
    let parsed = parse(b"global\n  maxconn 1\0x\n  nbthread 2\n");
    assert_eq!(codes(&parsed), ["L007"]);
    assert_eq!(parsed.diagnostics[0].span.start, 18);
    assert_eq!(outline(&parsed), sections(&[("global", &["maxconn"])]));
}

#[test]
fn missing_final_newline() {
    let parsed = parse(b"global\n  maxconn 1");
    assert_eq!(codes(&parsed), ["L008"]);
    assert_eq!(outline(&parsed), sections(&[("global", &["maxconn"])]));
}

#[test]
fn fifty_fatal_errors_stop_the_file() {
    let text = "x\n".repeat(60);
    let parsed = parse(text.as_bytes());
    assert_eq!(codes(&parsed).iter().filter(|c| **c == "S001").count(), 50);
    assert_eq!(codes(&parsed).last(), Some(&"S014"));
}

#[test]
fn section_keywords_follow_the_version() {
    let text = b"traces\n  trace h1 sink stderr\n";
    assert!(parse(text).diagnostics.is_empty());
    let options = ReadOptions { version: HaproxyVersion::new(3, 0), ..ReadOptions::default() };
    assert_eq!(codes(&parse_with(text, &options)), ["S001", "S001"]);
}

#[test]
fn line_span_excludes_the_terminator() {
    let parsed = parse(b"global\r\n  maxconn 1\r\n");
    assert_eq!(parsed.sections[0].lines[0].span, Span::new(8, 20));
    assert!(parsed.sections[0].lines[0].words[1].is("1"));
}
