//! SDK errors to provider errors.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use lakectl_core::ProviderError;

/// Codes that mean "too fast" or "busy": the same call may succeed shortly.
const RETRYABLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ProvisionedThroughputExceededException",
    "ConcurrentModification",
    "ConcurrentModificationException",
    "OperationAborted",
    "ServiceUnavailable",
    "InternalError",
    "SlowDown",
];

/// Maps an SDK error to a [`ProviderError`] that says what was being done to what.
///
/// An HTTP 500/501 without an AWS error code is how an emulator answers an API it does not
/// implement: that becomes [`ProviderError::Unsupported`], not a crash.
pub fn aws_error<E>(
    operation: &'static str,
    resource: &str,
    err: SdkError<E, HttpResponse>,
) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let resource = resource.to_string();
    match &err {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) => ProviderError::Unreachable {
            operation,
            resource,
            detail: causes(&err),
        },
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let service = ctx.err();
            match service.code() {
                Some(code) => ProviderError::Aws {
                    operation,
                    resource,
                    code: code.to_string(),
                    message: service.message().unwrap_or("no message").to_string(),
                    request_id: service.meta().extra("aws_request_id").map(str::to_string),
                    retryable: RETRYABLE_CODES.contains(&code),
                },
                None if status == 500 || status == 501 => ProviderError::Unsupported {
                    operation,
                    resource,
                    detail: format!("HTTP {status} without an AWS error code"),
                },
                None => ProviderError::Aws {
                    operation,
                    resource,
                    code: format!("HTTP{status}"),
                    message: DisplayErrorContext(&err).to_string(),
                    request_id: None,
                    retryable: status == 503,
                },
            }
        }
        SdkError::ResponseError(ctx) if ctx.raw().status().as_u16() >= 500 => {
            ProviderError::Unsupported {
                operation,
                resource,
                detail: format!(
                    "HTTP {} with a body that is not an AWS answer",
                    ctx.raw().status().as_u16()
                ),
            }
        }
        _ => ProviderError::Aws {
            operation,
            resource,
            code: "SdkError".into(),
            message: DisplayErrorContext(&err).to_string(),
            request_id: None,
            retryable: false,
        },
    }
}

/// The error and its sources as one line of their messages, without the repeats and the debug
/// dump of [`DisplayErrorContext`]: "dispatch failure: io error: tcp connect error: Connection
/// refused (os error 111)".
pub fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

/// AWS's error code of an SDK error, when it has one.
pub fn error_code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> Option<&str> {
    err.as_service_error().and_then(|e| e.code())
}

/// Whether an SDK error carries one of `codes`: for errors the SDK has no typed variant for
/// (e.g. S3's `NoSuchLifecycleConfiguration`).
pub fn is_code<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>, codes: &[&str]) -> bool {
    error_code(err).is_some_and(|c| codes.contains(&c))
}

#[cfg(test)]
mod tests {
    use super::causes;
    use std::fmt;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl fmt::Display for Layer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|l| l as _)
        }
    }

    #[test]
    fn causes_read_as_one_line_without_repeats() {
        let refused = Layer("Connection refused (os error 111)", None);
        let io = Layer(
            "io error: Connection refused (os error 111)",
            Some(Box::new(refused)),
        );
        let err = Layer("dispatch failure", Some(Box::new(io)));
        assert_eq!(
            causes(&err),
            "dispatch failure: io error: Connection refused (os error 111)"
        );
    }
}
