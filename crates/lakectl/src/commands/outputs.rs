//! `lakectl outputs`: the outputs recorded by the last successful deploy.

use crate::cli::{Cli, OutputsArgs};
use crate::context;
use crate::output::outln;
use miette::{IntoDiagnostic, Result};
use std::process::ExitCode;

/// Prints `name = value` lines, or JSON.
pub async fn run(cli: &Cli, args: &OutputsArgs) -> Result<ExitCode> {
    let desired = context::load(cli)?;
    let aws = context::connect(&desired.env).await?;
    let state = context::state_for_reading(&aws).await?;
    let outputs = state
        .outputs(&lakectl_engine::state::StackEnv::of(&desired))
        .await?;
    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&outputs).into_diagnostic()?
        );
    } else if outputs.is_empty() {
        eprintln!(
            "no outputs recorded for {}/{}: deploy first",
            desired.stack, desired.env.name
        );
    } else {
        for (k, v) in outputs {
            outln!("{k} = {v}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
