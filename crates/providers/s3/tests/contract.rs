//! The provider contract against the emulator (needs AWS_ENDPOINT_URL; `scripts/test` sets it).

use async_trait::async_trait;
use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::emulator;
use lakectl_provider_s3::S3Provider;
use serde_json::{Value, json};
use std::sync::Arc;

struct Buckets {
    raw: aws_sdk_s3::Client,
}

#[async_trait]
impl Subject for Buckets {
    fn prefix(&self) -> &'static str {
        "lakectl-contract"
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({
            "name": name,
            "versioning": true,
            "encryption": {"algorithm": "SSE-KMS", "kms_key_id": "alias/lakectl-test"},
            "public_access_block": {"ignore_public_acls": false},
            "enforce_tls": true,
            "lifecycle_rules": [{"id": "raw", "prefix": "raw/",
                "transitions": [{"days": 30, "storage_class": "STANDARD_IA"}]}],
            "tags": {"zone": "raw"}
        })
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let mut s = self.full_spec(name);
        let mut steps = Vec::new();
        s["versioning"] = json!(false);
        steps.push(("versioning suspended", s.clone()));
        s["encryption"] = json!({"algorithm": "SSE-S3"});
        steps.push(("SSE-S3", s.clone()));
        s["public_access_block"] = json!({});
        steps.push(("every public access switch on", s.clone()));
        s["enforce_tls"] = json!(false);
        steps.push(("TLS-only policy lifted", s.clone()));
        s["lifecycle_rules"] =
            json!([{"id": "quarantine", "prefix": "quarantine/", "expiration_days": 365}]);
        steps.push(("lifecycle rule replaced", s.clone()));
        s["tags"] = json!({"zone": "processed", "team": "data"});
        steps.push(("tags changed", s));
        steps
    }

    fn not_updated(&self) -> Vec<(&'static str, &'static str)> {
        vec![(
            "eventbridge_notifications",
            "moto stores the switch but never returns it (README, emulator table)",
        )]
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .put_bucket_versioning()
            .bucket(name)
            .versioning_configuration(
                VersioningConfiguration::builder()
                    .status(BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .expect("out-of-band versioning");
        vec!["versioning".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .create_bucket()
            .bucket(name)
            .send()
            .await
            .expect("someone else's bucket");
    }
}

#[tokio::test]
async fn buckets_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-s3").await;
    let raw = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&emu.config)
            .force_path_style(true)
            .build(),
    );
    contract::run(
        Arc::new(S3Provider::new(&emu.config, &emu.account)),
        &Buckets { raw },
    )
    .await;
}
