//! The authorizer a team deploys, run by the simulator two ways — in-process from its rules
//! file (`"auth": {"rules": ...}`) and as the real `authorizer invoke` binary through
//! `"command"` — must reach the same decisions on the same scenario.

#![allow(
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test helpers outside #[test] functions, which clippy.toml does not cover"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `authorizer` binary of this workspace (built by `cargo test --workspace`; built here
/// when only this package is tested).
fn authorizer_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    // target/<profile>/deps/<this test> → target/<profile>/authorizer
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .unwrap_or_else(|| panic!("unexpected test binary location {}", exe.display()));
    let binary = profile_dir.join(format!("authorizer{}", std::env::consts::EXE_SUFFIX));
    if !binary.exists() {
        let status = Command::new(env!("CARGO"))
            .args(["build", "-q", "-p", "authorizer", "--bin", "authorizer"])
            .current_dir(root())
            .status()
            .unwrap_or_else(|e| panic!("cannot build the authorizer: {e}"));
        assert!(status.success(), "building the authorizer failed");
    }
    binary
}

fn run_policy_sim(file: &Path) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_policy-sim"))
        .args(["test", "--format", "json"])
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run policy-sim: {e}"));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"))
}

fn decisions(report: &Value) -> Vec<(String, Value)> {
    report["files"][0]["cases"]
        .as_array()
        .unwrap_or_else(|| panic!("no cases in {report}"))
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or("").to_owned(),
                c["actual"].clone(),
            )
        })
        .collect()
}

#[test]
fn in_process_rules_and_the_real_binary_decide_alike() {
    let example = root().join("examples/scenarios/rules-authorizer.json");
    let in_process = run_policy_sim(&example);
    assert_eq!(in_process["failed"], 0);
    assert_eq!(in_process["passed"], 11);

    // The same scenario with the authorizer run as a program, as `"command"` runs any
    // authorizer: the event on stdin, the response on stdout, `Unauthorized` + exit 1.
    let mut scenario: Value =
        serde_json::from_str(&std::fs::read_to_string(&example).unwrap_or_else(|e| panic!("{e}")))
            .unwrap_or_else(|e| panic!("{e}"));
    let auth = scenario["auth"]
        .as_object_mut()
        .unwrap_or_else(|| panic!("no auth"));
    auth.remove("rules");
    let rules = root().join("examples/authorizer/rules.json");
    auth.insert(
        "command".into(),
        serde_json::json!([
            authorizer_binary().display().to_string(),
            "invoke",
            "--config",
            rules.display().to_string()
        ]),
    );
    let dir = std::env::temp_dir().join(format!("apigw-authz-cmd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let file = dir.join("rules-authorizer-command.json");
    std::fs::write(&file, scenario.to_string()).unwrap_or_else(|e| panic!("{e}"));
    let as_command = run_policy_sim(&file);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(as_command["failed"], 0, "{as_command}");
    assert_eq!(decisions(&as_command), decisions(&in_process));
}

#[test]
fn a_broken_rules_file_is_invalid_input_naming_both_files() {
    let dir = std::env::temp_dir().join(format!("apigw-authz-bad-rules-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("rules.json"),
        r#"{"token": {"header": "Authorization"}}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let scenario = r#"{"api": {"region": "us-east-1", "accountId": "123456789012", "apiId": "a1b2c3d4e5", "stage": "prod"},
        "auth": {"type": "LAMBDA_TOKEN", "rules": "rules.json"}, "cases": []}"#;
    std::fs::write(dir.join("s.json"), scenario).unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(env!("CARGO_BIN_EXE_policy-sim"))
        .args(["test"])
        .arg(dir.join("s.json"))
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("s.json"), "{stderr}");
    assert!(stderr.contains("rules.json"), "{stderr}");
    assert!(stderr.contains("(at `auth.rules`)"), "{stderr}");
}
