//! What DynamoDB reports, turned into a spec in the shape users write. Pure functions, so
//! the conversion is tested without a server.

use aws_sdk_dynamodb::types::{
    BillingMode, ContinuousBackupsDescription, IndexStatus, KeySchemaElement, KeyType,
    PointInTimeRecoveryStatus, TableDescription, TableStatus, TimeToLiveDescription,
    TimeToLiveStatus,
};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Everything observe reads about one table: DescribeTable plus the three side calls.
#[derive(Debug, Clone)]
pub struct TableFacts {
    /// DescribeTable's answer.
    pub table: TableDescription,
    /// DescribeContinuousBackups: point-in-time recovery on.
    pub pitr: bool,
    /// DescribeTimeToLive: the TTL attribute while TTL is on (or turning on).
    pub ttl_attribute: Option<String>,
    /// ListTagsOfResource: every tag.
    pub tags: BTreeMap<String, String>,
}

/// Why the table cannot be read as settled yet: its own status, or an index's, while either
/// is in transition (creating, updating, deleting, backfilling).
pub fn pending_status(table: &TableDescription) -> Option<String> {
    match table.table_status() {
        Some(TableStatus::Active) | None => {}
        Some(other) => return Some(other.as_str().to_string()),
    }
    table
        .global_secondary_indexes()
        .iter()
        .find_map(|gsi| match gsi.index_status() {
            Some(IndexStatus::Active) | None => None,
            Some(other) => Some(format!(
                "index {} {}",
                gsi.index_name().unwrap_or("?"),
                other.as_str()
            )),
        })
}

/// Whether point-in-time recovery is on.
pub fn pitr_enabled(backups: Option<&ContinuousBackupsDescription>) -> bool {
    backups
        .and_then(|b| b.point_in_time_recovery_description())
        .and_then(|p| p.point_in_time_recovery_status())
        == Some(&PointInTimeRecoveryStatus::Enabled)
}

/// The TTL attribute, when TTL is on or turning on; `None` when off or turning off (AWS
/// keeps reporting the old attribute name after TTL was disabled).
pub fn ttl_attribute(ttl: Option<&TimeToLiveDescription>) -> Option<String> {
    let ttl = ttl?;
    match ttl.time_to_live_status() {
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling) => {
            ttl.attribute_name().map(str::to_string)
        }
        _ => None,
    }
}

/// The live spec of a table.
///
/// # Errors
/// DynamoDB's answer lacks something every table has (a partition key, a key's type).
pub fn live_spec(name: &str, facts: &TableFacts) -> Result<Value, String> {
    let t = &facts.table;
    let key = |elements: &[KeySchemaElement], kind: KeyType| -> Result<Value, String> {
        let Some(el) = elements.iter().find(|e| *e.key_type() == kind) else {
            return Ok(Value::Null);
        };
        let attr = el.attribute_name();
        let ty = t
            .attribute_definitions()
            .iter()
            .find(|d| d.attribute_name() == attr)
            .map(|d| d.attribute_type().as_str().to_string())
            .ok_or_else(|| {
                format!("DescribeTable lists key attribute `{attr}` without its type")
            })?;
        Ok(json!({"name": attr, "type": ty}))
    };
    let partition_key = key(t.key_schema(), KeyType::Hash)?;
    if partition_key.is_null() {
        return Err("DescribeTable reports no partition key".into());
    }
    let sort_key = key(t.key_schema(), KeyType::Range)?;
    let on_demand = t
        .billing_mode_summary()
        .and_then(|b| b.billing_mode())
        .is_some_and(|m| *m == BillingMode::PayPerRequest);
    // Tables created PROVISIONED before billing modes existed report no summary at all.
    let (billing_mode, read, write) = if on_demand {
        ("PAY_PER_REQUEST", None, None)
    } else {
        let throughput = t.provisioned_throughput();
        (
            "PROVISIONED",
            throughput.and_then(|p| p.read_capacity_units()),
            throughput.and_then(|p| p.write_capacity_units()),
        )
    };
    let mut gsis = Vec::new();
    for gsi in t.global_secondary_indexes() {
        let projection = gsi.projection();
        let mut non_key: Vec<&String> = projection
            .map(|p| p.non_key_attributes().iter().collect())
            .unwrap_or_default();
        non_key.sort();
        let gsi_pk = key(gsi.key_schema(), KeyType::Hash)?;
        if gsi_pk.is_null() {
            return Err(format!(
                "DescribeTable reports index `{}` without a partition key",
                gsi.index_name().unwrap_or("?")
            ));
        }
        gsis.push(json!({
            "name": gsi.index_name().unwrap_or_default(),
            "partition_key": gsi_pk,
            "sort_key": key(gsi.key_schema(), KeyType::Range)?,
            "projection": projection
                .and_then(|p| p.projection_type())
                .map_or("ALL", |p| p.as_str()),
            "non_key_attributes": non_key,
        }));
    }
    gsis.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    let tags: Map<String, Value> = facts
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    Ok(json!({
        "name": t.table_name().unwrap_or(name),
        "partition_key": partition_key,
        "sort_key": sort_key,
        "billing_mode": billing_mode,
        "read_capacity": read,
        "write_capacity": write,
        "global_secondary_indexes": gsis,
        "point_in_time_recovery": facts.pitr,
        "ttl_attribute": facts.ttl_attribute,
        "deletion_protection": t.deletion_protection_enabled().unwrap_or(false),
        "tags": tags,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, BillingModeSummary, GlobalSecondaryIndexDescription,
        PointInTimeRecoveryDescription, Projection, ProjectionType,
        ProvisionedThroughputDescription, ScalarAttributeType,
    };

    fn def(name: &str, ty: ScalarAttributeType) -> AttributeDefinition {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ty)
            .build()
            .expect("complete")
    }

    fn el(name: &str, kind: KeyType) -> KeySchemaElement {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .expect("complete")
    }

    fn gsi(
        name: &str,
        keys: Vec<KeySchemaElement>,
        projection: Projection,
    ) -> GlobalSecondaryIndexDescription {
        GlobalSecondaryIndexDescription::builder()
            .index_name(name)
            .set_key_schema(Some(keys))
            .projection(projection)
            .index_status(IndexStatus::Active)
            .build()
    }

    /// A table as moto describes one created on demand with a sort key and two indexes.
    fn described() -> TableDescription {
        TableDescription::builder()
            .table_name("cfg")
            .table_status(TableStatus::Active)
            .attribute_definitions(def("pk", ScalarAttributeType::S))
            .attribute_definitions(def("sk", ScalarAttributeType::N))
            .attribute_definitions(def("g", ScalarAttributeType::B))
            .key_schema(el("pk", KeyType::Hash))
            .key_schema(el("sk", KeyType::Range))
            .billing_mode_summary(
                BillingModeSummary::builder()
                    .billing_mode(BillingMode::PayPerRequest)
                    .build(),
            )
            // On-demand tables report zero capacity, which must not read back as a number.
            .provisioned_throughput(
                ProvisionedThroughputDescription::builder()
                    .read_capacity_units(0)
                    .write_capacity_units(0)
                    .build(),
            )
            .global_secondary_indexes(gsi(
                "z-by-g",
                vec![el("g", KeyType::Hash), el("pk", KeyType::Range)],
                Projection::builder()
                    .projection_type(ProjectionType::Include)
                    .non_key_attributes("b")
                    .non_key_attributes("a")
                    .build(),
            ))
            .global_secondary_indexes(gsi(
                "a-by-sk",
                vec![el("sk", KeyType::Hash)],
                Projection::builder()
                    .projection_type(ProjectionType::KeysOnly)
                    .build(),
            ))
            .deletion_protection_enabled(true)
            .build()
    }

    fn facts(table: TableDescription) -> TableFacts {
        TableFacts {
            table,
            pitr: true,
            ttl_attribute: Some("expires_at".into()),
            tags: BTreeMap::from([("lakectl:stack".to_string(), "lake".to_string())]),
        }
    }

    #[test]
    fn a_described_table_reads_back_as_the_spec_users_write() {
        let got = live_spec("cfg", &facts(described())).expect("converts");
        assert_eq!(
            got,
            json!({
                "name": "cfg",
                "partition_key": {"name": "pk", "type": "S"},
                "sort_key": {"name": "sk", "type": "N"},
                "billing_mode": "PAY_PER_REQUEST",
                "read_capacity": null,
                "write_capacity": null,
                "global_secondary_indexes": [
                    {"name": "a-by-sk", "partition_key": {"name": "sk", "type": "N"},
                     "sort_key": null, "projection": "KEYS_ONLY", "non_key_attributes": []},
                    {"name": "z-by-g", "partition_key": {"name": "g", "type": "B"},
                     "sort_key": {"name": "pk", "type": "S"}, "projection": "INCLUDE",
                     "non_key_attributes": ["a", "b"]}
                ],
                "point_in_time_recovery": true,
                "ttl_attribute": "expires_at",
                "deletion_protection": true,
                "tags": {"lakectl:stack": "lake"}
            })
        );
    }

    #[test]
    fn billing_reads_back_per_mode() {
        let provisioned = |summary: Option<BillingMode>| {
            let mut b = described();
            b.billing_mode_summary =
                summary.map(|m| BillingModeSummary::builder().billing_mode(m).build());
            b.provisioned_throughput = Some(
                ProvisionedThroughputDescription::builder()
                    .read_capacity_units(5)
                    .write_capacity_units(2)
                    .build(),
            );
            b
        };
        let cases = [
            (
                "on demand hides the zero capacity",
                described(),
                json!(["PAY_PER_REQUEST", null, null]),
            ),
            (
                "provisioned reports its capacity",
                provisioned(Some(BillingMode::Provisioned)),
                json!(["PROVISIONED", 5, 2]),
            ),
            (
                "no billing summary is an old provisioned table",
                provisioned(None),
                json!(["PROVISIONED", 5, 2]),
            ),
        ];
        for (why, table, want) in cases {
            let got = live_spec("cfg", &facts(table)).expect("converts");
            assert_eq!(
                json!([
                    got["billing_mode"],
                    got["read_capacity"],
                    got["write_capacity"]
                ]),
                want,
                "{why}"
            );
        }
    }

    #[test]
    fn incomplete_descriptions_are_errors_not_guesses() {
        let mut no_type = described();
        no_type.attribute_definitions = Some(vec![def("pk", ScalarAttributeType::S)]);
        let mut no_key = described();
        no_key.key_schema = Some(vec![]);
        let cases = [
            (
                "a key without an attribute definition",
                no_type,
                "key attribute `sk` without its type",
            ),
            ("no partition key", no_key, "no partition key"),
        ];
        for (why, table, want) in cases {
            let err = live_spec("cfg", &facts(table)).expect_err(why);
            assert!(err.contains(want), "{why}: {err}");
        }
    }

    #[test]
    fn pending_while_table_or_index_is_in_transition() {
        let with_index = |status: IndexStatus| {
            let mut t = described();
            t.global_secondary_indexes = Some(vec![
                GlobalSecondaryIndexDescription::builder()
                    .index_name("by-g")
                    .index_status(status)
                    .build(),
            ]);
            t
        };
        let with_status = |status: TableStatus| {
            let mut t = described();
            t.table_status = Some(status);
            t
        };
        let cases = [
            ("active", described(), None),
            (
                "creating",
                with_status(TableStatus::Creating),
                Some("CREATING"),
            ),
            (
                "updating",
                with_status(TableStatus::Updating),
                Some("UPDATING"),
            ),
            (
                "deleting",
                with_status(TableStatus::Deleting),
                Some("DELETING"),
            ),
            (
                "index still backfilling",
                with_index(IndexStatus::Creating),
                Some("index by-g CREATING"),
            ),
            ("index active", with_index(IndexStatus::Active), None),
        ];
        for (why, table, want) in cases {
            assert_eq!(pending_status(&table).as_deref(), want, "{why}");
        }
    }

    #[test]
    fn ttl_and_pitr_statuses() {
        let ttl = |status: TimeToLiveStatus| {
            TimeToLiveDescription::builder()
                .time_to_live_status(status)
                .attribute_name("exp")
                .build()
        };
        let ttl_cases = [
            ("enabled", Some(ttl(TimeToLiveStatus::Enabled)), Some("exp")),
            (
                "enabling counts as on",
                Some(ttl(TimeToLiveStatus::Enabling)),
                Some("exp"),
            ),
            (
                "disabled keeps the old name, which is not a setting",
                Some(ttl(TimeToLiveStatus::Disabled)),
                None,
            ),
            (
                "disabling counts as off",
                Some(ttl(TimeToLiveStatus::Disabling)),
                None,
            ),
            ("no description", None, None),
        ];
        for (why, desc, want) in ttl_cases {
            assert_eq!(ttl_attribute(desc.as_ref()).as_deref(), want, "{why}");
        }
        let backups = |status: PointInTimeRecoveryStatus| {
            aws_sdk_dynamodb::types::ContinuousBackupsDescription::builder()
                .continuous_backups_status(
                    aws_sdk_dynamodb::types::ContinuousBackupsStatus::Enabled,
                )
                .point_in_time_recovery_description(
                    PointInTimeRecoveryDescription::builder()
                        .point_in_time_recovery_status(status)
                        .build(),
                )
                .build()
                .expect("complete")
        };
        let pitr_cases = [
            (
                "enabled",
                Some(backups(PointInTimeRecoveryStatus::Enabled)),
                true,
            ),
            (
                "disabled",
                Some(backups(PointInTimeRecoveryStatus::Disabled)),
                false,
            ),
            ("no description", None, false),
        ];
        for (why, desc, want) in pitr_cases {
            assert_eq!(pitr_enabled(desc.as_ref()), want, "{why}");
        }
    }
}
