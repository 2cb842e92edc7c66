//! Counts the AWS API calls a process makes, by service and operation.
//!
//! Every client lakectl builds carries [`CallLog`]. The counts let `lakectl` report how many
//! calls a plan took (`--stats`), let the end-to-end tests prove that a no-op deploy makes no
//! mutating call, and let the benchmark report calls per resource.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::BTreeMap;
use std::sync::Mutex;

static CALLS: Mutex<BTreeMap<String, u64>> = Mutex::new(BTreeMap::new());

/// The interceptor: records `service:Operation` once per attempt sent (retries count).
#[derive(Debug, Clone, Copy, Default)]
pub struct CallLog;

impl Intercept for CallLog {
    fn name(&self) -> &'static str {
        "lakectl::CallLog"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(meta) = cfg.load::<Metadata>() {
            let key = format!("{}:{}", meta.service().to_ascii_lowercase(), meta.name());
            let mut calls = CALLS.lock().unwrap_or_else(|p| p.into_inner());
            *calls.entry(key).or_default() += 1;
        }
        Ok(())
    }
}

/// Calls made so far in this process, by `service:Operation`.
pub fn snapshot() -> BTreeMap<String, u64> {
    CALLS.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

/// Whether an operation changes something (by AWS's naming: reads are Get, List, Describe,
/// Head, Query, Scan, BatchGet).
pub fn is_mutating(operation: &str) -> bool {
    let op = operation.rsplit(':').next().unwrap_or(operation);
    const READS: &[&str] = &[
        "Get", "List", "Describe", "Head", "Query", "Scan", "BatchGet",
    ];
    !READS.iter().any(|r| op.starts_with(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_operations_by_verb() {
        let cases = [
            ("read", "s3:GetBucketVersioning", false),
            ("head", "s3:HeadBucket", false),
            ("list", "iam:ListRoleTags", false),
            ("query", "dynamodb:Query", false),
            ("put", "s3:PutBucketTagging", true),
            ("create", "iam:CreateRole", true),
            ("update", "dynamodb:UpdateItem", true),
            ("identity is a read", "sts:GetCallerIdentity", false),
        ];
        for (why, op, want) in cases {
            assert_eq!(is_mutating(op), want, "{why}");
        }
    }
}
