//! A well-formed stack: `for_each` over the customer list, splats, var overrides from the env
//! file, derived names, and every value the engine will see.

mod common;

use lakectl_core::{Address, DesiredStack, RemovalPolicy};
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;

const DIR: &str = "tests/good-stack";

fn load(env: &str) -> DesiredStack {
    match lakectl_config::load(Path::new(DIR), env, &common::schemas()) {
        Ok(stack) => stack,
        Err(d) => panic!("the good stack failed to load:\n{d}"),
    }
}

fn addr(s: &str) -> Address {
    Address::parse(s).expect("a valid address")
}

#[test]
fn for_each_fans_out_over_the_env_customer_list() {
    let stack = load("dev");
    let got: Vec<&str> = stack.resources.keys().map(Address::as_str).collect();
    assert_eq!(
        got,
        vec![
            "config_table",
            "customer_bucket[acme]",
            "customer_bucket[globex]",
            "customer_bucket[initech]",
            "glue_role",
            "report_bucket[analytics]",
            "report_bucket[finance]",
        ]
    );
}

#[test]
fn env_settings_come_from_the_env_file() {
    let stack = load("dev");
    assert_eq!(stack.stack, "datalake");
    assert_eq!(stack.env.name, "dev");
    assert_eq!(stack.env.region, "eu-west-1");
    assert_eq!(stack.env.account_id.as_deref(), Some("123456789012"));
    assert_eq!(stack.env.endpoint.as_deref(), Some("http://127.0.0.1:4566"));
    assert_eq!(stack.env.removal_policy, RemovalPolicy::Destroy);
    assert!(stack.env.emulator);

    let prod = load("prod");
    assert!(!prod.env.emulator);
    assert_eq!(prod.env.removal_policy, RemovalPolicy::Retain);
    assert_eq!(prod.env.account_id, None);
    assert_eq!(
        prod.resources
            .keys()
            .filter(|a| a.name() == "customer_bucket")
            .count(),
        2
    );
}

#[test]
fn specs_are_substituted_typed_and_defaulted() {
    let stack = load("dev");
    let bucket = &stack.resources[&addr("customer_bucket[initech]")];
    assert_eq!(bucket.kind, "s3.bucket");
    assert_eq!(bucket.name, "mycompany-initech-dev-datalake");
    assert_eq!(
        bucket.spec,
        json!({
            "name": "mycompany-initech-dev-datalake",
            "versioning": true,
            "expiration_days": 30,
            "encryption": { "algorithm": "SSE-S3" },
            "tags": { "customer": "initech", "stack": "datalake" },
        }),
        "the env overrides `versioned`, numbers stay numbers, defaults fill the rest"
    );
    assert_eq!(bucket.location, "tests/good-stack/datalake.yaml:15:3");

    let table = &stack.resources[&addr("config_table")];
    assert_eq!(
        table.spec,
        json!({
            "name": "mycompany-dev-config",
            "partition_key": { "name": "pk", "type": "S" },
            "billing_mode": "PAY_PER_REQUEST",
        })
    );
}

#[test]
fn mapping_for_each_gives_each_value_and_derived_names() {
    let stack = load("dev");
    let report = &stack.resources[&addr("report_bucket[analytics]")];
    assert_eq!(report.name, "datalake-dev-report-bucket-analytics");
    assert_eq!(
        report.spec["name"],
        json!("datalake-dev-report-bucket-analytics")
    );
    assert_eq!(
        report.spec["tags"],
        json!({
            "owner": "team-a",
            "table": "${config_table.name}",
            "bucket": "${customer_bucket[acme].name}",
        })
    );
    assert_eq!(
        report.depends_on(),
        BTreeSet::from([addr("config_table"), addr("customer_bucket[acme]")])
    );
}

#[test]
fn splats_expand_and_references_stay_for_the_engine() {
    let stack = load("dev");
    let role = &stack.resources[&addr("glue_role")];
    assert_eq!(role.name, "mycompany-dev-glue");
    assert_eq!(
        role.spec["inline_policies"]["read_raw"]["Statement"][0]["Resource"],
        json!([
            "${customer_bucket[acme].arn}/raw/*",
            "${customer_bucket[globex].arn}/raw/*",
            "${customer_bucket[initech].arn}/raw/*",
            "arn:aws:s3:::mycompany-shared/$${aws:username}/*",
        ]),
        "one element per instance in key order; `$${{` stays escaped"
    );
    assert_eq!(
        role.spec["inline_policies"]["read_raw"]["Statement"][1]["Resource"],
        json!("${config_table.arn}")
    );
    assert_eq!(
        role.spec["inline_policies"]["write_lineage"]["Statement"][0],
        json!({"Effect": "Allow", "Action": ["dynamodb:PutItem"],
               "Resource": "${config_table.arn}",
               "Condition": {"StringEquals": {"aws:RequestTag/env": "dev",
                                              "aws:RequestTag/owner": "mycompany"}}}),
        "a file read with ${{file:PATH}} is substituted like the stack file itself"
    );
    assert_eq!(role.spec["max_session_seconds"], json!(3600));
    assert_eq!(
        role.depends_on(),
        BTreeSet::from([
            addr("config_table"),
            addr("customer_bucket[acme]"),
            addr("customer_bucket[globex]"),
            addr("customer_bucket[initech]"),
        ])
    );
    assert!(stack.topological_order().is_ok());
}

#[test]
fn outputs_keep_references_and_expand_splats() {
    let stack = load("dev");
    assert_eq!(
        stack.outputs.get("config_table_name"),
        Some(&json!("${config_table.name}"))
    );
    assert_eq!(
        stack.outputs.get("buckets"),
        Some(&json!([
            "${customer_bucket[acme].name}",
            "${customer_bucket[globex].name}",
            "${customer_bucket[initech].name}",
        ]))
    );
}

#[test]
fn env_names_lists_the_env_files() {
    assert_eq!(
        lakectl_config::env_names(Path::new(DIR)),
        vec!["dev", "prod"]
    );
    assert_eq!(
        lakectl_config::env_names(Path::new("tests/bad-stacks/env-file-not-found")),
        vec!["prod", "staging"]
    );
    assert!(lakectl_config::env_names(Path::new("tests/no-such-folder")).is_empty());
}

#[test]
fn depends_on_reaches_the_graph_without_repeating_references() {
    let dir = std::env::temp_dir().join(format!("lakectl-depends-on-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("env")).expect("mkdir");
    std::fs::write(
        dir.join("lake.yaml"),
        "stack: lake\nresources:\n  table:\n    kind: dynamodb.table\n    properties:\n      name: lake-t\n      partition_key: {name: pk, type: S}\n  \
         raw:\n    kind: s3.bucket\n    for_each: [a, b]\n    properties: {}\n  \
         report:\n    kind: s3.bucket\n    depends_on: [raw, table]\n    properties:\n      tags: {t: \"${table.name}\"}\n",
    )
    .expect("stack");
    std::fs::write(dir.join("env/dev.yaml"), "region: us-east-1\n").expect("env");
    let stack = lakectl_config::load(&dir, "dev", &common::schemas())
        .unwrap_or_else(|d| panic!("the stack failed to load:\n{d}"));
    let _ = std::fs::remove_dir_all(&dir);
    let report = &stack.resources[&addr("report")];
    assert_eq!(
        report.explicit_deps,
        BTreeSet::from([addr("raw[a]"), addr("raw[b]")]),
        "`depends_on: [raw]` waits for every instance; `table` is referenced, so it is not repeated"
    );
    assert_eq!(
        report.depends_on(),
        BTreeSet::from([addr("raw[a]"), addr("raw[b]"), addr("table")])
    );
}

#[test]
fn command_line_vars_win_over_the_env_file() {
    let vars = [
        ("customers".to_string(), "[acme, umbrella]".to_string()),
        ("prefix".to_string(), "other".to_string()),
    ];
    let stack = lakectl_config::load_with_vars(Path::new(DIR), "dev", &vars, &common::schemas())
        .unwrap_or_else(|d| panic!("the good stack failed to load with --var:\n{d}"));
    let buckets: Vec<&str> = stack
        .resources
        .keys()
        .filter(|a| a.name() == "customer_bucket")
        .map(Address::as_str)
        .collect();
    assert_eq!(
        buckets,
        vec!["customer_bucket[acme]", "customer_bucket[umbrella]"]
    );
}

#[test]
fn a_command_line_var_nobody_declares_is_named_at_its_flag() {
    let vars = [("custmers".to_string(), "[acme]".to_string())];
    let Err(d) = lakectl_config::load_with_vars(Path::new(DIR), "dev", &vars, &common::schemas())
    else {
        panic!("an undeclared --var loaded");
    };
    let text = d.to_string();
    assert_eq!(d.len(), 1, "{text}");
    assert!(text.contains("--var:1:1"), "{text}");
    assert!(text.contains("did you mean `customers`?"), "{text}");
}

#[test]
fn a_moved_resource_keeps_the_name_derived_from_its_first_address() {
    let dir = std::env::temp_dir().join(format!("lakectl-moved-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("env")).expect("mkdir");
    std::fs::write(
        dir.join("lake.yaml"),
        "stack: lake\nresources:\n  config:\n    kind: dynamodb.table\n    properties:\n      partition_key: {name: pk, type: S}\n  \
         tenant_raw:\n    kind: s3.bucket\n    for_each: [acme]\n    properties: {}\n\
         moved:\n  - {from: config_table, to: settings}\n  - {from: settings, to: config}\n  - {from: \"raw[acme]\", to: \"tenant_raw[acme]\"}\n",
    )
    .expect("stack");
    std::fs::write(dir.join("env/dev.yaml"), "region: us-east-1\n").expect("env");
    let stack = lakectl_config::load(&dir, "dev", &common::schemas())
        .unwrap_or_else(|d| panic!("the stack failed to load:\n{d}"));
    let _ = std::fs::remove_dir_all(&dir);
    let config = &stack.resources[&addr("config")];
    assert_eq!(
        config.name, "lake-dev-config-table",
        "derived from the chain's start"
    );
    assert_eq!(
        config.moved_from,
        vec![addr("settings"), addr("config_table")]
    );
    let raw = &stack.resources[&addr("tenant_raw[acme]")];
    assert_eq!(raw.name, "lake-dev-raw-acme");
    assert_eq!(raw.moved_from, vec![addr("raw[acme]")]);
}

#[test]
fn a_resource_may_set_its_own_removal_policy() {
    let dir = std::env::temp_dir().join(format!("lakectl-policy-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("env")).expect("mkdir");
    std::fs::write(
        dir.join("lake.yaml"),
        "stack: lake\nresources:\n  keep:\n    kind: s3.bucket\n    removal_policy: retain\n    properties: {}\n  \
         scratch:\n    kind: s3.bucket\n    removal_policy: destroy\n    properties: {}\n  plain:\n    kind: s3.bucket\n    properties: {}\n",
    )
    .expect("stack");
    std::fs::write(dir.join("env/dev.yaml"), "region: us-east-1\n").expect("env");
    let stack = lakectl_config::load(&dir, "dev", &common::schemas())
        .unwrap_or_else(|d| panic!("the stack failed to load:\n{d}"));
    let _ = std::fs::remove_dir_all(&dir);
    let policy = |a: &str| stack.resources[&addr(a)].removal_policy;
    assert_eq!(policy("keep"), Some(RemovalPolicy::Retain));
    assert_eq!(policy("scratch"), Some(RemovalPolicy::Destroy));
    assert_eq!(policy("plain"), None, "the env's default decides");
}
