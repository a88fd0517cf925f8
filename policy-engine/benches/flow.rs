//! The whole simulated gateway flow for one request through a Lambda authorizer: identity
//! source, authorizer-result cache, pre-auth resource policy, the authorizer's policy, and
//! Table A — on a cache hit and on a cache miss (the function answers and its policy is
//! compiled) — quietly (the decision only) and with the explanation rendered.
//!
//! `cargo bench -p policy-engine --bench flow`. Target (issue #5): ≤ 1 µs on a cache hit.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "benchmark setup: a failure here is a broken fixture, reported by the panic"
)]

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use policy_engine::cache::AuthorizerCache;
use policy_engine::flow::{ApiRequest, AuthorizerAnswer};
use policy_engine::scenario::{self, Scenario};

/// The developer guide's private API with a VPC-endpoint resource policy and a TOKEN
/// authorizer in the same account (Table A), as the seed scenario has it.
const SCENARIO: &str = r#"{
  "api": {"type": "REST", "region": "us-east-2", "accountId": "123456789012",
          "apiId": "aabbccddee", "stage": "stage-name", "endpoint": "PRIVATE"},
  "resourcePolicy": {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
    {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
     "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]},
  "auth": {"type": "LAMBDA_TOKEN", "ttlSeconds": 300,
           "identitySources": ["method.request.header.Authorization"],
           "responses": {"allow": {"principalId": "user",
             "policyDocument": {"Version": "2012-10-17", "Statement": [
               {"Action": "execute-api:Invoke", "Effect": "Allow",
                "Resource": "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/stage-name/*"}]},
             "context": {"stringKey": "stringval", "numberKey": 123, "booleanKey": true}}}},
  "cases": [{"name": "allowed", "request": {"method": "GET", "path": "/pets",
             "headers": {"Authorization": "allow"}, "sourceIp": "10.1.2.3",
             "sourceVpce": "vpce-1a2b3c4d"}, "expect": {"status": 200}}]
}"#;

const NOW: i64 = 1_767_225_600;

fn setup() -> (Scenario, ApiRequest) {
    let scenario = scenario::parse("bench.json", SCENARIO).unwrap();
    let request = scenario.cases.first().unwrap().request.clone();
    (scenario, request)
}

fn flow(c: &mut Criterion) {
    let (scenario, request) = setup();
    let gateway = &scenario.gateway;
    let lambda = scenario.lambda.as_ref().unwrap();
    let warm: AuthorizerCache<Arc<AuthorizerAnswer>> = AuthorizerCache::new(300, 1_000).unwrap();
    let first = gateway
        .handle_with_authorizer(&request, NOW, &mut || {
            lambda.call(&gateway.api, &request, &warm, NOW)
        })
        .unwrap();
    assert_eq!((first.status, first.authorizer_invoked), (200, true));
    let cold: AuthorizerCache<Arc<AuthorizerAnswer>> = AuthorizerCache::new(0, 1_000).unwrap();

    let mut g = c.benchmark_group("flow/lambda-table-a");
    for (name, cache, hit) in [("cache-hit", &warm, true), ("cache-miss", &cold, false)] {
        let d = gateway
            .handle_with_authorizer(&request, NOW + 1, &mut || {
                lambda.call(&gateway.api, &request, cache, NOW + 1)
            })
            .unwrap();
        assert_eq!((d.status, d.cache_hit), (200, hit), "{name}");
        g.bench_function(name, |b| {
            b.iter(|| {
                gateway
                    .decide_with_authorizer(black_box(&request), NOW + 1, &mut || {
                        lambda.call(&gateway.api, &request, cache, NOW + 1)
                    })
                    .unwrap()
            })
        });
        g.bench_function(format!("{name}/explained"), |b| {
            b.iter(|| {
                gateway
                    .handle_with_authorizer(black_box(&request), NOW + 1, &mut || {
                        lambda.call(&gateway.api, &request, cache, NOW + 1)
                    })
                    .unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, flow);
criterion_main!(benches);
