"""S3Blobs: media bytes as objects in an S3 bucket — the real blobs adapter (boto3).

URL: s3://bucket[?endpoint=URL][&region=us-east-1]
  - endpoint=http://127.0.0.1:15000  an S3-compatible server (moto, MinIO; path-style);
  - endpoint=localstack              LocalStack, through localstack_client's session;
  - no endpoint                      AWS itself, credentials from boto3's usual chain.
With an endpoint and no AWS_ACCESS_KEY_ID / AWS_PROFILE in the environment the
credentials are "test"/"test", which the emulators accept. The bucket is created on
open if it is missing. Objects keep their content type. NoSuchKey → NotFound; an
unreachable endpoint, a timeout or a 5xx → Unavailable.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from shared.adapters.blobs import check_key
from shared.backends import DEFAULT_TIMEOUT
from shared.errors import Invalid, NotFound, Unavailable

MISSING = {"NoSuchKey", "404", "NotFound"}
ATTEMPTS = 2  # one retry of a transient fault; a call takes at most ATTEMPTS x timeout


def _bounded(timeout: float) -> Config:
    return Config(
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"max_attempts": ATTEMPTS, "mode": "standard"},
    )


class S3Blobs:
    def __init__(self, client, bucket: str, region: str) -> None:
        self.client, self.bucket, self.region = client, bucket, region
        self._ensure_bucket()

    @classmethod
    def from_url(cls, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> S3Blobs:
        parts = urlsplit(url)
        if not parts.netloc:
            raise Invalid(
                f"blobs: no bucket in {url!r}; use s3://bucket?endpoint=…", field="blobs_url"
            )
        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        region = query.get("region", "us-east-1")
        return cls(_client(query.get("endpoint"), region, timeout), parts.netloc, region)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        with _translated(key):
            self.client.put_object(
                Bucket=self.bucket, Key=check_key(key), Body=data, ContentType=content_type
            )

    def get(self, key: str) -> bytes:
        with _translated(key):
            answer = self.client.get_object(Bucket=self.bucket, Key=check_key(key))
            return answer["Body"].read()

    def delete(self, key: str) -> None:
        with _translated(key):  # S3 answers 204 for a key that is not there: nothing to do
            self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def health(self) -> None:
        with _translated(self.bucket):
            self.client.head_bucket(Bucket=self.bucket)

    def close(self) -> None:
        self.client.close()

    def _ensure_bucket(self) -> None:
        with _translated(self.bucket):
            try:
                self.client.head_bucket(Bucket=self.bucket)
                return
            except ClientError as exc:
                if _code(exc) not in MISSING:
                    raise
            try:
                self.client.create_bucket(Bucket=self.bucket, **_location(self.region))
            except ClientError as exc:
                if _code(exc) != "BucketAlreadyOwnedByYou":  # another process won the race
                    raise


def _client(endpoint: str | None, region: str, timeout: float):
    bounded = _bounded(timeout)
    if endpoint == "localstack":
        from localstack_client.session import Session

        return Session(region_name=region).client("s3", config=bounded)
    options: dict = {"region_name": region, "config": bounded}
    if endpoint:
        options["endpoint_url"] = endpoint
        options["config"] = bounded.merge(Config(s3={"addressing_style": "path"}))
        if not (os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE")):
            options.update(aws_access_key_id="test", aws_secret_access_key="test")
    return boto3.session.Session().client("s3", **options)


def _location(region: str) -> dict:
    # us-east-1 is S3's default and must not be named as a LocationConstraint
    if region == "us-east-1":
        return {}
    return {"CreateBucketConfiguration": {"LocationConstraint": region}}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextmanager
def _translated(key: str):
    try:
        yield
    except ClientError as exc:
        if _code(exc) in MISSING:
            raise NotFound(f"no blob {key}") from exc
        raise Unavailable(f"blobs: S3 refused {key}: {_code(exc)} {exc}") from exc
    except BotoCoreError as exc:  # EndpointConnectionError, timeouts, missing credentials
        raise Unavailable(f"blobs: S3 unreachable: {exc}") from exc
