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
    assert_eq!(reasons[0].0, Some(Element::Principal));
    assert!(reasons[0].1.contains("the caller is not an IAM identity"));
    assert!(reasons[0]
        .1
        .contains("AWS principals match only callers that sign with IAM"));
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
    assert_eq!(reasons[5].0, Some(Element::Resource));
    assert!(reasons[5].1.contains("is excluded by NotResource"));
    assert_eq!(reasons[6].0, Some(Element::Resource));
    assert!(
        reasons[6]
            .1
            .contains("uses policy variable `aws:username` that the request does not carry"),
        "{}",
        reasons[6].1
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
    assert!(trace.statements[1]
        .reason
        .contains("delegates to the caller's IAM policies"));
    assert_eq!(trace.statements[2].failed, Some(Element::Principal));
    assert!(trace.statements[2]
        .reason
        .contains("is excluded by not principal"));
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
