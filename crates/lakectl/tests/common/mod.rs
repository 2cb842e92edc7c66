//! A sandbox per test: its own stack name and resource names, a temp stacks dir, the real
//! lakectl binary, and SDK clients to look at what it did. Every test needs the emulator the
//! README's test command starts; without it, tests fail with a message saying so.

#![allow(dead_code)]

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The emulator's endpoint; panics with instructions when it is not set or not answering.
pub fn endpoint() -> String {
    let url = std::env::var("AWS_ENDPOINT_URL").unwrap_or_default();
    assert!(
        !url.is_empty(),
        "AWS_ENDPOINT_URL is not set: these tests run against the local emulator. Run them with scripts/test \
         (which starts one), or start one with `scripts/emulator up` and export AWS_ENDPOINT_URL=http://127.0.0.1:4566"
    );
    let hostport = url
        .trim_start_matches("http://")
        .trim_start_matches("https://")
        .trim_end_matches('/');
    let reachable = hostport
        .parse()
        .ok()
        .and_then(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok())
        .is_some();
    assert!(
        reachable,
        "nothing answers at AWS_ENDPOINT_URL={url}: start the emulator with `scripts/emulator up` or run scripts/test"
    );
    url
}

/// A short unique lowercase suffix for names.
pub fn unique() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("{:x}{:x}{n}", std::process::id() % 4096, nanos % 65536)
}

/// One test's world.
pub struct Sandbox {
    /// Temp folder holding `stacks/`.
    pub dir: PathBuf,
    /// The stack name (unique).
    pub stack: String,
    /// The prefix of every physical name (unique).
    pub prefix: String,
}

/// The result of one lakectl run.
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Panics with the output unless the exit code is `want`.
    pub fn expect_code(self, want: i32) -> Run {
        assert_eq!(
            self.code, want,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    /// The stdout parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// The calls of `--stats` that change something, by the rule `--stats` itself counts them.
    pub fn mutating_calls(&self) -> Vec<(String, u64)> {
        self.calls()
            .into_iter()
            .filter(|(op, _)| lakectl_provider::calls::is_mutating(op))
            .collect()
    }

    /// The `--stats` call counts: `service:Operation` → count.
    pub fn calls(&self) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        let mut in_stats = false;
        for line in self.stderr.lines() {
            if line.starts_with("aws calls:") {
                in_stats = true;
                continue;
            }
            if in_stats {
                let mut parts = line.split_whitespace();
                if let (Some(n), Some(op)) = (parts.next(), parts.next())
                    && let Ok(n) = n.parse()
                {
                    out.push((op.to_string(), n));
                }
            }
        }
        out
    }
}

/// The default test stack: two customer buckets, a table and a role whose policy names them.
pub fn lake_stack(stack: &str, prefix: &str, customers: &[&str]) -> String {
    format!(
        r#"stack: {stack}
vars:
  prefix: {prefix}
  customers: [{customers}]
resources:
  bucket:
    kind: s3.bucket
    for_each: ${{var.customers}}
    properties:
      name: "${{var.prefix}}-${{each.key}}-${{env}}"
      versioning: true
      enforce_tls: false
      lifecycle_rules:
        - id: raw-to-ia
          prefix: raw/
          transitions: [{{days: 30, storage_class: STANDARD_IA}}]
      tags: {{customer: "${{each.key}}"}}
  table:
    kind: dynamodb.table
    properties:
      name: "${{var.prefix}}-${{env}}-config"
      partition_key: {{name: pk, type: S}}
      sort_key: {{name: sk, type: S}}
      point_in_time_recovery: true
  role:
    kind: iam.role
    properties:
      name: "${{var.prefix}}-${{env}}-glue"
      assume_role_policy:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {{Service: glue.amazonaws.com}}
            Action: sts:AssumeRole
      inline_policies:
        data:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: [s3:GetObject]
              Resource: ["${{bucket[*].arn}}/raw/*"]
            - Effect: Allow
              Action: dynamodb:GetItem
              Resource: "${{table.arn}}"
outputs:
  table: ${{table.name}}
  role: ${{role.arn}}
"#,
        customers = customers.join(", ")
    )
}

impl Sandbox {
    /// A sandbox with the default test stack for `customers`.
    pub fn new(customers: &[&str]) -> Sandbox {
        endpoint();
        let id = unique();
        let stack = format!("e2e{id}");
        let prefix = format!("lk{id}");
        let dir = std::env::temp_dir().join(format!("lakectl-e2e-{id}"));
        std::fs::create_dir_all(dir.join("stacks/env")).expect("temp dir");
        let sb = Sandbox { dir, stack, prefix };
        sb.write_stack(&lake_stack(&sb.stack, &sb.prefix, customers));
        sb.write_env("region: us-east-1\nremoval_policy: destroy\n");
        sb
    }

    /// Replaces the stack file.
    pub fn write_stack(&self, yaml: &str) {
        std::fs::write(self.dir.join("stacks/lake.yaml"), yaml).expect("write stack");
    }

    /// Writes one more stack file, `stacks/{file}`.
    pub fn write_stack_file(&self, file: &str, yaml: &str) {
        std::fs::write(self.dir.join("stacks").join(file), yaml).expect("write stack file");
    }

    /// Replaces `env/dev.yaml`.
    pub fn write_env(&self, yaml: &str) {
        std::fs::write(self.dir.join("stacks/env/dev.yaml"), yaml).expect("write env");
    }

    /// The stacks dir.
    pub fn stacks(&self) -> PathBuf {
        self.dir.join("stacks")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lakectl"));
        cmd.current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .env_remove("LAKECTL_ENV")
            .args(args);
        cmd
    }

    /// Runs lakectl with `args` (`--env dev` and `--stats` are added) and waits.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut all = args.to_vec();
        all.extend(["--env", "dev", "--stats"]);
        Run::from(
            self.command(&all)
                .stdin(Stdio::null())
                .output()
                .expect("run lakectl"),
        )
    }

    /// Runs lakectl as in a fresh shell: no AWS variable at all (no credentials, no endpoint),
    /// no AWS config files, no instance metadata; `--env dev` is added.
    pub fn run_in_fresh_shell(&self, args: &[&str]) -> Run {
        let mut all = args.to_vec();
        all.extend(["--env", "dev"]);
        let out = self
            .command(&all)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.dir)
            .env("NO_COLOR", "1")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null())
            .output()
            .expect("run lakectl");
        Run::from(out)
    }

    /// Starts lakectl in the background; its stderr lines arrive on the receiver.
    pub fn spawn(&self, args: &[&str]) -> (Child, mpsc::Receiver<String>) {
        let mut all = args.to_vec();
        all.extend(["--env", "dev"]);
        let mut child = self
            .command(&all)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn lakectl");
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        (child, rx)
    }

    /// The physical bucket name of a customer.
    pub fn bucket(&self, customer: &str) -> String {
        format!("{}-{customer}-dev", self.prefix)
    }

    /// The table's physical name.
    pub fn table(&self) -> String {
        format!("{}-dev-config", self.prefix)
    }

    /// The role's physical name.
    pub fn role(&self) -> String {
        format!("{}-dev-glue", self.prefix)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Waits for a stderr line containing `needle`, up to `timeout`; returns the lines seen.
pub fn wait_for_line(rx: &mpsc::Receiver<String>, needle: &str, timeout: Duration) -> Vec<String> {
    let deadline = std::time::Instant::now() + timeout;
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(line) => {
                let hit = line.contains(needle);
                seen.push(line);
                if hit {
                    return seen;
                }
            }
            Err(_) => break,
        }
    }
    panic!(
        "no line containing {needle:?} within {timeout:?}; saw:\n{}",
        seen.join("\n")
    );
}

/// SDK clients on the emulator, for looking behind lakectl's back.
pub struct Aws {
    /// A runtime to drive them from sync tests.
    pub rt: tokio::runtime::Runtime,
    /// S3.
    pub s3: aws_sdk_s3::Client,
    /// DynamoDB.
    pub ddb: aws_sdk_dynamodb::Client,
    /// IAM.
    pub iam: aws_sdk_iam::Client,
    /// CloudWatch Logs.
    pub logs: aws_sdk_cloudwatchlogs::Client,
    /// SNS.
    pub sns: aws_sdk_sns::Client,
    /// Glue.
    pub glue: aws_sdk_glue::Client,
    /// Step Functions.
    pub sfn: aws_sdk_sfn::Client,
    /// EventBridge.
    pub events: aws_sdk_eventbridge::Client,
    /// STS.
    pub sts: aws_sdk_sts::Client,
}

impl Aws {
    /// Clients on `AWS_ENDPOINT_URL`.
    pub fn new() -> Aws {
        let url = endpoint();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let config = rt.block_on(
            aws_config::defaults(aws_config::BehaviorVersion::latest())
                .region(aws_config::Region::new("us-east-1"))
                .endpoint_url(url)
                .load(),
        );
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build(),
        );
        Aws {
            s3,
            ddb: aws_sdk_dynamodb::Client::new(&config),
            iam: aws_sdk_iam::Client::new(&config),
            logs: aws_sdk_cloudwatchlogs::Client::new(&config),
            sns: aws_sdk_sns::Client::new(&config),
            glue: aws_sdk_glue::Client::new(&config),
            sfn: aws_sdk_sfn::Client::new(&config),
            events: aws_sdk_eventbridge::Client::new(&config),
            sts: aws_sdk_sts::Client::new(&config),
            rt,
        }
    }

    /// The emulator's account id.
    pub fn account_id(&self) -> String {
        let id = self
            .rt
            .block_on(self.sts.get_caller_identity().send())
            .expect("caller identity");
        id.account().unwrap_or_default().to_string()
    }

    /// (protocol, endpoint) of each subscription to a topic; none when the topic is gone.
    pub fn subscriptions(&self, topic_arn: &str) -> Vec<(String, String)> {
        match self.rt.block_on(
            self.sns
                .list_subscriptions_by_topic()
                .topic_arn(topic_arn)
                .send(),
        ) {
            Ok(out) => out
                .subscriptions()
                .iter()
                .map(|s| {
                    (
                        s.protocol().unwrap_or_default().to_string(),
                        s.endpoint().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_not_found_exception()) =>
            {
                Vec::new()
            }
            Err(e) => panic!("listing the subscriptions of {topic_arn}: {e:?}"),
        }
    }

    /// The retention of every log group whose name starts with `prefix`, by name.
    pub fn log_groups(&self, prefix: &str) -> Vec<(String, Option<i32>)> {
        let out = self
            .rt
            .block_on(
                self.logs
                    .describe_log_groups()
                    .log_group_name_prefix(prefix)
                    .send(),
            )
            .expect("describe log groups");
        out.log_groups()
            .iter()
            .map(|g| {
                (
                    g.log_group_name().unwrap_or_default().to_string(),
                    g.retention_in_days(),
                )
            })
            .collect()
    }

    /// The item of `table` with keys `pk`/`sk` as JSON (its key attributes included).
    pub fn item(&self, table: &str, pk: &str, sk: &str) -> serde_json::Value {
        use aws_sdk_dynamodb::types::AttributeValue;
        let out = self
            .rt
            .block_on(
                self.ddb
                    .get_item()
                    .table_name(table)
                    .key("pk", AttributeValue::S(pk.into()))
                    .key("sk", AttributeValue::S(sk.into()))
                    .send(),
            )
            .expect("get item");
        let item = out
            .item()
            .unwrap_or_else(|| panic!("no item {pk}/{sk} in {table}"));
        serde_json::Value::Object(lakectl_provider_dynamodb::to_object(item).expect("json"))
    }

    /// A state machine's definition, as JSON.
    pub fn state_machine_definition(&self, arn: &str) -> serde_json::Value {
        let out = self
            .rt
            .block_on(
                self.sfn
                    .describe_state_machine()
                    .state_machine_arn(arn)
                    .send(),
            )
            .unwrap_or_else(|e| panic!("describe {arn}: {e:?}"));
        serde_json::from_str(out.definition()).expect("a JSON definition")
    }

    /// A Glue job's role and script location.
    pub fn glue_job(&self, name: &str) -> serde_json::Value {
        let out = self
            .rt
            .block_on(self.glue.get_job().job_name(name).send())
            .unwrap_or_else(|e| panic!("get job {name}: {e:?}"));
        let job = out.job().unwrap_or_else(|| panic!("no job {name}"));
        serde_json::json!({
            "role": job.role(),
            "script_location": job.command().and_then(|c| c.script_location()),
        })
    }

    /// A trigger's schedule and its first action's job and arguments.
    pub fn glue_trigger(&self, name: &str) -> serde_json::Value {
        let out = self
            .rt
            .block_on(self.glue.get_trigger().name(name).send())
            .unwrap_or_else(|e| panic!("get trigger {name}: {e:?}"));
        let t = out.trigger().unwrap_or_else(|| panic!("no trigger {name}"));
        let action = t.actions().first();
        serde_json::json!({
            "schedule": t.schedule(),
            "job": action.and_then(|a| a.job_name()),
            "arguments": action.and_then(|a| a.arguments()),
        })
    }

    /// The bytes of an object.
    pub fn object(&self, bucket: &str, key: &str) -> Vec<u8> {
        self.rt.block_on(async {
            let out = self
                .s3
                .get_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .unwrap_or_else(|e| panic!("get s3://{bucket}/{key}: {e:?}"));
            out.body
                .collect()
                .await
                .expect("body")
                .into_bytes()
                .to_vec()
        })
    }

    /// The ARN of a role.
    pub fn role_arn(&self, name: &str) -> String {
        let out = self
            .rt
            .block_on(self.iam.get_role().role_name(name).send())
            .unwrap_or_else(|e| panic!("get role {name}: {e:?}"));
        out.role().map(|r| r.arn().to_string()).unwrap_or_default()
    }

    /// The name of the Glue database `name`, when it exists.
    pub fn glue_database(&self, name: &str) -> Option<String> {
        match self.rt.block_on(self.glue.get_database().name(name).send()) {
            Ok(out) => out.database().map(|d| d.name().to_string()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_entity_not_found_exception()) =>
            {
                None
            }
            Err(e) => panic!("get database {name}: {e:?}"),
        }
    }

    /// Whether a bucket exists.
    pub fn bucket_exists(&self, name: &str) -> bool {
        self.rt
            .block_on(self.s3.head_bucket().bucket(name).send())
            .is_ok()
    }

    /// Every bucket whose name starts with `prefix`.
    pub fn buckets_with_prefix(&self, prefix: &str) -> Vec<String> {
        let out = self
            .rt
            .block_on(self.s3.list_buckets().send())
            .expect("list buckets");
        let mut names: Vec<String> = out
            .buckets()
            .iter()
            .filter_map(|b| b.name())
            .filter(|n| n.starts_with(prefix))
            .map(str::to_string)
            .collect();
        names.sort();
        names
    }

    /// The bucket's versioning status (`Enabled`, `Suspended`, or `None` when never set).
    /// moto 5.2.5 answers with the wrong XML root, which the SDK rejects; the status is then
    /// read from the raw body, as the S3 provider does.
    pub fn versioning_status(&self, bucket: &str) -> Option<String> {
        match self
            .rt
            .block_on(self.s3.get_bucket_versioning().bucket(bucket).send())
        {
            Ok(out) => out.status().map(|s| s.as_str().to_string()),
            Err(e) => {
                let raw = e
                    .raw_response()
                    .expect("GetBucketVersioning got no response");
                let body =
                    std::str::from_utf8(raw.body().bytes().unwrap_or_default()).unwrap_or_default();
                let start = body.find("<Status>")? + "<Status>".len();
                let end = body[start..].find("</Status>")? + start;
                Some(body[start..end].to_string())
            }
        }
    }

    /// An inline policy of a role, decoded: IAM returns documents URL-encoded.
    pub fn role_policy(&self, role: &str, name: &str) -> Value {
        let out = self
            .rt
            .block_on(
                self.iam
                    .get_role_policy()
                    .role_name(role)
                    .policy_name(name)
                    .send(),
            )
            .unwrap_or_else(|e| panic!("{role}/{name}: {e:?}"));
        let doc = percent_decode(out.policy_document());
        serde_json::from_str(&doc)
            .unwrap_or_else(|e| panic!("{role}/{name} is not JSON ({e}): {doc}"))
    }

    /// Whether a table exists.
    pub fn table_exists(&self, name: &str) -> bool {
        self.rt
            .block_on(self.ddb.describe_table().table_name(name).send())
            .is_ok()
    }

    /// Whether a role exists.
    pub fn role_exists(&self, name: &str) -> bool {
        self.rt
            .block_on(self.iam.get_role().role_name(name).send())
            .is_ok()
    }

    /// Suspends a bucket's versioning behind lakectl's back.
    pub fn suspend_versioning(&self, bucket: &str) {
        self.rt
            .block_on(
                self.s3
                    .put_bucket_versioning()
                    .bucket(bucket)
                    .versioning_configuration(
                        aws_sdk_s3::types::VersioningConfiguration::builder()
                            .status(aws_sdk_s3::types::BucketVersioningStatus::Suspended)
                            .build(),
                    )
                    .send(),
            )
            .expect("suspend versioning");
    }

    /// Puts one object.
    pub fn put_object(&self, bucket: &str, key: &str) {
        self.rt
            .block_on(
                self.s3
                    .put_object()
                    .bucket(bucket)
                    .key(key)
                    .body(b"x,y\n1,2\n".to_vec().into())
                    .send(),
            )
            .expect("put object");
    }
}

/// Decodes `%XX` escapes (and leaves everything else as it is).
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Writes a file under `dir`.
pub fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}
