//! Reading a bucket: HeadBucket, then one Get* call per managed property, concurrently.

use crate::errors::{
    element_text, foreign_bucket, has_element, other_region, status_of, unless_unset,
    unparsed_success,
};
use crate::live::BucketFacts;
use aws_sdk_s3::types::BucketVersioningStatus;
use lakectl_core::ProviderError;
use lakectl_provider::aws_error;

/// Whether the bucket exists and is readable by us: `Ok(false)` when it does not exist.
///
/// # Errors
/// The bucket belongs to another account (403), lives in another region, or S3 failed.
pub async fn head(
    client: &aws_sdk_s3::Client,
    name: &str,
    region: &str,
) -> Result<bool, ProviderError> {
    match client.head_bucket().bucket(name).send().await {
        Ok(out) => match out.bucket_region() {
            Some(found) if found != region => Err(other_region(name, found, region)),
            _ => Ok(true),
        },
        Err(e) if e.as_service_error().is_some_and(|e| e.is_not_found()) => Ok(false),
        Err(e) if status_of(&e) == Some(403) => Err(foreign_bucket(name, e)),
        // Real S3 answers a HEAD for a bucket of another region with a bodiless 301 naming
        // the region in a header.
        Err(e) if status_of(&e) == Some(301) => {
            let found = e
                .raw_response()
                .and_then(|r| r.headers().get("x-amz-bucket-region"))
                .unwrap_or("another region")
                .to_string();
            Err(other_region(name, &found, region))
        }
        Err(e) => Err(aws_error("s3:HeadBucket", name, e)),
    }
}

/// Everything lakectl manages about the bucket, or `None` when it does not exist.
///
/// # Errors
/// See [`head`]; any Get* call failing other than with "not configured".
pub async fn read_bucket(
    client: &aws_sdk_s3::Client,
    name: &str,
    region: &str,
) -> Result<Option<BucketFacts>, ProviderError> {
    if !head(client, name, region).await? {
        return Ok(None);
    }
    let versioning = async {
        let out = client.get_bucket_versioning().bucket(name).send().await;
        match out {
            Ok(out) => Ok(out.status().cloned()),
            Err(e) => match unparsed_success(&e) {
                Some(body) => Ok(element_text(body, "Status").map(BucketVersioningStatus::from)),
                None => Err(aws_error("s3:GetBucketVersioning", name, e)),
            },
        }
    };
    let encryption = async {
        let out = client.get_bucket_encryption().bucket(name).send().await;
        unless_unset("s3:GetBucketEncryption", name, out)
    };
    let public_access_block = async {
        let out = client.get_public_access_block().bucket(name).send().await;
        unless_unset("s3:GetPublicAccessBlock", name, out)
    };
    let policy = async {
        let out = client.get_bucket_policy().bucket(name).send().await;
        unless_unset("s3:GetBucketPolicy", name, out)
    };
    let lifecycle = async {
        let out = client
            .get_bucket_lifecycle_configuration()
            .bucket(name)
            .send()
            .await;
        unless_unset("s3:GetBucketLifecycleConfiguration", name, out)
    };
    let notifications = async {
        let out = client
            .get_bucket_notification_configuration()
            .bucket(name)
            .send()
            .await;
        match out {
            Ok(out) => Ok(out.event_bridge_configuration().is_some()),
            Err(e) => match unparsed_success(&e) {
                Some(body) => Ok(has_element(body, "EventBridgeConfiguration")),
                None => Err(aws_error("s3:GetBucketNotificationConfiguration", name, e)),
            },
        }
    };
    let tags = async {
        let out = client.get_bucket_tagging().bucket(name).send().await;
        unless_unset("s3:GetBucketTagging", name, out)
    };
    let (versioning, encryption, public_access_block, policy, lifecycle, notifications, tags) = tokio::try_join!(
        versioning,
        encryption,
        public_access_block,
        policy,
        lifecycle,
        notifications,
        tags
    )?;
    Ok(Some(BucketFacts {
        versioning,
        encryption: encryption.and_then(|o| o.server_side_encryption_configuration),
        public_access_block: public_access_block.and_then(|o| o.public_access_block_configuration),
        policy: policy.and_then(|o| o.policy),
        lifecycle_rules: lifecycle.and_then(|o| o.rules).unwrap_or_default(),
        eventbridge: notifications,
        tags: tags.map(|o| o.tag_set).unwrap_or_default(),
    }))
}
