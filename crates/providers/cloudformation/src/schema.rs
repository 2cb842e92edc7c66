//! The `cloudformation.stack` schema: a template from the stack folder (an asset), its
//! parameters and capabilities, termination protection and tags. Its outputs are attributes.
use lakectl_core::schema::ANY_ATTRIBUTE;
use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The kind this crate manages.
pub const KIND: &str = "cloudformation.stack";

/// What `status` reads when the stack can be updated; anything else is a stuck state that a
/// deploy repairs first.
pub const READY: &str = "ready";

/// The capabilities a template may need acknowledged.
pub const CAPABILITIES: &[&str] = &[
    "CAPABILITY_IAM",
    "CAPABILITY_NAMED_IAM",
    "CAPABILITY_AUTO_EXPAND",
];

/// The schema of `cloudformation.stack`.
pub fn schema() -> Schema {
    Schema {
        kind: KIND,
        description: "a CloudFormation stack of a template in the stack folder; its outputs are attributes",
        props: vec![
            Prop::new("name", Type::String, "the stack name (set by the loader)").immutable(),
            Prop::new(
                "template",
                Type::String,
                "the template, as an asset: `${asset:cfn/codebuild.yaml}`",
            )
            .required()
            .write_only()
            .check(check_template),
            Prop::new(
                "template_hash",
                Type::String,
                "set by lakectl: the template's content hash, which is what a plan compares (CloudFormation never says where a template came from); leave it out",
            )
            .default(Value::Null),
            Prop::new(
                "parameters",
                Type::Map(Box::new(Type::String)),
                "the template's parameters by name; leave out one that keeps its template default",
            )
            .default(json!({})),
            Prop::new(
                "capabilities",
                Type::Set(Box::new(Type::Enum(CAPABILITIES))),
                "what the template may do that CloudFormation asks to acknowledge (IAM resources); sent with each change, never a change of its own",
            )
            .write_only()
            .default(json!([])),
            Prop::new(
                "termination_protection",
                Type::Bool,
                "CloudFormation refuses to delete the stack while on",
            )
            .default(json!(false)),
            Prop::new(
                "status",
                Type::Enum(&[READY]),
                "set by lakectl: a stuck stack reads as CloudFormation's status here, which deploy repairs; leave it out",
            )
            .default(json!(READY)),
            tags_prop("tags on the stack, which CloudFormation puts on every resource it makes"),
        ],
        attributes: &["arn", ANY_ATTRIBUTE],
        taggable: true,
        name_rule,
        name_max_len: 128,
    }
}

/// CloudFormation's rule: a letter, then letters, digits and `-`, at most 128 characters.
pub fn name_rule(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_is_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let len = name.chars().count();
    if !first_is_letter || len > 128 {
        return Err(format!(
            "a stack name is 1 to 128 characters and starts with a letter; `{name}` does not"
        ));
    }
    match chars.find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
        Some(bad) => Err(format!(
            "a stack name may hold only letters, digits and `-`; `{name}` has `{bad}`"
        )),
        None => Ok(()),
    }
}

/// The template is an uploaded asset: `s3://bucket/assets/<hash>/file`.
fn check_template(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(t) if content_hash(t).is_none() => Err(format!(
            "`{t}` is not an uploaded template; write `${{asset:cfn/FILE.yaml}}` with the template in the stack folder"
        )),
        _ => Ok(()),
    }
}

/// The bucket and key of `s3://bucket/key`.
pub fn s3_location(uri: &str) -> Option<(&str, &str)> {
    let (bucket, key) = uri.strip_prefix("s3://")?.split_once('/')?;
    (!bucket.is_empty() && !key.is_empty()).then_some((bucket, key))
}

/// The content hash an asset's key holds: `s3://bucket/assets/<hash>/file`.
pub fn content_hash(uri: &str) -> Option<&str> {
    let (_, key) = s3_location(uri)?;
    let mut parts = key.rsplit('/');
    let (_file, hash) = (parts.next()?, parts.next()?);
    (hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit())).then_some(hash)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::{assert_name_rule, assert_validates};

    #[test]
    fn stacks_are_checked_before_any_call() {
        assert_name_rule(
            name_rule,
            &[
                ("the lake's", "lake-dev-ci", None),
                ("a digit first", "1lake", Some("starts with a letter")),
                ("an underscore", "lake_ci", Some("has `_`")),
            ],
        );
        assert_validates(
            &schema(),
            &[
                (
                    "an uploaded template and IAM",
                    json!({"template": "s3://assets/assets/0123456789abcdef/codebuild.yaml",
                           "parameters": {"Env": "dev"}, "capabilities": ["CAPABILITY_IAM"]}),
                    &[],
                ),
                (
                    "an object that is not an asset",
                    json!({"template": "s3://a/templates/ci.yaml"}),
                    &["${asset:cfn/FILE.yaml}"],
                ),
                (
                    "a path instead of an asset",
                    json!({"template": "cfn/codebuild.yaml"}),
                    &["${asset:cfn/FILE.yaml}"],
                ),
                (
                    "a capability CloudFormation does not know",
                    json!({"template": "s3://a/assets/0123456789abcdef/t.yaml", "capabilities": ["CAPABILITY_ALL"]}),
                    &["CAPABILITY_NAMED_IAM"],
                ),
                (
                    "a status written by hand",
                    json!({"template": "s3://a/assets/0123456789abcdef/t.yaml", "status": "CREATE_COMPLETE"}),
                    &["ready"],
                ),
            ],
        );
    }
}
