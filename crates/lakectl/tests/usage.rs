//! The command line itself: usage errors, `--var`, completions. No AWS call is made.

use std::path::PathBuf;
use std::process::{Command, Output};

fn lakectl(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lakectl"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("LAKECTL_ENV")
        .env_remove("LAKECTL_STACKS_DIR")
        .args(args)
        .output()
        .expect("run lakectl")
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// A folder with a one-bucket stack whose tag comes from a var.
fn stack_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("lakectl-usage-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(dir.join("stacks/env")).expect("mkdir");
    std::fs::write(
        dir.join("stacks/lake.yaml"),
        "stack: lake\nvars:\n  team: data\nresources:\n  raw:\n    kind: s3.bucket\n    properties:\n      tags: {team: \"${var.team}\"}\n",
    )
    .expect("stack");
    std::fs::write(dir.join("stacks/env/dev.yaml"), "region: us-east-1\n").expect("env");
    dir
}

#[test]
fn a_usage_error_exits_1_even_under_detailed_exitcode() {
    let dir = stack_dir("flags");
    for args in [
        vec![
            "plan",
            "--detailed-exitcode",
            "--env",
            "dev",
            "--no-such-flag",
        ],
        vec![
            "plan",
            "--detailed-exitcode",
            "--env",
            "dev",
            "--concurrency",
            "0",
        ],
        vec!["deploy", "--env", "dev", "--var", "team"],
        vec!["nonsense"],
    ] {
        let out = lakectl(&dir, &args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: 2 would read as `changes pending`\n{}",
            text(&out.stderr)
        );
        assert!(!text(&out.stderr).is_empty(), "{args:?} says nothing");
    }
    let help = lakectl(&dir, &["--help"]);
    assert_eq!(help.status.code(), Some(0), "--help is not an error");
    assert!(text(&help.stdout).contains("Usage"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn var_on_the_command_line_reaches_the_resources() {
    let dir = stack_dir("var");
    let out = lakectl(&dir, &["synth", "--env", "dev", "--var", "team=platform"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let synth: serde_json::Value = serde_json::from_slice(&out.stdout).expect("synth is JSON");
    let tags = &synth["resources"]["raw"]["spec"]["tags"];
    assert_eq!(tags["team"], "platform", "{synth:#}");

    let undeclared = lakectl(&dir, &["validate", "--env", "dev", "--var", "teem=x"]);
    assert_eq!(undeclared.status.code(), Some(1));
    let err = text(&undeclared.stderr);
    assert!(err.contains("--var:1:1"), "{err}");
    assert!(err.contains("did you mean `team`?"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn completions_are_printed_for_each_shell() {
    let dir = std::env::temp_dir();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef lakectl"),
        ("fish", "complete -c lakectl"),
    ] {
        let out = lakectl(&dir, &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        assert!(script.contains(marker), "{shell}: no `{marker}`");
        assert!(script.contains("deploy"), "{shell}: no subcommands");
    }
}

#[test]
fn running_from_the_wrong_folder_is_one_error_saying_so() {
    let dir = std::env::temp_dir().join(format!("lakectl-usage-{}-nowhere", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let out = lakectl(&dir, &["validate", "--env", "dev"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(
        errors,
        vec![
            "error: there is no stack folder here",
            "error: 1 problem(s) in the stack files; nothing was sent to AWS"
        ],
        "{err}"
    );
    assert!(
        err.contains("run lakectl from the folder that holds `stacks`"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn validate_and_plan_speak_json_problems_included() {
    let dir = stack_dir("json");
    let ok = lakectl(&dir, &["validate", "--env", "dev", "--json"]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&ok.stdout).expect("JSON");
    assert_eq!(doc["valid"], true);
    assert_eq!(doc["resources"][0]["address"], "raw");
    assert_eq!(doc["resources"][0]["kind"], "s3.bucket");

    std::fs::write(
        dir.join("stacks/lake.yaml"),
        "stack: lake\nresources:\n  raw:\n    kind: s3.bucket\n    properties:\n      versionning: true\n",
    )
    .expect("stack");
    for command in [
        &["validate", "--env", "dev", "--json"][..],
        &["plan", "--env", "dev", "--json"][..],
    ] {
        let bad = lakectl(&dir, command);
        assert_eq!(bad.status.code(), Some(1), "{command:?}");
        let doc: serde_json::Value = serde_json::from_slice(&bad.stdout).unwrap_or_else(|e| {
            panic!(
                "{command:?}: stdout is not JSON ({e}): {}",
                text(&bad.stdout)
            )
        });
        assert_eq!(doc["valid"], false);
        let p = &doc["problems"][0];
        assert_eq!(
            (p["line"].as_u64(), p["column"].as_u64()),
            (Some(6), Some(7)),
            "{doc:#}"
        );
        assert!(
            p["file"].as_str().is_some_and(|f| f.ends_with("lake.yaml")),
            "{doc:#}"
        );
        assert!(
            p["message"]
                .as_str()
                .is_some_and(|m| m.contains("versionning")),
            "{doc:#}"
        );
        assert!(
            p["hint"].as_str().is_some_and(|h| h.contains("versioning")),
            "{doc:#}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
