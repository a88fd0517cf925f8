//! `apigw-authz`: the package that joins the two crates. It holds the `policy-sim` binary and
//! the one thing neither crate can do alone — run the rules-file authorizer of the
//! `authorizer` crate inside the gateway simulation of `policy-engine`, so a scenario can test
//! the exact authorizer a team deploys, with real signed tokens, against its resource policy:
//!
//! ```json
//! "auth": { "type": "LAMBDA_TOKEN", "rules": "authorizer.json", "ttlSeconds": 300 }
//! ```
//!
//! The scenario format and the simulated gateway (resource policy, authorizer cache, IAM) are
//! [`policy_engine::scenario`]'s; the rules file and its handler are
//! [`authorizer::rules`] and [`authorizer::handler`]. This package adds [`RulesFunction`] (the
//! handler as a simulated Lambda function), [`run_paths`] and [`load_file`] (the engine's, with
//! `rules` authorizers available), and the library side of `policy-sim check`
//! ([`check`]) and `policy-sim lint` ([`lint`]).
//!
//! ```edition2021
//! use std::fs;
//!
//! let dir = std::env::temp_dir().join(format!("apigw-authz-doc-{}", std::process::id()));
//! fs::create_dir_all(&dir)?;
//! // The rules file the team deploys; its HMAC secret comes from the environment.
//! std::env::set_var("DOC_JWT_SECRET", "an example secret of 32+ bytes!!");
//! fs::write(dir.join("authorizer.json"), r#"{
//!   "token": {"header": "Authorization", "bearer": "required"},
//!   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
//!           "hmacSecretEnv": "DOC_JWT_SECRET", "algorithms": ["HS256"]},
//!   "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
//!             {"routes": ["POST /pets"], "anyScope": ["pets:write"]}]
//! }"#)?;
//! // alice's token (HS256, scope `pets:read`), as the identity provider signed it.
//! let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbS8iLCJhdWQiOiJwZXRzLWFwaSIsInN1YiI6ImFsaWNlIiwic2NvcGUiOiJwZXRzOnJlYWQiLCJleHAiOjQxMDI0NDQ4MDB9.TgeK4S6gK1ie8SI5eSzl7dnY537LN_xIdZ11rgMXg4M";
//! let scenario = r#"{
//!   "api": {"type": "REST", "region": "us-east-1", "accountId": "123456789012",
//!           "apiId": "a1b2c3d4e5", "stage": "prod"},
//!   "auth": {"type": "LAMBDA_TOKEN", "rules": "authorizer.json", "ttlSeconds": 300},
//!   "cases": [
//!     {"name": "alice reads the pets",
//!      "request": {"method": "GET", "path": "/pets", "headers": {"Authorization": "Bearer ALICE_JWT"}},
//!      "expect": {"status": 200, "principalId": "alice", "cacheHit": false}},
//!     {"name": "her cached policy also lets her read one pet", "at": 1,
//!      "request": {"method": "GET", "path": "/pets/7", "headers": {"Authorization": "Bearer ALICE_JWT"}},
//!      "expect": {"status": 200, "cacheHit": true}},
//!     {"name": "but not add one", "at": 2,
//!      "request": {"method": "POST", "path": "/pets", "headers": {"Authorization": "Bearer ALICE_JWT"}},
//!      "expect": {"status": 403}},
//!     {"name": "no token: 401", "at": 3, "request": {"method": "GET", "path": "/pets"},
//!      "expect": {"status": 401}}
//!   ]
//! }"#;
//! fs::write(dir.join("pets.json"), scenario.replace("ALICE_JWT", token))?;
//!
//! let report = apigw_authz::run_paths(&[dir.join("pets.json")])?;
//! assert!(report.all_passed(), "{report}");
//! assert_eq!(report.passed(), 4);
//! # fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
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

/// The authorizer crate this package runs in scenarios, re-exported so that users name the
/// same version of it.
///
/// ```
/// use apigw_authz::authorizer::event::{AuthorizerEvent, EventKind};
///
/// let event = AuthorizerEvent::from_slice(br#"{"type": "TOKEN", "authorizationToken": "Bearer abc",
///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}"#)?;
/// assert_eq!(event.kind(), EventKind::RestToken);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub use authorizer;
/// The policy engine and gateway simulation, re-exported so that users name the same version
/// of it.
///
/// ```
/// use apigw_authz::policy_engine::arn::MethodArn;
///
/// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
/// assert_eq!(arn.api().api_id, "a1b2c3d4e5");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub use policy_engine;

/// The rules-file authorizer as a simulated Lambda function: the same handler the deployed
/// binary runs, driven by a single-threaded runtime. It implements the engine's
/// [`AuthorizerFunction`], so the simulator invokes it as API Gateway would invoke the Lambda.
///
/// ```edition2021
/// use apigw_authz::RulesFunction;
/// use policy_engine::function::{AuthorizerFunction, FunctionResult};
/// use serde_json::json;
///
/// # let dir = std::env::temp_dir().join(format!("apigw-authz-doc-{}-{}", std::process::id(), line!()));
/// # std::fs::create_dir_all(&dir)?;
/// # std::env::set_var("DOC_JWT_SECRET", "an example secret of 32+ bytes!!");
/// # std::fs::write(dir.join("authorizer.json"), r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "DOC_JWT_SECRET", "algorithms": ["HS256"]},
/// #   "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #             {"routes": ["POST /pets"], "anyScope": ["pets:write"]}]
/// # }"#)?;
/// let function = RulesFunction::load(&dir.join("authorizer.json"))?;
/// let event = json!({
///     "type": "TOKEN",
///     "authorizationToken": "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbS8iLCJhdWQiOiJwZXRzLWFwaSIsInN1YiI6ImFsaWNlIiwic2NvcGUiOiJwZXRzOnJlYWQiLCJleHAiOjQxMDI0NDQ4MDB9.TgeK4S6gK1ie8SI5eSzl7dnY537LN_xIdZ11rgMXg4M",
///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"
/// });
/// let answer = function.invoke("", &event);
/// assert!(matches!(&answer, FunctionResult::Response(r) if r["principalId"] == "alice"));
///
/// let forged = json!({"type": "TOKEN", "authorizationToken": "Bearer abc.def.ghi",
///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"});
/// assert!(matches!(function.invoke("", &forged), FunctionResult::Unauthorized));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
    ///
    /// # Errors
    ///
    /// The message of a rules file that cannot be read or is invalid (it names the file and
    /// field), or of keys that cannot be loaded.
    ///
    /// ```edition2021
    /// use apigw_authz::RulesFunction;
    /// use policy_engine::function::AuthorizerFunction;
    ///
    /// # let dir = std::env::temp_dir().join(format!("apigw-authz-doc-{}-{}", std::process::id(), line!()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # std::env::set_var("DOC_JWT_SECRET", "an example secret of 32+ bytes!!");
    /// # std::fs::write(dir.join("authorizer.json"), r#"{
    /// #   "token": {"header": "Authorization", "bearer": "required"},
    /// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
    /// #           "hmacSecretEnv": "DOC_JWT_SECRET", "algorithms": ["HS256"]},
    /// #   "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
    /// #             {"routes": ["POST /pets"], "anyScope": ["pets:write"]}]
    /// # }"#)?;
    /// let function = RulesFunction::load(&dir.join("authorizer.json"))?;
    /// assert!(function.describe().starts_with("the rules authorizer"));
    ///
    /// let missing = RulesFunction::load(&dir.join("nope.json")).unwrap_err();
    /// assert!(missing.contains("cannot read the rules file"));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
                return FunctionResult::Failed(format!(
                    "the authorizer cannot read the event: {e}"
                ));
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

/// Loads `"rules"` authorizers for [`Options::rules_loader`]: [`RulesFunction::load`] behind
/// the engine's trait object.
///
/// # Errors
///
/// As [`RulesFunction::load`].
///
/// ```edition2021
/// # let dir = std::env::temp_dir().join(format!("apigw-authz-doc-{}-{}", std::process::id(), line!()));
/// # std::fs::create_dir_all(&dir)?;
/// # std::env::set_var("DOC_JWT_SECRET", "an example secret of 32+ bytes!!");
/// # std::fs::write(dir.join("authorizer.json"), r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "DOC_JWT_SECRET", "algorithms": ["HS256"]},
/// #   "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #             {"routes": ["POST /pets"], "anyScope": ["pets:write"]}]
/// # }"#)?;
/// let function = apigw_authz::load_rules(&dir.join("authorizer.json"))?;
/// assert!(function.describe().contains("authorizer.json"));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_rules(path: &Path) -> Result<Arc<dyn AuthorizerFunction>, String> {
    RulesFunction::load(path).map(|f| Arc::new(f) as Arc<dyn AuthorizerFunction>)
}

/// Scenario options with every authorizer kind available (`responses`, `command`, `rules`):
/// give them to the engine's `*_with` functions ([`scenario::load_paths_with`],
/// [`scenario::run_paths_with`]) when [`run_paths`] and [`load_file`] are not enough.
///
/// ```edition2021
/// use policy_engine::scenario;
///
/// let options = apigw_authz::options();
/// assert!(options.rules_loader.is_some());
/// # let dir = std::env::temp_dir().join(format!("apigw-authz-doc-{}-{}", std::process::id(), line!()));
/// # std::fs::create_dir_all(&dir)?;
/// # std::env::set_var("DOC_JWT_SECRET", "an example secret of 32+ bytes!!");
/// # std::fs::write(dir.join("authorizer.json"), r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "DOC_JWT_SECRET", "algorithms": ["HS256"]},
/// #   "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #             {"routes": ["POST /pets"], "anyScope": ["pets:write"]}]
/// # }"#)?;
/// # std::fs::write(dir.join("pets.json"), r#"{
/// #   "api": {"type": "REST", "region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "auth": {"type": "LAMBDA_TOKEN", "rules": "authorizer.json", "ttlSeconds": 300},
/// #   "cases": [
/// #     {"name": "alice reads the pets",
/// #      "request": {"method": "GET", "path": "/pets", "headers": {"Authorization": "Bearer ALICE_JWT"}},
/// #      "expect": {"status": 200, "principalId": "alice"}},
/// #     {"name": "no token: 401", "at": 1, "request": {"method": "GET", "path": "/pets"},
/// #      "expect": {"status": 401}}
/// #   ]
/// # }"#.replace("ALICE_JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbS8iLCJhdWQiOiJwZXRzLWFwaSIsInN1YiI6ImFsaWNlIiwic2NvcGUiOiJwZXRzOnJlYWQiLCJleHAiOjQxMDI0NDQ4MDB9.TgeK4S6gK1ie8SI5eSzl7dnY537LN_xIdZ11rgMXg4M"))?;
/// let scenarios = scenario::load_paths_with(&[dir.join("pets.json")], apigw_authz::options())?;
/// assert_eq!(scenarios.len(), 1);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn options() -> Options<'static> {
    Options {
        rules_loader: Some(&load_rules),
    }
}

/// [`scenario::run_paths`] with `rules` authorizers available: run every scenario file in
/// `paths` (files, folders searched recursively, glob patterns; other kinds of JSON file
/// found there are left out), all validated before any case runs.
///
/// # Errors
///
/// A [`ScenarioError`] when a path names no file, a file cannot be read or is invalid, a
/// scenario has no cases, or no scenario file is found; failing cases are not errors but
/// entries of the [`RunReport`].
///
/// ```edition2021
/// # let dir = std::env::temp_dir().join(format!("apigw-authz-doc-{}-{}", std::process::id(), line!()));
/// # std::fs::create_dir_all(&dir)?;
/// # std::env::set_var("DOC_JWT_SECRET", "an example secret of 32+ bytes!!");
/// # std::fs::write(dir.join("authorizer.json"), r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "DOC_JWT_SECRET", "algorithms": ["HS256"]},
/// #   "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #             {"routes": ["POST /pets"], "anyScope": ["pets:write"]}]
/// # }"#)?;
/// # std::fs::write(dir.join("pets.json"), r#"{
/// #   "api": {"type": "REST", "region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "auth": {"type": "LAMBDA_TOKEN", "rules": "authorizer.json", "ttlSeconds": 300},
/// #   "cases": [
/// #     {"name": "alice reads the pets",
/// #      "request": {"method": "GET", "path": "/pets", "headers": {"Authorization": "Bearer ALICE_JWT"}},
/// #      "expect": {"status": 200, "principalId": "alice"}},
/// #     {"name": "no token: 401", "at": 1, "request": {"method": "GET", "path": "/pets"},
/// #      "expect": {"status": 401}}
/// #   ]
/// # }"#.replace("ALICE_JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbS8iLCJhdWQiOiJwZXRzLWFwaSIsInN1YiI6ImFsaWNlIiwic2NvcGUiOiJwZXRzOnJlYWQiLCJleHAiOjQxMDI0NDQ4MDB9.TgeK4S6gK1ie8SI5eSzl7dnY537LN_xIdZ11rgMXg4M"))?;
/// let report = apigw_authz::run_paths(&[dir.join("pets.json")])?;
/// assert!(report.all_passed(), "{report}");
/// assert_eq!(report.passed(), 2);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_paths<P: AsRef<Path>>(paths: &[P]) -> Result<RunReport, ScenarioError> {
    scenario::run_paths_with(paths, options())
}

/// [`scenario::load_file`] with `rules` authorizers available: parse one scenario file
/// (and load its rules authorizer) without running it.
///
/// # Errors
///
/// A [`ScenarioError`] when the file cannot be read, is invalid, or names a rules file that
/// cannot be loaded.
///
/// ```edition2021
/// # let dir = std::env::temp_dir().join(format!("apigw-authz-doc-{}-{}", std::process::id(), line!()));
/// # std::fs::create_dir_all(&dir)?;
/// # std::env::set_var("DOC_JWT_SECRET", "an example secret of 32+ bytes!!");
/// # std::fs::write(dir.join("authorizer.json"), r#"{
/// #   "token": {"header": "Authorization", "bearer": "required"},
/// #   "jwt": {"issuer": "https://idp.example.com/", "audiences": ["pets-api"],
/// #           "hmacSecretEnv": "DOC_JWT_SECRET", "algorithms": ["HS256"]},
/// #   "rules": [{"routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"]},
/// #             {"routes": ["POST /pets"], "anyScope": ["pets:write"]}]
/// # }"#)?;
/// # std::fs::write(dir.join("pets.json"), r#"{
/// #   "api": {"type": "REST", "region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "auth": {"type": "LAMBDA_TOKEN", "rules": "authorizer.json", "ttlSeconds": 300},
/// #   "cases": [
/// #     {"name": "alice reads the pets",
/// #      "request": {"method": "GET", "path": "/pets", "headers": {"Authorization": "Bearer ALICE_JWT"}},
/// #      "expect": {"status": 200, "principalId": "alice"}},
/// #     {"name": "no token: 401", "at": 1, "request": {"method": "GET", "path": "/pets"},
/// #      "expect": {"status": 401}}
/// #   ]
/// # }"#.replace("ALICE_JWT", "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2lkcC5leGFtcGxlLmNvbS8iLCJhdWQiOiJwZXRzLWFwaSIsInN1YiI6ImFsaWNlIiwic2NvcGUiOiJwZXRzOnJlYWQiLCJleHAiOjQxMDI0NDQ4MDB9.TgeK4S6gK1ie8SI5eSzl7dnY537LN_xIdZ11rgMXg4M"))?;
/// let scenario = apigw_authz::load_file(&dir.join("pets.json"))?;
/// assert_eq!(scenario.cases.len(), 2);
/// assert_eq!(scenario.cases[0].name, "alice reads the pets");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    scenario::load_file_with(path, options())
}

/// The README's Rust examples, compiled as doctests so they cannot drift.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
