//! Table tests of substitution, references and splat expansion.
use super::*;
use crate::source::Source;
use serde_json::json;
use std::path::PathBuf;

fn node(s: &str, src: &std::rc::Rc<Source>) -> Node {
    Node {
        tree: Tree::Str(s.to_string()),
        pos: crate::source::tests_pos(src),
    }
}

struct World {
    vars: BTreeMap<String, Var>,
    targets: BTreeMap<String, Target<'static>>,
}

fn world(src: &std::rc::Rc<Source>) -> World {
    let var = |v: Value| Var {
        value: v,
        pos: crate::source::tests_pos(src),
    };
    World {
        vars: BTreeMap::from([
            ("prefix".to_string(), var(json!("acme"))),
            ("days".to_string(), var(json!(30))),
            ("list".to_string(), var(json!(["a", "b"]))),
            ("odd".to_string(), var(json!("x${y}"))),
        ]),
        targets: BTreeMap::from([
            (
                "table".to_string(),
                Target {
                    schema: None,
                    keys: None,
                    failed: false,
                },
            ),
            (
                "bucket".to_string(),
                Target {
                    schema: None,
                    keys: Some(vec!["a".into(), "b".into()]),
                    failed: false,
                },
            ),
        ]),
    }
}

fn run(w: &World, each: Option<(&str, &str)>, v: &Node) -> (Value, Vec<String>) {
    let scope = Scope {
        vars: &w.vars,
        env: "dev",
        stack: "lake",
        region: "eu-west-1",
        account: Some("111122223333"),
        each,
        targets: Ok(&w.targets),
        files: None,
        within: None,
    };
    let out = substitute(v, &scope);
    (
        out.node.to_json(),
        out.errors.iter().map(|d| d.message.clone()).collect(),
    )
}

#[test]
fn strings_substitute_in_place() {
    let src = Source::new(PathBuf::from("t.yaml"), "x");
    let w = world(&src);
    let each = Some(("k1", "v1"));
    let cases: [(&str, &str, Value, Vec<&str>); 17] = [
        ("text stays", "plain", json!("plain"), vec![]),
        (
            "var in text",
            "${var.prefix}-${env}",
            json!("acme-dev"),
            vec![],
        ),
        ("whole var keeps its type", "${var.days}", json!(30), vec![]),
        (
            "whole list var stays a list",
            "${var.list}",
            json!(["a", "b"]),
            vec![],
        ),
        ("number in text", "d${var.days}", json!("d30"), vec![]),
        (
            "stack and region",
            "${stack}/${region}",
            json!("lake/eu-west-1"),
            vec![],
        ),
        (
            "the env's account",
            "arn:aws:glue:${region}:${account}:catalog",
            json!("arn:aws:glue:eu-west-1:111122223333:catalog"),
            vec![],
        ),
        ("each", "${each.key}=${each.value}", json!("k1=v1"), vec![]),
        (
            "escape kept",
            "$${aws:username}",
            json!("$${aws:username}"),
            vec![],
        ),
        ("var text is literal", "${var.odd}", json!("x$${y}"), vec![]),
        (
            "plain ref",
            "${table.arn}/x",
            json!("${table.arn}/x"),
            vec![],
        ),
        (
            "indexed by a missing each key",
            "${bucket[each.key].arn}",
            json!("${bucket[each.key].arn}"),
            vec!["`bucket` has no instance `k1`"],
        ),
        (
            "literal index",
            "${bucket[a].arn}",
            json!("${bucket[a].arn}"),
            vec![],
        ),
        (
            "list var in text",
            "x${var.list}",
            json!("x${var.list}"),
            vec!["`var.list` is a list and cannot be part of a longer string"],
        ),
        (
            "unknown var",
            "${var.prefx}",
            json!("${var.prefx}"),
            vec!["unknown var `prefx`"],
        ),
        (
            "unknown expression",
            "${aws:username}",
            json!("${aws:username}"),
            vec!["unknown expression `${aws:username}`"],
        ),
        (
            "unclosed",
            "a${var.prefix",
            json!("a${var.prefix"),
            vec!["`${` is never closed with `}`"],
        ),
    ];
    for (why, input, want, want_errs) in cases {
        let (got, errs) = run(&w, each, &node(input, &src));
        assert_eq!(got, want, "{why}");
        assert_eq!(errs, want_errs, "{why}");
    }
}

#[test]
fn references_must_name_instances_properly() {
    let src = Source::new(PathBuf::from("t.yaml"), "x");
    let w = world(&src);
    let cases = [
        (
            "unindexed for_each",
            "${bucket.arn}",
            "`bucket` has `for_each`: say which instance `${bucket.arn}` means",
        ),
        (
            "index on plain resource",
            "${table[a].arn}",
            "`table` has no `for_each`, so it has no instance `[a]`",
        ),
        (
            "unknown key",
            "${bucket[zz].arn}",
            "`bucket` has no instance `zz`",
        ),
        (
            "dangling",
            "${tabel.arn}",
            "unknown resource `tabel` in `${tabel.arn}`",
        ),
        (
            "each outside for_each",
            "${each.key}",
            "`each.key` is used outside a resource with `for_each`",
        ),
        (
            "splat outside a list",
            "${bucket[*].arn}",
            "`${bucket[*].arn}` (every instance) must be an element of a list",
        ),
    ];
    for (why, input, want) in cases {
        let (_, errs) = run(&w, None, &node(input, &src));
        assert_eq!(errs, vec![want], "{why}");
    }
}

#[test]
fn splats_expand_list_elements_per_instance() {
    let src = Source::new(PathBuf::from("t.yaml"), "x");
    let w = world(&src);
    let list = |items: &[&str]| Node {
        tree: Tree::List(items.iter().map(|s| node(s, &src)).collect()),
        pos: crate::source::tests_pos(&src),
    };
    let cases = [
        (
            "one element per key, text repeated",
            vec!["${bucket[*].arn}/raw/*"],
            json!(["${bucket[a].arn}/raw/*", "${bucket[b].arn}/raw/*"]),
            0,
        ),
        (
            "neighbours kept in place",
            vec!["first", "${bucket[*].name}", "last"],
            json!(["first", "${bucket[a].name}", "${bucket[b].name}", "last"]),
            0,
        ),
        (
            "two splats in one string",
            vec!["${bucket[*].arn}${bucket[*].arn}"],
            json!(["${bucket[*].arn}${bucket[*].arn}"]),
            1,
        ),
    ];
    for (why, items, want, nerr) in cases {
        let (got, errs) = run(&w, None, &list(&items));
        assert_eq!(got, want, "{why}");
        assert_eq!(errs.len(), nerr, "{why}: {errs:?}");
    }
}

#[test]
fn reference_syntax() {
    let cases = [
        ("plain", "t.arn", Some(("t", None, "arn"))),
        ("keyed", "b[acme].arn", Some(("b", Some("acme"), "arn"))),
        (
            "quoted key",
            "b[\"acme\"].arn",
            Some(("b", Some("acme"), "arn")),
        ),
        ("splat", "b[*].arn", Some(("b", Some("*"), "arn"))),
        ("no attribute", "b", None),
        ("colon", "aws:username", None),
        ("empty key", "b[].arn", None),
        (
            "member of one instance",
            "tenant[acme].bucket.arn",
            Some(("tenant.bucket", Some("acme"), "arn")),
        ),
        (
            "member of a single use",
            "tenant.bucket.arn",
            Some(("tenant.bucket", None, "arn")),
        ),
        (
            "every instance's member",
            "tenant[*].bucket.name",
            Some(("tenant.bucket", Some("*"), "name")),
        ),
        ("text after the key", "tenant[acme]bucket.arn", None),
    ];
    for (why, e, want) in cases {
        let want = want.map(|(n, k, a)| (n.to_string(), k, a));
        assert_eq!(parse_reference(e), want, "{why}");
    }
}
