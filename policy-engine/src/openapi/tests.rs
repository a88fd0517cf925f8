// Unit tests of `openapi.rs`, compiled only under #[cfg(test)] (see `mod tests;` there).
use super::*;
use serde_json::json;

fn fixture(name: &str) -> OpenApiSetup {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/openapi")
        .join(name);
    load_file(&path, None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn api(region: &str, account: &str, id: &str) -> ApiRef {
    ApiRef {
        partition: "aws".into(),
        region: region.into(),
        account_id: account.into(),
        api_id: id.into(),
    }
}

fn test_api() -> ApiRef {
    api("us-east-1", "123456789012", "a1b2c3d4e5")
}

fn header(name: &str) -> Option<IdentitySource> {
    Some(IdentitySource::Header(name.into()))
}

/// An identity source's text and parsed form.
type Source<'a> = (&'a str, Option<IdentitySource>);

fn sources(a: &OpenApiAuthorizer) -> Vec<Source<'_>> {
    a.identity_sources
        .iter()
        .map(|s| (s.text.as_str(), s.parsed.clone()))
        .collect()
}

fn authorizer_named(name: &str) -> MethodAuth {
    MethodAuth::Authorizer(name.into())
}

fn resources(policy: &OpenApiPolicy) -> Vec<Vec<String>> {
    policy
        .document
        .statements()
        .iter()
        .map(|s| {
            s.resources()
                .patterns()
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn openapi_documents_are_recognised() {
    let cases = [
        (json!({"openapi": "3.0.1"}), true),
        (json!({"swagger": "2.0"}), true),
        (json!({"openapi": 3}), false),
        (json!({"Version": "2012-10-17", "Statement": []}), false),
        (json!({"api": {}, "cases": []}), false),
        (json!(["openapi"]), false),
        (json!("openapi"), false),
    ];
    for (value, expected) in cases {
        assert_eq!(is_openapi(&value), expected, "{value}");
    }
}

#[test]
fn a_rest_oas30_export_reads_policy_authorizers_and_endpoint() {
    let s = fixture("rest-oas30.json");
    assert!(s.file.ends_with("rest-oas30.json"));
    assert_eq!(s.format, SpecFormat::OpenApi3);
    assert_eq!(s.version, "3.0.1");
    assert_eq!(s.api_type, ApiType::Rest);
    assert_eq!(s.title.as_deref(), Some("pets-private"));
    assert_eq!(
        s.servers,
        ["https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/{basePath}"]
    );

    let endpoint = s.endpoint.as_ref().unwrap();
    assert_eq!(
        endpoint.path.to_string(),
        "servers[0].x-amazon-apigateway-endpoint-configuration"
    );
    assert_eq!(endpoint.vpc_endpoint_ids, ["vpce-0123456789abcdef0"]);
    assert_eq!(endpoint.disable_execute_api_endpoint, Some(false));
    assert!(endpoint.types.is_empty());
    assert_eq!(endpoint.ip_address_type, None);
    assert_eq!(endpoint.endpoint_type(), Some(EndpointType::Private));

    // The policy is a JSON string, as API Gateway stores it; the API comes from its ARNs.
    assert_eq!(s.api, Some(test_api()));
    let policy = s.resource_policy.as_ref().unwrap();
    assert!(policy.raw.is_string());
    assert_eq!(policy.path.to_string(), "x-amazon-apigateway-policy");
    assert_eq!(policy.document.kind(), PolicyKind::Resource);
    assert_eq!(
        resources(policy),
        [
            ["arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"],
            ["arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"]
        ]
    );
    assert_eq!(policy.document.statements()[1].conditions().len(), 1);

    assert_eq!(
        s.authorizers
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["tokenAuth", "tenantAuth"]
    );
    let token = s.authorizer("tokenAuth").unwrap();
    assert_eq!(
        token.path.to_string(),
        "components.securitySchemes.tokenAuth"
    );
    assert_eq!(token.authorizer_type, AuthorizerType::Token);
    assert_eq!(token.auth_type.as_deref(), Some("custom"));
    assert_eq!(token.header_name.as_deref(), Some("Authorization"));
    // No identitySource: the gateway reads the scheme's header.
    assert_eq!(
        sources(token),
        [(
            "method.request.header.Authorization",
            header("Authorization")
        )]
    );
    assert_eq!(
        token.identity_validation_expression.as_deref(),
        Some("^Bearer [-0-9A-Za-z._~+/]+=*$")
    );
    assert_eq!(token.result_ttl_seconds, Some(300));
    assert_eq!(token.enable_simple_responses, None);
    assert_eq!(token.payload_format_version, None);
    assert_eq!(
        token.function_arn.as_deref(),
        Some("arn:aws:lambda:us-east-1:123456789012:function:token-authorizer")
    );
    assert!(
        token
            .authorizer_uri
            .as_deref()
            .unwrap()
            .starts_with("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/")
    );
    assert_eq!(token.function_account.as_deref(), Some("123456789012"));
    assert_eq!(
        token.authorizer_credentials.as_deref(),
        Some("arn:aws:iam::123456789012:role/apigw-invoke-authorizer")
    );
    assert!(token.provider_arns.is_empty());
    assert_eq!(token.jwt, None);

    let tenant = s.authorizer("tenantAuth").unwrap();
    assert_eq!(tenant.authorizer_type, AuthorizerType::Request);
    assert_eq!(tenant.header_name.as_deref(), Some("Unused"));
    assert_eq!(
        sources(tenant),
        [
            ("method.request.header.X-Tenant-Id", header("X-Tenant-Id")),
            (
                "method.request.querystring.client",
                Some(IdentitySource::Query("client".into()))
            ),
            (
                "context.identity.sourceIp",
                Some(IdentitySource::Context("identity.sourceIp".into()))
            ),
        ]
    );
    assert_eq!(tenant.result_ttl_seconds, Some(0));
    assert_eq!(tenant.identity_validation_expression, None);
    assert_eq!(tenant.authorizer_credentials, None);
    // A function alias after the name; another account than the API's (Table B).
    assert_eq!(
        tenant.function_arn.as_deref(),
        Some("arn:aws:lambda:us-east-1:210987654321:function:tenant-authorizer:live")
    );
    assert_eq!(tenant.function_account.as_deref(), Some("210987654321"));
}

#[test]
fn a_swagger20_export_reads_cognito_stage_variables_and_host() {
    let s = fixture("rest-swagger20.json");
    assert_eq!(s.format, SpecFormat::Swagger2);
    assert_eq!(s.version, "2.0");
    assert_eq!(s.api_type, ApiType::Rest);
    assert_eq!(s.title.as_deref(), Some("orders"));
    assert_eq!(
        s.servers,
        ["https://k9l8m7n6o5.execute-api.eu-west-1.amazonaws.com/v1"]
    );
    let endpoint = s.endpoint.as_ref().unwrap();
    assert_eq!(
        endpoint.path.to_string(),
        "x-amazon-apigateway-endpoint-configuration"
    );
    assert_eq!(endpoint.disable_execute_api_endpoint, Some(true));
    assert_eq!(endpoint.endpoint_type(), None);

    assert_eq!(s.api, Some(api("eu-west-1", "345678901234", "k9l8m7n6o5")));
    let policy = s.resource_policy.as_ref().unwrap();
    assert!(policy.raw.is_object());
    assert_eq!(policy.document.statements().len(), 2);
    assert_eq!(resources(policy)[0].len(), 2);

    let pool = s.authorizer("orders-pool").unwrap();
    assert_eq!(pool.path.to_string(), "securityDefinitions.orders-pool");
    assert_eq!(pool.authorizer_type, AuthorizerType::CognitoUserPools);
    assert_eq!(pool.auth_type.as_deref(), Some("cognito_user_pools"));
    assert_eq!(
        pool.provider_arns,
        ["arn:aws:cognito-idp:eu-west-1:345678901234:userpool/eu-west-1_AbCdEfGhI"]
    );
    assert!(pool.identity_sources.is_empty());
    assert_eq!(pool.authorizer_uri, None);
    assert_eq!(pool.function_account, None);

    let stage = s.authorizer("stage-auth").unwrap();
    assert_eq!(
        sources(stage),
        [(
            "stageVariables.tier",
            Some(IdentitySource::StageVariable("tier".into()))
        )]
    );
    // The documented type of the TTL is a string.
    assert_eq!(stage.result_ttl_seconds, Some(60));
    // The function name comes from a stage variable; the account is still literal.
    assert_eq!(
        stage.function_arn.as_deref(),
        Some("arn:aws:lambda:eu-west-1:345678901234:function:${stageVariables.authorizerName}")
    );
    assert_eq!(stage.function_account.as_deref(), Some("345678901234"));
}

#[test]
fn an_http_api_export_reads_a_simple_response_authorizer() {
    let s = fixture("http-lambda.json");
    assert_eq!(s.api_type, ApiType::Http);
    assert_eq!(s.version, "3.0.1");
    assert_eq!(s.title.as_deref(), Some("pets-http"));
    assert_eq!(s.endpoint, None);
    assert_eq!(s.resource_policy, None);
    assert_eq!(s.api, None);
    let a = s.authorizer("lambda-authorizer").unwrap();
    assert_eq!(a.authorizer_type, AuthorizerType::Request);
    assert_eq!(a.auth_type, None);
    assert_eq!(a.enable_simple_responses, Some(true));
    assert_eq!(a.payload_format_version, Some(PayloadFormatVersion::V2_0));
    assert_eq!(a.result_ttl_seconds, Some(120));
    assert_eq!(
        sources(a),
        [
            ("$request.header.Authorization", header("Authorization")),
            (
                "$request.querystring.tenant",
                Some(IdentitySource::Query("tenant".into()))
            ),
            (
                "$context.identity.sourceIp",
                Some(IdentitySource::Context("identity.sourceIp".into()))
            ),
        ]
    );
    assert_eq!(a.function_account.as_deref(), Some("456789012345"));
}

#[test]
fn an_http_api_export_reads_jwt_authorizers_and_document_security() {
    let s = fixture("http-jwt.json");
    assert_eq!(s.api_type, ApiType::Http);
    let endpoint = s.endpoint.as_ref().unwrap();
    assert_eq!(endpoint.ip_address_type.as_deref(), Some("dualstack"));
    assert_eq!(endpoint.disable_execute_api_endpoint, Some(true));

    let cognito = s.authorizer("cognito-jwt").unwrap();
    assert_eq!(cognito.authorizer_type, AuthorizerType::Jwt);
    assert_eq!(cognito.header_name, None);
    assert_eq!(
        sources(cognito),
        [("$request.header.Authorization", header("Authorization"))]
    );
    assert_eq!(
        cognito.jwt,
        Some(JwtConfiguration {
            issuer: Some(
                "https://cognito-idp.ap-southeast-2.amazonaws.com/ap-southeast-2_Example1".into()
            ),
            audience: vec!["4kq2c0example7aud".into(), "catalog-web".into()],
            open_id_connect_url: None,
        })
    );
    assert_eq!(cognito.result_ttl_seconds, None);
    assert_eq!(cognito.function_arn, None);

    let oidc = s.authorizer("partner-oidc").unwrap();
    assert_eq!(
        oidc.jwt,
        Some(JwtConfiguration {
            issuer: None,
            audience: vec!["catalog".into()],
            open_id_connect_url: Some(
                "https://login.partner.example.com/.well-known/openid-configuration".into()
            ),
        })
    );
    assert_eq!(
        sources(oidc),
        [(
            "$request.querystring.access_token",
            Some(IdentitySource::Query("access_token".into()))
        )]
    );
}

#[test]
fn every_method_gets_its_effective_authorization() {
    // (fixture, verb, path, JSON path, auth, scopes, API key)
    type Row = (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        MethodAuth,
        &'static [&'static str],
        bool,
    );
    let rows: Vec<Row> = vec![
        (
            "rest-oas30.json",
            "GET",
            "/pets",
            "paths./pets.get",
            authorizer_named("tokenAuth"),
            &[],
            true,
        ),
        (
            "rest-oas30.json",
            "POST",
            "/pets",
            "paths./pets.post",
            authorizer_named("tenantAuth"),
            &[],
            false,
        ),
        (
            "rest-oas30.json",
            "OPTIONS",
            "/pets",
            "paths./pets.options",
            MethodAuth::None,
            &[],
            false,
        ),
        (
            "rest-oas30.json",
            "GET",
            "/pets/{petId}",
            "paths./pets/{petId}.get",
            MethodAuth::AwsIam,
            &[],
            false,
        ),
        (
            "rest-oas30.json",
            "DELETE",
            "/pets/{petId}",
            "paths./pets/{petId}.delete",
            authorizer_named("tokenAuth"),
            &[],
            false,
        ),
        (
            "rest-oas30.json",
            "ANY",
            "/admin/{proxy+}",
            "paths./admin/{proxy+}.x-amazon-apigateway-any-method",
            MethodAuth::AwsIam,
            &[],
            false,
        ),
        (
            "rest-swagger20.json",
            "GET",
            "/orders",
            "paths./orders.get",
            authorizer_named("orders-pool"),
            &["orders/read", "email"],
            false,
        ),
        (
            "rest-swagger20.json",
            "PUT",
            "/orders",
            "paths./orders.put",
            authorizer_named("stage-auth"),
            &[],
            false,
        ),
        (
            "rest-swagger20.json",
            "HEAD",
            "/orders/{id}",
            "paths./orders/{id}.head",
            MethodAuth::AwsIam,
            &[],
            false,
        ),
        (
            "rest-swagger20.json",
            "PATCH",
            "/orders/{id}",
            "paths./orders/{id}.patch",
            MethodAuth::None,
            &[],
            false,
        ),
        (
            "http-lambda.json",
            "GET",
            "/pets",
            "paths./pets.get",
            authorizer_named("lambda-authorizer"),
            &[],
            false,
        ),
        (
            "http-lambda.json",
            "POST",
            "/pets",
            "paths./pets.post",
            authorizer_named("lambda-authorizer"),
            &[],
            false,
        ),
        (
            "http-lambda.json",
            "ANY",
            "/pets/{id}",
            "paths./pets/{id}.x-amazon-apigateway-any-method",
            MethodAuth::AwsIam,
            &[],
            false,
        ),
        (
            "http-lambda.json",
            "ANY",
            "$default",
            "paths.$default.x-amazon-apigateway-any-method",
            MethodAuth::None,
            &[],
            false,
        ),
        // Inherits the document's `security`, scopes included.
        (
            "http-jwt.json",
            "GET",
            "/items",
            "paths./items.get",
            authorizer_named("cognito-jwt"),
            &["catalog/read"],
            false,
        ),
        (
            "http-jwt.json",
            "POST",
            "/items",
            "paths./items.post",
            authorizer_named("cognito-jwt"),
            &["catalog/write", "catalog/admin"],
            false,
        ),
        // `security: []` overrides the document's.
        (
            "http-jwt.json",
            "GET",
            "/health",
            "paths./health.get",
            MethodAuth::None,
            &[],
            false,
        ),
        (
            "http-jwt.json",
            "PUT",
            "/partners",
            "paths./partners.put",
            authorizer_named("partner-oidc"),
            &[],
            false,
        ),
    ];
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (file, verb, path, json_path, auth, scopes, api_key) in rows {
        let s = fixture(file);
        let m = s
            .method(verb, path)
            .unwrap_or_else(|| panic!("{file}: no {verb} {path}"));
        assert_eq!(m.json_path.to_string(), json_path, "{file} {verb} {path}");
        assert_eq!(m.auth, auth, "{file} {verb} {path}");
        assert_eq!(m.scopes, scopes, "{file} {verb} {path}");
        assert_eq!(m.api_key_required, api_key, "{file} {verb} {path}");
        *counts.entry(file).or_default() += 1;
    }
    // The table covers every method of every fixture.
    for (file, n) in counts {
        assert_eq!(fixture(file).methods.len(), n, "{file}");
    }
    // Document order is kept.
    let verbs: Vec<String> = fixture("rest-oas30.json")
        .methods
        .iter()
        .map(|m| format!("{} {}", m.verb, m.path))
        .collect();
    assert_eq!(
        verbs,
        [
            "GET /pets",
            "POST /pets",
            "OPTIONS /pets",
            "GET /pets/{petId}",
            "DELETE /pets/{petId}",
            "ANY /admin/{proxy+}"
        ]
    );
}

/// A small REST export: a token authorizer `auth`, IAM `sigv4`, an API key and `GET /pets`.
fn base() -> Value {
    json!({
        "openapi": "3.0.1",
        "info": {"title": "t", "version": "1"},
        "paths": {"/pets": {"get": {"security": [{"auth": []}]}}},
        "components": {"securitySchemes": {
            "auth": {
                "type": "apiKey", "name": "Authorization", "in": "header",
                "x-amazon-apigateway-authorizer": {
                    "type": "token",
                    "authorizerUri": "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations"
                }
            },
            "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"},
            "api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}
        }}
    })
}

/// The JSON pointer of member `$field` of the base document's authorizer.
macro_rules! authz {
    ($field:literal) => {
        concat!(
            "/components/securitySchemes/auth/x-amazon-apigateway-authorizer/",
            $field
        )
    };
}

const AUTHORIZER: &str = "/components/securitySchemes/auth/x-amazon-apigateway-authorizer";
const SECURITY: &str = "/paths/~1pets/get/security";

/// Members to set (`Some`) or remove (`None`), by JSON pointer.
type Edits<'a> = Vec<(&'a str, Option<Value>)>;

/// `value` with the member at JSON pointer `pointer` set (`Some`) or removed (`None`).
fn edit(mut value: Value, edits: &[(&str, Option<Value>)]) -> Value {
    for (pointer, new) in edits {
        let (parent, last) = pointer.rsplit_once('/').unwrap();
        let key = last.replace("~1", "/").replace("~0", "~");
        let object = value
            .pointer_mut(parent)
            .unwrap_or_else(|| panic!("no {parent}"))
            .as_object_mut()
            .unwrap();
        match new {
            Some(v) => {
                object.insert(key, v.clone());
            }
            None => {
                object.remove(&key);
            }
        }
    }
    value
}

fn parse_with(edits: &[(&str, Option<Value>)]) -> Result<OpenApiSetup, FileError> {
    parse("x.json", &edit(base(), edits), Some(&test_api()))
}

#[test]
fn the_base_document_parses() {
    let s = parse_with(&[]).unwrap();
    assert_eq!(s.methods[0].auth, authorizer_named("auth"));
    assert_eq!(s.api, Some(test_api()));
}

#[test]
fn errors_name_the_file_the_json_path_and_the_fix() {
    let http = (
        "/x-amazon-apigateway-importexport-version",
        Some(json!("1.0")),
    );
    let cases: Vec<(Edits, &str, &str)> = vec![
        // The document.
        (
            vec![("/openapi", None)],
            "$",
            "not an OpenAPI document (no `openapi` or `swagger` member): give the output of `aws apigateway get-export` or `aws apigatewayv2 export-api`",
        ),
        (
            vec![("/openapi", Some(json!("2.0")))],
            "openapi",
            "unsupported OpenAPI version `2.0`: API Gateway exports OpenAPI `3.0.1` or Swagger `2.0`",
        ),
        (
            vec![("/openapi", Some(json!(3.0)))],
            "openapi",
            "expected a string, found a number",
        ),
        (
            vec![("/openapi", None), ("/swagger", Some(json!("1.2")))],
            "swagger",
            "unsupported Swagger version `1.2`",
        ),
        (
            vec![("/swagger", Some(json!("2.0")))],
            "$",
            "the document has both `openapi` and `swagger`",
        ),
        (
            vec![("/info", Some(json!("t")))],
            "info",
            "expected an object, found a string",
        ),
        (
            vec![("/info/title", Some(json!(1)))],
            "info.title",
            "expected a string, found a number",
        ),
        (
            vec![("/servers", Some(json!({"url": "x"})))],
            "servers",
            "expected an array of servers, found an object",
        ),
        (
            vec![("/servers", Some(json!([{"url": 5}])))],
            "servers[0].url",
            "expected a string, found a number",
        ),
        (
            vec![(
                "/x-amazon-apigateway-importexport-version",
                Some(json!(1.0)),
            )],
            "x-amazon-apigateway-importexport-version",
            "expected a string, found a number",
        ),
        (
            vec![("/paths", Some(json!([])))],
            "paths",
            "expected an object, found an array",
        ),
        (
            vec![("/paths/~1pets", Some(json!("get")))],
            "paths./pets",
            "expected an object, found a string",
        ),
        (
            vec![("/paths/~1pets/get", Some(json!(true)))],
            "paths./pets.get",
            "expected an object, found a boolean",
        ),
        // Near misses of what is read are errors, not silently ignored.
        (
            vec![("/x-amazon-apigateway-polcy", Some(json!({})))],
            "x-amazon-apigateway-polcy",
            "unknown extension `x-amazon-apigateway-polcy`: did you mean `x-amazon-apigateway-policy`?",
        ),
        (
            vec![("/X-Amazon-Apigateway-Policy", Some(json!({})))],
            "X-Amazon-Apigateway-Policy",
            "unknown extension `X-Amazon-Apigateway-Policy`: did you mean `x-amazon-apigateway-policy`?",
        ),
        (
            vec![(
                "/components/securitySchemes/auth/x-amazon-apigateway-authorizor",
                Some(json!({})),
            )],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizor",
            "unknown extension `x-amazon-apigateway-authorizor`: did you mean `x-amazon-apigateway-authorizer`?",
        ),
        (
            vec![(
                "/paths/~1pets/get/x-amazon-apigateway-auht",
                Some(json!({"type": "NONE"})),
            )],
            "paths./pets.get.x-amazon-apigateway-auht",
            "unknown extension `x-amazon-apigateway-auht`: did you mean `x-amazon-apigateway-auth`?",
        ),
        (
            vec![(
                "/paths/~1pets/x-amazon-apigateway-any-methods",
                Some(json!({})),
            )],
            "paths./pets.x-amazon-apigateway-any-methods",
            "unknown extension `x-amazon-apigateway-any-methods`: did you mean `x-amazon-apigateway-any-method`?",
        ),
        (
            vec![(
                authz!("identitysource"),
                Some(json!("method.request.header.A")),
            )],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.identitysource",
            "unknown field `identitysource`: did you mean `identitySource`?",
        ),
        (
            vec![("/paths/~1pets/gett", Some(json!({})))],
            "paths./pets.gett",
            "unknown operation `gett`: did you mean `get`?",
        ),
        (
            vec![("/paths/~1pets/GET", Some(json!({})))],
            "paths./pets.GET",
            "unknown operation `GET`: did you mean `get`?",
        ),
        (
            vec![("/paths/~1pets/lookup", Some(json!({})))],
            "paths./pets.lookup",
            "unknown operation `lookup`: use `get`, `put`, `post`, `delete`, `options`, `head`, `patch` or `x-amazon-apigateway-any-method`",
        ),
        (
            vec![("/paths/~1pets/$ref", Some(json!("#/x")))],
            "paths./pets.$ref",
            "path item references are not supported",
        ),
        // Security requirements.
        (
            vec![(SECURITY, Some(json!([{"autth": []}])))],
            "paths./pets.get.security[0].autth",
            "unknown security scheme `autth`: did you mean `auth`?",
        ),
        (
            vec![(SECURITY, Some(json!([{"zzzzzz": []}])))],
            "paths./pets.get.security[0].zzzzzz",
            "unknown security scheme `zzzzzz`: define it under `components.securitySchemes`",
        ),
        (
            vec![("/security", Some(json!([{"zzzzzz": []}])))],
            "security[0].zzzzzz",
            "unknown security scheme `zzzzzz`",
        ),
        (
            vec![(SECURITY, Some(json!({"auth": []})))],
            "paths./pets.get.security",
            "expected an array of security requirements such as `[{\"my-authorizer\": []}]`, found an object",
        ),
        (
            vec![(SECURITY, Some(json!(["auth"])))],
            "paths./pets.get.security[0]",
            "expected an object, found a string",
        ),
        (
            vec![(SECURITY, Some(json!([{"auth": "read"}])))],
            "paths./pets.get.security[0].auth",
            "expected an array of scopes (`[]` for none), found a string",
        ),
        (
            vec![(SECURITY, Some(json!([{"auth": ["read", 7]}])))],
            "paths./pets.get.security[0].auth[1]",
            "expected a scope name, found a number",
        ),
        (
            vec![(SECURITY, Some(json!([{"auth": []}, {"sigv4": []}])))],
            "paths./pets.get.security[1].sigv4",
            "a method takes one authorization in API Gateway, but `security` names both authorizer `auth` and IAM (`awsSigv4`): keep one",
        ),
        (
            vec![
                (
                    "/components/securitySchemes/oauth",
                    Some(json!({"type": "oauth2", "flows": {}})),
                ),
                (SECURITY, Some(json!([{"oauth": []}]))),
            ],
            "paths./pets.get.security[0].oauth",
            "security scheme `oauth` (type `oauth2`) has neither `x-amazon-apigateway-authorizer` nor `x-amazon-apigateway-authtype: awsSigv4`, so API Gateway would not enforce it: add one, or remove it from `security`",
        ),
        (
            vec![("/components/securitySchemes", Some(json!([])))],
            "components.securitySchemes",
            "expected an object, found an array",
        ),
        (
            vec![("/components/securitySchemes/auth", Some(json!("x")))],
            "components.securitySchemes.auth",
            "expected an object, found a string",
        ),
        // x-amazon-apigateway-auth.
        (
            vec![(
                "/paths/~1pets/get/x-amazon-apigateway-auth",
                Some(json!({"type": "COGNITO"})),
            )],
            "paths./pets.get.x-amazon-apigateway-auth.type",
            "unknown authorization type `COGNITO`: use `AWS_IAM` or `NONE`",
        ),
        (
            vec![(
                "/paths/~1pets/get/x-amazon-apigateway-auth",
                Some(json!({})),
            )],
            "paths./pets.get.x-amazon-apigateway-auth",
            "missing required field `type`",
        ),
        (
            vec![(
                "/paths/~1pets/get/x-amazon-apigateway-auth",
                Some(json!({"type": "AWS_IAM"})),
            )],
            "paths./pets.get.security[0].auth",
            "`security` names authorizer `auth` but `x-amazon-apigateway-auth` says `AWS_IAM`: keep one",
        ),
        // The authorizer.
        (
            vec![(AUTHORIZER, Some(json!("token")))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer",
            "expected an object, found a string",
        ),
        (
            vec![(authz!("type"), None)],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer",
            "missing required field `type`",
        ),
        (
            vec![(authz!("type"), Some(json!(1)))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.type",
            "expected a string, found a number",
        ),
        (
            vec![(authz!("type"), Some(json!("tokn")))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.type",
            "unknown authorizer type `tokn`: did you mean `token`?",
        ),
        (
            vec![(authz!("type"), Some(json!("oauth")))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.type",
            "unknown authorizer type `oauth`: use `token`, `request`, `cognito_user_pools` (REST APIs) or `jwt` (HTTP APIs)",
        ),
        (
            vec![(authz!("type"), Some(json!("jwt")))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.type",
            "`jwt` authorizers exist only on HTTP APIs, and this export is a REST API (no `x-amazon-apigateway-importexport-version`): use `token`, `request` or `cognito_user_pools`",
        ),
        (
            vec![http.clone()],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.type",
            "`token` authorizers do not exist on HTTP APIs (this export has `x-amazon-apigateway-importexport-version`): use `request` or `jwt`",
        ),
        (
            vec![
                http.clone(),
                (authz!("type"), Some(json!("cognito_user_pools"))),
            ],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.type",
            "`cognito_user_pools` authorizers do not exist on HTTP APIs",
        ),
        (
            vec![(authz!("authorizerUri"), None)],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer",
            "authorizer `auth` has no `authorizerUri`: add its Lambda function's `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION-ARN/invocations`",
        ),
        (
            vec![(authz!("authorizerUri"), Some(json!(["arn"])))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.authorizerUri",
            "expected a string, found an array",
        ),
        (
            vec![(authz!("authorizerUri"), Some(json!("")))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.authorizerUri",
            "`authorizerUri` must not be empty",
        ),
        (
            vec![(authz!("authorizerCredentials"), Some(json!(false)))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.authorizerCredentials",
            "expected a string, found a boolean",
        ),
        (
            vec![(authz!("identityValidationExpression"), Some(json!(1)))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.identityValidationExpression",
            "expected a string, found a number",
        ),
        (
            vec![(authz!("providerARNs"), Some(json!([1])))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.providerARNs[0]",
            "expected a non-empty string, found a number",
        ),
        // Identity sources.
        (
            vec![(authz!("identitySource"), Some(json!(5)))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.identitySource",
            "expected a comma-separated string of mapping expressions, found a number",
        ),
        (
            vec![(
                authz!("identitySource"),
                Some(json!(["method.request.header.A", {}])),
            )],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.identitySource[1]",
            "expected a mapping expression, found an object",
        ),
        (
            vec![
                (authz!("type"), Some(json!("request"))),
                (
                    authz!("identitySource"),
                    Some(json!("method.request.header.A,, method.request.header.B")),
                ),
            ],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.identitySource",
            "empty identity source: separate mapping expressions",
        ),
        (
            vec![(
                authz!("identitySource"),
                Some(json!("method.request.header.A, method.request.header.B")),
            )],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.identitySource",
            "a token authorizer reads exactly one header: write `method.request.header.NAME`",
        ),
        (
            vec![(
                authz!("identitySource"),
                Some(json!("method.request.querystring.token")),
            )],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.identitySource",
            "a token authorizer reads exactly one header",
        ),
        (
            vec![("/components/securitySchemes/auth/in", Some(json!("query")))],
            "components.securitySchemes.auth",
            "token authorizer `auth` has no `identitySource` and its scheme names no header",
        ),
        (
            vec![("/components/securitySchemes/auth/name", None)],
            "components.securitySchemes.auth",
            "token authorizer `auth` has no `identitySource`",
        ),
        // Cache TTL.
        (
            vec![(authz!("authorizerResultTtlInSeconds"), Some(json!(3601)))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.authorizerResultTtlInSeconds",
            "`3601` is not a cache TTL: give whole seconds from 0 (no caching) to 3600",
        ),
        (
            vec![(authz!("authorizerResultTtlInSeconds"), Some(json!(-1)))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.authorizerResultTtlInSeconds",
            "`-1` is not a cache TTL",
        ),
        (
            vec![(authz!("authorizerResultTtlInSeconds"), Some(json!(1.5)))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.authorizerResultTtlInSeconds",
            "`1.5` is not a cache TTL",
        ),
        (
            vec![(authz!("authorizerResultTtlInSeconds"), Some(json!("five")))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.authorizerResultTtlInSeconds",
            "`five` is not a cache TTL",
        ),
        (
            vec![(authz!("authorizerResultTtlInSeconds"), Some(json!(true)))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.authorizerResultTtlInSeconds",
            "expected a number of seconds, found a boolean",
        ),
        // HTTP API options.
        (
            vec![(authz!("authorizerPayloadFormatVersion"), Some(json!("3.0")))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.authorizerPayloadFormatVersion",
            "unknown payload format version `3.0`: use `1.0` or `2.0`",
        ),
        (
            vec![(authz!("authorizerPayloadFormatVersion"), Some(json!(2.0)))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.authorizerPayloadFormatVersion",
            "expected a string, found a number",
        ),
        (
            vec![(authz!("enableSimpleResponses"), Some(json!("yes")))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.enableSimpleResponses",
            "expected true or false, found a string",
        ),
        (
            vec![
                (authz!("enableSimpleResponses"), Some(json!(true))),
                (authz!("authorizerPayloadFormatVersion"), Some(json!("1.0"))),
            ],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.enableSimpleResponses",
            "simple responses need payload format version 2.0: set `authorizerPayloadFormatVersion` to `2.0` or remove `enableSimpleResponses`",
        ),
        // JWT.
        (
            vec![
                http.clone(),
                (authz!("type"), Some(json!("jwt"))),
                (authz!("authorizerUri"), None),
            ],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer",
            "`jwt` authorizer `auth` has no issuer: add `jwtConfiguration.issuer` (or an `openIdConnect` scheme with `openIdConnectUrl`)",
        ),
        (
            vec![
                http.clone(),
                (authz!("type"), Some(json!("jwt"))),
                (authz!("jwtConfiguration"), Some(json!({"audience": ["a"]}))),
            ],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer",
            "`jwt` authorizer `auth` has no issuer",
        ),
        (
            vec![(authz!("jwtConfiguration"), Some(json!("x")))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.jwtConfiguration",
            "expected an object, found a string",
        ),
        (
            vec![(authz!("jwtConfiguration"), Some(json!({"issuer": 1})))],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.jwtConfiguration.issuer",
            "expected a string, found a number",
        ),
        (
            vec![(
                authz!("jwtConfiguration"),
                Some(json!({"issuer": "i", "audience": [""]})),
            )],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.jwtConfiguration.audience[0]",
            "expected a non-empty string, found a string",
        ),
        (
            vec![(
                authz!("jwtConfiguration"),
                Some(json!({"issuer": "i", "audiences": ["a"]})),
            )],
            "components.securitySchemes.auth.x-amazon-apigateway-authorizer.jwtConfiguration.audiences",
            "unknown field `audiences`: did you mean `audience`?",
        ),
        (
            vec![
                (
                    "/components/securitySchemes/auth/openIdConnectUrl",
                    Some(json!(1)),
                ),
                (authz!("jwtConfiguration"), Some(json!({}))),
            ],
            "components.securitySchemes.auth.openIdConnectUrl",
            "expected a string, found a number",
        ),
        (
            vec![(
                "/components/securitySchemes/auth/x-amazon-apigateway-authtype",
                Some(json!(["custom"])),
            )],
            "components.securitySchemes.auth.x-amazon-apigateway-authtype",
            "expected a string, found an array",
        ),
        // Endpoint configuration.
        (
            vec![(
                "/x-amazon-apigateway-endpoint-configuration",
                Some(json!({"types": ["PUBLIC"]})),
            )],
            "x-amazon-apigateway-endpoint-configuration.types[0]",
            "unknown endpoint type `PUBLIC`: use `REGIONAL`, `EDGE` or `PRIVATE`",
        ),
        (
            vec![(
                "/x-amazon-apigateway-endpoint-configuration",
                Some(json!({"types": "PUBLIC"})),
            )],
            "x-amazon-apigateway-endpoint-configuration.types",
            "unknown endpoint type `PUBLIC`",
        ),
        (
            vec![(
                "/x-amazon-apigateway-endpoint-configuration",
                Some(json!({"vpcEndpointIds": [1]})),
            )],
            "x-amazon-apigateway-endpoint-configuration.vpcEndpointIds[0]",
            "expected a non-empty string, found a number",
        ),
        (
            vec![(
                "/x-amazon-apigateway-endpoint-configuration",
                Some(json!({"disableExecuteApiEndpoint": "true"})),
            )],
            "x-amazon-apigateway-endpoint-configuration.disableExecuteApiEndpoint",
            "expected true or false, found a string",
        ),
        (
            vec![(
                "/x-amazon-apigateway-endpoint-configuration",
                Some(json!({"ipAddressType": 4})),
            )],
            "x-amazon-apigateway-endpoint-configuration.ipAddressType",
            "expected a string, found a number",
        ),
        (
            vec![(
                "/x-amazon-apigateway-endpoint-configuration",
                Some(json!({"vpcEndpointId": ["vpce-1"]})),
            )],
            "x-amazon-apigateway-endpoint-configuration.vpcEndpointId",
            "unknown field `vpcEndpointId`: did you mean `vpcEndpointIds`?",
        ),
        (
            vec![(
                "/servers",
                Some(json!([{"url": "u", "x-amazon-apigateway-endpoint-configuration": []}])),
            )],
            "servers[0].x-amazon-apigateway-endpoint-configuration",
            "expected an object, found an array",
        ),
        // The policy.
        (
            vec![
                http.clone(),
                (authz!("type"), Some(json!("request"))),
                (
                    "/x-amazon-apigateway-policy",
                    Some(json!({"Statement": []})),
                ),
            ],
            "x-amazon-apigateway-policy",
            "`x-amazon-apigateway-importexport-version` marks an HTTP API export, and HTTP APIs have no resource policy: remove one of them",
        ),
    ];
    for (edits, path, message) in cases {
        let err = match parse_with(&edits) {
            Ok(_) => panic!("no error for {edits:?}"),
            Err(e) => e,
        };
        assert_eq!(err.file(), "x.json");
        assert_eq!(
            err.path().map(ToString::to_string).as_deref(),
            Some(path),
            "{edits:?}: {err}"
        );
        let text = err.to_string();
        assert!(
            text.starts_with(&format!("x.json: {message}")),
            "{edits:?}:\n got {text}\nwant {message}"
        );
        assert!(text.ends_with(&format!(" (at `{path}`)")), "{text}");
    }
}

#[test]
fn the_policy_expands_abbreviated_resources_for_the_api() {
    let policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/prod/GET/pets"}
    ]});
    // Given the API, as an object or as the JSON string API Gateway stores.
    for raw in [policy.clone(), json!(policy.to_string())] {
        let s = parse_with(&[("/x-amazon-apigateway-policy", Some(raw.clone()))]).unwrap();
        let p = s.resource_policy.as_ref().unwrap();
        assert_eq!(p.raw, raw);
        assert_eq!(
            resources(p),
            [["arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"]]
        );
    }
    // Without it, the first full execute-api ARN names the API; wildcard ARNs do not count.
    let mixed = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
         "Resource": ["arn:aws:execute-api:*:*:*", "arn:aws:execute-api:*:123456789012:a1b2c3d4e5/*", "arn:aws:execute-api:us-east-1:123456789012:*/*", "arn:aws:execute-api:us-east-1:123456789012:a1b2?4e5/*",  "arn:aws:execute-api:us-east-1:*:a1b2c3d4e5/*"]},
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
         "NotResource": "arn:aws-cn:execute-api:cn-north-1:111122223333:zz11yy22xx/*/DELETE/*"},
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}
    ]});
    let s = parse(
        "x.json",
        &edit(
            base(),
            &[(
                "/x-amazon-apigateway-policy",
                Some(json!(mixed.to_string())),
            )],
        ),
        None,
    )
    .unwrap();
    assert_eq!(
        s.api,
        Some(ApiRef {
            partition: "aws-cn".into(),
            ..api("cn-north-1", "111122223333", "zz11yy22xx")
        })
    );
    assert_eq!(
        resources(s.resource_policy.as_ref().unwrap())[2],
        ["arn:aws-cn:execute-api:cn-north-1:111122223333:zz11yy22xx/*"]
    );
    // The API given wins over the policy's ARNs.
    let s = parse(
        "x.json",
        &edit(base(), &[("/x-amazon-apigateway-policy", Some(mixed))]),
        Some(&test_api()),
    )
    .unwrap();
    assert_eq!(s.api, Some(test_api()));
    // No policy: the API is whatever was given.
    assert_eq!(parse("x.json", &base(), None).unwrap().api, None);
}

#[test]
fn a_policy_without_an_api_to_expand_for_is_an_error() {
    let only_abbreviated = json!({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}
    ]});
    let escaped = only_abbreviated.to_string().replace('"', "\\\"");
    for raw in [
        only_abbreviated.clone(),
        json!(only_abbreviated.to_string()),
        json!(escaped),
    ] {
        let err = parse(
            "x.json",
            &edit(
                base(),
                &[("/x-amazon-apigateway-policy", Some(raw.clone()))],
            ),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err.path().map(ToString::to_string).as_deref(),
            Some("x-amazon-apigateway-policy"),
            "{raw}"
        );
        assert_eq!(
            err.to_string(),
            "x.json: the resource policy names no full `arn:aws:execute-api:...` ARN to take the API's region, account id and API id from, and they are needed to expand `execute-api:/...` resources: give the API's region, account id and API id along with the export (at `x-amazon-apigateway-policy`)"
        );
    }
    // The escaped form still names its API when it has a full ARN.
    let full = json!({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*"}
    ]});
    let escaped = full.to_string().replace('"', "\\\"");
    let s = parse(
        "x.json",
        &edit(
            base(),
            &[("/x-amazon-apigateway-policy", Some(json!(escaped)))],
        ),
        None,
    )
    .unwrap();
    assert_eq!(s.api, Some(test_api()));
    // Not a policy at all: the policy parser says why.
    let cases = [
        (
            json!("not json"),
            "the policy string does not hold valid JSON",
        ),
        (
            json!(7),
            "a policy must be a JSON object, not a number at `x-amazon-apigateway-policy`",
        ),
        (
            json!([]),
            "a policy must be a JSON object, not an array at `x-amazon-apigateway-policy`",
        ),
    ];
    for (raw, expected) in cases {
        let err = parse(
            "x.json",
            &edit(base(), &[("/x-amazon-apigateway-policy", Some(raw))]),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    }
}

#[test]
fn policy_errors_carry_the_full_path() {
    let cases = [
        (
            json!({"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]}),
            "at `x-amazon-apigateway-policy.Statement[0]`",
        ),
        (
            json!({"Statement": {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}}}),
            "at `x-amazon-apigateway-policy.Statement.Condition.IpAddress.aws:SourceIp`",
        ),
        (
            json!("{\"Statement\": "),
            "the policy string does not hold valid JSON",
        ),
    ];
    for (raw, expected) in cases {
        let err = parse_with(&[("/x-amazon-apigateway-policy", Some(raw))]).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("x.json: "), "{text}");
        assert!(text.contains(expected), "{text}");
    }
}

#[test]
fn a_null_policy_is_no_policy() {
    let s = parse_with(&[("/x-amazon-apigateway-policy", Some(Value::Null))]).unwrap();
    assert_eq!(s.resource_policy, None);
}

#[test]
fn identity_sources_keep_their_text_and_parse_where_possible() {
    let cases: Vec<(Value, Vec<Source>)> = vec![
        (
            json!("method.request.header.A"),
            vec![("method.request.header.A", header("A"))],
        ),
        (
            json!(" $request.header.A ,$stageVariables.s "),
            vec![
                ("$request.header.A", header("A")),
                (
                    "$stageVariables.s",
                    Some(IdentitySource::StageVariable("s".into())),
                ),
            ],
        ),
        // An array, as the HTTP API reference lists them.
        (
            json!(["$request.querystring.q", "$context.requestId"]),
            vec![
                (
                    "$request.querystring.q",
                    Some(IdentitySource::Query("q".into())),
                ),
                // Not one the simulator can supply: kept, unparsed.
                ("$context.requestId", None),
            ],
        ),
        (
            // The WebSocket form parses too (WebSocket authorizers read `route.request.*`).
            json!("route.request.header.Auth"),
            vec![(
                "route.request.header.Auth",
                Some(IdentitySource::Header("Auth".into())),
            )],
        ),
        (json!(""), vec![]),
        (json!([]), vec![]),
    ];
    for (value, expected) in cases {
        let s = parse_with(&[
            (authz!("type"), Some(json!("request"))),
            (authz!("identitySource"), Some(value.clone())),
        ])
        .unwrap_or_else(|e| panic!("{value}: {e}"));
        assert_eq!(sources(&s.authorizers[0]), expected, "{value}");
    }
    // A REQUEST authorizer without identity sources has none (no header default).
    let s = parse_with(&[(authz!("type"), Some(json!("request")))]).unwrap();
    assert!(s.authorizers[0].identity_sources.is_empty());
    // A TOKEN authorizer's explicit source wins over the scheme's header.
    let s = parse_with(&[(
        authz!("identitySource"),
        Some(json!("method.request.header.X-Token")),
    )])
    .unwrap();
    assert_eq!(
        sources(&s.authorizers[0]),
        [("method.request.header.X-Token", header("X-Token"))]
    );
}

#[test]
fn authorizer_types_and_ttls_parse_like_the_gateway() {
    let types = [
        ("token", AuthorizerType::Token),
        ("TOKEN", AuthorizerType::Token),
        ("request", AuthorizerType::Request),
        ("Request", AuthorizerType::Request),
        ("jwt", AuthorizerType::Jwt),
        ("cognito_user_pools", AuthorizerType::CognitoUserPools),
        ("COGNITO_USER_POOLS", AuthorizerType::CognitoUserPools),
    ];
    for (text, expected) in types {
        assert_eq!(AuthorizerType::parse(text), Some(expected), "{text}");
        assert_eq!(AuthorizerType::parse(expected.name()), Some(expected));
    }
    assert_eq!(AuthorizerType::parse("cognito"), None);
    assert!(AuthorizerType::Token.is_lambda() && AuthorizerType::Request.is_lambda());
    assert!(!AuthorizerType::Jwt.is_lambda() && !AuthorizerType::CognitoUserPools.is_lambda());

    let ttls = [
        (json!(0), 0),
        (json!(3600), 3600),
        (json!("300"), 300),
        (json!(" 45 "), 45),
    ];
    for (value, expected) in ttls {
        let s =
            parse_with(&[(authz!("authorizerResultTtlInSeconds"), Some(value.clone()))]).unwrap();
        assert_eq!(
            s.authorizers[0].result_ttl_seconds,
            Some(expected),
            "{value}"
        );
    }
    let s = parse_with(&[]).unwrap();
    assert_eq!(s.authorizers[0].result_ttl_seconds, None);
    let s = parse_with(&[(authz!("authorizerPayloadFormatVersion"), Some(json!("1.0")))]).unwrap();
    assert_eq!(
        s.authorizers[0].payload_format_version,
        Some(PayloadFormatVersion::V1_0)
    );
}

#[test]
fn function_accounts_come_from_literal_lambda_arns_only() {
    let cases = [
        (
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations",
            Some("arn:aws:lambda:us-east-1:123456789012:function:f"),
            Some("123456789012"),
        ),
        (
            "arn:aws-us-gov:apigateway:us-gov-west-1:lambda:path/2015-03-31/functions/arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:f:prod/invocations",
            Some("arn:aws-us-gov:lambda:us-gov-west-1:111122223333:function:f:prod"),
            Some("111122223333"),
        ),
        (
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:${stageVariables.account}:function:f/invocations",
            Some("arn:aws:lambda:us-east-1:${stageVariables.account}:function:f"),
            None,
        ),
        (
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${stageVariables.fn}/invocations",
            Some("${stageVariables.fn}"),
            None,
        ),
        (
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions//invocations",
            None,
            None,
        ),
        (
            "arn:aws:lambda:us-east-1:123456789012:function:f",
            None,
            None,
        ),
    ];
    for (uri, function, account) in cases {
        let s = parse_with(&[(authz!("authorizerUri"), Some(json!(uri)))]).unwrap();
        let a = &s.authorizers[0];
        assert_eq!(a.authorizer_uri.as_deref(), Some(uri));
        assert_eq!(a.function_arn.as_deref(), function, "{uri}");
        assert_eq!(a.function_account.as_deref(), account, "{uri}");
    }
}

#[test]
fn the_auth_extension_sets_or_confirms_the_authorization() {
    let cases = [
        (json!({"type": "AWS_IAM"}), None, MethodAuth::AwsIam),
        (
            json!({"type": "aws_iam"}),
            Some(json!([{"sigv4": []}])),
            MethodAuth::AwsIam,
        ),
        (json!({"type": "NONE"}), None, MethodAuth::None),
        (
            json!({"type": "none"}),
            Some(json!([{"api_key": []}])),
            MethodAuth::None,
        ),
    ];
    for (ext, security, expected) in cases {
        let s = parse_with(&[
            (SECURITY, security.clone()),
            (
                "/paths/~1pets/get/x-amazon-apigateway-auth",
                Some(ext.clone()),
            ),
        ])
        .unwrap();
        assert_eq!(s.methods[0].auth, expected, "{ext} {security:?}");
    }
    // It overrides the document's `security`.
    let s = parse_with(&[
        (SECURITY, None),
        ("/security", Some(json!([{"auth": []}]))),
        (
            "/paths/~1pets/get/x-amazon-apigateway-auth",
            Some(json!({"type": "NONE"})),
        ),
    ])
    .unwrap();
    assert_eq!(s.methods[0].auth, MethodAuth::None);
}

#[test]
fn api_keys_alone_leave_a_method_without_authorization() {
    let cases = [
        (json!([{"api_key": []}]), MethodAuth::None, true),
        (
            json!([{"api_key": [], "sigv4": []}]),
            MethodAuth::AwsIam,
            true,
        ),
        (
            json!([{"sigv4": []}, {"sigv4": []}]),
            MethodAuth::AwsIam,
            false,
        ),
        // Scopes mean something to Cognito and JWT authorizers only.
        (json!([{"sigv4": ["read"]}]), MethodAuth::AwsIam, false),
        (json!([{}]), MethodAuth::None, false),
        (json!([]), MethodAuth::None, false),
    ];
    for (security, auth, api_key) in cases {
        let s = parse_with(&[(SECURITY, Some(security.clone()))]).unwrap();
        assert_eq!(s.methods[0].auth, auth, "{security}");
        assert_eq!(s.methods[0].api_key_required, api_key, "{security}");
        assert!(s.methods[0].scopes.is_empty(), "{security}");
    }
}

#[test]
fn other_extensions_and_members_are_ignored() {
    let s = parse_with(&[
        (
            "/x-amazon-apigateway-cors",
            Some(json!({"allowOrigins": ["*"]})),
        ),
        ("/x-amazon-apigateway-something-new", Some(json!(42))),
        (
            "/x-amazon-apigateway-minimum-compression-size",
            Some(json!(1024)),
        ),
        ("/x-custom", Some(json!("anything"))),
        ("/paths/~1pets/parameters", Some(json!([]))),
        ("/paths/~1pets/summary", Some(json!("pets"))),
        ("/paths/~1pets/trace", Some(json!({}))),
        (
            "/paths/~1pets/x-amazon-apigateway-integrations",
            Some(json!({})),
        ),
        (
            "/paths/~1pets/get/x-amazon-apigateway-integration",
            Some(json!({"type": "mock"})),
        ),
        (
            "/paths/~1pets/get/x-amazon-apigateway-request-validator",
            Some(json!("all")),
        ),
        (authz!("someFutureSetting"), Some(json!(true))),
        (
            "/components/securitySchemes/auth/description",
            Some(json!("d")),
        ),
    ])
    .unwrap();
    assert_eq!(s.methods.len(), 1);
    // Of several servers' endpoint configurations, the first is kept.
    let s = parse_with(&[(
        "/servers",
        Some(json!([
            {"url": "https://a.example.com"},
            {"url": "https://b.example.com", "x-amazon-apigateway-endpoint-configuration": {"vpcEndpointIds": ["vpce-1"]}},
            {"url": "https://c.example.com", "x-amazon-apigateway-endpoint-configuration": {"vpcEndpointIds": ["vpce-2"]}}
        ])),
    )])
    .unwrap();
    assert_eq!(s.servers.len(), 3);
    let endpoint = s.endpoint.unwrap();
    assert_eq!(endpoint.vpc_endpoint_ids, ["vpce-1"]);
    assert_eq!(
        endpoint.path.to_string(),
        "servers[1].x-amazon-apigateway-endpoint-configuration"
    );
    // Endpoint types, when an export does carry them.
    let s = parse_with(&[(
        "/x-amazon-apigateway-endpoint-configuration",
        Some(json!({"types": ["regional", "EDGE", "Private"]})),
    )])
    .unwrap();
    let endpoint = s.endpoint.unwrap();
    assert_eq!(
        endpoint.types,
        [
            EndpointType::Regional,
            EndpointType::Edge,
            EndpointType::Private
        ]
    );
    assert_eq!(endpoint.endpoint_type(), Some(EndpointType::Regional));
}

#[test]
fn files_that_cannot_be_read_are_errors() {
    let missing = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/openapi/missing.json");
    let err = load_file(&missing, None).unwrap_err();
    assert_eq!(err.path(), None);
    assert!(err.to_string().contains("cannot read the file"), "{err}");

    let dir = std::env::temp_dir().join(format!("openapi-tests-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let yaml = dir.join("export.yaml");
    std::fs::write(&yaml, "openapi: 3.0.1\npaths: {}\n").unwrap();
    let err = load_file(&yaml, None).unwrap_err();
    assert!(err.file().ends_with("export.yaml"));
    assert!(err.to_string().contains("not valid JSON ("), "{err}");
    assert!(err.to_string().contains("export the API as JSON"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();

    let err = parse("x.json", &json!([1]), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "x.json: expected an object, found an array (at `$`)"
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// JSON shaped like exports, with the names this module reads and odd values.
    fn export_like() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(json!(null)),
            any::<bool>().prop_map(|b| json!(b)),
            any::<i64>().prop_map(|n| json!(n)),
            prop_oneof![
                Just("3.0.1".to_owned()),
                Just("2.0".to_owned()),
                Just("token".to_owned()),
                Just("request".to_owned()),
                Just("jwt".to_owned()),
                Just("awsSigv4".to_owned()),
                Just("header".to_owned()),
                Just("method.request.header.A, ,x".to_owned()),
                Just("arn:aws:execute-api:us-east-1:123456789012:abc/*".to_owned()),
                Just("execute-api:/*".to_owned()),
                "\\PC{0,12}",
            ]
            .prop_map(|s| json!(s)),
        ];
        let keys = prop_oneof![
            Just("openapi"),
            Just("swagger"),
            Just("paths"),
            Just("/p"),
            Just("get"),
            Just("x-amazon-apigateway-any-method"),
            Just("security"),
            Just("auth"),
            Just("components"),
            Just("securitySchemes"),
            Just("securityDefinitions"),
            Just("x-amazon-apigateway-authorizer"),
            Just("x-amazon-apigateway-authtype"),
            Just("x-amazon-apigateway-auth"),
            Just("x-amazon-apigateway-policy"),
            Just("x-amazon-apigateway-importexport-version"),
            Just("x-amazon-apigateway-endpoint-configuration"),
            Just("servers"),
            Just("type"),
            Just("name"),
            Just("in"),
            Just("identitySource"),
            Just("authorizerUri"),
            Just("authorizerResultTtlInSeconds"),
            Just("jwtConfiguration"),
            Just("issuer"),
            Just("Statement"),
            Just("Effect"),
            Just("Principal"),
            Just("Action"),
            Just("Resource"),
        ];
        leaf.prop_recursive(5, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map(keys.clone(), inner, 0..6).prop_map(|m| {
                    Value::Object(m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn no_input_panics_the_parser(v in export_like()) {
            let _ = parse("p.json", &v, None);
            let _ = parse("p.json", &v, Some(&test_api()));
        }
    }
}
