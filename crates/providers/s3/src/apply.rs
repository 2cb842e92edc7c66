//! One setter per managed property, shared by create (all of them) and update (the ones the
//! changes touch). Each makes the bucket match the desired value whatever it holds now.

use crate::desired::{self, EncryptionSpec, RuleSpec};
use crate::errors::{is_empty_xml_document, ok_if_unset, unparsed_success};
use crate::tls;
use aws_sdk_s3::Client;
use aws_sdk_s3::types::{EventBridgeConfiguration, NotificationConfiguration, Tagging};
use lakectl_core::ProviderError;
use lakectl_provider::tags::{Call, TagDiff, Tags, sync_put_all, tags_of};
use lakectl_provider::{Doing, aws_error};
use serde_json::{Map, Value};

/// Every managed property, in the order create sets them and update visits them. The public
/// access block goes first so the bucket is never public for a moment; tags go last.
pub const PROPERTIES: &[&str] = &[
    "public_access_block",
    "encryption",
    "versioning",
    "enforce_tls",
    "lifecycle_rules",
    "eventbridge_notifications",
    "tags",
];

/// What a setter needs: the client, the bucket and its ARN, and the live spec on update.
pub struct Target<'a> {
    /// The S3 client.
    pub client: &'a Client,
    /// The bucket name.
    pub name: &'a str,
    /// The bucket ARN (the TLS policy's resource).
    pub arn: &'a str,
    /// The live spec, on update; `None` on create (a new bucket has nothing set).
    pub live: Option<&'a Value>,
}

/// Sets property `prop` of the bucket to its value in `spec`.
///
/// # Errors
/// The spec cannot be converted, or S3 refused.
pub async fn set(t: &Target<'_>, prop: &str, spec: &Value) -> Result<(), ProviderError> {
    let invalid = |m: String| ProviderError::invalid(t.name, m);
    match prop {
        "versioning" => versioning(t, flag(t.name, spec, prop)?).await,
        "encryption" => encryption(t, &desired::prop(spec, prop).map_err(invalid)?).await,
        "public_access_block" => {
            let empty = Value::Object(Map::new());
            public_access_block(t, spec.get(prop).unwrap_or(&empty)).await
        }
        "enforce_tls" => enforce_tls(t, flag(t.name, spec, prop)?).await,
        "lifecycle_rules" => {
            lifecycle(
                t,
                &desired::prop::<Vec<RuleSpec>>(spec, prop).map_err(invalid)?,
            )
            .await
        }
        "eventbridge_notifications" => eventbridge(t, flag(t.name, spec, prop)?).await,
        "tags" => tags(t, spec).await,
        other => Err(invalid(format!(
            "s3.bucket has no property `{other}` to set"
        ))),
    }
}

/// A switch of the spec. Specs arrive with the schema's defaults applied, the one place they
/// are written, so a missing one is a bug, reported rather than guessed.
fn flag(name: &str, spec: &Value, prop: &str) -> Result<bool, ProviderError> {
    spec.get(prop)
        .and_then(Value::as_bool)
        .ok_or_else(|| ProviderError::invalid(name, format!("`{prop}` must be true or false")))
}

async fn versioning(t: &Target<'_>, enabled: bool) -> Result<(), ProviderError> {
    t.client
        .put_bucket_versioning()
        .bucket(t.name)
        .versioning_configuration(desired::versioning_configuration(enabled))
        .send()
        .await
        .doing("s3:PutBucketVersioning", t.name)?;
    Ok(())
}

async fn encryption(t: &Target<'_>, spec: &EncryptionSpec) -> Result<(), ProviderError> {
    let config =
        desired::encryption_configuration(spec).map_err(|m| ProviderError::invalid(t.name, m))?;
    t.client
        .put_bucket_encryption()
        .bucket(t.name)
        .server_side_encryption_configuration(config)
        .send()
        .await
        .doing("s3:PutBucketEncryption", t.name)?;
    Ok(())
}

async fn public_access_block(t: &Target<'_>, spec: &Value) -> Result<(), ProviderError> {
    t.client
        .put_public_access_block()
        .bucket(t.name)
        .public_access_block_configuration(desired::public_access_block_configuration(spec))
        .send()
        .await
        .doing("s3:PutPublicAccessBlock", t.name)?;
    Ok(())
}

/// lakectl owns the bucket policy: on writes the TLS-only policy, off removes any policy.
async fn enforce_tls(t: &Target<'_>, on: bool) -> Result<(), ProviderError> {
    if on {
        t.client
            .put_bucket_policy()
            .bucket(t.name)
            .policy(tls::tls_policy(t.arn).to_string())
            .send()
            .await
            .doing("s3:PutBucketPolicy", t.name)?;
        Ok(())
    } else {
        remove_policy(t.client, t.name).await
    }
}

/// Deletes the bucket policy; none is fine.
///
/// # Errors
/// S3 refused.
pub async fn remove_policy(client: &Client, name: &str) -> Result<(), ProviderError> {
    let out = client.delete_bucket_policy().bucket(name).send().await;
    ok_if_unset("s3:DeleteBucketPolicy", name, out)
}

async fn lifecycle(t: &Target<'_>, rules: &[RuleSpec]) -> Result<(), ProviderError> {
    match desired::lifecycle_configuration(rules).map_err(|m| ProviderError::invalid(t.name, m))? {
        Some(config) => {
            t.client
                .put_bucket_lifecycle_configuration()
                .bucket(t.name)
                .lifecycle_configuration(config)
                .send()
                .await
                .doing("s3:PutBucketLifecycleConfiguration", t.name)?;
            Ok(())
        }
        None => {
            let out = t
                .client
                .delete_bucket_lifecycle()
                .bucket(t.name)
                .send()
                .await;
            ok_if_unset("s3:DeleteBucketLifecycle", t.name, out)
        }
    }
}

/// The notification configuration is one document holding SNS, SQS and Lambda targets as
/// well; lakectl manages only the EventBridge switch, so it reads the document and writes it
/// back with just that switch changed.
async fn eventbridge(t: &Target<'_>, on: bool) -> Result<(), ProviderError> {
    let current = t
        .client
        .get_bucket_notification_configuration()
        .bucket(t.name)
        .send()
        .await;
    let current = match current {
        Ok(out) => out,
        // An empty document under the wrong root (moto) holds no targets to keep.
        Err(e) if unparsed_success(&e).is_some_and(|b| is_empty_xml_document(b.as_bytes())) => {
            aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput::builder().build()
        }
        Err(e) => {
            return Err(aws_error(
                "s3:GetBucketNotificationConfiguration",
                t.name,
                e,
            ));
        }
    };
    if current.event_bridge_configuration().is_some() == on {
        return Ok(());
    }
    let config = NotificationConfiguration::builder()
        .set_topic_configurations(current.topic_configurations.clone())
        .set_queue_configurations(current.queue_configurations.clone())
        .set_lambda_function_configurations(current.lambda_function_configurations.clone())
        .set_event_bridge_configuration(on.then(|| EventBridgeConfiguration::builder().build()))
        .build();
    t.client
        .put_bucket_notification_configuration()
        .bucket(t.name)
        .notification_configuration(config)
        .send()
        .await
        .doing("s3:PutBucketNotificationConfiguration", t.name)?;
    Ok(())
}

/// PutBucketTagging replaces the whole set, so tags go through the kit's put-all shape: the
/// whole desired set when anything differs from what the bucket has, DeleteBucketTagging when
/// the set is emptied (S3 refuses `<TagSet/>` on some endpoints), nothing when equal.
async fn tags(t: &Target<'_>, spec: &Value) -> Result<(), ProviderError> {
    let desired = tags_of(t.name, spec)?;
    let live = match t.live {
        Some(live) => tags_of(t.name, live)?,
        None => Tags::new(),
    };
    let diff = TagDiff::between(&desired, &live);
    let tagging = Tagging::builder()
        .set_tag_set(Some(
            desired::tag_set(&desired).map_err(|m| ProviderError::invalid(t.name, m))?,
        ))
        .build()
        .map_err(|e| ProviderError::invalid(t.name, e.to_string()))?;
    let put = Call {
        operation: "s3:PutBucketTagging",
        send: |_: Tags| {
            t.client
                .put_bucket_tagging()
                .bucket(t.name)
                .tagging(tagging)
                .send()
        },
    };
    let delete_all = Call {
        operation: "s3:DeleteBucketTagging",
        send: || t.client.delete_bucket_tagging().bucket(t.name).send(),
    };
    sync_put_all(t.name, &desired, &diff, put, delete_all).await
}
