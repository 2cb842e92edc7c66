//! What BatchGetProjects reports, read into the spec users write, and a spec turned into the
//! parts CreateProject and UpdateProject take: pure functions over the SDK's types.

use aws_sdk_codebuild::types::{
    ArtifactsType, CacheType, CloudWatchLogsConfig, ComputeType, EnvironmentType,
    EnvironmentVariable, EnvironmentVariableType, LogsConfig, LogsConfigStatusType, Project,
    ProjectArtifacts, ProjectCache, ProjectEnvironment, ProjectSource, SourceType, Tag,
};
use lakectl_core::ProviderError;
use lakectl_provider::Built;
use lakectl_provider::diff::string;
use lakectl_provider::tags::{Tags, tags_of, tags_value};
use serde_json::{Map, Value, json};

/// The live spec of a project. What CodeBuild fills in when it is left out (its own log
/// group, no cache, the default time limits) reads as the schema's default.
pub fn live_spec(name: &str, p: &Project) -> Value {
    let source = p.source().map(|s| {
        json!({"type": s.r#type().as_str(), "location": s.location(),
               "buildspec": s.buildspec().filter(|b| !b.is_empty()),
               "git_clone_depth": s.git_clone_depth()})
    });
    let environment = p.environment().map(|e| {
        let mut plain = Map::new();
        let mut stored = Map::new();
        for v in e.environment_variables() {
            let into = match v.r#type() {
                Some(EnvironmentVariableType::ParameterStore) => &mut stored,
                _ => &mut plain,
            };
            into.insert(v.name().to_string(), json!(v.value()));
        }
        json!({"type": e.r#type().as_str(), "image": e.image(),
               "compute_type": e.compute_type().as_str(),
               "privileged_mode": e.privileged_mode().unwrap_or(false),
               "variables": plain, "parameter_variables": stored})
    });
    let log_group = p
        .logs_config()
        .and_then(LogsConfig::cloud_watch_logs)
        .filter(|c| c.status() == &LogsConfigStatusType::Enabled)
        .and_then(CloudWatchLogsConfig::group_name);
    let cache = p
        .cache()
        .filter(|c| c.r#type() == &CacheType::S3)
        .and_then(ProjectCache::location);
    let tags: Tags = p
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect();
    json!({
        "name": name,
        "description": p.description().filter(|d| !d.is_empty()),
        "source": source,
        "source_version": p.source_version().filter(|v| !v.is_empty()),
        "environment": environment,
        "service_role": p.service_role(),
        "log_group": log_group,
        "cache_location": cache,
        "timeout_minutes": p.timeout_in_minutes().unwrap_or(60),
        "queued_timeout_minutes": p.queued_timeout_in_minutes().unwrap_or(480),
        "tags": tags_value(&tags),
    })
}

/// The parts of a project as CreateProject and UpdateProject take them, whole.
pub struct Parts {
    /// Where the source is.
    pub source: ProjectSource,
    /// No artifacts: builds deploy, they do not package.
    pub artifacts: ProjectArtifacts,
    /// The build machine.
    pub environment: ProjectEnvironment,
    /// The S3 cache, or none.
    pub cache: ProjectCache,
    /// CloudWatch Logs, to the group named or CodeBuild's own.
    pub logs: LogsConfig,
    /// The tags, the whole set.
    pub tags: Vec<Tag>,
}

fn int(spec: &Value, key: &str) -> Option<i32> {
    spec.get(key)
        .and_then(Value::as_i64)
        .and_then(|v| i32::try_from(v).ok())
}

fn variables(
    name: &str,
    env: &Value,
    key: &str,
    ty: EnvironmentVariableType,
) -> Result<Vec<EnvironmentVariable>, ProviderError> {
    env.get(key)
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            EnvironmentVariable::builder()
                .name(k)
                .value(v.as_str().unwrap_or_default())
                .r#type(ty.clone())
                .build()
                .built(name, "an environment variable")
        })
        .collect()
}

/// The spec as the parts of a project.
///
/// # Errors
/// A part the SDK refuses to build (a required field missing): a bug, reported by name.
pub fn parts(name: &str, spec: &Value) -> Result<Parts, ProviderError> {
    let null = Value::Null;
    let src = spec.get("source").unwrap_or(&null);
    let source = ProjectSource::builder()
        .r#type(SourceType::from(
            string(src, "type").unwrap_or_default().as_str(),
        ))
        .set_location(string(src, "location"))
        .set_buildspec(string(src, "buildspec"))
        .set_git_clone_depth(int(src, "git_clone_depth"))
        .build()
        .built(name, "the source")?;
    let env = spec.get("environment").unwrap_or(&null);
    let mut vars = variables(name, env, "variables", EnvironmentVariableType::Plaintext)?;
    vars.extend(variables(
        name,
        env,
        "parameter_variables",
        EnvironmentVariableType::ParameterStore,
    )?);
    let environment = ProjectEnvironment::builder()
        .r#type(EnvironmentType::from(
            string(env, "type").unwrap_or_default().as_str(),
        ))
        .image(string(env, "image").unwrap_or_default())
        .compute_type(ComputeType::from(
            string(env, "compute_type").unwrap_or_default().as_str(),
        ))
        .privileged_mode(env.get("privileged_mode").and_then(Value::as_bool) == Some(true))
        .set_environment_variables(Some(vars))
        .build()
        .built(name, "the environment")?;
    let cache = match string(spec, "cache_location") {
        Some(location) => ProjectCache::builder()
            .r#type(CacheType::S3)
            .location(location),
        None => ProjectCache::builder().r#type(CacheType::NoCache),
    }
    .build()
    .built(name, "the cache")?;
    let logs = LogsConfig::builder()
        .cloud_watch_logs(
            CloudWatchLogsConfig::builder()
                .status(LogsConfigStatusType::Enabled)
                .set_group_name(string(spec, "log_group"))
                .build()
                .built(name, "the logs")?,
        )
        .build();
    let tags = tags_of(name, spec)?
        .into_iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build())
        .collect();
    Ok(Parts {
        source,
        artifacts: ProjectArtifacts::builder()
            .r#type(ArtifactsType::NoArtifacts)
            .build()
            .built(name, "the artifacts")?,
        environment,
        cache,
        logs,
        tags,
    })
}

/// The time limits of a spec: build, then queue.
pub fn timeouts(spec: &Value) -> (Option<i32>, Option<i32>) {
    (
        int(spec, "timeout_minutes"),
        int(spec, "queued_timeout_minutes"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Value {
        json!({"name": "lake-dev-ci", "description": "the lake's CI",
               "source": {"type": "GITHUB", "location": "https://github.com/o/lake.git",
                          "buildspec": "version: 0.2\n", "git_clone_depth": 1},
               "source_version": "main",
               "environment": {"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0",
                               "compute_type": "BUILD_GENERAL1_MEDIUM", "privileged_mode": false,
                               "variables": {"LAKECTL_ENV": "dev"},
                               "parameter_variables": {"DEPLOY_KEY": "/lake/dev/deploy-key"}},
               "service_role": "arn:aws:iam::1:role/lake-dev-ci",
               "log_group": "/aws/codebuild/lake-dev-ci", "cache_location": "assets/ci/cache",
               "timeout_minutes": 45, "queued_timeout_minutes": 480,
               "tags": {"team": "data"}})
    }

    #[test]
    fn a_project_reads_back_as_it_was_written() {
        let s = spec();
        let p = parts("lake-dev-ci", &s).expect("parts");
        let (timeout, queued) = timeouts(&s);
        let project = Project::builder()
            .name("lake-dev-ci")
            .description("the lake's CI")
            .source(p.source)
            .source_version("main")
            .artifacts(p.artifacts)
            .environment(p.environment)
            .cache(p.cache)
            .logs_config(p.logs)
            .service_role("arn:aws:iam::1:role/lake-dev-ci")
            .set_timeout_in_minutes(timeout)
            .set_queued_timeout_in_minutes(queued)
            .set_tags(Some(p.tags))
            .build();
        assert_eq!(live_spec("lake-dev-ci", &project), s);
    }

    #[test]
    fn what_codebuild_fills_in_reads_as_the_default() {
        let project = Project::builder()
            .name("p")
            .cache(
                ProjectCache::builder()
                    .r#type(CacheType::NoCache)
                    .build()
                    .expect("cache"),
            )
            .logs_config(
                LogsConfig::builder()
                    .cloud_watch_logs(
                        CloudWatchLogsConfig::builder()
                            .status(LogsConfigStatusType::Enabled)
                            .build()
                            .expect("logs"),
                    )
                    .build(),
            )
            .build();
        let live = live_spec("p", &project);
        assert_eq!(
            (
                &live["log_group"],
                &live["cache_location"],
                &live["timeout_minutes"],
                &live["queued_timeout_minutes"]
            ),
            (&Value::Null, &Value::Null, &json!(60), &json!(480))
        );
    }
}
