//! Which AWS calls an update makes (needs AWS_ENDPOINT_URL). One test in its own binary:
//! the call log is per process, and a second test running alongside would add to it.

mod common;

use common::*;
use lakectl_core::Provider;
use lakectl_provider::calls;
use serde_json::json;
use std::collections::BTreeMap;

/// The mutating calls made since `before`, by operation.
fn mutations_since(before: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    calls::snapshot()
        .into_iter()
        .filter(|(op, _)| calls::is_mutating(op))
        .map(|(op, n)| {
            let was = before.get(&op).copied().unwrap_or(0);
            (op, n - was)
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

#[tokio::test]
async fn update_calls_only_the_apis_of_the_changed_properties() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("calls");
    let base = json!({"name": name, "tags": {"lakectl:stack": "lake"}});
    create(p, &name, &base).await;

    let cases = [
        (
            "versioning",
            json!({"versioning": true}),
            vec!["s3:PutBucketVersioning"],
        ),
        (
            "a tag",
            json!({"tags": {"lakectl:stack": "lake", "zone": "raw"}}),
            vec!["s3:PutBucketTagging"],
        ),
        (
            "no tags left",
            json!({"tags": {}}),
            vec!["s3:DeleteBucketTagging"],
        ),
        (
            "tls off",
            json!({"enforce_tls": false}),
            vec!["s3:DeleteBucketPolicy"],
        ),
        (
            "lifecycle",
            json!({"lifecycle_rules": [{"id": "tmp", "expiration_days": 1}]}),
            vec!["s3:PutBucketLifecycleConfiguration"],
        ),
        ("nothing changed", json!({}), vec![]),
    ];
    let mut desired = base.clone();
    for (why, overrides, want) in cases {
        for (k, v) in overrides.as_object().expect("object") {
            desired[k] = v.clone();
        }
        let before = calls::snapshot();
        update_to(p, &name, &desired).await;
        let made = mutations_since(&before);
        let want: BTreeMap<String, u64> = want.into_iter().map(|op| (op.to_string(), 1)).collect();
        assert_eq!(made, want, "{why}");
    }

    // Observe is read-only.
    let before = calls::snapshot();
    p.observe(&name).await.expect("observe");
    assert_eq!(
        mutations_since(&before),
        BTreeMap::new(),
        "observe changes nothing"
    );
    p.delete(&delete_request(&name, false))
        .await
        .expect("delete");
}
