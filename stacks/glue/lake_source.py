"""The input object: where it is, its version (ETag), its arrival time, and its bytes as blocks
of whole lines. Shared by the ingest jobs."""

import datetime

from botocore.exceptions import ClientError

from lake_errors import JobError
from lake_layout import parse_s3_uri, require_raw

MAX_LINE_BYTES = 64 * 1024 * 1024


def describe_source(s3, uri):
    bucket, key = parse_s3_uri(uri)
    require_raw(uri, key)
    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError as e:
        code = e.response["Error"]["Code"]
        if code in ("404", "NoSuchKey", "NoSuchBucket"):
            raise JobError(f"source object {uri} does not exist: check --source_uri") from e
        raise
    return bucket, key, head["ETag"].strip('"'), head["ContentLength"], head["LastModified"]


def arrival_of(args, last_modified):
    """The partition of arrival-time datasets: the object's LastModified, so a re-run of the same
    object lands in the same partition; --arrival_time overrides it for backfills."""
    if args.get("arrival_time"):
        try:
            value = datetime.datetime.fromisoformat(args["arrival_time"].replace("Z", "+00:00"))
        except ValueError as e:
            raise JobError(f"--arrival_time must be an ISO 8601 time, got '{args['arrival_time']}'") from e
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    return last_modified.astimezone(datetime.timezone.utc)


def read_blocks(s3, bucket, key, block_bytes):
    """Yields the object as blocks of whole lines, about block_bytes each."""
    body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    carry = b""
    try:
        while True:
            chunk = body.read(block_bytes)
            if not chunk:
                break
            data = carry + chunk if carry else chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                if len(data) > MAX_LINE_BYTES:
                    raise JobError(f"s3://{bucket}/{key} has a line longer than "
                                   f"{MAX_LINE_BYTES // (1024 * 1024)} MB: is it really "
                                   f"line-delimited text?")
                carry = data
                continue
            carry = data[cut + 1:]
            yield data[:cut + 1]
        if carry:
            yield carry
    finally:
        body.close()


def first_line(s3, bucket, key, limit=1024 * 1024):
    """The first line (for the header check) without reading the whole object."""
    body = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes=0-{limit - 1}")["Body"]
    try:
        return body.read().split(b"\n", 1)[0]
    finally:
        body.close()
