//! The request context: the condition-key values of one request (`aws:SourceIp`,
//! `aws:SourceVpce`, `aws:CurrentTime`, ...), typed once when the request is built so that
//! evaluating conditions against them parses nothing and allocates nothing.
//!
//! Key names are case-insensitive (IAM's rule), so keys are stored lower-cased; the keys API
//! Gateway documents are interned as [`KnownKey`] and looked up by index.

use std::fmt;
use std::net::IpAddr;

use thiserror::Error;

use crate::glob::VariableSource;

/// The global condition keys API Gateway documents for resource policies, plus the IAM
/// principal keys. Interned so lookups are an array index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KnownKey {
    /// `aws:SourceIp`: the caller's public IP; absent for requests through a VPC endpoint.
    SourceIp,
    /// `aws:SourceVpce`: the VPC endpoint id (private APIs only).
    SourceVpce,
    /// `aws:SourceVpc`: the VPC id (private APIs only).
    SourceVpc,
    /// `aws:VpcSourceIp`: the caller's IP inside the VPC (private APIs only).
    VpcSourceIp,
    /// `aws:CurrentTime`: the request time, ISO 8601.
    CurrentTime,
    /// `aws:EpochTime`: the request time in seconds since the epoch.
    EpochTime,
    /// `aws:SecureTransport`: whether the request used TLS (always, through API Gateway).
    SecureTransport,
    /// `aws:Referer`: the `Referer` header, when sent.
    Referer,
    /// `aws:UserAgent`: the `User-Agent` header, when sent.
    UserAgent,
    /// `aws:SourceArn`: the ARN of the resource making a service-to-service request.
    SourceArn,
    /// `aws:PrincipalArn`: the IAM caller's ARN (the role ARN for an assumed-role session).
    PrincipalArn,
    /// `aws:PrincipalAccount`: the IAM caller's account.
    PrincipalAccount,
    /// `aws:PrincipalType`: `User`, `AssumedRole`, `FederatedUser`, `Account`, ...
    PrincipalType,
    /// `aws:userid`: the IAM caller's unique id.
    UserId,
    /// `aws:username`: the IAM user's name (IAM users only).
    Username,
    /// `aws:PrincipalOrgID`: the caller's AWS Organizations id.
    PrincipalOrgId,
    /// `aws:PrincipalOrgPaths`: the caller's organization paths (multi-valued).
    PrincipalOrgPaths,
    /// `aws:TokenIssueTime`: when temporary credentials were issued.
    TokenIssueTime,
    /// `aws:MultiFactorAuthPresent`: whether MFA was used.
    MultiFactorAuthPresent,
    /// `aws:MultiFactorAuthAge`: seconds since MFA.
    MultiFactorAuthAge,
}

impl KnownKey {
    /// Every known key, in index order.
    pub const ALL: [KnownKey; 20] = [
        KnownKey::SourceIp,
        KnownKey::SourceVpce,
        KnownKey::SourceVpc,
        KnownKey::VpcSourceIp,
        KnownKey::CurrentTime,
        KnownKey::EpochTime,
        KnownKey::SecureTransport,
        KnownKey::Referer,
        KnownKey::UserAgent,
        KnownKey::SourceArn,
        KnownKey::PrincipalArn,
        KnownKey::PrincipalAccount,
        KnownKey::PrincipalType,
        KnownKey::UserId,
        KnownKey::Username,
        KnownKey::PrincipalOrgId,
        KnownKey::PrincipalOrgPaths,
        KnownKey::TokenIssueTime,
        KnownKey::MultiFactorAuthPresent,
        KnownKey::MultiFactorAuthAge,
    ];

    /// Whether the key describes an IAM caller: API Gateway sets it only for SigV4-signed
    /// (`AWS_IAM`) requests.
    pub fn describes_iam_caller(self) -> bool {
        matches!(
            self,
            KnownKey::PrincipalArn
                | KnownKey::PrincipalAccount
                | KnownKey::PrincipalType
                | KnownKey::UserId
                | KnownKey::Username
                | KnownKey::PrincipalOrgId
                | KnownKey::PrincipalOrgPaths
                | KnownKey::TokenIssueTime
                | KnownKey::MultiFactorAuthPresent
                | KnownKey::MultiFactorAuthAge
        )
    }

    /// The key's documented spelling.
    pub fn name(self) -> &'static str {
        match self {
            KnownKey::SourceIp => "aws:SourceIp",
            KnownKey::SourceVpce => "aws:SourceVpce",
            KnownKey::SourceVpc => "aws:SourceVpc",
            KnownKey::VpcSourceIp => "aws:VpcSourceIp",
            KnownKey::CurrentTime => "aws:CurrentTime",
            KnownKey::EpochTime => "aws:EpochTime",
            KnownKey::SecureTransport => "aws:SecureTransport",
            KnownKey::Referer => "aws:Referer",
            KnownKey::UserAgent => "aws:UserAgent",
            KnownKey::SourceArn => "aws:SourceArn",
            KnownKey::PrincipalArn => "aws:PrincipalArn",
            KnownKey::PrincipalAccount => "aws:PrincipalAccount",
            KnownKey::PrincipalType => "aws:PrincipalType",
            KnownKey::UserId => "aws:userid",
            KnownKey::Username => "aws:username",
            KnownKey::PrincipalOrgId => "aws:PrincipalOrgID",
            KnownKey::PrincipalOrgPaths => "aws:PrincipalOrgPaths",
            KnownKey::TokenIssueTime => "aws:TokenIssueTime",
            KnownKey::MultiFactorAuthPresent => "aws:MultiFactorAuthPresent",
            KnownKey::MultiFactorAuthAge => "aws:MultiFactorAuthAge",
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    fn from_lowercase(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name))
    }
}

/// A set of documented keys: the keys a compiled policy reads, or a request needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct KnownKeys(u32);

impl KnownKeys {
    /// Every documented key.
    pub const ALL: Self = Self((1 << KnownKey::ALL.len()) - 1);

    /// Add `key`.
    pub fn insert(&mut self, key: KnownKey) {
        self.0 |= 1 << key.index();
    }

    /// Whether `key` is in the set.
    pub fn contains(self, key: KnownKey) -> bool {
        self.0 & (1 << key.index()) != 0
    }

    /// The keys in either set.
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The keys in `self` and not in `other`.
    pub fn without(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A condition key name, case-insensitive: `aws:SourceIp`, `aws:PrincipalTag/team`, `custom:x`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContextKey {
    known: Option<KnownKey>,
    /// The lower-cased name (IAM key names are case-insensitive).
    lower: Box<str>,
}

impl ContextKey {
    /// The key named `name`, in any case.
    pub fn new(name: &str) -> Self {
        let lower = name.trim().to_lowercase();
        Self {
            known: KnownKey::from_lowercase(&lower),
            lower: lower.into(),
        }
    }

    /// A documented key.
    pub fn known(key: KnownKey) -> Self {
        Self {
            known: Some(key),
            lower: key.name().to_lowercase().into(),
        }
    }

    /// The lower-cased name.
    pub fn as_str(&self) -> &str {
        &self.lower
    }

    /// The documented key this names, if any.
    pub fn known_key(&self) -> Option<KnownKey> {
        self.known
    }
}

impl fmt::Display for ContextKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.known {
            Some(k) => f.write_str(k.name()),
            None => f.write_str(&self.lower),
        }
    }
}

/// One request value, with every typed reading of it computed up front.
#[derive(Debug, Clone, PartialEq)]
pub struct TypedValue {
    text: Box<str>,
    number: Option<f64>,
    /// Nanoseconds since the Unix epoch, when the value reads as an ISO 8601 date or an epoch.
    date: Option<i128>,
    ip: Option<IpAddr>,
    boolean: Option<bool>,
}

impl TypedValue {
    /// Read `text` every way a condition operator might need it.
    pub fn new(text: &str) -> Self {
        let trimmed = text.trim();
        Self {
            text: text.into(),
            number: trimmed.parse::<f64>().ok().filter(|n| n.is_finite()),
            date: crate::time::parse_date(trimmed),
            ip: trimmed.parse::<IpAddr>().ok().map(|ip| ip.to_canonical()),
            boolean: if trimmed.eq_ignore_ascii_case("true") {
                Some(true)
            } else if trimmed.eq_ignore_ascii_case("false") {
                Some(false)
            } else {
                None
            },
        }
    }

    /// An IP address: what [`TypedValue::new`] makes of its text, without reading it back.
    pub(crate) fn from_ip(ip: IpAddr) -> Self {
        Self {
            text: ip_text(ip).into(),
            number: None,
            date: None,
            ip: Some(ip.to_canonical()),
            boolean: None,
        }
    }

    /// `aws:EpochTime`: a Unix time in seconds, as a number and a date.
    pub(crate) fn epoch_seconds(seconds: i64) -> Self {
        #[expect(
            clippy::cast_precision_loss,
            reason = "the same rounding as parsing the decimal text as f64"
        )]
        let number = seconds as f64;
        Self {
            text: seconds.to_string().into(),
            number: Some(number),
            date: Some(i128::from(seconds) * 1_000_000_000),
            ip: None,
            boolean: None,
        }
    }

    /// `aws:CurrentTime` for a Unix time in seconds: its ISO 8601 text, read as that date.
    pub(crate) fn current_time(seconds: i64) -> Self {
        match crate::time::format_rfc3339(seconds) {
            Some(text) => Self {
                text: text.into(),
                number: None,
                date: Some(i128::from(seconds) * 1_000_000_000),
                ip: None,
                boolean: None,
            },
            None => Self::new(&crate::time::format_current_time(seconds)),
        }
    }

    /// The value as sent.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value as a number, for `Numeric*` operators.
    pub fn number(&self) -> Option<f64> {
        self.number
    }

    /// The value as nanoseconds since the epoch, for `Date*` operators.
    pub fn date(&self) -> Option<i128> {
        self.date
    }

    /// The value as an IP address (IPv4-mapped IPv6 read as IPv4), for `IpAddress`.
    pub fn ip(&self) -> Option<IpAddr> {
        self.ip
    }

    /// The value as a boolean, for `Bool`.
    pub fn boolean(&self) -> Option<bool> {
        self.boolean
    }
}

/// `ip` as its `Display` writes it; IPv4 addresses (nearly every caller) without the
/// formatting machinery, which costs more than the rest of building a request's context.
fn ip_text(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let mut text = String::with_capacity(15);
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    text.push('.');
                }
                if octet >= 100 {
                    text.push(char::from(b'0' + octet / 100));
                }
                if octet >= 10 {
                    text.push(char::from(b'0' + octet / 10 % 10));
                }
                text.push(char::from(b'0' + octet % 10));
            }
            text
        }
        IpAddr::V6(_) => ip.to_string(),
    }
}

/// The value of one key in a request: a single value, or a set for multi-valued keys.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextValue {
    values: Box<[TypedValue]>,
    multi: bool,
}

impl ContextValue {
    /// A single-valued key.
    pub fn single(text: &str) -> Self {
        Self {
            values: Box::new([TypedValue::new(text)]),
            multi: false,
        }
    }

    /// A single value read already.
    pub(crate) fn typed(value: TypedValue) -> Self {
        Self {
            values: Box::new([value]),
            multi: false,
        }
    }

    /// A multi-valued key (for `ForAllValues:` / `ForAnyValue:`).
    pub fn multi<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            values: texts.into_iter().map(TypedValue::new).collect(),
            multi: true,
        }
    }

    /// The values (one for a single-valued key).
    pub fn values(&self) -> &[TypedValue] {
        &self.values
    }

    /// Whether the key is multi-valued.
    pub fn is_multi(&self) -> bool {
        self.multi
    }
}

impl fmt::Display for ContextValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.multi {
            f.write_str("[")?;
            for (i, v) in self.values.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "`{}`", v.text)?;
            }
            f.write_str("]")
        } else {
            match self.values.first() {
                Some(v) => write!(f, "`{}`", v.text),
                None => f.write_str("(none)"),
            }
        }
    }
}

/// Errors in values supplied for the request context.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum ContextError {
    /// A key whose value must be an IP address was given something else.
    #[error("`{value}` is not an IP address (for `{key}`): give an IPv4 or IPv6 address such as `192.0.2.10`")]
    InvalidIp {
        /// The key.
        key: String,
        /// The value given.
        value: String,
    },
}

/// The condition-key values of one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestContext {
    known: [Option<ContextValue>; KnownKey::ALL.len()],
    /// Other keys (tags, service keys, user-supplied keys), lower-cased.
    other: Vec<(Box<str>, ContextValue)>,
}

impl RequestContext {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set `key` to `value`, replacing any earlier value. Values of IP keys (`aws:SourceIp`,
    /// `aws:VpcSourceIp`) must be IP addresses.
    pub fn insert(&mut self, key: &ContextKey, value: ContextValue) -> Result<(), ContextError> {
        match key.known_key() {
            Some(k) => self.insert_known(k, value)?,
            None => {
                self.other.retain(|(name, _)| **name != *key.as_str());
                self.other.push((key.as_str().into(), value));
            }
        }
        Ok(())
    }

    /// [`RequestContext::insert`] for a documented key, without naming it.
    pub fn insert_known(&mut self, key: KnownKey, value: ContextValue) -> Result<(), ContextError> {
        if matches!(key, KnownKey::SourceIp | KnownKey::VpcSourceIp) {
            if let Some(bad) = value.values().iter().find(|v| v.ip().is_none()) {
                return Err(ContextError::InvalidIp {
                    key: key.name().to_owned(),
                    value: bad.text().to_owned(),
                });
            }
        }
        if let Some(slot) = self.known.get_mut(key.index()) {
            *slot = Some(value);
        }
        Ok(())
    }

    /// Set a single-valued key by name; see [`RequestContext::insert`].
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ContextError> {
        self.insert(&ContextKey::new(key), ContextValue::single(value))
    }

    /// Remove `key`.
    pub fn remove(&mut self, key: &ContextKey) {
        match key.known_key() {
            Some(k) => {
                if let Some(slot) = self.known.get_mut(k.index()) {
                    *slot = None;
                }
            }
            None => self.other.retain(|(name, _)| **name != *key.as_str()),
        }
    }

    /// The value of `key`, if the request carries it.
    pub fn get(&self, key: &ContextKey) -> Option<&ContextValue> {
        match key.known_key() {
            Some(k) => self.known.get(k.index()).and_then(Option::as_ref),
            None => self
                .other
                .iter()
                .find(|(name, _)| **name == *key.as_str())
                .map(|(_, v)| v),
        }
    }

    /// Every key the request carries, with its value, known keys first.
    pub fn iter(&self) -> impl Iterator<Item = (ContextKey, &ContextValue)> {
        let known = KnownKey::ALL.into_iter().filter_map(|k| {
            self.known
                .get(k.index())
                .and_then(Option::as_ref)
                .map(|v| (ContextKey::known(k), v))
        });
        let other = self
            .other
            .iter()
            .map(|(name, v)| (ContextKey::new(name), v));
        known.chain(other)
    }
}

impl VariableSource for RequestContext {
    fn variable_value(&self, key: &ContextKey) -> Option<&str> {
        let value = self.get(key)?;
        if value.is_multi() {
            return None;
        }
        value.values().first().map(TypedValue::text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The flow's shortcuts read a value exactly as reading its text would.
        #[test]
        fn typed_shortcuts_equal_reading_the_text(
            v4 in any::<[u8; 4]>(),
            v6 in any::<[u16; 8]>(),
            seconds in any::<i64>(),
            recent in 0i64..4_102_444_800,
        ) {
            for ip in [IpAddr::from(v4), IpAddr::from(v6)] {
                prop_assert_eq!(TypedValue::from_ip(ip), TypedValue::new(&ip.to_string()));
            }
            for s in [seconds, recent, -recent] {
                prop_assert_eq!(TypedValue::epoch_seconds(s), TypedValue::new(&s.to_string()));
                prop_assert_eq!(
                    TypedValue::current_time(s),
                    TypedValue::new(&crate::time::format_current_time(s))
                );
            }
        }
    }

    #[test]
    fn keys_are_case_insensitive() {
        let mut ctx = RequestContext::new();
        ctx.set("AWS:SOURCEIP", "192.0.2.1").unwrap();
        ctx.set("Custom:Thing", "x").unwrap();
        assert!(ctx.get(&ContextKey::new("aws:sourceip")).is_some());
        assert!(ctx.get(&ContextKey::new("custom:thing")).is_some());
        assert_eq!(
            ContextKey::new("aws:sourcevpce").to_string(),
            "aws:SourceVpce"
        );
    }

    #[test]
    fn values_are_typed_once() {
        let v = TypedValue::new("::ffff:192.0.2.1");
        assert_eq!(v.ip(), Some("192.0.2.1".parse().unwrap()));
        assert_eq!(TypedValue::new("TRUE").boolean(), Some(true));
        assert_eq!(TypedValue::new("12.5").number(), Some(12.5));
        assert_eq!(TypedValue::new("NaN").number(), None);
        assert!(TypedValue::new("2026-01-01T00:00:00Z").date().is_some());
    }

    #[test]
    fn ip_keys_reject_non_ips() {
        let mut ctx = RequestContext::new();
        let err = ctx.set("aws:SourceIp", "not-an-ip").unwrap_err();
        assert_eq!(
            err.to_string(),
            "`not-an-ip` is not an IP address (for `aws:SourceIp`): give an IPv4 or IPv6 address such as `192.0.2.10`"
        );
    }

    #[test]
    fn replace_and_remove() {
        let mut ctx = RequestContext::new();
        ctx.set("x:a", "1").unwrap();
        ctx.set("X:A", "2").unwrap();
        assert_eq!(ctx.iter().count(), 1);
        ctx.remove(&ContextKey::new("x:a"));
        assert_eq!(ctx.iter().count(), 0);
    }
}
