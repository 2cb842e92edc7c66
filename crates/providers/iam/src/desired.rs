//! The desired role read out of a spec into typed fields, for building requests.

use lakectl_core::ProviderError;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A desired role: the spec's properties, defaults applied where the spec leaves them out.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredRole {
    /// `/` unless given.
    pub path: String,
    /// Empty unless given.
    pub description: String,
    /// The trust policy as written.
    pub assume_role_policy: Value,
    /// Inline policies by name.
    pub inline_policies: BTreeMap<String, Value>,
    /// Managed policy ARNs, sorted.
    pub managed_policy_arns: Vec<String>,
    /// Seconds.
    pub max_session_duration: i32,
    /// The boundary policy's ARN.
    pub permissions_boundary: Option<String>,
    /// Tags, ownership tags included.
    pub tags: BTreeMap<String, String>,
}

impl DesiredRole {
    /// Reads a spec.
    ///
    /// # Errors
    /// A property has the wrong shape (the loader validates specs, so this means a bug or an
    /// unresolved reference); the message names the property.
    pub fn from_spec(name: &str, spec: &Value) -> Result<Self, ProviderError> {
        // What "left out" means is written once, in the schema.
        let mut spec = spec.clone();
        crate::schema().apply_defaults(&mut spec);
        let spec = &spec;
        let bad = |prop: &str, want: &str| {
            ProviderError::invalid(name, format!("`{prop}` must be {want}"))
        };
        let string = |prop: &str| match spec.get(prop) {
            Some(Value::String(s)) => Ok(s.clone()),
            _ => Err(bad(prop, "a string")),
        };
        let path = string("path")?;
        let description = string("description")?;
        let assume_role_policy = match spec.get("assume_role_policy") {
            None | Some(Value::Null) => return Err(bad("assume_role_policy", "given")),
            Some(v) => v.clone(),
        };
        let empty = Map::new();
        let inline_policies = match spec.get("inline_policies") {
            None | Some(Value::Null) => &empty,
            Some(Value::Object(m)) => m,
            Some(_) => return Err(bad("inline_policies", "a mapping of names to documents")),
        }
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
        let mut managed_policy_arns = match spec.get("managed_policy_arns") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| bad("managed_policy_arns", "a list of ARNs"))?,
            Some(_) => return Err(bad("managed_policy_arns", "a list of ARNs")),
        };
        managed_policy_arns.sort();
        managed_policy_arns.dedup();
        let max_session_duration = spec
            .get("max_session_duration")
            .and_then(Value::as_i64)
            .and_then(|n| i32::try_from(n).ok())
            .ok_or_else(|| bad("max_session_duration", "a whole number of seconds"))?;
        let permissions_boundary = match spec.get("permissions_boundary") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(_) => return Err(bad("permissions_boundary", "a policy ARN or null")),
        };
        let tags = lakectl_provider::tags::tags_of(name, spec)?;
        Ok(DesiredRole {
            path,
            description,
            assume_role_policy,
            inline_policies,
            managed_policy_arns,
            max_session_duration,
            permissions_boundary,
            tags,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Path, session seconds and number of managed ARNs read, or a fragment of the error.
    type Want = Result<(&'static str, i32, usize), &'static str>;

    #[test]
    fn reads_specs_and_names_the_bad_property() {
        let cases: Vec<(&str, Value, Want)> = vec![
            (
                "defaults fill what is left out",
                json!({"assume_role_policy": {"Statement": []}}),
                Ok(("/", 3600, 0)),
            ),
            (
                "given values are kept",
                json!({"assume_role_policy": {}, "path": "/x/", "max_session_duration": 7200,
                       "managed_policy_arns": ["arn:b", "arn:a", "arn:a"]}),
                Ok(("/x/", 7200, 2)),
            ),
            (
                "trust policy is required",
                json!({}),
                Err("`assume_role_policy`"),
            ),
            (
                "tag values must be strings",
                json!({"assume_role_policy": {}, "tags": {"a": 1}}),
                Err("`tags`"),
            ),
            (
                "session length must be a number",
                json!({"assume_role_policy": {}, "max_session_duration": "1h"}),
                Err("`max_session_duration`"),
            ),
        ];
        for (why, spec, want) in cases {
            match (DesiredRole::from_spec("r", &spec), want) {
                (Ok(d), Ok((path, secs, arns))) => {
                    assert_eq!(
                        (
                            d.path.as_str(),
                            d.max_session_duration,
                            d.managed_policy_arns.len()
                        ),
                        (path, secs, arns),
                        "{why}"
                    );
                }
                (Err(e), Err(w)) => assert!(e.to_string().contains(w), "{why}: {e}"),
                (got, want) => panic!("{why}: got {got:?}, want {want:?}"),
            }
        }
    }
}
