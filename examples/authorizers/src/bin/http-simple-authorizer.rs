//! An HTTP API authorizer with simple responses (payload format 2.0,
//! `EnableSimpleResponses: true`): API keys in the `x-api-key` header, each belonging to a
//! tenant. The answer is `{"isAuthorized": bool, "context": {...}}`; the backend reads the
//! tenant as `$context.authorizer.lambda.tenant`.
//!
//! The keys come from the environment at start-up — `API_KEYS="key1=tenant-a,key2=tenant-b"`
//! (in production, from a secret store) — and a missing or malformed `API_KEYS` stops the
//! function before it answers anything: fail closed, at init.
//!
//! - a known key: `isAuthorized: true` with the tenant in the context;
//! - an unknown key: `isAuthorized: false` (API Gateway answers 403);
//! - an event that is not payload 2.0: an error (500) — the authorizer is misconfigured.
//!
//! With caching on, API Gateway keys the cached answer by the identity source
//! (`$request.header.x-api-key`) and replays it for every route: a simple response is the
//! same for all routes, which is right here, since a key grants the whole API.
//!
//! Try it: `API_KEYS=k-123=acme cargo run -q -p example-authorizers --bin
//! http-simple-authorizer -- invoke --event examples/authorizers/events/http-v2-api-key.json`.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::sync::Arc;

use authorizer::event::{AuthorizerEvent, EventKind};
use authorizer::response::SimpleResponse;
use authorizer::{AuthorizerError, AuthorizerResponse};

/// API key → tenant.
type Keys = BTreeMap<String, String>;

/// Reads `API_KEYS` (`key=tenant` pairs separated by commas).
fn keys_from_env() -> Result<Keys, String> {
    let text = std::env::var("API_KEYS").map_err(|_| {
        "`API_KEYS` is not set: give `key=tenant` pairs separated by commas".to_owned()
    })?;
    let mut keys = Keys::new();
    for pair in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, tenant) = pair
            .split_once('=')
            .filter(|(k, t)| !k.is_empty() && !t.is_empty())
            .ok_or_else(|| format!("`API_KEYS` entry `{pair}` is not `key=tenant`"))?;
        keys.insert(key.to_owned(), tenant.to_owned());
    }
    if keys.is_empty() {
        return Err("`API_KEYS` names no key".to_owned());
    }
    Ok(keys)
}

async fn authorize(
    keys: &Keys,
    event: AuthorizerEvent,
) -> Result<AuthorizerResponse, AuthorizerError> {
    if event.kind() != EventKind::HttpV2 {
        return Err(AuthorizerError::internal(format!(
            "expected an HTTP API payload 2.0 event, got a {} event: set the authorizer's payload format version to 2.0",
            event.kind()
        )));
    }
    let tenant = event.header("x-api-key").and_then(|key| keys.get(key));
    Ok(match tenant {
        Some(tenant) => SimpleResponse::new(true).with_context("tenant", tenant.as_str()),
        None => SimpleResponse::new(false),
    }
    .into())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let keys = match keys_from_env() {
        Ok(keys) => Arc::new(keys),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    authorizer::lambda::run(move |event| {
        let keys = Arc::clone(&keys);
        async move { authorize(&keys, event).await }
    })
    .await
}
