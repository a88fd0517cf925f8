//! The request context: the condition-key values of one request (`aws:SourceIp`,
//! `aws:SourceVpce`, `aws:CurrentTime`, ...), typed once when the request is built so that
//! evaluating conditions against them parses nothing and allocates nothing.
//!
//! Key names are case-insensitive (IAM's rule), so keys are stored lower-cased; the keys API
//! Gateway documents are interned as [`KnownKey`] and looked up by index.
//!
//! A [`RequestContext`] is the `context` of an [`EvalRequest`](crate::eval::EvalRequest),
//! next to the action, the method ARN and the caller. Conditions
//! ([`crate::condition`]) read it, and so do policy variables such as `${aws:username}` in
//! `Resource` patterns ([`crate::glob`]). A key the request does not carry is *absent*, which
//! is not the same as empty: IAM gives absent keys their own rules (see [`crate::condition`]).
//! The simulated gateway ([`crate::flow`]) fills it as API Gateway would; build one yourself
//! to evaluate a policy directly.
//!
//! ```
//! use policy_engine::context::{ContextKey, ContextValue, KnownKey, RequestContext};
//!
//! let mut context = RequestContext::new();
//! context.set("aws:SourceIp", "192.0.2.7")?;
//! context.insert_known(KnownKey::PrincipalOrgPaths, ContextValue::multi(["o-a1b2c3/r-ab12/ou-ab12-11111111/"]))?;
//!
//! // Key names are case-insensitive; values are typed once.
//! let ip = context.get(&ContextKey::new("AWS:SOURCEIP")).ok_or("absent")?;
//! assert_eq!(ip.values()[0].ip(), Some("192.0.2.7".parse()?));
//! assert!(context.get(&ContextKey::known(KnownKey::SourceVpce)).is_none());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::net::IpAddr;

use thiserror::Error;

use crate::glob::VariableSource;

/// The global condition keys API Gateway documents for resource policies, plus the IAM
/// principal keys. Interned so lookups are an array index.
///
/// New keys are added as AWS documents them, so a `match` needs a `_` arm.
///
/// ```
/// use policy_engine::context::{ContextKey, KnownKey};
///
/// assert_eq!(KnownKey::SourceVpce.name(), "aws:SourceVpce");
/// assert_eq!(ContextKey::new("aws:sourcevpce").known_key(), Some(KnownKey::SourceVpce));
/// assert_eq!(ContextKey::new("aws:PrincipalTag/team").known_key(), None);
/// ```
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
    ///
    /// ```
    /// # use policy_engine::context::KnownKey;
    /// assert!(KnownKey::ALL.iter().any(|k| k.name() == "aws:SourceIp"));
    /// ```
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
    /// (`AWS_IAM`) requests, so a condition on it never holds for other callers.
    ///
    /// ```
    /// # use policy_engine::context::KnownKey;
    /// assert!(KnownKey::PrincipalArn.describes_iam_caller());
    /// assert!(!KnownKey::SourceIp.describes_iam_caller());
    /// ```
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
    ///
    /// ```
    /// # use policy_engine::context::KnownKey;
    /// assert_eq!(KnownKey::PrincipalOrgId.name(), "aws:PrincipalOrgID");
    /// ```
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
///
/// [`PolicyDocument::keys_read`](crate::policy::PolicyDocument::keys_read) gives one, so a
/// caller can build only the context values a policy can look at.
///
/// ```
/// use policy_engine::context::{KnownKey, KnownKeys};
///
/// let mut keys = KnownKeys::default();
/// keys.insert(KnownKey::SourceIp);
/// assert!(keys.contains(KnownKey::SourceIp));
/// assert!(!keys.contains(KnownKey::SourceVpce));
/// assert!(KnownKeys::ALL.without(keys).contains(KnownKey::SourceVpce));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct KnownKeys(u32);

impl KnownKeys {
    /// Every documented key.
    ///
    /// ```
    /// # use policy_engine::context::{KnownKey, KnownKeys};
    /// assert!(KnownKey::ALL.iter().all(|k| KnownKeys::ALL.contains(*k)));
    /// ```
    pub const ALL: Self = Self((1 << KnownKey::ALL.len()) - 1);

    /// Add `key`.
    ///
    /// ```
    /// # use policy_engine::context::{KnownKey, KnownKeys};
    /// let mut keys = KnownKeys::default();
    /// keys.insert(KnownKey::CurrentTime);
    /// assert!(!keys.is_empty());
    /// ```
    pub fn insert(&mut self, key: KnownKey) {
        self.0 |= 1 << key.index();
    }

    /// Whether `key` is in the set.
    ///
    /// ```
    /// # use policy_engine::context::{KnownKey, KnownKeys};
    /// assert!(!KnownKeys::default().contains(KnownKey::Referer));
    /// ```
    pub fn contains(self, key: KnownKey) -> bool {
        self.0 & (1 << key.index()) != 0
    }

    /// The keys in either set.
    ///
    /// ```
    /// # use policy_engine::context::{KnownKey, KnownKeys};
    /// let (mut a, mut b) = (KnownKeys::default(), KnownKeys::default());
    /// a.insert(KnownKey::SourceIp);
    /// b.insert(KnownKey::UserAgent);
    /// let both = a.union(b);
    /// assert!(both.contains(KnownKey::SourceIp) && both.contains(KnownKey::UserAgent));
    /// ```
    pub fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// The keys in `self` and not in `other`.
    ///
    /// ```
    /// # use policy_engine::context::{KnownKey, KnownKeys};
    /// let mut read = KnownKeys::default();
    /// read.insert(KnownKey::SourceIp);
    /// assert!(read.without(read).is_empty());
    /// ```
    pub fn without(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }

    /// Whether the set is empty.
    ///
    /// ```
    /// # use policy_engine::context::KnownKeys;
    /// assert!(KnownKeys::default().is_empty());
    /// assert!(!KnownKeys::ALL.is_empty());
    /// ```
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

/// A condition key name, case-insensitive: `aws:SourceIp`, `aws:PrincipalTag/team`, `custom:x`.
///
/// Two keys are equal when their names are equal ignoring case. Documented keys display in
/// their documented spelling, others lower-cased.
///
/// ```
/// use policy_engine::context::ContextKey;
///
/// assert_eq!(ContextKey::new("AWS:SourceIP"), ContextKey::new("aws:sourceip"));
/// assert_eq!(ContextKey::new("aws:sourceip").to_string(), "aws:SourceIp");
/// assert_eq!(ContextKey::new("aws:PrincipalTag/Team").to_string(), "aws:principaltag/team");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContextKey {
    known: Option<KnownKey>,
    /// The lower-cased name (IAM key names are case-insensitive).
    lower: Box<str>,
}

impl ContextKey {
    /// The key named `name`, in any case (surrounding spaces are ignored).
    ///
    /// ```
    /// # use policy_engine::context::{ContextKey, KnownKey};
    /// assert_eq!(ContextKey::new(" aws:UserAgent "), ContextKey::known(KnownKey::UserAgent));
    /// ```
    pub fn new(name: &str) -> Self {
        let lower = name.trim().to_lowercase();
        Self {
            known: KnownKey::from_lowercase(&lower),
            lower: lower.into(),
        }
    }

    /// A documented key.
    ///
    /// ```
    /// # use policy_engine::context::{ContextKey, KnownKey};
    /// assert_eq!(ContextKey::known(KnownKey::SourceVpc).as_str(), "aws:sourcevpc");
    /// ```
    pub fn known(key: KnownKey) -> Self {
        Self {
            known: Some(key),
            lower: key.name().to_lowercase().into(),
        }
    }

    /// The lower-cased name.
    ///
    /// ```
    /// # use policy_engine::context::ContextKey;
    /// assert_eq!(ContextKey::new("Custom:Tenant").as_str(), "custom:tenant");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.lower
    }

    /// The documented key this names, if any.
    ///
    /// ```
    /// # use policy_engine::context::{ContextKey, KnownKey};
    /// assert_eq!(ContextKey::new("aws:EpochTime").known_key(), Some(KnownKey::EpochTime));
    /// assert_eq!(ContextKey::new("custom:tenant").known_key(), None);
    /// ```
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
///
/// Reading the text once as a number, a date, an IP address and a boolean is what lets
/// condition evaluation parse nothing per statement.
///
/// ```
/// use policy_engine::context::TypedValue;
///
/// let value = TypedValue::new("1767225600");
/// assert_eq!(value.number(), Some(1_767_225_600.0));
/// assert_eq!(value.date(), Some(1_767_225_600_000_000_000)); // also an epoch time
/// assert_eq!(value.ip(), None);
/// ```
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
    ///
    /// ```
    /// # use policy_engine::context::TypedValue;
    /// let value = TypedValue::new("192.0.2.7");
    /// assert_eq!(value.text(), "192.0.2.7");
    /// assert!(value.ip().is_some() && value.number().is_none());
    /// ```
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
    ///
    /// ```
    /// # use policy_engine::context::TypedValue;
    /// assert_eq!(TypedValue::new("vpce-1a2b3c4d").text(), "vpce-1a2b3c4d");
    /// ```
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The value as a number, for `Numeric*` operators (finite numbers only).
    ///
    /// ```
    /// # use policy_engine::context::TypedValue;
    /// assert_eq!(TypedValue::new("3600").number(), Some(3600.0));
    /// assert_eq!(TypedValue::new("NaN").number(), None);
    /// ```
    pub fn number(&self) -> Option<f64> {
        self.number
    }

    /// The value as nanoseconds since the epoch, for `Date*` operators (see
    /// [`parse_date`](crate::time::parse_date) for the forms read).
    ///
    /// ```
    /// # use policy_engine::context::TypedValue;
    /// assert_eq!(TypedValue::new("2026-01-01T00:00:00Z").date(), Some(1_767_225_600_000_000_000));
    /// ```
    pub fn date(&self) -> Option<i128> {
        self.date
    }

    /// The value as an IP address (IPv4-mapped IPv6 read as IPv4), for `IpAddress`.
    ///
    /// ```
    /// # use policy_engine::context::TypedValue;
    /// use std::net::{IpAddr, Ipv4Addr};
    /// assert_eq!(
    ///     TypedValue::new("::ffff:192.0.2.7").ip(),
    ///     Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7)))
    /// );
    /// ```
    pub fn ip(&self) -> Option<IpAddr> {
        self.ip
    }

    /// The value as a boolean, for `Bool` (`true` / `false` in any case).
    ///
    /// ```
    /// # use policy_engine::context::TypedValue;
    /// assert_eq!(TypedValue::new("TRUE").boolean(), Some(true));
    /// assert_eq!(TypedValue::new("yes").boolean(), None);
    /// ```
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
///
/// Multi-valued keys (`aws:PrincipalOrgPaths`, tag-key lists) are what the `ForAllValues:` and
/// `ForAnyValue:` qualifiers of [`crate::condition`] are for.
///
/// ```
/// use policy_engine::context::ContextValue;
///
/// let one = ContextValue::single("vpce-1a2b3c4d");
/// assert!(!one.is_multi());
/// assert_eq!(one.to_string(), "`vpce-1a2b3c4d`");
///
/// let tags = ContextValue::multi(["team", "cost-center"]);
/// assert_eq!(tags.values().len(), 2);
/// assert_eq!(tags.to_string(), "[`team`, `cost-center`]");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ContextValue {
    values: Box<[TypedValue]>,
    multi: bool,
}

impl ContextValue {
    /// A single-valued key.
    ///
    /// ```
    /// # use policy_engine::context::ContextValue;
    /// assert_eq!(ContextValue::single("192.0.2.7").values()[0].text(), "192.0.2.7");
    /// ```
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

    /// A multi-valued key (for `ForAllValues:` / `ForAnyValue:`). An empty set counts as an
    /// absent key.
    ///
    /// ```
    /// # use policy_engine::context::ContextValue;
    /// let paths = ContextValue::multi(["o-a1b2c3/r-ab12/ou-ab12-11111111/"]);
    /// assert!(paths.is_multi());
    /// ```
    pub fn multi<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            values: texts.into_iter().map(TypedValue::new).collect(),
            multi: true,
        }
    }

    /// The values (one for a single-valued key).
    ///
    /// ```
    /// # use policy_engine::context::ContextValue;
    /// let value = ContextValue::multi(["a", "b"]);
    /// let texts: Vec<&str> = value.values().iter().map(|v| v.text()).collect();
    /// assert_eq!(texts, ["a", "b"]);
    /// ```
    pub fn values(&self) -> &[TypedValue] {
        &self.values
    }

    /// Whether the key is multi-valued.
    ///
    /// ```
    /// # use policy_engine::context::ContextValue;
    /// assert!(!ContextValue::single("a").is_multi());
    /// assert!(ContextValue::multi(["a"]).is_multi());
    /// ```
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
///
/// ```
/// use policy_engine::context::{ContextError, RequestContext};
///
/// let mut context = RequestContext::new();
/// let err = context.set("aws:SourceIp", "localhost").unwrap_err();
/// assert!(matches!(err, ContextError::InvalidIp { ref key, .. } if key == "aws:SourceIp"));
/// ```
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum ContextError {
    /// A key whose value must be an IP address was given something else.
    #[error(
        "`{value}` is not an IP address (for `{key}`): give an IPv4 or IPv6 address such as `192.0.2.10`"
    )]
    InvalidIp {
        /// The key.
        key: String,
        /// The value given.
        value: String,
    },
}

/// The condition-key values of one request.
///
/// ```
/// use policy_engine::context::{ContextKey, RequestContext};
///
/// let mut context = RequestContext::new();
/// context.set("aws:SourceVpce", "vpce-1a2b3c4d")?;
/// context.set("aws:SourceVpce", "vpce-9f8e7d6c")?; // replaces
/// let value = context.get(&ContextKey::new("aws:SourceVpce")).ok_or("absent")?;
/// assert_eq!(value.values()[0].text(), "vpce-9f8e7d6c");
/// assert_eq!(context.iter().count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestContext {
    known: [Option<ContextValue>; KnownKey::ALL.len()],
    /// Other keys (tags, service keys, user-supplied keys), lower-cased.
    other: Vec<(Box<str>, ContextValue)>,
}

impl RequestContext {
    /// An empty context: every key absent.
    ///
    /// ```
    /// # use policy_engine::context::RequestContext;
    /// assert_eq!(RequestContext::new().iter().count(), 0);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Set `key` to `value`, replacing any earlier value. Values of IP keys (`aws:SourceIp`,
    /// `aws:VpcSourceIp`) must be IP addresses.
    ///
    /// # Errors
    ///
    /// [`ContextError::InvalidIp`] when a value of an IP key is not an IP address; the context
    /// is then unchanged.
    ///
    /// ```
    /// # use policy_engine::context::{ContextKey, ContextValue, RequestContext};
    /// let mut context = RequestContext::new();
    /// let tags = ContextKey::new("aws:TagKeys");
    /// context.insert(&tags, ContextValue::multi(["team", "env"]))?;
    /// assert!(context.get(&tags).is_some_and(|v| v.is_multi()));
    /// # Ok::<(), policy_engine::context::ContextError>(())
    /// ```
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
    ///
    /// # Errors
    ///
    /// As [`RequestContext::insert`].
    ///
    /// ```
    /// # use policy_engine::context::{ContextKey, ContextValue, KnownKey, RequestContext};
    /// let mut context = RequestContext::new();
    /// context.insert_known(KnownKey::SecureTransport, ContextValue::single("true"))?;
    /// assert!(context.get(&ContextKey::new("aws:SecureTransport")).is_some());
    /// assert!(context.insert_known(KnownKey::VpcSourceIp, ContextValue::single("10.0.0.300")).is_err());
    /// # Ok::<(), policy_engine::context::ContextError>(())
    /// ```
    pub fn insert_known(&mut self, key: KnownKey, value: ContextValue) -> Result<(), ContextError> {
        if matches!(key, KnownKey::SourceIp | KnownKey::VpcSourceIp)
            && let Some(bad) = value.values().iter().find(|v| v.ip().is_none())
        {
            return Err(ContextError::InvalidIp {
                key: key.name().to_owned(),
                value: bad.text().to_owned(),
            });
        }
        if let Some(slot) = self.known.get_mut(key.index()) {
            *slot = Some(value);
        }
        Ok(())
    }

    /// Set a single-valued key by name; see [`RequestContext::insert`].
    ///
    /// # Errors
    ///
    /// As [`RequestContext::insert`].
    ///
    /// ```
    /// # use policy_engine::context::RequestContext;
    /// let mut context = RequestContext::new();
    /// context.set("aws:SourceIp", "2001:db8::7")?;
    /// assert!(context.set("aws:SourceIp", "192.0.2.0/24").is_err()); // a block, not an address
    /// # Ok::<(), policy_engine::context::ContextError>(())
    /// ```
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ContextError> {
        self.insert(&ContextKey::new(key), ContextValue::single(value))
    }

    /// Remove `key`, making it absent.
    ///
    /// ```
    /// # use policy_engine::context::{ContextKey, RequestContext};
    /// let mut context = RequestContext::new();
    /// context.set("aws:Referer", "https://example.com/")?;
    /// context.remove(&ContextKey::new("aws:referer"));
    /// assert!(context.get(&ContextKey::new("aws:Referer")).is_none());
    /// # Ok::<(), policy_engine::context::ContextError>(())
    /// ```
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
    ///
    /// ```
    /// # use policy_engine::context::{ContextKey, RequestContext};
    /// let mut context = RequestContext::new();
    /// context.set("custom:tenant", "acme")?;
    /// assert_eq!(
    ///     context.get(&ContextKey::new("Custom:Tenant")).map(|v| v.values()[0].text()),
    ///     Some("acme")
    /// );
    /// # Ok::<(), policy_engine::context::ContextError>(())
    /// ```
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
    ///
    /// ```
    /// # use policy_engine::context::RequestContext;
    /// let mut context = RequestContext::new();
    /// context.set("custom:tenant", "acme")?;
    /// context.set("aws:SourceIp", "192.0.2.7")?;
    /// let keys: Vec<String> = context.iter().map(|(key, _)| key.to_string()).collect();
    /// assert_eq!(keys, ["aws:SourceIp", "custom:tenant"]);
    /// # Ok::<(), policy_engine::context::ContextError>(())
    /// ```
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
