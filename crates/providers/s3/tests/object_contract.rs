//! `s3.object` (what `${asset:PATH}` becomes) under the provider contract, with files in a
//! stack folder of its own (needs AWS_ENDPOINT_URL; `scripts/test` sets it).

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use lakectl_core::{CreateRequest, Provider};
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::{WAIT_LIMIT, emulator, unique};
use lakectl_provider_s3::ObjectProvider;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;

struct Objects {
    raw: Client,
    bucket: String,
    dir: PathBuf,
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl Objects {
    fn file(&self, path: &str, body: &str) -> String {
        let file = self.dir.join(path);
        std::fs::create_dir_all(file.parent().expect("a folder")).expect("mkdir");
        std::fs::write(&file, body).expect("write");
        sha(body.as_bytes())
    }

    async fn remove_bucket(&self) {
        self.raw
            .delete_bucket()
            .bucket(&self.bucket)
            .send()
            .await
            .expect("cleanup");
    }

    async fn put_by_hand(&self, name: &str, sha256: Option<&str>) {
        let key = name.split_once('/').expect("BUCKET/KEY").1;
        let mut put = self
            .raw
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(ByteStream::from_static(b"someone's bytes"));
        if let Some(s) = sha256 {
            put = put
                .metadata("source", "glue/ingest.py")
                .metadata("sha256", s);
        }
        put.send().await.expect("put by hand");
    }
}

#[async_trait]
impl Subject for Objects {
    fn prefix(&self) -> &'static str {
        "assets"
    }

    fn fresh_name(&self) -> String {
        format!("{}/{}/ingest.py", self.bucket, unique("assets"))
    }

    fn full_spec(&self, name: &str) -> Value {
        let sha256 = self.file("glue/ingest.py", "print('v1')\n");
        json!({"name": name, "source": "glue/ingest.py", "sha256": sha256})
    }

    fn updates(&self, name: &str) -> Vec<(&'static str, Value)> {
        let sha256 = self.file("glue/ingest_v2.py", "print('v2')\n");
        vec![(
            "another file",
            json!({"name": name, "source": "glue/ingest_v2.py", "sha256": sha256}),
        )]
    }

    async fn drift(&self, name: &str) -> Vec<String> {
        self.put_by_hand(name, Some(&sha(b"someone's bytes"))).await;
        vec!["sha256".into(), "source".into()]
    }

    async fn create_foreign(&self, name: &str) {
        self.put_by_hand(name, None).await;
    }
}

async fn setup() -> (Objects, Arc<ObjectProvider>) {
    let emu = emulator("lakectl-provider-s3").await;
    let raw = Client::from_conf(
        aws_sdk_s3::config::Builder::from(&emu.config)
            .force_path_style(true)
            .build(),
    );
    let bucket = unique("lakectl-assets");
    raw.create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("the assets bucket");
    let dir = std::env::temp_dir().join(unique("lakectl-stacks"));
    let provider = Arc::new(ObjectProvider::new(&emu.config, dir.clone()));
    (Objects { raw, bucket, dir }, provider)
}

#[tokio::test]
async fn objects_keep_the_provider_contract() {
    let (subject, provider) = setup().await;
    contract::run(provider, &subject).await;
    subject.remove_bucket().await;
}

#[tokio::test]
async fn a_file_edited_after_the_plan_is_not_uploaded() {
    let (subject, provider) = setup().await;
    let name = subject.fresh_name();
    let planned = subject.full_spec(&name);
    subject.file("glue/ingest.py", "print('edited since')\n");
    let err = provider
        .create(&CreateRequest {
            address: lakectl_core::Address::new("asset", Some("glue/ingest.py")),
            name: name.clone(),
            spec: planned,
            wait_limit: WAIT_LIMIT,
        })
        .await
        .expect_err("the file changed");
    assert!(err.to_string().contains("changed after the plan"), "{err}");
    assert_eq!(
        provider.observe(&name).await.expect("observe"),
        lakectl_core::Observation::Missing
    );
    subject.remove_bucket().await;
}
