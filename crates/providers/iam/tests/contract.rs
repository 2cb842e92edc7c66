//! The provider contract against the emulator (needs AWS_ENDPOINT_URL; `scripts/test` sets it).

use async_trait::async_trait;
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::emulator;
use lakectl_provider_iam::IamProvider;
use serde_json::{Value, json};
use std::sync::Arc;

const GLUE: &str = "arn:aws:iam::aws:policy/service-role/AWSGlueServiceRole";
const S3_READ: &str = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
const BOUNDARY: &str = "arn:aws:iam::aws:policy/PowerUserAccess";

struct Roles {
    raw: aws_sdk_iam::Client,
}

fn trust(service: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})
}

fn read(bucket: &str) -> Value {
    json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow",
        "Action": ["s3:GetObject"], "Resource": format!("arn:aws:s3:::{bucket}/*")}})
}

#[async_trait]
impl Subject for Roles {
    fn prefix(&self) -> &'static str {
        "lakectl-contract"
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({
            "name": name,
            "path": "/lakectl-test/",
            "description": "runs the ingest jobs",
            "assume_role_policy": trust("glue.amazonaws.com"),
            "inline_policies": {"read-raw": read("acme-raw")},
            "managed_policy_arns": [GLUE],
            "max_session_duration": 7200,
            "permissions_boundary": BOUNDARY,
            "tags": {"team": "data"}
        })
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let mut s = self.full_spec(name);
        let mut steps = Vec::new();
        s["description"] = json!("runs the ingest jobs and the crawler");
        steps.push(("description", s.clone()));
        s["assume_role_policy"] = trust("states.amazonaws.com");
        steps.push(("trust policy", s.clone()));
        s["inline_policies"] = json!({"read-raw": read("globex-raw"), "read-more": read("x")});
        steps.push(("inline policy changed and one added", s.clone()));
        s["managed_policy_arns"] = json!([S3_READ]);
        steps.push(("managed policy swapped", s.clone()));
        s["max_session_duration"] = json!(3600);
        steps.push(("session length", s.clone()));
        s["permissions_boundary"] = Value::Null;
        steps.push(("boundary removed", s.clone()));
        s["tags"] = json!({"team": "platform", "cost-center": "42"});
        steps.push(("tags changed", s));
        steps
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .update_role()
            .role_name(name)
            .description("changed by hand")
            .max_session_duration(3600)
            .send()
            .await
            .expect("out-of-band description");
        self.raw
            .attach_role_policy()
            .role_name(name)
            .policy_arn(GLUE)
            .send()
            .await
            .expect("out-of-band attach");
        vec!["description".into(), "managed_policy_arns".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .create_role()
            .role_name(name)
            .assume_role_policy_document(trust("glue.amazonaws.com").to_string())
            .send()
            .await
            .expect("someone else's role");
    }
}

#[tokio::test]
async fn roles_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-iam").await;
    contract::run(
        Arc::new(IamProvider::new(&emu.config, &emu.account)),
        &Roles {
            raw: aws_sdk_iam::Client::new(&emu.config),
        },
    )
    .await;
}
