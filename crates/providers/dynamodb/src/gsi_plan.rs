//! Which UpdateTable calls turn the live indexes into the desired ones.
//!
//! DynamoDB takes one index creation or deletion per UpdateTable call and cannot change an
//! index's keys or projection in place, so a changed index is deleted, then created again.

use crate::table::Gsi;

/// One UpdateTable call on the table's indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GsiStep {
    /// Delete the index with this name.
    Delete(String),
    /// Create this index.
    Create(Gsi),
}

/// The steps, in order: every deletion first (freeing the names of changed indexes and
/// staying under the index quota), then every creation; each group by name.
pub fn plan_gsi_steps(live: &[Gsi], desired: &[Gsi]) -> Vec<GsiStep> {
    let mut deletes: Vec<&Gsi> = live.iter().filter(|l| !desired.contains(l)).collect();
    deletes.sort_by(|a, b| a.name.cmp(&b.name));
    let mut creates: Vec<&Gsi> = desired.iter().filter(|d| !live.contains(d)).collect();
    creates.sort_by(|a, b| a.name.cmp(&b.name));
    deletes
        .into_iter()
        .map(|g| GsiStep::Delete(g.name.clone()))
        .chain(creates.into_iter().map(|g| GsiStep::Create(g.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::Key;

    fn gsi(name: &str, pk: &str) -> Gsi {
        Gsi {
            name: name.into(),
            partition_key: Key {
                name: pk.into(),
                ty: "S".into(),
            },
            sort_key: None,
            projection: "ALL".into(),
            non_key_attributes: vec![],
        }
    }

    fn keys_only(mut g: Gsi) -> Gsi {
        g.projection = "KEYS_ONLY".into();
        g
    }

    fn show(steps: &[GsiStep]) -> Vec<String> {
        steps
            .iter()
            .map(|s| match s {
                GsiStep::Delete(n) => format!("-{n}"),
                GsiStep::Create(g) => format!("+{}", g.name),
            })
            .collect()
    }

    #[test]
    fn plans_one_call_per_index_change_deletes_first() {
        let cases = [
            (
                "nothing to do",
                vec![gsi("a", "x")],
                vec![gsi("a", "x")],
                vec![],
            ),
            ("add one", vec![], vec![gsi("a", "x")], vec!["+a"]),
            ("remove one", vec![gsi("a", "x")], vec![], vec!["-a"]),
            (
                "changed key: delete, then create under the same name",
                vec![gsi("a", "x")],
                vec![gsi("a", "y")],
                vec!["-a", "+a"],
            ),
            (
                "changed projection is a change too",
                vec![gsi("a", "x")],
                vec![keys_only(gsi("a", "x"))],
                vec!["-a", "+a"],
            ),
            (
                "several: all deletions before any creation, each by name",
                vec![gsi("c", "x"), gsi("a", "x"), gsi("keep", "k")],
                vec![gsi("keep", "k"), gsi("d", "x"), gsi("b", "x")],
                vec!["-a", "-c", "+b", "+d"],
            ),
            (
                "rename: delete old, create new",
                vec![gsi("old", "x")],
                vec![gsi("new", "x")],
                vec!["-old", "+new"],
            ),
        ];
        for (why, live, desired, want) in cases {
            assert_eq!(show(&plan_gsi_steps(&live, &desired)), want, "{why}");
        }
    }
}
