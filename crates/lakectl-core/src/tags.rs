//! lakectl's ownership tags: the keys it puts on everything taggable, and reading them back.
//!
//! Every kind reads its tags back into the `tags` property of its live spec, ownership tags
//! included; the engine compares them with who it is ([`Owner::of`]) before it changes
//! anything. Providers never decide ownership themselves.

use serde_json::Value;

/// The stack that owns the resource.
pub const STACK: &str = "lakectl:stack";
/// The environment that owns the resource.
pub const ENV: &str = "lakectl:env";
/// The resource's address in the stack file.
pub const ADDRESS: &str = "lakectl:address";
/// Prefix shared by all ownership tags.
pub const PREFIX: &str = "lakectl:";

/// Who the ownership tags of a live resource name. Each part is `None` when its tag is absent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Owner {
    /// The `lakectl:stack` tag.
    pub stack: Option<String>,
    /// The `lakectl:env` tag.
    pub env: Option<String>,
    /// The `lakectl:address` tag.
    pub address: Option<String>,
}

impl Owner {
    /// The owner named by the `tags` of a live spec.
    pub fn of(live_spec: &Value) -> Owner {
        let tag = |k: &str| {
            live_spec
                .get("tags")
                .and_then(|t| t.get(k))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        Owner {
            stack: tag(STACK),
            env: tag(ENV),
            address: tag(ADDRESS),
        }
    }

    /// Whether no ownership tag is present at all.
    pub fn is_untagged(&self) -> bool {
        self.stack.is_none() && self.env.is_none() && self.address.is_none()
    }

    /// Whether all three tags name exactly this stack, env and address.
    pub fn is(&self, stack: &str, env: &str, address: &str) -> bool {
        self.stack.as_deref() == Some(stack)
            && self.env.as_deref() == Some(env)
            && self.address.as_deref() == Some(address)
    }
}

impl std::fmt::Display for Owner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_string());
        write!(
            f,
            "stack {}, env {}, address {}",
            show(&self.stack),
            show(&self.env),
            show(&self.address)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn owner_is_read_from_the_tags_of_a_live_spec() {
        let ours = json!({"tags": {STACK: "lake", ENV: "dev", ADDRESS: "raw", "team": "x"}});
        let cases = [
            ("all three ours", ours.clone(), true, false),
            (
                "another env",
                json!({"tags": {STACK: "lake", ENV: "prod", ADDRESS: "raw"}}),
                false,
                false,
            ),
            (
                "one tag missing",
                json!({"tags": {STACK: "lake", ENV: "dev"}}),
                false,
                false,
            ),
            ("untagged", json!({"tags": {"team": "x"}}), false, true),
            ("no tags property", json!({}), false, true),
        ];
        for (why, spec, ours, untagged) in cases {
            let owner = Owner::of(&spec);
            assert_eq!(owner.is("lake", "dev", "raw"), ours, "{why}");
            assert_eq!(owner.is_untagged(), untagged, "{why}");
        }
        assert_eq!(
            Owner::of(&json!({"tags": {STACK: "lake"}})).to_string(),
            "stack lake, env (none), address (none)"
        );
    }
}
