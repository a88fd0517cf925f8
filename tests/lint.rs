//! `policy-sim lint`, the real binary: every lint fires on the fixture written for it (code,
//! severity, JSON path) and a clean setup has nothing to report; exit codes and formats.

#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

mod support;
use support::policy_sim;

use serde_json::Value;

fn findings(args: &[&str]) -> (Option<i32>, Vec<(String, String, String)>) {
    let mut all = vec!["lint", "--format", "json"];
    all.extend_from_slice(args);
    let out = policy_sim(&all);
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let list = json["files"][0]["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{json}"))
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap_or("").to_owned(),
                f["severity"].as_str().unwrap_or("").to_owned(),
                f["path"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    (out.status.code(), list)
}

#[test]
fn each_lint_fires_on_its_fixture() {
    // (fixture, extra args, code, severity, path)
    let table: [(&str, &[&str], &str, &str, &str); 16] = [
        (
            "first-method-trap.json",
            &[],
            "cache-first-method-trap",
            "warning",
            "auth.responses.tok.policyDocument",
        ),
        (
            "ttl-too-long.json",
            &[],
            "ttl-above-maximum",
            "error",
            "auth.ttlSeconds",
        ),
        (
            "cache-no-identity-source.json",
            &[],
            "cache-without-identity-source",
            "error",
            "auth.identitySources",
        ),
        (
            "aws-principal-none-auth.json",
            &[],
            "aws-principal-without-iam",
            "error",
            "resourcePolicy.Statement[0].Principal",
        ),
        (
            "never-matches-seed-resource.json",
            &[],
            "never-matches",
            "error",
            "resourcePolicy.Statement[1].Resource",
        ),
        (
            "vpce-on-regional.json",
            &[],
            "condition-key-unavailable",
            "error",
            "resourcePolicy.Statement[1].Condition.StringNotEquals.aws:SourceVpce",
        ),
        (
            "allow-overrides-authorizer.json",
            &[],
            "resource-allow-overrides-authorization",
            "warning",
            "resourcePolicy.Statement[0]",
        ),
        (
            "forallvalues-allow.json",
            &[],
            "forallvalues-in-allow",
            "warning",
            "Statement[0].Condition.ForAllValues:StringEquals.aws:PrincipalTag/team",
        ),
        (
            "private-allow-anyone.json",
            &[],
            "private-allow-anyone",
            "warning",
            "policy.Statement[0]",
        ),
        ("policy-too-large.json", &[], "policy-size", "error", "$"),
        (
            "authorizer-output-large.json",
            &[],
            "authorizer-result-size",
            "error",
            "$",
        ),
        (
            "rules-many-routes.json",
            &[],
            "rules-policy-size",
            "error",
            "auth.rules",
        ),
        (
            "openapi-ttl-too-long.json",
            &[],
            "ttl-above-maximum",
            "error",
            "components.securitySchemes.lambdaAuth.x-amazon-apigateway-authorizer.authorizerResultTtlInSeconds",
        ),
        (
            "openapi-cache-no-identity-source.json",
            &[],
            "cache-without-identity-source",
            "error",
            "components.securitySchemes.lambdaAuth.x-amazon-apigateway-authorizer",
        ),
        (
            "openapi-aws-principal.json",
            &[],
            "aws-principal-without-iam",
            "error",
            "x-amazon-apigateway-policy.Statement[0].Principal",
        ),
        (
            "../../../examples/policies/ip-allowlist.json",
            &["--auth", "lambda"],
            "resource-allow-overrides-authorization",
            "warning",
            "Statement[0]",
        ),
    ];
    for (fixture, extra, code, severity, path) in table {
        let file = format!("tests/fixtures/lint/{fixture}");
        let mut args: Vec<&str> = extra.to_vec();
        args.push(&file);
        let (exit, found) = findings(&args);
        assert_eq!(
            found,
            [(code.to_owned(), severity.to_owned(), path.to_owned())],
            "{fixture}"
        );
        assert_eq!(
            exit,
            Some(if severity == "error" { 1 } else { 0 }),
            "{fixture}"
        );
    }
}

#[test]
fn a_clean_setup_and_the_bundled_examples_have_no_errors() {
    let (exit, found) = findings(&["tests/fixtures/lint/clean.json"]);
    assert_eq!((exit, found), (Some(0), vec![]));
    let out = policy_sim(&["lint", "examples/scenarios", "examples/policies"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    // The one finding in the examples is the one they exist to show.
    assert!(
        stdout.contains(
            "warning[cache-first-method-trap] auth.responses.jwt-of-alice.policyDocument"
        ),
        "{stdout}"
    );
    assert!(
        stdout.trim_end().ends_with("0 errors, 1 warning, 0 info"),
        "{stdout}"
    );
}

#[test]
fn strict_fails_on_warnings_and_human_output_names_the_fix() {
    let out = policy_sim(&[
        "lint",
        "--strict",
        "tests/fixtures/lint/first-method-trap.json",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.starts_with("tests/fixtures/lint/first-method-trap.json (scenario)\n  warning[cache-first-method-trap]"), "{stdout}");
    assert!(
        stdout.contains("    fix: return a policy that allows every method"),
        "{stdout}"
    );
}

#[test]
fn unreadable_or_unknown_input_exits_two() {
    for (file, needle) in [
        ("tests/fixtures/cli/not-json.json", "not valid JSON"),
        ("Cargo.lock", "not valid JSON"),
        (
            "tests/fixtures/lint/missing.json",
            "no such file or directory",
        ),
    ] {
        let out = policy_sim(&["lint", file]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{file}: {stderr}");
        assert!(stderr.contains(needle), "{file}: {stderr}");
    }
    let dir = std::env::temp_dir().join(format!("apigw-authz-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let odd = dir.join("odd.json");
    std::fs::write(&odd, r#"{"hello": "world"}"#).unwrap_or_else(|e| panic!("{e}"));
    let out = policy_sim(&["lint", &odd.display().to_string()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a scenario file"));
}
