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

use policy_engine::arn::{MethodArn, Route};
use serde_json::{Map, Value};

use crate::builder::PolicyBuilder;
use crate::event::{AuthorizerEvent, EventKind};
use crate::jwt::{JwksOptions, JwtSettings, Verifier};
use crate::response::{
    AuthorizerError, AuthorizerResponse, ContextValue, PolicyResponse, RestContext, SimpleResponse,
};
use crate::rules::{Config, HttpApiResponse, KeyConfig, RouteSpec, TokenLocation};

/// What the handler decided, for logs: never the token or a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The principal, when the token was valid.
    pub principal: Option<String>,
    /// How many routes the rules granted.
    pub granted_routes: usize,
    /// Whether the called route is among them.
    pub called_route_granted: bool,
}

/// An authorizer driven by a rules file.
pub struct RulesAuthorizer {
    config: Config,
    verifier: Verifier,
}

impl RulesAuthorizer {
    /// Build the authorizer: the key set is loaded (a JWKS file, an HMAC secret) or fetched
    /// (a JWKS URI, best effort) now, at init.
    pub async fn new(config: Config) -> Result<Self, AuthorizerError> {
        Self::with_jwks_options(config, JwksOptions::default()).await
    }

    /// [`RulesAuthorizer::new`] with explicit JWKS cache settings.
    pub async fn with_jwks_options(
        config: Config,
        options: JwksOptions,
    ) -> Result<Self, AuthorizerError> {
        let settings = jwt_settings(&config)?;
        let verifier = Verifier::new(settings, options)
            .await
            .map_err(|e| AuthorizerError::internal(format!("cannot load the JWT keys: {e}")))?;
        Ok(Self { config, verifier })
    }

    /// The rules.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Decide one event.
    pub async fn handle(
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
                ))
            }
        };
        let arn = MethodArn::parse(event.method_arn()).map_err(|e| {
            AuthorizerError::internal(format!("the event's method ARN is unusable: {e}"))
        })?;
        let granted = self.config.granted_routes(claims);
        let simple = event.kind() == EventKind::HttpV2
            && self.config.http_api_response == HttpApiResponse::Simple;
        // The called route: what API Gateway evaluates is the method ARN; a simple response
        // has no policy, so it judges the request's own method and path where they exist.
        let (verb, path, key) = match (simple, event.http_method(), event.path(), arn.route()) {
            (true, Some(verb), Some(path), _) => {
                (Some(verb.to_owned()), Some(path.to_owned()), None)
            }
            (_, _, _, Route::Method { verb, path }) => {
                (Some(verb.clone()), Some(format!("/{path}")), None)
            }
            (_, _, _, Route::Key(key)) => (None, None, Some(key.clone())),
        };
        let called = granted
            .iter()
            .any(|r| r.covers(verb.as_deref(), path.as_deref(), key.as_deref()));
        let outcome = Outcome {
            principal: Some(principal.clone()),
            granted_routes: granted.len(),
            called_route_granted: called,
        };
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
            let mut builder = PolicyBuilder::for_api_of(&arn);
            for route in &granted {
                builder = match route {
                    RouteSpec::Method { verb, path, .. } => builder.allow(verb, path),
                    RouteSpec::Key(key) => builder.allow_route_key(key),
                };
            }
            if granted.is_empty() {
                builder = builder.deny_all();
            }
            let policy_document = builder.build().map_err(|e| {
                AuthorizerError::internal(format!("the granted routes make an invalid policy: {e}"))
            })?;
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
        response.validate()?;
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
            a.parse::<jsonwebtoken::Algorithm>()
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
