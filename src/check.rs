//! `policy-sim check`: one request through the simulated gateway, described by command-line
//! flags (policy files, the request, the caller) or picked by name from a scenario file.
//!
//! Flags become a one-case scenario, so a request is checked by exactly the code that runs
//! `policy-sim test`. The API (partition, region, account, id, stage) comes from `--api` /
//! `--method-arn`, else from the first full execute-api ARN in the given policies.
//!
//! ```
//! use apigw_authz::check::{check_flags, FlagRequest};
//!
//! let dir = std::env::temp_dir().join(format!("apigw-authz-check-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! // A resource policy that lets the office network read the pets.
//! std::fs::write(dir.join("policy.json"), r#"{"Version": "2012-10-17", "Statement": [{
//!   "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
//!   "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
//!   "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]}"#)?;
//!
//! // policy-sim check --resource-policy policy.json --method GET --path /pets --source-ip ...
//! let mut flags = FlagRequest {
//!     resource_policy: Some(dir.join("policy.json")),
//!     method: Some("GET".to_owned()),
//!     path: Some("/pets".to_owned()),
//!     source_ip: Some("192.0.2.10".to_owned()),
//!     ..FlagRequest::default()
//! };
//! assert!(check_flags(&flags)?.allowed());
//! flags.source_ip = Some("203.0.113.5".to_owned());
//! let report = check_flags(&flags)?;
//! assert!(!report.allowed());
//! assert_eq!(report.case.actual["status"], 403);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use policy_engine::PolicyDocument;
use policy_engine::arn::{ArnParts, MethodArn};
use policy_engine::json::FileError;
use policy_engine::scenario::{self, CaseReport, Scenario};
use serde_json::{Map, Value, json};

/// A request described by flags: each field is one `policy-sim check` flag. Build it with
/// `..FlagRequest::default()` for the flags not given.
///
/// ```
/// use apigw_authz::check::{check_flags, FlagRequest};
///
/// // No policy, no authorizer: with `--api` and `--stage` the request simply goes through.
/// let flags = FlagRequest {
///     api: Some("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5".to_owned()),
///     stage: Some("prod".to_owned()),
///     method: Some("GET".to_owned()),
///     path: Some("/pets".to_owned()),
///     ..FlagRequest::default()
/// };
/// assert!(check_flags(&flags)?.allowed());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct FlagRequest {
    /// `--resource-policy`: a policy file (an object, the escaped string `get-rest-api`
    /// returns, or the whole `get-rest-api` output).
    pub resource_policy: Option<PathBuf>,
    /// `--authorizer-output`: a Lambda authorizer's response (or `{"error": "Unauthorized"}`).
    pub authorizer_output: Option<PathBuf>,
    /// `--identity-policy`: the IAM caller's identity policies (AWS_IAM).
    pub identity_policies: Vec<PathBuf>,
    /// `--method-arn`: the whole method ARN (API, stage, verb and path at once).
    pub method_arn: Option<String>,
    /// `--api`: `arn:aws:execute-api:REGION:ACCOUNT:API_ID`.
    pub api: Option<String>,
    /// `--stage`.
    pub stage: Option<String>,
    /// `--endpoint`: `REGIONAL`, `EDGE` or `PRIVATE`.
    pub endpoint: Option<String>,
    /// `--method`.
    pub method: Option<String>,
    /// `--path`.
    pub path: Option<String>,
    /// `--source-ip`.
    pub source_ip: Option<String>,
    /// `--vpce`.
    pub vpce: Option<String>,
    /// `--vpc`.
    pub vpc: Option<String>,
    /// `--caller-arn`: a SigV4-signed IAM caller (AWS_IAM).
    pub caller_arn: Option<String>,
    /// `--caller-account`: with `--authorizer-output`, the authorizer's account; otherwise an
    /// IAM caller `arn:aws:iam::ACCOUNT:root`.
    pub caller_account: Option<String>,
    /// `--header NAME=VALUE`.
    pub headers: Vec<(String, String)>,
    /// `--query NAME=VALUE`.
    pub query: Vec<(String, String)>,
    /// `--context KEY=VALUE` condition keys.
    pub context: Vec<(String, String)>,
    /// `--at`: the request time (ISO 8601 or epoch seconds).
    pub at: Option<String>,
}

/// What `check` decided for one request. More fields may be added.
///
/// ```
/// use apigw_authz::check::{check_flags, FlagRequest};
///
/// # let dir = std::env::temp_dir().join(format!("apigw-authz-check-{}-{}", std::process::id(), line!()));
/// # std::fs::create_dir_all(&dir)?;
/// # std::fs::write(dir.join("policy.json"), r#"{"Version": "2012-10-17", "Statement": [{
/// #   "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #   "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
/// #   "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]}"#)?;
/// let report = check_flags(&FlagRequest {
///     resource_policy: Some(dir.join("policy.json")),
///     method_arn: Some("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets".to_owned()),
///     source_ip: Some("192.0.2.10".to_owned()),
///     ..FlagRequest::default()
/// })?;
/// assert_eq!(report.source, "command line");
/// assert_eq!(report.request_line, "GET /pets");
/// assert!(report.case.explanation.contains("Allow"));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CheckReport {
    /// Where the request came from: `command line` or `FILE :: CASE`.
    pub source: String,
    /// The method and path.
    pub request_line: String,
    /// The decision, as the case report of a scenario run.
    pub case: CaseReport,
}

impl CheckReport {
    /// Whether the request reached the integration (status 200).
    ///
    /// ```
    /// use apigw_authz::check::{check_flags, FlagRequest};
    ///
    /// # let dir = std::env::temp_dir().join(format!("apigw-authz-check-{}-{}", std::process::id(), line!()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # std::fs::write(dir.join("policy.json"), r#"{"Version": "2012-10-17", "Statement": [{
    /// #   "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    /// #   "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
    /// #   "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]}"#)?;
    /// let outside = FlagRequest {
    ///     resource_policy: Some(dir.join("policy.json")),
    ///     method: Some("GET".to_owned()),
    ///     path: Some("/pets".to_owned()),
    ///     source_ip: Some("203.0.113.5".to_owned()),
    ///     ..FlagRequest::default()
    /// };
    /// assert!(!check_flags(&outside)?.allowed());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allowed(&self) -> bool {
        self.case.actual.get("status").and_then(Value::as_u64) == Some(200)
    }

    /// The JSON of `check --format json`: `source`, `request`, `allowed`, `result` (the
    /// case's actual outcome) and `explanation` (one string per line).
    ///
    /// ```
    /// use apigw_authz::check::{check_flags, FlagRequest};
    ///
    /// # let dir = std::env::temp_dir().join(format!("apigw-authz-check-{}-{}", std::process::id(), line!()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # std::fs::write(dir.join("policy.json"), r#"{"Version": "2012-10-17", "Statement": [{
    /// #   "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    /// #   "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
    /// #   "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]}"#)?;
    /// let report = check_flags(&FlagRequest {
    ///     resource_policy: Some(dir.join("policy.json")),
    ///     method: Some("GET".to_owned()),
    ///     path: Some("/pets".to_owned()),
    ///     source_ip: Some("192.0.2.10".to_owned()),
    ///     ..FlagRequest::default()
    /// })?;
    /// let json = report.to_json();
    /// assert_eq!(json["allowed"], true);
    /// assert_eq!(json["request"], "GET /pets");
    /// assert_eq!(json["result"]["status"], 200);
    /// assert!(json["explanation"].is_array());
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self) -> Value {
        json!({
            "source": self.source,
            "request": self.request_line,
            "allowed": self.allowed(),
            "result": self.case.actual,
            "explanation": self.case.explanation.lines().collect::<Vec<_>>(),
        })
    }
}

/// The file name flag errors are reported under.
const COMMAND_LINE: &str = "command line";

fn flag_error(flag: &str, problem: impl std::fmt::Display) -> FileError {
    FileError::new(COMMAND_LINE, None, format!("`--{flag}`: {problem}"))
}

/// Check the case named `case` of a scenario file. Earlier cases run first, since they share
/// the authorizer cache (a later case's cache hit depends on them).
///
/// # Errors
///
/// A [`FileError`] when the file cannot be loaded or has no case named `case` (the message
/// suggests the closest name, or lists them).
///
/// ```
/// use apigw_authz::check::check_case;
///
/// let dir = std::env::temp_dir().join(format!("apigw-authz-case-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let file = dir.join("pets.json");
/// std::fs::write(&file, r#"{
///   "api": {"region": "us-east-1", "accountId": "123456789012", "apiId": "a1b2c3d4e5", "stage": "prod"},
///   "auth": {"type": "NONE"},
///   "resourcePolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
///     "Action": "execute-api:Invoke", "Resource": "execute-api:/prod/DELETE/*"}]},
///   "cases": [
///     {"name": "read", "request": {"method": "GET", "path": "/pets"}},
///     {"name": "delete", "request": {"method": "DELETE", "path": "/pets/7"}}
///   ]
/// }"#)?;
/// let report = check_case(&file, "delete")?;
/// assert_eq!(report.request_line, "DELETE /pets/7");
/// assert!(!report.allowed());
/// let typo = check_case(&file, "delet").unwrap_err();
/// assert!(typo.to_string().contains("did you mean `delete`?"));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn check_case(file: &Path, case: &str) -> Result<CheckReport, FileError> {
    let scenario = crate::load_file(file)?;
    let Some(index) = scenario.cases.iter().position(|c| c.name == case) else {
        let names: Vec<&str> = scenario.cases.iter().map(|c| c.name.as_str()).collect();
        let hint = policy_engine::json::suggest(case, &names)
            .map(|s| format!(": did you mean `{s}`?"))
            .unwrap_or_else(|| {
                format!(
                    ": its cases are {}",
                    names
                        .iter()
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            });
        return Err(FileError::new(
            &file.display().to_string(),
            None,
            format!("no case is named `{case}`{hint}"),
        ));
    };
    let mut upto = scenario.clone();
    upto.cases.truncate(index.saturating_add(1));
    report(
        &upto,
        format!("{} :: {case}", file.display()),
        request_line(&upto),
    )
}

/// Check one request described by flags: they become a one-case scenario, run by the same
/// code as `policy-sim test`.
///
/// # Errors
///
/// A [`FileError`] under the file name `command line` for flags that do not make a request
/// (no method and path, both `--method-arn` and `--method`, no way to tell the API), or
/// naming the policy file that cannot be read or is not JSON.
///
/// ```
/// use apigw_authz::check::{check_flags, FlagRequest};
///
/// let no_api = FlagRequest {
///     method: Some("GET".to_owned()),
///     path: Some("/pets".to_owned()),
///     ..FlagRequest::default()
/// };
/// let error = check_flags(&no_api).unwrap_err();
/// assert!(error.to_string().contains("cannot tell which API is called"));
/// ```
pub fn check_flags(flags: &FlagRequest) -> Result<CheckReport, FileError> {
    let policies = read_policy_files(flags)?;
    let api = api_json(flags, &policies)?;
    let (method, path) = match (&flags.method_arn, &flags.method, &flags.path) {
        (Some(arn), None, None) => {
            let parsed = MethodArn::parse(arn).map_err(|e| flag_error("method-arn", e))?;
            let text = parsed.as_str();
            // `.../stage/VERB/path`: the verb and path follow the stage.
            let after_stage = text
                .split_once(&format!("/{}/", parsed.stage()))
                .map(|(_, rest)| rest)
                .unwrap_or_default();
            let (verb, rest) = after_stage.split_once('/').unwrap_or((after_stage, ""));
            (verb.to_owned(), format!("/{rest}"))
        }
        (Some(_), _, _) => {
            return Err(flag_error(
                "method-arn",
                "gives the method and path already: drop `--method` and `--path`",
            ));
        }
        (None, Some(m), Some(p)) => (m.clone(), p.clone()),
        (None, _, _) => {
            return Err(flag_error(
                "method",
                "the request needs `--method` and `--path` (or `--method-arn`)",
            ));
        }
    };
    let mut request = Map::new();
    request.insert("method".into(), json!(method));
    request.insert("path".into(), json!(path));
    let pairs = |items: &[(String, String)]| -> Value {
        Value::Object(
            items
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect(),
        )
    };
    if !flags.headers.is_empty() {
        request.insert("headers".into(), pairs(&flags.headers));
    }
    if !flags.query.is_empty() {
        request.insert("query".into(), pairs(&flags.query));
    }
    if !flags.context.is_empty() {
        request.insert("context".into(), pairs(&flags.context));
    }
    for (key, value) in [
        ("sourceIp", &flags.source_ip),
        ("sourceVpce", &flags.vpce),
        ("sourceVpc", &flags.vpc),
    ] {
        if let Some(v) = value {
            request.insert(key.into(), json!(v));
        }
    }
    let mut auth = Map::new();
    match (&flags.authorizer_output, &policies.authorizer_output) {
        (Some(_), Some(output)) => {
            if flags.caller_arn.is_some() || !flags.identity_policies.is_empty() {
                return Err(flag_error(
                    "authorizer-output",
                    "a method has one authorizer: give `--authorizer-output` (Lambda) or `--caller-arn` / `--identity-policy` (AWS_IAM), not both",
                ));
            }
            // A REQUEST authorizer without identity sources or caching: invoked once, it
            // answers what the file holds.
            auth.insert("type".into(), json!("LAMBDA_REQUEST"));
            auth.insert("ttlSeconds".into(), json!(0));
            auth.insert("responses".into(), json!({ "": output }));
            if let Some(account) = &flags.caller_account {
                auth.insert("account".into(), json!(account));
            }
        }
        _ => {
            let caller = flags.caller_arn.clone().or_else(|| {
                flags
                    .caller_account
                    .as_ref()
                    .map(|a| format!("arn:aws:iam::{a}:root"))
            });
            match caller {
                Some(arn) => {
                    auth.insert("type".into(), json!("AWS_IAM"));
                    request.insert("principalArn".into(), json!(arn));
                    request.insert(
                        "identityPolicies".into(),
                        Value::Array(policies.identity.clone()),
                    );
                }
                None if !flags.identity_policies.is_empty() => {
                    return Err(flag_error(
                        "identity-policy",
                        "identity policies belong to an IAM caller: add `--caller-arn`",
                    ));
                }
                None => {
                    auth.insert("type".into(), json!("NONE"));
                }
            }
        }
    }
    let mut scenario = Map::new();
    scenario.insert("api".into(), api);
    if let Some(p) = &policies.resource {
        scenario.insert("resourcePolicy".into(), p.clone());
    }
    if let Some(at) = &flags.at {
        scenario.insert("startTime".into(), json!(at));
    }
    scenario.insert("auth".into(), Value::Object(auth));
    scenario.insert(
        "cases".into(),
        json!([{ "name": COMMAND_LINE, "request": request }]),
    );
    let parsed = scenario::parse(COMMAND_LINE, &Value::Object(scenario).to_string())
        .map_err(|e| FileError::new(COMMAND_LINE, None, flag_problem(&e)))?;
    report(&parsed, COMMAND_LINE.to_owned(), format!("{method} {path}"))
}

/// A scenario error about the generated scenario, told in terms of the flags.
fn flag_problem(e: &FileError) -> String {
    const FLAGS: [(&str, &str); 9] = [
        ("cases[0].request.sourceIp", "--source-ip"),
        ("cases[0].request.sourceVpce", "--vpce"),
        ("cases[0].request.sourceVpc", "--vpc"),
        ("cases[0].request.method", "--method"),
        ("cases[0].request.path", "--path"),
        ("cases[0].request.principalArn", "--caller-arn"),
        ("cases[0].request.context", "--context"),
        ("auth.account", "--caller-account"),
        ("startTime", "--at"),
    ];
    let path = e.path().map(|p| p.as_str().to_owned()).unwrap_or_default();
    let flag = FLAGS
        .iter()
        .find(|(prefix, _)| path.starts_with(prefix))
        .map(|(_, flag)| *flag)
        .or_else(|| {
            path.starts_with("api.")
                .then_some("--api / --stage / --endpoint")
        });
    match flag {
        Some(flag) => format!("`{flag}`: {}", e.problem()),
        None => e.to_string(),
    }
}

fn report(
    scenario: &Scenario,
    source: String,
    request_line: String,
) -> Result<CheckReport, FileError> {
    let file = scenario::run(scenario);
    // A case that could not be checked (its authorizer `command` could not be started) is not
    // a decision to report: the 500 it got is not the authorizer's.
    if let Some(error) = file.cases.iter().find_map(|c| c.error.as_deref()) {
        return Err(FileError::new(&source, None, error));
    }
    let case = file
        .cases
        .into_iter()
        .last()
        .ok_or_else(|| FileError::new(&source, None, "there is no case to check"))?;
    Ok(CheckReport {
        source,
        request_line,
        case,
    })
}

fn request_line(scenario: &Scenario) -> String {
    scenario
        .cases
        .last()
        .map(|c| format!("{} {}", c.request.method, c.request.path))
        .unwrap_or_default()
}

/// The policy files, read and checked for JSON (full validation happens with the API known).
struct PolicyFiles {
    resource: Option<Value>,
    authorizer_output: Option<Value>,
    identity: Vec<Value>,
}

fn read_json(path: &Path) -> Result<Value, FileError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| FileError::new(&name, None, format!("cannot read the file ({e})")))?;
    policy_engine::json::parse_strict(&text)
        .map_err(|e| FileError::new(&name, None, format!("not valid JSON: {e}")))
}

fn read_policy_files(flags: &FlagRequest) -> Result<PolicyFiles, FileError> {
    let resource = match &flags.resource_policy {
        None => None,
        Some(path) => {
            let value = read_json(path)?;
            Some(rest_api_policy(&value).cloned().unwrap_or(value))
        }
    };
    let authorizer_output = flags
        .authorizer_output
        .as_deref()
        .map(read_json)
        .transpose()?;
    let identity = flags
        .identity_policies
        .iter()
        .map(|p| {
            let value = read_json(p)?;
            PolicyDocument::from_json(&value, policy_engine::PolicyKind::Identity, None)
                .map_err(|e| FileError::new(&p.display().to_string(), None, e.to_string()))?;
            Ok(value)
        })
        .collect::<Result<Vec<_>, FileError>>()?;
    Ok(PolicyFiles {
        resource,
        authorizer_output,
        identity,
    })
}

/// The scenario's `api` object from the flags, or from the first full execute-api ARN in the
/// policies.
fn api_json(flags: &FlagRequest, policies: &PolicyFiles) -> Result<Value, FileError> {
    let from_flag = flags.method_arn.as_deref().or(flags.api.as_deref());
    let arn = match from_flag {
        Some(a) => a.to_owned(),
        None => first_api_arn(
            [&policies.resource, &policies.authorizer_output]
                .into_iter()
                .flatten(),
        )
        .ok_or_else(|| {
            flag_error(
                "api",
                "cannot tell which API is called: give `--api arn:aws:execute-api:REGION:ACCOUNT:API_ID` (with `--stage`) or `--method-arn`",
            )
        })?,
    };
    let flag = if flags.method_arn.is_some() {
        "method-arn"
    } else {
        "api"
    };
    let parts = ArnParts::parse(&arn)
        .filter(|p| p.service == "execute-api")
        .ok_or_else(|| flag_error(flag, format!("`{arn}` is not an execute-api ARN")))?;
    let mut segments = parts.resource.split('/');
    let api_id = segments.next().unwrap_or_default();
    let stage_in_arn = segments
        .next()
        .filter(|s| !s.is_empty() && !s.contains(['*', '?']));
    let stage = match (&flags.stage, stage_in_arn) {
        (Some(s), _) => s.clone(),
        (None, Some(s)) => s.to_owned(),
        (None, None) => {
            return Err(flag_error(
                "stage",
                format!("the stage of `{arn}` is not known: give `--stage`"),
            ));
        }
    };
    let mut api = json!({
        "partition": parts.partition,
        "region": parts.region,
        "accountId": parts.account,
        "apiId": api_id,
        "stage": stage,
    });
    if let (Some(endpoint), Some(o)) = (&flags.endpoint, api.as_object_mut()) {
        o.insert("endpoint".into(), json!(endpoint.to_ascii_uppercase()));
    }
    Ok(api)
}

/// The resource policy inside `aws apigateway get-rest-api` output (its `policy` member), or
/// `None` when `value` is not such output (a policy object or string itself).
///
/// ```
/// use apigw_authz::check::rest_api_policy;
/// use serde_json::json;
///
/// let output = json!({"id": "a1b2c3d4e5", "name": "pets",
///     "policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}"});
/// assert_eq!(rest_api_policy(&output), output.get("policy"));
/// assert_eq!(rest_api_policy(&json!({"Statement": []})), None);
/// ```
pub fn rest_api_policy(value: &Value) -> Option<&Value> {
    value
        .get("Statement")
        .is_none()
        .then(|| value.get("policy"))
        .flatten()
}

/// The first execute-api ARN among the strings of `values` (policies, escaped or not) whose
/// partition, region, account and API id are all concrete.
///
/// ```
/// use apigw_authz::check::first_api_arn;
/// use serde_json::json;
///
/// let policy = json!({"Statement": [
///     {"Effect": "Allow", "Resource": "arn:aws:execute-api:*:*:*/prod/GET/*"},
///     {"Effect": "Deny", "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/DELETE/*"}
/// ]});
/// assert_eq!(
///     first_api_arn([&policy]).as_deref(),
///     Some("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/DELETE/*")
/// );
/// ```
pub fn first_api_arn<'v>(values: impl IntoIterator<Item = &'v Value>) -> Option<String> {
    let mut texts = Vec::new();
    for v in values {
        collect_strings(v, &mut texts);
    }
    texts.into_iter().find(|text| {
        ArnParts::parse(text).is_some_and(|parts| {
            let api_id = parts.resource.split('/').next().unwrap_or_default();
            let concrete = |s: &str| !s.is_empty() && !s.contains(['*', '?']);
            parts.service == "execute-api"
                && [parts.partition, parts.region, parts.account, api_id]
                    .into_iter()
                    .all(concrete)
        })
    })
}

fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            // A policy given as an escaped string: look inside it too.
            match serde_json::from_str::<Value>(s) {
                Ok(inner @ (Value::Object(_) | Value::String(_))) => collect_strings(&inner, out),
                _ => out.push(s.clone()),
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, out)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}
