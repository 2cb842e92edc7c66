//! An endpoint nobody answers on is a clear, immediate error that says how to start the
//! emulator; it is never a hang or a crash. One that stops answering mid-deploy ends the
//! deploy at once, each failure said once, and the next deploy finishes the job.

mod common;

use common::Sandbox;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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

/// A TCP proxy on loopback in front of the emulator that can be cut: then it closes every
/// connection and refuses new ones, as a stopped emulator does.
struct Proxy {
    port: u16,
    cut: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let cut = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let (c, o) = (cut.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if c.load(Ordering::SeqCst) {
                    return; // the listener is dropped: new connections are refused
                }
                let Ok(client) = client else { continue };
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                for s in [&client, &server] {
                    if let Ok(s) = s.try_clone() {
                        o.lock().expect("lock").push(s);
                    }
                }
                for (mut from, mut to) in [
                    (
                        client.try_clone().expect("clone"),
                        server.try_clone().expect("clone"),
                    ),
                    (server, client),
                ] {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16384];
                        while let Ok(n) = from.read(&mut buf) {
                            if n == 0 || to.write_all(&buf[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(Shutdown::Both);
                    });
                }
            }
        });
        Proxy { port, cut, open }
    }

    fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        // Wake the accept loop so that it returns and drops the listener.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        for s in self.open.lock().expect("lock").drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

#[test]
fn an_endpoint_that_stops_answering_mid_deploy_ends_it_at_once_and_the_next_deploy_finishes() {
    let sb = Sandbox::new(&[]);
    let upstream = common::endpoint();
    let proxy = Proxy::start(&upstream);
    let keys: Vec<String> = (0..40).map(|i| format!("k{i:02}")).collect();
    sb.write_stack(&format!(
        "stack: {}\nresources:\n  b:\n    kind: s3.bucket\n    for_each: [{}]\n    properties:\n      \
         name: \"{}-${{each.key}}\"\n      enforce_tls: false\n      versioning: true\n",
        sb.stack,
        keys.join(", "),
        sb.prefix
    ));
    sb.write_env(&format!(
        "region: us-east-1\nremoval_policy: destroy\nendpoint: http://127.0.0.1:{}\n",
        proxy.port
    ));
    // The env file's endpoint, not the emulator's: AWS_ENDPOINT_URL would win over it.
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_lakectl"));
    cmd.current_dir(&sb.dir)
        .env_remove("AWS_ENDPOINT_URL")
        .env("NO_COLOR", "1")
        .args(["deploy", "--yes", "--env", "dev"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn lakectl");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let mut lines = common::wait_for_line(&rx, "creating", Duration::from_secs(60));
    proxy.cut();
    let status = child.wait().expect("wait");
    lines.extend(rx.try_iter());
    let text = lines.join("\n");
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(
        text.contains("the endpoint stopped answering: starting nothing more"),
        "{text}"
    );
    assert!(text.contains("not started"), "{text}");
    // Bounded: the header, at most one start and one failure per change in flight (16),
    // the stop line and the summary; never a line per resource of the stack.
    let started = lines.iter().filter(|l| l.contains(": creating")).count();
    let failed = lines.iter().filter(|l| l.contains(": failed: ")).count();
    assert!(
        started <= 16 + 1,
        "{started} started after the cut:\n{text}"
    );
    assert!(failed <= started, "each failure once:\n{text}");
    assert!(
        lines.len() <= 2 * started + 12,
        "{} lines:\n{text}",
        lines.len()
    );

    // The endpoint answers again (the emulator itself, AWS_ENDPOINT_URL winning over the env
    // file): the next deploy finishes the job, and a plan after it is empty.
    // The cut run could not release its lock; the next one waits for its lease to end.
    assert!(
        text.contains("the deploy lock could not be released"),
        "{text}"
    );
    let next = sb
        .run(&["deploy", "--yes", "--lock-timeout", "60"])
        .expect_code(0);
    assert!(
        next.stderr.contains("waiting for the deploy lock, held by")
            && next.stderr.contains("giving up in"),
        "{}",
        next.stderr
    );
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    sb.run(&["destroy", "--yes"]).expect_code(0);
}
