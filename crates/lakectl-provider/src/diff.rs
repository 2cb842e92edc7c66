//! Diff helpers for what a provider sends on update: set-like lists and documents compared
//! after normalization. Pure functions, so "call only what changed" is unit-tested without AWS.

use serde_json::Value;

/// Items to add (desired only) and to remove (live only), each in the order given.
pub fn set_changes<T: PartialEq + Clone>(desired: &[T], live: &[T]) -> (Vec<T>, Vec<T>) {
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

/// Whether two documents are the same once both are normalized (`normalize` must be
/// idempotent, e.g. [`crate::policy::normalize_policy`]).
pub fn same_document(a: &Value, b: &Value, normalize: impl Fn(&Value) -> Value) -> bool {
    normalize(a) == normalize(b)
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

/// A JSON string field, or `None` when absent, null or not a string.
pub fn string(spec: &Value, key: &str) -> Option<String> {
    spec.get(key).and_then(Value::as_str).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::normalize_policy;
    use serde_json::json;

    #[test]
    fn sets_send_only_the_difference() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let cases = [
            (
                "no change",
                s(&["a", "b"]),
                s(&["b", "a"]),
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
    }

    #[test]
    fn documents_compare_after_normalizing() {
        let written =
            json!({"Statement": {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}});
        let returned = json!({"Statement": [{"Effect": "Allow", "Action": ["sns:Publish"], "Resource": ["*"]}]});
        assert!(same_document(&written, &returned, normalize_policy));
        let other = json!({"Statement": [{"Effect": "Deny", "Action": ["sns:Publish"], "Resource": ["*"]}]});
        assert!(!same_document(&written, &other, normalize_policy));
    }
}
