//! The exact requests of paths the emulator cannot answer, asserted with aws-smithy-mocks:
//! moto answers Athena's UpdateWorkGroup with HTTP 500.

use aws_sdk_athena::Client;
use aws_sdk_athena::operation::update_work_group::UpdateWorkGroupOutput;
use aws_sdk_athena::types::WorkGroupState;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use lakectl_core::Provider;
use lakectl_provider::testkit::{test_account, update_between};
use lakectl_provider_athena::AthenaProvider;
use serde_json::{Value, json};

fn workgroup(cutoff: Value, location: Value) -> Value {
    json!({"name": "mycompany-dev-analysts", "description": "analysts", "state": "ENABLED",
           "result_location": location, "result_encryption": "SSE_S3", "kms_key": null,
           "enforce_workgroup_configuration": true, "publish_cloudwatch_metrics": true,
           "bytes_scanned_cutoff_per_query": cutoff, "tags": {}})
}

#[tokio::test]
async fn a_cutoff_removed_is_removed_and_the_rest_sent_as_it_is() {
    let update = mock!(Client::update_work_group)
        .match_requests(|r| {
            let u = r.configuration_updates().expect("configuration updates");
            let results = u.result_configuration_updates().expect("result updates");
            r.work_group() == Some("mycompany-dev-analysts")
                && r.state() == Some(&WorkGroupState::Enabled)
                && u.remove_bytes_scanned_cutoff_per_query() == Some(true)
                && u.bytes_scanned_cutoff_per_query().is_none()
                && u.enforce_work_group_configuration() == Some(true)
                && results.output_location() == Some("s3://results/athena/")
                && results.remove_output_location() == Some(false)
                && results
                    .encryption_configuration()
                    .map(|e| e.encryption_option().as_str())
                    == Some("SSE_S3")
        })
        .then_output(|| UpdateWorkGroupOutput::builder().build());
    let client = mock_client!(aws_sdk_athena, RuleMode::MatchAny, [&update]);
    let p = AthenaProvider::from_client(client, &test_account());
    let location = json!("s3://results/athena/");
    p.update(&update_between(
        &p,
        "analysts",
        "mycompany-dev-analysts",
        &workgroup(json!(10_737_418_240_i64), location.clone()),
        &workgroup(Value::Null, location),
    ))
    .await
    .expect("updated");
    assert_eq!(update.num_calls(), 1);
}

#[tokio::test]
async fn a_location_removed_is_removed() {
    let update = mock!(Client::update_work_group)
        .match_requests(|r| {
            let results = r
                .configuration_updates()
                .and_then(|u| u.result_configuration_updates())
                .expect("result updates");
            results.remove_output_location() == Some(true) && results.output_location().is_none()
        })
        .then_output(|| UpdateWorkGroupOutput::builder().build());
    let client = mock_client!(aws_sdk_athena, RuleMode::MatchAny, [&update]);
    let p = AthenaProvider::from_client(client, &test_account());
    p.update(&update_between(
        &p,
        "analysts",
        "mycompany-dev-analysts",
        &workgroup(Value::Null, json!("s3://results/athena/")),
        &workgroup(Value::Null, Value::Null),
    ))
    .await
    .expect("updated");
    assert_eq!(update.num_calls(), 1);
}
