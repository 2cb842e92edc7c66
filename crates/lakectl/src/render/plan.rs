//! The plan for people: one line per changed resource with its symbol, then its fields.

use super::style::Style;
use super::value::{line_diff, show};
use lakectl_core::{Action, Detail, FieldChange, Plan, ResourceChange, tags};
use std::fmt::Write;

/// What `--allow-data-loss` does to the data a plan destroys: the plan says only what holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataLoss {
    /// Deploy refuses it unless the flag is given.
    NeedsFlag,
    /// The flag is given: it is destroyed.
    Allowed,
    /// The env retains data: refused, flag or not.
    Retained,
}

impl DataLoss {
    /// The case of an env, with or without the flag.
    pub fn of(env: &lakectl_core::EnvSettings, allowed: bool) -> DataLoss {
        match (env.removal_policy, allowed) {
            (lakectl_core::RemovalPolicy::Retain, _) => DataLoss::Retained,
            (_, true) => DataLoss::Allowed,
            (_, false) => DataLoss::NeedsFlag,
        }
    }
}

/// Renders a plan. No-op resources are only counted; ownership tags are shown on create only
/// as a count, since they are the same on every resource.
pub fn render(plan: &Plan, style: Style, loss: DataLoss) -> String {
    let mut out = String::new();
    let changed: Vec<&ResourceChange> = plan
        .resources
        .iter()
        .filter(|r| r.action.is_change() || r.moved_from.is_some())
        .collect();
    if changed.is_empty() {
        let _ = writeln!(
            out,
            "No changes. {} resource(s) of {}/{} match the stack files.",
            plan.summary.noop, plan.stack, plan.env
        );
        return out;
    }
    for r in changed {
        resource(&mut out, r, style, loss);
    }
    let s = &plan.summary;
    let extra = |n: usize, what: &str| match n {
        0 => String::new(),
        n => format!(", {n} {what}"),
    };
    let moved = extra(s.moved, "moved");
    let forget = extra(s.forget, "to forget");
    let _ = writeln!(
        out,
        "\n{} {} to create, {} to update, {} to replace, {} to delete{forget}{moved}, {} unchanged.",
        style.bold("Plan:"),
        s.create,
        s.update,
        s.replace,
        s.delete,
        s.noop
    );
    let at_risk: Vec<&ResourceChange> = plan.data_loss().collect();
    if !at_risk.is_empty() {
        let outcome = match loss {
            DataLoss::NeedsFlag => "deploy refuses without --allow-data-loss",
            DataLoss::Allowed => "--allow-data-loss is given, so it is destroyed",
            DataLoss::Retained => {
                "this env retains data (removal_policy: retain), so deploy refuses, with --allow-data-loss or without"
            }
        };
        let _ = writeln!(
            out,
            "{}",
            style.red(&format!(
                "Data loss: {} resource(s) hold data that this plan destroys; {outcome}.",
                at_risk.len()
            ))
        );
    }
    out
}

fn paint(style: Style, action: Action, text: &str) -> String {
    match action {
        Action::Create => style.green(text),
        Action::Update => style.yellow(text),
        Action::Replace | Action::Delete => style.red(text),
        Action::NoOp | Action::Forget => text.to_string(),
    }
}

fn resource(out: &mut String, r: &ResourceChange, style: Style, loss: DataLoss) {
    let symbol = paint(style, r.action, &format!("{:>3}", r.action.symbol()));
    let verb = match (r.action, &r.moved_from) {
        (Action::Create, _) => "will be created",
        (Action::Update, _) => "will be updated in place",
        (Action::Replace, _) => "will be replaced",
        (Action::Delete, _) => "will be deleted",
        (Action::Forget, _) => "will be left in AWS and forgotten",
        (Action::NoOp, Some(_)) => "is otherwise unchanged",
        (Action::NoOp, None) => "will be unchanged",
    };
    let moved = r
        .moved_from
        .as_ref()
        .map(|from| format!("moved from {from}, "))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "\n{symbol} {} {} {}",
        style.bold(r.address.as_str()),
        style.dim(&format!("({} {})", r.kind, r.physical_id)),
        style.dim(&format!("{moved}{verb}"))
    );
    if let Some(reason) = &r.reason {
        let _ = writeln!(
            out,
            "      {}",
            paint(style, r.action, &format!("# {reason}"))
        );
    }
    if let Some(held) = &r.data_loss {
        let outcome = match loss {
            DataLoss::NeedsFlag => "needs --allow-data-loss",
            DataLoss::Allowed => "destroyed (--allow-data-loss)",
            DataLoss::Retained => "refused: this env retains data",
        };
        let _ = writeln!(
            out,
            "      {}",
            style.red(&format!("# holds {held}: {outcome}"))
        );
    }
    let mut hidden_tags = 0;
    for c in &r.changes {
        if r.action == Action::Create && c.path == "tags" {
            field_create_tags(out, c, &mut hidden_tags, style);
            continue;
        }
        if r.action == Action::Create
            && c.path.starts_with("tags.")
            && c.path["tags.".len()..].starts_with(tags::PREFIX)
        {
            hidden_tags += 1;
            continue;
        }
        field(out, r.action, c, style);
    }
    if hidden_tags > 0 {
        let _ = writeln!(
            out,
            "      {}",
            style.dim(&format!("+ {hidden_tags} lakectl ownership tag(s)"))
        );
    }
    details(out, &r.details, style);
}

/// What the service says the update does below the resource, one line each: CloudFormation's
/// change set, with its own replacement flag.
fn details(out: &mut String, details: &[Detail], style: Style) {
    if details.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "      {}",
        style.dim("# the service's own change set:")
    );
    let width = details.iter().map(|d| d.target.len()).max().unwrap_or(0);
    for d in details {
        let action = match d.action.as_str() {
            "Add" => Action::Create,
            "Remove" => Action::Delete,
            _ if d.replacement.as_deref() == Some("True") => Action::Replace,
            _ => Action::Update,
        };
        let replacement = match &d.replacement {
            Some(r) => format!("  replacement: {r}"),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "      {} {:<width$}  {}{}",
            paint(style, action, &format!("{:>3}", action.symbol())),
            d.target,
            style.dim(&d.kind),
            paint(style, action, &replacement),
        );
    }
}

fn field_create_tags(out: &mut String, c: &FieldChange, hidden: &mut usize, style: Style) {
    let Some(serde_json::Value::Object(m)) = &c.after else {
        field(out, Action::Create, c, style);
        return;
    };
    for (k, v) in m {
        if k.starts_with(tags::PREFIX) {
            *hidden += 1;
        } else {
            let _ = writeln!(
                out,
                "      {} tags.{k}: {}",
                style.green("+"),
                show(v, "          ")
            );
        }
    }
}

fn field(out: &mut String, action: Action, c: &FieldChange, style: Style) {
    let indent = "          ";
    let value = |v: &Option<serde_json::Value>| -> String {
        match v {
            _ if c.sensitive => "(sensitive)".to_string(),
            None => "(unset)".to_string(),
            Some(v) => show(v, indent),
        }
    };
    let after = if c.known_after_apply {
        "(known after apply)".to_string()
    } else {
        value(&c.after)
    };
    let forces = if c.forces_replace && action == Action::Replace {
        style.red("  # forces replacement")
    } else {
        String::new()
    };
    let line = match (&c.before, &c.after) {
        (None, Some(_)) => format!("{} {}: {after}", style.green("+"), c.path),
        (Some(_), None) => format!("{} {}: {}", style.red("-"), c.path, value(&c.before)),
        (Some(b), Some(a))
            if !c.sensitive
                && !c.known_after_apply
                && (b.is_object() || b.is_array())
                && show(b, "").contains('\n') =>
        {
            format!(
                "{} {}:{}",
                style.yellow("~"),
                c.path,
                line_diff(b, a, indent)
            )
        }
        _ => format!(
            "{} {}: {} → {after}",
            style.yellow("~"),
            c.path,
            value(&c.before)
        ),
    };
    let _ = writeln!(out, "      {line}{forces}");
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakectl_core::Address;
    use serde_json::json;

    fn change(
        path: &str,
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
    ) -> FieldChange {
        FieldChange {
            path: path.into(),
            before,
            after,
            forces_replace: false,
            sensitive: false,
            known_after_apply: false,
        }
    }

    fn rc(address: &str, action: Action, changes: Vec<FieldChange>) -> ResourceChange {
        ResourceChange {
            address: Address::parse(address).expect("address"),
            kind: "s3.bucket".into(),
            physical_id: format!("{address}-phys"),
            action,
            changes,
            reason: None,
            data_loss: None,
            depends_on: vec![],
            details: vec![],
            moved_from: None,
        }
    }

    #[test]
    fn renders_each_action_with_its_symbol_and_fields() {
        let mut replace = rc(
            "table",
            Action::Replace,
            vec![FieldChange {
                forces_replace: true,
                ..change("partition_key.name", Some(json!("pk")), Some(json!("id")))
            }],
        );
        replace.reason = Some("`partition_key.name` cannot change in place".into());
        let mut delete = rc("old", Action::Delete, vec![]);
        delete.data_loss = Some("12 objects".into());
        let plan = Plan::new(
            "lake",
            "dev",
            vec![
                rc(
                    "new",
                    Action::Create,
                    vec![
                        change("versioning", None, Some(json!(true))),
                        change(
                            "tags",
                            None,
                            Some(json!({"lakectl:stack": "lake", "team": "data"})),
                        ),
                    ],
                ),
                rc(
                    "changed",
                    Action::Update,
                    vec![change("versioning", Some(json!(false)), Some(json!(true)))],
                ),
                replace,
                delete,
                rc("same", Action::NoOp, vec![]),
            ],
        );
        let text = render(&plan, Style::plain(), DataLoss::NeedsFlag);
        let expected = [
            "  + new (s3.bucket new-phys) will be created",
            "      + versioning: true",
            "      + tags.team: \"data\"",
            "      + 1 lakectl ownership tag(s)",
            "  ~ changed (s3.bucket changed-phys) will be updated in place",
            "      ~ versioning: false → true",
            "-/+ table (s3.bucket table-phys) will be replaced",
            "      # `partition_key.name` cannot change in place",
            "      ~ partition_key.name: \"pk\" → \"id\"  # forces replacement",
            "  - old (s3.bucket old-phys) will be deleted",
            "      # holds 12 objects: needs --allow-data-loss",
            "Plan: 1 to create, 1 to update, 1 to replace, 1 to delete, 1 unchanged.",
            "Data loss: 1 resource(s) hold data",
        ];
        for line in expected {
            assert!(text.contains(line), "missing {line:?} in:\n{text}");
        }
        assert!(
            !text.contains("same"),
            "no-op resources are only counted:\n{text}"
        );
    }

    #[test]
    fn a_change_set_is_shown_below_its_stack_with_the_replacement_flag() {
        let detail = |action: &str, target: &str, kind: &str, replacement: Option<&str>| Detail {
            action: action.into(),
            target: target.into(),
            kind: kind.into(),
            replacement: replacement.map(str::to_string),
        };
        let mut stack = rc(
            "ci",
            Action::Update,
            vec![change(
                "parameters.Branch",
                Some(json!("main")),
                Some(json!("release")),
            )],
        );
        stack.details = vec![
            detail(
                "Modify",
                "Project",
                "AWS::CodeBuild::Project",
                Some("False"),
            ),
            detail("Modify", "Role", "AWS::IAM::Role", Some("True")),
            detail("Add", "Cache", "AWS::S3::Bucket", None),
            detail("Remove", "Old", "AWS::SNS::Topic", None),
        ];
        let text = render(
            &Plan::new("lake", "dev", vec![stack]),
            Style::plain(),
            DataLoss::NeedsFlag,
        );
        let expected = [
            "      ~ parameters.Branch: \"main\" → \"release\"\n      # the service's own change set:\n",
            "        ~ Project  AWS::CodeBuild::Project  replacement: False\n",
            "      -/+ Role     AWS::IAM::Role  replacement: True\n",
            "        + Cache    AWS::S3::Bucket\n",
            "        - Old      AWS::SNS::Topic\n",
        ];
        for line in expected {
            assert!(text.contains(line), "missing {line:?} in:\n{text}");
        }
    }

    #[test]
    fn empty_plan_says_no_changes() {
        let plan = Plan::new("lake", "dev", vec![rc("same", Action::NoOp, vec![])]);
        assert_eq!(
            render(&plan, Style::plain(), DataLoss::NeedsFlag),
            "No changes. 1 resource(s) of lake/dev match the stack files.\n"
        );
    }

    #[test]
    fn a_move_is_shown_even_when_nothing_else_changes() {
        let mut table = rc("config", Action::NoOp, vec![]);
        table.moved_from = Some(Address::parse("config_table").expect("address"));
        let mut bucket = rc(
            "tenant[acme].raw",
            Action::Update,
            vec![change(
                "tags.lakectl:address",
                Some(json!("customer_bucket[acme]")),
                Some(json!("tenant[acme].raw")),
            )],
        );
        bucket.moved_from = Some(Address::parse("customer_bucket[acme]").expect("address"));
        let plan = Plan::new("lake", "dev", vec![table, bucket]);
        let text = render(&plan, Style::plain(), DataLoss::NeedsFlag);
        assert!(
            text.contains(
                "config (s3.bucket config-phys) moved from config_table, is otherwise unchanged"
            ),
            "{text}"
        );
        assert!(
            text.contains("moved from customer_bucket[acme], will be updated in place"),
            "{text}"
        );
        assert!(
            text.contains("0 to delete, 2 moved, 1 unchanged."),
            "{text}"
        );
        assert!(
            plan.summary.has_changes(),
            "a move alone is a change to apply"
        );
    }

    #[test]
    fn the_data_loss_note_says_what_the_flag_changes_here() {
        let mut delete = rc("old", Action::Delete, vec![]);
        delete.data_loss = Some("12 objects".into());
        let plan = Plan::new("lake", "dev", vec![delete]);
        let cases = [
            (
                DataLoss::NeedsFlag,
                "# holds 12 objects: needs --allow-data-loss",
                "deploy refuses without --allow-data-loss.",
            ),
            (
                DataLoss::Allowed,
                "# holds 12 objects: destroyed (--allow-data-loss)",
                "--allow-data-loss is given, so it is destroyed.",
            ),
            (
                DataLoss::Retained,
                "# holds 12 objects: refused: this env retains data",
                "with --allow-data-loss or without.",
            ),
        ];
        for (loss, line, footer) in cases {
            let text = render(&plan, Style::plain(), loss);
            assert!(
                text.contains(line) && text.contains(footer),
                "{loss:?}:\n{text}"
            );
        }
    }
}
