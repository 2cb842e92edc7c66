//! `sns.subscription` through the SNS API.

use crate::live::{PENDING, SubscriptionFacts, subscription_spec};
use crate::schema::{parse_subscription_name, subscription_schema};
use crate::topic_arn;
use async_trait::async_trait;
use aws_sdk_sns::Client;
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::{AccountContext, Doing, Found};
use serde_json::Value;
use std::collections::HashMap;

/// The spec properties that are subscription attributes, with SNS's attribute names.
const ATTRIBUTES: &[(&str, &str)] = &[
    ("filter_policy", "FilterPolicy"),
    ("raw_message_delivery", "RawMessageDelivery"),
];

/// Manages `sns.subscription` resources.
pub struct SubscriptionProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

impl SubscriptionProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(lakectl_provider::client!(aws_sdk_sns, config), account)
    }

    /// A provider over a client built elsewhere (request-asserting tests).
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        SubscriptionProvider {
            client,
            account: account.clone(),
            schema: subscription_schema(),
        }
    }

    /// The subscription ARN (`None` while pending), or `None` when there is no such
    /// subscription; a missing topic has none.
    async fn find(&self, name: &str) -> Result<Option<Option<String>>, ProviderError> {
        let parts = parse_subscription_name(name).map_err(|m| ProviderError::invalid(name, m))?;
        let mut pages = self
            .client
            .list_subscriptions_by_topic()
            .topic_arn(topic_arn(&self.account, parts.topic))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let Some(page) = page.doing("sns:ListSubscriptionsByTopic", name).found()? else {
                return Ok(None);
            };
            let found = page.subscriptions().iter().find(|s| {
                s.protocol() == Some(parts.protocol) && s.endpoint() == Some(parts.endpoint)
            });
            if let Some(s) = found {
                return Ok(Some(
                    s.subscription_arn()
                        .filter(|a| *a != PENDING)
                        .map(str::to_string),
                ));
            }
        }
        Ok(None)
    }

    /// Refuses raw delivery where SNS does not offer it, before any call.
    fn check(name: &str, protocol: &str, spec: &Value) -> Result<(), ProviderError> {
        let raw = spec.get("raw_message_delivery").and_then(Value::as_bool) == Some(true);
        if raw && protocol != "sqs" {
            return Err(ProviderError::invalid(
                name,
                format!(
                    "raw_message_delivery is for SQS endpoints only; a {protocol} endpoint always gets SNS's JSON envelope: remove it"
                ),
            ));
        }
        Ok(())
    }

    fn attribute_value(prop: &str, spec: &Value) -> String {
        match spec.get(prop) {
            None | Some(Value::Null) => String::new(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(other) => other.to_string(),
        }
    }

    fn attributes(arn: Option<&str>) -> Attributes {
        Attributes::from([
            ("arn".to_string(), arn.unwrap_or(PENDING).to_string()),
            (
                "pending_confirmation".to_string(),
                arn.is_none().to_string(),
            ),
        ])
    }
}

#[async_trait]
impl Provider for SubscriptionProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(arn) = self.find(name).await? else {
            return Ok(Observation::Missing);
        };
        let attributes = match &arn {
            // Not readable until confirmed: it keeps what it was subscribed with.
            None => HashMap::new(),
            Some(arn) => match self
                .client
                .get_subscription_attributes()
                .subscription_arn(arn)
                .send()
                .await
                .doing("sns:GetSubscriptionAttributes", name)
                .found()?
            {
                Some(out) => out.attributes.unwrap_or_default(),
                None => return Ok(Observation::Missing),
            },
        };
        let facts = SubscriptionFacts {
            name: name.to_string(),
            arn: arn.clone(),
            attributes,
        };
        let spec = subscription_spec(&facts).map_err(|m| ProviderError::invalid(name, m))?;
        Ok(Observation::Exists(Live {
            spec,
            attributes: Self::attributes(arn.as_deref()),
        }))
    }

    /// Subscribe with the attributes. Subscribe on an existing subscription answers with it,
    /// so the topic's subscriptions are listed first and a taken one is reported.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if self.find(name).await?.is_some() {
            return Err(ProviderError::already_exists("sns:Subscribe", name));
        }
        let parts = parse_subscription_name(name).map_err(|m| ProviderError::invalid(name, m))?;
        Self::check(name, parts.protocol, &req.spec)?;
        let attributes: HashMap<String, String> = ATTRIBUTES
            .iter()
            .filter(|(prop, _)| {
                req.spec
                    .get(*prop)
                    .is_some_and(|v| !v.is_null() && *v != Value::Bool(false))
            })
            .map(|(prop, attr)| (attr.to_string(), Self::attribute_value(prop, &req.spec)))
            .collect();
        let out = self
            .client
            .subscribe()
            .topic_arn(topic_arn(&self.account, parts.topic))
            .protocol(parts.protocol)
            .endpoint(parts.endpoint)
            .set_attributes((!attributes.is_empty()).then_some(attributes))
            .return_subscription_arn(true)
            .send()
            .await
            .doing("sns:Subscribe", name)?;
        let arn = out.subscription_arn().filter(|a| *a != PENDING);
        Ok(Self::attributes(arn))
    }

    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        let parts = parse_subscription_name(name).map_err(|m| ProviderError::invalid(name, m))?;
        Self::check(name, parts.protocol, &req.desired)?;
        let arn = match self.find(name).await? {
            Some(Some(arn)) => arn,
            Some(None) => {
                return Err(ProviderError::invalid(
                    name,
                    "the subscription awaits confirmation by its endpoint, and SNS changes a \
                     subscription only once confirmed: confirm it, then deploy again",
                ));
            }
            None => {
                return Err(ProviderError::invalid(
                    name,
                    "the subscription was gone when it was to be changed; run the deploy again",
                ));
            }
        };
        for (prop, attr) in ATTRIBUTES.iter().filter(|(p, _)| req.touches(p)) {
            self.client
                .set_subscription_attributes()
                .subscription_arn(&arn)
                .attribute_name(*attr)
                .attribute_value(Self::attribute_value(prop, &req.desired))
                .send()
                .await
                .doing("sns:SetSubscriptionAttributes", name)?;
        }
        Ok(Self::attributes(Some(&arn)))
    }

    /// Unsubscribe. A pending subscription cannot be removed (SNS drops it after three days
    /// unconfirmed), so it is left to expire.
    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        let Some(Some(arn)) = self.find(&req.name).await? else {
            return Ok(());
        };
        self.client
            .unsubscribe()
            .subscription_arn(arn)
            .send()
            .await
            .doing("sns:Unsubscribe", &req.name)
            .gone_is_done()
    }
}
