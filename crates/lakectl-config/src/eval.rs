//! `${...}` substitution: vars, `env`/`stack`/`region`, `each.*`, and references rewritten into
//! the canonical `${address.attr}` form the engine resolves.

use crate::diagnostic::Diagnostic;
use crate::source::{Entry, Node, Pos, Tree};
use lakectl_core::address::{is_attribute, is_declaration_name};
use lakectl_core::refs::{Piece, Ref, parse_template};
use lakectl_core::schema::closest;
use lakectl_core::{Address, Schema};
use serde_json::Value;
use std::collections::BTreeMap;

/// A declared variable: its value (already overridden by the env file) and where it was set.
#[derive(Debug, Clone)]
pub(crate) struct Var {
    pub value: Value,
    pub pos: Pos,
}

/// What a reference may point at: one resource and its `for_each` keys.
#[derive(Debug, Clone)]
pub(crate) struct Target<'s> {
    /// The kind's schema, when the kind is known.
    pub schema: Option<&'s Schema>,
    /// The instance keys in key order; `None` without `for_each`.
    pub keys: Option<Vec<String>>,
    /// Its `for_each` could not be evaluated (reported already): references to it are not
    /// checked further, so one mistake is not reported again at every use.
    pub failed: bool,
}

/// Everything an expression can see.
#[derive(Clone, Copy)]
pub(crate) struct Scope<'a, 's> {
    pub vars: &'a BTreeMap<String, Var>,
    pub env: &'a str,
    pub stack: &'a str,
    pub region: &'a str,
    /// The env file's `account_id`, which the deploy checks against the caller's account.
    pub account: Option<&'a str>,
    /// `(each.key, each.value)` inside one instance of a `for_each` resource.
    pub each: Option<(&'a str, &'a str)>,
    /// The resources references may name; `Err(why)` where references are not allowed.
    pub targets: Result<&'a BTreeMap<String, Target<'s>>, &'static str>,
    /// The stack folder `${file:PATH}` reads from; `None` inside a file read that way (a
    /// file does not include another).
    pub files: Option<&'a std::path::Path>,
    /// Inside a construct member: the construct use (`tenant`), whose members `NAME.ATTR`
    /// names first, in the same instance.
    pub within: Option<&'a str>,
}

/// A reference found while substituting, with where it was written.
#[derive(Debug, Clone)]
pub(crate) struct FoundRef {
    pub to: Address,
    pub pos: Pos,
}

/// The result of substituting one value.
pub(crate) struct Substituted {
    pub node: Node,
    pub refs: Vec<FoundRef>,
    pub errors: Vec<Diagnostic>,
}

/// Substitutes every `${...}` in every string of `node`.
pub(crate) fn substitute(node: &Node, scope: &Scope) -> Substituted {
    let mut out = Substituted {
        node: node.clone(),
        refs: Vec::new(),
        errors: Vec::new(),
    };
    out.node = walk(node, scope, &mut out.refs, &mut out.errors);
    out
}

fn walk(node: &Node, scope: &Scope, refs: &mut Vec<FoundRef>, errs: &mut Vec<Diagnostic>) -> Node {
    let tree = match &node.tree {
        Tree::Str(s) => single(string(s, &node.pos, scope, false, refs, errs)),
        Tree::List(items) => Tree::List(
            items
                .iter()
                .flat_map(|item| match &item.tree {
                    Tree::Str(s) => string(s, &item.pos, scope, true, refs, errs)
                        .into_iter()
                        .map(|tree| Node {
                            tree,
                            pos: item.pos.clone(),
                        })
                        .collect(),
                    _ => vec![walk(item, scope, refs, errs)],
                })
                .collect(),
        ),
        Tree::Map(entries) => Tree::Map(
            entries
                .iter()
                .map(|e| Entry {
                    key: e.key.clone(),
                    key_pos: e.key_pos.clone(),
                    value: walk(&e.value, scope, refs, errs),
                })
                .collect(),
        ),
        other => other.clone(),
    };
    Node {
        tree,
        pos: node.pos.clone(),
    }
}

fn single(mut trees: Vec<Tree>) -> Tree {
    // Outside a list a string is never expanded, so there is exactly one result.
    trees.pop().unwrap_or(Tree::Null)
}

/// `${` in inserted text is literal: keep it escaped until the engine resolves the string.
pub(crate) fn escape(text: &str) -> String {
    text.replace("${", "$${")
}

/// What one expression stands for.
enum Eval {
    /// A var's value, with its type.
    Value(Value),
    /// Text to insert (escaped).
    Text(String),
    /// `NAME[*].ATTR`: one reference per instance key.
    Splat {
        name: String,
        keys: Vec<String>,
        attr: String,
    },
    /// Reported already.
    Failed,
}

/// Substitutes one string; a string holding a splat, written as a list element, becomes one
/// string per instance (in key order).
fn string(
    s: &str,
    pos: &Pos,
    scope: &Scope,
    in_list: bool,
    refs: &mut Vec<FoundRef>,
    errs: &mut Vec<Diagnostic>,
) -> Vec<Tree> {
    let pieces = match parse_template(s) {
        Ok(p) => p,
        Err(_) => {
            let at = s
                .rfind("${")
                .map_or_else(|| pos.clone(), |i| pos.find(&s[i..]));
            errs.push(
                Diagnostic::at(&at, "`${` is never closed with `}`")
                    .hint("close the expression with `}`, or write `$${` for a literal `${`"),
            );
            return vec![Tree::Str(s.to_string())];
        }
    };
    if let Some(path) = included_file(&pieces) {
        return vec![include(path, pos, scope, refs, errs)];
    }
    let evals: Vec<(Piece, Eval)> = pieces
        .into_iter()
        .map(|p| {
            let e = match &p {
                Piece::Text(t) => Eval::Text(escape(t)),
                Piece::Expr(e, off) => {
                    let raw = raw_expr(s, *off);
                    expr(e, &pos.find(raw), scope, in_list, refs, errs)
                }
            };
            (p, e)
        })
        .collect();
    if evals.iter().any(|(_, e)| matches!(e, Eval::Failed)) {
        return vec![Tree::Str(s.to_string())];
    }
    // A string that is exactly one expression takes the value's own type.
    if let [(Piece::Expr(..), Eval::Value(v))] = evals.as_slice() {
        return vec![tree_of(v, pos)];
    }
    let splats: Vec<usize> = evals
        .iter()
        .enumerate()
        .filter(|(_, (_, e))| matches!(e, Eval::Splat { .. }))
        .map(|(i, _)| i)
        .collect();
    if splats.len() > 1 {
        errs.push(
            Diagnostic::at(pos, "only one `[*]` may be used in one string")
                .hint("write one list element per splat"),
        );
        return vec![Tree::Str(s.to_string())];
    }
    let mut texts = vec![String::new()];
    let mut failed = false;
    for (piece, e) in &evals {
        match e {
            Eval::Text(t) => texts.iter_mut().for_each(|x| x.push_str(t)),
            Eval::Value(v) => match embedded(v) {
                Some(t) => texts.iter_mut().for_each(|x| x.push_str(&t)),
                None => {
                    let Piece::Expr(name, off) = piece else {
                        continue;
                    };
                    errs.push(
                        Diagnostic::at(
                            &pos.find(raw_expr(s, *off)),
                            format!(
                                "`{name}` is {} and cannot be part of a longer string",
                                lakectl_core::schema::json_type(v)
                            ),
                        )
                        .hint(format!(
                            "use it alone as the whole value: `\"${{{name}}}\"`; inside text only strings, numbers and true/false fit"
                        )),
                    );
                    failed = true;
                }
            },
            Eval::Splat { name, keys, attr } => {
                let base = texts.pop().unwrap_or_default();
                texts = keys
                    .iter()
                    .map(|k| {
                        format!(
                            "{base}{}",
                            Ref {
                                address: Address::new(name, Some(k)),
                                attr: attr.clone(),
                            }
                        )
                    })
                    .collect();
            }
            Eval::Failed => failed = true,
        }
    }
    if failed {
        return vec![Tree::Str(s.to_string())];
    }
    texts.into_iter().map(Tree::Str).collect()
}

/// `PATH` when the string is exactly `${file:PATH}`.
fn included_file(pieces: &[Piece]) -> Option<&str> {
    match pieces {
        [Piece::Expr(e, _)] => e.strip_prefix("file:").map(str::trim),
        _ => None,
    }
}

/// `${file:PATH}`: the JSON or YAML file at PATH (relative to the stack folder) as the value,
/// its own `${...}` substituted like the stack's, with problems reported in that file.
fn include(
    path: &str,
    pos: &Pos,
    scope: &Scope,
    refs: &mut Vec<FoundRef>,
    errs: &mut Vec<Diagnostic>,
) -> Tree {
    // Nothing stands in for a file that cannot be used: one message, not a type error more.
    let failed = |errs: &mut Vec<Diagnostic>, d: Diagnostic| {
        errs.push(d);
        Tree::Null
    };
    let Some(dir) = scope.files else {
        return failed(
            errs,
            Diagnostic::at(pos, "a file read with `${file:PATH}` cannot read another")
                .hint("write the other file's content here, or read both from the stack file"),
        );
    };
    if let Err(why) = crate::assets::check_path(path) {
        return failed(errs, Diagnostic::at(pos, why));
    }
    let file = dir.join(path);
    if !file.is_file() {
        return failed(
            errs,
            Diagnostic::at(pos, format!("cannot use `{path}`: there is no such file")).hint(
                "the path is relative to the stack folder, and the file must be JSON or YAML",
            ),
        );
    }
    // A file that does not parse is reported at its own line, by the parser.
    let Some(node) = crate::read_yaml(&file, errs) else {
        return Tree::Null;
    };
    let inner = Scope {
        files: None,
        ..*scope
    };
    walk(&node, &inner, refs, errs).tree
}

/// The `${...}` text as written, from the byte offset of its `$`.
fn raw_expr(s: &str, off: usize) -> &str {
    let rest = s.get(off..).unwrap_or("");
    rest.find('}').map_or(rest, |end| &rest[..=end])
}

fn embedded(v: &Value) -> Option<String> {
    match v {
        Value::String(t) => Some(escape(t)),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn tree_of(v: &Value, pos: &Pos) -> Tree {
    match v {
        Value::Null => Tree::Null,
        Value::Bool(b) => Tree::Bool(*b),
        Value::Number(n) => Tree::Num(n.clone()),
        Value::String(s) => Tree::Str(escape(s)),
        Value::Array(items) => Tree::List(
            items
                .iter()
                .map(|i| Node {
                    tree: tree_of(i, pos),
                    pos: pos.clone(),
                })
                .collect(),
        ),
        Value::Object(m) => Tree::Map(
            m.iter()
                .map(|(k, i)| Entry {
                    key: k.clone(),
                    key_pos: pos.clone(),
                    value: Node {
                        tree: tree_of(i, pos),
                        pos: pos.clone(),
                    },
                })
                .collect(),
        ),
    }
}

const EXPRESSIONS: &str = "expressions are var.NAME, env, stack, region, account, each.key, each.value, RESOURCE.ATTRIBUTE, asset:PATH and file:PATH; write `$${` for a literal `${`";

fn expr(
    e: &str,
    at: &Pos,
    scope: &Scope,
    in_list: bool,
    refs: &mut Vec<FoundRef>,
    errs: &mut Vec<Diagnostic>,
) -> Eval {
    let mut fail = |d: Diagnostic| {
        errs.push(d);
        Eval::Failed
    };
    match e {
        "env" => return Eval::Text(escape(scope.env)),
        "stack" => return Eval::Text(escape(scope.stack)),
        "region" => return Eval::Text(escape(scope.region)),
        "account" => {
            return match scope.account {
                Some(a) => Eval::Text(escape(a)),
                None => fail(
                    Diagnostic::at(at, "`${account}` needs the env file's `account_id`")
                        .hint("add `account_id: \"123456789012\"` (the account this env deploys to) to the env file; a deploy with credentials of another account is then refused"),
                ),
            };
        }
        _ => {}
    }
    if let Some(name) = e.strip_prefix("var.") {
        return match scope.vars.get(name) {
            Some(v) => Eval::Value(v.value.clone()),
            None => {
                let hint = match closest(name, scope.vars.keys().map(String::as_str)) {
                    Some(c) => format!("did you mean `var.{c}`?"),
                    None if scope.vars.is_empty() => {
                        "declare it under `vars:` in a stack file".to_string()
                    }
                    None => format!(
                        "declared vars: {}",
                        scope.vars.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                };
                fail(Diagnostic::at(at, format!("unknown var `{name}`")).hint(hint))
            }
        };
    }
    if let Some(what) = e.strip_prefix("each.") {
        return match (what, scope.each) {
            ("key", Some((k, _))) => Eval::Text(escape(k)),
            ("value", Some((_, v))) => Eval::Text(escape(v)),
            ("key" | "value", None) => fail(
                Diagnostic::at(at, format!("`each.{what}` is used outside a resource with `for_each`"))
                    .hint("`each.key` and `each.value` exist only in the properties of a resource that has `for_each:`"),
            ),
            _ => fail(
                Diagnostic::at(at, format!("unknown expression `${{{e}}}`"))
                    .hint("`each` has `each.key` and `each.value`"),
            ),
        };
    }
    if let Some(path) = e.strip_prefix("asset:") {
        let path = path.trim();
        if let Err(why) = scope.targets {
            return fail(Diagnostic::at(
                at,
                format!("`${{{e}}}` is a file to upload, {why}"),
            ));
        }
        if let Err(why) = crate::assets::check_path(path) {
            return fail(Diagnostic::at(at, why));
        }
        let to = Address::new(crate::assets::ASSET, Some(path));
        refs.push(FoundRef {
            to: to.clone(),
            pos: at.clone(),
        });
        return Eval::Text(format!("${{{to}.uri}}"));
    }
    let Some((written, key, attr)) = parse_reference(e) else {
        return fail(
            Diagnostic::at(at, format!("unknown expression `${{{e}}}`")).hint(EXPRESSIONS),
        );
    };
    let targets = match scope.targets {
        Ok(t) => t,
        Err(why) => {
            return fail(Diagnostic::at(
                at,
                format!("`${{{e}}}` refers to a resource, {why}"),
            ));
        }
    };
    // Inside a construct, a member of the same use is named without the use's prefix and
    // means the same instance: `${bucket.arn}` in `tenant[acme].database` is
    // `tenant[acme].bucket`.
    let sibling = scope
        .within
        .map(|u| format!("{u}.{written}"))
        .filter(|n| targets.contains_key(n));
    let key = match (&sibling, key) {
        (Some(_), None) if scope.each.is_some() => Some("each.key"),
        (_, k) => k,
    };
    let name = sibling.as_deref().unwrap_or(&written);
    let Some(target) = targets.get(name) else {
        let hint = match closest(name, targets.keys().map(String::as_str)) {
            Some(c) => format!("did you mean `{c}`?"),
            None if targets.is_empty() => "this stack declares no resources".to_string(),
            None => format!(
                "resources in this stack: {}",
                targets.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        };
        return fail(
            Diagnostic::at(at, format!("unknown resource `{name}` in `${{{e}}}`")).hint(hint),
        );
    };
    if let Some(schema) = target.schema
        && !schema.has_attribute(attr)
    {
        let mut attrs = vec!["name"];
        attrs.extend(schema.attributes.iter().filter(|a| **a != "name"));
        return fail(
            Diagnostic::at(
                at,
                format!("{} `{name}` has no attribute `{attr}`", schema.kind),
            )
            .hint(format!(
                "attributes of {}: {}",
                schema.kind,
                attrs.join(", ")
            )),
        );
    }
    if target.failed {
        return Eval::Failed;
    }
    let keys = match (&target.keys, key) {
        (None, None) => {
            refs.push(FoundRef {
                to: Address::new(name, None),
                pos: at.clone(),
            });
            return Eval::Text(format!("${{{name}.{attr}}}"));
        }
        (None, Some(k)) => {
            return fail(
                Diagnostic::at(
                    at,
                    format!("`{name}` has no `for_each`, so it has no instance `[{k}]`"),
                )
                .hint(format!("write `${{{name}.{attr}}}`")),
            );
        }
        (Some(_), None) => {
            return fail(
                Diagnostic::at(at, format!("`{name}` has `for_each`: say which instance `${{{e}}}` means"))
                    .hint(format!(
                        "write `{name}[each.key].{attr}`, `{name}[KEY].{attr}`, or `{name}[*].{attr}` as a list element for all of them"
                    )),
            );
        }
        (Some(keys), Some(_)) => keys,
    };
    let key = match k_of(key) {
        "*" => {
            if !in_list {
                return fail(
                    Diagnostic::at(at, format!("`${{{e}}}` (every instance) must be an element of a list"))
                        .hint(format!(
                            "write it as a list element: `[\"${{{name}[*].{attr}}}\"]`, or pick one instance: `{name}[KEY].{attr}`"
                        )),
                );
            }
            for k in keys {
                refs.push(FoundRef {
                    to: Address::new(name, Some(k)),
                    pos: at.clone(),
                });
            }
            return Eval::Splat {
                name: name.to_string(),
                keys: keys.clone(),
                attr: attr.to_string(),
            };
        }
        "each.key" => match scope.each {
            Some((k, _)) => k.to_string(),
            None => {
                return fail(
                    Diagnostic::at(at, "`each.key` is used outside a resource with `for_each`")
                        .hint(format!("pick one instance: `{name}[KEY].{attr}`")),
                );
            }
        },
        literal => literal.to_string(),
    };
    if !keys.contains(&key) {
        return fail(
            Diagnostic::at(at, format!("`{name}` has no instance `{key}`"))
                .hint(format!("its instances: {}", keys.join(", "))),
        );
    }
    let to = Address::new(name, Some(&key));
    refs.push(FoundRef {
        to: to.clone(),
        pos: at.clone(),
    });
    Eval::Text(
        Ref {
            address: to,
            attr: attr.to_string(),
        }
        .to_string(),
    )
}

fn k_of(key: Option<&str>) -> &str {
    key.unwrap_or_default()
}

/// `NAME.ATTR` or `NAME[KEY].ATTR` (and for a construct's members `USE.NAME.ATTR` or
/// `USE[KEY].NAME.ATTR`), with a quoted key unquoted: the declaration name (`tenant.bucket`),
/// the key and the attribute.
fn parse_reference(e: &str) -> Option<(String, Option<&str>, &str)> {
    let (head, attr) = e.rsplit_once('.')?;
    if !is_attribute(attr) {
        return None;
    }
    let (name, key) = match head.split_once('[') {
        Some((n, rest)) => {
            let (k, member) = rest.split_once(']')?;
            let name = match member {
                "" => n.to_string(),
                m => format!("{n}.{}", m.strip_prefix('.')?),
            };
            let k = k.trim();
            let k = k
                .strip_prefix('"')
                .and_then(|k| k.strip_suffix('"'))
                .or_else(|| k.strip_prefix('\'').and_then(|k| k.strip_suffix('\'')))
                .unwrap_or(k);
            if k.is_empty() || k.contains(['[', ']', '$', '{', '}']) {
                return None;
            }
            (name, Some(k))
        }
        None => (head.to_string(), None),
    };
    is_declaration_name(&name).then_some((name, key, attr))
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;
