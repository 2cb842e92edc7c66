"""The dataset's table in the Glue catalog and its partitions.

The job creates the table on the first run of a dataset (columns from the table structure,
partitioned by year/month/day, located in the analytics zone), so a new dataset needs only
config items. A table whose columns differ from the structure is updated when the structure
version is newer than the one recorded on the table, and is otherwise a schema mismatch:
the job never silently rewrites a table someone else changed.

Partitions are registered with BatchCreatePartition; one that exists already is fine when it
points at the same place, and an error when it points elsewhere (two buckets feeding one table).
"""

from botocore.exceptions import ClientError

from lake_config import PARTITION_COLUMNS
from lake_errors import JobError, SchemaMismatch
from lake_layout import partition_prefix, table_location

_BATCH = 100  # BatchCreatePartition's limit per call
_PARQUET = {
    "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
    "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
    "SerdeInfo": {"SerializationLibrary":
                  "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"},
}


def _columns(structure):
    return [{"Name": c.name, "Type": c.type} for c in structure.columns]


def _table_input(settings, structure, bucket):
    return {
        "Name": settings.table,
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "classification": "parquet",
            "lakectl:dataset": settings.dataset,
            "lakectl:schema_version": str(structure.version),
        },
        "PartitionKeys": [{"Name": p, "Type": "string"} for p in PARTITION_COLUMNS],
        "StorageDescriptor": dict(_PARQUET, Columns=_columns(structure),
                                  Location=table_location(bucket, settings.dataset)),
    }


def ensure_table(glue, settings, structure, bucket):
    """Creates the table if missing; returns its StorageDescriptor for partitions to copy."""
    name = f"{settings.database}.{settings.table}"
    try:
        table = glue.get_table(DatabaseName=settings.database, Name=settings.table)["Table"]
    except ClientError as e:
        if e.response["Error"]["Code"] != "EntityNotFoundException":
            raise
        table = None
    if table is None:
        try:
            glue.create_table(DatabaseName=settings.database,
                              TableInput=_table_input(settings, structure, bucket))
        except ClientError as e:
            code = e.response["Error"]["Code"]
            if code == "EntityNotFoundException":
                raise JobError(
                    f"Glue database '{settings.database}' does not exist: deploy the lake "
                    f"(lakectl deploy) or fix the `database` of the tenant's registration item "
                    f"(bucket#{bucket}, tenant)"
                ) from e
            if code != "AlreadyExistsException":  # a concurrent first run created it
                raise
        return _table_input(settings, structure, bucket)["StorageDescriptor"]

    have = [(c["Name"], c["Type"]) for c in table["StorageDescriptor"].get("Columns", [])]
    want = [(c.name, c.type) for c in structure.columns]
    keys = [k["Name"] for k in table.get("PartitionKeys", [])]
    if keys != list(PARTITION_COLUMNS):
        raise SchemaMismatch(
            f"Glue table {name} is partitioned by [{', '.join(keys)}], not year/month/day: "
            f"point target.table of dataset '{settings.dataset}' at another table"
        )
    if have != want:
        recorded = int(table.get("Parameters", {}).get("lakectl:schema_version", "0") or 0)
        if structure.version <= recorded:
            raise SchemaMismatch(
                f"Glue table {name} has columns "
                f"[{', '.join(f'{n} {t}' for n, t in have)}] but structure v{structure.version} "
                f"of dataset '{settings.dataset}' declares "
                f"[{', '.join(f'{n} {t}' for n, t in want)}]: put the change in a new structure "
                f"version (schema#v{recorded + 1}) and point the settings at it"
            )
        update = _table_input(settings, structure, bucket)
        update["StorageDescriptor"]["Location"] = table["StorageDescriptor"].get(
            "Location", update["StorageDescriptor"]["Location"])
        glue.update_table(DatabaseName=settings.database, TableInput=update)
        return update["StorageDescriptor"]
    return table["StorageDescriptor"]


def register_partitions(glue, settings, bucket, descriptor, partitions):
    """Adds the partitions that are new; returns how many were added. Idempotent."""
    wanted = {tuple(p): f"s3://{bucket}/{partition_prefix('analytics', settings.dataset, p)}"
              for p in partitions}
    existing = []
    added = 0
    items = sorted(wanted.items())
    for i in range(0, len(items), _BATCH):
        chunk = items[i:i + _BATCH]
        out = glue.batch_create_partition(
            DatabaseName=settings.database, TableName=settings.table,
            PartitionInputList=[{"Values": list(values),
                                 "StorageDescriptor": dict(descriptor, Location=location)}
                                for values, location in chunk])
        failed = {tuple(e["PartitionValues"]): e["ErrorDetail"] for e in out.get("Errors", [])}
        for values, detail in failed.items():
            if detail.get("ErrorCode") != "AlreadyExistsException":
                raise JobError(
                    f"registering partition {'/'.join(values)} of Glue table "
                    f"{settings.database}.{settings.table} failed: {detail.get('ErrorCode')}: "
                    f"{detail.get('ErrorMessage')}"
                )
            existing.append(values)
        added += len(chunk) - len(failed)
    for i in range(0, len(existing), _BATCH):
        out = glue.batch_get_partition(
            DatabaseName=settings.database, TableName=settings.table,
            PartitionsToGet=[{"Values": list(v)} for v in existing[i:i + _BATCH]])
        for partition in out.get("Partitions", []):
            values = tuple(partition["Values"])
            location = partition["StorageDescriptor"].get("Location", "").rstrip("/")
            if location != wanted[values].rstrip("/"):
                raise JobError(
                    f"partition {'/'.join(values)} of Glue table {settings.database}."
                    f"{settings.table} points at {location}, not {wanted[values]}: two buckets "
                    f"feed one table; give each customer's dataset its own target.table"
                )
    return added
