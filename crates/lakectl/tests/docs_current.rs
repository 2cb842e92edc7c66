//! What `scripts/docs` writes from the kinds' schemas is the current one: the JSON Schemas of
//! stack and env files and the kinds' reference pages. No AWS call.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn lakectl(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_lakectl"))
        .current_dir(root())
        .args(args)
        .output()
        .expect("run lakectl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

fn committed(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}; run scripts/docs"))
}

#[test]
fn the_json_schemas_in_docs_are_current() {
    for (of, file) in [
        ("stack", "docs/stack.schema.json"),
        ("env", "docs/env.schema.json"),
    ] {
        assert!(
            lakectl(&["schema", of]) == committed(file),
            "{file} is not what `lakectl schema {of}` writes: run scripts/docs"
        );
    }
}

#[test]
fn the_kind_reference_pages_are_current() {
    let dir = std::env::temp_dir().join(format!("lakectl-kinds-{}", std::process::id()));
    let out = dir.to_string_lossy().to_string();
    lakectl(&["schema", "kinds", "--out", &out]);
    let names = |d: &Path| {
        let mut n: Vec<String> = std::fs::read_dir(d)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    let written = names(&dir);
    assert_eq!(
        written,
        names(&root().join("docs/kinds")),
        "run scripts/docs"
    );
    for page in &written {
        let fresh = std::fs::read_to_string(dir.join(page)).expect("page");
        assert!(
            fresh == committed(&format!("docs/kinds/{page}")),
            "docs/kinds/{page} is not current: run scripts/docs"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
