//! The desired spec turned into the SDK's request types. Pure functions: a spec that passed
//! schema validation always converts; anything else is reported, never panicked on.

use aws_sdk_s3::types::{
    AbortIncompleteMultipartUpload, BucketLifecycleConfiguration, BucketVersioningStatus,
    ExpirationStatus, LifecycleExpiration, LifecycleRule, LifecycleRuleFilter,
    NoncurrentVersionExpiration, PublicAccessBlockConfiguration, ServerSideEncryption,
    ServerSideEncryptionByDefault, ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
    Tag, Transition, TransitionStorageClass, VersioningConfiguration,
};
use serde::Deserialize;
use serde_json::Value;

/// The `encryption` property.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct EncryptionSpec {
    /// `SSE-S3` or `SSE-KMS`.
    pub algorithm: String,
    /// The KMS key for SSE-KMS.
    pub kms_key_id: Option<String>,
    /// Use a bucket key; `None` is what the algorithm implies.
    pub bucket_key: Option<bool>,
}

impl Default for EncryptionSpec {
    fn default() -> Self {
        EncryptionSpec {
            algorithm: "SSE-S3".into(),
            kms_key_id: None,
            bucket_key: None,
        }
    }
}

/// One entry of `lifecycle_rules`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RuleSpec {
    /// The rule id.
    pub id: String,
    /// The key prefix it applies to.
    #[serde(default)]
    pub prefix: String,
    /// Whether it applies.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Storage class transitions.
    #[serde(default)]
    pub transitions: Vec<TransitionSpec>,
    /// Expire objects after this many days.
    pub expiration_days: Option<i32>,
    /// Expire noncurrent versions after this many days.
    pub noncurrent_version_expiration_days: Option<i32>,
    /// Abort incomplete multipart uploads after this many days.
    pub abort_incomplete_multipart_upload_days: Option<i32>,
}

/// One transition of a lifecycle rule.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TransitionSpec {
    /// Days after creation.
    pub days: i32,
    /// The storage class to move to.
    pub storage_class: String,
}

fn yes() -> bool {
    true
}

/// Reads property `key` of `spec` as `T`, or `T::default()` when it is absent or null.
///
/// # Errors
/// The value does not have the shape of `T` (the spec skipped validation).
pub fn prop<T: for<'de> Deserialize<'de> + Default>(spec: &Value, key: &str) -> Result<T, String> {
    match spec.get(key) {
        None | Some(Value::Null) => Ok(T::default()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("property `{key}`: {e}")),
    }
}

/// Enabled, or Suspended (S3 cannot return a bucket to "never versioned").
pub fn versioning_configuration(enabled: bool) -> VersioningConfiguration {
    VersioningConfiguration::builder()
        .status(if enabled {
            BucketVersioningStatus::Enabled
        } else {
            BucketVersioningStatus::Suspended
        })
        .build()
}

/// The default encryption rule.
///
/// # Errors
/// An algorithm other than SSE-S3 or SSE-KMS.
pub fn encryption_configuration(
    spec: &EncryptionSpec,
) -> Result<ServerSideEncryptionConfiguration, String> {
    // Key id and bucket key mean something only with KMS; with SSE-S3 they are left out.
    let (algorithm, kms_key_id, bucket_key) = match spec.algorithm.as_str() {
        "SSE-S3" => (ServerSideEncryption::Aes256, None, None),
        "SSE-KMS" => (
            ServerSideEncryption::AwsKms,
            spec.kms_key_id.clone(),
            Some(spec.bucket_key.unwrap_or(true)),
        ),
        other => return Err(format!("unknown encryption algorithm `{other}`")),
    };
    let default = ServerSideEncryptionByDefault::builder()
        .sse_algorithm(algorithm)
        .set_kms_master_key_id(kms_key_id)
        .build()
        .map_err(|e| e.to_string())?;
    ServerSideEncryptionConfiguration::builder()
        .rules(
            ServerSideEncryptionRule::builder()
                .apply_server_side_encryption_by_default(default)
                .set_bucket_key_enabled(bucket_key)
                .build(),
        )
        .build()
        .map_err(|e| e.to_string())
}

/// The public access block; a switch left out is on.
pub fn public_access_block_configuration(spec: &Value) -> PublicAccessBlockConfiguration {
    let flag = |k: &str| spec.get(k).and_then(Value::as_bool).unwrap_or(true);
    PublicAccessBlockConfiguration::builder()
        .block_public_acls(flag("block_public_acls"))
        .ignore_public_acls(flag("ignore_public_acls"))
        .block_public_policy(flag("block_public_policy"))
        .restrict_public_buckets(flag("restrict_public_buckets"))
        .build()
}

/// The lifecycle configuration; `None` for no rules (S3 refuses an empty rule list).
///
/// # Errors
/// A storage class S3 does not know, or a rule the SDK cannot build.
pub fn lifecycle_configuration(
    rules: &[RuleSpec],
) -> Result<Option<BucketLifecycleConfiguration>, String> {
    if rules.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(rules.len());
    for r in rules {
        let mut rule = LifecycleRule::builder()
            .id(&r.id)
            .filter(LifecycleRuleFilter::builder().prefix(&r.prefix).build())
            .status(if r.enabled {
                ExpirationStatus::Enabled
            } else {
                ExpirationStatus::Disabled
            });
        for t in &r.transitions {
            if !crate::schema::STORAGE_CLASSES.contains(&t.storage_class.as_str()) {
                return Err(format!(
                    "lifecycle rule `{}`: unknown storage class `{}`",
                    r.id, t.storage_class
                ));
            }
            rule = rule.transitions(
                Transition::builder()
                    .days(t.days)
                    .storage_class(TransitionStorageClass::from(t.storage_class.as_str()))
                    .build(),
            );
        }
        if let Some(days) = r.expiration_days {
            rule = rule.expiration(LifecycleExpiration::builder().days(days).build());
        }
        if let Some(days) = r.noncurrent_version_expiration_days {
            rule = rule.noncurrent_version_expiration(
                NoncurrentVersionExpiration::builder()
                    .noncurrent_days(days)
                    .build(),
            );
        }
        if let Some(days) = r.abort_incomplete_multipart_upload_days {
            rule = rule.abort_incomplete_multipart_upload(
                AbortIncompleteMultipartUpload::builder()
                    .days_after_initiation(days)
                    .build(),
            );
        }
        out.push(rule.build().map_err(|e| e.to_string())?);
    }
    BucketLifecycleConfiguration::builder()
        .set_rules(Some(out))
        .build()
        .map(Some)
        .map_err(|e| e.to_string())
}

/// The tag set, sorted by key.
///
/// # Errors
/// The SDK refuses a tag (an empty key).
pub fn tag_set(tags: &lakectl_provider::tags::Tags) -> Result<Vec<Tag>, String> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| e.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live;
    use serde_json::json;

    #[test]
    fn encryption_round_trips_through_the_live_mapping() {
        let cases = [
            (
                "SSE-S3",
                json!({"algorithm": "SSE-S3"}),
                json!({"algorithm": "SSE-S3", "kms_key_id": null, "bucket_key": false}),
            ),
            (
                "SSE-KMS defaults to a bucket key",
                json!({"algorithm": "SSE-KMS", "kms_key_id": "alias/lake"}),
                json!({"algorithm": "SSE-KMS", "kms_key_id": "alias/lake", "bucket_key": true}),
            ),
            (
                "SSE-KMS without bucket key, aws/s3 key",
                json!({"algorithm": "SSE-KMS", "bucket_key": false}),
                json!({"algorithm": "SSE-KMS", "kms_key_id": null, "bucket_key": false}),
            ),
        ];
        for (why, spec, want) in cases {
            let spec: EncryptionSpec = serde_json::from_value(spec).expect("valid spec");
            let config = encryption_configuration(&spec).expect("converts");
            assert_eq!(live::encryption_of(Some(&config)), want, "{why}");
        }
        let bad = EncryptionSpec {
            algorithm: "ROT13".into(),
            ..EncryptionSpec::default()
        };
        assert!(
            encryption_configuration(&bad).is_err(),
            "unknown algorithm is refused"
        );
    }

    #[test]
    fn public_access_block_round_trips_and_defaults_on() {
        let cases = [
            (
                "all left out",
                json!({}),
                json!({"block_public_acls": true, "ignore_public_acls": true, "block_public_policy": true, "restrict_public_buckets": true}),
            ),
            (
                "one off",
                json!({"ignore_public_acls": false}),
                json!({"block_public_acls": true, "ignore_public_acls": false, "block_public_policy": true, "restrict_public_buckets": true}),
            ),
        ];
        for (why, spec, want) in cases {
            let config = public_access_block_configuration(&spec);
            assert_eq!(live::public_access_block_of(Some(&config)), want, "{why}");
        }
    }

    #[test]
    fn lifecycle_rules_round_trip_through_the_live_mapping() {
        let spec = json!([
            {"id": "raw", "prefix": "raw/", "enabled": true,
             "transitions": [{"days": 30, "storage_class": "STANDARD_IA"}, {"days": 180, "storage_class": "DEEP_ARCHIVE"}],
             "expiration_days": 730, "noncurrent_version_expiration_days": 30,
             "abort_incomplete_multipart_upload_days": 7},
            {"id": "tmp", "prefix": "", "enabled": false, "transitions": [],
             "expiration_days": 1, "noncurrent_version_expiration_days": null,
             "abort_incomplete_multipart_upload_days": null}
        ]);
        let rules: Vec<RuleSpec> = serde_json::from_value(spec.clone()).expect("valid rules");
        let config = lifecycle_configuration(&rules)
            .expect("converts")
            .expect("has rules");
        assert_eq!(live::lifecycle_rules_of(config.rules()), spec);
        assert_eq!(
            lifecycle_configuration(&[]),
            Ok(None),
            "no rules is no configuration"
        );
        let bad: Vec<RuleSpec> = serde_json::from_value(
            json!([{"id": "x", "transitions": [{"days": 1, "storage_class": "COLD"}]}]),
        )
        .expect("shape is fine");
        assert!(
            lifecycle_configuration(&bad).is_err(),
            "unknown storage class is refused"
        );
    }

    #[test]
    fn tags_round_trip() {
        let spec = json!({"tags": {"lakectl:stack": "lake", "team": "data"}});
        let tags = lakectl_provider::tags::tags_of("b", &spec).expect("strings");
        let set = tag_set(&tags).expect("tags");
        assert_eq!(live::tags_of(&set), spec["tags"]);
    }

    #[test]
    fn prop_reads_absent_and_null_as_default() {
        let spec = json!({"encryption": null, "lifecycle_rules": "nope"});
        assert_eq!(
            prop::<EncryptionSpec>(&spec, "encryption"),
            Ok(EncryptionSpec::default())
        );
        assert_eq!(prop::<Vec<RuleSpec>>(&spec, "missing"), Ok(vec![]));
        assert!(prop::<Vec<RuleSpec>>(&spec, "lifecycle_rules").is_err());
    }
}
