//! Reading a role and everything attached to it.

use crate::live::RoleFacts;
use aws_sdk_iam::Client;
use lakectl_core::ProviderError;
use lakectl_provider::{Doing, Found};
use tokio::task::JoinSet;

/// Reads a role, its inline and managed policies and its tags; `None` when it does not exist.
///
/// GetRole first (it says whether the role exists), then the three lists concurrently.
pub async fn read_role(client: &Client, name: &str) -> Result<Option<RoleFacts>, ProviderError> {
    let got = client
        .get_role()
        .role_name(name)
        .send()
        .await
        .doing("iam:GetRole", name)
        .found()?;
    let Some(role) = got.and_then(|out| out.role) else {
        return Ok(None);
    };
    let lists = tokio::try_join!(
        inline_policies(client, name),
        managed_policy_arns(client, name),
        tags(client, name),
    );
    let (inline_policies, managed_policy_arns, tags) = match lists {
        Ok(found) => found,
        // Deleted between GetRole and the lists: report what is true now.
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some(RoleFacts {
        name: role.role_name().to_string(),
        path: role.path().to_string(),
        arn: role.arn().to_string(),
        role_id: role.role_id().to_string(),
        description: role.description().map(str::to_string),
        assume_role_policy: role.assume_role_policy_document().map(str::to_string),
        max_session_duration: role.max_session_duration(),
        permissions_boundary: role
            .permissions_boundary()
            .and_then(|b| b.permissions_boundary_arn())
            .map(str::to_string),
        inline_policies,
        managed_policy_arns,
        tags,
    }))
}

/// Names of the role's inline policies (all pages).
pub async fn inline_policy_names(
    client: &Client,
    name: &str,
) -> Result<Vec<String>, ProviderError> {
    client
        .list_role_policies()
        .role_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .doing("iam:ListRolePolicies", name)
}

/// Every inline policy: name and percent-encoded document, fetched concurrently.
async fn inline_policies(
    client: &Client,
    name: &str,
) -> Result<Vec<(String, String)>, ProviderError> {
    let mut tasks = JoinSet::new();
    for policy in inline_policy_names(client, name).await? {
        let client = client.clone();
        let role = name.to_string();
        tasks.spawn(async move {
            let out = client
                .get_role_policy()
                .role_name(&role)
                .policy_name(&policy)
                .send()
                .await
                .doing("iam:GetRolePolicy", &format!("{role}/{policy}"))?;
            Ok::<_, ProviderError>((policy, out.policy_document))
        });
    }
    let mut found = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let result = joined.map_err(|e| {
            ProviderError::invalid(name, format!("reading an inline policy stopped: {e}"))
        })?;
        found.push(result?);
    }
    found.sort();
    Ok(found)
}

/// ARNs of the managed policies attached to the role (all pages).
pub async fn managed_policy_arns(
    client: &Client,
    name: &str,
) -> Result<Vec<String>, ProviderError> {
    let attached: Vec<_> = client
        .list_attached_role_policies()
        .role_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .doing("iam:ListAttachedRolePolicies", name)?;
    Ok(attached
        .iter()
        .filter_map(|p| p.policy_arn().map(str::to_string))
        .collect())
}

/// All tags on the role (all pages).
async fn tags(client: &Client, name: &str) -> Result<Vec<(String, String)>, ProviderError> {
    let tags: Vec<_> = client
        .list_role_tags()
        .role_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .doing("iam:ListRoleTags", name)?;
    Ok(tags
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect())
}
