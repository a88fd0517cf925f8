//! `apigw-authz`: the package that joins the two crates. It holds the `policy-sim` binary and
//! the one thing neither crate can do alone — run the rules-file authorizer of the
//! `authorizer` crate inside the gateway simulation of `policy-engine`, so a scenario can test
//! the exact authorizer a team deploys, with real signed tokens, against its resource policy:
//!
//! ```json
//! "auth": { "type": "LAMBDA_TOKEN", "rules": "authorizer.json", "ttlSeconds": 300 }
//! ```
//!
//! ```no_run
//! let report = apigw_authz::run_paths(&["tests/scenarios"]).unwrap();
//! assert!(report.all_passed(), "{report}");
//! ```

use std::path::Path;
use std::sync::Arc;

use authorizer::event::AuthorizerEvent;
use authorizer::handler::RulesAuthorizer;
use authorizer::rules::Config;
use policy_engine::function::{AuthorizerFunction, FunctionResult};
use policy_engine::scenario::{self, Options, RunReport, Scenario, ScenarioError};
use serde_json::Value;

pub mod check;
pub mod lint;
mod openapi;

pub use authorizer;
pub use policy_engine;

/// The rules-file authorizer as a simulated Lambda function: the same handler the deployed
/// binary runs, driven by a single-threaded runtime.
pub struct RulesFunction {
    file: String,
    authorizer: RulesAuthorizer,
    runtime: tokio::runtime::Runtime,
}

impl std::fmt::Debug for RulesFunction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RulesFunction")
            .field("file", &self.file)
            .finish_non_exhaustive()
    }
}

impl RulesFunction {
    /// Load and validate a rules file and its keys (a `jwksFile` beside it, an HMAC secret
    /// from the environment, or a `jwksUri` fetched now), as the Lambda does at init.
    pub fn load(path: &Path) -> Result<Self, String> {
        let config = Config::load(path).map_err(|e| e.to_string())?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the runtime for the rules authorizer: {e}"))?;
        let authorizer = runtime
            .block_on(RulesAuthorizer::new(config))
            .map_err(|e| {
                format!(
                    "the rules authorizer `{}` cannot start: {e}",
                    path.display()
                )
            })?;
        Ok(Self {
            file: path.display().to_string(),
            authorizer,
            runtime,
        })
    }
}

impl AuthorizerFunction for RulesFunction {
    fn invoke(&self, _identity: &str, event: &Value) -> FunctionResult {
        let event = match AuthorizerEvent::from_json(event) {
            Ok(e) => e,
            Err(e) => {
                return FunctionResult::Failed(format!("the authorizer cannot read the event: {e}"))
            }
        };
        match self.runtime.block_on(self.authorizer.handle(&event)) {
            Ok((response, _outcome)) => match serde_json::to_value(&response) {
                Ok(v) => FunctionResult::Response(v),
                Err(e) => FunctionResult::Failed(format!("the response cannot be encoded: {e}")),
            },
            Err(e) if e.is_unauthorized() => FunctionResult::Unauthorized,
            Err(e) => FunctionResult::Failed(e.reason().to_owned()),
        }
    }

    fn describe(&self) -> String {
        format!("the rules authorizer `{}`", self.file)
    }
}

/// Loads `"rules"` authorizers for [`Options::rules_loader`].
pub fn load_rules(path: &Path) -> Result<Arc<dyn AuthorizerFunction>, String> {
    RulesFunction::load(path).map(|f| Arc::new(f) as Arc<dyn AuthorizerFunction>)
}

/// Scenario options with every authorizer kind available (`responses`, `command`, `rules`).
pub fn options() -> Options<'static> {
    Options {
        rules_loader: Some(&load_rules),
    }
}

/// [`scenario::run_paths`] with `rules` authorizers available.
pub fn run_paths<P: AsRef<Path>>(paths: &[P]) -> Result<RunReport, ScenarioError> {
    scenario::run_paths_with(paths, options())
}

/// [`scenario::load_file`] with `rules` authorizers available.
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    scenario::load_file_with(path, options())
}

/// The README's Rust examples, compiled as doctests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
