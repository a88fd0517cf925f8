//! What an authorizer returns to API Gateway: the IAM-policy response (REST, HTTP API payload
//! 1.0 and 2.0) and the HTTP API 2.0 simple response, checked before they leave the function.
//!
//! The REST context map admits only strings, numbers and booleans: [`ContextValue`] cannot hold
//! anything else, so a malformed context is a compile error rather than a 500 at run time.
//!
//! This is the last step of an authorizer (see the [crate] docs): the policy comes from
//! [`crate::builder::PolicyBuilder`], the response goes back to API Gateway as
//! [`AuthorizerResponse::to_json`] (or through `serde`), and a refusal is an
//! [`AuthorizerError`] instead: `Unauthorized` for 401, anything else for 500. A deny is not an
//! error but a policy that does not allow the method (403).
//!
//! ```
//! use authorizer::builder::PolicyBuilder;
//! use authorizer::response::{AuthorizerResponse, PolicyResponse, RestContext};
//! use policy_engine::arn::MethodArn;
//! use serde_json::json;
//!
//! let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
//! let mut context = RestContext::new();
//! context.insert("tier".to_owned(), "gold".into());
//! context.insert("orgId".to_owned(), 42.into());
//! let response = AuthorizerResponse::Policy(PolicyResponse {
//!     principal_id: "user|a1b2c3d4".to_owned(),
//!     policy_document: PolicyBuilder::for_api_of(&arn).allow("GET", "/pets").build()?,
//!     context,
//!     usage_identifier_key: None,
//! });
//! response.validate()?;
//! let json = serde_json::to_value(&response)?;
//! assert_eq!(json["principalId"], "user|a1b2c3d4");
//! assert_eq!(json["context"], json!({"orgId": 42, "tier": "gold"}));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use policy_engine::PolicyDocument;
use serde::ser::SerializeMap as _;
use serde::{Serialize, Serializer};
use serde_json::{Map, Number, Value};
use thiserror::Error;

/// The largest authorizer result API Gateway accepts (quota "AWS Lambda authorizer result
/// size": 8 KB). A larger response is a 500 for the caller; [`AuthorizerResponse::validate`]
/// catches it first.
///
/// ```
/// use authorizer::response::MAX_RESULT_BYTES;
///
/// assert_eq!(MAX_RESULT_BYTES, 8192);
/// ```
pub const MAX_RESULT_BYTES: usize = 8 * 1024;

/// The longest `Resource` ARN API Gateway accepts in an authorizer's policy.
///
/// ```
/// use authorizer::builder::PolicyBuilder;
/// use authorizer::response::{AuthorizerResponse, PolicyResponse, ResponseError, MAX_RESOURCE_CHARS};
/// use policy_engine::arn::MethodArn;
///
/// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
/// let long_path = format!("/{}", "a".repeat(MAX_RESOURCE_CHARS));
/// let response = AuthorizerResponse::Policy(PolicyResponse {
///     principal_id: "alice".to_owned(),
///     policy_document: PolicyBuilder::for_api_of(&arn).allow("GET", &long_path).build()?,
///     context: Default::default(),
///     usage_identifier_key: None,
/// });
/// assert!(matches!(response.validate(), Err(ResponseError::ResourceTooLong(_))));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub const MAX_RESOURCE_CHARS: usize = 512;

/// One value of a REST / payload 1.0 context map: a string, a number or a boolean. The
/// backend sees every value as a string (`$context.authorizer.key`). Made with `From` (`&str`,
/// `String`, `bool`, `i64`) or a variant.
///
/// ```
/// use authorizer::response::ContextValue;
///
/// assert_eq!(ContextValue::from("gold"), ContextValue::String("gold".to_owned()));
/// assert_eq!(serde_json::to_string(&ContextValue::from(42))?, "42");
/// assert_eq!(serde_json::to_string(&ContextValue::from(true))?, "true");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ContextValue {
    /// A string.
    String(String),
    /// A number.
    Number(Number),
    /// A boolean.
    Bool(bool),
}

impl ContextValue {
    /// The value as the backend sees it (`$context.authorizer.key` is always a string).
    ///
    /// ```
    /// use authorizer::response::ContextValue;
    ///
    /// assert_eq!(ContextValue::from(42).as_backend_string(), "42");
    /// assert_eq!(ContextValue::from(false).as_backend_string(), "false");
    /// ```
    pub fn as_backend_string(&self) -> String {
        match self {
            ContextValue::String(s) => s.clone(),
            ContextValue::Number(n) => n.to_string(),
            ContextValue::Bool(b) => b.to_string(),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            ContextValue::String(s) => Value::String(s.clone()),
            ContextValue::Number(n) => Value::Number(n.clone()),
            ContextValue::Bool(b) => Value::Bool(*b),
        }
    }
}

impl Serialize for ContextValue {
    /// As the JSON string, number or boolean it is.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            ContextValue::String(s) => serializer.serialize_str(s),
            ContextValue::Number(n) => n.serialize(serializer),
            ContextValue::Bool(b) => serializer.serialize_bool(*b),
        }
    }
}

impl From<&str> for ContextValue {
    fn from(s: &str) -> Self {
        ContextValue::String(s.to_owned())
    }
}

impl From<String> for ContextValue {
    fn from(s: String) -> Self {
        ContextValue::String(s)
    }
}

impl From<bool> for ContextValue {
    fn from(b: bool) -> Self {
        ContextValue::Bool(b)
    }
}

impl From<i64> for ContextValue {
    fn from(n: i64) -> Self {
        ContextValue::Number(n.into())
    }
}

/// The context map of an IAM-policy response, ordered by key.
///
/// ```
/// use authorizer::response::{ContextValue, RestContext};
///
/// let mut context = RestContext::new();
/// context.insert("user".to_owned(), "alice".into());
/// context.insert("admin".to_owned(), false.into());
/// assert_eq!(serde_json::to_string(&context)?, r#"{"admin":false,"user":"alice"}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub type RestContext = BTreeMap<String, ContextValue>;

/// The IAM-policy response: `principalId`, `policyDocument`, optional `context` and
/// `usageIdentifierKey` (omitted when unset). The answer for every API type; API Gateway
/// evaluates the policy against the method ARN of this and (while cached) later requests.
///
/// ```
/// use authorizer::response::{AuthorizerResponse, PolicyResponse, RestContext};
///
/// # use authorizer::builder::PolicyBuilder;
/// # use policy_engine::arn::MethodArn;
/// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
/// # let policy = PolicyBuilder::for_api_of(&arn).allow("GET", "/pets").build()?;
/// let response = AuthorizerResponse::Policy(PolicyResponse {
///     principal_id: "alice".to_owned(),
///     policy_document: policy,
///     context: RestContext::new(),
///     usage_identifier_key: Some("a1b2c3d4e5f6g7h8i9j0".to_owned()),
/// });
/// let json = response.to_json();
/// assert_eq!(json["usageIdentifierKey"], "a1b2c3d4e5f6g7h8i9j0");
/// assert!(json.get("context").is_none(), "an empty context is left out");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyResponse {
    /// `$context.authorizer.principalId`.
    pub principal_id: String,
    /// The policy API Gateway evaluates against each method ARN (and caches).
    pub policy_document: PolicyDocument,
    /// The context map.
    pub context: RestContext,
    /// An API key of the stage's usage plan (`apiKeySource` `AUTHORIZER`).
    pub usage_identifier_key: Option<String>,
}

/// The HTTP API payload 2.0 simple response: `isAuthorized` and any JSON context. Only for
/// HTTP APIs whose authorizer has simple responses turned on. It names no route: while the
/// authorizer's result is cached, the same answer stands for every request with the same
/// identity sources, whatever the route — use a [`PolicyResponse`] when the answer depends on
/// the route.
///
/// ```
/// use authorizer::response::{AuthorizerResponse, SimpleResponse};
/// use serde_json::json;
///
/// let mut context = serde_json::Map::new();
/// context.insert("roles".to_owned(), json!(["reader", "writer"]));
/// let response = AuthorizerResponse::Simple(SimpleResponse { is_authorized: true, context });
/// assert_eq!(
///     response.to_json(),
///     json!({"isAuthorized": true, "context": {"roles": ["reader", "writer"]}})
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SimpleResponse {
    /// Whether the request may proceed.
    pub is_authorized: bool,
    /// The context; payload 2.0 admits any JSON values.
    pub context: Map<String, Value>,
}

/// Either response shape: what a handler returns on success. Serialize it with
/// [`to_json`](Self::to_json) or `serde` (the same JSON), after
/// [`validate`](Self::validate).
///
/// ```
/// use authorizer::response::{AuthorizerResponse, SimpleResponse};
///
/// let denied = AuthorizerResponse::Simple(SimpleResponse {
///     is_authorized: false,
///     context: Default::default(),
/// });
/// assert_eq!(serde_json::to_string(&denied)?, r#"{"isAuthorized":false}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum AuthorizerResponse {
    /// The IAM-policy response.
    Policy(PolicyResponse),
    /// The HTTP API 2.0 simple response.
    Simple(SimpleResponse),
}

/// A response the gateway would reject; returning it would be a 500 for the caller, so the
/// handler turns it into an error before it leaves the function (`From` makes it an
/// [`AuthorizerError::Internal`], so `?` works in a handler).
///
/// ```
/// use authorizer::response::{AuthorizerResponse, PolicyResponse, ResponseError};
///
/// # use authorizer::builder::PolicyBuilder;
/// # use policy_engine::arn::MethodArn;
/// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
/// # let policy = PolicyBuilder::for_api_of(&arn).allow("GET", "/pets").build()?;
/// let response = AuthorizerResponse::Policy(PolicyResponse {
///     principal_id: String::new(),
///     policy_document: policy,
///     context: Default::default(),
///     usage_identifier_key: None,
/// });
/// let error = response.validate().unwrap_err();
/// assert_eq!(error, ResponseError::EmptyPrincipal);
/// assert_eq!(error.to_string(), "the response has an empty `principalId`");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// `principalId` is empty.
    #[error("the response has an empty `principalId`")]
    EmptyPrincipal,
    /// The policy has no statement.
    #[error("the response policy has no statement")]
    EmptyPolicy,
    /// A `Resource` ARN is longer than API Gateway accepts.
    #[error("resource `{0}` is longer than {MAX_RESOURCE_CHARS} characters")]
    ResourceTooLong(String),
    /// The serialized response is larger than API Gateway accepts.
    #[error(
        "the response is {0} bytes, above the {MAX_RESULT_BYTES}-byte authorizer result limit: grant fewer, broader routes"
    )]
    TooLarge(usize),
}

impl AuthorizerResponse {
    /// The response as the JSON API Gateway expects (the same as its `Serialize` impl writes).
    ///
    /// ```
    /// use authorizer::response::{AuthorizerResponse, PolicyResponse};
    /// use serde_json::json;
    ///
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// # let policy = PolicyBuilder::for_api_of(&arn).allow("GET", "/pets").build()?;
    /// let response = AuthorizerResponse::Policy(PolicyResponse {
    ///     principal_id: "alice".to_owned(),
    ///     policy_document: policy,
    ///     context: Default::default(),
    ///     usage_identifier_key: None,
    /// });
    /// assert_eq!(
    ///     response.to_json()["policyDocument"]["Statement"][0]["Resource"],
    ///     json!("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")
    /// );
    /// assert_eq!(serde_json::to_value(&response)?, response.to_json());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_json(&self) -> Value {
        match self {
            AuthorizerResponse::Policy(p) => {
                let mut out = Map::new();
                out.insert("principalId".into(), p.principal_id.clone().into());
                out.insert("policyDocument".into(), p.policy_document.to_json());
                if !p.context.is_empty() {
                    let context = p
                        .context
                        .iter()
                        .map(|(k, v)| (k.clone(), v.to_json()))
                        .collect();
                    out.insert("context".into(), Value::Object(context));
                }
                if let Some(key) = &p.usage_identifier_key {
                    out.insert("usageIdentifierKey".into(), key.clone().into());
                }
                Value::Object(out)
            }
            AuthorizerResponse::Simple(s) => {
                let mut out = Map::new();
                out.insert("isAuthorized".into(), s.is_authorized.into());
                if !s.context.is_empty() {
                    out.insert("context".into(), Value::Object(s.context.clone()));
                }
                Value::Object(out)
            }
        }
    }

    /// Check the response against API Gateway's limits, so that a response the gateway would
    /// reject (a 500 for the caller, with no log line of yours saying why) is an error here.
    ///
    /// # Errors
    ///
    /// [`ResponseError`]: an empty `principalId` or policy, a `Resource` longer than
    /// [`MAX_RESOURCE_CHARS`], or a response larger than [`MAX_RESULT_BYTES`].
    ///
    /// ```
    /// use authorizer::builder::PolicyBuilder;
    /// use authorizer::response::{AuthorizerResponse, PolicyResponse, ResponseError};
    /// use policy_engine::arn::MethodArn;
    ///
    /// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// // One route per pet: far too many ARNs for 8 KB.
    /// let mut builder = PolicyBuilder::for_api_of(&arn);
    /// for id in 0..200 {
    ///     builder = builder.allow("GET", &format!("/pets/{id}"));
    /// }
    /// let response = AuthorizerResponse::Policy(PolicyResponse {
    ///     principal_id: "alice".to_owned(),
    ///     policy_document: builder.build()?,
    ///     context: Default::default(),
    ///     usage_identifier_key: None,
    /// });
    /// assert!(matches!(response.validate(), Err(ResponseError::TooLarge(_))));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn validate(&self) -> Result<(), ResponseError> {
        self.check_fields()?;
        let size = serialized_len(self).unwrap_or_else(|| self.to_json().to_string().len());
        check_size(size)
    }

    /// [`AuthorizerResponse::validate`] for a response whose policy document is known to
    /// serialize to `policy_len` bytes, so the document is not serialized again to be measured.
    pub(crate) fn validate_with_policy_len(&self, policy_len: usize) -> Result<(), ResponseError> {
        self.check_fields()?;
        let size = match self {
            // `null` stands in for the document: 4 bytes.
            AuthorizerResponse::Policy(_) => serialized_len(&Wire(self, PolicyJson::Null))
                .map(|len| len.saturating_sub(4).saturating_add(policy_len)),
            AuthorizerResponse::Simple(_) => serialized_len(self),
        }
        .unwrap_or_else(|| self.to_json().to_string().len());
        check_size(size)
    }

    /// Every check but the size.
    fn check_fields(&self) -> Result<(), ResponseError> {
        if let AuthorizerResponse::Policy(p) = self {
            if p.principal_id.is_empty() {
                return Err(ResponseError::EmptyPrincipal);
            }
            if p.policy_document.statements().is_empty() {
                return Err(ResponseError::EmptyPolicy);
            }
            for s in p.policy_document.statements() {
                if let Some(long) = s
                    .resources()
                    .patterns()
                    .iter()
                    .find(|r| r.as_str().chars().count() > MAX_RESOURCE_CHARS)
                {
                    return Err(ResponseError::ResourceTooLong(long.as_str().to_owned()));
                }
            }
        }
        Ok(())
    }
}

/// The size check.
fn check_size(size: usize) -> Result<(), ResponseError> {
    if size > MAX_RESULT_BYTES {
        return Err(ResponseError::TooLarge(size));
    }
    Ok(())
}

impl Serialize for AuthorizerResponse {
    /// The same JSON as [`AuthorizerResponse::to_json`], members in the same order, written
    /// as it goes rather than built as a [`Value`] first.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Wire(self, PolicyJson::Document).serialize(serializer)
    }
}

/// What is written for the policy document.
#[derive(Clone, Copy)]
enum PolicyJson {
    /// The document itself.
    Document,
    /// `null`, to measure the rest of the response.
    Null,
}

/// A response as written by [`Serialize`].
struct Wire<'r>(&'r AuthorizerResponse, PolicyJson);

impl Serialize for Wire<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            AuthorizerResponse::Policy(p) => {
                let len = 2
                    + usize::from(!p.context.is_empty())
                    + usize::from(p.usage_identifier_key.is_some());
                let mut map = serializer.serialize_map(Some(len))?;
                map.serialize_entry("principalId", &p.principal_id)?;
                match self.1 {
                    PolicyJson::Document => {
                        map.serialize_entry("policyDocument", &p.policy_document.to_json())?;
                    }
                    PolicyJson::Null => map.serialize_entry("policyDocument", &())?,
                }
                if !p.context.is_empty() {
                    map.serialize_entry("context", &p.context)?;
                }
                if let Some(key) = &p.usage_identifier_key {
                    map.serialize_entry("usageIdentifierKey", key)?;
                }
                map.end()
            }
            AuthorizerResponse::Simple(s) => {
                let mut map =
                    serializer.serialize_map(Some(1 + usize::from(!s.context.is_empty())))?;
                map.serialize_entry("isAuthorized", &s.is_authorized)?;
                if !s.context.is_empty() {
                    map.serialize_entry("context", &s.context)?;
                }
                map.end()
            }
        }
    }
}

/// Counts the bytes written to it.
struct ByteCount(usize);

impl std::io::Write for ByteCount {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The length of a value's compact JSON, without building it; `None` if it cannot be
/// serialized (responses and policies always can: every map key is a string).
pub(crate) fn serialized_len<T: Serialize + ?Sized>(value: &T) -> Option<usize> {
    let mut count = ByteCount(0);
    serde_json::to_writer(&mut count, value).ok()?;
    Some(count.0)
}

/// The error a handler returns. Its message is what Lambda reports as `errorMessage`, and API
/// Gateway answers 401 only when that message is exactly `Unauthorized`; any other error is a
/// 500. A deny is not an error: it is a [`PolicyResponse`] whose policy denies (403).
///
/// Handlers match it exhaustively (it is deliberately not `#[non_exhaustive]`): every error
/// is one of the two answers.
///
/// ```
/// use authorizer::AuthorizerError;
///
/// fn status(error: &AuthorizerError) -> u16 {
///     match error {
///         AuthorizerError::Unauthorized { .. } => 401,
///         AuthorizerError::Internal { .. } => 500,
///     }
/// }
/// let refused = AuthorizerError::unauthorized("token expired");
/// assert_eq!(status(&refused), 401);
/// assert_eq!(refused.to_string(), "Unauthorized", "the message API Gateway looks for");
/// assert_eq!(status(&AuthorizerError::internal("jwks unreachable")), 500);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizerError {
    /// The caller is not authenticated (no token, bad token): API Gateway answers 401.
    Unauthorized {
        /// Why, for logs; never part of the Lambda error message.
        reason: String,
    },
    /// Anything else went wrong (JWKS unreachable, a bug): API Gateway answers 500.
    Internal {
        /// What went wrong.
        reason: String,
    },
}

impl AuthorizerError {
    /// An `Unauthorized` error with a reason for the logs (the caller only sees 401).
    ///
    /// ```
    /// use authorizer::AuthorizerError;
    ///
    /// let error = AuthorizerError::unauthorized("no token in the request");
    /// assert!(error.is_unauthorized());
    /// assert_eq!(error.reason(), "no token in the request");
    /// ```
    pub fn unauthorized(reason: impl Into<String>) -> Self {
        AuthorizerError::Unauthorized {
            reason: reason.into(),
        }
    }

    /// A 500-class error: the authorizer could not decide (a key set out of reach, a bad
    /// configuration, a bug).
    ///
    /// ```
    /// use authorizer::AuthorizerError;
    ///
    /// let error = AuthorizerError::internal("jwks unavailable");
    /// assert!(!error.is_unauthorized());
    /// assert_eq!(error.to_string(), "authorizer error: jwks unavailable");
    /// ```
    pub fn internal(reason: impl Into<String>) -> Self {
        AuthorizerError::Internal {
            reason: reason.into(),
        }
    }

    /// Whether API Gateway will answer 401 (otherwise it answers 500).
    ///
    /// ```
    /// use authorizer::AuthorizerError;
    ///
    /// assert!(AuthorizerError::unauthorized("expired").is_unauthorized());
    /// assert!(!AuthorizerError::internal("bug").is_unauthorized());
    /// ```
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, AuthorizerError::Unauthorized { .. })
    }

    /// The reason, for logs: unlike the `Display` text of the 401 case, it says why.
    ///
    /// ```
    /// use authorizer::AuthorizerError;
    ///
    /// let error = AuthorizerError::unauthorized("token is expired");
    /// assert_eq!(error.reason(), "token is expired");
    /// assert_eq!(error.to_string(), "Unauthorized");
    /// ```
    pub fn reason(&self) -> &str {
        match self {
            AuthorizerError::Unauthorized { reason } | AuthorizerError::Internal { reason } => {
                reason
            }
        }
    }
}

impl fmt::Display for AuthorizerError {
    /// Exactly `Unauthorized` for the 401 case: API Gateway compares the Lambda error message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthorizerError::Unauthorized { .. } => f.write_str("Unauthorized"),
            AuthorizerError::Internal { reason } => write!(f, "authorizer error: {reason}"),
        }
    }
}

impl std::error::Error for AuthorizerError {}

impl From<ResponseError> for AuthorizerError {
    fn from(e: ResponseError) -> Self {
        AuthorizerError::internal(e.to_string())
    }
}

/// Building responses: `PolicyResponse::new(principal, policy).with_context(..)` and
/// `SimpleResponse::new(allowed).with_context(..)`, each `.into()` an [`AuthorizerResponse`].
impl PolicyResponse {
    /// A policy response for `principal_id` with no context and no usage-plan key.
    ///
    /// ```
    /// use authorizer::builder::PolicyBuilder;
    /// use authorizer::policy_engine::arn::MethodArn;
    /// use authorizer::response::{AuthorizerResponse, PolicyResponse};
    ///
    /// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&arn).allow("GET", "/pets").build()?;
    /// let response: AuthorizerResponse = PolicyResponse::new("user", policy)
    ///     .with_context("stringKey", "stringval")
    ///     .with_context("numberKey", 123_i64)
    ///     .with_context("booleanKey", true)
    ///     .into();
    /// let json = response.to_json();
    /// assert_eq!(json["principalId"], "user");
    /// assert_eq!(json["context"]["numberKey"], 123);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn new(principal_id: impl Into<String>, policy_document: PolicyDocument) -> Self {
        PolicyResponse {
            principal_id: principal_id.into(),
            policy_document,
            context: RestContext::new(),
            usage_identifier_key: None,
        }
    }

    /// The same response with `key` set in the context map (the backend reads it as
    /// `$context.authorizer.key`, always as a string). Setting a key again replaces its value.
    ///
    /// ```
    /// use authorizer::builder::PolicyBuilder;
    /// use authorizer::policy_engine::arn::MethodArn;
    /// use authorizer::response::{ContextValue, PolicyResponse};
    ///
    /// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&arn).allow("GET", "/pets").build()?;
    /// let response = PolicyResponse::new("alice", policy)
    ///     .with_context("tier", "silver")
    ///     .with_context("tier", "gold");
    /// assert_eq!(response.context["tier"], ContextValue::from("gold"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_context(mut self, key: impl Into<String>, value: impl Into<ContextValue>) -> Self {
        self.context.insert(key.into(), value.into());
        self
    }

    /// The same response with the API key of a usage plan (`apiKeySource` `AUTHORIZER`).
    ///
    /// ```
    /// use authorizer::builder::PolicyBuilder;
    /// use authorizer::policy_engine::arn::MethodArn;
    /// use authorizer::response::{AuthorizerResponse, PolicyResponse};
    ///
    /// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&arn).allow("GET", "/pets").build()?;
    /// let response: AuthorizerResponse = PolicyResponse::new("alice", policy)
    ///     .with_usage_identifier_key("a1b2c3d4e5f6g7h8i9j0")
    ///     .into();
    /// assert_eq!(response.to_json()["usageIdentifierKey"], "a1b2c3d4e5f6g7h8i9j0");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_usage_identifier_key(mut self, key: impl Into<String>) -> Self {
        self.usage_identifier_key = Some(key.into());
        self
    }
}

impl SimpleResponse {
    /// An HTTP API payload 2.0 simple response: `isAuthorized` and an empty context.
    ///
    /// ```
    /// use authorizer::response::{AuthorizerResponse, SimpleResponse};
    ///
    /// let response: AuthorizerResponse = SimpleResponse::new(true)
    ///     .with_context("scopes", serde_json::json!(["pets:read"]))
    ///     .into();
    /// assert_eq!(
    ///     response.to_json(),
    ///     serde_json::json!({"isAuthorized": true, "context": {"scopes": ["pets:read"]}})
    /// );
    /// ```
    pub fn new(is_authorized: bool) -> Self {
        SimpleResponse {
            is_authorized,
            context: Map::new(),
        }
    }

    /// The same response with `key` set in the context (payload 2.0 keeps any JSON value:
    /// `$context.authorizer.lambda.key`).
    ///
    /// ```
    /// use authorizer::response::SimpleResponse;
    /// use serde_json::json;
    ///
    /// let response = SimpleResponse::new(true).with_context("tenant", json!({"id": "acme", "tier": 2}));
    /// assert_eq!(response.context["tenant"]["tier"], 2);
    /// ```
    pub fn with_context(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.context.insert(key.into(), value.into());
        self
    }
}

impl From<PolicyResponse> for AuthorizerResponse {
    fn from(response: PolicyResponse) -> Self {
        AuthorizerResponse::Policy(response)
    }
}

impl From<SimpleResponse> for AuthorizerResponse {
    fn from(response: SimpleResponse) -> Self {
        AuthorizerResponse::Simple(response)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builder::PolicyBuilder;
    use policy_engine::arn::MethodArn;
    use serde_json::json;

    fn arn() -> MethodArn {
        MethodArn::parse("arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/dev/GET/").unwrap()
    }

    #[test]
    fn policy_response_matches_the_seed_shape() {
        let policy = PolicyBuilder::for_api_of(&arn())
            .deny("GET", "/")
            .build()
            .unwrap();
        let response = AuthorizerResponse::Policy(PolicyResponse {
            principal_id: "user".into(),
            policy_document: policy,
            context: RestContext::new(),
            usage_identifier_key: None,
        });
        assert_eq!(
            response.to_json(),
            json!({
                "principalId": "user",
                "policyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [{
                        "Effect": "Deny",
                        "Action": "execute-api:Invoke",
                        "Resource": "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/dev/GET/"
                    }]
                }
            })
        );
        assert_eq!(response.validate(), Ok(()));
    }

    #[test]
    fn context_and_usage_key_appear_only_when_set() {
        let policy = PolicyBuilder::for_api_of(&arn())
            .allow_all()
            .build()
            .unwrap();
        let mut context = RestContext::new();
        context.insert("stringKey".into(), "value".into());
        context.insert("numberKey".into(), 1.into());
        context.insert("booleanKey".into(), true.into());
        let response = AuthorizerResponse::Policy(PolicyResponse {
            principal_id: "u".into(),
            policy_document: policy,
            context,
            usage_identifier_key: Some("key-1".into()),
        });
        let v = response.to_json();
        assert_eq!(
            v["context"],
            json!({"booleanKey": true, "numberKey": 1, "stringKey": "value"})
        );
        assert_eq!(v["usageIdentifierKey"], "key-1");
        assert_eq!(ContextValue::from(true).as_backend_string(), "true");
        let simple = AuthorizerResponse::Simple(SimpleResponse {
            is_authorized: false,
            context: Map::new(),
        });
        assert_eq!(simple.to_json(), json!({"isAuthorized": false}));
    }

    #[test]
    fn validation_catches_what_the_gateway_rejects() {
        let policy = PolicyBuilder::for_api_of(&arn())
            .allow_all()
            .build()
            .unwrap();
        let empty_principal = AuthorizerResponse::Policy(PolicyResponse {
            principal_id: String::new(),
            policy_document: policy.clone(),
            context: RestContext::new(),
            usage_identifier_key: None,
        });
        assert_eq!(
            empty_principal.validate(),
            Err(ResponseError::EmptyPrincipal)
        );

        let long_path = format!("/{}", "a".repeat(600));
        let long = PolicyBuilder::for_api_of(&arn())
            .allow("GET", &long_path)
            .build()
            .unwrap();
        let too_long = AuthorizerResponse::Policy(PolicyResponse {
            principal_id: "u".into(),
            policy_document: long,
            context: RestContext::new(),
            usage_identifier_key: None,
        });
        assert!(matches!(
            too_long.validate(),
            Err(ResponseError::ResourceTooLong(_))
        ));

        let mut big = PolicyBuilder::for_api_of(&arn());
        for i in 0..200 {
            big = big.allow("GET", &format!("/route/number/{i}"));
        }
        let too_big = AuthorizerResponse::Policy(PolicyResponse {
            principal_id: "u".into(),
            policy_document: big.build().unwrap(),
            context: RestContext::new(),
            usage_identifier_key: None,
        });
        let Err(ResponseError::TooLarge(size)) = too_big.validate() else {
            panic!("{:?}", too_big.validate());
        };
        assert!(size > MAX_RESULT_BYTES);
        let AuthorizerResponse::Policy(p) = &too_big else {
            panic!("a policy response");
        };
        let policy_len = p.policy_document.to_json().to_string().len();
        assert_eq!(
            too_big.validate_with_policy_len(policy_len),
            Err(ResponseError::TooLarge(size)),
            "the known policy length gives the same size"
        );
        assert_eq!(
            empty_principal.validate_with_policy_len(0),
            Err(ResponseError::EmptyPrincipal)
        );
    }

    #[test]
    fn serializing_writes_exactly_the_json_value() {
        let policy = PolicyBuilder::for_api_of(&arn())
            .allow("GET", "/pets")
            .allow("GET", "/pets/*")
            .build()
            .unwrap();
        let mut context = RestContext::new();
        context.insert("s".into(), "quote \" and é".into());
        context.insert(
            "n".into(),
            ContextValue::Number(Number::from_f64(1.5).unwrap()),
        );
        context.insert("b".into(), false.into());
        let mut json_context = Map::new();
        json_context.insert("claims".into(), json!({"groups": ["a", "b"], "n": -3}));
        let responses = [
            AuthorizerResponse::Policy(PolicyResponse {
                principal_id: "user \u{1f600}".into(),
                policy_document: policy.clone(),
                context,
                usage_identifier_key: Some("key-1".into()),
            }),
            AuthorizerResponse::Policy(PolicyResponse {
                principal_id: "u".into(),
                policy_document: policy,
                context: RestContext::new(),
                usage_identifier_key: None,
            }),
            AuthorizerResponse::Simple(SimpleResponse {
                is_authorized: true,
                context: json_context,
            }),
            AuthorizerResponse::Simple(SimpleResponse {
                is_authorized: false,
                context: Map::new(),
            }),
        ];
        for response in responses {
            let text = response.to_json().to_string();
            // Same members, same order (the crate keeps JSON objects in insertion order).
            assert_eq!(serde_json::to_string(&response).unwrap(), text);
            assert_eq!(serialized_len(&response), Some(text.len()));
            let policy_len = match &response {
                AuthorizerResponse::Policy(p) => p.policy_document.to_json().to_string().len(),
                AuthorizerResponse::Simple(_) => 0,
            };
            assert_eq!(response.validate_with_policy_len(policy_len), Ok(()));
        }
    }

    #[test]
    fn the_unauthorized_error_message_is_exact() {
        let e = AuthorizerError::unauthorized("token expired");
        assert_eq!(e.to_string(), "Unauthorized");
        assert!(e.is_unauthorized());
        assert_eq!(e.reason(), "token expired");
        let e = AuthorizerError::internal("jwks unreachable");
        assert_eq!(e.to_string(), "authorizer error: jwks unreachable");
        assert!(!e.is_unauthorized());
    }
}
