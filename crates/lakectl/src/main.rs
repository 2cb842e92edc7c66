//! `lakectl`: plan, deploy and destroy the data lake.

mod cli;
mod commands;
mod context;
mod output;
mod progress;
mod render;

use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    // A usage error exits 1, not clap's 2: under `plan --detailed-exitcode`, 2 means
    // "changes pending", and a mistyped flag must not read as that in CI.
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    // Errors name files as `file:line:col`; wrapping them at 80 columns in a CI log breaks
    // those places apart, so lines wrap only on a terminal.
    let wrap = std::io::stderr().is_terminal();
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(miette::MietteHandlerOpts::new().wrap_lines(wrap).build())
    }));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(commands::run(&cli));
    if cli.stats {
        print_stats();
    }
    match result {
        Ok(code) => code,
        Err(report) => {
            // Stack-file diagnostics were printed in full, summary included, by the loader.
            if report.downcast_ref::<context::BadStack>().is_none() {
                eprintln!("{report:?}");
            }
            ExitCode::from(1)
        }
    }
}

fn print_stats() {
    let calls = lakectl_provider::calls::snapshot();
    let total: u64 = calls.values().sum();
    let mutating: u64 = calls
        .iter()
        .filter(|(op, _)| lakectl_provider::calls::is_mutating(op))
        .map(|(_, n)| n)
        .sum();
    eprintln!("aws calls: {total} ({mutating} mutating)");
    for (op, n) in calls {
        eprintln!("  {n:>6} {op}");
    }
}
