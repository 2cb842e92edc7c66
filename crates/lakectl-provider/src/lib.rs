//! The provider kit: what every resource kind needs and nobody writes twice.
//!
//! - [`sdk_config`]: one SDK config with timeouts and the one retry policy; [`client!`] builds a
//!   service client from it with the call counter ([`calls`]) that `--stats` reads.
//! - [`errors`]: SDK errors mapped to [`lakectl_core::ProviderError`] with the operation, the
//!   resource, AWS's code, message, request id and an [`lakectl_core::ErrorClass`] read from
//!   the code, never from the message; [`Found`] turns "not found" into a fact.
//! - [`tags`]: the desired tags against the live ones, sent as a tag/untag pair or a put-all.
//! - [`wait`]: one bounded wait loop; the engine sets the limit.
//! - [`diff`] and [`policy`]: set-like lists and policy documents compared after normalizing.
//! - `testkit` (feature `testkit`): the emulator client, unique names, a cleanup guard and the
//!   contract suite every kind's emulator tests run.
//!
//! Ownership is decided by the engine from the tags every kind reads back
//! ([`lakectl_core::tags::Owner`]); a provider only reports them.
//!
//! Depends on the SDK's runtime crates only, never on a service crate, so each provider
//! keeps exactly one service SDK.

pub mod calls;
pub mod checks;
mod config;
pub mod diff;
mod down;
pub mod errors;
pub mod names;
pub mod policy;
pub mod tags;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod wait;

pub use calls::CallLog;
pub use config::{
    AccountContext, AwsTarget, MAX_ATTEMPTS, credentials_problem, retry_config, sdk_config,
};
pub use down::{EndpointDown, set_outage_grace};
pub use errors::{Built, ClassedWhen, Doing, Found, aws_error, classify, error_code, is_code};

/// Syncs tags through the `TagResource(ResourceArn, Tags: [{Key, Value}])` /
/// `UntagResource(ResourceArn, TagKeys)` pair that Step Functions, CloudWatch and EventBridge
/// share: `sync_tag_list!(client, "states", &arn, name, &diff, tags_to_set)`, where
/// `tags_to_set` is `diff.set` as the SDK's own `Tag` list. Evaluates to the result of
/// [`tags::sync_pair`].
#[macro_export]
macro_rules! sync_tag_list {
    ($client:expr, $service:literal, $arn:expr, $name:expr, $diff:expr, $set:expr) => {{
        let client = $client;
        let arn: &str = $arn;
        let set = $set;
        let tag = $crate::tags::Call {
            operation: concat!($service, ":TagResource"),
            send: |_: $crate::tags::Tags| {
                client
                    .tag_resource()
                    .resource_arn(arn)
                    .set_tags(Some(set.clone()))
                    .send()
            },
        };
        let untag = $crate::tags::Call {
            operation: concat!($service, ":UntagResource"),
            send: |keys| {
                client
                    .untag_resource()
                    .resource_arn(arn)
                    .set_tag_keys(Some(keys))
                    .send()
            },
        };
        $crate::tags::sync_pair($name, $diff, tag, untag).await
    }};
}

/// A service client built from the shared [`aws_config::SdkConfig`], counting its calls:
/// `client!(aws_sdk_sns, config)`. Extra builder calls go after the config:
/// `client!(aws_sdk_s3, config, |b| b.force_path_style(true))`.
#[macro_export]
macro_rules! client {
    ($sdk:ident, $config:expr) => {
        $crate::client!($sdk, $config, |b| b)
    };
    ($sdk:ident, $config:expr, $extra:expr) => {{
        let builder = $sdk::config::Builder::from($config)
            .interceptor($crate::CallLog)
            .retry_classifier($crate::EndpointDown);
        let extra: &dyn Fn($sdk::config::Builder) -> $sdk::config::Builder = &$extra;
        $sdk::Client::from_conf(extra(builder).build())
    }};
}
