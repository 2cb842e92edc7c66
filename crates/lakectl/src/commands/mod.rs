//! One module per command.

mod apply;
mod build;
mod import;
mod outputs;
mod plan;
mod saved;
mod schema;
mod state;
mod unlock;
mod validate;

use crate::cli::{Cli, Command};
use miette::Result;
use std::process::ExitCode;

/// Runs the command the user asked for.
pub async fn run(cli: &Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Validate(args) => validate::run(cli, args.json),
        Command::Synth => validate::synth(cli),
        Command::Graph(args) => validate::graph(cli, args),
        Command::Plan(args) => plan::run(cli, args).await,
        Command::Deploy(args) => apply::run(cli, &args.change, apply::Mode::Deploy).await,
        Command::Destroy(args) => apply::run(cli, &args.change, apply::Mode::Destroy).await,
        Command::Outputs(args) => outputs::run(cli, args).await,
        Command::Import(args) => import::run(cli, args).await,
        Command::Unlock(args) => unlock::run(cli, args).await,
        Command::State(command) => state::run(cli, command).await,
        Command::Build(args) => build::run(cli, args).await,
        Command::Completions(args) => Ok(completions(args.shell)),
        Command::Schema(args) => schema::run(args),
    }
}

/// Writes the completion script of `shell` to stdout.
fn completions(shell: clap_complete::Shell) -> ExitCode {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    clap_complete::generate(shell, &mut cmd, "lakectl", &mut std::io::stdout());
    ExitCode::SUCCESS
}
