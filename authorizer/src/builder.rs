//! Building the policy an authorizer returns, as method ARNs of the API and stage the request
//! came to — emitting the engine's [`PolicyDocument`], so every built policy passes the same
//! validation as a hand-written one.
//!
//! The trap this guards against: API Gateway caches the authorizer's *policy* and evaluates it
//! against every later method called with the same token, so a policy naming only the method
//! of the first call denies every other route for the cache TTL. Grant what the caller may do
//! ([`PolicyBuilder::allow`] per route, or [`PolicyBuilder::allow_all`]), not the one method
//! being called.
//!
//! Start from the event's method ARN ([`crate::event::AuthorizerEvent::method_arn`], parsed
//! with [`MethodArn::parse`]) so the policy names the API and stage that were called; put the
//! built document in a [`crate::response::PolicyResponse`]. [`crate::handler::RulesAuthorizer`]
//! builds its policies here too, from the routes its rules grant.
//!
//! ```
//! use authorizer::builder::PolicyBuilder;
//! use policy_engine::arn::MethodArn;
//! use policy_engine::condition::Operator;
//!
//! let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets")?;
//! let policy = PolicyBuilder::for_api_of(&arn)
//!     .allow("GET", "/pets")
//!     .allow("GET", "/pets/*")
//!     .statement(|s| {
//!         s.sid("OfficeWrites")
//!             .allow("POST", "/pets")
//!             .condition(Operator::IpAddress, "aws:SourceIp", &["192.0.2.0/24"])
//!     })
//!     .build()?;
//! assert_eq!(policy.statements().len(), 2);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use policy_engine::PolicyError;
use policy_engine::arn::{ApiRef, MethodArn};
use policy_engine::condition::Operator;
use policy_engine::policy::{PolicyDocument, PolicyKind};
use serde_json::{Map, Value, json};

/// The verbs API Gateway writes into method ARNs: the HTTP methods REST and HTTP APIs route
/// (a method defined as `ANY` is called, and named in the ARN, with the request's own verb).
/// The verb `*` of [`PolicyBuilder::allow`] stands for exactly these.
///
/// ```
/// use authorizer::builder::HTTP_METHODS;
///
/// assert!(HTTP_METHODS.contains(&"PATCH"));
/// assert!(!HTTP_METHODS.contains(&"ANY"), "ANY is never in a method ARN");
/// ```
pub const HTTP_METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The resource ARN of `verb path` on `stage`: `{api ARN}/{stage}/{VERB}/{path}`, written as
/// given; the root path `/` gives `.../VERB/`. `*` is IAM's wildcard, which spans `/`: as the
/// verb it also matches the first segments of the path (`*` + `/admin/*` matches
/// `GET/pets/admin/x`); [`route_resources`] names exactly "any verb".
///
/// ```
/// use authorizer::builder::route_resource;
/// use policy_engine::arn::MethodArn;
///
/// let called = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
/// assert_eq!(
///     route_resource(called.api(), "prod", "DELETE", "/pets/*"),
///     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/DELETE/pets/*"
/// );
/// assert_eq!(
///     route_resource(called.api(), "prod", "GET", "/"),
///     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn route_resource(api: &ApiRef, stage: &str, verb: &str, path: &str) -> String {
    let path = path.strip_prefix('/').unwrap_or(path);
    format!("{}/{stage}/{verb}/{path}", api.arn_prefix())
}

/// The resource ARNs of `verb path` on `stage`: [`route_resource`], except that the verb `*`
/// becomes one ARN per [`HTTP_METHODS`] verb, so that it stands for any verb and nothing more.
///
/// ```
/// use authorizer::builder::{route_resources, HTTP_METHODS};
/// use policy_engine::arn::MethodArn;
///
/// let called = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
/// let any_verb = route_resources(called.api(), "prod", "*", "/pets");
/// assert_eq!(any_verb.len(), HTTP_METHODS.len());
/// assert_eq!(any_verb[0], "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets");
/// assert_eq!(route_resources(called.api(), "prod", "GET", "/pets").len(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn route_resources(api: &ApiRef, stage: &str, verb: &str, path: &str) -> Vec<String> {
    if verb == "*" {
        HTTP_METHODS
            .iter()
            .map(|verb| route_resource(api, stage, verb, path))
            .collect()
    } else {
        vec![route_resource(api, stage, verb, path)]
    }
}

/// The resource ARN of a route key such as WebSocket `$connect` on `stage`.
///
/// ```
/// use authorizer::builder::route_key_resource;
/// use policy_engine::arn::MethodArn;
///
/// let called = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/$connect")?;
/// assert_eq!(
///     route_key_resource(called.api(), "prod", "$connect"),
///     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/$connect"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn route_key_resource(api: &ApiRef, stage: &str, key: &str) -> String {
    format!("{}/{stage}/{key}", api.arn_prefix())
}

/// One statement with its own `Sid`, `NotResource` or conditions, given to the closure of
/// [`PolicyBuilder::statement`] (which starts it on the builder's API and stage).
///
/// ```
/// use authorizer::builder::PolicyBuilder;
/// use policy_engine::arn::MethodArn;
/// use serde_json::json;
///
/// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
/// let policy = PolicyBuilder::for_api_of(&arn)
///     .statement(|s| s.sid("ReadOnly").deny("DELETE", "/pets/*"))
///     .build()?;
/// assert_eq!(
///     policy.to_json()["Statement"][0],
///     json!({
///         "Sid": "ReadOnly",
///         "Effect": "Deny",
///         "Action": "execute-api:Invoke",
///         "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/DELETE/pets/*"
///     })
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct StatementBuilder {
    api: ApiRef,
    stage: String,
    sid: Option<String>,
    deny: bool,
    not_resource: bool,
    resources: Vec<String>,
    conditions: Map<String, Value>,
}

impl StatementBuilder {
    /// Set the `Sid`, the statement's name (shown by `policy-sim` when it decides).
    ///
    /// ```
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&arn)
    ///     .statement(|s| s.sid("Readers").allow("GET", "/pets"))
    ///     .build()?;
    /// assert_eq!(policy.statements()[0].sid(), Some("Readers"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn sid(mut self, sid: &str) -> Self {
        self.sid = Some(sid.to_owned());
        self
    }

    /// Make this an `Allow` statement for `verb path` (the default effect); see
    /// [`PolicyBuilder::allow`] for `*`. Calls add up: every route listed is a resource of the
    /// one statement.
    ///
    /// ```
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&arn)
    ///     .statement(|s| s.allow("GET", "/pets").allow("POST", "/pets"))
    ///     .build()?;
    /// let statement = &policy.to_json()["Statement"][0];
    /// assert_eq!(statement["Effect"], "Allow");
    /// assert_eq!(statement["Resource"].as_array().map(Vec::len), Some(2));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow(mut self, verb: &str, path: &str) -> Self {
        self.deny = false;
        self.resources
            .extend(route_resources(&self.api, &self.stage, verb, path));
        self
    }

    /// Make this a `Deny` statement for `verb path` (a `Deny` wins over any `Allow`).
    ///
    /// ```
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&arn)
    ///     .allow_all()
    ///     .statement(|s| s.deny("DELETE", "/pets/*"))
    ///     .build()?;
    /// assert_eq!(policy.to_json()["Statement"][1]["Effect"], "Deny");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn deny(mut self, verb: &str, path: &str) -> Self {
        self.deny = true;
        self.resources
            .extend(route_resources(&self.api, &self.stage, verb, path));
        self
    }

    /// Add a route key (`$connect`) to the statement's resources.
    ///
    /// ```
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/$connect")?;
    /// let policy = PolicyBuilder::for_api_of(&arn)
    ///     .statement(|s| s.sid("Connect").route_key("$connect"))
    ///     .build()?;
    /// assert_eq!(
    ///     policy.to_json()["Statement"][0]["Resource"],
    ///     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/$connect"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn route_key(mut self, key: &str) -> Self {
        self.resources
            .push(route_key_resource(&self.api, &self.stage, key));
        self
    }

    /// Use `NotResource`: the statement applies to every resource except those listed.
    ///
    /// ```
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// // Deny everything but reads of /pets.
    /// let policy = PolicyBuilder::for_api_of(&arn)
    ///     .allow("GET", "/pets")
    ///     .statement(|s| s.deny("GET", "/pets").not_resource())
    ///     .build()?;
    /// let deny = &policy.to_json()["Statement"][1];
    /// assert!(deny.get("NotResource").is_some() && deny.get("Resource").is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn not_resource(mut self) -> Self {
        self.not_resource = true;
        self
    }

    /// Add a condition: `operator` on `key` with `values` (OR'ed). Conditions of one statement
    /// must all hold.
    ///
    /// ```
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// use policy_engine::condition::Operator;
    /// use serde_json::json;
    ///
    /// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&arn)
    ///     .statement(|s| {
    ///         s.allow("POST", "/pets")
    ///             .condition(Operator::IpAddress, "aws:SourceIp", &["192.0.2.0/24", "198.51.100.0/24"])
    ///     })
    ///     .build()?;
    /// assert_eq!(
    ///     policy.to_json()["Statement"][0]["Condition"],
    ///     json!({"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}})
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn condition(mut self, operator: Operator, key: &str, values: &[&str]) -> Self {
        let keys = self
            .conditions
            .entry(operator.name())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(keys) = keys {
            keys.insert(key.to_owned(), json!(values));
        }
        self
    }

    fn to_json(&self) -> Value {
        let mut s = Map::new();
        if let Some(sid) = &self.sid {
            s.insert("Sid".into(), sid.clone().into());
        }
        s.insert(
            "Effect".into(),
            if self.deny { "Deny" } else { "Allow" }.into(),
        );
        s.insert("Action".into(), "execute-api:Invoke".into());
        let resources: Value = match self.resources.as_slice() {
            [one] => one.clone().into(),
            many => json!(many),
        };
        s.insert(
            if self.not_resource {
                "NotResource"
            } else {
                "Resource"
            }
            .into(),
            resources,
        );
        if !self.conditions.is_empty() {
            s.insert("Condition".into(), Value::Object(self.conditions.clone()));
        }
        Value::Object(s)
    }
}

/// Builds an authorizer policy for one API stage: the routes the caller may use, as
/// `execute-api:Invoke` statements on method ARNs. Start it from the called method's ARN
/// ([`PolicyBuilder::for_api_of`]), list what the caller may do, and [`build`](Self::build).
///
/// ```
/// use authorizer::builder::PolicyBuilder;
/// use policy_engine::arn::MethodArn;
///
/// // The caller called GET /pets; grant every route they may use, so the cached policy is
/// // right for their next request too.
/// let called = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
/// let policy = PolicyBuilder::for_api_of(&called)
///     .allow("GET", "/pets")
///     .allow("*", "/pets/*")
///     .deny("DELETE", "/pets/*")
///     .build()?;
/// let json = policy.to_json();
/// assert_eq!(json["Statement"][0]["Effect"], "Allow");
/// assert_eq!(json["Statement"][0]["Resource"].as_array().map(Vec::len), Some(8));
/// assert_eq!(json["Statement"][1]["Effect"], "Deny");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PolicyBuilder {
    api: ApiRef,
    stage: String,
    allowed: Vec<String>,
    denied: Vec<String>,
    statements: Vec<StatementBuilder>,
}

impl PolicyBuilder {
    /// A builder for the API and stage of `arn` (the event's `methodArn` / `routeArn`).
    ///
    /// ```
    /// use authorizer::builder::PolicyBuilder;
    /// use policy_engine::arn::MethodArn;
    ///
    /// let called = MethodArn::parse("arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&called).allow("POST", "/pets").build()?;
    /// assert_eq!(
    ///     policy.to_json()["Statement"][0]["Resource"],
    ///     "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/dev/POST/pets"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_api_of(arn: &MethodArn) -> Self {
        Self::for_api(arn.api(), arn.stage())
    }

    /// A builder for `stage` of `api`, when the policy is not for the called stage (say, a
    /// policy written ahead of time for every stage: `"*"`).
    ///
    /// ```
    /// use authorizer::builder::PolicyBuilder;
    /// use policy_engine::arn::MethodArn;
    ///
    /// let called = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api(called.api(), "*").allow("GET", "/pets").build()?;
    /// assert_eq!(
    ///     policy.to_json()["Statement"][0]["Resource"],
    ///     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*/GET/pets"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn for_api(api: &ApiRef, stage: &str) -> Self {
        Self {
            api: api.clone(),
            stage: stage.to_owned(),
            allowed: Vec::new(),
            denied: Vec::new(),
            statements: Vec::new(),
        }
    }

    /// Allow `verb path` (`allow("*", "/pets/*")`). In the path `*` and `?` are IAM's
    /// wildcards; the verb `*` means every HTTP method, written as one resource each (see
    /// [`route_resources`]: a `*` verb in the ARN would also span path segments).
    ///
    /// ```
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&arn).allow("GET", "/pets/*").build()?;
    /// assert_eq!(
    ///     policy.to_json()["Statement"][0]["Resource"],
    ///     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets/*"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow(mut self, verb: &str, path: &str) -> Self {
        self.allowed
            .extend(route_resources(&self.api, &self.stage, verb, path));
        self
    }

    /// Deny `verb path`, as [`PolicyBuilder::allow`] reads it. All denied routes share one
    /// `Deny` statement, which wins over the `Allow`.
    ///
    /// ```
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&arn)
    ///     .allow_all()
    ///     .deny("DELETE", "/pets/*")
    ///     .build()?;
    /// let deny = &policy.to_json()["Statement"][1];
    /// assert_eq!(deny["Effect"], "Deny");
    /// assert_eq!(deny["Resource"], "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/DELETE/pets/*");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn deny(mut self, verb: &str, path: &str) -> Self {
        self.denied
            .extend(route_resources(&self.api, &self.stage, verb, path));
        self
    }

    /// Allow a route key such as WebSocket `$connect`.
    ///
    /// ```
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/$connect")?;
    /// let policy = PolicyBuilder::for_api_of(&arn).allow_route_key("$connect").build()?;
    /// assert_eq!(policy.to_json()["Statement"][0]["Resource"], arn.as_str());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow_route_key(mut self, key: &str) -> Self {
        self.allowed
            .push(route_key_resource(&self.api, &self.stage, key));
        self
    }

    /// Allow every method and path of this stage.
    ///
    /// ```
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&arn).allow_all().build()?;
    /// assert_eq!(
    ///     policy.to_json()["Statement"][0]["Resource"],
    ///     "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/*"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow_all(mut self) -> Self {
        self.allowed
            .push(format!("{}/{}/*", self.api.arn_prefix(), self.stage));
        self
    }

    /// Deny everything on the API, every stage included: the answer for an authenticated
    /// caller who may do nothing (API Gateway then answers 403).
    ///
    /// ```
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&arn).deny_all().build()?;
    /// let only = &policy.to_json()["Statement"][0];
    /// assert_eq!(only["Effect"], "Deny");
    /// assert_eq!(only["Resource"], "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/*");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn deny_all(mut self) -> Self {
        self.denied.push(format!("{}/*", self.api.arn_prefix()));
        self
    }

    /// Add a statement of its own (a `Sid`, conditions, `NotResource`): `build` gets a
    /// [`StatementBuilder`] for this API and stage and returns it filled in.
    ///
    /// ```
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// use policy_engine::condition::Operator;
    ///
    /// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&arn)
    ///     .allow("GET", "/pets")
    ///     .statement(|s| {
    ///         s.sid("OfficeWrites")
    ///             .allow("POST", "/pets")
    ///             .condition(Operator::IpAddress, "aws:SourceIp", &["192.0.2.0/24"])
    ///     })
    ///     .build()?;
    /// assert_eq!(policy.statements().len(), 2);
    /// assert_eq!(policy.statements()[1].sid(), Some("OfficeWrites"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn statement(mut self, build: impl FnOnce(StatementBuilder) -> StatementBuilder) -> Self {
        let start = StatementBuilder {
            api: self.api.clone(),
            stage: self.stage.clone(),
            sid: None,
            deny: false,
            not_resource: false,
            resources: Vec::new(),
            conditions: Map::new(),
        };
        self.statements.push(build(start));
        self
    }

    /// The policy: one `Allow` statement listing every allowed resource, one `Deny` statement
    /// listing every denied one, then the custom statements — validated by the engine.
    ///
    /// # Errors
    ///
    /// The engine's [`PolicyError`] when the statements do not make a valid policy, such as a
    /// condition value the engine rejects (a malformed address). A builder with no route at
    /// all builds a policy without statements, which
    /// [`AuthorizerResponse::validate`](crate::response::AuthorizerResponse::validate) refuses.
    ///
    /// ```
    /// # use authorizer::builder::PolicyBuilder;
    /// # use policy_engine::arn::MethodArn;
    /// use policy_engine::condition::Operator;
    ///
    /// # let arn = MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets")?;
    /// let policy = PolicyBuilder::for_api_of(&arn).allow("GET", "/pets").build()?;
    /// assert_eq!(policy.to_json()["Version"], "2012-10-17");
    ///
    /// let bad = PolicyBuilder::for_api_of(&arn)
    ///     .statement(|s| s.allow("GET", "/pets").condition(Operator::IpAddress, "aws:SourceIp", &["10.0.0.0/33"]))
    ///     .build();
    /// assert!(bad.is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build(self) -> Result<PolicyDocument, PolicyError> {
        let mut statements = Vec::new();
        for (effect, resources) in [("Allow", &self.allowed), ("Deny", &self.denied)] {
            let resource: Value = match resources.as_slice() {
                [] => continue,
                [one] => one.clone().into(),
                many => json!(many),
            };
            statements.push(json!({
                "Effect": effect,
                "Action": "execute-api:Invoke",
                "Resource": resource,
            }));
        }
        statements.extend(self.statements.iter().map(StatementBuilder::to_json));
        let doc = json!({"Version": "2012-10-17", "Statement": statements});
        PolicyDocument::from_json(&doc, PolicyKind::Identity, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use policy_engine::context::RequestContext;
    use policy_engine::eval::{EvalRequest, INVOKE_ACTION, PolicyOutcome};
    use policy_engine::principal::Caller;

    fn event_arn() -> MethodArn {
        MethodArn::parse("arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/7")
            .unwrap()
    }

    fn outcome(policy: &PolicyDocument, verb: &str, path: &str, ip: Option<&str>) -> PolicyOutcome {
        let arn = MethodArn::for_method(event_arn().api(), "prod", verb, path);
        let mut ctx = RequestContext::new();
        if let Some(ip) = ip {
            ctx.set("aws:SourceIp", ip).unwrap();
        }
        policy
            .evaluate(&EvalRequest {
                action: INVOKE_ACTION,
                resource: arn.as_str(),
                caller: &Caller::Anonymous,
                owner_account: "123456789012",
                context: &ctx,
            })
            .outcome
    }

    #[test]
    fn granted_routes_cover_later_requests_with_the_same_token() {
        let p = PolicyBuilder::for_api_of(&event_arn())
            .allow("GET", "/pets")
            .allow("GET", "/pets/*")
            .build()
            .unwrap();
        assert_eq!(outcome(&p, "GET", "/pets", None), PolicyOutcome::Allow);
        assert_eq!(outcome(&p, "GET", "/pets/42", None), PolicyOutcome::Allow);
        assert_eq!(
            outcome(&p, "POST", "/pets", None),
            PolicyOutcome::ImplicitDeny
        );
        assert_eq!(
            p.to_json()["Statement"][0]["Resource"],
            json!([
                "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets",
                "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/*"
            ])
        );
    }

    #[test]
    fn root_all_and_route_keys() {
        let api = event_arn();
        assert_eq!(
            route_resource(api.api(), "prod", "GET", "/"),
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/"
        );
        let all = PolicyBuilder::for_api_of(&api).allow_all().build().unwrap();
        assert_eq!(outcome(&all, "DELETE", "/a/b", None), PolicyOutcome::Allow);
        let none = PolicyBuilder::for_api_of(&api).deny_all().build().unwrap();
        assert_eq!(
            outcome(&none, "GET", "/", None),
            PolicyOutcome::ExplicitDeny
        );
        let ws = PolicyBuilder::for_api_of(&api)
            .allow_route_key("$connect")
            .build()
            .unwrap();
        assert_eq!(
            ws.statements()[0].resources().patterns()[0].as_str(),
            "arn:aws:execute-api:us-east-1:123456789012:abc123/prod/$connect"
        );
    }

    #[test]
    fn custom_statements_carry_sid_conditions_and_not_resource() {
        let p = PolicyBuilder::for_api_of(&event_arn())
            .statement(|s| {
                s.sid("Office").allow("*", "/*").condition(
                    Operator::IpAddress,
                    "aws:SourceIp",
                    &["192.0.2.0/24"],
                )
            })
            .statement(|s| s.deny("*", "/admin/*").not_resource())
            .build()
            .unwrap();
        assert_eq!(p.statements()[0].sid(), Some("Office"));
        assert_eq!(
            outcome(&p, "GET", "/admin/x", Some("192.0.2.9")),
            PolicyOutcome::Allow
        );
        assert_eq!(
            outcome(&p, "GET", "/pets", Some("192.0.2.9")),
            PolicyOutcome::ExplicitDeny,
            "NotResource: everything but /admin/* is denied"
        );
        assert_eq!(
            outcome(&p, "GET", "/admin/x", Some("203.0.113.1")),
            PolicyOutcome::ImplicitDeny
        );
    }

    /// Found by the `authorizer_event` fuzz target: `* /admin/*` was written as
    /// `.../prod/*/admin/*`, whose `*` spans `/`, so it also allowed `GET /pets/admin/x`.
    #[test]
    fn a_wildcard_verb_does_not_reach_into_the_path() {
        let p = PolicyBuilder::for_api_of(&event_arn())
            .allow("*", "/admin/*")
            .build()
            .unwrap();
        for verb in HTTP_METHODS {
            assert_eq!(
                outcome(&p, verb, "/admin/users", None),
                PolicyOutcome::Allow
            );
        }
        for path in ["/pets/admin/x", "/x/admin/", "/admin"] {
            assert_eq!(
                outcome(&p, "GET", path, None),
                PolicyOutcome::ImplicitDeny,
                "{path}"
            );
        }
        let denied = PolicyBuilder::for_api_of(&event_arn())
            .allow_all()
            .deny("*", "/admin/*")
            .build()
            .unwrap();
        assert_eq!(
            outcome(&denied, "POST", "/admin/x", None),
            PolicyOutcome::ExplicitDeny
        );
        assert_eq!(
            outcome(&denied, "POST", "/pets/admin/x", None),
            PolicyOutcome::Allow
        );
        assert_eq!(
            route_resources(event_arn().api(), "prod", "GET", "/pets"),
            vec![route_resource(event_arn().api(), "prod", "GET", "/pets")]
        );
    }

    #[test]
    fn an_empty_builder_gives_an_empty_policy() {
        let p = PolicyBuilder::for_api_of(&event_arn()).build().unwrap();
        assert!(p.statements().is_empty());
    }
}
