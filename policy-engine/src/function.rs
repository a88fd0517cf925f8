//! Stand-ins for the authorizer Lambda function: what the simulator calls where API Gateway
//! would invoke the function. A scenario picks one: the `responses` table, an external
//! `command`, or (in the `apigw-authz` package, which depends on both crates) the rules-file
//! authorizer itself. All of them implement [`AuthorizerFunction`]; the gateway's side — event,
//! identity sources, cache, reading the response — is the same for every one.

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

/// The default time an external authorizer command may take.
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// What the function did, before the gateway interprets it.
#[derive(Debug, Clone, PartialEq)]
pub enum FunctionResult {
    /// It returned this JSON response.
    Response(Value),
    /// It failed with the error message `Unauthorized` (the gateway answers 401).
    Unauthorized,
    /// It failed in any other way, or could not be run (the gateway answers 500); the reason.
    Failed(String),
}

/// An authorizer function the simulator can invoke.
pub trait AuthorizerFunction: fmt::Debug + Send + Sync {
    /// Invoke the function with `event` (the JSON API Gateway would send). `identity` is the
    /// identity-source values joined with `,` (for TOKEN authorizers, the token): the key of a
    /// table-driven stand-in.
    fn invoke(&self, identity: &str, event: &Value) -> FunctionResult;

    /// What this function is, for explanations: ``the `responses` table``.
    fn describe(&self) -> String;
}

/// The `responses` table: the function's answers by identity. An identity without an entry is
/// a failure (500); `{"error": "Unauthorized"}` is the `Unauthorized` error, any other `error`
/// another failure; anything else is the response returned.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseTable {
    by_identity: Map<String, Value>,
}

impl ResponseTable {
    /// A table from its JSON object.
    pub fn new(by_identity: Map<String, Value>) -> Self {
        Self { by_identity }
    }

    /// The entries, keyed by identity.
    pub fn entries(&self) -> &Map<String, Value> {
        &self.by_identity
    }
}

impl AuthorizerFunction for ResponseTable {
    fn invoke(&self, identity: &str, _event: &Value) -> FunctionResult {
        let Some(entry) = self.by_identity.get(identity) else {
            return FunctionResult::Failed(format!(
                "the responses table has no entry for identity `{identity}`"
            ));
        };
        match entry.get("error") {
            None => FunctionResult::Response(entry.clone()),
            Some(Value::String(e)) if e == "Unauthorized" => FunctionResult::Unauthorized,
            Some(Value::String(e)) => FunctionResult::Failed(format!("the function failed: `{e}`")),
            Some(_) => FunctionResult::Failed("the function failed".to_owned()),
        }
    }

    fn describe(&self) -> String {
        "the `responses` table".to_owned()
    }
}

/// An external program standing in for the function: it reads the event JSON on stdin and
/// prints the response JSON on stdout. A non-zero exit with a line `Unauthorized` on stdout or
/// stderr is the `Unauthorized` error; any other non-zero exit, a timeout, or output that is
/// not JSON is a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandFunction {
    argv: Vec<String>,
    dir: PathBuf,
    timeout: Duration,
}

impl CommandFunction {
    /// The program and its arguments (`argv`, not empty), run in `dir` (the scenario file's
    /// folder: a program path containing `/` is relative to it), killed after `timeout`.
    pub fn new(argv: Vec<String>, dir: &Path, timeout: Duration) -> Option<Self> {
        if argv.first().is_none_or(String::is_empty) {
            return None;
        }
        Some(Self {
            argv,
            dir: dir.to_path_buf(),
            timeout,
        })
    }

    /// The program and its arguments.
    pub fn argv(&self) -> &[String] {
        &self.argv
    }

    /// How long the program may run.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    fn program(&self) -> PathBuf {
        let program = self.argv.first().map(String::as_str).unwrap_or_default();
        if program.contains('/') && Path::new(program).is_relative() {
            self.dir.join(program)
        } else {
            PathBuf::from(program)
        }
    }

    fn run(&self, input: &[u8]) -> Result<Finished, String> {
        let program = self.program();
        let mut child = Command::new(&program)
            .args(self.argv.iter().skip(1))
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run `{}`: {e}", program.display()))?;
        // Read both pipes on their own threads so a chatty program cannot block on a full pipe.
        let stdout = child
            .stdout
            .take()
            .map(|pipe| read_capped(pipe, MAX_RESPONSE_BYTES));
        let stderr = child
            .stderr
            .take()
            .map(|pipe| read_capped(pipe, MAX_STDERR_BYTES));
        // Write the event on its own thread too: an event larger than the pipe buffer (a
        // request with big headers) to a program that does not read it would otherwise block
        // here, before the timeout below is ever checked. Killing the program at the timeout
        // closes the pipe and ends the writer.
        if let Some(mut stdin) = child.stdin.take() {
            let input = input.to_vec();
            std::thread::spawn(move || {
                // A program that exits without reading its input is not an error by itself.
                let _ignored = stdin.write_all(&input);
            });
        }
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ignored = child.kill();
                    let _reaped = child.wait();
                    return Err(format!(
                        "`{}` did not answer within {} s and was stopped",
                        program.display(),
                        self.timeout.as_secs_f64()
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => return Err(format!("cannot wait for `{}`: {e}", program.display())),
            }
        };
        let collect = |h: Option<std::thread::JoinHandle<Vec<u8>>>| {
            h.and_then(|h| h.join().ok()).unwrap_or_default()
        };
        Ok(Finished {
            code: status.code(),
            stdout: collect(stdout),
            stderr: collect(stderr),
        })
    }
}

/// How a command ended: its exit code (`None` when killed by a signal) and its output.
struct Finished {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// The largest response a Lambda function can return to a synchronous invocation (6 MB);
/// a command printing more is a failed function, and no more than this is held in memory.
pub const MAX_RESPONSE_BYTES: usize = 6 * 1024 * 1024;

/// How much of a command's stderr is kept (only its first line is reported).
const MAX_STDERR_BYTES: usize = 64 * 1024;

/// Reads `pipe` to its end on a thread, keeping at most `cap + 1` bytes (so the reader can
/// tell the output was longer than `cap`) and discarding the rest, so that a program printing
/// without end neither fills memory nor blocks on a full pipe.
fn read_capped(pipe: impl Read + Send + 'static, cap: usize) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
        let mut kept = pipe.take(limit);
        let _partial = kept.read_to_end(&mut buf);
        let _discarded = std::io::copy(&mut kept.into_inner(), &mut std::io::sink());
        buf
    })
}

impl AuthorizerFunction for CommandFunction {
    fn invoke(&self, _identity: &str, event: &Value) -> FunctionResult {
        let input = event.to_string();
        let Finished {
            code,
            stdout,
            stderr,
        } = match self.run(input.as_bytes()) {
            Ok(out) => out,
            Err(why) => return FunctionResult::Failed(why),
        };
        if stdout.len() > MAX_RESPONSE_BYTES {
            return FunctionResult::Failed(format!(
                "the command printed more than {MAX_RESPONSE_BYTES} bytes: a Lambda function cannot return a response over 6 MB"
            ));
        }
        let stdout = String::from_utf8_lossy(&stdout);
        let stderr = String::from_utf8_lossy(&stderr);
        if code != Some(0) {
            let says_unauthorized = |text: &str| text.lines().any(|l| l.trim() == "Unauthorized");
            if says_unauthorized(&stdout) || says_unauthorized(&stderr) {
                return FunctionResult::Unauthorized;
            }
            let first_line = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            return FunctionResult::Failed(match code {
                Some(c) => format!(
                    "the command exited with status {c}: `{}`",
                    first_line.trim()
                ),
                None => "the command was killed by a signal".to_owned(),
            });
        }
        match crate::json::parse_strict(&stdout) {
            Ok(v) => FunctionResult::Response(v),
            Err(e) => FunctionResult::Failed(format!(
                "the command printed something that is not a JSON response ({e})"
            )),
        }
    }

    fn describe(&self) -> String {
        format!("the command `{}`", self.argv.join(" "))
    }
}

#[cfg(test)]
mod tests;
