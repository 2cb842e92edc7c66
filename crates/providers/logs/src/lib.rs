//! The `logs.log_group` resource kind: a CloudWatch Logs log group, its retention, KMS key
//! and tags. Built only on the provider kit: this crate is the mapping between the kind's
//! spec and the CloudWatch Logs API, and nothing else (see `docs/adding-a-kind.md`).

mod live;
mod schema;

pub use live::{GroupFacts, group_arn, live_spec};
pub use schema::{KIND, RETENTION_DAYS, name_rule, schema};

use async_trait::async_trait;
use aws_sdk_cloudwatchlogs::Client;
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::diff::string;
use lakectl_provider::tags::{Call, TagDiff, Tags, sync_pair, tags_of};
use lakectl_provider::{AccountContext, Doing, Found};
use serde_json::Value;

/// Manages `logs.log_group` resources through the CloudWatch Logs API.
pub struct LogsProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

impl LogsProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(
            lakectl_provider::client!(aws_sdk_cloudwatchlogs, config),
            account,
        )
    }

    /// A provider over a client built elsewhere (request-asserting tests).
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        LogsProvider {
            client,
            account: account.clone(),
            schema: schema(),
        }
    }

    fn arn(&self, name: &str) -> String {
        let a = &self.account;
        group_arn(&a.partition, &a.region, &a.account_id, name)
    }

    fn attributes(&self, name: &str) -> Attributes {
        Attributes::from([
            ("arn".to_string(), self.arn(name)),
            ("name".to_string(), name.to_string()),
        ])
    }

    /// DescribeLogGroups filtered by the name as a prefix, until the exact name turns up.
    async fn describe(&self, name: &str) -> Result<Option<GroupFacts>, ProviderError> {
        let mut pages = self
            .client
            .describe_log_groups()
            .log_group_name_prefix(name)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.doing("logs:DescribeLogGroups", name)?;
            if let Some(g) = page
                .log_groups()
                .iter()
                .find(|g| g.log_group_name() == Some(name))
            {
                return Ok(Some(GroupFacts {
                    name: name.to_string(),
                    retention_in_days: g.retention_in_days(),
                    kms_key_id: g.kms_key_id().map(str::to_string),
                    tags: Tags::new(),
                }));
            }
        }
        Ok(None)
    }

    async fn tags(&self, name: &str) -> Result<Option<Tags>, ProviderError> {
        let out = self
            .client
            .list_tags_for_resource()
            .resource_arn(self.arn(name))
            .send()
            .await
            .doing("logs:ListTagsForResource", name)
            .found()?;
        Ok(out.map(|o| o.tags.unwrap_or_default().into_iter().collect()))
    }

    async fn set_retention(&self, name: &str, days: Option<i64>) -> Result<(), ProviderError> {
        match days {
            Some(days) => {
                let days = i32::try_from(days).map_err(|_| {
                    ProviderError::invalid(name, "`retention_in_days` is too large")
                })?;
                self.client
                    .put_retention_policy()
                    .log_group_name(name)
                    .retention_in_days(days)
                    .send()
                    .await
                    .doing("logs:PutRetentionPolicy", name)
                    .map(drop)
            }
            None => self
                .client
                .delete_retention_policy()
                .log_group_name(name)
                .send()
                .await
                .doing("logs:DeleteRetentionPolicy", name)
                .map(drop),
        }
    }

    async fn set_key(&self, name: &str, key: Option<String>) -> Result<(), ProviderError> {
        match key {
            Some(key) => self
                .client
                .associate_kms_key()
                .log_group_name(name)
                .kms_key_id(key)
                .send()
                .await
                .doing("logs:AssociateKmsKey", name)
                .map(drop),
            None => self
                .client
                .disassociate_kms_key()
                .log_group_name(name)
                .send()
                .await
                .doing("logs:DisassociateKmsKey", name)
                .map(drop),
        }
    }

    async fn sync_tags(&self, name: &str, diff: &TagDiff) -> Result<(), ProviderError> {
        let arn = self.arn(name);
        let tag = Call {
            operation: "logs:TagResource",
            send: |set: Tags| {
                self.client
                    .tag_resource()
                    .resource_arn(&arn)
                    .set_tags(Some(set.into_iter().collect()))
                    .send()
            },
        };
        let untag = Call {
            operation: "logs:UntagResource",
            send: |keys| {
                self.client
                    .untag_resource()
                    .resource_arn(&arn)
                    .set_tag_keys(Some(keys))
                    .send()
            },
        };
        sync_pair(name, diff, tag, untag).await
    }
}

#[async_trait]
impl Provider for LogsProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(mut facts) = self.describe(name).await? else {
            return Ok(Observation::Missing);
        };
        // Deleted between the two reads: report what is true now.
        let Some(tags) = self.tags(name).await? else {
            return Ok(Observation::Missing);
        };
        facts.tags = tags;
        Ok(Observation::Exists(Live {
            spec: live_spec(&facts),
            attributes: self.attributes(name),
        }))
    }

    /// CreateLogGroup with the key and the tags, so the group never exists untagged; then the
    /// retention, which has its own call.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        self.client
            .create_log_group()
            .log_group_name(name)
            .set_kms_key_id(string(&req.spec, "kms_key_id"))
            .set_tags(Some(tags_of(name, &req.spec)?.into_iter().collect()))
            .send()
            .await
            .doing("logs:CreateLogGroup", name)?;
        if let Some(days) = req.spec.get("retention_in_days").and_then(Value::as_i64) {
            self.set_retention(name, Some(days)).await?;
        }
        Ok(self.attributes(name))
    }

    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if req.touches("retention_in_days") {
            let days = req.desired.get("retention_in_days").and_then(Value::as_i64);
            self.set_retention(name, days).await?;
        }
        if req.touches("kms_key_id") {
            self.set_key(name, string(&req.desired, "kms_key_id"))
                .await?;
        }
        if let Some(diff) = lakectl_provider::tags::changed(req)? {
            self.sync_tags(name, &diff).await?;
        }
        Ok(self.attributes(name))
    }

    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        self.client
            .delete_log_group()
            .log_group_name(&req.name)
            .send()
            .await
            .doing("logs:DeleteLogGroup", &req.name)
            .gone_is_done()
    }
}
