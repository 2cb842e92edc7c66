//! `moved:` entries: a resource given a new address keeps its physical resource, its record
//! and its data. A name derived from the address stays the one derived from the first address.

use crate::diagnostic::Diagnostic;
use crate::source::{Node, Pos, Tree};
use crate::stack_file::Decls;
use lakectl_core::Address;
use lakectl_core::schema::closest;
use std::collections::{BTreeMap, BTreeSet};

/// One `- from: A  to: B` entry.
#[derive(Debug)]
pub(crate) struct MovedDecl {
    pub from: Address,
    pub from_pos: Pos,
    pub to: Address,
    pub to_pos: Pos,
}

const SHAPE: &str = "each entry is `- from: OLD_ADDRESS` with `to: NEW_ADDRESS` below it, addresses as the plan shows them (`customer_bucket[acme]`, `tenant[acme].bucket`)";

/// Reads one file's `moved:` list into `decls`.
pub(crate) fn read(node: &Node, decls: &mut Decls, errs: &mut Vec<Diagnostic>) {
    let items = match &node.tree {
        Tree::List(items) => items,
        Tree::Null => return,
        _ => {
            errs.push(
                Diagnostic::at(
                    &node.pos,
                    format!("`moved` must be a list, found {}", node.describe()),
                )
                .hint(SHAPE),
            );
            return;
        }
    };
    for item in items {
        let Some(entries) = item.entries() else {
            errs.push(
                Diagnostic::at(
                    &item.pos,
                    format!(
                        "a `moved` entry must be a mapping, found {}",
                        item.describe()
                    ),
                )
                .hint(SHAPE),
            );
            continue;
        };
        let mut from = None;
        let mut to = None;
        let before = errs.len();
        for e in entries {
            let slot = match e.key.as_str() {
                "from" => &mut from,
                "to" => &mut to,
                other => {
                    let hint = closest(other, ["from", "to"].into_iter())
                        .map_or_else(|| SHAPE.to_string(), |c| format!("did you mean `{c}`?"));
                    errs.push(
                        Diagnostic::at(
                            &e.key_pos,
                            format!("unknown key `{other}` in a `moved` entry"),
                        )
                        .hint(hint),
                    );
                    continue;
                }
            };
            match e.value.as_str().and_then(Address::parse) {
                Some(a) => *slot = Some((a, e.value.pos.clone())),
                None => errs.push(
                    Diagnostic::at(
                        &e.value.pos,
                        format!("`{}` must be a resource address", e.key),
                    )
                    .hint(SHAPE),
                ),
            }
        }
        let (Some((from, from_pos)), Some((to, to_pos))) = (from, to) else {
            // A key already reported (misspelt, not an address) is the one cause.
            if errs.len() == before {
                errs.push(
                    Diagnostic::at(&item.pos, "a `moved` entry needs both `from` and `to`")
                        .hint(SHAPE),
                );
            }
            continue;
        };
        if from == to {
            errs.push(
                Diagnostic::at(&to_pos, format!("`{from}` is moved to itself"))
                    .hint("remove the entry"),
            );
            continue;
        }
        if let Some(first) = decls.moved.iter().find(|m| m.from == from) {
            errs.push(
                Diagnostic::at(&from_pos, format!("`{from}` is moved twice"))
                    .also(&first.from_pos, "first moved here")
                    .hint("an address moves to one place: keep one of the entries"),
            );
            continue;
        }
        if let Some(first) = decls.moved.iter().find(|m| m.to == to) {
            errs.push(
                Diagnostic::at(&to_pos, format!("two resources are moved to `{to}`"))
                    .also(&first.to_pos, "first moved here")
                    .hint("one address holds one resource: move the other one elsewhere"),
            );
            continue;
        }
        decls.moved.push(MovedDecl {
            from,
            from_pos,
            to,
            to_pos,
        });
    }
}

/// The earlier addresses of each moved-to address, nearest first (`a → b`, `b → c` gives
/// `c: [b, a]`). A chain that comes back to where it started is reported, once.
pub(crate) fn earlier(
    moves: &[MovedDecl],
    errs: &mut Vec<Diagnostic>,
) -> BTreeMap<Address, Vec<Address>> {
    let back: BTreeMap<&Address, &MovedDecl> = moves.iter().map(|m| (&m.to, m)).collect();
    let mut out = BTreeMap::new();
    let mut reported = false;
    for m in moves {
        let mut chain = vec![m.from.clone()];
        let mut at = &m.from;
        while let Some(prev) = back.get(at) {
            if chain.contains(&prev.from) || prev.from == m.to {
                if !reported {
                    errs.push(
                        Diagnostic::at(&m.to_pos, format!("the `moved` entries through `{}` go round in a circle", m.to))
                            .hint("each resource moves from its old address to its new one: remove the entry that moves it back"),
                    );
                    reported = true;
                }
                break;
            }
            chain.push(prev.from.clone());
            at = &prev.from;
        }
        out.insert(m.to.clone(), chain);
    }
    out
}

/// Checks the entries against the addresses the stack files declare.
pub(crate) fn check(moves: &[MovedDecl], declared: &BTreeSet<Address>, errs: &mut Vec<Diagnostic>) {
    let froms: BTreeSet<&Address> = moves.iter().map(|m| &m.from).collect();
    for m in moves {
        if declared.contains(&m.from) {
            errs.push(
                Diagnostic::at(&m.from_pos, format!("`{}` is moved, but it is still declared", m.from))
                    .hint(format!("a move is from an address the stack files no longer have: rename the resource to `{}`, or remove the entry", m.to)),
            );
        }
        if !declared.contains(&m.to) && !froms.contains(&m.to) {
            let hint = match closest(m.to.as_str(), declared.iter().map(Address::as_str)) {
                Some(c) => format!("did you mean `{c}`?"),
                None => "`to` is the resource's address in the stack files now".to_string(),
            };
            errs.push(
                Diagnostic::at(
                    &m.to_pos,
                    format!("`{}` is not a resource of the stack files", m.to),
                )
                .hint(hint),
            );
        }
    }
}
