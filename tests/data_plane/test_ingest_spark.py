"""The Spark job on a local Spark session: the same contract, and the same Parquet as the
Python shell job on the same input (same keys, rows and schema)."""

from collections import Counter

import ingest
import ingest_spark
from expected import ORDERS_REASONS


def _outputs(lake):
    """{key without the source id: (schema, sorted rows)} for both zones."""
    out = {}
    for key in lake.keys("processed/") + lake.keys("analytics/"):
        table = lake.parquet(key)
        rows = [{k: v for k, v in r.items() if k != "_source_uri"} for r in table.to_pylist()]
        schema = [(f.name, str(f.type), f.nullable) for f in table.schema]
        out[key.rsplit("/", 1)[0]] = (schema, sorted(rows, key=repr))
    return out


def _ingest_both(lake, spark, dataset, sample, *extra):
    """Runs both jobs on copies of one sample in two lakes' worth of keys; returns both runs."""
    results = {}
    for job in (ingest, ingest_spark):
        prefix = f"raw/{dataset}/{job.__name__}/"
        uri = lake.upload(prefix + sample, sample)
        assert lake.run(job, dataset, uri, *extra) == 0
        [record] = lake.lineage(uri)
        results[job.__name__] = (record, _outputs(lake), lake.keys("quarantine/"))
        for key in lake.keys("processed/") + lake.keys("analytics/") + lake.keys("quarantine/"):
            lake.aws.s3.delete_object(Bucket=lake.bucket, Key=key)
    return results


def test_spark_job_writes_what_the_python_shell_job_writes(lake, spark):
    lake.seed("orders")
    both = _ingest_both(lake, spark, "orders", "orders.csv")
    (py_record, py_out, _), (sp_record, sp_out, _) = both["ingest"], both["ingest_spark"]
    assert sp_out == py_out
    assert len(sp_out) == 6  # 3 days x 2 zones
    for field in ("rows_read", "rows_written", "rows_quarantined", "partitions", "schema_version",
                  "target_table", "status"):
        assert sp_record[field] == py_record[field], field
    assert sp_record["job"] == "ingest_spark" and sp_record["partitions_added"] == 0


def test_spark_job_quarantines_the_same_rows_for_the_same_reasons(lake, spark):
    lake.seed("orders")
    uri = lake.upload("raw/orders/spark.csv", "orders.csv")
    assert lake.run(ingest_spark, "orders", uri) == 0
    [qkey] = lake.keys("quarantine/")
    assert Counter(q["reason"] for q in lake.quarantine(qkey)) == ORDERS_REASONS
    assert len(lake.partitions("orders")) == 3
    [record] = lake.lineage(uri)
    assert sorted(record["output_keys"]) == lake.keys("analytics/") + lake.keys("processed/")

    assert lake.run(ingest_spark, "orders", uri) == 0  # a re-run replaces
    assert sorted(record["output_keys"]) == lake.keys("analytics/") + lake.keys("processed/")


def test_spark_job_on_json_lines_matches_and_splits_big_days(lake, spark):
    lake.seed("events")
    both = _ingest_both(lake, spark, "events", "events.jsonl", "--arrival_time", "2024-06-01T00:00:00Z")
    assert both["ingest_spark"][1] == both["ingest"][1]

    uri = lake.upload("raw/events/split.jsonl", "events.jsonl")
    assert lake.run(ingest_spark, "events", uri, "--arrival_time", "2024-06-01T00:00:00Z",
                    "--files_per_partition", "3") == 0
    parts = lake.keys("analytics/")
    assert 1 < len(parts) <= 3 and all(k.endswith(f"-{i:05d}.parquet") for i, k in enumerate(parts))
    assert sum(lake.parquet(k).num_rows for k in parts) == 4


def test_spark_job_fails_like_the_python_shell_job(lake, spark):
    uri = lake.upload("raw/orders/none.csv", "orders.csv")
    assert lake.run(ingest_spark, "orders", uri) == 1
    [record] = lake.lineage(uri)
    assert record["status"] == "FAILED" and record["job"] == "ingest_spark"
    assert record["error"].startswith("no settings for dataset 'orders' in table ")
