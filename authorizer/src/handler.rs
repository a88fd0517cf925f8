//! The rules-file authorizer: event in, response (or the `Unauthorized` / 500-class error) out.
//!
//! 1. Find the token: TOKEN events carry it in `authorizationToken`; the others in the header
//!    or query parameter the rules file names. Apply the `Bearer ` rule.
//! 2. Verify it as a JWT ([`crate::jwt`]); a bad token is `Unauthorized` (401), an unreachable
//!    key set is a 500-class error — never an allow.
//! 3. Map claims to `principalId` and the context; collect every route the rules grant.
//! 4. Answer: a policy allowing exactly the granted routes of the called API and stage (so the
//!    cached result is right for the caller's next request, whatever the route), or a policy
//!    denying the whole API when nothing is granted; for HTTP API payload 2.0 with
//!    `"httpApiResponse": "simple"`, `isAuthorized` for the called route.
//! 5. Check the response against API Gateway's limits before it leaves.
//!
//! It joins the other modules: [`crate::event`] in, [`crate::rules::Config`] and
//! [`crate::jwt::Verifier`] for the decision, [`crate::builder::PolicyBuilder`] and
//! [`crate::response`] out. The crate's `authorizer` binary is this handler under the Lambda
//! runtime; `policy-sim` runs it in scenarios.
//!
//! ```
//! use authorizer::event::AuthorizerEvent;
//! use authorizer::handler::RulesAuthorizer;
//! use authorizer::rules::Config;
//! use jsonwebtoken::{encode, EncodingKey, Header};
//! use serde_json::json;
//! use std::path::Path;
//!
//! const SECRET: &str = "an example secret of 32+ bytes!!";
//! let rules = r#"{
//!   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
//!           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
//!   "context": {"tenant": "claim:tenant"},
//!   "rules": [
//!     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
//!     {"routes": ["POST /pets"], "anyScope": ["pets:write"]}
//!   ]
//! }"#;
//! let config = Config::parse("authorizer.json", rules, Path::new("."), &|_| Some(SECRET.to_owned()))?;
//!
//! // alice may read, not write; she calls GET /pets/7.
//! let token = encode(
//!     &Header::default(),
//!     &json!({"iss": "https://idp.example.com/", "aud": "pets-api", "sub": "alice",
//!             "scope": "pets:read", "tenant": "acme", "exp": 4_102_444_800_u64}),
//!     &EncodingKey::from_secret(SECRET.as_bytes()),
//! )?;
//! let event = AuthorizerEvent::from_json(&json!({
//!     "type": "REQUEST",
//!     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/7",
//!     "httpMethod": "GET", "path": "/pets/7",
//!     "headers": {"Authorization": format!("Bearer {token}")}
//! }))?;
//!
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! let (response, outcome) = runtime.block_on(async {
//!     let authorizer = RulesAuthorizer::new(config).await?;
//!     authorizer.handle(&event).await
//! })?;
//! assert!(outcome.called_route_granted);
//! // Both routes alice may read are in the policy, not only the one she called.
//! assert_eq!(
//!     response.to_json(),
//!     json!({
//!         "principalId": "alice",
//!         "policyDocument": {"Version": "2012-10-17", "Statement": [{
//!             "Effect": "Allow",
//!             "Action": "execute-api:Invoke",
//!             "Resource": [
//!                 "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
//!                 "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/*"
//!             ]
//!         }]},
//!         "context": {"tenant": "acme"}
//!     })
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::{PoisonError, RwLock};

use policy_engine::PolicyDocument;
use policy_engine::arn::{ApiRef, MethodArn, Route};
use serde_json::{Map, Value};

use crate::builder::PolicyBuilder;
use crate::event::{AuthorizerEvent, EventKind};
use crate::jwt::{JwksOptions, JwtSettings, Verifier};
use crate::response::{
    AuthorizerError, AuthorizerResponse, ContextValue, PolicyResponse, RestContext, SimpleResponse,
    serialized_len,
};
use crate::rules::{Config, HttpApiResponse, KeyConfig, RouteSpec, TokenLocation};

/// What the handler decided, for logs: never the token or a secret. Returned beside the
/// response by [`RulesAuthorizer::handle`]; more fields may be added.
///
/// ```
/// # use authorizer::event::AuthorizerEvent;
/// # use authorizer::handler::RulesAuthorizer;
/// # use authorizer::rules::Config;
/// # use jsonwebtoken::{encode, EncodingKey, Header};
/// # use serde_json::json;
/// # use std::path::Path;
/// # const SECRET: &str = "an example secret of 32+ bytes!!";
/// # let rules = r#"{
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
/// #   "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]}]
/// # }"#;
/// # let config = Config::parse("authorizer.json", rules, Path::new("."), &|_| Some(SECRET.to_owned()))?;
/// # let token = encode(&Header::default(),
/// #     &json!({"iss": "https://idp.example.com/", "aud": "pets-api", "sub": "alice",
/// #             "scope": "pets:read", "exp": 4_102_444_800_u64}),
/// #     &EncodingKey::from_secret(SECRET.as_bytes()))?;
/// # let event = AuthorizerEvent::from_json(&json!({"type": "TOKEN",
/// #     "authorizationToken": format!("Bearer {token}"),
/// #     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}))?;
/// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// runtime.block_on(async {
///     let authorizer = RulesAuthorizer::new(config).await?;
///     let (_, outcome) = authorizer.handle(&event).await?;
///     assert_eq!(outcome.principal.as_deref(), Some("alice"));
///     assert_eq!(outcome.granted_routes, 2);
///     assert!(outcome.called_route_granted);
///     Ok::<(), Box<dyn std::error::Error>>(())
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Outcome {
    /// The principal, when the token was valid.
    pub principal: Option<String>,
    /// How many routes the rules granted.
    pub granted_routes: usize,
    /// Whether the called route is among them.
    pub called_route_granted: bool,
}

/// An authorizer driven by a rules file. Build it once at init ([`RulesAuthorizer::new`]) and
/// call [`handle`](Self::handle) per event; it caches the policies it builds, keyed by the
/// API, stage and the rules that applied.
///
/// ```
/// # use authorizer::event::AuthorizerEvent;
/// # use authorizer::handler::RulesAuthorizer;
/// # use authorizer::rules::Config;
/// # use jsonwebtoken::{encode, EncodingKey, Header};
/// # use serde_json::json;
/// # use std::path::Path;
/// # const SECRET: &str = "an example secret of 32+ bytes!!";
/// # let rules = r#"{
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
/// #   "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]}]
/// # }"#;
/// # let config = Config::parse("authorizer.json", rules, Path::new("."), &|_| Some(SECRET.to_owned()))?;
/// # let token = encode(&Header::default(),
/// #     &json!({"iss": "https://idp.example.com/", "aud": "pets-api", "sub": "alice",
/// #             "scope": "pets:read", "exp": 4_102_444_800_u64}),
/// #     &EncodingKey::from_secret(SECRET.as_bytes()))?;
/// # let event = AuthorizerEvent::from_json(&json!({"type": "TOKEN",
/// #     "authorizationToken": format!("Bearer {token}"),
/// #     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}))?;
/// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// use authorizer::AuthorizerError;
///
/// let no_token = AuthorizerEvent::from_json(&json!({"type": "REQUEST",
///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}))?;
/// runtime.block_on(async {
///     let authorizer = RulesAuthorizer::new(config).await?;
///     let error = authorizer.handle(&no_token).await.unwrap_err();
///     assert!(error.is_unauthorized(), "no token: 401");
///     Ok::<(), AuthorizerError>(())
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct RulesAuthorizer {
    config: Config,
    verifier: Verifier,
    policies: PolicyCache,
}

/// Most policy documents kept by one [`RulesAuthorizer`]; beyond it the oldest is dropped.
/// An instance serves one API with a few stages and a few combinations of rules, so this is
/// far above what real traffic needs and only bounds memory against odd events.
const MAX_CACHED_POLICIES: usize = 64;

/// What a granted-routes policy is a function of: the API and stage of the method ARN and the
/// rules that applied.
#[derive(Debug, PartialEq, Eq)]
struct PolicyKey {
    api: ApiRef,
    stage: String,
    rules: Vec<usize>,
}

/// The policy documents already built, so a request whose API, stage and applying rules were
/// seen before gets a copy instead of building the statements and having the engine parse and
/// compile them again (most of the handler's own time before this cache).
#[derive(Debug, Default)]
struct PolicyCache {
    // INVARIANT: at most `MAX_CACHED_POLICIES` entries, oldest first; each document is what
    // `build_policy` returns for its key, with the length of its compact JSON.
    entries: RwLock<Vec<(PolicyKey, CachedPolicy)>>,
}

/// A built policy and the length of its JSON (so the response size check need not serialize
/// it again).
#[derive(Debug, Clone)]
struct CachedPolicy {
    document: PolicyDocument,
    json_len: usize,
}

impl PolicyCache {
    /// The policy for these rules on the API and stage of `arn`, built on first use.
    fn get_or_build(
        &self,
        arn: &MethodArn,
        rules: &[usize],
        granted: &[&RouteSpec],
    ) -> Result<CachedPolicy, AuthorizerError> {
        let matches = |key: &PolicyKey| {
            key.rules == rules && key.stage == arn.stage() && key.api == *arn.api()
        };
        {
            let entries = self.entries.read().unwrap_or_else(PoisonError::into_inner);
            if let Some((_, policy)) = entries.iter().find(|(key, _)| matches(key)) {
                return Ok(policy.clone());
            }
        }
        let document = build_policy(arn, granted)?;
        let json = document.to_json();
        let json_len = serialized_len(&json).unwrap_or_else(|| json.to_string().len());
        let policy = CachedPolicy { document, json_len };
        let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
        if !entries.iter().any(|(key, _)| matches(key)) {
            if entries.len() >= MAX_CACHED_POLICIES {
                entries.remove(0);
            }
            let key = PolicyKey {
                api: arn.api().clone(),
                stage: arn.stage().to_owned(),
                rules: rules.to_vec(),
            };
            entries.push((key, policy.clone()));
        }
        Ok(policy)
    }
}

/// The policy allowing exactly the granted routes on the API and stage of `arn`, or denying
/// the whole API when nothing is granted.
fn build_policy(
    arn: &MethodArn,
    granted: &[&RouteSpec],
) -> Result<PolicyDocument, AuthorizerError> {
    let mut builder = PolicyBuilder::for_api_of(arn);
    for route in granted {
        builder = match route {
            RouteSpec::Method { verb, path, .. } => builder.allow(verb, path),
            RouteSpec::Key(key) => builder.allow_route_key(key),
        };
    }
    if granted.is_empty() {
        builder = builder.deny_all();
    }
    builder.build().map_err(|e| {
        AuthorizerError::internal(format!("the granted routes make an invalid policy: {e}"))
    })
}

impl RulesAuthorizer {
    /// Build the authorizer: the key set is loaded (a JWKS file, an HMAC secret) or fetched
    /// (a JWKS URI, best effort) now, at init.
    ///
    /// # Errors
    ///
    /// [`AuthorizerError::Internal`] when the keys cannot be loaded (an unreadable JWKS
    /// file): the function must not start.
    ///
    /// ```
    /// use authorizer::handler::RulesAuthorizer;
    /// use authorizer::rules::Config;
    /// use std::path::Path;
    ///
    /// let rules = r#"{"jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
    ///                         "jwksFile": "no-such-jwks.json"}, "rules": []}"#;
    /// let config = Config::parse("authorizer.json", rules, Path::new("."), &|_| None)?;
    /// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    /// let error = runtime.block_on(RulesAuthorizer::new(config)).err().expect("no keys");
    /// assert!(!error.is_unauthorized());
    /// assert!(error.reason().starts_with("cannot load the JWT keys"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn new(config: Config) -> Result<Self, AuthorizerError> {
        Self::with_jwks_options(config, JwksOptions::default()).await
    }

    /// [`RulesAuthorizer::new`] with explicit JWKS cache settings (they matter for a
    /// `jwksUri` only).
    ///
    /// # Errors
    ///
    /// As [`RulesAuthorizer::new`], and for options that do not hold together.
    ///
    /// ```
    /// # use authorizer::event::AuthorizerEvent;
    /// # use authorizer::handler::RulesAuthorizer;
    /// # use authorizer::rules::Config;
    /// # use jsonwebtoken::{encode, EncodingKey, Header};
    /// # use serde_json::json;
    /// # use std::path::Path;
    /// # const SECRET: &str = "an example secret of 32+ bytes!!";
    /// # let rules = r#"{
    /// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
    /// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
    /// #   "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]}]
    /// # }"#;
    /// # let config = Config::parse("authorizer.json", rules, Path::new("."), &|_| Some(SECRET.to_owned()))?;
    /// # let token = encode(&Header::default(),
    /// #     &json!({"iss": "https://idp.example.com/", "aud": "pets-api", "sub": "alice",
    /// #             "scope": "pets:read", "exp": 4_102_444_800_u64}),
    /// #     &EncodingKey::from_secret(SECRET.as_bytes()))?;
    /// # let event = AuthorizerEvent::from_json(&json!({"type": "TOKEN",
    /// #     "authorizationToken": format!("Bearer {token}"),
    /// #     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}))?;
    /// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    /// use authorizer::jwt::JwksOptions;
    /// use std::time::Duration;
    ///
    /// let options = JwksOptions { max_age: Duration::from_secs(900), ..JwksOptions::default() };
    /// runtime.block_on(async {
    ///     let authorizer = RulesAuthorizer::with_jwks_options(config, options).await?;
    ///     assert!(authorizer.handle(&event).await.is_ok());
    ///     Ok::<(), Box<dyn std::error::Error>>(())
    /// })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn with_jwks_options(
        config: Config,
        options: JwksOptions,
    ) -> Result<Self, AuthorizerError> {
        let settings = jwt_settings(&config)?;
        let verifier = Verifier::new(settings, options)
            .await
            .map_err(|e| AuthorizerError::internal(format!("cannot load the JWT keys: {e}")))?;
        Ok(Self {
            config,
            verifier,
            policies: PolicyCache::default(),
        })
    }

    /// The rules it runs.
    ///
    /// ```
    /// # use authorizer::event::AuthorizerEvent;
    /// # use authorizer::handler::RulesAuthorizer;
    /// # use authorizer::rules::Config;
    /// # use jsonwebtoken::{encode, EncodingKey, Header};
    /// # use serde_json::json;
    /// # use std::path::Path;
    /// # const SECRET: &str = "an example secret of 32+ bytes!!";
    /// # let rules = r#"{
    /// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
    /// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
    /// #   "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]}]
    /// # }"#;
    /// # let config = Config::parse("authorizer.json", rules, Path::new("."), &|_| Some(SECRET.to_owned()))?;
    /// # let token = encode(&Header::default(),
    /// #     &json!({"iss": "https://idp.example.com/", "aud": "pets-api", "sub": "alice",
    /// #             "scope": "pets:read", "exp": 4_102_444_800_u64}),
    /// #     &EncodingKey::from_secret(SECRET.as_bytes()))?;
    /// # let event = AuthorizerEvent::from_json(&json!({"type": "TOKEN",
    /// #     "authorizationToken": format!("Bearer {token}"),
    /// #     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}))?;
    /// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    /// let authorizer = runtime.block_on(RulesAuthorizer::new(config))?;
    /// assert_eq!(authorizer.config().rules.len(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Decide one event. A panic while deciding is an [`AuthorizerError::Internal`] (500),
    /// never a response ([`crate::boundary::contain_panics`]).
    ///
    /// # Errors
    ///
    /// [`AuthorizerError::Unauthorized`] (401) for a missing, malformed or invalid token, or
    /// one without the `principalId` claim; [`AuthorizerError::Internal`] (500) for an
    /// unreachable key set, an unusable method ARN or a response API Gateway would reject. A
    /// valid token that is granted nothing is not an error: its policy denies (403).
    ///
    /// ```
    /// # use authorizer::event::AuthorizerEvent;
    /// # use authorizer::handler::RulesAuthorizer;
    /// # use authorizer::rules::Config;
    /// # use jsonwebtoken::{encode, EncodingKey, Header};
    /// # use serde_json::json;
    /// # use std::path::Path;
    /// # const SECRET: &str = "an example secret of 32+ bytes!!";
    /// # let rules = r#"{
    /// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
    /// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
    /// #   "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]}]
    /// # }"#;
    /// # let config = Config::parse("authorizer.json", rules, Path::new("."), &|_| Some(SECRET.to_owned()))?;
    /// # let token = encode(&Header::default(),
    /// #     &json!({"iss": "https://idp.example.com/", "aud": "pets-api", "sub": "alice",
    /// #             "scope": "pets:read", "exp": 4_102_444_800_u64}),
    /// #     &EncodingKey::from_secret(SECRET.as_bytes()))?;
    /// # let event = AuthorizerEvent::from_json(&json!({"type": "TOKEN",
    /// #     "authorizationToken": format!("Bearer {token}"),
    /// #     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}))?;
    /// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    /// runtime.block_on(async {
    ///     let authorizer = RulesAuthorizer::new(config).await?;
    ///     let (response, _) = authorizer.handle(&event).await?;
    ///     assert_eq!(response.to_json()["principalId"], "alice");
    ///
    ///     let forged = AuthorizerEvent::from_json(&json!({"type": "TOKEN",
    ///         "authorizationToken": format!("Bearer {token}x"),
    ///         "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}))?;
    ///     assert!(authorizer.handle(&forged).await.is_err_and(|e| e.is_unauthorized()));
    ///     Ok::<(), Box<dyn std::error::Error>>(())
    /// })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn handle(
        &self,
        event: &AuthorizerEvent,
    ) -> Result<(AuthorizerResponse, Outcome), AuthorizerError> {
        crate::boundary::contain_panics(self.decide(event)).await
    }

    async fn decide(
        &self,
        event: &AuthorizerEvent,
    ) -> Result<(AuthorizerResponse, Outcome), AuthorizerError> {
        let raw = match event {
            AuthorizerEvent::Token(_) => event.token(),
            _ => match &self.config.token.location {
                TokenLocation::Header(name) => event.header(name),
                TokenLocation::Query(name) => event.query(name),
            },
        }
        .ok_or_else(|| AuthorizerError::unauthorized("no token in the request"))?;
        if raw.trim().is_empty() {
            return Err(AuthorizerError::unauthorized("the token is empty"));
        }
        let token =
            self.config.token.strip_bearer(raw).ok_or_else(|| {
                AuthorizerError::unauthorized("the token breaks the `Bearer ` rule")
            })?;
        let claims = self.verifier.verify(token).await.map_err(|e| {
            if e.is_unauthorized() {
                AuthorizerError::unauthorized(e.to_string())
            } else {
                AuthorizerError::internal(e.to_string())
            }
        })?;
        let claims = claims.as_map();
        let principal = match self.config.principal_id.resolve(claims) {
            Some(Value::String(s)) if !s.is_empty() => s,
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return Err(AuthorizerError::unauthorized(
                    "the token lacks the claim `principalId` is taken from",
                ));
            }
        };
        let arn = MethodArn::parse(event.method_arn()).map_err(|e| {
            AuthorizerError::internal(format!("the event's method ARN is unusable: {e}"))
        })?;
        let applying = self.config.applying_rules(claims);
        let granted = self.config.routes_of(&applying);
        let simple = event.kind() == EventKind::HttpV2
            && self.config.http_api_response == HttpApiResponse::Simple;
        // The called route, from the method (route) ARN, as API Gateway evaluates a policy —
        // also for a simple response. Not from `rawPath`: on an HTTP API stage other than
        // `$default` it starts with the stage (`/prod/pets`), and through a custom domain with
        // the API mapping's base path, while the ARN names the stage apart.
        let (verb, path, key) = match arn.route() {
            Route::Method { verb, path } => (Some(verb.clone()), Some(format!("/{path}")), None),
            Route::Key(key) => (None, None, Some(key.clone())),
        };
        let called = granted
            .iter()
            .any(|r| r.covers(verb.as_deref(), path.as_deref(), key.as_deref()));
        let outcome = Outcome {
            principal: Some(principal.clone()),
            granted_routes: granted.len(),
            called_route_granted: called,
        };
        let mut policy_len = None;
        let response = if simple {
            let mut context = Map::new();
            for (key, source) in &self.config.context {
                if let Some(v) = source.resolve(claims) {
                    context.insert(key.clone(), v);
                }
            }
            AuthorizerResponse::Simple(SimpleResponse {
                is_authorized: called,
                context,
            })
        } else {
            let policy = self.policies.get_or_build(&arn, &applying, &granted)?;
            policy_len = Some(policy.json_len);
            let policy_document = policy.document;
            let mut context = RestContext::new();
            for (key, source) in &self.config.context {
                if let Some(v) = source.resolve(claims) {
                    context.insert(key.clone(), rest_value(v));
                }
            }
            AuthorizerResponse::Policy(PolicyResponse {
                principal_id: principal,
                policy_document,
                context,
                usage_identifier_key: None,
            })
        };
        match policy_len {
            Some(len) => response.validate_with_policy_len(len)?,
            None => response.validate()?,
        }
        Ok((response, outcome))
    }
}

/// A claim as a REST context value: strings, numbers and booleans as they are; arrays and
/// objects as their JSON text (REST context values cannot be structured).
fn rest_value(v: Value) -> ContextValue {
    match v {
        Value::String(s) => ContextValue::String(s),
        Value::Number(n) => ContextValue::Number(n),
        Value::Bool(b) => ContextValue::Bool(b),
        other => ContextValue::String(other.to_string()),
    }
}

fn jwt_settings(config: &Config) -> Result<JwtSettings, AuthorizerError> {
    let jwt = &config.jwt;
    let algorithms = jwt
        .algorithms
        .iter()
        .map(|a| {
            a.parse::<crate::jwt::Algorithm>()
                .map_err(|_| AuthorizerError::internal(format!("unsupported algorithm `{a}`")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let keys = match &jwt.keys {
        KeyConfig::JwksUri(uri) => crate::jwt::KeySource::JwksUri(uri.clone()),
        KeyConfig::JwksFile(path) => crate::jwt::KeySource::JwksFile(path.clone()),
        KeyConfig::HmacSecret { secret, .. } => crate::jwt::KeySource::HmacSecret(secret.clone()),
    };
    Ok(JwtSettings {
        issuer: jwt.issuer.clone(),
        audiences: jwt.audiences.clone(),
        keys,
        algorithms,
        leeway_seconds: jwt.leeway_seconds,
        required_claims: jwt.required_claims.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;
    use std::path::Path;

    const SECRET: &str = "test-only hmac secret, at least 32 bytes";

    async fn authorizer() -> RulesAuthorizer {
        let rules = json!({
            "jwt": {"issuer": "https://idp.test/", "audiences": ["api"],
                    "hmacSecretEnv": "SECRET", "algorithms": ["HS256"]},
            "rules": [
                {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
                {"routes": ["POST /pets", "GET /pets"], "anyScope": ["pets:write"]}
            ]
        });
        let config = Config::parse("rules.json", &rules.to_string(), Path::new("."), &|_| {
            Some(SECRET.to_owned())
        })
        .unwrap();
        RulesAuthorizer::new(config).await.unwrap()
    }

    fn event(scope: &str, stage: &str) -> AuthorizerEvent {
        let claims = json!({"iss": "https://idp.test/", "aud": "api", "sub": "alice",
                            "exp": 4_102_444_800_u64, "scope": scope});
        let token = encode(
            &Header::default(),
            &claims,
            &EncodingKey::from_secret(SECRET.as_bytes()),
        )
        .unwrap();
        AuthorizerEvent::from_json(&json!({
            "type": "TOKEN",
            "authorizationToken": format!("Bearer {token}"),
            "methodArn": format!("arn:aws:execute-api:us-east-1:123456789012:abc123/{stage}/GET/pets"),
        }))
        .unwrap()
    }

    async fn statements(authorizer: &RulesAuthorizer, event: &AuthorizerEvent) -> Value {
        let (response, _) = authorizer.handle(event).await.unwrap();
        response.to_json()["policyDocument"]["Statement"].clone()
    }

    fn cached(authorizer: &RulesAuthorizer) -> usize {
        authorizer.policies.entries.read().unwrap().len()
    }

    #[tokio::test]
    async fn cached_policies_are_keyed_by_api_stage_and_applying_rules() {
        let authorizer = authorizer().await;
        let prefix = "arn:aws:execute-api:us-east-1:123456789012:abc123";
        let read = json!([{"Effect": "Allow", "Action": "execute-api:Invoke",
            "Resource": [format!("{prefix}/prod/GET/pets"), format!("{prefix}/prod/GET/pets/*")]}]);
        assert_eq!(
            statements(&authorizer, &event("pets:read", "prod")).await,
            read
        );
        assert_eq!(cached(&authorizer), 1);
        // Same stage and rules: the cached policy, unchanged.
        assert_eq!(
            statements(&authorizer, &event("pets:read", "prod")).await,
            read
        );
        assert_eq!(cached(&authorizer), 1);
        // Another stage.
        assert_eq!(
            statements(&authorizer, &event("pets:read", "dev")).await,
            json!([{"Effect": "Allow", "Action": "execute-api:Invoke",
                "Resource": [format!("{prefix}/dev/GET/pets"), format!("{prefix}/dev/GET/pets/*")]}])
        );
        // Other rules apply: their routes, in rule order, without duplicates.
        assert_eq!(
            statements(&authorizer, &event("pets:write pets:read", "prod")).await,
            json!([{"Effect": "Allow", "Action": "execute-api:Invoke",
                "Resource": [format!("{prefix}/prod/GET/pets"), format!("{prefix}/prod/GET/pets/*"),
                             format!("{prefix}/prod/POST/pets")]}])
        );
        // No rule applies: deny the whole API.
        assert_eq!(
            statements(&authorizer, &event("profile", "prod")).await,
            json!([{"Effect": "Deny", "Action": "execute-api:Invoke",
                "Resource": format!("{prefix}/*")}])
        );
        assert_eq!(cached(&authorizer), 4);
    }

    /// A rules-file authorizer on a JWKS file holding an Ed25519 key (`ed-1`) and a P-521 key
    /// (`p521-1`), allowing `algorithms`; and the two key pairs.
    async fn okp_authorizer(
        name: &str,
        algorithms: Value,
    ) -> (
        RulesAuthorizer,
        aws_lc_rs::signature::Ed25519KeyPair,
        aws_lc_rs::signature::EcdsaKeyPair,
    ) {
        use aws_lc_rs::signature::{
            ECDSA_P521_SHA512_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _,
        };
        use base64::Engine as _;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let ed = Ed25519KeyPair::generate().unwrap();
        let p521 = EcdsaKeyPair::generate(&ECDSA_P521_SHA512_FIXED_SIGNING).unwrap();
        let point = p521.public_key().as_ref();
        let (x, y) = point[1..].split_at(66);
        let jwks = json!({"keys": [
            {"kty": "OKP", "crv": "Ed25519", "kid": "ed-1", "alg": "EdDSA",
             "x": URL_SAFE_NO_PAD.encode(ed.public_key().as_ref())},
            {"kty": "EC", "crv": "P-521", "kid": "p521-1", "alg": "ES512",
             "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y)},
        ]});
        let dir = std::env::temp_dir().join(format!("handler-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("jwks.json"), jwks.to_string()).unwrap();
        let rules = json!({
            "jwt": {"issuer": "https://idp.test/", "audiences": ["api"],
                    "jwksFile": "jwks.json", "algorithms": algorithms},
            "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]}]
        });
        let config = Config::parse("rules.json", &rules.to_string(), &dir, &|_| None).unwrap();
        let authorizer = RulesAuthorizer::new(config).await.unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        (authorizer, ed, p521)
    }

    /// A TOKEN event carrying a token with header `{"alg": alg, "kid": kid}` signed by `signer`.
    fn signed_event(alg: &str, kid: &str, signer: impl Fn(&[u8]) -> Vec<u8>) -> AuthorizerEvent {
        use base64::Engine as _;
        use base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = json!({"alg": alg, "kid": kid, "typ": "JWT"});
        let claims = json!({"iss": "https://idp.test/", "aud": "api", "sub": "alice",
                            "exp": 4_102_444_800_u64, "scope": "pets:read"});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let token = format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(signer(input.as_bytes()))
        );
        AuthorizerEvent::from_json(&json!({
            "type": "TOKEN",
            "authorizationToken": format!("Bearer {token}"),
            "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets",
        }))
        .unwrap()
    }

    #[tokio::test]
    async fn eddsa_and_es512_tokens_get_the_rules_policy() {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        let allow = json!([{"Effect": "Allow", "Action": "execute-api:Invoke",
            "Resource": ["arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets",
                         "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/*"]}]);
        let (authorizer, ed, p521) = okp_authorizer("okp", json!(["EdDSA", "ES512"])).await;
        let eddsa = signed_event("EdDSA", "ed-1", |m| ed.sign(m).as_ref().to_vec());
        let (response, _) = authorizer.handle(&eddsa).await.unwrap();
        assert_eq!(response.to_json()["principalId"], "alice");
        assert_eq!(statements(&authorizer, &eddsa).await, allow);
        let es512 = signed_event("ES512", "p521-1", |m| {
            p521.sign(&rng, m).unwrap().as_ref().to_vec()
        });
        assert_eq!(statements(&authorizer, &es512).await, allow);
        // Each key verifies only its own algorithm: 401.
        for event in [
            signed_event("EdDSA", "p521-1", |m| ed.sign(m).as_ref().to_vec()),
            signed_event("ES512", "ed-1", |m| {
                p521.sign(&rng, m).unwrap().as_ref().to_vec()
            }),
            // A truncated signature.
            signed_event("ES512", "p521-1", |m| {
                p521.sign(&rng, m).unwrap().as_ref()[..131].to_vec()
            }),
        ] {
            let error = authorizer.handle(&event).await.unwrap_err();
            assert!(error.is_unauthorized(), "{error:?}");
        }
        // Not in the allow-list: 401.
        let (only_ed, ed, p521) = okp_authorizer("okp-ed", json!(["EdDSA"])).await;
        let eddsa = signed_event("EdDSA", "ed-1", |m| ed.sign(m).as_ref().to_vec());
        assert_eq!(statements(&only_ed, &eddsa).await, allow);
        let es512 = signed_event("ES512", "p521-1", |m| {
            p521.sign(&rng, m).unwrap().as_ref().to_vec()
        });
        let error = only_ed.handle(&es512).await.unwrap_err();
        assert!(error.is_unauthorized(), "{error:?}");
    }

    #[tokio::test]
    async fn the_policy_cache_is_bounded() {
        let authorizer = authorizer().await;
        for i in 0..MAX_CACHED_POLICIES + 10 {
            let stage = format!("stage{i}");
            let resources =
                &statements(&authorizer, &event("pets:read", &stage)).await[0]["Resource"];
            assert_eq!(
                resources[0],
                format!("arn:aws:execute-api:us-east-1:123456789012:abc123/{stage}/GET/pets")
            );
        }
        assert_eq!(cached(&authorizer), MAX_CACHED_POLICIES);
        // The first stages were dropped; asking again rebuilds them correctly.
        let resources =
            &statements(&authorizer, &event("pets:read", "stage0")).await[0]["Resource"];
        assert_eq!(
            resources[1],
            "arn:aws:execute-api:us-east-1:123456789012:abc123/stage0/GET/pets/*"
        );
        assert_eq!(cached(&authorizer), MAX_CACHED_POLICIES);
    }
}
