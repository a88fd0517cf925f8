//! # policy-engine
//!
//! Would Amazon API Gateway let this request through, and why? This crate answers exactly as
//! the gateway does, for a resource policy plus a caller's IAM identity policies (or, in later
//! releases, a Lambda authorizer's output), in the same account (Table A) or across accounts
//! (Table B), with `aws:SourceIp`, `aws:SourceVpce` and the other condition keys — and
//! explains every decision.
//!
//! The model, in the order a request meets it:
//! - [`policy::PolicyDocument`]: an IAM policy parsed and compiled once (strict: an invalid
//!   policy is an error naming the JSON path, never evaluated);
//! - [`arn::MethodArn`] and [`context::RequestContext`]: what the request is about and its
//!   condition-key values;
//! - [`eval`]: one policy's [`eval::PolicyOutcome`] (`Allow`, `ExplicitDeny`, `ImplicitDeny`)
//!   with a per-statement trace;
//! - [`decision`]: Tables A and B, and the gateway's final [`decision::Decision`];
//! - [`flow::Gateway`]: the whole request flow; [`scenario`]: scenario files, as run by
//!   `policy-sim test`; [`openapi`]: an API Gateway OpenAPI export read as an access setup
//!   (resource policy, authorizers, each method's authorization).
//! - [`lint`]: a static review of a resource policy against its API (`policy-sim lint`):
//!   statements that can never apply, principals the methods' authorization never supplies,
//!   condition keys the gateway never sets, the size quota.
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
