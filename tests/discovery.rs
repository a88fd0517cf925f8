//! Which files `policy-sim test` and `lint` read (issue #14, items 6 and 7), through the real
//! binary: folders searched recursively, glob patterns, other kinds of JSON file left out with
//! a note, every invalid file reported in one run, and no green run that checked nothing —
//! a path without scenarios, a scenario without cases, and an authorizer `command` that cannot
//! be started all exit 2.

#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

mod support;
use support::{policy_sim, root, text};

use std::path::{Path, PathBuf};

use serde_json::Value;

const FIXTURES: &str = "tests/fixtures/discovery";

/// `(exit status, stdout, stderr)`.
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = policy_sim(args);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

/// A scratch folder for one test, empty.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "policy-sim-discovery-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

fn write(path: &Path, contents: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(path, contents).unwrap_or_else(|e| panic!("{e}"));
}

fn fixture(name: &str) -> String {
    format!("{FIXTURES}/{name}")
}

// ---- no silent pass ----

#[test]
fn a_folder_without_scenario_files_exits_two_naming_it() {
    let empty = scratch("empty");
    write(&empty.join("README.md"), "no scenarios here\n");
    let empty = empty.display().to_string();
    for command in ["test", "lint"] {
        let (code, stdout, stderr) = run(&[command, &empty]);
        assert_eq!(code, Some(2), "{command}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "{command}: {stdout}");
        assert!(
            stderr.starts_with(&format!("error: {empty}: no ")),
            "{command}: {stderr}"
        );
    }
    let (_, _, stderr) = run(&["test", &empty]);
    assert!(stderr.contains("no scenario file found"), "{stderr}");
    let _ = std::fs::remove_dir_all(&empty);
}

#[test]
fn a_folder_holding_only_other_kinds_of_file_exits_two_after_saying_what_they_are() {
    let (code, stdout, stderr) = run(&["test", "examples/openapi"]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("note: examples/openapi/pets-export.json: left out: an OpenAPI export"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error: examples/openapi: no scenario file found"),
        "{stderr}"
    );
}

#[test]
fn a_scenario_file_without_cases_is_refused_by_test_but_linted() {
    let file = fixture("no-cases.json");
    let (code, stdout, stderr) = run(&["test", &file]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.starts_with(&format!("error: {file}: no cases")),
        "{stderr}"
    );
    assert!(stderr.contains("(at `cases`)"), "{stderr}");
    // A setup without cases is still worth a review.
    let (code, stdout, stderr) = run(&["lint", &file]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
}

// ---- folders, patterns and the files found in them ----

#[test]
fn a_folder_is_searched_recursively_and_other_files_are_left_out_with_a_note() {
    let dir = fixture("mixed");
    let (code, stdout, stderr) = run(&["test", &dir]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let passed: Vec<&str> = stdout.lines().filter(|l| l.starts_with("PASS ")).collect();
    assert_eq!(
        passed,
        [
            format!("PASS {dir}/nested/deeper/more.json :: reads are allowed"),
            format!("PASS {dir}/nested/deeper/more.json :: deletes are denied"),
            format!("PASS {dir}/pets.json :: no resource policy, no authorization: allowed"),
        ],
        "{stdout}"
    );
    assert_eq!(stdout.lines().last(), Some("3 passed, 0 failed"));
    // Each file left out is named with what it was taken for, in path order.
    let notes: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        notes,
        [
            format!(
                "note: {dir}/authorizer.json: left out: an authorizer rules file (`token`, `jwt`, `rules`), not a scenario file"
            ),
            format!(
                "note: {dir}/events/token.json: left out: an authorizer event (`type`, `methodArn` or `routeArn`), not a scenario file"
            ),
            format!(
                "note: {dir}/get-rest-api.json: left out: `aws apigateway get-rest-api` output (`policy`), not a scenario file"
            ),
            format!(
                "note: {dir}/jwks.json: left out: a JSON Web Key Set (`keys`), not a scenario file"
            ),
            format!(
                "note: {dir}/pets-export.json: left out: an OpenAPI export (`openapi` or `swagger`), not a scenario file"
            ),
            format!(
                "note: {dir}/policy.json: left out: a policy (`Statement`), not a scenario file"
            ),
            format!(
                "note: {dir}/response.json: left out: an authorizer response (`principalId`, `policyDocument` or `isAuthorized`), not a scenario file"
            ),
        ],
        "{stderr}"
    );
    // Hidden folders (an editor's `.drafts/pets.json`, not JSON) are not searched.
    assert!(!stderr.contains(".drafts"), "{stderr}");
}

#[test]
fn the_repository_folders_hold_only_scenarios_and_files_recognised_beside_them() {
    // `tests/scenarios` now reaches `authorizers/` (a rules file the scenarios name) and
    // `commands/` (a shell script, not `*.json`).
    let (code, stdout, stderr) = run(&["test", "tests/scenarios"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(
        stderr,
        "note: tests/scenarios/authorizers/pets-simple.json: left out: an authorizer rules file (`token`, `jwt`, `rules`), not a scenario file\n"
    );
    let (code, stdout, stderr) = run(&["test", "examples/scenarios"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn every_invalid_file_is_reported_in_one_run_and_no_case_runs() {
    let dir = fixture("invalid");
    let (code, stdout, stderr) = run(&["test", &dir]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(
        stdout.is_empty(),
        "no case may run when a file is invalid: {stdout}"
    );
    let errors: Vec<&str> = stderr.lines().collect();
    assert_eq!(errors.len(), 3, "{stderr}");
    assert_eq!(
        errors[0],
        format!(
            "error: {dir}/a-typo.json: unknown field `expcet`: did you mean `expect`? (at `cases[0].expcet`)"
        )
    );
    assert!(
        errors[1].starts_with(&format!("error: {dir}/b-not-json.json: not valid JSON")),
        "{stderr}"
    );
    assert!(
        errors[2].starts_with(&format!("error: {dir}/c-unknown.json: not a scenario file")),
        "{stderr}"
    );
    assert!(!stderr.contains("d-valid.json"), "{stderr}");
}

#[test]
fn a_file_named_on_the_command_line_must_be_a_scenario() {
    let export = fixture("mixed/pets-export.json");
    let (code, stdout, stderr) = run(&["test", &export]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(
        stderr.starts_with(&format!(
            "error: {export}: this is an OpenAPI export (`openapi` or `swagger`), not a scenario file"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("\"openapi\""),
        "the fix names the field: {stderr}"
    );
    let rules = fixture("mixed/authorizer.json");
    let (code, _, stderr) = run(&["test", &rules]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("this is an authorizer rules file"),
        "{stderr}"
    );
    assert!(stderr.contains("\"rules\""), "{stderr}");
}

#[test]
fn glob_patterns_select_files_the_way_folders_do() {
    let pattern = fixture("mixed/**/*.json");
    let (code, stdout, stderr) = run(&["test", &pattern]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.lines().last(), Some("3 passed, 0 failed"));
    assert!(stderr.contains("left out: an OpenAPI export"), "{stderr}");
    // One level only: `*` does not cross `/`.
    let (code, stdout, stderr) = run(&["test", &fixture("mixed/*.json")]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.lines().last(), Some("1 passed, 0 failed"));
    // A pattern that matches nothing, and a plain path that does not exist, are errors naming
    // them — every one of them in the same run.
    let nothing = fixture("mixed/**/*.yaml");
    let typo = fixture("mixd/pets.json");
    let (code, stdout, stderr) = run(&["test", &nothing, &typo, &fixture("mixed")]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains(&format!("error: {nothing}: the pattern matches no file")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("error: {typo}: no such file or directory")),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["test", &fixture("mixed/[.json")]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("not a valid pattern"), "{stderr}");
}

#[test]
fn folder_searches_skip_hidden_folders_target_and_node_modules() {
    let dir = scratch("skips");
    let scenario = std::fs::read_to_string(root().join(fixture("mixed/pets.json")))
        .unwrap_or_else(|e| panic!("{e}"));
    write(&dir.join("api/pets.json"), &scenario);
    for skipped in [
        "target/debug/.fingerprint.json",
        "target/report.json",
        "api/node_modules/pkg/package.json",
        ".git/info.json",
        "api/.hidden.json",
    ] {
        write(&dir.join(skipped), "{\"not\": \"a scenario\"}");
    }
    let (code, stdout, stderr) = run(&["test", &dir.display().to_string()]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.lines().last(), Some("1 passed, 0 failed"));
    assert!(stderr.is_empty(), "{stderr}");
    // A pattern searches the same way, unless it names such a folder itself.
    let (code, stdout, stderr) = run(&["test", &format!("{}/**/*.json", dir.display())]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    let (code, _, stderr) = run(&["test", &format!("{}/target/*.json", dir.display())]);
    assert_eq!(code, Some(2), "named by the pattern, so read: {stderr}");
    assert!(
        stderr.contains("report.json: not a scenario file"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- reports ----

#[test]
fn json_and_junit_reports_carry_the_files_left_out_and_the_invalid_ones() {
    let (code, stdout, _) = run(&["test", "--format", "json", &fixture("mixed")]);
    assert_eq!(code, Some(0), "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(
        (report["passed"].as_u64(), report["failed"].as_u64()),
        (Some(3), Some(0))
    );
    assert_eq!(report["files"].as_array().map(Vec::len), Some(2));
    let left_out = report["leftOut"]
        .as_array()
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(left_out.len(), 7);
    assert_eq!(
        left_out[0],
        serde_json::json!({"file": fixture("mixed/authorizer.json"), "kind": "authorizer rules"})
    );
    assert_eq!(report["invalidFiles"], serde_json::json!([]));

    let (code, stdout, _) = run(&["test", "--format", "json", &fixture("invalid")]);
    assert_eq!(code, Some(2), "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(report["files"], serde_json::json!([]));
    assert_eq!(
        (report["passed"].as_u64(), report["failed"].as_u64()),
        (Some(0), Some(0))
    );
    let invalid = report["invalidFiles"]
        .as_array()
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(invalid.len(), 3);
    assert_eq!(invalid[0]["file"], fixture("invalid/a-typo.json"));
    assert_eq!(invalid[0]["path"], "cases[0].expcet");
    assert!(
        invalid[0]["problem"]
            .as_str()
            .is_some_and(|p| p.starts_with("unknown field `expcet`"))
    );

    let (code, xml, _) = run(&["test", "--format", "junit", &fixture("invalid")]);
    assert_eq!(code, Some(2), "{xml}");
    assert!(xml.contains("errors=\"3\""), "{xml}");
    assert_eq!(xml.matches("<error ").count(), 3, "{xml}");
    let (code, xml, _) = run(&["test", "--format", "junit", &fixture("mixed")]);
    assert_eq!(code, Some(0), "{xml}");
    assert_eq!(xml.matches("<skipped ").count(), 7, "{xml}");
}

// ---- authorizer commands ----

#[test]
fn a_command_that_does_not_exist_or_cannot_be_executed_is_a_scenario_error() {
    for (file, program) in [
        ("missing-program.json", "./no-such-authorizer"),
        ("not-on-path.json", "no-such-authorizer-on-path"),
        ("not-executable.json", "./not-executable.sh"),
    ] {
        let file = fixture(&format!("commands/{file}"));
        let (code, stdout, stderr) = run(&["test", &file]);
        assert_eq!(code, Some(2), "{file}: {stdout}{stderr}");
        assert!(stdout.is_empty(), "{file}: no case may run: {stdout}");
        assert!(stderr.starts_with(&format!("error: {file}: ")), "{stderr}");
        assert!(stderr.contains(&format!("`{program}`")), "{file}: {stderr}");
        assert!(
            stderr.contains("(at `auth.command[0]`)"),
            "{file}: {stderr}"
        );
    }
    // A program that starts and then fails is the authorizer failing: 500, as expected there.
    let (code, stdout, stderr) = run(&["test", "tests/scenarios/command-authorizer.json"]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("PASS tests/scenarios/command-authorizer.json :: a crash: 500"));
}

#[cfg(target_os = "linux")]
#[test]
fn a_command_the_os_cannot_start_when_a_case_runs_is_an_error_never_a_500() {
    let file = fixture("commands/cannot-start.json");
    let (code, stdout, stderr) = run(&["test", &file]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(!stdout.contains("PASS"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "ERROR {file} :: a case expecting the authorizer to fail"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("not-a-program"), "{stdout}");
    assert_eq!(stdout.lines().last(), Some("0 passed, 1 failed"));
    assert!(stderr.contains("could not be run"), "{stderr}");
    let (code, stdout, _) = run(&["test", "--format", "json", &file]);
    assert_eq!(code, Some(2), "{stdout}");
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let case = &report["files"][0]["cases"][0];
    assert_eq!(case["pass"], false);
    assert!(
        case["error"]
            .as_str()
            .is_some_and(|e| e.contains("could not be started")),
        "{case}"
    );
    let (code, xml, _) = run(&["test", "--format", "junit", &file]);
    assert_eq!(code, Some(2), "{xml}");
    assert!(
        xml.contains("errors=\"1\" failures=\"0\"") || xml.contains("failures=\"0\" errors=\"1\""),
        "{xml}"
    );
    // `check` runs the same case: an error too, not a denied request.
    let (code, stdout, stderr) = run(&[
        "check",
        "--scenario",
        &file,
        "--case",
        "a case expecting the authorizer to fail",
    ]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert!(stderr.contains("could not be started"), "{stderr}");
}

#[test]
fn a_program_path_is_relative_to_the_scenario_folder_wherever_policy_sim_runs() {
    let (code, stdout, stderr) = run(&["test", &fixture("commands/relative-program.json")]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(stdout.lines().last(), Some("1 passed, 0 failed"));
}

// ---- lint ----

#[test]
fn lint_searches_folders_and_patterns_the_same_way() {
    let dir = fixture("mixed");
    let (code, stdout, stderr) = run(&["lint", "--format", "json", &dir]);
    assert!(matches!(code, Some(0 | 1)), "{stdout}{stderr}");
    let report: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let files: Vec<(String, String)> = report["files"]
        .as_array()
        .unwrap_or_else(|| panic!("{report}"))
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap_or("").to_owned(),
                f["kind"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("get-rest-api.json", "policy"),
        ("nested/deeper/more.json", "scenario"),
        ("pets-export.json", "openapi"),
        ("pets.json", "scenario"),
        ("policy.json", "policy"),
        ("response.json", "authorizer output"),
    ]
    .iter()
    .map(|(f, k)| (format!("{dir}/{f}"), (*k).to_owned()))
    .collect();
    assert_eq!(files, expected);
    // What lint does not review is left out with a note.
    let notes: Vec<&str> = stderr.lines().collect();
    assert_eq!(
        notes,
        [
            format!(
                "note: {dir}/authorizer.json: left out: an authorizer rules file (`token`, `jwt`, `rules`), which lint does not review"
            ),
            format!(
                "note: {dir}/events/token.json: left out: an authorizer event (`type`, `methodArn` or `routeArn`), which lint does not review"
            ),
            format!(
                "note: {dir}/jwks.json: left out: a JSON Web Key Set (`keys`), which lint does not review"
            ),
        ],
        "{stderr}"
    );
    let (_, stdout, _) = run(&["lint", "--format", "json", &fixture("mixed/**/*.json")]);
    let by_pattern: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(by_pattern["files"], report["files"]);
    // Named, a rules file is refused saying what it is.
    let rules = fixture("mixed/authorizer.json");
    let (code, _, stderr) = run(&["lint", &rules]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.starts_with(&format!("error: {rules}: this is an authorizer rules file")),
        "{stderr}"
    );
    // Every invalid file in one run.
    let (code, stdout, stderr) = run(&["lint", &fixture("invalid")]);
    assert_eq!(code, Some(2), "{stdout}{stderr}");
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(
        stderr.contains("b-not-json.json: not valid JSON"),
        "{stderr}"
    );
    assert!(
        stderr.contains("c-unknown.json: not a scenario file"),
        "{stderr}"
    );
}
