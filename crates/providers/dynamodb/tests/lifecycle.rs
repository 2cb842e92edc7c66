//! Create, observe, delete and contents against the emulator (needs AWS_ENDPOINT_URL).

mod common;

use common::*;
use lakectl_core::{Contents, Observation, Provider, ProviderError};
use serde_json::json;

#[tokio::test]
async fn create_with_every_property_reads_back_without_a_diff() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("full");
    let spec = full_spec(&name);

    let attrs = p
        .create(&create_request(&name, &spec))
        .await
        .expect("create");
    assert_eq!(
        attrs,
        p.predict_attributes(&name),
        "predicted attributes are the real ones"
    );
    assert_eq!(
        attrs["arn"],
        format!(
            "arn:aws:dynamodb:us-east-1:{}:table/{name}",
            env.account.account_id
        )
    );

    let live = live(p, &name).await;
    assert_eq!(
        drift(p, &name, &spec).await,
        Vec::<String>::new(),
        "desired and live must not differ right after create; live: {live:#}"
    );
    assert_eq!(live["point_in_time_recovery"], json!(true));
    assert_eq!(live["ttl_attribute"], json!("expires_at"));
    assert_eq!(live["deletion_protection"], json!(true));
    assert_eq!(live["read_capacity"], json!(5));
    assert_eq!(live["tags"]["lakectl:address"], json!("lineage_table"));
    let indexes: Vec<&str> = live["global_secondary_indexes"]
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|g| g["name"].as_str())
        .collect();
    assert_eq!(indexes, ["by-job", "by-status"]);

    // An empty table: deleting it needs no data-loss flag, and lifts deletion protection.
    p.delete(&delete_request(&name, false))
        .await
        .expect("delete");
    assert_eq!(
        p.observe(&name).await.expect("observe"),
        Observation::Missing
    );
}

#[tokio::test]
async fn a_minimal_spec_reads_back_as_its_defaults() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("min");
    let spec = minimal_spec(&name);

    p.create(&create_request(&name, &spec))
        .await
        .expect("create");
    assert_eq!(
        prepare(p, &live(p, &name).await),
        prepare(p, &spec),
        "every property reads back as its default"
    );

    p.delete(&delete_request(&name, false))
        .await
        .expect("delete");
}

#[tokio::test]
async fn delete_refuses_a_table_with_items_and_leaves_them() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("data");
    p.create(&create_request(&name, &minimal_spec(&name)))
        .await
        .expect("create");
    put_items(&env.raw, &name, 3).await;

    let err = p
        .delete(&delete_request(&name, false))
        .await
        .expect_err("a table with items is not deleted without the flag");
    match &err {
        ProviderError::DataLoss {
            action,
            resource,
            detail,
        } => {
            assert_eq!(
                (*action, resource.as_str(), detail.as_str()),
                ("delete", name.as_str(), "3 items")
            );
        }
        other => panic!("expected DataLoss, got {other:?}"),
    }
    assert!(matches!(
        p.observe(&name).await.expect("observe"),
        Observation::Exists(_)
    ));
    assert_eq!(
        p.contents(&name).await.expect("contents"),
        Contents::NonEmpty {
            count: 3,
            exact: true,
            noun: "items"
        },
        "the items are still there"
    );

    p.delete(&delete_request(&name, true))
        .await
        .expect("delete with allow_data_loss");
    assert_eq!(
        p.observe(&name).await.expect("observe"),
        Observation::Missing
    );
    assert_eq!(p.contents(&name).await.expect("contents"), Contents::Empty);
}

#[tokio::test]
async fn delete_with_data_loss_allowed_lifts_deletion_protection() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("protected");
    let mut spec = minimal_spec(&name);
    spec["deletion_protection"] = json!(true);
    p.create(&create_request(&name, &spec))
        .await
        .expect("create");
    put_items(&env.raw, &name, 2).await;

    let raw_delete = env.raw.delete_table().table_name(&name).send().await;
    assert!(
        raw_delete.is_err(),
        "deletion protection holds against a plain DeleteTable"
    );

    p.delete(&delete_request(&name, true))
        .await
        .expect("delete");
    assert_eq!(
        p.observe(&name).await.expect("observe"),
        Observation::Missing
    );
}

#[tokio::test]
async fn contents_counts_items() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("count");
    assert_eq!(
        p.contents(&name).await.expect("missing"),
        Contents::Empty,
        "missing table"
    );
    p.create(&create_request(&name, &minimal_spec(&name)))
        .await
        .expect("create");
    assert_eq!(
        p.contents(&name).await.expect("empty"),
        Contents::Empty,
        "empty table"
    );
    put_items(&env.raw, &name, 25).await;
    let got = p.contents(&name).await.expect("count");
    assert_eq!(
        got,
        Contents::NonEmpty {
            count: 25,
            exact: true,
            noun: "items"
        }
    );
    assert_eq!(got.describe().as_deref(), Some("25 items"));
    p.delete(&delete_request(&name, true))
        .await
        .expect("delete");
}
