//! Updates and drift against the emulator (needs AWS_ENDPOINT_URL).

mod common;

use aws_sdk_dynamodb::types::{PointInTimeRecoverySpecification, Tag, TimeToLiveSpecification};
use common::*;
use lakectl_core::Provider;
use lakectl_provider_dynamodb::DynamoDbProvider;
use serde_json::{Value, json};

/// Updates the table to `desired` and checks that nothing differs afterwards; returns the
/// paths the update changed.
async fn update_to(p: &DynamoDbProvider, name: &str, desired: &Value) -> Vec<String> {
    let req = update_request(p, name, desired).await;
    let changed: Vec<String> = req.changes.iter().map(|c| c.path.clone()).collect();
    let attrs = p.update(&req).await.expect("update");
    assert_eq!(attrs, p.predict_attributes(name));
    assert_eq!(
        drift(p, name, desired).await,
        Vec::<String>::new(),
        "after updating {changed:?}, live: {:#}",
        live(p, name).await
    );
    changed
}

#[tokio::test]
async fn billing_mode_and_capacity_change_in_place() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("billing");
    let mut spec = minimal_spec(&name);
    spec["global_secondary_indexes"] =
        json!([{"name": "by-job", "partition_key": {"name": "job"}}]);
    p.create(&create_request(&name, &spec))
        .await
        .expect("create");

    spec["billing_mode"] = json!("PROVISIONED");
    spec["read_capacity"] = json!(3);
    spec["write_capacity"] = json!(1);
    assert_eq!(
        update_to(p, &name, &spec).await,
        ["billing_mode", "read_capacity", "write_capacity"],
        "on demand to provisioned, with an index that needs capacity too"
    );

    spec["read_capacity"] = json!(7);
    assert_eq!(
        update_to(p, &name, &spec).await,
        ["read_capacity"],
        "capacity only"
    );

    spec["billing_mode"] = json!("PAY_PER_REQUEST");
    spec["read_capacity"] = Value::Null;
    spec["write_capacity"] = Value::Null;
    assert_eq!(
        update_to(p, &name, &spec).await,
        ["billing_mode", "read_capacity", "write_capacity"],
        "back to on demand"
    );

    // Capacity without PROVISIONED is refused with a message, before any call.
    let mut bad = spec.clone();
    bad["read_capacity"] = json!(5);
    let mut req = update_request(p, &name, &spec).await;
    req.desired = prepare(p, &bad);
    let err = p
        .update(&req)
        .await
        .expect_err("capacity needs PROVISIONED");
    assert!(
        err.to_string()
            .contains("only used with billing_mode PROVISIONED"),
        "{err}"
    );

    p.delete(&delete_request(&name, true))
        .await
        .expect("delete");
}

#[tokio::test]
async fn pitr_ttl_deletion_protection_and_tags_change_in_place() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("settings");
    let mut spec = minimal_spec(&name);
    spec["tags"]["team"] = json!("data");
    spec["tags"]["cost"] = json!("lake");
    p.create(&create_request(&name, &spec))
        .await
        .expect("create");

    spec["point_in_time_recovery"] = json!(true);
    assert_eq!(update_to(p, &name, &spec).await, ["point_in_time_recovery"]);
    spec["point_in_time_recovery"] = json!(false);
    assert_eq!(update_to(p, &name, &spec).await, ["point_in_time_recovery"]);

    spec["ttl_attribute"] = json!("expires_at");
    assert_eq!(
        update_to(p, &name, &spec).await,
        ["ttl_attribute"],
        "TTL on"
    );
    // Moved to another attribute: AWS allows one TTL change per hour, so the first deploy
    // only turns it off (and the plan says so); the next one turns it on.
    spec["ttl_attribute"] = json!("purge_at");
    let req = update_request(p, &name, &spec).await;
    let note = p.plan_note(&req.desired, &req.live).unwrap_or_default();
    assert!(note.contains("turns TTL off for `expires_at`"), "{note}");
    p.update(&req).await.expect("first step");
    let mut off = spec.clone();
    off["ttl_attribute"] = Value::Null;
    assert_eq!(drift(p, &name, &off).await, Vec::<String>::new(), "TTL off");
    assert_eq!(
        update_to(p, &name, &spec).await,
        ["ttl_attribute"],
        "TTL on for the new attribute, the second step"
    );
    spec["ttl_attribute"] = Value::Null;
    assert_eq!(
        update_to(p, &name, &spec).await,
        ["ttl_attribute"],
        "TTL off"
    );

    spec["deletion_protection"] = json!(true);
    assert_eq!(update_to(p, &name, &spec).await, ["deletion_protection"]);
    spec["deletion_protection"] = json!(false);
    assert_eq!(update_to(p, &name, &spec).await, ["deletion_protection"]);

    spec["tags"]["team"] = json!("platform");
    spec["tags"]["owner"] = json!("ana");
    spec["tags"].as_object_mut().expect("tags").remove("cost");
    assert_eq!(
        update_to(p, &name, &spec).await,
        ["tags.cost", "tags.owner", "tags.team"],
        "one tag changed, one added, one removed"
    );
    assert_eq!(
        live(p, &name).await["tags"]["lakectl:stack"],
        json!("lake"),
        "ownership tags stay"
    );

    p.delete(&delete_request(&name, true))
        .await
        .expect("delete");
}

#[tokio::test]
async fn indexes_are_added_removed_and_replaced() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("gsi");
    let mut spec = full_spec(&name);
    spec["deletion_protection"] = json!(false);
    p.create(&create_request(&name, &spec))
        .await
        .expect("create");

    gsis(&mut spec).push(json!({"name": "by-day", "partition_key": {"name": "day", "type": "N"}}));
    assert_eq!(
        update_to(p, &name, &spec).await,
        ["global_secondary_indexes"],
        "add"
    );
    let live_spec = live(p, &name).await;
    assert_eq!(
        live_spec["partition_key"],
        json!({"name": "customer", "type": "S"}),
        "the table's own key types survive adding an index"
    );

    gsis(&mut spec).retain(|g| g["name"] != "by-job");
    assert_eq!(
        update_to(p, &name, &spec).await,
        ["global_secondary_indexes"],
        "remove"
    );

    for g in gsis(&mut spec).iter_mut() {
        if g["name"] == "by-status" {
            g["projection"] = json!("ALL");
            g["non_key_attributes"] = json!([]);
        }
    }
    assert_eq!(
        update_to(p, &name, &spec).await,
        ["global_secondary_indexes"],
        "a changed index is deleted and created again"
    );

    // Billing and indexes in one update: the new index is created with the new billing.
    spec["billing_mode"] = json!("PAY_PER_REQUEST");
    spec["read_capacity"] = Value::Null;
    spec["write_capacity"] = Value::Null;
    gsis(&mut spec).push(json!({"name": "by-region", "partition_key": {"name": "region"}}));
    update_to(p, &name, &spec).await;

    p.delete(&delete_request(&name, true))
        .await
        .expect("delete");
}

#[tokio::test]
async fn changes_made_behind_lakectls_back_show_as_drift_and_are_undone() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("drift");
    let spec = full_spec(&name);
    p.create(&create_request(&name, &spec))
        .await
        .expect("create");
    let arn = p.predict_attributes(&name)["arn"].clone();

    let raw = &env.raw;
    raw.update_continuous_backups()
        .table_name(&name)
        .point_in_time_recovery_specification(
            PointInTimeRecoverySpecification::builder()
                .point_in_time_recovery_enabled(false)
                .build()
                .expect("complete"),
        )
        .send()
        .await
        .expect("PITR off");
    raw.update_time_to_live()
        .table_name(&name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(false)
                .attribute_name("expires_at")
                .build()
                .expect("complete"),
        )
        .send()
        .await
        .expect("TTL off");
    raw.tag_resource()
        .resource_arn(&arn)
        .tags(
            Tag::builder()
                .key("team")
                .value("rogue")
                .build()
                .expect("complete"),
        )
        .send()
        .await
        .expect("tag");
    raw.update_table()
        .table_name(&name)
        .deletion_protection_enabled(false)
        .send()
        .await
        .expect("protection off");

    assert_eq!(
        drift(p, &name, &spec).await,
        [
            "point_in_time_recovery",
            "ttl_attribute",
            "deletion_protection",
            "tags.team"
        ],
        "every out-of-band change is seen"
    );
    update_to(p, &name, &spec).await;

    p.delete(&delete_request(&name, true))
        .await
        .expect("delete");
}

fn gsis(v: &mut Value) -> &mut Vec<Value> {
    v["global_secondary_indexes"]
        .as_array_mut()
        .expect("a list")
}
