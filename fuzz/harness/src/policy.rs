//! The `policy` target: the IAM policy language, from JSON text to decisions.
//!
//! Input: policy JSON text (an object, or a string holding one as `get-rest-api` returns it),
//! parsed as a resource policy of a fixed API and as an identity policy. For each document
//! that parses, the harness derives requests from the policy itself — its resources with the
//! wildcards filled in, its principals as callers, its condition values as request values —
//! so that statements do match, and checks:
//!
//! - the document's own JSON (`to_json`) parses back to an equal document, as an object, as
//!   text and as the escaped string `get-rest-api` returns, with the same JSON again;
//! - for every request: the quiet evaluation and the explained one agree, the explanation's
//!   matched statements account for the outcome, and the reparsed document and the document
//!   with its statements in reverse order (IAM's evaluation is order-free) decide the same;
//! - through the gateway flow (authorization NONE, AWS_IAM, Lambda authorizers in the same and
//!   another account; regional and private endpoints), the quiet `decide*` and the explained
//!   `handle*` reach the same decision;
//! - a statement the lints call "never matches" matched none of the requests to the API.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::{Arc, LazyLock};

use policy_engine::Decision;
use policy_engine::arn::{ApiRef, MethodArn, Route};
use policy_engine::context::{ContextKey, ContextValue, KnownKey, RequestContext};
use policy_engine::eval::{EvalRequest, INVOKE_ACTION, PolicyOutcome};
use policy_engine::flow::{
    AnswerSource, Api, ApiRequest, ApiType, Authorization, AuthorizerAnswer, AuthorizerCall,
    EndpointType, FlowError, Gateway,
};
use policy_engine::json::JsonPath;
use policy_engine::lambda::PayloadFormat;
use policy_engine::lint::{AuthKind, MethodsAuth, lint_resource_policy};
use policy_engine::policy::{Effect, PolicyDocument, PolicyKind, PrincipalClause};
use policy_engine::principal::{Caller, IamCaller};
use serde_json::Value;

/// The owner account of the fixed API.
const OWNER: &str = "123456789012";
/// The time of every request: 2026-01-01T00:00:00Z.
const NOW: i64 = 1_767_225_600;
/// The other action the lints consider API Gateway's own.
const INVALIDATE_CACHE: &str = "execute-api:InvalidateCache";

/// Runs one input; see [the module](mod@crate::policy) for its format and invariants.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let api = crate::api_ref();
    match PolicyDocument::parse_resource_policy(text, &api) {
        Ok(doc) => {
            let matched = document(&doc, Some(&api));
            resource_flows(&doc);
            lints(&doc, &matched);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
    match PolicyDocument::parse_identity_policy(text) {
        Ok(doc) => {
            document(&doc, None);
            identity_flows(&doc);
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
}

/// One request to evaluate a policy against.
struct Probe {
    resource: String,
    action: String,
    caller: Caller,
    context: RequestContext,
}

/// Checks the document on its own; returns the statements that matched a request to the API.
fn document(doc: &PolicyDocument, api: Option<&ApiRef>) -> HashSet<usize> {
    let json = doc.to_json();
    let again = PolicyDocument::from_json(&json, doc.kind(), api)
        .unwrap_or_else(|e| panic!("a policy's own JSON does not parse: {e}\n{json}"));
    assert_eq!(&again, doc, "the policy read back from its JSON {json}");
    assert_eq!(again.to_json(), json, "writing the policy read back");
    let text = json.to_string();
    let from_text = match api {
        Some(api) => PolicyDocument::parse_resource_policy(&text, api),
        None => PolicyDocument::parse_identity_policy(&text),
    };
    assert_eq!(
        from_text.as_ref(),
        Ok(doc),
        "the policy read back from {text}"
    );
    let escaped = PolicyDocument::from_json(&Value::String(text.clone()), doc.kind(), api);
    assert_eq!(
        escaped.as_ref(),
        Ok(doc),
        "the policy read back from the string {text:?}"
    );
    let _ = (doc.stored_chars(), doc.keys_read());
    let _ = policy_engine::eval::condition_keys(doc);
    let reversed = reversed(&json, doc.kind(), api);

    let mut matched = HashSet::new();
    for probe in probes(doc) {
        let request = EvalRequest {
            action: &probe.action,
            resource: &probe.resource,
            caller: &probe.caller,
            owner_account: OWNER,
            context: &probe.context,
        };
        let quiet = doc.evaluate(&request);
        let trace = doc.explain(&request);
        let _ = trace.to_string();
        assert_eq!(
            quiet.outcome, trace.outcome,
            "evaluate and explain disagree"
        );
        let matched_with = |effect| {
            trace
                .statements
                .iter()
                .any(|s| s.matched() && s.effect == effect)
        };
        let expected = if matched_with(Effect::Deny) {
            PolicyOutcome::ExplicitDeny
        } else if matched_with(Effect::Allow) {
            PolicyOutcome::Allow
        } else {
            PolicyOutcome::ImplicitDeny
        };
        assert_eq!(
            trace.outcome, expected,
            "the trace does not account for the outcome"
        );
        assert_eq!(
            trace.deciding().map(|s| (s.policy, s.index)),
            quiet.decided_by,
            "the deciding statement"
        );
        assert_eq!(
            again.evaluate(&request).outcome,
            quiet.outcome,
            "the reparsed policy"
        );
        if let Some(reversed) = &reversed {
            assert_eq!(
                reversed.evaluate(&request).outcome,
                quiet.outcome,
                "the policy with its statements in reverse order"
            );
        }
        let to_this_api = [INVOKE_ACTION, INVALIDATE_CACHE].contains(&probe.action.as_str())
            && crate::is_method_arn(&probe.resource);
        if to_this_api {
            matched.extend(
                trace
                    .statements
                    .iter()
                    .filter(|s| s.matched())
                    .map(|s| s.index),
            );
        }
    }
    matched
}

/// The document with its statements in reverse order (`None` with fewer than two).
fn reversed(json: &Value, kind: PolicyKind, api: Option<&ApiRef>) -> Option<PolicyDocument> {
    let mut json = json.clone();
    let statements = json.get_mut("Statement")?.as_array_mut()?;
    if statements.len() < 2 {
        return None;
    }
    statements.reverse();
    Some(
        PolicyDocument::from_json(&json, kind, api)
            .unwrap_or_else(|e| panic!("reordered statements do not parse: {e}")),
    )
}

/// `text` with each wildcard replaced by a character it stands for.
fn fill(text: &str) -> String {
    text.replace('*', "x").replace('?', "y")
}

/// Adds `item` to `list` unless it is there or the list has `max` items.
fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T, max: usize) {
    if list.len() < max && !list.contains(&item) {
        list.push(item);
    }
}

/// Every string in a JSON value, depth first.
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// The text of a condition value as a request would send it.
fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The request values the policy's conditions and variables ask about: for each key, its
/// values with wildcards filled in (an IP range's address for IP keys), several for a
/// `ForAllValues:` / `ForAnyValue:` condition.
fn harvested(doc: &PolicyDocument) -> Vec<(ContextKey, ContextValue)> {
    let mut out: Vec<(ContextKey, ContextValue)> = Vec::new();
    for statement in doc.statements() {
        for c in statement.conditions() {
            let texts: Vec<String> = c
                .value_sources()
                .iter()
                .filter_map(value_text)
                .map(|t| {
                    let t = fill(&t);
                    match c.key().known_key() {
                        Some(KnownKey::SourceIp | KnownKey::VpcSourceIp) => {
                            t.split('/').next().unwrap_or_default().to_owned()
                        }
                        _ => t,
                    }
                })
                .collect();
            let value = if c.spec().qualifier == policy_engine::condition::SetQualifier::None {
                ContextValue::single(texts.first().map_or("", String::as_str))
            } else {
                ContextValue::multi(texts.iter().map(String::as_str))
            };
            if !out.iter().any(|(k, _)| k == c.key()) && out.len() < 8 {
                out.push((c.key().clone(), value));
            }
        }
        for pattern in statement.resources().patterns() {
            for variable in pattern.variables() {
                if !out.iter().any(|(k, _)| *k == variable.key) && out.len() < 8 {
                    out.push((variable.key.clone(), ContextValue::single("x")));
                }
            }
        }
    }
    out
}

/// The requests a document is checked against.
fn probes(doc: &PolicyDocument) -> Vec<Probe> {
    let api = crate::api_ref();
    let mut resources = vec![
        MethodArn::for_method(&api, "prod", "GET", "/pets").to_string(),
        MethodArn::for_route_key(&api, "prod", "$connect").to_string(),
    ];
    let mut actions = vec![INVOKE_ACTION.to_owned()];
    for statement in doc.statements() {
        for pattern in statement.resources().patterns() {
            push_unique(&mut resources, fill(pattern.as_str()), 6);
            push_unique(&mut resources, pattern.as_str().to_owned(), 6);
        }
        for pattern in statement.actions().patterns() {
            push_unique(&mut actions, fill(pattern.as_str()), 2);
        }
    }
    let callers = callers(doc);
    let mut gateway_like = RequestContext::new();
    for (key, value) in [
        ("aws:SourceIp", "192.0.2.7"),
        ("aws:CurrentTime", "2026-01-01T00:00:00Z"),
        ("aws:EpochTime", "1767225600"),
        ("aws:SecureTransport", "true"),
        ("aws:UserAgent", "fuzz/1.0"),
    ] {
        let _ = gateway_like.set(key, value);
    }
    let mut asked = gateway_like.clone();
    for (key, value) in harvested(doc) {
        let _ = asked.insert(&key, value);
    }
    let contexts = [RequestContext::new(), gateway_like, asked];
    let mut probes = Vec::new();
    for resource in &resources {
        for action in &actions {
            for caller in &callers {
                for context in &contexts {
                    probes.push(Probe {
                        resource: resource.clone(),
                        action: action.clone(),
                        caller: caller.clone(),
                        context: context.clone(),
                    });
                }
            }
        }
    }
    probes
}

/// Callers: anonymous, an IAM user of the owner, a role session of another account, and the
/// IAM identities the policy's principals name.
fn callers(doc: &PolicyDocument) -> Vec<Caller> {
    let mut principal_texts = Vec::new();
    for statement in doc.statements() {
        if let Some(clause) = statement.principal() {
            let (PrincipalClause::Principal(p) | PrincipalClause::NotPrincipal(p)) = clause;
            strings(p.source(), &mut principal_texts);
        }
    }
    let mut callers = vec![
        Caller::Anonymous,
        iam("arn:aws:iam::123456789012:user/alice"),
        iam("arn:aws:sts::222222222222:assumed-role/dev/session"),
    ];
    for text in &principal_texts {
        let arn = if policy_engine::arn::is_account_id(text) {
            format!("arn:aws:iam::{text}:root")
        } else {
            fill(text)
        };
        if let Ok(caller) = IamCaller::from_arn(&arn) {
            push_unique(&mut callers, Caller::Iam(caller), 5);
        }
    }
    callers
}

fn iam(arn: &str) -> Caller {
    Caller::Iam(IamCaller::from_arn(arn).expect("a valid caller ARN"))
}

/// An identity policy that allows every call and reads a condition key most policies do not.
fn allow_all_identity() -> &'static PolicyDocument {
    static POLICY: LazyLock<PolicyDocument> = LazyLock::new(|| {
        PolicyDocument::parse_identity_policy(
            r#"{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "execute-api:*", "Resource": "*",
                 "Condition": {"StringLikeIfExists": {"aws:Referer": "*"}}}]}"#,
        )
        .expect("the fixed identity policy")
    });
    &POLICY
}

/// A resource policy that allows every caller from one range, for identity policies' flows.
fn range_resource_policy() -> &'static PolicyDocument {
    static POLICY: LazyLock<PolicyDocument> = LazyLock::new(|| {
        PolicyDocument::parse_resource_policy(
            r#"{"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
                 "Resource": "execute-api:/*",
                 "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]}"#,
            &crate::api_ref(),
        )
        .expect("the fixed resource policy")
    });
    &POLICY
}

/// Requests to the gateway derived from the document, with every value a policy may read.
fn requests(doc: &PolicyDocument, identity: &PolicyDocument) -> Vec<ApiRequest> {
    let harvested = harvested(doc);
    let text_of = |key: KnownKey| {
        harvested
            .iter()
            .find(|(k, _)| k.known_key() == Some(key))
            .and_then(|(_, v)| v.values().first().map(|t| t.text().to_owned()))
    };
    let source_ip: IpAddr = text_of(KnownKey::SourceIp)
        .or_else(|| text_of(KnownKey::VpcSourceIp))
        .and_then(|ip| ip.trim().parse().ok())
        .unwrap_or(IpAddr::from([192, 0, 2, 7]));
    let principals: Vec<Option<IamCaller>> = callers(doc)
        .into_iter()
        .filter_map(|caller| match caller {
            Caller::Iam(iam) => Some(Some(iam)),
            Caller::Anonymous => None,
        })
        .chain([None])
        .take(3)
        .collect();
    let mut routes: Vec<(String, String)> = vec![("GET".into(), "/pets".into())];
    for statement in doc.statements() {
        for pattern in statement.resources().patterns() {
            if let Ok(arn) = MethodArn::parse(&fill(pattern.as_str()))
                && let Route::Method { verb, path } = arn.route()
            {
                push_unique(&mut routes, (verb.clone(), format!("/{path}")), 3);
            }
        }
    }
    let mut out = Vec::new();
    for (method, path) in routes {
        for principal in &principals {
            out.push(ApiRequest {
                method: method.clone(),
                path: path.clone(),
                headers: vec![
                    (
                        "User-Agent".into(),
                        text_of(KnownKey::UserAgent).unwrap_or_else(|| "fuzz/1.0".into()),
                    ),
                    (
                        "Referer".into(),
                        text_of(KnownKey::Referer).unwrap_or_else(|| "https://a.example/".into()),
                    ),
                ],
                source_ip: Some(source_ip),
                source_vpce: Some(
                    text_of(KnownKey::SourceVpce).unwrap_or_else(|| "vpce-1a2b3c4d".into()),
                ),
                source_vpc: Some(text_of(KnownKey::SourceVpc).unwrap_or_else(|| "vpc-1".into())),
                principal: principal.clone(),
                identity_policies: vec![identity.clone()],
                context: harvested
                    .iter()
                    .filter(|(k, _)| k.known_key().is_none())
                    .cloned()
                    .collect(),
                ..ApiRequest::default()
            });
        }
    }
    out
}

/// The authorizations a method may have; Lambda authorizers answer with `answer_policy`.
fn authorizations() -> [Authorization; 4] {
    [
        Authorization::None,
        Authorization::AwsIam,
        Authorization::Lambda {
            account: OWNER.into(),
            format: PayloadFormat::Rest,
        },
        Authorization::Lambda {
            account: "222222222222".into(),
            format: PayloadFormat::HttpV2 { simple: false },
        },
    ]
}

/// Every flow with `resource_policy` attached and the requests derived from `doc`.
fn flows(
    doc: &PolicyDocument,
    resource_policy: Option<&PolicyDocument>,
    identity: &PolicyDocument,
) {
    let requests = requests(doc, identity);
    for endpoint in [EndpointType::Regional, EndpointType::Private] {
        for authorization in authorizations() {
            let lambda = matches!(authorization, Authorization::Lambda { .. });
            let gateway = Gateway {
                api: Api {
                    api_type: ApiType::Rest,
                    api_ref: crate::api_ref(),
                    stage: "prod".into(),
                    endpoint,
                },
                resource_policy: resource_policy.cloned(),
                authorization,
            };
            for request in &requests {
                if lambda {
                    let call = AuthorizerCall {
                        answer: Arc::new(AuthorizerAnswer::Policy {
                            principal_id: "alice".into(),
                            policy: identity.clone(),
                            context: serde_json::Map::new(),
                        }),
                        source: AnswerSource::Invoked,
                    };
                    let quiet = gateway.decide_with_authorizer(request, NOW, &mut || call.clone());
                    let loud = gateway.handle_with_authorizer(request, NOW, &mut || call.clone());
                    same_decision(quiet, loud);
                } else {
                    same_decision(gateway.decide(request, NOW), gateway.handle(request, NOW));
                }
            }
        }
    }
}

fn resource_flows(doc: &PolicyDocument) {
    flows(doc, Some(doc), allow_all_identity());
}

fn identity_flows(doc: &PolicyDocument) {
    flows(doc, Some(range_resource_policy()), doc);
    flows(doc, None, doc);
}

/// The quiet decision equals the explained one, steps aside.
pub(crate) fn same_decision(
    quiet: Result<Decision, FlowError>,
    explained: Result<Decision, FlowError>,
) {
    match (quiet, explained) {
        (Ok(quiet), Ok(mut explained)) => {
            assert!(quiet.steps.is_empty(), "a quiet decision has steps");
            let _ = explained.explanation();
            explained.steps.clear();
            assert_eq!(
                quiet, explained,
                "the quiet and the explained flow disagree"
            );
        }
        (Err(quiet), Err(explained)) => assert_eq!(quiet, explained),
        (quiet, explained) => {
            panic!("the quiet flow gave {quiet:?}, the explained one {explained:?}")
        }
    }
}

/// The lints' verdicts against what evaluation did: a statement that "never matches" matched
/// no request to the API.
fn lints(doc: &PolicyDocument, matched: &HashSet<usize>) {
    let at = JsonPath::root().key("resourcePolicy");
    let api = Api {
        api_type: ApiType::Rest,
        api_ref: crate::api_ref(),
        stage: "prod".into(),
        endpoint: EndpointType::Regional,
    };
    for kind in [AuthKind::None, AuthKind::AwsIam, AuthKind::LambdaAuthorizer] {
        for finding in lint_resource_policy(doc, &at, &api, &MethodsAuth::All(kind)) {
            let _ = (finding.to_json(), finding.to_string());
            if finding.code != "never-matches" {
                continue;
            }
            let index = (0..doc.statements().len()).find(|&i| {
                let path = doc.statement_path(&at, i);
                finding
                    .path
                    .as_str()
                    .strip_prefix(path.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
            });
            if let Some(index) = index {
                assert!(
                    !matched.contains(&index),
                    "the lints say statement {index} never matches, but it matched a request: {}",
                    finding.message
                );
            }
        }
    }
}
