//! The harness's keys and its reference token check.
//!
//! Keys: an HMAC secret, and the test-only RSA and P-256 key pairs of `authorizer/tests/keys`
//! (their public halves, as the verifiers read them, are `keys/jwks.json`: the RSA key under
//! the kid of `examples/authorizer/jwks.json`, whose tokens appear in the seeds).
//!
//! The reference check decides independently of the verifier under test whether a token is
//! correctly signed by one of these keys and carries valid claims: the HMAC with aws-lc
//! directly, RSA and ECDSA through jsonwebtoken's PEM keys (the verifier uses its own parsed
//! JWKS keys), the claims by the rules of `authorizer-config.md`.

use std::path::PathBuf;
use std::str::FromStr as _;
use std::sync::LazyLock;
use std::time::{SystemTime, UNIX_EPOCH};

use authorizer::jwt::{JwksOptions, JwtSettings, KeySource, Verifier};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use serde_json::{Map, Value};

/// `iss` of every verifier (the examples' issuer, so that their tokens verify).
pub(crate) const ISSUER: &str = "https://idp.example.com/";
/// The accepted audience.
pub(crate) const AUDIENCE: &str = "api://pets";
/// The HMAC secret (test-only, at least 32 bytes).
pub(crate) const HMAC_SECRET: &str = "fuzz-harness test-only hmac secret, 32+ bytes";
/// The kid of the RSA key in `keys/jwks.json` (the example's).
pub(crate) const RSA_KID: &str = "example-key-1";
/// The kid of the P-256 key in `keys/jwks.json`.
pub(crate) const EC_KID: &str = "ec-1";
/// Claims the HMAC verifier requires besides `exp` and `iss`.
pub(crate) const HMAC_REQUIRED: [&str; 1] = ["sub"];
/// The HMAC verifier's leeway, in seconds.
pub(crate) const HMAC_LEEWAY: i64 = 30;

const RSA_PRIVATE: &str = include_str!("../../../authorizer/tests/keys/rsa-1-private.pem");
const RSA_PUBLIC: &str = include_str!("../../../authorizer/tests/keys/rsa-1-public.pem");
const EC_PRIVATE: &str = include_str!("../../../authorizer/tests/keys/ec-p256-private.pem");
const EC_PUBLIC: &str = include_str!("../../../authorizer/tests/keys/ec-p256-public.pem");

/// The public halves of the test keys, as a JWKS file.
pub(crate) fn jwks_path() -> PathBuf {
    crate::repo_root().join("fuzz/harness/keys/jwks.json")
}

/// Algorithms the HMAC verifier allows.
pub(crate) const HMAC_ALGORITHMS: [Algorithm; 3] =
    [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512];
/// Algorithms the JWKS verifier allows.
pub(crate) const JWKS_ALGORITHMS: [Algorithm; 2] = [Algorithm::RS256, Algorithm::ES256];

/// A verifier with the HMAC secret: `HS256`/`HS384`/`HS512`, leeway 30 s, `sub` required.
pub(crate) fn hmac_verifier() -> &'static Verifier {
    static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
        verifier(JwtSettings {
            issuer: ISSUER.to_owned(),
            audiences: vec![AUDIENCE.to_owned()],
            keys: KeySource::HmacSecret(HMAC_SECRET.as_bytes().to_vec()),
            algorithms: verifier_algorithms(&HMAC_ALGORITHMS),
            leeway_seconds: HMAC_LEEWAY.unsigned_abs(),
            required_claims: HMAC_REQUIRED.map(str::to_owned).to_vec(),
        })
    });
    &VERIFIER
}

/// A verifier with the JWKS file: `RS256` and `ES256`, no leeway, no further claims.
pub(crate) fn jwks_verifier() -> &'static Verifier {
    static VERIFIER: LazyLock<Verifier> = LazyLock::new(|| {
        verifier(JwtSettings {
            issuer: ISSUER.to_owned(),
            audiences: vec![AUDIENCE.to_owned()],
            keys: KeySource::JwksFile(jwks_path()),
            algorithms: verifier_algorithms(&JWKS_ALGORITHMS),
            leeway_seconds: 0,
            required_claims: Vec::new(),
        })
    });
    &VERIFIER
}

/// The verifier's own algorithm type for the harness's (jsonwebtoken's, which signs the tokens
/// and makes the reference check), by JOSE name.
fn verifier_algorithms(algorithms: &[Algorithm]) -> Vec<authorizer::jwt::Algorithm> {
    algorithms
        .iter()
        .map(|alg| {
            format!("{alg:?}")
                .parse()
                .expect("the verifier knows every algorithm the harness signs with")
        })
        .collect()
}

fn verifier(settings: JwtSettings) -> Verifier {
    crate::runtime()
        .block_on(Verifier::new(settings, JwksOptions::default()))
        .expect("the harness's verifier settings are valid")
}

/// The key that signs with `alg`, and the kid its public half has in the JWKS.
fn signing_key(alg: Algorithm) -> Option<(&'static EncodingKey, Option<&'static str>)> {
    static HMAC: LazyLock<EncodingKey> =
        LazyLock::new(|| EncodingKey::from_secret(HMAC_SECRET.as_bytes()));
    static RSA: LazyLock<EncodingKey> = LazyLock::new(|| {
        EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes()).expect("the test RSA key")
    });
    static EC: LazyLock<EncodingKey> =
        LazyLock::new(|| EncodingKey::from_ec_pem(EC_PRIVATE.as_bytes()).expect("the test EC key"));
    match alg {
        Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512 => Some((&HMAC, None)),
        Algorithm::RS256 => Some((&RSA, Some(RSA_KID))),
        Algorithm::ES256 => Some((&EC, Some(EC_KID))),
        _ => None,
    }
}

/// The JOSE header the harness writes for `alg`: `alg`, `typ` and the key's `kid`.
pub(crate) fn canonical_header(alg: Algorithm) -> Vec<u8> {
    let mut header = Map::new();
    header.insert("alg".into(), format!("{alg:?}").into());
    header.insert("typ".into(), "JWT".into());
    if let Some((_, Some(kid))) = signing_key(alg) {
        header.insert("kid".into(), kid.into());
    }
    Value::Object(header).to_string().into_bytes()
}

/// A compact JWS over exactly these header and payload bytes, signed with the harness's key
/// for `alg` (whatever the header says); `None` for an algorithm it has no key for.
pub(crate) fn sign(header: &[u8], payload: &[u8], alg: Algorithm) -> Option<String> {
    let (key, _) = signing_key(alg)?;
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), key, alg).ok()?;
    Some(format!("{message}.{signature}"))
}

/// A token taken apart by the reference check.
pub(crate) struct Decoded {
    /// The JOSE header.
    pub(crate) header: Map<String, Value>,
    /// The claims.
    pub(crate) claims: Map<String, Value>,
}

/// The reference check of a token's form and signature: three base64url parts, a JSON
/// object header whose `alg` is one of `allowed`, a JSON object payload, and a signature that
/// one of the harness's keys for `alg` verifies. `None` when any of it fails.
pub(crate) fn decode_signed(token: &str, allowed: &[Algorithm]) -> Option<Decoded> {
    let mut parts = token.split('.');
    let (header64, payload64, signature64) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Map<String, Value> =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header64).ok()?).ok()?;
    let alg = Algorithm::from_str(header.get("alg")?.as_str()?).ok()?;
    if !allowed.contains(&alg) {
        return None;
    }
    let claims: Map<String, Value> =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload64).ok()?).ok()?;
    let signature = URL_SAFE_NO_PAD.decode(signature64).ok()?;
    let message = format!("{header64}.{payload64}");
    if !signature_verifies(message.as_bytes(), signature64, &signature, alg) {
        return None;
    }
    Some(Decoded { header, claims })
}

fn signature_verifies(message: &[u8], signature64: &str, signature: &[u8], alg: Algorithm) -> bool {
    use aws_lc_rs::hmac;
    static RSA: LazyLock<DecodingKey> = LazyLock::new(|| {
        DecodingKey::from_rsa_pem(RSA_PUBLIC.as_bytes()).expect("the test RSA public key")
    });
    static EC: LazyLock<DecodingKey> = LazyLock::new(|| {
        DecodingKey::from_ec_pem(EC_PUBLIC.as_bytes()).expect("the test EC public key")
    });
    let hmac_with = |algorithm| {
        let key = hmac::Key::new(algorithm, HMAC_SECRET.as_bytes());
        hmac::verify(&key, message, signature).is_ok()
    };
    match alg {
        Algorithm::HS256 => hmac_with(hmac::HMAC_SHA256),
        Algorithm::HS384 => hmac_with(hmac::HMAC_SHA384),
        Algorithm::HS512 => hmac_with(hmac::HMAC_SHA512),
        Algorithm::RS256 => {
            jsonwebtoken::crypto::verify(signature64, message, &RSA, alg).unwrap_or(false)
        }
        Algorithm::ES256 => {
            jsonwebtoken::crypto::verify(signature64, message, &EC, alg).unwrap_or(false)
        }
        _ => false,
    }
}

/// What the claims must satisfy at Unix time `now`.
pub(crate) struct ClaimRules<'a> {
    /// Seconds of clock skew tolerated.
    pub(crate) leeway: i64,
    /// Claims that must be present and not `null`.
    pub(crate) required: &'a [&'a str],
}

/// Seconds since the epoch.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// The reference check of the claims: `exp` required and in the future, `nbf` and `iat` not in
/// the future (each with the leeway; times in whole seconds, fractions toward the past),
/// `iss` the issuer, `aud` (a string or an array) naming the audience or, without `aud`,
/// `client_id` naming it, and the required claims present.
pub(crate) fn claims_valid(claims: &Map<String, Value>, now: i64, rules: &ClaimRules<'_>) -> bool {
    let time = |name: &str| -> Result<Option<i64>, ()> {
        match claims.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => Ok(Some(i)),
                (None, Some(_), _) => Ok(Some(i64::MAX)),
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "saturating, as NumericDate seconds need"
                )]
                (None, None, Some(f)) if f.is_finite() => Ok(Some(f.floor() as i64)),
                _ => Err(()),
            },
            Some(_) => Err(()),
        }
    };
    let limit = now.saturating_add(rules.leeway);
    let (Ok(Some(exp)), Ok(nbf), Ok(iat)) = (time("exp"), time("nbf"), time("iat")) else {
        return false;
    };
    if now >= exp.saturating_add(rules.leeway)
        || nbf.is_some_and(|t| t > limit)
        || iat.is_some_and(|t| t > limit)
    {
        return false;
    }
    if claims.get("iss").and_then(Value::as_str) != Some(ISSUER) {
        return false;
    }
    let audience_ok = match claims.get("aud") {
        Some(Value::String(aud)) => aud == AUDIENCE,
        Some(Value::Array(auds)) => auds.iter().any(|a| a.as_str() == Some(AUDIENCE)),
        None | Some(Value::Null) => {
            claims.get("client_id").and_then(Value::as_str) == Some(AUDIENCE)
        }
        Some(_) => false,
    };
    audience_ok
        && rules
            .required
            .iter()
            .all(|name| !matches!(claims.get(*name), None | Some(Value::Null)))
}
