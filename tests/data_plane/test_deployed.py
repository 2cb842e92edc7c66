"""The data path as deployed: lakectl deploys the lake of stacks/ into the emulator, a CSV lands
under a tenant's raw/, and the ingest job runs as Glue would run it — the script and modules the
deployed job points at, fetched from the assets bucket, with the job's default arguments — and
writes partitioned Parquet, the tenant's catalog partitions and a lineage item."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import boto3
import pytest
from boto3.dynamodb.types import TypeDeserializer

ROOT = Path(__file__).resolve().parents[2]
ENV = "dp"


def _lakectl():
    """The lakectl binary: LAKECTL_BIN, or this workspace's debug build (built if needed)."""
    if os.environ.get("LAKECTL_BIN"):
        return os.environ["LAKECTL_BIN"]
    subprocess.run(["cargo", "build", "-q", "-p", "lakectl"], cwd=ROOT, check=True)
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps"], cwd=ROOT,
                          check=True, capture_output=True, text=True)
    return str(Path(json.loads(meta.stdout)["target_directory"]) / "debug" / "lakectl")


class Deployed:
    """The shipped stack, deployed under a prefix of its own so runs never collide."""

    def __init__(self, tmp):
        self.prefix = f"dp{uuid.uuid4().hex[:8]}"
        self.stacks = tmp / "stacks"
        shutil.copytree(ROOT / "stacks", self.stacks)
        account = boto3.client("sts").get_caller_identity()["Account"]
        (self.stacks / "env" / f"{ENV}.yaml").write_text(
            f'region: us-east-1\naccount_id: "{account}"\nremoval_policy: destroy\nvars:\n'
            f"  prefix: {self.prefix}\n  customers: [acme]\n  enforce_tls: false\n"
            f"  eventbridge_notifications: false\n  ingest_alarms: []\n")
        self.bin = _lakectl()
        self.bucket = f"{self.prefix}-acme-{ENV}-datalake"
        self.database = f"{self.prefix}_acme_{ENV}"

    def lakectl(self, *args):
        done = subprocess.run([self.bin, "--stacks-dir", str(self.stacks), "--env", ENV, *args],
                              capture_output=True, text=True, timeout=300,
                              env={**os.environ, "NO_COLOR": "1"})
        assert done.returncode == 0, f"lakectl {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done


@pytest.fixture
def deployed(tmp_path):
    lake = Deployed(tmp_path)
    lake.lakectl("deploy", "--yes")
    yield lake
    lake.lakectl("destroy", "--yes", "--allow-data-loss")


def _download(s3, uri, into):
    bucket, key = uri.removeprefix("s3://").split("/", 1)
    path = into / key.rsplit("/", 1)[-1]
    s3.download_file(bucket, key, str(path))
    return path


def _run_as_deployed(aws, job_name, into, *run_args):
    """Runs the deployed job's script from the assets bucket, as Glue would: its modules from
    --extra-py-files on the path (and nothing of this repository), its default arguments
    first, then the run's."""
    job = aws.glue.get_job(JobName=job_name)["Job"]
    script = _download(aws.s3, job["Command"]["ScriptLocation"], into)
    defaults = job.get("DefaultArguments", {})
    for uri in defaults.get("--extra-py-files", "").split(","):
        _download(aws.s3, uri, into)
    argv = [part for name, value in defaults.items() for part in (name, value)]
    return subprocess.run([sys.executable, str(script), *argv, *run_args], cwd=into,
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(into)})


def test_a_raw_file_is_ingested_by_the_deployed_job(aws, deployed, tmp_path):
    key = "raw/orders/2024-03-03.csv"
    aws.s3.upload_file(str(ROOT / "stacks" / "sample-data" / "orders.csv"), deployed.bucket, key)
    uri = f"s3://{deployed.bucket}/{key}"
    code = tmp_path / "job"
    code.mkdir()

    done = _run_as_deployed(aws, f"{deployed.prefix}-{ENV}-ingest", code,
                            "--dataset", "orders", "--source_uri", uri,
                            "--JOB_RUN_ID", "jr_deployed")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in code.glob("*.py")) == sorted(
        p.name for p in (ROOT / "stacks" / "glue").glob("*.py") if p.name != "api_ingest.py"
        and p.name != "ingest_spark.py"), "the script and exactly the modules it was given"

    listed = aws.s3.list_objects_v2(Bucket=deployed.bucket)["Contents"]
    days = ["year=2024/month=03/day=01", "year=2024/month=03/day=02", "year=2024/month=03/day=03"]
    for zone in ("processed", "analytics"):
        got = sorted({o["Key"].rsplit("/", 1)[0] for o in listed
                      if o["Key"].startswith(f"{zone}/") and o["Key"].endswith(".parquet")})
        assert got == [f"{zone}/orders/{d}" for d in days], zone

    # The tenant's own catalog database, found through its registration item.
    table = aws.glue.get_table(DatabaseName=deployed.database, Name="orders")["Table"]
    assert table["StorageDescriptor"]["Location"] == f"s3://{deployed.bucket}/analytics/orders/"
    parts = aws.glue.get_partitions(DatabaseName=deployed.database, TableName="orders")
    assert sorted(p["Values"] for p in parts["Partitions"]) == [
        ["2024", "03", "01"], ["2024", "03", "02"], ["2024", "03", "03"]]

    out = aws.dynamodb.get_item(
        TableName=f"{deployed.prefix}-{ENV}-lineage",
        Key={"pk": {"S": f"input#{uri}"}, "sk": {"S": "run#jr_deployed"}}, ConsistentRead=True)
    record = {k: TypeDeserializer().deserialize(v) for k, v in out["Item"].items()}
    assert (record["status"], record["job"], record["target_table"]) == (
        "SUCCEEDED", "ingest", f"{deployed.database}.orders")
