// Unit tests of `lint/setup.rs`: each setup lint fires on the setup it describes (code,
// severity, path) and stays silent on its near miss.
use std::path::Path;

use serde_json::{Value, json};

use super::*;
use crate::scenario::Options;

fn scenario(auth: Value, policy: Option<Value>) -> Value {
    let mut v = json!({
        "api": {"region": "us-east-2", "accountId": "123456789012", "apiId": "aabbccddee", "stage": "prod"},
        "auth": auth,
        "cases": []
    });
    if let Some(p) = policy {
        v["resourcePolicy"] = p;
    }
    v
}

fn findings(v: &Value) -> Vec<(String, Severity, String)> {
    lint_scenario("s.json", v, Path::new("."), Options::default())
        .findings
        .into_iter()
        .map(|f| (f.code.to_owned(), f.severity, f.path.to_string()))
        .collect()
}

fn codes(v: &Value) -> Vec<String> {
    findings(v).into_iter().map(|(c, _, _)| c).collect()
}

fn allow_only(resource: &str) -> Value {
    json!({"principalId": "a", "policyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": resource}]}})
}

#[test]
fn ttl_above_the_maximum_is_an_error_at_the_ttl() {
    let v = scenario(
        json!({"type": "LAMBDA_TOKEN", "ttlSeconds": 7200, "responses": {}}),
        None,
    );
    let f = findings(&v);
    assert_eq!(
        f,
        [(
            "ttl-above-maximum".to_owned(),
            Severity::Error,
            "auth.ttlSeconds".to_owned()
        )],
        "the parse error at the same path is not repeated"
    );
    let ok = scenario(
        json!({"type": "LAMBDA_TOKEN", "ttlSeconds": 3600, "responses": {}}),
        None,
    );
    assert!(codes(&ok).is_empty(), "{:?}", codes(&ok));
}

#[test]
fn caching_without_identity_sources_is_an_error() {
    // REST REQUEST: the default TTL (300) with no identity source.
    let v = scenario(json!({"type": "LAMBDA_REQUEST", "responses": {}}), None);
    assert!(
        findings(&v).contains(&(
            "cache-without-identity-source".to_owned(),
            Severity::Error,
            "auth.identitySources".to_owned()
        )),
        "{:?}",
        findings(&v)
    );
    let mut http = scenario(
        json!({"type": "LAMBDA_REQUEST", "ttlSeconds": 60, "responses": {}}),
        None,
    );
    http["api"]["type"] = json!("HTTP");
    assert_eq!(
        findings(&http),
        [(
            "cache-without-identity-source".to_owned(),
            Severity::Error,
            "auth.identitySources".to_owned()
        )],
        "the parse error at the same path is not repeated"
    );
    // Near misses: caching off, or an HTTP API without sources and no TTL (off by default).
    let off = scenario(
        json!({"type": "LAMBDA_REQUEST", "ttlSeconds": 0, "responses": {}}),
        None,
    );
    assert!(codes(&off).is_empty(), "{:?}", codes(&off));
    http["auth"] = json!({"type": "LAMBDA_REQUEST", "responses": {}});
    assert!(codes(&http).is_empty(), "{:?}", codes(&http));
}

#[test]
fn the_first_method_trap_needs_caching_and_a_single_concrete_method() {
    let one = "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/pets";
    let v = scenario(
        json!({"type": "LAMBDA_TOKEN", "ttlSeconds": 300, "responses": {"tok": allow_only(one)}}),
        None,
    );
    assert_eq!(
        findings(&v),
        [(
            "cache-first-method-trap".to_owned(),
            Severity::Warning,
            "auth.responses.tok.policyDocument".to_owned()
        )]
    );
    let no_cache = scenario(
        json!({"type": "LAMBDA_TOKEN", "ttlSeconds": 0, "responses": {"tok": allow_only(one)}}),
        None,
    );
    assert!(codes(&no_cache).is_empty());
    let wildcard = scenario(
        json!({"type": "LAMBDA_TOKEN", "responses": {"tok": allow_only("arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/*")}}),
        None,
    );
    assert!(codes(&wildcard).is_empty());
    let errors = scenario(
        json!({"type": "LAMBDA_TOKEN", "responses": {"tok": {"error": "Unauthorized"}}}),
        None,
    );
    assert!(codes(&errors).is_empty());
}

#[test]
fn authorizer_results_near_or_over_8_kb() {
    let big = |n: usize| {
        let mut r = allow_only("arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/*");
        r["context"] = json!({"pad": "x".repeat(n)});
        r
    };
    let over = scenario(
        json!({"type": "LAMBDA_TOKEN", "responses": {"t": big(8200)}}),
        None,
    );
    assert_eq!(
        findings(&over),
        [(
            "authorizer-result-size".to_owned(),
            Severity::Error,
            "auth.responses.t".to_owned()
        )]
    );
    let near = scenario(
        json!({"type": "LAMBDA_TOKEN", "responses": {"t": big(7600)}}),
        None,
    );
    assert_eq!(
        findings(&near),
        [(
            "authorizer-result-size".to_owned(),
            Severity::Warning,
            "auth.responses.t".to_owned()
        )]
    );
    let small = scenario(
        json!({"type": "LAMBDA_TOKEN", "responses": {"t": big(10)}}),
        None,
    );
    assert!(codes(&small).is_empty());
}

#[test]
fn an_unconditioned_allow_for_everyone_overrides_the_authorizer_in_the_same_account() {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Open", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]});
    let lambda = json!({"type": "LAMBDA_TOKEN", "ttlSeconds": 0, "responses": {}});
    let v = scenario(lambda.clone(), Some(policy.clone()));
    assert!(
        findings(&v).contains(&(
            "resource-allow-overrides-authorization".to_owned(),
            Severity::Warning,
            "resourcePolicy.Statement[0]".to_owned()
        )),
        "{:?}",
        findings(&v)
    );
    let iam = scenario(json!({"type": "AWS_IAM"}), Some(policy.clone()));
    assert!(codes(&iam).contains(&"resource-allow-overrides-authorization".to_owned()));
    // Near misses: another account's authorizer (Table B needs both), a condition, NONE.
    let mut cross = lambda.clone();
    cross["account"] = json!("999999999999");
    assert!(
        !codes(&scenario(cross, Some(policy.clone())))
            .contains(&"resource-allow-overrides-authorization".to_owned())
    );
    let mut conditioned = policy.clone();
    conditioned["Statement"][0]["Condition"] =
        json!({"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}});
    assert!(
        !codes(&scenario(lambda, Some(conditioned)))
            .contains(&"resource-allow-overrides-authorization".to_owned())
    );
    assert!(
        !codes(&scenario(json!({"type": "NONE"}), Some(policy)))
            .contains(&"resource-allow-overrides-authorization".to_owned())
    );
}

#[test]
fn resource_policy_lints_run_with_the_scenario_authorization() {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:role/dev"}, "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]});
    let none = scenario(json!({"type": "NONE"}), Some(policy.clone()));
    let f = findings(&none);
    assert!(
        f.iter().any(|(c, s, p)| c == "aws-principal-without-iam"
            && *s == Severity::Error
            && p.starts_with("resourcePolicy.Statement")),
        "{f:?}"
    );
    let iam = scenario(json!({"type": "AWS_IAM"}), Some(policy));
    assert!(!codes(&iam).contains(&"aws-principal-without-iam".to_owned()));
}

#[test]
fn an_invalid_scenario_is_one_error_finding() {
    let v = scenario(
        json!({"type": "LAMBDA_TOKEN", "responses": {}, "ttlSecond": 5}),
        None,
    );
    let f = findings(&v);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "invalid-scenario");
    assert_eq!(f[0].2, "auth.ttlSecond");
}
