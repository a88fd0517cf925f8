//! # policy-engine
//!
//! Would Amazon API Gateway let this request through, and why? This crate answers exactly as
//! the gateway does — for a resource policy combined with a caller's IAM identity policies or
//! a Lambda authorizer's answer, in the same account (Table A) or across accounts (Table B),
//! with `aws:SourceIp`, `aws:SourceVpce` and the other condition keys — and explains every
//! decision.
//!
//! ## Where to start
//!
//! - [`policy::PolicyDocument`] with [`eval::EvalRequest`]: evaluate one policy against one
//!   request, with a per-statement explanation (the first example below).
//! - [`flow::Gateway`]: decide a whole request as the gateway does — resource policy,
//!   `AWS_IAM` or a Lambda authorizer — with [`flow::Gateway::handle`] or
//!   [`flow::Gateway::handle_with_authorizer`] (the second example).
//! - [`lambda::LambdaSetup`]: the gateway's side of a Lambda authorizer (identity sources,
//!   result cache, event, reading the response) around a
//!   [`function::AuthorizerFunction`] standing in for your function.
//! - [`scenario::run_paths`]: run scenario files — what `policy-sim test` runs — from
//!   `cargo test`.
//! - [`lint::lint_resource_policy`] and [`openapi::parse`]: review a resource policy, or a
//!   whole OpenAPI export, before deploying it.
//!
//! ## The model, in the order a request meets it
//!
//! 1. **A policy** is IAM JSON. [`policy::PolicyDocument`] parses and compiles it once:
//!    [`PolicyDocument::parse_resource_policy`] for an API's resource policy (given the API's
//!    [`arn::ApiRef`], so abbreviated `execute-api:/...` resources expand),
//!    [`PolicyDocument::parse_identity_policy`] for a caller's IAM policy or the policy a
//!    Lambda authorizer returns. Parsing is strict: an invalid policy is a [`PolicyError`]
//!    naming the JSON path, never evaluated.
//! 2. **A request** is evaluated against it: an [`eval::EvalRequest`] names the action, the
//!    method ARN ([`arn::MethodArn`]), the caller ([`principal::Caller`]), the API owner's
//!    account and the condition-key values ([`context::RequestContext`]).
//! 3. **One policy's outcome**: [`PolicyDocument::evaluate`] gives an [`eval::PolicyOutcome`]
//!    — `Allow`, `ExplicitDeny`, or `ImplicitDeny` (the tables' "Neither Allow nor Deny");
//!    [`PolicyDocument::explain`] adds the per-statement trace ([`eval::PolicyTrace`]): for
//!    each statement whether its action, resource, principal and conditions matched, and the
//!    request value each condition compared.
//! 4. **Layers combined**: [`decision::combine`] applies Table A (caller, or authorizer, in
//!    the API owner's account: either layer may allow) or Table B (another account: both
//!    must allow) to the identity side — IAM policies or the authorizer's policy — and the
//!    resource policy; an explicit deny always wins. The row used is a [`decision::TableRow`].
//! 5. **The gateway's answer**: a [`decision::Decision`] — the HTTP status, the
//!    [`decision::GatewayResponse`] of a refusal (`ACCESS_DENIED`, `UNAUTHORIZED`,
//!    `AUTHORIZER_FAILURE`, ...), the combined outcome, the table row, the authorizer's
//!    `principalId` and context as the backend sees them, and every step with its reason.
//!
//! [`flow::Gateway`] runs that whole flow for one API and an [`flow::ApiRequest`]: it builds
//! the method ARN and the request context from the request, then by the method's
//! [`flow::Authorization`]:
//! - `NONE`: the resource policy alone decides (and must explicitly allow);
//! - `AWS_IAM`: an unsigned request is 403; otherwise the caller's IAM policies and the
//!   resource policy are combined by Table A or B;
//! - a Lambda authorizer: the resource policy is evaluated first, for explicit denies only —
//!   a deny is 403 before any authorizer runs; then the identity sources (one missing: 401
//!   without invoking the function, unless a REST REQUEST authorizer does not cache), the
//!   authorizer-result cache ([`cache::AuthorizerCache`]: a cached policy is evaluated again
//!   against each new method ARN), and the Lambda authorizer's answer
//!   ([`flow::AuthorizerAnswer`]: `Unauthorized` is 401, a failure or malformed response
//!   500, a policy is combined with the resource policy by Table A or B). The identity
//!   sources and the cache are [`lambda::LambdaSetup::call`]'s part; the flow takes its
//!   answer through a callback, so you can also supply the answer yourself.
//!
//! Every entry point comes twice: `handle*` returns the decision with its explanation
//! ([`decision::Decision::explanation`]); `decide*` formats nothing — the call for deciding
//! many requests — and gives the same decision.
//!
//! Around the flow:
//! - [`scenario`]: scenario files — an API's setup and requests with the outcome each must
//!   get, the contract of `policy-sim test` — parsed, run (one authorizer cache per file) and
//!   reported as text, JSON or JUnit XML;
//! - [`openapi`]: an API Gateway OpenAPI export read as an access setup (resource policy,
//!   authorizers, each method's authorization);
//! - [`lint`]: a static review of a resource policy against its API (`policy-sim lint`):
//!   statements that can never apply, principals the methods' authorization never supplies,
//!   condition keys the gateway never sets, the size quota — and, in [`lint::setup`], the
//!   authorizer's cache settings and result size.
//!
//! ## Examples
//!
//! One policy, evaluated and explained:
//!
//! ```
//! use policy_engine::arn::{ApiRef, MethodArn};
//! use policy_engine::context::RequestContext;
//! use policy_engine::eval::{EvalRequest, PolicyOutcome, INVOKE_ACTION};
//! use policy_engine::policy::PolicyDocument;
//! use policy_engine::principal::Caller;
//!
//! let api = ApiRef {
//!     partition: "aws".into(),
//!     region: "us-east-2".into(),
//!     account_id: "123456789012".into(),
//!     api_id: "aabbccddee".into(),
//! };
//! let policy = PolicyDocument::parse_resource_policy(r#"{
//!     "Version": "2012-10-17",
//!     "Statement": [{
//!         "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
//!         "Resource": "execute-api:/*",
//!         "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}
//!     }]
//! }"#, &api)?;
//!
//! let arn = MethodArn::for_method(&api, "prod", "GET", "/pets");
//! let mut context = RequestContext::new();
//! context.set("aws:SourceIp", "192.0.2.7")?;
//! let request = EvalRequest {
//!     action: INVOKE_ACTION,
//!     resource: arn.as_str(),
//!     caller: &Caller::Anonymous,
//!     owner_account: &api.account_id,
//!     context: &context,
//! };
//! assert_eq!(policy.evaluate(&request).outcome, PolicyOutcome::Allow);
//!
//! let mut elsewhere = RequestContext::new();
//! elsewhere.set("aws:SourceIp", "203.0.113.9")?;
//! let request = EvalRequest { context: &elsewhere, ..request };
//! let trace = policy.explain(&request);
//! assert_eq!(trace.outcome, PolicyOutcome::ImplicitDeny);
//! println!("{trace}"); // names the condition that failed and the request value it saw
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! One request through the gateway, with a Lambda authorizer's answer:
//!
//! ```
//! use std::sync::Arc;
//! use policy_engine::arn::ApiRef;
//! use policy_engine::decision::Table;
//! use policy_engine::eval::PolicyOutcome;
//! use policy_engine::flow::{
//!     AnswerSource, Api, ApiRequest, ApiType, Authorization, AuthorizerAnswer, AuthorizerCall,
//!     EndpointType, Gateway,
//! };
//! use policy_engine::lambda::PayloadFormat;
//! use policy_engine::policy::PolicyDocument;
//!
//! let api_ref = ApiRef {
//!     partition: "aws".into(),
//!     region: "us-east-1".into(),
//!     account_id: "123456789012".into(),
//!     api_id: "a1b2c3d4e5".into(),
//! };
//! // The resource policy refuses one network outright.
//! let resource_policy = PolicyDocument::parse_resource_policy(r#"{
//!     "Version": "2012-10-17",
//!     "Statement": [{
//!         "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
//!         "Resource": "execute-api:/*",
//!         "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}
//!     }]
//! }"#, &api_ref)?;
//! let gateway = Gateway {
//!     api: Api {
//!         api_type: ApiType::Rest,
//!         api_ref,
//!         stage: "prod".into(),
//!         endpoint: EndpointType::Regional,
//!     },
//!     resource_policy: Some(resource_policy),
//!     // A REST Lambda authorizer in the API owner's account: Table A.
//!     authorization: Authorization::Lambda {
//!         account: "123456789012".into(),
//!         format: PayloadFormat::Rest,
//!     },
//! };
//! // What the authorizer answered for this caller's token.
//! let answer = Arc::new(AuthorizerAnswer::Policy {
//!     principal_id: "alice".into(),
//!     policy: PolicyDocument::parse_identity_policy(r#"{
//!         "Version": "2012-10-17",
//!         "Statement": [{
//!             "Effect": "Allow", "Action": "execute-api:Invoke",
//!             "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/*"
//!         }]
//!     }"#)?,
//!     context: serde_json::from_str(r#"{"tier": "gold"}"#)?,
//! });
//! let request = ApiRequest {
//!     method: "GET".into(),
//!     path: "/pets/42".into(),
//!     headers: vec![("Authorization".into(), "Bearer tok-alice".into())],
//!     source_ip: Some("192.0.2.10".parse()?),
//!     ..ApiRequest::default()
//! };
//! let now = 1_767_225_600; // 2026-01-01T00:00:00Z
//! let decision = gateway.handle_with_authorizer(&request, now, &mut || AuthorizerCall {
//!     answer: Arc::clone(&answer),
//!     source: AnswerSource::Invoked,
//! })?;
//! assert_eq!(decision.status, 200);
//! assert_eq!(decision.outcome, PolicyOutcome::Allow);
//! // Authorizer Allow × resource policy "Neither Allow nor Deny" → Allow (Table A, row 2).
//! let row = decision.table_row.expect("two layers were combined");
//! assert_eq!((row.table, row.row), (Table::A, 2));
//! assert_eq!(decision.principal_id.as_deref(), Some("alice"));
//! assert_eq!(decision.context["tier"], "gold"); // $context.authorizer.tier
//! println!("{decision}\n{}", decision.explanation());
//!
//! // From the denied network, the resource policy refuses before the authorizer is called.
//! let blocked = ApiRequest { source_ip: Some("203.0.113.9".parse()?), ..request };
//! let decision = gateway.decide_with_authorizer(&blocked, now, &mut || {
//!     panic!("the authorizer is not called after an explicit deny")
//! })?;
//! assert_eq!((decision.status, decision.outcome), (403, PolicyOutcome::ExplicitDeny));
//! assert!(!decision.authorizer_invoked);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod arn;
pub mod cache;
pub mod condition;
pub mod context;
pub mod decision;
pub mod error;
pub mod eval;
pub mod flow;
pub mod function;
pub mod glob;
pub mod json;
pub mod lambda;
pub mod lint;
pub mod openapi;
pub mod policy;
pub mod principal;
pub mod scenario;
pub mod time;

pub use decision::{Decision, Table, TableRow};
pub use error::{PolicyError, PolicyErrorKind};
pub use eval::{EvalRequest, PolicyOutcome, PolicyTrace};
pub use policy::{PolicyDocument, PolicyKind};

/// The README's examples, compiled and run as doctests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
