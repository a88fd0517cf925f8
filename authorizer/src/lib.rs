//! # authorizer
//!
//! Amazon API Gateway Lambda authorizers in Rust, built on [`policy_engine`]'s policy model:
//! - [`builder`]: the policy an authorizer returns, as method ARNs of the called API and stage
//!   (cache-safe: grant every route the caller may use, not just the one being called);
//! - [`response`]: the IAM-policy and simple responses, checked against API Gateway's limits,
//!   and [`response::AuthorizerError`], whose `Unauthorized` case API Gateway turns into 401;
//! - [`boundary`]: a panic in a handler becomes a 500, never an allow;
//! - `lambda` (feature `lambda`): run your handler as a Lambda function, or locally on an
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

pub use policy_engine;
pub use response::{AuthorizerError, AuthorizerResponse};

/// The README's examples, compiled and run as doctests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
