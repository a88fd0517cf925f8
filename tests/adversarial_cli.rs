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
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

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

fn policy_sim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_policy-sim"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run policy-sim: {e}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Run `args` within `limit`; the run must not panic (with `RUST_BACKTRACE=1` a panic would
/// print `panicked` and a backtrace on stderr).
fn run(limit: Duration, args: &[&str]) -> Output {
    let started = Instant::now();
    let out = policy_sim(args);
    let took = started.elapsed();
    assert!(took < limit, "{args:?} took {took:?}, limit {limit:?}");
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("stack backtrace"),
        "{args:?}: {stderr}"
    );
    out
}

/// `test`, `check` and `lint` on `file`, each expected to exit 2 with `error: {file}: {problem}`
/// as the whole of stderr and nothing on stdout.
fn refused_everywhere(file: &str, problem: &str) {
    let check = [
        "check",
        "--resource-policy",
        file,
        "--api",
        API,
        "--stage",
        "prod",
        "--method",
        "GET",
        "--path",
        "/",
    ];
    for args in [&["test", file][..], &check[..], &["lint", file][..]] {
        let out = run(Duration::from_secs(10), args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(
            text(&out.stderr),
            format!("error: {file}: {problem}\n"),
            "{args:?}"
        );
        assert!(out.stdout.is_empty(), "{args:?}: {}", text(&out.stdout));
    }
}

#[test]
fn a_file_that_is_not_utf8_is_refused_with_exit_2() {
    let dir = scratch("utf8");
    // Latin-1 `é` in a value, and UTF-16 (what some editors save), with its byte-order mark.
    let latin1 = write(
        &dir,
        "latin1.json",
        b"{\"Version\": \"2012-10-17\", \"Id\": \"caf\xe9\"}",
    );
    refused_everywhere(
        &latin1,
        "cannot read the file (stream did not contain valid UTF-8)",
    );
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain("{}".encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let utf16 = write(&dir, "utf16.json", &utf16);
    refused_everywhere(
        &utf16,
        "cannot read the file (stream did not contain valid UTF-8)",
    );
}

#[test]
fn raw_nul_bytes_are_refused_with_the_line_and_column() {
    let dir = scratch("nul");
    // Between tokens, and inside a string (JSON forbids raw control characters there).
    let between = write(
        &dir,
        "between.json",
        b"{\"Version\": \"2012-10-17\",\0 \"Statement\": []}",
    );
    refused_everywhere(
        &between,
        "not valid JSON: key must be a string at line 1 column 26",
    );
    let inside = write(&dir, "inside.json", b"{\"Version\": \"2012\0-10-17\"}");
    refused_everywhere(
        &inside,
        "not valid JSON: control character (\\u0000-\\u001F) found while parsing a string at line 1 column 18",
    );
}

#[test]
fn deeply_nested_json_is_refused_not_a_stack_overflow() {
    let dir = scratch("deep");
    let arrays = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let arrays = write(&dir, "arrays.json", arrays.as_bytes());
    refused_everywhere(
        &arrays,
        "not valid JSON: recursion limit exceeded at line 1 column 128",
    );
    // Nested inside an otherwise valid policy, where the parser has already descended.
    let nested = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": {}{}}}",
        "{\"a\":".repeat(50_000),
        "}".repeat(50_000)
    );
    let nested = write(&dir, "nested.json", nested.as_bytes());
    refused_everywhere(
        &nested,
        "not valid JSON: recursion limit exceeded at line 1 column 670",
    );
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

/// A 5 MB resource policy is valid JSON and a valid policy: `check` evaluates it (API
/// Gateway's quota of 8,192 characters can be raised, so the simulator does not refuse it),
/// and `lint` reports the quota as an error finding (exit 1, not 2).
#[test]
fn a_5_mb_policy_is_evaluated_and_linted_against_the_quota() {
    let dir = scratch("large");
    let policy = large_policy(5_000_000);
    let policy_text = policy.to_string();
    assert!(policy_text.len() > 5_000_000);
    let file = write(&dir, "policy.json", policy_text.as_bytes());
    let limit = Duration::from_secs(60);

    // The two runs are independent: run them side by side. (The engine's own tests decide
    // the other paths of a 5 MB policy, without the cost of a process per request.)
    let check_args = [
        "check",
        "--format",
        "json",
        "--resource-policy",
        &file,
        "--api",
        API,
        "--stage",
        "prod",
        "--method",
        "GET",
        "--path",
        "/blocked",
    ];
    let lint_args = ["lint", "--format", "json", &file, "--api", API];
    let (check, lint) = std::thread::scope(|s| {
        let check = s.spawn(|| run(limit, &check_args));
        let lint = run(limit, &lint_args);
        (check.join().unwrap_or_else(|_| panic!("check")), lint)
    });

    // `check`: the deny wins over the allow listing the same method.
    assert_eq!(check.status.code(), Some(1), "{}", text(&check.stderr));
    let report: Value = serde_json::from_slice(&check.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["result"]["decision"], "ExplicitDeny");
    assert_eq!(report["result"]["status"], 403);

    // `lint`: the quota, as an error finding.
    assert_eq!(lint.status.code(), Some(1), "{}", text(&lint.stderr));
    let report: Value = serde_json::from_slice(&lint.stdout).unwrap_or_else(|e| panic!("{e}"));
    let findings = report["files"][0]["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["code"], "policy-size");
    assert_eq!(findings[0]["severity"], "error");
    assert!(
        findings[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("above API Gateway's default quota of 8192")),
        "{}",
        findings[0]["message"]
    );
    // 5 MB per run is too much to leave in the temporary folder.
    std::fs::remove_dir_all(&dir).ok();
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
