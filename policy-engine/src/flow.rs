//! The request flow the gateway runs for a method, reproduced step by step with its reasons.
//!
//! A [`Gateway`] is one deployed API ([`Api`]) with its optional resource policy and the
//! [`Authorization`] of its methods; an [`ApiRequest`] is one request as it reaches it. The
//! flow turns the request into a method ARN and a request context, evaluates the policy layers
//! with [`crate::eval`], combines them with [`crate::decision::combine`] (Table A or B) and
//! returns the gateway's [`Decision`]: the HTTP status, the gateway response, the combined
//! outcome, the table row and, for `handle*`, every step with its reason.
//!
//! The steps, by the method's authorization:
//! 1. every flow: build the method ARN and the request context (`aws:SourceIp`, or on private
//!    APIs `aws:VpcSourceIp`, `aws:SourceVpce` and `aws:SourceVpc`; `aws:CurrentTime`, the
//!    caller's principal keys, ...) from the request; for a method with authorization or a
//!    resource policy, a method ARN over [`crate::decision::MAX_METHOD_ARN_BYTES`] is 414
//!    before any policy runs;
//! 2. `NONE`: the resource policy alone decides and must explicitly allow (no resource policy:
//!    open to everyone, except on private APIs, which refuse every call until one is attached);
//! 3. `AWS_IAM`: an unsigned request is refused (403 `MISSING_AUTHENTICATION_TOKEN`); otherwise
//!    the caller's identity policies and the resource policy are evaluated and combined by
//!    Table A (caller in the owner's account) or Table B (another account);
//! 4. Lambda authorizer ([`Gateway::handle_with_authorizer`]): the resource policy is evaluated
//!    first for explicit denies only (the "pre-auth" phase: a deny stops the request with 403
//!    before any authorizer runs); then the authorizer answers — `Unauthorized` is 401, any
//!    other failure or a malformed answer 500 — and its policy, evaluated against the method
//!    ARN, is combined with the resource policy by Table A (authorizer in the owner's account)
//!    or Table B.
//!
//! Identity sources and the authorizer-result cache wrap step 4: they decide whether the
//! function is invoked at all, so they live in the `invoke` callback the caller passes —
//! usually [`crate::lambda::LambdaSetup::call`], which reads the [`IdentitySource`]s, checks
//! the cache ([`crate::cache::AuthorizerCache`]) and invokes a
//! [`crate::function::AuthorizerFunction`]. Because the flow itself is a pure function of the
//! gateway, the request, the time and the authorizer's answer, a decision can be replayed.
//!
//! Each entry point comes in two forms: `handle*` records the explanation
//! ([`Decision::steps`], [`Decision::explanation`]); `decide*` formats nothing and is the call
//! for deciding many requests (the decision is the same).
//!
//! ```
//! use policy_engine::arn::ApiRef;
//! use policy_engine::flow::{Api, ApiRequest, ApiType, Authorization, EndpointType, Gateway};
//! use policy_engine::policy::PolicyDocument;
//!
//! let api_ref = ApiRef {
//!     partition: "aws".into(),
//!     region: "us-east-1".into(),
//!     account_id: "123456789012".into(),
//!     api_id: "a1b2c3d4e5".into(),
//! };
//! // Authorization NONE: only callers from 192.0.2.0/24 get through.
//! let policy = PolicyDocument::parse_resource_policy(r#"{
//!     "Version": "2012-10-17",
//!     "Statement": [{
//!         "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
//!         "Resource": "execute-api:/*",
//!         "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}
//!     }]
//! }"#, &api_ref)?;
//! let gateway = Gateway {
//!     api: Api {
//!         api_type: ApiType::Rest,
//!         api_ref,
//!         stage: "prod".into(),
//!         endpoint: EndpointType::Regional,
//!     },
//!     resource_policy: Some(policy),
//!     authorization: Authorization::None,
//! };
//! let mut request = ApiRequest {
//!     method: "GET".into(),
//!     path: "/pets".into(),
//!     source_ip: Some("192.0.2.10".parse()?),
//!     ..ApiRequest::default()
//! };
//! assert_eq!(gateway.decide(&request, 1_767_225_600)?.status, 200);
//!
//! request.source_ip = Some("203.0.113.9".parse()?);
//! let decision = gateway.handle(&request, 1_767_225_600)?;
//! assert_eq!(decision.status, 403);
//! println!("{}", decision.explanation()); // the condition that failed, and the value it saw
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::net::IpAddr;
use std::sync::Arc;

use serde_json::{Map, Value};

use thiserror::Error;

use crate::arn::ApiRef;
use crate::context::{
    ContextError, ContextKey, ContextValue, KnownKey, KnownKeys, RequestContext, TypedValue,
};
use crate::decision::{Decision, GatewayResponse, MAX_METHOD_ARN_BYTES, Table, combine};
use crate::eval::{
    EvalRequest, INVOKE_ACTION, PolicyOutcome, PolicyTrace, evaluate_all, explain_all,
};
use crate::lambda::PayloadFormat;
use crate::policy::PolicyDocument;
use crate::principal::{Caller, IamCaller};

/// The kind of API: which condition keys and authorizer events apply, and whether a resource
/// policy is evaluated at all (REST APIs only).
///
/// ```
/// use policy_engine::flow::{ApiRequest, ApiType};
/// # use policy_engine::arn::ApiRef;
/// # use policy_engine::flow::{Api, EndpointType};
/// # let api_ref = ApiRef {
/// #     partition: "aws".into(),
/// #     region: "us-east-1".into(),
/// #     account_id: "123456789012".into(),
/// #     api_id: "a1b2c3d4e5".into(),
/// # };
/// let request = ApiRequest { method: "GET".into(), path: "/pets".into(), ..ApiRequest::default() };
/// // A WebSocket API authorizes its `$connect` route, a REST API the method and path.
/// let ws = Api { api_type: ApiType::WebSocket, api_ref: api_ref.clone(), stage: "prod".into(),
///                endpoint: EndpointType::Regional };
/// assert!(policy_engine::lambda::request_arn(&ws, &request).as_str().ends_with("/prod/$connect"));
/// let rest = Api { api_type: ApiType::Rest, ..ws };
/// assert!(policy_engine::lambda::request_arn(&rest, &request).as_str().ends_with("/prod/GET/pets"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiType {
    /// A REST API (API Gateway v1).
    Rest,
    /// An HTTP API.
    Http,
    /// A WebSocket API.
    WebSocket,
}

/// Where the API is reachable. It decides which network keys a request carries: a private API
/// sees `aws:SourceVpce`, `aws:SourceVpc` and `aws:VpcSourceIp` (never `aws:SourceIp`), and
/// refuses every call while it has no resource policy.
///
/// ```
/// # use policy_engine::arn::ApiRef;
/// use policy_engine::flow::{Api, ApiRequest, ApiType, Authorization, EndpointType, Gateway};
/// # let api_ref = ApiRef {
/// #     partition: "aws".into(),
/// #     region: "us-east-1".into(),
/// #     account_id: "123456789012".into(),
/// #     api_id: "a1b2c3d4e5".into(),
/// # };
/// let mut gateway = Gateway {
///     api: Api { api_type: ApiType::Rest, api_ref, stage: "prod".into(),
///                endpoint: EndpointType::Regional },
///     resource_policy: None,
///     authorization: Authorization::None,
/// };
/// let request = ApiRequest { method: "GET".into(), path: "/pets".into(), ..ApiRequest::default() };
/// // No authorization and no resource policy: a regional API is open...
/// assert_eq!(gateway.decide(&request, 0)?.status, 200);
/// // ...a private API refuses every call until a resource policy is attached.
/// gateway.api.endpoint = EndpointType::Private;
/// assert_eq!(gateway.decide(&request, 0)?.status, 403);
/// # Ok::<(), policy_engine::flow::FlowError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EndpointType {
    /// A regional endpoint.
    Regional,
    /// An edge-optimized endpoint.
    Edge,
    /// A private endpoint, reached through interface VPC endpoints only.
    Private,
}

/// The API being called: what the method ARN is built from ([`ApiRef`] and `stage`) and which
/// rules apply ([`ApiType`], [`EndpointType`]).
///
/// ```
/// use policy_engine::arn::ApiRef;
/// use policy_engine::flow::{Api, ApiRequest, ApiType, EndpointType};
///
/// let api = Api {
///     api_type: ApiType::Rest,
///     api_ref: ApiRef {
///         partition: "aws".into(),
///         region: "us-east-1".into(),
///         account_id: "123456789012".into(),
///         api_id: "a1b2c3d4e5".into(),
///     },
///     stage: "prod".into(),
///     endpoint: EndpointType::Regional,
/// };
/// let request = ApiRequest { method: "GET".into(), path: "/pets".into(), ..ApiRequest::default() };
/// assert_eq!(
///     policy_engine::lambda::request_arn(&api, &request).as_str(),
///     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    /// REST, HTTP or WebSocket.
    pub api_type: ApiType,
    /// Partition, region, owner account and id: the start of every method ARN, and the owner
    /// account that decides between Table A and Table B.
    pub api_ref: ApiRef,
    /// The deployed stage, such as `prod`: the method ARN's first part after the API id.
    pub stage: String,
    /// The endpoint type: regional, edge-optimized or private.
    pub endpoint: EndpointType,
}

/// How the called method is authorized: which policy layers the flow evaluates and how it
/// combines them (see the [module docs](self)).
///
/// ```
/// # use policy_engine::arn::ApiRef;
/// use policy_engine::flow::{Api, ApiRequest, ApiType, Authorization, EndpointType, Gateway};
/// use policy_engine::decision::GatewayResponse;
/// # let api_ref = ApiRef {
/// #     partition: "aws".into(),
/// #     region: "us-east-1".into(),
/// #     account_id: "123456789012".into(),
/// #     api_id: "a1b2c3d4e5".into(),
/// # };
/// let gateway = Gateway {
///     api: Api { api_type: ApiType::Rest, api_ref, stage: "prod".into(),
///                endpoint: EndpointType::Regional },
///     resource_policy: None,
///     authorization: Authorization::AwsIam,
/// };
/// // AWS_IAM: a request without a SigV4 identity never reaches the policies.
/// let unsigned = ApiRequest { method: "GET".into(), path: "/pets".into(), ..ApiRequest::default() };
/// let decision = gateway.decide(&unsigned, 0)?;
/// assert_eq!(decision.status, 403);
/// assert_eq!(decision.gateway_response, Some(GatewayResponse::MissingAuthenticationToken));
/// # Ok::<(), policy_engine::flow::FlowError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Authorization {
    /// No authorization: the resource policy alone decides.
    None,
    /// SigV4-signed IAM callers: identity policies combined with the resource policy.
    AwsIam,
    /// A Lambda authorizer (TOKEN or REQUEST) in account `account`; decide with
    /// [`Gateway::handle_with_authorizer`].
    Lambda {
        /// The authorizer function's account; differs from the API's → Table B.
        account: String,
        /// The event and response format, which decides how the backend sees the context.
        format: PayloadFormat,
    },
}

/// What a Lambda authorizer answered, as the gateway reads it
/// ([`crate::lambda::LambdaSetup::read_response`] builds one from the function's JSON).
///
/// ```
/// use policy_engine::flow::AuthorizerAnswer;
/// use policy_engine::policy::PolicyDocument;
///
/// let policy = PolicyDocument::parse_identity_policy(r#"{
///     "Version": "2012-10-17",
///     "Statement": [{
///         "Effect": "Allow", "Action": "execute-api:Invoke",
///         "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"
///     }]
/// }"#)?;
/// let answer = AuthorizerAnswer::Policy {
///     principal_id: "alice".into(),
///     policy,
///     context: serde_json::Map::new(),
/// };
/// assert!(matches!(answer, AuthorizerAnswer::Policy { ref principal_id, .. } if principal_id == "alice"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum AuthorizerAnswer {
    /// A policy: `principalId`, `policyDocument` and `context`; the policy is evaluated against
    /// the method ARN and combined with the resource policy.
    Policy {
        /// `principalId`: the backend's `$context.authorizer.principalId`.
        principal_id: String,
        /// The returned policy, compiled as an identity policy.
        policy: PolicyDocument,
        /// The `context` map as returned (REST allows strings, numbers and booleans only).
        context: Map<String, Value>,
    },
    /// The function failed with the error message `Unauthorized` (401).
    Unauthorized,
    /// An HTTP API simple response (payload 2.0): `isAuthorized` and `context`.
    Simple {
        /// `isAuthorized`: true lets every request with this identity through.
        authorized: bool,
        /// The `context` map as returned.
        context: Map<String, Value>,
    },
    /// Any other failure, or a response the gateway cannot use (500); the reason.
    Failed(String),
    /// The stand-in for the function could not be run at all (see
    /// [`FunctionResult::NotStarted`](crate::function::FunctionResult::NotStarted)): no
    /// decision, [`FlowError::AuthorizerNotStarted`].
    NotStarted(String),
}

/// Where an authorizer answer came from: it sets [`Decision::authorizer_invoked`] and
/// [`Decision::cache_hit`], and the explanation says it.
///
/// ```
/// use std::sync::Arc;
/// use policy_engine::flow::{AnswerSource, AuthorizerAnswer, AuthorizerCall};
/// # use policy_engine::arn::ApiRef;
/// # use policy_engine::flow::{Api, ApiRequest, ApiType, Authorization, EndpointType, Gateway};
/// # use policy_engine::lambda::PayloadFormat;
/// # let api_ref = ApiRef {
/// #     partition: "aws".into(),
/// #     region: "us-east-1".into(),
/// #     account_id: "123456789012".into(),
/// #     api_id: "a1b2c3d4e5".into(),
/// # };
/// # let gateway = Gateway {
/// #     api: Api { api_type: ApiType::Rest, api_ref, stage: "prod".into(),
/// #                endpoint: EndpointType::Regional },
/// #     resource_policy: None,
/// #     authorization: Authorization::Lambda { account: "123456789012".into(),
/// #                                            format: PayloadFormat::Rest },
/// # };
/// # let request = ApiRequest { method: "GET".into(), path: "/pets".into(), ..ApiRequest::default() };
/// // A missing token: the gateway itself answers 401 and the function is never invoked.
/// let decision = gateway.decide_with_authorizer(&request, 0, &mut || AuthorizerCall {
///     answer: Arc::new(AuthorizerAnswer::Unauthorized),
///     source: AnswerSource::Gateway("identity source header `Authorization` is missing".into()),
/// })?;
/// assert_eq!(decision.status, 401);
/// assert!(!decision.authorizer_invoked && !decision.cache_hit);
/// # Ok::<(), policy_engine::flow::FlowError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnswerSource {
    /// The function was invoked.
    Invoked,
    /// The authorizer-result cache, with the entry's age in seconds.
    Cache {
        /// Seconds since the answer was cached.
        age_seconds: u64,
    },
    /// The gateway answered without invoking the function (a missing identity source, a token
    /// failing `identityValidationExpression`); the reason.
    Gateway(String),
}

/// An authorizer answer and where it came from: what the `invoke` callback of
/// [`Gateway::handle_with_authorizer`] returns.
///
/// ```
/// use std::sync::Arc;
/// use policy_engine::flow::{AnswerSource, AuthorizerAnswer, AuthorizerCall};
///
/// let call = AuthorizerCall {
///     answer: Arc::new(AuthorizerAnswer::Failed("the function timed out".into())),
///     source: AnswerSource::Invoked,
/// };
/// let replay = call.clone(); // cheap: the answer is shared
/// assert!(Arc::ptr_eq(&call.answer, &replay.answer));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizerCall {
    /// The answer; shared with the authorizer-result cache, so a cache hit copies nothing.
    pub answer: Arc<AuthorizerAnswer>,
    /// Its source.
    pub source: AnswerSource,
}

/// One identity source of a Lambda authorizer: where the gateway reads a part of the caching
/// key (and, for TOKEN authorizers, the token). A missing one can mean 401 without invoking
/// the function (see [`crate::lambda::LambdaSetup::requires_all_sources`]).
///
/// ```
/// use policy_engine::flow::IdentitySource;
///
/// let source = IdentitySource::parse("method.request.header.Authorization");
/// assert_eq!(source, Some(IdentitySource::Header("Authorization".into())));
/// assert_eq!(source.map(|s| s.to_string()).as_deref(), Some("header `Authorization`"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentitySource {
    /// `method.request.header.X` / `$request.header.X` (case-insensitive).
    Header(String),
    /// `method.request.querystring.X` / `$request.querystring.X`.
    Query(String),
    /// `stageVariables.X` / `$stageVariables.X`.
    StageVariable(String),
    /// `context.X` / `$context.X`: `identity.sourceIp`, `identity.userAgent`, `httpMethod`,
    /// `path`, `stage`.
    Context(String),
}

/// The `$context` variables the simulator can supply as identity sources
/// ([`IdentitySource::Context`]); [`IdentitySource::parse`] refuses any other.
///
/// ```
/// use policy_engine::flow::{IdentitySource, CONTEXT_IDENTITY_SOURCES};
///
/// assert!(CONTEXT_IDENTITY_SOURCES.contains(&"identity.sourceIp"));
/// assert!(IdentitySource::parse("$context.identity.sourceIp").is_some());
/// assert!(IdentitySource::parse("$context.identity.clientCert").is_none());
/// ```
pub const CONTEXT_IDENTITY_SOURCES: [&str; 8] = [
    "identity.sourceIp",
    "identity.userAgent",
    "httpMethod",
    "path",
    "stage",
    "routeKey",
    "apiId",
    "accountId",
];

impl std::fmt::Display for IdentitySource {
    /// How an explanation names the source: ``header `Authorization` ``.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IdentitySource::Header(n) => write!(f, "header `{n}`"),
            IdentitySource::Query(n) => write!(f, "query parameter `{n}`"),
            IdentitySource::StageVariable(n) => write!(f, "stage variable `{n}`"),
            IdentitySource::Context(n) => write!(f, "context variable `{n}`"),
        }
    }
}

impl IdentitySource {
    /// Parse a REST (`method.request.header.X`), HTTP API (`$request.header.X`) or WebSocket
    /// (`route.request.header.X`) form; `None` for any other text, an empty name, or a
    /// `$context` variable not in [`CONTEXT_IDENTITY_SOURCES`].
    ///
    /// ```
    /// use policy_engine::flow::IdentitySource;
    ///
    /// assert_eq!(
    ///     IdentitySource::parse("$request.querystring.tenant"),
    ///     Some(IdentitySource::Query("tenant".into()))
    /// );
    /// assert_eq!(
    ///     IdentitySource::parse("stageVariables.tier"),
    ///     Some(IdentitySource::StageVariable("tier".into()))
    /// );
    /// assert_eq!(IdentitySource::parse("method.request.header."), None);
    /// assert_eq!(IdentitySource::parse("Authorization"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        #[derive(Clone, Copy)]
        enum Kind {
            Header,
            Query,
            Stage,
            Context,
        }
        const FORMS: [(&str, Kind); 10] = [
            ("method.request.header.", Kind::Header),
            ("method.request.querystring.", Kind::Query),
            ("route.request.header.", Kind::Header),
            ("route.request.querystring.", Kind::Query),
            ("stageVariables.", Kind::Stage),
            ("context.", Kind::Context),
            ("$request.header.", Kind::Header),
            ("$request.querystring.", Kind::Query),
            ("$stageVariables.", Kind::Stage),
            ("$context.", Kind::Context),
        ];
        let (kind, name) = FORMS
            .iter()
            .find_map(|(prefix, kind)| text.strip_prefix(prefix).map(|name| (*kind, name)))?;
        if name.is_empty() {
            return None;
        }
        let name = name.to_owned();
        match kind {
            Kind::Header => Some(IdentitySource::Header(name)),
            Kind::Query => Some(IdentitySource::Query(name)),
            Kind::Stage => Some(IdentitySource::StageVariable(name)),
            Kind::Context if CONTEXT_IDENTITY_SOURCES.contains(&name.as_str()) => {
                Some(IdentitySource::Context(name))
            }
            Kind::Context => None,
        }
    }

    /// The value in `request` to `api` (several header values joined with `,`, order kept),
    /// or `None` when absent.
    ///
    /// ```
    /// use policy_engine::flow::{ApiRequest, IdentitySource};
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
    /// let request = ApiRequest {
    ///     method: "GET".into(),
    ///     path: "/pets".into(),
    ///     headers: vec![("x-tenant".into(), "a".into()), ("X-Tenant".into(), "b".into())],
    ///     ..ApiRequest::default()
    /// };
    /// let header = IdentitySource::Header("X-Tenant".into());
    /// assert_eq!(header.value(&request, &api).as_deref(), Some("a,b"));
    /// let stage = IdentitySource::Context("stage".into());
    /// assert_eq!(stage.value(&request, &api).as_deref(), Some("prod"));
    /// assert_eq!(IdentitySource::Query("q".into()).value(&request, &api), None);
    /// ```
    pub fn value(&self, request: &ApiRequest, api: &Api) -> Option<String> {
        match self {
            IdentitySource::Header(name) => join_values(
                request
                    .headers
                    .iter()
                    .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.as_str()),
            ),
            IdentitySource::Query(name) => join_values(
                request
                    .query
                    .iter()
                    .filter(|(k, _)| k == name)
                    .map(|(_, v)| v.as_str()),
            ),
            IdentitySource::StageVariable(name) => request
                .stage_variables
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone()),
            IdentitySource::Context(name) => match name.as_str() {
                "identity.sourceIp" => request.source_ip.map(|ip| ip.to_string()),
                "identity.userAgent" => request.header("User-Agent").map(str::to_owned),
                "httpMethod" => Some(request.method.clone()),
                "path" => Some(request.path.clone()),
                "stage" => Some(api.stage.clone()),
                "routeKey" => Some(crate::lambda::route_key(api, request)),
                "apiId" => Some(api.api_ref.api_id.clone()),
                "accountId" => Some(api.api_ref.account_id.clone()),
                _ => None,
            },
        }
    }
}

/// The values of a repeated header or parameter joined with `,` in order; `None` if there are
/// none. (One allocation: most requests send an identity source once.)
fn join_values<'a>(mut values: impl Iterator<Item = &'a str>) -> Option<String> {
    let mut joined = values.next()?.to_owned();
    for value in values {
        joined.push(',');
        joined.push_str(value);
    }
    Some(joined)
}

/// One request as it reaches the gateway: what the method ARN, the request context, the
/// identity sources and the authorizer event are built from. Fill what the request carries and
/// leave the rest to [`Default`].
///
/// ```
/// use policy_engine::flow::ApiRequest;
/// use policy_engine::principal::IamCaller;
///
/// let request = ApiRequest {
///     method: "GET".into(),
///     path: "/pets/42".into(),
///     headers: vec![("User-Agent".into(), "curl/8.5.0".into())],
///     source_ip: Some("192.0.2.10".parse()?),
///     principal: Some(IamCaller::from_arn("arn:aws:iam::123456789012:role/reader")?),
///     ..ApiRequest::default()
/// };
/// assert_eq!(request.header("user-agent"), Some("curl/8.5.0"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiRequest {
    /// The HTTP method.
    pub method: String,
    /// The path, such as `/pets/42`.
    pub path: String,
    /// Request headers (names are case-insensitive; a name may repeat).
    pub headers: Vec<(String, String)>,
    /// Query-string parameters (a name may repeat).
    pub query: Vec<(String, String)>,
    /// The stage variables.
    pub stage_variables: Vec<(String, String)>,
    /// The caller's IP address: `aws:SourceIp` (`aws:VpcSourceIp` on private APIs).
    pub source_ip: Option<IpAddr>,
    /// The VPC endpoint the request came through (private APIs): `aws:SourceVpce`.
    pub source_vpce: Option<String>,
    /// The VPC the request came from (private APIs): `aws:SourceVpc`.
    pub source_vpc: Option<String>,
    /// The IAM identity that signed the request (`AWS_IAM`), parsed from its ARN once.
    pub principal: Option<IamCaller>,
    /// The caller's IAM policies (`AWS_IAM`), compiled as identity policies.
    pub identity_policies: Vec<PolicyDocument>,
    /// Extra or overriding condition keys (such as `aws:PrincipalTag/team`); they replace the
    /// values the flow derives from the request.
    pub context: Vec<(ContextKey, ContextValue)>,
    /// The action; [`INVOKE_ACTION`] when `None`.
    pub action: Option<String>,
    /// The route key (`$connect`, `GET /pets/{id}`); see [`crate::lambda::route_key`] for the
    /// default.
    pub route_key: Option<String>,
}

impl ApiRequest {
    /// The value of header `name`, compared case-insensitively (the first one when repeated).
    ///
    /// ```
    /// use policy_engine::flow::ApiRequest;
    ///
    /// let request = ApiRequest {
    ///     headers: vec![("Authorization".into(), "Bearer tok-alice".into())],
    ///     ..ApiRequest::default()
    /// };
    /// assert_eq!(request.header("authorization"), Some("Bearer tok-alice"));
    /// assert_eq!(request.header("Referer"), None);
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A request the gateway could not even evaluate: an input error in the [`ApiRequest`], not a
/// refusal (refusals are [`Decision`]s).
///
/// ```
/// use policy_engine::context::{ContextKey, ContextValue};
/// use policy_engine::flow::{ApiRequest, FlowError};
/// # use policy_engine::arn::ApiRef;
/// # use policy_engine::flow::{Api, ApiType, Authorization, EndpointType, Gateway};
/// # let api_ref = ApiRef {
/// #     partition: "aws".into(),
/// #     region: "us-east-1".into(),
/// #     account_id: "123456789012".into(),
/// #     api_id: "a1b2c3d4e5".into(),
/// # };
/// # let gateway = Gateway {
/// #     api: Api { api_type: ApiType::Rest, api_ref, stage: "prod".into(),
/// #                endpoint: EndpointType::Regional },
/// #     resource_policy: None,
/// #     authorization: Authorization::None,
/// # };
/// let request = ApiRequest {
///     method: "GET".into(),
///     path: "/pets".into(),
///     context: vec![(ContextKey::new("aws:SourceIp"), ContextValue::single("office"))],
///     ..ApiRequest::default()
/// };
/// let err = gateway.decide(&request, 0).unwrap_err();
/// assert!(matches!(err, FlowError::Context(_)));
/// assert!(err.to_string().contains("`office`"));
/// ```
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum FlowError {
    /// A condition-key value of the request is invalid.
    #[error(transparent)]
    Context(#[from] ContextError),
    /// The authorizer's stand-in could not be run (a `command` the OS cannot start): the
    /// simulation has no answer to give, and a 500 would pass for an authorizer failure.
    #[error(
        "the authorizer could not be started: {0}; a program that cannot start is a mistake in the setup, not an authorizer failure (a script needs a `#!` line and the execute bit)"
    )]
    AuthorizerNotStarted(String),
}

/// A gateway: one API with its resource policy and the authorization of its methods — the
/// setup a request is decided against. Build it once and decide any number of requests: the
/// policies are compiled already, and deciding takes `&self`.
///
/// ```
/// use policy_engine::arn::ApiRef;
/// use policy_engine::flow::{Api, ApiRequest, ApiType, Authorization, EndpointType, Gateway};
/// use policy_engine::policy::PolicyDocument;
/// use policy_engine::principal::IamCaller;
/// use policy_engine::decision::Table;
///
/// let api_ref = ApiRef {
///     partition: "aws".into(),
///     region: "us-east-1".into(),
///     account_id: "123456789012".into(),
///     api_id: "a1b2c3d4e5".into(),
/// };
/// // AWS_IAM, no resource policy: a caller in the owner's account needs only its IAM policy.
/// let gateway = Gateway {
///     api: Api { api_type: ApiType::Rest, api_ref, stage: "prod".into(),
///                endpoint: EndpointType::Regional },
///     resource_policy: None,
///     authorization: Authorization::AwsIam,
/// };
/// let request = ApiRequest {
///     method: "GET".into(),
///     path: "/pets".into(),
///     principal: Some(IamCaller::from_arn("arn:aws:iam::123456789012:role/reader")?),
///     identity_policies: vec![PolicyDocument::parse_identity_policy(r#"{
///         "Version": "2012-10-17",
///         "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
///             "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/*"}]
///     }"#)?],
///     ..ApiRequest::default()
/// };
/// let decision = gateway.handle(&request, 1_767_225_600)?;
/// assert_eq!(decision.status, 200);
/// assert_eq!(decision.table_row.map(|r| (r.table, r.row)), Some((Table::A, 2)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Gateway {
    /// The API.
    pub api: Api,
    /// The resource policy, if one is attached (compiled as a resource policy for `api`).
    pub resource_policy: Option<PolicyDocument>,
    /// How methods are authorized.
    pub authorization: Authorization,
}

impl Gateway {
    /// Decide `request` at Unix time `now` (seconds), explaining every step in
    /// [`Decision::steps`]. For methods with authorization `NONE` or `AWS_IAM`; a
    /// [`Authorization::Lambda`] method needs [`Gateway::handle_with_authorizer`] (here it is
    /// refused with 500 `AUTHORIZER_CONFIGURATION_ERROR`).
    ///
    /// # Errors
    ///
    /// [`FlowError::Context`] when a value in [`ApiRequest::context`] is invalid for its key.
    ///
    /// ```
    /// use policy_engine::flow::{ApiRequest, Authorization, Gateway};
    /// use policy_engine::policy::PolicyDocument;
    /// # use policy_engine::arn::ApiRef;
    /// # use policy_engine::flow::{Api, ApiType, EndpointType};
    /// # let api_ref = ApiRef {
    /// #     partition: "aws".into(),
    /// #     region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(),
    /// #     api_id: "a1b2c3d4e5".into(),
    /// # };
    /// let policy = PolicyDocument::parse_resource_policy(r#"{
    ///     "Version": "2012-10-17",
    ///     "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
    ///                    "Resource": "execute-api:/*/DELETE/*"},
    ///                   {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    ///                    "Resource": "execute-api:/*"}]
    /// }"#, &api_ref)?;
    /// let gateway = Gateway {
    ///     api: Api { api_type: ApiType::Rest, api_ref, stage: "prod".into(),
    ///                endpoint: EndpointType::Regional },
    ///     resource_policy: Some(policy),
    ///     authorization: Authorization::None,
    /// };
    /// let request = ApiRequest { method: "DELETE".into(), path: "/pets/42".into(),
    ///                            ..ApiRequest::default() };
    /// let decision = gateway.handle(&request, 1_767_225_600)?;
    /// assert_eq!(decision.to_string(), "403 ExplicitDeny (ACCESS_DENIED)");
    /// assert!(decision.explanation().contains("/prod/DELETE/pets/42"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle(&self, request: &ApiRequest, now: i64) -> Result<Decision, FlowError> {
        self.run(request, now, &mut Trace::explained())
    }

    /// [`Gateway::handle`] without the explanation (`steps` is empty): nothing is formatted, so
    /// this is the call for deciding many requests; [`Gateway::handle`] the same request again
    /// when its reasons are wanted. The decision is otherwise the same.
    ///
    /// # Errors
    ///
    /// As [`Gateway::handle`].
    ///
    /// ```
    /// use policy_engine::flow::{ApiRequest, Authorization, Gateway};
    /// # use policy_engine::arn::ApiRef;
    /// # use policy_engine::flow::{Api, ApiType, EndpointType};
    /// # let api_ref = ApiRef {
    /// #     partition: "aws".into(),
    /// #     region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(),
    /// #     api_id: "a1b2c3d4e5".into(),
    /// # };
    /// let gateway = Gateway {
    ///     api: Api { api_type: ApiType::Rest, api_ref, stage: "prod".into(),
    ///                endpoint: EndpointType::Regional },
    ///     resource_policy: None,
    ///     authorization: Authorization::None,
    /// };
    /// let request = ApiRequest { method: "GET".into(), path: "/pets".into(),
    ///                            ..ApiRequest::default() };
    /// let quick = gateway.decide(&request, 0)?;
    /// assert!(quick.steps.is_empty());
    /// let explained = gateway.handle(&request, 0)?;
    /// assert_eq!((quick.status, quick.outcome), (explained.status, explained.outcome));
    /// assert!(!explained.steps.is_empty());
    /// # Ok::<(), policy_engine::flow::FlowError>(())
    /// ```
    pub fn decide(&self, request: &ApiRequest, now: i64) -> Result<Decision, FlowError> {
        self.run(request, now, &mut Trace::quiet())
    }

    /// Decide `request` for a method protected by a Lambda authorizer, explaining every step.
    /// `invoke` is called only if the pre-auth phase lets the request through (no explicit
    /// deny in the resource policy); it returns the authorizer's answer and where it came from
    /// (the function, the cache, or the gateway itself) — usually by calling
    /// [`crate::lambda::LambdaSetup::call`]. The authorizer's account and payload format come
    /// from [`Authorization::Lambda`] (any other authorization is treated as a same-account
    /// REST authorizer).
    ///
    /// # Errors
    ///
    /// As [`Gateway::handle`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use policy_engine::flow::{AnswerSource, ApiRequest, Authorization, AuthorizerAnswer,
    ///                           AuthorizerCall, Gateway};
    /// use policy_engine::lambda::PayloadFormat;
    /// use policy_engine::policy::PolicyDocument;
    /// # use policy_engine::arn::ApiRef;
    /// # use policy_engine::flow::{Api, ApiType, EndpointType};
    /// # let api_ref = ApiRef {
    /// #     partition: "aws".into(),
    /// #     region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(),
    /// #     api_id: "a1b2c3d4e5".into(),
    /// # };
    /// let gateway = Gateway {
    ///     api: Api { api_type: ApiType::Rest, api_ref, stage: "prod".into(),
    ///                endpoint: EndpointType::Regional },
    ///     resource_policy: None,
    ///     authorization: Authorization::Lambda {
    ///         account: "123456789012".into(),
    ///         format: PayloadFormat::Rest,
    ///     },
    /// };
    /// let answer = Arc::new(AuthorizerAnswer::Policy {
    ///     principal_id: "alice".into(),
    ///     policy: PolicyDocument::parse_identity_policy(r#"{
    ///         "Version": "2012-10-17",
    ///         "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke",
    ///             "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}]
    ///     }"#)?,
    ///     context: serde_json::Map::new(),
    /// });
    /// let request = ApiRequest { method: "GET".into(), path: "/pets".into(),
    ///                            ..ApiRequest::default() };
    /// let decision = gateway.handle_with_authorizer(&request, 0, &mut || AuthorizerCall {
    ///     answer: Arc::clone(&answer),
    ///     source: AnswerSource::Invoked,
    /// })?;
    /// assert_eq!(decision.status, 200);
    /// assert_eq!(decision.principal_id.as_deref(), Some("alice"));
    ///
    /// // The same cached policy does not allow another method.
    /// let other = ApiRequest { method: "POST".into(), ..request };
    /// let decision = gateway.handle_with_authorizer(&other, 60, &mut || AuthorizerCall {
    ///     answer: Arc::clone(&answer),
    ///     source: AnswerSource::Cache { age_seconds: 60 },
    /// })?;
    /// assert_eq!((decision.status, decision.cache_hit), (403, true));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle_with_authorizer(
        &self,
        request: &ApiRequest,
        now: i64,
        invoke: &mut dyn FnMut() -> AuthorizerCall,
    ) -> Result<Decision, FlowError> {
        self.run_with_authorizer(request, now, invoke, &mut Trace::explained())
    }

    /// [`Gateway::handle_with_authorizer`] without the explanation (`steps` is empty). To
    /// explain the decision afterwards, replay the same answer: the flow is a pure function of
    /// the gateway, the request, `now` and the authorizer's answer.
    ///
    /// # Errors
    ///
    /// As [`Gateway::handle`].
    ///
    /// ```
    /// use std::sync::Arc;
    /// use policy_engine::flow::{AnswerSource, ApiRequest, Authorization, AuthorizerAnswer,
    ///                           AuthorizerCall, Gateway};
    /// use policy_engine::lambda::PayloadFormat;
    /// use policy_engine::policy::PolicyDocument;
    /// # use policy_engine::arn::ApiRef;
    /// # use policy_engine::flow::{Api, ApiType, EndpointType};
    /// # let api_ref = ApiRef {
    /// #     partition: "aws".into(),
    /// #     region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(),
    /// #     api_id: "a1b2c3d4e5".into(),
    /// # };
    /// // The resource policy denies 203.0.113.0/24 before any authorizer runs.
    /// let policy = PolicyDocument::parse_resource_policy(r#"{
    ///     "Version": "2012-10-17",
    ///     "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
    ///                    "Resource": "execute-api:/*",
    ///                    "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]
    /// }"#, &api_ref)?;
    /// let gateway = Gateway {
    ///     api: Api { api_type: ApiType::Rest, api_ref, stage: "prod".into(),
    ///                endpoint: EndpointType::Regional },
    ///     resource_policy: Some(policy),
    ///     authorization: Authorization::Lambda {
    ///         account: "123456789012".into(),
    ///         format: PayloadFormat::Rest,
    ///     },
    /// };
    /// let request = ApiRequest { method: "GET".into(), path: "/pets".into(),
    ///                            source_ip: Some("203.0.113.9".parse()?),
    ///                            ..ApiRequest::default() };
    /// let mut calls = 0;
    /// let decision = gateway.decide_with_authorizer(&request, 0, &mut || {
    ///     calls += 1;
    ///     AuthorizerCall { answer: Arc::new(AuthorizerAnswer::Unauthorized),
    ///                      source: AnswerSource::Invoked }
    /// })?;
    /// assert_eq!((decision.status, calls), (403, 0));
    /// assert!(decision.steps.is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn decide_with_authorizer(
        &self,
        request: &ApiRequest,
        now: i64,
        invoke: &mut dyn FnMut() -> AuthorizerCall,
    ) -> Result<Decision, FlowError> {
        self.run_with_authorizer(request, now, invoke, &mut Trace::quiet())
    }

    fn run(
        &self,
        request: &ApiRequest,
        now: i64,
        trace: &mut Trace,
    ) -> Result<Decision, FlowError> {
        let caller = match (&self.authorization, &request.principal) {
            (Authorization::AwsIam, Some(iam)) => Caller::Iam(iam.clone()),
            _ => Caller::Anonymous,
        };
        let mut keys = self.resource_keys();
        if matches!(self.authorization, Authorization::AwsIam) {
            for policy in &request.identity_policies {
                keys = keys.union(policy.keys_read());
            }
        }
        let prepared = self.prepare(request, caller, now, keys, trace)?;
        let authorized = !matches!(self.authorization, Authorization::None);
        if (authorized || self.resource_policy.is_some()) && arn_too_long(&prepared.arn, trace) {
            return Ok(trace.finish(Decision::refused(
                GatewayResponse::RequestUriTooLong,
                Vec::new(),
            )));
        }
        let eval = prepared.eval(&self.api.api_ref.account_id);
        let decision = match &self.authorization {
            Authorization::None => self.decide_none(&eval, trace),
            Authorization::AwsIam => self.decide_iam(request, &eval, &prepared.caller, trace),
            Authorization::Lambda { .. } => {
                trace.note(|| "a Lambda authorizer protects this method: its answer is needed (use `handle_with_authorizer`)".to_owned());
                Decision::refused(GatewayResponse::AuthorizerConfigurationError, Vec::new())
            }
        };
        Ok(trace.finish(decision))
    }

    fn run_with_authorizer(
        &self,
        request: &ApiRequest,
        now: i64,
        invoke: &mut dyn FnMut() -> AuthorizerCall,
        trace: &mut Trace,
    ) -> Result<Decision, FlowError> {
        let (account, format) = match &self.authorization {
            Authorization::Lambda { account, format } => (account.as_str(), *format),
            _ => (self.api.api_ref.account_id.as_str(), PayloadFormat::Rest),
        };
        // Behind a Lambda authorizer the caller is not an IAM identity.
        let prepared =
            self.prepare(request, Caller::Anonymous, now, self.resource_keys(), trace)?;
        if self.api.api_type == ApiType::WebSocket {
            let key = crate::lambda::route_key(&self.api, request);
            if key != "$connect" {
                trace.note(|| format!("WebSocket APIs authorize on `$connect` only: route `{key}` runs on the connection `$connect` authorized"));
                return Ok(trace.finish(Decision::from_outcome(PolicyOutcome::Allow, Vec::new())));
            }
        }
        if arn_too_long(&prepared.arn, trace) {
            return Ok(trace.finish(Decision::refused(
                GatewayResponse::RequestUriTooLong,
                Vec::new(),
            )));
        }
        let eval = prepared.eval(&self.api.api_ref.account_id);
        let resource = self.resource_layer(&eval, trace);
        match &resource {
            Some(layer) if layer.outcome == PolicyOutcome::ExplicitDeny => {
                trace.note(|| "pre-auth: the resource policy explicitly denies, so the gateway refuses the request before invoking the authorizer".to_owned());
                trace.layer("resource policy", layer);
                return Ok(trace.finish(Decision::from_outcome(PolicyOutcome::ExplicitDeny, Vec::new())));
            }
            Some(_) => trace.note(|| "pre-auth: the resource policy has no explicit deny for this request: the authorizer is called".to_owned()),
            None if self.api.endpoint == EndpointType::Private => {
                let refused = private_without_policy(trace);
                return Ok(trace.finish(refused));
            }
            None if self.api.api_type != ApiType::Rest => trace.note(|| format!(
                "{} APIs have no resource policy: the authorizer alone decides",
                if self.api.api_type == ApiType::Http { "HTTP" } else { "WebSocket" }
            )),
            None => trace.note(|| "pre-auth: no resource policy: the authorizer is called".to_owned()),
        }
        let AuthorizerCall { answer, source } = invoke();
        let (invoked, cache_hit) = match &source {
            AnswerSource::Invoked => {
                trace.note(|| "authorizer: invoked".to_owned());
                (true, false)
            }
            AnswerSource::Cache { age_seconds } => {
                trace.note(|| {
                    let replay = if matches!(*answer, AuthorizerAnswer::Simple { .. }) {
                        "a cached simple response applies to every route"
                    } else {
                        "a cached policy is evaluated against this request's method ARN"
                    };
                    format!("authorizer: answer served from the authorizer-result cache (cached {age_seconds} s ago; the function was not invoked); {replay}")
                });
                (false, true)
            }
            AnswerSource::Gateway(why) => {
                trace.note(|| format!("gateway: {why}: the authorizer is not invoked"));
                (false, false)
            }
        };
        let mut decision = match &*answer {
            AuthorizerAnswer::NotStarted(why) => {
                return Err(FlowError::AuthorizerNotStarted(why.clone()));
            }
            AuthorizerAnswer::Unauthorized => {
                trace.note(|| "authorizer answered `Unauthorized`: 401".to_owned());
                Decision::refused(GatewayResponse::Unauthorized, Vec::new())
            }
            AuthorizerAnswer::Failed(why) => {
                trace.note(|| format!("authorizer failed ({why}): 500"));
                Decision::refused(GatewayResponse::AuthorizerFailure, Vec::new())
            }
            AuthorizerAnswer::Simple {
                authorized,
                context,
            } => {
                trace.note(|| {
                    format!(
                        "simple response: `isAuthorized` is {authorized}: {}",
                        if *authorized {
                            "the request is let through"
                        } else {
                            "403"
                        }
                    )
                });
                let outcome = if *authorized {
                    PolicyOutcome::Allow
                } else {
                    PolicyOutcome::ExplicitDeny
                };
                let mut d = Decision::from_outcome(outcome, Vec::new());
                d.context = backend_context_v2(context.clone());
                d
            }
            AuthorizerAnswer::Policy {
                principal_id,
                policy,
                context: returned,
            } => {
                let backend_context = if format.stringifies_context() {
                    match stringify_rest_context(returned) {
                        Ok(c) => c,
                        Err(key) => {
                            trace.note(|| format!("authorizer context value `{key}` is an object, array or null: with this payload format the gateway accepts only strings, numbers and booleans: 500"));
                            let mut d =
                                Decision::refused(GatewayResponse::AuthorizerFailure, Vec::new());
                            d.authorizer_invoked = invoked;
                            d.cache_hit = cache_hit;
                            return Ok(trace.finish(d));
                        }
                    }
                } else {
                    backend_context_v2(returned.clone())
                };
                let table = if account == self.api.api_ref.account_id {
                    Table::A
                } else {
                    Table::B
                };
                // The authorizer's policy may read keys the resource policy does not.
                let missing = policy.keys_read().without(prepared.keys);
                let extended;
                let authorizer_eval = if missing.is_empty() {
                    eval
                } else {
                    let mut context = prepared.context.clone();
                    self.fill_context(&mut context, request, &prepared.caller, now, missing)?;
                    extended = context;
                    EvalRequest {
                        context: &extended,
                        ..eval
                    }
                };
                let authorizer =
                    Layer::evaluate(std::slice::from_ref(policy), &authorizer_eval, trace);
                trace.layer("authorizer policy", &authorizer);
                let mut d = match &resource {
                    Some(layer) => {
                        trace.layer("resource policy", layer);
                        let row = combine(table, authorizer.outcome, layer.outcome);
                        trace.note(|| row.to_string());
                        let mut d = Decision::from_outcome(row.result, Vec::new());
                        d.table_row = Some(row);
                        d
                    }
                    None => {
                        // One layer only: nothing to combine. (A cross-account authorizer
                        // needs no resource policy; only its invoke permission.)
                        trace.note(|| {
                            "no resource policy: the authorizer's policy alone decides".to_owned()
                        });
                        Decision::from_outcome(authorizer.outcome, Vec::new())
                    }
                };
                d.principal_id = Some(principal_id.clone());
                d.context = backend_context;
                d
            }
        };
        decision.authorizer_invoked = invoked;
        decision.cache_hit = cache_hit;
        Ok(trace.finish(decision))
    }

    /// Step 1 of every flow: the method ARN, the caller and the request context, with the
    /// steps that record them.
    fn prepare<'r>(
        &self,
        request: &'r ApiRequest,
        caller: Caller,
        now: i64,
        keys: KnownKeys,
        trace: &mut Trace,
    ) -> Result<Prepared<'r>, FlowError> {
        let arn = crate::lambda::request_arn_text(&self.api, request);
        // Deciding needs only the keys the policies read; an explanation lists them all.
        let keys = if trace.is_explaining() {
            KnownKeys::ALL
        } else {
            keys
        };
        let mut context = RequestContext::new();
        self.fill_context(&mut context, request, &caller, now, keys)?;
        let action = request.action.as_deref().unwrap_or(INVOKE_ACTION);
        trace.note(|| format!("method ARN `{arn}`, action `{action}`"));
        trace.note(|| format!("request context: {}", describe_context(&context)));
        if request.source_vpce.is_some() && self.api.endpoint != EndpointType::Private {
            trace.note(|| {
                "note: `sourceVpce`/`sourceVpc` are ignored: only private APIs carry `aws:SourceVpce` and `aws:SourceVpc`".to_owned()
            });
        }
        Ok(Prepared {
            arn,
            caller,
            context,
            keys,
            action,
        })
    }

    /// The documented keys the resource policy reads (none without one).
    fn resource_keys(&self) -> KnownKeys {
        self.resource_policy
            .as_ref()
            .map_or_else(KnownKeys::default, PolicyDocument::keys_read)
    }

    /// The resource policy evaluated for `eval`, if one is attached.
    fn resource_layer(&self, eval: &EvalRequest<'_>, trace: &Trace) -> Option<Layer> {
        self.resource_policy
            .as_ref()
            .map(|p| Layer::evaluate(std::slice::from_ref(p), eval, trace))
    }

    fn decide_none(&self, eval: &EvalRequest<'_>, trace: &mut Trace) -> Decision {
        trace.note(|| {
            "authorization NONE: the resource policy alone decides and must explicitly allow"
                .to_owned()
        });
        let Some(layer) = self.resource_layer(eval, trace) else {
            if self.api.endpoint == EndpointType::Private {
                return private_without_policy(trace);
            }
            trace.note(|| "no resource policy and no authorization: the method is open".to_owned());
            return Decision::from_outcome(PolicyOutcome::Allow, Vec::new());
        };
        trace.layer("resource policy", &layer);
        Decision::from_outcome(layer.outcome, Vec::new())
    }

    fn decide_iam(
        &self,
        request: &ApiRequest,
        eval: &EvalRequest<'_>,
        caller: &Caller,
        trace: &mut Trace,
    ) -> Decision {
        let Caller::Iam(iam) = caller else {
            trace.note(|| "authorization AWS_IAM: the request is not signed (no `principalArn`), so the gateway refuses it before any policy".to_owned());
            return Decision::refused(GatewayResponse::MissingAuthenticationToken, Vec::new());
        };
        if self.api.endpoint == EndpointType::Private && self.resource_policy.is_none() {
            return private_without_policy(trace);
        }
        let table = if iam.account() == self.api.api_ref.account_id {
            Table::A
        } else {
            Table::B
        };
        trace.note(|| {
            format!(
                "authorization AWS_IAM: caller `{}` in account `{}`, API owner `{}`: {}",
                iam.arn(),
                iam.account(),
                self.api.api_ref.account_id,
                match table {
                    Table::A => "same account, Table A: either the IAM policies or the resource policy may allow",
                    Table::B => "cross account, Table B: both the IAM policies and the resource policy must allow",
                }
            )
        });
        let identity = Layer::evaluate(&request.identity_policies, eval, trace);
        if request.identity_policies.is_empty() {
            trace.note(|| "IAM policies: none: Neither Allow nor Deny".to_owned());
        } else {
            trace.layer("IAM policies", &identity);
        }
        let resource_outcome = match self.resource_layer(eval, trace) {
            Some(layer) => {
                trace.layer("resource policy", &layer);
                layer.outcome
            }
            None => {
                trace.note(|| "resource policy: none attached: Neither Allow nor Deny".to_owned());
                PolicyOutcome::ImplicitDeny
            }
        };
        let row = combine(table, identity.outcome, resource_outcome);
        trace.note(|| row.to_string());
        let mut decision = Decision::from_outcome(row.result, Vec::new());
        decision.table_row = Some(row);
        decision
    }

    /// Put the `wanted` condition-key values API Gateway sets into `ctx`, then the request's
    /// own `context` entries (which override them).
    fn fill_context(
        &self,
        ctx: &mut RequestContext,
        request: &ApiRequest,
        caller: &Caller,
        now: i64,
        wanted: KnownKeys,
    ) -> Result<(), FlowError> {
        let mut set = |key: KnownKey, value: &dyn Fn() -> TypedValue| {
            if wanted.contains(key) {
                ctx.insert_known(key, ContextValue::typed(value()))
            } else {
                Ok(())
            }
        };
        if self.api.endpoint == EndpointType::Private {
            // Through a VPC endpoint the source IP is rewritten: IAM omits aws:SourceIp and
            // reports the caller's address as aws:VpcSourceIp instead.
            if let Some(ip) = request.source_ip {
                set(KnownKey::VpcSourceIp, &|| TypedValue::from_ip(ip))?;
            }
            if let Some(vpce) = &request.source_vpce {
                set(KnownKey::SourceVpce, &|| TypedValue::new(vpce))?;
            }
            if let Some(vpc) = &request.source_vpc {
                set(KnownKey::SourceVpc, &|| TypedValue::new(vpc))?;
            }
        } else if let Some(ip) = request.source_ip {
            set(KnownKey::SourceIp, &|| TypedValue::from_ip(ip))?;
        }
        set(KnownKey::CurrentTime, &|| TypedValue::current_time(now))?;
        set(KnownKey::EpochTime, &|| TypedValue::epoch_seconds(now))?;
        set(KnownKey::SecureTransport, &|| TypedValue::new("true"))?;
        if let Some(ua) = request.header("User-Agent") {
            set(KnownKey::UserAgent, &|| TypedValue::new(ua))?;
        }
        if let Some(referer) = request.header("Referer") {
            set(KnownKey::Referer, &|| TypedValue::new(referer))?;
        }
        if let Caller::Iam(iam) = caller {
            set(KnownKey::PrincipalArn, &|| {
                TypedValue::new(&iam.principal_arn())
            })?;
            set(KnownKey::PrincipalAccount, &|| {
                TypedValue::new(iam.account())
            })?;
            set(KnownKey::PrincipalType, &|| {
                TypedValue::new(iam.kind().name())
            })?;
            if let Some(user) = iam.user_name() {
                set(KnownKey::Username, &|| TypedValue::new(user))?;
            }
        }
        for (key, value) in &request.context {
            ctx.insert(key, value.clone())?;
        }
        Ok(())
    }
}

/// A request made ready for policy evaluation.
struct Prepared<'r> {
    arn: String,
    caller: Caller,
    context: RequestContext,
    /// The documented keys `context` was given.
    keys: KnownKeys,
    action: &'r str,
}

impl Prepared<'_> {
    fn eval<'a>(&'a self, owner_account: &'a str) -> EvalRequest<'a> {
        EvalRequest {
            action: self.action,
            resource: &self.arn,
            caller: &self.caller,
            owner_account,
            context: &self.context,
        }
    }
}

/// Where a flow writes its explanation: recorded by the `handle*` methods; skipped by the
/// `decide*` ones, which then format nothing at all (the closures passed to [`Trace::note`]
/// never run).
struct Trace {
    steps: Option<Vec<String>>,
}

impl Trace {
    fn explained() -> Self {
        Self {
            steps: Some(Vec::new()),
        }
    }

    fn quiet() -> Self {
        Self { steps: None }
    }

    /// Whether steps are being recorded.
    fn is_explaining(&self) -> bool {
        self.steps.is_some()
    }

    /// Record the step `step` renders, when explaining.
    fn note(&mut self, step: impl FnOnce() -> String) {
        if let Some(steps) = &mut self.steps {
            steps.push(step());
        }
    }

    /// Record a policy layer's outcome and, under it, what each statement did.
    fn layer(&mut self, name: &str, layer: &Layer) {
        if let (Some(steps), Some(trace)) = (&mut self.steps, &layer.trace) {
            push_trace(steps, name, trace);
        }
    }

    /// Hand the recorded steps, closed by the result line, to `decision`.
    fn finish(&mut self, mut decision: Decision) -> Decision {
        if let Some(mut steps) = self.steps.take() {
            steps.push(format!(
                "result: {} {}{}",
                decision.status,
                decision.outcome,
                decision
                    .gateway_response
                    .map(|r| format!(" ({})", r.name()))
                    .unwrap_or_default()
            ));
            decision.steps = steps;
        }
        decision
    }
}

/// One evaluated policy layer: its outcome, and every statement's account when explaining.
struct Layer {
    outcome: PolicyOutcome,
    trace: Option<PolicyTrace>,
}

impl Layer {
    fn evaluate(policies: &[PolicyDocument], eval: &EvalRequest<'_>, trace: &Trace) -> Self {
        if trace.is_explaining() {
            let explained = explain_all(policies, eval);
            Self {
                outcome: explained.outcome,
                trace: Some(explained),
            }
        } else {
            Self {
                outcome: evaluate_all(policies, eval).outcome,
                trace: None,
            }
        }
    }
}

/// Whether the method ARN is over API Gateway's limit for methods with authorization or a
/// resource policy (the caller checks that one applies); says so in the trace.
fn arn_too_long(arn: &str, trace: &mut Trace) -> bool {
    let too_long = arn.len() > MAX_METHOD_ARN_BYTES;
    if too_long {
        trace.note(|| format!("the method ARN is {} bytes, over the {MAX_METHOD_ARN_BYTES}-byte limit for methods with authorization or a resource policy: 414 `Request URI too long` before any policy or authorizer runs", arn.len()));
    }
    too_long
}

/// The authorizer context as a REST backend sees it (`$context.authorizer.key`): strings,
/// numbers and booleans as strings; the key of the first other value as the error (the gateway
/// then answers 500).
///
/// # Errors
///
/// The key of the first value that is an object, an array or `null`.
///
/// ```
/// use policy_engine::flow::stringify_rest_context;
/// use serde_json::json;
///
/// let context = json!({"tier": "gold", "quota": 100, "admin": false});
/// let backend = stringify_rest_context(context.as_object().unwrap()).unwrap();
/// assert_eq!(serde_json::Value::Object(backend),
///            json!({"tier": "gold", "quota": "100", "admin": "false"}));
///
/// let nested = json!({"tier": "gold", "groups": ["a", "b"]});
/// assert_eq!(stringify_rest_context(nested.as_object().unwrap()), Err("groups".to_owned()));
/// ```
pub fn stringify_rest_context(context: &Map<String, Value>) -> Result<Map<String, Value>, String> {
    let mut backend = Map::with_capacity(context.len());
    for (k, v) in context {
        let text = match v {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => if *b { "true" } else { "false" }.to_owned(),
            _ => return Err(k.clone()),
        };
        backend.insert(k.clone(), Value::String(text));
    }
    Ok(backend)
}

/// The authorizer context as an HTTP API payload 2.0 backend sees it: unchanged, under
/// `lambda` (`$context.authorizer.lambda.key`).
fn backend_context_v2(context: Map<String, Value>) -> Map<String, Value> {
    let mut nested = Map::new();
    nested.insert("lambda".to_owned(), Value::Object(context));
    nested
}

fn push_trace(steps: &mut Vec<String>, layer: &str, trace: &PolicyTrace) {
    steps.push(format!("{layer}: {}", trace.outcome.table_wording()));
    for s in &trace.statements {
        let prefix = if layer == "IAM policies" && trace.statements.iter().any(|s| s.policy > 0) {
            format!("policy[{}].", s.policy)
        } else {
            String::new()
        };
        steps.push(format!("  {prefix}{s}"));
    }
}

fn describe_context(ctx: &RequestContext) -> String {
    ctx.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The refusal of every call to a private API that has no resource policy. The guide ("Create
/// and attach an API Gateway resource policy to an API"): "For private APIs, note that until
/// you attach the resource policy to the private API, all calls to the API will fail." No other
/// policy is consulted, so none is shown.
fn private_without_policy(trace: &mut Trace) -> Decision {
    trace.note(|| "refused: this is a private API with no resource policy, and until a resource policy is attached to a private API all calls to it fail (403); no authorizer or IAM policy is consulted. Attach a resource policy that allows the VPC endpoints or VPCs the calls come from".to_owned());
    Decision::from_outcome(PolicyOutcome::ImplicitDeny, Vec::new())
}

#[cfg(test)]
mod tests;
