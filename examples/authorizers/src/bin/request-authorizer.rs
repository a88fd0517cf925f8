//! The developer guide's REQUEST authorizer example ("EXAMPLE: Create a request-based Lambda
//! authorizer function"), in Rust: the request is authorized when the `headerauth1` header,
//! the `QueryString1` query parameter and the `StageVar1` stage variable are `headerValue1`,
//! `queryValue1` and `stageValue1`; otherwise the answer is `Unauthorized` (401).
//!
//! Configure the authorizer's identity sources as the guide does — header `headerauth1`, query
//! string `QueryString1`, stage variable `StageVar1` — so API Gateway refuses a request missing
//! one of them (401) without invoking the function, and caches the answer under their values.
//! As in the TOKEN example, the policy allows every method of the stage rather than only
//! `event.methodArn` (the guide's version), so the cached answer is right for the caller's
//! next route too.
//!
//! Try it: `cargo run -q -p example-authorizers --bin request-authorizer -- invoke --event
//! examples/authorizers/events/request-match.json`.

use authorizer::builder::PolicyBuilder;
use authorizer::event::AuthorizerEvent;
use authorizer::policy_engine::arn::MethodArn;
use authorizer::response::PolicyResponse;
use authorizer::{AuthorizerError, AuthorizerResponse};

async fn authorize(event: AuthorizerEvent) -> Result<AuthorizerResponse, AuthorizerError> {
    // Header names are case-insensitive (`header` matches `HeaderAuth1` too); query
    // parameters and stage variables are not.
    let matches = event.header("headerauth1") == Some("headerValue1")
        && event.query("QueryString1") == Some("queryValue1")
        && event.stage_variable("StageVar1") == Some("stageValue1");
    if !matches {
        return Err(AuthorizerError::unauthorized(
            "headerauth1, QueryString1 or StageVar1 does not match",
        ));
    }
    let arn = MethodArn::parse(event.method_arn())
        .map_err(|e| AuthorizerError::internal(e.to_string()))?;
    let policy = PolicyBuilder::for_api_of(&arn)
        .allow_all()
        .build()
        .map_err(|e| AuthorizerError::internal(e.to_string()))?;
    Ok(PolicyResponse::new("me", policy)
        .with_context("stringKey", "stringval")
        .with_context("numberKey", 123_i64)
        .with_context("booleanKey", true)
        .into())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    authorizer::lambda::run(authorize).await
}
