//! The `sns.topic` and `sns.subscription` resource kinds, built only on the provider kit.
//!
//! A topic's access policy is compared after normalizing, and SNS's own default policy reads
//! as unset, so equal policies never diff. A subscription is named by what it joins
//! (`TOPIC:PROTOCOL:ENDPOINT`); an email subscription waiting for its confirmation is a
//! normal state, not drift.

mod live;
mod schema;
mod subscription;
mod topic;

pub use live::{SubscriptionFacts, TopicFacts, default_policy, subscription_spec, topic_spec};
pub use schema::{
    PROTOCOLS, SUBSCRIPTION, SubscriptionName, TOPIC, parse_subscription_name, subscription_schema,
    topic_name_rule, topic_schema,
};
pub use subscription::SubscriptionProvider;
pub use topic::TopicProvider;

use lakectl_provider::AccountContext;

/// `arn:{partition}:sns:{region}:{account}:{topic}`.
pub fn topic_arn(account: &AccountContext, topic: &str) -> String {
    format!(
        "arn:{}:sns:{}:{}:{topic}",
        account.partition, account.region, account.account_id
    )
}
