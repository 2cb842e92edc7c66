//! Constructs: `lake.NAME` uses expand into one copy of the construct's resources per
//! instance, addressed `tenant[acme].bucket`, with references between members of the same
//! instance and from outside into any instance.

mod common;

use lakectl_core::{Address, DesiredStack};
use serde_json::json;
use std::collections::BTreeSet;
use std::path::Path;

fn load() -> DesiredStack {
    match lakectl_config::load(
        Path::new("tests/construct-stack"),
        "dev",
        &common::schemas(),
    ) {
        Ok(stack) => stack,
        Err(d) => panic!("the construct stack failed to load:\n{d}"),
    }
}

fn addr(s: &str) -> Address {
    Address::parse(s).expect("a valid address")
}

#[test]
fn a_use_expands_into_its_resources_once_per_instance() {
    let stack = load();
    let got: Vec<&str> = stack.resources.keys().map(Address::as_str).collect();
    assert_eq!(
        got,
        vec![
            "auditor",
            "shared",
            "tenant[acme].bucket",
            "tenant[acme].index",
            "tenant[acme].reader",
            "tenant[globex].bucket",
            "tenant[globex].index",
            "tenant[globex].reader",
        ]
    );
    let bucket = &stack.resources[&addr("tenant[globex].bucket")];
    assert_eq!(bucket.kind, "s3.bucket");
    assert_eq!(
        bucket.removal_policy,
        Some(lakectl_core::RemovalPolicy::Retain),
        "a member takes the use's removal_policy"
    );
    assert_eq!(
        stack.resources[&addr("tenant[acme].reader")].removal_policy,
        Some(lakectl_core::RemovalPolicy::Destroy),
        "unless it sets its own"
    );
    assert_eq!(bucket.name, "lake-globex-dev");
    assert_eq!(bucket.spec["tags"], json!({"customer": "globex"}));
    // Derived names keep the instance key after the use.
    assert_eq!(
        stack.resources[&addr("tenant[acme].index")].name,
        "lake-dev-tenant-acme-index"
    );
}

#[test]
fn members_name_each_other_within_their_instance() {
    let stack = load();
    let reader = &stack.resources[&addr("tenant[globex].reader")];
    assert_eq!(
        reader.spec["inline_policies"]["read"]["Statement"][0]["Resource"],
        json!(["${tenant[globex].bucket.arn}/*", "${shared.arn}"])
    );
    // `depends_on: [bucket]` inside the construct is the same instance's bucket.
    let index = &stack.resources[&addr("tenant[acme].index")];
    assert_eq!(
        index.explicit_deps,
        BTreeSet::from([addr("tenant[acme].bucket")])
    );
}

#[test]
fn outside_references_pick_an_instance_or_all_of_them() {
    let stack = load();
    let auditor = &stack.resources[&addr("auditor")];
    assert_eq!(
        auditor.spec["inline_policies"]["read"]["Statement"][0]["Resource"],
        json!([
            "${tenant[acme].bucket.arn}",
            "${tenant[globex].bucket.arn}",
            "${tenant[acme].index.arn}"
        ])
    );
    assert_eq!(
        stack.outputs["buckets"],
        json!([
            "${tenant[acme].bucket.name}",
            "${tenant[globex].bucket.name}"
        ])
    );
    // `depends_on: [tenant]` waits for every resource of every instance it does not reference.
    assert_eq!(
        auditor.explicit_deps,
        BTreeSet::from([
            addr("tenant[acme].reader"),
            addr("tenant[globex].index"),
            addr("tenant[globex].reader"),
        ])
    );
}
