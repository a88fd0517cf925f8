use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;

use super::*;

fn sh(script: &str, timeout: Duration) -> CommandFunction {
    CommandFunction::new(
        vec!["sh".into(), "-c".into(), script.into()],
        Path::new("."),
        timeout,
    )
    .unwrap()
}

#[test]
fn table_entries_map_to_results() {
    let table = ResponseTable::new(
        json!({
            "tok-a": {"principalId": "a", "policyDocument": {}},
            "tok-u": {"error": "Unauthorized"},
            "tok-f": {"error": "boom"},
            "tok-n": {"error": 7},
        })
        .as_object()
        .unwrap()
        .clone(),
    );
    let event = json!({});
    assert_eq!(
        table.invoke("tok-a", &event),
        FunctionResult::Response(json!({"principalId": "a", "policyDocument": {}}))
    );
    assert_eq!(table.invoke("tok-u", &event), FunctionResult::Unauthorized);
    assert_eq!(
        table.invoke("tok-f", &event),
        FunctionResult::Failed("the function failed: `boom`".into())
    );
    assert!(matches!(
        table.invoke("tok-n", &event),
        FunctionResult::Failed(_)
    ));
    match table.invoke("nobody", &event) {
        FunctionResult::Failed(why) => assert!(why.contains("`nobody`"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn command_receives_the_event_on_stdin_and_answers_on_stdout() {
    // `cat` echoes the event back: proof the event went in on stdin, whole.
    let cat = sh("cat", DEFAULT_COMMAND_TIMEOUT);
    let event = json!({"type": "TOKEN", "authorizationToken": "t", "methodArn": "arn"});
    assert_eq!(cat.invoke("t", &event), FunctionResult::Response(event));
}

#[test]
fn command_unauthorized_on_stderr_or_stdout_with_non_zero_exit() {
    let stderr = sh("echo Unauthorized >&2; exit 1", DEFAULT_COMMAND_TIMEOUT);
    assert_eq!(stderr.invoke("", &json!({})), FunctionResult::Unauthorized);
    let stdout = sh(
        "echo 'log line' >&2; echo Unauthorized; exit 3",
        DEFAULT_COMMAND_TIMEOUT,
    );
    assert_eq!(stdout.invoke("", &json!({})), FunctionResult::Unauthorized);
    // Exit 0 with `Unauthorized` printed is garbage, not the error: only a failure says it.
    let zero = sh("echo Unauthorized", DEFAULT_COMMAND_TIMEOUT);
    assert!(matches!(
        zero.invoke("", &json!({})),
        FunctionResult::Failed(_)
    ));
}

#[test]
fn command_crash_and_garbage_are_failures() {
    let crash = sh(
        "echo 'thread main panicked' >&2; exit 101",
        DEFAULT_COMMAND_TIMEOUT,
    );
    match crash.invoke("", &json!({})) {
        FunctionResult::Failed(why) => {
            assert!(why.contains("status 101"), "{why}");
            assert!(why.contains("panicked"), "{why}");
        }
        other => panic!("{other:?}"),
    }
    let garbage = sh("echo 'not json'", DEFAULT_COMMAND_TIMEOUT);
    match garbage.invoke("", &json!({})) {
        FunctionResult::Failed(why) => assert!(why.contains("not a JSON response"), "{why}"),
        other => panic!("{other:?}"),
    }
    let missing = CommandFunction::new(
        vec!["./no-such-program".into()],
        Path::new("."),
        DEFAULT_COMMAND_TIMEOUT,
    )
    .unwrap();
    // Not a failure of the function: the stand-in could not run it at all.
    match missing.invoke("", &json!({})) {
        FunctionResult::NotStarted(why) => assert!(why.contains("cannot start"), "{why}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn command_is_stopped_at_its_timeout() {
    let slow = sh("sleep 5; echo '{}'", Duration::from_millis(200));
    let started = Instant::now();
    match slow.invoke("", &json!({})) {
        FunctionResult::Failed(why) => {
            assert!(why.contains("did not answer within 0.2 s"), "{why}")
        }
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(4), "not killed");
}

/// An event larger than a pipe buffer to a program that never reads it: writing the event
/// blocked before the timeout was checked, so a 200 KB header made a 200 ms timeout wait for
/// the program (forever, for one that never exits). The timeout holds now.
#[test]
fn the_timeout_holds_when_the_program_does_not_read_a_large_event() {
    let deaf = sh("sleep 30", Duration::from_millis(200));
    let started = std::time::Instant::now();
    let event = serde_json::json!({"headers": {"X-Large": "x".repeat(200_000)}});
    match deaf.invoke("id", &event) {
        FunctionResult::Failed(why) => {
            assert!(why.contains("did not answer within 0.2 s"), "{why}")
        }
        other => panic!("{other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn relative_program_paths_resolve_against_the_scenario_folder() {
    let f = CommandFunction::new(
        vec!["./bin/auth".into()],
        Path::new("/srv/scenarios"),
        DEFAULT_COMMAND_TIMEOUT,
    )
    .unwrap();
    assert_eq!(f.program(), Path::new("/srv/scenarios/./bin/auth"));
    let on_path = CommandFunction::new(
        vec!["authorizer".into()],
        Path::new("/x"),
        DEFAULT_COMMAND_TIMEOUT,
    )
    .unwrap();
    assert_eq!(on_path.program(), Path::new("authorizer"));
    assert!(CommandFunction::new(vec![], Path::new("."), DEFAULT_COMMAND_TIMEOUT).is_none());
}

/// A folder of its own under the temporary folder, empty.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("policy-engine-fn-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn command_in(dir: &Path, program: &str) -> CommandFunction {
    CommandFunction::new(vec![program.into()], dir, DEFAULT_COMMAND_TIMEOUT).unwrap()
}

#[cfg(unix)]
#[test]
fn programs_are_resolved_as_the_os_will_run_them() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("resolve");
    let script = dir.join("allow.sh");
    std::fs::write(&script, "#!/bin/sh\necho '{}'\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let plain = dir.join("plain.sh");
    std::fs::write(&plain, "#!/bin/sh\necho '{}'\n").unwrap();
    std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::create_dir_all(dir.join("sub")).unwrap();

    // A path is relative to the scenario's folder, and comes back absolute.
    let found = command_in(&dir, "./allow.sh").resolve_program().unwrap();
    assert!(
        found.is_absolute() && found.ends_with("allow.sh"),
        "{}",
        found.display()
    );
    // A name is looked up on PATH.
    assert!(
        command_in(&dir, "sh")
            .resolve_program()
            .unwrap()
            .is_absolute()
    );

    let why = command_in(&dir, "./alow.sh").resolve_program().unwrap_err();
    assert!(
        why.starts_with("the program `./alow.sh` does not exist (looked for `"),
        "{why}"
    );
    assert!(
        why.ends_with(
            "a program path is relative to the scenario's folder): build it, or correct the path"
        ),
        "{why}"
    );
    let why = command_in(&dir, "./plain.sh")
        .resolve_program()
        .unwrap_err();
    assert!(
        why.starts_with("the program `./plain.sh` is not executable"),
        "{why}"
    );
    assert!(why.contains("`chmod +x`"), "{why}");
    let why = command_in(&dir, "./sub").resolve_program().unwrap_err();
    assert!(
        why.starts_with("the program `./sub` is a folder, not a program"),
        "{why}"
    );
    let why = command_in(&dir, "no-such-authorizer-on-path")
        .resolve_program()
        .unwrap_err();
    assert!(
        why.starts_with("no program `no-such-authorizer-on-path` on PATH: "),
        "{why}"
    );
    assert!(why.contains("`./no-such-authorizer-on-path`"), "{why}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn a_relative_program_runs_from_a_relative_scenario_folder() {
    use std::os::unix::fs::PermissionsExt;
    // The scenario folder given relative to the current one, as `policy-sim test dir/s.json`
    // gives it: the program starts in that folder, so its path must not be read from there.
    let cwd = std::env::current_dir().unwrap();
    let dir = scratch("relative");
    std::fs::write(
        dir.join("answer.sh"),
        "#!/bin/sh\ncat >/dev/null; echo '{\"principalId\": \"x\"}'\n",
    )
    .unwrap();
    std::fs::set_permissions(
        dir.join("answer.sh"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    let relative: std::path::PathBuf = std::iter::repeat_n("..", cwd.components().count())
        .collect::<std::path::PathBuf>()
        .join(dir.strip_prefix("/").unwrap());
    let command = command_in(&relative, "./answer.sh");
    assert!(
        matches!(command.invoke("", &json!({})), FunctionResult::Response(r) if r["principalId"] == "x"),
        "{:?}",
        command.invoke("", &json!({}))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_program_that_cannot_start_is_told_apart_from_one_that_fails() {
    let missing = command_in(Path::new("."), "./no-such-program");
    assert!(matches!(
        missing.invoke("", &json!({})),
        FunctionResult::NotStarted(why) if why.starts_with("cannot start `./no-such-program`")
    ));
    // A program that starts and fails is the function failing (500).
    let crash = sh("exit 3", DEFAULT_COMMAND_TIMEOUT);
    assert!(
        matches!(crash.invoke("", &json!({})), FunctionResult::Failed(why) if why.contains("status 3"))
    );
}
