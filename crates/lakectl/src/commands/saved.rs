//! Saved plans: `plan --out FILE` writes the plan with what it was made from (as hashes);
//! `deploy FILE` plans again and applies only when that gives the same plan.

use lakectl_core::{Address, Plan};
use lakectl_engine::{Fingerprint, PlannedChanges};
use miette::{Result, miette};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The version of the saved-plan file format.
const VERSION: u32 = 1;

/// A saved plan file. It holds no secret: sensitive values are redacted in the plan and only
/// hashed in the fingerprints.
#[derive(Debug, Serialize, Deserialize)]
pub struct SavedPlan {
    /// The format version.
    pub lakectl_saved_plan: u32,
    /// The stack.
    pub stack: String,
    /// The env.
    pub env: String,
    /// The account it was planned against.
    pub account: String,
    /// The region.
    pub region: String,
    /// A destroy plan (applied by `lakectl destroy FILE`).
    pub destroy: bool,
    /// The `--var`s it was planned with.
    pub vars: Vec<(String, String)>,
    /// The `--target`s it was planned with.
    pub targets: Vec<String>,
    /// What each resource was planned from.
    pub fingerprints: BTreeMap<Address, Fingerprint>,
    /// The plan itself, as `plan --json` prints it.
    pub plan: Plan,
}

impl SavedPlan {
    /// The saved form of `planned`.
    pub fn new(
        planned: &PlannedChanges,
        account: &str,
        region: &str,
        vars: &[(String, String)],
        targets: &[String],
    ) -> SavedPlan {
        SavedPlan {
            lakectl_saved_plan: VERSION,
            stack: planned.plan.stack.clone(),
            env: planned.plan.env.clone(),
            account: account.to_string(),
            region: region.to_string(),
            destroy: planned.is_destroy(),
            vars: vars.to_vec(),
            targets: targets.to_vec(),
            fingerprints: planned.fingerprints(),
            plan: planned.plan.clone(),
        }
    }

    /// Writes it to `path`.
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self)
            .map_err(|e| miette!("cannot write the plan as JSON: {e}"))?;
        std::fs::write(path, text + "\n")
            .map_err(|e| miette!("cannot write the plan to {}: {e}", path.display()))
    }

    /// Reads a saved plan from `path`.
    pub fn read(path: &Path) -> Result<SavedPlan> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            miette!(
                help = "make one with `lakectl plan --env ENV --out FILE`",
                "cannot read the plan file {}: {e}",
                path.display()
            )
        })?;
        let saved: SavedPlan = serde_json::from_str(&text).map_err(|e| {
            miette!(
                help = "a plan file is written by `lakectl plan --out FILE`; make it again",
                "{} is not a lakectl plan file: {e}",
                path.display()
            )
        })?;
        if saved.lakectl_saved_plan != VERSION {
            return Err(miette!(
                help = "make the plan again with this lakectl",
                "{} was saved in plan format {}; this lakectl reads format {VERSION}",
                path.display(),
                saved.lakectl_saved_plan
            ));
        }
        Ok(saved)
    }
}

/// How the plan made now differs from the saved one, one line per resource; empty when they
/// are the same.
pub fn differences(
    saved: &BTreeMap<Address, Fingerprint>,
    now: &BTreeMap<Address, Fingerprint>,
) -> Vec<String> {
    let addresses: BTreeSet<&Address> = saved.keys().chain(now.keys()).collect();
    addresses
        .into_iter()
        .filter_map(|a| {
            let why = match (saved.get(a), now.get(a)) {
                (Some(_), None) => "is no longer in the plan",
                (None, Some(_)) => "is new in the plan",
                (Some(s), Some(n)) if s.desired != n.desired => {
                    "changed in the stack files since the plan was made"
                }
                (Some(s), Some(n)) if s.live != n.live => "changed in AWS since the plan was made",
                (Some(s), Some(n)) if s.change != n.change => {
                    "would now be changed differently (what it refers to changed)"
                }
                _ => return None,
            };
            Some(format!("{a} {why}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(desired: &str, live: &str, change: &str) -> Fingerprint {
        Fingerprint {
            desired: desired.into(),
            live: live.into(),
            change: change.into(),
        }
    }

    fn a(s: &str) -> Address {
        Address::parse(s).expect("address")
    }

    #[test]
    fn each_difference_is_named_with_its_cause() {
        let saved = BTreeMap::from([
            (a("same"), fp("d", "l", "c")),
            (a("edited"), fp("d", "l", "c")),
            (a("drifted"), fp("d", "l", "c")),
            (a("follows"), fp("d", "l", "c")),
            (a("dropped"), fp("d", "l", "c")),
        ]);
        let now = BTreeMap::from([
            (a("same"), fp("d", "l", "c")),
            (a("edited"), fp("d2", "l", "c2")),
            (a("drifted"), fp("d", "l2", "c")),
            (a("follows"), fp("d", "l", "c2")),
            (a("added"), fp("d", "l", "c")),
        ]);
        assert_eq!(
            differences(&saved, &now),
            vec![
                "added is new in the plan",
                "drifted changed in AWS since the plan was made",
                "dropped is no longer in the plan",
                "edited changed in the stack files since the plan was made",
                "follows would now be changed differently (what it refers to changed)",
            ]
        );
        assert!(differences(&saved, &saved).is_empty());
    }
}
