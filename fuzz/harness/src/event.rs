//! The `authorizer_event` target: any event through the rules-file authorizer's handler.
//!
//! Input: event JSON, optionally followed by `\0 S CLAIMS`: the harness then signs a token over
//! the `CLAIMS` bytes (HS256 with its secret, or ES256 when bit 0 of `S` is set) and puts it,
//! as `Bearer <token>`, where the authorizers look: `authorizationToken` of a `TOKEN` event,
//! the `Authorization` header and the `token` query parameter.
//!
//! Three authorizers read every event: HMAC keys with the token in the `Authorization` header
//! and simple responses for HTTP APIs; HMAC keys with the token in the `token` query parameter
//! (`Bearer ` required) and IAM policies everywhere; and the JWKS file (RS256 and ES256).
//!
//! Invariants: the event reads the same through `from_slice`, `from_json` and serde; the
//! handler answers only for a token the reference check finds signed by the authorizer's keys
//! and valid (anything else is a fail-open); the policy it returns, evaluated as API Gateway
//! evaluates a cached policy, allows the called route exactly when the rules grant it and, on
//! the same API and stage, allows a set of other routes exactly when the rules grant them; a
//! simple response's `isAuthorized` is whether the called route is granted; the response
//! serializes to the JSON `to_json` gives, and the gateway reads its policy back unchanged.

use std::sync::LazyLock;

use authorizer::builder::HTTP_METHODS;
use authorizer::event::AuthorizerEvent;
use authorizer::handler::{Outcome, RulesAuthorizer};
use authorizer::response::AuthorizerResponse;
use authorizer::rules::{Config, RouteSpec, TokenLocation};
use jsonwebtoken::Algorithm;
use policy_engine::arn::{MethodArn, Route};
use policy_engine::context::RequestContext;
use policy_engine::eval::{EvalRequest, INVOKE_ACTION, PolicyOutcome};
use policy_engine::policy::{PolicyDocument, PolicyKind};
use policy_engine::principal::Caller;
use serde_json::{Value, json};

use crate::keys::{self, ClaimRules};

/// Runs one input; see [the module](mod@crate::event) for its format and invariants.
pub fn authorizer_event(data: &[u8]) {
    let (event_bytes, signed) = match crate::split_nul(data) {
        Some((event, rest)) => (event, Some(rest)),
        None => (data, None),
    };
    let from_slice = AuthorizerEvent::from_slice(event_bytes);
    let via_serde = serde_json::from_slice::<AuthorizerEvent>(event_bytes);
    assert_eq!(
        from_slice.as_ref().ok(),
        via_serde.as_ref().ok(),
        "from_slice and serde read the event differently"
    );
    let Ok(mut value) = serde_json::from_slice::<Value>(event_bytes) else {
        assert!(from_slice.is_err(), "an event that is not JSON was read");
        return;
    };
    if let Some(rest) = signed {
        let (selector, claims) = rest.split_first().map_or((0, &[][..]), |(s, c)| (*s, c));
        let alg = if selector & 1 == 0 {
            Algorithm::HS256
        } else {
            Algorithm::ES256
        };
        if let Some(token) = keys::sign(&keys::canonical_header(alg), claims, alg) {
            put_token(&mut value, &format!("Bearer {token}"));
        }
    }
    let event = match AuthorizerEvent::from_json(&value) {
        Ok(event) => event,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    if signed.is_none() {
        assert_eq!(
            from_slice.as_ref().ok(),
            Some(&event),
            "from_slice and from_json differ"
        );
    }
    read_everything(&event);
    for authorizer in authorizers() {
        let result = crate::runtime().block_on(authorizer.handler.handle(&event));
        match result {
            Ok((response, outcome)) => answered(authorizer, &event, &response, &outcome),
            Err(e) => {
                let _ = (e.to_string(), e.reason(), e.is_unauthorized());
            }
        }
    }
}

/// Puts `token` everywhere the authorizers look for one.
fn put_token(event: &mut Value, token: &str) {
    let Some(object) = event.as_object_mut() else {
        return;
    };
    if object.get("type").and_then(Value::as_str) == Some("TOKEN") {
        object.insert("authorizationToken".into(), token.into());
    }
    for (field, name) in [
        ("headers", "Authorization"),
        ("queryStringParameters", "token"),
    ] {
        let entry = object.entry(field).or_insert_with(|| json!({}));
        if entry.is_null() {
            *entry = json!({});
        }
        if let Some(map) = entry.as_object_mut() {
            map.insert(name.into(), token.into());
        }
    }
}

/// Every accessor of the event model, for panics.
fn read_everything(event: &AuthorizerEvent) {
    let _ = (
        event.kind(),
        event.kind().to_string(),
        event.method_arn(),
        event.token(),
    );
    let _ = (
        event.header("authorization"),
        event.header_values("Authorization"),
    );
    let _ = (event.query("token"), event.query_values("token"));
    let _ = (event.path_parameter("id"), event.stage_variable("stage"));
    let _ = (event.cookies(), event.cookie("session"));
    let _ = (event.http_method(), event.path(), event.route_key());
    let _ = (event.source_ip(), event.stage());
}

/// A rules-file authorizer and what the reference needs to judge its answers.
struct Subject {
    handler: RulesAuthorizer,
    allowed: &'static [Algorithm],
    rules: ClaimRules<'static>,
}

/// The routes every rules file of the harness grants: wildcards in paths and verbs, a single
/// character, the root, route keys.
fn rules_json() -> Value {
    json!([
        {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
        {"routes": ["POST /pets", "PUT /pets/?"], "anyScope": ["pets:write"]},
        {"routes": ["* /admin/*"], "claims": {"cognito:groups": ["admin"]}},
        {"routes": ["$connect", "GET /"], "claims": {"tier": ["gold", "1", "true"]}}
    ])
}

fn authorizers() -> &'static [Subject; 3] {
    static AUTHORIZERS: LazyLock<[Subject; 3]> = LazyLock::new(|| {
        let context =
            json!({"tenant": "claim:tenant_id", "scopes": "claim:scope", "source": "literal:fuzz"});
        let hmac = |token: Value, response: &str| {
            json!({
                "token": token,
                "jwt": {"issuer": keys::ISSUER, "audiences": [keys::AUDIENCE],
                        "hmacSecretEnv": "FUZZ_SECRET", "algorithms": ["HS256"],
                        "leewaySeconds": keys::HMAC_LEEWAY, "requiredClaims": ["sub"]},
                "principalId": "claim:sub",
                "context": context,
                "rules": rules_json(),
                "httpApiResponse": response
            })
        };
        let jwks = json!({
            "jwt": {"issuer": keys::ISSUER, "audiences": [keys::AUDIENCE],
                    "jwksFile": keys::jwks_path(), "algorithms": ["RS256", "ES256"],
                    "requiredClaims": ["sub"]},
            "context": context,
            "rules": rules_json()
        });
        const HMAC_RULES: ClaimRules<'static> = ClaimRules {
            leeway: keys::HMAC_LEEWAY,
            required: &["sub"],
        };
        [
            subject(
                &hmac(json!({"header": "Authorization"}), "simple"),
                &[Algorithm::HS256],
                HMAC_RULES,
            ),
            subject(
                &hmac(json!({"query": "token", "bearer": "required"}), "iam"),
                &[Algorithm::HS256],
                HMAC_RULES,
            ),
            subject(
                &jwks,
                &keys::JWKS_ALGORITHMS,
                ClaimRules {
                    leeway: 0,
                    required: &["sub"],
                },
            ),
        ]
    });
    &AUTHORIZERS
}

fn subject(rules: &Value, allowed: &'static [Algorithm], claims: ClaimRules<'static>) -> Subject {
    let config = Config::parse(
        "fuzz-rules.json",
        &rules.to_string(),
        &crate::repo_root(),
        &|_| Some(keys::HMAC_SECRET.to_owned()),
    )
    .expect("the harness's rules files are valid");
    let handler = crate::runtime()
        .block_on(RulesAuthorizer::new(config))
        .expect("the harness's authorizers start");
    Subject {
        handler,
        allowed,
        rules: claims,
    }
}

/// The token as the handler finds it, `Bearer ` rule applied.
fn token_of<'e>(subject: &Subject, event: &'e AuthorizerEvent) -> Option<&'e str> {
    let config = subject.handler.config();
    let raw = match event {
        AuthorizerEvent::Token(_) => event.token(),
        _ => match &config.token.location {
            TokenLocation::Header(name) => event.header(name),
            TokenLocation::Query(name) => event.query(name),
            // `TokenLocation` is `#[non_exhaustive]`; the handler finds no token in a place
            // this harness does not know either.
            _ => None,
        },
    }?;
    config.token.strip_bearer(raw)
}

/// Checks an answer of `subject` to `event`.
fn answered(
    subject: &Subject,
    event: &AuthorizerEvent,
    response: &AuthorizerResponse,
    outcome: &Outcome,
) {
    let before = keys::now();
    let token = token_of(subject, event)
        .unwrap_or_else(|| panic!("fail-open: an answer without a token in the event: {event:?}"));
    let decoded = keys::decode_signed(token, subject.allowed).unwrap_or_else(|| {
        panic!("fail-open: an answer for a token not signed by the authorizer's keys: {token:?}")
    });
    let after = keys::now();
    assert!(
        keys::claims_valid(&decoded.claims, before, &subject.rules)
            || keys::claims_valid(&decoded.claims, after, &subject.rules),
        "fail-open: an answer for a token with invalid claims: {:?}",
        decoded.claims
    );

    let json = response.to_json();
    let wire = serde_json::to_value(response).expect("a response serializes");
    assert_eq!(wire, json, "the response's wire form and to_json differ");
    assert_eq!(
        response.validate(),
        Ok(()),
        "the handler returned an invalid response"
    );

    let config = subject.handler.config();
    let granted = config.granted_routes(&decoded.claims);
    match response {
        AuthorizerResponse::Simple(simple) => assert_eq!(
            simple.is_authorized, outcome.called_route_granted,
            "isAuthorized is not whether the called route is granted"
        ),
        AuthorizerResponse::Policy(policy) => {
            let document = &policy.policy_document;
            let read_back = json
                .get("policyDocument")
                .map(|p| PolicyDocument::from_json(p, PolicyKind::Identity, None));
            assert_eq!(
                read_back.as_ref().map(|r| r.as_ref().ok()),
                Some(Some(document)),
                "the gateway reads back another policy"
            );
            let arn = MethodArn::parse(event.method_arn())
                .expect("the handler answered for an unusable method ARN");
            // The policy names the event's API and stage verbatim. API Gateway never puts `*`,
            // `?` or `${` there (the one exception, the stage `*` of a console test
            // invocation, is not cached for other requests); with them the prefix itself is
            // a pattern (`*` spans `/`, `${...}` is a policy variable), and the route checks
            // below do not apply.
            let api = arn.api();
            let verbatim = [&api.partition, &api.region, &api.account_id, &api.api_id]
                .into_iter()
                .map(String::as_str)
                .chain([arn.stage()])
                .all(|part| !part.contains(['*', '?']) && !part.contains("${"));
            if !verbatim {
                return;
            }
            let allowed = allows(document, &arn);
            assert!(
                !allowed || outcome.called_route_granted,
                "fail-open: the returned policy allows the called route `{arn}`, which the rules do not grant: {json}"
            );
            // Rules compare verbs ignoring case, policies (like API Gateway) exactly: they
            // agree on the verbs API Gateway sends, in capitals.
            let canonical_verb = match arn.route() {
                Route::Method { verb, .. } => HTTP_METHODS.contains(&verb.as_str()),
                Route::Key(_) => true,
            };
            if canonical_verb {
                assert_eq!(
                    allowed, outcome.called_route_granted,
                    "the returned policy denies the called route `{arn}`, which the rules grant: {json}"
                );
            }
            for (route, probe) in probes(&arn) {
                let expected = granted.iter().any(|r| match &route {
                    Probe::Method(verb, path) => r.covers(Some(verb), Some(path), None),
                    Probe::Key(key) => r.covers(None, None, Some(key)),
                });
                assert_eq!(
                    allows(document, &probe),
                    expected,
                    "fail-{}: the policy cached for this token {} `{probe}`, which the rules {} ({:?}); policy {json}",
                    if expected { "closed" } else { "open" },
                    if expected { "denies" } else { "allows" },
                    if expected { "grant" } else { "do not grant" },
                    granted.iter().map(|r| route_text(r)).collect::<Vec<_>>()
                );
            }
        }
    }
}

/// Whether `policy` allows invoking `arn`, as API Gateway evaluates an authorizer's policy.
fn allows(policy: &PolicyDocument, arn: &MethodArn) -> bool {
    let context = RequestContext::new();
    let request = EvalRequest {
        action: INVOKE_ACTION,
        resource: arn.as_str(),
        caller: &Caller::Anonymous,
        owner_account: &arn.api().account_id,
        context: &context,
    };
    policy.evaluate(&request).outcome == PolicyOutcome::Allow
}

/// A route a later request with the same token may call.
enum Probe {
    Method(&'static str, &'static str),
    Key(&'static str),
}

/// Routes on the API and stage of `arn`, near the rules' routes and far from them.
fn probes(arn: &MethodArn) -> Vec<(Probe, MethodArn)> {
    const METHODS: [(&str, &str); 12] = [
        ("GET", "/pets"),
        ("GET", "/pets/1"),
        ("GET", "/pets/1/owner"),
        ("POST", "/pets"),
        ("PUT", "/pets/1"),
        ("PUT", "/pets/12"),
        ("DELETE", "/pets/1"),
        ("GET", "/admin/users"),
        ("POST", "/x/admin/users"),
        ("GET", "/pets/admin/x"),
        ("GET", "/"),
        ("OPTIONS", "/"),
    ];
    let mut out: Vec<(Probe, MethodArn)> = METHODS
        .iter()
        .map(|(verb, path)| {
            (
                Probe::Method(verb, path),
                MethodArn::for_method(arn.api(), arn.stage(), verb, path),
            )
        })
        .collect();
    for key in ["$connect", "$disconnect", "$default"] {
        out.push((
            Probe::Key(key),
            MethodArn::for_route_key(arn.api(), arn.stage(), key),
        ));
    }
    out
}

fn route_text(route: &RouteSpec) -> String {
    match route {
        RouteSpec::Method { verb, path, .. } => format!("{verb} {path}"),
        RouteSpec::Key(key) => key.clone(),
        // `RouteSpec` is `#[non_exhaustive]`: a route kind added later reads as its debug form.
        other => format!("{other:?}"),
    }
}
