//! The `cloudformation.stack` resource kind, built only on the provider kit: a stack of a
//! template uploaded as an asset, its parameters, capabilities, termination protection and
//! tags; its outputs are attributes.
//!
//! A plan compares the template (the hash in its asset key against the hash of the live
//! template's text) and the parameters with the live stack, so a stack that matches costs three reads
//! and no change set. One that differs gets a change set whose changes the plan shows; it is
//! deleted again. Deploy makes a new change set, executes it and waits, naming the resource
//! that failed and CloudFormation's reason. Stuck stacks are repaired first: one that holds
//! nothing (a failed create) is deleted and created again, a failed update rollback is
//! continued, and one CloudFormation is busy with is waited on.

mod live;
mod schema;
mod stack;

pub use schema::{KIND, name_rule, schema};

use async_trait::async_trait;
use aws_sdk_cloudformation::Client;
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Detail, Live, Observation, Provider, ProviderError,
    Schema, UpdateRequest,
};
use lakectl_provider::AccountContext;
use live::Phase;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Receives a line for each stack event while lakectl waits on CloudFormation:
/// `(stack name, "Role (AWS::IAM::Role) CREATE_COMPLETE")`.
pub type EventSink = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// The most CloudFormation takes as a template's text in a request (larger ones go by URL).
const MAX_TEMPLATE_BODY: usize = 51_200;

/// How long to wait before looking again at a stack CloudFormation is busy with.
const BUSY_RETRY: Duration = Duration::from_secs(5);

/// Manages `cloudformation.stack` resources.
pub struct CloudFormationProvider {
    stacks: stack::Stacks,
    schema: Schema,
    defaults: Defaults,
    /// The stack folder, where templates are found by their asset key.
    templates: Option<PathBuf>,
}

/// The parameter defaults of each template read, by content hash.
///
/// A live stack reports every parameter, those left to their default among them; a stack
/// file leaves those out. So observe drops a parameter at its template's default, and
/// normalize does the same to a desired spec of the same template, which it knows by hash:
/// a parameter written out at its default then compares equal to one left out. A desired
/// template not read yet is a template change, planned as such, after which both agree.
#[derive(Default)]
struct Defaults(Mutex<BTreeMap<String, BTreeMap<String, String>>>);

impl Defaults {
    fn learn(&self, hash: &str, defaults: &BTreeMap<String, String>) {
        let mut known = self.0.lock().unwrap_or_else(|p| p.into_inner());
        known.insert(hash.to_string(), defaults.clone());
    }

    fn drop_from(&self, hash: &str, spec: &mut serde_json::Value) {
        let known = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let (Some(defaults), Some(params)) = (
            known.get(hash),
            spec.get_mut("parameters")
                .and_then(serde_json::Value::as_object_mut),
        ) else {
            return;
        };
        params.retain(|k, v| defaults.get(k).map(String::as_str) != v.as_str());
    }
}

impl CloudFormationProvider {
    /// A provider using the shared SDK config; templates are read from S3 in `account`'s
    /// region.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        Self::from_client(
            lakectl_provider::client!(aws_sdk_cloudformation, config),
            account,
        )
    }

    /// A provider over a client built elsewhere.
    pub fn from_client(client: Client, account: &AccountContext) -> Self {
        CloudFormationProvider {
            stacks: stack::Stacks::new(client, account),
            schema: schema(),
            defaults: Defaults::default(),
            templates: None,
        }
    }

    /// Finds templates in `stacks_dir` by their asset key, so that a plan can show the change
    /// set of a template that deploy has not uploaded yet.
    pub fn with_templates(mut self, stacks_dir: PathBuf) -> Self {
        self.templates = Some(stacks_dir);
        self
    }

    /// The text of the template at asset `uri`, from the stack folder: the file of that name
    /// whose content hash is the key's. `None` when there is none (or it is too big to send).
    fn local_template(&self, uri: &str) -> Option<String> {
        let hash = schema::content_hash(uri)?;
        let file = uri.rsplit('/').next()?;
        let mut dirs = vec![self.templates.clone()?];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).ok()?.filter_map(Result::ok) {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.file_name().is_some_and(|n| n == file)
                    && let Ok(text) = std::fs::read_to_string(&path)
                    && live::template_hash(&text) == hash
                    && text.len() <= MAX_TEMPLATE_BODY
                {
                    return Some(text);
                }
            }
        }
        None
    }

    /// Reports each stack event seen while waiting to `sink`.
    pub fn with_events(mut self, sink: EventSink) -> Self {
        self.stacks.events = Some(sink);
        self
    }
}

#[async_trait]
impl Provider for CloudFormationProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The template's hash, from its asset key: what the live template's text hashes to.
    /// Parameters set to their template default are left out, as the live stack reports them
    /// (see [`Defaults`]).
    fn normalize(&self, spec: &mut serde_json::Value) {
        let hash = spec
            .get("template")
            .and_then(serde_json::Value::as_str)
            .and_then(schema::content_hash)
            .map(str::to_string);
        let Some(hash) = hash else { return };
        self.defaults.drop_from(&hash, spec);
        if let Some(obj) = spec.as_object_mut() {
            obj.insert("template_hash".into(), hash.into());
        }
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(stack) = self.stacks.describe(name).await? else {
            return Ok(Observation::Missing);
        };
        let status = live::status_of(&stack).to_string();
        let phase = live::phase(&status);
        if phase == Phase::Busy {
            return Ok(Observation::Pending {
                retry_after: BUSY_RETRY,
                status,
            });
        }
        let (body, defaults) = match phase {
            Phase::Empty => (None, Default::default()),
            _ => (
                self.stacks.template(name).await?,
                self.stacks.defaults(name).await?,
            ),
        };
        if let Some(body) = &body {
            self.defaults.learn(&live::template_hash(body), &defaults);
        }
        Ok(Observation::Exists(Live {
            spec: live::live_spec(name, &stack, body.as_deref(), &defaults),
            attributes: live::attributes(name, &stack),
        }))
    }

    /// CreateStack and wait. A failed create is left rolled back (CloudFormation keeps its
    /// events), which the next deploy deletes and creates again.
    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        self.stacks
            .create(&req.name, &req.spec, req.wait_limit)
            .await
    }

    /// Repairs a stuck stack first; then termination protection apart, and a change set for
    /// everything else, executed and waited on.
    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let name = req.name.as_str();
        let status = req
            .live
            .get("status")
            .and_then(|s| s.as_str())
            .unwrap_or("");
        match live::phase(status) {
            Phase::Empty => {
                self.stacks.delete(name, req.wait_limit).await?;
                return self.stacks.create(name, &req.desired, req.wait_limit).await;
            }
            Phase::RollbackFailed => self.stacks.continue_rollback(name, req.wait_limit).await?,
            Phase::DeleteFailed => {
                return Err(ProviderError::invalid(
                    name,
                    "the stack is DELETE_FAILED: an earlier delete stopped halfway. Fix what its events name, then run `lakectl destroy` and deploy again",
                ));
            }
            Phase::Ready | Phase::Busy => {}
        }
        if req.touches("termination_protection") {
            self.stacks.protect(name, protected(&req.desired)).await?;
        }
        if req.touches_other_than(&["termination_protection", "status"])
            || live::phase(status) == Phase::RollbackFailed
        {
            self.stacks
                .change(name, &req.desired, req.wait_limit)
                .await?;
        }
        self.stacks.attributes(name).await
    }

    /// DeleteStack and wait; refused while termination protection is on.
    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        self.stacks.delete(&req.name, req.wait_limit).await
    }

    fn previews(&self) -> bool {
        true
    }

    /// A template not uploaded yet is sent as its text, found in the stack folder.
    fn previews_ahead(&self) -> bool {
        self.templates.is_some()
    }

    /// The change set CloudFormation makes for the update, deleted again. Nothing to ask
    /// when only termination protection changes or the stack must be repaired first.
    async fn preview(&self, req: &UpdateRequest) -> Result<Vec<Detail>, ProviderError> {
        let status = req
            .live
            .get("status")
            .and_then(|s| s.as_str())
            .unwrap_or("");
        if live::phase(status) != Phase::Ready
            || !req.touches_other_than(&["termination_protection", "status"])
        {
            return Ok(Vec::new());
        }
        let body = req
            .desired
            .get("template")
            .and_then(serde_json::Value::as_str)
            .and_then(|uri| self.local_template(uri));
        // An edited template not found in the stack folder (or too big to send) is not
        // uploaded yet: there is nothing CloudFormation could read.
        if body.is_none() && req.touches("template_hash") {
            return Ok(Vec::new());
        }
        self.stacks
            .preview(&req.name, &req.desired, req.wait_limit, body)
            .await
    }
}

fn protected(spec: &serde_json::Value) -> bool {
    spec.get("termination_protection")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false)
}
