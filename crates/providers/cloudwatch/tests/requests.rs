//! Every path of `cloudwatch.alarm`, asserted request by request with aws-smithy-mocks: the
//! SDK speaks CloudWatch's rpc-v2-cbor protocol, whose paths moto 5.2.5 does not serve (it
//! answers 404), so no emulator test can reach this kind.

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::operation::delete_alarms::DeleteAlarmsOutput;
use aws_sdk_cloudwatch::operation::describe_alarms::DescribeAlarmsOutput;
use aws_sdk_cloudwatch::operation::list_tags_for_resource::ListTagsForResourceOutput;
use aws_sdk_cloudwatch::operation::put_metric_alarm::PutMetricAlarmOutput;
use aws_sdk_cloudwatch::operation::tag_resource::TagResourceOutput;
use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, MetricAlarm, Statistic, Tag};
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use lakectl_core::{Observation, Provider};
use lakectl_provider::testkit::{create_request, delete_request, test_account, update_between};
use lakectl_provider_cloudwatch::AlarmProvider;
use serde_json::{Value, json};

const NAME: &str = "mycompany-prod-ingest-failed";
const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:mycompany-prod-alerts";
const MACHINE: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:mycompany-prod-ingest";

fn spec(threshold: f64, tags: Value) -> Value {
    let mut s = json!({"name": NAME, "description": "an ingest run failed",
        "namespace": "AWS/States", "metric_name": "ExecutionsFailed",
        "dimensions": {"StateMachineArn": MACHINE}, "statistic": "Sum", "period_seconds": 300,
        "evaluation_periods": 1, "threshold": threshold,
        "comparison_operator": "GreaterThanOrEqualToThreshold",
        "treat_missing_data": "notBreaching", "alarm_actions": [TOPIC], "ok_actions": [],
        "actions_enabled": true, "tags": tags});
    AlarmProvider::from_client(mock_client!(aws_sdk_cloudwatch, []), &test_account())
        .normalize(&mut s);
    s
}

fn live_alarm() -> MetricAlarm {
    MetricAlarm::builder()
        .alarm_name(NAME)
        .alarm_description("an ingest run failed")
        .namespace("AWS/States")
        .metric_name("ExecutionsFailed")
        .dimensions(
            Dimension::builder()
                .name("StateMachineArn")
                .value(MACHINE)
                .build(),
        )
        .statistic(Statistic::Sum)
        .period(300)
        .evaluation_periods(1)
        .threshold(1.0)
        .comparison_operator(ComparisonOperator::GreaterThanOrEqualToThreshold)
        .treat_missing_data("notBreaching")
        .alarm_actions(TOPIC)
        .actions_enabled(true)
        .build()
}

fn tags_of_live() -> Vec<Tag> {
    ["lakectl:stack", "team"]
        .iter()
        .map(|k| Tag::builder().key(*k).value("x").build())
        .collect()
}

#[tokio::test]
async fn create_looks_first_then_puts_the_whole_alarm_with_its_tags() {
    let none = mock!(Client::describe_alarms)
        .match_requests(|r| r.alarm_names() == [NAME.to_string()])
        .then_output(|| DescribeAlarmsOutput::builder().build());
    let put = mock!(Client::put_metric_alarm)
        .match_requests(|r| {
            r.alarm_name() == Some(NAME)
                && r.namespace() == Some("AWS/States")
                && r.metric_name() == Some("ExecutionsFailed")
                && r.dimensions().len() == 1
                && r.dimensions()[0].value() == Some(MACHINE)
                && r.statistic() == Some(&Statistic::Sum)
                && r.period() == Some(300)
                && r.threshold() == Some(1.0)
                && r.treat_missing_data() == Some("notBreaching")
                && r.alarm_actions() == [TOPIC.to_string()]
                && r.tags().iter().any(|t| t.key() == Some("team"))
        })
        .then_output(|| PutMetricAlarmOutput::builder().build());
    let client = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&none, &put]);
    let p = AlarmProvider::from_client(client, &test_account());
    let attrs = p
        .create(&create_request(
            &p,
            "ingest_failed",
            NAME,
            &spec(1.0, json!({"team": "data"})),
        ))
        .await
        .expect("created");
    assert_eq!((none.num_calls(), put.num_calls()), (1, 1));
    assert_eq!(
        attrs["arn"],
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:mycompany-prod-ingest-failed"
    );
}

#[tokio::test]
async fn a_taken_name_is_reported_and_never_overwritten() {
    let taken = mock!(Client::describe_alarms).then_output(|| {
        DescribeAlarmsOutput::builder()
            .metric_alarms(live_alarm())
            .build()
    });
    let put =
        mock!(Client::put_metric_alarm).then_output(|| PutMetricAlarmOutput::builder().build());
    let client = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&taken, &put]);
    let p = AlarmProvider::from_client(client, &test_account());
    let err = p
        .create(&create_request(
            &p,
            "ingest_failed",
            NAME,
            &spec(1.0, json!({})),
        ))
        .await
        .expect_err("taken");
    assert!(err.is_already_exists(), "{err}");
    assert_eq!(put.num_calls(), 0, "someone else's alarm is left as it is");
}

#[tokio::test]
async fn an_alarm_reads_back_as_declared() {
    let describe = mock!(Client::describe_alarms).then_output(|| {
        DescribeAlarmsOutput::builder()
            .metric_alarms(live_alarm())
            .build()
    });
    let tags = mock!(Client::list_tags_for_resource).then_output(|| {
        ListTagsForResourceOutput::builder()
            .set_tags(Some(tags_of_live()))
            .build()
    });
    let client = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&describe, &tags]);
    let p = AlarmProvider::from_client(client, &test_account());
    let Observation::Exists(live) = p.observe(NAME).await.expect("observe") else {
        panic!("the alarm exists");
    };
    let mut live_spec = live.spec;
    p.normalize(&mut live_spec);
    let mut desired = spec(1.0, json!({"lakectl:stack": "x", "team": "x"}));
    p.schema().apply_defaults(&mut desired);
    assert!(
        lakectl_core::diff(p.schema(), &desired, &live_spec).is_empty(),
        "{live_spec}"
    );
}

#[test]
fn datapoints_to_alarm_is_a_change_only_when_it_is_not_all_the_periods() {
    // CWA-2: CloudWatch may report DatapointsToAlarm equal to EvaluationPeriods for an alarm
    // that never set it; any other value is a real "M of N" someone set.
    let p = AlarmProvider::from_client(
        mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, []),
        &test_account(),
    );
    let mut desired = spec(1.0, json!({"lakectl:stack": "x", "team": "x"}));
    p.schema().apply_defaults(&mut desired);
    p.normalize(&mut desired);
    let read = |alarm: MetricAlarm| {
        let tags = tags_of_live()
            .into_iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect();
        let mut s = lakectl_provider_cloudwatch::live_spec(NAME, &alarm, &tags);
        p.normalize(&mut s);
        lakectl_core::diff(p.schema(), &desired, &s)
            .into_iter()
            .map(|c| c.path)
            .collect::<Vec<_>>()
    };
    let mut all = live_alarm();
    all.datapoints_to_alarm = Some(1);
    assert_eq!(read(all), Vec::<String>::new());
    let mut one_of_three = live_alarm();
    one_of_three.datapoints_to_alarm = Some(1);
    one_of_three.evaluation_periods = Some(3);
    assert_eq!(
        read(one_of_three),
        ["evaluation_periods", "datapoints_to_alarm"]
    );
}

#[tokio::test]
async fn a_threshold_change_puts_the_alarm_and_a_tag_change_only_tags_it() {
    let put = mock!(Client::put_metric_alarm)
        .match_requests(|r| r.threshold() == Some(3.0) && r.tags().is_empty())
        .then_output(|| PutMetricAlarmOutput::builder().build());
    let tag = mock!(Client::tag_resource)
        .match_requests(|r| r.tags().iter().any(|t| t.value() == Some("platform")))
        .then_output(|| TagResourceOutput::builder().build());
    let client = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&put, &tag]);
    let p = AlarmProvider::from_client(client, &test_account());
    let tags = json!({"team": "data"});
    p.update(&update_between(
        &p,
        "ingest_failed",
        NAME,
        &spec(1.0, tags.clone()),
        &spec(3.0, tags.clone()),
    ))
    .await
    .expect("threshold");
    assert_eq!((put.num_calls(), tag.num_calls()), (1, 0));
    p.update(&update_between(
        &p,
        "ingest_failed",
        NAME,
        &spec(1.0, tags),
        &spec(1.0, json!({"team": "platform"})),
    ))
    .await
    .expect("tags");
    assert_eq!((put.num_calls(), tag.num_calls()), (1, 1));
}

#[tokio::test]
async fn delete_names_the_alarm() {
    let delete = mock!(Client::delete_alarms)
        .match_requests(|r| r.alarm_names() == [NAME.to_string()])
        .then_output(|| DeleteAlarmsOutput::builder().build());
    let client = mock_client!(aws_sdk_cloudwatch, RuleMode::MatchAny, [&delete]);
    let p = AlarmProvider::from_client(client, &test_account());
    p.delete(&delete_request("ingest_failed", NAME, false))
        .await
        .expect("deleted");
    assert_eq!(delete.num_calls(), 1);
}
