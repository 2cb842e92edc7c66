//! Glue's tag calls, one shape for every taggable Glue resource (databases, jobs, crawlers,
//! triggers), addressed by ARN.
use aws_sdk_glue::Client;
use lakectl_core::ProviderError;
use lakectl_provider::tags::{Call, TagDiff, Tags, sync_pair};
use lakectl_provider::{Doing, Found};

/// GetTags; `None` when the resource is gone.
pub(crate) async fn read(
    client: &Client,
    arn: &str,
    name: &str,
) -> Result<Option<Tags>, ProviderError> {
    let out = client
        .get_tags()
        .resource_arn(arn)
        .send()
        .await
        .doing("glue:GetTags", name)
        .found()?;
    Ok(out.map(|o| o.tags.unwrap_or_default().into_iter().collect()))
}

/// TagResource / UntagResource for what differs.
pub(crate) async fn sync(
    client: &Client,
    arn: &str,
    name: &str,
    diff: &TagDiff,
) -> Result<(), ProviderError> {
    let tag = Call {
        operation: "glue:TagResource",
        send: |set: Tags| {
            client
                .tag_resource()
                .resource_arn(arn)
                .set_tags_to_add(Some(set.into_iter().collect()))
                .send()
        },
    };
    let untag = Call {
        operation: "glue:UntagResource",
        send: |keys| {
            client
                .untag_resource()
                .resource_arn(arn)
                .set_tags_to_remove(Some(keys))
                .send()
        },
    };
    sync_pair(name, diff, tag, untag).await
}
