//! `policy-sim lint`: a static review of a scenario file, a resource policy, or an OpenAPI
//! export, before anything is deployed. The lints live in `policy_engine::lint`; this module
//! reads the input, tells its kind apart, and adds the review only this package can make: the
//! largest policy a rules-file authorizer can return.
//!
//! ```
//! use apigw_authz::lint::{lint_file, AssumedAuth, InputKind};
//! use policy_engine::lint::Severity;
//!
//! let dir = std::env::temp_dir().join(format!("apigw-authz-lint-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! // A Regional API's resource policy that only allows calls through a VPC endpoint: a
//! // Regional endpoint never has `aws:SourceVpce`, so the allow can never match.
//! let policy = dir.join("policy.json");
//! std::fs::write(&policy, r#"{"Version": "2012-10-17", "Statement": [{
//!   "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
//!   "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
//!   "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}]}"#)?;
//!
//! // policy-sim lint policy.json
//! let report = lint_file(&policy, None, AssumedAuth::Unknown)?;
//! assert_eq!(report.kind, InputKind::Policy);
//! assert!(report.findings.iter().any(|f| f.code == "condition-key-unavailable"));
//! assert!(report.count(Severity::Error) + report.count(Severity::Warning) > 0);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::Path;

use authorizer::builder::PolicyBuilder;
use authorizer::rules::{Config, RouteSpec};
use policy_engine::arn::{ApiRef, MethodArn};
use policy_engine::flow::{Api, ApiType, Authorization, EndpointType};
use policy_engine::json::{FileError, JsonPath};
use policy_engine::lint::{self, AuthKind, Finding, MethodsAuth, Severity, setup};
use policy_engine::scenario::FileKind;
use policy_engine::{PolicyDocument, PolicyKind};
use serde_json::{Value, json};

/// What kind of file was reviewed, as [`lint_file`] told it from its content. More kinds may
/// be added.
///
/// ```
/// use apigw_authz::lint::{lint_file, AssumedAuth, InputKind};
///
/// # let dir = std::env::temp_dir().join(format!("apigw-authz-lint-{}-{}", std::process::id(), line!()));
/// # std::fs::create_dir_all(&dir)?;
/// # // An authorizer response without `principalId`: API Gateway answers 500 to it.
/// # std::fs::write(dir.join("response.json"), r#"{"policyDocument": {"Version": "2012-10-17",
/// #   "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
/// #   "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}]}}"#)?;
/// let report = lint_file(&dir.join("response.json"), None, AssumedAuth::Unknown)?;
/// assert_eq!(report.kind, InputKind::AuthorizerOutput);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InputKind {
    /// A scenario file (`api`, `auth`, `cases`).
    Scenario,
    /// A resource policy: an object, the escaped string, or `get-rest-api` output.
    Policy,
    /// An OpenAPI (or Swagger) export with `x-amazon-apigateway-*` extensions.
    OpenApi,
    /// A Lambda authorizer's response (`principalId`, `policyDocument`, `context`).
    AuthorizerOutput,
}

impl InputKind {
    /// `scenario`, `policy`, `openapi` or `authorizer output`: the `kind` of
    /// `lint --format json`.
    ///
    /// ```
    /// use apigw_authz::lint::InputKind;
    ///
    /// assert_eq!(InputKind::OpenApi.name(), "openapi");
    /// assert_eq!(InputKind::AuthorizerOutput.name(), "authorizer output");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            InputKind::Scenario => "scenario",
            InputKind::Policy => "policy",
            InputKind::OpenApi => "openapi",
            InputKind::AuthorizerOutput => "authorizer output",
        }
    }
}

/// The findings for one file. More fields may be added.
///
/// ```
/// use apigw_authz::lint::{lint_file, AssumedAuth};
///
/// # let dir = std::env::temp_dir().join(format!("apigw-authz-lint-{}-{}", std::process::id(), line!()));
/// # std::fs::create_dir_all(&dir)?;
/// # // An authorizer response without `principalId`: API Gateway answers 500 to it.
/// # std::fs::write(dir.join("response.json"), r#"{"policyDocument": {"Version": "2012-10-17",
/// #   "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
/// #   "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}]}}"#)?;
/// let report = lint_file(&dir.join("response.json"), None, AssumedAuth::Unknown)?;
/// assert!(report.file.ends_with("response.json"));
/// assert_eq!(report.findings[0].code, "invalid-authorizer-output");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct LintReport {
    /// The file as given.
    pub file: String,
    /// What it was read as.
    pub kind: InputKind,
    /// The findings, errors first.
    pub findings: Vec<Finding>,
}

impl LintReport {
    /// Findings of this severity.
    ///
    /// ```
    /// use apigw_authz::lint::{lint_file, AssumedAuth};
    /// use policy_engine::lint::Severity;
    ///
    /// # let dir = std::env::temp_dir().join(format!("apigw-authz-lint-{}-{}", std::process::id(), line!()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # // An authorizer response without `principalId`: API Gateway answers 500 to it.
    /// # std::fs::write(dir.join("response.json"), r#"{"policyDocument": {"Version": "2012-10-17",
    /// #   "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
    /// #   "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}]}}"#)?;
    /// let report = lint_file(&dir.join("response.json"), None, AssumedAuth::Unknown)?;
    /// assert_eq!(report.count(Severity::Error), 1);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// The JSON of `lint --format json` for this file: `file`, `kind` and `findings`.
    ///
    /// ```
    /// use apigw_authz::lint::{lint_file, AssumedAuth};
    ///
    /// # let dir = std::env::temp_dir().join(format!("apigw-authz-lint-{}-{}", std::process::id(), line!()));
    /// # std::fs::create_dir_all(&dir)?;
    /// # // An authorizer response without `principalId`: API Gateway answers 500 to it.
    /// # std::fs::write(dir.join("response.json"), r#"{"policyDocument": {"Version": "2012-10-17",
    /// #   "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
    /// #   "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}]}}"#)?;
    /// let json = lint_file(&dir.join("response.json"), None, AssumedAuth::Unknown)?.to_json();
    /// assert_eq!(json["kind"], "authorizer output");
    /// assert_eq!(json["findings"][0]["code"], "invalid-authorizer-output");
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self) -> Value {
        json!({
            "file": self.file,
            "kind": self.kind.name(),
            "findings": self.findings.iter().map(Finding::to_json).collect::<Vec<_>>(),
        })
    }
}

/// How a bare policy's methods are authorized (`--auth`); scenario files and OpenAPI exports
/// say it themselves. API Gateway has more authorization types than these, so more may be
/// added.
///
/// ```
/// use apigw_authz::lint::{lint_file, AssumedAuth};
///
/// let dir = std::env::temp_dir().join(format!("apigw-authz-auth-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// // An open resource policy in front of a Lambda authorizer.
/// let policy = dir.join("policy.json");
/// std::fs::write(&policy, r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
///   "Principal": "*", "Action": "execute-api:Invoke",
///   "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"}]}"#)?;
/// assert_eq!(AssumedAuth::default(), AssumedAuth::Unknown);
/// let unknown = lint_file(&policy, None, AssumedAuth::Unknown)?;
/// let lambda = lint_file(&policy, None, AssumedAuth::Lambda)?;
/// // Only knowing that the methods use a Lambda authorizer shows the risk: this allow lets
/// // callers in the API owner's account through even when the authorizer does not allow them.
/// assert!(unknown.findings.is_empty());
/// assert_eq!(lambda.findings[0].code, "resource-allow-overrides-authorization");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum AssumedAuth {
    /// Not known: lints that depend on it stay silent.
    #[default]
    Unknown,
    /// `NONE`.
    None,
    /// `AWS_IAM`.
    AwsIam,
    /// A Lambda authorizer in the API owner's account.
    Lambda,
}

/// Review one file. `api` (`arn:aws:execute-api:REGION:ACCOUNT:API_ID`) names the API of a
/// bare policy when its own ARNs do not; `auth` says how that API's methods are authorized.
/// The kind of file is told from its content ([`FileKind::of`]): a scenario (`api`, `cases`),
/// an OpenAPI export, an authorizer response (`policyDocument`, `isAuthorized`) or a policy
/// (or `get-rest-api` output).
///
/// # Errors
///
/// A [`FileError`] when the file cannot be read, is not JSON, is none of those kinds (an
/// authorizer rules file, event or JWKS is named as such), or is a policy whose API cannot be
/// told. A policy or export API Gateway would refuse is not an error but an error-severity
/// finding.
///
/// ```
/// use apigw_authz::lint::{lint_file, AssumedAuth};
///
/// let dir = std::env::temp_dir().join(format!("apigw-authz-lintfile-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let policy = dir.join("policy.json");
/// // Abbreviated resources: the API must be given.
/// std::fs::write(&policy, r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
///   "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/prod/DELETE/*"}]}"#)?;
/// assert!(lint_file(&policy, None, AssumedAuth::Unknown).is_err());
/// let api = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5";
/// let report = lint_file(&policy, Some(api), AssumedAuth::AwsIam)?;
/// assert_eq!(report.kind.name(), "policy");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lint_file(
    path: &Path,
    api: Option<&str>,
    auth: AssumedAuth,
) -> Result<LintReport, FileError> {
    match review(path, true, api, auth)? {
        Review::Linted(report) => Ok(report),
        Review::LeftOut(kind) => Err(not_reviewed(&path.display().to_string(), kind)),
    }
}

/// What [`review`] made of a file.
#[derive(Debug, Clone)]
pub enum Review {
    /// The file's findings.
    Linted(LintReport),
    /// A file found by a folder search or a pattern that is a kind lint does not review (an
    /// authorizer rules file, an authorizer event, a JWKS): left out.
    LeftOut(FileKind),
}

/// Review a file `policy-sim lint` was given: as [`lint_file`] when `named` (an argument), and
/// when found by a folder search or a pattern ([`policy_engine::scenario::find_files`]),
/// leaving out the kinds of file lint does not review rather than failing on them.
///
/// # Errors
///
/// As [`lint_file`]; a file found that is a kind lint does not review is not an error.
///
/// ```
/// use apigw_authz::lint::{review, AssumedAuth, Review};
/// use policy_engine::scenario::FileKind;
///
/// # let dir = std::env::temp_dir().join(format!("apigw-authz-review-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// let jwks = dir.join("jwks.json");
/// std::fs::write(&jwks, r#"{"keys": []}"#)?;
/// // Found in a folder: left out.
/// assert!(matches!(review(&jwks, false, None, AssumedAuth::Unknown)?, Review::LeftOut(FileKind::Jwks)));
/// // Named: refused, saying what it is.
/// let err = review(&jwks, true, None, AssumedAuth::Unknown).unwrap_err();
/// assert!(err.problem().starts_with("this is a JSON Web Key Set (`keys`), which lint does not review"));
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn review(
    path: &Path,
    named: bool,
    api: Option<&str>,
    auth: AssumedAuth,
) -> Result<Review, FileError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| FileError::new(&name, None, format!("cannot read the file ({e})")))?;
    let value: Value = policy_engine::json::parse_strict(&text)
        .map_err(|e| FileError::new(&name, None, format!("not valid JSON: {e}")))?;
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let (kind, mut findings) = match FileKind::of(&value) {
        Some(FileKind::OpenApi) => (
            InputKind::OpenApi,
            crate::openapi::lint(&name, &value, api)?,
        ),
        Some(FileKind::Scenario) => {
            let linted = setup::lint_scenario(&name, &value, dir, crate::options());
            let mut findings = linted.findings;
            if let Some(scenario) = &linted.scenario {
                findings.extend(rules_policy_size(&value, &scenario.gateway.api, dir));
            }
            (InputKind::Scenario, findings)
        }
        Some(FileKind::AuthorizerResponse) => {
            (InputKind::AuthorizerOutput, lint_authorizer_output(&value))
        }
        Some(FileKind::Policy | FileKind::GetRestApi) => {
            (InputKind::Policy, lint_policy(&name, &value, api, auth)?)
        }
        Some(other) if !named => return Ok(Review::LeftOut(other)),
        Some(other) => return Err(not_reviewed(&name, other)),
        None => {
            return Err(FileError::new(
                &name,
                None,
                "not a scenario file (`api`, `cases`), a policy (`Statement`, or `get-rest-api` output), an authorizer response (`policyDocument`) or an OpenAPI export (`openapi` / `swagger`)",
            ));
        }
    };
    lint::sort_findings(&mut findings);
    Ok(Review::Linted(LintReport {
        file: name,
        kind,
        findings,
    }))
}

/// The error for a file named to lint that is a kind lint does not review.
fn not_reviewed(file: &str, kind: FileKind) -> FileError {
    let fix = match kind {
        FileKind::AuthorizerRules => {
            "lint reviews it through a scenario that runs it (`\"auth\": {\"rules\": \"FILE\"}`: `rules-policy-size`), and `policy-sim test` runs it there"
        }
        FileKind::AuthorizerEvent => {
            "try it on the authorizer (`authorizer invoke --config RULES --event FILE`)"
        }
        FileKind::Jwks => "a rules file names it (`\"jwksFile\"`)",
        _ => "give lint scenario files, policies, authorizer responses or OpenAPI exports",
    };
    FileError::new(
        file,
        None,
        format!(
            "this is {}, which lint does not review: {fix}",
            kind.description()
        ),
    )
}

/// The API a policy is for: `--api`, else the first full execute-api ARN among its strings.
///
/// # Errors
///
/// A [`FileError`] naming `file` when no API can be told, or `api` is not an execute-api ARN.
///
/// ```
/// use apigw_authz::lint::api_ref;
/// use serde_json::json;
///
/// let policy = json!({"Statement": [{"Effect": "Allow", "Principal": "*",
///     "Action": "execute-api:Invoke",
///     "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}]});
/// let api = api_ref("policy.json", &policy, None)?;
/// assert_eq!(api.api_id, "a1b2c3d4e5");
/// assert_eq!(api.account_id, "123456789012");
/// assert!(api_ref("policy.json", &json!({"Statement": []}), None).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn api_ref(file: &str, value: &Value, api: Option<&str>) -> Result<ApiRef, FileError> {
    let arn = match api {
        Some(a) => a.to_owned(),
        None => crate::check::first_api_arn([value]).ok_or_else(|| {
            FileError::new(
                file,
                None,
                "cannot tell which API this policy is for: give `--api arn:aws:execute-api:REGION:ACCOUNT:API_ID`",
            )
        })?,
    };
    let parts = policy_engine::arn::ArnParts::parse(&arn)
        .filter(|p| p.service == "execute-api")
        .ok_or_else(|| FileError::new(file, None, format!("`{arn}` is not an execute-api ARN")))?;
    Ok(ApiRef {
        partition: parts.partition.to_owned(),
        region: parts.region.to_owned(),
        account_id: parts.account.to_owned(),
        api_id: parts
            .resource
            .split('/')
            .next()
            .unwrap_or_default()
            .to_owned(),
    })
}

fn lint_policy(
    file: &str,
    value: &Value,
    api: Option<&str>,
    auth: AssumedAuth,
) -> Result<Vec<Finding>, FileError> {
    // The whole `get-rest-api` output: the policy is its `policy` member, the id its `id`.
    let (policy_value, at, api_id) = match crate::check::rest_api_policy(value) {
        Some(p) => (
            p,
            JsonPath::root().key("policy"),
            value.get("id").and_then(Value::as_str),
        ),
        None => (value, JsonPath::root(), None),
    };
    let mut api_ref = api_ref(file, value, api)?;
    if let (Some(id), None) = (api_id, api) {
        id.clone_into(&mut api_ref.api_id);
    }
    let endpoint = match value
        .pointer("/endpointConfiguration/types/0")
        .and_then(Value::as_str)
    {
        Some("PRIVATE") => EndpointType::Private,
        Some("EDGE") => EndpointType::Edge,
        _ => EndpointType::Regional,
    };
    let policy = match PolicyDocument::from_json(policy_value, PolicyKind::Resource, Some(&api_ref))
    {
        Ok(p) => p,
        Err(e) => {
            return Ok(vec![Finding::new(
                Severity::Error,
                "invalid-policy",
                at,
                e.to_string(),
                "correct the policy: API Gateway refuses to save it",
            )]);
        }
    };
    let api = Api {
        api_type: ApiType::Rest,
        api_ref,
        stage: "*".to_owned(),
        endpoint,
    };
    let kind = match auth {
        AssumedAuth::Unknown | AssumedAuth::AwsIam => AuthKind::AwsIam,
        AssumedAuth::None => AuthKind::None,
        AssumedAuth::Lambda => AuthKind::LambdaAuthorizer,
    };
    let mut findings = lint::lint_resource_policy(&policy, &at, &api, &MethodsAuth::All(kind));
    let authorization = match auth {
        AssumedAuth::AwsIam => Some(Authorization::AwsIam),
        AssumedAuth::Lambda => Some(Authorization::Lambda {
            account: api.api_ref.account_id.clone(),
            format: policy_engine::lambda::PayloadFormat::Rest,
        }),
        _ => None,
    };
    if let Some(authorization) = authorization {
        findings.extend(setup::allow_overrides_authorization(
            &policy,
            &at,
            &api,
            &authorization,
        ));
    }
    Ok(findings)
}

/// An authorizer response: its size against the 8 KB quota, and a policy API Gateway can read.
fn lint_authorizer_output(value: &Value) -> Vec<Finding> {
    let root = JsonPath::root();
    let mut findings: Vec<Finding> = setup::result_size(value, &root).into_iter().collect();
    if let Some(policy) = value.get("policyDocument") {
        match PolicyDocument::from_json(policy, PolicyKind::Identity, None) {
            Ok(policy) => findings.extend(lint::lint_resource_entries(
                &policy,
                &root.key("policyDocument"),
            )),
            Err(e) => findings.push(Finding::new(
                Severity::Error,
                "invalid-policy",
                root.key("policyDocument"),
                format!("{e}: API Gateway answers 500 to every request given this response"),
                "correct the policy the authorizer returns",
            )),
        }
    }
    if value.get("principalId").is_none() && value.get("isAuthorized").is_none() {
        findings.push(Finding::new(
            Severity::Error,
            "invalid-authorizer-output",
            root,
            "the response has no `principalId`: API Gateway answers 500",
            "return `principalId` with the policy",
        ));
    }
    findings
}

/// `rules-policy-size`: the policy a rules-file authorizer returns to a caller granted every
/// rule, against the 8 KB authorizer-result quota.
fn rules_policy_size(scenario: &Value, api: &Api, dir: &Path) -> Vec<Finding> {
    let Some(rules_file) = scenario.pointer("/auth/rules").and_then(Value::as_str) else {
        return Vec::new();
    };
    let Ok(config) = Config::load(&dir.join(rules_file)) else {
        return Vec::new(); // the scenario lint reports the unreadable file
    };
    let arn = MethodArn::for_method(&api.api_ref, &api.stage, "GET", "/");
    let mut builder = PolicyBuilder::for_api_of(&arn);
    for route in config.rules.iter().flat_map(|r| r.routes.iter()) {
        builder = match route {
            RouteSpec::Method { verb, path, .. } => builder.allow(verb, path),
            RouteSpec::Key(key) => builder.allow_route_key(key),
            // A route kind this review does not know adds nothing to the estimate.
            _ => builder,
        };
    }
    let Ok(policy) = builder.build() else {
        return Vec::new();
    };
    // principalId and context values vary per caller; allow 512 bytes for them.
    let size = json!({"principalId": "", "policyDocument": policy.to_json(), "context": {}})
        .to_string()
        .len()
        .saturating_add(512);
    let limit = policy_engine::lambda::MAX_RESULT_BYTES;
    let severity = if size > limit {
        Severity::Error
    } else if size > limit.saturating_mul(9) / 10 {
        Severity::Warning
    } else {
        return Vec::new();
    };
    vec![Finding::new(
        severity,
        "rules-policy-size",
        JsonPath::root().key("auth").key("rules"),
        format!(
            "a caller granted every rule of `{rules_file}` gets a result of about {size} bytes (its policy plus 512 bytes for principalId and context); API Gateway accepts at most {limit}{}",
            if severity == Severity::Error {
                ": such callers get 500"
            } else {
                ""
            }
        ),
        "merge routes under wildcards (`GET /pets/*` rather than one route per pet path) so the policy lists fewer ARNs",
    )]
}
