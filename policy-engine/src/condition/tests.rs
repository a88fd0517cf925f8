// Unit tests of `condition.rs`, compiled only under #[cfg(test)] (see `mod tests;` there).
use super::*;

use crate::context::ContextValue;
use proptest::prelude::*;
use serde_json::json;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Parse a `Condition` block (policy variables on, as in Version 2012-10-17).
fn parse(block: &Value) -> Vec<Condition> {
    Condition::parse_block(block, &JsonPath::root().key("Condition"), true)
        .unwrap_or_else(|e| panic!("{block} should parse: {e}"))
}

/// Whether every condition of the block holds for `ctx`.
fn holds(block: &Value, ctx: &RequestContext) -> bool {
    let conditions = parse(block);
    assert!(!conditions.is_empty(), "{block} has no conditions");
    conditions.iter().all(|c| c.evaluate(ctx))
}

/// A request with single-valued keys.
fn ctx(pairs: &[(&str, &str)]) -> RequestContext {
    let mut ctx = RequestContext::new();
    for (k, v) in pairs {
        ctx.set(k, v).unwrap();
    }
    ctx
}

/// A request with one multi-valued key.
fn multi(key: &str, values: &[&str]) -> RequestContext {
    let mut ctx = RequestContext::new();
    ctx.insert(
        &ContextKey::new(key),
        ContextValue::multi(values.iter().copied()),
    )
    .unwrap();
    ctx
}

type Case<'a> = (Value, &'a [(&'a str, &'a str)], bool);

/// Evaluate every `(block, request, expected)` row.
fn check(cases: &[Case<'_>]) {
    for (i, (block, pairs, expected)) in cases.iter().enumerate() {
        let request = ctx(pairs);
        assert_eq!(
            holds(block, &request),
            *expected,
            "row {i}: {block} with {pairs:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// String operators
// ---------------------------------------------------------------------------------------------

#[test]
fn string_equals_and_not_equals() {
    check(&[
        (
            json!({"StringEquals": {"aws:username": "bob"}}),
            &[("aws:username", "bob")],
            true,
        ),
        (
            json!({"StringEquals": {"aws:username": "bob"}}),
            &[("aws:username", "Bob")],
            false,
        ),
        (
            json!({"StringEquals": {"aws:username": "bob"}}),
            &[("aws:username", "bobby")],
            false,
        ),
        // `*` is literal for StringEquals.
        (
            json!({"StringEquals": {"aws:username": "b*"}}),
            &[("aws:username", "bob")],
            false,
        ),
        (
            json!({"StringEquals": {"aws:username": "b*"}}),
            &[("aws:username", "b*")],
            true,
        ),
        // A JSON number policy value compares as its text.
        (
            json!({"StringEquals": {"custom:n": 10}}),
            &[("custom:n", "10")],
            true,
        ),
        // A JSON boolean policy value compares as `true` / `false`.
        (
            json!({"StringEquals": {"custom:flag": true}}),
            &[("custom:flag", "true")],
            true,
        ),
        (
            json!({"StringEquals": {"custom:flag": true}}),
            &[("custom:flag", "True")],
            false,
        ),
        (
            json!({"StringNotEquals": {"aws:username": "bob"}}),
            &[("aws:username", "bob")],
            false,
        ),
        (
            json!({"StringNotEquals": {"aws:username": "bob"}}),
            &[("aws:username", "alice")],
            true,
        ),
        (
            json!({"StringNotEquals": {"aws:username": "bob"}}),
            &[("aws:username", "BOB")],
            true,
        ),
    ]);
}

#[test]
fn string_ignore_case_operators() {
    check(&[
        (
            json!({"StringEqualsIgnoreCase": {"aws:username": "Bob"}}),
            &[("aws:username", "bOB")],
            true,
        ),
        (
            json!({"StringEqualsIgnoreCase": {"aws:username": "Bob"}}),
            &[("aws:username", "bobby")],
            false,
        ),
        // Wildcards stay literal.
        (
            json!({"StringEqualsIgnoreCase": {"aws:username": "B*"}}),
            &[("aws:username", "bob")],
            false,
        ),
        (
            json!({"StringNotEqualsIgnoreCase": {"aws:username": "Bob"}}),
            &[("aws:username", "BOB")],
            false,
        ),
        (
            json!({"StringNotEqualsIgnoreCase": {"aws:username": "Bob"}}),
            &[("aws:username", "alice")],
            true,
        ),
    ]);
}

#[test]
fn string_like_and_not_like() {
    check(&[
        (
            json!({"StringLike": {"aws:Referer": "https://*.example.com/*"}}),
            &[("aws:Referer", "https://www.example.com/page")],
            true,
        ),
        (
            json!({"StringLike": {"aws:Referer": "https://*.example.com/*"}}),
            &[("aws:Referer", "https://example.org/page")],
            false,
        ),
        // `*` matches the empty string and crosses `/` and `:`.
        (
            json!({"StringLike": {"aws:UserAgent": "curl*"}}),
            &[("aws:UserAgent", "curl")],
            true,
        ),
        (
            json!({"StringLike": {"aws:UserAgent": "a*z"}}),
            &[("aws:UserAgent", "a/b:c/z")],
            true,
        ),
        // `?` is exactly one character.
        (
            json!({"StringLike": {"aws:username": "b?b"}}),
            &[("aws:username", "bob")],
            true,
        ),
        (
            json!({"StringLike": {"aws:username": "b?b"}}),
            &[("aws:username", "bb")],
            false,
        ),
        (
            json!({"StringLike": {"aws:username": "b?b"}}),
            &[("aws:username", "boob")],
            false,
        ),
        // Case-sensitive.
        (
            json!({"StringLike": {"aws:username": "B*"}}),
            &[("aws:username", "bob")],
            false,
        ),
        (
            json!({"StringNotLike": {"aws:username": "adm*"}}),
            &[("aws:username", "admin")],
            false,
        ),
        (
            json!({"StringNotLike": {"aws:username": "adm*"}}),
            &[("aws:username", "bob")],
            true,
        ),
        (
            json!({"StringNotLike": {"aws:username": "b?b"}}),
            &[("aws:username", "bob")],
            false,
        ),
    ]);
}

// ---------------------------------------------------------------------------------------------
// Numeric operators
// ---------------------------------------------------------------------------------------------

#[test]
fn numeric_operators_with_boundaries_and_decimals() {
    let k = "aws:MultiFactorAuthAge";
    let row = |op: &str, policy: Value, request: &'static str, expected: bool| -> Case<'static> {
        (
            json!({ op: { k: policy } }),
            leak(&[(k, request)]),
            expected,
        )
    };
    check(&[
        row("NumericEquals", json!("10"), "10", true),
        row("NumericEquals", json!("10"), "10.0", true),
        row("NumericEquals", json!("10"), "010", true),
        row("NumericEquals", json!("10"), "11", false),
        row("NumericEquals", json!("10"), "9.999", false),
        row("NumericEquals", json!(2.5), "2.5", true),
        row("NumericEquals", json!("-1"), "-1", true),
        row("NumericNotEquals", json!("10"), "10", false),
        row("NumericNotEquals", json!("10"), "10.0", false),
        row("NumericNotEquals", json!("10"), "11", true),
        row("NumericLessThan", json!("10"), "9.99", true),
        row("NumericLessThan", json!("10"), "10", false),
        row("NumericLessThan", json!("10"), "10.01", false),
        row("NumericLessThan", json!("10"), "-100", true),
        row("NumericLessThanEquals", json!("10"), "10", true),
        row("NumericLessThanEquals", json!("10"), "9", true),
        row("NumericLessThanEquals", json!("10"), "10.01", false),
        row("NumericGreaterThan", json!("10"), "10", false),
        row("NumericGreaterThan", json!("10"), "10.5", true),
        row("NumericGreaterThan", json!("10"), "9", false),
        row("NumericGreaterThanEquals", json!("10"), "10", true),
        row("NumericGreaterThanEquals", json!(10), "11", true),
        row("NumericGreaterThanEquals", json!("10"), "9.9", false),
        row("NumericGreaterThanEquals", json!("0.5"), "0.5", true),
        row("NumericLessThan", json!("0.5"), "0.25", true),
    ]);
}

#[test]
fn numeric_operators_on_a_non_numeric_request_value() {
    let request = ctx(&[("custom:n", "abc")]);
    for (op, expected) in [
        ("NumericEquals", false),
        ("NumericLessThan", false),
        ("NumericLessThanEquals", false),
        ("NumericGreaterThan", false),
        ("NumericGreaterThanEquals", false),
        ("NumericNotEquals", true),
    ] {
        assert_eq!(
            holds(&json!({ op: {"custom:n": "10"} }), &request),
            expected,
            "{op}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Date operators
// ---------------------------------------------------------------------------------------------

#[test]
fn date_operators_with_iso_and_epoch_forms() {
    // 2026-01-01T00:00:00Z is 1767225600 seconds after the epoch.
    let t = "2026-01-01T00:00:00Z";
    check(&[
        (
            json!({"DateEquals": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", "2026-01-01T00:00:00Z")],
            true,
        ),
        // The same instant in another offset, and with fractional seconds.
        (
            json!({"DateEquals": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", "2026-01-01T01:00:00+01:00")],
            true,
        ),
        (
            json!({"DateEquals": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", "2026-01-01T00:00:00.000Z")],
            true,
        ),
        (
            json!({"DateEquals": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", "2026-01-01T00:00:01Z")],
            false,
        ),
        // Policy value as epoch seconds against an ISO request value.
        (
            json!({"DateEquals": {"aws:CurrentTime": "1767225600"}}),
            &[("aws:CurrentTime", t)],
            true,
        ),
        (
            json!({"DateEquals": {"aws:CurrentTime": 1_767_225_600}}),
            &[("aws:CurrentTime", t)],
            true,
        ),
        // A date without a time is midnight UTC.
        (
            json!({"DateEquals": {"aws:CurrentTime": "2026-01-01"}}),
            &[("aws:CurrentTime", t)],
            true,
        ),
        (
            json!({"DateNotEquals": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", t)],
            false,
        ),
        (
            json!({"DateNotEquals": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", "2026-01-02T00:00:00Z")],
            true,
        ),
        (
            json!({"DateLessThan": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", "2025-12-31T23:59:59Z")],
            true,
        ),
        (
            json!({"DateLessThan": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", t)],
            false,
        ),
        (
            json!({"DateLessThanEquals": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", t)],
            true,
        ),
        (
            json!({"DateLessThanEquals": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", "2026-01-01T00:00:01Z")],
            false,
        ),
        (
            json!({"DateGreaterThan": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", t)],
            false,
        ),
        (
            json!({"DateGreaterThan": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", "2026-06-01T12:00:00Z")],
            true,
        ),
        (
            json!({"DateGreaterThanEquals": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", t)],
            true,
        ),
        (
            json!({"DateGreaterThanEquals": {"aws:CurrentTime": t}}),
            &[("aws:CurrentTime", "2025-12-31T23:59:59Z")],
            false,
        ),
        // aws:EpochTime (seconds) against ISO and epoch policy values.
        (
            json!({"DateGreaterThanEquals": {"aws:EpochTime": t}}),
            &[("aws:EpochTime", "1767225600")],
            true,
        ),
        (
            json!({"DateGreaterThanEquals": {"aws:EpochTime": t}}),
            &[("aws:EpochTime", "1767225599")],
            false,
        ),
        (
            json!({"DateLessThan": {"aws:EpochTime": "1767225600"}}),
            &[("aws:EpochTime", "1767225599")],
            true,
        ),
        (
            json!({"DateLessThan": {"aws:EpochTime": 1_767_225_600}}),
            &[("aws:EpochTime", "1767225600")],
            false,
        ),
        // Both keys in one block: the same instant written two ways.
        (
            json!({"DateEquals": {"aws:CurrentTime": "1767225600", "aws:EpochTime": t}}),
            &[("aws:CurrentTime", t), ("aws:EpochTime", "1767225600")],
            true,
        ),
    ]);
}

#[test]
fn date_operators_on_a_non_date_request_value() {
    let request = ctx(&[("aws:CurrentTime", "not-a-date")]);
    for (op, expected) in [
        ("DateEquals", false),
        ("DateLessThan", false),
        ("DateLessThanEquals", false),
        ("DateGreaterThan", false),
        ("DateGreaterThanEquals", false),
        ("DateNotEquals", true),
    ] {
        assert_eq!(
            holds(
                &json!({ op: {"aws:CurrentTime": "2026-01-01T00:00:00Z"} }),
                &request
            ),
            expected,
            "{op}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Bool, BinaryEquals, Null
// ---------------------------------------------------------------------------------------------

#[test]
fn bool_with_string_and_json_policy_values() {
    check(&[
        (
            json!({"Bool": {"aws:SecureTransport": "true"}}),
            &[("aws:SecureTransport", "true")],
            true,
        ),
        (
            json!({"Bool": {"aws:SecureTransport": "true"}}),
            &[("aws:SecureTransport", "false")],
            false,
        ),
        (
            json!({"Bool": {"aws:SecureTransport": true}}),
            &[("aws:SecureTransport", "true")],
            true,
        ),
        (
            json!({"Bool": {"aws:SecureTransport": false}}),
            &[("aws:SecureTransport", "true")],
            false,
        ),
        (
            json!({"Bool": {"aws:SecureTransport": "false"}}),
            &[("aws:SecureTransport", "false")],
            true,
        ),
        (
            json!({"Bool": {"aws:MultiFactorAuthPresent": false}}),
            &[("aws:MultiFactorAuthPresent", "false")],
            true,
        ),
        // A request value that is not a boolean matches neither.
        (
            json!({"Bool": {"aws:SecureTransport": "true"}}),
            &[("aws:SecureTransport", "yes")],
            false,
        ),
        (
            json!({"Bool": {"aws:SecureTransport": "false"}}),
            &[("aws:SecureTransport", "yes")],
            false,
        ),
    ]);
}

#[test]
fn binary_equals_compares_base64_text_exactly() {
    let v = "QmluYXJ5VmFsdWVJbkJhc2U2NA==";
    check(&[
        (
            json!({"BinaryEquals": {"custom:bin": v}}),
            &[("custom:bin", v)],
            true,
        ),
        (
            json!({"BinaryEquals": {"custom:bin": v}}),
            &[("custom:bin", "qmluyxj5vmfsdwvjbkjhc2u2na==")],
            false,
        ),
        (
            json!({"BinaryEquals": {"custom:bin": v}}),
            &[("custom:bin", "QmluYXJ5")],
            false,
        ),
    ]);
}

#[test]
fn null_tests_presence() {
    check(&[
        (json!({"Null": {"aws:SourceVpce": "true"}}), &[], true),
        (
            json!({"Null": {"aws:SourceVpce": "true"}}),
            &[("aws:SourceVpce", "vpce-1")],
            false,
        ),
        (json!({"Null": {"aws:SourceVpce": "false"}}), &[], false),
        (
            json!({"Null": {"aws:SourceVpce": "false"}}),
            &[("aws:SourceVpce", "vpce-1")],
            true,
        ),
        (json!({"Null": {"aws:SourceVpce": true}}), &[], true),
        (
            json!({"Null": {"aws:SourceVpce": false}}),
            &[("aws:SourceVpce", "vpce-2")],
            true,
        ),
        // Other keys do not count as presence.
        (
            json!({"Null": {"aws:SourceVpce": "true"}}),
            &[("aws:SourceVpc", "vpc-1")],
            true,
        ),
    ]);
}

// ---------------------------------------------------------------------------------------------
// IP addresses
// ---------------------------------------------------------------------------------------------

#[test]
fn ip_address_matrix() {
    let ip = |cidr: Value, request: &'static str, inside: bool| -> [Case<'static>; 2] {
        [
            (
                json!({"IpAddress": {"aws:SourceIp": cidr.clone()}}),
                leak(&[("aws:SourceIp", request)]),
                inside,
            ),
            (
                json!({"NotIpAddress": {"aws:SourceIp": cidr}}),
                leak(&[("aws:SourceIp", request)]),
                !inside,
            ),
        ]
    };
    let rows: Vec<Case<'static>> = [
        // IPv4 block.
        ip(json!("192.0.2.0/24"), "192.0.2.7", true),
        ip(json!("192.0.2.0/24"), "192.0.2.255", true),
        ip(json!("192.0.2.0/24"), "192.0.3.1", false),
        // IPv6 block.
        ip(json!("2001:db8::/32"), "2001:db8:1::1", true),
        ip(json!("2001:db8::/32"), "2001:db9::1", false),
        // A single address is a host block.
        ip(json!("203.0.113.5"), "203.0.113.5", true),
        ip(json!("203.0.113.5"), "203.0.113.6", false),
        ip(json!("2001:db8::1"), "2001:db8::1", true),
        ip(json!("2001:db8::1"), "2001:db8::2", false),
        // /32 and /128.
        ip(json!("198.51.100.7/32"), "198.51.100.7", true),
        ip(json!("198.51.100.7/32"), "198.51.100.8", false),
        ip(json!("2001:db8::7/128"), "2001:db8::7", true),
        ip(json!("2001:db8::7/128"), "2001:db8::8", false),
        // /0 covers its whole family, and only it.
        ip(json!("0.0.0.0/0"), "203.0.113.9", true),
        ip(json!("0.0.0.0/0"), "2001:db8::1", false),
        ip(json!("::/0"), "2001:db8::1", true),
        // Host bits set: the block is still 123.4.5.0/24.
        ip(json!("123.4.5.6/24"), "123.4.5.77", true),
        ip(json!("123.4.5.6/24"), "123.4.5.0", true),
        ip(json!("123.4.5.6/24"), "123.4.6.6", false),
        // An IPv4 request never falls in an IPv6 block.
        ip(json!("2001:db8::/32"), "192.0.2.1", false),
        // An IPv4-mapped IPv6 request address is its IPv4 address.
        ip(json!("192.0.2.0/24"), "::ffff:192.0.2.1", true),
        ip(json!("192.0.2.0/24"), "::ffff:192.0.3.1", false),
        // An IPv4-mapped IPv6 block matches the IPv4 addresses it maps.
        ip(json!("::ffff:192.0.2.0/120"), "192.0.2.9", true),
        ip(json!("::ffff:192.0.2.0/120"), "192.0.3.9", false),
        // Several blocks: any one.
        ip(json!(["10.0.0.0/8", "192.0.2.0/24"]), "192.0.2.1", true),
        ip(json!(["10.0.0.0/8", "192.0.2.0/24"]), "10.255.0.1", true),
        ip(json!(["10.0.0.0/8", "192.0.2.0/24"]), "172.16.0.1", false),
    ]
    .into_iter()
    .flatten()
    .collect();
    check(&rows);
}

#[test]
fn ip_operators_on_a_non_ip_request_value() {
    // IP keys refuse non-IPs at insert time, so use a custom key.
    let request = ctx(&[("custom:addr", "not-an-ip")]);
    assert!(!holds(
        &json!({"IpAddress": {"custom:addr": "0.0.0.0/0"}}),
        &request
    ));
    assert!(holds(
        &json!({"NotIpAddress": {"custom:addr": "0.0.0.0/0"}}),
        &request
    ));
}

// ---------------------------------------------------------------------------------------------
// ARNs
// ---------------------------------------------------------------------------------------------

#[test]
fn arn_operators_match_part_by_part() {
    let k = "aws:PrincipalArn";
    let row = |op: &str, policy: &str, request: &'static str, expected: bool| -> Case<'static> {
        (
            json!({ op: { k: policy } }),
            leak(&[(k, request)]),
            expected,
        )
    };
    let role = "arn:aws:iam::123456789012:role/admin";
    check(&[
        row("ArnEquals", role, role, true),
        // Case-sensitive.
        row(
            "ArnEquals",
            role,
            "arn:aws:iam::123456789012:role/Admin",
            false,
        ),
        row(
            "ArnEquals",
            role,
            "arn:aws:iam::123456789012:role/admin2",
            false,
        ),
        // ArnEquals takes wildcards in each part too.
        row(
            "ArnEquals",
            "arn:aws:iam::*:role/admin",
            "arn:aws:iam::111122223333:role/admin",
            true,
        ),
        row("ArnNotEquals", role, role, false),
        row(
            "ArnNotEquals",
            role,
            "arn:aws:iam::210987654321:role/admin",
            true,
        ),
        // Any account's roles.
        row(
            "ArnLike",
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::111122223333:role/dev",
            true,
        ),
        row(
            "ArnLike",
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::111122223333:role/team/dev",
            true,
        ),
        row(
            "ArnLike",
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::111122223333:user/dev",
            false,
        ),
        row(
            "ArnLike",
            "arn:aws:iam::*:role/*",
            "arn:aws:sts::111122223333:role/dev",
            false,
        ),
        row(
            "ArnLike",
            "arn:aws:iam::*:role/*",
            "arn:aws-cn:iam::111122223333:role/dev",
            false,
        ),
        // `*` in one part never spans the colon into the next: as a flat glob this pattern
        // would match (`*` = `us-east-1:extra`), part by part the account is `extra`.
        row(
            "ArnLike",
            "arn:aws:execute-api:*:123456789012:*",
            "arn:aws:execute-api:us-east-1:extra:123456789012:api/x",
            false,
        ),
        row(
            "ArnLike",
            "arn:aws:execute-api:*:123456789012:*",
            "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/x",
            true,
        ),
        // The same for the account part.
        row(
            "ArnLike",
            "arn:aws:iam::*:role/x",
            "arn:aws:iam::123:456:role/x",
            false,
        ),
        // The resource part keeps its colons, and `*` in it spans them.
        row(
            "ArnLike",
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a:b/c",
            true,
        ),
        row(
            "ArnLike",
            "arn:aws:s3:::*/c",
            "arn:aws:s3:::bucket/a:b/c",
            true,
        ),
        row(
            "ArnEquals",
            "arn:aws:s3:::bucket/a:b",
            "arn:aws:s3:::bucket/a:b",
            true,
        ),
        row(
            "ArnEquals",
            "arn:aws:s3:::bucket/a",
            "arn:aws:s3:::bucket/a:b",
            false,
        ),
        row(
            "ArnNotEquals",
            "arn:aws:s3:::bucket/a",
            "arn:aws:s3:::bucket/a:b",
            true,
        ),
        // `?` is one character.
        row(
            "ArnLike",
            "arn:aws:iam::12345678901?:role/x",
            "arn:aws:iam::123456789019:role/x",
            true,
        ),
        row(
            "ArnLike",
            "arn:aws:iam::12345678901?:role/x",
            "arn:aws:iam::12345678901:role/x",
            false,
        ),
        // A request value that is not a six-part ARN.
        row("ArnLike", "arn:aws:iam::*:role/*", "not-an-arn", false),
        row(
            "ArnLike",
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::role",
            false,
        ),
        row("ArnNotLike", "arn:aws:iam::*:role/*", "not-an-arn", true),
        row("ArnNotEquals", role, "not-an-arn", true),
        row(
            "ArnNotLike",
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::111122223333:role/dev",
            false,
        ),
        row(
            "ArnNotLike",
            "arn:aws:iam::*:role/*",
            "arn:aws:iam::111122223333:user/dev",
            true,
        ),
        // A lone `*` matches every value.
        row("ArnLike", "*", "anything", true),
    ]);
}

#[test]
fn arn_patterns_need_six_parts() {
    let err = Condition::parse_block(
        &json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:*"}}),
        &JsonPath::root().key("Condition"),
        true,
    )
    .unwrap_err();
    assert_eq!(err.kind(), PolicyErrorKind::InvalidValue);
    assert_eq!(
        err.to_string(),
        "`arn:aws:*` is not an ARN (for `ArnLike`): it needs six colon-separated parts at \
         `Condition.ArnLike.aws:PrincipalArn`: write `arn:partition:service:region:account:resource`, \
         with `*` or `?` inside any part"
    );
    // Five parts are still too few; six are enough.
    for (pattern, ok) in [
        ("arn:aws:iam::*", false),
        ("arn:aws:iam::*:*", true),
        ("arn:aws:iam::*:role/*", true),
    ] {
        let parsed = Condition::parse_block(
            &json!({"ArnEquals": {"aws:PrincipalArn": pattern}}),
            &JsonPath::root().key("Condition"),
            true,
        );
        assert_eq!(parsed.is_ok(), ok, "{pattern}");
    }
}

#[test]
fn arn_patterns_resolve_variables_in_every_part() {
    let account = "111122223333";
    let request = |arn: &str| ctx(&[("aws:PrincipalAccount", account), ("aws:PrincipalArn", arn)]);
    let own = request("arn:aws:iam::111122223333:role/dev");
    let other = request("arn:aws:iam::999999999999:role/dev");
    let pattern = "arn:aws:iam::${aws:PrincipalAccount}:role/*";
    // The same text under StringLike, for reference (this part holds today).
    assert!(holds(
        &json!({"StringLike": {"aws:PrincipalArn": pattern}}),
        &own
    ));
    assert!(holds(
        &json!({"ArnLike": {"aws:PrincipalArn": pattern}}),
        &own
    ));
    assert!(!holds(
        &json!({"ArnLike": {"aws:PrincipalArn": pattern}}),
        &other
    ));
    assert!(!holds(
        &json!({"ArnNotLike": {"aws:PrincipalArn": pattern}}),
        &own
    ));
    assert!(holds(
        &json!({"ArnNotLike": {"aws:PrincipalArn": pattern}}),
        &other
    ));
    let exact = "arn:aws:iam::${aws:PrincipalAccount}:role/dev";
    assert!(holds(
        &json!({"ArnEquals": {"aws:PrincipalArn": exact}}),
        &own
    ));
    assert!(!holds(
        &json!({"ArnEquals": {"aws:PrincipalArn": exact}}),
        &other
    ));
    // A variable in the region part.
    let api = ctx(&[
        ("custom:region", "eu-west-1"),
        (
            "aws:SourceArn",
            "arn:aws:execute-api:eu-west-1:111122223333:api/prod/GET/x",
        ),
    ]);
    assert!(holds(
        &json!({"ArnLike": {"aws:SourceArn": "arn:aws:execute-api:${custom:region}:*:*"}}),
        &api
    ));
}

#[test]
fn an_arn_value_that_is_one_variable() {
    let block = json!({"ArnEquals": {"aws:SourceArn": "${aws:PrincipalArn}"}});
    let same = ctx(&[
        ("aws:PrincipalArn", "arn:aws:iam::111122223333:role/dev"),
        ("aws:SourceArn", "arn:aws:iam::111122223333:role/dev"),
    ]);
    let different = ctx(&[
        ("aws:PrincipalArn", "arn:aws:iam::111122223333:role/dev"),
        ("aws:SourceArn", "arn:aws:iam::111122223333:role/ops"),
    ]);
    assert!(holds(&block, &same));
    assert!(!holds(&block, &different));
}

// ---------------------------------------------------------------------------------------------
// Combining values, keys and operators
// ---------------------------------------------------------------------------------------------

#[test]
fn several_values_for_one_key_are_ored_and_nored_when_negated() {
    let vpces = json!(["vpce-1", "vpce-2"]);
    check(&[
        (
            json!({"StringEquals": {"aws:SourceVpce": vpces}}),
            &[("aws:SourceVpce", "vpce-2")],
            true,
        ),
        (
            json!({"StringEquals": {"aws:SourceVpce": vpces}}),
            &[("aws:SourceVpce", "vpce-3")],
            false,
        ),
        (
            json!({"StringNotEquals": {"aws:SourceVpce": vpces}}),
            &[("aws:SourceVpce", "vpce-1")],
            false,
        ),
        (
            json!({"StringNotEquals": {"aws:SourceVpce": vpces}}),
            &[("aws:SourceVpce", "vpce-2")],
            false,
        ),
        (
            json!({"StringNotEquals": {"aws:SourceVpce": vpces}}),
            &[("aws:SourceVpce", "vpce-3")],
            true,
        ),
        (
            json!({"StringNotLike": {"aws:username": ["a*", "b*"]}}),
            &[("aws:username", "bob")],
            false,
        ),
        (
            json!({"StringNotLike": {"aws:username": ["a*", "b*"]}}),
            &[("aws:username", "carol")],
            true,
        ),
        (
            json!({"NumericNotEquals": {"custom:n": [1, 2]}}),
            &[("custom:n", "2")],
            false,
        ),
        (
            json!({"NumericNotEquals": {"custom:n": [1, 2]}}),
            &[("custom:n", "3")],
            true,
        ),
        (
            json!({"NumericEquals": {"custom:n": [1, 2]}}),
            &[("custom:n", "1")],
            true,
        ),
        (
            json!({"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}}),
            &[("aws:SourceIp", "192.0.2.1")],
            false,
        ),
        (
            json!({"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.0.2.0/24"]}}),
            &[("aws:SourceIp", "172.16.0.1")],
            true,
        ),
        (
            json!({"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/a", "arn:aws:iam::*:role/b"]}}),
            &[("aws:PrincipalArn", "arn:aws:iam::111122223333:role/b")],
            false,
        ),
    ]);
}

#[test]
fn several_keys_under_one_operator_are_anded() {
    let block = json!({"StringEquals": {"aws:username": "bob", "aws:SourceVpce": "vpce-1"}});
    assert_eq!(parse(&block).len(), 2);
    check(&[
        (
            block.clone(),
            &[("aws:username", "bob"), ("aws:SourceVpce", "vpce-1")],
            true,
        ),
        (
            block.clone(),
            &[("aws:username", "bob"), ("aws:SourceVpce", "vpce-2")],
            false,
        ),
        (
            block.clone(),
            &[("aws:username", "alice"), ("aws:SourceVpce", "vpce-1")],
            false,
        ),
        (block, &[("aws:username", "bob")], false),
    ]);
}

#[test]
fn several_operators_are_anded() {
    let block = json!({
        "IpAddress": {"aws:SourceIp": "192.0.2.0/24"},
        "StringLike": {"aws:UserAgent": "curl/*"},
        "DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}
    });
    assert_eq!(parse(&block).len(), 3);
    let good = [
        ("aws:SourceIp", "192.0.2.7"),
        ("aws:UserAgent", "curl/8.0"),
        ("aws:CurrentTime", "2025-06-01T00:00:00Z"),
    ];
    assert!(holds(&block, &ctx(&good)));
    for i in 0..good.len() {
        let mut bad = good;
        bad[i].1 = match i {
            0 => "203.0.113.1",
            1 => "wget/1.0",
            _ => "2026-06-01T00:00:00Z",
        };
        assert!(!holds(&block, &ctx(&bad)), "{:?}", bad[i]);
    }
}

// ---------------------------------------------------------------------------------------------
// Absent keys, over every operator
// ---------------------------------------------------------------------------------------------

/// Every operator but `Null`, with a valid policy value and whether it is negated.
const OPERATORS: [(&str, &str, bool); 26] = [
    ("StringEquals", "x", false),
    ("StringNotEquals", "x", true),
    ("StringEqualsIgnoreCase", "x", false),
    ("StringNotEqualsIgnoreCase", "x", true),
    ("StringLike", "x*", false),
    ("StringNotLike", "x*", true),
    ("NumericEquals", "1", false),
    ("NumericNotEquals", "1", true),
    ("NumericLessThan", "1", false),
    ("NumericLessThanEquals", "1", false),
    ("NumericGreaterThan", "1", false),
    ("NumericGreaterThanEquals", "1", false),
    ("DateEquals", "2026-01-01T00:00:00Z", false),
    ("DateNotEquals", "2026-01-01T00:00:00Z", true),
    ("DateLessThan", "2026-01-01T00:00:00Z", false),
    ("DateLessThanEquals", "2026-01-01T00:00:00Z", false),
    ("DateGreaterThan", "2026-01-01T00:00:00Z", false),
    ("DateGreaterThanEquals", "2026-01-01T00:00:00Z", false),
    ("Bool", "true", false),
    ("BinaryEquals", "QQ==", false),
    ("IpAddress", "192.0.2.0/24", false),
    ("NotIpAddress", "192.0.2.0/24", true),
    ("ArnEquals", "arn:aws:iam::123456789012:role/x", false),
    ("ArnLike", "arn:aws:iam::*:role/*", false),
    ("ArnNotEquals", "arn:aws:iam::123456789012:role/x", true),
    ("ArnNotLike", "arn:aws:iam::*:role/*", true),
];

#[test]
fn the_operator_table_covers_every_operator() {
    for op in Operator::ALL {
        let listed = OPERATORS.iter().find(|(name, _, _)| *name == op.name());
        match listed {
            Some((_, _, negated)) => assert_eq!(op.is_negated(), *negated, "{}", op.name()),
            None => assert_eq!(op, Operator::Null),
        }
    }
}

/// The missing-key rules: what each form of each operator gives when the key is absent.
fn absent_key_rows() -> Vec<(String, &'static str, bool)> {
    let mut rows = Vec::new();
    for (op, value, negated) in OPERATORS {
        rows.push((op.to_owned(), value, negated));
        rows.push((format!("{op}IfExists"), value, true));
        rows.push((format!("ForAllValues:{op}"), value, true));
        rows.push((format!("ForAnyValue:{op}"), value, false));
        rows.push((format!("ForAllValues:{op}IfExists"), value, true));
        rows.push((format!("ForAnyValue:{op}IfExists"), value, true));
    }
    rows.push(("Null".to_owned(), "true", true));
    rows.push(("Null".to_owned(), "false", false));
    rows
}

#[test]
fn absent_keys_over_every_operator() {
    // The request carries other keys, in particular one whose name differs only in the
    // suffix, but not `custom:k`.
    let request = ctx(&[("custom:k2", "x"), ("aws:username", "x")]);
    let rows = absent_key_rows();
    assert_eq!(rows.len(), 26 * 6 + 2);
    for (op, value, expected) in rows {
        let block = json!({ op.clone(): {"custom:k": value} });
        assert_eq!(holds(&block, &request), expected, "{op}");
        // An empty request context gives the same.
        assert_eq!(holds(&block, &RequestContext::new()), expected, "{op}");
    }
}

#[test]
fn an_empty_multi_valued_key_behaves_as_absent() {
    let request = multi("custom:k", &[]);
    for (op, value, expected) in absent_key_rows() {
        if op == "Null" {
            continue;
        }
        let block = json!({ op.clone(): {"custom:k": value} });
        assert_eq!(holds(&block, &request), expected, "{op}");
    }
}

#[test]
fn absent_key_rules_for_typical_policies() {
    // A Deny on requests that do not come through the VPC endpoint: absent → the Deny applies.
    assert!(holds(
        &json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}),
        &RequestContext::new()
    ));
    // An allow-list on source IPs: absent (a VPC endpoint request) → no match.
    assert!(!holds(
        &json!({"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}),
        &RequestContext::new()
    ));
    assert!(holds(
        &json!({"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}),
        &RequestContext::new()
    ));
    assert!(holds(
        &json!({"IpAddressIfExists": {"aws:SourceIp": "192.0.2.0/24"}}),
        &RequestContext::new()
    ));
    // IfExists does not change the result when the key is present.
    let outside = ctx(&[("aws:SourceIp", "203.0.113.1")]);
    assert!(!holds(
        &json!({"IpAddressIfExists": {"aws:SourceIp": "192.0.2.0/24"}}),
        &outside
    ));
    assert!(holds(
        &json!({"NotIpAddressIfExists": {"aws:SourceIp": "192.0.2.0/24"}}),
        &outside
    ));
}

#[test]
fn null_treats_an_empty_multi_valued_key_as_absent() {
    let empty = multi("aws:TagKeys", &[]);
    assert!(holds(&json!({"Null": {"aws:TagKeys": "true"}}), &empty));
    assert!(!holds(&json!({"Null": {"aws:TagKeys": "false"}}), &empty));
    // The documented guard: only listed tag keys, and at least one of them.
    let guard = json!({
        "ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]},
        "Null": {"aws:TagKeys": "false"}
    });
    assert!(holds(&guard, &multi("aws:TagKeys", &["env"])));
    assert!(!holds(&guard, &RequestContext::new()));
    assert!(!holds(&guard, &empty));
}

// ---------------------------------------------------------------------------------------------
// Multi-valued keys
// ---------------------------------------------------------------------------------------------

#[test]
fn for_all_values_and_for_any_value() {
    let allowed = json!(["env", "team"]);
    let cases: [(&str, &[&str], bool); 24] = [
        ("ForAllValues:StringEquals", &["env"], true),
        ("ForAllValues:StringEquals", &["env", "team"], true),
        ("ForAllValues:StringEquals", &["team", "team"], true),
        ("ForAllValues:StringEquals", &["env", "cost"], false),
        ("ForAllValues:StringEquals", &["cost"], false),
        ("ForAllValues:StringEquals", &["ENV"], false),
        ("ForAllValues:StringEquals", &[], true),
        ("ForAnyValue:StringEquals", &["cost", "team"], true),
        ("ForAnyValue:StringEquals", &["env"], true),
        ("ForAnyValue:StringEquals", &["cost"], false),
        ("ForAnyValue:StringEquals", &["cost", "owner"], false),
        ("ForAnyValue:StringEquals", &[], false),
        // Negated operators: per request value, "matches none of the policy values".
        ("ForAllValues:StringNotEquals", &["cost", "owner"], true),
        ("ForAllValues:StringNotEquals", &["cost", "env"], false),
        ("ForAllValues:StringNotEquals", &[], true),
        ("ForAnyValue:StringNotEquals", &["env", "cost"], true),
        ("ForAnyValue:StringNotEquals", &["env", "team"], false),
        ("ForAnyValue:StringNotEquals", &[], false),
        // Case-insensitive and wildcard variants.
        (
            "ForAllValues:StringEqualsIgnoreCase",
            &["ENV", "Team"],
            true,
        ),
        (
            "ForAllValues:StringEqualsIgnoreCase",
            &["ENV", "cost"],
            false,
        ),
        ("ForAnyValue:StringLike", &["x", "team"], true),
        ("ForAllValues:StringLike", &["env", "team"], true),
        ("ForAnyValue:StringEqualsIfExists", &[], true),
        ("ForAllValues:StringEqualsIfExists", &["cost"], false),
    ];
    for (op, values, expected) in cases {
        let block = json!({ op: {"aws:TagKeys": allowed} });
        assert_eq!(
            holds(&block, &multi("aws:TagKeys", values)),
            expected,
            "{op} {values:?}"
        );
    }
    // Wildcards in ForAnyValue / ForAllValues policy values.
    let like = json!({"ForAnyValue:StringLike": {"aws:TagKeys": "team-*"}});
    assert!(holds(&like, &multi("aws:TagKeys", &["env", "team-a"])));
    assert!(!holds(&like, &multi("aws:TagKeys", &["env", "team"])));
    let all_like = json!({"ForAllValues:StringLike": {"aws:TagKeys": ["team-*", "env"]}});
    assert!(holds(&all_like, &multi("aws:TagKeys", &["team-a", "env"])));
    assert!(!holds(
        &all_like,
        &multi("aws:TagKeys", &["team-a", "cost"])
    ));
}

#[test]
fn set_qualifiers_on_a_single_valued_key() {
    let block = json!({"ForAnyValue:StringEquals": {"aws:username": ["bob", "carol"]}});
    assert!(holds(&block, &ctx(&[("aws:username", "bob")])));
    assert!(!holds(&block, &ctx(&[("aws:username", "dave")])));
    let block = json!({"ForAllValues:StringEquals": {"aws:username": ["bob", "carol"]}});
    assert!(holds(&block, &ctx(&[("aws:username", "carol")])));
    assert!(!holds(&block, &ctx(&[("aws:username", "dave")])));
}

#[test]
fn a_single_valued_operator_on_a_multi_valued_key() {
    // Positive: true when any request value matches.
    let eq = json!({"StringEquals": {"aws:PrincipalOrgPaths": "o-1/r-1/ou-1/"}});
    assert!(holds(
        &eq,
        &multi("aws:PrincipalOrgPaths", &["o-1/r-1/ou-2/", "o-1/r-1/ou-1/"])
    ));
    assert!(!holds(
        &eq,
        &multi("aws:PrincipalOrgPaths", &["o-1/r-1/ou-2/", "o-1/r-1/ou-3/"])
    ));
    let like = json!({"StringLike": {"aws:PrincipalOrgPaths": "o-1/*/ou-1/*"}});
    assert!(holds(
        &like,
        &multi("aws:PrincipalOrgPaths", &["o-2/", "o-1/r-1/ou-1/ou-9/"])
    ));
    // Negated: true only when no request value matches.
    let ne = json!({"StringNotEquals": {"aws:PrincipalOrgPaths": "o-1/r-1/ou-1/"}});
    assert!(!holds(
        &ne,
        &multi("aws:PrincipalOrgPaths", &["o-1/r-1/ou-2/", "o-1/r-1/ou-1/"])
    ));
    assert!(holds(
        &ne,
        &multi("aws:PrincipalOrgPaths", &["o-1/r-1/ou-2/", "o-1/r-1/ou-3/"])
    ));
    let not_ip = json!({"NotIpAddress": {"custom:ips": "192.0.2.0/24"}});
    assert!(!holds(
        &not_ip,
        &multi("custom:ips", &["203.0.113.1", "192.0.2.5"])
    ));
    assert!(holds(
        &not_ip,
        &multi("custom:ips", &["203.0.113.1", "198.51.100.1"])
    ));
}

// ---------------------------------------------------------------------------------------------
// Case of key names and values
// ---------------------------------------------------------------------------------------------

#[test]
fn key_names_are_case_insensitive_values_case_sensitive() {
    check(&[
        (
            json!({"IpAddress": {"AWS:SOURCEIP": "192.0.2.0/24"}}),
            &[("aws:SourceIp", "192.0.2.1")],
            true,
        ),
        (
            json!({"IpAddress": {"aws:sourceip": "192.0.2.0/24"}}),
            &[("AWS:SourceIP", "192.0.2.1")],
            true,
        ),
        (
            json!({"NotIpAddress": {"AWS:SOURCEIP": "192.0.2.0/24"}}),
            &[("aws:SourceIp", "192.0.2.1")],
            false,
        ),
        (
            json!({"StringEquals": {"AWS:PrincipalTag/Team": "blue"}}),
            &[("aws:principaltag/team", "blue")],
            true,
        ),
        (
            json!({"StringEquals": {"custom:Key": "v"}}),
            &[("CUSTOM:KEY", "v")],
            true,
        ),
        // Values keep their case.
        (
            json!({"StringEquals": {"AWS:USERNAME": "Bob"}}),
            &[("aws:username", "bob")],
            false,
        ),
        (
            json!({"StringLike": {"aws:username": "Bo*"}}),
            &[("aws:username", "bob")],
            false,
        ),
        (
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Dev"}}),
            &[("aws:PrincipalArn", "arn:aws:iam::111122223333:role/dev")],
            false,
        ),
    ]);
    // The key as written is kept for explanations; the lookup key is normalised.
    let c = &parse(&json!({"IpAddress": {"AWS:SOURCEIP": "192.0.2.0/24"}}))[0];
    assert_eq!(c.key_source(), "AWS:SOURCEIP");
    assert_eq!(c.key().as_str(), "aws:sourceip");
}

// ---------------------------------------------------------------------------------------------
// Policy variables
// ---------------------------------------------------------------------------------------------

#[test]
fn policy_variables_in_condition_values() {
    let same_name = json!({"StringEquals": {"aws:username": "${aws:PrincipalTag/name}"}});
    check(&[
        (
            same_name.clone(),
            &[("aws:username", "bob"), ("aws:PrincipalTag/name", "bob")],
            true,
        ),
        (
            same_name.clone(),
            &[("aws:username", "bob"), ("aws:PrincipalTag/name", "alice")],
            false,
        ),
        // The variable's key is absent: nothing equals it...
        (same_name.clone(), &[("aws:username", "bob")], false),
        // ...not even the variable's own text.
        (
            same_name,
            &[("aws:username", "${aws:PrincipalTag/name}")],
            false,
        ),
        // ...and a negated operator matches (IAM: inverted operators match a null value).
        (
            json!({"StringNotEquals": {"aws:username": "${aws:PrincipalTag/name}"}}),
            &[("aws:username", "bob")],
            true,
        ),
        (
            json!({"StringNotEquals": {"aws:username": "${aws:PrincipalTag/name}"}}),
            &[("aws:username", "bob"), ("aws:PrincipalTag/name", "bob")],
            false,
        ),
        // Variables inside a larger value, with wildcards around them.
        (
            json!({"StringLike": {"aws:Referer": "https://${aws:username}.example.com/*"}}),
            &[
                ("aws:username", "bob"),
                ("aws:Referer", "https://bob.example.com/x"),
            ],
            true,
        ),
        (
            json!({"StringLike": {"aws:Referer": "https://${aws:username}.example.com/*"}}),
            &[
                ("aws:username", "bob"),
                ("aws:Referer", "https://eve.example.com/x"),
            ],
            false,
        ),
        // Variable names are case-insensitive too.
        (
            json!({"StringEquals": {"custom:owner": "${AWS:UserName}"}}),
            &[("aws:username", "bob"), ("custom:owner", "bob")],
            true,
        ),
        // A default applies when the key is absent...
        (
            json!({"StringEquals": {"custom:owner": "${aws:username, 'anonymous'}"}}),
            &[("custom:owner", "anonymous")],
            true,
        ),
        (
            json!({"StringEquals": {"custom:owner": "${aws:username, 'anonymous'}"}}),
            &[("custom:owner", "bob")],
            false,
        ),
        // ...and not when it is present.
        (
            json!({"StringEquals": {"custom:owner": "${aws:username, 'anonymous'}"}}),
            &[("aws:username", "bob"), ("custom:owner", "bob")],
            true,
        ),
        (
            json!({"StringEquals": {"custom:owner": "${aws:username, 'anonymous'}"}}),
            &[("aws:username", "bob"), ("custom:owner", "anonymous")],
            false,
        ),
        // In ARN patterns.
        (
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/${aws:username}"}}),
            &[
                ("aws:username", "bob"),
                ("aws:PrincipalArn", "arn:aws:iam::111122223333:user/bob"),
            ],
            true,
        ),
        (
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/${aws:username}"}}),
            &[
                ("aws:username", "eve"),
                ("aws:PrincipalArn", "arn:aws:iam::111122223333:user/bob"),
            ],
            false,
        ),
    ]);
}

#[test]
fn a_multi_valued_key_does_not_resolve_a_variable() {
    let mut request = multi("aws:PrincipalTag/name", &["bob"]);
    request.set("aws:username", "bob").unwrap();
    assert!(!holds(
        &json!({"StringEquals": {"aws:username": "${aws:PrincipalTag/name}"}}),
        &request
    ));
}

#[test]
fn version_2008_keeps_variables_literal() {
    let block = json!({"StringEquals": {"aws:username": "${aws:PrincipalTag/name}"}});
    let conditions =
        Condition::parse_block(&block, &JsonPath::root().key("Condition"), false).unwrap();
    let eval = |pairs: &[(&str, &str)]| conditions.iter().all(|c| c.evaluate(&ctx(pairs)));
    assert!(eval(&[("aws:username", "${aws:PrincipalTag/name}")]));
    assert!(!eval(&[
        ("aws:username", "bob"),
        ("aws:PrincipalTag/name", "bob")
    ]));
    // With variables, the same block resolves the tag.
    assert!(holds(
        &block,
        &ctx(&[("aws:username", "bob"), ("aws:PrincipalTag/name", "bob")])
    ));
}

// ---------------------------------------------------------------------------------------------
// describe()
// ---------------------------------------------------------------------------------------------

#[test]
fn describe_a_present_key() {
    let c = &parse(&json!({"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}))[0];
    assert_eq!(
        c.describe(&ctx(&[("aws:SourceVpce", "vpce-1a2b3c4d")])),
        "StringEquals `aws:SourceVpce`: request value `vpce-1a2b3c4d` vs [`vpce-1a2b3c4d`] → true"
    );
    let c = &parse(&json!({"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}))[0];
    assert_eq!(
        c.describe(&ctx(&[("aws:SourceVpce", "vpce-9")])),
        "StringNotEquals `aws:SourceVpce`: request value `vpce-9` vs [`vpce-1a2b3c4d`] → true"
    );
    let c = &parse(&json!({"NumericLessThan": {"custom:n": [10, "20"]}}))[0];
    assert_eq!(
        c.describe(&ctx(&[("custom:n", "30")])),
        "NumericLessThan `custom:n`: request value `30` vs [`10`, `20`] → false"
    );
    let c = &parse(&json!({"ForAnyValue:StringEquals": {"aws:TagKeys": "env"}}))[0];
    assert_eq!(
        c.describe(&multi("aws:TagKeys", &["cost", "env"])),
        "ForAnyValue:StringEquals `aws:TagKeys`: request value [`cost`, `env`] vs [`env`] → true"
    );
}

#[test]
fn describe_an_absent_key() {
    let empty = RequestContext::new();
    let c = &parse(&json!({"StringNotEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}}))[0];
    assert_eq!(
        c.describe(&empty),
        "StringNotEquals `aws:SourceVpce`: key absent from the request vs [`vpce-1`, `vpce-2`] → true (a negated operator passes on an absent key)"
    );
    let c = &parse(&json!({"IpAddress": {"AWS:SourceIP": "192.0.2.0/24"}}))[0];
    assert_eq!(
        c.describe(&empty),
        "IpAddress `AWS:SourceIP`: key absent from the request vs [`192.0.2.0/24`] → false (a positive operator fails on an absent key)"
    );
    let c = &parse(&json!({"StringEqualsIfExists": {"aws:username": "bob"}}))[0];
    assert_eq!(
        c.describe(&empty),
        "StringEqualsIfExists `aws:username`: key absent from the request vs [`bob`] → true (IfExists: an absent key passes)"
    );
    let c = &parse(&json!({"ForAnyValue:StringLike": {"aws:TagKeys": "team-*"}}))[0];
    assert_eq!(
        c.describe(&empty),
        "ForAnyValue:StringLike `aws:TagKeys`: key absent from the request vs [`team-*`] → false (ForAnyValue: an absent key fails)"
    );
    let c = &parse(&json!({"ForAllValues:StringLike": {"aws:TagKeys": "team-*"}}))[0];
    assert_eq!(
        c.describe(&empty),
        "ForAllValues:StringLike `aws:TagKeys`: key absent from the request vs [`team-*`] → true (ForAllValues: an absent key passes)"
    );
    let c = &parse(&json!({"Null": {"aws:SourceVpce": true}}))[0];
    assert_eq!(
        c.describe(&empty),
        "Null `aws:SourceVpce`: key absent from the request vs [`true`] → true"
    );
}

// ---------------------------------------------------------------------------------------------
// Operator names
// ---------------------------------------------------------------------------------------------

#[test]
fn operator_specs_parse_and_display() {
    for text in [
        "StringEquals",
        "ForAnyValue:StringLikeIfExists",
        "ForAllValues:NumericLessThan",
        "DateGreaterThanEqualsIfExists",
        "Null",
    ] {
        let spec = OperatorSpec::parse(text).unwrap();
        assert_eq!(spec.to_string(), text);
    }
    let spec = OperatorSpec::parse("ForAnyValue:StringLikeIfExists").unwrap();
    assert_eq!(spec.qualifier, SetQualifier::ForAnyValue);
    assert_eq!(spec.operator, Operator::StringLike);
    assert!(spec.if_exists);
    for bad in [
        "NullIfExists",
        "ForAllValues:Null",
        "ForAnyValue:Null",
        "stringequals",
        "StringEqual",
        "IfExists",
        "ForAllValues:",
        "ForAnyValue:ForAllValues:StringEquals",
        "",
    ] {
        assert_eq!(OperatorSpec::parse(bad), None, "{bad}");
    }
}

// ---------------------------------------------------------------------------------------------
// Property: typed operators never panic, and negations are complements
// ---------------------------------------------------------------------------------------------

/// Strings that look like what the typed operators read, and arbitrary text.
fn request_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,24}",
        any::<std::net::Ipv4Addr>().prop_map(|a| a.to_string()),
        any::<std::net::Ipv6Addr>().prop_map(|a| a.to_string()),
        any::<std::net::Ipv4Addr>().prop_map(|a| format!("::ffff:{a}")),
        any::<f64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        (-10i64..10).prop_map(|n| n.to_string()),
        (
            1900i32..2200,
            1u8..13,
            1u8..29,
            0u8..24,
            0u8..60,
            prop::sample::select(vec!["Z", "+01:00", "-05:30", ".5Z", ""])
        )
            .prop_map(|(y, mo, d, h, mi, tz)| format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:00{tz}"
            )),
        "arn:[a-z*?-]{0,5}:[a-z*?-]{0,5}:[a-z0-9*-]{0,5}:[0-9*?]{0,12}:[a-z/:*?]{0,10}",
        "[0-9./:a-f]{0,20}",
    ]
}

/// `(positive, negated)` pairs of operators with the same policy values.
fn complement_pairs() -> Vec<(Vec<Condition>, Vec<Condition>)> {
    let values: [(&str, &str, Value); 6] = [
        (
            "IpAddress",
            "NotIpAddress",
            json!([
                "192.0.2.0/24",
                "2001:db8::/32",
                "10.0.0.1",
                "::ffff:198.51.100.0/120"
            ]),
        ),
        (
            "NumericEquals",
            "NumericNotEquals",
            json!(["10", 2.5, "-3"]),
        ),
        (
            "DateEquals",
            "DateNotEquals",
            json!(["2026-01-01T00:00:00Z", "1767225600", "2000-02-29"]),
        ),
        (
            "ArnEquals",
            "ArnNotEquals",
            json!(["arn:aws:iam::123456789012:role/x", "arn:aws:*:*:*:*"]),
        ),
        (
            "ArnLike",
            "ArnNotLike",
            json!(["arn:aws:iam::*:role/*", "arn:*:s3:::b?cket/*", "*"]),
        ),
        (
            "StringLike",
            "StringNotLike",
            json!(["*1*", "a?", "${custom:k}"]),
        ),
    ];
    values
        .into_iter()
        .map(|(pos, neg, v)| {
            (
                parse(&json!({ pos: {"custom:k": v.clone()} })),
                parse(&json!({ neg: {"custom:k": v} })),
            )
        })
        .collect()
}

/// Ordering operators paired with their opposite (`<` with `>=`, `>` with `<=`).
fn ordered_blocks() -> Vec<(Vec<Condition>, Vec<Condition>)> {
    [
        ("NumericLessThan", "NumericGreaterThanEquals", json!("10")),
        ("NumericGreaterThan", "NumericLessThanEquals", json!(-2.5)),
        (
            "DateLessThan",
            "DateGreaterThanEquals",
            json!("2026-01-01T00:00:00Z"),
        ),
        ("DateGreaterThan", "DateLessThanEquals", json!("1767225600")),
    ]
    .into_iter()
    .map(|(a, b, v)| {
        (
            parse(&json!({ a: {"custom:k": v.clone()} })),
            parse(&json!({ b: {"custom:k": v} })),
        )
    })
    .collect()
}

fn all(conditions: &[Condition], ctx: &RequestContext) -> bool {
    conditions.iter().all(|c| c.evaluate(ctx))
}

proptest! {
    #[test]
    fn typed_operators_never_panic_and_negations_complement(
        single in request_value(),
        values in prop::collection::vec(request_value(), 1..4),
    ) {
        let one = ctx(&[("custom:k", single.as_str())]);
        let many = multi("custom:k", &values.iter().map(String::as_str).collect::<Vec<_>>());
        for (pos, neg) in complement_pairs() {
            // Single-valued and single-valued-on-multi: any vs none.
            prop_assert_eq!(all(&pos, &one), !all(&neg, &one));
            prop_assert_eq!(all(&pos, &many), !all(&neg, &many));
            for c in pos.iter().chain(&neg) {
                let _ = c.describe(&one);
                let _ = c.describe(&many);
            }
        }
        // ForAllValues:P is the negation of ForAnyValue:NotP on a non-empty set.
        for (pos, neg) in [
            ("IpAddress", "NotIpAddress"),
            ("NumericEquals", "NumericNotEquals"),
            ("DateEquals", "DateNotEquals"),
            ("ArnLike", "ArnNotLike"),
        ] {
            let v = match pos {
                "IpAddress" => json!(["192.0.2.0/24", "2001:db8::/32"]),
                "NumericEquals" => json!([0, "1.5"]),
                "DateEquals" => json!("2026-01-01T00:00:00Z"),
                _ => json!("arn:aws:iam::*:role/*"),
            };
            let for_all = parse(&json!({ format!("ForAllValues:{pos}"): {"custom:k": v.clone()} }));
            let for_any_not = parse(&json!({ format!("ForAnyValue:{neg}"): {"custom:k": v.clone()} }));
            prop_assert_eq!(all(&for_all, &many), !all(&for_any_not, &many));
            // IfExists changes nothing when the key is present.
            let plain = parse(&json!({ pos: {"custom:k": v.clone()} }));
            let if_exists = parse(&json!({ format!("{pos}IfExists"): {"custom:k": v} }));
            prop_assert_eq!(all(&plain, &one), all(&if_exists, &one));
        }
        for (a, b) in ordered_blocks() {
            let (ra, rb) = (all(&a, &one), all(&b, &one));
            // For a numeric/date request value exactly one of `<` and `>=` holds; for any other
            // value neither does.
            prop_assert!(!(ra && rb), "{single}");
            let _ = (all(&a, &many), all(&b, &many));
        }
    }

    #[test]
    fn numeric_order_is_total_for_numbers(n in any::<f64>().prop_filter("finite", |n| n.is_finite())) {
        let text = n.to_string();
        let one = ctx(&[("custom:k", text.as_str())]);
        let lt = parse(&json!({"NumericLessThan": {"custom:k": "10"}}));
        let ge = parse(&json!({"NumericGreaterThanEquals": {"custom:k": "10"}}));
        prop_assert_eq!(all(&lt, &one), n < 10.0);
        prop_assert_eq!(all(&ge, &one), n >= 10.0);
    }
}

/// A `'static` slice of request pairs, for table rows built in closures.
fn leak(pairs: &[(&'static str, &'static str)]) -> &'static [(&'static str, &'static str)] {
    Box::leak(pairs.to_vec().into_boxed_slice())
}
