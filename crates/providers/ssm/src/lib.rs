//! The `ssm.parameter` resource kind, built only on the provider kit: a Parameter Store
//! setting, plain or secret.
//!
//! A SecureString's value is read from the environment or a file when lakectl prepares the
//! spec, and only its SHA-256 stays in the spec: that is what the plan compares (and never
//! prints), against the hash of the value Parameter Store decrypts. The value itself is sent in
//! PutParameter and nowhere else; it is not an attribute, so it never reaches the state.

mod schema;

pub use schema::{KIND, name_rule, schema};

use async_trait::async_trait;
use aws_sdk_ssm::Client;
use aws_sdk_ssm::types::{
    Parameter, ParameterStringFilter, ParameterType, ResourceTypeForTagging, Tag,
};
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::diff::string;
use lakectl_provider::tags::{Call, Tags, sync_pair, tags_of, tags_value};
use lakectl_provider::{AccountContext, Built, Doing, Found};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const SECRET: &str = "SecureString";

/// `arn:{partition}:ssm:{region}:{account}:parameter/{name without its leading /}`.
pub fn parameter_arn(account: &AccountContext, name: &str) -> String {
    format!(
        "arn:{}:ssm:{}:{}:parameter/{}",
        account.partition,
        account.region,
        account.account_id,
        name.trim_start_matches('/')
    )
}

fn sha256(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// A SecureString's value, read from where `value_from` says.
fn read_secret(name: &str, spec: &Value) -> Result<String, ProviderError> {
    let from = spec.get("value_from").filter(|f| !f.is_null());
    let env = from.and_then(|f| string(f, "env"));
    let file = from.and_then(|f| string(f, "file"));
    let read = match (env, file) {
        (Some(var), _) => std::env::var(&var)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("`{var}` is not set; export it and deploy again")),
        (None, Some(path)) => std::fs::read_to_string(&path)
            .map(|s| s.trim_end_matches(['\n', '\r']).to_string())
            .map_err(|e| format!("cannot read `{path}`: {e}")),
        (None, None) => Err(
            "a SecureString takes its value from `value_from: {env: VAR}` or `{file: PATH}`, never from `value`"
                .to_string(),
        ),
    };
    read.map_err(|why| ProviderError::invalid(name, why))
}

/// The value PutParameter sends: a String's own, or a SecureString's read now. A spec of the
/// wrong shape is refused before any call, saying what to write.
fn value_to_send(name: &str, spec: &Value) -> Result<String, ProviderError> {
    let secret = string(spec, "type").as_deref() == Some(SECRET);
    match (secret, string(spec, "value")) {
        (true, Some(_)) => Err(ProviderError::invalid(
            name,
            "a SecureString's value is never written in a stack file; use `value_from: {env: VAR}`",
        )),
        (true, None) => read_secret(name, spec),
        (false, Some(v)) => Ok(v),
        (false, None) => Err(ProviderError::invalid(
            name,
            "a String or StringList parameter needs its `value`",
        )),
    }
}

/// The live spec of a parameter: a secret by its hash only.
pub fn live_spec(name: &str, p: &Parameter, description: Option<&str>, tags: &Tags) -> Value {
    let ty = p.r#type().map_or("String", |t| t.as_str());
    let value = p.value().unwrap_or_default();
    let (plain, hash) = match ty {
        SECRET => (Value::Null, json!(sha256(value))),
        _ => (json!(value), Value::Null),
    };
    json!({"name": name, "type": ty, "description": description, "value": plain,
           "value_sha256": hash, "tags": tags_value(tags)})
}

/// Manages `ssm.parameter` resources.
pub struct SsmProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

impl SsmProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(lakectl_provider::client!(aws_sdk_ssm, config), account)
    }

    /// A provider over a client built elsewhere.
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        SsmProvider {
            client,
            account: account.clone(),
            schema: schema(),
        }
    }

    fn attributes(&self, name: &str) -> Attributes {
        Attributes::from([
            ("arn".to_string(), parameter_arn(&self.account, name)),
            ("name".to_string(), name.to_string()),
        ])
    }

    async fn put(&self, name: &str, spec: &Value, create: bool) -> Result<(), ProviderError> {
        let value = value_to_send(name, spec)?;
        let tags = match create {
            true => Some(
                tags_of(name, spec)?
                    .into_iter()
                    .map(|(k, v)| Tag::builder().key(k).value(v).build().built(name, "a tag"))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            false => None,
        };
        self.client
            .put_parameter()
            .name(name)
            .value(value)
            .r#type(ParameterType::from(
                string(spec, "type")
                    .unwrap_or_else(|| "String".into())
                    .as_str(),
            ))
            // PutParameter keeps the old description when it is left out.
            .description(string(spec, "description").unwrap_or_default())
            .overwrite(!create)
            .set_tags(tags)
            .send()
            .await
            .doing("ssm:PutParameter", name)
            .map(drop)
    }
}

#[async_trait]
impl Provider for SsmProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    /// A SecureString's value is read and hashed; a value that cannot be read hashes as
    /// nothing, and deploy then says why.
    fn normalize(&self, spec: &mut Value) {
        // A live spec has no source (defaults make it null): it keeps the hash it read.
        let from = spec.get("value_from").filter(|f| !f.is_null());
        if string(spec, "type").as_deref() != Some(SECRET) || from.is_none() {
            return;
        }
        let hash = read_secret("", spec).ok().map(|v| sha256(&v));
        if let Some(obj) = spec.as_object_mut() {
            obj.insert("value_sha256".into(), json!(hash));
        }
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let got = self
            .client
            .get_parameter()
            .name(name)
            .with_decryption(true)
            .send()
            .await
            .doing("ssm:GetParameter", name)
            .found()?;
        let Some(parameter) = got.as_ref().and_then(|g| g.parameter()) else {
            return Ok(Observation::Missing);
        };
        let described = self
            .client
            .describe_parameters()
            .parameter_filters(
                ParameterStringFilter::builder()
                    .key("Name")
                    .option("Equals")
                    .values(name)
                    .build()
                    .built(name, "a filter")?,
            )
            .send()
            .await
            .doing("ssm:DescribeParameters", name)?;
        let description = described
            .parameters()
            .iter()
            .find(|p| p.name() == Some(name))
            .and_then(|p| p.description())
            .filter(|d| !d.is_empty());
        let tags = self
            .client
            .list_tags_for_resource()
            .resource_type(ResourceTypeForTagging::Parameter)
            .resource_id(name)
            .send()
            .await
            .doing("ssm:ListTagsForResource", name)
            .found()?;
        let Some(tags) = tags else {
            return Ok(Observation::Missing);
        };
        let tags: Tags = tags
            .tag_list()
            .iter()
            .map(|t| (t.key().to_string(), t.value().to_string()))
            .collect();
        Ok(Observation::Exists(Live {
            spec: live_spec(name, parameter, description, &tags),
            attributes: self.attributes(name),
        }))
    }

    /// PutParameter without overwriting, tags with it: a taken name is
    /// ParameterAlreadyExists.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        self.put(&req.name, &req.spec, true).await?;
        Ok(self.attributes(&req.name))
    }

    /// PutParameter with overwrite for the value or description (it takes both whole); tags
    /// apart.
    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if req.touches_other_than(&["tags"]) {
            self.put(name, &req.desired, false).await?;
        }
        if let Some(diff) = lakectl_provider::tags::changed(req)? {
            let set: Vec<Tag> = diff
                .set
                .iter()
                .map(|(k, v)| Tag::builder().key(k).value(v).build().built(name, "a tag"))
                .collect::<Result<_, _>>()?;
            let client = &self.client;
            let tag = Call {
                operation: "ssm:AddTagsToResource",
                send: |_: Tags| {
                    client
                        .add_tags_to_resource()
                        .resource_type(ResourceTypeForTagging::Parameter)
                        .resource_id(name)
                        .set_tags(Some(set.clone()))
                        .send()
                },
            };
            let untag = Call {
                operation: "ssm:RemoveTagsFromResource",
                send: |keys| {
                    client
                        .remove_tags_from_resource()
                        .resource_type(ResourceTypeForTagging::Parameter)
                        .resource_id(name)
                        .set_tag_keys(Some(keys))
                        .send()
                },
            };
            sync_pair(name, &diff, tag, untag).await?;
        }
        Ok(self.attributes(name))
    }

    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        self.client
            .delete_parameter()
            .name(&req.name)
            .send()
            .await
            .doing("ssm:DeleteParameter", &req.name)
            .gone_is_done()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_reads_back_as_its_hash_and_a_string_as_itself() {
        let secret = Parameter::builder()
            .name("/lake/dev/ci/deploy-key")
            .r#type(ParameterType::SecureString)
            .value("s3cr3t")
            .build();
        let spec = live_spec("/lake/dev/ci/deploy-key", &secret, None, &Tags::new());
        assert_eq!(spec["value"], Value::Null);
        assert_eq!(spec["value_sha256"], json!(sha256("s3cr3t")));
        assert!(!spec.to_string().contains("s3cr3t"), "{spec}");
        let plain = Parameter::builder()
            .name("/lake/dev/ci/branch")
            .r#type(ParameterType::String)
            .value("main")
            .build();
        let spec = live_spec("/lake/dev/ci/branch", &plain, Some("d"), &Tags::new());
        assert_eq!(
            (&spec["value"], &spec["value_sha256"]),
            (&json!("main"), &Value::Null)
        );
    }

    #[test]
    fn a_spec_of_the_wrong_shape_is_refused_before_any_call() {
        let cases = [
            (
                json!({"type": "SecureString", "value": "x"}),
                "never written in a stack file",
            ),
            (json!({"type": "String"}), "needs its `value`"),
            (json!({"type": "SecureString"}), "value_from"),
            (
                json!({"type": "SecureString", "value_from": {"env": "LAKECTL_TEST_NOT_SET_ANYWHERE"}}),
                "is not set",
            ),
        ];
        for (spec, want) in cases {
            let err = value_to_send("/p", &spec).expect_err("refused").to_string();
            assert!(err.contains(want), "{spec}: {err}");
        }
    }
}
