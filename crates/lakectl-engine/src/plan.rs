//! Planning: observe, check ownership, resolve references, diff, order. The only I/O is
//! `observe`, `contents` and reading the state records; every decision is made on facts.

use crate::engine::Engine;
use crate::error::EngineError;
use crate::execute::WAIT_LIMIT;
use crate::observe::{Target, observe_all};
use crate::options::{PlanMode, PlanOptions};
use crate::ownership::{Claim, Ownership, ownership};
use crate::planned::{Node, PlannedChanges};
use crate::progress::ProgressEvent;
use crate::retry::with_retries;
use crate::specs::{
    Known, create_changes, prepare, replace_reason, resolve, with_name, with_ownership_tags,
};
use crate::state::{ResourceRecord, StackEnv};
use lakectl_core::graph::topo_sort;
use lakectl_core::refs;
use lakectl_core::tags::Owner;
use lakectl_core::{
    Action, Address, Contents, DesiredResource, DesiredStack, Detail, Live, Observation, Plan,
    RemovalPolicy, ResourceChange, ResourceId, UpdateRequest, diff,
};
use std::collections::{BTreeMap, BTreeSet};

/// Observed resources by kind and physical name.
type Observed = BTreeMap<ResourceId, Observation>;

fn id(kind: &str, name: &str) -> ResourceId {
    ResourceId {
        kind: kind.to_string(),
        name: name.to_string(),
    }
}

fn live_of<'a>(observed: &'a Observed, rid: &ResourceId) -> Option<&'a Live> {
    match observed.get(rid) {
        Some(Observation::Exists(live)) => Some(live),
        _ => None,
    }
}

/// Makes the plan. See [`Engine::plan`].
pub(crate) async fn plan(
    engine: &Engine,
    desired: &DesiredStack,
    opts: &PlanOptions,
) -> Result<PlannedChanges, EngineError> {
    let at = StackEnv::of(desired);
    for r in desired.resources.values() {
        engine.provider(&r.address, &r.kind)?;
    }
    let records: BTreeMap<Address, ResourceRecord> = engine
        .records(&at)
        .await?
        .into_iter()
        .map(|r| (r.address.clone(), r))
        .collect();
    for r in records.values() {
        engine.provider(&r.address, &r.kind)?;
    }
    let narrowed;
    let (desired, records) = if opts.targets.is_empty() {
        (desired, records)
    } else {
        let (d, r) = crate::targets::narrow(desired, records, &opts.targets, opts.mode)?;
        narrowed = d;
        (&narrowed, r)
    };
    let order: Vec<Address> = desired
        .topological_order()
        .map_err(|cycle| EngineError::Cycle { cycle })?
        .into_iter()
        .cloned()
        .collect();

    let observed = observe_everything(engine, desired, &records, opts).await?;
    let moves = recorded_moves(desired, &records);
    let mut planner = Planner {
        engine,
        policy: desired.env.removal_policy,
        at: &at,
        records: &records,
        moves: &moves,
        observed: &observed,
        nodes: BTreeMap::new(),
        known: Known::new(),
        stale: Vec::new(),
    };
    match opts.mode {
        PlanMode::Deploy => {
            for address in &order {
                planner.deploy(&desired.resources[address])?;
            }
        }
        PlanMode::Destroy => {
            for address in &order {
                planner.destroy(&desired.resources[address])?;
            }
        }
    }
    planner.delete_leftover_records();
    planner.keep_what_kept_ones_hold();
    let Planner { nodes, stale, .. } = planner;
    let data_loss = check_contents(engine, &nodes).await?;
    let previews = previews(engine, &nodes).await?;
    let resources = ordered_changes(&order, &nodes, &data_loss, &previews, opts.mode)?;
    Ok(PlannedChanges {
        plan: Plan::new(&desired.stack, &desired.env.name, resources),
        at,
        mode: opts.mode,
        env: desired.env.clone(),
        nodes,
        stale,
        outputs: desired.outputs.clone(),
        partial: !opts.targets.is_empty(),
    })
}

/// The `moved:` entries that have a record to move: each new address with the nearest
/// earlier one that has a record.
fn recorded_moves(
    desired: &DesiredStack,
    records: &BTreeMap<Address, ResourceRecord>,
) -> BTreeMap<Address, Address> {
    desired
        .resources
        .values()
        .filter_map(|r| {
            let declared = r
                .moved_from
                .iter()
                .find(|f| records.contains_key(*f) && !desired.resources.contains_key(*f));
            // A record moved (`state mv`, or a `moved:` entry since dropped) by a run killed
            // before it removed the old one: two records of one resource, the old one at an
            // address no longer declared.
            let unfinished = || {
                let here = records.get(&r.address)?;
                records
                    .iter()
                    .find(|(a, rec)| {
                        **a != r.address
                            && !desired.resources.contains_key(*a)
                            && rec.kind == here.kind
                            && rec.name == here.name
                    })
                    .map(|(a, _)| a)
            };
            declared
                .or_else(unfinished)
                .map(|f| (r.address.clone(), f.clone()))
        })
        .collect()
}

/// Observes every desired resource and every recorded one under its recorded name.
async fn observe_everything(
    engine: &Engine,
    desired: &DesiredStack,
    records: &BTreeMap<Address, ResourceRecord>,
    opts: &PlanOptions,
) -> Result<Observed, EngineError> {
    let mut wanted: BTreeMap<ResourceId, Address> = BTreeMap::new();
    for r in desired.resources.values() {
        wanted.insert(id(&r.kind, &r.name), r.address.clone());
    }
    for r in records.values() {
        wanted
            .entry(id(&r.kind, &r.name))
            .or_insert_with(|| r.address.clone());
    }
    let mut targets = Vec::with_capacity(wanted.len());
    for (rid, address) in &wanted {
        targets.push(Target {
            address: address.clone(),
            provider: engine.provider(address, &rid.kind)?,
            name: rid.name.clone(),
        });
    }
    let found = observe_all(targets, opts.concurrency, engine.progress.clone()).await?;
    Ok(wanted.into_keys().zip(found).collect())
}

/// The decisions, made one resource at a time in dependency order so that each sees what its
/// dependencies will become.
struct Planner<'a> {
    engine: &'a Engine,
    /// The env's removal policy.
    policy: RemovalPolicy,
    at: &'a StackEnv,
    records: &'a BTreeMap<Address, ResourceRecord>,
    /// New address → the earlier address whose record it takes over.
    moves: &'a BTreeMap<Address, Address>,
    observed: &'a Observed,
    nodes: BTreeMap<Address, Node>,
    /// What each resource planned so far will have as attributes, for references.
    known: Known,
    stale: Vec<Address>,
}

impl<'a> Planner<'a> {
    fn claim<'c>(
        &'c self,
        address: &'c Address,
        kind: &'c str,
        name: &'c str,
        former: &'c [Address],
    ) -> Claim<'c> {
        Claim {
            stack: &self.at.stack,
            env: &self.at.env,
            address,
            kind,
            name,
            former,
        }
    }

    /// The record of a desired address: its own, or the one a `moved:` entry brings along.
    fn record_of(&self, address: &Address) -> Option<&'a ResourceRecord> {
        self.records.get(address).or_else(|| {
            self.moves
                .get(address)
                .and_then(|from| self.records.get(from))
        })
    }

    /// The address of this stack and env that the live resource's tags name, when another.
    fn tagged_elsewhere(&self, r: &DesiredResource, live: &Live) -> Option<Address> {
        let owner = Owner::of(&live.spec);
        let here = owner.stack.as_deref() == Some(self.at.stack.as_str())
            && owner.env.as_deref() == Some(self.at.env.as_str());
        owner
            .address
            .as_deref()
            .filter(|_| here)
            .and_then(Address::parse)
            .filter(|a| *a != r.address)
    }

    /// Earlier addresses whose ownership tags count as this resource's: its `moved:` entries,
    /// and the one `lakectl state mv` moved its record from (the record here names it, the
    /// tags still name the old address, and no record there claims it).
    fn former(&self, r: &DesiredResource, live: Option<&Live>) -> Vec<Address> {
        let mut former = r.moved_from.clone();
        if let Some(from) = self.moves.get(&r.address)
            && !former.contains(from)
        {
            former.push(from.clone());
        }
        let names_it = |rec: &ResourceRecord| rec.kind == r.kind && rec.name == r.name;
        if let (Some(live), Some(rec)) = (live, self.records.get(&r.address))
            && names_it(rec)
            && let Some(old) = self.tagged_elsewhere(r, live)
            && !self.records.get(&old).is_some_and(names_it)
            && !former.contains(&old)
        {
            former.push(old);
        }
        former
    }

    /// The earlier address its record or its tags still have, when it has one.
    fn moved_from(
        &self,
        r: &DesiredResource,
        live: Option<&Live>,
        former: &[Address],
    ) -> Option<Address> {
        if let Some(from) = self.moves.get(&r.address) {
            return Some(from.clone());
        }
        live.and_then(|l| self.tagged_elsewhere(r, l))
            .filter(|old| former.contains(old))
    }

    /// Fails with `NotOwned` unless the live resource is ours.
    fn check_owned(
        &self,
        r: &DesiredResource,
        live: &Live,
        former: &[Address],
    ) -> Result<(), EngineError> {
        let provider = self.engine.provider(&r.address, &r.kind)?;
        let claim = self.claim(&r.address, &r.kind, &r.name, former);
        let taggable = provider.schema().taggable;
        match ownership(&claim, taggable, &live.spec, self.record_of(&r.address)) {
            Ownership::Ours => Ok(()),
            Ownership::Foreign { .. } if let Some(old) = self.tagged_elsewhere(r, live) => {
                Err(EngineError::MovedWithoutEntry {
                    env: self.at.env.clone(),
                    address: r.address.clone(),
                    old: old.to_string(),
                    kind: r.kind.clone(),
                    name: r.name.clone(),
                    location: r.location.clone(),
                })
            }
            Ownership::Foreign { owner } => Err(EngineError::NotOwned {
                env: self.at.env.clone(),
                address: r.address.clone(),
                kind: r.kind.clone(),
                name: r.name.clone(),
                location: r.location.clone(),
                owner,
            }),
        }
    }

    /// Records what a planned resource's attributes will be, as far as they can be known
    /// before apply: live ones when it stays, predicted ones when it is (re)created.
    fn learn(&mut self, n: &Node) {
        let attrs = match (&n.action, &n.live) {
            (Action::NoOp | Action::Update, Some(live)) => &live.attributes,
            _ => &n.predicted,
        };
        self.known
            .insert(n.address.clone(), with_name(&n.name, attrs));
    }

    fn deploy(&mut self, r: &DesiredResource) -> Result<(), EngineError> {
        let provider = self.engine.provider(&r.address, &r.kind)?;
        let schema = provider.schema();
        let rid = id(&r.kind, &r.name);
        let live = live_of(self.observed, &rid);
        let former = self.former(r, live);
        if let Some(live) = live {
            self.check_owned(r, live, &former)?;
        }
        let moved_from = self.moved_from(r, live, &former);
        let record = self.record_of(&r.address);
        let raw = if schema.taggable {
            with_ownership_tags(&r.spec, self.at, &r.address)
        } else {
            r.spec.clone()
        };
        let (resolved, _unknown) = resolve(&raw, &self.known);
        let resolved = prepare(provider.as_ref(), resolved);
        let live = live.map(|l| Live {
            spec: prepare(provider.as_ref(), l.spec.clone()),
            attributes: l.attributes.clone(),
        });
        // The record names another physical resource at this address (renamed, or its kind
        // changed): that one is deleted, then the new one created.
        let moved = record
            .map(|rec| id(&rec.kind, &rec.name))
            .filter(|old| *old != rid)
            .filter(|old| {
                live_of(self.observed, old).is_some_and(|l| {
                    let claim = self.claim(&r.address, &old.kind, &old.name, &former);
                    let taggable = self
                        .engine
                        .providers
                        .get(&old.kind)
                        .is_some_and(|p| p.schema().taggable);
                    ownership(&claim, taggable, &l.spec, record) == Ownership::Ours
                })
            });
        let (action, changes, delete_target) = match (&live, moved) {
            (live, Some(old)) => {
                let changes = match live {
                    Some(l) => diff(schema, &resolved, &l.spec),
                    None => create_changes(schema, &resolved),
                };
                (Action::Replace, changes, Some(old))
            }
            (None, None) => (Action::Create, create_changes(schema, &resolved), None),
            (Some(l), None) => {
                let changes = diff(schema, &resolved, &l.spec);
                let action = if changes.iter().any(|c| c.forces_replace) {
                    Action::Replace
                } else if changes.is_empty() {
                    Action::NoOp
                } else {
                    Action::Update
                };
                let target = (action == Action::Replace).then(|| rid.clone());
                (action, changes, target)
            }
        };
        let node = Node {
            address: r.address.clone(),
            kind: r.kind.clone(),
            name: r.name.clone(),
            action,
            desired: Some(raw),
            resolved: Some(resolved),
            live,
            delete_target,
            record: record.cloned(),
            changes,
            depends_on: r.depends_on().into_iter().collect(),
            predicted: provider.predict_attributes(&r.name),
            location: r.location.clone(),
            drop_record: self.moves.get(&r.address).cloned(),
            moved_from,
            former,
            removal_policy: r.removal_policy,
            kept: None,
        };
        self.learn(&node);
        self.nodes.insert(r.address.clone(), node);
        Ok(())
    }

    /// A resource leaving the stack (destroyed, or no longer declared) is left in AWS and
    /// forgotten under its own `removal_policy: retain`, or, without its own, in an env that
    /// retains data when its kind holds data.
    fn leave(&self, mut node: Node, own: Option<RemovalPolicy>) -> Node {
        let holds_data = self
            .engine
            .providers
            .get(&node.kind)
            .is_some_and(|p| p.holds_data());
        let kept = match own {
            Some(RemovalPolicy::Retain) => Some("its removal_policy is retain".to_string()),
            Some(RemovalPolicy::Destroy) => None,
            None if self.policy == RemovalPolicy::Retain && holds_data => Some(format!(
                "env {} has removal_policy retain, and a {} holds data",
                self.at.env, node.kind
            )),
            None => None,
        };
        node.removal_policy = own;
        if let Some(why) = kept {
            node.action = Action::Forget;
            node.delete_target = None;
            node.kept = Some(why);
        }
        node
    }

    /// What a forgotten resource holds (the items of a kept table, the tables of a kept
    /// database) is forgotten with it, not deleted out of it; and what holds a forgotten one
    /// is kept too, since deleting it would take that along.
    fn keep_what_kept_ones_hold(&mut self) {
        loop {
            let kept: BTreeMap<ResourceId, Address> = self
                .nodes
                .values()
                .filter(|n| n.action == Action::Forget)
                .map(|n| (id(&n.kind, &n.name), n.address.clone()))
                .collect();
            // Upward too: a container deleted while something kept is inside it would take
            // that along; it is kept with it.
            let holders: BTreeMap<ResourceId, Address> = self
                .nodes
                .values()
                .filter(|n| n.action == Action::Forget)
                .filter_map(|n| {
                    let (kind, name) = self.engine.providers.get(&n.kind)?.container(&n.name)?;
                    Some((id(kind, &name), n.address.clone()))
                })
                .collect();
            let mut changed = false;
            for n in self
                .nodes
                .values_mut()
                .filter(|n| n.action == Action::Delete)
            {
                if let Some(inside) = holders.get(&id(&n.kind, &n.name)) {
                    n.action = Action::Forget;
                    n.delete_target = None;
                    n.kept = Some(format!("it holds {inside}, which is kept"));
                    changed = true;
                    continue;
                }
                let holder = self
                    .engine
                    .providers
                    .get(&n.kind)
                    .and_then(|p| p.container(&n.name))
                    .and_then(|(kind, name)| kept.get(&id(kind, &name)));
                if let Some(holder) = holder {
                    n.action = Action::Forget;
                    n.delete_target = None;
                    n.kept = Some(format!("it is inside {holder}, which is kept"));
                    changed = true;
                }
            }
            if !changed {
                return;
            }
        }
    }

    fn destroy(&mut self, r: &DesiredResource) -> Result<(), EngineError> {
        let rid = id(&r.kind, &r.name);
        let Some(live) = live_of(self.observed, &rid) else {
            return Ok(());
        };
        let former = self.former(r, Some(live));
        self.check_owned(r, live, &former)?;
        let mut node = self.delete_node(
            &r.address,
            rid,
            live,
            self.record_of(&r.address),
            r.depends_on().into_iter().collect(),
        );
        node.moved_from = self.moved_from(r, Some(live), &former);
        node.drop_record = self.moves.get(&r.address).cloned();
        node.former = former;
        let node = self.leave(node, r.removal_policy);
        self.nodes.insert(r.address.clone(), node);
        Ok(())
    }

    /// Records without a plan entry: deleted when the resource still exists and is ours,
    /// forgotten otherwise.
    fn delete_leftover_records(&mut self) {
        // Records being moved go with the resource they move to, when that one is planned.
        let moving: BTreeSet<&Address> = self
            .moves
            .iter()
            .filter(|(to, _)| self.nodes.contains_key(*to))
            .map(|(_, from)| from)
            .collect();
        let kept: BTreeSet<ResourceId> = self
            .nodes
            .values()
            .filter(|n| n.action != Action::Delete)
            .map(|n| id(&n.kind, &n.name))
            .collect();
        for (address, rec) in self.records {
            // Deploy plans every desired address; destroy leaves a missing one out, and then
            // the record may still name an older physical resource of it. A record being
            // moved goes with the resource it moves to.
            if self.nodes.contains_key(address) || moving.contains(address) {
                continue;
            }
            let rid = id(&rec.kind, &rec.name);
            // Another address of this plan has it now: its old record is dropped, never
            // followed to a delete.
            if kept.contains(&rid) {
                self.stale.push(address.clone());
                continue;
            }
            let taggable = self
                .engine
                .providers
                .get(&rec.kind)
                .is_some_and(|p| p.schema().taggable);
            match live_of(self.observed, &rid) {
                Some(live)
                    if ownership(
                        &self.claim(address, &rec.kind, &rec.name, &[]),
                        taggable,
                        &live.spec,
                        Some(rec),
                    ) == Ownership::Ours =>
                {
                    let node =
                        self.delete_node(address, rid, live, Some(rec), rec.depends_on.clone());
                    let node = self.leave(node, rec.removal_policy);
                    self.nodes.insert(address.clone(), node);
                }
                // Gone, or its name now belongs to someone else: only the record is dropped.
                _ => self.stale.push(address.clone()),
            }
        }
    }

    fn delete_node(
        &self,
        address: &Address,
        rid: ResourceId,
        live: &Live,
        record: Option<&ResourceRecord>,
        depends_on: Vec<Address>,
    ) -> Node {
        Node {
            address: address.clone(),
            kind: rid.kind.clone(),
            name: rid.name.clone(),
            action: Action::Delete,
            desired: None,
            resolved: None,
            live: Some(live.clone()),
            delete_target: Some(rid),
            record: record.cloned(),
            changes: Vec::new(),
            depends_on,
            predicted: Default::default(),
            location: "state table".into(),
            former: Vec::new(),
            moved_from: None,
            drop_record: None,
            removal_policy: None,
            kept: None,
        }
    }
}

/// Asks each provider whether a delete or replace would destroy data. What the plan deletes
/// itself inside a container (declared items of a table it deletes) is not counted.
async fn check_contents(
    engine: &Engine,
    nodes: &BTreeMap<Address, Node>,
) -> Result<BTreeMap<Address, String>, EngineError> {
    let mut declared: BTreeMap<(&str, String), u64> = BTreeMap::new();
    for node in nodes.values() {
        let Some(target) = &node.delete_target else {
            continue;
        };
        let provider = engine.provider(&node.address, &target.kind)?;
        if let Some((kind, name)) = provider.container(&target.name) {
            *declared.entry((kind, name)).or_default() += 1;
        }
    }
    let mut found = BTreeMap::new();
    for node in nodes.values() {
        let Some(target) = &node.delete_target else {
            continue;
        };
        let provider = engine.provider(&node.address, &target.kind)?;
        let progress = engine.progress.clone();
        let emit = move |e: ProgressEvent| progress.event(&e);
        let contents = with_retries(&node.address, &emit, || provider.contents(&target.name))
            .await
            .map_err(|source| EngineError::Provider {
                address: node.address.clone(),
                kind: target.kind.clone(),
                name: target.name.clone(),
                doing: "counting the contents of",
                source,
            })?;
        let ours = declared
            .get(&(target.kind.as_str(), target.name.clone()))
            .copied()
            .unwrap_or(0);
        // A count that stopped early may hold others besides ours: it stands as it is.
        let rest = match contents {
            Contents::NonEmpty {
                count,
                exact: true,
                noun,
            } if ours > 0 => match count.saturating_sub(ours) {
                0 => Contents::Empty,
                count => Contents::NonEmpty {
                    count,
                    exact: true,
                    noun,
                },
            },
            other => other,
        };
        if let Some(what) = rest.describe() {
            let what = match ours {
                0 => what,
                n => format!("{what} besides the {n} this plan deletes itself"),
            };
            found.insert(node.address.clone(), what);
        }
    }
    Ok(found)
}

/// What the plan says of an update below the resource: the service's own changes, or why
/// they can be known only at deploy.
#[derive(Default)]
struct Previews {
    details: BTreeMap<Address, Vec<Detail>>,
    later: BTreeMap<Address, String>,
}

/// Asks the provider of each update what the service says it will do below the resource
/// (a CloudFormation change set), where what it depends on exists already: a change set
/// of a template not uploaded yet cannot be made.
async fn previews(
    engine: &Engine,
    nodes: &BTreeMap<Address, Node>,
) -> Result<Previews, EngineError> {
    let mut found = Previews::default();
    for n in nodes.values().filter(|n| n.action == Action::Update) {
        let (Some(resolved), Some(live)) = (&n.resolved, &n.live) else {
            continue;
        };
        let provider = engine.provider(&n.address, &n.kind)?;
        if let Some(note) = provider.plan_note(resolved, &live.spec) {
            found.later.insert(n.address.clone(), note);
        }
        if !provider.previews() {
            continue;
        }
        // What does not exist yet, unless the provider sends what it needs itself.
        let not_yet = |d: &&Address| {
            nodes
                .get(*d)
                .is_some_and(|d| matches!(d.action, Action::Create | Action::Replace))
        };
        let waiting: Vec<String> = match provider.previews_ahead() {
            true => Vec::new(),
            false => n
                .depends_on
                .iter()
                .filter(not_yet)
                .map(Address::to_string)
                .collect(),
        };
        if !waiting.is_empty() || refs::value_has_ref(resolved) {
            let what = match waiting.as_slice() {
                [] => "what it refers to is".to_string(),
                [one] => format!("{one} is"),
                many => format!("{} are", many.join(", ")),
            };
            found.later.insert(
                n.address.clone(),
                format!("the service's own change set is made at deploy, once {what} in place"),
            );
            continue;
        }
        let req = UpdateRequest {
            address: n.address.clone(),
            name: n.name.clone(),
            desired: resolved.clone(),
            live: live.spec.clone(),
            changes: n.changes.clone(),
            wait_limit: WAIT_LIMIT,
        };
        let progress = engine.progress.clone();
        let emit = move |e: ProgressEvent| progress.event(&e);
        let details = with_retries(&n.address, &emit, || provider.preview(&req))
            .await
            .map_err(|source| EngineError::Provider {
                address: n.address.clone(),
                kind: n.kind.clone(),
                name: n.name.clone(),
                doing: "previewing the update of",
                source,
            })?;
        if !details.is_empty() {
            found.details.insert(n.address.clone(), details);
        }
    }
    Ok(found)
}

/// The one resource of the same kind this plan creates, when a delete may be its rename.
fn renamed_to<'a>(nodes: &'a BTreeMap<Address, Node>, deleted: &Node) -> Option<&'a Address> {
    let mut creates = nodes
        .values()
        .filter(|n| n.action == Action::Create && n.kind == deleted.kind);
    match (creates.next(), creates.next()) {
        (Some(one), None) => Some(&one.address),
        _ => None,
    }
}

/// Creates, updates and no-ops in dependency order, then deletes and forgets in reverse
/// dependency order.
fn ordered_changes(
    order: &[Address],
    nodes: &BTreeMap<Address, Node>,
    data_loss: &BTreeMap<Address, String>,
    previews: &Previews,
    mode: PlanMode,
) -> Result<Vec<ResourceChange>, EngineError> {
    // What leaves the stack (deleted or forgotten) comes last, in reverse dependency order.
    let leaves = |n: &&Node| matches!(n.action, Action::Delete | Action::Forget);
    let forward = order
        .iter()
        .filter_map(|a| nodes.get(a))
        .filter(|n| !leaves(n));
    let delete_deps: BTreeMap<&Address, BTreeSet<Address>> = nodes
        .values()
        .filter(leaves)
        .map(|n| (&n.address, n.depends_on.iter().cloned().collect()))
        .collect();
    let mut deletes = topo_sort(&delete_deps).map_err(|cycle| EngineError::Cycle { cycle })?;
    deletes.reverse();
    let deletes = deletes.into_iter().filter_map(|a| nodes.get(a));
    Ok(forward
        .chain(deletes)
        .map(|n| ResourceChange {
            address: n.address.clone(),
            kind: n.kind.clone(),
            physical_id: n.name.clone(),
            action: n.action,
            changes: n.changes.clone(),
            reason: match (n.action, mode) {
                (Action::Replace, _) => replace_reason(&n.changes).or_else(|| {
                    n.delete_target
                        .as_ref()
                        .map(|old| format!("{old} is replaced by {} {}", n.kind, n.name))
                }),
                (Action::Delete, PlanMode::Deploy) => Some(match renamed_to(nodes, n) {
                    Some(new) => format!(
                        "no longer declared in the stack files; if it was renamed to {new}, a `moved:` entry (from: \"{}\", to: \"{new}\") keeps it and its data",
                        n.address
                    ),
                    None => "no longer declared in the stack files".to_string(),
                }),
                (Action::Update, _) => previews.later.get(&n.address).cloned(),
                (Action::Forget, _) => n.kept.as_ref().map(|why| {
                    format!("left in AWS as it is, since {why}; lakectl stops managing it")
                }),
                _ => None,
            },
            data_loss: data_loss.get(&n.address).cloned(),
            depends_on: n.depends_on.clone(),
            details: previews
                .details
                .get(&n.address)
                .cloned()
                .unwrap_or_default(),
            moved_from: n.moved_from.clone(),
        })
        .collect())
}
