//! Every fuzz target's seed corpus (`fuzz/seeds/<target>/`) and regression inputs
//! (`fuzz/regressions/<target>/`: inputs that once crashed or broke an invariant) replayed
//! through its harness function, so what the fuzzer found stays fixed on stable in
//! `cargo test --workspace`; then a short property test of random bytes and of mutated seeds
//! through each target.

#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use fuzz_harness::{TARGETS, Target, repo_root};
use proptest::prelude::*;

/// The files of `fuzz/<kind>/<target>/`, in name order.
fn files(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = repo_root().join("fuzz").join(kind).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn target(name: &str) -> Target {
    TARGETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no target `{name}`"))
}

/// Runs every file through the target; reports each failing file by name.
fn replay(name: &str, files: &[PathBuf]) {
    let run = target(name);
    let failed: Vec<String> = files
        .iter()
        .filter(|file| {
            let bytes = std::fs::read(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            catch_unwind(AssertUnwindSafe(|| run(&bytes))).is_err()
        })
        .map(|file| display(file))
        .collect();
    assert!(failed.is_empty(), "{name}: failing inputs: {failed:#?}");
}

fn display(file: &Path) -> String {
    file.strip_prefix(repo_root())
        .unwrap_or(file)
        .display()
        .to_string()
}

fn seeds(name: &str) {
    let seeds = files("seeds", name);
    assert!(
        seeds.len() >= 5,
        "fuzz/seeds/{name} has {} files: rebuild it with fuzz/seed.sh",
        seeds.len()
    );
    replay(name, &seeds);
}

fn regressions(name: &str) {
    replay(name, &files("regressions", name));
}

macro_rules! replay_tests {
    ($($name:ident),*) => {
        mod seeds {
            $(#[test] fn $name() { super::seeds(stringify!($name)); })*
        }
        mod regressions {
            $(#[test] fn $name() { super::regressions(stringify!($name)); })*
        }
    };
}

replay_tests!(policy, arn_glob, authorizer_event, scenario, jwt);

#[test]
fn every_target_is_replayed_and_has_a_fuzz_target() {
    for (name, _) in TARGETS {
        let source = repo_root().join(format!("fuzz/fuzz_targets/{name}.rs"));
        assert!(
            source.is_file(),
            "no cargo-fuzz target {}",
            source.display()
        );
    }
    let listed = std::fs::read_to_string(repo_root().join("fuzz/Cargo.toml"))
        .unwrap_or_else(|e| panic!("fuzz/Cargo.toml: {e}"));
    for (name, _) in TARGETS {
        assert!(
            listed.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml has no [[bin]] `{name}`"
        );
    }
}

/// A seed of `target` with a few bytes changed, inserted or removed.
fn mutated(target: &str, pick: usize, edits: &[(usize, u8, u8)]) -> Vec<u8> {
    let seeds = files("seeds", target);
    let Some(seed) = seeds.get(pick % seeds.len().max(1)) else {
        return Vec::new();
    };
    let mut bytes = std::fs::read(seed).unwrap_or_default();
    for &(at, kind, byte) in edits {
        let at = at % (bytes.len() + 1);
        match kind % 3 {
            0 if at < bytes.len() => bytes[at] = byte,
            1 => bytes.insert(at, byte),
            _ if at < bytes.len() => {
                bytes.remove(at);
            }
            _ => bytes.push(byte),
        }
    }
    bytes
}

proptest! {
    // No failure file: a failure here is reproduced by adding its input to fuzz/regressions.
    #![proptest_config(ProptestConfig {
        cases: 24,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_bytes_never_break_a_target(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        for (_, run) in TARGETS {
            run(&bytes);
        }
    }

    #[test]
    fn mutated_seeds_never_break_a_target(
        pick in any::<usize>(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6),
    ) {
        for (name, run) in TARGETS {
            run(&mutated(name, pick, &edits));
        }
    }
}
