//! The error a provider returns: what was being done, to what, and what AWS said.

use miette::Diagnostic;
use thiserror::Error;

/// What kind of failure an AWS error is, read from its typed variant or error code (never
/// from its message), so the engine and providers decide on facts, not on text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The resource (or the thing asked about) does not exist.
    NotFound,
    /// A create found the name taken.
    AlreadyExists,
    /// Too many requests; the SDK has already retried it.
    Throttled,
    /// The identity may not do this.
    AccessDenied,
    /// Another change is in progress or conflicts (the resource is busy).
    Conflict,
    /// AWS rejected the request as invalid.
    Validation,
    /// Anything else.
    Other,
}

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
        /// What kind of failure AWS's code says it is.
        class: ErrorClass,
        /// Whether the engine may run the whole step again shortly: set only for documented
        /// eventual-consistency cases (an IAM principal not propagated yet). Throttling is
        /// retried by the SDK, once, and is never retried again on top.
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
    /// A resource did not reach the state waited for within the engine's limit.
    #[error("{resource} did not {goal} within {}s (still {status})", waited.as_secs())]
    #[diagnostic(
        code(lakectl::wait_timeout),
        help("AWS is still working on it: run the deploy again later")
    )]
    WaitTimeout {
        /// `service:Operation` polled.
        operation: &'static str,
        /// The physical name.
        resource: String,
        /// What it was waited on to do: `become ACTIVE`, `be deleted`.
        goal: String,
        /// The last status seen.
        status: String,
        /// How long lakectl waited.
        waited: std::time::Duration,
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

    /// The class of an AWS error; `None` when AWS did not answer with one.
    pub fn class(&self) -> Option<ErrorClass> {
        match self {
            ProviderError::Aws { class, .. } => Some(*class),
            _ => None,
        }
    }

    /// Whether AWS said the resource does not exist.
    pub fn is_not_found(&self) -> bool {
        self.class() == Some(ErrorClass::NotFound)
    }

    /// Whether a create found the name already taken.
    pub fn is_already_exists(&self) -> bool {
        self.class() == Some(ErrorClass::AlreadyExists)
    }

    /// The same error with another class: for codes whose meaning depends on the call
    /// (DynamoDB's `ResourceInUseException` is "already exists" only for CreateTable).
    pub fn with_class(mut self, new: ErrorClass) -> Self {
        if let ProviderError::Aws { class, .. } = &mut self {
            *class = new;
        }
        self
    }

    /// The same error, marked as a documented eventual-consistency case: the engine may run
    /// the step again after a pause.
    pub fn settles_later(mut self) -> Self {
        if let ProviderError::Aws { retryable, .. } = &mut self {
            *retryable = true;
        }
        self
    }

    /// AWS's error code, when AWS answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            ProviderError::Aws { code, .. } => Some(code),
            _ => None,
        }
    }

    /// A create that found the name taken, when AWS says so without an error (S3 in
    /// us-east-1 answers CreateBucket on a bucket of the same account with 200).
    pub fn already_exists(operation: &'static str, resource: impl Into<String>) -> Self {
        ProviderError::Aws {
            operation,
            resource: resource.into(),
            code: "AlreadyExists".into(),
            message: "a resource of this name exists already".into(),
            request_id: None,
            class: ErrorClass::AlreadyExists,
            retryable: false,
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
/// An error and its causes on one line, `outer: inner: innermost`, for progress lines and
/// reports.
pub fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
