//! The one `SdkConfig` every client is built from.

use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use std::time::Duration;

/// Where to deploy: the region and, for an emulator, an endpoint URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsTarget {
    /// The AWS region.
    pub region: String,
    /// An endpoint URL overriding AWS's (the local emulator).
    pub endpoint: Option<String>,
}

impl AwsTarget {
    /// Whether an endpoint other than AWS's is in use: S3 then needs path-style addressing,
    /// since `bucket.localhost` does not resolve.
    pub fn is_custom_endpoint(&self) -> bool {
        self.endpoint.is_some()
    }
}

/// Loads credentials from the standard chain and sets region, endpoint and timeouts.
///
/// The SDK has no operation or read timeout by default: a server that accepts a connection
/// and never answers would hang a deploy forever. Every attempt gets 30 s, every operation
/// (with its retries) 90 s.
pub async fn sdk_config(target: &AwsTarget) -> SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_attempt_timeout(Duration::from_secs(30))
        .operation_timeout(Duration::from_secs(90))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(target.region.clone()))
        .timeout_config(timeouts);
    if let Some(url) = &target.endpoint {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// The account, region and partition being deployed into: providers build ARNs from it.
/// Comes from `sts:GetCallerIdentity`, never from constants (moto and LocalStack differ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountContext {
    /// The 12-digit account id.
    pub account_id: String,
    /// The region.
    pub region: String,
    /// `aws`, `aws-cn`, `aws-us-gov`.
    pub partition: String,
}

impl AccountContext {
    /// The partition a region belongs to.
    pub fn partition_of(region: &str) -> &'static str {
        if region.starts_with("cn-") {
            "aws-cn"
        } else if region.starts_with("us-gov-") {
            "aws-us-gov"
        } else {
            "aws"
        }
    }
}
