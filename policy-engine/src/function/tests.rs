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
    match missing.invoke("", &json!({})) {
        FunctionResult::Failed(why) => assert!(why.contains("cannot run"), "{why}"),
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
