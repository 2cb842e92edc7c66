//! S3 answers that need more than [`lakectl_aws::aws_error`]: "not configured" codes that mean
//! the unset value, and denials worth explaining.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use lakectl_aws::{aws_error, is_code};
use lakectl_core::ProviderError;

/// Codes S3 answers a Get* call with when that part of the bucket was never configured.
pub const NOT_CONFIGURED: &[&str] = &[
    "NoSuchLifecycleConfiguration",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchPublicAccessBlockConfiguration",
    "NoSuchBucketPolicy",
    "NoSuchTagSet",
];

/// The result of a Get* call with "not configured" turned into `None`.
///
/// # Errors
/// Any other failure, as a [`ProviderError`] naming `operation` and `bucket`.
pub fn unless_unset<T, E>(
    operation: &'static str,
    bucket: &str,
    result: Result<T, SdkError<E, HttpResponse>>,
) -> Result<Option<T>, ProviderError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(out) => Ok(Some(out)),
        Err(e) if is_code(&e, NOT_CONFIGURED) => Ok(None),
        Err(e) => Err(aws_error(operation, bucket, e)),
    }
}

/// The result of a Delete* call with "there was nothing to delete" turned into success.
///
/// # Errors
/// Any other failure.
pub fn ok_if_unset<T, E>(
    operation: &'static str,
    bucket: &str,
    result: Result<T, SdkError<E, HttpResponse>>,
) -> Result<(), ProviderError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    unless_unset(operation, bucket, result).map(|_| ())
}

/// The HTTP status of a failed call, when the server answered.
pub fn status_of<E>(err: &SdkError<E, HttpResponse>) -> Option<u16> {
    err.raw_response().map(|r| r.status().as_u16())
}

/// Whether S3 denied the call (an explicit `AccessDenied`, or a bare 403 from a HEAD or an
/// emulator).
pub fn is_denied<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    is_code(err, &["AccessDenied", "Forbidden", "403"]) || status_of(err) == Some(403)
}

/// An error for a bucket that exists but that this identity may not read: with S3's global
/// names, almost always a bucket of another account.
pub fn foreign_bucket<E>(bucket: &str, err: SdkError<E, HttpResponse>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match aws_error("s3:HeadBucket", bucket, err) {
        ProviderError::Aws {
            operation,
            resource,
            request_id,
            ..
        } => ProviderError::Aws {
            operation,
            resource,
            code: "Forbidden".into(),
            message: "the bucket exists but belongs to another account (or this identity may \
                      not read it); bucket names are global across all AWS accounts: choose \
                      another name"
                .into(),
            request_id,
            retryable: false,
        },
        other => other,
    }
}

/// An error for a bucket that exists in another region than the one being deployed to.
pub fn other_region(bucket: &str, found: &str, expected: &str) -> ProviderError {
    ProviderError::invalid(
        bucket,
        format!(
            "the bucket exists in region {found}, but this environment deploys to {expected}; \
             a bucket cannot move between regions: choose another name or another region"
        ),
    )
}
