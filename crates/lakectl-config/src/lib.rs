//! Stack files to the desired graph, with diagnostics that point at file:line:col.
//!
//! [`load`] reads `stacks/*.yaml` and `stacks/env/<env>.yaml`, fans out `for_each`,
//! substitutes vars, checks every resource against its kind's schema and returns the
//! [`DesiredStack`]; or every problem it found, as [`Diagnostics`]. It makes no AWS call.
//! The format is described in this crate's README.md.

mod assets;
mod build;
mod constructs;
mod cycles;
mod diagnostic;
mod env_file;
mod eval;
pub mod json_schema;
mod moves;
mod names;
pub mod reference;
mod source;
mod stack_file;
mod vars;

pub use diagnostic::{Diagnostic, Diagnostics};

use lakectl_core::schema::closest;
use lakectl_core::{DesiredStack, Schema};
use source::{Node, Source};
use std::path::{Path, PathBuf};

/// Loads `stacks_dir/*.yaml|*.yml` (every file directly in the folder; subfolders are ignored
/// except `env/`) and `stacks_dir/env/<env>.yaml`, validates everything against the kind schemas,
/// and returns the desired graph. Makes no AWS call.
///
/// # Errors
/// Every problem found in the stack and env files, each at its file, line and column.
pub fn load(stacks_dir: &Path, env: &str, schemas: &[Schema]) -> Result<DesiredStack, Diagnostics> {
    load_with_vars(stacks_dir, env, &[], schemas)
}

/// [`load`], with `vars` (name, value as YAML text) set over the env file's values, as
/// `--var NAME=VALUE` on the command line does.
///
/// # Errors
/// As [`load`]; a var given here that no stack file declares, or whose value is not a var's
/// value, is reported at `--var NAME`.
pub fn load_with_vars(
    stacks_dir: &Path,
    env: &str,
    vars: &[(String, String)],
    schemas: &[Schema],
) -> Result<DesiredStack, Diagnostics> {
    // One cause, one error: no stack folder, a file that is not YAML, or no env file stops
    // here, before its missing declarations show up as undeclared vars and unknown names.
    let mut errs = Vec::new();
    let kinds: Vec<&str> = schemas.iter().map(|s| s.kind).collect();
    let mut decls = stack_file::Decls::default();
    let files = stack_files(stacks_dir, &mut errs);
    if files.is_empty() {
        return Err(Diagnostics::new(errs));
    }
    let roots: Vec<(&PathBuf, Option<Node>)> = files
        .iter()
        .map(|path| (path, read_yaml(path, &mut errs)))
        .collect();
    let env_path = env_file_path(stacks_dir, env);
    let env_root = env_path.as_ref().map(|p| read_yaml(p, &mut errs));
    if env_path.is_none() {
        errs.push(missing_env(stacks_dir, env));
    }
    if !errs.is_empty() {
        return Err(Diagnostics::new(errs));
    }
    for (path, root) in &roots {
        if let Some(root) = root {
            stack_file::read(path, root, &kinds, &mut decls, &mut errs);
        }
    }
    constructs::expand(&mut decls, &mut errs);

    let env_file = match (&env_path, env_root.flatten()) {
        (Some(p), Some(root)) => env_file::read(p, env, &root, &mut errs),
        _ => None,
    };
    let env_settings = match env_file {
        Some(f) => {
            override_vars(&mut decls, f.vars, &mut errs);
            override_vars(&mut decls, command_line_vars(vars, &mut errs), &mut errs);
            f.settings
        }
        None => lakectl_core::EnvSettings {
            name: env.to_string(),
            region: String::new(),
            account_id: None,
            endpoint: None,
            removal_policy: lakectl_core::RemovalPolicy::default(),
            emulator: false,
        },
    };
    let built = build::build(&decls, env_settings, schemas, stacks_dir, &mut errs);
    match built {
        Some(stack) if errs.is_empty() => Ok(stack),
        _ => Err(Diagnostics::new(errs)),
    }
}

/// The env names that have a file in `stacks_dir/env/`.
pub fn env_names(stacks_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = yaml_files(&stacks_dir.join("env"))
        .unwrap_or_default()
        .iter()
        .filter_map(|p| p.file_stem().and_then(|s| s.to_str()).map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The `.yaml`/`.yml` files directly in `dir`, sorted by name.
fn yaml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| dir.join(e.file_name()))
        .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .collect();
    files.sort();
    Ok(files)
}

fn stack_files(dir: &Path, errs: &mut Vec<Diagnostic>) -> Vec<PathBuf> {
    match yaml_files(dir) {
        Ok(files) if files.is_empty() => {
            errs.push(
                Diagnostic::file(dir.to_path_buf(), "no stack files (*.yaml) in this folder")
                    .hint("put the stack's `.yaml` files directly in the folder, or point --stacks-dir at it"),
            );
            files
        }
        Ok(files) => files,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            errs.push(
                Diagnostic::file(dir.to_path_buf(), "there is no stack folder here")
                    .hint(format!(
                        "run lakectl from the folder that holds `{}` (the repository root), or point --stacks-dir at the stack files",
                        dir.display()
                    )),
            );
            Vec::new()
        }
        Err(e) => {
            errs.push(
                Diagnostic::file(
                    dir.to_path_buf(),
                    format!("cannot read the stack folder: {e}"),
                )
                .hint("point --stacks-dir at the folder that holds the stack files"),
            );
            Vec::new()
        }
    }
}

fn env_file_path(dir: &Path, env: &str) -> Option<PathBuf> {
    ["yaml", "yml"]
        .iter()
        .map(|ext| dir.join("env").join(format!("{env}.{ext}")))
        .find(|p| p.is_file())
}

fn missing_env(dir: &Path, env: &str) -> Diagnostic {
    let known = env_names(dir);
    let path = dir.join("env").join(format!("{env}.yaml"));
    let same_but_case = known.iter().find(|k| k.eq_ignore_ascii_case(env));
    let hint = match (
        closest(env, known.iter().map(String::as_str)),
        known.is_empty(),
    ) {
        _ if let Some(k) = same_but_case => {
            format!("env names are case-sensitive: use `--env {k}`")
        }
        (_, true) => format!("create {} with at least `region:`", path.display()),
        (Some(c), false) => format!("did you mean `{c}`? envs with a file: {}", known.join(", ")),
        (None, false) => format!(
            "envs with a file: {}; to add `{env}`, create this file with at least `region:`",
            known.join(", ")
        ),
    };
    Diagnostic::file(path, format!("no env file for env `{env}`")).hint(hint)
}

/// Reads and parses one YAML (or JSON) file, with positions for messages.
pub(crate) fn read_yaml(path: &Path, errs: &mut Vec<Diagnostic>) -> Option<Node> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            errs.push(Diagnostic::file(
                path.to_path_buf(),
                format!("cannot read the file: {e}"),
            ));
            return None;
        }
    };
    let src = Source::new(path.to_path_buf(), &text);
    source::parse(&src, &text).map_err(|d| errs.push(d)).ok()
}

/// `--var NAME=VALUE` values, each read as the one-line YAML document `NAME: VALUE`, so that
/// a problem is shown at `--var` with the value as the user wrote it.
fn command_line_vars(
    vars: &[(String, String)],
    errs: &mut Vec<Diagnostic>,
) -> Vec<(String, source::Pos, Node)> {
    let mut out = Vec::new();
    for (name, value) in vars {
        let text = format!("{name}: {value}");
        let src = Source::new(PathBuf::from("--var"), &text);
        let Ok(root) = source::parse(&src, &text).map_err(|d| errs.push(d)) else {
            continue;
        };
        for e in root.entries().unwrap_or_default() {
            out.push((e.key.clone(), e.key_pos.clone(), e.value.clone()));
        }
    }
    out
}

fn override_vars(
    decls: &mut stack_file::Decls,
    overrides: Vec<(String, source::Pos, Node)>,
    errs: &mut Vec<Diagnostic>,
) {
    for (name, pos, value) in overrides {
        let Some(var) = decls.vars.get_mut(&name) else {
            let hint = match closest(&name, decls.vars.keys().map(String::as_str)) {
                Some(c) => format!("did you mean `{c}`?"),
                None => format!("declare `{name}` with a default under `vars:` in a stack file"),
            };
            errs.push(
                Diagnostic::at(
                    &pos,
                    format!("var `{name}` is not declared in the stack files"),
                )
                .hint(hint),
            );
            continue;
        };
        match vars::var_value(&name, &value) {
            Ok(v) => {
                var.value = v;
                var.pos = pos;
            }
            Err(d) => errs.push(d),
        }
    }
}
