//! Adversarial input to the authorizer (issue #6): events, tokens and configuration files that
//! are malformed, oversized, deeply nested, carry NUL bytes, or repeat and re-case the header
//! that holds the token. Each test asserts the exact outcome — an `Unauthorized` (401) with its
//! logged reason, a named error, or the decision — within a generous time bound, and never an
//! allow the token does not earn.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

const SECRET: &str = "test-only hmac secret, at least 32 bytes";
const ISSUER: &str = "https://idp.test/";
const API: &str = "arn:aws:execute-api:us-east-1:123456789012:abc123";

fn arn(path: &str) -> String {
    format!("{API}/prod/GET{path}")
}

fn rules(extra: Value) -> Value {
    let mut rules = json!({
        "jwt": {"issuer": ISSUER, "audiences": ["api"], "hmacSecretEnv": "SECRET",
                "algorithms": ["HS256"]},
        "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]}]
    });
    if let (Some(r), Some(e)) = (rules.as_object_mut(), extra.as_object()) {
        r.extend(e.clone());
    }
    rules
}

fn claims(sub: &str) -> Value {
    json!({"iss": ISSUER, "aud": "api", "sub": sub, "exp": 4_102_444_800_u64,
           "scope": "pets:read"})
}

fn token_for(claims: &Value) -> String {
    encode(
        &Header::default(),
        claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

fn good() -> String {
    token_for(&claims("alice"))
}

fn token_event(token: &str) -> Value {
    json!({"type": "TOKEN", "authorizationToken": token, "methodArn": arn("/pets")})
}

fn within<T>(limit: Duration, what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    assert!(took < limit, "{what} took {took:?}, limit {limit:?}");
    out
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "authorizer-adversarial-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------------------------------------------------------------------------------------------
// The binary
// ---------------------------------------------------------------------------------------------

/// `authorizer invoke ... | head -c 0`: the reader is gone before the response is written.
/// `println!` panicked there; now the response is dropped and the exit status is the
/// decision's. The event is written only after the reader closed, so the timing is fixed.
#[test]
fn invoke_with_a_closed_stdout_is_not_a_panic() {
    let dir = scratch("pipe");
    std::fs::write(dir.join("rules.json"), rules(json!({})).to_string()).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_authorizer"))
        .args(["invoke", "--config"])
        .arg(dir.join("rules.json"))
        .env("SECRET", SECRET)
        .env("RUST_BACKTRACE", "1")
        .env_remove("AUTHORIZER_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let event = token_event(&format!("Bearer {}", good()));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(event.to_string().as_bytes()).unwrap();
    drop(stdin);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = within(Duration::from_secs(30), "invoke", || child.wait().unwrap());
    assert_eq!(stderr, "");
    assert_eq!(status.code(), Some(0));
}
