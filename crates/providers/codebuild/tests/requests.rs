//! The exact requests of what the emulator cannot answer, asserted with aws-smithy-mocks:
//! moto answers UpdateProject with HTTP 500, and its builds succeed at once without running.

use aws_sdk_codebuild::Client;
use aws_sdk_codebuild::operation::batch_get_builds::BatchGetBuildsOutput;
use aws_sdk_codebuild::operation::batch_get_projects::BatchGetProjectsOutput;
use aws_sdk_codebuild::operation::start_build::StartBuildOutput;
use aws_sdk_codebuild::operation::update_project::UpdateProjectOutput;
use aws_sdk_codebuild::types::{
    Build, BuildPhase, BuildPhaseType, CacheType, EnvironmentVariableType, LogsLocation,
    PhaseContext, StatusType,
};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use lakectl_core::{Observation, Provider};
use lakectl_provider::testkit::{test_account, update_between};
use lakectl_provider_codebuild::{Builds, CodeBuildProvider};
use serde_json::{Value, json};
use std::sync::Mutex;
use std::time::Duration;

const NAME: &str = "lake-dev-ci";

fn project(description: Value, tags: Value) -> Value {
    json!({"name": NAME, "description": description,
           "source": {"type": "GITHUB", "location": "https://github.com/o/lake.git"},
           "environment": {"image": "aws/codebuild/standard:7.0",
                           "variables": {"LAKECTL_ENV": "dev"},
                           "parameter_variables": {"DEPLOY_KEY": "/lake/dev/deploy-key"}},
           "service_role": "arn:aws:iam::123456789012:role/lake-dev-ci",
           "cache_location": "lake-dev-assets/ci/cache", "tags": tags})
}

#[tokio::test]
async fn any_change_sends_the_whole_project_with_its_whole_tag_set() {
    let update = mock!(Client::update_project)
        .match_requests(|r| {
            let env = r.environment().expect("environment");
            let vars: Vec<(&str, &str, Option<&EnvironmentVariableType>)> = env
                .environment_variables()
                .iter()
                .map(|v| (v.name(), v.value(), v.r#type()))
                .collect();
            let tags: Vec<(Option<&str>, Option<&str>)> =
                r.tags().iter().map(|t| (t.key(), t.value())).collect();
            r.name() == Some(NAME)
                // Unset, it is sent empty: left out, UpdateProject would keep the old one.
                && r.description() == Some("")
                && r.source().and_then(|s| s.location()) == Some("https://github.com/o/lake.git")
                && env.image() == "aws/codebuild/standard:7.0"
                && vars
                    == [
                        ("LAKECTL_ENV", "dev", Some(&EnvironmentVariableType::Plaintext)),
                        (
                            "DEPLOY_KEY",
                            "/lake/dev/deploy-key",
                            Some(&EnvironmentVariableType::ParameterStore),
                        ),
                    ]
                && r.cache().map(|c| (c.r#type(), c.location()))
                    == Some((&CacheType::S3, Some("lake-dev-assets/ci/cache")))
                && r.service_role() == Some("arn:aws:iam::123456789012:role/lake-dev-ci")
                && r.timeout_in_minutes() == Some(60)
                && tags == [(Some("team"), Some("platform"))]
        })
        .then_output(|| UpdateProjectOutput::builder().build());
    let client = mock_client!(aws_sdk_codebuild, RuleMode::MatchAny, [&update]);
    let p = CodeBuildProvider::from_client(client, &test_account());
    let req = update_between(
        &p,
        "ci",
        NAME,
        &project(json!("the lake's CI"), json!({"team": "data", "old": "x"})),
        &project(Value::Null, json!({"team": "platform"})),
    );
    p.update(&req).await.expect("updated");
    assert_eq!(update.num_calls(), 1);
    let none = update_between(
        &p,
        "ci",
        NAME,
        &project(Value::Null, json!({})),
        &project(Value::Null, json!({})),
    );
    p.update(&none).await.expect("nothing to do");
    assert_eq!(update.num_calls(), 1, "no change, no call");
}

#[tokio::test]
async fn a_project_codebuild_does_not_list_is_missing() {
    let get = mock!(Client::batch_get_projects)
        .match_requests(|r| r.names() == [NAME])
        .then_output(|| {
            BatchGetProjectsOutput::builder()
                .projects_not_found(NAME)
                .build()
        });
    let client = mock_client!(aws_sdk_codebuild, RuleMode::MatchAny, [&get]);
    let p = CodeBuildProvider::from_client(client, &test_account());
    assert_eq!(
        p.observe(NAME).await.expect("observed"),
        Observation::Missing
    );
}

fn phase(kind: BuildPhaseType, status: StatusType, context: Option<(&str, &str)>) -> BuildPhase {
    let mut b = BuildPhase::builder()
        .phase_type(kind)
        .phase_status(status)
        .duration_in_seconds(3);
    if let Some((code, message)) = context {
        b = b.contexts(
            PhaseContext::builder()
                .status_code(code)
                .message(message)
                .build(),
        );
    }
    b.build()
}

fn build(status: StatusType, phases: Vec<BuildPhase>) -> BatchGetBuildsOutput {
    BatchGetBuildsOutput::builder()
        .builds(
            Build::builder()
                .id("lake-dev-ci:1")
                .build_status(status)
                .current_phase("BUILD")
                .set_phases(Some(phases))
                .logs(
                    LogsLocation::builder()
                        .group_name("/aws/codebuild/lake-dev-ci")
                        .stream_name("1")
                        .build(),
                )
                .build(),
        )
        .build()
}

#[tokio::test]
async fn a_failed_build_is_followed_phase_by_phase_and_names_the_phase_that_failed() {
    let start = mock!(Client::start_build)
        .match_requests(|r| r.project_name() == Some(NAME) && r.source_version() == Some("release"))
        .then_output(|| {
            StartBuildOutput::builder()
                .build_value(Build::builder().id("lake-dev-ci:1").build())
                .build()
        });
    let get = mock!(Client::batch_get_builds)
        .match_requests(|r| r.ids() == ["lake-dev-ci:1"])
        .sequence()
        .output(|| {
            build(
                StatusType::InProgress,
                vec![
                    phase(BuildPhaseType::Submitted, StatusType::Succeeded, None),
                    phase(BuildPhaseType::Build, StatusType::InProgress, None),
                ],
            )
        })
        .output(|| {
            build(
                StatusType::Failed,
                vec![
                    phase(BuildPhaseType::Submitted, StatusType::Succeeded, None),
                    phase(
                        BuildPhaseType::Build,
                        StatusType::Failed,
                        Some((
                            "COMMAND_EXECUTION_ERROR",
                            "Error while executing command: lakectl plan. Reason: exit status 1",
                        )),
                    ),
                ],
            )
        })
        .repeatedly()
        .build();
    let client = mock_client!(aws_sdk_codebuild, RuleMode::MatchAny, [&start, &get]);
    let builds = Builds::from_client(client);
    let id = builds.start(NAME, Some("release")).await.expect("started");
    let said = Mutex::new(Vec::new());
    let say = |line: &str| said.lock().expect("lock").push(line.to_string());
    let done = builds
        .follow(&id, Duration::from_secs(30), &say)
        .await
        .expect("followed");
    assert!(!done.succeeded());
    assert_eq!(done.status, "FAILED");
    let failure = done.failure.as_deref().unwrap_or_default();
    assert!(
        failure.starts_with(
            "BUILD FAILED: COMMAND_EXECUTION_ERROR: Error while executing command: lakectl plan"
        ),
        "{failure}"
    );
    assert_eq!(
        done.log,
        Some(("/aws/codebuild/lake-dev-ci".to_string(), "1".to_string()))
    );
    let said = said.into_inner().expect("lock");
    assert_eq!(said.len(), 2, "each phase once, as it ends: {said:?}");
    assert_eq!(said[0], "SUBMITTED SUCCEEDED in 3 s");
}
