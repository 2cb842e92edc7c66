//! Bringing an existing table from its live settings to the desired ones, calling only the
//! APIs whose properties changed. Shared by `update` and by `create` over a table that
//! already existed (a re-run after a crash).

use crate::gsi_plan::{GsiStep, plan_gsi_steps};
use crate::reads::wait_settled;
use crate::table::{Gsi, Table};
use crate::writes;
use aws_sdk_dynamodb::Client;
use lakectl_core::ProviderError;
use std::time::Duration;

/// Where and how long to work.
pub struct Target<'a> {
    /// The client.
    pub client: &'a Client,
    /// The table name.
    pub name: &'a str,
    /// The table ARN, for tagging.
    pub arn: &'a str,
    /// How long to wait for the table to settle after each structural change.
    pub wait_limit: Duration,
}

/// Applies every difference between `live` and `desired` whose property `touches` names.
///
/// # Errors
/// Changed keys (they need a replacement, which is the engine's to plan), or a failed call.
pub async fn converge(
    t: &Target<'_>,
    desired: &Table,
    live: &Table,
    touches: &(dyn Fn(&str) -> bool + Sync),
) -> Result<(), ProviderError> {
    let (c, name) = (t.client, t.name);
    if desired.partition_key != live.partition_key || desired.sort_key != live.sort_key {
        return Err(ProviderError::invalid(
            name,
            "the table's partition or sort key differs from the stack file; keys cannot change \
             in place, so the table must be replaced (delete it, or rename it in the stack file)",
        ));
    }

    let steps = if touches("global_secondary_indexes") {
        plan_gsi_steps(&live.gsis, &desired.gsis)
    } else {
        Vec::new()
    };
    // The indexes the table has as the steps go: deletions first, then creations.
    let mut current: Vec<&Gsi> = live.gsis.iter().collect();
    for step in &steps {
        if let GsiStep::Delete(index) = step {
            writes::delete_gsi(c, name, index).await?;
            current.retain(|g| &g.name != index);
            wait_settled(c, name, t.wait_limit).await?;
        }
    }

    let billing_touched =
        touches("billing_mode") || touches("read_capacity") || touches("write_capacity");
    if billing_touched && desired.billing != live.billing {
        writes::update_billing(c, name, desired.billing, &current).await?;
        wait_settled(c, name, t.wait_limit).await?;
    }

    for step in &steps {
        if let GsiStep::Create(gsi) = step {
            writes::create_gsi(c, name, desired, gsi, &current).await?;
            current.push(gsi);
            wait_settled(c, name, t.wait_limit).await?;
        }
    }

    if touches("deletion_protection") && desired.deletion_protection != live.deletion_protection {
        writes::set_deletion_protection(c, name, desired.deletion_protection).await?;
    }
    if touches("point_in_time_recovery") && desired.pitr != live.pitr {
        writes::set_pitr(c, name, desired.pitr).await?;
    }
    if touches("ttl_attribute") && desired.ttl_attribute != live.ttl_attribute {
        // TTL is on for one attribute at a time, and turning it off must name that one. AWS
        // allows one TTL change per table per hour: moving it to another attribute turns the
        // old one off now, and leaves turning the new one on to a deploy an hour later (the
        // plan says so, see `ttl_note`).
        match (&live.ttl_attribute, &desired.ttl_attribute) {
            (Some(old), _) => writes::set_ttl(c, name, old, false).await?,
            (None, Some(new)) => writes::set_ttl(c, name, new, true).await?,
            (None, None) => {}
        }
    }
    if touches("tags") && desired.tags != live.tags {
        writes::sync_tags(c, name, t.arn, &live.tags, &desired.tags).await?;
    }
    Ok(())
}

/// What the plan says of a TTL change that takes two deploys.
pub fn ttl_note(desired: &serde_json::Value, live: &serde_json::Value) -> Option<String> {
    let attr = |v: &serde_json::Value| {
        v.get("ttl_attribute")
            .and_then(|a| a.as_str())
            .map(str::to_string)
    };
    match (attr(live), attr(desired)) {
        (Some(old), Some(new)) if old != new => Some(format!(
            "in two steps, as AWS allows one TTL change per table per hour: this deploy turns TTL off for `{old}`; a deploy an hour later turns it on for `{new}`"
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_a_move_of_ttl_to_another_attribute_takes_two_deploys() {
        let ttl = |a: serde_json::Value| json!({"ttl_attribute": a});
        let note = ttl_note(&ttl(json!("purge_at")), &ttl(json!("expires_at")));
        assert!(
            note.as_deref()
                .is_some_and(|n| n.contains("turns TTL off for `expires_at`")
                    && n.contains("an hour later turns it on for `purge_at`")),
            "{note:?}"
        );
        assert_eq!(
            ttl_note(&ttl(json!("purge_at")), &ttl(serde_json::Value::Null)),
            None,
            "on"
        );
        assert_eq!(
            ttl_note(&ttl(serde_json::Value::Null), &ttl(json!("expires_at"))),
            None,
            "off"
        );
        assert_eq!(
            ttl_note(&ttl(json!("a")), &ttl(json!("a"))),
            None,
            "unchanged"
        );
    }
}
