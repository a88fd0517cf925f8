//! Lints of a whole access setup — a scenario file's `api`, `resourcePolicy` and `auth` — on
//! top of the resource-policy lints: the authorizer-result cache, identity sources, the size of
//! what the authorizer returns, and how a resource-policy `Allow` combines with the method's
//! authorization (Table A).
//!
//! The `auth` object is reviewed as written, before the strict scenario parser runs, so a TTL
//! or a cache setting API Gateway would refuse is reported as a finding with its fix rather
//! than as an unreadable file.
//!
//! Codes, beyond the resource-policy ones of [`crate::lint`]: `ttl-above-maximum`,
//! `cache-without-identity-source`, `cache-first-method-trap`, `authorizer-result-size`,
//! `resource-allow-overrides-authorization` and `invalid-scenario`.
//!
//! ```
//! use policy_engine::lint::setup::lint_scenario;
//! use policy_engine::scenario::Options;
//! use serde_json::json;
//!
//! // A REQUEST authorizer caching (the default TTL, 300 s) with no identity source to key on.
//! let file = json!({
//!     "api": {"region": "us-east-1", "accountId": "123456789012",
//!             "apiId": "a1b2c3d4e5", "stage": "prod"},
//!     "auth": {"type": "LAMBDA_REQUEST", "responses": {}},
//!     "cases": []
//! });
//! let linted = lint_scenario("authorizer.json", &file, std::path::Path::new("."), Options::default());
//! assert_eq!(linted.findings[0].code, "cache-without-identity-source");
//! assert_eq!(linted.findings[0].path.as_str(), "auth.identitySources");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use serde_json::Value;

use super::{AuthKind, Finding, MethodsAuth, Severity, lint_resource_policy};
use crate::cache::MAX_TTL_SECONDS;
use crate::flow::{Api, ApiType, Authorization, Gateway};
use crate::json::JsonPath;
use crate::lambda::MAX_RESULT_BYTES;
use crate::openapi::{AuthorizerType, MethodAuth, OpenApiSetup};
use crate::policy::{Effect, PolicyDocument, PolicyKind, PrincipalClause};

/// Reviews of the `auth` object as written: TTL, caching without identity sources, the
/// first-method trap and the size of each `responses` entry. Only Lambda authorizers
/// (`LAMBDA_TOKEN`, `LAMBDA_REQUEST`) are reviewed; `at` is where `auth` sits.
///
/// ```
/// use policy_engine::flow::ApiType;
/// use policy_engine::json::JsonPath;
/// use policy_engine::lint::setup::lint_auth_value;
/// use serde_json::json;
///
/// // Caching on, and alice's cached policy allows only the first method she calls.
/// let auth = json!({
///     "type": "LAMBDA_TOKEN",
///     "ttlSeconds": 300,
///     "responses": {"tok-alice": {"principalId": "alice", "policyDocument": {
///         "Version": "2012-10-17",
///         "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
///             "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}]
///     }}}
/// });
/// let findings = lint_auth_value(&auth, &JsonPath::root().key("auth"), ApiType::Rest);
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].code, "cache-first-method-trap");
/// assert_eq!(findings[0].path.as_str(), "auth.responses.tok-alice.policyDocument");
/// ```
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
            if let Some(policy) = entry
                .get("policyDocument")
                .and_then(|p| PolicyDocument::from_json(p, PolicyKind::Identity, None).ok())
            {
                findings.extend(super::lint_resource_entries(
                    &policy,
                    &entry_path.key("policyDocument"),
                ));
            }
            if ttl > 0
                && let Some(f) = first_method_trap(entry, &entry_path, ttl)
            {
                findings.push(f);
            }
        }
    }
    findings
}

/// `authorizer-result-size`: a response over (error) or near (warning, above 90 %) the 8 KB
/// quota ([`crate::lambda::MAX_RESULT_BYTES`]); `None` when it fits, or for an `error` entry.
///
/// ```
/// use policy_engine::json::JsonPath;
/// use policy_engine::lint::{setup::result_size, Severity};
/// use serde_json::json;
///
/// let at = JsonPath::root();
/// let small = json!({"principalId": "alice", "policyDocument": {}});
/// assert_eq!(result_size(&small, &at), None);
/// let huge = json!({"principalId": "alice", "context": {"blob": "x".repeat(9000)}});
/// assert_eq!(result_size(&huge, &at).map(|f| f.severity), Some(Severity::Error));
/// ```
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
/// `resource-allow-overrides-authorization`. Nothing without a resource policy; `policy_at`
/// is where the policy sits in its file.
///
/// ```
/// use policy_engine::flow::{Authorization, Gateway};
/// use policy_engine::json::JsonPath;
/// use policy_engine::lint::setup::lint_gateway;
/// use policy_engine::policy::PolicyDocument;
/// # use policy_engine::arn::ApiRef;
/// # use policy_engine::flow::{Api, ApiType, EndpointType};
/// # let api = Api {
/// #     api_type: ApiType::Rest,
/// #     api_ref: ApiRef {
/// #         partition: "aws".into(),
/// #         region: "us-east-1".into(),
/// #         account_id: "123456789012".into(),
/// #         api_id: "a1b2c3d4e5".into(),
/// #     },
/// #     stage: "prod".into(),
/// #     endpoint: EndpointType::Regional,
/// # };
/// let policy = PolicyDocument::parse_resource_policy(r#"{
///     "Version": "2012-10-17",
///     "Statement": [{"Sid": "Open", "Effect": "Allow", "Principal": "*",
///                    "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]
/// }"#, &api.api_ref)?;
/// let gateway = Gateway { api, resource_policy: Some(policy), authorization: Authorization::AwsIam };
/// let findings = lint_gateway(&gateway, &JsonPath::root().key("resourcePolicy"));
/// assert!(findings.iter().any(|f| f.code == "resource-allow-overrides-authorization"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
/// `Deny` stops it ("Neither Allow nor Deny" × `Allow` → `Allow`). Only for `AWS_IAM` and
/// same-account Lambda authorizers: with `NONE` the resource policy is meant to decide, and
/// a cross-account authorizer is combined by Table B.
///
/// ```
/// use policy_engine::flow::Authorization;
/// use policy_engine::json::JsonPath;
/// use policy_engine::lambda::PayloadFormat;
/// use policy_engine::lint::{setup::allow_overrides_authorization, Severity};
/// use policy_engine::policy::PolicyDocument;
/// # use policy_engine::arn::ApiRef;
/// # use policy_engine::flow::{Api, ApiType, EndpointType};
/// # let api = Api {
/// #     api_type: ApiType::Rest,
/// #     api_ref: ApiRef {
/// #         partition: "aws".into(),
/// #         region: "us-east-1".into(),
/// #         account_id: "123456789012".into(),
/// #         api_id: "a1b2c3d4e5".into(),
/// #     },
/// #     stage: "prod".into(),
/// #     endpoint: EndpointType::Regional,
/// # };
/// let policy = PolicyDocument::parse_resource_policy(r#"{
///     "Version": "2012-10-17",
///     "Statement": [{"Sid": "Open", "Effect": "Allow", "Principal": "*",
///                    "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]
/// }"#, &api.api_ref)?;
/// let at = JsonPath::root();
/// let same_account = Authorization::Lambda {
///     account: "123456789012".into(),
///     format: PayloadFormat::Rest,
/// };
/// let findings = allow_overrides_authorization(&policy, &at, &api, &same_account);
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].severity, Severity::Warning);
/// assert!(findings[0].message.starts_with("statement `Open` allows everyone"));
/// let cross_account = Authorization::Lambda {
///     account: "210987654321".into(),
///     format: PayloadFormat::Rest,
/// };
/// assert!(allow_overrides_authorization(&policy, &at, &api, &cross_account).is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
/// a lint above already explains that very field). `dir` and `options` are as for
/// [`crate::scenario::parse_with`].
///
/// ```
/// use policy_engine::lint::{setup::lint_scenario, Severity};
/// use policy_engine::scenario::Options;
/// use serde_json::json;
///
/// let file = json!({
///     "api": {"region": "us-east-1", "accountId": "123456789012",
///             "apiId": "a1b2c3d4e5", "stage": "prod"},
///     "auth": {"type": "NONE"},
///     "cases": [{"name": "typo", "request": {"method": "GET", "path": "/pets"},
///                "expcet": {"status": 200}}]
/// });
/// let linted = lint_scenario("pets.json", &file, std::path::Path::new("."), Options::default());
/// assert!(linted.scenario.is_none());
/// let finding = &linted.findings[0];
/// assert_eq!((finding.severity, finding.code), (Severity::Error, "invalid-scenario"));
/// assert_eq!(finding.path.as_str(), "cases[0].expcet");
/// ```
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
///
/// ```
/// use policy_engine::lint::setup::lint_scenario;
/// use policy_engine::scenario::Options;
/// use serde_json::json;
///
/// let file = json!({
///     "api": {"region": "us-east-1", "accountId": "123456789012",
///             "apiId": "a1b2c3d4e5", "stage": "prod"},
///     "cases": []
/// });
/// let linted = lint_scenario("pets.json", &file, std::path::Path::new("."), Options::default());
/// assert!(linted.findings.is_empty());
/// assert_eq!(linted.scenario.map(|s| s.file).as_deref(), Some("pets.json"));
/// ```
#[derive(Debug)]
#[non_exhaustive]
pub struct ScenarioLint {
    /// The findings, errors first.
    pub findings: Vec<Finding>,
    /// The parsed scenario, when the file is valid.
    pub scenario: Option<crate::scenario::Scenario>,
}

/// Lint an OpenAPI export read as an access setup: each Lambda authorizer's cache settings,
/// then the resource policy against each method's own authorization.
///
/// ```
/// use policy_engine::lint::setup::lint_openapi;
/// use policy_engine::openapi;
/// use serde_json::json;
///
/// // `/admin` is behind AWS_IAM, `/pets` has no authorization: an `AWS` principal allows
/// // only the methods whose callers are IAM identities.
/// let export = json!({
///     "swagger": "2.0",
///     "paths": {
///         "/pets": {"get": {}},
///         "/admin": {"get": {"security": [{"sigv4": []}]}}
///     },
///     "securityDefinitions": {"sigv4": {"type": "apiKey", "name": "Authorization",
///         "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}},
///     "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [{
///         "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
///         "Action": "execute-api:Invoke",
///         "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"}]}
/// });
/// let setup = openapi::parse("pets-export.json", &export, None)?;
/// let findings = lint_openapi(&setup);
/// assert!(findings.iter().any(|f| f.code == "aws-principal-without-iam"));
/// # Ok::<(), policy_engine::json::FileError>(())
/// ```
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
