//! The dependency graph of a desired stack as Mermaid or DOT text, or an SVG picture
//! (`svg.rs`): one node per resource,
//! an arrow from each resource to what it waits for. Collapsed, the instances of a `for_each`
//! resource (a tenant's buckets, the uploaded assets) are one node.

use lakectl_core::{Address, DesiredStack};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Mermaid `flowchart`, which GitHub renders in Markdown.
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// An SVG picture, laid out by lakectl itself.
    Svg,
}

/// One node: a resource, or every instance of a `for_each` resource when collapsed.
pub(crate) struct Node {
    pub label: String,
    pub kind: String,
}

/// The graph's nodes by id and its edges (from, to), in a stable order.
fn nodes_and_edges(
    desired: &DesiredStack,
    collapse: bool,
) -> (BTreeMap<String, Node>, BTreeSet<(String, String)>) {
    let id = |a: &Address| match (collapse, a.key()) {
        (true, Some(_)) => Address::new(&a.name(), Some("*")).to_string(),
        _ => a.to_string(),
    };
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for a in desired.resources.keys() {
        *counts.entry(id(a)).or_default() += 1;
    }
    let mut nodes = BTreeMap::new();
    let mut edges = BTreeSet::new();
    for (a, r) in &desired.resources {
        let n = id(a);
        let label = match counts.get(&n).copied().unwrap_or(1) {
            c if collapse && a.key().is_some() => format!("{n} ×{c}"),
            _ => n.clone(),
        };
        for dep in r.depends_on() {
            let to = id(&dep);
            if to != n {
                edges.insert((n.clone(), to));
            }
        }
        nodes.insert(
            n,
            Node {
                label,
                kind: r.kind.clone(),
            },
        );
    }
    (nodes, edges)
}

/// The graph as text in `format`.
pub fn render(desired: &DesiredStack, format: Format, collapse: bool) -> String {
    let (nodes, edges) = nodes_and_edges(desired, collapse);
    let index: BTreeMap<&str, usize> = nodes
        .keys()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let mut out = String::new();
    match format {
        Format::Svg => {
            let title = format!("{} / {}", desired.stack, desired.env.name);
            out = super::svg::render(&title, &nodes, &edges);
        }
        Format::Mermaid => {
            let _ = writeln!(out, "flowchart LR");
            for (k, n) in &nodes {
                let _ = writeln!(
                    out,
                    "  n{}[\"{}<br/><small>{}</small>\"]",
                    index[k.as_str()],
                    n.label.replace('"', "#quot;"),
                    n.kind
                );
            }
            for (from, to) in &edges {
                let _ = writeln!(
                    out,
                    "  n{} --> n{}",
                    index[from.as_str()],
                    index[to.as_str()]
                );
            }
        }
        Format::Dot => {
            let _ = writeln!(out, "digraph \"{}/{}\" {{", desired.stack, desired.env.name);
            let _ = writeln!(out, "  rankdir=LR;\n  node [shape=box];");
            for (k, n) in &nodes {
                let _ = writeln!(
                    out,
                    "  n{} [label=\"{}\\n{}\"];",
                    index[k.as_str()],
                    n.label.replace('"', "\\\""),
                    n.kind
                );
            }
            for (from, to) in &edges {
                let _ = writeln!(
                    out,
                    "  n{} -> n{};",
                    index[from.as_str()],
                    index[to.as_str()]
                );
            }
            let _ = writeln!(out, "}}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_core::{DesiredResource, EnvSettings, RemovalPolicy};
    use serde_json::json;

    fn stack() -> DesiredStack {
        let res = |a: &str, kind: &str, spec: serde_json::Value| {
            let address = Address::parse(a).expect("address");
            (
                address.clone(),
                DesiredResource {
                    address,
                    kind: kind.into(),
                    name: a.into(),
                    spec,
                    location: "stacks/lake.yaml:1:1".into(),
                    explicit_deps: BTreeSet::new(),
                    moved_from: Vec::new(),
                    removal_policy: None,
                },
            )
        };
        DesiredStack {
            stack: "lake".into(),
            env: EnvSettings {
                name: "dev".into(),
                region: "us-east-1".into(),
                account_id: None,
                endpoint: None,
                removal_policy: RemovalPolicy::Destroy,
                emulator: false,
            },
            resources: BTreeMap::from([
                res("bucket[acme]", "s3.bucket", json!({})),
                res("bucket[globex]", "s3.bucket", json!({})),
                res(
                    "role",
                    "iam.role",
                    json!({"p": ["${bucket[acme].arn}", "${bucket[globex].arn}"]}),
                ),
            ]),
            outputs: BTreeMap::new(),
        }
    }

    #[test]
    fn every_resource_is_a_node_and_every_dependency_an_arrow() {
        let mermaid = render(&stack(), Format::Mermaid, false);
        assert_eq!(
            mermaid,
            "flowchart LR\n  n0[\"bucket[acme]<br/><small>s3.bucket</small>\"]\n  \
             n1[\"bucket[globex]<br/><small>s3.bucket</small>\"]\n  \
             n2[\"role<br/><small>iam.role</small>\"]\n  n2 --> n0\n  n2 --> n1\n"
        );
        let collapsed = render(&stack(), Format::Dot, true);
        assert!(
            collapsed.contains("n0 [label=\"bucket[*] ×2\\ns3.bucket\"];"),
            "{collapsed}"
        );
        assert!(collapsed.contains("n1 -> n0;"), "{collapsed}");
        assert_eq!(collapsed.matches("->").count(), 1, "{collapsed}");
    }
}
