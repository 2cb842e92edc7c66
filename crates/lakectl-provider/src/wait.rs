//! Waiting for a resource to reach a state: one bounded loop for every kind.
//!
//! A provider says what it waits for (a poll that reads the status once) and the engine says
//! for how long (the request's `wait_limit`); [`until`] polls with backoff and, when the time
//! is up, fails with an error naming the resource, the goal and the last status seen.

use lakectl_core::ProviderError;
use std::time::Duration;
use tokio::time::Instant;

/// One look at a resource in transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll<T> {
    /// It got there; the value is whatever the poll read.
    Ready(T),
    /// Not yet: the status it is in, as AWS spells it (`CREATING`).
    Pending(String),
}

/// What is being waited for, for the timeout message.
#[derive(Debug, Clone, Copy)]
pub struct Goal<'a> {
    /// The call that polls, e.g. `dynamodb:DescribeTable`.
    pub operation: &'static str,
    /// The physical name.
    pub resource: &'a str,
    /// What it should do: `become ACTIVE`, `be deleted`.
    pub goal: &'a str,
}

/// The first wait between two polls; it doubles up to [`MAX_DELAY`].
pub const FIRST_DELAY: Duration = Duration::from_millis(200);
/// The longest wait between two polls.
pub const MAX_DELAY: Duration = Duration::from_secs(10);

/// Polls until `poll` answers [`Poll::Ready`], waiting 0.2 s, 0.4 s, ... up to 10 s between
/// looks, for at most `limit` in all.
///
/// # Errors
/// The poll failed, or [`ProviderError::WaitTimeout`] once `limit` is used up.
pub async fn until<T, F, Fut>(
    goal: Goal<'_>,
    limit: Duration,
    mut poll: F,
) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Poll<T>, ProviderError>>,
{
    let start = Instant::now();
    let mut delay = FIRST_DELAY;
    loop {
        let status = match poll().await? {
            Poll::Ready(v) => return Ok(v),
            Poll::Pending(status) => status,
        };
        if start.elapsed() + delay > limit {
            return Err(ProviderError::WaitTimeout {
                operation: goal.operation,
                resource: goal.resource.to_string(),
                goal: goal.goal.to_string(),
                status,
                waited: start.elapsed(),
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(MAX_DELAY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOAL: Goal<'static> = Goal {
        operation: "dynamodb:DescribeTable",
        resource: "lake-config",
        goal: "become ACTIVE",
    };

    #[tokio::test(start_paused = true)]
    async fn polls_with_backoff_until_ready() {
        let looks = std::cell::Cell::new(0);
        let started = Instant::now();
        let got = until(GOAL, Duration::from_secs(60), || async {
            looks.set(looks.get() + 1);
            Ok(if looks.get() < 4 {
                Poll::Pending("CREATING".into())
            } else {
                Poll::Ready(looks.get())
            })
        })
        .await
        .expect("ready");
        assert_eq!(got, 4);
        // 0.2 + 0.4 + 0.8 s between the four looks.
        assert_eq!(started.elapsed(), Duration::from_millis(1400));
    }

    #[tokio::test(start_paused = true)]
    async fn gives_up_at_the_limit_naming_the_resource_goal_and_status() {
        let looks = std::cell::Cell::new(0u32);
        let err = until(GOAL, Duration::from_secs(30), || async {
            looks.set(looks.get() + 1);
            Ok::<Poll<()>, _>(Poll::Pending("UPDATING".into()))
        })
        .await
        .expect_err("times out");
        let text = err.to_string();
        assert!(
            text.contains("lake-config did not become ACTIVE") && text.contains("still UPDATING"),
            "{text}"
        );
        // 0.2+0.4+0.8+1.6+3.2+6.4+10 = 22.6 s, and the next 10 s wait would pass 30 s.
        assert_eq!(looks.get(), 8);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_poll_ends_the_wait() {
        let err = until(GOAL, Duration::from_secs(30), || async {
            Err::<Poll<()>, _>(ProviderError::invalid("lake-config", "gone"))
        })
        .await
        .expect_err("fails");
        assert!(err.to_string().contains("gone"));
    }
}
