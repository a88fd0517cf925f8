//! IAM wildcard patterns: `*` (any run of characters, `/` and `:` included) and `?` (exactly one
//! character), with policy variables such as `${aws:SourceIp}` resolved at match time.
//!
//! Patterns are compiled once from policy text and matched without allocating. Patterns made of
//! literal text and `*` only (nearly every `Resource` and `Action`) are matched as literal parts:
//! the prefix and suffix are compared in place and each middle part is found leftmost with a
//! substring searcher built at compile time, linear in the text. Short patterns with `?` or
//! policy variables use the greedy algorithm that only ever backtracks to the most recent `*`:
//! at most 64 steps per character of the text. Longer ones (a long pattern, or a variable
//! resolved to a long value) run bit-parallel (`bits.rs`): `pattern length / 64` word
//! operations per character. None is ever exponential, whatever the pattern (`*a*a*a*a*b`
//! against ten thousand `a`s). No regular expression is built from policy text.
//!
//! [`Shape`] and [`Pattern::could_match`] / [`Pattern::covers`] answer static questions about
//! a pattern (could it name any method of this API? every one?) for the lints.
//!
//! Where patterns come from: a policy's `Action` / `NotAction` (case-insensitive) and
//! `Resource` / `NotResource` elements, compiled by [`crate::policy`] and reachable through
//! [`PatternSet::patterns`](crate::policy::PatternSet::patterns), and the values of the
//! `StringLike` and `Arn*` condition operators ([`crate::condition`]). At evaluation
//! ([`crate::eval`]) the request's method ARN is matched against them, with policy variables
//! read from the request's [`RequestContext`](crate::context::RequestContext).
//!
//! ```
//! use policy_engine::glob::{CaseMode, Pattern, Wildcards};
//!
//! let resource = Pattern::compile(
//!     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/GET/pets/*",
//!     Wildcards::On,
//!     CaseMode::Sensitive,
//!     true,
//! );
//! // `*` spans `/`: every pet, at any depth, on any stage.
//! assert!(resource.matches("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/42/toys"));
//! assert!(!resource.matches("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/pets/42"));
//! ```

use std::fmt;

use crate::context::{ContextKey, KnownKeys};

mod analysis;
mod bits;

pub use analysis::Shape;
use bits::{BitProgram, BitUnit, LONG_PATTERN_UNITS};

/// How characters are compared.
///
/// ```
/// use policy_engine::glob::{CaseMode, Pattern, Wildcards};
///
/// let action = Pattern::compile("execute-api:Invoke", Wildcards::On, CaseMode::Insensitive, false);
/// assert!(action.matches("EXECUTE-API:invoke"));
/// let value = Pattern::compile("Admins", Wildcards::Off, CaseMode::Sensitive, false);
/// assert!(!value.matches("admins"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseMode {
    /// Exact comparison (resources, ARNs, `StringEquals`, `StringLike`).
    Sensitive,
    /// Case-insensitive comparison (actions, `StringEqualsIgnoreCase`).
    Insensitive,
}

/// Whether `*` and `?` are wildcards or plain characters.
///
/// ```
/// use policy_engine::glob::{CaseMode, Pattern, Wildcards};
///
/// let like = Pattern::compile("team-*", Wildcards::On, CaseMode::Sensitive, false);
/// assert!(like.matches("team-blue"));
/// let equals = Pattern::compile("team-*", Wildcards::Off, CaseMode::Sensitive, false);
/// assert!(!equals.matches("team-blue") && equals.matches("team-*"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wildcards {
    /// `*` and `?` match runs and single characters (`Resource`, `Action`, `StringLike`).
    On,
    /// `*` and `?` are literal (`StringEquals`).
    Off,
}

/// A policy variable inside a pattern: `${aws:username}` or `${aws:username, 'anonymous'}`.
///
/// ```
/// use policy_engine::glob::{CaseMode, Pattern, Wildcards};
///
/// let p = Pattern::compile("users/${aws:username, 'anonymous'}/*", Wildcards::On, CaseMode::Sensitive, true);
/// let variable = p.variables().next().ok_or("no variable")?;
/// assert_eq!(variable.key.to_string(), "aws:username");
/// assert_eq!(variable.default.as_deref(), Some("anonymous"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// The condition key whose request value replaces the variable.
    pub key: ContextKey,
    /// The value used when the request has no such key (`${key, 'default'}`).
    pub default: Option<Box<str>>,
}

/// Looks up the value of a policy variable in a request.
///
/// [`RequestContext`](crate::context::RequestContext) is the implementation evaluation uses;
/// implement it to resolve variables from elsewhere.
///
/// ```
/// use policy_engine::context::ContextKey;
/// use policy_engine::glob::{CaseMode, Pattern, VariableSource, Wildcards};
///
/// struct Alice;
/// impl VariableSource for Alice {
///     fn variable_value(&self, key: &ContextKey) -> Option<&str> {
///         (key.as_str() == "aws:username").then_some("alice")
///     }
/// }
///
/// let p = Pattern::compile("home/${aws:username}/*", Wildcards::On, CaseMode::Sensitive, true);
/// assert_eq!(p.matches_with("home/alice/notes", &Alice), Ok(true));
/// assert_eq!(p.matches_with("home/bob/notes", &Alice), Ok(false));
/// ```
pub trait VariableSource {
    /// The request's single value for `key`, or `None` when the key is absent or multi-valued.
    ///
    /// ```
    /// use policy_engine::context::{ContextKey, ContextValue, RequestContext};
    /// use policy_engine::glob::VariableSource;
    ///
    /// let mut context = RequestContext::new();
    /// context.set("aws:username", "alice")?;
    /// context.insert(&ContextKey::new("aws:TagKeys"), ContextValue::multi(["a", "b"]))?;
    /// assert_eq!(context.variable_value(&ContextKey::new("aws:username")), Some("alice"));
    /// assert_eq!(context.variable_value(&ContextKey::new("aws:TagKeys")), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn variable_value(&self, key: &ContextKey) -> Option<&str>;
}

/// Why a pattern could not be matched at all: IAM makes a pattern whose variable the request
/// lacks (with no default) match nothing, so a statement using it does not apply.
///
/// ```
/// use policy_engine::context::RequestContext;
/// use policy_engine::glob::{CaseMode, Pattern, Wildcards};
///
/// let p = Pattern::compile("home/${aws:username}/*", Wildcards::On, CaseMode::Sensitive, true);
/// let err = p.matches_with("home/alice/notes", &RequestContext::new()).unwrap_err();
/// assert_eq!(err.key.to_string(), "aws:username");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
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
///
/// Compile once, match many times: matching allocates nothing and is never exponential (see
/// the [module docs](crate::glob)).
///
/// ```
/// use policy_engine::glob::{CaseMode, Pattern, Wildcards};
///
/// let p = Pattern::compile("arn:aws:execute-api:*:*:*/prod/GET/pets/??", Wildcards::On, CaseMode::Sensitive, true);
/// assert!(p.matches("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/42"));
/// assert!(!p.matches("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/123"));
/// assert_eq!(p.to_string(), "arn:aws:execute-api:*:*:*/prod/GET/pets/??");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    source: Box<str>,
    /// Literal text every match starts with; compared in one slice comparison.
    prefix: Box<str>,
    /// The rest of the pattern after `prefix`.
    units: Box<[Unit]>,
    /// For patterns of literal text and `*` only: the text between the stars, in order
    /// (`a*b*` is `a`, `b`, and an empty part); matched by [`match_parts`] without
    /// backtracking.
    star_parts: Option<Box<[Part]>>,
    /// Whether the pattern's text is ASCII, so that case-insensitive matching of an ASCII text
    /// can compare bytes.
    ascii: bool,
    case: CaseMode,
    /// For long patterns with `?` and no variables: the bit-parallel program the general
    /// matcher runs instead of backtracking (see `bits.rs`).
    bits: Option<Box<BitProgram>>,
}

impl Pattern {
    /// Compile `source`. With `variables` set (policy `Version` 2012-10-17), `${key}` is a policy
    /// variable and `${*}`, `${?}`, `${$}` are the literal `*`, `?`, `$`; otherwise `${` is text.
    ///
    /// ```
    /// # use policy_engine::glob::{CaseMode, Pattern, Wildcards};
    /// let escaped = Pattern::compile("price-${$}${*}", Wildcards::On, CaseMode::Sensitive, true);
    /// assert!(escaped.matches("price-$*") && !escaped.matches("price-$9"));
    /// // Version 2008-10-17: no variables.
    /// let old = Pattern::compile("${aws:username}", Wildcards::On, CaseMode::Sensitive, false);
    /// assert!(old.matches("${aws:username}"));
    /// ```
    pub fn compile(source: &str, wildcards: Wildcards, case: CaseMode, variables: bool) -> Self {
        Self::compile_with_variables_from(source, wildcards, case, variables.then_some(0))
    }

    /// [`Pattern::compile`] where `${key}` is a policy variable only from byte offset
    /// `variables_from` on (`None`: nowhere); before it, `${` is text. A `Resource` ARN takes
    /// variables only in its resource part, after the fifth colon (IAM: "You can't use a
    /// variable to replace parts of the ARN before the fifth colon, such as the service or
    /// account"), so IAM compares what comes before as written.
    ///
    /// ```
    /// use policy_engine::glob::{CaseMode, Pattern, Wildcards};
    ///
    /// let source = "arn:aws:execute-api:us-east-1:${aws:PrincipalAccount}:a1b2c3d4e5/*";
    /// let offset = policy_engine::arn::resource_part_offset(source);
    /// let p = Pattern::compile_with_variables_from(source, Wildcards::On, CaseMode::Sensitive, offset);
    /// assert!(!p.has_variables());
    /// assert!(p.matches("arn:aws:execute-api:us-east-1:${aws:PrincipalAccount}:a1b2c3d4e5/prod/GET/"));
    /// ```
    pub fn compile_with_variables_from(
        source: &str,
        wildcards: Wildcards,
        case: CaseMode,
        variables_from: Option<usize>,
    ) -> Self {
        let mut units = Vec::new();
        let mut rest = source;
        while let Some(c) = rest.chars().next() {
            let offset = source.len().saturating_sub(rest.len());
            let variables = variables_from.is_some_and(|from| offset >= from);
            if variables
                && rest.starts_with("${")
                && let Some((unit, consumed)) = parse_variable(rest)
            {
                units.push(unit);
                rest = rest.get(consumed..).unwrap_or("");
                continue;
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
        let literal_and_stars = !units
            .iter()
            .any(|u| matches!(u, Unit::AnyOne | Unit::Var(_)));
        let star_parts = literal_and_stars.then(|| {
            let mut parts = vec![prefix.clone()];
            for unit in units.iter().skip(prefix_len) {
                match (unit, parts.last_mut()) {
                    (Unit::Char(c), Some(part)) => part.push(*c),
                    _ => parts.push(String::new()),
                }
            }
            let last = parts.len().saturating_sub(1);
            parts
                .into_iter()
                .enumerate()
                .map(|(i, text)| Part::new(text, i > 0 && i < last))
                .collect()
        });
        units.drain(..prefix_len);
        let ascii = source.is_ascii();
        let has_variables = units.iter().any(|u| matches!(u, Unit::Var(_)));
        let bits = (star_parts.is_none()
            && !has_variables
            && units.len() > LONG_PATTERN_UNITS
            && (case == CaseMode::Sensitive || ascii))
            .then(|| {
                let program = units.iter().filter_map(|u| match u {
                    Unit::Char(c) => Some(BitUnit::Char(*c)),
                    Unit::AnyOne => Some(BitUnit::AnyOne),
                    Unit::AnyRun => Some(BitUnit::AnyRun),
                    Unit::Var(_) => None,
                });
                BitProgram::new(program, case == CaseMode::Insensitive)
            })
            .flatten()
            .map(Box::new);
        Self {
            ascii,
            source: source.into(),
            prefix: prefix.into(),
            units: units.into(),
            star_parts,
            case,
            bits,
        }
    }

    /// The pattern as written in the policy.
    ///
    /// ```
    /// # use policy_engine::glob::{CaseMode, Pattern, Wildcards};
    /// let p = Pattern::compile("execute-api:*", Wildcards::On, CaseMode::Insensitive, false);
    /// assert_eq!(p.as_str(), "execute-api:*");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether the pattern is a lone `*`, matching every string.
    ///
    /// ```
    /// # use policy_engine::glob::{CaseMode, Pattern, Wildcards};
    /// assert!(Pattern::compile("*", Wildcards::On, CaseMode::Sensitive, true).is_match_all());
    /// assert!(!Pattern::compile("*", Wildcards::Off, CaseMode::Sensitive, true).is_match_all());
    /// ```
    pub fn is_match_all(&self) -> bool {
        self.prefix.is_empty() && matches!(&*self.units, [Unit::AnyRun])
    }

    /// Whether the pattern contains policy variables.
    ///
    /// ```
    /// # use policy_engine::glob::{CaseMode, Pattern, Wildcards};
    /// assert!(Pattern::compile("${aws:SourceIp}", Wildcards::On, CaseMode::Sensitive, true).has_variables());
    /// assert!(!Pattern::compile("${*}", Wildcards::On, CaseMode::Sensitive, true).has_variables());
    /// ```
    pub fn has_variables(&self) -> bool {
        self.units.iter().any(|u| matches!(u, Unit::Var(_)))
    }

    /// Add the documented keys the pattern's policy variables read to `keys`.
    pub(crate) fn add_keys_read(&self, keys: &mut KnownKeys) {
        self.variables()
            .filter_map(|v| v.key.known_key())
            .for_each(|k| keys.insert(k));
    }

    /// The policy variables in the pattern, in order.
    ///
    /// ```
    /// # use policy_engine::glob::{CaseMode, Pattern, Wildcards};
    /// let p = Pattern::compile("${aws:PrincipalAccount}/${aws:username}", Wildcards::On, CaseMode::Sensitive, true);
    /// let keys: Vec<String> = p.variables().map(|v| v.key.to_string()).collect();
    /// assert_eq!(keys, ["aws:PrincipalAccount", "aws:username"]);
    /// ```
    pub fn variables(&self) -> impl Iterator<Item = &Variable> {
        self.units.iter().filter_map(|u| match u {
            Unit::Var(v) => Some(v),
            _ => None,
        })
    }

    /// Match a pattern that has no variables (a pattern with variables that lack a default
    /// matches nothing here; use [`Pattern::matches_with`]).
    ///
    /// ```
    /// # use policy_engine::glob::{CaseMode, Pattern, Wildcards};
    /// let p = Pattern::compile("*/GET/pets", Wildcards::On, CaseMode::Sensitive, true);
    /// assert!(p.matches("a1b2c3d4e5/prod/GET/pets"));
    /// let v = Pattern::compile("${aws:username}", Wildcards::On, CaseMode::Sensitive, true);
    /// assert!(!v.matches("${aws:username}"));
    /// ```
    pub fn matches(&self, text: &str) -> bool {
        self.matches_with(text, &NoVariables).unwrap_or(false)
    }

    /// Match `text`, resolving variables from `vars`. An absent variable without a default
    /// makes the whole pattern unmatchable, as IAM specifies. A variable's value is literal
    /// text: a `*` in it is not a wildcard.
    ///
    /// # Errors
    ///
    /// [`UnresolvedVariable`] when `vars` lacks a variable that has no default.
    ///
    /// ```
    /// # use policy_engine::glob::{CaseMode, Pattern, Wildcards};
    /// use policy_engine::context::RequestContext;
    ///
    /// let p = Pattern::compile("arn:aws:execute-api:*:*:*/*/GET/tenants/${custom:tenant}/*",
    ///     Wildcards::On, CaseMode::Sensitive, true);
    /// let mut context = RequestContext::new();
    /// context.set("custom:tenant", "acme")?;
    /// let arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/tenants/acme/orders";
    /// assert_eq!(p.matches_with(arn, &context), Ok(true));
    /// assert!(p.matches_with(arn, &RequestContext::new()).is_err());
    /// # Ok::<(), policy_engine::context::ContextError>(())
    /// ```
    #[inline]
    pub fn matches_with(
        &self,
        text: &str,
        vars: &dyn VariableSource,
    ) -> Result<bool, UnresolvedVariable> {
        if let Some(parts) = &self.star_parts {
            match self.case {
                CaseMode::Sensitive => return Ok(match_parts(parts, text, &Exact)),
                // Unicode case folding can map a non-ASCII character onto an ASCII one (the
                // Kelvin sign is a `k`): only all-ASCII inputs compare bytes.
                CaseMode::Insensitive if self.ascii && text.is_ascii() => {
                    return Ok(match_parts(parts, text, &AsciiFold));
                }
                CaseMode::Insensitive => {}
            }
        }
        self.matches_general(text, vars)
    }

    /// The general matcher: `?`, policy variables, Unicode case folding.
    fn matches_general(
        &self,
        text: &str,
        vars: &dyn VariableSource,
    ) -> Result<bool, UnresolvedVariable> {
        let Some(rest) = strip_prefix(text, &self.prefix, self.case) else {
            // A missing variable still has to be reported, even when the prefix differs.
            return self.check_resolvable(vars).map(|()| false);
        };
        self.check_resolvable(vars)?;
        let fold = self.case == CaseMode::Insensitive;
        let long = match &self.bits {
            Some(program) => program.matches(rest),
            // Variables resolve per request: a long resolution gets a program of its own.
            None if self.has_variables() && (!fold || self.ascii) => {
                BitProgram::resolved(&self.units, vars, fold).and_then(|p| p.matches(rest))
            }
            None => None,
        };
        Ok(long.unwrap_or_else(|| match_units(&self.units, rest, self.case, vars)))
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

/// One literal part of a `*`-separated pattern. A part between two stars is searched for, with
/// a substring searcher built once (its setup would otherwise dominate matching a short ARN);
/// the first and last parts are only compared in place and carry none, which keeps a compiled
/// statement small enough for a thousand of them to stay in cache.
#[derive(Debug, Clone)]
struct Part {
    text: Box<str>,
    finder: Option<Box<memchr::memmem::Finder<'static>>>,
}

impl Part {
    fn new(text: String, searched: bool) -> Self {
        Self {
            finder: searched
                .then(|| Box::new(memchr::memmem::Finder::new(text.as_bytes()).into_owned())),
            text: text.into_boxed_str(),
        }
    }
}

impl PartialEq for Part {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

/// Whether two byte strings are equal. Up to 32 bytes they are compared inline, a word at a
/// time: glibc's AVX-512 `memcmp` handles short lengths with masked loads, which measured 10 to
/// 20 ns a call on the development machine (a microcode assist) against about 1 ns inline —
/// and most parts of a method ARN pattern are that short.
pub(crate) fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    if a.len() > 32 {
        return a == b;
    }
    let (mut words_a, mut words_b) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut words_a).zip(&mut words_b) {
        let (Ok(x), Ok(y)) = (<[u8; 8]>::try_from(x), <[u8; 8]>::try_from(y)) else {
            return false;
        };
        if u64::from_ne_bytes(x) != u64::from_ne_bytes(y) {
            return false;
        }
    }
    words_a
        .remainder()
        .iter()
        .zip(words_b.remainder())
        .all(|(x, y)| x == y)
}

/// Up to this many bytes, a middle part is searched for window by window.
const SHORT_TEXT: usize = 64;

/// How [`match_parts`] compares literal text: exactly, or ASCII case-insensitively.
trait PartComparison {
    /// Whether `text` and `part` are equal under this comparison.
    fn same(&self, text: &[u8], part: &[u8]) -> bool;
    /// Where the leftmost occurrence of `part` starts in `text`.
    fn find(&self, text: &[u8], part: &Part) -> Option<usize>;
}

/// Case-sensitive comparison; the precompiled searcher is linear in the text.
struct Exact;

impl PartComparison for Exact {
    fn same(&self, text: &[u8], part: &[u8]) -> bool {
        same_bytes(text, part)
    }

    fn find(&self, text: &[u8], part: &Part) -> Option<usize> {
        match &part.finder {
            // What remains of a method ARN after its prefix is short: comparing each window
            // (at most SHORT_TEXT of them) beats the searcher's dispatch.
            _ if text.len() <= SHORT_TEXT => window_position(self, text, part.text.as_bytes()),
            Some(finder) => finder.find(text),
            None => memchr::memmem::find(text, part.text.as_bytes()),
        }
    }
}

/// ASCII case-insensitive comparison of ASCII text and parts (every byte is a character
/// boundary, so byte offsets are safe to split at).
struct AsciiFold;

impl PartComparison for AsciiFold {
    fn same(&self, text: &[u8], part: &[u8]) -> bool {
        same_bytes(text, part) || text.eq_ignore_ascii_case(part)
    }

    fn find(&self, text: &[u8], part: &Part) -> Option<usize> {
        window_position(self, text, part.text.as_bytes())
    }
}

/// The first window of `text` equal to `needle` under `cmp` (an empty needle is found at 0).
fn window_position<C: PartComparison>(cmp: &C, text: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    text.windows(needle.len())
        .position(|window| cmp.same(window, needle))
}

/// Match a pattern of literal parts separated by `*`: the first part is a prefix, the last a
/// suffix, and the ones between are found leftmost, in order, in what remains. Taking the
/// leftmost occurrence is always right: it leaves the most text for the parts after it.
#[inline]
fn match_parts<C: PartComparison>(parts: &[Part], text: &str, cmp: &C) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    // Equal bytes end on a character boundary of `text`, so the slicing below cannot fail.
    let bytes = text.as_bytes();
    let prefix = first.text.as_bytes();
    if !bytes
        .get(..prefix.len())
        .is_some_and(|head| cmp.same(head, prefix))
    {
        return false;
    }
    let Some((last, middle)) = rest.split_last() else {
        // No `*`: the whole text is the prefix.
        return bytes.len() == prefix.len();
    };
    let suffix = last.text.as_bytes();
    let Some(end) = bytes
        .len()
        .checked_sub(suffix.len())
        .filter(|&end| end >= prefix.len())
    else {
        return false;
    };
    if !bytes.get(end..).is_some_and(|tail| cmp.same(tail, suffix)) {
        return false;
    }
    let mut between = bytes.get(prefix.len()..end).unwrap_or_default();
    for part in middle {
        let Some(after) = cmp
            .find(between, part)
            .and_then(|start| between.get(start + part.text.len()..))
        else {
            return false;
        };
        between = after;
    }
    true
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
        assert!(
            pat("arn:aws:execute-api:*").matches("arn:aws:execute-api:us-east-1:1:a/b/GET/x/y")
        );
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

    #[test]
    fn long_question_mark_segments_stay_fast() {
        // The greedy matcher restarts the segment after the last `*` at every position:
        // 20,000 × 10,000 steps per row (10,000 × 5,000 took 1.6 s in a debug build).
        // Bit-parallel, it is 157 words a character.
        let text = "a".repeat(20_000);
        let started = std::time::Instant::now();
        for (i, (pattern, expected)) in [
            (format!("*?{}b", "a".repeat(10_000)), false),
            (format!("*?{}", "a".repeat(10_000)), true),
            (format!("*{}?*b", "a?".repeat(5_000)), false),
            (format!("{}*", "?".repeat(19_999)), true),
            ("?".repeat(20_001), false),
        ]
        .into_iter()
        .enumerate()
        {
            assert_eq!(pat(&pattern).matches(&text), expected, "row {i}");
        }
        // A policy variable resolved to a long value: its program is built per request.
        struct Long(String);
        impl VariableSource for Long {
            fn variable_value(&self, _: &ContextKey) -> Option<&str> {
                Some(&self.0)
            }
        }
        let value = Long("a".repeat(10_000));
        assert_eq!(
            pat("*${aws:UserAgent}?b").matches_with(&text, &value),
            Ok(false)
        );
        assert_eq!(
            pat("*${aws:UserAgent}?").matches_with(&text, &value),
            Ok(true)
        );
        let took = started.elapsed();
        assert!(took < std::time::Duration::from_secs(5), "{took:?}");
    }

    /// The bit-parallel program for a whole pattern (prefix included), whatever its length.
    fn bit_program(p: &str, case: CaseMode) -> BitProgram {
        let compiled = Pattern::compile(p, Wildcards::On, case, false);
        let units = compiled
            .prefix
            .chars()
            .map(BitUnit::Char)
            .chain(compiled.units.iter().map(|u| match u {
                Unit::Char(c) => BitUnit::Char(*c),
                Unit::AnyOne => BitUnit::AnyOne,
                Unit::AnyRun | Unit::Var(_) => BitUnit::AnyRun,
            }));
        BitProgram::new(units, case == CaseMode::Insensitive).unwrap()
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

    /// The reference as a dynamic-programming table, for texts too long for the exponential
    /// one: `m[i][j]` is whether `p[i..]` matches `t[j..]`.
    fn reference_table(p: &[char], t: &[char]) -> bool {
        let mut m = vec![vec![false; t.len() + 1]; p.len() + 1];
        m[p.len()][t.len()] = true;
        for i in (0..p.len()).rev() {
            for j in (0..=t.len()).rev() {
                m[i][j] = match p[i] {
                    '*' => m[i + 1][j] || (j < t.len() && m[i][j + 1]),
                    '?' => j < t.len() && m[i + 1][j + 1],
                    c => j < t.len() && t[j] == c && m[i + 1][j + 1],
                };
            }
        }
        m[0][0]
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
        fn case_insensitive_agrees_with_the_reference(p in "[aAbB*/]{0,8}", t in "[aAbBK\u{212A}/]{0,10}") {
            let lower = |s: &str| -> Vec<char> { s.chars().flat_map(char::to_lowercase).collect() };
            let compiled = Pattern::compile(&p, Wildcards::On, CaseMode::Insensitive, false);
            prop_assert_eq!(compiled.matches(&t), reference(&lower(&p), &lower(&t)));
        }

        #[test]
        fn same_bytes_is_equality(a in proptest::collection::vec(0u8..4, 0..70), b in proptest::collection::vec(0u8..4, 0..70)) {
            prop_assert_eq!(same_bytes(&a, &b), a == b);
            prop_assert!(same_bytes(&a, &a.clone()));
        }

        #[test]
        fn long_texts_use_the_searcher_and_agree(p in "[ab*]{0,8}", t in "[ab]{65,90}") {
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            let compiled = Pattern::compile(&p, Wildcards::On, CaseMode::Sensitive, false);
            prop_assert_eq!(compiled.matches(&t), reference_table(&pc, &tc));
        }

        #[test]
        fn the_bit_parallel_program_agrees_with_the_reference(p in "[ab*?é]{0,10}", t in "[abé]{0,12}") {
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            prop_assert_eq!(
                bit_program(&p, CaseMode::Sensitive).matches(&t),
                Some(reference(&pc, &tc))
            );
        }

        #[test]
        fn the_folding_program_agrees_with_the_reference(p in "[aAbB*?]{0,10}", t in "[aAbB]{0,12}") {
            let lower = |s: &str| -> Vec<char> { s.chars().map(|c| c.to_ascii_lowercase()).collect() };
            prop_assert_eq!(
                bit_program(&p, CaseMode::Insensitive).matches(&t),
                Some(reference(&lower(&p), &lower(&t)))
            );
        }

        #[test]
        fn long_patterns_with_question_marks_agree(
            p in "[ab*?]{65,100}",
            t in "[ab]{0,130}",
            insensitive in proptest::bool::ANY,
        ) {
            let case = if insensitive { CaseMode::Insensitive } else { CaseMode::Sensitive };
            let compiled = Pattern::compile(&p, Wildcards::On, case, false);
            let pc: Vec<char> = p.chars().collect();
            let tc: Vec<char> = t.chars().collect();
            prop_assert_eq!(compiled.matches(&t), reference_table(&pc, &tc));
        }

        #[test]
        fn long_variable_resolutions_agree_with_the_greedy_matcher(
            before in "[ab*?]{0,6}",
            value in "[ab*?]{0,90}",
            after in "[ab*?]{0,6}",
            t in "[ab*?]{0,110}",
        ) {
            struct Value(String);
            impl VariableSource for Value {
                fn variable_value(&self, _: &ContextKey) -> Option<&str> {
                    Some(&self.0)
                }
            }
            let compiled = pat(&format!("{before}${{aws:username}}{after}"));
            let vars = Value(value);
            let greedy = strip_prefix(&t, &compiled.prefix, compiled.case)
                .is_some_and(|rest| match_units(&compiled.units, rest, compiled.case, &vars));
            prop_assert_eq!(compiled.matches_with(&t, &vars), Ok(greedy));
        }

        #[test]
        fn never_panics(p in "\\PC{0,40}", t in "\\PC{0,40}") {
            let compiled = Pattern::compile(&p, Wildcards::On, CaseMode::Insensitive, true);
            let _ = compiled.matches_with(&t, &Vars);
        }
    }
}
