"""The Python shell ingest job end to end on the emulator."""

import datetime
import subprocess
import sys
from collections import Counter
from decimal import Decimal

import ingest
from expected import (EVENTS_INVALID_JSON, EVENTS_KEPT, EVENTS_REASONS, ORDERS_COLUMNS,
                      ORDERS_KEPT, ORDERS_REASONS)

JOB_RUN_FIELDS = {"pk", "sk", "record_type", "job", "run_id", "dataset", "input_uri", "input_etag",
                  "input_bytes", "status", "started_at", "ended_at", "expires_at",
                  "schema_version", "target_table", "rows_read", "rows_written",
                  "rows_quarantined", "output_keys", "quarantine_key", "partitions",
                  "partitions_added", "stale_keys_deleted"}


def _schema(table):
    return [(f.name, str(f.type)) for f in table.schema]


def test_sample_csv_end_to_end(lake):
    lake.seed("orders")
    uri = lake.upload("raw/orders/2024-03-03.csv", "orders.csv")

    assert lake.run(ingest, "orders", uri) == 0

    analytics = lake.keys("analytics/")
    processed = lake.keys("processed/")
    assert [k.rsplit("/", 1)[0] for k in analytics] == [
        "analytics/orders/year=2024/month=03/day=01", "analytics/orders/year=2024/month=03/day=02",
        "analytics/orders/year=2024/month=03/day=03"]
    assert [k.replace("processed/", "analytics/", 1) for k in processed] == analytics

    kept = {}
    for key in analytics:
        table = lake.parquet(key)
        assert _schema(table) == ORDERS_COLUMNS, key
        partition = tuple(part.split("=")[1] for part in key.split("/")[2:5])
        for row in table.to_pylist():
            kept[row["order_id"]] = partition
    assert kept == ORDERS_KEPT

    rows = {r["order_id"]: r for k in processed for r in lake.parquet(k).to_pylist()}
    assert _schema(lake.parquet(processed[0])) == ORDERS_COLUMNS + [("_source_uri", "string")]
    assert rows[1002]["customer"] == 'Bob "Bobby" Stone'
    assert rows[1002]["unit_price"] == Decimal("5.00")
    assert rows[1003]["discount"] is None and rows[1003]["is_gift"] is False
    assert rows[1004]["order_ts"] == datetime.datetime(2024, 3, 2, 8, 30, tzinfo=datetime.timezone.utc)
    assert rows[1005]["quantity"] is None and rows[1005]["order_date"] is None
    assert rows[1016]["order_ts"].microsecond == 500000
    assert {r["_source_uri"] for r in rows.values()} == {uri}

    [qkey] = lake.keys("quarantine/")
    assert qkey.startswith("quarantine/orders/")
    quarantined = lake.quarantine(qkey)
    assert Counter(q["reason"] for q in quarantined) == ORDERS_REASONS
    assert all(q["raw"] for q in quarantined)

    assert lake.partitions("orders") == [
        (("2024", "03", d), f"s3://{lake.bucket}/analytics/orders/year=2024/month=03/day={d}/")
        for d in ("01", "02", "03")]
    table = lake.aws.glue.get_table(DatabaseName=lake.database, Name="orders")["Table"]
    assert [(c["Name"], c["Type"]) for c in table["StorageDescriptor"]["Columns"]][:4] == [
        ("order_id", "bigint"), ("customer", "string"), ("quantity", "int"),
        ("unit_price", "decimal(10,2)")]

    [record] = lake.lineage(uri)
    assert JOB_RUN_FIELDS <= set(record), JOB_RUN_FIELDS - set(record)
    assert record["status"] == "SUCCEEDED"
    assert (record["rows_read"], record["rows_written"], record["rows_quarantined"]) == (16, 6, 10)
    assert sorted(record["output_keys"]) == sorted(analytics + processed)
    assert record["quarantine_key"] == qkey
    assert record["schema_version"] == 1
    assert record["input_etag"] == lake.aws.s3.head_object(
        Bucket=lake.bucket, Key="raw/orders/2024-03-03.csv")["ETag"].strip('"')
    assert record["started_at"] <= record["ended_at"]
    assert record["partitions_added"] == 3


def test_rerun_replaces_and_never_duplicates(lake):
    lake.seed("orders")
    uri = lake.upload("raw/orders/a.csv", "orders.csv")
    assert lake.run(ingest, "orders", uri) == 0
    first = {k: lake.parquet(k).to_pylist() for k in lake.keys("analytics/") + lake.keys("processed/")}
    first_quarantine = lake.keys("quarantine/")

    assert lake.run(ingest, "orders", uri) == 0

    second = {k: lake.parquet(k).to_pylist() for k in lake.keys("analytics/") + lake.keys("processed/")}
    assert second == first
    assert lake.keys("quarantine/") == first_quarantine
    assert sum(len(rows) for k, rows in second.items() if k.startswith("analytics/")) == 6
    assert len(lake.partitions("orders")) == 3
    records = lake.lineage(uri)
    assert [r["status"] for r in records] == ["SUCCEEDED", "SUCCEEDED"]
    assert sorted(r["partitions_added"] for r in records) == [0, 3]


def test_new_version_of_an_input_replaces_the_old_outputs(lake):
    lake.seed("orders")
    uri = lake.upload("raw/orders/a.csv", "orders.csv")
    assert lake.run(ingest, "orders", uri) == 0
    old = set(lake.keys("analytics/"))

    header, *lines = (lake.root / "stacks/sample-data/orders.csv").read_text().splitlines()
    lake.upload("raw/orders/a.csv", "\n".join([header, lines[0]]).encode() + b"\n")
    assert lake.run(ingest, "orders", uri) == 0

    new = set(lake.keys("analytics/"))
    assert not (old & new)
    assert len(new) == 1 and "day=01" in next(iter(new))
    assert [r["order_id"] for k in new for r in lake.parquet(k).to_pylist()] == [1001]
    assert lake.keys("quarantine/") == []
    latest = max(lake.lineage(uri), key=lambda r: r["ended_at"])
    assert latest["stale_keys_deleted"] == 7  # 3 days x 2 zones + the old quarantine file


def test_small_blocks_give_the_same_result(lake):
    """The input is streamed in blocks of whole lines; a block size of a few lines must not
    change which rows are kept or quarantined."""
    lake.seed("orders")
    whole = lake.upload("raw/orders/whole.csv", "orders.csv")
    pieces = lake.upload("raw/orders/pieces.csv", "orders.csv")
    assert lake.run(ingest, "orders", whole) == 0
    assert lake.run(ingest, "orders", pieces, "--block_mb", "0.0002") == 0  # ~200 bytes
    by_source = {}
    for key in lake.keys("processed/"):
        for row in lake.parquet(key).to_pylist():
            by_source.setdefault(row.pop("_source_uri"), []).append(row)
    assert by_source[whole] == by_source[pieces]
    records = {r["input_uri"]: r for r in lake.lineage(whole) + lake.lineage(pieces)}
    assert records[whole]["rows_quarantined"] == records[pieces]["rows_quarantined"] == 10


def test_json_lines_partitioned_by_arrival_time(lake):
    lake.seed("events")
    uri = lake.upload("raw/events/batch-1.jsonl", "events.jsonl")
    assert lake.run(ingest, "events", uri, "--arrival_time", "2024-06-01T23:30:00Z") == 0

    [key] = lake.keys("analytics/")
    assert key.startswith("analytics/events/year=2024/month=06/day=01/")
    rows = lake.parquet(key).to_pylist()
    assert [r["event_id"] for r in rows] == EVENTS_KEPT
    assert rows[0]["total"] == Decimal("12345678901234.5678")
    assert rows[1]["count"] == 4 and rows[3]["ok"] is False
    assert rows[2]["at"] == datetime.datetime(2024, 5, 1, 4, 32, tzinfo=datetime.timezone.utc)
    reasons = Counter(q["reason"] for q in lake.quarantine(lake.keys("quarantine/")[0]))
    invalid_json = [r for r in reasons if r.startswith("not valid JSON: ")]
    assert len(invalid_json) == EVENTS_INVALID_JSON
    del reasons[invalid_json[0]]
    assert reasons == EVENTS_REASONS


def test_arrival_time_defaults_to_the_objects_last_modified(lake):
    lake.seed("events")
    uri = lake.upload("raw/events/batch-2.jsonl", "events.jsonl")
    modified = lake.aws.s3.head_object(Bucket=lake.bucket, Key="raw/events/batch-2.jsonl")["LastModified"]
    assert lake.run(ingest, "events", uri) == 0
    [key] = lake.keys("analytics/")
    day = modified.astimezone(datetime.timezone.utc)
    assert f"year={day:%Y}/month={day:%m}/day={day:%d}/" in key


def _run_cli(lake, dataset, uri):
    """The job as a user runs it by hand: a separate process, the emulator from the environment."""
    return subprocess.run([sys.executable, str(lake.root / "stacks/glue/ingest.py"),
                           *lake.args(dataset, uri)], capture_output=True, text=True, timeout=120)


def test_missing_settings_fail_with_a_clear_message_and_a_failed_lineage_record(lake):
    uri = lake.upload("raw/orders/a.csv", "orders.csv")
    done = _run_cli(lake, "orders", uri)
    assert done.returncode == 1
    expected = (f"no settings for dataset 'orders' in table {lake.config_table}: put an item with "
                f"pk=dataset#orders, sk=settings (see stacks/glue/README.md)")
    assert expected in done.stderr
    [record] = lake.lineage(uri)
    assert record["status"] == "FAILED"
    assert record["error"] == expected
    assert record["input_etag"] and record["ended_at"]
    assert lake.keys("analytics/") == lake.keys("processed/") == []


def test_missing_structure_version_names_the_item_to_put(lake):
    lake.seed("orders", schema_version={"N": "7"})
    uri = lake.upload("raw/orders/a.csv", "orders.csv")
    assert lake.run(ingest, "orders", uri) == 1
    [record] = lake.lineage(uri)
    assert record["status"] == "FAILED"
    assert "has no item pk=dataset#orders, sk=schema#v7" in record["error"]


def test_a_bucket_that_is_no_tenant_is_refused_before_anything_is_written(lake):
    lake.seed("orders", register=False)
    uri = lake.upload("raw/orders/a.csv", "orders.csv")
    assert lake.run(ingest, "orders", uri) == 1
    [record] = lake.lineage(uri)
    assert record["status"] == "FAILED"
    assert (f"bucket '{lake.bucket}' is not a tenant of this lake: table {lake.config_table} has "
            f"no item pk=bucket#{lake.bucket}, sk=tenant") in record["error"]
    assert lake.keys("analytics/") == lake.keys("processed/") == []


def test_header_that_does_not_match_the_structure_fails_the_run(lake):
    lake.seed("orders")
    uri = lake.upload("raw/orders/wrong.csv", "orders-wrong-header.csv")
    done = _run_cli(lake, "orders", uri)
    assert done.returncode == 1
    assert ("has columns [order_id, customer, qty, unit_price, discount, weight_kg, is_gift, "
            "order_date, order_ts] but structure v1 of dataset 'orders' declares [order_id, "
            "customer, quantity, unit_price") in done.stderr
    [record] = lake.lineage(uri)
    assert record["status"] == "FAILED" and "header of " + uri in record["error"]
    assert lake.keys("analytics/") == []


def test_mostly_unfit_rows_fail_the_run_and_keep_the_reasons(lake):
    lake.seed("orders", max_bad_fraction={"N": "0.5"})  # the sample has 10 of 16 rows unfit
    uri = lake.upload("raw/orders/a.csv", "orders.csv")
    assert lake.run(ingest, "orders", uri) == 1
    [record] = lake.lineage(uri)
    assert record["status"] == "FAILED"
    assert record["error"].startswith("10 of 16 rows (62%) do not fit structure v1")
    assert (record["rows_read"], record["rows_quarantined"]) == (16, 10)
    assert lake.keys("analytics/") == []
    assert len(lake.quarantine(record["quarantine_key"])) == 10


def test_catalog_table_with_other_columns_is_a_schema_mismatch(lake):
    lake.seed("orders")
    lake.aws.glue.create_table(DatabaseName=lake.database, TableInput={
        "Name": "orders", "PartitionKeys": [{"Name": p, "Type": "string"} for p in ("year", "month", "day")],
        "Parameters": {"lakectl:schema_version": "1"},
        "StorageDescriptor": {"Columns": [{"Name": "order_id", "Type": "string"}], "Location": "s3://x/"}})
    uri = lake.upload("raw/orders/a.csv", "orders.csv")
    assert lake.run(ingest, "orders", uri) == 1
    [record] = lake.lineage(uri)
    assert record["status"] == "FAILED"
    assert f"Glue table {lake.database}.orders has columns [order_id string]" in record["error"]
    assert "put the change in a new structure version (schema#v2)" in record["error"]


def test_source_outside_raw_zone_is_refused(lake):
    lake.seed("orders")
    uri = lake.upload("processed/orders/a.csv", "orders.csv")
    assert lake.run(ingest, "orders", uri) == 1
    [record] = lake.lineage(uri)
    assert "is not in the raw/ zone" in record["error"]
