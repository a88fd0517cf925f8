//! The `scenario` target: scenario files (and OpenAPI exports) as `policy-sim` reads them.
//!
//! Input: JSON text. A scenario file is linted and parsed (`policy-sim lint` and `test` read it
//! the same way), then run: the report in every format, and each case decided quietly and
//! explained, in order, sharing the authorizer-result cache as `policy-sim test` does. An
//! OpenAPI export is read as an access setup and linted.
//!
//! Files a scenario names are limited to this repository's: `openapi` only
//! `../openapi/pets-export.json` (the harness resolves paths from `examples/scenarios/`), and
//! `rules` only the rules files of the examples and tests, by file name, each loaded once.
//! A `command` authorizer is parsed but its scenario never run.
//!
//! Invariant: for every case, the quiet decision (`decide*`, what `policy-sim test` compares)
//! equals the explained one (`handle*`, what it prints), steps aside.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use policy_engine::cache::AuthorizerCache;
use policy_engine::flow::{AnswerSource, AuthorizerAnswer, AuthorizerCall};
use policy_engine::function::AuthorizerFunction;
use policy_engine::lint::setup::{lint_openapi, lint_scenario};
use policy_engine::scenario::{self, Explain, Options, RunReport, Scenario};
use serde_json::Value;

use crate::policy::same_decision;

/// The only export a scenario may name, relative to [`scenario_dir`].
const OPENAPI_EXPORT: &str = "../openapi/pets-export.json";
/// The time of `at: 0` for scenarios without `startTime`: 2026-01-01T00:00:00Z.
const START: i64 = 1_767_225_600;

/// Runs one input; see [the module](mod@crate::scenario) for its format and invariants.
pub fn scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(value) = serde_json::from_str::<Value>(text) else {
        assert!(
            scenario::parse("fuzz.json", text).is_err(),
            "text that is not JSON parsed as a scenario"
        );
        return;
    };
    if policy_engine::openapi::is_openapi(&value)
        && let Ok(setup) =
            policy_engine::openapi::parse("fuzz-export.json", &value, Some(&crate::api_ref()))
    {
        for finding in lint_openapi(&setup) {
            let _ = (finding.to_json(), finding.to_string());
        }
    }
    if value
        .get("openapi")
        .is_some_and(|o| o.as_str() != Some(OPENAPI_EXPORT))
    {
        return;
    }
    let linted = lint_scenario("fuzz.json", &value, &scenario_dir(), options());
    for finding in &linted.findings {
        let _ = (finding.to_json(), finding.to_string());
    }
    let Some(parsed) = linted.scenario else {
        return;
    };
    if value.pointer("/auth/command").is_some() {
        return;
    }
    let report = RunReport {
        files: vec![scenario::run_with(&parsed, Explain::All)],
        ..RunReport::default()
    };
    let _ = (report.to_json(), report.to_junit(), report.to_string());
    quiet_and_explained(&parsed);
}

/// Where a fuzzed scenario's relative paths are resolved from.
fn scenario_dir() -> PathBuf {
    crate::repo_root().join("examples/scenarios")
}

fn options() -> Options<'static> {
    Options {
        rules_loader: Some(&load_rules),
    }
}

/// The repository's rules files, by file name, each loaded once.
fn load_rules(path: &Path) -> Result<Arc<dyn AuthorizerFunction>, String> {
    static LOADED: LazyLock<HashMap<&'static str, Arc<dyn AuthorizerFunction>>> =
        LazyLock::new(|| {
            [
                ("rules.json", "examples/authorizer/rules.json"),
                (
                    "pets-simple.json",
                    "tests/scenarios/authorizers/pets-simple.json",
                ),
                (
                    "rules-many-routes.rules.json",
                    "tests/fixtures/lint/rules-many-routes.rules.json",
                ),
            ]
            .into_iter()
            .map(|(name, file)| {
                let function = apigw_authz::load_rules(&crate::repo_root().join(file))
                    .unwrap_or_else(|e| panic!("the rules file {file} does not load: {e}"));
                (name, function)
            })
            .collect()
        });
    path.file_name()
        .and_then(|name| LOADED.get(name.to_str()?))
        .cloned()
        .ok_or_else(|| "the fuzz harness loads only the repository's rules files".to_owned())
}

/// Decides every case quietly and explained, as `policy-sim test` runs them, and compares.
fn quiet_and_explained(scenario: &Scenario) {
    let start = scenario.start_time.unwrap_or(START);
    let ttl = scenario.lambda.as_ref().map_or(0, |l| l.ttl_seconds);
    let Ok(cache) = AuthorizerCache::new(ttl, 10_000) else {
        return;
    };
    let gateway = &scenario.gateway;
    for case in &scenario.cases {
        let now = start.saturating_add(case.at);
        let (quiet, explained) = match &scenario.lambda {
            Some(lambda) => {
                let mut call = None;
                let quiet = gateway.decide_with_authorizer(&case.request, now, &mut || {
                    let answer = lambda.call(&gateway.api, &case.request, &cache, now);
                    call = Some(answer.clone());
                    answer
                });
                let replay = call.unwrap_or_else(|| AuthorizerCall {
                    answer: Arc::new(AuthorizerAnswer::Failed("not called".to_owned())),
                    source: AnswerSource::Invoked,
                });
                let explained =
                    gateway.handle_with_authorizer(&case.request, now, &mut || replay.clone());
                (quiet, explained)
            }
            None => (
                gateway.decide(&case.request, now),
                gateway.handle(&case.request, now),
            ),
        };
        same_decision(quiet, explained);
    }
}
