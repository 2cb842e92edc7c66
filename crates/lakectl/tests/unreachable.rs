//! An endpoint nobody answers on is a clear, immediate error that says how to start the
//! emulator; it is never a hang or a crash.

use std::net::TcpListener;
use std::process::Command;

#[test]
fn an_unreachable_endpoint_fails_with_a_message_that_says_what_to_do() {
    // A port that was free a moment ago: nothing listens on it.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let stacks = concat!(env!("CARGO_MANIFEST_DIR"), "/../../stacks");
    for command in [
        &["plan", "--env", "dev"][..],
        &["deploy", "--env", "dev", "--yes"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_lakectl"))
            .args(["--stacks-dir", stacks])
            .args(command)
            .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{port}"))
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("NO_COLOR", "1")
            .output()
            .expect("run lakectl");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command:?}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "sts:GetCallerIdentity on http://127.0.0.1:{port}: the endpoint did not answer"
            )) && stderr.contains("Connection refused")
                && stderr.contains("scripts/emulator up"),
            "{command:?}: {stderr}"
        );
        assert!(
            !stderr.contains("DispatchFailure"),
            "no debug dump: {stderr}"
        );
    }
}
