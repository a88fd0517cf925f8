//! Scenario files: one API's access setup and requests with the outcome each must get — the
//! contract of `policy-sim test` (docs/scenario-format.md), also callable from `cargo test`
//! (`run_paths(&["tests/scenarios"])?` and assert [`RunReport::all_passed`]).
//!
//! A file becomes a [`Scenario`]: a [`crate::flow::Gateway`], an optional
//! [`crate::lambda::LambdaSetup`] and [`Case`]s, each an [`crate::flow::ApiRequest`] with an
//! [`Expectation`]. Running it decides every case with the flow (sharing one
//! authorizer-result cache per file, so TTL expiry can be tested) and compares the
//! [`crate::decision::Decision`] with what the case expects: a [`CaseReport`] per case, a
//! [`FileReport`] per file, a [`RunReport`] for the run — printed as text, JSON or JUnit XML.
//!
//! ```
//! use policy_engine::scenario;
//!
//! let text = r#"{
//!   "api": {"region": "us-east-1", "accountId": "123456789012",
//!           "apiId": "a1b2c3d4e5", "stage": "prod"},
//!   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
//!       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
//!       "Resource": "execute-api:/*",
//!       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
//!   "auth": {"type": "NONE"},
//!   "cases": [
//!     {"name": "office network", "request": {"method": "GET", "path": "/pets",
//!      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
//!     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
//!      "sourceIp": "203.0.113.9"}, "expect": {"status": 200}}
//!   ]
//! }"#;
//! let scenario = scenario::parse("ip-allowlist.json", text)?;
//! let report = scenario::run(&scenario);
//! assert!(report.cases[0].pass);
//! // The second case expects the wrong status: the report says what differed, and why.
//! assert!(!report.cases[1].pass);
//! assert_eq!(report.cases[1].mismatches, ["status: expected 200, got 403"]);
//! println!("{}", report.cases[1].explanation);
//! # Ok::<(), scenario::ScenarioError>(())
//! ```
//!
//! Parsing is strict: an unknown field (a typo such as `expcet`) is an error naming the file and
//! the JSON path, never silently ignored. Fields whose names start with `//`, and
//! `description`, are notes. Extensions to the contract: a top-level `startTime` (ISO 8601 or
//! epoch seconds: the time of `at: 0`, so `aws:CurrentTime` is reproducible; default the wall
//! clock when the run starts) and a request `action` (default `execute-api:Invoke`).

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde_json::{Map, Value, json};

use crate::arn::{ApiRef, is_account_id};
use crate::cache::AuthorizerCache;
use crate::context::{ContextKey, ContextValue};
use crate::decision::Decision;
use crate::eval::PolicyOutcome;
use crate::flow::{
    AnswerSource, Api, ApiRequest, ApiType, Authorization, AuthorizerAnswer, AuthorizerCall,
    EndpointType, Gateway, IdentitySource,
};
use crate::function::{AuthorizerFunction, CommandFunction, ResponseTable};
use crate::json::{self, Fields, FileError, JsonPath};
use crate::lambda::{LambdaKind, LambdaSetup, PayloadFormat, ValidationExpression};
use crate::policy::{PolicyDocument, PolicyKind};

mod files;
pub use files::{FileKind, FoundFile, FoundFiles, LeftOut, find_files};

/// A scenario file that cannot be read or is invalid (exit status 2 of `policy-sim test`): the
/// file, the JSON path of the bad field, and the problem.
///
/// ```
/// use policy_engine::scenario;
///
/// let text = r#"{"api": {"region": "us-east-1", "accountId": "123456789012",
///                        "apiId": "a1b2c3d4e5", "stage": "prod"},
///                "cases": [{"name": "typo", "request": {"method": "GET", "path": "/"},
///                           "expcet": {"status": 200}}]}"#;
/// let err = scenario::parse("typo.json", text).unwrap_err();
/// assert_eq!(err.file(), "typo.json");
/// assert_eq!(err.path().map(|p| p.as_str()), Some("cases[0].expcet"));
/// assert!(err.problem().contains("`expect`")); // did you mean...
/// ```
pub type ScenarioError = FileError;

/// What a case expects (its `expect` object); only the given fields are compared.
///
/// ```
/// use policy_engine::eval::PolicyOutcome;
/// use policy_engine::scenario;
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// let scenario = scenario::parse("ip-allowlist.json", text)?;
/// let expect = &scenario.cases[1].expect;
/// assert_eq!(expect.status, Some(403));
/// assert_eq!(expect.decision, Some(PolicyOutcome::ImplicitDeny));
/// assert_eq!(expect.principal_id, None); // not compared
/// # Ok::<(), scenario::ScenarioError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expectation {
    /// The HTTP status: 200, 401, 403, 414 or 500.
    pub status: Option<u16>,
    /// The combined policy outcome (`ImplicitDeny` for refusals before any policy).
    pub decision: Option<PolicyOutcome>,
    /// Whether the authorizer was invoked.
    pub authorizer_invoked: Option<bool>,
    /// Whether the authorizer result came from the cache.
    pub cache_hit: Option<bool>,
    /// `$context.authorizer.principalId`.
    pub principal_id: Option<String>,
    /// `$context.authorizer.*` values, compared as strings (as API Gateway stringifies them).
    pub context: Option<Map<String, Value>>,
    /// The `expect` object as written.
    raw: Value,
}

/// One request with its expectation.
///
/// ```
/// use policy_engine::scenario;
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// let scenario = scenario::parse("ip-allowlist.json", text)?;
/// let case = &scenario.cases[0];
/// assert_eq!(case.name, "office network");
/// assert_eq!(case.at, 0);
/// assert_eq!(case.request.source_ip, Some("192.0.2.10".parse().unwrap()));
/// # Ok::<(), scenario::ScenarioError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Case {
    /// The case name.
    pub name: String,
    /// Seconds since the scenario started (`at`; default 0): with
    /// [`Scenario::start_time`], the request's time.
    pub at: i64,
    /// The request.
    pub request: ApiRequest,
    /// The expected outcome.
    pub expect: Expectation,
}

/// A parsed scenario file: the simulated gateway and the cases to run through it.
///
/// ```
/// use policy_engine::flow::Authorization;
/// use policy_engine::scenario;
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// let scenario = scenario::parse("ip-allowlist.json", text)?;
/// assert_eq!(scenario.gateway.api.api_ref.api_id, "a1b2c3d4e5");
/// assert_eq!(scenario.gateway.authorization, Authorization::None);
/// assert!(scenario.gateway.resource_policy.is_some() && scenario.lambda.is_none());
/// assert_eq!(scenario.cases.len(), 2);
/// # Ok::<(), scenario::ScenarioError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Scenario {
    /// The file it came from, as given.
    pub file: String,
    /// The simulated gateway: `api`, `resourcePolicy` and the authorization from `auth`.
    pub gateway: Gateway,
    /// The Lambda authorizer stand-in, for `LAMBDA_TOKEN` / `LAMBDA_REQUEST` files.
    pub lambda: Option<LambdaSetup>,
    /// Unix time (seconds) of `at: 0`; `None` means the wall clock when the run starts.
    pub start_time: Option<i64>,
    /// The cases, in order.
    pub cases: Vec<Case>,
}

/// The result of one case.
///
/// ```
/// use policy_engine::scenario;
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// let report = scenario::run(&scenario::parse("ip-allowlist.json", text)?);
/// let case = &report.cases[1];
/// assert!(case.pass && case.mismatches.is_empty());
/// assert_eq!(case.actual["status"], 403);
/// assert_eq!(case.expected, serde_json::json!({"status": 403, "decision": "ImplicitDeny"}));
/// assert!(case.explanation.contains("203.0.113.9"));
/// # Ok::<(), scenario::ScenarioError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CaseReport {
    /// The case name.
    pub name: String,
    /// Whether every expected field matched.
    pub pass: bool,
    /// The `expect` object as written.
    pub expected: Value,
    /// The actual outcome, with every field `expect` may name (plus `gatewayResponse` and
    /// `tableRow`).
    pub actual: Value,
    /// One line per expected field that differed.
    pub mismatches: Vec<String>,
    /// The gateway's steps and reasons, one per line (empty for a passing case run with
    /// [`Explain::Failures`]).
    pub explanation: String,
    /// Why the case could not be checked: the simulated gateway reached no decision (a
    /// [`FlowError`](crate::flow::FlowError): its authorizer `command` could not be started,
    /// a condition-key value is invalid). Such a case never passes, its `actual` holds only
    /// the `error`, and `policy-sim test` exits 2.
    pub error: Option<String>,
}

/// The results of one file.
///
/// ```
/// use policy_engine::scenario;
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// let report = scenario::run(&scenario::parse("ip-allowlist.json", text)?);
/// assert_eq!(report.file, "ip-allowlist.json");
/// assert_eq!(report.cases.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
///            ["office network", "anywhere else"]);
/// # Ok::<(), scenario::ScenarioError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FileReport {
    /// The file.
    pub file: String,
    /// Each case, in order.
    pub cases: Vec<CaseReport>,
}

/// The results of a run over several files: what `policy-sim test` prints (as text through
/// [`Display`](std::fmt::Display), or [`RunReport::to_json`], or [`RunReport::to_junit`]).
///
/// ```
/// use policy_engine::scenario::{self, Explain};
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// let scenarios = [scenario::parse("ip-allowlist.json", text)?];
/// let report = scenario::run_all(&scenarios, Explain::Failures, &|_| {});
/// assert!(report.all_passed());
/// assert_eq!(report.to_string(), "2 passed, 0 failed");
/// # Ok::<(), scenario::ScenarioError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunReport {
    /// Each file, in order.
    pub files: Vec<FileReport>,
    /// Files a folder search or a pattern found that are other kinds of file, left out
    /// ([`Suite::run`] fills it; [`run_all`] leaves it empty).
    pub left_out: Vec<LeftOut>,
    /// When the run was refused: every path or file that stopped it (no case ran then).
    /// [`Suite::run`] fills it; [`run_all`] leaves it empty.
    pub invalid_files: Vec<ScenarioError>,
}

impl RunReport {
    /// Cases that passed.
    ///
    /// ```
    /// use policy_engine::scenario;
    /// # let text = r#"{
    /// #   "api": {"region": "us-east-1", "accountId": "123456789012",
    /// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
    /// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
    /// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    /// #       "Resource": "execute-api:/*",
    /// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
    /// #   "auth": {"type": "NONE"},
    /// #   "cases": [
    /// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
    /// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
    /// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
    /// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
    /// #   ]
    /// # }"#;
    /// # let report = scenario::run_all(&[scenario::parse("ip-allowlist.json", text)?], scenario::Explain::All, &|_| {});
    /// assert_eq!(report.passed(), 2);
    /// # Ok::<(), scenario::ScenarioError>(())
    /// ```
    pub fn passed(&self) -> usize {
        self.cases().filter(|c| c.pass).count()
    }

    /// Cases that failed, those that could not be checked ([`RunReport::errors`]) included.
    ///
    /// ```
    /// use policy_engine::scenario;
    /// # let text = r#"{
    /// #   "api": {"region": "us-east-1", "accountId": "123456789012",
    /// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
    /// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
    /// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    /// #       "Resource": "execute-api:/*",
    /// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
    /// #   "auth": {"type": "NONE"},
    /// #   "cases": [
    /// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
    /// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
    /// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
    /// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
    /// #   ]
    /// # }"#;
    /// # let report = scenario::run_all(&[scenario::parse("ip-allowlist.json", text)?], scenario::Explain::All, &|_| {});
    /// assert_eq!(report.failed(), 0);
    /// # Ok::<(), scenario::ScenarioError>(())
    /// ```
    pub fn failed(&self) -> usize {
        self.cases().filter(|c| !c.pass).count()
    }

    /// Whether the run checked something and every case passed: false for a report without
    /// cases (a run that checked nothing is not a pass), a refused run
    /// ([`RunReport::invalid_files`]) and a case that could not be checked.
    ///
    /// ```
    /// use policy_engine::scenario::{self, RunReport};
    /// # let text = r#"{
    /// #   "api": {"region": "us-east-1", "accountId": "123456789012",
    /// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
    /// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
    /// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    /// #       "Resource": "execute-api:/*",
    /// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
    /// #   "auth": {"type": "NONE"},
    /// #   "cases": [
    /// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
    /// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
    /// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
    /// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
    /// #   ]
    /// # }"#;
    /// # let report = scenario::run_all(&[scenario::parse("ip-allowlist.json", text)?], scenario::Explain::All, &|_| {});
    /// assert!(report.all_passed());
    /// assert!(!RunReport::default().all_passed());
    /// # Ok::<(), scenario::ScenarioError>(())
    /// ```
    pub fn all_passed(&self) -> bool {
        self.invalid_files.is_empty() && self.failed() == 0 && self.passed() > 0
    }

    /// Cases that could not be checked ([`CaseReport::error`]): counted in
    /// [`RunReport::failed`] too.
    ///
    /// ```
    /// use policy_engine::scenario::RunReport;
    ///
    /// assert_eq!(RunReport::default().errors(), 0);
    /// ```
    pub fn errors(&self) -> usize {
        self.cases().filter(|c| c.error.is_some()).count()
    }

    fn cases(&self) -> impl Iterator<Item = &CaseReport> {
        self.files.iter().flat_map(|f| f.cases.iter())
    }

    /// The JSON report of `policy-sim test --format json`: `files` (each with its `cases`:
    /// `name`, `pass`, `expected`, `actual`, `mismatches`, `explanation`, and `error`: why the
    /// case could not be checked, or `null`), `passed`, `failed`, `errors` (cases that could
    /// not be checked, counted in `failed`), `leftOut` (`file`, `kind`: files found that are
    /// other kinds of file) and `invalidFiles` (`file`, `path`, `problem`, `message`: why the
    /// run was refused).
    ///
    /// ```
    /// use policy_engine::scenario;
    /// # let text = r#"{
    /// #   "api": {"region": "us-east-1", "accountId": "123456789012",
    /// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
    /// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
    /// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    /// #       "Resource": "execute-api:/*",
    /// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
    /// #   "auth": {"type": "NONE"},
    /// #   "cases": [
    /// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
    /// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
    /// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
    /// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
    /// #   ]
    /// # }"#;
    /// # let report = scenario::run_all(&[scenario::parse("ip-allowlist.json", text)?], scenario::Explain::All, &|_| {});
    /// let json = report.to_json();
    /// assert_eq!((json["passed"].as_u64(), json["failed"].as_u64()), (Some(2), Some(0)));
    /// assert_eq!(json["files"][0]["cases"][1]["actual"]["decision"], "ImplicitDeny");
    /// # Ok::<(), scenario::ScenarioError>(())
    /// ```
    pub fn to_json(&self) -> Value {
        json!({
            "files": self.files.iter().map(|f| json!({
                "file": f.file,
                "cases": f.cases.iter().map(|c| json!({
                    "name": c.name,
                    "pass": c.pass,
                    "expected": c.expected,
                    "actual": c.actual,
                    "mismatches": c.mismatches,
                    "explanation": c.explanation,
                    "error": c.error,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "passed": self.passed(),
            "failed": self.failed(),
            "errors": self.errors(),
            "leftOut": self.left_out.iter().map(|l| json!({
                "file": l.file,
                "kind": l.kind.name(),
            })).collect::<Vec<_>>(),
            "invalidFiles": self.invalid_files.iter().map(|e| json!({
                "file": e.file(),
                "path": e.path().map(JsonPath::as_str),
                "problem": e.problem(),
                "message": e.to_string(),
            })).collect::<Vec<_>>(),
        })
    }
}

impl RunReport {
    /// The JUnit XML report of `policy-sim test --format junit`: one `testsuite` per file,
    /// one `testcase` per case; a failing case carries its mismatches as the failure message
    /// and its explanation as the failure text, so CI systems show them as test results. A
    /// case that could not be checked is an `error`; files left out are `skipped` test cases of
    /// a suite `left out`, invalid files `error` test cases of a suite `invalid files` (the
    /// `errors` and `skipped` counts appear when not zero).
    ///
    /// ```
    /// use policy_engine::scenario;
    /// # let text = r#"{
    /// #   "api": {"region": "us-east-1", "accountId": "123456789012",
    /// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
    /// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
    /// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    /// #       "Resource": "execute-api:/*",
    /// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
    /// #   "auth": {"type": "NONE"},
    /// #   "cases": [
    /// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
    /// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
    /// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
    /// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
    /// #   ]
    /// # }"#;
    /// # let report = scenario::run_all(&[scenario::parse("ip-allowlist.json", text)?], scenario::Explain::All, &|_| {});
    /// let xml = report.to_junit();
    /// assert!(xml.contains(r#"<testsuites name="policy-sim" tests="2" failures="0">"#));
    /// assert!(xml.contains(r#"<testcase classname="ip-allowlist.json" name="office network"/>"#));
    /// # Ok::<(), scenario::ScenarioError>(())
    /// ```
    pub fn to_junit(&self) -> String {
        /// ` errors="N"` / ` skipped="N"`, only when not zero (the counts JUnit readers
        /// default to zero).
        fn count(name: &str, n: usize) -> String {
            if n == 0 {
                String::new()
            } else {
                format!(" {name}=\"{n}\"")
            }
        }
        let errors = self.errors();
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        xml.push_str(&format!(
            "<testsuites name=\"policy-sim\" tests=\"{}\" failures=\"{}\"{}{}>\n",
            self.passed()
                .saturating_add(self.failed())
                .saturating_add(self.left_out.len())
                .saturating_add(self.invalid_files.len()),
            self.failed().saturating_sub(errors),
            count("errors", errors.saturating_add(self.invalid_files.len())),
            count("skipped", self.left_out.len()),
        ));
        for file in &self.files {
            let errors = file.cases.iter().filter(|c| c.error.is_some()).count();
            let failures = file
                .cases
                .iter()
                .filter(|c| !c.pass && c.error.is_none())
                .count();
            xml.push_str(&format!(
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\"{}>\n",
                xml_escape(&file.file),
                file.cases.len(),
                count("errors", errors),
            ));
            for case in &file.cases {
                let open = format!(
                    "    <testcase classname=\"{}\" name=\"{}\"",
                    xml_escape(&file.file),
                    xml_escape(&case.name)
                );
                if let Some(error) = &case.error {
                    xml.push_str(&format!(
                        "{open}>\n      <error message=\"{}\">{}</error>\n    </testcase>\n",
                        xml_escape(error),
                        xml_escape(&case.explanation)
                    ));
                } else if case.pass {
                    xml.push_str(&open);
                    xml.push_str("/>\n");
                } else {
                    xml.push_str(&format!(
                        "{open}>\n      <failure message=\"{}\">{}</failure>\n    </testcase>\n",
                        xml_escape(&case.mismatches.join("; ")),
                        xml_escape(&case.explanation)
                    ));
                }
            }
            xml.push_str("  </testsuite>\n");
        }
        // Files that ran no case: one suite each for those left out and those invalid, one
        // test case per file, so CI systems show them beside the scenarios.
        let left_out: Vec<(&str, String)> = self
            .left_out
            .iter()
            .map(|l| {
                let why = format!("left out: {}, not a scenario file", l.kind.description());
                (
                    l.file.as_str(),
                    format!("<skipped message=\"{}\"/>", xml_escape(&why)),
                )
            })
            .collect();
        push_file_suite(&mut xml, "left out", "skipped", &left_out);
        let invalid: Vec<(&str, String)> = self
            .invalid_files
            .iter()
            .map(|e| {
                let element = format!(
                    "<error message=\"{}\">{}</error>",
                    xml_escape(e.problem()),
                    xml_escape(&e.to_string())
                );
                (e.file(), element)
            })
            .collect();
        push_file_suite(&mut xml, "invalid files", "errors", &invalid);
        xml.push_str("</testsuites>\n");
        xml
    }
}

/// A JUnit suite `name` with one test case per `(file, element)`, its size counted under
/// `counter` (`skipped`, `errors`); nothing when there are no files.
fn push_file_suite(xml: &mut String, name: &str, counter: &str, files: &[(&str, String)]) {
    if files.is_empty() {
        return;
    }
    let n = files.len();
    xml.push_str(&format!(
        "  <testsuite name=\"{name}\" tests=\"{n}\" failures=\"0\" {counter}=\"{n}\">\n"
    ));
    for (file, element) in files {
        let file = xml_escape(file);
        xml.push_str(&format!(
            "    <testcase classname=\"{file}\" name=\"{file}\">\n      {element}\n    </testcase>\n"
        ));
    }
    xml.push_str("  </testsuite>\n");
}

/// Text made safe for XML attributes and content; characters XML 1.0 forbids are dropped.
fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

impl fmt::Display for RunReport {
    /// The invalid files, the failing cases with their mismatches and explanations (`ERROR`
    /// for a case that could not be checked), then the totals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.invalid_files {
            writeln!(f, "error: {e}")?;
        }
        for file in &self.files {
            for case in file.cases.iter().filter(|c| !c.pass) {
                if let Some(error) = &case.error {
                    writeln!(f, "ERROR {} :: {}", file.file, case.name)?;
                    writeln!(f, "  {error}")?;
                    continue;
                }
                writeln!(f, "FAIL {} :: {}", file.file, case.name)?;
                for m in &case.mismatches {
                    writeln!(f, "  {m}")?;
                }
                for line in case.explanation.lines() {
                    writeln!(f, "    {line}")?;
                }
            }
        }
        write!(f, "{} passed, {} failed", self.passed(), self.failed())
    }
}

/// The files named by `paths`, as [`find_files`] finds them (files as given, folders searched
/// recursively for `*.json`, glob patterns), without telling how each was reached.
///
/// # Errors
///
/// The first path that names no file: one that does not exist, a pattern that matches
/// nothing, a folder that cannot be read ([`find_files`] reports all of them). A file is not
/// opened here.
///
/// ```
/// use policy_engine::scenario::collect_files;
///
/// # let dir = std::env::temp_dir().join(format!("policy-engine-scenario-doc-1-{}", std::process::id()));
/// # std::fs::create_dir_all(dir.join("more"))?;
/// for name in ["b.json", "a.json", "notes.md", "more/c.json"] {
///     std::fs::write(dir.join(name), "{}")?;
/// }
/// let files = collect_files(&[&dir])?;
/// assert_eq!(files, [dir.join("a.json"), dir.join("b.json"), dir.join("more/c.json")]);
/// assert!(collect_files(&[dir.join("missing.json")]).is_err());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn collect_files<P: AsRef<Path>>(paths: &[P]) -> Result<Vec<PathBuf>, ScenarioError> {
    let found = find_files(paths);
    match found.errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(found.files.into_iter().map(|f| f.path).collect()),
    }
}

/// Loads the authorizer a scenario names with `"auth": {"rules": FILE}`: the rules-file
/// authorizer lives in the `authorizer` crate, which depends on this one, so the
/// `apigw-authz` package (and `policy-sim`) supplies the loader. The path is resolved against
/// the scenario file's folder; the error says why the file cannot be used.
///
/// ```
/// use std::sync::Arc;
/// use policy_engine::function::{AuthorizerFunction, ResponseTable};
/// use policy_engine::scenario::{self, Options, RulesLoader};
///
/// // A loader that stands a fixed table in for every rules file.
/// let loader: &RulesLoader = &|path| {
///     assert!(path.ends_with("rules.json"));
///     let table: Arc<dyn AuthorizerFunction> = Arc::new(ResponseTable::new(serde_json::Map::new()));
///     Ok(table)
/// };
/// let text = r#"{"api": {"region": "us-east-1", "accountId": "123456789012",
///                        "apiId": "a1b2c3d4e5", "stage": "prod"},
///                "auth": {"type": "LAMBDA_TOKEN", "rules": "rules.json"},
///                "cases": []}"#;
/// let options = Options { rules_loader: Some(loader) };
/// let scenario = scenario::parse_with("rules.scenario.json", text, std::path::Path::new("."), options)?;
/// assert!(scenario.lambda.is_some());
/// // Without a loader, the same file is invalid.
/// assert!(scenario::parse("rules.scenario.json", text).is_err());
/// # Ok::<(), scenario::ScenarioError>(())
/// ```
pub type RulesLoader = dyn Fn(&Path) -> Result<Arc<dyn AuthorizerFunction>, String> + Sync;

/// How scenario files are read. The default reads every file that needs no rules-file
/// authorizer; see [`RulesLoader`] for the one option.
///
/// ```
/// use policy_engine::scenario::Options;
///
/// let options = Options::default();
/// assert!(options.rules_loader.is_none());
/// ```
#[derive(Clone, Copy, Default)]
pub struct Options<'a> {
    /// Loads `rules` authorizers; without one, a file that names one is invalid.
    pub rules_loader: Option<&'a RulesLoader>,
}

impl fmt::Debug for Options<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Options")
            .field("rules_loader", &self.rules_loader.is_some())
            .finish()
    }
}

/// Load and run every scenario file under `paths` (see [`load_suite_with`]: files, folders
/// searched recursively, glob patterns; other kinds of file found beside the scenarios are
/// left out), explaining every case. Every file is validated before any case runs. This is
/// the call for a `cargo test` that runs a project's scenario folder.
///
/// # Errors
///
/// The first problem [`load_suite_with`] reports — a path that names no file, a file that
/// cannot be read or is invalid, a scenario without cases, no scenario file at all; no case
/// has run then.
///
/// ```
/// use policy_engine::scenario::run_paths;
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// # let dir = std::env::temp_dir().join(format!("policy-engine-scenario-doc-2-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("ip-allowlist.json"), text)?;
/// let report = run_paths(&[&dir])?;
/// assert!(report.all_passed(), "{report}");
/// assert_eq!(report.passed(), 2);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_paths<P: AsRef<Path>>(paths: &[P]) -> Result<RunReport, ScenarioError> {
    run_paths_with(paths, Options::default())
}

/// [`run_paths`] with [`Options`].
///
/// # Errors
///
/// As [`run_paths`].
///
/// ```
/// use policy_engine::scenario::{run_paths_with, Options};
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// # let dir = std::env::temp_dir().join(format!("policy-engine-scenario-doc-3-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("ip-allowlist.json"), text)?;
/// let report = run_paths_with(&[dir.join("ip-allowlist.json")], Options::default())?;
/// assert_eq!(report.files.len(), 1);
/// assert!(report.all_passed());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn run_paths_with<P: AsRef<Path>>(
    paths: &[P],
    options: Options<'_>,
) -> Result<RunReport, ScenarioError> {
    let suite = load_suite_with(paths, options);
    if let Some(e) = suite.errors.first() {
        return Err(e.clone());
    }
    Ok(suite.run(Explain::All, &|_| {}))
}

/// Every scenario file under `paths` (see [`load_suite_with`]), read and validated — all of
/// them before any case runs, so a typo in the tenth file is reported before nine files'
/// worth of output.
///
/// # Errors
///
/// The first problem [`load_suite_with`] reports (it reports all of them).
///
/// ```
/// use policy_engine::scenario::{load_paths_with, Options};
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// # let dir = std::env::temp_dir().join(format!("policy-engine-scenario-doc-4-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("a.json"), text)?;
/// std::fs::write(dir.join("b.json"), r#"{"api": {}}"#)?;
/// let err = load_paths_with(&[&dir], Options::default()).unwrap_err();
/// assert!(err.file().ends_with("b.json"));
/// std::fs::remove_file(dir.join("b.json"))?;
/// assert_eq!(load_paths_with(&[&dir], Options::default())?.len(), 1);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_paths_with<P: AsRef<Path>>(
    paths: &[P],
    options: Options<'_>,
) -> Result<Vec<Scenario>, ScenarioError> {
    let suite = load_suite_with(paths, options);
    match suite.errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(suite.scenarios),
    }
}

/// The scenario files of a run, read and validated, with every problem found on the way: what
/// `policy-sim test` runs. Built by [`load_suite_with`].
///
/// ```
/// use policy_engine::scenario::{load_suite_with, Explain, FileKind, Options};
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [{"name": "open", "request": {"method": "GET", "path": "/pets"},
/// #              "expect": {"status": 200}}]
/// # }"#;
/// # let dir = std::env::temp_dir().join(format!("policy-engine-suite-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("pets.json"), text)?;
/// // The export a scenario names, beside it: left out, not an error.
/// std::fs::write(dir.join("export.json"), r#"{"openapi": "3.0.1", "info": {}, "paths": {}}"#)?;
/// let suite = load_suite_with(&[&dir], Options::default());
/// assert!(suite.errors.is_empty());
/// assert_eq!(suite.scenarios.len(), 1);
/// assert_eq!(suite.left_out[0].kind, FileKind::OpenApi);
/// let report = suite.run(Explain::Failures, &|_| {});
/// assert!(report.all_passed());
/// assert_eq!(report.left_out.len(), 1);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Suite {
    /// The valid scenario files, in order.
    pub scenarios: Vec<Scenario>,
    /// Files a folder search or a pattern found that are other kinds of file.
    pub left_out: Vec<LeftOut>,
    /// Everything that stops the run, in order: paths that name no file, files that cannot
    /// be read or are invalid, scenarios without cases, and — when there is nothing else to
    /// report — no scenario file at all.
    pub errors: Vec<ScenarioError>,
}

impl Suite {
    /// Run every scenario ([`run_all`]) when the suite has no error; otherwise run nothing and
    /// report the errors as [`RunReport::invalid_files`]. Either way the report lists the files
    /// left out.
    ///
    /// ```
    /// use policy_engine::scenario::{load_suite_with, Explain, Options};
    ///
    /// let suite = load_suite_with(&["no/such/folder"], Options::default());
    /// let report = suite.run(Explain::Failures, &|_| {});
    /// assert!(report.files.is_empty());
    /// assert_eq!(report.invalid_files[0].problem(), "no such file or directory");
    /// assert!(!report.all_passed());
    /// ```
    pub fn run(&self, explain: Explain, done: &(dyn Fn(&FileReport) + Sync)) -> RunReport {
        let mut report = if self.errors.is_empty() {
            run_all(&self.scenarios, explain, done)
        } else {
            RunReport::default()
        };
        report.left_out.clone_from(&self.left_out);
        report.invalid_files.clone_from(&self.errors);
        report
    }
}

/// Read every file `paths` name ([`find_files`]: files, folders searched recursively, glob
/// patterns) and validate each scenario, reporting every problem rather than the first.
///
/// - A file named as an argument must be a scenario file; one that is recognisably another
///   kind ([`FileKind`]) is an error that says what it is and where it belongs.
/// - A file found by a folder search or a pattern that is another kind of file (the OpenAPI
///   export a scenario names, a rules file, an event...) is left out: [`Suite::left_out`].
/// - JSON that is no known kind, an invalid scenario, and a scenario without cases (it would
///   check nothing) are errors.
/// - An authorizer `command` must name a program that exists and is executable (see
///   [`CommandFunction::resolve_program`]): a typo there is the scenario's mistake, not the
///   authorizer failing (a simulated 500 a case could expect).
/// - When no scenario file is found at all (and nothing else is wrong), that is an error
///   naming the paths: a run that checks nothing must not pass.
///
/// ```
/// use policy_engine::scenario::{load_suite_with, Options};
///
/// # let dir = std::env::temp_dir().join(format!("policy-engine-load-suite-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// std::fs::write(dir.join("a.json"), r#"{"api": {}}"#)?;
/// std::fs::write(dir.join("b.json"), r#"{"hello": "world"}"#)?;
/// let suite = load_suite_with(&[&dir], Options::default());
/// assert_eq!(suite.errors.len(), 2); // both files, not only the first
/// assert!(suite.errors[1].problem().starts_with("not a scenario file"));
///
/// let nothing = load_suite_with(&[dir.join("*.yaml")], Options::default());
/// assert_eq!(nothing.errors[0].problem(), "the pattern matches no file");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_suite_with<P: AsRef<Path>>(paths: &[P], options: Options<'_>) -> Suite {
    let found = find_files(paths);
    let mut suite = Suite {
        errors: found.errors,
        ..Suite::default()
    };
    for file in &found.files {
        match load_found(&file.path, file.named, options) {
            Ok(Loaded::Scenario(scenario)) if scenario.cases.is_empty() => {
                suite.errors.push(FileError::new(
                    &scenario.file,
                    Some(&JsonPath::root().key("cases")),
                    "no cases: a scenario file without cases checks nothing, so `policy-sim test` refuses it; add a case (`policy-sim lint` reviews a setup without cases)",
                ));
            }
            Ok(Loaded::Scenario(scenario)) => suite.scenarios.push(*scenario),
            Ok(Loaded::LeftOut(left_out)) => suite.left_out.push(left_out),
            Err(e) => suite.errors.push(e),
        }
    }
    if suite.scenarios.is_empty() && suite.errors.is_empty() {
        suite.errors.push(nothing_found(paths, &suite.left_out));
    }
    suite
}

/// The error for a run whose paths hold no scenario file.
fn nothing_found<P: AsRef<Path>>(paths: &[P], left_out: &[LeftOut]) -> ScenarioError {
    let looked_at = if paths.is_empty() {
        "no path given".to_owned()
    } else {
        paths
            .iter()
            .map(|p| p.as_ref().display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let why = match left_out.len() {
        0 => "no `*.json` file in the folders and patterns given (folders are searched recursively, skipping hidden folders, `target` and `node_modules`)".to_owned(),
        1 => "the one `*.json` file found is another kind of file, left out".to_owned(),
        n => format!("the {n} `*.json` files found are other kinds of file, left out"),
    };
    FileError::new(
        &looked_at,
        None,
        format!(
            "no scenario file found: {why}; give scenario files (`api`, `cases`) or folders and patterns that reach them"
        ),
    )
}

/// A file read for a run: a scenario, or another kind of file left out.
enum Loaded {
    Scenario(Box<Scenario>),
    LeftOut(LeftOut),
}

/// Read one file for a run: see [`load_suite_with`] for what `named` changes.
fn load_found(path: &Path, named: bool, options: Options<'_>) -> Result<Loaded, ScenarioError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| FileError::new(&name, None, format!("cannot read the file ({e})")))?;
    let value: Value = crate::json::parse_strict(&text)
        .map_err(|e| FileError::new(&name, None, format!("not valid JSON: {e}")))?;
    match FileKind::of(&value) {
        Some(FileKind::Scenario) => {}
        Some(kind) if named => return Err(files::not_a_scenario(&name, kind)),
        Some(kind) => return Ok(Loaded::LeftOut(LeftOut::new(&name, kind))),
        None => return Err(files::unknown_kind(&name, &value)),
    }
    Parser {
        file: &name,
        dir: folder_of(path),
        options,
        check_programs: true,
    }
    .scenario(&value)
    .map(|s| Loaded::Scenario(Box::new(s)))
}

/// The folder a file's relative paths are resolved against.
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Read and parse one scenario file, to run it; relative paths in it (a `command`, an
/// `openapi` export) are resolved against its folder. Unlike [`parse`], it checks that an
/// authorizer `command` names a program that can be started.
///
/// # Errors
///
/// The file cannot be read, is not JSON, is another kind of file ([`FileKind`]: the message
/// says which), or is not a valid scenario.
///
/// ```
/// use policy_engine::scenario::load_file;
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// # let dir = std::env::temp_dir().join(format!("policy-engine-scenario-doc-5-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// let file = dir.join("ip-allowlist.json");
/// std::fs::write(&file, text)?;
/// let scenario = load_file(&file)?;
/// assert_eq!(scenario.file, file.display().to_string());
/// let err = load_file(&dir.join("missing.json")).unwrap_err();
/// assert!(err.problem().starts_with("cannot read the file"));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_file(path: &Path) -> Result<Scenario, ScenarioError> {
    load_file_with(path, Options::default())
}

/// [`load_file`] with [`Options`]; files a scenario names (a `command`, `rules`) are resolved
/// against its folder, and a `command`'s program must exist and be executable
/// ([`CommandFunction::resolve_program`]).
///
/// # Errors
///
/// As [`load_file`], and what the [`RulesLoader`] reports.
///
/// ```
/// use policy_engine::scenario::{load_file_with, Options};
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// # let dir = std::env::temp_dir().join(format!("policy-engine-scenario-doc-6-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// let file = dir.join("ip-allowlist.json");
/// std::fs::write(&file, text)?;
/// let scenario = load_file_with(&file, Options::default())?;
/// assert_eq!(scenario.cases.len(), 2);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_file_with(path: &Path, options: Options<'_>) -> Result<Scenario, ScenarioError> {
    match load_found(path, true, options)? {
        Loaded::Scenario(scenario) => Ok(*scenario),
        // A named file is never left out; should it be, it is still not a scenario.
        Loaded::LeftOut(left_out) => Err(files::not_a_scenario(&left_out.file, left_out.kind)),
    }
}

/// Parse scenario JSON; `file` names it in errors; relative paths are resolved against the
/// current directory.
///
/// # Errors
///
/// The text is not JSON, or not a valid scenario (an unknown field, a wrong type, an invalid
/// policy...): the error names `file` and the JSON path.
///
/// ```
/// use policy_engine::scenario;
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// let scenario = scenario::parse("ip-allowlist.json", text)?;
/// assert_eq!(scenario.file, "ip-allowlist.json");
///
/// let err = scenario::parse("bad.json", r#"{"cases": []}"#).unwrap_err();
/// assert!(err.to_string().contains("missing required field `api`"));
/// # Ok::<(), scenario::ScenarioError>(())
/// ```
pub fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    parse_with(file, text, Path::new("."), Options::default())
}

/// [`parse`] with the folder relative paths are resolved against, and [`Options`].
///
/// # Errors
///
/// As [`parse`], and what the [`RulesLoader`] reports.
///
/// ```
/// use std::path::Path;
/// use policy_engine::scenario::{self, Options};
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// let scenario = scenario::parse_with("ip-allowlist.json", text, Path::new("scenarios"), Options::default())?;
/// assert_eq!(scenario.cases.len(), 2);
/// # Ok::<(), scenario::ScenarioError>(())
/// ```
pub fn parse_with(
    file: &str,
    text: &str,
    dir: &Path,
    options: Options<'_>,
) -> Result<Scenario, ScenarioError> {
    let value: Value = crate::json::parse_strict(text)
        .map_err(|e| FileError::new(file, None, format!("not valid JSON: {e}")))?;
    Parser {
        file,
        dir,
        options,
        check_programs: false,
    }
    .scenario(&value)
}

/// Which cases a run explains (the explanation is most of the cost of a passing case).
///
/// ```
/// use policy_engine::scenario::{self, Explain};
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// let scenario = scenario::parse("ip-allowlist.json", text)?;
/// let quick = scenario::run_with(&scenario, Explain::Failures);
/// assert!(quick.cases.iter().all(|c| c.pass && c.explanation.is_empty()));
/// let full = scenario::run_with(&scenario, Explain::All);
/// assert!(full.cases.iter().all(|c| !c.explanation.is_empty()));
/// # Ok::<(), scenario::ScenarioError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Explain {
    /// Failing cases only; passing ones get an empty explanation.
    Failures,
    /// Every case.
    All,
}

/// Run every case of a scenario, explaining every case.
///
/// ```
/// use policy_engine::scenario;
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// let report = scenario::run(&scenario::parse("ip-allowlist.json", text)?);
/// assert!(report.cases.iter().all(|c| c.pass));
/// # Ok::<(), scenario::ScenarioError>(())
/// ```
pub fn run(scenario: &Scenario) -> FileReport {
    run_with(scenario, Explain::All)
}

/// Run many scenario files on every core (rayon), in order in the report; `done` is called as
/// each file finishes, from whichever thread ran it (to stream progress).
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use policy_engine::scenario::{self, Explain};
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// let scenarios = [scenario::parse("a.json", text)?, scenario::parse("b.json", text)?];
/// let finished = AtomicUsize::new(0);
/// let report = scenario::run_all(&scenarios, Explain::Failures, &|_file| {
///     finished.fetch_add(1, Ordering::Relaxed);
/// });
/// assert_eq!(finished.into_inner(), 2);
/// assert_eq!(report.files[1].file, "b.json");
/// assert_eq!(report.passed(), 4);
/// # Ok::<(), scenario::ScenarioError>(())
/// ```
pub fn run_all(
    scenarios: &[Scenario],
    explain: Explain,
    done: &(dyn Fn(&FileReport) + Sync),
) -> RunReport {
    RunReport {
        files: scenarios
            .par_iter()
            .map(|s| {
                let report = run_with(s, explain);
                done(&report);
                report
            })
            .collect(),
        ..RunReport::default()
    }
}

/// Run every case of a scenario. With an authorizer-result cache the cases share it and run
/// in order, one after the other; otherwise they are independent and run on every core.
/// Each case is decided without an explanation first, and explained (by deciding it again
/// with the same authorizer answer) only when `explain` asks for it.
///
/// ```
/// use policy_engine::scenario::{self, Explain};
/// # let text = r#"{
/// #   "api": {"region": "us-east-1", "accountId": "123456789012",
/// #           "apiId": "a1b2c3d4e5", "stage": "prod"},
/// #   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{
/// #       "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #       "Resource": "execute-api:/*",
/// #       "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]},
/// #   "auth": {"type": "NONE"},
/// #   "cases": [
/// #     {"name": "office network", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "192.0.2.10"}, "expect": {"status": 200}},
/// #     {"name": "anywhere else", "request": {"method": "GET", "path": "/pets",
/// #      "sourceIp": "203.0.113.9"}, "expect": {"status": 403, "decision": "ImplicitDeny"}}
/// #   ]
/// # }"#;
/// let mut scenario = scenario::parse("ip-allowlist.json", text)?;
/// scenario.cases[0].expect.status = Some(401); // a wrong expectation
/// let report = scenario::run_with(&scenario, Explain::Failures);
/// assert!(!report.cases[0].pass);
/// assert!(!report.cases[0].explanation.is_empty()); // failures are always explained
/// assert!(report.cases[1].pass && report.cases[1].explanation.is_empty());
/// # Ok::<(), scenario::ScenarioError>(())
/// ```
pub fn run_with(scenario: &Scenario, explain: Explain) -> FileReport {
    let start = scenario
        .start_time
        .unwrap_or_else(crate::time::now_epoch_seconds);
    // One authorizer-result cache per file: cases run in order and share it.
    let ttl = scenario.lambda.as_ref().map_or(0, |l| l.ttl_seconds);
    let cache = AuthorizerCache::new(ttl, 10_000).ok();
    let run_case = |case: &Case| {
        let now = start.saturating_add(case.at);
        let gateway = &scenario.gateway;
        let (decided, call) = match (&scenario.lambda, &cache) {
            (Some(lambda), Some(cache)) => {
                let mut call = None;
                let decided = gateway.decide_with_authorizer(&case.request, now, &mut || {
                    let answer = lambda.call(&gateway.api, &case.request, cache, now);
                    call = Some(answer.clone());
                    answer
                });
                (decided, call)
            }
            _ => (gateway.decide(&case.request, now), None),
        };
        let mut report = report_case(case, decided);
        if explain == Explain::All || !report.pass {
            let explained = match call {
                Some(call) => {
                    gateway.handle_with_authorizer(&case.request, now, &mut || call.clone())
                }
                // Either no authorizer, or the pre-auth phase refused before calling it.
                None if scenario.lambda.is_some() => {
                    gateway.handle_with_authorizer(&case.request, now, &mut || AuthorizerCall {
                        answer: Arc::new(AuthorizerAnswer::Failed(
                            "not called: the request was refused before the authorizer".to_owned(),
                        )),
                        source: AnswerSource::Invoked,
                    })
                }
                None => gateway.handle(&case.request, now),
            };
            report.explanation = match explained {
                Ok(d) => d.explanation(),
                Err(e) => e.to_string(),
            };
        }
        report
    };
    let independent = cache.as_ref().is_none_or(|c| !c.is_enabled());
    let cases = if independent {
        scenario.cases.par_iter().map(run_case).collect()
    } else {
        scenario.cases.iter().map(run_case).collect()
    };
    FileReport {
        file: scenario.file.clone(),
        cases,
    }
}

fn report_case(case: &Case, decided: Result<Decision, crate::flow::FlowError>) -> CaseReport {
    match decided {
        Ok(decision) => compare(case, &decision),
        // No decision: the case checks nothing, so it is an error of the run (exit 2), never
        // a pass and not an ordinary failure either.
        Err(e) => CaseReport {
            name: case.name.clone(),
            pass: false,
            expected: case.expect.raw.clone(),
            actual: json!({ "error": e.to_string() }),
            mismatches: vec![format!("the request could not be evaluated: {e}")],
            explanation: String::new(),
            error: Some(format!("{e}: this case is not checked")),
        },
    }
}

fn actual_json(d: &Decision) -> Value {
    json!({
        "status": d.status,
        "decision": d.outcome.name(),
        "authorizerInvoked": d.authorizer_invoked,
        "cacheHit": d.cache_hit,
        "principalId": d.principal_id,
        "context": d.context,
        "gatewayResponse": d.gateway_response.map(|r| r.name()),
        "tableRow": d.table_row.map(|r| format!(
            "{}{}",
            match r.table { crate::decision::Table::A => "A", crate::decision::Table::B => "B" },
            r.row
        )),
    })
}

fn compare(case: &Case, d: &Decision) -> CaseReport {
    let e = &case.expect;
    let mut mismatches = Vec::new();
    let mut check = |field: &str, expected: Option<String>, actual: String| {
        if let Some(expected) = expected
            && expected != actual
        {
            mismatches.push(format!("{field}: expected {expected}, got {actual}"));
        }
    };
    check(
        "status",
        e.status.map(|s| s.to_string()),
        d.status.to_string(),
    );
    check(
        "decision",
        e.decision.map(|o| o.name().to_owned()),
        d.outcome.name().to_owned(),
    );
    check(
        "authorizerInvoked",
        e.authorizer_invoked.map(|b| b.to_string()),
        d.authorizer_invoked.to_string(),
    );
    check(
        "cacheHit",
        e.cache_hit.map(|b| b.to_string()),
        d.cache_hit.to_string(),
    );
    check(
        "principalId",
        e.principal_id.as_ref().map(|p| format!("`{p}`")),
        d.principal_id
            .as_ref()
            .map_or_else(|| "none".to_owned(), |p| format!("`{p}`")),
    );
    if let Some(expected) = &e.context {
        for (k, v) in expected {
            let got = d.context.get(k);
            if !context_value_matches(v, got) {
                mismatches.push(format!(
                    "context.{k}: expected `{}`, got {}",
                    context_text(v),
                    got.map_or_else(
                        || "nothing".to_owned(),
                        |g| format!("`{}`", context_text(g))
                    )
                ));
            }
        }
    }
    CaseReport {
        name: case.name.clone(),
        pass: mismatches.is_empty(),
        expected: e.raw.clone(),
        actual: actual_json(d),
        mismatches,
        explanation: String::new(),
        error: None,
    }
}

/// Whether an `expect.context` value matches what the backend got: scalars by the text the
/// backend sees (REST and payload 1.0 stringify every value, so `123` matches `"123"`);
/// objects and arrays (payload 2.0 keeps JSON values) as JSON, object members in any order.
fn context_value_matches(want: &Value, got: Option<&Value>) -> bool {
    match (want, got) {
        (_, None) => false,
        (Value::Object(_) | Value::Array(_), Some(got)) => want == got,
        (_, Some(got)) => context_text(want) == context_text(got),
    }
}

/// A context value as text: strings as they are, anything else as JSON.
fn context_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether a request path fits an OpenAPI path template: `{name}` is one segment, `{name+}`
/// one or more; `$default` (HTTP APIs) fits every path.
fn path_matches_template(template: &str, path: &str) -> bool {
    if template == "$default" {
        return true;
    }
    let mut wanted = template.trim_start_matches('/').split('/');
    let mut given = path.trim_start_matches('/').split('/');
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w.starts_with('{') && w.ends_with("+}") => return !g.is_empty(),
            (Some(w), Some(g)) if w.starts_with('{') && w.ends_with('}') => {
                if g.is_empty() {
                    return false;
                }
            }
            (Some(w), Some(g)) if w == g => {}
            _ => return false,
        }
    }
}

fn describe_method_auth(auth: &crate::openapi::MethodAuth) -> String {
    match auth {
        crate::openapi::MethodAuth::None => "`NONE`".to_owned(),
        crate::openapi::MethodAuth::AwsIam => "`AWS_IAM`".to_owned(),
        crate::openapi::MethodAuth::Authorizer(name) => format!("authorizer `{name}`"),
    }
}

struct Parser<'f> {
    file: &'f str,
    dir: &'f Path,
    options: Options<'f>,
    /// Whether a `command`'s program must exist and be executable: when a file is loaded to
    /// be run (`test`, `check`), not when it is only parsed (`lint` reviews a setup whose
    /// programs may not be built yet).
    check_programs: bool,
}

fn is_note(key: &str) -> bool {
    key.starts_with("//") || key == "description"
}

impl<'f> Parser<'f> {
    fn err(&self, path: &JsonPath, problem: impl Into<String>) -> ScenarioError {
        FileError::new(self.file, Some(path), problem)
    }

    fn scenario(&self, value: &Value) -> Result<Scenario, ScenarioError> {
        let root = Fields::read(
            self.file,
            value,
            JsonPath::root(),
            &[
                "api",
                "resourcePolicy",
                "auth",
                "cases",
                "startTime",
                "openapi",
            ],
            is_note,
        )?;
        let api_value = root
            .get("api")
            .ok_or_else(|| self.err(root.path(), "missing required field `api`"))?;
        let api = self.api(api_value, root.path().key("api"))?;
        if let Some(export) = root.string("openapi")? {
            let merged = self.with_openapi(value, export, &api)?;
            let inner = Parser {
                file: self.file,
                dir: self.dir,
                options: self.options,
                check_programs: self.check_programs,
            };
            let mut without = merged;
            if let Some(o) = without.as_object_mut() {
                o.remove("openapi");
            }
            return inner.scenario(&without);
        }
        let resource_policy = match root.get("resourcePolicy") {
            None | Some(Value::Null) => None,
            Some(p) => {
                if api.api_type != ApiType::Rest {
                    return Err(self.err(
                        &root.path().key("resourcePolicy"),
                        "only REST APIs have resource policies: remove it or set `api.type` to `REST`",
                    ));
                }
                Some(
                    PolicyDocument::from_json(p, PolicyKind::Resource, Some(&api.api_ref))
                        .map_err(|e| self.policy_err(e, &root.path().key("resourcePolicy")))?,
                )
            }
        };
        let (authorization, lambda) = match root.get("auth") {
            None => (Authorization::None, None),
            Some(a) => self.auth(a, root.path().key("auth"), &api)?,
        };
        let start_time = match root.get("startTime") {
            None => None,
            Some(v) => {
                let text = match v {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    other => {
                        return Err(self.err(
                            &root.path().key("startTime"),
                            format!("expected a date, found {}", json::type_name(other)),
                        ));
                    }
                };
                let nanos = crate::time::parse_date(&text).ok_or_else(|| {
                    self.err(
                        &root.path().key("startTime"),
                        format!("`{text}` is not a date: give ISO 8601 such as `2026-01-01T00:00:00Z` or epoch seconds"),
                    )
                })?;
                Some(i64::try_from(nanos.div_euclid(1_000_000_000)).unwrap_or(i64::MAX))
            }
        };
        let cases_path = root.path().key("cases");
        let Some(Value::Array(cases)) = root.get("cases") else {
            return Err(self.err(&cases_path, "expected an array of cases"));
        };
        let cases = cases
            .iter()
            .enumerate()
            .map(|(i, c)| self.case(c, cases_path.index(i), api.api_type))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Scenario {
            file: self.file.to_owned(),
            gateway: Gateway {
                api,
                resource_policy,
                authorization,
            },
            lambda,
            start_time,
            cases,
        })
    }

    /// The scenario with its API setup taken from an OpenAPI export (extension `"openapi":
    /// FILE`): the export's `x-amazon-apigateway-policy` becomes `resourcePolicy`, and
    /// `"auth": {"authorizer": NAME, ...}` takes the named authorizer's type, identity
    /// sources, validation expression, TTL, payload format, simple responses and account. A
    /// field given both in the scenario and the export is an error, so the scenario cannot
    /// silently test something other than what is deployed. Every case must call a method the
    /// export defines, with the authorization the scenario simulates.
    fn with_openapi(&self, value: &Value, export: &str, api: &Api) -> Result<Value, ScenarioError> {
        use crate::openapi::{AuthorizerType, MethodAuth, PayloadFormatVersion};
        let at = JsonPath::root().key("openapi");
        let path = self.dir.join(export);
        let setup = crate::openapi::load_file(&path, Some(&api.api_ref))
            .map_err(|e| self.err(&at, e.to_string()))?;
        if setup.api_type != api.api_type {
            return Err(self.err(
                &JsonPath::root().key("api").key("type"),
                format!(
                    "the export `{export}` describes a {} API: set `api.type` to match",
                    match setup.api_type {
                        ApiType::Rest => "REST",
                        ApiType::Http => "HTTP",
                        ApiType::WebSocket => "WebSocket",
                    }
                ),
            ));
        }
        let mut merged = value.clone();
        let Some(root) = merged.as_object_mut() else {
            return Err(self.err(&JsonPath::root(), "expected an object"));
        };
        if let Some(policy) = &setup.resource_policy {
            if root.contains_key("resourcePolicy") {
                return Err(self.err(
                    &JsonPath::root().key("resourcePolicy"),
                    format!("the export `{export}` has the resource policy already: remove `resourcePolicy` (or `openapi`)"),
                ));
            }
            root.insert("resourcePolicy".to_owned(), policy.raw.clone());
        }
        let auth_path = JsonPath::root().key("auth");
        let auth = root
            .get_mut("auth")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| self.err(&auth_path, "with `openapi`, give `auth`: `{\"type\": \"NONE\"}`, `{\"type\": \"AWS_IAM\"}` or `{\"authorizer\": \"NAME\", \"responses\": ...}`"))?;
        let expected_auth = match auth.remove("authorizer") {
            None => {
                match auth.get("type").and_then(Value::as_str) {
                    Some("NONE") => MethodAuth::None,
                    Some("AWS_IAM") => MethodAuth::AwsIam,
                    _ => return Err(self.err(
                        &auth_path,
                        "with `openapi`, name the export's authorizer: `\"authorizer\": \"NAME\"`",
                    )),
                }
            }
            Some(Value::String(name)) => {
                let Some(authorizer) = setup.authorizer(&name) else {
                    let names: Vec<&str> =
                        setup.authorizers.iter().map(|a| a.name.as_str()).collect();
                    return Err(self.err(
                        &auth_path.key("authorizer"),
                        format!(
                            "the export `{export}` has no authorizer `{name}`{}",
                            json::suggest(&name, &names)
                                .map(|s| format!(": did you mean `{s}`?"))
                                .unwrap_or_default()
                        ),
                    ));
                };
                let kind = match authorizer.authorizer_type {
                    AuthorizerType::Token => "LAMBDA_TOKEN",
                    AuthorizerType::Request => "LAMBDA_REQUEST",
                    other => return Err(self.err(
                        &auth_path.key("authorizer"),
                        format!("authorizer `{name}` is a `{}` authorizer: policy-sim simulates Lambda authorizers (`token`, `request`)", other.name()),
                    )),
                };
                let mut from_export = Map::new();
                from_export.insert("type".to_owned(), json!(kind));
                from_export.insert(
                    "identitySources".to_owned(),
                    json!(
                        authorizer
                            .identity_sources
                            .iter()
                            .map(|s| s.text.clone())
                            .collect::<Vec<_>>()
                    ),
                );
                if let Some(expr) = &authorizer.identity_validation_expression {
                    from_export.insert("identityValidationExpression".to_owned(), json!(expr));
                }
                if let Some(ttl) = authorizer.result_ttl_seconds {
                    from_export.insert("ttlSeconds".to_owned(), json!(ttl));
                }
                if let Some(simple) = authorizer.enable_simple_responses {
                    from_export.insert("simpleResponses".to_owned(), json!(simple));
                }
                if let Some(version) = authorizer.payload_format_version {
                    let v = match version {
                        PayloadFormatVersion::V1_0 => "1.0",
                        PayloadFormatVersion::V2_0 => "2.0",
                    };
                    from_export.insert("payloadFormatVersion".to_owned(), json!(v));
                }
                if let Some(account) = &authorizer.function_account {
                    from_export.insert("account".to_owned(), json!(account));
                }
                for (key, v) in from_export {
                    if auth.contains_key(&key) {
                        return Err(self.err(
                            &auth_path.key(&key),
                            format!("authorizer `{name}` of the export sets `{key}` already: remove it here"),
                        ));
                    }
                    auth.insert(key, v);
                }
                MethodAuth::Authorizer(name)
            }
            Some(other) => {
                return Err(self.err(
                    &auth_path.key("authorizer"),
                    format!(
                        "expected the name of an authorizer, found {}",
                        json::type_name(&other)
                    ),
                ));
            }
        };
        // Every case must call a method the export defines with the simulated authorization.
        if let Some(Value::Array(cases)) = root.get("cases") {
            for (i, case) in cases.iter().enumerate() {
                let request = case.get("request");
                let field = |k: &str| request.and_then(|r| r.get(k)).and_then(Value::as_str);
                let (Some(method), Some(req_path)) = (field("method"), field("path")) else {
                    continue; // the strict parser reports it
                };
                let Some(defined) = setup.methods.iter().find(|m| {
                    (m.verb == "ANY" || m.verb.eq_ignore_ascii_case(method))
                        && path_matches_template(&m.path, req_path)
                }) else {
                    return Err(self.err(
                        &JsonPath::root().key("cases").index(i).key("request"),
                        format!("`{method} {req_path}` is not a method of the export `{export}`"),
                    ));
                };
                if defined.auth != expected_auth {
                    return Err(self.err(
                        &JsonPath::root().key("cases").index(i).key("request"),
                        format!("`{method} {req_path}` is `{} {}` in the export, authorized by {}, not the authorization this scenario simulates: put cases for it in a scenario of their own", defined.verb, defined.path, describe_method_auth(&defined.auth)),
                    ));
                }
            }
        }
        Ok(merged)
    }

    fn policy_err(&self, e: crate::error::PolicyError, prefix: &JsonPath) -> ScenarioError {
        let located = e.within(prefix);
        // The policy error's own text already names the path.
        FileError::new(self.file, None, located.to_string())
    }

    fn api(&self, value: &Value, path: JsonPath) -> Result<Api, ScenarioError> {
        let o = Fields::read(
            self.file,
            value,
            path,
            &[
                "type",
                "partition",
                "region",
                "accountId",
                "apiId",
                "stage",
                "endpoint",
            ],
            is_note,
        )?;
        let api_type = match o.string("type")?.unwrap_or("REST") {
            "REST" => ApiType::Rest,
            "HTTP" => ApiType::Http,
            "WEBSOCKET" => ApiType::WebSocket,
            other => {
                return Err(self.err(
                    &o.path().key("type"),
                    format!("unknown API type `{other}`: use `REST`, `HTTP` or `WEBSOCKET`"),
                ));
            }
        };
        let endpoint = match o.string("endpoint")?.unwrap_or("REGIONAL") {
            "REGIONAL" => EndpointType::Regional,
            "EDGE" => EndpointType::Edge,
            "PRIVATE" => EndpointType::Private,
            other => {
                return Err(self.err(
                    &o.path().key("endpoint"),
                    format!("unknown endpoint type `{other}`: use `REGIONAL`, `EDGE` or `PRIVATE`"),
                ));
            }
        };
        let account_id = o.required("accountId")?;
        if !is_account_id(account_id) {
            return Err(self.err(
                &o.path().key("accountId"),
                format!("`{account_id}` is not a 12-digit AWS account id"),
            ));
        }
        let non_empty = |key: &str| -> Result<String, ScenarioError> {
            let v = o.required(key)?;
            if v.is_empty() || v.contains(['/', ':', '*', '?']) {
                return Err(self.err(
                    &o.path().key(key),
                    format!("`{v}` is not a valid {key}: it must be non-empty, without `/`, `:`, `*` or `?`"),
                ));
            }
            Ok(v.to_owned())
        };
        Ok(Api {
            api_type,
            api_ref: ApiRef {
                partition: o.string("partition")?.unwrap_or("aws").to_owned(),
                region: non_empty("region")?,
                account_id: account_id.to_owned(),
                api_id: non_empty("apiId")?,
            },
            stage: non_empty("stage")?,
            endpoint,
        })
    }

    fn auth(
        &self,
        value: &Value,
        path: JsonPath,
        api: &Api,
    ) -> Result<(Authorization, Option<LambdaSetup>), ScenarioError> {
        let o = Fields::read(
            self.file,
            value,
            path,
            &[
                "type",
                "account",
                "ttlSeconds",
                "identitySources",
                "identityValidationExpression",
                "payloadFormatVersion",
                "simpleResponses",
                "responses",
                "command",
                "commandTimeoutSeconds",
                "rules",
            ],
            is_note,
        )?;
        let kind = match o.required("type")? {
            "NONE" => {
                self.lambda_fields_refused(&o, "NONE", &[])?;
                return Ok((Authorization::None, None));
            }
            "AWS_IAM" => {
                // The contract documents `account` as unused for AWS_IAM: the caller's account
                // comes from `request.principalArn`.
                self.lambda_fields_refused(&o, "AWS_IAM", &["account"])?;
                return Ok((Authorization::AwsIam, None));
            }
            "LAMBDA_TOKEN" => LambdaKind::Token,
            "LAMBDA_REQUEST" => LambdaKind::Request,
            other => return Err(self.err(
                &o.path().key("type"),
                format!("unknown auth type `{other}`: use `NONE`, `AWS_IAM`, `LAMBDA_TOKEN` or `LAMBDA_REQUEST`"),
            )),
        };
        self.lambda(&o, kind, api)
    }

    /// Refuses the Lambda authorizer's fields (all but `type`, notes and `allowed`) on an
    /// `auth` of type `kind`: they would be ignored, and a setting that is silently ignored
    /// reads as one that was checked.
    fn lambda_fields_refused(
        &self,
        o: &Fields<'_>,
        kind: &str,
        allowed: &[&str],
    ) -> Result<(), ScenarioError> {
        let ignored = o
            .map()
            .keys()
            .find(|k| *k != "type" && !is_note(k) && !allowed.contains(&k.as_str()));
        match ignored {
            None => Ok(()),
            Some(key) => Err(self.err(
                &o.path().key(key),
                format!("`{key}` is a Lambda authorizer setting, and `{kind}` authorization has no authorizer: remove it, or use `LAMBDA_TOKEN` / `LAMBDA_REQUEST`"),
            )),
        }
    }

    fn lambda(
        &self,
        o: &Fields<'_>,
        kind: LambdaKind,
        api: &Api,
    ) -> Result<(Authorization, Option<LambdaSetup>), ScenarioError> {
        let format = self.payload_format(o, kind, api)?;
        let account = match o.string("account")? {
            None => api.api_ref.account_id.clone(),
            Some(a) if is_account_id(a) => a.to_owned(),
            Some(a) => {
                return Err(self.err(
                    &o.path().key("account"),
                    format!("`{a}` is not a 12-digit AWS account id"),
                ));
            }
        };
        let sources_path = o.path().key("identitySources");
        let identity_sources = match o.get("identitySources") {
            None if kind == LambdaKind::Token => {
                vec![IdentitySource::Header("Authorization".to_owned())]
            }
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, s)| self.identity_source(s, &sources_path.index(i), api.api_type))
                .collect::<Result<Vec<_>, _>>()?,
            Some(other) => {
                return Err(self.err(
                    &sources_path,
                    format!("expected an array, found {}", json::type_name(other)),
                ));
            }
        };
        if kind == LambdaKind::Token
            && !matches!(identity_sources.as_slice(), [IdentitySource::Header(_)])
        {
            return Err(self.err(
                &sources_path,
                "a TOKEN authorizer has exactly one identity source, a header (`method.request.header.Authorization`)",
            ));
        }
        let ttl_path = o.path().key("ttlSeconds");
        let ttl_seconds = match (o.integer("ttlSeconds")?, api.api_type) {
            (Some(0) | None, ApiType::WebSocket) => 0,
            (Some(_), ApiType::WebSocket) => {
                return Err(self.err(
                    &ttl_path,
                    "WebSocket APIs do not cache authorizer results: remove `ttlSeconds` or set it to 0",
                ))
            }
            // An HTTP API authorizer without identity sources cannot cache: off by default.
            (None, ApiType::Http) if identity_sources.is_empty() => 0,
            (None, _) => crate::cache::DEFAULT_TTL_SECONDS,
            (Some(t), _) => u64::try_from(t)
                .ok()
                .filter(|t| *t <= crate::cache::MAX_TTL_SECONDS)
                .ok_or_else(|| {
                    self.err(
                        &ttl_path,
                        format!("`{t}` is not a TTL API Gateway accepts: use 0 (no caching) to 3600 seconds"),
                    )
                })?,
        };
        if ttl_seconds > 0 && identity_sources.is_empty() {
            return Err(self.err(
                &sources_path,
                "caching needs at least one identity source (the cache key): add one, or set `ttlSeconds` to 0",
            ));
        }
        let validation = match o.string("identityValidationExpression")? {
            None => None,
            Some(_) if kind == LambdaKind::Request => {
                return Err(self.err(
                    &o.path().key("identityValidationExpression"),
                    "`identityValidationExpression` applies to TOKEN authorizers only",
                ));
            }
            Some(expr) => Some(ValidationExpression::new(expr).map_err(|e| {
                self.err(&o.path().key("identityValidationExpression"), e.to_string())
            })?),
        };
        let function = self.function(o)?;
        Ok((
            Authorization::Lambda { account, format },
            Some(LambdaSetup {
                kind,
                format,
                ttl_seconds,
                identity_sources,
                validation,
                function,
            }),
        ))
    }

    /// The payload format from the API type, `payloadFormatVersion` and `simpleResponses`.
    fn payload_format(
        &self,
        o: &Fields<'_>,
        kind: LambdaKind,
        api: &Api,
    ) -> Result<PayloadFormat, ScenarioError> {
        let version = o.string("payloadFormatVersion")?;
        let simple = o.boolean("simpleResponses")?;
        if api.api_type != ApiType::Http {
            for (field, given) in [
                ("payloadFormatVersion", version.is_some()),
                ("simpleResponses", simple.is_some()),
            ] {
                if given {
                    return Err(self.err(
                        &o.path().key(field),
                        format!("`{field}` applies to HTTP APIs only"),
                    ));
                }
            }
        }
        if api.api_type != ApiType::Rest && kind == LambdaKind::Token {
            return Err(self.err(
                &o.path().key("type"),
                "TOKEN authorizers exist on REST APIs only: HTTP and WebSocket APIs use `LAMBDA_REQUEST`",
            ));
        }
        Ok(match api.api_type {
            ApiType::Rest => PayloadFormat::Rest,
            ApiType::WebSocket => PayloadFormat::WebSocket,
            ApiType::Http => match (version.unwrap_or("2.0"), simple.unwrap_or(false)) {
                ("1.0", false) => PayloadFormat::HttpV1,
                ("1.0", true) => {
                    return Err(self.err(
                        &o.path().key("simpleResponses"),
                        "simple responses need `payloadFormatVersion` `2.0`",
                    ));
                }
                ("2.0", simple) => PayloadFormat::HttpV2 { simple },
                (other, _) => {
                    return Err(self.err(
                        &o.path().key("payloadFormatVersion"),
                        format!("unknown payload format version `{other}`: use `1.0` or `2.0`"),
                    ));
                }
            },
        })
    }

    /// One identity source, in the form the API type uses.
    fn identity_source(
        &self,
        value: &Value,
        path: &JsonPath,
        api_type: ApiType,
    ) -> Result<IdentitySource, ScenarioError> {
        let text = value
            .as_str()
            .ok_or_else(|| self.err(path, "expected a string"))?;
        let forms: &[&str] = match api_type {
            ApiType::Rest => &[
                "method.request.header.",
                "method.request.querystring.",
                "stageVariables.",
                "context.",
            ],
            ApiType::Http => &[
                "$request.header.",
                "$request.querystring.",
                "$stageVariables.",
                "$context.",
            ],
            ApiType::WebSocket => &[
                "route.request.header.",
                "route.request.querystring.",
                "stageVariables.",
                "context.",
            ],
        };
        let parsed = forms
            .iter()
            .any(|f| text.starts_with(f))
            .then(|| IdentitySource::parse(text))
            .flatten();
        parsed.ok_or_else(|| {
            self.err(
                path,
                format!(
                    "`{text}` is not an identity source of this API type: use {} (context variables: {})",
                    forms.iter().map(|f| format!("`{f}X`")).collect::<Vec<_>>().join(", "),
                    crate::flow::CONTEXT_IDENTITY_SOURCES
                        .map(|c| format!("`{c}`"))
                        .join(", ")
                ),
            )
        })
    }

    /// What stands in for the function: `responses`, `command` or `rules` (exactly one).
    fn function(&self, o: &Fields<'_>) -> Result<Arc<dyn AuthorizerFunction>, ScenarioError> {
        let given: Vec<&str> = ["responses", "command", "rules"]
            .into_iter()
            .filter(|f| o.contains(f))
            .collect();
        match given.as_slice() {
            [_] => {}
            [] => return Err(self.err(
                o.path(),
                "a Lambda authorizer needs `responses` (a table standing in for the function), `command` (a program) or `rules` (an authorizer rules file)",
            )),
            [_, second, ..] => {
                return Err(self.err(
                    &o.path().key(second),
                    format!("give one of `responses`, `command` and `rules`, not {}", given.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(" and ")),
                ))
            }
        }
        if !o.contains("command") && o.contains("commandTimeoutSeconds") {
            return Err(self.err(
                &o.path().key("commandTimeoutSeconds"),
                "`commandTimeoutSeconds` applies to a `command` only",
            ));
        }
        if let Some(value) = o.get("responses") {
            let Value::Object(map) = value else {
                return Err(self.err(
                    &o.path().key("responses"),
                    format!(
                        "expected an object keyed by identity, found {}",
                        json::type_name(value)
                    ),
                ));
            };
            for (identity, entry) in map {
                if !entry.is_object() {
                    return Err(self.err(
                        &o.path().key("responses").key(identity),
                        "expected an object: the function's response, or `{\"error\": \"Unauthorized\"}`",
                    ));
                }
            }
            return Ok(Arc::new(ResponseTable::new(map.clone())));
        }
        if o.contains("command") {
            let path = o.path().key("command");
            let argv = o.strings("command")?;
            let timeout = match o.get("commandTimeoutSeconds") {
                None => crate::function::DEFAULT_COMMAND_TIMEOUT,
                Some(v) => v
                    .as_f64()
                    .filter(|t| *t > 0.0 && *t <= 900.0)
                    .map(std::time::Duration::from_secs_f64)
                    .ok_or_else(|| {
                        self.err(
                            &o.path().key("commandTimeoutSeconds"),
                            "expected a number of seconds above 0, at most 900 (the Lambda maximum)",
                        )
                    })?,
            };
            let command = CommandFunction::new(argv, self.dir, timeout).ok_or_else(|| {
                self.err(
                    &path,
                    "expected the program and its arguments, such as `[\"./authorizer\", \"invoke\", \"--config\", \"rules.json\"]`",
                )
            })?;
            if self.check_programs {
                // A program that cannot be started is the scenario's mistake: simulated, it
                // would be an authorizer failure (500) that a case could expect and pass.
                command
                    .resolve_program()
                    .map_err(|why| self.err(&path.index(0), why))?;
            }
            return Ok(Arc::new(command));
        }
        let path = o.path().key("rules");
        let file = o.required("rules")?;
        let Some(loader) = self.options.rules_loader else {
            return Err(self.err(
                &path,
                "`rules` authorizers run in `policy-sim` (the apigw-authz package); policy-engine alone cannot load them: use `policy_sim`'s scenario runner or a `command`",
            ));
        };
        loader(&self.dir.join(file)).map_err(|e| self.err(&path, e))
    }

    fn case(
        &self,
        value: &Value,
        path: JsonPath,
        api_type: ApiType,
    ) -> Result<Case, ScenarioError> {
        let o = Fields::read(
            self.file,
            value,
            path,
            &["name", "at", "request", "expect"],
            is_note,
        )?;
        let name = o.required("name")?.to_owned();
        let at = o.integer("at")?.unwrap_or(0);
        if at < 0 {
            return Err(self.err(&o.path().key("at"), "`at` must not be negative"));
        }
        let request_value = o
            .get("request")
            .ok_or_else(|| self.err(o.path(), "missing required field `request`"))?;
        let request = self.request(request_value, o.path().key("request"), api_type)?;
        let expect = match o.get("expect") {
            None => Expectation::default(),
            Some(e) => self.expectation(e, o.path().key("expect"))?,
        };
        Ok(Case {
            name,
            at,
            request,
            expect,
        })
    }

    fn request(
        &self,
        value: &Value,
        path: JsonPath,
        api_type: ApiType,
    ) -> Result<ApiRequest, ScenarioError> {
        let o = Fields::read(
            self.file,
            value,
            path,
            &[
                "method",
                "path",
                "headers",
                "query",
                "stageVariables",
                "sourceIp",
                "sourceVpce",
                "sourceVpc",
                "principalArn",
                "identityPolicies",
                "context",
                "action",
                "routeKey",
            ],
            is_note,
        )?;
        // A WebSocket connection is an upgrade request: `GET /` unless the case says otherwise.
        let websocket = api_type == ApiType::WebSocket;
        let method = match o.string("method")? {
            None if websocket => "GET".to_owned(),
            _ => o.required("method")?.to_owned(),
        };
        if method.is_empty() || method.contains(['/', ' ']) {
            return Err(self.err(
                &o.path().key("method"),
                format!("`{method}` is not an HTTP method"),
            ));
        }
        let req_path = match o.string("path")? {
            None if websocket => "/".to_owned(),
            _ => o.required("path")?.to_owned(),
        };
        if !req_path.starts_with('/') {
            return Err(self.err(
                &o.path().key("path"),
                format!("path `{req_path}` must start with `/`"),
            ));
        }
        let source_ip = match o.string("sourceIp")? {
            None => None,
            Some(ip) => Some(ip.parse::<IpAddr>().map(|ip| ip.to_canonical()).map_err(|_| {
                self.err(
                    &o.path().key("sourceIp"),
                    format!("`{ip}` is not an IP address: give an IPv4 or IPv6 address such as `192.0.2.10`"),
                )
            })?),
        };
        let identity_policies = match o.get("identityPolicies") {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    PolicyDocument::from_json(p, PolicyKind::Identity, None)
                        .map_err(|e| self.policy_err(e, &o.path().key("identityPolicies").index(i)))
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(self.err(
                    &o.path().key("identityPolicies"),
                    format!(
                        "expected an array of policies, found {}",
                        json::type_name(other)
                    ),
                ));
            }
        };
        let principal = o
            .string("principalArn")?
            .map(|arn| {
                crate::principal::IamCaller::from_arn(arn)
                    .map_err(|e| self.err(&o.path().key("principalArn"), e.to_string()))
            })
            .transpose()?;
        let context = match o.get("context") {
            None => Vec::new(),
            Some(v) => self.context(v, o.path().key("context"))?,
        };
        Ok(ApiRequest {
            method,
            path: req_path,
            headers: o.string_map("headers")?,
            query: o.string_map("query")?,
            stage_variables: o.string_map("stageVariables")?,
            source_ip,
            source_vpce: o.string("sourceVpce")?.map(str::to_owned),
            source_vpc: o.string("sourceVpc")?.map(str::to_owned),
            principal,
            identity_policies,
            context,
            action: o.string("action")?.map(str::to_owned),
            route_key: o.string("routeKey")?.map(str::to_owned),
        })
    }

    fn context(
        &self,
        value: &Value,
        path: JsonPath,
    ) -> Result<Vec<(ContextKey, ContextValue)>, ScenarioError> {
        let Value::Object(map) = value else {
            return Err(self.err(&path, "expected an object of condition keys"));
        };
        let scalar = |v: &Value, p: &JsonPath| -> Result<String, ScenarioError> {
            match v {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                Value::Bool(b) => Ok(b.to_string()),
                other => Err(self.err(
                    p,
                    format!(
                        "expected a string, number or boolean, found {}",
                        json::type_name(other)
                    ),
                )),
            }
        };
        let mut out = Vec::new();
        for (key, v) in map {
            let p = path.key(key);
            if !key.contains(':') {
                return Err(self.err(
                    &p,
                    format!("condition key `{key}` has no service prefix: keys look like `aws:UserAgent`"),
                ));
            }
            let value = match v {
                Value::Array(items) => {
                    let texts = items
                        .iter()
                        .enumerate()
                        .map(|(i, item)| scalar(item, &p.index(i)))
                        .collect::<Result<Vec<_>, _>>()?;
                    ContextValue::multi(texts.iter().map(String::as_str))
                }
                other => ContextValue::single(&scalar(other, &p)?),
            };
            let key = ContextKey::new(key);
            if matches!(
                key.known_key(),
                Some(crate::context::KnownKey::SourceIp | crate::context::KnownKey::VpcSourceIp)
            ) && value.values().iter().any(|t| t.ip().is_none())
            {
                return Err(self.err(&p, format!("`{key}` must be an IP address")));
            }
            out.push((key, value));
        }
        Ok(out)
    }

    fn expectation(&self, value: &Value, path: JsonPath) -> Result<Expectation, ScenarioError> {
        let o = Fields::read(
            self.file,
            value,
            path,
            &[
                "status",
                "decision",
                "authorizerInvoked",
                "cacheHit",
                "principalId",
                "context",
            ],
            is_note,
        )?;
        let status = match o.integer("status")? {
            None => None,
            Some(s @ (200 | 401 | 403 | 414 | 500)) => u16::try_from(s).ok(),
            Some(s) => {
                return Err(self.err(
                    &o.path().key("status"),
                    format!(
                    "status `{s}` is not one the gateway answers here: use 200, 401, 403, 414 or 500"
                ),
                ))
            }
        };
        let decision = match o.string("decision")? {
            None => None,
            Some(d) => Some(PolicyOutcome::from_name(d).ok_or_else(|| {
                self.err(
                    &o.path().key("decision"),
                    format!(
                        "unknown decision `{d}`: use `Allow`, `ExplicitDeny` or `ImplicitDeny`"
                    ),
                )
            })?),
        };
        let context = match o.get("context") {
            None => None,
            Some(Value::Object(m)) => Some(m.clone()),
            Some(other) => {
                return Err(self.err(
                    &o.path().key("context"),
                    format!("expected an object, found {}", json::type_name(other)),
                ));
            }
        };
        Ok(Expectation {
            status,
            decision,
            authorizer_invoked: o.boolean("authorizerInvoked")?,
            cache_hit: o.boolean("cacheHit")?,
            principal_id: o.string("principalId")?.map(str::to_owned),
            context,
            raw: value.clone(),
        })
    }
}

#[cfg(test)]
mod tests;
