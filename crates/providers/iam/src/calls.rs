//! One function per mutating IAM call. "Already gone" on a removal counts as done, so a re-run
//! after a crash converges.

use crate::errors::build_error;
use aws_sdk_iam::Client;
use aws_sdk_iam::types::Tag;
use lakectl_core::ProviderError;
use lakectl_provider::policy::policy_text;
use lakectl_provider::tags::{Call, TagDiff, Tags, sync_pair};
use lakectl_provider::{Doing, Found};
use serde_json::Value;

/// Builds IAM tags.
pub fn iam_tags(role: &str, tags: &Tags) -> Result<Vec<Tag>, ProviderError> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| build_error(role, "a tag", e))
        })
        .collect()
}

/// PutRolePolicy.
pub async fn put_inline(
    c: &Client,
    role: &str,
    policy: &str,
    doc: &Value,
) -> Result<(), ProviderError> {
    c.put_role_policy()
        .role_name(role)
        .policy_name(policy)
        .policy_document(policy_text(doc))
        .send()
        .await
        .doing("iam:PutRolePolicy", &format!("{role}/{policy}"))
        .map(drop)
}

/// DeleteRolePolicy; a policy already gone is fine.
pub async fn delete_inline(c: &Client, role: &str, policy: &str) -> Result<(), ProviderError> {
    c.delete_role_policy()
        .role_name(role)
        .policy_name(policy)
        .send()
        .await
        .doing("iam:DeleteRolePolicy", &format!("{role}/{policy}"))
        .gone_is_done()
}

/// AttachRolePolicy.
pub async fn attach(c: &Client, role: &str, arn: &str) -> Result<(), ProviderError> {
    c.attach_role_policy()
        .role_name(role)
        .policy_arn(arn)
        .send()
        .await
        .doing("iam:AttachRolePolicy", &format!("{role} ({arn})"))
        .map(drop)
}

/// DetachRolePolicy; a policy no longer attached is fine.
pub async fn detach(c: &Client, role: &str, arn: &str) -> Result<(), ProviderError> {
    c.detach_role_policy()
        .role_name(role)
        .policy_arn(arn)
        .send()
        .await
        .doing("iam:DetachRolePolicy", &format!("{role} ({arn})"))
        .gone_is_done()
}

/// PutRolePermissionsBoundary.
pub async fn put_boundary(c: &Client, role: &str, arn: &str) -> Result<(), ProviderError> {
    c.put_role_permissions_boundary()
        .role_name(role)
        .permissions_boundary(arn)
        .send()
        .await
        .doing("iam:PutRolePermissionsBoundary", role)
        .map(drop)
}

/// DeleteRolePermissionsBoundary; no boundary is fine.
pub async fn delete_boundary(c: &Client, role: &str) -> Result<(), ProviderError> {
    c.delete_role_permissions_boundary()
        .role_name(role)
        .send()
        .await
        .doing("iam:DeleteRolePermissionsBoundary", role)
        .gone_is_done()
}

/// TagRole / UntagRole with what differs.
pub async fn sync_tags(c: &Client, role: &str, diff: &TagDiff) -> Result<(), ProviderError> {
    let set = iam_tags(role, &diff.set)?;
    let tag = Call {
        operation: "iam:TagRole",
        send: |_: Tags| c.tag_role().role_name(role).set_tags(Some(set)).send(),
    };
    let untag = Call {
        operation: "iam:UntagRole",
        send: |keys| {
            c.untag_role()
                .role_name(role)
                .set_tag_keys(Some(keys))
                .send()
        },
    };
    sync_pair(role, diff, tag, untag).await
}
