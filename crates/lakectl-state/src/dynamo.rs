//! The state store on DynamoDB.
//!
//! One table holds every stack/env. Partition key `pk` = `"{stack}#{env}"`, sort key `sk`:
//!
//! | `sk` | attributes |
//! |---|---|
//! | `resource#{address}` | `kind`, `name`, `status`, `depends_on` (list of strings), `attributes` (map of strings), `updated_at` (epoch ms) |
//! | `outputs` | `outputs` (the outputs as one JSON string), `updated_at` |
//! | `lock` | `holder`, `token`, `acquired_at`, `expires_at` (epoch ms) |
//!
//! Every write is one PutItem / UpdateItem / DeleteItem (durable when it returns) and every
//! read is strongly consistent.
//!
//! The lock's lease is wall-clock time written by the holder and compared by the next
//! acquirer, so hosts that deploy the same stack need roughly synchronized clocks (NTP). The
//! 15 s lease is far above the skew of any synchronized host; a host whose clock runs ahead by
//! more than a lease could take over a live lock, and the heartbeat of the rightful holder
//! would then report it lost.

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::BuildError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    PointInTimeRecoverySpecification, PointInTimeRecoveryStatus, ReturnValue, ScalarAttributeType,
    TableStatus,
};
use lakectl_core::{Address, Attributes, ProviderError, RemovalPolicy};
use lakectl_engine::state::{
    LockInfo, RecordStatus, ResourceRecord, StackEnv, StateError, StateStore,
};
use lakectl_provider::aws_error;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The state table's name unless `LAKECTL_STATE_TABLE` says otherwise.
pub const DEFAULT_TABLE: &str = "lakectl-state";

/// How long `ensure` waits for a new table to become ACTIVE (real AWS: seconds, rarely a minute).
const ACTIVE_TIMEOUT: Duration = Duration::from_secs(120);
/// How often `ensure` looks while waiting.
const ACTIVE_POLL: Duration = Duration::from_secs(1);

const RESOURCE_PREFIX: &str = "resource#";
const OUTPUTS_SK: &str = "outputs";
const LOCK_SK: &str = "lock";

type Item = HashMap<String, AttributeValue>;

/// A [`StateStore`] in a DynamoDB table (see the module docs for its layout).
#[derive(Debug, Clone)]
pub struct DynamoStateStore {
    client: Client,
    table: String,
}

impl DynamoStateStore {
    /// A store on `table`; makes no call until used ([`StateStore::ensure`] creates the table).
    /// Its calls are counted by [`lakectl_provider::CallLog`] like every other client's.
    pub fn new(config: &aws_config::SdkConfig, table: impl Into<String>) -> Self {
        Self {
            client: lakectl_provider::client!(aws_sdk_dynamodb, config),
            table: table.into(),
        }
    }

    /// The table's name.
    pub fn table(&self) -> &str {
        &self.table
    }

    fn key(&self, at: &StackEnv, sk: &str) -> Item {
        HashMap::from([
            ("pk".to_string(), s(partition(at))),
            ("sk".to_string(), s(sk.to_string())),
        ])
    }

    fn built<T>(&self, r: Result<T, BuildError>) -> Result<T, ProviderError> {
        r.map_err(|e| ProviderError::invalid(&self.table, format!("building a request: {e}")))
    }

    /// The table's status, `None` when it does not exist; refuses a table with another key
    /// schema, which is someone else's table under our name.
    async fn status(&self) -> Result<Option<TableStatus>, StateError> {
        let out = match self
            .client
            .describe_table()
            .table_name(&self.table)
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
            Err(e) => return Err(aws_error("dynamodb:DescribeTable", &self.table, e).into()),
        };
        let Some(table) = out.table() else {
            return Ok(None);
        };
        let keys: Vec<(&str, &KeyType)> = table
            .key_schema()
            .iter()
            .map(|k| (k.attribute_name(), k.key_type()))
            .collect();
        if keys != [("pk", &KeyType::Hash), ("sk", &KeyType::Range)] {
            return Err(ProviderError::invalid(
                &self.table,
                format!(
                    "the table exists but is not a lakectl state table (its key is {keys:?}, \
                     expected pk HASH + sk RANGE); set LAKECTL_STATE_TABLE to another name"
                ),
            )
            .into());
        }
        Ok(Some(
            table.table_status().cloned().unwrap_or(TableStatus::Active),
        ))
    }

    async fn create_table(&self) -> Result<(), StateError> {
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
        };
        let key = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
        };
        let sent = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .attribute_definitions(self.built(attr("pk"))?)
            .attribute_definitions(self.built(attr("sk"))?)
            .key_schema(self.built(key("pk", KeyType::Hash))?)
            .key_schema(self.built(key("sk", KeyType::Range))?)
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            // Another lakectl created it at the same moment: as good as ours.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_resource_in_use_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(aws_error("dynamodb:CreateTable", &self.table, e).into()),
        }
    }

    /// Point-in-time recovery, so a bad deploy or a stray delete of the state can be undone.
    /// Best effort: the state only records ownership (resources also carry ownership tags), so
    /// missing permission or an emulator without the API must not stop a deploy; the next
    /// `ensure` tries again (AWS may refuse it for a while after the table was created).
    async fn enable_recovery(&self) {
        let described = self
            .client
            .describe_continuous_backups()
            .table_name(&self.table)
            .send()
            .await;
        let enabled = described.ok().is_some_and(|d| {
            d.continuous_backups_description()
                .and_then(|c| c.point_in_time_recovery_description())
                .and_then(|p| p.point_in_time_recovery_status())
                == Some(&PointInTimeRecoveryStatus::Enabled)
        });
        if enabled {
            return;
        }
        let Ok(spec) = PointInTimeRecoverySpecification::builder()
            .point_in_time_recovery_enabled(true)
            .build()
        else {
            return;
        };
        let _ignored = self
            .client
            .update_continuous_backups()
            .table_name(&self.table)
            .point_in_time_recovery_specification(spec)
            .send()
            .await;
    }

    async fn get(&self, at: &StackEnv, sk: &str) -> Result<Option<Item>, StateError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(self.key(at, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| aws_error("dynamodb:GetItem", &self.table, e))?;
        Ok(out.item().cloned())
    }

    fn corrupt(&self, at: &StackEnv, sk: &str, detail: String) -> StateError {
        StateError::Corrupt {
            table: self.table.clone(),
            key: format!("{} {sk}", partition(at)),
            detail,
        }
    }

    fn lock_of(&self, at: &StackEnv, item: &Item) -> Result<LockInfo, StateError> {
        lock_from_item(item).map_err(|d| self.corrupt(at, LOCK_SK, d))
    }

    /// One PutItem of the lock item, allowed only when there is no lock or its lease is over.
    async fn put_lock(
        &self,
        at: &StackEnv,
        holder: &str,
        lease: Duration,
    ) -> Result<Option<LockInfo>, StateError> {
        let now = SystemTime::now();
        let lock = LockInfo {
            holder: holder.to_string(),
            token: new_token(),
            acquired_at: now,
            expires_at: now + lease,
        };
        let mut item = self.key(at, LOCK_SK);
        item.extend(lock_to_item(&lock));
        let sent = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk) OR #exp < :now")
            .expression_attribute_names("#pk", "pk")
            .expression_attribute_names("#exp", "expires_at")
            .expression_attribute_values(":now", n(epoch_ms(now)))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(Some(lock)),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(aws_error("dynamodb:PutItem", &self.table, e).into()),
        }
    }
}

#[async_trait]
impl StateStore for DynamoStateStore {
    async fn ensure(&self) -> Result<(), StateError> {
        let deadline = tokio::time::Instant::now() + ACTIVE_TIMEOUT;
        let mut created = false;
        loop {
            match self.status().await? {
                None if !created => {
                    self.create_table().await?;
                    created = true;
                    continue;
                }
                Some(TableStatus::Active | TableStatus::Updating) => break,
                // Just created (the describe may lag behind the create), being created, or
                // being deleted by someone (then it is created again on the next turn).
                None => created = false,
                Some(TableStatus::Creating | TableStatus::Deleting) => {}
                Some(other) => {
                    return Err(ProviderError::invalid(
                        &self.table,
                        format!("the state table is {} and cannot be used", other.as_str()),
                    )
                    .into());
                }
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(ProviderError::invalid(
                    &self.table,
                    format!(
                        "the state table did not become ACTIVE within {}s; check it in the \
                         DynamoDB console and run again",
                        ACTIVE_TIMEOUT.as_secs()
                    ),
                )
                .into());
            }
            tokio::time::sleep(ACTIVE_POLL).await;
        }
        self.enable_recovery().await;
        Ok(())
    }

    async fn records(&self, at: &StackEnv) -> Result<Vec<ResourceRecord>, StateError> {
        let mut records = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#pk", "pk")
                .expression_attribute_names("#sk", "sk")
                .expression_attribute_values(":pk", s(partition(at)))
                .expression_attribute_values(":prefix", s(RESOURCE_PREFIX.to_string()))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| aws_error("dynamodb:Query", &self.table, e))?;
            for item in out.items() {
                let sk = item
                    .get("sk")
                    .and_then(|v| v.as_s().ok())
                    .map_or("?", String::as_str);
                records.push(record_from_item(item).map_err(|d| self.corrupt(at, sk, d))?);
            }
            match out.last_evaluated_key() {
                Some(key) if !key.is_empty() => start = Some(key.clone()),
                _ => break,
            }
        }
        Ok(records)
    }

    async fn put_record(&self, at: &StackEnv, record: &ResourceRecord) -> Result<(), StateError> {
        let mut item = self.key(at, &resource_sk(&record.address));
        item.extend(record_to_item(record, SystemTime::now()));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| aws_error("dynamodb:PutItem", &self.table, e))?;
        Ok(())
    }

    async fn remove_record(&self, at: &StackEnv, address: &Address) -> Result<(), StateError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(self.key(at, &resource_sk(address))))
            .send()
            .await
            .map_err(|e| aws_error("dynamodb:DeleteItem", &self.table, e))?;
        Ok(())
    }

    async fn outputs(&self, at: &StackEnv) -> Result<BTreeMap<String, Value>, StateError> {
        match self.get(at, OUTPUTS_SK).await? {
            None => Ok(BTreeMap::new()),
            Some(item) => outputs_from_item(&item).map_err(|d| self.corrupt(at, OUTPUTS_SK, d)),
        }
    }

    async fn put_outputs(
        &self,
        at: &StackEnv,
        outputs: &BTreeMap<String, Value>,
    ) -> Result<(), StateError> {
        let json = serde_json::to_string(outputs)
            .map_err(|e| ProviderError::invalid(&self.table, format!("encoding outputs: {e}")))?;
        let mut item = self.key(at, OUTPUTS_SK);
        item.insert("outputs".into(), s(json));
        item.insert("updated_at".into(), n(epoch_ms(SystemTime::now())));
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| aws_error("dynamodb:PutItem", &self.table, e))?;
        Ok(())
    }

    async fn acquire_lock(
        &self,
        at: &StackEnv,
        holder: &str,
        lease: Duration,
    ) -> Result<LockInfo, StateError> {
        // Twice: the holder may release (or its lease run out) between our PutItem and GetItem.
        for _ in 0..2 {
            if let Some(lock) = self.put_lock(at, holder, lease).await? {
                return Ok(lock);
            }
            if let Some(item) = self.get(at, LOCK_SK).await? {
                let lock = self.lock_of(at, &item)?;
                if lock.expires_at > SystemTime::now() {
                    return Err(StateError::Locked {
                        stack: at.stack.clone(),
                        env: at.env.clone(),
                        lock,
                    });
                }
            }
        }
        Err(ProviderError::Aws {
            operation: "dynamodb:PutItem",
            resource: self.table.clone(),
            code: "ConditionalCheckFailedException".into(),
            message: "the deploy lock changed hands twice while it was being taken; try again"
                .into(),
            request_id: None,
            class: lakectl_core::ErrorClass::Conflict,
            retryable: true,
        }
        .into())
    }

    async fn renew_lock(
        &self,
        at: &StackEnv,
        lock: &LockInfo,
        lease: Duration,
    ) -> Result<LockInfo, StateError> {
        let expires_at = SystemTime::now() + lease;
        let sent = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(self.key(at, LOCK_SK)))
            .update_expression("SET #exp = :exp")
            .condition_expression("#tok = :tok")
            .expression_attribute_names("#exp", "expires_at")
            .expression_attribute_names("#tok", "token")
            .expression_attribute_values(":exp", n(epoch_ms(expires_at)))
            .expression_attribute_values(":tok", s(lock.token.clone()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match sent {
            Ok(out) => match out.attributes() {
                Some(item) => self.lock_of(at, item),
                // An endpoint that ignores ReturnValues: what we wrote is what is there.
                None => Ok(LockInfo {
                    expires_at,
                    ..lock.clone()
                }),
            },
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Err(StateError::LockLost {
                    stack: at.stack.clone(),
                    env: at.env.clone(),
                    detail: "the lock was removed or taken by another process".into(),
                })
            }
            Err(e) => Err(aws_error("dynamodb:UpdateItem", &self.table, e).into()),
        }
    }

    async fn release_lock(&self, at: &StackEnv, lock: &LockInfo) -> Result<(), StateError> {
        let sent = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(self.key(at, LOCK_SK)))
            .condition_expression("#tok = :tok")
            .expression_attribute_names("#tok", "token")
            .expression_attribute_values(":tok", s(lock.token.clone()))
            .send()
            .await;
        match sent {
            Ok(_) => Ok(()),
            // No longer ours (expired and taken, or force-unlocked): nothing to give up.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(aws_error("dynamodb:DeleteItem", &self.table, e).into()),
        }
    }

    async fn force_unlock(&self, at: &StackEnv) -> Result<Option<LockInfo>, StateError> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(self.key(at, LOCK_SK)))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(|e| aws_error("dynamodb:DeleteItem", &self.table, e))?;
        match out.attributes() {
            Some(item) if !item.is_empty() => self.lock_of(at, item).map(Some),
            _ => Ok(None),
        }
    }
}

fn partition(at: &StackEnv) -> String {
    format!("{}#{}", at.stack, at.env)
}

fn resource_sk(address: &Address) -> String {
    format!("{RESOURCE_PREFIX}{address}")
}

fn s(v: String) -> AttributeValue {
    AttributeValue::S(v)
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn epoch_ms(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// Unique per acquisition across processes and hosts (together with the holder, which names
/// the host and pid): wall-clock nanos, pid and a per-process counter.
fn new_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{nanos:x}-{:x}-{:x}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str, String> {
    match item.get(name) {
        Some(AttributeValue::S(v)) => Ok(v),
        Some(_) => Err(format!("`{name}` is not a string")),
        None => Err(format!("`{name}` is missing")),
    }
}

fn get_ms(item: &Item, name: &str) -> Result<SystemTime, String> {
    match item.get(name) {
        Some(AttributeValue::N(v)) => v
            .parse::<u64>()
            .map(|ms| UNIX_EPOCH + Duration::from_millis(ms))
            .map_err(|_| format!("`{name}` is not a time in epoch milliseconds: {v}")),
        Some(_) => Err(format!("`{name}` is not a number")),
        None => Err(format!("`{name}` is missing")),
    }
}

fn status_name(status: RecordStatus) -> &'static str {
    match status {
        RecordStatus::Creating => "creating",
        RecordStatus::Updating => "updating",
        RecordStatus::Deleting => "deleting",
        RecordStatus::Owned => "owned",
    }
}

fn record_to_item(r: &ResourceRecord, now: SystemTime) -> Item {
    let depends_on = r
        .depends_on
        .iter()
        .map(|a| s(a.to_string()))
        .collect::<Vec<_>>();
    let attributes = r
        .attributes
        .iter()
        .map(|(k, v)| (k.clone(), s(v.clone())))
        .collect::<HashMap<_, _>>();
    let mut item = HashMap::from([
        ("kind".to_string(), s(r.kind.clone())),
        ("name".to_string(), s(r.name.clone())),
        ("status".to_string(), s(status_name(r.status).to_string())),
        ("depends_on".to_string(), AttributeValue::L(depends_on)),
        ("attributes".to_string(), AttributeValue::M(attributes)),
        ("updated_at".to_string(), n(epoch_ms(now))),
    ]);
    if let Some(policy) = r.removal_policy {
        let word = match policy {
            RemovalPolicy::Retain => "retain",
            RemovalPolicy::Destroy => "destroy",
        };
        item.insert("removal_policy".to_string(), s(word.to_string()));
    }
    item
}

fn record_from_item(item: &Item) -> Result<ResourceRecord, String> {
    let sk = get_s(item, "sk")?;
    let text = sk
        .strip_prefix(RESOURCE_PREFIX)
        .ok_or_else(|| format!("sort key `{sk}` does not start with `{RESOURCE_PREFIX}`"))?;
    let address =
        Address::parse(text).ok_or_else(|| format!("`{text}` is not a resource address"))?;
    let status = match get_s(item, "status")? {
        "creating" => RecordStatus::Creating,
        "updating" => RecordStatus::Updating,
        "deleting" => RecordStatus::Deleting,
        "owned" => RecordStatus::Owned,
        other => return Err(format!("unknown status `{other}`")),
    };
    let depends_on = match item.get("depends_on") {
        // Written by hand or by an older version without dependencies.
        None => Vec::new(),
        Some(AttributeValue::L(list)) => {
            list.iter()
                .map(|v| match v {
                    AttributeValue::S(t) => Address::parse(t)
                        .ok_or_else(|| format!("depends_on: `{t}` is not an address")),
                    _ => Err("depends_on holds a value that is not a string".to_string()),
                })
                .collect::<Result<_, _>>()?
        }
        Some(_) => return Err("`depends_on` is not a list".into()),
    };
    let attributes = match item.get("attributes") {
        None => Attributes::new(),
        Some(AttributeValue::M(map)) => map
            .iter()
            .map(|(k, v)| match v {
                AttributeValue::S(t) => Ok((k.clone(), t.clone())),
                _ => Err(format!("attribute `{k}` is not a string")),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("`attributes` is not a map".into()),
    };
    let removal_policy = match item.get("removal_policy") {
        None => None,
        Some(AttributeValue::S(w)) if w == "retain" => Some(RemovalPolicy::Retain),
        Some(AttributeValue::S(w)) if w == "destroy" => Some(RemovalPolicy::Destroy),
        Some(_) => return Err("`removal_policy` is not `retain` or `destroy`".into()),
    };
    Ok(ResourceRecord {
        address,
        kind: get_s(item, "kind")?.to_string(),
        name: get_s(item, "name")?.to_string(),
        status,
        depends_on,
        attributes,
        removal_policy,
    })
}

fn outputs_from_item(item: &Item) -> Result<BTreeMap<String, Value>, String> {
    let json = get_s(item, "outputs")?;
    serde_json::from_str(json).map_err(|e| format!("`outputs` is not a JSON object: {e}"))
}

fn lock_to_item(lock: &LockInfo) -> Item {
    HashMap::from([
        ("holder".to_string(), s(lock.holder.clone())),
        ("token".to_string(), s(lock.token.clone())),
        ("acquired_at".to_string(), n(epoch_ms(lock.acquired_at))),
        ("expires_at".to_string(), n(epoch_ms(lock.expires_at))),
    ])
}

fn lock_from_item(item: &Item) -> Result<LockInfo, String> {
    Ok(LockInfo {
        holder: get_s(item, "holder")?.to_string(),
        token: get_s(item, "token")?.to_string(),
        acquired_at: get_ms(item, "acquired_at")?,
        expires_at: get_ms(item, "expires_at")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> ResourceRecord {
        ResourceRecord {
            address: Address::new("customer_bucket", Some("acme")),
            kind: "s3.bucket".into(),
            name: "lake-dev-acme-raw".into(),
            status: RecordStatus::Updating,
            depends_on: vec![Address::new("kms_key", None), Address::new("role", None)],
            attributes: Attributes::from([
                (
                    "arn".to_string(),
                    "arn:aws:s3:::lake-dev-acme-raw".to_string(),
                ),
                ("name".to_string(), "lake-dev-acme-raw".to_string()),
            ]),
            removal_policy: Some(lakectl_core::RemovalPolicy::Retain),
        }
    }

    fn item_of(r: &ResourceRecord) -> Item {
        let mut item = record_to_item(r, UNIX_EPOCH);
        item.insert("pk".into(), s("lake#dev".into()));
        item.insert("sk".into(), s(resource_sk(&r.address)));
        item
    }

    #[test]
    fn records_round_trip_through_items() {
        let cases = [
            ("every field set", record()),
            (
                "no dependencies and no attributes",
                ResourceRecord {
                    depends_on: vec![],
                    attributes: Attributes::new(),
                    status: RecordStatus::Creating,
                    ..record()
                },
            ),
        ];
        for (why, r) in cases {
            assert_eq!(record_from_item(&item_of(&r)), Ok(r), "{why}");
        }
    }

    #[test]
    fn malformed_records_say_what_is_wrong() {
        type Edit = fn(&mut Item);
        let cases: [(&str, Edit, &str); 7] = [
            (
                "kind missing",
                |i| drop(i.remove("kind")),
                "`kind` is missing",
            ),
            (
                "name of the wrong type",
                |i| drop(i.insert("name".into(), n(3))),
                "`name` is not a string",
            ),
            (
                "unknown status",
                |i| drop(i.insert("status".into(), s("gone".into()))),
                "unknown status `gone`",
            ),
            (
                "sort key is not an address",
                |i| drop(i.insert("sk".into(), s("resource#Bad Name".into()))),
                "`Bad Name` is not a resource address",
            ),
            (
                "dependency is not an address",
                |i| drop(i.insert("depends_on".into(), AttributeValue::L(vec![s("x[".into())]))),
                "depends_on: `x[` is not an address",
            ),
            (
                "attribute value is a number",
                |i| {
                    let map = HashMap::from([("arn".to_string(), n(1))]);
                    drop(i.insert("attributes".into(), AttributeValue::M(map)))
                },
                "attribute `arn` is not a string",
            ),
            (
                "attributes is a string",
                |i| drop(i.insert("attributes".into(), s("{}".into()))),
                "`attributes` is not a map",
            ),
        ];
        for (why, edit, want) in cases {
            let mut item = item_of(&record());
            edit(&mut item);
            assert_eq!(record_from_item(&item), Err(want.to_string()), "{why}");
        }
    }

    #[test]
    fn locks_round_trip_and_malformed_locks_are_refused() {
        let lock = LockInfo {
            holder: "ana@build-7 pid 42".into(),
            token: new_token(),
            acquired_at: UNIX_EPOCH + Duration::from_millis(1_700_000_000_123),
            expires_at: UNIX_EPOCH + Duration::from_millis(1_700_000_015_123),
        };
        assert_eq!(lock_from_item(&lock_to_item(&lock)), Ok(lock.clone()));
        type Edit = fn(&mut Item);
        let cases: [(&str, Edit, &str); 3] = [
            (
                "token missing",
                |i| drop(i.remove("token")),
                "`token` is missing",
            ),
            (
                "expiry is text",
                |i| drop(i.insert("expires_at".into(), s("soon".into()))),
                "`expires_at` is not a number",
            ),
            (
                "expiry is not an integer",
                |i| drop(i.insert("expires_at".into(), AttributeValue::N("1.5".into()))),
                "`expires_at` is not a time in epoch milliseconds: 1.5",
            ),
        ];
        for (why, edit, want) in cases {
            let mut item = lock_to_item(&lock);
            edit(&mut item);
            assert_eq!(lock_from_item(&item), Err(want.to_string()), "{why}");
        }
    }

    #[test]
    fn tokens_differ_between_acquisitions() {
        let tokens: std::collections::BTreeSet<String> = (0..100).map(|_| new_token()).collect();
        assert_eq!(tokens.len(), 100);
    }

    #[test]
    fn outputs_must_be_a_json_object() {
        let item = |json: &str| HashMap::from([("outputs".to_string(), s(json.into()))]);
        let good = outputs_from_item(&item(r#"{"bucket":"b","ports":[1,2]}"#));
        assert_eq!(
            good.map(|o| o.len()),
            Ok(2),
            "an object of values reads back"
        );
        assert!(
            outputs_from_item(&item("[1]"))
                .is_err_and(|e| e.starts_with("`outputs` is not a JSON object")),
            "an array is refused"
        );
    }
}
