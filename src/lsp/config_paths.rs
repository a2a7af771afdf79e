//! The configuration a document belongs to, when the client names it.
//!
//! HAProxy loads several files as one configuration (`-f haproxy.cfg -f
//! conf.d`), so a ring defined in one file may serve another. A client that
//! passes the same paths as the `configPaths` initialization option has each
//! of those files checked together with the others, open documents taking
//! the place of their files on disk.

use std::path::{Path, PathBuf};

use crate::source::config_dir_files;

/// The paths of `configPaths`, in the order HAProxy is given them.
#[derive(Debug, Default)]
pub(crate) struct ConfigPaths(Vec<PathBuf>);

impl ConfigPaths {
    /// Reads `{"configPaths": ["/etc/haproxy/haproxy.cfg", "/etc/haproxy/conf.d"]}`.
    pub(crate) fn from_options(initialization: Option<&serde_json::Value>) -> Self {
        let paths = initialization
            .and_then(|value| value.get("configPaths"))
            .and_then(serde_json::Value::as_array)
            .map(|paths| paths.iter().filter_map(serde_json::Value::as_str).map(PathBuf::from))
            .into_iter()
            .flatten()
            .collect();
        Self(paths)
    }

    /// Returns the files of the configuration in load order, and the index
    /// of `path` among them, when `path` is one of them.
    pub(crate) fn files_with(&self, path: &Path) -> Option<(Vec<PathBuf>, usize)> {
        if self.0.is_empty() {
            return None;
        }
        let files = self.files();
        let index = files.iter().position(|file| same_file(file, path))?;
        Some((files, index))
    }

    /// Expands each directory to the files HAProxy loads from it. A
    /// directory that cannot be read is left out, with a log line.
    fn files(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for path in &self.0 {
            if !path.is_dir() {
                files.push(path.clone());
                continue;
            }
            match config_dir_files(path) {
                Ok(found) => files.extend(found),
                Err(error) => {
                    log::warn!("cannot read configPaths directory '{}': {error}", path.display());
                }
            }
        }
        files
    }
}

/// Returns true when both paths name the same file, comparing the paths
/// themselves when either cannot be resolved.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn files_with_expands_directories_in_order() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let main = dir.path().join("haproxy.cfg");
        let conf_d = dir.path().join("conf.d");
        std::fs::create_dir(&conf_d).expect("create conf.d");
        for file in [&main, &conf_d.join("20-rings.cfg"), &conf_d.join("10-global.cfg")] {
            std::fs::write(file, b"global\n").expect("write a file");
        }
        let options = json!({ "configPaths": [main, conf_d] });
        let paths = ConfigPaths::from_options(Some(&options));

        let (files, index) = paths.files_with(&conf_d.join("20-rings.cfg")).expect("a member");
        assert_eq!(index, 2);
        assert_eq!(files, [main, conf_d.join("10-global.cfg"), conf_d.join("20-rings.cfg")]);
        assert!(paths.files_with(&dir.path().join("other.cfg")).is_none());
    }

    #[test]
    fn no_config_paths_means_alone() {
        let paths = ConfigPaths::from_options(Some(&json!({ "configPaths": "not a list" })));
        assert!(paths.files_with(Path::new("/etc/haproxy/haproxy.cfg")).is_none());
    }
}
