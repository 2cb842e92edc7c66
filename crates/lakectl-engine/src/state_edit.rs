//! Editing what lakectl owns without changing the resources: `state mv` moves a record to
//! another address; `forget` lets a resource go, untouched but for its ownership tags.

use crate::engine::Engine;
use crate::error::EngineError;
use crate::observe::{Target, observe_settled};
use crate::progress::{Progress, ProgressEvent};
use crate::retry::with_retries;
use crate::specs::prepare;
use crate::state::{ResourceRecord, StackEnv};
use lakectl_core::tags::Owner;
use lakectl_core::{Address, DesiredStack, Observation, Provider, UpdateRequest, diff, tags};
use serde_json::Value;
use std::sync::Arc;

/// What forgetting one resource did in AWS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forgotten {
    /// Its ownership tags were removed; nothing else was changed.
    Untagged,
    /// It carries no ownership tags (an untaggable kind, or already removed).
    NothingToUntag,
    /// It no longer exists; only the record was dropped.
    Gone,
    /// Its ownership tags name another stack or env now: it was left untouched, only the
    /// record was dropped.
    OwnedElsewhere,
}

fn find(records: Vec<ResourceRecord>, address: &Address) -> Result<ResourceRecord, EngineError> {
    let known: Vec<String> = records.iter().map(|r| r.address.to_string()).collect();
    records
        .into_iter()
        .find(|r| r.address == *address)
        .ok_or_else(|| EngineError::NoRecord {
            address: address.to_string(),
            known: if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            },
        })
}

/// The record at `address`.
pub(crate) async fn record_at(
    engine: &Engine,
    desired: &DesiredStack,
    address: &Address,
) -> Result<ResourceRecord, EngineError> {
    find(engine.records(&StackEnv::of(desired)).await?, address)
}

/// Moves the record at `from` to `to`; AWS is not called. The next deploy retags the resource.
pub(crate) async fn move_record(
    engine: &Engine,
    desired: &DesiredStack,
    from: &Address,
    to: &Address,
) -> Result<ResourceRecord, EngineError> {
    let at = StackEnv::of(desired);
    let all = engine.records(&at).await?;
    if let Some(taken) = all.iter().find(|r| r.address == *to) {
        return Err(EngineError::AddressTaken {
            address: to.clone(),
            kind: taken.kind.clone(),
            name: taken.name.clone(),
        });
    }
    let mut record = find(all, from)?;
    if let Some(d) = desired.resources.get(to) {
        if d.kind != record.kind {
            return Err(EngineError::MoveKindDiffers {
                from: from.clone(),
                to: to.clone(),
                recorded: record.kind.clone(),
                declared: d.kind.clone(),
            });
        }
        // A name derived from the address changes with it: the record would follow while the
        // next deploy created a new, empty resource under the new name.
        if d.name != record.name {
            return Err(EngineError::MoveRenames {
                from: from.clone(),
                to: to.clone(),
                recorded: record.name.clone(),
                declared: d.name.clone(),
            });
        }
    }
    record.address = to.clone();
    // Written before the old one goes: a run killed in between leaves two records of one
    // resource, which a plan reads as this move.
    engine
        .state
        .put_record(&at, &record)
        .await
        .map_err(|e| EngineError::state(format!("recording {to}"), e))?;
    engine
        .state
        .remove_record(&at, from)
        .await
        .map_err(|e| EngineError::state(format!("removing the record of {from}"), e))?;
    Ok(record)
}

/// Lets the resource at `address` go: its ownership tags are removed and its record dropped.
/// Refused while the stack files still declare it, since the next deploy would create it anew.
pub(crate) async fn forget(
    engine: &Engine,
    desired: &DesiredStack,
    address: &Address,
) -> Result<(ResourceRecord, Forgotten), EngineError> {
    if let Some(d) = desired.resources.get(address) {
        return Err(EngineError::StillDeclared {
            address: address.clone(),
            location: d.location.clone(),
        });
    }
    let at = StackEnv::of(desired);
    let record = find(engine.records(&at).await?, address)?;
    let provider = engine.provider(address, &record.kind)?;
    let done = untag(
        &provider,
        &at,
        address,
        &record.name,
        engine.progress.as_ref(),
    )
    .await?;
    engine
        .state
        .remove_record(&at, address)
        .await
        .map_err(|e| EngineError::state(format!("removing the record of {address}"), e))?;
    Ok((record, done))
}

/// Removes lakectl's ownership tags from a resource and changes nothing else: the provider's
/// own update, asked to change only those tags. Tags that name another stack or env are
/// someone else's: the resource is left untouched.
pub(crate) async fn untag(
    provider: &Arc<dyn Provider>,
    at: &StackEnv,
    address: &Address,
    name: &str,
    progress: &dyn Progress,
) -> Result<Forgotten, EngineError> {
    let target = Target {
        address: address.clone(),
        provider: provider.clone(),
        name: name.to_string(),
    };
    let live = match observe_settled(&target, progress).await? {
        Observation::Exists(live) => live,
        _ => return Ok(Forgotten::Gone),
    };
    if !provider.schema().taggable {
        return Ok(Forgotten::NothingToUntag);
    }
    let owner = Owner::of(&live.spec);
    if !owner.is_untagged()
        && (owner.stack.as_deref() != Some(at.stack.as_str())
            || owner.env.as_deref() != Some(at.env.as_str()))
    {
        return Ok(Forgotten::OwnedElsewhere);
    }
    let live_spec = prepare(provider.as_ref(), live.spec);
    let mut desired = live_spec.clone();
    let Some(tags) = desired.get_mut("tags").and_then(Value::as_object_mut) else {
        return Ok(Forgotten::NothingToUntag);
    };
    tags.retain(|k, _| !k.starts_with(tags::PREFIX));
    let changes = diff(provider.schema(), &desired, &live_spec);
    if changes.is_empty() {
        return Ok(Forgotten::NothingToUntag);
    }
    let req = UpdateRequest {
        address: address.clone(),
        name: name.to_string(),
        desired,
        live: live_spec,
        changes,
        wait_limit: crate::execute::WAIT_LIMIT,
    };
    let emit = |e: ProgressEvent| progress.event(&e);
    with_retries(address, &emit, || provider.update(&req))
        .await
        .map_err(|source| EngineError::Provider {
            address: address.clone(),
            kind: provider.schema().kind.to_string(),
            name: name.to_string(),
            doing: "removing the ownership tags of",
            source,
        })?;
    Ok(Forgotten::Untagged)
}
