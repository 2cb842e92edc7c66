//! `lakectl schema`: the JSON Schema of stack and env files, and the kinds' reference pages,
//! all from the kinds' own schemas (`scripts/docs` keeps the committed copies current).

use crate::cli::{SchemaArgs, SchemaOf};
use crate::context;
use crate::output::outln;
use miette::{Result, miette};
use std::process::ExitCode;

/// Prints a schema, or writes the reference pages.
pub fn run(args: &SchemaArgs) -> Result<ExitCode> {
    let schemas = context::schemas();
    let json = |v: serde_json::Value| {
        serde_json::to_string_pretty(&sorted(v))
            .map_err(|e| miette!("cannot print the schema: {e}"))
    };
    match args.of {
        SchemaOf::Stack => outln!(
            "{}",
            json(lakectl_config::json_schema::stack_schema(&schemas))?
        ),
        SchemaOf::Env => outln!("{}", json(lakectl_config::json_schema::env_schema())?),
        SchemaOf::Kinds => {
            let dir = &args.out;
            std::fs::create_dir_all(dir)
                .map_err(|e| miette!("cannot create {}: {e}", dir.display()))?;
            let mut pages = vec![(
                "README.md".to_string(),
                lakectl_config::reference::index_page(&schemas),
            )];
            pages.extend(schemas.iter().map(|s| {
                (
                    format!("{}.md", s.kind),
                    lakectl_config::reference::kind_page(s),
                )
            }));
            for (file, text) in &pages {
                let path = dir.join(file);
                std::fs::write(&path, text)
                    .map_err(|e| miette!("cannot write {}: {e}", path.display()))?;
            }
            eprintln!("wrote {} page(s) to {}", pages.len(), dir.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `v` with every object's keys in sorted order, whether or not serde_json keeps insertion
/// order (a feature another crate of the build may turn on): the committed copy must not
/// depend on how lakectl was built.
fn sorted(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}
