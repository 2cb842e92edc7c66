//! Benchmark: 200 tenants deployed into a fresh emulator, then a no-op `lakectl plan` and a
//! deploy after one tag change, each printed as a ratio against a baseline measured in the same
//! run: the same read calls lakectl's no-op plan made (taken from its `--stats`), issued one
//! after another through the same SDK. The emulator (one Python process) is the bottleneck, so
//! only ratios on the same endpoint mean anything. Run with `scripts/bench`.

use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const TENANTS: usize = 200;
const ROLES: [&str; 2] = ["glue", "orchestrator"];
const TABLES: [&str; 2] = ["config", "lineage"];
/// Rounds of (no-op plan, baseline); the medians are compared.
const ROUNDS: usize = 5;

/// The bench stack; `gold` names the one tenant whose `tier` tag differs.
fn stack(prefix: &str, tenants: usize, gold: Option<&str>) -> String {
    let customers: Vec<String> = (0..tenants)
        .map(|i| {
            let name = format!("t{i:03}");
            let tier = if gold == Some(name.as_str()) {
                "gold"
            } else {
                "standard"
            };
            format!("{name}: {tier}")
        })
        .collect();
    let mut roles = String::new();
    for role in ROLES {
        roles.push_str(&format!(
            r#"  {role}_role:
    kind: iam.role
    properties:
      name: "{prefix}-{role}"
      assume_role_policy:
        Version: "2012-10-17"
        Statement: [{{Effect: Allow, Principal: {{Service: glue.amazonaws.com}}, Action: "sts:AssumeRole"}}]
      inline_policies:
        data:
          Version: "2012-10-17"
          Statement:
            - {{Effect: Allow, Action: [s3:GetObject, s3:PutObject], Resource: "arn:aws:s3:::{prefix}-*/*"}}
            - {{Effect: Allow, Action: [dynamodb:GetItem], Resource: ["${{config_table.arn}}", "${{lineage_table.arn}}"]}}
"#
        ));
    }
    let mut tables = String::new();
    for t in TABLES {
        tables.push_str(&format!(
            "  {t}_table:\n    kind: dynamodb.table\n    properties:\n      name: \"{prefix}-{t}\"\n      partition_key: {{name: pk, type: S}}\n      sort_key: {{name: sk, type: S}}\n      point_in_time_recovery: true\n"
        ));
    }
    format!(
        "stack: bench\nvars:\n  customers: {{{}}}\nresources:\n  tenant:\n    kind: s3.bucket\n    for_each: ${{var.customers}}\n    properties:\n      name: \"{prefix}-${{each.key}}\"\n      versioning: true\n      enforce_tls: false\n      tags: {{tenant: \"${{each.key}}\", tier: \"${{each.value}}\"}}\n{tables}{roles}",
        customers.join(", ")
    )
}

struct Timed {
    wall: Duration,
    calls: BTreeMap<String, u64>,
}

fn lakectl(dir: &Path, args: &[&str]) -> Timed {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_lakectl"))
        .current_dir(dir)
        .args(args)
        .args(["--env", "bench", "--stats"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run lakectl");
    let wall = start.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "lakectl {args:?} failed:\n{stderr}");
    let mut calls = BTreeMap::new();
    let mut in_stats = false;
    for line in stderr.lines() {
        if line.starts_with("aws calls:") {
            in_stats = true;
        } else if in_stats {
            let mut p = line.split_whitespace();
            if let (Some(n), Some(op)) = (p.next(), p.next())
                && let Ok(n) = n.parse()
            {
                calls.insert(op.to_string(), n);
            }
        }
    }
    Timed { wall, calls }
}

/// Whether the server answered (a "not configured" error is an answer, as it is to lakectl).
fn answered<T, E, R>(result: Result<T, aws_sdk_s3::error::SdkError<E, R>>) -> bool {
    matches!(
        result,
        Ok(_) | Err(aws_sdk_s3::error::SdkError::ServiceError(_))
    )
}

struct Baseline {
    s3: aws_sdk_s3::Client,
    ddb: aws_sdk_dynamodb::Client,
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    buckets: Vec<String>,
    tables: Vec<String>,
    roles: Vec<String>,
    account: String,
}

impl Baseline {
    /// Clients on the emulator, with the names the bench stack gives its resources.
    async fn connect(endpoint: &str, prefix: &str) -> Baseline {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new("us-east-1"))
            .endpoint_url(endpoint)
            .load()
            .await;
        let sts = aws_sdk_sts::Client::new(&config);
        let identity = sts
            .get_caller_identity()
            .send()
            .await
            .expect("sts:GetCallerIdentity");
        Baseline {
            account: identity.account().unwrap_or_default().to_string(),
            s3: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&config)
                    .force_path_style(true)
                    .build(),
            ),
            ddb: aws_sdk_dynamodb::Client::new(&config),
            iam: aws_sdk_iam::Client::new(&config),
            sts,
            buckets: (0..TENANTS).map(|i| format!("{prefix}-t{i:03}")).collect(),
            tables: TABLES.iter().map(|t| format!("{prefix}-{t}")).collect(),
            roles: ROLES.iter().map(|r| format!("{prefix}-{r}")).collect(),
        }
    }

    /// Issues `count` calls of `op`, one after another, over the resources of its kind.
    async fn replay(&self, op: &str, count: u64) -> Result<(), String> {
        for i in 0..count as usize {
            let b = &self.buckets[i % self.buckets.len()];
            let t = &self.tables[i % self.tables.len()];
            let r = &self.roles[i % self.roles.len()];
            let ok = match op {
                "sts:GetCallerIdentity" => answered(self.sts.get_caller_identity().send().await),
                "s3:HeadBucket" => answered(self.s3.head_bucket().bucket(b).send().await),
                "s3:GetBucketVersioning" => {
                    answered(self.s3.get_bucket_versioning().bucket(b).send().await)
                }
                "s3:GetBucketEncryption" => {
                    answered(self.s3.get_bucket_encryption().bucket(b).send().await)
                }
                "s3:GetPublicAccessBlock" => {
                    answered(self.s3.get_public_access_block().bucket(b).send().await)
                }
                "s3:GetBucketPolicy" => {
                    answered(self.s3.get_bucket_policy().bucket(b).send().await)
                }
                "s3:GetBucketLifecycleConfiguration" => answered(
                    self.s3
                        .get_bucket_lifecycle_configuration()
                        .bucket(b)
                        .send()
                        .await,
                ),
                "s3:GetBucketNotificationConfiguration" => answered(
                    self.s3
                        .get_bucket_notification_configuration()
                        .bucket(b)
                        .send()
                        .await,
                ),
                "s3:GetBucketTagging" => {
                    answered(self.s3.get_bucket_tagging().bucket(b).send().await)
                }
                "s3:GetBucketLocation" => {
                    answered(self.s3.get_bucket_location().bucket(b).send().await)
                }
                "s3:GetBucketOwnershipControls" => answered(
                    self.s3
                        .get_bucket_ownership_controls()
                        .bucket(b)
                        .send()
                        .await,
                ),
                "dynamodb:DescribeTable" => {
                    answered(self.ddb.describe_table().table_name(t).send().await)
                }
                "dynamodb:DescribeContinuousBackups" => answered(
                    self.ddb
                        .describe_continuous_backups()
                        .table_name(t)
                        .send()
                        .await,
                ),
                "dynamodb:DescribeTimeToLive" => {
                    answered(self.ddb.describe_time_to_live().table_name(t).send().await)
                }
                "dynamodb:ListTagsOfResource" => {
                    let arn = format!("arn:aws:dynamodb:us-east-1:{}:table/{t}", self.account);
                    answered(
                        self.ddb
                            .list_tags_of_resource()
                            .resource_arn(arn)
                            .send()
                            .await,
                    )
                }
                "dynamodb:Query" => self
                    .ddb
                    .query()
                    .table_name("lakectl-state")
                    .key_condition_expression("pk = :pk")
                    .expression_attribute_values(":pk", AttributeValue::S("bench#bench".into()))
                    .send()
                    .await
                    .is_ok(),
                "iam:GetRole" => answered(self.iam.get_role().role_name(r).send().await),
                "iam:ListRolePolicies" => {
                    answered(self.iam.list_role_policies().role_name(r).send().await)
                }
                "iam:GetRolePolicy" => answered(
                    self.iam
                        .get_role_policy()
                        .role_name(r)
                        .policy_name("data")
                        .send()
                        .await,
                ),
                "iam:ListAttachedRolePolicies" => answered(
                    self.iam
                        .list_attached_role_policies()
                        .role_name(r)
                        .send()
                        .await,
                ),
                "iam:ListRoleTags" => answered(self.iam.list_role_tags().role_name(r).send().await),
                other => return Err(format!("the baseline has no replay for {other}: add it")),
            };
            if !ok {
                return Err(format!("baseline call {op} failed"));
            }
        }
        Ok(())
    }
}

fn main() {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        !endpoint.is_empty(),
        "AWS_ENDPOINT_URL is not set: run scripts/bench, which starts a fresh emulator"
    );
    // `cargo bench` passes --bench; nothing else to parse.
    let prefix = format!("bench{}", std::process::id() % 100_000);
    let dir = std::env::temp_dir().join(format!("lakectl-bench-{prefix}"));
    std::fs::create_dir_all(dir.join("stacks/env")).expect("mkdir");
    std::fs::write(
        dir.join("stacks/env/bench.yaml"),
        "region: us-east-1\nremoval_policy: destroy\n",
    )
    .expect("env");
    std::fs::write(dir.join("stacks/bench.yaml"), stack(&prefix, TENANTS, None)).expect("stack");
    let resources = TENANTS + TABLES.len() + ROLES.len();

    println!("lakectl benchmark: {TENANTS} tenants ({resources} resources) on {endpoint}");
    let first = lakectl(&dir, &["deploy", "--yes"]);
    println!(
        "first deploy: {:.2} s, {} calls",
        first.wall.as_secs_f64(),
        first.calls.values().sum::<u64>()
    );

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let baseline = rt.block_on(Baseline::connect(&endpoint, &prefix));

    // Plan and baseline take turns, so a slow stretch of a shared machine hits both alike; the
    // medians are compared.
    let mut plans: Vec<Timed> = Vec::new();
    let mut floors: Vec<Duration> = Vec::new();
    for _ in 0..ROUNDS {
        let plan = lakectl(&dir, &["plan", "--detailed-exitcode"]);
        let start = Instant::now();
        for (op, n) in &plan.calls {
            if let Err(e) = rt.block_on(baseline.replay(op, *n)) {
                panic!("{e}");
            }
        }
        floors.push(start.elapsed());
        plans.push(plan);
    }
    let rounds: Vec<f64> = plans
        .iter()
        .zip(&floors)
        .map(|(p, f)| p.wall.as_secs_f64() / f.as_secs_f64())
        .collect();
    plans.sort_by_key(|t| t.wall);
    floors.sort();
    let plan = plans.swap_remove(ROUNDS / 2);
    let baseline_wall = floors[ROUNDS / 2];
    let plan_calls: u64 = plan.calls.values().sum();

    // One tag change: tenant t000 moves to the gold tier.
    std::fs::write(
        dir.join("stacks/bench.yaml"),
        stack(&prefix, TENANTS, Some("t000")),
    )
    .expect("stack");
    let tag_deploy = lakectl(&dir, &["deploy", "--yes"]);

    let ratio = |d: Duration| d.as_secs_f64() / baseline_wall.as_secs_f64();
    println!();
    println!(
        "baseline (the no-op plan's {plan_calls} read calls, sequential; median): {:.2} s",
        baseline_wall.as_secs_f64()
    );
    println!(
        "no-op plan (median):       {:.2} s  = {:.2}x baseline  ({plan_calls} calls, {:.1} per resource)",
        plan.wall.as_secs_f64(),
        ratio(plan.wall),
        plan_calls as f64 / resources as f64
    );
    println!(
        "deploy after 1 tag change: {:.2} s  = {:.2}x baseline  ({} calls)",
        tag_deploy.wall.as_secs_f64(),
        ratio(tag_deploy.wall),
        tag_deploy.calls.values().sum::<u64>()
    );
    println!(
        "no-op plan / baseline in each of {ROUNDS} rounds: {}",
        rounds
            .iter()
            .map(|r| format!("{r:.2}x"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "(ratio < 1: faster than the sequential floor of the same reads; the emulator is one Python process)"
    );
    println!("\nno-op plan calls by operation:");
    for (op, n) in &plan.calls {
        println!("  {n:>6} {op}");
    }
    let destroy = lakectl(&dir, &["destroy", "--yes"]);
    println!("\ndestroy: {:.2} s", destroy.wall.as_secs_f64());
    let _ = std::fs::remove_dir_all(&dir);
}
