//! Kind schemas: the properties of a resource kind as plain data.
//!
//! A provider describes its kind once — property names, types, defaults, which ones are
//! immutable (a change means replace) and which are sensitive (masked in every output).
//! The loader validates stack files against it before any AWS call, and the diff uses it
//! to decide what forces a replacement. Specs themselves are `serde_json::Value` objects.

use serde_json::{Map, Value};
use std::fmt;

/// The schema of one resource kind.
#[derive(Debug, Clone)]
pub struct Schema {
    /// The kind, e.g. `s3.bucket`.
    pub kind: &'static str,
    /// One line for `lakectl validate` and docs.
    pub description: &'static str,
    /// The top-level properties under `properties:`.
    pub props: Vec<Prop>,
    /// Attributes dependents may reference as `${address.attr}`; `name` is always one.
    pub attributes: &'static [&'static str],
    /// Whether the kind has a `tags` map property that carries ownership tags.
    pub taggable: bool,
    /// Checks a physical name against AWS's rules; the message says what is wrong.
    pub name_rule: fn(&str) -> Result<(), String>,
    /// The longest physical name AWS accepts (derived names are shortened to fit).
    pub name_max_len: usize,
}

/// One property of a kind.
#[derive(Debug, Clone)]
pub struct Prop {
    /// The key in the stack file.
    pub name: &'static str,
    /// Its type.
    pub ty: Type,
    /// Must be given in the stack file.
    pub required: bool,
    /// A change forces the resource to be replaced.
    pub immutable: bool,
    /// Never printed: plan output shows `(sensitive)`.
    pub sensitive: bool,
    /// Sent but never read back by AWS, so never compared: where a CloudFormation template
    /// was read from. A provider that has one compares something it can read instead.
    pub write_only: bool,
    /// The value when the stack file leaves it out (also what "unset" in AWS means).
    pub default: Option<Value>,
    /// One line for the user.
    pub doc: &'static str,
    /// An extra check of a given value; the message says what is wrong and how to fix it.
    pub check: Option<Check>,
    /// A check that runs even while the value holds `${...}` references (a size limit that
    /// the reference text already breaks); it must accept reference text where values go.
    pub early_check: Option<Check>,
}

/// An extra check of a property value: `Err` says what is wrong and how to fix it.
pub type Check = fn(&Value) -> Result<(), String>;

/// In [`Schema::attributes`]: any further attribute the live resource reports.
pub const ANY_ATTRIBUTE: &str = "*";

/// The type of a property value.
#[derive(Debug, Clone)]
pub enum Type {
    /// A string.
    String,
    /// true / false.
    Bool,
    /// A whole number within bounds.
    Int {
        /// Smallest accepted value.
        min: i64,
        /// Largest accepted value.
        max: i64,
    },
    /// One of a fixed set of strings.
    Enum(&'static [&'static str]),
    /// An ordered list.
    List(Box<Type>),
    /// A list whose order does not matter: sorted before diffing, duplicates are an error.
    Set(Box<Type>),
    /// A map from string keys to values of one type; diffed key by key (e.g. tags).
    Map(Box<Type>),
    /// A nested object with its own properties; diffed property by property.
    Object(Vec<Prop>),
    /// An ordered list of objects, each named by its `key` property (unique): diffed item by
    /// item, so a plan says `columns[amount].type`, not the whole list (Glue columns).
    Keyed {
        /// The property that names an item.
        key: &'static str,
        /// Each item's properties.
        props: Vec<Prop>,
    },
    /// Any JSON value (policy documents); compared whole after the provider normalizes it.
    Json,
}

impl Prop {
    /// A property with no default, optional, mutable, not sensitive.
    pub fn new(name: &'static str, ty: Type, doc: &'static str) -> Self {
        Prop {
            name,
            ty,
            required: false,
            immutable: false,
            sensitive: false,
            write_only: false,
            default: None,
            doc,
            check: None,
            early_check: None,
        }
    }
    /// Marks the property required.
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    /// Marks the property immutable: a change replaces the resource.
    pub fn immutable(mut self) -> Self {
        self.immutable = true;
        self
    }
    /// Marks the property sensitive.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    /// Marks the property write-only: sent, never compared (see [`Prop::write_only`]).
    pub fn write_only(mut self) -> Self {
        self.write_only = true;
        self
    }
    /// Sets the default value.
    pub fn default(mut self, v: Value) -> Self {
        self.default = Some(v);
        self
    }
    /// Adds a value check.
    pub fn check(mut self, f: Check) -> Self {
        self.check = Some(f);
        self
    }
    /// Adds a check that runs before references are resolved (see [`Prop::early_check`]).
    pub fn early_check(mut self, f: Check) -> Self {
        self.early_check = Some(f);
        self
    }
}

impl Type {
    /// A short name for messages: `string`, `list of string`, ...
    pub fn describe(&self) -> String {
        match self {
            Type::String => "a string".into(),
            Type::Bool => "true or false".into(),
            Type::Int { min, max } => format!("a whole number from {min} to {max}"),
            Type::Enum(options) => format!("one of {}", options.join(", ")),
            Type::List(t) => format!("a list of {}", t.describe().trim_start_matches("a ")),
            Type::Set(t) => format!("a list of {}", t.describe().trim_start_matches("a ")),
            Type::Map(t) => format!(
                "a mapping of names to {}",
                t.describe().trim_start_matches("a ")
            ),
            Type::Object(_) => "a mapping".into(),
            Type::Keyed { key, .. } => format!("a list of mappings, each with its own `{key}`"),
            Type::Json => "any value".into(),
        }
    }
}

/// One step of a path into a spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSeg {
    /// An object key.
    Key(String),
    /// A list index.
    Index(usize),
    /// The item of a keyed list with this key.
    Named(String),
}

/// A path into a spec, printed `lifecycle_rules[0].prefix`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Path(pub Vec<PathSeg>);

impl Path {
    /// This path with a key appended.
    pub fn key(&self, k: &str) -> Path {
        let mut p = self.clone();
        p.0.push(PathSeg::Key(k.to_string()));
        p
    }
    /// This path with an index appended.
    pub fn index(&self, i: usize) -> Path {
        let mut p = self.clone();
        p.0.push(PathSeg::Index(i));
        p
    }
    /// This path with a keyed list's item appended.
    pub fn named(&self, k: &str) -> Path {
        let mut p = self.clone();
        p.0.push(PathSeg::Named(k.to_string()));
        p
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                PathSeg::Key(k) if i == 0 => write!(f, "{k}")?,
                PathSeg::Key(k) => write!(f, ".{k}")?,
                PathSeg::Index(n) => write!(f, "[{n}]")?,
                PathSeg::Named(k) => write!(f, "[{k}]")?,
            }
        }
        Ok(())
    }
}

/// A problem found in a spec, at a path, with a hint on how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// Where in the spec (relative to `properties:`).
    pub path: Path,
    /// Whether the problem is the key itself (unknown key) rather than its value.
    pub at_key: bool,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

impl Schema {
    /// The property named `name`.
    pub fn prop(&self, name: &str) -> Option<&Prop> {
        self.props.iter().find(|p| p.name == name)
    }

    /// Whether dependents may reference `attr`. An `attributes` list holding
    /// [`ANY_ATTRIBUTE`] accepts every name: the resource itself says which it has (a
    /// CloudFormation stack's outputs).
    pub fn has_attribute(&self, attr: &str) -> bool {
        attr == "name"
            || self.attributes.contains(&attr)
            || self.attributes.contains(&ANY_ATTRIBUTE)
    }

    /// Checks a spec (the `properties:` mapping) against the schema. Strings holding a
    /// `${...}` reference are accepted wherever a string is, and their checks are deferred.
    pub fn validate(&self, spec: &Value) -> Vec<Issue> {
        let mut issues = Vec::new();
        validate_object(&self.props, spec, &Path::default(), &mut issues);
        issues
    }

    /// Fills in defaults for every property left out, recursively.
    pub fn apply_defaults(&self, spec: &mut Value) {
        apply_defaults(&self.props, spec);
    }

    /// Puts a spec in canonical form: sets sorted and de-duplicated. Applied to desired and
    /// live alike before diffing.
    pub fn canonicalize(&self, spec: &mut Value) {
        canonicalize_object(&self.props, spec);
    }
}

fn validate_object(props: &[Prop], v: &Value, path: &Path, issues: &mut Vec<Issue>) {
    let Some(obj) = v.as_object() else {
        issues.push(Issue {
            path: path.clone(),
            at_key: false,
            message: "expected a mapping".into(),
            hint: None,
        });
        return;
    };
    for (k, val) in obj {
        match props.iter().find(|p| p.name == k) {
            Some(p) => {
                let before = issues.len();
                validate_value(&p.ty, val, &path.key(k), issues);
                // A property's own check runs once its type is right and no reference is left.
                let has_ref = crate::refs::value_has_ref(val);
                let checks = [p.check.filter(|_| !has_ref), p.early_check];
                for check in checks.into_iter().flatten() {
                    if issues.len() == before
                        && let Err(msg) = check(val)
                    {
                        issues.push(Issue {
                            path: path.key(k),
                            at_key: false,
                            message: msg,
                            hint: None,
                        });
                    }
                }
            }
            None => issues.push(Issue {
                path: path.key(k),
                at_key: true,
                message: format!("unknown property `{k}`"),
                hint: Some(match closest(k, props.iter().map(|p| p.name)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "known properties here: {}",
                        props.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
                    ),
                }),
            }),
        }
    }
    for p in props
        .iter()
        .filter(|p| p.required && !obj.contains_key(p.name))
    {
        issues.push(Issue {
            path: path.clone(),
            at_key: false,
            message: format!("missing required property `{}`", p.name),
            hint: Some(format!(
                "add `{}:` ({}): {}",
                p.name,
                p.ty.describe(),
                p.doc
            )),
        });
    }
}

fn validate_value(ty: &Type, v: &Value, path: &Path, issues: &mut Vec<Issue>) {
    let bad = |issues: &mut Vec<Issue>, msg: String| {
        issues.push(Issue {
            path: path.clone(),
            at_key: false,
            message: msg,
            hint: None,
        });
    };
    let has_ref = v.as_str().is_some_and(crate::refs::contains_ref);
    match (ty, v) {
        (Type::Json, _) => {}
        (Type::String, Value::String(_)) => {}
        (Type::Bool, Value::Bool(_)) => {}
        (Type::Int { min, max }, Value::Number(n)) => match n.as_i64() {
            Some(i) if i >= *min && i <= *max => {}
            _ => bad(issues, format!("expected {}, found {n}", ty.describe())),
        },
        (Type::Enum(options), Value::String(s)) => {
            if !options.contains(&s.as_str()) && !has_ref {
                let hint =
                    closest(s, options.iter().copied()).map(|c| format!("did you mean `{c}`?"));
                issues.push(Issue {
                    path: path.clone(),
                    at_key: false,
                    message: format!("`{s}` is not {}", ty.describe()),
                    hint,
                });
            }
        }
        (Type::List(t), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                validate_value(t, item, &path.index(i), issues);
            }
        }
        (Type::Set(t), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if items[..i].contains(item) {
                    bad(issues, format!("{item} is listed twice"));
                    return;
                }
                validate_value(t, item, &path.index(i), issues);
            }
        }
        (Type::Map(t), Value::Object(m)) => {
            for (k, item) in m {
                validate_value(t, item, &path.key(k), issues);
            }
        }
        (Type::Object(props), Value::Object(_)) => validate_object(props, v, path, issues),
        (Type::Keyed { key, props }, Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                let name = item.get(*key).filter(|k| !k.is_null());
                if name.is_some() && items[..i].iter().any(|o| o.get(*key) == name) {
                    let name = name.map(Value::to_string).unwrap_or_default();
                    issues.push(Issue {
                        path: path.index(i),
                        at_key: false,
                        message: format!("`{key}` {name} is listed twice"),
                        hint: Some(format!("each item needs a `{key}` of its own")),
                    });
                    continue;
                }
                match item {
                    Value::Object(_) => validate_object(props, item, &path.index(i), issues),
                    other => issues.push(Issue {
                        path: path.index(i),
                        at_key: false,
                        message: format!("expected a mapping, found {}", json_type(other)),
                        hint: None,
                    }),
                }
            }
        }
        (_, found) => bad(
            issues,
            format!("expected {}, found {}", ty.describe(), json_type(found)),
        ),
    }
}

/// The JSON type of a value, for messages.
pub fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn apply_defaults(props: &[Prop], v: &mut Value) {
    let Some(obj) = v.as_object_mut() else { return };
    for p in props {
        if !obj.contains_key(p.name)
            && let Some(d) = &p.default
        {
            obj.insert(p.name.to_string(), d.clone());
        }
        if let (Type::Object(inner), Some(child)) = (&p.ty, obj.get_mut(p.name)) {
            apply_defaults(inner, child);
        }
        let items_props = match &p.ty {
            Type::List(inner) | Type::Set(inner) => match inner.as_ref() {
                Type::Object(props) => Some(props),
                _ => None,
            },
            Type::Keyed { props, .. } => Some(props),
            _ => None,
        };
        if let (Some(inner), Some(Value::Array(items))) = (items_props, obj.get_mut(p.name)) {
            for item in items {
                apply_defaults(inner, item);
            }
        }
    }
}

fn canonicalize_object(props: &[Prop], v: &mut Value) {
    let Some(obj) = v.as_object_mut() else { return };
    for p in props {
        if let Some(child) = obj.get_mut(p.name) {
            canonicalize_value(&p.ty, child);
        }
    }
}

fn canonicalize_value(ty: &Type, v: &mut Value) {
    match (ty, v) {
        (Type::Set(inner), Value::Array(items)) => {
            for item in items.iter_mut() {
                canonicalize_value(inner, item);
            }
            items.sort_by_key(|a| a.to_string());
            items.dedup();
        }
        (Type::List(inner), Value::Array(items)) => {
            for item in items.iter_mut() {
                canonicalize_value(inner, item);
            }
        }
        (Type::Map(inner), Value::Object(m)) => {
            for item in m.values_mut() {
                canonicalize_value(inner, item);
            }
        }
        (Type::Object(props), v @ Value::Object(_)) => canonicalize_object(props, v),
        (Type::Keyed { props, .. }, Value::Array(items)) => {
            for item in items.iter_mut() {
                canonicalize_object(props, item);
            }
        }
        _ => {}
    }
}

/// The candidate closest to `word` by edit distance, if close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// An empty spec object, for building specs in code.
pub fn empty_spec() -> Value {
    Value::Object(Map::new())
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
                Prop::new("name", Type::String, "the name"),
                Prop::new("size", Type::Int { min: 1, max: 10 }, "size").required(),
                Prop::new("mode", Type::Enum(&["fast", "slow"]), "mode").default(json!("fast")),
                Prop::new("tags", Type::Map(Box::new(Type::String)), "tags"),
                Prop::new("ids", Type::Set(Box::new(Type::String)), "ids"),
                Prop::new(
                    "nested",
                    Type::Object(vec![Prop::new("on", Type::Bool, "on").default(json!(true))]),
                    "nested",
                )
                .default(json!({})),
                Prop::new(
                    "columns",
                    Type::Keyed {
                        key: "name",
                        props: vec![
                            Prop::new("name", Type::String, "column name").required(),
                            Prop::new("type", Type::String, "type").default(json!("string")),
                        ],
                    },
                    "columns",
                ),
                Prop::new("label", Type::String, "label").check(|v| {
                    if v.as_str().is_some_and(|s| s.len() > 3) {
                        Err("too long".into())
                    } else {
                        Ok(())
                    }
                }),
            ],
            attributes: &["arn"],
            taggable: true,
            name_rule: |_| Ok(()),
            name_max_len: 63,
        }
    }

    #[test]
    fn validation_reports_each_problem_at_its_path() {
        let cases = [
            ("valid", json!({"size": 3}), vec![]),
            (
                "missing required",
                json!({}),
                vec!["missing required property `size`"],
            ),
            (
                "unknown key",
                json!({"size": 1, "szie": 2}),
                vec!["unknown property `szie`"],
            ),
            (
                "out of range",
                json!({"size": 11}),
                vec!["size: expected a whole number from 1 to 10, found 11"],
            ),
            (
                "wrong type",
                json!({"size": "big"}),
                vec!["size: expected a whole number from 1 to 10, found a string"],
            ),
            (
                "bad enum",
                json!({"size": 1, "mode": "fats"}),
                vec!["mode: `fats` is not one of fast, slow"],
            ),
            (
                "nested type",
                json!({"size": 1, "nested": {"on": "yes"}}),
                vec!["nested.on: expected true or false, found a string"],
            ),
            (
                "map value",
                json!({"size": 1, "tags": {"a": 1}}),
                vec!["tags.a: expected a string, found a number"],
            ),
            (
                "duplicate in set",
                json!({"size": 1, "ids": ["a", "a"]}),
                vec!["ids: \"a\" is listed twice"],
            ),
            (
                "keyed list: a name twice, an item without one, an item not a mapping",
                json!({"size": 1, "columns": [{"name": "a"}, {"name": "a"}, {"type": "int"}, 3]}),
                vec![
                    "columns[1]: `name` \"a\" is listed twice",
                    "columns[2]: missing required property `name`",
                    "columns[3]: expected a mapping, found a number",
                ],
            ),
            (
                "custom check",
                json!({"size": 1, "label": "long"}),
                vec!["label: too long"],
            ),
            (
                "check deferred for refs",
                json!({"size": 1, "label": "${x.name}"}),
                vec![],
            ),
        ];
        for (why, spec, want) in cases {
            let got: Vec<String> = schema()
                .validate(&spec)
                .iter()
                .map(|i| {
                    if i.path.0.is_empty() || i.at_key {
                        i.message.clone()
                    } else {
                        format!("{}: {}", i.path, i.message)
                    }
                })
                .collect();
            assert_eq!(got, want, "{why}");
        }
    }

    #[test]
    fn unknown_key_suggests_the_closest_property() {
        let issues = schema().validate(&json!({"size": 1, "tgas": {}}));
        assert_eq!(issues[0].hint.as_deref(), Some("did you mean `tags`?"));
    }

    #[test]
    fn defaults_fill_nested_objects() {
        let mut spec = json!({"size": 1, "columns": [{"name": "a"}]});
        schema().apply_defaults(&mut spec);
        assert_eq!(
            spec,
            json!({"size": 1, "mode": "fast", "nested": {"on": true},
                   "columns": [{"name": "a", "type": "string"}]})
        );
    }

    #[test]
    fn sets_are_sorted_and_deduplicated() {
        let mut spec = json!({"ids": ["b", "a", "b"]});
        schema().canonicalize(&mut spec);
        assert_eq!(spec, json!({"ids": ["a", "b"]}));
    }
}
