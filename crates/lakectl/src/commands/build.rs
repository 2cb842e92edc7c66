//! `lakectl build`: start a build of the stack's CodeBuild project and follow it to its end.

use crate::cli::{BuildArgs, Cli};
use crate::context;
use crate::output::outln;
use lakectl_core::{Observation, Provider};
use lakectl_provider_codebuild::Builds;
use miette::{Result, miette};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// The output of a CloudFormation stack that names a CodeBuild project.
const PROJECT_OUTPUT: &str = "ProjectName";

/// Exits 0 when the build succeeded, 1 when it failed or could not be followed.
pub async fn run(cli: &Cli, args: &BuildArgs) -> Result<ExitCode> {
    let desired = context::load(cli)?;
    let aws = context::connect(&desired.env).await?;
    eprintln!("{}", context::describe_target(&desired, &aws));
    let project = match &args.project {
        Some(p) => p.clone(),
        None => {
            let providers = context::providers(&aws, &cli.stacks_dir);
            the_project(&desired, &providers).await?
        }
    };
    let builds = Builds::new(&aws.config);
    let id = builds
        .start(&project, args.source_version.as_deref())
        .await
        .map_err(miette::Report::new)?;
    eprintln!("build {id} of {project} started");
    let limit = Duration::from_secs(u64::from(args.timeout_minutes) * 60);
    let done = builds
        .follow(&id, limit, &|line: &str| eprintln!("  {line}"))
        .await
        .map_err(miette::Report::new)?;
    if let Some((group, stream)) = &done.log {
        eprintln!("log: group {group}, stream {stream}");
    }
    if let Some(link) = &done.link {
        eprintln!("     {link}");
    }
    outln!("{id} {}", done.status);
    match (done.succeeded(), &done.failure) {
        (true, _) => Ok(ExitCode::SUCCESS),
        (false, Some(why)) => Err(miette!("the build ended {}: {why}", done.status)),
        (false, None) => Err(miette!("the build ended {}", done.status)),
    }
}

/// The one CodeBuild project of the stack: a `codebuild.project`, or the `ProjectName` output
/// of a `cloudformation.stack` as it is deployed.
async fn the_project(
    desired: &lakectl_core::DesiredStack,
    providers: &[Arc<dyn Provider>],
) -> Result<String> {
    let kind = |k: &str| providers.iter().find(|p| p.schema().kind == k);
    let mut found: Vec<(String, String)> = Vec::new();
    for r in desired.resources.values() {
        match r.kind.as_str() {
            lakectl_provider_codebuild::KIND => found.push((r.address.to_string(), r.name.clone())),
            lakectl_provider_cloudformation::KIND => {
                let Some(p) = kind(&r.kind) else { continue };
                let seen = p.observe(&r.name).await.map_err(miette::Report::new)?;
                if let Observation::Exists(live) = seen
                    && let Some(name) = live.attributes.get(PROJECT_OUTPUT)
                {
                    found.push((r.address.to_string(), name.clone()));
                }
            }
            _ => {}
        }
    }
    match found.as_slice() {
        [(_, name)] => Ok(name.clone()),
        [] => Err(miette!(
            help = "declare a codebuild.project, or deploy a cloudformation.stack whose template has a `ProjectName` output (stacks/ci.yaml); or name one with --project",
            "{}/{} has no CodeBuild project deployed",
            desired.stack,
            desired.env.name
        )),
        many => Err(miette!(
            help = format!(
                "name one with --project: {}",
                many.iter()
                    .map(|(a, n)| format!("{n} ({a})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            "{}/{} has {} CodeBuild projects",
            desired.stack,
            desired.env.name,
            many.len()
        )),
    }
}
