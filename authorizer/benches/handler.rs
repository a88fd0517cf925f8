//! The rules-file authorizer on a TOKEN event, end to end, next to the bare signature check
//! with the same key, so the handler's own cost reads as a ratio.
//!
//! - `handler/token/{ALG}`: event bytes as the Lambda runtime hands them → `serde_json::Value`
//!   → [`AuthorizerEvent::from_json`] → [`RulesAuthorizer::handle`] (token, JWT, rules,
//!   policy, context, response limits) → JSON bytes. This is what `main.rs` does per
//!   invocation, minus the log line.
//! - `verify/{ALG}`: `jsonwebtoken::crypto::verify` on the same token with the same
//!   `DecodingKey` (built from the same JWK / secret the rules file points at) — the signature
//!   check alone, as jsonwebtoken does it. (For JWKS keys the handler does better: it keeps
//!   the aws-lc key parsed, where jsonwebtoken rebuilds it for every token.)
//! - `decode/{ALG}`: `jsonwebtoken::decode` with a `Validation` for the algorithm, issuer and
//!   audience — what a hand-written authorizer built on jsonwebtoken would pay per token.
//!
//! Keys: the PEM test keys in `tests/keys`; RS256 and ES256 verify against a JWKS file written
//! at setup (`jwksFile`), HS256 against a secret read through `hmacSecretEnv`, as rules files
//! do. Run with `cargo bench -p authorizer --bench handler`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "benchmark setup: a broken fixture should stop the run loudly"
)]

use std::future::Future;
use std::hint::black_box;
use std::path::Path;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use authorizer::event::AuthorizerEvent;
use authorizer::handler::RulesAuthorizer;
use authorizer::rules::Config;
use criterion::{Criterion, criterion_group, criterion_main};
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Value, json};

const RSA_PRIVATE: &str = include_str!("../tests/keys/rsa-1-private.pem");
const EC_PRIVATE: &str = include_str!("../tests/keys/ec-p256-private.pem");
const HMAC_SECRET: &str = "bench-only hmac secret, at least 32 bytes long";
const HMAC_ENV: &str = "BENCH_JWT_SECRET";
const ISSUER: &str = "https://idp.example.com/";
const AUDIENCE: &str = "api://pets";
/// 2100-01-01: the tokens never expire during a run.
const EXP: u64 = 4_102_444_800;
const METHOD_ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/42";

/// Runs a future that never waits on I/O (file- and secret-backed keys never do) to
/// completion on this thread: in Lambda the handler future is polled inside the runtime's
/// task, so a per-call executor (a tokio `block_on`) would be cost the function never pays.
fn ready<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the handler waited on I/O; this bench needs local keys"),
    }
}

/// One algorithm's setup: the authorizer, the event bytes, the bare key and token.
struct Case {
    name: &'static str,
    alg: Algorithm,
    authorizer: RulesAuthorizer,
    event: Vec<u8>,
    token: String,
    key: DecodingKey,
}

/// The example rules file (`examples/authorizer/rules.json`) with another key source.
fn rules(keys: Value, alg: Algorithm) -> String {
    let mut jwt = json!({
        "issuer": ISSUER,
        "audiences": [AUDIENCE],
        "algorithms": [format!("{alg:?}")],
        "leewaySeconds": 30,
        "requiredClaims": ["sub"],
    });
    if let (Value::Object(jwt), Value::Object(keys)) = (&mut jwt, keys) {
        jwt.extend(keys);
    }
    json!({
        "token": { "header": "Authorization", "bearer": "optional" },
        "jwt": jwt,
        "principalId": "claim:sub",
        "context": { "tenant": "claim:tenant_id", "source": "literal:jwt" },
        "rules": [
            { "routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"] },
            { "routes": ["POST /pets"], "anyScope": ["pets:write"] },
            { "routes": ["* /admin/*"], "claims": { "cognito:groups": ["admin"] } }
        ]
    })
    .to_string()
}

fn case(name: &'static str, alg: Algorithm, encoding: &EncodingKey, dir: &Path) -> Case {
    let kid = format!("bench-{name}");
    let (keys, key) = if alg == Algorithm::HS256 {
        (
            json!({ "hmacSecretEnv": HMAC_ENV }),
            DecodingKey::from_secret(HMAC_SECRET.as_bytes()),
        )
    } else {
        let mut jwk = Jwk::from_encoding_key(encoding, alg).unwrap();
        jwk.common.key_id = Some(kid.clone());
        let file = format!("jwks-{name}.json");
        std::fs::write(
            dir.join(&file),
            serde_json::to_vec(&json!({ "keys": [jwk] })).unwrap(),
        )
        .unwrap();
        (
            json!({ "jwksFile": file }),
            DecodingKey::from_jwk(&jwk).unwrap(),
        )
    };
    let config = Config::parse(&format!("{name}.json"), &rules(keys, alg), dir, &|var| {
        (var == HMAC_ENV).then(|| HMAC_SECRET.to_owned())
    })
    .unwrap();
    let authorizer = ready(RulesAuthorizer::new(config)).unwrap();

    let mut header = Header::new(alg);
    header.kid = (alg != Algorithm::HS256).then_some(kid);
    let claims = json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "alice",
        "scope": "pets:read",
        "tenant_id": "acme",
        "iat": 1_767_225_600,
        "exp": EXP,
    });
    let token = jsonwebtoken::encode(&header, &claims, encoding).unwrap();
    let event = serde_json::to_vec(&json!({
        "type": "TOKEN",
        "authorizationToken": format!("Bearer {token}"),
        "methodArn": METHOD_ARN,
    }))
    .unwrap();
    Case {
        name,
        alg,
        authorizer,
        event,
        token,
        key,
    }
}

/// What the Lambda loop does with one invocation body: the response body, or the error text.
fn invoke(authorizer: &RulesAuthorizer, body: &[u8]) -> Result<Vec<u8>, String> {
    let payload: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
    let event = AuthorizerEvent::from_json(&payload).map_err(|e| e.to_string())?;
    let (response, _outcome) = ready(authorizer.handle(&event)).map_err(|e| e.to_string())?;
    serde_json::to_vec(&response).map_err(|e| e.to_string())
}

fn bench(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("authorizer-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        case(
            "RS256",
            Algorithm::RS256,
            &EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).unwrap(),
            &dir,
        ),
        case(
            "ES256",
            Algorithm::ES256,
            &EncodingKey::from_ec_pem(EC_PRIVATE.as_bytes()).unwrap(),
            &dir,
        ),
        case(
            "HS256",
            Algorithm::HS256,
            &EncodingKey::from_secret(HMAC_SECRET.as_bytes()),
            &dir,
        ),
    ];
    std::fs::remove_dir_all(&dir).unwrap();

    for case in &cases {
        // The bench measures the allow path: check it is one before timing it.
        let response: Value =
            serde_json::from_slice(&invoke(&case.authorizer, &case.event).unwrap()).unwrap();
        assert_eq!(
            response.pointer("/principalId"),
            Some(&json!("alice")),
            "{}",
            case.name
        );
        assert_eq!(
            response.pointer("/policyDocument/Statement/0/Effect"),
            Some(&json!("Allow")),
            "{}",
            case.name
        );
        let (signing_input, signature) = case.token.rsplit_once('.').unwrap();
        assert!(
            jsonwebtoken::crypto::verify(signature, signing_input.as_bytes(), &case.key, case.alg)
                .unwrap()
        );
        let mut validation = Validation::new(case.alg);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        jsonwebtoken::decode::<Value>(&case.token, &case.key, &validation).unwrap();

        c.bench_function(&format!("handler/token/{}", case.name), |b| {
            b.iter(|| invoke(&case.authorizer, black_box(&case.event)).unwrap());
        });
        c.bench_function(&format!("verify/{}", case.name), |b| {
            b.iter(|| {
                jsonwebtoken::crypto::verify(
                    black_box(signature),
                    black_box(signing_input.as_bytes()),
                    &case.key,
                    case.alg,
                )
                .unwrap()
            });
        });
        c.bench_function(&format!("decode/{}", case.name), |b| {
            b.iter(|| {
                jsonwebtoken::decode::<Value>(black_box(&case.token), &case.key, &validation)
                    .unwrap()
            });
        });
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
