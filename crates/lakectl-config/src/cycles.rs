//! Reference cycles between resources, each reported once with every step on it.

use std::collections::{BTreeMap, BTreeSet};

/// Every elementary cycle's node sequence, one per strongly connected component that has a
/// cycle (a self-reference counts), starting at the component's smallest node. One cycle per
/// component is enough to tell the user where to cut.
pub(crate) fn find<N: Ord + Clone>(edges: &BTreeMap<N, BTreeSet<N>>) -> Vec<Vec<N>> {
    let mut cycles = Vec::new();
    for comp in components(edges) {
        let Some(start) = comp.iter().next() else {
            continue;
        };
        let inside = |n: &N| comp.contains(n);
        // Breadth-first from start back to start, staying inside the component: the
        // shortest cycle through it, which is the easiest to read.
        let mut prev: BTreeMap<N, N> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start.clone()]);
        let mut closing = None;
        'search: while let Some(n) = queue.pop_front() {
            for m in edges.get(&n).into_iter().flatten().filter(|m| inside(m)) {
                if m == start {
                    closing = Some(n.clone());
                    break 'search;
                }
                if !prev.contains_key(m) {
                    prev.insert(m.clone(), n.clone());
                    queue.push_back(m.clone());
                }
            }
        }
        let Some(mut n) = closing else { continue };
        let mut path = vec![n.clone()];
        while &n != start {
            let Some(p) = prev.get(&n) else { break };
            n = p.clone();
            path.push(n.clone());
        }
        path.reverse();
        cycles.push(path);
    }
    cycles
}

/// Tarjan's strongly connected components, keeping only those that contain a cycle.
fn components<N: Ord + Clone>(edges: &BTreeMap<N, BTreeSet<N>>) -> Vec<BTreeSet<N>> {
    struct State<N> {
        index: BTreeMap<N, usize>,
        low: BTreeMap<N, usize>,
        stack: Vec<N>,
        on_stack: BTreeSet<N>,
        out: Vec<BTreeSet<N>>,
    }
    fn visit<N: Ord + Clone>(n: &N, edges: &BTreeMap<N, BTreeSet<N>>, s: &mut State<N>) {
        let i = s.index.len();
        s.index.insert(n.clone(), i);
        s.low.insert(n.clone(), i);
        s.stack.push(n.clone());
        s.on_stack.insert(n.clone());
        for m in edges.get(n).into_iter().flatten() {
            if !s.index.contains_key(m) {
                visit(m, edges, s);
                let low = s.low[m].min(s.low[n]);
                s.low.insert(n.clone(), low);
            } else if s.on_stack.contains(m) {
                let low = s.index[m].min(s.low[n]);
                s.low.insert(n.clone(), low);
            }
        }
        if s.low[n] == s.index[n] {
            let mut comp = BTreeSet::new();
            while let Some(m) = s.stack.pop() {
                s.on_stack.remove(&m);
                comp.insert(m.clone());
                if &m == n {
                    break;
                }
            }
            let self_loop = edges.get(n).is_some_and(|e| e.contains(n));
            if comp.len() > 1 || self_loop {
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for n in edges.keys() {
        if !s.index.contains_key(n) {
            visit(n, edges, &mut s);
        }
    }
    s.out.sort();
    s.out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(
        edges: &[(&'static str, &'static str)],
    ) -> BTreeMap<&'static str, BTreeSet<&'static str>> {
        let mut g: BTreeMap<_, BTreeSet<_>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(*a).or_default().insert(*b);
            g.entry(*b).or_default();
        }
        g
    }

    #[test]
    fn finds_one_cycle_per_tangle() {
        type Case = (
            &'static str,
            Vec<(&'static str, &'static str)>,
            Vec<Vec<&'static str>>,
        );
        let cases: [Case; 6] = [
            ("a chain has none", vec![("a", "b"), ("b", "c")], vec![]),
            (
                "a diamond has none",
                vec![("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")],
                vec![],
            ),
            (
                "two nodes",
                vec![("a", "b"), ("b", "a")],
                vec![vec!["a", "b"]],
            ),
            (
                "self reference",
                vec![("a", "a"), ("b", "a")],
                vec![vec!["a"]],
            ),
            (
                "shortest way round",
                vec![("a", "b"), ("b", "c"), ("c", "a"), ("b", "a")],
                vec![vec!["a", "b"]],
            ),
            (
                "two separate cycles",
                vec![
                    ("a", "b"),
                    ("b", "a"),
                    ("x", "y"),
                    ("y", "z"),
                    ("z", "x"),
                    ("a", "x"),
                ],
                vec![vec!["a", "b"], vec!["x", "y", "z"]],
            ),
        ];
        for (why, edges, want) in cases {
            assert_eq!(find(&graph(&edges)), want, "{why}");
        }
    }
}
