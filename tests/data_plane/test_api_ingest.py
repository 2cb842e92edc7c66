"""The API job against a small JSON API served by the test on 127.0.0.1."""

import json
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import api_ingest
import ingest

TOKEN = "s3cr3t-" + uuid.uuid4().hex[:6]
PAGES = [
    [{"event_id": "e-1", "device": "press-07", "reading": 21.5, "count": 3, "ok": True,
      "seen_on": "2024-05-01", "at": "2024-05-01T10:00:00Z", "total": 1.25}],
    [{"event_id": "e-2", "device": "press-07", "reading": 21.75, "count": 4, "ok": False,
      "seen_on": "2024-05-01", "at": "2024-05-01T10:01:00Z", "total": 2},
     {"event_id": "e-3", "device": {"nested": True}, "reading": 1, "count": 1, "ok": True,
      "seen_on": "2024-05-01", "at": "2024-05-01T10:02:00Z", "total": 3}],
    [{"event_id": "e-4", "device": "oven-2", "reading": 0.5, "count": 7, "ok": True,
      "seen_on": "2024-05-02", "at": "2024-05-02T00:00:01Z", "total": 99.99}],
]


@pytest.fixture
def api():
    hits = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append((self.path, self.headers.get("Authorization")))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self.send_response(401)
                self.end_headers()
                return
            page = int(urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                       .get("page", ["0"])[0])
            body = {"data": PAGES[page],
                    "next": f"/v1/readings?page={page + 1}" if page + 1 < len(PAGES) else None}
            payload = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v1/readings", hits
    server.shutdown()
    server.server_close()


def _seed(lake, url, auth):
    lake.seed("events", api={"M": {
        "url": {"S": url},
        "auth": {"M": dict({"header": {"S": "Authorization"}, "prefix": {"S": "Bearer "}}, **auth)},
        "items_path": {"S": "data"},
        "pagination": {"M": {"next_path": {"S": "next"}, "max_pages": {"N": "10"}}},
        "cadence_minutes": {"N": "15"},
    }})


def _args(lake, *extra):
    return ["--config_table", lake.config_table, "--lineage_table", lake.lineage_table,
            "--dataset", "events", "--target_uri", f"s3://{lake.bucket}", *extra]


def _runs(lake):
    return sorted(lake.lineage(f"api:events:s3://{lake.bucket}"), key=lambda r: r["started_at"])


def test_lands_every_page_once_per_window(lake, api):
    url, hits = api
    parameter = f"/dp-test/{uuid.uuid4().hex[:8]}/token"
    lake.aws.client("ssm").put_parameter(Name=parameter, Value=TOKEN, Type="SecureString")
    _seed(lake, url, {"ssm_parameter": {"S": parameter}})

    assert api_ingest.main(_args(lake, "--now", "2024-06-01T10:07:42Z")) == 0
    key = "raw/events/year=2024/month=06/day=01/events-20240601T1000Z.jsonl"
    assert lake.keys("raw/") == [key]
    landed = [json.loads(line) for line in lake.read(key).decode().splitlines()]
    assert [item["event_id"] for item in landed] == ["e-1", "e-2", "e-3", "e-4"]
    assert landed[0]["total"] == 1.25
    assert len(hits) == 3 and all(auth == f"Bearer {TOKEN}" for _, auth in hits)

    # Same window (14 minutes later is still 10:00-10:15): skipped without calling the API.
    assert api_ingest.main(_args(lake, "--now", "2024-06-01T10:14:59Z")) == 0
    assert len(hits) == 3
    assert lake.keys("raw/") == [key]

    # Next window: a new file.
    assert api_ingest.main(_args(lake, "--now", "2024-06-01T10:15:00Z")) == 0
    assert len(hits) == 6
    assert lake.keys("raw/")[-1].endswith("events-20240601T1015Z.jsonl")

    runs = _runs(lake)
    assert [r["status"] for r in runs] == ["SUCCEEDED", "SKIPPED", "SUCCEEDED"]
    assert runs[0]["rows_read"] == 4 and runs[0]["output_keys"] == [key]
    assert runs[0]["window_start"] == "2024-06-01T10:00:00Z"

    # The landed file is raw input like any other: the ingest job takes it from here.
    assert lake.run(ingest, "events", f"s3://{lake.bucket}/{key}") == 0
    [record] = lake.lineage(f"s3://{lake.bucket}/{key}")
    assert (record["rows_written"], record["rows_quarantined"]) == (3, 1)


def test_token_from_secrets_manager_and_a_rejected_token(lake, api):
    url, hits = api
    secrets = lake.aws.client("secretsmanager")
    good, bad = f"dp-test-{uuid.uuid4().hex[:8]}", f"dp-test-{uuid.uuid4().hex[:8]}"
    secrets.create_secret(Name=good, SecretString=TOKEN)
    secrets.create_secret(Name=bad, SecretString="wrong")

    _seed(lake, url, {"secret_id": {"S": good}})
    assert api_ingest.main(_args(lake, "--now", "2024-06-02T00:00:00Z")) == 0
    assert len(lake.keys("raw/")) == 1

    _seed(lake, url, {"secret_id": {"S": bad}})
    assert api_ingest.main(_args(lake, "--now", "2024-06-03T00:00:00Z")) == 1
    failed = _runs(lake)[-1]
    assert failed["status"] == "FAILED"
    assert failed["error"] == f"GET {url} failed: HTTP 401 Unauthorized: check the token"
    assert len(lake.keys("raw/")) == 1  # nothing landed for the failed window


def test_missing_token_parameter_says_where_to_put_it(lake, api):
    url, hits = api
    _seed(lake, url, {"ssm_parameter": {"S": "/dp-test/absent"}})
    assert api_ingest.main(_args(lake, "--now", "2024-06-01T00:00:00Z")) == 1
    assert _runs(lake)[-1]["error"].startswith(
        "reading the API token of dataset 'events' from SSM parameter '/dp-test/absent' failed: "
        "ParameterNotFound: put the token there")
    assert hits == []
