//! The `iam.role` resource kind: a role, its trust policy, inline and managed policies,
//! permissions boundary and tags.
//!
//! Policy documents are compared in a canonical form ([`normalize_policy`]) so that AWS's
//! rewriting of them (percent-encoding, a single value for a one-item list, reordering)
//! never shows as a perpetual diff.

mod calls;
mod changes;
mod create;
mod delete;
mod desired;
mod errors;
mod live;
mod observe;

mod schema;
mod update;

pub use lakectl_provider::policy::{decode_policy_document, normalize_policy};
pub use live::{RoleFacts, live_spec};
pub use schema::{KIND, name_rule, schema};

use async_trait::async_trait;
use lakectl_core::{
    Attributes, CreateRequest, DeleteRequest, Live, Observation, Provider, ProviderError, Schema,
    UpdateRequest,
};
use lakectl_provider::AccountContext;
use serde_json::Value;

/// Manages `iam.role` resources through the IAM API.
pub struct IamProvider {
    client: aws_sdk_iam::Client,
    account: AccountContext,
    schema: Schema,
}

impl IamProvider {
    /// A provider using the shared SDK config; ARNs are built for `account`.
    pub fn new(config: &aws_config::SdkConfig, account: &AccountContext) -> Self {
        IamProvider {
            client: lakectl_provider::client!(aws_sdk_iam, config),
            account: account.clone(),
            schema: schema(),
        }
    }

    /// The attributes of an existing role, read back from IAM.
    async fn attributes_of(&self, name: &str) -> Result<Attributes, ProviderError> {
        match self.observe(name).await? {
            Observation::Exists(live) => Ok(live.attributes),
            _ => Err(ProviderError::invalid(
                name,
                "the role was gone right after it was changed; it was deleted by someone else",
            )),
        }
    }
}

#[async_trait]
impl Provider for IamProvider {
    fn schema(&self) -> &Schema {
        &self.schema
    }

    /// Rewrites the trust policy and every inline policy with [`normalize_policy`] and sorts
    /// `managed_policy_arns`.
    fn normalize(&self, spec: &mut Value) {
        let Some(obj) = spec.as_object_mut() else {
            return;
        };
        if let Some(trust) = obj.get_mut("assume_role_policy") {
            *trust = normalize_policy(trust);
        }
        if let Some(Value::Object(policies)) = obj.get_mut("inline_policies") {
            for doc in policies.values_mut() {
                *doc = normalize_policy(doc);
            }
        }
        if let Some(Value::Array(arns)) = obj.get_mut("managed_policy_arns") {
            arns.sort_by_key(Value::to_string);
            arns.dedup();
        }
    }

    /// `arn` (assuming the path `/`: the engine replaces it with the real one returned by
    /// create) and `name`. `role_id` is known only after create.
    fn predict_attributes(&self, name: &str) -> Attributes {
        Attributes::from([
            (
                "arn".to_string(),
                live::role_arn(&self.account.partition, &self.account.account_id, "/", name),
            ),
            ("name".to_string(), name.to_string()),
        ])
    }

    async fn observe(&self, name: &str) -> Result<Observation, ProviderError> {
        let Some(facts) = observe::read_role(&self.client, name).await? else {
            return Ok(Observation::Missing);
        };
        let spec = live_spec(&facts).map_err(|m| ProviderError::invalid(name, m))?;
        Ok(Observation::Exists(Live {
            spec,
            attributes: live::attributes(&facts),
        }))
    }

    async fn create(&self, req: &CreateRequest) -> Result<Attributes, ProviderError> {
        create::create(self, req).await
    }

    async fn update(&self, req: &UpdateRequest) -> Result<Attributes, ProviderError> {
        update::update(self, req).await
    }

    async fn delete(&self, req: &DeleteRequest) -> Result<(), ProviderError> {
        delete::delete(self, req).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn provider() -> IamProvider {
        // Building a client makes no call; no endpoint is contacted in these tests.
        let config = aws_config::SdkConfig::builder()
            .behavior_version(aws_config::BehaviorVersion::latest())
            .build();
        IamProvider::new(
            &config,
            &AccountContext {
                account_id: "123456789012".into(),
                region: "cn-north-1".into(),
                partition: "aws-cn".into(),
            },
        )
    }

    #[test]
    fn normalize_rewrites_every_policy_document_in_a_spec() {
        let p = provider();
        let cases = [
            (
                "trust, inline policies and managed ARNs",
                json!({"assume_role_policy": {"Statement": {"Action": "sts:AssumeRole"}},
                       "inline_policies": {"a": {"Statement": {"Action": "s3:GetObject"}}},
                       "managed_policy_arns": ["arn:b", "arn:a"],
                       "description": "kept"}),
                json!({"assume_role_policy": {"Statement": [{"Action": ["sts:AssumeRole"]}]},
                       "inline_policies": {"a": {"Statement": [{"Action": ["s3:GetObject"]}]}},
                       "managed_policy_arns": ["arn:a", "arn:b"],
                       "description": "kept"}),
            ),
            (
                "a spec without policies is left alone",
                json!({"description": "x"}),
                json!({"description": "x"}),
            ),
            ("not a mapping", json!(null), json!(null)),
        ];
        for (why, mut spec, want) in cases {
            p.normalize(&mut spec);
            assert_eq!(spec, want, "{why}");
        }
    }

    #[test]
    fn predicted_attributes_use_the_account_partition_and_root_path() {
        let got = provider().predict_attributes("lake-glue");
        assert_eq!(
            got,
            Attributes::from([
                (
                    "arn".to_string(),
                    "arn:aws-cn:iam::123456789012:role/lake-glue".to_string()
                ),
                ("name".to_string(), "lake-glue".to_string()),
            ])
        );
        assert_eq!(provider().schema().kind, "iam.role");
    }
}
