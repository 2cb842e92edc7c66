//! CreateRole, then every inline and managed policy. A name that is taken is reported (class
//! `AlreadyExists`), never adopted: the engine decides whose the role is.

use crate::IamProvider;
use crate::calls::{attach, iam_tags, put_inline};
use crate::desired::DesiredRole;
use crate::errors::trust_policy_error;
use lakectl_core::{Attributes, CreateRequest, ProviderError};
use lakectl_provider::policy::policy_text;

/// Creates the role with every property.
pub async fn create(p: &IamProvider, req: &CreateRequest) -> Result<Attributes, ProviderError> {
    let name = req.name.as_str();
    let d = DesiredRole::from_spec(name, &req.spec)?;
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
            (!d.tags.is_empty())
                .then(|| iam_tags(name, &d.tags))
                .transpose()?,
        )
        .send()
        .await;
    let role = out
        .map_err(|e| trust_policy_error("iam:CreateRole", name, e))?
        .role;
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
