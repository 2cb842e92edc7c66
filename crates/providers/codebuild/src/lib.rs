//! The `codebuild.project` resource kind, built only on the provider kit, and following a
//! build of a project to its end ([`Builds`], for `lakectl build`).
//!
//! CodeBuild takes a project whole: UpdateProject gets the whole definition, tags included
//! (CodeBuild has no tag calls of its own), whatever changed.

mod build;
mod live;
mod schema;

pub use build::{Builds, Finished};
pub use schema::{KIND, name_rule, schema};

use async_trait::async_trait;
use aws_sdk_codebuild::Client;
use aws_sdk_codebuild::types::Project;
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::diff::string;
use lakectl_provider::{AccountContext, Doing, Found};

/// `arn:{partition}:codebuild:{region}:{account}:project/{name}`.
pub fn project_arn(account: &AccountContext, name: &str) -> String {
    format!(
        "arn:{}:codebuild:{}:{}:project/{name}",
        account.partition, account.region, account.account_id
    )
}

/// Manages `codebuild.project` resources.
pub struct CodeBuildProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

impl CodeBuildProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(
            lakectl_provider::client!(aws_sdk_codebuild, config),
            account,
        )
    }

    /// A provider over a client built elsewhere.
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        CodeBuildProvider {
            client,
            account: account.clone(),
            schema: schema(),
        }
    }

    fn attributes(&self, name: &str) -> Attributes {
        Attributes::from([
            ("arn".to_string(), project_arn(&self.account, name)),
            ("name".to_string(), name.to_string()),
        ])
    }

    /// BatchGetProjects of one name; CodeBuild answers a missing one in a list, not an error.
    async fn describe(&self, name: &str) -> Result<Option<Project>, ProviderError> {
        let out = self
            .client
            .batch_get_projects()
            .names(name)
            .send()
            .await
            .doing("codebuild:BatchGetProjects", name)?;
        Ok(out
            .projects()
            .iter()
            .find(|p| p.name() == Some(name))
            .cloned())
    }
}

#[async_trait]
impl Provider for CodeBuildProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        Ok(match self.describe(name).await? {
            Some(p) => Observation::Exists(Live {
                spec: live::live_spec(name, &p),
                attributes: self.attributes(name),
            }),
            None => Observation::Missing,
        })
    }

    /// CreateProject with the tags; a taken name is CodeBuild's ResourceAlreadyExistsException.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        let p = live::parts(name, &req.spec)?;
        let (timeout, queued) = live::timeouts(&req.spec);
        self.client
            .create_project()
            .name(name)
            .set_description(string(&req.spec, "description"))
            .source(p.source)
            .set_source_version(string(&req.spec, "source_version"))
            .artifacts(p.artifacts)
            .environment(p.environment)
            .cache(p.cache)
            .logs_config(p.logs)
            .set_service_role(string(&req.spec, "service_role"))
            .set_timeout_in_minutes(timeout)
            .set_queued_timeout_in_minutes(queued)
            .set_tags(Some(p.tags))
            .send()
            .await
            .doing("codebuild:CreateProject", name)?;
        Ok(self.attributes(name))
    }

    /// UpdateProject with the whole desired definition and tag set.
    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if req.changes.is_empty() {
            return Ok(self.attributes(name));
        }
        let p = live::parts(name, &req.desired)?;
        let (timeout, queued) = live::timeouts(&req.desired);
        // An unset description or source version is sent empty: left out, UpdateProject keeps
        // the old one.
        self.client
            .update_project()
            .name(name)
            .description(string(&req.desired, "description").unwrap_or_default())
            .source(p.source)
            .source_version(string(&req.desired, "source_version").unwrap_or_default())
            .artifacts(p.artifacts)
            .environment(p.environment)
            .cache(p.cache)
            .logs_config(p.logs)
            .set_service_role(string(&req.desired, "service_role"))
            .set_timeout_in_minutes(timeout)
            .set_queued_timeout_in_minutes(queued)
            .set_tags(Some(p.tags))
            .send()
            .await
            .doing("codebuild:UpdateProject", name)?;
        Ok(self.attributes(name))
    }

    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        self.client
            .delete_project()
            .name(&req.name)
            .send()
            .await
            .doing("codebuild:DeleteProject", &req.name)
            .gone_is_done()
    }
}
