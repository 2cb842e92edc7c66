//! `glue.job` through the Glue API. Glue takes a job's definition whole (CreateJob, UpdateJob:
//! what an update leaves out is reset), so every change sends the whole desired job.
use crate::database::string_map;
use crate::job_schema::job_schema;
use async_trait::async_trait;
use aws_sdk_glue::Client;
use aws_sdk_glue::types::{ExecutionProperty, Job, JobCommand, JobUpdate, WorkerType};
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::diff::string;
use lakectl_provider::tags::{Tags, tags_of, tags_value};
use lakectl_provider::{AccountContext, Doing, Found};
use serde_json::{Number, Value, json};
use std::collections::HashMap;

/// Manages `glue.job` resources.
pub struct JobProvider {
    client: Client,
    account: AccountContext,
    schema: Schema,
}

/// The job's definition as the SDK takes it, read once from the spec for create and update.
struct Definition {
    description: Option<String>,
    role: Option<String>,
    command: JobCommand,
    default_arguments: HashMap<String, String>,
    glue_version: Option<String>,
    max_capacity: Option<f64>,
    worker_type: Option<WorkerType>,
    number_of_workers: Option<i32>,
    timeout: Option<i32>,
    max_retries: Option<i32>,
    concurrency: ExecutionProperty,
}

fn int(spec: &Value, key: &str) -> Option<i32> {
    spec.get(key)
        .and_then(Value::as_i64)
        .and_then(|n| i32::try_from(n).ok())
}

impl Definition {
    fn of(spec: &Value) -> Self {
        let command = spec.get("command").unwrap_or(&Value::Null);
        Definition {
            description: string(spec, "description"),
            role: string(spec, "role"),
            command: JobCommand::builder()
                .set_name(string(command, "name"))
                .set_script_location(string(command, "script_location"))
                .set_python_version(string(command, "python_version"))
                .build(),
            default_arguments: string_map(spec, "default_arguments"),
            glue_version: string(spec, "glue_version"),
            max_capacity: spec.get("max_capacity").and_then(Value::as_f64),
            worker_type: string(spec, "worker_type").map(|w| WorkerType::from(w.as_str())),
            number_of_workers: int(spec, "number_of_workers"),
            timeout: int(spec, "timeout_minutes"),
            max_retries: int(spec, "max_retries"),
            concurrency: ExecutionProperty::builder()
                .set_max_concurrent_runs(int(spec, "max_concurrent_runs"))
                .build(),
        }
    }

    fn update(self) -> JobUpdate {
        JobUpdate::builder()
            .set_description(self.description)
            .set_role(self.role)
            .command(self.command)
            .set_default_arguments(Some(self.default_arguments))
            .set_glue_version(self.glue_version)
            .set_max_capacity(self.max_capacity)
            .set_worker_type(self.worker_type)
            .set_number_of_workers(self.number_of_workers)
            .set_timeout(self.timeout)
            .set_max_retries(self.max_retries)
            .execution_property(self.concurrency)
            .build()
    }
}

/// `arn:{partition}:glue:{region}:{account}:job/{name}`.
pub fn job_arn(account: &AccountContext, name: &str) -> String {
    format!(
        "arn:{}:glue:{}:{}:job/{name}",
        account.partition, account.region, account.account_id
    )
}

/// The live spec of a job: every property, unset written as the schema's default. A Spark job
/// reports the capacity its workers add up to; that is not a capacity of its own.
pub fn job_spec(name: &str, job: &Job, tags: &Tags) -> Value {
    let command = job.command();
    let capacity = match job.worker_type() {
        Some(_) => None,
        None => job.max_capacity(),
    };
    json!({
        "name": name,
        "description": job.description(),
        "role": job.role(),
        "command": {
            "name": command.and_then(JobCommand::name),
            "script_location": command.and_then(JobCommand::script_location),
            "python_version": command.and_then(JobCommand::python_version),
        },
        "default_arguments": tags_value(job.default_arguments().into_iter().flatten()),
        "glue_version": job.glue_version(),
        "max_capacity": capacity,
        "worker_type": job.worker_type().map(WorkerType::as_str),
        "number_of_workers": job.number_of_workers(),
        "timeout_minutes": job.timeout(),
        "max_retries": job.max_retries(),
        "max_concurrent_runs": job.execution_property().map(ExecutionProperty::max_concurrent_runs),
        "tags": tags_value(tags),
    })
}

impl JobProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(lakectl_provider::client!(aws_sdk_glue, config), account)
    }

    /// A provider over a client built elsewhere (request-asserting tests).
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        JobProvider {
            client,
            account: account.clone(),
            schema: job_schema(),
        }
    }

    fn attributes(&self, name: &str) -> Attributes {
        Attributes::from([
            ("arn".to_string(), job_arn(&self.account, name)),
            ("name".to_string(), name.to_string()),
        ])
    }

    /// GetJob; `None` when there is no such job.
    async fn get(&self, name: &str) -> Result<Option<Job>, ProviderError> {
        let out = self
            .client
            .get_job()
            .job_name(name)
            .send()
            .await
            .doing("glue:GetJob", name)
            .found()?;
        Ok(out.and_then(|o| o.job))
    }
}

#[async_trait]
impl Provider for JobProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Capacity as a decimal on both sides: `1` and `1.0` are one DPU. A Spark job sized by
    /// capacity alone is that many G.1X workers (one DPU each): AWS adds that worker form to
    /// such a job on its next update and reports it from then on (GLJ-2), and Glue 2.0 and
    /// later take only the worker form.
    fn normalize(&self, spec: &mut Value) {
        if let Some(c) = spec.get_mut("max_capacity")
            && let Some(n) = c.as_f64().and_then(Number::from_f64)
        {
            *c = Value::Number(n);
        }
        let spark = spec
            .pointer("/command/name")
            .and_then(Value::as_str)
            .is_some_and(|n| n != "pythonshell");
        let workers = spec
            .get("max_capacity")
            .and_then(Value::as_f64)
            .filter(|c| c.fract() == 0.0 && *c >= 1.0);
        if spark
            && spec.get("worker_type").is_none_or(Value::is_null)
            && let Some(n) = workers
        {
            spec["worker_type"] = json!("G.1X");
            spec["number_of_workers"] = json!(n as i64);
            spec["max_capacity"] = Value::Null;
        }
    }

    fn predict_attributes(&self, name: &str) -> Attributes {
        self.attributes(name)
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(job) = self.get(name).await? else {
            return Ok(Observation::Missing);
        };
        let tags = crate::tags::read(&self.client, &job_arn(&self.account, name), name).await?;
        // Deleted between the two reads: report what is true now.
        let Some(tags) = tags else {
            return Ok(Observation::Missing);
        };
        Ok(Observation::Exists(Live {
            spec: job_spec(name, &job, &tags),
            attributes: self.attributes(name),
        }))
    }

    /// CreateJob with the tags, so the job never exists untagged. GetJob asks first: AWS
    /// refuses a taken name, but an endpoint that overwrote the job instead would change
    /// someone else's; either way a taken name is reported, never adopted.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if self.get(name).await?.is_some() {
            return Err(ProviderError::already_exists("glue:CreateJob", name));
        }
        let d = Definition::of(&req.spec);
        self.client
            .create_job()
            .name(name)
            .set_description(d.description)
            .set_role(d.role)
            .command(d.command)
            .set_default_arguments(Some(d.default_arguments))
            .set_glue_version(d.glue_version)
            .set_max_capacity(d.max_capacity)
            .set_worker_type(d.worker_type)
            .set_number_of_workers(d.number_of_workers)
            .set_timeout(d.timeout)
            .set_max_retries(d.max_retries)
            .execution_property(d.concurrency)
            .set_tags(Some(tags_of(name, &req.spec)?.into_iter().collect()))
            .send()
            .await
            .doing("glue:CreateJob", name)?;
        Ok(self.attributes(name))
    }

    /// UpdateJob with the whole definition when anything but the tags changed; tags apart.
    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        if req.touches_other_than(&["tags"]) {
            self.client
                .update_job()
                .job_name(name)
                .job_update(Definition::of(&req.desired).update())
                .send()
                .await
                .doing("glue:UpdateJob", name)?;
        }
        if let Some(diff) = lakectl_provider::tags::changed(req)? {
            crate::tags::sync(&self.client, &job_arn(&self.account, name), name, &diff).await?;
        }
        Ok(self.attributes(name))
    }

    /// DeleteJob, which Glue answers the same whether or not the job exists.
    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        self.client
            .delete_job()
            .job_name(&req.name)
            .send()
            .await
            .doing("glue:DeleteJob", &req.name)
            .gone_is_done()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spark_jobs_computed_capacity_is_not_drift_and_whole_dpus_compare_equal() {
        let job = Job::builder()
            .name("j")
            .role("arn:aws:iam::1:role/r")
            .command(
                JobCommand::builder()
                    .name("glueetl")
                    .script_location("s3://a/j.py")
                    .build(),
            )
            .glue_version("4.0")
            .worker_type(WorkerType::G1X)
            .number_of_workers(2)
            .max_capacity(2.0)
            .timeout(2880)
            .build();
        let live = job_spec("j", &job, &Tags::new());
        assert_eq!(
            live["max_capacity"],
            Value::Null,
            "2 G.1X workers are not a capacity"
        );
        assert_eq!(live["worker_type"], "G.1X");

        let p = JobProvider::from_client(
            Client::from_conf(
                aws_sdk_glue::Config::builder()
                    .behavior_version(aws_sdk_glue::config::BehaviorVersion::latest())
                    .build(),
            ),
            &AccountContext {
                account_id: "1".into(),
                region: "us-east-1".into(),
                partition: "aws".into(),
            },
        );
        let (mut desired, mut read) = (json!({"max_capacity": 1}), json!({"max_capacity": 1.0}));
        p.normalize(&mut desired);
        p.normalize(&mut read);
        assert_eq!(desired, read);

        // GLJ-2: a Spark job written with a capacity, read back after AWS added the workers.
        let legacy = Job::builder()
            .name("j")
            .command(JobCommand::builder().name("glueetl").build())
            .max_capacity(10.0)
            .worker_type(WorkerType::G1X)
            .number_of_workers(10)
            .build();
        let mut read = job_spec("j", &legacy, &Tags::new());
        let mut desired = read.clone();
        desired["max_capacity"] = json!(10);
        desired["worker_type"] = Value::Null;
        desired["number_of_workers"] = Value::Null;
        p.normalize(&mut desired);
        p.normalize(&mut read);
        assert_eq!(desired, read);
    }
}
