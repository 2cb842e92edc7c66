//! Whether an existing resource belongs to this stack/env/address.

use crate::state::ResourceRecord;
use lakectl_core::Address;
use lakectl_core::tags::Owner;
use serde_json::Value;

/// Who owns an existing resource, as far as its tags and the state records tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ownership {
    /// Ours: our tags, or a record of ours (any status) with the same kind and name.
    Ours,
    /// Not ours. `owner` names another owner when the tags name one.
    Foreign {
        /// `stack s, env e, address a` from the tags.
        owner: Option<String>,
    },
}

/// Who we are, for comparing with the ownership tags.
#[derive(Clone, Copy)]
pub(crate) struct Claim<'a> {
    /// Our stack.
    pub stack: &'a str,
    /// Our env.
    pub env: &'a str,
    /// The address we declare it at.
    pub address: &'a Address,
    /// Its kind.
    pub kind: &'a str,
    /// Its physical name.
    pub name: &'a str,
    /// Addresses it had before whose ownership tags count as ours: the stack files' `moved:`
    /// entries for it, or the address a `lakectl state mv` moved its record from.
    pub former: &'a [Address],
}

/// Decides ownership. Tags that name another owner always win, even over a record: the name
/// was taken by someone else after our record was written. Without lakectl tags (untaggable
/// kinds, or a deploy that died between create and tagging), the record decides.
pub(crate) fn ownership(
    claim: &Claim<'_>,
    taggable: bool,
    live_spec: &Value,
    record: Option<&ResourceRecord>,
) -> Ownership {
    if taggable {
        let owner = Owner::of(live_spec);
        let ours_at = |a: &Address| owner.is(claim.stack, claim.env, a.as_str());
        if ours_at(claim.address) || claim.former.iter().any(ours_at) {
            return Ownership::Ours;
        }
        if !owner.is_untagged() {
            return Ownership::Foreign {
                owner: Some(owner.to_string()),
            };
        }
    }
    match record {
        Some(r) if r.kind == claim.kind && r.name == claim.name => Ownership::Ours,
        _ => Ownership::Foreign { owner: None },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::RecordStatus;
    use serde_json::json;

    fn record(kind: &str, name: &str, status: RecordStatus) -> ResourceRecord {
        ResourceRecord {
            address: Address::new("raw", None),
            kind: kind.into(),
            name: name.into(),
            status,
            depends_on: vec![],
            attributes: Default::default(),
            removal_policy: None,
        }
    }

    #[test]
    fn tags_or_records_decide_ownership() {
        let address = Address::new("raw", None);
        let claim = Claim {
            stack: "lake",
            env: "dev",
            address: &address,
            kind: "s3.bucket",
            name: "lake-raw",
            former: &[],
        };
        let ours = json!({"tags": {"lakectl:stack": "lake", "lakectl:env": "dev", "lakectl:address": "raw", "x": "1"}});
        let other_env = json!({"tags": {"lakectl:stack": "lake", "lakectl:env": "prod", "lakectl:address": "raw"}});
        let untagged = json!({"tags": {"team": "data"}});
        let foreign = |o: &str| Ownership::Foreign {
            owner: Some(o.to_string()),
        };
        let creating = record("s3.bucket", "lake-raw", RecordStatus::Creating);
        let owned = record("s3.bucket", "lake-raw", RecordStatus::Owned);
        let other_name = record("s3.bucket", "lake-raw-2", RecordStatus::Owned);
        let other_kind = record("dynamodb.table", "lake-raw", RecordStatus::Owned);
        let cases = [
            (
                "our tags, no record (state table lost)",
                true,
                &ours,
                None,
                Ownership::Ours,
            ),
            (
                "our tags and a record",
                true,
                &ours,
                Some(&owned),
                Ownership::Ours,
            ),
            (
                "another env's tags",
                true,
                &other_env,
                None,
                foreign("stack lake, env prod, address raw"),
            ),
            (
                "another owner's tags beat our record",
                true,
                &other_env,
                Some(&owned),
                foreign("stack lake, env prod, address raw"),
            ),
            (
                "untagged, no record",
                true,
                &untagged,
                None,
                Ownership::Foreign { owner: None },
            ),
            (
                "untagged with a creating record: died before tagging",
                true,
                &untagged,
                Some(&creating),
                Ownership::Ours,
            ),
            (
                "record for another name",
                true,
                &untagged,
                Some(&other_name),
                Ownership::Foreign { owner: None },
            ),
            (
                "record for another kind",
                true,
                &untagged,
                Some(&other_kind),
                Ownership::Foreign { owner: None },
            ),
            (
                "untaggable kind with a record",
                false,
                &json!({}),
                Some(&owned),
                Ownership::Ours,
            ),
            (
                "untaggable kind without a record",
                false,
                &ours,
                None,
                Ownership::Foreign { owner: None },
            ),
        ];
        for (why, taggable, live, rec, want) in cases {
            assert_eq!(ownership(&claim, taggable, live, rec), want, "{why}");
        }
        let earlier = [Address::new("old_raw", None)];
        let moved = Claim {
            former: &earlier,
            ..claim
        };
        let at_old = json!({"tags": {"lakectl:stack": "lake", "lakectl:env": "dev", "lakectl:address": "old_raw"}});
        assert_eq!(
            ownership(&moved, true, &at_old, None),
            Ownership::Ours,
            "tags at an address it was moved from"
        );
        let at_other = json!({"tags": {"lakectl:stack": "lake", "lakectl:env": "dev", "lakectl:address": "other"}});
        assert_eq!(
            ownership(&moved, true, &at_other, Some(&owned)),
            foreign("stack lake, env dev, address other"),
            "tags at an address it was not moved from"
        );
    }
}
