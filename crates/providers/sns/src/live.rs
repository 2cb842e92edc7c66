//! What SNS reports, as specs of the shape users write. Pure functions.

use lakectl_provider::policy::normalize_policy;
use lakectl_provider::tags::{Tags, tags_value};
use serde_json::{Value, json};
use std::collections::HashMap;

/// The id SNS gives the access policy it writes for every new topic.
const DEFAULT_POLICY_ID: &str = "__default_policy_ID";

/// What observe read about a topic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TopicFacts {
    /// The topic name.
    pub name: String,
    /// GetTopicAttributes' answer.
    pub attributes: HashMap<String, String>,
    /// All tags, lakectl's ownership tags included.
    pub tags: Tags,
}

/// The live spec of a topic. SNS's own default policy reads back as `null`, the schema's
/// default, so a topic without a policy in the stack never shows a diff; any other policy is
/// compared after [`normalize_policy`] (the provider's `normalize`).
///
/// # Errors
/// The policy is not JSON.
pub fn topic_spec(f: &TopicFacts) -> Result<Value, String> {
    let attr = |k: &str| f.attributes.get(k).filter(|v| !v.is_empty()).cloned();
    let policy = match attr("Policy") {
        None => Value::Null,
        Some(text) => {
            let doc: Value = serde_json::from_str(&text)
                .map_err(|e| format!("the topic's access policy is not JSON: {e}"))?;
            // The default itself, not anything under its Id: AddPermission appends statements
            // to the default policy and keeps the Id, and those are real changes (SNS-1).
            let is_default = match (attr("TopicArn"), attr("Owner")) {
                (Some(arn), Some(owner)) => {
                    normalize_policy(&doc) == normalize_policy(&default_policy(&arn, &owner))
                }
                _ => false,
            };
            if is_default { Value::Null } else { doc }
        }
    };
    Ok(json!({
        "name": f.name,
        "display_name": attr("DisplayName").unwrap_or_default(),
        "kms_master_key_id": attr("KmsMasterKeyId"),
        "policy": policy,
        "tags": tags_value(&f.tags),
    }))
}

/// The policy SNS writes for a new topic: only the owning account may use it. Setting
/// `policy` back to null restores it.
pub fn default_policy(topic_arn: &str, account: &str) -> Value {
    json!({
        "Version": "2008-10-17",
        "Id": DEFAULT_POLICY_ID,
        "Statement": [{
            "Sid": "__default_statement_ID",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": ["SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission",
                       "SNS:RemovePermission", "SNS:DeleteTopic", "SNS:Subscribe",
                       "SNS:ListSubscriptionsByTopic", "SNS:Publish"],
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"AWS:SourceOwner": account}}
        }]
    })
}

/// A subscription as ListSubscriptionsByTopic and GetSubscriptionAttributes report it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubscriptionFacts {
    /// The subscription's name, `TOPIC:PROTOCOL:ENDPOINT`.
    pub name: String,
    /// The subscription ARN, or `None` while an email subscription awaits confirmation.
    pub arn: Option<String>,
    /// GetSubscriptionAttributes' answer (empty while pending: it cannot be read then).
    pub attributes: HashMap<String, String>,
}

/// The live spec of a subscription. A pending email subscription is a normal state, not
/// drift: what it was subscribed with is what it will have once confirmed.
///
/// # Errors
/// The filter policy is not JSON.
pub fn subscription_spec(f: &SubscriptionFacts) -> Result<Value, String> {
    let filter = match f.attributes.get("FilterPolicy").filter(|v| !v.is_empty()) {
        None => Value::Null,
        Some(text) => serde_json::from_str(text)
            .map_err(|e| format!("the subscription's filter policy is not JSON: {e}"))?,
    };
    Ok(json!({
        "name": f.name,
        "filter_policy": filter,
        "raw_message_delivery": f.attributes.get("RawMessageDelivery").is_some_and(|v| v == "true"),
    }))
}

/// The value `ListSubscriptionsByTopic` gives for an unconfirmed subscription's ARN.
pub const PENDING: &str = "PendingConfirmation";

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn snss_default_policy_reads_as_unset_and_others_are_normalized() {
        let arn = "arn:aws:sns:us-east-1:1:t";
        let default = default_policy(arn, "1").to_string();
        let mut public = default_policy(arn, "1");
        public["Statement"]
            .as_array_mut()
            .expect("statements")
            .push(
                json!({"Sid": "anyone", "Effect": "Allow", "Principal": {"AWS": "*"},
                         "Action": "SNS:Publish", "Resource": arn}),
            );
        let with_public = public.to_string();
        let mine = r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:1:t"}}"#;
        let cases = [
            ("no attributes", attrs(&[]), Value::Null),
            (
                "SNS's default",
                attrs(&[("Policy", &default), ("TopicArn", arn), ("Owner", "1")]),
                Value::Null,
            ),
            (
                "SNS's default with a statement AddPermission appended",
                attrs(&[("Policy", &with_public), ("TopicArn", arn), ("Owner", "1")]),
                serde_json::from_str(&with_public).expect("json"),
            ),
            (
                "a policy of the stack",
                attrs(&[("Policy", mine)]),
                serde_json::from_str(mine).expect("json"),
            ),
        ];
        for (why, attributes, want) in cases {
            let spec = topic_spec(&TopicFacts {
                name: "t".into(),
                attributes,
                tags: Tags::new(),
            })
            .expect("spec");
            assert_eq!(spec["policy"], want, "{why}");
        }
    }

    #[test]
    fn unset_reads_back_as_the_schema_defaults() {
        let mut desired = json!({"name": "t"});
        crate::topic_schema().apply_defaults(&mut desired);
        let live = topic_spec(&TopicFacts {
            name: "t".into(),
            attributes: attrs(&[("DisplayName", ""), ("Owner", "1")]),
            tags: Tags::new(),
        })
        .expect("spec");
        assert!(lakectl_core::diff(&crate::topic_schema(), &desired, &live).is_empty());

        let mut desired = json!({"name": "t:email:a@b.c"});
        crate::subscription_schema().apply_defaults(&mut desired);
        let pending = subscription_spec(&SubscriptionFacts {
            name: "t:email:a@b.c".into(),
            arn: None,
            attributes: HashMap::new(),
        })
        .expect("spec");
        assert!(
            lakectl_core::diff(&crate::subscription_schema(), &desired, &pending).is_empty(),
            "a pending email subscription is not drift"
        );
    }

    #[test]
    fn subscription_attributes_become_properties() {
        let spec = subscription_spec(&SubscriptionFacts {
            name: "t:sqs:arn:aws:sqs:r:1:q".into(),
            arn: Some("arn:aws:sns:r:1:t:id".into()),
            attributes: attrs(&[
                ("RawMessageDelivery", "true"),
                ("FilterPolicy", r#"{"kind":["alarm"]}"#),
            ]),
        })
        .expect("spec");
        assert_eq!(spec["raw_message_delivery"], json!(true));
        assert_eq!(spec["filter_policy"], json!({"kind": ["alarm"]}));
    }
}
