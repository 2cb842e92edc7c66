//! The exact requests of paths the emulator cannot answer, asserted with aws-smithy-mocks:
//! moto lacks AssociateKmsKey and DisassociateKmsKey, and never throttles.

use aws_sdk_cloudwatchlogs::Client;
use aws_sdk_cloudwatchlogs::operation::associate_kms_key::AssociateKmsKeyOutput;
use aws_sdk_cloudwatchlogs::operation::disassociate_kms_key::DisassociateKmsKeyOutput;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use lakectl_core::{Address, ErrorClass, FieldChange, Provider, UpdateRequest};
use lakectl_provider::testkit::{WAIT_LIMIT, test_account};
use lakectl_provider_logs::LogsProvider;
use serde_json::{Value, json};
use std::time::Duration;

const GROUP: &str = "/aws-glue/jobs/mycompany-dev-ingest";
const KEY: &str = "arn:aws:kms:us-east-1:123456789012:key/logs";

fn key_change(before: Option<&str>, after: Option<&str>) -> UpdateRequest {
    let spec = |k: Option<&str>| json!({"name": GROUP, "kms_key_id": k, "tags": {}});
    UpdateRequest {
        address: Address::new("ingest_logs", None),
        name: GROUP.into(),
        desired: spec(after),
        live: spec(before),
        changes: vec![FieldChange {
            path: "kms_key_id".into(),
            before: before.map(|k| Value::String(k.into())),
            after: after.map(|k| Value::String(k.into())),
            forces_replace: false,
            sensitive: false,
            known_after_apply: false,
        }],
        wait_limit: WAIT_LIMIT,
    }
}

#[tokio::test]
async fn a_key_change_sends_exactly_the_key_call_and_nothing_else() {
    let associate = mock!(Client::associate_kms_key)
        .match_requests(|r| r.log_group_name() == Some(GROUP) && r.kms_key_id() == Some(KEY))
        .then_output(|| AssociateKmsKeyOutput::builder().build());
    let disassociate = mock!(Client::disassociate_kms_key)
        .match_requests(|r| r.log_group_name() == Some(GROUP) && r.resource_identifier().is_none())
        .then_output(|| DisassociateKmsKeyOutput::builder().build());
    // Any other call would find no rule and fail the update.
    let client = mock_client!(
        aws_sdk_cloudwatchlogs,
        RuleMode::MatchAny,
        [&associate, &disassociate]
    );
    let p = LogsProvider::from_client(client, &test_account());

    p.update(&key_change(None, Some(KEY)))
        .await
        .expect("key set");
    assert_eq!(
        (associate.num_calls(), disassociate.num_calls()),
        (1, 0),
        "set: AssociateKmsKey"
    );
    p.update(&key_change(Some(KEY), None))
        .await
        .expect("key removed");
    assert_eq!(
        (associate.num_calls(), disassociate.num_calls()),
        (1, 1),
        "removed: DisassociateKmsKey"
    );
}

#[tokio::test]
async fn an_always_throttled_call_is_sent_six_times_in_all_and_reaches_the_engine_final() {
    let throttled = mock!(Client::describe_log_groups)
        .sequence()
        .http_status(
            400,
            Some(r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#.into()),
        )
        .repeatedly()
        .build();
    // The one retry policy, with its backoff shortened so the test does not sleep for real.
    let client = mock_client!(
        aws_sdk_cloudwatchlogs,
        RuleMode::Sequential,
        [&throttled],
        |b| {
            b.retry_config(
                lakectl_provider::retry_config().with_initial_backoff(Duration::from_millis(1)),
            )
        }
    );
    let p = LogsProvider::from_client(client, &test_account());

    let err = p.observe(GROUP).await.expect_err("always throttled");
    assert_eq!(
        throttled.num_calls(),
        lakectl_provider::MAX_ATTEMPTS as usize,
        "attempts sent"
    );
    assert_eq!(err.class(), Some(ErrorClass::Throttled), "{err}");
    assert!(
        !err.is_retryable(),
        "the engine must not run a throttled step again on top of the SDK's retries"
    );
    assert!(
        err.to_string()
            .contains("logs:DescribeLogGroups on /aws-glue/jobs/mycompany-dev-ingest"),
        "{err}"
    );
}
