//! The `sarif` output format: SARIF 2.1.0, as GitHub code scanning reads it.
//!
//! One run with `tool.driver.rules` taken from the code registry, one result
//! per diagnostic. Artifact URIs are relative to a base directory (the working
//! directory of `ringcfg check`) under the `%SRCROOT%` base id. Columns count
//! UTF-16 code units, the SARIF default, and `byteOffset`/`byteLength` give the
//! exact bytes.

use std::collections::HashMap;
use std::path::{Component, Path};

use serde_json::{Value, json};

use crate::diag::{CodeInfo, Diagnostic, Label, Severity, registry};
use crate::source::{FileId, SourceFile, Span};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Key of the fingerprint in `partialFingerprints`, versioned with its recipe.
pub const FINGERPRINT_KEY: &str = "ringcfgLineHash/v1";

/// Renders `diagnostics` as a SARIF 2.1.0 log, pretty-printed, with a final newline.
///
/// `base` is the directory artifact URIs are relative to. A file outside it,
/// or every file when `base` is `None`, keeps the path the user typed, and an
/// absolute path becomes a `file://` URI.
///
/// ```
/// let log = ringcfg::diag::render::sarif::render(&[], &[], None);
/// let value: serde_json::Value = serde_json::from_str(&log).unwrap();
/// assert_eq!(value["version"], "2.1.0");
/// ```
pub fn render(diagnostics: &[Diagnostic], sources: &[SourceFile], base: Option<&Path>) -> String {
    let rules = rule_list(diagnostics);
    let rule_index: HashMap<&str, usize> =
        rules.iter().enumerate().map(|(index, info)| (info.code, index)).collect();
    let uris: Vec<ArtifactUri> =
        sources.iter().map(|source| artifact_uri(source.name(), base)).collect();

    let mut occurrences: HashMap<String, usize> = HashMap::new();
    let results: Vec<Value> = diagnostics
        .iter()
        .map(|diag| {
            let fingerprint = fingerprint(diag, sources, &uris, &mut occurrences);
            result(diag, sources, &uris, rule_index[diag.info.code], fingerprint)
        })
        .collect();

    let mut run = json!({
        "tool": {
            "driver": {
                "name": env!("CARGO_PKG_NAME"),
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://docs.rs/ringcfg",
                "rules": rules.iter().map(|info| rule(info)).collect::<Vec<_>>(),
            }
        },
        "columnKind": "utf16CodeUnits",
        "results": results,
    });
    if let Some(root) = base.and_then(directory_uri) {
        run["originalUriBaseIds"] = json!({ "%SRCROOT%": { "uri": root } });
    }

    let log = json!({ "$schema": SCHEMA, "version": "2.1.0", "runs": [run] });
    // Serializing a `Value` cannot fail.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

/// Returns every registered code, plus any code a diagnostic uses that the
/// registry lacks, so each result has a rule to point at.
fn rule_list(diagnostics: &[Diagnostic]) -> Vec<&'static CodeInfo> {
    let mut rules = registry::all();
    for diag in diagnostics {
        if !rules.iter().any(|info| info.code == diag.info.code) {
            rules.push(diag.info);
        }
    }
    rules
}

fn rule(info: &CodeInfo) -> Value {
    let full = section(info.explanation, "What it checks").unwrap_or(info.summary);
    let help = if info.explanation.is_empty() { info.summary } else { info.explanation };
    json!({
        "id": info.code,
        "name": info.name,
        "shortDescription": { "text": info.summary },
        "fullDescription": { "text": full },
        "help": { "text": help, "markdown": help },
        "defaultConfiguration": { "level": level(info.severity) },
        "properties": { "tags": [phase(info.code)] },
    })
}

/// Returns the first paragraph of the part `title` of an explanation.
///
/// A part is written either as a heading (`## What it checks`, any level) or
/// as a bold lead-in (`**What it checks:** ...`); the registry has both.
fn section<'a>(explanation: &'a str, title: &str) -> Option<&'a str> {
    let lead_in = format!("**{title}:**");
    let start = match explanation.find(&lead_in) {
        Some(at) => at + lead_in.len(),
        None => {
            let heading = explanation.lines().find(|line| {
                line.starts_with('#') && line.trim_start_matches('#').trim() == title
            })?;
            // `heading` is a slice of `explanation`, so its offset is the pointer distance.
            let at = heading.as_ptr() as usize - explanation.as_ptr() as usize;
            at + heading.len()
        }
    };
    let rest = explanation[start..].trim_start();
    let end = rest.find("\n\n").unwrap_or(rest.len());
    let text = rest[..end].trim();
    (!text.is_empty()).then_some(text)
}

fn phase(code: &str) -> &'static str {
    match code.as_bytes().first() {
        Some(b'L') => "tokenizer",
        Some(b'S') => "syntax",
        Some(b'R') => "ring",
        Some(b'X') => "reference",
        Some(b'U') => "suppression",
        _ => "other",
    }
}

const fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Advice => "note",
    }
}

fn result(
    diag: &Diagnostic,
    sources: &[SourceFile],
    uris: &[ArtifactUri],
    rule_index: usize,
    fingerprint: String,
) -> Value {
    let mut text = diag.message.clone();
    if let Some(help) = &diag.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    let related: Vec<Value> = diag
        .related
        .iter()
        .enumerate()
        .map(|(id, label)| related_location(id, label, sources, uris))
        .collect();

    let mut result = json!({
        "ruleId": diag.info.code,
        "ruleIndex": rule_index,
        "level": level(diag.severity),
        "message": { "text": text },
        "locations": [{
            "physicalLocation": physical_location(sources, uris, diag.file, diag.span),
        }],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint },
    });
    if !diag.label.is_empty() {
        result["locations"][0]["message"] = json!({ "text": diag.label });
    }
    if !related.is_empty() {
        result["relatedLocations"] = Value::Array(related);
    }
    result
}

fn related_location(
    id: usize,
    label: &Label,
    sources: &[SourceFile],
    uris: &[ArtifactUri],
) -> Value {
    let text = if label.text.is_empty() { "related location" } else { &label.text };
    json!({
        "id": id,
        "physicalLocation": physical_location(sources, uris, label.file, label.span),
        "message": { "text": text },
    })
}

fn physical_location(
    sources: &[SourceFile],
    uris: &[ArtifactUri],
    file: FileId,
    span: Span,
) -> Value {
    let source = &sources[file];
    let end = span.end.clamp(span.start, source.bytes().len());
    let start = span.start.min(end);
    let (start_line, start_col) = source.utf16_position(start);
    let (end_line, end_col) = source.utf16_position(end);
    json!({
        "artifactLocation": uris[file].to_json(),
        "region": {
            "startLine": start_line + 1,
            "startColumn": start_col + 1,
            "endLine": end_line + 1,
            "endColumn": end_col + 1,
            "byteOffset": start,
            "byteLength": end - start,
        },
    })
}

/// Hashes the code, the file and the trimmed text of the diagnostic's line, so
/// the fingerprint survives edits elsewhere in the file. The suffix counts
/// earlier results with the same hash, which keeps repeated lines apart.
fn fingerprint(
    diag: &Diagnostic,
    sources: &[SourceFile],
    uris: &[ArtifactUri],
    occurrences: &mut HashMap<String, usize>,
) -> String {
    let source = &sources[diag.file];
    let line = source.line_span(source.line_col(diag.span.start).line);
    let mut hash = Fnv1a::default();
    hash.write(diag.info.code.as_bytes());
    hash.write(&[0]);
    hash.write(uris[diag.file].uri.as_bytes());
    hash.write(&[0]);
    hash.write(source.bytes()[line.start..line.end].trim_ascii());

    let key = format!("{:016x}", hash.0);
    let count = occurrences.entry(key.clone()).or_insert(0);
    *count += 1;
    format!("{key}:{count}")
}

/// 64-bit FNV-1a: tiny, and unlike `std`'s hasher its output is fixed forever.
struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The location of an artifact: a URI relative to `%SRCROOT%`, or an absolute one.
#[derive(Debug)]
struct ArtifactUri {
    uri: String,
    relative: bool,
}

impl ArtifactUri {
    fn to_json(&self) -> Value {
        if self.relative {
            json!({ "uri": self.uri, "uriBaseId": "%SRCROOT%" })
        } else {
            json!({ "uri": self.uri })
        }
    }
}

fn artifact_uri(name: &str, base: Option<&Path>) -> ArtifactUri {
    let path = Path::new(name);
    if path.is_absolute() {
        if let Some(relative) = base.and_then(|base| path.strip_prefix(base).ok()) {
            return ArtifactUri { uri: path_to_uri(relative), relative: true };
        }
        return ArtifactUri { uri: format!("file://{}", path_to_uri(path)), relative: false };
    }
    let clean: std::path::PathBuf =
        path.components().filter(|part| *part != Component::CurDir).collect();
    ArtifactUri { uri: path_to_uri(&clean), relative: true }
}

/// Returns the `file://` URI of a directory, with the final slash SARIF requires.
fn directory_uri(dir: &Path) -> Option<String> {
    if !dir.is_absolute() {
        return None;
    }
    let mut uri = format!("file://{}", path_to_uri(dir));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    Some(uri)
}

/// Percent-encodes a path for a URI, keeping `/` and the unreserved characters.
fn path_to_uri(path: &Path) -> String {
    let text = path.to_string_lossy();
    let mut uri = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_path_stays_relative() {
        let uri = artifact_uri("./conf/haproxy.cfg", Some(Path::new("/srv")));
        assert_eq!(uri.uri, "conf/haproxy.cfg");
        assert!(uri.relative);
    }

    #[test]
    fn absolute_path_under_base_becomes_relative() {
        let uri = artifact_uri("/srv/conf/haproxy.cfg", Some(Path::new("/srv")));
        assert_eq!(uri.uri, "conf/haproxy.cfg");
        assert!(uri.relative);
    }

    #[test]
    fn absolute_path_elsewhere_is_file_uri() {
        let uri = artifact_uri("/etc/haproxy/my cfg.cfg", Some(Path::new("/srv")));
        assert_eq!(uri.uri, "file:///etc/haproxy/my%20cfg.cfg");
        assert!(!uri.relative);
    }

    #[test]
    fn section_extracts_heading_text() {
        let text = "**What it checks:** a thing.\n\n**Why it matters:** reasons.\n";
        assert_eq!(section(text, "What it checks"), Some("a thing."));
        assert_eq!(section(text, "Why it matters"), Some("reasons."));
        assert_eq!(section(text, "Fix"), None);
    }

    #[test]
    fn section_reads_heading_style() {
        let text = "## What it checks\n\nA thing\nover two lines.\n\nMore.\n\n## Fix\n\nDo it.\n";
        assert_eq!(section(text, "What it checks"), Some("A thing\nover two lines."));
        assert_eq!(section(text, "Fix"), Some("Do it."));
    }
}
