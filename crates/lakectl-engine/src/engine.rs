//! The engine: plans a desired stack against live AWS and applies the plan.

use crate::error::EngineError;
use crate::options::{ApplyOptions, PlanOptions};
use crate::planned::PlannedChanges;
use crate::progress::{NoProgress, Progress};
use crate::report::ApplyReport;
use crate::state::StateStore;
use lakectl_core::{Address, DesiredStack, Provider};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Providers by kind.
pub(crate) type Providers = Arc<BTreeMap<String, Arc<dyn Provider>>>;

/// Observes, diffs and applies one stack in one environment.
///
/// # Guarantees
/// - `plan` changes nothing: it only observes resources, counts their contents and reads the
///   state records.
/// - A resource that exists and is not ours (no ownership tags of this stack/env/address and
///   no state record) fails the plan with [`EngineError::NotOwned`]; it is never modified.
/// - `apply` refuses a plan that destroys data before making any change, unless allowed,
///   and always in an env that retains data.
/// - Every change is recorded as an intent in the state store before the provider is called
///   and confirmed after, so a run killed at any point is finished by the next one.
pub struct Engine {
    pub(crate) providers: Providers,
    pub(crate) state: Arc<dyn StateStore>,
    pub(crate) progress: Arc<dyn Progress>,
}

impl Engine {
    /// An engine over these providers (one per kind; a later one replaces an earlier one of
    /// the same kind) and this state store.
    pub fn new(providers: Vec<Arc<dyn Provider>>, state: Arc<dyn StateStore>) -> Self {
        let providers = providers
            .into_iter()
            .map(|p| (p.schema().kind.to_string(), p))
            .collect();
        Engine {
            providers: Arc::new(providers),
            state,
            progress: Arc::new(NoProgress),
        }
    }

    /// Reports progress of `plan` (observations, waits, retries) to `progress`; `apply` takes
    /// its own.
    pub fn with_progress(mut self, progress: Arc<dyn Progress>) -> Self {
        self.progress = progress;
        self
    }

    /// Observes every desired and every owned resource and decides what to do with each.
    ///
    /// # Errors
    /// [`EngineError::NotOwned`], [`EngineError::UnknownKind`], [`EngineError::Cycle`],
    /// [`EngineError::PendingTimeout`], or a failed observation or state read.
    pub async fn plan(
        &self,
        desired: &DesiredStack,
        opts: &PlanOptions,
    ) -> Result<PlannedChanges, EngineError> {
        crate::plan::plan(self, desired, opts).await
    }

    /// Carries out a plan: each resource as soon as what it depends on is done, independent
    /// ones in parallel.
    ///
    /// # Errors
    /// [`EngineError::DataLoss`] / [`EngineError::RetainedData`] before any change;
    /// [`EngineError::ApplyFailed`] with the report after everything that could run has run.
    pub async fn apply(
        &self,
        planned: &PlannedChanges,
        opts: &ApplyOptions,
        progress: &dyn Progress,
    ) -> Result<ApplyReport, EngineError> {
        crate::apply::apply(self, planned, opts, progress).await
    }

    /// Adopts existing resources that nobody owns at `addresses`, by writing their state
    /// records; changes nothing in AWS. All addresses are checked before any record is written.
    ///
    /// # Errors
    /// [`EngineError::UnknownAddress`], [`EngineError::NothingToImport`],
    /// [`EngineError::OwnedElsewhere`], [`EngineError::AddressTaken`], or a failed observation
    /// or state write.
    pub async fn import(
        &self,
        desired: &DesiredStack,
        addresses: &[Address],
        concurrency: usize,
    ) -> Result<Vec<crate::import::Imported>, EngineError> {
        crate::import::import(self, desired, addresses, concurrency).await
    }

    /// The state record at `address` (`lakectl state show`).
    ///
    /// # Errors
    /// [`EngineError::NoRecord`], or a failed state read.
    pub async fn record(
        &self,
        desired: &DesiredStack,
        address: &Address,
    ) -> Result<crate::state::ResourceRecord, EngineError> {
        crate::state_edit::record_at(self, desired, address).await
    }

    /// Moves the state record at `from` to `to` (`lakectl state mv`); changes nothing in AWS.
    /// The next deploy retags the resource with its new address.
    ///
    /// # Errors
    /// [`EngineError::NoRecord`], [`EngineError::AddressTaken`],
    /// [`EngineError::MoveKindDiffers`], or a failed state write.
    pub async fn move_record(
        &self,
        desired: &DesiredStack,
        from: &Address,
        to: &Address,
    ) -> Result<crate::state::ResourceRecord, EngineError> {
        crate::state_edit::move_record(self, desired, from, to).await
    }

    /// Lets the resource at `address` go (`lakectl state forget`): left in AWS as it is but
    /// for lakectl's ownership tags, which are removed, and its record dropped.
    ///
    /// # Errors
    /// [`EngineError::StillDeclared`], [`EngineError::NoRecord`], or a failed call.
    pub async fn forget(
        &self,
        desired: &DesiredStack,
        address: &Address,
    ) -> Result<(crate::state::ResourceRecord, crate::Forgotten), EngineError> {
        crate::state_edit::forget(self, desired, address).await
    }

    /// Every state record of `at`.
    pub(crate) async fn records(
        &self,
        at: &crate::state::StackEnv,
    ) -> Result<Vec<crate::state::ResourceRecord>, EngineError> {
        self.state.records(at).await.map_err(|e| {
            EngineError::state(
                format!("reading the state records of {}/{}", at.stack, at.env),
                e,
            )
        })
    }

    /// The provider of `kind`.
    pub(crate) fn provider(
        &self,
        address: &Address,
        kind: &str,
    ) -> Result<Arc<dyn Provider>, EngineError> {
        provider_of(&self.providers, address, kind)
    }
}

/// The provider of `kind`, or [`EngineError::UnknownKind`].
pub(crate) fn provider_of(
    providers: &Providers,
    address: &Address,
    kind: &str,
) -> Result<Arc<dyn Provider>, EngineError> {
    providers
        .get(kind)
        .cloned()
        .ok_or_else(|| EngineError::UnknownKind {
            address: address.clone(),
            kind: kind.to_string(),
            known: providers.keys().cloned().collect::<Vec<_>>().join(", "),
        })
}
