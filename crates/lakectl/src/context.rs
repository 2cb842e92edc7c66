//! What every command needs: the loaded stack, the SDK config, the account check, the
//! providers, the state store and the engine.

use crate::cli::Cli;
use lakectl_core::{DesiredStack, EnvSettings, Provider, Schema};
use lakectl_engine::state::lock::{LockGuard, LockOptions, default_holder};
use lakectl_engine::state::memory::MemoryStateStore;
use lakectl_engine::state::{StackEnv, StateError, StateStore};
use lakectl_provider::{AccountContext, AwsTarget, CallLog};
use lakectl_state::{DEFAULT_TABLE, DynamoStateStore};
use miette::{Result, miette};
use std::sync::Arc;
use std::time::Duration;

/// Every resource kind lakectl knows, as schemas (no AWS client needed).
pub fn schemas() -> Vec<Schema> {
    vec![
        lakectl_provider_s3::schema(),
        lakectl_provider_s3::object_schema(),
        lakectl_provider_dynamodb::schema(),
        lakectl_provider_dynamodb::item_schema(),
        lakectl_provider_iam::schema(),
        lakectl_provider_logs::schema(),
        lakectl_provider_sns::topic_schema(),
        lakectl_provider_sns::subscription_schema(),
        lakectl_provider_glue::database_schema(),
        lakectl_provider_glue::table_schema(),
        lakectl_provider_glue::job_schema(),
        lakectl_provider_glue::trigger_schema(),
        lakectl_provider_glue::crawler_schema(),
        lakectl_provider_sfn::schema(),
        lakectl_provider_cloudwatch::schema(),
        lakectl_provider_events::schema(),
        lakectl_provider_athena::schema(),
        lakectl_provider_cloudformation::schema(),
        lakectl_provider_codebuild::schema(),
        lakectl_provider_ssm::schema(),
    ]
}

/// The stack files could not be loaded. The diagnostics, with their summary line, were
/// printed already, so `main` prints nothing more for this error.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error("{count} problem(s) in the stack files")]
pub struct BadStack {
    /// How many problems.
    pub count: usize,
}

/// An address as the user typed it on the command line.
pub fn address(text: &str) -> Result<lakectl_core::Address> {
    lakectl_core::Address::parse(text).ok_or_else(|| {
        miette!(
            help = "addresses look like `config_table`, `customer_bucket[acme]` or `tenant[acme].raw`, as the plan shows them (quote them for the shell)",
            "`{text}` is not an address"
        )
    })
}

/// Addresses as typed (`--target`).
pub fn addresses(texts: &[String]) -> Result<Vec<lakectl_core::Address>> {
    texts.iter().map(|t| address(t)).collect()
}

/// The env name from `--env` / `LAKECTL_ENV`.
pub fn env_name(cli: &Cli) -> Result<&str> {
    cli.env.as_deref().ok_or_else(|| {
        let known = lakectl_config::env_names(&cli.stacks_dir);
        miette!(
            help = if known.is_empty() {
                format!("no env files found in {}/env/", cli.stacks_dir.display())
            } else {
                format!("pass --env with one of: {}", known.join(", "))
            },
            "no environment given"
        )
    })
}

/// Loads and validates the stack for the env. Makes no AWS call.
pub fn load(cli: &Cli) -> Result<DesiredStack> {
    load_reporting(cli, false)
}

/// [`load`]; with `json`, problems in the stack files go to stdout as JSON (`--json`).
pub fn load_reporting(cli: &Cli, json: bool) -> Result<DesiredStack> {
    let env = env_name(cli)?;
    load_with(cli, env, &cli.vars, json)
}

/// Loads the stack for `env` with `vars` set (a saved plan's). Makes no AWS call.
pub fn load_as(cli: &Cli, env: &str, vars: &[(String, String)]) -> Result<DesiredStack> {
    load_with(cli, env, vars, false)
}

fn load_with(cli: &Cli, env: &str, vars: &[(String, String)], json: bool) -> Result<DesiredStack> {
    lakectl_config::load_with_vars(&cli.stacks_dir, env, vars, &schemas()).map_err(|diagnostics| {
        if json {
            crate::output::outln!("{}", problems_json(&diagnostics));
        } else {
            eprint!("{diagnostics}");
        }
        BadStack {
            count: diagnostics.len(),
        }
        .into()
    })
}

/// The JSON form of problems in the stack files (docs/plan-json.md).
pub fn problems_json(diagnostics: &lakectl_config::Diagnostics) -> String {
    let problems: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            serde_json::json!({
                "file": d.file.display().to_string(),
                "line": d.line,
                "column": d.column,
                "message": d.message,
                "hint": d.hint,
            })
        })
        .collect();
    let doc = serde_json::json!({"format_version": 1, "valid": false, "problems": problems});
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// A connection to the env's AWS account (or emulator), with the account verified.
pub struct Aws {
    /// The shared SDK config.
    pub config: aws_config::SdkConfig,
    /// Region and endpoint.
    pub target: AwsTarget,
    /// Account, region, partition.
    pub account: AccountContext,
}

/// Where the env deploys to: `AWS_ENDPOINT_URL` overrides the env file's endpoint.
pub fn target(env: &EnvSettings) -> AwsTarget {
    let endpoint = std::env::var("AWS_ENDPOINT_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| env.endpoint.clone());
    // An emulator env works in a fresh shell; credentials given in the environment still win
    // (LocalStack derives its account from the access key).
    let test_credentials = env.emulator && std::env::var_os("AWS_ACCESS_KEY_ID").is_none();
    AwsTarget {
        region: env.region.clone(),
        endpoint,
        test_credentials,
    }
}

/// The fix for missing credentials, for where this env deploys.
fn credentials_help(env: &EnvSettings, target: &AwsTarget) -> String {
    match &target.endpoint {
        Some(_) => format!(
            "for the local emulator, add `emulator: true` to env/{}.yaml (it then uses the emulator's test credentials), or export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing",
            env.name
        ),
        None => "log in (`aws sso login --profile NAME`, then AWS_PROFILE=NAME), or export credentials of the account this env deploys to".to_string(),
    }
}

/// The fix for an endpoint that does not answer: the emulator is only suggested where the env
/// talks to one.
fn unreachable_help(target: &AwsTarget) -> String {
    match &target.endpoint {
        Some(url) => format!(
            "nothing answers at {url}: start the local emulator with `scripts/emulator up`, or fix AWS_ENDPOINT_URL / the env file's endpoint"
        ),
        None => format!(
            "AWS in {} could not be reached: check the network, DNS and any proxy (HTTPS_PROXY), and that the region is right",
            target.region
        ),
    }
}

/// Builds the SDK config and asks STS which account the credentials belong to. Refuses an
/// account other than the one the env file declares, before anything else happens.
pub async fn connect(env: &EnvSettings) -> Result<Aws> {
    let target = target(env);
    if target.endpoint.is_none() {
        // AWS itself: a network blip of a few seconds is retried, not the end of the deploy.
        lakectl_provider::set_outage_grace(Duration::from_secs(15));
    }
    let config = lakectl_provider::sdk_config(&target).await;
    if let Some(problem) = lakectl_provider::credentials_problem(&config).await {
        return Err(miette!(
            help = credentials_help(env, &target),
            "no AWS credentials found, so nothing was sent. The standard chain says: {problem}"
        ));
    }
    // The first call: when nothing answers, say so after one quick retry instead of the full
    // backoff every later call gets for throttling.
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&config)
            .interceptor(CallLog)
            .retry_classifier(lakectl_provider::EndpointDown)
            .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(2))
            .build(),
    );
    let where_ = target
        .endpoint
        .clone()
        .unwrap_or_else(|| format!("AWS {}", target.region));
    let identity = sts.get_caller_identity().send().await.map_err(|e| {
        let err = lakectl_provider::aws_error("sts:GetCallerIdentity", &where_, e);
        match err {
            lakectl_core::ProviderError::Unreachable { .. } => {
                miette!(help = unreachable_help(&target), "{err}")
            }
            other => miette!(
                help = "check the credentials in the standard AWS chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO)",
                "cannot tell which AWS account this is: {other}"
            ),
        }
    })?;
    let account_id = identity.account().unwrap_or_default().to_string();
    if let Some(want) = &env.account_id
        && *want != account_id
    {
        return Err(miette!(
            help = format!(
                "use credentials for account {want}, or fix account_id in env/{}.yaml",
                env.name
            ),
            "refusing to touch account {account_id}: env `{}` belongs to account {want}; nothing was changed",
            env.name
        ));
    }
    let account = AccountContext {
        partition: AccountContext::partition_of(&target.region).to_string(),
        region: target.region.clone(),
        account_id,
    };
    Ok(Aws {
        config,
        target,
        account,
    })
}

/// One provider per kind; assets are read from `stacks_dir`.
pub fn providers(aws: &Aws, stacks_dir: &std::path::Path) -> Vec<Arc<dyn Provider>> {
    vec![
        Arc::new(lakectl_provider_s3::S3Provider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_s3::ObjectProvider::new(
            &aws.config,
            stacks_dir.to_path_buf(),
        )),
        Arc::new(lakectl_provider_dynamodb::DynamoDbProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_dynamodb::ItemProvider::new(&aws.config)),
        Arc::new(lakectl_provider_iam::IamProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_logs::LogsProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_sns::TopicProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_sns::SubscriptionProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_glue::DatabaseProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_glue::TableProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_glue::JobProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_glue::TriggerProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_glue::CrawlerProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_sfn::SfnProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_cloudwatch::AlarmProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_events::EventsProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_athena::AthenaProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(
            lakectl_provider_cloudformation::CloudFormationProvider::new(&aws.config, &aws.account)
                .with_templates(stacks_dir.to_path_buf())
                .with_events(Arc::new(|stack: &str, event: &str| {
                    eprintln!("    {stack}: {event}")
                })),
        ),
        Arc::new(lakectl_provider_codebuild::CodeBuildProvider::new(
            &aws.config,
            &aws.account,
        )),
        Arc::new(lakectl_provider_ssm::SsmProvider::new(
            &aws.config,
            &aws.account,
        )),
    ]
}

/// The state table (`LAKECTL_STATE_TABLE` or `lakectl-state`).
pub fn state_store(aws: &Aws) -> Arc<DynamoStateStore> {
    let table = std::env::var("LAKECTL_STATE_TABLE")
        .ok()
        .filter(|s| !s.is_empty());
    Arc::new(DynamoStateStore::new(
        &aws.config,
        table.unwrap_or_else(|| DEFAULT_TABLE.to_string()),
    ))
}

/// Creates the state table on first use.
pub async fn ensure_state(store: &Arc<DynamoStateStore>) -> Result<()> {
    store.ensure().await.map_err(|e| {
        miette::Report::new(e).wrap_err(format!("preparing the state table {}", store.table()))
    })
}

/// The lease of the deploy lock: a killed deploy blocks the next one for at most this long.
pub const LOCK_LEASE: Duration = Duration::from_secs(15);

/// Takes the deploy lock of the stack/env, waiting up to `wait_secs` for another holder.
pub async fn lock(
    store: &Arc<DynamoStateStore>,
    desired: &DesiredStack,
    wait_secs: Option<u64>,
) -> Result<LockGuard> {
    let opts = LockOptions {
        lease: LOCK_LEASE,
        wait: wait_secs.map(Duration::from_secs),
    };
    // Said when the wait starts, then every 5 s, counting down.
    let said = std::sync::Mutex::new(None::<std::time::Instant>);
    let waiting = |held: &lakectl_engine::state::LockInfo, left: Duration| {
        let mut last = said.lock().unwrap_or_else(|p| p.into_inner());
        if last.is_some_and(|t| t.elapsed() < Duration::from_secs(5)) {
            return;
        }
        *last = Some(std::time::Instant::now());
        let age = std::time::SystemTime::now()
            .duration_since(held.acquired_at)
            .map_or(0, |d| d.as_secs());
        eprintln!(
            "waiting for the deploy lock, held by {} for {age}s: giving up in {}s",
            held.holder,
            left.as_secs()
        );
    };
    LockGuard::acquire_reporting(
        store.clone(),
        StackEnv::of(desired),
        default_holder(),
        opts,
        waiting,
    )
    .await
    .map_err(miette::Report::new)
}

/// Runs `work` with an engine under the deploy lock of the stack/env (taken after saying where
/// this runs, and released whatever `work` does): what `import` and `state mv|forget` share.
pub async fn under_lock<T>(
    cli: &Cli,
    aws: &Aws,
    desired: &DesiredStack,
    lock_timeout: Option<u64>,
    work: impl AsyncFnOnce(&lakectl_engine::Engine) -> Result<T, lakectl_engine::EngineError>,
) -> Result<T> {
    eprintln!("{}", describe_target(desired, aws));
    let store = state_store(aws);
    ensure_state(&store).await?;
    let guard = lock(&store, desired, lock_timeout).await?;
    let engine = lakectl_engine::Engine::new(providers(aws, &cli.stacks_dir), store);
    let result = work(&engine).await;
    let released = guard.release().await;
    let done = result?;
    released.map_err(miette::Report::new)?;
    Ok(done)
}

/// The state store for read-only commands: when the state table does not exist yet nothing
/// is owned, and a plan must not create it.
pub async fn state_for_reading(aws: &Aws) -> Result<Arc<dyn StateStore>> {
    let store = state_store(aws);
    let probe = StackEnv {
        stack: String::new(),
        env: String::new(),
    };
    match store.records(&probe).await {
        Ok(_) => Ok(store),
        Err(StateError::Provider(e)) if e.code() == Some("ResourceNotFoundException") => {
            Ok(Arc::new(MemoryStateStore::new()))
        }
        Err(e) => {
            Err(miette::Report::new(e)
                .wrap_err(format!("reading the state table {}", store.table())))
        }
    }
}

/// One line saying where this runs: stack, env, account, region, endpoint.
pub fn describe_target(desired: &DesiredStack, aws: &Aws) -> String {
    let endpoint = aws
        .target
        .endpoint
        .as_deref()
        .map(|e| format!(", endpoint {e}"))
        .unwrap_or_default();
    format!(
        "stack {} / env {} — account {}, {}{endpoint}",
        desired.stack, desired.env.name, aws.account.account_id, aws.account.region
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(endpoint: Option<&str>) -> (EnvSettings, AwsTarget) {
        let env = EnvSettings {
            name: "dev".into(),
            region: "eu-west-1".into(),
            account_id: None,
            endpoint: endpoint.map(str::to_string),
            removal_policy: lakectl_core::RemovalPolicy::Destroy,
            emulator: false,
        };
        let target = AwsTarget {
            region: env.region.clone(),
            endpoint: env.endpoint.clone(),
            test_credentials: false,
        };
        (env, target)
    }

    #[test]
    fn the_emulator_is_suggested_only_where_the_env_talks_to_one() {
        let (local_env, local) = env(Some("http://127.0.0.1:4566"));
        let (real_env, real) = env(None);
        assert!(unreachable_help(&local).contains("scripts/emulator up"));
        let help = unreachable_help(&real);
        assert!(!help.contains("emulator"), "{help}");
        assert!(help.contains("eu-west-1") && help.contains("DNS"), "{help}");
        assert!(credentials_help(&local_env, &local).contains("`emulator: true` to env/dev.yaml"));
        let help = credentials_help(&real_env, &real);
        assert!(
            !help.contains("emulator") && help.contains("sso login"),
            "{help}"
        );
    }
}
