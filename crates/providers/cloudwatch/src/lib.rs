//! The `cloudwatch.alarm` resource kind, built only on the provider kit: a metric alarm and
//! its SNS actions. PutMetricAlarm writes the whole alarm, so every change sends it whole;
//! tags have calls of their own (PutMetricAlarm ignores them on an existing alarm).

mod schema;

pub use schema::{COMPARISONS, KIND, MISSING_DATA, STATISTICS, name_rule, schema};

use async_trait::async_trait;
use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::operation::put_metric_alarm::builders::PutMetricAlarmFluentBuilder;
use aws_sdk_cloudwatch::types::{
    AlarmType, ComparisonOperator, Dimension, MetricAlarm, Statistic, Tag,
};
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::diff::{string, strings};
use lakectl_provider::tags::{TagDiff, Tags, tags_of, tags_value};
use lakectl_provider::{AccountContext, Doing, Found};
use serde_json::{Number, Value, json};

/// `arn:{partition}:cloudwatch:{region}:{account}:alarm:{name}`.
pub fn alarm_arn(account: &AccountContext, name: &str) -> String {
    format!(
        "arn:{}:cloudwatch:{}:{}:alarm:{name}",
        account.partition, account.region, account.account_id
    )
}

/// The live spec of an alarm: every property, unset written as the schema's default.
pub fn live_spec(name: &str, a: &MetricAlarm, tags: &Tags) -> Value {
    let dimensions: Tags = a
        .dimensions()
        .iter()
        .filter_map(|d| Some((d.name()?.to_string(), d.value()?.to_string())))
        .collect();
    json!({
        "name": name,
        "description": a.alarm_description(),
        "namespace": a.namespace(),
        "metric_name": a.metric_name(),
        "dimensions": tags_value(&dimensions),
        "statistic": a.statistic().map(Statistic::as_str),
        "period_seconds": a.period(),
        "evaluation_periods": a.evaluation_periods(),
        "datapoints_to_alarm": a.datapoints_to_alarm(),
        "threshold": a.threshold(),
        "comparison_operator": a.comparison_operator().map(ComparisonOperator::as_str),
        "treat_missing_data": a.treat_missing_data().unwrap_or("missing"),
        "alarm_actions": a.alarm_actions(),
        "ok_actions": a.ok_actions(),
        "actions_enabled": a.actions_enabled().unwrap_or(true),
        "tags": tags_value(tags),
    })
}

fn int(spec: &Value, key: &str) -> Option<i32> {
    spec.get(key)
        .and_then(Value::as_i64)
        .and_then(|n| i32::try_from(n).ok())
}

fn cw_tags(tags: &Tags) -> Vec<Tag> {
    tags.iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect()
}

/// Manages `cloudwatch.alarm` resources.
pub struct AlarmProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

impl AlarmProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(
            lakectl_provider::client!(aws_sdk_cloudwatch, config),
            account,
        )
    }

    /// A provider over a client built elsewhere.
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        AlarmProvider {
            client,
            account: account.clone(),
            schema: schema(),
        }
    }

    fn attributes(&self, name: &str) -> Attributes {
        Attributes::from([
            ("arn".to_string(), alarm_arn(&self.account, name)),
            ("name".to_string(), name.to_string()),
        ])
    }

    async fn describe(&self, name: &str) -> Result<Option<MetricAlarm>, ProviderError> {
        let out = self
            .client
            .describe_alarms()
            .alarm_names(name)
            .alarm_types(AlarmType::MetricAlarm)
            .send()
            .await
            .doing("cloudwatch:DescribeAlarms", name)?;
        Ok(out
            .metric_alarms()
            .iter()
            .find(|a| a.alarm_name() == Some(name))
            .cloned())
    }

    /// PutMetricAlarm with the whole alarm of `spec`.
    fn put(&self, name: &str, spec: &Value) -> PutMetricAlarmFluentBuilder {
        let dimensions = spec
            .get("dimensions")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some(Dimension::builder().name(k).value(v.as_str()?).build()))
            .collect();
        self.client
            .put_metric_alarm()
            .alarm_name(name)
            .set_alarm_description(string(spec, "description"))
            .set_namespace(string(spec, "namespace"))
            .set_metric_name(string(spec, "metric_name"))
            .set_dimensions(Some(dimensions))
            .set_statistic(string(spec, "statistic").map(|s| Statistic::from(s.as_str())))
            .set_period(int(spec, "period_seconds"))
            .set_evaluation_periods(int(spec, "evaluation_periods"))
            .set_datapoints_to_alarm(int(spec, "datapoints_to_alarm"))
            .set_threshold(spec.get("threshold").and_then(Value::as_f64))
            .set_comparison_operator(
                string(spec, "comparison_operator").map(|c| ComparisonOperator::from(c.as_str())),
            )
            .set_treat_missing_data(string(spec, "treat_missing_data"))
            .set_alarm_actions(Some(strings(spec.get("alarm_actions"))))
            .set_ok_actions(Some(strings(spec.get("ok_actions"))))
            .set_actions_enabled(spec.get("actions_enabled").and_then(Value::as_bool))
    }

    async fn sync_tags(&self, name: &str, diff: &TagDiff) -> Result<(), ProviderError> {
        let set = cw_tags(&diff.set);
        lakectl_provider::sync_tag_list!(
            &self.client,
            "cloudwatch",
            &alarm_arn(&self.account, name),
            name,
            diff,
            set
        )
    }
}

#[async_trait]
impl Provider for AlarmProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The threshold as a decimal on both sides: `1` and `1.0` are the same threshold.
    fn normalize(&self, spec: &mut Value) {
        if let Some(t) = spec.get_mut("threshold")
            && let Some(n) = t.as_f64().and_then(Number::from_f64)
        {
            *t = Value::Number(n);
        }
        // M of N where M is N is no M at all: CloudWatch may answer either way (CWA-2).
        if spec.get("datapoints_to_alarm").is_some()
            && spec.get("datapoints_to_alarm") == spec.get("evaluation_periods")
        {
            spec["datapoints_to_alarm"] = Value::Null;
        }
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(alarm) = self.describe(name).await? else {
            return Ok(Observation::Missing);
        };
        let tags = self
            .client
            .list_tags_for_resource()
            .resource_arn(alarm_arn(&self.account, name))
            .send()
            .await
            .doing("cloudwatch:ListTagsForResource", name)
            .found()?;
        // Deleted between the two reads: report what is true now.
        let Some(tags) = tags else {
            return Ok(Observation::Missing);
        };
        let tags: Tags = tags
            .tags()
            .iter()
            .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
            .collect();
        Ok(Observation::Exists(Live {
            spec: live_spec(name, &alarm, &tags),
            attributes: self.attributes(name),
        }))
    }

    /// PutMetricAlarm with the tags. It overwrites an alarm of the same name, so
    /// DescribeAlarms asks first and a taken name is reported.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if self.describe(name).await?.is_some() {
            return Err(ProviderError::already_exists(
                "cloudwatch:PutMetricAlarm",
                name,
            ));
        }
        self.put(name, &req.spec)
            .set_tags(Some(cw_tags(&tags_of(name, &req.spec)?)))
            .send()
            .await
            .doing("cloudwatch:PutMetricAlarm", name)?;
        Ok(self.attributes(name))
    }

    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if req.touches_other_than(&["tags"]) {
            self.put(name, &req.desired)
                .send()
                .await
                .doing("cloudwatch:PutMetricAlarm", name)?;
        }
        if let Some(diff) = lakectl_provider::tags::changed(req)? {
            self.sync_tags(name, &diff).await?;
        }
        Ok(self.attributes(name))
    }

    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        self.client
            .delete_alarms()
            .alarm_names(&req.name)
            .send()
            .await
            .doing("cloudwatch:DeleteAlarms", &req.name)
            .gone_is_done()
    }
}
