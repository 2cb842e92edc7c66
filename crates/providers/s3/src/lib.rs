//! The `s3.bucket` resource kind: versioning, default encryption, public access block, a
//! TLS-only bucket policy, lifecycle rules, EventBridge notifications and tags.
//!
//! Every property has a default that says what "unset" means in AWS (no encryption
//! configuration is SSE-S3, no public access block is all switches off, no policy is
//! `enforce_tls: false`, ...), so a bucket read back never shows a change nobody made.
//!
//! # TLS-only buckets on a plain-http endpoint
//!
//! `enforce_tls: true` puts a bucket policy on the bucket that denies every S3 action, on the
//! bucket and its objects, when `aws:SecureTransport` is false. Real S3 is always reached over
//! https, so the policy never stands in lakectl's way there. A local emulator speaks plain
//! http, and moto enforces the policy: every object-level call (PutObject, GetObject,
//! HeadObject, DeleteObject, and each key of DeleteObjects) is refused with 403, while
//! bucket-level calls, ListObjectVersions among them, still succeed. lakectl therefore:
//!
//! - **`contents()`** lists object versions, which the policy does not block on moto. Should an
//!   endpoint deny the listing over plain http, `contents()` fails with an error that says the
//!   bucket's own TLS-only policy is the likely cause and how to proceed (an https endpoint, or
//!   `enforce_tls: false` for that environment). A read never changes a bucket, so it does not
//!   lift the policy to look inside.
//! - **`delete` with `allow_data_loss`** on a plain-http endpoint first deletes the bucket
//!   policy, then empties the bucket and deletes it: the bucket is being destroyed on request,
//!   and without that step the emptying would be denied object by object. The policy is only
//!   removed when there is something to empty, and never on an https endpoint.
//! - Without `allow_data_loss`, `delete` counts, refuses and changes nothing.

mod apply;
mod delete;
mod desired;
mod errors;
mod live;
mod normalize;
mod object;
mod observe;
mod schema;
mod tls;

pub use desired::{EncryptionSpec, RuleSpec, TransitionSpec};
pub use live::{BucketFacts, live_spec};
pub use object::{OBJECT, ObjectProvider, object_name_rule, object_schema};
pub use schema::{KIND, name_rule, schema};
pub use tls::{policy_enforces_tls, tls_policy};

use async_trait::async_trait;
use lakectl_core::{
    Attributes, Contents, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError,
    Schema, UpdateRequest,
};
use lakectl_provider::{AccountContext, Doing};
use serde_json::Value;

/// Manages `s3.bucket` resources through the S3 API.
pub struct S3Provider {
    client: aws_sdk_s3::Client,
    account: AccountContext,
    schema: Schema,
    /// Whether the endpoint is plain http (a local emulator), where a TLS-only policy denies
    /// lakectl's own object calls.
    plain_http: bool,
}

impl S3Provider {
    /// A provider using the shared SDK config; ARNs and the bucket region come from `account`.
    /// Against a custom endpoint it addresses buckets path-style (`localhost/bucket`), since
    /// `bucket.localhost` does not resolve.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        let path_style = config.endpoint_url().is_some();
        S3Provider {
            client: lakectl_provider::client!(aws_sdk_s3, config, |b| b
                .force_path_style(path_style)),
            account: account.clone(),
            schema: schema(),
            plain_http: config
                .endpoint_url()
                .is_some_and(|u| u.to_ascii_lowercase().starts_with("http://")),
        }
    }

    fn attributes(&self, name: &str) -> Attributes {
        live::attributes(&self.account.partition, &self.account.region, name)
    }

    fn arn(&self, name: &str) -> String {
        tls::bucket_arn(&self.account.partition, name)
    }

    /// CreateBucket. A name already taken is reported, never adopted: elsewhere S3 answers
    /// `BucketAlreadyOwnedByYou` / `BucketAlreadyExists`, but in us-east-1 it answers
    /// CreateBucket on a bucket of the same account with success, so HeadBucket asks first.
    async fn create_bucket(&self, name: &str) -> Result<(), ProviderError> {
        let default_region = self.account.region == "us-east-1";
        if default_region && observe::head(&self.client, name, &self.account.region).await? {
            return Err(ProviderError::already_exists("s3:CreateBucket", name));
        }
        let mut req = self.client.create_bucket().bucket(name);
        // us-east-1 is S3's default location and refuses to be named as a constraint.
        if !default_region {
            req = req.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(self.account.region.as_str().into())
                    .build(),
            );
        }
        req.send().await.doing("s3:CreateBucket", name).map(drop)
    }
}

#[async_trait]
impl Provider for S3Provider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Resolves `encryption.bucket_key` from the algorithm and sorts lifecycle rules by id.
    fn normalize(&self, spec: &mut Value) {
        normalize::normalize(spec);
    }

    /// `arn`, `name` and `regional_domain_name`: all follow from the name.
    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(facts) = observe::read_bucket(&self.client, name, &self.account.region).await?
        else {
            return Ok(Observation::Missing);
        };
        let spec = live_spec(name, &self.arn(name), &facts)
            .map_err(|m| ProviderError::invalid(name, m))?;
        Ok(Observation::Exists(Live {
            spec,
            attributes: self.attributes(name),
        }))
    }

    /// Creates the bucket, then sets every property, including the unset ones.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        self.create_bucket(&req.name).await?;
        let arn = self.arn(&req.name);
        let target = apply::Target {
            client: &self.client,
            name: &req.name,
            arn: &arn,
            live: None,
        };
        for prop in apply::PROPERTIES {
            apply::set(&target, prop, &req.spec).await?;
        }
        Ok(self.attributes(&req.name))
    }

    /// Calls only the APIs of the properties the changes touch.
    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let arn = self.arn(&req.name);
        let target = apply::Target {
            client: &self.client,
            name: &req.name,
            arn: &arn,
            live: Some(&req.live),
        };
        for prop in apply::PROPERTIES.iter().filter(|p| req.touches(p)) {
            apply::set(&target, prop, &req.desired).await?;
        }
        Ok(self.attributes(&req.name))
    }

    /// Refuses a bucket holding any object version or delete marker unless data loss is
    /// allowed; then empties it (see the module docs for TLS-only buckets) and deletes it.
    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        let name = req.name.as_str();
        let held = self.contents(name).await?;
        if let Some(detail) = held.describe() {
            if !req.allow_data_loss {
                return Err(ProviderError::DataLoss {
                    action: "delete",
                    resource: name.to_string(),
                    detail,
                });
            }
            delete::empty(&self.client, name, self.plain_http).await?;
        }
        delete::delete_bucket(&self.client, name).await
    }

    fn holds_data(&self) -> bool {
        true
    }

    /// Object versions plus delete markers, counted up to 10 000.
    async fn contents(&self, name: &str) -> Result<Contents, ProviderError> {
        delete::contents(&self.client, name, self.plain_http).await
    }
}
