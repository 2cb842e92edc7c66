//! Observe, diff and apply; the state table, ownership and the deploy lock.
//!
//! [`Engine::plan`] observes every desired and every owned resource, checks that existing
//! ones are ours, resolves references and diffs; [`Engine::apply`] carries the plan out as a
//! graph walk, recording each intent in the [`state::StateStore`] before the provider call.

// Errors carry the resource, the operation and AWS's answer, which makes them larger than
// clippy likes; they are built once per failure, far from any hot path.
#![allow(clippy::result_large_err)]

mod apply;
mod engine;
mod error;
mod execute;
mod import;
mod observe;
mod options;
mod ownership;
mod plan;
mod planned;
mod progress;
mod report;
mod retry;
mod specs;
pub mod state;
mod state_edit;
mod targets;
mod walk;

pub use engine::Engine;
pub use error::{DataAtRisk, EngineError};
pub use import::Imported;
pub use options::{ApplyOptions, PlanMode, PlanOptions};
pub use planned::{Fingerprint, PlannedChanges};
pub use progress::{NoProgress, Progress, ProgressEvent};
pub use report::ApplyReport;
pub use state_edit::Forgotten;

#[cfg(test)]
mod apply_tests;
#[cfg(test)]
mod import_tests;
#[cfg(test)]
mod moves_tests;
#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod retain_tests;
#[cfg(test)]
mod testing;
