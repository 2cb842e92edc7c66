//! The `glue.database` and `glue.table` resource kinds (the Glue Data Catalog the ingest jobs
//! write to and Athena reads), `glue.crawler` (paths catalogued by Glue itself), `glue.job`
//! (the jobs themselves) and `glue.trigger` (what starts them on a schedule or after other
//! jobs), built only on the kit.
//!
//! A table is named `DATABASE.TABLE`; its columns are diffed one by one, so a plan shows the
//! column that was added, removed or retyped. Glue cannot tag tables: a table is known to be
//! lakectl's by its state record, as the engine decides for every untaggable kind.

mod crawler;
mod crawler_schema;
mod database;
mod formats;
mod job;
mod job_schema;
mod live;
mod schema;
mod table;
mod tags;
mod trigger;
mod trigger_schema;

pub use crawler::{CrawlerProvider, crawler_arn, crawler_spec};
pub use crawler_schema::{
    CRAWLER, DELETE_BEHAVIORS, UPDATE_BEHAVIORS, crawler_name_rule, crawler_schema,
};
pub use database::DatabaseProvider;
pub use formats::{FORMATS, Storage, format_of, storage};
pub use job::{JobProvider, job_arn, job_spec};
pub use job_schema::{COMMANDS, GLUE_VERSIONS, JOB, WORKER_TYPES, job_name_rule, job_schema};
pub use live::{
    ColumnFacts, DatabaseFacts, SERVICE_PARAMETERS, TableFacts, database_spec, table_spec,
};
pub use schema::{
    DATABASE, NAME_MAX_LEN, TABLE, database_name_rule, database_schema, table_name_rule,
    table_schema,
};
pub use table::TableProvider;
pub use trigger::{TriggerProvider, trigger_arn, trigger_spec};
pub use trigger_schema::{JOB_STATES, TRIGGER, TRIGGER_TYPES, trigger_name_rule, trigger_schema};

use lakectl_provider::AccountContext;

/// `DATABASE.TABLE` split at its first `.`.
pub fn split_table_name(name: &str) -> Option<(&str, &str)> {
    name.split_once('.')
}

/// `arn:{partition}:glue:{region}:{account}:database/{database}`.
pub fn database_arn(account: &AccountContext, database: &str) -> String {
    format!(
        "arn:{}:glue:{}:{}:database/{database}",
        account.partition, account.region, account.account_id
    )
}

/// `arn:{partition}:glue:{region}:{account}:table/{database}/{table}`.
pub fn table_arn(account: &AccountContext, database: &str, table: &str) -> String {
    format!(
        "arn:{}:glue:{}:{}:table/{database}/{table}",
        account.partition, account.region, account.account_id
    )
}
