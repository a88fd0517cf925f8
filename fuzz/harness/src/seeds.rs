//! The seed corpora under `fuzz/seeds/<target>/`, built from the repository's own files:
//! the authorizer event fixtures (copies of the project's shared fixtures), the scenario
//! corpus and examples, the policies, ARNs and patterns inside them, the signed tokens of the
//! examples, and tokens and claims the harness signs. `cargo run -p fuzz-harness --bin
//! fuzz-seeds` (or `fuzz/seed.sh`) rebuilds them; `tests/replay.rs` runs every one.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use jsonwebtoken::Algorithm;
use policy_engine::arn::{ApiRef, MethodArn};
use policy_engine::policy::PolicyDocument;
use serde_json::{Value, json};

use crate::keys;

/// Seed files by target, then by file name.
pub type Corpora = BTreeMap<&'static str, BTreeMap<String, Vec<u8>>>;

/// Builds every target's seeds from the repository at `root`.
///
/// # Errors
///
/// A file of the repository that cannot be read or is not JSON.
pub fn build(root: &Path) -> io::Result<Corpora> {
    let mut corpora = Corpora::new();
    let scenarios = scenario_files(root)?;
    for (name, text) in &scenarios {
        add(&mut corpora, "scenario", name, text.as_bytes().to_vec());
    }
    let mut policies: Vec<(String, Value)> = Vec::new();
    for file in json_files(&root.join("examples/policies"))? {
        let value = read_json(&file)?;
        let stem = stem(&file);
        if let Some(document) = value.get("policyDocument") {
            policies.push((format!("{stem}-document"), document.clone()));
        }
        policies.push((format!("example-{stem}"), value));
    }
    let mut arn_pairs: Vec<(String, String)> = Vec::new();
    for (name, text) in &scenarios {
        let Ok(value) = serde_json::from_str::<Value>(text) else {
            continue;
        };
        let stem = name.trim_end_matches(".json");
        policies.extend(policies_in(stem, &value));
        arn_pairs.extend(arn_pairs_in(&value));
    }
    let mut seen = Vec::new();
    for (name, policy) in &policies {
        let text = policy.to_string();
        if !seen.contains(&text) {
            add(
                &mut corpora,
                "policy",
                &format!("{name}.json"),
                text.clone().into_bytes(),
            );
            seen.push(text);
        }
    }
    arn_pairs.sort();
    arn_pairs.dedup();
    for (i, (pattern, text)) in arn_pairs.iter().enumerate() {
        let flags = if pattern.starts_with("arn:") || pattern == "*" {
            '4'
        } else {
            '1'
        };
        add(
            &mut corpora,
            "arn_glob",
            &format!("pair-{i:03}.txt"),
            format!("{flags}{pattern}\n{text}").into_bytes(),
        );
    }
    events(root, &mut corpora)?;
    tokens(root, &scenarios, &mut corpora);
    Ok(corpora)
}

/// Replaces `fuzz/seeds/` under `root` with `corpora`.
///
/// # Errors
///
/// The folder cannot be cleared or written.
pub fn write(root: &Path, corpora: &Corpora) -> io::Result<()> {
    let dir = root.join("fuzz/seeds");
    if dir.exists() {
        fs::remove_dir_all(&dir)?;
    }
    for (target, files) in corpora {
        let target_dir = dir.join(target);
        fs::create_dir_all(&target_dir)?;
        for (name, bytes) in files {
            fs::write(target_dir.join(name), bytes)?;
        }
    }
    Ok(())
}

fn add(corpora: &mut Corpora, target: &'static str, name: &str, bytes: Vec<u8>) {
    corpora
        .entry(target)
        .or_default()
        .insert(name.to_owned(), bytes);
}

fn stem(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The `*.json` files of `dir`, in name order.
fn json_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

fn read_json(file: &Path) -> io::Result<Value> {
    let text = fs::read_to_string(file)?;
    serde_json::from_str(&text).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Every scenario file, CLI and lint fixture and OpenAPI export, named after its folder.
fn scenario_files(root: &Path) -> io::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for (dir, prefix) in [
        ("examples/scenarios", "example"),
        ("tests/scenarios", "scenario"),
        ("tests/scenarios/authorizers", "rules"),
        ("tests/fixtures/cli", "cli"),
        ("tests/fixtures/lint", "lint"),
        ("examples/openapi", "openapi"),
    ] {
        for file in json_files(&root.join(dir))? {
            let text = fs::read_to_string(&file)?;
            out.push((format!("{prefix}-{}.json", stem(&file)), text));
        }
    }
    Ok(out)
}

/// The policies in a scenario file or export: the resource policy, the authorizer responses'
/// and the callers' identity policies.
fn policies_in(stem: &str, value: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for pointer in ["/resourcePolicy", "/x-amazon-apigateway-policy"] {
        if let Some(policy) = value.pointer(pointer) {
            out.push((format!("{stem}-resource"), policy.clone()));
        }
    }
    if let Some(Value::Object(responses)) = value.pointer("/auth/responses") {
        for (i, response) in responses.values().enumerate() {
            if let Some(policy) = response.get("policyDocument") {
                out.push((format!("{stem}-response-{i}"), policy.clone()));
            }
        }
    }
    if let Some(Value::Array(cases)) = value.get("cases") {
        for (i, case) in cases.iter().enumerate() {
            if let Some(Value::Array(list)) = case.pointer("/request/identityPolicies") {
                for (j, policy) in list.iter().enumerate() {
                    out.push((format!("{stem}-case{i}-identity-{j}"), policy.clone()));
                }
            }
        }
    }
    out
}

/// Pattern and text pairs from a scenario: its resource policy's resources (expanded) and
/// actions against the method ARNs of its cases.
fn arn_pairs_in(value: &Value) -> Vec<(String, String)> {
    let Some(api) = value.get("api") else {
        return Vec::new();
    };
    let text = |key: &str, default: &str| {
        api.get(key)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_owned()
    };
    let api_ref = ApiRef {
        partition: text("partition", "aws"),
        region: text("region", "us-east-1"),
        account_id: text("accountId", "123456789012"),
        api_id: text("apiId", "a1b2c3d4e5"),
    };
    let stage = text("stage", "prod");
    let arns: Vec<String> = value
        .get("cases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|case| {
            let method = case.pointer("/request/method")?.as_str()?;
            let path = case.pointer("/request/path")?.as_str()?;
            Some(MethodArn::for_method(&api_ref, &stage, method, path).to_string())
        })
        .take(4)
        .collect();
    let Some(policy) = value.get("resourcePolicy").and_then(|p| {
        PolicyDocument::from_json(p, policy_engine::PolicyKind::Resource, Some(&api_ref)).ok()
    }) else {
        return arns.iter().map(|a| (a.clone(), a.clone())).collect();
    };
    let mut out = Vec::new();
    for statement in policy.statements() {
        for pattern in statement.resources().patterns() {
            for arn in &arns {
                out.push((pattern.as_str().to_owned(), arn.clone()));
            }
        }
        for pattern in statement.actions().patterns() {
            out.push((pattern.as_str().to_owned(), "execute-api:Invoke".to_owned()));
        }
    }
    out.sort();
    out.dedup();
    out.truncate(PAIRS_PER_SCENARIO);
    out
}

/// Pattern and text pairs taken from one scenario: enough to show the matcher every kind of
/// pattern, few enough to keep the corpus small.
const PAIRS_PER_SCENARIO: usize = 6;

/// The event fixtures and the example's event, as they are and with tokens the harness signs.
fn events(root: &Path, corpora: &mut Corpora) -> io::Result<()> {
    let mut files = Vec::new();
    for dir in ["powertools-python", "powertools-typescript"] {
        files.extend(json_files(
            &root.join("authorizer/tests/fixtures/events").join(dir),
        )?);
    }
    files.push(root.join("examples/authorizer/token-event.json"));
    let claim_sets = [
        ("all", claims(&[])),
        (
            "read",
            claims(&[
                ("scope", json!("pets:read")),
                ("cognito:groups", json!(null)),
                ("tier", json!(null)),
            ]),
        ),
        (
            "admin",
            claims(&[
                ("scope", json!(null)),
                ("cognito:groups", json!(["admin"])),
                ("tier", json!(null)),
            ]),
        ),
        ("expired", claims(&[("exp", json!(1_000_000_000))])),
        ("other-audience", claims(&[("aud", json!("api://other"))])),
    ];
    for file in files {
        let bytes = fs::read(&file)?;
        let name = stem(&file);
        add(
            corpora,
            "authorizer_event",
            &format!("{name}.json"),
            bytes.clone(),
        );
        for (label, set) in &claim_sets {
            for (selector, alg) in [(0_u8, "hs256"), (1, "es256")] {
                if alg == "es256" && *label != "all" {
                    continue;
                }
                let mut seed = bytes.clone();
                seed.push(0);
                seed.push(selector);
                seed.extend(set.to_string().into_bytes());
                add(
                    corpora,
                    "authorizer_event",
                    &format!("{name}-signed-{alg}-{label}.bin"),
                    seed,
                );
            }
        }
    }
    Ok(())
}

/// Claims that pass every check and that every rule of the harness grants, with `changes`.
fn claims(changes: &[(&str, Value)]) -> Value {
    let mut claims = json!({
        "iss": keys::ISSUER, "aud": keys::AUDIENCE, "sub": "alice", "exp": 4_102_444_800_u64,
        "iat": 1_767_225_600, "scope": "pets:read pets:write", "cognito:groups": ["admin"],
        "tier": "gold", "tenant_id": "acme"
    });
    if let Some(map) = claims.as_object_mut() {
        for (key, value) in changes {
            if value.is_null() {
                map.remove(*key);
            } else {
                map.insert((*key).to_owned(), value.clone());
            }
        }
    }
    claims
}

/// Tokens: the examples' signed tokens, tokens the harness signs, and the structured mode's
/// headers and claims.
fn tokens(root: &Path, scenarios: &[(String, String)], corpora: &mut Corpora) {
    let mut found: Vec<String> = Vec::new();
    let event =
        fs::read_to_string(root.join("examples/authorizer/token-event.json")).unwrap_or_default();
    for text in scenarios
        .iter()
        .map(|(_, t)| t.as_str())
        .chain([event.as_str()])
    {
        for word in text.split(['"', ' ']) {
            if word.starts_with("eyJ")
                && word.matches('.').count() == 2
                && !found.contains(&word.to_owned())
            {
                found.push(word.to_owned());
            }
        }
    }
    for (i, token) in found.iter().enumerate() {
        add(
            corpora,
            "jwt",
            &format!("example-{i}.txt"),
            token.clone().into_bytes(),
        );
    }
    let claim_sets = [
        ("valid", claims(&[])),
        ("expired", claims(&[("exp", json!(1_000_000_000))])),
        (
            "not-yet-valid",
            claims(&[("nbf", json!(4_000_000_000_u64))]),
        ),
        (
            "issued-in-future",
            claims(&[("iat", json!(4_000_000_000_u64))]),
        ),
        ("fractional-exp", claims(&[("exp", json!(4_102_444_800.5))])),
        ("string-exp", claims(&[("exp", json!("4102444800"))])),
        ("huge-exp", claims(&[("exp", json!(1e30))])),
        ("max-exp", claims(&[("exp", json!(u64::MAX))])),
        (
            "audience-list",
            claims(&[("aud", json!(["x", keys::AUDIENCE]))]),
        ),
        (
            "client-id",
            claims(&[("aud", json!(null)), ("client_id", json!(keys::AUDIENCE))]),
        ),
        (
            "other-issuer",
            claims(&[("iss", json!("https://evil.example/"))]),
        ),
        ("no-subject", claims(&[("sub", json!(null))])),
        ("no-exp", claims(&[("exp", json!(null))])),
    ];
    for (label, set) in &claim_sets {
        let payload = set.to_string().into_bytes();
        for (selector, alg) in [
            (0_u8, Algorithm::HS256),
            (10, Algorithm::HS384),
            (11, Algorithm::HS512),
            (12, Algorithm::ES256),
            (15, Algorithm::RS256),
        ] {
            let mut seed = vec![selector, 0];
            seed.extend(&payload);
            add(corpora, "jwt", &format!("signed-{alg:?}-{label}.bin"), seed);
        }
        if let Some(token) = keys::sign(
            &keys::canonical_header(Algorithm::HS256),
            &payload,
            Algorithm::HS256,
        ) {
            add(
                corpora,
                "jwt",
                &format!("hs256-{label}.txt"),
                token.into_bytes(),
            );
        }
    }
    let valid = claims(&[]).to_string();
    for (label, selector, header) in [
        ("crit", 0_u8, json!({"alg": "HS256", "crit": ["exp"]})),
        ("none", 0, json!({"alg": "none"})),
        ("kid-number", 0, json!({"alg": "HS256", "kid": 5})),
        ("no-kid", 15, json!({"alg": "RS256"})),
        (
            "wrong-kid",
            12,
            json!({"alg": "ES256", "kid": keys::RSA_KID}),
        ),
        ("unknown-kid", 15, json!({"alg": "RS256", "kid": "other"})),
        (
            "alg-mismatch",
            0,
            json!({"alg": "RS256", "kid": keys::RSA_KID}),
        ),
        (
            "duplicate-alg",
            0,
            json!("{\"alg\":\"none\",\"alg\":\"HS256\"}"),
        ),
    ] {
        let header = match header {
            Value::String(raw) => raw,
            other => other.to_string(),
        };
        let mut seed = vec![selector];
        seed.extend(header.into_bytes());
        seed.push(0);
        seed.extend(valid.as_bytes());
        add(corpora, "jwt", &format!("header-{label}.bin"), seed);
    }
}
