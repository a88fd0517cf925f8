//! The behaviour corpus: every scenario file in `tests/scenarios/` (one file per documented
//! rule) and `examples/scenarios/` must pass, run through the same library call users make
//! from their own `cargo test`.

#![allow(
    clippy::panic,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use std::path::Path;

fn assert_all_pass(dir: &str) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let report = apigw_authz::run_paths(&[root.join(dir)]).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.all_passed(), "{report}");
    assert!(report.passed() > 0, "no cases ran in {dir}");
    report.passed()
}

#[test]
fn rule_corpus_passes() {
    let passed = assert_all_pass("tests/scenarios");
    assert!(passed >= 330, "the corpus shrank to {passed} cases");
}

#[test]
fn bundled_examples_pass() {
    assert_all_pass("examples/scenarios");
}

/// The seed's worked scenarios, from the project's shared folder when it sits beside the
/// checkout (as in CI); the copies in `examples/scenarios/` are checked above either way.
#[test]
fn shared_seed_scenarios_pass_when_present() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let shared = root.join("../shared/scenarios");
    for name in [
        "seed-ip-range.json",
        "seed-cross-account-roles.json",
        "seed-vpce-lambda-authorizer.json",
        "cache-first-method-trap.json",
    ] {
        let file = shared.join(name);
        if !file.exists() {
            continue;
        }
        let report = apigw_authz::run_paths(&[&file]).unwrap_or_else(|e| panic!("{e}"));
        assert!(report.all_passed(), "{report}");
        let copy =
            std::fs::read_to_string(root.join("examples/scenarios").join(name)).unwrap_or_default();
        let original = std::fs::read_to_string(&file).unwrap_or_default();
        assert_eq!(
            copy, original,
            "examples/scenarios/{name} drifted from shared/"
        );
    }
}
