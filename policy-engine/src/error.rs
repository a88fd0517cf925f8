//! Errors in policy documents: each names the JSON path of the bad element, what is wrong with
//! it and, where there is one, the fix.
//!
//! [`PolicyError`] is what [`PolicyDocument`](crate::policy::PolicyDocument)'s parsers return:
//! parsing is strict, so an invalid policy is refused up front and never reaches
//! [`crate::eval`]. Branch on [`PolicyError::kind`], show its `Display` to a user, or point an
//! editor at [`PolicyError::path`].
//!
//! ```
//! use policy_engine::error::PolicyErrorKind;
//! use policy_engine::policy::PolicyDocument;
//!
//! let err = PolicyDocument::parse_identity_policy(r#"{
//!     "Version": "2012-10-17",
//!     "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*",
//!                    "Condition": {"IpAdress": {"aws:SourceIp": "192.0.2.0/24"}}}]
//! }"#).unwrap_err();
//! assert_eq!(err.kind(), PolicyErrorKind::UnknownOperator);
//! assert_eq!(
//!     err.to_string(),
//!     "unknown condition operator `IpAdress` at `Statement[0].Condition.IpAdress`: did you mean `IpAddress`?"
//! );
//! ```

use std::fmt;

use thiserror::Error;

use crate::json::JsonPath;

/// What kind of problem a [`PolicyError`] reports, for callers that branch on it.
///
/// New kinds may be added as IAM's policy grammar grows, so a `match` needs a `_` arm.
///
/// ```
/// use policy_engine::error::PolicyErrorKind;
/// use policy_engine::policy::PolicyDocument;
///
/// let kind = |text| PolicyDocument::parse_identity_policy(text).unwrap_err().kind();
/// assert_eq!(kind("{"), PolicyErrorKind::InvalidJson);
/// assert_eq!(kind(r#"{"Statement": {"Effect": "Allow", "Resource": "*"}}"#), PolicyErrorKind::MissingElement);
/// assert_eq!(
///     kind(r#"{"Statement": {"Effect": "Allow", "Action": "*", "NotAction": "*", "Resource": "*"}}"#),
///     PolicyErrorKind::ConflictingElements
/// );
/// ```
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
///
/// Displays as ``{problem} at `{path}`: {fix}``, the path in the document as written (the
/// root is `$`).
///
/// ```
/// use policy_engine::error::PolicyErrorKind;
/// use policy_engine::policy::PolicyDocument;
///
/// let err = PolicyDocument::parse_identity_policy(
///     r#"{"Statement": [{"Effect": "allow", "Action": "execute-api:Invoke", "Resource": "*"}]}"#,
/// ).unwrap_err();
/// assert_eq!(err.kind(), PolicyErrorKind::InvalidValue);
/// assert_eq!(err.path().to_string(), "Statement[0].Effect");
/// assert_eq!(
///     err.to_string(),
///     "`Effect` must be `Allow` or `Deny`, not \"allow\" at `Statement[0].Effect`: IAM spells them with a capital first letter"
/// );
/// ```
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
    ///
    /// ```
    /// # use policy_engine::{policy::PolicyDocument, error::PolicyErrorKind};
    /// let err = PolicyDocument::parse_identity_policy(
    ///     r#"{"Statement": {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "execute-api/*"}}"#,
    /// ).unwrap_err();
    /// assert_eq!(err.kind(), PolicyErrorKind::InvalidArn);
    /// ```
    pub fn kind(&self) -> PolicyErrorKind {
        self.kind
    }

    /// Where in the document the problem is.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// let err = PolicyDocument::parse_identity_policy(
    ///     r#"{"Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*",
    ///                        "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}}}]}"#,
    /// ).unwrap_err();
    /// assert_eq!(err.path().as_str(), "Statement[0].Condition.IpAddress.aws:SourceIp");
    /// ```
    pub fn path(&self) -> &JsonPath {
        &self.path
    }

    /// The same error, located under `prefix` (for a policy embedded in a larger file, such as
    /// a scenario file or an OpenAPI export).
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// use policy_engine::json::JsonPath;
    ///
    /// let err = PolicyDocument::parse_identity_policy(r#"{"Statement": [{"Action": "*", "Resource": "*"}]}"#)
    ///     .unwrap_err();
    /// assert_eq!(err.path().as_str(), "Statement[0]");
    /// let in_file = err.within(&JsonPath::root().key("policies").index(2));
    /// assert_eq!(in_file.path().as_str(), "policies[2].Statement[0]");
    /// ```
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
