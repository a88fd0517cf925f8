//! Adversarial inputs (issue #6): each test feeds the engine something hostile or extreme and
//! asserts the exact documented outcome — a named error, or a deny — within a time bound.
//!
//! The time bounds are generous (seconds, in a debug build on a shared machine): they are a
//! guard against denial of service (an exponential or quadratic path), not benchmarks; the
//! criterion benches measure performance.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use std::time::{Duration, Instant};

use policy_engine::arn::ApiRef;
use policy_engine::flow::{Api, ApiType, EndpointType};
use policy_engine::json::JsonPath;
use policy_engine::lint::{lint_resource_policy, AuthKind, MethodsAuth};
use policy_engine::policy::{PolicyDocument, PolicyKind};
use serde_json::{json, Value};

const ACCOUNT: &str = "123456789012";

fn api_ref() -> ApiRef {
    ApiRef {
        partition: "aws".into(),
        region: "us-east-1".into(),
        account_id: ACCOUNT.into(),
        api_id: "a1b2c3d4e5".into(),
    }
}

fn api(endpoint: EndpointType) -> Api {
    Api {
        api_type: ApiType::Rest,
        api_ref: api_ref(),
        stage: "prod".into(),
        endpoint,
    }
}

fn resource_policy(statements: Vec<Value>) -> PolicyDocument {
    let doc = json!({"Version": "2012-10-17", "Statement": statements});
    PolicyDocument::from_json(&doc, PolicyKind::Resource, Some(&api_ref())).unwrap()
}

/// Run `f`, failing if it takes longer than `limit`; returns what `f` returned.
fn within<T>(limit: Duration, what: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let out = f();
    let took = started.elapsed();
    assert!(took < limit, "{what} took {took:?}, limit {limit:?}");
    out
}

// ---------------------------------------------------------------------------------------------
// Lints on large policies
// ---------------------------------------------------------------------------------------------

/// `private-allow-anyone` looks for a `Deny` limiting the VPC for every open `Allow`. It used to
/// recompute, for every allow, whether every deny covered the whole API: quadratic in the
/// statements (400 allows and 400 denies took minutes). The guards are now found once.
#[test]
fn private_api_lint_is_not_quadratic_in_the_statements() {
    let mut statements = Vec::new();
    for i in 0..300 {
        statements.push(
            json!({"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
            "Resource": format!("execute-api:/prod/GET/open{i}")}),
        );
        statements.push(
            json!({"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
            "Resource": format!("execute-api:/prod/GET/other{i}"),
            "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}),
        );
    }
    // One allow whose resources a VPC deny lists exactly: guarded, so no finding.
    statements.push(
        json!({"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
        "Resource": ["execute-api:/prod/GET/guarded", "execute-api:/prod/POST/guarded"]}),
    );
    statements.push(
        json!({"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
        "Resource": ["execute-api:/prod/POST/guarded", "execute-api:/prod/GET/guarded"],
        "Condition": {"StringNotEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}}),
    );
    let policy = resource_policy(statements);
    let findings = within(Duration::from_secs(10), "linting 602 statements", || {
        lint_resource_policy(
            &policy,
            &JsonPath::root(),
            &api(EndpointType::Private),
            &MethodsAuth::All(AuthKind::None),
        )
    });
    let open: Vec<String> = findings
        .iter()
        .filter(|f| f.code == "private-allow-anyone")
        .map(|f| f.path.to_string())
        .collect();
    assert_eq!(open.len(), 300, "{open:?}");
    assert_eq!(open.first().map(String::as_str), Some("Statement[0]"));
    assert!(!open.contains(&"Statement[600]".to_owned()), "{open:?}");
    // A deny covering the whole API guards every allow.
    let mut statements: Vec<Value> = (0..300)
        .map(|i| {
            json!({"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
            "Resource": format!("execute-api:/prod/GET/open{i}")})
        })
        .collect();
    statements.push(
        json!({"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
        "Resource": "execute-api:/*",
        "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}),
    );
    let findings = lint_resource_policy(
        &resource_policy(statements),
        &JsonPath::root(),
        &api(EndpointType::Private),
        &MethodsAuth::All(AuthKind::None),
    );
    assert!(
        findings.iter().all(|f| f.code != "private-allow-anyone"),
        "{findings:#?}"
    );
}
