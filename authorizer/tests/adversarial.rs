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
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use authorizer::event::{AuthorizerEvent, EventError};
use authorizer::handler::RulesAuthorizer;
use authorizer::rules::Config;
use authorizer::{AuthorizerError, AuthorizerResponse};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};

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

fn config(rules: &Value) -> Config {
    Config::parse("rules.json", &rules.to_string(), Path::new("."), &|_| {
        Some(SECRET.to_owned())
    })
    .unwrap()
}

async fn authorizer(extra: Value) -> RulesAuthorizer {
    RulesAuthorizer::new(config(&rules(extra))).await.unwrap()
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

/// A token signed over exactly this header and payload text (duplicate members and all).
fn raw_token(header: &str, payload: &str) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = jsonwebtoken::crypto::sign(
        input.as_bytes(),
        &EncodingKey::from_secret(SECRET.as_bytes()),
        Algorithm::HS256,
    )
    .unwrap();
    format!("{input}.{signature}")
}

/// What the authorizer answers `event`: the principal it allowed, or the error with its reason.
async fn answer(authorizer: &RulesAuthorizer, event: &Value) -> Result<String, AuthorizerError> {
    let event = AuthorizerEvent::from_json(event).unwrap();
    let (response, _) = authorizer.handle(&event).await?;
    match response {
        AuthorizerResponse::Policy(p) => Ok(p.principal_id),
        AuthorizerResponse::Simple(s) => Ok(format!("isAuthorized={}", s.is_authorized)),
    }
}

fn unauthorized(reason: &str) -> Result<String, AuthorizerError> {
    Err(AuthorizerError::unauthorized(reason))
}

fn token_event(token: &str) -> Value {
    json!({"type": "TOKEN", "authorizationToken": token, "methodArn": arn("/pets")})
}

fn rest_request(headers: Value, multi: Value) -> Value {
    json!({"type": "REQUEST", "methodArn": arn("/pets"), "headers": headers,
           "multiValueHeaders": multi})
}

fn v2_request(headers: Value) -> Value {
    json!({"version": "2.0", "type": "REQUEST", "routeArn": arn("/pets"), "headers": headers})
}

fn within<T>(limit: Duration, what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    assert!(took < limit, "{what} took {took:?}, limit {limit:?}");
    out
}

// ---------------------------------------------------------------------------------------------
// Event bytes
// ---------------------------------------------------------------------------------------------

fn not_json(bytes: &[u8]) -> String {
    match AuthorizerEvent::from_slice(bytes) {
        Err(EventError::NotJson { problem }) => problem,
        other => panic!("not a `NotJson` error: {other:?}"),
    }
}

/// Bytes that are not JSON text are `NotJson` with serde's line and column: invalid UTF-8,
/// raw NUL bytes, a lone surrogate escape, and nesting past 128 levels (also inside an
/// otherwise valid event; `event.rs` covers 10,000 bare `[`). Parsed on a 1 MB stack, half a
/// tokio worker's.
#[test]
fn event_bytes_that_are_not_json_are_named_errors() {
    std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let deep_header = format!(
                "{{\"type\": \"REQUEST\", \"methodArn\": \"a\", \"headers\": {{\"x\": {}{}}}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            );
            for (bytes, problem) in [
                (
                    &b"{\"type\": \"TOKEN\", \"authorizationToken\": \"\xff\xfe\", \"methodArn\": \"a\"}"[..],
                    "invalid unicode code point at line 1 column 42",
                ),
                (
                    b"{\"type\": \"TOKEN\",\0 \"authorizationToken\": \"t\", \"methodArn\": \"a\"}",
                    "key must be a string at line 1 column 18",
                ),
                (
                    b"{\"type\": \"TOKEN\", \"authorizationToken\": \"a\0b\", \"methodArn\": \"a\"}",
                    "control character (\\u0000-\\u001F) found while parsing a string at line 1 column 43",
                ),
                (
                    b"{\"type\": \"TOKEN\", \"authorizationToken\": \"\\ud800\", \"methodArn\": \"a\"}",
                    "unexpected end of hex escape at line 1 column 48",
                ),
                (
                    deep_header.as_bytes(),
                    "recursion limit exceeded at line 1 column 181",
                ),
            ] {
                let shown: String = String::from_utf8_lossy(bytes).chars().take(80).collect();
                assert_eq!(not_json(bytes), problem, "{shown:?}");
            }
        })
        .unwrap()
        .join()
        .unwrap();
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

/// Tokens that are oversized, carry NUL bytes (escaped in the event JSON), are empty or are
/// two tokens joined by a comma are all 401 with a reason for the logs — never a 500, never
/// an allow.
#[tokio::test]
async fn hostile_tokens_are_unauthorized_with_a_reason() {
    let a = authorizer(json!({})).await;
    let good = good();
    assert_eq!(
        answer(&a, &token_event(&format!("Bearer {good}"))).await,
        Ok("alice".into())
    );
    let megabyte = "x".repeat(1 << 20);
    for (token, reason) in [
        (megabyte.clone(), "token is larger than 8192 bytes"),
        (
            format!("Bearer {}", "a.b.".repeat(3_000)),
            "token is larger than 8192 bytes",
        ),
        (
            format!("Bearer {good}\u{0}"),
            "malformed token: signature is not base64url",
        ),
        (
            format!("Bearer \u{0}{good}"),
            "malformed token: header is not base64url",
        ),
        (
            format!("\u{0}Bearer {good}"),
            "malformed token: header is not base64url",
        ),
        (
            format!("Bearer {good},Bearer {good}"),
            "malformed token: not three dot-separated parts",
        ),
        (
            format!("Bearer {good}, {good}"),
            "malformed token: not three dot-separated parts",
        ),
        ("".into(), "the token is empty"),
        ("   ".into(), "the token is empty"),
        (
            "Bearer ".into(),
            "malformed token: not three dot-separated parts",
        ),
    ] {
        let started = Instant::now();
        assert_eq!(
            answer(&a, &token_event(&token)).await,
            unauthorized(reason),
            "{:?}",
            token.get(..40)
        );
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    // The same through a header of a REQUEST event, and as the whole JSON of the event.
    assert_eq!(
        answer(
            &a,
            &rest_request(json!({"Authorization": megabyte}), json!({}))
        )
        .await,
        unauthorized("token is larger than 8192 bytes")
    );
}

/// A claim with an escaped NUL is carried as it was signed: `principalId` is the whole
/// `sub`, not `sub` cut at the NUL.
#[tokio::test]
async fn nul_bytes_inside_claims_are_kept_whole() {
    let a = authorizer(json!({})).await;
    let token = token_for(&claims("alice\u{0}admin"));
    assert_eq!(
        answer(&a, &token_event(&token)).await,
        Ok("alice\u{0}admin".into())
    );
}

/// Duplicate members: RFC 7515 and 7519 let a JSON parser take the last one, and the
/// verifier does — consistently for the header and the claims. So `alg` `none` followed by
/// `HS256` is an HS256 token (its signature is checked), `HS256` followed by `none` is refused
/// as `none`, and a repeated `sub` names the last subject the issuer signed.
#[tokio::test]
async fn duplicate_members_in_the_token_take_the_last_one() {
    let a = authorizer(json!({})).await;
    let payload = format!(
        "{{\"iss\":\"{ISSUER}\",\"aud\":\"api\",\"sub\":\"alice\",\"exp\":4102444800,\"scope\":\"pets:read\",\"sub\":\"mallory\"}}"
    );
    let last_wins = raw_token(
        "{\"alg\":\"none\",\"alg\":\"HS256\",\"typ\":\"JWT\"}",
        &payload,
    );
    assert_eq!(
        answer(&a, &token_event(&last_wins)).await,
        Ok("mallory".into())
    );
    let none_last = raw_token("{\"alg\":\"HS256\",\"alg\":\"none\"}", &payload);
    assert_eq!(
        answer(&a, &token_event(&none_last)).await,
        unauthorized("token algorithm none is never accepted")
    );
    // A second `exp` in the past expires the token whatever the first said.
    let expired = raw_token(
        "{\"alg\":\"HS256\"}",
        &format!(
            "{{\"iss\":\"{ISSUER}\",\"aud\":\"api\",\"sub\":\"a\",\"exp\":4102444800,\"exp\":1}}"
        ),
    );
    assert_eq!(
        answer(&a, &token_event(&expired)).await,
        unauthorized("token is expired")
    );
}

/// Nesting in the token past serde's 128 levels: in the claims, or in the header's `alg`, it is
/// a malformed token (the 8 KB size limit keeps any token far from a stack problem). Header
/// members the verifier does not read are skipped without building them — serde's skipping is
/// iterative, so at any depth — and do not stop a valid token; nesting inside the limit is
/// just a claim the rules do not read.
#[tokio::test]
async fn deeply_nested_token_json_is_a_malformed_token() {
    let a = authorizer(json!({})).await;
    let deep = format!("{}{}", "[".repeat(1_000), "]".repeat(1_000));
    let claims_text = |extra: &str| {
        format!(
            "{{\"iss\":\"{ISSUER}\",\"aud\":\"api\",\"sub\":\"alice\",\"exp\":4102444800,\"scope\":\"pets:read\"{extra}}}"
        )
    };
    assert_eq!(
        answer(
            &a,
            &token_event(&raw_token(
                "{\"alg\":\"HS256\"}",
                &claims_text(&format!(",\"x\":{deep}"))
            ))
        )
        .await,
        unauthorized("malformed token: payload is not a json object")
    );
    assert_eq!(
        answer(
            &a,
            &token_event(&raw_token(&format!("{{\"alg\":{deep}}}"), &claims_text("")))
        )
        .await,
        unauthorized("malformed token: header is not a json object")
    );
    assert_eq!(
        answer(
            &a,
            &token_event(&raw_token(
                &format!("{{\"alg\":\"HS256\",\"x\":{deep}}}"),
                &claims_text("")
            ))
        )
        .await,
        Ok("alice".into())
    );
    let mut nested = json!("x");
    for _ in 0..100 {
        nested = json!([nested]);
    }
    let mut c = claims("alice");
    c["x"] = nested;
    assert_eq!(
        answer(&a, &token_event(&token_for(&c))).await,
        Ok("alice".into())
    );
}

// ---------------------------------------------------------------------------------------------
// Which header holds the token
// ---------------------------------------------------------------------------------------------
//
// Already covered in event.rs: `header` ignores ASCII case and prefers the exact name,
// `header_values` and `query_values` read every value of `multiValueHeaders` /
// `multiValueQueryStringParameters` and split HTTP API 2.0's joined values.

/// The token header under any casing, and sent twice, as each payload format carries it. The
/// documented accessors decide which value is the token (REST: the `headers` value, which
/// API Gateway fills with one of the repeated values; else the first of `multiValueHeaders`;
/// an exact-case name before other casings; HTTP API 2.0: the values joined with `,`). A
/// joined pair of tokens is never split to find one that verifies: it is a 401.
#[tokio::test]
async fn repeated_and_recased_token_headers_follow_the_documented_accessors() {
    let a = authorizer(json!({})).await;
    let good = format!("Bearer {}", good());
    let mallory = format!("Bearer {}", token_for(&claims("mallory")));
    let cases = [
        (
            "lower-case name",
            rest_request(json!({"authorization": good}), json!({})),
            Ok("alice".to_owned()),
        ),
        (
            "exact-case name before another casing",
            rest_request(
                json!({"AUTHORIZATION": "garbage", "Authorization": good}),
                json!({}),
            ),
            Ok("alice".to_owned()),
        ),
        (
            "two other casings: the first in name order",
            rest_request(
                json!({"authorization": mallory, "AUTHORIZATION": good}),
                json!({}),
            ),
            Ok("alice".to_owned()),
        ),
        (
            "only multiValueHeaders: its first value",
            rest_request(json!({}), json!({"Authorization": [good, mallory]})),
            Ok("alice".to_owned()),
        ),
        (
            "headers before multiValueHeaders",
            rest_request(
                json!({"Authorization": "garbage"}),
                json!({"Authorization": [good]}),
            ),
            unauthorized("malformed token: not three dot-separated parts"),
        ),
        (
            "empty header",
            rest_request(
                json!({"Authorization": ""}),
                json!({"Authorization": [good]}),
            ),
            unauthorized("the token is empty"),
        ),
        (
            "2.0: one header",
            v2_request(json!({"authorization": good})),
            Ok("alice".to_owned()),
        ),
        (
            "2.0: two headers, joined",
            v2_request(json!({"authorization": format!("{good},{mallory}")})),
            unauthorized("malformed token: not three dot-separated parts"),
        ),
        (
            "2.0: no header",
            v2_request(json!({})),
            unauthorized("no token in the request"),
        ),
    ];
    for (name, event, expected) in cases {
        assert_eq!(answer(&a, &event).await, expected, "{name}");
    }
}

/// A token in the query string: repeated values follow the same accessors (REST: the
/// `queryStringParameters` value; 2.0: joined, a 401), and the name is case-sensitive.
#[tokio::test]
async fn repeated_and_recased_token_parameters() {
    let a = authorizer(json!({"token": {"query": "access_token"}})).await;
    let good = good();
    let query = |single: Value, multi: Value| {
        json!({"type": "REQUEST", "methodArn": arn("/pets"), "queryStringParameters": single,
               "multiValueQueryStringParameters": multi})
    };
    assert_eq!(
        answer(
            &a,
            &query(
                json!({"access_token": good}),
                json!({"access_token": ["x", good]})
            )
        )
        .await,
        Ok("alice".into())
    );
    assert_eq!(
        answer(&a, &query(json!({"Access_Token": good}), json!({}))).await,
        unauthorized("no token in the request")
    );
    let v2 = json!({"version": "2.0", "type": "REQUEST", "routeArn": arn("/pets"),
        "rawQueryString": format!("access_token={good}&access_token={good}"),
        "queryStringParameters": {"access_token": format!("{good},{good}")}});
    assert_eq!(
        answer(&a, &v2).await,
        unauthorized("malformed token: not three dot-separated parts")
    );
}

// ---------------------------------------------------------------------------------------------
// Rules-file routes
// ---------------------------------------------------------------------------------------------

/// Route paths use IAM wildcards: pathological ones against a 10,000-character path decide
/// quickly and correctly, for a simple response (the request's own path) and for the policy
/// (whose resources carry the same patterns).
#[tokio::test]
async fn pathological_route_patterns_decide_quickly() {
    let long_segment = format!("GET /*?{}b", "a".repeat(5_000));
    let a = authorizer(json!({
        "httpApiResponse": "simple",
        "rules": [{"routes": ["GET /*a*a*a*a*a*a*a*a*b", "GET /*a?a*a*a?a*a*a*a*b", long_segment],
                   "anyScope": ["pets:read"]}]
    }))
    .await;
    let token = format!("Bearer {}", good());
    let simple = |path: &str| {
        json!({"version": "2.0", "type": "REQUEST", "routeArn": arn(path), "rawPath": path,
               "headers": {"authorization": token},
               "requestContext": {"http": {"method": "GET", "path": path}}})
    };
    let a10k = format!("/{}", "a".repeat(10_000));
    let started = Instant::now();
    assert_eq!(
        answer(&a, &simple(&a10k)).await,
        Ok("isAuthorized=false".into())
    );
    assert_eq!(
        answer(&a, &simple(&format!("{a10k}b"))).await,
        Ok("isAuthorized=true".into())
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "{took:?}");
}

// ---------------------------------------------------------------------------------------------
// Configuration files
// ---------------------------------------------------------------------------------------------

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "authorizer-adversarial-{name}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Rules files and JWKS files that are not UTF-8, hold raw NULs or nest past 128 levels stop
/// the function at init with the file named — never a silent allow at the first request.
#[tokio::test]
async fn hostile_configuration_files_stop_the_function_at_init() {
    let dir = scratch("config");
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    for (name, bytes, problem) in [
        (
            "latin1.json",
            b"{\"jwt\": \"caf\xe9\"}".to_vec(),
            "cannot read the rules file (stream did not contain valid UTF-8)",
        ),
        (
            "nul.json",
            b"{\"jwt\":\0 {}}".to_vec(),
            "not valid JSON: expected value at line 1 column 8",
        ),
        (
            "deep.json",
            format!("{{\"jwt\": {deep}}}").into_bytes(),
            "not valid JSON: recursion limit exceeded at line 1 column 135",
        ),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let e = Config::load(&path).unwrap_err();
        assert_eq!((e.problem(), e.path()), (problem, None), "{name}");
        assert_eq!(e.file(), path.display().to_string());
    }
    // A JWKS file nested past the limit: the keys cannot be loaded, so no authorizer starts.
    let jwks = dir.join("jwks.json");
    std::fs::write(&jwks, format!("{{\"keys\": {deep}}}")).unwrap();
    let rules = json!({
        "jwt": {"issuer": ISSUER, "audiences": ["api"], "jwksFile": jwks.display().to_string(),
                "algorithms": ["RS256"]},
        "rules": [{"routes": ["GET /pets"]}]
    });
    let config = Config::parse("rules.json", &rules.to_string(), &dir, &|_| None).unwrap();
    let e = RulesAuthorizer::new(config).await.err().unwrap();
    assert!(!e.is_unauthorized());
    assert!(
        e.reason().starts_with("cannot load the JWT keys: ")
            && e.reason()
                .contains("jwks is not valid json: recursion limit exceeded"),
        "{}",
        e.reason()
    );
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
    // A child that died before reading makes this fail with `BrokenPipe`; the exit status and
    // stderr asserted below say why, so the write's own error is not the test's verdict.
    let _ignored = stdin.write_all(event.to_string().as_bytes());
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
