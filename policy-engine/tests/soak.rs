//! Bounded resources under a flood of identities: a million distinct tokens through the
//! simulated gateway (TOKEN authorizer, result cache on) must leave memory bounded by the
//! cache's capacity, not by the number of callers.
//!
//! The live heap is counted exactly on this thread (the cache does its housekeeping on the
//! calling thread). In a debug build (`cargo test --workspace`) the flood is 50,000 tokens —
//! five times the capacity, enough to show the bound; CI runs it with a million in release:
//! `cargo test --release -p policy-engine --test soak`. `SOAK_TOKENS` sets another count.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use std::sync::Arc;

use policy_engine::arn::ApiRef;
use policy_engine::cache::AuthorizerCache;
use policy_engine::flow::{
    Api, ApiRequest, ApiType, Authorization, AuthorizerAnswer, EndpointType, Gateway,
    IdentitySource,
};
use policy_engine::function::{AuthorizerFunction, FunctionResult};
use policy_engine::lambda::{LambdaKind, LambdaSetup, PayloadFormat};
use policy_engine::policy::{PolicyDocument, PolicyKind};
use serde_json::{Value, json};

/// Entries the cache may hold: what `policy-sim` gives a scenario file.
const CAPACITY: u64 = 10_000;
const NOW: i64 = 1_767_225_600;

/// A function that allows `GET /pets` for any token, naming the token as the principal (so
/// every cached answer is a distinct allocation, as with real callers).
#[derive(Debug)]
struct AllowAnyToken;

impl AuthorizerFunction for AllowAnyToken {
    fn invoke(&self, identity: &str, _event: &Value) -> FunctionResult {
        FunctionResult::Response(json!({
            "principalId": identity,
            "policyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Action": "execute-api:Invoke",
                "Resource": "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/pets"}]},
            "context": {"subject": identity}
        }))
    }

    fn describe(&self) -> String {
        "a function allowing every token".to_owned()
    }
}

fn tokens() -> u64 {
    std::env::var("SOAK_TOKENS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) {
            50_000
        } else {
            1_000_000
        })
}

/// A JWT-sized token (about 300 bytes), distinct for each `i`.
fn token(i: u64) -> String {
    format!("eyJhbGciOiJSUzI1NiJ9.{i:0>280}.sig")
}

#[test]
fn a_million_distinct_tokens_leave_memory_bounded_by_the_cache_capacity() {
    let api_ref = ApiRef {
        partition: "aws".into(),
        region: "us-east-2".into(),
        account_id: "123456789012".into(),
        api_id: "aabbccddee".into(),
    };
    let resource_policy = PolicyDocument::from_json(
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]}),
        PolicyKind::Resource,
        Some(&api_ref),
    )
    .unwrap();
    let gateway = Gateway {
        api: Api {
            api_type: ApiType::Rest,
            api_ref,
            stage: "prod".into(),
            endpoint: EndpointType::Regional,
        },
        resource_policy: Some(resource_policy),
        authorization: Authorization::Lambda {
            account: "123456789012".into(),
            format: PayloadFormat::Rest,
        },
    };
    let lambda = LambdaSetup {
        kind: LambdaKind::Token,
        format: PayloadFormat::Rest,
        ttl_seconds: 300,
        identity_sources: vec![IdentitySource::Header("Authorization".into())],
        validation: None,
        function: Arc::new(AllowAnyToken),
    };
    let cache: AuthorizerCache<Arc<AuthorizerAnswer>> =
        AuthorizerCache::new(lambda.ttl_seconds, CAPACITY).unwrap();
    let mut request = ApiRequest {
        method: "GET".into(),
        path: "/pets".into(),
        source_ip: Some("198.51.100.7".parse().unwrap()),
        ..ApiRequest::default()
    };
    let mut push = |from: u64, to: u64| {
        for i in from..to {
            request.headers = vec![("Authorization".to_owned(), token(i))];
            let decision = gateway
                .decide_with_authorizer(&request, NOW, &mut || {
                    lambda.call(&gateway.api, &request, &cache, NOW)
                })
                .unwrap();
            assert_eq!(decision.status, 200, "token {i} was refused");
            assert!(
                decision.authorizer_invoked,
                "token {i} was never seen: it must invoke"
            );
        }
    };

    let total = tokens();
    let warm = (CAPACITY * 2).min(total / 2);
    // Fill the cache (and let it reach its steady state), then flood it.
    let filling = allocation_counter::measure(|| push(0, warm));
    let flooding = allocation_counter::measure(|| push(warm, total));
    let held = cache.len();

    let per_entry = filling.bytes_current / i64::try_from(CAPACITY).unwrap();
    eprintln!(
        "{total} tokens: cache holds {held} of {CAPACITY}; live heap after filling {} KiB \
         (~{per_entry} B per entry), growth while flooding {} KiB, peak {} KiB",
        filling.bytes_current / 1024,
        flooding.bytes_current / 1024,
        (filling.bytes_current.unsigned_abs() + flooding.bytes_max) / 1024,
    );
    assert!(
        held <= CAPACITY,
        "the cache holds {held} entries, over {CAPACITY}"
    );
    assert!(
        held >= CAPACITY / 2,
        "the cache holds only {held}: it is not being used"
    );
    // Bounded: after the cache is full, `total - warm` more identities add (almost) nothing —
    // at most 5% of what filling it took — and the peak never exceeds twice the full cache.
    assert!(
        flooding.bytes_current <= filling.bytes_current / 20,
        "the live heap grew by {} bytes while flooding (filling took {})",
        flooding.bytes_current,
        filling.bytes_current
    );
    assert!(
        flooding.bytes_max <= filling.bytes_current.unsigned_abs(),
        "the heap peaked {} bytes above the full cache ({} bytes)",
        flooding.bytes_max,
        filling.bytes_current
    );
}
