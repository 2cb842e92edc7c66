"""One lineage record per job run, in the lineage table (keys pk and sk, fixed with lakectl).

    pk = input#s3://<bucket>/<key>    sk = run#<run id>          written by a job run
    pk = input#s3://<bucket>/<key>    sk = execution#<name>      written by the state machine

All runs over one input share a partition, so "what happened to this file" is one Query, and
the previous run's outputs are found there when a re-run replaces them. The by-status index
(status, started_at) answers "what failed today" across datasets.
"""

import datetime
import sys
import time

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from lake_errors import JobError

RETENTION_DAYS = 400


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def input_pk(source_uri):
    return f"input#{source_uri}"


class Run:
    def __init__(self, dynamodb, table, job, run_id, dataset, source_uri, execution=None):
        self.dynamodb = dynamodb
        self.table = table
        self.record = {
            "pk": input_pk(source_uri),
            "sk": f"run#{run_id}",
            "record_type": "job_run",
            "job": job,
            "run_id": run_id,
            "dataset": dataset,
            "input_uri": source_uri,
            "status": "RUNNING",
            "started_at": now_iso(),
            "expires_at": int(time.time()) + RETENTION_DAYS * 86400,
        }
        if execution:
            self.record["execution"] = execution

    def _put(self):
        serializer = TypeSerializer()
        item = {k: serializer.serialize(v) for k, v in self.record.items() if v is not None}
        try:
            self.dynamodb.put_item(TableName=self.table, Item=item)
        except ClientError as e:
            if e.response["Error"]["Code"] == "ResourceNotFoundException":
                raise JobError(
                    f"lineage table '{self.table}' does not exist: deploy the lake "
                    f"(lakectl deploy) or pass the right --lineage_table"
                ) from e
            raise

    def start(self):
        self._put()

    def note(self, **fields):
        self.record.update(fields)

    def finish(self, status, **fields):
        self.record.update(fields, status=status, ended_at=now_iso())
        self._put()

    def fail(self, message):
        """Records the failure; never raises, because the caller is already reporting one."""
        try:
            self.finish("FAILED", error=message)
        except Exception as e:  # noqa: BLE001 - the job's own error is the one to surface
            print(f"could not record the failure in lineage table '{self.table}': {e}",
                  file=sys.stderr)

    def previous_outputs(self):
        """Keys written by earlier successful runs over the same input."""
        keys = set()
        deserializer = TypeDeserializer()
        query = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :run)",
            "ExpressionAttributeValues": {":pk": {"S": self.record["pk"]}, ":run": {"S": "run#"}},
            "ConsistentRead": True,
        }
        while True:
            out = self.dynamodb.query(**query)
            for item in out.get("Items", []):
                record = {k: deserializer.deserialize(v) for k, v in item.items()}
                if record.get("status") == "SUCCEEDED" and record["sk"] != self.record["sk"]:
                    keys.update(record.get("output_keys", []))
                    if record.get("quarantine_key"):
                        keys.add(record["quarantine_key"])
            if "LastEvaluatedKey" not in out:
                return keys
            query["ExclusiveStartKey"] = out["LastEvaluatedKey"]

