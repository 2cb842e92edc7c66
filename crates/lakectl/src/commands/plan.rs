//! `lakectl plan`: what a deploy (or destroy) would change.

use super::saved::SavedPlan;
use crate::cli::{Cli, PlanArgs};
use crate::context;
use crate::output::{out, outln};
use crate::progress::Reporter;
use crate::render::plan::{DataLoss, render};
use crate::render::style::Style;
use lakectl_engine::{Engine, PlanMode, PlanOptions};
use miette::{IntoDiagnostic, Result};
use std::process::ExitCode;
use std::sync::Arc;

/// Observes, diffs and prints; changes nothing in AWS (the state table is only read).
pub async fn run(cli: &Cli, args: &PlanArgs) -> Result<ExitCode> {
    let desired = context::load_reporting(cli, args.json)?;
    let targets = context::addresses(&args.run.targets)?;
    let aws = context::connect(&desired.env).await?;
    let state = context::state_for_reading(&aws).await?;
    let observing = Arc::new(Reporter::new(0));
    let engine = Engine::new(context::providers(&aws, &cli.stacks_dir), state)
        .with_progress(observing.clone());
    let mode = if args.destroy {
        PlanMode::Destroy
    } else {
        PlanMode::Deploy
    };
    let opts = PlanOptions {
        mode,
        concurrency: usize::from(args.run.concurrency),
        targets,
    };
    let planned = engine.plan(&desired, &opts).await;
    observing.finish();
    let mut planned = planned?;
    planned.plan.account = Some(aws.account.account_id.clone());
    planned.plan.region = Some(aws.account.region.clone());
    if let Some(path) = &args.out {
        let saved = SavedPlan::new(
            &planned,
            &aws.account.account_id,
            &aws.account.region,
            &cli.vars,
            &args.run.targets,
        );
        saved.write(path)?;
        let verb = if args.destroy { "destroy" } else { "deploy" };
        eprintln!(
            "saved the plan to {0}; `lakectl {verb} {0}` applies exactly it",
            path.display()
        );
    }
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&planned.plan).into_diagnostic()?
        );
    } else {
        eprintln!("{}", context::describe_target(&desired, &aws));
        let loss = DataLoss::of(&desired.env, false);
        out!("{}", render(&planned.plan, Style::for_stdout(), loss));
    }
    Ok(
        if args.detailed_exitcode && planned.plan.summary.has_changes() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        },
    )
}
