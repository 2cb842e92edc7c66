//! The `sns.topic` and `sns.subscription` schemas and naming rules.

use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::names::NameRule;
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The topic kind.
pub const TOPIC: &str = "sns.topic";
/// The subscription kind.
pub const SUBSCRIPTION: &str = "sns.subscription";

/// The longest topic name SNS accepts.
pub const TOPIC_NAME_MAX_LEN: usize = 256;

/// The endpoints a subscription may deliver to.
pub const PROTOCOLS: &[&str] = &["email", "email-json", "sqs", "lambda"];

/// The schema of `sns.topic`.
pub fn topic_schema() -> Schema {
    Schema {
        kind: TOPIC,
        description: "an SNS topic: display name, KMS key, access policy, tags",
        props: vec![
            Prop::new("name", Type::String, "the topic name (set by the loader)").immutable(),
            Prop::new(
                "display_name",
                Type::String,
                "the sender name in email and SMS notifications",
            )
            .default(json!(""))
            .check(check_display_name),
            Prop::new(
                "kms_master_key_id",
                Type::String,
                "the KMS key (ARN, id or alias) that encrypts messages at rest; null: not encrypted",
            )
            .default(Value::Null),
            Prop::new(
                "policy",
                Type::Json,
                "the access policy document; null: SNS's default (only this account may use the topic)",
            )
            .default(Value::Null)
            .check(check_policy),
            tags_prop("tags on the topic"),
        ],
        attributes: &["arn"],
        taggable: true,
        name_rule: topic_name_rule,
        name_max_len: TOPIC_NAME_MAX_LEN,
    }
}

/// The schema of `sns.subscription`. SNS names a subscription by what it joins, so its name is
/// `TOPIC:PROTOCOL:ENDPOINT`, e.g. `mycompany-dev-alerts:email:oncall@example.com`.
pub fn subscription_schema() -> Schema {
    Schema {
        kind: SUBSCRIPTION,
        description: "a subscription of an endpoint (email, SQS queue, Lambda function) to an SNS topic",
        props: vec![
            Prop::new(
                "name",
                Type::String,
                "TOPIC:PROTOCOL:ENDPOINT, e.g. mycompany-dev-alerts:email:oncall@example.com",
            )
            .required()
            .immutable(),
            Prop::new(
                "filter_policy",
                Type::Json,
                "which messages the endpoint gets, by message attributes; null: all",
            )
            .default(Value::Null),
            Prop::new(
                "raw_message_delivery",
                Type::Bool,
                "deliver the message body alone, without SNS's JSON envelope (SQS only)",
            )
            .default(json!(false)),
        ],
        attributes: &["arn", "pending_confirmation"],
        // SNS subscriptions take no tags: ownership comes from the state records.
        taggable: false,
        name_rule: subscription_name_rule,
        name_max_len: TOPIC_NAME_MAX_LEN + 512,
    }
}

/// SNS's topic-name rule: 1–256 letters, digits, `-` and `_` (`.fifo` may end a FIFO topic).
pub fn topic_name_rule(name: &str) -> Result<(), String> {
    NameRule {
        noun: "topic name",
        max: TOPIC_NAME_MAX_LEN,
        symbols: "-_",
    }
    .check(name.strip_suffix(".fifo").unwrap_or(name))
}

/// The parts of a subscription's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionName<'a> {
    /// The topic's name.
    pub topic: &'a str,
    /// `email`, `sqs`, ...
    pub protocol: &'a str,
    /// The address, queue ARN or function ARN.
    pub endpoint: &'a str,
}

/// Splits `TOPIC:PROTOCOL:ENDPOINT` (the endpoint may hold `:` itself, as ARNs do).
///
/// # Errors
/// The name does not have that shape; the message says what it should be.
pub fn parse_subscription_name(name: &str) -> Result<SubscriptionName<'_>, String> {
    let mut parts = name.splitn(3, ':');
    let (Some(topic), Some(protocol), Some(endpoint)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(format!(
            "a subscription's name is TOPIC:PROTOCOL:ENDPOINT, e.g. `alerts:email:oncall@example.com`; `{name}` is not"
        ));
    };
    topic_name_rule(topic)?;
    if !PROTOCOLS.contains(&protocol) {
        return Err(format!(
            "`{protocol}` is not a protocol lakectl subscribes; use one of {}",
            PROTOCOLS.join(", ")
        ));
    }
    let fits = match protocol {
        "email" | "email-json" => endpoint.contains('@') && !endpoint.contains(' '),
        "sqs" => endpoint.starts_with("arn:") && endpoint.contains(":sqs:"),
        _ => endpoint.starts_with("arn:") && endpoint.contains(":lambda:"),
    };
    if !fits {
        return Err(format!(
            "`{endpoint}` is not a {protocol} endpoint (an email address for email, a queue ARN for sqs, a function ARN for lambda)"
        ));
    }
    Ok(SubscriptionName {
        topic,
        protocol,
        endpoint,
    })
}

fn subscription_name_rule(name: &str) -> Result<(), String> {
    parse_subscription_name(name).map(drop)
}

fn check_display_name(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(d) if d.chars().count() > 100 => {
            Err("a display name is at most 100 characters".into())
        }
        _ => Ok(()),
    }
}

fn check_policy(v: &Value) -> Result<(), String> {
    match v {
        Value::Null => Ok(()),
        Value::Object(o) if o.contains_key("Statement") => Ok(()),
        _ => Err("a policy document is a mapping with `Version` and `Statement`".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::{assert_name_rule, assert_validates};

    #[test]
    fn topic_names_follow_snss_rule() {
        let long = "a".repeat(257);
        assert_name_rule(
            topic_name_rule,
            &[
                ("plain", "mycompany-dev-alerts", None),
                ("fifo", "orders_in.fifo", None),
                ("too long", &long, Some("has 257")),
                ("no dots elsewhere", "a.b", Some("has `.`")),
                ("empty", "", Some("1 to 256")),
                ("fifo alone", ".fifo", Some("1 to 256")),
            ],
        );
    }

    #[test]
    fn subscription_names_say_topic_protocol_and_endpoint() {
        assert_name_rule(
            subscription_name_rule,
            &[
                ("email", "alerts:email:oncall@example.com", None),
                (
                    "sqs, an ARN with colons",
                    "alerts:sqs:arn:aws:sqs:us-east-1:1:q",
                    None,
                ),
                (
                    "lambda",
                    "alerts:lambda:arn:aws:lambda:us-east-1:1:function:f",
                    None,
                ),
                (
                    "derived name",
                    "datalake-dev-alerts-email",
                    Some("TOPIC:PROTOCOL:ENDPOINT"),
                ),
                (
                    "unknown protocol",
                    "alerts:sms:+15550100",
                    Some("not a protocol"),
                ),
                (
                    "email without @",
                    "alerts:email:oncall",
                    Some("not a email endpoint"),
                ),
                (
                    "queue by name",
                    "alerts:sqs:my-queue",
                    Some("not a sqs endpoint"),
                ),
                ("bad topic", "al erts:email:a@b.c", Some("has ` `")),
            ],
        );
        let parts = parse_subscription_name("t:sqs:arn:aws:sqs:r:1:q").expect("parses");
        assert_eq!(
            (parts.topic, parts.protocol, parts.endpoint),
            ("t", "sqs", "arn:aws:sqs:r:1:q")
        );
    }

    #[test]
    fn topic_properties_are_checked() {
        assert_validates(
            &topic_schema(),
            &[
                ("minimal", json!({}), &[]),
                ("policy", json!({"policy": {"Statement": []}}), &[]),
                (
                    "not a policy",
                    json!({"policy": "allow"}),
                    &["a policy document"],
                ),
                (
                    "long display name",
                    json!({"display_name": "x".repeat(101)}),
                    &["at most 100"],
                ),
                (
                    "reserved tag",
                    json!({"tags": {"aws:x": "y"}}),
                    &["reserved for AWS"],
                ),
            ],
        );
    }
}
