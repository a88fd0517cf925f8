//! The `arn_glob` target: execute-api ARNs and IAM wildcard patterns.
//!
//! Input: one flags byte, then UTF-8 `PATTERN \n TEXT` (without a newline the text is the
//! pattern itself). Flags: bit 0 case-insensitive, bit 1 wildcards off (`StringEquals`),
//! bit 2 policy variables on (policy version 2012-10-17). Seeds spell them as the digits `0`
//! to `7`.
//!
//! Invariants: an ARN that parses prints as its text and is rebuilt from its parts unchanged;
//! the compiled pattern agrees with a reference matcher (an obviously correct dynamic program
//! over characters, variables substituted as literal text first) on whether the text matches
//! and on whether a variable is unresolved; and the static questions the lints ask agree with
//! matching: a pattern that "could match no method ARN of the API" matches none, and one that
//! "covers every method ARN" matches each.

use policy_engine::arn::{ArnParts, MethodArn, Route, is_account_id};
use policy_engine::context::ContextKey;
use policy_engine::glob::{CaseMode, Pattern, Shape, VariableSource, Wildcards};

/// Runs one input; see [the module](mod@crate::arn_glob) for its format and invariants.
pub fn arn_glob(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Ok(rest) = std::str::from_utf8(rest) else {
        return;
    };
    let (pattern, text) = rest.split_once('\n').unwrap_or((rest, rest));
    for s in [pattern, text] {
        arn_round_trip(s);
    }
    let case = if flags & 1 == 0 {
        CaseMode::Sensitive
    } else {
        CaseMode::Insensitive
    };
    let wildcards = if flags & 2 == 0 {
        Wildcards::On
    } else {
        Wildcards::Off
    };
    let variables = flags & 4 != 0;
    glob(pattern, text, wildcards, case, variables);
}

/// Parsing then printing an ARN gives its text; its parts rebuild it.
fn arn_round_trip(text: &str) {
    if let Some(parts) = ArnParts::parse(text) {
        let _ = is_account_id(parts.account);
    }
    let Ok(arn) = MethodArn::parse(text) else {
        return;
    };
    assert_eq!(arn.as_str(), text);
    assert_eq!(arn.to_string(), text);
    let rebuilt = match arn.route() {
        Route::Method { verb, path } => {
            // The route's path has no leading `/`; `for_method` strips one if given.
            MethodArn::for_method(arn.api(), arn.stage(), verb, &format!("/{path}"))
        }
        Route::Key(key) => MethodArn::for_route_key(arn.api(), arn.stage(), key),
    };
    assert_eq!(rebuilt, arn, "rebuilding `{text}` from its parts");
}

/// The variables the harness's requests carry.
struct Vars;

impl VariableSource for Vars {
    fn variable_value(&self, key: &ContextKey) -> Option<&str> {
        variable(key.as_str())
    }
}

/// The value of the variable named `key` (lower case, as keys are compared).
fn variable(key: &str) -> Option<&'static str> {
    match key {
        "aws:username" => Some("al*ce?"),
        "aws:sourceip" => Some("192.0.2.7"),
        "aws:userid" => Some(""),
        "aws:principaltag/team" => Some("Ünïcode-K"),
        _ => None,
    }
}

fn glob(pattern: &str, text: &str, wildcards: Wildcards, case: CaseMode, variables: bool) {
    let compiled = Pattern::compile(pattern, wildcards, case, variables);
    assert_eq!(compiled.as_str(), pattern);
    let got = compiled.matches_with(text, &Vars);
    let units = reference_units(pattern, wildcards, variables);
    assert_eq!(
        compiled.has_variables(),
        units.iter().any(|u| matches!(u, Ref::Var(..))),
        "variables of `{pattern}`"
    );
    let expanded = expand(&units);
    let text_chars: Vec<char> = text.chars().collect();
    match (&got, &expanded) {
        (Err(_), None) => {}
        (Ok(matched), Some(expanded)) => {
            // The dynamic program is quadratic: skip it for the largest inputs (the matcher
            // still ran, so a slow path would show as a timeout).
            if expanded.len().saturating_mul(text_chars.len()) <= 4_000_000 {
                let want = reference_match(expanded, &text_chars, case);
                assert_eq!(
                    *matched, want,
                    "`{pattern}` against `{text}` ({wildcards:?}, {case:?}, variables {variables})"
                );
            }
        }
        _ => panic!(
            "`{pattern}` against `{text}`: matcher says {got:?}, the reference {}",
            if expanded.is_some() {
                "that every variable resolves"
            } else {
                "that a variable is unresolved"
            }
        ),
    }
    if compiled.is_match_all() {
        assert_eq!(got, Ok(true), "`*` matches everything");
    }
    if let Ok(matched) = got {
        static_questions(&compiled, text, matched);
    }
}

/// A unit of the reference's reading of a pattern.
#[derive(Debug, Clone, PartialEq)]
enum Ref {
    Char(char),
    One,
    Run,
    /// A policy variable: its key (as compared: trimmed, lower case) and its default.
    Var(String, Option<String>),
}

/// The reference's reading of a pattern: `*` and `?` (when wildcards are on), and with
/// variables `${key}`, `${key, 'default'}` and the escapes `${*}`, `${?}`, `${$}`; an unclosed
/// `${` is text.
fn reference_units(pattern: &str, wildcards: Wildcards, variables: bool) -> Vec<Ref> {
    let mut units = Vec::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if variables
            && let Some((body, after)) = rest.strip_prefix("${").and_then(|r| r.split_once('}'))
        {
            units.push(match body.trim() {
                "*" => Ref::Char('*'),
                "?" => Ref::Char('?'),
                "$" => Ref::Char('$'),
                body => match body.split_once(',') {
                    Some((key, default)) => {
                        let default = default.trim();
                        let default = default
                            .strip_prefix('\'')
                            .and_then(|d| d.strip_suffix('\''))
                            .unwrap_or(default);
                        Ref::Var(key.trim().to_lowercase(), Some(default.to_owned()))
                    }
                    None => Ref::Var(body.to_lowercase(), None),
                },
            });
            rest = after;
            continue;
        }
        units.push(match (c, wildcards) {
            ('*', Wildcards::On) => Ref::Run,
            ('?', Wildcards::On) => Ref::One,
            _ => Ref::Char(c),
        });
        rest = rest.get(c.len_utf8()..).unwrap_or_default();
    }
    units
}

/// The units with every variable replaced by its value (or default) as literal characters;
/// `None` when a variable has neither.
fn expand(units: &[Ref]) -> Option<Vec<Ref>> {
    let mut out = Vec::new();
    let mut unresolved = false;
    for unit in units {
        match unit {
            Ref::Var(key, default) => match variable(key.trim()).or(default.as_deref()) {
                Some(value) => out.extend(value.chars().map(Ref::Char)),
                None => unresolved = true,
            },
            other => out.push(other.clone()),
        }
    }
    (!unresolved).then_some(out)
}

/// Whether `units` match all of `text`: `m[i][j]` is whether `units[i..]` match `text[j..]`.
fn reference_match(units: &[Ref], text: &[char], case: CaseMode) -> bool {
    let same = |a: char, b: char| {
        a == b || (case == CaseMode::Insensitive && a.to_lowercase().eq(b.to_lowercase()))
    };
    // One row per unit, computed from the last; `next` is row i + 1.
    let mut next = vec![false; text.len() + 1];
    if let Some(last) = next.last_mut() {
        *last = true;
    }
    for unit in units.iter().rev() {
        let mut row = vec![false; text.len() + 1];
        for j in (0..=text.len()).rev() {
            let at = |v: &[bool], k: usize| v.get(k).copied().unwrap_or(false);
            let here = text.get(j).copied();
            let value = match unit {
                Ref::Run => at(&next, j) || (here.is_some() && at(&row, j + 1)),
                Ref::One => here.is_some() && at(&next, j + 1),
                Ref::Char(c) => here.is_some_and(|t| same(*c, t)) && at(&next, j + 1),
                Ref::Var(..) => false,
            };
            if let Some(cell) = row.get_mut(j) {
                *cell = value;
            }
        }
        next = row;
    }
    next.first().copied().unwrap_or(false)
}

/// `could_match` and `covers` against what matching `text` gave.
fn static_questions(pattern: &Pattern, text: &str, matched: bool) {
    let shape = Shape::every_method(&crate::api_ref());
    let could = pattern.could_match(&shape);
    let covers = pattern.covers(&shape);
    if covers == Some(true) {
        assert_ne!(
            could,
            Some(false),
            "`{pattern}` covers every method yet could match none"
        );
    }
    if !crate::is_method_arn(text) {
        return;
    }
    if matched {
        assert_ne!(
            could,
            Some(false),
            "`{pattern}` matches the method ARN `{text}`, yet the analysis says it could match none"
        );
    } else {
        assert_ne!(
            covers,
            Some(true),
            "`{pattern}` does not match the method ARN `{text}`, yet the analysis says it covers every one"
        );
    }
}
