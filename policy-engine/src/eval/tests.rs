// Unit tests of `eval.rs`, compiled only under #[cfg(test)] (see `mod tests;` there).
use super::*;
use crate::arn::{ApiRef, MethodArn};
use crate::principal::IamCaller;
use serde_json::json;

const OWNER: &str = "123456789012";

fn api() -> ApiRef {
    ApiRef {
        partition: "aws".into(),
        region: "us-east-2".into(),
        account_id: OWNER.into(),
        api_id: "aabbccddee".into(),
    }
}

fn resource_policy(v: serde_json::Value) -> PolicyDocument {
    PolicyDocument::from_json(&v, crate::policy::PolicyKind::Resource, Some(&api())).unwrap()
}

fn identity_policy(v: serde_json::Value) -> PolicyDocument {
    PolicyDocument::from_json(&v, crate::policy::PolicyKind::Identity, None).unwrap()
}

struct Req {
    arn: MethodArn,
    caller: Caller,
    ctx: RequestContext,
}

impl Req {
    fn new(verb: &str, path: &str) -> Self {
        Self {
            arn: MethodArn::for_method(&api(), "prod", verb, path),
            caller: Caller::Anonymous,
            ctx: RequestContext::new(),
        }
    }
    fn iam(mut self, arn: &str) -> Self {
        self.caller = Caller::Iam(IamCaller::from_arn(arn).unwrap());
        self
    }
    fn ip(mut self, ip: &str) -> Self {
        self.ctx.set("aws:SourceIp", ip).unwrap();
        self
    }
    fn eval(&self) -> EvalRequest<'_> {
        EvalRequest {
            action: INVOKE_ACTION,
            resource: self.arn.as_str(),
            caller: &self.caller,
            owner_account: OWNER,
            context: &self.ctx,
        }
    }
}

#[test]
fn deny_wins_and_is_named_as_the_decider() {
    let p = resource_policy(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Sid": "Block", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*/DELETE/*"}
    ]}));
    let r = Req::new("DELETE", "/pets/1");
    let e = p.evaluate(&r.eval());
    assert_eq!(e.outcome, PolicyOutcome::ExplicitDeny);
    assert_eq!(e.decided_by, Some((0, 1)));
    let trace = p.explain(&r.eval());
    assert_eq!(
        trace.deciding().map(|s| s.sid.as_deref()),
        Some(Some("Block"))
    );
    assert!(trace.statements.iter().all(StatementTrace::matched));

    let r = Req::new("GET", "/pets/1");
    let e = p.evaluate(&r.eval());
    assert_eq!(e.outcome, PolicyOutcome::Allow);
    assert_eq!(e.decided_by, Some((0, 0)));
}

#[test]
fn nothing_matching_is_an_implicit_deny() {
    let p = identity_policy(json!({"Version": "2012-10-17", "Statement":
        {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/POST/*"}}));
    let r = Req::new("GET", "/pets");
    assert_eq!(
        p.evaluate(&r.eval()),
        Evaluation {
            outcome: PolicyOutcome::ImplicitDeny,
            decided_by: None
        }
    );
    let trace = p.explain(&r.eval());
    assert_eq!(trace.statements.len(), 1);
    assert_eq!(trace.statements[0].failed, Some(Element::Resource));
    assert_eq!(
        trace.statements[0].to_string(),
        "Statement[0] (Allow): no match on resource: `arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/pets` is not in [`arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/POST/*`]"
    );
}

#[test]
fn the_trace_names_the_first_element_that_failed_and_why() {
    let p = resource_policy(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:role/dev"}, "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Effect": "Allow", "Principal": {"AWS": OWNER}, "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:role/ops"}, "Action": "execute-api:Invoke", "Resource": "execute-api:/*/DELETE/*"},
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:InvalidateCache", "Resource": "*"},
        {"Effect": "Allow", "Principal": "*", "NotAction": "execute-api:Invoke", "Resource": "*"},
        {"Effect": "Allow", "Principal": "*", "Action": "*", "NotResource": "execute-api:/prod/*"},
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "execute-api:/prod/GET/u/${aws:username}"},
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
    ]}));
    let anonymous = Req::new("GET", "/pets").ip("192.0.2.1");
    let trace = p.explain(&anonymous.eval());
    let reasons: Vec<(Option<Element>, &str)> = trace
        .statements
        .iter()
        .map(|s| (s.failed, s.reason.as_str()))
        .collect();
    assert_eq!(
        reasons[0],
        (
            Some(Element::Principal),
            "the caller is not SigV4-signed, so it has no IAM identity, and principal {\"AWS\":\"arn:aws:iam::210987654321:role/dev\"} names none that matches it: AWS principals match only callers that sign with IAM (AWS_IAM authorization)"
        )
    );
    assert_eq!(
        reasons[3],
        (
            Some(Element::Action),
            "`execute-api:Invoke` is not in [`execute-api:InvalidateCache`]"
        )
    );
    assert_eq!(
        reasons[4],
        (
            Some(Element::Action),
            "`execute-api:Invoke` is excluded by NotAction [`execute-api:Invoke`]"
        )
    );
    assert_eq!(
        reasons[5],
        (
            Some(Element::Resource),
            "`arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/pets` is excluded by NotResource `arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/*`"
        )
    );
    assert_eq!(
        reasons[6],
        (
            Some(Element::Resource),
            "`arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/pets` is not in [`arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/u/${aws:username}`]; `arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/u/${aws:username}` (no `aws:username`) cannot match: a policy variable with no value matches no resource"
        )
    );
    assert_eq!(
        reasons[7],
        (
            Some(Element::Condition),
            "IpAddress `aws:SourceIp`: request value `192.0.2.1` vs [`10.0.0.0/8`] → false"
        )
    );
    assert_eq!(trace.outcome, PolicyOutcome::ImplicitDeny);

    // Same-account IAM caller: the owner-account principal delegates; NotPrincipal excludes ops.
    let ops = Req::new("DELETE", "/pets/1").iam("arn:aws:iam::123456789012:role/ops");
    let trace = p.explain(&ops.eval());
    assert_eq!(trace.statements[1].failed, Some(Element::Principal));
    assert_eq!(
        trace.statements[1].reason,
        "caller `arn:aws:iam::123456789012:role/ops` is named by principal {\"AWS\":\"123456789012\"} only through the API owner's account `123456789012`: within the owner's account that delegates to the caller's IAM policies and grants nothing by itself"
    );
    assert_eq!(trace.statements[2].failed, Some(Element::Principal));
    assert_eq!(
        trace.statements[2].reason,
        "caller `arn:aws:iam::123456789012:role/ops` is excluded by NotPrincipal {\"AWS\":\"arn:aws:iam::123456789012:role/ops\"}"
    );
    // Anyone else is caught by the NotPrincipal deny.
    let intern = Req::new("DELETE", "/pets/1").iam("arn:aws:iam::123456789012:role/intern");
    assert_eq!(
        p.evaluate(&intern.eval()).outcome,
        PolicyOutcome::ExplicitDeny
    );
}

#[test]
fn a_deny_naming_the_owner_account_applies_to_its_identities() {
    let p = resource_policy(json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": {"AWS": format!("arn:aws:iam::{OWNER}:root")}, "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}
    ]}));
    let r = Req::new("GET", "/").iam("arn:aws:iam::123456789012:user/bob");
    assert_eq!(p.evaluate(&r.eval()).outcome, PolicyOutcome::ExplicitDeny);
}

#[test]
fn identity_policy_sets_combine_deny_first() {
    let allow = identity_policy(
        json!({"Statement": {"Effect": "Allow", "Action": "execute-api:*", "Resource": "*"}}),
    );
    let deny = identity_policy(
        json!({"Statement": {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*/DELETE/*"}}),
    );
    let r = Req::new("DELETE", "/x");
    let both = [allow.clone(), deny];
    let e = evaluate_all(&both, &r.eval());
    assert_eq!(e.outcome, PolicyOutcome::ExplicitDeny);
    assert_eq!(e.decided_by, Some((1, 0)));
    assert_eq!(
        evaluate_all(&[allow], &r.eval()).outcome,
        PolicyOutcome::Allow
    );
    assert_eq!(
        evaluate_all(&[], &r.eval()).outcome,
        PolicyOutcome::ImplicitDeny
    );
}

#[test]
fn seed_cross_account_example_names_two_roles() {
    // "Example: Allow roles in another AWS account to use an API", with account-id-2 filled in.
    let p = resource_policy(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"AWS": ["arn:aws:iam::210987654321:role/developer", "arn:aws:iam::210987654321:role/Admin"]},
        "Action": "execute-api:Invoke",
        "Resource": ["execute-api:/stage/GET/pets"]
    }]}));
    let at = |verb: &str, caller: &str| {
        let mut r = Req::new(verb, "/pets").iam(caller);
        r.arn = MethodArn::for_method(&api(), "stage", verb, "/pets");
        p.evaluate(&r.eval()).outcome
    };
    assert_eq!(
        at("GET", "arn:aws:iam::210987654321:role/developer"),
        PolicyOutcome::Allow
    );
    assert_eq!(
        at("GET", "arn:aws:sts::210987654321:assumed-role/Admin/s"),
        PolicyOutcome::Allow
    );
    assert_eq!(
        at("GET", "arn:aws:iam::210987654321:role/admin"),
        PolicyOutcome::ImplicitDeny
    );
    assert_eq!(
        at("POST", "arn:aws:iam::210987654321:role/developer"),
        PolicyOutcome::ImplicitDeny
    );
}

#[test]
fn seed_root_resource_example_matches_no_method() {
    // "API Gateway resource policy only": Resource `...:api-id/` has no wildcard, and every
    // method ARN continues with `/stage/VERB/path`, so this statement grants nothing.
    let p = resource_policy(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
        "Resource": "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/",
        "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}}
    }]}));
    for path in ["/", "/pets"] {
        let r = Req::new("GET", path).ip("192.0.2.1");
        assert_eq!(
            p.evaluate(&r.eval()).outcome,
            PolicyOutcome::ImplicitDeny,
            "{path}"
        );
    }
}

#[test]
fn condition_keys_are_listed_once() {
    let p = resource_policy(json!({"Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "v"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"AWS:SOURCEVPCE": "w"}}}
    ]}));
    let keys: Vec<String> = condition_keys(&p).iter().map(ToString::to_string).collect();
    assert_eq!(keys, ["aws:SourceVpce", "aws:SourceIp"]);
}

// ---------------------------------------------------------------------------------------------
// Issue #14: short ARNs, variables before the fifth colon, unresolved variables per entry, and
// explanations that read right.
// ---------------------------------------------------------------------------------------------

/// IAM ("IAM JSON policy elements: Resource"): "If the `*` wildcard is the last character of a
/// resource ARN segment, it can expand to match beyond the colon boundaries." The guide
/// ("Resource format of permissions for executing API in API Gateway"): a wildcard applies to
/// the rest of the expression. Real authorizers return these; every policy kind takes them.
#[test]
fn short_execute_api_arns_ending_in_a_star_match_every_method() {
    let req = Req::new("GET", "/pets").iam("arn:aws:iam::123456789012:user/bob");
    for resource in [
        "arn:aws:execute-api:*",
        "arn:aws:execute-api:us-east-2:*",
        "arn:aws:execute-api:us-*",
        "arn:aws:execute-api:*:*:*",
    ] {
        let statement =
            json!({"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": resource});
        let identity = identity_policy(json!({"Version": "2012-10-17", "Statement": [statement]}));
        assert_eq!(
            identity.evaluate(&req.eval()).outcome,
            PolicyOutcome::Allow,
            "{resource}"
        );
        let mut with_principal = statement.clone();
        with_principal["Principal"] = json!("*");
        let resource_side =
            resource_policy(json!({"Version": "2012-10-17", "Statement": [with_principal]}));
        assert_eq!(
            resource_side.evaluate(&req.eval()).outcome,
            PolicyOutcome::Allow,
            "{resource}"
        );
    }
    // Another region does not match a region-pinned one; a Deny of them all denies.
    let other = identity_policy(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:eu-west-1:*"}]}),
    );
    assert_eq!(
        other.evaluate(&Req::new("GET", "/pets").eval()).outcome,
        PolicyOutcome::ImplicitDeny
    );
    let deny = identity_policy(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "arn:aws:execute-api:*"}]}),
    );
    assert_eq!(
        deny.evaluate(&Req::new("GET", "/pets").eval()).outcome,
        PolicyOutcome::ExplicitDeny
    );
}

#[test]
fn a_short_arn_without_a_trailing_star_or_with_a_wildcard_service_is_still_refused() {
    for resource in [
        "arn:aws:execute-api",
        "arn:aws:execute-api:us-east-2",
        "arn:aws:*",
        "arn:aws:execute-*:*",
    ] {
        let err = PolicyDocument::from_json(
            &json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": resource}]}),
            crate::policy::PolicyKind::Identity,
            None,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("is not an ARN"),
            "{resource}: {err}"
        );
    }
}

/// IAM ("IAM policy elements: Variables and tags", where you can use policy variables): "You
/// can't use a variable to replace parts of the ARN before the fifth colon, such as the service
/// or account." Such a variable is not substituted: IAM compares the text as written, which
/// matches no real method ARN.
#[test]
fn variables_before_the_fifth_colon_are_not_substituted() {
    let mut req = Req::new("GET", "/pets").iam("arn:aws:iam::123456789012:user/bob");
    req.ctx.set("aws:PrincipalAccount", OWNER).unwrap();
    req.ctx.set("aws:RequestedRegion", "us-east-2").unwrap();
    req.ctx.set("aws:username", "bob").unwrap();
    for resource in [
        "arn:aws:execute-api:us-east-2:${aws:PrincipalAccount}:aabbccddee/*",
        "arn:aws:execute-api:${aws:RequestedRegion}:123456789012:aabbccddee/*",
        "arn:aws:execute-api:${aws:RequestedRegion}:*",
    ] {
        let p = identity_policy(
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": resource}]}),
        );
        assert!(
            !p.statements()[0].resources().patterns()[0].has_variables(),
            "{resource}"
        );
        assert_eq!(
            p.evaluate(&req.eval()).outcome,
            PolicyOutcome::ImplicitDeny,
            "{resource}"
        );
    }
    // After the fifth colon, variables are substituted as before.
    let p = identity_policy(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
        "Resource": "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/${aws:username}"}]}),
    );
    let bob = Req::new("GET", "/bob").iam("arn:aws:iam::123456789012:user/bob");
    let mut bob = bob;
    bob.ctx.set("aws:username", "bob").unwrap();
    assert_eq!(p.evaluate(&bob.eval()).outcome, PolicyOutcome::Allow);
    // The abbreviated form expands to the API's ARN: its variables sit in the resource part.
    let r = resource_policy(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
        "Resource": "execute-api:/prod/GET/${aws:username}"}]}),
    );
    assert_eq!(r.evaluate(&bob.eval()).outcome, PolicyOutcome::Allow);
}

/// IAM ("Policy variables with no value"): "the resource that includes a policy variable with
/// no value will not match any resource" — that entry only; the rest of the list still counts.
#[test]
fn an_unresolvable_variable_drops_only_its_own_resource_entry() {
    let anonymous = Req::new("GET", "/pets");
    let allow = identity_policy(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
        "Resource": [
            "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/${aws:username}",
            "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/pets"
        ]}]}),
    );
    let trace = allow.explain(&anonymous.eval());
    assert_eq!(trace.outcome, PolicyOutcome::Allow);
    assert_eq!(
        trace.statements[0].reason,
        "action `execute-api:Invoke` matches `execute-api:Invoke`; resource `arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/pets` matches `arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/pets`"
    );
    // A Deny listing both still denies /pets.
    let deny = identity_policy(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "execute-api:Invoke",
        "Resource": [
            "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/${aws:username}",
            "arn:aws:execute-api:*:*:*/prod/GET/pets"
        ]}]}),
    );
    assert_eq!(
        deny.evaluate(&anonymous.eval()).outcome,
        PolicyOutcome::ExplicitDeny
    );
    // Only the variable entry, unresolved: no match.
    let only = identity_policy(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
        "Resource": "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/${aws:username}"}]}),
    );
    let pets_as_user = Req::new("GET", "/${aws:username}");
    assert_eq!(
        only.evaluate(&pets_as_user.eval()).outcome,
        PolicyOutcome::ImplicitDeny
    );
}

/// In `NotResource`, an entry with a variable that has no value excludes nothing: the
/// statement still applies through the other entries' verdicts.
#[test]
fn an_unresolvable_variable_in_not_resource_excludes_nothing() {
    let p = identity_policy(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "execute-api:Invoke",
        "NotResource": [
            "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/${aws:username}",
            "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/health"
        ]}]}),
    );
    let pets = Req::new("GET", "/pets");
    let trace = p.explain(&pets.eval());
    assert_eq!(trace.outcome, PolicyOutcome::ExplicitDeny);
    assert!(trace.statements[0].reason.contains(
        "(`arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/${aws:username}` (no `aws:username`) excludes nothing: a policy variable with no value matches no resource)"
    ), "{}", trace.statements[0].reason);
    // The resolvable entry still excludes.
    assert_eq!(
        p.evaluate(&Req::new("GET", "/health").eval()).outcome,
        PolicyOutcome::ImplicitDeny
    );
    // With a value, the variable entry excludes too.
    let mut bob = Req::new("GET", "/bob");
    bob.ctx.set("aws:username", "bob").unwrap();
    assert_eq!(p.evaluate(&bob.eval()).outcome, PolicyOutcome::ImplicitDeny);
}

/// IAM ("Policy variables with no value"): "Negated matching condition operators like
/// `StringNotEquals` or `StringNotLike` do match against a null value, as the value of the
/// condition key they are testing against is not equal to or like the effectively null value."
#[test]
fn negated_operators_against_a_variable_with_no_value_match() {
    let mut req = Req::new("GET", "/pets");
    req.ctx.set("aws:PrincipalTag/team", "blue").unwrap();
    let p = identity_policy(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "${aws:ResourceTag/team}"}}}]}),
    );
    assert_eq!(p.evaluate(&req.eval()).outcome, PolicyOutcome::ExplicitDeny);
    let positive = identity_policy(
        json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*",
        "Condition": {"StringEquals": {"aws:PrincipalTag/team": "${aws:ResourceTag/team}"}}}]}),
    );
    assert_eq!(
        positive.evaluate(&req.eval()).outcome,
        PolicyOutcome::ImplicitDeny
    );
}

/// A matched statement names the pattern that matched, not only the request's ARN.
#[test]
fn a_matched_statement_names_the_patterns_that_matched() {
    let p = resource_policy(json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "Pets", "Effect": "Allow", "Principal": "*", "Action": ["execute-api:InvalidateCache", "execute-api:*"],
         "Resource": ["execute-api:/prod/POST/*", "execute-api:/prod/GET/*"]},
        {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:role/ops"}, "NotAction": "execute-api:ManageConnections",
         "NotResource": "execute-api:/prod/DELETE/*"}
    ]}));
    let trace = p.explain(&Req::new("GET", "/pets").eval());
    assert_eq!(
        trace.statements[0].to_string(),
        "Statement[0] \"Pets\" (Allow): matched, decided: the caller (not SigV4-signed, so no IAM identity) is named by principal \"*\"; action `execute-api:Invoke` matches `execute-api:*`; resource `arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/pets` matches `arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/*`"
    );
    assert_eq!(
        trace.statements[1].to_string(),
        "Statement[1] (Allow): matched: the caller (not SigV4-signed, so no IAM identity) is not excluded by NotPrincipal {\"AWS\":\"arn:aws:iam::123456789012:role/ops\"}; action `execute-api:Invoke` is not excluded by NotAction [`execute-api:ManageConnections`]; resource `arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/pets` is not excluded by NotResource [`arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/DELETE/*`]"
    );
}
