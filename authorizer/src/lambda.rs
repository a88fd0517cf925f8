//! Run an authorizer as a Lambda function: your own handler or the rules file's, with the
//! conventions API Gateway depends on built in (feature `lambda`).
//!
//! A Lambda authorizer is a function from an event to a response or an error, but the wiring
//! around it decides what API Gateway answers: the error message must be exactly
//! `Unauthorized` for a 401, anything else is a 500; a response over 8 KB or a resource over
//! 512 characters is a 500 at the gateway; a panic must not become anything but a 500. This
//! module does that wiring once, for every authorizer built on this crate:
//!
//! - [`run`] is a whole `main`: with no arguments it serves the Lambda Runtime API (what
//!   `provided.al2023` starts as `bootstrap`); `invoke [--event FILE]` answers one event
//!   locally with the exit codes of the project's local-mode contract (0 and the response on
//!   stdout; 1 and `Unauthorized` on stderr; 2 and the error on stderr), so the same binary
//!   is a scenario file's `"command"` and a CI check;
//! - [`serve`] and [`invoke`] are the two halves, for binaries with their own command line
//!   (the rules-file `authorizer` binary uses them);
//! - [`answer`] is one event through a handler: the JSON read as an
//!   [`AuthorizerEvent`] (every shape API Gateway sends), the handler run with panics contained
//!   ([`crate::boundary::contain_panics`]), the response checked against API Gateway's limits.
//!
//! ```no_run
//! // A whole authorizer: `cargo build --release`, ship the binary as `bootstrap`.
//! use authorizer::builder::PolicyBuilder;
//! use authorizer::event::AuthorizerEvent;
//! use authorizer::response::{AuthorizerError, AuthorizerResponse, PolicyResponse};
//! use authorizer::policy_engine::arn::MethodArn;
//!
//! async fn authorize(event: AuthorizerEvent) -> Result<AuthorizerResponse, AuthorizerError> {
//!     if event.token() != Some("let-me-in") {
//!         return Err(AuthorizerError::unauthorized("wrong token"));
//!     }
//!     let arn = MethodArn::parse(event.method_arn())
//!         .map_err(|e| AuthorizerError::internal(e.to_string()))?;
//!     let policy = PolicyBuilder::for_api_of(&arn)
//!         .allow("GET", "/pets/*")
//!         .build()
//!         .map_err(|e| AuthorizerError::internal(e.to_string()))?;
//!     Ok(PolicyResponse::new("me", policy).into())
//! }
//!
//! #[tokio::main]
//! async fn main() -> std::process::ExitCode {
//!     authorizer::lambda::run(authorize).await
//! }
//! ```
//! (`no_run`: it would wait for the Lambda Runtime API; the `examples/authorizers` package
//! runs four such binaries in its tests, locally and under a Runtime API on 127.0.0.1.)

use std::ffi::OsString;
use std::future::Future;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

use crate::boundary::contain_panics;
use crate::event::AuthorizerEvent;
use crate::{AuthorizerError, AuthorizerResponse};

/// What [`run`] prints for `--help` and for a command line it does not understand, with
/// `PROGRAM` standing for the program's name (see [`usage`]).
pub const USAGE: &str = "usage:
  PROGRAM
      serve the Lambda Runtime API (as `bootstrap` in Lambda)
  PROGRAM invoke [--event FILE]
      answer one event (a JSON file, or standard input) and exit:
      0 the response on stdout, 1 `Unauthorized`, 2 any other error
  PROGRAM --help
      print this help";

/// [`USAGE`] for the program called `program` (the file name [`run`] was started as).
///
/// ```
/// use authorizer::lambda::usage;
///
/// let text = usage("token-authorizer");
/// assert!(text.contains("  token-authorizer invoke [--event FILE]"));
/// assert!(!text.contains("PROGRAM"));
/// ```
pub fn usage(program: &str) -> String {
    USAGE.replace("PROGRAM", program)
}

/// The file name this process was started as, for [`usage`]; `authorizer` when there is none.
fn program_name() -> String {
    std::env::args_os()
        .next()
        .and_then(|arg0| {
            Path::new(&arg0)
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
        })
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "authorizer".to_owned())
}

/// One event through `handler`, as Lambda and local mode both run it: the JSON is read as an
/// [`AuthorizerEvent`] (an unusable event is an internal error, a 500), the handler runs with
/// panics contained, and the response is checked against API Gateway's limits (a response the
/// gateway would refuse is an internal error here, with the reason, rather than an unexplained
/// 500 there).
///
/// ```
/// use authorizer::event::AuthorizerEvent;
/// use authorizer::lambda::answer;
/// use authorizer::response::{AuthorizerError, AuthorizerResponse, SimpleResponse};
///
/// async fn authorize(event: AuthorizerEvent) -> Result<AuthorizerResponse, AuthorizerError> {
///     let ok = event.header("x-api-key") == Some("secret-key");
///     Ok(SimpleResponse::new(ok).into())
/// }
///
/// let event = serde_json::json!({
///     "version": "2.0", "type": "REQUEST",
///     "routeArn": "arn:aws:execute-api:us-east-1:123456789012:abcdef123/prod/GET/pets",
///     "identitySource": ["secret-key"], "routeKey": "GET /pets", "rawPath": "/prod/pets",
///     "rawQueryString": "", "headers": {"x-api-key": "secret-key"},
///     "requestContext": {"accountId": "123456789012", "apiId": "abcdef123",
///         "domainName": "abcdef123.execute-api.us-east-1.amazonaws.com",
///         "domainPrefix": "abcdef123",
///         "http": {"method": "GET", "path": "/prod/pets", "protocol": "HTTP/1.1",
///                  "sourceIp": "192.0.2.7", "userAgent": "curl"},
///         "requestId": "id", "routeKey": "GET /pets", "stage": "prod",
///         "time": "12/Mar/2020:19:03:58 +0000", "timeEpoch": 1583348638390_u64}
/// });
/// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
/// let response = runtime.block_on(answer(&authorize, &event))?;
/// assert_eq!(response.to_json()["isAuthorized"], true);
///
/// // Not an authorizer event at all: a 500, never an allow.
/// let error = runtime.block_on(answer(&authorize, &serde_json::json!({"hello": 1})));
/// assert!(matches!(error, Err(AuthorizerError::Internal { .. })));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn answer<F, Fut>(
    handler: &F,
    payload: &Value,
) -> Result<AuthorizerResponse, AuthorizerError>
where
    F: Fn(AuthorizerEvent) -> Fut,
    Fut: Future<Output = Result<AuthorizerResponse, AuthorizerError>>,
{
    contain_panics(async {
        let event = AuthorizerEvent::from_json(payload).map_err(|e| {
            tracing::error!(decision = "error", reason = %e, "unusable event");
            AuthorizerError::internal(e.to_string())
        })?;
        let response = handler(event).await?;
        response.validate().map_err(|e| {
            tracing::error!(decision = "error", reason = %e, "the response breaks API Gateway's limits");
            AuthorizerError::from(e)
        })?;
        Ok(response)
    })
    .await
}

/// The error Lambda reports for `error`: type `Unauthorized` and message exactly
/// `Unauthorized` for the 401 case (API Gateway compares the message), type
/// `AuthorizerError` and the reason otherwise (a 500). Private: lambda_runtime's type stays
/// out of this crate's API.
fn diagnostic(error: &AuthorizerError) -> Diagnostic {
    Diagnostic {
        error_type: if error.is_unauthorized() {
            "Unauthorized".to_owned()
        } else {
            "AuthorizerError".to_owned()
        },
        error_message: error.to_string(),
    }
}

/// Serves the Lambda Runtime API (`AWS_LAMBDA_RUNTIME_API`) with `handler` until the runtime
/// stops: every event goes through [`answer`], and an error is reported as type
/// `Unauthorized` with message exactly `Unauthorized` (a 401), or type `AuthorizerError` with
/// the reason (a 500).
/// Returns only when the runtime loop fails (for example outside Lambda, with no Runtime API
/// to reach).
///
/// ```no_run
/// # use authorizer::{AuthorizerError, AuthorizerResponse, event::AuthorizerEvent};
/// # async fn authorize(_: AuthorizerEvent) -> Result<AuthorizerResponse, AuthorizerError> {
/// #     Err(AuthorizerError::unauthorized("example"))
/// # }
/// # async fn main_body() {
/// if let Err(e) = authorizer::lambda::serve(authorize).await {
///     eprintln!("error: the Lambda runtime stopped: {e}");
/// }
/// # }
/// ```
/// (`no_run`: it needs a Lambda Runtime API to poll.)
pub async fn serve<F, Fut>(handler: F) -> Result<(), Box<dyn std::error::Error + Send + Sync>>
where
    F: Fn(AuthorizerEvent) -> Fut,
    Fut: Future<Output = Result<AuthorizerResponse, AuthorizerError>>,
{
    let handler = &handler;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| async move {
        answer(handler, &event.payload)
            .await
            .map_err(|e| diagnostic(&e))
    }))
    .await
}

/// Local mode: one event (the JSON file `event`, or stdin) through [`answer`], with the exit
/// status of the project's contract — the response JSON on stdout and exit 0; `Unauthorized` on
/// stderr and exit 1 (the 401 case); the error on stderr and exit 2 (a 500, or unreadable
/// input).
///
/// ```
/// # use authorizer::{AuthorizerError, AuthorizerResponse, event::AuthorizerEvent};
/// async fn authorize(_: AuthorizerEvent) -> Result<AuthorizerResponse, AuthorizerError> {
///     Err(AuthorizerError::unauthorized("no token"))
/// }
/// let dir = std::env::temp_dir().join(format!("lambda-invoke-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let event = dir.join("event.json");
/// std::fs::write(&event, r#"{"type": "TOKEN", "authorizationToken": "x",
///     "methodArn": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets"}"#)?;
/// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
/// let status = runtime.block_on(authorizer::lambda::invoke(&authorize, Some(&event)));
/// assert_eq!(status, std::process::ExitCode::from(1)); // and `Unauthorized` on stderr
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub async fn invoke<F, Fut>(handler: &F, event: Option<&Path>) -> ExitCode
where
    F: Fn(AuthorizerEvent) -> Fut,
    Fut: Future<Output = Result<AuthorizerResponse, AuthorizerError>>,
{
    let text = match event {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read `{}`: {e}", path.display())),
        None => {
            let mut buf = String::new();
            std::io::stdin()
                .read_to_string(&mut buf)
                .map(|_| buf)
                .map_err(|e| format!("cannot read the event from stdin: {e}"))
        }
    };
    let payload: Value = match text.and_then(|t| {
        serde_json::from_str(&t).map_err(|e| format!("the event is not valid JSON: {e}"))
    }) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match answer(handler, &payload).await {
        Ok(response) => match serde_json::to_string(&response) {
            Ok(text) => {
                // A reader that went away is not an error here (`println!` would panic): the
                // decision was made, and the exit status says so.
                let mut stdout = std::io::stdout().lock();
                match writeln!(stdout, "{text}").and_then(|()| stdout.flush()) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                    Err(e) => {
                        eprintln!("error: cannot write the response to stdout: {e}");
                        ExitCode::from(2)
                    }
                }
            }
            Err(e) => {
                eprintln!("error: the response cannot be encoded: {e}");
                ExitCode::from(2)
            }
        },
        Err(e) if e.is_unauthorized() => {
            eprintln!("Unauthorized");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

/// What the command line asked [`run`] to do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// No arguments: serve the Lambda Runtime API.
    Serve,
    /// `invoke [--event FILE]`: answer one event locally (stdin when `None`).
    Invoke(Option<PathBuf>),
    /// `--help` / `-h`, alone or after `invoke`.
    Help,
}

/// Reads [`run`]'s command line (the arguments after the program name); an error names the
/// argument it did not understand.
///
/// ```
/// use authorizer::lambda::{parse_mode, Mode};
/// use std::ffi::OsString;
///
/// let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
/// assert_eq!(parse_mode(args(&[])), Ok(Mode::Serve));
/// assert_eq!(parse_mode(args(&["invoke"])), Ok(Mode::Invoke(None)));
/// assert_eq!(
///     parse_mode(args(&["invoke", "--event", "e.json"])),
///     Ok(Mode::Invoke(Some("e.json".into())))
/// );
/// assert_eq!(parse_mode(args(&["invoke", "--help"])), Ok(Mode::Help));
/// assert_eq!(parse_mode(args(&["serve"])), Err("unknown argument `serve`".to_owned()));
/// ```
pub fn parse_mode(args: impl IntoIterator<Item = OsString>) -> Result<Mode, String> {
    let mut args = args.into_iter();
    let Some(first) = args.next() else {
        return Ok(Mode::Serve);
    };
    match first.to_str() {
        Some("-h" | "--help") => Ok(Mode::Help),
        Some("invoke") => {
            let mut event = None;
            while let Some(arg) = args.next() {
                match arg.to_str() {
                    Some("-h" | "--help") => return Ok(Mode::Help),
                    Some("--event") => match args.next() {
                        Some(path) if event.is_none() => event = Some(PathBuf::from(path)),
                        Some(_) => return Err("`--event` given twice".to_owned()),
                        None => return Err("`--event` needs a file".to_owned()),
                    },
                    _ => return Err(format!("unknown argument `{}`", arg.to_string_lossy())),
                }
            }
            Ok(Mode::Invoke(event))
        }
        _ => Err(format!("unknown argument `{}`", first.to_string_lossy())),
    }
}

/// A whole `main` for an authorizer binary: serves the Lambda Runtime API with no arguments,
/// answers one event with `invoke [--event FILE]` (see [`invoke`] for the exit codes), prints
/// [`USAGE`] for `--help`; any other command line is exit 2 with the usage. Serving returns
/// exit 2 with the reason if the runtime loop stops.
///
/// ```no_run
/// # use authorizer::{AuthorizerError, AuthorizerResponse, event::AuthorizerEvent};
/// # async fn authorize(_: AuthorizerEvent) -> Result<AuthorizerResponse, AuthorizerError> {
/// #     Err(AuthorizerError::unauthorized("example"))
/// # }
/// #[tokio::main]
/// async fn main() -> std::process::ExitCode {
///     authorizer::lambda::run(authorize).await
/// }
/// ```
/// (`no_run`: with no arguments it serves the Runtime API.)
pub async fn run<F, Fut>(handler: F) -> ExitCode
where
    F: Fn(AuthorizerEvent) -> Fut,
    Fut: Future<Output = Result<AuthorizerResponse, AuthorizerError>>,
{
    match parse_mode(std::env::args_os().skip(1)) {
        Ok(Mode::Serve) => match serve(handler).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: the Lambda runtime stopped: {e}");
                ExitCode::from(2)
            }
        },
        Ok(Mode::Invoke(event)) => invoke(&handler, event.as_deref()).await,
        Ok(Mode::Help) => {
            // A closed stdout (`| head`) is no reason to fail: the help was asked for.
            let mut stdout = std::io::stdout().lock();
            let _ignored = writeln!(stdout, "{}", usage(&program_name()));
            ExitCode::SUCCESS
        }
        Err(e) => {
            let mut stderr = std::io::stderr().lock();
            let _ignored = writeln!(stderr, "error: {e}\n{}", usage(&program_name()));
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic, reason = "a handler panics on purpose")]

    use super::*;
    use crate::builder::PolicyBuilder;
    use crate::response::PolicyResponse;
    use policy_engine::arn::MethodArn;

    const ARN: &str = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets";

    fn token_event(token: &str) -> Value {
        serde_json::json!({"type": "TOKEN", "authorizationToken": token, "methodArn": ARN})
    }

    fn block_on<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    /// Allows GET on as many paths as the token says (to break the 8 KB limit on purpose);
    /// `panic` panics, `unauthorized` is the 401 error.
    async fn handler(event: AuthorizerEvent) -> Result<AuthorizerResponse, AuthorizerError> {
        let token = event.token().unwrap_or_default().to_owned();
        if token == "panic" {
            panic!("boom");
        }
        if token == "unauthorized" {
            return Err(AuthorizerError::unauthorized("told so"));
        }
        let arn = MethodArn::parse(event.method_arn()).unwrap();
        let count: usize = token.parse().unwrap();
        let mut policy = PolicyBuilder::for_api_of(&arn);
        for i in 0..count {
            policy = policy.allow(
                "GET",
                &format!("/pets/{i}/with/a/long/path/to/fill/the/result"),
            );
        }
        Ok(PolicyResponse::new("me", policy.build().unwrap()).into())
    }

    #[test]
    fn answers_errors_panics_and_oversized_responses() {
        let ok = block_on(answer(&handler, &token_event("2"))).unwrap();
        assert_eq!(ok.to_json()["principalId"], "me");

        let e = block_on(answer(&handler, &token_event("unauthorized"))).unwrap_err();
        assert!(e.is_unauthorized());
        let d = diagnostic(&e);
        assert_eq!(
            (d.error_type.as_str(), d.error_message.as_str()),
            ("Unauthorized", "Unauthorized")
        );
        let d = diagnostic(&AuthorizerError::internal("JWKS unreachable"));
        assert_eq!(d.error_type, "AuthorizerError");
        assert_eq!(d.error_message, "authorizer error: JWKS unreachable");

        let e = block_on(answer(&handler, &token_event("panic"))).unwrap_err();
        assert!(!e.is_unauthorized());
        assert!(e.reason().contains("boom"), "{e}");

        // 200 resources of ~100 bytes: over the 8 KB result quota, so a 500 with the reason.
        let e = block_on(answer(&handler, &token_event("200"))).unwrap_err();
        assert!(!e.is_unauthorized());
        assert!(
            e.reason().contains("8192-byte authorizer result limit"),
            "{e}"
        );
    }

    #[test]
    fn command_lines() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        assert_eq!(parse_mode(args(&["--help"])), Ok(Mode::Help));
        assert_eq!(parse_mode(args(&["-h"])), Ok(Mode::Help));
        assert!(parse_mode(args(&["invoke", "--event"])).is_err());
        assert!(parse_mode(args(&["invoke", "--event", "a", "--event", "b"])).is_err());
        assert!(parse_mode(args(&["invoke", "--config", "x"])).is_err());
    }
}
