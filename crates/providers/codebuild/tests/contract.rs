//! The provider contract against the emulator (needs AWS_ENDPOINT_URL; `scripts/test` sets it).

use async_trait::async_trait;
use aws_sdk_codebuild::Client;
use aws_sdk_codebuild::types::{
    ArtifactsType, ComputeType, EnvironmentType, ProjectArtifacts, ProjectEnvironment,
    ProjectSource, SourceType,
};
use lakectl_provider::testkit::contract::{self, Subject};
use lakectl_provider::testkit::emulator;
use lakectl_provider_codebuild::CodeBuildProvider;
use serde_json::{Value, json};
use std::sync::Arc;

struct Projects {
    raw: Client,
    role: String,
}

/// Every mutable property: moto answers UpdateProject with HTTP 500.
const MUTABLE: &[&str] = &[
    "description",
    "source",
    "source_version",
    "environment",
    "service_role",
    "log_group",
    "cache_location",
    "timeout_minutes",
    "queued_timeout_minutes",
    "tags",
];

#[async_trait]
impl Subject for Projects {
    fn prefix(&self) -> &'static str {
        "lakectl-test-ci"
    }

    fn full_spec(&self, name: &str) -> Value {
        json!({"name": name, "description": "the lake's CI",
               "source": {"type": "GITHUB", "location": "https://github.com/mycompany/datalake.git",
                          "buildspec": "version: 0.2\nphases:\n  build:\n    commands: [lakectl validate]\n",
                          "git_clone_depth": 1},
               "source_version": "main",
               "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                               "compute_type": "BUILD_GENERAL1_MEDIUM", "privileged_mode": false,
                               "variables": {"LAKECTL_ENV": "dev"},
                               "parameter_variables": {"DEPLOY_KEY": "/lake/dev/deploy-key"}},
               "service_role": self.role,
               "log_group": format!("/aws/codebuild/{name}"),
               "cache_location": "lakectl-test-assets/ci/cache",
               "timeout_minutes": 45, "queued_timeout_minutes": 120,
               "tags": {"team": "data"}})
    }

    fn updates(&self, _name: &str) -> Vec<(&'static str, Value)> {
        Vec::new()
    }

    fn not_updated(&self) -> Vec<(&'static str, &'static str)> {
        let why = "moto answers UpdateProject with HTTP 500; tests/requests.rs asserts the request";
        MUTABLE.iter().map(|p| (*p, why)).collect()
    }

    /// Nothing: the only call that changes a project is UpdateProject, which moto lacks.
    /// Drift reads through BatchGetProjects like everything else, and its repair is the
    /// UpdateProject that tests/requests.rs asserts.
    async fn drift(&self, _name: &str) -> Vec<String> {
        Vec::new()
    }

    async fn create_foreign(&self, name: &str) {
        self.raw
            .create_project()
            .name(name)
            .source(
                ProjectSource::builder()
                    .r#type(SourceType::S3)
                    .location("lakectl-test-assets/theirs.zip")
                    .build()
                    .expect("source"),
            )
            .artifacts(
                ProjectArtifacts::builder()
                    .r#type(ArtifactsType::NoArtifacts)
                    .build()
                    .expect("artifacts"),
            )
            .environment(
                ProjectEnvironment::builder()
                    .r#type(EnvironmentType::LinuxContainer)
                    .image("aws/codebuild/standard:7.0")
                    .compute_type(ComputeType::BuildGeneral1Small)
                    .build()
                    .expect("environment"),
            )
            .service_role(&self.role)
            .send()
            .await
            .expect("someone else's project");
    }
}

#[tokio::test]
async fn projects_keep_the_provider_contract() {
    let emu = emulator("lakectl-provider-codebuild").await;
    let subject = Projects {
        raw: Client::new(&emu.config),
        role: format!(
            "arn:aws:iam::{}:role/lakectl-test-ci",
            emu.account.account_id
        ),
    };
    contract::run(
        Arc::new(CodeBuildProvider::new(&emu.config, &emu.account)),
        &subject,
    )
    .await;
}
