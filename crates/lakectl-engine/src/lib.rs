//! Observe, diff and apply; the state table, ownership and the deploy lock.
//!
//! [`Engine::plan`] observes every desired and every owned resource, checks that existing
//! ones are ours, resolves references and diffs; [`Engine::apply`] carries the plan out as a
//! graph walk, recording each intent in the [`state::StateStore`] before the provider call.

mod apply;
mod engine;
mod error;
mod execute;
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
mod walk;

#[cfg(test)]
mod testing;

pub use engine::Engine;
pub use error::{DataAtRisk, EngineError};
pub use options::{ApplyOptions, PlanMode, PlanOptions};
pub use planned::PlannedChanges;
pub use progress::{NoProgress, Progress, ProgressEvent};
pub use report::ApplyReport;
