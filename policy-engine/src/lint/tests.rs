// Unit tests of `lint.rs`, compiled only under #[cfg(test)] (see `mod tests;` there).
use super::*;
use crate::arn::ApiRef;
use crate::policy::PolicyKind;
use serde_json::json;

const PREFIX: &str = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5";

fn api_ref() -> ApiRef {
    ApiRef {
        partition: "aws".into(),
        region: "us-east-1".into(),
        account_id: "123456789012".into(),
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

fn at() -> JsonPath {
    JsonPath::root().key("resourcePolicy")
}

fn policy(v: &Value) -> PolicyDocument {
    PolicyDocument::from_json(v, PolicyKind::Resource, Some(&api_ref())).unwrap()
}

fn lint_with(v: Value, endpoint: EndpointType, methods: &MethodsAuth) -> Vec<Finding> {
    lint_resource_policy(&policy(&v), &at(), &api(endpoint), methods)
}

/// A regional API whose methods all use `NONE`.
fn lint(v: Value) -> Vec<Finding> {
    lint_with(v, EndpointType::Regional, &MethodsAuth::All(AuthKind::None))
}

fn statements(s: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": s})
}

fn allow_all() -> Value {
    json!({"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"})
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.code).collect()
}

/// The only finding with `code`.
fn one<'f>(findings: &'f [Finding], code: &str) -> &'f Finding {
    let matching: Vec<&Finding> = findings.iter().filter(|f| f.code == code).collect();
    assert_eq!(matching.len(), 1, "{code} in {findings:#?}");
    matching[0]
}

fn none_of(findings: &[Finding], code: &str) {
    assert!(
        findings.iter().all(|f| f.code != code),
        "unexpected {code}: {findings:#?}"
    );
}

fn per_method(list: &[(&str, &str, AuthKind)]) -> MethodsAuth {
    MethodsAuth::PerMethod(
        list.iter()
            .map(|(v, p, a)| ((*v).to_owned(), (*p).to_owned(), *a))
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// The finding type
// ---------------------------------------------------------------------------------------------

#[test]
fn a_clean_policy_has_no_findings() {
    assert_eq!(lint(statements(json!([allow_all()]))), []);
}

#[test]
fn findings_display_and_serialise() {
    let f = Finding {
        severity: Severity::Warning,
        code: "forallvalues-in-allow",
        path: at().key("Statement").index(1).key("Condition"),
        message: "the message".into(),
        fix: "the fix".into(),
    };
    assert_eq!(
        f.to_string(),
        "warning[forallvalues-in-allow] resourcePolicy.Statement[1].Condition: the message\n  fix: the fix"
    );
    assert_eq!(
        f.to_json(),
        json!({
            "severity": "warning",
            "code": "forallvalues-in-allow",
            "path": "resourcePolicy.Statement[1].Condition",
            "message": "the message",
            "fix": "the fix",
        })
    );
    assert_eq!(Severity::Error.to_string(), "error");
    assert_eq!(Severity::Info.to_string(), "info");
}

#[test]
fn findings_sort_by_severity_then_natural_path() {
    let never = json!({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "execute-api:/*"});
    let deny_never = json!({"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "execute-api:/*"});
    let mut list = vec![allow_all(); 11];
    list[2] = never.clone();
    list[10] = never;
    list[5] = deny_never;
    let findings = lint(statements(Value::Array(list)));
    let paths: Vec<String> = findings.iter().map(|f| f.path.to_string()).collect();
    assert_eq!(
        paths,
        [
            "resourcePolicy.Statement[5].Action",
            "resourcePolicy.Statement[2].Action",
            "resourcePolicy.Statement[10].Action",
        ]
    );
    assert_eq!(findings[0].severity, Severity::Error);
    assert_eq!(natural_cmp("a[2]", "a[10]"), Ordering::Less);
    assert_eq!(natural_cmp("a[010]", "a[9]"), Ordering::Greater);
    assert_eq!(natural_cmp("a", "a.b"), Ordering::Less);
}

#[test]
fn statements_are_named_by_sid_and_located_as_written() {
    // A single statement object: its path has no index.
    let findings = lint(json!({"Version": "2012-10-17", "Statement": {
        "Sid": "PartnerAccess", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::210987654321:role/partner"},
        "Action": "execute-api:Invoke", "Resource": "execute-api:/*"
    }}));
    let f = one(&findings, "aws-principal-without-iam");
    assert_eq!(f.path.to_string(), "resourcePolicy.Statement.Principal");
    assert!(
        f.message.starts_with("statement `PartnerAccess` (Allow)"),
        "{}",
        f.message
    );
}

// ---------------------------------------------------------------------------------------------
// resource-policy-unsupported
// ---------------------------------------------------------------------------------------------

#[test]
fn http_apis_have_no_resource_policies() {
    let mut http = api(EndpointType::Regional);
    http.api_type = ApiType::Http;
    let p = policy(&statements(json!([allow_all()])));
    let findings = lint_resource_policy(&p, &at(), &http, &MethodsAuth::All(AuthKind::None));
    assert_eq!(codes(&findings), ["resource-policy-unsupported"]);
    assert_eq!(findings[0].severity, Severity::Error);
    assert_eq!(findings[0].path, at());
    assert!(findings[0].message.starts_with("HTTP APIs do not support"));
    // Near miss: the same policy on a REST API.
    let rest = api(EndpointType::Regional);
    assert_eq!(
        lint_resource_policy(&p, &at(), &rest, &MethodsAuth::All(AuthKind::None)),
        []
    );
}

// ---------------------------------------------------------------------------------------------
// aws-principal-without-iam
// ---------------------------------------------------------------------------------------------

fn role_allow(resource: &str) -> Value {
    json!({
        "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::210987654321:role/developer", "210987654321"]},
        "Action": "execute-api:Invoke",
        "Resource": resource
    })
}

#[test]
fn aws_principals_on_methods_without_iam_are_an_error() {
    for auth in [AuthKind::None, AuthKind::LambdaAuthorizer, AuthKind::Other] {
        let findings = lint_with(
            statements(json!([role_allow("execute-api:/*")])),
            EndpointType::Regional,
            &MethodsAuth::All(auth),
        );
        let f = one(&findings, "aws-principal-without-iam");
        assert_eq!(f.severity, Severity::Error);
        assert_eq!(f.path.to_string(), "resourcePolicy.Statement[0].Principal");
        assert!(f.message.contains("SigV4"), "{}", f.message);
        assert!(f.message.contains("403"), "{}", f.message);
    }
}

#[test]
fn aws_principals_covering_some_iam_methods_are_a_warning() {
    let methods = per_method(&[
        ("GET", "/pets", AuthKind::AwsIam),
        ("POST", "/pets", AuthKind::None),
        ("GET", "/admin", AuthKind::LambdaAuthorizer),
    ]);
    let findings = lint_with(
        statements(json!([role_allow("execute-api:/*/*/pets")])),
        EndpointType::Regional,
        &methods,
    );
    let f = one(&findings, "aws-principal-without-iam");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("`POST /pets`"), "{}", f.message);
    assert!(!f.message.contains("/admin"), "{}", f.message);
    // Near miss: the statement covers only the AWS_IAM method.
    let findings = lint_with(
        statements(json!([role_allow("execute-api:/*/GET/pets")])),
        EndpointType::Regional,
        &methods,
    );
    assert_eq!(findings, []);
}

#[test]
fn aws_principals_are_fine_with_iam_or_star() {
    let findings = lint_with(
        statements(json!([role_allow("execute-api:/*")])),
        EndpointType::Regional,
        &MethodsAuth::All(AuthKind::AwsIam),
    );
    assert_eq!(findings, []);
    let star = json!({"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "execute-api:Invoke", "Resource": "execute-api:/*"});
    assert_eq!(lint(statements(json!([star]))), []);
}

#[test]
fn a_deny_naming_aws_principals_protects_nothing_without_iam() {
    let deny = json!({"Effect": "Deny", "Principal": {"AWS": "210987654321"}, "Action": "execute-api:Invoke", "Resource": "execute-api:/*"});
    let findings = lint(statements(json!([allow_all(), deny.clone()])));
    let f = one(&findings, "aws-principal-without-iam");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("never applies"), "{}", f.message);
    // With some AWS_IAM methods covered, the deny does its job there.
    let methods = per_method(&[
        ("GET", "/pets", AuthKind::AwsIam),
        ("POST", "/pets", AuthKind::None),
    ]);
    let findings = lint_with(
        statements(json!([allow_all(), deny])),
        EndpointType::Regional,
        &methods,
    );
    none_of(&findings, "aws-principal-without-iam");
}

// ---------------------------------------------------------------------------------------------
// matches-no-method
// ---------------------------------------------------------------------------------------------

#[test]
fn a_statement_naming_no_method_of_the_api() {
    let methods = per_method(&[
        ("GET", "/pets", AuthKind::None),
        ("GET", "/pets/{petId}", AuthKind::None),
        ("POST", "/pets", AuthKind::None),
    ]);
    let allow = |r: &str| {
        statements(
            json!([{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": r}]),
        )
    };
    let findings = lint_with(
        allow("execute-api:/*/GET/Pets"),
        EndpointType::Regional,
        &methods,
    );
    let f = one(&findings, "matches-no-method");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.path.to_string(), "resourcePolicy.Statement[0].Resource");
    assert!(
        f.message.contains("none of the API's 3 methods"),
        "{}",
        f.message
    );
    // Near misses: a path parameter value, the method itself.
    for r in ["execute-api:/prod/GET/pets/42", "execute-api:/*/GET/pets"] {
        let findings = lint_with(allow(r), EndpointType::Regional, &methods);
        assert_eq!(findings, [], "{r}");
    }
    // `ANY` stands for every verb; `{proxy+}` for one or more characters.
    let proxy = per_method(&[("ANY", "/files/{proxy+}", AuthKind::None)]);
    let findings = lint_with(
        allow("execute-api:/*/DELETE/files/a/b"),
        EndpointType::Regional,
        &proxy,
    );
    assert_eq!(findings, []);
    let findings = lint_with(
        allow("execute-api:/prod/GET/files/"),
        EndpointType::Regional,
        &proxy,
    );
    one(&findings, "matches-no-method");
}

// ---------------------------------------------------------------------------------------------
// forallvalues-in-allow
// ---------------------------------------------------------------------------------------------

fn with_condition(effect: &str, condition: Value) -> Value {
    statements(json!([{
        "Effect": effect, "Principal": "*", "Action": "execute-api:Invoke",
        "Resource": "execute-api:/*", "Condition": condition
    }]))
}

fn lint_iam(v: Value) -> Vec<Finding> {
    lint_with(
        v,
        EndpointType::Regional,
        &MethodsAuth::All(AuthKind::AwsIam),
    )
}

#[test]
fn forallvalues_in_an_allow_matches_requests_without_the_key() {
    let findings = lint_iam(with_condition(
        "Allow",
        json!({"ForAllValues:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3/r-ab12/ou-ab12-11111111/*"}}),
    ));
    let f = one(&findings, "forallvalues-in-allow");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(
        f.path.to_string(),
        "resourcePolicy.Statement[0].Condition.ForAllValues:StringLike.aws:PrincipalOrgPaths"
    );
    assert!(f.fix.contains("ForAnyValue:StringLike"), "{}", f.fix);
    assert!(f.fix.contains("Null"), "{}", f.fix);
}

#[test]
fn forallvalues_near_misses() {
    for condition in [
        // The key is required to be present.
        json!({
            "ForAllValues:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3/*"},
            "Null": {"aws:PrincipalOrgPaths": "false"}
        }),
        json!({"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": "o-a1b2c3/*"}}),
    ] {
        assert_eq!(
            lint_iam(with_condition("Allow", condition.clone())),
            [],
            "{condition}"
        );
    }
    // In a deny, matching more requests is the safe direction.
    let deny = lint_iam(statements(json!([
        allow_all(),
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
         "Condition": {"ForAllValues:StringNotLike": {"aws:PrincipalOrgPaths": "o-a1b2c3/*"}}}
    ])));
    assert_eq!(deny, []);
}

// ---------------------------------------------------------------------------------------------
// private-allow-anyone
// ---------------------------------------------------------------------------------------------

fn lint_private(v: Value) -> Vec<Finding> {
    lint_with(v, EndpointType::Private, &MethodsAuth::All(AuthKind::None))
}

#[test]
fn a_private_api_open_to_every_vpc_endpoint() {
    let findings = lint_private(statements(json!([allow_all()])));
    let f = one(&findings, "private-allow-anyone");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.path.to_string(), "resourcePolicy.Statement[0]");
    assert!(f.fix.contains("aws:SourceVpce"), "{}", f.fix);
}

#[test]
fn private_allow_anyone_near_misses() {
    // The seed's pattern: allow everyone, deny requests from other VPC endpoints.
    let deny = json!({"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
        "Resource": ["execute-api:/*"],
        "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}});
    assert_eq!(lint_private(statements(json!([allow_all(), deny]))), []);
    // The allow itself names the VPC.
    let allow_vpc = json!({"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
        "Resource": "execute-api:/*", "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}});
    assert_eq!(lint_private(statements(json!([allow_vpc]))), []);
    // Not a private API.
    assert_eq!(lint(statements(json!([allow_all()]))), []);
    // A deny on the VPC that covers only part of the API leaves the rest open.
    let partial = json!({"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
        "Resource": "execute-api:/*/POST/*",
        "Condition": {"StringNotEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}});
    one(
        &lint_private(statements(json!([allow_all(), partial]))),
        "private-allow-anyone",
    );
}

// ---------------------------------------------------------------------------------------------
// never-matches
// ---------------------------------------------------------------------------------------------

fn with_resource(effect: &str, resource: &str) -> Value {
    statements(json!([allow_all(), {
        "Effect": effect, "Principal": "*", "Action": "execute-api:Invoke", "Resource": [resource],
        "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}
    }]))
}

#[test]
fn the_seeds_placeholder_resource_never_matches() {
    let resource = "arn:aws:execute-api:region:account-id:api-id/";
    let findings = lint(with_resource("Allow", resource));
    let f = one(&findings, "never-matches");
    assert_eq!(f.severity, Severity::Warning);
    assert_eq!(f.path.to_string(), "resourcePolicy.Statement[1].Resource");
    assert!(f.message.contains("region `region`"), "{}", f.message);
    assert!(f.fix.contains("placeholders"), "{}", f.fix);
    // As a deny, the protection never applies: an error.
    let findings = lint(with_resource("Deny", resource));
    let f = one(&findings, "never-matches");
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.message.contains("the deny never protects"),
        "{}",
        f.message
    );
}

#[test]
fn resources_that_can_never_name_a_method() {
    for (resource, why) in [
        (format!("{PREFIX}/"), "stops at the API id"),
        (PREFIX.to_owned(), "stops at the API id"),
        ("execute-api:/prod".to_owned(), "ends after `prod`"),
        ("execute-api:/prod/GET".to_owned(), "ends after `prod/GET`"),
        (
            "arn:aws:execute-api:us-west-2:123456789012:a1b2c3d4e5/*".to_owned(),
            "region `us-west-2`",
        ),
        (
            "arn:aws-cn:execute-api:us-east-1:123456789012:a1b2c3d4e5/*".to_owned(),
            "partition `aws-cn`",
        ),
        (
            "arn:aws:execute-api:us-east-1:210987654321:a1b2c3d4e5/*".to_owned(),
            "account `210987654321`",
        ),
        (
            "arn:aws:execute-api:us-east-1:123456789012:zzzzzzzzzz/*".to_owned(),
            "API id `zzzzzzzzzz`",
        ),
        ("arn:aws:s3:::bucket/*".to_owned(), "resource of `s3`"),
        (
            "arn:aws:execute-api:*:123456789012:other/*".to_owned(),
            "cannot take the form",
        ),
    ] {
        let findings = lint(with_resource("Deny", &resource));
        let f = one(&findings, "never-matches");
        assert_eq!(f.severity, Severity::Error, "{resource}");
        assert!(f.message.contains(why), "{resource}: {}", f.message);
    }
}

#[test]
fn wildcards_in_any_segment_can_match() {
    for resource in [
        "*",
        "arn:aws:execute-api:*:*:*",
        "arn:*:execute-api:us-east-1:*:a1b2c3d4e5/*",
        "arn:aws:execute-api:us-east-1:*:a1b2c3d4e5/test/*",
        "arn:aws:execute-api:us-east-?:123456789012:a1b2c3d4e5/*/GET/",
        "execute-api:/*/GET/",
        "execute-api:/prod/GET/pets",
    ] {
        assert_eq!(lint(with_resource("Deny", resource)), [], "{resource}");
    }
}

#[test]
fn actions_principals_and_not_resources_that_never_apply() {
    let statement = |extra: Value| {
        let mut s = json!({"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"});
        for (k, v) in extra.as_object().unwrap() {
            s.as_object_mut().unwrap().remove("Action");
            s[k] = v.clone();
        }
        if s.get("NotResource").is_some() {
            s.as_object_mut().unwrap().remove("Resource");
        }
        if s.get("NotAction").is_none() && s.get("Action").is_none() {
            s["Action"] = json!("execute-api:Invoke");
        }
        statements(json!([allow_all(), s]))
    };
    for (extra, path) in [
        (json!({"Action": "s3:*"}), "Action"),
        (json!({"Action": ["s3:GetObject", "sqs:*"]}), "Action"),
        (json!({"NotAction": "execute-api:*"}), "NotAction"),
        (json!({"NotResource": "execute-api:/*"}), "NotResource"),
        (
            json!({"Principal": {"Service": "lambda.amazonaws.com"}}),
            "Principal",
        ),
        (json!({"NotPrincipal": {"AWS": "*"}}), "NotPrincipal"),
    ] {
        let mut s = statement(extra.clone());
        if extra.get("NotPrincipal").is_some() {
            s["Statement"][1]
                .as_object_mut()
                .unwrap()
                .remove("Principal");
        }
        let findings = lint(s);
        let f = one(&findings, "never-matches");
        assert_eq!(
            f.path.to_string(),
            format!("resourcePolicy.Statement[1].{path}"),
            "{extra}"
        );
    }
    // Near misses.
    for extra in [
        json!({"Action": "execute-api:*"}),
        json!({"Action": "*"}),
        json!({"Action": "execute-api:InvalidateCache"}),
        json!({"NotAction": "s3:*"}),
        json!({"NotResource": "execute-api:/*/POST/*"}),
    ] {
        assert_eq!(lint(statement(extra.clone())), [], "{extra}");
    }
}

// ---------------------------------------------------------------------------------------------
// condition-key-unavailable
// ---------------------------------------------------------------------------------------------

#[test]
fn vpc_keys_on_a_regional_api() {
    // A deny outside the VPC endpoint, on a regional API, denies everyone.
    let v = statements(json!([allow_all(), {
        "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
        "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}
    }]));
    let findings = lint(v.clone());
    let f = one(&findings, "condition-key-unavailable");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(
        f.path.to_string(),
        "resourcePolicy.Statement[1].Condition.StringNotEquals.aws:SourceVpce"
    );
    assert!(f.message.contains("always true"), "{}", f.message);
    assert!(f.message.contains("regional"), "{}", f.message);
    // An allow for one VPC never matches.
    let findings = lint(with_condition(
        "Allow",
        json!({"StringEquals": {"aws:SourceVpc": "vpc-1a2b3c4d"}}),
    ));
    let f = one(&findings, "condition-key-unavailable");
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("never matches"), "{}", f.message);
    // Near miss: the same deny on a private API is the seed's example.
    assert_eq!(
        lint_with(v, EndpointType::Private, &MethodsAuth::All(AuthKind::None)),
        []
    );
}

#[test]
fn source_ip_on_a_private_api() {
    let findings = lint_private(statements(json!([allow_all(), {
        "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
        "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}}
    }])));
    let f = one(&findings, "condition-key-unavailable");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("never applies"), "{}", f.message);
    assert!(f.fix.contains("aws:VpcSourceIp"), "{}", f.fix);
    // Near miss: the seed's private-API example uses `aws:VpcSourceIp`.
    let findings = lint_private(statements(json!([allow_all(), {
        "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
        "Condition": {"IpAddress": {"aws:VpcSourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}}
    }])));
    none_of(&findings, "condition-key-unavailable");
}

#[test]
fn iam_keys_without_iam_callers() {
    let deny_other_accounts = statements(json!([allow_all(), {
        "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
        "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}
    }]));
    let findings = lint(deny_other_accounts.clone());
    let f = one(&findings, "condition-key-unavailable");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.message.contains("always true"), "{}", f.message);
    // Near miss: AWS_IAM callers carry the key.
    assert_eq!(lint_iam(deny_other_accounts.clone()), []);
    // Or only some of the covered methods lack it.
    let mixed = per_method(&[
        ("GET", "/pets", AuthKind::AwsIam),
        ("POST", "/pets", AuthKind::None),
    ]);
    none_of(
        &lint_with(deny_other_accounts, EndpointType::Regional, &mixed),
        "condition-key-unavailable",
    );
}

// ---------------------------------------------------------------------------------------------
// policy-size
// ---------------------------------------------------------------------------------------------

/// A policy of `n` IP-restricted statements, each about 220 characters once stored.
fn many_statements(n: usize) -> Value {
    let list: Vec<Value> = (0..n)
        .map(|i| json!({
            "Sid": format!("S{i:03}"), "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
            "Resource": format!("execute-api:/prod/GET/pets/{i:03}"),
            "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}
        }))
        .collect();
    statements(Value::Array(list))
}

#[test]
fn policy_size_against_the_quota() {
    let mut seen = Vec::new();
    for n in [10, 35, 48] {
        let p = policy(&many_statements(n));
        let chars = p.stored_chars();
        let findings = lint_resource_policy(
            &p,
            &at(),
            &api(EndpointType::Regional),
            &MethodsAuth::All(AuthKind::None),
        );
        let size = findings.iter().find(|f| f.code == "policy-size");
        let expected = if chars > 8192 {
            Some(Severity::Error)
        } else if chars * 10 > 8192 * 9 {
            Some(Severity::Warning)
        } else {
            None
        };
        assert_eq!(size.map(|f| f.severity), expected, "{chars} characters");
        if let Some(f) = size {
            assert_eq!(f.path, at());
            assert!(
                f.message.contains(&format!("{chars} characters")),
                "{}",
                f.message
            );
        }
        seen.push(expected);
    }
    // The three sizes exercise all three outcomes.
    assert_eq!(seen, [None, Some(Severity::Warning), Some(Severity::Error)]);
}

#[test]
fn stored_size_is_minified_with_resources_expanded() {
    let short = policy(&statements(json!([allow_all()])));
    let long = policy(&statements(json!([{
        "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": format!("{PREFIX}/*")
    }])));
    assert_eq!(short.stored_chars(), long.stored_chars());
    let text = serde_json::to_string(&long.to_json()).unwrap();
    assert_eq!(long.stored_chars(), text.chars().count());
    // Whitespace does not count.
    let spaced = PolicyDocument::parse_resource_policy(
        &serde_json::to_string_pretty(&statements(json!([allow_all()]))).unwrap(),
        &api_ref(),
    )
    .unwrap();
    assert_eq!(spaced.stored_chars(), short.stored_chars());
    // And the size is no part of what a policy means.
    assert_eq!(short, long);
}

/// Issue #14: a variable before the fifth colon is not substituted by IAM; the lint says so,
/// as an error in a Deny (it denies nothing) and a warning in an Allow.
#[test]
fn variables_before_the_fifth_colon_are_reported() {
    let findings = lint(statements(json!([
        allow_all(),
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": ["arn:aws:execute-api:us-east-1:${aws:PrincipalAccount}:a1b2c3d4e5/*", "execute-api:/prod/DELETE/${aws:username}"]}
    ])));
    let f = one(&findings, "variable-before-resource-part");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.path.as_str(), "resourcePolicy.Statement[1].Resource[0]");
    assert_eq!(
        f.message,
        "`arn:aws:execute-api:us-east-1:${aws:PrincipalAccount}:a1b2c3d4e5/*` uses a policy variable before the ARN's fifth colon; IAM substitutes variables only in the resource part (\"You can't use a variable to replace parts of the ARN before the fifth colon, such as the service or account\"), so it compares `arn:aws:execute-api:us-east-1:${aws:PrincipalAccount}:` as written and the entry matches no method: it denies nothing"
    );
    // Version 2008-10-17 has no variables at all: nothing to report.
    let old = lint(json!({"Version": "2008-10-17", "Statement": [allow_all(),
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": "arn:aws:execute-api:us-east-1:${aws:PrincipalAccount}:a1b2c3d4e5/*"}]}));
    assert!(!codes(&old).contains(&"variable-before-resource-part"));
    // An authorizer's policy (identity kind): a warning in an Allow, and the short ARN noted.
    let returned = PolicyDocument::from_json(
        &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
            "Resource": ["arn:aws:execute-api:${aws:RequestedRegion}:123456789012:a1b2c3d4e5/*", "arn:aws:execute-api:*"]}]}),
        PolicyKind::Identity,
        None,
    )
    .unwrap();
    let findings = lint_resource_entries(&returned, &JsonPath::root().key("policyDocument"));
    assert_eq!(
        codes(&findings),
        ["variable-before-resource-part", "truncated-arn"]
    );
    assert_eq!(findings[0].severity, Severity::Warning);
    assert_eq!(findings[1].severity, Severity::Info);
    assert_eq!(
        findings[1].path.as_str(),
        "policyDocument.Statement[0].Resource[1]"
    );
}

/// A short ARN in a resource policy still names only the API it is attached to: not noted.
#[test]
fn truncated_arns_in_a_resource_policy_are_not_noted() {
    let findings = lint(statements(json!([
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*"}
    ])));
    assert!(
        !codes(&findings).contains(&"truncated-arn"),
        "{findings:#?}"
    );
    assert!(
        !codes(&findings).contains(&"never-matches"),
        "{findings:#?}"
    );
}
