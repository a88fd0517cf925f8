// Unit tests of `rules.rs`, compiled only under #[cfg(test)] (see `mod tests;` there).
use super::*;
use serde_json::json;

/// The contract's example (authorizer-config.md), notes removed.
fn contract_example() -> Value {
    json!({
      "token": { "header": "Authorization", "bearer": "optional" },
      "jwt": {
        "issuer": "https://idp.example.com/",
        "audiences": ["api://pets"],
        "jwksUri": "https://idp.example.com/.well-known/jwks.json",
        "algorithms": ["RS256"],
        "leewaySeconds": 30,
        "requiredClaims": ["sub"]
      },
      "principalId": "claim:sub",
      "context": { "tenant": "claim:tenant_id", "email": "claim:email", "source": "literal:jwt" },
      "rules": [
        { "routes": ["GET /pets", "GET /pets/*"], "anyScope": ["pets:read"] },
        { "routes": ["POST /pets"], "anyScope": ["pets:write"], "claims": { "tier": ["gold", "silver"] } },
        { "routes": ["* /admin/*"], "claims": { "cognito:groups": ["admin"] } }
      ],
      "httpApiResponse": "iam"
    })
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn parse(v: &Value) -> Result<Config, ConfigError> {
    Config::parse(
        "rules.json",
        &v.to_string(),
        Path::new("/etc/authz"),
        &no_env,
    )
}

fn error(v: &Value) -> String {
    parse(v).unwrap_err().to_string()
}

fn claims(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap()
}

fn routes(config: &Config, c: Value) -> Vec<String> {
    config
        .granted_routes(&claims(c))
        .into_iter()
        .map(|r| match r {
            RouteSpec::Method { verb, path, .. } => format!("{verb} {path}"),
            RouteSpec::Key(k) => k.clone(),
        })
        .collect()
}

#[test]
fn the_contract_example_parses() {
    let c = parse(&contract_example()).unwrap();
    assert_eq!(
        c.token,
        TokenConfig {
            location: TokenLocation::Header("Authorization".into()),
            bearer: BearerMode::Optional
        }
    );
    assert_eq!(c.jwt.issuer, "https://idp.example.com/");
    assert_eq!(
        c.jwt.keys,
        KeyConfig::JwksUri("https://idp.example.com/.well-known/jwks.json".into())
    );
    assert_eq!(c.jwt.leeway_seconds, 30);
    assert_eq!(c.principal_id, ValueSource::Claim("sub".into()));
    assert_eq!(c.context.len(), 3);
    assert_eq!(
        c.context[2],
        ("source".into(), ValueSource::Literal("jwt".into()))
    );
    assert_eq!(c.rules.len(), 3);
    assert_eq!(c.http_api_response, HttpApiResponse::Iam);
}

#[test]
fn grants_follow_scopes_and_claims() {
    let c = parse(&contract_example()).unwrap();
    assert_eq!(
        routes(&c, json!({"scope": "openid pets:read"})),
        ["GET /pets", "GET /pets/*"]
    );
    assert_eq!(
        routes(&c, json!({"scp": ["pets:write"], "tier": "gold"})),
        ["POST /pets"]
    );
    assert!(routes(&c, json!({"scp": "pets:write", "tier": "bronze"})).is_empty());
    assert_eq!(
        routes(&c, json!({"cognito:groups": ["staff", "admin"]})),
        ["* /admin/*"]
    );
    assert_eq!(
        routes(
            &c,
            json!({"scope": "pets:read pets:write", "tier": ["silver"], "cognito:groups": "admin"})
        ),
        ["GET /pets", "GET /pets/*", "POST /pets", "* /admin/*"]
    );
    assert!(routes(&c, json!({"sub": "nobody"})).is_empty());
}

#[test]
fn routes_cover_requests_with_iam_wildcards() {
    let c = parse(&contract_example()).unwrap();
    let admin = &c.rules[2].routes[0];
    assert!(admin.covers(Some("DELETE"), Some("/admin/users/7"), None));
    assert!(!admin.covers(Some("GET"), Some("/administrator"), None));
    // The verb `*` is any HTTP method, as in the policy the handler returns for it; the path
    // glob starts at the path.
    assert!(admin.covers(Some("options"), Some("/admin/x"), None));
    assert!(!admin.covers(Some("BREW"), Some("/admin/x"), None));
    assert!(!admin.covers(Some("GET"), Some("/pets/admin/x"), None));
    let pets = &c.rules[0].routes[1];
    assert!(
        pets.covers(Some("get"), Some("/pets/1/toys"), None),
        "`*` spans `/`, verbs ignore case"
    );
    assert!(!pets.covers(Some("POST"), Some("/pets/1"), None));
    assert!(!pets.covers(None, None, Some("$connect")));
    let mut v = contract_example();
    v["rules"] = json!([{ "routes": ["$connect"] }]);
    let ws = parse(&v).unwrap();
    assert!(ws.rules[0].routes[0].covers(None, None, Some("$connect")));
    assert!(!ws.rules[0].routes[0].covers(Some("GET"), Some("/"), Some("$disconnect")));
}

#[test]
fn bearer_modes() {
    let mode = |bearer| TokenConfig {
        location: TokenLocation::Header("Authorization".into()),
        bearer,
    };
    assert_eq!(
        mode(BearerMode::Required).strip_bearer("Bearer abc"),
        Some("abc")
    );
    assert_eq!(
        mode(BearerMode::Required).strip_bearer("bearer  abc "),
        Some("abc")
    );
    assert_eq!(mode(BearerMode::Required).strip_bearer("abc"), None);
    assert_eq!(mode(BearerMode::Required).strip_bearer("Bearer "), None);
    assert_eq!(
        mode(BearerMode::Optional).strip_bearer("Bearer abc"),
        Some("abc")
    );
    assert_eq!(mode(BearerMode::Optional).strip_bearer("abc"), Some("abc"));
    assert_eq!(mode(BearerMode::Forbidden).strip_bearer("Bearer abc"), None);
    assert_eq!(mode(BearerMode::Forbidden).strip_bearer("abc"), Some("abc"));
    assert_eq!(mode(BearerMode::Optional).strip_bearer("   "), None);
}

#[test]
fn key_sources() {
    let mut v = contract_example();
    v["jwt"].as_object_mut().unwrap().remove("jwksUri");
    v["jwt"]["jwksFile"] = json!("keys/jwks.json");
    assert_eq!(
        parse(&v).unwrap().jwt.keys,
        KeyConfig::JwksFile(PathBuf::from("/etc/authz/keys/jwks.json"))
    );

    let mut v = contract_example();
    v["jwt"].as_object_mut().unwrap().remove("jwksUri");
    v["jwt"]["hmacSecretEnv"] = json!("JWT_SECRET");
    v["jwt"]["algorithms"] = json!(["HS256"]);
    let secret = "0123456789abcdef0123456789abcdef";
    let env = |k: &str| (k == "JWT_SECRET").then(|| secret.to_owned());
    let c = Config::parse("rules.json", &v.to_string(), Path::new("."), &env).unwrap();
    assert_eq!(
        c.jwt.keys,
        KeyConfig::HmacSecret {
            env: "JWT_SECRET".into(),
            secret: secret.as_bytes().to_vec()
        }
    );
    let short = |_: &str| Some("s3cret".to_owned());
    assert_eq!(
        Config::parse("rules.json", &v.to_string(), Path::new("."), &short)
            .unwrap_err()
            .to_string(),
        "rules.json: the secret in `JWT_SECRET` is 6 bytes: HMAC secrets need at least 32 (RFC 7518) (at `jwt.hmacSecretEnv`)"
    );
    assert_eq!(
        error(&v),
        "rules.json: environment variable `JWT_SECRET` is not set or empty: set it to the HMAC secret (at `jwt.hmacSecretEnv`)"
    );
}

#[test]
fn eddsa_and_es512_are_accepted_with_a_jwks_only() {
    // With a JWKS URI or file, alone or with the others.
    for algorithms in [
        json!(["EdDSA"]),
        json!(["ES512"]),
        json!(["RS256", "ES256", "ES384", "ES512", "EdDSA"]),
    ] {
        let mut v = contract_example();
        v["jwt"]["algorithms"] = algorithms.clone();
        let expected: Vec<String> = serde_json::from_value(algorithms).unwrap();
        assert_eq!(parse(&v).unwrap().jwt.algorithms, expected);
        v["jwt"].as_object_mut().unwrap().remove("jwksUri");
        v["jwt"]["jwksFile"] = json!("keys/jwks.json");
        assert_eq!(parse(&v).unwrap().jwt.algorithms, expected);
    }
    // Every name the verifier knows is accepted, and nothing else.
    for alg in crate::jwt::Algorithm::ALL {
        assert!(ALGORITHMS.contains(&alg.name()), "{alg}");
    }
    // With only an HMAC secret: refused, naming the entry.
    let secret = |_: &str| Some("0123456789abcdef0123456789abcdef".to_owned());
    for (algorithms, index, alg) in [
        (json!(["ES512"]), 0, "ES512"),
        (json!(["HS256", "EdDSA"]), 1, "EdDSA"),
    ] {
        let mut v = contract_example();
        v["jwt"].as_object_mut().unwrap().remove("jwksUri");
        v["jwt"]["hmacSecretEnv"] = json!("JWT_SECRET");
        v["jwt"]["algorithms"] = algorithms;
        let error =
            Config::parse("rules.json", &v.to_string(), Path::new("."), &secret).unwrap_err();
        assert_eq!(
            error.path().map(|p| p.as_str().to_owned()),
            Some(format!("jwt.algorithms[{index}]"))
        );
        assert_eq!(
            error.to_string(),
            format!(
                "rules.json: algorithm `{alg}` does not fit the key source: HS* needs `hmacSecretEnv`, the others a JWKS (at `jwt.algorithms[{index}]`)"
            )
        );
    }
    // Case matters, as in a token's header.
    let mut v = contract_example();
    v["jwt"]["algorithms"] = json!(["es512"]);
    assert_eq!(
        error(&v),
        "rules.json: unknown algorithm `es512`: did you mean `ES512`? (at `jwt.algorithms[0]`)"
    );
}

/// An edit to the contract example.
type Change = Box<dyn Fn(&mut Value)>;

#[test]
fn invalid_files_name_the_field() {
    let cases: Vec<(Change, &str)> = vec![
        (
            Box::new(|v| v["jwt"]["algorithms"] = json!(["none"])),
            "rules.json: algorithm `none` is never accepted: unsigned tokens prove nothing (at `jwt.algorithms[0]`)",
        ),
        (
            Box::new(|v| v["jwt"]["algorithms"] = json!(["RS265"])),
            "rules.json: unknown algorithm `RS265`: did you mean `RS256`? (at `jwt.algorithms[0]`)",
        ),
        (
            Box::new(|v| v["jwt"]["algorithms"] = json!(["HS256"])),
            "rules.json: algorithm `HS256` does not fit the key source: HS* needs `hmacSecretEnv`, the others a JWKS (at `jwt.algorithms[0]`)",
        ),
        (
            Box::new(|v| v["jwt"]["jwksFile"] = json!("k.json")),
            "rules.json: give exactly one of `jwksUri`, `jwksFile` or `hmacSecretEnv` (at `jwt`)",
        ),
        (
            Box::new(|v| {
                v["jwt"].as_object_mut().unwrap().remove("jwksUri");
            }),
            "rules.json: no key source: give one of `jwksUri`, `jwksFile` or `hmacSecretEnv` (at `jwt`)",
        ),
        (
            Box::new(|v| v["jwt"]["audience"] = json!("x")),
            "rules.json: unknown field `audience`: did you mean `audiences`? (at `jwt.audience`)",
        ),
        (
            Box::new(|v| v["jwt"]["audiences"] = json!([])),
            "rules.json: missing required field `audiences`: list the accepted `aud` (or Cognito `client_id`) values (at `jwt`)",
        ),
        (
            Box::new(|v| v["jwt"]["leewaySeconds"] = json!(-1)),
            "rules.json: expected a whole number of seconds from 0 to 300 (at `jwt.leewaySeconds`)",
        ),
        (
            Box::new(|v| v["jwt"]["jwksUri"] = json!("ftp://x")),
            "rules.json: `ftp://x` is not an https URL (plain http is allowed only on the loopback, for tests) (at `jwt.jwksUri`)",
        ),
        (
            Box::new(|v| v["jwt"]["jwksUri"] = json!("http://localhost.evil.example/jwks")),
            "rules.json: `http://localhost.evil.example/jwks` is not an https URL (plain http is allowed only on the loopback, for tests) (at `jwt.jwksUri`)",
        ),
        (
            Box::new(|v| v["jwt"]["algorithms"] = json!(["RS256", "Ed25519"])),
            "rules.json: unknown algorithm `Ed25519`: use one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA (at `jwt.algorithms[1]`)",
        ),
        (
            Box::new(|v| v["jwt"]["algorithms"] = json!(["eddsa"])),
            "rules.json: unknown algorithm `eddsa`: did you mean `EdDSA`? (at `jwt.algorithms[0]`)",
        ),
        (
            Box::new(|v| v["principalId"] = json!("sub")),
            "rules.json: `sub` is neither `claim:NAME` nor `literal:TEXT` (at `principalId`)",
        ),
        (
            Box::new(|v| v["context"]["tier"] = json!(5)),
            "rules.json: expected `claim:NAME` or `literal:TEXT` (at `context.tier`)",
        ),
        (
            Box::new(|v| v["rules"][0]["routes"] = json!(["GET pets"])),
            "rules.json: route `GET pets` has a path that does not start with `/`: write `VERB /path-glob` such as `GET /pets/*`, or a route key such as `$connect` (at `rules[0].routes[0]`)",
        ),
        (
            Box::new(|v| v["rules"][0]["routes"] = json!(["/pets"])),
            "rules.json: route `/pets` has no path: write `VERB /path-glob` such as `GET /pets/*`, or a route key such as `$connect` (at `rules[0].routes[0]`)",
        ),
        (
            Box::new(|v| v["rules"][1]["claims"]["tier"] = json!([])),
            "rules.json: list at least one accepted value (at `rules[1].claims.tier`)",
        ),
        (
            Box::new(|v| v["rules"][0]["anyScopes"] = json!(["x"])),
            "rules.json: unknown field `anyScopes`: did you mean `anyScope`? (at `rules[0].anyScopes`)",
        ),
        (
            Box::new(|v| v["token"] = json!({"header": "A", "query": "t"})),
            "rules.json: give either `header` or `query`, not both (at `token`)",
        ),
        (
            Box::new(|v| v["token"]["bearer"] = json!("maybe")),
            "rules.json: unknown bearer mode `maybe`: use `required`, `optional` or `forbidden` (at `token.bearer`)",
        ),
        (
            Box::new(|v| v["httpApiResponse"] = json!("boolean")),
            "rules.json: unknown response `boolean`: use `iam` or `simple` (at `httpApiResponse`)",
        ),
        (
            Box::new(|v| {
                v.as_object_mut().unwrap().remove("rules");
            }),
            "rules.json: missing required field `rules` (at `$`)",
        ),
    ];
    for (change, expected) in cases {
        let mut v = contract_example();
        change(&mut v);
        assert_eq!(error(&v), expected);
    }
    assert!(
        Config::parse("rules.json", "{", Path::new("."), &no_env)
            .unwrap_err()
            .to_string()
            .starts_with("rules.json: not valid JSON")
    );
    // A member named twice (a last-wins reader would silently pick one) is refused.
    let twice = contract_example()
        .to_string()
        .replacen('{', r#"{"rules": [], "#, 1);
    assert!(
        Config::parse("rules.json", &twice, Path::new("."), &no_env)
            .unwrap_err()
            .to_string()
            .starts_with("rules.json: not valid JSON: duplicate member `rules`")
    );
}

#[test]
fn defaults_and_notes() {
    let v = json!({
        "// why": "notes are allowed",
        "jwt": {"issuer": "i", "audiences": "a", "jwksUri": "https://x/jwks"},
        "rules": [{"routes": ["get /x"]}]
    });
    let c = parse(&v).unwrap();
    assert_eq!(
        c.token.location,
        TokenLocation::Header("Authorization".into())
    );
    assert_eq!(c.jwt.algorithms, ["RS256"]);
    assert_eq!(c.principal_id, ValueSource::Claim("sub".into()));
    // A rule with no conditions grants its routes to every valid token; verbs are upper-cased.
    assert_eq!(routes(&c, json!({})), ["GET /x"]);
}

#[test]
fn value_sources_resolve_claims_and_literals() {
    let c = claims(json!({"sub": "alice", "n": 3}));
    assert_eq!(
        ValueSource::Claim("sub".into()).resolve(&c),
        Some(json!("alice"))
    );
    assert_eq!(ValueSource::Claim("n".into()).resolve(&c), Some(json!(3)));
    assert_eq!(ValueSource::Claim("missing".into()).resolve(&c), None);
    assert_eq!(
        ValueSource::Literal("jwt".into()).resolve(&c),
        Some(json!("jwt"))
    );
}
