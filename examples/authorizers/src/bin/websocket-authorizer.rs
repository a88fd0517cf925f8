//! A WebSocket API `$connect` authorizer: browsers cannot set headers on a WebSocket, so the
//! client passes a JWT in the query string (`wss://…/prod?token=eyJ…`), and the authorizer's
//! identity source is `route.request.querystring.token`. The token is verified with the
//! crate's [`authorizer::jwt::Verifier`] (HS256, the secret from `JWT_SECRET`, at least 32
//! bytes; issuer `https://idp.example.com/`, audience `wss://chat`, `exp` required).
//!
//! - a valid token: a policy allowing `$connect`, with `sub` as the principal and the
//!   `room` claim in the context (the `$connect` integration and later routes read it as
//!   `$context.authorizer.room`);
//! - a missing, malformed, expired or wrongly signed token: `Unauthorized` (401);
//! - a bad `JWT_SECRET`: the function stops at start-up.
//!
//! WebSocket APIs authorize `$connect` only, and do not cache authorizer results.
//!
//! Try it: `JWT_SECRET=example-only-secret-do-not-deploy-0123456789 cargo run -q -p
//! example-authorizers --bin websocket-authorizer -- invoke --event
//! examples/authorizers/events/websocket-connect.json` (the event's token is signed with that
//! example secret and expires in 2100).

use std::process::ExitCode;
use std::sync::Arc;

use authorizer::builder::PolicyBuilder;
use authorizer::event::AuthorizerEvent;
use authorizer::jwt::{Algorithm, JwksOptions, JwtSettings, KeySource, Verifier};
use authorizer::policy_engine::arn::MethodArn;
use authorizer::response::PolicyResponse;
use authorizer::{AuthorizerError, AuthorizerResponse};

async fn verifier_from_env() -> Result<Verifier, String> {
    let secret = std::env::var("JWT_SECRET").map_err(|_| "`JWT_SECRET` is not set".to_owned())?;
    let settings = JwtSettings {
        issuer: "https://idp.example.com/".to_owned(),
        audiences: vec!["wss://chat".to_owned()],
        keys: KeySource::HmacSecret(secret.into_bytes()),
        algorithms: vec![Algorithm::HS256],
        leeway_seconds: 30,
        required_claims: vec!["sub".to_owned()],
    };
    Verifier::new(settings, JwksOptions::default())
        .await
        .map_err(|e| e.to_string())
}

async fn authorize(
    verifier: &Verifier,
    event: AuthorizerEvent,
) -> Result<AuthorizerResponse, AuthorizerError> {
    let token = event
        .query("token")
        .ok_or_else(|| AuthorizerError::unauthorized("no `token` query parameter"))?;
    // Token problems are `Unauthorized` (401); anything else (a bug, a bad key) is a 500.
    let claims = verifier.verify(token).await.map_err(|e| {
        if e.is_unauthorized() {
            AuthorizerError::unauthorized(e.to_string())
        } else {
            AuthorizerError::internal(e.to_string())
        }
    })?;
    let principal = claims
        .subject()
        .ok_or_else(|| AuthorizerError::unauthorized("no `sub` claim"))?
        .to_owned();
    let arn = MethodArn::parse(event.method_arn())
        .map_err(|e| AuthorizerError::internal(e.to_string()))?;
    let policy = PolicyBuilder::for_api_of(&arn)
        .allow_route_key("$connect")
        .build()
        .map_err(|e| AuthorizerError::internal(e.to_string()))?;
    let mut response = PolicyResponse::new(principal, policy);
    if let Some(room) = claims.string("room") {
        response = response.with_context("room", room);
    }
    Ok(response.into())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let verifier = match verifier_from_env().await {
        Ok(v) => Arc::new(v),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    authorizer::lambda::run(move |event| {
        let verifier = Arc::clone(&verifier);
        async move { authorize(&verifier, event).await }
    })
    .await
}
