//! The lake this repository ships (`stacks/datalake.yaml`), deployed with the dev settings under
//! a unique stack name and prefix, read back property by property, then destroyed.

mod common;

use common::{Aws, Sandbox};
use serde_json::Value;

/// The shipped stack files (every `stacks/*.yaml`) under this sandbox's stack name.
fn shipped_stack(stack: &str) -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../stacks");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .expect("read stacks/")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|f| f.ends_with(".yaml"))
        .map(|f| {
            let text = std::fs::read_to_string(format!("{dir}/{f}")).expect("read a stack file");
            assert!(
                text.contains("\nstack: datalake\n"),
                "{f}: the shipped stack is named datalake"
            );
            let text = text.replace("\nstack: datalake\n", &format!("\nstack: {stack}\n"));
            (f, text)
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 2,
        "datalake.yaml and datasets.yaml: {files:?}"
    );
    files
}

/// (address, action) of every resource a plan changes.
fn changes_of(plan: &Value) -> Vec<(String, String)> {
    plan["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .filter(|r| r["action"] != "noop")
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
            (s("address"), s("action"))
        })
        .collect()
}

#[test]
fn the_shipped_lake_deploys_reads_back_as_declared_and_destroys_cleanly() {
    let sb = Sandbox::new(&[]);
    let aws = Aws::new();
    for (file, text) in shipped_stack(&sb.stack) {
        match file.as_str() {
            // In place of the sandbox's own stack file.
            "datalake.yaml" => sb.write_stack(&text),
            _ => sb.write_stack_file(&file, &text),
        }
    }
    // The jobs' scripts and modules, uploaded as assets, the state machine's definition and
    // the CI's CloudFormation template.
    for dir in ["glue", "sfn", "cfn"] {
        let from = format!("{}/../../stacks/{dir}", env!("CARGO_MANIFEST_DIR"));
        std::fs::create_dir_all(sb.stacks().join(dir)).expect("mkdir");
        for e in std::fs::read_dir(from)
            .expect("read a stacks folder")
            .filter_map(Result::ok)
        {
            std::fs::copy(e.path(), sb.stacks().join(dir).join(e.file_name())).expect("copy");
        }
    }
    // As stacks/env/dev.yaml, with this sandbox's prefix so parallel runs never collide.
    sb.write_env(&format!(
        "region: us-east-1\naccount_id: \"{}\"\nremoval_policy: destroy\nvars:\n  prefix: {}\n  customers: [acme, globex]\n  \
         enforce_tls: false\n  eventbridge_notifications: false\n  alert_emails:\n    oncall: oncall@example.com\n  ingest_alarms: []\n  \
         api_sources:\n    acme: events\n",
        aws.account_id(),
        sb.prefix
    ));
    let p = &sb.prefix;
    let buckets = [
        format!("{p}-acme-dev-datalake"),
        format!("{p}-globex-dev-datalake"),
    ];

    let plan = sb.run(&["plan", "--json"]).expect_code(0).json();
    assert_eq!(
        plan["summary"]["create"], 52,
        "2 tenants of a bucket, a Glue database and a registration item each, the assets bucket, \
         2 tables, 4 config items, \
         3 roles, 3 jobs, their 14 scripts and modules, acme's API schedule, 3 job log groups, the state machine, its \
         log group, its 2 new-raw-file rules and their role, the job-failure rule, the alerts topic and its subscription, \
         the Athena workgroup and its results bucket, the CI's CloudFormation stack, its template, its 2 settings in Parameter Store and its build-result rule"
    );
    sb.run(&["deploy", "--yes"]).expect_code(0);
    // The CI stack made its role; its outputs are the stack's outputs.
    let ci = format!("{p}-dev-ci");
    assert!(aws.role_exists(&ci), "the CI stack's role {ci}");
    let outputs = sb.run(&["outputs", "--json"]).expect_code(0).json();
    assert_eq!(outputs["ci_project"], ci.as_str());
    assert_eq!(outputs["ci_log_group"], format!("/aws/codebuild/{ci}"));

    for b in &buckets {
        let s3 = &aws.s3;
        assert_eq!(aws.versioning_status(b).as_deref(), Some("Enabled"), "{b}");
        let enc = aws
            .rt
            .block_on(s3.get_bucket_encryption().bucket(b).send())
            .expect("encryption");
        let algo = enc
            .server_side_encryption_configuration()
            .and_then(|c| c.rules().first())
            .and_then(|r| r.apply_server_side_encryption_by_default())
            .map(|d| d.sse_algorithm().as_str().to_string());
        assert_eq!(algo.as_deref(), Some("AES256"), "{b}: SSE-S3");
        let pab = aws
            .rt
            .block_on(s3.get_public_access_block().bucket(b).send())
            .expect("public access block");
        let c = pab
            .public_access_block_configuration()
            .expect("configuration");
        assert_eq!(
            (
                c.block_public_acls(),
                c.ignore_public_acls(),
                c.block_public_policy(),
                c.restrict_public_buckets()
            ),
            (Some(true), Some(true), Some(true), Some(true)),
            "{b}: every public access switch on"
        );
        let lifecycle = aws
            .rt
            .block_on(s3.get_bucket_lifecycle_configuration().bucket(b).send())
            .expect("lifecycle");
        let mut ids: Vec<&str> = lifecycle.rules().iter().filter_map(|r| r.id()).collect();
        ids.sort();
        assert_eq!(
            ids,
            [
                "expire-noncurrent-versions",
                "expire-quarantine",
                "processed-to-infrequent-access",
                "raw-to-infrequent-access"
            ],
            "{b}"
        );
        let tags = aws
            .rt
            .block_on(s3.get_bucket_tagging().bucket(b).send())
            .expect("tags");
        assert!(
            tags.tag_set()
                .iter()
                .any(|t| t.key() == "data-classification" && t.value() == "customer-data"),
            "{b}: {tags:?}"
        );
    }

    let lineage = format!("{p}-dev-lineage");
    let table = aws
        .rt
        .block_on(aws.ddb.describe_table().table_name(&lineage).send())
        .expect("lineage table");
    let gsis: Vec<&str> = table
        .table()
        .map(|t| {
            t.global_secondary_indexes()
                .iter()
                .filter_map(|g| g.index_name())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(gsis, ["by-status"]);
    let ttl = aws
        .rt
        .block_on(aws.ddb.describe_time_to_live().table_name(&lineage).send())
        .expect("ttl");
    assert_eq!(
        ttl.time_to_live_description()
            .and_then(|d| d.attribute_name()),
        Some("expires_at")
    );
    for t in [format!("{p}-dev-config"), lineage.clone()] {
        let backups = aws
            .rt
            .block_on(aws.ddb.describe_continuous_backups().table_name(&t).send())
            .expect("backups");
        let pitr = backups
            .continuous_backups_description()
            .and_then(|d| d.point_in_time_recovery_description())
            .and_then(|p| p.point_in_time_recovery_status())
            .map(|s| s.as_str().to_string());
        assert_eq!(
            pitr.as_deref(),
            Some("ENABLED"),
            "{t}: point-in-time recovery"
        );
    }

    // Least privilege: the ingest role reads raw/ but cannot write it; only api_ingest can.
    let resources_of = |doc: &Value, sid: &str| -> Vec<String> {
        let statement = doc["Statement"]
            .as_array()
            .and_then(|all| all.iter().find(|s| s["Sid"] == sid))
            .unwrap_or_else(|| panic!("no statement {sid} in {doc}"));
        match &statement["Resource"] {
            Value::String(r) => vec![r.clone()],
            Value::Array(rs) => rs
                .iter()
                .filter_map(|r| r.as_str().map(str::to_string))
                .collect(),
            other => panic!("{sid}: Resource is {other}"),
        }
    };
    // Scoped by the lake's naming pattern, so the policies do not grow with the customers.
    let lake = format!("arn:aws:s3:::{p}-*-dev-datalake");
    let ingest = aws.role_policy(&format!("{p}-dev-glue-ingest"), "lake-data");
    assert_eq!(resources_of(&ingest, "ReadRaw"), [format!("{lake}/raw/*")]);
    let writes = resources_of(&ingest, "WriteZones");
    assert_eq!(
        writes,
        ["analytics", "processed", "quarantine"].map(|z| format!("{lake}/{z}/*"))
    );
    let api = aws.role_policy(&format!("{p}-dev-api-ingest"), "land-api-pages");
    assert_eq!(resources_of(&api, "LandRaw"), [format!("{lake}/raw/*")]);
    assert!(aws.role_exists(&format!("{p}-dev-ingest-orchestrator")));

    // A log group per ingest job, with the stack's default retention.
    let logs_prefix = format!("/aws-glue/jobs/{p}-dev-");
    let groups = aws.log_groups(&logs_prefix);
    let want: Vec<(String, Option<i32>)> = ["api-ingest", "ingest", "ingest-spark"]
        .iter()
        .map(|j| (format!("{logs_prefix}{j}"), Some(30)))
        .collect();
    assert_eq!(groups, want);

    // The alerts topic, its email subscription, and the one role that may publish to it.
    let topic_arn = format!("arn:aws:sns:us-east-1:{}:{p}-dev-alerts", aws.account_id());
    let subscribed = aws.subscriptions(&topic_arn);
    assert_eq!(
        subscribed,
        vec![("email".to_string(), "oncall@example.com".to_string())]
    );
    let orchestrate = aws.role_policy(&format!("{p}-dev-ingest-orchestrator"), "orchestrate");
    assert_eq!(
        resources_of(&orchestrate, "Alerts"),
        vec![topic_arn.clone()]
    );

    // Each tenant's catalog database, registered for its bucket where the jobs look it up,
    // and the ingest role scoped to the tenants' databases by their naming pattern.
    let databases = [format!("{p}_acme_dev"), format!("{p}_globex_dev")];
    for (bucket, database) in buckets.iter().zip(&databases) {
        assert_eq!(
            aws.glue_database(database).as_deref(),
            Some(database.as_str())
        );
        let registration = aws.item(
            &format!("{p}-dev-config"),
            &format!("bucket#{bucket}"),
            "tenant",
        );
        assert_eq!(
            registration["database"].as_str(),
            Some(database.as_str()),
            "{registration}"
        );
    }
    let settings = aws.item(&format!("{p}-dev-config"), "dataset#orders", "settings");
    assert_eq!(
        settings["target"]["table"].as_str(),
        Some("orders"),
        "{settings}"
    );
    let metadata = aws.role_policy(&format!("{p}-dev-glue-ingest"), "lake-metadata");
    assert!(
        resources_of(&metadata, "CatalogTablesAndPartitions").contains(&format!(
            "arn:aws:glue:us-east-1:{}:table/{p}_*_dev/*",
            aws.account_id()
        )),
        "{metadata}"
    );

    // The jobs run the scripts of this repository, as uploaded under their content hash.
    let job = aws.glue_job(&format!("{p}-dev-ingest-spark"));
    let script = job["script_location"]
        .as_str()
        .expect("a script")
        .to_string();
    let (bucket, key) = script
        .strip_prefix("s3://")
        .and_then(|s| s.split_once('/'))
        .expect("an S3 location");
    assert_eq!(bucket, format!("{p}-dev-assets"));
    assert_eq!(
        aws.object(bucket, key),
        std::fs::read(sb.stacks().join("glue/ingest_spark.py")).expect("the script"),
        "{script}"
    );
    assert_eq!(job["role"], aws.role_arn(&format!("{p}-dev-glue-ingest")));

    // acme's API is pulled into acme's bucket on the cadence its settings land windows of.
    assert_eq!(
        aws.glue_trigger(&format!("{p}-dev-api-acme")),
        serde_json::json!({
            "schedule": "cron(0/15 * * * ? *)",
            "job": format!("{p}-dev-api-ingest"),
            "arguments": {"--dataset": "events", "--target_uri": format!("s3://{}", buckets[0])},
        })
    );
    let events = aws.item(&format!("{p}-dev-config"), "dataset#events", "settings");
    assert_eq!(events["api"]["cadence_minutes"], 15, "{events}");

    // The state machine runs the definition of this repository, resolved to the deployed lake.
    let definition = aws.state_machine_definition(&format!(
        "arn:aws:states:us-east-1:{}:stateMachine:{p}-dev-ingest",
        aws.account_id()
    ));
    assert_eq!(
        definition["States"]["RunIngest"]["Parameters"]["JobName"],
        format!("{p}-dev-ingest")
    );
    assert_eq!(
        definition["States"]["ReadSettings"]["Parameters"]["TableName"],
        format!("{p}-dev-config")
    );

    // Changes made behind lakectl's back are drift: each shown on its resource, all repaired.
    let machine_arn = format!(
        "arn:aws:states:us-east-1:{}:stateMachine:{p}-dev-ingest",
        aws.account_id()
    );
    aws.rt
        .block_on(
            aws.sfn
                .update_state_machine()
                .state_machine_arn(&machine_arn)
                .definition(r#"{"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}"#)
                .send(),
        )
        .expect("definition changed by hand");
    aws.rt
        .block_on(
            aws.events
                .put_rule()
                .name(format!("{p}-dev-new-raw-orders"))
                .event_pattern(r#"{"source": ["aws.s3"]}"#)
                .description("A new raw orders file starts the ingest state machine.")
                .send(),
        )
        .expect("pattern changed by hand");
    aws.rt
        .block_on(
            aws.logs
                .put_retention_policy()
                .log_group_name(format!("/aws-glue/jobs/{p}-dev-ingest"))
                .retention_in_days(1)
                .send(),
        )
        .expect("retention changed by hand");
    aws.rt
        .block_on(
            aws.ddb
                .update_item()
                .table_name(format!("{p}-dev-config"))
                .key(
                    "pk",
                    aws_sdk_dynamodb::types::AttributeValue::S("dataset#orders".into()),
                )
                .key(
                    "sk",
                    aws_sdk_dynamodb::types::AttributeValue::S("settings".into()),
                )
                .update_expression("SET max_bad_fraction = :f")
                .expression_attribute_values(
                    ":f",
                    aws_sdk_dynamodb::types::AttributeValue::N("0.1".into()),
                )
                .send(),
        )
        .expect("setting changed by hand");
    let mut drifted = changes_of(&sb.run(&["plan", "--json"]).expect_code(0).json());
    drifted.sort();
    assert_eq!(
        drifted,
        [
            "ingest_state_machine",
            "job_logs[ingest]",
            "new_raw_file[orders]",
            "orders_settings"
        ]
        .map(|a| (a.to_string(), "update".to_string()))
    );
    sb.run(&["deploy", "--yes"]).expect_code(0);
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    assert_eq!(
        aws.state_machine_definition(&machine_arn)["StartAt"],
        "ReadSettings"
    );

    // A new customer is that customer's tenant and nothing else.
    let env = std::fs::read_to_string(sb.stacks().join("env/dev.yaml")).expect("env");

    // The CI's branch is its setting in Parameter Store and a parameter of its stack: an
    // update of those two alone, the stack's done through a change set; then nothing is left
    // to change.
    sb.write_env(&format!("{env}  ci_branch: release\n"));
    let plan = sb.run(&["plan", "--json"]).expect_code(0).json();
    assert_eq!(
        changes_of(&plan),
        ["ci_branch", "ci"].map(|a| (a.to_string(), "update".to_string()))
    );
    let ci_change = plan["resources"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["address"] == "ci"))
        .expect("ci planned");
    assert_eq!(ci_change["changes"][0]["path"], "parameters.Branch");
    sb.run(&["deploy", "--yes"]).expect_code(0);
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    // The rest keeps that branch: moto's change sets compare parameters with those of the
    // stack's create, so a change back to them reads as no change there (see README.md).
    let env = format!("{env}  ci_branch: release\n");
    sb.write_env(&env);

    sb.write_env(&env.replace(
        "customers: [acme, globex]",
        "customers: [acme, globex, hooli]",
    ));
    assert_eq!(
        changes_of(&sb.run(&["plan", "--json"]).expect_code(0).json()),
        ["bucket", "catalog", "registration"]
            .map(|m| (format!("tenant[hooli].{m}"), "create".to_string()))
    );
    sb.write_env(&env);

    // Editing one script changes that script's object and the one job that runs it.
    let edited = sb.stacks().join("glue/ingest_spark.py");
    let original = std::fs::read_to_string(&edited).expect("script");
    std::fs::write(&edited, format!("{original}# edited\n")).expect("edit");
    let changed = changes_of(&sb.run(&["plan", "--json"]).expect_code(0).json());
    assert_eq!(
        changed,
        [
            (
                "asset[glue/ingest_spark.py]".to_string(),
                "replace".to_string()
            ),
            ("ingest_spark_job".to_string(), "update".to_string())
        ]
    );
    std::fs::write(&edited, original).expect("restore");

    let outputs = sb.run(&["outputs", "--json"]).expect_code(0).json();
    assert_eq!(outputs["buckets"], serde_json::json!(buckets));
    assert_eq!(outputs["lineage_table"], lineage);
    assert_eq!(outputs["glue_databases"], serde_json::json!(databases));

    // Removing a customer deletes that tenant's resources only, and not while its bucket holds
    // data: refused before anything is deleted, done when the loss is asked for.
    sb.write_env(&env.replace("customers: [acme, globex]", "customers: [acme]"));
    assert_eq!(
        changes_of(&sb.run(&["plan", "--json"]).expect_code(0).json()),
        // Dependents first: the registration names the database, which names the bucket.
        ["registration", "catalog", "bucket"]
            .map(|m| (format!("tenant[globex].{m}"), "delete".to_string()))
    );
    aws.put_object(&buckets[1], "raw/orders/late.csv");
    let refused = sb.run(&["deploy", "--yes"]).expect_code(1);
    assert!(
        format!("{}{}", refused.stdout, refused.stderr).contains(&format!(
            "tenant[globex].bucket (s3.bucket {}): 1 object",
            buckets[1]
        )),
        "{}{}",
        refused.stdout,
        refused.stderr
    );
    assert!(aws.bucket_exists(&buckets[1]));
    assert_eq!(
        aws.glue_database(&databases[1]).as_deref(),
        Some(databases[1].as_str())
    );
    sb.run(&["deploy", "--yes", "--allow-data-loss"])
        .expect_code(0);
    assert!(!aws.bucket_exists(&buckets[1]));
    assert_eq!(aws.glue_database(&databases[1]), None);
    assert!(aws.bucket_exists(&buckets[0]));
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);

    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    sb.run(&["destroy", "--yes"]).expect_code(0);
    assert_eq!(aws.buckets_with_prefix(p), Vec::<String>::new());
    assert!(!aws.table_exists(&lineage));
    assert!(!aws.role_exists(&format!("{p}-dev-api-ingest")));
    assert!(
        !aws.role_exists(&ci),
        "the CI stack and its role are deleted"
    );
    assert_eq!(aws.log_groups(&logs_prefix), vec![]);
    assert_eq!(aws.glue_database(&databases[0]), None);
    assert!(
        aws.buckets_with_prefix(&format!("{p}-dev-assets"))
            .is_empty()
    );
    assert_eq!(
        aws.subscriptions(&topic_arn),
        vec![],
        "the topic went with its subscriptions"
    );
}
