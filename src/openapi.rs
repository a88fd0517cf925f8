//! OpenAPI exports as `policy-sim lint` input: the export is read by
//! `policy_engine::openapi` and reviewed by `policy_engine::lint::setup::lint_openapi`; an
//! export API Gateway would refuse is one error finding at the offending field.

use policy_engine::json::{FileError, JsonPath};
use policy_engine::lint::{Finding, Severity, setup};
use serde_json::Value;

/// Review an OpenAPI export; `api` (`arn:aws:execute-api:REGION:ACCOUNT:API_ID`) names the
/// API when the export's policy does not.
pub(crate) fn lint(
    file: &str,
    value: &Value,
    api: Option<&str>,
) -> Result<Vec<Finding>, FileError> {
    let api_ref = api
        .map(|a| crate::lint::api_ref(file, value, Some(a)))
        .transpose()?;
    match policy_engine::openapi::parse(file, value, api_ref.as_ref()) {
        Ok(setup) => Ok(setup::lint_openapi(&setup)),
        Err(e) => {
            let path = e.path().cloned().unwrap_or_else(JsonPath::root);
            let ttl = path.as_str().ends_with("authorizerResultTtlInSeconds");
            Ok(vec![Finding::new(
                Severity::Error,
                if ttl {
                    "ttl-above-maximum"
                } else {
                    "invalid-openapi"
                },
                path,
                e.problem().to_owned(),
                if ttl {
                    "set `authorizerResultTtlInSeconds` to at most 3600 (0 turns caching off)"
                        .to_owned()
                } else {
                    "correct the export: API Gateway refuses to import it as written".to_owned()
                },
            )])
        }
    }
}
