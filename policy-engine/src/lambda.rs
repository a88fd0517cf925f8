//! The gateway's side of a Lambda authorizer: which identity sources it reads, when it answers
//! 401 without invoking anything, the authorizer-result cache, the event it sends, and how it
//! reads the function's response — for REST (TOKEN and REQUEST), HTTP APIs (payload 1.0 and
//! 2.0, IAM-policy or simple responses) and WebSocket `$connect`.
//!
//! What differs by API, as the developer guide documents it:
//! - REST TOKEN: the token header must be present and non-empty (else 401), and match
//!   `identityValidationExpression` when one is set (else 401); the cache key is the token.
//! - REST REQUEST: with caching on, every identity source must be present and non-empty (else
//!   401, no invocation); with caching off the function is invoked regardless.
//! - HTTP API: "if you specify identity sources, clients must include them in the request"
//!   (else 401); caching needs at least one identity source; a cached simple response "fully
//!   allows or denies all API requests that match the cached identity source values", a cached
//!   policy is evaluated again for each route.
//! - WebSocket: a REQUEST authorizer on `$connect` only; the identity sources must be present;
//!   results are not cached (the TTL is an HTTP API and REST setting).
//!
//! A [`LambdaSetup`] is the authorizer's configuration plus the
//! [`crate::function::AuthorizerFunction`] standing in for the Lambda function;
//! [`LambdaSetup::call`] runs the gateway's side (identity sources, validation expression,
//! [`crate::cache::AuthorizerCache`], event, response) and returns the
//! [`crate::flow::AuthorizerCall`] that [`crate::flow::Gateway::handle_with_authorizer`]
//! combines with the resource policy.
//!
//! ```
//! use std::sync::Arc;
//! use policy_engine::cache::AuthorizerCache;
//! use policy_engine::flow::{AnswerSource, ApiRequest, AuthorizerAnswer, IdentitySource};
//! use policy_engine::function::ResponseTable;
//! use policy_engine::lambda::{LambdaKind, LambdaSetup, PayloadFormat};
//! # use policy_engine::arn::ApiRef;
//! # use policy_engine::flow::{Api, ApiType, EndpointType};
//! # let api = policy_engine::flow::Api {
//! #     api_type: policy_engine::flow::ApiType::Rest,
//! #     api_ref: ApiRef {
//! #         partition: "aws".into(),
//! #         region: "us-east-1".into(),
//! #         account_id: "123456789012".into(),
//! #         api_id: "a1b2c3d4e5".into(),
//! #     },
//! #     stage: "prod".into(),
//! #     endpoint: policy_engine::flow::EndpointType::Regional,
//! # };
//!
//! // The function's answers by token: what the real authorizer would return.
//! let responses = serde_json::from_value(serde_json::json!({
//!     "tok-alice": {
//!         "principalId": "alice",
//!         "policyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
//!             "Action": "execute-api:Invoke",
//!             "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/*"}]}
//!     }
//! }))?;
//! let setup = LambdaSetup {
//!     kind: LambdaKind::Token,
//!     format: PayloadFormat::Rest,
//!     ttl_seconds: 300,
//!     identity_sources: vec![IdentitySource::Header("Authorization".into())],
//!     validation: None,
//!     function: Arc::new(ResponseTable::new(responses)),
//! };
//! let cache = AuthorizerCache::new(setup.ttl_seconds, 10_000)?;
//! let request = ApiRequest {
//!     method: "GET".into(),
//!     path: "/pets/42".into(),
//!     headers: vec![("Authorization".into(), "tok-alice".into())],
//!     ..ApiRequest::default()
//! };
//! let first = setup.call(&api, &request, &cache, 0);
//! assert_eq!(first.source, AnswerSource::Invoked);
//! assert!(matches!(*first.answer, AuthorizerAnswer::Policy { .. }));
//! // Within the TTL the same token is answered from the cache.
//! let again = setup.call(&api, &request, &cache, 10);
//! assert_eq!(again.source, AnswerSource::Cache { age_seconds: 10 });
//! // No token: the gateway answers 401 without invoking the function.
//! let anonymous = ApiRequest { headers: Vec::new(), ..request };
//! let refused = setup.call(&api, &anonymous, &cache, 20);
//! assert_eq!(*refused.answer, AuthorizerAnswer::Unauthorized);
//! assert!(matches!(refused.source, AnswerSource::Gateway(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::Arc;

use serde_json::{Map, Value, json};
use thiserror::Error;

use crate::arn::MethodArn;
use crate::cache::AuthorizerCache;
use crate::flow::{
    AnswerSource, Api, ApiRequest, ApiType, AuthorizerAnswer, AuthorizerCall, IdentitySource,
};
use crate::function::{AuthorizerFunction, FunctionResult};
use crate::policy::{PolicyDocument, PolicyKind};
use crate::time::format_current_time;

/// The largest authorizer result API Gateway accepts (quota "AWS Lambda authorizer result
/// size": 8 KB); a larger one is a 500.
///
/// ```
/// use policy_engine::flow::AuthorizerAnswer;
/// use policy_engine::lambda::MAX_RESULT_BYTES;
/// # use std::sync::Arc;
/// # use policy_engine::function::ResponseTable;
/// # use policy_engine::lambda::{LambdaKind, LambdaSetup, PayloadFormat};
/// # let setup = LambdaSetup {
/// #     kind: LambdaKind::Request,
/// #     format: PayloadFormat::Rest,
/// #     ttl_seconds: 0,
/// #     identity_sources: Vec::new(),
/// #     validation: None,
/// #     function: Arc::new(ResponseTable::new(serde_json::Map::new())),
/// # };
/// let huge = serde_json::json!({
///     "principalId": "alice",
///     "policyDocument": {"Version": "2012-10-17", "Statement": []},
///     "context": {"padding": "x".repeat(MAX_RESULT_BYTES)}
/// });
/// let answer = setup.read_response(&huge);
/// assert!(matches!(answer, AuthorizerAnswer::Failed(why) if why.contains("8192-byte quota")));
/// ```
pub const MAX_RESULT_BYTES: usize = 8 * 1024;

/// The kind of Lambda authorizer: what the event carries and which identity sources must be
/// present.
///
/// ```
/// use policy_engine::flow::ApiRequest;
/// use policy_engine::lambda::{LambdaKind, PayloadFormat};
/// # use std::sync::Arc;
/// # use policy_engine::function::ResponseTable;
/// # use policy_engine::lambda::LambdaSetup;
/// # fn setup(
/// #     kind: policy_engine::lambda::LambdaKind,
/// #     format: policy_engine::lambda::PayloadFormat,
/// #     ttl_seconds: u64,
/// # ) -> LambdaSetup {
/// #     LambdaSetup {
/// #         kind,
/// #         format,
/// #         ttl_seconds,
/// #         identity_sources: Vec::new(),
/// #         validation: None,
/// #         function: Arc::new(ResponseTable::new(serde_json::Map::new())),
/// #     }
/// # }
/// # use policy_engine::arn::ApiRef;
/// # let api = policy_engine::flow::Api {
/// #     api_type: policy_engine::flow::ApiType::Rest,
/// #     api_ref: ApiRef {
/// #         partition: "aws".into(),
/// #         region: "us-east-1".into(),
/// #         account_id: "123456789012".into(),
/// #         api_id: "a1b2c3d4e5".into(),
/// #     },
/// #     stage: "prod".into(),
/// #     endpoint: policy_engine::flow::EndpointType::Regional,
/// # };
/// let request = ApiRequest { method: "GET".into(), path: "/pets".into(), ..ApiRequest::default() };
/// let token = setup(LambdaKind::Token, PayloadFormat::Rest, 300);
/// let event = token.event(&api, &request, &["Bearer abc".to_owned()], 0);
/// assert_eq!(event["type"], "TOKEN");
/// assert_eq!(event["authorizationToken"], "Bearer abc");
/// let request_kind = setup(LambdaKind::Request, PayloadFormat::Rest, 300);
/// assert_eq!(request_kind.event(&api, &request, &[], 0)["type"], "REQUEST");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LambdaKind {
    /// TOKEN (REST only): one header, the token, optionally checked by a regular expression.
    Token,
    /// REQUEST: any identity sources.
    Request,
}

/// The event the function receives and the response it must return, which also decides how
/// the backend sees the context.
///
/// ```
/// use policy_engine::lambda::PayloadFormat;
///
/// // REST: context values reach the backend as strings; payload 2.0 passes any JSON.
/// assert!(PayloadFormat::Rest.stringifies_context());
/// assert!(!PayloadFormat::HttpV2 { simple: true }.stringifies_context());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PayloadFormat {
    /// REST API events; responses are a policy; context values reach the backend as strings.
    Rest,
    /// HTTP API payload format 1.0: REST-like events and responses.
    HttpV1,
    /// HTTP API payload format 2.0; `simple` responses are `{"isAuthorized": bool}`, otherwise
    /// a policy; the context reaches the backend unchanged under `lambda`.
    HttpV2 {
        /// Whether simple responses are enabled.
        simple: bool,
    },
    /// WebSocket `$connect` events; REST-like responses.
    WebSocket,
}

impl PayloadFormat {
    /// Whether context values must be strings, numbers or booleans (stringified for the
    /// backend); `false` for payload 2.0, which passes any JSON under `lambda`.
    ///
    /// ```
    /// use policy_engine::lambda::PayloadFormat;
    ///
    /// assert!(PayloadFormat::HttpV1.stringifies_context());
    /// assert!(PayloadFormat::WebSocket.stringifies_context());
    /// assert!(!PayloadFormat::HttpV2 { simple: false }.stringifies_context());
    /// ```
    pub fn stringifies_context(self) -> bool {
        !matches!(self, PayloadFormat::HttpV2 { .. })
    }
}

/// A TOKEN authorizer's `identityValidationExpression`, compiled once: a token that does not
/// match it is refused with 401 before the function is invoked.
///
/// ```
/// use policy_engine::lambda::ValidationExpression;
///
/// let expression = ValidationExpression::new("^Bearer [-._A-Za-z0-9]+$")?;
/// assert!(expression.is_match("Bearer eyJhbGciOi.x.y"));
/// assert!(!expression.is_match("Basic dXNlcjpwYXNz"));
/// assert_eq!(expression.as_str(), "^Bearer [-._A-Za-z0-9]+$");
/// assert!(ValidationExpression::new("^Bearer (").is_err());
/// # Ok::<(), policy_engine::lambda::ValidationExpressionError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ValidationExpression(regex::Regex);

impl ValidationExpression {
    /// Compile `expression` (a regular expression, matched anywhere in the token unless
    /// anchored with `^` and `$`).
    ///
    /// # Errors
    ///
    /// [`ValidationExpressionError`] when `expression` is not a valid regular expression.
    ///
    /// ```
    /// use policy_engine::lambda::ValidationExpression;
    ///
    /// let err = ValidationExpression::new("[a-z").unwrap_err();
    /// assert!(err.to_string().starts_with("invalid regular expression `[a-z`"));
    /// ```
    pub fn new(expression: &str) -> Result<Self, ValidationExpressionError> {
        regex::Regex::new(expression)
            .map(Self)
            .map_err(|e| ValidationExpressionError {
                expression: expression.to_owned(),
                reason: e.to_string(),
            })
    }

    /// The expression as written.
    ///
    /// ```
    /// use policy_engine::lambda::ValidationExpression;
    ///
    /// assert_eq!(ValidationExpression::new("^tok-")?.as_str(), "^tok-");
    /// # Ok::<(), policy_engine::lambda::ValidationExpressionError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// Whether `token` matches.
    ///
    /// ```
    /// use policy_engine::lambda::ValidationExpression;
    ///
    /// let expression = ValidationExpression::new("^tok-[a-z]+$")?;
    /// assert!(expression.is_match("tok-alice"));
    /// assert!(!expression.is_match("tok-42"));
    /// # Ok::<(), policy_engine::lambda::ValidationExpressionError>(())
    /// ```
    pub fn is_match(&self, token: &str) -> bool {
        self.0.is_match(token)
    }
}

impl PartialEq for ValidationExpression {
    /// Expressions compare as written.
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ValidationExpression {}

/// An `identityValidationExpression` that is not a valid regular expression: API Gateway
/// refuses such an authorizer.
///
/// ```
/// use policy_engine::lambda::ValidationExpression;
///
/// let err = ValidationExpression::new("(unclosed").unwrap_err();
/// assert!(err.to_string().contains("`(unclosed`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid regular expression `{expression}`: {reason}")]
pub struct ValidationExpressionError {
    expression: String,
    reason: String,
}

/// A Lambda authorizer as the gateway sees it: its kind, format, identity sources, cache TTL,
/// and the function that answers. [`LambdaSetup::call`] is the gateway's side of one request.
///
/// ```
/// use std::sync::Arc;
/// use policy_engine::flow::IdentitySource;
/// use policy_engine::function::ResponseTable;
/// use policy_engine::lambda::{LambdaKind, LambdaSetup, PayloadFormat, ValidationExpression};
///
/// let setup = LambdaSetup {
///     kind: LambdaKind::Token,
///     format: PayloadFormat::Rest,
///     ttl_seconds: 300,
///     identity_sources: vec![IdentitySource::Header("Authorization".into())],
///     validation: Some(ValidationExpression::new("^Bearer [-._A-Za-z0-9]+$")?),
///     function: Arc::new(ResponseTable::new(serde_json::Map::new())),
/// };
/// assert!(setup.requires_all_sources());
/// assert_eq!(setup.function.describe(), "the `responses` table");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct LambdaSetup {
    /// TOKEN or REQUEST.
    pub kind: LambdaKind,
    /// The event and response format.
    pub format: PayloadFormat,
    /// The result cache TTL in seconds (0 disables caching; API Gateway accepts at most
    /// [`crate::cache::MAX_TTL_SECONDS`]).
    pub ttl_seconds: u64,
    /// Where the identity (and the cache key) comes from, in order.
    pub identity_sources: Vec<IdentitySource>,
    /// TOKEN only: the token must match this before the function is invoked.
    pub validation: Option<ValidationExpression>,
    /// What answers in place of the Lambda function.
    pub function: Arc<dyn AuthorizerFunction>,
}

impl PartialEq for LambdaSetup {
    /// Setups compare by configuration; functions by what they are.
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind
            && self.format == other.format
            && self.ttl_seconds == other.ttl_seconds
            && self.identity_sources == other.identity_sources
            && self.validation == other.validation
            && self.function.describe() == other.function.describe()
    }
}

impl LambdaSetup {
    /// Whether every identity source must be present and non-empty before the function is
    /// invoked: TOKEN always, REST REQUEST when caching, HTTP and WebSocket APIs always.
    ///
    /// ```
    /// use policy_engine::lambda::{LambdaKind, PayloadFormat};
    /// # use std::sync::Arc;
    /// # use policy_engine::function::ResponseTable;
    /// # use policy_engine::lambda::LambdaSetup;
    /// # fn setup(
    /// #     kind: policy_engine::lambda::LambdaKind,
    /// #     format: policy_engine::lambda::PayloadFormat,
    /// #     ttl_seconds: u64,
    /// # ) -> LambdaSetup {
    /// #     LambdaSetup {
    /// #         kind,
    /// #         format,
    /// #         ttl_seconds,
    /// #         identity_sources: Vec::new(),
    /// #         validation: None,
    /// #         function: Arc::new(ResponseTable::new(serde_json::Map::new())),
    /// #     }
    /// # }
    /// assert!(setup(LambdaKind::Token, PayloadFormat::Rest, 0).requires_all_sources());
    /// // A REST REQUEST authorizer without caching is invoked even with sources missing.
    /// assert!(setup(LambdaKind::Request, PayloadFormat::Rest, 300).requires_all_sources());
    /// assert!(!setup(LambdaKind::Request, PayloadFormat::Rest, 0).requires_all_sources());
    /// assert!(setup(LambdaKind::Request, PayloadFormat::HttpV1, 0).requires_all_sources());
    /// ```
    pub fn requires_all_sources(&self) -> bool {
        match (self.kind, self.format) {
            (LambdaKind::Token, _) => true,
            (LambdaKind::Request, PayloadFormat::Rest) => self.ttl_seconds > 0,
            _ => true,
        }
    }

    /// The gateway's side of calling the authorizer for `request`: identity sources, the
    /// validation expression, the cache, then the function. Successful answers (a policy or a
    /// simple response) are cached under the identity-source values; `Unauthorized` and
    /// failures are not. Pass the result to [`crate::flow::Gateway::handle_with_authorizer`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use policy_engine::cache::AuthorizerCache;
    /// use policy_engine::flow::{AnswerSource, ApiRequest, AuthorizerAnswer, IdentitySource};
    /// use policy_engine::function::ResponseTable;
    /// use policy_engine::lambda::{LambdaKind, LambdaSetup, PayloadFormat, ValidationExpression};
    /// # use policy_engine::arn::ApiRef;
    /// # let api = policy_engine::flow::Api {
    /// #     api_type: policy_engine::flow::ApiType::Rest,
    /// #     api_ref: ApiRef {
    /// #         partition: "aws".into(),
    /// #         region: "us-east-1".into(),
    /// #         account_id: "123456789012".into(),
    /// #         api_id: "a1b2c3d4e5".into(),
    /// #     },
    /// #     stage: "prod".into(),
    /// #     endpoint: policy_engine::flow::EndpointType::Regional,
    /// # };
    /// let setup = LambdaSetup {
    ///     kind: LambdaKind::Token,
    ///     format: PayloadFormat::Rest,
    ///     ttl_seconds: 300,
    ///     identity_sources: vec![IdentitySource::Header("Authorization".into())],
    ///     validation: Some(ValidationExpression::new("^tok-[a-z]+$")?),
    ///     function: Arc::new(ResponseTable::new(serde_json::from_value(
    ///         serde_json::json!({"tok-bob": {"error": "Unauthorized"}}),
    ///     )?)),
    /// };
    /// let cache = AuthorizerCache::new(setup.ttl_seconds, 100)?;
    /// let with_token = |token: &str| ApiRequest {
    ///     method: "GET".into(),
    ///     path: "/pets".into(),
    ///     headers: vec![("Authorization".into(), token.into())],
    ///     ..ApiRequest::default()
    /// };
    /// // The function says `Unauthorized`: 401, and nothing is cached.
    /// let call = setup.call(&api, &with_token("tok-bob"), &cache, 0);
    /// assert_eq!((&*call.answer, &call.source), (&AuthorizerAnswer::Unauthorized, &AnswerSource::Invoked));
    /// assert!(cache.is_empty());
    /// // A token failing the validation expression never reaches the function.
    /// let call = setup.call(&api, &with_token("tok-42"), &cache, 0);
    /// assert!(matches!(call.source, AnswerSource::Gateway(why) if why.contains("identityValidationExpression")));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn call(
        &self,
        api: &Api,
        request: &ApiRequest,
        cache: &AuthorizerCache<Arc<AuthorizerAnswer>>,
        now: i64,
    ) -> AuthorizerCall {
        let refuse = |why: String| AuthorizerCall {
            answer: Arc::new(AuthorizerAnswer::Unauthorized),
            source: AnswerSource::Gateway(why),
        };
        // The cache key: every identity source's value, in order (missing ones empty).
        let mut key = Vec::with_capacity(self.identity_sources.len());
        for source in &self.identity_sources {
            match source.value(request, api).filter(|v| !v.is_empty()) {
                Some(value) => key.push(value),
                None if self.requires_all_sources() => {
                    return refuse(format!("identity source {source} is missing or empty: 401"));
                }
                None => key.push(String::new()),
            }
        }
        if let (Some(expression), Some(token)) = (&self.validation, key.first())
            && !expression.is_match(token)
        {
            return refuse(format!(
                "the token does not match identityValidationExpression `{}`: 401",
                expression.as_str()
            ));
        }
        if let Some((answer, age_seconds)) = cache.get(&key, now) {
            return AuthorizerCall {
                answer,
                source: AnswerSource::Cache { age_seconds },
            };
        }
        let identity = key.join(",");
        let event = self.event(api, request, &key, now);
        let answer = Arc::new(match self.function.invoke(&identity, &event) {
            FunctionResult::Response(response) => self.read_response(&response),
            FunctionResult::Unauthorized => AuthorizerAnswer::Unauthorized,
            FunctionResult::Failed(why) => AuthorizerAnswer::Failed(why),
            FunctionResult::NotStarted(why) => AuthorizerAnswer::NotStarted(why),
        });
        // Answers are cached; errors are not (the next request invokes the function again).
        if matches!(
            *answer,
            AuthorizerAnswer::Policy { .. } | AuthorizerAnswer::Simple { .. }
        ) {
            cache.insert(key, Arc::clone(&answer), now);
        }
        AuthorizerCall {
            answer,
            source: AnswerSource::Invoked,
        }
    }

    /// What API Gateway makes of the function's response: a policy (compiled as an identity
    /// policy), a simple response (payload 2.0 with simple responses on), or a failure (500)
    /// naming what is wrong — not an object, over [`MAX_RESULT_BYTES`], no `principalId`, no
    /// or an invalid `policyDocument`, a `context` that is not an object.
    ///
    /// ```
    /// use policy_engine::flow::AuthorizerAnswer;
    /// use policy_engine::lambda::{LambdaKind, PayloadFormat};
    /// use serde_json::json;
    /// # use std::sync::Arc;
    /// # use policy_engine::function::ResponseTable;
    /// # use policy_engine::lambda::LambdaSetup;
    /// # fn setup(
    /// #     kind: policy_engine::lambda::LambdaKind,
    /// #     format: policy_engine::lambda::PayloadFormat,
    /// #     ttl_seconds: u64,
    /// # ) -> LambdaSetup {
    /// #     LambdaSetup {
    /// #         kind,
    /// #         format,
    /// #         ttl_seconds,
    /// #         identity_sources: Vec::new(),
    /// #         validation: None,
    /// #         function: Arc::new(ResponseTable::new(serde_json::Map::new())),
    /// #     }
    /// # }
    /// let rest = setup(LambdaKind::Token, PayloadFormat::Rest, 0);
    /// let answer = rest.read_response(&json!({
    ///     "principalId": "alice",
    ///     "policyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    ///         "Action": "execute-api:Invoke", "Resource": "*"}]},
    ///     "context": {"tier": "gold"}
    /// }));
    /// assert!(matches!(answer, AuthorizerAnswer::Policy { ref principal_id, .. } if principal_id == "alice"));
    /// let missing = rest.read_response(&json!({"principalId": "alice"}));
    /// assert!(matches!(missing, AuthorizerAnswer::Failed(why) if why.contains("no `policyDocument`")));
    ///
    /// let simple = setup(LambdaKind::Request, PayloadFormat::HttpV2 { simple: true }, 0);
    /// assert!(matches!(
    ///     simple.read_response(&json!({"isAuthorized": false})),
    ///     AuthorizerAnswer::Simple { authorized: false, .. }
    /// ));
    /// ```
    pub fn read_response(&self, response: &Value) -> AuthorizerAnswer {
        let fail = |why: &str| AuthorizerAnswer::Failed(format!("{why}: API Gateway answers 500"));
        if !response.is_object() {
            return fail("the response is not a JSON object");
        }
        let size = response.to_string().len();
        if size > MAX_RESULT_BYTES {
            return fail(&format!(
                "the authorizer result is {size} bytes, above the {MAX_RESULT_BYTES}-byte quota (\"AWS Lambda authorizer result size: 8 KB\")"
            ));
        }
        let context = match response.get("context") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => return fail("the response's `context` is not an object"),
        };
        if self.format == (PayloadFormat::HttpV2 { simple: true }) {
            return match response.get("isAuthorized") {
                Some(Value::Bool(authorized)) => AuthorizerAnswer::Simple {
                    authorized: *authorized,
                    context,
                },
                _ => fail("a simple response needs `isAuthorized`, a boolean"),
            };
        }
        let principal_id = match response.get("principalId") {
            Some(Value::String(p)) if !p.is_empty() => p.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return fail("the response has no `principalId`"),
        };
        let Some(policy) = response.get("policyDocument") else {
            return fail("the response has no `policyDocument`");
        };
        match PolicyDocument::from_json(policy, PolicyKind::Identity, None) {
            Ok(policy) => AuthorizerAnswer::Policy {
                principal_id,
                policy,
                context,
            },
            Err(e) => fail(&format!("the returned policy is invalid ({e})")),
        }
    }

    /// The event API Gateway sends the function for `request`; `identity` holds the identity
    /// source values in order. The shape follows [`LambdaSetup::kind`] and
    /// [`LambdaSetup::format`]: TOKEN, REST/HTTP 1.0 REQUEST, HTTP 2.0 REQUEST or WebSocket
    /// `$connect` (what an external [`crate::function::CommandFunction`] reads on stdin).
    ///
    /// ```
    /// use policy_engine::flow::ApiRequest;
    /// use policy_engine::lambda::{LambdaKind, PayloadFormat};
    /// # use std::sync::Arc;
    /// # use policy_engine::function::ResponseTable;
    /// # use policy_engine::lambda::LambdaSetup;
    /// # fn setup(
    /// #     kind: policy_engine::lambda::LambdaKind,
    /// #     format: policy_engine::lambda::PayloadFormat,
    /// #     ttl_seconds: u64,
    /// # ) -> LambdaSetup {
    /// #     LambdaSetup {
    /// #         kind,
    /// #         format,
    /// #         ttl_seconds,
    /// #         identity_sources: Vec::new(),
    /// #         validation: None,
    /// #         function: Arc::new(ResponseTable::new(serde_json::Map::new())),
    /// #     }
    /// # }
    /// # use policy_engine::arn::ApiRef;
    /// # let api = policy_engine::flow::Api {
    /// #     api_type: policy_engine::flow::ApiType::Rest,
    /// #     api_ref: ApiRef {
    /// #         partition: "aws".into(),
    /// #         region: "us-east-1".into(),
    /// #         account_id: "123456789012".into(),
    /// #         api_id: "a1b2c3d4e5".into(),
    /// #     },
    /// #     stage: "prod".into(),
    /// #     endpoint: policy_engine::flow::EndpointType::Regional,
    /// # };
    /// let request = ApiRequest {
    ///     method: "GET".into(),
    ///     path: "/pets".into(),
    ///     query: vec![("tenant".into(), "acme".into())],
    ///     source_ip: Some("192.0.2.10".parse()?),
    ///     ..ApiRequest::default()
    /// };
    /// let v2 = setup(LambdaKind::Request, PayloadFormat::HttpV2 { simple: true }, 0);
    /// let event = v2.event(&api, &request, &["acme".to_owned()], 1_767_225_600);
    /// assert_eq!(event["version"], "2.0");
    /// assert_eq!(event["routeArn"], "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets");
    /// assert_eq!(event["rawQueryString"], "tenant=acme");
    /// assert_eq!(event["requestContext"]["http"]["sourceIp"], "192.0.2.10");
    /// assert_eq!(event["identitySource"][0], "acme");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn event(&self, api: &Api, request: &ApiRequest, identity: &[String], now: i64) -> Value {
        let arn = request_arn(api, request);
        let source_ip = request.source_ip.map(|ip| ip.to_string());
        let user_agent = request.header("User-Agent");
        let request_id = "policy-sim-request";
        match (self.kind, self.format) {
            (LambdaKind::Token, _) => json!({
                "type": "TOKEN",
                "authorizationToken": identity.first().cloned().unwrap_or_default(),
                "methodArn": arn.as_str(),
            }),
            (LambdaKind::Request, PayloadFormat::HttpV2 { .. }) => {
                let mut headers = Map::new();
                for (name, value) in &request.headers {
                    let name = name.to_ascii_lowercase();
                    join_value(&mut headers, name, value);
                }
                let mut query = Map::new();
                for (name, value) in &request.query {
                    join_value(&mut query, name.clone(), value);
                }
                let cookies: Vec<String> = request
                    .header("Cookie")
                    .map(|c| {
                        c.split(';')
                            .map(|p| p.trim().to_owned())
                            .filter(|p| !p.is_empty())
                            .collect()
                    })
                    .unwrap_or_default();
                let route_key = route_key(api, request);
                // Through the execute-api endpoint, a stage other than `$default` stands at the
                // front of the path HTTP APIs pass on (`/prod/pets`); `routeArn` names it apart.
                let raw_path = if api.stage == "$default" {
                    request.path.clone()
                } else {
                    format!("/{}{}", api.stage, request.path)
                };
                let mut event = json!({
                    "version": "2.0",
                    "type": "REQUEST",
                    "routeArn": arn.as_str(),
                    "routeKey": route_key,
                    "rawPath": raw_path,
                    "rawQueryString": raw_query(&request.query),
                    "cookies": cookies,
                    "headers": headers,
                    "queryStringParameters": query,
                    "requestContext": {
                        "accountId": api.api_ref.account_id,
                        "apiId": api.api_ref.api_id,
                        "domainName": domain_name(api),
                        "domainPrefix": api.api_ref.api_id,
                        "http": {
                            "method": request.method,
                            "path": raw_path,
                            "protocol": "HTTP/1.1",
                            "sourceIp": source_ip,
                            "userAgent": user_agent,
                        },
                        "requestId": request_id,
                        "routeKey": route_key,
                        "stage": api.stage,
                        "time": format_current_time(now),
                        "timeEpoch": now.saturating_mul(1000),
                    },
                    "pathParameters": {},
                    "stageVariables": pairs_object(&request.stage_variables),
                });
                if !identity.is_empty()
                    && let Some(o) = event.as_object_mut()
                {
                    o.insert("identitySource".to_owned(), json!(identity));
                }
                event
            }
            (LambdaKind::Request, PayloadFormat::WebSocket) => json!({
                "type": "REQUEST",
                "methodArn": arn.as_str(),
                "headers": last_values(&request.headers),
                "multiValueHeaders": multi_values(&request.headers),
                "queryStringParameters": last_values(&request.query),
                "multiValueQueryStringParameters": multi_values(&request.query),
                "stageVariables": pairs_object(&request.stage_variables),
                "requestContext": {
                    "routeKey": route_key(api, request),
                    "eventType": "CONNECT",
                    "messageDirection": "IN",
                    "stage": api.stage,
                    "requestTimeEpoch": now.saturating_mul(1000),
                    "identity": { "sourceIp": source_ip, "userAgent": user_agent },
                    "requestId": request_id,
                    "domainName": domain_name(api),
                    "connectionId": "policy-sim-connection",
                    "apiId": api.api_ref.api_id,
                },
            }),
            (LambdaKind::Request, PayloadFormat::Rest | PayloadFormat::HttpV1) => {
                let mut event = json!({
                    "type": "REQUEST",
                    "methodArn": arn.as_str(),
                    "resource": request.path,
                    "path": request.path,
                    "httpMethod": request.method,
                    "headers": last_values(&request.headers),
                    "multiValueHeaders": multi_values(&request.headers),
                    "queryStringParameters": last_values(&request.query),
                    "multiValueQueryStringParameters": multi_values(&request.query),
                    "pathParameters": {},
                    "stageVariables": pairs_object(&request.stage_variables),
                    "requestContext": {
                        "path": format!("/{}{}", api.stage, request.path),
                        "accountId": api.api_ref.account_id,
                        "resourceId": "policy-sim",
                        "stage": api.stage,
                        "requestId": request_id,
                        "identity": { "sourceIp": source_ip, "userAgent": user_agent },
                        "resourcePath": request.path,
                        "httpMethod": request.method,
                        "apiId": api.api_ref.api_id,
                    },
                });
                if self.format == PayloadFormat::HttpV1
                    && let Some(o) = event.as_object_mut()
                {
                    let joined = identity.join(",");
                    o.insert("version".to_owned(), json!("1.0"));
                    o.insert("identitySource".to_owned(), json!(joined));
                    o.insert("authorizationToken".to_owned(), json!(joined));
                }
                event
            }
        }
    }
}

/// The ARN API Gateway authorizes for `request`: the method ARN, or for WebSocket APIs the
/// route key's ARN (`.../{stage}/$connect`). It is the `methodArn` of the authorizer event and
/// the resource every policy layer is evaluated against.
///
/// ```
/// use policy_engine::flow::ApiRequest;
/// use policy_engine::lambda::request_arn;
/// # use policy_engine::arn::ApiRef;
/// # let api = policy_engine::flow::Api {
/// #     api_type: policy_engine::flow::ApiType::Rest,
/// #     api_ref: ApiRef {
/// #         partition: "aws".into(),
/// #         region: "us-east-1".into(),
/// #         account_id: "123456789012".into(),
/// #         api_id: "a1b2c3d4e5".into(),
/// #     },
/// #     stage: "prod".into(),
/// #     endpoint: policy_engine::flow::EndpointType::Regional,
/// # };
/// let request = ApiRequest { method: "DELETE".into(), path: "/pets/42".into(),
///                            ..ApiRequest::default() };
/// let arn = request_arn(&api, &request);
/// assert_eq!(arn.as_str(), "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/DELETE/pets/42");
/// assert_eq!(arn.stage(), "prod");
/// ```
pub fn request_arn(api: &Api, request: &ApiRequest) -> MethodArn {
    if api.api_type == ApiType::WebSocket {
        MethodArn::for_route_key(&api.api_ref, &api.stage, &route_key(api, request))
    } else {
        MethodArn::for_method(&api.api_ref, &api.stage, &request.method, &request.path)
    }
}

/// The text of [`request_arn`], without building the parsed parts (the flow needs only the
/// text).
///
/// ```
/// use policy_engine::flow::ApiRequest;
/// use policy_engine::lambda::{request_arn, request_arn_text};
/// # use policy_engine::arn::ApiRef;
/// # let api = policy_engine::flow::Api {
/// #     api_type: policy_engine::flow::ApiType::Rest,
/// #     api_ref: ApiRef {
/// #         partition: "aws".into(),
/// #         region: "us-east-1".into(),
/// #         account_id: "123456789012".into(),
/// #         api_id: "a1b2c3d4e5".into(),
/// #     },
/// #     stage: "prod".into(),
/// #     endpoint: policy_engine::flow::EndpointType::Regional,
/// # };
/// let request = ApiRequest { method: "GET".into(), path: "/pets".into(), ..ApiRequest::default() };
/// assert_eq!(request_arn_text(&api, &request), request_arn(&api, &request).as_str());
/// ```
pub fn request_arn_text(api: &Api, request: &ApiRequest) -> String {
    if api.api_type == ApiType::WebSocket {
        api.api_ref
            .arn_text(&[&api.stage, &route_key(api, request)])
    } else {
        let path = request.path.strip_prefix('/').unwrap_or(&request.path);
        api.api_ref.arn_text(&[&api.stage, &request.method, path])
    }
}

/// The route key of `request`: as given, else `$connect` for WebSocket APIs and
/// `{METHOD} {path}` for the others (the simulator knows paths, not route templates).
///
/// ```
/// use policy_engine::flow::{ApiRequest, ApiType};
/// use policy_engine::lambda::route_key;
/// # use policy_engine::arn::ApiRef;
/// # let api = policy_engine::flow::Api {
/// #     api_type: policy_engine::flow::ApiType::Rest,
/// #     api_ref: ApiRef {
/// #         partition: "aws".into(),
/// #         region: "us-east-1".into(),
/// #         account_id: "123456789012".into(),
/// #         api_id: "a1b2c3d4e5".into(),
/// #     },
/// #     stage: "prod".into(),
/// #     endpoint: policy_engine::flow::EndpointType::Regional,
/// # };
/// let request = ApiRequest { method: "GET".into(), path: "/pets/42".into(),
///                            ..ApiRequest::default() };
/// assert_eq!(route_key(&api, &request), "GET /pets/42");
/// let templated = ApiRequest { route_key: Some("GET /pets/{id}".into()), ..request.clone() };
/// assert_eq!(route_key(&api, &templated), "GET /pets/{id}");
/// let websocket = policy_engine::flow::Api { api_type: ApiType::WebSocket, ..api };
/// assert_eq!(route_key(&websocket, &request), "$connect");
/// ```
pub fn route_key(api: &Api, request: &ApiRequest) -> String {
    match (&request.route_key, api.api_type) {
        (Some(key), _) => key.clone(),
        (None, ApiType::WebSocket) => "$connect".to_owned(),
        (None, _) => format!("{} {}", request.method, request.path),
    }
}

fn domain_name(api: &Api) -> String {
    format!(
        "{}.execute-api.{}.amazonaws.com",
        api.api_ref.api_id, api.api_ref.region
    )
}

fn join_value(map: &mut Map<String, Value>, name: String, value: &str) {
    match map.get_mut(&name) {
        Some(Value::String(existing)) => {
            existing.push(',');
            existing.push_str(value);
        }
        _ => {
            map.insert(name, Value::String(value.to_owned()));
        }
    }
}

/// REST's single-value maps: a name sent more than once keeps its last value.
fn last_values(pairs: &[(String, String)]) -> Value {
    let mut map = Map::new();
    for (name, value) in pairs {
        map.insert(name.clone(), Value::String(value.clone()));
    }
    Value::Object(map)
}

fn multi_values(pairs: &[(String, String)]) -> Value {
    let mut map = Map::new();
    for (name, value) in pairs {
        match map.get_mut(name) {
            Some(Value::Array(values)) => values.push(Value::String(value.clone())),
            _ => {
                map.insert(name.clone(), json!([value]));
            }
        }
    }
    Value::Object(map)
}

fn pairs_object(pairs: &[(String, String)]) -> Value {
    last_values(pairs)
}

fn raw_query(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests;
