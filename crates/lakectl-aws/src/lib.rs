//! Glue shared by the provider crates: one SDK config with timeouts, and SDK errors mapped
//! to [`ProviderError`] with the operation, the resource, AWS's code, message and request id.
//!
//! Depends on the SDK's runtime crates only, never on a service crate, so each provider
//! keeps exactly one service SDK.

mod config;
mod errors;

pub use config::{AccountContext, AwsTarget, sdk_config};
pub use errors::{aws_error, error_code, is_code};
