//! Fail-closed by construction, stated as properties: for any policies and any request,
//! - adding a `Deny` statement never turns a refusal into an allow, and
//! - removing an `Allow` statement never turns a refusal into an allow,
//!
//! whichever layer the statement is in (resource policy, IAM identity policy, Lambda
//! authorizer policy) and whichever way the layers combine (NONE, `AWS_IAM` and Lambda
//! authorizers; Table A and Table B; regional and private endpoints). The generators draw
//! from every element the engine supports — `Principal`/`NotPrincipal`, `Action`/`NotAction`,
//! `Resource`/`NotResource`, wildcards, and conditions of each operator family, `IfExists` and
//! set forms included — so a statement that silently stopped denying, or an allow that
//! outlived its statement, breaks a property here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use std::sync::Arc;

use policy_engine::arn::ApiRef;
use policy_engine::eval::{EvalRequest, INVOKE_ACTION, PolicyOutcome};
use policy_engine::flow::{
    AnswerSource, Api, ApiRequest, ApiType, Authorization, AuthorizerAnswer, AuthorizerCall,
    EndpointType, Gateway,
};
use policy_engine::lambda::PayloadFormat;
use policy_engine::policy::{PolicyDocument, PolicyKind};
use policy_engine::principal::{Caller, IamCaller};
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const OWNER: &str = "123456789012";
const OTHER: &str = "999999999999";
const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

fn api_ref() -> ApiRef {
    ApiRef {
        partition: "aws".into(),
        region: "us-east-2".into(),
        account_id: OWNER.into(),
        api_id: "aabbccddee".into(),
    }
}

/// Which layer a statement is written for: resource policies name principals and may use the
/// `execute-api:/…` shorthand; identity and authorizer policies do neither.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Layer {
    Resource,
    Identity,
}

fn principal() -> impl Strategy<Value = (&'static str, Value)> {
    let who = prop_oneof![
        Just(json!("*")),
        Just(json!({"AWS": "*"})),
        Just(json!({"AWS": OWNER})),
        Just(json!({"AWS": format!("arn:aws:iam::{OWNER}:root")})),
        Just(json!({"AWS": format!("arn:aws:iam::{OWNER}:role/dev")})),
        Just(
            json!({"AWS": [format!("arn:aws:iam::{OTHER}:root"), format!("arn:aws:iam::{OWNER}:user/ops")]})
        ),
        Just(json!({"AWS": OTHER})),
    ];
    (
        prop_oneof![4 => Just("Principal"), 1 => Just("NotPrincipal")],
        who,
    )
}

fn action() -> impl Strategy<Value = (&'static str, Value)> {
    let what = prop_oneof![
        Just(json!("execute-api:Invoke")),
        Just(json!("execute-api:*")),
        Just(json!("*")),
        Just(json!("execute-api:inv*")),
        Just(json!("execute-api:ManageConnections")),
        Just(json!(["s3:GetObject", "execute-api:Invoke"])),
    ];
    (
        prop_oneof![4 => Just("Action"), 1 => Just("NotAction")],
        what,
    )
}

fn resource(layer: Layer) -> impl Strategy<Value = (&'static str, Value)> {
    let base = "arn:aws:execute-api:us-east-2:123456789012:aabbccddee";
    let mut options = vec![
        json!(format!("{base}/prod/GET/pets")),
        json!(format!("{base}/*/GET/*")),
        json!(format!("{base}/prod/*/pets/?")),
        json!(format!("{base}/prod/POST/*")),
        json!(format!("{base}/prod/*/admin*")),
        json!("arn:aws:execute-api:*:*:*"),
        json!("*"),
        json!([format!("{base}/prod/DELETE/*"), format!("{base}/test/*")]),
    ];
    if layer == Layer::Resource {
        options.push(json!("execute-api:/*"));
        options.push(json!("execute-api:/prod/GET/pets/*"));
    }
    (
        prop_oneof![4 => Just("Resource"), 1 => Just("NotResource")],
        proptest::sample::select(options),
    )
}

/// One condition block entry: `(operator, key, values)`.
fn condition() -> impl Strategy<Value = (String, String, Value)> {
    let entries: Vec<(&str, &str, Value)> = vec![
        ("IpAddress", "aws:SourceIp", json!("192.0.2.0/24")),
        (
            "NotIpAddress",
            "aws:SourceIp",
            json!(["192.0.2.0/24", "2001:db8::/32"]),
        ),
        ("IpAddress", "aws:VpcSourceIp", json!("10.0.0.0/8")),
        ("StringEquals", "aws:SourceVpce", json!("vpce-1a2b3c4d")),
        ("StringNotEquals", "aws:SourceVpce", json!("vpce-1a2b3c4d")),
        (
            "StringNotEqualsIfExists",
            "aws:SourceVpc",
            json!("vpc-2f09a348"),
        ),
        (
            "StringLike",
            "aws:PrincipalArn",
            json!("arn:aws:iam::*:role/*"),
        ),
        (
            "ArnNotLike",
            "aws:PrincipalArn",
            json!(format!("arn:aws:iam::{OWNER}:*")),
        ),
        ("StringEquals", "aws:PrincipalAccount", json!(OWNER)),
        ("Null", "aws:SourceVpce", json!("true")),
        ("Null", "aws:PrincipalArn", json!("false")),
        (
            "DateLessThan",
            "aws:CurrentTime",
            json!("2030-01-01T00:00:00Z"),
        ),
        ("DateGreaterThan", "aws:EpochTime", json!("1800000000")),
        (
            "NumericLessThanEquals",
            "aws:EpochTime",
            json!("1800000000"),
        ),
        ("StringEqualsIgnoreCase", "aws:username", json!("DEV")),
        (
            "ForAnyValue:StringLike",
            "aws:SourceVpce",
            json!(["vpce-1*", "vpce-9*"]),
        ),
        (
            "ForAllValues:StringEquals",
            "aws:SourceVpc",
            json!(["vpc-2f09a348"]),
        ),
        ("Bool", "aws:SecureTransport", json!("true")),
    ];
    proptest::sample::select(entries)
        .prop_map(|(op, key, values)| (op.to_owned(), key.to_owned(), values))
}

fn statement(layer: Layer, effect: Option<&'static str>) -> impl Strategy<Value = Value> {
    let effect = match effect {
        Some(e) => Just(e).boxed(),
        None => prop_oneof![Just("Allow"), Just("Deny")].boxed(),
    };
    (
        effect,
        principal(),
        action(),
        resource(layer),
        proptest::collection::vec(condition(), 0..=2),
    )
        .prop_map(
            move |(effect, (p_key, p), (a_key, a), (r_key, r), conditions)| {
                let mut s = Map::new();
                s.insert("Effect".into(), json!(effect));
                if layer == Layer::Resource {
                    s.insert(p_key.into(), p);
                }
                s.insert(a_key.into(), a);
                s.insert(r_key.into(), r);
                if !conditions.is_empty() {
                    let mut block = Map::new();
                    for (op, key, values) in conditions {
                        let entry = block.entry(op).or_insert_with(|| json!({}));
                        if let Value::Object(keys) = entry {
                            keys.insert(key, values);
                        }
                    }
                    s.insert("Condition".into(), Value::Object(block));
                }
                Value::Object(s)
            },
        )
}

fn statements(layer: Layer) -> impl Strategy<Value = Vec<Value>> {
    proptest::collection::vec(statement(layer, None), 1..=4)
}

fn document(statements: &[Value], layer: Layer) -> PolicyDocument {
    let json = json!({"Version": "2012-10-17", "Statement": statements});
    match layer {
        Layer::Resource => PolicyDocument::from_json(&json, PolicyKind::Resource, Some(&api_ref())),
        Layer::Identity => PolicyDocument::from_json(&json, PolicyKind::Identity, None),
    }
    .unwrap_or_else(|e| panic!("generated policy refused: {e}\n{json:#}"))
}

/// The kinds of authorization under test.
#[derive(Debug, Clone, Copy)]
enum Auth {
    None,
    Iam,
    LambdaSameAccount,
    LambdaOtherAccount,
}

fn auth() -> impl Strategy<Value = Auth> {
    prop_oneof![
        Just(Auth::None),
        Just(Auth::Iam),
        Just(Auth::LambdaSameAccount),
        Just(Auth::LambdaOtherAccount),
    ]
}

fn request() -> impl Strategy<Value = ApiRequest> {
    (
        proptest::sample::select(vec!["GET", "POST", "DELETE"]),
        proptest::sample::select(vec!["/pets", "/pets/1", "/admin/users", "/"]),
        proptest::option::of(proptest::sample::select(vec![
            "192.0.2.7",
            "203.0.113.9",
            "10.1.2.3",
            "2001:db8::1",
        ])),
        proptest::option::of(proptest::sample::select(vec!["vpce-1a2b3c4d", "vpce-9"])),
        proptest::option::of(proptest::sample::select(vec![
            format!("arn:aws:iam::{OWNER}:role/dev"),
            format!("arn:aws:sts::{OWNER}:assumed-role/dev/session"),
            format!("arn:aws:iam::{OWNER}:user/ops"),
            format!("arn:aws:iam::{OTHER}:user/x"),
        ])),
    )
        .prop_map(|(method, path, ip, vpce, principal)| ApiRequest {
            method: method.into(),
            path: path.into(),
            source_ip: ip.map(|ip| ip.parse().unwrap()),
            source_vpc: vpce.map(|_| "vpc-2f09a348".to_owned()),
            source_vpce: vpce.map(str::to_owned),
            principal: principal.map(|arn| IamCaller::from_arn(&arn).unwrap()),
            ..ApiRequest::default()
        })
}

/// One generated setup: the resource policy's statements (none: no policy attached), the
/// second layer's statements (identity policy or authorizer policy), the authorization, the
/// endpoint and the request.
#[derive(Debug, Clone)]
struct Setup {
    resource: Option<Vec<Value>>,
    identity: Vec<Value>,
    auth: Auth,
    private: bool,
    request: ApiRequest,
}

fn setup() -> impl Strategy<Value = Setup> {
    (
        proptest::option::weighted(0.8, statements(Layer::Resource)),
        statements(Layer::Identity),
        auth(),
        proptest::bool::weighted(0.25),
        request(),
    )
        .prop_map(|(resource, identity, auth, private, request)| Setup {
            resource,
            identity,
            auth,
            private,
            request,
        })
}

impl Setup {
    /// The gateway's status for this setup: 200 means the request reached the integration.
    fn status(&self) -> u16 {
        let api_ref = api_ref();
        let gateway = Gateway {
            api: Api {
                api_type: ApiType::Rest,
                api_ref,
                stage: "prod".into(),
                endpoint: if self.private {
                    EndpointType::Private
                } else {
                    EndpointType::Regional
                },
            },
            resource_policy: self
                .resource
                .as_deref()
                .map(|statements| document(statements, Layer::Resource)),
            authorization: match self.auth {
                Auth::None => Authorization::None,
                Auth::Iam => Authorization::AwsIam,
                Auth::LambdaSameAccount => Authorization::Lambda {
                    account: OWNER.into(),
                    format: PayloadFormat::Rest,
                },
                Auth::LambdaOtherAccount => Authorization::Lambda {
                    account: OTHER.into(),
                    format: PayloadFormat::Rest,
                },
            },
        };
        let identity = document(&self.identity, Layer::Identity);
        let decision = match self.auth {
            Auth::None => gateway.decide(&self.request, NOW),
            Auth::Iam => {
                let mut request = self.request.clone();
                request.identity_policies = vec![identity];
                gateway.decide(&request, NOW)
            }
            Auth::LambdaSameAccount | Auth::LambdaOtherAccount => {
                let answer = Arc::new(AuthorizerAnswer::Policy {
                    principal_id: "user".into(),
                    policy: identity,
                    context: Map::new(),
                });
                gateway.decide_with_authorizer(&self.request, NOW, &mut || AuthorizerCall {
                    answer: Arc::clone(&answer),
                    source: AnswerSource::Invoked,
                })
            }
        };
        decision
            .unwrap_or_else(|e| panic!("the flow refused the request: {e}"))
            .status
    }
}

/// Indexes of the statements with this effect.
fn indexes_of(statements: &[Value], effect: &str) -> Vec<usize> {
    statements
        .iter()
        .enumerate()
        .filter(|(_, s)| s["Effect"] == effect)
        .map(|(i, _)| i)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Adding a Deny to either layer never lets a refused request through.
    #[test]
    fn adding_a_deny_never_allows(
        setup in setup(),
        deny_resource in statement(Layer::Resource, Some("Deny")),
        deny_identity in statement(Layer::Identity, Some("Deny")),
        position in any::<prop::sample::Index>(),
    ) {
        let before = setup.status();
        prop_assume!(before != 200);
        if let Some(resource) = &setup.resource {
            let mut more = setup.clone();
            let mut statements = resource.clone();
            statements.insert(position.index(statements.len() + 1), deny_resource);
            more.resource = Some(statements);
            prop_assert_ne!(more.status(), 200, "a Deny in the resource policy allowed: {:#?}", more);
        }
        let mut more = setup.clone();
        more.identity.insert(position.index(more.identity.len() + 1), deny_identity);
        prop_assert_ne!(more.status(), 200, "a Deny in the identity/authorizer policy allowed: {:#?}", more);
    }

    /// Removing an Allow from either layer never lets a refused request through (the policy
    /// stays attached, possibly with no statements left that allow).
    #[test]
    fn removing_an_allow_never_allows(setup in setup(), pick in any::<prop::sample::Index>()) {
        let before = setup.status();
        prop_assume!(before != 200);
        if let Some(resource) = &setup.resource {
            let allows = indexes_of(resource, "Allow");
            if !allows.is_empty() && resource.len() > 1 {
                let mut fewer = setup.clone();
                let mut statements = resource.clone();
                statements.remove(allows[pick.index(allows.len())]);
                fewer.resource = Some(statements);
                prop_assert_ne!(fewer.status(), 200, "removing a resource-policy Allow allowed: {:#?}", fewer);
            }
        }
        let allows = indexes_of(&setup.identity, "Allow");
        if !allows.is_empty() && setup.identity.len() > 1 {
            let mut fewer = setup.clone();
            fewer.identity.remove(allows[pick.index(allows.len())]);
            prop_assert_ne!(fewer.status(), 200, "removing an identity/authorizer Allow allowed: {:#?}", fewer);
        }
    }

    /// Turning an Allow into a Deny is both at once, and never allows either.
    #[test]
    fn turning_an_allow_into_a_deny_never_allows(setup in setup(), pick in any::<prop::sample::Index>()) {
        prop_assume!(setup.status() != 200);
        let mut flipped = setup.clone();
        let allows = indexes_of(&flipped.identity, "Allow");
        if let Some(&i) = allows.get(pick.index(allows.len().max(1))) {
            flipped.identity[i]["Effect"] = json!("Deny");
        }
        if let Some(resource) = flipped.resource.as_mut() {
            let allows = indexes_of(resource, "Allow");
            if let Some(&i) = allows.get(pick.index(allows.len().max(1))) {
                resource[i]["Effect"] = json!("Deny");
            }
        }
        prop_assert_ne!(flipped.status(), 200, "{:#?}", flipped);
    }

    /// Deny wins: a statement denying everything, added to any layer that takes part, refuses
    /// every request, whatever else the layers say (both tables have Deny in every row with a
    /// Deny).
    #[test]
    fn a_deny_of_everything_in_any_layer_refuses(setup in setup(), position in any::<prop::sample::Index>()) {
        let deny_all = json!({"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"});
        if let Some(resource) = &setup.resource {
            let mut denied = setup.clone();
            let mut statements = resource.clone();
            statements.insert(position.index(statements.len() + 1), deny_all.clone());
            denied.resource = Some(statements);
            prop_assert_ne!(denied.status(), 200, "{:#?}", denied);
        }
        if !matches!(setup.auth, Auth::None) {
            let mut denied = setup.clone();
            let mut statement = deny_all;
            if let Value::Object(s) = &mut statement {
                s.remove("Principal");
            }
            denied.identity.insert(position.index(denied.identity.len() + 1), statement);
            prop_assert_ne!(denied.status(), 200, "{:#?}", denied);
        }
    }

    /// The same properties for one policy on its own: an explicit deny stays one whatever is
    /// added, and an implicit deny never becomes an allow by adding a Deny.
    #[test]
    fn a_single_policy_is_monotone(
        statements in statements(Layer::Resource),
        deny in statement(Layer::Resource, Some("Deny")),
        request in request(),
    ) {
        let caller = request.principal.clone().map_or(Caller::Anonymous, Caller::Iam);
        let mut context = policy_engine::context::RequestContext::new();
        if let Some(ip) = request.source_ip {
            context.set("aws:SourceIp", &ip.to_string()).unwrap();
        }
        if let Some(vpce) = &request.source_vpce {
            context.set("aws:SourceVpce", vpce).unwrap();
        }
        let arn = policy_engine::arn::MethodArn::for_method(&api_ref(), "prod", &request.method, &request.path);
        let eval = EvalRequest {
            action: INVOKE_ACTION,
            resource: arn.as_str(),
            caller: &caller,
            owner_account: OWNER,
            context: &context,
        };
        let before = document(&statements, Layer::Resource).evaluate(&eval).outcome;
        let mut more = statements.clone();
        more.push(deny);
        let after = document(&more, Layer::Resource).evaluate(&eval).outcome;
        if before != PolicyOutcome::Allow {
            prop_assert_ne!(after, PolicyOutcome::Allow);
        }
        if before == PolicyOutcome::ExplicitDeny {
            prop_assert_eq!(after, PolicyOutcome::ExplicitDeny);
        }
    }
}

/// The generators reach every outcome, so the properties above are not vacuous.
#[test]
fn the_generated_setups_reach_allows_and_every_kind_of_refusal() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = setup();
    let mut seen = std::collections::BTreeMap::new();
    for _ in 0..600 {
        let setup = strategy.new_tree(&mut runner).unwrap().current();
        *seen.entry(setup.status()).or_insert(0) += 1;
    }
    for status in [200, 403] {
        assert!(
            seen.get(&status).copied().unwrap_or(0) >= 30,
            "status {status} is rare among generated setups: {seen:?}"
        );
    }
}
