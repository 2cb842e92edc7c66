//! The provider contract against the emulator (needs AWS_ENDPOINT_URL; `scripts/test` sets it),
//! on a SecureString read from a file: the harder case of the two.

use async_trait::async_trait;
use aws_sdk_ssm::Client;
use aws_sdk_ssm::types::ParameterType;
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::{emulator, unique};
use lakectl_provider_ssm::SsmProvider;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::Arc;

struct Parameters {
    raw: Client,
    /// Two files holding two secrets.
    secrets: [PathBuf; 2],
}

impl Parameters {
    fn spec(&self, name: &str, secret: usize, description: &str, tags: Value) -> Value {
        json!({"name": name, "type": "SecureString", "description": description,
               "value_from": {"file": self.secrets[secret]}, "tags": tags})
    }
}

#[async_trait]
impl Subject for Parameters {
    fn prefix(&self) -> &'static str {
        "/lakectl-test/ci/deploy-key"
    }

    fn fresh_name(&self) -> String {
        format!("/{}", unique("lakectl-test-ci-deploy-key"))
    }

    fn full_spec(&self, name: &str) -> Value {
        self.spec(name, 0, "the CI's deploy key", json!({"team": "data"}))
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        vec![
            (
                "the secret changed",
                self.spec(name, 1, "the CI's deploy key", json!({"team": "data"})),
            ),
            (
                "the description and a tag changed",
                self.spec(
                    name,
                    1,
                    "the deploy key of the CI",
                    json!({"team": "platform"}),
                ),
            ),
        ]
    }

    fn not_updated(&self) -> Vec<(&'static str, &'static str)> {
        vec![(
            "value",
            "a SecureString has none; the String case is deployed by the shipped lake's test",
        )]
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .put_parameter()
            .name(name)
            .value("rotated by hand")
            .r#type(ParameterType::SecureString)
            .overwrite(true)
            .send()
            .await
            .expect("out-of-band secret");
        vec!["value_sha256".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .put_parameter()
            .name(name)
            .value("theirs")
            .r#type(ParameterType::SecureString)
            .send()
            .await
            .expect("someone else's parameter");
    }
}

#[tokio::test]
async fn parameters_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-ssm").await;
    let dir = std::env::temp_dir().join(unique("lakectl-ssm-secrets"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let secrets = [dir.join("one"), dir.join("two")];
    std::fs::write(&secrets[0], "first secret\n").expect("secret");
    std::fs::write(&secrets[1], "second secret\n").expect("secret");
    let subject = Parameters {
        raw: Client::new(&emu.config),
        secrets,
    };
    contract::run(
        Arc::new(SsmProvider::new(&emu.config, &emu.account)),
        &subject,
    )
    .await;
    let _ = std::fs::remove_dir_all(dir);
}
