//! The typed model of the events API Gateway sends to Lambda authorizers — REST API `TOKEN` and
//! `REQUEST` events, HTTP API payload format 1.0 and 2.0 events, and the WebSocket `$connect`
//! `REQUEST` event — so that an authorizer reads headers, query strings, cookies, the method ARN
//! and the caller's address the same way whichever API invoked it.
//!
//! [`AuthorizerEvent::from_json`] (or `serde`, through the [`Deserialize`] impl of
//! [`AuthorizerEvent`]) tells the shapes apart by their own fields: `"type": "TOKEN"` is a
//! [`TokenEvent`]; `"version": "2.0"` is an [`HttpV2Event`]; any other `"type": "REQUEST"` is a
//! [`RequestEvent`] (REST API, HTTP API payload 1.0 with `"version": "1.0"`, or WebSocket
//! `$connect`, whose `requestContext` has `routeKey`, `eventType` and `connectionId`). Anything
//! else is an [`EventError`] that says what is missing or wrong and where; unknown fields are
//! ignored, because API Gateway adds fields to its events over time. Maps that real events send
//! as JSON `null` (or leave out) read as empty.
//!
//! The event is the first step of an authorizer (see the [crate] docs): the decision reads it
//! — the token for [`crate::jwt::Verifier`], the method ARN for
//! [`crate::builder::PolicyBuilder::for_api_of`] — and [`crate::handler::RulesAuthorizer`]
//! takes one per call. The accessors of [`AuthorizerEvent`] hide the differences between the
//! shapes: a header is found ignoring case, a repeated query parameter gives all its values,
//! and so on, with each accessor saying what it reads in which shape.
//!
//! ```
//! use authorizer::event::{AuthorizerEvent, EventKind};
//!
//! let event = AuthorizerEvent::from_slice(br#"{
//!     "type": "TOKEN",
//!     "authorizationToken": "Bearer abc",
//!     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/pets"
//! }"#)?;
//! assert_eq!(event.kind(), EventKind::RestToken);
//! assert_eq!(event.token(), Some("Bearer abc"));
//! assert_eq!(event.stage(), Some("prod"));
//! # Ok::<(), authorizer::event::EventError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use thiserror::Error;

/// A map of names to single values (`headers`, `queryStringParameters`, `pathParameters`,
/// `stageVariables`), in name order.
///
/// ```
/// use authorizer::event::{AuthorizerEvent, StringMap};
///
/// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/7",
///     "pathParameters": {"id": "7"}}"#)?;
/// let AuthorizerEvent::Request(request) = event else { panic!("another shape") };
/// let params: &StringMap = &request.path_parameters;
/// assert_eq!(params.get("id").map(String::as_str), Some("7"));
/// # Ok::<(), authorizer::event::EventError>(())
/// ```
pub type StringMap = BTreeMap<String, String>;

/// A map of names to every value sent under that name (`multiValueHeaders`,
/// `multiValueQueryStringParameters`), in name order.
///
/// ```
/// use authorizer::event::{AuthorizerEvent, MultiValueMap};
///
/// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
///     "multiValueQueryStringParameters": {"tag": ["cat", "dog"]}}"#)?;
/// let AuthorizerEvent::Request(request) = event else { panic!("another shape") };
/// let query: &MultiValueMap = &request.multi_value_query_string_parameters;
/// assert_eq!(query["tag"], ["cat", "dog"]);
/// # Ok::<(), authorizer::event::EventError>(())
/// ```
pub type MultiValueMap = BTreeMap<String, Vec<String>>;

/// Which API and authorizer type sent an event: what [`AuthorizerEvent::kind`] answers. Its
/// `Display` is the name used in error messages and logs (`REST API TOKEN`). New kinds are
/// added as API Gateway gains them, so matches need a `_` arm.
///
/// ```
/// use authorizer::event::{AuthorizerEvent, EventKind};
///
/// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/$connect",
///     "requestContext": {"routeKey": "$connect", "eventType": "CONNECT", "connectionId": "abc="}}"#)?;
/// assert_eq!(event.kind(), EventKind::WebSocketConnect);
/// assert_eq!(event.kind().to_string(), "WebSocket $connect");
/// # Ok::<(), authorizer::event::EventError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// A REST API `TOKEN` authorizer: the token and the method ARN only.
    RestToken,
    /// A REST API `REQUEST` authorizer.
    RestRequest,
    /// An HTTP API `REQUEST` authorizer with payload format version 1.0 (REST-compatible).
    HttpV1,
    /// An HTTP API `REQUEST` authorizer with payload format version 2.0.
    HttpV2,
    /// A WebSocket API `REQUEST` authorizer on the `$connect` route.
    WebSocketConnect,
}

impl fmt::Display for EventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::RestToken => "REST API TOKEN",
            Self::RestRequest => "REST API REQUEST",
            Self::HttpV1 => "HTTP API payload 1.0",
            Self::HttpV2 => "HTTP API payload 2.0",
            Self::WebSocketConnect => "WebSocket $connect",
        })
    }
}

/// An event that could not be read as an authorizer event. Messages name the missing or wrong
/// field; values taken from the event are quoted in backticks (and shortened when long).
///
/// An authorizer that gets one answers with a 500-class error: API Gateway sent something the
/// function cannot read, which is a configuration problem, not the caller's.
///
/// ```
/// use authorizer::event::{AuthorizerEvent, EventError, EventKind};
///
/// let error = AuthorizerEvent::from_slice(br#"{"type": "TOKEN", "authorizationToken": "abc"}"#)
///     .unwrap_err();
/// assert!(matches!(error, EventError::Invalid { kind: EventKind::RestToken, .. }));
/// assert_eq!(error.to_string(), "invalid REST API TOKEN event: missing field `methodArn`");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EventError {
    /// The bytes given to [`AuthorizerEvent::from_slice`] are not JSON.
    #[error("event is not valid JSON: {problem}")]
    NotJson {
        /// What the JSON parser reported, with line and column.
        problem: String,
    },
    /// The JSON is not an object.
    #[error("event is {found}, not a JSON object: not an API Gateway authorizer event")]
    NotAnObject {
        /// The JSON type that was found (`an array`, `a string`, ...).
        found: &'static str,
    },
    /// The object has neither of the fields that identify an authorizer event.
    #[error("event has neither `type` nor `version`: not an API Gateway authorizer event")]
    Unrecognized,
    /// `type` or `version` is present but not a string.
    #[error("event field `{field}` is {found}, expected a string")]
    NotAString {
        /// `type` or `version`.
        field: &'static str,
        /// The JSON type that was found.
        found: &'static str,
    },
    /// `type` is neither `TOKEN` nor `REQUEST`.
    #[error("unknown authorizer event `type` `{found}`: expected `TOKEN` or `REQUEST`")]
    UnknownType {
        /// The `type` the event has.
        found: String,
    },
    /// `version` is neither `1.0` nor `2.0`.
    #[error("unknown payload format `version` `{found}`: expected `1.0` or `2.0`")]
    UnknownVersion {
        /// The `version` the event has.
        found: String,
    },
    /// A `TOKEN` event with a payload format `version`, which only HTTP APIs send (and HTTP APIs
    /// have no `TOKEN` authorizers).
    #[error(
        "event has `type` `TOKEN` and `version` `{version}`: HTTP APIs send only `REQUEST` events"
    )]
    TokenWithVersion {
        /// The `version` the event has.
        version: String,
    },
    /// The event has a known shape but a field is missing or has the wrong type.
    #[error("invalid {kind} event{}: {problem}", at_path(.path))]
    Invalid {
        /// The shape the event was read as.
        kind: EventKind,
        /// Where the wrong value is (`requestContext.identity.sourceIp`, `headers.Host`,
        /// `multiValueHeaders.Accept[1]`); `None` for a missing field, which `problem` names.
        path: Option<String>,
        /// What is wrong, as `serde` words it: missing field `methodArn`, or invalid type:
        /// integer `5`, expected a string.
        problem: String,
    },
}

/// The " at `path`" part of an error message, or nothing.
fn at_path(path: &Option<String>) -> String {
    path.as_ref()
        .map(|p| format!(" at `{p}`"))
        .unwrap_or_default()
}

/// Any event a Lambda authorizer can receive from API Gateway: read it with
/// [`from_json`](Self::from_json), [`from_slice`](Self::from_slice) or `serde`, then ask it for
/// what the decision needs ([`token`](Self::token), [`header`](Self::header),
/// [`method_arn`](Self::method_arn), ...) without matching on the shape. The variants hold
/// the whole typed event when a field has no accessor. New shapes are added as API Gateway
/// gains them, so a `match` needs a `_` arm.
///
/// ```
/// use authorizer::event::AuthorizerEvent;
///
/// // An HTTP API payload 2.0 event (abridged).
/// let event = AuthorizerEvent::from_slice(br#"{
///     "version": "2.0", "type": "REQUEST",
///     "routeArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/$default/GET/pets",
///     "identitySource": ["Bearer abc"],
///     "routeKey": "GET /pets",
///     "headers": {"authorization": "Bearer abc"},
///     "requestContext": {"http": {"method": "GET", "path": "/pets", "sourceIp": "192.0.2.10"}}
/// }"#)?;
/// assert!(matches!(event, AuthorizerEvent::HttpV2(_)));
/// assert_eq!(event.header("Authorization"), Some("Bearer abc"));
/// assert_eq!(event.route_key(), Some("GET /pets"));
/// assert_eq!(event.source_ip(), Some("192.0.2.10"));
/// # Ok::<(), authorizer::event::EventError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthorizerEvent {
    /// A REST API `TOKEN` authorizer event.
    Token(TokenEvent),
    /// A `REQUEST` authorizer event from a REST API, an HTTP API with payload format 1.0, or a
    /// WebSocket API's `$connect` route; [`RequestEvent::kind`] says which.
    Request(RequestEvent),
    /// An HTTP API `REQUEST` authorizer event with payload format 2.0.
    HttpV2(HttpV2Event),
}

/// The input of a REST API `TOKEN` authorizer: the token source header's value and the method
/// ARN, nothing else (no headers, no source IP).
///
/// ```
/// use authorizer::event::AuthorizerEvent;
///
/// let event = AuthorizerEvent::from_slice(br#"{"type": "TOKEN",
///     "authorizationToken": "Bearer abc",
///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}"#)?;
/// let AuthorizerEvent::Token(token) = event else { panic!("another shape") };
/// assert_eq!(token.authorization_token, "Bearer abc");
/// assert!(token.method_arn.ends_with("/prod/GET/pets"));
/// # Ok::<(), authorizer::event::EventError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TokenEvent {
    /// The value of the token source header, exactly as the client sent it (`Bearer ...`).
    pub authorization_token: String,
    /// The ARN of the method called:
    /// `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{verb}/{path}`.
    pub method_arn: String,
}

/// The input of a `REQUEST` authorizer of a REST API, an HTTP API with payload format 1.0, or a
/// WebSocket API's `$connect` route. Every map is empty when the event has it as `null` or not
/// at all. [`RequestEvent::kind`] tells the three apart.
///
/// ```
/// use authorizer::event::{AuthorizerEvent, EventKind};
///
/// // A REST API REQUEST event (abridged).
/// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/7",
///     "resource": "/pets/{id}", "path": "/pets/7", "httpMethod": "GET",
///     "headers": {"HeaderAuth1": "headerValue1"},
///     "queryStringParameters": null,
///     "requestContext": {"stage": "prod", "identity": {"sourceIp": "192.0.2.10"}}}"#)?;
/// let AuthorizerEvent::Request(request) = &event else { panic!("another shape") };
/// assert_eq!(request.kind(), EventKind::RestRequest);
/// assert_eq!(request.resource.as_deref(), Some("/pets/{id}"));
/// assert!(request.query_string_parameters.is_empty(), "null reads as empty");
/// # Ok::<(), authorizer::event::EventError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RequestEvent {
    /// The ARN of the method called (`.../{stage}/{verb}/{path}`; WebSocket
    /// `.../{stage}/$connect`).
    pub method_arn: String,
    /// `1.0` for an HTTP API payload format 1.0 event; absent from REST and WebSocket events.
    pub version: Option<String>,
    /// The identity source values joined by commas (`user1,123`); sent by HTTP API payload
    /// format 1.0 only.
    pub identity_source: Option<String>,
    /// The API resource (`/pets/{id}`); absent from WebSocket events.
    pub resource: Option<String>,
    /// The request path without the stage (`/pets/7`); absent from WebSocket events.
    pub path: Option<String>,
    /// The HTTP method; absent from WebSocket events.
    pub http_method: Option<String>,
    /// Headers, one value each, names as the client sent them (REST keeps the client's casing).
    /// A header sent more than once holds one of its values here and all of them in
    /// [`multi_value_headers`](Self::multi_value_headers).
    #[serde(default, deserialize_with = "null_as_default")]
    pub headers: StringMap,
    /// Headers with every value sent under each name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub multi_value_headers: MultiValueMap,
    /// Query string parameters, one value each, decoded.
    #[serde(default, deserialize_with = "null_as_default")]
    pub query_string_parameters: StringMap,
    /// Query string parameters with every value sent under each name.
    #[serde(default, deserialize_with = "null_as_default")]
    pub multi_value_query_string_parameters: MultiValueMap,
    /// Path parameters of the matched resource.
    #[serde(default, deserialize_with = "null_as_default")]
    pub path_parameters: StringMap,
    /// The stage's variables.
    #[serde(default, deserialize_with = "null_as_default")]
    pub stage_variables: StringMap,
    /// The parts of `requestContext` authorizers use.
    #[serde(default, deserialize_with = "null_as_default")]
    pub request_context: RequestContext,
}

/// The parts of a [`RequestEvent`]'s `requestContext` that authorizers use; every field is
/// absent when the event does not carry it.
///
/// ```
/// use authorizer::event::AuthorizerEvent;
///
/// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
///     "requestContext": {"accountId": "123456789012", "apiId": "a1b2c3d4e5",
///                        "stage": "prod", "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"}}"#)?;
/// let AuthorizerEvent::Request(request) = event else { panic!("another shape") };
/// assert_eq!(request.request_context.api_id.as_deref(), Some("a1b2c3d4e5"));
/// assert_eq!(request.request_context.connection_id, None);
/// # Ok::<(), authorizer::event::EventError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RequestContext {
    /// The API owner's account id.
    pub account_id: Option<String>,
    /// The API id.
    pub api_id: Option<String>,
    /// The stage name.
    pub stage: Option<String>,
    /// The request id API Gateway assigned.
    pub request_id: Option<String>,
    /// The resource path (`/pets/{id}`); REST and HTTP API 1.0.
    pub resource_path: Option<String>,
    /// The HTTP method; REST and HTTP API 1.0.
    pub http_method: Option<String>,
    /// The route key: `$connect` for WebSocket.
    pub route_key: Option<String>,
    /// `CONNECT` for a WebSocket `$connect` event.
    pub event_type: Option<String>,
    /// The WebSocket connection id.
    pub connection_id: Option<String>,
    /// The domain name the client called.
    pub domain_name: Option<String>,
    /// Who called.
    #[serde(default, deserialize_with = "null_as_default")]
    pub identity: RequestIdentity,
}

/// The parts of `requestContext.identity` that authorizers use.
///
/// ```
/// use authorizer::event::AuthorizerEvent;
///
/// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
///     "requestContext": {"identity": {"sourceIp": "192.0.2.10", "userAgent": "curl/8.5.0"}}}"#)?;
/// let AuthorizerEvent::Request(request) = event else { panic!("another shape") };
/// let identity = &request.request_context.identity;
/// assert_eq!(identity.source_ip.as_deref(), Some("192.0.2.10"));
/// assert_eq!(identity.user_agent.as_deref(), Some("curl/8.5.0"));
/// # Ok::<(), authorizer::event::EventError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RequestIdentity {
    /// The caller's address as API Gateway saw it (in the console's test invoke, the text
    /// `test-invoke-source-ip`, not an address).
    pub source_ip: Option<String>,
    /// The caller's `User-Agent`.
    pub user_agent: Option<String>,
}

/// The input of an HTTP API `REQUEST` authorizer with payload format 2.0. Every map and list is
/// empty when the event has it as `null` or not at all.
///
/// ```
/// use authorizer::event::AuthorizerEvent;
///
/// let event = AuthorizerEvent::from_slice(br#"{"version": "2.0", "type": "REQUEST",
///     "routeArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/$default/GET/pets",
///     "identitySource": ["user1", "123"], "routeKey": "GET /pets",
///     "rawPath": "/pets", "rawQueryString": "limit=10", "cookies": ["theme=dark"]}"#)?;
/// let AuthorizerEvent::HttpV2(http) = event else { panic!("another shape") };
/// assert_eq!(http.identity_source, Some(vec!["user1".to_owned(), "123".to_owned()]));
/// assert_eq!(http.raw_query_string, "limit=10");
/// assert_eq!(http.type_, "REQUEST");
/// # Ok::<(), authorizer::event::EventError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HttpV2Event {
    /// `2.0`.
    pub version: String,
    /// `REQUEST` (the only type HTTP APIs send; taken as `REQUEST` when absent).
    #[serde(
        rename = "type",
        default = "request_type",
        deserialize_with = "null_as_request_type"
    )]
    pub type_: String,
    /// The ARN of the route called: `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{verb}/{path}`.
    pub route_arn: String,
    /// The values of the authorizer's identity sources, in order; absent when it has none.
    pub identity_source: Option<Vec<String>>,
    /// The route key matched (`GET /pets`, `$default`).
    pub route_key: Option<String>,
    /// The request path as the client sent it.
    #[serde(default, deserialize_with = "null_as_default")]
    pub raw_path: String,
    /// The query string as the client sent it (still percent-encoded), without the `?`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub raw_query_string: String,
    /// The cookies, one `name=value` entry each (the `Cookie` header split on `;`).
    #[serde(default, deserialize_with = "null_as_default")]
    pub cookies: Vec<String>,
    /// Headers; a header sent more than once has its values joined with `,`. API Gateway
    /// lowercases the names of real requests, but test events often do not.
    #[serde(default, deserialize_with = "null_as_default")]
    pub headers: StringMap,
    /// Query string parameters, decoded; a parameter sent more than once has its values
    /// joined with `,`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub query_string_parameters: StringMap,
    /// Path parameters of the matched route.
    #[serde(default, deserialize_with = "null_as_default")]
    pub path_parameters: StringMap,
    /// The stage's variables.
    #[serde(default, deserialize_with = "null_as_default")]
    pub stage_variables: StringMap,
    /// The parts of `requestContext` authorizers use.
    #[serde(default, deserialize_with = "null_as_default")]
    pub request_context: HttpV2RequestContext,
}

/// The parts of an [`HttpV2Event`]'s `requestContext` that authorizers use.
///
/// ```
/// use authorizer::event::AuthorizerEvent;
///
/// let event = AuthorizerEvent::from_slice(br#"{"version": "2.0",
///     "routeArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/$default/GET/pets",
///     "requestContext": {"apiId": "a1b2c3d4e5", "stage": "$default",
///                        "timeEpoch": 1583348638390}}"#)?;
/// let AuthorizerEvent::HttpV2(http) = event else { panic!("another shape") };
/// assert_eq!(http.request_context.stage.as_deref(), Some("$default"));
/// assert_eq!(http.request_context.time_epoch, Some(1_583_348_638_390));
/// # Ok::<(), authorizer::event::EventError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HttpV2RequestContext {
    /// The API owner's account id.
    pub account_id: Option<String>,
    /// The API id.
    pub api_id: Option<String>,
    /// The domain name the client called.
    pub domain_name: Option<String>,
    /// The HTTP request.
    #[serde(default, deserialize_with = "null_as_default")]
    pub http: HttpDescription,
    /// The request id API Gateway assigned.
    pub request_id: Option<String>,
    /// The route key matched (`GET /pets`, `$default`).
    pub route_key: Option<String>,
    /// The stage name (`$default` for the default stage).
    pub stage: Option<String>,
    /// When the request arrived, in milliseconds since the Unix epoch.
    pub time_epoch: Option<i64>,
}

/// `requestContext.http` of an [`HttpV2Event`].
///
/// ```
/// use authorizer::event::AuthorizerEvent;
///
/// let event = AuthorizerEvent::from_slice(br#"{"version": "2.0",
///     "routeArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/$default/POST/pets",
///     "requestContext": {"http": {"method": "POST", "path": "/pets",
///                                 "protocol": "HTTP/1.1", "sourceIp": "192.0.2.10"}}}"#)?;
/// let AuthorizerEvent::HttpV2(http) = event else { panic!("another shape") };
/// assert_eq!(http.request_context.http.method.as_deref(), Some("POST"));
/// assert_eq!(http.request_context.http.protocol.as_deref(), Some("HTTP/1.1"));
/// # Ok::<(), authorizer::event::EventError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct HttpDescription {
    /// The HTTP method.
    pub method: Option<String>,
    /// The request path.
    pub path: Option<String>,
    /// The protocol (`HTTP/1.1`).
    pub protocol: Option<String>,
    /// The caller's address as API Gateway saw it.
    pub source_ip: Option<String>,
    /// The caller's `User-Agent`.
    pub user_agent: Option<String>,
}

/// Reads JSON `null` as the type's default (an empty map, list or string).
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// The `type` of an HTTP API payload 2.0 event that lacks one.
fn request_type() -> String {
    "REQUEST".to_owned()
}

/// Reads `"type": null` as `REQUEST`.
fn null_as_request_type<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_else(request_type))
}

impl<'de> Deserialize<'de> for AuthorizerEvent {
    /// Reads any authorizer event, as [`AuthorizerEvent::from_json`] does (so it can be the
    /// event type of a Lambda handler).
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Self::from_json(&value).map_err(serde::de::Error::custom)
    }
}

impl AuthorizerEvent {
    /// Reads an event from its JSON value, telling the shapes apart by `type` and `version`:
    /// `TOKEN` is [`AuthorizerEvent::Token`]; `version` `2.0` is [`AuthorizerEvent::HttpV2`];
    /// `REQUEST` (with `version` `1.0` or none) is [`AuthorizerEvent::Request`]. A `null`
    /// `type` or `version` counts as absent. Unknown fields are ignored.
    ///
    /// # Errors
    ///
    /// [`EventError`] when the value is not an object, has neither `type` nor `version`, has an
    /// unknown `type` or `version`, or lacks a required field (`methodArn`,
    /// `authorizationToken`, `routeArn`) or has a field of the wrong type — the error then
    /// names the field's path.
    ///
    /// ```
    /// use authorizer::event::{AuthorizerEvent, EventError};
    /// use serde_json::json;
    ///
    /// let event = AuthorizerEvent::from_json(&json!({
    ///     "type": "REQUEST",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
    ///     "headers": {"Authorization": "Bearer abc"},
    ///     "someFieldFromTheFuture": true
    /// }))?;
    /// assert_eq!(event.header("authorization"), Some("Bearer abc"));
    ///
    /// let wrong = AuthorizerEvent::from_json(&json!({"type": "COOKIE"})).unwrap_err();
    /// assert!(matches!(wrong, EventError::UnknownType { .. }));
    /// # Ok::<(), EventError>(())
    /// ```
    pub fn from_json(value: &Value) -> Result<Self, EventError> {
        let Some(object) = value.as_object() else {
            return Err(EventError::NotAnObject {
                found: policy_engine::json::type_name(value),
            });
        };
        let kind = classify(object)?;
        match kind {
            EventKind::RestToken => {
                parse(value, object, kind, &["authorizationToken", "methodArn"]).map(Self::Token)
            }
            EventKind::HttpV2 => {
                parse(value, object, kind, &["version", "routeArn"]).map(Self::HttpV2)
            }
            EventKind::RestRequest | EventKind::WebSocketConnect => {
                parse(value, object, kind, &["methodArn"])
                    .map(|event: RequestEvent| Self::Request(without_foreign_version(event)))
            }
            EventKind::HttpV1 => parse(value, object, kind, &["methodArn"]).map(Self::Request),
        }
    }

    /// Reads an event from JSON text, as [`AuthorizerEvent::from_json`] does.
    ///
    /// # Errors
    ///
    /// [`EventError::NotJson`] when the bytes are not JSON (or nest deeper than 128 levels);
    /// otherwise as [`AuthorizerEvent::from_json`].
    ///
    /// ```
    /// use authorizer::event::{AuthorizerEvent, EventError};
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"type": "TOKEN",
    ///     "authorizationToken": "Bearer abc",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}"#)?;
    /// assert_eq!(event.token(), Some("Bearer abc"));
    ///
    /// let not_json = AuthorizerEvent::from_slice(b"{").unwrap_err();
    /// assert!(matches!(not_json, EventError::NotJson { .. }));
    /// # Ok::<(), EventError>(())
    /// ```
    pub fn from_slice(bytes: &[u8]) -> Result<Self, EventError> {
        let value: Value = serde_json::from_slice(bytes).map_err(|err| EventError::NotJson {
            problem: err.to_string(),
        })?;
        Self::from_json(&value)
    }

    /// Which API and authorizer type sent the event.
    ///
    /// ```
    /// use authorizer::event::{AuthorizerEvent, EventKind};
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"version": "1.0", "type": "REQUEST",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}"#)?;
    /// assert_eq!(event.kind(), EventKind::HttpV1);
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn kind(&self) -> EventKind {
        match self {
            Self::Token(_) => EventKind::RestToken,
            Self::Request(event) => event.kind(),
            Self::HttpV2(_) => EventKind::HttpV2,
        }
    }

    /// The ARN of the method or route called — `methodArn`, or `routeArn` for HTTP API payload
    /// 2.0 — which an IAM policy returned by the authorizer must cover.
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"version": "2.0",
    ///     "routeArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/$default/GET/pets"}"#)?;
    /// assert_eq!(
    ///     event.method_arn(),
    ///     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/$default/GET/pets"
    /// );
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn method_arn(&self) -> &str {
        match self {
            Self::Token(event) => &event.method_arn,
            Self::Request(event) => &event.method_arn,
            Self::HttpV2(event) => &event.route_arn,
        }
    }

    /// The caller's token (`authorizationToken`) of a `TOKEN` event, exactly as sent (with any
    /// `Bearer ` prefix); `None` for every other shape (read their identity sources with
    /// [`header`](Self::header), [`query`](Self::query) and the like).
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"type": "TOKEN",
    ///     "authorizationToken": "Bearer abc",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}"#)?;
    /// assert_eq!(event.token(), Some("Bearer abc"));
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn token(&self) -> Option<&str> {
        match self {
            Self::Token(event) => Some(&event.authorization_token),
            Self::Request(_) | Self::HttpV2(_) => None,
        }
    }

    /// The value of header `name`, matched ignoring ASCII case (REST APIs keep the client's
    /// casing, HTTP APIs lowercase names, and HTTP header names are case-insensitive). An exact
    /// match wins over other casings.
    ///
    /// - REST, HTTP API 1.0 and WebSocket: the `headers` value; when `headers` lacks the name,
    ///   the first value in `multiValueHeaders`. For a header sent more than once `headers`
    ///   holds one of the values; use [`header_values`](Self::header_values) for all of them.
    /// - HTTP API 2.0: the `headers` value as is; a header sent more than once arrives as its
    ///   values joined with `,`, and is returned joined.
    /// - `TOKEN` events carry no headers: always `None`.
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
    ///     "headers": {"Authorization": "Bearer abc"},
    ///     "multiValueHeaders": {"Authorization": ["Bearer abc"], "X-Tenant": ["acme"]}}"#)?;
    /// assert_eq!(event.header("authorization"), Some("Bearer abc"));
    /// assert_eq!(event.header("x-tenant"), Some("acme"), "from multiValueHeaders");
    /// assert_eq!(event.header("Cookie"), None);
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        match self {
            Self::Token(_) => None,
            Self::Request(event) => get_ignoring_case(&event.headers, name)
                .map(String::as_str)
                .or_else(|| {
                    all_ignoring_case(&event.multi_value_headers, name)
                        .into_iter()
                        .flatten()
                        .next()
                        .map(String::as_str)
                }),
            Self::HttpV2(event) => get_ignoring_case(&event.headers, name).map(String::as_str),
        }
    }

    /// Every value of header `name`, matched ignoring ASCII case (values of an exact-case match
    /// first, then of other casings in name order).
    ///
    /// - REST, HTTP API 1.0 and WebSocket: the `multiValueHeaders` values, one per time the
    ///   header was sent, **not** split on commas (`Accept-Encoding: gzip, deflate` is the one
    ///   value `gzip, deflate`); when `multiValueHeaders` lacks the name, the `headers` value
    ///   alone.
    /// - HTTP API 2.0: the event cannot tell a header sent twice from one value that contains a
    ///   comma, so the `headers` value is split on every `,`, each piece trimmed of spaces and
    ///   tabs, and empty pieces dropped (`a, b,,c` gives `a`, `b`, `c`). That is right for the
    ///   comma-separated list headers of RFC 9110 (`Accept`, `X-Forwarded-For`, ...) and wrong
    ///   for headers whose single value contains commas (`Date`, `User-Agent`): read those with
    ///   [`header`](Self::header).
    /// - `TOKEN` events: always empty.
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// // HTTP API 2.0 joins a repeated header with commas; the pieces come back split.
    /// let event = AuthorizerEvent::from_slice(br#"{"version": "2.0",
    ///     "routeArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/$default/GET/pets",
    ///     "headers": {"x-forwarded-for": "198.51.100.7, 192.0.2.10"}}"#)?;
    /// assert_eq!(event.header_values("X-Forwarded-For"), ["198.51.100.7", "192.0.2.10"]);
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn header_values(&self, name: &str) -> Vec<&str> {
        match self {
            Self::Token(_) => Vec::new(),
            Self::Request(event) => {
                let all: Vec<&str> = all_ignoring_case(&event.multi_value_headers, name)
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                if all.is_empty() {
                    all_ignoring_case(&event.headers, name)
                        .into_iter()
                        .map(String::as_str)
                        .collect()
                } else {
                    all
                }
            }
            Self::HttpV2(event) => all_ignoring_case(&event.headers, name)
                .into_iter()
                .flat_map(|value| value.split(','))
                .map(|piece| piece.trim_matches([' ', '\t']))
                .filter(|piece| !piece.is_empty())
                .collect(),
        }
    }

    /// The value of query string parameter `name`, matched case-sensitively as API Gateway
    /// does, decoded.
    ///
    /// - REST, HTTP API 1.0 and WebSocket: the `queryStringParameters` value (for a parameter
    ///   sent more than once, one of its values); when that map lacks the name, the first
    ///   value in `multiValueQueryStringParameters`.
    /// - HTTP API 2.0: the `queryStringParameters` value as is; a parameter sent more than once
    ///   arrives as its values joined with `,`, and is returned joined.
    /// - `TOKEN` events: always `None`.
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
    ///     "queryStringParameters": {"access_token": "abc"}}"#)?;
    /// assert_eq!(event.query("access_token"), Some("abc"));
    /// assert_eq!(event.query("Access_Token"), None, "case-sensitive");
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn query(&self, name: &str) -> Option<&str> {
        match self {
            Self::Token(_) => None,
            Self::Request(event) => event
                .query_string_parameters
                .get(name)
                .or_else(|| {
                    event
                        .multi_value_query_string_parameters
                        .get(name)
                        .and_then(|values| values.first())
                })
                .map(String::as_str),
            Self::HttpV2(event) => event.query_string_parameters.get(name).map(String::as_str),
        }
    }

    /// Every value of query string parameter `name` (case-sensitive), in the order sent.
    ///
    /// - REST, HTTP API 1.0 and WebSocket: the `multiValueQueryStringParameters` values; when
    ///   that map lacks the name, the `queryStringParameters` value alone.
    /// - HTTP API 2.0: when `rawQueryString` holds no `%` and no `+` (so its text is already
    ///   the decoded text), the values of its `name=value` pairs whose name is exactly `name`
    ///   (a pair without `=` has the value `""`) — exact even for values that contain commas.
    ///   Otherwise (or when the raw string has no such pair) the `queryStringParameters` value
    ///   split on every `,`, keeping empty pieces: `?a=x%2Cy` then gives `x` and `y`, because
    ///   the event cannot tell a comma inside a value from the join.
    /// - `TOKEN` events: always empty.
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"version": "2.0",
    ///     "routeArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/$default/GET/pets",
    ///     "rawQueryString": "tag=cat&tag=dog",
    ///     "queryStringParameters": {"tag": "cat,dog"}}"#)?;
    /// assert_eq!(event.query_values("tag"), ["cat", "dog"]);
    /// assert_eq!(event.query("tag"), Some("cat,dog"), "joined, as the event has it");
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn query_values(&self, name: &str) -> Vec<&str> {
        match self {
            Self::Token(_) => Vec::new(),
            Self::Request(event) => match event.multi_value_query_string_parameters.get(name) {
                Some(values) if !values.is_empty() => values.iter().map(String::as_str).collect(),
                _ => event
                    .query_string_parameters
                    .get(name)
                    .map(String::as_str)
                    .into_iter()
                    .collect(),
            },
            Self::HttpV2(event) => {
                let raw = event.raw_query_string.as_str();
                if !raw.contains(['%', '+']) {
                    let from_raw: Vec<&str> = raw
                        .split('&')
                        .filter(|pair| !pair.is_empty())
                        .filter_map(|pair| {
                            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                            (key == name).then_some(value)
                        })
                        .collect();
                    if !from_raw.is_empty() {
                        return from_raw;
                    }
                }
                event
                    .query_string_parameters
                    .get(name)
                    .map(|joined| joined.split(',').collect())
                    .unwrap_or_default()
            }
        }
    }

    /// The value of path parameter `name` (case-sensitive); `None` for `TOKEN` events.
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/7",
    ///     "resource": "/pets/{id}", "pathParameters": {"id": "7"}}"#)?;
    /// assert_eq!(event.path_parameter("id"), Some("7"));
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn path_parameter(&self, name: &str) -> Option<&str> {
        match self {
            Self::Token(_) => None,
            Self::Request(event) => event.path_parameters.get(name).map(String::as_str),
            Self::HttpV2(event) => event.path_parameters.get(name).map(String::as_str),
        }
    }

    /// The value of stage variable `name` (case-sensitive); `None` for `TOKEN` events.
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
    ///     "stageVariables": {"tenant": "acme"}}"#)?;
    /// assert_eq!(event.stage_variable("tenant"), Some("acme"));
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn stage_variable(&self, name: &str) -> Option<&str> {
        match self {
            Self::Token(_) => None,
            Self::Request(event) => event.stage_variables.get(name).map(String::as_str),
            Self::HttpV2(event) => event.stage_variables.get(name).map(String::as_str),
        }
    }

    /// The request's cookies as `(name, value)` pairs, in the order sent, names and values
    /// trimmed of surrounding whitespace but otherwise as sent (no quote removal, no
    /// percent-decoding). A piece without `=` gives the name with an empty value (`cookie1`
    /// gives `("cookie1", "")`); empty pieces and pieces with an empty name are skipped.
    ///
    /// - HTTP API 2.0: the `cookies` list (each entry also split on `;`); when it is empty, a
    ///   `Cookie` header split on `;` and `,` (API Gateway joins repeated headers with `,`,
    ///   which cookie values may not contain).
    /// - REST, HTTP API 1.0 and WebSocket: every `Cookie` header value (see
    ///   [`header_values`](Self::header_values)) split on `;`.
    /// - `TOKEN` events: always empty.
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
    ///     "headers": {"Cookie": "session=abc; theme=dark"}}"#)?;
    /// assert_eq!(event.cookies(), [("session", "abc"), ("theme", "dark")]);
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn cookies(&self) -> Vec<(&str, &str)> {
        match self {
            Self::Token(_) => Vec::new(),
            Self::Request(_) => self
                .header_values("cookie")
                .into_iter()
                .flat_map(|header| cookie_pairs(header, &[';']))
                .collect(),
            Self::HttpV2(event) if !event.cookies.is_empty() => event
                .cookies
                .iter()
                .flat_map(|entry| cookie_pairs(entry, &[';']))
                .collect(),
            Self::HttpV2(_) => self
                .header("cookie")
                .map(|header| cookie_pairs(header, &[';', ',']).collect())
                .unwrap_or_default(),
        }
    }

    /// The value of the first cookie named exactly `name` (see [`cookies`](Self::cookies)).
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"version": "2.0",
    ///     "routeArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/$default/GET/pets",
    ///     "cookies": ["session=abc", "theme=dark"]}"#)?;
    /// assert_eq!(event.cookie("session"), Some("abc"));
    /// assert_eq!(event.cookie("Session"), None);
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies()
            .into_iter()
            .find(|(cookie, _)| *cookie == name)
            .map(|(_, value)| value)
    }

    /// The HTTP method: `httpMethod` (or `requestContext.httpMethod`) for REST and HTTP API
    /// 1.0, `requestContext.http.method` for HTTP API 2.0; `None` for `TOKEN` events (the verb
    /// is in [`method_arn`](Self::method_arn)) and WebSocket events.
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/pets",
    ///     "httpMethod": "POST"}"#)?;
    /// assert_eq!(event.http_method(), Some("POST"));
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn http_method(&self) -> Option<&str> {
        match self {
            Self::Token(_) => None,
            Self::Request(event) => event
                .http_method
                .as_deref()
                .or(event.request_context.http_method.as_deref()),
            Self::HttpV2(event) => event.request_context.http.method.as_deref(),
        }
    }

    /// The request path: `path` (without the stage) for REST and HTTP API 1.0; `rawPath` (or,
    /// when that is empty, `requestContext.http.path`) for HTTP API 2.0; `None` for `TOKEN`
    /// events (the path is in [`method_arn`](Self::method_arn)) and WebSocket events.
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"version": "2.0",
    ///     "routeArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/$default/GET/pets/7",
    ///     "rawPath": "/pets/7"}"#)?;
    /// assert_eq!(event.path(), Some("/pets/7"));
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn path(&self) -> Option<&str> {
        match self {
            Self::Token(_) => None,
            Self::Request(event) => event.path.as_deref(),
            Self::HttpV2(event) => Some(event.raw_path.as_str())
                .filter(|path| !path.is_empty())
                .or(event.request_context.http.path.as_deref()),
        }
    }

    /// The route key: `$connect` for WebSocket (`requestContext.routeKey`), `GET /pets` or
    /// `$default` for HTTP API 2.0 (`routeKey`, else `requestContext.routeKey`), and
    /// `requestContext.routeKey` when an HTTP API 1.0 event has one; `None` for REST events,
    /// which have resources instead (see [`RequestEvent::resource`]).
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/$connect",
    ///     "requestContext": {"routeKey": "$connect", "connectionId": "abc="}}"#)?;
    /// assert_eq!(event.route_key(), Some("$connect"));
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn route_key(&self) -> Option<&str> {
        match self {
            Self::Token(_) => None,
            Self::Request(event) => event.request_context.route_key.as_deref(),
            Self::HttpV2(event) => event
                .route_key
                .as_deref()
                .or(event.request_context.route_key.as_deref()),
        }
    }

    /// The caller's address as API Gateway saw it: `requestContext.identity.sourceIp`, or
    /// `requestContext.http.sourceIp` for HTTP API 2.0; `None` for `TOKEN` events. It is not
    /// always an address (the console's test invoke sends `test-invoke-source-ip`): parse it
    /// before trusting it.
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    /// use std::net::IpAddr;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
    ///     "requestContext": {"identity": {"sourceIp": "192.0.2.10"}}}"#)?;
    /// let ip: Option<IpAddr> = event.source_ip().and_then(|text| text.parse().ok());
    /// assert_eq!(ip, Some(IpAddr::from([192, 0, 2, 10])));
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn source_ip(&self) -> Option<&str> {
        match self {
            Self::Token(_) => None,
            Self::Request(event) => event.request_context.identity.source_ip.as_deref(),
            Self::HttpV2(event) => event.request_context.http.source_ip.as_deref(),
        }
    }

    /// The stage: `requestContext.stage` when the event has it, otherwise the stage segment of
    /// the method ARN (how `TOKEN` events carry it; `*` in the console's test invoke). Note that
    /// an HTTP API's `$default` stage reads as `$default` from `requestContext.stage`.
    ///
    /// ```
    /// use authorizer::event::AuthorizerEvent;
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"type": "TOKEN",
    ///     "authorizationToken": "Bearer abc",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}"#)?;
    /// assert_eq!(event.stage(), Some("prod"), "from the method ARN");
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn stage(&self) -> Option<&str> {
        let from_context = match self {
            Self::Token(_) => None,
            Self::Request(event) => event.request_context.stage.as_deref(),
            Self::HttpV2(event) => event.request_context.stage.as_deref(),
        };
        from_context.or_else(|| arn_stage(self.method_arn()))
    }
}

impl RequestEvent {
    /// Which API sent this `REQUEST` event: HTTP API payload 1.0 when it has a `version`;
    /// otherwise WebSocket `$connect` when its `requestContext` has a `connectionId`, an
    /// `eventType` or the route key `$connect`; otherwise REST.
    ///
    /// ```
    /// use authorizer::event::{AuthorizerEvent, EventKind};
    ///
    /// let event = AuthorizerEvent::from_slice(br#"{"type": "REQUEST",
    ///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/$connect",
    ///     "requestContext": {"routeKey": "$connect", "eventType": "CONNECT"}}"#)?;
    /// let AuthorizerEvent::Request(request) = event else { panic!("not a REQUEST event") };
    /// assert_eq!(request.kind(), EventKind::WebSocketConnect);
    /// # Ok::<(), authorizer::event::EventError>(())
    /// ```
    pub fn kind(&self) -> EventKind {
        let context = &self.request_context;
        classify_request(
            self.version.is_some(),
            context.route_key.as_deref(),
            context.event_type.is_some(),
            context.connection_id.is_some(),
        )
    }
}

/// A REST or WebSocket `REQUEST` event read with a `version` that is not a payload format
/// (see `payload_version`): the value is dropped, so that [`RequestEvent::kind`] agrees.
fn without_foreign_version(mut event: RequestEvent) -> RequestEvent {
    if event
        .version
        .as_deref()
        .is_some_and(|v| !is_payload_version(v))
    {
        event.version = None;
    }
    event
}

/// The rule of [`RequestEvent::kind`], shared with the reading of raw events.
fn classify_request(
    has_version: bool,
    route_key: Option<&str>,
    has_event_type: bool,
    has_connection_id: bool,
) -> EventKind {
    if has_version {
        EventKind::HttpV1
    } else if has_connection_id || has_event_type || route_key == Some("$connect") {
        EventKind::WebSocketConnect
    } else {
        EventKind::RestRequest
    }
}

/// Whether `version` is a payload format version an HTTP API sends (`1.0`, `2.0`).
fn is_payload_version(version: &str) -> bool {
    matches!(version, "1.0" | "2.0")
}

/// The `version` of a raw event that says its payload format. REST `TOKEN` and `REQUEST` events
/// and WebSocket `$connect` events carry none in AWS's documentation, but events captured in the
/// wild may have a `version` of their own (a test harness writes `$LATEST`): when the event has
/// the shape of such an event — `authorizationToken` or `methodArn`, and no `routeArn` — a
/// value that is not a payload format is not one, and is ignored.
fn payload_version<'v>(
    object: &'v Map<String, Value>,
    version: Option<&'v str>,
) -> Option<&'v str> {
    let rest_or_websocket_shape = !object.contains_key("routeArn")
        && (object.contains_key("methodArn") || object.contains_key("authorizationToken"));
    version.filter(|v| is_payload_version(v) || !rest_or_websocket_shape)
}

/// The kind of a raw event, from `type`, `version` and (for `REQUEST`) `requestContext`.
fn classify(object: &Map<String, Value>) -> Result<EventKind, EventError> {
    let event_type = string_field(object, "type")?;
    let version = payload_version(object, string_field(object, "version")?);
    match (event_type, version) {
        (None, None) => Err(EventError::Unrecognized),
        (Some("TOKEN"), None) => Ok(EventKind::RestToken),
        (Some("TOKEN"), Some(version)) => Err(EventError::TokenWithVersion {
            version: shorten(version),
        }),
        (Some(other), _) if other != "REQUEST" => Err(EventError::UnknownType {
            found: shorten(other),
        }),
        (_, Some("2.0")) => Ok(EventKind::HttpV2),
        (_, Some(other)) if other != "1.0" => Err(EventError::UnknownVersion {
            found: shorten(other),
        }),
        (_, version) => {
            // Presence, not type, marks a WebSocket event, so that a wrong-typed marker is
            // reported as a WebSocket field.
            let member = |key: &str| {
                object
                    .get("requestContext")
                    .and_then(|context| context.get(key))
                    .filter(|value| !value.is_null())
            };
            Ok(classify_request(
                version.is_some(),
                member("routeKey").and_then(Value::as_str),
                member("eventType").is_some(),
                member("connectionId").is_some(),
            ))
        }
    }
}

/// The string value of `field`, `None` when absent or `null`.
fn string_field<'v>(
    object: &'v Map<String, Value>,
    field: &'static str,
) -> Result<Option<&'v str>, EventError> {
    match object.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(other) => Err(EventError::NotAString {
            field,
            found: policy_engine::json::type_name(other),
        }),
    }
}

/// Deserializes `value` as `T`; on failure, locates the wrong field for the error.
fn parse<T: DeserializeOwned>(
    value: &Value,
    object: &Map<String, Value>,
    kind: EventKind,
    required: &[&str],
) -> Result<T, EventError> {
    T::deserialize(value).map_err(|err| match locate::<T>(object, required) {
        Some((path, problem)) => EventError::Invalid {
            kind,
            path: Some(path),
            problem,
        },
        None => EventError::Invalid {
            kind,
            path: None,
            problem: err.to_string(),
        },
    })
}

/// One step of a JSON path.
#[derive(Debug, Clone, Copy)]
enum Step<'v> {
    /// A member of an object.
    Key(&'v str),
    /// An element of an array.
    Index(usize),
}

/// How deep [`locate`] follows a wrong value (deeper than any event struct nests).
const MAX_LOCATE_DEPTH: usize = 8;

/// The path of the first value `T` rejects, and why, found by deserializing small probe
/// documents (the `required` fields as empty strings plus the one value at its path) with the
/// same `Deserialize` impl — so the located field can never disagree with the structs. It
/// descends into an object or array only when `T` accepts an empty one there (a map or struct,
/// a list), so it stops at the field whose type is wrong. `None` when no single value is
/// rejected (a required field is missing).
fn locate<T: DeserializeOwned>(
    object: &Map<String, Value>,
    required: &[&str],
) -> Option<(String, String)> {
    let (key, mut node, mut problem) = object.iter().find_map(|(key, value)| {
        probe::<T>(required, &[Step::Key(key)], value.clone())
            .err()
            .map(|problem| (key, value, problem))
    })?;
    let mut steps = vec![Step::Key(key.as_str())];
    for _ in 0..MAX_LOCATE_DEPTH {
        let next = match node {
            Value::Object(members)
                if probe::<T>(required, &steps, Value::Object(Map::new())).is_ok() =>
            {
                members.iter().find_map(|(key, value)| {
                    steps.push(Step::Key(key));
                    let outcome = probe::<T>(required, &steps, value.clone());
                    steps.pop();
                    outcome
                        .err()
                        .map(|problem| (Step::Key(key), value, problem))
                })
            }
            Value::Array(items)
                if probe::<T>(required, &steps, Value::Array(Vec::new())).is_ok() =>
            {
                items.iter().enumerate().find_map(|(index, value)| {
                    steps.push(Step::Index(index));
                    let outcome = probe::<T>(required, &steps, value.clone());
                    steps.pop();
                    outcome
                        .err()
                        .map(|problem| (Step::Index(index), value, problem))
                })
            }
            _ => None,
        };
        let Some((step, value, why)) = next else {
            break;
        };
        steps.push(step);
        node = value;
        problem = why;
    }
    Some((render_path(&steps), problem))
}

/// Deserializes as `T` a document of the `required` fields (empty strings) with `leaf` placed
/// at `steps` (each array step a one-element array).
fn probe<T: DeserializeOwned>(
    required: &[&str],
    steps: &[Step<'_>],
    leaf: Value,
) -> Result<(), String> {
    let mut value = leaf;
    for step in steps.iter().rev() {
        value = match step {
            Step::Key(key) => {
                let mut member = Map::new();
                member.insert((*key).to_owned(), value);
                Value::Object(member)
            }
            Step::Index(_) => Value::Array(vec![value]),
        };
    }
    let mut document: Map<String, Value> = required
        .iter()
        .map(|field| ((*field).to_owned(), Value::String(String::new())))
        .collect();
    if let Value::Object(members) = value {
        document.extend(members);
    }
    T::deserialize(&Value::Object(document))
        .map(drop)
        .map_err(|err| err.to_string())
}

/// `requestContext.identity.sourceIp`, `multiValueHeaders.Accept[1]`.
fn render_path(steps: &[Step<'_>]) -> String {
    let mut out = String::new();
    for step in steps {
        match step {
            Step::Key(key) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&shorten(key));
            }
            Step::Index(index) => {
                out.push('[');
                out.push_str(&index.to_string());
                out.push(']');
            }
        }
    }
    out
}

/// Event text for an error message, cut to 64 characters.
fn shorten(text: &str) -> String {
    const LIMIT: usize = 64;
    if text.chars().count() <= LIMIT {
        text.to_owned()
    } else {
        let mut out: String = text.chars().take(LIMIT).collect();
        out.push('…');
        out
    }
}

/// The value under `name` ignoring ASCII case; an exact match first.
fn get_ignoring_case<'m, V>(map: &'m BTreeMap<String, V>, name: &str) -> Option<&'m V> {
    map.get(name).or_else(|| {
        map.iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value)
    })
}

/// Every value whose key is `name` ignoring ASCII case: the exact match first, then the other
/// casings in key order.
fn all_ignoring_case<'m, V>(map: &'m BTreeMap<String, V>, name: &str) -> Vec<&'m V> {
    map.get(name)
        .into_iter()
        .chain(
            map.iter()
                .filter(|(key, _)| key.as_str() != name && key.eq_ignore_ascii_case(name))
                .map(|(_, value)| value),
        )
        .collect()
}

/// `name=value` pairs of a cookie string split on `separators`.
fn cookie_pairs<'a>(
    text: &'a str,
    separators: &'a [char],
) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
    text.split(separators).filter_map(|piece| {
        let piece = piece.trim();
        let (name, value) = piece
            .split_once('=')
            .map_or((piece, ""), |(name, value)| (name.trim(), value.trim()));
        (!name.is_empty()).then_some((name, value))
    })
}

/// The stage segment of an execute-api ARN (`arn:...:{apiId}/{stage}/...`).
fn arn_stage(arn: &str) -> Option<&str> {
    arn.splitn(6, ':')
        .nth(5)?
        .split('/')
        .nth(1)
        .filter(|stage| !stage.is_empty())
}

#[cfg(test)]
mod tests {

    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    const PY_REQUEST: &str = include_str!(
        "../tests/fixtures/events/powertools-python/apiGatewayAuthorizerRequestEvent.json"
    );
    const PY_TOKEN: &str = include_str!(
        "../tests/fixtures/events/powertools-python/apiGatewayAuthorizerTokenEvent.json"
    );
    const PY_V2: &str =
        include_str!("../tests/fixtures/events/powertools-python/apiGatewayAuthorizerV2Event.json");
    const TS_HTTP: &str = include_str!(
        "../tests/fixtures/events/powertools-typescript/apigw-http-authorizer-request.json"
    );
    const TS_REST_REQUEST: &str = include_str!(
        "../tests/fixtures/events/powertools-typescript/apigw-rest-authorizer-request.json"
    );
    const TS_REST_TOKEN: &str = include_str!(
        "../tests/fixtures/events/powertools-typescript/apigw-rest-authorizer-token.json"
    );
    const TS_WEBSOCKET: &str = include_str!(
        "../tests/fixtures/events/powertools-typescript/apigw-websocket-connectEvent.json"
    );

    const FIXTURES: [(&str, &str, EventKind); 7] = [
        ("python request", PY_REQUEST, EventKind::HttpV1),
        ("python token", PY_TOKEN, EventKind::RestToken),
        ("python v2", PY_V2, EventKind::HttpV2),
        ("typescript http", TS_HTTP, EventKind::HttpV2),
        (
            "typescript rest request",
            TS_REST_REQUEST,
            EventKind::RestRequest,
        ),
        ("typescript rest token", TS_REST_TOKEN, EventKind::RestToken),
        (
            "typescript websocket",
            TS_WEBSOCKET,
            EventKind::WebSocketConnect,
        ),
    ];

    fn event(text: &str) -> AuthorizerEvent {
        AuthorizerEvent::from_slice(text.as_bytes()).unwrap()
    }

    fn error(value: Value) -> EventError {
        AuthorizerEvent::from_json(&value).unwrap_err()
    }

    fn request(event: &AuthorizerEvent) -> &RequestEvent {
        match event {
            AuthorizerEvent::Request(request) => request,
            other => panic!("not a REQUEST event: {other:?}"),
        }
    }

    fn http_v2(event: &AuthorizerEvent) -> &HttpV2Event {
        match event {
            AuthorizerEvent::HttpV2(v2) => v2,
            other => panic!("not an HTTP API 2.0 event: {other:?}"),
        }
    }

    /// A minimal HTTP API 2.0 event with the given extra fields.
    fn v2_with(extra: Value) -> AuthorizerEvent {
        let mut base = json!({
            "version": "2.0",
            "type": "REQUEST",
            "routeArn": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET/pets",
            "routeKey": "GET /pets",
        });
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        AuthorizerEvent::from_json(&base).unwrap()
    }

    /// A minimal REST REQUEST event with the given extra fields.
    fn rest_with(extra: Value) -> AuthorizerEvent {
        let mut base = json!({
            "type": "REQUEST",
            "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/pets",
        });
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        AuthorizerEvent::from_json(&base).unwrap()
    }

    #[test]
    fn every_fixture_parses_into_its_kind() {
        for (name, text, kind) in FIXTURES {
            let parsed = AuthorizerEvent::from_slice(text.as_bytes())
                .unwrap_or_else(|err| panic!("{name}: {err}"));
            assert_eq!(parsed.kind(), kind, "{name}");
            // The serde entry point (what a Lambda runtime uses) agrees.
            let via_serde: AuthorizerEvent = serde_json::from_str(text).unwrap();
            assert_eq!(via_serde, parsed, "{name}");
        }
    }

    #[test]
    fn python_token_fixture() {
        let parsed = event(PY_TOKEN);
        assert_eq!(parsed.token(), Some("allow"));
        assert_eq!(
            parsed.method_arn(),
            "arn:aws:execute-api:us-west-2:123456789012:ymy8tbxw7b/*/GET/"
        );
        // Test invoke: the stage segment of the ARN is `*`.
        assert_eq!(parsed.stage(), Some("*"));
        assert_eq!(parsed.header("authorization"), None);
        assert!(parsed.header_values("authorization").is_empty());
        assert_eq!(parsed.query("x"), None);
        assert!(parsed.query_values("x").is_empty());
        assert!(parsed.cookies().is_empty());
        assert_eq!(parsed.http_method(), None);
        assert_eq!(parsed.path(), None);
        assert_eq!(parsed.route_key(), None);
        assert_eq!(parsed.source_ip(), None);
        assert_eq!(parsed.stage_variable("x"), None);
        assert_eq!(parsed.path_parameter("x"), None);
    }

    #[test]
    fn typescript_token_fixture() {
        let parsed = event(TS_REST_TOKEN);
        let AuthorizerEvent::Token(token) = &parsed else {
            panic!("not a token event");
        };
        assert_eq!(token.authorization_token, "Bearer foo");
        assert_eq!(parsed.token(), Some("Bearer foo"));
        assert_eq!(
            parsed.method_arn(),
            "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/POST/lambda-token"
        );
        assert_eq!(parsed.stage(), Some("prod"));
    }

    #[test]
    fn python_http_v1_fixture() {
        let parsed = event(PY_REQUEST);
        let req = request(&parsed);
        assert_eq!(req.version.as_deref(), Some("1.0"));
        assert_eq!(req.identity_source.as_deref(), Some("user1,123"));
        assert_eq!(req.resource.as_deref(), Some("/request"));
        assert_eq!(
            parsed.method_arn(),
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request"
        );
        assert_eq!(parsed.token(), None);
        assert_eq!(parsed.http_method(), Some("GET"));
        assert_eq!(parsed.path(), Some("/request"));
        assert_eq!(parsed.stage(), Some("test"));
        assert_eq!(parsed.source_ip(), Some("test-invoke-source-ip"));
        assert_eq!(parsed.route_key(), None);
        assert_eq!(parsed.header("HeaderAuth1"), Some("headerValue1"));
        assert_eq!(parsed.header("x-amz-date"), Some("20170718T062915Z"));
        // Only in multiValueHeaders: the first value.
        assert_eq!(parsed.header("header2"), Some("value1"));
        assert_eq!(parsed.header_values("Header2"), vec!["value1", "value2"]);
        assert_eq!(parsed.header("origin"), Some("https://aws.amazon.com"));
        // Only in headers: the single value.
        assert_eq!(parsed.header_values("accept"), vec!["*/*"]);
        assert_eq!(parsed.query("QueryString1"), Some("queryValue1"));
        assert_eq!(
            parsed.query("querystring1"),
            None,
            "query names are case-sensitive"
        );
        assert_eq!(parsed.query_values("QueryString1"), vec!["queryValue1"]);
        assert_eq!(parsed.stage_variable("StageVar1"), Some("stageValue1"));
        assert!(req.path_parameters.is_empty());
        assert!(req.multi_value_query_string_parameters.is_empty());
        let context = &req.request_context;
        assert_eq!(context.account_id.as_deref(), Some("123456789012"));
        assert_eq!(context.api_id.as_deref(), Some("abcdef123"));
        assert_eq!(context.request_id.as_deref(), Some("EXqgWgXxSK4EJug="));
        assert_eq!(context.resource_path.as_deref(), Some("/request"));
        assert_eq!(context.http_method.as_deref(), Some("GET"));
        assert_eq!(
            context.domain_name.as_deref(),
            Some("3npb9j1tlk.execute-api.us-west-1.amazonaws.com")
        );
        assert_eq!(
            context.identity.user_agent.as_deref(),
            Some("PostmanRuntime/7.28.3")
        );
        assert!(parsed.cookies().is_empty());
    }

    #[test]
    fn typescript_rest_request_fixture() {
        let parsed = event(TS_REST_REQUEST);
        let req = request(&parsed);
        assert_eq!(req.version, None);
        assert_eq!(req.identity_source, None);
        assert_eq!(req.resource.as_deref(), Some("/lambda-request"));
        assert_eq!(
            parsed.method_arn(),
            "arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/POST/lambda-request"
        );
        assert_eq!(parsed.http_method(), Some("POST"));
        // The top-level path has no stage (requestContext.path is `/prod/lambda-request`).
        assert_eq!(parsed.path(), Some("/lambda-request"));
        assert_eq!(parsed.stage(), Some("prod"));
        assert_eq!(parsed.source_ip(), Some("15.248.3.126"));
        assert_eq!(parsed.route_key(), None);
        assert_eq!(parsed.header("authorization"), Some("Bearer foo"));
        assert_eq!(parsed.header("AUTHORIZATION"), Some("Bearer foo"));
        assert_eq!(parsed.header("Authorization"), Some("Bearer foo"));
        // REST does not split a single header value on commas.
        assert_eq!(
            parsed.header_values("x-forwarded-for"),
            vec!["15.248.3.126, 130.176.209.37"]
        );
        assert_eq!(
            parsed.header_values("accept-encoding"),
            vec!["gzip, deflate"]
        );
        assert!(req.query_string_parameters.is_empty());
        assert!(req.multi_value_query_string_parameters.is_empty());
        assert!(req.stage_variables.is_empty());
        let context = &req.request_context;
        assert_eq!(context.account_id.as_deref(), Some("123456789012"));
        assert_eq!(context.api_id.as_deref(), Some("puhdx84jy9"));
        assert_eq!(
            context.request_id.as_deref(),
            Some("141d6671-99b4-40ca-9997-7a22f01eac74")
        );
        assert_eq!(context.resource_path.as_deref(), Some("/lambda-request"));
        assert_eq!(context.identity.user_agent.as_deref(), Some("HTTPie/3.2.2"));
        assert_eq!(context.connection_id, None);
    }

    #[test]
    fn typescript_websocket_fixture() {
        let parsed = event(TS_WEBSOCKET);
        let req = request(&parsed);
        assert_eq!(
            parsed.method_arn(),
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/default/$connect"
        );
        assert_eq!(parsed.route_key(), Some("$connect"));
        assert_eq!(req.request_context.event_type.as_deref(), Some("CONNECT"));
        assert_eq!(req.request_context.connection_id.as_deref(), Some("def456"));
        assert_eq!(req.request_context.request_id.as_deref(), Some("abc123"));
        assert_eq!(parsed.stage(), Some("default"));
        assert_eq!(parsed.source_ip(), Some("192.0.2.1"));
        assert_eq!(parsed.http_method(), None);
        assert_eq!(parsed.path(), None);
        assert_eq!(parsed.header("upgrade"), Some("websocket"));
        assert_eq!(parsed.header("Content-Length"), Some("0"));
        assert_eq!(parsed.query("QueryString1"), Some("queryValue1"));
        assert_eq!(parsed.query_values("QueryString1"), vec!["queryValue1"]);
        // pathParameters is absent from the event: empty.
        assert!(req.path_parameters.is_empty());
        assert!(req.stage_variables.is_empty());
    }

    #[test]
    fn python_http_v2_fixture() {
        let parsed = event(PY_V2);
        let v2 = http_v2(&parsed);
        assert_eq!(v2.version, "2.0");
        assert_eq!(v2.type_, "REQUEST");
        assert_eq!(
            parsed.method_arn(),
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test/GET/request"
        );
        assert_eq!(
            v2.identity_source,
            Some(vec!["user1".to_owned(), "123".to_owned()])
        );
        assert_eq!(parsed.route_key(), Some("GET /merchants"));
        // The fixture's method disagrees with its route key; the accessor reports the request.
        assert_eq!(parsed.http_method(), Some("POST"));
        assert_eq!(parsed.path(), Some("/merchants"));
        // requestContext.stage wins over the ARN's `test`.
        assert_eq!(parsed.stage(), Some("$default"));
        assert_eq!(parsed.source_ip(), Some("10.10.10.10"));
        // Mixed-case names in a 2.0 event still match.
        assert_eq!(parsed.header("header1"), Some("value1"));
        assert_eq!(parsed.header("authorization"), Some("value"));
        assert_eq!(
            parsed.header("X-Amzn-Trace-Id"),
            Some("Root=1-611cc4a7-0746ebee281cfd967db97b64")
        );
        assert_eq!(parsed.query("parameter1"), Some("value1,value2"));
        // rawQueryString has no escapes: values come from it.
        assert_eq!(parsed.query_values("parameter1"), vec!["value1", "value2"]);
        assert_eq!(parsed.query_values("parameter2"), vec!["value"]);
        assert!(parsed.query_values("parameter3").is_empty());
        assert_eq!(parsed.path_parameter("parameter1"), Some("value1"));
        assert_eq!(parsed.stage_variable("stageVariable2"), Some("value2"));
        // Cookies without `=`: names with empty values.
        assert_eq!(parsed.cookies(), vec![("cookie1", ""), ("cookie2", "")]);
        let context = &v2.request_context;
        assert_eq!(context.account_id.as_deref(), Some("123456789012"));
        assert_eq!(context.api_id.as_deref(), Some("api-id"));
        assert_eq!(
            context.domain_name.as_deref(),
            Some("id.execute-api.us-east-1.amazonaws.com")
        );
        assert_eq!(context.http.protocol.as_deref(), Some("HTTP/1.1"));
        assert_eq!(context.http.user_agent.as_deref(), Some("agent"));
        assert_eq!(context.request_id.as_deref(), Some("id"));
        assert_eq!(context.time_epoch, Some(1_583_348_638_390));
    }

    #[test]
    fn typescript_http_v2_fixture() {
        let parsed = event(TS_HTTP);
        let v2 = http_v2(&parsed);
        assert_eq!(
            parsed.method_arn(),
            "arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/$default/POST/lambda"
        );
        assert_eq!(v2.identity_source, Some(vec!["Bearer foo".to_owned()]));
        assert_eq!(parsed.route_key(), Some("POST /lambda"));
        assert_eq!(parsed.http_method(), Some("POST"));
        assert_eq!(parsed.path(), Some("/lambda"));
        assert_eq!(parsed.stage(), Some("$default"));
        assert_eq!(parsed.source_ip(), Some("15.248.3.126"));
        assert_eq!(parsed.header("Authorization"), Some("Bearer foo"));
        assert_eq!(parsed.header("accept-encoding"), Some("gzip, deflate"));
        assert_eq!(
            parsed.header_values("accept-encoding"),
            vec!["gzip", "deflate"]
        );
        assert_eq!(v2.raw_query_string, "");
        // cookies, queryStringParameters, pathParameters, stageVariables are absent: empty.
        assert!(v2.cookies.is_empty());
        assert!(v2.query_string_parameters.is_empty());
        assert!(v2.path_parameters.is_empty());
        assert!(v2.stage_variables.is_empty());
        assert!(parsed.cookies().is_empty());
        assert!(parsed.query_values("x").is_empty());
        assert_eq!(v2.request_context.time_epoch, Some(1_718_639_559_080));
        assert_eq!(
            v2.request_context.request_id.as_deref(),
            Some("ZhNHJhhLjoEEPiw=")
        );
    }

    #[test]
    fn header_lookup_ignores_case_and_prefers_the_exact_name() {
        let parsed = rest_with(json!({
            "headers": { "X-Token": "upper", "x-token": "lower", "Accept": "*/*" },
        }));
        assert_eq!(parsed.header("X-Token"), Some("upper"));
        assert_eq!(parsed.header("x-token"), Some("lower"));
        assert_eq!(
            parsed.header("X-TOKEN"),
            Some("upper"),
            "first in name order"
        );
        assert_eq!(parsed.header("ACCEPT"), Some("*/*"));
        assert_eq!(parsed.header("missing"), None);
        assert_eq!(parsed.header_values("x-token"), vec!["lower", "upper"]);
        let v2 = v2_with(json!({ "headers": { "authorization": "Bearer t" } }));
        assert_eq!(v2.header("Authorization"), Some("Bearer t"));
        assert_eq!(v2.header("AUTHORIZATION"), Some("Bearer t"));
    }

    #[test]
    fn multi_value_headers_and_query_strings() {
        let parsed = rest_with(json!({
            "headers": { "Accept": "text/html", "X-Forwarded-For": "198.51.100.1" },
            "multiValueHeaders": {
                "Accept": ["application/json", "text/html"],
                "x-forwarded-for": ["203.0.113.9, 10.0.0.1", "198.51.100.1"],
                "Empty": []
            },
            "queryStringParameters": { "tag": "b" },
            "multiValueQueryStringParameters": { "tag": ["a", "b"], "only-multi": ["x", "y"] }
        }));
        // The single-value map wins for header() and query().
        assert_eq!(parsed.header("accept"), Some("text/html"));
        assert_eq!(
            parsed.header_values("ACCEPT"),
            vec!["application/json", "text/html"]
        );
        assert_eq!(
            parsed.header_values("X-Forwarded-For"),
            vec!["203.0.113.9, 10.0.0.1", "198.51.100.1"]
        );
        assert_eq!(parsed.header("empty"), None);
        assert!(parsed.header_values("empty").is_empty());
        assert_eq!(parsed.query("tag"), Some("b"));
        assert_eq!(parsed.query_values("tag"), vec!["a", "b"]);
        assert_eq!(parsed.query("only-multi"), Some("x"));
        assert_eq!(parsed.query_values("only-multi"), vec!["x", "y"]);
        assert_eq!(parsed.query("TAG"), None);

        let v2 = v2_with(json!({
            "headers": { "accept": "application/json, text/html,, ", "date": "Tue, 15 Nov 1994 08:12:31 GMT" },
            "rawQueryString": "tag=a&tag=b,c&flag&empty=",
            "queryStringParameters": { "tag": "a,b,c", "flag": "", "empty": "" }
        }));
        assert_eq!(v2.header("accept"), Some("application/json, text/html,, "));
        assert_eq!(
            v2.header_values("accept"),
            vec!["application/json", "text/html"]
        );
        assert_eq!(v2.header("date"), Some("Tue, 15 Nov 1994 08:12:31 GMT"));
        assert_eq!(v2.query("tag"), Some("a,b,c"));
        // From rawQueryString: the comma inside the second value is kept.
        assert_eq!(v2.query_values("tag"), vec!["a", "b,c"]);
        assert_eq!(v2.query_values("flag"), vec![""]);
        assert_eq!(v2.query_values("empty"), vec![""]);

        // With escapes, the joined decoded value is split instead.
        let escaped = v2_with(json!({
            "rawQueryString": "q=caf%C3%A9&q=x,y&r=1+2",
            "queryStringParameters": { "q": "café,x,y", "r": "1 2" }
        }));
        assert_eq!(escaped.query_values("q"), vec!["café", "x", "y"]);
        assert_eq!(escaped.query_values("r"), vec!["1 2"]);
        assert_eq!(escaped.query("q"), Some("café,x,y"));
    }

    #[test]
    fn cookies_from_every_shape() {
        let v2 = v2_with(json!({
            "cookies": ["session=abc", " theme = dark ", "flag", "=orphan", "a=b=c", ""],
            "headers": { "cookie": "ignored=1" }
        }));
        assert_eq!(
            v2.cookies(),
            vec![
                ("session", "abc"),
                ("theme", "dark"),
                ("flag", ""),
                ("a", "b=c")
            ]
        );
        assert_eq!(v2.cookie("session"), Some("abc"));
        assert_eq!(v2.cookie("a"), Some("b=c"));
        assert_eq!(v2.cookie("missing"), None);

        let v2_header = v2_with(json!({ "headers": { "cookie": "a=1; b=2,c=3" } }));
        assert_eq!(
            v2_header.cookies(),
            vec![("a", "1"), ("b", "2"), ("c", "3")]
        );

        let rest = rest_with(json!({
            "headers": { "Cookie": "session=abc; theme=\"dark\"" },
            "multiValueHeaders": { "Cookie": ["session=abc; theme=\"dark\"", "late=1"] }
        }));
        assert_eq!(
            rest.cookies(),
            vec![("session", "abc"), ("theme", "\"dark\""), ("late", "1")]
        );
        let v1 = rest_with(json!({
            "version": "1.0",
            "headers": { "cookie": "id=7" }
        }));
        assert_eq!(v1.kind(), EventKind::HttpV1);
        assert_eq!(v1.cookies(), vec![("id", "7")]);
        assert_eq!(v1.cookie("id"), Some("7"));
    }

    #[test]
    fn null_and_absent_maps_read_as_empty() {
        let rest = rest_with(json!({
            "resource": null,
            "headers": null,
            "multiValueHeaders": null,
            "queryStringParameters": null,
            "multiValueQueryStringParameters": null,
            "pathParameters": null,
            "stageVariables": null,
            "requestContext": { "identity": null, "stage": null }
        }));
        let req = request(&rest);
        assert!(req.headers.is_empty());
        assert!(req.multi_value_headers.is_empty());
        assert!(req.query_string_parameters.is_empty());
        assert!(req.multi_value_query_string_parameters.is_empty());
        assert!(req.path_parameters.is_empty());
        assert!(req.stage_variables.is_empty());
        assert_eq!(req.request_context.identity, RequestIdentity::default());
        assert_eq!(rest.header("x"), None);
        assert!(rest.cookies().is_empty());
        // No stage in the context: the ARN's.
        assert_eq!(rest.stage(), Some("prod"));

        let null_context = rest_with(json!({ "requestContext": null }));
        assert_eq!(
            request(&null_context).request_context,
            RequestContext::default()
        );

        let v2 = v2_with(json!({
            "type": null,
            "identitySource": null,
            "rawPath": null,
            "rawQueryString": null,
            "cookies": null,
            "headers": null,
            "queryStringParameters": null,
            "pathParameters": null,
            "stageVariables": null,
            "requestContext": { "http": null }
        }));
        let body = http_v2(&v2);
        assert_eq!(body.type_, "REQUEST");
        assert_eq!(body.identity_source, None);
        assert_eq!(body.raw_path, "");
        assert!(body.cookies.is_empty() && body.headers.is_empty());
        assert_eq!(v2.path(), None);
        assert_eq!(v2.http_method(), None);
        assert_eq!(v2.stage(), Some("$default"), "from the route ARN");

        // A 2.0 event without `type` is still 2.0.
        let untyped = AuthorizerEvent::from_json(&json!({
            "version": "2.0",
            "routeArn": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET/pets"
        }))
        .unwrap();
        assert_eq!(http_v2(&untyped).type_, "REQUEST");
        assert_eq!(untyped.route_key(), None);
    }

    #[test]
    fn websocket_connect_event_from_the_developer_guide() {
        // "Creating a Lambda REQUEST authorizer function" (WebSocket APIs), as printed.
        let parsed = AuthorizerEvent::from_json(&json!({
            "type": "REQUEST",
            "methodArn": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/default/$connect",
            "headers": {
                "Connection": "upgrade",
                "content-length": "0",
                "HeaderAuth1": "headerValue1",
                "Host": "abcdef123.execute-api.us-east-1.amazonaws.com",
                "Sec-WebSocket-Extensions": "permessage-deflate; client_max_window_bits",
                "Sec-WebSocket-Key": "...",
                "Sec-WebSocket-Version": "13",
                "Upgrade": "websocket",
                "X-Amzn-Trace-Id": "...",
                "X-Forwarded-For": "...",
                "X-Forwarded-Port": "443",
                "X-Forwarded-Proto": "https"
            },
            "multiValueHeaders": {
                "Connection": ["upgrade"],
                "content-length": ["0"],
                "HeaderAuth1": ["headerValue1"],
                "Host": ["abcdef123.execute-api.us-east-1.amazonaws.com"],
                "Sec-WebSocket-Extensions": ["permessage-deflate; client_max_window_bits"],
                "Sec-WebSocket-Key": ["..."],
                "Sec-WebSocket-Version": ["13"],
                "Upgrade": ["websocket"],
                "X-Amzn-Trace-Id": ["..."],
                "X-Forwarded-For": ["..."],
                "X-Forwarded-Port": ["443"],
                "X-Forwarded-Proto": ["https"]
            },
            "queryStringParameters": { "QueryString1": "queryValue1" },
            "multiValueQueryStringParameters": { "QueryString1": ["queryValue1"] },
            "stageVariables": {},
            "requestContext": {
                "routeKey": "$connect",
                "eventType": "CONNECT",
                "extendedRequestId": "...",
                "requestTime": "19/Jan/2023:21:13:26 +0000",
                "messageDirection": "IN",
                "stage": "default",
                "connectedAt": 1_674_162_806_344_i64,
                "requestTimeEpoch": 1_674_162_806_345_i64,
                "identity": { "sourceIp": "..." },
                "requestId": "...",
                "domainName": "abcdef123.execute-api.us-east-1.amazonaws.com",
                "connectionId": "...",
                "apiId": "abcdef123"
            }
        }))
        .unwrap();
        assert_eq!(parsed.kind(), EventKind::WebSocketConnect);
        assert_eq!(parsed.route_key(), Some("$connect"));
        assert_eq!(parsed.header("headerauth1"), Some("headerValue1"));
        assert_eq!(parsed.query("QueryString1"), Some("queryValue1"));
        assert_eq!(parsed.stage(), Some("default"));
        assert_eq!(parsed.http_method(), None);
        assert!(parsed.method_arn().ends_with("/$connect"));
        assert_eq!(
            parsed.header_values("Sec-WebSocket-Extensions"),
            vec!["permessage-deflate; client_max_window_bits"]
        );
        let req = request(&parsed);
        assert_eq!(req.request_context.api_id.as_deref(), Some("abcdef123"));
        assert_eq!(req.request_context.connection_id.as_deref(), Some("..."));

        // Any one WebSocket marker is enough.
        for context in [
            json!({ "routeKey": "$connect" }),
            json!({ "eventType": "CONNECT" }),
            json!({ "connectionId": "abc" }),
        ] {
            let marked = rest_with(json!({ "requestContext": context }));
            assert_eq!(marked.kind(), EventKind::WebSocketConnect, "{context}");
        }
    }

    #[test]
    fn http_v1_and_rest_request_are_told_apart_by_version() {
        // The developer guide's REST REQUEST and HTTP API 1.0 examples differ only in
        // `version`, `identitySource` and `authorizationToken`.
        let rest = event(TS_REST_REQUEST);
        let v1 = event(PY_REQUEST);
        assert_eq!(rest.kind(), EventKind::RestRequest);
        assert_eq!(v1.kind(), EventKind::HttpV1);
        assert_eq!(request(&rest).kind(), EventKind::RestRequest);
        assert_eq!(request(&v1).kind(), EventKind::HttpV1);

        let mut same = serde_json::from_str::<Value>(PY_REQUEST).unwrap();
        same.as_object_mut().unwrap().remove("version");
        assert_eq!(
            AuthorizerEvent::from_json(&same).unwrap().kind(),
            EventKind::RestRequest
        );
        // `version` 1.0 without `type` is still an HTTP API 1.0 REQUEST.
        same.as_object_mut().unwrap().remove("type");
        same.as_object_mut()
            .unwrap()
            .insert("version".to_owned(), json!("1.0"));
        assert_eq!(
            AuthorizerEvent::from_json(&same).unwrap().kind(),
            EventKind::HttpV1
        );
        assert_eq!(EventKind::HttpV1.to_string(), "HTTP API payload 1.0");
        assert_eq!(EventKind::RestRequest.to_string(), "REST API REQUEST");
    }

    /// Issue #14: events captured from the wild carry a top-level `version` that is not a
    /// payload format (a test harness writes `$LATEST`). REST and WebSocket REQUEST events (and
    /// TOKEN events) carry no payload version in AWS's documentation, so the shape decides and
    /// the foreign value is ignored; an HTTP API shape (`routeArn`) with one stays an error.
    #[test]
    fn a_version_that_is_not_a_payload_format_is_ignored_on_rest_and_websocket_shapes() {
        for (text, kind) in [
            (TS_REST_REQUEST, EventKind::RestRequest),
            (TS_WEBSOCKET, EventKind::WebSocketConnect),
            (PY_TOKEN, EventKind::RestToken),
        ] {
            let mut captured = serde_json::from_str::<Value>(text).unwrap();
            captured["version"] = json!("$LATEST");
            let parsed =
                AuthorizerEvent::from_json(&captured).unwrap_or_else(|err| panic!("{kind}: {err}"));
            assert_eq!(parsed.kind(), kind);
            if let AuthorizerEvent::Request(request) = &parsed {
                assert_eq!(request.version, None);
                assert_eq!(request.kind(), kind);
            }
            // The serde entry point (a Lambda runtime) agrees.
            assert_eq!(
                serde_json::from_value::<AuthorizerEvent>(captured).unwrap(),
                parsed
            );
        }
        // A payload format version still decides: 1.0 on a REST-looking event is HTTP 1.0.
        let mut v1 = serde_json::from_str::<Value>(TS_REST_REQUEST).unwrap();
        v1["version"] = json!("1.0");
        assert_eq!(
            AuthorizerEvent::from_json(&v1).unwrap().kind(),
            EventKind::HttpV1
        );
        // An HTTP API 2.0 shape with an unknown version is not guessed.
        let mut v3 = serde_json::from_str::<Value>(TS_HTTP).unwrap();
        v3["version"] = json!("3.0");
        assert_eq!(
            AuthorizerEvent::from_json(&v3).unwrap_err().to_string(),
            "unknown payload format `version` `3.0`: expected `1.0` or `2.0`"
        );
    }

    #[test]
    fn garbage_is_an_error_with_a_useful_message() {
        assert_eq!(
            error(json!({})).to_string(),
            "event has neither `type` nor `version`: not an API Gateway authorizer event"
        );
        assert_eq!(
            error(json!([{ "type": "TOKEN" }])).to_string(),
            "event is an array, not a JSON object: not an API Gateway authorizer event"
        );
        assert_eq!(
            error(json!("TOKEN")),
            EventError::NotAnObject { found: "a string" }
        );
        assert_eq!(
            error(Value::Null),
            EventError::NotAnObject { found: "null" }
        );
        assert_eq!(
            error(json!({ "type": "COGNITO" })).to_string(),
            "unknown authorizer event `type` `COGNITO`: expected `TOKEN` or `REQUEST`"
        );
        assert_eq!(
            error(json!({ "type": 7 })).to_string(),
            "event field `type` is a number, expected a string"
        );
        assert_eq!(
            error(json!({ "type": "REQUEST", "version": ["2.0"] })).to_string(),
            "event field `version` is an array, expected a string"
        );
        assert_eq!(
            error(json!({ "type": "REQUEST", "version": "3.0" })).to_string(),
            "unknown payload format `version` `3.0`: expected `1.0` or `2.0`"
        );
        assert_eq!(
            error(json!({ "type": "TOKEN", "version": "2.0" })).to_string(),
            "event has `type` `TOKEN` and `version` `2.0`: HTTP APIs send only `REQUEST` events"
        );
        assert_eq!(
            error(json!({ "type": "TOKEN", "methodArn": "arn" })).to_string(),
            "invalid REST API TOKEN event: missing field `authorizationToken`"
        );
        assert_eq!(
            error(json!({ "type": "REQUEST" })).to_string(),
            "invalid REST API REQUEST event: missing field `methodArn`"
        );
        assert_eq!(
            error(json!({ "version": "2.0", "type": "REQUEST" })).to_string(),
            "invalid HTTP API payload 2.0 event: missing field `routeArn`"
        );
        assert_eq!(
            error(json!({ "type": "TOKEN", "authorizationToken": 5, "methodArn": "arn" })),
            EventError::Invalid {
                kind: EventKind::RestToken,
                path: Some("authorizationToken".to_owned()),
                problem: "invalid type: integer `5`, expected a string".to_owned(),
            }
        );
        assert_eq!(
            error(json!({ "type": "REQUEST", "methodArn": "arn",
                "requestContext": { "identity": { "sourceIp": ["192.0.2.1"] } } }))
            .to_string(),
            "invalid REST API REQUEST event at `requestContext.identity.sourceIp`: \
             invalid type: sequence, expected a string"
        );
        assert_eq!(
            error(json!({ "type": "REQUEST", "methodArn": "arn",
                "multiValueHeaders": { "Accept": ["a", 5] } }))
            .to_string(),
            "invalid REST API REQUEST event at `multiValueHeaders.Accept[1]`: \
             invalid type: integer `5`, expected a string"
        );
        assert_eq!(
            error(json!({ "type": "REQUEST", "methodArn": "arn",
                "headers": { "Host": "h", "X-Bad": { "nested": true } } }))
            .to_string(),
            "invalid REST API REQUEST event at `headers.X-Bad`: \
             invalid type: map, expected a string"
        );
        assert_eq!(
            error(json!({ "type": "REQUEST", "methodArn": "arn",
                "requestContext": { "connectionId": 9 } }))
            .to_string(),
            "invalid WebSocket $connect event at `requestContext.connectionId`: \
             invalid type: integer `9`, expected a string"
        );
        assert_eq!(
            error(json!({ "version": "2.0", "routeArn": "arn",
                "requestContext": { "timeEpoch": "yesterday" } }))
            .to_string(),
            "invalid HTTP API payload 2.0 event at `requestContext.timeEpoch`: \
             invalid type: string \"yesterday\", expected i64"
        );
        assert_eq!(
            error(json!({ "version": "2.0", "routeArn": "arn", "identitySource": "Bearer x" }))
                .to_string(),
            "invalid HTTP API payload 2.0 event at `identitySource`: \
             invalid type: string \"Bearer x\", expected a sequence"
        );
        assert_eq!(
            error(
                json!({ "version": "1.0", "type": "REQUEST", "methodArn": "arn",
                "cookies": 1, "headers": [] })
            )
            .to_string(),
            "invalid HTTP API payload 1.0 event at `headers`: \
             invalid type: sequence, expected a map"
        );
        // Long user input is shortened in messages.
        let long = "X".repeat(500);
        let message = error(json!({ "type": long })).to_string();
        assert!(message.len() < 200, "{message}");
        assert!(message.contains('…'));

        for text in ["", "{", "[1,", "nul", "\"TOKEN\"", "{\"type\":\"TOKEN\",}"] {
            assert!(
                AuthorizerEvent::from_slice(text.as_bytes()).is_err(),
                "{text:?}"
            );
        }
        assert!(matches!(
            AuthorizerEvent::from_slice(b"{\"type\""),
            Err(EventError::NotJson { .. })
        ));
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(matches!(
            AuthorizerEvent::from_slice(deep.as_bytes()),
            Err(EventError::NotJson { .. })
        ));
        // The serde entry point reports the same message.
        let via_serde = serde_json::from_str::<AuthorizerEvent>("{\"type\":\"COGNITO\"}")
            .unwrap_err()
            .to_string();
        assert!(
            via_serde.starts_with("unknown authorizer event `type` `COGNITO`"),
            "{via_serde}"
        );
    }

    /// Every path in `value`, as the error paths render them, with its value.
    fn all_paths(
        value: &Value,
        prefix: &str,
        out: &mut Vec<(Vec<PathPart>, String)>,
        parts: &mut Vec<PathPart>,
    ) {
        match value {
            Value::Object(members) => {
                for (key, member) in members {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    parts.push(PathPart::Key(key.clone()));
                    out.push((parts.clone(), path.clone()));
                    all_paths(member, &path, out, parts);
                    parts.pop();
                }
            }
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    let path = format!("{prefix}[{index}]");
                    parts.push(PathPart::Index(index));
                    out.push((parts.clone(), path.clone()));
                    all_paths(item, &path, out, parts);
                    parts.pop();
                }
            }
            _ => {}
        }
    }

    #[derive(Clone, Debug)]
    enum PathPart {
        Key(String),
        Index(usize),
    }

    fn replace_at(value: &mut Value, parts: &[PathPart], new: Value) {
        let mut node = value;
        for part in parts {
            node = match part {
                PathPart::Key(key) => node.get_mut(key.as_str()).unwrap(),
                PathPart::Index(index) => node.get_mut(*index).unwrap(),
            };
        }
        *node = new;
    }

    #[test]
    fn every_mutated_fixture_fails_at_the_mutated_path_or_parses() {
        let replacements = [
            json!(null),
            json!(true),
            json!(5),
            json!(-1.5),
            json!("text"),
            json!([]),
            json!({}),
            json!([5]),
            json!(["a"]),
            json!({ "k": 5 }),
            json!({ "k": "v" }),
            json!({ "k": ["v"] }),
        ];
        let mut checked = 0;
        for (name, text, _) in FIXTURES {
            let original: Value = serde_json::from_str(text).unwrap();
            let mut paths = Vec::new();
            all_paths(&original, "", &mut paths, &mut Vec::new());
            for (parts, path) in &paths {
                for replacement in &replacements {
                    let mut mutated = original.clone();
                    replace_at(&mut mutated, parts, replacement.clone());
                    checked += 1;
                    let outcome = AuthorizerEvent::from_json(&mutated);
                    if path == "type" || path == "version" {
                        // The event changes shape: any outcome but a panic is right.
                        continue;
                    }
                    match outcome {
                        Ok(_) => {}
                        Err(EventError::Invalid {
                            path: Some(found), ..
                        }) => assert!(
                            found == *path
                                || found.starts_with(&format!("{path}."))
                                || found.starts_with(&format!("{path}[")),
                            "{name}: {path} = {replacement} reported at {found}"
                        ),
                        Err(EventError::Invalid {
                            path: None,
                            problem,
                            ..
                        }) => {
                            panic!("{name}: {path} = {replacement}: unlocated {problem}")
                        }
                        Err(other) => panic!("{name}: {path} = {replacement}: {other}"),
                    }
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }

    /// Strings that steer arbitrary JSON into the event shapes.
    fn interesting_string() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                "TOKEN",
                "REQUEST",
                "1.0",
                "2.0",
                "$connect",
                "CONNECT",
                "",
                "cookie",
                "a=b; c",
                "x,y",
                "arn:aws:execute-api:r:1:a/s/GET/p",
            ])
            .prop_map(str::to_owned),
            any::<String>(),
        ]
    }

    fn interesting_key() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => prop::sample::select(vec![
                "type", "version", "methodArn", "routeArn", "authorizationToken", "headers",
                "multiValueHeaders", "queryStringParameters", "multiValueQueryStringParameters",
                "pathParameters", "stageVariables", "requestContext", "identity", "sourceIp",
                "http", "routeKey", "eventType", "connectionId", "cookies", "identitySource",
                "rawQueryString", "rawPath", "timeEpoch", "stage", "Cookie",
            ])
            .prop_map(str::to_owned),
            1 => "[a-zA-Z]{0,6}",
        ]
    }

    fn arbitrary_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            interesting_string().prop_map(Value::String),
        ];
        leaf.prop_recursive(5, 96, 8, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((interesting_key(), inner), 0..10)
                    .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    /// Runs every accessor, so none of them can panic on a parsed event either.
    fn exercise(event: &AuthorizerEvent) {
        let _ = (event.kind(), event.method_arn(), event.token());
        for name in ["cookie", "Cookie", "authorization", "tag", "", "a"] {
            let _ = (
                event.header(name),
                event.header_values(name),
                event.query(name),
                event.query_values(name),
                event.stage_variable(name),
                event.path_parameter(name),
                event.cookie(name),
            );
        }
        let _ = (
            event.cookies(),
            event.http_method(),
            event.path(),
            event.route_key(),
            event.source_ip(),
            event.stage(),
        );
    }

    proptest! {
        #[test]
        fn arbitrary_json_never_panics(value in arbitrary_json()) {
            if let Ok(parsed) = AuthorizerEvent::from_json(&value) {
                exercise(&parsed);
            }
        }

        #[test]
        fn arbitrary_fields_on_a_valid_event_never_panic(
            base in 0..FIXTURES.len(),
            fields in prop::collection::vec((interesting_key(), arbitrary_json()), 1..4),
        ) {
            let mut value: Value = serde_json::from_str(FIXTURES[base].1).unwrap();
            let object = value.as_object_mut().unwrap();
            for (key, field) in fields {
                object.insert(key, field);
            }
            match AuthorizerEvent::from_json(&value) {
                Ok(parsed) => exercise(&parsed),
                Err(err) => prop_assert!(!err.to_string().is_empty()),
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
            let _ = AuthorizerEvent::from_slice(&bytes);
        }
    }
}
