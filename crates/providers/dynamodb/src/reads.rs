//! The read-only calls: DescribeTable, the side reads observe needs, waiting for a table to
//! settle or go, and counting items.

use crate::live::{TableFacts, pending_status, pitr_enabled, ttl_attribute};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Select, TableDescription};
use lakectl_core::{Contents, ProviderError};
use lakectl_provider::wait::{self, Goal, Poll};
use lakectl_provider::{Doing, Found};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// Counting items stops here: enough to tell people what a delete would destroy.
pub const COUNT_LIMIT: u64 = 10_000;

/// DescribeTable; `None` when the table does not exist.
pub async fn describe(c: &Client, name: &str) -> Result<Option<TableDescription>, ProviderError> {
    let out = c
        .describe_table()
        .table_name(name)
        .send()
        .await
        .doing("dynamodb:DescribeTable", name)
        .found()?;
    Ok(out.and_then(|o| o.table))
}

/// PITR, TTL and tags, read concurrently; `None` when the table vanished in between.
pub async fn facts(
    c: &Client,
    name: &str,
    arn: &str,
    table: TableDescription,
) -> Result<Option<TableFacts>, ProviderError> {
    let (pitr, ttl, tags) = tokio::try_join!(pitr(c, name), ttl(c, name), tags(c, name, arn))?;
    Ok(match (pitr, ttl, tags) {
        (Some(pitr), Some(ttl_attribute), Some(tags)) => Some(TableFacts {
            table,
            pitr,
            ttl_attribute,
            tags,
        }),
        _ => None,
    })
}

async fn pitr(c: &Client, name: &str) -> Result<Option<bool>, ProviderError> {
    let out = c
        .describe_continuous_backups()
        .table_name(name)
        .send()
        .await
        .doing("dynamodb:DescribeContinuousBackups", name)
        .found()?;
    Ok(out.map(|o| pitr_enabled(o.continuous_backups_description())))
}

async fn ttl(c: &Client, name: &str) -> Result<Option<Option<String>>, ProviderError> {
    let out = c
        .describe_time_to_live()
        .table_name(name)
        .send()
        .await
        .doing("dynamodb:DescribeTimeToLive", name)
        .found()?;
    Ok(out.map(|o| ttl_attribute(o.time_to_live_description())))
}

async fn tags(
    c: &Client,
    name: &str,
    arn: &str,
) -> Result<Option<BTreeMap<String, String>>, ProviderError> {
    let mut all = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let Some(out) = c
            .list_tags_of_resource()
            .resource_arn(arn)
            .set_next_token(token.take())
            .send()
            .await
            .doing("dynamodb:ListTagsOfResource", name)
            .found()?
        else {
            return Ok(None);
        };
        for tag in out.tags() {
            all.insert(tag.key().to_string(), tag.value().to_string());
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => return Ok(Some(all)),
        }
    }
}

/// Waits until the table and its indexes are ACTIVE, within `limit`.
///
/// # Errors
/// The table is missing (deleted by someone else meanwhile), still in transition after
/// `limit`, or DescribeTable failed.
pub async fn wait_settled(
    c: &Client,
    name: &str,
    limit: Duration,
) -> Result<TableDescription, ProviderError> {
    let goal = Goal {
        operation: "dynamodb:DescribeTable",
        resource: name,
        goal: "become ACTIVE",
    };
    wait::until(goal, limit, || async move {
        match describe(c, name).await? {
            None => Err(ProviderError::invalid(
                name,
                "the table disappeared while lakectl waited for it to become ACTIVE; \
             someone else deleted it, run the deploy again",
            )),
            Some(t) => Ok(match pending_status(&t) {
                None => Poll::Ready(t),
                Some(status) => Poll::Pending(status),
            }),
        }
    })
    .await
}

/// Waits until the table is gone, within `limit`.
///
/// # Errors
/// The table still exists after `limit`, or DescribeTable failed.
pub async fn wait_gone(c: &Client, name: &str, limit: Duration) -> Result<(), ProviderError> {
    let goal = Goal {
        operation: "dynamodb:DescribeTable",
        resource: name,
        goal: "be deleted",
    };
    wait::until(goal, limit, || async move {
        Ok(match describe(c, name).await? {
            None => Poll::Ready(()),
            Some(t) => Poll::Pending(
                t.table_status()
                    .map_or("present", |s| s.as_str())
                    .to_string(),
            ),
        })
    })
    .await
}

/// Counts items with `Select::Count` scans, page by page, stopping once [`COUNT_LIMIT`] is
/// reached. A missing table is empty.
pub async fn count_items(c: &Client, name: &str) -> Result<Contents, ProviderError> {
    let mut count: u64 = 0;
    let mut start: Option<HashMap<String, AttributeValue>> = None;
    loop {
        let Some(out) = c
            .scan()
            .table_name(name)
            .select(Select::Count)
            .set_exclusive_start_key(start.take())
            .send()
            .await
            .doing("dynamodb:Scan", name)
            .found()?
        else {
            return Ok(Contents::Empty);
        };
        count += u64::try_from(out.count()).unwrap_or(0);
        let more = out.last_evaluated_key().is_some_and(|k| !k.is_empty());
        if !more || count >= COUNT_LIMIT {
            return Ok(match count {
                0 if !more => Contents::Empty,
                _ => Contents::NonEmpty {
                    count,
                    exact: !more,
                    noun: "items",
                },
            });
        }
        start = out.last_evaluated_key;
    }
}
