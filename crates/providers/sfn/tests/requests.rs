//! The exact requests of paths the emulator does not apply, asserted with aws-smithy-mocks:
//! moto ignores an update that turns tracing off.

use aws_sdk_sfn::Client;
use aws_sdk_sfn::operation::update_state_machine::UpdateStateMachineOutput;
use aws_sdk_sfn::primitives::DateTime;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use lakectl_core::Provider;
use lakectl_provider::testkit::{test_account, update_between};
use lakectl_provider_sfn::SfnProvider;
use serde_json::json;

#[tokio::test]
async fn turning_tracing_off_sends_the_whole_configuration_once() {
    let name = "mycompany-dev-ingest";
    let spec = |tracing: bool| {
        json!({"name": name, "role_arn": "arn:aws:iam::123456789012:role/orchestrator",
               "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
               "type": "STANDARD", "tracing": tracing,
               "logging": {"level": "OFF", "include_execution_data": false, "log_group_arn": null},
               "tags": {}})
    };
    let update = mock!(Client::update_state_machine)
        .match_requests(|r| {
            r.state_machine_arn()
                == Some("arn:aws:states:us-east-1:123456789012:stateMachine:mycompany-dev-ingest")
                && r.tracing_configuration().map(|t| t.enabled()) == Some(false)
                && r.definition()
                    .is_some_and(|d| d.contains("\"StartAt\":\"A\""))
                && r.role_arn() == Some("arn:aws:iam::123456789012:role/orchestrator")
        })
        .then_output(|| {
            UpdateStateMachineOutput::builder()
                .update_date(DateTime::from_secs(0))
                .build()
                .expect("output")
        });
    let client = mock_client!(aws_sdk_sfn, RuleMode::MatchAny, [&update]);
    let p = SfnProvider::from_client(client, &test_account());
    p.update(&update_between(
        &p,
        "ingest_state_machine",
        name,
        &spec(true),
        &spec(false),
    ))
    .await
    .expect("updated");
    assert_eq!(update.num_calls(), 1);
}

#[tokio::test]
async fn removing_logging_sends_level_off_not_nothing() {
    // SFN-5: UpdateStateMachine keeps what a request leaves out, so logging removed from the
    // stack must be sent as an explicit OFF, or the old logging silently stays.
    let name = "mycompany-dev-ingest";
    let group = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/states/x:*";
    let spec = |logging: serde_json::Value| {
        json!({"name": name, "role_arn": "arn:aws:iam::123456789012:role/orchestrator",
               "definition": {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
               "type": "STANDARD", "tracing": false, "logging": logging, "tags": {}})
    };
    let update = mock!(Client::update_state_machine)
        .match_requests(|r| {
            r.logging_configuration()
                .and_then(|l| l.level())
                .map(|l| l.as_str())
                == Some("OFF")
        })
        .then_output(|| {
            UpdateStateMachineOutput::builder()
                .update_date(DateTime::from_secs(0))
                .build()
                .expect("output")
        });
    let client = mock_client!(aws_sdk_sfn, RuleMode::MatchAny, [&update]);
    let p = SfnProvider::from_client(client, &test_account());
    p.update(&update_between(
        &p,
        "ingest_state_machine",
        name,
        &spec(json!({"level": "ERROR", "include_execution_data": false, "log_group_arn": group})),
        &spec(json!({"level": "OFF", "include_execution_data": false, "log_group_arn": null})),
    ))
    .await
    .expect("updated");
    assert_eq!(update.num_calls(), 1);
}
