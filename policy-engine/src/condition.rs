//! IAM condition operators: parsing the `Condition` block, and evaluating it against a
//! [`RequestContext`].
//!
//! Semantics, exactly as IAM documents them:
//! - several operators in a block, and several keys under one operator, are AND'ed;
//! - several values for one key are OR'ed (for a negated operator such as `StringNotEquals`,
//!   the request value must match none of them: NOR);
//! - a key absent from the request makes a positive operator false and a negated one true;
//!   any `...IfExists` operator true; `ForAllValues:` true; `ForAnyValue:` false;
//!   `Null` tests presence itself;
//! - key names are case-insensitive, values case-sensitive (except the `IgnoreCase` operators).
//!
//! Conditions are compiled with their policy ([`crate::policy`]): CIDRs, numbers and dates are
//! read once, and a malformed one is a [`PolicyError`] naming its
//! JSON path. Each statement's [`Statement::conditions`](crate::policy::Statement::conditions)
//! is the flattened list (one [`Condition`] per operator and key), all of which must hold for
//! the statement to apply; [`crate::eval`] checks them after principal, action and resource,
//! and its trace shows [`Condition::describe`] for the condition that failed.
//!
//! ```
//! use policy_engine::context::RequestContext;
//! use policy_engine::policy::PolicyDocument;
//!
//! let policy = PolicyDocument::parse_identity_policy(r#"{
//!     "Version": "2012-10-17",
//!     "Statement": {"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*",
//!                   "Condition": {"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}}}
//! }"#)?;
//! let condition = &policy.statements()[0].conditions()[0];
//!
//! let mut context = RequestContext::new();
//! assert!(!condition.evaluate(&context)); // absent key: a positive operator fails
//! context.set("aws:SourceIp", "198.51.100.20")?;
//! assert!(condition.evaluate(&context)); // values are OR'ed
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

use crate::context::{ContextKey, KnownKeys, RequestContext, TypedValue};
use crate::error::{PolicyError, PolicyErrorKind};
use crate::glob::{CaseMode, Pattern, Wildcards};
use crate::json::{self, JsonPath};

/// A condition operator, without its `ForAllValues:`/`ForAnyValue:` qualifier or `IfExists`.
///
/// New operators may be added as IAM defines them, so a `match` needs a `_` arm.
///
/// ```
/// use policy_engine::condition::{Operator, OperatorSpec};
///
/// let spec = OperatorSpec::parse("NotIpAddress").ok_or("unknown operator")?;
/// assert_eq!(spec.operator, Operator::NotIpAddress);
/// assert!(spec.operator.is_negated());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operator {
    /// `StringEquals`: exact, case-sensitive string match.
    StringEquals,
    /// `StringNotEquals`: negated [`Operator::StringEquals`]: the value equals none of the policy's.
    StringNotEquals,
    /// `StringEqualsIgnoreCase`: string match ignoring case.
    StringEqualsIgnoreCase,
    /// `StringNotEqualsIgnoreCase`: negated [`Operator::StringEqualsIgnoreCase`].
    StringNotEqualsIgnoreCase,
    /// `StringLike`: case-sensitive match with `*` and `?` wildcards.
    StringLike,
    /// `StringNotLike`: negated [`Operator::StringLike`].
    StringNotLike,
    /// `NumericEquals`: numbers equal.
    NumericEquals,
    /// `NumericNotEquals`: negated [`Operator::NumericEquals`].
    NumericNotEquals,
    /// `NumericLessThan`: request number below the policy's.
    NumericLessThan,
    /// `NumericLessThanEquals`: request number at most the policy's.
    NumericLessThanEquals,
    /// `NumericGreaterThan`: request number above the policy's.
    NumericGreaterThan,
    /// `NumericGreaterThanEquals`: request number at least the policy's.
    NumericGreaterThanEquals,
    /// `DateEquals`: same instant (ISO 8601 or epoch seconds on either side).
    DateEquals,
    /// `DateNotEquals`: negated [`Operator::DateEquals`].
    DateNotEquals,
    /// `DateLessThan`: request date before the policy's.
    DateLessThan,
    /// `DateLessThanEquals`: request date at or before the policy's.
    DateLessThanEquals,
    /// `DateGreaterThan`: request date after the policy's.
    DateGreaterThan,
    /// `DateGreaterThanEquals`: request date at or after the policy's.
    DateGreaterThanEquals,
    /// `Bool`: boolean match (`true` / `false`, any case).
    Bool,
    /// `BinaryEquals`: base64-encoded binary value equal, compared as text.
    BinaryEquals,
    /// `IpAddress`: request IP address inside one of the policy's CIDR blocks.
    IpAddress,
    /// `NotIpAddress`: negated [`Operator::IpAddress`]: outside every block.
    NotIpAddress,
    /// `ArnEquals`: ARN match, part by part; `*` and `?` wildcards allowed in each part, as IAM does.
    ArnEquals,
    /// `ArnLike`: ARN match, part by part, with `*` and `?` wildcards within each part.
    ArnLike,
    /// `ArnNotEquals`: negated [`Operator::ArnEquals`].
    ArnNotEquals,
    /// `ArnNotLike`: negated [`Operator::ArnLike`].
    ArnNotLike,
    /// `Null`: whether the key is absent (`true`) or present (`false`) in the request.
    Null,
}

impl Operator {
    /// Every operator.
    ///
    /// ```
    /// # use policy_engine::condition::Operator;
    /// assert!(Operator::ALL.contains(&Operator::ArnLike));
    /// assert_eq!(Operator::ALL.iter().filter(|o| o.name().starts_with("Date")).count(), 6);
    /// ```
    pub const ALL: [Operator; 27] = [
        Operator::StringEquals,
        Operator::StringNotEquals,
        Operator::StringEqualsIgnoreCase,
        Operator::StringNotEqualsIgnoreCase,
        Operator::StringLike,
        Operator::StringNotLike,
        Operator::NumericEquals,
        Operator::NumericNotEquals,
        Operator::NumericLessThan,
        Operator::NumericLessThanEquals,
        Operator::NumericGreaterThan,
        Operator::NumericGreaterThanEquals,
        Operator::DateEquals,
        Operator::DateNotEquals,
        Operator::DateLessThan,
        Operator::DateLessThanEquals,
        Operator::DateGreaterThan,
        Operator::DateGreaterThanEquals,
        Operator::Bool,
        Operator::BinaryEquals,
        Operator::IpAddress,
        Operator::NotIpAddress,
        Operator::ArnEquals,
        Operator::ArnLike,
        Operator::ArnNotEquals,
        Operator::ArnNotLike,
        Operator::Null,
    ];

    /// IAM's name for the operator.
    ///
    /// ```
    /// # use policy_engine::condition::Operator;
    /// assert_eq!(Operator::StringEqualsIgnoreCase.name(), "StringEqualsIgnoreCase");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Operator::StringEquals => "StringEquals",
            Operator::StringNotEquals => "StringNotEquals",
            Operator::StringEqualsIgnoreCase => "StringEqualsIgnoreCase",
            Operator::StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase",
            Operator::StringLike => "StringLike",
            Operator::StringNotLike => "StringNotLike",
            Operator::NumericEquals => "NumericEquals",
            Operator::NumericNotEquals => "NumericNotEquals",
            Operator::NumericLessThan => "NumericLessThan",
            Operator::NumericLessThanEquals => "NumericLessThanEquals",
            Operator::NumericGreaterThan => "NumericGreaterThan",
            Operator::NumericGreaterThanEquals => "NumericGreaterThanEquals",
            Operator::DateEquals => "DateEquals",
            Operator::DateNotEquals => "DateNotEquals",
            Operator::DateLessThan => "DateLessThan",
            Operator::DateLessThanEquals => "DateLessThanEquals",
            Operator::DateGreaterThan => "DateGreaterThan",
            Operator::DateGreaterThanEquals => "DateGreaterThanEquals",
            Operator::Bool => "Bool",
            Operator::BinaryEquals => "BinaryEquals",
            Operator::IpAddress => "IpAddress",
            Operator::NotIpAddress => "NotIpAddress",
            Operator::ArnEquals => "ArnEquals",
            Operator::ArnLike => "ArnLike",
            Operator::ArnNotEquals => "ArnNotEquals",
            Operator::ArnNotLike => "ArnNotLike",
            Operator::Null => "Null",
        }
    }

    /// Whether the operator is the negation of another (`StringNotEquals`, `NotIpAddress`, ...):
    /// true when the request value matches none of the policy values.
    ///
    /// ```
    /// # use policy_engine::condition::Operator;
    /// assert!(Operator::StringNotEquals.is_negated());
    /// assert!(!Operator::StringEquals.is_negated());
    /// assert!(!Operator::Null.is_negated());
    /// ```
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            Operator::StringNotEquals
                | Operator::StringNotEqualsIgnoreCase
                | Operator::StringNotLike
                | Operator::NumericNotEquals
                | Operator::DateNotEquals
                | Operator::NotIpAddress
                | Operator::ArnNotEquals
                | Operator::ArnNotLike
        )
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|op| op.name() == name)
    }
}

/// `ForAllValues:` / `ForAnyValue:`, the set qualifiers for multi-valued keys.
///
/// ```
/// use policy_engine::condition::{OperatorSpec, SetQualifier};
///
/// let spec = OperatorSpec::parse("ForAllValues:StringLike").ok_or("unknown operator")?;
/// assert_eq!(spec.qualifier, SetQualifier::ForAllValues);
/// assert_eq!(OperatorSpec::parse("StringLike").map(|s| s.qualifier), Some(SetQualifier::None));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SetQualifier {
    /// No qualifier: single-valued semantics.
    None,
    /// `ForAllValues:` every request value must satisfy the operator (true when absent).
    ForAllValues,
    /// `ForAnyValue:` at least one request value must satisfy it (false when absent).
    ForAnyValue,
}

/// A full operator as written: qualifier, operator and `IfExists`. Displays as IAM spells it.
///
/// ```
/// use policy_engine::condition::{Operator, OperatorSpec, SetQualifier};
///
/// let spec = OperatorSpec {
///     qualifier: SetQualifier::ForAnyValue,
///     operator: Operator::StringLike,
///     if_exists: true,
/// };
/// assert_eq!(spec.to_string(), "ForAnyValue:StringLikeIfExists");
/// assert_eq!(OperatorSpec::parse(&spec.to_string()), Some(spec));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OperatorSpec {
    /// The set qualifier.
    pub qualifier: SetQualifier,
    /// The operator.
    pub operator: Operator,
    /// Whether `IfExists` was appended.
    pub if_exists: bool,
}

impl OperatorSpec {
    /// Parse an operator name such as `ForAnyValue:StringLikeIfExists`; `None` for a name IAM
    /// does not define (names are case-sensitive, and `Null` takes neither a qualifier nor
    /// `IfExists`).
    ///
    /// ```
    /// # use policy_engine::condition::{Operator, OperatorSpec};
    /// let spec = OperatorSpec::parse("StringNotEqualsIfExists").ok_or("unknown")?;
    /// assert_eq!((spec.operator, spec.if_exists), (Operator::StringNotEquals, true));
    /// assert_eq!(OperatorSpec::parse("stringequals"), None);
    /// assert_eq!(OperatorSpec::parse("NullIfExists"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        let (qualifier, rest) = if let Some(rest) = text.strip_prefix("ForAllValues:") {
            (SetQualifier::ForAllValues, rest)
        } else if let Some(rest) = text.strip_prefix("ForAnyValue:") {
            (SetQualifier::ForAnyValue, rest)
        } else {
            (SetQualifier::None, text)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let operator = Operator::from_name(base)?;
        if operator == Operator::Null && (if_exists || qualifier != SetQualifier::None) {
            return None;
        }
        Some(Self {
            qualifier,
            operator,
            if_exists,
        })
    }
}

impl fmt::Display for OperatorSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.qualifier {
            SetQualifier::None => {}
            SetQualifier::ForAllValues => f.write_str("ForAllValues:")?,
            SetQualifier::ForAnyValue => f.write_str("ForAnyValue:")?,
        }
        f.write_str(self.operator.name())?;
        if self.if_exists {
            f.write_str("IfExists")?;
        }
        Ok(())
    }
}

/// An ARN pattern for the `Arn*` operators: each of the six colon-separated parts is matched
/// on its own, with wildcards, so `*` never spans a colon between parts.
#[derive(Debug, Clone, PartialEq)]
enum ArnPattern {
    /// A lone `*`: every ARN.
    Any,
    /// The six parts (colons inside `${...}` policy variables do not split).
    Parts(Box<[Pattern; 6]>),
    /// A value whose colons sit inside policy variables (`${aws:PrincipalArn}`): the resolved
    /// value is compared with the whole ARN. Variable values are literal, so without wildcards
    /// outside the variables this equals part-by-part comparison.
    Whole(Pattern),
}

impl ArnPattern {
    fn matches(&self, value: &str, ctx: &RequestContext) -> bool {
        match self {
            ArnPattern::Any => true,
            ArnPattern::Whole(p) => p.matches_with(value, ctx).unwrap_or(false),
            ArnPattern::Parts(parts) => {
                let mut given = value.splitn(6, ':');
                parts.iter().all(|p| {
                    given
                        .next()
                        .is_some_and(|g| p.matches_with(g, ctx).unwrap_or(false))
                })
            }
        }
    }
}

/// The policy values of one condition, compiled for its operator family.
#[derive(Debug, Clone, PartialEq)]
enum Values {
    /// String operators and `BinaryEquals` (patterns with or without wildcards, with variables).
    Text(Box<[Pattern]>),
    Numbers(Box<[f64]>),
    /// Nanoseconds since the epoch.
    Dates(Box<[i128]>),
    Bools(Box<[bool]>),
    Nets(Box<[IpNet]>),
    Arns(Box<[ArnPattern]>),
}

/// One compiled condition: an operator applied to one key with its policy values, from
/// [`Statement::conditions`](crate::policy::Statement::conditions).
///
/// ```
/// use policy_engine::context::RequestContext;
/// use policy_engine::policy::PolicyDocument;
///
/// let policy = PolicyDocument::parse_identity_policy(r#"{"Statement": {
///     "Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "*",
///     "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}}"#)?;
/// let condition = &policy.statements()[0].conditions()[0];
///
/// let mut context = RequestContext::new();
/// context.set("aws:SourceVpce", "vpce-1a2b3c4d")?;
/// assert!(!condition.evaluate(&context)); // the endpoint the policy names: no deny
/// context.set("aws:SourceVpce", "vpce-9f8e7d6c")?;
/// assert!(condition.evaluate(&context));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    spec: OperatorSpec,
    key: ContextKey,
    /// The key as written in the policy.
    key_source: Box<str>,
    /// The values as written (for explanations and for writing the policy back out).
    value_sources: Box<[Value]>,
    values: Values,
}

impl Condition {
    /// The operator.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// # let policy = PolicyDocument::parse_identity_policy(r#"{"Statement": {"Effect": "Allow",
    /// #     "Action": "*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}}}}"#)?;
    /// let condition = &policy.statements()[0].conditions()[0];
    /// assert_eq!(condition.spec().to_string(), "BoolIfExists");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn spec(&self) -> OperatorSpec {
        self.spec
    }

    /// The condition key.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// use policy_engine::context::KnownKey;
    /// # let policy = PolicyDocument::parse_identity_policy(r#"{"Statement": {"Effect": "Allow",
    /// #     "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"AWS:SourceVPC": "vpc-2f09a348"}}}}"#)?;
    /// let condition = &policy.statements()[0].conditions()[0];
    /// assert_eq!(condition.key().known_key(), Some(KnownKey::SourceVpc));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key(&self) -> &ContextKey {
        &self.key
    }

    /// The key as written in the policy.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// # let policy = PolicyDocument::parse_identity_policy(r#"{"Statement": {"Effect": "Allow",
    /// #     "Action": "*", "Resource": "*", "Condition": {"StringEquals": {"AWS:SourceVPC": "vpc-2f09a348"}}}}"#)?;
    /// let condition = &policy.statements()[0].conditions()[0];
    /// assert_eq!(condition.key_source(), "AWS:SourceVPC");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn key_source(&self) -> &str {
        &self.key_source
    }

    /// The policy values as written.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// # let policy = PolicyDocument::parse_identity_policy(r#"{"Statement": {"Effect": "Allow",
    /// #     "Action": "*", "Resource": "*", "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}}}"#)?;
    /// let condition = &policy.statements()[0].conditions()[0];
    /// assert_eq!(condition.value_sources(), [serde_json::json!(3600)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn value_sources(&self) -> &[Value] {
        &self.value_sources
    }

    /// Add the documented keys the condition reads to `keys`: its key, and the keys of the
    /// policy variables in its values.
    pub(crate) fn add_keys_read(&self, keys: &mut KnownKeys) {
        if let Some(k) = self.key.known_key() {
            keys.insert(k);
        }
        match &self.values {
            Values::Text(patterns) => patterns.iter().for_each(|p| p.add_keys_read(keys)),
            Values::Arns(arns) => {
                for arn in arns.iter() {
                    let patterns = match arn {
                        ArnPattern::Any => &[],
                        ArnPattern::Whole(p) => std::slice::from_ref(p),
                        ArnPattern::Parts(parts) => parts.as_slice(),
                    };
                    patterns.iter().for_each(|p| p.add_keys_read(keys));
                }
            }
            Values::Numbers(_) | Values::Dates(_) | Values::Bools(_) | Values::Nets(_) => {}
        }
    }

    /// Whether the condition holds for the request, by the rules in the [module
    /// docs](crate::condition) (absent keys included).
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// use policy_engine::context::{ContextKey, ContextValue, RequestContext};
    /// # let policy = PolicyDocument::parse_identity_policy(r#"{"Statement": {"Effect": "Allow",
    /// #     "Action": "*", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}}}"#)?;
    /// let condition = &policy.statements()[0].conditions()[0]; // ForAllValues:StringEquals aws:TagKeys [team, env]
    /// let mut context = RequestContext::new();
    /// assert!(condition.evaluate(&context)); // ForAllValues: an absent key passes
    /// context.insert(&ContextKey::new("aws:TagKeys"), ContextValue::multi(["team", "owner"]))?;
    /// assert!(!condition.evaluate(&context)); // `owner` is not allowed
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate(&self, ctx: &RequestContext) -> bool {
        let present = ctx.get(&self.key);
        if self.spec.operator == Operator::Null {
            // An empty multi-valued key counts as absent, as for every other operator.
            let absent = present.is_none_or(|v| v.values().is_empty());
            return match &self.values {
                Values::Bools(wanted) => wanted.contains(&absent),
                _ => false,
            };
        }
        let Some(value) = present.filter(|v| !v.values().is_empty()) else {
            return self.spec.if_exists
                || match self.spec.qualifier {
                    SetQualifier::ForAllValues => true,
                    SetQualifier::ForAnyValue => false,
                    SetQualifier::None => self.spec.operator.is_negated(),
                };
        };
        let negated = self.spec.operator.is_negated();
        // Whether one request value satisfies the operator (NOR over policy values if negated).
        let satisfies = |v: &TypedValue| self.any_policy_value_matches(v, ctx) != negated;
        match self.spec.qualifier {
            SetQualifier::ForAllValues => value.values().iter().all(satisfies),
            SetQualifier::ForAnyValue => value.values().iter().any(satisfies),
            SetQualifier::None => {
                let any = value
                    .values()
                    .iter()
                    .any(|v| self.any_policy_value_matches(v, ctx));
                any != negated
            }
        }
    }

    /// The positive form of the operator: does `v` match any of the policy values?
    fn any_policy_value_matches(&self, v: &TypedValue, ctx: &RequestContext) -> bool {
        use Operator as O;
        match &self.values {
            Values::Text(patterns) => patterns
                .iter()
                .any(|p| p.matches_with(v.text(), ctx).unwrap_or(false)),
            Values::Numbers(wanted) => v.number().is_some_and(|n| {
                wanted.iter().any(|w| match self.spec.operator {
                    O::NumericLessThan => n < *w,
                    O::NumericLessThanEquals => n <= *w,
                    O::NumericGreaterThan => n > *w,
                    O::NumericGreaterThanEquals => n >= *w,
                    _ => n == *w,
                })
            }),
            Values::Dates(wanted) => v.date().is_some_and(|d| {
                wanted.iter().any(|w| match self.spec.operator {
                    O::DateLessThan => d < *w,
                    O::DateLessThanEquals => d <= *w,
                    O::DateGreaterThan => d > *w,
                    O::DateGreaterThanEquals => d >= *w,
                    _ => d == *w,
                })
            }),
            Values::Bools(wanted) => v.boolean().is_some_and(|b| wanted.contains(&b)),
            Values::Nets(nets) => v
                .ip()
                .is_some_and(|ip| nets.iter().any(|n| n.contains(&ip))),
            Values::Arns(arns) => arns.iter().any(|a| a.matches(v.text(), ctx)),
        }
    }

    /// A one-line account of how the condition evaluated for this request, e.g.
    /// ``StringNotEquals `aws:SourceVpce`: request value `vpce-9` vs [`vpce-1a2b3c4d`] → true``.
    /// For an absent key it says which rule decided.
    ///
    /// ```
    /// # use policy_engine::policy::PolicyDocument;
    /// use policy_engine::context::RequestContext;
    /// # let policy = PolicyDocument::parse_identity_policy(r#"{"Statement": {"Effect": "Deny",
    /// #     "Action": "*", "Resource": "*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}}}"#)?;
    /// let condition = &policy.statements()[0].conditions()[0];
    /// let mut context = RequestContext::new();
    /// assert_eq!(
    ///     condition.describe(&context),
    ///     "StringNotEquals `aws:SourceVpce`: key absent from the request vs [`vpce-1a2b3c4d`] → true (a negated operator passes on an absent key)"
    /// );
    /// context.set("aws:SourceVpce", "vpce-9f8e7d6c")?;
    /// assert_eq!(
    ///     condition.describe(&context),
    ///     "StringNotEquals `aws:SourceVpce`: request value `vpce-9f8e7d6c` vs [`vpce-1a2b3c4d`] → true"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn describe(&self, ctx: &RequestContext) -> String {
        let request = match ctx.get(&self.key) {
            Some(v) => format!("request value {v}"),
            None => "key absent from the request".to_owned(),
        };
        let wanted: Vec<String> = self
            .value_sources
            .iter()
            .map(|v| match v {
                Value::String(s) => format!("`{s}`"),
                other => format!("`{other}`"),
            })
            .collect();
        let held = self.evaluate(ctx);
        let absent_rule = match ctx.get(&self.key) {
            Some(_) => "",
            None if self.spec.operator == Operator::Null => "",
            None if self.spec.if_exists => " (IfExists: an absent key passes)",
            None => match self.spec.qualifier {
                SetQualifier::ForAllValues => " (ForAllValues: an absent key passes)",
                SetQualifier::ForAnyValue => " (ForAnyValue: an absent key fails)",
                SetQualifier::None if self.spec.operator.is_negated() => {
                    " (a negated operator passes on an absent key)"
                }
                SetQualifier::None => " (a positive operator fails on an absent key)",
            },
        };
        format!(
            "{} `{}`: {} vs [{}] → {}{}",
            self.spec,
            self.key_source,
            request,
            wanted.join(", "),
            held,
            absent_rule
        )
    }

    /// Parse the `Condition` element of a statement.
    pub(crate) fn parse_block(
        value: &Value,
        path: &JsonPath,
        variables: bool,
    ) -> Result<Vec<Condition>, PolicyError> {
        let Value::Object(block) = value else {
            return Err(PolicyError::new(
                path,
                PolicyErrorKind::InvalidValue,
                format!(
                    "`Condition` must be an object, not {}",
                    json::type_name(value)
                ),
                Some("write `{\"Operator\": {\"key\": \"value\"}}`".to_owned()),
            ));
        };
        let mut conditions = Vec::new();
        for (op_name, keys, op_path) in json::members(block, path) {
            let Some(spec) = OperatorSpec::parse(op_name) else {
                let names: Vec<&str> = Operator::ALL.iter().map(|o| o.name()).collect();
                let base = op_name
                    .trim_start_matches("ForAllValues:")
                    .trim_start_matches("ForAnyValue:");
                let base = base.strip_suffix("IfExists").unwrap_or(base);
                let fix = if base == "Null" {
                    Some("`Null` takes neither `IfExists` nor a set qualifier".to_owned())
                } else {
                    json::suggest(base, &names)
                        .map(|s| format!("did you mean `{s}`?"))
                        .or_else(|| Some("see IAM's list of condition operators".to_owned()))
                };
                return Err(PolicyError::new(
                    &op_path,
                    PolicyErrorKind::UnknownOperator,
                    format!("unknown condition operator `{op_name}`"),
                    fix,
                ));
            };
            let Value::Object(keys) = keys else {
                return Err(PolicyError::new(
                    &op_path,
                    PolicyErrorKind::InvalidValue,
                    format!(
                        "operator `{op_name}` must map condition keys to values, not be {}",
                        json::type_name(keys)
                    ),
                    Some(format!(
                        "write `\"{op_name}\": {{\"aws:SourceIp\": \"...\"}}`"
                    )),
                ));
            };
            for (key_name, raw_values, key_path) in json::members(keys, &op_path) {
                conditions.push(Self::parse_one(
                    spec, key_name, raw_values, &key_path, variables,
                )?);
            }
        }
        Ok(conditions)
    }

    fn parse_one(
        spec: OperatorSpec,
        key_name: &str,
        raw: &Value,
        path: &JsonPath,
        variables: bool,
    ) -> Result<Self, PolicyError> {
        if !key_name.contains(':') || key_name.trim().is_empty() {
            let fix = json::suggest(
                &format!("aws:{key_name}"),
                &crate::context::KnownKey::ALL.map(|k| k.name()),
            )
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| "condition keys look like `aws:SourceIp`".to_owned());
            return Err(PolicyError::new(
                path,
                PolicyErrorKind::InvalidValue,
                format!("condition key `{key_name}` has no service prefix"),
                Some(fix),
            ));
        }
        let items = json::one_or_many(raw, path);
        let mut sources = Vec::with_capacity(items.len());
        let mut texts = Vec::with_capacity(items.len());
        for (item, item_path) in &items {
            let text = match item {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                other => {
                    return Err(PolicyError::new(
                        item_path,
                        PolicyErrorKind::InvalidValue,
                        format!(
                            "condition value must be a string, number or boolean, not {}",
                            json::type_name(other)
                        ),
                        None,
                    ));
                }
            };
            sources.push((*item).clone());
            texts.push((text, item_path.clone()));
        }
        let values = compile_values(spec.operator, &texts, variables)?;
        Ok(Self {
            spec,
            key: ContextKey::new(key_name),
            key_source: key_name.into(),
            value_sources: sources.into(),
            values,
        })
    }
}

fn compile_values(
    op: Operator,
    texts: &[(String, JsonPath)],
    variables: bool,
) -> Result<Values, PolicyError> {
    use Operator as O;
    let invalid = |path: &JsonPath, what: String, fix: &str| {
        PolicyError::new(
            path,
            PolicyErrorKind::InvalidValue,
            what,
            Some(fix.to_owned()),
        )
    };
    Ok(match op {
        O::StringEquals | O::StringNotEquals | O::BinaryEquals => Values::Text(
            texts
                .iter()
                .map(|(t, _)| Pattern::compile(t, Wildcards::Off, CaseMode::Sensitive, variables))
                .collect(),
        ),
        O::StringEqualsIgnoreCase | O::StringNotEqualsIgnoreCase => Values::Text(
            texts
                .iter()
                .map(|(t, _)| {
                    Pattern::compile(t, Wildcards::Off, CaseMode::Insensitive, variables)
                })
                .collect(),
        ),
        O::StringLike | O::StringNotLike => Values::Text(
            texts
                .iter()
                .map(|(t, _)| Pattern::compile(t, Wildcards::On, CaseMode::Sensitive, variables))
                .collect(),
        ),
        O::NumericEquals
        | O::NumericNotEquals
        | O::NumericLessThan
        | O::NumericLessThanEquals
        | O::NumericGreaterThan
        | O::NumericGreaterThanEquals => Values::Numbers(
            texts
                .iter()
                .map(|(t, p)| {
                    t.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|n| n.is_finite())
                        .ok_or_else(|| {
                            invalid(
                                p,
                                format!("`{t}` is not a number (for `{}`)", op.name()),
                                "give an integer or decimal such as `10` or `2.5`",
                            )
                        })
                })
                .collect::<Result<_, _>>()?,
        ),
        O::DateEquals
        | O::DateNotEquals
        | O::DateLessThan
        | O::DateLessThanEquals
        | O::DateGreaterThan
        | O::DateGreaterThanEquals => Values::Dates(
            texts
                .iter()
                .map(|(t, p)| {
                    crate::time::parse_date(t).ok_or_else(|| {
                        invalid(
                            p,
                            format!("`{t}` is not a date (for `{}`)", op.name()),
                            "give an ISO 8601 date such as `2026-01-01T00:00:00Z` or epoch seconds",
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
        ),
        O::Bool | O::Null => Values::Bools(
            texts
                .iter()
                .map(|(t, p)| match t.trim().to_ascii_lowercase().as_str() {
                    "true" => Ok(true),
                    "false" => Ok(false),
                    _ => Err(invalid(
                        p,
                        format!("`{t}` is not a boolean (for `{}`)", op.name()),
                        "give `true` or `false`",
                    )),
                })
                .collect::<Result<_, _>>()?,
        ),
        O::IpAddress | O::NotIpAddress => Values::Nets(
            texts
                .iter()
                .map(|(t, p)| parse_cidr(t).map_err(|why| {
                    invalid(
                        p,
                        format!("invalid CIDR `{t}`: {why}"),
                        "give an IPv4 or IPv6 address or block such as `192.0.2.0/24` or `2001:db8::/32`",
                    )
                }))
                .collect::<Result<_, _>>()?,
        ),
        O::ArnEquals | O::ArnLike | O::ArnNotEquals | O::ArnNotLike => Values::Arns(
            texts
                .iter()
                .map(|(t, p)| compile_arn_pattern(t, variables).ok_or_else(|| {
                    invalid(
                        p,
                        format!("`{t}` is not an ARN (for `{}`): it needs six colon-separated parts", op.name()),
                        "write `arn:partition:service:region:account:resource`, with `*` or `?` inside any part",
                    )
                }))
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn compile_arn_pattern(text: &str, variables: bool) -> Option<ArnPattern> {
    let compile = |s: &str| Pattern::compile(s, Wildcards::On, CaseMode::Sensitive, variables);
    if text == "*" {
        return Some(ArnPattern::Any);
    }
    let parts = split_arn_parts(text, variables);
    if let [a, b, c, d, e, f] = parts.as_slice() {
        return Some(ArnPattern::Parts(Box::new([
            compile(a),
            compile(b),
            compile(c),
            compile(d),
            compile(e),
            compile(f),
        ])));
    }
    let whole = compile(text);
    whole.has_variables().then_some(ArnPattern::Whole(whole))
}

/// Split an ARN pattern into at most six parts at colons outside `${...}` policy variables.
fn split_arn_parts(text: &str, variables: bool) -> Vec<&str> {
    let mut parts = Vec::with_capacity(6);
    let mut start = 0;
    let mut in_variable = false;
    let mut previous = '\0';
    for (i, c) in text.char_indices() {
        match c {
            '{' if variables && previous == '$' => in_variable = true,
            '}' if in_variable => in_variable = false,
            ':' if !in_variable && parts.len() < 5 => {
                parts.push(text.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
        previous = c;
    }
    parts.push(text.get(start..).unwrap_or(""));
    parts
}

/// Parse a CIDR block or a single address (a host block), explaining what is wrong otherwise.
pub(crate) fn parse_cidr(text: &str) -> Result<IpNet, String> {
    if text != text.trim() || text.is_empty() {
        return Err("it has surrounding spaces or is empty".to_owned());
    }
    if let Ok(net) = text.parse::<IpNet>() {
        return Ok(normalise_mapped(net));
    }
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(normalise_mapped(IpNet::from(ip)));
    }
    if let Some((_, zone)) = text.split_once('%') {
        return Err(format!(
            "it has a zone id (`%{zone}`), which addresses in a policy cannot have"
        ));
    }
    if text.starts_with('[') {
        return Err("IPv6 addresses are written without brackets".to_owned());
    }
    match text.split_once('/') {
        Some(("", _)) => Err("the address before `/` is missing".to_owned()),
        Some((_, "")) => Err("the prefix length after `/` is missing".to_owned()),
        Some((addr, len)) => {
            let Ok(ip) = addr.parse::<IpAddr>() else {
                return Err(format!("`{addr}` is not an IP address"));
            };
            let max = if ip.is_ipv4() { 32 } else { 128 };
            match len.parse::<u32>() {
                Ok(n) if n > max => Err(format!("prefix length above {max}")),
                _ => Err(format!("`{len}` is not a prefix length")),
            }
        }
        None => Err("it is not an IP address or CIDR block".to_owned()),
    }
}

/// An IPv4-mapped IPv6 block (`::ffff:192.0.2.0/120`) matches the IPv4 addresses it maps, since
/// request addresses are read in their canonical (IPv4) form.
fn normalise_mapped(net: IpNet) -> IpNet {
    match net {
        IpNet::V6(v6) => match v6.addr().to_ipv4_mapped() {
            Some(v4) if v6.prefix_len() >= 96 => {
                ipnet::Ipv4Net::new(v4, v6.prefix_len() - 96).map_or(net, IpNet::V4)
            }
            _ => net,
        },
        IpNet::V4(_) => net,
    }
}

#[cfg(test)]
mod tests;
