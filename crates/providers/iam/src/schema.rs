//! The `iam.role` schema: properties, defaults meaning "unset", and AWS's naming rules.

use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::names::NameRule;
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The kind this crate manages.
pub const KIND: &str = "iam.role";

/// The longest role name IAM accepts.
pub const NAME_MAX_LEN: usize = 64;

/// The schema of `iam.role`.
pub fn schema() -> Schema {
    Schema {
        kind: KIND,
        description: "an IAM role: trust policy, inline and managed policies, boundary, tags",
        props: vec![
            Prop::new("name", Type::String, "the role name (set by the loader)").immutable(),
            Prop::new(
                "path",
                Type::String,
                "the role's path, e.g. `/service-role/`",
            )
            .immutable()
            .default(json!("/"))
            .check(check_path),
            Prop::new("description", Type::String, "what the role is for")
                .default(json!(""))
                .check(check_description),
            Prop::new(
                "assume_role_policy",
                Type::Json,
                "the trust policy: who may assume the role",
            )
            .required()
            .check(check_policy_document)
            .early_check(check_trust_size),
            Prop::new(
                "inline_policies",
                Type::Map(Box::new(Type::Json)),
                "policy documents embedded in the role, by policy name",
            )
            .default(json!({}))
            .check(check_inline_policies)
            .early_check(check_inline_size),
            Prop::new(
                "managed_policy_arns",
                Type::Set(Box::new(Type::String)),
                "ARNs of managed policies attached to the role",
            )
            .default(json!([]))
            .check(check_managed_arns),
            Prop::new(
                "max_session_duration",
                Type::Int {
                    min: 3600,
                    max: 43200,
                },
                "longest session in seconds, 3600 to 43200",
            )
            .default(json!(3600)),
            Prop::new(
                "permissions_boundary",
                Type::String,
                "ARN of the managed policy that caps the role's permissions",
            )
            .default(Value::Null)
            .check(check_boundary),
            tags_prop("tags on the role"),
        ],
        attributes: &["arn", "role_id"],
        taggable: true,
        name_rule,
        name_max_len: NAME_MAX_LEN,
    }
}

/// IAM's role-name rule: 1–64 characters of letters, digits and `+=,.@_-`.
pub fn name_rule(name: &str) -> Result<(), String> {
    NameRule {
        noun: "role name",
        max: NAME_MAX_LEN,
        symbols: NAME_SYMBOLS,
    }
    .check(name)
}

/// What role and inline policy names may hold besides letters and digits.
const NAME_SYMBOLS: &str = "+=,.@_-";

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || NAME_SYMBOLS.contains(c)
}

fn check_path(v: &Value) -> Result<(), String> {
    let Some(p) = v.as_str() else { return Ok(()) };
    if !p.starts_with('/') || !p.ends_with('/') {
        return Err(format!(
            "a role path starts and ends with `/`; `{p}` does not"
        ));
    }
    if p.len() > 512 {
        return Err("a role path is at most 512 characters".into());
    }
    if let Some(bad) = p.chars().find(|c| !('!'..='~').contains(c)) {
        return Err(format!(
            "a role path may hold only printable ASCII without spaces; `{p}` has `{bad}`"
        ));
    }
    Ok(())
}

fn check_description(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(d) if d.chars().count() > 1000 => {
            Err("a role description is at most 1000 characters".into())
        }
        _ => Ok(()),
    }
}

/// A policy document is a mapping with a `Statement` (or such a mapping written as JSON text).
fn check_policy_document(v: &Value) -> Result<(), String> {
    let parsed;
    let doc = match v {
        Value::String(s) => {
            parsed = serde_json::from_str::<Value>(s)
                .map_err(|e| format!("a policy document written as text must be JSON: {e}"))?;
            &parsed
        }
        other => other,
    };
    match doc.as_object() {
        Some(o) if o.contains_key("Statement") => Ok(()),
        Some(_) => Err("a policy document needs a `Statement`".into()),
        None => Err("a policy document is a mapping with `Version` and `Statement`".into()),
    }
}

fn check_inline_policies(v: &Value) -> Result<(), String> {
    let Some(map) = v.as_object() else {
        return Ok(());
    };
    for (name, doc) in map {
        let len = name.chars().count();
        if len == 0 || len > 128 || !name.chars().all(is_name_char) {
            return Err(format!(
                "inline policy name `{name}` must be 1–128 letters, digits or `+=,.@_-`"
            ));
        }
        check_policy_document(doc).map_err(|e| format!("inline policy `{name}`: {e}"))?;
    }
    Ok(())
}

/// IAM's quota on a role's inline policies together, counted without white space.
pub const INLINE_POLICY_CHARS: usize = 10_240;

/// The characters IAM counts in a policy document: its JSON without white space.
pub fn policy_chars(doc: &Value) -> usize {
    doc.to_string()
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}

/// The role's inline policies against IAM's quota. Run before references are resolved, so an
/// ARN still counts as its `${...}` text (often shorter): what fails here fails in AWS.
fn check_inline_size(v: &Value) -> Result<(), String> {
    let Some(map) = v.as_object() else {
        return Ok(());
    };
    let total: usize = map.values().map(policy_chars).sum();
    match total > INLINE_POLICY_CHARS {
        true => Err(format!(
            "the inline policies hold at least {total} characters (IAM counts them without white space), and IAM allows {INLINE_POLICY_CHARS} per role in all: scope statements by the lake's naming pattern (`arn:aws:s3:::PREFIX-*`) instead of listing every resource, or move statements to managed policies (6,144 characters each)"
        )),
        false => Ok(()),
    }
}

/// IAM's default quota on a role's trust policy, counted like the inline policies (an
/// account can have it raised to 4,096).
pub const TRUST_POLICY_CHARS: usize = 2_048;

fn check_trust_size(v: &Value) -> Result<(), String> {
    let n = policy_chars(v);
    match n > TRUST_POLICY_CHARS {
        true => Err(format!(
            "the trust policy holds at least {n} characters (IAM counts them without white space), and IAM allows {TRUST_POLICY_CHARS} by default: name fewer principals (one statement per service, accounts rather than each of their roles), or ask AWS to raise the account's quota to 4,096"
        )),
        false => Ok(()),
    }
}

fn check_managed_arns(v: &Value) -> Result<(), String> {
    let Some(items) = v.as_array() else {
        return Ok(());
    };
    match items
        .iter()
        .filter_map(Value::as_str)
        .find(|a| !is_policy_arn(a))
    {
        Some(bad) => Err(format!(
            "`{bad}` is not a managed policy ARN (arn:aws:iam::<account or aws>:policy/...)"
        )),
        None => Ok(()),
    }
}

fn check_boundary(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(a) if !is_policy_arn(a) => Err(format!(
            "`{a}` is not a managed policy ARN (arn:aws:iam::<account or aws>:policy/...)"
        )),
        _ => Ok(()),
    }
}

fn is_policy_arn(a: &str) -> bool {
    a.starts_with("arn:") && a.contains(":iam::") && a.contains(":policy/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rule_accepts_what_iam_accepts() {
        let long = "a".repeat(64);
        let too_long = "a".repeat(65);
        let cases: [(&str, &str, Result<(), &str>); 7] = [
            ("plain", "lake-glue-role", Ok(())),
            ("every allowed symbol", "a+b=c,d.e@f_g-h", Ok(())),
            ("exactly 64", &long, Ok(())),
            ("empty", "", Err("1 to 64 characters")),
            ("65 is one too many", &too_long, Err("1 to 64 characters")),
            ("slash belongs in the path", "team/role", Err("has `/`")),
            ("no spaces", "my role", Err("has ` `")),
        ];
        for (why, name, want) in cases {
            match (name_rule(name), want) {
                (Ok(()), Ok(())) => {}
                (Err(got), Err(w)) => assert!(got.contains(w), "{why}: {got}"),
                (got, want) => panic!("{why}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn property_checks_say_which_rule_failed() {
        let s = schema();
        let cases: &[(&str, Value, &[&str])] = &[
            (
                "valid minimal",
                json!({"assume_role_policy": {"Statement": []}}),
                &[],
            ),
            (
                "path without trailing slash",
                json!({"assume_role_policy": {"Statement": []}, "path": "/svc"}),
                &["starts and ends with `/`"],
            ),
            (
                "trust policy without statements",
                json!({"assume_role_policy": {"Version": "2012-10-17"}}),
                &["needs a `Statement`"],
            ),
            (
                "trust policy as JSON text",
                json!({"assume_role_policy": "{\"Statement\": []}"}),
                &[],
            ),
            (
                "trust policy text that is not JSON",
                json!({"assume_role_policy": "Statement"}),
                &["must be JSON"],
            ),
            (
                "session too long",
                json!({"assume_role_policy": {"Statement": []}, "max_session_duration": 50000}),
                &["from 3600 to 43200"],
            ),
            (
                "managed arn is not an arn",
                json!({"assume_role_policy": {"Statement": []}, "managed_policy_arns": ["AWSGlueServiceRole"]}),
                &["not a managed policy ARN"],
            ),
            (
                "bad inline policy name",
                json!({"assume_role_policy": {"Statement": []}, "inline_policies": {"a b": {"Statement": []}}}),
                &["inline policy name `a b`"],
            ),
            (
                "reserved tag prefix",
                json!({"assume_role_policy": {"Statement": []}, "tags": {"aws:x": "1"}}),
                &["reserved for AWS"],
            ),
            (
                "boundary must be a policy arn",
                json!({"assume_role_policy": {"Statement": []}, "permissions_boundary": "arn:aws:s3:::b"}),
                &["not a managed policy ARN"],
            ),
        ];
        lakectl_provider::testkit::assert_validates(&s, cases);
        // 300 customers' buckets listed one by one: far over the quota, and said so before
        // any reference is resolved.
        let listed: Vec<String> = (0..300)
            .map(|i| format!("${{customer_bucket[c{i:03}].arn}}/raw/*"))
            .collect();
        let big = json!({"assume_role_policy": {"Statement": []}, "inline_policies": {"lake": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": listed}]}}});
        lakectl_provider::testkit::assert_validates(
            &s,
            &[("300 listed buckets", big, &["IAM allows 10240 per role"])],
        );
        // A role assumable by every customer account, listed one by one.
        let accounts: Vec<String> = (0..100)
            .map(|i| format!("arn:aws:iam::{:012}:root", 100_000_000_000_u64 + i))
            .collect();
        let trust = json!({"assume_role_policy": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": accounts}, "Action": "sts:AssumeRole"}]}});
        lakectl_provider::testkit::assert_validates(
            &s,
            &[(
                "100 accounts trusted",
                trust,
                &["IAM allows 2048 by default"],
            )],
        );
        assert_eq!(policy_chars(&json!({"Effect": "Allow"})), 18);
    }
}
