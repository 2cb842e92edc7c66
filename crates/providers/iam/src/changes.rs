//! What an update has to send: the differences between desired and live, per API.
//!
//! Pure functions over already-normalized values, so "call only the APIs whose properties
//! changed" is unit-tested without AWS.

use lakectl_provider::policy::normalize_policy;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Inline policies to put (added or changed) and to delete (gone from the spec).
#[derive(Debug, Default, PartialEq)]
pub struct InlineChanges {
    /// Name and desired document, for PutRolePolicy.
    pub put: Vec<(String, Value)>,
    /// Names for DeleteRolePolicy.
    pub delete: Vec<String>,
}

/// Compares inline policies by name after normalizing both sides.
pub fn inline_changes(
    desired: &BTreeMap<String, Value>,
    live: Option<&Map<String, Value>>,
) -> InlineChanges {
    let empty = Map::new();
    let live = live.unwrap_or(&empty);
    let put = desired
        .iter()
        .filter(|(name, doc)| {
            live.get(name.as_str())
                .is_none_or(|l| normalize_policy(l) != normalize_policy(doc))
        })
        .map(|(n, d)| (n.clone(), d.clone()))
        .collect();
    let delete = live
        .keys()
        .filter(|name| !desired.contains_key(name.as_str()))
        .cloned()
        .collect();
    InlineChanges { put, delete }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(action: &str) -> Value {
        json!({"Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})
    }

    #[test]
    fn inline_policies_changed_by_name_only() {
        let desired: BTreeMap<String, Value> = [
            ("same".to_string(), doc("s3:GetObject")),
            ("changed".to_string(), doc("s3:PutObject")),
            ("added".to_string(), doc("s3:ListBucket")),
        ]
        .into();
        let live = json!({
            "same": {"Statement": {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}},
            "changed": doc("s3:GetObject"),
            "removed": doc("s3:GetObject"),
        });
        let got = inline_changes(&desired, live.as_object());
        let put: Vec<&str> = got.put.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            put,
            vec!["added", "changed"],
            "AWS's rewriting of `same` is no change"
        );
        assert_eq!(got.delete, vec!["removed".to_string()]);
        let none = inline_changes(&BTreeMap::new(), None);
        assert_eq!(
            none,
            InlineChanges::default(),
            "nothing desired, nothing live"
        );
    }
}
