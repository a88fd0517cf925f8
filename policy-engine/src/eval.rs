//! Evaluating one policy (or a caller's set of identity policies) against one request:
//! [`PolicyOutcome`] `Allow`, `ExplicitDeny` or `ImplicitDeny` ("neither allow nor deny").
//!
//! The request is an [`EvalRequest`]: the action (nearly always [`INVOKE_ACTION`]), the method
//! ARN ([`crate::arn`]), the [`Caller`] ([`crate::principal`]), the API owner's account and the
//! condition-key values ([`crate::context`]). A statement applies when its principal (resource
//! policies only), action, resource and every condition match; then any applying `Deny` gives
//! `ExplicitDeny`, else any applying `Allow` gives `Allow`, else the outcome is `ImplicitDeny`.
//!
//! [`PolicyDocument::evaluate`] is the hot path: it checks statements in order and allocates
//! nothing. [`PolicyDocument::explain`] runs the very same checks and renders, for every
//! statement, either why it matched or the first element that did not match and why — the
//! trace a user reads to answer "why 403?".
//!
//! One outcome is not yet the gateway's answer: [`crate::decision`] combines the resource
//! policy's outcome with the identity side's (IAM policies, or a Lambda authorizer's policy)
//! by Table A or Table B.
//!
//! ```
//! use policy_engine::arn::{ApiRef, MethodArn};
//! use policy_engine::context::RequestContext;
//! use policy_engine::eval::{EvalRequest, PolicyOutcome, INVOKE_ACTION};
//! use policy_engine::policy::PolicyDocument;
//! use policy_engine::principal::Caller;
//!
//! let api = ApiRef {
//!     partition: "aws".into(),
//!     region: "us-east-1".into(),
//!     account_id: "123456789012".into(),
//!     api_id: "a1b2c3d4e5".into(),
//! };
//! // Only calls through VPC endpoint vpce-1a2b3c4d, as in the developer guide.
//! let policy = PolicyDocument::parse_resource_policy(r#"{"Version": "2012-10-17", "Statement": [
//!     {"Sid": "DenyOutsideVpce", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
//!      "Resource": "execute-api:/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
//!     {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}
//! ]}"#, &api)?;
//!
//! let arn = MethodArn::for_method(&api, "prod", "GET", "/pets");
//! let mut context = RequestContext::new();
//! context.set("aws:SourceVpce", "vpce-9f8e7d6c")?;
//! let request = EvalRequest {
//!     action: INVOKE_ACTION,
//!     resource: arn.as_str(),
//!     caller: &Caller::Anonymous,
//!     owner_account: &api.account_id,
//!     context: &context,
//! };
//! assert_eq!(policy.evaluate(&request).outcome, PolicyOutcome::ExplicitDeny);
//!
//! let trace = policy.explain(&request);
//! let deciding = trace.deciding().ok_or("no deciding statement")?;
//! assert_eq!(deciding.sid.as_deref(), Some("DenyOutsideVpce"));
//! assert_eq!(trace.statements[1].failed, None); // the Allow matched too, but Deny wins
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use crate::context::{ContextKey, RequestContext};
use crate::glob::Pattern;
use crate::policy::{Effect, PatternSet, PolicyDocument, PrincipalClause, Statement};
use crate::principal::{Caller, PrincipalMatch};

/// The action every API call is authorized for: the `action` of nearly every
/// [`EvalRequest`] (WebSocket callbacks to `@connections` use `execute-api:ManageConnections`).
///
/// ```
/// use policy_engine::eval::INVOKE_ACTION;
///
/// assert_eq!(INVOKE_ACTION, "execute-api:Invoke");
/// ```
pub const INVOKE_ACTION: &str = "execute-api:Invoke";

/// What a policy is asked: may `caller` perform `action` on `resource`, given `context`?
///
/// Built with a struct literal; everything is borrowed, so building one per request costs
/// nothing, and `..request` varies one field.
///
/// ```
/// # use policy_engine::arn::{ApiRef, MethodArn};
/// # use policy_engine::context::RequestContext;
/// # use policy_engine::eval::{EvalRequest, PolicyOutcome, INVOKE_ACTION};
/// # use policy_engine::policy::PolicyDocument;
/// # use policy_engine::principal::Caller;
/// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
/// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
/// # let policy = PolicyDocument::parse_resource_policy(r#"{"Version": "2012-10-17", "Statement": [
/// #     {"Sid": "DenyOutsideVpce", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
/// #      "Resource": "execute-api:/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
/// #     {"Sid": "AllowPets", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #      "Resource": "execute-api:/prod/GET/pets"}]}"#, &api)?;
/// # let arn = MethodArn::for_method(&api, "prod", "GET", "/pets");
/// # let mut context = RequestContext::new();
/// # context.set("aws:SourceVpce", "vpce-1a2b3c4d")?;
/// # let request = EvalRequest { action: INVOKE_ACTION, resource: arn.as_str(),
/// #     caller: &Caller::Anonymous, owner_account: &api.account_id, context: &context };
/// let outcome = policy.evaluate(&request).outcome;
/// assert_eq!(outcome, PolicyOutcome::Allow);
///
/// let elsewhere = MethodArn::for_method(&api, "prod", "DELETE", "/pets/42");
/// let other = EvalRequest { resource: elsewhere.as_str(), ..request };
/// assert_eq!(policy.evaluate(&other).outcome, PolicyOutcome::ImplicitDeny);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct EvalRequest<'a> {
    /// The action, such as [`INVOKE_ACTION`] (matched case-insensitively).
    pub action: &'a str,
    /// The method ARN ([`MethodArn::as_str`](crate::arn::MethodArn::as_str)).
    pub resource: &'a str,
    /// Who is calling (matters for resource-policy principals only).
    pub caller: &'a Caller,
    /// The API owner's account (decides how account principals count).
    pub owner_account: &'a str,
    /// The condition-key values of the request.
    pub context: &'a RequestContext,
}

/// The outcome of a policy, or of combined policies, for a request: the three values of API
/// Gateway's outcome tables ([`crate::decision`]).
///
/// Callers are expected to match it exhaustively: it is not `#[non_exhaustive]`.
///
/// ```
/// use policy_engine::eval::PolicyOutcome;
///
/// let status = |outcome| match outcome {
///     PolicyOutcome::Allow => 200,
///     PolicyOutcome::ExplicitDeny | PolicyOutcome::ImplicitDeny => 403,
/// };
/// assert_eq!(status(PolicyOutcome::ImplicitDeny), 403);
/// assert_eq!(PolicyOutcome::ExplicitDeny.to_string(), "ExplicitDeny");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyOutcome {
    /// A statement allows the request and none denies it.
    Allow,
    /// A statement denies the request.
    ExplicitDeny,
    /// No statement applies: "neither allow nor deny", denied by default.
    ImplicitDeny,
}

impl PolicyOutcome {
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`, as scenario files spell them.
    ///
    /// ```
    /// # use policy_engine::eval::PolicyOutcome;
    /// assert_eq!(PolicyOutcome::ImplicitDeny.name(), "ImplicitDeny");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            PolicyOutcome::Allow => "Allow",
            PolicyOutcome::ExplicitDeny => "ExplicitDeny",
            PolicyOutcome::ImplicitDeny => "ImplicitDeny",
        }
    }

    /// Parse the scenario-file spelling (case-sensitive); `None` for anything else.
    ///
    /// ```
    /// # use policy_engine::eval::PolicyOutcome;
    /// assert_eq!(PolicyOutcome::from_name("ExplicitDeny"), Some(PolicyOutcome::ExplicitDeny));
    /// assert_eq!(PolicyOutcome::from_name("Deny"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "Allow" => Some(PolicyOutcome::Allow),
            "ExplicitDeny" => Some(PolicyOutcome::ExplicitDeny),
            "ImplicitDeny" => Some(PolicyOutcome::ImplicitDeny),
            _ => None,
        }
    }

    /// The outcome tables' wording in the API Gateway developer guide: `Allow`, `Deny`,
    /// `Neither Allow nor Deny`.
    ///
    /// ```
    /// # use policy_engine::eval::PolicyOutcome;
    /// assert_eq!(PolicyOutcome::ImplicitDeny.table_wording(), "Neither Allow nor Deny");
    /// ```
    pub fn table_wording(self) -> &'static str {
        match self {
            PolicyOutcome::Allow => "Allow",
            PolicyOutcome::ExplicitDeny => "Deny",
            PolicyOutcome::ImplicitDeny => "Neither Allow nor Deny",
        }
    }

    /// The outcome tables' wording for the "Resulting behavior" column: `Allow`,
    /// `Explicit Deny`, `Implicit Deny`.
    ///
    /// ```
    /// # use policy_engine::eval::PolicyOutcome;
    /// assert_eq!(PolicyOutcome::ImplicitDeny.result_wording(), "Implicit Deny");
    /// assert_eq!(PolicyOutcome::ExplicitDeny.result_wording(), "Explicit Deny");
    /// ```
    pub fn result_wording(self) -> &'static str {
        match self {
            PolicyOutcome::Allow => "Allow",
            PolicyOutcome::ExplicitDeny => "Explicit Deny",
            PolicyOutcome::ImplicitDeny => "Implicit Deny",
        }
    }
}

impl fmt::Display for PolicyOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The element of a statement that did not match, in a [`StatementTrace`].
///
/// Elements are checked in this order; the trace names the first that failed. New elements
/// may be added, so a `match` needs a `_` arm.
///
/// ```
/// # use policy_engine::arn::{ApiRef, MethodArn};
/// # use policy_engine::context::RequestContext;
/// # use policy_engine::eval::{EvalRequest, PolicyOutcome, INVOKE_ACTION};
/// # use policy_engine::policy::PolicyDocument;
/// # use policy_engine::principal::Caller;
/// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
/// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
/// # let policy = PolicyDocument::parse_resource_policy(r#"{"Version": "2012-10-17", "Statement": [
/// #     {"Sid": "DenyOutsideVpce", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
/// #      "Resource": "execute-api:/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
/// #     {"Sid": "AllowPets", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #      "Resource": "execute-api:/prod/GET/pets"}]}"#, &api)?;
/// # let arn = MethodArn::for_method(&api, "prod", "GET", "/pets");
/// # let mut context = RequestContext::new();
/// # context.set("aws:SourceVpce", "vpce-1a2b3c4d")?;
/// # let request = EvalRequest { action: INVOKE_ACTION, resource: arn.as_str(),
/// #     caller: &Caller::Anonymous, owner_account: &api.account_id, context: &context };
/// use policy_engine::eval::Element;
///
/// let trace = policy.explain(&request);
/// assert_eq!(trace.statements[0].failed, Some(Element::Condition)); // DenyOutsideVpce
/// let post = MethodArn::for_method(&api, "prod", "POST", "/pets");
/// let trace = policy.explain(&EvalRequest { resource: post.as_str(), ..request });
/// assert_eq!(trace.statements[1].failed, Some(Element::Resource)); // AllowPets
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Element {
    /// `Principal` / `NotPrincipal`.
    Principal,
    /// `Action` / `NotAction`.
    Action,
    /// `Resource` / `NotResource`.
    Resource,
    /// `Condition`.
    Condition,
}

impl Element {
    fn name(self) -> &'static str {
        match self {
            Element::Principal => "principal",
            Element::Action => "action",
            Element::Resource => "resource",
            Element::Condition => "condition",
        }
    }
}

/// Why a statement does not apply to a request; small and `Copy`, so the hot path can return
/// it without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mismatch {
    PrincipalNotNamed,
    /// An `Allow` naming only the owner's own account, for a caller of that account.
    PrincipalDelegated,
    PrincipalExcluded,
    ActionNotListed,
    ActionExcluded,
    ResourceNotListed,
    ResourceExcluded,
    /// No resource entry matches, and one or more could not match at all because a policy
    /// variable in it has no value in the request.
    ResourceVariableMissing,
    /// Condition `index` (in flattened order) is false.
    ConditionFalse {
        index: usize,
    },
}

impl Mismatch {
    fn element(self) -> Element {
        match self {
            Mismatch::PrincipalNotNamed
            | Mismatch::PrincipalDelegated
            | Mismatch::PrincipalExcluded => Element::Principal,
            Mismatch::ActionNotListed | Mismatch::ActionExcluded => Element::Action,
            Mismatch::ResourceNotListed
            | Mismatch::ResourceExcluded
            | Mismatch::ResourceVariableMissing => Element::Resource,
            Mismatch::ConditionFalse { .. } => Element::Condition,
        }
    }
}

/// How a pattern set relates to a value.
enum SetMatch {
    Listed,
    /// No pattern matches; `unresolved`: one or more could not match at all because a policy
    /// variable in it has no value in the request.
    NotListed {
        unresolved: bool,
    },
}

/// Match `text` against each pattern of `set`. IAM ("Policy variables with no value"): "If a
/// variable that has no value in the authorization context is used as part of the `Resource`
/// or `NotResource` element of a policy, the resource that includes a policy variable with no
/// value will not match any resource." Only that entry drops out: the others of the list still
/// match, and in `NotResource` such an entry excludes nothing.
fn match_set(set: &PatternSet, text: &str, ctx: &RequestContext) -> SetMatch {
    let mut unresolved = false;
    for p in set.patterns().iter() {
        match p.matches_with(text, ctx) {
            Ok(true) => return SetMatch::Listed,
            Ok(false) => {}
            Err(_) => unresolved = true,
        }
    }
    SetMatch::NotListed { unresolved }
}

impl Statement {
    /// Whether the statement applies to the request; the first element that fails otherwise.
    pub(crate) fn check(&self, req: &EvalRequest<'_>) -> Result<(), Mismatch> {
        match &self.principal {
            None => {}
            Some(PrincipalClause::Principal(p)) => {
                match p.match_caller(req.caller, req.owner_account) {
                    PrincipalMatch::Matches => {}
                    PrincipalMatch::DelegatedToOwnAccount if self.effect == Effect::Deny => {}
                    PrincipalMatch::DelegatedToOwnAccount => {
                        return Err(Mismatch::PrincipalDelegated);
                    }
                    PrincipalMatch::NoMatch => return Err(Mismatch::PrincipalNotNamed),
                }
            }
            Some(PrincipalClause::NotPrincipal(p))
                if p.match_caller(req.caller, req.owner_account) != PrincipalMatch::NoMatch =>
            {
                return Err(Mismatch::PrincipalExcluded);
            }
            Some(PrincipalClause::NotPrincipal(_)) => {}
        }
        let action_listed =
            if crate::glob::same_bytes(req.action.as_bytes(), INVOKE_ACTION.as_bytes()) {
                self.lists_invoke
            } else {
                self.actions
                    .patterns()
                    .iter()
                    .any(|p| p.matches(req.action))
            };
        match (self.actions.is_negated(), action_listed) {
            (false, false) => return Err(Mismatch::ActionNotListed),
            (true, true) => return Err(Mismatch::ActionExcluded),
            _ => {}
        }
        match (
            self.resources.is_negated(),
            match_set(&self.resources, req.resource, req.context),
        ) {
            (false, SetMatch::NotListed { unresolved: false }) => {
                return Err(Mismatch::ResourceNotListed);
            }
            (false, SetMatch::NotListed { unresolved: true }) => {
                return Err(Mismatch::ResourceVariableMissing);
            }
            (true, SetMatch::Listed) => return Err(Mismatch::ResourceExcluded),
            (false, SetMatch::Listed) | (true, SetMatch::NotListed { .. }) => {}
        }
        for (index, c) in self.conditions.iter().enumerate() {
            if !c.evaluate(req.context) {
                return Err(Mismatch::ConditionFalse { index });
            }
        }
        Ok(())
    }
}

/// The result of evaluating one policy or a set of policies, without the trace: what
/// [`PolicyDocument::evaluate`] and [`evaluate_all`] return.
///
/// ```
/// # use policy_engine::arn::{ApiRef, MethodArn};
/// # use policy_engine::context::RequestContext;
/// # use policy_engine::eval::{EvalRequest, PolicyOutcome, INVOKE_ACTION};
/// # use policy_engine::policy::PolicyDocument;
/// # use policy_engine::principal::Caller;
/// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
/// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
/// # let policy = PolicyDocument::parse_resource_policy(r#"{"Version": "2012-10-17", "Statement": [
/// #     {"Sid": "DenyOutsideVpce", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
/// #      "Resource": "execute-api:/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
/// #     {"Sid": "AllowPets", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #      "Resource": "execute-api:/prod/GET/pets"}]}"#, &api)?;
/// # let arn = MethodArn::for_method(&api, "prod", "GET", "/pets");
/// # let mut context = RequestContext::new();
/// # context.set("aws:SourceVpce", "vpce-1a2b3c4d")?;
/// # let request = EvalRequest { action: INVOKE_ACTION, resource: arn.as_str(),
/// #     caller: &Caller::Anonymous, owner_account: &api.account_id, context: &context };
/// let evaluation = policy.evaluate(&request);
/// assert_eq!(evaluation.outcome, PolicyOutcome::Allow);
/// assert_eq!(evaluation.decided_by, Some((0, 1))); // policy 0, statement 1 ("AllowPets")
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Evaluation {
    /// The outcome.
    pub outcome: PolicyOutcome,
    /// The statement that decided it: `(policy index, statement index)` of the first matching
    /// `Deny`, or else of the first matching `Allow`; `None` for an implicit deny.
    pub decided_by: Option<(usize, usize)>,
}

impl PolicyDocument {
    /// Evaluate the policy against a request. Allocates nothing.
    ///
    /// ```
    /// # use policy_engine::arn::{ApiRef, MethodArn};
    /// # use policy_engine::context::RequestContext;
    /// # use policy_engine::eval::{EvalRequest, PolicyOutcome, INVOKE_ACTION};
    /// # use policy_engine::policy::PolicyDocument;
    /// # use policy_engine::principal::Caller;
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// # let policy = PolicyDocument::parse_resource_policy(r#"{"Version": "2012-10-17", "Statement": [
    /// #     {"Sid": "DenyOutsideVpce", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
    /// #      "Resource": "execute-api:/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
    /// #     {"Sid": "AllowPets", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    /// #      "Resource": "execute-api:/prod/GET/pets"}]}"#, &api)?;
    /// # let arn = MethodArn::for_method(&api, "prod", "GET", "/pets");
    /// # let mut context = RequestContext::new();
    /// # context.set("aws:SourceVpce", "vpce-1a2b3c4d")?;
    /// # let request = EvalRequest { action: INVOKE_ACTION, resource: arn.as_str(),
    /// #     caller: &Caller::Anonymous, owner_account: &api.account_id, context: &context };
    /// let mut elsewhere = RequestContext::new();
    /// elsewhere.set("aws:SourceVpce", "vpce-9f8e7d6c")?; // another endpoint
    /// let request = EvalRequest { context: &elsewhere, ..request };
    /// assert_eq!(policy.evaluate(&request).outcome, PolicyOutcome::ExplicitDeny);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn evaluate(&self, req: &EvalRequest<'_>) -> Evaluation {
        evaluate_all(std::slice::from_ref(self), req)
    }

    /// Evaluate and explain every statement: the same outcome as
    /// [`PolicyDocument::evaluate`], with a [`PolicyTrace`].
    ///
    /// ```
    /// # use policy_engine::arn::{ApiRef, MethodArn};
    /// # use policy_engine::context::RequestContext;
    /// # use policy_engine::eval::{EvalRequest, PolicyOutcome, INVOKE_ACTION};
    /// # use policy_engine::policy::PolicyDocument;
    /// # use policy_engine::principal::Caller;
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// # let policy = PolicyDocument::parse_resource_policy(r#"{"Version": "2012-10-17", "Statement": [
    /// #     {"Sid": "DenyOutsideVpce", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
    /// #      "Resource": "execute-api:/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
    /// #     {"Sid": "AllowPets", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    /// #      "Resource": "execute-api:/prod/GET/pets"}]}"#, &api)?;
    /// # let arn = MethodArn::for_method(&api, "prod", "GET", "/pets");
    /// # let mut context = RequestContext::new();
    /// # context.set("aws:SourceVpce", "vpce-1a2b3c4d")?;
    /// # let request = EvalRequest { action: INVOKE_ACTION, resource: arn.as_str(),
    /// #     caller: &Caller::Anonymous, owner_account: &api.account_id, context: &context };
    /// let trace = policy.explain(&request);
    /// assert_eq!(trace.outcome, policy.evaluate(&request).outcome);
    /// assert_eq!(trace.statements.len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain(&self, req: &EvalRequest<'_>) -> PolicyTrace {
        explain_all(std::slice::from_ref(self), req)
    }
}

/// Evaluate a set of policies together (a caller's identity policies): any matching `Deny`
/// wins, else any matching `Allow`, else an implicit deny. Allocates nothing.
///
/// ```
/// use policy_engine::eval::{evaluate_all, EvalRequest, PolicyOutcome, INVOKE_ACTION};
/// use policy_engine::context::RequestContext;
/// use policy_engine::policy::PolicyDocument;
/// use policy_engine::principal::{Caller, IamCaller};
///
/// // Two IAM policies attached to the caller.
/// let invoke_all = PolicyDocument::parse_identity_policy(r#"{"Statement": {
///     "Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*"}}"#)?;
/// let no_deletes = PolicyDocument::parse_identity_policy(r#"{"Statement": {
///     "Effect": "Deny", "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/*/DELETE/*"}}"#)?;
/// let policies = [invoke_all, no_deletes];
///
/// let caller = Caller::Iam(IamCaller::from_arn("arn:aws:iam::123456789012:user/alice")?);
/// let context = RequestContext::new();
/// let request = EvalRequest {
///     action: INVOKE_ACTION,
///     resource: "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/DELETE/pets/42",
///     caller: &caller,
///     owner_account: "123456789012",
///     context: &context,
/// };
/// let evaluation = evaluate_all(&policies, &request);
/// assert_eq!(evaluation.outcome, PolicyOutcome::ExplicitDeny);
/// assert_eq!(evaluation.decided_by, Some((1, 0)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn evaluate_all(policies: &[PolicyDocument], req: &EvalRequest<'_>) -> Evaluation {
    let mut first_allow = None;
    for (pi, policy) in policies.iter().enumerate() {
        for (si, statement) in policy.statements.iter().enumerate() {
            if statement.check(req).is_ok() {
                match statement.effect {
                    Effect::Deny => {
                        return Evaluation {
                            outcome: PolicyOutcome::ExplicitDeny,
                            decided_by: Some((pi, si)),
                        };
                    }
                    Effect::Allow => {
                        first_allow.get_or_insert((pi, si));
                    }
                }
            }
        }
    }
    match first_allow {
        Some(at) => Evaluation {
            outcome: PolicyOutcome::Allow,
            decided_by: Some(at),
        },
        None => Evaluation {
            outcome: PolicyOutcome::ImplicitDeny,
            decided_by: None,
        },
    }
}

/// [`evaluate_all`] with a trace of every statement, statements of policy 0 first.
///
/// ```
/// use policy_engine::eval::{explain_all, EvalRequest, PolicyOutcome, INVOKE_ACTION};
/// use policy_engine::context::RequestContext;
/// use policy_engine::policy::PolicyDocument;
/// use policy_engine::principal::Caller;
///
/// let policies = [
///     PolicyDocument::parse_identity_policy(r#"{"Statement": {"Effect": "Allow",
///         "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/prod/GET/*"}}"#)?,
///     PolicyDocument::parse_identity_policy(r#"{"Statement": {"Effect": "Allow",
///         "Action": "execute-api:Invoke", "Resource": "arn:aws:execute-api:*:*:*/beta/*"}}"#)?,
/// ];
/// let context = RequestContext::new();
/// let request = EvalRequest {
///     action: INVOKE_ACTION,
///     resource: "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/beta/POST/pets",
///     caller: &Caller::Anonymous,
///     owner_account: "123456789012",
///     context: &context,
/// };
/// let trace = explain_all(&policies, &request);
/// assert_eq!(trace.outcome, PolicyOutcome::Allow);
/// assert_eq!(trace.deciding().map(|s| s.policy), Some(1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn explain_all(policies: &[PolicyDocument], req: &EvalRequest<'_>) -> PolicyTrace {
    let evaluation = evaluate_all(policies, req);
    let mut statements = Vec::new();
    for (pi, policy) in policies.iter().enumerate() {
        for (si, statement) in policy.statements.iter().enumerate() {
            let result = statement.check(req);
            statements.push(StatementTrace {
                policy: pi,
                index: si,
                sid: statement.sid.clone(),
                effect: statement.effect,
                decided: evaluation.decided_by == Some((pi, si)),
                failed: result.err().map(|m| m.element()),
                reason: match result {
                    Ok(()) => describe_match(statement, req),
                    Err(m) => describe_mismatch(statement, m, req),
                },
            });
        }
    }
    PolicyTrace {
        outcome: evaluation.outcome,
        statements,
    }
}

/// What one statement did for a request: an entry of [`PolicyTrace::statements`]. Displays as
/// one line: label, verdict, reason.
///
/// ```
/// # use policy_engine::arn::{ApiRef, MethodArn};
/// # use policy_engine::context::RequestContext;
/// # use policy_engine::eval::{EvalRequest, PolicyOutcome, INVOKE_ACTION};
/// # use policy_engine::policy::PolicyDocument;
/// # use policy_engine::principal::Caller;
/// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
/// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
/// # let policy = PolicyDocument::parse_resource_policy(r#"{"Version": "2012-10-17", "Statement": [
/// #     {"Sid": "DenyOutsideVpce", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
/// #      "Resource": "execute-api:/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
/// #     {"Sid": "AllowPets", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #      "Resource": "execute-api:/prod/GET/pets"}]}"#, &api)?;
/// # let arn = MethodArn::for_method(&api, "prod", "GET", "/pets");
/// # let mut context = RequestContext::new();
/// # context.set("aws:SourceVpce", "vpce-1a2b3c4d")?;
/// # let request = EvalRequest { action: INVOKE_ACTION, resource: arn.as_str(),
/// #     caller: &Caller::Anonymous, owner_account: &api.account_id, context: &context };
/// let trace = policy.explain(&request);
/// let allow = &trace.statements[1];
/// assert!(allow.matched() && allow.decided);
/// assert_eq!(
///     allow.to_string(),
///     "Statement[1] \"AllowPets\" (Allow): matched, decided: the caller (not SigV4-signed, so no IAM \
///      identity) is named by principal \"*\"; action `execute-api:Invoke` matches `execute-api:Invoke`; \
///      resource `arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets` matches \
///      `arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/pets`"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct StatementTrace {
    /// Index of the policy in the evaluated set (0 for a single policy).
    pub policy: usize,
    /// Index of the statement in its policy.
    pub index: usize,
    /// The statement's `Sid`.
    pub sid: Option<String>,
    /// The statement's effect.
    pub effect: Effect,
    /// Whether this statement decided the outcome.
    pub decided: bool,
    /// `None` if the statement matched; otherwise the first element that did not.
    pub failed: Option<Element>,
    /// Why it matched, or why that element did not.
    pub reason: String,
}

impl StatementTrace {
    /// Whether the statement applied to the request.
    ///
    /// ```
    /// # use policy_engine::arn::{ApiRef, MethodArn};
    /// # use policy_engine::context::RequestContext;
    /// # use policy_engine::eval::{EvalRequest, PolicyOutcome, INVOKE_ACTION};
    /// # use policy_engine::policy::PolicyDocument;
    /// # use policy_engine::principal::Caller;
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// # let policy = PolicyDocument::parse_resource_policy(r#"{"Version": "2012-10-17", "Statement": [
    /// #     {"Sid": "DenyOutsideVpce", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
    /// #      "Resource": "execute-api:/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
    /// #     {"Sid": "AllowPets", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    /// #      "Resource": "execute-api:/prod/GET/pets"}]}"#, &api)?;
    /// # let arn = MethodArn::for_method(&api, "prod", "GET", "/pets");
    /// # let mut context = RequestContext::new();
    /// # context.set("aws:SourceVpce", "vpce-1a2b3c4d")?;
    /// # let request = EvalRequest { action: INVOKE_ACTION, resource: arn.as_str(),
    /// #     caller: &Caller::Anonymous, owner_account: &api.account_id, context: &context };
    /// let trace = policy.explain(&request);
    /// assert!(!trace.statements[0].matched()); // the request came through vpce-1a2b3c4d
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn matched(&self) -> bool {
        self.failed.is_none()
    }

    /// The statement's index, `Sid` and effect: `Statement[0] "DenyOutsideVpce" (Deny)`.
    ///
    /// ```
    /// # use policy_engine::arn::{ApiRef, MethodArn};
    /// # use policy_engine::context::RequestContext;
    /// # use policy_engine::eval::{EvalRequest, PolicyOutcome, INVOKE_ACTION};
    /// # use policy_engine::policy::PolicyDocument;
    /// # use policy_engine::principal::Caller;
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// # let policy = PolicyDocument::parse_resource_policy(r#"{"Version": "2012-10-17", "Statement": [
    /// #     {"Sid": "DenyOutsideVpce", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
    /// #      "Resource": "execute-api:/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
    /// #     {"Sid": "AllowPets", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    /// #      "Resource": "execute-api:/prod/GET/pets"}]}"#, &api)?;
    /// # let arn = MethodArn::for_method(&api, "prod", "GET", "/pets");
    /// # let mut context = RequestContext::new();
    /// # context.set("aws:SourceVpce", "vpce-1a2b3c4d")?;
    /// # let request = EvalRequest { action: INVOKE_ACTION, resource: arn.as_str(),
    /// #     caller: &Caller::Anonymous, owner_account: &api.account_id, context: &context };
    /// let trace = policy.explain(&request);
    /// assert_eq!(trace.statements[0].label(), "Statement[0] \"DenyOutsideVpce\" (Deny)");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn label(&self) -> String {
        let sid = self
            .sid
            .as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| format!(" \"{s}\""))
            .unwrap_or_default();
        format!("Statement[{}]{sid} ({})", self.index, self.effect.name())
    }
}

impl fmt::Display for StatementTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = match (self.failed, self.decided) {
            (None, true) => "matched, decided".to_owned(),
            (None, false) => "matched".to_owned(),
            (Some(e), _) => format!("no match on {}", e.name()),
        };
        write!(f, "{}: {verdict}: {}", self.label(), self.reason)
    }
}

/// A policy's outcome with the account of every statement, from [`PolicyDocument::explain`]
/// or [`explain_all`]. Displays as the outcome, then one line per statement.
///
/// ```
/// # use policy_engine::arn::{ApiRef, MethodArn};
/// # use policy_engine::context::RequestContext;
/// # use policy_engine::eval::{EvalRequest, PolicyOutcome, INVOKE_ACTION};
/// # use policy_engine::policy::PolicyDocument;
/// # use policy_engine::principal::Caller;
/// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
/// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
/// # let policy = PolicyDocument::parse_resource_policy(r#"{"Version": "2012-10-17", "Statement": [
/// #     {"Sid": "DenyOutsideVpce", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
/// #      "Resource": "execute-api:/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
/// #     {"Sid": "AllowPets", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
/// #      "Resource": "execute-api:/prod/GET/pets"}]}"#, &api)?;
/// # let arn = MethodArn::for_method(&api, "prod", "GET", "/pets");
/// # let mut context = RequestContext::new();
/// # context.set("aws:SourceVpce", "vpce-1a2b3c4d")?;
/// # let request = EvalRequest { action: INVOKE_ACTION, resource: arn.as_str(),
/// #     caller: &Caller::Anonymous, owner_account: &api.account_id, context: &context };
/// let mut elsewhere = RequestContext::new();
/// elsewhere.set("aws:SourceVpce", "vpce-9f8e7d6c")?;
/// let trace = policy.explain(&EvalRequest { context: &elsewhere, ..request });
/// assert_eq!(trace.outcome, PolicyOutcome::ExplicitDeny);
/// let text = trace.to_string();
/// assert!(text.starts_with("ExplicitDeny\n  Statement[0] \"DenyOutsideVpce\" (Deny): matched, decided"));
/// assert!(text.contains("StringNotEquals `aws:SourceVpce`: request value `vpce-9f8e7d6c` vs [`vpce-1a2b3c4d`] → true"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PolicyTrace {
    /// The outcome.
    pub outcome: PolicyOutcome,
    /// Every statement, in order.
    pub statements: Vec<StatementTrace>,
}

impl PolicyTrace {
    /// The statement that decided the outcome: the first applying `Deny`, else the first
    /// applying `Allow`; `None` for an implicit deny.
    ///
    /// ```
    /// # use policy_engine::arn::{ApiRef, MethodArn};
    /// # use policy_engine::context::RequestContext;
    /// # use policy_engine::eval::{EvalRequest, PolicyOutcome, INVOKE_ACTION};
    /// # use policy_engine::policy::PolicyDocument;
    /// # use policy_engine::principal::Caller;
    /// # let api = ApiRef { partition: "aws".into(), region: "us-east-1".into(),
    /// #     account_id: "123456789012".into(), api_id: "a1b2c3d4e5".into() };
    /// # let policy = PolicyDocument::parse_resource_policy(r#"{"Version": "2012-10-17", "Statement": [
    /// #     {"Sid": "DenyOutsideVpce", "Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke",
    /// #      "Resource": "execute-api:/*", "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}}},
    /// #     {"Sid": "AllowPets", "Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke",
    /// #      "Resource": "execute-api:/prod/GET/pets"}]}"#, &api)?;
    /// # let arn = MethodArn::for_method(&api, "prod", "GET", "/pets");
    /// # let mut context = RequestContext::new();
    /// # context.set("aws:SourceVpce", "vpce-1a2b3c4d")?;
    /// # let request = EvalRequest { action: INVOKE_ACTION, resource: arn.as_str(),
    /// #     caller: &Caller::Anonymous, owner_account: &api.account_id, context: &context };
    /// let trace = policy.explain(&request);
    /// assert_eq!(trace.deciding().map(|s| s.index), Some(1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn deciding(&self) -> Option<&StatementTrace> {
        self.statements.iter().find(|s| s.decided)
    }
}

impl fmt::Display for PolicyTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.outcome)?;
        for s in &self.statements {
            write!(f, "\n  {s}")?;
        }
        Ok(())
    }
}

fn list(patterns: &[Pattern]) -> String {
    patterns
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn caller_text(caller: &Caller) -> String {
    match caller {
        Caller::Anonymous => "the caller (not SigV4-signed, so no IAM identity)".to_owned(),
        Caller::Iam(iam) => format!("caller `{}`", iam.arn()),
    }
}

/// The first pattern of `set` that matches `text` (a variable the request lacks matches
/// nothing).
fn first_match<'s>(set: &'s PatternSet, text: &str, ctx: &RequestContext) -> Option<&'s Pattern> {
    set.patterns()
        .iter()
        .find(|p| p.matches_with(text, ctx).unwrap_or(false))
}

/// The entries of `set` that cannot match because they use a policy variable the request does
/// not carry, with those variables: `` `…/${aws:username}` (no `aws:username`) ``.
fn unresolved_entries(set: &PatternSet, ctx: &RequestContext) -> Vec<String> {
    set.patterns()
        .iter()
        .filter_map(|p| {
            let missing: Vec<String> = p
                .variables()
                .filter(|v| v.default.is_none() && ctx.get(&v.key).is_none())
                .map(|v| format!("`{}`", v.key))
                .collect();
            (!missing.is_empty()).then(|| format!("`{p}` (no {})", missing.join(", ")))
        })
        .collect()
}

fn describe_match(statement: &Statement, req: &EvalRequest<'_>) -> String {
    let mut parts = Vec::new();
    match &statement.principal {
        None => {}
        Some(PrincipalClause::Principal(p)) => {
            parts.push(format!(
                "{} is named by principal {p}",
                caller_text(req.caller)
            ));
        }
        Some(PrincipalClause::NotPrincipal(p)) => parts.push(format!(
            "{} is not excluded by NotPrincipal {p}",
            caller_text(req.caller)
        )),
    }
    let actions = &statement.actions;
    if actions.is_negated() {
        parts.push(format!(
            "action `{}` is not excluded by NotAction [{}]",
            req.action,
            list(actions.patterns())
        ));
    } else if let Some(p) = actions.patterns().iter().find(|p| p.matches(req.action)) {
        parts.push(format!("action `{}` matches `{p}`", req.action));
    }
    let resources = &statement.resources;
    if resources.is_negated() {
        let unresolved = unresolved_entries(resources, req.context);
        parts.push(format!(
            "resource `{}` is not excluded by NotResource [{}]{}",
            req.resource,
            list(resources.patterns()),
            if unresolved.is_empty() {
                String::new()
            } else {
                format!(
                    " ({} excludes nothing: a policy variable with no value matches no resource)",
                    unresolved.join(", ")
                )
            }
        ));
    } else if let Some(p) = first_match(resources, req.resource, req.context) {
        parts.push(format!("resource `{}` matches `{p}`", req.resource));
    }
    for c in statement.conditions.iter() {
        parts.push(c.describe(req.context));
    }
    parts.join("; ")
}

fn describe_mismatch(statement: &Statement, m: Mismatch, req: &EvalRequest<'_>) -> String {
    let principals = match &statement.principal {
        Some(PrincipalClause::Principal(p) | PrincipalClause::NotPrincipal(p)) => p.to_string(),
        None => String::new(),
    };
    match m {
        Mismatch::PrincipalNotNamed => match req.caller {
            Caller::Anonymous => format!(
                "the caller is not SigV4-signed, so it has no IAM identity, and principal {principals} names none that matches it: AWS principals match only callers that sign with IAM (AWS_IAM authorization)"
            ),
            Caller::Iam(iam) => format!(
                "caller `{}` is not named by principal {principals}",
                iam.arn()
            ),
        },
        Mismatch::PrincipalDelegated => format!(
            "{} is named by principal {principals} only through the API owner's account `{}`: within the owner's account that delegates to the caller's IAM policies and grants nothing by itself",
            caller_text(req.caller),
            req.owner_account
        ),
        Mismatch::PrincipalExcluded => format!(
            "{} is excluded by NotPrincipal {principals}",
            caller_text(req.caller)
        ),
        Mismatch::ActionNotListed => format!(
            "`{}` is not in [{}]",
            req.action,
            list(statement.actions.patterns())
        ),
        Mismatch::ActionExcluded => format!(
            "`{}` is excluded by NotAction [{}]",
            req.action,
            list(statement.actions.patterns())
        ),
        Mismatch::ResourceNotListed => format!(
            "`{}` is not in [{}]",
            req.resource,
            list(statement.resources.patterns())
        ),
        Mismatch::ResourceExcluded => {
            match first_match(&statement.resources, req.resource, req.context) {
                Some(p) => format!("`{}` is excluded by NotResource `{p}`", req.resource),
                None => format!(
                    "`{}` is excluded by NotResource [{}]",
                    req.resource,
                    list(statement.resources.patterns())
                ),
            }
        }
        Mismatch::ResourceVariableMissing => format!(
            "`{}` is not in [{}]; {} cannot match: a policy variable with no value matches no resource",
            req.resource,
            list(statement.resources.patterns()),
            unresolved_entries(&statement.resources, req.context).join(", ")
        ),
        Mismatch::ConditionFalse { index } => statement
            .conditions
            .get(index)
            .map(|c| c.describe(req.context))
            .unwrap_or_default(),
    }
}

/// Keys a policy's conditions read, each once, in document order; for lints and for showing
/// which request values mattered. (Policy variables are not included; see
/// [`PolicyDocument::keys_read`].)
///
/// ```
/// use policy_engine::eval::condition_keys;
/// use policy_engine::policy::PolicyDocument;
///
/// let policy = PolicyDocument::parse_identity_policy(r#"{"Statement": [
///     {"Effect": "Allow", "Action": "*", "Resource": "*",
///      "Condition": {"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}},
///     {"Effect": "Deny", "Action": "*", "Resource": "*",
///      "Condition": {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/25"}, "Bool": {"aws:SecureTransport": "false"}}}
/// ]}"#)?;
/// let keys: Vec<String> = condition_keys(&policy).iter().map(|k| k.to_string()).collect();
/// assert_eq!(keys, ["aws:SourceIp", "aws:SecureTransport"]);
/// # Ok::<(), policy_engine::error::PolicyError>(())
/// ```
pub fn condition_keys(policy: &PolicyDocument) -> Vec<ContextKey> {
    let mut keys: Vec<ContextKey> = Vec::new();
    for s in policy.statements.iter() {
        for c in s.conditions.iter() {
            if !keys.contains(c.key()) {
                keys.push(c.key().clone());
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests;
