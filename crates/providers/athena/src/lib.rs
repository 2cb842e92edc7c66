//! The `athena.workgroup` resource kind, built only on the provider kit: the workgroup the
//! lake's queries run in, with its result location, encryption, enforcement and scan cutoff.
//!
//! Athena answers a missing workgroup, and a taken name, with `InvalidRequestException`: the
//! kind classes that code for each call (not found for GetWorkGroup and DeleteWorkGroup) and
//! looks before it creates.

mod schema;

pub use schema::{KIND, MIN_CUTOFF_BYTES, name_rule, schema};

use async_trait::async_trait;
use aws_sdk_athena::Client;
use aws_sdk_athena::types::{
    EncryptionConfiguration, EncryptionOption, ResultConfiguration, ResultConfigurationUpdates,
    Tag, WorkGroup, WorkGroupConfiguration, WorkGroupConfigurationUpdates, WorkGroupState,
};
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::diff::string;
use lakectl_provider::tags::{TagDiff, Tags, tags_of, tags_value};
use lakectl_provider::{AccountContext, Built, ClassedWhen, Doing, Found};
use serde_json::{Value, json};

/// The code Athena gives a missing workgroup (and a taken name, and other bad requests).
const INVALID_REQUEST: &str = "InvalidRequestException";

/// `arn:{partition}:athena:{region}:{account}:workgroup/{name}`.
pub fn workgroup_arn(account: &AccountContext, name: &str) -> String {
    format!(
        "arn:{}:athena:{}:{}:workgroup/{name}",
        account.partition, account.region, account.account_id
    )
}

/// The live spec of a workgroup: every property, unset written as the schema's default.
pub fn live_spec(name: &str, w: &WorkGroup, tags: &Tags) -> Value {
    let c = w.configuration();
    let results = c.and_then(WorkGroupConfiguration::result_configuration);
    let encryption = results.and_then(ResultConfiguration::encryption_configuration);
    json!({
        "name": name,
        "description": w.description(),
        "state": w.state().map_or("ENABLED", WorkGroupState::as_str),
        "result_location": results.and_then(ResultConfiguration::output_location),
        "result_encryption": encryption.map(|e| e.encryption_option().as_str()),
        "kms_key": encryption.and_then(EncryptionConfiguration::kms_key),
        "enforce_workgroup_configuration":
            c.and_then(WorkGroupConfiguration::enforce_work_group_configuration).unwrap_or(true),
        "publish_cloudwatch_metrics":
            c.and_then(WorkGroupConfiguration::publish_cloud_watch_metrics_enabled).unwrap_or(true),
        "bytes_scanned_cutoff_per_query":
            c.and_then(WorkGroupConfiguration::bytes_scanned_cutoff_per_query),
        "tags": tags_value(tags),
    })
}

fn encryption(name: &str, spec: &Value) -> Result<Option<EncryptionConfiguration>, ProviderError> {
    string(spec, "result_encryption")
        .map(|o| {
            EncryptionConfiguration::builder()
                .encryption_option(EncryptionOption::from(o.as_str()))
                .set_kms_key(string(spec, "kms_key"))
                .build()
                .built(name, "the result encryption")
        })
        .transpose()
}

fn bool_of(spec: &Value, key: &str) -> Option<bool> {
    spec.get(key).and_then(Value::as_bool)
}

fn athena_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// Manages `athena.workgroup` resources.
pub struct AthenaProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

impl AthenaProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(lakectl_provider::client!(aws_sdk_athena, config), account)
    }

    /// A provider over a client built elsewhere (request-asserting tests).
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        AthenaProvider {
            client,
            account: account.clone(),
            schema: schema(),
        }
    }

    fn attributes(&self, name: &str) -> Attributes {
        Attributes::from([
            ("arn".to_string(), workgroup_arn(&self.account, name)),
            ("name".to_string(), name.to_string()),
        ])
    }

    /// GetWorkGroup; `None` when Athena has no such workgroup.
    async fn get(&self, name: &str) -> Result<Option<WorkGroup>, ProviderError> {
        let out = self
            .client
            .get_work_group()
            .work_group(name)
            .send()
            .await
            .doing("athena:GetWorkGroup", name)
            .missing_when(INVALID_REQUEST)
            .found()?;
        Ok(out.and_then(|o| o.work_group))
    }
}

#[async_trait]
impl Provider for AthenaProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(w) = self.get(name).await? else {
            return Ok(Observation::Missing);
        };
        let tags = self
            .client
            .list_tags_for_resource()
            .resource_arn(workgroup_arn(&self.account, name))
            .send()
            .await
            .doing("athena:ListTagsForResource", name)
            .missing_when(INVALID_REQUEST)
            .found()?;
        // GetWorkGroup has just found it: tags Athena cannot find are no tags (an endpoint
        // that keeps tags apart answers so for a workgroup made without any).
        let tags: Tags = tags
            .iter()
            .flat_map(|t| t.tags())
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect();
        Ok(Observation::Exists(Live {
            spec: live_spec(name, &w, &tags),
            attributes: self.attributes(name),
        }))
    }

    /// CreateWorkGroup with the configuration and tags, after GetWorkGroup says the name is
    /// free (Athena's answer to a taken name is a code it uses for other mistakes too).
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if self.get(name).await?.is_some() {
            return Err(ProviderError::already_exists(
                "athena:CreateWorkGroup",
                name,
            ));
        }
        let spec = &req.spec;
        let results = ResultConfiguration::builder()
            .set_output_location(string(spec, "result_location"))
            .set_encryption_configuration(encryption(name, spec)?)
            .build();
        let configuration = WorkGroupConfiguration::builder()
            .result_configuration(results)
            .set_enforce_work_group_configuration(bool_of(spec, "enforce_workgroup_configuration"))
            .set_publish_cloud_watch_metrics_enabled(bool_of(spec, "publish_cloudwatch_metrics"))
            .set_bytes_scanned_cutoff_per_query(
                spec.get("bytes_scanned_cutoff_per_query")
                    .and_then(Value::as_i64),
            )
            .build();
        self.client
            .create_work_group()
            .name(name)
            .configuration(configuration)
            .set_description(string(spec, "description"))
            .set_tags(Some(athena_tags(&tags_of(name, spec)?)))
            .send()
            .await
            .doing("athena:CreateWorkGroup", name)?;
        if string(spec, "state").as_deref() == Some("DISABLED") {
            self.client
                .update_work_group()
                .work_group(name)
                .state(WorkGroupState::Disabled)
                .send()
                .await
                .doing("athena:UpdateWorkGroup", name)?;
        }
        Ok(self.attributes(name))
    }

    /// UpdateWorkGroup with the whole configuration; what the stack no longer sets is removed
    /// with Athena's `Remove...` switches. Tags apart.
    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        let d = &req.desired;
        if req.touches_other_than(&["tags"]) {
            let location = string(d, "result_location");
            let encryption = encryption(name, d)?;
            let cutoff = d
                .get("bytes_scanned_cutoff_per_query")
                .and_then(Value::as_i64);
            let results = ResultConfigurationUpdates::builder()
                .remove_output_location(location.is_none())
                .set_output_location(location)
                .remove_encryption_configuration(encryption.is_none())
                .set_encryption_configuration(encryption)
                .build();
            let updates = WorkGroupConfigurationUpdates::builder()
                .result_configuration_updates(results)
                .set_enforce_work_group_configuration(bool_of(d, "enforce_workgroup_configuration"))
                .set_publish_cloud_watch_metrics_enabled(bool_of(d, "publish_cloudwatch_metrics"))
                .remove_bytes_scanned_cutoff_per_query(cutoff.is_none())
                .set_bytes_scanned_cutoff_per_query(cutoff)
                .build();
            self.client
                .update_work_group()
                .work_group(name)
                .set_description(string(d, "description"))
                .state(WorkGroupState::from(
                    string(d, "state")
                        .unwrap_or_else(|| "ENABLED".into())
                        .as_str(),
                ))
                .configuration_updates(updates)
                .send()
                .await
                .doing("athena:UpdateWorkGroup", name)?;
        }
        if req.touches("tags") {
            let diff = TagDiff::between(&tags_of(name, d)?, &tags_of(name, &req.live)?);
            let set = athena_tags(&diff.set);
            let arn = workgroup_arn(&self.account, name);
            lakectl_provider::sync_tag_list!(&self.client, "athena", &arn, name, &diff, set)?;
        }
        Ok(self.attributes(name))
    }

    /// DeleteWorkGroup with its saved queries (query results in S3 stay where they are).
    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        self.client
            .delete_work_group()
            .work_group(&req.name)
            .recursive_delete_option(true)
            .send()
            .await
            .doing("athena:DeleteWorkGroup", &req.name)
            .missing_when(INVALID_REQUEST)
            .gone_is_done()
    }
}
