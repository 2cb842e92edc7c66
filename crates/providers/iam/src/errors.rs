//! IAM-specific error handling on top of `lakectl_provider::aws_error`.

use aws_sdk_iam::error::SdkError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use lakectl_core::ProviderError;
use lakectl_provider::aws_error;

/// Maps an error of a call that sends a trust policy (CreateRole, UpdateAssumeRolePolicy).
///
/// IAM is eventually consistent: a trust policy naming a role created a second ago can be
/// refused with `MalformedPolicyDocument` "Invalid principal" until that role has propagated.
/// That one case is marked to settle later, so the engine's bounded retry sends it again; every
/// other malformed document is the user's to fix and stays final. IAM gives this case no code
/// of its own, so it is the one place lakectl reads a message.
pub fn trust_policy_error<E>(
    operation: &'static str,
    resource: &str,
    err: SdkError<E, HttpResponse>,
) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let mapped = aws_error(operation, resource, err);
    match &mapped {
        ProviderError::Aws { code, message, .. } if is_propagation_delay(code, message) => {
            mapped.settles_later()
        }
        _ => mapped,
    }
}

/// Whether IAM refused a policy only because a principal in it has not propagated yet.
pub fn is_propagation_delay(code: &str, message: &str) -> bool {
    code == "MalformedPolicyDocument" && message.to_ascii_lowercase().contains("invalid principal")
}

/// A request the SDK could not build (a tag without a key); a bug in the spec, not AWS.
pub fn build_error(resource: &str, what: &str, err: impl std::fmt::Display) -> ProviderError {
    ProviderError::invalid(resource, format!("cannot build {what}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_unpropagated_principal_is_retryable() {
        let cases = [
            (
                "new role not visible yet",
                "MalformedPolicyDocument",
                "Invalid principal in policy: \"AWS\":\"arn:aws:iam::1:role/x\"",
                true,
            ),
            (
                "bad json is final",
                "MalformedPolicyDocument",
                "Syntax errors in policy.",
                false,
            ),
            (
                "other code with the same words",
                "InvalidInput",
                "Invalid principal",
                false,
            ),
        ];
        for (why, code, message, want) in cases {
            assert_eq!(is_propagation_delay(code, message), want, "{why}");
        }
    }
}
