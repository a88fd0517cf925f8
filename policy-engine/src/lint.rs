//! A static review of an API's access-control setup: findings a user can act on before
//! deploying, each with a stable code, the JSON path it is about, what happens at run time and
//! the fix. `policy-sim lint` prints them; CI can fail on errors.
//!
//! This module holds the [`Finding`] type and the resource-policy lints
//! ([`lint_resource_policy`]). Lints about other parts of the setup (authorizers, their cache)
//! produce the same [`Finding`]s and are sorted together with [`sort_findings`].
//!
//! Resource-policy lints (the developer guide sections they rest on in brackets):
//! - `resource-policy-unsupported` (error): the API is not a REST API
//!   [HTTP APIs: "Resource policies aren't currently supported for HTTP APIs"];
//! - `never-matches` (error for a `Deny`, warning for an `Allow`): no request to this API can
//!   ever meet the statement — wrong partition, region, account or API id, nothing after the API
//!   id, no `execute-api` action, a principal that is never an API caller
//!   [Resource format of permissions for executing API in API Gateway];
//! - `aws-principal-without-iam` (error, or warning when some covered methods use `AWS_IAM`):
//!   an `AWS` principal never matches callers of methods without `AWS_IAM`
//!   [Create and attach an API Gateway resource policy to an API];
//! - `matches-no-method` (warning): the statement's resources name none of the API's methods;
//! - `forallvalues-in-allow` (warning): `ForAllValues:` is true for a request without the key;
//! - `private-allow-anyone` (warning): a private API open to every VPC endpoint of every account
//!   [API Gateway resource policy examples];
//! - `condition-key-unavailable` (error for a `Deny`, warning for an `Allow`): a condition key
//!   API Gateway never supplies here [AWS condition keys that can be used in API Gateway
//!   resource policies];
//! - `policy-size` (error above the quota, warning above 90 %) [API Gateway quotas for
//!   configuring and running a REST API].
//!
//! The lints need what the evaluator does not: the API ([`crate::flow::Api`]: its type,
//! endpoint and owner) and how its methods are authorized ([`MethodsAuth`]), because a
//! statement can be valid IAM and still never apply to this API's callers. [`setup`] reviews
//! whole scenario files and OpenAPI exports ([`crate::openapi`]) with the same [`Finding`]s.
//!
//! ```
//! use policy_engine::json::JsonPath;
//! use policy_engine::lint::{lint_resource_policy, AuthKind, MethodsAuth, Severity};
//! use policy_engine::policy::PolicyDocument;
//! # use policy_engine::arn::ApiRef;
//! # use policy_engine::flow::{Api, ApiType, EndpointType};
//! # let api = Api {
//! #     api_type: ApiType::Rest,
//! #     api_ref: ApiRef {
//! #         partition: "aws".into(),
//! #         region: "us-east-1".into(),
//! #         account_id: "123456789012".into(),
//! #         api_id: "a1b2c3d4e5".into(),
//! #     },
//! #     stage: "prod".into(),
//! #     endpoint: EndpointType::Regional,
//! # };
//!
//! // Meant to admit only traffic through one VPC endpoint — but this API is regional, and
//! // API Gateway sets `aws:SourceVpce` only on private APIs: the Allow never applies.
//! let policy = PolicyDocument::parse_resource_policy(r#"{
//!     "Version": "2012-10-17",
//!     "Statement": [{
//!         "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
//!         "Resource": "execute-api:/*",
//!         "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}
//!     }]
//! }"#, &api.api_ref)?;
//! let at = JsonPath::root().key("resourcePolicy");
//! let findings = lint_resource_policy(&policy, &at, &api, &MethodsAuth::All(AuthKind::None));
//! let finding = findings.iter().find(|f| f.code == "condition-key-unavailable").unwrap();
//! assert_eq!(finding.severity, Severity::Warning); // an Allow: callers are refused
//! println!("{finding}"); // `warning[condition-key-unavailable] resourcePolicy.Statement[0]...`
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::fmt;

use serde_json::{Value, json};

use crate::arn::ArnParts;
use crate::condition::{Condition, Operator, SetQualifier};
use crate::context::{KnownKey, RequestContext};
use crate::eval::INVOKE_ACTION;
use crate::flow::{Api, ApiType, EndpointType};
use crate::glob::{CaseMode, Pattern, Shape, Wildcards};
use crate::json::JsonPath;
use crate::policy::{
    Effect, PatternSet, PolicyDocument, PolicyKind, PrincipalClause, Statement, Version,
};
use crate::principal::Principals;

/// The default quota on the length of a REST API's resource policy, in characters ("Length, in
/// characters, of API Gateway resource policy": 8192, can be increased). The `policy-size`
/// lint compares [`PolicyDocument::stored_chars`] with it.
///
/// ```
/// use policy_engine::lint::RESOURCE_POLICY_MAX_CHARS;
///
/// assert_eq!(RESOURCE_POLICY_MAX_CHARS, 8192);
/// ```
pub const RESOURCE_POLICY_MAX_CHARS: usize = 8192;

/// The action API Gateway checks when a client asks to invalidate the cache.
const INVALIDATE_CACHE_ACTION: &str = "execute-api:InvalidateCache";

/// How bad a finding is. Ordered: `Error < Warning < Info`, so sorting puts errors first.
///
/// ```
/// use policy_engine::lint::Severity;
///
/// assert!(Severity::Error < Severity::Warning);
/// assert_eq!(Severity::Warning.to_string(), "warning");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The setup does not do what it says: callers are refused, or a protection never applies.
    Error,
    /// Probably not what was meant, or risky.
    Warning,
    /// Worth knowing; nothing is wrong.
    Info,
}

impl Severity {
    /// `error`, `warning` or `info`: how reports and `--format json` name it.
    ///
    /// ```
    /// use policy_engine::lint::Severity;
    ///
    /// assert_eq!(Severity::Info.name(), "info");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One problem found by a lint: what `policy-sim lint` prints, one per problem.
///
/// ```
/// use policy_engine::json::JsonPath;
/// use policy_engine::lint::{Finding, Severity};
///
/// let finding = Finding::new(
///     Severity::Warning,
///     "forallvalues-in-allow",
///     JsonPath::root().key("resourcePolicy").key("Statement").index(0),
///     "`ForAllValues:` is true for a request without the key",
///     "use `ForAnyValue:`, or add a `Null` condition",
/// );
/// assert_eq!(
///     finding.to_string(),
///     "warning[forallvalues-in-allow] resourcePolicy.Statement[0]: `ForAllValues:` is true \
///      for a request without the key\n  fix: use `ForAnyValue:`, or add a `Null` condition"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Finding {
    /// How bad it is.
    pub severity: Severity,
    /// A stable kebab-case id, such as `forallvalues-in-allow` (the list is in the
    /// [module docs](self) and [`setup`]).
    pub code: &'static str,
    /// Where in the file, such as `resourcePolicy.Statement[1].Condition`.
    pub path: JsonPath,
    /// What is wrong and what happens at run time.
    pub message: String,
    /// What to change.
    pub fix: String,
}

impl Finding {
    /// A finding, for lints outside this crate that report alongside these (such as
    /// `policy-sim`'s own checks).
    ///
    /// ```
    /// use policy_engine::json::JsonPath;
    /// use policy_engine::lint::{Finding, Severity};
    ///
    /// let finding = Finding::new(Severity::Error, "invalid-policy", JsonPath::root(),
    ///                            "the policy has no `Statement`", "add one");
    /// assert_eq!((finding.severity, finding.code), (Severity::Error, "invalid-policy"));
    /// ```
    pub fn new(
        severity: Severity,
        code: &'static str,
        path: JsonPath,
        message: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self {
            severity,
            code,
            path,
            message: message.into(),
            fix: fix.into(),
        }
    }

    /// The finding as a JSON object: `severity`, `code`, `path`, `message`, `fix` (an element
    /// of `policy-sim lint --format json`).
    ///
    /// ```
    /// use policy_engine::json::JsonPath;
    /// use policy_engine::lint::{Finding, Severity};
    ///
    /// let finding = Finding::new(Severity::Error, "policy-size", JsonPath::root().key("resourcePolicy"),
    ///                            "the policy is 9000 characters", "shorten it");
    /// let json = finding.to_json();
    /// assert_eq!(json["severity"], "error");
    /// assert_eq!(json["path"], "resourcePolicy");
    /// ```
    pub fn to_json(&self) -> Value {
        json!({
            "severity": self.severity.name(),
            "code": self.code,
            "path": self.path.to_string(),
            "message": self.message,
            "fix": self.fix,
        })
    }
}

impl fmt::Display for Finding {
    /// `warning[code] path: message`, then `  fix: ...` on a second line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}] {}: {}\n  fix: {}",
            self.severity, self.code, self.path, self.message, self.fix
        )
    }
}

/// Sort findings by severity (errors first), then by path (`Statement[2]` before
/// `Statement[10]`), then by code.
///
/// ```
/// use policy_engine::json::JsonPath;
/// use policy_engine::lint::{sort_findings, Finding, Severity};
///
/// let statement = |i| JsonPath::root().key("Statement").index(i);
/// let mut findings = vec![
///     Finding::new(Severity::Warning, "matches-no-method", statement(10), "...", "..."),
///     Finding::new(Severity::Warning, "matches-no-method", statement(2), "...", "..."),
///     Finding::new(Severity::Error, "never-matches", statement(11), "...", "..."),
/// ];
/// sort_findings(&mut findings);
/// let order: Vec<String> = findings.iter().map(|f| f.path.to_string()).collect();
/// assert_eq!(order, ["Statement[11]", "Statement[2]", "Statement[10]"]);
/// ```
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then_with(|| natural_cmp(a.path.as_str(), b.path.as_str()))
            .then_with(|| a.code.cmp(b.code))
    });
}

/// How one method is authorized, as far as resource-policy lints care: only `AWS_IAM`
/// callers are IAM identities an `AWS` principal can name.
///
/// ```
/// use policy_engine::json::JsonPath;
/// use policy_engine::lint::{lint_resource_policy, AuthKind, MethodsAuth, Severity};
/// use policy_engine::policy::PolicyDocument;
/// # use policy_engine::arn::ApiRef;
/// # use policy_engine::flow::{Api, ApiType, EndpointType};
/// # let api = Api {
/// #     api_type: ApiType::Rest,
/// #     api_ref: ApiRef {
/// #         partition: "aws".into(),
/// #         region: "us-east-1".into(),
/// #         account_id: "123456789012".into(),
/// #         api_id: "a1b2c3d4e5".into(),
/// #     },
/// #     stage: "prod".into(),
/// #     endpoint: EndpointType::Regional,
/// # };
/// let policy = PolicyDocument::parse_resource_policy(r#"{
///     "Version": "2012-10-17",
///     "Statement": [{"Effect": "Allow",
///                    "Principal": {"AWS": "arn:aws:iam::123456789012:role/reader"},
///                    "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}]
/// }"#, &api.api_ref)?;
/// let at = JsonPath::root();
/// let code = "aws-principal-without-iam";
/// // Behind a Lambda authorizer the caller is never an IAM role: the statement never applies.
/// let lambda = lint_resource_policy(&policy, &at, &api, &MethodsAuth::All(AuthKind::LambdaAuthorizer));
/// assert!(lambda.iter().any(|f| f.code == code && f.severity == Severity::Error));
/// let iam = lint_resource_policy(&policy, &at, &api, &MethodsAuth::All(AuthKind::AwsIam));
/// assert!(!iam.iter().any(|f| f.code == code));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthKind {
    /// `NONE`: the resource policy alone decides.
    None,
    /// `AWS_IAM`: callers sign with SigV4, so API Gateway knows their IAM identity.
    AwsIam,
    /// A Lambda authorizer (`CUSTOM`).
    LambdaAuthorizer,
    /// Anything else (`COGNITO_USER_POOLS`, ...): the caller is not an IAM identity.
    Other,
}

impl AuthKind {
    /// How a message names it.
    fn describe(self) -> &'static str {
        match self {
            AuthKind::None => "`NONE`",
            AuthKind::AwsIam => "`AWS_IAM`",
            AuthKind::LambdaAuthorizer => "a Lambda authorizer",
            AuthKind::Other => "a non-IAM authorizer",
        }
    }
}

/// How the API's methods are authorized, for lints that depend on it.
///
/// ```
/// use policy_engine::lint::{AuthKind, MethodsAuth};
///
/// // One authorization for the whole API (a scenario file's `auth`)...
/// let all = MethodsAuth::All(AuthKind::AwsIam);
/// // ...or method by method (an OpenAPI export).
/// let per_method = MethodsAuth::PerMethod(vec![
///     ("GET".into(), "/pets".into(), AuthKind::None),
///     ("ANY".into(), "/admin/{proxy+}".into(), AuthKind::AwsIam),
/// ]);
/// assert_ne!(all, per_method);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodsAuth {
    /// Every method the same way.
    All(AuthKind),
    /// Method by method: verb (`GET`, or `ANY`), path as defined (`/pets/{id}`, `/{proxy+}`),
    /// authorization.
    PerMethod(Vec<(String, String, AuthKind)>),
}

/// Review `policy`, the resource policy of `api`, found at `at` in its file. Findings come
/// sorted by severity, then path. (`api.stage` is not used: every stage is reviewed.)
///
/// ```
/// use policy_engine::json::JsonPath;
/// use policy_engine::lint::{lint_resource_policy, AuthKind, MethodsAuth, Severity};
/// use policy_engine::policy::PolicyDocument;
/// # use policy_engine::arn::ApiRef;
/// # use policy_engine::flow::{Api, ApiType, EndpointType};
/// # let api = Api {
/// #     api_type: ApiType::Rest,
/// #     api_ref: ApiRef {
/// #         partition: "aws".into(),
/// #         region: "us-east-1".into(),
/// #         account_id: "123456789012".into(),
/// #         api_id: "a1b2c3d4e5".into(),
/// #     },
/// #     stage: "prod".into(),
/// #     endpoint: EndpointType::Regional,
/// # };
/// // A Deny meant for this API, but written for another region: it protects nothing.
/// let policy = PolicyDocument::parse_resource_policy(r#"{
///     "Version": "2012-10-17",
///     "Statement": [
///         {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
///          "Resource": "execute-api:/*"},
///         {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
///          "Resource": "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/*/DELETE/*"}
///     ]
/// }"#, &api.api_ref)?;
/// let at = JsonPath::root().key("resourcePolicy");
/// let findings = lint_resource_policy(&policy, &at, &api, &MethodsAuth::All(AuthKind::None));
/// let first = &findings[0];
/// assert_eq!((first.severity, first.code), (Severity::Error, "never-matches"));
/// assert_eq!(first.path.as_str(), "resourcePolicy.Statement[1].Resource");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lint_resource_policy(
    policy: &PolicyDocument,
    at: &JsonPath,
    api: &Api,
    methods: &MethodsAuth,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    let unsupported = match api.api_type {
        ApiType::Rest => None,
        ApiType::Http => Some("HTTP APIs"),
        ApiType::WebSocket => Some("WebSocket APIs"),
    };
    if let Some(kind) = unsupported {
        findings.push(Finding {
            severity: Severity::Error,
            code: "resource-policy-unsupported",
            path: at.clone(),
            message: format!(
                "{kind} do not support resource policies: API Gateway never evaluates this policy"
            ),
            fix: "control access with the API's authorizers (IAM, JWT or Lambda), or move the routes to a REST API".to_owned(),
        });
        return findings;
    }
    let ctx = Ctx::new(policy, api, methods);
    for (index, statement) in policy.statements().iter().enumerate() {
        let at = Site {
            path: policy.statement_path(at, index),
            label: statement_label(index, statement),
            statement,
        };
        if let Some(finding) = never_matches(&ctx, &at) {
            findings.push(finding);
            continue;
        }
        findings.extend(resource_entry_findings(&at.path, statement, policy));
        let covered = ctx.covered_methods(statement);
        findings.extend(aws_principal_without_iam(&at, &covered));
        findings.extend(matches_no_method(&ctx, &at, &covered));
        findings.extend(private_allow_anyone(&ctx, &at));
        findings.extend(condition_findings(&ctx, &at, &covered));
    }
    findings.extend(policy_size(policy, at));
    sort_findings(&mut findings);
    findings
}

/// Everything the lints share about the API.
struct Ctx<'a> {
    api: &'a Api,
    /// Every method ARN of the API: any stage, verb and path.
    every_method: Shape,
    /// How the methods are authorized.
    methods: Methods,
    /// The policy's VPC guards (private APIs only; empty otherwise), found once: checking
    /// every allow against every deny again would be quadratic in the statements.
    vpc_guards: VpcGuards<'a>,
}

/// The `Deny` statements of a private API's policy that refuse everyone outside a VPC or VPC
/// endpoint (the seed's pattern: allow everyone, deny other VPCs), as `private-allow-anyone`
/// needs them.
#[derive(Default)]
struct VpcGuards<'a> {
    /// Whether one of them covers every method of the API: every allow is then guarded.
    covers_every_method: bool,
    /// The resources of each guard, as written, by guard.
    resources: Vec<HashSet<&'a str>>,
    /// For each resource, the guards that list it.
    by_resource: HashMap<&'a str, Vec<usize>>,
}

impl<'a> VpcGuards<'a> {
    fn new(policy: &'a PolicyDocument, every_method: &Shape) -> Self {
        let mut guards = Self::default();
        for d in policy.statements() {
            let is_guard = d.effect() == Effect::Deny
                && matches!(d.principal(), Some(PrincipalClause::Principal(p)) if p.names_everyone())
                && acts_on(d.actions(), INVOKE_ACTION)
                && d.conditions().iter().any(pins_vpc)
                && !d.resources().is_negated();
            if !is_guard {
                continue;
            }
            let patterns = d.resources().patterns();
            if patterns
                .iter()
                .any(|r| r.covers(every_method) == Some(true))
            {
                guards.covers_every_method = true;
                return guards;
            }
            let index = guards.resources.len();
            guards
                .resources
                .push(patterns.iter().map(Pattern::as_str).collect());
            for r in patterns {
                guards
                    .by_resource
                    .entry(r.as_str())
                    .or_default()
                    .push(index);
            }
        }
        guards
    }

    /// Whether a guard covers every method, or one lists each of `resources` (so the allow
    /// naming them is limited to the VPC).
    fn guard(&self, resources: &PatternSet) -> bool {
        if self.covers_every_method {
            return true;
        }
        if resources.is_negated() {
            return false;
        }
        let Some(first) = resources.patterns().first() else {
            return false;
        };
        self.by_resource
            .get(first.as_str())
            .into_iter()
            .flatten()
            .filter_map(|&g| self.resources.get(g))
            .any(|listed| {
                resources
                    .patterns()
                    .iter()
                    .all(|a| listed.contains(a.as_str()))
            })
    }
}

/// [`MethodsAuth`] with each method's ARN shape.
enum Methods {
    /// Every method the same way.
    All(AuthKind),
    /// Label (`` `GET /pets/{id}` ``), ARN shape, authorization.
    PerMethod(Vec<(String, Shape, AuthKind)>),
}

/// A method the statement covers.
struct Covered {
    /// `` `GET /pets` ``; `None` for every method of the API.
    label: Option<String>,
    auth: AuthKind,
}

impl<'a> Ctx<'a> {
    fn new(policy: &'a PolicyDocument, api: &'a Api, auth: &MethodsAuth) -> Self {
        let api_prefix = Shape::api_prefix(&api.api_ref);
        let every_method = Shape::every_method(&api.api_ref);
        let methods = match auth {
            MethodsAuth::All(kind) => Methods::All(*kind),
            MethodsAuth::PerMethod(list) => Methods::PerMethod(
                list.iter()
                    .map(|(verb, path, kind)| {
                        let verb = verb.to_ascii_uppercase();
                        let label = format!("`{verb} /{}`", path.trim_start_matches('/'));
                        let shape = method_shape(api_prefix.clone(), &verb, path);
                        (label, shape, *kind)
                    })
                    .collect(),
            ),
        };
        let vpc_guards = if api.endpoint == EndpointType::Private {
            VpcGuards::new(policy, &every_method)
        } else {
            VpcGuards::default()
        };
        Self {
            api,
            every_method,
            methods,
            vpc_guards,
        }
    }

    /// The methods `statement` may apply to (for some stage and some value of each path
    /// parameter), ignoring its principal and conditions.
    fn covered_methods(&self, statement: &Statement) -> Vec<Covered> {
        match &self.methods {
            Methods::PerMethod(methods) => methods
                .iter()
                .filter(|(_, shape, _)| may_apply(statement.resources(), shape))
                .map(|(label, _, auth)| Covered {
                    label: Some(label.clone()),
                    auth: *auth,
                })
                .collect(),
            Methods::All(auth) => vec![Covered {
                label: None,
                auth: *auth,
            }],
        }
    }
}

/// The ARN shape of `verb path` on any stage: `ANY` stands for every verb, `{name}` for one
/// path segment, `{name+}` for one or more.
fn method_shape(api_prefix: Shape, verb: &str, path: &str) -> Shape {
    let mut shape = api_prefix.segment().literal("/");
    shape = if verb == "ANY" || verb == "*" {
        shape.segment()
    } else {
        shape.literal(verb)
    };
    shape = shape.literal("/");
    let mut rest = path.trim_start_matches('/');
    loop {
        let Some((text, after_open)) = rest.split_once('{') else {
            return shape.literal(rest);
        };
        shape = shape.literal(text);
        let Some((param, after)) = after_open.split_once('}') else {
            return shape.literal("{").literal(after_open);
        };
        shape = if param.ends_with('+') {
            shape.nonempty_path()
        } else {
            shape.segment()
        };
        rest = after;
    }
}

/// A statement and how findings name it.
struct Site<'s> {
    /// `resourcePolicy.Statement[1]`.
    path: JsonPath,
    /// ``statement `AllowPartner` `` or `Statement[1]`.
    label: String,
    statement: &'s Statement,
}

impl Site<'_> {
    fn effect(&self) -> Effect {
        self.statement.effect()
    }

    /// `Statement[1] (Allow)`.
    fn named(&self) -> String {
        format!("{} ({})", self.label, self.effect().name())
    }
}

fn statement_label(index: usize, statement: &Statement) -> String {
    match statement.sid().filter(|s| !s.is_empty()) {
        Some(sid) => format!("statement `{sid}`"),
        None => format!("Statement[{index}]"),
    }
}

/// Whether the action set includes `action`.
fn acts_on(set: &PatternSet, action: &str) -> bool {
    set.patterns().iter().any(|p| p.matches(action)) != set.is_negated()
}

/// Whether the resource set may include some string of `shape` (unknown counts as yes).
fn may_apply(set: &PatternSet, shape: &Shape) -> bool {
    if set.is_negated() {
        !set.patterns().iter().any(|p| p.covers(shape) == Some(true))
    } else {
        set.patterns()
            .iter()
            .any(|p| p.could_match(shape) != Some(false))
    }
}

fn list(patterns: &[Pattern]) -> String {
    patterns
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How severe a statement that never takes effect is: an allow that never grants loses
/// access; a deny that never applies loses a protection.
fn by_effect(effect: Effect) -> Severity {
    match effect {
        Effect::Allow => Severity::Warning,
        Effect::Deny => Severity::Error,
    }
}

fn never_effect(effect: Effect) -> &'static str {
    match effect {
        Effect::Allow => "the allow never grants anything",
        Effect::Deny => "the deny never protects anything",
    }
}

// ---------------------------------------------------------------------------------------------
// variable-before-resource-part, truncated-arn
// ---------------------------------------------------------------------------------------------

/// Reviews of each `Resource` / `NotResource` entry of every statement of `policy`, whatever
/// its kind (resource policy, IAM identity policy, the policy a Lambda authorizer returns);
/// `at` is where the policy sits in its file.
///
/// - `variable-before-resource-part`: a policy variable before the fifth colon. IAM: "You
///   can't use a variable to replace parts of the ARN before the fifth colon, such as the
///   service or account" — it is compared as written and matches no real method.
/// - `truncated-arn` (info; identity and authorizer policies): an ARN cut short by `*`
///   (`arn:aws:execute-api:*`). IAM lets a final `*` expand beyond the colon boundaries, so it
///   matches every API of every account in the partition (or region); naming the API is
///   narrower.
///
/// ```
/// use policy_engine::json::JsonPath;
/// use policy_engine::lint::lint_resource_entries;
/// use policy_engine::policy::PolicyDocument;
///
/// let policy = PolicyDocument::parse_identity_policy(r#"{"Version": "2012-10-17", "Statement": [
///     {"Effect": "Allow", "Action": "execute-api:Invoke",
///      "Resource": "arn:aws:execute-api:us-east-1:${aws:PrincipalAccount}:a1b2c3d4e5/*"}]}"#)?;
/// let findings = lint_resource_entries(&policy, &JsonPath::root());
/// assert_eq!(findings[0].code, "variable-before-resource-part");
/// assert_eq!(findings[0].path.as_str(), "Statement[0].Resource");
/// # Ok::<(), policy_engine::error::PolicyError>(())
/// ```
pub fn lint_resource_entries(policy: &PolicyDocument, at: &JsonPath) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (index, statement) in policy.statements().iter().enumerate() {
        let path = policy.statement_path(at, index);
        findings.extend(resource_entry_findings(&path, statement, policy));
    }
    findings
}

fn resource_entry_findings(
    statement_path: &JsonPath,
    statement: &Statement,
    policy: &PolicyDocument,
) -> Vec<Finding> {
    let resources = statement.resources();
    let key = if resources.is_negated() {
        "NotResource"
    } else {
        "Resource"
    };
    let many = resources.patterns().len() > 1;
    let mut findings = Vec::new();
    for (i, pattern) in resources.patterns().iter().enumerate() {
        let text = pattern.as_str();
        let path = if many {
            statement_path.key(key).index(i)
        } else {
            statement_path.key(key)
        };
        let before_resource_part = match crate::arn::resource_part_offset(text) {
            Some(at) => text.get(..at).unwrap_or(text),
            None => text,
        };
        if policy.version() == Version::V2012_10_17 && before_resource_part.contains("${") {
            findings.push(Finding {
                severity: by_effect(statement.effect()),
                code: "variable-before-resource-part",
                path: path.clone(),
                message: format!(
                    "`{text}` uses a policy variable before the ARN's fifth colon; IAM substitutes variables only in the resource part (\"You can't use a variable to replace parts of the ARN before the fifth colon, such as the service or account\"), so it compares `{before_resource_part}` as written and the entry matches no method{}",
                    match statement.effect() {
                        Effect::Allow => ": it allows nothing",
                        Effect::Deny => ": it denies nothing",
                    }
                ),
                fix: "write the region and account out (or `*`), and use variables only after the fifth colon, such as `arn:aws:execute-api:REGION:ACCOUNT:API_ID/*/GET/users/${aws:username}`; to pin the caller's account, use a `Condition` on `aws:PrincipalAccount`".to_owned(),
            });
        }
        // A resource policy belongs to its API: there a broad ARN still names only its methods.
        if policy.kind() != PolicyKind::Resource && crate::arn::is_truncated_wildcard_arn(text) {
            findings.push(Finding {
                severity: Severity::Info,
                code: "truncated-arn",
                path,
                message: format!(
                    "`{text}` ends in a `*` that IAM expands beyond the colon boundaries: it names every API{} in the partition, not only this one",
                    if text.matches(':').count() >= 4 { " of every account of the region" } else { " of every account and region" }
                ),
                fix: "name the API and stage: `arn:aws:execute-api:REGION:ACCOUNT:API_ID/STAGE/*` (or `execute-api:/STAGE/*` in a resource policy)".to_owned(),
            });
        }
    }
    findings
}

// ---------------------------------------------------------------------------------------------
// never-matches
// ---------------------------------------------------------------------------------------------

fn never_matches(ctx: &Ctx<'_>, at: &Site<'_>) -> Option<Finding> {
    let s = at.statement;
    let finding = |path: JsonPath, why: String, fix: String| Finding {
        severity: by_effect(s.effect()),
        code: "never-matches",
        path,
        message: format!(
            "{} can never apply to a request to this API ({why}), so {}",
            at.named(),
            never_effect(s.effect())
        ),
        fix,
    };
    match s.principal() {
        Some(PrincipalClause::Principal(p)) if !p.names_everyone() && !p.names_iam_identities() => {
            return Some(finding(
                at.path.key("Principal"),
                format!(
                    "its principal {} names no AWS account, role or user, and API callers are never services or federated identities",
                    principals_text(p)
                ),
                "name the callers with `\"Principal\": \"*\"` (and conditions) or `{\"AWS\": ...}`"
                    .to_owned(),
            ));
        }
        Some(PrincipalClause::NotPrincipal(p)) if p.names_everyone() => {
            return Some(finding(
                at.path.key("NotPrincipal"),
                "`NotPrincipal` excludes every caller".to_owned(),
                "use `\"Principal\"` to name the callers the statement is for".to_owned(),
            ));
        }
        _ => {}
    }
    let actions = s.actions();
    if !acts_on(actions, INVOKE_ACTION) && !acts_on(actions, INVALIDATE_CACHE_ACTION) {
        let (key, how) = if actions.is_negated() {
            ("NotAction", "excludes")
        } else {
            ("Action", "leaves out")
        };
        return Some(finding(
            at.path.key(key),
            format!(
                "its `{key}` {} {how} `{INVOKE_ACTION}`, the action API Gateway authorizes",
                list(actions.patterns())
            ),
            format!("write `\"Action\": \"{INVOKE_ACTION}\"`"),
        ));
    }
    let resources = s.resources();
    if may_apply(resources, &ctx.every_method) {
        return None;
    }
    let prefix = ctx.api.api_ref.arn_prefix();
    if resources.is_negated() {
        return Some(finding(
            at.path.key("NotResource"),
            format!(
                "its `NotResource` {} excludes every method of the API",
                list(resources.patterns())
            ),
            "list the methods the statement is for in `Resource` instead".to_owned(),
        ));
    }
    let reasons: Vec<String> = resources
        .patterns()
        .iter()
        .map(|p| format!("`{p}` {}", why_not_a_method(p.as_str(), ctx.api)))
        .collect();
    let placeholders = resources
        .patterns()
        .iter()
        .any(|p| looks_like_placeholder(p.as_str()));
    let fix = if placeholders {
        format!(
            "replace the documentation placeholders: write `execute-api:/*` (API Gateway expands it to `{prefix}/*`), or `execute-api:/stage/VERB/path` for fewer methods"
        )
    } else {
        format!(
            "name methods as `{prefix}/stage/VERB/path` (wildcards allowed, e.g. `{prefix}/*`), or in the abbreviated form `execute-api:/stage/VERB/path`"
        )
    };
    Some(finding(
        at.path.key("Resource"),
        format!(
            "no method ARN matches its resources: {}",
            reasons.join("; ")
        ),
        fix,
    ))
}

fn looks_like_placeholder(resource: &str) -> bool {
    ["region", "account-id", "api-id", "{{", "<"]
        .iter()
        .any(|p| resource.contains(p))
}

/// Why a resource pattern (known to match no method ARN of `api`) matches none, part by part.
fn why_not_a_method(resource: &str, api: &Api) -> String {
    let part_matches = |pattern: &str, value: &str| {
        Pattern::compile(pattern, Wildcards::On, CaseMode::Sensitive, false).matches(value)
    };
    let a = &api.api_ref;
    let Some(parts) = ArnParts::parse(resource) else {
        return "is not an execute-api ARN".to_owned();
    };
    // A `*` spans colons, so parts can be judged one by one only when none before the
    // resource part holds one.
    let starred = [parts.partition, parts.service, parts.region, parts.account]
        .iter()
        .any(|p| p.contains('*'));
    if !starred {
        if !part_matches(parts.service, "execute-api") {
            return format!(
                "is a resource of `{}`, not an API method (`execute-api`)",
                parts.service
            );
        }
        let checks = [
            ("partition", parts.partition, &a.partition),
            ("region", parts.region, &a.region),
            ("account", parts.account, &a.account_id),
        ];
        for (what, given, actual) in checks {
            if !part_matches(given, actual) {
                return format!("names {what} `{given}`, but the API's is `{actual}`");
            }
        }
        let (api_id, rest) = match parts.resource.split_once('/') {
            Some((id, rest)) => (id, Some(rest)),
            None => (parts.resource, None),
        };
        if !api_id.contains('*') {
            if !part_matches(api_id, &a.api_id) {
                return format!("names API id `{api_id}`, but this API is `{}`", a.api_id);
            }
            match rest {
                None | Some("") => {
                    return "stops at the API id, and a method ARN continues with `/stage/VERB/path`".to_owned()
                }
                Some(rest) if !rest.contains('*') => {
                    let segments = rest.split('/').count();
                    if segments < 3 {
                        return format!(
                            "ends after `{rest}`, and a method ARN needs `stage/VERB/path` (the root resource is `stage/VERB/`)"
                        );
                    }
                }
                Some(_) => {}
            }
        }
    }
    format!(
        "cannot take the form `{}/stage/VERB/path`",
        api.api_ref.arn_prefix()
    )
}

// ---------------------------------------------------------------------------------------------
// aws-principal-without-iam, matches-no-method
// ---------------------------------------------------------------------------------------------

/// `` this API's methods use `NONE` ``, or `` `POST /pets` (`NONE`) and `GET /x` (a Lambda
/// authorizer) do not use it ``: the methods that do not use `AWS_IAM`.
fn without_iam(methods: &[&Covered]) -> String {
    const SHOWN: usize = 5;
    if let [Covered { label: None, auth }] = methods {
        return format!("this API's methods use {}", auth.describe());
    }
    let mut text = methods
        .iter()
        .take(SHOWN)
        .map(|m| {
            format!(
                "{} ({})",
                m.label.as_deref().unwrap_or("every method"),
                m.auth.describe()
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    if methods.len() > SHOWN {
        text = format!("{text} and {} more", methods.len() - SHOWN);
    }
    if methods.len() == 1 {
        format!("{text} does not use it")
    } else {
        format!("{text} do not use it")
    }
}

fn aws_principal_without_iam(at: &Site<'_>, covered: &[Covered]) -> Option<Finding> {
    let s = at.statement;
    let Some(PrincipalClause::Principal(p)) = s.principal() else {
        return None;
    };
    if p.names_everyone() || !p.names_iam_identities() || !acts_on(s.actions(), INVOKE_ACTION) {
        return None;
    }
    let non_iam: Vec<&Covered> = covered
        .iter()
        .filter(|m| m.auth != AuthKind::AwsIam)
        .collect();
    let some_iam = covered.iter().any(|m| m.auth == AuthKind::AwsIam);
    if non_iam.is_empty() {
        return None;
    }
    let why = format!(
        "API Gateway knows a caller's IAM identity only when the request is SigV4-signed (`AWS_IAM`), and {}",
        without_iam(&non_iam)
    );
    let (severity, message) = match (s.effect(), some_iam) {
        (Effect::Allow, some_iam) => (
            if some_iam {
                Severity::Warning
            } else {
                Severity::Error
            },
            format!(
                "{} allows only AWS principals {}: {why}, so the allow never matches their callers — unless another statement allows them, they get 403",
                at.named(),
                principals_text(p)
            ),
        ),
        (Effect::Deny, false) => (
            Severity::Error,
            format!(
                "{} denies AWS principals {}: {why}, so the deny never applies to their callers",
                at.named(),
                principals_text(p)
            ),
        ),
        (Effect::Deny, true) => return None,
    };
    Some(Finding {
        severity,
        code: "aws-principal-without-iam",
        path: at.path.key("Principal"),
        message,
        fix: "set `AWS_IAM` authorization on these methods (callers sign requests with SigV4), or use `\"Principal\": \"*\"` and restrict callers with conditions such as `aws:SourceIp` or `aws:SourceVpce`".to_owned(),
    })
}

fn principals_text(p: &Principals) -> String {
    format!("`{}`", p.source())
}

fn matches_no_method(ctx: &Ctx<'_>, at: &Site<'_>, covered: &[Covered]) -> Option<Finding> {
    let Methods::PerMethod(methods) = &ctx.methods else {
        return None;
    };
    if methods.is_empty() {
        return None;
    }
    let resources = at.statement.resources();
    if !covered.is_empty() || resources.is_negated() {
        return None;
    }
    Some(Finding {
        severity: Severity::Warning,
        code: "matches-no-method",
        path: at.path.key("Resource"),
        message: format!(
            "{} names none of the API's {} methods: its resources {} match no `stage/VERB/path` of them, so {}",
            at.named(),
            methods.len(),
            list(resources.patterns()),
            never_effect(at.effect())
        ),
        fix: "check the verb and path against the API's methods: paths are case-sensitive, the root resource is `stage/VERB/`, and `*` matches any path parameter value".to_owned(),
    })
}

// ---------------------------------------------------------------------------------------------
// private-allow-anyone
// ---------------------------------------------------------------------------------------------

fn pins_vpc(c: &Condition) -> bool {
    matches!(
        c.key().known_key(),
        Some(KnownKey::SourceVpce | KnownKey::SourceVpc)
    )
}

fn private_allow_anyone(ctx: &Ctx<'_>, at: &Site<'_>) -> Option<Finding> {
    let s = at.statement;
    if ctx.api.endpoint != EndpointType::Private
        || s.effect() != Effect::Allow
        || !s.conditions().is_empty()
        || !acts_on(s.actions(), INVOKE_ACTION)
    {
        return None;
    }
    let Some(PrincipalClause::Principal(p)) = s.principal() else {
        return None;
    };
    if !p.names_everyone() {
        return None;
    }
    // The seed's pattern: allow everyone, then deny requests not from a given VPC (endpoint).
    let guarded = ctx.vpc_guards.guard(s.resources());
    if guarded {
        return None;
    }
    Some(Finding {
        severity: Severity::Warning,
        code: "private-allow-anyone",
        path: at.path.clone(),
        message: format!(
            "{} allows everyone (`\"Principal\": \"*\"`) to invoke this private API with no condition, and no deny limits the VPC: a request through any `execute-api` VPC endpoint, in any AWS account, is allowed",
            at.named()
        ),
        fix: "add a `StringEquals` condition on `aws:SourceVpce` (your VPC endpoint ids) or `aws:SourceVpc`, or a `Deny` statement with `StringNotEquals` on one of them".to_owned(),
    })
}

// ---------------------------------------------------------------------------------------------
// condition-key-unavailable, forallvalues-in-allow
// ---------------------------------------------------------------------------------------------

/// Why API Gateway never sets the key of `c` for the methods the statement covers, and the
/// fix; `None` when it may.
fn unavailable(ctx: &Ctx<'_>, c: &Condition, covered: &[Covered]) -> Option<(String, String)> {
    let key = c.key().known_key()?;
    let written = c.key_source();
    let private = ctx.api.endpoint == EndpointType::Private;
    match key {
        KnownKey::SourceVpce | KnownKey::SourceVpc | KnownKey::VpcSourceIp if !private => {
            let endpoint = match ctx.api.endpoint {
                EndpointType::Edge => "edge-optimized",
                _ => "regional",
            };
            Some((
                format!(
                    "API Gateway sets `{written}` only for private APIs, and this API is {endpoint}"
                ),
                if key == KnownKey::VpcSourceIp {
                    "use `aws:SourceIp` for the caller's address on a regional or edge-optimized API".to_owned()
                } else {
                    "restrict callers of a regional or edge-optimized API with `aws:SourceIp`, or make the API private to filter by VPC or VPC endpoint".to_owned()
                },
            ))
        }
        KnownKey::SourceIp if private => Some((
            format!(
                "requests to a private API arrive through a VPC endpoint, where `{written}` is not set (the caller's address is `aws:VpcSourceIp`)"
            ),
            format!(
                "use `aws:VpcSourceIp` instead of `{written}`, with the same operator and CIDRs"
            ),
        )),
        k if k.describes_iam_caller() => {
            let non_iam: Vec<&Covered> = covered
                .iter()
                .filter(|m| m.auth != AuthKind::AwsIam)
                .collect();
            if non_iam.is_empty() || non_iam.len() < covered.len() {
                return None;
            }
            Some((
                format!(
                    "API Gateway sets `{written}` only for SigV4-signed callers (`AWS_IAM`), and {}",
                    without_iam(&non_iam)
                ),
                "set `AWS_IAM` authorization on these methods, or drop the condition".to_owned(),
            ))
        }
        _ => None,
    }
}

/// Whether a `Null` condition value is `false` (`"false"` or `false`).
fn is_false(v: &Value) -> bool {
    match v {
        Value::Bool(b) => !b,
        Value::String(t) => t.trim().eq_ignore_ascii_case("false"),
        _ => false,
    }
}

fn condition_path(at: &Site<'_>, c: &Condition) -> JsonPath {
    at.path
        .key("Condition")
        .key(&c.spec().to_string())
        .key(c.key_source())
}

fn condition_findings(ctx: &Ctx<'_>, at: &Site<'_>, covered: &[Covered]) -> Vec<Finding> {
    let s = at.statement;
    let mut findings = Vec::new();
    let absent = RequestContext::new();
    for c in s.conditions() {
        if let Some((why, fix)) = unavailable(ctx, c, covered) {
            // With the key absent the condition has one fixed value.
            let always = c.evaluate(&absent);
            let outcome = match (s.effect(), always) {
                (Effect::Allow, false) => "so the allow never matches",
                (Effect::Allow, true) => {
                    "so the condition restricts nothing and the allow applies to every request the rest of the statement covers"
                }
                (Effect::Deny, false) => "so the deny never applies",
                (Effect::Deny, true) => {
                    "so the deny applies to every request the rest of the statement covers"
                }
            };
            findings.push(Finding {
                severity: by_effect(s.effect()),
                code: "condition-key-unavailable",
                path: condition_path(at, c),
                message: format!(
                    "in {}, `{}` on `{}` is always {always} ({why}), {outcome}",
                    at.named(),
                    c.spec(),
                    c.key_source()
                ),
                fix,
            });
            continue;
        }
        if s.effect() == Effect::Allow && c.spec().qualifier == SetQualifier::ForAllValues {
            let required = s.conditions().iter().any(|n| {
                n.spec().operator == Operator::Null
                    && n.key() == c.key()
                    && n.value_sources().iter().all(is_false)
            });
            if required {
                continue;
            }
            let key = c.key_source();
            findings.push(Finding {
                severity: Severity::Warning,
                code: "forallvalues-in-allow",
                path: condition_path(at, c),
                message: format!(
                    "in {}, `{}` on `{key}` is true when the request has no `{key}` value at all, so the allow also matches requests that carry none",
                    at.named(),
                    c.spec()
                ),
                fix: format!(
                    "use `ForAnyValue:{}`, or add `\"Null\": {{\"{key}\": \"false\"}}` to the statement so the key must be present",
                    c.spec().operator.name()
                ),
            });
        }
    }
    findings
}

// ---------------------------------------------------------------------------------------------
// policy-size
// ---------------------------------------------------------------------------------------------

fn policy_size(policy: &PolicyDocument, at: &JsonPath) -> Option<Finding> {
    let chars = policy.stored_chars();
    let max = RESOURCE_POLICY_MAX_CHARS;
    let fix = "merge statements that differ only in `Resource` into one with a resource list, use wildcards for families of methods, or request a quota increase (the quota can be raised per API)".to_owned();
    if chars > max {
        Some(Finding {
            severity: Severity::Error,
            code: "policy-size",
            path: at.clone(),
            message: format!(
                "the resource policy is {chars} characters (minified, abbreviated resources expanded), above API Gateway's default quota of {max}: saving it fails unless the quota was raised for this API"
            ),
            fix,
        })
    } else if chars * 10 > max * 9 {
        Some(Finding {
            severity: Severity::Warning,
            code: "policy-size",
            path: at.clone(),
            message: format!(
                "the resource policy is {chars} characters (minified, abbreviated resources expanded), above 90 % of API Gateway's default quota of {max}"
            ),
            fix,
        })
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Ordering
// ---------------------------------------------------------------------------------------------

/// Compare strings with runs of digits compared as numbers (`[2]` before `[10]`).
fn natural_cmp(a: &str, b: &str) -> Ordering {
    let mut a = a.chars().peekable();
    let mut b = b.chars().peekable();
    loop {
        match (a.peek().copied(), b.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let run = |it: &mut std::iter::Peekable<std::str::Chars<'_>>| {
                    let mut digits = String::new();
                    while let Some(d) = it.next_if(char::is_ascii_digit) {
                        digits.push(d);
                    }
                    digits
                };
                let (x, y) = (run(&mut a), run(&mut b));
                let (xt, yt) = (x.trim_start_matches('0'), y.trim_start_matches('0'));
                let order = xt.len().cmp(&yt.len()).then_with(|| xt.cmp(yt));
                if order != Ordering::Equal {
                    return order;
                }
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                a.next();
                b.next();
            }
        }
    }
}

pub mod setup;

#[cfg(test)]
mod tests;
