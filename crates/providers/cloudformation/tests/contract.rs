//! The provider contract against the emulator (needs AWS_ENDPOINT_URL; `scripts/test` sets it).

use async_trait::async_trait;
use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::types::Parameter;
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::emulator;
use lakectl_provider_cloudformation::CloudFormationProvider;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// Where the suite's templates are uploaded, as lakectl uploads assets.
const BUCKET: &str = "lakectl-test-cfn-templates";

/// A bucket named from a parameter, and its name as an output.
const V1: &str = "Parameters:
  Env:
    Type: String
  Retention:
    Type: String
    Default: '30'
Resources:
  Data:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '${AWS::StackName}-${Env}'
Outputs:
  BucketName:
    Value: !Ref Data
";

/// V1 with one more output.
fn v2() -> String {
    format!("{V1}  BucketArn:\n    Value: !GetAtt Data.Arn\n")
}

/// The asset key of a template, as `${asset:...}` makes it.
fn key(body: &str) -> String {
    let hash = hex::encode(Sha256::digest(body.as_bytes()));
    format!("assets/{}/bucket.yaml", &hash[..16])
}

struct Stacks {
    raw: Client,
}

impl Stacks {
    fn url(body: &str) -> String {
        format!("https://{BUCKET}.s3.us-east-1.amazonaws.com/{}", key(body))
    }
}

#[async_trait]
impl Subject for Stacks {
    fn prefix(&self) -> &'static str {
        "lakectl-test-cfn"
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "template": format!("s3://{BUCKET}/{}", key(V1)),
               "parameters": {"Env": "dev", "Retention": "90"},
               "capabilities": ["CAPABILITY_IAM"], "termination_protection": false,
               "tags": {"team": "data"}})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let mut edited = self.full_spec(name);
        edited["template"] = json!(format!("s3://{BUCKET}/{}", key(&v2())));
        let mut param = edited.clone();
        param["parameters"]["Env"] = json!("prod");
        let mut default = param.clone();
        default["parameters"] = json!({"Env": "prod"});
        vec![
            ("the template edited", edited),
            ("a parameter changed", param),
            ("a parameter back to its template default", default),
        ]
    }

    fn not_updated(&self) -> Vec<(&'static str, &'static str)> {
        vec![
            (
                "termination_protection",
                "moto answers UpdateTerminationProtection with HTTP 500; tests/requests.rs asserts the request",
            ),
            (
                "tags",
                "moto's change sets never apply tags; tests/requests.rs asserts that CreateChangeSet sends them",
            ),
            (
                "status",
                "lakectl's own reading of a stuck stack; tests/requests.rs covers each stuck state",
            ),
        ]
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.raw
            .update_stack()
            .stack_name(name)
            .template_url(Self::url(&v2()))
            .parameters(
                Parameter::builder()
                    .parameter_key("Env")
                    .parameter_value("stage")
                    .build(),
            )
            .send()
            .await
            .expect("out-of-band parameter change");
        vec!["parameters.Env".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .create_stack()
            .stack_name(name)
            .template_url(Self::url(V1))
            .parameters(
                Parameter::builder()
                    .parameter_key("Env")
                    .parameter_value("theirs")
                    .build(),
            )
            .send()
            .await
            .expect("someone else's stack");
    }
}

#[tokio::test]
async fn stacks_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-cloudformation").await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&emu.config)
            .force_path_style(true)
            .build(),
    );
    let _ = s3.create_bucket().bucket(BUCKET).send().await;
    for body in [V1.to_string(), v2()] {
        s3.put_object()
            .bucket(BUCKET)
            .key(key(&body))
            .body(body.into_bytes().into())
            .send()
            .await
            .expect("template uploaded");
    }
    let subject = Stacks {
        raw: Client::new(&emu.config),
    };
    contract::run(
        Arc::new(CloudFormationProvider::new(&emu.config, &emu.account)),
        &subject,
    )
    .await;
}
