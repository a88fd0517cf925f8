//! Fail-closed by construction: library code cannot panic its way out of a decision because
//! the workspace denies the ways to panic (`unwrap`, `expect`, `panic!`, `unreachable!`,
//! indexing, string slicing) and forbids `unsafe`. These tests keep that true: every crate
//! inherits the workspace lints, the lints stay at deny/forbid, and no library source opts
//! out (tests may; they live in `tests.rs` files and `#[cfg(test)]` modules).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The lints that make a panic impossible to write by accident.
const DENIED: [&str; 6] = [
    "unwrap_used",
    "expect_used",
    "panic",
    "unreachable",
    "indexing_slicing",
    "string_slice",
];

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_workspace_denies_every_way_to_panic_and_forbids_unsafe() {
    let manifest = read(&Path::new(ROOT).join("Cargo.toml"));
    assert!(manifest.contains("unsafe_code = \"forbid\""));
    for lint in DENIED {
        assert!(
            manifest.contains(&format!("\n{lint} = \"deny\"")),
            "the workspace no longer denies clippy::{lint}"
        );
    }
    for member in [".", "policy-engine", "authorizer"] {
        let text = read(&Path::new(ROOT).join(member).join("Cargo.toml"));
        assert!(
            text.contains("[lints]\nworkspace = true"),
            "{member}/Cargo.toml does not inherit the workspace lints"
        );
    }
}

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn no_library_source_opts_out_of_the_panic_lints() {
    let mut files = Vec::new();
    for dir in ["src", "policy-engine/src", "authorizer/src"] {
        rust_files(&Path::new(ROOT).join(dir), &mut files);
    }
    assert!(files.len() > 20, "the source folders moved: {files:?}");
    let mut offenders = Vec::new();
    for file in files.iter().filter(|f| !f.ends_with("tests.rs")) {
        let text = read(file);
        // Everything from the first `#[cfg(test)]` on is test code.
        let library = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (number, line) in library.lines().enumerate() {
            let opts_out = (line.contains("allow(") || line.contains("expect("))
                && DENIED
                    .iter()
                    .any(|lint| line.contains(&format!("clippy::{lint}")));
            if opts_out || line.contains("unsafe_code") || line.contains("unsafe {") {
                offenders.push(format!("{}:{}: {line}", file.display(), number + 1));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "library code opts out:\n{}",
        offenders.join("\n")
    );
}
