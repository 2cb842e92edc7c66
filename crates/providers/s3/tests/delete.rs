//! Contents, delete and data-loss protection against the emulator (needs AWS_ENDPOINT_URL).

mod common;

use common::*;
use lakectl_core::{Contents, Observation, Provider, ProviderError};
use serde_json::json;

fn objects(count: u64) -> Contents {
    Contents::NonEmpty {
        count,
        exact: true,
        noun: "objects",
    }
}

#[tokio::test]
async fn delete_refuses_a_bucket_with_objects_and_leaves_them() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("full-del");
    create(p, &name, &json!({"name": name, "enforce_tls": false})).await;
    for key in ["a", "b/c", "d"] {
        put(&env.raw, &name, key).await;
    }

    match p.delete(&delete_request(&name, false)).await {
        Err(ProviderError::DataLoss {
            action,
            resource,
            detail,
        }) => {
            assert_eq!(
                (action, resource.as_str(), detail.as_str()),
                ("delete", name.as_str(), "3 objects")
            );
        }
        other => panic!("expected a data-loss refusal, got {other:?}"),
    }
    assert_eq!(
        p.contents(&name).await.expect("contents"),
        objects(3),
        "nothing was deleted"
    );
    assert!(matches!(p.observe(&name).await, Ok(Observation::Exists(_))));

    p.delete(&delete_request(&name, true))
        .await
        .expect("delete with data loss");
    assert_eq!(
        p.observe(&name).await.expect("observe"),
        Observation::Missing
    );
}

#[tokio::test]
async fn delete_with_data_loss_removes_versions_and_delete_markers() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("versions");
    create(
        p,
        &name,
        &json!({"name": name, "versioning": true, "enforce_tls": false}),
    )
    .await;
    put(&env.raw, &name, "a").await;
    put(&env.raw, &name, "a").await;
    put(&env.raw, &name, "b").await;
    env.raw
        .delete_object()
        .bucket(&name)
        .key("a")
        .send()
        .await
        .expect("delete a: leaves a delete marker");
    env.raw
        .delete_object()
        .bucket(&name)
        .key("b")
        .send()
        .await
        .expect("delete b: leaves a delete marker");

    // No object is current, yet 3 versions and 2 delete markers remain.
    let listed = env
        .raw
        .list_objects_v2()
        .bucket(&name)
        .send()
        .await
        .expect("list");
    assert_eq!(listed.key_count(), Some(0));
    assert_eq!(
        p.contents(&name).await.expect("contents"),
        Contents::NonEmpty {
            count: 5,
            exact: true,
            noun: "object versions and delete markers"
        },
        "said as what they are: the bucket lists no object"
    );
    assert!(matches!(
        p.delete(&delete_request(&name, false)).await,
        Err(ProviderError::DataLoss { .. })
    ));

    p.delete(&delete_request(&name, true))
        .await
        .expect("delete");
    assert_eq!(
        p.observe(&name).await.expect("observe"),
        Observation::Missing
    );
}

#[tokio::test]
async fn contents_counts_and_a_missing_bucket_is_empty() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("count");
    assert_eq!(p.contents(&name).await.expect("missing"), Contents::Empty);
    create(p, &name, &json!({"name": name, "enforce_tls": false})).await;
    assert_eq!(p.contents(&name).await.expect("empty"), Contents::Empty);
    put(&env.raw, &name, "one").await;
    assert_eq!(p.contents(&name).await.expect("one"), objects(1));
    p.delete(&delete_request(&name, true))
        .await
        .expect("delete");
}

#[tokio::test]
async fn more_than_one_page_is_counted_and_emptied() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("pages");
    create(p, &name, &json!({"name": name, "enforce_tls": false})).await;
    let mut tasks = tokio::task::JoinSet::new();
    for worker in 0..8 {
        let raw = env.raw.clone();
        let bucket = name.clone();
        tasks.spawn(async move {
            for i in (worker..1003).step_by(8) {
                put(&raw, &bucket, &format!("k/{i:05}")).await;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("uploader");
    }
    assert_eq!(
        p.contents(&name).await.expect("contents"),
        objects(1003),
        "two pages"
    );
    p.delete(&delete_request(&name, true))
        .await
        .expect("delete: two batches");
    assert_eq!(
        p.observe(&name).await.expect("observe"),
        Observation::Missing
    );
}

#[tokio::test]
async fn a_tls_only_bucket_is_counted_emptied_and_deleted_over_http() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("tls");
    // Objects first: once the policy is on, plain http cannot write them.
    create(
        p,
        &name,
        &json!({"name": name, "versioning": true, "enforce_tls": false}),
    )
    .await;
    put(&env.raw, &name, "a").await;
    put(&env.raw, &name, "a").await;
    let desired = json!({"name": name, "versioning": true, "enforce_tls": true});
    update_to(p, &name, &desired).await;
    assert_eq!(drift(p, &name, &desired).await, Vec::<String>::new());

    // The endpoint enforces the policy: object calls over http are denied.
    let denied = env
        .raw
        .put_object()
        .bucket(&name)
        .key("b")
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"x"))
        .send()
        .await;
    assert!(
        denied.is_err(),
        "the TLS-only policy must deny a plain-http PutObject"
    );

    assert_eq!(
        p.contents(&name).await.expect("contents"),
        Contents::NonEmpty {
            count: 2,
            exact: true,
            noun: "object versions"
        },
        "two versions of one object"
    );
    assert!(matches!(
        p.delete(&delete_request(&name, false)).await,
        Err(ProviderError::DataLoss { .. })
    ));
    assert_eq!(
        live(p, &name).await["enforce_tls"],
        json!(true),
        "a refused delete changes nothing, the policy included"
    );

    p.delete(&delete_request(&name, true))
        .await
        .expect("delete with data loss works on a TLS-only bucket over http");
    assert_eq!(
        p.observe(&name).await.expect("observe"),
        Observation::Missing
    );
}

#[tokio::test]
async fn an_empty_tls_only_bucket_is_deleted_without_touching_its_policy() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("tls-empty");
    create(p, &name, &json!({"name": name})).await;
    p.delete(&delete_request(&name, false))
        .await
        .expect("empty bucket deletes");
    assert_eq!(
        p.observe(&name).await.expect("observe"),
        Observation::Missing
    );
}
