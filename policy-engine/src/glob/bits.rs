//! The matcher for long patterns with `?` or policy variables: the pattern's automaton run on
//! all its positions at once, one bit per position (Shift-And with a self-loop for `*`).
//!
//! The greedy matcher of `glob.rs` backtracks to the last `*` and compares what follows it
//! again from the next character: `text length × segment length` steps, which is quadratic
//! when both are long (a 5,000-character segment against 10,000 characters of a header took
//! 1.6 s in a debug build). Here every character of the text costs one pass over
//! `positions / 64` words, whatever the pattern: 64 times fewer steps in the worst case, and
//! the pass stops as soon as no position is alive. Short patterns (at most
//! [`LONG_PATTERN_UNITS`] units) stay with the greedy matcher, which is linear for them and
//! allocates nothing.

use super::{Unit, VariableSource};

/// Patterns with more units than this (after the literal prefix, variables resolved) are run
/// bit-parallel; up to this many, the greedy matcher's backtracking costs at most this many
/// steps per character of the text.
pub(super) const LONG_PATTERN_UNITS: usize = 64;

/// Most mask words a program may hold (about 512 KB): a long pattern of thousands of distinct
/// characters is left to the greedy matcher rather than given megabytes of tables.
const MAX_MASK_WORDS: usize = 1 << 16;

/// State words kept on the stack; longer programs allocate theirs per match.
const STACK_WORDS: usize = 8;

/// One position of the automaton.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum BitUnit {
    /// Exactly this character (lower-cased when the comparison folds ASCII case).
    Char(char),
    /// `?`: any one character.
    AnyOne,
    /// `*`: any run of characters.
    AnyRun,
}

/// A compiled bit-parallel program for one pattern (or one resolution of its variables).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct BitProgram {
    /// Positions: one per non-`*` unit and one per run of `*` (consecutive stars are one).
    len: usize,
    /// Words per bit set: `len / 64 + 1` (position `len` is the accepting one).
    words: usize,
    /// Whether characters are compared ASCII case-insensitively (texts must then be ASCII).
    fold_ascii: bool,
    /// The positions holding a `*`.
    star: Box<[u64]>,
    /// The positions a character no `Char` unit names can pass: the `?`s.
    any_one: Box<[u64]>,
    /// For each ASCII character, its mask's index in `masks` (`u16::MAX`: none).
    ascii: Box<[u16; 128]>,
    /// Other characters with a mask, sorted, with the mask's index.
    others: Box<[(char, u16)]>,
    /// The masks, `words` words each: the positions that character (or `?`) can pass.
    masks: Box<[u64]>,
}

fn set_bit(bits: &mut [u64], position: usize) {
    if let Some(word) = bits.get_mut(position / 64) {
        *word |= 1 << (position % 64);
    }
}

fn has_bit(bits: &[u64], position: usize) -> bool {
    bits.get(position / 64)
        .is_some_and(|word| (word >> (position % 64)) & 1 == 1)
}

impl BitProgram {
    /// The program for `units`, or `None` when its masks would exceed the memory budget.
    pub(super) fn new(units: impl IntoIterator<Item = BitUnit>, fold_ascii: bool) -> Option<Self> {
        let mut positions: Vec<BitUnit> = Vec::new();
        for unit in units {
            let unit = match unit {
                BitUnit::Char(c) if fold_ascii => BitUnit::Char(c.to_ascii_lowercase()),
                other => other,
            };
            if unit == BitUnit::AnyRun && positions.last() == Some(&BitUnit::AnyRun) {
                continue;
            }
            positions.push(unit);
        }
        let len = positions.len();
        let words = len / 64 + 1;
        let mut distinct: Vec<char> = positions
            .iter()
            .filter_map(|u| match u {
                BitUnit::Char(c) => Some(*c),
                _ => None,
            })
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        if distinct.len().saturating_mul(words) > MAX_MASK_WORDS
            || distinct.len() >= usize::from(u16::MAX)
        {
            return None;
        }
        let mut star = vec![0; words];
        let mut any_one = vec![0; words];
        for (position, unit) in positions.iter().enumerate() {
            match unit {
                BitUnit::AnyRun => set_bit(&mut star, position),
                BitUnit::AnyOne => set_bit(&mut any_one, position),
                BitUnit::Char(_) => {}
            }
        }
        let mut masks = Vec::with_capacity(distinct.len() * words);
        for _ in &distinct {
            masks.extend_from_slice(&any_one);
        }
        let mut ascii = Box::new([u16::MAX; 128]);
        let mut others = Vec::new();
        for (index, c) in distinct.iter().enumerate() {
            let index16 = u16::try_from(index).ok()?;
            match ascii.get_mut(*c as usize) {
                Some(slot) => *slot = index16,
                None => others.push((*c, index16)),
            }
        }
        for (position, unit) in positions.iter().enumerate() {
            if let BitUnit::Char(c) = unit
                && let Ok(index) = distinct.binary_search(c)
                && let Some(mask) = masks.get_mut(index * words..(index + 1) * words)
            {
                set_bit(mask, position);
            }
        }
        Some(Self {
            len,
            words,
            fold_ascii,
            star: star.into(),
            any_one: any_one.into(),
            ascii,
            others: others.into(),
            masks: masks.into(),
        })
    }

    /// The program for a pattern's units with its variables resolved from `vars` (values are
    /// literal text), when they make it long; `None` to use the greedy matcher.
    pub(super) fn resolved(
        units: &[Unit],
        vars: &dyn VariableSource,
        fold_ascii: bool,
    ) -> Option<Self> {
        let resolved_len: usize = units
            .iter()
            .map(|u| match u {
                Unit::Var(var) => super::variable_text(var, vars).chars().count(),
                _ => 1,
            })
            .sum();
        if resolved_len <= LONG_PATTERN_UNITS {
            return None;
        }
        // Folding compares ASCII only: a value with other characters is left to the greedy
        // matcher, which folds Unicode case.
        let values_ascii = units.iter().all(|u| match u {
            Unit::Var(var) => super::variable_text(var, vars).is_ascii(),
            _ => true,
        });
        if fold_ascii && !values_ascii {
            return None;
        }
        let resolved = units.iter().flat_map(|u| {
            let (text, single) = match u {
                Unit::Var(var) => (super::variable_text(var, vars), None),
                Unit::Char(c) => ("", Some(BitUnit::Char(*c))),
                Unit::AnyOne => ("", Some(BitUnit::AnyOne)),
                Unit::AnyRun => ("", Some(BitUnit::AnyRun)),
            };
            text.chars().map(BitUnit::Char).chain(single)
        });
        Self::new(resolved, fold_ascii)
    }

    /// The positions character `c` can pass.
    fn mask(&self, c: char) -> &[u64] {
        let index = match self.ascii.get(c as usize) {
            Some(&index) => index,
            None => self
                .others
                .binary_search_by_key(&c, |(other, _)| *other)
                .ok()
                .and_then(|i| self.others.get(i))
                .map_or(u16::MAX, |(_, index)| *index),
        };
        if index == u16::MAX {
            return &self.any_one;
        }
        let start = usize::from(index) * self.words;
        self.masks
            .get(start..start + self.words)
            .unwrap_or(&self.any_one)
    }

    /// Whether the whole of `text` matches; `None` when the program folds ASCII case and
    /// `text` is not ASCII (the greedy matcher folds Unicode case).
    pub(super) fn matches(&self, text: &str) -> Option<bool> {
        if self.fold_ascii && !text.is_ascii() {
            return None;
        }
        let mut stack = [0u64; STACK_WORDS];
        let mut heap = Vec::new();
        let state: &mut [u64] = match stack.get_mut(..self.words) {
            Some(words) => words,
            None => {
                heap.resize(self.words, 0);
                &mut heap
            }
        };
        set_bit(state, 0);
        self.close(state);
        for c in text.chars() {
            let c = if self.fold_ascii {
                c.to_ascii_lowercase()
            } else {
                c
            };
            let mask = self.mask(c);
            // Every live position moves past a unit `c` passes; a `*` also keeps its position.
            let mut carry = 0;
            let mut alive = 0;
            for ((word, passes), star) in state.iter_mut().zip(mask).zip(self.star.iter()) {
                let moving = *word & passes;
                let next = (moving << 1) | carry | (*word & star);
                carry = moving >> 63;
                *word = next;
                alive |= next;
            }
            if alive == 0 {
                return Some(false);
            }
            self.close(state);
        }
        Some(has_bit(state, self.len))
    }

    /// A live `*` position also makes the next one live (it may match nothing).
    fn close(&self, state: &mut [u64]) {
        let mut carry = 0;
        for (word, star) in state.iter_mut().zip(self.star.iter()) {
            let skipping = *word & star;
            let next = *word | (skipping << 1) | carry;
            carry = skipping >> 63;
            *word = next;
        }
    }
}
