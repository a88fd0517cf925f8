//! The real `authorizer` binary, driven as a user and as Lambda would: `authorizer invoke` on
//! every captured event shape, and the Lambda loop against a Runtime API endpoint this test
//! serves on 127.0.0.1 (`/2018-06-01/runtime/invocation/next`, `.../response`, `.../error`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{EncodingKey, Header, encode};
use serde_json::{Value, json};

mod checksums;
mod child;
mod runtime_api;
use runtime_api::{FakeRuntime, Post};

const SECRET: &str = "test-only-secret-0123456789abcdef-0123456789";
const ISSUER: &str = "https://idp.test.example/";

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn token(claims: Value) -> String {
    encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

fn good_token(scope: &str) -> String {
    token(json!({
        "iss": ISSUER, "aud": "api://pets", "sub": "alice", "exp": now() + 600,
        "scope": scope, "tenant_id": "t-1", "tier": 3
    }))
}

/// A scratch directory with a rules file (HMAC keys) for this test.
fn rules_dir(name: &str, extra: Value) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("authorizer-bin-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rules = json!({
        "token": {"header": "Authorization", "bearer": "optional"},
        "jwt": {"issuer": ISSUER, "audiences": ["api://pets"], "hmacSecretEnv": "TEST_JWT_SECRET",
                "algorithms": ["HS256"], "requiredClaims": ["sub"]},
        "principalId": "claim:sub",
        "context": {"tenant": "claim:tenant_id", "tier": "claim:tier", "source": "literal:jwt"},
        "rules": [
            {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
            {"routes": ["* /*", "$connect"], "anyScope": ["api:all"]}
        ]
    });
    if let (Value::Object(r), Value::Object(e)) = (&mut rules, extra) {
        r.extend(e);
    }
    std::fs::write(dir.join("rules.json"), rules.to_string()).unwrap();
    dir
}

fn binary() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_authorizer"));
    c.env("TEST_JWT_SECRET", SECRET)
        .env_remove("AUTHORIZER_CONFIG");
    c
}

fn invoke(dir: &Path, event: &Value) -> Output {
    child::output_with_input(
        binary()
            .args(["invoke", "--config"])
            .arg(dir.join("rules.json")),
        event.to_string().as_bytes(),
    )
}

fn fixture(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/events")
        .join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A captured event carrying `token` where its shape carries one.
fn with_token(mut event: Value, token: &str) -> Value {
    if event["type"] == "TOKEN" {
        event["authorizationToken"] = json!(format!("Bearer {token}"));
    } else {
        let headers = event["headers"].as_object_mut().unwrap();
        headers.retain(|k, _| !k.eq_ignore_ascii_case("authorization"));
        headers.insert("Authorization".into(), json!(format!("Bearer {token}")));
    }
    event
}

fn stdout_json(out: &Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn invoke_answers_every_event_shape_with_the_granted_routes() {
    let dir = rules_dir("shapes", json!({}));
    let all = good_token("api:all");
    for (file, api_and_stage) in [
        (
            "powertools-typescript/apigw-rest-authorizer-token.json",
            "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod",
        ),
        (
            "powertools-python/apiGatewayAuthorizerTokenEvent.json",
            "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*",
        ),
        (
            "powertools-typescript/apigw-rest-authorizer-request.json",
            "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod",
        ),
        (
            "powertools-python/apiGatewayAuthorizerRequestEvent.json",
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test",
        ),
        (
            "powertools-typescript/apigw-http-authorizer-request.json",
            "arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/$default",
        ),
        (
            "powertools-python/apiGatewayAuthorizerV2Event.json",
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test",
        ),
        (
            "powertools-typescript/apigw-websocket-connectEvent.json",
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/default",
        ),
    ] {
        let response = stdout_json(&invoke(&dir, &with_token(fixture(file), &all)));
        assert_eq!(response["principalId"], "alice", "{file}");
        assert_eq!(
            response["context"],
            json!({"source": "jwt", "tenant": "t-1", "tier": 3}),
            "{file}"
        );
        // Every granted route, for the called API and stage: the cached policy is right for
        // the caller's next request whatever its route. `* /*` is every HTTP method's `/*`.
        let mut resources: Vec<String> =
            ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
                .iter()
                .map(|verb| format!("{api_and_stage}/{verb}/*"))
                .collect();
        resources.push(format!("{api_and_stage}/$connect"));
        assert_eq!(
            response["policyDocument"],
            json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "execute-api:Invoke", "Resource": resources
            }]}),
            "{file}"
        );
    }
}

#[test]
fn a_caller_granted_nothing_gets_a_deny_all_policy() {
    let dir = rules_dir("nothing", json!({}));
    let event = with_token(
        fixture("powertools-typescript/apigw-rest-authorizer-token.json"),
        &good_token("profile"),
    );
    let response = stdout_json(&invoke(&dir, &event));
    assert_eq!(
        response["policyDocument"]["Statement"],
        json!([{"Effect": "Deny", "Action": "execute-api:Invoke",
                "Resource": "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/*"}])
    );
}

#[test]
fn bad_tokens_are_unauthorized_exit_1() {
    let dir = rules_dir("unauthorized", json!({}));
    let base = fixture("powertools-typescript/apigw-rest-authorizer-request.json");
    let expired =
        token(json!({"iss": ISSUER, "aud": "api://pets", "sub": "a", "exp": now() - 3600}));
    let wrong_issuer =
        token(json!({"iss": "https://evil/", "aud": "api://pets", "sub": "a", "exp": now() + 600}));
    let mut no_token = base.clone();
    no_token["headers"]
        .as_object_mut()
        .unwrap()
        .retain(|k, _| !k.eq_ignore_ascii_case("authorization"));
    for event in [
        with_token(base.clone(), &expired),
        with_token(base.clone(), &wrong_issuer),
        with_token(base.clone(), "not.a.jwt"),
        no_token,
    ] {
        let out = invoke(&dir, &event);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(String::from_utf8_lossy(&out.stderr), "Unauthorized\n");
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn simple_responses_for_http_api_2() {
    let dir = rules_dir("simple", json!({"httpApiResponse": "simple"}));
    let event = fixture("powertools-typescript/apigw-http-authorizer-request.json");
    let allowed = stdout_json(&invoke(
        &dir,
        &with_token(event.clone(), &good_token("api:all")),
    ));
    assert_eq!(
        allowed,
        json!({"isAuthorized": true, "context": {"source": "jwt", "tenant": "t-1", "tier": 3}})
    );
    // POST /lambda is not among GET /pets routes.
    let denied = stdout_json(&invoke(&dir, &with_token(event, &good_token("pets:read"))));
    assert_eq!(denied["isAuthorized"], false);
}

/// On an HTTP API stage other than `$default`, API Gateway puts the stage at the front of
/// `rawPath` and `requestContext.http.path` (`/prod/lambda`), while `routeArn` names the stage
/// apart. A simple response judged from `rawPath` answered `isAuthorized: false` to every
/// granted caller there; the route comes from the ARN, as for a policy.
#[test]
fn simple_responses_judge_the_route_arn_on_a_named_stage() {
    let dir = rules_dir(
        "simple-stage",
        json!({"httpApiResponse": "simple",
               "rules": [{"routes": ["POST /lambda"], "anyScope": ["lambda:call"]}]}),
    );
    let mut event = fixture("powertools-typescript/apigw-http-authorizer-request.json");
    event["routeArn"] =
        json!("arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/prod/POST/lambda");
    event["rawPath"] = json!("/prod/lambda");
    event["requestContext"]["http"]["path"] = json!("/prod/lambda");
    event["requestContext"]["stage"] = json!("prod");
    let allowed = stdout_json(&invoke(
        &dir,
        &with_token(event.clone(), &good_token("lambda:call")),
    ));
    assert_eq!(allowed["isAuthorized"], true);
    let denied = stdout_json(&invoke(&dir, &with_token(event, &good_token("pets:read"))));
    assert_eq!(denied["isAuthorized"], false);
}

#[test]
fn event_files_and_bad_input() {
    let dir = rules_dir("files", json!({}));
    let event_file = dir.join("event.json");
    std::fs::write(
        &event_file,
        with_token(
            fixture("powertools-typescript/apigw-websocket-connectEvent.json"),
            &good_token("api:all"),
        )
        .to_string(),
    )
    .unwrap();
    let out = binary()
        .args(["invoke", "--config"])
        .arg(dir.join("rules.json"))
        .arg("--event")
        .arg(&event_file)
        .output()
        .unwrap();
    assert_eq!(stdout_json(&out)["principalId"], "alice");

    let out = invoke(&dir, &json!({"hello": "world"}));
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an API Gateway authorizer event"));
}

/// The flake of issue #14 made certain: the authorizer stops at init without reading its
/// input, so writing a large event to it fails with `BrokenPipe` every time. That is the
/// program's answer (exit 2, the field named), and the test must judge it, not panic on the
/// write (which made cargo skip every later test on a loaded machine).
#[test]
fn a_program_that_exits_without_reading_its_input_is_judged_by_its_exit() {
    let dir = rules_dir("unread", json!({"principalId": "sub"}));
    let big =
        json!({"type": "TOKEN", "authorizationToken": "x".repeat(4 << 20), "methodArn": "arn"});
    let out = invoke(&dir, &big);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("(at `principalId`)"));
}

#[test]
fn a_bad_rules_file_stops_at_init_naming_the_field() {
    let dir = rules_dir("badconfig", json!({"principalId": "sub"}));
    let out = invoke(&dir, &json!({}));
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`sub` is neither `claim:NAME` nor `literal:TEXT` (at `principalId`)"),
        "{stderr}"
    );
    // A missing secret also stops init (in Lambda mode too: before any request).
    let dir = rules_dir("nosecret", json!({}));
    let out = binary()
        .env_remove("TEST_JWT_SECRET")
        .arg("--config")
        .arg(dir.join("rules.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`TEST_JWT_SECRET` is not set"));
}

#[test]
fn eddsa_tokens_are_verified_against_an_okp_jwk() {
    use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair as _};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let key = Ed25519KeyPair::generate().unwrap();
    let dir = rules_dir(
        "eddsa",
        json!({"jwt": {"issuer": ISSUER, "audiences": ["api://pets"], "jwksFile": "jwks.json",
                       "algorithms": ["EdDSA"], "requiredClaims": ["sub"]}}),
    );
    let jwks = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "ed-1", "use": "sig",
                                "x": URL_SAFE_NO_PAD.encode(key.public_key().as_ref())}]});
    std::fs::write(dir.join("jwks.json"), jwks.to_string()).unwrap();
    let sign = |alg: &str| {
        let header = json!({"alg": alg, "kid": "ed-1", "typ": "JWT"});
        let claims = json!({"iss": ISSUER, "aud": "api://pets", "sub": "erin",
                            "exp": now() + 600, "scope": "pets:read"});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = key.sign(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature.as_ref()))
    };
    let event = fixture("powertools-typescript/apigw-rest-authorizer-token.json");
    let response = stdout_json(&invoke(&dir, &with_token(event.clone(), &sign("EdDSA"))));
    assert_eq!(response["principalId"], "erin");
    let api = "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod";
    assert_eq!(
        response["policyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Action": "execute-api:Invoke",
                "Resource": [format!("{api}/GET/pets"), format!("{api}/GET/pets/*")]}])
    );
    // The same signature under another algorithm's name: 401.
    for alg in ["ES512", "ES256", "RS256"] {
        let out = invoke(&dir, &with_token(event.clone(), &sign(alg)));
        assert_eq!(out.status.code(), Some(1), "{alg}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "Unauthorized\n");
    }
}

#[test]
fn the_lambda_loop_relays_responses_and_the_unauthorized_error() {
    let dir = rules_dir("runtime", json!({}));
    let expired =
        token(json!({"iss": ISSUER, "aud": "api://pets", "sub": "a", "exp": now() - 3600}));
    let runtime = FakeRuntime::start(vec![
        (
            "req-1".into(),
            with_token(
                fixture("powertools-typescript/apigw-rest-authorizer-token.json"),
                &good_token("pets:read"),
            ),
        ),
        (
            "req-2".into(),
            with_token(
                fixture("powertools-typescript/apigw-rest-authorizer-token.json"),
                &expired,
            ),
        ),
        ("req-3".into(), json!({"not": "an event"})),
    ]);
    let mut command = binary();
    command.arg("--config").arg(dir.join("rules.json"));
    let (posts, output) = runtime.run(command, 3);
    let logs = String::from_utf8_lossy(&output.stdout).into_owned();
    assert_eq!(
        posts.len(),
        3,
        "runtime posts: {:?}\nlogs: {logs}\nstderr: {}",
        posts
            .iter()
            .map(|p| (&p.request_id, &p.kind))
            .collect::<Vec<_>>(),
        String::from_utf8_lossy(&output.stderr)
    );

    let Post {
        request_id: id,
        kind,
        body,
        ..
    } = &posts[0];
    assert_eq!((id.as_str(), kind.as_str()), ("req-1", "response"));
    assert_eq!(body["principalId"], "alice");
    assert_eq!(
        body["policyDocument"]["Statement"][0]["Resource"],
        json!([
            "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/GET/pets",
            "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/GET/pets/*"
        ])
    );

    // Exactly what Lambda relays to API Gateway, which answers 401 only for this message.
    let Post {
        request_id: id,
        kind,
        error_type,
        body,
    } = &posts[1];
    assert_eq!((id.as_str(), kind.as_str()), ("req-2", "error"));
    assert_eq!(
        body,
        &json!({"errorType": "Unauthorized", "errorMessage": "Unauthorized"})
    );
    // lambda_runtime 1.5 marks every handler error `unhandled` in this header; the body's
    // errorType is ours.
    assert_eq!(error_type, "unhandled");

    let Post {
        request_id: id,
        kind,
        body,
        ..
    } = &posts[2];
    assert_eq!((id.as_str(), kind.as_str()), ("req-3", "error"));
    assert_eq!(body["errorType"], "AuthorizerError");
    assert!(
        body["errorMessage"]
            .as_str()
            .unwrap()
            .starts_with("authorizer error: ")
    );

    // Structured logs: the decision and principal, never the token.
    assert!(
        logs.contains("\"decision\":\"allow\"") || logs.contains("\"decision\":\"deny\""),
        "{logs}"
    );
    assert!(logs.contains("\"principal\":\"alice\""), "{logs}");
    assert!(logs.contains("\"decision\":\"unauthorized\""), "{logs}");
    assert!(!logs.contains(&expired), "the token must never be logged");
    assert!(!logs.contains(SECRET));
}

#[test]
fn token_placement_and_bearer_rules() {
    let event = fixture("powertools-typescript/apigw-rest-authorizer-request.json");
    let jwt = good_token("api:all");
    let with_header = |name: &str, value: &str| {
        let mut e = event.clone();
        let headers = e["headers"].as_object_mut().unwrap();
        headers.retain(|k, _| !k.eq_ignore_ascii_case("authorization"));
        headers.insert(name.into(), json!(value));
        e
    };
    let status = |dir: &Path, e: &Value| invoke(dir, e).status.code();
    // The token in another header than the rules file names: Unauthorized.
    let optional = rules_dir("placement-optional", json!({}));
    assert_eq!(status(&optional, &with_header("X-Token", &jwt)), Some(1));
    // Header names are case-insensitive; `Bearer ` is optional here.
    assert_eq!(
        status(&optional, &with_header("authorization", &jwt)),
        Some(0)
    );
    assert_eq!(
        status(
            &optional,
            &with_header("AUTHORIZATION", &format!("Bearer {jwt}"))
        ),
        Some(0)
    );

    let required = rules_dir(
        "placement-required",
        json!({"token": {"header": "Authorization", "bearer": "required"}}),
    );
    assert_eq!(
        status(&required, &with_header("Authorization", &jwt)),
        Some(1)
    );
    assert_eq!(
        status(
            &required,
            &with_header("Authorization", &format!("Bearer {jwt}"))
        ),
        Some(0)
    );

    let forbidden = rules_dir(
        "placement-forbidden",
        json!({"token": {"header": "Authorization", "bearer": "forbidden"}}),
    );
    assert_eq!(
        status(
            &forbidden,
            &with_header("Authorization", &format!("Bearer {jwt}"))
        ),
        Some(1)
    );
    assert_eq!(
        status(&forbidden, &with_header("Authorization", &jwt)),
        Some(0)
    );

    // A query-string token.
    let query = rules_dir(
        "placement-query",
        json!({"token": {"query": "access_token"}}),
    );
    let mut e = with_header("X-Other", "x");
    e["queryStringParameters"] = json!({"access_token": jwt});
    assert_eq!(status(&query, &e), Some(0));
    e["queryStringParameters"] = json!({"token": jwt});
    assert_eq!(status(&query, &e), Some(1));
}

/// The README's local example: a rules file with a JWKS file and an RS256-signed token.
#[test]
fn the_readme_example_runs() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/authorizer");
    let out = binary()
        .args(["invoke", "--config"])
        .arg(examples.join("rules.json"))
        .arg("--event")
        .arg(examples.join("token-event.json"))
        .output()
        .unwrap();
    let response = stdout_json(&out);
    assert_eq!(response["principalId"], "alice");
    assert_eq!(
        response["policyDocument"]["Statement"][0]["Resource"],
        json!([
            "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
            "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/*"
        ])
    );
    assert_eq!(
        response["context"],
        json!({"source": "jwt", "tenant": "acme"})
    );
}

/// The captured events are copied here byte for byte (`tests/fixtures/events/SOURCE.md` names
/// their repositories and licence), and `SHA256SUMS` records each original's hash: every
/// checkout checks its copies against it. Where the project's shared folder sits beside the
/// checkout (as in CI), every original there must also be listed, so a fixture added there is
/// not left untested here.
#[test]
fn fixture_copies_are_the_recorded_originals_byte_for_byte() {
    let ours = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/events");
    let checked = checksums::verify(&ours.join("SHA256SUMS"));
    assert_eq!(checked.len(), 7);
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/events");
    if !shared.exists() {
        eprintln!(
            "note: {} is absent: the copies were checked against SHA256SUMS only",
            shared.display()
        );
        return;
    }
    for folder in ["powertools-python", "powertools-typescript"] {
        for entry in std::fs::read_dir(shared.join(folder)).unwrap() {
            let original = entry.unwrap().path();
            let copy = ours.join(folder).join(original.file_name().unwrap());
            assert!(
                checked.contains(&copy),
                "{} is not copied and listed in SHA256SUMS",
                original.display()
            );
            assert_eq!(
                std::fs::read(&copy).unwrap(),
                std::fs::read(&original).unwrap(),
                "{} drifted",
                copy.display()
            );
        }
    }
}
