"""Output files of one ingest run, and putting them in place.

The Python shell job streams conformed rows into one Parquet file per partition and zone on
local disk (memory holds at most a bounded number of buffered rows, however big the input),
then uploads each file to its deterministic key. Rows are buffered per partition so row groups
stay large even when a block's rows spread over many days.
"""

import json
import os

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from boto3.s3.transfer import TransferConfig

from lake_config import PARTITION_COLUMNS
from lake_layout import ZONES, output_key
from lake_rows import data_schema

SOURCE_COLUMN = "_source_uri"
COMPRESSION = {"processed": "snappy", "analytics": "zstd"}
ROW_GROUP_ROWS = 128 * 1024
MAX_BUFFERED_ROWS = 256 * 1024
# Multipart parts of 16 MB, a few at a time: enough throughput, bounded memory on a 1 GB job.
TRANSFER = TransferConfig(multipart_chunksize=16 * 1024 * 1024, max_concurrency=4)


def zone_schema(structure, zone):
    schema = data_schema(structure)
    # Never null, and declared so: Spark writes a literal column as required, and both jobs must
    # produce the same schema.
    source = pa.field(SOURCE_COLUMN, pa.string(), nullable=False)
    return schema.append(source) if zone == "processed" else schema


def split_by_partition(table):
    """{(year, month, day): rows without the partition columns}, rows in input order."""
    if table.num_rows == 0:
        return {}
    data = table.drop_columns(list(PARTITION_COLUMNS))
    keys = pc.binary_join_element_wise(*[table[p] for p in PARTITION_COLUMNS], "/")
    distinct = pc.unique(keys).to_pylist()
    if len(distinct) == 1:
        return {tuple(distinct[0].split("/")): data}
    return {tuple(k.split("/")): data.filter(pc.equal(keys, k)) for k in distinct}


class PartitionFiles:
    def __init__(self, directory, structure, source_uri):
        self.directory = directory
        self.structure = structure
        self.source_uri = source_uri
        self.buffers = {}  # partition -> [tables]
        self.buffered = 0
        self.writers = {}  # (partition, zone) -> (ParquetWriter, path)
        self.rows = 0

    def write(self, conformed):
        for partition, rows in split_by_partition(conformed).items():
            self.buffers.setdefault(partition, []).append(rows)
            self.buffered += rows.num_rows
            self.rows += rows.num_rows
            if sum(t.num_rows for t in self.buffers[partition]) >= ROW_GROUP_ROWS:
                self._flush(partition)
        if self.buffered >= MAX_BUFFERED_ROWS:
            for partition in list(self.buffers):
                self._flush(partition)

    def _writer(self, partition, zone):
        if (partition, zone) not in self.writers:
            path = os.path.join(self.directory, f"{zone}-{'-'.join(partition)}.parquet")
            writer = pq.ParquetWriter(path, zone_schema(self.structure, zone),
                                      compression=COMPRESSION[zone])
            self.writers[(partition, zone)] = (writer, path)
        return self.writers[(partition, zone)][0]

    def _flush(self, partition):
        tables = self.buffers.pop(partition, [])
        if not tables:
            return
        rows = pa.concat_tables(tables).combine_chunks()
        self.buffered -= rows.num_rows
        self._writer(partition, "analytics").write_table(rows, row_group_size=ROW_GROUP_ROWS)
        with_source = rows.append_column(zone_schema(self.structure, "processed").field(SOURCE_COLUMN),
                                         pa.array([self.source_uri] * rows.num_rows, pa.string()))
        self._writer(partition, "processed").write_table(with_source, row_group_size=ROW_GROUP_ROWS)

    def close(self):
        """Flushes everything; returns {partition: {zone: local path}}."""
        for partition in list(self.buffers):
            self._flush(partition)
        files = {}
        for (partition, zone), (writer, path) in self.writers.items():
            writer.close()
            files.setdefault(partition, {})[zone] = path
        return files


class QuarantineFile:
    """Quarantined rows as JSON lines: {"reason": ..., "raw": ...}."""

    def __init__(self, path):
        self.path = path
        self.rows = 0
        self._file = open(path, "w", encoding="utf-8")

    def write(self, bad):
        for row in bad.to_pylist():
            self._file.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.rows += bad.num_rows

    def close(self):
        self._file.close()


def upload_partitions(s3, bucket, dataset, sid, files):
    """Uploads {partition: {zone: path}}; returns the keys written."""
    keys = []
    for partition in sorted(files):
        for zone in ZONES:
            key = output_key(zone, dataset, partition, sid)
            s3.upload_file(files[partition][zone], bucket, key, Config=TRANSFER)
            keys.append(key)
    return keys


def delete_keys(s3, bucket, keys):
    keys = sorted(keys)
    for i in range(0, len(keys), 1000):
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys[i:i + 1000]],
                                                 "Quiet": True})
