//! In-place updates: only the APIs whose properties changed are called.

use crate::IamProvider;
use crate::calls::{
    attach, delete_boundary, delete_inline, detach, put_boundary, put_inline, sync_tags,
};
use crate::changes::inline_changes;
use crate::desired::DesiredRole;
use crate::errors::trust_policy_error;
use lakectl_core::{Attributes, ProviderError, UpdateRequest};
use lakectl_provider::Doing;
use lakectl_provider::diff::{set_changes, strings};
use lakectl_provider::policy::policy_text;
use lakectl_provider::tags::{TagDiff, tags_of};

/// Applies `req.changes`; returns the role's attributes read back afterwards.
pub async fn update(p: &IamProvider, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
    let name = req.name.as_str();
    let c = &p.client;
    if let Some(fixed) = req.changes.iter().find(|ch| ch.forces_replace) {
        return Err(ProviderError::invalid(
            name,
            format!(
                "`{}` of a role cannot change in place; the role must be replaced",
                fixed.path
            ),
        ));
    }
    let d = DesiredRole::from_spec(name, &req.desired)?;
    if req.touches("assume_role_policy") {
        c.update_assume_role_policy()
            .role_name(name)
            .policy_document(policy_text(&d.assume_role_policy))
            .send()
            .await
            .map_err(|e| trust_policy_error("iam:UpdateAssumeRolePolicy", name, e))?;
    }
    if req.touches("description") || req.touches("max_session_duration") {
        // Both are always sent: UpdateRole without MaxSessionDuration resets it on moto, and
        // sending the unchanged value is harmless on AWS.
        c.update_role()
            .role_name(name)
            .description(&d.description)
            .max_session_duration(d.max_session_duration)
            .send()
            .await
            .doing("iam:UpdateRole", name)?;
    }
    if req.touches("permissions_boundary") {
        match &d.permissions_boundary {
            Some(arn) => put_boundary(c, name, arn).await?,
            None => delete_boundary(c, name).await?,
        }
    }
    if req.touches("inline_policies") {
        let ch = inline_changes(
            &d.inline_policies,
            req.live.get("inline_policies").and_then(|v| v.as_object()),
        );
        for (policy, doc) in &ch.put {
            put_inline(c, name, policy, doc).await?;
        }
        for policy in &ch.delete {
            delete_inline(c, name, policy).await?;
        }
    }
    if req.touches("managed_policy_arns") {
        let live = strings(req.live.get("managed_policy_arns"));
        let (add, remove) = set_changes(&d.managed_policy_arns, &live);
        for arn in &add {
            attach(c, name, arn).await?;
        }
        for arn in &remove {
            detach(c, name, arn).await?;
        }
    }
    if req.touches("tags") {
        let diff = TagDiff::between(&d.tags, &tags_of(name, &req.live)?);
        sync_tags(c, name, &diff).await?;
    }
    p.attributes_of(name).await
}
