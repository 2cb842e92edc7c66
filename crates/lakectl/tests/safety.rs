//! lakectl never destroys data unasked, never touches what it does not own, and never deploys
//! into the wrong account.

mod common;

use common::{Aws, Sandbox};

#[test]
fn destroy_refuses_a_bucket_with_data_and_names_it() {
    let sb = Sandbox::new(&["acme", "globex"]);
    let aws = Aws::new();
    sb.run(&["deploy", "--yes"]).expect_code(0);
    aws.put_object(&sb.bucket("acme"), "raw/orders.csv");

    let run = sb.run(&["destroy", "--yes"]).expect_code(1);
    let text = format!("{}{}", run.stdout, run.stderr);
    assert!(
        text.contains(&format!(
            "bucket[acme] (s3.bucket {}): 1 object\n",
            sb.bucket("acme")
        )),
        "names the bucket and its contents:\n{text}"
    );
    assert!(
        text.contains("--allow-data-loss"),
        "says how to proceed:\n{text}"
    );
    // Refused before any deletion: everything is still there.
    assert!(aws.bucket_exists(&sb.bucket("acme")) && aws.bucket_exists(&sb.bucket("globex")));
    assert!(aws.table_exists(&sb.table()) && aws.role_exists(&sb.role()));

    sb.run(&["destroy", "--yes", "--allow-data-loss"])
        .expect_code(0);
    assert_eq!(aws.buckets_with_prefix(&sb.prefix), Vec::<String>::new());
}

#[test]
fn prod_style_retain_policy_leaves_buckets_and_tables_in_aws_and_forgets_them() {
    let sb = Sandbox::new(&["acme"]);
    let aws = Aws::new();
    sb.run(&["deploy", "--yes"]).expect_code(0);
    aws.put_object(&sb.bucket("acme"), "raw/a.csv");
    sb.write_env("region: us-east-1\nremoval_policy: retain\n");
    let plan = sb.run(&["plan", "--destroy"]).expect_code(0);
    assert!(
        plan.stdout.contains("will be left in AWS and forgotten")
            && plan
                .stdout
                .contains("env dev has removal_policy retain, and a s3.bucket holds data"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("1 to delete, 2 to forget"),
        "{}",
        plan.stdout
    );

    let run = sb
        .run(&["destroy", "--yes", "--allow-data-loss"])
        .expect_code(0);
    assert!(
        run.stdout.contains("2 forgotten (left in AWS)"),
        "{}",
        run.stdout
    );
    assert!(
        !aws.role_exists(&sb.role()),
        "what holds no data is deleted"
    );
    assert!(aws.bucket_exists(&sb.bucket("acme")));
    assert_eq!(
        aws.object(&sb.bucket("acme"), "raw/a.csv"),
        b"x,y\n1,2\n".to_vec()
    );
    assert!(aws.table_exists(&sb.table()));
    let tags = aws
        .rt
        .block_on(aws.s3.get_bucket_tagging().bucket(sb.bucket("acme")).send())
        .map(|t| {
            t.tag_set()
                .iter()
                .map(|t| t.key().to_string())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    assert!(
        tags.iter().all(|k| !k.starts_with("lakectl:")),
        "ownership tags removed: {tags:?}"
    );
    let listed = sb.run(&["state", "list"]).expect_code(0);
    assert_eq!(listed.stdout, "", "nothing recorded any more");

    // Taken back on purpose, then destroyed where data may go.
    sb.write_env("region: us-east-1\nremoval_policy: destroy\n");
    sb.run(&["import", "bucket[acme]", "table"]).expect_code(0);
    sb.run(&["destroy", "--yes", "--allow-data-loss"])
        .expect_code(0);
    assert!(!aws.bucket_exists(&sb.bucket("acme")));
    assert!(!aws.table_exists(&sb.table()));
}

#[test]
fn a_bucket_with_our_name_that_we_do_not_own_is_refused_and_left_untouched() {
    let sb = Sandbox::new(&["acme"]);
    let aws = Aws::new();
    let squatted = sb.bucket("acme");
    aws.rt
        .block_on(aws.s3.create_bucket().bucket(&squatted).send())
        .expect("create foreign bucket");
    aws.put_object(&squatted, "theirs.txt");

    let run = sb.run(&["deploy", "--yes"]);
    assert_eq!(run.code, 1, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&squatted),
        "names the bucket:\n{}",
        run.stderr
    );
    // Untouched: no versioning turned on, no tags added, the object still there.
    assert_eq!(aws.versioning_status(&squatted), None);
    assert!(
        aws.rt
            .block_on(aws.s3.get_bucket_tagging().bucket(&squatted).send())
            .is_err(),
        "no tags were added"
    );
    assert!(
        aws.rt
            .block_on(
                aws.s3
                    .head_object()
                    .bucket(&squatted)
                    .key("theirs.txt")
                    .send()
            )
            .is_ok()
    );
    // And nothing else was created either: the refusal comes from the plan, before any change.
    assert!(!aws.table_exists(&sb.table()));
}

#[test]
fn deploying_into_another_account_than_the_env_declares_is_refused() {
    let sb = Sandbox::new(&["acme"]);
    let aws = Aws::new();
    sb.write_env("region: us-east-1\naccount_id: \"999999999999\"\nremoval_policy: destroy\n");
    let run = sb.run(&["deploy", "--yes"]).expect_code(1);
    assert!(run.stderr.contains("999999999999"), "{}", run.stderr);
    assert!(!aws.bucket_exists(&sb.bucket("acme")));
    assert!(!aws.table_exists(&sb.table()));
}

#[test]
fn import_adopts_an_unowned_bucket_on_purpose_and_deploy_then_brings_it_in_line() {
    let sb = Sandbox::new(&["acme"]);
    let aws = Aws::new();
    let existing = sb.bucket("acme");
    aws.rt
        .block_on(aws.s3.create_bucket().bucket(&existing).send())
        .expect("create the bucket by hand");
    aws.put_object(&existing, "raw/kept.csv");
    let refused = sb.run(&["deploy", "--yes"]).expect_code(1);
    assert!(
        refused.stderr.contains("lakectl import"),
        "the refusal points at import:\n{}",
        refused.stderr
    );

    // Unknown addresses are refused before anything is written.
    let bad = sb.run(&["import", "bucket[nobody]"]).expect_code(1);
    assert!(
        bad.stderr.contains("no resource `bucket[nobody]`"),
        "{}",
        bad.stderr
    );

    let imported = sb.run(&["import", "bucket[acme]"]).expect_code(0);
    assert!(
        imported
            .stdout
            .contains(&format!("imported bucket[acme] (s3.bucket {existing})")),
        "{}",
        imported.stdout
    );
    let writes: Vec<(String, u64)> = imported
        .mutating_calls()
        .into_iter()
        .filter(|(op, _)| op.starts_with("s3:"))
        .collect();
    assert!(
        writes.is_empty(),
        "import changes nothing in S3: {writes:?}"
    );

    // Now ours: the plan updates it in place (versioning, ownership tags) and creates the rest.
    let plan = sb.run(&["plan", "--json"]).expect_code(0).json();
    let bucket = plan["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == "bucket[acme]"))
        .expect("bucket planned")
        .clone();
    assert_eq!(bucket["action"], "update", "{bucket:#}");
    sb.run(&["deploy", "--yes"]).expect_code(0);
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    assert_eq!(aws.versioning_status(&existing).as_deref(), Some("Enabled"));
    assert!(
        aws.rt
            .block_on(
                aws.s3
                    .head_object()
                    .bucket(&existing)
                    .key("raw/kept.csv")
                    .send()
            )
            .is_ok(),
        "the data in it is untouched"
    );
    sb.run(&["destroy", "--yes", "--allow-data-loss"])
        .expect_code(0);
}
