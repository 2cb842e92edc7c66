"""Fixtures for the data-plane tests: each test gets its own bucket, config and lineage tables
and Glue database (uuid-suffixed), so the suite can share an emulator with other suites running
at the same time. The emulator is required: without one the run fails, it never skips."""

import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "stacks" / "glue"))

from lake import Lake  # noqa: E402  (needs the path above)
from lake_aws import Clients  # noqa: E402


def pytest_sessionstart(session):
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint:
        pytest.exit(
            "AWS_ENDPOINT_URL is not set: these tests need an AWS emulator. Start one with "
            "`scripts/emulator up 4599` and export AWS_ENDPOINT_URL=http://127.0.0.1:4599 "
            "AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1 "
            "(scripts/test does all of this)", returncode=1)
    try:
        urllib.request.urlopen(endpoint, timeout=5)
    except urllib.error.HTTPError:
        pass  # something answers; that is all this checks
    except (urllib.error.URLError, OSError) as e:
        pytest.exit(f"nothing answers at AWS_ENDPOINT_URL={endpoint} "
                    f"({getattr(e, 'reason', e)}): start the emulator with "
                    f"`scripts/emulator up <port>`", returncode=1)


@pytest.fixture(scope="session")
def aws():
    return Clients()


@pytest.fixture
def lake(aws):
    lake = Lake(aws, ROOT)
    lake.create()
    yield lake
    lake.destroy()


@pytest.fixture(scope="session")
def spark():
    """One local Spark session for the whole run: starting one takes several seconds."""
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    session = (SparkSession.builder.master("local[2]").appName("data-plane-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.driver.memory", "1g")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
