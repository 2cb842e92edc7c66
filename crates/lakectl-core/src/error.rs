//! The error a provider returns: what was being done, to what, and what AWS said.

use miette::Diagnostic;
use thiserror::Error;

/// A failed call to AWS, or a refusal by the provider. Keeps the operation
/// (`dynamodb:DescribeTable`), the resource, AWS's error code and message and the request id.
#[derive(Debug, Error, Diagnostic)]
pub enum ProviderError {
    /// AWS answered with an error.
    #[error("{operation} on {resource} failed: {code}: {message}{}", request_id.as_deref().map(|r| format!(" (request id {r})")).unwrap_or_default())]
    #[diagnostic(code(lakectl::aws))]
    Aws {
        /// `service:Operation`.
        operation: &'static str,
        /// The physical name the call was about.
        resource: String,
        /// AWS's error code, e.g. `AccessDenied`.
        code: String,
        /// AWS's error message.
        message: String,
        /// The request id, for AWS support.
        request_id: Option<String>,
        /// Whether trying again later can succeed (throttling, eventual consistency).
        retryable: bool,
    },
    /// The endpoint answered that it does not implement the operation (moto: HTTP 500 + HTML).
    #[error("{operation} on {resource} is not supported by this endpoint ({detail})")]
    #[diagnostic(
        code(lakectl::unsupported),
        help("the local emulator lacks this API; see the emulator table in README.md")
    )]
    Unsupported {
        /// `service:Operation`.
        operation: &'static str,
        /// The physical name the call was about.
        resource: String,
        /// What the endpoint said.
        detail: String,
    },
    /// No answer: connection refused, DNS, timeout.
    #[error("{operation} on {resource}: the endpoint did not answer: {detail}")]
    #[diagnostic(
        code(lakectl::unreachable),
        help(
            "check AWS_ENDPOINT_URL / the env file's endpoint, and that the emulator runs (scripts/emulator up)"
        )
    )]
    Unreachable {
        /// `service:Operation`.
        operation: &'static str,
        /// The physical name the call was about.
        resource: String,
        /// The transport error.
        detail: String,
    },
    /// The resource holds data and the change would destroy it.
    #[error("refusing to {action} {resource}: it holds {detail}")]
    #[diagnostic(
        code(lakectl::data_loss),
        help("empty it first, or rerun with --allow-data-loss if losing this data is intended")
    )]
    DataLoss {
        /// `delete` or `replace`.
        action: &'static str,
        /// The physical name.
        resource: String,
        /// What would be lost, e.g. `12 objects`.
        detail: String,
    },
    /// The spec or the live state could not be understood.
    #[error("{resource}: {message}")]
    #[diagnostic(code(lakectl::invalid))]
    Invalid {
        /// The physical name.
        resource: String,
        /// What is wrong.
        message: String,
    },
}

impl ProviderError {
    /// Whether the same call may succeed if tried again shortly.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProviderError::Aws {
                retryable: true,
                ..
            }
        )
    }

    /// AWS's error code, when AWS answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            ProviderError::Aws { code, .. } => Some(code),
            _ => None,
        }
    }

    /// An [`ProviderError::Invalid`] for `resource`.
    pub fn invalid(resource: impl Into<String>, message: impl Into<String>) -> Self {
        ProviderError::Invalid {
            resource: resource.into(),
            message: message.into(),
        }
    }
}
