//! JWT validation for the Lambda authorizer (the `jwt` section of the rules file): a
//! [`Verifier`] built once from [`JwtSettings`] checks a compact JWS token — size, structure,
//! algorithm allow-list, key selection by `kid` with the key type matching the algorithm,
//! signature, `exp`/`nbf`/`iat` with leeway, exact issuer, audience (or Cognito's `client_id`)
//! and required claims — and returns its [`Claims`]. It fails closed: every error is either a
//! token problem ([`JwtError::is_unauthorized`], API Gateway answers 401) or an infrastructure
//! problem (500), never an allow. Keys come from an HMAC secret, a JWKS file, or a JWKS URI
//! cached in memory (fetched over HTTPS, refetched when a token names an unknown `kid`).
//! Algorithms ([`Algorithm`]): `HS256`/`HS384`/`HS512` with an HMAC secret; `RS*` and `PS*`
//! with RSA keys, `ES256`/`ES384`/`ES512` with EC keys on P-256/P-384/P-521 and `EdDSA` with
//! Ed25519 keys from a JWKS, each key verifying only the algorithms of its type and curve.
//!
//! This is the "who is calling" half of an authorizer's decision (see the [crate] docs): take
//! the token from the event ([`crate::event::AuthorizerEvent::token`] or a header), verify it
//! here, and decide from the [`Claims`] — or let [`crate::handler::RulesAuthorizer`] do both
//! from a rules file, whose `jwt` section ([`crate::rules::JwtConfig`]) becomes
//! [`JwtSettings`]. Map a [`JwtError`] to [`crate::AuthorizerError`] with
//! [`JwtError::is_unauthorized`].
//!
//! ```
//! use authorizer::jwt::{Algorithm, JwksOptions, JwtSettings, KeySource, Verifier};
//! use authorizer::AuthorizerError;
//! use jsonwebtoken::{encode, EncodingKey, Header};
//! use serde_json::json;
//!
//! const SECRET: &[u8] = b"an example secret of 32+ bytes!!";
//! // The identity provider's side: an HS256 token for alice.
//! let token = encode(
//!     &Header::new(jsonwebtoken::Algorithm::HS256),
//!     &json!({"iss": "https://idp.example.com/", "aud": "pets-api", "sub": "alice",
//!             "scope": "pets:read", "exp": 4_102_444_800_u64}),
//!     &EncodingKey::from_secret(SECRET),
//! )?;
//!
//! let settings = JwtSettings {
//!     issuer: "https://idp.example.com/".to_owned(),
//!     audiences: vec!["pets-api".to_owned()],
//!     keys: KeySource::HmacSecret(SECRET.to_vec()),
//!     algorithms: vec![Algorithm::HS256],
//!     leeway_seconds: 60,
//!     required_claims: Vec::new(),
//! };
//! let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
//! runtime.block_on(async {
//!     // Once, at init; then shared by every invocation.
//!     let verifier = Verifier::new(settings, JwksOptions::default()).await?;
//!
//!     let claims = verifier.verify(&token).await?;
//!     assert_eq!(claims.subject(), Some("alice"));
//!     assert_eq!(claims.scopes(), ["pets:read"]);
//!
//!     // A tampered token is the caller's problem: 401.
//!     let tampered = format!("{token}x");
//!     let error = verifier.verify(&tampered).await.unwrap_err();
//!     let answer = if error.is_unauthorized() {
//!         AuthorizerError::unauthorized(error.to_string())
//!     } else {
//!         AuthorizerError::internal(error.to_string())
//!     };
//!     assert!(answer.is_unauthorized());
//!     Ok::<(), Box<dyn std::error::Error>>(())
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[path = "jwks.rs"]
mod jwks;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::DecodingKey;
use serde_json::{Map, Value};

use jwks::{KeySet, Lookup, RemoteJwks};

/// A JWS signing algorithm, for [`JwtSettings::algorithms`]: its variants are the JOSE names
/// (RFC 7518 §3.1, and `EdDSA` of RFC 8037), which [`FromStr`](std::str::FromStr) reads exactly
/// (case-sensitive) and [`Display`](fmt::Display) writes. `none` is not an algorithm. More may
/// be added, so a `match` needs a `_` arm.
///
/// What each needs from the key source ([`KeySource`]): `HS*` an HMAC secret; `RS*` and `PS*`
/// an RSA JWK; `ES256`, `ES384` and `ES512` an EC JWK on `P-256`, `P-384` and `P-521`
/// respectively; `EdDSA` an OKP JWK on `Ed25519` (`Ed448` keys are not supported).
///
/// ```
/// use authorizer::jwt::Algorithm;
///
/// let allowed: Vec<Algorithm> = ["RS256", "ES512", "EdDSA"].iter().map(|name| name.parse()).collect::<Result<_, _>>()?;
/// assert_eq!(allowed, [Algorithm::RS256, Algorithm::ES512, Algorithm::EdDSA]);
/// assert_eq!(Algorithm::EdDSA.to_string(), "EdDSA");
/// assert!("none".parse::<Algorithm>().is_err());
/// assert!("eddsa".parse::<Algorithm>().is_err(), "JOSE names are case-sensitive");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// HMAC with SHA-256.
    HS256,
    /// HMAC with SHA-384.
    HS384,
    /// HMAC with SHA-512.
    HS512,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    RS256,
    /// RSASSA-PKCS1-v1_5 with SHA-384.
    RS384,
    /// RSASSA-PKCS1-v1_5 with SHA-512.
    RS512,
    /// RSASSA-PSS with SHA-256.
    PS256,
    /// RSASSA-PSS with SHA-384.
    PS384,
    /// RSASSA-PSS with SHA-512.
    PS512,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// ECDSA on P-384 with SHA-384.
    ES384,
    /// ECDSA on P-521 with SHA-512 (a 132-byte signature).
    ES512,
    /// EdDSA (RFC 8037), with an Ed25519 key.
    EdDSA,
}

/// The key type an [`Algorithm`] verifies with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// `HS*`: an HMAC secret, never a JWK.
    Hmac,
    /// `RS*` and `PS*`: an RSA JWK.
    Rsa,
    /// `ES*`: an EC JWK on the algorithm's curve.
    Ec,
    /// `EdDSA`: an OKP JWK on `Ed25519`.
    Ed,
}

impl Algorithm {
    /// Every algorithm, in declaration order.
    ///
    /// ```
    /// use authorizer::jwt::Algorithm;
    ///
    /// assert!(Algorithm::ALL.contains(&Algorithm::ES512));
    /// for alg in Algorithm::ALL {
    ///     assert_eq!(alg.name().parse::<Algorithm>()?, *alg);
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub const ALL: &'static [Self] = &[
        Self::HS256,
        Self::HS384,
        Self::HS512,
        Self::RS256,
        Self::RS384,
        Self::RS512,
        Self::PS256,
        Self::PS384,
        Self::PS512,
        Self::ES256,
        Self::ES384,
        Self::ES512,
        Self::EdDSA,
    ];

    /// The JOSE name (`"RS256"`, `"EdDSA"`, ...), as it appears in a token's `alg` header, a
    /// JWK's `alg` and the rules file's `jwt.algorithms`.
    ///
    /// ```
    /// use authorizer::jwt::Algorithm;
    ///
    /// assert_eq!(Algorithm::ES512.name(), "ES512");
    /// ```
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::HS256 => "HS256",
            Self::HS384 => "HS384",
            Self::HS512 => "HS512",
            Self::RS256 => "RS256",
            Self::RS384 => "RS384",
            Self::RS512 => "RS512",
            Self::PS256 => "PS256",
            Self::PS384 => "PS384",
            Self::PS512 => "PS512",
            Self::ES256 => "ES256",
            Self::ES384 => "ES384",
            Self::ES512 => "ES512",
            Self::EdDSA => "EdDSA",
        }
    }

    /// The key type the algorithm verifies with.
    fn family(self) -> Family {
        match self {
            Self::HS256 | Self::HS384 | Self::HS512 => Family::Hmac,
            Self::RS256 | Self::RS384 | Self::RS512 | Self::PS256 | Self::PS384 | Self::PS512 => {
                Family::Rsa
            }
            Self::ES256 | Self::ES384 | Self::ES512 => Family::Ec,
            Self::EdDSA => Family::Ed,
        }
    }

    /// jsonwebtoken's name for an `HS*` algorithm (the HMAC check goes through jsonwebtoken;
    /// every other signature is checked with aws-lc directly, in `jwks.rs`).
    fn hmac(self) -> Option<jsonwebtoken::Algorithm> {
        match self {
            Self::HS256 => Some(jsonwebtoken::Algorithm::HS256),
            Self::HS384 => Some(jsonwebtoken::Algorithm::HS384),
            Self::HS512 => Some(jsonwebtoken::Algorithm::HS512),
            _ => None,
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Algorithm {
    type Err = UnknownAlgorithm;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .find(|alg| alg.name() == name)
            .copied()
            .ok_or(UnknownAlgorithm)
    }
}

/// A name that is not an [`Algorithm`]'s JOSE name: what [`Algorithm::from_str`](std::str::FromStr)
/// answers for `"none"`, `"rs256"`, `"Ed25519"` or anything else. It does not repeat the name
/// (it may come from a token).
///
/// ```
/// use authorizer::jwt::{Algorithm, UnknownAlgorithm};
///
/// assert_eq!("XS999".parse::<Algorithm>(), Err(UnknownAlgorithm));
/// assert!(UnknownAlgorithm.to_string().starts_with("not a supported JWS algorithm"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a supported JWS algorithm (HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA)"
)]
pub struct UnknownAlgorithm;

/// Largest token accepted, in bytes; a longer one is rejected before anything is decoded.
///
/// ```
/// # use authorizer::jwt::{Algorithm, JwksOptions, JwtSettings, KeySource, Verifier};
/// # use jsonwebtoken::{encode, EncodingKey, Header};
/// # use serde_json::json;
/// # const SECRET: &[u8] = b"an example secret of 32+ bytes!!";
/// # let sign = |claims: serde_json::Value| encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET));
/// # let settings = JwtSettings {
/// #     issuer: "https://idp.example.com/".to_owned(),
/// #     audiences: vec!["pets-api".to_owned()],
/// #     keys: KeySource::HmacSecret(SECRET.to_vec()),
/// #     algorithms: vec![Algorithm::HS256],
/// #     leeway_seconds: 0,
/// #     required_claims: Vec::new(),
/// # };
/// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// use authorizer::jwt::{JwtError, MAX_TOKEN_BYTES};
///
/// let huge = "a".repeat(MAX_TOKEN_BYTES + 1);
/// runtime.block_on(async {
///     let verifier = Verifier::new(settings, JwksOptions::default()).await?;
///     assert_eq!(verifier.verify(&huge).await, Err(JwtError::TokenTooLarge));
///     Ok::<(), Box<dyn std::error::Error>>(())
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Floor of [`JwksOptions::refetch_cooldown`]: a shorter cooldown is raised to this, so that
/// tokens with made-up `kid`s cannot make the authorizer hammer the identity provider.
///
/// ```
/// use authorizer::jwt::{JwksOptions, MIN_REFETCH_COOLDOWN};
/// use std::time::Duration;
///
/// assert_eq!(MIN_REFETCH_COOLDOWN, Duration::from_secs(10));
/// assert_eq!(JwksOptions::default().refetch_cooldown, MIN_REFETCH_COOLDOWN);
/// ```
pub const MIN_REFETCH_COOLDOWN: Duration = Duration::from_secs(10);

/// Shortest HMAC secret accepted: RFC 7518 §3.2 requires a key at least as long as the hash
/// output, 32 bytes for HS256.
///
/// ```
/// # use authorizer::jwt::{Algorithm, JwksOptions, JwtSettings, KeySource, Verifier};
/// # use jsonwebtoken::{encode, EncodingKey, Header};
/// # use serde_json::json;
/// # const SECRET: &[u8] = b"an example secret of 32+ bytes!!";
/// # let sign = |claims: serde_json::Value| encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET));
/// # let settings = JwtSettings {
/// #     issuer: "https://idp.example.com/".to_owned(),
/// #     audiences: vec!["pets-api".to_owned()],
/// #     keys: KeySource::HmacSecret(SECRET.to_vec()),
/// #     algorithms: vec![Algorithm::HS256],
/// #     leeway_seconds: 0,
/// #     required_claims: Vec::new(),
/// # };
/// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// use authorizer::jwt::{JwtError, MIN_HMAC_SECRET_BYTES};
///
/// let short = JwtSettings {
///     keys: KeySource::HmacSecret(vec![b'k'; MIN_HMAC_SECRET_BYTES - 1]),
///     ..settings
/// };
/// let refused = runtime.block_on(Verifier::new(short, JwksOptions::default()));
/// assert!(matches!(refused, Err(JwtError::Config(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const MIN_HMAC_SECRET_BYTES: usize = 32;

/// What a token must satisfy: the `jwt` section of the rules file
/// ([`crate::rules::JwtConfig`]), or your own code's settings. Build it with a struct literal;
/// [`Verifier::new`] checks it.
///
/// ```
/// # use authorizer::jwt::{Algorithm, JwksOptions, JwtSettings, KeySource, Verifier};
/// # use jsonwebtoken::{encode, EncodingKey, Header};
/// # use serde_json::json;
/// # const SECRET: &[u8] = b"an example secret of 32+ bytes!!";
/// # let sign = |claims: serde_json::Value| encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET));
/// # let settings = JwtSettings {
/// #     issuer: "https://idp.example.com/".to_owned(),
/// #     audiences: vec!["pets-api".to_owned()],
/// #     keys: KeySource::HmacSecret(SECRET.to_vec()),
/// #     algorithms: vec![Algorithm::HS256],
/// #     leeway_seconds: 0,
/// #     required_claims: Vec::new(),
/// # };
/// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// use authorizer::jwt::JwtError;
///
/// // Every token must also carry a `tenant` claim.
/// let settings = JwtSettings { required_claims: vec!["tenant".to_owned()], ..settings };
/// let without_tenant = sign(json!({"iss": "https://idp.example.com/", "aud": "pets-api",
///                                  "sub": "alice", "exp": 4_102_444_800_u64}))?;
/// runtime.block_on(async {
///     let verifier = Verifier::new(settings, JwksOptions::default()).await?;
///     let error = verifier.verify(&without_tenant).await.unwrap_err();
///     assert_eq!(error, JwtError::MissingClaim("tenant".to_owned()));
///     Ok::<(), Box<dyn std::error::Error>>(())
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct JwtSettings {
    /// Expected `iss`, compared exactly.
    pub issuer: String,
    /// Accepted audiences: `aud` (a string or an array) must contain one of them; when `aud` is
    /// absent, `client_id` (Cognito access tokens) must be one of them. Must not be empty.
    pub audiences: Vec<String>,
    /// Where the verification keys come from.
    pub keys: KeySource,
    /// The algorithm allow-list. `HS*` needs [`KeySource::HmacSecret`]; `RS*`, `PS*`, `ES*`
    /// and `EdDSA` need a JWKS, whose keys are pinned to their type (see [`Algorithm`]). `none`
    /// is never accepted (it is not an [`Algorithm`]).
    pub algorithms: Vec<Algorithm>,
    /// Clock skew tolerated for `exp`, `nbf` and `iat`, in seconds.
    pub leeway_seconds: u64,
    /// Claims that must be present (and not `null`).
    pub required_claims: Vec<String>,
}

/// Where the verification keys come from. `Debug` never shows the HMAC secret. More sources
/// may be added, so a `match` needs a `_` arm.
///
/// ```
/// use authorizer::jwt::KeySource;
///
/// let jwks = KeySource::JwksUri(
///     "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE/.well-known/jwks.json".to_owned(),
/// );
/// assert!(format!("{jwks:?}").contains("cognito-idp"));
/// let secret = KeySource::HmacSecret(b"an example secret of 32+ bytes!!".to_vec());
/// assert_eq!(format!("{secret:?}"), "HmacSecret(<redacted>)");
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub enum KeySource {
    /// A JWKS fetched over HTTPS (plain `http` only for a loopback host) and cached.
    JwksUri(String),
    /// A JWKS read once from a file when the [`Verifier`] is built.
    JwksFile(PathBuf),
    /// An HMAC secret (at least [`MIN_HMAC_SECRET_BYTES`] bytes) for `HS256`/`HS384`/`HS512`.
    HmacSecret(Vec<u8>),
}

impl fmt::Debug for KeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::JwksUri(uri) => f.debug_tuple("JwksUri").field(uri).finish(),
            Self::JwksFile(path) => f.debug_tuple("JwksFile").field(path).finish(),
            Self::HmacSecret(_) => f.write_str("HmacSecret(<redacted>)"),
        }
    }
}

/// How a JWKS URI is fetched and cached ([`KeySource::JwksUri`] only). Start from
/// `JwksOptions::default()` and change what you need; [`Verifier::new`] checks the values.
///
/// ```
/// use authorizer::jwt::{Algorithm, JwksOptions, JwtError, JwtSettings, KeySource, Verifier};
/// use std::time::Duration;
///
/// let options = JwksOptions { max_age: Duration::from_secs(5), ..JwksOptions::default() };
/// let settings = JwtSettings {
///     issuer: "https://idp.example.com/".to_owned(),
///     audiences: vec!["pets-api".to_owned()],
///     keys: KeySource::JwksUri("https://idp.example.com/.well-known/jwks.json".to_owned()),
///     algorithms: vec![Algorithm::RS256],
///     leeway_seconds: 0,
///     required_claims: Vec::new(),
/// };
/// // Keys kept for less than the refetch cooldown: refused before anything is fetched.
/// let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// let refused = runtime.block_on(Verifier::new(settings, options));
/// assert!(matches!(refused, Err(JwtError::Config(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JwksOptions {
    /// Keys older than this are refetched on next use (default 1 h). While refetches fail, the
    /// old keys stay usable until they are twice this old. Must be at least the cooldown.
    pub max_age: Duration,
    /// Minimum time between two fetches triggered by verifications — an unknown `kid`, missing
    /// or old keys (default and minimum [`MIN_REFETCH_COOLDOWN`], 10 s).
    pub refetch_cooldown: Duration,
    /// Timeout of one fetch, connection included (default 3 s).
    pub timeout: Duration,
    /// Most keys kept from one JWKS document (default 100); the rest are ignored.
    pub max_keys: u64,
}

impl Default for JwksOptions {
    fn default() -> Self {
        Self {
            max_age: Duration::from_secs(3600),
            refetch_cooldown: MIN_REFETCH_COOLDOWN,
            timeout: Duration::from_secs(3),
            max_keys: 100,
        }
    }
}

/// Why a token was not accepted. Two classes ([`JwtError::is_unauthorized`]): token problems,
/// which the authorizer answers with `Unauthorized` (401), and configuration or infrastructure
/// problems (500). Messages never contain the token or any part of it.
///
/// ```
/// # use authorizer::jwt::{Algorithm, JwksOptions, JwtSettings, KeySource, Verifier};
/// # use jsonwebtoken::{encode, EncodingKey, Header};
/// # use serde_json::json;
/// # const SECRET: &[u8] = b"an example secret of 32+ bytes!!";
/// # let sign = |claims: serde_json::Value| encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET));
/// # let settings = JwtSettings {
/// #     issuer: "https://idp.example.com/".to_owned(),
/// #     audiences: vec!["pets-api".to_owned()],
/// #     keys: KeySource::HmacSecret(SECRET.to_vec()),
/// #     algorithms: vec![Algorithm::HS256],
/// #     leeway_seconds: 0,
/// #     required_claims: Vec::new(),
/// # };
/// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// use authorizer::jwt::JwtError;
///
/// let expired = sign(json!({"iss": "https://idp.example.com/", "aud": "pets-api",
///                           "sub": "alice", "exp": 1_000_000_000}))?;
/// let other_audience = sign(json!({"iss": "https://idp.example.com/", "aud": "billing-api",
///                                  "sub": "alice", "exp": 4_102_444_800_u64}))?;
/// runtime.block_on(async {
///     let verifier = Verifier::new(settings, JwksOptions::default()).await?;
///     let error = verifier.verify(&expired).await.unwrap_err();
///     assert_eq!(error, JwtError::Expired);
///     assert_eq!(error.to_string(), "token is expired");
///     assert_eq!(verifier.verify(&other_audience).await, Err(JwtError::InvalidAudience));
///     assert_eq!(verifier.verify("not-a-jwt").await,
///                Err(JwtError::Malformed("not three dot-separated parts")));
///     Ok::<(), Box<dyn std::error::Error>>(())
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum JwtError {
    /// The token is longer than [`MAX_TOKEN_BYTES`].
    #[error("token is larger than {max} bytes", max = MAX_TOKEN_BYTES)]
    TokenTooLarge,
    /// The token is not a well-formed compact JWS; the text says what is wrong.
    #[error("malformed token: {0}")]
    Malformed(&'static str),
    /// The token's `alg` is `none`.
    #[error("token algorithm none is never accepted")]
    AlgorithmNone,
    /// The token's `alg` is not an algorithm this verifier knows.
    #[error("token algorithm is not supported")]
    UnsupportedAlgorithm,
    /// The token's `alg` is not in the allow-list.
    #[error("token algorithm {0} is not allowed")]
    AlgorithmNotAllowed(Algorithm),
    /// The token's `alg` disagrees with the key's type, curve or own `alg`.
    #[error("token algorithm {0} does not match the key")]
    AlgorithmKeyMismatch(Algorithm),
    /// The token has no `kid` and the key set has several keys.
    #[error("token has no kid and the key set has several keys")]
    MissingKid,
    /// No key has the token's `kid`, even after the refetch the cooldown allowed.
    #[error("token kid matches no key")]
    UnknownKid,
    /// The signature does not verify.
    #[error("token signature is invalid")]
    InvalidSignature,
    /// `exp` is past (beyond the leeway).
    #[error("token is expired")]
    Expired,
    /// `nbf` is in the future (beyond the leeway).
    #[error("token is not yet valid")]
    NotYetValid,
    /// `iat` is in the future (beyond the leeway).
    #[error("token is issued in the future")]
    IssuedInFuture,
    /// `iss` is not the configured issuer.
    #[error("token issuer is not accepted")]
    InvalidIssuer,
    /// Neither `aud` nor (when `aud` is absent) `client_id` names an accepted audience.
    #[error("token audience is not accepted")]
    InvalidAudience,
    /// A required claim is absent or `null` (`exp` and `iss` are always required).
    #[error("token lacks required claim {0}")]
    MissingClaim(String),
    /// A registered claim has the wrong JSON type (for example a string `exp`).
    #[error("token claim {0} has an invalid type")]
    InvalidClaim(&'static str),
    /// The JWKS could not be fetched or parsed and no usable keys are cached.
    #[error("jwks unavailable: {0}")]
    JwksUnavailable(String),
    /// The settings or options are invalid, or the JWKS file is unreadable.
    #[error("invalid jwt configuration: {0}")]
    Config(String),
    /// The system clock is before 1970.
    #[error("system clock is before the unix epoch")]
    Clock,
}

impl JwtError {
    /// `true` for token problems (answer `Unauthorized`, 401); `false` for configuration and
    /// infrastructure problems (any other error, 500).
    ///
    /// ```
    /// use authorizer::jwt::JwtError;
    ///
    /// assert!(JwtError::InvalidSignature.is_unauthorized());
    /// assert!(!JwtError::JwksUnavailable("connection refused".to_owned()).is_unauthorized());
    /// ```
    #[must_use]
    pub fn is_unauthorized(&self) -> bool {
        !matches!(
            self,
            Self::JwksUnavailable(_) | Self::Config(_) | Self::Clock
        )
    }
}

/// The claims of a verified token, as JSON: what [`Verifier::verify`] returns, and what the
/// decision reads (subject, scopes, any custom claim).
///
/// ```
/// use authorizer::jwt::Claims;
/// use serde_json::json;
///
/// let serde_json::Value::Object(map) = json!({"sub": "alice", "scope": "pets:read", "tenant": "acme"})
/// else {
///     panic!("an object")
/// };
/// // Built by hand for a test of a decision function; `Verifier::verify` makes real ones.
/// let claims = Claims::from_map(map);
/// assert_eq!(claims.subject(), Some("alice"));
/// assert_eq!(claims.string("tenant"), Some("acme"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Claims {
    /// The payload object.
    map: Map<String, Value>,
}

impl Claims {
    /// Wraps a claims object as is, verifying nothing: for tests and custom decision functions.
    ///
    /// ```
    /// use authorizer::jwt::Claims;
    ///
    /// let mut map = serde_json::Map::new();
    /// map.insert("sub".to_owned(), "alice".into());
    /// assert_eq!(Claims::from_map(map).subject(), Some("alice"));
    /// ```
    #[must_use]
    pub fn from_map(map: Map<String, Value>) -> Self {
        Self { map }
    }

    /// The claim `name`, if present, whatever its JSON type.
    ///
    /// ```
    /// # use authorizer::jwt::Claims;
    /// # use serde_json::json;
    /// # let serde_json::Value::Object(map) = json!({"sub": "alice", "scope": "pets:read pets:write", "tenant": "acme", "org": 42}) else { panic!() };
    /// # let claims = Claims::from_map(map);
    /// assert_eq!(claims.get("org"), Some(&json!(42)));
    /// assert_eq!(claims.get("email"), None);
    /// ```
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.map.get(name)
    }

    /// The claim `name` if it is a string.
    ///
    /// ```
    /// # use authorizer::jwt::Claims;
    /// # use serde_json::json;
    /// # let serde_json::Value::Object(map) = json!({"sub": "alice", "scope": "pets:read pets:write", "tenant": "acme", "org": 42}) else { panic!() };
    /// # let claims = Claims::from_map(map);
    /// assert_eq!(claims.string("tenant"), Some("acme"));
    /// assert_eq!(claims.string("org"), None, "a number, not a string");
    /// ```
    #[must_use]
    pub fn string(&self, name: &str) -> Option<&str> {
        self.map.get(name).and_then(Value::as_str)
    }

    /// The token's scopes: `scope` (a space-separated string, OAuth 2.0 / Cognito) followed by
    /// `scp` (a space-separated string or an array of strings, Azure AD / Okta), without
    /// duplicates, in order. Values of other types are ignored.
    ///
    /// ```
    /// use authorizer::jwt::Claims;
    /// use serde_json::json;
    ///
    /// let serde_json::Value::Object(map) = json!({"scope": "pets:read", "scp": ["pets:read", "pets:write"]})
    /// else {
    ///     panic!("an object")
    /// };
    /// assert_eq!(Claims::from_map(map).scopes(), ["pets:read", "pets:write"]);
    /// ```
    #[must_use]
    pub fn scopes(&self) -> Vec<&str> {
        crate::rules::scopes(&self.map)
    }

    /// The `sub` claim, if it is a string: the usual `principalId`.
    ///
    /// ```
    /// # use authorizer::jwt::Claims;
    /// # use serde_json::json;
    /// # let serde_json::Value::Object(map) = json!({"sub": "alice", "scope": "pets:read pets:write", "tenant": "acme", "org": 42}) else { panic!() };
    /// # let claims = Claims::from_map(map);
    /// assert_eq!(claims.subject(), Some("alice"));
    /// ```
    #[must_use]
    pub fn subject(&self) -> Option<&str> {
        self.string("sub")
    }

    /// All claims.
    ///
    /// ```
    /// # use authorizer::jwt::Claims;
    /// # use serde_json::json;
    /// # let serde_json::Value::Object(map) = json!({"sub": "alice", "scope": "pets:read pets:write", "tenant": "acme", "org": 42}) else { panic!() };
    /// # let claims = Claims::from_map(map);
    /// assert!(claims.as_map().contains_key("tenant"));
    /// ```
    #[must_use]
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.map
    }

    /// All claims, by value (say, to pass them on as an HTTP API simple response's context).
    ///
    /// ```
    /// # use authorizer::jwt::Claims;
    /// # use serde_json::json;
    /// # let serde_json::Value::Object(map) = json!({"sub": "alice", "scope": "pets:read pets:write", "tenant": "acme", "org": 42}) else { panic!() };
    /// # let claims = Claims::from_map(map);
    /// let map = claims.into_map();
    /// assert_eq!(map.len(), 4);
    /// ```
    #[must_use]
    pub fn into_map(self) -> Map<String, Value> {
        self.map
    }
}

/// Where the [`Verifier`] takes keys from, once loaded.
enum Keys {
    /// `HS*` only.
    Hmac(DecodingKey),
    /// A JWKS read from a file at init; never refetched.
    Static(KeySet),
    /// A JWKS URI, cached.
    Remote(RemoteJwks),
}

/// The validated settings and the keys.
struct Inner {
    /// Exact `iss`.
    issuer: String,
    /// Accepted `aud` / `client_id` values.
    audiences: Vec<String>,
    /// The allow-list.
    algorithms: Vec<Algorithm>,
    /// Leeway in seconds, as a signed number for the time arithmetic.
    leeway: i64,
    /// Claims that must be present.
    required_claims: Vec<String>,
    /// The keys.
    keys: Keys,
}

/// Verifies tokens against [`JwtSettings`]. Build it once (at Lambda init) and share it: it is
/// cheap to clone (an `Arc`) and `Send + Sync`.
///
/// ```
/// # use authorizer::jwt::{Algorithm, JwksOptions, JwtSettings, KeySource, Verifier};
/// # use jsonwebtoken::{encode, EncodingKey, Header};
/// # use serde_json::json;
/// # const SECRET: &[u8] = b"an example secret of 32+ bytes!!";
/// # let sign = |claims: serde_json::Value| encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET));
/// # let settings = JwtSettings {
/// #     issuer: "https://idp.example.com/".to_owned(),
/// #     audiences: vec!["pets-api".to_owned()],
/// #     keys: KeySource::HmacSecret(SECRET.to_vec()),
/// #     algorithms: vec![Algorithm::HS256],
/// #     leeway_seconds: 0,
/// #     required_claims: Vec::new(),
/// # };
/// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
/// let token = sign(json!({"iss": "https://idp.example.com/", "aud": "pets-api",
///                         "sub": "alice", "exp": 4_102_444_800_u64}))?;
/// runtime.block_on(async {
///     let verifier = Verifier::new(settings, JwksOptions::default()).await?;
///     // Share it with every task: a clone is another handle on the same keys.
///     let shared = verifier.clone();
///     let claims = tokio::spawn(async move { shared.verify(&token).await }).await??;
///     assert_eq!(claims.subject(), Some("alice"));
///     Ok::<(), Box<dyn std::error::Error>>(())
/// })?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    /// Shared state.
    inner: Arc<Inner>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = match &self.inner.keys {
            Keys::Hmac(_) => "hmac secret",
            Keys::Static(_) => "jwks file",
            Keys::Remote(_) => "jwks uri",
        };
        f.debug_struct("Verifier")
            .field("issuer", &self.inner.issuer)
            .field("audiences", &self.inner.audiences)
            .field("algorithms", &self.inner.algorithms)
            .field("keys", &keys)
            .finish_non_exhaustive()
    }
}

/// The three parts of a compact JWS.
struct Parts<'a> {
    /// `header.payload`, the signed bytes.
    signing_input: &'a str,
    /// The encoded header.
    header: &'a str,
    /// The encoded payload.
    payload: &'a str,
    /// The encoded signature.
    signature: &'a str,
}

/// What the verifier reads from the JOSE header. `jku`, `jwk`, `x5u` and `x5c` are ignored:
/// keys never come from the token itself.
struct JoseHeader {
    /// `alg`, known and not `none`.
    alg: Algorithm,
    /// `kid`, if present.
    kid: Option<String>,
}

impl Verifier {
    /// Validates the settings and loads the keys: an HMAC secret or a JWKS file at once (a bad
    /// file is an error here); a JWKS URI is fetched once now when possible — a failed fetch is
    /// logged with `tracing::warn!` and retried on first use.
    ///
    /// # Errors
    ///
    /// [`JwtError::Config`] for an empty issuer, audience list or algorithm list, an
    /// algorithm that does not fit the key source (`HS*` needs an HMAC secret, the others a
    /// JWKS), an HMAC secret shorter than [`MIN_HMAC_SECRET_BYTES`], an unreadable or invalid
    /// JWKS file, or [`JwksOptions`] that do not hold together.
    ///
    /// ```
    /// # use authorizer::jwt::{Algorithm, JwksOptions, JwtSettings, KeySource, Verifier};
    /// # use jsonwebtoken::{encode, EncodingKey, Header};
    /// # use serde_json::json;
    /// # const SECRET: &[u8] = b"an example secret of 32+ bytes!!";
    /// # let sign = |claims: serde_json::Value| encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET));
    /// # let settings = JwtSettings {
    /// #     issuer: "https://idp.example.com/".to_owned(),
    /// #     audiences: vec!["pets-api".to_owned()],
    /// #     keys: KeySource::HmacSecret(SECRET.to_vec()),
    /// #     algorithms: vec![Algorithm::HS256],
    /// #     leeway_seconds: 0,
    /// #     required_claims: Vec::new(),
    /// # };
    /// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    /// use authorizer::jwt::JwtError;
    ///
    /// runtime.block_on(async {
    ///     let verifier = Verifier::new(settings.clone(), JwksOptions::default()).await?;
    ///     assert!(format!("{verifier:?}").contains("hmac secret"));
    ///
    ///     // An RSA algorithm cannot be checked with an HMAC secret.
    ///     let mixed = JwtSettings { algorithms: vec![Algorithm::RS256], ..settings };
    ///     let refused = Verifier::new(mixed, JwksOptions::default()).await;
    ///     assert!(matches!(refused, Err(JwtError::Config(_))));
    ///     Ok::<(), Box<dyn std::error::Error>>(())
    /// })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn new(settings: JwtSettings, options: JwksOptions) -> Result<Self, JwtError> {
        Self::build(settings, options, MIN_REFETCH_COOLDOWN).await
    }

    /// [`Verifier::new`] with a lower floor for the refetch cooldown, so tests need not sleep
    /// for 10 s. Outside tests the floor is always [`MIN_REFETCH_COOLDOWN`].
    #[cfg(test)]
    pub(crate) async fn with_cooldown_floor(
        settings: JwtSettings,
        options: JwksOptions,
        floor: Duration,
    ) -> Result<Self, JwtError> {
        Self::build(settings, options, floor).await
    }

    /// Validation and key loading shared by the constructors.
    async fn build(
        settings: JwtSettings,
        options: JwksOptions,
        cooldown_floor: Duration,
    ) -> Result<Self, JwtError> {
        let config = |text: String| JwtError::Config(text);
        if settings.issuer.is_empty() {
            return Err(config("issuer is empty".to_owned()));
        }
        if settings.audiences.is_empty() || settings.audiences.iter().any(String::is_empty) {
            return Err(config(
                "audiences must list at least one non-empty audience".to_owned(),
            ));
        }
        if settings.algorithms.is_empty() {
            return Err(config("algorithms is empty".to_owned()));
        }
        if settings.required_claims.iter().any(String::is_empty) {
            return Err(config("requiredClaims has an empty name".to_owned()));
        }
        let hmac = matches!(settings.keys, KeySource::HmacSecret(_));
        for alg in &settings.algorithms {
            let needs_hmac = alg.family() == Family::Hmac;
            if needs_hmac != hmac {
                let needs = if needs_hmac {
                    "an hmac secret (a jwks never verifies HS* tokens)"
                } else {
                    "a jwks uri or file"
                };
                return Err(config(format!("algorithm {alg} needs {needs}")));
            }
        }
        let leeway = i64::try_from(settings.leeway_seconds).unwrap_or(i64::MAX);
        let keys = match settings.keys {
            KeySource::HmacSecret(secret) => {
                if secret.len() < MIN_HMAC_SECRET_BYTES {
                    return Err(config(format!(
                        "hmac secret is shorter than {MIN_HMAC_SECRET_BYTES} bytes"
                    )));
                }
                Keys::Hmac(DecodingKey::from_secret(&secret))
            }
            KeySource::JwksFile(path) => {
                let max_keys = usize::try_from(options.max_keys).unwrap_or(usize::MAX);
                if max_keys == 0 {
                    return Err(config("max_keys is 0".to_owned()));
                }
                let bytes = std::fs::read(&path).map_err(|e| {
                    config(format!("cannot read jwks file {}: {e}", path.display()))
                })?;
                let set = KeySet::parse(&bytes, max_keys)
                    .map_err(|e| config(format!("jwks file {}: {e}", path.display())))?;
                Keys::Static(set)
            }
            KeySource::JwksUri(uri) => {
                let cooldown = effective_cooldown(&options, cooldown_floor);
                if options.timeout.is_zero() {
                    return Err(config("jwks timeout is 0".to_owned()));
                }
                if options.max_keys == 0 {
                    return Err(config("max_keys is 0".to_owned()));
                }
                if options.max_age < cooldown {
                    return Err(config(format!(
                        "jwks max age ({:?}) is shorter than the refetch cooldown ({cooldown:?})",
                        options.max_age
                    )));
                }
                let remote = RemoteJwks::new(&uri, &options, cooldown).map_err(config)?;
                remote.prime().await;
                Keys::Remote(remote)
            }
        };
        Ok(Self {
            inner: Arc::new(Inner {
                issuer: settings.issuer,
                audiences: settings.audiences,
                algorithms: settings.algorithms,
                leeway,
                required_claims: settings.required_claims,
                keys,
            }),
        })
    }

    /// Verifies a compact JWS (`header.payload.signature`, without any `Bearer ` prefix) and
    /// returns its claims. Checks, in order: size (at most [`MAX_TOKEN_BYTES`], before any
    /// decoding), structure and base64url, `alg` (never `none`, must be allowed, `crit` is
    /// refused), the key (by `kid`; its type, curve and own `alg` must agree with the token's
    /// `alg`; an unknown `kid` may trigger one JWKS refetch per cooldown window), the
    /// signature, then the claims: `exp` (required), `nbf`, `iat` with leeway, `iss` (required,
    /// exact), audience, required claims.
    ///
    /// # Errors
    ///
    /// The first check that fails, as a [`JwtError`]; [`JwtError::is_unauthorized`] says
    /// whether it is the token's fault (401) or not (500).
    ///
    /// ```
    /// # use authorizer::jwt::{Algorithm, JwksOptions, JwtSettings, KeySource, Verifier};
    /// # use jsonwebtoken::{encode, EncodingKey, Header};
    /// # use serde_json::json;
    /// # const SECRET: &[u8] = b"an example secret of 32+ bytes!!";
    /// # let sign = |claims: serde_json::Value| encode(&Header::default(), &claims, &EncodingKey::from_secret(SECRET));
    /// # let settings = JwtSettings {
    /// #     issuer: "https://idp.example.com/".to_owned(),
    /// #     audiences: vec!["pets-api".to_owned()],
    /// #     keys: KeySource::HmacSecret(SECRET.to_vec()),
    /// #     algorithms: vec![Algorithm::HS256],
    /// #     leeway_seconds: 0,
    /// #     required_claims: Vec::new(),
    /// # };
    /// # let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    /// use authorizer::jwt::JwtError;
    ///
    /// let token = sign(json!({"iss": "https://idp.example.com/", "aud": "pets-api",
    ///                         "sub": "alice", "exp": 4_102_444_800_u64}))?;
    /// let other_issuer = sign(json!({"iss": "https://evil.example/", "aud": "pets-api",
    ///                                "sub": "alice", "exp": 4_102_444_800_u64}))?;
    /// runtime.block_on(async {
    ///     let verifier = Verifier::new(settings, JwksOptions::default()).await?;
    ///     // The raw JWT: strip any `Bearer ` prefix first.
    ///     assert_eq!(verifier.verify(&token).await?.subject(), Some("alice"));
    ///     assert_eq!(verifier.verify(&other_issuer).await, Err(JwtError::InvalidIssuer));
    ///     Ok::<(), Box<dyn std::error::Error>>(())
    /// })?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn verify(&self, token: &str) -> Result<Claims, JwtError> {
        if token.len() > MAX_TOKEN_BYTES {
            return Err(JwtError::TokenTooLarge);
        }
        let parts = split_token(token)?;
        let header = parse_header(parts.header)?;
        if !self.inner.algorithms.contains(&header.alg) {
            return Err(JwtError::AlgorithmNotAllowed(header.alg));
        }
        let payload = decode_segment(parts.payload, "payload is not base64url")?;
        let claims: Map<String, Value> = serde_json::from_slice(&payload)
            .map_err(|_| JwtError::Malformed("payload is not a json object"))?;
        let signature = match URL_SAFE_NO_PAD.decode(parts.signature) {
            Ok(bytes) if !parts.signature.is_empty() => bytes,
            _ => return Err(JwtError::Malformed("signature is not base64url")),
        };

        self.check_signature(&parts, &signature, &header).await?;
        self.check_claims(&claims, unix_now()?)?;
        Ok(Claims::from_map(claims))
    }

    /// Finds the key for the token and checks the signature (`signature`, decoded from
    /// `parts.signature`) with it: an HMAC secret through jsonwebtoken, a JWKS key with the
    /// aws-lc key it keeps parsed (see `jwks.rs`).
    async fn check_signature(
        &self,
        parts: &Parts<'_>,
        signature: &[u8],
        header: &JoseHeader,
    ) -> Result<(), JwtError> {
        let alg = header.alg;
        let kid = header.kid.as_deref();
        let message = parts.signing_input.as_bytes();
        let checked = match &self.inner.keys {
            Keys::Hmac(key) => {
                let Some(hmac) = alg.hmac() else {
                    return Err(JwtError::AlgorithmKeyMismatch(alg));
                };
                jsonwebtoken::crypto::verify(parts.signature, message, key, hmac)
                    .map_err(|error| error.to_string())
            }
            Keys::Static(set) => accept(set.lookup(kid, alg), alg)?
                .verify(alg, message, signature)
                .map_err(str::to_owned),
            Keys::Remote(remote) => accept(remote.lookup(kid, alg).await?, alg)?
                .verify(alg, message, signature)
                .map_err(str::to_owned),
        };
        match checked {
            Ok(true) => Ok(()),
            Ok(false) => Err(JwtError::InvalidSignature),
            Err(error) => {
                // A key the crypto backend refuses (say, an invalid EC point): no token can
                // verify with it; say so in the logs, answer as a bad signature.
                tracing::warn!(%error, ?alg, "token signature could not be checked");
                Err(JwtError::InvalidSignature)
            }
        }
    }

    /// Time, issuer, audience and required claims.
    fn check_claims(&self, claims: &Map<String, Value>, now: i64) -> Result<(), JwtError> {
        let inner = &self.inner;
        let exp = numeric_claim(claims, "exp")?
            .ok_or_else(|| JwtError::MissingClaim("exp".to_owned()))?;
        if now >= exp.saturating_add(inner.leeway) {
            return Err(JwtError::Expired);
        }
        if let Some(nbf) = numeric_claim(claims, "nbf")?
            && nbf > now.saturating_add(inner.leeway)
        {
            return Err(JwtError::NotYetValid);
        }
        if let Some(iat) = numeric_claim(claims, "iat")?
            && iat > now.saturating_add(inner.leeway)
        {
            return Err(JwtError::IssuedInFuture);
        }
        match claims.get("iss") {
            None | Some(Value::Null) => return Err(JwtError::MissingClaim("iss".to_owned())),
            Some(Value::String(iss)) if *iss == inner.issuer => {}
            Some(_) => return Err(JwtError::InvalidIssuer),
        }
        let accepted = |value: &str| inner.audiences.iter().any(|aud| aud == value);
        let audience_ok = match claims.get("aud") {
            Some(Value::String(aud)) => accepted(aud),
            Some(Value::Array(auds)) => auds.iter().filter_map(Value::as_str).any(accepted),
            // Cognito access tokens carry the app client id in `client_id` and have no `aud`.
            None | Some(Value::Null) => claims
                .get("client_id")
                .and_then(Value::as_str)
                .is_some_and(accepted),
            Some(_) => false,
        };
        if !audience_ok {
            return Err(JwtError::InvalidAudience);
        }
        for name in &inner.required_claims {
            if matches!(claims.get(name), None | Some(Value::Null)) {
                return Err(JwtError::MissingClaim(name.clone()));
            }
        }
        Ok(())
    }
}

/// The cooldown actually used: the configured one, raised to the floor.
fn effective_cooldown(options: &JwksOptions, floor: Duration) -> Duration {
    if options.refetch_cooldown < floor {
        tracing::warn!(
            configured = ?options.refetch_cooldown,
            used = ?floor,
            "jwks refetch cooldown raised to its minimum"
        );
        floor
    } else {
        options.refetch_cooldown
    }
}

/// Turns a key lookup into the key or the token error.
fn accept(lookup: Lookup, alg: Algorithm) -> Result<Arc<jwks::JwkEntry>, JwtError> {
    match lookup {
        Lookup::Found(key) => Ok(key),
        Lookup::Mismatch => Err(JwtError::AlgorithmKeyMismatch(alg)),
        Lookup::MissingKid => Err(JwtError::MissingKid),
        Lookup::UnknownKid => Err(JwtError::UnknownKid),
    }
}

/// Splits `header.payload.signature`; exactly two dots, header and payload non-empty.
fn split_token(token: &str) -> Result<Parts<'_>, JwtError> {
    let (signing_input, signature) = token
        .rsplit_once('.')
        .ok_or(JwtError::Malformed("not three dot-separated parts"))?;
    let (header, payload) = signing_input
        .split_once('.')
        .ok_or(JwtError::Malformed("not three dot-separated parts"))?;
    if payload.contains('.') {
        return Err(JwtError::Malformed("not three dot-separated parts"));
    }
    if header.is_empty() || payload.is_empty() {
        return Err(JwtError::Malformed("empty header or payload"));
    }
    Ok(Parts {
        signing_input,
        header,
        payload,
        signature,
    })
}

/// Decodes one base64url (unpadded) segment.
fn decode_segment(segment: &str, what: &'static str) -> Result<Vec<u8>, JwtError> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| JwtError::Malformed(what))
}

/// The members of a JOSE header the verifier reads, as a JSON object would have them (the
/// last of duplicate members wins); every other member is checked to be JSON and skipped, so
/// no map is built for a header read on every request.
#[derive(Default)]
struct HeaderMembers {
    /// `alg`, any JSON value.
    alg: Option<Value>,
    /// `kid`, any JSON value.
    kid: Option<Value>,
    /// Whether `crit` is present (with any value, `null` included).
    crit: bool,
}

/// A header member name the verifier cares about.
enum HeaderKey {
    /// `alg`.
    Alg,
    /// `kid`.
    Kid,
    /// `crit`.
    Crit,
    /// Anything else.
    Other,
}

impl<'de> serde::Deserialize<'de> for HeaderKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl serde::de::Visitor<'_> for KeyVisitor {
            type Value = HeaderKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<HeaderKey, E> {
                Ok(match name {
                    "alg" => HeaderKey::Alg,
                    "kid" => HeaderKey::Kid,
                    "crit" => HeaderKey::Crit,
                    _ => HeaderKey::Other,
                })
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> serde::Deserialize<'de> for HeaderMembers {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor;
        impl<'de> serde::de::Visitor<'de> for MembersVisitor {
            type Value = HeaderMembers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<HeaderMembers, A::Error> {
                let mut members = HeaderMembers::default();
                while let Some(key) = map.next_key::<HeaderKey>()? {
                    match key {
                        HeaderKey::Alg => members.alg = Some(map.next_value()?),
                        HeaderKey::Kid => members.kid = Some(map.next_value()?),
                        HeaderKey::Crit => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                            members.crit = true;
                        }
                        HeaderKey::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(members)
            }
        }
        deserializer.deserialize_map(MembersVisitor)
    }
}

/// Reads `alg` and `kid` from the encoded JOSE header.
fn parse_header(encoded: &str) -> Result<JoseHeader, JwtError> {
    let bytes = decode_segment(encoded, "header is not base64url")?;
    let header: HeaderMembers = serde_json::from_slice(&bytes)
        .map_err(|_| JwtError::Malformed("header is not a json object"))?;
    let alg = header
        .alg
        .as_ref()
        .and_then(Value::as_str)
        .ok_or(JwtError::Malformed("header has no alg"))?;
    if alg.eq_ignore_ascii_case("none") {
        return Err(JwtError::AlgorithmNone);
    }
    let alg = Algorithm::from_str(alg).map_err(|_| JwtError::UnsupportedAlgorithm)?;
    // RFC 7515 §4.1.11: critical extensions this verifier does not understand must be refused.
    if header.crit {
        return Err(JwtError::Malformed("header has critical extensions"));
    }
    let kid = match header.kid {
        None | Some(Value::Null) => None,
        Some(Value::String(kid)) => Some(kid),
        Some(_) => return Err(JwtError::Malformed("header kid is not a string")),
    };
    Ok(JoseHeader { alg, kid })
}

/// A NumericDate claim in whole seconds: absent or `null` is `None`; a fraction is truncated
/// toward the past; a non-number is an error.
fn numeric_claim(claims: &Map<String, Value>, name: &'static str) -> Result<Option<i64>, JwtError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(number)) => {
            if let Some(value) = number.as_i64() {
                Ok(Some(value))
            } else if number.as_u64().is_some() {
                Ok(Some(i64::MAX))
            } else {
                // `as` saturates; whole seconds are enough.
                match number.as_f64() {
                    Some(value) if value.is_finite() => Ok(Some(value.floor() as i64)),
                    _ => Err(JwtError::InvalidClaim(name)),
                }
            }
        }
        Some(_) => Err(JwtError::InvalidClaim(name)),
    }
}

/// Seconds since the Unix epoch.
fn unix_now() -> Result<i64, JwtError> {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| JwtError::Clock)?;
    Ok(i64::try_from(since.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {

    use super::*;
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::signature::{
        ECDSA_P384_SHA384_FIXED_SIGNING, ECDSA_P521_SHA512_FIXED_SIGNING, EcdsaKeyPair,
        Ed25519KeyPair, KeyPair as _,
    };
    use jsonwebtoken::{EncodingKey, Header, encode};
    use serde_json::json;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::TcpListener;

    const ISSUER: &str = "https://idp.example.com/";
    const AUDIENCE: &str = "api://pets";
    const RSA1_PRIVATE: &str = include_str!("../tests/keys/rsa-1-private.pem");
    const RSA1_PUBLIC: &str = include_str!("../tests/keys/rsa-1-public.pem");
    const RSA2_PRIVATE: &str = include_str!("../tests/keys/rsa-2-private.pem");
    const EC_PRIVATE: &str = include_str!("../tests/keys/ec-p256-private.pem");
    const HMAC_SECRET: &[u8] = b"test-only hmac secret, 32+ bytes long";
    /// The refetch cooldown of the tests (the floor is lowered for them).
    const COOLDOWN: Duration = Duration::from_millis(200);

    // ---------- keys and tokens ----------

    fn rsa1() -> EncodingKey {
        EncodingKey::from_rsa_pem(RSA1_PRIVATE.as_bytes()).unwrap()
    }
    fn rsa2() -> EncodingKey {
        EncodingKey::from_rsa_pem(RSA2_PRIVATE.as_bytes()).unwrap()
    }
    fn ec1() -> EncodingKey {
        EncodingKey::from_ec_pem(EC_PRIVATE.as_bytes()).unwrap()
    }
    fn hmac() -> EncodingKey {
        EncodingKey::from_secret(HMAC_SECRET)
    }

    /// jsonwebtoken's algorithm of the same name, to sign test tokens with (it has no ES512:
    /// those are signed with aws-lc, see [`sign_with`]).
    fn jwt_alg(alg: Algorithm) -> jsonwebtoken::Algorithm {
        alg.name().parse().unwrap()
    }

    /// The public JWK of a private key, with `kid`, `use: sig` and `alg`.
    fn jwk(key: &EncodingKey, alg: Algorithm, kid: &str) -> Value {
        let jwk = jsonwebtoken::jwk::Jwk::from_encoding_key(key, jwt_alg(alg)).unwrap();
        let mut value = serde_json::to_value(&jwk).unwrap();
        value["kid"] = json!(kid);
        value["use"] = json!("sig");
        value
    }
    fn rsa1_jwk() -> Value {
        jwk(&rsa1(), Algorithm::RS256, "rsa-1")
    }
    fn rsa2_jwk() -> Value {
        jwk(&rsa2(), Algorithm::RS256, "rsa-2")
    }
    fn ec1_jwk() -> Value {
        jwk(&ec1(), Algorithm::ES256, "ec-1")
    }
    fn jwks(keys: &[Value]) -> String {
        json!({ "keys": keys }).to_string()
    }

    fn now() -> i64 {
        unix_now().unwrap()
    }

    fn claims() -> Value {
        json!({
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "user-1",
            "iat": now(),
            "exp": now() + 300,
            "scope": "pets:read pets:write",
        })
    }

    fn with(mut claims: Value, name: &str, value: Value) -> Value {
        claims[name] = value;
        claims
    }

    fn without(mut claims: Value, name: &str) -> Value {
        claims.as_object_mut().unwrap().remove(name);
        claims
    }

    fn sign(alg: Algorithm, kid: Option<&str>, key: &EncodingKey, claims: &Value) -> String {
        let mut header = Header::new(jwt_alg(alg));
        header.kid = kid.map(str::to_owned);
        encode(&header, claims, key).unwrap()
    }

    fn b64(json: &Value) -> String {
        URL_SAFE_NO_PAD.encode(json.to_string())
    }

    /// A compact JWS with the header `{"alg": alg, "typ": "JWT", "kid": kid}` over `claims`,
    /// signed by `signer` (aws-lc directly: jsonwebtoken cannot sign ES512).
    fn sign_with(
        alg: &str,
        kid: Option<&str>,
        claims: &Value,
        signer: impl Fn(&[u8]) -> Vec<u8>,
    ) -> String {
        let mut header = json!({ "alg": alg, "typ": "JWT" });
        if let Some(kid) = kid {
            header["kid"] = json!(kid);
        }
        let input = format!("{}.{}", b64(&header), b64(claims));
        let signature = signer(input.as_bytes());
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    fn ed25519() -> Ed25519KeyPair {
        Ed25519KeyPair::generate().unwrap()
    }
    fn p521() -> EcdsaKeyPair {
        EcdsaKeyPair::generate(&ECDSA_P521_SHA512_FIXED_SIGNING).unwrap()
    }
    fn p384() -> EcdsaKeyPair {
        EcdsaKeyPair::generate(&ECDSA_P384_SHA384_FIXED_SIGNING).unwrap()
    }

    /// A token signed with an Ed25519 key, its header saying `alg`.
    fn ed_sign(key: &Ed25519KeyPair, alg: &str, kid: Option<&str>, claims: &Value) -> String {
        sign_with(alg, kid, claims, |message| {
            key.sign(message).as_ref().to_vec()
        })
    }

    /// A token signed with an ECDSA key (fixed-size `r || s`), its header saying `alg`.
    fn ec_sign(key: &EcdsaKeyPair, alg: &str, kid: Option<&str>, claims: &Value) -> String {
        sign_with(alg, kid, claims, |message| {
            key.sign(&SystemRandom::new(), message)
                .unwrap()
                .as_ref()
                .to_vec()
        })
    }

    /// The public JWK (`kty: OKP`, `crv: Ed25519`) of an Ed25519 key pair.
    fn ed_jwk(key: &Ed25519KeyPair, kid: &str, alg: Option<&str>) -> Value {
        let mut jwk = json!({
            "kty": "OKP", "crv": "Ed25519", "kid": kid, "use": "sig",
            "x": URL_SAFE_NO_PAD.encode(key.public_key().as_ref()),
        });
        if let Some(alg) = alg {
            jwk["alg"] = json!(alg);
        }
        jwk
    }

    /// The public JWK (`kty: EC`) of an ECDSA key pair on `crv`: the coordinates of its
    /// uncompressed point.
    fn ec_jwk(key: &EcdsaKeyPair, crv: &str, kid: &str, alg: Option<&str>) -> Value {
        let point = key.public_key().as_ref();
        assert_eq!(point[0], 0x04, "uncompressed");
        let (x, y) = point[1..].split_at((point.len() - 1) / 2);
        let mut jwk = json!({
            "kty": "EC", "crv": crv, "kid": kid, "use": "sig",
            "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y),
        });
        if let Some(alg) = alg {
            jwk["alg"] = json!(alg);
        }
        jwk
    }

    /// The token with its header replaced by `{"alg": alg, "kid": kid}`, payload and signature
    /// kept.
    fn relabel(token: &str, alg: &str, kid: &str) -> String {
        let (_, rest) = token.split_once('.').unwrap();
        format!("{}.{rest}", b64(&json!({ "alg": alg, "kid": kid })))
    }

    /// The decoded signature of a token.
    fn signature_of(token: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD
            .decode(token.rsplit_once('.').unwrap().1)
            .unwrap()
    }

    // ---------- a JWKS server on 127.0.0.1 ----------

    struct Reply {
        status: u16,
        body: String,
        delay: Duration,
        /// Send no `content-length` (the body ends when the connection closes).
        no_length: bool,
    }

    /// A tiny HTTP/1.1 server answering every request with the current reply, counting them.
    struct JwksServer {
        url: String,
        hits: Arc<AtomicUsize>,
        reply: Arc<Mutex<Reply>>,
        task: tokio::task::JoinHandle<()>,
    }

    impl JwksServer {
        async fn start(body: String) -> Self {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let url = format!(
                "http://{}/.well-known/jwks.json",
                listener.local_addr().unwrap()
            );
            let hits = Arc::new(AtomicUsize::new(0));
            let reply = Arc::new(Mutex::new(Reply {
                status: 200,
                body,
                delay: Duration::ZERO,
                no_length: false,
            }));
            let (task_hits, task_reply) = (Arc::clone(&hits), Arc::clone(&reply));
            let task = tokio::spawn(async move {
                loop {
                    let Ok((mut stream, _)) = listener.accept().await else {
                        return;
                    };
                    let (hits, reply) = (Arc::clone(&task_hits), Arc::clone(&task_reply));
                    tokio::spawn(async move {
                        let mut request = Vec::new();
                        let mut buf = [0u8; 1024];
                        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                            match stream.read(&mut buf).await {
                                Ok(0) | Err(_) => return,
                                Ok(n) => request.extend_from_slice(&buf[..n]),
                            }
                        }
                        hits.fetch_add(1, Ordering::SeqCst);
                        let (status, body, delay, no_length) = {
                            let reply = reply.lock().unwrap();
                            (
                                reply.status,
                                reply.body.clone(),
                                reply.delay,
                                reply.no_length,
                            )
                        };
                        tokio::time::sleep(delay).await;
                        let length = if no_length {
                            String::new()
                        } else {
                            format!("content-length: {}\r\n", body.len())
                        };
                        let response = format!(
                            "HTTP/1.1 {status} Test\r\ncontent-type: application/json\r\n{length}connection: close\r\n\r\n{body}"
                        );
                        let _ = stream.write_all(response.as_bytes()).await;
                        let _ = stream.shutdown().await;
                    });
                }
            });
            Self {
                url,
                hits,
                reply,
                task,
            }
        }

        fn set(&self, status: u16, body: String) {
            let mut reply = self.reply.lock().unwrap();
            reply.status = status;
            reply.body = body;
        }

        fn set_unsized(&self, no_length: bool) {
            self.reply.lock().unwrap().no_length = no_length;
        }

        fn set_delay(&self, delay: Duration) {
            self.reply.lock().unwrap().delay = delay;
        }

        fn hits(&self) -> usize {
            self.hits.load(Ordering::SeqCst)
        }

        /// Stops accepting: later connections are refused.
        async fn stop(&self) {
            self.task.abort();
            while !self.task.is_finished() {
                tokio::task::yield_now().await;
            }
        }
    }

    /// A URL on 127.0.0.1 where nothing listens.
    async fn closed_port_url() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{addr}/jwks.json")
    }

    fn settings(keys: KeySource, algorithms: &[Algorithm]) -> JwtSettings {
        JwtSettings {
            issuer: ISSUER.to_owned(),
            audiences: vec![AUDIENCE.to_owned(), "app-client-1".to_owned()],
            keys,
            algorithms: algorithms.to_vec(),
            leeway_seconds: 0,
            required_claims: vec!["sub".to_owned()],
        }
    }

    fn options() -> JwksOptions {
        JwksOptions {
            max_age: Duration::from_secs(60),
            refetch_cooldown: COOLDOWN,
            timeout: Duration::from_secs(2),
            max_keys: 100,
        }
    }

    async fn remote(url: &str, algorithms: &[Algorithm], options: JwksOptions) -> Verifier {
        Verifier::with_cooldown_floor(
            settings(KeySource::JwksUri(url.to_owned()), algorithms),
            options,
            Duration::from_millis(1),
        )
        .await
        .unwrap()
    }

    const JWKS_ALGS: &[Algorithm] = &[Algorithm::RS256, Algorithm::PS256, Algorithm::ES256];

    /// A server with rsa-1 and ec-1, and a verifier on it.
    async fn standard() -> (JwksServer, Verifier) {
        let server = JwksServer::start(jwks(&[rsa1_jwk(), ec1_jwk()])).await;
        let verifier = remote(&server.url, JWKS_ALGS, options()).await;
        (server, verifier)
    }

    async fn hmac_verifier(algorithms: &[Algorithm]) -> Verifier {
        Verifier::new(
            settings(KeySource::HmacSecret(HMAC_SECRET.to_vec()), algorithms),
            JwksOptions::default(),
        )
        .await
        .unwrap()
    }

    /// The verification failed as a token problem (401), with a message that names the
    /// problem without echoing the token.
    #[track_caller]
    fn unauthorized(result: Result<Claims, JwtError>, token: &str) -> JwtError {
        let error = match result {
            Ok(claims) => panic!("token accepted: {claims:?}"),
            Err(error) => error,
        };
        assert!(error.is_unauthorized(), "{error:?} should be a 401");
        check_message(&error);
        let message = error.to_string();
        for part in token.split('.').filter(|part| part.len() > 4) {
            assert!(!message.contains(part), "{message} echoes the token");
        }
        error
    }

    /// The verification failed as an infrastructure problem (500).
    #[track_caller]
    fn infrastructure(result: Result<Claims, JwtError>) -> JwtError {
        let error = match result {
            Ok(claims) => panic!("token accepted: {claims:?}"),
            Err(error) => error,
        };
        assert!(!error.is_unauthorized(), "{error:?} should be a 500");
        assert!(matches!(error, JwtError::JwksUnavailable(_)), "{error:?}");
        check_message(&error);
        error
    }

    fn check_message(error: &JwtError) {
        let message = error.to_string();
        assert!(
            message.starts_with(|c: char| c.is_ascii_lowercase()),
            "{message}"
        );
        assert!(!message.ends_with('.'), "{message}");
    }

    // ---------- valid tokens ----------

    #[tokio::test]
    async fn rs256_es256_and_ps256_tokens_verify_against_the_jwks() {
        let (server, verifier) = standard().await;
        let token = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
        let claims = verifier.verify(&token).await.unwrap();
        assert_eq!(claims.subject(), Some("user-1"));
        assert_eq!(claims.scopes(), vec!["pets:read", "pets:write"]);

        let token = sign(
            Algorithm::ES256,
            Some("ec-1"),
            &ec1(),
            &super::tests::claims(),
        );
        assert_eq!(
            verifier.verify(&token).await.unwrap().subject(),
            Some("user-1")
        );

        // PS256 with an RSA JWK that names no alg.
        let mut any_rsa = rsa1_jwk();
        any_rsa.as_object_mut().unwrap().remove("alg");
        server.set(200, jwks(&[any_rsa]));
        let verifier = remote(&server.url, JWKS_ALGS, options()).await;
        let token = sign(
            Algorithm::PS256,
            Some("rsa-1"),
            &rsa1(),
            &super::tests::claims(),
        );
        assert!(verifier.verify(&token).await.is_ok());
        // A single key also serves a token without kid.
        let token = sign(Algorithm::RS256, None, &rsa1(), &super::tests::claims());
        assert!(verifier.verify(&token).await.is_ok());
        // Init fetches only; verifying known keys fetches nothing.
        assert_eq!(server.hits(), 2);
    }

    #[tokio::test]
    async fn hs256_tokens_verify_against_the_hmac_secret() {
        let verifier = hmac_verifier(&[Algorithm::HS256, Algorithm::HS384]).await;
        let token = sign(Algorithm::HS256, None, &hmac(), &claims());
        assert_eq!(
            verifier.verify(&token).await.unwrap().subject(),
            Some("user-1")
        );
        // The kid is irrelevant for a secret.
        let token = sign(Algorithm::HS384, Some("whatever"), &hmac(), &claims());
        assert!(verifier.verify(&token).await.is_ok());
        // Outside the allow-list.
        let token = sign(Algorithm::HS512, None, &hmac(), &claims());
        let error = unauthorized(verifier.verify(&token).await, &token);
        assert_eq!(error, JwtError::AlgorithmNotAllowed(Algorithm::HS512));
        // Another secret.
        let other = EncodingKey::from_secret(b"another test-only secret of 32+ bytes");
        let token = sign(Algorithm::HS256, None, &other, &claims());
        let error = unauthorized(verifier.verify(&token).await, &token);
        assert_eq!(error, JwtError::InvalidSignature);
        // An RSA-signed token never reaches an HMAC verifier.
        let token = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
        let error = unauthorized(verifier.verify(&token).await, &token);
        assert_eq!(error, JwtError::AlgorithmNotAllowed(Algorithm::RS256));
    }

    #[tokio::test]
    async fn a_kept_key_verifies_only_with_the_algorithm_of_the_signature() {
        // One RSA key without `alg` serves RS256 and PS256; the parsed key kept for one must
        // never check a signature made with the other.
        let mut any_rsa = rsa1_jwk();
        any_rsa.as_object_mut().unwrap().remove("alg");
        let path = std::env::temp_dir().join(format!("jwt-test-algs-{}.json", std::process::id()));
        std::fs::write(&path, jwks(&[any_rsa])).unwrap();
        let verifier = Verifier::new(
            settings(KeySource::JwksFile(path.clone()), JWKS_ALGS),
            JwksOptions::default(),
        )
        .await
        .unwrap();
        std::fs::remove_file(&path).unwrap();
        let swap_alg = |token: &str, alg: &str| {
            let (_, rest) = token.split_once('.').unwrap();
            format!("{}.{rest}", b64(&json!({ "alg": alg, "kid": "rsa-1" })))
        };
        for (signed, claimed) in [
            (Algorithm::PS256, "RS256"),
            (Algorithm::RS256, "PS256"),
            (Algorithm::PS256, "RS256"),
        ] {
            let genuine = sign(signed, Some("rsa-1"), &rsa1(), &claims());
            assert!(verifier.verify(&genuine).await.is_ok(), "{signed:?}");
            let forged = swap_alg(&genuine, claimed);
            assert_eq!(
                unauthorized(verifier.verify(&forged).await, &forged),
                JwtError::InvalidSignature,
                "{signed:?} presented as {claimed}"
            );
        }
    }

    #[tokio::test]
    async fn a_jwks_file_is_loaded_at_init() {
        let path = std::env::temp_dir().join(format!("jwt-test-jwks-{}.json", std::process::id()));
        std::fs::write(&path, jwks(&[rsa1_jwk(), ec1_jwk()])).unwrap();
        let verifier = Verifier::new(
            settings(KeySource::JwksFile(path.clone()), JWKS_ALGS),
            JwksOptions::default(),
        )
        .await
        .unwrap();
        let token = sign(Algorithm::ES256, Some("ec-1"), &ec1(), &claims());
        assert!(verifier.verify(&token).await.is_ok());
        let token = sign(Algorithm::RS256, Some("rsa-2"), &rsa2(), &claims());
        let error = unauthorized(verifier.verify(&token).await, &token);
        assert_eq!(error, JwtError::UnknownKid);

        // A bad file is an error at init.
        std::fs::write(&path, "{\"keys\": \"nope\"}").unwrap();
        let error = Verifier::new(
            settings(KeySource::JwksFile(path.clone()), JWKS_ALGS),
            JwksOptions::default(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(error, JwtError::Config(_)) && !error.is_unauthorized(),
            "{error}"
        );
        std::fs::remove_file(&path).unwrap();
        let error = Verifier::new(
            settings(KeySource::JwksFile(path), JWKS_ALGS),
            JwksOptions::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(error, JwtError::Config(_)), "{error}");
    }

    // ---------- the JWKS cache ----------

    #[tokio::test]
    async fn key_rotation_is_picked_up_with_one_refetch() {
        let server = JwksServer::start(jwks(&[rsa1_jwk()])).await;
        let verifier = remote(&server.url, JWKS_ALGS, options()).await;
        assert_eq!(server.hits(), 1);
        let old = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
        assert!(verifier.verify(&old).await.is_ok());

        server.set(200, jwks(&[rsa2_jwk()]));
        let new = sign(Algorithm::RS256, Some("rsa-2"), &rsa2(), &claims());
        assert_eq!(
            verifier.verify(&new).await.unwrap().subject(),
            Some("user-1")
        );
        assert_eq!(server.hits(), 2);
        assert!(verifier.verify(&new).await.is_ok());
        // The retired key is gone, and asking for it again does not fetch (cooldown).
        let error = unauthorized(verifier.verify(&old).await, &old);
        assert_eq!(error, JwtError::UnknownKid);
        assert_eq!(server.hits(), 2);
    }

    /// A JWKS endpoint answering more than 1 MiB (with or without announcing its length) is
    /// refused: the document is never read whole, tokens get a 500 and the keys already held
    /// stay in use.
    #[tokio::test]
    async fn an_oversized_jwks_is_refused_without_reading_it_whole() {
        let huge = || {
            let padding = "x".repeat(jwks::MAX_JWKS_BYTES);
            format!(r#"{{"keys": [{}], "padding": "{padding}"}}"#, rsa1_jwk())
        };
        for no_length in [false, true] {
            let server = JwksServer::start(huge()).await;
            server.set_unsized(no_length);
            let verifier = remote(&server.url, JWKS_ALGS, options()).await;
            let token = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
            let error = infrastructure(verifier.verify(&token).await);
            assert!(
                error
                    .to_string()
                    .contains("jwks response is larger than 1048576 bytes"),
                "{error}"
            );
        }
        // Held keys keep working when a refresh comes back oversized.
        let (server, verifier) = standard().await;
        server.set(200, huge());
        server.set_unsized(true);
        tokio::time::sleep(COOLDOWN + Duration::from_millis(50)).await;
        let forged = sign(Algorithm::RS256, Some("unknown"), &rsa2(), &claims());
        assert_eq!(
            unauthorized(verifier.verify(&forged).await, &forged),
            JwtError::UnknownKid
        );
        assert_eq!(server.hits(), 2, "the refresh was attempted");
        let token = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
        assert!(verifier.verify(&token).await.is_ok());
    }

    #[tokio::test]
    async fn unknown_kids_refetch_at_most_once_per_cooldown() {
        let (server, verifier) = standard().await;
        assert_eq!(server.hits(), 1);
        let forged = |kid: &str| sign(Algorithm::RS256, Some(kid), &rsa2(), &claims());
        // Signed up front: the burst must fit inside the cooldown window.
        let burst: Vec<String> = (1..20)
            .map(|i| forged(&format!("forged-kid-{i}")))
            .collect();

        let token = forged("forged-kid-0");
        let error = unauthorized(verifier.verify(&token).await, &token);
        assert_eq!(error, JwtError::UnknownKid);
        assert!(!error.to_string().contains("forged"));
        assert_eq!(server.hits(), 2, "an unknown kid refetches once");
        for token in &burst {
            assert_eq!(
                unauthorized(verifier.verify(token).await, token),
                JwtError::UnknownKid
            );
        }
        assert_eq!(server.hits(), 2, "the cooldown stops further fetches");

        tokio::time::sleep(COOLDOWN + Duration::from_millis(50)).await;
        let token = forged("forged-kid-after");
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::UnknownKid
        );
        assert_eq!(server.hits(), 3, "after the cooldown one more fetch");
        let token = forged("forged-kid-after-2");
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::UnknownKid
        );
        assert_eq!(server.hits(), 3);
        // Known keys never waited for any of it.
        let token = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
        assert!(verifier.verify(&token).await.is_ok());
        assert_eq!(server.hits(), 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_unknown_kids_cause_one_fetch() {
        let server = JwksServer::start(jwks(&[rsa1_jwk()])).await;
        // A long cooldown (nothing here waits for it): the second burst must fall inside it
        // however slow the machine.
        let options = JwksOptions {
            refetch_cooldown: Duration::from_secs(5),
            ..options()
        };
        let verifier = remote(&server.url, JWKS_ALGS, options).await;
        assert_eq!(server.hits(), 1);
        // The new key appears; the answer is slow so the requests pile up.
        server.set(200, jwks(&[rsa1_jwk(), rsa2_jwk()]));
        server.set_delay(Duration::from_millis(150));
        let token = sign(Algorithm::RS256, Some("rsa-2"), &rsa2(), &claims());
        let forged: Vec<String> = (0..32)
            .map(|i| {
                sign(
                    Algorithm::RS256,
                    Some(&format!("forged-{i}")),
                    &rsa2(),
                    &claims(),
                )
            })
            .collect();
        let tasks: Vec<_> = (0..32)
            .map(|_| {
                let (verifier, token) = (verifier.clone(), token.clone());
                tokio::spawn(async move { verifier.verify(&token).await })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap().subject(), Some("user-1"));
        }
        assert_eq!(server.hits(), 2, "32 concurrent verifications, one fetch");

        // And a burst of forged kids right after: no fetch at all (cooldown).
        let tasks: Vec<_> = forged
            .into_iter()
            .map(|token| {
                let verifier = verifier.clone();
                tokio::spawn(async move { verifier.verify(&token).await })
            })
            .collect();
        for task in tasks {
            assert_eq!(task.await.unwrap().unwrap_err(), JwtError::UnknownKid);
        }
        assert_eq!(server.hits(), 2);
    }

    #[tokio::test]
    async fn jwks_down_at_init_and_during_use_is_a_500_never_ok() {
        let url = closed_port_url().await;
        // Not fatal at init.
        let verifier = remote(&url, JWKS_ALGS, options()).await;
        let token = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
        // First use fetches again (fails), then the cooldown holds: still 500.
        infrastructure(verifier.verify(&token).await);
        infrastructure(verifier.verify(&token).await);
        let no_kid = sign(Algorithm::RS256, None, &rsa1(), &claims());
        infrastructure(verifier.verify(&no_kid).await);
        tokio::time::sleep(COOLDOWN + Duration::from_millis(50)).await;
        let error = infrastructure(verifier.verify(&token).await);
        assert!(
            error.to_string().starts_with("jwks unavailable: "),
            "{error}"
        );
        // Token problems found before any key is needed are still 401s.
        let not_allowed = sign(Algorithm::RS512, Some("rsa-1"), &rsa1(), &claims());
        unauthorized(verifier.verify(&not_allowed).await, &not_allowed);

        // Up at init, down later: cached keys keep working; an unknown kid is a 401.
        let (server, verifier) = standard().await;
        server.stop().await;
        assert!(verifier.verify(&token).await.is_ok());
        let rotated = sign(Algorithm::RS256, Some("rsa-2"), &rsa2(), &claims());
        assert_eq!(
            unauthorized(verifier.verify(&rotated).await, &rotated),
            JwtError::UnknownKid
        );
        assert_eq!(server.hits(), 1);
    }

    #[tokio::test]
    async fn bad_jwks_answers_are_500s_until_the_provider_recovers() {
        let server = JwksServer::start("{}".to_owned()).await;
        server.set(503, jwks(&[rsa1_jwk()]));
        let verifier = remote(&server.url, JWKS_ALGS, options()).await;
        let token = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
        let error = infrastructure(verifier.verify(&token).await);
        assert!(error.to_string().contains("503"), "{error}");
        for body in [
            "<html>not json</html>",
            "{\"keys\": []}",
            "{\"keys\": [{\"kty\": \"oct\", \"k\": \"AAAA\"}]}",
        ] {
            server.set(200, body.to_owned());
            tokio::time::sleep(COOLDOWN + Duration::from_millis(20)).await;
            infrastructure(verifier.verify(&token).await);
        }
        server.set(200, jwks(&[rsa1_jwk()]));
        tokio::time::sleep(COOLDOWN + Duration::from_millis(20)).await;
        assert!(verifier.verify(&token).await.is_ok());
        // init, first use (the failed init does not start the cooldown), 3 bodies, recovery.
        assert_eq!(server.hits(), 6);
    }

    #[tokio::test]
    async fn a_slow_jwks_times_out_as_a_500() {
        let server = JwksServer::start(jwks(&[rsa1_jwk()])).await;
        server.set_delay(Duration::from_secs(5));
        let options = JwksOptions {
            timeout: Duration::from_millis(150),
            ..options()
        };
        let started = std::time::Instant::now();
        let verifier = remote(&server.url, JWKS_ALGS, options).await;
        let token = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
        infrastructure(verifier.verify(&token).await);
        assert!(started.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn old_keys_are_refreshed_and_then_expire_when_the_provider_stays_down() {
        let server = JwksServer::start(jwks(&[rsa1_jwk()])).await;
        let options = JwksOptions {
            max_age: Duration::from_millis(300),
            ..options()
        };
        let verifier = remote(&server.url, JWKS_ALGS, options).await;
        let token = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
        assert!(verifier.verify(&token).await.is_ok());
        server.set(503, String::new());
        tokio::time::sleep(Duration::from_millis(350)).await;
        // Older than max_age: a refresh is tried; it fails; the old keys are still usable.
        assert!(verifier.verify(&token).await.is_ok());
        assert_eq!(server.hits(), 2);
        tokio::time::sleep(Duration::from_millis(400)).await;
        // Older than twice max_age and the provider still down: no usable keys.
        infrastructure(verifier.verify(&token).await);
        assert_eq!(server.hits(), 3);
    }

    // ---------- attacks ----------

    #[tokio::test]
    async fn alg_none_is_never_accepted() {
        let (_server, verifier) = standard().await;
        for alg in ["none", "None", "NONE"] {
            for signature in ["", "c2lnbmF0dXJl"] {
                let token = format!(
                    "{}.{}.{signature}",
                    b64(&json!({ "alg": alg, "typ": "JWT", "kid": "rsa-1" })),
                    b64(&claims())
                );
                let error = unauthorized(verifier.verify(&token).await, &token);
                assert_eq!(error, JwtError::AlgorithmNone);
            }
        }
    }

    #[tokio::test]
    async fn hs256_signed_with_the_rsa_public_key_is_rejected() {
        // The classic algorithm confusion: the attacker HMACs with the public key's PEM bytes.
        let forged = sign(
            Algorithm::HS256,
            Some("rsa-1"),
            &EncodingKey::from_secret(RSA1_PUBLIC.as_bytes()),
            &claims(),
        );
        let (_server, verifier) = standard().await;
        let error = unauthorized(verifier.verify(&forged).await, &forged);
        assert_eq!(error, JwtError::AlgorithmNotAllowed(Algorithm::HS256));
        // Without kid too.
        let forged = sign(
            Algorithm::HS256,
            None,
            &EncodingKey::from_secret(RSA1_PUBLIC.as_bytes()),
            &claims(),
        );
        unauthorized(verifier.verify(&forged).await, &forged);
        // A JWKS verifier cannot even be configured to accept HS256: HS* is only ever checked
        // against an HMAC secret (jwks.rs tests the key-type check underneath as well).
        let error = Verifier::new(
            settings(
                KeySource::JwksUri("https://idp.example.com/jwks.json".to_owned()),
                &[Algorithm::RS256, Algorithm::HS256],
            ),
            JwksOptions::default(),
        )
        .await
        .unwrap_err();
        assert!(matches!(error, JwtError::Config(_)), "{error}");
        // And an HMAC verifier whose secret happens to be that PEM still never takes RS256.
        let verifier = Verifier::new(
            settings(
                KeySource::HmacSecret(RSA1_PUBLIC.as_bytes().to_vec()),
                &[Algorithm::HS256],
            ),
            JwksOptions::default(),
        )
        .await
        .unwrap();
        let token = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
        unauthorized(verifier.verify(&token).await, &token);
    }

    #[tokio::test]
    async fn header_alg_must_agree_with_the_key() {
        let (server, verifier) = standard().await;
        // PS256 is allowed, and signed by the right RSA key, but the JWK says RS256.
        let token = sign(Algorithm::PS256, Some("rsa-1"), &rsa1(), &claims());
        let error = unauthorized(verifier.verify(&token).await, &token);
        assert_eq!(error, JwtError::AlgorithmKeyMismatch(Algorithm::PS256));
        // ES256 pointed at an RSA key, RS256 pointed at an EC key.
        let token = sign(Algorithm::ES256, Some("rsa-1"), &ec1(), &claims());
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::AlgorithmKeyMismatch(Algorithm::ES256)
        );
        let token = sign(Algorithm::RS256, Some("ec-1"), &rsa1(), &claims());
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::AlgorithmKeyMismatch(Algorithm::RS256)
        );
        // A mismatch is not an unknown kid: no refetch.
        assert_eq!(server.hits(), 1);
    }

    #[tokio::test]
    async fn algorithm_outside_the_allow_list() {
        let (_server, verifier) = standard().await;
        let token = sign(Algorithm::RS384, Some("rsa-1"), &rsa1(), &claims());
        let error = unauthorized(verifier.verify(&token).await, &token);
        assert_eq!(error, JwtError::AlgorithmNotAllowed(Algorithm::RS384));
        assert_eq!(error.to_string(), "token algorithm RS384 is not allowed");
        let token = format!(
            "{}.{}.c2ln",
            b64(&json!({ "alg": "XS999" })),
            b64(&claims())
        );
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::UnsupportedAlgorithm
        );
    }

    #[tokio::test]
    async fn kid_problems() {
        let (server, verifier) = standard().await;
        let token = sign(Algorithm::RS256, None, &rsa1(), &claims());
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::MissingKid
        );
        let token = sign(Algorithm::RS256, Some("nope"), &rsa1(), &claims());
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::UnknownKid
        );
        // A kid that is not a string.
        let token = format!(
            "{}.{}.c2ln",
            b64(&json!({ "alg": "RS256", "kid": 7 })),
            b64(&claims())
        );
        assert!(matches!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::Malformed(_)
        ));
        // Missing kid did not fetch; the unknown kid fetched once.
        assert_eq!(server.hits(), 2);
    }

    #[tokio::test]
    async fn bad_signatures() {
        let (_server, verifier) = standard().await;
        // Signed by another key under rsa-1's kid.
        let token = sign(Algorithm::RS256, Some("rsa-1"), &rsa2(), &claims());
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::InvalidSignature
        );
        // A payload swapped under a valid signature.
        let good = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
        let parts: Vec<&str> = good.split('.').collect();
        let elevated = with(claims(), "sub", json!("admin"));
        let token = format!("{}.{}.{}", parts[0], b64(&elevated), parts[2]);
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::InvalidSignature
        );
        // A truncated ES256 signature.
        let good = sign(Algorithm::ES256, Some("ec-1"), &ec1(), &claims());
        let (input, signature) = good.rsplit_once('.').unwrap();
        let truncated: String = signature.chars().take(40).collect();
        let token = format!("{input}.{truncated}");
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::InvalidSignature
        );
    }

    #[tokio::test]
    async fn time_claims() {
        let (_server, verifier) = standard().await;
        let rs = |claims: &Value| sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), claims);
        let cases = [
            (with(claims(), "exp", json!(now() - 100)), JwtError::Expired),
            (with(claims(), "exp", json!(now())), JwtError::Expired),
            (
                with(claims(), "nbf", json!(now() + 100)),
                JwtError::NotYetValid,
            ),
            (
                with(claims(), "iat", json!(now() + 100)),
                JwtError::IssuedInFuture,
            ),
            (
                without(claims(), "exp"),
                JwtError::MissingClaim("exp".to_owned()),
            ),
            (
                with(claims(), "exp", json!("tomorrow")),
                JwtError::InvalidClaim("exp"),
            ),
            (
                with(claims(), "nbf", json!(true)),
                JwtError::InvalidClaim("nbf"),
            ),
        ];
        for (claims, expected) in cases {
            let token = rs(&claims);
            assert_eq!(
                unauthorized(verifier.verify(&token).await, &token),
                expected
            );
        }
        // Fractional times and a past nbf are fine.
        let token = rs(&with(
            with(claims(), "exp", json!(now() as f64 + 60.5)),
            "nbf",
            json!(now() - 5),
        ));
        assert!(verifier.verify(&token).await.is_ok());

        // Leeway: 30 s.
        let server = JwksServer::start(jwks(&[rsa1_jwk()])).await;
        let verifier = Verifier::with_cooldown_floor(
            JwtSettings {
                leeway_seconds: 30,
                ..settings(KeySource::JwksUri(server.url.clone()), JWKS_ALGS)
            },
            options(),
            Duration::from_millis(1),
        )
        .await
        .unwrap();
        for ok in [
            with(claims(), "exp", json!(now() - 10)),
            with(claims(), "nbf", json!(now() + 10)),
            with(claims(), "iat", json!(now() + 10)),
        ] {
            assert!(verifier.verify(&rs(&ok)).await.is_ok(), "{ok}");
        }
        let token = rs(&with(claims(), "exp", json!(now() - 31)));
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::Expired
        );
    }

    #[tokio::test]
    async fn issuer_must_match_exactly() {
        let (_server, verifier) = standard().await;
        let rs = |claims: &Value| sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), claims);
        for iss in [
            json!("https://evil.example.com/"),
            json!("https://idp.example.com"),
            json!([ISSUER]),
            json!(1),
        ] {
            let token = rs(&with(claims(), "iss", iss));
            assert_eq!(
                unauthorized(verifier.verify(&token).await, &token),
                JwtError::InvalidIssuer
            );
        }
        let token = rs(&without(claims(), "iss"));
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::MissingClaim("iss".to_owned())
        );
    }

    #[tokio::test]
    async fn audience_and_cognito_client_id() {
        let (_server, verifier) = standard().await;
        let rs = |claims: &Value| sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), claims);
        for aud in [
            json!("api://other"),
            json!(["api://other"]),
            json!([]),
            json!(5),
            json!([5]),
        ] {
            let token = rs(&with(claims(), "aud", aud));
            assert_eq!(
                unauthorized(verifier.verify(&token).await, &token),
                JwtError::InvalidAudience
            );
        }
        let token = rs(&with(claims(), "aud", json!(["api://other", AUDIENCE])));
        assert!(verifier.verify(&token).await.is_ok());

        // Cognito access token: no aud, client_id.
        let cognito = |client_id: &str| {
            with(
                with(without(claims(), "aud"), "client_id", json!(client_id)),
                "token_use",
                json!("access"),
            )
        };
        let token = rs(&cognito("app-client-1"));
        assert_eq!(
            verifier.verify(&token).await.unwrap().string("client_id"),
            Some("app-client-1")
        );
        let token = rs(&cognito("someone-elses-client"));
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::InvalidAudience
        );
        // Neither aud nor client_id.
        let token = rs(&without(claims(), "aud"));
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::InvalidAudience
        );
        // A present but wrong aud is not rescued by client_id.
        let token = rs(&with(
            with(claims(), "aud", json!("api://other")),
            "client_id",
            json!("app-client-1"),
        ));
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::InvalidAudience
        );
    }

    #[tokio::test]
    async fn required_claims() {
        let server = JwksServer::start(jwks(&[rsa1_jwk()])).await;
        let verifier = Verifier::with_cooldown_floor(
            JwtSettings {
                required_claims: vec!["sub".to_owned(), "tenant".to_owned()],
                ..settings(KeySource::JwksUri(server.url.clone()), JWKS_ALGS)
            },
            options(),
            Duration::from_millis(1),
        )
        .await
        .unwrap();
        let rs = |claims: &Value| sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), claims);
        let token = rs(&claims());
        let error = unauthorized(verifier.verify(&token).await, &token);
        assert_eq!(error, JwtError::MissingClaim("tenant".to_owned()));
        assert_eq!(error.to_string(), "token lacks required claim tenant");
        let token = rs(&with(claims(), "tenant", Value::Null));
        unauthorized(verifier.verify(&token).await, &token);
        let token = rs(&with(claims(), "tenant", json!("t-1")));
        assert!(verifier.verify(&token).await.is_ok());
    }

    #[tokio::test]
    async fn malformed_tokens() {
        let (server, verifier) = standard().await;
        let good = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
        let parts: Vec<&str> = good.split('.').collect();
        let header = parts[0];
        let cases = [
            String::new(),
            "not-a-jwt".to_owned(),
            "a.b".to_owned(),
            format!("{good}.extra"),
            format!(".{}.{}", parts[1], parts[2]),
            format!("{header}..{}", parts[2]),
            format!("{header}.{}.", parts[1]),
            format!("eyJ!!!.{}.{}", parts[1], parts[2]),
            format!("{header}.$$$$.{}", parts[2]),
            format!("{header}.{}.{}", parts[1], "a+b/c=="),
            format!("{header}=.{}.{}", parts[1], parts[2]),
            format!("{}.{}.{}", b64(&json!(["RS256"])), parts[1], parts[2]),
            format!(
                "{}.{}.{}",
                b64(&json!({ "typ": "JWT" })),
                parts[1],
                parts[2]
            ),
            format!("{header}.{}.{}", b64(&json!([1, 2])), parts[2]),
            format!(
                "{header}.{}.{}",
                URL_SAFE_NO_PAD.encode("not json"),
                parts[2]
            ),
        ];
        for token in cases {
            let error = unauthorized(verifier.verify(&token).await, &token);
            assert!(
                matches!(error, JwtError::Malformed(_)),
                "{token}: {error:?}"
            );
        }
        // A crit header is refused even with a valid signature.
        let mut crit = Header::new(jwt_alg(Algorithm::RS256));
        crit.kid = Some("rsa-1".to_owned());
        crit.crit = Some(vec!["exp".to_owned()]);
        let token = encode(&crit, &claims(), &rsa1()).unwrap();
        assert!(matches!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::Malformed(_)
        ));
        // Nothing malformed reached the JWKS.
        assert_eq!(server.hits(), 1);
    }

    /// The header reader before it stopped building a map: the meaning to keep.
    fn parse_header_as_map(encoded: &str) -> Result<(Algorithm, Option<String>), JwtError> {
        let bytes = decode_segment(encoded, "header is not base64url")?;
        let header: Map<String, Value> = serde_json::from_slice(&bytes)
            .map_err(|_| JwtError::Malformed("header is not a json object"))?;
        let alg = header
            .get("alg")
            .and_then(Value::as_str)
            .ok_or(JwtError::Malformed("header has no alg"))?;
        if alg.eq_ignore_ascii_case("none") {
            return Err(JwtError::AlgorithmNone);
        }
        let alg = Algorithm::from_str(alg).map_err(|_| JwtError::UnsupportedAlgorithm)?;
        if header.contains_key("crit") {
            return Err(JwtError::Malformed("header has critical extensions"));
        }
        let kid = match header.get("kid") {
            None | Some(Value::Null) => None,
            Some(Value::String(kid)) => Some(kid.clone()),
            Some(_) => return Err(JwtError::Malformed("header kid is not a string")),
        };
        Ok((alg, kid))
    }

    fn header_as_read(encoded: &str) -> Result<(Algorithm, Option<String>), JwtError> {
        parse_header(encoded).map(|h| (h.alg, h.kid))
    }

    #[test]
    fn headers_read_as_a_json_object_would() {
        let texts = [
            r#"{"alg":"RS256","kid":"k1","typ":"JWT"}"#,
            r#"{"alg":"ES256"}"#,
            r#"{"alg":"none"}"#,
            r#"{"alg":"NoNe","kid":"k"}"#,
            r#"{"alg":"XS999"}"#,
            r#"{"alg":256}"#,
            r#"{"typ":"JWT"}"#,
            r#"{"alg":"RS256","kid":null}"#,
            r#"{"alg":"RS256","kid":7}"#,
            r#"{"alg":"RS256","kid":["a"]}"#,
            r#"{"alg":"RS256","crit":null}"#,
            r#"{"alg":"RS256","crit":["exp"],"kid":"k"}"#,
            r#"{"alg":"HS256","alg":"RS256"}"#,
            r#"{"alg":"RS256","alg":1}"#,
            r#"{"alg":"RS256","kid":"a","kid":"b"}"#,
            r#"{"alg":"RS256","kid":"k1"}"#,
            r#"{"alg":"RS256","x5c":["MIIB"],"jwk":{"kty":"RSA","n":"x"},"nested":{"a":[1,{"b":null}]}}"#,
            r#"{"alg":"RS256","kid":"k"} "#,
            r#"{"alg":"RS256","kid":"k"}x"#,
            r#"{"alg":"RS256",}"#,
            r#"{"alg":"RS256","bad":tru}"#,
            r#"["RS256"]"#,
            r#""RS256""#,
            "null",
            "{}",
            "",
        ];
        for text in texts {
            let encoded = URL_SAFE_NO_PAD.encode(text);
            assert_eq!(
                header_as_read(&encoded),
                parse_header_as_map(&encoded),
                "{text}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn generated_headers_read_as_a_json_object_would(
            members in proptest::collection::vec(
                (
                    proptest::sample::select(vec!["alg", "kid", "crit", "typ", "x5u", "ALG"]),
                    proptest::sample::select(vec![
                        r#""RS256""#, r#""ES384""#, r#""HS256""#, r#""none""#, r#""k-1""#,
                        "null", "7", "true", "[]", r#"["exp"]"#, r#"{"a":{"b":[1]}}"#,
                    ]),
                ),
                0..6,
            )
        ) {
            let text = format!(
                "{{{}}}",
                members
                    .iter()
                    .map(|(key, value)| format!("\"{key}\":{value}"))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            let encoded = URL_SAFE_NO_PAD.encode(&text);
            proptest::prop_assert_eq!(header_as_read(&encoded), parse_header_as_map(&encoded), "{}", text);
        }
    }

    #[tokio::test]
    async fn oversized_tokens_are_rejected_before_decoding() {
        let (server, verifier) = standard().await;
        let garbage = "a".repeat(10 * 1024);
        assert_eq!(
            unauthorized(verifier.verify(&garbage).await, &garbage),
            JwtError::TokenTooLarge
        );
        // Even a correctly signed one.
        let big = with(claims(), "padding", json!("x".repeat(10 * 1024)));
        let token = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &big);
        assert!(token.len() > MAX_TOKEN_BYTES);
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::TokenTooLarge
        );
        assert_eq!(
            JwtError::TokenTooLarge.to_string(),
            "token is larger than 8192 bytes"
        );
        assert_eq!(server.hits(), 1);
    }

    // ---------- EdDSA (Ed25519) and ES512 (P-521) ----------

    /// Every asymmetric algorithm.
    const ALL_JWKS_ALGS: &[Algorithm] = &[
        Algorithm::RS256,
        Algorithm::PS256,
        Algorithm::ES256,
        Algorithm::ES384,
        Algorithm::ES512,
        Algorithm::EdDSA,
    ];

    #[test]
    fn algorithm_names_are_the_jose_names() {
        let names: Vec<&str> = Algorithm::ALL.iter().map(|alg| alg.name()).collect();
        assert_eq!(
            names,
            crate::rules::ALGORITHMS,
            "the rules file takes every algorithm"
        );
        for alg in Algorithm::ALL {
            assert_eq!(alg.to_string(), alg.name());
            assert_eq!(format!("{alg:?}"), alg.name());
            assert_eq!(alg.name().parse::<Algorithm>(), Ok(*alg));
            assert_eq!(alg.hmac().is_some(), alg.family() == Family::Hmac, "{alg}");
            // jsonwebtoken (which signs the tests' tokens) uses the same names, except that it
            // has no ES512: why the crate has an algorithm type of its own.
            let theirs = alg.name().parse::<jsonwebtoken::Algorithm>();
            assert_eq!(theirs.is_err(), *alg == Algorithm::ES512, "{alg}");
        }
        for name in [
            "none", "None", "", "es512", "EDDSA", "eddsa", "Ed25519", "Ed448", "ES521", "ES256K",
            " RS256", "RS256 ",
        ] {
            assert_eq!(name.parse::<Algorithm>(), Err(UnknownAlgorithm), "{name:?}");
        }
        assert_eq!(
            JwtError::AlgorithmNotAllowed(Algorithm::EdDSA).to_string(),
            "token algorithm EdDSA is not allowed"
        );
        assert_eq!(
            JwtError::AlgorithmKeyMismatch(Algorithm::ES512).to_string(),
            "token algorithm ES512 does not match the key"
        );
    }

    #[tokio::test]
    async fn eddsa_and_es512_tokens_verify_against_the_jwks() {
        let (ed, p521) = (ed25519(), p521());
        // The Ed25519 key names its alg; the P-521 key does not (its curve decides).
        let server = JwksServer::start(jwks(&[
            rsa1_jwk(),
            ed_jwk(&ed, "ed-1", Some("EdDSA")),
            ec_jwk(&p521, "P-521", "p521-1", None),
        ]))
        .await;
        let verifier = remote(&server.url, ALL_JWKS_ALGS, options()).await;
        let token = ed_sign(&ed, "EdDSA", Some("ed-1"), &claims());
        assert_eq!(signature_of(&token).len(), 64);
        let verified = verifier.verify(&token).await.unwrap();
        assert_eq!(verified.subject(), Some("user-1"));
        assert_eq!(verified.scopes(), vec!["pets:read", "pets:write"]);
        let token = ec_sign(&p521, "ES512", Some("p521-1"), &claims());
        assert_eq!(signature_of(&token).len(), 132, "the JOSE fixed-size form");
        assert_eq!(
            verifier.verify(&token).await.unwrap().subject(),
            Some("user-1")
        );
        // Beside them, the other key types work as before.
        let token = sign(Algorithm::RS256, Some("rsa-1"), &rsa1(), &claims());
        assert!(verifier.verify(&token).await.is_ok());
        // A payload swapped under a valid signature.
        let good = ed_sign(&ed, "EdDSA", Some("ed-1"), &claims());
        let parts: Vec<&str> = good.split('.').collect();
        let elevated = b64(&with(claims(), "sub", json!("admin")));
        let token = format!("{}.{elevated}.{}", parts[0], parts[2]);
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::InvalidSignature
        );
        // Signed by another key of the same type under the published kid.
        let token = ed_sign(&ed25519(), "EdDSA", Some("ed-1"), &claims());
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::InvalidSignature
        );
        let token = ec_sign(&self::p521(), "ES512", Some("p521-1"), &claims());
        assert_eq!(
            unauthorized(verifier.verify(&token).await, &token),
            JwtError::InvalidSignature
        );
        assert_eq!(server.hits(), 1);

        // The same keys from a JWKS file; a lone key also serves tokens without kid.
        let path = std::env::temp_dir().join(format!("jwt-test-okp-{}.json", std::process::id()));
        for (jwk, token) in [
            (
                ed_jwk(&ed, "ed-1", None),
                ed_sign(&ed, "EdDSA", None, &claims()),
            ),
            (
                ec_jwk(&p521, "P-521", "p521-1", Some("ES512")),
                ec_sign(&p521, "ES512", None, &claims()),
            ),
        ] {
            std::fs::write(&path, jwks(&[jwk])).unwrap();
            let verifier = Verifier::new(
                settings(KeySource::JwksFile(path.clone()), ALL_JWKS_ALGS),
                JwksOptions::default(),
            )
            .await
            .unwrap();
            assert!(verifier.verify(&token).await.is_ok(), "{token}");
        }
        std::fs::remove_file(&path).unwrap();
    }

    #[tokio::test]
    async fn eddsa_and_es512_outside_the_allow_list_are_refused() {
        let (ed, p521) = (ed25519(), p521());
        let server = JwksServer::start(jwks(&[
            ed_jwk(&ed, "ed-1", None),
            ec_jwk(&p521, "P-521", "p521-1", None),
        ]))
        .await;
        let eddsa = ed_sign(&ed, "EdDSA", Some("ed-1"), &claims());
        let es512 = ec_sign(&p521, "ES512", Some("p521-1"), &claims());
        // RS256, PS256 and ES256 only.
        let verifier = remote(&server.url, JWKS_ALGS, options()).await;
        for (token, alg) in [(&eddsa, Algorithm::EdDSA), (&es512, Algorithm::ES512)] {
            assert_eq!(
                unauthorized(verifier.verify(token).await, token),
                JwtError::AlgorithmNotAllowed(alg)
            );
        }
        // Allowing one does not let the other in.
        let only_eddsa = remote(&server.url, &[Algorithm::EdDSA], options()).await;
        assert!(only_eddsa.verify(&eddsa).await.is_ok());
        assert_eq!(
            unauthorized(only_eddsa.verify(&es512).await, &es512),
            JwtError::AlgorithmNotAllowed(Algorithm::ES512)
        );
        let only_es512 = remote(&server.url, &[Algorithm::ES512], options()).await;
        assert!(only_es512.verify(&es512).await.is_ok());
        assert_eq!(
            unauthorized(only_es512.verify(&eddsa).await, &eddsa),
            JwtError::AlgorithmNotAllowed(Algorithm::EdDSA)
        );
        // An HMAC verifier never takes them (nor can it be configured to: see
        // invalid_configurations_fail_at_init).
        let verifier = hmac_verifier(&[Algorithm::HS256]).await;
        for (token, alg) in [(&eddsa, Algorithm::EdDSA), (&es512, Algorithm::ES512)] {
            assert_eq!(
                unauthorized(verifier.verify(token).await, token),
                JwtError::AlgorithmNotAllowed(alg)
            );
        }
    }

    #[tokio::test]
    async fn ed25519_and_p521_keys_verify_only_their_own_algorithm() {
        let (ed, p521, p384) = (ed25519(), p521(), p384());
        let server = JwksServer::start(jwks(&[
            ed_jwk(&ed, "ed-1", None),
            ec_jwk(&p521, "P-521", "p521-1", None),
            ec_jwk(&p521, "P-521", "p521-es512", Some("ES512")),
            ec_jwk(&p384, "P-384", "p384-1", None),
            // A key whose own alg its curve does not take: it verifies nothing.
            ed_jwk(&ed, "ed-as-es512", Some("ES512")),
        ]))
        .await;
        let verifier = remote(&server.url, ALL_JWKS_ALGS, options()).await;
        let mismatches = [
            // ES512 at the Ed25519 key; EdDSA at the P-521 keys.
            (
                ec_sign(&p521, "ES512", Some("ed-1"), &claims()),
                Algorithm::ES512,
            ),
            (
                ed_sign(&ed, "EdDSA", Some("p521-1"), &claims()),
                Algorithm::EdDSA,
            ),
            (
                ed_sign(&ed, "EdDSA", Some("p521-es512"), &claims()),
                Algorithm::EdDSA,
            ),
            // Other curves' algorithms at the P-521 keys, with or without the key's alg.
            (
                ec_sign(&p384, "ES384", Some("p521-es512"), &claims()),
                Algorithm::ES384,
            ),
            (
                ec_sign(&p384, "ES384", Some("p521-1"), &claims()),
                Algorithm::ES384,
            ),
            // ES512 at the P-384 key.
            (
                ec_sign(&p521, "ES512", Some("p384-1"), &claims()),
                Algorithm::ES512,
            ),
            // Other families at the Ed25519 key.
            (
                ec_sign(&p384, "ES256", Some("ed-1"), &claims()),
                Algorithm::ES256,
            ),
            (
                sign(Algorithm::RS256, Some("ed-1"), &rsa1(), &claims()),
                Algorithm::RS256,
            ),
            // Neither algorithm at a key that names one its curve does not take.
            (
                ed_sign(&ed, "EdDSA", Some("ed-as-es512"), &claims()),
                Algorithm::EdDSA,
            ),
            (
                ec_sign(&p521, "ES512", Some("ed-as-es512"), &claims()),
                Algorithm::ES512,
            ),
        ];
        for (token, alg) in &mismatches {
            assert_eq!(
                unauthorized(verifier.verify(token).await, token),
                JwtError::AlgorithmKeyMismatch(*alg),
                "{alg} {token}"
            );
        }
        // A genuine signature relabelled for the other key type fails at the signature.
        let es512 = ec_sign(&p521, "ES512", Some("p521-1"), &claims());
        let forged = relabel(&es512, "EdDSA", "ed-1");
        assert_eq!(
            unauthorized(verifier.verify(&forged).await, &forged),
            JwtError::InvalidSignature
        );
        let eddsa = ed_sign(&ed, "EdDSA", Some("ed-1"), &claims());
        let forged = relabel(&eddsa, "ES512", "p521-1");
        assert_eq!(
            unauthorized(verifier.verify(&forged).await, &forged),
            JwtError::InvalidSignature
        );
        // The right algorithm at each key still verifies; a mismatch never refetched.
        assert!(verifier.verify(&es512).await.is_ok());
        assert!(verifier.verify(&eddsa).await.is_ok());
        let token = ec_sign(&p521, "ES512", Some("p521-es512"), &claims());
        assert!(verifier.verify(&token).await.is_ok());
        assert_eq!(server.hits(), 1);
    }

    #[tokio::test]
    async fn truncated_or_padded_eddsa_and_es512_signatures_are_401s() {
        let (ed, p521) = (ed25519(), p521());
        let server = JwksServer::start(jwks(&[
            ed_jwk(&ed, "ed-1", None),
            ec_jwk(&p521, "P-521", "p521-1", None),
        ]))
        .await;
        let verifier = remote(&server.url, ALL_JWKS_ALGS, options()).await;
        for good in [
            ed_sign(&ed, "EdDSA", Some("ed-1"), &claims()),
            ec_sign(&p521, "ES512", Some("p521-1"), &claims()),
        ] {
            let (input, _) = good.rsplit_once('.').unwrap();
            let signature = signature_of(&good);
            let half = signature.len() / 2;
            let mut variants = vec![
                signature[..signature.len() - 1].to_vec(),
                signature[..half].to_vec(),
                signature[1..].to_vec(),
                signature[..1].to_vec(),
                [signature.as_slice(), &[0]].concat(),
                [&[0], signature.as_slice()].concat(),
                [signature.as_slice(), signature.as_slice()].concat(),
                vec![0; signature.len()],
            ];
            // ES512 with 65-byte halves (the P-521 size rounded down) and in DER form.
            variants.push([&signature[1..half], &signature[half + 1..]].concat());
            variants.push(
                [
                    &[0x30, 0x81, 0x88, 0x02, 0x42],
                    &signature[..half],
                    &[0x02, 0x42],
                    &signature[half..],
                ]
                .concat(),
            );
            for variant in variants {
                let token = format!("{input}.{}", URL_SAFE_NO_PAD.encode(&variant));
                assert_eq!(
                    unauthorized(verifier.verify(&token).await, &token),
                    JwtError::InvalidSignature,
                    "{} bytes",
                    variant.len()
                );
            }
            // An empty signature is not even a JWS.
            let token = format!("{input}.");
            assert!(matches!(
                unauthorized(verifier.verify(&token).await, &token),
                JwtError::Malformed(_)
            ));
            // The key is still usable.
            assert!(verifier.verify(&good).await.is_ok());
        }
    }

    // ---------- configuration ----------

    #[tokio::test]
    async fn invalid_configurations_fail_at_init() {
        let uri = || KeySource::JwksUri("https://idp.example.com/jwks.json".to_owned());
        let secret = || KeySource::HmacSecret(HMAC_SECRET.to_vec());
        let cases = [
            (settings(uri(), &[]), JwksOptions::default()),
            (settings(uri(), &[Algorithm::HS256]), JwksOptions::default()),
            (
                settings(secret(), &[Algorithm::EdDSA]),
                JwksOptions::default(),
            ),
            (
                settings(secret(), &[Algorithm::ES512]),
                JwksOptions::default(),
            ),
            (
                settings(secret(), &[Algorithm::RS256]),
                JwksOptions::default(),
            ),
            (
                settings(
                    KeySource::HmacSecret(b"short".to_vec()),
                    &[Algorithm::HS256],
                ),
                JwksOptions::default(),
            ),
            (
                settings(
                    KeySource::JwksUri("http://idp.example.com/jwks.json".to_owned()),
                    JWKS_ALGS,
                ),
                JwksOptions::default(),
            ),
            (
                settings(KeySource::JwksUri("not a url".to_owned()), JWKS_ALGS),
                JwksOptions::default(),
            ),
            (
                JwtSettings {
                    issuer: String::new(),
                    ..settings(uri(), JWKS_ALGS)
                },
                JwksOptions::default(),
            ),
            (
                JwtSettings {
                    audiences: vec![],
                    ..settings(uri(), JWKS_ALGS)
                },
                JwksOptions::default(),
            ),
            (
                JwtSettings {
                    required_claims: vec![String::new()],
                    ..settings(uri(), JWKS_ALGS)
                },
                JwksOptions::default(),
            ),
            (
                settings(uri(), JWKS_ALGS),
                JwksOptions {
                    max_age: Duration::from_secs(5),
                    ..JwksOptions::default()
                },
            ),
            (
                settings(uri(), JWKS_ALGS),
                JwksOptions {
                    timeout: Duration::ZERO,
                    ..JwksOptions::default()
                },
            ),
            (
                settings(uri(), JWKS_ALGS),
                JwksOptions {
                    max_keys: 0,
                    ..JwksOptions::default()
                },
            ),
        ];
        for (settings, options) in cases {
            let described = format!("{settings:?} {options:?}");
            let error = Verifier::new(settings, options).await.unwrap_err();
            assert!(
                matches!(error, JwtError::Config(_)),
                "{described}: {error:?}"
            );
            assert!(!error.is_unauthorized());
            check_message(&error);
        }
        // The secret never shows in Debug output.
        let debug = format!("{:?}", settings(secret(), &[Algorithm::HS256]));
        assert!(!debug.contains("hmac secret, 32"), "{debug}");
    }

    #[test]
    fn the_cooldown_floor_is_ten_seconds_outside_tests() {
        let options = JwksOptions {
            refetch_cooldown: Duration::from_millis(1),
            ..JwksOptions::default()
        };
        assert_eq!(
            effective_cooldown(&options, MIN_REFETCH_COOLDOWN),
            Duration::from_secs(10)
        );
        let options = JwksOptions {
            refetch_cooldown: Duration::from_secs(30),
            ..JwksOptions::default()
        };
        assert_eq!(
            effective_cooldown(&options, MIN_REFETCH_COOLDOWN),
            Duration::from_secs(30)
        );
        let defaults = JwksOptions::default();
        assert_eq!(defaults.max_age, Duration::from_secs(3600));
        assert_eq!(defaults.refetch_cooldown, Duration::from_secs(10));
        assert_eq!(defaults.timeout, Duration::from_secs(3));
    }

    // ---------- claims and errors ----------

    #[test]
    fn claims_accessors() {
        let claims = |value: Value| Claims::from_map(value.as_object().unwrap().clone());
        let c = claims(json!({ "sub": "u", "n": 3, "scope": "a  b a", "scp": ["c", "b", 7] }));
        assert_eq!(c.subject(), Some("u"));
        assert_eq!(c.string("n"), None);
        assert_eq!(c.get("n"), Some(&json!(3)));
        assert_eq!(c.get("missing"), None);
        assert_eq!(c.scopes(), vec!["a", "b", "c"]);
        assert_eq!(claims(json!({ "scp": "x y" })).scopes(), vec!["x", "y"]);
        assert_eq!(
            claims(json!({ "scope": ["not", "standard"] })).scopes(),
            Vec::<&str>::new()
        );
        assert_eq!(claims(json!({ "sub": 5 })).subject(), None);
        assert_eq!(c.as_map().len(), 4);
        assert_eq!(c.into_map().len(), 4);
    }

    #[test]
    fn error_messages_and_classes() {
        let token_problems = [
            JwtError::TokenTooLarge,
            JwtError::Malformed("x"),
            JwtError::AlgorithmNone,
            JwtError::UnsupportedAlgorithm,
            JwtError::AlgorithmNotAllowed(Algorithm::RS256),
            JwtError::AlgorithmKeyMismatch(Algorithm::RS256),
            JwtError::MissingKid,
            JwtError::UnknownKid,
            JwtError::InvalidSignature,
            JwtError::Expired,
            JwtError::NotYetValid,
            JwtError::IssuedInFuture,
            JwtError::InvalidIssuer,
            JwtError::InvalidAudience,
            JwtError::MissingClaim("sub".to_owned()),
            JwtError::InvalidClaim("exp"),
        ];
        for error in &token_problems {
            assert!(error.is_unauthorized(), "{error:?}");
            check_message(error);
        }
        for error in [
            JwtError::JwksUnavailable("down".to_owned()),
            JwtError::Config("bad".to_owned()),
            JwtError::Clock,
        ] {
            assert!(!error.is_unauthorized(), "{error:?}");
            check_message(&error);
        }
    }

    #[test]
    fn verifier_is_shareable_across_tasks() {
        fn send_sync<T: Send + Sync + Clone>() {}
        fn send<T: Send>(_: &T) {}
        send_sync::<Verifier>();
        send_sync::<JwtError>();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let verifier = runtime
            .block_on(Verifier::new(
                settings(
                    KeySource::HmacSecret(HMAC_SECRET.to_vec()),
                    &[Algorithm::HS256],
                ),
                JwksOptions::default(),
            ))
            .unwrap();
        let future = verifier.verify("a.b.c");
        send(&future);
        assert!(runtime.block_on(future).is_err());
    }
}
