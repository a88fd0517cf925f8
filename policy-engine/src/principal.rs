//! Who is calling ([`Caller`]) and whom a resource policy's `Principal` names ([`Principals`]).
//!
//! API Gateway callers are either anonymous to IAM (no authorization, or a Lambda / Cognito
//! authorizer: only `"Principal": "*"` matches them — as the API Gateway developer guide puts
//! it, with an AWS principal "authorization fails for all resources not secured with AWS_IAM")
//! or IAM identities that signed the request with SigV4 (`AWS_IAM`).
//!
//! The [`Caller`] is part of every [`EvalRequest`](crate::eval::EvalRequest); only resource
//! policies look at it, through each statement's
//! [`PrincipalClause`](crate::policy::PrincipalClause). Identity policies and authorizer
//! policies have no principal: they apply to whoever they are attached to.
//!
//! Account principals (`"123456789012"`, `arn:aws:iam::123456789012:root`): for a caller from
//! another account they match every identity of that account; for a caller from the API owner's
//! own account an `Allow` naming the owner's account *delegates* to the caller's IAM policies,
//! as IAM treats it, and grants nothing by itself. A `Deny` naming an account applies to every
//! identity in it.
//!
//! ```
//! use policy_engine::principal::{IamCaller, PrincipalType};
//!
//! let caller = IamCaller::from_arn("arn:aws:sts::111122223333:assumed-role/developer/alice")?;
//! assert_eq!(caller.kind(), PrincipalType::AssumedRole);
//! assert_eq!(caller.account(), "111122223333");
//! // `aws:PrincipalArn` names the role, not the session.
//! assert_eq!(caller.principal_arn(), "arn:aws:iam::111122223333:role/developer");
//! # Ok::<(), policy_engine::principal::CallerArnError>(())
//! ```

use std::fmt;

use serde_json::Value;
use thiserror::Error;

use crate::arn::{ArnParts, is_account_id};
use crate::error::{PolicyError, PolicyErrorKind};
use crate::json::{self, JsonPath};

/// The kind of IAM identity behind a caller, as `aws:PrincipalType` reports it.
///
/// New kinds may be added as IAM grows, so a `match` needs a `_` arm.
///
/// ```
/// use policy_engine::principal::{IamCaller, PrincipalType};
///
/// let user = IamCaller::from_arn("arn:aws:iam::111122223333:user/alice")?;
/// assert_eq!(user.kind(), PrincipalType::User);
/// let root = IamCaller::from_arn("arn:aws:iam::111122223333:root")?;
/// assert_eq!(root.kind(), PrincipalType::Account);
/// # Ok::<(), policy_engine::principal::CallerArnError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PrincipalType {
    /// The account root user.
    Account,
    /// An IAM user.
    User,
    /// A role session (the caller assumed a role).
    AssumedRole,
    /// A federated user session.
    FederatedUser,
}

impl PrincipalType {
    /// The value of `aws:PrincipalType`.
    ///
    /// ```
    /// # use policy_engine::principal::PrincipalType;
    /// assert_eq!(PrincipalType::AssumedRole.name(), "AssumedRole");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            PrincipalType::Account => "Account",
            PrincipalType::User => "User",
            PrincipalType::AssumedRole => "AssumedRole",
            PrincipalType::FederatedUser => "FederatedUser",
        }
    }
}

/// A caller ARN that is not an IAM identity, from [`IamCaller::from_arn`].
///
/// ```
/// use policy_engine::principal::IamCaller;
///
/// let err = IamCaller::from_arn("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")
///     .unwrap_err();
/// assert!(err.to_string().contains("is not an IAM identity ARN"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "`{0}` is not an IAM identity ARN: give a role (`arn:aws:iam::111122223333:role/name`), an assumed-role session (`arn:aws:sts::111122223333:assumed-role/name/session`), a user or an account root ARN"
)]
pub struct CallerArnError(String);

/// An IAM identity that signed the request (SigV4): what [`Caller::Iam`] holds.
///
/// The simulated gateway derives the IAM condition keys (`aws:PrincipalArn`,
/// `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:username`) from it.
///
/// ```
/// use policy_engine::principal::IamCaller;
///
/// let caller = IamCaller::from_arn("arn:aws:iam::111122223333:user/division/alice")?;
/// assert_eq!(caller.user_name(), Some("alice"));
/// assert_eq!(caller.principal_arn(), caller.arn());
/// # Ok::<(), policy_engine::principal::CallerArnError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IamCaller {
    arn: String,
    partition: String,
    account: String,
    kind: PrincipalType,
    /// For roles and role sessions: the role name (last path segment).
    role_name: Option<String>,
    /// For IAM users: the user name.
    user_name: Option<String>,
}

impl IamCaller {
    /// Read a caller from its ARN: a role, an assumed-role session, a user, a federated user or
    /// the account root.
    ///
    /// # Errors
    ///
    /// [`CallerArnError`] for an ARN of another kind (another service's resource, a group, a
    /// malformed account id).
    ///
    /// ```
    /// # use policy_engine::principal::{IamCaller, PrincipalType};
    /// let federated = IamCaller::from_arn("arn:aws:sts::111122223333:federated-user/bob")?;
    /// assert_eq!(federated.kind(), PrincipalType::FederatedUser);
    /// assert!(IamCaller::from_arn("arn:aws:iam::111122223333:group/admins").is_err());
    /// assert!(IamCaller::from_arn("arn:aws:iam::1111:user/alice").is_err());
    /// # Ok::<(), policy_engine::principal::CallerArnError>(())
    /// ```
    pub fn from_arn(arn: &str) -> Result<Self, CallerArnError> {
        let bad = || CallerArnError(arn.to_owned());
        let parts = ArnParts::parse(arn).ok_or_else(bad)?;
        if !is_account_id(parts.account) || parts.partition.is_empty() {
            return Err(bad());
        }
        let (kind, role_name, user_name) = match (parts.service, parts.resource.split_once('/')) {
            ("iam", None) if parts.resource == "root" => (PrincipalType::Account, None, None),
            ("iam", Some(("role", path))) if !path.is_empty() => (
                PrincipalType::AssumedRole,
                path.rsplit('/').next().map(str::to_owned),
                None,
            ),
            ("iam", Some(("user", path))) if !path.is_empty() => (
                PrincipalType::User,
                None,
                path.rsplit('/').next().map(str::to_owned),
            ),
            ("sts", Some(("assumed-role", rest))) => match rest.split_once('/') {
                Some((role, session)) if !role.is_empty() && !session.is_empty() => {
                    (PrincipalType::AssumedRole, Some(role.to_owned()), None)
                }
                _ => return Err(bad()),
            },
            ("sts", Some(("federated-user", name))) if !name.is_empty() => {
                (PrincipalType::FederatedUser, None, None)
            }
            _ => return Err(bad()),
        };
        Ok(Self {
            arn: arn.to_owned(),
            partition: parts.partition.to_owned(),
            account: parts.account.to_owned(),
            kind,
            role_name,
            user_name,
        })
    }

    /// The ARN as given.
    ///
    /// ```
    /// # use policy_engine::principal::IamCaller;
    /// let arn = "arn:aws:sts::111122223333:assumed-role/developer/alice";
    /// assert_eq!(IamCaller::from_arn(arn)?.arn(), arn);
    /// # Ok::<(), policy_engine::principal::CallerArnError>(())
    /// ```
    pub fn arn(&self) -> &str {
        &self.arn
    }

    /// The caller's account id: compared with the API owner's to choose Table A or Table B
    /// ([`crate::decision`]).
    ///
    /// ```
    /// # use policy_engine::principal::IamCaller;
    /// let caller = IamCaller::from_arn("arn:aws:iam::111122223333:role/developer")?;
    /// assert_eq!(caller.account(), "111122223333");
    /// # Ok::<(), policy_engine::principal::CallerArnError>(())
    /// ```
    pub fn account(&self) -> &str {
        &self.account
    }

    /// The identity type. An IAM role ARN counts as [`PrincipalType::AssumedRole`]: only a
    /// session of it can sign a request.
    ///
    /// ```
    /// # use policy_engine::principal::{IamCaller, PrincipalType};
    /// let role = IamCaller::from_arn("arn:aws:iam::111122223333:role/developer")?;
    /// assert_eq!(role.kind(), PrincipalType::AssumedRole);
    /// # Ok::<(), policy_engine::principal::CallerArnError>(())
    /// ```
    pub fn kind(&self) -> PrincipalType {
        self.kind
    }

    /// The value of `aws:PrincipalArn`: for a role session, the role's ARN (IAM reports the
    /// role, not the session; a role path cannot be recovered from a session ARN).
    ///
    /// ```
    /// # use policy_engine::principal::IamCaller;
    /// let session = IamCaller::from_arn("arn:aws:sts::111122223333:assumed-role/developer/alice")?;
    /// assert_eq!(session.principal_arn(), "arn:aws:iam::111122223333:role/developer");
    /// # Ok::<(), policy_engine::principal::CallerArnError>(())
    /// ```
    pub fn principal_arn(&self) -> String {
        match (&self.role_name, self.arn.contains(":assumed-role/")) {
            (Some(role), true) => {
                format!("arn:{}:iam::{}:role/{role}", self.partition, self.account)
            }
            _ => self.arn.clone(),
        }
    }

    /// The value of `aws:username` (IAM users only).
    ///
    /// ```
    /// # use policy_engine::principal::IamCaller;
    /// assert_eq!(IamCaller::from_arn("arn:aws:iam::111122223333:user/alice")?.user_name(), Some("alice"));
    /// assert_eq!(IamCaller::from_arn("arn:aws:iam::111122223333:role/developer")?.user_name(), None);
    /// # Ok::<(), policy_engine::principal::CallerArnError>(())
    /// ```
    pub fn user_name(&self) -> Option<&str> {
        self.user_name.as_deref()
    }
}

/// The caller of an API method, as resource-policy principals see it: the `caller` of an
/// [`EvalRequest`](crate::eval::EvalRequest).
///
/// ```
/// use policy_engine::principal::{Caller, IamCaller};
///
/// // A request through a Lambda authorizer or with no authorization.
/// let anonymous = Caller::Anonymous;
/// // A request signed with SigV4 (AWS_IAM authorization).
/// let signed = Caller::Iam(IamCaller::from_arn("arn:aws:iam::111122223333:user/alice")?);
/// assert_ne!(anonymous, signed);
/// # Ok::<(), policy_engine::principal::CallerArnError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Caller {
    /// Not an IAM identity: no authorization, a Lambda authorizer or a Cognito user pool.
    Anonymous,
    /// An IAM identity that signed the request.
    Iam(IamCaller),
}

/// One entry of an `AWS` principal list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum AwsPrincipal {
    /// `"*"`.
    Any,
    /// An account id or `arn:...:iam::ACCOUNT:root`.
    Account(String),
    /// An IAM role: matches the role and every session of it.
    Role {
        partition: String,
        account: String,
        name: String,
    },
    /// A user, session or federated user: matches that exact ARN.
    Exact(String),
}

/// How a principal list relates to a caller, from [`Principals::match_caller`].
///
/// ```
/// use policy_engine::policy::{PolicyDocument, PrincipalClause};
/// use policy_engine::principal::{Caller, PrincipalMatch};
/// # use policy_engine::arn::ApiRef;
/// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
/// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
///
/// let policy = PolicyDocument::parse_resource_policy(r#"{"Statement": {
///     "Effect": "Allow", "Principal": {"AWS": "111122223333"},
///     "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}}"#, &api)?;
/// let Some(PrincipalClause::Principal(principals)) = policy.statements()[0].principal() else {
///     unreachable!()
/// };
/// assert_eq!(principals.match_caller(&Caller::Anonymous, &api.account_id), PrincipalMatch::NoMatch);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalMatch {
    /// The caller is named (directly, by `*`, or through another account's principal).
    Matches,
    /// Only the API owner's own account is named, and the caller belongs to it: IAM treats
    /// this as delegation to the caller's identity policies.
    DelegatedToOwnAccount,
    /// The caller is not named.
    NoMatch,
}

/// The parsed `Principal` (or `NotPrincipal`) element of a resource-policy statement, from
/// [`Statement::principal`](crate::policy::Statement::principal).
///
/// ```
/// use policy_engine::arn::ApiRef;
/// use policy_engine::policy::{PolicyDocument, PrincipalClause};
/// use policy_engine::principal::{Caller, IamCaller, PrincipalMatch};
///
/// let api = ApiRef {
///     partition: "aws".into(),
///     region: "us-east-1".into(),
///     account_id: "123456789012".into(),
///     api_id: "a1b2c3d4e5".into(),
/// };
/// let policy = PolicyDocument::parse_resource_policy(r#"{"Statement": {
///     "Effect": "Allow",
///     "Principal": {"AWS": ["arn:aws:iam::111122223333:role/developer", "123456789012"]},
///     "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}}"#, &api)?;
/// let Some(PrincipalClause::Principal(principals)) = policy.statements()[0].principal() else {
///     unreachable!("the statement has a Principal")
/// };
///
/// // A session of the named role, from another account: named.
/// let session = Caller::Iam(IamCaller::from_arn("arn:aws:sts::111122223333:assumed-role/developer/alice")?);
/// assert_eq!(principals.match_caller(&session, &api.account_id), PrincipalMatch::Matches);
///
/// // A user of the API owner's own account: the owner's account is named, which delegates
/// // to the user's own IAM policies.
/// let own = Caller::Iam(IamCaller::from_arn("arn:aws:iam::123456789012:user/bob")?);
/// assert_eq!(principals.match_caller(&own, &api.account_id), PrincipalMatch::DelegatedToOwnAccount);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Principals {
    /// `"Principal": "*"`.
    everyone: bool,
    aws: Vec<AwsPrincipal>,
    /// `Service`, `Federated`, `CanonicalUser` principals: valid IAM, but never an API caller.
    other: Vec<(String, String)>,
    /// The element as written.
    source: Value,
}

const PRINCIPAL_TYPES: [&str; 4] = ["AWS", "Service", "Federated", "CanonicalUser"];

impl Principals {
    /// Parse a `Principal` / `NotPrincipal` value.
    pub(crate) fn parse(value: &Value, path: &JsonPath) -> Result<Self, PolicyError> {
        let mut parsed = Self {
            everyone: false,
            aws: Vec::new(),
            other: Vec::new(),
            source: value.clone(),
        };
        match value {
            Value::String(s) if s == "*" => parsed.everyone = true,
            Value::Object(map) => {
                for (kind, ids, kind_path) in json::members(map, path) {
                    if !PRINCIPAL_TYPES.contains(&kind) {
                        let fix = json::suggest(kind, &PRINCIPAL_TYPES)
                            .map(|s| format!("did you mean `{s}`?"))
                            .unwrap_or_else(|| {
                                "use `AWS`, `Service`, `Federated` or `CanonicalUser`".to_owned()
                            });
                        return Err(PolicyError::new(
                            &kind_path,
                            PolicyErrorKind::UnknownElement,
                            format!("unknown principal type `{kind}`"),
                            Some(fix),
                        ));
                    }
                    for (id, id_path) in json::one_or_many(ids, &kind_path) {
                        let Value::String(id) = id else {
                            return Err(PolicyError::new(
                                &id_path,
                                PolicyErrorKind::InvalidValue,
                                format!("principal must be a string, not {}", json::type_name(id)),
                                None,
                            ));
                        };
                        if kind == "AWS" {
                            parsed.aws.push(parse_aws_principal(id, &id_path)?);
                        } else {
                            parsed.other.push((kind.to_owned(), id.clone()));
                        }
                    }
                }
            }
            other => {
                return Err(PolicyError::new(
                    path,
                    PolicyErrorKind::InvalidValue,
                    match other {
                        Value::String(s) => format!("principal `{s}` is neither `*` nor an object"),
                        _ => format!(
                            "principal must be `\"*\"` or an object, not {}",
                            json::type_name(other)
                        ),
                    },
                    Some(
                        "write `\"*\"` or `{\"AWS\": \"arn:aws:iam::111122223333:role/name\"}`"
                            .to_owned(),
                    ),
                ));
            }
        }
        Ok(parsed)
    }

    /// The element as written.
    ///
    /// ```
    /// # use policy_engine::{arn::ApiRef, policy::{PolicyDocument, PrincipalClause}};
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// let policy = PolicyDocument::parse_resource_policy(r#"{"Statement": {"Effect": "Allow",
    ///     "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}}"#, &api)?;
    /// let Some(PrincipalClause::Principal(p)) = policy.statements()[0].principal() else { unreachable!() };
    /// assert_eq!(p.source(), &serde_json::json!("*"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn source(&self) -> &Value {
        &self.source
    }

    /// Whether the list names every caller: `"*"` or `{"AWS": "*"}`.
    ///
    /// ```
    /// # use policy_engine::{arn::ApiRef, policy::{PolicyDocument, PrincipalClause}};
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// let policy = PolicyDocument::parse_resource_policy(r#"{"Statement": {"Effect": "Allow",
    ///     "Principal": {"AWS": "*"}, "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}}"#, &api)?;
    /// let Some(PrincipalClause::Principal(p)) = policy.statements()[0].principal() else { unreachable!() };
    /// assert!(p.names_everyone());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn names_everyone(&self) -> bool {
        self.everyone || self.aws.contains(&AwsPrincipal::Any)
    }

    /// Whether the list names any `AWS` principal other than `*` (such a statement never
    /// matches a caller that is not an IAM identity).
    ///
    /// ```
    /// # use policy_engine::{arn::ApiRef, policy::{PolicyDocument, PrincipalClause}};
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// let policy = PolicyDocument::parse_resource_policy(r#"{"Statement": {"Effect": "Allow",
    ///     "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
    ///     "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}}"#, &api)?;
    /// let Some(PrincipalClause::Principal(p)) = policy.statements()[0].principal() else { unreachable!() };
    /// assert!(p.names_iam_identities() && !p.names_everyone());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn names_iam_identities(&self) -> bool {
        self.aws.iter().any(|p| !matches!(p, AwsPrincipal::Any))
    }

    /// How this list relates to `caller` of an API owned by `owner_account`. A role principal
    /// matches every session of the role; an account principal every identity of the account
    /// (for the owner's own account, see [`PrincipalMatch::DelegatedToOwnAccount`]).
    ///
    /// ```
    /// # use policy_engine::{arn::ApiRef, policy::{PolicyDocument, PrincipalClause}};
    /// use policy_engine::principal::{Caller, IamCaller, PrincipalMatch};
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// let policy = PolicyDocument::parse_resource_policy(r#"{"Statement": {"Effect": "Allow",
    ///     "Principal": {"AWS": "111122223333"},
    ///     "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}}"#, &api)?;
    /// let Some(PrincipalClause::Principal(p)) = policy.statements()[0].principal() else { unreachable!() };
    /// let alice = Caller::Iam(IamCaller::from_arn("arn:aws:iam::111122223333:user/alice")?);
    /// let mallory = Caller::Iam(IamCaller::from_arn("arn:aws:iam::444455556666:user/mallory")?);
    /// assert_eq!(p.match_caller(&alice, "123456789012"), PrincipalMatch::Matches);
    /// assert_eq!(p.match_caller(&mallory, "123456789012"), PrincipalMatch::NoMatch);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn match_caller(&self, caller: &Caller, owner_account: &str) -> PrincipalMatch {
        if self.everyone || self.aws.contains(&AwsPrincipal::Any) {
            return PrincipalMatch::Matches;
        }
        let Caller::Iam(iam) = caller else {
            return PrincipalMatch::NoMatch;
        };
        let mut delegated = false;
        for p in &self.aws {
            match p {
                AwsPrincipal::Any => return PrincipalMatch::Matches,
                AwsPrincipal::Account(account) if *account == iam.account => {
                    if iam.account == owner_account {
                        delegated = true;
                    } else {
                        return PrincipalMatch::Matches;
                    }
                }
                AwsPrincipal::Account(_) => {}
                AwsPrincipal::Role {
                    partition,
                    account,
                    name,
                } => {
                    if *account == iam.account
                        && *partition == iam.partition
                        && iam.role_name.as_deref() == Some(name.as_str())
                    {
                        return PrincipalMatch::Matches;
                    }
                }
                AwsPrincipal::Exact(arn) => {
                    if *arn == iam.arn {
                        return PrincipalMatch::Matches;
                    }
                }
            }
        }
        if delegated {
            PrincipalMatch::DelegatedToOwnAccount
        } else {
            PrincipalMatch::NoMatch
        }
    }
}

impl fmt::Display for Principals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)
    }
}

fn parse_aws_principal(id: &str, path: &JsonPath) -> Result<AwsPrincipal, PolicyError> {
    if id == "*" {
        return Ok(AwsPrincipal::Any);
    }
    if is_account_id(id) {
        return Ok(AwsPrincipal::Account(id.to_owned()));
    }
    let invalid = |why: &str| {
        PolicyError::new(
            path,
            PolicyErrorKind::InvalidArn,
            format!("invalid AWS principal `{id}`: {why}"),
            Some("name an account id, `arn:aws:iam::111122223333:root`, or a role, user or session ARN".to_owned()),
        )
    };
    if id.contains('*') || id.contains('?') {
        return Err(invalid(
            "wildcards are not allowed in principals other than a lone `*` (use a `aws:PrincipalArn` condition with `ArnLike`)",
        ));
    }
    let parts = ArnParts::parse(id).ok_or_else(|| invalid("not an account id or ARN"))?;
    if !is_account_id(parts.account) {
        return Err(invalid("the account part is not a 12-digit account id"));
    }
    match (parts.service, parts.resource.split_once('/')) {
        ("iam", None) if parts.resource == "root" => {
            Ok(AwsPrincipal::Account(parts.account.to_owned()))
        }
        ("iam", Some(("role", path))) if !path.is_empty() => Ok(AwsPrincipal::Role {
            partition: parts.partition.to_owned(),
            account: parts.account.to_owned(),
            name: path.rsplit('/').next().unwrap_or(path).to_owned(),
        }),
        ("iam", Some(("user", name))) if !name.is_empty() => Ok(AwsPrincipal::Exact(id.to_owned())),
        ("sts", Some(("assumed-role" | "federated-user", name))) if !name.is_empty() => {
            Ok(AwsPrincipal::Exact(id.to_owned()))
        }
        _ => Err(invalid("not an IAM account, role, user or session ARN")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OWNER: &str = "123456789012";

    fn principals(v: Value) -> Principals {
        Principals::parse(&v, &JsonPath::root().key("Principal")).unwrap()
    }

    fn iam(arn: &str) -> Caller {
        Caller::Iam(IamCaller::from_arn(arn).unwrap())
    }

    #[test]
    fn star_matches_everyone() {
        for p in [json!("*"), json!({"AWS": "*"})] {
            let p = principals(p);
            assert_eq!(
                p.match_caller(&Caller::Anonymous, OWNER),
                PrincipalMatch::Matches
            );
            assert_eq!(
                p.match_caller(&iam("arn:aws:iam::210987654321:user/x"), OWNER),
                PrincipalMatch::Matches
            );
        }
    }

    #[test]
    fn aws_principals_never_match_anonymous_callers() {
        let p = principals(json!({"AWS": ["210987654321", "arn:aws:iam::210987654321:role/r"]}));
        assert_eq!(
            p.match_caller(&Caller::Anonymous, OWNER),
            PrincipalMatch::NoMatch
        );
        assert!(p.names_iam_identities());
    }

    #[test]
    fn roles_match_their_sessions_and_paths() {
        let p = principals(json!({"AWS": "arn:aws:iam::210987654321:role/team/developer"}));
        for arn in [
            "arn:aws:iam::210987654321:role/team/developer",
            "arn:aws:sts::210987654321:assumed-role/developer/alice",
        ] {
            assert_eq!(
                p.match_caller(&iam(arn), OWNER),
                PrincipalMatch::Matches,
                "{arn}"
            );
        }
        for arn in [
            "arn:aws:iam::210987654321:role/admin",
            "arn:aws:sts::111111111111:assumed-role/developer/alice",
            "arn:aws-cn:iam::210987654321:role/developer",
        ] {
            assert_eq!(
                p.match_caller(&iam(arn), OWNER),
                PrincipalMatch::NoMatch,
                "{arn}"
            );
        }
    }

    #[test]
    fn account_principals_delegate_within_the_owner_account() {
        let own = principals(json!({"AWS": format!("arn:aws:iam::{OWNER}:root")}));
        assert_eq!(
            own.match_caller(&iam("arn:aws:iam::123456789012:role/r"), OWNER),
            PrincipalMatch::DelegatedToOwnAccount
        );
        let other = principals(json!({"AWS": "210987654321"}));
        assert_eq!(
            other.match_caller(&iam("arn:aws:iam::210987654321:role/r"), OWNER),
            PrincipalMatch::Matches
        );
        assert_eq!(
            other.match_caller(&iam("arn:aws:iam::123456789012:role/r"), OWNER),
            PrincipalMatch::NoMatch
        );
    }

    #[test]
    fn users_and_sessions_match_exactly() {
        let p = principals(json!({"AWS": [
            "arn:aws:iam::210987654321:user/bob",
            "arn:aws:sts::210987654321:assumed-role/r/s1"
        ]}));
        assert_eq!(
            p.match_caller(&iam("arn:aws:iam::210987654321:user/bob"), OWNER),
            PrincipalMatch::Matches
        );
        assert_eq!(
            p.match_caller(&iam("arn:aws:sts::210987654321:assumed-role/r/s1"), OWNER),
            PrincipalMatch::Matches
        );
        assert_eq!(
            p.match_caller(&iam("arn:aws:sts::210987654321:assumed-role/r/s2"), OWNER),
            PrincipalMatch::NoMatch
        );
    }

    #[test]
    fn service_principals_parse_but_never_match() {
        let p = principals(json!({"Service": "apigateway.amazonaws.com"}));
        assert_eq!(
            p.match_caller(&iam("arn:aws:iam::123456789012:role/r"), OWNER),
            PrincipalMatch::NoMatch
        );
    }

    #[test]
    fn rejects_invalid_principals() {
        for (v, needle) in [
            (json!("someone"), "neither `*` nor an object"),
            (json!({"Aws": "*"}), "did you mean `AWS`?"),
            (
                json!({"AWS": "arn:aws:iam::*:role/x"}),
                "wildcards are not allowed",
            ),
            (json!({"AWS": "arn:aws:iam::12345:role/x"}), "12-digit"),
            (json!({"AWS": "arn:aws:s3:::bucket"}), "12-digit"),
            (
                json!({"AWS": "arn:aws:s3::123456789012:bucket"}),
                "not an IAM account, role, user or session ARN",
            ),
            (json!({"AWS": "bob"}), "not an account id or ARN"),
            (json!({"AWS": 5}), "must be a string"),
            (json!(["*"]), "must be `\"*\"` or an object"),
        ] {
            let err = Principals::parse(&v, &JsonPath::root().key("Principal")).unwrap_err();
            assert!(err.to_string().contains(needle), "{err} / {needle}");
        }
    }

    #[test]
    fn caller_keys() {
        let c = IamCaller::from_arn("arn:aws:sts::210987654321:assumed-role/dev/alice").unwrap();
        assert_eq!(c.principal_arn(), "arn:aws:iam::210987654321:role/dev");
        assert_eq!(c.kind(), PrincipalType::AssumedRole);
        let u = IamCaller::from_arn("arn:aws:iam::210987654321:user/ops/bob").unwrap();
        assert_eq!(u.user_name(), Some("bob"));
        assert_eq!(u.principal_arn(), "arn:aws:iam::210987654321:user/ops/bob");
        assert!(IamCaller::from_arn("arn:aws:iam::210987654321:group/g").is_err());
        assert!(IamCaller::from_arn("arn:aws:sts::210987654321:assumed-role/dev").is_err());
    }
}
