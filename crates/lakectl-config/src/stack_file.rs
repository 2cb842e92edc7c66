//! The top level of a stack file: `stack`, `vars`, `resources`, `outputs`.

use crate::diagnostic::Diagnostic;
use crate::eval::Var;
use crate::source::{Node, Pos, Tree};
use crate::vars::var_value;
use lakectl_core::address::is_identifier;
use lakectl_core::schema::closest;
use std::collections::BTreeMap;
use std::path::Path;

/// One resource as written, before `for_each` and substitution.
#[derive(Debug)]
pub(crate) struct ResourceDecl {
    pub name: String,
    /// The resource's key.
    pub pos: Pos,
    pub kind: Option<(String, Pos)>,
    pub for_each: Option<Node>,
    pub depends_on: Vec<(String, Pos)>,
    pub properties: Option<Node>,
    /// For a construct member: the construct use it belongs to (`tenant` for `tenant.bucket`),
    /// whose other members its references may name without the use's prefix.
    pub within: Option<String>,
    /// `removal_policy:`, when the resource sets its own.
    pub removal_policy: Option<lakectl_core::RemovalPolicy>,
}

/// A construct as declared under `constructs:`: resources that a resource of kind
/// `lake.NAME` expands into, once per instance of that use.
#[derive(Debug)]
pub(crate) struct ConstructDecl {
    pub name: String,
    pub pos: Pos,
    pub members: Vec<ResourceDecl>,
}

/// One output as written.
#[derive(Debug)]
pub(crate) struct OutputDecl {
    pub name: String,
    pub pos: Pos,
    pub value: Node,
}

/// Everything the stack files declare, merged across files.
#[derive(Debug, Default)]
pub(crate) struct Decls {
    pub stack: Option<(String, Pos)>,
    pub vars: BTreeMap<String, Var>,
    pub resources: Vec<ResourceDecl>,
    pub outputs: Vec<OutputDecl>,
    /// `assets_bucket:`: the `s3.bucket` resource files used as `${asset:PATH}` go to.
    pub assets_bucket: Option<(String, Pos)>,
    /// `constructs:`, across files.
    pub constructs: Vec<ConstructDecl>,
    /// `moved:` entries, across files.
    pub moved: Vec<crate::moves::MovedDecl>,
}

const TOP_KEYS: [&str; 7] = [
    "stack",
    "moved",
    "vars",
    "resources",
    "outputs",
    "assets_bucket",
    "constructs",
];
const RESOURCE_KEYS: [&str; 5] = [
    "kind",
    "for_each",
    "depends_on",
    "removal_policy",
    "properties",
];

/// Adds one file's declarations to `decls`, reporting every problem in it.
pub(crate) fn read(
    path: &Path,
    root: &Node,
    kinds: &[&str],
    decls: &mut Decls,
    errs: &mut Vec<Diagnostic>,
) {
    let Some(entries) = root.entries() else {
        errs.push(Diagnostic::at(
            &root.pos,
            "a stack file must be a mapping at the top level",
        ));
        return;
    };
    if !entries.iter().any(|e| e.key == "stack") {
        errs.push(
            Diagnostic::file(
                path.to_path_buf(),
                "this stack file does not say which stack it belongs to",
            )
            .hint("add `stack: NAME` at the top; every file in the folder names the same stack"),
        );
    }
    for e in entries {
        match e.key.as_str() {
            "stack" => stack_name(&e.value, decls, errs),
            "assets_bucket" => match (e.value.as_str(), &decls.assets_bucket) {
                (Some(_), Some((_, first))) => errs.push(
                    Diagnostic::at(&e.value.pos, "`assets_bucket` is given twice")
                        .also(first, "first given here")
                        .hint("one stack has one assets bucket: keep one of them"),
                ),
                (Some(name), None) => {
                    decls.assets_bucket = Some((name.to_string(), e.value.pos.clone()));
                }
                (None, _) => errs.push(
                    Diagnostic::at(
                        &e.value.pos,
                        format!(
                            "`assets_bucket` must name a resource, found {}",
                            e.value.describe()
                        ),
                    )
                    .hint(
                        "write the name of the stack's s3.bucket resource: `assets_bucket: assets`",
                    ),
                ),
            },
            "vars" => {
                for (name, key_pos, value) in entries_of(&e.value, "vars", errs) {
                    if !is_identifier(name) {
                        errs.push(bad_identifier(key_pos, "var", name));
                    } else if let Some(first) = decls.vars.get(name) {
                        errs.push(
                            Diagnostic::at(key_pos, format!("var `{name}` is declared twice"))
                                .also(&first.pos, "first declared here")
                                .hint("declare each var once, in one stack file"),
                        );
                    } else {
                        match var_value(name, value) {
                            Ok(v) => {
                                decls.vars.insert(
                                    name.to_string(),
                                    Var {
                                        value: v,
                                        pos: key_pos.clone(),
                                    },
                                );
                            }
                            Err(d) => errs.push(d),
                        }
                    }
                }
            }
            "resources" => {
                for (name, key_pos, value) in entries_of(&e.value, "resources", errs) {
                    if let Some(first) = decls.resources.iter().find(|r| r.name == name) {
                        errs.push(
                            Diagnostic::at(key_pos, format!("resource `{name}` is declared twice"))
                                .also(&first.pos, "first declared here")
                                .hint(
                                    "resource names are unique across all stack files; rename one",
                                ),
                        );
                        continue;
                    }
                    if !is_identifier(name) {
                        errs.push(bad_identifier(key_pos, "resource", name));
                    }
                    if let Some(r) = resource(name, key_pos, value, kinds, errs) {
                        decls.resources.push(r);
                    }
                }
            }
            "constructs" => crate::constructs::read(&e.value, kinds, decls, errs),
            "moved" => crate::moves::read(&e.value, decls, errs),
            "outputs" => {
                for (name, key_pos, value) in entries_of(&e.value, "outputs", errs) {
                    if let Some(first) = decls.outputs.iter().find(|o| o.name == name) {
                        errs.push(
                            Diagnostic::at(key_pos, format!("output `{name}` is declared twice"))
                                .also(&first.pos, "first declared here"),
                        );
                    } else if !is_identifier(name) {
                        errs.push(bad_identifier(key_pos, "output", name));
                    } else {
                        decls.outputs.push(OutputDecl {
                            name: name.to_string(),
                            pos: key_pos.clone(),
                            value: value.clone(),
                        });
                    }
                }
            }
            other => {
                let hint = match (closest(other, TOP_KEYS.into_iter()), other) {
                    (Some(c), _) => format!("did you mean `{c}`?"),
                    (None, "region" | "account_id" | "endpoint" | "removal_policy") => {
                        format!("`{other}` belongs in the env file, stacks/env/<env>.yaml")
                    }
                    (None, _) if !RESOURCE_KEYS.contains(&other) && is_identifier(other) => {
                        "a stack file has `stack`, `vars`, `resources` and `outputs`; a resource goes under `resources:`".to_string()
                    }
                    _ => "a stack file has `stack`, `vars`, `resources` and `outputs`".to_string(),
                };
                errs.push(
                    Diagnostic::at(&e.key_pos, format!("unknown top-level key `{other}`"))
                        .hint(hint),
                );
            }
        }
    }
}

fn stack_name(value: &Node, decls: &mut Decls, errs: &mut Vec<Diagnostic>) {
    let Some(name) = value.as_str() else {
        errs.push(Diagnostic::at(
            &value.pos,
            format!("`stack` must be a name, found {}", value.describe()),
        ));
        return;
    };
    let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        errs.push(
            Diagnostic::at(&value.pos, format!("stack name `{name}` is not valid"))
                .hint("use lower-case letters, digits and `-`, starting with a letter: it becomes part of AWS names"),
        );
        return;
    }
    match &decls.stack {
        Some((first, first_pos)) if first != name => errs.push(
            Diagnostic::at(&value.pos, format!("this file belongs to stack `{name}`, but another file names stack `{first}`"))
                .also(first_pos, format!("stack `{first}` named here"))
                .hint("all stack files in one folder describe one stack: use the same `stack:` name in each"),
        ),
        Some(_) => {}
        None => decls.stack = Some((name.to_string(), value.pos.clone())),
    }
}

pub(crate) fn entries_of<'n>(
    node: &'n Node,
    what: &str,
    errs: &mut Vec<Diagnostic>,
) -> Vec<(&'n str, &'n Pos, &'n Node)> {
    match &node.tree {
        Tree::Map(entries) => entries
            .iter()
            .map(|e| (e.key.as_str(), &e.key_pos, &e.value))
            .collect(),
        Tree::Null => Vec::new(),
        _ => {
            errs.push(Diagnostic::at(
                &node.pos,
                format!(
                    "`{what}` must be a mapping of names to definitions, found {}",
                    node.describe()
                ),
            ));
            Vec::new()
        }
    }
}

/// A name that must be `[a-z_][a-z0-9_]*`, with the nearest valid spelling as the hint.
pub(crate) fn bad_identifier(pos: &Pos, what: &str, name: &str) -> Diagnostic {
    let fixed: String = name
        .chars()
        .map(|c| match c.to_ascii_lowercase() {
            c if c.is_ascii_lowercase() || c.is_ascii_digit() => c,
            _ => '_',
        })
        .collect();
    let fixed = if fixed.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{fixed}")
    } else {
        fixed
    };
    Diagnostic::at(pos, format!("{what} name `{name}` is not valid")).hint(format!(
        "use lower-case letters, digits and `_`, not starting with a digit, e.g. `{fixed}`"
    ))
}

pub(crate) fn resource(
    name: &str,
    pos: &Pos,
    value: &Node,
    kinds: &[&str],
    errs: &mut Vec<Diagnostic>,
) -> Option<ResourceDecl> {
    let Some(entries) = value.entries() else {
        errs.push(
            Diagnostic::at(
                pos,
                format!("resource `{name}` must be a mapping with `kind:` and `properties:`"),
            )
            .hint("write `kind:` and `properties:` indented below the resource name"),
        );
        return None;
    };
    let mut r = ResourceDecl {
        name: name.to_string(),
        pos: pos.clone(),
        kind: None,
        for_each: None,
        depends_on: Vec::new(),
        properties: None,
        within: None,
        removal_policy: None,
    };
    for e in entries {
        match e.key.as_str() {
            "kind" => match e.value.as_str() {
                Some(k) => r.kind = Some((k.to_string(), e.value.pos.clone())),
                None => errs.push(
                    Diagnostic::at(&e.value.pos, format!("`kind` must be a kind name, found {}", e.value.describe()))
                        .hint(format!("kinds: {}", kinds.join(", "))),
                ),
            },
            "for_each" => r.for_each = Some(e.value.clone()),
            "removal_policy" => {
                r.removal_policy = crate::env_file::removal_policy(&e.value, errs);
            }
            "depends_on" => match &e.value.tree {
                Tree::Str(s) => r.depends_on.push((s.clone(), e.value.pos.clone())),
                Tree::List(items) => {
                    for i in items {
                        match i.as_str() {
                            Some(s) => r.depends_on.push((s.to_string(), i.pos.clone())),
                            None => errs.push(Diagnostic::at(
                                &i.pos,
                                format!("`depends_on` lists resource names, found {}", i.describe()),
                            )),
                        }
                    }
                }
                _ => errs.push(Diagnostic::at(
                    &e.value.pos,
                    format!("`depends_on` must be a list of resource names, found {}", e.value.describe()),
                )),
            },
            "properties" => match &e.value.tree {
                Tree::Map(_) => r.properties = Some(e.value.clone()),
                _ => errs.push(
                    Diagnostic::at(&e.value.pos, format!("`properties` must be a mapping, found {}", e.value.describe()))
                        .hint("write the properties indented below `properties:`, or `properties: {}` when the defaults fit"),
                ),
            },
            other => {
                let hint = match closest(other, RESOURCE_KEYS.into_iter()) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!(
                        "a resource has `kind`, `for_each`, `depends_on`, `removal_policy` and `properties`; if `{other}` is a property, move it under `properties:`"
                    ),
                };
                errs.push(
                    Diagnostic::at(&e.key_pos, format!("unknown key `{other}` in resource `{name}`")).hint(hint),
                );
            }
        }
    }
    let has = |k: &str| entries.iter().any(|e| e.key == k);
    if !has("kind") {
        errs.push(
            Diagnostic::at(pos, format!("resource `{name}` has no `kind`"))
                .hint(format!("add `kind:` with one of: {}", kinds.join(", "))),
        );
    }
    // A construct use takes its settings from vars and `${each.*}`: it has no properties.
    let construct_use = r
        .kind
        .as_ref()
        .is_some_and(|(k, _)| k.starts_with(crate::constructs::KIND_PREFIX));
    if !has("properties") && !construct_use {
        errs.push(
            Diagnostic::at(pos, format!("resource `{name}` has no `properties`")).hint(
                "add `properties:` with its settings, or `properties: {}` when the defaults fit",
            ),
        );
    }
    Some(r)
}
