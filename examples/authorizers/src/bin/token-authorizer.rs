//! The developer guide's TOKEN authorizer example ("EXAMPLE: Create a token-based Lambda
//! authorizer function"), in Rust. The token decides:
//!
//! | `authorizationToken` | answer | API Gateway |
//! |---|---|---|
//! | `allow` | a policy allowing the API's stage | 200 (the request goes on) |
//! | `deny` | a policy denying the API | 403 |
//! | `unauthorized` or empty | the `Unauthorized` error | 401 |
//! | anything else | another error | 500 |
//!
//! One change from the guide's Node.js and Python versions: they allow only `event.methodArn`,
//! the method being called. API Gateway caches the policy (300 s by default) under the token
//! and evaluates it against the caller's *next* method too, which it does not name: the second
//! route answers 403 from the cache. This version allows every method of the stage, which is
//! what `allow` means here (`policy-sim lint` flags the guide's version as
//! `cache-first-method-trap`).
//!
//! Try it: `cargo run -q -p example-authorizers --bin token-authorizer -- invoke --event
//! examples/authorizers/events/token-allow.json`. Deploy: build for `provided.al2023`
//! (`cargo lambda build --release --arm64 -p example-authorizers --bin token-authorizer`) and
//! configure a TOKEN authorizer whose token source is the `Authorization` header.

use authorizer::builder::PolicyBuilder;
use authorizer::event::AuthorizerEvent;
use authorizer::policy_engine::arn::MethodArn;
use authorizer::response::PolicyResponse;
use authorizer::{AuthorizerError, AuthorizerResponse};

async fn authorize(event: AuthorizerEvent) -> Result<AuthorizerResponse, AuthorizerError> {
    // Only a TOKEN authorizer sends `authorizationToken`; any other event means the authorizer
    // is configured with the wrong type: an error (500), never a guess.
    let token = event.token().ok_or_else(|| {
        AuthorizerError::internal(format!(
            "expected a TOKEN event, got a {} event",
            event.kind()
        ))
    })?;
    // The policy speaks of the API and stage that sent the event.
    let arn = MethodArn::parse(event.method_arn())
        .map_err(|e| AuthorizerError::internal(e.to_string()))?;
    let policy = match token {
        "allow" => PolicyBuilder::for_api_of(&arn).allow_all(),
        "deny" => PolicyBuilder::for_api_of(&arn).deny_all(),
        // Exactly `Unauthorized` reaches Lambda as the error message: API Gateway answers 401.
        "unauthorized" | "" => return Err(AuthorizerError::unauthorized("the token says so")),
        // Any other error message is a 500 ("Invalid token" in the guide).
        _ => return Err(AuthorizerError::internal("invalid token")),
    };
    let policy = policy
        .build()
        .map_err(|e| AuthorizerError::internal(e.to_string()))?;
    // The guide's context: the backend reads them as `$context.authorizer.stringKey` etc.
    Ok(PolicyResponse::new("user", policy)
        .with_context("stringKey", "stringval")
        .with_context("numberKey", 123_i64)
        .with_context("booleanKey", true)
        .into())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    authorizer::lambda::run(authorize).await
}
