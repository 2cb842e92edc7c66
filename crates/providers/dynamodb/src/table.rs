//! A table spec as typed data: what create and update send, parsed from (and checked
//! against) the JSON spec, desired and live alike.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A key attribute: its name and scalar type (`S`, `N`, `B`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Key {
    /// The attribute name.
    pub name: String,
    /// `S`, `N` or `B`.
    #[serde(rename = "type", default = "default_key_type")]
    pub ty: String,
}

/// One global secondary index.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Gsi {
    /// The index name.
    pub name: String,
    /// Its partition key.
    pub partition_key: Key,
    /// Its sort key, if any.
    #[serde(default)]
    pub sort_key: Option<Key>,
    /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
    #[serde(default = "default_projection")]
    pub projection: String,
    /// With `INCLUDE`: the other attributes copied into the index.
    #[serde(default)]
    pub non_key_attributes: Vec<String>,
}

/// How the table is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    /// On demand.
    PayPerRequest,
    /// Provisioned capacity units.
    Provisioned {
        /// Read capacity units.
        read: i64,
        /// Write capacity units.
        write: i64,
    },
}

/// The managed properties of a table, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The partition key.
    pub partition_key: Key,
    /// The sort key, if any.
    pub sort_key: Option<Key>,
    /// Billing mode and capacity.
    pub billing: Billing,
    /// Global secondary indexes, sorted by name.
    pub gsis: Vec<Gsi>,
    /// Point-in-time recovery on.
    pub pitr: bool,
    /// The TTL attribute, when TTL is on.
    pub ttl_attribute: Option<String>,
    /// Deletion protection on.
    pub deletion_protection: bool,
    /// All tags, ownership tags included.
    pub tags: BTreeMap<String, String>,
}

/// The JSON shape, before the billing combination is checked.
#[derive(Deserialize)]
struct Raw {
    partition_key: Key,
    #[serde(default)]
    sort_key: Option<Key>,
    #[serde(default = "default_billing_mode")]
    billing_mode: String,
    #[serde(default)]
    read_capacity: Option<i64>,
    #[serde(default)]
    write_capacity: Option<i64>,
    #[serde(default)]
    global_secondary_indexes: Vec<Gsi>,
    #[serde(default)]
    point_in_time_recovery: bool,
    #[serde(default)]
    ttl_attribute: Option<String>,
    #[serde(default)]
    deletion_protection: bool,
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

fn default_key_type() -> String {
    "S".into()
}

fn default_projection() -> String {
    "ALL".into()
}

fn default_billing_mode() -> String {
    "PAY_PER_REQUEST".into()
}

impl Table {
    /// Parses a spec (defaults may be left out) and checks what the schema cannot: that
    /// capacity goes with PROVISIONED billing and only with it.
    ///
    /// # Errors
    /// A message for the user saying what is wrong and how to fix it.
    pub fn from_spec(spec: &Value) -> Result<Table, String> {
        let raw: Raw = serde_json::from_value(spec.clone())
            .map_err(|e| format!("the table spec does not fit the dynamodb.table schema: {e}"))?;
        let billing = billing(&raw.billing_mode, raw.read_capacity, raw.write_capacity)?;
        let mut gsis = raw.global_secondary_indexes;
        gsis.sort_by(|a, b| a.name.cmp(&b.name));
        for gsi in &mut gsis {
            gsi.non_key_attributes.sort();
        }
        Ok(Table {
            partition_key: raw.partition_key,
            sort_key: raw.sort_key,
            billing,
            gsis,
            pitr: raw.point_in_time_recovery,
            ttl_attribute: raw.ttl_attribute,
            deletion_protection: raw.deletion_protection,
            tags: raw.tags,
        })
    }

    /// The attribute definitions the table and the given indexes need: every key attribute
    /// once, in first-use order.
    ///
    /// # Errors
    /// The same attribute used as a key with two different types.
    pub fn attribute_definitions<'a>(
        &'a self,
        gsis: impl IntoIterator<Item = &'a Gsi>,
    ) -> Result<Vec<&'a Key>, String> {
        let mut keys: Vec<&Key> = vec![&self.partition_key];
        keys.extend(self.sort_key.as_ref());
        for gsi in gsis {
            keys.push(&gsi.partition_key);
            keys.extend(gsi.sort_key.as_ref());
        }
        let mut defs: Vec<&Key> = Vec::new();
        for key in keys {
            match defs.iter().find(|d| d.name == key.name) {
                Some(d) if d.ty != key.ty => {
                    return Err(format!(
                        "attribute `{}` is a key of type {} in one place and {} in another; \
                         an attribute has one type across the table and its indexes",
                        key.name, d.ty, key.ty
                    ));
                }
                Some(_) => {}
                None => defs.push(key),
            }
        }
        Ok(defs)
    }
}

/// Checks the billing mode against the capacities given.
fn billing(mode: &str, read: Option<i64>, write: Option<i64>) -> Result<Billing, String> {
    match (mode, read, write) {
        ("PAY_PER_REQUEST", None, None) => Ok(Billing::PayPerRequest),
        ("PAY_PER_REQUEST", _, _) => Err(
            "read_capacity / write_capacity are only used with billing_mode PROVISIONED; \
             remove them, or set billing_mode: PROVISIONED"
                .into(),
        ),
        ("PROVISIONED", Some(read), Some(write)) => Ok(Billing::Provisioned { read, write }),
        ("PROVISIONED", _, _) => {
            Err("billing_mode PROVISIONED needs both read_capacity and write_capacity".into())
        }
        (other, _, _) => Err(format!(
            "billing_mode `{other}` is not PAY_PER_REQUEST or PROVISIONED"
        )),
    }
}

/// Sorts `global_secondary_indexes` by name, so that their order in the stack file never
/// shows as a change (DynamoDB does not keep it).
pub fn normalize(spec: &mut Value) {
    if let Some(Value::Array(gsis)) = spec.get_mut("global_secondary_indexes") {
        gsis.sort_by(|a, b| {
            let name = |v: &Value| v.get("name").and_then(Value::as_str).map(str::to_string);
            name(a).cmp(&name(b))
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn billing_combinations() {
        let cases = [
            (
                "on demand without capacity",
                json!({}),
                Ok(Billing::PayPerRequest),
            ),
            (
                "on demand with explicit nulls (defaults applied)",
                json!({"billing_mode": "PAY_PER_REQUEST", "read_capacity": null, "write_capacity": null}),
                Ok(Billing::PayPerRequest),
            ),
            (
                "provisioned with both",
                json!({"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 2}),
                Ok(Billing::Provisioned { read: 5, write: 2 }),
            ),
            (
                "capacity without PROVISIONED",
                json!({"read_capacity": 5, "write_capacity": 2}),
                Err("only used with billing_mode PROVISIONED"),
            ),
            (
                "provisioned missing write",
                json!({"billing_mode": "PROVISIONED", "read_capacity": 5}),
                Err("needs both read_capacity and write_capacity"),
            ),
        ];
        for (why, extra, want) in cases {
            let mut spec = json!({"partition_key": {"name": "pk"}});
            for (k, v) in extra.as_object().expect("object") {
                spec[k] = v.clone();
            }
            match (Table::from_spec(&spec).map(|t| t.billing), want) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{why}"),
                (Err(msg), Err(part)) => assert!(msg.contains(part), "{why}: {msg}"),
                (got, want) => panic!("{why}: got {got:?}, want {want:?}"),
            }
        }
    }

    fn key(name: &str, ty: &str) -> Key {
        Key {
            name: name.into(),
            ty: ty.into(),
        }
    }

    fn gsi(name: &str, pk: Key, sk: Option<Key>) -> Gsi {
        Gsi {
            name: name.into(),
            partition_key: pk,
            sort_key: sk,
            projection: "ALL".into(),
            non_key_attributes: vec![],
        }
    }

    #[test]
    fn attribute_definitions_cover_every_key_once() {
        let table = Table::from_spec(&json!({
            "partition_key": {"name": "pk"}, "sort_key": {"name": "sk", "type": "N"}}))
        .expect("valid");
        let cases = [
            (
                "table keys only",
                vec![],
                Ok(vec![("pk", "S"), ("sk", "N")]),
            ),
            (
                "index keys added after the table's",
                vec![gsi("by-g", key("g", "S"), Some(key("h", "B")))],
                Ok(vec![("pk", "S"), ("sk", "N"), ("g", "S"), ("h", "B")]),
            ),
            (
                "an index reusing a table key defines it once",
                vec![gsi("by-sk", key("sk", "N"), Some(key("pk", "S")))],
                Ok(vec![("pk", "S"), ("sk", "N")]),
            ),
            (
                "two indexes sharing an attribute",
                vec![
                    gsi("a-ix", key("g", "S"), None),
                    gsi("b-ix", key("g", "S"), None),
                ],
                Ok(vec![("pk", "S"), ("sk", "N"), ("g", "S")]),
            ),
            (
                "one attribute with two types",
                vec![gsi("by-sk", key("sk", "S"), None)],
                Err("attribute `sk` is a key of type N in one place and S in another"),
            ),
        ];
        for (why, gsis, want) in cases {
            let got = table.attribute_definitions(&gsis).map(|defs| {
                defs.iter()
                    .map(|k| (k.name.clone(), k.ty.clone()))
                    .collect::<Vec<_>>()
            });
            match (got, want) {
                (Ok(got), Ok(want)) => {
                    let want: Vec<(String, String)> = want
                        .into_iter()
                        .map(|(n, t)| (n.to_string(), t.to_string()))
                        .collect();
                    assert_eq!(got, want, "{why}");
                }
                (Err(msg), Err(part)) => assert!(msg.contains(part), "{why}: {msg}"),
                (got, want) => panic!("{why}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn normalize_orders_indexes_by_name() {
        let cases = [
            (
                "reversed",
                json!({"global_secondary_indexes": [{"name": "b"}, {"name": "a"}]}),
                json!({"global_secondary_indexes": [{"name": "a"}, {"name": "b"}]}),
            ),
            (
                "already sorted",
                json!({"global_secondary_indexes": [{"name": "a"}, {"name": "c"}]}),
                json!({"global_secondary_indexes": [{"name": "a"}, {"name": "c"}]}),
            ),
            (
                "no indexes property",
                json!({"billing_mode": "PROVISIONED"}),
                json!({"billing_mode": "PROVISIONED"}),
            ),
            (
                "case-sensitive, as DynamoDB names are",
                json!({"global_secondary_indexes": [{"name": "b"}, {"name": "B"}]}),
                json!({"global_secondary_indexes": [{"name": "B"}, {"name": "b"}]}),
            ),
        ];
        for (why, mut spec, want) in cases {
            normalize(&mut spec);
            assert_eq!(spec, want, "{why}");
        }
    }

    #[test]
    fn parsing_sorts_indexes_and_their_attributes() {
        let table = Table::from_spec(&json!({"partition_key": {"name": "pk"},
            "global_secondary_indexes": [
                {"name": "z-ix", "partition_key": {"name": "z"}},
                {"name": "a-ix", "partition_key": {"name": "a"}, "projection": "INCLUDE",
                 "non_key_attributes": ["y", "x"]}]}))
        .expect("valid");
        let names: Vec<&str> = table.gsis.iter().map(|g| g.name.as_str()).collect();
        assert_eq!(names, ["a-ix", "z-ix"]);
        assert_eq!(table.gsis[0].non_key_attributes, ["x", "y"]);
    }
}
