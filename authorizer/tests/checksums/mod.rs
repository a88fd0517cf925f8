//! Verifying files kept byte for byte against a `sha256sum` manifest (`HASH  PATH` lines, the
//! format `sha256sum -c` reads), so a copy of a public fixture or of a seed document is checked
//! in every checkout — not only where the original sits beside it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test support: a wrong or missing copy is the test's failure"
)]

use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Check every file `manifest` lists (paths relative to the manifest's folder) against its
/// SHA-256; returns the files checked, so the caller can insist on how many there are.
pub fn verify(manifest: &Path) -> Vec<PathBuf> {
    let text = std::fs::read_to_string(manifest)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", manifest.display()));
    let dir = manifest.parent().unwrap();
    let mut checked = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let (expected, name) = line
            .split_once("  ")
            .unwrap_or_else(|| panic!("{}: not `HASH  PATH`: {line}", manifest.display()));
        let file = dir.join(name);
        let bytes =
            std::fs::read(&file).unwrap_or_else(|e| panic!("{} is missing: {e}", file.display()));
        assert_eq!(
            sha256_hex(&bytes),
            expected,
            "{} is not the copy the manifest records: restore it byte for byte",
            file.display()
        );
        checked.push(file);
    }
    checked
}

/// The SHA-256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().fold(String::new(), |mut hex, b| {
        write!(hex, "{b:02x}").unwrap();
        hex
    })
}
