//! The `jwt` target: the token verifier of the authorizer, with an HMAC secret and with a JWKS
//! file.
//!
//! Input without a NUL byte: the bytes are the token. Input `S HEADER \0 CLAIMS`: the harness
//! signs a token over exactly the `HEADER` and `CLAIMS` bytes with its key for the algorithm
//! selector `S` picks (mostly HS256, then HS384, HS512, ES256 and rarely RS256, whose signing
//! is slow), with the usual header when `HEADER` is empty, so the claim checks are reached.
//!
//! Invariants: a verifier accepts a token only when the harness's reference check (`keys.rs`:
//! the signature checked without the verifier's code, the claims by the contract) finds it
//! signed by one of its keys with an allowed algorithm and its claims valid, and returns
//! exactly its claims; every rejection is a token problem (401), never a 500-class error; and
//! with the usual header, a token whose claims the reference finds valid is accepted by the
//! verifier of its key.

use authorizer::jwt::{MAX_TOKEN_BYTES, Verifier};
use jsonwebtoken::{Algorithm, AlgorithmFamily};
use serde_json::{Map, Value};

use crate::keys::{self, ClaimRules};

/// Runs one input; see [the module](mod@crate::jwt) for its format and invariants.
pub fn jwt(data: &[u8]) {
    match crate::split_nul(data) {
        None => {
            if let Ok(token) = std::str::from_utf8(data) {
                verify_everywhere(token);
            }
        }
        Some((head, claims)) => signed(head, claims),
    }
}

/// A verifier with what the reference needs to judge it.
struct Side {
    verifier: &'static Verifier,
    allowed: &'static [Algorithm],
    rules: ClaimRules<'static>,
}

fn sides() -> [Side; 2] {
    [
        Side {
            verifier: keys::hmac_verifier(),
            allowed: &keys::HMAC_ALGORITHMS,
            rules: ClaimRules {
                leeway: keys::HMAC_LEEWAY,
                required: &keys::HMAC_REQUIRED,
            },
        },
        Side {
            verifier: keys::jwks_verifier(),
            allowed: &keys::JWKS_ALGORITHMS,
            rules: ClaimRules {
                leeway: 0,
                required: &[],
            },
        },
    ]
}

/// What one verifier did, and the clock around it.
struct Verdict {
    accepted: bool,
    before: i64,
    after: i64,
}

/// Verifies `token` with both verifiers, checking each answer against the reference.
fn verify_everywhere(token: &str) -> [Verdict; 2] {
    sides().map(|side| {
        let before = keys::now();
        let result = crate::runtime().block_on(side.verifier.verify(token));
        let after = keys::now();
        match &result {
            Ok(claims) => {
                let decoded = keys::decode_signed(token, side.allowed).unwrap_or_else(|| {
                    panic!("fail-open: a verifier accepted a token that is not signed by its keys with an allowed algorithm: {token:?}")
                });
                assert_eq!(
                    claims.as_map(),
                    &decoded.claims,
                    "the verifier returned other claims than the token's"
                );
                assert!(
                    keys::claims_valid(&decoded.claims, before, &side.rules)
                        || keys::claims_valid(&decoded.claims, after, &side.rules),
                    "fail-open: a verifier accepted invalid claims: {:?} (header {:?})",
                    decoded.claims,
                    decoded.header
                );
                // The accessors the handler and custom decision functions use.
                let _ = (claims.scopes(), claims.subject(), claims.string("tenant_id"));
            }
            Err(e) => {
                assert!(
                    e.is_unauthorized(),
                    "a bad token must be a token problem (401), not `{e}`"
                );
                let _ = e.to_string();
            }
        }
        Verdict {
            accepted: result.is_ok(),
            before,
            after,
        }
    })
}

/// The structured mode: a token the harness signs.
fn signed(head: &[u8], claims: &[u8]) {
    let (selector, header) = head.split_first().map_or((0, &[][..]), |(s, h)| (*s, h));
    let alg = match selector & 0x0f {
        0..=9 => Algorithm::HS256,
        10 => Algorithm::HS384,
        11 => Algorithm::HS512,
        12..=14 => Algorithm::ES256,
        _ => Algorithm::RS256,
    };
    let usual = header.is_empty();
    let header = if usual {
        keys::canonical_header(alg)
    } else {
        header.to_vec()
    };
    let Some(token) = keys::sign(&header, claims, alg) else {
        return;
    };
    let verdicts = verify_everywhere(&token);
    if !usual || token.len() > MAX_TOKEN_BYTES {
        return;
    }
    // The verifier of the key that signed it must accept valid claims (no fail-closed bug
    // hiding the claim checks from the fuzzer, either).
    let [hmac, jwks] = verdicts;
    let [hmac_side, jwks_side] = sides();
    let (side, verdict) = match alg.family() {
        AlgorithmFamily::Hmac => (hmac_side, hmac),
        _ => (jwks_side, jwks),
    };
    let Ok(map) = serde_json::from_slice::<Map<String, Value>>(claims) else {
        return;
    };
    let rules = &side.rules;
    if keys::claims_valid(&map, verdict.before, rules)
        && keys::claims_valid(&map, verdict.after, rules)
    {
        assert!(
            verdict.accepted,
            "a correctly signed {alg:?} token with valid claims was refused: {}",
            String::from_utf8_lossy(claims)
        );
    }
}
