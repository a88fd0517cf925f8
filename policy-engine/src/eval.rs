//! Evaluating one policy (or a caller's set of identity policies) against one request:
//! [`PolicyOutcome`] `Allow`, `ExplicitDeny` or `ImplicitDeny` ("neither allow nor deny").
//!
//! [`PolicyDocument::evaluate`] is the hot path: it checks statements in order and allocates
//! nothing. [`PolicyDocument::explain`] runs the very same checks and renders, for every
//! statement, either why it matched or the first element that did not match and why — the
//! trace a user reads to answer "why 403?".

use std::fmt;

use crate::context::{ContextKey, RequestContext};
use crate::glob::Pattern;
use crate::policy::{Effect, PatternSet, PolicyDocument, PrincipalClause, Statement};
use crate::principal::{Caller, PrincipalMatch};

/// The action every API call is authorized for.
pub const INVOKE_ACTION: &str = "execute-api:Invoke";

/// What a policy is asked: may `caller` perform `action` on `resource`, given `context`?
#[derive(Debug, Clone, Copy)]
pub struct EvalRequest<'a> {
    /// Usually [`INVOKE_ACTION`].
    pub action: &'a str,
    /// The method ARN.
    pub resource: &'a str,
    /// Who is calling (matters for resource-policy principals only).
    pub caller: &'a Caller,
    /// The API owner's account (decides how account principals count).
    pub owner_account: &'a str,
    /// The condition-key values of the request.
    pub context: &'a RequestContext,
}

/// The outcome of a policy, or of combined policies, for a request.
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
    pub fn name(self) -> &'static str {
        match self {
            PolicyOutcome::Allow => "Allow",
            PolicyOutcome::ExplicitDeny => "ExplicitDeny",
            PolicyOutcome::ImplicitDeny => "ImplicitDeny",
        }
    }

    /// Parse the scenario-file spelling.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "Allow" => Some(PolicyOutcome::Allow),
            "ExplicitDeny" => Some(PolicyOutcome::ExplicitDeny),
            "ImplicitDeny" => Some(PolicyOutcome::ImplicitDeny),
            _ => None,
        }
    }

    /// The seed tables' wording: `Allow`, `Deny`, `Neither Allow nor Deny`.
    pub fn table_wording(self) -> &'static str {
        match self {
            PolicyOutcome::Allow => "Allow",
            PolicyOutcome::ExplicitDeny => "Deny",
            PolicyOutcome::ImplicitDeny => "Neither Allow nor Deny",
        }
    }
}

impl fmt::Display for PolicyOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The element of a statement that did not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// A policy variable in pattern `pattern` of the resource element is not in the request.
    ResourceVariableMissing {
        pattern: usize,
    },
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
            | Mismatch::ResourceVariableMissing { .. } => Element::Resource,
            Mismatch::ConditionFalse { .. } => Element::Condition,
        }
    }
}

/// How a pattern set relates to a value.
enum SetMatch {
    Listed,
    NotListed,
    /// Pattern `usize` has a variable the request lacks: the element cannot match.
    Unresolved(usize),
}

fn match_set(set: &PatternSet, text: &str, ctx: &RequestContext) -> SetMatch {
    for (i, p) in set.patterns().iter().enumerate() {
        match p.matches_with(text, ctx) {
            Ok(true) => return SetMatch::Listed,
            Ok(false) => {}
            Err(_) => return SetMatch::Unresolved(i),
        }
    }
    SetMatch::NotListed
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
                        return Err(Mismatch::PrincipalDelegated)
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
            (_, SetMatch::Unresolved(pattern)) => {
                return Err(Mismatch::ResourceVariableMissing { pattern })
            }
            (false, SetMatch::NotListed) => return Err(Mismatch::ResourceNotListed),
            (true, SetMatch::Listed) => return Err(Mismatch::ResourceExcluded),
            _ => {}
        }
        for (index, c) in self.conditions.iter().enumerate() {
            if !c.evaluate(req.context) {
                return Err(Mismatch::ConditionFalse { index });
            }
        }
        Ok(())
    }
}

/// The result of evaluating one policy or a set of policies, without the trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Evaluation {
    /// The outcome.
    pub outcome: PolicyOutcome,
    /// The statement that decided it: `(policy index, statement index)` of the first matching
    /// `Deny`, or else of the first matching `Allow`; `None` for an implicit deny.
    pub decided_by: Option<(usize, usize)>,
}

impl PolicyDocument {
    /// Evaluate the policy against a request. Allocates nothing.
    pub fn evaluate(&self, req: &EvalRequest<'_>) -> Evaluation {
        evaluate_all(std::slice::from_ref(self), req)
    }

    /// Evaluate and explain every statement.
    pub fn explain(&self, req: &EvalRequest<'_>) -> PolicyTrace {
        explain_all(std::slice::from_ref(self), req)
    }
}

/// Evaluate a set of policies together (a caller's identity policies): any matching `Deny`
/// wins, else any matching `Allow`, else an implicit deny. Allocates nothing.
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
                        }
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

/// [`evaluate_all`] with a trace of every statement.
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

/// What one statement did for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    pub fn matched(&self) -> bool {
        self.failed.is_none()
    }

    /// `Statement[1] "DenyOutsideVpce" (Deny)`.
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

/// A policy's outcome with the account of every statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyTrace {
    /// The outcome.
    pub outcome: PolicyOutcome,
    /// Every statement, in order.
    pub statements: Vec<StatementTrace>,
}

impl PolicyTrace {
    /// The statement that decided the outcome, if any.
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

fn principal_text(statement: &Statement) -> String {
    match &statement.principal {
        None => String::new(),
        Some(PrincipalClause::Principal(p)) => format!("principal {p}"),
        Some(PrincipalClause::NotPrincipal(p)) => format!("not principal {p}"),
    }
}

fn caller_text(caller: &Caller) -> String {
    match caller {
        Caller::Anonymous => "the caller is not an IAM identity".to_owned(),
        Caller::Iam(iam) => format!("caller `{}`", iam.arn()),
    }
}

fn describe_match(statement: &Statement, req: &EvalRequest<'_>) -> String {
    let mut parts = Vec::new();
    let principal = principal_text(statement);
    if !principal.is_empty() {
        parts.push(principal);
    }
    parts.push(format!("action `{}`", req.action));
    parts.push(format!("resource `{}`", req.resource));
    for c in statement.conditions.iter() {
        parts.push(c.describe(req.context));
    }
    parts.join("; ")
}

fn describe_mismatch(statement: &Statement, m: Mismatch, req: &EvalRequest<'_>) -> String {
    match m {
        Mismatch::PrincipalNotNamed => format!(
            "{} is not named by {}{}",
            caller_text(req.caller),
            principal_text(statement),
            if matches!(req.caller, Caller::Anonymous) {
                " (AWS principals match only callers that sign with IAM: AWS_IAM authorization)"
            } else {
                ""
            }
        ),
        Mismatch::PrincipalDelegated => format!(
            "{} names only the API owner's account `{}`: within the owner's account this delegates to the caller's IAM policies and grants nothing by itself",
            principal_text(statement),
            req.owner_account
        ),
        Mismatch::PrincipalExcluded => format!(
            "{} is excluded by {}",
            caller_text(req.caller),
            principal_text(statement)
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
        Mismatch::ResourceExcluded => format!(
            "`{}` is excluded by NotResource [{}]",
            req.resource,
            list(statement.resources.patterns())
        ),
        Mismatch::ResourceVariableMissing { pattern } => {
            let p = statement.resources.patterns().get(pattern);
            let missing: Vec<String> = p
                .into_iter()
                .flat_map(|p| p.variables())
                .filter(|v| v.default.is_none() && req.context.get(&v.key).is_none())
                .map(|v| format!("`{}`", v.key))
                .collect();
            format!(
                "resource `{}` uses policy variable {} that the request does not carry, so it cannot match",
                p.map(Pattern::as_str).unwrap_or_default(),
                missing.join(", ")
            )
        }
        Mismatch::ConditionFalse { index } => statement
            .conditions
            .get(index)
            .map(|c| c.describe(req.context))
            .unwrap_or_default(),
    }
}

/// Keys a policy's conditions read; for lints and for showing which request values mattered.
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
