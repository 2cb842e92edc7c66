//! Update and drift against the emulator (needs AWS_ENDPOINT_URL).

mod common;

use aws_sdk_s3::types::{BucketVersioningStatus, Tag, Tagging, VersioningConfiguration};
use common::*;
use lakectl_core::Provider;
use serde_json::{Value, json};

/// `base` with `overrides` merged in at the top level.
fn with(base: &Value, overrides: Value) -> Value {
    let mut out = base.clone();
    for (k, v) in overrides.as_object().expect("object") {
        out[k] = v.clone();
    }
    out
}

#[tokio::test]
async fn each_property_updates_in_place_and_reads_back_equal() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("upd");
    let base = json!({"name": name, "tags": {"lakectl:stack": "lake"}});
    create(p, &name, &base).await;

    let steps: Vec<(&str, Value, Vec<&str>)> = vec![
        (
            "versioning on",
            json!({"versioning": true}),
            vec!["versioning"],
        ),
        (
            "versioning suspended",
            json!({"versioning": false}),
            vec!["versioning"],
        ),
        (
            "SSE-KMS with a key",
            json!({"encryption": {"algorithm": "SSE-KMS", "kms_key_id": "alias/lake"}}),
            vec![
                "encryption.algorithm",
                "encryption.bucket_key",
                "encryption.kms_key_id",
            ],
        ),
        (
            "bucket key off",
            json!({"encryption": {"algorithm": "SSE-KMS", "kms_key_id": "alias/lake", "bucket_key": false}}),
            vec!["encryption.bucket_key"],
        ),
        (
            "back to SSE-S3",
            json!({"encryption": {}}),
            vec!["encryption.algorithm", "encryption.kms_key_id"],
        ),
        (
            "public access block loosened",
            json!({"public_access_block": {"block_public_policy": false, "restrict_public_buckets": false}}),
            vec![
                "public_access_block.block_public_policy",
                "public_access_block.restrict_public_buckets",
            ],
        ),
        (
            "TLS policy removed",
            json!({"enforce_tls": false}),
            vec!["enforce_tls"],
        ),
        (
            "TLS policy back",
            json!({"enforce_tls": true}),
            vec!["enforce_tls"],
        ),
        (
            "lifecycle rules added",
            json!({"lifecycle_rules": [{"id": "tmp", "prefix": "tmp/", "expiration_days": 1},
                                       {"id": "raw", "transitions": [{"days": 30, "storage_class": "INTELLIGENT_TIERING"}]}]}),
            vec!["lifecycle_rules"],
        ),
        (
            "one rule changed",
            json!({"lifecycle_rules": [{"id": "tmp", "prefix": "tmp/", "expiration_days": 2},
                                       {"id": "raw", "transitions": [{"days": 30, "storage_class": "INTELLIGENT_TIERING"}]}]}),
            vec!["lifecycle_rules"],
        ),
        (
            "lifecycle rules removed",
            json!({"lifecycle_rules": []}),
            vec!["lifecycle_rules"],
        ),
        (
            "tag added and changed",
            json!({"tags": {"lakectl:stack": "lake2", "team": "data"}}),
            vec!["tags.lakectl:stack", "tags.team"],
        ),
        (
            "every tag removed",
            json!({"tags": {}}),
            vec!["tags.lakectl:stack", "tags.team"],
        ),
    ];
    let mut desired = base.clone();
    for (why, overrides, want) in steps {
        desired = with(&desired, overrides);
        let mut made: Vec<String> = update_to(p, &name, &desired)
            .await
            .into_iter()
            .map(|c| c.path)
            .collect();
        made.sort();
        assert_eq!(made, want, "{why}: the changes the update was given");
        assert_eq!(
            drift(p, &name, &desired).await,
            Vec::<String>::new(),
            "{why}: live must equal desired after the update; live: {:#}",
            live(p, &name).await
        );
    }
    p.delete(&delete_request(&name, false))
        .await
        .expect("delete");
}

#[tokio::test]
async fn out_of_band_changes_are_seen() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("drift");
    let spec = with(
        &full_spec(&name),
        json!({"tags": {"lakectl:stack": "lake", "zone": "raw"}}),
    );
    create(p, &name, &spec).await;
    assert_eq!(drift(p, &name, &spec).await, Vec::<String>::new());

    env.raw
        .put_bucket_versioning()
        .bucket(&name)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Suspended)
                .build(),
        )
        .send()
        .await
        .expect("suspend versioning");
    env.raw
        .delete_public_access_block()
        .bucket(&name)
        .send()
        .await
        .expect("delete public access block");
    env.raw
        .delete_bucket_policy()
        .bucket(&name)
        .send()
        .await
        .expect("delete policy");
    let tags = vec![
        Tag::builder()
            .key("lakectl:stack")
            .value("lake")
            .build()
            .expect("tag"),
        Tag::builder()
            .key("zone")
            .value("processed")
            .build()
            .expect("tag"),
    ];
    env.raw
        .put_bucket_tagging()
        .bucket(&name)
        .tagging(
            Tagging::builder()
                .set_tag_set(Some(tags))
                .build()
                .expect("tagging"),
        )
        .send()
        .await
        .expect("retag");

    let mut found = drift(p, &name, &spec).await;
    found.sort();
    assert_eq!(
        found,
        vec![
            "enforce_tls",
            "public_access_block.block_public_acls",
            "public_access_block.block_public_policy",
            "public_access_block.restrict_public_buckets",
            "tags.zone",
            "versioning",
        ],
        "every change made behind lakectl's back shows (ignore_public_acls was already off)"
    );

    // And an update puts it all back.
    update_to(p, &name, &spec).await;
    assert_eq!(drift(p, &name, &spec).await, Vec::<String>::new());
    p.delete(&delete_request(&name, true))
        .await
        .expect("delete");
}

#[tokio::test]
async fn a_foreign_policy_statement_is_not_tls_enforcement() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("foreign");
    create(p, &name, &json!({"name": name, "enforce_tls": false})).await;
    let allow = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{name}/*")}]});
    env.raw
        .put_bucket_policy()
        .bucket(&name)
        .policy(allow.to_string())
        .send()
        .await
        .expect("put policy");
    assert_eq!(live(p, &name).await["enforce_tls"], json!(false));

    // lakectl owns the policy: turning enforcement on replaces the foreign one.
    let desired = json!({"name": name, "enforce_tls": true});
    update_to(p, &name, &desired).await;
    assert_eq!(drift(p, &name, &desired).await, Vec::<String>::new());
    p.delete(&delete_request(&name, false))
        .await
        .expect("delete");
}
