//! `sns.topic` through the SNS API.

use crate::live::{TopicFacts, default_policy, topic_spec};
use crate::schema::topic_schema;
use crate::topic_arn;
use async_trait::async_trait;
use aws_sdk_sns::Client;
use aws_sdk_sns::types::Tag;
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::policy::normalize_policy;
use lakectl_provider::tags::{Call, Tags, sync_pair, tags_of};
use lakectl_provider::{AccountContext, Doing, Found};
use serde_json::Value;
use std::collections::HashMap;

/// The spec properties that are topic attributes, with SNS's attribute names.
const ATTRIBUTES: &[(&str, &str)] = &[
    ("display_name", "DisplayName"),
    ("kms_master_key_id", "KmsMasterKeyId"),
    ("policy", "Policy"),
];

/// Manages `sns.topic` resources.
pub struct TopicProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

impl TopicProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(lakectl_provider::client!(aws_sdk_sns, config), account)
    }

    /// A provider over a client built elsewhere (request-asserting tests).
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        TopicProvider {
            client,
            account: account.clone(),
            schema: topic_schema(),
        }
    }

    fn attributes(&self, name: &str) -> Attributes {
        Attributes::from([
            ("arn".to_string(), topic_arn(&self.account, name)),
            ("name".to_string(), name.to_string()),
        ])
    }

    /// The value SNS takes for attribute `prop` of `spec`: null policy is SNS's default, a
    /// null key is the empty string (no encryption).
    fn attribute_value(&self, name: &str, prop: &str, spec: &Value) -> String {
        match (prop, spec.get(prop)) {
            (_, Some(Value::String(s))) => s.clone(),
            ("policy", None | Some(Value::Null)) => {
                default_policy(&topic_arn(&self.account, name), &self.account.account_id)
                    .to_string()
            }
            (_, None | Some(Value::Null)) => String::new(),
            (_, Some(other)) => other.to_string(),
        }
    }

    async fn read(&self, name: &str) -> Result<Option<TopicFacts>, ProviderError> {
        let arn = topic_arn(&self.account, name);
        let Some(out) = self
            .client
            .get_topic_attributes()
            .topic_arn(&arn)
            .send()
            .await
            .doing("sns:GetTopicAttributes", name)
            .found()?
        else {
            return Ok(None);
        };
        let Some(tags) = self
            .client
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .doing("sns:ListTagsForResource", name)
            .found()?
        else {
            return Ok(None);
        };
        Ok(Some(TopicFacts {
            name: name.to_string(),
            attributes: out.attributes.unwrap_or_default(),
            tags: tags
                .tags()
                .iter()
                .map(|t| (t.key().to_string(), t.value().to_string()))
                .collect(),
        }))
    }
}

fn sns_tags(name: &str, tags: Tags) -> Result<Vec<Tag>, ProviderError> {
    tags.into_iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| ProviderError::invalid(name, format!("cannot build a tag: {e}")))
        })
        .collect()
}

#[async_trait]
impl Provider for TopicProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Puts the access policy in canonical form.
    fn normalize(&self, spec: &mut Value) {
        if let Some(policy) = spec.get_mut("policy").filter(|p| !p.is_null()) {
            *policy = normalize_policy(policy);
        }
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(facts) = self.read(name).await? else {
            return Ok(Observation::Missing);
        };
        let spec = topic_spec(&facts).map_err(|m| ProviderError::invalid(name, m))?;
        Ok(Observation::Exists(Live {
            spec,
            attributes: self.attributes(name),
        }))
    }

    /// CreateTopic with every attribute and the tags at once. CreateTopic on a name this
    /// account already uses answers with that topic, so GetTopicAttributes asks first and a
    /// taken name is reported, never adopted.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if self.read(name).await?.is_some() {
            return Err(ProviderError::already_exists("sns:CreateTopic", name));
        }
        let attributes: HashMap<String, String> = ATTRIBUTES
            .iter()
            .filter(|(prop, _)| req.spec.get(*prop).is_some_and(|v| !v.is_null() && v != ""))
            .map(|(prop, attr)| {
                (
                    attr.to_string(),
                    self.attribute_value(name, prop, &req.spec),
                )
            })
            .collect();
        self.client
            .create_topic()
            .name(name)
            .set_attributes(Some(attributes))
            .set_tags(Some(sns_tags(name, tags_of(name, &req.spec)?)?))
            .send()
            .await
            .doing("sns:CreateTopic", name)?;
        Ok(self.attributes(name))
    }

    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        let arn = topic_arn(&self.account, name);
        for (prop, attr) in ATTRIBUTES.iter().filter(|(p, _)| req.touches(p)) {
            self.client
                .set_topic_attributes()
                .topic_arn(&arn)
                .attribute_name(*attr)
                .attribute_value(self.attribute_value(name, prop, &req.desired))
                .send()
                .await
                .doing("sns:SetTopicAttributes", name)?;
        }
        if let Some(diff) = lakectl_provider::tags::changed(req)? {
            let set = sns_tags(name, diff.set.clone())?;
            let tag = Call {
                operation: "sns:TagResource",
                send: |_: Tags| {
                    self.client
                        .tag_resource()
                        .resource_arn(&arn)
                        .set_tags(Some(set))
                        .send()
                },
            };
            let untag = Call {
                operation: "sns:UntagResource",
                send: |keys| {
                    self.client
                        .untag_resource()
                        .resource_arn(&arn)
                        .set_tag_keys(Some(keys))
                        .send()
                },
            };
            sync_pair(name, &diff, tag, untag).await?;
        }
        Ok(self.attributes(name))
    }

    /// DeleteTopic; SNS deletes the topic's subscriptions with it.
    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        self.client
            .delete_topic()
            .topic_arn(topic_arn(&self.account, &req.name))
            .send()
            .await
            .doing("sns:DeleteTopic", &req.name)
            .gone_is_done()
    }
}
