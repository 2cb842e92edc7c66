//! The state table: what a stack/env owns, the intent of in-flight changes, outputs, and
//! the deploy lock. This is the store's contract; `lakectl-state` keeps it on DynamoDB. lakectl diffs against live AWS; this records only ownership and intent.

use async_trait::async_trait;
use lakectl_core::{Address, Attributes};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// Which stack in which environment a record belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StackEnv {
    /// The stack name.
    pub stack: String,
    /// The environment name.
    pub env: String,
}

impl StackEnv {
    /// The stack and env of a desired stack.
    pub fn of(desired: &lakectl_core::DesiredStack) -> StackEnv {
        StackEnv {
            stack: desired.stack.clone(),
            env: desired.env.name.clone(),
        }
    }
}

/// Where a resource is in its life, as far as lakectl knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RecordStatus {
    /// A create was started and not confirmed: the resource may or may not exist, and if it
    /// exists untagged it is still ours (the process died between create and tagging).
    Creating,
    /// An update or replace was started and not confirmed.
    Updating,
    /// A delete was started and not confirmed.
    Deleting,
    /// The last change to it completed.
    Owned,
}

/// One resource the stack/env owns or is changing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResourceRecord {
    /// The logical address.
    pub address: Address,
    /// The kind.
    pub kind: String,
    /// The physical name.
    pub name: String,
    /// Where it is in its life.
    pub status: RecordStatus,
    /// What it depended on when last applied (so deletes can run in reverse order after the
    /// stack file no longer mentions it).
    pub depends_on: Vec<Address>,
    /// Its attributes after the last change.
    pub attributes: Attributes,
    /// Its own `removal_policy` when last applied, which decides once the stack files no
    /// longer declare it; without one, the env's default for its kind does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removal_policy: Option<lakectl_core::RemovalPolicy>,
}

/// Who holds a deploy lock, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// `user@host pid N`, for the message another deploy shows.
    pub holder: String,
    /// A token unique to this acquisition: renew and release only with it.
    pub token: String,
    /// When it was taken.
    pub acquired_at: SystemTime,
    /// When the lease runs out unless renewed by a heartbeat.
    pub expires_at: SystemTime,
}

/// Errors of the state table.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum StateError {
    /// Another process holds the lock.
    #[error("the deploy lock of {stack}/{env} is held by {} (since {}s ago, lease ends in {}s)",
        .lock.holder, age_secs(&.lock.acquired_at), remaining_secs(&.lock.expires_at))]
    #[diagnostic(
        code(lakectl::locked),
        help(
            "wait for it to finish (or pass --lock-timeout), or, if that process is dead, run `lakectl unlock --force --env {}`",
            env
        )
    )]
    Locked {
        /// The stack.
        stack: String,
        /// The environment.
        env: String,
        /// The holder.
        lock: LockInfo,
    },
    /// Our lease was lost (expired and taken by another process, or force-unlocked).
    #[error("the deploy lock of {stack}/{env} was lost: {detail}")]
    #[diagnostic(
        code(lakectl::lock_lost),
        help(
            "another deploy may be running; run plan again before deploying {}",
            ""
        )
    )]
    LockLost {
        /// The stack.
        stack: String,
        /// The environment.
        env: String,
        /// What happened.
        detail: String,
    },
    /// A call to the state table failed.
    #[error(transparent)]
    #[diagnostic(code(lakectl::state))]
    Provider(#[from] lakectl_core::ProviderError),
    /// A record could not be read back.
    #[error("state table {table}: record {key} is malformed: {detail}")]
    #[diagnostic(
        code(lakectl::state_corrupt),
        help(
            "inspect the item in the state table; deleting it makes lakectl forget that resource{}",
            ""
        )
    )]
    Corrupt {
        /// The table.
        table: String,
        /// The item's key.
        key: String,
        /// What is wrong.
        detail: String,
    },
}

fn age_secs(t: &SystemTime) -> u64 {
    SystemTime::now()
        .duration_since(*t)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn remaining_secs(t: &SystemTime) -> u64 {
    t.duration_since(SystemTime::now())
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Storage for ownership records, outputs and the lock. Implemented on DynamoDB for real use
/// and in memory for the engine's unit tests.
///
/// # Guarantees
/// - `acquire_lock` is atomic: of two concurrent callers at most one succeeds while the lease
///   is live; an expired lease can be taken over.
/// - `renew_lock` and `release_lock` succeed only for the token that acquired the lock.
/// - Writes are durable when the call returns: a process killed right after sees them.
#[async_trait]
pub trait StateStore: Send + Sync {
    /// Creates the backing table when missing (first use) and waits until it is usable.
    async fn ensure(&self) -> Result<(), StateError>;
    /// Every resource record of a stack/env.
    async fn records(&self, at: &StackEnv) -> Result<Vec<ResourceRecord>, StateError>;
    /// Writes (inserts or replaces) a record.
    async fn put_record(&self, at: &StackEnv, record: &ResourceRecord) -> Result<(), StateError>;
    /// Removes a record (after a confirmed delete). Removing a missing record succeeds.
    async fn remove_record(&self, at: &StackEnv, address: &Address) -> Result<(), StateError>;
    /// The outputs of the last successful deploy.
    async fn outputs(&self, at: &StackEnv) -> Result<BTreeMap<String, Value>, StateError>;
    /// Replaces the outputs.
    async fn put_outputs(
        &self,
        at: &StackEnv,
        outputs: &BTreeMap<String, Value>,
    ) -> Result<(), StateError>;
    /// Takes the lock for `lease`, or fails with [`StateError::Locked`] naming the holder.
    async fn acquire_lock(
        &self,
        at: &StackEnv,
        holder: &str,
        lease: Duration,
    ) -> Result<LockInfo, StateError>;
    /// Extends our lease; [`StateError::LockLost`] when the lock is no longer ours.
    async fn renew_lock(
        &self,
        at: &StackEnv,
        lock: &LockInfo,
        lease: Duration,
    ) -> Result<LockInfo, StateError>;
    /// Gives the lock up; releasing a lock that is no longer ours succeeds and changes nothing.
    async fn release_lock(&self, at: &StackEnv, lock: &LockInfo) -> Result<(), StateError>;
    /// Removes the lock whoever holds it; returns who held it.
    async fn force_unlock(&self, at: &StackEnv) -> Result<Option<LockInfo>, StateError>;
}

pub mod lock;
pub mod memory;
