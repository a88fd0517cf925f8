//! # authorizer
//!
//! Amazon API Gateway Lambda authorizers in Rust, built on [`policy_engine`]'s policy model.
//!
//! An authorizer is a function from an **event** to a **response**, with **your decision** in
//! between:
//!
//! 1. **The event.** API Gateway calls the authorizer with a JSON event whose shape depends on
//!    the API: a REST API `TOKEN` event (the token and the method ARN only), a REST API
//!    `REQUEST` event, an HTTP API `REQUEST` event in payload format 1.0 or 2.0, or a
//!    WebSocket API's `$connect` event. [`event::AuthorizerEvent::from_json`] (or
//!    [`from_slice`](event::AuthorizerEvent::from_slice), or `serde`) reads any of them, and
//!    its accessors ([`token`](event::AuthorizerEvent::token),
//!    [`header`](event::AuthorizerEvent::header), [`query`](event::AuthorizerEvent::query),
//!    [`method_arn`](event::AuthorizerEvent::method_arn), ...) answer the same way whichever
//!    shape arrived.
//! 2. **Your decision.** Who is calling, and what may they do? Verify the caller's token with
//!    [`jwt::Verifier`] (HMAC secret, JWKS file or JWKS URI; it hands back the token's
//!    [`jwt::Claims`]) and decide in your own code, or let [`handler::RulesAuthorizer`] decide
//!    from a rules file ([`rules::Config`]): token location, JWT settings, and which routes
//!    each scope or claim grants — no Rust needed.
//! 3. **The response.** For every API type, an IAM policy: [`builder::PolicyBuilder`] writes
//!    it as method ARNs of the called API and stage. API Gateway **caches** the policy (per
//!    token, for the authorizer's TTL) and checks every later request of that caller against
//!    it, so grant every route the caller may use, not only the one being called — a policy
//!    naming only the first method would deny the caller's next, different request for the
//!    whole TTL. Wrap it in a [`response::PolicyResponse`] (with `principalId` and a context
//!    map), an [`AuthorizerResponse::Policy`]; HTTP API payload 2.0 may instead answer with
//!    the simple `{"isAuthorized": ...}` response, [`response::SimpleResponse`].
//!    [`AuthorizerResponse::validate`] checks API Gateway's limits before it leaves. What the
//!    client then sees: a policy that allows the method lets the request through; one that
//!    does not gives 403; the error [`AuthorizerError::Unauthorized`] gives 401; any other
//!    error ([`AuthorizerError::Internal`], a panic, an invalid response) gives 500 — never an
//!    allow.
//!
//! ```
//! use authorizer::builder::PolicyBuilder;
//! use authorizer::event::AuthorizerEvent;
//! use authorizer::policy_engine::arn::MethodArn;
//! use authorizer::response::PolicyResponse;
//! use authorizer::{AuthorizerError, AuthorizerResponse};
//! use serde_json::json;
//!
//! /// The decision: a real authorizer verifies a JWT here (see `jwt::Verifier`).
//! fn decide(event: &AuthorizerEvent) -> Result<AuthorizerResponse, AuthorizerError> {
//!     let user = match event.token() {
//!         Some("Bearer token-of-alice") => "alice",
//!         _ => return Err(AuthorizerError::unauthorized("unknown token")),
//!     };
//!     // Every route alice may call, on the API and stage of the called method.
//!     let arn = MethodArn::parse(event.method_arn())
//!         .map_err(|e| AuthorizerError::internal(e.to_string()))?;
//!     let policy = PolicyBuilder::for_api_of(&arn)
//!         .allow("GET", "/pets")
//!         .allow("GET", "/pets/*")
//!         .build()
//!         .map_err(|e| AuthorizerError::internal(e.to_string()))?;
//!     let response: AuthorizerResponse =
//!         PolicyResponse::new(user, policy).with_context("user", user).into();
//!     response.validate()?;
//!     Ok(response)
//! }
//!
//! // The event API Gateway sends a REST API TOKEN authorizer.
//! let event = AuthorizerEvent::from_slice(br#"{
//!     "type": "TOKEN",
//!     "authorizationToken": "Bearer token-of-alice",
//!     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"
//! }"#)?;
//! let response = decide(&event)?;
//! assert_eq!(
//!     response.to_json(),
//!     json!({
//!         "principalId": "alice",
//!         "policyDocument": {
//!             "Version": "2012-10-17",
//!             "Statement": [{
//!                 "Effect": "Allow",
//!                 "Action": "execute-api:Invoke",
//!                 "Resource": [
//!                     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
//!                     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/*"
//!                 ]
//!             }]
//!         },
//!         "context": {"user": "alice"}
//!     })
//! );
//!
//! // A bad token is the error whose message API Gateway turns into 401.
//! let stranger = AuthorizerEvent::from_slice(br#"{
//!     "type": "TOKEN",
//!     "authorizationToken": "Bearer forged",
//!     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"
//! }"#)?;
//! let refused = decide(&stranger).unwrap_err();
//! assert!(refused.is_unauthorized());
//! assert_eq!(refused.to_string(), "Unauthorized");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Where to start
//!
//! - **Your own decision in Rust:** read the event with [`event::AuthorizerEvent`], verify
//!   the token with [`jwt::Verifier`], build the policy with [`builder::PolicyBuilder`] and
//!   answer an [`AuthorizerResponse`] or an [`AuthorizerError`], as above. To deploy it, run
//!   the handler under the Lambda runtime with [`lambda::run`] (feature `lambda`), which wires
//!   the 401/500 answers and also gives it a local `invoke` mode.
//! - **No code at all:** write a rules file ([`rules::Config`]) and deploy the crate's
//!   `authorizer` binary (the `bin` feature); [`handler::RulesAuthorizer`] is the same
//!   handler as a library, for tests or a custom main.
//! - **Just the policy:** [`builder`] (with [`builder::route_resource`] for single ARNs), and
//!   [`response`] for the shapes API Gateway accepts and their limits.
//! - **Robustness:** [`boundary::contain_panics`] turns a panic in your handler into a 500
//!   instead of a lost invocation.
//! - **Testing offline:** the `apigw-authz` package's `policy-sim` runs a rules file or any
//!   authorizer's responses through a simulated API Gateway, resource policy and cache
//!   included.
//!
//! ## Modules
//!
//! - [`event`]: the typed events of every API type, read from the JSON API Gateway sends;
//! - [`jwt`]: JWT validation with an HMAC secret, a JWKS file or a cached JWKS URI;
//! - [`rules`]: the rules file, parsed and validated once at init;
//! - [`handler`]: the rules-file authorizer, event in, response out;
//! - [`builder`]: the policy an authorizer returns, as method ARNs of the called API and stage
//!   (cache-safe: grant every route the caller may use, not just the one being called);
//! - [`response`]: the IAM-policy and simple responses, checked against API Gateway's limits,
//!   and [`response::AuthorizerError`], whose `Unauthorized` case API Gateway turns into 401;
//! - [`boundary`]: a panic in a handler becomes a 500, never an allow;
//! - [`lambda`] (feature `lambda`): run your handler as a Lambda function, or locally on an
//!   event file, with those conventions built in.

pub mod boundary;
pub mod builder;
pub mod event;
pub mod handler;
pub mod jwt;
#[cfg(feature = "lambda")]
pub mod lambda;
pub mod response;
pub mod rules;

/// The policy model the responses are made of ([`policy_engine::PolicyDocument`],
/// [`policy_engine::arn::MethodArn`]), re-exported so that users of this crate name the same
/// version of it.
///
/// ```
/// use authorizer::policy_engine::arn::MethodArn;
///
/// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
/// assert_eq!(arn.stage(), "prod");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub use policy_engine;
pub use response::{AuthorizerError, AuthorizerResponse};

/// The README's examples, compiled and run as doctests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
