//! API Gateway OpenAPI exports read as an access setup: the resource policy, the authorizers
//! and, for every method, how it is authorized.
//!
//! `aws apigateway get-export --export-type oas30|swagger` (REST APIs) and
//! `aws apigatewayv2 export-api` (HTTP APIs) describe an API as OpenAPI 3.0 or Swagger 2.0 with
//! `x-amazon-apigateway-*` extensions. Only what decides access is read:
//! - `x-amazon-apigateway-policy` (an object, or a JSON string): the resource policy, parsed by
//!   [`crate::policy`] with the API's [`ApiRef`] (taken from the policy's own ARNs when not
//!   given) so abbreviated `execute-api:/...` resources expand;
//! - security schemes (`components.securitySchemes` or `securityDefinitions`) carrying
//!   `x-amazon-apigateway-authorizer` (Lambda TOKEN/REQUEST, Cognito user pool, JWT) or
//!   `x-amazon-apigateway-authtype: awsSigv4` (IAM), and plain `apiKey` schemes (API keys);
//! - every operation under `paths`, with its effective `security` (its own, else the
//!   document's, else none) and any `x-amazon-apigateway-auth` override;
//! - whether it is an HTTP API export (`x-amazon-apigateway-importexport-version`) and the
//!   endpoint configuration.
//!
//! Everything else — integrations, models, CORS, gateway responses and the many other
//! extensions — is ignored. What is read is read strictly: a value of the wrong type or out of
//! range, a `security` naming an undefined scheme, or two authorizations on one method is a
//! [`FileError`] naming the file and the JSON path, never a silent default. An unknown key
//! that is a near miss of one this module reads (`x-amazon-apigateway-polcy`,
//! `identitysource`) is an error too: ignoring it would drop a policy or an identity source
//! and could let requests through that the real API refuses.
//!
//! The result, an [`OpenApiSetup`], is what `policy-sim lint` reviews
//! ([`crate::lint::setup::lint_openapi`]) and what a scenario's `"openapi": FILE` takes its
//! resource policy and authorizer settings from ([`crate::scenario`]).
//!
//! ```
//! use policy_engine::openapi::{self, AuthorizerType, MethodAuth};
//!
//! let export = serde_json::json!({
//!   "openapi": "3.0.1",
//!   "info": {"title": "pets"},
//!   "paths": {
//!     "/pets": {"get": {"security": [{"tokenAuth": []}]},
//!               "post": {"security": [{"sigv4": []}]}},
//!     "/health": {"get": {}}
//!   },
//!   "components": {"securitySchemes": {
//!     "tokenAuth": {"type": "apiKey", "name": "Authorization", "in": "header",
//!       "x-amazon-apigateway-authtype": "custom",
//!       "x-amazon-apigateway-authorizer": {"type": "token",
//!         "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets-authorizer/invocations",
//!         "identityValidationExpression": "^Bearer [-_.A-Za-z0-9]+$",
//!         "authorizerResultTtlInSeconds": 300}},
//!     "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
//!       "x-amazon-apigateway-authtype": "awsSigv4"}
//!   }},
//!   "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [{
//!     "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
//!     "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
//!     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
//! });
//! let setup = openapi::parse("pets-export.json", &export, None)?;
//! // The API is taken from the policy's ARN; the policy is compiled for it.
//! assert_eq!(setup.api.as_ref().map(|a| a.api_id.as_str()), Some("a1b2c3d4e5"));
//! assert_eq!(setup.resource_policy.as_ref().map(|p| p.document.statements().len()), Some(1));
//! // Each method's effective authorization.
//! let get = setup.method("GET", "/pets").unwrap();
//! assert_eq!(get.auth, MethodAuth::Authorizer("tokenAuth".into()));
//! assert_eq!(setup.method("POST", "/pets").unwrap().auth, MethodAuth::AwsIam);
//! assert_eq!(setup.method("GET", "/health").unwrap().auth, MethodAuth::None);
//! let authorizer = setup.authorizer("tokenAuth").unwrap();
//! assert_eq!(authorizer.authorizer_type, AuthorizerType::Token);
//! assert_eq!(authorizer.function_account.as_deref(), Some("123456789012"));
//! # Ok::<(), policy_engine::json::FileError>(())
//! ```

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::arn::{ApiRef, ArnParts, is_account_id};
use crate::error::PolicyError;
use crate::flow::{ApiType, EndpointType, IdentitySource};
use crate::json::{self, Fields, FileError, JsonPath};
use crate::policy::{PolicyDocument, PolicyKind};

/// The top-level member holding the resource policy.
///
/// ```
/// use policy_engine::openapi::POLICY_KEY;
/// # let export = serde_json::json!({
/// #   "openapi": "3.0.1",
/// #   "info": {"title": "pets"},
/// #   "paths": {
/// #     "/pets": {"get": {"security": [{"tokenAuth": []}]},
/// #               "post": {"security": [{"sigv4": []}]}},
/// #     "/health": {"get": {}}
/// #   },
/// #   "components": {"securitySchemes": {
/// #     "tokenAuth": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "custom",
/// #       "x-amazon-apigateway-authorizer": {"type": "token",
/// #         "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets-authorizer/invocations",
/// #         "identityValidationExpression": "^Bearer [-_.A-Za-z0-9]+$",
/// #         "authorizerResultTtlInSeconds": 300}},
/// #     "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "awsSigv4"}
/// #   }},
/// #   "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [{
/// #     "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
/// #     "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
/// #     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
/// # });
/// assert_eq!(POLICY_KEY, "x-amazon-apigateway-policy");
/// assert!(export.get(POLICY_KEY).is_some());
/// ```
pub const POLICY_KEY: &str = "x-amazon-apigateway-policy";

const EXTENSION_PREFIX: &str = "x-amazon-apigateway-";
const AUTHORIZER_KEY: &str = "x-amazon-apigateway-authorizer";
const AUTHTYPE_KEY: &str = "x-amazon-apigateway-authtype";
const AUTH_KEY: &str = "x-amazon-apigateway-auth";
const ANY_METHOD_KEY: &str = "x-amazon-apigateway-any-method";
const IMPORTEXPORT_KEY: &str = "x-amazon-apigateway-importexport-version";
const ENDPOINT_KEY: &str = "x-amazon-apigateway-endpoint-configuration";

/// Extensions this module reads (after `x-amazon-apigateway-`): a near miss of one of these
/// is an error.
const READ_EXTENSIONS: [&str; 7] = [
    "policy",
    "authorizer",
    "authtype",
    "auth",
    "any-method",
    "importexport-version",
    "endpoint-configuration",
];

/// Documented extensions this module does not need; never reported as misspellings.
const OTHER_EXTENSIONS: [&str; 13] = [
    "api-key-source",
    "binary-media-types",
    "cors",
    "documentation",
    "endpoint-access-mode",
    "gateway-responses",
    "integration",
    "integrations",
    "minimum-compression-size",
    "request-validator",
    "request-validators",
    "security-policy",
    "tag-value",
];

/// The members of `x-amazon-apigateway-authorizer` (a near miss of one is an error).
const AUTHORIZER_FIELDS: [&str; 10] = [
    "type",
    "authorizerUri",
    "authorizerCredentials",
    "authorizerPayloadFormatVersion",
    "authorizerResultTtlInSeconds",
    "enableSimpleResponses",
    "identitySource",
    "identityValidationExpression",
    "jwtConfiguration",
    "providerARNs",
];

/// OpenAPI operation keys of a path item and the verbs they stand for.
const VERBS: [(&str, &str); 8] = [
    ("get", "GET"),
    ("put", "PUT"),
    ("post", "POST"),
    ("delete", "DELETE"),
    ("options", "OPTIONS"),
    ("head", "HEAD"),
    ("patch", "PATCH"),
    (ANY_METHOD_KEY, "ANY"),
];

/// Path-item members that are not operations API Gateway imports.
const PATH_ITEM_OTHER: [&str; 5] = ["parameters", "summary", "description", "servers", "trace"];

/// Whether `value` looks like an OpenAPI document: an object with an `openapi` or `swagger`
/// string member (how `policy-sim lint` tells an export from a scenario or a policy).
///
/// ```
/// use policy_engine::openapi::is_openapi;
/// use serde_json::json;
///
/// assert!(is_openapi(&json!({"swagger": "2.0", "paths": {}})));
/// assert!(!is_openapi(&json!({"Version": "2012-10-17", "Statement": []})));
/// assert!(!is_openapi(&json!({"openapi": 3})));
/// ```
pub fn is_openapi(value: &Value) -> bool {
    ["openapi", "swagger"]
        .iter()
        .any(|k| matches!(value.get(k), Some(Value::String(_))))
}

/// The OpenAPI dialect of an export: where the security schemes and the endpoint
/// configuration sit.
///
/// ```
/// use policy_engine::openapi::{self, SpecFormat};
/// use serde_json::json;
///
/// let swagger = json!({"swagger": "2.0", "info": {"title": "pets"}, "paths": {}});
/// let setup = openapi::parse("pets-swagger.json", &swagger, None)?;
/// assert_eq!((setup.format, setup.version.as_str()), (SpecFormat::Swagger2, "2.0"));
/// # Ok::<(), policy_engine::json::FileError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SpecFormat {
    /// OpenAPI 3.x (`"openapi": "3.0.1"`): `--export-type oas30` and every HTTP API export.
    OpenApi3,
    /// Swagger 2.0 (`"swagger": "2.0"`): `--export-type swagger`.
    Swagger2,
}

/// An API Gateway OpenAPI export, reduced to what decides access.
///
/// ```
/// use policy_engine::flow::ApiType;
/// use policy_engine::openapi;
/// # let export = serde_json::json!({
/// #   "openapi": "3.0.1",
/// #   "info": {"title": "pets"},
/// #   "paths": {
/// #     "/pets": {"get": {"security": [{"tokenAuth": []}]},
/// #               "post": {"security": [{"sigv4": []}]}},
/// #     "/health": {"get": {}}
/// #   },
/// #   "components": {"securitySchemes": {
/// #     "tokenAuth": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "custom",
/// #       "x-amazon-apigateway-authorizer": {"type": "token",
/// #         "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets-authorizer/invocations",
/// #         "identityValidationExpression": "^Bearer [-_.A-Za-z0-9]+$",
/// #         "authorizerResultTtlInSeconds": 300}},
/// #     "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "awsSigv4"}
/// #   }},
/// #   "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [{
/// #     "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
/// #     "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
/// #     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
/// # });
/// let setup = openapi::parse("pets-export.json", &export, None)?;
/// assert_eq!(setup.api_type, ApiType::Rest); // no importexport-version: a REST export
/// assert_eq!(setup.title.as_deref(), Some("pets"));
/// assert_eq!(setup.authorizers.len(), 1); // `sigv4` is IAM, not an authorizer
/// assert_eq!(setup.methods.len(), 3);
/// # Ok::<(), policy_engine::json::FileError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OpenApiSetup {
    /// The file it came from, as given.
    pub file: String,
    /// OpenAPI 3 or Swagger 2.
    pub format: SpecFormat,
    /// The `openapi` or `swagger` version string, such as `3.0.1`.
    pub version: String,
    /// REST, or HTTP when the export carries `x-amazon-apigateway-importexport-version`.
    pub api_type: ApiType,
    /// `info.title`: the API's name.
    pub title: Option<String>,
    /// `servers[].url` (OpenAPI 3), or `https://{host}{basePath}` (Swagger 2), as written.
    pub servers: Vec<String>,
    /// `x-amazon-apigateway-endpoint-configuration`, if present.
    pub endpoint: Option<EndpointConfiguration>,
    /// The API the policy's abbreviated resources were expanded for: the one given, else the
    /// one named by the policy's first full execute-api ARN; `None` without a policy.
    pub api: Option<ApiRef>,
    /// The resource policy (REST APIs only).
    pub resource_policy: Option<OpenApiPolicy>,
    /// The authorizers, in document order.
    pub authorizers: Vec<OpenApiAuthorizer>,
    /// Every method under `paths`, in document order.
    pub methods: Vec<OpenApiMethod>,
}

impl OpenApiSetup {
    /// The authorizer defined by the security scheme `name`.
    ///
    /// ```
    /// use policy_engine::openapi;
    /// # let export = serde_json::json!({
    /// #   "openapi": "3.0.1",
    /// #   "info": {"title": "pets"},
    /// #   "paths": {
    /// #     "/pets": {"get": {"security": [{"tokenAuth": []}]},
    /// #               "post": {"security": [{"sigv4": []}]}},
    /// #     "/health": {"get": {}}
    /// #   },
    /// #   "components": {"securitySchemes": {
    /// #     "tokenAuth": {"type": "apiKey", "name": "Authorization", "in": "header",
    /// #       "x-amazon-apigateway-authtype": "custom",
    /// #       "x-amazon-apigateway-authorizer": {"type": "token",
    /// #         "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets-authorizer/invocations",
    /// #         "identityValidationExpression": "^Bearer [-_.A-Za-z0-9]+$",
    /// #         "authorizerResultTtlInSeconds": 300}},
    /// #     "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
    /// #       "x-amazon-apigateway-authtype": "awsSigv4"}
    /// #   }},
    /// #   "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [{
    /// #     "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
    /// #     "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
    /// #     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
    /// # });
    /// let setup = openapi::parse("pets-export.json", &export, None)?;
    /// assert!(setup.authorizer("tokenAuth").is_some());
    /// assert!(setup.authorizer("sigv4").is_none());
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn authorizer(&self, name: &str) -> Option<&OpenApiAuthorizer> {
        self.authorizers.iter().find(|a| a.name == name)
    }

    /// The method `verb` (`GET`, ..., `ANY`; any case) on the resource `path` (as written
    /// under `paths`).
    ///
    /// ```
    /// use policy_engine::openapi;
    /// # let export = serde_json::json!({
    /// #   "openapi": "3.0.1",
    /// #   "info": {"title": "pets"},
    /// #   "paths": {
    /// #     "/pets": {"get": {"security": [{"tokenAuth": []}]},
    /// #               "post": {"security": [{"sigv4": []}]}},
    /// #     "/health": {"get": {}}
    /// #   },
    /// #   "components": {"securitySchemes": {
    /// #     "tokenAuth": {"type": "apiKey", "name": "Authorization", "in": "header",
    /// #       "x-amazon-apigateway-authtype": "custom",
    /// #       "x-amazon-apigateway-authorizer": {"type": "token",
    /// #         "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets-authorizer/invocations",
    /// #         "identityValidationExpression": "^Bearer [-_.A-Za-z0-9]+$",
    /// #         "authorizerResultTtlInSeconds": 300}},
    /// #     "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
    /// #       "x-amazon-apigateway-authtype": "awsSigv4"}
    /// #   }},
    /// #   "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [{
    /// #     "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
    /// #     "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
    /// #     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
    /// # });
    /// let setup = openapi::parse("pets-export.json", &export, None)?;
    /// let get = setup.method("get", "/pets").unwrap();
    /// assert_eq!(get.json_path.as_str(), "paths./pets.get");
    /// assert!(setup.method("DELETE", "/pets").is_none());
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn method(&self, verb: &str, path: &str) -> Option<&OpenApiMethod> {
        self.methods
            .iter()
            .find(|m| m.verb.eq_ignore_ascii_case(verb) && m.path == path)
    }
}

/// The resource policy of an export: as written, parsed, and where it sits.
///
/// ```
/// use policy_engine::openapi;
/// use policy_engine::policy::Effect;
/// # let export = serde_json::json!({
/// #   "openapi": "3.0.1",
/// #   "info": {"title": "pets"},
/// #   "paths": {
/// #     "/pets": {"get": {"security": [{"tokenAuth": []}]},
/// #               "post": {"security": [{"sigv4": []}]}},
/// #     "/health": {"get": {}}
/// #   },
/// #   "components": {"securitySchemes": {
/// #     "tokenAuth": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "custom",
/// #       "x-amazon-apigateway-authorizer": {"type": "token",
/// #         "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets-authorizer/invocations",
/// #         "identityValidationExpression": "^Bearer [-_.A-Za-z0-9]+$",
/// #         "authorizerResultTtlInSeconds": 300}},
/// #     "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "awsSigv4"}
/// #   }},
/// #   "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [{
/// #     "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
/// #     "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
/// #     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
/// # });
/// let setup = openapi::parse("pets-export.json", &export, None)?;
/// let policy = setup.resource_policy.unwrap();
/// assert_eq!(policy.path.as_str(), "x-amazon-apigateway-policy");
/// assert!(policy.raw.is_object());
/// assert_eq!(policy.document.statements()[0].effect(), Effect::Deny);
/// # Ok::<(), policy_engine::json::FileError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OpenApiPolicy {
    /// The value as written: an object, or a JSON string holding one.
    pub raw: Value,
    /// The parsed policy, abbreviated resources expanded for [`OpenApiSetup::api`].
    pub document: PolicyDocument,
    /// Its JSON path (`x-amazon-apigateway-policy`).
    pub path: JsonPath,
}

/// `x-amazon-apigateway-endpoint-configuration`: at the top level (Swagger 2) or on a server
/// (OpenAPI 3; the first server that has one).
///
/// ```
/// use policy_engine::flow::EndpointType;
/// use policy_engine::openapi;
/// use serde_json::json;
///
/// let export = json!({
///     "swagger": "2.0",
///     "paths": {},
///     "x-amazon-apigateway-endpoint-configuration": {"vpcEndpointIds": ["vpce-1a2b3c4d"]}
/// });
/// let setup = openapi::parse("private.json", &export, None)?;
/// let endpoint = setup.endpoint.unwrap();
/// assert_eq!(endpoint.vpc_endpoint_ids, ["vpce-1a2b3c4d"]);
/// assert_eq!(endpoint.endpoint_type(), Some(EndpointType::Private));
/// # Ok::<(), policy_engine::json::FileError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct EndpointConfiguration {
    /// Its JSON path.
    pub path: JsonPath,
    /// `types`, when given (exports usually omit it).
    pub types: Vec<EndpointType>,
    /// `vpcEndpointIds`: only private REST APIs have them.
    pub vpc_endpoint_ids: Vec<String>,
    /// `disableExecuteApiEndpoint`: `true` when only custom domain names reach the API.
    pub disable_execute_api_endpoint: Option<bool>,
    /// `ipAddressType` (`ipv4` or `dualstack`), as written.
    pub ip_address_type: Option<String>,
}

impl EndpointConfiguration {
    /// The endpoint type, as far as the export tells: the first of `types`, else private when
    /// VPC endpoints are associated (only private APIs have them), else unknown.
    ///
    /// ```
    /// use policy_engine::flow::EndpointType;
    /// use policy_engine::openapi;
    /// use serde_json::json;
    ///
    /// let export = json!({"openapi": "3.0.1", "paths": {}, "servers": [{
    ///     "url": "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod",
    ///     "x-amazon-apigateway-endpoint-configuration": {"disableExecuteApiEndpoint": true}
    /// }]});
    /// let endpoint = openapi::parse("api.json", &export, None)?.endpoint.unwrap();
    /// assert_eq!(endpoint.disable_execute_api_endpoint, Some(true));
    /// assert_eq!(endpoint.endpoint_type(), None); // regional or edge: the export does not say
    /// # Ok::<(), policy_engine::json::FileError>(())
    /// ```
    pub fn endpoint_type(&self) -> Option<EndpointType> {
        self.types
            .first()
            .copied()
            .or_else(|| (!self.vpc_endpoint_ids.is_empty()).then_some(EndpointType::Private))
    }
}

/// The kind of an authorizer (`x-amazon-apigateway-authorizer.type`).
///
/// ```
/// use policy_engine::openapi::AuthorizerType;
///
/// let kind = AuthorizerType::parse("TOKEN").unwrap();
/// assert_eq!(kind, AuthorizerType::Token);
/// assert_eq!(kind.name(), "token");
/// assert!(kind.is_lambda());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthorizerType {
    /// `token`: a REST Lambda authorizer given one header, the token.
    Token,
    /// `request`: a REST or HTTP API Lambda authorizer given request parameters.
    Request,
    /// `jwt`: an HTTP API JWT authorizer (no Lambda function).
    Jwt,
    /// `cognito_user_pools`: a REST Amazon Cognito user pool authorizer.
    CognitoUserPools,
}

impl AuthorizerType {
    const ALL: [AuthorizerType; 4] = [
        AuthorizerType::Token,
        AuthorizerType::Request,
        AuthorizerType::Jwt,
        AuthorizerType::CognitoUserPools,
    ];

    /// The name an export uses: `token`, `request`, `jwt`, `cognito_user_pools`.
    ///
    /// ```
    /// use policy_engine::openapi::AuthorizerType;
    ///
    /// assert_eq!(AuthorizerType::CognitoUserPools.name(), "cognito_user_pools");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            AuthorizerType::Token => "token",
            AuthorizerType::Request => "request",
            AuthorizerType::Jwt => "jwt",
            AuthorizerType::CognitoUserPools => "cognito_user_pools",
        }
    }

    /// Parse an export's name, ignoring case (`TOKEN` is accepted as API Gateway does).
    ///
    /// ```
    /// use policy_engine::openapi::AuthorizerType;
    ///
    /// assert_eq!(AuthorizerType::parse("request"), Some(AuthorizerType::Request));
    /// assert_eq!(AuthorizerType::parse("JWT"), Some(AuthorizerType::Jwt));
    /// assert_eq!(AuthorizerType::parse("lambda"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(text))
    }

    /// Whether the gateway invokes a Lambda function for it (TOKEN and REQUEST).
    ///
    /// ```
    /// use policy_engine::openapi::AuthorizerType;
    ///
    /// assert!(AuthorizerType::Request.is_lambda());
    /// assert!(!AuthorizerType::Jwt.is_lambda());
    /// ```
    pub fn is_lambda(self) -> bool {
        matches!(self, AuthorizerType::Token | AuthorizerType::Request)
    }
}

/// `authorizerPayloadFormatVersion` of an HTTP API Lambda authorizer: which event the function
/// gets ([`crate::lambda::PayloadFormat`] in the simulator).
///
/// ```
/// use policy_engine::openapi::{self, PayloadFormatVersion};
/// use serde_json::json;
///
/// let export = json!({
///     "openapi": "3.0.1",
///     "x-amazon-apigateway-importexport-version": "1.0",
///     "paths": {"/pets": {"get": {"security": [{"lambdaAuth": []}]}}},
///     "components": {"securitySchemes": {"lambdaAuth": {
///         "type": "apiKey", "name": "Authorization", "in": "header",
///         "x-amazon-apigateway-authorizer": {
///             "type": "request",
///             "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets-authorizer/invocations",
///             "identitySource": "$request.header.Authorization",
///             "authorizerPayloadFormatVersion": "2.0",
///             "enableSimpleResponses": true,
///             "authorizerResultTtlInSeconds": 0
///         }
///     }}}
/// });
/// let setup = openapi::parse("http-api.json", &export, None)?;
/// let authorizer = setup.authorizer("lambdaAuth").unwrap();
/// assert_eq!(authorizer.payload_format_version, Some(PayloadFormatVersion::V2_0));
/// assert_eq!(authorizer.enable_simple_responses, Some(true));
/// # Ok::<(), policy_engine::json::FileError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PayloadFormatVersion {
    /// `1.0`: the REST-like event; the function answers with an IAM policy.
    V1_0,
    /// `2.0`: the HTTP API event; simple (`isAuthorized`) or IAM-policy answers.
    V2_0,
}

/// One identity source of an authorizer: the mapping expression as written and, when the
/// simulator can supply it, its parsed form.
///
/// ```
/// use policy_engine::flow::IdentitySource;
/// use policy_engine::openapi;
/// # let export = serde_json::json!({
/// #   "openapi": "3.0.1",
/// #   "info": {"title": "pets"},
/// #   "paths": {
/// #     "/pets": {"get": {"security": [{"tokenAuth": []}]},
/// #               "post": {"security": [{"sigv4": []}]}},
/// #     "/health": {"get": {}}
/// #   },
/// #   "components": {"securitySchemes": {
/// #     "tokenAuth": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "custom",
/// #       "x-amazon-apigateway-authorizer": {"type": "token",
/// #         "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets-authorizer/invocations",
/// #         "identityValidationExpression": "^Bearer [-_.A-Za-z0-9]+$",
/// #         "authorizerResultTtlInSeconds": 300}},
/// #     "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "awsSigv4"}
/// #   }},
/// #   "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [{
/// #     "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
/// #     "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
/// #     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
/// # });
/// let setup = openapi::parse("pets-export.json", &export, None)?;
/// // A TOKEN authorizer without `identitySource` reads its scheme's header.
/// let source = &setup.authorizer("tokenAuth").unwrap().identity_sources[0];
/// assert_eq!(source.text, "method.request.header.Authorization");
/// assert_eq!(source.parsed, Some(IdentitySource::Header("Authorization".into())));
/// # Ok::<(), policy_engine::json::FileError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenApiIdentitySource {
    /// The expression, such as `method.request.header.Authorization` or
    /// `$request.querystring.tenant` (surrounding spaces removed).
    pub text: String,
    /// The parsed source; `None` for expressions the simulator cannot supply (such as a
    /// `$context` variable other than those in [`crate::flow::CONTEXT_IDENTITY_SOURCES`]).
    pub parsed: Option<IdentitySource>,
}

/// `jwtConfiguration` of a JWT authorizer.
///
/// ```
/// use policy_engine::openapi::{self, AuthorizerType};
/// use serde_json::json;
///
/// let export = json!({
///     "openapi": "3.0.1",
///     "x-amazon-apigateway-importexport-version": "1.0",
///     "paths": {"/pets": {"get": {"security": [{"jwt": ["pets/read"]}]}}},
///     "components": {"securitySchemes": {"jwt": {
///         "type": "oauth2",
///         "flows": {},
///         "x-amazon-apigateway-authorizer": {
///             "type": "jwt",
///             "identitySource": "$request.header.Authorization",
///             "jwtConfiguration": {
///                 "issuer": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_example",
///                 "audience": ["pets-client"]
///             }
///         }
///     }}}
/// });
/// let setup = openapi::parse("http-api.json", &export, None)?;
/// let authorizer = setup.authorizer("jwt").unwrap();
/// assert_eq!(authorizer.authorizer_type, AuthorizerType::Jwt);
/// let jwt = authorizer.jwt.as_ref().unwrap();
/// assert_eq!(jwt.audience, ["pets-client"]);
/// assert_eq!(setup.method("GET", "/pets").unwrap().scopes, ["pets/read"]);
/// # Ok::<(), policy_engine::json::FileError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct JwtConfiguration {
    /// `issuer`; for an `openIdConnect` scheme without one, the gateway discovers it from
    /// `open_id_connect_url`.
    pub issuer: Option<String>,
    /// `audience`: a token's `aud` (or `client_id`) must be one of these.
    pub audience: Vec<String>,
    /// The security scheme's `openIdConnectUrl`, if any.
    pub open_id_connect_url: Option<String>,
}

/// An authorizer: a security scheme carrying `x-amazon-apigateway-authorizer`.
///
/// ```
/// use policy_engine::openapi;
/// # let export = serde_json::json!({
/// #   "openapi": "3.0.1",
/// #   "info": {"title": "pets"},
/// #   "paths": {
/// #     "/pets": {"get": {"security": [{"tokenAuth": []}]},
/// #               "post": {"security": [{"sigv4": []}]}},
/// #     "/health": {"get": {}}
/// #   },
/// #   "components": {"securitySchemes": {
/// #     "tokenAuth": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "custom",
/// #       "x-amazon-apigateway-authorizer": {"type": "token",
/// #         "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets-authorizer/invocations",
/// #         "identityValidationExpression": "^Bearer [-_.A-Za-z0-9]+$",
/// #         "authorizerResultTtlInSeconds": 300}},
/// #     "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "awsSigv4"}
/// #   }},
/// #   "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [{
/// #     "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
/// #     "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
/// #     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
/// # });
/// let setup = openapi::parse("pets-export.json", &export, None)?;
/// let authorizer = setup.authorizer("tokenAuth").unwrap();
/// assert_eq!(authorizer.path.as_str(), "components.securitySchemes.tokenAuth");
/// assert_eq!(authorizer.header_name.as_deref(), Some("Authorization"));
/// assert_eq!(authorizer.result_ttl_seconds, Some(300));
/// assert_eq!(
///     authorizer.function_arn.as_deref(),
///     Some("arn:aws:lambda:us-east-1:123456789012:function:pets-authorizer")
/// );
/// # Ok::<(), policy_engine::json::FileError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct OpenApiAuthorizer {
    /// The security scheme's name, as `security` requirements name it.
    pub name: String,
    /// The security scheme's JSON path.
    pub path: JsonPath,
    /// `type`.
    pub authorizer_type: AuthorizerType,
    /// The scheme's `x-amazon-apigateway-authtype` (`custom`, `cognito_user_pools`, ...): a
    /// free-form label without effect on access.
    pub auth_type: Option<String>,
    /// The scheme's `name` when its `in` is `header`: the token header of a TOKEN authorizer
    /// (for REQUEST authorizers often the placeholder `Unused`).
    pub header_name: Option<String>,
    /// `identitySource`, split at commas, in order. For a TOKEN authorizer without one, the
    /// gateway reads the scheme's header: `method.request.header.{header_name}`.
    pub identity_sources: Vec<OpenApiIdentitySource>,
    /// `identityValidationExpression` (TOKEN): a token must match it or the gateway answers
    /// 401 without invoking the function.
    pub identity_validation_expression: Option<String>,
    /// `authorizerResultTtlInSeconds` (0 to 3600; 0 disables caching). Absent: the gateway's
    /// default (300 seconds for REST APIs).
    pub result_ttl_seconds: Option<u32>,
    /// `enableSimpleResponses` (HTTP API, payload 2.0): the function answers `isAuthorized`.
    pub enable_simple_responses: Option<bool>,
    /// `authorizerPayloadFormatVersion` (HTTP API Lambda authorizers).
    pub payload_format_version: Option<PayloadFormatVersion>,
    /// `authorizerUri`, as written.
    pub authorizer_uri: Option<String>,
    /// The Lambda function ARN inside `authorizerUri`
    /// (`arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/{function}/invocations`).
    pub function_arn: Option<String>,
    /// The function's account, from [`Self::function_arn`], when it is a literal 12-digit id:
    /// an authorizer in another account than the API's is combined by Table B.
    pub function_account: Option<String>,
    /// `authorizerCredentials`: the role the gateway assumes to invoke the function.
    pub authorizer_credentials: Option<String>,
    /// `providerARNs` (Cognito user pool authorizers).
    pub provider_arns: Vec<String>,
    /// `jwtConfiguration` (JWT authorizers).
    pub jwt: Option<JwtConfiguration>,
}

/// How one method is authorized.
///
/// ```
/// use policy_engine::openapi::{self, MethodAuth};
/// # let export = serde_json::json!({
/// #   "openapi": "3.0.1",
/// #   "info": {"title": "pets"},
/// #   "paths": {
/// #     "/pets": {"get": {"security": [{"tokenAuth": []}]},
/// #               "post": {"security": [{"sigv4": []}]}},
/// #     "/health": {"get": {}}
/// #   },
/// #   "components": {"securitySchemes": {
/// #     "tokenAuth": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "custom",
/// #       "x-amazon-apigateway-authorizer": {"type": "token",
/// #         "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets-authorizer/invocations",
/// #         "identityValidationExpression": "^Bearer [-_.A-Za-z0-9]+$",
/// #         "authorizerResultTtlInSeconds": 300}},
/// #     "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "awsSigv4"}
/// #   }},
/// #   "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [{
/// #     "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
/// #     "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
/// #     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
/// # });
/// let setup = openapi::parse("pets-export.json", &export, None)?;
/// let auths: Vec<&MethodAuth> = setup.methods.iter().map(|m| &m.auth).collect();
/// assert_eq!(
///     auths,
///     [&MethodAuth::Authorizer("tokenAuth".into()), &MethodAuth::AwsIam, &MethodAuth::None]
/// );
/// # Ok::<(), policy_engine::json::FileError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MethodAuth {
    /// `NONE`: no `security` (or only API keys), or `x-amazon-apigateway-auth: NONE`.
    None,
    /// `AWS_IAM`: a scheme with `x-amazon-apigateway-authtype: awsSigv4`, or
    /// `x-amazon-apigateway-auth: AWS_IAM`.
    AwsIam,
    /// The authorizer defined by the named security scheme (see
    /// [`OpenApiSetup::authorizer`]).
    Authorizer(String),
}

/// One method (REST) or route (HTTP API) and how it is authorized.
///
/// ```
/// use policy_engine::openapi;
/// # let export = serde_json::json!({
/// #   "openapi": "3.0.1",
/// #   "info": {"title": "pets"},
/// #   "paths": {
/// #     "/pets": {"get": {"security": [{"tokenAuth": []}]},
/// #               "post": {"security": [{"sigv4": []}]}},
/// #     "/health": {"get": {}}
/// #   },
/// #   "components": {"securitySchemes": {
/// #     "tokenAuth": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "custom",
/// #       "x-amazon-apigateway-authorizer": {"type": "token",
/// #         "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets-authorizer/invocations",
/// #         "identityValidationExpression": "^Bearer [-_.A-Za-z0-9]+$",
/// #         "authorizerResultTtlInSeconds": 300}},
/// #     "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "awsSigv4"}
/// #   }},
/// #   "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [{
/// #     "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
/// #     "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
/// #     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
/// # });
/// let setup = openapi::parse("pets-export.json", &export, None)?;
/// let post = &setup.methods[1];
/// assert_eq!((post.verb.as_str(), post.path.as_str()), ("POST", "/pets"));
/// assert!(!post.api_key_required && post.scopes.is_empty());
/// # Ok::<(), policy_engine::json::FileError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpenApiMethod {
    /// The resource path as written under `paths`, such as `/pets/{petId}` or `$default`.
    pub path: String,
    /// `GET`, `PUT`, `POST`, `DELETE`, `OPTIONS`, `HEAD`, `PATCH`, or `ANY`
    /// (`x-amazon-apigateway-any-method`).
    pub verb: String,
    /// The operation's JSON path, such as `paths./pets.get`.
    pub json_path: JsonPath,
    /// The effective authorization.
    pub auth: MethodAuth,
    /// The scopes the `security` requirement lists for the authorizer (Cognito and JWT
    /// authorizers check them).
    pub scopes: Vec<String>,
    /// Whether `security` names an API key scheme (a plain `apiKey` scheme, usually
    /// `api_key`): REST requests then need a valid `x-api-key`.
    pub api_key_required: bool,
}

/// Read and parse an export file (JSON; `aws apigateway get-export` with
/// `--accepts application/json`); `api` as for [`parse`].
///
/// # Errors
///
/// The file cannot be read, is not JSON, or is not a valid export (see [`parse`]).
///
/// ```
/// use policy_engine::openapi;
/// # let export = serde_json::json!({
/// #   "openapi": "3.0.1",
/// #   "info": {"title": "pets"},
/// #   "paths": {
/// #     "/pets": {"get": {"security": [{"tokenAuth": []}]},
/// #               "post": {"security": [{"sigv4": []}]}},
/// #     "/health": {"get": {}}
/// #   },
/// #   "components": {"securitySchemes": {
/// #     "tokenAuth": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "custom",
/// #       "x-amazon-apigateway-authorizer": {"type": "token",
/// #         "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pets-authorizer/invocations",
/// #         "identityValidationExpression": "^Bearer [-_.A-Za-z0-9]+$",
/// #         "authorizerResultTtlInSeconds": 300}},
/// #     "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header",
/// #       "x-amazon-apigateway-authtype": "awsSigv4"}
/// #   }},
/// #   "x-amazon-apigateway-policy": {"Version": "2012-10-17", "Statement": [{
/// #     "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
/// #     "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
/// #     "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}]}
/// # });
/// # let dir = std::env::temp_dir().join(format!("policy-engine-openapi-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// let file = dir.join("pets-export.json");
/// std::fs::write(&file, export.to_string())?;
/// let setup = openapi::load_file(&file, None)?;
/// assert_eq!(setup.file, file.display().to_string());
/// assert!(openapi::load_file(&dir.join("missing.json"), None).is_err());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load_file(path: &Path, api: Option<&ApiRef>) -> Result<OpenApiSetup, FileError> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| FileError::new(&name, None, format!("cannot read the file ({e})")))?;
    let value: Value = crate::json::parse_strict(&text).map_err(|e| {
        FileError::new(
            &name,
            None,
            format!("not valid JSON ({e}): export the API as JSON (`--accepts application/json` or `--output-type JSON`)"),
        )
    })?;
    parse(&name, &value, api)
}

/// Read an export (`file` names it in errors). `api` is the API the export describes; it is
/// needed to expand the resource policy's abbreviated `execute-api:/...` resources. When
/// `None`, it is taken from the policy's first full execute-api ARN; a policy naming none is
/// an error.
///
/// # Errors
///
/// A [`FileError`] naming `file`, the JSON path and the problem: not an OpenAPI 3 or
/// Swagger 2 document, a value of the wrong type, an undefined security scheme, a near miss
/// of an extension this module reads, an invalid resource policy.
///
/// ```
/// use policy_engine::arn::ApiRef;
/// use policy_engine::openapi;
/// use serde_json::json;
///
/// let api = ApiRef {
///     partition: "aws".into(),
///     region: "us-east-1".into(),
///     account_id: "123456789012".into(),
///     api_id: "a1b2c3d4e5".into(),
/// };
/// // An abbreviated resource expands for the API given.
/// let export = json!({"swagger": "2.0", "paths": {}, "x-amazon-apigateway-policy": {
///     "Version": "2012-10-17",
///     "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
///                    "Resource": "execute-api:/*"}]}});
/// let setup = openapi::parse("pets.json", &export, Some(&api))?;
/// assert_eq!(setup.api, Some(api));
///
/// // A misspelled extension is an error, not a silently dropped policy.
/// let typo = json!({"swagger": "2.0", "paths": {}, "x-amazon-apigateway-polcy": {}});
/// let err = openapi::parse("pets.json", &typo, None).unwrap_err();
/// assert_eq!(err.path().map(|p| p.as_str()), Some("x-amazon-apigateway-polcy"));
/// # Ok::<(), policy_engine::json::FileError>(())
/// ```
pub fn parse(file: &str, value: &Value, api: Option<&ApiRef>) -> Result<OpenApiSetup, FileError> {
    Reader { file }.setup(value, api)
}

/// What a security scheme stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SchemeKind {
    Authorizer,
    AwsIam,
    ApiKey,
    /// A scheme API Gateway does not enforce; its OpenAPI `type`.
    Unenforced(String),
}

/// One scheme named by a `security` requirement, with its scopes.
struct Requirement {
    scheme: String,
    scopes: Vec<String>,
    path: JsonPath,
}

/// The authorization a `security` array resolves to.
#[derive(Clone)]
struct Resolved {
    /// The authorization and the JSON path of the requirement that set it.
    auth: Option<(MethodAuth, JsonPath)>,
    scopes: Vec<String>,
    api_key_required: bool,
}

struct Reader<'f> {
    file: &'f str,
}

impl<'f> Reader<'f> {
    fn err(&self, path: &JsonPath, problem: impl Into<String>) -> FileError {
        FileError::new(self.file, Some(path), problem)
    }

    fn setup(&self, value: &Value, api: Option<&ApiRef>) -> Result<OpenApiSetup, FileError> {
        let root = Fields::any(self.file, value, JsonPath::root())?;
        let (format, version) = self.format(&root)?;
        self.check_extensions(&root)?;
        let api_type = match root.string(IMPORTEXPORT_KEY)? {
            Some(_) => ApiType::Http,
            None => ApiType::Rest,
        };
        let title = match root.get("info") {
            None => None,
            Some(info) => Fields::any(self.file, info, root.path().key("info"))?
                .string("title")?
                .map(str::to_owned),
        };
        let (servers, server_endpoint) = self.servers(&root, format)?;
        let endpoint = match root.get(ENDPOINT_KEY) {
            Some(v) => Some(self.endpoint(v, root.path().key(ENDPOINT_KEY))?),
            None => server_endpoint,
        };
        let (authorizers, lookup) = self.schemes(&root, format, api_type)?;
        let global = match root.get("security") {
            Some(v) => {
                Some(self.resolve(&self.security(v, root.path().key("security"))?, &lookup)?)
            }
            None => None,
        };
        let methods = self.paths(&root, global.as_ref(), &lookup)?;
        let (api, resource_policy) = match root.get(POLICY_KEY) {
            None | Some(Value::Null) => (api.cloned(), None),
            Some(raw) => {
                let (api, policy) = self.policy(raw, root.path().key(POLICY_KEY), api, api_type)?;
                (Some(api), Some(policy))
            }
        };
        Ok(OpenApiSetup {
            file: self.file.to_owned(),
            format,
            version,
            api_type,
            title,
            servers,
            endpoint,
            api,
            resource_policy,
            authorizers,
            methods,
        })
    }

    fn format(&self, root: &Fields<'_>) -> Result<(SpecFormat, String), FileError> {
        match (root.string("openapi")?, root.string("swagger")?) {
            (Some(_), Some(_)) => Err(self.err(
                root.path(),
                "the document has both `openapi` and `swagger`: keep the one that matches its layout",
            )),
            (Some(v), None) if v.starts_with("3.") => Ok((SpecFormat::OpenApi3, v.to_owned())),
            (None, Some(v)) if v == "2.0" => Ok((SpecFormat::Swagger2, v.to_owned())),
            (Some(v), None) => Err(self.err(
                &root.path().key("openapi"),
                format!("unsupported OpenAPI version `{v}`: API Gateway exports OpenAPI `3.0.1` or Swagger `2.0`"),
            )),
            (None, Some(v)) => Err(self.err(
                &root.path().key("swagger"),
                format!("unsupported Swagger version `{v}`: API Gateway exports Swagger `2.0` or OpenAPI `3.0.1`"),
            )),
            (None, None) => Err(self.err(
                root.path(),
                "not an OpenAPI document (no `openapi` or `swagger` member): give the output of `aws apigateway get-export` or `aws apigatewayv2 export-api`",
            )),
        }
    }

    /// Report an unknown `x-amazon-apigateway-*` member that is a near miss of one this module
    /// reads; every other unknown extension is ignored.
    fn check_extensions(&self, fields: &Fields<'_>) -> Result<(), FileError> {
        for key in fields.map().keys() {
            let lower = key.to_ascii_lowercase();
            let Some(suffix) = lower.strip_prefix(EXTENSION_PREFIX) else {
                continue;
            };
            let known = |s: &str| READ_EXTENSIONS.contains(&s) || OTHER_EXTENSIONS.contains(&s);
            if key.starts_with(EXTENSION_PREFIX) && known(suffix) {
                continue;
            }
            let all: Vec<&str> = READ_EXTENSIONS
                .iter()
                .chain(OTHER_EXTENSIONS.iter())
                .copied()
                .collect();
            if let Some(s) = json::suggest(suffix, &all)
                && READ_EXTENSIONS.contains(&s)
            {
                return Err(self.err(
                    &fields.path().key(key),
                    format!("unknown extension `{key}`: did you mean `{EXTENSION_PREFIX}{s}`?"),
                ));
            }
        }
        Ok(())
    }

    /// Report a member of `fields` that is not in `known` but a near miss of one of them.
    fn check_near_misses(&self, fields: &Fields<'_>, known: &[&str]) -> Result<(), FileError> {
        for key in fields.map().keys() {
            if known.contains(&key.as_str()) {
                continue;
            }
            if let Some(s) = json::suggest(key, known) {
                return Err(self.err(
                    &fields.path().key(key),
                    format!("unknown field `{key}`: did you mean `{s}`?"),
                ));
            }
        }
        Ok(())
    }

    /// The server URLs, and the first server's endpoint configuration (OpenAPI 3).
    fn servers(
        &self,
        root: &Fields<'_>,
        format: SpecFormat,
    ) -> Result<(Vec<String>, Option<EndpointConfiguration>), FileError> {
        if format == SpecFormat::Swagger2 {
            let servers = match root.string("host")? {
                Some(host) => vec![format!(
                    "https://{host}{}",
                    root.string("basePath")?.unwrap_or_default()
                )],
                None => Vec::new(),
            };
            return Ok((servers, None));
        }
        let Some(value) = root.get("servers") else {
            return Ok((Vec::new(), None));
        };
        let path = root.path().key("servers");
        let Value::Array(items) = value else {
            return Err(self.err(
                &path,
                format!(
                    "expected an array of servers, found {}",
                    json::type_name(value)
                ),
            ));
        };
        let mut urls = Vec::new();
        let mut endpoint = None;
        for (i, item) in items.iter().enumerate() {
            let server = Fields::any(self.file, item, path.index(i))?;
            self.check_extensions(&server)?;
            if let Some(url) = server.string("url")? {
                urls.push(url.to_owned());
            }
            if let Some(v) = server.get(ENDPOINT_KEY) {
                let config = self.endpoint(v, server.path().key(ENDPOINT_KEY))?;
                endpoint.get_or_insert(config);
            }
        }
        Ok((urls, endpoint))
    }

    fn endpoint(&self, value: &Value, path: JsonPath) -> Result<EndpointConfiguration, FileError> {
        let o = Fields::any(self.file, value, path)?;
        self.check_near_misses(
            &o,
            &[
                "types",
                "vpcEndpointIds",
                "disableExecuteApiEndpoint",
                "ipAddressType",
            ],
        )?;
        let types_path = o.path().key("types");
        let types = o
            .strings("types")?
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let at = if matches!(o.get("types"), Some(Value::Array(_))) {
                    types_path.index(i)
                } else {
                    types_path.clone()
                };
                match t.to_ascii_uppercase().as_str() {
                    "PRIVATE" => Ok(EndpointType::Private),
                    "REGIONAL" => Ok(EndpointType::Regional),
                    "EDGE" => Ok(EndpointType::Edge),
                    _ => Err(self.err(
                        &at,
                        format!("unknown endpoint type `{t}`: use `REGIONAL`, `EDGE` or `PRIVATE`"),
                    )),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(EndpointConfiguration {
            types,
            vpc_endpoint_ids: o.strings("vpcEndpointIds")?,
            disable_execute_api_endpoint: o.boolean("disableExecuteApiEndpoint")?,
            ip_address_type: o.string("ipAddressType")?.map(str::to_owned),
            path: o.path().clone(),
        })
    }

    /// The authorizers, and every scheme's kind by name.
    fn schemes(
        &self,
        root: &Fields<'_>,
        format: SpecFormat,
        api_type: ApiType,
    ) -> Result<(Vec<OpenApiAuthorizer>, SchemeLookup), FileError> {
        let (container, path) = match format {
            SpecFormat::OpenApi3 => {
                let components_path = root.path().key("components");
                let schemes = match root.get("components") {
                    Some(c) => {
                        Fields::any(self.file, c, components_path.clone())?.get("securitySchemes")
                    }
                    None => None,
                };
                (schemes, components_path.key("securitySchemes"))
            }
            SpecFormat::Swagger2 => (
                root.get("securityDefinitions"),
                root.path().key("securityDefinitions"),
            ),
        };
        let mut authorizers = Vec::new();
        let mut kinds = HashMap::new();
        let Some(container) = container else {
            return Ok((
                authorizers,
                SchemeLookup {
                    schemes: kinds,
                    defined_at: path,
                },
            ));
        };
        let schemes = Fields::any(self.file, container, path.clone())?;
        for (name, value, scheme_path) in json::members(schemes.map(), schemes.path()) {
            let scheme = Fields::any(self.file, value, scheme_path)?;
            self.check_extensions(&scheme)?;
            let auth_type = scheme.string(AUTHTYPE_KEY)?;
            let kind = if let Some(ext) = scheme.get(AUTHORIZER_KEY) {
                authorizers.push(self.authorizer(name, &scheme, ext, api_type)?);
                SchemeKind::Authorizer
            } else if auth_type.is_some_and(|t| t.eq_ignore_ascii_case("awsSigv4")) {
                SchemeKind::AwsIam
            } else {
                match scheme.string("type")? {
                    Some(t) if t.eq_ignore_ascii_case("apiKey") => SchemeKind::ApiKey,
                    Some(t) => SchemeKind::Unenforced(t.to_owned()),
                    None => SchemeKind::Unenforced(String::new()),
                }
            };
            kinds.insert(name.to_owned(), kind);
        }
        Ok((
            authorizers,
            SchemeLookup {
                schemes: kinds,
                defined_at: path,
            },
        ))
    }

    /// The authorizer of scheme `name`, from its `x-amazon-apigateway-authorizer` `value`.
    fn authorizer(
        &self,
        name: &str,
        scheme: &Fields<'_>,
        value: &Value,
        api_type: ApiType,
    ) -> Result<OpenApiAuthorizer, FileError> {
        let a = Fields::any(self.file, value, scheme.path().key(AUTHORIZER_KEY))?;
        self.check_near_misses(&a, &AUTHORIZER_FIELDS)?;
        let authorizer_type = self.authorizer_type(&a, api_type)?;
        let header_name = match (scheme.string("in")?, scheme.string("name")?) {
            (Some("header"), Some(n)) if !n.is_empty() => Some(n.to_owned()),
            _ => None,
        };
        let identity_sources =
            self.authorizer_sources(name, scheme, &a, authorizer_type, header_name.as_deref())?;

        let payload_format_version = match a.string("authorizerPayloadFormatVersion")? {
            None => None,
            Some("1.0") => Some(PayloadFormatVersion::V1_0),
            Some("2.0") => Some(PayloadFormatVersion::V2_0),
            Some(other) => {
                return Err(self.err(
                    &a.path().key("authorizerPayloadFormatVersion"),
                    format!("unknown payload format version `{other}`: use `1.0` or `2.0`"),
                ));
            }
        };
        let enable_simple_responses = a.boolean("enableSimpleResponses")?;
        if enable_simple_responses == Some(true)
            && payload_format_version != Some(PayloadFormatVersion::V2_0)
        {
            return Err(self.err(
                &a.path().key("enableSimpleResponses"),
                "simple responses need payload format version 2.0: set `authorizerPayloadFormatVersion` to `2.0` or remove `enableSimpleResponses`",
            ));
        }

        let authorizer_uri = a.string("authorizerUri")?.map(str::to_owned);
        let function_arn = authorizer_uri.as_deref().and_then(lambda_function_arn);
        let function_account = function_arn
            .as_deref()
            .and_then(ArnParts::parse)
            .map(|p| p.account)
            .filter(|acct| is_account_id(acct))
            .map(str::to_owned);
        if authorizer_uri.as_deref() == Some("") {
            return Err(self.err(
                &a.path().key("authorizerUri"),
                "`authorizerUri` must not be empty: give the function's `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION-ARN/invocations`",
            ));
        }
        if authorizer_type.is_lambda() && authorizer_uri.is_none() {
            return Err(self.err(
                a.path(),
                format!("authorizer `{name}` has no `authorizerUri`: add its Lambda function's `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION-ARN/invocations`"),
            ));
        }

        let jwt = match a.get("jwtConfiguration") {
            None => None,
            Some(v) => {
                let j = Fields::any(self.file, v, a.path().key("jwtConfiguration"))?;
                self.check_near_misses(&j, &["issuer", "audience"])?;
                Some(JwtConfiguration {
                    issuer: j.string("issuer")?.map(str::to_owned),
                    audience: j.strings("audience")?,
                    open_id_connect_url: scheme.string("openIdConnectUrl")?.map(str::to_owned),
                })
            }
        };
        if authorizer_type == AuthorizerType::Jwt
            && jwt
                .as_ref()
                .is_none_or(|j| j.issuer.is_none() && j.open_id_connect_url.is_none())
        {
            return Err(self.err(
                a.path(),
                format!("`jwt` authorizer `{name}` has no issuer: add `jwtConfiguration.issuer` (or an `openIdConnect` scheme with `openIdConnectUrl`)"),
            ));
        }

        Ok(OpenApiAuthorizer {
            name: name.to_owned(),
            path: scheme.path().clone(),
            authorizer_type,
            auth_type: scheme.string(AUTHTYPE_KEY)?.map(str::to_owned),
            header_name,
            identity_sources,
            identity_validation_expression: a
                .string("identityValidationExpression")?
                .map(str::to_owned),
            result_ttl_seconds: self.ttl(&a)?,
            enable_simple_responses,
            payload_format_version,
            authorizer_uri,
            function_arn,
            function_account,
            authorizer_credentials: a.string("authorizerCredentials")?.map(str::to_owned),
            provider_arns: a.strings("providerARNs")?,
            jwt,
        })
    }

    /// `type`, which must be one the API kind supports.
    fn authorizer_type(
        &self,
        a: &Fields<'_>,
        api_type: ApiType,
    ) -> Result<AuthorizerType, FileError> {
        let type_text = a.required("type")?;
        let authorizer_type = AuthorizerType::parse(type_text).ok_or_else(|| {
            let names: Vec<&str> = AuthorizerType::ALL.iter().map(|t| t.name()).collect();
            let hint = json::suggest(type_text, &names).map_or_else(
                || {
                    "use `token`, `request`, `cognito_user_pools` (REST APIs) or `jwt` (HTTP APIs)"
                        .to_owned()
                },
                |s| format!("did you mean `{s}`?"),
            );
            self.err(
                &a.path().key("type"),
                format!("unknown authorizer type `{type_text}`: {hint}"),
            )
        })?;
        let valid_here = match api_type {
            ApiType::Http => matches!(
                authorizer_type,
                AuthorizerType::Request | AuthorizerType::Jwt
            ),
            ApiType::Rest | ApiType::WebSocket => authorizer_type != AuthorizerType::Jwt,
        };
        if !valid_here {
            let problem = match api_type {
                ApiType::Http => format!(
                    "`{}` authorizers do not exist on HTTP APIs (this export has `{IMPORTEXPORT_KEY}`): use `request` or `jwt`",
                    authorizer_type.name()
                ),
                ApiType::Rest | ApiType::WebSocket => format!(
                    "`jwt` authorizers exist only on HTTP APIs, and this export is a REST API (no `{IMPORTEXPORT_KEY}`): use `token`, `request` or `cognito_user_pools`"
                ),
            };
            return Err(self.err(&a.path().key("type"), problem));
        }
        Ok(authorizer_type)
    }

    /// The identity sources: `identitySource`, or for a TOKEN authorizer without one the
    /// scheme's header; a TOKEN authorizer must read exactly one header.
    fn authorizer_sources(
        &self,
        name: &str,
        scheme: &Fields<'_>,
        a: &Fields<'_>,
        authorizer_type: AuthorizerType,
        header_name: Option<&str>,
    ) -> Result<Vec<OpenApiIdentitySource>, FileError> {
        let sources = match self.identity_sources(a)? {
            Some(sources) => sources,
            None => match (authorizer_type, header_name) {
                (AuthorizerType::Token, Some(h)) => vec![OpenApiIdentitySource {
                    text: format!("method.request.header.{h}"),
                    parsed: Some(IdentitySource::Header(h.to_owned())),
                }],
                (AuthorizerType::Token, None) => {
                    return Err(self.err(
                        scheme.path(),
                        format!("token authorizer `{name}` has no `identitySource` and its scheme names no header: add `\"in\": \"header\", \"name\": \"Authorization\"` or `identitySource: \"method.request.header.Authorization\"`"),
                    ))
                }
                _ => Vec::new(),
            },
        };
        if authorizer_type == AuthorizerType::Token {
            let single_header = matches!(
                sources.as_slice(),
                [OpenApiIdentitySource {
                    parsed: Some(IdentitySource::Header(_)),
                    ..
                }]
            );
            if !single_header {
                return Err(self.err(
                    &a.path().key("identitySource"),
                    "a token authorizer reads exactly one header: write `method.request.header.NAME`",
                ));
            }
        }
        Ok(sources)
    }

    /// `identitySource`: a comma-separated string (as exports write it) or an array of
    /// expressions; `None` when absent.
    fn identity_sources(
        &self,
        a: &Fields<'_>,
    ) -> Result<Option<Vec<OpenApiIdentitySource>>, FileError> {
        let key = "identitySource";
        let path = a.path().key(key);
        let texts: Vec<(String, JsonPath)> = match a.get(key) {
            None => return Ok(None),
            Some(Value::String(s)) => {
                if s.trim().is_empty() {
                    return Ok(Some(Vec::new()));
                }
                s.split(',').map(|t| (t.to_owned(), path.clone())).collect()
            }
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) => Ok((s.clone(), path.index(i))),
                    other => Err(self.err(
                        &path.index(i),
                        format!(
                            "expected a mapping expression, found {}",
                            json::type_name(other)
                        ),
                    )),
                })
                .collect::<Result<_, _>>()?,
            Some(other) => {
                return Err(self.err(
                    &path,
                    format!(
                        "expected a comma-separated string of mapping expressions, found {}",
                        json::type_name(other)
                    ),
                ));
            }
        };
        texts
            .into_iter()
            .map(|(text, at)| {
                let text = text.trim();
                if text.is_empty() {
                    return Err(self.err(
                        &at,
                        "empty identity source: separate mapping expressions such as `method.request.header.Auth, method.request.querystring.name` with single commas",
                    ));
                }
                Ok(OpenApiIdentitySource {
                    text: text.to_owned(),
                    parsed: IdentitySource::parse(text),
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// `authorizerResultTtlInSeconds`: a number, or a string holding one (the extension's
    /// documented type), 0 to 3600.
    fn ttl(&self, a: &Fields<'_>) -> Result<Option<u32>, FileError> {
        let key = "authorizerResultTtlInSeconds";
        let path = a.path().key(key);
        let text = match a.get(key) {
            None => return Ok(None),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) => s.trim().to_owned(),
            Some(other) => {
                return Err(self.err(
                    &path,
                    format!(
                        "expected a number of seconds, found {}",
                        json::type_name(other)
                    ),
                ));
            }
        };
        match text.parse::<u32>() {
            Ok(n) if n <= 3600 => Ok(Some(n)),
            _ => Err(self.err(
                &path,
                format!(
                    "`{text}` is not a cache TTL: give whole seconds from 0 (no caching) to 3600"
                ),
            )),
        }
    }

    /// A `security` array: requirement objects mapping scheme names to scope lists.
    fn security(&self, value: &Value, path: JsonPath) -> Result<Vec<Requirement>, FileError> {
        let Value::Array(items) = value else {
            return Err(self.err(
                &path,
                format!(
                    "expected an array of security requirements such as `[{{\"my-authorizer\": []}}]`, found {}",
                    json::type_name(value)
                ),
            ));
        };
        let mut requirements = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let object = Fields::any(self.file, item, path.index(i))?;
            for (scheme, scopes, at) in json::members(object.map(), object.path()) {
                let Value::Array(scopes) = scopes else {
                    return Err(self.err(
                        &at,
                        format!(
                            "expected an array of scopes (`[]` for none), found {}",
                            json::type_name(scopes)
                        ),
                    ));
                };
                let scopes = scopes
                    .iter()
                    .enumerate()
                    .map(|(j, s)| match s {
                        Value::String(s) => Ok(s.clone()),
                        other => Err(self.err(
                            &at.index(j),
                            format!("expected a scope name, found {}", json::type_name(other)),
                        )),
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                requirements.push(Requirement {
                    scheme: scheme.to_owned(),
                    scopes,
                    path: at,
                });
            }
        }
        Ok(requirements)
    }

    /// What a `security` array means to API Gateway: at most one authorization (IAM or one
    /// authorizer), plus whether an API key is required. Exports list an authorizer and the
    /// API key as separate requirement objects; the gateway enforces both.
    fn resolve(
        &self,
        requirements: &[Requirement],
        lookup: &SchemeLookup,
    ) -> Result<Resolved, FileError> {
        let mut resolved = Resolved {
            auth: None,
            scopes: Vec::new(),
            api_key_required: false,
        };
        for r in requirements {
            let auth = match lookup.kind(&r.scheme) {
                None => {
                    let names: Vec<&str> = lookup.schemes.keys().map(String::as_str).collect();
                    let hint = json::suggest(&r.scheme, &names).map_or_else(
                        || format!("define it under `{}`", lookup.defined_at),
                        |s| format!("did you mean `{s}`?"),
                    );
                    return Err(self.err(
                        &r.path,
                        format!("unknown security scheme `{}`: {hint}", r.scheme),
                    ));
                }
                Some(SchemeKind::ApiKey) => {
                    resolved.api_key_required = true;
                    continue;
                }
                Some(SchemeKind::Unenforced(t)) => {
                    return Err(self.err(
                        &r.path,
                        format!(
                            "security scheme `{}` (type `{t}`) has neither `{AUTHORIZER_KEY}` nor `{AUTHTYPE_KEY}: awsSigv4`, so API Gateway would not enforce it: add one, or remove it from `security`",
                            r.scheme
                        ),
                    ))
                }
                Some(SchemeKind::AwsIam) => MethodAuth::AwsIam,
                Some(SchemeKind::Authorizer) => MethodAuth::Authorizer(r.scheme.clone()),
            };
            match &resolved.auth {
                Some((existing, _)) if *existing != auth => {
                    return Err(self.err(
                        &r.path,
                        format!(
                            "a method takes one authorization in API Gateway, but `security` names both {} and {}: keep one",
                            describe(existing),
                            describe(&auth)
                        ),
                    ))
                }
                _ => {
                    if matches!(auth, MethodAuth::Authorizer(_)) {
                        resolved.scopes.extend(r.scopes.iter().cloned());
                    }
                    resolved.auth = Some((auth, r.path.clone()));
                }
            }
        }
        Ok(resolved)
    }

    fn paths(
        &self,
        root: &Fields<'_>,
        global: Option<&Resolved>,
        lookup: &SchemeLookup,
    ) -> Result<Vec<OpenApiMethod>, FileError> {
        let Some(paths) = root.get("paths") else {
            return Ok(Vec::new());
        };
        let paths = Fields::any(self.file, paths, root.path().key("paths"))?;
        let mut methods = Vec::new();
        for (resource, item, item_path) in json::members(paths.map(), paths.path()) {
            let item = Fields::any(self.file, item, item_path)?;
            self.check_extensions(&item)?;
            for (key, op, op_path) in json::members(item.map(), item.path()) {
                if let Some((_, verb)) = VERBS.iter().find(|(k, _)| *k == key) {
                    methods.push(self.method(resource, verb, op, op_path, global, lookup)?);
                } else if key == "$ref" {
                    return Err(self.err(
                        &op_path,
                        "path item references are not supported: inline the operations (API Gateway exports never use them)",
                    ));
                } else if !key.starts_with("x-") && !PATH_ITEM_OTHER.contains(&key) {
                    let known: Vec<&str> = VERBS.iter().map(|(k, _)| *k).collect();
                    let hint = json::suggest(key, &known).map_or_else(
                        || "use `get`, `put`, `post`, `delete`, `options`, `head`, `patch` or `x-amazon-apigateway-any-method`".to_owned(),
                        |s| format!("did you mean `{s}`?"),
                    );
                    return Err(self.err(&op_path, format!("unknown operation `{key}`: {hint}")));
                }
            }
        }
        Ok(methods)
    }

    fn method(
        &self,
        resource: &str,
        verb: &str,
        value: &Value,
        path: JsonPath,
        global: Option<&Resolved>,
        lookup: &SchemeLookup,
    ) -> Result<OpenApiMethod, FileError> {
        let op = Fields::any(self.file, value, path)?;
        self.check_extensions(&op)?;
        let own = match op.get("security") {
            Some(v) => Some(self.resolve(&self.security(v, op.path().key("security"))?, lookup)?),
            None => None,
        };
        let override_auth = match op.get(AUTH_KEY) {
            None => None,
            Some(v) => {
                let o = Fields::any(self.file, v, op.path().key(AUTH_KEY))?;
                let t = o.required("type")?;
                let auth = match t.to_ascii_uppercase().as_str() {
                    "AWS_IAM" => MethodAuth::AwsIam,
                    "NONE" => MethodAuth::None,
                    _ => {
                        return Err(self.err(
                            &o.path().key("type"),
                            format!("unknown authorization type `{t}`: use `AWS_IAM` or `NONE`"),
                        ));
                    }
                };
                if let Some((from_security, at)) = own.as_ref().and_then(|r| r.auth.as_ref())
                    && *from_security != auth
                {
                    return Err(self.err(
                        at,
                        format!(
                            "`security` names {} but `{AUTH_KEY}` says `{t}`: keep one",
                            describe(from_security)
                        ),
                    ));
                }
                Some(auth)
            }
        };
        let effective = own.or_else(|| global.cloned());
        let (auth, scopes, api_key_required) = match effective {
            Some(r) => (
                r.auth.map_or(MethodAuth::None, |(a, _)| a),
                r.scopes,
                r.api_key_required,
            ),
            None => (MethodAuth::None, Vec::new(), false),
        };
        Ok(OpenApiMethod {
            path: resource.to_owned(),
            verb: verb.to_owned(),
            json_path: op.path().clone(),
            auth: override_auth.unwrap_or(auth),
            scopes,
            api_key_required,
        })
    }

    fn policy(
        &self,
        raw: &Value,
        path: JsonPath,
        api: Option<&ApiRef>,
        api_type: ApiType,
    ) -> Result<(ApiRef, OpenApiPolicy), FileError> {
        if api_type == ApiType::Http {
            return Err(self.err(
                &path,
                format!("`{IMPORTEXPORT_KEY}` marks an HTTP API export, and HTTP APIs have no resource policy: remove one of them"),
            ));
        }
        // As in scenario files: the policy error's own text names the full path.
        let policy_err =
            |e: PolicyError| FileError::new(self.file, None, e.within(&path).to_string());
        let api = match (api, api_from_policy(raw)) {
            (Some(api), _) => api.clone(),
            (None, Some(api)) => api,
            (None, None) => {
                // A policy that is not even a JSON object gets the policy parser's own error.
                if !matches!(decode_policy(raw), Some(Value::Object(_))) {
                    PolicyDocument::from_json(raw, PolicyKind::Resource, None)
                        .map_err(policy_err)?;
                }
                return Err(self.err(
                    &path,
                    "the resource policy names no full `arn:aws:execute-api:...` ARN to take the API's region, account id and API id from, and they are needed to expand `execute-api:/...` resources: give the API's region, account id and API id along with the export",
                ));
            }
        };
        let document =
            PolicyDocument::from_json(raw, PolicyKind::Resource, Some(&api)).map_err(policy_err)?;
        Ok((
            api,
            OpenApiPolicy {
                raw: raw.clone(),
                document,
                path,
            },
        ))
    }
}

/// Security schemes by name, and where they are defined (for hints).
struct SchemeLookup {
    schemes: HashMap<String, SchemeKind>,
    defined_at: JsonPath,
}

impl SchemeLookup {
    fn kind(&self, name: &str) -> Option<&SchemeKind> {
        self.schemes.get(name)
    }
}

/// How an error message names an authorization.
fn describe(auth: &MethodAuth) -> String {
    match auth {
        MethodAuth::None => "no authorization".to_owned(),
        MethodAuth::AwsIam => "IAM (`awsSigv4`)".to_owned(),
        MethodAuth::Authorizer(name) => format!("authorizer `{name}`"),
    }
}

/// The Lambda function ARN in an authorizer URI
/// `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION-ARN/invocations`.
fn lambda_function_arn(uri: &str) -> Option<String> {
    let (_, rest) = uri.split_once("/functions/")?;
    let function = rest.strip_suffix("/invocations")?;
    (!function.is_empty()).then(|| function.to_owned())
}

/// The API named by the first full execute-api ARN in a policy's `Resource` / `NotResource`
/// elements (wildcards in the region, account or API id do not count).
fn api_from_policy(raw: &Value) -> Option<ApiRef> {
    let decoded = decode_policy(raw)?;
    let statements = decoded.get("Statement")?;
    json::one_or_many(statements, &JsonPath::root())
        .into_iter()
        .flat_map(|(s, _)| {
            ["Resource", "NotResource"]
                .into_iter()
                .filter_map(move |k| s.get(k))
        })
        .flat_map(|r| json::one_or_many(r, &JsonPath::root()))
        .filter_map(|(r, _)| r.as_str())
        .find_map(api_from_arn)
}

/// A policy given as a JSON string decoded as the policy parser decodes it: up to three
/// layers, each either JSON text or JSON text whose quotes are escaped once (`{\"Version\"`).
fn decode_policy(raw: &Value) -> Option<Value> {
    let mut value = raw.clone();
    for _ in 0..3 {
        let Value::String(text) = &value else {
            return Some(value);
        };
        value = crate::json::parse_strict(text)
            .or_else(|_| {
                serde_json::from_str::<String>(&format!("\"{text}\""))
                    .and_then(|unescaped| crate::json::parse_strict(&unescaped))
            })
            .ok()?;
    }
    (!value.is_string()).then_some(value)
}

fn api_from_arn(text: &str) -> Option<ApiRef> {
    let parts = ArnParts::parse(text)?;
    let api_id = parts.resource.split('/').next()?;
    let literal = |s: &str| !s.is_empty() && !s.contains(['*', '?', '$']);
    (parts.service == "execute-api"
        && literal(parts.partition)
        && literal(parts.region)
        && is_account_id(parts.account)
        && literal(api_id))
    .then(|| ApiRef {
        partition: parts.partition.to_owned(),
        region: parts.region.to_owned(),
        account_id: parts.account.to_owned(),
        api_id: api_id.to_owned(),
    })
}

#[cfg(test)]
mod tests;
