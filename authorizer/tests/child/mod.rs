//! Running a program under test with input on its standard input, shared by the integration
//! tests that drive real binaries (`#[path]`-included where another crate needs it).
//!
//! A program may exit before reading its input — a bad rules file stops the authorizer at
//! init, before the event is read — and writing to it then fails with `BrokenPipe`. That is
//! the program's answer, not the test's failure: the input is written from a thread whose
//! error is ignored, and the test judges the exit status and output. (Writing on the test's
//! own thread also risks a deadlock when the program fills its stdout pipe before reading.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a failure to start the program is the test's failure"
)]

use std::io::Write;
use std::process::{Child, Command, Output, Stdio};

/// Start `command` with piped stdin, stdout and stderr, and write `input` to its stdin from a
/// thread (closing it afterwards); the returned child's stdin is already taken.
pub fn spawn_with_input(command: &mut Command, input: &[u8]) -> Child {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the program under test starts");
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_vec();
    std::thread::spawn(move || {
        // `BrokenPipe` when the program exits without reading: see the module docs.
        let _ignored = stdin.write_all(&input);
    });
    child
}

/// Run `command` to completion with `input` on its stdin.
pub fn output_with_input(command: &mut Command, input: &[u8]) -> Output {
    spawn_with_input(command, input)
        .wait_with_output()
        .expect("the program under test can be waited for")
}
