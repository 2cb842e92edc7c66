//! The command line.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// lakectl: plan, deploy and destroy the data lake, straight through the AWS APIs.
#[derive(Debug, Parser)]
#[command(name = "lakectl", version, about, long_about = None)]
pub struct Cli {
    /// Folder with the stack files and env/<env>.yaml.
    #[arg(
        long,
        global = true,
        default_value = "stacks",
        env = "LAKECTL_STACKS_DIR"
    )]
    pub stacks_dir: PathBuf,

    /// The environment: a file stacks/env/<ENV>.yaml.
    #[arg(long, short = 'e', global = true, env = "LAKECTL_ENV")]
    pub env: Option<String>,

    /// Print the AWS calls made, by operation, to stderr at the end.
    #[arg(long, global = true)]
    pub stats: bool,

    /// Set a var for this run, over the env file's value (repeatable). VALUE is read as YAML:
    /// `--var tenants='[acme, globex]'`.
    #[arg(long = "var", global = true, value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,

    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the stack files and the env file; makes no AWS call.
    Validate(ValidateArgs),
    /// Print the fully expanded desired state (for_each, vars, assets) as JSON; no AWS call.
    Synth,
    /// Print the dependency graph as Mermaid, DOT or an SVG picture; no AWS call.
    Graph(GraphArgs),
    /// Show what deploy would change.
    Plan(PlanArgs),
    /// Make AWS match the stack files.
    Deploy(DeployArgs),
    /// Delete everything this stack owns in the env.
    Destroy(DestroyArgs),
    /// Print the outputs of the last deploy.
    Outputs(OutputsArgs),
    /// Adopt existing resources nobody owns at these addresses; changes nothing in AWS.
    Import(ImportArgs),
    /// Remove the deploy lock of a dead deploy.
    Unlock(UnlockArgs),
    /// What lakectl owns, and moving or forgetting a resource without touching it.
    #[command(subcommand)]
    State(StateCommand),
    /// Start a build of the stack's CodeBuild project and follow it to its end.
    Build(BuildArgs),
    /// Print the JSON Schema of stack or env files, or write the kinds' reference pages;
    /// no AWS call.
    Schema(SchemaArgs),
    /// Print a shell completion script: `lakectl completions bash > ~/.local/share/bash-completion/completions/lakectl`.
    Completions(CompletionsArgs),
}

/// `NAME=VALUE` of `--var`.
fn parse_var(arg: &str) -> Result<(String, String), String> {
    match arg.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!(
            "`{arg}` is not NAME=VALUE; write e.g. `--var log_retention_days=30`"
        )),
    }
}

/// Options shared by commands that observe AWS.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// How many AWS resources to read or change at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Only this address and what it depends on (repeatable); the rest is left alone, the
    /// recorded outputs too.
    #[arg(long = "target", value_name = "ADDRESS")]
    pub targets: Vec<String>,
}

/// `lakectl validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Print the result (or the problems) as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `lakectl graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// The output format.
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: crate::render::graph::Format,
    /// One node for all instances of a `for_each` resource (tenants, assets).
    #[arg(long)]
    pub collapse: bool,
}

/// `lakectl plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Print the plan as JSON (format_version 1).
    #[arg(long)]
    pub json: bool,
    /// Exit 0 when nothing would change, 2 when something would, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Plan a destroy instead of a deploy.
    #[arg(long)]
    pub destroy: bool,
    /// Also save the plan to FILE, for `lakectl deploy FILE` (or `destroy FILE`) to apply.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// Options shared by commands that change AWS.
#[derive(Debug, Args, Clone)]
pub struct ChangeArgs {
    /// A plan saved by `plan --out`: applied without asking, and only if planning again now
    /// gives the same plan (stack files and live resources unchanged).
    #[arg(value_name = "PLAN_FILE")]
    pub plan_file: Option<PathBuf>,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Allow deleting or replacing buckets with objects and tables with items.
    #[arg(long)]
    pub allow_data_loss: bool,
    /// Wait up to this many seconds for another deploy's lock instead of failing at once.
    #[arg(long, value_name = "SECONDS")]
    pub lock_timeout: Option<u64>,
    #[command(flatten)]
    pub run: RunArgs,
}

/// `lakectl deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    #[command(flatten)]
    pub change: ChangeArgs,
}

/// `lakectl destroy`.
#[derive(Debug, Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    pub change: ChangeArgs,
}

/// `lakectl outputs`.
#[derive(Debug, Args)]
pub struct OutputsArgs {
    /// Print as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `lakectl import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Addresses as the plan shows them, e.g. `customer_bucket[acme]`.
    #[arg(required = true, value_name = "ADDRESS")]
    pub addresses: Vec<String>,
    /// Wait up to this many seconds for another deploy's lock instead of failing at once.
    #[arg(long, value_name = "SECONDS")]
    pub lock_timeout: Option<u64>,
}

/// `lakectl state ...`.
#[derive(Debug, Subcommand)]
pub enum StateCommand {
    /// List the resources the state records for the stack and env.
    List {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one record: kind, physical name, status, dependencies, attributes (as JSON).
    Show {
        /// The address, as the plan shows it.
        address: String,
    },
    /// Move a record to another address (after renaming a resource in the stack files);
    /// changes nothing in AWS. The next deploy retags the resource.
    Mv {
        /// The address it has in the state now.
        from: String,
        /// The address the stack files give it.
        to: String,
        /// Wait up to this many seconds for another deploy's lock instead of failing at once.
        #[arg(long, value_name = "SECONDS")]
        lock_timeout: Option<u64>,
    },
    /// Stop managing a resource no longer in the stack files: it stays in AWS as it is; its
    /// record and lakectl's ownership tags are removed.
    Forget {
        /// The address, as the plan showed it.
        address: String,
        /// Wait up to this many seconds for another deploy's lock instead of failing at once.
        #[arg(long, value_name = "SECONDS")]
        lock_timeout: Option<u64>,
    },
}

/// `lakectl unlock`.
#[derive(Debug, Args)]
pub struct UnlockArgs {
    /// Required: removing another process's lock is a deliberate act.
    #[arg(long)]
    pub force: bool,
}

/// `lakectl build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The project; by default the stack's one (a codebuild.project, or a stack's
    /// `ProjectName` output).
    #[arg(long)]
    pub project: Option<String>,
    /// The branch, tag or commit to build instead of the project's own.
    #[arg(long)]
    pub source_version: Option<String>,
    /// Stop following (the build goes on) after this many minutes.
    #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u32).range(1..=2160))]
    pub timeout_minutes: u32,
}

/// `lakectl completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// What `lakectl schema` writes.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SchemaOf {
    /// The JSON Schema of stack files (docs/stack.schema.json).
    Stack,
    /// The JSON Schema of env files (docs/env.schema.json).
    Env,
    /// The property reference of every kind, as Markdown pages (docs/kinds/).
    Kinds,
}

/// `lakectl schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which.
    #[arg(value_enum, default_value = "stack")]
    pub of: SchemaOf,
    /// For `kinds`: the folder to write the pages to.
    #[arg(long, value_name = "DIR", default_value = "docs/kinds")]
    pub out: PathBuf,
}
