//! Constructs: a group of resources declared once under `constructs:` and used as a resource
//! of kind `lake.NAME`, which expands into one copy of the group per instance of the use.
//!
//! ```yaml
//! constructs:
//!   tenant:
//!     resources:
//!       bucket: { kind: s3.bucket, properties: { name: "lake-${each.key}" } }
//! resources:
//!   tenant: { kind: lake.tenant, for_each: ${var.customers} }
//! ```
//!
//! gives `tenant[acme].bucket`, `tenant[globex].bucket`, ... Expansion happens on the
//! declarations, before anything is evaluated: a member becomes a resource declaration named
//! `tenant.bucket` with the use's `for_each`, so `each.*`, references, schema checks and
//! names work for members exactly as for any resource. Inside a construct, `${bucket.arn}`
//! names the member of the same instance.

use crate::diagnostic::Diagnostic;
use crate::source::Node;
use crate::stack_file::{ConstructDecl, Decls, ResourceDecl, bad_identifier, entries_of, resource};
use lakectl_core::address::is_identifier;
use lakectl_core::schema::closest;

/// The kinds of construct uses: `lake.NAME` for the construct `NAME`.
pub(crate) const KIND_PREFIX: &str = "lake.";

const CONSTRUCT_KEYS: [&str; 2] = ["description", "resources"];

/// Reads one file's `constructs:` into `decls`.
pub(crate) fn read(node: &Node, kinds: &[&str], decls: &mut Decls, errs: &mut Vec<Diagnostic>) {
    for (name, pos, value) in entries_of(node, "constructs", errs) {
        if !is_identifier(name) {
            errs.push(bad_identifier(pos, "construct", name));
            continue;
        }
        if let Some(first) = decls.constructs.iter().find(|c| c.name == name) {
            errs.push(
                Diagnostic::at(pos, format!("construct `{name}` is declared twice"))
                    .also(&first.pos, "first declared here")
                    .hint("construct names are unique across all stack files; rename one"),
            );
            continue;
        }
        let Some(entries) = value.entries() else {
            errs.push(
                Diagnostic::at(pos, format!("construct `{name}` must be a mapping with `resources:`"))
                    .hint("write `resources:` indented below the construct name, with its resources below that"),
            );
            continue;
        };
        let mut members: Vec<ResourceDecl> = Vec::new();
        for e in entries {
            match e.key.as_str() {
                "description" => {}
                "resources" => {
                    for (m, m_pos, m_value) in entries_of(&e.value, "resources", errs) {
                        if let Some(r) = member(name, m, m_pos, m_value, kinds, &members, errs) {
                            members.push(r);
                        }
                    }
                }
                other => {
                    let hint = match closest(other, CONSTRUCT_KEYS.into_iter()) {
                        Some(c) => format!("did you mean `{c}`?"),
                        None => "a construct has `description` and `resources`".to_string(),
                    };
                    errs.push(
                        Diagnostic::at(
                            &e.key_pos,
                            format!("unknown key `{other}` in construct `{name}`"),
                        )
                        .hint(hint),
                    );
                }
            }
        }
        if members.is_empty() && !entries.iter().any(|e| e.key == "resources") {
            errs.push(
                Diagnostic::at(pos, format!("construct `{name}` has no `resources`")).hint(
                    "list the resources one use of the construct stands for under `resources:`",
                ),
            );
        }
        decls.constructs.push(ConstructDecl {
            name: name.to_string(),
            pos: pos.clone(),
            members,
        });
    }
}

fn member(
    construct: &str,
    name: &str,
    pos: &crate::source::Pos,
    value: &Node,
    kinds: &[&str],
    earlier: &[ResourceDecl],
    errs: &mut Vec<Diagnostic>,
) -> Option<ResourceDecl> {
    if !is_identifier(name) {
        errs.push(bad_identifier(pos, "resource", name));
        return None;
    }
    if let Some(first) = earlier.iter().find(|r| r.name == name) {
        errs.push(
            Diagnostic::at(
                pos,
                format!("resource `{name}` is declared twice in construct `{construct}`"),
            )
            .also(&first.pos, "first declared here"),
        );
        return None;
    }
    let r = resource(name, pos, value, kinds, errs)?;
    if let Some(fe) = &r.for_each {
        errs.push(
            Diagnostic::at(&fe.pos, format!("`{name}` of construct `{construct}` has `for_each`"))
                .hint("a construct's resources have one instance per instance of its use: give the use `for_each`, or declare this resource outside the construct"),
        );
        return None;
    }
    if let Some((k, k_pos)) = &r.kind
        && k.starts_with(KIND_PREFIX)
    {
        errs.push(
            Diagnostic::at(
                k_pos,
                format!("construct `{construct}` uses construct `{k}`"),
            )
            .hint("constructs do not nest: declare its resources in this construct"),
        );
        return None;
    }
    Some(r)
}

/// Replaces every use of a construct in `decls.resources` by the construct's members, named
/// `USE.MEMBER` and fanned out by the use's `for_each`.
pub(crate) fn expand(decls: &mut Decls, errs: &mut Vec<Diagnostic>) {
    let (uses, mut kept): (Vec<ResourceDecl>, Vec<ResourceDecl>) =
        std::mem::take(&mut decls.resources)
            .into_iter()
            .partition(is_use);
    let mut expanded: Vec<ResourceDecl> = Vec::new();
    for u in &uses {
        let Some((kind, kind_pos)) = &u.kind else {
            continue;
        };
        let wanted = &kind[KIND_PREFIX.len()..];
        let Some(c) = decls.constructs.iter().find(|c| c.name == wanted) else {
            let names: Vec<&str> = decls.constructs.iter().map(|c| c.name.as_str()).collect();
            let hint = match closest(wanted, names.iter().copied()) {
                Some(n) => format!("did you mean `{KIND_PREFIX}{n}`?"),
                None if names.is_empty() => "`lake.NAME` uses a construct declared under `constructs:` in a stack file; this stack declares none".to_string(),
                None => format!("constructs of this stack: {}", names.join(", ")),
            };
            errs.push(
                Diagnostic::at(
                    kind_pos,
                    format!("unknown construct `{wanted}` for resource `{}`", u.name),
                )
                .hint(hint),
            );
            continue;
        };
        if let Some(p) = &u.properties {
            errs.push(
                Diagnostic::at(&p.pos, format!("`{}` uses construct `{}`, which takes no properties", u.name, c.name))
                    .hint("its resources read vars and `${each.key}` / `${each.value}` of the use's `for_each`; remove `properties:`"),
            );
        }
        for m in &c.members {
            if let Some(clash) = kept.iter().find(|r| r.name == m.name) {
                errs.push(
                    Diagnostic::at(&m.pos, format!("`{}` of construct `{}` has the name of resource `{}`", m.name, c.name, clash.name))
                        .also(&clash.pos, "declared here")
                        .hint("inside a construct `${NAME.ATTR}` names the construct's own resource first: rename one of them"),
                );
                continue;
            }
            let mut depends_on: Vec<_> = m
                .depends_on
                .iter()
                .map(
                    |(dep, pos)| match c.members.iter().any(|o| o.name == *dep) {
                        true => (format!("{}.{dep}", u.name), pos.clone()),
                        false => (dep.clone(), pos.clone()),
                    },
                )
                .collect();
            depends_on.extend(u.depends_on.iter().cloned());
            expanded.push(ResourceDecl {
                name: format!("{}.{}", u.name, m.name),
                pos: m.pos.clone(),
                kind: m.kind.clone(),
                for_each: u.for_each.clone(),
                depends_on,
                properties: m.properties.clone(),
                within: Some(u.name.clone()),
                // A member's own policy; otherwise the use's (`removal_policy` on `tenant`).
                removal_policy: m.removal_policy.or(u.removal_policy),
            });
        }
    }
    kept.extend(expanded);
    decls.resources = kept;
}

fn is_use(r: &ResourceDecl) -> bool {
    r.kind
        .as_ref()
        .is_some_and(|(k, _)| k.starts_with(KIND_PREFIX))
}

/// The declarations a construct use `name` expanded into (`depends_on: [tenant]` waits for
/// all of them).
pub(crate) fn members_of<'a>(name: &str, all: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    all.filter(|n| n.split_once('.').is_some_and(|(g, _)| g == name))
        .collect()
}
