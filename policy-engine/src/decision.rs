//! Combining the policy layers by the "Policy evaluation outcome tables" of the API Gateway
//! developer guide, and the final [`Decision`] for a request through the gateway.
//!
//! This is the last step of the model: each layer is evaluated on its own by [`crate::eval`]
//! into a [`PolicyOutcome`] — the identity side (the caller's IAM policies, or the policy a
//! Lambda authorizer returned) and the API's resource policy — and [`combine`] looks the pair
//! up in a table:
//! - Table A (the IAM caller, or the Lambda authorizer's function, in the API owner's
//!   account): either the identity side or the resource policy may allow; any explicit deny
//!   wins;
//! - Table B (another account): both must explicitly allow.
//!
//! The rows are the guide's, in its order. A missing resource policy counts as "neither allow
//! nor deny". The simulated gateway ([`crate::flow`]) does all of this, plus what happens
//! before any policy (missing signatures, authorizer failures), and returns a [`Decision`].
//!
//! ```
//! use policy_engine::decision::{combine, Table};
//! use policy_engine::eval::PolicyOutcome;
//!
//! // The caller's IAM policy allows; the resource policy says nothing about the caller.
//! let same_account = combine(Table::A, PolicyOutcome::Allow, PolicyOutcome::ImplicitDeny);
//! assert_eq!(same_account.result, PolicyOutcome::Allow);
//! let cross_account = combine(Table::B, PolicyOutcome::Allow, PolicyOutcome::ImplicitDeny);
//! assert_eq!(cross_account.result, PolicyOutcome::ImplicitDeny);
//! assert_eq!(
//!     cross_account.to_string(),
//!     "Table B row 2 (cross account): IAM policy or authorizer `Allow` × resource policy `Neither Allow nor Deny` → Implicit Deny"
//! );
//! ```

use std::fmt;

use serde_json::{Map, Value};

use crate::eval::PolicyOutcome;

/// Which outcome table applies: A when the IAM caller's account (or the Lambda authorizer
/// function's) owns the API, B otherwise.
///
/// ```
/// use policy_engine::decision::Table;
/// use policy_engine::principal::IamCaller;
///
/// let owner = "123456789012";
/// let caller = IamCaller::from_arn("arn:aws:iam::111122223333:user/alice")?;
/// let table = if caller.account() == owner { Table::A } else { Table::B };
/// assert_eq!(table, Table::B);
/// # Ok::<(), policy_engine::principal::CallerArnError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Table {
    /// Table A: account A calls an API owned by account A.
    A,
    /// Table B: account B calls an API owned by account A.
    B,
}

/// One row of Table A or B: the two inputs and the resulting behaviour, from [`combine`].
/// Displays as the guide's row, in its words.
///
/// ```
/// use policy_engine::decision::{combine, Table};
/// use policy_engine::eval::PolicyOutcome;
///
/// let row = combine(Table::A, PolicyOutcome::ImplicitDeny, PolicyOutcome::Allow);
/// assert_eq!((row.row, row.result), (4, PolicyOutcome::Allow));
/// assert_eq!(
///     row.to_string(),
///     "Table A row 4 (same account): IAM policy or authorizer `Neither Allow nor Deny` × resource policy `Allow` → Allow"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableRow {
    /// The table.
    pub table: Table,
    /// The row number, 1 to 9, in the guide's order.
    pub row: u8,
    /// The IAM policy (or Lambda / Cognito authorizer) column.
    pub identity: PolicyOutcome,
    /// The API Gateway resource policy column.
    pub resource: PolicyOutcome,
    /// The resulting behaviour.
    pub result: PolicyOutcome,
}

impl fmt::Display for TableRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Table {} row {} ({}): IAM policy or authorizer `{}` × resource policy `{}` → {}",
            match self.table {
                Table::A => "A",
                Table::B => "B",
            },
            self.row,
            match self.table {
                Table::A => "same account",
                Table::B => "cross account",
            },
            self.identity.table_wording(),
            self.resource.table_wording(),
            self.result.result_wording(),
        )
    }
}

use PolicyOutcome::{Allow, ExplicitDeny as Deny, ImplicitDeny as Neither};

/// Table A, as the guide gives it: (IAM policy or authorizer, resource policy, result).
///
/// ```
/// use policy_engine::decision::TABLE_A;
/// use policy_engine::eval::PolicyOutcome::{Allow, ImplicitDeny};
///
/// // Same account: one allow is enough, unless someone denies.
/// assert_eq!(TABLE_A[1], (Allow, ImplicitDeny, Allow));
/// ```
pub const TABLE_A: [(PolicyOutcome, PolicyOutcome, PolicyOutcome); 9] = [
    (Allow, Allow, Allow),
    (Allow, Neither, Allow),
    (Allow, Deny, Deny),
    (Neither, Allow, Allow),
    (Neither, Neither, Neither),
    (Neither, Deny, Deny),
    (Deny, Allow, Deny),
    (Deny, Neither, Deny),
    (Deny, Deny, Deny),
];

/// Table B, as the guide gives it: (IAM policy or authorizer, resource policy, result).
///
/// ```
/// use policy_engine::decision::TABLE_B;
/// use policy_engine::eval::PolicyOutcome::{Allow, ImplicitDeny};
///
/// // Cross account: only both allowing allows.
/// let allowing: Vec<_> = TABLE_B.iter().filter(|(_, _, result)| *result == Allow).collect();
/// assert_eq!(allowing, [&(Allow, Allow, Allow)]);
/// assert_eq!(TABLE_B[1], (Allow, ImplicitDeny, ImplicitDeny));
/// ```
pub const TABLE_B: [(PolicyOutcome, PolicyOutcome, PolicyOutcome); 9] = [
    (Allow, Allow, Allow),
    (Allow, Neither, Neither),
    (Allow, Deny, Deny),
    (Neither, Allow, Neither),
    (Neither, Neither, Neither),
    (Neither, Deny, Deny),
    (Deny, Allow, Deny),
    (Deny, Neither, Deny),
    (Deny, Deny, Deny),
];

/// Combine the identity-side outcome (IAM policies or the authorizer's policy) with the resource
/// policy's outcome; a missing resource policy counts as "neither allow nor deny".
///
/// ```
/// use policy_engine::decision::{combine, Table};
/// use policy_engine::eval::PolicyOutcome;
///
/// // An explicit deny on either side wins, in both tables.
/// for table in [Table::A, Table::B] {
///     let row = combine(table, PolicyOutcome::Allow, PolicyOutcome::ExplicitDeny);
///     assert_eq!(row.result, PolicyOutcome::ExplicitDeny);
/// }
/// ```
pub fn combine(table: Table, identity: PolicyOutcome, resource: PolicyOutcome) -> TableRow {
    let rows = match table {
        Table::A => &TABLE_A,
        Table::B => &TABLE_B,
    };
    let found = rows
        .iter()
        .zip(1u8..)
        .find(|((i, r, _), _)| *i == identity && *r == resource);
    let (result, row) = match found {
        Some(((_, _, result), row)) => (*result, row),
        // INVARIANT: the tables cover all nine combinations; deny if that ever changes.
        None => (Deny, 0),
    };
    TableRow {
        table,
        row,
        identity,
        resource,
        result,
    }
}

/// API Gateway's gateway response types for the ways a request can be refused: the
/// [`Decision::gateway_response`] of a refusal.
///
/// New response types may be added, so a `match` needs a `_` arm.
///
/// ```
/// use policy_engine::decision::GatewayResponse;
///
/// assert_eq!(GatewayResponse::AccessDenied.name(), "ACCESS_DENIED");
/// assert_eq!(GatewayResponse::AccessDenied.status(), 403);
/// assert_eq!(GatewayResponse::RequestUriTooLong.name(), "DEFAULT_4XX");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GatewayResponse {
    /// 403: the policies deny the request.
    AccessDenied,
    /// 401: the authorizer answered `Unauthorized`, or an identity source is missing.
    Unauthorized,
    /// 403: an `AWS_IAM` method was called without a SigV4 signature.
    MissingAuthenticationToken,
    /// 500: the authorizer failed or returned a malformed response.
    AuthorizerFailure,
    /// 500: the authorizer could not be called (configuration).
    AuthorizerConfigurationError,
    /// 414 `Request URI too long`: the method ARN of a method with authorization is longer than
    /// [`MAX_METHOD_ARN_BYTES`] (path parameter values can push it over at run time). API
    /// Gateway has no response type of its own for it: it is a `DEFAULT_4XX`.
    RequestUriTooLong,
}

/// The longest method ARN (`arn:aws:execute-api:{region}:{account}:{api}/{stage}/{method}/{path}`)
/// API Gateway accepts for a method with authorization, or when a resource policy is used; a
/// longer one is answered 414 (a quota that cannot be increased).
///
/// ```
/// use policy_engine::arn::{ApiRef, MethodArn};
/// use policy_engine::decision::MAX_METHOD_ARN_BYTES;
///
/// let api = ApiRef {
///     partition: "aws".into(),
///     region: "us-east-1".into(),
///     account_id: "123456789012".into(),
///     api_id: "a1b2c3d4e5".into(),
/// };
/// let long_id = "x".repeat(1600);
/// let arn = MethodArn::for_method(&api, "prod", "GET", &format!("/pets/{long_id}"));
/// assert!(arn.as_str().len() > MAX_METHOD_ARN_BYTES); // would be answered 414
/// ```
pub const MAX_METHOD_ARN_BYTES: usize = 1600;

impl GatewayResponse {
    /// The gateway response type as API Gateway names it (what you customize in the
    /// console or with `put-gateway-response`).
    ///
    /// ```
    /// # use policy_engine::decision::GatewayResponse;
    /// assert_eq!(GatewayResponse::MissingAuthenticationToken.name(), "MISSING_AUTHENTICATION_TOKEN");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            GatewayResponse::AccessDenied => "ACCESS_DENIED",
            GatewayResponse::Unauthorized => "UNAUTHORIZED",
            GatewayResponse::MissingAuthenticationToken => "MISSING_AUTHENTICATION_TOKEN",
            GatewayResponse::AuthorizerFailure => "AUTHORIZER_FAILURE",
            GatewayResponse::AuthorizerConfigurationError => "AUTHORIZER_CONFIGURATION_ERROR",
            GatewayResponse::RequestUriTooLong => "DEFAULT_4XX",
        }
    }

    /// The default HTTP status of the response type.
    ///
    /// ```
    /// # use policy_engine::decision::GatewayResponse;
    /// assert_eq!(GatewayResponse::Unauthorized.status(), 401);
    /// assert_eq!(GatewayResponse::AuthorizerFailure.status(), 500);
    /// ```
    pub fn status(self) -> u16 {
        match self {
            GatewayResponse::AccessDenied | GatewayResponse::MissingAuthenticationToken => 403,
            GatewayResponse::Unauthorized => 401,
            GatewayResponse::AuthorizerFailure | GatewayResponse::AuthorizerConfigurationError => {
                500
            }
            GatewayResponse::RequestUriTooLong => 414,
        }
    }
}

/// The final outcome of one request through the simulated gateway: the status the client
/// sees, why, and every step that led there.
///
/// [`flow`](crate::flow) produces it; [`Decision::from_outcome`] and [`Decision::refused`]
/// build one from a policy outcome or a refusal. Fields may be added, so build one with those
/// constructors rather than a struct literal.
///
/// ```
/// use policy_engine::decision::{combine, Decision, Table};
/// use policy_engine::eval::PolicyOutcome;
///
/// let row = combine(Table::B, PolicyOutcome::Allow, PolicyOutcome::Allow);
/// let mut decision = Decision::from_outcome(row.result, vec![row.to_string()]);
/// decision.table_row = Some(row);
/// assert_eq!(decision.status, 200);
/// assert_eq!(decision.gateway_response, None);
/// assert_eq!(decision.to_string(), "200 Allow");
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Decision {
    /// 200 (reached the integration), 401, 403, 414 or 500.
    pub status: u16,
    /// Why the request was refused; `None` when it reached the integration.
    pub gateway_response: Option<GatewayResponse>,
    /// The combined policy outcome; `ImplicitDeny` for refusals before policy evaluation.
    pub outcome: PolicyOutcome,
    /// The table row that combined the layers, when two layers were combined.
    pub table_row: Option<TableRow>,
    /// Whether an authorizer function was invoked.
    pub authorizer_invoked: bool,
    /// Whether the authorizer's result came from the cache.
    pub cache_hit: bool,
    /// `$context.authorizer.principalId`, when an authorizer answered.
    pub principal_id: Option<String>,
    /// `$context.authorizer.*` values as the backend sees them.
    pub context: Map<String, Value>,
    /// Every step the gateway took, in order, with its reason.
    pub steps: Vec<String>,
}

impl Decision {
    /// A decision reached purely by policy evaluation: 200 for `Allow`, else 403
    /// ([`GatewayResponse::AccessDenied`]). The other fields are empty.
    ///
    /// ```
    /// # use policy_engine::decision::{Decision, GatewayResponse};
    /// use policy_engine::eval::PolicyOutcome;
    ///
    /// let decision = Decision::from_outcome(PolicyOutcome::ExplicitDeny, vec![]);
    /// assert_eq!(decision.status, 403);
    /// assert_eq!(decision.gateway_response, Some(GatewayResponse::AccessDenied));
    /// assert_eq!(decision.to_string(), "403 ExplicitDeny (ACCESS_DENIED)");
    /// ```
    pub fn from_outcome(outcome: PolicyOutcome, steps: Vec<String>) -> Self {
        let refused = (outcome != PolicyOutcome::Allow).then_some(GatewayResponse::AccessDenied);
        Self {
            status: refused.map_or(200, GatewayResponse::status),
            gateway_response: refused,
            outcome,
            table_row: None,
            authorizer_invoked: false,
            cache_hit: false,
            principal_id: None,
            context: Map::new(),
            steps,
        }
    }

    /// A refusal before any policy decided (401, 500, or 403 for a missing signature); the
    /// outcome is `ImplicitDeny`.
    ///
    /// ```
    /// # use policy_engine::decision::{Decision, GatewayResponse};
    /// use policy_engine::eval::PolicyOutcome;
    ///
    /// let decision = Decision::refused(
    ///     GatewayResponse::Unauthorized,
    ///     vec!["identity source `Authorization` is missing: 401".to_owned()],
    /// );
    /// assert_eq!((decision.status, decision.outcome), (401, PolicyOutcome::ImplicitDeny));
    /// ```
    pub fn refused(response: GatewayResponse, steps: Vec<String>) -> Self {
        Self {
            status: response.status(),
            gateway_response: Some(response),
            outcome: PolicyOutcome::ImplicitDeny,
            table_row: None,
            authorizer_invoked: false,
            cache_hit: false,
            principal_id: None,
            context: Map::new(),
            steps,
        }
    }

    /// The explanation: one step per line.
    ///
    /// ```
    /// # use policy_engine::decision::Decision;
    /// use policy_engine::eval::PolicyOutcome;
    ///
    /// let steps = vec!["resource policy: Allow".to_owned(), "200".to_owned()];
    /// let decision = Decision::from_outcome(PolicyOutcome::Allow, steps);
    /// assert_eq!(decision.explanation(), "resource policy: Allow\n200");
    /// ```
    pub fn explanation(&self) -> String {
        self.steps.join("\n")
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.outcome)?;
        if let Some(r) = self.gateway_response {
            write!(f, " ({})", r.name())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed's tables, transcribed row by row in the seed's own words, so a change to the
    /// constants above that drifts from the documentation fails here.
    const SEED_TABLE_A: &str = "\
Allow Allow Allow
Allow | Neither Allow nor Deny | Allow
Allow Deny | Explicit Deny
Neither Allow nor Deny | Allow | Allow
Neither Allow nor Deny | Neither Allow nor Deny | Implicit Deny
Neither Allow nor Deny | Deny | Explicit Deny
Deny | Allow | Explicit Deny
Deny | Neither Allow nor Deny | Explicit Deny
Deny | Deny | Explicit Deny";

    const SEED_TABLE_B: &str = "\
Allow Allow Allow
Allow | Neither Allow nor Deny | Implicit Deny
Allow | Deny | Explicit Deny
Neither Allow nor Deny | Allow | Implicit Deny
Neither Allow nor Deny | Neither Allow nor Deny | Implicit Deny
Neither Allow nor Deny | Deny | Explicit Deny
Deny | Allow | Explicit Deny
Deny | Neither Allow nor Deny | Explicit Deny
Deny | Deny | Explicit Deny";

    fn check_table(table: Table, seed: &str) {
        let rows: Vec<&str> = seed.lines().collect();
        assert_eq!(rows.len(), 9);
        for (identity, resource, expected) in [Allow, Neither, Deny]
            .into_iter()
            .flat_map(|i| [Allow, Neither, Deny].map(move |r| (i, r)))
            .zip(rows)
            .map(|((i, r), line)| (i, r, line))
        {
            let row = combine(table, identity, resource);
            // The words the explanation prints, which must be the guide's own.
            let rendered = format!(
                "{} | {} | {}",
                identity.table_wording(),
                resource.table_wording(),
                row.result.result_wording()
            );
            assert!(
                row.to_string()
                    .ends_with(&format!("→ {}", row.result.result_wording()))
            );
            assert_eq!(
                rendered.replace(" | ", " "),
                expected.replace(" | ", " "),
                "{row}"
            );
        }
    }

    #[test]
    fn table_a_matches_the_seed() {
        check_table(Table::A, SEED_TABLE_A);
    }

    #[test]
    fn table_b_matches_the_seed() {
        check_table(Table::B, SEED_TABLE_B);
    }

    #[test]
    fn rows_are_numbered_in_seed_order() {
        assert_eq!(combine(Table::A, Neither, Allow).row, 4);
        assert_eq!(combine(Table::B, Deny, Deny).row, 9);
        assert_eq!(
            combine(Table::B, Allow, Neither).to_string(),
            "Table B row 2 (cross account): IAM policy or authorizer `Allow` × resource policy `Neither Allow nor Deny` → Implicit Deny"
        );
    }

    #[test]
    fn statuses() {
        assert_eq!(Decision::from_outcome(Allow, vec![]).status, 200);
        assert_eq!(Decision::from_outcome(Neither, vec![]).status, 403);
        assert_eq!(
            Decision::refused(GatewayResponse::Unauthorized, vec![]).status,
            401
        );
        assert_eq!(
            Decision::refused(GatewayResponse::AuthorizerFailure, vec![]).status,
            500
        );
    }
}
