//! What the engine reports while it works, for a live view or plain log lines.

use lakectl_core::{Action, Address};
use std::time::Duration;

/// One thing that happened during plan or apply.
#[derive(Debug, Clone, PartialEq)]
pub enum ProgressEvent {
    /// `done` of `total` observations finished.
    Observing {
        /// Observations finished so far.
        done: usize,
        /// Observations to make.
        total: usize,
    },
    /// A resource is in transition; lakectl waits before looking again.
    Waiting {
        /// The resource.
        address: Address,
        /// AWS's status word, e.g. `CREATING`.
        status: String,
    },
    /// A change started.
    Started {
        /// The resource.
        address: Address,
        /// What is being done.
        action: Action,
    },
    /// A call failed with a retryable error and is tried again.
    Retrying {
        /// The resource.
        address: Address,
        /// The attempt about to be made (2 for the first retry).
        attempt: u32,
        /// What the failed attempt said.
        error: String,
    },
    /// A change finished.
    Done {
        /// The resource.
        address: Address,
        /// What was done.
        action: Action,
        /// How long it took.
        elapsed: Duration,
    },
    /// The endpoint stopped answering: nothing more is started; what is in flight ends.
    Halted {
        /// The changes that will not be started.
        not_started: usize,
    },
    /// A change failed: this is a root cause.
    Failed {
        /// The resource.
        address: Address,
        /// Why.
        error: String,
    },
    /// A change was not attempted because something it waits on failed.
    Skipped {
        /// The resource not changed.
        address: Address,
        /// The failed resource that blocked it.
        blocked_by: Address,
    },
}

/// Receives progress events. Called from several tasks at once; must not block for long.
pub trait Progress: Send + Sync {
    /// Handles one event.
    fn event(&self, e: &ProgressEvent);
}

/// Discards every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl Progress for NoProgress {
    fn event(&self, _e: &ProgressEvent) {}
}
