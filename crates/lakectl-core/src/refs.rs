//! `${...}` templates in spec strings, and references `${address.attr}` between resources.
//!
//! `$${` writes a literal `${` (IAM policy variables such as `$${aws:username}`); it stays
//! escaped through loading and is turned into `${` only when a string is fully resolved.

use crate::address::{Address, is_attribute};
use serde_json::Value;
use std::fmt;

/// A reference to an attribute of another resource: `${customer_bucket[acme].arn}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ref {
    /// The referenced resource.
    pub address: Address,
    /// The attribute, e.g. `arn` or `name`.
    pub attr: String,
}

impl Ref {
    /// Parses the inside of `${...}` as `address.attr`; `None` when it is not of that form.
    pub fn parse(expr: &str) -> Option<Ref> {
        let (addr, attr) = expr.rsplit_once('.')?;
        if !is_attribute(attr) {
            return None;
        }
        Some(Ref {
            address: Address::parse(addr)?,
            attr: attr.to_string(),
        })
    }
}

impl fmt::Display for Ref {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${{{}.{}}}", self.address, self.attr)
    }
}

/// One piece of a template string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text (with `$${` already turned into `${`).
    Text(String),
    /// The inside of a `${...}`, byte offset of the `$` in the source string.
    Expr(String, usize),
}

/// Splits a string into literal text and `${...}` expressions.
///
/// # Errors
/// An unclosed `${` (the message gives its byte offset).
pub fn parse_template(s: &str) -> Result<Vec<Piece>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    let mut offset = 0;
    while let Some(i) = rest.find('$') {
        text.push_str(&rest[..i]);
        let after = &rest[i..];
        if let Some(escaped) = after.strip_prefix("$${") {
            text.push_str("${");
            rest = escaped;
            offset += i + 3;
        } else if let Some(body) = after.strip_prefix("${") {
            let Some(end) = body.find('}') else {
                return Err(format!(
                    "`${{` at character {} is never closed with `}}`",
                    offset + i + 1
                ));
            };
            if !text.is_empty() {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
            }
            pieces.push(Piece::Expr(body[..end].trim().to_string(), offset + i));
            rest = &body[end + 1..];
            offset += i + 2 + end + 1;
        } else {
            text.push('$');
            rest = &after[1..];
            offset += i + 1;
        }
    }
    text.push_str(rest);
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    Ok(pieces)
}

/// Whether a string holds at least one `${...}` (not counting `$${` escapes).
pub fn contains_ref(s: &str) -> bool {
    parse_template(s).is_ok_and(|p| p.iter().any(|p| matches!(p, Piece::Expr(..))))
}

/// Whether any string inside a value holds a `${...}`.
pub fn value_has_ref(v: &Value) -> bool {
    match v {
        Value::String(s) => contains_ref(s),
        Value::Array(a) => a.iter().any(value_has_ref),
        Value::Object(m) => m.values().any(value_has_ref),
        _ => false,
    }
}

/// Every resource reference inside a value, in order of appearance.
pub fn refs_in(v: &Value) -> Vec<Ref> {
    let mut out = Vec::new();
    collect(v, &mut out);
    out
}

fn collect(v: &Value, out: &mut Vec<Ref>) {
    match v {
        Value::String(s) => {
            for p in parse_template(s).unwrap_or_default() {
                if let Piece::Expr(e, _) = p
                    && let Some(r) = Ref::parse(&e)
                {
                    out.push(r);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect(x, out)),
        _ => {}
    }
}

/// A value after references were looked up.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The value. Strings whose references are all known are final (escapes undone);
    /// a string with an unknown reference is left exactly as written.
    pub value: Value,
    /// References whose values are not known yet (the resource is still to be created).
    pub unknown: Vec<Ref>,
}

/// Replaces every `${address.attr}` whose value `lookup` knows.
pub fn resolve(v: &Value, lookup: &dyn Fn(&Ref) -> Option<String>) -> Resolved {
    let mut unknown = Vec::new();
    let value = resolve_value(v, lookup, &mut unknown);
    Resolved { value, unknown }
}

fn resolve_value(
    v: &Value,
    lookup: &dyn Fn(&Ref) -> Option<String>,
    unknown: &mut Vec<Ref>,
) -> Value {
    match v {
        Value::String(s) => {
            let Ok(pieces) = parse_template(s) else {
                return v.clone();
            };
            let mut out = String::new();
            let mut missing = false;
            for p in pieces {
                match p {
                    Piece::Text(t) => out.push_str(&t),
                    Piece::Expr(e, _) => match Ref::parse(&e) {
                        Some(r) => match lookup(&r) {
                            Some(val) => out.push_str(&val),
                            None => {
                                unknown.push(r);
                                missing = true;
                            }
                        },
                        None => missing = true,
                    },
                }
            }
            if missing {
                v.clone()
            } else {
                Value::String(out)
            }
        }
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| resolve_value(x, lookup, unknown))
                .collect(),
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (k.clone(), resolve_value(x, lookup, unknown)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_split_into_text_and_expressions() {
        let cases = [
            ("plain text", "abc", Ok(vec![Piece::Text("abc".into())])),
            ("one expr", "${a.b}", Ok(vec![Piece::Expr("a.b".into(), 0)])),
            (
                "text around",
                "x-${a.b}-y",
                Ok(vec![
                    Piece::Text("x-".into()),
                    Piece::Expr("a.b".into(), 2),
                    Piece::Text("-y".into()),
                ]),
            ),
            (
                "escape",
                "$${aws:username}",
                Ok(vec![Piece::Text("${aws:username}".into())]),
            ),
            ("lone dollar", "a$b", Ok(vec![Piece::Text("a$b".into())])),
            (
                "unclosed",
                "ab${x",
                Err("`${` at character 3 is never closed with `}`".to_string()),
            ),
        ];
        for (why, input, want) in cases {
            assert_eq!(parse_template(input), want, "{why}");
        }
    }

    #[test]
    fn references_parse_addresses_and_attributes() {
        let r = Ref::parse("customer_bucket[acme].arn").expect("a reference");
        assert_eq!(
            (r.address.as_str(), r.attr.as_str()),
            ("customer_bucket[acme]", "arn")
        );
        assert_eq!(Ref::parse("var.x").map(|r| r.attr), Some("x".to_string()));
        assert_eq!(Ref::parse("aws:username"), None);
        assert_eq!(Ref::parse("noattr"), None);
    }

    #[test]
    fn resolve_fills_known_and_keeps_unknown() {
        let spec = json!({"a": "arn:${t.name}/x", "b": ["${u.arn}", "$${aws:username}"], "n": 3});
        let got = resolve(&spec, &|r| {
            (r.address.as_str() == "t").then(|| "tbl".to_string())
        });
        assert_eq!(
            got.value,
            json!({"a": "arn:tbl/x", "b": ["${u.arn}", "${aws:username}"], "n": 3})
        );
        assert_eq!(got.unknown, vec![Ref::parse("u.arn").expect("ref")]);
    }
}
