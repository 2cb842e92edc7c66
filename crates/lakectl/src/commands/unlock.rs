//! `lakectl unlock --force`: remove the deploy lock of a deploy that died.

use crate::cli::{Cli, UnlockArgs};
use crate::context;
use crate::output::outln;
use lakectl_engine::state::StateStore;
use miette::{Result, miette};
use std::process::ExitCode;

/// Removes the lock whoever holds it, and says whose it was.
pub async fn run(cli: &Cli, args: &UnlockArgs) -> Result<ExitCode> {
    if !args.force {
        return Err(miette!(
            help = "a live deploy's lock is renewed every few seconds and a dead one's expires within 15 s; pass --force if you are sure no deploy is running",
            "unlock needs --force"
        ));
    }
    let desired = context::load(cli)?;
    let aws = context::connect(&desired.env).await?;
    let state = context::state_store(&aws);
    context::ensure_state(&state).await?;
    match state
        .force_unlock(&lakectl_engine::state::StackEnv::of(&desired))
        .await?
    {
        Some(lock) => outln!(
            "removed the deploy lock of {}/{} held by {}",
            desired.stack,
            desired.env.name,
            lock.holder
        ),
        None => outln!("{}/{} was not locked", desired.stack, desired.env.name),
    }
    Ok(ExitCode::SUCCESS)
}
