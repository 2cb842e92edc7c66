//! `lakectl validate`: load and check the stack files; no AWS call.

use crate::cli::Cli;
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
