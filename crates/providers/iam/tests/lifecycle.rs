//! Create, observe and delete against the emulator (needs AWS_ENDPOINT_URL).

mod common;

use common::*;
use lakectl_core::{Observation, Provider};
use serde_json::json;

#[tokio::test]
async fn create_with_every_property_reads_back_without_a_diff() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("full");
    let spec = full_spec(&name, &env.account.account_id);

    let attrs = p
        .create(&create_request(&name, &spec))
        .await
        .expect("create");
    assert_eq!(
        attrs.get("arn").map(String::as_str),
        Some(
            format!(
                "arn:aws:iam::{}:role/lakectl-test/{name}",
                env.account.account_id
            )
            .as_str()
        )
    );
    assert!(
        attrs.get("role_id").is_some_and(|id| !id.is_empty()),
        "{attrs:?}"
    );

    let live = live(p, &name).await;
    assert_eq!(
        drift(p, &name, &spec).await,
        Vec::<String>::new(),
        "desired and live must not differ right after create; live: {live:#}"
    );
    assert_eq!(
        live["tags"]["lakectl:address"],
        json!("ingest_role"),
        "ownership tags read back"
    );
    assert_eq!(live["managed_policy_arns"], json!([GLUE_POLICY]));
    assert_eq!(live["permissions_boundary"], json!(BOUNDARY));
    assert_eq!(live["max_session_duration"], json!(7200));
    let inline = live["inline_policies"].as_object().expect("a mapping");
    assert_eq!(
        inline.keys().collect::<Vec<_>>(),
        vec!["read-raw", "write-lineage"]
    );

    p.delete(&delete_request(&name)).await.expect("delete");
}

#[tokio::test]
async fn a_minimal_spec_reads_back_as_its_defaults() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("min");
    let spec = json!({"name": name, "assume_role_policy": {
        "Statement": {"Effect": "Allow", "Principal": {"Service": "glue.amazonaws.com"}, "Action": "sts:AssumeRole"}}});

    let attrs = p
        .create(&create_request(&name, &spec))
        .await
        .expect("create");
    assert_eq!(
        attrs,
        {
            let mut predicted = p.predict_attributes(&name);
            predicted.insert("role_id".into(), attrs["role_id"].clone());
            predicted
        },
        "with the default path, the predicted ARN is the real one"
    );
    assert_eq!(drift(p, &name, &spec).await, Vec::<String>::new());

    p.delete(&delete_request(&name)).await.expect("delete");
}

#[tokio::test]
async fn delete_removes_the_role_and_everything_attached() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("del");
    p.create(&create_request(
        &name,
        &full_spec(&name, &env.account.account_id),
    ))
    .await
    .expect("create");
    // Something outside lakectl put the role into an instance profile.
    let profile = unique("prof");
    env.raw
        .create_instance_profile()
        .instance_profile_name(&profile)
        .send()
        .await
        .expect("create instance profile");
    env.raw
        .add_role_to_instance_profile()
        .instance_profile_name(&profile)
        .role_name(&name)
        .send()
        .await
        .expect("add role to profile");

    p.delete(&delete_request(&name)).await.expect("delete");

    assert_eq!(
        p.observe(&name).await.expect("observe"),
        Observation::Missing
    );
    let left = env
        .raw
        .get_instance_profile()
        .instance_profile_name(&profile)
        .send()
        .await
        .expect("get instance profile");
    assert!(
        left.instance_profile()
            .is_some_and(|ip| ip.roles().is_empty()),
        "the profile no longer holds the role: {left:?}"
    );
    let policy_gone = env
        .raw
        .get_role_policy()
        .role_name(&name)
        .policy_name("read-raw")
        .send()
        .await;
    assert!(policy_gone.is_err(), "inline policies went with the role");

    p.delete(&delete_request(&name))
        .await
        .expect("deleting it again is fine");
    env.raw
        .delete_instance_profile()
        .instance_profile_name(&profile)
        .send()
        .await
        .expect("clean up the profile");
}
