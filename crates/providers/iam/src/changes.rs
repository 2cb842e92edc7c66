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

/// Items to add (in desired only) and to remove (in live only).
pub fn set_changes(desired: &[String], live: &[String]) -> (Vec<String>, Vec<String>) {
    let add = desired
        .iter()
        .filter(|a| !live.contains(a))
        .cloned()
        .collect();
    let remove = live
        .iter()
        .filter(|a| !desired.contains(a))
        .cloned()
        .collect();
    (add, remove)
}

/// Tags to set (new or changed value) and keys to remove.
pub fn tag_changes(
    desired: &BTreeMap<String, String>,
    live: &BTreeMap<String, String>,
) -> (Vec<(String, String)>, Vec<String>) {
    let set = desired
        .iter()
        .filter(|(k, v)| live.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let remove = live
        .keys()
        .filter(|k| !desired.contains_key(*k))
        .cloned()
        .collect();
    (set, remove)
}

/// A JSON list of strings as a vector (anything else reads as empty).
pub fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON mapping of strings as a map (non-string values are skipped).
pub fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect()
        })
        .unwrap_or_default()
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

    #[test]
    fn sets_and_tags_send_only_the_difference() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cases = [
            (
                "no change",
                s(&["a", "b"]),
                s(&["a", "b"]),
                (s(&[]), s(&[])),
            ),
            ("one added", s(&["a", "b"]), s(&["a"]), (s(&["b"]), s(&[]))),
            (
                "one swapped",
                s(&["a", "c"]),
                s(&["a", "b"]),
                (s(&["c"]), s(&["b"])),
            ),
            ("all removed", s(&[]), s(&["a"]), (s(&[]), s(&["a"]))),
        ];
        for (why, desired, live, want) in cases {
            assert_eq!(set_changes(&desired, &live), want, "{why}");
        }
        let m = |v: &[(&str, &str)]| -> BTreeMap<String, String> {
            v.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let (set, remove) = tag_changes(
            &m(&[("keep", "1"), ("change", "new"), ("add", "x")]),
            &m(&[("keep", "1"), ("change", "old"), ("drop", "y")]),
        );
        assert_eq!(
            set,
            vec![
                ("add".to_string(), "x".to_string()),
                ("change".to_string(), "new".to_string())
            ]
        );
        assert_eq!(remove, vec!["drop".to_string()]);
    }
}
