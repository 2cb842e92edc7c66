//! Saved plans (`plan --out`, `deploy FILE`) and `--target`.

mod common;

use common::{Aws, Sandbox, lake_stack};

fn addresses(plan: &serde_json::Value) -> Vec<String> {
    let mut got: Vec<String> = plan["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter_map(|r| r["address"].as_str().map(str::to_string))
        .collect();
    got.sort();
    got
}

#[test]
fn a_saved_plan_is_applied_as_planned_and_refused_once_stale() {
    let sb = Sandbox::new(&["acme"]);
    let aws = Aws::new();
    let made = sb.run(&["plan", "--out", "first.plan"]).expect_code(0);
    assert!(
        made.stderr
            .contains("`lakectl deploy first.plan` applies exactly it"),
        "{}",
        made.stderr
    );
    let text = std::fs::read_to_string(sb.dir.join("first.plan")).expect("plan file");
    assert!(text.contains("\"lakectl_saved_plan\": 1"), "{text}");
    // No --yes and no terminal: a saved plan was reviewed when it was made.
    sb.run(&["deploy", "first.plan"]).expect_code(0);
    assert!(aws.bucket_exists(&sb.bucket("acme")));
    sb.run(&["deploy", "first.plan"])
        .expect_code(1)
        .stderr
        .contains("no longer matches")
        .then_some(())
        .expect("an applied plan is stale");

    // The stack files change after the plan was made.
    sb.write_stack(&lake_stack(&sb.stack, &sb.prefix, &["acme", "globex"]));
    sb.run(&["plan", "--out", "second.plan"]).expect_code(0);
    sb.write_stack(&lake_stack(&sb.stack, &sb.prefix, &["acme", "initech"]));
    let stale = sb.run(&["deploy", "second.plan"]).expect_code(1);
    assert!(
        stale
            .stderr
            .contains("bucket[globex] is no longer in the plan")
            && stale.stderr.contains("bucket[initech] is new in the plan"),
        "{}",
        stale.stderr
    );
    assert!(!aws.bucket_exists(&sb.bucket("globex")) && !aws.bucket_exists(&sb.bucket("initech")));

    // AWS changes after the plan was made.
    sb.write_stack(&lake_stack(&sb.stack, &sb.prefix, &["acme", "globex"]));
    sb.run(&["plan", "--out", "third.plan"]).expect_code(0);
    aws.suspend_versioning(&sb.bucket("acme"));
    let drifted = sb.run(&["deploy", "third.plan"]).expect_code(1);
    assert!(
        drifted
            .stderr
            .contains("bucket[acme] changed in AWS since the plan was made"),
        "{}",
        drifted.stderr
    );
    assert!(
        !aws.bucket_exists(&sb.bucket("globex")),
        "nothing was changed"
    );

    // A plan is applied by the command it was made for, with its own vars.
    sb.run(&["plan", "--destroy", "--out", "gone.plan"])
        .expect_code(0);
    let wrong = sb.run(&["deploy", "gone.plan"]).expect_code(1);
    assert!(
        wrong.stderr.contains("lakectl destroy gone.plan"),
        "{}",
        wrong.stderr
    );
    let vars = sb
        .run(&["deploy", "third.plan", "--var", "prefix=x"])
        .expect_code(1);
    assert!(
        vars.stderr.contains("vars and targets it was made with"),
        "{}",
        vars.stderr
    );
    sb.run(&["destroy", "gone.plan"]).expect_code(0);
    assert!(!aws.bucket_exists(&sb.bucket("acme")));
}

#[test]
fn a_target_plans_and_deploys_it_with_what_it_needs_and_nothing_else() {
    let sb = Sandbox::new(&["acme", "globex"]);
    let aws = Aws::new();
    let plan = sb
        .run(&["plan", "--json", "--target", "bucket[acme]"])
        .expect_code(0)
        .json();
    assert_eq!(addresses(&plan), vec!["bucket[acme]"]);
    let plan = sb
        .run(&["plan", "--json", "--target", "role"])
        .expect_code(0)
        .json();
    assert_eq!(
        addresses(&plan),
        vec!["bucket[acme]", "bucket[globex]", "role", "table"],
        "the role refers to the buckets and the table"
    );
    let unknown = sb.run(&["plan", "--target", "tabel"]).expect_code(1);
    assert!(
        unknown.stderr.contains("did you mean `table`?"),
        "{}",
        unknown.stderr
    );

    sb.run(&["deploy", "--yes", "--target", "table"])
        .expect_code(0);
    assert!(aws.table_exists(&sb.table()));
    assert!(!aws.bucket_exists(&sb.bucket("acme")), "not targeted");
    let outputs = sb.run(&["outputs"]).expect_code(0);
    assert!(
        outputs.stderr.contains("no outputs recorded"),
        "{}",
        outputs.stderr
    );
    sb.run(&["deploy", "--yes"]).expect_code(0);
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    sb.run(&["destroy", "--yes"]).expect_code(0);
}
