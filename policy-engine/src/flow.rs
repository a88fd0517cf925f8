//! The request flow the gateway runs for a method, reproduced step by step with its reasons.
//!
//! This release simulates methods with authorization `NONE` and `AWS_IAM` on REST APIs:
//! 1. build the method ARN and the request context from the request;
//! 2. `NONE`: the resource policy alone decides and must explicitly allow (no resource policy:
//!    open to everyone, except on private APIs, which refuse every call until one is attached);
//! 3. `AWS_IAM`: an unsigned request is refused (403 `MISSING_AUTHENTICATION_TOKEN`); otherwise
//!    the caller's identity policies and the resource policy are evaluated and combined by
//!    Table A (caller in the owner's account) or Table B (another account).
//!
//! 4. Lambda authorizer ([`Gateway::handle_with_authorizer`]): the resource policy is evaluated
//!    first for explicit denies only (the "pre-auth" phase: a deny stops the request with 403
//!    before any authorizer runs); then the authorizer answers — `Unauthorized` is 401, any
//!    other failure or a malformed answer 500 — and its policy, evaluated against the method
//!    ARN, is combined with the resource policy by Table A (authorizer in the owner's account)
//!    or Table B.
//!
//! Identity sources and the authorizer-result cache wrap step 4 (the `invoke` callback).

use std::net::IpAddr;
use std::sync::Arc;

use serde_json::{Map, Value};

use thiserror::Error;

use crate::arn::ApiRef;
use crate::context::{
    ContextError, ContextKey, ContextValue, KnownKey, KnownKeys, RequestContext, TypedValue,
};
use crate::decision::{combine, Decision, GatewayResponse, Table, MAX_METHOD_ARN_BYTES};
use crate::eval::{
    evaluate_all, explain_all, EvalRequest, PolicyOutcome, PolicyTrace, INVOKE_ACTION,
};
use crate::lambda::PayloadFormat;
use crate::policy::PolicyDocument;
use crate::principal::{Caller, IamCaller};

/// The kind of API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ApiType {
    /// A REST API (API Gateway v1).
    Rest,
    /// An HTTP API.
    Http,
    /// A WebSocket API.
    WebSocket,
}

/// Where the API is reachable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointType {
    /// A regional endpoint.
    Regional,
    /// An edge-optimized endpoint.
    Edge,
    /// A private endpoint, reached through interface VPC endpoints only.
    Private,
}

/// The API being called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Api {
    /// REST, HTTP or WebSocket.
    pub api_type: ApiType,
    /// Partition, region, owner account and id.
    pub api_ref: ApiRef,
    /// The deployed stage.
    pub stage: String,
    /// The endpoint type.
    pub endpoint: EndpointType,
}

/// How the called method is authorized.
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

/// What a Lambda authorizer answered.
#[derive(Debug, Clone, PartialEq)]
pub enum AuthorizerAnswer {
    /// A policy: `principalId`, `policyDocument` and `context`.
    Policy {
        /// `principalId`.
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
}

/// Where an authorizer answer came from.
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

/// An authorizer answer and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct AuthorizerCall {
    /// The answer; shared with the authorizer-result cache, so a cache hit copies nothing.
    pub answer: Arc<AuthorizerAnswer>,
    /// Its source.
    pub source: AnswerSource,
}

/// One identity source of a Lambda authorizer: where the gateway reads a part of the caching
/// key (and, for TOKEN authorizers, the token).
#[derive(Debug, Clone, PartialEq, Eq)]
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

/// The `$context` variables the simulator can supply as identity sources.
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
    /// (`route.request.header.X`) form.
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

/// One request as it reaches the gateway.
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
    /// The caller's IP address.
    pub source_ip: Option<IpAddr>,
    /// The VPC endpoint the request came through (private APIs).
    pub source_vpce: Option<String>,
    /// The VPC the request came from (private APIs).
    pub source_vpc: Option<String>,
    /// The IAM identity that signed the request (`AWS_IAM`), parsed from its ARN once.
    pub principal: Option<IamCaller>,
    /// The caller's IAM policies (`AWS_IAM`).
    pub identity_policies: Vec<PolicyDocument>,
    /// Extra or overriding condition keys.
    pub context: Vec<(ContextKey, ContextValue)>,
    /// The action; [`INVOKE_ACTION`] when `None`.
    pub action: Option<String>,
    /// The route key (`$connect`, `GET /pets/{id}`); see [`crate::lambda::route_key`] for the
    /// default.
    pub route_key: Option<String>,
}

impl ApiRequest {
    /// The value of header `name`, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A request the gateway could not even evaluate.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum FlowError {
    /// A condition-key value of the request is invalid.
    #[error(transparent)]
    Context(#[from] ContextError),
}

/// A gateway: one API with its resource policy and the authorization of its methods.
#[derive(Debug, Clone, PartialEq)]
pub struct Gateway {
    /// The API.
    pub api: Api,
    /// The resource policy, if one is attached.
    pub resource_policy: Option<PolicyDocument>,
    /// How methods are authorized.
    pub authorization: Authorization,
}

impl Gateway {
    /// Decide `request` at Unix time `now` (seconds), explaining every step.
    pub fn handle(&self, request: &ApiRequest, now: i64) -> Result<Decision, FlowError> {
        self.run(request, now, &mut Trace::explained())
    }

    /// [`Gateway::handle`] without the explanation (`steps` is empty): nothing is formatted, so
    /// this is the call for deciding many requests; [`Gateway::handle`] the same request again
    /// when its reasons are wanted.
    pub fn decide(&self, request: &ApiRequest, now: i64) -> Result<Decision, FlowError> {
        self.run(request, now, &mut Trace::quiet())
    }

    /// Decide `request` for a method protected by a Lambda authorizer. `invoke` is called only
    /// if the pre-auth phase lets the request through; it returns the authorizer's answer and
    /// where it came from (the function, the cache, or the gateway itself).
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
                trace.note(|| "no resource policy: a private API refuses every call until a resource policy is attached".to_owned());
                return Ok(trace.finish(Decision::from_outcome(PolicyOutcome::ImplicitDeny, Vec::new())));
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
                trace.note(|| "no resource policy: a private API refuses every call until a resource policy is attached".to_owned());
                return Decision::from_outcome(PolicyOutcome::ImplicitDeny, Vec::new());
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
            None if self.api.endpoint == EndpointType::Private => {
                trace.note(|| "no resource policy: a private API refuses every call until a resource policy is attached".to_owned());
                return Decision::from_outcome(PolicyOutcome::ImplicitDeny, Vec::new());
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
/// numbers and booleans as strings; the key of the first other value as the error.
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

#[cfg(test)]
mod tests;
