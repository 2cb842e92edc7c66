//! A deploy killed halfway is finished by the next one; two deploys never run at once.

mod common;

use common::{Aws, Sandbox, wait_for_line};
use std::time::Duration;

/// Enough customers that a deploy at `--concurrency 1` runs for seconds on the emulator, so the
/// tests can act while it is in flight instead of racing its end.
const MANY: [&str; 32] = [
    "a01", "a02", "a03", "a04", "a05", "a06", "a07", "a08", "a09", "a10", "a11", "a12", "a13",
    "a14", "a15", "a16", "a17", "a18", "a19", "a20", "a21", "a22", "a23", "a24", "a25", "a26",
    "a27", "a28", "a29", "a30", "a31", "a32",
];

#[test]
fn kill_9_mid_deploy_then_deploy_again_converges_without_duplicates_or_orphans() {
    let sb = Sandbox::new(&MANY);
    let aws = Aws::new();
    let (mut child, rx) = sb.spawn(&["deploy", "--yes", "--concurrency", "2"]);
    // Kill it as soon as the first resource is done: some are created, others are in flight.
    wait_for_line(&rx, "created", Duration::from_secs(120));
    child.kill().expect("kill -9");
    let _ = child.wait();

    // The dead deploy's lock blocks the next one until its short lease ends; waiting covers it.
    sb.run(&["deploy", "--yes", "--lock-timeout", "60"])
        .expect_code(0);
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    let mut want: Vec<String> = MANY.iter().map(|c| sb.bucket(c)).collect();
    want.sort();
    assert_eq!(
        aws.buckets_with_prefix(&sb.prefix),
        want,
        "exactly the desired buckets: no duplicate, no orphan"
    );
    sb.run(&["destroy", "--yes"]).expect_code(0);
    assert_eq!(aws.buckets_with_prefix(&sb.prefix), Vec::<String>::new());
}

#[test]
fn unlock_force_clears_a_dead_deploys_lock() {
    let sb = Sandbox::new(&MANY);
    let (mut child, rx) = sb.spawn(&["deploy", "--yes", "--concurrency", "1"]);
    wait_for_line(&rx, "creating", Duration::from_secs(120));
    child.kill().expect("kill -9");
    let _ = child.wait();

    let blocked = sb.run(&["deploy", "--yes"]).expect_code(1);
    assert!(blocked.stderr.contains("held by"), "{}", blocked.stderr);
    let unlocked = sb.run(&["unlock", "--force"]).expect_code(0);
    assert!(
        unlocked.stdout.contains("removed the deploy lock"),
        "{}",
        unlocked.stdout
    );
    sb.run(&["deploy", "--yes"]).expect_code(0);
    sb.run(&["destroy", "--yes"]).expect_code(0);
}

#[test]
fn a_second_deploy_at_the_same_time_says_who_holds_the_lock() {
    let sb = Sandbox::new(&MANY);
    let (mut first, rx) = sb.spawn(&["deploy", "--yes", "--concurrency", "1"]);
    wait_for_line(&rx, "creating", Duration::from_secs(120));

    let second = sb.run(&["deploy", "--yes"]).expect_code(1);
    assert!(
        second.stderr.contains("held by") && second.stderr.contains("pid"),
        "names the holder:\n{}",
        second.stderr
    );

    let status = first.wait().expect("first deploy finishes");
    assert!(status.success(), "the first deploy was not disturbed");
    sb.run(&["plan", "--detailed-exitcode"]).expect_code(0);
    sb.run(&["destroy", "--yes"]).expect_code(0);
}
