//! `stacks/env/<env>.yaml`: region, account, endpoint, removal policy and var overrides.

use crate::diagnostic::Diagnostic;
use crate::source::{Node, Pos, Tree};
use lakectl_core::schema::closest;
use lakectl_core::{EnvSettings, RemovalPolicy};
use std::path::Path;

/// An env file, read.
#[derive(Debug)]
pub(crate) struct EnvFile {
    pub settings: EnvSettings,
    /// `vars:` overrides: name, where the key is, the value.
    pub vars: Vec<(String, Pos, Node)>,
}

const KEYS: [&str; 6] = [
    "region",
    "account_id",
    "endpoint",
    "emulator",
    "removal_policy",
    "vars",
];

/// Reads an env file, reporting every problem in it; what is valid is still returned, so that
/// var overrides are checked too. `None` when the file is not a mapping.
pub(crate) fn read(
    path: &Path,
    env: &str,
    root: &Node,
    errs: &mut Vec<Diagnostic>,
) -> Option<EnvFile> {
    let Some(entries) = root.entries() else {
        errs.push(Diagnostic::at(
            &root.pos,
            "an env file must be a mapping at the top level",
        ));
        return None;
    };
    let mut settings = EnvSettings {
        name: env.to_string(),
        region: String::new(),
        account_id: None,
        endpoint: None,
        removal_policy: RemovalPolicy::default(),
        emulator: false,
    };
    let mut vars = Vec::new();
    for e in entries {
        let v = &e.value;
        let text = || -> Option<String> {
            match &v.tree {
                Tree::Str(s) => Some(s.clone()),
                Tree::Num(_) => v.pos.token_text(),
                _ => None,
            }
        };
        match e.key.as_str() {
            "region" => match text() {
                Some(r) if is_region(&r) => settings.region = r,
                Some(r) => errs.push(
                    Diagnostic::at(&v.pos, format!("`{r}` is not an AWS region"))
                        .hint("regions look like `us-east-1` or `eu-west-1`"),
                ),
                None => errs.push(Diagnostic::at(
                    &v.pos,
                    format!("`region` must be a region name, found {}", v.describe()),
                )),
            },
            "account_id" => match text() {
                Some(a) if a.len() == 12 && a.chars().all(|c| c.is_ascii_digit()) => {
                    settings.account_id = Some(a)
                }
                found => errs.push(
                    Diagnostic::at(
                        &v.pos,
                        format!(
                            "`account_id` must be 12 digits, found {}",
                            found.map_or_else(|| v.describe().to_string(), |f| format!("`{f}`"))
                        ),
                    )
                    .hint(
                        "write the AWS account id in quotes, e.g. `account_id: \"123456789012\"`",
                    ),
                ),
            },
            "endpoint" => match v.as_str() {
                Some(u) if u.starts_with("http://") || u.starts_with("https://") => {
                    settings.endpoint = Some(u.to_string())
                }
                _ => errs.push(
                    Diagnostic::at(
                        &v.pos,
                        "`endpoint` must be a URL starting with http:// or https://",
                    )
                    .hint("e.g. `endpoint: http://127.0.0.1:4566` for the local emulator"),
                ),
            },
            "emulator" => match &v.tree {
                Tree::Bool(b) => settings.emulator = *b,
                _ => errs.push(
                    Diagnostic::at(&v.pos, format!("`emulator` must be true or false, found {}", v.describe()))
                        .hint("`emulator: true` says this env talks to a local emulator, which takes its test credentials"),
                ),
            },
            "removal_policy" => {
                if let Some(p) = removal_policy(v, errs) {
                    settings.removal_policy = p;
                }
            }
            "vars" => match &v.tree {
                Tree::Map(vs) => vars.extend(
                    vs.iter()
                        .map(|x| (x.key.clone(), x.key_pos.clone(), x.value.clone())),
                ),
                Tree::Null => {}
                _ => errs.push(Diagnostic::at(
                    &v.pos,
                    format!(
                        "`vars` must be a mapping of var names to values, found {}",
                        v.describe()
                    ),
                )),
            },
            other => {
                let hint = match (closest(other, KEYS.into_iter()), other) {
                    (Some(c), _) => format!("did you mean `{c}`?"),
                    (None, "stack" | "resources" | "outputs") => {
                        format!(
                            "`{other}` belongs in the stack files; an env file has {}",
                            KEYS.join(", ")
                        )
                    }
                    _ => format!("an env file has {}", KEYS.join(", ")),
                };
                errs.push(
                    Diagnostic::at(&e.key_pos, format!("unknown key `{other}` in the env file"))
                        .hint(hint),
                );
            }
        }
    }
    if settings.emulator && settings.endpoint.is_none() {
        let at = entries
            .iter()
            .find(|e| e.key == "emulator")
            .map(|e| &e.value.pos);
        if let Some(pos) = at {
            errs.push(
                Diagnostic::at(pos, "`emulator: true` needs the emulator's `endpoint`").hint(
                    "add `endpoint: http://127.0.0.1:4566` (where `scripts/emulator up` listens)",
                ),
            );
        }
    }
    if !entries.iter().any(|e| e.key == "region") {
        errs.push(
            Diagnostic::file(
                path.to_path_buf(),
                format!("env file for `{env}` has no `region`"),
            )
            .hint("add `region: us-east-1` (the AWS region this env deploys to)"),
        );
    }
    Some(EnvFile { settings, vars })
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`: words of lower-case letters, then a number.
fn is_region(r: &str) -> bool {
    let parts: Vec<&str> = r.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// A `removal_policy:` value, in an env file or on a resource.
pub(crate) fn removal_policy(v: &Node, errs: &mut Vec<Diagnostic>) -> Option<RemovalPolicy> {
    match v.as_str() {
        Some("destroy") => Some(RemovalPolicy::Destroy),
        Some("retain") => Some(RemovalPolicy::Retain),
        found => {
            let hint = found
                .and_then(|f| closest(f, ["destroy", "retain"].into_iter()))
                .map_or_else(
                    || "`retain` leaves the resource in AWS when it is removed or destroyed; `destroy` deletes it".to_string(),
                    |c| format!("did you mean `{c}`?"),
                );
            errs.push(
                Diagnostic::at(
                    &v.pos,
                    format!(
                        "`removal_policy` must be `destroy` or `retain`, found {}",
                        found.map_or_else(|| v.describe().to_string(), |f| format!("`{f}`"))
                    ),
                )
                .hint(hint),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_have_the_aws_shape() {
        let cases = [
            ("plain", "us-east-1", true),
            ("govcloud", "us-gov-west-1", true),
            ("missing number", "eu-west", false),
            ("upper case", "US-EAST-1", false),
            ("availability zone", "us-east-1a", false),
        ];
        for (why, r, want) in cases {
            assert_eq!(is_region(r), want, "{why}");
        }
    }
}
