//! Lints of a whole access setup — a scenario file's `api`, `resourcePolicy` and `auth` — on
//! top of the resource-policy lints: the authorizer-result cache, identity sources, the size of
//! what the authorizer returns, and how a resource-policy `Allow` combines with the method's
//! authorization (Table A).
//!
//! The `auth` object is reviewed as written, before the strict scenario parser runs, so a TTL
//! or a cache setting API Gateway would refuse is reported as a finding with its fix rather
//! than as an unreadable file.

use serde_json::Value;

use super::{lint_resource_policy, AuthKind, Finding, MethodsAuth, Severity};
use crate::cache::MAX_TTL_SECONDS;
use crate::flow::{Api, ApiType, Authorization, Gateway};
use crate::json::JsonPath;
use crate::lambda::MAX_RESULT_BYTES;
use crate::openapi::{AuthorizerType, MethodAuth, OpenApiSetup};
use crate::policy::{Effect, PolicyDocument, PolicyKind, PrincipalClause};

/// Reviews of the `auth` object as written: TTL, caching without identity sources, the
/// first-method trap and the size of each `responses` entry.
pub fn lint_auth_value(auth: &Value, at: &JsonPath, api_type: ApiType) -> Vec<Finding> {
    let Some(auth) = auth.as_object() else {
        return Vec::new();
    };
    let kind = auth.get("type").and_then(Value::as_str).unwrap_or("NONE");
    if !matches!(kind, "LAMBDA_TOKEN" | "LAMBDA_REQUEST") {
        return Vec::new();
    }
    let mut findings = Vec::new();
    let sources = auth
        .get("identitySources")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let sources = if kind == "LAMBDA_TOKEN" && !auth.contains_key("identitySources") {
        1
    } else {
        sources
    };
    let explicit_ttl = auth.get("ttlSeconds").and_then(Value::as_i64);
    let ttl = match (explicit_ttl, api_type) {
        (Some(t), _) => t,
        (None, ApiType::WebSocket) => 0,
        (None, ApiType::Http) if sources == 0 => 0,
        (None, _) => i64::try_from(crate::cache::DEFAULT_TTL_SECONDS).unwrap_or(0),
    };
    let ttl_path = at.key("ttlSeconds");
    if ttl > i64::try_from(MAX_TTL_SECONDS).unwrap_or(i64::MAX) {
        findings.push(Finding {
            severity: Severity::Error,
            code: "ttl-above-maximum",
            path: ttl_path.clone(),
            message: format!("an authorizer result TTL of `{ttl}` seconds is above the maximum of {MAX_TTL_SECONDS}: API Gateway refuses the authorizer, so the deployment fails"),
            fix: format!("set `ttlSeconds` to at most {MAX_TTL_SECONDS} (300 is the default; 0 turns caching off)"),
        });
    } else if ttl < 0 {
        findings.push(Finding {
            severity: Severity::Error,
            code: "ttl-above-maximum",
            path: ttl_path.clone(),
            message: format!(
                "an authorizer result TTL of `{ttl}` seconds is not one API Gateway accepts"
            ),
            fix: "set `ttlSeconds` between 0 (no caching) and 3600".to_owned(),
        });
    }
    if ttl > 0 && sources == 0 {
        findings.push(Finding {
            severity: Severity::Error,
            code: "cache-without-identity-source",
            path: at.key("identitySources"),
            message: format!(
                "caching is on (TTL {ttl} s{}) but the authorizer has no identity source: API Gateway keys the cache on the identity sources and refuses an authorizer that caches without one",
                if explicit_ttl.is_some() { "" } else { ", the default" }
            ),
            fix: "add the identity sources the decision depends on (such as `method.request.header.Authorization`), or set `ttlSeconds` to 0".to_owned(),
        });
    }
    if let Some(Value::Object(responses)) = auth.get("responses") {
        let responses_path = at.key("responses");
        for (identity, entry) in responses {
            let entry_path = responses_path.key(identity);
            if let Some(f) = result_size(entry, &entry_path) {
                findings.push(f);
            }
            if ttl > 0 {
                if let Some(f) = first_method_trap(entry, &entry_path, ttl) {
                    findings.push(f);
                }
            }
        }
    }
    findings
}

/// `authorizer-result-size`: a response over (error) or near (warning) the 8 KB quota.
pub fn result_size(entry: &Value, at: &JsonPath) -> Option<Finding> {
    if entry.get("error").is_some() {
        return None;
    }
    let size = entry.to_string().len();
    let near = MAX_RESULT_BYTES.saturating_mul(9) / 10;
    let severity = if size > MAX_RESULT_BYTES {
        Severity::Error
    } else if size > near {
        Severity::Warning
    } else {
        return None;
    };
    Some(Finding {
        severity,
        code: "authorizer-result-size",
        path: at.clone(),
        message: format!(
            "this authorizer result is {size} bytes; API Gateway accepts at most {MAX_RESULT_BYTES} (quota \"AWS Lambda authorizer result size\", not adjustable){}",
            if severity == Severity::Error { ": every request with this identity gets 500" } else { ": a few more routes or context values and requests get 500" }
        ),
        fix: "allow route prefixes with wildcards (`.../prod/GET/pets/*`) instead of listing every ARN, and keep the context small".to_owned(),
    })
}

/// `cache-first-method-trap`: with caching on, a policy allowing exactly one method. API
/// Gateway replays the cached policy for every method the same identity calls within the TTL,
/// so every other method is denied from the cache.
fn first_method_trap(entry: &Value, at: &JsonPath, ttl: i64) -> Option<Finding> {
    let policy_value = entry.get("policyDocument")?;
    let policy = PolicyDocument::from_json(policy_value, PolicyKind::Identity, None).ok()?;
    let mut allowed: Vec<&str> = Vec::new();
    for statement in policy.statements() {
        if statement.effect() != Effect::Allow {
            continue;
        }
        if statement.resources().is_negated() {
            return None;
        }
        for pattern in statement.resources().patterns() {
            let text = pattern.as_str();
            if text.contains(['*', '?']) {
                return None;
            }
            if !allowed.contains(&text) {
                allowed.push(text);
            }
        }
    }
    let [only] = allowed.as_slice() else {
        return None;
    };
    Some(Finding {
        severity: Severity::Warning,
        code: "cache-first-method-trap",
        path: at.key("policyDocument"),
        message: format!(
            "with caching on (TTL {ttl} s) this policy allows only `{only}`: API Gateway replays it for every method the same identity calls for {ttl} s, so the caller's next request to any other method is denied (403) from the cache"
        ),
        fix: "return a policy that allows every method this caller may use (a wildcard such as `arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/*`, or the full list of granted routes), or set `ttlSeconds` to 0".to_owned(),
    })
}

/// Reviews of a parsed setup: the resource-policy lints for the method authorization, and
/// `resource-allow-overrides-authorization`.
pub fn lint_gateway(gateway: &Gateway, policy_at: &JsonPath) -> Vec<Finding> {
    let Some(policy) = &gateway.resource_policy else {
        return Vec::new();
    };
    let kind = match gateway.authorization {
        Authorization::None => AuthKind::None,
        Authorization::AwsIam => AuthKind::AwsIam,
        Authorization::Lambda { .. } => AuthKind::LambdaAuthorizer,
    };
    let mut findings =
        lint_resource_policy(policy, policy_at, &gateway.api, &MethodsAuth::All(kind));
    findings.extend(allow_overrides_authorization(
        policy,
        policy_at,
        &gateway.api,
        &gateway.authorization,
    ));
    findings
}

/// `resource-allow-overrides-authorization`: in the owner's account (Table A) a resource
/// policy `Allow` for everyone, with no condition, lets a request through even when the
/// authorizer's policy (or the caller's IAM policies) do not allow it — only an explicit
/// `Deny` stops it ("Neither Allow nor Deny" × `Allow` → `Allow`).
pub fn allow_overrides_authorization(
    policy: &PolicyDocument,
    at: &JsonPath,
    api: &Api,
    authorization: &Authorization,
) -> Vec<Finding> {
    let layer = match authorization {
        Authorization::Lambda { account, .. } if *account == api.api_ref.account_id => {
            "the Lambda authorizer's policy"
        }
        Authorization::AwsIam => "the caller's IAM policies",
        _ => return Vec::new(),
    };
    policy
        .statements()
        .iter()
        .enumerate()
        .filter(|(_, s)| {
            s.effect() == Effect::Allow
                && s.conditions().is_empty()
                && matches!(s.principal(), Some(PrincipalClause::Principal(p)) if p.names_everyone())
                && !s.actions().is_negated()
                && s.actions().patterns().iter().any(|a| {
                    a.matches(crate::eval::INVOKE_ACTION)
                })
        })
        .map(|(i, s)| {
            let label = s
                .sid()
                .map_or_else(|| format!("statement {i}"), |sid| format!("statement `{sid}`"));
            Finding {
                severity: Severity::Warning,
                code: "resource-allow-overrides-authorization",
                path: policy.statement_path(at, i),
                message: format!(
                    "{label} allows everyone with no condition: for callers in the API owner's account (Table A) a resource-policy Allow lets a request through even when {layer} does not allow it (\"Neither Allow nor Deny\" × Allow → Allow); only an explicit Deny stops it"
                ),
                fix: format!(
                    "drop this Allow (in the same account {layer} alone can allow), or narrow it with a condition such as `aws:SourceIp` / `aws:SourceVpce`"
                ),
            }
        })
        .collect()
}

/// Lint a scenario file's JSON: the `auth` object as written, then — when the file parses —
/// the parsed setup. A file the strict parser refuses is one `invalid-scenario` error (unless
/// a lint above already explains that very field).
pub fn lint_scenario(
    file: &str,
    value: &Value,
    dir: &std::path::Path,
    options: crate::scenario::Options<'_>,
) -> ScenarioLint {
    let root = JsonPath::root();
    let api_type = match value.pointer("/api/type").and_then(Value::as_str) {
        Some("HTTP") => ApiType::Http,
        Some("WEBSOCKET") => ApiType::WebSocket,
        _ => ApiType::Rest,
    };
    let mut findings = match value.get("auth") {
        Some(auth) => lint_auth_value(auth, &root.key("auth"), api_type),
        None => Vec::new(),
    };
    let parsed = crate::scenario::parse_with(file, &value.to_string(), dir, options);
    match &parsed {
        Ok(scenario) => {
            findings.extend(lint_gateway(&scenario.gateway, &root.key("resourcePolicy")))
        }
        Err(e) => {
            let explained = e
                .path()
                .is_some_and(|p| findings.iter().any(|f| f.path.as_str() == p.as_str()));
            if !explained {
                findings.push(Finding {
                    severity: Severity::Error,
                    code: "invalid-scenario",
                    path: e.path().cloned().unwrap_or_else(JsonPath::root),
                    message: e.problem().to_owned(),
                    fix: "correct the field: `policy-sim test` refuses this file until it parses"
                        .to_owned(),
                });
            }
        }
    }
    super::sort_findings(&mut findings);
    ScenarioLint {
        findings,
        scenario: parsed.ok(),
    }
}

/// The findings for a scenario file, and the scenario when it parses (for further reviews
/// that need it, without parsing — and loading its authorizer — twice).
#[derive(Debug)]
pub struct ScenarioLint {
    /// The findings, errors first.
    pub findings: Vec<Finding>,
    /// The parsed scenario, when the file is valid.
    pub scenario: Option<crate::scenario::Scenario>,
}

/// Lint an OpenAPI export read as an access setup: each Lambda authorizer's cache settings,
/// then the resource policy against each method's own authorization.
pub fn lint_openapi(setup: &OpenApiSetup) -> Vec<Finding> {
    let mut findings = Vec::new();
    for authorizer in &setup.authorizers {
        if authorizer.authorizer_type != AuthorizerType::Request {
            continue;
        }
        let ttl = authorizer.result_ttl_seconds.map_or_else(
            || match setup.api_type {
                ApiType::Rest => crate::cache::DEFAULT_TTL_SECONDS,
                _ => 0,
            },
            u64::from,
        );
        if ttl > 0 && authorizer.identity_sources.is_empty() {
            findings.push(Finding {
                severity: Severity::Error,
                code: "cache-without-identity-source",
                path: authorizer.path.key("x-amazon-apigateway-authorizer"),
                message: format!(
                    "authorizer `{}` caches its results (TTL {ttl} s{}) but has no `identitySource`: API Gateway keys the cache on the identity sources and refuses an authorizer that caches without one",
                    authorizer.name,
                    if authorizer.result_ttl_seconds.is_none() { ", the default" } else { "" }
                ),
                fix: "add `identitySource` (such as `method.request.header.Authorization`), or set `authorizerResultTtlInSeconds` to 0".to_owned(),
            });
        }
    }
    let (Some(policy), Some(api_ref)) = (&setup.resource_policy, &setup.api) else {
        super::sort_findings(&mut findings);
        return findings;
    };
    let api = Api {
        api_type: setup.api_type,
        api_ref: api_ref.clone(),
        stage: "*".to_owned(),
        endpoint: setup
            .endpoint
            .as_ref()
            .and_then(|e| e.endpoint_type())
            .unwrap_or(crate::flow::EndpointType::Regional),
    };
    let kind_of = |auth: &MethodAuth| match auth {
        MethodAuth::None => AuthKind::None,
        MethodAuth::AwsIam => AuthKind::AwsIam,
        MethodAuth::Authorizer(name) => match setup.authorizer(name) {
            Some(a) if a.authorizer_type.is_lambda() => AuthKind::LambdaAuthorizer,
            _ => AuthKind::Other,
        },
    };
    let methods = MethodsAuth::PerMethod(
        setup
            .methods
            .iter()
            .map(|m| (m.verb.clone(), m.path.clone(), kind_of(&m.auth)))
            .collect(),
    );
    findings.extend(lint_resource_policy(
        &policy.document,
        &policy.path,
        &api,
        &methods,
    ));
    // Table A overrides: a same-account Lambda authorizer, or AWS_IAM, on some method.
    let same_account_lambda = setup.methods.iter().any(|m| match &m.auth {
        MethodAuth::Authorizer(name) => setup.authorizer(name).is_some_and(|a| {
            a.authorizer_type.is_lambda()
                && a.function_account
                    .as_deref()
                    .is_none_or(|acct| acct == api.api_ref.account_id)
        }),
        _ => false,
    });
    let authorization = if same_account_lambda {
        Some(Authorization::Lambda {
            account: api.api_ref.account_id.clone(),
            format: crate::lambda::PayloadFormat::Rest,
        })
    } else if setup.methods.iter().any(|m| m.auth == MethodAuth::AwsIam) {
        Some(Authorization::AwsIam)
    } else {
        None
    };
    if let Some(authorization) = authorization {
        findings.extend(allow_overrides_authorization(
            &policy.document,
            &policy.path,
            &api,
            &authorization,
        ));
    }
    super::sort_findings(&mut findings);
    findings
}

#[cfg(test)]
mod tests;
