//! The exact requests of what the emulator cannot answer, asserted with aws-smithy-mocks:
//! moto's change sets come back without changes or `Replacement`, never apply tags, and its
//! stacks never get stuck; it answers UpdateTerminationProtection with HTTP 500.

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::operation::continue_update_rollback::ContinueUpdateRollbackOutput;
use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::create_stack::CreateStackOutput;
use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::{
    DescribeStacksError, DescribeStacksOutput,
};
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::operation::get_template::GetTemplateOutput;
use aws_sdk_cloudformation::operation::get_template_summary::GetTemplateSummaryOutput;
use aws_sdk_cloudformation::operation::update_termination_protection::UpdateTerminationProtectionOutput;
use aws_sdk_cloudformation::types::{
    Capability, Change, ChangeAction, ChangeSetStatus, ChangeSetType, Output, Parameter,
    ParameterDeclaration, Replacement, ResourceChange, ResourceStatus, Stack, StackEvent,
    StackStatus,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use aws_smithy_types::DateTime;
use aws_smithy_types::error::ErrorMetadata;
use lakectl_core::{Observation, Provider};
use lakectl_provider::testkit::{
    create_request, delete_request, prepare, test_account, update_between,
};
use lakectl_provider_cloudformation::CloudFormationProvider;
use serde_json::{Value, json};
use sha2::Digest;

const NAME: &str = "lake-dev-ci";
const TEMPLATE: &str = "s3://lake-dev-assets/assets/0123456789abcdef/codebuild.yaml";
const URL: &str =
    "https://lake-dev-assets.s3.us-east-1.amazonaws.com/assets/0123456789abcdef/codebuild.yaml";

fn spec(branch: &str) -> Value {
    json!({"name": NAME, "template": TEMPLATE, "parameters": {"Env": "dev", "Branch": branch},
           "capabilities": ["CAPABILITY_NAMED_IAM"], "tags": {"team": "data"}})
}

fn live(branch: &str, status: &str) -> Value {
    let mut s = spec(branch);
    s["status"] = json!(status);
    s
}

fn stack(status: StackStatus, reason: Option<&str>) -> DescribeStacksOutput {
    DescribeStacksOutput::builder()
        .stacks(
            Stack::builder()
                .stack_name(NAME)
                .stack_id(format!(
                    "arn:aws:cloudformation:us-east-1:123456789012:stack/{NAME}/1"
                ))
                .stack_status(status)
                .set_stack_status_reason(reason.map(str::to_string))
                .creation_time(DateTime::from_secs(0))
                .parameters(param("Env", "dev"))
                .parameters(param("Branch", "main"))
                .outputs(
                    Output::builder()
                        .output_key("ProjectName")
                        .output_value(NAME)
                        .build(),
                )
                .build(),
        )
        .build()
}

fn param(k: &str, v: &str) -> Parameter {
    Parameter::builder()
        .parameter_key(k)
        .parameter_value(v)
        .build()
}

fn missing() -> DescribeStacksError {
    DescribeStacksError::generic(
        ErrorMetadata::builder()
            .code("ValidationError")
            .message(format!("Stack with id {NAME} does not exist"))
            .build(),
    )
}

/// DescribeStacks answering each status in turn, the last one from then on.
fn stacks_in(statuses: &[StackStatus]) -> Rule {
    let mut seq = mock!(Client::describe_stacks)
        .match_requests(|r| r.stack_name() == Some(NAME))
        .sequence();
    for s in statuses {
        let s = s.clone();
        seq = seq.output(move || stack(s.clone(), None));
    }
    seq.repeatedly().build()
}

fn change(id: &str, action: ChangeAction, replacement: Option<Replacement>) -> Change {
    Change::builder()
        .resource_change(
            ResourceChange::builder()
                .logical_resource_id(id)
                .resource_type("AWS::CodeBuild::Project")
                .action(action)
                .set_replacement(replacement)
                .build(),
        )
        .build()
}

/// CreateChangeSet of the desired spec against the stack, sent as lakectl sends it.
fn creates_change_set() -> Rule {
    mock!(Client::create_change_set)
        .match_requests(|r| {
            let params: Vec<(&str, &str)> = r
                .parameters()
                .iter()
                .map(|p| {
                    (
                        p.parameter_key().unwrap_or(""),
                        p.parameter_value().unwrap_or(""),
                    )
                })
                .collect();
            r.stack_name() == Some(NAME)
                && r.change_set_type() == Some(&ChangeSetType::Update)
                && r.template_url() == Some(URL)
                && r.change_set_name()
                    .is_some_and(|n| n.starts_with("lakectl-"))
                && params == [("Branch", "release"), ("Env", "dev")]
                && r.capabilities() == [Capability::CapabilityNamedIam]
                && r.tags()
                    .iter()
                    .any(|t| t.key() == Some("team") && t.value() == Some("data"))
        })
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").build())
}

fn change_set_pending_then(out: fn() -> DescribeChangeSetOutput) -> Rule {
    mock!(Client::describe_change_set)
        .match_requests(|r| r.change_set_name() == Some("cs-1"))
        .sequence()
        .output(|| {
            DescribeChangeSetOutput::builder()
                .status(ChangeSetStatus::CreateInProgress)
                .build()
        })
        .output(out)
        .repeatedly()
        .build()
}

fn computed() -> DescribeChangeSetOutput {
    DescribeChangeSetOutput::builder()
        .status(ChangeSetStatus::CreateComplete)
        .changes(change(
            "Project",
            ChangeAction::Modify,
            Some(Replacement::False),
        ))
        .changes(change(
            "Role",
            ChangeAction::Modify,
            Some(Replacement::Conditional),
        ))
        .build()
}

fn no_changes() -> DescribeChangeSetOutput {
    DescribeChangeSetOutput::builder()
        .status(ChangeSetStatus::Failed)
        .status_reason("The submitted information didn't contain changes. Submit different information to create a change set.")
        .build()
}

fn deletes_change_set() -> Rule {
    mock!(Client::delete_change_set)
        .match_requests(|r| r.change_set_name() == Some("cs-1") && r.stack_name() == Some(NAME))
        .then_output(|| DeleteChangeSetOutput::builder().build())
}

fn event(logical: &str, kind: &str, status: ResourceStatus, reason: &str) -> StackEvent {
    StackEvent::builder()
        .stack_id("1")
        .event_id(format!("{logical}-{}", status.as_str()))
        .stack_name(NAME)
        .logical_resource_id(logical)
        .resource_type(kind)
        .resource_status(status)
        .resource_status_reason(reason)
        .timestamp(DateTime::from_secs(0))
        .build()
}

/// The update of the Branch parameter, from main to release, of a ready stack.
fn branch_change(p: &CloudFormationProvider) -> lakectl_core::UpdateRequest {
    update_between(p, "ci", NAME, &live("main", "ready"), &spec("release"))
}

fn provider(rules: &[&Rule]) -> CloudFormationProvider {
    let client = mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, rules);
    CloudFormationProvider::from_client(client, &test_account())
}

#[tokio::test]
async fn a_stack_that_matches_costs_three_reads_and_no_change_set() {
    let describe = stacks_in(&[StackStatus::UpdateComplete]);
    let template = mock!(Client::get_template)
        .match_requests(|r| r.stack_name() == Some(NAME))
        .then_output(|| {
            GetTemplateOutput::builder()
                .template_body("Resources: {}\n")
                .build()
        });
    let summary = mock!(Client::get_template_summary).then_output(|| {
        GetTemplateSummaryOutput::builder()
            .parameters(
                ParameterDeclaration::builder()
                    .parameter_key("Branch")
                    .default_value("main")
                    .build(),
            )
            .build()
    });
    let change_set = creates_change_set();
    let p = provider(&[&describe, &template, &summary, &change_set]);
    let Observation::Exists(found) = p.observe(NAME).await.expect("observed") else {
        panic!("the stack exists");
    };
    assert_eq!(found.attributes["ProjectName"], NAME);
    // Branch is at its template default: left out of the live spec, and of a desired spec
    // of the same template that writes it out.
    assert_eq!(found.spec["parameters"], json!({"Env": "dev"}));
    let mut same = spec("main");
    same["template"] = json!(format!(
        "s3://lake-dev-assets/assets/{}/codebuild.yaml",
        found.spec["template_hash"].as_str().expect("hash")
    ));
    assert_eq!(prepare(&p, &same)["parameters"], json!({"Env": "dev"}));
    assert_eq!(
        prepare(&p, &spec("main"))["parameters"],
        json!({"Env": "dev", "Branch": "main"}),
        "another template's defaults are not known: sent as written"
    );
    assert_eq!(
        (
            describe.num_calls(),
            template.num_calls(),
            summary.num_calls()
        ),
        (1, 1, 1)
    );
    assert_eq!(
        change_set.num_calls(),
        0,
        "observe never makes a change set"
    );
}

#[tokio::test]
async fn a_busy_stack_is_waited_on() {
    let describe = stacks_in(&[StackStatus::UpdateInProgress]);
    let p = provider(&[&describe]);
    let got = p.observe(NAME).await.expect("observed");
    assert!(
        matches!(&got, Observation::Pending { status, .. } if status == "UPDATE_IN_PROGRESS"),
        "{got:?}"
    );
}

#[tokio::test]
async fn the_plan_shows_the_change_set_and_deletes_it_again() {
    let (make, read, drop) = (
        creates_change_set(),
        change_set_pending_then(computed),
        deletes_change_set(),
    );
    let p = provider(&[&make, &read, &drop]);
    let details = p.preview(&branch_change(&p)).await.expect("previewed");
    let shown: Vec<(&str, &str, Option<&str>)> = details
        .iter()
        .map(|d| {
            (
                d.action.as_str(),
                d.target.as_str(),
                d.replacement.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        [
            ("Modify", "Project", Some("False")),
            ("Modify", "Role", Some("Conditional"))
        ]
    );
    assert_eq!(
        (make.num_calls(), read.num_calls(), drop.num_calls()),
        (1, 2, 1)
    );
}

#[tokio::test]
async fn a_change_set_without_changes_is_a_no_op_not_an_error() {
    let (make, read, drop) = (
        creates_change_set(),
        change_set_pending_then(no_changes),
        deletes_change_set(),
    );
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let describe = stacks_in(&[StackStatus::UpdateComplete]);
    let p = provider(&[&make, &read, &drop, &execute, &describe]);
    let req = branch_change(&p);
    assert!(p.preview(&req).await.expect("previewed").is_empty());
    p.update(&req).await.expect("updated");
    assert_eq!(drop.num_calls(), 2, "each empty change set is deleted");
    assert_eq!(execute.num_calls(), 0);
}

#[tokio::test]
async fn a_parameter_change_executes_its_change_set_and_waits() {
    let (make, read) = (creates_change_set(), change_set_pending_then(computed));
    let execute = mock!(Client::execute_change_set)
        .match_requests(|r| r.change_set_name() == Some("cs-1") && r.stack_name() == Some(NAME))
        .then_output(|| ExecuteChangeSetOutput::builder().build());
    let describe = stacks_in(&[StackStatus::UpdateInProgress, StackStatus::UpdateComplete]);
    let p = provider(&[&make, &read, &execute, &describe]);
    let attrs = p.update(&branch_change(&p)).await.expect("updated");
    assert_eq!(attrs["ProjectName"], NAME);
    assert_eq!(execute.num_calls(), 1);
    assert!(describe.num_calls() >= 2, "waited for UPDATE_COMPLETE");
}

#[tokio::test]
async fn a_failed_update_names_the_resource_and_cloudformations_reason() {
    let (make, read) = (creates_change_set(), change_set_pending_then(computed));
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let describe = stacks_in(&[StackStatus::UpdateRollbackComplete]);
    let events = mock!(Client::describe_stack_events).then_output(|| {
        let stack = "AWS::CloudFormation::Stack";
        DescribeStackEventsOutput::builder()
            .stack_events(event(
                NAME,
                stack,
                ResourceStatus::UpdateRollbackComplete,
                "",
            ))
            .stack_events(event(
                "Project",
                "AWS::CodeBuild::Project",
                ResourceStatus::UpdateFailed,
                "Resource update cancelled",
            ))
            .stack_events(event(
                "Role",
                "AWS::IAM::Role",
                ResourceStatus::UpdateFailed,
                "MalformedPolicyDocument: Policy document should not specify a principal.",
            ))
            .stack_events(event(
                NAME,
                stack,
                ResourceStatus::UpdateInProgress,
                "User Initiated",
            ))
            .build()
    });
    let p = provider(&[&make, &read, &execute, &describe, &events]);
    let err = p
        .update(&branch_change(&p))
        .await
        .expect_err("the update failed")
        .to_string();
    assert!(
        err.contains("now UPDATE_ROLLBACK_COMPLETE")
            && err.contains("Role (AWS::IAM::Role) UPDATE_FAILED: MalformedPolicyDocument"),
        "{err}"
    );
}

#[tokio::test]
async fn a_failed_create_is_deleted_and_created_again() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::RollbackComplete, None))
        .error(missing)
        .output(|| stack(StackStatus::CreateInProgress, None))
        .output(|| stack(StackStatus::CreateComplete, None))
        .repeatedly()
        .build();
    let delete = mock!(Client::delete_stack)
        .match_requests(|r| r.stack_name() == Some(NAME))
        .then_output(|| DeleteStackOutput::builder().build());
    let create = mock!(Client::create_stack)
        .match_requests(|r| {
            r.stack_name() == Some(NAME)
                && r.template_url() == Some(URL)
                && r.capabilities() == [Capability::CapabilityNamedIam]
                && r.parameters().len() == 2
                && r.tags().iter().any(|t| t.key() == Some("team"))
        })
        .then_output(|| CreateStackOutput::builder().stack_id("1").build());
    let p = provider(&[&describe, &delete, &create]);
    let req = update_between(
        &p,
        "ci",
        NAME,
        &live("main", "ROLLBACK_COMPLETE"),
        &spec("release"),
    );
    assert!(req.touches("status"), "the plan shows the stuck state");
    p.update(&req).await.expect("created again");
    assert_eq!((delete.num_calls(), create.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_failed_rollback_is_continued_before_the_update() {
    let cont = mock!(Client::continue_update_rollback)
        .match_requests(|r| r.stack_name() == Some(NAME))
        .then_output(|| ContinueUpdateRollbackOutput::builder().build());
    let describe = stacks_in(&[
        StackStatus::UpdateRollbackInProgress,
        StackStatus::UpdateRollbackComplete,
        StackStatus::UpdateInProgress,
        StackStatus::UpdateComplete,
    ]);
    let (make, read) = (creates_change_set(), change_set_pending_then(computed));
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let p = provider(&[&cont, &describe, &make, &read, &execute]);
    p.update(&update_between(
        &p,
        "ci",
        NAME,
        &live("main", "UPDATE_ROLLBACK_FAILED"),
        &spec("release"),
    ))
    .await
    .expect("repaired and updated");
    assert_eq!((cont.num_calls(), execute.num_calls()), (1, 1));
}

#[tokio::test]
async fn a_stack_whose_delete_failed_is_not_updated() {
    let p = provider(&[]);
    let err = p
        .update(&update_between(
            &p,
            "ci",
            NAME,
            &live("main", "DELETE_FAILED"),
            &spec("main"),
        ))
        .await
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("DELETE_FAILED") && err.contains("lakectl destroy"),
        "{err}"
    );
}

#[tokio::test]
async fn termination_protection_is_its_own_call_and_blocks_delete() {
    let protect = mock!(Client::update_termination_protection)
        .match_requests(|r| {
            r.stack_name() == Some(NAME) && r.enable_termination_protection() == Some(true)
        })
        .then_output(|| UpdateTerminationProtectionOutput::builder().build());
    let describe = mock!(Client::describe_stacks).then_output(|| {
        DescribeStacksOutput::builder()
            .stacks(
                Stack::builder()
                    .stack_name(NAME)
                    .stack_status(StackStatus::UpdateComplete)
                    .enable_termination_protection(true)
                    .build(),
            )
            .build()
    });
    let make = creates_change_set();
    let delete = mock!(Client::delete_stack).then_output(|| DeleteStackOutput::builder().build());
    let p = provider(&[&protect, &describe, &make, &delete]);
    let mut on = spec("main");
    on["termination_protection"] = json!(true);
    p.update(&update_between(&p, "ci", NAME, &live("main", "ready"), &on))
        .await
        .expect("protected");
    assert_eq!((protect.num_calls(), make.num_calls()), (1, 0));
    let err = p
        .delete(&delete_request("ci", NAME, false))
        .await
        .expect_err("refused")
        .to_string();
    assert!(err.contains("termination_protection: false"), "{err}");
    assert_eq!(delete.num_calls(), 0);
}

#[tokio::test]
async fn a_failed_create_names_the_resource_and_leaves_what_the_next_deploy_repairs() {
    let create = mock!(Client::create_stack)
        .then_output(|| CreateStackOutput::builder().stack_id("1").build());
    let describe = stacks_in(&[StackStatus::CreateInProgress, StackStatus::RollbackComplete]);
    let events = mock!(Client::describe_stack_events).then_output(|| {
        DescribeStackEventsOutput::builder()
            .stack_events(event(
                "Project",
                "AWS::CodeBuild::Project",
                ResourceStatus::CreateFailed,
                "Invalid service role",
            ))
            .stack_events(event(
                NAME,
                "AWS::CloudFormation::Stack",
                ResourceStatus::CreateInProgress,
                "User Initiated",
            ))
            .build()
    });
    let p = provider(&[&create, &describe, &events]);
    let err = p
        .create(&create_request(&p, "ci", NAME, &spec("main")))
        .await
        .expect_err("the create failed")
        .to_string();
    assert!(
        err.contains("now ROLLBACK_COMPLETE")
            && err
                .contains("Project (AWS::CodeBuild::Project) CREATE_FAILED: Invalid service role"),
        "{err}"
    );
}

#[tokio::test]
async fn a_template_not_uploaded_yet_is_previewed_from_its_text_in_the_stack_folder() {
    let body = "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n";
    let hash = &hex::encode(sha2::Sha256::digest(body.as_bytes()))[..16];
    let dir = std::env::temp_dir().join(format!("lakectl-cfn-templates-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("cfn")).expect("temp dir");
    std::fs::write(dir.join("cfn/codebuild.yaml"), body).expect("template");
    let make = mock!(Client::create_change_set)
        .match_requests(move |r| r.template_body() == Some(body) && r.template_url().is_none())
        .then_output(|| CreateChangeSetOutput::builder().id("cs-1").build());
    let (read, drop) = (change_set_pending_then(computed), deletes_change_set());
    let p = provider(&[&make, &read, &drop]).with_templates(dir.clone());
    assert!(p.previews_ahead());
    let mut edited = spec("main");
    edited["template"] = json!(format!("s3://lake-dev-assets/assets/{hash}/codebuild.yaml"));
    let details = p
        .preview(&update_between(
            &p,
            "ci",
            NAME,
            &live("main", "ready"),
            &edited,
        ))
        .await
        .expect("previewed");
    assert_eq!(details.len(), 2);
    assert_eq!(make.num_calls(), 1);
    let _ = std::fs::remove_dir_all(dir);
}
