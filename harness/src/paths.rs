//! Locations inside the repository and the build directory.

use std::path::{Path, PathBuf};

/// Returns the repository root (the workspace that contains `containers/`).
pub fn repository_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the harness crate lives one level below the repository root")
        .to_path_buf()
}

/// Returns cargo's target directory: `CARGO_TARGET_DIR` when set, else
/// `target/` in the repository.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => repository_root().join("target"),
    }
}

/// Returns the folder of fault scripts.
pub fn faults_dir() -> PathBuf {
    repository_root().join("containers/faults")
}
