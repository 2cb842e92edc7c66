//! Updates and drift against the emulator (needs AWS_ENDPOINT_URL).

mod common;

use common::*;
use lakectl_core::{Address, Provider, UpdateRequest, diff};
use lakectl_provider_iam::IamProvider;
use serde_json::{Value, json};

/// Diffs `desired` against the live role, updates with exactly those changes, and returns
/// the changed paths; afterwards nothing differs.
async fn apply(p: &IamProvider, name: &str, desired: &Value) -> Vec<String> {
    let desired = prepare(p, desired);
    let live = prepare(p, &live(p, name).await);
    let changes = diff(p.schema(), &desired, &live);
    let paths = changes.iter().map(|c| c.path.clone()).collect();
    p.update(&UpdateRequest {
        address: Address::new("ingest_role", None),
        name: name.to_string(),
        desired: desired.clone(),
        live,
        changes,
        wait_limit: std::time::Duration::from_secs(60),
    })
    .await
    .expect("update");
    assert_eq!(
        drift(p, name, &desired).await,
        Vec::<String>::new(),
        "after {paths:?}"
    );
    paths
}

#[tokio::test]
async fn each_property_updates_in_place() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("upd");
    let mut spec = full_spec(&name, &env.account.account_id);
    p.create(&create_request(&name, &spec))
        .await
        .expect("create");

    type Step = (&'static str, fn(&mut Value), &'static [&'static str]);
    let steps: &[Step] = &[
        (
            "trust narrowed to glue",
            |s| {
                s["assume_role_policy"]["Statement"][0]["Principal"]["Service"] =
                    json!("glue.amazonaws.com");
            },
            &["assume_role_policy"],
        ),
        (
            "description changed",
            |s| s["description"] = json!("only glue now"),
            &["description"],
        ),
        (
            "description cleared",
            |s| s["description"] = json!(""),
            &["description"],
        ),
        (
            "longer sessions",
            |s| s["max_session_duration"] = json!(43200),
            &["max_session_duration"],
        ),
        (
            "boundary removed",
            |s| s["permissions_boundary"] = Value::Null,
            &["permissions_boundary"],
        ),
        (
            "boundary set again",
            |s| s["permissions_boundary"] = json!(BOUNDARY),
            &["permissions_boundary"],
        ),
        (
            "one inline policy changed",
            |s| {
                s["inline_policies"]["read-raw"]["Statement"]["Action"] = json!("s3:GetObject");
            },
            &["inline_policies.read-raw"],
        ),
        (
            "an inline policy added",
            |s| {
                s["inline_policies"]["read-config"] = json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "arn:aws:dynamodb:us-east-1:1:table/cfg"}]});
            },
            &["inline_policies.read-config"],
        ),
        (
            "an inline policy removed",
            |s| {
                s["inline_policies"]
                    .as_object_mut()
                    .expect("map")
                    .remove("write-lineage");
            },
            &["inline_policies.write-lineage"],
        ),
        (
            "managed policies swapped",
            |s| s["managed_policy_arns"] = json!([S3_READ_POLICY]),
            &["managed_policy_arns"],
        ),
        (
            "a tag changed, one added, one removed",
            |s| {
                s["tags"]["team"] = json!("platform");
                s["tags"]["cost-center"] = json!("42");
                s["tags"]
                    .as_object_mut()
                    .expect("map")
                    .remove("lakectl:env");
            },
            &["tags.cost-center", "tags.lakectl:env", "tags.team"],
        ),
    ];
    for (why, change, want) in steps {
        change(&mut spec);
        assert_eq!(apply(p, &name, &spec).await, *want, "{why}");
    }
    let live = live(p, &name).await;
    assert_eq!(live["managed_policy_arns"], json!([S3_READ_POLICY]));
    assert_eq!(
        live["max_session_duration"],
        json!(43200),
        "UpdateRole kept the session length"
    );

    p.delete(&delete_request(&name)).await.expect("delete");
}

#[tokio::test]
async fn out_of_band_changes_show_as_exactly_those_changes() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("drift");
    let spec = full_spec(&name, &env.account.account_id);
    p.create(&create_request(&name, &spec))
        .await
        .expect("create");

    // Someone edits an inline policy and a tag by hand.
    env.raw
        .put_role_policy()
        .role_name(&name)
        .policy_name("read-raw")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
        .send()
        .await
        .expect("put role policy");
    env.raw
        .tag_role()
        .role_name(&name)
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("team")
                .value("someone-else")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("tag role");

    let desired = prepare(p, &spec);
    let live = prepare(p, &live(p, &name).await);
    let changes = diff(p.schema(), &desired, &live);
    let seen: Vec<(&str, Option<&Value>)> = changes
        .iter()
        .map(|c| (c.path.as_str(), c.before.as_ref()))
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "inline_policies.read-raw",
                Some(&json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["*"]}]}))
            ),
            ("tags.team", Some(&json!("someone-else"))),
        ]
    );

    assert_eq!(
        apply(p, &name, &spec).await,
        vec!["inline_policies.read-raw", "tags.team"],
        "the next deploy puts them back"
    );
    p.delete(&delete_request(&name)).await.expect("delete");
}

#[tokio::test]
async fn errors_keep_the_operation_the_role_and_aws_code() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("gone");
    let spec = prepare(p, &full_spec(&name, &env.account.account_id));
    let err = p
        .update(&UpdateRequest {
            address: Address::new("ingest_role", None),
            name: name.clone(),
            desired: spec.clone(),
            live: spec,
            changes: vec![lakectl_core::FieldChange {
                path: "description".into(),
                before: Some(json!("a")),
                after: Some(json!("b")),
                forces_replace: false,
                sensitive: false,
                known_after_apply: false,
            }],
            wait_limit: std::time::Duration::from_secs(60),
        })
        .await
        .expect_err("updating a role that does not exist");
    assert_eq!(err.code(), Some("NoSuchEntity"), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("iam:UpdateRole") && text.contains(&name),
        "{text}"
    );
    assert!(
        !err.is_retryable(),
        "a missing role does not appear by waiting"
    );
}

#[tokio::test]
async fn documents_rewritten_the_way_aws_does_are_not_drift() {
    let env = env().await;
    let p = &env.provider;
    let name = unique("rewrite");
    let account = env.account.account_id.clone();
    let mut spec = full_spec(&name, &account);
    spec["assume_role_policy"]["Statement"][0]["Principal"] =
        json!({"Service": "glue.amazonaws.com", "AWS": account});
    p.create(&create_request(&name, &spec))
        .await
        .expect("create");

    // The same documents in the shapes AWS gives back: one-item lists for single values,
    // a single statement as a list, reordered values, the account as its root ARN, a
    // condition's bool as a string, other whitespace.
    let trust = format!(
        r#"{{"Version": "2012-10-17", "Statement": [{{"Action": ["sts:AssumeRole"], "Effect": "Allow",
            "Principal": {{"AWS": ["arn:aws:iam::{account}:root"], "Service": ["glue.amazonaws.com"]}}}}]}}"#
    );
    let read_raw = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
        "Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::acme-raw","arn:aws:s3:::acme-raw/*"]}]}"#;
    let lineage = format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Sid":"Lineage","Effect":"Allow","Action":["dynamodb:PutItem"],
        "Resource":["arn:aws:dynamodb:us-east-1:{account}:table/lineage"],"Condition":{{"Bool":{{"aws:SecureTransport":["true"]}}}}}}}}"#
    );
    env.raw
        .update_assume_role_policy()
        .role_name(&name)
        .policy_document(trust)
        .send()
        .await
        .expect("update assume role policy");
    for (policy, doc) in [
        ("read-raw", read_raw.to_string()),
        ("write-lineage", lineage),
    ] {
        env.raw
            .put_role_policy()
            .role_name(&name)
            .policy_name(policy)
            .policy_document(doc)
            .send()
            .await
            .expect("put role policy");
    }
    let live = live(p, &name).await;
    assert_ne!(
        live["assume_role_policy"], spec["assume_role_policy"],
        "the emulator returns the rewritten shape, so this test exercises normalization"
    );
    assert_eq!(
        drift(p, &name, &spec).await,
        Vec::<String>::new(),
        "live: {live:#}"
    );

    p.delete(&delete_request(&name)).await.expect("delete");
}
