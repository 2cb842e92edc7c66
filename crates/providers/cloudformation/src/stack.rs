//! The calls on one stack: reads, create, change sets, repairs, delete, and the waits
//! between them, each bounded by the request's wait limit.

use crate::EventSink;
use crate::live;
use crate::schema::s3_location;
use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::types::{
    Capability, ChangeSetStatus, ChangeSetType, OnFailure, Parameter, Stack, StackEvent, Tag,
    TemplateStage,
};
use lakectl_core::{Attributes, Detail, ProviderError};
use lakectl_provider::diff::string;
use lakectl_provider::tags::tags_of;
use lakectl_provider::wait::{Goal, Poll, until};
use lakectl_provider::{AccountContext, ClassedWhen, Doing, Found};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// CloudFormation's words for a stack or change set that is not there.
const MISSING: &str = "does not exist";

/// One operation on a stack, as its wait and its outcome read.
struct Op {
    /// What the wait is for: `be created`.
    goal: &'static str,
    /// The status it ends in when it worked.
    want: &'static str,
    /// The stack's status as it begins, which marks its first event.
    began: &'static str,
    /// The verb, for the error: `create`.
    doing: &'static str,
}

const CREATE: Op = Op {
    goal: "be created",
    want: "CREATE_COMPLETE",
    began: "CREATE_IN_PROGRESS",
    doing: "create",
};
const UPDATE: Op = Op {
    goal: "be updated",
    want: "UPDATE_COMPLETE",
    began: "UPDATE_IN_PROGRESS",
    doing: "update",
};
const ROLLBACK: Op = Op {
    goal: "finish its rollback",
    want: "UPDATE_ROLLBACK_COMPLETE",
    began: "UPDATE_ROLLBACK_IN_PROGRESS",
    doing: "finish the rollback of",
};
const DELETE: Op = Op {
    goal: "be deleted",
    want: "DELETE_COMPLETE",
    began: "DELETE_IN_PROGRESS",
    doing: "delete",
};

fn gone(name: &str, op: &Op) -> ProviderError {
    ProviderError::invalid(
        name,
        format!(
            "the stack disappeared while CloudFormation was to {} it",
            op.doing
        ),
    )
}

/// The stack calls, for one region.
pub(crate) struct Stacks {
    client: Client,
    region: String,
    partition: String,
    pub(crate) events: Option<EventSink>,
}

/// What the stack is given on create and on each change set.
struct Inputs {
    template_url: String,
    parameters: Vec<Parameter>,
    capabilities: Vec<Capability>,
    tags: Vec<Tag>,
}

impl Stacks {
    pub(crate) fn new(client: Client, account: &AccountContext) -> Self {
        Stacks {
            client,
            region: account.region.clone(),
            partition: account.partition.clone(),
            events: None,
        }
    }

    /// DescribeStacks; `None` when there is no such stack.
    pub(crate) async fn describe(&self, name: &str) -> Result<Option<Stack>, ProviderError> {
        let out = self
            .client
            .describe_stacks()
            .stack_name(name)
            .send()
            .await
            .doing("cloudformation:DescribeStacks", name)
            .missing_when_says("ValidationError", MISSING)
            .found()?;
        Ok(out.and_then(|o| o.stacks().first().cloned()))
    }

    /// The live template's text, as it was sent.
    pub(crate) async fn template(&self, name: &str) -> Result<Option<String>, ProviderError> {
        let out = self
            .client
            .get_template()
            .stack_name(name)
            .template_stage(TemplateStage::Original)
            .send()
            .await
            .doing("cloudformation:GetTemplate", name)
            .missing_when_says("ValidationError", MISSING)
            .found()?;
        Ok(out.and_then(|o| o.template_body().map(str::to_string)))
    }

    /// The live template's parameter defaults.
    pub(crate) async fn defaults(
        &self,
        name: &str,
    ) -> Result<BTreeMap<String, String>, ProviderError> {
        let out = self
            .client
            .get_template_summary()
            .stack_name(name)
            .send()
            .await
            .doing("cloudformation:GetTemplateSummary", name)
            .missing_when_says("ValidationError", MISSING)
            .found()?;
        Ok(out
            .iter()
            .flat_map(|o| o.parameters())
            .filter_map(|p| {
                Some((
                    p.parameter_key()?.to_string(),
                    p.default_value()?.to_string(),
                ))
            })
            .collect())
    }

    /// `name`, `arn` and the outputs, read now.
    pub(crate) async fn attributes(&self, name: &str) -> Result<Attributes, ProviderError> {
        match self.describe(name).await? {
            Some(stack) => Ok(live::attributes(name, &stack)),
            None => Err(ProviderError::invalid(
                name,
                "the stack is gone right after it was deployed",
            )),
        }
    }

    /// The HTTPS URL CloudFormation reads an `s3://bucket/key` template from.
    fn template_url(&self, name: &str, spec: &Value) -> Result<String, ProviderError> {
        let uri = string(spec, "template").unwrap_or_default();
        let (bucket, key) = s3_location(&uri).ok_or_else(|| {
            ProviderError::invalid(name, format!("`{uri}` is not an uploaded template"))
        })?;
        let domain = match self.partition.as_str() {
            "aws-cn" => "amazonaws.com.cn",
            _ => "amazonaws.com",
        };
        Ok(format!(
            "https://{bucket}.s3.{}.{domain}/{key}",
            self.region
        ))
    }

    fn inputs(&self, name: &str, spec: &Value) -> Result<Inputs, ProviderError> {
        // By name, so that the same spec is always the same request.
        let parameters: BTreeMap<&String, &Value> = spec
            .get("parameters")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .collect();
        let parameters = parameters
            .into_iter()
            .map(|(k, v)| {
                Parameter::builder()
                    .parameter_key(k)
                    .set_parameter_value(v.as_str().map(str::to_string))
                    .build()
            })
            .collect();
        let capabilities = spec
            .get("capabilities")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(Capability::from)
            .collect();
        let tags = tags_of(name, spec)?
            .into_iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        Ok(Inputs {
            template_url: self.template_url(name, spec)?,
            parameters,
            capabilities,
            tags,
        })
    }

    /// CreateStack, then wait for CREATE_COMPLETE.
    pub(crate) async fn create(
        &self,
        name: &str,
        spec: &Value,
        limit: Duration,
    ) -> Result<Attributes, ProviderError> {
        let i = self.inputs(name, spec)?;
        let seen = self.seen(name).await;
        self.client
            .create_stack()
            .stack_name(name)
            .template_url(i.template_url)
            .set_parameters(Some(i.parameters))
            .set_capabilities(Some(i.capabilities))
            .set_tags(Some(i.tags))
            .enable_termination_protection(
                spec.get("termination_protection")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            )
            .on_failure(OnFailure::Rollback)
            .send()
            .await
            .doing("cloudformation:CreateStack", name)?;
        self.finish(name, &CREATE, limit, seen)
            .await?
            .ok_or_else(|| gone(name, &CREATE))
    }

    /// A change set of `spec` against the live stack, once CloudFormation has computed it:
    /// its id and changes, or `None` when it holds no changes (then it is deleted already).
    async fn change_set(
        &self,
        name: &str,
        spec: &Value,
        limit: Duration,
        body: Option<String>,
    ) -> Result<Option<(String, Vec<Detail>)>, ProviderError> {
        let i = self.inputs(name, spec)?;
        // The template's own text when given (a plan, before deploy uploads it), else the
        // uploaded asset.
        let (template_url, template_body) = match body {
            Some(b) => (None, Some(b)),
            None => (Some(i.template_url), None),
        };
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let made = self
            .client
            .create_change_set()
            .stack_name(name)
            .change_set_name(format!("lakectl-{millis}"))
            .change_set_type(ChangeSetType::Update)
            .set_template_url(template_url)
            .set_template_body(template_body)
            .set_parameters(Some(i.parameters))
            .set_capabilities(Some(i.capabilities))
            .set_tags(Some(i.tags))
            .send()
            .await
            .doing("cloudformation:CreateChangeSet", name)?;
        let id = made.id().unwrap_or_default().to_string();
        let goal = Goal {
            operation: "cloudformation:DescribeChangeSet",
            resource: name,
            goal: "have its change set computed",
        };
        let computed = until(goal, limit, || self.read_change_set(name, &id)).await;
        match computed {
            Ok(Some(details)) => Ok(Some((id, details))),
            Ok(None) => {
                self.drop_change_set(name, &id).await?;
                Ok(None)
            }
            Err(e) => {
                // Best effort: the change set is of no use now, and the error matters more.
                let _ = self.drop_change_set(name, &id).await;
                Err(e)
            }
        }
    }

    /// One look at a change set: its changes once computed (`None`: nothing to change).
    async fn read_change_set(
        &self,
        name: &str,
        id: &str,
    ) -> Result<Poll<Option<Vec<Detail>>>, ProviderError> {
        let mut details = Vec::new();
        let mut token = None;
        loop {
            let out = self
                .client
                .describe_change_set()
                .stack_name(name)
                .change_set_name(id)
                .set_next_token(token)
                .send()
                .await
                .doing("cloudformation:DescribeChangeSet", name)?;
            let reason = out.status_reason().unwrap_or("no reason given");
            match out.status() {
                Some(ChangeSetStatus::CreateComplete) => {}
                Some(ChangeSetStatus::Failed) if live::says_no_changes(reason) => {
                    return Ok(Poll::Ready(None));
                }
                Some(ChangeSetStatus::Failed) => {
                    return Err(ProviderError::invalid(
                        name,
                        format!("CloudFormation could not make a change set: {reason}"),
                    ));
                }
                other => {
                    return Ok(Poll::Pending(other.map_or("?", |s| s.as_str()).to_string()));
                }
            }
            details.extend(live::details(out.changes()));
            token = out.next_token().map(str::to_string);
            if token.is_none() {
                return Ok(Poll::Ready(Some(details)));
            }
        }
    }

    async fn drop_change_set(&self, name: &str, id: &str) -> Result<(), ProviderError> {
        self.client
            .delete_change_set()
            .stack_name(name)
            .change_set_name(id)
            .send()
            .await
            .doing("cloudformation:DeleteChangeSet", name)
            .missing_when_says("ValidationError", MISSING)
            .gone_is_done()
    }

    /// What a change set of `spec` would change; the change set is deleted again.
    pub(crate) async fn preview(
        &self,
        name: &str,
        spec: &Value,
        limit: Duration,
        body: Option<String>,
    ) -> Result<Vec<Detail>, ProviderError> {
        match self.change_set(name, spec, limit, body).await? {
            Some((id, details)) => {
                self.drop_change_set(name, &id).await?;
                Ok(details)
            }
            None => Ok(Vec::new()),
        }
    }

    /// A change set of `spec`, executed and waited on; nothing when it holds no changes.
    pub(crate) async fn change(
        &self,
        name: &str,
        spec: &Value,
        limit: Duration,
    ) -> Result<(), ProviderError> {
        let Some((id, _)) = self.change_set(name, spec, limit, None).await? else {
            return Ok(());
        };
        let seen = self.seen(name).await;
        self.client
            .execute_change_set()
            .stack_name(name)
            .change_set_name(&id)
            .send()
            .await
            .doing("cloudformation:ExecuteChangeSet", name)?;
        self.finish(name, &UPDATE, limit, seen).await.map(drop)
    }

    /// UpdateTerminationProtection.
    pub(crate) async fn protect(&self, name: &str, on: bool) -> Result<(), ProviderError> {
        self.client
            .update_termination_protection()
            .stack_name(name)
            .enable_termination_protection(on)
            .send()
            .await
            .doing("cloudformation:UpdateTerminationProtection", name)
            .map(drop)
    }

    /// ContinueUpdateRollback on a stack whose update rollback failed, then wait for
    /// UPDATE_ROLLBACK_COMPLETE.
    pub(crate) async fn continue_rollback(
        &self,
        name: &str,
        limit: Duration,
    ) -> Result<(), ProviderError> {
        let seen = self.seen(name).await;
        self.client
            .continue_update_rollback()
            .stack_name(name)
            .send()
            .await
            .doing("cloudformation:ContinueUpdateRollback", name)?;
        self.finish(name, &ROLLBACK, limit, seen).await.map(drop)
    }

    /// DeleteStack and wait until it is gone.
    pub(crate) async fn delete(&self, name: &str, limit: Duration) -> Result<(), ProviderError> {
        let Some(stack) = self.describe(name).await? else {
            return Ok(());
        };
        if stack.enable_termination_protection() == Some(true) {
            return Err(ProviderError::invalid(
                name,
                "termination protection is on: set `termination_protection: false`, deploy, then delete",
            ));
        }
        let seen = self.seen(name).await;
        self.client
            .delete_stack()
            .stack_name(name)
            .send()
            .await
            .doing("cloudformation:DeleteStack", name)?;
        self.finish(name, &DELETE, limit, seen).await.map(drop)
    }

    /// Waits for the end of `op`: the stack's attributes once it reached the status wanted
    /// (`None`: it is gone, as a delete wants), or an error naming the resource that failed
    /// and why.
    async fn finish(
        &self,
        name: &str,
        op: &Op,
        limit: Duration,
        seen: Mutex<BTreeSet<String>>,
    ) -> Result<Option<Attributes>, ProviderError> {
        match self.settle(name, op.goal, limit, seen).await? {
            None if op.want == DELETE.want => Ok(None),
            None => Err(gone(name, op)),
            Some(stack) => self.expect(name, &stack, op).await.map(Some),
        }
    }

    /// Waits until CloudFormation is done with the stack (`None`: it is gone), reporting each
    /// new event to the sink.
    async fn settle(
        &self,
        name: &str,
        goal: &str,
        limit: Duration,
        seen: Mutex<BTreeSet<String>>,
    ) -> Result<Option<Stack>, ProviderError> {
        let goal = Goal {
            operation: "cloudformation:DescribeStacks",
            resource: name,
            goal,
        };
        until(goal, limit, || async {
            self.report(name, &seen).await;
            let stack = self.describe(name).await?;
            let status = stack.as_ref().map_or("", live::status_of);
            match live::phase(status) {
                live::Phase::Busy => Ok(Poll::Pending(status.to_string())),
                _ => Ok(Poll::Ready(stack)),
            }
        })
        .await
    }

    /// The stack reached `op.want`, or an error naming the resource that failed and why.
    async fn expect(
        &self,
        name: &str,
        stack: &Stack,
        op: &Op,
    ) -> Result<Attributes, ProviderError> {
        let status = live::status_of(stack);
        if status == op.want {
            return Ok(live::attributes(name, stack));
        }
        let events = self.recent_events(name).await.unwrap_or_default();
        let cause = live::root_cause(&events, name, op.began)
            .or_else(|| stack.stack_status_reason().map(str::to_string))
            .unwrap_or_else(|| "CloudFormation gave no reason".to_string());
        Err(ProviderError::invalid(
            name,
            format!(
                "CloudFormation could not {} the stack, which is now {status}: {cause}",
                op.doing
            ),
        ))
    }

    /// The newest page of the stack's events.
    async fn recent_events(&self, name: &str) -> Result<Vec<StackEvent>, ProviderError> {
        let out = self
            .client
            .describe_stack_events()
            .stack_name(name)
            .send()
            .await
            .doing("cloudformation:DescribeStackEvents", name)
            .missing_when_says("ValidationError", MISSING)
            .found()?;
        Ok(out.map(|o| o.stack_events().to_vec()).unwrap_or_default())
    }

    /// The ids of the events there before an operation, so that only its own are reported;
    /// nothing to read when no one listens.
    async fn seen(&self, name: &str) -> Mutex<BTreeSet<String>> {
        let ids = match &self.events {
            Some(_) => self
                .recent_events(name)
                .await
                .unwrap_or_default()
                .iter()
                .filter_map(|e| e.event_id().map(str::to_string))
                .collect(),
            None => BTreeSet::new(),
        };
        Mutex::new(ids)
    }

    /// Sends the events not seen yet to the sink, oldest first. Progress only: a failed read
    /// is skipped, the wait's own read reports errors.
    async fn report(&self, name: &str, seen: &Mutex<BTreeSet<String>>) {
        let Some(sink) = &self.events else { return };
        let events = self.recent_events(name).await.unwrap_or_default();
        let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
        for e in events.iter().rev() {
            if let Some(id) = e.event_id()
                && seen.insert(id.to_string())
            {
                sink(name, &live::event_line(e));
            }
        }
    }
}
