//! `policy-sim`: would Amazon API Gateway let these requests through, and why?
//!
//! A thin layer over the `apigw_authz` library: it parses arguments, calls the library and
//! prints. Exit status: `test` 0 every case passed, 1 a case failed; `check` 0 allowed, 1
//! denied (401/403/414/500); `lint` 0 no errors, 1 an error-severity finding; 2 invalid input
//! — for `test` also no scenario file found, a scenario without cases, and an authorizer
//! `command` that cannot be started (never a green run that checked nothing).
//!
//! `test` and `lint` take files, folders (searched recursively for `*.json`) and glob patterns
//! (`'tests/**/*.json'`); JSON files found that are other kinds of file are left out with a
//! note on stderr (`policy_engine::scenario::find_files`, `FileKind`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use apigw_authz::check::{self, CheckReport, FlagRequest};
use clap::{Args, Parser, Subcommand, ValueEnum};
use policy_engine::scenario::{self, Explain, RunReport};

#[derive(Parser)]
#[command(
    name = "policy-sim",
    version,
    about = "Simulate Amazon API Gateway access control: resource policies, IAM and authorizers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run scenario files and check every case's expected outcome. Exit 0 every case passed,
    /// 1 a case failed, 2 invalid input or nothing to check.
    Test {
        /// Scenario files, folders (searched recursively for `*.json` files; other kinds of
        /// file found there are left out with a note) or glob patterns (`'tests/**/*.json'`).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
    /// Decide one request: from flags, or a case of a scenario file. Exit 0 allowed, 1 denied.
    Check(Box<CheckArgs>),
    /// Review scenario files, resource policies or OpenAPI exports before deploying. Exit 0
    /// no errors, 1 an error (or a warning with `--strict`).
    Lint {
        /// Files: scenario files, policies (object, escaped string or `get-rest-api` output),
        /// authorizer responses or OpenAPI exports; folders (searched recursively for `*.json`
        /// files) or glob patterns (`'api/**/*.json'`).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The API a bare policy is for, when its own ARNs do not say:
        /// `arn:aws:execute-api:REGION:ACCOUNT:API_ID`.
        #[arg(long, value_name = "ARN")]
        api: Option<String>,
        /// How a bare policy's methods are authorized (scenario files and OpenAPI exports say
        /// it themselves).
        #[arg(long, value_enum)]
        auth: Option<AuthArg>,
        /// Exit 1 on warnings too.
        #[arg(long)]
        strict: bool,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum AuthArg {
    /// `NONE`: the resource policy alone decides.
    None,
    /// `AWS_IAM`: SigV4-signed callers.
    AwsIam,
    /// A Lambda authorizer in the API owner's account.
    Lambda,
}

#[derive(Args)]
struct CheckArgs {
    /// A scenario file; with `--case`, check that case (earlier cases run first: they share
    /// the authorizer cache).
    #[arg(long, requires = "case")]
    scenario: Option<PathBuf>,
    /// The name of the case to check.
    #[arg(long, requires = "scenario")]
    case: Option<String>,
    /// The resource policy: a JSON file (an object, the escaped string or the whole output of
    /// `aws apigateway get-rest-api`).
    #[arg(long, value_name = "FILE")]
    resource_policy: Option<PathBuf>,
    /// A Lambda authorizer's response (principalId, policyDocument, context), or
    /// `{"error": "Unauthorized"}`.
    #[arg(long, value_name = "FILE")]
    authorizer_output: Option<PathBuf>,
    /// An IAM identity policy of the caller (AWS_IAM); repeat for several.
    #[arg(long, value_name = "FILE")]
    identity_policy: Vec<PathBuf>,
    /// The method ARN called (gives the API, stage, method and path at once).
    #[arg(long, value_name = "ARN")]
    method_arn: Option<String>,
    /// The API: `arn:aws:execute-api:REGION:ACCOUNT:API_ID` (default: from the policies).
    #[arg(long, value_name = "ARN")]
    api: Option<String>,
    /// The stage (default: from `--api` or the policies when they name one).
    #[arg(long)]
    stage: Option<String>,
    /// The endpoint type: REGIONAL, EDGE or PRIVATE.
    #[arg(long)]
    endpoint: Option<String>,
    /// The HTTP method.
    #[arg(long)]
    method: Option<String>,
    /// The request path, such as `/pets/42`.
    #[arg(long)]
    path: Option<String>,
    /// The caller's IP address (`aws:SourceIp`; `aws:VpcSourceIp` on private APIs).
    #[arg(long, value_name = "IP")]
    source_ip: Option<String>,
    /// The VPC endpoint the request came through (`aws:SourceVpce`, private APIs).
    #[arg(long, value_name = "VPCE_ID")]
    vpce: Option<String>,
    /// The VPC the request came from (`aws:SourceVpc`, private APIs).
    #[arg(long, value_name = "VPC_ID")]
    vpc: Option<String>,
    /// A SigV4-signed IAM caller (AWS_IAM).
    #[arg(long, value_name = "ARN")]
    caller_arn: Option<String>,
    /// With `--authorizer-output`: the authorizer's account (another account → Table B);
    /// otherwise the IAM caller `arn:aws:iam::ACCOUNT:root`.
    #[arg(long, value_name = "ACCOUNT")]
    caller_account: Option<String>,
    /// A request header, `NAME=VALUE`; repeat for several.
    #[arg(long, value_name = "NAME=VALUE", value_parser = pair)]
    header: Vec<(String, String)>,
    /// A query-string parameter, `NAME=VALUE`; repeat for several.
    #[arg(long, value_name = "NAME=VALUE", value_parser = pair)]
    query: Vec<(String, String)>,
    /// An extra condition key, `KEY=VALUE` (such as `aws:UserAgent=curl/8`).
    #[arg(long, value_name = "KEY=VALUE", value_parser = pair)]
    context: Vec<(String, String)>,
    /// The request time: ISO 8601 or epoch seconds (default: now).
    #[arg(long)]
    at: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

fn pair(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .filter(|(k, _)| !k.is_empty())
        .ok_or_else(|| format!("expected `NAME=VALUE`, got `{text}`"))
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One line per case; failing cases explained.
    Human,
    /// One JSON object (stable, for scripts).
    Json,
    /// JUnit XML (`policy-sim test` only), so CI systems show cases as test results.
    Junit,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Test { paths, format } => test(&paths, format),
        Command::Check(args) => run_check(*args),
        Command::Lint {
            paths,
            api,
            auth,
            strict,
            format,
        } => run_lint(&paths, api.as_deref(), auth, strict, format),
    }
}

fn colour_enabled() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

fn paint(colour: bool, code: &str, text: &str) -> String {
    if colour {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// Appends a formatted line to a `String` (the report is printed in one write at the end).
macro_rules! line {
    ($buf:expr, $($arg:tt)*) => {{
        $buf.push_str(&format!($($arg)*));
        $buf.push('\n');
    }};
}

/// Print `text` on stdout. A reader that went away (`policy-sim test ... | head`) is not an
/// error: the rest is dropped and the exit status still reports the result (`println!` would
/// panic instead). Any other write error is reported, with exit status 2.
fn write_stdout(text: &str) -> Result<(), ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => {
            report_error(&format!("cannot write to standard output ({e})"));
            Err(ExitCode::from(2))
        }
    }
}

/// Print `text` on stderr, ignoring a stderr that cannot be written (nowhere is left to say so).
fn write_stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ignored = stderr
        .write_all(text.as_bytes())
        .and_then(|()| stderr.flush());
}

/// `error: ...` on stderr.
fn report_error(message: &str) {
    write_stderr(&format!("error: {message}\n"));
}

/// `note: ...` on stderr.
fn report_note(message: &str) {
    write_stderr(&format!("note: {message}\n"));
}

/// Print the report and return `code`, or 2 when stdout could not be written.
fn finish(text: &str, code: ExitCode) -> ExitCode {
    match write_stdout(text) {
        Ok(()) => code,
        Err(failed) => failed,
    }
}

fn test(paths: &[PathBuf], format: Format) -> ExitCode {
    let suite = scenario::load_suite_with(paths, apigw_authz::options());
    for left_out in &suite.left_out {
        report_note(&left_out.to_string());
    }
    // Every invalid file and path at once (no case runs then): one run shows them all.
    for e in &suite.errors {
        report_error(&e.to_string());
    }
    let progress = Progress::new(suite.scenarios.iter().map(|s| s.cases.len()).sum());
    // JSON reports carry every case's explanation; the others show failing cases only.
    let explain = match format {
        Format::Json => Explain::All,
        Format::Human | Format::Junit => Explain::Failures,
    };
    let finished = AtomicUsize::new(0);
    let report = suite.run(explain, &|file| {
        let done = finished.fetch_add(1, Ordering::Relaxed);
        progress.show(done, suite.scenarios.len(), &file.file);
    });
    progress.clear();
    let errors = report.errors();
    let text = match format {
        Format::Json => format!("{}\n", report.to_json()),
        Format::Junit => report.to_junit(),
        // The errors above say it all; the human report is for runs that ran.
        Format::Human if !report.invalid_files.is_empty() => String::new(),
        Format::Human => human_report(&report),
    };
    let code = if !report.invalid_files.is_empty() || errors > 0 {
        ExitCode::from(2)
    } else if report.all_passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    let code = finish(&text, code);
    if errors > 0 {
        report_error(&format!(
            "{errors} case{} could not be run (`error` in the report): an authorizer `command` that cannot be started is a mistake in the scenario, not an authorizer failure",
            if errors == 1 { "" } else { "s" }
        ));
    }
    code
}

/// A progress line on stderr for long runs, only on a terminal (or when
/// `POLICY_SIM_PROGRESS=1` forces it), so logs and pipes stay clean.
struct Progress {
    enabled: bool,
}

impl Progress {
    /// Runs of at least this many cases show progress.
    const LONG_RUN_CASES: usize = 200;

    fn new(total_cases: usize) -> Self {
        let forced = std::env::var_os("POLICY_SIM_PROGRESS").is_some_and(|v| v == "1");
        let terminal = std::io::stderr().is_terminal() && total_cases >= Self::LONG_RUN_CASES;
        Self {
            enabled: forced || terminal,
        }
    }

    fn show(&self, done: usize, total: usize, file: &str) {
        if self.enabled {
            write_stderr(&format!(
                "\r\x1b[2K[{}/{total}] {file}",
                done.saturating_add(1)
            ));
        }
    }

    fn clear(&self) {
        if self.enabled {
            write_stderr("\r\x1b[2K");
        }
    }
}

fn human_report(report: &RunReport) -> String {
    let colour = colour_enabled();
    let mut out = String::new();
    for file in &report.files {
        for case in &file.cases {
            if let Some(error) = &case.error {
                line!(
                    out,
                    "{} {} :: {}",
                    paint(colour, "31", "ERROR"),
                    file.file,
                    case.name
                );
                line!(out, "    {error}");
            } else if case.pass {
                line!(
                    out,
                    "{} {} :: {}",
                    paint(colour, "32", "PASS"),
                    file.file,
                    case.name
                );
            } else {
                line!(
                    out,
                    "{} {} :: {}",
                    paint(colour, "31", "FAIL"),
                    file.file,
                    case.name
                );
                for m in &case.mismatches {
                    line!(out, "    {m}");
                }
                for text in case.explanation.lines() {
                    line!(out, "      {text}");
                }
            }
        }
    }
    line!(
        out,
        "{} passed, {} failed",
        report.passed(),
        report.failed()
    );
    out
}

fn run_check(args: CheckArgs) -> ExitCode {
    let format = args.format;
    let result = match (&args.scenario, &args.case) {
        (Some(file), Some(case)) => {
            let flags_given = args.resource_policy.is_some()
                || args.authorizer_output.is_some()
                || args.method.is_some()
                || args.path.is_some()
                || args.method_arn.is_some();
            if flags_given {
                report_error(
                    "`--scenario` describes the whole request: drop the request flags, or drop `--scenario`",
                );
                return ExitCode::from(2);
            }
            check::check_case(file, case)
        }
        _ => check::check_flags(&FlagRequest {
            resource_policy: args.resource_policy,
            authorizer_output: args.authorizer_output,
            identity_policies: args.identity_policy,
            method_arn: args.method_arn,
            api: args.api,
            stage: args.stage,
            endpoint: args.endpoint,
            method: args.method,
            path: args.path,
            source_ip: args.source_ip,
            vpce: args.vpce,
            vpc: args.vpc,
            caller_arn: args.caller_arn,
            caller_account: args.caller_account,
            headers: args.header,
            query: args.query,
            context: args.context,
            at: args.at,
        }),
    };
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            report_error(&e.to_string());
            return ExitCode::from(2);
        }
    };
    let text = match format {
        Format::Json => format!("{}\n", report.to_json()),
        Format::Junit => {
            report_error("`--format junit` is for `policy-sim test`: use `human` or `json`");
            return ExitCode::from(2);
        }
        Format::Human => human_check(&report),
    };
    let code = if report.allowed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    finish(&text, code)
}

fn human_check(report: &CheckReport) -> String {
    let colour = colour_enabled();
    let actual = &report.case.actual;
    let status = actual.get("status").and_then(|s| s.as_u64()).unwrap_or(0);
    let decision = actual
        .get("decision")
        .and_then(|d| d.as_str())
        .unwrap_or("");
    let verdict = if report.allowed() {
        paint(colour, "32", "ALLOWED")
    } else {
        paint(colour, "31", "DENIED")
    };
    let response = actual
        .get("gatewayResponse")
        .and_then(|r| r.as_str())
        .map(|r| format!(" ({r})"))
        .unwrap_or_default();
    let mut out = String::new();
    line!(
        out,
        "{verdict} {} — {status} {decision}{response}",
        report.request_line
    );
    for text in report.case.explanation.lines() {
        line!(out, "  {text}");
    }
    out
}

fn run_lint(
    paths: &[PathBuf],
    api: Option<&str>,
    auth: Option<AuthArg>,
    strict: bool,
    format: Format,
) -> ExitCode {
    use apigw_authz::lint::{AssumedAuth, LintReport, Review, review};
    use policy_engine::lint::Severity;
    let assumed = match auth {
        None => AssumedAuth::Unknown,
        Some(AuthArg::None) => AssumedAuth::None,
        Some(AuthArg::AwsIam) => AssumedAuth::AwsIam,
        Some(AuthArg::Lambda) => AssumedAuth::Lambda,
    };
    let found = scenario::find_files(paths);
    let mut errors = found.errors;
    let mut reports: Vec<LintReport> = Vec::new();
    for file in &found.files {
        match review(&file.path, file.named, api, assumed) {
            Ok(Review::Linted(report)) => reports.push(report),
            Ok(Review::LeftOut(kind)) => report_note(&format!(
                "{}: left out: {}, which lint does not review",
                file.path.display(),
                kind.description()
            )),
            Err(e) => errors.push(e),
        }
    }
    // Every unreadable or unknown file at once.
    if !errors.is_empty() {
        for e in &errors {
            report_error(&e.to_string());
        }
        return ExitCode::from(2);
    }
    if reports.is_empty() {
        let looked_at: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        report_error(&format!(
            "{}: no file to review found: give scenario files, policies, authorizer responses or OpenAPI exports, or folders and patterns that reach them",
            looked_at.join(", ")
        ));
        return ExitCode::from(2);
    }
    let total = |s: Severity| reports.iter().map(|r| r.count(s)).sum::<usize>();
    let (errors, warnings, infos) = (
        total(Severity::Error),
        total(Severity::Warning),
        total(Severity::Info),
    );
    let text = match format {
        Format::Json => format!(
            "{}\n",
            serde_json::json!({
                "files": reports.iter().map(LintReport::to_json).collect::<Vec<_>>(),
                "errors": errors,
                "warnings": warnings,
                "infos": infos,
            })
        ),
        Format::Junit => {
            report_error("`--format junit` is for `policy-sim test`: use `human` or `json`");
            return ExitCode::from(2);
        }
        Format::Human => {
            let colour = colour_enabled();
            let mut out = String::new();
            for report in &reports {
                if report.findings.is_empty() {
                    line!(
                        out,
                        "{} {} ({})",
                        paint(colour, "32", "OK"),
                        report.file,
                        report.kind.name()
                    );
                    continue;
                }
                line!(out, "{} ({})", report.file, report.kind.name());
                for f in &report.findings {
                    let code = match f.severity {
                        Severity::Error => "31",
                        Severity::Warning => "33",
                        Severity::Info => "36",
                    };
                    line!(
                        out,
                        "  {}[{}] {}: {}",
                        paint(colour, code, f.severity.name()),
                        f.code,
                        f.path,
                        f.message
                    );
                    line!(out, "    fix: {}", f.fix);
                }
            }
            line!(
                out,
                "{} file{}: {errors} error{}, {warnings} warning{}, {infos} info",
                reports.len(),
                if reports.len() == 1 { "" } else { "s" },
                if errors == 1 { "" } else { "s" },
                if warnings == 1 { "" } else { "s" },
            );
            out
        }
    };
    let code = if errors > 0 || (strict && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    finish(&text, code)
}
