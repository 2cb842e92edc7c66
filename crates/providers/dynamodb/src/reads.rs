//! The read-only calls: DescribeTable, the side reads observe needs, waiting for a table to
//! settle or go, and counting items.

use crate::live::{TableFacts, pending_status, pitr_enabled, ttl_attribute};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{AttributeValue, Select, TableDescription};
use lakectl_aws::aws_error;
use lakectl_core::{Contents, ProviderError};
use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

/// Counting items stops here: enough to tell people what a delete would destroy.
pub const COUNT_LIMIT: u64 = 10_000;

/// DescribeTable; `None` when the table does not exist.
pub async fn describe(c: &Client, name: &str) -> Result<Option<TableDescription>, ProviderError> {
    match c.describe_table().table_name(name).send().await {
        Ok(out) => Ok(out.table),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(aws_error("dynamodb:DescribeTable", name, e)),
    }
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
    match c
        .describe_continuous_backups()
        .table_name(name)
        .send()
        .await
    {
        Ok(out) => Ok(Some(pitr_enabled(out.continuous_backups_description()))),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_table_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(aws_error("dynamodb:DescribeContinuousBackups", name, e)),
    }
}

async fn ttl(c: &Client, name: &str) -> Result<Option<Option<String>>, ProviderError> {
    match c.describe_time_to_live().table_name(name).send().await {
        Ok(out) => Ok(Some(ttl_attribute(out.time_to_live_description()))),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(e) => Err(aws_error("dynamodb:DescribeTimeToLive", name, e)),
    }
}

async fn tags(
    c: &Client,
    name: &str,
    arn: &str,
) -> Result<Option<BTreeMap<String, String>>, ProviderError> {
    let mut all = BTreeMap::new();
    let mut token: Option<String> = None;
    loop {
        let out = match c
            .list_tags_of_resource()
            .resource_arn(arn)
            .set_next_token(token.take())
            .send()
            .await
        {
            Ok(out) => out,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(aws_error("dynamodb:ListTagsOfResource", name, e)),
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

/// What to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Until {
    /// The table and all its indexes ACTIVE.
    Settled,
    /// The table gone.
    Gone,
}

/// Polls DescribeTable with backoff until the table and its indexes are ACTIVE.
///
/// # Errors
/// The table is missing (deleted by someone else meanwhile) or still in transition after
/// `limit`.
pub async fn wait_settled(
    c: &Client,
    name: &str,
    limit: Duration,
) -> Result<TableDescription, ProviderError> {
    match wait(c, name, limit, Until::Settled).await? {
        Some(table) => Ok(table),
        None => Err(ProviderError::invalid(
            name,
            "the table disappeared while lakectl waited for it to become ACTIVE; \
             someone else deleted it, run the deploy again",
        )),
    }
}

/// Polls DescribeTable with backoff until the table is gone.
///
/// # Errors
/// The table still exists after `limit`.
pub async fn wait_gone(c: &Client, name: &str, limit: Duration) -> Result<(), ProviderError> {
    wait(c, name, limit, Until::Gone).await.map(drop)
}

async fn wait(
    c: &Client,
    name: &str,
    limit: Duration,
    until: Until,
) -> Result<Option<TableDescription>, ProviderError> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(200);
    loop {
        let table = describe(c, name).await?;
        let status = match (&table, until) {
            (None, _) => return Ok(None),
            (Some(t), Until::Settled) => match pending_status(t) {
                None => return Ok(table),
                Some(status) => status,
            },
            (Some(t), Until::Gone) => t
                .table_status()
                .map_or("present", |s| s.as_str())
                .to_string(),
        };
        if start.elapsed() + delay > limit {
            let goal = match until {
                Until::Settled => "become ACTIVE",
                Until::Gone => "be deleted",
            };
            return Err(ProviderError::Aws {
                operation: "dynamodb:DescribeTable",
                resource: name.to_string(),
                code: "WaitTimeout".into(),
                message: format!(
                    "the table did not {goal} within {}s (still {status}); \
                     DynamoDB is still working on it, run the deploy again later",
                    limit.as_secs()
                ),
                request_id: None,
                retryable: false,
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(10));
    }
}

/// Counts items with `Select::Count` scans, page by page, stopping once [`COUNT_LIMIT`] is
/// reached. A missing table is empty.
pub async fn count_items(c: &Client, name: &str) -> Result<Contents, ProviderError> {
    let mut count: u64 = 0;
    let mut start: Option<HashMap<String, AttributeValue>> = None;
    loop {
        let out = match c
            .scan()
            .table_name(name)
            .select(Select::Count)
            .set_exclusive_start_key(start.take())
            .send()
            .await
        {
            Ok(out) => out,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_not_found_exception()) =>
            {
                return Ok(Contents::Empty);
            }
            Err(e) => return Err(aws_error("dynamodb:Scan", name, e)),
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
