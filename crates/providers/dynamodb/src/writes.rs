//! One function per mutating DynamoDB call, each mapping its error with the operation's name.

use crate::sdk_types;
use crate::table::{Billing, Gsi, Table};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    BillingMode, DeleteGlobalSecondaryIndexAction, GlobalSecondaryIndexUpdate,
    PointInTimeRecoverySpecification, TimeToLiveSpecification, UpdateGlobalSecondaryIndexAction,
};
use lakectl_core::{ErrorClass, ProviderError};
use lakectl_provider::tags::{Call, TagDiff, Tags, sync_pair};
use lakectl_provider::{Doing, Found, aws_error};

/// CreateTable with keys, billing, indexes, deletion protection and tags at once, so the
/// ownership tags are there from the first moment the table exists. A taken name
/// (`ResourceInUseException`, which CreateTable alone answers for it) is reported with class
/// `AlreadyExists`.
pub async fn create_table(c: &Client, name: &str, t: &Table) -> Result<(), ProviderError> {
    let gsis = t
        .gsis
        .iter()
        .map(|g| sdk_types::gsi_for_create(name, g, t.billing))
        .collect::<Result<Vec<_>, _>>()?;
    let tags = sdk_types::tags(name, &t.tags)?;
    let result = c
        .create_table()
        .table_name(name)
        .set_attribute_definitions(Some(sdk_types::attribute_definitions(name, t, &t.gsis)?))
        .set_key_schema(Some(sdk_types::key_schema(
            name,
            &t.partition_key,
            t.sort_key.as_ref(),
        )?))
        .billing_mode(billing_mode(t.billing))
        .set_provisioned_throughput(sdk_types::throughput(name, t.billing)?)
        .set_global_secondary_indexes((!gsis.is_empty()).then_some(gsis))
        .deletion_protection_enabled(t.deletion_protection)
        .set_tags((!tags.is_empty()).then_some(tags))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) => {
            let taken = e
                .as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception());
            let err = aws_error("dynamodb:CreateTable", name, e);
            Err(if taken {
                err.with_class(ErrorClass::AlreadyExists)
            } else {
                err
            })
        }
    }
}

fn billing_mode(b: Billing) -> BillingMode {
    match b {
        Billing::PayPerRequest => BillingMode::PayPerRequest,
        Billing::Provisioned { .. } => BillingMode::Provisioned,
    }
}

/// UpdateTable: the billing mode and capacity. Indexes that stay get the table's capacity
/// in the same call, which AWS requires when switching to PROVISIONED.
pub async fn update_billing(
    c: &Client,
    name: &str,
    billing: Billing,
    remaining: &[&Gsi],
) -> Result<(), ProviderError> {
    let throughput = sdk_types::throughput(name, billing)?;
    let gsi_updates = match &throughput {
        Some(tp) if !remaining.is_empty() => Some(
            remaining
                .iter()
                .map(|g| {
                    UpdateGlobalSecondaryIndexAction::builder()
                        .index_name(&g.name)
                        .provisioned_throughput(tp.clone())
                        .build()
                        .map(|u| GlobalSecondaryIndexUpdate::builder().update(u).build())
                        .map_err(|e| {
                            ProviderError::invalid(
                                name,
                                format!("cannot build an index update: {e}"),
                            )
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
        _ => None,
    };
    c.update_table()
        .table_name(name)
        .billing_mode(billing_mode(billing))
        .set_provisioned_throughput(throughput)
        .set_global_secondary_index_updates(gsi_updates)
        .send()
        .await
        .map(drop)
        .doing("dynamodb:UpdateTable", name)
}

/// UpdateTable deleting one index.
pub async fn delete_gsi(c: &Client, name: &str, index: &str) -> Result<(), ProviderError> {
    let action = DeleteGlobalSecondaryIndexAction::builder()
        .index_name(index)
        .build()
        .map_err(|e| {
            ProviderError::invalid(name, format!("cannot build an index deletion: {e}"))
        })?;
    c.update_table()
        .table_name(name)
        .global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder().delete(action).build(),
        )
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            aws_error(
                "dynamodb:UpdateTable",
                &format!("{name} (index {index})"),
                e,
            )
        })
}

/// UpdateTable creating one index. `existing` are the indexes the table has meanwhile: the
/// attribute definitions sent cover them all, because some endpoints (moto) replace the
/// table's definitions with the ones sent instead of merging them.
pub async fn create_gsi(
    c: &Client,
    name: &str,
    table: &Table,
    gsi: &Gsi,
    existing: &[&Gsi],
) -> Result<(), ProviderError> {
    let defs = sdk_types::attribute_definitions(
        name,
        table,
        existing.iter().copied().chain(std::iter::once(gsi)),
    )?;
    let action = sdk_types::gsi_create_action(name, gsi, table.billing)?;
    c.update_table()
        .table_name(name)
        .set_attribute_definitions(Some(defs))
        .global_secondary_index_updates(
            GlobalSecondaryIndexUpdate::builder().create(action).build(),
        )
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            aws_error(
                "dynamodb:UpdateTable",
                &format!("{name} (index {})", gsi.name),
                e,
            )
        })
}

/// UpdateTable: deletion protection on or off.
pub async fn set_deletion_protection(
    c: &Client,
    name: &str,
    on: bool,
) -> Result<(), ProviderError> {
    c.update_table()
        .table_name(name)
        .deletion_protection_enabled(on)
        .send()
        .await
        .map(drop)
        .doing("dynamodb:UpdateTable", name)
}

/// UpdateContinuousBackups: point-in-time recovery on or off.
///
/// Right after a table is created AWS may answer `ContinuousBackupsUnavailableException` for a
/// while: that is marked to settle later, and the engine runs the step again after a pause.
pub async fn set_pitr(c: &Client, name: &str, on: bool) -> Result<(), ProviderError> {
    let spec = PointInTimeRecoverySpecification::builder()
        .point_in_time_recovery_enabled(on)
        .build()
        .map_err(|e| ProviderError::invalid(name, format!("cannot build a PITR setting: {e}")))?;
    match c
        .update_continuous_backups()
        .table_name(name)
        .point_in_time_recovery_specification(spec)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) => {
            let settling = e
                .as_service_error()
                .is_some_and(|e| e.is_continuous_backups_unavailable_exception());
            let err = aws_error("dynamodb:UpdateContinuousBackups", name, e);
            Err(if settling { err.settles_later() } else { err })
        }
    }
}

/// UpdateTimeToLive. Disabling must name the attribute TTL is on for now.
pub async fn set_ttl(
    c: &Client,
    name: &str,
    attribute: &str,
    on: bool,
) -> Result<(), ProviderError> {
    let spec = TimeToLiveSpecification::builder()
        .enabled(on)
        .attribute_name(attribute)
        .build()
        .map_err(|e| ProviderError::invalid(name, format!("cannot build a TTL setting: {e}")))?;
    match c
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(spec)
        .send()
        .await
        .doing("dynamodb:UpdateTimeToLive", name)
    {
        Ok(_) => Ok(()),
        Err(e) if too_soon(&e) => Err(ProviderError::invalid(
            name,
            format!(
                "AWS allows one TTL change per table per hour, and this table's last one was less than an hour ago: deploy again later to turn TTL {} for `{attribute}`",
                if on { "on" } else { "off" }
            ),
        )),
        Err(e) => Err(e),
    }
}

/// DynamoDB's refusal of a second TTL change within its hour.
fn too_soon(e: &ProviderError) -> bool {
    matches!(e, ProviderError::Aws { code, message, .. }
        if code == "ValidationException" && message.contains("modified multiple times"))
}

/// TagResource / UntagResource with the difference between live and desired tags.
pub async fn sync_tags(
    c: &Client,
    name: &str,
    arn: &str,
    live: &Tags,
    desired: &Tags,
) -> Result<(), ProviderError> {
    let diff = TagDiff::between(desired, live);
    let set = sdk_types::tags(name, &diff.set)?;
    let tag = Call {
        operation: "dynamodb:TagResource",
        send: |_: Tags| {
            c.tag_resource()
                .resource_arn(arn)
                .set_tags(Some(set))
                .send()
        },
    };
    let untag = Call {
        operation: "dynamodb:UntagResource",
        send: |keys| {
            c.untag_resource()
                .resource_arn(arn)
                .set_tag_keys(Some(keys))
                .send()
        },
    };
    sync_pair(name, &diff, tag, untag).await
}

/// DeleteTable; a table already gone is fine.
pub async fn delete_table(c: &Client, name: &str) -> Result<(), ProviderError> {
    c.delete_table()
        .table_name(name)
        .send()
        .await
        .doing("dynamodb:DeleteTable", name)
        .gone_is_done()
}

#[cfg(test)]
mod ttl_tests {
    use super::*;

    #[test]
    fn a_second_ttl_change_within_the_hour_is_recognized() {
        let aws = |code: &str, message: &str| ProviderError::Aws {
            operation: "dynamodb:UpdateTimeToLive",
            resource: "t".into(),
            code: code.into(),
            message: message.into(),
            request_id: None,
            class: lakectl_core::ErrorClass::Validation,
            retryable: false,
        };
        assert!(too_soon(&aws(
            "ValidationException",
            "Time to live has been modified multiple times within a fixed interval"
        )));
        assert!(!too_soon(&aws(
            "ValidationException",
            "TimeToLive is already enabled"
        )));
        assert!(!too_soon(&aws(
            "ResourceNotFoundException",
            "modified multiple times"
        )));
    }
}
