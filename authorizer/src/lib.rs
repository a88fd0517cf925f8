//! # authorizer
//!
//! Amazon API Gateway Lambda authorizers in Rust. This release reserves the crate; the event
//! model, policy builder, JWT/JWKS validation and the rules file arrive with issue 3, on top of
//! [`policy_engine`]'s policy model.

pub use policy_engine;
