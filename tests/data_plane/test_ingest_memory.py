"""The Python shell job streams its input: peak memory must not grow with the file size."""

import os
import subprocess
import sys


def _peak_rss_mb(lake, tmp_path, size_mb):
    path = tmp_path / f"orders-{size_mb}.csv"
    subprocess.run([sys.executable, str(lake.root / "scripts/gen-large-csv"), str(size_mb),
                    str(path)], check=True)
    key = f"raw/orders/{size_mb}mb.csv"
    lake.aws.s3.upload_file(str(path), lake.bucket, key)
    uri = f"s3://{lake.bucket}/{key}"
    job = subprocess.Popen([sys.executable, str(lake.root / "stacks/glue/ingest.py"),
                            *lake.args("orders", uri, "--block_mb", "4")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # wait4 reports this child's own peak RSS (getrusage(RUSAGE_CHILDREN) would mix in others).
    _, status, usage = os.wait4(job.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, job.stderr.read().decode()
    [record] = lake.lineage(uri)
    assert record["rows_written"] > 0 and record["rows_quarantined"] > 0
    return usage.ru_maxrss / 1024  # Linux reports KiB


def test_peak_memory_does_not_grow_with_input_size(lake, tmp_path):
    lake.seed("orders")
    small = _peak_rss_mb(lake, tmp_path, 30)
    large = _peak_rss_mb(lake, tmp_path, 120)
    # Four times the input may cost a little more memory (allocator slack), never the 90 MB
    # difference in input size.
    assert large - small < 30, f"peak RSS {small:.0f} MB for 30 MB input, {large:.0f} MB for 120 MB"
