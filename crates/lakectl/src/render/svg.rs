//! The dependency graph drawn as an SVG picture, with no renderer to install: resources in
//! columns by how long a chain of dependencies they wait for (what is created first on the
//! left), rows ordered to keep arrows short, one colour per AWS service.

use super::graph::Node;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

const ROW: f64 = 58.0;
const BOX_H: f64 = 42.0;
const GAP_X: f64 = 70.0;
const MARGIN: f64 = 20.0;
const CHAR_W: f64 = 6.6;

/// Where each node sits: column and row.
fn layout(nodes: &BTreeMap<String, Node>, edges: &BTreeSet<(String, String)>) -> Vec<Vec<String>> {
    let mut deps: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges {
        deps.entry(from.as_str()).or_default().push(to.as_str());
    }
    // Column: the longest chain of dependencies below a node (the graph has no cycles: the
    // loader refuses them; a guard keeps a bad input from recursing forever).
    fn depth<'a>(
        n: &'a str,
        deps: &BTreeMap<&'a str, Vec<&'a str>>,
        memo: &mut BTreeMap<&'a str, usize>,
        guard: usize,
    ) -> usize {
        if let Some(d) = memo.get(n) {
            return *d;
        }
        let d = match deps.get(n) {
            Some(ds) if guard > 0 => ds
                .iter()
                .map(|x| depth(x, deps, memo, guard - 1) + 1)
                .max()
                .unwrap_or(0),
            _ => 0,
        };
        memo.insert(n, d);
        d
    }
    let mut memo = BTreeMap::new();
    let column: BTreeMap<String, usize> = nodes
        .keys()
        .map(|n| (n.clone(), depth(n, &deps, &mut memo, nodes.len())))
        .collect();
    let width = column.values().max().map_or(0, |m| m + 1);
    let mut columns: Vec<Vec<String>> = vec![Vec::new(); width];
    for (n, c) in &column {
        columns[*c].push(n.clone());
    }
    // Barycentre sweeps: each node moves towards the mean row of its neighbours in the column
    // just ordered, left to right and back, which untangles most crossings.
    let neighbours = |n: &str| -> Vec<&str> {
        edges
            .iter()
            .filter_map(|(f, t)| match (f == n, t == n) {
                (true, _) => Some(t.as_str()),
                (_, true) => Some(f.as_str()),
                _ => None,
            })
            .collect()
    };
    for sweep in 0..6 {
        let order: Vec<usize> = match sweep % 2 {
            0 => (1..width).collect(),
            _ => (0..width.saturating_sub(1)).rev().collect(),
        };
        for c in order {
            let row_of: BTreeMap<&str, usize> = columns
                .iter()
                .flat_map(|col| col.iter().enumerate().map(|(r, n)| (n.as_str(), r)))
                .collect();
            let mut keyed: Vec<(f64, usize, String)> = columns[c]
                .iter()
                .enumerate()
                .map(|(r, n)| {
                    let rows: Vec<f64> = neighbours(n)
                        .iter()
                        .filter(|m| column[**m].abs_diff(c) == 1)
                        .map(|m| row_of[m] as f64)
                        .collect();
                    let at = match rows.is_empty() {
                        true => r as f64,
                        false => rows.iter().sum::<f64>() / rows.len() as f64,
                    };
                    (at, r, n.clone())
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            columns[c] = keyed.into_iter().map(|(_, _, n)| n).collect();
        }
    }
    columns
}

/// The service's colours: fill and stroke.
fn colours(kind: &str) -> (&'static str, &'static str) {
    match kind.split('.').next().unwrap_or_default() {
        "s3" => ("#e8f5e9", "#2e7d32"),
        "dynamodb" => ("#e3f2fd", "#1565c0"),
        "iam" => ("#ffebee", "#c62828"),
        "glue" => ("#f3e5f5", "#6a1b9a"),
        "sfn" => ("#fce4ec", "#ad1457"),
        "events" => ("#fff3e0", "#e65100"),
        "logs" | "cloudwatch" => ("#fffde7", "#f9a825"),
        "sns" => ("#e0f7fa", "#00838f"),
        "athena" => ("#ede7f6", "#4527a0"),
        _ => ("#f5f5f5", "#616161"),
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The picture: `title` on top, each edge an arrow from a resource to what it waits for.
pub fn render(
    title: &str,
    nodes: &BTreeMap<String, Node>,
    edges: &BTreeSet<(String, String)>,
) -> String {
    let columns = layout(nodes, edges);
    let box_w = |n: &Node| (n.label.len().max(n.kind.len()) as f64) * CHAR_W + 20.0;
    let col_w: Vec<f64> = columns
        .iter()
        .map(|col| col.iter().map(|n| box_w(&nodes[n])).fold(0.0, f64::max))
        .collect();
    let col_x: Vec<f64> = col_w
        .iter()
        .scan(MARGIN, |x, w| {
            let at = *x;
            *x += w + GAP_X;
            Some(at)
        })
        .collect();
    let rows = columns.iter().map(Vec::len).max().unwrap_or(0) as f64;
    let top = MARGIN + 30.0;
    let mut place: BTreeMap<&str, (f64, f64, f64)> = BTreeMap::new();
    for (c, col) in columns.iter().enumerate() {
        let offset = (rows - col.len() as f64) * ROW / 2.0;
        for (r, n) in col.iter().enumerate() {
            let w = box_w(&nodes[n]);
            let x = col_x[c] + (col_w[c] - w) / 2.0;
            place.insert(n.as_str(), (x, top + offset + r as f64 * ROW, w));
        }
    }
    let width = col_x
        .last()
        .zip(col_w.last())
        .map_or(2.0 * MARGIN, |(x, w)| x + w + MARGIN);
    let height = top + rows * ROW + MARGIN;

    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"Helvetica, Arial, sans-serif\">"
    );
    let _ = writeln!(
        out,
        "  <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#90a4ae\"/></marker></defs>"
    );
    let _ = writeln!(
        out,
        "  <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        out,
        "  <text x=\"{MARGIN}\" y=\"{:.0}\" font-size=\"15\" font-weight=\"bold\" fill=\"#263238\">{}</text>",
        MARGIN + 12.0,
        escape(title)
    );
    for (from, to) in edges {
        let (Some(&(fx, fy, _)), Some(&(tx, ty, tw))) =
            (place.get(from.as_str()), place.get(to.as_str()))
        else {
            continue;
        };
        // From the dependent's left side to the right side of what it waits for.
        let (x1, y1, x2, y2) = (fx, fy + BOX_H / 2.0, tx + tw, ty + BOX_H / 2.0);
        let bend = ((x1 - x2).abs() / 2.0).max(20.0);
        let _ = writeln!(
            out,
            "  <path class=\"edge\" d=\"M {x1:.1} {y1:.1} C {:.1} {y1:.1}, {:.1} {y2:.1}, {x2:.1} {y2:.1}\" fill=\"none\" stroke=\"#b0bec5\" stroke-width=\"1.2\" marker-end=\"url(#arrow)\"/>",
            x1 - bend,
            x2 + bend
        );
    }
    for (id, n) in nodes {
        let (x, y, w) = place[id.as_str()];
        let (fill, stroke) = colours(&n.kind);
        let _ = writeln!(
            out,
            "  <g class=\"node\"><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BOX_H}\" rx=\"6\" fill=\"{fill}\" stroke=\"{stroke}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#263238\">{}</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"middle\" fill=\"{stroke}\">{}</text></g>",
            x + w / 2.0,
            y + 18.0,
            escape(&n.label),
            x + w / 2.0,
            y + 33.0,
            escape(&n.kind)
        );
    }
    let _ = writeln!(out, "</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(label: &str, kind: &str) -> Node {
        Node {
            label: label.into(),
            kind: kind.into(),
        }
    }

    /// The x of a node's box in the picture.
    fn x_of(svg: &str, label: &str) -> f64 {
        let at = svg
            .find(&format!(">{label}</text>"))
            .unwrap_or_else(|| panic!("{label} drawn"));
        let rect = svg[..at].rfind("<rect x=\"").expect("its box") + 9;
        svg[rect..]
            .split('"')
            .next()
            .and_then(|x| x.parse().ok())
            .expect("a number")
    }

    #[test]
    fn what_is_waited_for_is_drawn_left_of_what_waits_and_every_dependency_is_an_arrow() {
        let nodes = BTreeMap::from([
            ("bucket".to_string(), node("bucket", "s3.bucket")),
            ("role".to_string(), node("role", "iam.role")),
            ("job".to_string(), node("job <ingest>", "glue.job")),
        ]);
        let edges = BTreeSet::from([
            ("role".to_string(), "bucket".to_string()),
            ("job".to_string(), "role".to_string()),
            ("job".to_string(), "bucket".to_string()),
        ]);
        let svg = render("lake/dev", &nodes, &edges);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.ends_with("</svg>\n"));
        assert_eq!(svg.matches("class=\"edge\"").count(), 3);
        assert_eq!(svg.matches("class=\"node\"").count(), 3);
        assert!(
            svg.contains(">job &lt;ingest&gt;</text>"),
            "text is escaped"
        );
        let (b, r, j) = (
            x_of(&svg, "bucket"),
            x_of(&svg, "role"),
            x_of(&svg, "job &lt;ingest&gt;"),
        );
        assert!(b < r && r < j, "columns by dependency: {b} {r} {j}");
    }

    #[test]
    fn rows_follow_their_neighbours() {
        // Two chains side by side: each second-column node lines up with its own dependency.
        let nodes = BTreeMap::from([
            ("a".to_string(), node("a", "s3.bucket")),
            ("b".to_string(), node("b", "s3.bucket")),
            ("x_needs_b".to_string(), node("x_needs_b", "iam.role")),
            ("y_needs_a".to_string(), node("y_needs_a", "iam.role")),
        ]);
        let edges = BTreeSet::from([
            ("x_needs_b".to_string(), "b".to_string()),
            ("y_needs_a".to_string(), "a".to_string()),
        ]);
        let columns = layout(&nodes, &edges);
        assert_eq!(columns[0], ["a", "b"]);
        assert_eq!(columns[1], ["y_needs_a", "x_needs_b"]);
    }
}
