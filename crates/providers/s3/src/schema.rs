//! The `s3.bucket` schema: properties, the defaults that say what "unset" means, and S3's
//! bucket naming rules.

use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// The kind this crate manages.
pub const KIND: &str = "s3.bucket";

/// The longest bucket name S3 accepts.
pub const NAME_MAX_LEN: usize = 63;

/// The storage classes a lifecycle transition may move objects to.
pub const STORAGE_CLASSES: &[&str] = &[
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER_IR",
    "GLACIER",
    "DEEP_ARCHIVE",
];

/// The encryption algorithms a bucket may default to.
pub const ALGORITHMS: &[&str] = &["SSE-S3", "SSE-KMS"];

/// The four public access block switches, in the order AWS lists them.
pub const PUBLIC_ACCESS_FLAGS: [&str; 4] = [
    "block_public_acls",
    "ignore_public_acls",
    "block_public_policy",
    "restrict_public_buckets",
];

/// The largest number of days S3 accepts (its fields are 32-bit).
const MAX_DAYS: i64 = i32::MAX as i64;

/// The schema of `s3.bucket`.
pub fn schema() -> Schema {
    Schema {
        kind: KIND,
        description: "an S3 bucket: versioning, encryption, public access block, TLS-only \
                      policy, lifecycle rules, EventBridge notifications, tags",
        props: vec![
            Prop::new("name", Type::String, "the bucket name (set by the loader)").immutable(),
            Prop::new(
                "versioning",
                Type::Bool,
                "keep every version of every object (false: never enabled or suspended)",
            )
            .default(json!(false)),
            Prop::new(
                "encryption",
                Type::Object(encryption_props()),
                "default encryption of new objects",
            )
            .default(json!({}))
            .check(check_encryption),
            Prop::new(
                "public_access_block",
                Type::Object(
                    PUBLIC_ACCESS_FLAGS
                        .iter()
                        .map(|f| {
                            Prop::new(f, Type::Bool, "a public access block switch")
                                .default(json!(true))
                        })
                        .collect(),
                ),
                "the bucket's public access block; every switch defaults to on",
            )
            .default(json!({})),
            Prop::new(
                "enforce_tls",
                Type::Bool,
                "a bucket policy denying every request not made over TLS (lakectl owns the policy)",
            )
            .default(json!(true)),
            Prop::new(
                "lifecycle_rules",
                Type::List(Box::new(Type::Object(lifecycle_rule_props()))),
                "lifecycle rules; an empty list means no lifecycle configuration",
            )
            .default(json!([]))
            .check(check_lifecycle_rules),
            Prop::new(
                "eventbridge_notifications",
                Type::Bool,
                "send the bucket's events to Amazon EventBridge",
            )
            .default(json!(false)),
            tags_prop("tags on the bucket"),
        ],
        attributes: &["arn", "regional_domain_name"],
        taggable: true,
        name_rule,
        name_max_len: NAME_MAX_LEN,
    }
}

fn encryption_props() -> Vec<Prop> {
    vec![
        Prop::new(
            "algorithm",
            Type::Enum(ALGORITHMS),
            "SSE-S3 (S3-managed keys) or SSE-KMS (a KMS key)",
        )
        .default(json!("SSE-S3")),
        Prop::new(
            "kms_key_id",
            Type::String,
            "the KMS key (id, ARN or alias) for SSE-KMS; null: the AWS-managed aws/s3 key",
        )
        .default(Value::Null),
        // A single default cannot depend on the algorithm, so null stands for "what the
        // algorithm implies" and `normalize` resolves it: on for SSE-KMS (fewer, cheaper KMS
        // calls), off for SSE-S3 (bucket keys are a KMS feature).
        Prop::new(
            "bucket_key",
            Type::Bool,
            "use an S3 bucket key with SSE-KMS; default true with SSE-KMS, always false with SSE-S3",
        )
        .default(Value::Null),
    ]
}

fn lifecycle_rule_props() -> Vec<Prop> {
    let days = |min: i64| Type::Int { min, max: MAX_DAYS };
    vec![
        Prop::new("id", Type::String, "the rule's unique id").required(),
        Prop::new(
            "prefix",
            Type::String,
            "only objects under this key prefix; \"\": all",
        )
        .default(json!("")),
        Prop::new("enabled", Type::Bool, "whether the rule applies").default(json!(true)),
        Prop::new(
            "transitions",
            Type::List(Box::new(Type::Object(vec![
                Prop::new("days", days(0), "days after creation").required(),
                Prop::new(
                    "storage_class",
                    Type::Enum(STORAGE_CLASSES),
                    "the storage class to move to",
                )
                .required(),
            ]))),
            "moves to cheaper storage classes",
        )
        .default(json!([])),
        Prop::new(
            "expiration_days",
            days(1),
            "delete objects this many days after creation",
        )
        .default(Value::Null),
        Prop::new(
            "noncurrent_version_expiration_days",
            days(1),
            "delete old versions this many days after they stop being current",
        )
        .default(Value::Null),
        Prop::new(
            "abort_incomplete_multipart_upload_days",
            days(1),
            "abort unfinished multipart uploads after this many days",
        )
        .default(Value::Null),
    ]
}

/// Checks a bucket name against S3's naming rules; the message says which rule failed.
///
/// # Errors
/// The first rule the name breaks.
pub fn name_rule(name: &str) -> Result<(), String> {
    let len = name.len();
    if !(3..=NAME_MAX_LEN).contains(&len) {
        return Err(format!(
            "a bucket name has 3 to {NAME_MAX_LEN} characters; `{name}` has {len}"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '.'))
    {
        return Err(format!(
            "a bucket name holds only lowercase letters, digits, hyphens and dots; `{name}` has `{c}`"
        ));
    }
    let edge_ok = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !edge_ok(name.chars().next()) || !edge_ok(name.chars().last()) {
        return Err(format!(
            "a bucket name starts and ends with a letter or digit: `{name}`"
        ));
    }
    if name.contains("..") {
        return Err(format!("a bucket name has no two dots in a row: `{name}`"));
    }
    if name.parse::<Ipv4Addr>().is_ok() {
        return Err(format!(
            "a bucket name must not look like an IP address: `{name}`"
        ));
    }
    for prefix in ["xn--", "sthree-"] {
        if name.starts_with(prefix) {
            return Err(format!(
                "a bucket name must not start with `{prefix}` (reserved by S3): `{name}`"
            ));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", "--x-s3", ".mrap"] {
        if name.ends_with(suffix) {
            return Err(format!(
                "a bucket name must not end with `{suffix}` (reserved by S3): `{name}`"
            ));
        }
    }
    Ok(())
}

fn check_encryption(v: &Value) -> Result<(), String> {
    let algorithm = v
        .get("algorithm")
        .and_then(Value::as_str)
        .unwrap_or("SSE-S3");
    if algorithm == "SSE-S3" {
        if v.get("kms_key_id").is_some_and(|k| !k.is_null()) {
            return Err(
                "`kms_key_id` needs `algorithm: SSE-KMS`; SSE-S3 uses S3's own keys".into(),
            );
        }
        if v.get("bucket_key") == Some(&Value::Bool(true)) {
            return Err(
                "`bucket_key` needs `algorithm: SSE-KMS`: bucket keys are a KMS feature".into(),
            );
        }
    }
    Ok(())
}

fn check_lifecycle_rules(v: &Value) -> Result<(), String> {
    let Some(rules) = v.as_array() else {
        return Ok(());
    };
    let mut ids = BTreeSet::new();
    for rule in rules {
        let id = rule.get("id").and_then(Value::as_str).unwrap_or("");
        if id.is_empty() || id.len() > 255 {
            return Err(format!(
                "a lifecycle rule id has 1 to 255 characters; `{id}` has {}",
                id.len()
            ));
        }
        if !ids.insert(id) {
            return Err(format!("lifecycle rule id `{id}` is used twice"));
        }
        let has_action = [
            "expiration_days",
            "noncurrent_version_expiration_days",
            "abort_incomplete_multipart_upload_days",
        ]
        .iter()
        .any(|k| rule.get(*k).is_some_and(|d| !d.is_null()))
            || rule
                .get("transitions")
                .and_then(Value::as_array)
                .is_some_and(|t| !t.is_empty());
        if !has_action {
            return Err(format!(
                "lifecycle rule `{id}` does nothing: give it transitions, expiration_days, \
                 noncurrent_version_expiration_days or abort_incomplete_multipart_upload_days"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::assert_name_rule;

    #[test]
    fn name_rule_accepts_valid_names_and_says_which_rule_failed() {
        let long = "a".repeat(64);
        let max = "a".repeat(63);
        let cases: Vec<(&str, &str, Option<&str>)> = vec![
            ("plain", "acme-raw", None),
            ("dots and digits", "acme.raw.2024", None),
            ("shortest", "abc", None),
            ("longest", &max, None),
            ("too short", "ab", Some("3 to 63 characters")),
            ("too long", &long, Some("3 to 63 characters")),
            ("uppercase", "Acme-raw", Some("has `A`")),
            ("underscore", "acme_raw", Some("has `_`")),
            ("starts with hyphen", "-acme", Some("starts and ends")),
            ("ends with dot", "acme.", Some("starts and ends")),
            ("double dot", "acme..raw", Some("two dots")),
            ("ip address", "192.168.5.4", Some("IP address")),
            ("four numbers out of range is not an ip", "300.1.1.1", None),
            ("punycode prefix", "xn--acme", Some("`xn--`")),
            ("s3 alias suffix", "acme-s3alias", Some("`-s3alias`")),
            ("sthree prefix", "sthree-acme", Some("`sthree-`")),
            ("object lambda suffix", "acme--ol-s3", Some("`--ol-s3`")),
            ("directory bucket suffix", "acme--x-s3", Some("`--x-s3`")),
        ];
        assert_name_rule(name_rule, &cases);
    }

    #[test]
    fn schema_validates_specs() {
        let cases: &[(&str, Value, &[&str])] = &[
            ("empty spec is valid", json!({}), &[]),
            (
                "every property",
                json!({"versioning": true, "encryption": {"algorithm": "SSE-KMS", "kms_key_id": "alias/lake", "bucket_key": false},
                       "public_access_block": {"block_public_acls": false}, "enforce_tls": false,
                       "lifecycle_rules": [{"id": "raw", "prefix": "raw/", "transitions": [{"days": 30, "storage_class": "GLACIER"}]}],
                       "eventbridge_notifications": true, "tags": {"team": "data"}}),
                &[],
            ),
            (
                "unknown algorithm",
                json!({"encryption": {"algorithm": "AES256"}}),
                &["`AES256` is not one of SSE-S3, SSE-KMS"],
            ),
            (
                "kms key with SSE-S3",
                json!({"encryption": {"kms_key_id": "alias/lake"}}),
                &["`kms_key_id` needs `algorithm: SSE-KMS`; SSE-S3 uses S3's own keys"],
            ),
            (
                "bucket key with SSE-S3",
                json!({"encryption": {"algorithm": "SSE-S3", "bucket_key": true}}),
                &["`bucket_key` needs `algorithm: SSE-KMS`: bucket keys are a KMS feature"],
            ),
            (
                "rule without id",
                json!({"lifecycle_rules": [{"expiration_days": 3}]}),
                &["missing required property `id`"],
            ),
            (
                "rule without action",
                json!({"lifecycle_rules": [{"id": "x"}]}),
                &[
                    "lifecycle rule `x` does nothing: give it transitions, expiration_days, noncurrent_version_expiration_days or abort_incomplete_multipart_upload_days",
                ],
            ),
            (
                "duplicate rule id",
                json!({"lifecycle_rules": [{"id": "x", "expiration_days": 1}, {"id": "x", "expiration_days": 2}]}),
                &["lifecycle rule id `x` is used twice"],
            ),
            (
                "zero expiration",
                json!({"lifecycle_rules": [{"id": "x", "expiration_days": 0}]}),
                &["expected a whole number from 1 to 2147483647, found 0"],
            ),
            (
                "bad storage class",
                json!({"lifecycle_rules": [{"id": "x", "transitions": [{"days": 1, "storage_class": "COLD"}]}]}),
                &[
                    "`COLD` is not one of STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER_IR, GLACIER, DEEP_ARCHIVE",
                ],
            ),
            (
                "reserved tag prefix",
                json!({"tags": {"aws:owner": "me"}}),
                &["tag key `aws:owner`: the `aws:` prefix is reserved for AWS"],
            ),
            (
                "tag value not a string",
                json!({"tags": {"n": 1}}),
                &["expected a string, found a number"],
            ),
        ];
        lakectl_provider::testkit::assert_validates(&schema(), cases);
    }

    #[test]
    fn defaults_say_what_unset_means() {
        let mut spec = json!({"lifecycle_rules": [{"id": "x", "expiration_days": 5}]});
        schema().apply_defaults(&mut spec);
        assert_eq!(
            spec,
            json!({
                "versioning": false,
                "encryption": {"algorithm": "SSE-S3", "kms_key_id": null, "bucket_key": null},
                "public_access_block": {"block_public_acls": true, "ignore_public_acls": true,
                                        "block_public_policy": true, "restrict_public_buckets": true},
                "enforce_tls": true,
                "lifecycle_rules": [{"id": "x", "prefix": "", "enabled": true, "transitions": [],
                                     "expiration_days": 5, "noncurrent_version_expiration_days": null,
                                     "abort_incomplete_multipart_upload_days": null}],
                "eventbridge_notifications": false,
                "tags": {}
            })
        );
    }
}
