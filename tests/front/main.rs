//! Front ends over the diagnostics: output formats, the rules page and the language server.

#[path = "../support/mod.rs"]
mod support;

/// `short`, `json` and `sarif` output of real files, and the JSON schema's documentation.
mod formats;
/// The language server driven in-process through a memory connection.
mod lsp;
/// The language server on real mistakes: diagnostics, suppressions and ring navigation.
mod lsp_check;
/// A scripted JSON-RPC client of the in-process language server.
mod lsp_client;
/// The real `ringcfg lsp` binary fed malformed, oversized and out-of-order input.
mod lsp_hostile;
/// The real `ringcfg lsp` binary, spoken to over pipes with Content-Length framing.
mod lsp_stdio;
/// `ringcfg rules`, `ringcfg explain` and the generated `docs/rules.md`.
mod rules;

use std::path::{Path, PathBuf};

use ringcfg::{Diagnostic, SourceFile};

/// Returns the path of a file under `tests/front/data`.
fn data_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/front/data").join(name)
}

/// Loads a data file under the name a user would type from the crate root.
fn load(name: &str) -> SourceFile {
    let bytes = std::fs::read(data_path(name)).expect("test data file");
    SourceFile::new(format!("tests/front/data/{name}"), bytes)
}

/// Returns the diagnostics of `sources` checked together, suppressions applied.
fn diagnose(sources: &[SourceFile]) -> Vec<Diagnostic> {
    ringcfg::check(sources, &ringcfg::CheckOptions::default()).diagnostics
}
