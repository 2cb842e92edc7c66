//! What S3 answered, turned into a spec of the shape users write. Pure functions, so every
//! mapping is unit-tested without a server.
//!
//! Each "not configured" answer has a meaning: no encryption configuration is SSE-S3 (what
//! AWS applies to every bucket), no public access block is all four switches off, no policy
//! is `enforce_tls: false`, no lifecycle configuration is `[]`, no tag set is `{}`.

use crate::tls;
use aws_sdk_s3::types::{
    BucketVersioningStatus, LifecycleRule, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionConfiguration, Tag,
};
use lakectl_core::Attributes;
use serde_json::{Map, Value, json};

/// Everything observe read about one bucket, as the SDK returned it (`None`: not configured).
#[derive(Debug, Clone, Default)]
pub struct BucketFacts {
    /// GetBucketVersioning's status.
    pub versioning: Option<BucketVersioningStatus>,
    /// GetBucketEncryption's configuration.
    pub encryption: Option<ServerSideEncryptionConfiguration>,
    /// GetPublicAccessBlock's configuration.
    pub public_access_block: Option<PublicAccessBlockConfiguration>,
    /// GetBucketPolicy's document.
    pub policy: Option<String>,
    /// GetBucketLifecycleConfiguration's rules.
    pub lifecycle_rules: Vec<LifecycleRule>,
    /// Whether GetBucketNotificationConfiguration holds an EventBridge configuration.
    pub eventbridge: bool,
    /// GetBucketTagging's tag set.
    pub tags: Vec<Tag>,
}

/// The live spec of bucket `name` whose ARN is `arn`.
///
/// # Errors
/// The bucket policy is not JSON.
pub fn live_spec(name: &str, arn: &str, facts: &BucketFacts) -> Result<Value, String> {
    let enforce_tls = match &facts.policy {
        Some(policy) => tls::policy_enforces_tls(policy, arn)?,
        None => false,
    };
    Ok(json!({
        "name": name,
        "versioning": versioning_of(facts.versioning.as_ref()),
        "encryption": encryption_of(facts.encryption.as_ref()),
        "public_access_block": public_access_block_of(facts.public_access_block.as_ref()),
        "enforce_tls": enforce_tls,
        "lifecycle_rules": lifecycle_rules_of(&facts.lifecycle_rules),
        "eventbridge_notifications": facts.eventbridge,
        "tags": tags_of(&facts.tags),
    }))
}

/// Enabled is on; Suspended and never set are both off.
pub fn versioning_of(status: Option<&BucketVersioningStatus>) -> bool {
    matches!(status, Some(BucketVersioningStatus::Enabled))
}

/// The `encryption` object; no configuration is SSE-S3.
pub fn encryption_of(config: Option<&ServerSideEncryptionConfiguration>) -> Value {
    let rule = config.and_then(|c| c.rules().first());
    let default = rule.and_then(|r| r.apply_server_side_encryption_by_default());
    let algorithm = match default.map(|d| d.sse_algorithm()) {
        None | Some(ServerSideEncryption::Aes256) => "SSE-S3".to_string(),
        Some(ServerSideEncryption::AwsKms) => "SSE-KMS".to_string(),
        // DSSE-KMS and anything newer: shown as AWS names it, so the plan says what it found.
        Some(other) => other.as_str().to_string(),
    };
    json!({
        "algorithm": algorithm,
        "kms_key_id": default.and_then(|d| d.kms_master_key_id()),
        "bucket_key": rule.and_then(|r| r.bucket_key_enabled()).unwrap_or(false),
    })
}

/// The `public_access_block` object; no configuration is every switch off.
pub fn public_access_block_of(config: Option<&PublicAccessBlockConfiguration>) -> Value {
    let flag = |f: fn(&PublicAccessBlockConfiguration) -> Option<bool>| {
        config.and_then(f).unwrap_or(false)
    };
    json!({
        "block_public_acls": flag(PublicAccessBlockConfiguration::block_public_acls),
        "ignore_public_acls": flag(PublicAccessBlockConfiguration::ignore_public_acls),
        "block_public_policy": flag(PublicAccessBlockConfiguration::block_public_policy),
        "restrict_public_buckets": flag(PublicAccessBlockConfiguration::restrict_public_buckets),
    })
}

/// The `lifecycle_rules` list, in the order S3 returned it.
pub fn lifecycle_rules_of(rules: &[LifecycleRule]) -> Value {
    Value::Array(rules.iter().map(lifecycle_rule_of).collect())
}

fn lifecycle_rule_of(rule: &LifecycleRule) -> Value {
    // The prefix may sit in the filter (current API), in an And of the filter, or in the
    // rule itself (the deprecated form older tools write).
    let filter = rule.filter();
    #[allow(deprecated)]
    let prefix = filter
        .and_then(|f| f.prefix().or_else(|| f.and().and_then(|a| a.prefix())))
        .or_else(|| rule.prefix())
        .unwrap_or("");
    let transitions: Vec<Value> = rule
        .transitions()
        .iter()
        .map(|t| {
            json!({
                "days": t.days(),
                "storage_class": t.storage_class().map(|c| c.as_str()),
            })
        })
        .collect();
    json!({
        "id": rule.id().unwrap_or(""),
        "prefix": prefix,
        "enabled": rule.status().as_str() == "Enabled",
        "transitions": transitions,
        "expiration_days": rule.expiration().and_then(|e| e.days()),
        "noncurrent_version_expiration_days":
            rule.noncurrent_version_expiration().and_then(|e| e.noncurrent_days()),
        "abort_incomplete_multipart_upload_days":
            rule.abort_incomplete_multipart_upload().and_then(|a| a.days_after_initiation()),
    })
}

/// The `tags` map; no tag set is `{}`.
pub fn tags_of(tags: &[Tag]) -> Value {
    Value::Object(
        tags.iter()
            .map(|t| (t.key().to_string(), Value::String(t.value().to_string())))
            .collect::<Map<_, _>>(),
    )
}

/// `arn`, `name` and `regional_domain_name`: all follow from the name.
pub fn attributes(partition: &str, region: &str, name: &str) -> Attributes {
    let suffix = if partition == "aws-cn" {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    Attributes::from([
        ("arn".to_string(), tls::bucket_arn(partition, name)),
        ("name".to_string(), name.to_string()),
        (
            "regional_domain_name".to_string(),
            format!("{name}.s3.{region}.{suffix}"),
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::types::{
        AbortIncompleteMultipartUpload, ExpirationStatus, LifecycleExpiration, LifecycleRuleFilter,
        NoncurrentVersionExpiration, ServerSideEncryptionByDefault, ServerSideEncryptionRule,
        Transition, TransitionStorageClass,
    };

    fn sse(
        alg: ServerSideEncryption,
        key: Option<&str>,
        bucket_key: Option<bool>,
    ) -> ServerSideEncryptionConfiguration {
        let default = ServerSideEncryptionByDefault::builder()
            .sse_algorithm(alg)
            .set_kms_master_key_id(key.map(str::to_string))
            .build()
            .expect("algorithm set");
        ServerSideEncryptionConfiguration::builder()
            .rules(
                ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(default)
                    .set_bucket_key_enabled(bucket_key)
                    .build(),
            )
            .build()
            .expect("rules set")
    }

    #[test]
    fn versioning_is_on_only_when_enabled() {
        let cases = [
            ("never configured", None, false),
            ("enabled", Some(BucketVersioningStatus::Enabled), true),
            ("suspended", Some(BucketVersioningStatus::Suspended), false),
        ];
        for (why, status, want) in cases {
            assert_eq!(versioning_of(status.as_ref()), want, "{why}");
        }
    }

    #[test]
    fn encryption_maps_algorithms_and_reads_no_configuration_as_sse_s3() {
        let cases = [
            (
                "no configuration",
                None,
                json!({"algorithm": "SSE-S3", "kms_key_id": null, "bucket_key": false}),
            ),
            (
                "AES256 as moto reads it back",
                Some(sse(ServerSideEncryption::Aes256, None, Some(false))),
                json!({"algorithm": "SSE-S3", "kms_key_id": null, "bucket_key": false}),
            ),
            (
                "KMS with key and bucket key",
                Some(sse(
                    ServerSideEncryption::AwsKms,
                    Some("alias/lake"),
                    Some(true),
                )),
                json!({"algorithm": "SSE-KMS", "kms_key_id": "alias/lake", "bucket_key": true}),
            ),
            (
                "KMS with the aws/s3 key, bucket key not reported",
                Some(sse(ServerSideEncryption::AwsKms, None, None)),
                json!({"algorithm": "SSE-KMS", "kms_key_id": null, "bucket_key": false}),
            ),
            (
                "an algorithm lakectl does not offer is shown as AWS names it",
                Some(sse(ServerSideEncryption::AwsKmsDsse, None, None)),
                json!({"algorithm": "aws:kms:dsse", "kms_key_id": null, "bucket_key": false}),
            ),
        ];
        for (why, config, want) in cases {
            assert_eq!(encryption_of(config.as_ref()), want, "{why}");
        }
    }

    #[test]
    fn public_access_block_without_configuration_is_all_off() {
        let partial = PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .restrict_public_buckets(true)
            .build();
        let cases = [
            (
                "no configuration",
                None,
                json!({"block_public_acls": false, "ignore_public_acls": false, "block_public_policy": false, "restrict_public_buckets": false}),
            ),
            (
                "a switch left out is off",
                Some(partial),
                json!({"block_public_acls": true, "ignore_public_acls": false, "block_public_policy": false, "restrict_public_buckets": true}),
            ),
        ];
        for (why, config, want) in cases {
            assert_eq!(public_access_block_of(config.as_ref()), want, "{why}");
        }
    }

    #[test]
    fn lifecycle_rules_keep_every_managed_field() {
        let full = LifecycleRule::builder()
            .id("raw")
            .filter(LifecycleRuleFilter::builder().prefix("raw/").build())
            .status(ExpirationStatus::Enabled)
            .transitions(
                Transition::builder()
                    .days(30)
                    .storage_class(TransitionStorageClass::StandardIa)
                    .build(),
            )
            .transitions(
                Transition::builder()
                    .days(90)
                    .storage_class(TransitionStorageClass::GlacierIr)
                    .build(),
            )
            .expiration(LifecycleExpiration::builder().days(365).build())
            .noncurrent_version_expiration(
                NoncurrentVersionExpiration::builder()
                    .noncurrent_days(30)
                    .build(),
            )
            .abort_incomplete_multipart_upload(
                AbortIncompleteMultipartUpload::builder()
                    .days_after_initiation(7)
                    .build(),
            )
            .build()
            .expect("status set");
        #[allow(deprecated)]
        let legacy_prefix = LifecycleRule::builder()
            .id("old")
            .prefix("logs/")
            .status(ExpirationStatus::Disabled)
            .expiration(LifecycleExpiration::builder().days(10).build())
            .build()
            .expect("status set");
        let cases = [
            (
                "every field",
                full,
                json!({"id": "raw", "prefix": "raw/", "enabled": true,
                       "transitions": [{"days": 30, "storage_class": "STANDARD_IA"}, {"days": 90, "storage_class": "GLACIER_IR"}],
                       "expiration_days": 365, "noncurrent_version_expiration_days": 30,
                       "abort_incomplete_multipart_upload_days": 7}),
            ),
            (
                "deprecated rule-level prefix, disabled, unset actions are null",
                legacy_prefix,
                json!({"id": "old", "prefix": "logs/", "enabled": false, "transitions": [],
                       "expiration_days": 10, "noncurrent_version_expiration_days": null,
                       "abort_incomplete_multipart_upload_days": null}),
            ),
        ];
        for (why, rule, want) in cases {
            assert_eq!(lifecycle_rules_of(&[rule]), json!([want]), "{why}");
        }
        assert_eq!(
            lifecycle_rules_of(&[]),
            json!([]),
            "no configuration is an empty list"
        );
    }

    #[test]
    fn live_spec_reads_unset_as_the_defaults_say() {
        let arn = "arn:aws:s3:::acme-raw";
        let tag = Tag::builder()
            .key("lakectl:stack")
            .value("lake")
            .build()
            .expect("key and value");
        let cases = [
            (
                "nothing configured",
                BucketFacts::default(),
                json!({"name": "acme-raw", "versioning": false,
                       "encryption": {"algorithm": "SSE-S3", "kms_key_id": null, "bucket_key": false},
                       "public_access_block": {"block_public_acls": false, "ignore_public_acls": false, "block_public_policy": false, "restrict_public_buckets": false},
                       "enforce_tls": false, "lifecycle_rules": [], "eventbridge_notifications": false, "tags": {}}),
            ),
            (
                "policy, notifications and tags",
                BucketFacts {
                    policy: Some(tls::tls_policy(arn).to_string()),
                    eventbridge: true,
                    tags: vec![tag],
                    ..BucketFacts::default()
                },
                json!({"name": "acme-raw", "versioning": false,
                       "encryption": {"algorithm": "SSE-S3", "kms_key_id": null, "bucket_key": false},
                       "public_access_block": {"block_public_acls": false, "ignore_public_acls": false, "block_public_policy": false, "restrict_public_buckets": false},
                       "enforce_tls": true, "lifecycle_rules": [], "eventbridge_notifications": true, "tags": {"lakectl:stack": "lake"}}),
            ),
        ];
        for (why, facts, want) in cases {
            assert_eq!(live_spec("acme-raw", arn, &facts), Ok(want), "{why}");
        }
    }

    #[test]
    fn attributes_follow_from_the_name() {
        let cases = [
            (
                "aws",
                "aws",
                "eu-west-1",
                "arn:aws:s3:::b1",
                "b1.s3.eu-west-1.amazonaws.com",
            ),
            (
                "china",
                "aws-cn",
                "cn-north-1",
                "arn:aws-cn:s3:::b1",
                "b1.s3.cn-north-1.amazonaws.com.cn",
            ),
        ];
        for (why, partition, region, arn, domain) in cases {
            let a = attributes(partition, region, "b1");
            assert_eq!(a["arn"], arn, "{why}");
            assert_eq!(a["regional_domain_name"], domain, "{why}");
            assert_eq!(a["name"], "b1", "{why}");
        }
    }
}
