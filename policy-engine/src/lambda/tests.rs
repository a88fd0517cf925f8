// Unit tests of `lambda.rs`: the gateway's side of calling an authorizer, per API type.
use std::sync::Mutex;

use serde_json::json;

use super::*;
use crate::arn::ApiRef;
use crate::flow::EndpointType;

/// A function that records every event and answers with a fixed result.
#[derive(Debug)]
struct Recorder {
    result: FunctionResult,
    calls: Mutex<Vec<(String, Value)>>,
}

impl Recorder {
    fn new(result: FunctionResult) -> Arc<Self> {
        Arc::new(Self {
            result,
            calls: Mutex::new(Vec::new()),
        })
    }
    fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().unwrap().clone()
    }
}

impl AuthorizerFunction for Recorder {
    fn invoke(&self, identity: &str, event: &Value) -> FunctionResult {
        self.calls
            .lock()
            .unwrap()
            .push((identity.to_owned(), event.clone()));
        self.result.clone()
    }
    fn describe(&self) -> String {
        "a recorder".into()
    }
}

fn api(api_type: ApiType) -> Api {
    Api {
        api_type,
        api_ref: ApiRef {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account_id: "111111111111".into(),
            api_id: "a1b2c3d4e5".into(),
        },
        stage: "prod".into(),
        endpoint: EndpointType::Regional,
    }
}

fn setup(
    kind: LambdaKind,
    format: PayloadFormat,
    ttl: u64,
    sources: &[&str],
    function: Arc<Recorder>,
) -> LambdaSetup {
    LambdaSetup {
        kind,
        format,
        ttl_seconds: ttl,
        identity_sources: sources
            .iter()
            .map(|s| IdentitySource::parse(s).unwrap())
            .collect(),
        validation: None,
        function,
    }
}

fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> ApiRequest {
    ApiRequest {
        method: method.into(),
        path: path.into(),
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        source_ip: Some("192.0.2.10".parse().unwrap()),
        ..ApiRequest::default()
    }
}

fn allow_all() -> FunctionResult {
    FunctionResult::Response(json!({
        "principalId": "alice",
        "policyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]},
        "context": {"tier": "gold"}
    }))
}

fn cache(ttl: u64) -> AuthorizerCache<Arc<AuthorizerAnswer>> {
    AuthorizerCache::new(ttl, 100).unwrap()
}

#[test]
fn missing_identity_sources_are_401_without_invoking_per_api_type() {
    // (API, kind, format, ttl, sources, must the gateway refuse a request lacking them?)
    let rows: [(ApiType, LambdaKind, PayloadFormat, u64, &str, bool); 7] = [
        (
            ApiType::Rest,
            LambdaKind::Token,
            PayloadFormat::Rest,
            0,
            "method.request.header.Authorization",
            true,
        ),
        (
            ApiType::Rest,
            LambdaKind::Token,
            PayloadFormat::Rest,
            300,
            "method.request.header.Authorization",
            true,
        ),
        (
            ApiType::Rest,
            LambdaKind::Request,
            PayloadFormat::Rest,
            300,
            "method.request.header.X-Key",
            true,
        ),
        (
            ApiType::Rest,
            LambdaKind::Request,
            PayloadFormat::Rest,
            0,
            "method.request.header.X-Key",
            false,
        ),
        (
            ApiType::Http,
            LambdaKind::Request,
            PayloadFormat::HttpV2 { simple: false },
            0,
            "$request.header.X-Key",
            true,
        ),
        (
            ApiType::Http,
            LambdaKind::Request,
            PayloadFormat::HttpV1,
            300,
            "$request.header.X-Key",
            true,
        ),
        (
            ApiType::WebSocket,
            LambdaKind::Request,
            PayloadFormat::WebSocket,
            0,
            "route.request.header.X-Key",
            true,
        ),
    ];
    for (api_type, kind, format, ttl, source, refuses) in rows {
        let f = Recorder::new(allow_all());
        let s = setup(kind, format, ttl, &[source], f.clone());
        for headers in [&[][..], &[("X-Key", ""), ("Authorization", "")][..]] {
            let call = s.call(
                &api(api_type),
                &request("GET", "/pets", headers),
                &cache(ttl),
                0,
            );
            if refuses {
                assert_eq!(
                    call.answer,
                    AuthorizerAnswer::Unauthorized.into(),
                    "{api_type:?} {kind:?} {ttl}"
                );
                assert!(
                    matches!(call.source, AnswerSource::Gateway(ref why) if why.contains("missing or empty"))
                );
                assert!(f.calls().is_empty(), "{api_type:?} {kind:?}: invoked");
            } else {
                assert_eq!(
                    call.source,
                    AnswerSource::Invoked,
                    "{api_type:?} {kind:?} {ttl}"
                );
            }
        }
    }
}

#[test]
fn the_cache_hits_misses_expires_and_keys_on_every_source_in_order() {
    let f = Recorder::new(allow_all());
    let s = setup(
        LambdaKind::Request,
        PayloadFormat::Rest,
        60,
        &["method.request.header.A", "method.request.querystring.b"],
        f.clone(),
    );
    let c = cache(60);
    let a = api(ApiType::Rest);
    let mut req = request("GET", "/pets", &[("A", "1")]);
    req.query = vec![("b".into(), "2".into())];
    assert_eq!(
        s.call(&a, &req, &c, 0).source,
        AnswerSource::Invoked,
        "miss"
    );
    assert_eq!(
        s.call(&a, &req, &c, 59).source,
        AnswerSource::Cache { age_seconds: 59 },
        "hit within the TTL"
    );
    assert_eq!(
        s.call(&a, &req, &c, 60).source,
        AnswerSource::Invoked,
        "expired at exactly the TTL"
    );
    let mut other = req.clone();
    other.query = vec![("b".into(), "3".into())];
    assert_eq!(
        s.call(&a, &other, &c, 61).source,
        AnswerSource::Invoked,
        "a changed key part misses"
    );
    assert_eq!(f.calls().len(), 3);
    let identities: Vec<String> = f.calls().into_iter().map(|(i, _)| i).collect();
    assert_eq!(identities, ["1,2", "1,2", "1,3"]);
}

#[test]
fn ttl_zero_invokes_every_time_and_errors_are_never_cached() {
    let f = Recorder::new(allow_all());
    let s = setup(
        LambdaKind::Token,
        PayloadFormat::Rest,
        0,
        &["method.request.header.Authorization"],
        f.clone(),
    );
    let c = cache(0);
    let req = request("GET", "/", &[("Authorization", "t")]);
    for at in 0..3 {
        assert_eq!(
            s.call(&api(ApiType::Rest), &req, &c, at).source,
            AnswerSource::Invoked
        );
    }
    let failing = Recorder::new(FunctionResult::Unauthorized);
    let s = setup(
        LambdaKind::Token,
        PayloadFormat::Rest,
        300,
        &["method.request.header.Authorization"],
        failing.clone(),
    );
    let c = cache(300);
    for at in 0..2 {
        let call = s.call(&api(ApiType::Rest), &req, &c, at);
        assert_eq!(
            (call.answer, call.source),
            (AuthorizerAnswer::Unauthorized.into(), AnswerSource::Invoked)
        );
    }
    assert_eq!(failing.calls().len(), 2);
}

#[test]
fn token_validation_expression_refuses_before_invoking() {
    let f = Recorder::new(allow_all());
    let mut s = setup(
        LambdaKind::Token,
        PayloadFormat::Rest,
        0,
        &["method.request.header.Authorization"],
        f.clone(),
    );
    s.validation = Some(ValidationExpression::new("^Bearer [a-z]+$").unwrap());
    let bad = s.call(
        &api(ApiType::Rest),
        &request("GET", "/", &[("Authorization", "Basic x")]),
        &cache(0),
        0,
    );
    assert!(
        matches!(bad.source, AnswerSource::Gateway(ref why) if why.contains("identityValidationExpression"))
    );
    assert!(f.calls().is_empty());
    let good = s.call(
        &api(ApiType::Rest),
        &request("GET", "/", &[("Authorization", "Bearer abc")]),
        &cache(0),
        0,
    );
    assert_eq!(good.source, AnswerSource::Invoked);
}

#[test]
fn responses_are_read_per_format() {
    let f = Recorder::new(allow_all());
    let rest = setup(LambdaKind::Request, PayloadFormat::Rest, 0, &[], f.clone());
    let simple = setup(
        LambdaKind::Request,
        PayloadFormat::HttpV2 { simple: true },
        0,
        &[],
        f,
    );
    let failed = |a: AuthorizerAnswer, needle: &str| match a {
        AuthorizerAnswer::Failed(why) => assert!(
            why.contains(needle) && why.ends_with("API Gateway answers 500"),
            "{why}"
        ),
        other => panic!("{other:?}"),
    };
    failed(rest.read_response(&json!("Allow")), "not a JSON object");
    failed(
        rest.read_response(&json!({"policyDocument": {}})),
        "no `principalId`",
    );
    failed(
        rest.read_response(&json!({"principalId": "p"})),
        "no `policyDocument`",
    );
    failed(
        rest.read_response(&json!({"principalId": "p", "policyDocument": {"Statement": "x"}})),
        "the returned policy is invalid",
    );
    failed(rest.read_response(&json!({"principalId": "p", "policyDocument": {"Version": "2012-10-17", "Statement": []}, "context": []})), "`context` is not an object");
    // A simple response is only `isAuthorized` (a boolean) and `context`.
    failed(
        simple.read_response(&json!({"isAuthorized": "true"})),
        "`isAuthorized`, a boolean",
    );
    failed(
        simple.read_response(&json!({"principalId": "p", "policyDocument": {}})),
        "`isAuthorized`",
    );
    assert_eq!(
        simple.read_response(&json!({"isAuthorized": false, "context": {"a": [1]}})),
        AuthorizerAnswer::Simple {
            authorized: false,
            context: json!({"a": [1]}).as_object().unwrap().clone()
        }
    );
    // The 8 KB result quota: a response just over it is a 500, one at it is read.
    let padded = |len: usize| {
        let mut r = json!({"principalId": "p", "policyDocument": {"Version": "2012-10-17", "Statement": []}, "context": {"pad": ""}});
        let base = r.to_string().len();
        r["context"]["pad"] = json!("x".repeat(len - base));
        r
    };
    assert!(matches!(
        rest.read_response(&padded(MAX_RESULT_BYTES)),
        AuthorizerAnswer::Policy { .. }
    ));
    failed(
        rest.read_response(&padded(MAX_RESULT_BYTES + 1)),
        "above the 8192-byte quota",
    );
    // A numeric principalId is accepted, as a string.
    match rest.read_response(
        &json!({"principalId": 42, "policyDocument": {"Version": "2012-10-17", "Statement": []}}),
    ) {
        AuthorizerAnswer::Policy { principal_id, .. } => assert_eq!(principal_id, "42"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn events_have_the_shape_of_each_api_type() {
    let f = Recorder::new(allow_all());
    let mut req = request(
        "GET",
        "/pets/7",
        &[
            ("Authorization", "tok"),
            ("X-Multi", "a"),
            ("x-multi", "b"),
            ("Cookie", "s=1; t=2"),
        ],
    );
    req.query = vec![("q".into(), "1".into()), ("q".into(), "2".into())];
    req.stage_variables = vec![("env".into(), "prod".into())];
    let ids = vec!["tok".to_owned()];

    let token = setup(
        LambdaKind::Token,
        PayloadFormat::Rest,
        0,
        &["method.request.header.Authorization"],
        f.clone(),
    );
    assert_eq!(
        token.event(&api(ApiType::Rest), &req, &ids, 0),
        json!({"type": "TOKEN", "authorizationToken": "tok", "methodArn": "arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5/prod/GET/pets/7"})
    );

    let rest = setup(LambdaKind::Request, PayloadFormat::Rest, 0, &[], f.clone()).event(
        &api(ApiType::Rest),
        &req,
        &ids,
        0,
    );
    assert_eq!(rest["type"], "REQUEST");
    assert_eq!(rest["httpMethod"], "GET");
    assert_eq!(
        rest["multiValueQueryStringParameters"]["q"],
        json!(["1", "2"])
    );
    assert_eq!(
        rest["queryStringParameters"]["q"], "2",
        "REST keeps the last value"
    );
    assert_eq!(rest["requestContext"]["identity"]["sourceIp"], "192.0.2.10");
    assert_eq!(rest["stageVariables"]["env"], "prod");
    assert!(rest.get("version").is_none());

    let v1 = setup(
        LambdaKind::Request,
        PayloadFormat::HttpV1,
        0,
        &[],
        f.clone(),
    )
    .event(&api(ApiType::Http), &req, &ids, 0);
    assert_eq!(
        (v1["version"].as_str(), v1["identitySource"].as_str()),
        (Some("1.0"), Some("tok"))
    );

    let v2 = setup(
        LambdaKind::Request,
        PayloadFormat::HttpV2 { simple: true },
        0,
        &[],
        f.clone(),
    )
    .event(&api(ApiType::Http), &req, &ids, 1_700_000_000);
    assert_eq!(v2["version"], "2.0");
    assert_eq!(
        v2["routeArn"],
        "arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5/prod/GET/pets/7"
    );
    assert_eq!(v2["identitySource"], json!(["tok"]));
    assert_eq!(
        v2["headers"]["x-multi"], "a,b",
        "2.0 lower-cases names and joins repeats"
    );
    assert_eq!(v2["queryStringParameters"]["q"], "1,2");
    assert_eq!(v2["rawQueryString"], "q=1&q=2");
    assert_eq!(v2["cookies"], json!(["s=1", "t=2"]));
    assert_eq!(v2["routeKey"], "GET /pets/7");
    assert_eq!(v2["requestContext"]["timeEpoch"], 1_700_000_000_000_i64);
    // A stage other than `$default` stands at the front of the path HTTP APIs pass on, as
    // captured events show (Powertools issue #621: "HTTP API non-$default stage includes stage
    // in rawPath as a prefix"); on `$default` the path is the request's own.
    assert_eq!(
        (&v2["rawPath"], &v2["requestContext"]["http"]["path"]),
        (&json!("/prod/pets/7"), &json!("/prod/pets/7"))
    );
    let mut default_stage = api(ApiType::Http);
    default_stage.stage = "$default".into();
    let v2_default = setup(
        LambdaKind::Request,
        PayloadFormat::HttpV2 { simple: true },
        0,
        &[],
        f.clone(),
    )
    .event(&default_stage, &req, &ids, 0);
    assert_eq!(v2_default["rawPath"], "/pets/7");
    assert_eq!(v2_default["requestContext"]["http"]["path"], "/pets/7");

    let ws = setup(LambdaKind::Request, PayloadFormat::WebSocket, 0, &[], f).event(
        &api(ApiType::WebSocket),
        &req,
        &ids,
        0,
    );
    assert_eq!(
        ws["methodArn"],
        "arn:aws:execute-api:us-east-1:111111111111:a1b2c3d4e5/prod/$connect"
    );
    assert_eq!(ws["requestContext"]["eventType"], "CONNECT");
    assert_eq!(ws["requestContext"]["routeKey"], "$connect");
    assert!(ws.get("httpMethod").is_none());
}

#[test]
fn route_key_identity_source_caches_per_route() {
    let f = Recorder::new(FunctionResult::Response(json!({"isAuthorized": true})));
    let s = setup(
        LambdaKind::Request,
        PayloadFormat::HttpV2 { simple: true },
        300,
        &["$request.header.Authorization", "$context.routeKey"],
        f.clone(),
    );
    let c = cache(300);
    let a = api(ApiType::Http);
    let pets = request("GET", "/pets", &[("Authorization", "t")]);
    let users = request("GET", "/users", &[("Authorization", "t")]);
    assert_eq!(s.call(&a, &pets, &c, 0).source, AnswerSource::Invoked);
    assert_eq!(
        s.call(&a, &users, &c, 1).source,
        AnswerSource::Invoked,
        "another route, another key"
    );
    assert!(matches!(
        s.call(&a, &pets, &c, 2).source,
        AnswerSource::Cache { .. }
    ));
    assert_eq!(
        f.calls()
            .iter()
            .map(|(i, _)| i.as_str())
            .collect::<Vec<_>>(),
        ["t,GET /pets", "t,GET /users"]
    );
}

#[test]
fn the_arn_text_is_the_method_arn() {
    let mut keyed = request("GET", "/ignored", &[]);
    keyed.route_key = Some("sendMessage".into());
    for (api_type, req) in [
        (ApiType::Rest, request("GET", "/pets/42", &[])),
        (ApiType::Rest, request("POST", "pets", &[])),
        (ApiType::Http, request("DELETE", "/", &[])),
        (ApiType::WebSocket, request("GET", "/", &[])),
        (ApiType::WebSocket, keyed.clone()),
    ] {
        let a = api(api_type);
        assert_eq!(
            request_arn_text(&a, &req),
            request_arn(&a, &req).as_str(),
            "{api_type:?} {}",
            req.path
        );
    }
}
