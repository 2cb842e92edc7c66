//! `lakectl import`: adopt, on purpose, resources that exist under the names the stack declares
//! but that nobody owns. Only the state table is written; the next plan shows what deploy will
//! change to make them match the stack.

use crate::cli::{Cli, ImportArgs};
use crate::context;
use crate::output::outln;
use lakectl_engine::Imported;
use miette::Result;
use std::process::ExitCode;

/// Imports every address given, or none of them.
pub async fn run(cli: &Cli, args: &ImportArgs) -> Result<ExitCode> {
    let desired = context::load(cli)?;
    let addresses = args
        .addresses
        .iter()
        .map(|a| context::address(a))
        .collect::<Result<Vec<_>>>()?;
    let aws = context::connect(&desired.env).await?;
    let done = context::under_lock(cli, &aws, &desired, args.lock_timeout, async |engine| {
        engine
            .import(&desired, &addresses, addresses.len().max(1))
            .await
    })
    .await?;
    for outcome in &done {
        match outcome {
            Imported::Adopted {
                address,
                kind,
                name,
            } => outln!("imported {address} ({kind} {name})"),
            Imported::AlreadyOwned {
                address,
                kind,
                name,
            } => {
                outln!("{address} ({kind} {name}) is owned by this stack already")
            }
        }
    }
    eprintln!(
        "\nNothing was changed in AWS. `lakectl plan --env {}` shows what deploy changes to make them match the stack.",
        desired.env.name
    );
    Ok(ExitCode::SUCCESS)
}
