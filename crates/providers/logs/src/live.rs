//! What CloudWatch Logs reports about a log group, as a spec of the shape users write.

use lakectl_provider::tags::{Tags, tags_value};
use serde_json::{Value, json};

/// What observe read about one log group, as plain data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupFacts {
    /// The log group name.
    pub name: String,
    /// Days events are kept; `None` is forever.
    pub retention_in_days: Option<i32>,
    /// The KMS key ARN, when one is associated.
    pub kms_key_id: Option<String>,
    /// All tags, lakectl's ownership tags included.
    pub tags: Tags,
}

/// The live spec: every property of the schema, unset written as the schema's default.
pub fn live_spec(f: &GroupFacts) -> Value {
    json!({
        "name": f.name,
        "retention_in_days": f.retention_in_days,
        "kms_key_id": f.kms_key_id,
        "tags": tags_value(&f.tags),
    })
}

/// `arn:{partition}:logs:{region}:{account}:log-group:{name}`: the form tagging takes (the
/// one DescribeLogGroups calls `arn` ends in `:*` and is refused by TagResource).
pub fn group_arn(partition: &str, region: &str, account: &str, name: &str) -> String {
    format!("arn:{partition}:logs:{region}:{account}:log-group:{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_reads_back_as_the_schema_defaults() {
        let mut desired = json!({"name": "/g"});
        crate::schema().apply_defaults(&mut desired);
        let live = live_spec(&GroupFacts {
            name: "/g".into(),
            ..GroupFacts::default()
        });
        assert!(lakectl_core::diff(&crate::schema(), &desired, &live).is_empty());
        let set = live_spec(&GroupFacts {
            name: "/g".into(),
            retention_in_days: Some(30),
            kms_key_id: Some("arn:aws:kms:us-east-1:1:key/k".into()),
            tags: Tags::from([("team".into(), "data".into())]),
        });
        assert_eq!(
            set,
            json!({"name": "/g", "retention_in_days": 30,
                   "kms_key_id": "arn:aws:kms:us-east-1:1:key/k", "tags": {"team": "data"}})
        );
        assert_eq!(
            group_arn("aws", "eu-west-1", "1", "/aws-glue/x"),
            "arn:aws:logs:eu-west-1:1:log-group:/aws-glue/x"
        );
    }
}
