//! The `codebuild.project` schema: where the source comes from and how it is built, the role
//! it runs as, its logs, time limits and tags.
use lakectl_core::{Prop, Schema, Type};
use lakectl_provider::checks::role_arn;
use lakectl_provider::names::NameRule;
use lakectl_provider::tags::tags_prop;
use serde_json::{Value, json};

/// The kind this crate manages.
pub const KIND: &str = "codebuild.project";

/// Where a project's source can come from.
pub const SOURCE_TYPES: &[&str] = &[
    "GITHUB",
    "GITHUB_ENTERPRISE",
    "BITBUCKET",
    "CODECOMMIT",
    "S3",
    "NO_SOURCE",
];

/// The machines a build runs on.
pub const COMPUTE_TYPES: &[&str] = &[
    "BUILD_GENERAL1_SMALL",
    "BUILD_GENERAL1_MEDIUM",
    "BUILD_GENERAL1_LARGE",
    "BUILD_GENERAL1_XLARGE",
    "BUILD_GENERAL1_2XLARGE",
];

/// The schema of `codebuild.project`.
pub fn schema() -> Schema {
    Schema {
        kind: KIND,
        description: "a CodeBuild project: its source, build environment, role, logs and limits",
        props: vec![
            Prop::new("name", Type::String, "the project name (set by the loader)").immutable(),
            Prop::new("description", Type::String, "what the project builds").default(Value::Null),
            Prop::new(
                "source",
                Type::Object(vec![
                    Prop::new("type", Type::Enum(SOURCE_TYPES), "where the source is").required(),
                    Prop::new(
                        "location",
                        Type::String,
                        "the repository's clone URL, or `bucket/key` of a zip",
                    )
                    .default(Value::Null),
                    Prop::new(
                        "buildspec",
                        Type::String,
                        "the buildspec itself (YAML); null: `buildspec.yml` of the source",
                    )
                    .default(Value::Null),
                    Prop::new(
                        "git_clone_depth",
                        Type::Int { min: 0, max: 1000 },
                        "how many commits to clone (0: all)",
                    )
                    .default(Value::Null),
                ]),
                "where the source comes from and how to build it",
            )
            .required(),
            Prop::new(
                "source_version",
                Type::String,
                "the branch, tag or commit built when a build names none",
            )
            .default(Value::Null),
            Prop::new(
                "environment",
                Type::Object(vec![
                    Prop::new(
                        "type",
                        Type::Enum(&["LINUX_CONTAINER", "ARM_CONTAINER"]),
                        "the kind of machine",
                    )
                    .default(json!("LINUX_CONTAINER")),
                    Prop::new(
                        "image",
                        Type::String,
                        "the image: `aws/codebuild/standard:7.0`",
                    )
                    .required(),
                    Prop::new("compute_type", Type::Enum(COMPUTE_TYPES), "its size")
                        .default(json!("BUILD_GENERAL1_SMALL")),
                    Prop::new(
                        "privileged_mode",
                        Type::Bool,
                        "whether builds may run Docker",
                    )
                    .default(json!(false)),
                    Prop::new(
                        "variables",
                        Type::Map(Box::new(Type::String)),
                        "plain environment variables of every build",
                    )
                    .default(json!({})),
                    Prop::new(
                        "parameter_variables",
                        Type::Map(Box::new(Type::String)),
                        "environment variables read from SSM parameters at build time, by parameter name: a secret never appears in the project",
                    )
                    .default(json!({})),
                ]),
                "the machine builds run on and what they see",
            )
            .required(),
            Prop::new("service_role", Type::String, "the role builds run as, by ARN")
                .required()
                .check(role_arn),
            Prop::new(
                "log_group",
                Type::String,
                "the CloudWatch Logs group builds write to; null: CodeBuild's own",
            )
            .default(Value::Null),
            Prop::new(
                "cache_location",
                Type::String,
                "`bucket/prefix` of an S3 cache between builds; null: no cache",
            )
            .default(Value::Null)
            .check(check_cache),
            Prop::new(
                "timeout_minutes",
                Type::Int { min: 5, max: 2160 },
                "a build running longer is stopped",
            )
            .default(json!(60)),
            Prop::new(
                "queued_timeout_minutes",
                Type::Int { min: 5, max: 480 },
                "a build queued longer is dropped",
            )
            .default(json!(480)),
            tags_prop("tags on the project"),
        ],
        attributes: &["arn"],
        taggable: true,
        name_rule,
        name_max_len: 150,
    }
}

/// CodeBuild's rule: 2–150 characters, a letter or digit first, then letters, digits, `-`
/// and `_`.
pub fn name_rule(name: &str) -> Result<(), String> {
    if !name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        || name.len() < 2
    {
        return Err(format!(
            "a project name is 2 to 150 characters and starts with a letter or digit; `{name}` does not"
        ));
    }
    NameRule {
        noun: "project name",
        max: 150,
        symbols: "-_",
    }
    .check(name)
}

fn check_cache(v: &Value) -> Result<(), String> {
    match v.as_str() {
        Some(c) if c.starts_with("s3://") || !c.contains('/') => Err(format!(
            "`{c}` is not a cache location; write `bucket/prefix`, without `s3://`"
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_provider::testkit::{assert_name_rule, assert_validates};

    #[test]
    fn projects_are_checked_before_any_call() {
        assert_name_rule(
            name_rule,
            &[
                ("the lake's", "mycompany-dev-ci", None),
                ("a dash first", "-ci", Some("starts with a letter")),
                ("a dot", "ci.lake", Some("has `.`")),
            ],
        );
        let project = |extra: Value| {
            let mut p = json!({"source": {"type": "GITHUB", "location": "https://github.com/o/r.git"},
                               "environment": {"image": "aws/codebuild/standard:7.0"},
                               "service_role": "arn:aws:iam::1:role/ci"});
            for (k, v) in extra.as_object().into_iter().flatten() {
                p[k] = v.clone();
            }
            p
        };
        assert_validates(
            &schema(),
            &[
                ("a GitHub project", project(json!({})), &[]),
                (
                    "a role by name",
                    project(json!({"service_role": "ci"})),
                    &["not a role ARN"],
                ),
                (
                    "a cache as a URI",
                    project(json!({"cache_location": "s3://b/ci"})),
                    &["without `s3://`"],
                ),
                (
                    "a timeout CodeBuild refuses",
                    project(json!({"timeout_minutes": 3})),
                    &["from 5"],
                ),
            ],
        );
    }
}
