// Unit tests of `policy.rs`, compiled only under #[cfg(test)] (see `mod tests;` there).
use super::*;

use crate::arn::MethodArn;
use crate::condition::{Operator, SetQualifier};
use crate::context::{ContextKey, ContextValue, RequestContext};
use crate::eval::{EvalRequest, INVOKE_ACTION, PolicyOutcome};
use crate::principal::{Caller, IamCaller};
use proptest::prelude::*;
use serde_json::json;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn api_in(partition: &str, region: &str) -> ApiRef {
    ApiRef {
        partition: partition.into(),
        region: region.into(),
        account_id: "123456789012".into(),
        api_id: "a1b2c3d4e5".into(),
    }
}

fn api() -> ApiRef {
    api_in("aws", "us-east-1")
}

const PREFIX: &str = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5";

fn resource_policy(doc: &Value) -> PolicyDocument {
    PolicyDocument::from_json(doc, PolicyKind::Resource, Some(&api()))
        .unwrap_or_else(|e| panic!("{doc} should parse: {e}"))
}

fn identity_policy(doc: &Value) -> PolicyDocument {
    PolicyDocument::from_json(doc, PolicyKind::Identity, None)
        .unwrap_or_else(|e| panic!("{doc} should parse: {e}"))
}

/// A valid resource-policy statement, with `extra` members added or replaced.
fn statement_with(extra: &Value) -> Value {
    let mut s = json!({
        "Effect": "Allow",
        "Principal": "*",
        "Action": "execute-api:Invoke",
        "Resource": "execute-api:/*"
    });
    for (k, v) in extra.as_object().unwrap() {
        s.as_object_mut().unwrap().insert(k.clone(), v.clone());
    }
    s
}

/// A valid resource-policy statement without member `name`.
fn statement_without(name: &str) -> Value {
    let mut s = statement_with(&json!({}));
    s.as_object_mut().unwrap().remove(name);
    s
}

/// A valid resource-policy statement with member `remove` taken out and `extra` added.
fn statement_swapping(remove: &str, extra: &Value) -> Value {
    let mut s = statement_without(remove);
    for (k, v) in extra.as_object().unwrap() {
        s.as_object_mut().unwrap().insert(k.clone(), v.clone());
    }
    s
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn patterns(set: &PatternSet) -> Vec<&str> {
    set.patterns().iter().map(Pattern::as_str).collect()
}

fn request<'a>(
    resource: &'a str,
    caller: &'a Caller,
    context: &'a RequestContext,
) -> EvalRequest<'a> {
    EvalRequest {
        action: INVOKE_ACTION,
        resource,
        caller,
        owner_account: "123456789012",
        context,
    }
}

// ---------------------------------------------------------------------------------------------
// What the parser accepts
// ---------------------------------------------------------------------------------------------

#[test]
fn versions() {
    let stmt = json!({"Effect": "Allow", "Action": "*", "Resource": "*"});
    for (version, expected, variables) in [
        (Some("2012-10-17"), Version::V2012_10_17, true),
        (Some("2008-10-17"), Version::V2008_10_17, false),
        (None, Version::Unspecified, false),
    ] {
        let mut d = json!({"Statement": [stmt.clone()]});
        if let Some(v) = version {
            d["Version"] = json!(v);
        }
        let p = identity_policy(&d);
        assert_eq!(p.version(), expected);
        assert_eq!(p.version().supports_variables(), variables);
        assert_eq!(p.kind(), PolicyKind::Identity);
        assert_eq!(p.to_json().get("Version").and_then(Value::as_str), version);
    }
}

#[test]
fn id_sid_and_effects() {
    let p = resource_policy(&json!({
        "Version": "2012-10-17",
        "Id": "ApiPolicy1",
        "Statement": [
            statement_with(&json!({"Sid": "AllowAll"})),
            statement_with(&json!({"Effect": "Deny"})),
        ]
    }));
    assert_eq!(p.id(), Some("ApiPolicy1"));
    assert_eq!(p.kind(), PolicyKind::Resource);
    assert_eq!(p.statements().len(), 2);
    assert_eq!(p.statements()[0].sid(), Some("AllowAll"));
    assert_eq!(p.statements()[0].effect(), Effect::Allow);
    assert_eq!(p.statements()[1].sid(), None);
    assert_eq!(p.statements()[1].effect(), Effect::Deny);
    assert_eq!(Effect::Deny.name(), "Deny");
    let no_id = resource_policy(&doc(json!([statement_with(&json!({}))])));
    assert_eq!(no_id.id(), None);
}

#[test]
fn statement_as_one_object_or_an_array() {
    let one = resource_policy(&doc(statement_with(&json!({"Sid": "S"}))));
    let many = resource_policy(&doc(json!([statement_with(&json!({"Sid": "S"}))])));
    assert_eq!(one.statements().len(), 1);
    assert_eq!(one, many);
    // An empty list is a policy with no statements: it allows nothing.
    let none = resource_policy(&doc(json!([])));
    assert!(none.statements().is_empty());
}

#[test]
fn principal_forms() {
    let p = resource_policy(&doc(json!([
        statement_with(&json!({"Principal": "*"})),
        statement_with(&json!({"Principal": {"AWS": "*"}})),
        statement_with(&json!({"Principal": {"AWS": "arn:aws:iam::210987654321:role/dev"}})),
        statement_with(
            &json!({"Principal": {"AWS": ["210987654321", "arn:aws:iam::111122223333:root"]}})
        ),
        statement_swapping(
            "Principal",
            &json!({"NotPrincipal": {"AWS": "210987654321"}})
        ),
    ])));
    let s = p.statements();
    let Some(PrincipalClause::Principal(star)) = s[0].principal() else {
        panic!("{:?}", s[0].principal());
    };
    assert_eq!(star.source(), &json!("*"));
    assert!(!star.names_iam_identities());
    let Some(PrincipalClause::Principal(aws_star)) = s[1].principal() else {
        panic!("{:?}", s[1].principal());
    };
    assert!(!aws_star.names_iam_identities());
    let Some(PrincipalClause::Principal(role)) = s[2].principal() else {
        panic!("{:?}", s[2].principal());
    };
    assert!(role.names_iam_identities());
    assert_eq!(
        role.source(),
        &json!({"AWS": "arn:aws:iam::210987654321:role/dev"})
    );
    let Some(PrincipalClause::Principal(accounts)) = s[3].principal() else {
        panic!("{:?}", s[3].principal());
    };
    assert!(accounts.names_iam_identities());
    assert!(matches!(
        s[4].principal(),
        Some(PrincipalClause::NotPrincipal(np)) if np.source() == &json!({"AWS": "210987654321"})
    ));
}

#[test]
fn action_and_resource_as_string_or_array_and_their_negations() {
    let p = identity_policy(&json!({
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": ["execute-api:Invoke", "execute-api:ManageConnections"],
                "Resource": [
                    "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
                    "arn:aws:execute-api:*:*:*/*/POST/*"
                ]
            },
            {"Effect": "Deny", "NotAction": "execute-api:Invoke", "NotResource": ["*"]},
            {"Effect": "Allow", "Action": "*", "Resource": "arn:aws-cn:execute-api:cn-north-1:123456789012:x/*"}
        ]
    }));
    let s = p.statements();
    assert_eq!(patterns(s[0].actions()), ["execute-api:Invoke"]);
    assert!(!s[0].actions().is_negated());
    assert_eq!(patterns(s[0].resources()), ["*"]);
    assert!(!s[0].resources().is_negated());
    assert_eq!(
        patterns(s[1].actions()),
        ["execute-api:Invoke", "execute-api:ManageConnections"]
    );
    assert_eq!(
        patterns(s[1].resources()),
        [
            "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
            "arn:aws:execute-api:*:*:*/*/POST/*"
        ]
    );
    assert!(s[2].actions().is_negated());
    assert!(s[2].resources().is_negated());
    assert_eq!(patterns(s[2].actions()), ["execute-api:Invoke"]);
    assert_eq!(patterns(s[3].actions()), ["*"]);
    assert!(s[0].principal().is_none());
    assert!(s[0].conditions().is_empty());
}

#[test]
fn conditions_are_flattened_operator_by_key() {
    let p = resource_policy(&doc(statement_with(&json!({
        "Condition": {
            "IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]},
            "ForAnyValue:StringLikeIfExists": {"aws:PrincipalOrgPaths": "o-1/*", "aws:TagKeys": "t*"}
        }
    }))));
    let c = p.statements()[0].conditions();
    assert_eq!(c.len(), 3);
    let find = |key: &str| {
        c.iter()
            .find(|c| c.key_source() == key)
            .unwrap_or_else(|| panic!("no condition on {key}"))
    };
    let org_paths = find("aws:PrincipalOrgPaths");
    assert_eq!(
        org_paths.spec().to_string(),
        "ForAnyValue:StringLikeIfExists"
    );
    assert_eq!(org_paths.spec().qualifier, SetQualifier::ForAnyValue);
    assert_eq!(org_paths.spec().operator, Operator::StringLike);
    assert!(org_paths.spec().if_exists);
    assert_eq!(org_paths.value_sources(), [json!("o-1/*")]);
    assert_eq!(find("aws:TagKeys").spec(), org_paths.spec());
    let ip = find("aws:SourceIp");
    assert_eq!(ip.spec().operator, Operator::IpAddress);
    assert_eq!(ip.spec().qualifier, SetQualifier::None);
    assert!(!ip.spec().if_exists);
    assert_eq!(ip.key(), &ContextKey::new("aws:sourceip"));
    assert_eq!(
        ip.value_sources(),
        [json!("192.0.2.0/24"), json!("2001:db8::/32")]
    );
}

#[test]
fn a_json_encoded_string_policy() {
    let text = "\"{\\\"Version\\\": \\\"2012-10-17\\\", \\\"Statement\\\": [{\\\"Effect\\\": \\\"Allow\\\", \\\"Principal\\\": \\\"*\\\", \\\"Action\\\": \\\"execute-api:Invoke\\\", \\\"Resource\\\": \\\"execute-api:/*\\\"}]}\"";
    assert!(text.starts_with("\"{\\\"Version"));
    let p = PolicyDocument::parse_resource_policy(text, &api()).unwrap();
    let plain = PolicyDocument::parse_resource_policy(
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]}"#,
        &api(),
    )
    .unwrap();
    assert_eq!(p, plain);
    assert_eq!(
        patterns(p.statements()[0].resources()),
        [format!("{PREFIX}/*")]
    );
    // The same as an already-decoded JSON string value, for an identity policy.
    let identity = PolicyDocument::parse_identity_policy(
        "\"{\\\"Statement\\\": {\\\"Effect\\\": \\\"Deny\\\", \\\"Action\\\": \\\"*\\\", \\\"Resource\\\": \\\"*\\\"}}\"",
    )
    .unwrap();
    assert_eq!(identity.statements()[0].effect(), Effect::Deny);
    assert_eq!(identity.version(), Version::Unspecified);
}

/// What `aws apigateway get-rest-api --rest-api-id a1b2c3d4e5` prints for an API with a
/// resource policy: the `policy` field is escaped twice, slashes included.
const GET_REST_API_OUTPUT: &str = r#"{
    "id": "a1b2c3d4e5",
    "name": "PetStore",
    "createdDate": "2026-01-05T10:00:00+00:00",
    "apiKeySource": "HEADER",
    "endpointConfiguration": {
        "types": ["REGIONAL"]
    },
    "policy": "{\\\"Version\\\":\\\"2012-10-17\\\",\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"execute-api:Invoke\\\",\\\"Resource\\\":\\\"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5\\/*\\\"},{\\\"Sid\\\":\\\"DenyOutsideOffice\\\",\\\"Effect\\\":\\\"Deny\\\",\\\"Principal\\\":\\\"*\\\",\\\"Action\\\":\\\"execute-api:Invoke\\\",\\\"Resource\\\":\\\"arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5\\/prod\\/*\\/*\\\",\\\"Condition\\\":{\\\"NotIpAddress\\\":{\\\"aws:SourceIp\\\":[\\\"192.0.2.0\\/24\\\",\\\"2001:db8::\\/32\\\"]}}}]}",
    "disableExecuteApiEndpoint": false,
    "rootResourceId": "r00tid"
}"#;

#[test]
fn the_doubly_escaped_get_rest_api_policy_field() {
    let output: Value = serde_json::from_str(GET_REST_API_OUTPUT).unwrap();
    let field = &output["policy"];
    // After one JSON decode the text still has backslash-escaped quotes.
    let text = field.as_str().unwrap();
    assert!(text.starts_with(r#"{\"Version\":\"2012-10-17\""#), "{text}");
    assert!(serde_json::from_str::<Value>(text).is_err());

    let p = PolicyDocument::from_json(field, PolicyKind::Resource, Some(&api())).unwrap();
    assert_eq!(p.version(), Version::V2012_10_17);
    assert_eq!(p.statements().len(), 2);
    assert_eq!(
        patterns(p.statements()[0].resources()),
        [format!("{PREFIX}/*")]
    );
    let deny = &p.statements()[1];
    assert_eq!(deny.sid(), Some("DenyOutsideOffice"));
    assert_eq!(deny.effect(), Effect::Deny);
    assert_eq!(patterns(deny.resources()), [format!("{PREFIX}/prod/*/*")]);
    assert_eq!(deny.conditions().len(), 1);
    assert_eq!(
        deny.conditions()[0].value_sources(),
        [json!("192.0.2.0/24"), json!("2001:db8::/32")]
    );
    // The same text handed to `parse_resource_policy` as a JSON string literal.
    let literal = serde_json::to_string(field).unwrap();
    assert_eq!(
        PolicyDocument::parse_resource_policy(&literal, &api()).unwrap(),
        p
    );
    // And it evaluates as stored.
    let arn = MethodArn::for_method(&api(), "prod", "GET", "/pets");
    let mut ctx = RequestContext::new();
    ctx.set("aws:SourceIp", "192.0.2.10").unwrap();
    let inside = p.evaluate(&request(arn.as_str(), &Caller::Anonymous, &ctx));
    assert_eq!(inside.outcome, PolicyOutcome::Allow);
    ctx.set("aws:SourceIp", "203.0.113.10").unwrap();
    let outside = p.evaluate(&request(arn.as_str(), &Caller::Anonymous, &ctx));
    assert_eq!(outside.outcome, PolicyOutcome::ExplicitDeny);
    assert_eq!(outside.decided_by, Some((0, 1)));
}

#[test]
fn abbreviated_resources_expand_with_the_api() {
    let p = resource_policy(&doc(json!([
        statement_with(&json!({"Resource": ["execute-api:/prod/GET/pets", "execute-api:/*"]})),
        statement_swapping(
            "Resource",
            &json!({"Effect": "Deny", "NotResource": "execute-api:/*/POST/admin/*"})
        ),
        statement_with(&json!({"Resource": "arn:aws:execute-api:us-east-1:999999999999:other/*"})),
    ])));
    let s = p.statements();
    assert_eq!(
        s[0].resources().patterns()[0].as_str(),
        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"
    );
    assert_eq!(
        s[0].resources().patterns()[1].as_str(),
        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"
    );
    assert_eq!(
        s[1].resources().patterns()[0].as_str(),
        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/POST/admin/*"
    );
    assert!(s[1].resources().is_negated());
    // Full ARNs are kept as written, even for another API.
    assert_eq!(
        s[2].resources().patterns()[0].as_str(),
        "arn:aws:execute-api:us-east-1:999999999999:other/*"
    );
    assert_eq!(
        p.to_json(),
        json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "execute-api:Invoke",
                    "Resource": [
                        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
                        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"
                    ]
                },
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "execute-api:Invoke",
                    "NotResource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/POST/admin/*"
                },
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "execute-api:Invoke",
                    "Resource": "arn:aws:execute-api:us-east-1:999999999999:other/*"
                }
            ]
        })
    );
    // The expanded resource matches the method ARN API Gateway builds.
    let arn = MethodArn::for_method(&api(), "prod", "GET", "/pets");
    assert!(s[0].resources().patterns()[0].matches(arn.as_str()));
}

#[test]
fn abbreviated_resources_in_other_partitions() {
    for (partition, region) in [
        ("aws", "eu-west-1"),
        ("aws-cn", "cn-north-1"),
        ("aws-us-gov", "us-gov-west-1"),
    ] {
        let api = api_in(partition, region);
        let p = PolicyDocument::parse_resource_policy(
            &doc(statement_with(
                &json!({"Resource": ["execute-api:/*", "execute-api:/v1/GET/"]}),
            ))
            .to_string(),
            &api,
        )
        .unwrap();
        let expected = [
            format!("arn:{partition}:execute-api:{region}:123456789012:a1b2c3d4e5/*"),
            format!("arn:{partition}:execute-api:{region}:123456789012:a1b2c3d4e5/v1/GET/"),
        ];
        assert_eq!(patterns(p.statements()[0].resources()), expected);
        assert_eq!(
            p.to_json()["Statement"][0]["Resource"],
            json!(expected),
            "{partition}"
        );
        let root = MethodArn::for_method(&api, "v1", "GET", "/");
        assert!(p.statements()[0].resources().patterns()[1].matches(root.as_str()));
    }
}

// ---------------------------------------------------------------------------------------------
// What the parser rejects
// ---------------------------------------------------------------------------------------------

fn resource_error(d: &Value) -> PolicyError {
    PolicyDocument::from_json(d, PolicyKind::Resource, Some(&api()))
        .expect_err(&format!("{d} should be rejected"))
}

fn identity_error(d: &Value) -> PolicyError {
    PolicyDocument::from_json(d, PolicyKind::Identity, None)
        .expect_err(&format!("{d} should be rejected"))
}

fn condition(block: Value) -> Value {
    doc(json!([statement_with(&json!({ "Condition": block }))]))
}

#[test]
fn rejects_text_that_is_not_json() {
    let err = PolicyDocument::parse_resource_policy("{\"Version\": ", &api()).unwrap_err();
    assert_eq!(err.kind(), PolicyErrorKind::InvalidJson);
    assert_eq!(
        err.to_string(),
        "the policy is not valid JSON (EOF while parsing a value at line 1 column 12) at `$`"
    );
    assert_eq!(err.path(), &JsonPath::root());
    let err = PolicyDocument::parse_identity_policy("Version: 2012-10-17").unwrap_err();
    assert_eq!(err.kind(), PolicyErrorKind::InvalidJson);
    assert_eq!(
        err.to_string(),
        "the policy is not valid JSON (expected value at line 1 column 1) at `$`"
    );
    // A JSON string that does not hold JSON.
    let err = PolicyDocument::parse_identity_policy("\"{Version\"").unwrap_err();
    assert_eq!(err.kind(), PolicyErrorKind::InvalidJson);
    assert_eq!(
        err.to_string(),
        "the policy string does not hold valid JSON (key must be a string at line 1 column 2) at `$`: give the policy as a JSON object, or as the string `get-rest-api` returns"
    );
}

#[test]
fn rejects_a_policy_that_is_not_an_object() {
    for (text, what) in [
        ("[]", "an array"),
        ("42", "a number"),
        ("null", "null"),
        ("\"[1]\"", "an array"),
        ("true", "a boolean"),
    ] {
        let err = PolicyDocument::parse_identity_policy(text).unwrap_err();
        assert_eq!(err.kind(), PolicyErrorKind::InvalidValue, "{text}");
        assert_eq!(
            err.to_string(),
            format!(
                "a policy must be a JSON object, not {what} at `$`: write `{{\"Version\": \"2012-10-17\", \"Statement\": [...]}}`"
            ),
            "{text}"
        );
    }
}

#[test]
fn rejection_table() {
    let stmt = || statement_with(&json!({}));
    let with = |extra: Value| doc(json!([statement_with(&extra)]));
    let without = |name: &str| doc(json!([statement_without(name)]));
    let identity = |s: Value| json!({"Version": "2012-10-17", "Statement": [s]});
    let identity_stmt = json!({"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"});

    #[derive(Clone, Copy)]
    enum Kind {
        Res,
        Ident,
    }
    let cases: Vec<(&str, Kind, Value, PolicyErrorKind, &str)> = vec![
        (
            "unknown top-level element",
            Kind::Res,
            json!({"Version": "2012-10-17", "Statment": [stmt()]}),
            PolicyErrorKind::UnknownElement,
            "unknown policy element `Statment` at `Statment`: did you mean `Statement`?",
        ),
        (
            "unknown top-level element, nothing close",
            Kind::Res,
            json!({"Version": "2012-10-17", "Statement": [stmt()], "Banana": 1}),
            PolicyErrorKind::UnknownElement,
            "unknown policy element `Banana` at `Banana`: known names: `Version`, `Id`, `Statement`",
        ),
        (
            "lower-case effect",
            Kind::Res,
            doc(json!([
                stmt(),
                statement_swapping("Effect", &json!({"effect": "Allow"}))
            ])),
            PolicyErrorKind::UnknownElement,
            "unknown statement element `effect` at `Statement[1].effect`: did you mean `Effect`?",
        ),
        (
            "missing Statement",
            Kind::Res,
            json!({"Version": "2012-10-17"}),
            PolicyErrorKind::MissingElement,
            "the policy has no `Statement` at `$`: add `\"Statement\": [{\"Effect\": ..., \"Action\": ..., \"Resource\": ...}]`",
        ),
        (
            "statement not an object",
            Kind::Res,
            doc(json!([stmt(), "Allow"])),
            PolicyErrorKind::InvalidValue,
            "a statement must be an object, not a string at `Statement[1]`",
        ),
        (
            "missing Effect",
            Kind::Res,
            without("Effect"),
            PolicyErrorKind::MissingElement,
            "the statement has no `Effect` at `Statement[0]`: add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`",
        ),
        (
            "Effect in the wrong case",
            Kind::Res,
            with(json!({"Effect": "allow"})),
            PolicyErrorKind::InvalidValue,
            "`Effect` must be `Allow` or `Deny`, not \"allow\" at `Statement[0].Effect`: IAM spells them with a capital first letter",
        ),
        (
            "Action with NotAction",
            Kind::Res,
            with(json!({"NotAction": "execute-api:ManageConnections"})),
            PolicyErrorKind::ConflictingElements,
            "a statement cannot have both `Action` and `NotAction` at `Statement[0]`: keep one of them",
        ),
        (
            "Resource with NotResource",
            Kind::Res,
            with(json!({"NotResource": "execute-api:/prod/*"})),
            PolicyErrorKind::ConflictingElements,
            "a statement cannot have both `Resource` and `NotResource` at `Statement[0]`: keep one of them",
        ),
        (
            "Principal with NotPrincipal",
            Kind::Res,
            with(json!({"NotPrincipal": {"AWS": "210987654321"}})),
            PolicyErrorKind::ConflictingElements,
            "a statement cannot have both `Principal` and `NotPrincipal` at `Statement[0]`: keep one of them",
        ),
        (
            "missing Action",
            Kind::Res,
            without("Action"),
            PolicyErrorKind::MissingElement,
            "the statement has neither `Action` nor `NotAction` at `Statement[0]`: add `Action`",
        ),
        (
            "missing Resource",
            Kind::Res,
            without("Resource"),
            PolicyErrorKind::MissingElement,
            "the statement has neither `Resource` nor `NotResource` at `Statement[0]`: add `Resource`",
        ),
        (
            "resource policy without Principal",
            Kind::Res,
            without("Principal"),
            PolicyErrorKind::MissingElement,
            "a resource-policy statement needs `Principal` or `NotPrincipal` at `Statement[0]`: add `\"Principal\": \"*\"` to apply it to every caller",
        ),
        (
            "identity policy with Principal",
            Kind::Ident,
            identity(json!({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})),
            PolicyErrorKind::UnknownElement,
            "`Principal` is not allowed in an identity or authorizer policy at `Statement[0].Principal`: remove it: the policy applies to the identity it is attached to",
        ),
        (
            "identity policy with NotPrincipal",
            Kind::Ident,
            identity(
                json!({"Effect": "Deny", "NotPrincipal": {"AWS": "210987654321"}, "Action": "*", "Resource": "*"}),
            ),
            PolicyErrorKind::UnknownElement,
            "`NotPrincipal` is not allowed in an identity or authorizer policy at `Statement[0].NotPrincipal`: remove it: the policy applies to the identity it is attached to",
        ),
        (
            "abbreviated resource in an identity policy",
            Kind::Ident,
            identity(
                json!({"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": ["*", "execute-api:/*"]}),
            ),
            PolicyErrorKind::InvalidArn,
            "resource `execute-api:/*` cannot be used: the abbreviated `execute-api:/...` form is only expanded in resource policies at `Statement[0].Resource[1]`: write the full ARN `arn:aws:execute-api:region:account-id:api-id/stage/VERB/path`",
        ),
        (
            "execute-api/* instead of execute-api:/*",
            Kind::Res,
            with(json!({"Resource": "execute-api/*"})),
            PolicyErrorKind::InvalidArn,
            "resource `execute-api/*` is not an ARN at `Statement[0].Resource`: did you mean `execute-api:/*`?",
        ),
        (
            "a resource that is not an ARN",
            Kind::Ident,
            identity(json!({"Effect": "Allow", "Action": "*", "Resource": "/prod/GET/pets"})),
            PolicyErrorKind::InvalidArn,
            "resource `/prod/GET/pets` is not an ARN at `Statement[0].Resource`: write a full ARN such as `arn:aws:execute-api:region:account-id:api-id/stage/VERB/path`, `execute-api:/stage/VERB/path` in a resource policy, or `*`",
        ),
        (
            "an ARN without partition or service",
            Kind::Ident,
            identity(
                json!({"Effect": "Allow", "Action": "*", "Resource": "arn:::us-east-1:123456789012:x"}),
            ),
            PolicyErrorKind::InvalidArn,
            "resource `arn:::us-east-1:123456789012:x` is not an ARN at `Statement[0].Resource`: write a full ARN such as `arn:aws:execute-api:region:account-id:api-id/stage/VERB/path`, `execute-api:/stage/VERB/path` in a resource policy, or `*`",
        ),
        (
            "a resource that is not a string",
            Kind::Ident,
            identity(json!({"Effect": "Allow", "Action": "*", "Resource": ["*", 7]})),
            PolicyErrorKind::InvalidValue,
            "resource must be a string, not a number at `Statement[0].Resource[1]`",
        ),
        (
            "action without a service prefix",
            Kind::Res,
            with(json!({"Action": ["execute-api:Invoke", "Invoke"]})),
            PolicyErrorKind::InvalidValue,
            "invalid action `Invoke` at `Statement[0].Action[1]`: write `service:action`, such as `execute-api:Invoke`, or `*`",
        ),
        (
            "action with an empty name",
            Kind::Ident,
            identity(json!({"Effect": "Allow", "Action": "execute-api:", "Resource": "*"})),
            PolicyErrorKind::InvalidValue,
            "invalid action `execute-api:` at `Statement[0].Action`: write `service:action`, such as `execute-api:Invoke`, or `*`",
        ),
        (
            "empty Action list",
            Kind::Res,
            with(json!({"Action": []})),
            PolicyErrorKind::InvalidValue,
            "the action list is empty at `Statement[0].Action`: name at least one action",
        ),
        (
            "empty Resource list",
            Kind::Ident,
            identity(json!({"Effect": "Allow", "Action": "*", "Resource": []})),
            PolicyErrorKind::InvalidValue,
            "the resource list is empty at `Statement[0].Resource`: name at least one resource",
        ),
        (
            "unsupported Version",
            Kind::Res,
            json!({"Version": "2020-01-01", "Statement": [stmt()]}),
            PolicyErrorKind::InvalidValue,
            "unsupported policy version \"2020-01-01\" at `Version`: use `2012-10-17`",
        ),
        (
            "Version as a number",
            Kind::Ident,
            json!({"Version": 2012, "Statement": [identity_stmt.clone()]}),
            PolicyErrorKind::InvalidValue,
            "unsupported policy version 2012 at `Version`: use `2012-10-17`",
        ),
        (
            "Id that is not a string",
            Kind::Ident,
            json!({"Id": 1, "Statement": [identity_stmt]}),
            PolicyErrorKind::InvalidValue,
            "`Id` must be a string, not a number at `Id`",
        ),
        (
            "Sid that is not a string",
            Kind::Res,
            with(json!({"Sid": ["a"]})),
            PolicyErrorKind::InvalidValue,
            "`Sid` must be a string, not an array at `Statement[0].Sid`",
        ),
        (
            "unknown condition operator",
            Kind::Res,
            condition(json!({"StringEqual": {"aws:SourceVpce": "vpce-1"}})),
            PolicyErrorKind::UnknownOperator,
            "unknown condition operator `StringEqual` at `Statement[0].Condition.StringEqual`: did you mean `StringEquals`?",
        ),
        (
            "unknown qualified operator",
            Kind::Res,
            condition(json!({"ForAnyValue:StringLikee": {"aws:TagKeys": "a"}})),
            PolicyErrorKind::UnknownOperator,
            "unknown condition operator `ForAnyValue:StringLikee` at `Statement[0].Condition.ForAnyValue:StringLikee`: did you mean `StringLike`?",
        ),
        (
            "NullIfExists",
            Kind::Res,
            condition(json!({"NullIfExists": {"aws:SourceVpce": "true"}})),
            PolicyErrorKind::UnknownOperator,
            "unknown condition operator `NullIfExists` at `Statement[0].Condition.NullIfExists`: `Null` takes neither `IfExists` nor a set qualifier",
        ),
        (
            "ForAllValues:Null",
            Kind::Res,
            condition(json!({"ForAllValues:Null": {"aws:TagKeys": "true"}})),
            PolicyErrorKind::UnknownOperator,
            "unknown condition operator `ForAllValues:Null` at `Statement[0].Condition.ForAllValues:Null`: `Null` takes neither `IfExists` nor a set qualifier",
        ),
        (
            "operator that does not map keys",
            Kind::Res,
            condition(json!({"StringEquals": "vpce-1"})),
            PolicyErrorKind::InvalidValue,
            "operator `StringEquals` must map condition keys to values, not be a string at `Statement[0].Condition.StringEquals`: write `\"StringEquals\": {\"aws:SourceIp\": \"...\"}`",
        ),
        (
            "condition key without a prefix",
            Kind::Res,
            condition(json!({"IpAddress": {"SourceIp": "192.0.2.0/24"}})),
            PolicyErrorKind::InvalidValue,
            "condition key `SourceIp` has no service prefix at `Statement[0].Condition.IpAddress.SourceIp`: did you mean `aws:SourceIp`?",
        ),
        (
            "CIDR prefix above 32",
            Kind::Res,
            doc(json!([
                stmt(),
                statement_with(
                    &json!({"Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}})
                )
            ])),
            PolicyErrorKind::InvalidValue,
            "invalid CIDR `10.0.0.0/33`: prefix length above 32 at `Statement[1].Condition.IpAddress.aws:SourceIp`: give an IPv4 or IPv6 address or block such as `192.0.2.0/24` or `2001:db8::/32`",
        ),
        (
            "IPv6 prefix above 128",
            Kind::Res,
            condition(json!({"NotIpAddress": {"aws:SourceIp": "2001:db8::/129"}})),
            PolicyErrorKind::InvalidValue,
            "invalid CIDR `2001:db8::/129`: prefix length above 128 at `Statement[0].Condition.NotIpAddress.aws:SourceIp`: give an IPv4 or IPv6 address or block such as `192.0.2.0/24` or `2001:db8::/32`",
        ),
        (
            "CIDR with an octet above 255",
            Kind::Res,
            condition(json!({"IpAddress": {"aws:SourceIp": "10.0.0.300/8"}})),
            PolicyErrorKind::InvalidValue,
            "invalid CIDR `10.0.0.300/8`: `10.0.0.300` is not an IP address at `Statement[0].Condition.IpAddress.aws:SourceIp`: give an IPv4 or IPv6 address or block such as `192.0.2.0/24` or `2001:db8::/32`",
        ),
        (
            "CIDR that is a word",
            Kind::Res,
            condition(json!({"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "banana"]}})),
            PolicyErrorKind::InvalidValue,
            "invalid CIDR `banana`: it is not an IP address or CIDR block at `Statement[0].Condition.IpAddress.aws:SourceIp[1]`: give an IPv4 or IPv6 address or block such as `192.0.2.0/24` or `2001:db8::/32`",
        ),
        (
            "CIDR with a bad prefix length",
            Kind::Res,
            condition(json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/x"}})),
            PolicyErrorKind::InvalidValue,
            "invalid CIDR `10.0.0.0/x`: `x` is not a prefix length at `Statement[0].Condition.IpAddress.aws:SourceIp`: give an IPv4 or IPv6 address or block such as `192.0.2.0/24` or `2001:db8::/32`",
        ),
        (
            "CIDR with spaces",
            Kind::Res,
            condition(json!({"IpAddress": {"aws:SourceIp": " 10.0.0.0/8"}})),
            PolicyErrorKind::InvalidValue,
            "invalid CIDR ` 10.0.0.0/8`: it has surrounding spaces or is empty at `Statement[0].Condition.IpAddress.aws:SourceIp`: give an IPv4 or IPv6 address or block such as `192.0.2.0/24` or `2001:db8::/32`",
        ),
        (
            "NumericEquals with a word",
            Kind::Res,
            condition(json!({"NumericEquals": {"aws:MultiFactorAuthAge": "abc"}})),
            PolicyErrorKind::InvalidValue,
            "`abc` is not a number (for `NumericEquals`) at `Statement[0].Condition.NumericEquals.aws:MultiFactorAuthAge`: give an integer or decimal such as `10` or `2.5`",
        ),
        (
            "DateLessThan with a word",
            Kind::Res,
            condition(json!({"DateLessThan": {"aws:CurrentTime": "yesterday"}})),
            PolicyErrorKind::InvalidValue,
            "`yesterday` is not a date (for `DateLessThan`) at `Statement[0].Condition.DateLessThan.aws:CurrentTime`: give an ISO 8601 date such as `2026-01-01T00:00:00Z` or epoch seconds",
        ),
        (
            "Bool with yes",
            Kind::Res,
            condition(json!({"Bool": {"aws:SecureTransport": "yes"}})),
            PolicyErrorKind::InvalidValue,
            "`yes` is not a boolean (for `Bool`) at `Statement[0].Condition.Bool.aws:SecureTransport`: give `true` or `false`",
        ),
        (
            "Null with a word",
            Kind::Res,
            condition(json!({"Null": {"aws:SourceVpce": "absent"}})),
            PolicyErrorKind::InvalidValue,
            "`absent` is not a boolean (for `Null`) at `Statement[0].Condition.Null.aws:SourceVpce`: give `true` or `false`",
        ),
        (
            "ArnLike with a non-ARN",
            Kind::Res,
            condition(json!({"ArnLike": {"aws:PrincipalArn": "not-an-arn"}})),
            PolicyErrorKind::InvalidValue,
            "`not-an-arn` is not an ARN (for `ArnLike`): it needs six colon-separated parts at `Statement[0].Condition.ArnLike.aws:PrincipalArn`: write `arn:partition:service:region:account:resource`, with `*` or `?` inside any part",
        ),
        (
            "condition value that is an object",
            Kind::Res,
            condition(json!({"StringEquals": {"aws:SourceVpce": {"id": "vpce-1"}}})),
            PolicyErrorKind::InvalidValue,
            "condition value must be a string, number or boolean, not an object at `Statement[0].Condition.StringEquals.aws:SourceVpce`",
        ),
        (
            "condition value that is null, in a list",
            Kind::Res,
            condition(json!({"StringEquals": {"aws:SourceVpce": ["vpce-1", null]}})),
            PolicyErrorKind::InvalidValue,
            "condition value must be a string, number or boolean, not null at `Statement[0].Condition.StringEquals.aws:SourceVpce[1]`",
        ),
        (
            "Condition that is not an object",
            Kind::Res,
            condition(json!([{"StringEquals": {"aws:SourceVpce": "vpce-1"}}])),
            PolicyErrorKind::InvalidValue,
            "`Condition` must be an object, not an array at `Statement[0].Condition`: write `{\"Operator\": {\"key\": \"value\"}}`",
        ),
        (
            "Principal that is neither * nor an object",
            Kind::Res,
            with(json!({"Principal": "everyone"})),
            PolicyErrorKind::InvalidValue,
            "principal `everyone` is neither `*` nor an object at `Statement[0].Principal`: write `\"*\"` or `{\"AWS\": \"arn:aws:iam::111122223333:role/name\"}`",
        ),
    ];
    for (name, kind, d, error_kind, message) in cases {
        let err = match kind {
            Kind::Res => resource_error(&d),
            Kind::Ident => identity_error(&d),
        };
        assert_eq!(err.to_string(), message, "{name}");
        assert_eq!(err.kind(), error_kind, "{name}");
    }
}

#[test]
fn abbreviated_resources_need_the_api() {
    let d = doc(json!([statement_with(
        &json!({"Resource": "execute-api:/prod/GET/pets"})
    )]));
    let err = PolicyDocument::from_json(&d, PolicyKind::Resource, None).unwrap_err();
    assert_eq!(err.kind(), PolicyErrorKind::InvalidArn);
    assert_eq!(
        err.to_string(),
        "resource `execute-api:/prod/GET/pets` cannot be used: the abbreviated form needs the API it belongs to at `Statement[0].Resource`: write the full ARN `arn:aws:execute-api:region:account-id:api-id/stage/VERB/path`"
    );
    // With the API it parses.
    assert!(PolicyDocument::from_json(&d, PolicyKind::Resource, Some(&api())).is_ok());
    // `execute-api:` without the `/` is not the abbreviated form, whatever the API.
    let err = resource_error(&doc(json!([statement_with(
        &json!({"Resource": "execute-api:*"})
    )])));
    assert_eq!(err.kind(), PolicyErrorKind::InvalidArn);
    assert_eq!(err.path().as_str(), "Statement[0].Resource");
}

#[test]
fn the_first_error_in_document_order_is_reported() {
    // Statement[0] is fine, Statement[1] has two problems: the unknown element is reported
    // before the value errors.
    let d = doc(json!([
        statement_with(&json!({})),
        statement_with(&json!({"Effect": "allow", "Resorce": "*"})),
    ]));
    let err = resource_error(&d);
    assert_eq!(
        err.to_string(),
        "unknown statement element `Resorce` at `Statement[1].Resorce`: did you mean `Resource`?"
    );
    assert_eq!(err.path().as_str(), "Statement[1].Resorce");
}

// ---------------------------------------------------------------------------------------------
// Fail closed
// ---------------------------------------------------------------------------------------------

#[test]
fn an_unknown_operator_inside_a_deny_rejects_the_whole_policy() {
    let policy = |operator: &str| {
        doc(json!([
            statement_with(&json!({"Sid": "AllowAll"})),
            statement_with(&json!({
                "Sid": "DenyOutsideVpce",
                "Effect": "Deny",
                "Condition": {operator: {"aws:SourceVpce": "vpce-1a2b3c4d"}}
            })),
        ]))
    };
    let err = resource_error(&policy("StringNotEqual"));
    assert_eq!(err.kind(), PolicyErrorKind::UnknownOperator);
    assert_eq!(
        err.to_string(),
        "unknown condition operator `StringNotEqual` at `Statement[1].Condition.StringNotEqual`: did you mean `StringNotEquals`?"
    );
    // The text APIs reject it too: there is no partial policy to evaluate.
    assert!(
        PolicyDocument::parse_resource_policy(&policy("StringNotEqual").to_string(), &api())
            .is_err()
    );
    // Spelled correctly, the Deny is what stops a request from outside the endpoint; had the
    // invalid statement been skipped, the Allow would have let it through.
    let fixed = resource_policy(&policy("StringNotEquals"));
    let arn = MethodArn::for_method(&api(), "prod", "GET", "/pets");
    let mut ctx = RequestContext::new();
    ctx.set("aws:SourceVpce", "vpce-99999999").unwrap();
    let outcome = fixed
        .evaluate(&request(arn.as_str(), &Caller::Anonymous, &ctx))
        .outcome;
    assert_eq!(outcome, PolicyOutcome::ExplicitDeny);
    ctx.set("aws:SourceVpce", "vpce-1a2b3c4d").unwrap();
    let outcome = fixed
        .evaluate(&request(arn.as_str(), &Caller::Anonymous, &ctx))
        .outcome;
    assert_eq!(outcome, PolicyOutcome::Allow);
}

#[test]
fn an_invalid_value_inside_a_deny_rejects_the_whole_policy() {
    for bad in [
        json!({"NotIpAddress": {"aws:SourceIp": "192.0.2.0/33"}}),
        json!({"DateGreaterThan": {"aws:CurrentTime": "someday"}}),
        json!({"StringEquals": {"SourceVpce": "vpce-1"}}),
        json!({"Null": {"aws:SourceVpce": "maybe"}}),
    ] {
        let d = doc(json!([
            statement_with(&json!({})),
            statement_with(&json!({"Effect": "Deny", "Condition": bad.clone()})),
        ]));
        let err = resource_error(&d);
        assert!(
            err.path().as_str().starts_with("Statement[1].Condition."),
            "{bad}: {err}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Round trip
// ---------------------------------------------------------------------------------------------

fn assert_round_trips(p: &PolicyDocument, api: Option<&ApiRef>) {
    let json = p.to_json();
    let again = PolicyDocument::from_json(&json, p.kind(), api).unwrap();
    assert_eq!(&again, p, "{json}");
    // Through text as well, and the output is a fixed point.
    let text = serde_json::to_string(&json).unwrap();
    let from_text = match p.kind() {
        PolicyKind::Resource => PolicyDocument::parse_resource_policy(&text, api.unwrap()),
        PolicyKind::Identity => PolicyDocument::parse_identity_policy(&text),
    }
    .unwrap();
    assert_eq!(&from_text, p);
    assert_eq!(from_text.to_json(), json);
}

#[test]
fn to_json_round_trips() {
    let p = resource_policy(&json!({
        "Version": "2012-10-17",
        "Id": "PolicyId",
        "Statement": [
            {
                "Sid": "AllowFromOffice",
                "Effect": "Allow",
                "Principal": {"AWS": ["arn:aws:iam::210987654321:role/dev", "111122223333"]},
                "Action": ["execute-api:Invoke"],
                "Resource": ["execute-api:/prod/GET/pets", "execute-api:/prod/POST/pets"],
                "Condition": {
                    "IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]},
                    "StringEquals": {"aws:PrincipalTag/team": "blue", "aws:username": "${aws:PrincipalTag/name}"},
                    "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["env*", "team"]},
                    "NumericLessThanEquals": {"aws:MultiFactorAuthAge": 3600},
                    "DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
                    "Bool": {"aws:SecureTransport": true},
                    "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"},
                    "Null": {"aws:SourceVpce": "true"}
                }
            },
            {
                "Effect": "Deny",
                "NotPrincipal": {"AWS": "arn:aws:iam::210987654321:role/admin"},
                "NotAction": "execute-api:ManageConnections",
                "NotResource": "execute-api:/prod/*",
                "Condition": {"StringNotEqualsIfExists": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}}
            },
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "*",
                "Resource": "*",
                "Condition": {}
            }
        ]
    }));
    assert_round_trips(&p, Some(&api()));
    let json = p.to_json();
    assert_eq!(json["Id"], json!("PolicyId"));
    assert_eq!(json["Statement"][0]["Sid"], json!("AllowFromOffice"));
    // A one-element list is written back as a single value.
    assert_eq!(json["Statement"][0]["Action"], json!("execute-api:Invoke"));
    assert_eq!(
        json["Statement"][0]["Condition"],
        json!({
            "IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "2001:db8::/32"]},
            "StringEquals": {"aws:PrincipalTag/team": "blue", "aws:username": "${aws:PrincipalTag/name}"},
            "ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["env*", "team"]},
            "NumericLessThanEquals": {"aws:MultiFactorAuthAge": 3600},
            "DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
            "Bool": {"aws:SecureTransport": true},
            "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"},
            "Null": {"aws:SourceVpce": "true"}
        })
    );
    assert_eq!(
        json["Statement"][1],
        json!({
            "Effect": "Deny",
            "NotPrincipal": {"AWS": "arn:aws:iam::210987654321:role/admin"},
            "NotAction": "execute-api:ManageConnections",
            "NotResource": format!("{PREFIX}/prod/*"),
            "Condition": {"StringNotEqualsIfExists": {"aws:SourceVpce": ["vpce-1", "vpce-2"]}}
        })
    );
    // An empty Condition block is dropped.
    assert_eq!(json["Statement"][2].get("Condition"), None);

    let identity = identity_policy(&json!({
        "Version": "2008-10-17",
        "Statement": {
            "Effect": "Allow",
            "Action": ["execute-api:Invoke", "execute-api:ManageConnections"],
            "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/GET/${aws:username}",
            "Condition": {"StringLike": {"aws:UserAgent": ["curl/*", "${literal}"]}}
        }
    }));
    assert_round_trips(&identity, None);
    let unversioned = identity_policy(&json!({
        "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]
    }));
    assert_round_trips(&unversioned, None);
    assert_eq!(
        unversioned.to_json(),
        json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]})
    );
}

// ---------------------------------------------------------------------------------------------
// Property: the parser never panics, and what parses evaluates and round-trips
// ---------------------------------------------------------------------------------------------

static KEYS: [&str; 27] = [
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "AWS",
    "Service",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
    "StringEquals",
    "StringNotEqualsIfExists",
    "ForAnyValue:StringLike",
    "IpAddress",
    "NotIpAddress",
    "NumericLessThan",
    "DateGreaterThan",
    "ArnLike",
    "Null",
    "Bool",
    "aws:SourceIp",
    "aws:SourceVpce",
    "aws:username",
];

static STRINGS: [&str; 28] = [
    "2012-10-17",
    "2008-10-17",
    "Allow",
    "Deny",
    "allow",
    "*",
    "execute-api:Invoke",
    "execute-api:*",
    "Invoke",
    "execute-api:/*",
    "execute-api:/prod/GET/pets",
    "execute-api/*",
    "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
    "arn:aws:iam::210987654321:role/dev",
    "arn:aws:iam::*:role/*",
    "210987654321",
    "192.0.2.0/24",
    "10.0.0.0/33",
    "::ffff:192.0.2.0/120",
    "10",
    "2026-01-01T00:00:00Z",
    "true",
    "vpce-1a2b3c4d",
    "${aws:username}",
    "${aws:SourceIp, 'none'}",
    "${oops",
    "{\"Version\": \"2012-10-17\"}",
    "",
];

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        // Binary fractions, so that writing and re-reading the JSON text is exact.
        (-4000i32..4000).prop_map(|n| Value::from(f64::from(n) / 4.0)),
        prop::sample::select(&STRINGS[..]).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::from),
    ]
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(&KEYS[..]).prop_map(str::to_owned),
        1 => "\\PC{0,8}",
    ]
}

/// Arbitrary JSON over IAM-shaped keys and values.
fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(json_key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A condition value list for one operator family, mostly valid.
fn condition_values(family: usize) -> BoxedStrategy<Value> {
    let values: &'static [&'static str] = match family {
        0 => &[
            "bob",
            "b?b",
            "*",
            "${aws:username}",
            "${aws:PrincipalTag/team, 'none'}",
            "vpce-1a2b3c4d",
        ],
        1 => &["10", "2.5", "-1", "abc"],
        2 => &[
            "2026-01-01T00:00:00Z",
            "1767225600",
            "2026-01-01",
            "yesterday",
        ],
        3 => &["true", "false", "yes"],
        4 => &[
            "192.0.2.0/24",
            "2001:db8::/32",
            "0.0.0.0/0",
            "203.0.113.5",
            "::ffff:192.0.2.0/120",
            "banana",
        ],
        5 => &[
            "arn:aws:iam::*:role/*",
            "*",
            "arn:aws:iam::123456789012:user/${aws:username}",
            "arn:aws:*",
        ],
        _ => &["true", "false"],
    };
    prop_oneof![
        prop::sample::select(values).prop_map(Value::from),
        prop::collection::vec(prop::sample::select(values).prop_map(Value::from), 0..3)
            .prop_map(Value::Array),
        any::<bool>().prop_map(Value::from),
        (0i64..20).prop_map(Value::from),
    ]
    .boxed()
}

fn condition_operator() -> impl Strategy<Value = (String, usize)> {
    const FAMILIES: [&[&str]; 7] = [
        &[
            "StringEquals",
            "StringNotEquals",
            "StringEqualsIgnoreCase",
            "StringNotEqualsIgnoreCase",
            "StringLike",
            "StringNotLike",
            "BinaryEquals",
        ],
        &[
            "NumericEquals",
            "NumericNotEquals",
            "NumericLessThan",
            "NumericLessThanEquals",
            "NumericGreaterThan",
            "NumericGreaterThanEquals",
        ],
        &[
            "DateEquals",
            "DateNotEquals",
            "DateLessThan",
            "DateLessThanEquals",
            "DateGreaterThan",
            "DateGreaterThanEquals",
        ],
        &["Bool"],
        &["IpAddress", "NotIpAddress"],
        &["ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike"],
        &["Null"],
    ];
    (
        0..FAMILIES.len(),
        any::<prop::sample::Index>(),
        prop::sample::select(vec!["", "", "ForAllValues:", "ForAnyValue:"]),
        prop::sample::select(vec!["", "", "IfExists"]),
    )
        .prop_map(|(family, index, qualifier, suffix)| {
            let ops = FAMILIES[family];
            (format!("{qualifier}{}{suffix}", index.get(ops)), family)
        })
}

static CONDITION_KEYS: [&str; 10] = [
    "aws:SourceIp",
    "AWS:sourceip",
    "aws:username",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:PrincipalTag/team",
    "aws:TagKeys",
    "aws:SecureTransport",
    "aws:PrincipalArn",
    "custom:n",
];

fn condition_block() -> impl Strategy<Value = Value> {
    prop::collection::vec(
        condition_operator().prop_flat_map(|(op, family)| {
            (
                Just(op),
                prop::collection::vec(
                    (
                        prop::sample::select(&CONDITION_KEYS[..]),
                        condition_values(family),
                    ),
                    1..3,
                ),
            )
        }),
        0..3,
    )
    .prop_map(|ops| {
        let mut block = serde_json::Map::new();
        for (op, keys) in ops {
            let keys: serde_json::Map<String, Value> =
                keys.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            block.insert(op, Value::Object(keys));
        }
        Value::Object(block)
    })
}

fn one_or_list(values: &'static [&'static str]) -> BoxedStrategy<Value> {
    prop_oneof![
        3 => prop::sample::select(values).prop_map(Value::from),
        1 => prop::collection::vec(prop::sample::select(values).prop_map(Value::from), 0..3)
            .prop_map(Value::Array),
    ]
    .boxed()
}

/// A statement built from IAM elements, valid more often than not.
fn shaped_statement() -> impl Strategy<Value = Value> {
    let principal = prop_oneof![
        Just(json!("*")),
        Just(json!({"AWS": "*"})),
        Just(json!({"AWS": "210987654321"})),
        Just(json!({"AWS": ["arn:aws:iam::210987654321:role/dev", "123456789012"]})),
        Just(json!({"AWS": "arn:aws:sts::210987654321:assumed-role/dev/alice"})),
        Just(json!({"Service": "lambda.amazonaws.com"})),
    ];
    (
        prop::option::of(prop::sample::select(vec!["S1", "", "Deny all"])),
        prop::sample::select(vec!["Allow", "Deny", "Deny", "allow"]),
        prop::option::weighted(0.8, (any::<bool>(), principal)),
        any::<bool>(),
        one_or_list(&["execute-api:Invoke", "execute-api:*", "*", "execute-api:invoke", "execute-api:ManageConnections"]),
        any::<bool>(),
        one_or_list(&[
            "execute-api:/*",
            "execute-api:/prod/GET/pets",
            "execute-api:/*/POST/*",
            "*",
            "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/*",
            "arn:aws:execute-api:*:*:*/${aws:username}/*",
            "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/${aws:PrincipalTag/team}",
        ]),
        prop::option::weighted(0.7, condition_block()),
    )
        .prop_map(
            |(sid, effect, principal, not_action, actions, not_resource, resources, condition)| {
                let mut s = serde_json::Map::new();
                if let Some(sid) = sid {
                    s.insert("Sid".into(), sid.into());
                }
                s.insert("Effect".into(), effect.into());
                if let Some((negated, p)) = principal {
                    let key = if negated { "NotPrincipal" } else { "Principal" };
                    s.insert(key.into(), p);
                }
                s.insert(
                    if not_action { "NotAction" } else { "Action" }.into(),
                    actions,
                );
                s.insert(
                    if not_resource { "NotResource" } else { "Resource" }.into(),
                    resources,
                );
                if let Some(c) = condition {
                    s.insert("Condition".into(), c);
                }
                Value::Object(s)
            },
        )
}

fn shaped_policy() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(vec![Some("2012-10-17"), Some("2008-10-17"), None]),
        prop::option::of(Just("PolicyId")),
        prop_oneof![
            1 => shaped_statement(),
            3 => prop::collection::vec(shaped_statement(), 0..4).prop_map(Value::Array),
        ],
    )
        .prop_map(|(version, id, statements)| {
            let mut d = serde_json::Map::new();
            if let Some(v) = version {
                d.insert("Version".into(), v.into());
            }
            if let Some(id) = id {
                d.insert("Id".into(), id.into());
            }
            d.insert("Statement".into(), statements);
            Value::Object(d)
        })
}

/// The requests every parsed policy is evaluated against.
struct Requests {
    callers: Vec<Caller>,
    contexts: Vec<RequestContext>,
    resources: Vec<String>,
}

fn requests() -> Requests {
    let mut full = RequestContext::new();
    for (k, v) in [
        ("aws:SourceIp", "192.0.2.7"),
        ("aws:username", "bob"),
        ("aws:CurrentTime", "2026-01-01T00:00:00Z"),
        ("aws:EpochTime", "1767225600"),
        ("aws:PrincipalTag/team", "blue"),
        ("aws:SecureTransport", "true"),
        ("aws:PrincipalArn", "arn:aws:iam::210987654321:role/dev"),
        ("custom:n", "10"),
        ("aws:SourceVpce", "vpce-1a2b3c4d"),
    ] {
        full.set(k, v).unwrap();
    }
    full.insert(
        &ContextKey::new("aws:TagKeys"),
        ContextValue::multi(["env", "team"]),
    )
    .unwrap();
    let mut odd = RequestContext::new();
    odd.set("aws:SourceIp", "::ffff:192.0.2.1").unwrap();
    odd.set("custom:n", "abc").unwrap();
    odd.set("aws:CurrentTime", "not a date").unwrap();
    odd.insert(&ContextKey::new("aws:TagKeys"), ContextValue::multi([]))
        .unwrap();
    odd.insert(
        &ContextKey::new("aws:username"),
        ContextValue::multi(["a", "b"]),
    )
    .unwrap();
    let api = api();
    Requests {
        callers: vec![
            Caller::Anonymous,
            Caller::Iam(IamCaller::from_arn("arn:aws:iam::210987654321:role/dev").unwrap()),
            Caller::Iam(
                IamCaller::from_arn("arn:aws:sts::123456789012:assumed-role/ops/s1").unwrap(),
            ),
        ],
        contexts: vec![RequestContext::new(), full, odd],
        resources: vec![
            MethodArn::for_method(&api, "prod", "GET", "/pets").to_string(),
            MethodArn::for_method(&api, "bob", "POST", "/").to_string(),
            MethodArn::for_route_key(&api, "prod", "$connect").to_string(),
        ],
    }
}

/// Evaluate `policy` against every request: no panic, and `explain` agrees with `evaluate`.
fn evaluate_everywhere(policy: &PolicyDocument, reqs: &Requests) -> Result<(), TestCaseError> {
    for caller in &reqs.callers {
        for context in &reqs.contexts {
            for resource in &reqs.resources {
                for action in [INVOKE_ACTION, "execute-api:ManageConnections"] {
                    let req = EvalRequest {
                        action,
                        resource,
                        caller,
                        owner_account: "123456789012",
                        context,
                    };
                    let evaluation = policy.evaluate(&req);
                    let trace = policy.explain(&req);
                    prop_assert_eq!(trace.outcome, evaluation.outcome);
                    prop_assert_eq!(trace.statements.len(), policy.statements().len());
                    let _ = trace.to_string();
                }
            }
        }
    }
    Ok(())
}

fn parse_all_ways(value: &Value) -> Vec<Result<PolicyDocument, PolicyError>> {
    let api = api();
    vec![
        PolicyDocument::from_json(value, PolicyKind::Resource, Some(&api)),
        PolicyDocument::from_json(value, PolicyKind::Resource, None),
        PolicyDocument::from_json(value, PolicyKind::Identity, None),
        PolicyDocument::parse_resource_policy(&value.to_string(), &api),
        PolicyDocument::parse_identity_policy(&value.to_string()),
    ]
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,64}") {
        let api = api();
        let _ = PolicyDocument::parse_resource_policy(&text, &api);
        let _ = PolicyDocument::parse_identity_policy(&text);
        let _ = PolicyDocument::from_json(&Value::String(text.clone()), PolicyKind::Resource, Some(&api));
        // The same text as a JSON string literal.
        let quoted = Value::String(text).to_string();
        let _ = PolicyDocument::parse_resource_policy(&quoted, &api);
    }

    #[test]
    fn arbitrary_json_never_panics(value in json_value()) {
        let reqs = requests();
        for parsed in parse_all_ways(&value).into_iter().flatten() {
            evaluate_everywhere(&parsed, &reqs)?;
        }
        // Wrapped in a string (the get-rest-api form), an object parses the same.
        if value.is_object() {
            let wrapped = Value::String(value.to_string());
            let api = api();
            prop_assert_eq!(
                PolicyDocument::from_json(&wrapped, PolicyKind::Resource, Some(&api)),
                PolicyDocument::from_json(&value, PolicyKind::Resource, Some(&api))
            );
        }
    }

    #[test]
    fn shaped_policies_evaluate_and_round_trip(value in shaped_policy()) {
        let reqs = requests();
        let api = api();
        for (kind, api) in [(PolicyKind::Resource, Some(&api)), (PolicyKind::Identity, None)] {
            let Ok(policy) = PolicyDocument::from_json(&value, kind, api) else {
                continue;
            };
            evaluate_everywhere(&policy, &reqs)?;
            let json = policy.to_json();
            let again = PolicyDocument::from_json(&json, kind, api);
            prop_assert_eq!(again.as_ref(), Ok(&policy), "{}", json);
            // Wrapped twice, as get-rest-api prints it.
            let twice = Value::String(Value::String(json.to_string()).to_string());
            let from_twice = PolicyDocument::from_json(&twice, kind, api);
            prop_assert_eq!(from_twice.as_ref(), Ok(&policy));
        }
    }
}

#[test]
fn shaped_policies_are_mostly_valid() {
    // Guards the generator above: if it stopped producing valid policies the property test
    // would check nothing.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = shaped_policy();
    let api = api();
    let mut valid = 0;
    let mut with_conditions = 0;
    for _ in 0..200 {
        let value = strategy.new_tree(&mut runner).unwrap().current();
        if let Ok(p) = PolicyDocument::from_json(&value, PolicyKind::Resource, Some(&api)) {
            valid += 1;
            if p.statements().iter().any(|s| !s.conditions().is_empty()) {
                with_conditions += 1;
            }
        }
    }
    assert!(valid >= 20, "only {valid} of 200 generated policies parse");
    assert!(
        with_conditions >= 5,
        "only {with_conditions} have conditions"
    );
}

#[test]
fn get_rest_api_text_output_is_accepted() {
    // `aws apigateway get-rest-api --query policy --output text` prints the policy with its
    // quotes still escaped once.
    let text = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"arn:aws:execute-api:us-east-2:123456789012:aabbccddee\/*\"}]}"#;
    let api = ApiRef {
        partition: "aws".into(),
        region: "us-east-2".into(),
        account_id: "123456789012".into(),
        api_id: "aabbccddee".into(),
    };
    let p = PolicyDocument::parse_resource_policy(text, &api).unwrap();
    assert_eq!(
        p.statements()[0].resources().patterns()[0].as_str(),
        "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/*"
    );
}

#[test]
fn execute_api_without_a_slash_suggests_the_abbreviated_form() {
    let api = ApiRef {
        partition: "aws".into(),
        region: "us-east-2".into(),
        account_id: "123456789012".into(),
        api_id: "aabbccddee".into(),
    };
    let err = PolicyDocument::parse_resource_policy(
        r#"{"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "execute-api:*"}}"#,
        &api,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "resource `execute-api:*` cannot be used: the abbreviated form is `execute-api:/stage/VERB/path` (did you mean `execute-api:/*`?) at `Statement.Resource`: write the full ARN `arn:aws:execute-api:region:account-id:api-id/stage/VERB/path`"
    );
}
