//! Carrying out one planned change: intent recorded, provider called (with retries), result
//! recorded.

use crate::engine::{Providers, provider_of};
use crate::error::EngineError;
use crate::observe::{Target, observe_settled};
use crate::ownership::{Claim, Ownership, ownership};
use crate::planned::Node;
use crate::progress::{Progress, ProgressEvent};
use crate::retry::with_retries;
use crate::specs::{Known, prepare, resolve, with_name};
use crate::state::{RecordStatus, ResourceRecord, StackEnv, StateStore};
use lakectl_core::{
    Action, Attributes, CreateRequest, DeleteRequest, FieldChange, Live, Observation, Provider,
    ProviderError, ResourceId, UpdateRequest, diff,
};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;

/// How long a provider may wait for one resource to settle after a change.
pub(crate) const WAIT_LIMIT: Duration = Duration::from_secs(300);

/// What every change needs, shared by all running changes.
#[derive(Clone)]
pub(crate) struct Context {
    pub providers: Providers,
    pub state: Arc<dyn StateStore>,
    pub at: StackEnv,
    /// Passed to deletes: false whenever the env retains data.
    pub allow_data_loss: bool,
    /// Retry events go to the walker, which forwards them to the caller's progress.
    pub events: UnboundedSender<ProgressEvent>,
}

impl Progress for Context {
    fn event(&self, e: &ProgressEvent) {
        let _ = self.events.send(e.clone());
    }
}

/// Carries out `node`; returns its attributes (with `name`) when it still exists afterwards.
/// `known` holds the attributes of everything it depends on.
pub(crate) async fn execute(
    cx: &Context,
    node: &Node,
    known: &Known,
) -> Result<Option<Attributes>, EngineError> {
    let done = carry_out(cx, node, known).await?;
    // Moved: the record under its old address goes only once the new one is written, so a
    // run killed in between leaves two records of it, which the next plan reads as the move.
    if let Some(old) = &node.drop_record {
        cx.state.remove_record(&cx.at, old).await.map_err(|e| {
            EngineError::state(
                format!("removing the record of {old}, moved to {}", node.address),
                e,
            )
        })?;
    }
    Ok(done)
}

async fn carry_out(
    cx: &Context,
    node: &Node,
    known: &Known,
) -> Result<Option<Attributes>, EngineError> {
    let provider = provider_of(&cx.providers, &node.address, &node.kind)?;
    match node.action {
        Action::NoOp => noop(cx, node).await.map(Some),
        Action::Create => {
            let spec = resolve_for_apply(provider.as_ref(), node, known)?;
            create(cx, provider.as_ref(), node, spec).await.map(Some)
        }
        Action::Update => update(cx, provider.as_ref(), node, known).await.map(Some),
        Action::Replace => {
            let spec = resolve_for_apply(provider.as_ref(), node, known)?;
            if let Some(target) = &node.delete_target {
                delete(cx, node, target, RecordStatus::Updating).await?;
            }
            create(cx, provider.as_ref(), node, spec).await.map(Some)
        }
        Action::Forget => {
            crate::state_edit::untag(&provider, &cx.at, &node.address, &node.name, cx).await?;
            forget_record(cx, node).await.map(|()| None)
        }
        Action::Delete => {
            if let Some(target) = &node.delete_target {
                delete(cx, node, target, RecordStatus::Deleting).await?;
            }
            forget_record(cx, node).await.map(|()| None)
        }
    }
}

/// Drops the record of a resource that is gone, or no longer ours.
async fn forget_record(cx: &Context, node: &Node) -> Result<(), EngineError> {
    cx.state
        .remove_record(&cx.at, &node.address)
        .await
        .map_err(|e| EngineError::state(format!("removing the record of {}", node.address), e))
}

fn record(
    node: &Node,
    kind: &str,
    name: &str,
    status: RecordStatus,
    attributes: &Attributes,
) -> ResourceRecord {
    ResourceRecord {
        address: node.address.clone(),
        kind: kind.to_string(),
        name: name.to_string(),
        status,
        depends_on: node.depends_on.clone(),
        attributes: attributes.clone(),
        removal_policy: node.removal_policy,
    }
}

async fn put(cx: &Context, rec: ResourceRecord, doing: &str) -> Result<(), EngineError> {
    cx.state
        .put_record(&cx.at, &rec)
        .await
        .map_err(|e| EngineError::state(format!("recording {doing} {}", rec.address), e))
}

fn provider_error(
    node: &Node,
    target: &ResourceId,
    doing: &'static str,
) -> impl Fn(lakectl_core::ProviderError) -> EngineError {
    let (address, kind, name) = (
        node.address.clone(),
        target.kind.clone(),
        target.name.clone(),
    );
    move |source| EngineError::Provider {
        address: address.clone(),
        kind: kind.clone(),
        name: name.clone(),
        doing,
        source,
    }
}

fn own_id(node: &Node) -> ResourceId {
    ResourceId {
        kind: node.kind.clone(),
        name: node.name.clone(),
    }
}

/// The desired spec with every reference filled from the attributes known now: a dependency
/// created a moment ago has its real ARN, which may differ from the one predicted at plan time.
fn resolve_for_apply(
    provider: &dyn Provider,
    node: &Node,
    known: &Known,
) -> Result<Value, EngineError> {
    let raw = node.desired.as_ref().ok_or_else(|| EngineError::Internal {
        detail: format!(
            "{} is planned as {:?} without a desired spec",
            node.address, node.action
        ),
    })?;
    let (value, unknown) = resolve(raw, known);
    if let Some(r) = unknown.first() {
        let why = if known.contains_key(&r.address) {
            format!("`{}` has no attribute `{}`", r.address, r.attr)
        } else {
            format!("`{}` is not a resource of this stack", r.address)
        };
        return Err(EngineError::Unresolved {
            address: node.address.to_string(),
            reference: r.to_string(),
            why,
        });
    }
    Ok(prepare(provider, value))
}

async fn noop(cx: &Context, node: &Node) -> Result<Attributes, EngineError> {
    let attrs = node
        .live
        .as_ref()
        .map(|l| l.attributes.clone())
        .unwrap_or_default();
    let current = record(node, &node.kind, &node.name, RecordStatus::Owned, &attrs);
    // Adopts our own tagged resource after a lost state table, and confirms a change whose
    // confirmation was lost when a previous run died.
    if node.record.as_ref() != Some(&current) {
        put(cx, current, "ownership of").await?;
    }
    Ok(with_name(&node.name, &attrs))
}

async fn create(
    cx: &Context,
    provider: &dyn Provider,
    node: &Node,
    spec: Value,
) -> Result<Attributes, EngineError> {
    put(
        cx,
        record(
            node,
            &node.kind,
            &node.name,
            RecordStatus::Creating,
            &node.predicted,
        ),
        "the intent to create",
    )
    .await?;
    let req = CreateRequest {
        address: node.address.clone(),
        name: node.name.clone(),
        spec,
        wait_limit: WAIT_LIMIT,
    };
    let emit = |e: ProgressEvent| cx.event(&e);
    let created = match with_retries(&node.address, &emit, || provider.create(&req)).await {
        Ok(attrs) => attrs,
        Err(e) if e.is_already_exists() => converge_existing(cx, provider, node, &req, e).await?,
        Err(e) => return Err(provider_error(node, &own_id(node), "creating")(e)),
    };
    let mut attrs = node.predicted.clone();
    attrs.extend(created);
    put(
        cx,
        record(node, &node.kind, &node.name, RecordStatus::Owned, &attrs),
        "the creation of",
    )
    .await?;
    Ok(with_name(&node.name, &attrs))
}

/// A create found the name taken: someone made it between plan and apply, or an earlier run
/// of ours died after creating it. The same ownership rule as the plan decides, judged on the
/// record the plan saw (not the intent just written): ours is brought in line with an update,
/// anything else is refused and left untouched.
async fn converge_existing(
    cx: &Context,
    provider: &dyn Provider,
    node: &Node,
    req: &CreateRequest,
    taken: ProviderError,
) -> Result<Attributes, EngineError> {
    let target = Target {
        address: node.address.clone(),
        provider: provider_of(&cx.providers, &node.address, &node.kind)?,
        name: node.name.clone(),
    };
    let live = match observe_settled(&target, cx).await? {
        Observation::Exists(live) => live,
        // Taken at create, gone when read: report what create said.
        _ => return Err(provider_error(node, &own_id(node), "creating")(taken)),
    };
    let claim = Claim {
        stack: &cx.at.stack,
        env: &cx.at.env,
        address: &node.address,
        kind: &node.kind,
        name: &node.name,
        former: &node.former,
    };
    let taggable = provider.schema().taggable;
    if let Ownership::Foreign { owner } =
        ownership(&claim, taggable, &live.spec, node.record.as_ref())
    {
        return Err(EngineError::NotOwned {
            env: cx.at.env.clone(),
            address: node.address.clone(),
            kind: node.kind.clone(),
            name: node.name.clone(),
            location: node.location.clone(),
            owner,
        });
    }
    let live = Live {
        spec: prepare(provider, live.spec),
        attributes: live.attributes,
    };
    let changes = diff(provider.schema(), &req.spec, &live.spec);
    if let Some(c) = changes.iter().find(|c| c.forces_replace) {
        return Err(EngineError::Internal {
            detail: format!(
                "{}: it appeared while this deploy ran and its `{}` differs in a way that needs a replacement; run plan again",
                node.address, c.path
            ),
        });
    }
    if changes.is_empty() {
        return Ok(live.attributes);
    }
    let update = UpdateRequest {
        address: node.address.clone(),
        name: node.name.clone(),
        desired: req.spec.clone(),
        live: live.spec.clone(),
        changes,
        wait_limit: WAIT_LIMIT,
    };
    let emit = |e: ProgressEvent| cx.event(&e);
    let mut attrs = live.attributes.clone();
    attrs.extend(
        with_retries(&node.address, &emit, || provider.update(&update))
            .await
            .map_err(provider_error(node, &own_id(node), "updating"))?,
    );
    Ok(attrs)
}

async fn update(
    cx: &Context,
    provider: &dyn Provider,
    node: &Node,
    known: &Known,
) -> Result<Attributes, EngineError> {
    let live = node.live.as_ref().ok_or_else(|| EngineError::Internal {
        detail: format!("{} is planned as an update of nothing", node.address),
    })?;
    let desired = resolve_for_apply(provider, node, known)?;
    // Diffed again only when a reference came out differently than planned.
    let changes: Vec<FieldChange> = if node.resolved.as_ref() == Some(&desired) {
        node.changes.clone()
    } else {
        diff(provider.schema(), &desired, &live.spec)
    };
    if let Some(c) = changes.iter().find(|c| c.forces_replace) {
        return Err(EngineError::Internal {
            detail: format!(
                "{}: `{}` turned out to need a replacement once its references were known; run plan again",
                node.address, c.path
            ),
        });
    }
    if changes.is_empty() {
        return noop(cx, node).await;
    }
    put(
        cx,
        record(
            node,
            &node.kind,
            &node.name,
            RecordStatus::Updating,
            &live.attributes,
        ),
        "the intent to update",
    )
    .await?;
    let req = UpdateRequest {
        address: node.address.clone(),
        name: node.name.clone(),
        desired,
        live: live.spec.clone(),
        changes,
        wait_limit: WAIT_LIMIT,
    };
    let emit = |e: ProgressEvent| cx.event(&e);
    let updated = with_retries(&node.address, &emit, || provider.update(&req))
        .await
        .map_err(provider_error(node, &own_id(node), "updating"))?;
    let mut attrs = live.attributes.clone();
    attrs.extend(updated);
    put(
        cx,
        record(node, &node.kind, &node.name, RecordStatus::Owned, &attrs),
        "the update of",
    )
    .await?;
    Ok(with_name(&node.name, &attrs))
}

/// Deletes `target`, with the intent recorded under its own kind and name first so that a
/// run killed halfway still knows what to delete.
async fn delete(
    cx: &Context,
    node: &Node,
    target: &ResourceId,
    intent: RecordStatus,
) -> Result<(), EngineError> {
    let provider = provider_of(&cx.providers, &node.address, &target.kind)?;
    let attrs = node
        .live
        .as_ref()
        .map(|l| l.attributes.clone())
        .unwrap_or_default();
    put(
        cx,
        record(node, &target.kind, &target.name, intent, &attrs),
        "the intent to delete",
    )
    .await?;
    let req = DeleteRequest {
        address: node.address.clone(),
        name: target.name.clone(),
        allow_data_loss: cx.allow_data_loss,
        wait_limit: WAIT_LIMIT,
    };
    let emit = |e: ProgressEvent| cx.event(&e);
    with_retries(&node.address, &emit, || provider.delete(&req))
        .await
        .map_err(provider_error(node, target, "deleting"))
}
