//! Malformed stack files: each gets a message with file:line:col, and none makes an AWS call.
//! The endpoint is a local listener that counts connections; it must count zero.

use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

const GOOD_BUCKET: &str =
    "  raw:\n    kind: s3.bucket\n    properties:\n      name: lake-raw-bucket\n";

/// (reason, stack file, env file, the exact `--> file:line:col` shown, expected text)
fn cases() -> Vec<(
    &'static str,
    String,
    &'static str,
    &'static str,
    &'static str,
)> {
    let env = "region: us-east-1\n";
    let head = "stack: lake\nresources:\n";
    vec![
        (
            "yaml syntax",
            format!("{head}  raw: [unclosed\n"),
            env,
            "stacks/lake.yaml:4:1",
            "not closed",
        ),
        (
            "unknown property",
            format!("{head}{GOOD_BUCKET}      versionning: true\n"),
            env,
            "stacks/lake.yaml:7:7",
            "versionning",
        ),
        (
            "wrong type",
            format!("{head}{GOOD_BUCKET}      versioning: sometimes\n"),
            env,
            "stacks/lake.yaml:7:19",
            "true or false",
        ),
        (
            "bad enum",
            format!("{head}{GOOD_BUCKET}      encryption: {{algorithm: AES}}\n"),
            env,
            "stacks/lake.yaml:7:31",
            "SSE-S3",
        ),
        (
            "bucket name rules",
            format!("{head}  raw:\n    kind: s3.bucket\n    properties:\n      name: Lake_Raw\n"),
            env,
            "stacks/lake.yaml:6:13",
            "Lake_Raw",
        ),
        (
            "an unknown Glue column type, at its item in the list",
            format!(
                "{head}  orders:\n    kind: glue.table\n    properties:\n      name: lake.orders\n      \
                 format: csv\n      location: s3://lake/raw/orders/\n      columns:\n        \
                 - {{name: id, type: bigint}}\n        - {{name: total, type: money}}\n"
            ),
            env,
            "stacks/lake.yaml:11:31",
            "`money` is not a Glue column type; types are boolean",
        ),
        (
            "the account in an env that declares none",
            format!("{head}{GOOD_BUCKET}      tags: {{owner: \"${{account}}\"}}\n"),
            env,
            "stacks/lake.yaml:7:22",
            "`${account}` needs the env file's `account_id`",
        ),
        (
            "an asset in a stack without an assets bucket",
            format!("{head}{GOOD_BUCKET}      tags: {{script: \"${{asset:glue/ingest.py}}\"}}\n"),
            env,
            "stacks/lake.yaml:7:23",
            "this stack names none",
        ),
        (
            "an asset outside the stack folder",
            format!("{head}{GOOD_BUCKET}      tags: {{script: \"${{asset:../secrets.txt}}\"}}\n"),
            env,
            "stacks/lake.yaml:7:23",
            "not a path inside the stack folder",
        ),
        (
            "an asset file that is not there",
            format!(
                "assets_bucket: raw\n{head}{GOOD_BUCKET}      tags: {{script: \"${{asset:glue/missing.py}}\"}}\n"
            ),
            env,
            "stacks/lake.yaml:8:23",
            "cannot read asset `glue/missing.py`",
        ),
        (
            "unknown kind",
            format!("{head}  raw:\n    kind: s3.buckets\n"),
            env,
            "stacks/lake.yaml:4:11",
            "s3.bucket",
        ),
        (
            "missing kind",
            format!("{head}  raw:\n    properties: {{}}\n"),
            env,
            "stacks/lake.yaml:3:3",
            "has no `kind`",
        ),
        (
            "missing required property",
            format!(
                "{head}  t:\n    kind: dynamodb.table\n    properties:\n      name: lake-config\n"
            ),
            env,
            "stacks/lake.yaml:5:5",
            "partition_key",
        ),
        (
            "dangling reference",
            format!("{head}{GOOD_BUCKET}      tags: {{table: \"${{tabel.name}}\"}}\n"),
            env,
            "stacks/lake.yaml:7:22",
            "tabel",
        ),
        (
            "unknown attribute",
            format!(
                "{head}{GOOD_BUCKET}  other:\n    kind: s3.bucket\n    properties:\n      tags: {{x: \"${{raw.arnn}}\"}}\n"
            ),
            env,
            "stacks/lake.yaml:10:18",
            "arnn",
        ),
        (
            "reference cycle",
            format!(
                "{head}  a:\n    kind: s3.bucket\n    properties:\n      tags: {{x: \"${{b.arn}}\"}}\n  b:\n    kind: s3.bucket\n    properties:\n      tags: {{x: \"${{a.arn}}\"}}\n"
            ),
            env,
            "stacks/lake.yaml:6:18",
            "reference cycle: `a` → `b` → `a`",
        ),
        (
            "unknown variable",
            format!("{head}{GOOD_BUCKET}      tags: {{x: \"${{var.nope}}\"}}\n"),
            env,
            "stacks/lake.yaml:7:18",
            "nope",
        ),
        (
            "each outside for_each",
            format!("{head}{GOOD_BUCKET}      tags: {{x: \"${{each.key}}\"}}\n"),
            env,
            "stacks/lake.yaml:7:18",
            "for_each",
        ),
        (
            "env file without region",
            format!("{head}{GOOD_BUCKET}"),
            "removal_policy: destroy\n",
            "stacks/env/dev.yaml",
            "has no `region`",
        ),
        (
            "bad removal policy",
            format!("{head}{GOOD_BUCKET}"),
            "region: us-east-1\nremoval_policy: sometimes\n",
            "stacks/env/dev.yaml:2:17",
            "retain",
        ),
        (
            "bad account id",
            format!("{head}{GOOD_BUCKET}"),
            "region: us-east-1\naccount_id: \"12ab\"\n",
            "stacks/env/dev.yaml:2:13",
            "12",
        ),
        (
            "missing stack name",
            format!("resources:\n{GOOD_BUCKET}"),
            env,
            "stacks/lake.yaml",
            "which stack",
        ),
        (
            "unclosed expression",
            format!("{head}{GOOD_BUCKET}      tags: {{x: \"${{var.prefix\"}}\n"),
            env,
            "stacks/lake.yaml:7:18",
            "never closed",
        ),
    ]
}

#[test]
fn malformed_stacks_are_reported_with_their_location_and_make_no_aws_call() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    listener.set_nonblocking(false).expect("blocking");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            if stream.is_ok() {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        }
    });

    let cases = cases();
    assert!(cases.len() >= 15);
    let mut failures = Vec::new();
    for (i, (why, stack, env, location, text)) in cases.into_iter().enumerate() {
        let dir = std::env::temp_dir().join(format!("lakectl-bad-{}-{i}", std::process::id()));
        std::fs::create_dir_all(dir.join("stacks/env")).expect("mkdir");
        std::fs::write(dir.join("stacks/lake.yaml"), &stack).expect("write");
        std::fs::write(dir.join("stacks/env/dev.yaml"), env).expect("write");
        let out = Command::new(env!("CARGO_BIN_EXE_lakectl"))
            .current_dir(&dir)
            .args(["plan", "--env", "dev"])
            .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("NO_COLOR", "1")
            .output()
            .expect("run lakectl");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let ok = out.status.code() == Some(1)
            && stderr
                .lines()
                .any(|l| l.trim() == format!("--> {location}"))
            && stderr.to_lowercase().contains(&text.to_lowercase())
            && stderr.contains("nothing was sent to AWS");
        if !ok {
            failures.push(format!(
                "--- {why}: exit {:?}, want {location} and {text:?}\n{stderr}",
                out.status.code()
            ));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "a malformed stack made an AWS call"
    );
}
