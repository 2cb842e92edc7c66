//! Property values as people read them.

use serde_json::Value;

/// A value on one line when short, else pretty JSON over several lines (indented by `indent`).
pub fn show(v: &Value, indent: &str) -> String {
    let compact = match v {
        Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    if compact.len() <= 80 || !(v.is_object() || v.is_array()) {
        return compact;
    }
    let pretty = serde_json::to_string_pretty(v).unwrap_or(compact);
    pretty
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("\n{indent}{l}")
            }
        })
        .collect()
}

/// A before → after pair for long documents: only the lines that differ, with context.
pub fn line_diff(before: &Value, after: &Value, indent: &str) -> String {
    let a = serde_json::to_string_pretty(before).unwrap_or_default();
    let b = serde_json::to_string_pretty(after).unwrap_or_default();
    let diff = similar::TextDiff::from_lines(&a, &b);
    let mut out = String::new();
    for (i, group) in diff.grouped_ops(2).into_iter().enumerate() {
        // Hunks are apart in the document: mark the lines left out between them.
        if i > 0 {
            out.push_str(&format!("\n{indent}  ..."));
        }
        for op in group {
            for change in diff.iter_changes(&op) {
                let sign = match change.tag() {
                    similar::ChangeTag::Delete => "-",
                    similar::ChangeTag::Insert => "+",
                    similar::ChangeTag::Equal => " ",
                };
                out.push_str(&format!("\n{indent}{sign} {}", change.value().trim_end()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn short_values_stay_on_one_line() {
        let cases = [
            ("string quoted", json!("abc"), "\"abc\""),
            ("bool", json!(true), "true"),
            ("small map", json!({"a": 1}), "{\"a\":1}"),
        ];
        for (why, v, want) in cases {
            assert_eq!(show(&v, "  "), want, "{why}");
        }
    }

    #[test]
    fn long_documents_diff_by_line() {
        let before =
            json!({"Statement": [{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::a/*"}]});
        let after =
            json!({"Statement": [{"Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]});
        let out = line_diff(&before, &after, "");
        let marked = |sign: &str| -> Vec<String> {
            out.lines()
                .filter(|l| l.starts_with(sign))
                .map(|l| l[1..].trim().to_string())
                .collect()
        };
        assert_eq!(marked("-"), ["\"Resource\": \"arn:aws:s3:::a/*\""], "{out}");
        assert_eq!(marked("+"), ["\"Resource\": \"arn:aws:s3:::b/*\""], "{out}");
        assert!(
            out.contains("\"Action\": \"s3:GetObject\","),
            "context lines are kept: {out}"
        );
        assert!(!out.contains("..."), "one hunk, nothing left out: {out}");
    }

    #[test]
    fn hunks_far_apart_are_separated() {
        let statements = |first: &str, last: &str| {
            json!({"Statement": [
                {"Sid": "A", "Action": first, "Resource": "r1", "Effect": "Allow"},
                {"Sid": "B", "Action": "x", "Resource": "r2", "Effect": "Allow"},
                {"Sid": "C", "Action": "y", "Resource": "r3", "Effect": "Allow"},
                {"Sid": "D", "Action": last, "Resource": "r4", "Effect": "Allow"},
            ]})
        };
        let before = statements("s3:GetObject", "s3:PutObject");
        let after = statements("s3:ListBucket", "s3:DeleteObject");
        let out = line_diff(&before, &after, "");
        let separators = out.lines().filter(|l| l.trim() == "...").count();
        assert_eq!(separators, 1, "{out}");
    }
}
