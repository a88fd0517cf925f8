//! The SAM template in `examples/sam/` deploys what the scenarios test: the same resource
//! policy, identity validation expression and cache TTL as
//! `examples/scenarios/rules-authorizer.json` (REST API) and
//! `examples/scenarios/rules-authorizer-http-api.json` (HTTP API), and a rules file that grants
//! exactly what `examples/authorizer/rules.json` grants. CI also runs `cfn-lint` on the
//! template; this test keeps the template and the scenarios from drifting apart.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::string_slice,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use std::path::{Path, PathBuf};

use serde_json::Value;

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(repo(path)).unwrap()).unwrap()
}

fn template() -> String {
    std::fs::read_to_string(repo("examples/sam/template.yaml")).unwrap()
}

/// The text between the `# BEGIN` and `# END` comment lines (JSON written as YAML flow style).
fn marked_block(text: &str) -> String {
    let start = text.find("# BEGIN resourcePolicy.Statement").unwrap();
    let body = &text[start..];
    let body = &body[body.find('\n').unwrap()..];
    let end = body.find("# END").unwrap();
    body[..end].to_owned()
}

/// The value of `key: value` lines (quotes stripped), in order.
fn values_of(text: &str, key: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix(&format!("{key}:")))
        .map(|v| v.trim().trim_matches('"').to_owned())
        .collect()
}

#[test]
fn the_template_deploys_the_resource_policy_the_scenario_tests() {
    let deployed: Value = serde_json::from_str(&marked_block(&template())).unwrap();
    let tested = json("examples/scenarios/rules-authorizer.json");
    assert_eq!(deployed, tested["resourcePolicy"]["Statement"]);
}

#[test]
fn the_template_configures_the_authorizers_as_the_scenarios_do() {
    let template = template();
    let rest = json("examples/scenarios/rules-authorizer.json");
    let http = json("examples/scenarios/rules-authorizer-http-api.json");
    assert_eq!(
        values_of(&template, "ValidationExpression"),
        [rest["auth"]["identityValidationExpression"]
            .as_str()
            .unwrap()]
    );
    assert_eq!(values_of(&template, "FunctionPayloadType"), ["TOKEN"]);
    assert_eq!(values_of(&template, "Header"), ["Authorization"]);
    // REST first, then the HTTP API.
    let ttls = values_of(&template, "ReauthorizeEvery");
    assert_eq!(ttls.len(), 2);
    assert_eq!(ttls[0], rest["auth"]["ttlSeconds"].to_string());
    assert_eq!(ttls[1], http["auth"]["ttlSeconds"].to_string());
    assert_eq!(
        values_of(&template, "AuthorizerPayloadFormatVersion"),
        [http["auth"]["payloadFormatVersion"].as_str().unwrap()]
    );
    assert_eq!(
        values_of(&template, "EnableSimpleResponses"),
        [http["auth"]["simpleResponses"].to_string()]
    );
    assert_eq!(
        http["auth"]["identitySources"],
        serde_json::json!(["$request.header.Authorization"])
    );
    // The function: provided.al2023 on arm64, the binary as `bootstrap`.
    assert!(values_of(&template, "Runtime").contains(&"provided.al2023".to_owned()));
    assert!(values_of(&template, "Handler").contains(&"bootstrap".to_owned()));
    assert!(template.contains("Architectures:\n        - arm64"));
}

#[test]
fn the_deployed_rules_file_grants_what_the_tested_one_grants() {
    // Valid as the function will load it at init.
    authorizer::rules::Config::load(&repo("examples/sam/authorizer.json")).unwrap();
    let deployed = json("examples/sam/authorizer.json");
    let tested = json("examples/authorizer/rules.json");
    for field in ["token", "principalId", "context", "rules"] {
        assert_eq!(deployed[field], tested[field], "`{field}` differs");
    }
    // Only the key source differs: the identity provider's JWKS endpoint instead of the
    // test-only key file.
    let (mut deployed_jwt, mut tested_jwt) = (deployed["jwt"].clone(), tested["jwt"].clone());
    assert!(
        deployed_jwt["jwksUri"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    deployed_jwt.as_object_mut().unwrap().remove("jwksUri");
    tested_jwt.as_object_mut().unwrap().remove("jwksFile");
    assert_eq!(deployed_jwt, tested_jwt);
}
