//! Malformed stacks and the exact text the user sees for each: `tests/bad-stacks/<case>/` holds
//! a small stacks folder and `expected.txt`. `UPDATE_SNAPSHOTS=1 cargo test -p lakectl-config`
//! rewrites the expected files; read every changed one before committing it.

mod common;

use std::path::{Path, PathBuf};

const CASES: &str = "tests/bad-stacks";

fn cases() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(CASES)
        .expect("the bad-stacks fixtures folder exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn render(dir: &Path) -> String {
    match lakectl_config::load(dir, "dev", &common::schemas()) {
        Ok(stack) => format!("unexpectedly loaded: {stack:#?}"),
        Err(diagnostics) => diagnostics.to_string(),
    }
}

#[test]
fn every_bad_stack_is_reported_exactly_as_snapshotted() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let dirs = cases();
    assert!(
        dirs.len() >= 20,
        "expected at least 20 bad stacks, found {}",
        dirs.len()
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let got = render(dir);
        let expected_path = dir.join("expected.txt");
        if update {
            std::fs::write(&expected_path, &got).expect("writable snapshot");
            continue;
        }
        let want = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != want {
            failures.push(format!(
                "--- {} (expected)\n{want}\n+++ got\n{got}",
                expected_path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} snapshot(s) differ (rerun with UPDATE_SNAPSHOTS=1 to accept, then read them):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_problem_is_counted_and_shown_at_its_place() {
    for dir in cases() {
        let Err(diagnostics) = lakectl_config::load(&dir, "dev", &common::schemas()) else {
            panic!("{} loaded but is a bad stack", dir.display());
        };
        assert!(!diagnostics.is_empty(), "{}", dir.display());
        let footer = format!(
            "error: {} problem(s) in the stack files; nothing was sent to AWS\n",
            diagnostics.len()
        );
        assert!(
            diagnostics.to_string().ends_with(&footer),
            "{}",
            dir.display()
        );
        let text = diagnostics.to_string();
        for d in diagnostics.iter() {
            assert!(
                text.contains(&format!("--> {}", d.location())),
                "{}: {} is not shown",
                dir.display(),
                d.location()
            );
        }
    }
}
