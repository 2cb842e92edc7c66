//! Running a step again when it failed only because AWS had not settled yet.
//!
//! This is not the throttling retry: the SDK retries throttled and transient calls itself
//! (configured once in `lakectl_provider::sdk_config`), and those errors reach the engine
//! final. A step runs again only for errors a provider marks as documented eventual
//! consistency ([`ProviderError::settles_later`]): an IAM principal not propagated yet, a
//! DynamoDB table's backups not ready yet, a role that had something attached meanwhile.

use crate::progress::ProgressEvent;
use lakectl_core::{Address, ProviderError};
use std::time::Duration;

/// The waits before each retry: 6 attempts in all, about 25 s before giving up.
pub(crate) const BACKOFF: [Duration; 5] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(4),
    Duration::from_secs(8),
    Duration::from_secs(10),
];

/// Runs `call` until it succeeds, fails with a non-retryable error, or [`BACKOFF`] runs out.
pub(crate) async fn with_retries<T, F, Fut>(
    address: &Address,
    emit: &(dyn Fn(ProgressEvent) + Send + Sync),
    mut call: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, ProviderError>>,
{
    let mut waits = BACKOFF.iter();
    let mut attempt = 1;
    loop {
        match call().await {
            Err(e) if e.is_retryable() => match waits.next() {
                Some(wait) => {
                    attempt += 1;
                    emit(ProgressEvent::Retrying {
                        address: address.clone(),
                        attempt,
                        error: e.to_string(),
                    });
                    tokio::time::sleep(*wait).await;
                }
                None => return Err(e),
            },
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn throttled() -> ProviderError {
        ProviderError::Aws {
            operation: "iam:CreateRole",
            resource: "b".into(),
            code: "MalformedPolicyDocument".into(),
            message: "Invalid principal in policy".into(),
            request_id: None,
            class: lakectl_core::ErrorClass::Validation,
            retryable: true,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retries_only_retryable_errors_and_gives_up_after_six_attempts() {
        // (why, failures before success (u32::MAX = always), retryable, want ok, want calls)
        let cases = [
            ("success needs no retry", 0, true, true, 1),
            ("two throttles then success", 2, true, true, 3),
            (
                "five throttles is the most that still succeeds",
                5,
                true,
                true,
                6,
            ),
            (
                "always throttled gives up after six",
                u32::MAX,
                true,
                false,
                6,
            ),
            (
                "a permanent error is not retried",
                u32::MAX,
                false,
                false,
                1,
            ),
        ];
        for (why, failures, retryable, want_ok, want_calls) in cases {
            let calls = AtomicU32::new(0);
            let events = Mutex::new(Vec::new());
            let emit = |e: ProgressEvent| events.lock().expect("lock").push(e);
            let started = tokio::time::Instant::now();
            let got = with_retries(&Address::new("b", None), &emit, || async {
                let n = calls.fetch_add(1, Ordering::SeqCst);
                if n < failures {
                    Err(if retryable {
                        throttled()
                    } else {
                        ProviderError::invalid("b", "bad")
                    })
                } else {
                    Ok(n)
                }
            })
            .await;
            assert_eq!(got.is_ok(), want_ok, "{why}");
            assert_eq!(calls.load(Ordering::SeqCst), want_calls, "{why}");
            let retries = events.lock().expect("lock").len() as u32;
            assert_eq!(
                retries,
                want_calls - 1,
                "{why}: one Retrying event per retry"
            );
            let waited: Duration = BACKOFF.iter().take(retries as usize).sum();
            assert_eq!(started.elapsed(), waited, "{why}: backoff 1, 2, 4, 8, 10 s");
        }
    }
}
