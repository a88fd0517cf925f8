//! "Compile once, evaluate many": evaluating a compiled policy allocates nothing, proven by
//! counting this thread's heap allocations around the hot path.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use policy_engine::arn::{ApiRef, MethodArn};
use policy_engine::context::{ContextKey, ContextValue, RequestContext};
use policy_engine::eval::{EvalRequest, INVOKE_ACTION, PolicyOutcome, evaluate_all};
use policy_engine::policy::{PolicyDocument, PolicyKind};
use policy_engine::principal::{Caller, IamCaller};
use serde_json::json;

fn api() -> ApiRef {
    ApiRef {
        partition: "aws".into(),
        region: "us-east-2".into(),
        account_id: "123456789012".into(),
        api_id: "aabbccddee".into(),
    }
}

fn resource(v: serde_json::Value) -> PolicyDocument {
    PolicyDocument::from_json(&v, PolicyKind::Resource, Some(&api())).unwrap()
}

fn assert_no_allocations(policy: &PolicyDocument, req: &EvalRequest<'_>, expected: PolicyOutcome) {
    // Warm up outside the measurement (nothing should be lazily initialised, but be fair).
    assert_eq!(policy.evaluate(req).outcome, expected);
    let info = allocation_counter::measure(|| {
        for _ in 0..100 {
            std::hint::black_box(policy.evaluate(std::hint::black_box(req)));
        }
    });
    assert_eq!(
        info.count_total, 0,
        "evaluation allocated {} times",
        info.count_total
    );
}

#[test]
fn evaluating_compiled_policies_allocates_nothing() {
    let ip_policy = resource(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-2:123456789012:*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-2:123456789012:*",
         "Condition": {"NotIpAddress": {"aws:SourceIp": "123.4.5.6/24"}}}
    ]}));
    let vpce_policy = resource(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}
    ]}));
    // Every operator family, policy variables, principals and Not- forms in one policy.
    let mixed = resource(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::210987654321:role/dev", "123456789012"]},
         "NotAction": "execute-api:InvalidateCache", "NotResource": "execute-api:/*/DELETE/*",
         "Condition": {
            "StringLike": {"aws:UserAgent": ["curl/*", "Mozilla/?.0*"]},
            "StringEqualsIgnoreCase": {"aws:PrincipalType": "assumedrole"},
            "NumericLessThan": {"aws:EpochTime": "9999999999"},
            "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"},
            "Bool": {"aws:SecureTransport": "true"},
            "IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]},
            "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"},
            "ForAnyValue:StringEquals": {"custom:groups": ["admin", "ops"]},
            "StringEqualsIfExists": {"aws:username": "${aws:username}"},
            "Null": {"aws:Referer": "true"}
         }},
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:*",
         "Resource": "execute-api:/prod/GET/ip/${aws:SourceIp}"}
    ]}));

    let arn = MethodArn::for_method(&api(), "prod", "GET", "/pets/42");
    let mut ctx = RequestContext::new();
    ctx.set("aws:SourceIp", "123.4.5.77").unwrap();
    ctx.set("aws:SourceVpce", "vpce-1a2b3c4d").unwrap();
    ctx.set("aws:UserAgent", "curl/8.4").unwrap();
    ctx.set("aws:PrincipalType", "AssumedRole").unwrap();
    ctx.set("aws:EpochTime", "1767225600").unwrap();
    ctx.set("aws:CurrentTime", "2026-01-01T00:00:00Z").unwrap();
    ctx.set("aws:SecureTransport", "true").unwrap();
    ctx.set("aws:PrincipalArn", "arn:aws:iam::210987654321:role/dev")
        .unwrap();
    ctx.insert(
        &ContextKey::new("custom:groups"),
        ContextValue::multi(["dev", "ops"]),
    )
    .unwrap();
    let caller =
        Caller::Iam(IamCaller::from_arn("arn:aws:sts::210987654321:assumed-role/dev/s").unwrap());
    let req = EvalRequest {
        action: INVOKE_ACTION,
        resource: arn.as_str(),
        caller: &Caller::Anonymous,
        owner_account: "123456789012",
        context: &ctx,
    };
    assert_no_allocations(&ip_policy, &req, PolicyOutcome::Allow);
    assert_no_allocations(&vpce_policy, &req, PolicyOutcome::Allow);
    // Mixed: the anonymous caller is not named by statement 0, and statement 1's path differs.
    assert_no_allocations(&mixed, &req, PolicyOutcome::ImplicitDeny);
    let iam_req = EvalRequest {
        caller: &caller,
        ..req
    };
    // IpAddress fails for 123.4.5.77 after every other condition held.
    assert_no_allocations(&mixed, &iam_req, PolicyOutcome::ImplicitDeny);

    let mut outside = ctx.clone();
    outside.set("aws:SourceIp", "8.8.8.8").unwrap();
    outside.set("aws:SourceVpce", "vpce-other").unwrap();
    let denied = EvalRequest {
        context: &outside,
        ..req
    };
    assert_no_allocations(&ip_policy, &denied, PolicyOutcome::ExplicitDeny);
    assert_no_allocations(&vpce_policy, &denied, PolicyOutcome::ExplicitDeny);

    let mut inside = ctx.clone();
    inside.set("aws:SourceIp", "10.1.2.3").unwrap();
    let granted = EvalRequest {
        caller: &caller,
        context: &inside,
        ..req
    };
    assert_no_allocations(&mixed, &granted, PolicyOutcome::Allow);

    let identity = [PolicyDocument::from_json(
        &json!({"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:aabbccddee/*/GET/*"}]}),
        PolicyKind::Identity,
        None,
    )
    .unwrap()];
    let info = allocation_counter::measure(|| {
        std::hint::black_box(evaluate_all(&identity, &req));
    });
    assert_eq!(info.count_total, 0);
}
