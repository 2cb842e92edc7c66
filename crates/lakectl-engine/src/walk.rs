//! The graph walk of an apply: each change starts as soon as what it waits on is done, at most
//! `concurrency` at once; a failure skips only what (transitively) waits on it.

use crate::error::EngineError;
use crate::execute::{Context, execute};
use crate::planned::Node;
use crate::progress::{Progress, ProgressEvent};
use crate::report::ApplyReport;
use crate::specs::Known;
use lakectl_core::error::chain;
use lakectl_core::{Action, Address};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// What the walk did.
pub(crate) struct Outcome {
    /// Applied, failed and skipped changes (outputs not filled).
    pub report: ApplyReport,
    /// The root causes, one per failed change.
    pub causes: Vec<EngineError>,
    /// Attributes of every resource that exists after the walk.
    pub known: Known,
    /// The endpoint stopped answering, and the walk stopped starting changes.
    pub halted: bool,
}

/// For each node, the nodes that must finish before it starts.
///
/// Creates, updates and replaces wait on the resources they reference. A delete waits on
/// every delete of something that depends on it, and on every change of a resource that
/// depended on it at its last apply (which may be dropping that dependency right now).
/// A no-op waits on nothing: it changes nothing in AWS.
pub(crate) fn waits(nodes: &BTreeMap<Address, Node>) -> BTreeMap<Address, BTreeSet<Address>> {
    let mut waits: BTreeMap<Address, BTreeSet<Address>> =
        nodes.keys().map(|a| (a.clone(), BTreeSet::new())).collect();
    for node in nodes.values() {
        match node.action {
            // A forget changes only lakectl's tags on it: nothing else is waiting for that.
            Action::NoOp | Action::Forget => {}
            Action::Delete => {
                for dep in &node.depends_on {
                    if nodes.get(dep).is_some_and(|d| d.action == Action::Delete)
                        && let Some(w) = waits.get_mut(dep)
                    {
                        w.insert(node.address.clone());
                    }
                }
            }
            Action::Create | Action::Update | Action::Replace => {
                for dep in &node.depends_on {
                    if nodes.get(dep).is_some_and(|d| d.action != Action::Delete)
                        && let Some(w) = waits.get_mut(&node.address)
                    {
                        w.insert(dep.clone());
                    }
                }
            }
        }
        if node.action != Action::Delete
            && let Some(rec) = &node.record
        {
            for old_dep in &rec.depends_on {
                if nodes
                    .get(old_dep)
                    .is_some_and(|d| d.action == Action::Delete)
                    && let Some(w) = waits.get_mut(old_dep)
                {
                    w.insert(node.address.clone());
                }
            }
        }
    }
    waits
}

/// Walks the nodes. `order` is the plan order, used to break ties among ready nodes.
pub(crate) async fn walk(
    cx: Context,
    nodes: &BTreeMap<Address, Node>,
    order: &[Address],
    concurrency: usize,
    mut events: UnboundedReceiver<ProgressEvent>,
    progress: &dyn Progress,
) -> Outcome {
    let mut waiting = waits(nodes);
    let mut waiters: BTreeMap<Address, Vec<Address>> = BTreeMap::new();
    for (node, on) in &waiting {
        for dep in on {
            waiters.entry(dep.clone()).or_default().push(node.clone());
        }
    }
    let mut ready: VecDeque<Address> = order
        .iter()
        .filter(|a| waiting.get(*a).is_some_and(BTreeSet::is_empty))
        .cloned()
        .collect();
    let mut finished: BTreeSet<Address> = BTreeSet::new();
    let mut running: HashMap<tokio::task::Id, (Address, Instant)> = HashMap::new();
    let mut out = Outcome {
        report: ApplyReport::default(),
        causes: Vec::new(),
        known: Known::new(),
        halted: false,
    };
    let cx = Arc::new(cx);
    let mut tasks = JoinSet::new();
    let limit = concurrency.max(1);
    loop {
        while !out.halted && tasks.len() < limit {
            let Some(address) = ready.pop_front() else {
                break;
            };
            let Some(node) = nodes.get(&address).cloned() else {
                continue;
            };
            let deps: Known = node
                .depends_on
                .iter()
                .filter_map(|d| out.known.get(d).map(|k| (d.clone(), k.clone())))
                .collect();
            if node.action.is_change() {
                progress.event(&ProgressEvent::Started {
                    address: address.clone(),
                    action: node.action,
                });
            }
            let cx = cx.clone();
            let handle = tasks.spawn(async move { execute(&cx, &node, &deps).await });
            running.insert(handle.id(), (address, Instant::now()));
        }
        if tasks.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            Some(e) = events.recv() => progress.event(&e),
            Some(joined) = tasks.join_next_with_id() => {
                let (id, result) = match joined {
                    Ok((id, result)) => (id, result),
                    Err(e) => (e.id(), Err(EngineError::Internal {
                        detail: format!("a change ended abnormally: {e}"),
                    })),
                };
                let Some((address, started)) = running.remove(&id) else {
                    continue;
                };
                finished.insert(address.clone());
                let action = nodes.get(&address).map_or(Action::NoOp, |n| n.action);
                match result {
                    Ok(attrs) => {
                        if let Some(attrs) = attrs {
                            out.known.insert(address.clone(), attrs);
                        }
                        if action.is_change() {
                            out.report.applied.push((address.clone(), action));
                            progress.event(&ProgressEvent::Done {
                                address: address.clone(),
                                action,
                                elapsed: started.elapsed(),
                            });
                        }
                        for w in waiters.get(&address).into_iter().flatten() {
                            if let Some(on) = waiting.get_mut(w) {
                                on.remove(&address);
                                if on.is_empty() && !finished.contains(w) {
                                    ready.push_back(w.clone());
                                }
                            }
                        }
                    }
                    Err(e) => {
                        let error = chain(&e);
                        progress.event(&ProgressEvent::Failed { address: address.clone(), error: error.clone() });
                        // Nothing answers: whatever starts now fails the same way, after its
                        // own wait. What is in flight ends (its intent is recorded already).
                        if e.is_unreachable() && !out.halted {
                            out.halted = true;
                            let not_started = nodes
                                .values()
                                .filter(|n| n.action.is_change())
                                .filter(|n| !finished.contains(&n.address))
                                .filter(|n| !running.values().any(|(a, _)| *a == n.address))
                                .count();
                            progress.event(&ProgressEvent::Halted { not_started });
                        }
                        out.report.failed.push((address.clone(), error));
                        out.causes.push(e);
                        let mut blocked: Vec<Address> = waiters.get(&address).cloned().unwrap_or_default();
                        while let Some(w) = blocked.pop() {
                            if finished.insert(w.clone()) {
                                progress.event(&ProgressEvent::Skipped { address: w.clone(), blocked_by: address.clone() });
                                out.report.skipped.push((w.clone(), address.clone()));
                                blocked.extend(waiters.get(&w).cloned().unwrap_or_default());
                            }
                        }
                    }
                }
            }
        }
    }
    while let Ok(e) = events.try_recv() {
        progress.event(&e);
    }
    // Halted: the rest was never started. Otherwise only a cycle among deletes could leave
    // nodes behind; the plan rejects those, but never report success for a change that did
    // not run.
    for address in order {
        if out.halted && !finished.contains(address) {
            if nodes.get(address).is_some_and(|n| n.action.is_change()) {
                out.report.not_started.push(address.clone());
            }
        } else if !finished.contains(address) {
            let error = format!(
                "never started: it waits on {}",
                waiting
                    .get(address)
                    .map(|w| w.iter().map(Address::as_str).collect::<Vec<_>>().join(", "))
                    .unwrap_or_default()
            );
            progress.event(&ProgressEvent::Failed {
                address: address.clone(),
                error: error.clone(),
            });
            out.report.failed.push((address.clone(), error.clone()));
            out.causes.push(EngineError::Internal {
                detail: format!("{address}: {error}"),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{RecordStatus, ResourceRecord};

    fn node(addr: &str, action: Action, deps: &[&str], old_deps: Option<&[&str]>) -> Node {
        let address = Address::new(addr, None);
        let list = |d: &[&str]| d.iter().map(|x| Address::new(x, None)).collect::<Vec<_>>();
        Node {
            record: old_deps.map(|d| ResourceRecord {
                address: address.clone(),
                kind: "k".into(),
                name: addr.into(),
                status: RecordStatus::Owned,
                depends_on: list(d),
                attributes: Default::default(),
                removal_policy: None,
            }),
            address,
            kind: "k".into(),
            name: addr.into(),
            action,
            desired: None,
            resolved: None,
            live: None,
            delete_target: None,
            changes: vec![],
            depends_on: list(deps),
            predicted: Default::default(),
            location: "test".into(),
            former: vec![],
            moved_from: None,
            drop_record: None,
            removal_policy: None,
            kept: None,
        }
    }

    #[test]
    fn waits_follow_references_forward_and_reversed_for_deletes() {
        use Action::{Create, Delete, NoOp, Update};
        // (why, nodes, node asked about, want it to wait on)
        let cases: Vec<(&str, Vec<Node>, &str, Vec<&str>)> = vec![
            (
                "a create waits on what it references",
                vec![
                    node("a", Create, &[], None),
                    node("b", Create, &["a"], None),
                ],
                "b",
                vec!["a"],
            ),
            (
                "a create waits on a no-op dependency too",
                vec![node("a", NoOp, &[], None), node("b", Create, &["a"], None)],
                "b",
                vec!["a"],
            ),
            (
                "a no-op waits on nothing",
                vec![node("a", Create, &[], None), node("b", NoOp, &["a"], None)],
                "b",
                vec![],
            ),
            (
                "a reference outside the plan is not waited on",
                vec![node("b", Update, &["gone"], None)],
                "b",
                vec![],
            ),
            (
                "a delete waits on the delete of its dependent",
                vec![
                    node("a", Delete, &[], None),
                    node("b", Delete, &["a"], None),
                ],
                "a",
                vec!["b"],
            ),
            (
                "the dependent's delete does not wait",
                vec![
                    node("a", Delete, &[], None),
                    node("b", Delete, &["a"], None),
                ],
                "b",
                vec![],
            ),
            (
                "a delete waits on the update that drops the reference to it",
                vec![
                    node("a", Delete, &[], None),
                    node("b", Update, &[], Some(&["a"])),
                ],
                "a",
                vec!["b"],
            ),
            (
                "a forward change never waits on a delete",
                vec![
                    node("a", Delete, &[], None),
                    node("b", Create, &["a"], None),
                ],
                "b",
                vec![],
            ),
        ];
        for (why, nodes, asked, want) in cases {
            let nodes: BTreeMap<Address, Node> =
                nodes.into_iter().map(|n| (n.address.clone(), n)).collect();
            let got: Vec<String> = waits(&nodes)[&Address::new(asked, None)]
                .iter()
                .map(|a| a.to_string())
                .collect();
            assert_eq!(got, want, "{why}");
        }
    }
}
