//! Static questions about a [`Pattern`], asked without a request: could it match *some* string
//! of a given [`Shape`], and does it match *every* one? The lints use them to tell a resource
//! that can never name a method of the API (`arn:aws:execute-api:region:account-id:api-id/`)
//! from one that merely names a few.
//!
//! A shape is a small automaton — literal text, path segments (`[^/:]+`), paths (`[^:]*`) — and
//! a pattern is one too, so both questions are answered exactly by walking the product of the
//! two over a handful of representative characters: every character that appears in neither
//! behaves like every other such character. Policy variables stand for any text when asking
//! "could it match"; "does it match every" is not answered for patterns with variables.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use super::{CaseMode, Pattern, Unit, chars_equal};
use crate::arn::ApiRef;

/// Product states explored before giving up; far above what real policies need.
const STATE_LIMIT: usize = 50_000;

/// A hasher for the explorations' states (pairs of small indices, never chosen by a user):
/// one multiply per word (FxHash's), where the default SipHash was most of a lint's time.
#[derive(Default)]
struct StateHasher(u64);

impl Hasher for StateHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|b| self.write_u64(u64::from(*b)));
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, word: u32) {
        self.write_u64(u64::from(word));
    }

    fn write_usize(&mut self, word: usize) {
        self.write_u64(word as u64);
    }
}

/// A set of exploration states.
type States<T> = HashSet<T, BuildHasherDefault<StateHasher>>;

/// A map keyed by characters or states.
type StateMap<K, V> = HashMap<K, V, BuildHasherDefault<StateHasher>>;

/// The characters a shape step accepts. Neither takes `:`, which separates ARN parts: the
/// parts of a method ARN after the API id (stage, verb, path) hold none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Any character but `:`.
    Path,
    /// Any character but `:` and `/`.
    Segment,
}

impl Class {
    fn accepts(self, c: char) -> bool {
        match self {
            Class::Path => c != ':',
            Class::Segment => c != ':' && c != '/',
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Exactly this character.
    Char(char),
    /// One character of the class.
    One(Class),
    /// Zero or more characters of the class.
    Many(Class),
}

/// A set of strings described piece by piece, such as every method ARN of an API:
/// `arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/` + stage + `/` + verb + `/` + any path.
///
/// Pieces other than literals never hold `:`. A path parameter's value could, in principle; a
/// pattern matching a method only through a colon in such a value (`arn:aws:execute-api:*:*:other/*`
/// against `.../GET/pets/a:b:other/c`) is treated as not matching it, since no policy means that.
///
/// Ask a [`Pattern`] about a shape with [`Pattern::could_match`] and [`Pattern::covers`].
///
/// ```
/// use policy_engine::arn::ApiRef;
/// use policy_engine::glob::{CaseMode, Pattern, Shape, Wildcards};
///
/// let api = ApiRef {
///     partition: "aws".into(),
///     region: "us-east-1".into(),
///     account_id: "123456789012".into(),
///     api_id: "a1b2c3d4e5".into(),
/// };
/// let every_method = Shape::every_method(&api);
/// let resource = |text| Pattern::compile(text, Wildcards::On, CaseMode::Sensitive, true);
///
/// // Without stage, verb and path, no method ARN is this string: the statement never applies.
/// let bare = resource("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/");
/// assert_eq!(bare.could_match(&every_method), Some(false));
///
/// let pets = resource("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/GET/pets/*");
/// assert_eq!(pets.could_match(&every_method), Some(true));
/// assert_eq!(pets.covers(&every_method), Some(false));
/// assert_eq!(resource("arn:aws:execute-api:*").covers(&every_method), Some(true));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shape {
    steps: Vec<Step>,
}

impl Shape {
    /// The shape holding only the empty string; extend it with the other methods.
    ///
    /// ```
    /// # use policy_engine::glob::{CaseMode, Pattern, Shape, Wildcards};
    /// let get_anything = Shape::new().literal("GET/").path();
    /// let p = Pattern::compile("GET/*", Wildcards::On, CaseMode::Sensitive, false);
    /// assert_eq!(p.covers(&get_anything), Some(true));
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// The ARN prefix of every method of `api`, up to the `/` before the stage.
    ///
    /// ```
    /// # use policy_engine::{arn::ApiRef, glob::{CaseMode, Pattern, Shape, Wildcards}};
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// let prod = Shape::api_prefix(&api).literal("prod/").segment().literal("/").path();
    /// let p = Pattern::compile("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/*",
    ///     Wildcards::On, CaseMode::Sensitive, false);
    /// assert_eq!(p.covers(&prod), Some(true));
    /// ```
    pub fn api_prefix(api: &ApiRef) -> Self {
        Self::new().literal(&api.arn_prefix()).literal("/")
    }

    /// Every method ARN of `api`: any stage, verb and path (what the lints mean by "a request
    /// to this API").
    ///
    /// ```
    /// # use policy_engine::{arn::ApiRef, glob::{CaseMode, Pattern, Shape, Wildcards}};
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// let other_api = Pattern::compile("arn:aws:execute-api:us-east-1:123456789012:f6g7h8i9j0/*",
    ///     Wildcards::On, CaseMode::Sensitive, false);
    /// assert_eq!(other_api.could_match(&Shape::every_method(&api)), Some(false));
    /// ```
    pub fn every_method(api: &ApiRef) -> Self {
        Self::api_prefix(api)
            .segment()
            .literal("/")
            .segment()
            .literal("/")
            .path()
    }

    /// Followed by exactly `text`.
    ///
    /// ```
    /// # use policy_engine::glob::{CaseMode, Pattern, Shape, Wildcards};
    /// let p = Pattern::compile("prod/GET/pets", Wildcards::On, CaseMode::Sensitive, false);
    /// assert_eq!(p.covers(&Shape::new().literal("prod/GET/pets")), Some(true));
    /// ```
    pub fn literal(mut self, text: &str) -> Self {
        self.steps.extend(text.chars().map(Step::Char));
        self
    }

    /// Followed by one path segment: one or more characters other than `/` and `:`.
    ///
    /// ```
    /// # use policy_engine::glob::{CaseMode, Pattern, Shape, Wildcards};
    /// let any_stage = Shape::new().segment().literal("/GET/pets");
    /// let p = Pattern::compile("prod/GET/pets", Wildcards::On, CaseMode::Sensitive, false);
    /// assert_eq!(p.could_match(&any_stage), Some(true));
    /// assert_eq!(p.covers(&any_stage), Some(false));
    /// ```
    pub fn segment(mut self) -> Self {
        self.steps.push(Step::One(Class::Segment));
        self.steps.push(Step::Many(Class::Segment));
        self
    }

    /// Followed by a path of any length, possibly empty, without `:`.
    ///
    /// ```
    /// # use policy_engine::glob::{CaseMode, Pattern, Shape, Wildcards};
    /// let p = Pattern::compile("pets/", Wildcards::On, CaseMode::Sensitive, false);
    /// assert_eq!(p.could_match(&Shape::new().literal("pets/").path()), Some(true));
    /// ```
    pub fn path(mut self) -> Self {
        self.steps.push(Step::Many(Class::Path));
        self
    }

    /// Followed by a non-empty path without `:`.
    ///
    /// ```
    /// # use policy_engine::glob::{CaseMode, Pattern, Shape, Wildcards};
    /// let p = Pattern::compile("pets/", Wildcards::On, CaseMode::Sensitive, false);
    /// assert_eq!(p.could_match(&Shape::new().literal("pets/").nonempty_path()), Some(false));
    /// ```
    pub fn nonempty_path(mut self) -> Self {
        self.steps.push(Step::One(Class::Path));
        self.steps.push(Step::Many(Class::Path));
        self
    }

    /// The states reachable from `state` without reading (skipping `Many` steps), `state` first.
    fn closure(&self, state: usize) -> impl Iterator<Item = usize> + '_ {
        let skippable = self
            .steps
            .iter()
            .skip(state)
            .take_while(|s| matches!(s, Step::Many(_)))
            .count();
        state..=state + skippable
    }

    fn accepting(&self, state: usize) -> bool {
        self.closure(state).any(|s| s == self.steps.len())
    }

    /// Whether `text` is one of the shape's strings.
    fn accepts(&self, text: &str) -> bool {
        let mut states: Vec<usize> = self.closure(0).collect();
        let mut next = Vec::new();
        for c in text.chars() {
            next.clear();
            for &s in &states {
                next.extend(self.step(s, c).flat_map(|t| self.closure(t)));
            }
            next.sort_unstable();
            next.dedup();
            if next.is_empty() {
                return false;
            }
            std::mem::swap(&mut states, &mut next);
        }
        states.iter().any(|&s| self.accepting(s))
    }

    /// The states after reading `c` from `state` (itself closed under skipping).
    fn step(&self, state: usize, c: char) -> impl Iterator<Item = usize> + '_ {
        self.closure(state)
            .filter_map(move |s| match self.steps.get(s)? {
                Step::Char(d) if *d == c => Some(s + 1),
                Step::One(class) if class.accepts(c) => Some(s + 1),
                Step::Many(class) if class.accepts(c) => Some(s),
                _ => None,
            })
    }
}

/// A pattern flattened for the analysis: its literal prefix and units, variables read as `*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Piece {
    Char(char),
    AnyOne,
    AnyRun,
}

struct Flat<'p> {
    pieces: Vec<Piece>,
    pattern: &'p Pattern,
}

impl<'p> Flat<'p> {
    fn new(pattern: &'p Pattern) -> Self {
        let mut pieces: Vec<Piece> = Vec::new();
        let all = pattern
            .prefix
            .chars()
            .map(Piece::Char)
            .chain(pattern.units.iter().map(|u| match u {
                Unit::Char(c) => Piece::Char(*c),
                Unit::AnyOne => Piece::AnyOne,
                Unit::AnyRun | Unit::Var(_) => Piece::AnyRun,
            }));
        for piece in all {
            // `**` matches what `*` does; a run of stars would make every closure (and every
            // state set) as long as the run.
            if piece == Piece::AnyRun && pieces.last() == Some(&Piece::AnyRun) {
                continue;
            }
            pieces.push(piece);
        }
        Self { pieces, pattern }
    }

    /// Positions reachable from `pos` without reading (skipping `*`).
    fn closure(&self, pos: usize) -> impl Iterator<Item = usize> + '_ {
        let skippable = self
            .pieces
            .iter()
            .skip(pos)
            .take_while(|p| matches!(p, Piece::AnyRun))
            .count();
        pos..=pos + skippable
    }

    fn step(&self, pos: usize, c: char) -> impl Iterator<Item = usize> + '_ {
        self.closure(pos)
            .filter_map(move |p| match self.pieces.get(p)? {
                Piece::Char(d) if chars_equal(*d, c, self.pattern.case) => Some(p + 1),
                Piece::AnyOne => Some(p + 1),
                Piece::AnyRun => Some(p),
                Piece::Char(_) => None,
            })
    }

    fn accepting(&self, pos: usize) -> bool {
        self.closure(pos).any(|p| p == self.pieces.len())
    }

    /// The one string a case-sensitive pattern without wildcards matches.
    fn literal_text(&self) -> Option<String> {
        if self.pattern.case != CaseMode::Sensitive {
            return None;
        }
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Char(c) => Some(*c),
                Piece::AnyOne | Piece::AnyRun => None,
            })
            .collect()
    }

    /// The closed set of positions after reading `c` from any position in `set`.
    fn step_set(&self, set: &[usize], c: char) -> Vec<usize> {
        let mut next: Vec<usize> = set
            .iter()
            .flat_map(|p| self.step(*p, c))
            .flat_map(|p| self.closure(p))
            .collect();
        next.sort_unstable();
        next.dedup();
        next
    }
}

/// One character for each way the shape and the pattern can treat a character: every
/// character either names, `/` and `:`, case variants, and one character neither names.
fn representatives(shape: &Shape, flat: &Flat<'_>) -> Vec<char> {
    // ASCII characters are collected in a table, so only the rare others are sorted (sorting
    // every character of a long resource again for each question was most of a lint's time).
    let mut ascii = [false; 128];
    let mut others: Vec<char> = Vec::new();
    let mut add = |c: char| match ascii.get_mut(c as usize) {
        Some(seen) => *seen = true,
        None => others.push(c),
    };
    add('/');
    add(':');
    for step in &shape.steps {
        if let Step::Char(c) = step {
            add(*c);
        }
    }
    for piece in &flat.pieces {
        if let Piece::Char(c) = piece {
            add(*c);
            c.to_lowercase().for_each(&mut add);
            c.to_uppercase().for_each(&mut add);
        }
    }
    others.sort_unstable();
    others.dedup();
    let mut chars: Vec<char> = (0u8..128)
        .filter(|&b| ascii.get(usize::from(b)) == Some(&true))
        .map(char::from)
        .collect();
    chars.extend(others);
    let other = ('\u{E000}'..='\u{F8FF}').find(|c| chars.binary_search(c).is_err());
    chars.extend(other);
    chars
}

impl Pattern {
    /// Whether some string of `shape` matches this pattern, policy variables standing for any
    /// text. `None` when the question was too large to answer (never for real policies).
    ///
    /// ```
    /// # use policy_engine::{arn::ApiRef, glob::{CaseMode, Pattern, Shape, Wildcards}};
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// // Resources are case-sensitive: `get` names no `GET` method of the `prod` stage.
    /// let p = Pattern::compile("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/get/*",
    ///     Wildcards::On, CaseMode::Sensitive, false);
    /// let prod_get = Shape::api_prefix(&api).literal("prod/GET/").path();
    /// assert_eq!(p.could_match(&prod_get), Some(false));
    /// ```
    pub fn could_match(&self, shape: &Shape) -> Option<bool> {
        let flat = Flat::new(self);
        if let Some(text) = flat.literal_text() {
            // No wildcard: the pattern is one string, which the shape accepts or not.
            return Some(shape.accepts(&text));
        }
        let reps = representatives(shape, &flat);
        let mut seen: States<(usize, usize)> = States::default();
        seen.reserve(flat.pieces.len().saturating_mul(2).min(STATE_LIMIT));
        let mut queue = VecDeque::new();
        for s in shape.closure(0) {
            for p in flat.closure(0) {
                if seen.insert((s, p)) {
                    queue.push_back((s, p));
                }
            }
        }
        // Which characters to try at a state. A character that neither the shape nor the
        // pattern names at that state moves both exactly as the representative no one names
        // (the last one) does, so trying the characters they name there, `/`, `:` and that one
        // is exact — and keeps each state's work small however many characters the pattern
        // holds. Where the pattern wants one character, only the representatives equal to it
        // can move it.
        let mut equal_reps: StateMap<char, Vec<char>> = StateMap::default();
        for piece in &flat.pieces {
            if let Piece::Char(d) = piece {
                equal_reps.entry(*d).or_insert_with(|| {
                    reps.iter()
                        .copied()
                        .filter(|c| chars_equal(*d, *c, self.case))
                        .collect()
                });
            }
        }
        let unnamed = reps.last().copied();
        let mut tried: Vec<char> = Vec::new();
        while let Some((s, p)) = queue.pop_front() {
            if shape.accepting(s) && flat.accepting(p) {
                return Some(true);
            }
            tried.clear();
            let mut wildcard = false;
            for piece in flat.closure(p).filter_map(|q| flat.pieces.get(q)) {
                match piece {
                    Piece::Char(d) => tried.extend(equal_reps.get(d).into_iter().flatten()),
                    Piece::AnyOne | Piece::AnyRun => wildcard = true,
                }
            }
            if wildcard {
                tried.extend(['/', ':']);
                tried.extend(unnamed);
                tried.extend(shape.closure(s).filter_map(|t| match shape.steps.get(t) {
                    Some(Step::Char(d)) => Some(*d),
                    _ => None,
                }));
            }
            tried.sort_unstable();
            tried.dedup();
            for &c in &tried {
                for s2 in shape.step(s, c) {
                    for p2 in flat.step(p, c) {
                        if seen.insert((s2, p2)) {
                            if seen.len() > STATE_LIMIT {
                                return None;
                            }
                            queue.push_back((s2, p2));
                        }
                    }
                }
            }
        }
        Some(false)
    }

    /// Whether every string of `shape` matches this pattern. `None` for a pattern with policy
    /// variables (its matches depend on the request), or when the question was too large.
    ///
    /// ```
    /// # use policy_engine::{arn::ApiRef, glob::{CaseMode, Pattern, Shape, Wildcards}};
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// let every_method = Shape::every_method(&api);
    /// let all = Pattern::compile("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*",
    ///     Wildcards::On, CaseMode::Sensitive, true);
    /// assert_eq!(all.covers(&every_method), Some(true));
    /// let per_user = Pattern::compile("arn:aws:execute-api:*:*:*/*/*/${aws:username}/*",
    ///     Wildcards::On, CaseMode::Sensitive, true);
    /// assert_eq!(per_user.covers(&every_method), None);
    /// ```
    pub fn covers(&self, shape: &Shape) -> Option<bool> {
        if self.has_variables() {
            return None;
        }
        let flat = Flat::new(self);
        let reps = representatives(shape, &flat);
        let start: Vec<usize> = flat.closure(0).collect();
        let mut seen: States<(usize, Vec<usize>)> = States::default();
        let mut queue = VecDeque::new();
        if seen.insert((0, start.clone())) {
            queue.push_back((0, start));
        }
        while let Some((s, set)) = queue.pop_front() {
            if shape.accepting(s) && !set.iter().any(|p| flat.accepting(*p)) {
                // A string of the shape the pattern does not match.
                return Some(false);
            }
            for &c in &reps {
                let next = flat.step_set(&set, c);
                for s2 in shape.step(s, c) {
                    let key = (s2, next.clone());
                    if !seen.contains(&key) {
                        seen.insert(key.clone());
                        if seen.len() > STATE_LIMIT {
                            return None;
                        }
                        queue.push_back(key);
                    }
                }
            }
        }
        Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glob::{CaseMode, Wildcards};

    const PREFIX: &str = "arn:aws:execute-api:us-east-1:123456789012:abc";

    fn pat(s: &str) -> Pattern {
        Pattern::compile(s, Wildcards::On, CaseMode::Sensitive, true)
    }

    fn methods() -> Shape {
        let api = ApiRef {
            partition: "aws".into(),
            region: "us-east-1".into(),
            account_id: "123456789012".into(),
            api_id: "abc".into(),
        };
        assert_eq!(api.arn_prefix(), PREFIX);
        Shape::every_method(&api)
    }

    #[test]
    fn could_match_follows_the_arn_segments() {
        for ok in [
            "*",
            "arn:aws:execute-api:*",
            "arn:*:execute-api:*:*:*",
            "arn:aws:execute-api:us-east-1:*:abc/*",
            "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/",
            "arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/pets/*",
            "arn:aws:execute-api:us-east-1:123456789012:a?c/*",
            "arn:aws:execute-api:us-east-1:123456789012:abc/${aws:username}",
            "arn:aws:execute-api:us-east-1:123456789012:*c/prod/GET/x",
        ] {
            assert_eq!(pat(ok).could_match(&methods()), Some(true), "{ok}");
        }
        for never in [
            "arn:aws:execute-api:region:account-id:api-id/",
            "arn:aws:execute-api:us-east-1:123456789012:abc/",
            "arn:aws:execute-api:us-east-1:123456789012:abc",
            "arn:aws:execute-api:us-east-1:123456789012:abc/prod",
            "arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET",
            "arn:aws:execute-api:us-east-1:123456789012:abc//GET/x",
            "arn:aws:execute-api:us-west-2:*",
            "arn:aws-cn:execute-api:*",
            "arn:aws:s3:::bucket/*",
            "arn:aws:execute-api:us-east-1:123456789012:abcd/*",
            "arn:aws:execute-api:us-east-1:123456789012:ab?/x",
            // The `*` would have to take colons from the path.
            "arn:aws:execute-api:*:123456789012:other/*",
            "arn:aws:execute-api:*:*:other/*",
        ] {
            assert_eq!(pat(never).could_match(&methods()), Some(false), "{never}");
        }
    }

    #[test]
    fn covers_needs_every_string() {
        for all in [
            "*",
            "arn:aws:execute-api:*",
            "arn:aws:execute-api:us-east-1:123456789012:abc/*",
            "arn:aws:execute-api:*:*:*/*/*",
            "arn:aws:execute-api:us-east-1:123456789012:abc/*/*/*",
        ] {
            assert_eq!(pat(all).covers(&methods()), Some(true), "{all}");
        }
        for some in [
            "arn:aws:execute-api:us-east-1:123456789012:abc/prod/*",
            "arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/*",
            "arn:aws:execute-api:us-east-1:123456789012:abc/*/*/?*",
            "arn:aws:s3:::*",
        ] {
            assert_eq!(pat(some).covers(&methods()), Some(false), "{some}");
        }
        assert_eq!(pat("x/${aws:username}").covers(&methods()), None);
    }

    #[test]
    fn path_parameter_shapes() {
        let item = Shape::new()
            .literal("GET/pets/")
            .segment()
            .literal("/photos");
        assert_eq!(pat("GET/pets/42/photos").could_match(&item), Some(true));
        assert_eq!(pat("GET/pets/42/x").could_match(&item), Some(false));
        assert_eq!(pat("GET/pets/*").covers(&item), Some(true));
        assert_eq!(pat("GET/pets/4*").covers(&item), Some(false));
        let greedy = Shape::new().literal("ANY/").nonempty_path();
        assert_eq!(pat("ANY/").could_match(&greedy), Some(false));
        assert_eq!(pat("ANY/a/b/c").could_match(&greedy), Some(true));
        assert_eq!(pat("ANY/?*").covers(&greedy), Some(true));
    }

    /// Found by the `arn_glob` fuzz target: a run of 56 stars made `covers` take half a second
    /// (every closure and state set as long as the run), a lint that hangs on odd policies.
    /// A run of stars is one star.
    #[test]
    fn a_run_of_stars_is_one_star() {
        for (one, run) in [
            (
                "arn:aws:execute-api:us*-east-1:123456789012:abc/*",
                "us{}-east-1",
            ),
            (
                "arn:aws:execute-api:us-east-1:123456789012:abc/*/GET/*",
                "abc/{}/GET/",
            ),
        ] {
            let many = one.replacen(
                &run.replace("{}", "*"),
                &run.replace("{}", &"*".repeat(200)),
                1,
            );
            let (one, many) = (pat(one), pat(&many));
            assert_eq!(many.could_match(&methods()), one.could_match(&methods()));
            assert_eq!(many.covers(&methods()), one.covers(&methods()));
            assert!(Flat::new(&many).pieces.len() < 70, "{many}");
        }
    }

    #[test]
    fn case_insensitive_patterns_see_case_variants() {
        let p = Pattern::compile("ab*", Wildcards::On, CaseMode::Insensitive, false);
        let shape = Shape::new().literal("AB").path();
        assert_eq!(p.could_match(&shape), Some(true));
        assert_eq!(p.covers(&shape), Some(true));
    }
    /// The exploration as first written: every representative tried at every state. The
    /// optimised walk must agree with it.
    fn could_match_trying_every_representative(pattern: &Pattern, shape: &Shape) -> Option<bool> {
        let flat = Flat::new(pattern);
        let reps = representatives(shape, &flat);
        let mut seen: HashSet<(usize, usize)> = HashSet::new();
        let mut queue = VecDeque::new();
        for s in shape.closure(0) {
            for p in flat.closure(0) {
                if seen.insert((s, p)) {
                    queue.push_back((s, p));
                }
            }
        }
        while let Some((s, p)) = queue.pop_front() {
            if shape.accepting(s) && flat.accepting(p) {
                return Some(true);
            }
            for &c in &reps {
                for s2 in shape.step(s, c) {
                    for p2 in flat.step(p, c) {
                        if seen.insert((s2, p2)) {
                            if seen.len() > STATE_LIMIT {
                                return None;
                            }
                            queue.push_back((s2, p2));
                        }
                    }
                }
            }
        }
        Some(false)
    }

    fn shapes() -> Vec<Shape> {
        vec![
            methods(),
            Shape::new()
                .literal("GET/pets/")
                .segment()
                .literal("/photos"),
            Shape::new().literal("ANY/").nonempty_path(),
            Shape::new().literal("a").segment().literal(":").path(),
        ]
    }

    proptest::proptest! {
        #[test]
        fn trying_only_the_characters_a_state_names_is_exact(
            p in "[aAbk\u{212A}/:*?é]{0,12}",
            insensitive in proptest::bool::ANY,
        ) {
            let case = if insensitive { CaseMode::Insensitive } else { CaseMode::Sensitive };
            let pattern = Pattern::compile(&p, Wildcards::On, case, false);
            for shape in shapes() {
                proptest::prop_assert_eq!(
                    pattern.could_match(&shape),
                    could_match_trying_every_representative(&pattern, &shape),
                    "{} against {:?}", p, shape
                );
            }
        }
    }

    #[test]
    fn could_match_is_linear_in_a_pattern_of_many_distinct_characters() {
        // 3,000 distinct characters between stars, then a colon no method ARN has after the
        // API id: every state is explored. Trying every representative at every state was
        // quadratic here (seconds for one resource).
        let body: String = (0..3_000u32)
            .filter_map(|i| char::from_u32(0x4E00 + i))
            .map(|c| format!("{c}*"))
            .collect();
        let pattern = pat(&format!("{PREFIX}/*{body}:x"));
        let started = std::time::Instant::now();
        assert_eq!(pattern.could_match(&methods()), Some(false));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }
}
