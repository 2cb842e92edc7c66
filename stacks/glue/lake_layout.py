"""Where things live in a customer's bucket, and the deterministic output keys.

    raw/<dataset>/...                                          input, written by customers or api_ingest
    processed/<dataset>/year=YYYY/month=MM/day=DD/<id>-NNNNN.parquet   typed rows + _source_uri, Snappy
    analytics/<dataset>/year=YYYY/month=MM/day=DD/<id>-NNNNN.parquet   the declared columns, ZSTD;
                                                                       the Glue table points here
    quarantine/<dataset>/<id>.jsonl                            rows that did not fit, with the reason

<id> is derived from the input's bucket, key and ETag, so a re-run of the same input writes the
same keys (it replaces, never duplicates) and a new version of the input gets new keys.
"""

import hashlib

from lake_errors import JobError

ZONES = ("processed", "analytics")
RAW_PREFIX = "raw/"


def parse_s3_uri(uri, what="--source_uri"):
    if not uri.startswith("s3://") or "/" not in uri[5:] or uri.endswith("/"):
        raise JobError(f"{what} must name one object as s3://<bucket>/<key>, got '{uri}'")
    bucket, key = uri[5:].split("/", 1)
    return bucket, key


def require_raw(uri, key):
    if not key.startswith(RAW_PREFIX):
        raise JobError(
            f"{uri} is not in the raw/ zone: the ingest jobs read only raw/<dataset>/... objects "
            f"(processed/, analytics/ and quarantine/ hold their outputs)"
        )


def source_id(bucket, key, etag):
    digest = hashlib.sha256(f"s3://{bucket}/{key}\n{etag}".encode()).hexdigest()
    return digest[:24]


def partition_prefix(zone, dataset, partition):
    year, month, day = partition
    return f"{zone}/{dataset}/year={year}/month={month}/day={day}/"


def output_key(zone, dataset, partition, sid, part=0):
    return f"{partition_prefix(zone, dataset, partition)}{sid}-{part:05d}.parquet"


def quarantine_key(dataset, sid):
    return f"quarantine/{dataset}/{sid}.jsonl"


def table_location(bucket, dataset):
    return f"s3://{bucket}/analytics/{dataset}/"
