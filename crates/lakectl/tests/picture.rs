//! The README's picture of the lake is the graph of the shipped stack as it is now
//! (`scripts/picture` redraws it).

use std::process::Command;

#[test]
fn the_readme_shows_the_current_graph_of_the_lake() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let out = Command::new(env!("CARGO_BIN_EXE_lakectl"))
        .args([
            "--stacks-dir",
            &format!("{root}/stacks"),
            "graph",
            "--env",
            "dev",
            "--collapse",
        ])
        .env("NO_COLOR", "1")
        .output()
        .expect("run lakectl graph");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let graph = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        graph.starts_with("flowchart LR\n") && graph.contains(" --> "),
        "{graph}"
    );
    let readme = std::fs::read_to_string(format!("{root}/README.md")).expect("README.md");
    let drawn = readme
        .split_once("<!-- graph:begin -->\n```mermaid\n")
        .and_then(|(_, rest)| rest.split_once("```\n<!-- graph:end -->"))
        .map(|(g, _)| g)
        .expect("README.md holds the picture between its graph markers");
    assert_eq!(
        drawn, graph,
        "README.md's picture is not the stack's graph: run scripts/picture"
    );
    let file = std::fs::read_to_string(format!("{root}/docs/lake.mmd")).expect("docs/lake.mmd");
    assert_eq!(file, graph, "docs/lake.mmd is stale: run scripts/picture");
}
