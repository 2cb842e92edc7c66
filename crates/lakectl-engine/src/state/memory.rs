//! A state store in memory: for the engine's unit tests, and for `lakectl plan` against a
//! stack whose state table does not exist yet (nothing is owned).

use super::{LockInfo, ResourceRecord, StackEnv, StateError, StateStore};
use async_trait::async_trait;
use lakectl_core::Address;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

#[derive(Default)]
struct Inner {
    records: BTreeMap<StackEnv, BTreeMap<Address, ResourceRecord>>,
    outputs: BTreeMap<StackEnv, BTreeMap<String, Value>>,
    locks: BTreeMap<StackEnv, LockInfo>,
}

/// A [`StateStore`] held in process memory, with the same guarantees as the real one.
#[derive(Default)]
pub struct MemoryStateStore {
    inner: Mutex<Inner>,
    next_token: AtomicU64,
}

impl MemoryStateStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        // A poisoned lock only means a test panicked mid-call; the data is still consistent.
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

#[async_trait]
impl StateStore for MemoryStateStore {
    async fn ensure(&self) -> Result<(), StateError> {
        Ok(())
    }

    async fn records(&self, at: &StackEnv) -> Result<Vec<ResourceRecord>, StateError> {
        Ok(self.with(|s| {
            s.records
                .get(at)
                .map(|m| m.values().cloned().collect())
                .unwrap_or_default()
        }))
    }

    async fn put_record(&self, at: &StackEnv, record: &ResourceRecord) -> Result<(), StateError> {
        self.with(|s| {
            s.records
                .entry(at.clone())
                .or_default()
                .insert(record.address.clone(), record.clone());
        });
        Ok(())
    }

    async fn remove_record(&self, at: &StackEnv, address: &Address) -> Result<(), StateError> {
        self.with(|s| {
            if let Some(m) = s.records.get_mut(at) {
                m.remove(address);
            }
        });
        Ok(())
    }

    async fn outputs(&self, at: &StackEnv) -> Result<BTreeMap<String, Value>, StateError> {
        Ok(self.with(|s| s.outputs.get(at).cloned().unwrap_or_default()))
    }

    async fn put_outputs(
        &self,
        at: &StackEnv,
        outputs: &BTreeMap<String, Value>,
    ) -> Result<(), StateError> {
        self.with(|s| s.outputs.insert(at.clone(), outputs.clone()));
        Ok(())
    }

    async fn acquire_lock(
        &self,
        at: &StackEnv,
        holder: &str,
        lease: Duration,
    ) -> Result<LockInfo, StateError> {
        let token = format!("mem-{}", self.next_token.fetch_add(1, Ordering::Relaxed));
        self.with(|s| {
            let now = SystemTime::now();
            if let Some(held) = s.locks.get(at)
                && held.expires_at > now
            {
                return Err(StateError::Locked {
                    stack: at.stack.clone(),
                    env: at.env.clone(),
                    lock: held.clone(),
                });
            }
            let lock = LockInfo {
                holder: holder.to_string(),
                token,
                acquired_at: now,
                expires_at: now + lease,
            };
            s.locks.insert(at.clone(), lock.clone());
            Ok(lock)
        })
    }

    async fn renew_lock(
        &self,
        at: &StackEnv,
        lock: &LockInfo,
        lease: Duration,
    ) -> Result<LockInfo, StateError> {
        self.with(|s| match s.locks.get_mut(at) {
            Some(held) if held.token == lock.token => {
                held.expires_at = SystemTime::now() + lease;
                Ok(held.clone())
            }
            _ => Err(StateError::LockLost {
                stack: at.stack.clone(),
                env: at.env.clone(),
                detail: "the lock is held by someone else or was removed".into(),
            }),
        })
    }

    async fn release_lock(&self, at: &StackEnv, lock: &LockInfo) -> Result<(), StateError> {
        self.with(|s| {
            if s.locks.get(at).is_some_and(|held| held.token == lock.token) {
                s.locks.remove(at);
            }
        });
        Ok(())
    }

    async fn force_unlock(&self, at: &StackEnv) -> Result<Option<LockInfo>, StateError> {
        Ok(self.with(|s| s.locks.remove(at)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> StackEnv {
        StackEnv {
            stack: "lake".into(),
            env: "dev".into(),
        }
    }

    #[tokio::test]
    async fn lock_is_exclusive_until_released_or_expired() {
        let store = MemoryStateStore::new();
        let first = store
            .acquire_lock(&at(), "a", Duration::from_secs(60))
            .await
            .expect("free lock");
        let second = store
            .acquire_lock(&at(), "b", Duration::from_secs(60))
            .await;
        assert!(matches!(second, Err(StateError::Locked { lock, .. }) if lock.holder == "a"));
        store.release_lock(&at(), &first).await.expect("release");
        let short = store
            .acquire_lock(&at(), "b", Duration::from_millis(1))
            .await
            .expect("released lock");
        tokio::time::sleep(Duration::from_millis(5)).await;
        store
            .acquire_lock(&at(), "c", Duration::from_secs(60))
            .await
            .expect("expired lease is taken over");
        assert!(matches!(
            store
                .renew_lock(&at(), &short, Duration::from_secs(1))
                .await,
            Err(StateError::LockLost { .. })
        ));
    }
}
