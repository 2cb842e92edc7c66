//! `lakectl deploy` and `lakectl destroy`: lock, plan, confirm, apply.

use super::saved::SavedPlan;
use crate::cli::{ChangeArgs, Cli};
use crate::context;
use crate::output::{out, outln};
use crate::progress::Reporter;
use crate::render::plan::{DataLoss, render};
use crate::render::style::Style;
use lakectl_core::{Action, DesiredStack};
use lakectl_engine::state::lock::LockGuard;
use lakectl_engine::{ApplyOptions, Engine, PlanMode, PlanOptions};
use miette::{IntoDiagnostic, Result, miette};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

/// Deploy makes AWS match the stack; destroy deletes what the stack owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `lakectl deploy`.
    Deploy,
    /// `lakectl destroy`.
    Destroy,
}

/// Runs a deploy or destroy under the lock; the lock is released whatever happens.
pub async fn run(cli: &Cli, args: &ChangeArgs, mode: Mode) -> Result<ExitCode> {
    let started = Instant::now();
    let saved = match &args.plan_file {
        Some(path) => Some(saved_plan(cli, args, path, mode)?),
        None => None,
    };
    let desired = match &saved {
        Some(s) => context::load_as(cli, &s.env, &s.vars)?,
        None => context::load(cli)?,
    };
    let targets = context::addresses(saved.as_ref().map_or(&args.run.targets, |s| &s.targets))?;
    let aws = context::connect(&desired.env).await?;
    eprintln!("{}", context::describe_target(&desired, &aws));
    if let Some(s) = &saved
        && (s.account != aws.account.account_id || s.region != aws.account.region)
    {
        return Err(miette!(
            help = "apply a plan with the credentials and region it was made with; nothing was changed",
            "the plan was made for account {} in {}, and these credentials are for account {} in {}",
            s.account,
            s.region,
            aws.account.account_id,
            aws.account.region
        ));
    }
    let store = context::state_store(&aws);
    context::ensure_state(&store).await?;
    let guard = context::lock(&store, &desired, args.lock_timeout).await?;
    let observing = Arc::new(Reporter::new(0));
    let engine = Engine::new(context::providers(&aws, &cli.stacks_dir), store)
        .with_progress(observing.clone());
    let job = Job {
        desired: &desired,
        args,
        mode,
        saved: saved.as_ref(),
        targets,
    };
    let result = locked(&engine, &observing, &guard, job).await;
    let released = guard.release().await;
    if result.is_err() && released.is_err() {
        eprintln!(
            "the deploy lock could not be released; it expires by itself within {}s",
            context::LOCK_LEASE.as_secs()
        );
    }
    let code = result?;
    released.map_err(miette::Report::new)?;
    if code == ExitCode::SUCCESS {
        eprintln!("done in {:.1}s", started.elapsed().as_secs_f64());
    }
    Ok(code)
}

/// Reads a saved plan and checks it is one this command applies, with these options.
fn saved_plan(cli: &Cli, args: &ChangeArgs, path: &Path, mode: Mode) -> Result<SavedPlan> {
    let saved = SavedPlan::read(path)?;
    let file = path.display();
    match (saved.destroy, mode) {
        (true, Mode::Deploy) => {
            return Err(miette!(
                help = format!("apply it with `lakectl destroy {file}`"),
                "{file} is a destroy plan"
            ));
        }
        (false, Mode::Destroy) => {
            return Err(miette!(
                help = format!("apply it with `lakectl deploy {file}`"),
                "{file} is a deploy plan, not a destroy plan"
            ));
        }
        _ => {}
    }
    if let Some(env) = &cli.env
        && *env != saved.env
    {
        return Err(miette!(
            help = format!("leave out --env, or make a plan for `{env}`"),
            "{file} is a plan of env `{}`, not `{env}`",
            saved.env
        ));
    }
    if !cli.vars.is_empty() || !args.run.targets.is_empty() {
        return Err(miette!(
            help = "give --var and --target to `plan --out`; the saved plan keeps them",
            "a saved plan is applied with the vars and targets it was made with"
        ));
    }
    Ok(saved)
}

/// What one deploy or destroy is asked to do.
struct Job<'a> {
    desired: &'a DesiredStack,
    args: &'a ChangeArgs,
    mode: Mode,
    /// The saved plan it applies, if any.
    saved: Option<&'a SavedPlan>,
    targets: Vec<lakectl_core::Address>,
}

async fn locked(
    engine: &Engine,
    observing: &Reporter,
    guard: &LockGuard,
    job: Job<'_>,
) -> Result<ExitCode> {
    let Job {
        desired,
        args,
        mode,
        saved,
        targets,
    } = job;
    let plan_mode = match mode {
        Mode::Deploy => PlanMode::Deploy,
        Mode::Destroy => PlanMode::Destroy,
    };
    let concurrency = usize::from(args.run.concurrency);
    let planned = engine
        .plan(
            desired,
            &PlanOptions {
                mode: plan_mode,
                concurrency,
                targets,
            },
        )
        .await;
    observing.finish();
    let planned = planned?;
    if let Some(s) = saved {
        let changed = super::saved::differences(&s.fingerprints, &planned.fingerprints());
        if !changed.is_empty() {
            return Err(miette!(
                help = "nothing was changed; review a new plan with `lakectl plan --out FILE`",
                "the saved plan no longer matches:\n  {}",
                changed.join("\n  ")
            ));
        }
    }
    let loss = DataLoss::of(&desired.env, args.allow_data_loss);
    out!("{}", render(&planned.plan, Style::for_stdout(), loss));
    if !planned.plan.summary.has_changes() {
        return Ok(ExitCode::SUCCESS);
    }
    let refused = planned.plan.data_loss().next().is_some() && !args.allow_data_loss;
    // A saved plan was reviewed when it was made.
    let asked = args.yes || saved.is_some();
    if !asked && !refused && !confirm(desired, mode)? {
        eprintln!("nothing was changed");
        return Ok(ExitCode::from(1));
    }
    guard.check().map_err(miette::Report::new)?;
    let total = planned
        .plan
        .resources
        .iter()
        .filter(|r| r.action.is_change())
        .count();
    let reporter = Arc::new(Reporter::new(total));
    let outcome = engine
        .apply(
            &planned,
            &ApplyOptions {
                concurrency,
                allow_data_loss: args.allow_data_loss,
            },
            reporter.as_ref(),
        )
        .await;
    reporter.finish();
    let report = outcome?;
    guard.check().map_err(miette::Report::new)?;
    let count = |a: Action| report.applied.iter().filter(|(_, done)| *done == a).count();
    let forgotten = match count(Action::Forget) {
        0 => String::new(),
        n => format!(", {n} forgotten (left in AWS)"),
    };
    outln!(
        "\nApplied: {} created, {} updated, {} replaced, {} deleted{forgotten}.",
        count(Action::Create),
        count(Action::Update),
        count(Action::Replace),
        count(Action::Delete)
    );
    if mode == Mode::Deploy && !report.outputs.is_empty() {
        outln!("\nOutputs:");
        for (k, v) in &report.outputs {
            outln!("  {k} = {v}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn confirm(desired: &DesiredStack, mode: Mode) -> Result<bool> {
    let verb = match mode {
        Mode::Deploy => "apply these changes to",
        Mode::Destroy => "destroy everything listed above in",
    };
    if !std::io::stdin().is_terminal() {
        return Err(miette!(
            help = "pass --yes to apply without asking",
            "no terminal to confirm on; nothing was changed"
        ));
    }
    eprint!(
        "\nDo you want to {verb} {}/{}? Only 'yes' is accepted: ",
        desired.stack, desired.env.name
    );
    std::io::stderr().flush().into_diagnostic()?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .into_diagnostic()?;
    Ok(answer.trim() == "yes")
}
