//! Helpers shared by the integration test suites.

#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

/// Returns the `shared` folder that sits beside the checkout, with HAProxy's
/// recorded behaviour (conformance cases, ring samples, real-world configs).
///
/// # Panics
///
/// Panics with instructions when the folder is missing: a conformance test
/// that cannot find its data must fail, never pass by checking nothing.
pub fn shared_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    assert!(
        dir.join("conformance").is_dir(),
        "test data not found at {}: check out the project beside its 'shared' folder \
         (HAProxy's recorded outputs, ring samples and real-world configurations)",
        dir.display()
    );
    dir
}

/// Returns the path of the `ringcfg` binary that Cargo built for this test run.
pub fn ringcfg_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ringcfg"))
}
