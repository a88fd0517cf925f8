//! Every example authorizer, run as a user and as Lambda would run it:
//! - `BINARY invoke --event FILE` on the example events: the response, or the exit status of
//!   the local-mode contract (1 `Unauthorized`, 2 any other error);
//! - the scenario files of `examples/authorizers/scenarios`, through the simulated gateway
//!   (caching, identity sources, simple responses, WebSocket `$connect`), with each `"command"`
//!   pointed at the binary cargo built for this test;
//! - the Lambda loop against a Runtime API served on 127.0.0.1;
//! - the rules-file example: tokens from `sign-token` through the same handler the
//!   `authorizer` binary runs, with `examples/authorizer/rules.json`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

#[path = "../../../authorizer/tests/child/mod.rs"]
mod child;
#[path = "../../../authorizer/tests/runtime_api/mod.rs"]
mod runtime_api;
use runtime_api::{FakeRuntime, Post};

const JWT_SECRET: &str = "example-only-secret-do-not-deploy-0123456789";
const API_KEYS: &str = "k-123=acme,k-456=globex";

/// The repository root (examples/authorizers/../..).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn event_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("events")
        .join(format!("{name}.json"))
}

/// The example binary `name` with the environment its scenario gives it.
fn binary(name: &str) -> Command {
    let path = match name {
        "token-authorizer" => env!("CARGO_BIN_EXE_token-authorizer"),
        "request-authorizer" => env!("CARGO_BIN_EXE_request-authorizer"),
        "http-simple-authorizer" => env!("CARGO_BIN_EXE_http-simple-authorizer"),
        "websocket-authorizer" => env!("CARGO_BIN_EXE_websocket-authorizer"),
        "sign-token" => env!("CARGO_BIN_EXE_sign-token"),
        other => panic!("no example binary {other}"),
    };
    let mut command = Command::new(path);
    command
        .current_dir(root())
        .env("API_KEYS", API_KEYS)
        .env("JWT_SECRET", JWT_SECRET);
    command
}

fn invoke(name: &str, event: &str) -> Output {
    binary(name)
        .args(["invoke", "--event"])
        .arg(event_path(event))
        .output()
        .unwrap()
}

fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// What `invoke` must answer: the response JSON (exit 0), or the exit status and a piece of
/// stderr.
enum Expect {
    Response(Value),
    Exit(i32, &'static str),
}

#[test]
fn invoke_answers_each_example_event() {
    let token_allow = json!({
        "principalId": "user",
        "policyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "execute-api:Invoke",
            // The whole stage, not only the called method: the cache-safe answer.
            "Resource": "arn:aws:execute-api:us-east-1:123456789012:ivdtdhp7b5/ESTestInvoke-stage/*"}]},
        "context": {"booleanKey": true, "numberKey": 123, "stringKey": "stringval"}
    });
    let token_deny = json!({
        "principalId": "user",
        "policyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Action": "execute-api:Invoke",
            "Resource": "arn:aws:execute-api:us-east-1:123456789012:ivdtdhp7b5/*"}]},
        "context": {"booleanKey": true, "numberKey": 123, "stringKey": "stringval"}
    });
    let request_allow = json!({
        "principalId": "me",
        "policyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "execute-api:Invoke",
            "Resource": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/*"}]},
        "context": {"booleanKey": true, "numberKey": 123, "stringKey": "stringval"}
    });
    let websocket_allow = json!({
        "principalId": "carol",
        "policyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "execute-api:Invoke",
            "Resource": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/$connect"}]},
        "context": {"room": "lobby"}
    });
    let table = [
        (
            "token-authorizer",
            "token-allow",
            Expect::Response(token_allow),
        ),
        (
            "token-authorizer",
            "token-deny",
            Expect::Response(token_deny),
        ),
        (
            "token-authorizer",
            "token-unauthorized",
            Expect::Exit(1, "Unauthorized"),
        ),
        (
            "token-authorizer",
            "token-invalid",
            Expect::Exit(2, "invalid token"),
        ),
        (
            "token-authorizer",
            "request-match",
            Expect::Exit(2, "expected a TOKEN event"),
        ),
        (
            "request-authorizer",
            "request-match",
            Expect::Response(request_allow),
        ),
        (
            "request-authorizer",
            "request-mismatch",
            Expect::Exit(1, "Unauthorized"),
        ),
        (
            "request-authorizer",
            "token-allow",
            Expect::Exit(1, "Unauthorized"),
        ),
        (
            "http-simple-authorizer",
            "http-v2-api-key",
            Expect::Response(json!({"isAuthorized": true, "context": {"tenant": "acme"}})),
        ),
        (
            "http-simple-authorizer",
            "http-v2-unknown-key",
            Expect::Response(json!({"isAuthorized": false})),
        ),
        (
            "http-simple-authorizer",
            "token-allow",
            Expect::Exit(2, "payload format version to 2.0"),
        ),
        (
            "websocket-authorizer",
            "websocket-connect",
            Expect::Response(websocket_allow),
        ),
        (
            "websocket-authorizer",
            "websocket-expired",
            Expect::Exit(1, "Unauthorized"),
        ),
        (
            "websocket-authorizer",
            "token-allow",
            Expect::Exit(1, "Unauthorized"),
        ),
    ];
    for (name, event, expect) in table {
        let out = invoke(name, event);
        match expect {
            Expect::Response(response) => {
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "{name} {event}: {}",
                    describe(&out)
                );
                let actual: Value = serde_json::from_slice(&out.stdout).unwrap();
                assert_eq!(actual, response, "{name} {event}");
            }
            Expect::Exit(code, stderr) => {
                assert_eq!(
                    out.status.code(),
                    Some(code),
                    "{name} {event}: {}",
                    describe(&out)
                );
                assert!(out.stdout.is_empty(), "{name} {event}: {}", describe(&out));
                assert!(
                    String::from_utf8_lossy(&out.stderr).contains(stderr),
                    "{name} {event}: {}",
                    describe(&out)
                );
            }
        }
    }
}

#[test]
fn configuration_errors_stop_the_function_before_any_event() {
    for (name, var, message) in [
        (
            "http-simple-authorizer",
            "API_KEYS",
            "`API_KEYS` is not set",
        ),
        (
            "websocket-authorizer",
            "JWT_SECRET",
            "`JWT_SECRET` is not set",
        ),
    ] {
        // In Lambda mode too: no Runtime API is needed to fail.
        let out = binary(name).env_remove(var).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}: {}", describe(&out));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(message),
            "{}",
            describe(&out)
        );
    }
    let out = binary("http-simple-authorizer")
        .env("API_KEYS", "k-123")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not `key=tenant`"));
    let out = binary("websocket-authorizer")
        .env("JWT_SECRET", "short")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("shorter than 32 bytes"));
}

#[test]
fn command_lines_follow_the_local_mode_contract() {
    let out = binary("token-authorizer").arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("invoke [--event FILE]"));
    let out = binary("token-authorizer").arg("serve").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown argument `serve`"));
    // The event on stdin, as a scenario's `"command"` sends it.
    let out = child::output_with_input(
        binary("token-authorizer").arg("invoke"),
        &std::fs::read(event_path("token-deny")).unwrap(),
    );
    assert_eq!(out.status.code(), Some(0));
    let response: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(response["policyDocument"]["Statement"][0]["Effect"], "Deny");
    // Garbage in: exit 2, never a response.
    let out = binary("token-authorizer")
        .args(["invoke", "--event", "Cargo.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

/// The scenario files with each `"command"` naming the binary built for this test (they name
/// the program alone, found on PATH, for `policy-sim test`).
#[test]
fn the_example_scenarios_pass() {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let dir = std::env::temp_dir().join(format!("example-scenarios-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        let mut scenario: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let command = scenario["auth"]["command"].as_array_mut().unwrap();
        let program = command
            .iter_mut()
            .find(|arg| arg.as_str().is_some_and(|a| a.ends_with("-authorizer")))
            .unwrap();
        let name = program.as_str().unwrap().to_owned();
        *program = json!(binary(&name).get_program().to_string_lossy());
        let copy = dir.join(path.file_name().unwrap());
        std::fs::write(&copy, scenario.to_string()).unwrap();
        files.push(copy);
    }
    assert_eq!(files.len(), 4, "one scenario per example authorizer");
    let report = policy_engine::scenario::run_paths(&files).unwrap();
    assert!(report.all_passed(), "{report}");
    assert_eq!(report.passed(), 19);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_examples_serve_the_lambda_runtime_api() {
    let event = |name: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(event_path(name)).unwrap()).unwrap()
    };
    let runtime = FakeRuntime::start(vec![
        ("a".into(), event("token-allow")),
        ("b".into(), event("token-unauthorized")),
        ("c".into(), event("token-invalid")),
        ("d".into(), json!({"not": "an event"})),
    ]);
    let (posts, output) = runtime.run(binary("token-authorizer"), 4);
    assert_eq!(posts.len(), 4, "{}", describe(&output));
    let Post {
        request_id,
        kind,
        body,
        ..
    } = &posts[0];
    assert_eq!((request_id.as_str(), kind.as_str()), ("a", "response"));
    assert_eq!(body["principalId"], "user");
    // Exactly what API Gateway needs for a 401.
    let Post {
        request_id,
        kind,
        body,
        ..
    } = &posts[1];
    assert_eq!((request_id.as_str(), kind.as_str()), ("b", "error"));
    assert_eq!(
        body,
        &json!({"errorType": "Unauthorized", "errorMessage": "Unauthorized"})
    );
    // Anything else is a 500.
    for (post, id) in posts[2..].iter().zip(["c", "d"]) {
        assert_eq!(
            (post.request_id.as_str(), post.kind.as_str()),
            (id, "error")
        );
        assert_eq!(post.body["errorType"], "AuthorizerError");
        assert_ne!(post.body["errorMessage"], "Unauthorized");
    }

    let runtime = FakeRuntime::start(vec![
        ("e".into(), event("http-v2-api-key")),
        ("f".into(), event("http-v2-unknown-key")),
    ]);
    let (posts, output) = runtime.run(binary("http-simple-authorizer"), 2);
    assert_eq!(posts.len(), 2, "{}", describe(&output));
    assert_eq!(
        posts[0].body,
        json!({"isAuthorized": true, "context": {"tenant": "acme"}})
    );
    assert_eq!(posts[1].body, json!({"isAuthorized": false}));

    let runtime = FakeRuntime::start(vec![
        ("g".into(), event("websocket-connect")),
        ("h".into(), event("request-match")),
    ]);
    let (posts, output) = runtime.run(binary("websocket-authorizer"), 2);
    assert_eq!(posts.len(), 2, "{}", describe(&output));
    assert_eq!(posts[0].body["principalId"], "carol");
    assert_eq!(posts[1].body["errorMessage"], "Unauthorized");

    let runtime = FakeRuntime::start(vec![("i".into(), event("request-match"))]);
    let (posts, output) = runtime.run(binary("request-authorizer"), 1);
    assert_eq!(posts.len(), 1, "{}", describe(&output));
    assert_eq!(posts[0].body["principalId"], "me");
}

/// `sign-token` makes tokens the rules-file example accepts, and the rules decide what each
/// caller gets — through the handler the `authorizer` binary runs.
#[test]
fn signed_tokens_through_the_rules_file_example() {
    use authorizer::event::AuthorizerEvent;
    use authorizer::handler::RulesAuthorizer;
    use authorizer::rules::Config;

    let sign = |args: &[&str]| -> Value {
        let out = binary("sign-token")
            .args(args)
            .arg("--event")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", describe(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = Config::load(&root().join("examples/authorizer/rules.json")).unwrap();
    let rules = runtime.block_on(RulesAuthorizer::new(config)).unwrap();
    let decide = |event: Value| {
        let event = AuthorizerEvent::from_json(&event).unwrap();
        runtime
            .block_on(rules.handle(&event))
            .map(|(response, _)| response.to_json())
    };

    let reader = decide(sign(&["--sub", "alice", "--scope", "pets:read"])).unwrap();
    assert_eq!(reader["principalId"], "alice");
    assert_eq!(
        reader["policyDocument"]["Statement"][0]["Resource"],
        json!([
            "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
            "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/*"
        ])
    );
    assert_eq!(
        reader["context"],
        json!({"source": "jwt", "tenant": "acme"})
    );

    let admin = decide(sign(&["--sub", "root", "--scope", "", "--group", "admin"])).unwrap();
    let resources = admin["policyDocument"]["Statement"][0]["Resource"].to_string();
    assert!(resources.contains("/prod/DELETE/admin/*"), "{resources}");
    assert!(!resources.contains("/GET/pets\""), "{resources}");

    // Nothing granted: a policy denying the API (403), not a 401.
    let nobody = decide(sign(&["--sub", "eve", "--scope", "orders:read"])).unwrap();
    assert_eq!(nobody["policyDocument"]["Statement"][0]["Effect"], "Deny");

    let expired = decide(sign(&["--expires-in", "-3600"])).unwrap_err();
    assert!(expired.is_unauthorized(), "{expired}");

    // A key that is not the JWKS's: the signature does not verify.
    let other_key = root().join("authorizer/tests/keys/rsa-2-private.pem");
    let forged = decide(sign(&["--key", other_key.to_str().unwrap()])).unwrap_err();
    assert!(forged.is_unauthorized(), "{forged}");
}

/// Issue #14: a custom authorizer built on `authorizer::lambda` answered `invoke --help` with
/// "unknown argument `--help`" and a usage naming `BINARY`. Help works after `invoke` too, and
/// the usage names the program; a wrong argument still exits 2 with it.
#[test]
fn help_works_and_names_the_program() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["invoke", "--help"],
        &["invoke", "--event", "x.json", "-h"],
    ] {
        let out = binary("token-authorizer").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", describe(&out));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("  token-authorizer invoke [--event FILE]"),
            "{args:?}: {stdout}"
        );
        assert!(
            !stdout.contains("BINARY") && !stdout.contains("PROGRAM"),
            "{stdout}"
        );
    }
    let out = binary("token-authorizer")
        .args(["invoke", "--verbose"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", describe(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: unknown argument `--verbose`\nusage:\n  token-authorizer\n"),
        "{stderr}"
    );
}
