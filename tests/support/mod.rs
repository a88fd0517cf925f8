//! Driving the real `policy-sim` binary from the integration tests, as a user or CI would:
//! from the repository root, without colours.

#![allow(
    clippy::panic,
    dead_code,
    reason = "test support shared by several test crates, each using part of it"
)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The repository root, where the tests' relative paths start.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `policy-sim ARGS` from the repository root, with `NO_COLOR` set.
pub fn policy_sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_policy-sim"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run policy-sim: {e}"))
}

/// Output bytes as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
