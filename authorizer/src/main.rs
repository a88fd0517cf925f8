//! `authorizer`: the rules-file Lambda authorizer, deployable with no code.
//!
//! - As a Lambda (`provided.al2023`, binary named `bootstrap`): the rules file comes from
//!   `--config`, `AUTHORIZER_CONFIG`, or `authorizer.json` beside the binary; it is loaded and
//!   validated at init (a bad file stops init with a message naming the field).
//! - `authorizer invoke --config rules.json [--event event.json]`: the same handler on one event
//!   (stdin when no `--event`). Prints the response and exits 0; prints `Unauthorized` on stderr
//!   and exits 1 for the 401 case; prints the error and exits 2 for anything else.
//!
//! Logs are JSON lines (decision, principal, route, reason) — never the token or a secret.

use std::path::PathBuf;
use std::process::ExitCode;

use authorizer::event::AuthorizerEvent;
use authorizer::handler::RulesAuthorizer;
use authorizer::lambda;
use authorizer::rules::Config;
use authorizer::{AuthorizerError, AuthorizerResponse};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "authorizer",
    version,
    about = "API Gateway Lambda authorizer driven by a rules file"
)]
struct Cli {
    /// The rules file (default: `AUTHORIZER_CONFIG`, else `authorizer.json` beside the binary).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the handler once on an event file (or stdin) and print the response.
    Invoke {
        /// The authorizer event JSON; read from stdin when absent.
        #[arg(long)]
        event: Option<PathBuf>,
        /// Also write the decision log line (JSON) to stderr.
        #[arg(long)]
        verbose: bool,
    },
}

fn config_path(flag: Option<PathBuf>) -> PathBuf {
    flag.or_else(|| std::env::var_os("AUTHORIZER_CONFIG").map(PathBuf::from))
        .unwrap_or_else(|| {
            std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join("authorizer.json")))
                .unwrap_or_else(|| PathBuf::from("authorizer.json"))
        })
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Lambda: JSON log lines on stdout (CloudWatch). Local mode keeps stderr for the contract's
    // `Unauthorized` line unless asked for the log.
    match &cli.command {
        None => tracing_subscriber::fmt()
            .json()
            .with_target(false)
            .with_current_span(false)
            .init(),
        Some(Command::Invoke { verbose: true, .. }) => tracing_subscriber::fmt()
            .json()
            .with_target(false)
            .with_current_span(false)
            .with_writer(std::io::stderr)
            .init(),
        Some(Command::Invoke { .. }) => {}
    }
    let config = match Config::load(&config_path(cli.config)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let authorizer = match RulesAuthorizer::new(config).await {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Some(Command::Invoke { event, .. }) => invoke(&authorizer, event).await,
        None => serve(&authorizer).await,
    }
}

/// One event through the rules, with the decision logged. Lambda mode and local mode both run
/// it through [`authorizer::lambda::answer`] (event parsing, panics contained, limits
/// checked), so the local answer is the Lambda answer.
async fn decide(
    authorizer: &RulesAuthorizer,
    event: AuthorizerEvent,
) -> Result<AuthorizerResponse, AuthorizerError> {
    let route = event
        .route_key()
        .map(str::to_owned)
        .or_else(|| {
            event
                .http_method()
                .zip(event.path())
                .map(|(m, p)| format!("{m} {p}"))
        })
        .unwrap_or_else(|| event.method_arn().to_owned());
    match authorizer.handle(&event).await {
        Ok((response, outcome)) => {
            tracing::info!(
                decision = if outcome.called_route_granted { "allow" } else { "deny" },
                principal = outcome.principal.as_deref().unwrap_or(""),
                route = %route,
                kind = %event.kind(),
                granted_routes = outcome.granted_routes,
                "authorized"
            );
            Ok(response)
        }
        Err(e) => {
            tracing::info!(
                decision = if e.is_unauthorized() { "unauthorized" } else { "error" },
                route = %route,
                kind = %event.kind(),
                reason = e.reason(),
                "refused"
            );
            Err(e)
        }
    }
}

async fn serve(authorizer: &RulesAuthorizer) -> ExitCode {
    match lambda::serve(move |event| decide(authorizer, event)).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: the Lambda runtime stopped: {e}");
            ExitCode::from(2)
        }
    }
}

async fn invoke(authorizer: &RulesAuthorizer, event: Option<PathBuf>) -> ExitCode {
    lambda::invoke(&move |event| decide(authorizer, event), event.as_deref()).await
}
