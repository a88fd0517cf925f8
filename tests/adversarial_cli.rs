//! Adversarial input to the real `policy-sim` binary (issue #6): files that are not UTF-8,
//! hold NUL bytes, nest JSON past any sane depth or weigh 5 MB, and a reader that closes the
//! pipe. Each run must end with a clear message and exit status 2 for input it cannot use (0/1
//! for input it can), within a time bound, never with a panic or a backtrace.
//!
//! The inputs are generated into a scratch folder: a 5 MB fixture does not belong in git.

#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

const API: &str = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5";

/// A scratch folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "policy-sim-adversarial-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{e}"));
    path.display().to_string()
}

/// Statements of about 500 bytes up to `bytes`, then a deny and an allow that decide
/// `GET /blocked` and `GET /open`; everything else is allowed only for its own path.
fn large_policy(bytes: usize) -> Value {
    let mut statements = Vec::new();
    let mut size = 0;
    while size < bytes {
        let statement = json!({"Sid": format!("S{}", statements.len()), "Effect": "Allow",
            "Principal": "*", "Action": "execute-api:Invoke",
            "Resource": format!("execute-api:/prod/GET/{}{}", "x".repeat(400), statements.len())});
        size += statement.to_string().len();
        statements.push(statement);
    }
    statements.push(json!({"Sid": "Blocked", "Effect": "Deny", "Principal": "*",
        "Action": "execute-api:Invoke", "Resource": "execute-api:/*/GET/blocked"}));
    statements.push(json!({"Sid": "Open", "Effect": "Allow", "Principal": "*",
        "Action": "execute-api:Invoke", "Resource": ["execute-api:/prod/GET/open", "execute-api:/prod/GET/blocked"]}));
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// `policy-sim ... | head -1`: the reader closes the pipe before the report is written. The
/// report is more than a pipe buffer (64 KB), so the write fails with `EPIPE` whatever the
/// timing. `println!` panicked there ("failed printing to stdout: Broken pipe"); now the rest
/// of the report is dropped quietly and the exit status still gives the decision.
#[test]
fn a_reader_that_closes_the_pipe_is_not_a_panic() {
    let dir = scratch("pipe");
    let policy = write(
        &dir,
        "policy.json",
        large_policy(300_000).to_string().as_bytes(),
    );
    for (path, status) in [("/open", 0), ("/blocked", 1)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_policy-sim"))
            .args([
                "check",
                "--resource-policy",
                &policy,
                "--api",
                API,
                "--stage",
                "prod",
                "--method",
                "GET",
                "--path",
                path,
            ])
            .env("RUST_BACKTRACE", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        drop(child.stdout.take());
        let mut stderr = String::new();
        if let Some(mut pipe) = child.stderr.take() {
            pipe.read_to_string(&mut stderr)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let code = child.wait().unwrap_or_else(|e| panic!("{e}")).code();
        assert_eq!(stderr, "", "{path}");
        assert_eq!(code, Some(status), "{path}");
    }
}
