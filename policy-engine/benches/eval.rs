//! Policy evaluation and compilation: the hot path (a compiled policy against one request)
//! and the one-off cost of parsing and compiling a policy document.
//!
//! `cargo bench -p policy-engine --bench eval`; the README's Performance section quotes the
//! medians. Targets (issue #5): ≤ 200 ns for the seed-sized policies, ≤ 20 µs for the
//! 1,000-statement policy, growing linearly with the statement count.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "benchmark setup: a failure here is a broken fixture, reported by the panic"
)]

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use policy_engine::arn::{ApiRef, MethodArn};
use policy_engine::context::RequestContext;
use policy_engine::eval::{EvalRequest, INVOKE_ACTION, PolicyOutcome};
use policy_engine::policy::{PolicyDocument, PolicyKind};
use policy_engine::principal::Caller;
use serde_json::{Value, json};

const OWNER: &str = "123456789012";

fn api() -> ApiRef {
    ApiRef {
        partition: "aws".into(),
        region: "us-east-2".into(),
        account_id: OWNER.into(),
        api_id: "aabbccddee".into(),
    }
}

/// The developer guide's "allow a source IP range" example (seed-ip-range scenario).
fn seed_ip_range() -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "arn:aws:execute-api:us-east-2:123456789012:*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "arn:aws:execute-api:us-east-2:123456789012:*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": "123.4.5.6/24"}}}
    ]})
}

/// The developer guide's private-API policy: allow, and deny outside one VPC endpoint.
fn seed_vpce() -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "execute-api:/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}
    ]})
}

/// An authorizer's answer granting `n` routes, one statement each (the shape a naive
/// authorizer returns); the request for `/resource{n-1}` matches only the last one.
fn authorizer_policy(n: usize) -> Value {
    let statements: Vec<Value> = (0..n)
        .map(|i| {
            json!({"Effect": "Allow", "Action": "execute-api:Invoke",
                   "Resource": format!("arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/resource{i}/*")})
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// A resource policy of `n` statements mixing every cost a statement can have: principals,
/// wildcards, conditions on IPs, strings and VPC endpoints; only the last statement matches
/// the matching request, so every statement is checked.
fn stress_policy(n: usize) -> Value {
    let statements: Vec<Value> = (0..n)
        .map(|i| match i % 4 {
            0 => json!({"Sid": format!("Ip{i}"), "Effect": "Deny", "Principal": "*",
                        "Action": "execute-api:Invoke",
                        "Resource": format!("execute-api:/*/POST/orders{i}/*"),
                        "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}}}),
            1 => json!({"Sid": format!("Vpce{i}"), "Effect": "Deny", "Principal": "*",
                        "Action": "execute-api:Invoke",
                        "Resource": format!("execute-api:/prod/*/admin{i}"),
                        "Condition": {"StringNotEquals": {"aws:SourceVpce": ["vpce-1a2b3c4d", "vpce-5e6f7a8b"]}}}),
            2 => json!({"Sid": format!("Agent{i}"), "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
                        "Action": ["execute-api:Invoke", "execute-api:ManageConnections"],
                        "Resource": [format!("arn:aws:execute-api:us-east-2:123456789012:aabbccddee/*/GET/pets{i}"),
                                     format!("arn:aws:execute-api:us-east-2:123456789012:aabbccddee/*/PUT/pets{i}/*")],
                        "Condition": {"StringLike": {"aws:UserAgent": "curl/*"}}}),
            _ => json!({"Sid": format!("Path{i}"), "Effect": "Allow", "Principal": "*",
                        "Action": "execute-api:*",
                        "Resource": format!("arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/items/{i}/*")}),
        })
        .chain(std::iter::once(json!({"Sid": "Last", "Effect": "Allow", "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/pets/*",
            "Condition": {"IpAddress": {"aws:SourceIp": "123.4.5.0/24"}}})))
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn compile(value: &Value, kind: PolicyKind) -> PolicyDocument {
    PolicyDocument::from_json(value, kind, Some(&api())).unwrap()
}

/// A request to `GET /pets/42` on stage `prod` from `ip` through `vpce`.
struct Request {
    arn: MethodArn,
    context: RequestContext,
}

impl Request {
    fn new(method: &str, path: &str, ip: &str, vpce: &str) -> Self {
        let mut context = RequestContext::new();
        context.set("aws:SourceIp", ip).unwrap();
        context.set("aws:SourceVpce", vpce).unwrap();
        context.set("aws:UserAgent", "Mozilla/5.0").unwrap();
        context.set("aws:EpochTime", "1767225600").unwrap();
        context
            .set("aws:CurrentTime", "2026-01-01T00:00:00Z")
            .unwrap();
        context.set("aws:SecureTransport", "true").unwrap();
        Self {
            arn: MethodArn::for_method(&api(), "prod", method, path),
            context,
        }
    }

    fn eval(&self) -> EvalRequest<'_> {
        EvalRequest {
            action: INVOKE_ACTION,
            resource: self.arn.as_str(),
            caller: &Caller::Anonymous,
            owner_account: OWNER,
            context: &self.context,
        }
    }
}

fn bench_case(
    c: &mut Criterion,
    group: &str,
    policy: &PolicyDocument,
    cases: [(&str, &Request, PolicyOutcome); 2],
) {
    let mut g = c.benchmark_group(group);
    g.throughput(Throughput::Elements(1));
    for (name, request, expected) in cases {
        let req = request.eval();
        assert_eq!(policy.evaluate(&req).outcome, expected, "{group}/{name}");
        g.bench_function(name, |b| {
            b.iter(|| black_box(policy).evaluate(black_box(&req)))
        });
    }
    g.finish();
}

fn evaluation(c: &mut Criterion) {
    let inside = Request::new("GET", "/pets/42", "123.4.5.77", "vpce-1a2b3c4d");
    let outside = Request::new("GET", "/pets/42", "8.8.8.8", "vpce-0000ffff");

    let ip = compile(&seed_ip_range(), PolicyKind::Resource);
    bench_case(
        c,
        "eval/seed-ip-range",
        &ip,
        [
            ("match", &inside, PolicyOutcome::Allow),
            ("non-match", &outside, PolicyOutcome::ExplicitDeny),
        ],
    );
    let vpce = compile(&seed_vpce(), PolicyKind::Resource);
    bench_case(
        c,
        "eval/seed-vpce",
        &vpce,
        [
            ("match", &inside, PolicyOutcome::Allow),
            ("non-match", &outside, PolicyOutcome::ExplicitDeny),
        ],
    );

    let last_route = Request::new("GET", "/resource49/x", "123.4.5.77", "vpce-1a2b3c4d");
    let unknown_route = Request::new("GET", "/unknown/x", "123.4.5.77", "vpce-1a2b3c4d");
    let authorizer = compile(&authorizer_policy(50), PolicyKind::Identity);
    bench_case(
        c,
        "eval/authorizer-50",
        &authorizer,
        [
            ("match", &last_route, PolicyOutcome::Allow),
            ("non-match", &unknown_route, PolicyOutcome::ImplicitDeny),
        ],
    );

    let stress = compile(&stress_policy(999), PolicyKind::Resource);
    bench_case(
        c,
        "eval/stress-1000",
        &stress,
        [
            ("match", &inside, PolicyOutcome::Allow),
            ("non-match", &outside, PolicyOutcome::ImplicitDeny),
        ],
    );

    // Growth with the statement count: every statement is checked for the matching request.
    let mut g = c.benchmark_group("eval/stress-by-size");
    for n in [10usize, 100, 1000] {
        let policy = compile(&stress_policy(n - 1), PolicyKind::Resource);
        let req = inside.eval();
        assert_eq!(policy.evaluate(&req).outcome, PolicyOutcome::Allow);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &policy, |b, p| {
            b.iter(|| black_box(p).evaluate(black_box(&req)))
        });
    }
    g.finish();
}

fn compilation(c: &mut Criterion) {
    let mut g = c.benchmark_group("compile");
    for (name, value, kind) in [
        ("seed-ip-range", seed_ip_range(), PolicyKind::Resource),
        ("seed-vpce", seed_vpce(), PolicyKind::Resource),
        ("authorizer-50", authorizer_policy(50), PolicyKind::Identity),
        ("stress-1000", stress_policy(999), PolicyKind::Resource),
    ] {
        let text = value.to_string();
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(BenchmarkId::new("from-text", name), |b| {
            b.iter(|| {
                let value: Value = serde_json::from_str(black_box(&text)).unwrap();
                PolicyDocument::from_json(&value, kind, Some(&api())).unwrap()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, evaluation, compilation);
criterion_main!(benches);
