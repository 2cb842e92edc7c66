//! The canonical form desired and live specs are compared in.

use serde_json::Value;

/// Resolves `encryption.bucket_key` (null: on with SSE-KMS; always off with SSE-S3, where
/// S3 ignores it) and sorts lifecycle rules by id and their transitions by days, so that
/// neither a default nor an order shows up as a change.
pub fn normalize(spec: &mut Value) {
    let Some(obj) = spec.as_object_mut() else {
        return;
    };
    if let Some(enc @ Value::Object(_)) = obj.get_mut("encryption") {
        let kms = enc.get("algorithm").and_then(Value::as_str) == Some("SSE-KMS");
        let sse_s3 = matches!(enc.get("algorithm"), None | Some(Value::Null))
            || enc.get("algorithm").and_then(Value::as_str) == Some("SSE-S3");
        let bucket_key = match enc.get("bucket_key") {
            _ if sse_s3 => Value::Bool(false),
            Some(Value::Bool(b)) => Value::Bool(*b),
            _ => Value::Bool(kms),
        };
        enc["bucket_key"] = bucket_key;
    }
    if let Some(Value::Array(rules)) = obj.get_mut("lifecycle_rules") {
        for rule in rules.iter_mut() {
            if let Some(Value::Array(transitions)) = rule.get_mut("transitions") {
                transitions.sort_by_key(|t| {
                    (
                        t.get("days").and_then(Value::as_i64),
                        t.get("storage_class").map(Value::to_string),
                    )
                });
            }
        }
        rules.sort_by_key(|r| r.get("id").map(Value::to_string));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalize_resolves_defaults_and_order() {
        let cases = [
            (
                "SSE-KMS with unset bucket key turns it on",
                json!({"encryption": {"algorithm": "SSE-KMS", "kms_key_id": null, "bucket_key": null}}),
                json!({"encryption": {"algorithm": "SSE-KMS", "kms_key_id": null, "bucket_key": true}}),
            ),
            (
                "SSE-KMS keeps an explicit false",
                json!({"encryption": {"algorithm": "SSE-KMS", "bucket_key": false}}),
                json!({"encryption": {"algorithm": "SSE-KMS", "bucket_key": false}}),
            ),
            (
                "SSE-S3 bucket key is always off, whatever AWS reports",
                json!({"encryption": {"algorithm": "SSE-S3", "bucket_key": true}}),
                json!({"encryption": {"algorithm": "SSE-S3", "bucket_key": false}}),
            ),
            (
                "an unknown live algorithm keeps what it reported",
                json!({"encryption": {"algorithm": "aws:kms:dsse", "bucket_key": true}}),
                json!({"encryption": {"algorithm": "aws:kms:dsse", "bucket_key": true}}),
            ),
            (
                "rules sorted by id, transitions by days",
                json!({"lifecycle_rules": [
                    {"id": "b", "transitions": [{"days": 90, "storage_class": "GLACIER"}, {"days": 30, "storage_class": "STANDARD_IA"}]},
                    {"id": "a", "transitions": []}]}),
                json!({"lifecycle_rules": [
                    {"id": "a", "transitions": []},
                    {"id": "b", "transitions": [{"days": 30, "storage_class": "STANDARD_IA"}, {"days": 90, "storage_class": "GLACIER"}]}]}),
            ),
            (
                "nothing to do",
                json!({"versioning": true}),
                json!({"versioning": true}),
            ),
        ];
        for (why, mut spec, want) in cases {
            normalize(&mut spec);
            assert_eq!(spec, want, "{why}");
        }
    }
}
