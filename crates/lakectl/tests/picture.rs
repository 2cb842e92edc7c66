//! The README's picture of the lake is the graph of the shipped stack as it is now
//! (`scripts/picture` redraws it).

use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// `lakectl graph --env dev --collapse` of the shipped stack, with `extra` arguments.
fn graph(extra: &[&str]) -> String {
    let stacks = format!("{ROOT}/stacks");
    let mut args = vec![
        "--stacks-dir",
        &stacks,
        "graph",
        "--env",
        "dev",
        "--collapse",
    ];
    args.extend(extra);
    let out = Command::new(env!("CARGO_BIN_EXE_lakectl"))
        .args(&args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run lakectl graph");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn the_readme_shows_the_current_picture_of_the_lake() {
    let svg = graph(&["--format", "svg"]);
    assert!(svg.contains("tenant[*].bucket ×3"), "{svg}");
    let file = std::fs::read_to_string(format!("{ROOT}/docs/lake.svg")).expect("docs/lake.svg");
    assert_eq!(file, svg, "docs/lake.svg is stale: run scripts/picture");
    let readme = std::fs::read_to_string(format!("{ROOT}/README.md")).expect("README.md");
    assert!(
        readme.contains("](docs/lake.svg)"),
        "README.md shows the picture"
    );
}

#[test]
fn the_readme_holds_the_current_graph_of_the_lake_as_mermaid() {
    let root = ROOT;
    let graph = graph(&[]);
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
