//! The behaviour corpus: every scenario file in `tests/scenarios/` (one file per documented
//! rule) and `examples/scenarios/` must pass, run through the same library call users make
//! from their own `cargo test`.

#![allow(
    clippy::panic,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use std::path::Path;

#[path = "../authorizer/tests/checksums/mod.rs"]
mod checksums;

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

/// The seed's worked scenarios are kept in `examples/scenarios/` byte for byte, and
/// `SEED-COPIES.sha256` records each original's hash: every checkout checks its copies against
/// it, and `bundled_examples_pass` runs them. Where the project's shared folder sits beside the
/// checkout (as in CI), the originals there are run too and must equal the copies.
#[test]
fn seed_scenario_copies_are_the_originals_byte_for_byte() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let copies = checksums::verify(&root.join("examples/scenarios/SEED-COPIES.sha256"));
    assert_eq!(copies.len(), 4);
    let report = apigw_authz::run_paths(&copies).unwrap_or_else(|e| panic!("{e}"));
    assert!(report.all_passed() && report.passed() > 0, "{report}");
    let shared = root.join("../shared/scenarios");
    if !shared.exists() {
        eprintln!(
            "note: {} is absent: the copies were checked against SEED-COPIES.sha256 only",
            shared.display()
        );
        return;
    }
    for copy in &copies {
        let original = shared.join(copy.file_name().unwrap_or_default());
        let report = apigw_authz::run_paths(&[&original]).unwrap_or_else(|e| panic!("{e}"));
        assert!(report.all_passed(), "{report}");
        assert_eq!(
            std::fs::read(copy).unwrap_or_default(),
            std::fs::read(&original).unwrap_or_default(),
            "{} drifted from {}",
            copy.display(),
            original.display()
        );
    }
}

/// `decide*` (no explanation, the fast path `policy-sim test` takes) reaches exactly the
/// decision `handle*` explains, for every case of the corpus: the two share one flow and
/// differ only in whether steps are recorded.
#[test]
fn quiet_decisions_equal_explained_ones_across_the_corpus() {
    use policy_engine::cache::AuthorizerCache;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scenarios = policy_engine::scenario::load_paths_with(
        &[
            root.join("tests/scenarios"),
            root.join("examples/scenarios"),
        ],
        apigw_authz::options(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut compared = 0;
    for s in &scenarios {
        let ttl = s.lambda.as_ref().map_or(0, |l| l.ttl_seconds);
        let (quiet_cache, explained_cache) = (
            AuthorizerCache::new(ttl, 1_000).unwrap_or_else(|e| panic!("{e}")),
            AuthorizerCache::new(ttl, 1_000).unwrap_or_else(|e| panic!("{e}")),
        );
        let start = s.start_time.unwrap_or(1_767_225_600);
        for case in &s.cases {
            let now = start + case.at;
            let (quiet, explained) = match &s.lambda {
                Some(l) => (
                    s.gateway
                        .decide_with_authorizer(&case.request, now, &mut || {
                            l.call(&s.gateway.api, &case.request, &quiet_cache, now)
                        }),
                    s.gateway
                        .handle_with_authorizer(&case.request, now, &mut || {
                            l.call(&s.gateway.api, &case.request, &explained_cache, now)
                        }),
                ),
                None => (
                    s.gateway.decide(&case.request, now),
                    s.gateway.handle(&case.request, now),
                ),
            };
            match (quiet, explained) {
                (Ok(quiet), Ok(mut explained)) => {
                    assert!(quiet.steps.is_empty(), "{}: {}", s.file, case.name);
                    assert!(!explained.steps.is_empty(), "{}: {}", s.file, case.name);
                    explained.steps.clear();
                    assert_eq!(quiet, explained, "{}: {}", s.file, case.name);
                }
                (Err(q), Err(e)) => assert_eq!(q, e),
                (q, e) => panic!("{}: {}: {q:?} vs {e:?}", s.file, case.name),
            }
            compared += 1;
        }
    }
    assert!(compared >= 380, "only {compared} cases compared");
}
