//! The one `SdkConfig` every client is built from.

use aws_config::retry::RetryConfig;
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
    /// Use the emulator's test credentials instead of the standard chain.
    pub test_credentials: bool,
}

/// The access key of the emulator's test credentials (moto's and LocalStack's docs use it).
pub const TEST_ACCESS_KEY: &str = "testing";

impl AwsTarget {
    /// Whether an endpoint other than AWS's is in use: S3 then needs path-style addressing,
    /// since `bucket.localhost` does not resolve.
    pub fn is_custom_endpoint(&self) -> bool {
        self.endpoint.is_some()
    }
}

/// Attempts per call, the first included, before a throttling or transient error is reported.
pub const MAX_ATTEMPTS: u32 = 6;

/// The one retry policy: the SDK's standard mode, [`MAX_ATTEMPTS`] attempts with jittered
/// exponential backoff for throttling and transient errors. Nothing retries on top of it
/// except the engine's re-run of a step for documented eventual consistency.
pub fn retry_config() -> RetryConfig {
    RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS)
}

/// Loads credentials from the standard chain and sets region, endpoint and timeouts.
///
/// The SDK has no operation or read timeout by default: a server that accepts a connection
/// and never answers would hang a deploy forever. Every attempt gets 30 s, every operation
/// (with its retries) 90 s.
///
/// Throttling and transient errors are retried by the SDK's standard mode with up to
/// [`MAX_ATTEMPTS`] attempts and jittered exponential backoff: a deploy touches many resources at
/// once, and IAM and S3's control plane throttle at low rates.
pub async fn sdk_config(target: &AwsTarget) -> SdkConfig {
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .operation_attempt_timeout(Duration::from_secs(30))
        .operation_timeout(Duration::from_secs(90))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(target.region.clone()))
        .timeout_config(timeouts)
        .retry_config(retry_config());
    if let Some(url) = &target.endpoint {
        loader = loader.endpoint_url(url);
    }
    if target.test_credentials {
        loader = loader.credentials_provider(aws_credential_types::Credentials::new(
            TEST_ACCESS_KEY,
            TEST_ACCESS_KEY,
            None,
            None,
            "lakectl-emulator",
        ));
    }
    loader.load().await
}

/// Why no credentials could be had from `config`'s provider, with the provider's own
/// account of what it tried; `None` when there are some.
pub async fn credentials_problem(config: &SdkConfig) -> Option<String> {
    use aws_credential_types::provider::ProvideCredentials;
    let Some(provider) = config.credentials_provider() else {
        return Some("no credentials provider is configured".to_string());
    };
    match provider.provide_credentials().await {
        Ok(_) => None,
        Err(e) => Some(lakectl_core::error::chain(&e)),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_client_gets_timeouts_and_throttling_retries() {
        let target = AwsTarget {
            region: "eu-west-1".into(),
            endpoint: Some("http://127.0.0.1:4566".into()),
            test_credentials: true,
        };
        let config = sdk_config(&target).await;
        let retry = config.retry_config().expect("retry config");
        assert_eq!(retry.max_attempts(), MAX_ATTEMPTS);
        let timeouts = config.timeout_config().expect("timeout config");
        assert_eq!(timeouts.connect_timeout(), Some(Duration::from_secs(5)));
        assert_eq!(
            timeouts.operation_attempt_timeout(),
            Some(Duration::from_secs(30))
        );
        assert_eq!(timeouts.operation_timeout(), Some(Duration::from_secs(90)));
        assert_eq!(config.endpoint_url(), Some("http://127.0.0.1:4566"));
        assert_eq!(config.region().map(|r| r.as_ref()), Some("eu-west-1"));
        assert_eq!(
            credentials_problem(&config).await,
            None,
            "the test credentials"
        );
    }

    #[test]
    fn partitions_follow_the_region() {
        let cases = [
            ("eu-west-1", "aws"),
            ("cn-north-1", "aws-cn"),
            ("us-gov-west-1", "aws-us-gov"),
        ];
        for (region, want) in cases {
            assert_eq!(AccountContext::partition_of(region), want, "{region}");
        }
    }
}
