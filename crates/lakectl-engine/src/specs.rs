//! Turning a desired spec into what is diffed and sent: ownership tags, references, canonical
//! form; and the field lists a plan shows for creates and replaces.

use crate::state::StackEnv;
use lakectl_core::refs::{self, Ref};
use lakectl_core::{Address, Attributes, FieldChange, Provider, Schema, delta, tags};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Attributes known so far, by address (`name` included).
pub(crate) type Known = BTreeMap<Address, Attributes>;

/// The spec with lakectl's ownership tags added to `tags` (created when absent).
pub(crate) fn with_ownership_tags(spec: &Value, at: &StackEnv, address: &Address) -> Value {
    let mut spec = spec.clone();
    if let Some(obj) = spec.as_object_mut() {
        let tags_value = obj
            .entry("tags")
            .or_insert_with(|| Value::Object(Map::new()));
        if tags_value.is_null() {
            *tags_value = Value::Object(Map::new());
        }
        if let Some(t) = tags_value.as_object_mut() {
            t.insert(tags::STACK.into(), Value::String(at.stack.clone()));
            t.insert(tags::ENV.into(), Value::String(at.env.clone()));
            t.insert(tags::ADDRESS.into(), Value::String(address.to_string()));
        }
    }
    spec
}

/// Resolves references against `known`; returns the value and the references still unknown.
pub(crate) fn resolve(spec: &Value, known: &Known) -> (Value, Vec<Ref>) {
    let lookup = |r: &Ref| known.get(&r.address).and_then(|a| a.get(&r.attr)).cloned();
    let resolved = refs::resolve(spec, &lookup);
    (resolved.value, resolved.unknown)
}

/// Canonical form (sets sorted) and the provider's normalization, for desired and live alike.
pub(crate) fn prepare(provider: &dyn Provider, mut spec: Value) -> Value {
    provider.schema().canonicalize(&mut spec);
    provider.normalize(&mut spec);
    spec
}

/// What a create shows: every top-level property, set for the first time.
pub(crate) fn create_changes(schema: &Schema, spec: &Value) -> Vec<FieldChange> {
    let Some(obj) = spec.as_object() else {
        return Vec::new();
    };
    obj.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let sensitive = schema.prop(k).is_some_and(|p| p.sensitive);
            FieldChange {
                path: k.clone(),
                before: None,
                after: delta::shown(Some(v), sensitive),
                forces_replace: false,
                sensitive,
                known_after_apply: refs::value_has_ref(v),
            }
        })
        .collect()
}

/// Why a replace is needed, for people: "`key.name` cannot change in place".
pub(crate) fn replace_reason(changes: &[FieldChange]) -> Option<String> {
    let fields: Vec<String> = changes
        .iter()
        .filter(|c| c.forces_replace)
        .map(|c| format!("`{}`", c.path))
        .collect();
    match fields.len() {
        0 => None,
        1 => Some(format!("{} cannot change in place", fields[0])),
        _ => Some(format!("{} cannot change in place", fields.join(", "))),
    }
}

/// `name` plus `attrs`, for [`Known`].
pub(crate) fn with_name(name: &str, attrs: &Attributes) -> Attributes {
    let mut all = attrs.clone();
    all.insert("name".into(), name.to_string());
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(path: &str, forces_replace: bool) -> FieldChange {
        FieldChange {
            path: path.into(),
            before: None,
            after: None,
            forces_replace,
            sensitive: false,
            known_after_apply: false,
        }
    }

    #[test]
    fn ownership_tags_join_the_users_tags() {
        let at = StackEnv {
            stack: "lake".into(),
            env: "dev".into(),
        };
        let a = Address::new("raw", None);
        let ours = json!({"lakectl:stack": "lake", "lakectl:env": "dev", "lakectl:address": "raw"});
        let cases = [
            (
                "no tags at all",
                json!({"v": 1}),
                json!({"v": 1, "tags": ours}),
            ),
            ("null tags", json!({"tags": null}), json!({"tags": ours})),
            (
                "user tags kept",
                json!({"tags": {"team": "data"}}),
                json!({"tags": {"team": "data", "lakectl:stack": "lake", "lakectl:env": "dev", "lakectl:address": "raw"}}),
            ),
            (
                "a user cannot forge ownership",
                json!({"tags": {"lakectl:stack": "other"}}),
                json!({"tags": ours}),
            ),
        ];
        for (why, spec, want) in cases {
            assert_eq!(with_ownership_tags(&spec, &at, &a), want, "{why}");
        }
    }

    #[test]
    fn replace_reason_names_the_immutable_fields() {
        let cases = [
            ("nothing immutable", vec![change("v", false)], None),
            (
                "one field",
                vec![change("v", false), change("partition_key.name", true)],
                Some("`partition_key.name` cannot change in place"),
            ),
            (
                "two fields",
                vec![change("a", true), change("b", true)],
                Some("`a`, `b` cannot change in place"),
            ),
        ];
        for (why, changes, want) in cases {
            assert_eq!(replace_reason(&changes).as_deref(), want, "{why}");
        }
    }

    #[test]
    fn resolve_uses_known_attributes_and_reports_the_rest() {
        let known = Known::from([(
            Address::new("t", None),
            Attributes::from([("arn".to_string(), "arn:t".to_string())]),
        )]);
        let (v, unknown) = resolve(&json!({"a": "${t.arn}", "b": "${u.arn}"}), &known);
        assert_eq!(v, json!({"a": "arn:t", "b": "${u.arn}"}));
        assert_eq!(unknown.len(), 1);
    }
}
