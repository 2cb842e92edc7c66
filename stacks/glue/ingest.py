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

import sys
import tempfile

import lake_config
from lake_job import COMMON_ARGS, check_bad_fraction, publish, run_job
from lake_layout import quarantine_key, source_id
from lake_outputs import PartitionFiles, QuarantineFile, TRANSFER, upload_partitions
from lake_rows import check_header, process_block
from lake_source import arrival_of, describe_source, read_blocks


def ingest(aws, args, run):
    uri = args["source_uri"]
    bucket, key, etag, size, last_modified = describe_source(aws.s3, uri)
    run.note(input_etag=etag, input_bytes=size)
    settings, structure = lake_config.load(aws.dynamodb, args["config_table"], args["dataset"],
                                             bucket)
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
