//! CreateRole, then every inline and managed policy; on a role that already exists, converge.

use crate::IamProvider;
use crate::calls::{attach, iam_tags, put_inline};
use crate::desired::DesiredRole;
use crate::errors::trust_policy_error;
use crate::policy::policy_text;
use crate::update::update;
use lakectl_core::{
    Attributes, CreateRequest, Observation, Provider, ProviderError, UpdateRequest,
};

/// Creates the role with every property. A role that already exists (a re-run after a crash)
/// is brought in line with the spec instead.
pub async fn create(p: &IamProvider, req: &CreateRequest) -> Result<Attributes, ProviderError> {
    let name = req.name.as_str();
    let d = DesiredRole::from_spec(name, &req.spec)?;
    let tags: Vec<(String, String)> = d.tags.clone().into_iter().collect();
    // Tags go with CreateRole, so a role never exists without its ownership tags.
    let out = p
        .client
        .create_role()
        .role_name(name)
        .path(&d.path)
        .assume_role_policy_document(policy_text(&d.assume_role_policy))
        .max_session_duration(d.max_session_duration)
        .set_description((!d.description.is_empty()).then(|| d.description.clone()))
        .set_permissions_boundary(d.permissions_boundary.clone())
        .set_tags(
            (!tags.is_empty())
                .then(|| iam_tags(name, &tags))
                .transpose()?,
        )
        .send()
        .await;
    let role = match out {
        Ok(out) => out.role,
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_entity_already_exists_exception()) =>
        {
            return converge(p, req).await;
        }
        Err(e) => return Err(trust_policy_error("iam:CreateRole", name, e)),
    };
    for (policy, doc) in &d.inline_policies {
        put_inline(&p.client, name, policy, doc).await?;
    }
    for arn in &d.managed_policy_arns {
        attach(&p.client, name, arn).await?;
    }
    match role {
        Some(r) => Ok(Attributes::from([
            ("arn".to_string(), r.arn().to_string()),
            ("name".to_string(), name.to_string()),
            ("role_id".to_string(), r.role_id().to_string()),
        ])),
        // CreateRole answered without the role: read it back rather than guess its id.
        None => p.attributes_of(name).await,
    }
}

/// Updates an existing role to the spec: what differs, diffed as the engine would.
async fn converge(p: &IamProvider, req: &CreateRequest) -> Result<Attributes, ProviderError> {
    let live = match p.observe(&req.name).await? {
        Observation::Exists(live) => live,
        // CreateRole said it exists, GetRole says it does not: deleted in between.
        _ => {
            return Err(ProviderError::Aws {
                operation: "iam:CreateRole",
                resource: req.name.clone(),
                code: "EntityAlreadyExists".into(),
                message: "the role existed at CreateRole and was gone when read back".into(),
                request_id: None,
                retryable: true,
            });
        }
    };
    let schema = p.schema();
    let prepare = |spec: &serde_json::Value| {
        let mut s = spec.clone();
        schema.apply_defaults(&mut s);
        schema.canonicalize(&mut s);
        p.normalize(&mut s);
        s
    };
    let desired = prepare(&req.spec);
    let live_spec = prepare(&live.spec);
    let changes = lakectl_core::diff(schema, &desired, &live_spec);
    update(
        p,
        &UpdateRequest {
            address: req.address.clone(),
            name: req.name.clone(),
            desired,
            live: live_spec,
            changes,
        },
    )
    .await
}
