//! From declarations to the desired graph: `for_each` fan-out, substitution, schema checks,
//! physical names, `depends_on`, cycles and outputs.

use crate::assets;
use crate::cycles;
use crate::diagnostic::Diagnostic;
use crate::eval::{FoundRef, Scope, Target, substitute};
use crate::names;
use crate::source::{Node, Pos, Tree};
use crate::stack_file::{Decls, ResourceDecl};
use lakectl_core::refs::contains_ref;
use lakectl_core::schema::{Issue, PathSeg, closest};
use lakectl_core::{Address, DesiredResource, DesiredStack, EnvSettings, Schema};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const FOR_EACH_SHAPE: &str = "write a list, `for_each: [acme, globex]`, a mapping of keys to values, or a var that holds one: `for_each: ${var.customers}`";

/// One instance of a resource after substitution.
struct Instance {
    resource: DesiredResource,
    name_pos: Pos,
    refs: Vec<FoundRef>,
}

/// Builds the desired stack, or reports why it cannot be built.
pub(crate) fn build(
    decls: &Decls,
    env: EnvSettings,
    schemas: &[Schema],
    stacks_dir: &std::path::Path,
    errs: &mut Vec<Diagnostic>,
) -> Option<DesiredStack> {
    let stack = decls.stack.as_ref().map_or("", |(s, _)| s.as_str());
    let kinds: Vec<&str> = schemas.iter().map(|s| s.kind).collect();
    let schema_of: BTreeMap<&str, Option<&Schema>> = decls
        .resources
        .iter()
        .map(|r| (r.name.as_str(), kind_schema(r, schemas, &kinds, errs)))
        .collect();

    let mut instance_keys: BTreeMap<&str, Option<Vec<(String, String)>>> = BTreeMap::new();
    let mut targets: BTreeMap<String, Target> = BTreeMap::new();
    for r in &decls.resources {
        let before = errs.len();
        let keys = r
            .for_each
            .as_ref()
            .map(|fe| for_each(fe, &scope(decls, &env, stack, None, Err("but `for_each` is evaluated before anything exists: use vars, lists or mappings"), None), errs));
        let mut sorted: Option<Vec<String>> = keys
            .as_ref()
            .map(|ks| ks.iter().map(|(k, _)| k.clone()).collect());
        if let Some(s) = sorted.as_mut() {
            s.sort();
        }
        targets.insert(
            r.name.clone(),
            Target {
                schema: schema_of.get(r.name.as_str()).copied().flatten(),
                keys: sorted,
                failed: errs.len() > before,
            },
        );
        instance_keys.insert(&r.name, keys);
    }

    let earlier = crate::moves::earlier(&decls.moved, errs);
    let mut instances: Vec<Instance> = Vec::new();
    for r in &decls.resources {
        let schema = schema_of.get(r.name.as_str()).copied().flatten();
        let keys = instance_keys.get(r.name.as_str()).cloned().flatten();
        let each: Vec<Option<(String, String)>> = match keys {
            Some(ks) => ks.into_iter().map(Some).collect(),
            None => vec![None],
        };
        for e in each {
            let sc = Scope {
                within: r.within.as_deref(),
                ..scope(
                    decls,
                    &env,
                    stack,
                    e.as_ref().map(|(k, v)| (k.as_str(), v.as_str())),
                    Ok(&targets),
                    Some(stacks_dir),
                )
            };
            let address = Address::new(&r.name, e.as_ref().map(|(k, _)| k.as_str()));
            let before = earlier.get(&address).cloned().unwrap_or_default();
            if let Some(mut i) = instance(r, address, before.last(), schema, &sc, errs) {
                i.resource.moved_from = before;
                instances.push(i);
            }
        }
    }

    let edges = dependencies(decls, &instances, &targets, errs);
    report_cycles(&edges, errs);
    // What a resource waits for without referencing it: its `depends_on:` entries. References
    // stay in the spec, where the engine reads them.
    for i in &mut instances {
        if let Some(e) = edges.get(&i.resource.address) {
            i.resource.explicit_deps = e
                .keys()
                .filter(|to| !i.refs.iter().any(|r| r.to == **to))
                .cloned()
                .collect();
        }
    }
    instances.extend(assets(decls, &instances, stacks_dir, errs));
    report_duplicate_names(&instances, errs);
    let declared = instances
        .iter()
        .map(|i| i.resource.address.clone())
        .collect();
    crate::moves::check(&decls.moved, &declared, errs);

    let mut outputs = BTreeMap::new();
    for o in &decls.outputs {
        let out = substitute(
            &o.value,
            &scope(decls, &env, stack, None, Ok(&targets), Some(stacks_dir)),
        );
        errs.extend(out.errors);
        outputs.insert(o.name.clone(), out.node.to_json());
    }
    if !errs.is_empty() {
        return None;
    }
    Some(DesiredStack {
        stack: stack.to_string(),
        env,
        resources: instances
            .into_iter()
            .map(|i| (i.resource.address.clone(), i.resource))
            .collect(),
        outputs,
    })
}

/// The `s3.object` resources of the files used as `${asset:PATH}`, in the assets bucket.
fn assets(
    decls: &Decls,
    instances: &[Instance],
    stacks_dir: &std::path::Path,
    errs: &mut Vec<Diagnostic>,
) -> Vec<Instance> {
    if let Some(r) = decls.resources.iter().find(|r| r.name == assets::ASSET) {
        errs.push(
            Diagnostic::at(
                &r.pos,
                "the resource name `asset` is taken by `${asset:PATH}`",
            )
            .hint("rename this resource; `asset[PATH]` are the files the stack uploads"),
        );
        return Vec::new();
    }
    let mut used: BTreeMap<String, Pos> = BTreeMap::new();
    for r in instances.iter().flat_map(|i| &i.refs) {
        if r.to.name() == assets::ASSET
            && let Some(path) = r.to.key()
        {
            used.entry(path.to_string())
                .or_insert_with(|| r.pos.clone());
        }
    }
    let Some(first) = used.values().next() else {
        return Vec::new();
    };
    let Some((bucket, at)) = &decls.assets_bucket else {
        errs.push(
            Diagnostic::at(first, "files are uploaded to the stack's assets bucket, and this stack names none")
                .hint("declare an s3.bucket resource and name it at the top of a stack file: `assets_bucket: assets`"),
        );
        return Vec::new();
    };
    let address = Address::new(bucket, None);
    let Some(b) = instances.iter().find(|i| i.resource.address == address) else {
        errs.push(
            Diagnostic::at(at, format!("`assets_bucket` names `{bucket}`, which is not a resource of this stack without `for_each`"))
                .hint("name one s3.bucket resource declared without `for_each`"),
        );
        return Vec::new();
    };
    if b.resource.kind != assets::BUCKET_KIND {
        errs.push(
            Diagnostic::at(
                at,
                format!("`assets_bucket` names `{bucket}`, a {}", b.resource.kind),
            )
            .hint("name an s3.bucket resource"),
        );
        return Vec::new();
    }
    assets::resources(stacks_dir, &used, &(address, b.resource.name.clone()), errs)
        .into_iter()
        .map(|resource| Instance {
            name_pos: used
                .get(resource.address.key().unwrap_or_default())
                .cloned()
                .unwrap_or_else(|| at.clone()),
            resource,
            refs: Vec::new(),
        })
        .collect()
}

fn scope<'a, 's>(
    decls: &'a Decls,
    env: &'a EnvSettings,
    stack: &'a str,
    each: Option<(&'a str, &'a str)>,
    targets: Result<&'a BTreeMap<String, Target<'s>>, &'static str>,
    files: Option<&'a std::path::Path>,
) -> Scope<'a, 's> {
    Scope {
        vars: &decls.vars,
        env: &env.name,
        stack,
        region: &env.region,
        account: env.account_id.as_deref(),
        each,
        targets,
        files,
        within: None,
    }
}

fn kind_schema<'s>(
    r: &ResourceDecl,
    schemas: &'s [Schema],
    kinds: &[&str],
    errs: &mut Vec<Diagnostic>,
) -> Option<&'s Schema> {
    let (kind, pos) = r.kind.as_ref()?;
    let found = schemas.iter().find(|s| s.kind == kind);
    if found.is_none() {
        let hint = match closest(kind, kinds.iter().copied()) {
            Some(c) => format!("did you mean `{c}`? kinds: {}", kinds.join(", ")),
            None => format!("kinds: {}", kinds.join(", ")),
        };
        errs.push(
            Diagnostic::at(
                pos,
                format!("unknown kind `{kind}` for resource `{}`", r.name),
            )
            .hint(hint),
        );
    }
    found
}

/// The instances of a `for_each`: `(key, value)` in the order written.
fn for_each(node: &Node, scope: &Scope, errs: &mut Vec<Diagnostic>) -> Vec<(String, String)> {
    let out = substitute(node, scope);
    if !out.errors.is_empty() {
        errs.extend(out.errors);
        return Vec::new();
    }
    let scalar = |n: &Node| match &n.tree {
        Tree::Str(s) => Some(s.replace("$${", "${")),
        Tree::Num(x) => Some(x.to_string()),
        Tree::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let mut pairs: Vec<(String, String, Pos)> = Vec::new();
    match &out.node.tree {
        Tree::List(items) => {
            for i in items {
                match scalar(i) {
                    Some(k) => pairs.push((k.clone(), k, i.pos.clone())),
                    None => errs.push(
                        Diagnostic::at(
                            &i.pos,
                            format!(
                                "a `for_each` list holds instance keys (strings), found {}",
                                i.describe()
                            ),
                        )
                        .hint(FOR_EACH_SHAPE),
                    ),
                }
            }
        }
        Tree::Map(entries) => {
            for e in entries {
                match scalar(&e.value) {
                    Some(v) => pairs.push((e.key.clone(), v, e.key_pos.clone())),
                    None => errs.push(
                        Diagnostic::at(
                            &e.value.pos,
                            format!(
                                "a `for_each` mapping holds text values, found {}",
                                e.value.describe()
                            ),
                        )
                        .hint(FOR_EACH_SHAPE),
                    ),
                }
            }
        }
        _ => errs.push(
            Diagnostic::at(
                &node.pos,
                format!(
                    "`for_each` must be a list or a mapping, found {}",
                    out.node.describe()
                ),
            )
            .hint(FOR_EACH_SHAPE),
        ),
    }
    let mut seen: BTreeMap<String, Pos> = BTreeMap::new();
    let mut keys = Vec::new();
    for (k, v, pos) in pairs {
        let valid = !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
        if !valid {
            errs.push(
                Diagnostic::at(&pos, format!("`{k}` cannot be an instance key"))
                    .hint("instance keys use letters, digits, `-`, `_` and `.`: they become part of addresses and names"),
            );
        } else if let Some(first) = seen.get(&k) {
            let mut d = Diagnostic::at(
                &pos,
                format!("instance key `{k}` is listed twice in `for_each`"),
            );
            // Keys from a var all point at the var's use; a second caret there adds nothing.
            if (first.line, first.col) != (pos.line, pos.col) {
                d = d.also(first, "first listed here");
            }
            errs.push(d.hint("each key makes one instance: list each once"));
        } else {
            seen.insert(k.clone(), pos);
            keys.push((k, v));
        }
    }
    keys
}

/// One instance of a declaration; `first_address` is where a `moved:` chain starts, which a
/// derived name keeps.
fn instance(
    r: &ResourceDecl,
    address: Address,
    first_address: Option<&Address>,
    schema: Option<&Schema>,
    scope: &Scope,
    errs: &mut Vec<Diagnostic>,
) -> Option<Instance> {
    let props = r.properties.as_ref()?;
    let out = substitute(props, scope);
    let substitution_failed = !out.errors.is_empty();
    errs.extend(out.errors);
    let schema = schema?;
    let mut spec = out.node.to_json();
    let what = format!("{} `{}`", schema.kind, r.name);
    for issue in schema.validate(&spec) {
        let pos = out.node.locate(&issue.path, issue.at_key, &props.pos);
        let hint = issue.hint.clone().or_else(|| {
            // YAML types unquoted 4711 and true; the fix is quoting, which people rarely guess.
            let unquoted = issue.message.starts_with("expected a string")
                && ["found a number", "found true/false"]
                    .iter()
                    .any(|f| issue.message.ends_with(f));
            unquoted
                .then(|| {
                    pos.token_text()
                        .map(|t| format!("quote it to make it text: `\"{t}\"`"))
                })
                .flatten()
        });
        errs.push(Diagnostic::at(&pos, issue_message(&issue, &what)).maybe_hint(hint));
    }

    let given = out
        .node
        .entries()
        .and_then(|es| es.iter().rev().find(|e| e.key == "name"));
    let (name, name_pos) = match given {
        Some(e) => {
            let Tree::Str(n) = &e.value.tree else {
                return None; // the schema check above reported the type
            };
            if contains_ref(n) {
                if !substitution_failed {
                    errs.push(
                        Diagnostic::at(&e.value.pos, format!("the name of `{address}` refers to another resource"))
                            .hint("names are fixed before anything is created: build them from vars, env, stack, region and each.*"),
                    );
                }
                return None;
            }
            (n.replace("$${", "${"), e.value.pos.clone())
        }
        None => (
            names::derive(
                scope.stack,
                scope.env,
                first_address.unwrap_or(&address),
                schema.name_max_len,
            ),
            r.pos.clone(),
        ),
    };
    if let Err(why) = (schema.name_rule)(&name) {
        let hint = if given.is_some() {
            None
        } else {
            Some("the name is derived from stack, env and address; set `properties.name` to choose one".to_string())
        };
        errs.push(
            Diagnostic::at(
                &name_pos,
                format!(
                    "invalid name `{name}` for {} `{address}`: {why}",
                    schema.kind
                ),
            )
            .maybe_hint(hint),
        );
    }
    if let Some(obj) = spec.as_object_mut() {
        obj.insert("name".into(), Value::String(name.clone()));
    }
    schema.apply_defaults(&mut spec);
    Some(Instance {
        resource: DesiredResource {
            address,
            kind: schema.kind.to_string(),
            name,
            spec,
            location: r.pos.location(),
            explicit_deps: BTreeSet::new(),
            moved_from: Vec::new(),
            removal_policy: r.removal_policy,
        },
        name_pos,
        refs: out.refs,
    })
}

fn issue_message(issue: &Issue, what: &str) -> String {
    let segs = &issue.path.0;
    let parent = lakectl_core::schema::Path(segs[..segs.len().saturating_sub(1)].to_vec());
    if issue.at_key {
        return match parent.0.is_empty() {
            true => format!("{} for {what}", issue.message),
            false => format!("{} in `{parent}` of {what}", issue.message),
        };
    }
    if issue.message.starts_with("missing required") {
        return match segs.is_empty() {
            true => format!("{} for {what}", issue.message),
            false => format!("{} in `{}` of {what}", issue.message, issue.path),
        };
    }
    match segs.last() {
        None => format!("properties of {what}: {}", issue.message),
        Some(PathSeg::Key(_) | PathSeg::Index(_) | PathSeg::Named(_)) => {
            format!("`{}` of {what}: {}", issue.path, issue.message)
        }
    }
}

/// Instance → the instances it needs first, with where each need is written.
fn dependencies(
    decls: &Decls,
    instances: &[Instance],
    targets: &BTreeMap<String, Target>,
    errs: &mut Vec<Diagnostic>,
) -> BTreeMap<Address, BTreeMap<Address, Pos>> {
    let mut edges: BTreeMap<Address, BTreeMap<Address, Pos>> = BTreeMap::new();
    for i in instances {
        let e = edges.entry(i.resource.address.clone()).or_default();
        for r in &i.refs {
            e.entry(r.to.clone()).or_insert_with(|| r.pos.clone());
        }
    }
    for r in &decls.resources {
        for (dep, pos) in &r.depends_on {
            // A construct use: wait for every resource it expanded into.
            let members = crate::constructs::members_of(dep, targets.keys().map(String::as_str));
            let named: Vec<&str> = match targets.contains_key(dep) {
                true => vec![dep.as_str()],
                false => members,
            };
            if named.is_empty() {
                let hint = match closest(dep, targets.keys().map(String::as_str)) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None if targets.is_empty() => "this stack declares no resources".to_string(),
                    None => format!(
                        "resources in this stack: {}",
                        targets.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                };
                errs.push(
                    Diagnostic::at(
                        pos,
                        format!(
                            "`depends_on` of `{}` names unknown resource `{dep}`",
                            r.name
                        ),
                    )
                    .hint(hint),
                );
                continue;
            }
            let to: Vec<Address> = named
                .iter()
                .flat_map(|n| match &targets[*n].keys {
                    Some(ks) => ks.iter().map(|k| Address::new(n, Some(k))).collect(),
                    None => vec![Address::new(n, None)],
                })
                .collect();
            // Inside a construct, another member means the one of the same instance.
            let sibling = r.within.as_ref().is_some_and(|u| {
                dep.strip_prefix(u.as_str())
                    .is_some_and(|m| m.starts_with('.'))
            });
            for (from, e) in edges.iter_mut().filter(|(a, _)| a.name() == r.name) {
                for a in to.iter().filter(|a| !sibling || a.key() == from.key()) {
                    e.entry(a.clone()).or_insert_with(|| pos.clone());
                }
            }
        }
    }
    edges
}

fn report_cycles(edges: &BTreeMap<Address, BTreeMap<Address, Pos>>, errs: &mut Vec<Diagnostic>) {
    let graph: BTreeMap<Address, BTreeSet<Address>> = edges
        .iter()
        .map(|(a, tos)| (a.clone(), tos.keys().cloned().collect()))
        .collect();
    for cycle in cycles::find(&graph) {
        let steps: Vec<(&Address, &Address)> =
            cycle.iter().zip(cycle.iter().cycle().skip(1)).collect();
        let mut names: Vec<String> = cycle.iter().map(|a| format!("`{}`", a.name())).collect();
        names.push(names[0].clone());
        let Some(((first_from, first_to), rest)) = steps.split_first() else {
            continue;
        };
        let at = |from: &Address, to: &Address| edges.get(from).and_then(|e| e.get(to)).cloned();
        let Some(first_pos) = at(first_from, first_to) else {
            continue;
        };
        let mut d = Diagnostic::at(
            &first_pos,
            format!("reference cycle: {}", names.join(" → ")),
        )
        .label(format!(
            "`{}` needs `{}`",
            first_from.name(),
            first_to.name()
        ));
        for (from, to) in rest {
            if let Some(p) = at(from, to) {
                d = d.also(&p, format!("`{}` needs `{}`", from.name(), to.name()));
            }
        }
        errs.push(d.hint("a resource cannot wait for itself: remove one of these references or `depends_on` entries"));
    }
}

fn report_duplicate_names(instances: &[Instance], errs: &mut Vec<Diagnostic>) {
    let mut by_name: BTreeMap<(&str, &str), Vec<&Instance>> = BTreeMap::new();
    for i in instances {
        by_name
            .entry((i.resource.kind.as_str(), i.resource.name.as_str()))
            .or_default()
            .push(i);
    }
    for ((kind, name), group) in by_name.into_iter().filter(|(_, g)| g.len() > 1) {
        let who: Vec<String> = group
            .iter()
            .map(|i| format!("`{}`", i.resource.address))
            .collect();
        let message = format!(
            "{kind} name `{name}` is given to more than one resource: {}",
            who.join(", ")
        );
        let hint = if group.iter().any(|i| i.resource.address.key().is_some()) {
            "physical names must be unique per kind: with for_each, put `${each.key}` in the name"
        } else {
            "physical names must be unique per kind: rename one of them"
        };
        // One error per place the name is written (instances of one for_each share a place).
        let mut places: Vec<&Pos> = Vec::new();
        for i in &group {
            if !places.iter().any(|p| {
                (p.path(), p.line, p.col) == (i.name_pos.path(), i.name_pos.line, i.name_pos.col)
            }) {
                places.push(&i.name_pos);
            }
        }
        for (n, here) in places.iter().enumerate() {
            let mut d = Diagnostic::at(here, message.clone());
            for (m, other) in places.iter().enumerate() {
                if m != n {
                    d = d.also(other, "also named here");
                }
            }
            errs.push(d.hint(hint));
        }
    }
}
