//! `lakectl validate`, `synth` and `graph`: load and check the stack files, and print what
//! they expand to; no AWS call.

use crate::cli::{Cli, GraphArgs};
use crate::context;
use crate::output::outln;
use miette::Result;
use std::process::ExitCode;

/// Prints the resources the stack declares for the env.
pub fn run(cli: &Cli) -> Result<ExitCode> {
    let desired = context::load(cli)?;
    outln!(
        "stack {} / env {}: {} resource(s), {} output(s); the stack files are valid.",
        desired.stack,
        desired.env.name,
        desired.resources.len(),
        desired.outputs.len()
    );
    for r in desired.resources.values() {
        outln!("  {:<40} {:<16} {}", r.address.as_str(), r.kind, r.name);
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the desired state, every instance expanded, as JSON.
pub fn synth(cli: &Cli) -> Result<ExitCode> {
    let desired = context::load(cli)?;
    let json = serde_json::to_string_pretty(&desired).map_err(|e| miette::miette!("{e}"))?;
    outln!("{json}");
    Ok(ExitCode::SUCCESS)
}

/// Prints the dependency graph.
pub fn graph(cli: &Cli, args: &GraphArgs) -> Result<ExitCode> {
    let desired = context::load(cli)?;
    crate::output::out!(
        "{}",
        crate::render::graph::render(&desired, args.format, args.collapse)
    );
    Ok(ExitCode::SUCCESS)
}
