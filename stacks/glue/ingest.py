"""Glue Python shell job: ingest one raw file (CSV or JSON lines) into the lake.

    python stacks/glue/ingest.py --config_table T --lineage_table L --dataset D \
        --source_uri s3://<bucket>/raw/<dataset>/<file> [--block_mb 8] [--arrival_time ISO]

Reads the dataset's settings and structure from the config table, streams the object in blocks
of whole lines (memory stays bounded by the block size, whatever the file size), quarantines rows
that do not fit, writes Parquet to processed/ and analytics/ under year=/month=/day=, registers
the partitions in the Glue catalog and records the run in the lineage table. A re-run of the
same input writes the same keys and removes anything an earlier run wrote that this one did not.
See stacks/glue/README.md.
"""

import datetime
import sys
import tempfile

from botocore.exceptions import ClientError

import lake_config
from lake_errors import JobError
from lake_job import COMMON_ARGS, check_bad_fraction, publish, run_job
from lake_layout import parse_s3_uri, quarantine_key, require_raw, source_id
from lake_outputs import PartitionFiles, QuarantineFile, TRANSFER, upload_partitions
from lake_rows import check_header, process_block

MAX_LINE_BYTES = 64 * 1024 * 1024


def describe_source(s3, uri):
    bucket, key = parse_s3_uri(uri)
    require_raw(uri, key)
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as e:
        code = e.response["Error"]["Code"]
        if code in ("404", "NoSuchKey", "NoSuchBucket"):
            raise JobError(f"source object {uri} does not exist: check --source_uri") from e
        raise
    return bucket, key, head["ETag"].strip('"'), head["ContentLength"], head["LastModified"]


def arrival_of(args, last_modified):
    """The partition of arrival-time datasets: the object's LastModified, so a re-run of the same
    object lands in the same partition; --arrival_time overrides it for backfills."""
    if args.get("arrival_time"):
        try:
            value = datetime.datetime.fromisoformat(args["arrival_time"].replace("Z", "+00:00"))
        except ValueError as e:
            raise JobError(f"--arrival_time must be an ISO 8601 time, got '{args['arrival_time']}'") from e
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    return last_modified.astimezone(datetime.timezone.utc)


def read_blocks(s3, bucket, key, block_bytes):
    """Yields the object as blocks of whole lines, about block_bytes each."""
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    carry = b""
    try:
        while True:
            chunk = body.read(block_bytes)
            if not chunk:
                break
            data = carry + chunk if carry else chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                if len(data) > MAX_LINE_BYTES:
                    raise JobError(f"s3://{bucket}/{key} has a line longer than "
                                   f"{MAX_LINE_BYTES // (1024 * 1024)} MB: is it really "
                                   f"line-delimited text?")
                carry = data
                continue
            carry = data[cut + 1:]
            yield data[:cut + 1]
        if carry:
            yield carry
    finally:
        body.close()


def ingest(aws, args, run):
    uri = args["source_uri"]
    bucket, key, etag, size, last_modified = describe_source(aws.s3, uri)
    run.note(input_etag=etag, input_bytes=size)
    settings, structure = lake_config.load(aws.dynamodb, args["config_table"], args["dataset"])
    run.note(schema_version=structure.version,
             target_table=f"{settings.database}.{settings.table}")
    arrival = arrival_of(args, last_modified)
    sid = source_id(bucket, key, etag)
    block_bytes = int(float(args.get("block_mb") or 8) * 1024 * 1024)

    with tempfile.TemporaryDirectory(prefix="ingest-") as tmp:
        files = PartitionFiles(tmp, structure, uri)
        quarantine = QuarantineFile(f"{tmp}/quarantine.jsonl")
        first = True
        for block in read_blocks(aws.s3, bucket, key, block_bytes):
            if first:
                check_header(block, settings, structure, uri)
                first = False
            good, bad = process_block(block, settings, structure, arrival)
            files.write(good)
            quarantine.write(bad)
        partition_files = files.close()
        quarantine.close()

        rows_read = files.rows + quarantine.rows
        qkey = quarantine_key(settings.dataset, sid) if quarantine.rows else None
        if qkey:
            aws.s3.upload_file(quarantine.path, bucket, qkey, Config=TRANSFER)
        run.note(rows_read=rows_read, rows_quarantined=quarantine.rows, quarantine_key=qkey)
        check_bad_fraction(settings, structure, rows_read, quarantine.rows,
                           f"s3://{bucket}/{qkey}")
        output_keys = upload_partitions(aws.s3, bucket, settings.dataset, sid, partition_files)

    partitions = sorted(partition_files)
    published = publish(aws, run, settings, structure, bucket, output_keys, partitions, qkey)
    return dict(
        published,
        rows_read=rows_read,
        rows_written=files.rows,
        rows_quarantined=quarantine.rows,
        output_keys=output_keys,
        quarantine_key=qkey,
        partitions=["/".join(p) for p in partitions],
    )


def main(argv):
    return run_job("ingest", argv, COMMON_ARGS + ("source_uri",), ("block_mb", "arrival_time"),
                   lambda args: args["source_uri"], ingest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
