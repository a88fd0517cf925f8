// Unit tests of `scenario.rs`, compiled only under #[cfg(test)] (see `mod tests;` there).
use super::*;
use crate::lambda::PayloadFormat;
use serde_json::json;

fn scenario_text(v: serde_json::Value) -> String {
    v.to_string()
}

fn minimal() -> serde_json::Value {
    json!({
        "api": {"region": "us-east-2", "accountId": "123456789012", "apiId": "aabbccddee", "stage": "prod"},
        "auth": {"type": "NONE"},
        "cases": [{"name": "root", "request": {"method": "GET", "path": "/"}, "expect": {"status": 200}}]
    })
}

fn error_of(v: serde_json::Value) -> String {
    parse("s.json", &scenario_text(v)).unwrap_err().to_string()
}

#[test]
fn a_minimal_file_runs() {
    let s = parse("s.json", &scenario_text(minimal())).unwrap();
    let report = run(&s);
    assert_eq!(report.cases.len(), 1);
    assert!(report.cases[0].pass, "{:?}", report.cases[0]);
    assert_eq!(report.cases[0].actual["status"], 200);
}

#[test]
fn errors_name_the_file_and_json_path() {
    let mut v = minimal();
    v["api"]["accountId"] = json!("1234");
    assert_eq!(
        error_of(v),
        "s.json: `1234` is not a 12-digit AWS account id (at `api.accountId`)"
    );

    let mut v = minimal();
    v["cases"][0]["request"]["sourceIp"] = json!("10.0.0.300");
    assert_eq!(
        error_of(v),
        "s.json: `10.0.0.300` is not an IP address: give an IPv4 or IPv6 address such as `192.0.2.10` (at `cases[0].request.sourceIp`)"
    );

    let mut v = minimal();
    v["cases"][0]["expect"]["status"] = json!(302);
    assert!(error_of(v).contains("(at `cases[0].expect.status`)"));

    let mut v = minimal();
    v["cases"][0]["expect"]["decision"] = json!("Deny");
    assert_eq!(
        error_of(v),
        "s.json: unknown decision `Deny`: use `Allow`, `ExplicitDeny` or `ImplicitDeny` (at `cases[0].expect.decision`)"
    );

    let mut v = minimal();
    v["auth"]["type"] = json!("COGNITO");
    assert!(error_of(v).contains("unknown auth type `COGNITO`"));

    let mut v = minimal();
    v["cases"][0]["at"] = json!(-1);
    assert!(error_of(v).contains("(at `cases[0].at`)"));

    let mut v = minimal();
    v["cases"][0]["request"]["path"] = json!("pets");
    assert!(error_of(v).contains("must start with `/`"));

    let mut v = minimal();
    v["cases"][0]["request"]["principalArn"] = json!("bob");
    assert!(error_of(v).contains("is not an IAM identity ARN"));

    let mut v = minimal();
    v["cases"][0]["request"]["context"] = json!({"UserAgent": "x"});
    assert!(error_of(v).contains("has no service prefix"));

    let mut v = minimal();
    v.as_object_mut().unwrap().remove("api");
    assert_eq!(error_of(v), "s.json: missing required field `api` (at `$`)");
}

#[test]
fn embedded_policy_errors_carry_the_full_path() {
    let mut v = minimal();
    v["cases"][0]["request"]["identityPolicies"] = json!([
        {"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*",
                        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}}]}
    ]);
    assert_eq!(
        error_of(v),
        "s.json: invalid CIDR `10.0.0.0/33`: prefix length above 32 at `cases[0].request.identityPolicies[0].Statement[0].Condition.IpAddress.aws:SourceIp`: give an IPv4 or IPv6 address or block such as `192.0.2.0/24` or `2001:db8::/32`"
    );
    let mut v = minimal();
    v["resourcePolicy"] = json!({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}});
    assert!(
        error_of(v).contains("needs `Principal` or `NotPrincipal` at `resourcePolicy.Statement`")
    );
}

#[test]
fn http_and_websocket_lambda_setups_are_validated() {
    let with = |api_type: &str, auth: serde_json::Value| {
        let mut v = minimal();
        v["api"]["type"] = json!(api_type);
        v["auth"] = auth;
        v
    };
    let error = |api_type: &str, auth: serde_json::Value| error_of(with(api_type, auth));
    assert!(
        error("HTTP", json!({"type": "LAMBDA_TOKEN", "responses": {}}))
            .contains("TOKEN authorizers exist on REST APIs only")
    );
    assert!(
        error(
            "WEBSOCKET",
            json!({"type": "LAMBDA_TOKEN", "responses": {}})
        )
        .contains("TOKEN authorizers exist on REST APIs only")
    );
    assert!(
        error(
            "HTTP",
            json!({"type": "LAMBDA_REQUEST", "responses": {}, "payloadFormatVersion": "3.0"})
        )
        .contains("unknown payload format version `3.0`")
    );
    assert!(error("HTTP", json!({"type": "LAMBDA_REQUEST", "responses": {}, "payloadFormatVersion": "1.0", "simpleResponses": true}))
        .contains("simple responses need `payloadFormatVersion` `2.0`"));
    assert!(
        error(
            "HTTP",
            json!({"type": "LAMBDA_REQUEST", "responses": {}, "ttlSeconds": 60})
        )
        .contains("caching needs at least one identity source")
    );
    assert!(error("HTTP", json!({"type": "LAMBDA_REQUEST", "responses": {}, "identitySources": ["method.request.header.A"]}))
        .contains("`method.request.header.A` is not an identity source of this API type: use `$request.header.X`"));
    assert!(error(
        "WEBSOCKET",
        json!({"type": "LAMBDA_REQUEST", "responses": {}, "identitySources": ["$request.header.A"]})
    )
    .contains("use `route.request.header.X`"));
    assert!(error("WEBSOCKET", json!({"type": "LAMBDA_REQUEST", "responses": {}, "ttlSeconds": 300, "identitySources": ["route.request.header.A"]}))
        .contains("WebSocket APIs do not cache authorizer results"));
    // Valid setups: defaults as documented.
    let http = parse(
        "f.json",
        &with("HTTP", json!({"type": "LAMBDA_REQUEST", "responses": {}})).to_string(),
    )
    .unwrap();
    let setup = http.lambda.unwrap();
    assert_eq!(setup.format, PayloadFormat::HttpV2 { simple: false });
    assert_eq!(
        setup.ttl_seconds, 0,
        "no identity source: no caching by default"
    );
    let http = parse("f.json", &with("HTTP", json!({"type": "LAMBDA_REQUEST", "responses": {}, "identitySources": ["$request.header.Authorization", "$context.routeKey"], "simpleResponses": true})).to_string()).unwrap();
    let setup = http.lambda.unwrap();
    assert_eq!(setup.format, PayloadFormat::HttpV2 { simple: true });
    assert_eq!(setup.ttl_seconds, 300);
    let ws = parse("f.json", &with("WEBSOCKET", json!({"type": "LAMBDA_REQUEST", "responses": {}, "identitySources": ["route.request.querystring.token"]})).to_string()).unwrap();
    let setup = ws.lambda.unwrap();
    assert_eq!(
        (setup.format, setup.ttl_seconds),
        (PayloadFormat::WebSocket, 0)
    );
}

#[test]
fn lambda_setups_are_validated() {
    let lambda = |auth: serde_json::Value| {
        let mut v = minimal();
        v["auth"] = auth;
        error_of(v)
    };
    assert!(lambda(json!({"type": "LAMBDA_TOKEN", "ttlSeconds": 3601, "responses": {}}))
        .contains("`3601` is not a TTL API Gateway accepts: use 0 (no caching) to 3600 seconds (at `auth.ttlSeconds`)"));
    assert!(lambda(json!({"type": "LAMBDA_TOKEN", "responses": {}, "identitySources": ["method.request.header.A", "method.request.header.B"]}))
        .contains("a TOKEN authorizer has exactly one identity source"));
    assert!(
        lambda(json!({"type": "LAMBDA_REQUEST", "responses": {}, "identitySources": []}))
            .contains("caching needs at least one identity source")
    );
    assert!(lambda(json!({"type": "LAMBDA_REQUEST", "responses": {}, "identitySources": ["method.request.cookie.x"]}))
        .contains("`method.request.cookie.x` is not an identity source"));
    assert!(lambda(
        json!({"type": "LAMBDA_REQUEST", "responses": {}, "identitySources": ["context.requestId"]})
    )
    .contains("`context.requestId` is not an identity source"));
    assert!(lambda(json!({"type": "LAMBDA_TOKEN", "responses": {}, "identityValidationExpression": "(unclosed"}))
        .contains("invalid regular expression `(unclosed`"));
    assert!(lambda(json!({"type": "LAMBDA_REQUEST", "ttlSeconds": 0, "responses": {}, "identityValidationExpression": "x"}))
        .contains("applies to TOKEN authorizers only"));
    assert!(lambda(json!({"type": "LAMBDA_TOKEN"})).contains(
        "needs `responses` (a table standing in for the function), `command` (a program) or `rules`"
    ));
    assert!(
        lambda(json!({"type": "LAMBDA_TOKEN", "responses": {"t": "allow"}}))
            .contains("(at `auth.responses.t`)")
    );
    assert!(
        lambda(json!({"type": "LAMBDA_TOKEN", "responses": {}, "command": ["./a"]}))
            .contains("give one of `responses`, `command` and `rules`, not `responses` and `command` (at `auth.command`)")
    );
    assert!(
        lambda(json!({"type": "LAMBDA_TOKEN", "command": []}))
            .contains("expected the program and its arguments")
    );
    assert!(
        lambda(json!({"type": "LAMBDA_TOKEN", "command": ["./a"], "commandTimeoutSeconds": 0}))
            .contains(
                "above 0, at most 900 (the Lambda maximum) (at `auth.commandTimeoutSeconds`)"
            )
    );
    assert!(
        lambda(json!({"type": "LAMBDA_TOKEN", "responses": {}, "commandTimeoutSeconds": 1}))
            .contains("applies to a `command` only")
    );
    assert!(
        lambda(json!({"type": "LAMBDA_TOKEN", "rules": "authorizer.json"}))
            .contains("`rules` authorizers run in `policy-sim`")
    );
    assert!(
        lambda(json!({"type": "LAMBDA_TOKEN", "responses": {}, "payloadFormatVersion": "2.0"}))
            .contains("`payloadFormatVersion` applies to HTTP APIs only")
    );
    assert!(
        lambda(json!({"type": "LAMBDA_TOKEN", "responses": {}, "account": "12"}))
            .contains("`12` is not a 12-digit AWS account id")
    );
}

#[test]
fn http_apis_have_no_resource_policy() {
    let mut v = minimal();
    v["api"]["type"] = json!("HTTP");
    v["resourcePolicy"] = json!({"Statement": []});
    assert!(error_of(v).contains("only REST APIs have resource policies"));
}

#[test]
fn notes_are_allowed_unknown_fields_are_not() {
    let mut v = minimal();
    v["description"] = json!("what this file checks");
    v["// why"] = json!("a note");
    v["cases"][0]["// note"] = json!("also fine");
    assert!(parse("s.json", &scenario_text(v)).is_ok());
    let mut v = minimal();
    v["cases"][0]["request"]["sourceIP"] = json!("192.0.2.1");
    assert_eq!(
        error_of(v),
        "s.json: unknown field `sourceIP`: did you mean `sourceIp`? (at `cases[0].request.sourceIP`)"
    );
}

#[test]
fn start_time_makes_current_time_reproducible() {
    let mut v = minimal();
    v["startTime"] = json!("2026-01-01T00:00:00Z");
    v["resourcePolicy"] = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": "execute-api:Invoke", "Resource": "execute-api:/*",
        "Condition": {"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:01:00Z"}}}]});
    v["cases"] = json!([
        {"name": "before", "at": 59, "request": {"method": "GET", "path": "/"}, "expect": {"status": 200}},
        {"name": "after", "at": 60, "request": {"method": "GET", "path": "/"}, "expect": {"status": 403}}
    ]);
    let report = run(&parse("s.json", &scenario_text(v)).unwrap());
    assert!(report.cases.iter().all(|c| c.pass), "{report:?}");
}

#[test]
fn reports_compare_only_given_fields_and_list_mismatches() {
    let mut v = minimal();
    v["cases"][0]["expect"] = json!({"status": 403, "decision": "ExplicitDeny", "authorizerInvoked": true, "principalId": "alice", "context": {"tier": "gold"}});
    let file = run(&parse("s.json", &scenario_text(v)).unwrap());
    let case = &file.cases[0];
    assert!(!case.pass);
    assert_eq!(
        case.mismatches,
        [
            "status: expected 403, got 200",
            "decision: expected ExplicitDeny, got Allow",
            "authorizerInvoked: expected true, got false",
            "principalId: expected `alice`, got none",
            "context.tier: expected `gold`, got nothing",
        ]
    );
    let report = RunReport {
        files: vec![file],
        ..RunReport::default()
    };
    assert_eq!(report.to_json()["failed"], 1);
    assert!(
        report
            .to_string()
            .starts_with("FAIL s.json :: root\n  status: expected 403, got 200")
    );
    assert!(report.to_string().ends_with("0 passed, 1 failed"));
}

#[test]
fn collect_files_reads_directories_in_name_order() {
    let dir = std::env::temp_dir().join(format!("policy-sim-collect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["b.json", "a.json", "notes.txt"] {
        std::fs::write(dir.join(name), "{}").unwrap();
    }
    let files = collect_files(&[&dir]).unwrap();
    let names: Vec<_> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["a.json", "b.json"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A folder of its own under the temporary folder, empty.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("policy-sim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn put(path: &std::path::Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn folders_are_searched_recursively_patterns_expanded_and_every_bad_path_reported() {
    let dir = scratch("find");
    for name in [
        "b.json",
        "a/c.json",
        "a/deeper/d.json",
        "a/notes.txt",
        ".git/e.json",
        "a/.f.json",
        "target/g.json",
        "a/node_modules/h.json",
    ] {
        put(&dir.join(name), "{}");
    }
    let paths = |found: &FoundFiles| -> Vec<String> {
        found
            .files
            .iter()
            .map(|f| f.path.strip_prefix(&dir).unwrap().display().to_string())
            .collect()
    };
    let found = find_files(&[&dir]);
    assert!(found.errors.is_empty(), "{:?}", found.errors);
    assert_eq!(paths(&found), ["a/c.json", "a/deeper/d.json", "b.json"]);
    assert!(found.files.iter().all(|f| !f.named));

    // A file named, and reached again by a folder: read once, as named.
    let found = find_files(&[dir.join("b.json"), dir.clone()]);
    assert_eq!(paths(&found), ["b.json", "a/c.json", "a/deeper/d.json"]);
    assert!(found.files[0].named && !found.files[1].named);

    let pattern = |p: &str| format!("{}/{p}", dir.display());
    assert_eq!(
        paths(&find_files(&[pattern("**/*.json")])),
        ["a/c.json", "a/deeper/d.json", "b.json"]
    );
    assert_eq!(paths(&find_files(&[pattern("a/*.json")])), ["a/c.json"]);
    // A folder matched is searched; a folder spelled out in the pattern is not skipped.
    assert_eq!(
        paths(&find_files(&[pattern("a/deep*")])),
        ["a/deeper/d.json"]
    );
    assert_eq!(
        paths(&find_files(&[pattern("target/*.json")])),
        ["target/g.json"]
    );

    let found = find_files(&[
        pattern("**/*.yaml"),
        pattern("a/*.txt"),
        pattern("missing.json"),
        pattern("[.json"),
    ]);
    assert!(found.files.is_empty());
    let problems: Vec<&str> = found.errors.iter().map(|e| e.problem()).collect();
    assert_eq!(problems[0], "the pattern matches no file");
    assert_eq!(problems[1], "the pattern matches no `*.json` file");
    assert_eq!(problems[2], "no such file or directory");
    assert!(
        problems[3].starts_with("not a valid pattern: "),
        "{}",
        problems[3]
    );
    assert_eq!(found.errors[2].file(), pattern("missing.json"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn file_kinds_are_told_from_their_members() {
    for (value, kind) in [
        (json!({"api": {}}), Some(FileKind::Scenario)),
        (
            json!({"cases": [], "openapi": "export.json"}),
            Some(FileKind::Scenario),
        ),
        (
            json!({"swagger": "2.0", "info": {}}),
            Some(FileKind::OpenApi),
        ),
        (
            json!({"token": {}, "jwt": {}, "rules": []}),
            Some(FileKind::AuthorizerRules),
        ),
        // A rules file says where `principalId` comes from: still a rules file.
        (
            json!({"token": {}, "principalId": "claim:sub", "rules": []}),
            Some(FileKind::AuthorizerRules),
        ),
        (
            json!({"Version": "2012-10-17", "Statement": []}),
            Some(FileKind::Policy),
        ),
        (json!("{\"Statement\": []}"), Some(FileKind::Policy)),
        (
            json!({"id": "a1b2c3d4e5", "policy": "{}"}),
            Some(FileKind::GetRestApi),
        ),
        (
            json!({"type": "TOKEN", "methodArn": "arn"}),
            Some(FileKind::AuthorizerEvent),
        ),
        (
            json!({"version": "2.0", "type": "REQUEST", "routeArn": "arn"}),
            Some(FileKind::AuthorizerEvent),
        ),
        (
            json!({"type": "REQUEST", "requestContext": {}}),
            Some(FileKind::AuthorizerEvent),
        ),
        (
            json!({"principalId": "a", "policyDocument": {}}),
            Some(FileKind::AuthorizerResponse),
        ),
        (
            json!({"isAuthorized": true}),
            Some(FileKind::AuthorizerResponse),
        ),
        (json!({"keys": []}), Some(FileKind::Jwks)),
        (json!({"keys": "x"}), None),
        (json!({"hello": "world"}), None),
        (json!([1, 2]), None),
    ] {
        assert_eq!(FileKind::of(&value), kind, "{value}");
    }
}

#[test]
fn a_suite_reports_every_problem_and_never_an_empty_pass() {
    let dir = scratch("suite");
    let text = scenario_text(minimal());
    put(&dir.join("ok.json"), &text);
    put(&dir.join("nested/also-ok.json"), &text);
    put(
        &dir.join("export.json"),
        r#"{"openapi": "3.0.1", "info": {"title": "x"}, "paths": {}}"#,
    );
    put(
        &dir.join("rules/authorizer.json"),
        r#"{"token": {}, "jwt": {}, "rules": []}"#,
    );
    let suite = load_suite_with(&[&dir], Options::default());
    assert!(suite.errors.is_empty(), "{:?}", suite.errors);
    assert_eq!(suite.scenarios.len(), 2);
    let left_out: Vec<(String, FileKind)> = suite
        .left_out
        .iter()
        .map(|l| (l.file.clone(), l.kind))
        .collect();
    assert_eq!(
        left_out,
        [
            (
                dir.join("export.json").display().to_string(),
                FileKind::OpenApi
            ),
            (
                dir.join("rules/authorizer.json").display().to_string(),
                FileKind::AuthorizerRules
            ),
        ]
    );
    let report = run_paths(&[&dir]).unwrap();
    assert_eq!((report.passed(), report.left_out.len()), (2, 2));
    assert!(report.all_passed());

    // Named, the export is refused, saying what it is.
    let err = load_file(&dir.join("export.json")).unwrap_err();
    assert!(err.problem().starts_with("this is an OpenAPI export (`openapi` or `swagger`), not a scenario file: a scenario reads it through `\"openapi\": \"FILE\"`"), "{err}");
    let err = run_paths(&[dir.join("export.json")]).unwrap_err();
    assert!(
        err.problem().starts_with("this is an OpenAPI export"),
        "{err}"
    );

    // Several invalid files: all of them, in order; no scenario runs.
    let mut without_cases = minimal();
    without_cases["cases"] = json!([]);
    put(&dir.join("x-empty.json"), &scenario_text(without_cases));
    put(&dir.join("y-odd.json"), r#"{"hello": "world"}"#);
    put(&dir.join("z-broken.json"), "{");
    let suite = load_suite_with(&[&dir], Options::default());
    let errors: Vec<String> = suite.errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors[0].contains("x-empty.json: no cases: "),
        "{}",
        errors[0]
    );
    assert!(errors[0].ends_with("(at `cases`)"), "{}", errors[0]);
    assert!(errors[1].contains("y-odd.json: not a scenario file: it has neither `api` nor `cases` (its members: `hello`)"), "{}", errors[1]);
    assert!(
        errors[2].contains("z-broken.json: not valid JSON"),
        "{}",
        errors[2]
    );
    let report = suite.run(Explain::Failures, &|_| panic!("no file may run"));
    assert!(report.files.is_empty() && !report.all_passed());
    assert_eq!(report.invalid_files.len(), 3);
    assert!(load_paths_with(&[&dir], Options::default()).is_err());

    // Nothing to run: an error naming the paths.
    let other = scratch("suite-empty");
    put(&other.join("export.json"), r#"{"swagger": "2.0"}"#);
    let suite = load_suite_with(&[&other], Options::default());
    assert_eq!(suite.errors.len(), 1);
    assert_eq!(suite.errors[0].file(), other.display().to_string());
    assert!(
        suite.errors[0].problem().starts_with(
            "no scenario file found: the one `*.json` file found is another kind of file, left out"
        ),
        "{}",
        suite.errors[0]
    );
    std::fs::remove_file(other.join("export.json")).unwrap();
    let err = run_paths(&[&other]).unwrap_err();
    assert!(
        err.problem()
            .starts_with("no scenario file found: no `*.json` file in the folders"),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&other).unwrap();
}

#[test]
fn a_command_program_is_checked_when_a_file_is_loaded_to_run_not_when_parsed() {
    let dir = scratch("program");
    let mut v = minimal();
    v["auth"] = json!({"type": "LAMBDA_TOKEN", "ttlSeconds": 0, "command": ["./no-such-authorizer", "--local"]});
    v["cases"][0]["request"]["headers"] = json!({"Authorization": "tok"});
    v["cases"][0]["expect"] = json!({"status": 500});
    let text = scenario_text(v);
    put(&dir.join("s.json"), &text);
    let err = load_file(&dir.join("s.json")).unwrap_err();
    assert_eq!(err.path().map(JsonPath::as_str), Some("auth.command[0]"));
    assert!(
        err.problem()
            .starts_with("the program `./no-such-authorizer` does not exist"),
        "{err}"
    );
    let suite = load_suite_with(&[&dir], Options::default());
    assert_eq!(suite.errors, [err]);

    // Parsed only (what `lint` does), the file is valid; run anyway, the case is not checked:
    // no status is decided, so it never passes as the 500 it expects.
    let parsed = parse_with("s.json", &text, &dir, Options::default()).unwrap();
    let report = run_with(&parsed, Explain::Failures);
    let case = &report.cases[0];
    assert_eq!(case.actual.get("status"), None);
    assert!(!case.pass);
    let error = case.error.as_deref().unwrap_or_default();
    assert!(
        error.starts_with(
            "the authorizer could not be started: cannot start `./no-such-authorizer`"
        ),
        "{error}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// JSON shaped like scenario files, with the contract's field names and odd values.
    fn scenario_like() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(json!(null)),
            any::<bool>().prop_map(|b| json!(b)),
            any::<i64>().prop_map(|n| json!(n)),
            prop_oneof![
                Just("REST".to_owned()),
                Just("AWS_IAM".to_owned()),
                Just("123456789012".to_owned()),
                Just("/".to_owned()),
                Just("192.0.2.1".to_owned()),
                Just("arn:aws:iam::123456789012:role/r".to_owned()),
                "\\PC{0,12}",
            ]
            .prop_map(|s| json!(s)),
        ];
        let keys = prop_oneof![
            Just("api"),
            Just("auth"),
            Just("cases"),
            Just("type"),
            Just("region"),
            Just("accountId"),
            Just("apiId"),
            Just("stage"),
            Just("endpoint"),
            Just("resourcePolicy"),
            Just("name"),
            Just("request"),
            Just("expect"),
            Just("method"),
            Just("path"),
            Just("sourceIp"),
            Just("principalArn"),
            Just("identityPolicies"),
            Just("context"),
            Just("status"),
            Just("at"),
            Just("Statement"),
            Just("Effect"),
            Just("Principal"),
            Just("Action"),
            Just("Resource"),
            Just("Condition"),
            Just("startTime"),
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::Array),
                prop::collection::btree_map(keys.clone(), inner, 0..6).prop_map(|m| {
                    serde_json::Value::Object(
                        m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
                    )
                }),
            ]
        })
    }

    proptest! {
        #[test]
        fn no_input_panics_the_parser_or_the_runner(v in scenario_like()) {
            if let Ok(s) = parse("p.json", &v.to_string()) {
                let _ = run(&s);
            }
        }

        #[test]
        fn no_text_panics_the_parser(text in "\\PC{0,200}") {
            let _ = parse("p.json", &text);
        }
    }
}

#[test]
fn junit_report_escapes_and_counts() {
    let report = RunReport {
        files: vec![FileReport {
            file: "a&b.json".into(),
            cases: vec![
                CaseReport {
                    name: "ok <1>".into(),
                    pass: true,
                    expected: json!({}),
                    actual: json!({}),
                    mismatches: vec![],
                    explanation: String::new(),
                    error: None,
                },
                CaseReport {
                    name: "bad \"quote\" 'x'".into(),
                    pass: false,
                    expected: json!({}),
                    actual: json!({}),
                    mismatches: vec!["status: expected 200, got 403".into()],
                    explanation: "step 1\nresult: 403\u{1}".into(),
                    error: None,
                },
            ],
        }],
        ..RunReport::default()
    };
    let xml = report.to_junit();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"policy-sim\" tests=\"2\" failures=\"1\">"), "{xml}");
    assert!(
        xml.contains("<testsuite name=\"a&amp;b.json\" tests=\"2\" failures=\"1\">"),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase classname=\"a&amp;b.json\" name=\"ok &lt;1&gt;\"/>"),
        "{xml}"
    );
    assert!(
        xml.contains("name=\"bad &quot;quote&quot; &apos;x&apos;\">"),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<failure message=\"status: expected 200, got 403\">step 1\nresult: 403</failure>"
        ),
        "{xml}"
    );
}

#[test]
fn reports_carry_cases_not_checked_files_left_out_and_invalid_files() {
    let case = |name: &str, pass: bool, error: Option<&str>| CaseReport {
        name: name.into(),
        pass,
        expected: json!({"status": 500}),
        actual: json!({"status": 500}),
        mismatches: vec![],
        explanation: "result: 500".into(),
        error: error.map(str::to_owned),
    };
    let report = RunReport {
        files: vec![FileReport {
            file: "cmd.json".into(),
            cases: vec![
                case("ran", true, None),
                case(
                    "not started",
                    false,
                    Some("the authorizer could not be started"),
                ),
            ],
        }],
        left_out: vec![LeftOut::new("export.json", FileKind::OpenApi)],
        invalid_files: vec![],
    };
    assert_eq!(
        (report.passed(), report.failed(), report.errors()),
        (1, 1, 1)
    );
    assert!(!report.all_passed());
    let json = report.to_json();
    assert_eq!(json["errors"], 1);
    assert_eq!(
        json["files"][0]["cases"][0]["error"],
        serde_json::Value::Null
    );
    assert_eq!(
        json["files"][0]["cases"][1]["error"],
        "the authorizer could not be started"
    );
    assert_eq!(
        json["leftOut"],
        json!([{"file": "export.json", "kind": "openapi"}])
    );
    let xml = report.to_junit();
    assert!(
        xml.contains(
            "<testsuites name=\"policy-sim\" tests=\"3\" failures=\"0\" errors=\"1\" skipped=\"1\">"
        ),
        "{xml}"
    );
    assert!(
        xml.contains("<testsuite name=\"cmd.json\" tests=\"2\" failures=\"0\" errors=\"1\">"),
        "{xml}"
    );
    assert!(
        xml.contains("<error message=\"the authorizer could not be started\">result: 500</error>"),
        "{xml}"
    );
    assert!(xml.contains("<skipped message=\"left out: an OpenAPI export (`openapi` or `swagger`), not a scenario file\"/>"), "{xml}");
    assert!(
        report
            .to_string()
            .contains("ERROR cmd.json :: not started\n  the authorizer could not be started")
    );

    let refused = RunReport {
        invalid_files: vec![FileError::new(
            "bad.json",
            Some(&JsonPath::root().key("api")),
            "missing",
        )],
        ..RunReport::default()
    };
    assert!(!refused.all_passed());
    assert_eq!(
        refused.to_json()["invalidFiles"],
        json!([{"file": "bad.json", "path": "api", "problem": "missing", "message": "bad.json: missing (at `api`)"}])
    );
    assert!(
        refused
            .to_junit()
            .contains("<testsuites name=\"policy-sim\" tests=\"1\" failures=\"0\" errors=\"1\">")
    );
    assert!(
        refused
            .to_string()
            .starts_with("error: bad.json: missing (at `api`)\n")
    );
    // A report without cases is no pass.
    assert!(!RunReport::default().all_passed());
}

#[test]
fn openapi_path_templates() {
    for (template, path, fits) in [
        ("/pets", "/pets", true),
        ("/pets", "/pets/1", false),
        ("/pets/{id}", "/pets/1", true),
        ("/pets/{id}", "/pets/", false),
        ("/pets/{id}", "/pets/1/photos", false),
        ("/admin/{proxy+}", "/admin/a/b/c", true),
        ("/admin/{proxy+}", "/admin", false),
        ("/", "/", true),
        ("$default", "/anything/at/all", true),
    ] {
        assert_eq!(
            path_matches_template(template, path),
            fits,
            "{template} {path}"
        );
    }
}

/// A scenario over `tests/fixtures/openapi/pets-export.json` (a copy of the bundled example).
fn openapi_scenario(
    auth: serde_json::Value,
    cases: serde_json::Value,
) -> Result<Scenario, ScenarioError> {
    let v = json!({
        "openapi": "tests/fixtures/openapi/pets-export.json",
        "api": {"region": "us-east-1", "accountId": "123456789012", "apiId": "a1b2c3d4e5", "stage": "prod"},
        "auth": auth,
        "cases": cases,
    });
    parse_with(
        "s.json",
        &v.to_string(),
        Path::new(env!("CARGO_MANIFEST_DIR")),
        Options::default(),
    )
}

#[test]
fn an_openapi_export_supplies_the_policy_and_the_authorizer_settings() {
    let get = json!([{"name": "a", "request": {"method": "GET", "path": "/pets/7"}}]);
    let s = openapi_scenario(
        json!({"authorizer": "jwtAuthorizer", "responses": {}}),
        get.clone(),
    )
    .unwrap();
    let lambda = s.lambda.unwrap();
    assert_eq!(lambda.kind, crate::lambda::LambdaKind::Token);
    assert_eq!(lambda.ttl_seconds, 300);
    assert_eq!(
        lambda.validation.unwrap().as_str(),
        "^Bearer [-_.A-Za-z0-9]+$"
    );
    assert_eq!(
        lambda.identity_sources,
        [IdentitySource::Header("Authorization".into())]
    );
    assert!(s.gateway.resource_policy.is_some(), "the export's policy");
    let err = |auth: serde_json::Value, cases: serde_json::Value| {
        openapi_scenario(auth, cases).unwrap_err().to_string()
    };
    assert!(err(
        json!({"authorizer": "jwtAuthoriser", "responses": {}}),
        get.clone()
    )
    .contains(
        "has no authorizer `jwtAuthoriser`: did you mean `jwtAuthorizer`? (at `auth.authorizer`)"
    ));
    assert!(err(json!({"authorizer": "jwtAuthorizer", "ttlSeconds": 0, "responses": {}}), get.clone())
        .contains("authorizer `jwtAuthorizer` of the export sets `ttlSeconds` already: remove it here (at `auth.ttlSeconds`)"));
    assert!(
        err(
            json!({"authorizer": "jwtAuthorizer", "responses": {}}),
            json!([{"name": "a", "request": {"method": "GET", "path": "/cats"}}])
        )
        .contains("`GET /cats` is not a method of the export")
    );
    assert!(
        err(
            json!({"authorizer": "jwtAuthorizer", "responses": {}}),
            json!([{"name": "a", "request": {"method": "GET", "path": "/health"}}])
        )
        .contains("`GET /health` is `GET /health` in the export, authorized by `NONE`")
    );
    assert!(
        err(
            json!({"type": "LAMBDA_TOKEN", "responses": {}}),
            get.clone()
        )
        .contains("with `openapi`, name the export's authorizer")
    );
    // Without `openapi`, `authorizer` is not a field of `auth`.
    let mut plain = minimal();
    plain["auth"] = json!({"authorizer": "x", "type": "NONE"});
    assert!(error_of(plain).contains("authorizer"));
}

#[test]
fn context_objects_match_in_any_member_order_arrays_in_order() {
    let want = json!({"tenant": "acme", "source": "jwt"});
    assert!(context_value_matches(
        &want,
        Some(&json!({"source": "jwt", "tenant": "acme"}))
    ));
    assert!(!context_value_matches(
        &want,
        Some(&json!({"source": "jwt"}))
    ));
    assert!(!context_value_matches(
        &json!(["a", "b"]),
        Some(&json!(["b", "a"]))
    ));
    assert!(context_value_matches(&json!(123), Some(&json!("123"))));
    assert!(context_value_matches(&json!("true"), Some(&json!(true))));
    assert!(!context_value_matches(&json!("x"), None));
}

/// Issue #14 (found by the docs review): `NONE` and `AWS_IAM` returned before reading the rest
/// of `auth`, so `{"type": "NONE", "ttlSeconds": 99999, "responses": {...}}` passed as if the
/// authorizer settings had been checked. They are refused, naming the field.
#[test]
fn lambda_settings_on_an_auth_without_an_authorizer_are_refused() {
    for (kind, field, value) in [
        ("NONE", "ttlSeconds", json!(99999)),
        ("NONE", "identitySources", json!(["bogus"])),
        (
            "AWS_IAM",
            "responses",
            json!({"tok": {"error": "Unauthorized"}}),
        ),
        ("NONE", "account", json!("111111111111")),
    ] {
        let mut v = minimal();
        v["auth"] = json!({"type": kind, field: value});
        assert_eq!(
            error_of(v),
            format!(
                "s.json: `{field}` is a Lambda authorizer setting, and `{kind}` authorization has no authorizer: remove it, or use `LAMBDA_TOKEN` / `LAMBDA_REQUEST` (at `auth.{field}`)"
            )
        );
    }
    // The contract documents `account` as unused for AWS_IAM, and notes are always welcome.
    let mut v = minimal();
    v["auth"] =
        json!({"type": "AWS_IAM", "account": "111111111111", "description": "signed callers"});
    assert!(parse("s.json", &scenario_text(v)).is_ok());
}
