// Unit tests of `flow.rs`, compiled only under #[cfg(test)] (see `mod tests;` there).
use super::*;
use crate::context::ContextValue;
use crate::decision::Table;
use crate::eval::PolicyOutcome;
use crate::policy::PolicyKind;
use serde_json::json;

fn gateway(
    endpoint: EndpointType,
    policy: Option<serde_json::Value>,
    auth: Authorization,
) -> Gateway {
    let api_ref = ApiRef {
        partition: "aws".into(),
        region: "us-east-2".into(),
        account_id: "123456789012".into(),
        api_id: "aabbccddee".into(),
    };
    Gateway {
        resource_policy: policy
            .map(|p| PolicyDocument::from_json(&p, PolicyKind::Resource, Some(&api_ref)).unwrap()),
        api: Api {
            api_type: ApiType::Rest,
            api_ref,
            stage: "prod".into(),
            endpoint,
        },
        authorization: auth,
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

/// A policy that allows only when `key` equals `value`, to observe the request context.
fn allow_if(key: &str, value: &str) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
        "Condition": {"StringEquals": {key: value}}}]})
}

const NOW: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

#[test]
fn regional_requests_carry_source_ip_only() {
    let g = gateway(
        EndpointType::Regional,
        Some(allow_if("aws:SourceIp", "192.0.2.10")),
        Authorization::None,
    );
    let mut req = get("/pets");
    req.source_vpce = Some("vpce-1".into());
    let d = g.handle(&req, NOW).unwrap();
    assert_eq!(d.status, 200);
    assert!(
        d.steps
            .iter()
            .any(|s| s.contains("`sourceVpce`/`sourceVpc` are ignored"))
    );
    let g = gateway(
        EndpointType::Regional,
        Some(allow_if("aws:SourceVpce", "vpce-1")),
        Authorization::None,
    );
    assert_eq!(g.handle(&req, NOW).unwrap().status, 403);
}

#[test]
fn private_requests_carry_vpc_keys_and_no_source_ip() {
    let mut req = get("/pets");
    req.source_vpce = Some("vpce-1".into());
    req.source_vpc = Some("vpc-9".into());
    for (key, value, status) in [
        ("aws:VpcSourceIp", "192.0.2.10", 200),
        ("aws:SourceVpce", "vpce-1", 200),
        ("aws:SourceVpc", "vpc-9", 200),
        ("aws:SourceIp", "192.0.2.10", 403),
    ] {
        let g = gateway(
            EndpointType::Private,
            Some(allow_if(key, value)),
            Authorization::None,
        );
        assert_eq!(g.handle(&req, NOW).unwrap().status, status, "{key}");
    }
}

#[test]
fn headers_time_and_transport_become_condition_keys() {
    let mut req = get("/");
    req.headers = vec![
        ("user-AGENT".into(), "curl/8".into()),
        ("REFERER".into(), "https://x".into()),
    ];
    for (key, value) in [
        ("aws:UserAgent", "curl/8"),
        ("aws:Referer", "https://x"),
        ("aws:CurrentTime", "2026-01-01T00:00:00Z"),
        ("aws:EpochTime", "1767225600"),
        ("aws:SecureTransport", "true"),
    ] {
        let g = gateway(
            EndpointType::Edge,
            Some(allow_if(key, value)),
            Authorization::None,
        );
        assert_eq!(g.handle(&req, NOW).unwrap().status, 200, "{key}");
    }
}

#[test]
fn iam_callers_get_principal_keys_and_supplied_keys_override() {
    let mut req = get("/");
    req.principal =
        Some(IamCaller::from_arn("arn:aws:sts::210987654321:assumed-role/dev/alice").unwrap());
    req.identity_policies = vec![PolicyDocument::from_json(
        &json!({"Statement": {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}}),
        PolicyKind::Identity,
        None,
    )
    .unwrap()];
    for (key, value) in [
        ("aws:PrincipalArn", "arn:aws:iam::210987654321:role/dev"),
        ("aws:PrincipalAccount", "210987654321"),
        ("aws:PrincipalType", "AssumedRole"),
    ] {
        let g = gateway(
            EndpointType::Regional,
            Some(allow_if(key, value)),
            Authorization::AwsIam,
        );
        let d = g.handle(&req, NOW).unwrap();
        assert_eq!(d.status, 200, "{key}: {}", d.explanation());
        assert_eq!(d.table_row.map(|r| (r.table, r.row)), Some((Table::B, 1)));
    }
    req.context = vec![(
        ContextKey::new("aws:PrincipalType"),
        ContextValue::single("User"),
    )];
    let g = gateway(
        EndpointType::Regional,
        Some(allow_if("aws:PrincipalType", "User")),
        Authorization::AwsIam,
    );
    assert_eq!(g.handle(&req, NOW).unwrap().status, 200);
}

#[test]
fn open_and_private_apis_without_a_resource_policy() {
    let open = gateway(EndpointType::Regional, None, Authorization::None);
    let d = open.handle(&get("/"), NOW).unwrap();
    assert_eq!((d.status, d.outcome), (200, PolicyOutcome::Allow));
    let private = gateway(EndpointType::Private, None, Authorization::None);
    let d = private.handle(&get("/"), NOW).unwrap();
    assert_eq!((d.status, d.outcome), (403, PolicyOutcome::ImplicitDeny));
    assert!(d.explanation().contains(
        "refused: this is a private API with no resource policy, and until a resource policy is attached to a private API all calls to it fail (403)"
    ));
}

/// Issue #14: an AWS_IAM caller of a private API without a resource policy was explained with
/// its identity Deny "matched, decided" and a Table A "either may allow" line before the 403.
/// The guide: "until you attach the resource policy to the private API, all calls to the API
/// will fail" — said plainly, with nothing else evaluated.
#[test]
fn a_private_api_without_a_resource_policy_is_refused_plainly_for_iam_callers() {
    let private = gateway(EndpointType::Private, None, Authorization::AwsIam);
    let mut req = get("/pets");
    req.principal = Some(IamCaller::from_arn("arn:aws:iam::123456789012:user/bob").unwrap());
    req.identity_policies = vec![PolicyDocument::from_json(
        &json!({"Statement": [{"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "*"}]}),
        PolicyKind::Identity,
        None,
    )
    .unwrap()];
    let d = private.handle(&req, NOW).unwrap();
    assert_eq!((d.status, d.outcome), (403, PolicyOutcome::ImplicitDeny));
    assert_eq!(d.table_row, None);
    let text = d.explanation();
    assert!(
        text.contains("refused: this is a private API with no resource policy"),
        "{text}"
    );
    for misleading in [
        "matched, decided",
        "Table A",
        "either the IAM policies or the resource policy may allow",
    ] {
        assert!(!text.contains(misleading), "`{misleading}` in:\n{text}");
    }
}

#[test]
fn unsigned_iam_requests_are_refused_before_policies() {
    let g = gateway(
        EndpointType::Regional,
        Some(allow_if("aws:SecureTransport", "true")),
        Authorization::AwsIam,
    );
    let d = g.handle(&get("/"), NOW).unwrap();
    assert_eq!(d.status, 403);
    assert_eq!(
        d.gateway_response,
        Some(GatewayResponse::MissingAuthenticationToken)
    );
    assert_eq!(d.table_row, None);
}

#[test]
fn same_account_iam_uses_table_a_and_says_why() {
    let g = gateway(EndpointType::Regional, None, Authorization::AwsIam);
    let mut req = get("/");
    req.principal = Some(IamCaller::from_arn("arn:aws:iam::123456789012:user/bob").unwrap());
    let d = g.handle(&req, NOW).unwrap();
    assert_eq!(d.status, 403);
    assert_eq!(d.table_row.map(|r| (r.table, r.row)), Some((Table::A, 5)));
    let text = d.explanation();
    assert!(text.contains("same account, Table A"), "{text}");
    assert!(text.contains("IAM policies: none: Neither Allow nor Deny"));
    assert!(text.contains("resource policy: none attached"));
    assert!(
        text.ends_with("result: 403 ImplicitDeny (ACCESS_DENIED)"),
        "{text}"
    );
}

#[test]
fn invalid_request_values_are_errors() {
    let g = gateway(EndpointType::Regional, None, Authorization::AwsIam);
    let mut req = get("/");
    req.context = vec![(
        ContextKey::new("aws:SourceIp"),
        ContextValue::single("nope"),
    )];
    assert!(matches!(g.handle(&req, NOW), Err(FlowError::Context(_))));
}

fn lambda_gateway(
    policy: Option<serde_json::Value>,
    authorizer_account: &str,
    endpoint: EndpointType,
) -> Gateway {
    let mut g = gateway(endpoint, policy, Authorization::None);
    g.authorization = Authorization::Lambda {
        account: authorizer_account.into(),
        format: crate::lambda::PayloadFormat::Rest,
    };
    g
}

fn call(answer: AuthorizerAnswer, cached: bool) -> AuthorizerCall {
    AuthorizerCall {
        answer: answer.into(),
        source: if cached {
            AnswerSource::Cache { age_seconds: 1 }
        } else {
            AnswerSource::Invoked
        },
    }
}

fn answer(effect: &str, resource: &str, context: serde_json::Value) -> AuthorizerAnswer {
    AuthorizerAnswer::Policy {
        principal_id: "user".into(),
        policy: PolicyDocument::from_json(
            &json!({"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}]}),
            PolicyKind::Identity,
            None,
        )
        .unwrap(),
        context: context.as_object().cloned().unwrap_or_default(),
    }
}

const ALL_OF_PROD: &str = "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/*";

/// The seed's "Lambda authorizer and resource policy" example, with `execute-api:/*` so the
/// deny can match (the seed's `api-id/` resource matches no method).
fn vpce_deny() -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
        "Action": "execute-api:Invoke", "Resource": ["execute-api:/*"],
        "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]})
}

fn via(vpce: &str) -> ApiRequest {
    let mut r = get("/pets");
    r.source_vpce = Some(vpce.into());
    r
}

#[test]
fn pre_auth_deny_stops_the_request_before_the_authorizer() {
    let g = lambda_gateway(Some(vpce_deny()), "123456789012", EndpointType::Private);
    let mut calls = 0;
    let d = g
        .handle_with_authorizer(&via("vpce-99999999"), NOW, &mut || {
            calls += 1;
            call(answer("Allow", ALL_OF_PROD, json!({})), false)
        })
        .unwrap();
    assert_eq!(calls, 0, "the authorizer must not run");
    assert_eq!(
        (d.status, d.outcome, d.authorizer_invoked),
        (403, PolicyOutcome::ExplicitDeny, false)
    );
    assert!(
        d.explanation()
            .contains("pre-auth: the resource policy explicitly denies")
    );
}

#[test]
fn authorizer_answers_map_to_401_403_500_and_200() {
    let g = lambda_gateway(Some(vpce_deny()), "123456789012", EndpointType::Private);
    let run = |a: AuthorizerAnswer| {
        g.handle_with_authorizer(&via("vpce-1a2b3c4d"), NOW, &mut || call(a.clone(), false))
            .unwrap()
    };

    let d = run(answer(
        "Allow",
        ALL_OF_PROD,
        json!({"stringKey": "stringval", "numberKey": 123, "booleanKey": true}),
    ));
    assert_eq!((d.status, d.outcome), (200, PolicyOutcome::Allow));
    assert_eq!(d.principal_id.as_deref(), Some("user"));
    assert_eq!(
        d.context,
        json!({"stringKey": "stringval", "numberKey": "123", "booleanKey": "true"})
            .as_object()
            .cloned()
            .unwrap()
    );
    // Table A row 2: the resource policy is silent for this endpoint, the authorizer allows.
    assert_eq!(d.table_row.map(|r| (r.table, r.row)), Some((Table::A, 2)));
    assert!(d.authorizer_invoked);

    let d = run(answer("Deny", ALL_OF_PROD, json!({})));
    assert_eq!((d.status, d.outcome), (403, PolicyOutcome::ExplicitDeny));

    let d = run(AuthorizerAnswer::Unauthorized);
    assert_eq!(
        (d.status, d.gateway_response),
        (401, Some(GatewayResponse::Unauthorized))
    );

    let d = run(AuthorizerAnswer::Failed("timeout".into()));
    assert_eq!(
        (d.status, d.gateway_response),
        (500, Some(GatewayResponse::AuthorizerFailure))
    );

    let d = run(answer("Allow", ALL_OF_PROD, json!({"nested": {"a": 1}})));
    assert_eq!(d.status, 500);
    assert!(
        d.explanation()
            .contains("`nested` is an object, array or null")
    );
}

#[test]
fn authorizer_and_resource_policy_combine_by_table() {
    let allow_all = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]});
    let other_path = "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/orders";
    // The authorizer's policy is silent for /pets; the resource policy allows it.
    let same = lambda_gateway(
        Some(allow_all.clone()),
        "123456789012",
        EndpointType::Regional,
    );
    let d = same
        .handle_with_authorizer(&get("/pets"), NOW, &mut || {
            call(answer("Allow", other_path, json!({})), false)
        })
        .unwrap();
    assert_eq!(
        (d.status, d.table_row.map(|r| (r.table, r.row))),
        (200, Some((Table::A, 4)))
    );
    let cross = lambda_gateway(Some(allow_all), "210987654321", EndpointType::Regional);
    let d = cross
        .handle_with_authorizer(&get("/pets"), NOW, &mut || {
            call(answer("Allow", other_path, json!({})), false)
        })
        .unwrap();
    assert_eq!(
        (d.status, d.table_row.map(|r| (r.table, r.row))),
        (403, Some((Table::B, 4)))
    );
}

#[test]
fn without_a_resource_policy_the_authorizer_alone_decides() {
    for account in ["123456789012", "210987654321"] {
        let g = lambda_gateway(None, account, EndpointType::Regional);
        let d = g
            .handle_with_authorizer(&get("/pets"), NOW, &mut || {
                call(answer("Allow", ALL_OF_PROD, json!({})), true)
            })
            .unwrap();
        assert_eq!((d.status, d.table_row), (200, None), "{account}");
        assert_eq!((d.authorizer_invoked, d.cache_hit), (false, true));
        let d = g
            .handle_with_authorizer(&get("/pets"), NOW, &mut || {
                call(
                    answer(
                        "Allow",
                        "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/orders",
                        json!({}),
                    ),
                    false,
                )
            })
            .unwrap();
        assert_eq!((d.status, d.outcome), (403, PolicyOutcome::ImplicitDeny));
    }
}

#[test]
fn handle_without_an_answer_is_a_configuration_error() {
    let g = lambda_gateway(None, "123456789012", EndpointType::Regional);
    let d = g.handle(&get("/"), NOW).unwrap();
    assert_eq!(
        d.gateway_response,
        Some(GatewayResponse::AuthorizerConfigurationError)
    );
}

/// The quiet flow builds only the keys the resource policy reads; an authorizer policy that
/// reads others (here `aws:SourceIp`, `aws:EpochTime`, a `${aws:SourceIp}` variable, and an
/// override from the request's own context) gets them added before it is evaluated.
#[test]
fn quiet_decisions_build_the_keys_the_authorizer_policy_reads() {
    // A resource policy that reads `aws:UserAgent` only (and does not match: Table A row 2).
    let g = lambda_gateway(
        Some(allow_if("aws:UserAgent", "curl/8")),
        "123456789012",
        EndpointType::Regional,
    );
    let policy = PolicyDocument::from_json(
        &json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "execute-api:Invoke",
             "Resource": "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/*",
             "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"},
                           "NumericGreaterThan": {"aws:EpochTime": "1700000000"}}},
            {"Effect": "Deny", "Action": "execute-api:Invoke",
             "Resource": "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/ip/${aws:SourceIp}"},
            {"Effect": "Deny", "Action": "execute-api:Invoke",
             "Resource": "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/*",
             "Condition": {"StringEquals": {"aws:Referer": "blocked"}}}]}),
        PolicyKind::Identity,
        None,
    )
    .unwrap();
    assert!(policy.keys_read().contains(KnownKey::SourceIp));
    assert!(!g.resource_keys().contains(KnownKey::SourceIp));
    let answer = std::sync::Arc::new(AuthorizerAnswer::Policy {
        principal_id: "user".into(),
        policy,
        context: Map::new(),
    });
    let outside = {
        let mut r = get("/pets");
        r.source_ip = Some("203.0.113.9".parse().unwrap());
        r
    };
    let referer = {
        let mut r = get("/pets");
        r.context = vec![(
            ContextKey::known(KnownKey::Referer),
            ContextValue::single("blocked"),
        )];
        r
    };
    for (request, status) in [
        (get("/pets"), 200),
        (outside, 403),
        (get("/ip/192.0.2.10"), 403),
        (referer, 403),
    ] {
        let call = || AuthorizerCall {
            answer: answer.clone(),
            source: AnswerSource::Invoked,
        };
        let quiet = g
            .decide_with_authorizer(&request, NOW, &mut || call())
            .unwrap();
        let mut explained = g
            .handle_with_authorizer(&request, NOW, &mut || call())
            .unwrap();
        assert_eq!(quiet.status, status, "{}", explained.explanation());
        explained.steps.clear();
        assert_eq!(quiet, explained, "{}", request.path);
    }
}
