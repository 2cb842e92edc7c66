//! A fake provider over an in-memory world, and a harness around the engine, for unit tests.

use crate::engine::Engine;
use crate::error::EngineError;
use crate::options::{ApplyOptions, PlanMode, PlanOptions};
use crate::planned::PlannedChanges;
use crate::progress::{Progress, ProgressEvent};
use crate::report::ApplyReport;
use crate::state::memory::MemoryStateStore;
use crate::state::{StackEnv, StateStore};
use async_trait::async_trait;
use lakectl_core::{
    Address, Attributes, Contents, CreateRequest, DeleteRequest, DesiredResource, DesiredStack,
    Detail, EnvSettings, ErrorClass, Live, Observation, Prop, Provider, ProviderError,
    RemovalPolicy, Schema, Type, UpdateRequest,
};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// A provider call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Op {
    Observe,
    Contents,
    Create,
    Update,
    Delete,
}

impl Op {
    pub fn is_mutation(self) -> bool {
        matches!(self, Op::Create | Op::Update | Op::Delete)
    }
}

/// One recorded call, with virtual start and end times.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub op: Op,
    pub name: String,
    /// For updates: the changed paths.
    pub paths: Vec<String>,
    pub start: Instant,
    pub end: Instant,
}

/// An injected failure.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Failure {
    /// Fails every time, not retryable.
    Permanent,
    /// Fails this many more times with an error marked to settle later, then succeeds.
    Retryable(u32),
    /// Fails every time as throttled after the SDK's own retries: final for the engine.
    Throttled,
    /// Nothing answers: the endpoint went away.
    Unreachable,
}

#[derive(Default)]
struct Inner {
    /// Live resources by physical name: spec and attributes.
    resources: BTreeMap<String, Live>,
    /// Objects held, by physical name.
    contents: BTreeMap<String, u64>,
    calls: Vec<Call>,
    failures: BTreeMap<(Op, String), Failure>,
    /// Observations left that answer `Pending`, by name.
    pending: BTreeMap<String, u32>,
    in_flight: usize,
    max_in_flight: usize,
    next_id: u64,
}

/// The fake AWS shared by every fake provider.
#[derive(Default)]
pub(crate) struct World {
    inner: Mutex<Inner>,
    /// How long each mutation takes.
    delay: Duration,
}

impl World {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }

    /// Puts a resource into the world directly (made by someone else, or drifted).
    pub fn put(&self, name: &str, spec: Value) {
        let attrs = Attributes::from([
            ("arn".to_string(), format!("arn:fake:{name}")),
            ("id".to_string(), format!("id-of-{name}")),
        ]);
        self.with(|w| {
            w.resources.insert(
                name.into(),
                Live {
                    spec,
                    attributes: attrs,
                },
            )
        });
    }

    /// Reads a live resource; panics when it is missing.
    pub fn with_live<T>(&self, name: &str, f: impl FnOnce(&Live) -> T) -> T {
        self.with(|w| f(w.resources.get(name).expect("live resource")))
    }

    /// Deletes a resource behind lakectl's back.
    pub fn with_remove(&self, name: &str) {
        self.with(|w| w.resources.remove(name));
    }

    /// The live spec of a resource.
    pub fn spec(&self, name: &str) -> Option<Value> {
        self.with(|w| w.resources.get(name).map(|l| l.spec.clone()))
    }

    /// Changes one top-level field of a live resource (drift).
    pub fn drift(&self, name: &str, field: &str, value: Value) {
        self.with(|w| {
            if let Some(l) = w.resources.get_mut(name) {
                l.spec[field] = value;
            }
        });
    }

    pub fn set_contents(&self, name: &str, objects: u64) {
        self.with(|w| w.contents.insert(name.into(), objects));
    }

    pub fn fail(&self, op: Op, name: &str, failure: Failure) {
        self.with(|w| w.failures.insert((op, name.into()), failure));
    }

    pub fn pending(&self, name: &str, times: u32) {
        self.with(|w| w.pending.insert(name.into(), times));
    }

    pub fn calls(&self) -> Vec<Call> {
        self.with(|w| w.calls.clone())
    }

    /// Mutating calls as `(op, name)`, in the order they started.
    pub fn mutations(&self) -> Vec<(Op, String)> {
        self.calls()
            .into_iter()
            .filter(|c| c.op.is_mutation())
            .map(|c| (c.op, c.name))
            .collect()
    }

    pub fn max_in_flight(&self) -> usize {
        self.with(|w| w.max_in_flight)
    }

    pub fn clear_calls(&self) {
        self.with(|w| {
            w.calls.clear();
            w.max_in_flight = 0;
        });
    }

    /// Records a call and applies any injected failure.
    async fn call<T>(
        &self,
        op: Op,
        name: &str,
        paths: Vec<String>,
        f: impl FnOnce(&mut Inner) -> Result<T, ProviderError>,
    ) -> Result<T, ProviderError> {
        let start = Instant::now();
        if op.is_mutation() {
            self.with(|w| {
                w.in_flight += 1;
                w.max_in_flight = w.max_in_flight.max(w.in_flight);
            });
            tokio::time::sleep(self.delay).await;
        }
        self.with(|w| {
            w.calls.push(Call {
                op,
                name: name.into(),
                paths,
                start,
                end: Instant::now(),
            });
            if op.is_mutation() {
                w.in_flight -= 1;
            }
            match w.failures.get_mut(&(op, name.to_string())) {
                Some(Failure::Permanent) => Err(ProviderError::Aws {
                    operation: "fake:Call",
                    resource: name.into(),
                    code: "AccessDenied".into(),
                    message: "not allowed".into(),
                    request_id: Some("req-1".into()),
                    class: ErrorClass::AccessDenied,
                    retryable: false,
                }),
                Some(Failure::Throttled) => Err(ProviderError::Aws {
                    operation: "fake:Call",
                    resource: name.into(),
                    code: "Throttling".into(),
                    message: "rate exceeded".into(),
                    request_id: None,
                    class: ErrorClass::Throttled,
                    retryable: false,
                }),
                Some(Failure::Unreachable) => Err(ProviderError::Unreachable {
                    operation: "fake:Call",
                    resource: name.into(),
                    detail: "Connection refused".into(),
                }),
                Some(Failure::Retryable(n)) if *n > 0 => {
                    *n -= 1;
                    Err(ProviderError::Aws {
                        operation: "fake:Call",
                        resource: name.into(),
                        code: "ConcurrentModification".into(),
                        message: "not settled yet".into(),
                        request_id: None,
                        class: ErrorClass::Conflict,
                        retryable: true,
                    })
                }
                _ => f(w),
            }
        })
    }
}

/// A fake kind over the world.
pub(crate) struct FakeProvider {
    schema: Schema,
    world: Arc<World>,
}

/// `fake.bucket`: taggable, `key` immutable, attributes `arn` (predicted) and `id` (known
/// only after create).
pub(crate) fn bucket_schema() -> Schema {
    Schema {
        kind: "fake.bucket",
        description: "a fake bucket",
        props: vec![
            Prop::new("key", Type::String, "immutable key").immutable(),
            Prop::new("size", Type::Int { min: 0, max: 100 }, "size"),
            Prop::new("source", Type::String, "a reference target"),
            Prop::new("members", Type::Set(Box::new(Type::String)), "a set"),
            Prop::new("tags", Type::Map(Box::new(Type::String)), "tags"),
        ],
        attributes: &["arn", "id"],
        taggable: true,
        name_rule: |_| Ok(()),
        name_max_len: 63,
    }
}

/// `fake.link`: not taggable; ownership comes from records only.
pub(crate) fn link_schema() -> Schema {
    Schema {
        kind: "fake.link",
        description: "a fake untaggable thing",
        props: vec![Prop::new("target", Type::String, "what it points at")],
        attributes: &["arn", "id"],
        taggable: false,
        name_rule: |_| Ok(()),
        name_max_len: 63,
    }
}

#[async_trait]
impl Provider for FakeProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Deliberately not the ARN create returns, as with an IAM role whose path is not `/`.
    fn predict_attributes(&self, name: &str) -> Attributes {
        Attributes::from([("arn".to_string(), format!("arn:predicted:{name}"))])
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        self.world
            .call(Op::Observe, name, vec![], |w| {
                if let Some(n) = w.pending.get_mut(name)
                    && *n > 0
                {
                    *n -= 1;
                    return Ok(Observation::Pending {
                        retry_after: Duration::from_secs(2),
                        status: "CREATING".into(),
                    });
                }
                Ok(w.resources
                    .get(name)
                    .map_or(Observation::Missing, |l| Observation::Exists(l.clone())))
            })
            .await
    }

    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        self.world
            .call(Op::Create, &req.name, vec![], |w| {
                if w.resources.contains_key(&req.name) {
                    return Err(ProviderError::already_exists("fake:Create", &req.name));
                }
                w.next_id += 1;
                let attributes = Attributes::from([
                    ("arn".to_string(), format!("arn:fake:{}", req.name)),
                    ("id".to_string(), format!("id-{}", w.next_id)),
                ]);
                w.resources.insert(
                    req.name.clone(),
                    Live {
                        spec: req.spec.clone(),
                        attributes: attributes.clone(),
                    },
                );
                Ok(attributes)
            })
            .await
    }

    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        let paths = req.changes.iter().map(|c| c.path.clone()).collect();
        self.world
            .call(Op::Update, &req.name, paths, |w| {
                let live = w
                    .resources
                    .get_mut(&req.name)
                    .ok_or_else(|| ProviderError::invalid(&req.name, "updating a missing thing"))?;
                live.spec = req.desired.clone();
                Ok(live.attributes.clone())
            })
            .await
    }

    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        self.world
            .call(Op::Delete, &req.name, vec![], |w| {
                let held = w.contents.get(&req.name).copied().unwrap_or(0);
                if held > 0 && !req.allow_data_loss {
                    return Err(ProviderError::DataLoss {
                        action: "delete",
                        resource: req.name.clone(),
                        detail: format!("{held} objects"),
                    });
                }
                w.contents.remove(&req.name);
                w.resources.remove(&req.name);
                Ok(())
            })
            .await
    }

    /// A link previews its updates, as a CloudFormation stack does: one change per changed
    /// field, named after the link.
    fn previews(&self) -> bool {
        self.schema.kind == "fake.link"
    }

    async fn preview(&self, req: &UpdateRequest) -> Result<Vec<Detail>, ProviderError> {
        Ok(req
            .changes
            .iter()
            .map(|c| Detail {
                action: "Modify".into(),
                target: format!("{}.{}", req.name, c.path),
                kind: "Fake::Part".into(),
                replacement: Some("False".into()),
            })
            .collect())
    }

    /// A bucket is where data lives.
    fn holds_data(&self) -> bool {
        self.schema.kind == "fake.bucket"
    }

    /// A link named `BUCKET/...` is held in that bucket.
    fn container(&self, name: &str) -> Option<(&'static str, String)> {
        let (bucket, _) = name.split_once('/')?;
        (self.schema.kind == "fake.link").then(|| ("fake.bucket", bucket.to_string()))
    }

    async fn contents(&self, name: &str) -> Result<Contents, ProviderError> {
        self.world
            .call(Op::Contents, name, vec![], |w| {
                Ok(match w.contents.get(name).copied().unwrap_or(0) {
                    0 => Contents::Empty,
                    count => Contents::NonEmpty {
                        count,
                        exact: true,
                        noun: "objects",
                    },
                })
            })
            .await
    }
}

/// Collects progress events.
#[derive(Default)]
pub(crate) struct Recorder(Mutex<Vec<ProgressEvent>>);

impl Recorder {
    pub fn events(&self) -> Vec<ProgressEvent> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Progress for Recorder {
    fn event(&self, e: &ProgressEvent) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(e.clone());
    }
}

/// The physical name the harness gives an address.
pub(crate) fn physical(address: &str) -> String {
    format!("lake-dev-{}", address.replace(['[', ']'], "-"))
}

/// A desired resource of `kind` at `address` (physical name from [`physical`]).
pub(crate) fn res(kind: &str, address: &str, spec: Value) -> DesiredResource {
    let address = Address::parse(address).expect("test address");
    DesiredResource {
        name: physical(address.as_str()),
        address,
        kind: kind.into(),
        spec,
        location: "stacks/lake.yaml:1:1".into(),
        explicit_deps: Default::default(),
        moved_from: Vec::new(),
        removal_policy: None,
    }
}

/// A stack `lake` in env `dev` with these resources.
pub(crate) fn stack(resources: Vec<DesiredResource>, policy: RemovalPolicy) -> DesiredStack {
    DesiredStack {
        stack: "lake".into(),
        env: EnvSettings {
            name: "dev".into(),
            region: "us-east-1".into(),
            account_id: None,
            endpoint: None,
            removal_policy: policy,
            emulator: false,
        },
        resources: resources
            .into_iter()
            .map(|r| (r.address.clone(), r))
            .collect(),
        outputs: BTreeMap::new(),
    }
}

/// The ownership tags of `address` in lake/dev.
pub(crate) fn our_tags(address: &str) -> Value {
    json!({"lakectl:stack": "lake", "lakectl:env": "dev", "lakectl:address": address})
}

/// An engine over both fake kinds, one world and a memory state store.
pub(crate) struct Harness {
    pub world: Arc<World>,
    pub state: Arc<MemoryStateStore>,
    pub engine: Engine,
    pub progress: Arc<Recorder>,
}

impl Harness {
    /// Mutations take `delay` each.
    pub fn new(delay: Duration) -> Self {
        let world = Arc::new(World {
            delay,
            ..World::default()
        });
        let providers: Vec<Arc<dyn Provider>> = vec![
            Arc::new(FakeProvider {
                schema: bucket_schema(),
                world: world.clone(),
            }),
            Arc::new(FakeProvider {
                schema: link_schema(),
                world: world.clone(),
            }),
        ];
        let state = Arc::new(MemoryStateStore::new());
        let progress = Arc::new(Recorder::default());
        let engine = Engine::new(providers, state.clone()).with_progress(progress.clone());
        Harness {
            world,
            state,
            engine,
            progress,
        }
    }

    pub fn at() -> StackEnv {
        StackEnv {
            stack: "lake".into(),
            env: "dev".into(),
        }
    }

    pub async fn plan(
        &self,
        d: &DesiredStack,
        mode: PlanMode,
    ) -> Result<PlannedChanges, EngineError> {
        self.engine
            .plan(
                d,
                &PlanOptions {
                    mode,
                    concurrency: 4,
                    targets: Vec::new(),
                },
            )
            .await
    }

    pub async fn apply(
        &self,
        planned: &PlannedChanges,
        concurrency: usize,
        allow_data_loss: bool,
    ) -> Result<ApplyReport, EngineError> {
        let opts = ApplyOptions {
            concurrency,
            allow_data_loss,
        };
        self.engine
            .apply(planned, &opts, self.progress.as_ref())
            .await
    }

    /// Plans and applies; panics on any error.
    pub async fn deploy(&self, d: &DesiredStack) -> ApplyReport {
        let planned = self.plan(d, PlanMode::Deploy).await.expect("plan");
        self.apply(&planned, 8, false).await.expect("apply")
    }

    pub async fn records(&self) -> Vec<crate::state::ResourceRecord> {
        self.state.records(&Self::at()).await.expect("records")
    }
}
