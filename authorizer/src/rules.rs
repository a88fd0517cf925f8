//! The rules file: a production authorizer without writing Rust (the contract, documented in
//! the repository's `docs/authorizer-config.md`). It says where the token is, how to validate
//! it as a JWT, how to map claims to `principalId` and the context, and which routes each
//! caller is granted.
//!
//! Parsing is strict and happens once, at init: an unknown field, a `none` algorithm, a
//! malformed route or a missing secret stops the function with a message naming the field —
//! never a silent allow at the first request.
//!
//! Route paths use the same wildcards as IAM resources (`*` spans `/`, `?` is one character),
//! so the policy a rule produces and the rule itself always agree on what they cover.
//!
//! [`Config`] is the parsed file; [`crate::handler::RulesAuthorizer`] runs it (its `jwt`
//! section becomes a [`crate::jwt::Verifier`], its granted routes a
//! [`crate::builder::PolicyBuilder`] policy). The file format grows (more token locations, key
//! sources, conditions), so its types are `#[non_exhaustive]`: read them, match them with a
//! `_` arm, and make them by parsing a file.
//!
//! ```
//! use authorizer::rules::{Config, RouteSpec};
//! use std::path::Path;
//!
//! let rules = r#"{
//!   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
//!           "jwksUri": "https://idp.example.com/.well-known/jwks.json"},
//!   "rules": [
//!     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
//!     {"routes": ["* /admin/*"], "claims": {"cognito:groups": ["admin"]}}
//!   ]
//! }"#;
//! let config = Config::parse("authorizer.json", rules, Path::new("."), &|_| None)?;
//! assert_eq!(config.rules.len(), 2);
//! assert_eq!(config.jwt.algorithms, ["RS256"], "the default for a JWKS");
//!
//! let serde_json::Value::Object(claims) = serde_json::json!({"sub": "alice", "scope": "pets:read"})
//! else {
//!     panic!("an object")
//! };
//! let granted = config.granted_routes(&claims);
//! assert_eq!(granted.len(), 2);
//! assert!(granted[1].covers(Some("GET"), Some("/pets/7"), None));
//!
//! // A mistake stops the function at init, naming the field.
//! let typo = rules.replace("anyScope", "anyScopes");
//! let error = Config::parse("authorizer.json", &typo, Path::new("."), &|_| None).unwrap_err();
//! assert!(error.to_string().contains("anyScopes"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use policy_engine::glob::{CaseMode, Pattern, Wildcards};
use policy_engine::json::{self, Fields, FileError, JsonPath};
use serde_json::{Map, Value};

use crate::builder::HTTP_METHODS;

/// A rules file that cannot be used; the function does not start. It names the file, the JSON
/// path of the bad field and the problem.
///
/// ```
/// use authorizer::rules::{Config, ConfigError};
/// use std::path::Path;
///
/// let rules = r#"{"jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
///                         "hmacSecretEnv": "JWT_SECRET"}, "rules": []}"#;
/// // The secret's variable is not set.
/// let error: ConfigError = Config::parse("authorizer.json", rules, Path::new("."), &|_| None)
///     .unwrap_err();
/// assert_eq!(error.path().map(|p| p.as_str()), Some("jwt.hmacSecretEnv"));
/// assert!(error.to_string().contains("`JWT_SECRET` is not set"));
/// ```
pub type ConfigError = FileError;

/// Where the token is in REQUEST, HTTP API and WebSocket events (TOKEN events carry it in
/// `authorizationToken`). The file's `token.header` or `token.query`.
///
/// ```
/// # use authorizer::rules::Config;
/// # use std::path::Path;
/// # let rules = r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
/// #   "principalId": "claim:sub",
/// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
/// #   "rules": [
/// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
/// #   ]
/// # }"#;
/// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
/// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
/// use authorizer::rules::TokenLocation;
///
/// assert_eq!(config.token.location, TokenLocation::Header("Authorization".to_owned()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenLocation {
    /// A header, matched case-insensitively.
    Header(String),
    /// A query-string parameter.
    Query(String),
}

/// How the `Bearer ` prefix is treated: the file's `token.bearer` (`required`, `optional`,
/// the default, or `forbidden`).
///
/// ```
/// # use authorizer::rules::Config;
/// # use std::path::Path;
/// # let rules = r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
/// #   "principalId": "claim:sub",
/// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
/// #   "rules": [
/// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
/// #   ]
/// # }"#;
/// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
/// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
/// use authorizer::rules::BearerMode;
///
/// assert_eq!(config.token.bearer, BearerMode::Required);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BearerMode {
    /// The token must be sent as `Bearer <jwt>`.
    Required,
    /// `Bearer ` is stripped when present.
    Optional,
    /// A `Bearer ` prefix is refused.
    Forbidden,
}

/// Where the token is and how it is prefixed: the file's `token` section (by default, the
/// `Authorization` header with an optional `Bearer `).
///
/// ```
/// use authorizer::rules::{BearerMode, Config, TokenLocation};
/// use std::path::Path;
///
/// let rules = r#"{"token": {"query": "access_token", "bearer": "forbidden"},
///   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
///           "jwksUri": "https://idp.example.com/.well-known/jwks.json"},
///   "rules": []}"#;
/// let config = Config::parse("authorizer.json", rules, Path::new("."), &|_| None)?;
/// assert_eq!(config.token.location, TokenLocation::Query("access_token".to_owned()));
/// assert_eq!(config.token.bearer, BearerMode::Forbidden);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TokenConfig {
    /// Header or query parameter.
    pub location: TokenLocation,
    /// The `Bearer ` rule.
    pub bearer: BearerMode,
}

impl TokenConfig {
    /// The JWT inside a raw token value, by the `Bearer ` rule; `None` when the rule refuses it.
    /// The scheme is matched ignoring case, and surrounding spaces are trimmed.
    ///
    /// ```
    /// # use authorizer::rules::Config;
    /// # use std::path::Path;
    /// # let rules = r#"{
    /// #   "token": {"header": "Authorization", "bearer": "required"},
    /// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
    /// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
    /// #   "principalId": "claim:sub",
    /// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
    /// #   "rules": [
    /// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
    /// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
    /// #   ]
    /// # }"#;
    /// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
    /// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
    /// // `"bearer": "required"`
    /// assert_eq!(config.token.strip_bearer("Bearer eyJhbGciOi.e30.c2ln"), Some("eyJhbGciOi.e30.c2ln"));
    /// assert_eq!(config.token.strip_bearer("bearer  eyJhbGciOi.e30.c2ln "), Some("eyJhbGciOi.e30.c2ln"));
    /// assert_eq!(config.token.strip_bearer("eyJhbGciOi.e30.c2ln"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn strip_bearer<'t>(&self, raw: &'t str) -> Option<&'t str> {
        let raw = raw.trim();
        let stripped = raw
            .split_once(' ')
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, rest)| rest.trim());
        let token = match (self.bearer, stripped) {
            (BearerMode::Required, Some(t)) | (BearerMode::Optional, Some(t)) => t,
            (BearerMode::Required, None) | (BearerMode::Forbidden, Some(_)) => return None,
            (BearerMode::Optional, None) | (BearerMode::Forbidden, None) => raw,
        };
        (!token.is_empty()).then_some(token)
    }
}

/// Where the verification keys come from: exactly one of the file's `jwt.jwksUri`,
/// `jwt.jwksFile` or `jwt.hmacSecretEnv`.
///
/// ```
/// # use authorizer::rules::Config;
/// # use std::path::Path;
/// # let rules = r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
/// #   "principalId": "claim:sub",
/// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
/// #   "rules": [
/// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
/// #   ]
/// # }"#;
/// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
/// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
/// use authorizer::rules::KeyConfig;
///
/// assert!(matches!(&config.jwt.keys, KeyConfig::HmacSecret { env, .. } if env == "JWT_SECRET"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyConfig {
    /// A JWKS document over HTTPS (fetched at init when possible, cached).
    JwksUri(String),
    /// A JWKS document in a file, relative to the rules file.
    JwksFile(PathBuf),
    /// An HMAC secret, read from this environment variable at init.
    HmacSecret {
        /// The variable's name.
        env: String,
        /// Its value.
        secret: Vec<u8>,
    },
}

/// The `jwt` section, checked: the algorithms fit the key source, `none` is refused, the
/// leeway is at most 300 s. [`crate::handler::RulesAuthorizer`] turns it into
/// [`crate::jwt::JwtSettings`].
///
/// ```
/// # use authorizer::rules::Config;
/// # use std::path::Path;
/// # let rules = r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
/// #   "principalId": "claim:sub",
/// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
/// #   "rules": [
/// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
/// #   ]
/// # }"#;
/// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
/// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
/// assert_eq!(config.jwt.issuer, "https://idp.example.com/");
/// assert_eq!(config.jwt.audiences, ["pets-api"]);
/// assert_eq!(config.jwt.leeway_seconds, 0, "the default");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JwtConfig {
    /// Exact `iss`.
    pub issuer: String,
    /// Accepted `aud` values (or `client_id` when `aud` is absent).
    pub audiences: Vec<String>,
    /// The verification keys.
    pub keys: KeyConfig,
    /// The algorithm allow-list, as JOSE names (`RS256`, ...); never `none`.
    pub algorithms: Vec<String>,
    /// Leeway for `exp`, `nbf`, `iat`.
    pub leeway_seconds: u64,
    /// Claims every token must carry.
    pub required_claims: Vec<String>,
}

/// The JOSE algorithms the authorizer can verify (the values `jwt.algorithms` accepts): the
/// names of [`crate::jwt::Algorithm`]. `HS*` need `hmacSecretEnv`; the others (`RS*`, `PS*`,
/// `ES256`/`ES384`/`ES512`, `EdDSA`) a JWKS (`jwksUri` or `jwksFile`).
///
/// ```
/// use authorizer::rules::ALGORITHMS;
///
/// assert!(ALGORITHMS.contains(&"ES512") && ALGORITHMS.contains(&"EdDSA"));
/// assert!(!ALGORITHMS.contains(&"none"));
/// ```
pub const ALGORITHMS: [&str; 13] = [
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
    "ES384", "ES512", "EdDSA",
];

/// Where a value of `principalId` or the context comes from: `claim:NAME` or `literal:TEXT`
/// in the file.
///
/// ```
/// # use authorizer::rules::Config;
/// # use std::path::Path;
/// # let rules = r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
/// #   "principalId": "claim:sub",
/// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
/// #   "rules": [
/// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
/// #   ]
/// # }"#;
/// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
/// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
/// use authorizer::rules::ValueSource;
///
/// assert_eq!(config.principal_id, ValueSource::Claim("sub".to_owned()));
/// assert_eq!(config.context[1], ("source".to_owned(), ValueSource::Literal("rules".to_owned())));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValueSource {
    /// `claim:NAME`: the token's claim.
    Claim(String),
    /// `literal:TEXT`: fixed text.
    Literal(String),
}

impl ValueSource {
    /// The value for these claims; `None` when the claim is absent.
    ///
    /// ```
    /// # use authorizer::rules::Config;
    /// # use std::path::Path;
    /// # let rules = r#"{
    /// #   "token": {"header": "Authorization", "bearer": "required"},
    /// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
    /// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
    /// #   "principalId": "claim:sub",
    /// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
    /// #   "rules": [
    /// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
    /// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
    /// #   ]
    /// # }"#;
    /// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
    /// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
    /// # let serde_json::Value::Object(claims) = serde_json::json!({"sub": "alice", "scope": "pets:read", "groups": ["staff", "admins"]}) else { panic!() };
    /// use serde_json::json;
    ///
    /// assert_eq!(config.principal_id.resolve(&claims), Some(json!("alice")));
    /// let (_, tenant) = &config.context[0];
    /// assert_eq!(tenant.resolve(&claims), None, "alice's token has no `tenant`");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resolve<'c>(&'c self, claims: &'c Map<String, Value>) -> Option<Value> {
        match self {
            ValueSource::Claim(name) => claims.get(name).cloned(),
            ValueSource::Literal(text) => Some(Value::String(text.clone())),
        }
    }
}

/// A route a rule grants: an entry of a rule's `routes`.
///
/// ```
/// # use authorizer::rules::Config;
/// # use std::path::Path;
/// # let rules = r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
/// #   "principalId": "claim:sub",
/// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
/// #   "rules": [
/// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
/// #   ]
/// # }"#;
/// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
/// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
/// use authorizer::rules::RouteSpec;
///
/// let routes = &config.rules[1].routes;
/// assert!(matches!(&routes[0], RouteSpec::Method { verb, path, .. } if verb == "POST" && path == "/pets"));
/// assert_eq!(routes[1], RouteSpec::Key("$connect".to_owned()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RouteSpec {
    /// `VERB /path-glob`; the verb may be `*`.
    Method {
        /// `GET`, `*`, ...
        verb: String,
        /// The path glob as written.
        path: String,
        /// The compiled path glob (IAM wildcard semantics).
        pattern: Pattern,
    },
    /// A route key such as WebSocket `$connect`.
    Key(String),
}

impl RouteSpec {
    /// Whether a request for `verb path` (or route key `key`) falls under this route. The verb
    /// `*` is any of [`HTTP_METHODS`], the verbs of method ARNs — exactly what the policy the
    /// authorizer returns allows for it.
    ///
    /// ```
    /// # use authorizer::rules::Config;
    /// # use std::path::Path;
    /// # let rules = r#"{
    /// #   "token": {"header": "Authorization", "bearer": "required"},
    /// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
    /// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
    /// #   "principalId": "claim:sub",
    /// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
    /// #   "rules": [
    /// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
    /// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
    /// #   ]
    /// # }"#;
    /// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
    /// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
    /// let read = &config.rules[0].routes[1]; // GET /pets/*
    /// assert!(read.covers(Some("GET"), Some("/pets/7/photos"), None), "`*` spans `/`");
    /// assert!(!read.covers(Some("DELETE"), Some("/pets/7"), None));
    /// let connect = &config.rules[1].routes[1]; // $connect
    /// assert!(connect.covers(None, None, Some("$connect")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn covers(&self, verb: Option<&str>, path: Option<&str>, key: Option<&str>) -> bool {
        match self {
            RouteSpec::Method {
                verb: v, pattern, ..
            } => {
                let verb_ok = verb.is_some_and(|m| {
                    if v == "*" {
                        HTTP_METHODS.iter().any(|h| m.eq_ignore_ascii_case(h))
                    } else {
                        m.eq_ignore_ascii_case(v)
                    }
                });
                verb_ok && path.is_some_and(|p| pattern.matches(p))
            }
            RouteSpec::Key(k) => key == Some(k.as_str()),
        }
    }
}

/// One grant: its routes, when all of its conditions hold (an entry of the file's `rules`).
///
/// ```
/// # use authorizer::rules::Config;
/// # use std::path::Path;
/// # let rules = r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
/// #   "principalId": "claim:sub",
/// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
/// #   "rules": [
/// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
/// #   ]
/// # }"#;
/// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
/// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
/// let admins = &config.rules[1];
/// assert!(admins.any_scope.is_empty());
/// assert_eq!(admins.claims, [("groups".to_owned(), vec!["admins".to_owned()])]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Rule {
    /// The routes granted.
    pub routes: Vec<RouteSpec>,
    /// At least one of these scopes must be in `scope` / `scp` (no condition when empty).
    pub any_scope: Vec<String>,
    /// Each named claim must have, or contain, one of the listed values.
    pub claims: Vec<(String, Vec<String>)>,
}

impl Rule {
    /// Whether the rule applies to a caller with these claims.
    ///
    /// ```
    /// # use authorizer::rules::Config;
    /// # use std::path::Path;
    /// # let rules = r#"{
    /// #   "token": {"header": "Authorization", "bearer": "required"},
    /// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
    /// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
    /// #   "principalId": "claim:sub",
    /// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
    /// #   "rules": [
    /// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
    /// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
    /// #   ]
    /// # }"#;
    /// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
    /// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
    /// # let serde_json::Value::Object(claims) = serde_json::json!({"sub": "alice", "scope": "pets:read", "groups": ["staff", "admins"]}) else { panic!() };
    /// // alice has `pets:read`, and `admins` among her groups: both rules apply.
    /// assert!(config.rules.iter().all(|rule| rule.applies(&claims)));
    /// assert!(!config.rules[0].applies(&serde_json::Map::new()));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn applies(&self, claims: &Map<String, Value>) -> bool {
        self.applies_with(claims, &scopes(claims))
    }

    /// [`Rule::applies`] with the caller's [`scopes`] already read from the claims.
    fn applies_with(&self, claims: &Map<String, Value>, scopes: &[&str]) -> bool {
        let scope_ok = self.any_scope.is_empty()
            || self.any_scope.iter().any(|s| scopes.contains(&s.as_str()));
        scope_ok
            && self.claims.iter().all(|(name, wanted)| {
                claim_values(claims.get(name))
                    .iter()
                    .any(|have| wanted.contains(have))
            })
    }
}

/// The caller's scopes, without duplicates: `scope`, a space-separated string (RFC 8693), and
/// `scp`, a string or an array of strings (Okta and Azure AD send arrays).
///
/// ```
/// use authorizer::rules::scopes;
/// use serde_json::json;
///
/// let serde_json::Value::Object(claims) = json!({"scope": "pets:read openid", "scp": ["pets:read", "pets:write"]})
/// else {
///     panic!("an object")
/// };
/// assert_eq!(scopes(&claims), ["pets:read", "openid", "pets:write"]);
/// ```
pub fn scopes(claims: &Map<String, Value>) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for key in ["scope", "scp"] {
        let found: Vec<&str> = match claims.get(key) {
            Some(Value::String(s)) => s.split_whitespace().collect(),
            Some(Value::Array(items)) if key == "scp" => {
                items.iter().filter_map(Value::as_str).collect()
            }
            _ => Vec::new(),
        };
        for scope in found {
            if !scope.is_empty() && !out.contains(&scope) {
                out.push(scope);
            }
        }
    }
    out
}

/// A claim's values as text: a string, each element of an array, or a number/boolean's text.
fn claim_values(value: Option<&Value>) -> Vec<String> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match value {
        Some(Value::Array(items)) => items.iter().filter_map(scalar).collect(),
        Some(other) => scalar(other).into_iter().collect(),
        None => Vec::new(),
    }
}

/// Which response an HTTP API payload 2.0 event gets: the file's `httpApiResponse` (`iam`, the
/// default, or `simple`). Other events always get an IAM policy.
///
/// ```
/// # use authorizer::rules::Config;
/// # use std::path::Path;
/// # let rules = r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
/// #   "principalId": "claim:sub",
/// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
/// #   "rules": [
/// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
/// #   ]
/// # }"#;
/// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
/// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
/// use authorizer::rules::HttpApiResponse;
///
/// assert_eq!(config.http_api_response, HttpApiResponse::Iam);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpApiResponse {
    /// An IAM policy (every API type).
    Iam,
    /// `{"isAuthorized": ..., "context": ...}` (HTTP API payload 2.0 only).
    Simple,
}

/// A parsed, validated rules file: read it with [`Config::load`] (or [`Config::parse`]) at
/// init and hand it to [`crate::handler::RulesAuthorizer::new`].
///
/// ```
/// # use authorizer::rules::Config;
/// # use std::path::Path;
/// # let rules = r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
/// #   "principalId": "claim:sub",
/// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
/// #   "rules": [
/// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
/// #   ]
/// # }"#;
/// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
/// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
/// use authorizer::rules::ValueSource;
///
/// assert_eq!(config.rules.len(), 2);
/// assert_eq!(config.context.len(), 2);
/// assert_eq!(config.context[0], ("tenant".to_owned(), ValueSource::Claim("tenant".to_owned())));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Config {
    /// Where the token is.
    pub token: TokenConfig,
    /// How to validate it.
    pub jwt: JwtConfig,
    /// `principalId`.
    pub principal_id: ValueSource,
    /// The context map, in file order.
    pub context: Vec<(String, ValueSource)>,
    /// The grants.
    pub rules: Vec<Rule>,
    /// The HTTP API 2.0 response shape.
    pub http_api_response: HttpApiResponse,
}

impl Config {
    /// Every route the rules grant a caller with these claims, in rule order, without
    /// duplicates: what the policy for this caller allows.
    ///
    /// ```
    /// # use authorizer::rules::Config;
    /// # use std::path::Path;
    /// # let rules = r#"{
    /// #   "token": {"header": "Authorization", "bearer": "required"},
    /// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
    /// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
    /// #   "principalId": "claim:sub",
    /// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
    /// #   "rules": [
    /// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
    /// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
    /// #   ]
    /// # }"#;
    /// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
    /// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
    /// let serde_json::Value::Object(reader) = serde_json::json!({"sub": "bob", "scope": "pets:read"})
    /// else {
    ///     panic!("an object")
    /// };
    /// let routes = config.granted_routes(&reader);
    /// assert_eq!(routes, config.rules[0].routes.iter().collect::<Vec<_>>());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn granted_routes(&self, claims: &Map<String, Value>) -> Vec<&RouteSpec> {
        self.routes_of(&self.applying_rules(claims))
    }

    /// The positions in [`Config::rules`] of the rules that apply to a caller with these
    /// claims, in rule order. The granted routes are a function of this list
    /// ([`Config::routes_of`]), so it can key anything derived from them.
    ///
    /// ```
    /// # use authorizer::rules::Config;
    /// # use std::path::Path;
    /// # let rules = r#"{
    /// #   "token": {"header": "Authorization", "bearer": "required"},
    /// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
    /// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
    /// #   "principalId": "claim:sub",
    /// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
    /// #   "rules": [
    /// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
    /// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
    /// #   ]
    /// # }"#;
    /// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
    /// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
    /// # let serde_json::Value::Object(claims) = serde_json::json!({"sub": "alice", "scope": "pets:read", "groups": ["staff", "admins"]}) else { panic!() };
    /// assert_eq!(config.applying_rules(&claims), [0, 1]);
    /// assert_eq!(config.applying_rules(&serde_json::Map::new()), [] as [usize; 0]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn applying_rules(&self, claims: &Map<String, Value>) -> Vec<usize> {
        let scopes = scopes(claims);
        self.rules
            .iter()
            .enumerate()
            .filter(|(_, rule)| rule.applies_with(claims, &scopes))
            .map(|(index, _)| index)
            .collect()
    }

    /// The routes of the rules at these positions (as [`Config::applying_rules`] gives them),
    /// in order, without duplicates; positions past the end are ignored.
    ///
    /// ```
    /// # use authorizer::rules::Config;
    /// # use std::path::Path;
    /// # let rules = r#"{
    /// #   "token": {"header": "Authorization", "bearer": "required"},
    /// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
    /// #           "hmacSecretEnv": "JWT_SECRET", "algorithms": ["HS256"]},
    /// #   "principalId": "claim:sub",
    /// #   "context": {"tenant": "claim:tenant", "source": "literal:rules"},
    /// #   "rules": [
    /// #     {"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
    /// #     {"routes": ["POST /pets", "$connect"], "claims": {"groups": ["admins"]}}
    /// #   ]
    /// # }"#;
    /// # let secret = |_: &str| Some("an example secret of 32+ bytes!!".to_owned());
    /// # let config = Config::parse("authorizer.json", rules, Path::new("."), &secret)?;
    /// assert_eq!(config.routes_of(&[1]).len(), 2);
    /// assert_eq!(config.routes_of(&[0, 1, 7]).len(), 4);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn routes_of(&self, rules: &[usize]) -> Vec<&RouteSpec> {
        let mut out: Vec<&RouteSpec> = Vec::new();
        for rule in rules.iter().filter_map(|&index| self.rules.get(index)) {
            for route in &rule.routes {
                if !out.contains(&route) {
                    out.push(route);
                }
            }
        }
        out
    }

    /// Read and validate a rules file; a relative `jwksFile` is resolved beside it, and the
    /// HMAC secret (if any) is read from the process environment.
    ///
    /// # Errors
    ///
    /// A [`ConfigError`] naming the file (and the field, for a bad field) when it cannot be
    /// read, is not JSON, or breaks the rules-file contract.
    ///
    /// ```
    /// use authorizer::rules::{Config, KeyConfig};
    ///
    /// let dir = std::env::temp_dir().join(format!("authorizer-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("authorizer.json");
    /// std::fs::write(&path, r#"{
    ///   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"], "jwksFile": "jwks.json"},
    ///   "rules": [{"routes": ["GET /pets"]}]
    /// }"#)?;
    /// let config = Config::load(&path)?;
    /// assert_eq!(config.jwt.keys, KeyConfig::JwksFile(dir.join("jwks.json")));
    /// assert!(Config::load(&dir.join("missing.json")).is_err());
    /// std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            FileError::new(&name, None, format!("cannot read the rules file ({e})"))
        })?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        Self::parse(&name, &text, base, &|var| std::env::var(var).ok())
    }

    /// Parse rules-file JSON. `file` names it in errors, `base` resolves `jwksFile`, `env`
    /// reads environment variables (the HMAC secret), so tests need not set any.
    ///
    /// # Errors
    ///
    /// As [`Config::load`], except that nothing is read from disk.
    ///
    /// ```
    /// use authorizer::rules::Config;
    /// use std::path::Path;
    ///
    /// let rules = r#"{"jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
    ///                         "hmacSecretEnv": "JWT_SECRET", "algorithms": ["none"]},
    ///                 "rules": [{"routes": ["GET /pets"]}]}"#;
    /// let secret = |name: &str| (name == "JWT_SECRET").then(|| "an example secret of 32+ bytes!!".to_owned());
    /// let error = Config::parse("authorizer.json", rules, Path::new("."), &secret).unwrap_err();
    /// assert_eq!(error.path().map(|p| p.as_str()), Some("jwt.algorithms[0]"));
    /// assert!(error.to_string().contains("`none` is never accepted"));
    /// ```
    pub fn parse(
        file: &str,
        text: &str,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let value: Value = policy_engine::json::parse_strict(text)
            .map_err(|e| FileError::new(file, None, format!("not valid JSON: {e}")))?;
        Reader { file }.config(&value, base, env)
    }
}

struct Reader<'f> {
    file: &'f str,
}

fn is_note(key: &str) -> bool {
    key.starts_with("//")
}

impl Reader<'_> {
    fn err(&self, path: &JsonPath, problem: impl Into<String>) -> ConfigError {
        FileError::new(self.file, Some(path), problem)
    }

    fn config(
        &self,
        value: &Value,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let root = Fields::read(
            self.file,
            value,
            JsonPath::root(),
            &[
                "token",
                "jwt",
                "principalId",
                "context",
                "rules",
                "httpApiResponse",
            ],
            is_note,
        )?;
        let token = match root.get("token") {
            Some(t) => self.token(t, root.path().key("token"))?,
            None => TokenConfig {
                location: TokenLocation::Header("Authorization".to_owned()),
                bearer: BearerMode::Optional,
            },
        };
        let jwt_value = root
            .get("jwt")
            .ok_or_else(|| self.err(root.path(), "missing required field `jwt`"))?;
        let jwt = self.jwt(jwt_value, root.path().key("jwt"), base, env)?;
        let principal_id = match root.string("principalId")? {
            Some(s) => self.source(s, &root.path().key("principalId"))?,
            None => ValueSource::Claim("sub".to_owned()),
        };
        let mut context = Vec::new();
        if let Some(c) = root.get("context") {
            let path = root.path().key("context");
            let Value::Object(map) = c else {
                return Err(self.err(&path, "expected an object of `key: \"claim:NAME\"` entries"));
            };
            for (k, v) in map {
                let p = path.key(k);
                let Value::String(s) = v else {
                    return Err(self.err(&p, "expected `claim:NAME` or `literal:TEXT`"));
                };
                context.push((k.clone(), self.source(s, &p)?));
            }
        }
        let rules_path = root.path().key("rules");
        let rules = match root.get("rules") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, r)| self.rule(r, rules_path.index(i)))
                .collect::<Result<Vec<_>, _>>()?,
            Some(other) => {
                return Err(self.err(
                    &rules_path,
                    format!(
                        "expected an array of rules, found {}",
                        json::type_name(other)
                    ),
                ));
            }
            None => return Err(self.err(root.path(), "missing required field `rules`")),
        };
        let http_api_response = match root.string("httpApiResponse")? {
            None | Some("iam") => HttpApiResponse::Iam,
            Some("simple") => HttpApiResponse::Simple,
            Some(other) => {
                return Err(self.err(
                    &root.path().key("httpApiResponse"),
                    format!("unknown response `{other}`: use `iam` or `simple`"),
                ));
            }
        };
        Ok(Config {
            token,
            jwt,
            principal_id,
            context,
            rules,
            http_api_response,
        })
    }

    fn token(&self, value: &Value, path: JsonPath) -> Result<TokenConfig, ConfigError> {
        let f = Fields::read(
            self.file,
            value,
            path,
            &["header", "query", "bearer"],
            is_note,
        )?;
        let location = match (f.string("header")?, f.string("query")?) {
            (Some(h), None) if !h.is_empty() => TokenLocation::Header(h.to_owned()),
            (None, Some(q)) if !q.is_empty() => TokenLocation::Query(q.to_owned()),
            (Some(_), Some(_)) => {
                return Err(self.err(f.path(), "give either `header` or `query`, not both"));
            }
            _ => return Err(self.err(f.path(), "give `header` (e.g. `Authorization`) or `query`")),
        };
        let bearer =
            match f.string("bearer")?.unwrap_or("optional") {
                "required" => BearerMode::Required,
                "optional" => BearerMode::Optional,
                "forbidden" => BearerMode::Forbidden,
                other => return Err(self.err(
                    &f.path().key("bearer"),
                    format!(
                        "unknown bearer mode `{other}`: use `required`, `optional` or `forbidden`"
                    ),
                )),
            };
        Ok(TokenConfig { location, bearer })
    }

    fn jwt(
        &self,
        value: &Value,
        path: JsonPath,
        base: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<JwtConfig, ConfigError> {
        let f = Fields::read(
            self.file,
            value,
            path,
            &[
                "issuer",
                "audiences",
                "jwksUri",
                "jwksFile",
                "hmacSecretEnv",
                "algorithms",
                "leewaySeconds",
                "requiredClaims",
            ],
            is_note,
        )?;
        let issuer = f.required("issuer")?.to_owned();
        let audiences = f.strings("audiences")?;
        if audiences.is_empty() {
            return Err(self.err(
                f.path(),
                "missing required field `audiences`: list the accepted `aud` (or Cognito `client_id`) values",
            ));
        }
        let sources: Vec<&str> = ["jwksUri", "jwksFile", "hmacSecretEnv"]
            .into_iter()
            .filter(|k| f.contains(k))
            .collect();
        let keys = match sources.as_slice() {
            ["jwksUri"] => {
                let uri = f.required("jwksUri")?;
                let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
                    .iter()
                    .any(|prefix| {
                        uri.strip_prefix(prefix)
                            .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
                    });
                if !uri.starts_with("https://") && !loopback {
                    return Err(self.err(
                        &f.path().key("jwksUri"),
                        format!("`{uri}` is not an https URL (plain http is allowed only on the loopback, for tests)"),
                    ));
                }
                KeyConfig::JwksUri(uri.to_owned())
            }
            ["jwksFile"] => KeyConfig::JwksFile(base.join(f.required("jwksFile")?)),
            ["hmacSecretEnv"] => {
                let var = f.required("hmacSecretEnv")?;
                match env(var) {
                    Some(secret) if secret.len() < crate::jwt::MIN_HMAC_SECRET_BYTES => {
                        return Err(self.err(
                            &f.path().key("hmacSecretEnv"),
                            format!(
                                "the secret in `{var}` is {} bytes: HMAC secrets need at least {} (RFC 7518)",
                                secret.len(),
                                crate::jwt::MIN_HMAC_SECRET_BYTES
                            ),
                        ))
                    }
                    Some(secret) => KeyConfig::HmacSecret {
                        env: var.to_owned(),
                        secret: secret.into_bytes(),
                    },
                    _ => {
                        return Err(self.err(
                            &f.path().key("hmacSecretEnv"),
                            format!("environment variable `{var}` is not set or empty: set it to the HMAC secret"),
                        ))
                    }
                }
            }
            [] => {
                return Err(self.err(
                    f.path(),
                    "no key source: give one of `jwksUri`, `jwksFile` or `hmacSecretEnv`",
                ));
            }
            _ => {
                return Err(self.err(
                    f.path(),
                    "give exactly one of `jwksUri`, `jwksFile` or `hmacSecretEnv`",
                ));
            }
        };
        let algorithms = f.strings("algorithms")?;
        let algorithms = if algorithms.is_empty() {
            match keys {
                KeyConfig::HmacSecret { .. } => vec!["HS256".to_owned()],
                _ => vec!["RS256".to_owned()],
            }
        } else {
            algorithms
        };
        for (i, alg) in algorithms.iter().enumerate() {
            let p = f.path().key("algorithms").index(i);
            if alg.eq_ignore_ascii_case("none") {
                return Err(self.err(
                    &p,
                    "algorithm `none` is never accepted: unsigned tokens prove nothing",
                ));
            }
            if !ALGORITHMS.contains(&alg.as_str()) {
                let hint = json::suggest(alg, &ALGORITHMS).map_or_else(
                    || format!(": use one of {}", ALGORITHMS.join(", ")),
                    |s| format!(": did you mean `{s}`?"),
                );
                return Err(self.err(&p, format!("unknown algorithm `{alg}`{hint}")));
            }
            let hmac = alg.starts_with("HS");
            if hmac != matches!(keys, KeyConfig::HmacSecret { .. }) {
                return Err(self.err(
                    &p,
                    format!("algorithm `{alg}` does not fit the key source: HS* needs `hmacSecretEnv`, the others a JWKS"),
                ));
            }
        }
        let leeway_seconds = match f.get("leewaySeconds") {
            None => 0,
            Some(v) => v.as_u64().filter(|s| *s <= 300).ok_or_else(|| {
                self.err(
                    &f.path().key("leewaySeconds"),
                    "expected a whole number of seconds from 0 to 300",
                )
            })?,
        };
        Ok(JwtConfig {
            issuer,
            audiences,
            keys,
            algorithms,
            leeway_seconds,
            required_claims: f.strings("requiredClaims")?,
        })
    }

    fn source(&self, text: &str, path: &JsonPath) -> Result<ValueSource, ConfigError> {
        if let Some(claim) = text.strip_prefix("claim:").filter(|c| !c.is_empty()) {
            Ok(ValueSource::Claim(claim.to_owned()))
        } else if let Some(literal) = text.strip_prefix("literal:") {
            Ok(ValueSource::Literal(literal.to_owned()))
        } else {
            Err(self.err(
                path,
                format!("`{text}` is neither `claim:NAME` nor `literal:TEXT`"),
            ))
        }
    }

    fn rule(&self, value: &Value, path: JsonPath) -> Result<Rule, ConfigError> {
        let f = Fields::read(
            self.file,
            value,
            path,
            &["routes", "anyScope", "claims"],
            is_note,
        )?;
        let route_texts = f.strings("routes")?;
        if route_texts.is_empty() {
            return Err(self.err(f.path(), "a rule needs `routes`"));
        }
        let routes = route_texts
            .iter()
            .enumerate()
            .map(|(i, r)| self.route(r, &f.path().key("routes").index(i)))
            .collect::<Result<Vec<_>, _>>()?;
        let mut claims = Vec::new();
        if let Some(c) = f.get("claims") {
            let p = f.path().key("claims");
            let wanted = Fields::any(self.file, c, p.clone())
                .map_err(|_| self.err(&p, "expected an object of `claim: [values]`"))?;
            for name in wanted.map().keys() {
                let values = wanted.strings(name)?;
                if values.is_empty() {
                    return Err(self.err(&p.key(name), "list at least one accepted value"));
                }
                claims.push((name.clone(), values));
            }
        }
        Ok(Rule {
            routes,
            any_scope: f.strings("anyScope")?,
            claims,
        })
    }

    fn route(&self, text: &str, path: &JsonPath) -> Result<RouteSpec, ConfigError> {
        if text.starts_with('$') {
            return if text.contains(char::is_whitespace) {
                Err(self.err(path, format!("route key `{text}` contains spaces")))
            } else {
                Ok(RouteSpec::Key(text.to_owned()))
            };
        }
        let bad = |why: &str| {
            self.err(path, format!("route `{text}` {why}: write `VERB /path-glob` such as `GET /pets/*`, or a route key such as `$connect`"))
        };
        let (verb, route_path) = text.split_once(' ').ok_or_else(|| bad("has no path"))?;
        let route_path = route_path.trim();
        if !route_path.starts_with('/') {
            return Err(bad("has a path that does not start with `/`"));
        }
        let verb_ok =
            verb == "*" || (!verb.is_empty() && verb.chars().all(|c| c.is_ascii_alphabetic()));
        if !verb_ok {
            return Err(bad("has an invalid verb"));
        }
        Ok(RouteSpec::Method {
            verb: verb.to_ascii_uppercase(),
            path: route_path.to_owned(),
            pattern: Pattern::compile(route_path, Wildcards::On, CaseMode::Sensitive, false),
        })
    }
}

#[cfg(test)]
mod tests;
