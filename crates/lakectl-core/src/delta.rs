//! The delta between a desired and a live spec: plain data, one entry per changed field.

use crate::refs::value_has_ref;
use crate::schema::{Path, Prop, Schema, Type};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One changed field. `before` is absent when the field is being set for the first time,
/// `after` when it is being removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    /// Where, e.g. `versioning` or `tags.customer`.
    pub path: String,
    /// The live value.
    pub before: Option<Value>,
    /// The desired value.
    pub after: Option<Value>,
    /// The change cannot be made in place: the resource is replaced.
    pub forces_replace: bool,
    /// Never print the values.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sensitive: bool,
    /// The desired value depends on a resource not created yet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub known_after_apply: bool,
}

/// Compares a desired spec with the live one, property by property as the schema says:
/// objects and maps field by field, everything else whole. Both specs must already have
/// defaults applied and be canonical (see [`Schema::canonicalize`]); only properties present
/// in `desired` are compared, so what lakectl does not manage never shows as a change.
pub fn diff(schema: &Schema, desired: &Value, live: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    diff_object(
        &schema.props,
        desired,
        live,
        &Path::default(),
        false,
        &mut out,
    );
    out
}

fn diff_object(
    props: &[Prop],
    desired: &Value,
    live: &Value,
    path: &Path,
    parent_immutable: bool,
    out: &mut Vec<FieldChange>,
) {
    let Some(d) = desired.as_object() else { return };
    for p in props.iter().filter(|p| !p.write_only) {
        let Some(dv) = d.get(p.name) else { continue };
        let lv = live.get(p.name);
        let flags = Flags {
            immutable: parent_immutable || p.immutable,
            sensitive: p.sensitive,
        };
        diff_value(&p.ty, dv, lv, &path.key(p.name), flags, out);
    }
}

#[derive(Clone, Copy)]
struct Flags {
    immutable: bool,
    sensitive: bool,
}

fn diff_value(
    ty: &Type,
    d: &Value,
    l: Option<&Value>,
    path: &Path,
    f: Flags,
    out: &mut Vec<FieldChange>,
) {
    match (ty, l) {
        (Type::Object(props), Some(lv @ Value::Object(_))) if d.is_object() => {
            diff_object(props, d, lv, path, f.immutable, out);
        }
        (Type::Map(inner), Some(Value::Object(lm))) if d.is_object() => {
            let dm = d.as_object().expect("checked above");
            let mut keys: Vec<&String> = dm.keys().chain(lm.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                match (dm.get(k), lm.get(k)) {
                    (Some(dv), lv) => diff_value(inner, dv, lv, &path.key(k), f, out),
                    (None, Some(lv)) => out.push(change(path.key(k), Some(lv), None, f)),
                    (None, None) => {}
                }
            }
        }
        (Type::Keyed { key, props }, Some(Value::Array(la))) if d.is_array() => {
            let da = d.as_array().expect("checked above");
            diff_keyed(key, props, da, la, path, f, out);
        }
        _ => {
            if l != Some(d) && !(d.is_null() && l.is_none()) {
                out.push(change(path.clone(), l, Some(d), f));
            }
        }
    }
}

/// Item by item, matched by `key`: an item added, removed or changed is a change of its own
/// (`columns[amount].type`), and the same items in another order one change of the order.
fn diff_keyed(
    key: &str,
    props: &[Prop],
    desired: &[Value],
    live: &[Value],
    path: &Path,
    f: Flags,
    out: &mut Vec<FieldChange>,
) {
    let name = |v: &Value| v.get(key).map(value_label).unwrap_or_default();
    let find = |items: &[Value], n: &str| items.iter().find(|v| name(v) == n).cloned();
    for d in desired {
        let n = name(d);
        match find(live, &n) {
            Some(l) => diff_object(props, d, &l, &path.named(&n), f.immutable, out),
            None => out.push(change(path.named(&n), None, Some(d), f)),
        }
    }
    for l in live {
        let n = name(l);
        if find(desired, &n).is_none() {
            out.push(change(path.named(&n), Some(l), None, f));
        }
    }
    let order = |items: &[Value], other: &[Value]| -> Vec<Value> {
        items
            .iter()
            .map(name)
            .filter(|n| other.iter().any(|o| &name(o) == n))
            .map(Value::String)
            .collect()
    };
    let (was, now) = (order(live, desired), order(desired, live));
    if was != now {
        out.push(change(
            path.clone(),
            Some(&Value::Array(was)),
            Some(&Value::Array(now)),
            f,
        ));
    }
}

/// A key's value as it reads in a path: strings bare, anything else as JSON.
fn value_label(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// What a plan holds of a sensitive value: that there is one, never the value (not in the
/// plan people read, not in `--json`).
pub const REDACTED: &str = "(sensitive)";

/// A value as a plan holds it: absent when null, [`REDACTED`] when sensitive.
pub fn shown(v: Option<&Value>, sensitive: bool) -> Option<Value> {
    v.filter(|v| !v.is_null()).map(|v| match sensitive {
        true => Value::String(REDACTED.to_string()),
        false => v.clone(),
    })
}

fn change(path: Path, before: Option<&Value>, after: Option<&Value>, f: Flags) -> FieldChange {
    FieldChange {
        path: path.to_string(),
        before: shown(before, f.sensitive),
        after: shown(after, f.sensitive),
        forces_replace: f.immutable,
        sensitive: f.sensitive,
        known_after_apply: after.is_some_and(value_has_ref),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Schema {
        Schema {
            kind: "test.thing",
            description: "a thing",
            props: vec![
                Prop::new("name", Type::String, "name").immutable(),
                Prop::new("versioning", Type::Bool, "versioning"),
                Prop::new("secret", Type::String, "secret").sensitive(),
                Prop::new("source", Type::String, "where it was read from").write_only(),
                Prop::new("tags", Type::Map(Box::new(Type::String)), "tags"),
                Prop::new(
                    "key",
                    Type::Object(vec![
                        Prop::new("name", Type::String, "key name").immutable(),
                        Prop::new("note", Type::String, "note"),
                    ]),
                    "key",
                ),
                Prop::new("rules", Type::List(Box::new(Type::Json)), "rules"),
                Prop::new(
                    "columns",
                    Type::Keyed {
                        key: "name",
                        props: vec![
                            Prop::new("name", Type::String, "column name"),
                            Prop::new("type", Type::String, "column type"),
                        ],
                    },
                    "columns",
                ),
            ],
            attributes: &[],
            taggable: true,
            name_rule: |_| Ok(()),
            name_max_len: 63,
        }
    }

    fn paths(changes: &[FieldChange]) -> Vec<(String, bool)> {
        changes
            .iter()
            .map(|c| (c.path.clone(), c.forces_replace))
            .collect()
    }

    #[test]
    fn diff_reports_exactly_the_changed_fields() {
        let base = json!({"name": "a", "versioning": true, "tags": {"env": "dev", "x": "1"},
                          "key": {"name": "pk", "note": "n"}, "rules": [{"days": 30}],
                          "columns": [{"name": "id", "type": "int"}, {"name": "at", "type": "date"}]});
        // (why, overridden properties, changed paths with forces_replace)
        type Case = (&'static str, Value, Vec<(&'static str, bool)>);
        let cases: Vec<Case> = vec![
            ("identical", base.clone(), vec![]),
            (
                "scalar changed",
                json!({"versioning": false}),
                vec![("versioning", false)],
            ),
            (
                "a write-only property is never compared",
                json!({"source": "s3://other/template.yaml"}),
                vec![],
            ),
            (
                "immutable changed",
                json!({"name": "b"}),
                vec![("name", true)],
            ),
            (
                "tag value changed",
                json!({"tags": {"env": "prod", "x": "1"}}),
                vec![("tags.env", false)],
            ),
            (
                "tag added and removed",
                json!({"tags": {"env": "dev", "y": "2"}}),
                vec![("tags.x", false), ("tags.y", false)],
            ),
            (
                "nested immutable",
                json!({"key": {"name": "id", "note": "n"}}),
                vec![("key.name", true)],
            ),
            (
                "nested mutable",
                json!({"key": {"name": "pk", "note": "m"}}),
                vec![("key.note", false)],
            ),
            (
                "object set to null is removed, not ignored",
                json!({"key": null}),
                vec![("key", false)],
            ),
            (
                "list compared whole",
                json!({"rules": [{"days": 31}]}),
                vec![("rules", false)],
            ),
            (
                "a column retyped is that column's change",
                json!({"columns": [{"name": "id", "type": "bigint"}, {"name": "at", "type": "date"}]}),
                vec![("columns[id].type", false)],
            ),
            (
                "a column added and one removed",
                json!({"columns": [{"name": "id", "type": "int"}, {"name": "amount", "type": "double"}]}),
                vec![("columns[amount]", false), ("columns[at]", false)],
            ),
            (
                "the same columns in another order",
                json!({"columns": [{"name": "at", "type": "date"}, {"name": "id", "type": "int"}]}),
                vec![("columns", false)],
            ),
        ];
        for (why, overrides, want) in cases {
            let mut desired = base.clone();
            for (k, v) in overrides.as_object().expect("object") {
                desired[k] = v.clone();
            }
            let want: Vec<(String, bool)> =
                want.into_iter().map(|(p, r)| (p.to_string(), r)).collect();
            assert_eq!(paths(&diff(&schema(), &desired, &base)), want, "{why}");
        }
    }

    #[test]
    fn unmanaged_and_unknown_values() {
        // Live has a property the stack does not mention: not a change.
        let changes = diff(
            &schema(),
            &json!({"versioning": true}),
            &json!({"versioning": true, "secret": "s"}),
        );
        assert!(changes.is_empty());
        // A desired value that waits on another resource is marked so.
        let changes = diff(
            &schema(),
            &json!({"name": "${other.name}"}),
            &json!({"name": "a"}),
        );
        assert!(changes[0].known_after_apply);
        // A sensitive value is flagged, and the plan never holds it.
        let changes = diff(
            &schema(),
            &json!({"secret": "new"}),
            &json!({"secret": "old"}),
        );
        assert!(changes[0].sensitive);
        let shown = serde_json::to_string(&changes).expect("serializes");
        assert!(!shown.contains("new") && !shown.contains("old"), "{shown}");
    }
}
