//! Stand-ins for the authorizer Lambda function: what the simulator calls where API Gateway
//! would invoke the function. A scenario picks one: the `responses` table, an external
//! `command`, or (in the `apigw-authz` package, which depends on both crates) the rules-file
//! authorizer itself. All of them implement [`AuthorizerFunction`]; the gateway's side — event,
//! identity sources, cache, reading the response — is the same for every one.
//!
//! A function only produces a [`FunctionResult`]; [`crate::lambda::LambdaSetup`] decides when
//! to invoke it and what the gateway makes of the result. Implement [`AuthorizerFunction`] to
//! plug in your own stand-in (a closure over test data, your authorizer's handler called
//! in-process):
//!
//! ```
//! use policy_engine::function::{AuthorizerFunction, FunctionResult};
//! use serde_json::{json, Value};
//!
//! /// Lets `tok-admin` call anything; every other token is `Unauthorized`.
//! #[derive(Debug)]
//! struct AdminOnly;
//!
//! impl AuthorizerFunction for AdminOnly {
//!     fn invoke(&self, identity: &str, event: &Value) -> FunctionResult {
//!         if identity != "tok-admin" {
//!             return FunctionResult::Unauthorized;
//!         }
//!         FunctionResult::Response(json!({
//!             "principalId": "admin",
//!             "policyDocument": {"Version": "2012-10-17", "Statement": [{
//!                 "Effect": "Allow", "Action": "execute-api:Invoke",
//!                 "Resource": event["methodArn"]
//!             }]}
//!         }))
//!     }
//!
//!     fn describe(&self) -> String {
//!         "the admin-only stand-in".to_owned()
//!     }
//! }
//!
//! let event = json!({"type": "TOKEN", "authorizationToken": "tok-admin",
//!     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"});
//! assert!(matches!(AdminOnly.invoke("tok-admin", &event), FunctionResult::Response(_)));
//! assert_eq!(AdminOnly.invoke("tok-guest", &event), FunctionResult::Unauthorized);
//! ```

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Map, Value};

/// The default time an external authorizer command may take (a scenario's `auth.command`
/// without its own timeout); a command still running then is killed and counts as a failure.
///
/// ```
/// use std::path::Path;
/// use policy_engine::function::{CommandFunction, DEFAULT_COMMAND_TIMEOUT};
///
/// assert_eq!(DEFAULT_COMMAND_TIMEOUT.as_secs(), 10);
/// let command = CommandFunction::new(vec!["./authorizer".into()], Path::new("."), DEFAULT_COMMAND_TIMEOUT);
/// assert_eq!(command.map(|c| c.timeout()), Some(DEFAULT_COMMAND_TIMEOUT));
/// ```
pub const DEFAULT_COMMAND_TIMEOUT: Duration = Duration::from_secs(10);

/// What the function did, before the gateway interprets it
/// ([`crate::lambda::LambdaSetup::read_response`] reads a `Response`).
///
/// ```
/// use policy_engine::function::{AuthorizerFunction, FunctionResult, ResponseTable};
/// use serde_json::json;
///
/// let table = ResponseTable::new(serde_json::from_value(json!({
///     "tok-bob": {"error": "Unauthorized"},
///     "tok-boom": {"error": "Internal failure"}
/// }))?);
/// let event = json!({});
/// assert_eq!(table.invoke("tok-bob", &event), FunctionResult::Unauthorized);
/// assert!(matches!(table.invoke("tok-boom", &event), FunctionResult::Failed(_)));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum FunctionResult {
    /// It returned this JSON response.
    Response(Value),
    /// It failed with the error message `Unauthorized` (the gateway answers 401).
    Unauthorized,
    /// It failed in any other way (the gateway answers 500); the reason.
    Failed(String),
    /// It could not be run at all: the stand-in, not the function, failed (a `command` whose
    /// program the OS cannot start). API Gateway has no such outcome, so nothing is decided:
    /// the simulation stops with [`crate::flow::FlowError::AuthorizerNotStarted`] rather than
    /// pass as an authorizer failure (500).
    NotStarted(String),
}

/// An authorizer function the simulator can invoke: the stand-in for the Lambda function
/// behind an authorizer. Implementations must be thread-safe: scenario cases run in parallel.
/// See the [module docs](self) for an implementation.
///
/// ```
/// use std::sync::Arc;
/// use policy_engine::function::{AuthorizerFunction, ResponseTable};
///
/// // What a `LambdaSetup` holds: any implementation behind an `Arc`.
/// let function: Arc<dyn AuthorizerFunction> = Arc::new(ResponseTable::new(serde_json::Map::new()));
/// assert_eq!(function.describe(), "the `responses` table");
/// ```
pub trait AuthorizerFunction: fmt::Debug + Send + Sync {
    /// Invoke the function with `event` (the JSON API Gateway would send). `identity` is the
    /// identity-source values joined with `,` (for TOKEN authorizers, the token): the key of a
    /// table-driven stand-in.
    ///
    /// ```
    /// use policy_engine::function::{AuthorizerFunction, FunctionResult, ResponseTable};
    /// use serde_json::json;
    ///
    /// let table = ResponseTable::new(serde_json::from_value(json!({
    ///     "tok-alice,acme": {"principalId": "alice", "policyDocument": {}}
    /// }))?);
    /// // A REQUEST authorizer with two identity sources: their values joined with `,`.
    /// let result = table.invoke("tok-alice,acme", &json!({"type": "REQUEST"}));
    /// assert!(matches!(result, FunctionResult::Response(r) if r["principalId"] == "alice"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    fn invoke(&self, identity: &str, event: &Value) -> FunctionResult;

    /// What this function is, for explanations: ``the `responses` table``.
    ///
    /// ```
    /// use std::path::Path;
    /// use std::time::Duration;
    /// use policy_engine::function::{AuthorizerFunction, CommandFunction};
    ///
    /// let argv = vec!["./authorizer".to_owned(), "--local".to_owned()];
    /// let command = CommandFunction::new(argv, Path::new("."), Duration::from_secs(5)).unwrap();
    /// assert_eq!(command.describe(), "the command `./authorizer --local`");
    /// ```
    fn describe(&self) -> String;
}

/// The `responses` table: the function's answers by identity. An identity without an entry is
/// a failure (500); `{"error": "Unauthorized"}` is the `Unauthorized` error, any other `error`
/// another failure; anything else is the response returned.
///
/// ```
/// use policy_engine::function::{AuthorizerFunction, FunctionResult, ResponseTable};
/// use serde_json::json;
///
/// let table = ResponseTable::new(serde_json::from_value(json!({
///     "tok-alice": {"principalId": "alice", "policyDocument": {}, "context": {"tier": "gold"}}
/// }))?);
/// let event = json!({});
/// assert!(matches!(table.invoke("tok-alice", &event), FunctionResult::Response(r) if r["context"]["tier"] == "gold"));
/// assert!(matches!(table.invoke("tok-mallory", &event),
///                  FunctionResult::Failed(why) if why.contains("no entry for identity `tok-mallory`")));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseTable {
    by_identity: Map<String, Value>,
}

impl ResponseTable {
    /// A table from its JSON object (a scenario's `auth.responses`).
    ///
    /// ```
    /// use policy_engine::function::ResponseTable;
    ///
    /// let table = ResponseTable::new(serde_json::from_value(serde_json::json!({
    ///     "tok-bob": {"error": "Unauthorized"}
    /// }))?);
    /// assert_eq!(table.entries().len(), 1);
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn new(by_identity: Map<String, Value>) -> Self {
        Self { by_identity }
    }

    /// The entries, keyed by identity.
    ///
    /// ```
    /// use policy_engine::function::ResponseTable;
    ///
    /// let table = ResponseTable::new(serde_json::from_value(serde_json::json!({
    ///     "tok-bob": {"error": "Unauthorized"}
    /// }))?);
    /// assert!(table.entries().contains_key("tok-bob"));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
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
///
/// A program that cannot be started at all (not found, not executable) is not the function
/// failing but a mistake in the setup: [`CommandFunction::resolve_program`] finds it before
/// anything runs (scenario files loaded to be run check it), and invoking it anyway answers
/// [`FunctionResult::NotStarted`]: the flow stops with
/// [`FlowError::AuthorizerNotStarted`](crate::flow::FlowError::AuthorizerNotStarted), and a
/// scenario case reports it as not checked ([`crate::scenario::CaseReport::error`]) rather
/// than as the gateway's 500.
///
/// ```
/// use std::path::Path;
/// use std::time::Duration;
/// use policy_engine::function::{AuthorizerFunction, CommandFunction, FunctionResult};
/// use serde_json::json;
///
/// let event = json!({"type": "TOKEN", "authorizationToken": "tok-alice"});
/// # #[cfg(unix)] {
/// // A program answering with a fixed policy (it ignores the event on stdin).
/// let script = r#"cat >/dev/null; echo '{"principalId": "alice", "policyDocument": {}}'"#;
/// let argv = vec!["sh".to_owned(), "-c".to_owned(), script.to_owned()];
/// let command = CommandFunction::new(argv, Path::new("."), Duration::from_secs(5)).unwrap();
/// assert!(matches!(command.invoke("tok-alice", &event),
///                  FunctionResult::Response(r) if r["principalId"] == "alice"));
/// # }
///
/// // A program that cannot be started is found before anything runs...
/// let argv = vec!["./no-such-authorizer".to_owned()];
/// let missing = CommandFunction::new(argv, Path::new("."), Duration::from_secs(5)).unwrap();
/// assert!(missing.resolve_program().is_err());
/// // ...and invoked anyway, it is not the function failing (a 500) but a stand-in that
/// // never ran.
/// assert!(matches!(missing.invoke("tok-alice", &event),
///                  FunctionResult::NotStarted(why) if why.contains("cannot start")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandFunction {
    argv: Vec<String>,
    dir: PathBuf,
    timeout: Duration,
}

impl CommandFunction {
    /// The program and its arguments (`argv`, not empty), run in `dir` (the scenario file's
    /// folder: a program path containing `/` is relative to it; a name without `/` is looked
    /// up on `PATH`), killed after `timeout`.
    /// `None` when `argv` is empty or its program is the empty string.
    ///
    /// ```
    /// use std::path::Path;
    /// use policy_engine::function::{CommandFunction, DEFAULT_COMMAND_TIMEOUT};
    ///
    /// let dir = Path::new("examples/scenarios");
    /// assert!(CommandFunction::new(vec!["./authorizer.py".into()], dir, DEFAULT_COMMAND_TIMEOUT).is_some());
    /// assert!(CommandFunction::new(Vec::new(), dir, DEFAULT_COMMAND_TIMEOUT).is_none());
    /// assert!(CommandFunction::new(vec![String::new()], dir, DEFAULT_COMMAND_TIMEOUT).is_none());
    /// ```
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
    ///
    /// ```
    /// use std::path::Path;
    /// use policy_engine::function::{CommandFunction, DEFAULT_COMMAND_TIMEOUT};
    ///
    /// let argv = vec!["./authorizer".to_owned(), "--local".to_owned()];
    /// let command = CommandFunction::new(argv, Path::new("."), DEFAULT_COMMAND_TIMEOUT).unwrap();
    /// assert_eq!(command.argv(), ["./authorizer", "--local"]);
    /// ```
    pub fn argv(&self) -> &[String] {
        &self.argv
    }

    /// How long the program may run.
    ///
    /// ```
    /// use std::path::Path;
    /// use std::time::Duration;
    /// use policy_engine::function::CommandFunction;
    ///
    /// let command = CommandFunction::new(vec!["./authorizer".into()], Path::new("."), Duration::from_secs(2)).unwrap();
    /// assert_eq!(command.timeout(), Duration::from_secs(2));
    /// ```
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The program as written (`argv[0]`).
    fn name(&self) -> &str {
        self.argv.first().map(String::as_str).unwrap_or_default()
    }

    /// The program the OS will run, as [`CommandFunction::resolve_program`] finds it, or, when
    /// it cannot be found, the path it was looked for at (starting it then fails).
    fn program(&self) -> PathBuf {
        self.resolve_program()
            .unwrap_or_else(|_| self.expected_path())
    }

    /// Where a program given by a path is: relative to the scenario's folder, made absolute
    /// (the program starts in that folder: a relative path would be read from there twice).
    fn expected_path(&self) -> PathBuf {
        let program = self.name();
        if has_separator(program) {
            let path = self.dir.join(program);
            std::path::absolute(&path).unwrap_or(path)
        } else {
            PathBuf::from(program)
        }
    }

    /// The program the OS will run: a path containing `/` is relative to the scenario's
    /// folder; a name without one is the first executable file of that name in a `PATH`
    /// folder. This is what [`crate::scenario::load_file`] and `policy-sim test` check before
    /// any case runs.
    ///
    /// # Errors
    ///
    /// The program does not exist, is a folder, or is not executable; the message names it,
    /// where it was looked for, and what to do.
    ///
    /// ```
    /// use std::path::Path;
    /// use policy_engine::function::{CommandFunction, DEFAULT_COMMAND_TIMEOUT};
    ///
    /// # #[cfg(unix)] {
    /// let sh = CommandFunction::new(vec!["sh".into()], Path::new("."), DEFAULT_COMMAND_TIMEOUT).unwrap();
    /// assert!(sh.resolve_program()?.is_absolute() || std::env::var_os("PATH").is_some());
    /// # }
    /// let typo = CommandFunction::new(vec!["./no-such-authorizer".into()], Path::new("."), DEFAULT_COMMAND_TIMEOUT).unwrap();
    /// let why = typo.resolve_program().unwrap_err();
    /// assert!(why.starts_with("the program `./no-such-authorizer` does not exist"));
    /// # Ok::<(), String>(())
    /// ```
    pub fn resolve_program(&self) -> Result<PathBuf, String> {
        let program = self.name();
        if has_separator(program) {
            let path = self.expected_path();
            return match executable(&path) {
                Ok(()) => Ok(path),
                Err(problem) => Err(format!(
                    "the program `{program}` {problem} (looked for `{}`: a program path is relative to the scenario's folder){}",
                    path.display(),
                    problem.fix()
                )),
            };
        }
        let searched = std::env::var_os("PATH").unwrap_or_default();
        let mut found_but = None;
        for folder in std::env::split_paths(&searched) {
            for candidate in executable_names(program) {
                let path = folder.join(&candidate);
                match executable(&path) {
                    Ok(()) => return Ok(std::path::absolute(&path).unwrap_or(path)),
                    Err(Unusable::Missing) => {}
                    Err(problem) => {
                        found_but.get_or_insert((path, problem));
                    }
                }
            }
        }
        Err(match found_but {
            Some((path, problem)) => format!(
                "the program `{program}` found on PATH at `{}` {problem}{}",
                path.display(),
                problem.fix()
            ),
            None => format!(
                "no program `{program}` on PATH: install it or add its folder to PATH (such as `PATH=\"$PWD/target/debug:$PATH\"` for a program this workspace builds), or give its path with a `/` (relative to the scenario's folder, such as `./{program}`)"
            ),
        })
    }

    /// Run the program on `input`; a program that cannot be started, runs out of time or
    /// cannot be waited for is the `FunctionResult` to answer instead.
    fn run(&self, input: &[u8]) -> Result<Finished, FunctionResult> {
        let program = self.program();
        let mut command = Command::new(&program);
        #[cfg(unix)]
        {
            // The program sees its name as written, not the path it was found at.
            use std::os::unix::process::CommandExt;
            command.arg0(self.name());
        }
        let mut child = match command
            .args(self.argv.iter().skip(1))
            .current_dir(&self.dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => {
                let at = if program.as_os_str() == self.name() {
                    String::new()
                } else {
                    format!(" (`{}`)", program.display())
                };
                return Err(FunctionResult::NotStarted(format!(
                    "cannot start `{}`{at}: {e}",
                    self.name()
                )));
            }
        };
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
                    return Err(FunctionResult::Failed(format!(
                        "`{}` did not answer within {} s and was stopped",
                        self.name(),
                        self.timeout.as_secs_f64()
                    )));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(2)),
                Err(e) => {
                    return Err(FunctionResult::Failed(format!(
                        "cannot wait for `{}`: {e}",
                        self.name()
                    )));
                }
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

/// Whether a program name is a path (relative to the scenario's folder) rather than a name
/// looked up on `PATH`.
fn has_separator(program: &str) -> bool {
    program.contains('/') || (cfg!(windows) && program.contains('\\'))
}

/// The file names a program name stands for on `PATH`: itself, and on Windows with `.exe`.
fn executable_names(program: &str) -> Vec<String> {
    let mut names = vec![program.to_owned()];
    if cfg!(windows) && Path::new(program).extension().is_none() {
        names.push(format!("{program}.exe"));
    }
    names
}

/// Why a path cannot be run as a program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unusable {
    Missing,
    Folder,
    NotExecutable,
}

impl Unusable {
    /// What to do about it, as the end of a message.
    fn fix(self) -> &'static str {
        match self {
            Unusable::Missing => ": build it, or correct the path",
            Unusable::Folder => ": name the program inside it",
            Unusable::NotExecutable => {
                ": make it executable (`chmod +x`), or run it through its interpreter (`[\"sh\", \"script.sh\"]`)"
            }
        }
    }
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unusable::Missing => "does not exist",
            Unusable::Folder => "is a folder, not a program",
            Unusable::NotExecutable => "is not executable",
        })
    }
}

/// Whether the OS can be asked to run `path`: an existing file, executable (on Unix: an
/// execute permission bit is set).
fn executable(path: &Path) -> Result<(), Unusable> {
    let meta = std::fs::metadata(path).map_err(|_| Unusable::Missing)?;
    if meta.is_dir() {
        return Err(Unusable::Folder);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if meta.permissions().mode() & 0o111 == 0 {
            return Err(Unusable::NotExecutable);
        }
    }
    Ok(())
}

/// How a command ended: its exit code (`None` when killed by a signal) and its output.
struct Finished {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// The largest response a Lambda function can return to a synchronous invocation (6 MB);
/// a command printing more is a failed function, and no more than this is held in memory.
/// (The gateway's own, smaller limit on what it accepts is
/// [`crate::lambda::MAX_RESULT_BYTES`].)
///
/// ```
/// use policy_engine::function::MAX_RESPONSE_BYTES;
/// use policy_engine::lambda::MAX_RESULT_BYTES;
///
/// assert_eq!(MAX_RESPONSE_BYTES, 6 * 1024 * 1024);
/// assert!(MAX_RESULT_BYTES < MAX_RESPONSE_BYTES);
/// ```
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
            Err(result) => return result,
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
