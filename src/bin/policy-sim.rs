//! `policy-sim`: would Amazon API Gateway let these requests through, and why?
//!
//! A thin layer over `policy_engine::scenario`: it parses arguments, calls the library and
//! prints. Exit status: 0 every case passed, 1 a case failed, 2 invalid input.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use policy_engine::scenario::RunReport;

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
    /// Run scenario files and check every case's expected outcome.
    Test {
        /// Scenario files, or directories of `*.json` scenario files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// One line per case; failing cases explained.
    Human,
    /// One JSON object (stable, for scripts).
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Test { paths, format } => test(&paths, format),
    }
}

fn test(paths: &[PathBuf], format: Format) -> ExitCode {
    let report = match apigw_authz::run_paths(paths) {
        Ok(report) => report,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match format {
        Format::Json => println!("{}", report.to_json()),
        Format::Human => print_human(&report),
    }
    if report.all_passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn print_human(report: &RunReport) {
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let paint = |code: &str, text: &str| {
        if colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    for file in &report.files {
        for case in &file.cases {
            if case.pass {
                println!("{} {} :: {}", paint("32", "PASS"), file.file, case.name);
            } else {
                println!("{} {} :: {}", paint("31", "FAIL"), file.file, case.name);
                for m in &case.mismatches {
                    println!("    {m}");
                }
                for line in case.explanation.lines() {
                    println!("      {line}");
                }
            }
        }
    }
    println!("{} passed, {} failed", report.passed(), report.failed());
}
