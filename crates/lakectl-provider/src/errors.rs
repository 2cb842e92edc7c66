//! SDK errors to provider errors.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use lakectl_core::{ErrorClass, ProviderError};

/// AWS error codes by class, across the services lakectl manages. A code that means
/// different things in different calls (DynamoDB's `ResourceInUseException`) is classed by the
/// provider for the call at hand with [`ProviderError::with_class`].
const CLASSES: &[(ErrorClass, &[&str])] = &[
    (
        ErrorClass::NotFound,
        &[
            "ResourceNotFoundException",
            "NoSuchEntity",
            "NoSuchBucket",
            "NotFound",
            "NotFoundException",
            "EntityNotFoundException",
            "StateMachineDoesNotExist",
            "TableNotFoundException",
            "ParameterNotFound",
        ],
    ),
    (
        ErrorClass::AlreadyExists,
        &[
            "ResourceAlreadyExistsException",
            "EntityAlreadyExists",
            "AlreadyExistsException",
            "BucketAlreadyOwnedByYou",
            "BucketAlreadyExists",
            "StateMachineAlreadyExists",
            "ParameterAlreadyExists",
        ],
    ),
    (
        ErrorClass::Throttled,
        &[
            "Throttling",
            "ThrottlingException",
            "ThrottledException",
            "TooManyRequestsException",
            "RequestLimitExceeded",
            "ProvisionedThroughputExceededException",
            "SlowDown",
        ],
    ),
    (
        ErrorClass::AccessDenied,
        &[
            "AccessDenied",
            "AccessDeniedException",
            "AuthorizationError",
            "UnauthorizedOperation",
            "UnrecognizedClientException",
            "InvalidClientTokenId",
            "ExpiredToken",
            "Forbidden",
        ],
    ),
    (
        ErrorClass::Conflict,
        &[
            "ConcurrentModification",
            "ConcurrentModificationException",
            "OperationAborted",
            "OperationAbortedException",
            "ConflictException",
            "DeleteConflict",
            "ResourceInUseException",
            "ContinuousBackupsUnavailableException",
            "CrawlerRunningException",
        ],
    ),
    (
        ErrorClass::Validation,
        &[
            "ValidationException",
            "ValidationError",
            "InvalidParameterException",
            "InvalidParameterValue",
            "InvalidParameterValueException",
            "InvalidParameter",
            "InvalidParameterCombination",
            "InvalidInput",
            "InvalidInputException",
            "InvalidDefinition",
            "InvalidArgument",
            "MalformedPolicyDocument",
            "MalformedPolicy",
            "LimitExceeded",
            "LimitExceededException",
        ],
    ),
];

/// The class of an AWS error code.
pub fn classify(code: &str) -> ErrorClass {
    CLASSES
        .iter()
        .find(|(_, codes)| codes.contains(&code))
        .map_or(ErrorClass::Other, |(class, _)| *class)
}

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
                    class: classify(code),
                    retryable: false,
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
                    class: match status {
                        404 => ErrorClass::NotFound,
                        403 => ErrorClass::AccessDenied,
                        409 => ErrorClass::Conflict,
                        503 => ErrorClass::Throttled,
                        _ => ErrorClass::Other,
                    },
                    retryable: false,
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
            class: ErrorClass::Other,
            retryable: false,
        },
    }
}

/// Maps the error of an SDK call's result: `call.send().await.doing("logs:DeleteLogGroup", name)`.
pub trait Doing<T> {
    /// The result with its error mapped by [`aws_error`].
    ///
    /// # Errors
    /// The call failed.
    fn doing(self, operation: &'static str, resource: &str) -> Result<T, ProviderError>;
}

impl<T, E> Doing<T> for Result<T, SdkError<E, HttpResponse>>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    fn doing(self, operation: &'static str, resource: &str) -> Result<T, ProviderError> {
        self.map_err(|e| aws_error(operation, resource, e))
    }
}

/// A request the SDK refused to build (a required field missing): a bug in the mapping from the
/// spec, reported as an invalid resource rather than a panic.
pub trait Built<T> {
    /// The built value, or an error that names the resource and what was being built.
    ///
    /// # Errors
    /// The builder refused.
    fn built(self, resource: &str, what: &str) -> Result<T, ProviderError>;
}

impl<T, E: std::fmt::Display> Built<T> for Result<T, E> {
    fn built(self, resource: &str, what: &str) -> Result<T, ProviderError> {
        self.map_err(|e| ProviderError::invalid(resource, format!("cannot build {what}: {e}")))
    }
}

/// A code whose meaning depends on the call: classed for the call at hand, from AWS's code.
pub trait ClassedWhen<T>: Sized {
    /// The result with an error of `code` classed as `class`.
    ///
    /// # Errors
    /// The call failed.
    fn classed_when(self, code: &str, class: ErrorClass) -> Result<T, ProviderError>;

    /// `code` means "the name is taken" here (a conditional write's failed precondition).
    ///
    /// # Errors
    /// The call failed.
    fn taken_when(self, code: &str) -> Result<T, ProviderError> {
        self.classed_when(code, ErrorClass::AlreadyExists)
    }

    /// `code` means "no such resource" here (Athena's InvalidRequestException for a call
    /// that names a workgroup).
    ///
    /// # Errors
    /// The call failed.
    fn missing_when(self, code: &str) -> Result<T, ProviderError> {
        self.classed_when(code, ErrorClass::NotFound)
    }

    /// `code` with a message holding `words` means "no such resource" here: CloudFormation
    /// answers every bad request with `ValidationError`, a missing stack among them
    /// ("Stack with id x does not exist").
    ///
    /// # Errors
    /// The call failed.
    fn missing_when_says(self, code: &str, words: &str) -> Result<T, ProviderError>;
}

impl<T> ClassedWhen<T> for Result<T, ProviderError> {
    fn classed_when(self, code: &str, class: ErrorClass) -> Result<T, ProviderError> {
        self.map_err(|e| match e.code() == Some(code) {
            true => e.with_class(class),
            false => e,
        })
    }

    fn missing_when_says(self, code: &str, words: &str) -> Result<T, ProviderError> {
        self.map_err(|e| match &e {
            ProviderError::Aws {
                code: c, message, ..
            } if c == code && message.contains(words) => e.with_class(ErrorClass::NotFound),
            _ => e,
        })
    }
}

/// "Not found" read as a fact rather than a failure.
pub trait Found<T> {
    /// `None` when the error says the resource does not exist.
    ///
    /// # Errors
    /// Any other failure.
    fn found(self) -> Result<Option<T>, ProviderError>;

    /// Success when the error says the resource does not exist: a delete of something
    /// already gone is done.
    ///
    /// # Errors
    /// Any other failure.
    fn gone_is_done(self) -> Result<(), ProviderError>;
}

impl<T> Found<T> for Result<T, ProviderError> {
    fn found(self) -> Result<Option<T>, ProviderError> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn gone_is_done(self) -> Result<(), ProviderError> {
        self.found().map(drop)
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
    use super::{causes, classify};
    use lakectl_core::ErrorClass;

    #[test]
    fn codes_are_classed_the_same_for_every_service() {
        let cases = [
            (
                "dynamodb, logs",
                "ResourceNotFoundException",
                ErrorClass::NotFound,
            ),
            ("iam", "NoSuchEntity", ErrorClass::NotFound),
            ("sns", "NotFound", ErrorClass::NotFound),
            (
                "logs",
                "ResourceAlreadyExistsException",
                ErrorClass::AlreadyExists,
            ),
            ("iam", "EntityAlreadyExists", ErrorClass::AlreadyExists),
            ("s3", "BucketAlreadyOwnedByYou", ErrorClass::AlreadyExists),
            ("query protocol", "Throttling", ErrorClass::Throttled),
            ("s3", "SlowDown", ErrorClass::Throttled),
            ("sns", "AuthorizationError", ErrorClass::AccessDenied),
            ("iam", "DeleteConflict", ErrorClass::Conflict),
            ("cloudformation", "ValidationError", ErrorClass::Validation),
            ("ssm", "ParameterNotFound", ErrorClass::NotFound),
            ("ssm", "ParameterAlreadyExists", ErrorClass::AlreadyExists),
            ("logs", "InvalidParameterException", ErrorClass::Validation),
            ("unknown", "SomethingNew", ErrorClass::Other),
        ];
        for (service, code, want) in cases {
            assert_eq!(classify(code), want, "{service}: {code}");
        }
    }
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

    #[test]
    fn a_validation_error_that_says_missing_reads_as_not_found() {
        use super::{ClassedWhen, Found};
        let err = |message: &str| -> Result<(), lakectl_core::ProviderError> {
            Err(lakectl_core::ProviderError::Aws {
                operation: "cloudformation:DescribeStacks",
                resource: "lake-dev-ci".into(),
                code: "ValidationError".into(),
                message: message.into(),
                request_id: None,
                class: ErrorClass::Validation,
                retryable: false,
            })
        };
        let missing = err("Stack with id lake-dev-ci does not exist")
            .missing_when_says("ValidationError", "does not exist")
            .found();
        assert!(matches!(missing, Ok(None)));
        let bad = err("Template format error")
            .missing_when_says("ValidationError", "does not exist")
            .found();
        assert!(bad.is_err(), "another validation error stays an error");
    }
}
