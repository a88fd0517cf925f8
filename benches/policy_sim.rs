//! `policy-sim test` on a 10,000-case scenario file, end to end: the real binary is started,
//! reads and validates the file, decides every case and prints its report. Two files: a
//! resource policy alone (cases are independent and run on every core) and a Lambda
//! authorizer with its result cache (cases share the cache and run in order).
//!
//! `cargo bench --bench policy_sim`. Target (issue #5): well under a second.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "benchmark setup: a failure here is a broken fixture, reported by the panic"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};

const CASES: usize = 10_000;

fn api() -> Value {
    json!({"type": "REST", "region": "us-east-2", "accountId": "123456789012",
           "apiId": "aabbccddee", "stage": "prod"})
}

/// The seed's IP-range policy; every case checks one caller against it.
fn resource_policy_file() -> Value {
    let cases: Vec<Value> = (0..CASES)
        .map(|i| {
            let inside = i % 2 == 0;
            let ip = if inside {
                format!("123.4.5.{}", i % 250)
            } else {
                format!("8.{}.{}.{}", i % 200, (i / 200) % 250, i % 7)
            };
            json!({"name": format!("case {i}"),
                   "request": {"method": if i % 3 == 0 { "POST" } else { "GET" },
                               "path": format!("/pets/{i}"), "sourceIp": ip},
                   "expect": {"status": if inside { 200 } else { 403 }}})
        })
        .collect();
    json!({"api": api(),
           "resourcePolicy": {"Version": "2012-10-17", "Statement": [
             {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
              "Resource": "arn:aws:execute-api:us-east-2:123456789012:*"},
             {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
              "Resource": "arn:aws:execute-api:us-east-2:123456789012:*",
              "Condition": {"NotIpAddress": {"aws:SourceIp": "123.4.5.6/24"}}}]},
           "auth": {"type": "NONE"},
           "cases": cases})
}

/// A TOKEN authorizer answering from a table, cached for 300 s: 100 callers, each calling
/// 100 times; the first call of each is a miss, the others hits.
fn cached_authorizer_file() -> Value {
    let mut responses = serde_json::Map::new();
    for user in 0..100 {
        responses.insert(
            format!("token-{user}"),
            json!({"principalId": format!("user-{user}"),
                   "policyDocument": {"Version": "2012-10-17", "Statement": [
                     {"Effect": "Allow", "Action": "execute-api:Invoke",
                      "Resource": "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/*"}]},
                   "context": {"user": format!("user-{user}")}}),
        );
    }
    let cases: Vec<Value> = (0..CASES)
        .map(|i| {
            let user = i % 100;
            json!({"name": format!("case {i}"),
                   "request": {"method": "GET", "path": format!("/pets/{i}"),
                               "headers": {"Authorization": format!("token-{user}")}},
                   "expect": {"status": 200, "authorizerInvoked": i < 100,
                              "principalId": format!("user-{user}")}})
        })
        .collect();
    json!({"api": api(),
           "auth": {"type": "LAMBDA_TOKEN", "ttlSeconds": 300,
                    "identitySources": ["method.request.header.Authorization"],
                    "responses": responses},
           "cases": cases})
}

fn write(dir: &Path, name: &str, file: &Value) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_vec(file).unwrap()).unwrap();
    path
}

fn policy_sim_test(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("policy-sim-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let files = [
        (
            "resource-policy",
            write(&dir, "resource-policy.json", &resource_policy_file()),
        ),
        (
            "cached-authorizer",
            write(&dir, "cached-authorizer.json", &cached_authorizer_file()),
        ),
    ];
    let mut g = c.benchmark_group("policy-sim-test/10000-cases");
    g.sample_size(10);
    for (name, file) in &files {
        let run = || {
            let out = Command::new(env!("CARGO_BIN_EXE_policy-sim"))
                .arg("test")
                .arg(file)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{name}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        };
        run();
        g.bench_function(*name, |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let start = Instant::now();
                    run();
                    total += start.elapsed();
                }
                total
            })
        });
    }
    g.finish();
    std::fs::remove_dir_all(&dir).ok();
}

criterion_group!(benches, policy_sim_test);
criterion_main!(benches);
