//! The TLS-only bucket policy: the document lakectl writes, and the recognizer that finds its
//! statement in whatever policy a bucket holds.
//!
//! The recognizer compares parsed JSON, not strings: AWS may reorder keys, drop whitespace,
//! write a one-item list as a plain value, and a Sid or the `"false"`/`false` spelling of the
//! condition value does not change what the statement does.

use serde_json::{Value, json};

/// The Sid of the statement lakectl writes.
pub const SID: &str = "DenyInsecureTransport";

/// The ARN of a bucket.
pub fn bucket_arn(partition: &str, name: &str) -> String {
    format!("arn:{partition}:s3:::{name}")
}

/// The bucket policy lakectl writes when `enforce_tls` is on: deny every S3 action on the
/// bucket and its objects when the request is not made over TLS.
pub fn tls_policy(bucket_arn: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": SID,
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [bucket_arn, format!("{bucket_arn}/*")],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }]
    })
}

/// Whether a policy document (as S3 returns it) holds a statement that denies all S3 access
/// over plain http to the bucket and its objects.
///
/// # Errors
/// The document is not JSON.
pub fn policy_enforces_tls(policy: &str, bucket_arn: &str) -> Result<bool, String> {
    let doc: Value = serde_json::from_str(policy)
        .map_err(|e| format!("the bucket policy is not valid JSON: {e}"))?;
    let statements = match doc.get("Statement") {
        Some(Value::Array(list)) => list.iter().collect(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    Ok(statements
        .into_iter()
        .any(|s| is_tls_statement(s, bucket_arn)))
}

/// Whether one statement is the TLS-only deny for `bucket_arn`.
pub fn is_tls_statement(s: &Value, bucket_arn: &str) -> bool {
    let everyone = match s.get("Principal") {
        Some(Value::String(p)) => p == "*",
        Some(Value::Object(m)) => m.len() == 1 && strings(m.get("AWS")) == ["*"],
        _ => false,
    };
    let resources = strings(s.get("Resource"));
    let objects = format!("{bucket_arn}/*");
    let insecure = s
        .get("Condition")
        .and_then(|c| c.get("Bool"))
        .and_then(|b| b.get("aws:SecureTransport"))
        .is_some_and(|v| {
            let vals = match v {
                Value::Array(items) => items.iter().collect(),
                other => vec![other],
            };
            !vals.is_empty() && vals.iter().all(|v| is_false(v))
        });
    s.get("Effect").and_then(Value::as_str) == Some("Deny")
        && everyone
        && s.get("NotAction").is_none()
        && s.get("NotResource").is_none()
        && strings(s.get("Action")).iter().any(|a| a == "s3:*")
        && resources.iter().any(|r| r == bucket_arn)
        && resources.contains(&objects)
        && insecure
        && s.get("Condition")
            .and_then(Value::as_object)
            .is_some_and(|c| c.len() == 1)
}

fn is_false(v: &Value) -> bool {
    match v {
        Value::Bool(b) => !b,
        Value::String(s) => s.eq_ignore_ascii_case("false"),
        _ => false,
    }
}

/// A string or list of strings as a list.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str = "arn:aws:s3:::acme-raw";

    fn statement(overrides: Value) -> String {
        let mut s = tls_policy(ARN)["Statement"][0].clone();
        for (k, v) in overrides.as_object().expect("object") {
            if v.is_null() {
                s.as_object_mut().expect("object").remove(k);
            } else {
                s[k] = v.clone();
            }
        }
        json!({"Version": "2012-10-17", "Statement": [s]}).to_string()
    }

    #[test]
    fn recognizes_the_tls_statement_however_it_is_spelled() {
        let cases: Vec<(&str, String, bool)> = vec![
            ("as written", tls_policy(ARN).to_string(), true),
            (
                "compact and reordered by AWS",
                format!(
                    r#"{{"Statement":{{"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}},"Resource":["{ARN}/*","{ARN}"],"Action":["s3:*"],"Principal":{{"AWS":"*"}},"Effect":"Deny"}},"Version":"2012-10-17"}}"#
                ),
                true,
            ),
            ("no sid", statement(json!({"Sid": null})), true),
            (
                "boolean condition value",
                statement(json!({"Condition": {"Bool": {"aws:SecureTransport": false}}})),
                true,
            ),
            (
                "among other statements",
                json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": format!("{ARN}/*")},
                                     tls_policy(ARN)["Statement"][0].clone()]})
                .to_string(),
                true,
            ),
            ("allow, not deny", statement(json!({"Effect": "Allow"})), false),
            (
                "one principal only",
                statement(json!({"Principal": {"AWS": "arn:aws:iam::123456789012:root"}})),
                false,
            ),
            ("only some actions", statement(json!({"Action": "s3:GetObject"})), false),
            ("bucket only, not objects", statement(json!({"Resource": ARN})), false),
            (
                "another bucket",
                statement(json!({"Resource": ["arn:aws:s3:::other", "arn:aws:s3:::other/*"]})),
                false,
            ),
            (
                "denies tls instead",
                statement(json!({"Condition": {"Bool": {"aws:SecureTransport": "true"}}})),
                false,
            ),
            (
                "narrowed by a second condition",
                statement(json!({"Condition": {"Bool": {"aws:SecureTransport": "false"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}})),
                false,
            ),
            ("no statement at all", r#"{"Version":"2012-10-17"}"#.to_string(), false),
        ];
        for (why, policy, want) in cases {
            assert_eq!(policy_enforces_tls(&policy, ARN), Ok(want), "{why}");
        }
    }

    #[test]
    fn a_policy_that_is_not_json_is_an_error() {
        assert!(policy_enforces_tls("{not json", ARN).is_err());
    }
}
