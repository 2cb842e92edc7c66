//! Refactoring a stack without losing data: `moved:` entries, `state mv`, `state forget`.

mod common;

use common::{Aws, Sandbox};
use serde_json::Value;

/// A table with a derived name at `table_at` and a bucket at `bucket_at[acme]`.
fn stack(sb: &Sandbox, table_at: &str, bucket_at: &str, extra: &str) -> String {
    format!(
        "stack: {}\nresources:\n  {bucket_at}:\n    kind: s3.bucket\n    for_each: [acme]\n    properties:\n      \
         name: \"{}-${{each.key}}-dev\"\n      enforce_tls: false\n  {table_at}:\n    kind: dynamodb.table\n    properties:\n      \
         partition_key: {{name: pk, type: S}}\n{extra}",
        sb.stack, sb.prefix
    )
}

fn change<'p>(plan: &'p Value, address: &str) -> &'p Value {
    plan["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == address))
        .unwrap_or_else(|| panic!("{address} is not in the plan: {plan:#}"))
}

fn item_count(aws: &Aws, table: &str) -> i32 {
    aws.rt
        .block_on(aws.ddb.scan().table_name(table).send())
        .expect("scan")
        .count()
}

fn address_tag(aws: &Aws, table: &str) -> Option<String> {
    let arn = aws
        .rt
        .block_on(aws.ddb.describe_table().table_name(table).send())
        .expect("describe")
        .table()
        .and_then(|t| t.table_arn())
        .expect("arn")
        .to_string();
    aws.rt
        .block_on(aws.ddb.list_tags_of_resource().resource_arn(arn).send())
        .expect("tags")
        .tags()
        .iter()
        // The emulator keeps a replaced tag besides its new value (README, emulator table).
        .rfind(|t| t.key() == "lakectl:address")
        .map(|t| t.value().to_string())
}

#[test]
fn a_moved_table_keeps_its_items_and_plans_no_delete() {
    let sb = Sandbox::new(&[]);
    let aws = Aws::new();
    let table = format!("{}-dev-table", sb.stack);
    sb.write_stack(&stack(&sb, "table", "bucket", ""));
    sb.run(&["deploy", "--yes"]).expect_code(0);
    for pk in ["a", "b", "c"] {
        aws.rt
            .block_on(
                aws.ddb
                    .put_item()
                    .table_name(&table)
                    .item("pk", aws_sdk_dynamodb::types::AttributeValue::S(pk.into()))
                    .send(),
            )
            .expect("put item");
    }

    sb.write_stack(&stack(
        &sb,
        "settings",
        "bucket",
        "moved:\n  - from: table\n    to: settings\n",
    ));
    let plan = sb.run(&["plan", "--json"]).expect_code(0).json();
    let settings = change(&plan, "settings");
    assert_eq!(settings["moved_from"], "table", "{plan:#}");
    assert_eq!(
        settings["physical_id"],
        table.as_str(),
        "the name derived from `table`"
    );
    assert_eq!(
        settings["action"], "update",
        "only its address tag: {settings:#}"
    );
    assert_eq!(plan["summary"]["delete"], 0);
    assert_eq!(plan["summary"]["moved"], 1);
    let text = sb.run(&["plan", "--detailed-exitcode"]).expect_code(2);
    assert!(text.stdout.contains("moved from table"), "{}", text.stdout);

    sb.run(&["deploy", "--yes"]).expect_code(0);
    assert_eq!(item_count(&aws, &table), 3, "the items are still there");
    assert_eq!(address_tag(&aws, &table).as_deref(), Some("settings"));
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    let list = sb.run(&["state", "list"]).expect_code(0);
    assert!(list.stdout.contains("settings "), "{}", list.stdout);
    assert!(!list.stdout.contains("\ntable "), "{}", list.stdout);
    sb.run(&["destroy", "--yes", "--allow-data-loss"])
        .expect_code(0);
}

#[test]
fn state_mv_and_forget_change_the_state_and_leave_the_resources() {
    let sb = Sandbox::new(&[]);
    let aws = Aws::new();
    let bucket = format!("{}-acme-dev", sb.prefix);
    let table = format!("{}-dev-table", sb.stack);
    sb.write_stack(&stack(&sb, "table", "bucket", ""));
    sb.run(&["deploy", "--yes"]).expect_code(0);

    // Renamed without saying so: refused, with the two ways out.
    sb.write_stack(&stack(&sb, "table", "raw", ""));
    let refused = sb.run(&["plan"]).expect_code(1);
    assert!(
        refused.stderr.contains("to: \"raw[acme]\"")
            && refused
                .stderr
                .contains("lakectl state mv --env dev 'bucket[acme]' 'raw[acme]'"),
        "{}",
        refused.stderr
    );

    let moved = sb
        .run(&["state", "mv", "bucket[acme]", "raw[acme]"])
        .expect_code(0);
    assert!(
        moved.stdout.contains("moved bucket[acme] → raw[acme]"),
        "{}",
        moved.stdout
    );
    assert_eq!(
        moved
            .mutating_calls()
            .iter()
            .filter(|(op, _)| !op.starts_with("dynamodb:"))
            .count(),
        0,
        "only the state table is written: {:?}",
        moved.mutating_calls()
    );
    let plan = sb.run(&["plan", "--json"]).expect_code(0).json();
    assert_eq!(
        change(&plan, "raw[acme]")["moved_from"],
        "bucket[acme]",
        "{plan:#}"
    );
    assert_eq!(plan["summary"]["create"], 0);
    sb.run(&["deploy", "--yes"]).expect_code(0);
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);

    // Forget the table: refused while declared, then it stays, untagged and unmanaged.
    let declared = sb.run(&["state", "forget", "table"]).expect_code(1);
    assert!(
        declared.stderr.contains("still declared"),
        "{}",
        declared.stderr
    );
    let without_table = format!(
        "stack: {}\nresources:\n  raw:\n    kind: s3.bucket\n    for_each: [acme]\n    properties:\n      \
         name: \"{}-${{each.key}}-dev\"\n      enforce_tls: false\n",
        sb.stack, sb.prefix
    );
    sb.write_stack(&without_table);
    let forgot = sb.run(&["state", "forget", "table"]).expect_code(0);
    assert!(
        forgot.stdout.contains("ownership tags were removed"),
        "{}",
        forgot.stdout
    );
    assert!(aws.table_exists(&table));
    assert_eq!(address_tag(&aws, &table), None);
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    let missing = sb.run(&["state", "show", "table"]).expect_code(1);
    assert!(missing.stderr.contains("raw[acme]"), "{}", missing.stderr);
    let shown = sb
        .run(&["state", "show", "raw[acme]"])
        .expect_code(0)
        .json();
    assert_eq!(shown["name"], bucket.as_str());

    sb.run(&["destroy", "--yes"]).expect_code(0);
    assert!(!aws.bucket_exists(&bucket));
    assert!(aws.table_exists(&table), "forgotten: destroy leaves it");
    aws.rt
        .block_on(aws.ddb.delete_table().table_name(&table).send())
        .expect("clean up the forgotten table");
}
