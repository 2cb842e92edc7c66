//! The exact requests of paths the emulator cannot show, asserted with aws-smithy-mocks: moto
//! confirms email subscriptions at once (AWS waits for the recipient), and these tests make no
//! SQS queue for raw delivery.

use aws_sdk_sns::Client;
use aws_sdk_sns::operation::list_subscriptions_by_topic::ListSubscriptionsByTopicOutput;
use aws_sdk_sns::operation::set_subscription_attributes::SetSubscriptionAttributesOutput;
use aws_sdk_sns::types::Subscription;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use lakectl_core::{Address, FieldChange, Observation, Provider, UpdateRequest};
use lakectl_provider::testkit::{WAIT_LIMIT, delete_request, test_account};
use lakectl_provider_sns::SubscriptionProvider;
use serde_json::json;

const TOPIC_ARN: &str = "arn:aws:sns:us-east-1:123456789012:mycompany-dev-alerts";
const EMAIL: &str = "mycompany-dev-alerts:email:oncall@example.com";
const QUEUE: &str = "arn:aws:sqs:us-east-1:123456789012:lake-events";

fn listing(
    protocol: &'static str,
    endpoint: &'static str,
    arn: &'static str,
) -> aws_smithy_mocks::Rule {
    mock!(Client::list_subscriptions_by_topic)
        .match_requests(|r| r.topic_arn() == Some(TOPIC_ARN))
        .then_output(move || {
            ListSubscriptionsByTopicOutput::builder()
                .subscriptions(
                    Subscription::builder()
                        .topic_arn(TOPIC_ARN)
                        .protocol(protocol)
                        .endpoint(endpoint)
                        .subscription_arn(arn)
                        .build(),
                )
                .build()
        })
}

#[tokio::test]
async fn an_email_subscription_awaiting_confirmation_is_a_normal_state() {
    let list = listing("email", "oncall@example.com", "PendingConfirmation");
    // No other rule: a GetSubscriptionAttributes or Unsubscribe would fail the test.
    let client = mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&list]);
    let p = SubscriptionProvider::from_client(client, &test_account());

    let live = match p.observe(EMAIL).await.expect("observe") {
        Observation::Exists(live) => live,
        other => panic!("a pending subscription exists: {other:?}"),
    };
    assert_eq!(live.attributes["pending_confirmation"], "true");
    let mut desired = json!({"name": EMAIL});
    p.schema().apply_defaults(&mut desired);
    assert!(
        lakectl_core::diff(p.schema(), &desired, &live.spec).is_empty(),
        "not drift: {:?}",
        live.spec
    );
    p.delete(&delete_request("alerts_email", EMAIL, false))
        .await
        .expect("a pending subscription is left to expire");
    assert_eq!(
        list.num_calls(),
        2,
        "observe and delete each list once, nothing more"
    );
}

#[tokio::test]
async fn raw_delivery_is_one_attribute_call_on_the_subscription_found() {
    let name: &'static str =
        "mycompany-dev-alerts:sqs:arn:aws:sqs:us-east-1:123456789012:lake-events";
    let sub_arn = "arn:aws:sns:us-east-1:123456789012:mycompany-dev-alerts:5f1";
    let list = listing("sqs", QUEUE, sub_arn);
    let set = mock!(Client::set_subscription_attributes)
        .match_requests(move |r| {
            r.subscription_arn() == Some(sub_arn)
                && r.attribute_name() == Some("RawMessageDelivery")
                && r.attribute_value() == Some("true")
        })
        .then_output(|| SetSubscriptionAttributesOutput::builder().build());
    let client = mock_client!(aws_sdk_sns, RuleMode::MatchAny, [&list, &set]);
    let p = SubscriptionProvider::from_client(client, &test_account());
    let spec =
        |raw: bool| json!({"name": name, "filter_policy": null, "raw_message_delivery": raw});
    p.update(&UpdateRequest {
        address: Address::new("events_queue", None),
        name: name.into(),
        desired: spec(true),
        live: spec(false),
        changes: vec![FieldChange {
            path: "raw_message_delivery".into(),
            before: Some(json!(false)),
            after: Some(json!(true)),
            forces_replace: false,
            sensitive: false,
            known_after_apply: false,
        }],
        wait_limit: WAIT_LIMIT,
    })
    .await
    .expect("update");
    assert_eq!((list.num_calls(), set.num_calls()), (1, 1));
}
