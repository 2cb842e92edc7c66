//! Item attributes as the JSON users write and as DynamoDB's typed values.
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Map, Number, Value};
use std::collections::HashMap;

/// A JSON value as a DynamoDB attribute: strings S, numbers N, booleans BOOL, null NULL,
/// lists L, mappings M.
pub fn to_attribute(v: &Value) -> AttributeValue {
    match v {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::Number(n) => AttributeValue::N(n.to_string()),
        Value::String(s) => AttributeValue::S(s.clone()),
        Value::Array(items) => AttributeValue::L(items.iter().map(to_attribute).collect()),
        Value::Object(m) => AttributeValue::M(
            m.iter()
                .map(|(k, v)| (k.clone(), to_attribute(v)))
                .collect(),
        ),
    }
}

/// A DynamoDB attribute as JSON; string and number sets read as lists. Binary values are
/// not something a stack file can declare, so they are an error naming the attribute.
///
/// # Errors
/// A binary attribute, or a number DynamoDB should never have returned.
pub fn to_json(name: &str, a: &AttributeValue) -> Result<Value, String> {
    let number = |n: &str| {
        n.parse::<Number>()
            .map(Value::Number)
            .map_err(|_| format!("attribute `{name}` holds `{n}`, which is not a number"))
    };
    Ok(match a {
        AttributeValue::S(s) => Value::String(s.clone()),
        AttributeValue::N(n) => number(n)?,
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::L(items) => items
            .iter()
            .map(|i| to_json(name, i))
            .collect::<Result<_, _>>()?,
        AttributeValue::M(m) => Value::Object(to_object(m)?),
        AttributeValue::Ss(ss) => ss.iter().cloned().map(Value::String).collect(),
        AttributeValue::Ns(ns) => ns.iter().map(|n| number(n)).collect::<Result<_, _>>()?,
        _ => {
            return Err(format!(
                "attribute `{name}` is binary, which a dynamodb.item cannot declare"
            ));
        }
    })
}

/// A whole item (or map) as a JSON object.
///
/// # Errors
/// As [`to_json`].
pub fn to_object(item: &HashMap<String, AttributeValue>) -> Result<Map<String, Value>, String> {
    item.iter()
        .map(|(k, v)| Ok((k.clone(), to_json(k, v)?)))
        .collect()
}

/// Numbers as DynamoDB keeps them: `1.0` is stored and read back as `1`, `2.50` as `2.5`.
pub fn normalize_numbers(v: &mut Value) {
    match v {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|_| !(n.is_i64() || n.is_u64()))
                && f.fract() == 0.0
                && f.abs() < 9.0e15
            {
                // Exact: a whole f64 below 2^53.
                #[allow(clippy::cast_possible_truncation)]
                let whole = f as i64;
                *n = Number::from(whole);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_numbers),
        Value::Object(m) => m.values_mut().for_each(normalize_numbers),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_round_trips_through_attributes() {
        let item = json!({"format": "csv", "schema_version": 1, "max_bad_fraction": 0.8,
                          "csv": {"header": true, "delimiter": ","}, "null_values": [""],
                          "engine": null});
        let attrs: HashMap<String, AttributeValue> = item
            .as_object()
            .expect("object")
            .iter()
            .map(|(k, v)| (k.clone(), to_attribute(v)))
            .collect();
        assert_eq!(attrs["schema_version"], AttributeValue::N("1".into()));
        assert_eq!(Value::Object(to_object(&attrs).expect("json")), item);
    }

    #[test]
    fn numbers_compare_as_dynamodb_keeps_them() {
        // "2.50" from an emulator that does not normalize reads as 2.5, as AWS returns it.
        assert_eq!(
            to_json("n", &AttributeValue::N("2.50".into())),
            Ok(json!(2.5))
        );
        let mut whole = json!({"a": 1.0, "b": [2.0, 2.5], "c": 3});
        normalize_numbers(&mut whole);
        assert_eq!(whole, json!({"a": 1, "b": [2, 2.5], "c": 3}));
        assert_eq!(
            to_json("ns", &AttributeValue::Ns(vec!["1".into(), "x".into()])),
            Err("attribute `ns` holds `x`, which is not a number".into())
        );
        assert!(
            to_json("b", &AttributeValue::B(vec![1u8].into()))
                .expect_err("binary")
                .contains("binary")
        );
    }
}
