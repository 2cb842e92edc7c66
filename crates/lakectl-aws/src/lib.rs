//! Glue shared by the provider crates: one SDK config with timeouts, SDK errors mapped to
//! [`lakectl_core::ProviderError`] with the operation, the resource, AWS's code, message and
//! request id, and a count of the calls made.
//!
//! Depends on the SDK's runtime crates only, never on a service crate, so each provider
//! keeps exactly one service SDK.

pub mod calls;
mod config;
mod errors;

pub use calls::CallLog;
pub use config::{AccountContext, AwsTarget, sdk_config};
pub use errors::{aws_error, error_code, is_code};
