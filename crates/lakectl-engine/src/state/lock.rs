//! The deploy lock: a lease renewed by a heartbeat.
//!
//! The lock in the state store expires unless renewed, so a deploy that dies (even
//! `kill -9`) frees it within one lease. While a [`LockGuard`] lives, a tokio task renews
//! the lease every third of it; [`LockGuard::check`] tells the deploy, before and after it
//! changes anything, whether the lock is still its own.

use super::{LockInfo, StackEnv, StateError, StateStore};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// How often a waiting acquire tries again.
const POLL: Duration = Duration::from_secs(1);

/// How a lock is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockOptions {
    /// How long the lock stays ours without a heartbeat: the longest a dead deploy blocks
    /// the next one.
    pub lease: Duration,
    /// How long to wait for another holder to finish (`--lock-timeout`); `None` fails at once.
    pub wait: Option<Duration>,
}

impl Default for LockOptions {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(15),
            wait: None,
        }
    }
}

/// What the heartbeat has learned, shared with the guard.
#[derive(Debug)]
struct Beat {
    /// The lock as last renewed.
    lock: LockInfo,
    /// Set once a renewal found the lock taken or removed: it never comes back.
    lost: Option<String>,
    /// Until when the lease surely holds: `lease` after the last successful renewal was sent.
    valid_until: Instant,
    /// The last transient renewal failure, for the message when the lease runs out.
    last_error: Option<String>,
}

/// A held deploy lock. Release it with [`LockGuard::release`]; dropping it stops the
/// heartbeat and leaves the lease to expire on its own.
pub struct LockGuard {
    store: Arc<dyn StateStore>,
    at: StackEnv,
    beat: Arc<Mutex<Beat>>,
    heartbeat: JoinHandle<()>,
}

impl std::fmt::Debug for LockGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LockGuard")
            .field("at", &self.at)
            .field("beat", &*lock(&self.beat))
            .finish_non_exhaustive()
    }
}

impl LockGuard {
    /// Takes the lock of `at` for `holder` and starts the heartbeat.
    ///
    /// # Errors
    /// [`StateError::Locked`] naming the holder when the lock is taken (after `opts.wait`,
    /// polling every second, when set); any other store error at once.
    pub async fn acquire(
        store: Arc<dyn StateStore>,
        at: StackEnv,
        holder: String,
        opts: LockOptions,
    ) -> Result<LockGuard, StateError> {
        Self::acquire_reporting(store, at, holder, opts, |_, _| {}).await
    }

    /// [`LockGuard::acquire`], telling `waiting` who holds the lock and how long the wait may
    /// still last, each time it finds the lock taken and waits on.
    ///
    /// # Errors
    /// As [`LockGuard::acquire`].
    pub async fn acquire_reporting(
        store: Arc<dyn StateStore>,
        at: StackEnv,
        holder: String,
        opts: LockOptions,
        waiting: impl Fn(&LockInfo, Duration),
    ) -> Result<LockGuard, StateError> {
        let deadline = opts.wait.map(|w| Instant::now() + w);
        let (lock, started) = loop {
            let started = Instant::now();
            match (store.acquire_lock(&at, &holder, opts.lease).await, deadline) {
                (Ok(lock), _) => break (lock, started),
                (Err(StateError::Locked { lock, .. }), Some(d)) if Instant::now() < d => {
                    waiting(&lock, d - Instant::now());
                    tokio::time::sleep_until(d.min(Instant::now() + POLL)).await;
                }
                (Err(e), _) => return Err(e),
            }
        };
        let beat = Arc::new(Mutex::new(Beat {
            lock,
            lost: None,
            valid_until: started + opts.lease,
            last_error: None,
        }));
        let heartbeat = tokio::spawn(heartbeat(
            store.clone(),
            at.clone(),
            beat.clone(),
            opts.lease,
        ));
        Ok(LockGuard {
            store,
            at,
            beat,
            heartbeat,
        })
    }

    /// Whether the lock is still ours.
    ///
    /// # Errors
    /// [`StateError::LockLost`] once a heartbeat found the lock taken or removed, or when no
    /// renewal succeeded for a whole lease (another process may have taken it since).
    pub fn check(&self) -> Result<(), StateError> {
        let beat = lock(&self.beat);
        let detail = match (&beat.lost, &beat.last_error) {
            (Some(lost), _) => lost.clone(),
            (None, last) if Instant::now() >= beat.valid_until => format!(
                "the lease could not be renewed in time{}",
                last.as_ref()
                    .map(|e| format!(" (last error: {e})"))
                    .unwrap_or_default()
            ),
            _ => return Ok(()),
        };
        Err(StateError::LockLost {
            stack: self.at.stack.clone(),
            env: self.at.env.clone(),
            detail,
        })
    }

    /// Stops the heartbeat and gives the lock up (a lock that is no longer ours stays as it is).
    ///
    /// # Errors
    /// A failed call to the store; the lease then expires on its own.
    pub async fn release(self) -> Result<(), StateError> {
        self.heartbeat.abort();
        let held = lock(&self.beat).lock.clone();
        self.store.release_lock(&self.at, &held).await
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        self.heartbeat.abort();
    }
}

/// Renews the lease every third of it until aborted or the lock is lost. A transient failure
/// is retried on the next beat: two more chances before the lease runs out.
async fn heartbeat(
    store: Arc<dyn StateStore>,
    at: StackEnv,
    beat: Arc<Mutex<Beat>>,
    lease: Duration,
) {
    // A floor, so that a zero lease cannot spin the heartbeat.
    let every = (lease / 3).max(Duration::from_millis(10));
    loop {
        tokio::time::sleep(every).await;
        let held = lock(&beat).lock.clone();
        let sent = Instant::now();
        match store.renew_lock(&at, &held, lease).await {
            Ok(renewed) => {
                let mut b = lock(&beat);
                b.lock = renewed;
                b.valid_until = sent + lease;
                b.last_error = None;
            }
            Err(StateError::LockLost { detail, .. }) => {
                lock(&beat).lost = Some(detail);
                return;
            }
            Err(other) => lock(&beat).last_error = Some(other.to_string()),
        }
    }
}

fn lock(beat: &Mutex<Beat>) -> std::sync::MutexGuard<'_, Beat> {
    // Poisoned only if a holder panicked between plain field writes: the data is still whole.
    beat.lock().unwrap_or_else(|p| p.into_inner())
}

/// `user@host pid N`: who holds a lock, as another deploy shows it.
pub fn default_holder() -> String {
    let user = ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()))
        .unwrap_or_else(|| "unknown-host".into());
    format!("{user}@{host} pid {}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::memory::MemoryStateStore;
    use async_trait::async_trait;
    use lakectl_core::{Address, ProviderError};
    use serde_json::Value;
    use std::collections::BTreeMap;
    use std::sync::atomic::{AtomicBool, Ordering};

    fn at() -> StackEnv {
        StackEnv {
            stack: "lake".into(),
            env: "dev".into(),
        }
    }

    fn opts(lease_ms: u64, wait_s: Option<u64>) -> LockOptions {
        LockOptions {
            lease: Duration::from_millis(lease_ms),
            wait: wait_s.map(Duration::from_secs),
        }
    }

    async fn take(store: &Arc<MemoryStateStore>, holder: &str, o: LockOptions) -> LockGuard {
        LockGuard::acquire(store.clone(), at(), holder.into(), o)
            .await
            .expect("the lock is free")
    }

    fn holder_of(r: Result<LockInfo, StateError>) -> Option<String> {
        match r {
            Err(StateError::Locked { lock, .. }) => Some(lock.holder),
            _ => None,
        }
    }

    // The memory store's leases are wall-clock time, so the lease tests run in real time
    // with short leases; the waiting tests pause tokio's clock instead.

    #[tokio::test]
    async fn heartbeat_keeps_the_lease_alive_past_its_length() {
        let store = Arc::new(MemoryStateStore::new());
        let guard = take(&store, "a", opts(600, None)).await;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let other = store.acquire_lock(&at(), "b", Duration::from_secs(1)).await;
        assert_eq!(holder_of(other), Some("a".into()), "still held by a");
        guard.check().expect("still ours");
        guard.release().await.expect("release");
        store
            .acquire_lock(&at(), "b", Duration::from_secs(1))
            .await
            .expect("free after release");
    }

    #[tokio::test]
    async fn a_dropped_guard_frees_the_lock_within_one_lease() {
        let store = Arc::new(MemoryStateStore::new());
        drop(take(&store, "a", opts(500, None)).await);
        let at_once = store.acquire_lock(&at(), "b", Duration::from_secs(1)).await;
        assert_eq!(holder_of(at_once), Some("a".into()), "lease still running");
        tokio::time::sleep(Duration::from_millis(600)).await;
        let next = take(&store, "b", opts(1000, None)).await;
        next.check().expect("b holds it");
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_succeeds_when_the_holder_releases() {
        let store = Arc::new(MemoryStateStore::new());
        let first = take(&store, "a", opts(15_000, None)).await;
        let releaser = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(2500)).await;
            first.release().await
        });
        let started = Instant::now();
        let second = take(&store, "b", opts(15_000, Some(10))).await;
        let waited = started.elapsed();
        releaser.await.expect("joined").expect("released");
        assert!(
            (Duration::from_millis(2500)..=Duration::from_millis(3500)).contains(&waited),
            "acquired at the first poll after the release, not {waited:?}"
        );
        second.check().expect("b holds it");
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_times_out_naming_the_holder() {
        let store = Arc::new(MemoryStateStore::new());
        let _first = take(&store, "a", opts(15_000, None)).await;
        let started = Instant::now();
        let second =
            LockGuard::acquire(store.clone(), at(), "b".into(), opts(15_000, Some(3))).await;
        let waited = started.elapsed();
        match second {
            Err(StateError::Locked { lock, .. }) => assert_eq!(lock.holder, "a"),
            other => panic!("expected Locked by a, got {other:?}"),
        }
        assert_eq!(waited, Duration::from_secs(3), "waited exactly the timeout");
        let at_once = LockGuard::acquire(store.clone(), at(), "c".into(), opts(15_000, None)).await;
        assert!(
            matches!(at_once, Err(StateError::Locked { .. })),
            "no wait: fails at once"
        );
        assert_eq!(started.elapsed(), Duration::from_secs(3));
    }

    #[tokio::test]
    async fn check_reports_a_lock_force_unlocked_and_taken_over() {
        let store = Arc::new(MemoryStateStore::new());
        let guard = take(&store, "a", opts(600, None)).await;
        let old = store.force_unlock(&at()).await.expect("force unlock");
        assert_eq!(old.map(|l| l.holder), Some("a".into()));
        store
            .acquire_lock(&at(), "b", Duration::from_secs(5))
            .await
            .expect("free after force unlock");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            matches!(guard.check(), Err(StateError::LockLost { .. })),
            "the heartbeat noticed"
        );
        guard
            .release()
            .await
            .expect("releasing a lost lock is a no-op");
        let still = store.acquire_lock(&at(), "c", Duration::from_secs(1)).await;
        assert_eq!(holder_of(still), Some("b".into()), "b's lock survived");
    }

    /// A memory store whose renewals fail like an unreachable endpoint while `down` is set.
    struct Flaky {
        inner: MemoryStateStore,
        down: AtomicBool,
    }

    #[async_trait]
    impl StateStore for Flaky {
        async fn ensure(&self) -> Result<(), StateError> {
            self.inner.ensure().await
        }
        async fn records(
            &self,
            at: &StackEnv,
        ) -> Result<Vec<super::super::ResourceRecord>, StateError> {
            self.inner.records(at).await
        }
        async fn put_record(
            &self,
            at: &StackEnv,
            r: &super::super::ResourceRecord,
        ) -> Result<(), StateError> {
            self.inner.put_record(at, r).await
        }
        async fn remove_record(&self, at: &StackEnv, a: &Address) -> Result<(), StateError> {
            self.inner.remove_record(at, a).await
        }
        async fn outputs(&self, at: &StackEnv) -> Result<BTreeMap<String, Value>, StateError> {
            self.inner.outputs(at).await
        }
        async fn put_outputs(
            &self,
            at: &StackEnv,
            o: &BTreeMap<String, Value>,
        ) -> Result<(), StateError> {
            self.inner.put_outputs(at, o).await
        }
        async fn acquire_lock(
            &self,
            at: &StackEnv,
            holder: &str,
            lease: Duration,
        ) -> Result<LockInfo, StateError> {
            self.inner.acquire_lock(at, holder, lease).await
        }
        async fn renew_lock(
            &self,
            at: &StackEnv,
            lock: &LockInfo,
            lease: Duration,
        ) -> Result<LockInfo, StateError> {
            if self.down.load(Ordering::SeqCst) {
                return Err(ProviderError::Unreachable {
                    operation: "dynamodb:UpdateItem",
                    resource: "state".into(),
                    detail: "connection refused".into(),
                }
                .into());
            }
            self.inner.renew_lock(at, lock, lease).await
        }
        async fn release_lock(&self, at: &StackEnv, lock: &LockInfo) -> Result<(), StateError> {
            self.inner.release_lock(at, lock).await
        }
        async fn force_unlock(&self, at: &StackEnv) -> Result<Option<LockInfo>, StateError> {
            self.inner.force_unlock(at).await
        }
    }

    #[tokio::test]
    async fn transient_renewal_failures_are_retried_until_the_lease_runs_out() {
        let store = Arc::new(Flaky {
            inner: MemoryStateStore::new(),
            down: AtomicBool::new(true),
        });
        let guard = LockGuard::acquire(store.clone(), at(), "a".into(), opts(1500, None))
            .await
            .expect("free");
        tokio::time::sleep(Duration::from_millis(700)).await;
        guard
            .check()
            .expect("one failed beat: the lease still holds");
        tokio::time::sleep(Duration::from_millis(1000)).await;
        match guard.check() {
            Err(StateError::LockLost { detail, .. }) => assert!(
                detail.contains("connection refused"),
                "names the last error: {detail}"
            ),
            other => panic!("a lease without renewal is not trusted: {other:?}"),
        }
        store.down.store(false, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(700)).await;
        guard
            .check()
            .expect("a renewal with our token proves nobody took it in between");
    }

    #[test]
    fn default_holder_names_user_host_and_pid() {
        let holder = default_holder();
        let pid = format!(" pid {}", std::process::id());
        assert!(holder.ends_with(&pid), "{holder}");
        let (user, host) = holder
            .trim_end_matches(&pid)
            .split_once('@')
            .expect("user@host");
        assert!(!user.is_empty() && !host.is_empty(), "{holder}");
    }
}
