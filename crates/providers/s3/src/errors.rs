//! S3 answers that need more than [`lakectl_provider::aws_error`]: "not configured" codes that mean
//! the unset value, and denials worth explaining.

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use lakectl_core::{ErrorClass, ProviderError};
use lakectl_provider::{aws_error, is_code};

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
            class: ErrorClass::AccessDenied,
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

/// The body of a 200 answer the SDK could not parse.
///
/// moto 5.2.5 answers GetBucketVersioning with the root `<GetBucketVersioningResponse>`, and
/// GetBucketNotificationConfiguration on a bucket that never had one with
/// `<GetBucketNotificationResponse/>`, where S3 uses `<VersioningConfiguration>` and
/// `<NotificationConfiguration>`. The SDK rejects the root; the content is still an answer,
/// so the caller reads the few elements it needs from the body itself.
pub fn unparsed_success<E>(err: &SdkError<E, HttpResponse>) -> Option<&str> {
    let raw = err.raw_response()?;
    if raw.status().as_u16() != 200 {
        return None;
    }
    std::str::from_utf8(raw.body().bytes()?).ok()
}

/// The text of the first `<name>...</name>` element in `xml`.
pub fn element_text<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = xml.find(&open)? + open.len();
    let len = xml[start..].find(&format!("</{name}>"))?;
    Some(xml[start..start + len].trim())
}

/// Whether `xml` holds an element called `name` (empty or not).
pub fn has_element(xml: &str, name: &str) -> bool {
    ["<{}>", "<{}/>", "<{} "]
        .iter()
        .any(|pattern| xml.contains(&pattern.replace("{}", name)))
}

/// Whether `body` is an XML document whose root element is empty (`<Root/>` or
/// `<Root ...></Root>`), after an optional `<?xml ...?>` declaration.
pub fn is_empty_xml_document(body: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    let mut rest = text.trim();
    if rest.starts_with("<?") {
        match rest.find("?>") {
            Some(end) => rest = rest[end + 2..].trim(),
            None => return false,
        }
    }
    let Some(inner) = rest.strip_prefix('<') else {
        return false;
    };
    let Some(open_end) = inner.find('>') else {
        return false;
    };
    let open = &inner[..open_end];
    let after = inner[open_end + 1..].trim();
    let root = open
        .split_whitespace()
        .next()
        .unwrap_or("")
        .trim_end_matches('/');
    if root.is_empty() || root.starts_with('/') {
        return false;
    }
    if open.ends_with('/') {
        return after.is_empty();
    }
    after == format!("</{root}>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_are_found_in_documents_the_sdk_rejects() {
        let versioning = "<?xml version=\"1.0\"?><GetBucketVersioningResponse xmlns=\"x\"><Status>Enabled</Status></GetBucketVersioningResponse>";
        let cases = [
            (
                "moto's versioning answer",
                versioning,
                "Status",
                Some("Enabled"),
            ),
            (
                "element missing",
                "<GetBucketVersioningResponse/>",
                "Status",
                None,
            ),
            ("unclosed element", "<A><Status>Enabled</A>", "Status", None),
        ];
        for (why, xml, name, want) in cases {
            assert_eq!(element_text(xml, name), want, "{why}");
        }
        let cases = [
            ("empty element", "<N><EventBridgeConfiguration/></N>", true),
            (
                "element with content",
                "<N><EventBridgeConfiguration></EventBridgeConfiguration></N>",
                true,
            ),
            (
                "with attributes",
                "<N><EventBridgeConfiguration a=\"1\"/></N>",
                true,
            ),
            ("absent", "<GetBucketNotificationResponse/>", false),
            (
                "longer name is another element",
                "<N><EventBridgeConfigurationX/></N>",
                false,
            ),
        ];
        for (why, xml, want) in cases {
            assert_eq!(has_element(xml, "EventBridgeConfiguration"), want, "{why}");
        }
    }

    #[test]
    fn empty_documents_are_recognized() {
        let cases = [
            (
                "moto's answer for no notification configuration",
                "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<GetBucketNotificationResponse xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>",
                true,
            ),
            (
                "open and close tags",
                "<NotificationConfiguration></NotificationConfiguration>",
                true,
            ),
            (
                "a configuration inside",
                "<NotificationConfiguration><EventBridgeConfiguration/></NotificationConfiguration>",
                false,
            ),
            ("mismatched close tag", "<A></B>", false),
            ("not xml", "Internal Server Error", false),
            ("empty body", "", false),
            ("two roots", "<A/><B/>", false),
        ];
        for (why, body, want) in cases {
            assert_eq!(is_empty_xml_document(body.as_bytes()), want, "{why}");
        }
    }
}
