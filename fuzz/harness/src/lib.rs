//! # fuzz-harness
//!
//! The logic of the fuzz targets in `fuzz/fuzz_targets/`, one function per target, kept in a
//! normal workspace crate so that it builds on stable and its tests replay every seed and
//! regression input in `cargo test --workspace` (`tests/replay.rs`):
//!
//! - [`policy()`]: policy JSON parsed as a resource and as an identity policy, compiled, written
//!   back and evaluated against requests derived from the policy itself, through the engine
//!   and through the gateway flow, quiet and explained; the lints' "never matches" verdicts
//!   held against what evaluation does;
//! - [`arn_glob()`]: execute-api ARN parsing and the wildcard matcher against a reference;
//! - [`authorizer_event()`]: any event through the rules-file authorizer's handler, optionally
//!   with a token the harness signs over claims taken from the input;
//! - [`scenario()`]: scenario files parsed, linted and run, quiet and explained;
//! - [`jwt()`]: arbitrary bytes as a token, and tokens the harness signs over a header and claims
//!   taken from the input.
//!
//! Each function accepts any bytes. Beyond not panicking, it asserts invariants; a failed
//! assertion is a finding, and libFuzzer records the input that caused it. Nothing here
//! touches the network or runs programs: keys are the test-only keys of
//! `authorizer/tests/keys` (a JWKS file of their public halves is in `keys/`) and an HMAC
//! secret; scenario files may name only the rules files and OpenAPI export of this
//! repository, and their `command` authorizers are never run.
#![allow(
    clippy::panic,
    clippy::expect_used,
    reason = "a fuzz harness reports a broken invariant by panicking (the crash libFuzzer records), and a harness whose fixed test keys or rules do not load is broken"
)]

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use policy_engine::arn::ApiRef;

pub mod arn_glob;
pub mod event;
pub mod jwt;
mod keys;
pub mod policy;
pub mod scenario;
pub mod seeds;

pub use arn_glob::arn_glob;
pub use event::authorizer_event;
pub use jwt::jwt;
pub use policy::policy;
pub use scenario::scenario;

/// A fuzz target's function: any bytes in, a panic on a broken invariant.
pub type Target = fn(&[u8]);

/// Every target: its name (the `cargo fuzz` target, and its folder under `fuzz/seeds/` and
/// `fuzz/regressions/`) and its function.
pub const TARGETS: [(&str, Target); 5] = [
    ("policy", policy),
    ("arn_glob", arn_glob),
    ("authorizer_event", authorizer_event),
    ("scenario", scenario),
    ("jwt", jwt),
];

/// The repository's root folder (the harness reads its example rules files and exports).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The API of every policy and ARN the harness makes up.
fn api_ref() -> ApiRef {
    ApiRef {
        partition: "aws".into(),
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
        api_id: "a1b2c3d4e5".into(),
    }
}

/// Whether `text` is a method ARN of [`api_ref`] as the lints model them: API prefix, stage,
/// verb, path, and no `:` after the API id.
fn is_method_arn(text: &str) -> bool {
    let prefix = format!("{}/", api_ref().arn_prefix());
    let Some(rest) = text.strip_prefix(&prefix) else {
        return false;
    };
    let segment = |s: &str| !s.is_empty() && !s.contains([':', '/']);
    let mut parts = rest.splitn(3, '/');
    let (Some(stage), Some(verb), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    segment(stage) && segment(verb) && !path.contains(':')
}

/// The current-thread runtime that drives the async handler and verifier, built once.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime")
    });
    &RUNTIME
}

/// Splits `data` at its first NUL byte, which valid JSON never holds (not even inside a
/// string): the structured modes put a second part after one.
fn split_nul(data: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = data.iter().position(|&b| b == 0)?;
    Some((data.get(..at)?, data.get(at + 1..)?))
}
