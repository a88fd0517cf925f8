//! Errors in policy documents: each names the JSON path of the bad element, what is wrong with
//! it and, where there is one, the fix.

use std::fmt;

use thiserror::Error;

use crate::json::JsonPath;

/// What kind of problem a [`PolicyError`] reports, for callers that branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyErrorKind {
    /// The text is not JSON, or a JSON-encoded string that does not hold a JSON object.
    InvalidJson,
    /// An element IAM does not define (often a misspelling).
    UnknownElement,
    /// Two elements that exclude each other (`Action` with `NotAction`, ...).
    ConflictingElements,
    /// A required element is absent.
    MissingElement,
    /// An element has the wrong type or an invalid value.
    InvalidValue,
    /// A condition operator IAM does not define.
    UnknownOperator,
    /// A resource or principal that is not a valid ARN.
    InvalidArn,
}

/// A policy document that cannot be used; evaluation never sees an invalid policy.
#[derive(Debug, Clone, PartialEq, Error)]
pub struct PolicyError {
    kind: PolicyErrorKind,
    path: JsonPath,
    problem: String,
    fix: Option<String>,
}

impl PolicyError {
    pub(crate) fn new(
        path: &JsonPath,
        kind: PolicyErrorKind,
        problem: String,
        fix: Option<String>,
    ) -> Self {
        Self {
            kind,
            path: path.clone(),
            problem,
            fix,
        }
    }

    /// The kind of problem.
    pub fn kind(&self) -> PolicyErrorKind {
        self.kind
    }

    /// Where in the document the problem is.
    pub fn path(&self) -> &JsonPath {
        &self.path
    }

    /// The same error, located under `prefix` (for a policy embedded in a larger file).
    pub fn within(mut self, prefix: &JsonPath) -> Self {
        let inner = self.path.as_str();
        self.path = if inner.is_empty() {
            prefix.clone()
        } else if inner.starts_with('[') {
            JsonPath::root().key(&format!("{prefix}{inner}"))
        } else {
            prefix.key(inner)
        };
        self
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at `{}`", self.problem, self.path)?;
        if let Some(fix) = &self.fix {
            write!(f, ": {fix}")?;
        }
        Ok(())
    }
}
