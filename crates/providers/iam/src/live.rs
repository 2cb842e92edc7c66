//! What IAM reports about a role, turned into a spec in the shape users write.

use lakectl_core::Attributes;
use lakectl_provider::policy::decode_policy_document;
use serde_json::{Map, Value, json};

/// Everything observe read about one role, as plain data (no SDK types), so the conversion
/// to a spec is a pure function.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoleFacts {
    /// The role name.
    pub name: String,
    /// The path, e.g. `/`.
    pub path: String,
    /// The ARN IAM reports.
    pub arn: String,
    /// IAM's unique id (`AROA...`).
    pub role_id: String,
    /// The description; IAM leaves it out when unset.
    pub description: Option<String>,
    /// The trust policy, percent-encoded as IAM returns it.
    pub assume_role_policy: Option<String>,
    /// Seconds; IAM leaves it out on some endpoints when it is the default.
    pub max_session_duration: Option<i32>,
    /// The boundary policy's ARN.
    pub permissions_boundary: Option<String>,
    /// Inline policies: name and percent-encoded document.
    pub inline_policies: Vec<(String, String)>,
    /// ARNs of attached managed policies.
    pub managed_policy_arns: Vec<String>,
    /// All tags, lakectl's ownership tags included.
    pub tags: Vec<(String, String)>,
}

/// The live spec: every property of the schema, "unset" written as the schema's default.
///
/// # Errors
/// A policy document IAM returned cannot be decoded; the message names it.
pub fn live_spec(f: &RoleFacts) -> Result<Value, String> {
    let trust = match &f.assume_role_policy {
        Some(raw) => decode_policy_document(raw).map_err(|e| format!("the trust policy: {e}"))?,
        None => Value::Null,
    };
    let mut inline = Map::new();
    for (name, raw) in &f.inline_policies {
        let doc =
            decode_policy_document(raw).map_err(|e| format!("inline policy `{name}`: {e}"))?;
        inline.insert(name.clone(), doc);
    }
    let mut managed = f.managed_policy_arns.clone();
    managed.sort();
    managed.dedup();
    let tags: Map<String, Value> = f
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    let mut spec = json!({
        "name": f.name,
        "assume_role_policy": trust,
        "inline_policies": inline,
        "managed_policy_arns": managed,
        "permissions_boundary": f.permissions_boundary,
        "tags": tags,
    });
    // What IAM leaves out is left out here too, and reads as the schema's default.
    let given = [
        ("path", (!f.path.is_empty()).then(|| json!(f.path))),
        ("description", f.description.as_ref().map(|d| json!(d))),
        (
            "max_session_duration",
            f.max_session_duration.map(|s| json!(s)),
        ),
    ];
    for (prop, value) in given {
        if let Some(v) = value {
            spec[prop] = v;
        }
    }
    crate::schema().apply_defaults(&mut spec);
    Ok(spec)
}

/// `arn`, `name` and `role_id` of a live role.
pub fn attributes(f: &RoleFacts) -> Attributes {
    Attributes::from([
        ("arn".to_string(), f.arn.clone()),
        ("name".to_string(), f.name.clone()),
        ("role_id".to_string(), f.role_id.clone()),
    ])
}

/// `arn:{partition}:iam::{account}:role{path}{name}`.
pub fn role_arn(partition: &str, account: &str, path: &str, name: &str) -> String {
    format!("arn:{partition}:iam::{account}:role{path}{name}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> RoleFacts {
        RoleFacts {
            name: "r".into(),
            path: "/svc/".into(),
            arn: "arn:aws:iam::123456789012:role/svc/r".into(),
            role_id: "AROA1".into(),
            description: Some("d".into()),
            assume_role_policy: Some("%7B%22Statement%22%3A%5B%5D%7D".into()),
            max_session_duration: Some(7200),
            permissions_boundary: Some("arn:aws:iam::aws:policy/B".into()),
            inline_policies: vec![("p".into(), "%7B%22Statement%22%3A%5B%5D%7D".into())],
            managed_policy_arns: vec!["arn:b".into(), "arn:a".into()],
            tags: vec![("lakectl:stack".into(), "lake".into())],
        }
    }

    #[test]
    fn live_facts_become_a_spec() {
        let unset = RoleFacts {
            description: None,
            max_session_duration: None,
            permissions_boundary: None,
            inline_policies: vec![],
            managed_policy_arns: vec![],
            tags: vec![],
            path: String::new(),
            ..facts()
        };
        let cases = [
            (
                "every property set",
                facts(),
                Ok(json!({"name": "r", "path": "/svc/", "description": "d",
                    "assume_role_policy": {"Statement": []},
                    "inline_policies": {"p": {"Statement": []}},
                    "managed_policy_arns": ["arn:a", "arn:b"],
                    "max_session_duration": 7200,
                    "permissions_boundary": "arn:aws:iam::aws:policy/B",
                    "tags": {"lakectl:stack": "lake"}})),
            ),
            (
                "what IAM leaves out reads back as the schema default",
                unset,
                Ok(json!({"name": "r", "path": "/", "description": "",
                    "assume_role_policy": {"Statement": []},
                    "inline_policies": {}, "managed_policy_arns": [],
                    "max_session_duration": 3600, "permissions_boundary": null, "tags": {}})),
            ),
            (
                "an undecodable inline policy is named",
                RoleFacts {
                    inline_policies: vec![("bad".into(), "%7Bx".into())],
                    ..facts()
                },
                Err("inline policy `bad`"),
            ),
        ];
        for (why, f, want) in cases {
            match (live_spec(&f), want) {
                (Ok(got), Ok(w)) => assert_eq!(got, w, "{why}"),
                (Err(got), Err(w)) => assert!(got.contains(w), "{why}: {got}"),
                (got, want) => panic!("{why}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn defaults_of_the_schema_match_what_unset_reads_back_as() {
        // A spec that leaves everything out must equal a live role with nothing set.
        let mut desired = json!({"name": "r", "assume_role_policy": {"Statement": []}});
        crate::schema().apply_defaults(&mut desired);
        let live = live_spec(&RoleFacts {
            name: "r".into(),
            assume_role_policy: Some("{\"Statement\": []}".into()),
            ..RoleFacts::default()
        })
        .expect("decodes");
        assert!(lakectl_core::diff(&crate::schema(), &desired, &live).is_empty());
    }

    #[test]
    fn arns_and_attributes() {
        assert_eq!(
            role_arn("aws-cn", "1", "/a/b/", "r"),
            "arn:aws-cn:iam::1:role/a/b/r"
        );
        let a = attributes(&facts());
        assert_eq!(a.get("role_id").map(String::as_str), Some("AROA1"));
        assert_eq!(
            a.get("arn").map(String::as_str),
            Some("arn:aws:iam::123456789012:role/svc/r")
        );
    }
}
