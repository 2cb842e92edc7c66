//! Policy documents in one canonical form, so that AWS's rewriting never shows as a diff.
//!
//! AWS accepts a single string or a list wherever a statement takes a set of values and may
//! give back either; it reads a single statement back as a list; it turns an account id in a
//! principal into `arn:aws:iam::<id>:root`; and IAM returns documents percent-encoded. The
//! canonical form: `Statement` always a list, sorted (IAM evaluates statements as a set: their
//! order means nothing, and a tool that kept it showed reordered documents as changes), every
//! value set a sorted, de-duplicated list of strings, account principals as the bare id, an
//! empty `Sid` left out.

use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

/// Statement keys whose value is a set of strings.
const SET_KEYS: &[&str] = &["Action", "NotAction", "Resource", "NotResource"];
/// Statement keys whose value is `"*"` or a mapping of principal type to a set of strings.
const PRINCIPAL_KEYS: &[&str] = &["Principal", "NotPrincipal"];

/// Puts a policy document in canonical form. Pure and idempotent; a document written as JSON
/// text is parsed first; anything that is not a policy document comes back unchanged.
pub fn normalize_policy(doc: &Value) -> Value {
    match doc {
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(parsed @ Value::Object(_)) => normalize_policy(&parsed),
            _ => doc.clone(),
        },
        Value::Object(obj) => Value::Object(
            obj.iter()
                .map(|(k, v)| {
                    let v = if k == "Statement" {
                        normalize_statements(v)
                    } else {
                        v.clone()
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn normalize_statements(v: &Value) -> Value {
    match v {
        Value::Array(items) => {
            let mut all: Vec<Value> = items.iter().map(normalize_statement).collect();
            all.sort_by_cached_key(Value::to_string);
            Value::Array(all)
        }
        single @ Value::Object(_) => Value::Array(vec![normalize_statement(single)]),
        other => other.clone(),
    }
}

fn normalize_statement(v: &Value) -> Value {
    let Some(obj) = v.as_object() else {
        return v.clone();
    };
    let mut out = Map::new();
    for (k, val) in obj {
        if k == "Sid" && val.as_str() == Some("") {
            continue;
        }
        let val = if SET_KEYS.contains(&k.as_str()) {
            string_set(val)
        } else if PRINCIPAL_KEYS.contains(&k.as_str()) {
            normalize_principal(val)
        } else if k == "Condition" {
            normalize_condition(val)
        } else {
            val.clone()
        };
        out.insert(k.clone(), val);
    }
    Value::Object(out)
}

/// `"*"` stays `"*"`; a mapping gets every value as a set.
fn normalize_principal(v: &Value) -> Value {
    let Some(obj) = v.as_object() else {
        return v.clone();
    };
    Value::Object(
        obj.iter()
            .map(|(kind, ids)| {
                let mut set = string_set(ids);
                if kind == "AWS"
                    && let Value::Array(items) = &mut set
                {
                    for item in items.iter_mut() {
                        if let Some(id) = item.as_str().and_then(account_of_root_arn) {
                            *item = Value::String(id.to_string());
                        }
                    }
                    sort_dedup(items);
                }
                (kind.clone(), set)
            })
            .collect(),
    )
}

/// `arn:<partition>:iam::<12 digits>:root` → the account id: AWS rewrites a bare id to that
/// ARN, and the bare form needs no partition.
fn account_of_root_arn(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    let id = rest.strip_prefix("iam::")?.strip_suffix(":root")?;
    (id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())).then_some(id)
}

/// `{operator: {key: value-or-values}}`: IAM compares condition values as strings.
fn normalize_condition(v: &Value) -> Value {
    let Some(ops) = v.as_object() else {
        return v.clone();
    };
    Value::Object(
        ops.iter()
            .map(|(op, keys)| {
                let keys = match keys.as_object() {
                    Some(k) => Value::Object(
                        k.iter()
                            .map(|(key, vals)| (key.clone(), string_set(vals)))
                            .collect(),
                    ),
                    None => keys.clone(),
                };
                (op.clone(), keys)
            })
            .collect(),
    )
}

/// A scalar or a list → a sorted, de-duplicated list of strings. Other shapes are kept.
fn string_set(v: &Value) -> Value {
    let mut items: Vec<Value> = match v {
        Value::Array(items) => items.iter().map(scalar_as_string).collect(),
        Value::String(_) | Value::Bool(_) | Value::Number(_) => vec![scalar_as_string(v)],
        other => return other.clone(),
    };
    sort_dedup(&mut items);
    Value::Array(items)
}

fn scalar_as_string(v: &Value) -> Value {
    match v {
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Number(n) => Value::String(n.to_string()),
        other => other.clone(),
    }
}

fn sort_dedup(items: &mut Vec<Value>) {
    items.sort_by(|a, b| match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => x.cmp(y),
        _ => a.to_string().cmp(&b.to_string()),
    });
    items.dedup();
}

/// Parses a policy document as IAM returns it: percent-encoded JSON (the SDK does not decode
/// it). Text that already is JSON is parsed as it stands.
///
/// # Errors
/// The text is not valid percent-encoded UTF-8 JSON; the message says which step failed.
pub fn decode_policy_document(raw: &str) -> Result<Value, String> {
    let trimmed = raw.trim_start();
    // Encoded text never starts with `{` (that is `%7B`); decoding plain JSON could mangle a
    // literal `%` inside it.
    let text = if trimmed.starts_with('{') {
        std::borrow::Cow::Borrowed(raw)
    } else {
        percent_decode_str(raw)
            .decode_utf8()
            .map_err(|e| format!("the policy document is not percent-encoded UTF-8: {e}"))?
    };
    serde_json::from_str(&text).map_err(|e| format!("the policy document is not JSON: {e}"))
}

/// The JSON text to send for a policy document: text as written, anything else serialized.
pub fn policy_text(doc: &Value) -> String {
    match doc {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn trust(principal: Value) -> Value {
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]})
    }

    #[test]
    fn aws_rewriting_normalizes_equal() {
        let cases: Vec<(&str, Value, Value)> = vec![
            (
                "single statement comes back as a list",
                json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}),
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]}),
            ),
            (
                "single action string vs one-item list",
                json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}),
                json!({"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::b/*"}]}),
            ),
            (
                "action order does not matter",
                json!({"Statement": [{"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": "*"}]}),
                json!({"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}]}),
            ),
            (
                "duplicate actions collapse",
                json!({"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObject"], "Resource": "*"}]}),
                json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
            ),
            (
                "resource order does not matter",
                json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b"]}]}),
                json!({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}]}),
            ),
            (
                "NotAction and NotResource are sets too",
                json!({"Statement": [{"Effect": "Deny", "NotAction": "iam:*", "NotResource": ["b", "a"]}]}),
                json!({"Statement": [{"Effect": "Deny", "NotAction": ["iam:*"], "NotResource": ["a", "b"]}]}),
            ),
            (
                "service principal string vs list",
                trust(json!({"Service": "glue.amazonaws.com"})),
                trust(json!({"Service": ["glue.amazonaws.com"]})),
            ),
            (
                "service principals in any order",
                trust(json!({"Service": ["states.amazonaws.com", "glue.amazonaws.com"]})),
                trust(json!({"Service": ["glue.amazonaws.com", "states.amazonaws.com"]})),
            ),
            (
                "account id comes back as its root ARN",
                trust(json!({"AWS": "123456789012"})),
                trust(json!({"AWS": "arn:aws:iam::123456789012:root"})),
            ),
            (
                "condition value scalar vs list",
                json!({"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}),
                json!({"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}}]}),
            ),
            (
                "condition bool vs its string",
                json!({"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": false}}}]}),
                json!({"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}),
            ),
            (
                "condition values in any order",
                json!({"Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*", "Condition": {"StringLike": {"s3:prefix": ["b/", "a/"]}}}]}),
                json!({"Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*", "Condition": {"StringLike": {"s3:prefix": ["a/", "b/"]}}}]}),
            ),
            (
                "document written as JSON text",
                json!(
                    "{\"Version\": \"2012-10-17\", \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}}"
                ),
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["*"]}]}),
            ),
            (
                "statements in another order (IAM-3: evaluated as a set)",
                json!({"Statement": [
                    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                    {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}),
                json!({"Statement": [
                    {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
                    {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
            ),
            (
                "an empty Sid is no Sid (IAM-5)",
                json!({"Statement": [{"Sid": "", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
                json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
            ),
            (
                "key order inside a statement does not matter",
                json!({"Statement": [{"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}),
                json!({"Statement": [{"Resource": "*", "Action": "s3:GetObject", "Effect": "Allow", "Sid": "Read"}]}),
            ),
        ];
        for (why, written, returned) in cases {
            let a = normalize_policy(&written);
            let b = normalize_policy(&returned);
            assert_eq!(a, b, "{why}");
            assert_eq!(normalize_policy(&a), a, "{why}: not idempotent");
        }
    }

    #[test]
    fn real_changes_stay_different() {
        let base = json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
            {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b"}]});
        let with = |f: &dyn Fn(&mut Value)| {
            let mut v = base.clone();
            f(&mut v);
            v
        };
        let cases: Vec<(&str, Value)> = vec![
            (
                "another action",
                with(&|v| v["Statement"][0]["Action"] = json!(["s3:GetObject", "s3:PutObject"])),
            ),
            (
                "another resource",
                with(&|v| v["Statement"][0]["Resource"] = json!("arn:aws:s3:::c/*")),
            ),
            (
                "allow became deny",
                with(&|v| v["Statement"][0]["Effect"] = json!("Deny")),
            ),
            (
                "a statement removed",
                with(&|v| {
                    v["Statement"].as_array_mut().expect("list").pop();
                }),
            ),
            (
                "sid renamed",
                with(&|v| v["Statement"][0]["Sid"] = json!("ReadObjects")),
            ),
            (
                "version changed",
                with(&|v| v["Version"] = json!("2008-10-17")),
            ),
            (
                "condition added",
                with(&|v| {
                    v["Statement"][1]["Condition"] = json!({"StringLike": {"s3:prefix": "a/"}})
                }),
            ),
            (
                "wildcard principal is not a service",
                with(&|v| v["Statement"][0]["Principal"] = json!("*")),
            ),
        ];
        let norm_base = normalize_policy(&base);
        for (why, changed) in cases {
            assert_ne!(normalize_policy(&changed), norm_base, "{why}");
        }
        assert_ne!(
            normalize_policy(&trust(json!("*"))),
            normalize_policy(&trust(json!({"AWS": "*"}))),
            "`*` is kept as written, not turned into a mapping"
        );
        assert_ne!(
            normalize_policy(&trust(json!({"Service": "glue.amazonaws.com"}))),
            normalize_policy(&trust(json!({"Service": "states.amazonaws.com"}))),
            "a different service is a different trust"
        );
        assert_ne!(
            normalize_policy(&trust(json!({"AWS": "arn:aws:iam::123456789012:role/x"}))),
            normalize_policy(&trust(json!({"AWS": "123456789012"}))),
            "a role is not its whole account"
        );
    }

    #[test]
    fn decodes_what_iam_returns() {
        let cases: Vec<(&str, &str, Result<Value, &str>)> = vec![
            (
                "percent-encoded as IAM returns it",
                "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Ab/%2A%22%7D%5D%7D",
                Ok(json!({"Statement": [{"Effect": "Allow", "Resource": "arn:aws:s3:::b/*"}]})),
            ),
            (
                "encoded space and non-ASCII",
                "%7B%22Sid%22%3A%22caf%C3%A9%20r%22%7D",
                Ok(json!({"Sid": "café r"})),
            ),
            (
                "plus is a literal plus, not a space",
                "%7B%22Sid%22%3A%22a+b%22%7D",
                Ok(json!({"Sid": "a+b"})),
            ),
            (
                "plain JSON keeps a literal percent",
                "{\"Sid\": \"100%25\"}",
                Ok(json!({"Sid": "100%25"})),
            ),
            ("not JSON after decoding", "%7Bnope", Err("not JSON")),
            ("invalid UTF-8", "%FF%FE", Err("not percent-encoded UTF-8")),
        ];
        for (why, raw, want) in cases {
            match (decode_policy_document(raw), want) {
                (Ok(got), Ok(w)) => assert_eq!(got, w, "{why}"),
                (Err(got), Err(w)) => assert!(got.contains(w), "{why}: {got}"),
                (got, want) => panic!("{why}: got {got:?}, want {want:?}"),
            }
        }
    }
}
