"""Glue Spark (glueetl) job: the ingest contract of ingest.py for large inputs.

    python stacks/glue/ingest_spark.py --config_table T --lineage_table L --dataset D \
        --source_uri s3://<bucket>/raw/<dataset>/<file> [--files_per_partition N]

Same settings, validation, partitioning, output keys and lineage as the Python shell job: the
rows are parsed and validated by the same code (lake_rows), run on Arrow batches through
mapInArrow, so both jobs accept and reject the same rows for the same reasons.

On Glue, Spark reads the input from S3 and writes to a staging prefix under processed/; the
files are then copied to their deterministic keys. Outside Glue (a laptop, the tests) open-source
Spark has no S3 filesystem, so the input is downloaded to a local directory, Spark writes there,
and the files are uploaded; everything else is the same.
"""

import os
import sys
import tempfile

import pyarrow as pa

import lake_config
from lake_job import COMMON_ARGS, check_bad_fraction, publish, run_job
from lake_layout import output_key, quarantine_key, source_id
from lake_outputs import COMPRESSION, SOURCE_COLUMN, TRANSFER, delete_keys
from lake_rows import QUARANTINE_SCHEMA, check_header, conformed_schema, process_block
from lake_source import arrival_of, describe_source, first_line

try:  # present only inside Glue
    from awsglue.context import GlueContext
except ImportError:
    GlueContext = None

HERE = os.path.dirname(os.path.abspath(__file__))
REASON, RAW = "_reason", "_raw"


def spark_session():
    if GlueContext is not None:
        from pyspark.context import SparkContext
        spark = GlueContext(SparkContext.getOrCreate()).spark_session
    else:
        # Spark's Python workers must run this interpreter, which has pyarrow.
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        from pyspark.sql import SparkSession
        spark = SparkSession.builder.appName("ingest_spark").getOrCreate()
        # Glue ships the lake_* modules to workers from --extra-py-files; here we do it.
        for name in sorted(os.listdir(HERE)):
            if name.startswith("lake_") and name.endswith(".py"):
                spark.sparkContext.addPyFile(os.path.join(HERE, name))
    # Write timestamps the way the Python shell job does (UTC-adjusted microseconds, not INT96).
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    return spark


def spark_schema(arrow_schema):
    from pyspark.sql import types as T
    simple = {
        pa.string(): T.StringType(), pa.int32(): T.IntegerType(), pa.int64(): T.LongType(),
        pa.float32(): T.FloatType(), pa.float64(): T.DoubleType(), pa.bool_(): T.BooleanType(),
        pa.date32(): T.DateType(),
    }
    fields = []
    for f in arrow_schema:
        if pa.types.is_decimal(f.type):
            kind = T.DecimalType(f.type.precision, f.type.scale)
        elif pa.types.is_timestamp(f.type):
            kind = T.TimestampType()
        else:
            kind = simple[f.type]
        fields.append(T.StructField(f.name, kind, True))
    return T.StructType(fields)


def validated_schema(structure):
    """Conformed columns plus the quarantine reason and raw text (null on good rows)."""
    return conformed_schema(structure).append(pa.field(REASON, pa.string())) \
        .append(pa.field(RAW, pa.string()))


def validator(settings, structure, arrival):
    """The mapInArrow function: batches of lines -> conformed rows and quarantined rows."""
    schema = validated_schema(structure)

    def validate(batches):
        for batch in batches:
            lines = batch.column(0).to_pylist()
            data = ("\n".join(line for line in lines if line is not None) + "\n").encode("utf-8")
            good, bad = process_block(data, settings, structure, arrival)
            good = good.append_column(REASON, pa.nulls(good.num_rows, pa.string())) \
                .append_column(RAW, pa.nulls(good.num_rows, pa.string()))
            bad_columns = [pa.nulls(bad.num_rows, f.type) for f in conformed_schema(structure)]
            bad = pa.Table.from_arrays(bad_columns + [bad["reason"], bad["raw"]], schema=schema)
            for table in (good, bad):
                if table.num_rows:
                    yield from table.to_batches()

    return validate


class LocalStaging:
    """Spark writes to a local directory; placing a file uploads it."""

    def __init__(self, s3, bucket, tmp):
        self.s3, self.bucket, self.root = s3, bucket, tmp

    def input_path(self, key):
        path = os.path.join(self.root, "input", os.path.basename(key) or "input")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.s3.download_file(self.bucket, key, path, Config=TRANSFER)
        return path

    def path(self, name):
        return os.path.join(self.root, name)

    def files(self, name):
        """{relative directory: sorted part files} of what Spark wrote under name."""
        found = {}
        base = self.path(name)
        for directory, _, names in os.walk(base):
            parts = sorted(n for n in names if n.startswith("part-") and not n.endswith(".crc"))
            if parts:
                found[os.path.relpath(directory, base).replace(os.sep, "/")] = \
                    [os.path.join(directory, n) for n in parts]
        return found

    def place(self, staged, key):
        self.s3.upload_file(staged, self.bucket, key, Config=TRANSFER)

    def cleanup(self):
        pass  # the temporary directory goes away with the job


class S3Staging:
    """On Glue: Spark reads and writes S3 directly; placing a file is a server-side copy."""

    def __init__(self, s3, bucket, run_id):
        self.s3, self.bucket = s3, bucket
        self.prefix = f"processed/_staging/{run_id}/"

    def input_path(self, key):
        return f"s3://{self.bucket}/{key}"

    def path(self, name):
        return f"s3://{self.bucket}/{self.prefix}{name}"

    def files(self, name):
        found = {}
        base = f"{self.prefix}{name}/"
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=base):
            for obj in page.get("Contents", []):
                directory, _, leaf = obj["Key"][len(base):].rpartition("/")
                if leaf.startswith("part-"):
                    found.setdefault(directory or ".", []).append(obj["Key"])
        return {d: sorted(keys) for d, keys in found.items()}

    def place(self, staged, key):
        self.s3.copy({"Bucket": self.bucket, "Key": staged}, self.bucket, key, Config=TRANSFER)

    def cleanup(self):
        keys = [o["Key"] for page in self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix) for o in page.get("Contents", [])]
        delete_keys(self.s3, self.bucket, keys)


def _partition_of(directory):
    """'year=2024/month=03/day=01' -> ('2024', '03', '01')."""
    return tuple(part.split("=", 1)[1] for part in directory.split("/"))


def write_zones(spark_df, staging, settings, source_uri, files_per_partition, days):
    from pyspark.sql import functions as F
    partition_columns = ["year", "month", "day"]
    for zone in ("processed", "analytics"):
        data = spark_df.withColumn(SOURCE_COLUMN, F.lit(source_uri)) if zone == "processed" \
            else spark_df
        if files_per_partition > 1:
            # A stable hash of the row spreads a big day over N files, the same N every run.
            # Range partitioning gives each (day, salt) its own task, so a day gets N files;
            # hash partitioning would let several land in one task.
            salt = F.pmod(F.xxhash64(*[F.col(c) for c in data.columns]), F.lit(files_per_partition))
            data = data.repartitionByRange(max(1, days * files_per_partition),
                                           *partition_columns, salt)
        else:
            data = data.repartition(*partition_columns)
        (data.write.mode("overwrite").partitionBy(*partition_columns)
         .option("compression", COMPRESSION[zone]).parquet(staging.path(zone)))


def place_zones(staging, settings, sid):
    keys, partitions = [], set()
    for zone in ("processed", "analytics"):
        for directory, parts in sorted(staging.files(zone).items()):
            partition = _partition_of(directory)
            partitions.add(partition)
            for i, staged in enumerate(parts):
                key = output_key(zone, settings.dataset, partition, sid, i)
                staging.place(staged, key)
                keys.append(key)
    return keys, sorted(partitions)


def ingest(aws, args, run):
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    uri = args["source_uri"]
    bucket, key, etag, size, last_modified = describe_source(aws.s3, uri)
    run.note(input_etag=etag, input_bytes=size)
    settings, structure = lake_config.load(aws.dynamodb, args["config_table"], args["dataset"],
                                             bucket)
    run.note(schema_version=structure.version,
             target_table=f"{settings.database}.{settings.table}")
    if size:
        check_header(first_line(aws.s3, bucket, key), settings, structure, uri)
    arrival = arrival_of(args, last_modified)
    sid = source_id(bucket, key, etag)
    files_per_partition = max(1, int(args.get("files_per_partition") or 1))

    spark = spark_session()
    with tempfile.TemporaryDirectory(prefix="ingest-spark-") as tmp:
        staging = S3Staging(aws.s3, bucket, run.record["run_id"]) if GlueContext is not None \
            else LocalStaging(aws.s3, bucket, tmp)
        try:
            lines = spark.read.text(staging.input_path(key))
            validated = lines.mapInArrow(validator(settings, structure, arrival),
                                         spark_schema(validated_schema(structure)))
            # Validation runs Python on every row: do it once, not once per output.
            validated = validated.persist(StorageLevel.MEMORY_AND_DISK)
            counts = {row["good"]: row["count"] for row in
                      validated.groupBy(F.col(REASON).isNull().alias("good")).count().collect()}
            rows_written, rows_quarantined = counts.get(True, 0), counts.get(False, 0)
            rows_read = rows_written + rows_quarantined
            qkey = quarantine_key(settings.dataset, sid) if rows_quarantined else None
            if qkey:
                bad = validated.filter(F.col(REASON).isNotNull()).select(
                    F.to_json(F.struct(F.col(REASON).alias("reason"),
                                       F.col(RAW).alias("raw"))).alias("value"))
                bad.coalesce(1).write.mode("overwrite").text(staging.path("quarantine"))
                staging.place(staging.files("quarantine")["."][0], qkey)
            run.note(rows_read=rows_read, rows_quarantined=rows_quarantined, quarantine_key=qkey)
            check_bad_fraction(settings, structure, rows_read, rows_quarantined,
                               f"s3://{bucket}/{qkey}")
            good = validated.filter(F.col(REASON).isNull()).drop(REASON, RAW)
            days = good.select("year", "month", "day").distinct().count()
            write_zones(good, staging, settings, uri, files_per_partition, days)
            output_keys, partitions = place_zones(staging, settings, sid)
            validated.unpersist()
        finally:
            staging.cleanup()

    published = publish(aws, run, settings, structure, bucket, output_keys, partitions, qkey)
    return dict(
        published,
        rows_read=rows_read,
        rows_written=rows_written,
        rows_quarantined=rows_quarantined,
        output_keys=output_keys,
        quarantine_key=qkey,
        partitions=["/".join(p) for p in partitions],
    )


def main(argv):
    return run_job("ingest_spark", argv, COMMON_ARGS + ("source_uri",),
                   ("arrival_time", "files_per_partition"), lambda args: args["source_uri"], ingest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
