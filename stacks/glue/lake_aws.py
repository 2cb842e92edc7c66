"""boto3 clients for the jobs: bounded retries and timeouts, and path-style S3 on an emulator.

boto3 reads AWS_ENDPOINT_URL by itself, so the same code talks to AWS inside Glue and to a
local emulator when a user replays a file by hand.
"""

import os

import boto3
from botocore.config import Config


class Clients:
    def __init__(self):
        # boto3 reads AWS_DEFAULT_REGION but not AWS_REGION, which the AWS CLI, the Rust SDK and
        # the test command use; honour both.
        session = boto3.session.Session(region_name=os.environ.get("AWS_REGION") or None)
        retries = {"mode": "standard", "max_attempts": 6}
        # Without a read timeout, a server that accepts and never answers hangs the job until
        # Glue's own timeout, which is hours; a minute is plenty for any single call here.
        base = Config(retries=retries, connect_timeout=5, read_timeout=60)
        s3_config = base
        if os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT_URL_S3"):
            # Virtual-host addressing needs DNS for <bucket>.<host>; emulators answer on one host.
            s3_config = base.merge(Config(s3={"addressing_style": "path"}))
        self.s3 = session.client("s3", config=s3_config)
        self.dynamodb = session.client("dynamodb", config=base)
        self.glue = session.client("glue", config=base)
        self._session, self._base = session, base

    def client(self, service):
        return self._session.client(service, config=self._base)
