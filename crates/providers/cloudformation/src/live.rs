//! What CloudFormation reports, read into the spec users write, the attributes dependents
//! use, and the plan's lines: pure functions over the SDK's types.

use crate::schema::READY;
use aws_sdk_cloudformation::types::{Change, Stack, StackEvent, StackStatus};
use lakectl_core::{Attributes, Detail};
use lakectl_provider::tags::{Tags, tags_value};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Where a stack is in its life, as lakectl acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Complete: it can be updated (or deleted).
    Ready,
    /// CloudFormation is working on it: wait, never race.
    Busy,
    /// It holds no resources (a create that failed and rolled back, or a create change set
    /// never executed): deleted and created again.
    Empty,
    /// An update whose rollback failed: `ContinueUpdateRollback` first.
    RollbackFailed,
    /// A delete that failed: it is neither there nor gone.
    DeleteFailed,
}

/// The phase of a status word.
pub fn phase(status: &str) -> Phase {
    match status {
        "ROLLBACK_COMPLETE" | "ROLLBACK_FAILED" | "REVIEW_IN_PROGRESS" => Phase::Empty,
        "UPDATE_ROLLBACK_FAILED" => Phase::RollbackFailed,
        "DELETE_FAILED" => Phase::DeleteFailed,
        s if s.ends_with("_IN_PROGRESS") => Phase::Busy,
        _ => Phase::Ready,
    }
}

/// The status of a stack, as CloudFormation spells it.
pub fn status_of(stack: &Stack) -> &str {
    stack.stack_status().map_or("", StackStatus::as_str)
}

/// The first 16 hex digits of the SHA-256 of a template's text: what an asset key holds.
pub fn template_hash(body: &str) -> String {
    hex::encode(Sha256::digest(body.as_bytes()))[..16].to_string()
}

/// The stack's tags.
pub fn user_tags(stack: &Stack) -> Tags {
    stack
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?.to_string(), t.value()?.to_string())))
        .collect()
}

/// The live spec. Parameters left at the template's default (`defaults`) are left out, as
/// users leave them out.
pub fn live_spec(
    name: &str,
    stack: &Stack,
    body: Option<&str>,
    defaults: &BTreeMap<String, String>,
) -> Value {
    let parameters: BTreeMap<&str, &str> = stack
        .parameters()
        .iter()
        .filter_map(|p| Some((p.parameter_key()?, p.parameter_value()?)))
        .filter(|(k, v)| defaults.get(*k).map(String::as_str) != Some(*v))
        .collect();
    let mut capabilities: Vec<&str> = stack.capabilities().iter().map(|c| c.as_str()).collect();
    capabilities.sort_unstable();
    let status = match phase(status_of(stack)) {
        Phase::Ready | Phase::Busy => READY,
        _ => status_of(stack),
    };
    json!({
        "name": name,
        "template_hash": body
            .filter(|_| phase(status_of(stack)) != Phase::Empty)
            .map(template_hash),
        "parameters": parameters,
        "capabilities": capabilities,
        "termination_protection": stack.enable_termination_protection().unwrap_or(false),
        "status": status,
        "tags": tags_value(&user_tags(stack)),
    })
}

/// `arn` (the stack id), `name`, and one attribute per output.
pub fn attributes(name: &str, stack: &Stack) -> Attributes {
    let mut attrs: Attributes = stack
        .outputs()
        .iter()
        .filter_map(|o| Some((o.output_key()?.to_string(), o.output_value()?.to_string())))
        .collect();
    attrs.insert("name".into(), name.to_string());
    if let Some(id) = stack.stack_id() {
        attrs.insert("arn".into(), id.to_string());
    }
    attrs
}

/// A change set's changes as the plan shows them.
pub fn details(changes: &[Change]) -> Vec<Detail> {
    changes
        .iter()
        .filter_map(Change::resource_change)
        .map(|c| Detail {
            action: c.action().map_or("Modify", |a| a.as_str()).to_string(),
            target: c.logical_resource_id().unwrap_or("?").to_string(),
            kind: c.resource_type().unwrap_or("?").to_string(),
            replacement: c.replacement().map(|r| r.as_str().to_string()),
        })
        .collect()
}

/// Whether a failed change set failed only because there was nothing to change.
pub fn says_no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

/// Why the latest operation on the stack failed, from its events (newest first, as
/// CloudFormation lists them): the first resource that failed since the stack entered
/// `began`, with CloudFormation's reason. Resources cancelled because of it are not the cause.
pub fn root_cause(events: &[StackEvent], stack: &str, began: &str) -> Option<String> {
    let since = events
        .iter()
        .position(|e| {
            e.logical_resource_id() == Some(stack)
                && e.resource_status().map(|s| s.as_str()) == Some(began)
        })
        .unwrap_or(events.len());
    events[..since]
        .iter()
        .rev()
        .filter(|e| e.logical_resource_id() != Some(stack))
        .filter(|e| {
            e.resource_status()
                .is_some_and(|s| s.as_str().ends_with("_FAILED"))
        })
        .find(|e| {
            !e.resource_status_reason()
                .unwrap_or("")
                .contains("cancelled")
        })
        .map(|e| {
            format!(
                "{} ({}) {}: {}",
                e.logical_resource_id().unwrap_or("?"),
                e.resource_type().unwrap_or("?"),
                e.resource_status().map_or("?", |s| s.as_str()),
                e.resource_status_reason().unwrap_or("no reason given")
            )
        })
}

/// A new event, for progress: `Role (AWS::IAM::Role) CREATE_COMPLETE`.
pub fn event_line(e: &StackEvent) -> String {
    let reason = e
        .resource_status_reason()
        .map(|r| format!(": {r}"))
        .unwrap_or_default();
    format!(
        "{} ({}) {}{reason}",
        e.logical_resource_id().unwrap_or("?"),
        e.resource_type().unwrap_or("?"),
        e.resource_status().map_or("?", |s| s.as_str())
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::types::{
        ChangeAction, Output, Parameter, Replacement, ResourceChange, ResourceStatus, Tag,
    };

    fn stack(status: &str, tags: &[(&str, &str)]) -> Stack {
        let mut b = Stack::builder()
            .stack_name("lake-dev-ci")
            .stack_id("arn:aws:cloudformation:us-east-1:1:stack/lake-dev-ci/abc")
            .stack_status(StackStatus::from(status))
            .parameters(
                Parameter::builder()
                    .parameter_key("Env")
                    .parameter_value("dev")
                    .build(),
            )
            .parameters(
                Parameter::builder()
                    .parameter_key("Timeout")
                    .parameter_value("30")
                    .build(),
            )
            .outputs(
                Output::builder()
                    .output_key("ProjectName")
                    .output_value("lake-dev-ci")
                    .build(),
            );
        for (k, v) in tags {
            b = b.tags(Tag::builder().key(*k).value(*v).build());
        }
        b.build()
    }

    #[test]
    fn a_stack_reads_back_as_it_was_written() {
        let body = "Resources: {}\n";
        let s = stack("UPDATE_COMPLETE", &[("lakectl:stack", "lake")]);
        let defaults = BTreeMap::from([("Timeout".to_string(), "30".to_string())]);
        let spec = live_spec("lake-dev-ci", &s, Some(body), &defaults);
        assert_eq!(
            spec,
            json!({"name": "lake-dev-ci", "template_hash": template_hash(body),
                   "parameters": {"Env": "dev"}, "capabilities": [],
                   "termination_protection": false, "status": "ready",
                   "tags": {"lakectl:stack": "lake"}})
        );
        let attrs = attributes("lake-dev-ci", &s);
        assert_eq!(attrs["ProjectName"], "lake-dev-ci");
        assert!(attrs["arn"].contains(":stack/lake-dev-ci/"));
    }

    #[test]
    fn stuck_stacks_read_as_their_status_and_empty_ones_without_a_template() {
        let cases = [
            ("CREATE_COMPLETE", Phase::Ready, "ready"),
            ("UPDATE_ROLLBACK_COMPLETE", Phase::Ready, "ready"),
            ("UPDATE_IN_PROGRESS", Phase::Busy, "ready"),
            ("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", Phase::Busy, "ready"),
            ("ROLLBACK_COMPLETE", Phase::Empty, "ROLLBACK_COMPLETE"),
            ("REVIEW_IN_PROGRESS", Phase::Empty, "REVIEW_IN_PROGRESS"),
            (
                "UPDATE_ROLLBACK_FAILED",
                Phase::RollbackFailed,
                "UPDATE_ROLLBACK_FAILED",
            ),
            ("DELETE_FAILED", Phase::DeleteFailed, "DELETE_FAILED"),
        ];
        for (status, want_phase, want_status) in cases {
            assert_eq!(phase(status), want_phase, "{status}");
            let spec = live_spec("s", &stack(status, &[]), Some("x"), &BTreeMap::new());
            assert_eq!(spec["status"], want_status, "{status}");
            assert_eq!(
                spec["template_hash"].is_null(),
                want_phase == Phase::Empty,
                "{status}"
            );
        }
    }

    fn event(logical: &str, kind: &str, status: &str, reason: Option<&str>) -> StackEvent {
        StackEvent::builder()
            .stack_id("id")
            .event_id(format!("{logical}-{status}"))
            .stack_name("lake-dev-ci")
            .logical_resource_id(logical)
            .resource_type(kind)
            .resource_status(ResourceStatus::from(status))
            .set_resource_status_reason(reason.map(str::to_string))
            .timestamp(aws_smithy_types::DateTime::from_secs(0))
            .build()
    }

    #[test]
    fn the_root_cause_is_the_first_resource_that_failed_in_this_operation() {
        const STACK: &str = "AWS::CloudFormation::Stack";
        // Newest first, as DescribeStackEvents lists them.
        let events = vec![
            event("lake-dev-ci", STACK, "UPDATE_ROLLBACK_COMPLETE", None),
            event(
                "Project",
                "AWS::CodeBuild::Project",
                "UPDATE_FAILED",
                Some("Resource update cancelled"),
            ),
            event(
                "Role",
                "AWS::IAM::Role",
                "UPDATE_FAILED",
                Some("MalformedPolicyDocument: bad action"),
            ),
            event("lake-dev-ci", STACK, "UPDATE_IN_PROGRESS", None),
            event(
                "Bucket",
                "AWS::S3::Bucket",
                "CREATE_FAILED",
                Some("an older failure"),
            ),
            event("lake-dev-ci", STACK, "CREATE_IN_PROGRESS", None),
        ];
        assert_eq!(
            root_cause(&events, "lake-dev-ci", "UPDATE_IN_PROGRESS").as_deref(),
            Some("Role (AWS::IAM::Role) UPDATE_FAILED: MalformedPolicyDocument: bad action")
        );
        assert_eq!(
            root_cause(&events[..1], "lake-dev-ci", "UPDATE_IN_PROGRESS"),
            None,
            "stack-level events only (the emulator): no resource to name"
        );
    }

    #[test]
    fn change_sets_read_as_plan_lines() {
        let change = |action, id: &str, replacement: Option<Replacement>| {
            Change::builder()
                .resource_change(
                    ResourceChange::builder()
                        .action(action)
                        .logical_resource_id(id)
                        .resource_type("AWS::CodeBuild::Project")
                        .set_replacement(replacement)
                        .build(),
                )
                .build()
        };
        let got = details(&[
            change(
                ChangeAction::Modify,
                "Project",
                Some(Replacement::Conditional),
            ),
            change(ChangeAction::Add, "Cache", None),
        ]);
        assert_eq!(got[0].replacement.as_deref(), Some("Conditional"));
        assert_eq!(
            (got[1].action.as_str(), got[1].target.as_str()),
            ("Add", "Cache")
        );
        assert!(says_no_changes(
            "The submitted information didn't contain changes. Submit different information to create a change set."
        ));
        assert!(!says_no_changes("Template format error"));
    }
}
