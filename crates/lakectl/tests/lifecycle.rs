//! The life of a lake: plan, deploy, no-op, drift and repair, removal, destroy.

mod common;

use common::{Aws, Sandbox};
use serde_json::Value;

fn actions(plan: &Value) -> Vec<(String, String)> {
    plan["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .map(|r| {
            (
                r["address"].as_str().unwrap_or("").to_string(),
                r["action"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn changed(plan: &Value) -> Vec<(String, String, Vec<String>)> {
    plan["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|r| r["action"] != "noop")
        .map(|r| {
            let mut paths: Vec<String> = r["changes"]
                .as_array()
                .map(|c| {
                    c.iter()
                        .filter_map(|c| c["path"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            paths.sort();
            (
                r["address"].as_str().unwrap_or("").to_string(),
                r["action"].as_str().unwrap_or("").to_string(),
                paths,
            )
        })
        .collect()
}

#[test]
fn deploy_converges_and_a_second_deploy_changes_nothing() {
    let sb = Sandbox::new(&["acme", "globex"]);
    let aws = Aws::new();

    // A fresh plan creates everything and changes nothing.
    let plan = sb.run(&["plan", "--json"]).expect_code(0).json();
    assert_eq!(plan["format_version"], 1);
    assert_eq!(plan["env"], "dev");
    assert_eq!(plan["region"], "us-east-1");
    assert_eq!(plan["account"], aws.account_id().as_str());
    let mut got = actions(&plan);
    got.sort();
    let want: Vec<(String, String)> = ["bucket[acme]", "bucket[globex]", "role", "table"]
        .iter()
        .map(|a| (a.to_string(), "create".to_string()))
        .collect();
    assert_eq!(got, want);
    assert_eq!(plan["summary"]["create"], 4);
    assert!(
        !aws.bucket_exists(&sb.bucket("acme")),
        "plan must not create anything"
    );

    // Deploy, then read back what AWS has.
    sb.run(&["deploy", "--yes"]).expect_code(0);
    assert_eq!(
        aws.versioning_status(&sb.bucket("acme")).as_deref(),
        Some("Enabled")
    );
    let tagging = aws
        .rt
        .block_on(
            aws.s3
                .get_bucket_tagging()
                .bucket(sb.bucket("globex"))
                .send(),
        )
        .expect("tags");
    let tags: Vec<(String, String)> = tagging
        .tag_set()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect();
    assert!(
        tags.contains(&("customer".into(), "globex".into())),
        "{tags:?}"
    );
    assert!(
        tags.contains(&("lakectl:address".into(), "bucket[globex]".into())),
        "{tags:?}"
    );
    let table = aws
        .rt
        .block_on(aws.ddb.describe_table().table_name(sb.table()).send())
        .expect("table");
    let keys: Vec<String> = table
        .table()
        .map(|t| {
            t.key_schema()
                .iter()
                .map(|k| k.attribute_name().to_string())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(keys, ["pk", "sk"]);
    let policy = aws
        .rt
        .block_on(
            aws.iam
                .get_role_policy()
                .role_name(sb.role())
                .policy_name("data")
                .send(),
        )
        .expect("inline policy");
    let doc = policy.policy_document();
    assert!(
        doc.contains(&sb.bucket("acme")) && doc.contains(&sb.bucket("globex")),
        "splat reached both buckets: {doc}"
    );

    // The outputs are recorded.
    let outputs = sb.run(&["outputs", "--json"]).expect_code(0).json();
    assert_eq!(outputs["table"], sb.table());

    // A second plan is empty, and a second deploy makes no mutating call on the lake.
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    let again = sb.run(&["deploy", "--yes"]).expect_code(0);
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
    let mutating = again.mutating_calls();
    // Only the deploy lock itself is written: taken (PutItem), maybe renewed (UpdateItem), released (DeleteItem).
    let lake_writes: Vec<&(String, u64)> = mutating
        .iter()
        .filter(|(op, n)| {
            let lock_write = matches!(
                (op.as_str(), n),
                ("dynamodb:PutItem" | "dynamodb:DeleteItem", 1)
            ) || op == "dynamodb:UpdateItem";
            !lock_write
        })
        .collect();
    assert!(
        lake_writes.is_empty(),
        "a no-op deploy wrote: {lake_writes:?}\n{}",
        again.stderr
    );

    sb.run(&["destroy", "--yes"]).expect_code(0);
}

#[test]
fn out_of_band_changes_show_as_updates_and_deploy_repairs_them() {
    let sb = Sandbox::new(&["acme", "globex"]);
    let aws = Aws::new();
    sb.run(&["deploy", "--yes"]).expect_code(0);

    // Behind lakectl's back: suspend versioning on one bucket, drop the public access block of
    // the other, change a tag on the table.
    aws.suspend_versioning(&sb.bucket("acme"));
    aws.rt
        .block_on(
            aws.s3
                .delete_public_access_block()
                .bucket(sb.bucket("globex"))
                .send(),
        )
        .expect("drop public access block");
    let table_arn = aws
        .rt
        .block_on(aws.ddb.describe_table().table_name(sb.table()).send())
        .expect("table")
        .table()
        .and_then(|t| t.table_arn())
        .expect("arn")
        .to_string();
    aws.rt
        .block_on(
            aws.ddb
                .tag_resource()
                .resource_arn(&table_arn)
                .tags(
                    aws_sdk_dynamodb::types::Tag::builder()
                        .key("owner")
                        .value("someone")
                        .build()
                        .expect("tag"),
                )
                .send(),
        )
        .expect("tag table");

    let plan = sb
        .run(&["plan", "--json", "--detailed-exitcode"])
        .expect_code(2)
        .json();
    let mut got = changed(&plan);
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "bucket[acme]".to_string(),
                "update".to_string(),
                vec!["versioning".to_string()]
            ),
            (
                "bucket[globex]".to_string(),
                "update".to_string(),
                vec![
                    "public_access_block.block_public_acls".to_string(),
                    "public_access_block.block_public_policy".to_string(),
                    "public_access_block.ignore_public_acls".to_string(),
                    "public_access_block.restrict_public_buckets".to_string(),
                ]
            ),
            (
                "table".to_string(),
                "update".to_string(),
                vec!["tags.owner".to_string()]
            ),
        ]
    );

    sb.run(&["deploy", "--yes"]).expect_code(0);
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    sb.run(&["destroy", "--yes"]).expect_code(0);
}

#[test]
fn a_resource_removed_from_the_stack_is_deleted() {
    let sb = Sandbox::new(&["acme", "globex"]);
    let aws = Aws::new();
    sb.run(&["deploy", "--yes"]).expect_code(0);
    assert!(aws.bucket_exists(&sb.bucket("globex")));

    sb.write_stack(&common::lake_stack(&sb.stack, &sb.prefix, &["acme"]));
    let plan = sb.run(&["plan", "--json"]).expect_code(0).json();
    let deletes: Vec<(String, String, Vec<String>)> = changed(&plan)
        .into_iter()
        .filter(|(_, a, _)| a == "delete")
        .collect();
    assert_eq!(
        deletes,
        vec![("bucket[globex]".to_string(), "delete".to_string(), vec![])]
    );

    sb.run(&["deploy", "--yes"]).expect_code(0);
    assert!(
        !aws.bucket_exists(&sb.bucket("globex")),
        "removed bucket deleted"
    );
    assert!(
        aws.bucket_exists(&sb.bucket("acme")),
        "the other bucket stays"
    );
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    sb.run(&["destroy", "--yes"]).expect_code(0);
}

#[test]
fn destroying_an_empty_lake_leaves_nothing_behind() {
    let sb = Sandbox::new(&["acme", "globex"]);
    let aws = Aws::new();
    sb.run(&["deploy", "--yes"]).expect_code(0);
    let run = sb.run(&["destroy", "--yes"]).expect_code(0);
    assert!(run.stdout.contains("4 deleted"), "{}", run.stdout);
    assert_eq!(aws.buckets_with_prefix(&sb.prefix), Vec::<String>::new());
    assert!(!aws.table_exists(&sb.table()));
    assert!(!aws.role_exists(&sb.role()));
    // Nothing is owned any more: a destroy plan is empty and a deploy plan creates everything.
    sb.run(&["plan", "--destroy", "--detailed-exitcode"])
        .expect_code(0);
    let plan = sb.run(&["plan", "--json"]).expect_code(0).json();
    assert_eq!(plan["summary"]["create"], 4);
}

#[test]
fn an_emulator_env_plans_in_a_fresh_shell_and_a_real_one_says_what_is_missing() {
    let sb = Sandbox::new(&["acme"]);
    let url = common::endpoint();
    sb.write_env(&format!(
        "region: us-east-1\nremoval_policy: destroy\nendpoint: {url}\nemulator: true\n"
    ));
    let plan = sb
        .run_in_fresh_shell(&["plan", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(plan["summary"]["create"], 3, "{plan:#}");

    sb.write_env(&format!("region: us-east-1\nendpoint: {url}\n"));
    let refused = sb.run_in_fresh_shell(&["plan"]).expect_code(1);
    assert!(
        refused
            .stderr
            .contains("no AWS credentials found, so nothing was sent")
            && refused
                .stderr
                .contains("Environment: the credential provider was not enabled")
            && refused
                .stderr
                .contains("add `emulator: true` to env/dev.yaml"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("did not answer"),
        "not a connection problem: {}",
        refused.stderr
    );
}

#[test]
fn a_ttl_move_takes_two_deploys_and_the_plan_says_so() {
    let sb = Sandbox::new(&[]);
    let stack = |ttl: &str| {
        format!(
            "stack: {}\nresources:\n  table:\n    kind: dynamodb.table\n    properties:\n      \
             partition_key: {{name: pk, type: S}}\n      ttl_attribute: {ttl}\n",
            sb.stack
        )
    };
    sb.write_stack(&stack("expires_at"));
    sb.run(&["deploy", "--yes"]).expect_code(0);
    sb.write_stack(&stack("purge_at"));
    let plan = sb.run(&["plan"]).expect_code(0);
    assert!(
        plan.stdout.contains(
            "in two steps, as AWS allows one TTL change per table per hour: this deploy turns TTL off for `expires_at`"
        ),
        "{}",
        plan.stdout
    );
    sb.run(&["deploy", "--yes"]).expect_code(0);
    let second = sb.run(&["plan", "--json"]).expect_code(0).json();
    let change = &second["resources"][0];
    assert_eq!(change["action"], "update", "{second:#}");
    assert_eq!(change["changes"][0]["path"], "ttl_attribute");
    assert!(change["changes"][0]["before"].is_null(), "{second:#}");
    assert!(
        change.get("reason").is_none(),
        "the second step is a plain one"
    );
    sb.run(&["deploy", "--yes"]).expect_code(0);
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    sb.run(&["destroy", "--yes", "--allow-data-loss"])
        .expect_code(0);
}
