//! Amazon Resource Names: the generic six-part split ([`ArnParts`]), and the execute-api
//! method ARN ([`MethodArn`])
//! `arn:{partition}:execute-api:{region}:{account}:{apiId}/{stage}/{verb}/{path}` (WebSocket:
//! `.../{stage}/$connect`) that every authorization decision is made against.
//!
//! A method ARN is what a request is *about*: it is the `resource` of an
//! [`EvalRequest`](crate::eval::EvalRequest), matched against each statement's `Resource`
//! element by [`PolicyDocument::evaluate`](crate::policy::PolicyDocument::evaluate). API
//! Gateway sends it to Lambda authorizers as `methodArn` (REST) or `routeArn` (HTTP,
//! WebSocket). An [`ApiRef`] names the API itself; resource policies need it to expand the
//! abbreviated `execute-api:/stage/VERB/path` resources
//! ([`PolicyDocument::parse_resource_policy`](crate::policy::PolicyDocument::parse_resource_policy)).
//!
//! ```
//! use policy_engine::arn::{ApiRef, MethodArn, Route};
//!
//! // The `methodArn` of a REST API authorizer event.
//! let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
//! assert_eq!(arn.api().api_id, "a1b2c3d4e5");
//! assert_eq!(arn.stage(), "prod");
//! assert_eq!(arn.route(), &Route::Method { verb: "GET".into(), path: "pets".into() });
//!
//! // The same ARN, built from its parts.
//! let built = MethodArn::for_method(arn.api(), "prod", "GET", "/pets");
//! assert_eq!(built, arn);
//! # Ok::<(), policy_engine::arn::ArnError>(())
//! ```

use std::fmt;

use thiserror::Error;

/// The six colon-separated parts of an ARN (the leading `arn` and five named ones), borrowed
/// from the text. The resource part keeps any further colons.
///
/// Any service's ARN splits this way; use it to look inside caller or resource ARNs without
/// allocating. For execute-api method ARNs, [`MethodArn`] goes further.
///
/// ```
/// use policy_engine::arn::ArnParts;
///
/// let parts = ArnParts::parse("arn:aws:sts::123456789012:assumed-role/admin/session-1")
///     .ok_or("not an ARN")?;
/// assert_eq!(parts.service, "sts");
/// assert_eq!(parts.region, "");
/// assert_eq!(parts.account, "123456789012");
/// assert_eq!(parts.resource, "assumed-role/admin/session-1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArnParts<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: &'a str,
    /// `execute-api`, `iam`, `sts`, ...
    pub service: &'a str,
    /// The region; empty for global services such as IAM.
    pub region: &'a str,
    /// The 12-digit account id; empty for some resources.
    pub account: &'a str,
    /// Everything after the fifth colon.
    pub resource: &'a str,
}

impl<'a> ArnParts<'a> {
    /// Split `text` into its parts, or `None` when it does not start with `arn:` or has fewer
    /// than six parts. Nothing is validated beyond that: any part may be empty.
    ///
    /// ```
    /// use policy_engine::arn::ArnParts;
    ///
    /// let parts = ArnParts::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/a:b");
    /// assert_eq!(parts.map(|p| p.resource), Some("a1b2c3d4e5/prod/GET/a:b"));
    /// assert_eq!(ArnParts::parse("execute-api:/prod/GET/pets"), None);
    /// ```
    pub fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        Some(Self {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        })
    }
}

/// Where the resource part of an ARN begins: the byte offset just after its fifth colon, or
/// `None` when it has fewer. Colons inside a policy variable (`${aws:PrincipalAccount}`) are
/// not separators.
///
/// IAM substitutes policy variables only there: "You can't use a variable to replace parts of
/// the ARN before the fifth colon, such as the service or account" (IAM User Guide, "IAM
/// policy elements: Variables and tags").
///
/// ```
/// use policy_engine::arn::resource_part_offset;
///
/// let arn = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*";
/// assert_eq!(resource_part_offset(arn).and_then(|at| arn.get(at..)), Some("a1b2c3d4e5/*"));
/// let variable = "arn:aws:execute-api:us-east-1:${aws:PrincipalAccount}:a1b2c3d4e5/*";
/// assert_eq!(resource_part_offset(variable).and_then(|at| variable.get(at..)), Some("a1b2c3d4e5/*"));
/// assert_eq!(resource_part_offset("arn:aws:execute-api:*"), None);
/// ```
pub fn resource_part_offset(text: &str) -> Option<usize> {
    let mut colons = 0;
    let mut in_variable = false;
    let mut previous = '\0';
    for (at, c) in text.char_indices() {
        match c {
            '{' if previous == '$' => in_variable = true,
            '}' => in_variable = false,
            ':' if !in_variable => {
                colons += 1;
                if colons == 5 {
                    return Some(at + 1);
                }
            }
            _ => {}
        }
        previous = c;
    }
    None
}

/// Whether `text` is an ARN cut short by a trailing `*`: `arn:aws:execute-api:*`,
/// `arn:aws:execute-api:us-east-1:*`. IAM: "If the `*` wildcard is the last character of a
/// resource ARN segment, it can expand to match beyond the colon boundaries" (IAM User Guide,
/// "IAM JSON policy elements: Resource"), so such a resource matches every ARN that starts
/// with the text before the `*`. The partition and service must be written out: "You can't use
/// a wildcard in the service segment that identifies the AWS product".
///
/// ```
/// use policy_engine::arn::is_truncated_wildcard_arn;
///
/// assert!(is_truncated_wildcard_arn("arn:aws:execute-api:*"));
/// assert!(is_truncated_wildcard_arn("arn:aws:execute-api:us-east-1:*"));
/// // Six parts: a whole ARN, whose resource part is `*`.
/// assert!(!is_truncated_wildcard_arn("arn:aws:execute-api:*:*:*"));
/// assert!(!is_truncated_wildcard_arn("arn:aws:execute-api:us-east-1")); // no `*`: not an ARN
/// assert!(!is_truncated_wildcard_arn("arn:aws:*")); // a wildcard service
/// ```
pub fn is_truncated_wildcard_arn(text: &str) -> bool {
    let mut parts = text.split(':');
    let (Some("arn"), Some(partition), Some(service)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let rest: Vec<&str> = parts.collect();
    !partition.is_empty()
        && !service.is_empty()
        && !service.contains(['*', '?'])
        && (1..=2).contains(&rest.len())
        && text.ends_with('*')
}

/// Whether `text` is a 12-digit AWS account id (how IAM tells an account principal such as
/// `"123456789012"` from other principal strings).
///
/// ```
/// use policy_engine::arn::is_account_id;
///
/// assert!(is_account_id("123456789012"));
/// assert!(!is_account_id("12345678901")); // 11 digits
/// assert!(!is_account_id("arn:aws:iam::123456789012:root"));
/// ```
pub fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The API an ARN or abbreviated resource refers to: partition, region, owner account and API
/// id.
///
/// Build one with a struct literal for the API you are checking. It gives the owner account
/// (which decides whether a call is same-account, Table A, or cross-account, Table B, in
/// [`crate::decision`]) and is needed to expand the abbreviated `execute-api:/...` resources
/// of a resource policy.
///
/// ```
/// use policy_engine::arn::ApiRef;
///
/// let api = ApiRef {
///     partition: "aws".into(),
///     region: "us-east-1".into(),
///     account_id: "123456789012".into(),
///     api_id: "a1b2c3d4e5".into(),
/// };
/// assert_eq!(api.arn_prefix(), "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiRef {
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
    /// The API's region.
    pub region: String,
    /// The API owner's account id.
    pub account_id: String,
    /// The API id API Gateway assigned.
    pub api_id: String,
}

impl ApiRef {
    /// The ARN prefix of every method of this API, up to and including the API id:
    /// `arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5`.
    ///
    /// ```
    /// # use policy_engine::arn::ApiRef;
    /// let api = ApiRef {
    ///     partition: "aws-cn".into(),
    ///     region: "cn-north-1".into(),
    ///     account_id: "123456789012".into(),
    ///     api_id: "a1b2c3d4e5".into(),
    /// };
    /// assert_eq!(api.arn_prefix(), "arn:aws-cn:execute-api:cn-north-1:123456789012:a1b2c3d4e5");
    /// ```
    pub fn arn_prefix(&self) -> String {
        self.arn_text(&[])
    }

    /// `arn:{partition}:execute-api:{region}:{account}:{api-id}` followed by each of `parts`
    /// after a `/`, built in one allocation (the flow builds one per request).
    ///
    /// ```
    /// # use policy_engine::arn::ApiRef;
    /// # let api = ApiRef {
    /// #     partition: "aws".into(),
    /// #     region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(),
    /// #     api_id: "a1b2c3d4e5".into(),
    /// # };
    /// assert_eq!(
    ///     api.arn_text(&["prod", "POST", "pets/42"]),
    ///     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/POST/pets/42"
    /// );
    /// ```
    pub fn arn_text(&self, parts: &[&str]) -> String {
        let fixed = [
            "arn:",
            &self.partition,
            ":execute-api:",
            &self.region,
            ":",
            &self.account_id,
            ":",
            &self.api_id,
        ];
        let len = fixed.iter().chain(parts).map(|p| p.len() + 1).sum();
        let mut text = String::with_capacity(len);
        fixed.iter().for_each(|p| text.push_str(p));
        for part in parts {
            text.push('/');
            text.push_str(part);
        }
        text
    }
}

/// What a method ARN names after the stage: a REST or HTTP API method, or a route key.
///
/// ```
/// use policy_engine::arn::{MethodArn, Route};
///
/// let rest = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/")?;
/// // The root resource `/`: an empty path.
/// assert_eq!(rest.route(), &Route::Method { verb: "GET".into(), path: String::new() });
///
/// let websocket = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/$connect")?;
/// assert_eq!(websocket.route(), &Route::Key("$connect".into()));
/// # Ok::<(), policy_engine::arn::ArnError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Route {
    /// A REST or HTTP API method: the verb and the path without its leading `/` (empty for
    /// the root resource, whose ARN ends in `/GET/`).
    Method {
        /// `GET`, `POST`, ... as sent.
        verb: String,
        /// The path, without the leading `/`.
        path: String,
    },
    /// A WebSocket route key (`$connect`) or an HTTP API route key such as `$default`.
    Key(String),
}

/// Errors in a method ARN, from [`MethodArn::parse`].
///
/// ```
/// use policy_engine::arn::{ArnError, MethodArn};
///
/// let err = MethodArn::parse("arn:aws:s3:::my-bucket").unwrap_err();
/// assert!(matches!(err, ArnError::NotExecuteApi(_)));
///
/// let err = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod").unwrap_err();
/// assert!(matches!(err, ArnError::Incomplete(_)));
/// assert!(err.to_string().contains("is incomplete"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ArnError {
    /// Not `arn:partition:execute-api:region:account:resource` (another service, or an empty
    /// partition, region or account). Holds the text given.
    #[error(
        "`{0}` is not an execute-api ARN: expected `arn:aws:execute-api:region:account-id:api-id/stage/VERB/path`"
    )]
    NotExecuteApi(String),
    /// The resource part lacks the API id, stage or route. Holds the text given.
    #[error(
        "method ARN `{0}` is incomplete: expected `api-id/stage/VERB/path` (or `api-id/stage/$connect` for WebSocket) after the account id"
    )]
    Incomplete(String),
}

/// An execute-api method ARN: the resource every API Gateway authorization decision is about.
///
/// Parsed from an authorizer event's `methodArn` / `routeArn`, or built for a method you want
/// to check. Its [`as_str`](MethodArn::as_str) is the `resource` of an
/// [`EvalRequest`](crate::eval::EvalRequest).
///
/// ```
/// use policy_engine::arn::{ApiRef, MethodArn};
///
/// let api = ApiRef {
///     partition: "aws".into(),
///     region: "us-east-1".into(),
///     account_id: "123456789012".into(),
///     api_id: "a1b2c3d4e5".into(),
/// };
/// let arn = MethodArn::for_method(&api, "prod", "GET", "/pets/42");
/// assert_eq!(arn.to_string(), "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/42");
/// assert_eq!(MethodArn::parse(arn.as_str())?, arn);
/// # Ok::<(), policy_engine::arn::ArnError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MethodArn {
    text: String,
    api: ApiRef,
    stage: String,
    route: Route,
}

impl MethodArn {
    /// The ARN of `verb path` on `stage` of `api`; `path` may start with `/` or not. The root
    /// resource `/` gives an ARN ending in `/VERB/`, as API Gateway sends it.
    ///
    /// ```
    /// # use policy_engine::arn::{ApiRef, MethodArn};
    /// # let api = ApiRef {
    /// #     partition: "aws".into(),
    /// #     region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(),
    /// #     api_id: "a1b2c3d4e5".into(),
    /// # };
    /// let root = MethodArn::for_method(&api, "prod", "GET", "/");
    /// assert_eq!(root.as_str(), "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/");
    /// assert_eq!(
    ///     MethodArn::for_method(&api, "prod", "GET", "pets"),
    ///     MethodArn::for_method(&api, "prod", "GET", "/pets"),
    /// );
    /// ```
    pub fn for_method(api: &ApiRef, stage: &str, verb: &str, path: &str) -> Self {
        let path = path.strip_prefix('/').unwrap_or(path);
        Self {
            text: api.arn_text(&[stage, verb, path]),
            api: api.clone(),
            stage: stage.to_owned(),
            route: Route::Method {
                verb: verb.to_owned(),
                path: path.to_owned(),
            },
        }
    }

    /// The ARN of a route key such as `$connect` on `stage` of `api` (WebSocket APIs, and
    /// the `$default` route of HTTP APIs).
    ///
    /// ```
    /// # use policy_engine::arn::{ApiRef, MethodArn};
    /// # let api = ApiRef {
    /// #     partition: "aws".into(),
    /// #     region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(),
    /// #     api_id: "a1b2c3d4e5".into(),
    /// # };
    /// let arn = MethodArn::for_route_key(&api, "prod", "$connect");
    /// assert_eq!(arn.as_str(), "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/$connect");
    /// ```
    pub fn for_route_key(api: &ApiRef, stage: &str, key: &str) -> Self {
        Self {
            text: api.arn_text(&[stage, key]),
            api: api.clone(),
            stage: stage.to_owned(),
            route: Route::Key(key.to_owned()),
        }
    }

    /// Parse a method ARN as API Gateway sends it to authorizers (`methodArn` / `routeArn`).
    ///
    /// # Errors
    ///
    /// [`ArnError::NotExecuteApi`] for an ARN of another service or with an empty partition,
    /// region or account; [`ArnError::Incomplete`] when the API id, stage or route is missing.
    ///
    /// ```
    /// use policy_engine::arn::MethodArn;
    ///
    /// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/$default/GET/pets")?;
    /// assert_eq!(arn.stage(), "$default");
    /// assert!(MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5//GET/pets").is_err());
    /// # Ok::<(), policy_engine::arn::ArnError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, ArnError> {
        let not_execute_api = || ArnError::NotExecuteApi(text.to_owned());
        let parts = ArnParts::parse(text).ok_or_else(not_execute_api)?;
        if parts.service != "execute-api"
            || parts.partition.is_empty()
            || parts.region.is_empty()
            || parts.account.is_empty()
        {
            return Err(not_execute_api());
        }
        let incomplete = || ArnError::Incomplete(text.to_owned());
        let (api_id, rest) = parts.resource.split_once('/').ok_or_else(incomplete)?;
        let (stage, rest) = match rest.split_once('/') {
            Some((stage, rest)) => (stage, rest),
            None => return Err(incomplete()),
        };
        if api_id.is_empty() || stage.is_empty() || rest.is_empty() {
            return Err(incomplete());
        }
        let route = match rest.split_once('/') {
            Some((verb, path)) if !verb.is_empty() => Route::Method {
                verb: verb.to_owned(),
                path: path.to_owned(),
            },
            Some(_) => return Err(incomplete()),
            None if rest.starts_with('$') => Route::Key(rest.to_owned()),
            None => return Err(incomplete()),
        };
        Ok(Self {
            text: text.to_owned(),
            api: ApiRef {
                partition: parts.partition.to_owned(),
                region: parts.region.to_owned(),
                account_id: parts.account.to_owned(),
                api_id: api_id.to_owned(),
            },
            stage: stage.to_owned(),
            route,
        })
    }

    /// The full ARN text, as given to [`MethodArn::parse`] or built.
    ///
    /// ```
    /// # use policy_engine::arn::MethodArn;
    /// let text = "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets";
    /// assert_eq!(MethodArn::parse(text)?.as_str(), text);
    /// # Ok::<(), policy_engine::arn::ArnError>(())
    /// ```
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The API the method belongs to.
    ///
    /// ```
    /// # use policy_engine::arn::MethodArn;
    /// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// assert_eq!(arn.api().account_id, "123456789012");
    /// # Ok::<(), policy_engine::arn::ArnError>(())
    /// ```
    pub fn api(&self) -> &ApiRef {
        &self.api
    }

    /// The stage name.
    ///
    /// ```
    /// # use policy_engine::arn::MethodArn;
    /// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// assert_eq!(arn.stage(), "prod");
    /// # Ok::<(), policy_engine::arn::ArnError>(())
    /// ```
    pub fn stage(&self) -> &str {
        &self.stage
    }

    /// The method or route key.
    ///
    /// ```
    /// # use policy_engine::arn::{MethodArn, Route};
    /// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/DELETE/pets/42")?;
    /// assert!(matches!(arn.route(), Route::Method { verb, path } if verb == "DELETE" && path == "pets/42"));
    /// # Ok::<(), policy_engine::arn::ArnError>(())
    /// ```
    pub fn route(&self) -> &Route {
        &self.route
    }
}

impl fmt::Display for MethodArn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(partition: &str) -> ApiRef {
        ApiRef {
            partition: partition.into(),
            region: "us-east-2".into(),
            account_id: "123456789012".into(),
            api_id: "aabbccddee".into(),
        }
    }

    #[test]
    fn builds_and_parses_method_arns() {
        let arn = MethodArn::for_method(&api("aws"), "prod", "GET", "/pets/42");
        assert_eq!(
            arn.as_str(),
            "arn:aws:execute-api:us-east-2:123456789012:aabbccddee/prod/GET/pets/42"
        );
        assert_eq!(MethodArn::parse(arn.as_str()).unwrap(), arn);
    }

    #[test]
    fn root_path_ends_in_a_slash() {
        let arn = MethodArn::for_method(&api("aws"), "prod", "GET", "/");
        assert!(arn.as_str().ends_with("/prod/GET/"));
        let parsed = MethodArn::parse(arn.as_str()).unwrap();
        assert_eq!(
            parsed.route(),
            &Route::Method {
                verb: "GET".into(),
                path: String::new()
            }
        );
    }

    #[test]
    fn websocket_and_default_stage() {
        let arn = MethodArn::for_route_key(&api("aws"), "prod", "$connect");
        assert!(arn.as_str().ends_with("aabbccddee/prod/$connect"));
        assert_eq!(MethodArn::parse(arn.as_str()).unwrap(), arn);
        let http = MethodArn::parse(
            "arn:aws:execute-api:us-east-1:123456789012:abcdef123/$default/GET/pets",
        )
        .unwrap();
        assert_eq!(http.stage(), "$default");
    }

    #[test]
    fn partitions() {
        for p in ["aws", "aws-cn", "aws-us-gov"] {
            let arn = MethodArn::for_method(&api(p), "s", "POST", "x");
            let parsed = MethodArn::parse(arn.as_str()).unwrap();
            assert_eq!(parsed.api().partition, p);
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "",
            "arn:aws:s3:::bucket/key",
            "arn:aws:execute-api:us-east-1:123456789012",
            "arn:aws:execute-api:us-east-1:123456789012:api",
            "arn:aws:execute-api:us-east-1:123456789012:api/prod",
            "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET",
            "arn:aws:execute-api:us-east-1:123456789012:api//GET/x",
            "nope:aws:execute-api:us-east-1:123456789012:api/prod/GET/x",
        ] {
            assert!(MethodArn::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn account_ids() {
        assert!(is_account_id("123456789012"));
        assert!(!is_account_id("12345678901"));
        assert!(!is_account_id("12345678901a"));
    }
}
