//! The IAM policy language: parsing a policy document into one typed, compiled model.
//!
//! A [`PolicyDocument`] is parsed once — patterns compiled, CIDRs and dates read, principals
//! classified — and then evaluated any number of times by [`crate::eval`]. Parsing rejects what
//! IAM rejects and never guesses: an unknown or misspelled element, `Action` with `NotAction`, a
//! missing `Effect`, an unknown condition operator, a malformed CIDR or ARN each give a
//! [`PolicyError`] naming the JSON path. An invalid policy is never evaluated, so an unknown
//! operator inside a `Deny` cannot fail open.
//!
//! Documents are accepted as JSON objects or as JSON-encoded strings (what
//! `aws apigateway get-rest-api` returns). In resource policies, the abbreviated resources
//! `execute-api:/stage/VERB/path` and `execute-api:/*` are expanded with the API's partition,
//! region, account and id, as API Gateway does when the policy is saved.
//!
//! Where this sits in the model:
//! 1. a policy's JSON is parsed and compiled once into a [`PolicyDocument`] — the API's
//!    resource policy with [`PolicyDocument::parse_resource_policy`], a caller's IAM policies
//!    or a Lambda authorizer's `policyDocument` with [`PolicyDocument::parse_identity_policy`];
//! 2. it is evaluated against a request ([`EvalRequest`](crate::eval::EvalRequest): action,
//!    method ARN, caller, context) by [`PolicyDocument::evaluate`], or by
//!    [`PolicyDocument::explain`] for the per-statement trace;
//! 3. that gives a [`PolicyOutcome`](crate::eval::PolicyOutcome) — `Allow`, `ExplicitDeny` or
//!    `ImplicitDeny` — which [`crate::decision`] combines with the other layer's outcome by
//!    API Gateway's Table A (same account) or Table B (cross-account) into the gateway's
//!    decision.
//!
//! ```
//! use policy_engine::arn::ApiRef;
//! use policy_engine::policy::{Effect, PolicyDocument};
//!
//! let api = ApiRef {
//!     partition: "aws".into(),
//!     region: "us-east-1".into(),
//!     account_id: "123456789012".into(),
//!     api_id: "a1b2c3d4e5".into(),
//! };
//! // Only calls through VPC endpoint vpce-1a2b3c4d (the developer guide's private API example).
//! let policy = PolicyDocument::parse_resource_policy(r#"{
//!     "Version": "2012-10-17",
//!     "Statement": [
//!         {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
//!          "Resource": "execute-api:/*",
//!          "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
//!         {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
//!          "Resource": "execute-api:/*"}
//!     ]
//! }"#, &api)?;
//!
//! assert_eq!(policy.statements().len(), 2);
//! assert_eq!(policy.statements()[0].effect(), Effect::Deny);
//! assert_eq!(
//!     policy.statements()[0].resources().patterns()[0].as_str(),
//!     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"
//! );
//! # Ok::<(), policy_engine::error::PolicyError>(())
//! ```

use serde_json::{Map, Value};

use crate::arn::{ApiRef, ArnParts};
use crate::condition::Condition;
use crate::context::KnownKeys;
use crate::error::{PolicyError, PolicyErrorKind};
use crate::glob::{CaseMode, Pattern, Wildcards};
use crate::json::{self, JsonPath};
use crate::principal::Principals;

/// Where a policy is attached; it decides which elements are required or forbidden.
///
/// More kinds may be added as API Gateway's access control grows (a VPC endpoint policy is
/// another layer of private APIs), so a `match` needs a `_` arm.
///
/// ```
/// use policy_engine::policy::{PolicyDocument, PolicyKind};
///
/// let text = r#"{"Statement": {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}}"#;
/// assert_eq!(PolicyDocument::parse_identity_policy(text)?.kind(), PolicyKind::Identity);
///
/// // Without a principal it cannot be a resource policy.
/// let value: serde_json::Value = serde_json::from_str(text)?;
/// assert!(PolicyDocument::from_json(&value, PolicyKind::Resource, None).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyKind {
    /// An API Gateway resource policy: needs `Principal` or `NotPrincipal`.
    Resource,
    /// An IAM identity policy, or the policy a Lambda authorizer returns: no principal.
    Identity,
}

/// The policy language version, from the `Version` element.
///
/// ```
/// use policy_engine::policy::{PolicyDocument, Version};
///
/// let policy = PolicyDocument::parse_identity_policy(
///     r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
/// )?;
/// assert_eq!(policy.version(), Version::Unspecified);
/// assert!(!policy.version().supports_variables());
/// # Ok::<(), policy_engine::error::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: the current language, with policy variables.
    V2012_10_17,
    /// `2008-10-17`: no policy variables (`${...}` is literal text).
    V2008_10_17,
    /// No `Version` element: treated as `2008-10-17`, as IAM does.
    Unspecified,
}

impl Version {
    /// Whether `${...}` policy variables are recognised.
    ///
    /// ```
    /// # use policy_engine::policy::Version;
    /// assert!(Version::V2012_10_17.supports_variables());
    /// assert!(!Version::V2008_10_17.supports_variables());
    /// ```
    pub fn supports_variables(self) -> bool {
        self == Version::V2012_10_17
    }
}

/// A statement's effect: `Allow` or `Deny`.
///
/// ```
/// use policy_engine::policy::{Effect, PolicyDocument};
///
/// let policy = PolicyDocument::parse_identity_policy(
///     r#"{"Statement": {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "*"}}"#,
/// )?;
/// assert_eq!(policy.statements()[0].effect(), Effect::Deny);
/// # Ok::<(), policy_engine::error::PolicyError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// Grants access when the statement matches.
    Allow,
    /// Refuses access when the statement matches, whatever else allows it.
    Deny,
}

impl Effect {
    /// `Allow` or `Deny`, as policies spell it.
    ///
    /// ```
    /// # use policy_engine::policy::Effect;
    /// assert_eq!(Effect::Allow.name(), "Allow");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        }
    }
}

/// The principal element of a resource-policy statement.
///
/// ```
/// use policy_engine::policy::{PolicyDocument, PrincipalClause};
/// use policy_engine::principal::{Caller, PrincipalMatch};
/// # use policy_engine::arn::ApiRef;
/// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
/// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
///
/// let policy = PolicyDocument::parse_resource_policy(r#"{"Statement": {
///     "Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:role/admin"},
///     "Action": "execute-api:Invoke", "Resource": "execute-api:/*/DELETE/*"}}"#, &api)?;
/// let Some(PrincipalClause::NotPrincipal(excluded)) = policy.statements()[0].principal() else {
///     unreachable!("the statement has a NotPrincipal")
/// };
/// // Anonymous callers are not the admin role, so the deny applies to them.
/// assert_eq!(excluded.match_caller(&Caller::Anonymous, &api.account_id), PrincipalMatch::NoMatch);
/// # Ok::<(), policy_engine::error::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum PrincipalClause {
    /// `Principal`: the statement applies to these callers.
    Principal(Principals),
    /// `NotPrincipal`: the statement applies to every caller except these.
    NotPrincipal(Principals),
}

/// A list of patterns, or its negation (`Action` / `NotAction`, `Resource` / `NotResource`).
///
/// ```
/// use policy_engine::policy::PolicyDocument;
///
/// let policy = PolicyDocument::parse_identity_policy(r#"{"Statement": {"Effect": "Allow",
///     "NotAction": "execute-api:ManageConnections", "Resource": ["arn:aws:execute-api:*:*:*/prod/*", "arn:aws:execute-api:*:*:*/beta/*"]}}"#)?;
/// let statement = &policy.statements()[0];
/// assert!(statement.actions().is_negated());
/// assert!(!statement.resources().is_negated());
/// assert_eq!(statement.resources().patterns().len(), 2);
/// # Ok::<(), policy_engine::error::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PatternSet {
    negated: bool,
    patterns: Box<[Pattern]>,
}

impl PatternSet {
    /// Whether this is the `Not...` form.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// let policy = PolicyDocument::parse_identity_policy(r#"{"Statement": {"Effect": "Deny",
    ///     "Action": "*", "NotResource": "arn:aws:execute-api:*:*:*/prod/GET/health"}}"#)?;
    /// assert!(policy.statements()[0].resources().is_negated());
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn is_negated(&self) -> bool {
        self.negated
    }

    /// The compiled patterns, as written (resources after abbreviation expansion).
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// # use policy_engine::arn::ApiRef;
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// let policy = PolicyDocument::parse_resource_policy(r#"{"Statement": {"Effect": "Allow",
    ///     "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/prod/GET/pets"}}"#, &api)?;
    /// let resources = policy.statements()[0].resources().patterns();
    /// assert_eq!(resources[0].as_str(), "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets");
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }
}

/// One statement of a policy, compiled: what [`PolicyDocument::statements`] lists, and what
/// each entry of an evaluation trace ([`StatementTrace`](crate::eval::StatementTrace))
/// reports on.
///
/// ```
/// use policy_engine::policy::{Effect, PolicyDocument};
///
/// let policy = PolicyDocument::parse_identity_policy(r#"{"Version": "2012-10-17", "Statement": [{
///     "Sid": "PetsFromTheOffice", "Effect": "Allow", "Action": "execute-api:Invoke",
///     "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/GET/pets",
///     "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}]}"#)?;
/// let statement = &policy.statements()[0];
/// assert_eq!(statement.sid(), Some("PetsFromTheOffice"));
/// assert_eq!(statement.effect(), Effect::Allow);
/// assert!(statement.principal().is_none()); // identity policies have none
/// assert_eq!(statement.conditions().len(), 1);
/// # Ok::<(), policy_engine::error::PolicyError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub(crate) sid: Option<String>,
    pub(crate) effect: Effect,
    pub(crate) principal: Option<PrincipalClause>,
    pub(crate) actions: PatternSet,
    pub(crate) resources: PatternSet,
    pub(crate) conditions: Box<[Condition]>,
    /// Whether `Action` / `NotAction` lists `execute-api:Invoke`, decided once at compile time:
    /// it is the action of nearly every request, so evaluation skips the pattern match.
    pub(crate) lists_invoke: bool,
}

impl Statement {
    /// The `Sid`, if any.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// let policy = PolicyDocument::parse_identity_policy(
    ///     r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#)?;
    /// assert_eq!(policy.statements()[0].sid(), None);
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn sid(&self) -> Option<&str> {
        self.sid.as_deref()
    }

    /// The effect.
    ///
    /// ```
    /// # use policy_engine::policy::{Effect, PolicyDocument};
    /// let policy = PolicyDocument::parse_identity_policy(
    ///     r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#)?;
    /// assert_eq!(policy.statements()[0].effect(), Effect::Allow);
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The principal element (resource policies only; `None` in identity policies).
    ///
    /// ```
    /// # use policy_engine::policy::{PolicyDocument, PrincipalClause};
    /// # use policy_engine::arn::ApiRef;
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// let policy = PolicyDocument::parse_resource_policy(r#"{"Statement": {"Effect": "Allow",
    ///     "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}}"#, &api)?;
    /// assert!(matches!(
    ///     policy.statements()[0].principal(),
    ///     Some(PrincipalClause::Principal(p)) if p.names_everyone()
    /// ));
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn principal(&self) -> Option<&PrincipalClause> {
        self.principal.as_ref()
    }

    /// `Action` or `NotAction`. Action patterns match case-insensitively.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// let policy = PolicyDocument::parse_identity_policy(
    ///     r#"{"Statement": {"Effect": "Allow", "Action": "execute-api:*", "Resource": "*"}}"#)?;
    /// assert!(policy.statements()[0].actions().patterns()[0].matches("EXECUTE-API:Invoke"));
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn actions(&self) -> &PatternSet {
        &self.actions
    }

    /// `Resource` or `NotResource`.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// let policy = PolicyDocument::parse_identity_policy(r#"{"Statement": {"Effect": "Allow",
    ///     "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/prod/GET/*"}}"#)?;
    /// let resource = &policy.statements()[0].resources().patterns()[0];
    /// assert!(resource.matches("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"));
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn resources(&self) -> &PatternSet {
        &self.resources
    }

    /// The conditions, flattened (operator × key) in document order, all of which must hold.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// let policy = PolicyDocument::parse_identity_policy(r#"{"Statement": {"Effect": "Allow",
    ///     "Action": "*", "Resource": "*", "Condition": {
    ///         "IpAddress": {"aws:SourceIp": "192.0.2.0/24"},
    ///         "DateLessThan": {"aws:CurrentTime": "2026-12-31T23:59:59Z"}}}}"#)?;
    /// let keys: Vec<&str> = policy.statements()[0].conditions().iter().map(|c| c.key_source()).collect();
    /// assert_eq!(keys, ["aws:SourceIp", "aws:CurrentTime"]);
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn conditions(&self) -> &[Condition] {
        &self.conditions
    }
}

/// A parsed, compiled IAM policy document: parse once, evaluate many times.
///
/// Equality compares meaning, not text: the same policy written as an object or as the
/// `get-rest-api` string, or with a single statement object instead of a list, is equal.
///
/// ```
/// use policy_engine::arn::{ApiRef, MethodArn};
/// use policy_engine::context::RequestContext;
/// use policy_engine::eval::{EvalRequest, PolicyOutcome, INVOKE_ACTION};
/// use policy_engine::policy::PolicyDocument;
/// use policy_engine::principal::Caller;
///
/// let api = ApiRef {
///     partition: "aws".into(),
///     region: "us-east-1".into(),
///     account_id: "123456789012".into(),
///     api_id: "a1b2c3d4e5".into(),
/// };
/// let policy = PolicyDocument::parse_resource_policy(r#"{"Version": "2012-10-17", "Statement": [{
///     "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
///     "Resource": "execute-api:/prod/GET/pets"}]}"#, &api)?;
///
/// let context = RequestContext::new();
/// let outcome = |arn: &MethodArn| policy.evaluate(&EvalRequest {
///     action: INVOKE_ACTION,
///     resource: arn.as_str(),
///     caller: &Caller::Anonymous,
///     owner_account: &api.account_id,
///     context: &context,
/// }).outcome;
/// assert_eq!(outcome(&MethodArn::for_method(&api, "prod", "GET", "/pets")), PolicyOutcome::Allow);
/// assert_eq!(outcome(&MethodArn::for_method(&api, "prod", "POST", "/pets")), PolicyOutcome::ImplicitDeny);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PolicyDocument {
    pub(crate) kind: PolicyKind,
    pub(crate) version: Version,
    pub(crate) id: Option<String>,
    pub(crate) statements: Box<[Statement]>,
    /// The documented request keys the policy reads (condition keys and policy variables),
    /// derived at compile time: the quiet flow builds only these.
    pub(crate) keys_read: KnownKeys,
    /// Facts about the text the policy was read from (for lints), not part of its meaning.
    pub(crate) source: SourceFacts,
}

/// What the lints need to know about how a policy was written.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SourceFacts {
    /// Characters of the minified JSON as API Gateway stores it (abbreviations expanded).
    pub(crate) stored_chars: usize,
    /// Whether `Statement` was an array (`Statement[0]`) rather than a single object.
    pub(crate) statement_list: bool,
}

/// Two documents are equal when they say the same thing, however they were written.
impl PartialEq for PolicyDocument {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.version == other.version
            && self.id == other.id
            && self.statements == other.statements
    }
}

const TOP_LEVEL: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

impl PolicyDocument {
    /// Parse an API Gateway resource policy for `api`: JSON text of an object, or of a string
    /// holding the object (the `get-rest-api` form). Abbreviated `execute-api:/...` resources
    /// are expanded with `api`.
    ///
    /// # Errors
    ///
    /// A [`PolicyError`] for text that is not JSON, and for anything IAM or API Gateway would
    /// refuse: unknown elements, a statement without `Principal`, invalid ARNs, CIDRs, dates or
    /// operators.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// # use policy_engine::arn::ApiRef;
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// let object = r#"{"Statement": {"Effect": "Allow", "Principal": "*",
    ///     "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}}"#;
    /// // What `aws apigateway get-rest-api` returns: the same policy, as an escaped string.
    /// let from_get_rest_api = r#""{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"execute-api:Invoke\",\"Resource\":\"execute-api:/*\"}}""#;
    /// assert_eq!(
    ///     PolicyDocument::parse_resource_policy(object, &api)?,
    ///     PolicyDocument::parse_resource_policy(from_get_rest_api, &api)?,
    /// );
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn parse_resource_policy(text: &str, api: &ApiRef) -> Result<Self, PolicyError> {
        Self::from_json(&parse_text(text)?, PolicyKind::Resource, Some(api))
    }

    /// Parse an IAM identity policy or a Lambda authorizer's `policyDocument`.
    ///
    /// # Errors
    ///
    /// A [`PolicyError`] as for [`PolicyDocument::parse_resource_policy`]; in addition a
    /// `Principal` is refused, and so is an abbreviated `execute-api:/...` resource (there is
    /// no API to expand it with).
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// // What a Lambda authorizer returns as `policyDocument`.
    /// let policy = PolicyDocument::parse_identity_policy(r#"{
    ///     "Version": "2012-10-17",
    ///     "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow",
    ///                    "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}]
    /// }"#)?;
    /// assert_eq!(policy.statements().len(), 1);
    /// assert!(PolicyDocument::parse_identity_policy(
    ///     r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "execute-api:/*"}}"#
    /// ).is_err());
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn parse_identity_policy(text: &str) -> Result<Self, PolicyError> {
        Self::from_json(&parse_text(text)?, PolicyKind::Identity, None)
    }

    /// Parse an already-decoded JSON value (an object, or a string holding one). `api` is
    /// needed to expand abbreviated `execute-api:/...` resources in resource policies.
    ///
    /// # Errors
    ///
    /// A [`PolicyError`] as for [`PolicyDocument::parse_resource_policy`] and
    /// [`PolicyDocument::parse_identity_policy`], by `kind`.
    ///
    /// ```
    /// use policy_engine::policy::{PolicyDocument, PolicyKind};
    /// use serde_json::json;
    ///
    /// let authorizer_output = json!({
    ///     "principalId": "user|a1b2c3",
    ///     "policyDocument": {
    ///         "Version": "2012-10-17",
    ///         "Statement": [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*"}]
    ///     }
    /// });
    /// let policy = PolicyDocument::from_json(&authorizer_output["policyDocument"], PolicyKind::Identity, None)?;
    /// assert_eq!(policy.kind(), PolicyKind::Identity);
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn from_json(
        value: &Value,
        kind: PolicyKind,
        api: Option<&ApiRef>,
    ) -> Result<Self, PolicyError> {
        let root = JsonPath::root();
        let decoded;
        let value = match value {
            Value::String(_) => {
                decoded = unwrap_string_layers(value.clone())?;
                &decoded
            }
            other => other,
        };
        let Value::Object(doc) = value else {
            return Err(PolicyError::new(
                &root,
                PolicyErrorKind::InvalidValue,
                format!(
                    "a policy must be a JSON object, not {}",
                    json::type_name(value)
                ),
                Some("write `{\"Version\": \"2012-10-17\", \"Statement\": [...]}`".to_owned()),
            ));
        };
        reject_unknown(doc, &root, &TOP_LEVEL, "policy element")?;
        let version = match doc.get("Version") {
            None => Version::Unspecified,
            Some(Value::String(v)) if v == "2012-10-17" => Version::V2012_10_17,
            Some(Value::String(v)) if v == "2008-10-17" => Version::V2008_10_17,
            Some(other) => {
                return Err(PolicyError::new(
                    &root.key("Version"),
                    PolicyErrorKind::InvalidValue,
                    format!("unsupported policy version {other}"),
                    Some("use `2012-10-17`".to_owned()),
                ));
            }
        };
        let id = match doc.get("Id") {
            None => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(PolicyError::new(
                    &root.key("Id"),
                    PolicyErrorKind::InvalidValue,
                    format!("`Id` must be a string, not {}", json::type_name(other)),
                    None,
                ));
            }
        };
        let statement_path = root.key("Statement");
        let Some(statements) = doc.get("Statement") else {
            return Err(PolicyError::new(
                &root,
                PolicyErrorKind::MissingElement,
                "the policy has no `Statement`".to_owned(),
                Some(
                    "add `\"Statement\": [{\"Effect\": ..., \"Action\": ..., \"Resource\": ...}]`"
                        .to_owned(),
                ),
            ));
        };
        let parsed = json::one_or_many(statements, &statement_path)
            .into_iter()
            .map(|(s, path)| parse_statement(s, &path, kind, version, api))
            .collect::<Result<Vec<_>, _>>()?;
        let source = SourceFacts {
            stored_chars: stored_chars(doc, kind, api),
            statement_list: matches!(statements, Value::Array(_)),
        };
        let mut keys_read = KnownKeys::default();
        for statement in &parsed {
            statement
                .resources
                .patterns()
                .iter()
                .for_each(|p| p.add_keys_read(&mut keys_read));
            statement
                .conditions
                .iter()
                .for_each(|c| c.add_keys_read(&mut keys_read));
        }
        Ok(Self {
            kind,
            version,
            id,
            statements: parsed.into(),
            keys_read,
            source,
        })
    }

    /// The documented request keys the policy reads: its condition keys and the keys of its
    /// policy variables. Keys outside [`KnownKey`](crate::context::KnownKey) are not counted.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// use policy_engine::context::KnownKey;
    ///
    /// let policy = PolicyDocument::parse_identity_policy(r#"{"Version": "2012-10-17", "Statement": {
    ///     "Effect": "Allow", "Action": "execute-api:Invoke",
    ///     "Resource": "arn:aws:execute-api:*:*:*/*/GET/users/${aws:username}",
    ///     "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}}}"#)?;
    /// let keys = policy.keys_read();
    /// assert!(keys.contains(KnownKey::SourceIp) && keys.contains(KnownKey::Username));
    /// assert!(!keys.contains(KnownKey::SourceVpce));
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn keys_read(&self) -> KnownKeys {
        self.keys_read
    }

    /// The policy's length in characters as API Gateway stores it: minified JSON, with the
    /// abbreviated `execute-api:/...` resources expanded. The lints hold it against the
    /// resource-policy size quota (counting the expanded form is the cautious reading).
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// # use policy_engine::arn::ApiRef;
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// let text = r#"{
    ///     "Version": "2012-10-17",
    ///     "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    ///                    "Resource": "execute-api:/*"}]
    /// }"#;
    /// let policy = PolicyDocument::parse_resource_policy(text, &api)?;
    /// // Whitespace is not counted; the expanded resource is.
    /// assert_eq!(policy.stored_chars(), policy.to_json().to_string().chars().count());
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn stored_chars(&self) -> usize {
        self.source.stored_chars
    }

    /// The JSON path of statement `index` in the document as written, for a policy found at
    /// `at` in its file: `Statement[1]`, or `Statement` when the element was a single object.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// use policy_engine::json::JsonPath;
    ///
    /// let single = PolicyDocument::parse_identity_policy(
    ///     r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#)?;
    /// assert_eq!(single.statement_path(&JsonPath::root(), 0).as_str(), "Statement");
    /// let listed = PolicyDocument::parse_identity_policy(
    ///     r#"{"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}"#)?;
    /// let at = JsonPath::root().key("resourcePolicy");
    /// assert_eq!(listed.statement_path(&at, 0).as_str(), "resourcePolicy.Statement[0]");
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn statement_path(&self, at: &JsonPath, index: usize) -> JsonPath {
        let statements = at.key("Statement");
        if self.source.statement_list {
            statements.index(index)
        } else {
            statements
        }
    }

    /// Whether this is a resource or an identity policy.
    ///
    /// ```
    /// # use policy_engine::policy::{PolicyDocument, PolicyKind};
    /// # use policy_engine::arn::ApiRef;
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// let policy = PolicyDocument::parse_resource_policy(r#"{"Statement": {"Effect": "Allow",
    ///     "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}}"#, &api)?;
    /// assert_eq!(policy.kind(), PolicyKind::Resource);
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn kind(&self) -> PolicyKind {
        self.kind
    }

    /// The language version.
    ///
    /// ```
    /// # use policy_engine::policy::{PolicyDocument, Version};
    /// let policy = PolicyDocument::parse_identity_policy(r#"{"Version": "2012-10-17",
    ///     "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#)?;
    /// assert_eq!(policy.version(), Version::V2012_10_17);
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn version(&self) -> Version {
        self.version
    }

    /// The `Id`, if any.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// let policy = PolicyDocument::parse_identity_policy(r#"{"Id": "pets-readers",
    ///     "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#)?;
    /// assert_eq!(policy.id(), Some("pets-readers"));
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The statements in document order (a single statement object gives one).
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// let policy = PolicyDocument::parse_identity_policy(r#"{"Statement": [
    ///     {"Sid": "A", "Effect": "Allow", "Action": "*", "Resource": "*"},
    ///     {"Sid": "B", "Effect": "Deny", "Action": "*", "Resource": "*"}]}"#)?;
    /// let sids: Vec<_> = policy.statements().iter().filter_map(|s| s.sid()).collect();
    /// assert_eq!(sids, ["A", "B"]);
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// The policy as IAM JSON, resources expanded (what API Gateway stores and returns).
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// # use policy_engine::arn::ApiRef;
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// let policy = PolicyDocument::parse_resource_policy(r#"{"Statement": {"Effect": "Allow",
    ///     "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/prod/*"}}"#, &api)?;
    /// let json = policy.to_json();
    /// assert_eq!(
    ///     json["Statement"][0]["Resource"],
    ///     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/*"
    /// );
    /// // It reads back as the same policy.
    /// assert_eq!(PolicyDocument::parse_resource_policy(&json.to_string(), &api)?, policy);
    /// # Ok::<(), policy_engine::error::PolicyError>(())
    /// ```
    pub fn to_json(&self) -> Value {
        let mut doc = Map::new();
        match self.version {
            Version::V2012_10_17 => {
                doc.insert("Version".into(), "2012-10-17".into());
            }
            Version::V2008_10_17 => {
                doc.insert("Version".into(), "2008-10-17".into());
            }
            Version::Unspecified => {}
        }
        if let Some(id) = &self.id {
            doc.insert("Id".into(), id.clone().into());
        }
        let statements = self.statements.iter().map(statement_to_json).collect();
        doc.insert("Statement".into(), Value::Array(statements));
        Value::Object(doc)
    }
}

/// Characters of `doc` minified, plus what expanding its `execute-api:/...` resources adds.
fn stored_chars(doc: &Map<String, Value>, kind: PolicyKind, api: Option<&ApiRef>) -> usize {
    let minified = serde_json::to_string(doc).map_or(0, |t| t.chars().count());
    let (PolicyKind::Resource, Some(api)) = (kind, api) else {
        return minified;
    };
    // `execute-api:/rest` becomes `{arn_prefix}/rest`.
    let growth = api
        .arn_prefix()
        .chars()
        .count()
        .saturating_sub("execute-api:".len());
    let root = JsonPath::root();
    let abbreviated = doc
        .get("Statement")
        .map(|s| json::one_or_many(s, &root))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(s, _)| s.as_object())
        .flat_map(|s| ["Resource", "NotResource"].map(|k| s.get(k)))
        .flatten()
        .flat_map(|r| json::one_or_many(r, &root))
        .filter(|(r, _)| r.as_str().is_some_and(|r| r.starts_with("execute-api:/")))
        .count();
    minified + abbreviated * growth
}

fn statement_to_json(s: &Statement) -> Value {
    let mut out = Map::new();
    if let Some(sid) = &s.sid {
        out.insert("Sid".into(), sid.clone().into());
    }
    out.insert("Effect".into(), s.effect.name().into());
    match &s.principal {
        Some(PrincipalClause::Principal(p)) => {
            out.insert("Principal".into(), p.source().clone());
        }
        Some(PrincipalClause::NotPrincipal(p)) => {
            out.insert("NotPrincipal".into(), p.source().clone());
        }
        None => {}
    }
    let list = |set: &PatternSet| -> Value {
        match set.patterns() {
            [one] => one.as_str().into(),
            many => many.iter().map(|p| Value::from(p.as_str())).collect(),
        }
    };
    let (action_key, resource_key) = (
        if s.actions.negated {
            "NotAction"
        } else {
            "Action"
        },
        if s.resources.negated {
            "NotResource"
        } else {
            "Resource"
        },
    );
    out.insert(action_key.into(), list(&s.actions));
    out.insert(resource_key.into(), list(&s.resources));
    if !s.conditions.is_empty() {
        let mut block = Map::new();
        for c in s.conditions.iter() {
            let op = block
                .entry(c.spec().to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(keys) = op {
                let values = match c.value_sources() {
                    [one] => one.clone(),
                    many => Value::Array(many.to_vec()),
                };
                keys.insert(c.key_source().to_owned(), values);
            }
        }
        out.insert("Condition".into(), Value::Object(block));
    }
    Value::Object(out)
}

fn parse_text(text: &str) -> Result<Value, PolicyError> {
    // `get-rest-api --query policy --output text` prints `{\"Version\":...}`: JSON whose
    // quotes are still escaped once. Read it as the string it is.
    let trimmed = text.trim();
    if trimmed.starts_with("{\\\"")
        && let Ok(unescaped) = serde_json::from_str::<String>(&format!("\"{trimmed}\""))
    {
        return unwrap_string_layers(Value::String(unescaped));
    }
    let value: Value = crate::json::parse_strict(text).map_err(|e| {
        PolicyError::new(
            &JsonPath::root(),
            PolicyErrorKind::InvalidJson,
            format!("the policy is not valid JSON ({e})"),
            None,
        )
    })?;
    unwrap_string_layers(value)
}

/// Decode a policy given as a JSON string, as `get-rest-api` returns it. Its `policy` field is
/// escaped twice (`{\"Version\":...}` once decoded), so up to two further layers are undone.
fn unwrap_string_layers(mut value: Value) -> Result<Value, PolicyError> {
    for _ in 0..3 {
        let Value::String(inner) = &value else {
            return Ok(value);
        };
        let decoded = crate::json::parse_strict(inner).or_else(|first| {
            // `{\"Version\": ...}`: undo one level of string escaping, then parse.
            serde_json::from_str::<String>(&format!("\"{inner}\""))
                .and_then(|unescaped| crate::json::parse_strict(&unescaped))
                .map_err(|_| first)
        });
        value = decoded.map_err(|e| {
            PolicyError::new(
                &JsonPath::root(),
                PolicyErrorKind::InvalidJson,
                format!("the policy string does not hold valid JSON ({e})"),
                Some(
                    "give the policy as a JSON object, or as the string `get-rest-api` returns"
                        .to_owned(),
                ),
            )
        })?;
    }
    Ok(value)
}

fn reject_unknown(
    object: &Map<String, Value>,
    path: &JsonPath,
    known: &[&str],
    what: &str,
) -> Result<(), PolicyError> {
    if let Some((key, hint)) = json::unknown_member(object, known, |_| false) {
        return Err(PolicyError::new(
            &path.key(key),
            PolicyErrorKind::UnknownElement,
            format!("unknown {what} `{key}`"),
            Some(hint),
        ));
    }
    Ok(())
}

/// The value of whichever of `positive` / `negative` is present; both or neither is an error.
fn one_of<'v>(
    object: &'v Map<String, Value>,
    path: &JsonPath,
    positive: &str,
    negative: &str,
    required: bool,
) -> Result<Option<(&'v Value, bool)>, PolicyError> {
    match (object.get(positive), object.get(negative)) {
        (Some(_), Some(_)) => Err(PolicyError::new(
            path,
            PolicyErrorKind::ConflictingElements,
            format!("a statement cannot have both `{positive}` and `{negative}`"),
            Some("keep one of them".to_owned()),
        )),
        (Some(v), None) => Ok(Some((v, false))),
        (None, Some(v)) => Ok(Some((v, true))),
        (None, None) if required => Err(PolicyError::new(
            path,
            PolicyErrorKind::MissingElement,
            format!("the statement has neither `{positive}` nor `{negative}`"),
            Some(format!("add `{positive}`")),
        )),
        (None, None) => Ok(None),
    }
}

fn parse_statement(
    value: &Value,
    path: &JsonPath,
    kind: PolicyKind,
    version: Version,
    api: Option<&ApiRef>,
) -> Result<Statement, PolicyError> {
    let Value::Object(s) = value else {
        return Err(PolicyError::new(
            path,
            PolicyErrorKind::InvalidValue,
            format!(
                "a statement must be an object, not {}",
                json::type_name(value)
            ),
            None,
        ));
    };
    reject_unknown(s, path, &STATEMENT_ELEMENTS, "statement element")?;
    let sid = match s.get("Sid") {
        None => None,
        Some(Value::String(sid)) => Some(sid.clone()),
        Some(other) => {
            return Err(PolicyError::new(
                &path.key("Sid"),
                PolicyErrorKind::InvalidValue,
                format!("`Sid` must be a string, not {}", json::type_name(other)),
                None,
            ));
        }
    };
    let effect = match s.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(other) => {
            return Err(PolicyError::new(
                &path.key("Effect"),
                PolicyErrorKind::InvalidValue,
                format!("`Effect` must be `Allow` or `Deny`, not {other}"),
                Some("IAM spells them with a capital first letter".to_owned()),
            ));
        }
        None => {
            return Err(PolicyError::new(
                path,
                PolicyErrorKind::MissingElement,
                "the statement has no `Effect`".to_owned(),
                Some("add `\"Effect\": \"Allow\"` or `\"Effect\": \"Deny\"`".to_owned()),
            ));
        }
    };
    let principal = match one_of(s, path, "Principal", "NotPrincipal", false)? {
        None if kind == PolicyKind::Resource => {
            return Err(PolicyError::new(
                path,
                PolicyErrorKind::MissingElement,
                "a resource-policy statement needs `Principal` or `NotPrincipal`".to_owned(),
                Some("add `\"Principal\": \"*\"` to apply it to every caller".to_owned()),
            ));
        }
        None => None,
        Some(_) if kind == PolicyKind::Identity => {
            let name = if s.contains_key("Principal") {
                "Principal"
            } else {
                "NotPrincipal"
            };
            return Err(PolicyError::new(
                &path.key(name),
                PolicyErrorKind::UnknownElement,
                format!("`{name}` is not allowed in an identity or authorizer policy"),
                Some("remove it: the policy applies to the identity it is attached to".to_owned()),
            ));
        }
        Some((value, negated)) => {
            let key = if negated { "NotPrincipal" } else { "Principal" };
            let principals = Principals::parse(value, &path.key(key))?;
            Some(if negated {
                PrincipalClause::NotPrincipal(principals)
            } else {
                PrincipalClause::Principal(principals)
            })
        }
    };
    let variables = version.supports_variables();
    let actions = match one_of(s, path, "Action", "NotAction", true)? {
        Some((value, negated)) => {
            let key = path.key(if negated { "NotAction" } else { "Action" });
            parse_actions(value, &key, negated)?
        }
        None => {
            return Err(PolicyError::new(
                path,
                PolicyErrorKind::MissingElement,
                "the statement has no `Action`".to_owned(),
                None,
            ));
        }
    };
    let resources = match one_of(s, path, "Resource", "NotResource", true)? {
        Some((value, negated)) => {
            let key = path.key(if negated { "NotResource" } else { "Resource" });
            parse_resources(value, &key, negated, kind, variables, api)?
        }
        None => {
            return Err(PolicyError::new(
                path,
                PolicyErrorKind::MissingElement,
                "the statement has no `Resource`".to_owned(),
                None,
            ));
        }
    };
    let conditions = match s.get("Condition") {
        None => Vec::new(),
        Some(block) => Condition::parse_block(block, &path.key("Condition"), variables)?,
    };
    let lists_invoke = actions
        .patterns()
        .iter()
        .any(|p| p.matches(crate::eval::INVOKE_ACTION));
    Ok(Statement {
        sid,
        effect,
        principal,
        actions,
        resources,
        conditions: conditions.into(),
        lists_invoke,
    })
}

fn strings<'v>(
    value: &'v Value,
    path: &JsonPath,
    what: &str,
) -> Result<Vec<(&'v str, JsonPath)>, PolicyError> {
    let items = json::one_or_many(value, path);
    if items.is_empty() {
        return Err(PolicyError::new(
            path,
            PolicyErrorKind::InvalidValue,
            format!("the {what} list is empty"),
            Some(format!("name at least one {what}")),
        ));
    }
    items
        .into_iter()
        .map(|(v, p)| match v {
            Value::String(s) => Ok((s.as_str(), p)),
            other => Err(PolicyError::new(
                &p,
                PolicyErrorKind::InvalidValue,
                format!("{what} must be a string, not {}", json::type_name(other)),
                None,
            )),
        })
        .collect()
}

fn parse_actions(value: &Value, path: &JsonPath, negated: bool) -> Result<PatternSet, PolicyError> {
    let patterns = strings(value, path, "action")?
        .into_iter()
        .map(|(a, p)| {
            let valid = a == "*"
                || a.split_once(':').is_some_and(|(service, action)| {
                    !service.is_empty() && !action.is_empty() && !service.contains('*')
                });
            if valid {
                Ok(Pattern::compile(
                    a,
                    Wildcards::On,
                    CaseMode::Insensitive,
                    false,
                ))
            } else {
                Err(PolicyError::new(
                    &p,
                    PolicyErrorKind::InvalidValue,
                    format!("invalid action `{a}`"),
                    Some("write `service:action`, such as `execute-api:Invoke`, or `*`".to_owned()),
                ))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PatternSet {
        negated,
        patterns: patterns.into(),
    })
}

fn parse_resources(
    value: &Value,
    path: &JsonPath,
    negated: bool,
    kind: PolicyKind,
    variables: bool,
    api: Option<&ApiRef>,
) -> Result<PatternSet, PolicyError> {
    let patterns = strings(value, path, "resource")?
        .into_iter()
        .map(|(r, p)| {
            let expanded = expand_resource(r, &p, kind, api)?;
            // Variables only in the resource part, after the fifth colon; a truncated
            // `arn:aws:execute-api:*` has none.
            let variables_from = if variables {
                crate::arn::resource_part_offset(&expanded)
            } else {
                None
            };
            Ok(Pattern::compile_with_variables_from(
                &expanded,
                Wildcards::On,
                CaseMode::Sensitive,
                variables_from,
            ))
        })
        .collect::<Result<Vec<_>, PolicyError>>()?;
    Ok(PatternSet {
        negated,
        patterns: patterns.into(),
    })
}

/// Validate a resource and expand the abbreviated `execute-api:/...` form.
fn expand_resource(
    r: &str,
    path: &JsonPath,
    kind: PolicyKind,
    api: Option<&ApiRef>,
) -> Result<String, PolicyError> {
    if r == "*" {
        return Ok(r.to_owned());
    }
    if let Some(rest) = r.strip_prefix("execute-api:") {
        if let (PolicyKind::Resource, Some(api), Some(rest)) = (kind, api, rest.strip_prefix('/')) {
            return Ok(format!("{}/{rest}", api.arn_prefix()));
        }
        let why = match (kind, api) {
            (PolicyKind::Resource, Some(_)) => {
                "the abbreviated form is `execute-api:/stage/VERB/path` (did you mean `execute-api:/*`?)"
            }
            (PolicyKind::Resource, None) => "the abbreviated form needs the API it belongs to",
            (PolicyKind::Identity, _) => {
                "the abbreviated `execute-api:/...` form is only expanded in resource policies"
            }
        };
        return Err(PolicyError::new(
            path,
            PolicyErrorKind::InvalidArn,
            format!("resource `{r}` cannot be used: {why}"),
            Some(
                "write the full ARN `arn:aws:execute-api:region:account-id:api-id/stage/VERB/path`"
                    .to_owned(),
            ),
        ));
    }
    if ArnParts::parse(r).is_some_and(|a| !a.partition.is_empty() && !a.service.is_empty())
        || crate::arn::is_truncated_wildcard_arn(r)
    {
        return Ok(r.to_owned());
    }
    let fix = if let Some(rest) = r.strip_prefix("execute-api/") {
        format!("did you mean `execute-api:/{rest}`?")
    } else {
        "write a full ARN such as `arn:aws:execute-api:region:account-id:api-id/stage/VERB/path`, `execute-api:/stage/VERB/path` in a resource policy, or `*`".to_owned()
    };
    Err(PolicyError::new(
        path,
        PolicyErrorKind::InvalidArn,
        format!("resource `{r}` is not an ARN"),
        Some(fix),
    ))
}

#[cfg(test)]
mod tests;
