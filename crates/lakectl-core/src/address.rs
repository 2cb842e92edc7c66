//! Resource addresses: the logical name of a resource in the stack files.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The logical address of a resource: `config_table`, or `customer_bucket[acme]` for one
/// instance of a `for_each` fan-out. Kept apart from the physical (AWS) name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Address(String);

impl Address {
    /// An address for a plain resource or, with `key`, for one instance of a fan-out.
    pub fn new(name: &str, key: Option<&str>) -> Self {
        match key {
            Some(k) => Address(format!("{name}[{k}]")),
            None => Address(name.to_string()),
        }
    }

    /// Parses `name` or `name[key]`; `None` when the text is not an address.
    pub fn parse(text: &str) -> Option<Self> {
        let (name, key) = match text.find('[') {
            Some(i) if text.ends_with(']') => (&text[..i], Some(&text[i + 1..text.len() - 1])),
            Some(_) => return None,
            None => (text, None),
        };
        if !is_identifier(name) {
            return None;
        }
        if let Some(k) = key
            && (k.is_empty() || k.contains(['[', ']', '$', '{', '}']))
        {
            return None;
        }
        Some(Address::new(name, key))
    }

    /// The resource name without the fan-out key.
    pub fn name(&self) -> &str {
        self.0.split('[').next().unwrap_or(&self.0)
    }

    /// The fan-out key, if this is one instance of a `for_each`.
    pub fn key(&self) -> Option<&str> {
        let i = self.0.find('[')?;
        Some(&self.0[i + 1..self.0.len() - 1])
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `[a-z_][a-z0-9_]*`: the names of resources, variables and attributes.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// One resource as AWS knows it: its kind and its physical name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ResourceId {
    /// The resource kind, e.g. `s3.bucket`.
    pub kind: String,
    /// The physical name in AWS (bucket name, table name, role name).
    pub name: String,
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_keyed_addresses() {
        let cases = [
            ("plain", "config_table", Some(("config_table", None))),
            ("keyed", "bucket[acme]", Some(("bucket", Some("acme")))),
            (
                "key with dash",
                "bucket[acme-eu]",
                Some(("bucket", Some("acme-eu"))),
            ),
            ("upper case name", "Bucket", None),
            ("unclosed key", "bucket[acme", None),
            ("empty key", "bucket[]", None),
            ("leading digit", "1bucket", None),
        ];
        for (why, text, want) in cases {
            let got = Address::parse(text);
            let got = got.as_ref().map(|a| (a.name(), a.key()));
            assert_eq!(got, want, "{why}");
        }
    }
}
