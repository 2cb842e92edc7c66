//! Applying a plan: refuse data loss up front, walk the graph, resolve the outputs.

use crate::engine::Engine;
use crate::error::{DataAtRisk, EngineError};
use crate::execute::Context;
use crate::options::{ApplyOptions, PlanMode};
use crate::planned::PlannedChanges;
use crate::progress::Progress;
use crate::report::ApplyReport;
use crate::specs::Known;
use crate::walk::walk;
use lakectl_core::RemovalPolicy;
use lakectl_core::refs;
use serde_json::Value;
use std::collections::BTreeMap;

/// Applies a plan. See [`Engine::apply`].
pub(crate) async fn apply(
    engine: &Engine,
    planned: &PlannedChanges,
    opts: &ApplyOptions,
    progress: &dyn Progress,
) -> Result<ApplyReport, EngineError> {
    check_data_loss(planned, opts)?;
    for address in &planned.stale {
        engine
            .state
            .remove_record(&planned.at, address)
            .await
            .map_err(|e| {
                EngineError::state(
                    format!("dropping the record of {address}, which no longer exists"),
                    e,
                )
            })?;
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let cx = Context {
        providers: engine.providers.clone(),
        state: engine.state.clone(),
        at: planned.at.clone(),
        allow_data_loss: opts.allow_data_loss
            && planned.env.removal_policy != RemovalPolicy::Retain,
        events: tx,
    };
    let order: Vec<_> = planned
        .plan
        .resources
        .iter()
        .map(|r| r.address.clone())
        .collect();
    let outcome = walk(cx, &planned.nodes, &order, opts.concurrency, rx, progress).await;
    let mut report = outcome.report;
    if outcome.halted {
        return Err(EngineError::Interrupted {
            first: report
                .failed
                .first()
                .map(|(a, e)| format!("{a}: {e}"))
                .unwrap_or_default(),
            report: Box::new(report),
        });
    }
    if !outcome.causes.is_empty() {
        return Err(EngineError::ApplyFailed {
            causes: outcome.causes,
            report: Box::new(report),
        });
    }
    // Some targets only: the outputs may need what was left alone; they stay as recorded.
    if planned.partial {
        return Ok(report);
    }
    let outputs = match planned.mode {
        PlanMode::Deploy => resolve_outputs(&planned.outputs, &outcome.known)?,
        PlanMode::Destroy => BTreeMap::new(),
    };
    engine
        .state
        .put_outputs(&planned.at, &outputs)
        .await
        .map_err(|e| EngineError::state("recording the outputs", e))?;
    report.outputs = outputs;
    Ok(report)
}

/// Refuses, before any change, a plan that destroys data without permission.
fn check_data_loss(planned: &PlannedChanges, opts: &ApplyOptions) -> Result<(), EngineError> {
    let items: Vec<DataAtRisk> = planned
        .plan
        .data_loss()
        .map(|r| {
            let name = planned
                .nodes
                .get(&r.address)
                .and_then(|n| n.delete_target.as_ref())
                .map_or_else(|| r.physical_id.clone(), |t| t.name.clone());
            DataAtRisk {
                address: r.address.clone(),
                kind: r.kind.clone(),
                name,
                contents: r.data_loss.clone().unwrap_or_default(),
            }
        })
        .collect();
    if items.is_empty() {
        return Ok(());
    }
    if planned.env.removal_policy == RemovalPolicy::Retain {
        return Err(EngineError::RetainedData {
            env: planned.env.name.clone(),
            items,
        });
    }
    if !opts.allow_data_loss {
        return Err(EngineError::DataLoss { items });
    }
    Ok(())
}

/// The outputs with every reference filled from the final attributes.
fn resolve_outputs(
    outputs: &BTreeMap<String, Value>,
    known: &Known,
) -> Result<BTreeMap<String, Value>, EngineError> {
    let lookup = |r: &refs::Ref| known.get(&r.address).and_then(|a| a.get(&r.attr)).cloned();
    outputs
        .iter()
        .map(|(key, value)| {
            let resolved = refs::resolve(value, &lookup);
            match resolved.unknown.first() {
                None => Ok((key.clone(), resolved.value)),
                Some(r) => Err(EngineError::Unresolved {
                    address: format!("outputs.{key}"),
                    reference: r.to_string(),
                    why: if known.contains_key(&r.address) {
                        format!("`{}` has no attribute `{}`", r.address, r.attr)
                    } else {
                        format!("`{}` is not a resource of this stack", r.address)
                    },
                }),
            }
        })
        .collect()
}
