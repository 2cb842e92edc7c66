//! `s3.object`: a file of the stack folder stored in a bucket, the kind the loader makes of
//! each `${asset:PATH}`. Its key holds the content hash, so an object is written once; the
//! hash and the source path travel as object metadata, which is what observe reads back.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Prop, Provider, ProviderError,
    Schema, Type, UpdateRequest,
};
use lakectl_provider::diff::string;
use lakectl_provider::{ClassedWhen, Doing, Found};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

/// The object kind.
pub const OBJECT: &str = "s3.object";

/// The schema of `s3.object`.
pub fn object_schema() -> Schema {
    Schema {
        kind: OBJECT,
        description: "a file of the stack folder stored in S3 (what `${asset:PATH}` becomes)",
        props: vec![
            Prop::new("name", Type::String, "BUCKET/KEY (set by the loader)").immutable(),
            Prop::new(
                "source",
                Type::String,
                "the file, relative to the stack folder",
            )
            .required(),
            Prop::new("sha256", Type::String, "the file's SHA-256, in hex").required(),
        ],
        attributes: &["uri", "bucket", "key"],
        taggable: false,
        name_rule: object_name_rule,
        name_max_len: 63 + 1 + 1024,
    }
}

/// `BUCKET/KEY`, the bucket following S3's rule.
pub fn object_name_rule(name: &str) -> Result<(), String> {
    match name.split_once('/') {
        Some((bucket, key)) if !key.is_empty() => {
            crate::name_rule(bucket).map_err(|e| format!("the bucket of `{name}`: {e}"))
        }
        _ => Err(format!(
            "an object is named BUCKET/KEY; `{name}` has no key"
        )),
    }
}

fn parts(name: &str) -> Result<(&str, &str), ProviderError> {
    name.split_once('/')
        .ok_or_else(|| ProviderError::invalid(name, "an object is named BUCKET/KEY"))
}

/// Manages `s3.object` resources, reading their files from the stack folder.
pub struct ObjectProvider {
    client: Client,
    stacks_dir: PathBuf,
    schema: Schema,
}

impl ObjectProvider {
    /// A provider using the shared SDK config; sources are read below `stacks_dir`.
    pub fn new(config: &aws_config::SdkConfig, stacks_dir: PathBuf) -> Self {
        let path_style = config.endpoint_url().is_some();
        Self::from_client(
            lakectl_provider::client!(aws_sdk_s3, config, |b| b.force_path_style(path_style)),
            stacks_dir,
        )
    }

    /// A provider over a client built elsewhere.
    pub fn from_client(client: Client, stacks_dir: PathBuf) -> Self {
        ObjectProvider {
            client,
            stacks_dir,
            schema: object_schema(),
        }
    }

    fn attributes(name: &str) -> Attributes {
        let (bucket, key) = name.split_once('/').unwrap_or((name, ""));
        Attributes::from([
            ("name".to_string(), name.to_string()),
            ("uri".to_string(), format!("s3://{bucket}/{key}")),
            ("bucket".to_string(), bucket.to_string()),
            ("key".to_string(), key.to_string()),
        ])
    }

    /// PutObject of the file, after checking it is still the one the plan hashed. A create
    /// writes only where no object is (`If-None-Match: *`), so a taken key is reported.
    async fn put(
        &self,
        name: &str,
        spec: &Value,
        create: bool,
    ) -> Result<Attributes, ProviderError> {
        let (bucket, key) = parts(name)?;
        let source = string(spec, "source").unwrap_or_default();
        let want = string(spec, "sha256").unwrap_or_default();
        let path = self.stacks_dir.join(&source);
        let bytes = std::fs::read(&path).map_err(|e| {
            ProviderError::invalid(name, format!("cannot read `{}`: {e}", path.display()))
        })?;
        let have = hex::encode(Sha256::digest(&bytes));
        if have != want {
            return Err(ProviderError::invalid(
                name,
                format!(
                    "`{source}` changed after the plan was made; plan again to upload what it holds now"
                ),
            ));
        }
        self.client
            .put_object()
            .bucket(bucket)
            .key(key)
            .body(ByteStream::from(bytes))
            .metadata("source", source)
            .metadata("sha256", have)
            .set_if_none_match(create.then(|| "*".to_string()))
            .send()
            .await
            .doing("s3:PutObject", name)
            .taken_when("PreconditionFailed")?;
        Ok(Self::attributes(name))
    }
}

#[async_trait]
impl Provider for ObjectProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        Self::attributes(name)
    }

    /// An object is held in its bucket, whose count of objects includes it.
    fn container(&self, name: &str) -> Option<(&'static str, String)> {
        name.split_once('/')
            .map(|(bucket, _)| (crate::KIND, bucket.to_string()))
    }

    /// HeadObject; the metadata says which file, with which hash, the object holds.
    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let (bucket, key) = parts(name)?;
        let out = self
            .client
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .doing("s3:HeadObject", name)
            .found()?;
        let Some(head) = out else {
            return Ok(Observation::Missing);
        };
        let meta = |k: &str| head.metadata().and_then(|m| m.get(k)).cloned();
        Ok(Observation::Exists(Live {
            spec: json!({"name": name, "source": meta("source"), "sha256": meta("sha256")}),
            attributes: Self::attributes(name),
        }))
    }

    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        self.put(&req.name, &req.spec, true).await
    }

    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        self.put(&req.name, &req.desired, false).await
    }

    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        let (bucket, key) = parts(&req.name)?;
        self.client
            .delete_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .doing("s3:DeleteObject", &req.name)
            .gone_is_done()
    }
}
