//! `lakectl validate`, `synth` and `graph`: load and check the stack files, and print what
//! they expand to; no AWS call.

use crate::cli::{Cli, GraphArgs};
use crate::context;
use crate::output::outln;
use miette::Result;
use std::process::ExitCode;

/// Prints the resources the stack declares for the env; with `json`, as JSON (problems too).
pub fn run(cli: &Cli, json: bool) -> Result<ExitCode> {
    let desired = context::load_reporting(cli, json)?;
    if json {
        let resources: Vec<serde_json::Value> = desired
            .resources
            .values()
            .map(|r| {
                serde_json::json!({"address": r.address, "kind": r.kind, "name": r.name, "location": r.location})
            })
            .collect();
        let doc = serde_json::json!({
            "format_version": 1,
            "valid": true,
            "stack": desired.stack,
            "env": desired.env.name,
            "resources": resources,
            "outputs": desired.outputs.keys().collect::<Vec<_>>(),
        });
        outln!(
            "{}",
            serde_json::to_string_pretty(&doc).map_err(|e| miette::miette!("{e}"))?
        );
        return Ok(ExitCode::SUCCESS);
    }
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
