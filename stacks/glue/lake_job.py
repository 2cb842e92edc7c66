"""What every ingest job does around its own work: parse arguments, keep the lineage record
from start to end, turn errors into messages, and publish outputs the same way."""

import json
import sys
import traceback

import lake_args
from lake_aws import Clients
from lake_catalog import ensure_table, register_partitions
from lake_errors import JobError, SchemaMismatch
from lake_lineage import Run
from lake_outputs import delete_keys

COMMON_ARGS = ("config_table", "lineage_table", "dataset")
GLUE_ARGS = ("JOB_RUN_ID", "execution_id")


def run_job(job, argv, required, optional, source_uri_of, body):
    """Runs body(aws, args, run) -> summary dict inside a lineage record. Returns the exit code."""
    try:
        args = lake_args.parse(argv, job, required, tuple(optional) + GLUE_ARGS)
        aws = Clients()
        run = Run(aws.dynamodb, args["lineage_table"], job, lake_args.run_id(args, job),
                  args["dataset"], source_uri_of(args), args.get("execution_id"))
        run.start()
    except JobError as e:
        print(f"{job} failed: {e}", file=sys.stderr)
        return 2
    try:
        summary = body(aws, args, run)
    except JobError as e:
        run.fail(str(e))
        print(f"{job} failed: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - recorded, then reported with its traceback
        traceback.print_exc()
        run.fail(f"unexpected error: {type(e).__name__}: {e}")
        print(f"{job} failed: unexpected error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    run.finish(summary.pop("status", "SUCCEEDED"), **summary)
    print(json.dumps({k: v for k, v in run.record.items() if k != "output_keys"}, default=str))
    return 0


def check_bad_fraction(settings, structure, rows_read, rows_quarantined, quarantine_uri):
    """A file where most rows do not fit almost always has another structure; publishing its
    few matching rows would hide that, so the run fails instead (the quarantine has the rows)."""
    if rows_read and rows_quarantined / rows_read > settings.max_bad_fraction:
        raise SchemaMismatch(
            f"{rows_quarantined} of {rows_read} rows ({rows_quarantined / rows_read:.0%}) do not "
            f"fit structure v{structure.version} of dataset '{settings.dataset}' (limit "
            f"{settings.max_bad_fraction:.0%}): the file probably has another structure; see the "
            f"reasons in {quarantine_uri}, then fix the file or the structure, or raise "
            f"max_bad_fraction in the settings"
        )


def publish(aws, run, settings, structure, bucket, output_keys, partitions, quarantine_key):
    """After the files are in place: catalog partitions, then remove what earlier runs over the
    same input wrote and this one did not (a re-run replaces, never accumulates)."""
    added = 0
    if partitions:
        descriptor = ensure_table(aws.glue, settings, structure, bucket)
        added = register_partitions(aws.glue, settings, bucket, descriptor, partitions)
    current = set(output_keys) | ({quarantine_key} if quarantine_key else set())
    stale = run.previous_outputs() - current
    if stale:
        delete_keys(aws.s3, bucket, stale)
    return {"partitions_added": added, "stale_keys_deleted": len(stale)}
