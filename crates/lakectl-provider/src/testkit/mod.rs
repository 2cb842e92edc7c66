//! What every provider's tests need: the emulator connection, unique names, requests as the
//! engine builds them, a cleanup guard, and the contract suite ([`contract`]).
//!
//! Emulator tests never skip: without `AWS_ENDPOINT_URL`, or with nothing answering there,
//! they fail with a message saying how to run them.

pub mod contract;

use crate::{AccountContext, AwsTarget, sdk_config};
use lakectl_core::{
    Address, CreateRequest, DeleteRequest, FieldChange, Live, Observation, Provider, UpdateRequest,
    diff, tags,
};
use serde_json::{Map, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long tests let a provider wait for a resource to settle.
pub const WAIT_LIMIT: Duration = Duration::from_secs(60);

/// The stack, env and address the tests' ownership tags name.
pub const STACK: &str = "lake";
/// See [`STACK`].
pub const ENV: &str = "test";

/// A connection to the emulator named by `AWS_ENDPOINT_URL`.
pub struct Emulator {
    /// The shared SDK config, as the binary builds it.
    pub config: aws_config::SdkConfig,
    /// The emulator's account, from GetCallerIdentity.
    pub account: AccountContext,
}

/// Connects to the emulator at `AWS_ENDPOINT_URL` in `AWS_REGION` (default us-east-1).
///
/// # Panics
/// When `AWS_ENDPOINT_URL` is not set or nothing answers there: the message says how to run
/// the tests of `package`.
pub async fn emulator(package: &str) -> Emulator {
    let region = std::env::var("AWS_REGION").unwrap_or_else(|_| "us-east-1".into());
    emulator_in(package, &region).await
}

/// As [`emulator`], deploying to `region`.
///
/// # Panics
/// As [`emulator`].
pub async fn emulator_in(package: &str, region: &str) -> Emulator {
    let how = format!(
        "run `scripts/test`, or `scripts/emulator up 4601` and then \
         `AWS_ENDPOINT_URL=http://127.0.0.1:4601 AWS_ACCESS_KEY_ID=testing \
         AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 cargo test -p {package}`"
    );
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| {
            panic!("AWS_ENDPOINT_URL is not set; these tests need the emulator: {how}")
        });
    let config = sdk_config(&AwsTarget {
        region: region.to_string(),
        endpoint: Some(endpoint.clone()),
        test_credentials: false,
    })
    .await;
    let identity = aws_sdk_sts::Client::new(&config)
        .get_caller_identity()
        .send()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "nothing usable answers at {endpoint} ({}): {how}",
                crate::errors::causes(&e)
            )
        });
    let account = AccountContext {
        account_id: identity.account().unwrap_or_default().to_string(),
        partition: AccountContext::partition_of(region).to_string(),
        region: region.to_string(),
    };
    Emulator { config, account }
}

/// An account for tests that make no call (mocked clients, pure functions).
pub fn test_account() -> AccountContext {
    AccountContext {
        account_id: "123456789012".into(),
        region: "us-east-1".into(),
        partition: "aws".into(),
    }
}

/// A name no other test, or earlier run, uses: `{prefix}-{pid}-{nanos}-{n}`.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "{prefix}-{}-{}-{}",
        std::process::id(),
        nanos % 1_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// `spec` with the ownership tags of [`STACK`] / [`ENV`] / `address` added, as the engine adds them.
pub fn owned(spec: &Value, address: &str) -> Value {
    let mut spec = spec.clone();
    if let Some(obj) = spec.as_object_mut() {
        let t = obj
            .entry("tags")
            .or_insert_with(|| Value::Object(Map::new()));
        if t.is_null() {
            *t = Value::Object(Map::new());
        }
        if let Some(t) = t.as_object_mut() {
            for (k, v) in [
                (tags::STACK, STACK),
                (tags::ENV, ENV),
                (tags::ADDRESS, address),
            ] {
                t.insert(k.into(), Value::String(v.into()));
            }
        }
    }
    spec
}

/// Defaults, canonical form and normalization, as the loader and the engine prepare a spec.
pub fn prepare(p: &dyn Provider, spec: &Value) -> Value {
    let mut s = spec.clone();
    p.schema().apply_defaults(&mut s);
    p.schema().canonicalize(&mut s);
    p.normalize(&mut s);
    s
}

/// The live resource.
///
/// # Panics
/// When it does not exist, or observe fails.
pub async fn live(p: &dyn Provider, name: &str) -> Live {
    match p.observe(name).await {
        Ok(Observation::Exists(live)) => live,
        other => panic!(
            "{} {name} should exist, observed {other:?}",
            p.schema().kind
        ),
    }
}

/// The changes a plan would show between `desired` and the live resource.
///
/// # Panics
/// As [`live`].
pub async fn changes(p: &dyn Provider, name: &str, desired: &Value) -> Vec<FieldChange> {
    let live = prepare(p, &live(p, name).await.spec);
    diff(p.schema(), &prepare(p, desired), &live)
}

/// The paths of [`changes`].
///
/// # Panics
/// As [`live`].
pub async fn drift(p: &dyn Provider, name: &str, desired: &Value) -> Vec<String> {
    changes(p, name, desired)
        .await
        .into_iter()
        .map(|c| c.path)
        .collect()
}

/// A create request, as the engine builds it (defaults applied, normalized).
pub fn create_request(p: &dyn Provider, address: &str, name: &str, spec: &Value) -> CreateRequest {
    CreateRequest {
        address: Address::new(address, None),
        name: name.to_string(),
        spec: prepare(p, spec),
        wait_limit: WAIT_LIMIT,
    }
}

/// An update request with exactly the changes a plan shows between `desired` and the live
/// resource.
///
/// # Panics
/// As [`live`].
pub async fn update_request(
    p: &dyn Provider,
    address: &str,
    name: &str,
    desired: &Value,
) -> UpdateRequest {
    let live = prepare(p, &live(p, name).await.spec);
    let desired = prepare(p, desired);
    UpdateRequest {
        address: Address::new(address, None),
        name: name.to_string(),
        changes: diff(p.schema(), &desired, &live),
        desired,
        live,
        wait_limit: WAIT_LIMIT,
    }
}

/// An update request with exactly the changes a plan shows from `live` to `desired`, for
/// request-asserting tests that have no live resource to observe.
pub fn update_between(
    p: &dyn Provider,
    address: &str,
    name: &str,
    live: &Value,
    desired: &Value,
) -> UpdateRequest {
    let (live, desired) = (prepare(p, live), prepare(p, desired));
    UpdateRequest {
        address: Address::new(address, None),
        name: name.to_string(),
        changes: diff(p.schema(), &desired, &live),
        desired,
        live,
        wait_limit: WAIT_LIMIT,
    }
}

/// A delete request.
pub fn delete_request(address: &str, name: &str, allow_data_loss: bool) -> DeleteRequest {
    DeleteRequest {
        address: Address::new(address, None),
        name: name.to_string(),
        allow_data_loss,
        wait_limit: WAIT_LIMIT,
    }
}

/// Deletes what a test made when the test ends, passing or panicking, so a failed assertion
/// leaves nothing behind on a shared emulator.
pub struct Cleanup {
    provider: Arc<dyn Provider>,
    names: Mutex<Vec<String>>,
}

impl Cleanup {
    /// A guard that deletes through `provider`.
    pub fn new(provider: Arc<dyn Provider>) -> Self {
        Cleanup {
            provider,
            names: Mutex::new(Vec::new()),
        }
    }

    /// Deletes `name` (with its data) when the guard is dropped.
    pub fn add(&self, name: &str) {
        self.names
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(name.to_string());
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        let names = std::mem::take(&mut *self.names.lock().unwrap_or_else(|p| p.into_inner()));
        if names.is_empty() {
            return;
        }
        let provider = self.provider.clone();
        // Drop cannot await, and the test's runtime may be the one dropping: clean up on a
        // thread of its own with a runtime of its own.
        let done = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                for name in names {
                    let _ = provider
                        .delete(&delete_request("cleanup", &name, true))
                        .await;
                }
            });
        });
        let _ = done.join();
    }
}

/// Checks a kind's schema against cases of (why, spec, fragments of the messages wanted, in
/// order): every kind's table of validation tests.
///
/// # Panics
/// At the first case whose messages differ.
pub fn assert_validates(schema: &lakectl_core::Schema, cases: &[(&str, Value, &[&str])]) {
    for (why, spec, want) in cases {
        let got: Vec<String> = schema
            .validate(spec)
            .into_iter()
            .map(|i| i.message)
            .collect();
        assert_eq!(got.len(), want.len(), "{why}: {got:?}");
        for (g, w) in got.iter().zip(want.iter()) {
            assert!(g.contains(w), "{why}: `{g}` lacks `{w}`");
        }
    }
}

/// Checks a name rule against cases of (why, name, `None` to accept it or a fragment of the
/// refusal).
///
/// # Panics
/// At the first case that differs.
pub fn assert_name_rule(
    rule: fn(&str) -> Result<(), String>,
    cases: &[(&str, &str, Option<&str>)],
) {
    for (why, name, want) in cases {
        match (rule(name), want) {
            (Ok(()), None) => {}
            (Err(got), Some(w)) => assert!(got.contains(w), "{why}: {got}"),
            (got, want) => panic!("{why}: got {got:?}, want {want:?}"),
        }
    }
}
