//! JSON Web Key Sets for [`super::Verifier`]: turning a JWKS document into verification keys
//! (RSA, EC P-256/P-384/P-521 and OKP Ed25519 signature keys only; symmetric `oct` keys are
//! never taken from a JWKS, so an `HS*` token can never be checked against a published key),
//! each key pinned to the algorithms of its type and curve (and to its own `alg`, when it names
//! one); all signatures are checked with aws-lc directly. And the remote JWKS cache: keys
//! fetched over HTTPS, kept for a maximum age, refetched on an unknown `kid` at most once per
//! cooldown window, with concurrent refetches coalesced into one request.

use std::str::FromStr as _;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P384_SHA384_FIXED, ECDSA_P521_SHA512_FIXED, ED25519,
    ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_2048_8192_SHA384,
    RSA_PKCS1_2048_8192_SHA512, RSA_PSS_2048_8192_SHA256, RSA_PSS_2048_8192_SHA384,
    RSA_PSS_2048_8192_SHA512, RsaParameters, RsaPublicKeyComponents, VerificationAlgorithm,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::{Algorithm, Family, JwksOptions, JwtError};

/// Largest JWKS document accepted over HTTP (real ones are a few KiB).
pub(super) const MAX_JWKS_BYTES: usize = 1024 * 1024;

/// Most redirects followed when fetching a JWKS.
const MAX_REDIRECTS: usize = 5;

/// The curve of an EC (`kty: EC`) or OKP (`kty: OKP`) key this verifier supports. Each
/// verifies exactly one algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Curve {
    /// EC `P-256`, for `ES256`.
    P256,
    /// EC `P-384`, for `ES384`.
    P384,
    /// EC `P-521`, for `ES512`.
    P521,
    /// OKP `Ed25519`, for `EdDSA`.
    Ed25519,
}

impl Curve {
    /// The curve of an EC key's `crv`; `None` for one this verifier does not support.
    fn ec(crv: &str) -> Option<Self> {
        match crv {
            "P-256" => Some(Self::P256),
            "P-384" => Some(Self::P384),
            "P-521" => Some(Self::P521),
            _ => None,
        }
    }

    /// The curve of an OKP key's `crv`; `None` for one this verifier does not support
    /// (`Ed448`, and the key-agreement curves `X25519` and `X448`).
    fn okp(crv: &str) -> Option<Self> {
        match crv {
            "Ed25519" => Some(Self::Ed25519),
            _ => None,
        }
    }

    /// Length in bytes of one coordinate of an EC point (`x` or `y`, RFC 7518 §6.2.1.2: the
    /// full size, leading zeros kept), or of an OKP public key (`x`, RFC 8037 §2).
    fn coordinate_len(self) -> usize {
        match self {
            Self::P256 | Self::Ed25519 => 32,
            Self::P384 => 48,
            Self::P521 => 66,
        }
    }

    /// The only algorithm that verifies with this curve.
    fn algorithm(self) -> Algorithm {
        match self {
            Self::P256 => Algorithm::ES256,
            Self::P384 => Algorithm::ES384,
            Self::P521 => Algorithm::ES512,
            Self::Ed25519 => Algorithm::EdDSA,
        }
    }

    /// The aws-lc verification algorithm of that one algorithm. ECDSA takes fixed-size
    /// `r || s` signatures, as JWS uses (RFC 7518 §3.4: 64, 96 and 132 bytes); any other length
    /// fails verification.
    fn verification(self) -> &'static dyn VerificationAlgorithm {
        match self {
            Self::P256 => &ECDSA_P256_SHA256_FIXED,
            Self::P384 => &ECDSA_P384_SHA384_FIXED,
            Self::P521 => &ECDSA_P521_SHA512_FIXED,
            Self::Ed25519 => &ED25519,
        }
    }
}

/// Where an RSA algorithm's parsed key sits in [`RsaKey::parsed`], and its aws-lc verification
/// parameters: padding, digest and the accepted key sizes (2048 to 8192 bits), the same as
/// jsonwebtoken's aws-lc backend. `None` for the other algorithms.
fn rsa_slot(alg: Algorithm) -> Option<(usize, &'static RsaParameters)> {
    match alg {
        Algorithm::RS256 => Some((0, &RSA_PKCS1_2048_8192_SHA256)),
        Algorithm::RS384 => Some((1, &RSA_PKCS1_2048_8192_SHA384)),
        Algorithm::RS512 => Some((2, &RSA_PKCS1_2048_8192_SHA512)),
        Algorithm::PS256 => Some((3, &RSA_PSS_2048_8192_SHA256)),
        Algorithm::PS384 => Some((4, &RSA_PSS_2048_8192_SHA384)),
        Algorithm::PS512 => Some((5, &RSA_PSS_2048_8192_SHA512)),
        _ => None,
    }
}

/// An RSA public key: its components, and the key parsed for each algorithm on first use.
/// jsonwebtoken builds the aws-lc key from `n` and `e` again for every signature it checks
/// (about 2.5 µs of an 18 µs RS256 check); this keeps the built key.
struct RsaKey {
    /// The modulus, big-endian.
    n: Vec<u8>,
    /// The public exponent, big-endian.
    e: Vec<u8>,
    /// Per RSA algorithm ([`rsa_slot`]): the parsed key, or `None` when aws-lc refused it.
    parsed: [OnceLock<Option<ParsedPublicKey>>; 6],
}

/// An EC or OKP public key: its bytes, and the key parsed on first use.
struct CurveKey {
    /// EC: the uncompressed point, `0x04 || x || y`; OKP: `x`, the raw public key.
    public: Vec<u8>,
    /// The parsed key, or `None` when aws-lc refused it.
    parsed: OnceLock<Option<ParsedPublicKey>>,
}

/// The key material of a JWK.
enum KeyMaterial {
    /// `kty: RSA`.
    Rsa(Box<RsaKey>),
    /// `kty: EC` or `kty: OKP`.
    Curve(CurveKey),
}

/// The type (`kty`, plus `crv` for EC and OKP) of a usable JWK.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum KeyType {
    /// `kty: RSA`: verifies `RS*` and `PS*`.
    Rsa,
    /// `kty: EC` or `OKP`: verifies the one algorithm of its curve (`ES256`, `ES384`, `ES512`
    /// or `EdDSA`).
    Curve(Curve),
}

/// One signature-verification key of a JWKS.
pub(super) struct JwkEntry {
    /// The key's `kid`, if it has one.
    kid: Option<String>,
    /// Its `kty` (and curve).
    key_type: KeyType,
    /// Its own `alg`, if it names one: then only that algorithm verifies with it.
    alg: Option<Algorithm>,
    /// The key material.
    key: KeyMaterial,
}

impl std::fmt::Debug for JwkEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwkEntry")
            .field("kid", &self.kid)
            .field("key_type", &self.key_type)
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

impl JwkEntry {
    /// Whether `signature` (decoded from base64url) is a valid signature of `message` with
    /// this key and `alg`, which the caller has checked the key [accepts](Self::accepts).
    /// `Err` when the key cannot check signatures at all (aws-lc refused it) or `alg` does not
    /// fit the key type.
    pub(super) fn verify(
        &self,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<bool, &'static str> {
        let parsed = match &self.key {
            KeyMaterial::Rsa(rsa) => {
                let Some((slot, parameters)) = rsa_slot(alg)
                    .and_then(|(index, parameters)| Some((rsa.parsed.get(index)?, parameters)))
                else {
                    return Err("the algorithm does not fit an rsa key");
                };
                slot.get_or_init(|| {
                    RsaPublicKeyComponents {
                        n: rsa.n.as_slice(),
                        e: rsa.e.as_slice(),
                    }
                    .to_parsed_public_key(parameters)
                    .ok()
                })
            }
            KeyMaterial::Curve(key) => {
                let curve = match self.key_type {
                    KeyType::Curve(curve) if alg == curve.algorithm() => curve,
                    _ => return Err("the algorithm does not fit the key's curve"),
                };
                key.parsed.get_or_init(|| {
                    ParsedPublicKey::new(curve.verification(), key.public.as_slice()).ok()
                })
            }
        };
        let key = parsed
            .as_ref()
            .ok_or("the key is not a valid public key for its algorithm")?;
        Ok(key.verify_sig(message, signature).is_ok())
    }

    /// Whether a token signed with `alg` may be checked against this key: the algorithm family
    /// must match the key type (RSA ↔ `RS*`/`PS*`, EC ↔ the `ES*` of its curve, OKP Ed25519 ↔
    /// `EdDSA`, never `HS*`), and when the key names its own `alg`, the token's must be that
    /// one.
    pub(super) fn accepts(&self, alg: Algorithm) -> bool {
        let type_ok = match self.key_type {
            KeyType::Rsa => alg.family() == Family::Rsa,
            KeyType::Curve(curve) => alg == curve.algorithm(),
        };
        type_ok && self.alg.is_none_or(|own| own == alg)
    }

    /// Parses one element of `keys`. `Ok(None)`: a well-formed key that is not for verifying
    /// signatures with a supported algorithm (`use: enc`, `oct`, `RSA-OAEP`, `secp256k1`,
    /// `Ed448`, `X25519`...), skipped quietly. `Err`: a broken key, skipped with a warning.
    fn parse(raw: &Value) -> Result<Option<Self>, &'static str> {
        let obj = raw.as_object().ok_or("not a json object")?;
        let kty = opt_str(obj, "kty")?.ok_or("no kty")?;
        if let Some(key_use) = opt_str(obj, "use")?
            && key_use != "sig"
        {
            return Ok(None);
        }
        if let Some(ops) = obj.get("key_ops") {
            let ops = ops.as_array().ok_or("key_ops is not an array")?;
            if !ops.iter().any(|op| op.as_str() == Some("verify")) {
                return Ok(None);
            }
        }
        let alg = match opt_str(obj, "alg")? {
            None => None,
            // "none" never parses into an `Algorithm`, so such a key is skipped too.
            Some(name) => match Algorithm::from_str(name) {
                Ok(alg) => Some(alg),
                Err(_) => return Ok(None),
            },
        };
        let kid = opt_str(obj, "kid")?.map(str::to_owned);
        let (key_type, key) = match kty {
            "RSA" => {
                let n = opt_str(obj, "n")?.ok_or("rsa key has no n")?;
                let e = opt_str(obj, "e")?.ok_or("rsa key has no e")?;
                let decode = |text: &str| {
                    URL_SAFE_NO_PAD
                        .decode(text)
                        .map_err(|_| "rsa n or e is not base64url")
                };
                let key = RsaKey {
                    n: decode(n)?,
                    e: decode(e)?,
                    parsed: Default::default(),
                };
                (KeyType::Rsa, KeyMaterial::Rsa(Box::new(key)))
            }
            "EC" => {
                let Some(curve) = Curve::ec(opt_str(obj, "crv")?.ok_or("ec key has no crv")?)
                else {
                    return Ok(None);
                };
                let x = opt_str(obj, "x")?.ok_or("ec key has no x")?;
                let y = opt_str(obj, "y")?.ok_or("ec key has no y")?;
                let mut point = vec![0x04];
                for coordinate in [x, y] {
                    let decoded = URL_SAFE_NO_PAD
                        .decode(coordinate)
                        .map_err(|_| "ec x or y is not base64url")?;
                    if decoded.len() != curve.coordinate_len() {
                        return Err("ec x or y has the wrong length for its curve");
                    }
                    point.extend_from_slice(&decoded);
                }
                let key = CurveKey {
                    public: point,
                    parsed: OnceLock::new(),
                };
                (KeyType::Curve(curve), KeyMaterial::Curve(key))
            }
            "OKP" => {
                let Some(curve) = Curve::okp(opt_str(obj, "crv")?.ok_or("okp key has no crv")?)
                else {
                    return Ok(None);
                };
                let x = opt_str(obj, "x")?.ok_or("okp key has no x")?;
                let public = URL_SAFE_NO_PAD
                    .decode(x)
                    .map_err(|_| "okp x is not base64url")?;
                if public.len() != curve.coordinate_len() {
                    return Err("okp x has the wrong length for its curve");
                }
                let key = CurveKey {
                    public,
                    parsed: OnceLock::new(),
                };
                (KeyType::Curve(curve), KeyMaterial::Curve(key))
            }
            // Symmetric keys are never taken from a JWKS (algorithm confusion); other key
            // types are not supported.
            _ => return Ok(None),
        };
        Ok(Some(Self {
            kid,
            key_type,
            alg,
            key,
        }))
    }
}

/// An optional string member: absent or `null` is `None`, another type is an error.
fn opt_str<'a>(
    obj: &'a Map<String, Value>,
    name: &'static str,
) -> Result<Option<&'a str>, &'static str> {
    match obj.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err("a member is not a string"),
    }
}

/// What a key set has for a token's `kid` and `alg`.
#[derive(Debug)]
pub(super) enum Lookup {
    /// A key that may verify this token.
    Found(Arc<JwkEntry>),
    /// The `kid` names keys (or the one key was chosen) whose type or `alg` disagrees with the
    /// token's `alg`.
    Mismatch,
    /// The token has no `kid` and the set holds several keys.
    MissingKid,
    /// No key has this `kid`.
    UnknownKid,
}

/// The usable signature keys of one JWKS document, and when they were obtained.
#[derive(Debug)]
pub(super) struct KeySet {
    /// At least one key.
    keys: Vec<Arc<JwkEntry>>,
    /// When the document was read.
    obtained: Instant,
}

impl KeySet {
    /// Parses a JWKS document (`{"keys": [...]}`), keeping at most `max_keys` usable keys.
    /// A document that is not JSON, has no `keys` array or no usable key is an error.
    pub(super) fn parse(bytes: &[u8], max_keys: usize) -> Result<Self, String> {
        let doc: Value =
            serde_json::from_slice(bytes).map_err(|e| format!("jwks is not valid json: {e}"))?;
        let raw_keys = doc
            .get("keys")
            .and_then(Value::as_array)
            .ok_or("jwks has no keys array")?;
        let mut keys = Vec::new();
        for (index, raw) in raw_keys.iter().enumerate() {
            match JwkEntry::parse(raw) {
                Ok(Some(entry)) => {
                    if keys.len() >= max_keys {
                        tracing::warn!(
                            max_keys,
                            "jwks has more usable keys than max_keys; ignoring the rest"
                        );
                        break;
                    }
                    keys.push(Arc::new(entry));
                }
                Ok(None) => {
                    tracing::debug!(index, "jwks key skipped: not a supported signature key")
                }
                Err(reason) => tracing::warn!(index, reason, "jwks key skipped: unusable"),
            }
        }
        if keys.is_empty() {
            return Err(
                "jwks has no usable signature key (RSA, EC P-256/P-384/P-521, or OKP Ed25519)"
                    .to_owned(),
            );
        }
        Ok(Self {
            keys,
            obtained: Instant::now(),
        })
    }

    /// The key for a token with this `kid` and `alg`. Several keys may share a `kid` (an RSA
    /// and an EC one): the first that accepts `alg` wins.
    pub(super) fn lookup(&self, kid: Option<&str>, alg: Algorithm) -> Lookup {
        match kid {
            Some(kid) => {
                let mut named = self
                    .keys
                    .iter()
                    .filter(|key| key.kid.as_deref() == Some(kid))
                    .peekable();
                if named.peek().is_none() {
                    return Lookup::UnknownKid;
                }
                match named.find(|key| key.accepts(alg)) {
                    Some(key) => Lookup::Found(Arc::clone(key)),
                    None => Lookup::Mismatch,
                }
            }
            None => match self.keys.as_slice() {
                [only] if only.accepts(alg) => Lookup::Found(Arc::clone(only)),
                [_] => Lookup::Mismatch,
                [] => Lookup::UnknownKid,
                _ => Lookup::MissingKid,
            },
        }
    }

    /// How many keys the set holds.
    pub(super) fn len(&self) -> usize {
        self.keys.len()
    }

    /// How long ago the set was obtained.
    fn age(&self, now: Instant) -> Duration {
        now.saturating_duration_since(self.obtained)
    }
}

/// Whether a JWKS may be fetched from `url`: `https`, or plain `http` to a loopback host only
/// (local development and tests); a key set fetched over plain HTTP from elsewhere could be
/// replaced in transit, and every token signed with the replacement would verify.
pub(super) fn url_allowed(url: &reqwest::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => url.host_str().is_some_and(|host| {
            host.eq_ignore_ascii_case("localhost")
                || host
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }),
        _ => false,
    }
}

/// Bookkeeping of fetch attempts, guarded by the fetch mutex.
#[derive(Debug, Default)]
struct FetchState {
    /// When the last fetch triggered by a verification started (the init fetch does not count,
    /// so the first use after a failed init may fetch at once).
    last_attempt: Option<Instant>,
    /// Why the last fetch failed, if it did.
    last_error: Option<String>,
}

/// A JWKS fetched from a URI and cached in memory.
///
/// Cache design: one `std::sync::RwLock<Option<Arc<KeySet>>>` holding the whole key set (read
/// without awaiting, so never held across an `.await`; a verification clones the `Arc` and
/// looks keys up lock-free), plus a `tokio::sync::Mutex` that serializes fetches and records the
/// last attempt. moka was considered and not used: the cache holds a single value, and the
/// policy needed is not a TTL — it is "at most one fetch per cooldown window, whether the fetch
/// succeeds or fails" (so forged `kid`s cannot become a flood of requests to the identity
/// provider) and "keep serving the last good keys for a while when the provider is down";
/// moka's `try_get_with` coalesces concurrent loads but neither rate-limits failed ones nor
/// serves stale values. Coalescing here: every caller that needs a fetch takes the mutex; the
/// first one fetches and stamps `last_attempt`; the ones queued behind it find the stamp inside
/// the cooldown window and read the fresh set instead of fetching again.
#[derive(Debug)]
pub(super) struct RemoteJwks {
    /// The JWKS URI.
    uri: reqwest::Url,
    /// HTTP client with the timeout and redirect policy.
    client: reqwest::Client,
    /// Keys older than this are refreshed on next use.
    max_age: Duration,
    /// Minimum time between two fetches triggered by verifications.
    cooldown: Duration,
    /// Most keys kept from one document.
    max_keys: usize,
    /// The last good key set.
    current: RwLock<Option<Arc<KeySet>>>,
    /// Serializes fetches.
    fetch: tokio::sync::Mutex<FetchState>,
}

impl RemoteJwks {
    /// Validates the URI and builds the HTTP client; fetches nothing (see [`Self::prime`]).
    /// `cooldown` is the effective cooldown (already raised to its floor).
    pub(super) fn new(
        uri: &str,
        options: &JwksOptions,
        cooldown: Duration,
    ) -> Result<Self, String> {
        let uri =
            reqwest::Url::parse(uri).map_err(|e| format!("jwks uri is not a valid url: {e}"))?;
        if !url_allowed(&uri) {
            return Err(
                "jwks uri must use https (plain http is allowed only for a loopback host)"
                    .to_owned(),
            );
        }
        let max_keys = usize::try_from(options.max_keys).unwrap_or(usize::MAX);
        let redirects = reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                attempt.error("too many redirects")
            } else if !url_allowed(attempt.url()) {
                attempt.error("redirect to a url that is not https")
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.timeout)
            .redirect(redirects)
            .build()
            .map_err(|e| format!("cannot build the http client: {}", error_chain(&e)))?;
        Ok(Self {
            uri,
            client,
            max_age: options.max_age,
            cooldown,
            max_keys,
            current: RwLock::new(None),
            fetch: tokio::sync::Mutex::new(FetchState::default()),
        })
    }

    /// The init fetch. A failure is not fatal: it is logged, and the first verification fetches
    /// again (this attempt does not start the cooldown).
    pub(super) async fn prime(&self) {
        let mut state = self.fetch.lock().await;
        match self.fetch_key_set().await {
            Ok(set) => {
                tracing::info!(uri = %self.uri, keys = set.len(), "jwks fetched");
                self.store(set);
                state.last_error = None;
            }
            Err(reason) => {
                tracing::warn!(uri = %self.uri, reason, "jwks fetch at init failed; will fetch on first use");
                state.last_error = Some(reason);
            }
        }
    }

    /// The key for a token with this `kid` and `alg`, refetching the set when it is missing,
    /// older than the maximum age, or does not know the `kid` (each at most once per cooldown
    /// window). Keys older than the maximum age stay usable while refreshes fail, until they are
    /// twice the maximum age old; with no usable keys the answer is
    /// [`JwtError::JwksUnavailable`].
    pub(super) async fn lookup(
        &self,
        kid: Option<&str>,
        alg: Algorithm,
    ) -> Result<Lookup, JwtError> {
        if let Some(set) = self.snapshot()
            && set.age(Instant::now()) < self.max_age
        {
            match set.lookup(kid, alg) {
                Lookup::UnknownKid => {}
                found_or_rejected => return Ok(found_or_rejected),
            }
        }
        let last_error = self.refresh_unless_cooling_down().await;
        match self.snapshot() {
            Some(set) if set.age(Instant::now()) < self.max_age.saturating_mul(2) => {
                Ok(set.lookup(kid, alg))
            }
            _ => Err(JwtError::JwksUnavailable(
                last_error.unwrap_or_else(|| "no usable keys".to_owned()),
            )),
        }
    }

    /// Fetches unless a fetch started within the cooldown window (that fetch's result, already
    /// stored, is what the caller then reads). Returns the last fetch error, if the last fetch
    /// failed.
    async fn refresh_unless_cooling_down(&self) -> Option<String> {
        let mut state = self.fetch.lock().await;
        let now = Instant::now();
        let cooling_down = state
            .last_attempt
            .is_some_and(|last| now.saturating_duration_since(last) < self.cooldown);
        if !cooling_down {
            state.last_attempt = Some(now);
            match self.fetch_key_set().await {
                Ok(set) => {
                    tracing::info!(uri = %self.uri, keys = set.len(), "jwks refetched");
                    self.store(set);
                    state.last_error = None;
                }
                Err(reason) => {
                    tracing::warn!(uri = %self.uri, reason, "jwks refetch failed");
                    state.last_error = Some(reason);
                }
            }
        }
        state.last_error.clone()
    }

    /// The current key set, if any.
    fn snapshot(&self) -> Option<Arc<KeySet>> {
        // A panic while holding this lock cannot leave the `Option<Arc<_>>` half-written.
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the current key set.
    fn store(&self, set: KeySet) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::new(set));
    }

    /// One HTTP GET of the JWKS: only a 2xx answer whose body (at most 1 MiB) is a JWKS with a
    /// usable key counts.
    async fn fetch_key_set(&self) -> Result<KeySet, String> {
        let mut response = self
            .client
            .get(self.uri.clone())
            .header(
                reqwest::header::ACCEPT,
                "application/json, application/jwk-set+json",
            )
            .send()
            .await
            .map_err(|e| format!("jwks request failed: {}", error_chain(&e)))?;
        let status = response.status();
        if !status.is_success() {
            return Err(format!("jwks request answered http status {status}"));
        }
        if response
            .content_length()
            .is_some_and(|len| len > MAX_JWKS_BYTES as u64)
        {
            return Err(format!(
                "jwks response is larger than {MAX_JWKS_BYTES} bytes"
            ));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("jwks response could not be read: {}", error_chain(&e)))?
        {
            if body.len().saturating_add(chunk.len()) > MAX_JWKS_BYTES {
                return Err(format!(
                    "jwks response is larger than {MAX_JWKS_BYTES} bytes"
                ));
            }
            body.extend_from_slice(&chunk);
        }
        KeySet::parse(&body, self.max_keys)
    }
}

/// An error and its sources, joined with `: ` (reqwest's top-level message alone rarely says
/// why a request failed).
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {

    use super::*;
    use serde_json::json;

    const RSA_N: &str = "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw";

    fn rsa(kid: &str, alg: Option<&str>) -> Value {
        let mut key = json!({ "kty": "RSA", "kid": kid, "n": RSA_N, "e": "AQAB" });
        if let Some(alg) = alg {
            key["alg"] = json!(alg);
        }
        key
    }

    fn ec(kid: &str) -> Value {
        let coordinate = URL_SAFE_NO_PAD.encode([7u8; 32]);
        json!({ "kty": "EC", "kid": kid, "crv": "P-256", "x": coordinate, "y": coordinate })
    }

    fn parse(doc: &Value) -> Result<KeySet, String> {
        KeySet::parse(doc.to_string().as_bytes(), 100)
    }

    #[test]
    fn skips_keys_that_are_not_signature_keys() {
        let doc = json!({ "keys": [
            { "kty": "oct", "kid": "secret", "k": "c2VjcmV0" },
            { "kty": "OKP", "kid": "ed448", "crv": "Ed448", "x": URL_SAFE_NO_PAD.encode([7u8; 57]) },
            { "kty": "OKP", "kid": "x25519", "crv": "X25519", "x": URL_SAFE_NO_PAD.encode([7u8; 32]) },
            { "kty": "EC", "kid": "k1", "crv": "secp256k1", "x": URL_SAFE_NO_PAD.encode([7u8; 32]), "y": URL_SAFE_NO_PAD.encode([7u8; 32]) },
            { "kty": "OKP", "kid": "short-ed", "crv": "Ed25519", "x": "AAAA" },
            { "kty": "RSA", "kid": "enc", "use": "enc", "n": RSA_N, "e": "AQAB" },
            { "kty": "RSA", "kid": "oaep", "alg": "RSA-OAEP", "n": RSA_N, "e": "AQAB" },
            { "kty": "RSA", "kid": "wrap", "key_ops": ["wrapKey"], "n": RSA_N, "e": "AQAB" },
            { "kty": "EC", "kid": "p521", "crv": "P-521", "x": "AA", "y": "AA" },
            { "kty": "EC", "kid": "short", "crv": "P-256", "x": "AAAA", "y": "AAAA" },
            { "kty": "RSA", "kid": "bad-n", "n": "!!", "e": "AQAB" },
            "not an object",
            rsa("good", Some("RS256")),
        ]});
        let set = parse(&doc).unwrap();
        assert_eq!(set.len(), 1);
        assert!(matches!(
            set.lookup(Some("good"), Algorithm::RS256),
            Lookup::Found(_)
        ));
        assert!(matches!(
            set.lookup(Some("secret"), Algorithm::HS256),
            Lookup::UnknownKid
        ));
    }

    #[test]
    fn rejects_documents_without_usable_keys() {
        assert!(KeySet::parse(b"not json", 10).is_err());
        assert!(parse(&json!({ "nokeys": [] })).is_err());
        assert!(parse(&json!({ "keys": {} })).is_err());
        assert!(parse(&json!({ "keys": [] })).is_err());
        assert!(parse(&json!({ "keys": [{ "kty": "oct", "k": "c2VjcmV0" }] })).is_err());
    }

    #[test]
    fn max_keys_caps_the_set() {
        let doc = json!({ "keys": [rsa("a", None), rsa("b", None), rsa("c", None)] });
        let set = KeySet::parse(doc.to_string().as_bytes(), 2).unwrap();
        assert_eq!(set.len(), 2);
        assert!(matches!(
            set.lookup(Some("c"), Algorithm::RS256),
            Lookup::UnknownKid
        ));
    }

    #[test]
    fn key_type_and_alg_must_agree_with_the_token_alg() {
        let set =
            parse(&json!({ "keys": [rsa("rs", Some("RS256")), rsa("any-rsa", None), ec("ec")] }))
                .unwrap();
        // An HMAC algorithm never verifies against a JWK (algorithm confusion).
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            assert!(matches!(set.lookup(Some("rs"), alg), Lookup::Mismatch));
            assert!(matches!(set.lookup(Some("any-rsa"), alg), Lookup::Mismatch));
            assert!(matches!(set.lookup(Some("ec"), alg), Lookup::Mismatch));
        }
        // The key's own alg.
        assert!(matches!(
            set.lookup(Some("rs"), Algorithm::RS256),
            Lookup::Found(_)
        ));
        assert!(matches!(
            set.lookup(Some("rs"), Algorithm::PS256),
            Lookup::Mismatch
        ));
        assert!(matches!(
            set.lookup(Some("rs"), Algorithm::RS512),
            Lookup::Mismatch
        ));
        // No alg on the key: the family decides.
        assert!(matches!(
            set.lookup(Some("any-rsa"), Algorithm::PS384),
            Lookup::Found(_)
        ));
        assert!(matches!(
            set.lookup(Some("any-rsa"), Algorithm::ES256),
            Lookup::Mismatch
        ));
        // EC: only the curve's algorithm.
        assert!(matches!(
            set.lookup(Some("ec"), Algorithm::ES256),
            Lookup::Found(_)
        ));
        assert!(matches!(
            set.lookup(Some("ec"), Algorithm::ES384),
            Lookup::Mismatch
        ));
        assert!(matches!(
            set.lookup(Some("ec"), Algorithm::RS256),
            Lookup::Mismatch
        ));
        // No kid.
        assert!(matches!(
            set.lookup(None, Algorithm::RS256),
            Lookup::MissingKid
        ));
        assert!(matches!(
            set.lookup(Some("nope"), Algorithm::RS256),
            Lookup::UnknownKid
        ));
    }

    #[test]
    fn a_single_key_serves_tokens_without_kid() {
        let set = parse(&json!({ "keys": [rsa("only", Some("RS256"))] })).unwrap();
        assert!(matches!(
            set.lookup(None, Algorithm::RS256),
            Lookup::Found(_)
        ));
        assert!(matches!(
            set.lookup(None, Algorithm::HS256),
            Lookup::Mismatch
        ));
    }

    #[test]
    fn a_shared_kid_picks_the_key_that_accepts_the_alg() {
        let set = parse(&json!({ "keys": [rsa("same", None), ec("same")] })).unwrap();
        assert!(
            matches!(set.lookup(Some("same"), Algorithm::ES256), Lookup::Found(k) if k.key_type == KeyType::Curve(Curve::P256))
        );
        assert!(
            matches!(set.lookup(Some("same"), Algorithm::RS256), Lookup::Found(k) if k.key_type == KeyType::Rsa)
        );
    }

    #[test]
    fn each_rsa_algorithm_has_its_own_slot_and_parameters() {
        let expected: [(Algorithm, &RsaParameters); 6] = [
            (Algorithm::RS256, &RSA_PKCS1_2048_8192_SHA256),
            (Algorithm::RS384, &RSA_PKCS1_2048_8192_SHA384),
            (Algorithm::RS512, &RSA_PKCS1_2048_8192_SHA512),
            (Algorithm::PS256, &RSA_PSS_2048_8192_SHA256),
            (Algorithm::PS384, &RSA_PSS_2048_8192_SHA384),
            (Algorithm::PS512, &RSA_PSS_2048_8192_SHA512),
        ];
        let mut seen = Vec::new();
        for (alg, parameters) in expected {
            let (index, found) = rsa_slot(alg).unwrap();
            // Equal configuration (padding, digest, key sizes), and unlike every other one.
            assert!(*found == *parameters, "{alg:?}");
            for (other, other_parameters) in expected {
                assert!(
                    other == alg || *found != *other_parameters,
                    "{alg:?} / {other:?}"
                );
            }
            assert!(index < 6 && !seen.contains(&index), "{alg:?}");
            seen.push(index);
        }
        for alg in [
            Algorithm::HS256,
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::EdDSA,
        ] {
            assert!(rsa_slot(alg).is_none(), "{alg:?}");
        }
    }

    #[test]
    fn a_key_aws_lc_refuses_checks_no_signature() {
        // [7; 32] is not a point of P-256 (refused when parsed); a 3-byte modulus is far
        // below 2048 bits (refused when a signature is checked).
        let tiny = json!({ "kty": "RSA", "kid": "tiny", "n": "AQAB", "e": "AQAB" });
        let set = parse(&json!({ "keys": [ec("ec"), tiny] })).unwrap();
        for (kid, alg) in [("ec", Algorithm::ES256), ("tiny", Algorithm::RS256)] {
            let Lookup::Found(key) = set.lookup(Some(kid), alg) else {
                panic!("{kid} not found");
            };
            // Twice: a refusal is remembered, and stays a refusal.
            for _ in 0..2 {
                assert!(
                    !matches!(key.verify(alg, b"message", &[0; 64]), Ok(true)),
                    "{kid}"
                );
            }
            if kid == "ec" {
                assert!(key.verify(alg, b"message", &[0; 64]).is_err());
            }
            // An algorithm the key does not take is refused too (callers check first).
            assert!(key.verify(Algorithm::HS256, b"message", &[0; 64]).is_err());
        }
    }

    fn p521(kid: &str, alg: Option<&str>) -> Value {
        let coordinate = URL_SAFE_NO_PAD.encode([7u8; 66]);
        let mut key =
            json!({ "kty": "EC", "kid": kid, "crv": "P-521", "x": coordinate, "y": coordinate });
        if let Some(alg) = alg {
            key["alg"] = json!(alg);
        }
        key
    }

    fn ed25519(kid: &str, alg: Option<&str>) -> Value {
        let mut key = json!({ "kty": "OKP", "kid": kid, "crv": "Ed25519",
                              "x": URL_SAFE_NO_PAD.encode([7u8; 32]) });
        if let Some(alg) = alg {
            key["alg"] = json!(alg);
        }
        key
    }

    /// What `JwkEntry::parse` makes of one key: its type, skipped quietly, or refused.
    fn parsed(raw: &Value) -> Result<Option<KeyType>, &'static str> {
        JwkEntry::parse(raw).map(|entry| entry.map(|entry| entry.key_type))
    }

    #[test]
    fn okp_ed25519_and_ec_p521_keys_are_read_and_other_curves_skipped() {
        let b64 = |len: usize| URL_SAFE_NO_PAD.encode(vec![7u8; len]);
        assert_eq!(
            parsed(&ed25519("ed", None)),
            Ok(Some(KeyType::Curve(Curve::Ed25519)))
        );
        assert_eq!(
            parsed(&p521("p521", None)),
            Ok(Some(KeyType::Curve(Curve::P521)))
        );
        // Curves this verifier does not support: skipped quietly, like an unknown kty.
        for crv in ["Ed448", "X25519", "X448", "Ed25519ph", "ed25519"] {
            let key = json!({ "kty": "OKP", "crv": crv, "x": b64(57) });
            assert_eq!(parsed(&key), Ok(None), "{crv}");
        }
        for crv in ["secp256k1", "P-192", "p-521"] {
            let key = json!({ "kty": "EC", "crv": crv, "x": b64(66), "y": b64(66) });
            assert_eq!(parsed(&key), Ok(None), "{crv}");
        }
        // Broken keys of a supported curve: refused (skipped with a warning), never a panic.
        let broken = [
            json!({ "kty": "OKP", "x": b64(32) }),
            json!({ "kty": "OKP", "crv": "Ed25519" }),
            json!({ "kty": "OKP", "crv": "Ed25519", "x": 32 }),
            json!({ "kty": "OKP", "crv": "Ed25519", "x": "!!" }),
            json!({ "kty": "OKP", "crv": "Ed25519", "x": "" }),
            json!({ "kty": "OKP", "crv": "Ed25519", "x": b64(31) }),
            json!({ "kty": "OKP", "crv": "Ed25519", "x": b64(33) }),
            json!({ "kty": "OKP", "crv": "Ed25519", "x": b64(57) }),
            json!({ "kty": "EC", "crv": "P-521", "x": b64(66) }),
            json!({ "kty": "EC", "crv": "P-521", "x": b64(65), "y": b64(65) }),
            json!({ "kty": "EC", "crv": "P-521", "x": b64(66), "y": b64(67) }),
            json!({ "kty": "EC", "crv": "P-521", "x": b64(48), "y": b64(48) }),
            json!({ "kty": "EC", "crv": "P-384", "x": b64(66), "y": b64(66) }),
        ];
        for key in broken {
            assert!(parsed(&key).is_err(), "{key}");
        }
        // Not for signatures.
        let mut enc = ed25519("enc", None);
        enc["use"] = json!("enc");
        assert_eq!(parsed(&enc), Ok(None));
        // A document whose only keys are unsupported has no usable key, and says which count.
        let error = parse(&json!({ "keys": [
            { "kty": "OKP", "crv": "Ed448", "x": b64(57) },
        ]}))
        .unwrap_err();
        assert_eq!(
            error,
            "jwks has no usable signature key (RSA, EC P-256/P-384/P-521, or OKP Ed25519)"
        );
    }

    #[test]
    fn ed25519_and_p521_keys_accept_only_their_algorithm() {
        let set = parse(&json!({ "keys": [
            ed25519("ed", None),
            ed25519("ed-eddsa", Some("EdDSA")),
            ed25519("ed-es512", Some("ES512")),
            p521("p521", None),
            p521("p521-es512", Some("ES512")),
            p521("p521-es384", Some("ES384")),
        ]}))
        .unwrap();
        assert_eq!(set.len(), 6);
        let found = |kid: &str, alg| matches!(set.lookup(Some(kid), alg), Lookup::Found(_));
        for alg in Algorithm::ALL.iter().copied() {
            let eddsa = alg == Algorithm::EdDSA;
            let es512 = alg == Algorithm::ES512;
            assert_eq!(found("ed", alg), eddsa, "{alg}");
            assert_eq!(found("ed-eddsa", alg), eddsa, "{alg}");
            assert_eq!(found("p521", alg), es512, "{alg}");
            assert_eq!(found("p521-es512", alg), es512, "{alg}");
            // A key whose own alg its curve does not take accepts nothing.
            assert!(!found("ed-es512", alg), "{alg}");
            assert!(!found("p521-es384", alg), "{alg}");
        }
        assert!(matches!(
            set.lookup(Some("p521-es512"), Algorithm::ES384),
            Lookup::Mismatch
        ));
        // A shared kid picks the key of the token's algorithm.
        let set =
            parse(&json!({ "keys": [ed25519("same", None), p521("same", None), ec("same")] }))
                .unwrap();
        for (alg, curve) in [
            (Algorithm::EdDSA, Curve::Ed25519),
            (Algorithm::ES512, Curve::P521),
            (Algorithm::ES256, Curve::P256),
        ] {
            assert!(
                matches!(set.lookup(Some("same"), alg), Lookup::Found(k) if k.key_type == KeyType::Curve(curve)),
                "{alg}"
            );
        }
        assert!(matches!(
            set.lookup(Some("same"), Algorithm::ES384),
            Lookup::Mismatch
        ));
    }

    #[test]
    fn curve_keys_check_signatures_of_any_length_without_panicking() {
        use aws_lc_rs::signature::{
            ECDSA_P521_SHA512_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _,
        };
        let ed = Ed25519KeyPair::generate().unwrap();
        let ec = EcdsaKeyPair::generate(&ECDSA_P521_SHA512_FIXED_SIGNING).unwrap();
        let point = ec.public_key().as_ref();
        let (x, y) = point[1..].split_at(66);
        let set = parse(&json!({ "keys": [
            { "kty": "OKP", "crv": "Ed25519", "kid": "ed",
              "x": URL_SAFE_NO_PAD.encode(ed.public_key().as_ref()) },
            { "kty": "EC", "crv": "P-521", "kid": "ec",
              "x": URL_SAFE_NO_PAD.encode(x), "y": URL_SAFE_NO_PAD.encode(y) },
        ]}))
        .unwrap();
        let message = b"header.payload";
        let rng = aws_lc_rs::rand::SystemRandom::new();
        for (kid, alg, signature) in [
            ("ed", Algorithm::EdDSA, ed.sign(message).as_ref().to_vec()),
            (
                "ec",
                Algorithm::ES512,
                ec.sign(&rng, message).unwrap().as_ref().to_vec(),
            ),
        ] {
            let Lookup::Found(key) = set.lookup(Some(kid), alg) else {
                panic!("{kid} not found");
            };
            assert_eq!(key.verify(alg, message, &signature), Ok(true), "{kid}");
            assert_eq!(key.verify(alg, b"header.other", &signature), Ok(false));
            for len in [0, 1, 63, 64, 65, 131, 132, 133, 200] {
                let mut other = signature.clone();
                other.resize(len, 0);
                assert_eq!(
                    key.verify(alg, message, &other),
                    Ok(other == signature),
                    "{kid}: {len} bytes"
                );
            }
            // An algorithm the key does not take is refused (callers check first).
            for other in [Algorithm::ES256, Algorithm::ES384, Algorithm::RS256] {
                assert!(key.verify(other, message, &signature).is_err(), "{kid}");
            }
        }
    }

    #[test]
    fn only_https_or_loopback_http() {
        let ok = |u: &str| url_allowed(&reqwest::Url::parse(u).unwrap());
        assert!(ok("https://idp.example.com/.well-known/jwks.json"));
        assert!(ok("http://127.0.0.1:8080/jwks"));
        assert!(ok("http://localhost/jwks"));
        assert!(ok("http://[::1]:9/jwks"));
        assert!(!ok("http://idp.example.com/jwks"));
        assert!(!ok("http://10.0.0.1/jwks"));
        assert!(!ok("ftp://idp.example.com/jwks"));
        assert!(!ok("file:///etc/jwks.json"));
    }
}
