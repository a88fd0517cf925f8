//! IAM wildcard patterns: `*` (any run of characters, `/` and `:` included) and `?` (exactly one
//! character), with policy variables such as `${aws:SourceIp}` resolved at match time.
//!
//! Patterns are compiled once from policy text and matched without allocating. Matching is the
//! greedy algorithm that only ever backtracks to the most recent `*`, so its cost is bounded by
//! `text length × pattern length` — never exponential, whatever the pattern (`*a*a*a*a*b`
//! against ten thousand `a`s is linear). No regular expression is built from policy text.
//!
//! [`Shape`] and [`Pattern::could_match`] / [`Pattern::covers`] answer static questions about
//! a pattern (could it name any method of this API? every one?) for the lints.

use std::fmt;

use crate::context::ContextKey;

mod analysis;

pub use analysis::Shape;

/// How characters are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseMode {
    /// Exact comparison (resources, ARNs, `StringEquals`, `StringLike`).
    Sensitive,
    /// Case-insensitive comparison (actions, `StringEqualsIgnoreCase`).
    Insensitive,
}

/// Whether `*` and `?` are wildcards or plain characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wildcards {
    /// `*` and `?` match runs and single characters (`Resource`, `Action`, `StringLike`).
    On,
    /// `*` and `?` are literal (`StringEquals`).
    Off,
}

/// A policy variable inside a pattern: `${aws:username}` or `${aws:username, 'anonymous'}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// The condition key whose request value replaces the variable.
    pub key: ContextKey,
    /// The value used when the request has no such key (`${key, 'default'}`).
    pub default: Option<Box<str>>,
}

/// Looks up the value of a policy variable in a request.
pub trait VariableSource {
    /// The request's single value for `key`, or `None` when the key is absent or multi-valued.
    fn variable_value(&self, key: &ContextKey) -> Option<&str>;
}

/// Why a pattern could not be matched at all.
#[derive(Debug, Clone, PartialEq)]
pub struct UnresolvedVariable {
    /// The variable whose key the request does not carry (and which has no default).
    pub key: ContextKey,
}

#[derive(Debug, Clone, PartialEq)]
enum Unit {
    Char(char),
    AnyOne,
    AnyRun,
    Var(Variable),
}

/// A compiled IAM wildcard pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    source: Box<str>,
    /// Literal text every match starts with; compared in one slice comparison.
    prefix: Box<str>,
    /// The rest of the pattern after `prefix`.
    units: Box<[Unit]>,
    case: CaseMode,
}

impl Pattern {
    /// Compile `source`. With `variables` set (policy `Version` 2012-10-17), `${key}` is a policy
    /// variable and `${*}`, `${?}`, `${$}` are the literal `*`, `?`, `$`; otherwise `${` is text.
    pub fn compile(source: &str, wildcards: Wildcards, case: CaseMode, variables: bool) -> Self {
        let mut units = Vec::new();
        let mut rest = source;
        while let Some(c) = rest.chars().next() {
            if variables && rest.starts_with("${") {
                if let Some((unit, consumed)) = parse_variable(rest) {
                    units.push(unit);
                    rest = rest.get(consumed..).unwrap_or("");
                    continue;
                }
            }
            units.push(match (c, wildcards) {
                ('*', Wildcards::On) => Unit::AnyRun,
                ('?', Wildcards::On) => Unit::AnyOne,
                _ => Unit::Char(c),
            });
            rest = rest.get(c.len_utf8()..).unwrap_or("");
        }
        let prefix_len = units
            .iter()
            .take_while(|u| matches!(u, Unit::Char(_)))
            .count();
        let prefix: String = units
            .iter()
            .take(prefix_len)
            .filter_map(|u| match u {
                Unit::Char(c) => Some(*c),
                _ => None,
            })
            .collect();
        units.drain(..prefix_len);
        Self {
            source: source.into(),
            prefix: prefix.into(),
            units: units.into(),
            case,
        }
    }

    /// The pattern as written in the policy.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern is a lone `*`, matching every string.
    pub fn is_match_all(&self) -> bool {
        self.prefix.is_empty() && matches!(&*self.units, [Unit::AnyRun])
    }

    /// Whether the pattern contains policy variables.
    pub fn has_variables(&self) -> bool {
        self.units.iter().any(|u| matches!(u, Unit::Var(_)))
    }

    /// The policy variables in the pattern, in order.
    pub fn variables(&self) -> impl Iterator<Item = &Variable> {
        self.units.iter().filter_map(|u| match u {
            Unit::Var(v) => Some(v),
            _ => None,
        })
    }

    /// Match a pattern that has no variables (variables would count as unresolved).
    pub fn matches(&self, text: &str) -> bool {
        self.matches_with(text, &NoVariables).unwrap_or(false)
    }

    /// Match `text`, resolving variables from `vars`. An absent variable without a default
    /// makes the whole pattern unmatchable, as IAM specifies.
    pub fn matches_with(
        &self,
        text: &str,
        vars: &dyn VariableSource,
    ) -> Result<bool, UnresolvedVariable> {
        let Some(rest) = strip_prefix(text, &self.prefix, self.case) else {
            // A missing variable still has to be reported, even when the prefix differs.
            return self.check_resolvable(vars).map(|()| false);
        };
        self.check_resolvable(vars)?;
        Ok(match_units(&self.units, rest, self.case, vars))
    }

    fn check_resolvable(&self, vars: &dyn VariableSource) -> Result<(), UnresolvedVariable> {
        for var in self.variables() {
            if var.default.is_none() && vars.variable_value(&var.key).is_none() {
                return Err(UnresolvedVariable {
                    key: var.key.clone(),
                });
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

struct NoVariables;

impl VariableSource for NoVariables {
    fn variable_value(&self, _key: &ContextKey) -> Option<&str> {
        None
    }
}

/// Parse `${...}` at the start of `text`: the unit and the bytes consumed, or `None` if the
/// braces are not closed (then `${` is literal text).
fn parse_variable(text: &str) -> Option<(Unit, usize)> {
    let body_and_rest = text.get(2..)?;
    let close = body_and_rest.find('}')?;
    let body = body_and_rest.get(..close)?.trim();
    let consumed = close + 3;
    let unit = match body {
        "*" => Unit::Char('*'),
        "?" => Unit::Char('?'),
        "$" => Unit::Char('$'),
        _ => {
            let (key, default) = match body.split_once(',') {
                Some((key, default)) => {
                    let default = default.trim();
                    let default = default
                        .strip_prefix('\'')
                        .and_then(|d| d.strip_suffix('\''))
                        .unwrap_or(default);
                    (key.trim(), Some(Box::from(default)))
                }
                None => (body, None),
            };
            Unit::Var(Variable {
                key: ContextKey::new(key),
                default,
            })
        }
    };
    Some((unit, consumed))
}

fn strip_prefix<'t>(text: &'t str, prefix: &str, case: CaseMode) -> Option<&'t str> {
    match case {
        CaseMode::Sensitive => text.strip_prefix(prefix),
        CaseMode::Insensitive => {
            let mut rest = text;
            for p in prefix.chars() {
                let mut chars = rest.chars();
                let t = chars.next()?;
                if !chars_equal(p, t, case) {
                    return None;
                }
                rest = chars.as_str();
            }
            Some(rest)
        }
    }
}

fn chars_equal(a: char, b: char, case: CaseMode) -> bool {
    a == b || (case == CaseMode::Insensitive && a.to_lowercase().eq(b.to_lowercase()))
}

/// A position in the pattern: the unit, and for a variable the byte offset into its value.
#[derive(Clone, Copy)]
struct Cursor {
    unit: usize,
    offset: usize,
}

/// What the pattern asks for next.
enum Want {
    End,
    Run,
    One,
    Char(char),
}

fn variable_text<'a>(var: &'a Variable, vars: &'a dyn VariableSource) -> &'a str {
    vars.variable_value(&var.key)
        .or(var.default.as_deref())
        .unwrap_or("")
}

/// The next thing the pattern wants at `cur`, normalising the cursor past exhausted variables.
fn want(units: &[Unit], cur: &mut Cursor, vars: &dyn VariableSource) -> Want {
    loop {
        match units.get(cur.unit) {
            None => return Want::End,
            Some(Unit::AnyRun) => return Want::Run,
            Some(Unit::AnyOne) => return Want::One,
            Some(Unit::Char(c)) => return Want::Char(*c),
            Some(Unit::Var(var)) => {
                let value = variable_text(var, vars);
                match value.get(cur.offset..).and_then(|s| s.chars().next()) {
                    Some(c) => return Want::Char(c),
                    None => {
                        cur.unit += 1;
                        cur.offset = 0;
                    }
                }
            }
        }
    }
}

/// Advance the cursor past one pattern character (`c` is the character just matched).
fn advance(units: &[Unit], cur: &mut Cursor, c: char) {
    match units.get(cur.unit) {
        Some(Unit::Var(_)) => cur.offset += c.len_utf8(),
        _ => {
            cur.unit += 1;
            cur.offset = 0;
        }
    }
}

fn match_units(units: &[Unit], text: &str, case: CaseMode, vars: &dyn VariableSource) -> bool {
    let mut p = Cursor { unit: 0, offset: 0 };
    let mut t = 0usize;
    // The most recent `*`: the pattern position after it and the text position it resumes at.
    let mut star: Option<(Cursor, usize)> = None;
    loop {
        let next_char = text.get(t..).and_then(|s| s.chars().next());
        let wanted = want(units, &mut p, vars);
        match (wanted, next_char) {
            (Want::Run, _) => {
                p.unit += 1;
                p.offset = 0;
                star = Some((p, t));
                continue;
            }
            (Want::End, None) => return true,
            (Want::One, Some(c)) => {
                p.unit += 1;
                p.offset = 0;
                t += c.len_utf8();
                continue;
            }
            (Want::Char(pc), Some(tc)) if chars_equal(pc, tc, case) => {
                advance(units, &mut p, pc);
                t += tc.len_utf8();
                continue;
            }
            _ => {}
        }
        // Mismatch: let the last `*` swallow one more character, or fail.
        match star {
            Some((after_star, resume)) => {
                let Some(c) = text.get(resume..).and_then(|s| s.chars().next()) else {
                    return false;
                };
                let resume = resume + c.len_utf8();
                star = Some((after_star, resume));
                p = after_star;
                t = resume;
            }
            None => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pat(s: &str) -> Pattern {
        Pattern::compile(s, Wildcards::On, CaseMode::Sensitive, true)
    }

    #[test]
    fn star_spans_slashes_and_colons() {
        assert!(pat("arn:aws:execute-api:*").matches("arn:aws:execute-api:us-east-1:1:a/b/GET/x/y"));
        assert!(pat("a/*/GET/*").matches("a/prod/GET/pets/1"));
        assert!(pat("*").matches(""));
        assert!(pat("a*").matches("a"));
        assert!(!pat("a*b").matches("a"));
    }

    #[test]
    fn question_mark_is_exactly_one_character() {
        assert!(pat("a?c").matches("abc"));
        assert!(pat("a?c").matches("aéc"));
        assert!(!pat("a?c").matches("ac"));
        assert!(!pat("a?c").matches("abbc"));
    }

    #[test]
    fn case_modes() {
        let p = Pattern::compile(
            "execute-api:Inv*",
            Wildcards::On,
            CaseMode::Insensitive,
            false,
        );
        assert!(p.matches("EXECUTE-API:invoke"));
        assert!(!pat("GET/Pets").matches("GET/pets"));
    }

    #[test]
    fn literal_mode_treats_wildcards_as_text() {
        let p = Pattern::compile("a*", Wildcards::Off, CaseMode::Sensitive, true);
        assert!(p.matches("a*"));
        assert!(!p.matches("ab"));
    }

    struct Vars;
    impl VariableSource for Vars {
        fn variable_value(&self, key: &ContextKey) -> Option<&str> {
            (key.as_str() == "aws:sourceip").then_some("10.0.0.1")
        }
    }

    #[test]
    fn variables_resolve_or_make_the_pattern_unmatchable() {
        let p = pat("ip/${aws:SourceIp}/*");
        assert_eq!(p.matches_with("ip/10.0.0.1/x", &Vars), Ok(true));
        assert_eq!(p.matches_with("ip/10.0.0.2/x", &Vars), Ok(false));
        let missing = pat("u/${aws:username}");
        assert!(missing.matches_with("u/bob", &Vars).is_err());
        let defaulted = pat("u/${aws:username, 'anon'}");
        assert_eq!(defaulted.matches_with("u/anon", &Vars), Ok(true));
        let escaped = pat("${*}${?}${$}");
        assert_eq!(escaped.matches_with("*?$", &Vars), Ok(true));
        assert_eq!(escaped.matches_with("a?$", &Vars), Ok(false));
        // Without variable support (policy Version 2008-10-17) `${` is text.
        let old = Pattern::compile("${aws:SourceIp}", Wildcards::On, CaseMode::Sensitive, false);
        assert!(old.matches("${aws:SourceIp}"));
        // An unterminated variable is text.
        assert!(pat("${oops").matches("${oops"));
    }

    #[test]
    fn a_wildcard_inside_a_variable_value_is_literal() {
        struct Star;
        impl VariableSource for Star {
            fn variable_value(&self, _: &ContextKey) -> Option<&str> {
                Some("*")
            }
        }
        let p = pat("x/${aws:username}");
        assert_eq!(p.matches_with("x/*", &Star), Ok(true));
        assert_eq!(p.matches_with("x/abc", &Star), Ok(false));
    }

    #[test]
    fn pathological_patterns_stay_fast() {
        let text = "a".repeat(10_000);
        let p = pat("*a*a*a*a*a*a*a*a*a*a*b");
        assert!(!p.matches(&text));
        let p = pat("*a*a*a*a*a*a*a*a*a*a*");
        assert!(p.matches(&text));
    }

    /// The obviously-correct exponential matcher the fast one is checked against.
    fn reference(p: &[char], t: &[char]) -> bool {
        match p.split_first() {
            None => t.is_empty(),
            Some(('*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
            Some(('?', rest)) => !t.is_empty() && reference(rest, &t[1..]),
            Some((c, rest)) => t.first() == Some(c) && reference(rest, &t[1..]),
        }
    }

    proptest! {
        #[test]
        fn agrees_with_the_reference_matcher(p in "[ab*?/é]{0,8}", t in "[ab/é]{0,10}") {
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            let compiled = Pattern::compile(&p, Wildcards::On, CaseMode::Sensitive, false);
            prop_assert_eq!(compiled.matches(&t), reference(&pc, &tc));
        }

        #[test]
        fn never_panics(p in "\\PC{0,40}", t in "\\PC{0,40}") {
            let compiled = Pattern::compile(&p, Wildcards::On, CaseMode::Insensitive, true);
            let _ = compiled.matches_with(&t, &Vars);
        }
    }
}
