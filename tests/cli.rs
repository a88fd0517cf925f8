//! The real `policy-sim` binary, driven as a user or CI would: exit codes, output formats and
//! error messages of `policy-sim test` (docs/scenario-format.md).

#![allow(
    clippy::panic,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

mod support;
use support::{policy_sim, root, text};

use std::process::Command;

use serde_json::Value;

#[test]
fn passing_files_exit_zero_with_one_line_per_case() {
    let out = policy_sim(&[
        "test",
        "examples/scenarios/seed-ip-range.json",
        "examples/scenarios/seed-cross-account-roles.json",
    ]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
    assert_eq!(stdout.lines().filter(|l| l.starts_with("PASS ")).count(), 6);
    assert!(
        stdout.contains("PASS examples/scenarios/seed-ip-range.json :: caller outside the block")
    );
    assert_eq!(stdout.lines().last(), Some("6 passed, 0 failed"));
}

#[test]
fn a_directory_runs_every_json_file_in_it() {
    let out = policy_sim(&["test", "examples/scenarios"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("seed-cross-account-roles.json"));
}

#[test]
fn a_failing_case_exits_one_and_is_explained() {
    let out = policy_sim(&["test", "tests/fixtures/cli/failing.json"]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(
            "FAIL tests/fixtures/cli/failing.json :: home caller wrongly expected to pass"
        )
    );
    assert!(stdout.contains("status: expected 200, got 403"));
    assert!(stdout.contains("decision: expected Allow, got ImplicitDeny"));
    // The explanation names the statement and the request value its condition saw.
    assert!(stdout.contains("Statement[0] \"OfficeOnly\" (Allow): no match on condition: IpAddress `aws:SourceIp`: request value `203.0.113.5` vs [`192.0.2.0/24`] → false"), "{stdout}");
    assert!(stdout.trim_end().ends_with("1 passed, 1 failed"));
}

#[test]
fn json_output_follows_the_contract() {
    let out = policy_sim(&[
        "test",
        "--format",
        "json",
        "tests/fixtures/cli/failing.json",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report["passed"], 1);
    assert_eq!(report["failed"], 1);
    let file = &report["files"][0];
    assert_eq!(file["file"], "tests/fixtures/cli/failing.json");
    let case = &file["cases"][1];
    assert_eq!(case["name"], "home caller wrongly expected to pass");
    assert_eq!(case["pass"], false);
    assert_eq!(
        case["expected"],
        serde_json::json!({"status": 200, "decision": "Allow"})
    );
    assert_eq!(case["actual"]["status"], 403);
    assert_eq!(case["actual"]["decision"], "ImplicitDeny");
    assert_eq!(case["actual"]["gatewayResponse"], "ACCESS_DENIED");
    assert!(
        case["explanation"]
            .as_str()
            .is_some_and(|e| e.contains("resource policy: Neither Allow nor Deny"))
    );
}

#[test]
fn an_invalid_policy_exits_two_naming_file_and_path() {
    let out = policy_sim(&["test", "tests/fixtures/cli/invalid-operator.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stdout.is_empty(),
        "no case may run when a file is invalid"
    );
    assert_eq!(
        text(&out.stderr).trim_end(),
        "error: tests/fixtures/cli/invalid-operator.json: unknown condition operator `NotIpAdress` at `resourcePolicy.Statement[1].Condition.NotIpAdress`: did you mean `NotIpAddress`?"
    );
}

#[test]
fn an_unknown_field_exits_two_with_a_suggestion() {
    let out = policy_sim(&["test", "tests/fixtures/cli/invalid-field.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr).trim_end(),
        "error: tests/fixtures/cli/invalid-field.json: unknown field `expcet`: did you mean `expect`? (at `cases[0].expcet`)"
    );
}

#[test]
fn unreadable_input_exits_two() {
    let out = policy_sim(&["test", "tests/fixtures/cli/not-json.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).starts_with("error: tests/fixtures/cli/not-json.json: not valid JSON")
    );
    let out = policy_sim(&["test", "tests/fixtures/cli/missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        text(&out.stderr),
        "error: tests/fixtures/cli/missing.json: no such file or directory\n"
    );
    let out = policy_sim(&["test"]);
    assert_eq!(out.status.code(), Some(2), "clap usage errors exit 2 too");
}

// ---- policy-sim check ----

fn check_json(args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let out = policy_sim(&all);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", text(&out.stdout), text(&out.stderr)));
    (out.status.code(), json)
}

#[test]
fn check_from_flags_allows_and_denies_with_exit_codes() {
    let policy = "examples/policies/ip-allowlist.json";
    let base = [
        "--resource-policy",
        policy,
        "--method",
        "GET",
        "--path",
        "/pets",
    ];
    let (code, inside) = check_json(&[&base[..], &["--source-ip", "192.0.2.10"]].concat());
    assert_eq!(code, Some(0), "{inside}");
    assert_eq!(inside["allowed"], true);
    assert_eq!(inside["result"]["status"], 200);
    assert_eq!(inside["request"], "GET /pets");
    let (code, outside) = check_json(&[&base[..], &["--source-ip", "203.0.113.9"]].concat());
    assert_eq!(code, Some(1), "{outside}");
    assert_eq!(outside["result"]["decision"], "ExplicitDeny");
    let explanation = outside["explanation"].to_string();
    assert!(explanation.contains("DenyOutsideOffice"), "{explanation}");
    // Human output: the verdict first, then the explanation.
    let out = policy_sim(&[&["check"][..], &base[..], &["--source-ip", "203.0.113.9"]].concat());
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout.starts_with("DENIED GET /pets — 403 ExplicitDeny (ACCESS_DENIED)"),
        "{stdout}"
    );
}

#[test]
fn check_reads_get_rest_api_output_and_authorizer_output() {
    // The whole `aws apigateway get-rest-api` output: the policy is its escaped `policy` string.
    let (code, json) = check_json(&[
        "--resource-policy",
        "examples/policies/get-rest-api-output.json",
        "--authorizer-output",
        "examples/policies/authorizer-output-alice.json",
        "--method",
        "GET",
        "--path",
        "/pets/7",
        "--source-ip",
        "198.51.100.20",
    ]);
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["result"]["principalId"], "alice");
    assert_eq!(
        json["result"]["context"]["tier"], "2",
        "REST context values are strings"
    );
    assert_eq!(json["result"]["tableRow"], "A1");
    // Another account's authorizer: Table B needs both layers to allow.
    let (code, json) = check_json(&[
        "--resource-policy",
        "examples/policies/get-rest-api-output.json",
        "--authorizer-output",
        "examples/policies/authorizer-output-alice.json",
        "--caller-account",
        "999999999999",
        "--method",
        "POST",
        "--path",
        "/pets",
        "--source-ip",
        "198.51.100.20",
    ]);
    assert_eq!(code, Some(1), "{json}");
    assert_eq!(json["result"]["tableRow"], "B4");
}

#[test]
fn check_an_iam_caller_from_flags() {
    let (code, json) = check_json(&[
        "--method-arn",
        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
        "--caller-arn",
        "arn:aws:iam::123456789012:role/reader",
        "--identity-policy",
        "tests/fixtures/cli/identity-allow-get.json",
    ]);
    assert_eq!(code, Some(0), "{json}");
    assert_eq!(json["request"], "GET /pets");
    // Another account with no resource policy: Table B denies.
    let (code, json) = check_json(&[
        "--method-arn",
        "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets",
        "--caller-account",
        "999999999999",
        "--identity-policy",
        "tests/fixtures/cli/identity-allow-get.json",
    ]);
    assert_eq!(code, Some(1), "{json}");
}

#[test]
fn check_a_scenario_case_runs_the_cases_before_it() {
    let file = "examples/scenarios/rules-authorizer.json";
    let (code, json) = check_json(&[
        "--scenario",
        file,
        "--case",
        "cached policy still denies what alice was not granted",
    ]);
    assert_eq!(code, Some(1), "{json}");
    assert_eq!(
        json["result"]["cacheHit"], true,
        "earlier cases filled the cache"
    );
    let (code, json) = check_json(&[
        "--scenario",
        file,
        "--case",
        "bob (pets:write) creates a pet",
    ]);
    assert_eq!(code, Some(0), "{json}");
}

#[test]
fn check_invalid_input_exits_two_and_names_the_flag() {
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "--resource-policy",
                "examples/policies/ip-allowlist.json",
                "--method",
                "GET",
                "--path",
                "/",
                "--source-ip",
                "1.2.3",
            ],
            "`--source-ip`: `1.2.3` is not an IP address",
        ),
        (
            &["--method", "GET", "--path", "/"],
            "cannot tell which API is called: give `--api arn:aws:execute-api:REGION:ACCOUNT:API_ID`",
        ),
        (
            &[
                "--api",
                "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5",
                "--method",
                "GET",
                "--path",
                "/",
            ],
            "give `--stage`",
        ),
        (
            &[
                "--scenario",
                "examples/scenarios/rules-authorizer.json",
                "--case",
                "alice (pets:read) reads a pett",
            ],
            "did you mean `alice (pets:read) reads a pet`?",
        ),
        (
            &[
                "--resource-policy",
                "tests/fixtures/cli/not-json.json",
                "--method",
                "GET",
                "--path",
                "/",
            ],
            "tests/fixtures/cli/not-json.json: not valid JSON",
        ),
    ];
    for (args, needle) in cases {
        let out = policy_sim(&[&["check"][..], args].concat());
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
}

#[test]
fn junit_output_is_one_testcase_per_case_with_failures_explained() {
    let out = policy_sim(&[
        "test",
        "--format",
        "junit",
        "tests/fixtures/cli/failing.json",
        "examples/scenarios/seed-ip-range.json",
    ]);
    let xml = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{xml}");
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{xml}"
    );
    assert!(
        xml.contains("<testsuites name=\"policy-sim\" tests=\"4\" failures=\"1\">"),
        "{xml}"
    );
    assert_eq!(xml.matches("<testcase ").count(), 4);
    assert_eq!(xml.matches("<failure ").count(), 1);
    assert!(
        xml.contains(
            "message=\"status: expected 200, got 403; decision: expected Allow, got ImplicitDeny\""
        ),
        "{xml}"
    );
    assert!(
        xml.contains("Statement[0] &quot;OfficeOnly&quot;"),
        "explanation escaped: {xml}"
    );
    assert!(
        text(&out.stderr).is_empty(),
        "no progress line off a terminal"
    );
}

#[test]
fn progress_line_goes_to_stderr_only() {
    let out = Command::new(env!("CARGO_BIN_EXE_policy-sim"))
        .args([
            "test",
            "examples/scenarios/seed-ip-range.json",
            "examples/scenarios/iam-same-account.json",
        ])
        .current_dir(root())
        .env("POLICY_SIM_PROGRESS", "1")
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = text(&out.stderr);
    // Files run in parallel: the line counts them as they finish, in whichever order.
    for file in ["seed-ip-range.json", "iam-same-account.json"] {
        assert!(
            ["[1/2]", "[2/2]"]
                .iter()
                .any(|n| stderr.contains(&format!("{n} examples/scenarios/{file}"))),
            "{stderr}"
        );
    }
    assert!(
        stderr.contains("[1/2]") && stderr.contains("[2/2]"),
        "{stderr}"
    );
    assert!(!text(&out.stdout).contains("[1/2]"));
}

#[test]
fn junit_is_refused_for_check() {
    let out = policy_sim(&[
        "check",
        "--format",
        "junit",
        "--scenario",
        "examples/scenarios/seed-ip-range.json",
        "--case",
        "caller inside the block",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("`--format junit` is for `policy-sim test`"));
}
