//! Deleting a role: IAM refuses while anything is attached, so detach everything first.

use crate::IamProvider;
use crate::calls::{delete_boundary, delete_inline, detach};
use crate::observe::{inline_policy_names, managed_policy_arns};
use aws_sdk_iam::Client;
use lakectl_core::{DeleteRequest, ProviderError};
use lakectl_provider::{Doing, Found};

/// Removes the role from instance profiles, deletes inline policies, detaches managed
/// policies and the boundary, then deletes the role. A missing role is already deleted.
pub async fn delete(p: &IamProvider, req: &DeleteRequest) -> Result<(), ProviderError> {
    let name = req.name.as_str();
    let c = &p.client;
    let got = c
        .get_role()
        .role_name(name)
        .send()
        .await
        .doing("iam:GetRole", name)
        .found()?;
    let Some(role) = got.and_then(|out| out.role) else {
        return Ok(());
    };
    let lists = tokio::try_join!(
        instance_profiles(c, name),
        inline_policy_names(c, name),
        managed_policy_arns(c, name),
    );
    let (profiles, inline, managed) = match lists {
        Ok(found) => found,
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e),
    };
    for profile in &profiles {
        remove_from_profile(c, name, profile).await?;
    }
    for policy in &inline {
        delete_inline(c, name, policy).await?;
    }
    for arn in &managed {
        detach(c, name, arn).await?;
    }
    if role.permissions_boundary().is_some() {
        delete_boundary(c, name).await?;
    }
    match c
        .delete_role()
        .role_name(name)
        .send()
        .await
        .doing("iam:DeleteRole", name)
        .gone_is_done()
    {
        // Something was attached after the lists above (or they lag behind): the next
        // attempt lists and detaches it.
        Err(e) if e.code() == Some("DeleteConflict") => Err(e.settles_later()),
        other => other,
    }
}

/// Names of the instance profiles the role is in (all pages).
async fn instance_profiles(c: &Client, name: &str) -> Result<Vec<String>, ProviderError> {
    let profiles: Vec<_> = c
        .list_instance_profiles_for_role()
        .role_name(name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .doing("iam:ListInstanceProfilesForRole", name)?;
    Ok(profiles
        .iter()
        .map(|p| p.instance_profile_name().to_string())
        .collect())
}

async fn remove_from_profile(c: &Client, role: &str, profile: &str) -> Result<(), ProviderError> {
    c.remove_role_from_instance_profile()
        .role_name(role)
        .instance_profile_name(profile)
        .send()
        .await
        .doing(
            "iam:RemoveRoleFromInstanceProfile",
            &format!("{role} ({profile})"),
        )
        .gone_is_done()
}
