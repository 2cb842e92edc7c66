//! The contract every kind keeps, as one suite its emulator tests run:
//!
//! 1. create with every property set; the ownership tags read back; a second plan is empty;
//! 2. create on the taken name is reported as `AlreadyExists` and changes nothing;
//! 3. each mutable property changes in place, and the plan after it is empty (the updates
//!    together must touch every mutable property of the schema);
//! 4. a change made behind lakectl's back shows as exactly that drift and is repaired;
//! 5. delete; observe says missing; a second delete succeeds;
//! 6. a resource of the same name made by someone else reads back without our tags, and
//!    create on it is reported as taken, leaving it as it was.
//!
//! For a kind that takes no tags, ownership comes from the state records alone: steps 1 and 6
//! skip the tag checks and keep the rest.
//!
//! A kind implements [`Subject`] and calls [`run`] from one `#[tokio::test]`.

use super::{Cleanup, changes, create_request, delete_request, live, owned, prepare};
use async_trait::async_trait;
use lakectl_core::tags::Owner;
use lakectl_core::{Address, FieldChange, Observation, Provider, ProviderError, UpdateRequest};
use serde_json::Value;
use std::collections::BTreeSet;
use std::sync::Arc;

/// The address the suite's resources are declared at.
pub const ADDRESS: &str = "contract";

/// One kind under the contract suite.
#[async_trait]
pub trait Subject: Send + Sync {
    /// A prefix for the names of the suite's resources.
    fn prefix(&self) -> &'static str;

    /// A physical name no other test or run uses: [`super::unique`] of the prefix, unless the
    /// kind's names have another shape.
    fn fresh_name(&self) -> String {
        super::unique(self.prefix())
    }

    /// A spec for `name` with every property set away from its default, as a user writes it
    /// (ownership tags are added by the suite).
    fn full_spec(&self, name: &str) -> Value;

    /// In-place changes, together touching every mutable property: each a description and
    /// the whole spec after the change, applied in order starting from [`Subject::full_spec`].
    fn updates(&self, name: &str) -> Vec<(&'static str, Value)>;

    /// Mutable properties the updates cannot cover here, each with the reason (an emulator
    /// that does not read it back); they are reported, not silently skipped.
    fn not_updated(&self) -> Vec<(&'static str, &'static str)> {
        Vec::new()
    }

    /// Changes the live resource behind lakectl's back with a plain client; returns the paths
    /// the next plan must show.
    async fn drift(&self, name: &str) -> Vec<String>;

    /// Makes a resource called `name` as someone else would: a plain client, no lakectl tags.
    async fn create_foreign(&self, name: &str);
}

/// Runs the whole contract for `subject` through provider `p`.
///
/// # Panics
/// At the first broken promise, naming the kind and the step.
pub async fn run(p: Arc<dyn Provider>, subject: &dyn Subject) {
    let kind = p.schema().kind;
    let cleanup = Cleanup::new(p.clone());
    let taggable = p.schema().taggable;
    let owned = |spec: Value| {
        if taggable {
            owned(&spec, ADDRESS)
        } else {
            spec
        }
    };
    let name = subject.fresh_name();
    cleanup.add(&name);
    let full = owned(subject.full_spec(&name));

    // 1. create, ownership read back, second plan empty.
    p.create(&create_request(p.as_ref(), ADDRESS, &name, &full))
        .await
        .unwrap_or_else(|e| panic!("{kind}: create failed: {e}"));
    let after = live(p.as_ref(), &name).await;
    assert!(
        !taggable || Owner::of(&after.spec).is(super::STACK, super::ENV, ADDRESS),
        "{kind}: the ownership tags must read back, got {:?}",
        after.spec.get("tags")
    );
    assert_eq!(
        paths(&changes(p.as_ref(), &name, &full).await),
        Vec::<String>::new(),
        "{kind}: the plan right after create must be empty"
    );

    // 2. create on the taken name: reported, nothing changed.
    let again = p
        .create(&create_request(p.as_ref(), ADDRESS, &name, &full))
        .await;
    assert!(
        again.as_ref().is_err_and(ProviderError::is_already_exists),
        "{kind}: create on a taken name must report AlreadyExists for the engine to judge, got {again:?}"
    );

    // 3. every mutable property in place.
    let mut touched = BTreeSet::new();
    let mut current = full.clone();
    for (why, spec) in subject.updates(&name) {
        let spec = owned(spec);
        let planned = changes(p.as_ref(), &name, &spec).await;
        assert!(
            !planned.is_empty(),
            "{kind}: update `{why}` shows no change"
        );
        if let Some(c) = planned.iter().find(|c| c.forces_replace) {
            panic!("{kind}: update `{why}` needs a replacement (`{}`)", c.path);
        }
        touched.extend(planned.iter().map(|c| top(&c.path)));
        update(p.as_ref(), &name, &spec, planned, why).await;
        assert_eq!(
            paths(&changes(p.as_ref(), &name, &spec).await),
            Vec::<String>::new(),
            "{kind}: after update `{why}` the plan must be empty"
        );
        current = spec;
    }
    let skipped: BTreeSet<String> = subject
        .not_updated()
        .iter()
        .map(|(p, _)| p.to_string())
        .collect();
    let untouched: Vec<&str> = p
        .schema()
        .props
        .iter()
        // A write-only property is never compared: what it changes shows elsewhere.
        .filter(|prop| !prop.immutable && !prop.write_only && prop.name != "name")
        .map(|prop| prop.name)
        .filter(|n| !touched.contains(*n) && !skipped.contains(*n))
        .collect();
    assert!(
        untouched.is_empty(),
        "{kind}: no update covers the mutable properties {untouched:?}"
    );

    // 4. drift seen exactly and repaired.
    let mut want = subject.drift(&name).await;
    want.sort();
    let drifted = changes(p.as_ref(), &name, &current).await;
    assert_eq!(
        paths(&drifted),
        want,
        "{kind}: the drift made behind lakectl's back"
    );
    update(p.as_ref(), &name, &current, drifted, "repair drift").await;
    assert_eq!(
        paths(&changes(p.as_ref(), &name, &current).await),
        Vec::<String>::new(),
        "{kind}: drift must be repaired"
    );

    // 5. delete, missing, delete again.
    p.delete(&delete_request(ADDRESS, &name, true))
        .await
        .unwrap_or_else(|e| panic!("{kind}: delete failed: {e}"));
    assert_eq!(
        p.observe(&name).await.ok(),
        Some(Observation::Missing),
        "{kind}: observe after delete"
    );
    p.delete(&delete_request(ADDRESS, &name, true))
        .await
        .unwrap_or_else(|e| panic!("{kind}: deleting a missing resource must succeed: {e}"));

    // 6. someone else's resource of the same name.
    let foreign = subject.fresh_name();
    cleanup.add(&foreign);
    subject.create_foreign(&foreign).await;
    let before = live(p.as_ref(), &foreign).await;
    assert!(
        Owner::of(&before.spec).is_untagged(),
        "{kind}: a resource made by someone else must read back without lakectl's tags"
    );
    let taken = p
        .create(&create_request(
            p.as_ref(),
            ADDRESS,
            &foreign,
            &owned(subject.full_spec(&foreign)),
        ))
        .await;
    assert!(
        taken.as_ref().is_err_and(ProviderError::is_already_exists),
        "{kind}: create over someone else's resource must be reported, got {taken:?}"
    );
    assert_eq!(
        live(p.as_ref(), &foreign).await.spec,
        before.spec,
        "{kind}: someone else's resource must be left as it was"
    );
}

/// Sends `changes` as the engine would, against the live spec read now.
async fn update(
    p: &dyn Provider,
    name: &str,
    desired: &Value,
    changes: Vec<FieldChange>,
    why: &str,
) {
    let kind = p.schema().kind;
    let req = UpdateRequest {
        address: Address::new(ADDRESS, None),
        name: name.to_string(),
        desired: prepare(p, desired),
        live: prepare(p, &live(p, name).await.spec),
        changes,
        wait_limit: super::WAIT_LIMIT,
    };
    p.update(&req)
        .await
        .unwrap_or_else(|e| panic!("{kind}: update `{why}` failed: {e}"));
}

fn paths(changes: &[FieldChange]) -> Vec<String> {
    let mut p: Vec<String> = changes.iter().map(|c| c.path.clone()).collect();
    p.sort();
    p
}

/// The top-level property of a change path: `tags.team` → `tags`.
fn top(path: &str) -> String {
    path.split(['.', '[']).next().unwrap_or(path).to_string()
}
