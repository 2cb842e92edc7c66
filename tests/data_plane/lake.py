"""A throwaway lake on the emulator for one test: bucket, tables, Glue database, and helpers to
seed settings, upload inputs, run jobs in-process and read back what they wrote."""

import io
import json
import uuid
from decimal import Decimal

import pyarrow.parquet as pq
import yaml
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

_SERIALIZER = TypeSerializer()

KEYS = {
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                  {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                             {"AttributeName": "sk", "AttributeType": "S"}],
    "BillingMode": "PAY_PER_REQUEST",
}


class Lake:
    def __init__(self, aws, root):
        self.aws = aws
        self.root = root
        suffix = uuid.uuid4().hex[:10]
        self.bucket = f"dp-{suffix}-test-datalake"
        self.config_table = f"dp-{suffix}-config"
        self.lineage_table = f"dp-{suffix}-lineage"
        self.database = f"dp_{suffix}"

    # ---- lifecycle ----------------------------------------------------------------------
    def create(self):
        self.aws.s3.create_bucket(Bucket=self.bucket)
        for table in (self.config_table, self.lineage_table):
            self.aws.dynamodb.create_table(TableName=table, **KEYS)
        self.aws.glue.create_database(DatabaseInput={"Name": self.database})

    def destroy(self):
        """Best effort: the emulator is shared, so leave it as tidy as we found it."""
        try:
            keys = [o["Key"] for o in self.list()]
            for i in range(0, len(keys), 1000):
                self.aws.s3.delete_objects(Bucket=self.bucket, Delete={
                    "Objects": [{"Key": k} for k in keys[i:i + 1000]]})
            self.aws.s3.delete_bucket(Bucket=self.bucket)
        except ClientError:
            pass
        for table in (self.config_table, self.lineage_table):
            try:
                self.aws.dynamodb.delete_table(TableName=table)
            except ClientError:
                pass
        try:
            for t in self.aws.glue.get_tables(DatabaseName=self.database)["TableList"]:
                self.aws.glue.delete_table(DatabaseName=self.database, Name=t["Name"])
            self.aws.glue.delete_database(Name=self.database)
        except ClientError:
            pass

    # ---- config -------------------------------------------------------------------------
    def sample_item(self, dataset, sk):
        """The item the stack declares for dataset under sk (stacks/datasets.yaml), as DynamoDB
        JSON: the tests run the jobs on the very settings and structures lakectl deploys."""
        doc = yaml.safe_load((self.root / "stacks" / "datasets.yaml").read_text())
        for r in doc["resources"].values():
            props = r["properties"]
            if r["kind"] == "dynamodb.item" and props["name"].endswith(f"/dataset#{dataset}/{sk}"):
                item = {"pk": f"dataset#{dataset}", "sk": sk, **props["attributes"]}
                # DynamoDB numbers are decimals; YAML gives floats.
                item = json.loads(json.dumps(item), parse_float=Decimal)
                return {k: _SERIALIZER.serialize(v) for k, v in item.items()}
        raise LookupError(f"stacks/datasets.yaml declares no item dataset#{dataset}/{sk}")

    def seed(self, dataset, register=True, **changes):
        """Puts the sample settings and structure of dataset and (with register) this lake's
        bucket as a tenant whose catalog database is this lake's, as stacks/tenant.yaml does.
        changes replace top-level settings attributes (DynamoDB JSON values)."""
        if register:
            self.aws.dynamodb.put_item(TableName=self.config_table, Item={
                "pk": {"S": f"bucket#{self.bucket}"}, "sk": {"S": "tenant"},
                "tenant": {"S": "dp"}, "bucket": {"S": self.bucket},
                "database": {"S": self.database}})
        settings = self.sample_item(dataset, "settings")
        settings.update(changes)
        self.aws.dynamodb.put_item(TableName=self.config_table, Item=settings)
        self.aws.dynamodb.put_item(TableName=self.config_table,
                                   Item=self.sample_item(dataset, "schema#v1"))

    # ---- S3 -----------------------------------------------------------------------------
    def upload(self, key, body):
        if not isinstance(body, bytes):
            body = (self.root / "stacks" / "sample-data" / body).read_bytes()
        self.aws.s3.put_object(Bucket=self.bucket, Key=key, Body=body)
        return f"s3://{self.bucket}/{key}"

    def list(self, prefix=""):
        out = []
        for page in self.aws.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                          Prefix=prefix):
            out.extend(page.get("Contents", []))
        return out

    def keys(self, prefix=""):
        return sorted(o["Key"] for o in self.list(prefix))

    def read(self, key):
        return self.aws.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def parquet(self, key):
        return pq.read_table(io.BytesIO(self.read(key)))

    def quarantine(self, key):
        return [json.loads(line) for line in self.read(key).decode().splitlines()]

    # ---- jobs ---------------------------------------------------------------------------
    def args(self, dataset, source_uri, *extra):
        return ["--config_table", self.config_table, "--lineage_table", self.lineage_table,
                "--dataset", dataset, "--source_uri", source_uri, *extra]

    def run(self, job, dataset, source_uri, *extra):
        """Runs a job's main() in this process; returns its exit code."""
        return job.main(self.args(dataset, source_uri, *extra))

    def lineage(self, source_uri):
        out = self.aws.dynamodb.query(
            TableName=self.lineage_table, KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": f"input#{source_uri}"}}, ConsistentRead=True)
        d = TypeDeserializer()
        return [{k: d.deserialize(v) for k, v in item.items()} for item in out["Items"]]

    def partitions(self, table):
        out = self.aws.glue.get_partitions(DatabaseName=self.database, TableName=table)
        return sorted((tuple(p["Values"]), p["StorageDescriptor"]["Location"])
                      for p in out["Partitions"])
