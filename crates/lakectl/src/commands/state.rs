//! `lakectl state list | show | mv | forget`: what the state records, and changing that
//! without changing the resources (forget removes only lakectl's ownership tags).

use crate::cli::{Cli, StateCommand};
use crate::context;
use crate::output::outln;
use lakectl_engine::{Engine, Forgotten};
use miette::{IntoDiagnostic, Result};
use std::process::ExitCode;

/// Runs one `state` subcommand.
pub async fn run(cli: &Cli, command: &StateCommand) -> Result<ExitCode> {
    let desired = context::load(cli)?;
    let aws = context::connect(&desired.env).await?;
    match command {
        StateCommand::List { json } => {
            let state = context::state_for_reading(&aws).await?;
            let records = state
                .records(&lakectl_engine::state::StackEnv::of(&desired))
                .await?;
            if *json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&records).into_diagnostic()?
                );
                return Ok(ExitCode::SUCCESS);
            }
            if records.is_empty() {
                eprintln!(
                    "the state records nothing for {}/{}",
                    desired.stack, desired.env.name
                );
            }
            let width = records
                .iter()
                .map(|r| r.address.as_str().len())
                .max()
                .unwrap_or(0);
            for r in &records {
                let status = serde_json::to_value(r.status).into_diagnostic()?;
                outln!(
                    "{:width$}  {} {}  ({})",
                    r.address.as_str(),
                    r.kind,
                    r.name,
                    status.as_str().unwrap_or_default()
                );
            }
        }
        StateCommand::Show { address } => {
            let address = context::address(address)?;
            let state = context::state_for_reading(&aws).await?;
            let engine = Engine::new(context::providers(&aws, &cli.stacks_dir), state);
            let record = engine.record(&desired, &address).await?;
            outln!(
                "{}",
                serde_json::to_string_pretty(&record).into_diagnostic()?
            );
        }
        StateCommand::Mv {
            from,
            to,
            lock_timeout,
        } => {
            let (from, to) = (context::address(from)?, context::address(to)?);
            let moved = context::under_lock(cli, &aws, &desired, *lock_timeout, async |engine| {
                engine.move_record(&desired, &from, &to).await
            })
            .await?;
            outln!("moved {from} → {to} ({} {})", moved.kind, moved.name);
            eprintln!(
                "\nNothing was changed in AWS. The next deploy retags it with its new address; `lakectl plan --env {}` shows that.",
                desired.env.name
            );
        }
        StateCommand::Forget {
            address,
            lock_timeout,
        } => {
            let address = context::address(address)?;
            let (record, done) =
                context::under_lock(cli, &aws, &desired, *lock_timeout, async |engine| {
                    engine.forget(&desired, &address).await
                })
                .await?;
            let what = match done {
                Forgotten::Untagged => "left as it is; its lakectl ownership tags were removed",
                Forgotten::NothingToUntag => "left as it is",
                Forgotten::Gone => "it no longer exists; only its record was dropped",
                Forgotten::OwnedElsewhere => {
                    "its tags name another stack or env now: it was left untouched, only the record was dropped"
                }
            };
            outln!("forgot {address} ({} {}): {what}", record.kind, record.name);
        }
    }
    Ok(ExitCode::SUCCESS)
}
