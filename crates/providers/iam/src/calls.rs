//! One function per mutating IAM call, each mapping its error with the operation's name.
//! "Already gone" on a removal counts as done, so a re-run after a crash converges.

use crate::errors::build_error;
use aws_sdk_iam::Client;
use aws_sdk_iam::types::Tag;
use lakectl_core::ProviderError;
use lakectl_provider::aws_error;
use lakectl_provider::policy::policy_text;
use serde_json::Value;

/// Builds IAM tags from key/value pairs.
pub fn iam_tags(role: &str, tags: &[(String, String)]) -> Result<Vec<Tag>, ProviderError> {
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
        .map(drop)
        .map_err(|e| aws_error("iam:PutRolePolicy", &format!("{role}/{policy}"), e))
}

/// DeleteRolePolicy; a policy already gone is fine.
pub async fn delete_inline(c: &Client, role: &str, policy: &str) -> Result<(), ProviderError> {
    match c
        .delete_role_policy()
        .role_name(role)
        .policy_name(policy)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            Ok(())
        }
        Err(e) => Err(aws_error(
            "iam:DeleteRolePolicy",
            &format!("{role}/{policy}"),
            e,
        )),
    }
}

/// AttachRolePolicy.
pub async fn attach(c: &Client, role: &str, arn: &str) -> Result<(), ProviderError> {
    c.attach_role_policy()
        .role_name(role)
        .policy_arn(arn)
        .send()
        .await
        .map(drop)
        .map_err(|e| aws_error("iam:AttachRolePolicy", &format!("{role} ({arn})"), e))
}

/// DetachRolePolicy; a policy no longer attached is fine.
pub async fn detach(c: &Client, role: &str, arn: &str) -> Result<(), ProviderError> {
    match c
        .detach_role_policy()
        .role_name(role)
        .policy_arn(arn)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            Ok(())
        }
        Err(e) => Err(aws_error(
            "iam:DetachRolePolicy",
            &format!("{role} ({arn})"),
            e,
        )),
    }
}

/// PutRolePermissionsBoundary.
pub async fn put_boundary(c: &Client, role: &str, arn: &str) -> Result<(), ProviderError> {
    c.put_role_permissions_boundary()
        .role_name(role)
        .permissions_boundary(arn)
        .send()
        .await
        .map(drop)
        .map_err(|e| aws_error("iam:PutRolePermissionsBoundary", role, e))
}

/// DeleteRolePermissionsBoundary; no boundary is fine.
pub async fn delete_boundary(c: &Client, role: &str) -> Result<(), ProviderError> {
    match c
        .delete_role_permissions_boundary()
        .role_name(role)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_no_such_entity_exception()) =>
        {
            Ok(())
        }
        Err(e) => Err(aws_error("iam:DeleteRolePermissionsBoundary", role, e)),
    }
}

/// TagRole with the given pairs (nothing sent when empty).
pub async fn tag(c: &Client, role: &str, tags: &[(String, String)]) -> Result<(), ProviderError> {
    if tags.is_empty() {
        return Ok(());
    }
    c.tag_role()
        .role_name(role)
        .set_tags(Some(iam_tags(role, tags)?))
        .send()
        .await
        .map(drop)
        .map_err(|e| aws_error("iam:TagRole", role, e))
}

/// UntagRole for the given keys (nothing sent when empty).
pub async fn untag(c: &Client, role: &str, keys: &[String]) -> Result<(), ProviderError> {
    if keys.is_empty() {
        return Ok(());
    }
    c.untag_role()
        .role_name(role)
        .set_tag_keys(Some(keys.to_vec()))
        .send()
        .await
        .map(drop)
        .map_err(|e| aws_error("iam:UntagRole", role, e))
}
