//! Reading live state of many resources at once, with bounded concurrency, waiting out
//! resources in transition.

use crate::error::EngineError;
use crate::progress::{Progress, ProgressEvent};
use crate::retry::with_retries;
use lakectl_core::{Address, Observation, Provider};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// How long a resource may stay in transition before the plan gives up.
pub(crate) const PENDING_LIMIT: Duration = Duration::from_secs(300);

/// The shortest wait between two looks at a pending resource, whatever the provider says.
const MIN_PENDING_WAIT: Duration = Duration::from_millis(100);

/// One resource to observe.
#[derive(Clone)]
pub(crate) struct Target {
    /// For messages.
    pub address: Address,
    /// The provider of its kind.
    pub provider: Arc<dyn Provider>,
    /// The physical name.
    pub name: String,
}

/// Observes every target, at most `concurrency` calls at once. The answers come back in the
/// order of `targets` and are never [`Observation::Pending`].
///
/// # Errors
/// The first failed observation (the others are cancelled), or [`EngineError::PendingTimeout`].
pub(crate) async fn observe_all(
    targets: Vec<Target>,
    concurrency: usize,
    progress: Arc<dyn Progress>,
) -> Result<Vec<Observation>, EngineError> {
    let total = targets.len();
    let semaphore = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for (i, target) in targets.into_iter().enumerate() {
        let semaphore = semaphore.clone();
        let progress = progress.clone();
        tasks.spawn(async move { (i, observe_one(&target, &semaphore, progress.as_ref()).await) });
    }
    let mut found: Vec<Option<Observation>> = vec![None; total];
    let mut done = 0;
    progress.event(&ProgressEvent::Observing { done, total });
    while let Some(joined) = tasks.join_next().await {
        let (i, result) = joined.map_err(|e| EngineError::Internal {
            detail: format!("an observation task ended abnormally: {e}"),
        })?;
        found[i] = Some(result?);
        done += 1;
        progress.event(&ProgressEvent::Observing { done, total });
    }
    Ok(found
        .into_iter()
        .map(|o| o.unwrap_or(Observation::Missing))
        .collect())
}

/// Observes one resource on its own, waiting out a transition, as a plan does: for apply,
/// when a create finds the name taken.
///
/// # Errors
/// As [`observe_all`].
pub(crate) async fn observe_settled(
    target: &Target,
    progress: &dyn Progress,
) -> Result<Observation, EngineError> {
    observe_one(target, &Semaphore::new(1), progress).await
}

async fn observe_one(
    target: &Target,
    semaphore: &Semaphore,
    progress: &dyn Progress,
) -> Result<Observation, EngineError> {
    let started = Instant::now();
    let emit = |e: ProgressEvent| progress.event(&e);
    loop {
        let observed = {
            // The semaphore is never closed; without a permit we would only run unbounded.
            let _permit = semaphore.acquire().await.ok();
            with_retries(&target.address, &emit, || {
                target.provider.observe(&target.name)
            })
            .await
        };
        match observed {
            Ok(Observation::Pending {
                retry_after,
                status,
            }) => {
                let wait = retry_after.max(MIN_PENDING_WAIT);
                if started.elapsed() + wait > PENDING_LIMIT {
                    return Err(EngineError::PendingTimeout {
                        address: target.address.clone(),
                        kind: target.provider.schema().kind.to_string(),
                        name: target.name.clone(),
                        status,
                        waited: started.elapsed(),
                    });
                }
                progress.event(&ProgressEvent::Waiting {
                    address: target.address.clone(),
                    status,
                });
                tokio::time::sleep(wait).await;
            }
            Ok(o) => return Ok(o),
            Err(source) => {
                return Err(EngineError::Provider {
                    address: target.address.clone(),
                    kind: target.provider.schema().kind.to_string(),
                    name: target.name.clone(),
                    doing: "observing",
                    source,
                });
            }
        }
    }
}
