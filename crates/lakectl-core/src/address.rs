//! Resource addresses: the logical name of a resource in the stack files.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The logical address of a resource: `config_table`, `customer_bucket[acme]` for one
/// instance of a `for_each` fan-out, or `tenant[acme].bucket` for the member `bucket` of one
/// instance of the construct use `tenant`. Kept apart from the physical (AWS) name.
///
/// A member's declaration name is `tenant.bucket` (the use, a dot, the member); the instance
/// key sits after the use, where it belongs: every member of `tenant[acme]` shares it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Address(String);

impl Address {
    /// The address of declaration `name` (`bucket`, or `tenant.bucket` for a construct
    /// member) or, with `key`, of one of its instances.
    pub fn new(name: &str, key: Option<&str>) -> Self {
        match (key, name.split_once('.')) {
            (Some(k), Some((group, member))) => Address(format!("{group}[{k}].{member}")),
            (Some(k), None) => Address(format!("{name}[{k}]")),
            (None, _) => Address(name.to_string()),
        }
    }

    /// Parses `name`, `name[key]`, `group.member` or `group[key].member`; `None` when the
    /// text is not an address.
    pub fn parse(text: &str) -> Option<Self> {
        let (name, key) = match text.find('[') {
            Some(i) => {
                let close = i + text[i..].find(']')?;
                let member = match &text[close + 1..] {
                    "" => None,
                    rest => Some(rest.strip_prefix('.')?),
                };
                let name = match member {
                    Some(m) => format!("{}.{m}", &text[..i]),
                    None => text[..i].to_string(),
                };
                (name, Some(&text[i + 1..close]))
            }
            None => (text.to_string(), None),
        };
        if !is_declaration_name(&name) {
            return None;
        }
        if let Some(k) = key
            && (k.is_empty() || k.contains(['[', ']', '$', '{', '}']))
        {
            return None;
        }
        Some(Address::new(&name, key))
    }

    /// The declaration name without the fan-out key: `customer_bucket`, `tenant.bucket`.
    pub fn name(&self) -> String {
        match (self.0.find('['), self.0.find(']')) {
            (Some(open), Some(close)) => format!("{}{}", &self.0[..open], &self.0[close + 1..]),
            _ => self.0.clone(),
        }
    }

    /// The fan-out key, if this is one instance of a `for_each` (of the resource, or of the
    /// construct use it is a member of).
    pub fn key(&self) -> Option<&str> {
        let open = self.0.find('[')?;
        let close = self.0.find(']')?;
        Some(&self.0[open + 1..close])
    }

    /// The construct use this is a member of: `tenant[acme]` for `tenant[acme].bucket`.
    pub fn group(&self) -> Option<Address> {
        let member_dot = match self.0.find(']') {
            Some(close) => close + 1,
            None => self.0.find('.')?,
        };
        (self.0.len() > member_dot).then(|| Address(self.0[..member_dot].to_string()))
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// `ident` or `ident.ident` (a construct member): the name of a resource declaration.
pub fn is_declaration_name(name: &str) -> bool {
    match name.split_once('.') {
        Some((group, member)) => is_identifier(group) && is_identifier(member),
        None => is_identifier(name),
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

/// Whether `s` can name an attribute: an identifier, or a name as AWS spells its own
/// (a CloudFormation output: `ProjectArn`): a letter or `_`, then letters, digits and `_`.
pub fn is_attribute(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
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
            (
                "asset path",
                "asset[glue/x.py]",
                Some(("asset", Some("glue/x.py"))),
            ),
            (
                "construct member",
                "tenant[acme].bucket",
                Some(("tenant.bucket", Some("acme"))),
            ),
            (
                "member of a single use",
                "tenant.bucket",
                Some(("tenant.bucket", None)),
            ),
            ("member without a name", "tenant[acme].", None),
            ("text after the key", "tenant[acme]bucket", None),
            ("member of a member", "a[k].b.c", None),
        ];
        for (why, text, want) in cases {
            let got = Address::parse(text);
            let got = got.as_ref().map(|a| (a.name(), a.key()));
            let want = want.map(|(n, k)| (n.to_string(), k));
            assert_eq!(got, want, "{why}");
            if let Some(a) = Address::parse(text) {
                assert_eq!(a.as_str(), text, "{why}: round trip");
            }
        }
    }

    #[test]
    fn members_know_their_group() {
        let group = |t: &str| {
            Address::parse(t)
                .and_then(|a| a.group())
                .map(|g| g.to_string())
        };
        assert_eq!(
            group("tenant[acme].bucket").as_deref(),
            Some("tenant[acme]")
        );
        assert_eq!(group("tenant.bucket").as_deref(), Some("tenant"));
        assert_eq!(group("customer_bucket[acme]"), None);
        assert_eq!(group("asset[glue/x.py]"), None);
        assert_eq!(group("config_table"), None);
    }
}
