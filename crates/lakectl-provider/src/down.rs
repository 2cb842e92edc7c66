//! When the endpoint stops answering, stop retrying it.
//!
//! The SDK retries a refused or reset connection like any transient error: six attempts with
//! backoff, about twenty seconds per call. One blip deserves that; an endpoint that went away
//! (the emulator was stopped, the network dropped) does not: every call in flight would keep
//! a deploy waiting that long, and print its failure only at the end. [`EndpointDown`], on every
//! client, lets connection failures be retried for a grace after the first one ([`GRACE`], or
//! what [`set_outage_grace`] set); past that, until some call gets an answer again, a failed
//! connection is final.

use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long after the first failed connection others are still retried, by default: an
/// emulator on loopback either answers or is gone.
pub const GRACE: Duration = Duration::from_secs(1);

/// The grace in force, in milliseconds ([`set_outage_grace`]).
static GRACE_MS: AtomicU64 = AtomicU64::new(GRACE.as_millis() as u64);

/// Sets how long connection failures are retried after the first: longer for AWS itself,
/// where a network blip of a few seconds should not end a deploy.
pub fn set_outage_grace(grace: Duration) {
    GRACE_MS.store(
        u64::try_from(grace.as_millis()).unwrap_or(u64::MAX),
        Ordering::Relaxed,
    );
}

fn grace() -> Duration {
    Duration::from_millis(GRACE_MS.load(Ordering::Relaxed))
}

/// Since when no connection has worked, process-wide (`None` while calls get answers).
static FAILING_SINCE: Mutex<Option<Instant>> = Mutex::new(None);

/// The retry classifier every client carries; see the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct EndpointDown;

/// What a call's outcome says about the endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// An answer (any HTTP response, errors included): it is up.
    Answered,
    /// No connection.
    NoConnection,
    /// Nothing that tells (a timeout, a request that could not be built).
    Other,
}

fn seen(ctx: &InterceptorContext) -> Seen {
    if ctx.response().is_some() {
        return Seen::Answered;
    }
    match ctx.output_or_error() {
        Some(Err(e)) if e.as_connector_error().is_some_and(|c| c.is_io()) => Seen::NoConnection,
        _ => Seen::Other,
    }
}

/// Records what a call saw and decides: `true` when the endpoint has failed for longer than
/// the grace, so the failure should not be retried.
fn endpoint_gone(seen: Seen, now: Instant) -> bool {
    let mut since = FAILING_SINCE.lock().unwrap_or_else(|p| p.into_inner());
    match seen {
        Seen::Answered => {
            *since = None;
            false
        }
        Seen::NoConnection => now.duration_since(*since.get_or_insert(now)) > grace(),
        Seen::Other => false,
    }
}

impl ClassifyRetry for EndpointDown {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        self.classify_retry_v2(ctx, &RetryAction::NoActionIndicated)
    }

    fn classify_retry_v2(&self, ctx: &InterceptorContext, previous: &RetryAction) -> RetryAction {
        if endpoint_gone(seen(ctx), Instant::now()) {
            RetryAction::RetryForbidden
        } else {
            previous.clone()
        }
    }

    fn name(&self) -> &'static str {
        "lakectl::EndpointDown"
    }

    fn priority(&self) -> RetryClassifierPriority {
        // After the SDK's transient-error classifier, whose "retry" it may overrule.
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_are_retried_only_within_the_grace_after_the_first() {
        let t0 = Instant::now();
        assert!(!endpoint_gone(Seen::Answered, t0));
        assert!(!endpoint_gone(Seen::NoConnection, t0), "the first failure");
        assert!(
            !endpoint_gone(Seen::NoConnection, t0 + GRACE / 2),
            "within the grace"
        );
        assert!(
            !endpoint_gone(Seen::Other, t0 + GRACE * 3),
            "a timeout tells nothing"
        );
        assert!(endpoint_gone(Seen::NoConnection, t0 + GRACE * 2), "gone");
        assert!(!endpoint_gone(Seen::Answered, t0 + GRACE * 3), "back");
        assert!(
            !endpoint_gone(Seen::NoConnection, t0 + GRACE * 4),
            "a new first failure"
        );
        assert!(!endpoint_gone(Seen::Answered, t0 + GRACE * 4));
    }
}
