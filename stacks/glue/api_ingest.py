"""Glue Python shell job: land one cadence window of a JSON API in the raw zone.

    python stacks/glue/api_ingest.py --config_table T --lineage_table L --dataset D \
        --target_uri s3://<bucket> [--now ISO]

The dataset's settings carry an `api` map (stacks/glue/README.md): the URL, the auth header and
where its token is kept (an SSM parameter or a Secrets Manager secret, by name, never in the
config table), where the items are in each response, how to find the next page, and the
cadence. The run's window is the cadence slot `now` falls in; its items are written as JSON lines
to raw/<dataset>/year=/month=/day=/<dataset>-<window start>.jsonl. A window already landed is
skipped without calling the API, so a retried or doubled schedule never fetches twice; the
landed file is then ingested like any other raw file (format jsonl).
"""

import datetime
import json
import sys
import tempfile
import urllib.error
import urllib.parse
import urllib.request

from botocore.exceptions import ClientError

import lake_config
from lake_errors import JobError
from lake_job import COMMON_ARGS, run_job

TIMEOUT_SECONDS = 30


def window_of(args, cadence_minutes):
    if args.get("now"):
        try:
            now = datetime.datetime.fromisoformat(args["now"].replace("Z", "+00:00"))
        except ValueError as e:
            raise JobError(f"--now must be an ISO 8601 time, got '{args['now']}'") from e
        now = now if now.tzinfo else now.replace(tzinfo=datetime.timezone.utc)
    else:
        now = datetime.datetime.now(datetime.timezone.utc)
    now = now.astimezone(datetime.timezone.utc)
    minutes = (now.hour * 60 + now.minute) // cadence_minutes * cadence_minutes
    return now.replace(hour=minutes // 60, minute=minutes % 60, second=0, microsecond=0)


def landing_key(dataset, window):
    return (f"raw/{dataset}/year={window:%Y}/month={window:%m}/day={window:%d}/"
            f"{dataset}-{window:%Y%m%dT%H%M}Z.jsonl")


def target_bucket(args):
    uri = args["target_uri"].rstrip("/")
    if not uri.startswith("s3://") or "/" in uri[5:] or len(uri) == 5:
        raise JobError(f"--target_uri must be the customer's bucket as s3://<bucket>, got '{uri}'")
    return uri[5:]


def token(aws, auth, dataset):
    if auth.get("ssm_parameter"):
        name = auth["ssm_parameter"]
        try:
            return aws.client("ssm").get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
        except ClientError as e:
            raise JobError(f"reading the API token of dataset '{dataset}' from SSM parameter "
                           f"'{name}' failed: {e.response['Error']['Code']}: put the token there "
                           f"(a SecureString) or fix api.auth.ssm_parameter") from e
    if auth.get("secret_id"):
        name = auth["secret_id"]
        try:
            return aws.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]
        except ClientError as e:
            raise JobError(f"reading the API token of dataset '{dataset}' from secret '{name}' "
                           f"failed: {e.response['Error']['Code']}: put the token there or fix "
                           f"api.auth.secret_id") from e
    return None


def _at(document, path):
    for part in [p for p in (path or "").split(".") if p]:
        document = document.get(part) if isinstance(document, dict) else None
    return document


def fetch_pages(url, headers, items_path, next_path, max_pages):
    """Yields each page's items, following next_path until it is empty."""
    pages = 0
    while url:
        if pages == max_pages:
            raise JobError(f"{url} still has pages after {max_pages}: raise "
                           f"api.pagination.max_pages (nothing was landed, so nothing is lost)")
        request = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                document = json.load(response)
        except urllib.error.HTTPError as e:
            hint = ": check the token" if e.code in (401, 403) else ""
            raise JobError(f"GET {url} failed: HTTP {e.code} {e.reason}{hint}") from e
        except (urllib.error.URLError, OSError) as e:
            raise JobError(f"GET {url} failed: {getattr(e, 'reason', e)}") from e
        except ValueError as e:
            raise JobError(f"GET {url} did not return JSON: {e}") from e
        items = _at(document, items_path) if items_path else document
        if not isinstance(items, list):
            raise JobError(f"GET {url}: expected a list at '{items_path or '(the whole body)'}', "
                           f"got {type(items).__name__}: fix api.items_path")
        pages += 1
        yield items
        following = _at(document, next_path) if next_path else None
        url = urllib.parse.urljoin(url, following) if following else None


def land(aws, args, run):
    settings, _ = lake_config.load(aws.dynamodb, args["config_table"], args["dataset"])
    api = settings.api
    if not api.get("url"):
        raise JobError(f"settings of dataset '{settings.dataset}' have no api.url: add the "
                       f"api map (see stacks/glue/README.md)")
    cadence = int(api.get("cadence_minutes", 60))
    if not 1 <= cadence <= 1440 or 1440 % cadence:
        raise JobError(f"api.cadence_minutes of dataset '{settings.dataset}' must divide a day "
                       f"(1, 5, 15, 60, ...), got {cadence}")
    bucket = target_bucket(args)
    window = window_of(args, cadence)
    key = landing_key(settings.dataset, window)
    run.note(window_start=window.strftime("%Y-%m-%dT%H:%M:%SZ"), api_url=api["url"])
    try:
        aws.s3.head_object(Bucket=bucket, Key=key)
        return {"status": "SKIPPED", "output_keys": [key], "rows_read": 0, "rows_written": 0}
    except ClientError as e:
        if e.response["Error"]["Code"] not in ("404", "NoSuchKey"):
            raise

    auth = api.get("auth", {})
    headers = {"Accept": "application/json"}
    secret = token(aws, auth, settings.dataset)
    if secret is not None:
        headers[auth.get("header", "Authorization")] = auth.get("prefix", "") + secret
    pagination = api.get("pagination", {})
    items = 0
    with tempfile.TemporaryFile() as spool:
        for page in fetch_pages(api["url"], headers, api.get("items_path"),
                                pagination.get("next_path"), int(pagination.get("max_pages", 100))):
            for item in page:
                spool.write(json.dumps(item, ensure_ascii=False).encode() + b"\n")
            items += len(page)
        spool.seek(0)
        try:
            # If-None-Match: a concurrent run for the same window cannot overwrite this one.
            aws.s3.put_object(Bucket=bucket, Key=key, Body=spool, IfNoneMatch="*",
                              ContentType="application/x-ndjson")
        except ClientError as e:
            if e.response["Error"]["Code"] in ("PreconditionFailed", "ConditionalRequestConflict"):
                return {"status": "SKIPPED", "output_keys": [key], "rows_read": 0, "rows_written": 0}
            raise
    return {"output_keys": [key], "rows_read": items, "rows_written": items,
            "landed_uri": f"s3://{bucket}/{key}"}


def _lineage_uri(args):
    """The feed, as the lineage record's input: every window of one dataset into one bucket is
    one partition of the lineage table (the window and landed key are fields of each run)."""
    return f"api:{args['dataset']}:{args['target_uri'].rstrip('/')}"


def main(argv):
    return run_job("api_ingest", argv, COMMON_ARGS + ("target_uri",), ("now",), _lineage_uri, land)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
