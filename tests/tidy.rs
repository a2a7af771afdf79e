//! Repository hygiene that rustfmt and clippy do not check.
//!
//! Every source file opens with module docs, no test is skipped or expected
//! to panic, known gaps use the one `FIXME:` marker, and the code never sends
//! a reader to material outside the repository.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            out.push(path);
        }
    }
}

fn project_files(folders: &[&str]) -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for folder in folders {
        rust_files(&root.join(folder), &mut paths);
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = fs::read_to_string(&path).expect("source files are UTF-8");
            (path, text)
        })
        .collect()
}

#[test]
fn source_files_open_with_module_docs() {
    for (path, text) in project_files(&["src", "benches"]) {
        assert!(text.starts_with("//!"), "{} must open with a `//!` module doc", path.display());
    }
}

#[test]
fn no_trailing_whitespace() {
    for (path, text) in project_files(&["src", "tests", "benches"]) {
        for (index, line) in text.lines().enumerate() {
            assert!(
                !line.ends_with(' ') && !line.ends_with('\t'),
                "{}:{} has trailing whitespace",
                path.display(),
                index + 1
            );
        }
    }
}

#[test]
fn no_skipped_or_panic_expecting_tests() {
    let banned = [concat!("#[", "ignore"), concat!("#[", "should_panic")];
    for (path, text) in project_files(&["src", "tests", "benches"]) {
        for pattern in banned {
            assert!(!text.contains(pattern), "{} uses {pattern}]", path.display());
        }
    }
}

#[test]
fn gaps_use_the_fixme_marker() {
    let banned = [concat!("// ", "TODO"), concat!("// ", "XXX"), concat!("// ", "HACK")];
    for (path, text) in project_files(&["src", "tests", "benches"]) {
        for pattern in banned {
            assert!(
                !text.contains(pattern),
                "{} uses `{pattern}`: write `// FIXME: ...`",
                path.display()
            );
        }
    }
}

#[test]
fn library_points_at_no_outside_notes() {
    let banned = [concat!("shared", "/"), concat!("DESIGN", ".md"), "\u{a7}"];
    for (path, text) in project_files(&["src"]) {
        for pattern in banned {
            assert!(
                !text.contains(pattern),
                "{} mentions `{pattern}`: state the fact itself instead",
                path.display()
            );
        }
    }
}
