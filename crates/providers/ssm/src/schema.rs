//! The `ssm.parameter` schema: a setting in Parameter Store, plain or secret. A secret's value
//! is never written in a stack file: it comes from the environment or a file at deploy time,
//! and a plan compares only its hash, which it never prints.
use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The kind this crate manages.
pub const KIND: &str = "ssm.parameter";

/// The most a Standard parameter's value may hold.
pub const MAX_VALUE: usize = 4096;

/// The schema of `ssm.parameter`.
pub fn schema() -> Schema {
    Schema {
        kind: KIND,
        description: "a Parameter Store setting: plain text, a list, or a secret from the environment",
        props: vec![
            Prop::new("name", Type::String, "the parameter name, a path: `/lake/dev/ci/branch` (set by the loader)").immutable(),
            Prop::new(
                "type",
                Type::Enum(&["String", "StringList", "SecureString"]),
                "plain text, a comma-separated list, or a secret encrypted with the account's key",
            )
            .default(json!("String"))
            .immutable(),
            Prop::new("description", Type::String, "what the setting is for").default(Value::Null),
            Prop::new(
                "value",
                Type::String,
                "the value of a String or StringList; a SecureString takes `value_from`",
            )
            .default(Value::Null)
            .early_check(check_value),
            Prop::new(
                "value_from",
                Type::Object(vec![
                    Prop::new("env", Type::String, "the environment variable that holds it")
                        .default(Value::Null),
                    Prop::new("file", Type::String, "the file that holds it (relative to where lakectl runs)")
                        .default(Value::Null),
                ]),
                "where a SecureString's value is read at deploy time; it never appears in a plan, log or the state",
            )
            .default(Value::Null)
            .write_only()
            .check(check_source),
            Prop::new(
                "value_sha256",
                Type::String,
                "set by lakectl: the hash of a SecureString's value, which is what a plan compares (never printed); leave it out",
            )
            .default(Value::Null)
            .sensitive(),
            tags_prop("tags on the parameter"),
        ],
        attributes: &["arn"],
        taggable: true,
        name_rule,
        name_max_len: 1011,
    }
}

/// Parameter Store's rule: letters, digits and `_.-/`; a path starts with `/`; `aws` and `ssm`
/// are Amazon's own prefixes.
pub fn name_rule(name: &str) -> Result<(), String> {
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "_.-/".contains(*c)))
    {
        return Err(format!(
            "a parameter name may hold only letters, digits and `_.-/`; `{name}` has `{bad}`"
        ));
    }
    if name.contains('/') && !name.starts_with('/') {
        return Err(format!("a parameter path starts with `/`; write `/{name}`"));
    }
    let first = name.trim_start_matches('/').to_ascii_lowercase();
    if first.starts_with("aws") || first.starts_with("ssm") {
        return Err(format!(
            "`{name}` starts with `aws` or `ssm`, which Parameter Store keeps for itself; put the lake's prefix first"
        ));
    }
    if name.is_empty() || name.len() > 1011 {
        return Err(format!(
            "a parameter name is 1 to 1011 characters; `{name}` has {}",
            name.len()
        ));
    }
    Ok(())
}

fn check_value(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(s) if s.len() > MAX_VALUE => Err(format!(
            "the value has {} bytes; a Standard parameter holds at most {MAX_VALUE}",
            s.len()
        )),
        _ => Ok(()),
    }
}

/// Exactly one source, and it can be read now: a deploy must not start without its secret.
fn check_source(v: &Value) -> Result<(), String> {
    if v.is_null() {
        return Ok(());
    }
    let env = v.get("env").and_then(Value::as_str);
    let file = v.get("file").and_then(Value::as_str);
    match (env, file) {
        (Some(_), Some(_)) | (None, None) => {
            Err("give exactly one of `env` and `file`".to_string())
        }
        (Some(var), None) => match std::env::var(var) {
            Ok(s) if !s.is_empty() => Ok(()),
            _ => Err(format!(
                "`{var}` is not set; export it before planning (its value is read at deploy time and never shown)"
            )),
        },
        (None, Some(path)) => match std::fs::metadata(path) {
            Ok(m) if m.is_file() => Ok(()),
            _ => Err(format!(
                "`{path}` is not a readable file (paths are relative to where lakectl runs)"
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::{assert_name_rule, assert_validates};

    #[test]
    fn parameters_are_checked_before_any_call() {
        assert_name_rule(
            name_rule,
            &[
                ("the lake's", "/mycompany/dev/ci/branch", None),
                (
                    "a path without its slash",
                    "mycompany/dev",
                    Some("write `/mycompany/dev`"),
                ),
                (
                    "Amazon's prefix",
                    "/aws/reference",
                    Some("keeps for itself"),
                ),
                ("a space", "/lake/my branch", Some("has ` `")),
            ],
        );
        assert_validates(
            &schema(),
            &[
                ("a plain value", json!({"value": "main"}), &[]),
                (
                    "a secret from a variable that is set",
                    json!({"type": "SecureString", "value_from": {"env": "PATH"}}),
                    &[],
                ),
                (
                    "a secret from a variable that is not",
                    json!({"type": "SecureString", "value_from": {"env": "LAKECTL_TEST_NOT_SET_ANYWHERE"}}),
                    &["is not set; export it"],
                ),
                (
                    "two sources",
                    json!({"type": "SecureString", "value_from": {"env": "PATH", "file": "Cargo.toml"}}),
                    &["exactly one"],
                ),
                (
                    "a value over 4 KB",
                    json!({"value": "x".repeat(5000)}),
                    &["at most 4096"],
                ),
            ],
        );
    }
}
