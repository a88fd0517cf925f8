//! Signs example tokens for the rules-file authorizer of `examples/authorizer/` (RS256, kid
//! `example-key-1`, issuer `https://idp.example.com/`, audience `api://pets`) with the
//! **test-only** private key `examples/authorizer/test-only-rsa-private.pem`, whose public half
//! is `examples/authorizer/jwks.json`. The key is published in this repository: it protects
//! nothing, so never put its JWKS in front of a real API.
//!
//! ```sh
//! # A TOKEN event for alice with pets:read, straight into the authorizer:
//! cargo run -q -p example-authorizers --bin sign-token -- --sub alice --scope pets:read --event \
//!   | cargo run -q -p authorizer -- invoke --config examples/authorizer/rules.json
//! # Just the token (for curl against a deployed API, or a scenario file):
//! cargo run -q -p example-authorizers --bin sign-token -- --sub bob --scope "pets:read pets:write"
//! ```

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Parser;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Map, Value, json};

/// Sign an example RS256 token (test-only key) for examples/authorizer/rules.json.
#[derive(Parser)]
#[command(name = "sign-token")]
struct Args {
    /// `sub`: the caller (the authorizer's principalId).
    #[arg(long, default_value = "alice")]
    sub: String,
    /// `scope`: space-separated scopes (`pets:read`, `pets:write`).
    #[arg(long, default_value = "pets:read")]
    scope: String,
    /// `tenant_id` (the context's `tenant`).
    #[arg(long, default_value = "acme")]
    tenant: String,
    /// `cognito:groups`, repeatable (`admin` opens `/admin/*`).
    #[arg(long = "group")]
    groups: Vec<String>,
    /// Seconds until `exp`; negative for an expired token.
    #[arg(long, default_value_t = 3600, allow_negative_numbers = true)]
    expires_in: i64,
    /// Print a TOKEN authorizer event carrying the token instead of the token alone.
    #[arg(long)]
    event: bool,
    /// The event's method ARN (with `--event`).
    #[arg(
        long,
        default_value = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"
    )]
    method_arn: String,
    /// The private key (PEM).
    #[arg(long, default_value = "examples/authorizer/test-only-rsa-private.pem")]
    key: PathBuf,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match sign(&args) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn sign(args: &Args) -> Result<String, String> {
    let pem = std::fs::read(&args.key).map_err(|e| {
        format!(
            "cannot read `{}`: {e} (run from the repository root, or pass --key)",
            args.key.display()
        )
    })?;
    let key = EncodingKey::from_rsa_pem(&pem).map_err(|e| {
        format!(
            "`{}` is not an RSA private key in PEM: {e}",
            args.key.display()
        )
    })?;
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?
        .as_secs();
    let now = i64::try_from(now).map_err(|e| e.to_string())?;
    let mut claims = Map::new();
    claims.insert("iss".into(), json!("https://idp.example.com/"));
    claims.insert("aud".into(), json!("api://pets"));
    claims.insert("sub".into(), json!(args.sub));
    claims.insert("scope".into(), json!(args.scope));
    claims.insert("tenant_id".into(), json!(args.tenant));
    claims.insert("iat".into(), json!(now));
    claims.insert("exp".into(), json!(now.saturating_add(args.expires_in)));
    if !args.groups.is_empty() {
        claims.insert("cognito:groups".into(), json!(args.groups));
    }
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("example-key-1".to_owned());
    let token = encode(&header, &Value::Object(claims), &key).map_err(|e| e.to_string())?;
    if !args.event {
        return Ok(token);
    }
    let event = json!({
        "type": "TOKEN",
        "authorizationToken": format!("Bearer {token}"),
        "methodArn": args.method_arn,
    });
    serde_json::to_string_pretty(&event).map_err(|e| e.to_string())
}
