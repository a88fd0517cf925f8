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

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use policy_engine::arn::{ApiRef, MethodArn};
use policy_engine::cache::AuthorizerCache;
use policy_engine::context::{ContextError, ContextKey, ContextValue, RequestContext};
use policy_engine::error::PolicyErrorKind;
use policy_engine::eval::{EvalRequest, INVOKE_ACTION, PolicyOutcome};
use policy_engine::flow::{
    AnswerSource, Api, ApiRequest, ApiType, Authorization, AuthorizerAnswer, EndpointType,
    FlowError, Gateway, IdentitySource,
};
use policy_engine::function::{AuthorizerFunction, FunctionResult};
use policy_engine::json::JsonPath;
use policy_engine::lambda::{LambdaKind, LambdaSetup, PayloadFormat};
use policy_engine::lint::{AuthKind, MethodsAuth, lint_resource_policy};
use policy_engine::policy::{PolicyDocument, PolicyKind};
use policy_engine::principal::{Caller, IamCaller};
use serde_json::{Value, json};

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

/// A statement letting everyone invoke `resource`, optionally under a condition block.
fn allow(resource: &str, condition: Option<Value>) -> Value {
    statement("Allow", resource, condition)
}

fn deny(resource: &str, condition: Option<Value>) -> Value {
    statement("Deny", resource, condition)
}

fn statement(effect: &str, resource: &str, condition: Option<Value>) -> Value {
    let mut s = json!({"Effect": effect, "Principal": "*", "Action": "execute-api:Invoke",
        "Resource": resource});
    if let Some(c) = condition {
        s["Condition"] = c;
    }
    s
}

/// The outcome of `policy` for `GET {path}` on stage `prod` by an anonymous caller with
/// these condition keys.
fn outcome(policy: &PolicyDocument, path: &str, keys: &[(&str, &str)]) -> PolicyOutcome {
    outcome_as(policy, path, keys, &Caller::Anonymous)
}

fn outcome_as(
    policy: &PolicyDocument,
    path: &str,
    keys: &[(&str, &str)],
    caller: &Caller,
) -> PolicyOutcome {
    let arn = MethodArn::for_method(&api_ref(), "prod", "GET", path);
    let mut context = RequestContext::new();
    for (k, v) in keys {
        context.set(k, v).unwrap();
    }
    policy
        .evaluate(&EvalRequest {
            action: INVOKE_ACTION,
            resource: arn.as_str(),
            caller,
            owner_account: ACCOUNT,
            context: &context,
        })
        .outcome
}

/// The message of the error parsing `text` as a resource policy.
fn policy_error(text: &str) -> (PolicyErrorKind, String) {
    let e = PolicyDocument::parse_resource_policy(text, &api_ref()).unwrap_err();
    (e.kind(), e.to_string())
}

fn gateway(policy: Option<PolicyDocument>, authorization: Authorization) -> Gateway {
    Gateway {
        api: api(EndpointType::Regional),
        resource_policy: policy,
        authorization,
    }
}

fn get(path: &str) -> ApiRequest {
    ApiRequest {
        method: "GET".into(),
        path: path.into(),
        source_ip: Some("192.0.2.10".parse().unwrap()),
        ..ApiRequest::default()
    }
}

const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

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

// ---------------------------------------------------------------------------------------------
// Pathological wildcard patterns
// ---------------------------------------------------------------------------------------------

/// `*a*a*a*a*a*a*a*a*b` against ten thousand `a`s: a backtracking matcher is exponential here.
/// The engine never matches it (there is no `b`), in a `Resource` and in a `StringLike`
/// condition, with and without `?` (which takes the other matcher), and the patterns that do
/// match still match — all in well under the bound.
#[test]
fn pathological_patterns_in_resources_and_conditions_stay_fast() {
    let a = "a".repeat(10_000);
    let prefix = api_ref().arn_prefix();
    // (pattern, whether it matches ten thousand `a`s)
    let rows = [
        ("*a*a*a*a*a*a*a*a*b", false),
        ("*a*a*a*a*a*a*a*a*", true),
        ("*a?a*a*a?a*a*a*a*b", false),
        ("*a?a*a*a?a*a*a*a*", true),
        ("?*a?*a?*a?*a?*a?*a?*a?*b", false),
        (
            "*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*b",
            false,
        ),
    ];
    within(Duration::from_secs(5), "pathological patterns", || {
        for (pattern, matches) in rows {
            // In a resource: an allow that matches allows; one that does not, does not.
            let resource = format!("{prefix}/prod/GET/{pattern}");
            let allows = resource_policy(vec![allow(&resource, None)]);
            let expected = if matches {
                PolicyOutcome::Allow
            } else {
                PolicyOutcome::ImplicitDeny
            };
            assert_eq!(
                outcome(&allows, &format!("/{a}"), &[]),
                expected,
                "{pattern}"
            );
            // A deny with the pattern stops an allow-all exactly when it matches.
            let denies =
                resource_policy(vec![allow("execute-api:/*", None), deny(&resource, None)]);
            let expected = if matches {
                PolicyOutcome::ExplicitDeny
            } else {
                PolicyOutcome::Allow
            };
            assert_eq!(
                outcome(&denies, &format!("/{a}"), &[]),
                expected,
                "{pattern}"
            );
            // In a StringLike condition on a header-sized value, and its negation.
            for (operator, holds) in [("StringLike", matches), ("StringNotLike", !matches)] {
                let policy = resource_policy(vec![allow(
                    "execute-api:/*",
                    Some(json!({operator: {"aws:UserAgent": pattern}})),
                )]);
                let expected = if holds {
                    PolicyOutcome::Allow
                } else {
                    PolicyOutcome::ImplicitDeny
                };
                assert_eq!(
                    outcome(&policy, "/", &[("aws:UserAgent", &a)]),
                    expected,
                    "{operator} {pattern}"
                );
            }
        }
    });
}

/// A long `?` segment (5,000 characters) in a `StringLike` value against a 10,000-character
/// header, and a variable resolved to a long header: the backtracking matcher took seconds
/// here (text × segment steps); the bit-parallel one does not.
#[test]
fn long_question_mark_segments_in_conditions_stay_fast() {
    let a = "a".repeat(10_000);
    let long = format!("*?{}b", "a".repeat(5_000));
    let policy = resource_policy(vec![allow(
        "execute-api:/*",
        Some(json!({"StringLike": {"aws:UserAgent": long}})),
    )]);
    let with_variable = resource_policy(vec![allow(
        "execute-api:/*",
        Some(json!({"StringLike": {"aws:UserAgent": "*${aws:Referer}?b"}})),
    )]);
    within(Duration::from_secs(5), "long `?` segments", || {
        assert_eq!(
            outcome(&policy, "/", &[("aws:UserAgent", &a)]),
            PolicyOutcome::ImplicitDeny
        );
        assert_eq!(
            outcome(&policy, "/", &[("aws:UserAgent", &format!("{a}b"))]),
            PolicyOutcome::Allow
        );
        let referer = "a".repeat(5_000);
        assert_eq!(
            outcome(
                &with_variable,
                "/",
                &[("aws:UserAgent", &a), ("aws:Referer", &referer)]
            ),
            PolicyOutcome::ImplicitDeny
        );
        assert_eq!(
            outcome(
                &with_variable,
                "/",
                &[
                    ("aws:UserAgent", &format!("{a}xb")),
                    ("aws:Referer", &referer)
                ]
            ),
            PolicyOutcome::Allow
        );
    });
}

// ---------------------------------------------------------------------------------------------
// Very large policies
// ---------------------------------------------------------------------------------------------

fn padded_statements(count: usize) -> Vec<Value> {
    (0..count)
        .map(|i| {
            let mut s = allow(&format!("execute-api:/prod/GET/r{i}"), None);
            s["Sid"] = json!(format!("S{i}"));
            s
        })
        .collect()
}

/// 10,000 statements compile, a request matching only the last one is allowed by it, a deny
/// in the middle still wins over it, and the flow decides them — each within the bound.
#[test]
fn ten_thousand_statements_compile_and_decide_correctly() {
    let policy = within(
        Duration::from_secs(10),
        "compiling 10,000 statements",
        || resource_policy(padded_statements(10_000)),
    );
    assert_eq!(policy.statements().len(), 10_000);
    within(
        Duration::from_secs(5),
        "evaluating 10,000 statements",
        || {
            assert_eq!(outcome(&policy, "/r9999", &[]), PolicyOutcome::Allow);
            assert_eq!(
                outcome(&policy, "/r10000", &[]),
                PolicyOutcome::ImplicitDeny
            );
        },
    );
    let arn = MethodArn::for_method(&api_ref(), "prod", "GET", "/r9999");
    let context = RequestContext::new();
    let trace = within(
        Duration::from_secs(5),
        "explaining 10,000 statements",
        || {
            policy.explain(&EvalRequest {
                action: INVOKE_ACTION,
                resource: arn.as_str(),
                caller: &Caller::Anonymous,
                owner_account: ACCOUNT,
                context: &context,
            })
        },
    );
    assert_eq!(trace.statements.len(), 10_000);
    assert_eq!(
        trace.deciding().map(|s| (s.index, s.sid.clone())),
        Some((9_999, Some("S9999".to_owned())))
    );

    // A deny at statement 5,000 for the method the last statement allows.
    let mut statements = padded_statements(10_000);
    statements.insert(5_000, deny("execute-api:/*/GET/r9999", None));
    let with_deny = within(
        Duration::from_secs(10),
        "compiling 10,001 statements",
        || resource_policy(statements),
    );
    let g = gateway(Some(with_deny), Authorization::None);
    within(Duration::from_secs(5), "deciding through the flow", || {
        let denied = g.decide(&get("/r9999"), NOW).unwrap();
        assert_eq!(
            (denied.status, denied.outcome),
            (403, PolicyOutcome::ExplicitDeny)
        );
        let allowed = g.decide(&get("/r9998"), NOW).unwrap();
        assert_eq!(
            (allowed.status, allowed.outcome),
            (200, PolicyOutcome::Allow)
        );
        let explained = g.handle(&get("/r9999"), NOW).unwrap();
        assert!(
            explained
                .steps
                .iter()
                .any(|s| s.contains("Statement[5000] (Deny): matched, decided")),
            "{}",
            explained.explanation()
        );
    });
}

/// A 5 MB policy is accepted and evaluated (the 8,192-character quota can be raised, so the
/// simulator does not refuse it; `policy-sim lint` reports it); `stored_chars` measures it for
/// that lint.
#[test]
fn a_5_mb_policy_is_accepted_and_evaluated() {
    let mut statements = Vec::new();
    let mut size = 0;
    while size < 5_000_000 {
        let s = allow(
            &format!(
                "execute-api:/prod/GET/{}{}",
                "x".repeat(400),
                statements.len()
            ),
            None,
        );
        size += s.to_string().len();
        statements.push(s);
    }
    let last = statements.len() - 1;
    statements.push(deny("execute-api:/*/GET/blocked", None));
    statements.push(allow("execute-api:/prod/GET/blocked", None));
    let text = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    assert!(text.len() > 5_000_000);
    let policy = within(Duration::from_secs(20), "compiling 5 MB", || {
        PolicyDocument::parse_resource_policy(&text, &api_ref()).unwrap()
    });
    assert!(policy.stored_chars() > 5_000_000);
    within(Duration::from_secs(5), "evaluating 5 MB", || {
        assert_eq!(
            outcome(&policy, &format!("/{}{last}", "x".repeat(400)), &[]),
            PolicyOutcome::Allow
        );
        assert_eq!(
            outcome(&policy, "/blocked", &[]),
            PolicyOutcome::ExplicitDeny
        );
        assert_eq!(outcome(&policy, "/x", &[]), PolicyOutcome::ImplicitDeny);
    });
}

// ---------------------------------------------------------------------------------------------
// Deeply nested JSON
// ---------------------------------------------------------------------------------------------

fn nested_arrays(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// serde_json stops at 128 levels: every place JSON text enters the engine turns 100,000
/// levels into an error naming the problem — never a stack overflow. Those 128 levels take
/// 300 to 500 KB of stack in a debug build (far less optimised); the test runs on a 1 MB
/// stack, half of what Rust gives a spawned thread (and tokio a Lambda worker), to show the
/// margin.
/// A command authorizer printing more than a Lambda function can return (6 MB) is a failed
/// function (500), and only that much of its output is ever held.
#[test]
fn an_oversized_command_response_is_a_failed_function() {
    let command = |script: &str, timeout: u64| {
        policy_engine::function::CommandFunction::new(
            vec!["sh".into(), "-c".into(), script.into()],
            std::path::Path::new("."),
            Duration::from_secs(timeout),
        )
        .unwrap()
    };
    let over = policy_engine::function::MAX_RESPONSE_BYTES + 1;
    assert_eq!(
        command(&format!("head -c {over} /dev/zero | tr '\\0' ' '"), 10).invoke("", &json!({})),
        FunctionResult::Failed(
            "the command printed more than 6291456 bytes: a Lambda function cannot return a response over 6 MB".into()
        )
    );
    // Printing without end: stopped at the timeout, its output drained, not kept.
    let endless = command("yes '{}'", 1).invoke("", &json!({}));
    assert!(
        matches!(&endless, FunctionResult::Failed(why) if why.contains("did not answer within 1 s")),
        "{endless:?}"
    );
}

/// `{"Effect": "Deny", ..., "Effect": "Allow"}` would read as an allow with a last-wins
/// parser: every place a policy or a file enters refuses a duplicate member instead.
#[test]
fn duplicate_members_are_refused_everywhere_json_enters() {
    let statement = r#"{"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*", "Effect": "Allow"}"#;
    let policy = format!(r#"{{"Version": "2012-10-17", "Statement": [{statement}]}}"#);
    let (kind, message) = policy_error(&policy);
    assert_eq!(kind, PolicyErrorKind::InvalidJson);
    assert!(message.contains("duplicate member `Effect`"), "{message}");
    // The `get-rest-api` string form, and identity policies.
    let (kind, message) = policy_error(&serde_json::to_string(&policy).unwrap());
    assert_eq!(kind, PolicyErrorKind::InvalidJson);
    assert!(message.contains("duplicate member `Effect`"), "{message}");
    let identity = PolicyDocument::parse_identity_policy(&policy).unwrap_err();
    assert_eq!(identity.kind(), PolicyErrorKind::InvalidJson);
    // A duplicate condition key, where last-wins would drop a restriction.
    let condition = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24", "aws:SourceIp": "0.0.0.0/0"}}}]}"#;
    assert!(
        policy_error(condition)
            .1
            .contains("duplicate member `aws:SourceIp`")
    );
    // Scenario files.
    let scenario = policy_engine::scenario::parse(
        "s.json",
        r#"{"api": {"region": "us-east-2", "region": "eu-west-1"}}"#,
    )
    .unwrap_err();
    assert_eq!(
        scenario.to_string(),
        "s.json: not valid JSON: duplicate member `region`: an object may name a member once (which one was meant is ambiguous) at line 1 column 40"
    );
    // An authorizer `command` answering with a duplicate member: the function failed (500).
    let printer = policy_engine::function::CommandFunction::new(
        vec![
            "sh".into(),
            "-c".into(),
            r#"printf '{"principalId": "a", "principalId": "b"}'"#.into(),
        ],
        std::path::Path::new("."),
        Duration::from_secs(10),
    )
    .unwrap();
    assert_eq!(
        printer.invoke("", &json!({})),
        FunctionResult::Failed(
            "the command printed something that is not a JSON response (duplicate member `principalId`: an object may name a member once (which one was meant is ambiguous) at line 1 column 34)".into()
        )
    );
}

#[test]
fn deeply_nested_json_is_an_error_everywhere_it_enters() {
    let deep = nested_arrays(100_000);
    let deep_in_policy = format!(
        "{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"execute-api:Invoke\", \"Resource\": \"*\", \"Condition\": {}}}]}}",
        "{\"a\":".repeat(100_000) + &"}".repeat(100_000)
    );
    let small_stack = std::thread::Builder::new().stack_size(1024 * 1024);
    small_stack
        .spawn(move || {
            assert_eq!(
                policy_error(&deep),
                (
                    PolicyErrorKind::InvalidJson,
                    "the policy is not valid JSON (recursion limit exceeded at line 1 column 128) at `$`".to_owned()
                )
            );
            let (kind, message) = policy_error(&deep_in_policy);
            assert_eq!(kind, PolicyErrorKind::InvalidJson);
            assert!(message.contains("recursion limit exceeded"), "{message}");
            // The `get-rest-api` form: a JSON string holding the policy.
            let as_string = serde_json::to_string(&deep).unwrap();
            assert_eq!(
                policy_error(&as_string),
                (
                    PolicyErrorKind::InvalidJson,
                    "the policy string does not hold valid JSON (recursion limit exceeded at line 1 column 128) at `$`: give the policy as a JSON object, or as the string `get-rest-api` returns".to_owned()
                )
            );
            let identity = PolicyDocument::parse_identity_policy(&deep).unwrap_err();
            assert_eq!(identity.kind(), PolicyErrorKind::InvalidJson);
            // Scenario files.
            let scenario = policy_engine::scenario::parse("s.json", &deep).unwrap_err();
            assert_eq!(
                scenario.to_string(),
                "s.json: not valid JSON: recursion limit exceeded at line 1 column 128"
            );
        })
        .unwrap()
        .join()
        .unwrap();
    // An authorizer `command` printing a response nested too deep: the function failed (500).
    let deep_printer = policy_engine::function::CommandFunction::new(
        vec![
            "sh".into(),
            "-c".into(),
            "i=0; while [ $i -lt 1000 ]; do printf '['; i=$((i+1)); done".into(),
        ],
        std::path::Path::new("."),
        Duration::from_secs(10),
    )
    .unwrap();
    assert_eq!(
        deep_printer.invoke("", &json!({})),
        FunctionResult::Failed(
            "the command printed something that is not a JSON response (recursion limit exceeded at line 1 column 128)".into()
        )
    );
    // OpenAPI exports are read from files.
    let dir =
        std::env::temp_dir().join(format!("policy-engine-adversarial-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("deep-openapi.json");
    std::fs::write(&file, nested_arrays(100_000)).unwrap();
    let e = policy_engine::openapi::load_file(&file, None).unwrap_err();
    assert!(
        e.problem()
            .starts_with("not valid JSON (recursion limit exceeded at line 1 column 128)"),
        "{e}"
    );
}

/// Nesting just inside the limit is read, and refused for what it is (a condition value
/// that is not a string), not for its depth.
#[test]
fn nesting_inside_the_limit_is_a_type_error_not_a_depth_error() {
    let mut value = json!("x");
    for _ in 0..120 {
        value = json!([value]);
    }
    let text = json!({"Version": "2012-10-17", "Statement": [allow(
        "*",
        Some(json!({"StringEquals": {"aws:UserAgent": value}})),
    )]})
    .to_string();
    assert_eq!(
        policy_error(&text),
        (
            PolicyErrorKind::InvalidValue,
            "condition value must be a string, number or boolean, not an array at `Statement[0].Condition.StringEquals.aws:UserAgent[0]`".to_owned()
        )
    );
}

// ---------------------------------------------------------------------------------------------
// NUL bytes and non-UTF-8
// ---------------------------------------------------------------------------------------------

/// A raw NUL byte is not JSON; an escaped one (`\u0000`) is an ordinary character, compared
/// exactly: it neither ends a string early nor matches `%00`.
#[test]
fn nul_bytes_are_refused_raw_and_compared_exactly_when_escaped() {
    assert_eq!(
        policy_error("{\"Version\": \"2012-10-17\",\u{0} \"Statement\": []}"),
        (
            PolicyErrorKind::InvalidJson,
            "the policy is not valid JSON (key must be a string at line 1 column 26) at `$`"
                .to_owned()
        )
    );
    assert_eq!(
        policy_error("{\"Version\": \"2012\u{0}-10-17\"}"),
        (
            PolicyErrorKind::InvalidJson,
            "the policy is not valid JSON (control character (\\u0000-\\u001F) found while parsing a string at line 1 column 18) at `$`"
                .to_owned()
        )
    );
    let policy = resource_policy(vec![
        allow("execute-api:/prod/GET/a\u{0}b", None),
        allow(
            "execute-api:/prod/GET/ua",
            Some(json!({"StringEquals": {"aws:UserAgent": "x\u{0}y"}})),
        ),
        allow(
            "execute-api:/prod/GET/like",
            Some(json!({"StringLike": {"aws:UserAgent": "x\u{0}*"}})),
        ),
    ]);
    for (path, keys, expected) in [
        ("/a\u{0}b", &[][..], PolicyOutcome::Allow),
        ("/a", &[][..], PolicyOutcome::ImplicitDeny),
        ("/a\u{0}", &[][..], PolicyOutcome::ImplicitDeny),
        ("/a%00b", &[][..], PolicyOutcome::ImplicitDeny),
        (
            "/ua",
            &[("aws:UserAgent", "x\u{0}y")][..],
            PolicyOutcome::Allow,
        ),
        (
            "/ua",
            &[("aws:UserAgent", "x")][..],
            PolicyOutcome::ImplicitDeny,
        ),
        (
            "/ua",
            &[("aws:UserAgent", "x\u{0}")][..],
            PolicyOutcome::ImplicitDeny,
        ),
        (
            "/like",
            &[("aws:UserAgent", "x\u{0}anything")][..],
            PolicyOutcome::Allow,
        ),
        (
            "/like",
            &[("aws:UserAgent", "x")][..],
            PolicyOutcome::ImplicitDeny,
        ),
    ] {
        assert_eq!(outcome(&policy, path, keys), expected, "{path:?} {keys:?}");
    }
    // A principal ARN with a NUL names a different role than the ARN cut at the NUL.
    let policy = resource_policy(vec![json!({"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:role/a\u{0}b"},
        "Action": "execute-api:Invoke", "Resource": "execute-api:/*"})]);
    let caller = |arn: &str| Caller::Iam(IamCaller::from_arn(arn).unwrap());
    assert_eq!(
        outcome_as(
            &policy,
            "/",
            &[],
            &caller("arn:aws:iam::123456789012:role/a\u{0}b")
        ),
        PolicyOutcome::Allow
    );
    assert_eq!(
        outcome_as(
            &policy,
            "/",
            &[],
            &caller("arn:aws:iam::123456789012:role/a")
        ),
        PolicyOutcome::ImplicitDeny
    );
}

/// NUL bytes in a request's path and headers reach the flow as ordinary characters: a
/// policy naming `/pets` does not allow `/pets\0/admin`, a header with a NUL does not equal
/// the header without it, and the request is decided (no error, no panic).
#[test]
fn nul_bytes_in_requests_are_ordinary_characters() {
    let policy = resource_policy(vec![
        allow("execute-api:/prod/GET/pets", None),
        allow(
            "execute-api:/prod/GET/ua",
            Some(json!({"StringEquals": {"aws:UserAgent": "curl"}})),
        ),
    ]);
    let g = gateway(Some(policy), Authorization::None);
    let decide = |request: &ApiRequest| g.decide(request, NOW).unwrap().status;
    assert_eq!(decide(&get("/pets")), 200);
    assert_eq!(decide(&get("/pets\u{0}/admin")), 403);
    assert_eq!(decide(&get("/pets\u{0}")), 403);
    let mut ua = get("/ua");
    ua.headers = vec![("User-Agent".into(), "curl\u{0}".into())];
    assert_eq!(decide(&ua), 403);
    ua.headers = vec![("User-Agent\u{0}".into(), "curl".into())];
    assert_eq!(
        decide(&ua),
        403,
        "a header name with a NUL is another header"
    );
    ua.headers = vec![("User-Agent".into(), "curl".into())];
    assert_eq!(decide(&ua), 200);
}

/// Header names are case-insensitive for the condition keys the gateway derives from them:
/// `user-agent` and `REFERER` set `aws:UserAgent` and `aws:Referer`.
#[test]
fn header_casing_does_not_hide_condition_keys() {
    let policy = resource_policy(vec![allow(
        "execute-api:/*",
        Some(
            json!({"StringEquals": {"aws:UserAgent": "curl", "aws:Referer": "https://example.com/"}}),
        ),
    )]);
    let g = gateway(Some(policy), Authorization::None);
    let mut request = get("/");
    request.headers = vec![
        ("user-agent".into(), "curl".into()),
        ("REFERER".into(), "https://example.com/".into()),
    ];
    assert_eq!(g.decide(&request, NOW).unwrap().status, 200);
    request.headers.truncate(1);
    assert_eq!(g.decide(&request, NOW).unwrap().status, 403);
}

/// Files that are not UTF-8 are refused with the file named, before any JSON is read.
#[test]
fn files_that_are_not_utf8_are_refused() {
    let dir = std::env::temp_dir().join(format!(
        "policy-engine-adversarial-utf8-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("latin1.json");
    std::fs::write(&file, b"{\"api\": \"caf\xe9\"}").unwrap();
    let name = file.display().to_string();
    let e = policy_engine::scenario::load_file(&file).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{name}: cannot read the file (stream did not contain valid UTF-8)")
    );
    let e = policy_engine::openapi::load_file(&file, None).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("{name}: cannot read the file (stream did not contain valid UTF-8)")
    );
}

// ---------------------------------------------------------------------------------------------
// CIDR edges and invalid addresses
// ---------------------------------------------------------------------------------------------
//
// Already covered in condition/tests.rs (`ip_address_matrix`): /0, /32, /128, host bits
// (`123.4.5.6/24`, the seed's own example), IPv4-mapped requests and blocks; and in
// policy/tests.rs: `/33`, `/129`, an octet above 255, a word, `/x`, surrounding spaces.

/// `::/0` is every IPv6 address and no IPv4 one — an IPv4-mapped request address counts as
/// the IPv4 address it maps, as everywhere in the engine — while `::ffff:0:0/96` (the mapped
/// block) is every IPv4 address. So `NotIpAddress ::/0` in a deny refuses every IPv4 caller.
#[test]
fn whole_family_blocks_never_cross_families() {
    let ip = |cidr: &str, request: &str| {
        let block = |op: &str| {
            resource_policy(vec![allow(
                "execute-api:/*",
                Some(json!({op: {"aws:SourceIp": cidr}})),
            )])
        };
        let inside = outcome(&block("IpAddress"), "/", &[("aws:SourceIp", request)]);
        let outside = outcome(&block("NotIpAddress"), "/", &[("aws:SourceIp", request)]);
        // The two operators always disagree on a valid address.
        assert_ne!(inside, outside, "{cidr} {request}");
        inside == PolicyOutcome::Allow
    };
    for (cidr, request, inside) in [
        ("::/0", "2001:db8::1", true),
        ("::/0", "::1", true),
        ("::/0", "203.0.113.9", false),
        ("::/0", "::ffff:203.0.113.9", false),
        ("0.0.0.0/0", "::ffff:203.0.113.9", true),
        ("0.0.0.0/0", "::1", false),
        ("0.0.0.0/0", "0.0.0.0", true),
        ("0.0.0.0/0", "255.255.255.255", true),
        ("::ffff:0:0/96", "203.0.113.9", true),
        ("::ffff:0:0/96", "0.0.0.0", true),
        ("::ffff:0:0/96", "2001:db8::1", false),
        ("203.0.113.9/32", "::ffff:203.0.113.9", true),
        ("203.0.113.9/32", "203.0.113.8", false),
        ("::ffff:203.0.113.9/128", "203.0.113.9", true),
        ("2001:db8::/128", "2001:db8::", true),
        ("2001:db8::/128", "2001:db8::1", false),
    ] {
        assert_eq!(ip(cidr, request), inside, "{cidr} ∋ {request}");
    }
}

/// Malformed blocks are policy errors naming the JSON path and the problem; none is guessed
/// into a block (an address without a prefix is a host block, which IAM documents).
#[test]
fn malformed_blocks_are_refused_with_the_reason() {
    for (cidr, problem) in [
        (
            "fe80::1%eth0",
            "it has a zone id (`%eth0`), which addresses in a policy cannot have",
        ),
        (
            "fe80::/10%eth0",
            "it has a zone id (`%eth0`), which addresses in a policy cannot have",
        ),
        ("[::1]", "IPv6 addresses are written without brackets"),
        (
            "[2001:db8::]/32",
            "IPv6 addresses are written without brackets",
        ),
        ("10.0.0.0/", "the prefix length after `/` is missing"),
        ("/8", "the address before `/` is missing"),
        ("10.0.0.0/33", "prefix length above 32"),
        ("10.0.0.0/-1", "`-1` is not a prefix length"),
        ("10.0.0.0/8/8", "`8/8` is not a prefix length"),
        ("10.0.0.0 /8", "`10.0.0.0 ` is not an IP address"),
        ("", "it has surrounding spaces or is empty"),
        ("10.0.0.0/8\u{0}", "`8\u{0}` is not a prefix length"),
        ("1.2.3", "it is not an IP address or CIDR block"),
    ] {
        let text = json!({"Version": "2012-10-17", "Statement": [allow(
            "execute-api:/*",
            Some(json!({"IpAddress": {"aws:SourceIp": cidr}})),
        )]})
        .to_string();
        assert_eq!(
            policy_error(&text),
            (
                PolicyErrorKind::InvalidValue,
                format!(
                    "invalid CIDR `{cidr}`: {problem} at `Statement[0].Condition.IpAddress.aws:SourceIp`: give an IPv4 or IPv6 address or block such as `192.0.2.0/24` or `2001:db8::/32`"
                )
            ),
            "{cidr:?}"
        );
    }
    // A single address is its host block.
    let host = resource_policy(vec![allow(
        "execute-api:/*",
        Some(json!({"IpAddress": {"aws:SourceIp": "203.0.113.9"}})),
    )]);
    assert_eq!(
        outcome(&host, "/", &[("aws:SourceIp", "203.0.113.9")]),
        PolicyOutcome::Allow
    );
    assert_eq!(
        outcome(&host, "/", &[("aws:SourceIp", "203.0.113.10")]),
        PolicyOutcome::ImplicitDeny
    );
}

/// An invalid caller address never reaches a policy: setting it is an error naming the key,
/// the flow refuses to decide a request carrying one (so it cannot be allowed), and a scenario
/// file naming one is refused at the field.
#[test]
fn invalid_request_addresses_are_errors_never_allows() {
    for bad in [
        "999.1.1.1",
        "",
        "[::1]",
        "fe80::1%eth0",
        "1.2.3",
        "010.0.0.1",
        "10.0.0.1\u{0}",
    ] {
        let mut context = RequestContext::new();
        assert_eq!(
            context.set("aws:SourceIp", bad),
            Err(ContextError::InvalidIp {
                key: "aws:SourceIp".into(),
                value: bad.into()
            }),
            "{bad:?}"
        );
        assert_eq!(
            context
                .set("aws:VpcSourceIp", bad)
                .map_err(|e| e.to_string()),
            Err(format!(
                "`{bad}` is not an IP address (for `aws:VpcSourceIp`): give an IPv4 or IPv6 address such as `192.0.2.10`"
            ))
        );
        // Through the flow, on an open API that would allow anything: no decision at all.
        let open = gateway(None, Authorization::None);
        let mut request = get("/");
        request.context = vec![(ContextKey::new("aws:SourceIp"), ContextValue::single(bad))];
        assert!(
            matches!(
                open.decide(&request, NOW),
                Err(FlowError::Context(ContextError::InvalidIp { .. }))
            ),
            "{bad:?}"
        );
        // In a scenario file, at the request's `sourceIp` and in its `context`.
        for (field, at) in [
            (json!({"sourceIp": bad}), "cases[0].request.sourceIp"),
            (
                json!({"context": {"aws:SourceIp": bad}}),
                "cases[0].request.context.aws:SourceIp",
            ),
        ] {
            let mut request = json!({"method": "GET", "path": "/"});
            for (k, v) in field.as_object().unwrap() {
                request[k] = v.clone();
            }
            let scenario = json!({
                "api": {"region": "us-east-1", "accountId": ACCOUNT, "apiId": "a1b2c3d4e5", "stage": "prod"},
                "auth": {"type": "NONE"},
                "cases": [{"name": "c", "request": request, "expect": {"status": 200}}]
            });
            let e = policy_engine::scenario::parse("s.json", &scenario.to_string()).unwrap_err();
            assert_eq!(
                e.path().map(ToString::to_string).as_deref(),
                Some(at),
                "{bad:?}: {e}"
            );
        }
    }
    // Request values are read trimmed, as every typed reading of a value is.
    let mut context = RequestContext::new();
    assert_eq!(context.set("aws:SourceIp", " 203.0.113.9 "), Ok(()));
}

// ---------------------------------------------------------------------------------------------
// Identity sources: header case, repeated headers and query values, empty values
// ---------------------------------------------------------------------------------------------
//
// Already covered in lambda/tests.rs: a missing or empty identity source is a 401 without
// invoking for TOKEN, REST REQUEST with caching, HTTP API (1.0 and 2.0) and WebSocket, and
// is passed through for REST REQUEST without caching; the cache keys on every source in order;
// 2.0 events lower-case header names and join repeats (`x-multi: a,b`).

/// A function that records the identities it was invoked with and allows everything.
#[derive(Debug, Default)]
struct Recorder {
    identities: Mutex<Vec<String>>,
    events: Mutex<Vec<Value>>,
}

impl AuthorizerFunction for Recorder {
    fn invoke(&self, identity: &str, event: &Value) -> FunctionResult {
        self.identities.lock().unwrap().push(identity.to_owned());
        self.events.lock().unwrap().push(event.clone());
        FunctionResult::Response(json!({
            "principalId": "p",
            "policyDocument": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]}
        }))
    }

    fn describe(&self) -> String {
        "a recorder".into()
    }
}

fn lambda(
    kind: LambdaKind,
    format: PayloadFormat,
    ttl: u64,
    sources: &[&str],
) -> (LambdaSetup, Arc<Recorder>) {
    let recorder = Arc::new(Recorder::default());
    let setup = LambdaSetup {
        kind,
        format,
        ttl_seconds: ttl,
        identity_sources: sources
            .iter()
            .map(|s| IdentitySource::parse(s).unwrap())
            .collect(),
        validation: None,
        function: recorder.clone(),
    };
    (setup, recorder)
}

fn with_headers(headers: &[(&str, &str)], query: &[(&str, &str)]) -> ApiRequest {
    let pairs = |p: &[(&str, &str)]| -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    ApiRequest {
        headers: pairs(headers),
        query: pairs(query),
        ..get("/pets")
    }
}

/// Header names are case-insensitive: `authorization` is the `Authorization` source. A header
/// sent twice — even under two casings — puts every value in the key, joined with `,` in the
/// order sent ("all values will become the cache key, with the order preserved"), so a
/// cached answer is replayed only for the very same values in the same order. The TOKEN
/// event carries the same joined value.
#[test]
fn repeated_and_differently_cased_headers_all_make_the_cache_key() {
    let (token, f) = lambda(
        LambdaKind::Token,
        PayloadFormat::Rest,
        300,
        &["method.request.header.Authorization"],
    );
    let cache = AuthorizerCache::new(300, 100).unwrap();
    let rest = api(EndpointType::Regional);
    let call = |headers: &[(&str, &str)], at: i64| {
        let call = token.call(&rest, &with_headers(headers, &[]), &cache, NOW + at);
        assert!(
            matches!(*call.answer, AuthorizerAnswer::Policy { .. }),
            "{headers:?}: {:?}",
            call.answer
        );
        call.source
    };
    assert_eq!(call(&[("authorization", "a")], 0), AnswerSource::Invoked);
    assert_eq!(
        call(&[("Authorization", "a"), ("AUTHORIZATION", "b")], 1),
        AnswerSource::Invoked,
        "the key is `a,b`, not `a`"
    );
    assert_eq!(
        call(&[("AUTHORIZATION", "a"), ("authorization", "b")], 2),
        AnswerSource::Cache { age_seconds: 1 },
        "the same values in the same order, whatever the casing"
    );
    assert_eq!(
        call(&[("Authorization", "b"), ("Authorization", "a")], 3),
        AnswerSource::Invoked,
        "the order is part of the key"
    );
    assert_eq!(*f.identities.lock().unwrap(), ["a", "a,b", "b,a"]);
    let events = f.events.lock().unwrap();
    assert_eq!(events[1]["authorizationToken"], "a,b");
}

/// Query-string names are case-sensitive: `Token` is not the `token` source, so a request
/// with only `Token` is refused with 401 without invoking. Repeated values join like headers.
/// HTTP API 2.0 events carry repeats joined, under the lower-cased header name.
#[test]
fn query_names_are_case_sensitive_and_repeats_join() {
    let (request, f) = lambda(
        LambdaKind::Request,
        PayloadFormat::Rest,
        300,
        &["method.request.querystring.token"],
    );
    let cache = AuthorizerCache::new(300, 100).unwrap();
    let rest = api(EndpointType::Regional);
    let refused = request.call(&rest, &with_headers(&[], &[("Token", "t")]), &cache, NOW);
    assert_eq!(*refused.answer, AuthorizerAnswer::Unauthorized);
    assert_eq!(
        refused.source,
        AnswerSource::Gateway(
            "identity source query parameter `token` is missing or empty: 401".into()
        )
    );
    let joined = request.call(
        &rest,
        &with_headers(&[], &[("token", "a"), ("Token", "x"), ("token", "b")]),
        &cache,
        NOW,
    );
    assert_eq!(joined.source, AnswerSource::Invoked);
    assert_eq!(*f.identities.lock().unwrap(), ["a,b"]);
    let event = &f.events.lock().unwrap()[0];
    assert_eq!(
        event["multiValueQueryStringParameters"]["token"],
        json!(["a", "b"])
    );
    assert_eq!(
        event["queryStringParameters"]["token"], "b",
        "REST keeps the last value"
    );

    let (v2, f) = lambda(
        LambdaKind::Request,
        PayloadFormat::HttpV2 { simple: false },
        0,
        &["$request.header.Authorization"],
    );
    let http = Api {
        api_type: ApiType::Http,
        ..api(EndpointType::Regional)
    };
    let call = v2.call(
        &http,
        &with_headers(&[("Authorization", "a"), ("authorization", "b")], &[]),
        &AuthorizerCache::new(0, 1).unwrap(),
        NOW,
    );
    assert_eq!(call.source, AnswerSource::Invoked);
    let event = &f.events.lock().unwrap()[0];
    assert_eq!(event["identitySource"], json!(["a,b"]));
    assert_eq!(event["headers"]["authorization"], "a,b");
}

/// Empty identity sources: with two sources, one empty value is enough for the 401 (every
/// source must be present and non-empty); a value of spaces is not empty.
#[test]
fn one_empty_source_of_several_is_a_401_without_invoking() {
    let (setup, f) = lambda(
        LambdaKind::Request,
        PayloadFormat::HttpV2 { simple: false },
        300,
        &["$request.header.X-Key", "$request.querystring.tenant"],
    );
    let http = Api {
        api_type: ApiType::Http,
        ..api(EndpointType::Regional)
    };
    let cache = AuthorizerCache::new(300, 100).unwrap();
    for (headers, query) in [
        (&[("X-Key", "k")][..], &[("tenant", "")][..]),
        (&[("X-Key", "")][..], &[("tenant", "t")][..]),
        (&[][..], &[("tenant", "t")][..]),
    ] {
        let call = setup.call(&http, &with_headers(headers, query), &cache, NOW);
        assert_eq!(
            *call.answer,
            AuthorizerAnswer::Unauthorized,
            "{headers:?} {query:?}"
        );
        assert!(matches!(call.source, AnswerSource::Gateway(_)));
    }
    assert!(f.identities.lock().unwrap().is_empty());
    let call = setup.call(
        &http,
        &with_headers(&[("X-Key", " ")], &[("tenant", "t")]),
        &cache,
        NOW,
    );
    assert_eq!(call.source, AnswerSource::Invoked);
    assert_eq!(*f.identities.lock().unwrap(), [" ,t"]);
}

// ---------------------------------------------------------------------------------------------
// Authorizer-result TTL
// ---------------------------------------------------------------------------------------------
//
// Already covered: cache.rs (`ttl_zero_disables_and_above_3600_is_refused`: TTL 0 never
// stores, 3601 is refused), lambda/tests.rs (TTL 0 invokes every time, for REST TOKEN),
// scenario/tests.rs (`ttlSeconds` 3601 refused at `auth.ttlSeconds`), openapi/tests.rs
// (`authorizerResultTtlInSeconds` 3601, -1, 1.5, `five`, `true` refused), and the scenario
// file tests/scenarios/lambda-token-no-cache.json (TTL 0 end to end).

/// The other forms of an out-of-range TTL in a scenario file are refused at the field.
#[test]
fn scenario_ttls_outside_0_to_3600_are_refused() {
    let scenario = |ttl: Value| {
        json!({
            "api": {"region": "us-east-1", "accountId": ACCOUNT, "apiId": "a1b2c3d4e5", "stage": "prod"},
            "auth": {"type": "LAMBDA_TOKEN", "ttlSeconds": ttl, "responses": {}},
            "cases": []
        })
        .to_string()
    };
    for (ttl, problem) in [
        (
            json!(3601),
            "`3601` is not a TTL API Gateway accepts: use 0 (no caching) to 3600 seconds",
        ),
        (
            json!(-1),
            "`-1` is not a TTL API Gateway accepts: use 0 (no caching) to 3600 seconds",
        ),
        (
            json!(i64::MAX),
            "`9223372036854775807` is not a TTL API Gateway accepts: use 0 (no caching) to 3600 seconds",
        ),
        (json!(1e30), "expected a whole number, found `1e+30`"),
        (json!(1.5), "expected a whole number, found `1.5`"),
        (json!("300"), "expected a number, found a string"),
    ] {
        let e = policy_engine::scenario::parse("s.json", &scenario(ttl.clone())).unwrap_err();
        assert_eq!(
            (e.problem(), e.path().map(ToString::to_string)),
            (problem, Some("auth.ttlSeconds".to_owned())),
            "{ttl}"
        );
    }
    for ttl in [0, 3600] {
        let parsed = policy_engine::scenario::parse("s.json", &scenario(json!(ttl))).unwrap();
        assert_eq!(parsed.lambda.map(|l| l.ttl_seconds), Some(ttl));
    }
}

/// TTL 0 on the other API types: every request invokes the function again.
#[test]
fn ttl_zero_invokes_every_time_on_every_api_type() {
    for (api_type, format, source) in [
        (
            ApiType::Rest,
            PayloadFormat::Rest,
            "method.request.header.Authorization",
        ),
        (
            ApiType::Http,
            PayloadFormat::HttpV1,
            "$request.header.Authorization",
        ),
        (
            ApiType::Http,
            PayloadFormat::HttpV2 { simple: true },
            "$request.header.Authorization",
        ),
    ] {
        let (setup, f) = lambda(LambdaKind::Request, format, 0, &[source]);
        let cache = AuthorizerCache::new(0, 100).unwrap();
        let target = Api {
            api_type,
            ..api(EndpointType::Regional)
        };
        let request = with_headers(&[("Authorization", "t")], &[]);
        for at in 0..3 {
            let call = setup.call(&target, &request, &cache, NOW + at);
            assert_eq!(call.source, AnswerSource::Invoked, "{format:?} at {at}");
        }
        assert_eq!(f.identities.lock().unwrap().len(), 3, "{format:?}");
        assert!(cache.is_empty());
    }
}

/// The same rules end to end in a scenario file (whose `headers` object can repeat a header
/// only under another casing): the cache key is every value in order, whatever the casing,
/// and an empty token is a 401 without invoking.
#[test]
fn a_scenario_keys_the_cache_on_every_casing_of_the_token_header() {
    let allow = json!({"principalId": "p", "policyDocument": {"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]}});
    let case = |name: &str, at: i64, headers: Value, expect: Value| {
        json!({"name": name, "at": at, "request": {"method": "GET", "path": "/pets",
               "headers": headers}, "expect": expect})
    };
    let scenario = json!({
        "api": {"region": "us-east-1", "accountId": ACCOUNT, "apiId": "a1b2c3d4e5", "stage": "prod"},
        "auth": {"type": "LAMBDA_TOKEN", "ttlSeconds": 300,
                 "responses": {"tok": allow, "tok,evil": {"error": "Unauthorized"}}},
        "cases": [
            case("the token", 0, json!({"Authorization": "tok"}),
                 json!({"status": 200, "authorizerInvoked": true, "cacheHit": false})),
            case("the token and another under a second casing", 1,
                 json!({"Authorization": "tok", "authorization": "evil"}),
                 json!({"status": 401, "authorizerInvoked": true, "cacheHit": false})),
            case("the token under another casing: the cached answer", 2,
                 json!({"AUTHORIZATION": "tok"}),
                 json!({"status": 200, "authorizerInvoked": false, "cacheHit": true})),
            case("an empty token", 3, json!({"Authorization": ""}),
                 json!({"status": 401, "authorizerInvoked": false, "cacheHit": false}))
        ]
    });
    let parsed = policy_engine::scenario::parse("s.json", &scenario.to_string()).unwrap();
    let report = policy_engine::scenario::run(&parsed);
    for case in &report.cases {
        assert!(
            case.pass,
            "{}: {:?}\n{}",
            case.name, case.mismatches, case.explanation
        );
    }
    assert_eq!(report.cases.len(), 4);
}
