//! The property reference of each kind (`docs/kinds/KIND.md`), written from the kinds' own
//! schemas: the same source the loader checks stack files against.

use lakectl_core::schema::{Prop, Schema, Type};
use std::fmt::Write;

fn type_text(ty: &Type) -> String {
    match ty {
        Type::String => "string".into(),
        Type::Bool => "true/false".into(),
        Type::Int { min, max } if *max == i64::MAX => format!("whole number ≥ {min}"),
        Type::Int { min, max } => format!("whole number {min}–{max}"),
        Type::Enum(options) => format!(
            "one of {}",
            options
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Type::List(item) => format!("list of {}", type_text(item)),
        Type::Set(item) => format!("set of {} (order ignored)", type_text(item)),
        Type::Map(value) => format!("map of names to {}", type_text(value)),
        Type::Object(_) => "object (fields below)".into(),
        Type::Keyed { key, .. } => format!("list of objects, each named by `{key}` (fields below)"),
        Type::Json => "any JSON/YAML value".into(),
    }
}

/// `|` ends a table cell: escaped where a description holds one.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn rows(out: &mut String, props: &[Prop], prefix: &str) {
    for p in props {
        let path = format!("{prefix}{}", p.name);
        let mut notes = Vec::new();
        if p.required {
            notes.push("required");
        }
        if p.immutable {
            notes.push("changing it replaces the resource");
        }
        if p.sensitive {
            notes.push("sensitive: never shown");
        }
        if p.write_only {
            notes.push("sent, never read back");
        }
        let default = p
            .default
            .as_ref()
            .map(|d| format!("`{d}`"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{path}` | {} | {} | {} | {} |",
            cell(&type_text(&p.ty)),
            default,
            notes.join("; "),
            cell(p.doc)
        );
        match &p.ty {
            Type::Object(inner) => rows(out, inner, &format!("{path}.")),
            Type::Keyed { props, .. } => rows(out, props, &format!("{path}[].")),
            Type::List(item) | Type::Set(item) | Type::Map(item) => {
                if let Type::Object(inner) = item.as_ref() {
                    rows(out, inner, &format!("{path}[]."));
                }
            }
            _ => {}
        }
    }
}

/// The page of one kind.
pub fn kind_page(schema: &Schema) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# `{}`\n", schema.kind);
    let _ = writeln!(out, "{}\n", schema.description);
    let _ = writeln!(
        out,
        "Generated from the kind's schema by `scripts/docs`; do not edit by hand.\n"
    );
    let _ = writeln!(out, "## Properties\n");
    let _ = writeln!(out, "| property | type | default | notes | meaning |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    rows(&mut out, &schema.props, "");
    let _ = writeln!(out, "\n## Attributes\n");
    let mut attributes = vec!["name"];
    attributes.extend(schema.attributes.iter().filter(|a| **a != "name"));
    let shown: Vec<String> = attributes
        .iter()
        .map(|a| match *a {
            "*" => "each output of its template, by the template's name".to_string(),
            a => format!("`${{ADDRESS.{a}}}`"),
        })
        .collect();
    let _ = writeln!(out, "Other resources may refer to {}.", shown.join(", "));
    let _ = writeln!(
        out,
        "\nThe physical name is `properties.name` when given, else derived from stack, env and address (at most {} characters).",
        schema.name_max_len
    );
    if schema.taggable {
        let _ = writeln!(
            out,
            "It carries lakectl's ownership tags (`lakectl:stack`, `lakectl:env`, `lakectl:address`) besides its own `tags`."
        );
    }
    out
}

/// The index of every kind.
pub fn index_page(schemas: &[Schema]) -> String {
    let mut out = String::from(
        "# Resource kinds\n\nGenerated from the kinds' schemas by `scripts/docs`; do not edit by hand. \
         The stack file format is in [crates/lakectl-config/README.md](../../crates/lakectl-config/README.md).\n\n\
         | kind | what it is |\n|---|---|\n",
    );
    for s in schemas {
        let _ = writeln!(
            out,
            "| [`{0}`]({0}.md) | {1} |",
            s.kind,
            cell(s.description)
        );
    }
    out
}
