"""The ingest state machine: static checks of stacks/sfn/ingest.asl.json, then executions on the
emulator's Step Functions (execution turned on by scripts/emulator)."""

import json
import re
import time
import uuid

import pytest


KNOWN_SUBSTITUTIONS = {"config_table.name", "lineage_table.name", "ingest_job.name",
                       "ingest_spark_job.name", "alerts_topic.arn"}
PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")
GLUE_RETRIED = {"Glue.ConcurrentRunsExceededException", "Glue.ThrottlingException"}


@pytest.fixture(scope="module")
def text():
    from conftest import ROOT
    return (ROOT / "stacks" / "sfn" / "ingest.asl.json").read_text()


@pytest.fixture(scope="module")
def definition(text):
    return json.loads(text)


def _targets(state):
    """Every state name this state can hand over to."""
    names = [state.get("Next"), state.get("Default")]
    names += [c.get("Next") for c in state.get("Choices", [])]
    names += [c.get("Next") for c in state.get("Catch", [])]
    return [n for n in names if n]


# ---- static checks --------------------------------------------------------------------------

def test_every_next_exists_and_every_state_is_reachable(definition):
    states = definition["States"]
    assert definition["StartAt"] in states
    for name, state in states.items():
        for target in _targets(state):
            assert target in states, f"{name} goes to {target}, which does not exist"
        terminal = state["Type"] in ("Succeed", "Fail") or state.get("End") is True
        assert terminal or state.get("Next") or state["Type"] == "Choice", f"{name} goes nowhere"
    seen, todo = set(), [definition["StartAt"]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(_targets(states[name]))
    assert seen == set(states), f"unreachable: {sorted(set(states) - seen)}"


def test_substitutions_are_all_known_and_all_used(text):
    found = set(PLACEHOLDER.findall(text))
    assert found <= KNOWN_SUBSTITUTIONS, f"unknown substitutions: {sorted(found - KNOWN_SUBSTITUTIONS)}"
    assert found == KNOWN_SUBSTITUTIONS, f"never used: {sorted(KNOWN_SUBSTITUTIONS - found)}"
    for placeholder in PLACEHOLDER.finditer(text):
        assert re.fullmatch(r"[a-z_][a-z0-9_]*\.[a-z_]+", placeholder.group(1))


def test_glue_runs_retry_on_concurrency_and_throttling_and_catch_everything(definition):
    runs = {n: s for n, s in definition["States"].items()
            if s.get("Resource", "").startswith("arn:aws:states:::glue:startJobRun")}
    assert set(runs) == {"RunIngest", "RunSparkIngest"}
    for name, state in runs.items():
        assert state["Resource"].endswith(".sync"), f"{name} must wait for the job run"
        [retry] = state["Retry"]
        assert GLUE_RETRIED <= set(retry["ErrorEquals"])
        assert retry["BackoffRate"] > 1 and retry["MaxAttempts"] >= 3
        assert "States.ALL" not in retry["ErrorEquals"], "a failed job run must not be retried"
        assert [(c["ErrorEquals"], c["Next"]) for c in state["Catch"]] == [(["States.ALL"], "RecordFailure")]
        args = state["Parameters"]["Arguments"]
        assert {"--config_table", "--lineage_table", "--dataset.$", "--source_uri.$"} <= set(args)


def test_failures_are_recorded_then_alerted_then_fail(definition):
    states = definition["States"]
    assert states["RecordFailure"]["Resource"] == "arn:aws:states:::dynamodb:putItem"
    assert states["RecordFailure"]["Next"] == "Alert"
    assert states["RecordFailure"]["Catch"][0]["Next"] == "Alert"
    assert states["Alert"]["Resource"] == "arn:aws:states:::sns:publish"
    assert states["Alert"]["Next"] == "Failed" and states["Failed"]["Type"] == "Fail"
    assert states["RecordSuccess"]["Next"] == "Succeeded"


# ---- executions on the emulator ------------------------------------------------------------

class Machine:
    """A deployed copy of the definition with the substitutions lakectl would make."""

    def __init__(self, aws, lake, definition_text):
        suffix = uuid.uuid4().hex[:8]
        self.aws, self.lake = aws, lake
        self.sfn = aws.client("stepfunctions")
        account = aws.client("sts").get_caller_identity()["Account"]
        self.role = f"arn:aws:iam::{account}:role/dp-{suffix}-orchestrator"
        sns, sqs = aws.client("sns"), aws.client("sqs")
        self.topic = sns.create_topic(Name=f"dp-{suffix}-alerts")["TopicArn"]
        self.queue = sqs.create_queue(QueueName=f"dp-{suffix}-alerts")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=self.topic, Protocol="sqs", Endpoint=queue_arn)
        self.jobs = {}
        glue = aws.glue
        for kind, command in (("ingest_job", "pythonshell"), ("ingest_spark_job", "glueetl")):
            name = f"dp-{suffix}-{kind.replace('_', '-')}"
            glue.create_job(Name=name, Role=self.role, Command={
                "Name": command, "ScriptLocation": f"s3://{lake.bucket}/assets/{kind}.py"})
            self.jobs[kind] = name
        values = {"config_table.name": lake.config_table, "lineage_table.name": lake.lineage_table,
                  "ingest_job.name": self.jobs["ingest_job"],
                  "ingest_spark_job.name": self.jobs["ingest_spark_job"],
                  "alerts_topic.arn": self.topic}
        self.text = _emulator_times(PLACEHOLDER.sub(lambda m: values[m.group(1)], definition_text))
        self.suffix = suffix
        self.arns = []

    def deploy(self, text=None, variant="real"):
        arn = self.sfn.create_state_machine(name=f"dp-{self.suffix}-ingest-{variant}",
                                            definition=text or self.text,
                                            roleArn=self.role)["stateMachineArn"]
        self.arns.append(arn)
        return arn

    def run(self, arn, dataset, key):
        name = f"run-{uuid.uuid4().hex[:12]}"
        execution = self.sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(
            {"dataset": dataset, "bucket": self.lake.bucket, "key": key,
             "emulator_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}))["executionArn"]
        deadline = time.time() + 60
        while time.time() < deadline:
            out = self.sfn.describe_execution(executionArn=execution)
            if out["status"] != "RUNNING":
                return name, out
            time.sleep(0.3)
        raise AssertionError(f"execution {execution} still running after 60 s")

    def alerts(self, wait=10):
        sqs = self.aws.client("sqs")
        deadline = time.time() + wait
        while time.time() < deadline:
            got = sqs.receive_message(QueueUrl=self.queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            if got.get("Messages"):
                return [json.loads(m["Body"]) for m in got["Messages"]]
        return []

    def execution_record(self, key, name):
        return next(r for r in self.lake.lineage(f"s3://{self.lake.bucket}/{key}")
                    if r["sk"] == f"execution#{name}")

    def destroy(self):
        for arn in self.arns:
            self.sfn.delete_state_machine(stateMachineArn=arn)
        for name in self.jobs.values():
            self.aws.glue.delete_job(JobName=name)
        self.aws.client("sns").delete_topic(TopicArn=self.topic)
        self.aws.client("sqs").delete_queue(QueueUrl=self.queue)


@pytest.fixture
def machine(aws, lake, text):
    m = Machine(aws, lake, text)
    yield m
    m.destroy()


def _emulator_times(text):
    """moto 5.2.5 hands the context object's times ($$.Execution.StartTime, $$.State.EnteredTime)
    over as Python datetimes, not ISO strings: a DynamoDB task using one fails ("Object of type
    datetime is not JSON serializable") and even DescribeExecution answers HTTP 500. On AWS they
    are strings, so the definition keeps them; the copy run here reads a time from the input
    instead. Everything else runs as written."""
    assert text.count("$$.Execution.StartTime") == 2 and text.count("$$.State.EnteredTime") == 2
    return text.replace("$$.Execution.StartTime", "$.emulator_time") \
        .replace("$$.State.EnteredTime", "$.emulator_time")


def _without_sync(text):
    """The emulator cannot run `.sync` Glue tasks (it fails them with States.Runtime), so the
    success path runs a copy where the task only starts the job run. startJobRun answers
    {JobRunId} instead of the finished run, so the selector reads that field instead."""
    definition = json.loads(text)
    for name in ("RunIngest", "RunSparkIngest"):
        state = definition["States"][name]
        state["Resource"] = state["Resource"].removesuffix(".sync")
        state["ResultSelector"] = {"JobRunId.$": "$.JobRunId", "JobRunState": "STARTED"}
    return json.dumps(definition)


def test_failed_job_run_is_recorded_and_alerted(lake, machine):
    lake.seed("orders")
    key = "raw/orders/a.csv"
    lake.upload(key, "orders.csv")
    # The real definition: on the emulator the .sync job task fails, which is exactly the
    # failure path (catch -> lineage -> SNS -> Fail) a job that fails on AWS takes.
    name, out = machine.run(machine.deploy(), "orders", key)
    assert out["status"] == "FAILED"
    record = machine.execution_record(key, name)
    assert record["status"] == "FAILED" and record["record_type"] == "execution"
    assert record["error"] and record["cause"] is not None
    assert record["dataset"] == "orders" and record["execution_arn"] == out["executionArn"]
    [alert] = machine.alerts()
    assert alert["Subject"] == "lakectl ingest failed: orders"
    assert alert["Message"].startswith(f"Ingest of s3://{lake.bucket}/{key} (dataset orders) "
                                       f"failed with {record['error']}")
    assert f"sk=execution#{name}" in alert["Message"]


def test_missing_settings_fail_before_any_job_run(lake, machine):
    key = "raw/orders/b.csv"
    lake.upload(key, "orders.csv")
    name, out = machine.run(machine.deploy(), "orders", key)
    assert out["status"] == "FAILED"
    record = machine.execution_record(key, name)
    assert record["error"] == "SettingsNotFound"
    assert record["cause"] == (f"no settings for dataset orders in table {lake.config_table}: put "
                               f"an item with pk=dataset#orders, sk=settings (see stacks/glue/README.md)")
    assert machine.aws.glue.get_job_runs(JobName=machine.jobs["ingest_job"])["JobRuns"] == []
    [alert] = machine.alerts()
    assert "failed with SettingsNotFound: no settings for dataset orders" in alert["Message"]


@pytest.mark.parametrize("engine,job", [("python_shell", "ingest_job"), ("spark", "ingest_spark_job")])
def test_success_path_starts_the_right_job_and_records_success(lake, machine, engine, job):
    lake.seed("orders", engine={"S": engine})
    key = "raw/orders/c.csv"
    lake.upload(key, "orders.csv")
    name, out = machine.run(machine.deploy(_without_sync(machine.text), "nosync"), "orders", key)
    assert out["status"] == "SUCCEEDED", out
    record = machine.execution_record(key, name)
    assert record["status"] == "SUCCEEDED"
    [run] = machine.aws.glue.get_job_runs(JobName=machine.jobs[job])["JobRuns"]
    assert record["glue_job_run_id"] == run["Id"]
    assert run["Arguments"] == {
        "--config_table": lake.config_table, "--lineage_table": lake.lineage_table,
        "--dataset": "orders", "--source_uri": f"s3://{lake.bucket}/{key}", "--execution_id": name}
    other = "ingest_spark_job" if job == "ingest_job" else "ingest_job"
    assert machine.aws.glue.get_job_runs(JobName=machine.jobs[other])["JobRuns"] == []
    assert machine.alerts(wait=2) == []
